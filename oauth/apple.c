/* apple: Sign in with Apple's ES256 client secret and first-login name. */
#include "oauth/oauth_int.h"

#include <stdlib.h>
#include <string.h>

#define APPLE_SECRET_LIFETIME 3600   /* Apple allows up to ~6 months; we renew hourly */
#define APPLE_SECRET_RENEW 300       /* make a new one this long before expiry */
#define APPLE_USER_MAX 4096

/*
 * The client secret Apple wants: a JWT signed ES256 with the .p8 key
 * (iss = team id, sub = client id, aud = the issuer, kid = key id). Cached
 * per process and renewed automatically before it expires.
 */
enum rc
apple_client_secret(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const char **out)
{
	struct provider_cache *c = &p->cache;
	time_t now = ctx->now();
	json_t *hdr, *claims;
	char *jwt = NULL;
	enum rc rc;

	if (c->apple_secret != NULL && c->apple_secret_exp - now > APPLE_SECRET_RENEW) {
		*out = c->apple_secret;
		return RC_OK;
	}
	hdr = json_pack("{s:s}", "kid", p->key_id);
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", p->team_id, "sub", p->client_id,
	    "aud", p->issuer, "iat", (json_int_t)now,
	    "exp", (json_int_t)(now + APPLE_SECRET_LIFETIME));
	rc = hdr != NULL && claims != NULL
	    ? jwt_sign(a, JWT_ES256, p->apple_key, hdr, claims, &jwt) : RC_NOMEM;
	json_decref(hdr);
	json_decref(claims);
	if (rc != RC_OK)
		return rc;
	free(c->apple_secret);
	c->apple_secret = strdup(jwt);
	if (c->apple_secret == NULL)
		return RC_NOMEM;
	c->apple_secret_exp = now + APPLE_SECRET_LIFETIME;
	*out = c->apple_secret;
	return RC_OK;
}

/*
 * Apple sends the user's name once, on the first authorization, as the
 * `user` form field: {"name":{"firstName":"A","lastName":"B"},"email":...}.
 * *name is "A B" (arena), or NULL when the field says nothing usable.
 */
enum rc
apple_user_name(struct arena *a, const char *user_json, const char **name)
{
	const char *first, *last;
	json_t *u, *n;

	*name = NULL;
	if (user_json == NULL || strlen(user_json) > APPLE_USER_MAX)
		return RC_OK;
	u = json_loads(user_json, JSON_REJECT_DUPLICATES, NULL);
	n = json_object_get(u, "name");
	first = json_string_value(json_object_get(n, "firstName"));
	last = json_string_value(json_object_get(n, "lastName"));
	if (first != NULL && *first != '\0')
		*name = last != NULL && *last != '\0' ? arena_printf(a, "%s %s", first, last)
		    : arena_strdup(a, first);
	else if (last != NULL && *last != '\0')
		*name = arena_strdup(a, last);
	json_decref(u);
	return RC_OK;
}

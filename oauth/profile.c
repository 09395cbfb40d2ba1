/* profile: who signed in — from ID token claims, userinfo or a network's API. */
#include "oauth/oauth_int.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/jsonutil.h"
#include "util/log.h"

#define PROFILE_BODY_MAX (256u * 1024)
#define GITHUB_VERSION "X-GitHub-Api-Version: 2022-11-28"

typedef enum rc (*profile_reader)(struct oauth_ctx *ctx, struct arena *a,
    struct provider *p, const struct provider_meta *m, const char *instance,
    const char *token, struct profile *out, const char **why);

/* Profile strings: a member that is not a non-empty string is not given. */
static const char *
str_of(struct arena *a, const json_t *o, const char *key)
{
	return jsonutil_str(a, o, key, JSONUTIL_NONEMPTY, NULL);
}

/* Numbers (GitHub, Mastodon ids) and strings both make a subject. */
static const char *
id_of(struct arena *a, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	return str_of(a, o, key);
}

/* Apple sends booleans as "true"/"false" strings. */
static bool
truthy(const json_t *v)
{
	return json_is_true(v) || (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

static const char *
url_of(struct arena *a, const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL && http_url_allowed(v) ? arena_strdup(a, v) : NULL;
}

/* GET url with the access token as a Bearer credential; JSON back.
 * public_only: the host was chosen by the visitor (Mastodon). */
static enum rc
bearer_get_ex(struct oauth_ctx *ctx, struct arena *a, const char *url, const char *token,
    const char *accept, const char *extra, const char *log_name, bool public_only, json_t **out)
{
	struct http_request rq = {
		.url = url, .max_body = PROFILE_BODY_MAX, .log_name = log_name,
		.public_only = public_only,
	};
	long status;
	enum rc rc;

	rq.headers[0] = arena_printf(a, "Authorization: Bearer %s", token);
	rq.headers[1] = accept != NULL ? accept : "Accept: application/json";
	rq.headers[2] = extra;
	if (rq.headers[0] == NULL)
		return RC_NOMEM;
	rc = oauth_fetch_json(ctx, a, &rq, &status, out);
	if (rc == RC_OK && status != 200)
		rc = RC_UPSTREAM;
	return rc;
}

static enum rc
bearer_get(struct oauth_ctx *ctx, struct arena *a, const char *url, const char *token,
    const char *accept, const char *extra, const char *log_name, json_t **out)
{
	return bearer_get_ex(ctx, a, url, token, accept, extra, log_name, false, out);
}

/* OIDC: the profile from verified ID token claims. */
enum rc
profile_from_claims(struct arena *a, const struct provider *p, const json_t *claims,
    struct profile *out)
{
	const char *given = str_of(a, claims, "given_name");
	const char *family = str_of(a, claims, "family_name");
	const char *oid = str_of(a, claims, "oid"), *tid = str_of(a, claims, "tid");

	memset(out, 0, sizeof(*out));
	out->sub = str_of(a, claims, "sub");
	/* Microsoft: oid@tid is the stable user id across the tenant's apps. */
	if ((p->flags & PRESET_MS_TENANT) && oid != NULL && tid != NULL)
		out->sub = arena_printf(a, "%s@%s", oid, tid);
	out->name = str_of(a, claims, "name");
	if (out->name == NULL && given != NULL)
		out->name = family != NULL ? arena_printf(a, "%s %s", given, family) : given;
	if (out->name == NULL)
		out->name = str_of(a, claims, "preferred_username");
	out->email = str_of(a, claims, "email");
	out->email_verified = out->email != NULL && truthy(json_object_get(claims, "email_verified")) &&
	    !(p->flags & PRESET_EMAIL_UNTRUSTED);
	out->picture = url_of(a, claims, "picture");
	out->profile_url = url_of(a, claims, "profile");
	return out->sub != NULL ? RC_OK : RC_CRYPTO;
}

/*
 * Fills what the ID token left out from the userinfo endpoint (OIDC Core
 * 5.3). Its sub must be the ID token's (5.3.2), or nothing is taken.
 */
enum rc
profile_merge_userinfo(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *access_token, const char *id_sub,
    struct profile *out, const char **why)
{
	struct profile u;
	const char *raw_sub;
	json_t *j;
	enum rc rc;

	if (m->userinfo_endpoint == NULL)
		return RC_OK;
	rc = bearer_get(ctx, a, m->userinfo_endpoint, access_token, NULL, NULL, "userinfo", &j);
	if (rc != RC_OK || !json_is_object(j)) {
		*why = "userinfo endpoint failed";
		return RC_UPSTREAM;
	}
	raw_sub = json_string_value(json_object_get(j, "sub"));
	if (raw_sub == NULL || strcmp(raw_sub, id_sub) != 0) {
		*why = "userinfo sub differs from the ID token's";
		return RC_CRYPTO;
	}
	profile_from_claims(a, p, j, &u);
	if (out->name == NULL)
		out->name = u.name;
	if (out->email == NULL) {
		out->email = u.email;
		out->email_verified = u.email_verified;
	}
	if (out->picture == NULL)
		out->picture = u.picture;
	if (out->profile_url == NULL)
		out->profile_url = u.profile_url;
	return RC_OK;
}

/* GitHub: /user, then /user/emails for the primary verified address. */
static enum rc
read_github(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *token,
    struct profile *out, const char **why)
{
	const char *accept = "Accept: application/vnd.github+json";
	char *emails_url;
	json_t *u, *emails, *e;
	size_t i;

	(void)p;
	(void)instance;
	if (bearer_get(ctx, a, m->userinfo_endpoint, token, accept, GITHUB_VERSION, "github_user", &u) != RC_OK ||
	    !json_is_object(u)) {
		*why = "GitHub /user failed";
		return RC_UPSTREAM;
	}
	out->sub = id_of(a, u, "id");
	if (!json_is_integer(json_object_get(u, "id")))
		out->sub = NULL; /* the numeric id, never the renameable login */
	out->name = str_of(a, u, "name");
	if (out->name == NULL)
		out->name = str_of(a, u, "login");
	out->picture = url_of(a, u, "avatar_url");
	out->profile_url = url_of(a, u, "html_url");
	emails_url = arena_printf(a, "%s/emails", m->userinfo_endpoint);
	if (emails_url != NULL &&
	    bearer_get(ctx, a, emails_url, token, accept, GITHUB_VERSION, "github_emails", &emails) == RC_OK &&
	    json_is_array(emails)) {
		json_array_foreach(emails, i, e) {
			if (json_is_true(json_object_get(e, "primary")) &&
			    json_is_true(json_object_get(e, "verified")) &&
			    (out->email = str_of(a, e, "email")) != NULL) {
				out->email_verified = true;
				break;
			}
		}
	}
	return RC_OK;
}

/* Facebook: Graph /me, with appsecret_proof (HMAC of the token). */
static enum rc
read_facebook(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *token,
    struct profile *out, const char **why)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	const char *url = m->userinfo_endpoint;
	json_t *u;

	(void)instance;
	if ((p->flags & PRESET_APPSECRET_PROOF) && p->client_secret != NULL) {
		if (crypto_hmac_sha256(p->client_secret, strlen(p->client_secret), token,
		    strlen(token), mac) != RC_OK)
			return RC_CRYPTO;
		for (size_t i = 0; i < sizeof(mac); i++)
			snprintf(hex + 2 * i, 3, "%02x", mac[i]);
		url = arena_printf(a, "%s%cappsecret_proof=%s", url,
		    strchr(url, '?') != NULL ? '&' : '?', hex);
		if (url == NULL)
			return RC_NOMEM;
	}
	if (bearer_get(ctx, a, url, token, NULL, NULL, "facebook_me", &u) != RC_OK || !json_is_object(u)) {
		*why = "Facebook Graph /me failed";
		return RC_UPSTREAM;
	}
	out->sub = str_of(a, u, "id");
	out->name = str_of(a, u, "name");
	/* Graph gives an address only when it has a valid one, but says
	 * nothing of verification: never treat it as verified. */
	out->email = str_of(a, u, "email");
	out->picture = url_of(a, json_object_get(json_object_get(u, "picture"), "data"), "url");
	return RC_OK;
}

/* X: /2/users/me; confirmed_email only with the users.email scope. */
static enum rc
read_x(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *token,
    struct profile *out, const char **why)
{
	const char *url = m->userinfo_endpoint;
	const char *username;
	json_t *u, *d;

	(void)instance;
	if (provider_has_scope(p, "users.email"))
		url = arena_printf(a, "%s%s", url, strstr(url, "user.fields=") != NULL
		    ? ",confirmed_email" : (strchr(url, '?') ? "&user.fields=confirmed_email"
		    : "?user.fields=confirmed_email"));
	if (url == NULL)
		return RC_NOMEM;
	if (bearer_get(ctx, a, url, token, NULL, NULL, "x_users_me", &u) != RC_OK)
		u = NULL;
	d = json_object_get(u, "data");
	if (!json_is_object(d)) {
		*why = "X /2/users/me failed";
		return RC_UPSTREAM;
	}
	out->sub = str_of(a, d, "id");
	out->name = str_of(a, d, "name");
	username = str_of(a, d, "username");
	if (out->name == NULL)
		out->name = username;
	if (username != NULL)
		out->profile_url = arena_printf(a, "https://x.com/%s", username);
	out->picture = url_of(a, d, "profile_image_url");
	out->email = str_of(a, d, "confirmed_email");
	out->email_verified = out->email != NULL;
	return RC_OK;
}

/* Mastodon: verify_credentials on the visitor's instance; id@instance. */
static enum rc
read_mastodon(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *token,
    struct profile *out, const char **why)
{
	const char *id;
	json_t *u;

	if (instance == NULL || bearer_get_ex(ctx, a, m->userinfo_endpoint, token, NULL,
	    NULL, "mastodon_verify_credentials", mastodon_public_only(p), &u) != RC_OK ||
	    !json_is_object(u)) {
		*why = "Mastodon verify_credentials failed";
		return RC_UPSTREAM;
	}
	id = str_of(a, u, "id");
	out->sub = id != NULL ? arena_printf(a, "%s@%s", id, instance) : NULL;
	out->name = str_of(a, u, "display_name");
	if (out->name == NULL)
		out->name = str_of(a, u, "username");
	out->picture = url_of(a, u, "avatar");
	out->profile_url = url_of(a, u, "url");
	return RC_OK;
}

static const struct {
	enum profile_kind kind;
	profile_reader read;
} readers[] = {
	{ PROFILE_GITHUB, read_github },
	{ PROFILE_FACEBOOK, read_facebook },
	{ PROFILE_X, read_x },
	{ PROFILE_MASTODON, read_mastodon },
};

/*
 * OAuth 2 presets: reads the profile from the network's API with the
 * access token. RC_UPSTREAM with *why when the API fails or gives no id.
 */
enum rc
profile_fetch(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *access_token,
    struct profile *out, const char **why)
{
	enum rc rc = RC_INTERNAL;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (readers[i].kind == p->profile)
			rc = readers[i].read(ctx, a, p, m, instance, access_token, out, why);
	if (rc == RC_OK && (out->sub == NULL || strlen(out->sub) > SESSION_SUB_MAX)) {
		*why = "the provider's profile has no usable id";
		rc = RC_UPSTREAM;
	}
	return rc;
}

/* token: the authorization code exchange at the token endpoint. */
#include "oauth/oauth_int.h"

#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/url.h"

#define TOKEN_BODY_MAX (64u * 1024)
#define TOKEN_MAX 8192

const char *
provider_redirect_uri(struct oauth_ctx *ctx, struct arena *a, const struct provider *p)
{
	(void)ctx;
	(void)a;
	return p->redirect_uri;
}

static enum rc
form_pair(struct buf *b, const char *name, const char *value)
{
	enum rc rc = buf_appendf(b, "%s%s=", b->len > 0 ? "&" : "", name);

	if (rc == RC_OK)
		rc = url_encode(b, value, strlen(value));
	return rc;
}

static char *
form_encoded(struct arena *a, const char *s)
{
	struct buf b;
	char *out = NULL;

	buf_init(&b, 4 * strlen(s) + 16);
	if (url_encode(&b, s, strlen(s)) == RC_OK)
		out = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	return out;
}

/* Client credentials for this provider (or Mastodon instance). */
static enum rc
client_credentials(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const char *instance, const char **id, const char **secret)
{
	struct instance_cache *inst;

	*id = p->client_id;
	*secret = p->client_secret;
	if (p->flags & PRESET_APPLE)
		return apple_client_secret(ctx, a, p, secret);
	if (instance != NULL) {
		/* The callback looked the app up just before (mastodon_instance):
		 * never a registration from here. */
		inst = mastodon_cached(p, instance);
		if (inst == NULL)
			return RC_UNAVAILABLE;
		*id = inst->client_id;
		*secret = inst->client_secret;
	}
	return RC_OK;
}

/* client_secret_basic when allowed and wanted, else client_secret_post. */
static bool
use_basic(const struct provider *p, const struct provider_meta *m)
{
	if (p->token_auth == AUTH_BASIC)
		return true;
	if (p->token_auth == AUTH_POST)
		return false;
	return m->basic_ok || !m->post_ok;
}

static bool
printable(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return false;
	return n > 0 && n <= max;
}

static enum rc
read_tokens(struct arena *a, const struct provider *p, const json_t *j, long status,
    struct token_set *out, const char **why)
{
	const char *err = json_string_value(json_object_get(j, "error"));
	const char *at = json_string_value(json_object_get(j, "access_token"));
	const json_t *type = json_object_get(j, "token_type");
	const json_t *idt = json_object_get(j, "id_token");

	if (status != 200 || err != NULL) {
		log_kv(LOG_WARN, "token_refused", "provider", p->id, "error",
		    err != NULL && printable(err, 64) ? err : "?", NULL);
		*why = "the provider refused the authorization code";
		/* A refused code (invalid_grant...) is a bad sign-in response, not
		 * a provider outage. */
		return status >= 400 && status < 500 && err != NULL ? RC_CRYPTO : RC_UPSTREAM;
	}
	if (at == NULL || !printable(at, TOKEN_MAX)) {
		*why = "token response without a usable access_token";
		return RC_UPSTREAM;
	}
	if (type != NULL && (!json_is_string(type) ||
	    strcasecmp(json_string_value(type), "bearer") != 0)) {
		*why = "token_type is not Bearer";
		return RC_UPSTREAM;
	}
	if (idt != NULL && (!json_is_string(idt) || !printable(json_string_value(idt), JWT_MAX_LEN))) {
		*why = "token response with a malformed id_token";
		return RC_UPSTREAM;
	}
	out->access_token = arena_strdup(a, at);
	out->id_token = idt != NULL ? arena_strdup(a, json_string_value(idt)) : NULL;
	return RC_OK;
}

/*
 * Exchanges `code` at the token endpoint (RFC 6749 4.1.3 + PKCE), with
 * client_secret_basic or client_secret_post. RC_UPSTREAM with *why set
 * when the provider refuses or answers nonsense.
 */
enum rc
token_exchange(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *code,
    const char *verifier, struct token_set *out, const char **why)
{
	struct http_request rq = {
		.url = m->token_endpoint, .headers = { "Accept: application/json" },
		.max_body = TOKEN_BODY_MAX, .log_name = "token",
	};
	const char *id, *secret;
	struct buf form;
	json_t *j;
	long status;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	rq.public_only = instance != NULL && mastodon_public_only(p);
	rc = client_credentials(ctx, a, p, instance, &id, &secret);
	if (rc != RC_OK) {
		*why = "client credentials unavailable";
		return rc;
	}
	buf_init(&form, 16 * 1024);
	rc = form_pair(&form, "grant_type", "authorization_code");
	if (rc == RC_OK)
		rc = form_pair(&form, "code", code);
	if (rc == RC_OK)
		rc = form_pair(&form, "redirect_uri", provider_redirect_uri(ctx, a, p));
	if (rc == RC_OK && verifier != NULL)
		rc = form_pair(&form, "code_verifier", verifier);
	if (rc == RC_OK && (secret == NULL || !use_basic(p, m))) {
		rc = form_pair(&form, "client_id", id);
		if (rc == RC_OK && secret != NULL)
			rc = form_pair(&form, "client_secret", secret);
	} else if (rc == RC_OK) {
		/* RFC 6749 2.3.1: both parts form-encoded before Basic encoding. */
		rq.basic_user = form_encoded(a, id);
		rq.basic_pass = form_encoded(a, secret);
		if (rq.basic_user == NULL || rq.basic_pass == NULL)
			rc = RC_NOMEM;
	}
	if (rc == RC_OK && (rq.form = arena_strndup(a, form.data, form.len)) == NULL)
		rc = RC_NOMEM;
	OPENSSL_cleanse(form.data, form.len);
	buf_fini(&form);
	if (rc != RC_OK)
		return rc;
	rc = oauth_fetch_json(ctx, a, &rq, &status, &j);
	if (rc == RC_OK && !json_is_object(j))
		rc = RC_UPSTREAM;
	if (rc != RC_OK) {
		*why = "token endpoint unreachable or not JSON";
		return rc == RC_TIMEOUT ? rc : RC_UPSTREAM;
	}
	return read_tokens(a, p, j, status, out, why);
}

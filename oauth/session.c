/* session: the stateless session cookie, sealed with AES-256-GCM. */
#include "oauth/oauth_int.h"

#include <string.h>

#include "fcgi/config.h"
#include "util/buf.h"
#include "util/jsonutil.h"
#include "util/url.h"

#define SESSION_AAD "socialhub-session-v1"
#define SESSION_VALUE_MAX 4096

static void
json_release(void *p)
{
	json_decref(p);
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static const char *
utf8_cut(struct arena *a, const char *s, size_t max)
{
	size_t n;

	if (s == NULL || strlen(s) <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return arena_strndup(a, s, n);
}

/* A URL is kept whole or not at all: a truncated URL is a broken one. */
static const char *
url_or_null(const char *s)
{
	return s != NULL && strlen(s) <= SESSION_URL_MAX ? s : NULL;
}

/* The session JSON with short keys; NULL when a value is not valid UTF-8. */
static json_t *
session_json(const char *provider, const struct profile *p, time_t now, long lifetime)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:b, s:I, s:I}", "v", 1, "p", provider,
	    "s", p->sub, "ev", p->email != NULL && p->email_verified,
	    "iat", (json_int_t)now, "exp", (json_int_t)(now + lifetime));

	if (o == NULL)
		return NULL;
	if (jsonutil_set_str(o, "n", p->name, JSONUTIL_NONEMPTY) != RC_OK ||
	    jsonutil_set_str(o, "e", p->email, JSONUTIL_NONEMPTY) != RC_OK ||
	    jsonutil_set_str(o, "pi", p->picture, JSONUTIL_NONEMPTY) != RC_OK ||
	    jsonutil_set_str(o, "pu", p->profile_url, JSONUTIL_NONEMPTY) != RC_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static enum rc
seal_json(const struct oauth_ctx *ctx, json_t *o, struct buf *out)
{
	char *text = json_dumps(o, JSON_COMPACT);
	enum rc rc;

	if (text == NULL)
		return RC_NOMEM;
	buf_clear(out);
	rc = keyring_seal(&ctx->session_keys, SESSION_AAD, text, out);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}

/*
 * Seals a new session for provider + profile. Long fields are cut (name)
 * or dropped (email, URLs) so the cookie stays under 4 KB; a subject over
 * SESSION_SUB_MAX is refused (RC_LIMIT), as identity must never be cut.
 * *cookie_value is an arena string.
 */
enum rc
session_seal(const struct oauth_ctx *ctx, struct arena *a, const char *provider,
    const struct profile *in, time_t now, char **cookie_value)
{
	struct profile p = *in;
	size_t room = OAUTH_COOKIE_MAX - strlen(ctx->cookie_name) - 1;
	struct buf b;
	json_t *o;
	enum rc rc;

	if (p.sub == NULL || *p.sub == '\0' || strlen(p.sub) > SESSION_SUB_MAX)
		return RC_LIMIT;
	p.name = utf8_cut(a, p.name, SESSION_NAME_MAX);
	if (p.email != NULL && strlen(p.email) > SESSION_EMAIL_MAX)
		p.email = NULL;
	p.picture = url_or_null(p.picture);
	p.profile_url = url_or_null(p.profile_url);
	buf_init(&b, 2 * SESSION_VALUE_MAX);
	for (int attempt = 0; attempt < 3; attempt++) {
		o = session_json(provider, &p, now, ctx->lifetime);
		if (o == NULL) {
			rc = RC_INVALID;
			break;
		}
		rc = seal_json(ctx, o, &b);
		json_decref(o);
		if (rc != RC_OK || b.len <= room)
			break;
		/* Still too big: give up the optional parts, pictures first. */
		rc = RC_LIMIT;
		if (attempt == 0)
			p.picture = NULL;
		else
			p.profile_url = NULL;
	}
	if (rc == RC_OK) {
		*cookie_value = arena_strndup(a, b.data, b.len);
		if (*cookie_value == NULL)
			rc = RC_NOMEM;
	}
	buf_fini(&b);
	return rc;
}

static bool
provider_known(const struct oauth_ctx *ctx, const char *id)
{
	for (size_t i = 0; i < ctx->nproviders; i++)
		if (provider_id_equal(ctx->providers[i].id, id))
			return true;
	return false;
}

/* Fills out from the opened JSON; RC_CRYPTO for anything unexpected,
 * RC_NOMEM when a copy fails. */
static enum rc
session_fields(const struct oauth_ctx *ctx, struct arena *a, const json_t *o,
    time_t now, struct identity *out)
{
	const json_t *v = json_object_get(o, "v"), *ev = json_object_get(o, "ev");
	const json_t *iat = json_object_get(o, "iat"), *exp = json_object_get(o, "exp");
	enum rc err = RC_OK;

	if (!json_is_integer(v) || json_integer_value(v) != 1 || !json_is_integer(iat) ||
	    !json_is_integer(exp) || (ev != NULL && !json_is_boolean(ev)))
		return RC_CRYPTO;
	out->issued_at = json_integer_value(iat);
	out->expires_at = json_integer_value(exp);
	if (out->expires_at <= now || out->issued_at > now + OAUTH_SKEW ||
	    now >= out->issued_at + ctx->lifetime)
		return RC_UNAUTH;
	/* Every member is optional here, but a string when present. */
	out->provider = jsonutil_str(a, o, "p", JSONUTIL_TYPED, &err);
	out->sub = jsonutil_str(a, o, "s", JSONUTIL_TYPED, &err);
	out->name = jsonutil_str(a, o, "n", JSONUTIL_TYPED, &err);
	out->email = jsonutil_str(a, o, "e", JSONUTIL_TYPED, &err);
	out->email_verified = out->email != NULL && json_is_true(ev);
	out->picture = jsonutil_str(a, o, "pi", JSONUTIL_TYPED, &err);
	out->profile_url = jsonutil_str(a, o, "pu", JSONUTIL_TYPED, &err);
	if (err == RC_NOMEM)
		return RC_NOMEM;
	if (err != RC_OK || out->provider == NULL || out->sub == NULL || *out->sub == '\0')
		return RC_CRYPTO;
	/* A session from a provider no longer configured is not honoured. */
	if (!provider_known(ctx, out->provider))
		return RC_UNAUTH;
	return RC_OK;
}

/*
 * Opens a session cookie value. RC_CRYPTO for tampered, truncated, foreign
 * or oversize values, RC_UNAUTH for expired ones; never anything else for
 * bad input. Strings in *out live in the arena.
 */
enum rc
session_open(const struct oauth_ctx *ctx, struct arena *a, const char *value,
    time_t now, struct identity *out)
{
	char *plain;
	json_t *o;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if (value == NULL || strlen(value) > SESSION_VALUE_MAX)
		return RC_CRYPTO;
	rc = keyring_open(&ctx->session_keys, a, SESSION_AAD, value, &plain);
	if (rc != RC_OK)
		return rc;
	o = json_loads(plain, JSON_REJECT_DUPLICATES, NULL);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return RC_CRYPTO;
	}
	if (arena_defer(a, json_release, o) != RC_OK)
		return RC_NOMEM;
	rc = session_fields(ctx, a, o, now, out);
	if (rc != RC_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/*
 * Adds a Set-Cookie header: Path=/, HttpOnly, Secure when the site is
 * HTTPS, the given SameSite. max_age 0 deletes the cookie.
 */
enum rc
oauth_set_cookie(const struct oauth_ctx *ctx, struct response *res, const char *name,
    const char *value, long max_age, const char *samesite)
{
	struct buf b;
	enum rc rc;

	buf_init(&b, 2 * SESSION_VALUE_MAX);
	rc = buf_appendf(&b, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=%s", name,
	    value, max_age, samesite);
	if (rc == RC_OK && max_age == 0)
		rc = buf_appends(&b, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
	if (rc == RC_OK && (ctx->secure || strcmp(samesite, "None") == 0))
		rc = buf_appends(&b, "; Secure");
	if (rc == RC_OK)
		rc = response_header(res, "Set-Cookie", buf_cstr(&b));
	buf_fini(&b);
	return rc;
}

/*
 * A per-worker cache of opened sessions: a browser sends the same cookie
 * with every request, and nginx asks /auth/check for each of them. The key
 * is SHA-256 of the cookie value (never the value: comparing digests leaks
 * nothing usable through timing); the time rules are checked on every hit.
 */
static void
entry_clear(struct session_cache_entry *e)
{
	free(e->provider);
	free(e->sub);
	free(e->name);
	free(e->email);
	free(e->picture);
	free(e->profile_url);
	memset(e, 0, sizeof(*e));
}

void
session_cache_free(struct oauth_ctx *ctx)
{
	if (ctx->session_cache == NULL)
		return;
	for (size_t i = 0; i < SESSION_CACHE_SIZE; i++)
		entry_clear(&ctx->session_cache[i]);
	free(ctx->session_cache);
	ctx->session_cache = NULL;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
cache_put(struct oauth_ctx *ctx, const unsigned char *digest, const struct identity *id)
{
	struct session_cache_entry *e;

	if (ctx->session_cache == NULL &&
	    (ctx->session_cache = calloc(SESSION_CACHE_SIZE, sizeof(*e))) == NULL)
		return;
	e = &ctx->session_cache[digest[0] % SESSION_CACHE_SIZE];
	entry_clear(e);
	memcpy(e->digest, digest, sizeof(e->digest));
	e->provider = dup_or_null(id->provider);
	e->sub = dup_or_null(id->sub);
	e->name = dup_or_null(id->name);
	e->email = dup_or_null(id->email);
	e->picture = dup_or_null(id->picture);
	e->profile_url = dup_or_null(id->profile_url);
	e->email_verified = id->email_verified;
	e->issued_at = id->issued_at;
	e->expires_at = id->expires_at;
	e->used = e->provider != NULL && e->sub != NULL;
}

/* RC_OK with *out filled from the cache; RC_NOTFOUND on a miss. */
static enum rc
cache_get(const struct oauth_ctx *ctx, struct arena *a, const unsigned char *digest,
    time_t now, struct identity *out)
{
	const struct session_cache_entry *e;

	if (ctx->session_cache == NULL)
		return RC_NOTFOUND;
	e = &ctx->session_cache[digest[0] % SESSION_CACHE_SIZE];
	if (!e->used || memcmp(e->digest, digest, sizeof(e->digest)) != 0)
		return RC_NOTFOUND;
	if (e->expires_at <= now || e->issued_at > now + OAUTH_SKEW ||
	    now >= e->issued_at + ctx->lifetime)
		return RC_UNAUTH;
	out->name = e->name != NULL ? arena_strdup(a, e->name) : NULL;
	out->email = e->email != NULL ? arena_strdup(a, e->email) : NULL;
	out->picture = e->picture != NULL ? arena_strdup(a, e->picture) : NULL;
	out->profile_url = e->profile_url != NULL ? arena_strdup(a, e->profile_url) : NULL;
	out->provider = arena_strdup(a, e->provider);
	out->sub = arena_strdup(a, e->sub);
	out->email_verified = e->email_verified;
	out->issued_at = e->issued_at;
	out->expires_at = e->expires_at;
	return out->provider != NULL && out->sub != NULL ? RC_OK : RC_NOMEM;
}

/* identity->binding: the cookie's digest, base64url (the cache's key, so
 * every worker and node computes the same one for a session). */
static enum rc
session_binding(struct arena *a, const unsigned char digest[CRYPTO_SHA256_LEN],
    struct identity *out)
{
	struct buf b;
	enum rc rc;

	buf_init(&b, 64);
	rc = crypto_b64url_encode(&b, digest, CRYPTO_SHA256_LEN);
	if (rc == RC_OK && (out->binding = arena_strndup(a, b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

/* The identify hook: who does the session cookie say is signed in? */
enum rc
session_identify(void *vctx, struct request *req, struct identity *out)
{
	struct oauth_ctx *ctx = vctx;
	unsigned char digest[CRYPTO_SHA256_LEN];
	time_t now;
	const char *value;
	enum rc rc;

	if (ctx == NULL || ctx->session_keys.n == 0)
		return RC_UNAUTH;
	value = request_cookie(req, ctx->cookie_name);
	if (value == NULL || strlen(value) > SESSION_VALUE_MAX)
		return RC_UNAUTH;
	now = ctx->now();
	crypto_sha256(value, strlen(value), digest);
	rc = cache_get(ctx, request_arena(req), digest, now, out);
	if (rc == RC_NOTFOUND) {
		rc = session_open(ctx, request_arena(req), value, now, out);
		if (rc == RC_OK)
			cache_put(ctx, digest, out);
	}
	return rc == RC_OK ? session_binding(request_arena(req), digest, out) : rc;
}

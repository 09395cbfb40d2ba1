/* discovery: provider metadata and JWKS, cached per process, refetched with care. */
#include "oauth/oauth_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "util/log.h"
#include "util/url.h"

#define META_BODY_MAX (256u * 1024)
#define JWKS_KEYS_MAX 100

static void
json_release(void *p)
{
	json_decref(p);
}

static bool
host_is_loopback(const char *h)
{
	return strcmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 ||
	    strncmp(h, "127.", 4) == 0;
}

/*
 * True for an absolute https URL without userinfo or fragment; plain http
 * only to a loopback host (local test and demo providers).
 */
bool
oauth_url_ok(const char *s)
{
	struct arena *a = arena_new(1024, 0);
	struct url u;
	bool ok;

	if (a == NULL || s == NULL) {
		arena_free(a);
		return false;
	}
	ok = url_parse(a, s, &u) == RC_OK && u.userinfo == NULL && u.fragment == NULL &&
	    (strcmp(u.scheme, "https") == 0 || host_is_loopback(u.host));
	arena_free(a);
	return ok;
}

/*
 * Performs rq and parses a JSON body (released with the arena). RC_OK with
 * *out set whenever the body is JSON, whatever the status (error bodies are
 * JSON too; callers check the type); RC_UPSTREAM when it is not JSON.
 */
enum rc
oauth_fetch_json(struct oauth_ctx *ctx, struct arena *a, const struct http_request *rq,
    long *status, json_t **out)
{
	struct http_response rs;
	json_t *j;
	enum rc rc;

	*out = NULL;
	rc = http_perform(ctx->http, a, rq, &rs);
	*status = rs.status;
	if (rc != RC_OK)
		return rc == RC_INVALID ? RC_UPSTREAM : rc;
	j = json_loadb(rs.body, rs.body_len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return RC_UPSTREAM;
	if (arena_defer(a, json_release, j) != RC_OK)
		return RC_NOMEM;
	*out = j;
	return RC_OK;
}

struct provider_cache *
provider_cache_for(struct provider *p, const char *instance)
{
	if (instance != NULL) {
		for (size_t i = 0; i < p->ninstances_cache; i++)
			if (strcmp(p->instances_cache[i].host, instance) == 0)
				return &p->instances_cache[i].cache;
		return NULL;
	}
	return &p->cache;
}

void
discovery_meta_clear(struct provider_meta *m)
{
	free(m->issuer);
	free(m->authorization_endpoint);
	free(m->token_endpoint);
	free(m->userinfo_endpoint);
	free(m->jwks_uri);
	free(m->end_session_endpoint);
	memset(m, 0, sizeof(*m));
}

static char *
sdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A configured value wins over a discovered one; both must be good URLs. */
static enum rc
pick_url(const char *conf, const json_t *doc, const char *key, bool required,
    char **out, const char *provider)
{
	const char *v = conf;

	if (v == NULL && doc != NULL)
		v = json_string_value(json_object_get(doc, key));
	if (v == NULL) {
		if (!required)
			return RC_OK;
		log_kv(LOG_WARN, "discovery_missing", "provider", provider, "key", key, NULL);
		return RC_UPSTREAM;
	}
	if (!oauth_url_ok(v)) {
		log_kv(LOG_WARN, "discovery_bad_url", "provider", provider, "key", key, NULL);
		return RC_UPSTREAM;
	}
	*out = strdup(v);
	return *out != NULL ? RC_OK : RC_NOMEM;
}

static bool
array_has(const json_t *arr, const char *v)
{
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), v) == 0)
			return true;
	return false;
}

/* Fills m from the configured endpoints and (when given) the discovery doc. */
static enum rc
meta_build(struct provider *p, const json_t *doc, struct provider_meta *m)
{
	const struct provider_meta *c = &p->conf;
	const json_t *methods = doc ? json_object_get(doc, "token_endpoint_auth_methods_supported") : NULL;
	const json_t *pkce = doc ? json_object_get(doc, "code_challenge_methods_supported") : NULL;
	bool oidc = p->kind == KIND_OIDC;
	enum rc rc;

	memset(m, 0, sizeof(*m));
	m->issuer = sdup(p->issuer);
	rc = pick_url(c->authorization_endpoint, doc, "authorization_endpoint", true,
	    &m->authorization_endpoint, p->id);
	if (rc == RC_OK)
		rc = pick_url(c->token_endpoint, doc, "token_endpoint", true, &m->token_endpoint, p->id);
	if (rc == RC_OK)
		rc = pick_url(c->userinfo_endpoint, doc, "userinfo_endpoint", p->kind == KIND_OAUTH2,
		    &m->userinfo_endpoint, p->id);
	if (rc == RC_OK)
		rc = pick_url(c->jwks_uri, doc, "jwks_uri", oidc, &m->jwks_uri, p->id);
	if (rc == RC_OK)
		rc = pick_url(c->end_session_endpoint, doc, "end_session_endpoint", false,
		    &m->end_session_endpoint, p->id);
	if (rc != RC_OK) {
		discovery_meta_clear(m);
		return rc;
	}
	m->iss_param_required = doc != NULL &&
	    json_is_true(json_object_get(doc, "authorization_response_iss_parameter_supported"));
	/* RFC 8414: without the list, client_secret_basic is the default. */
	m->basic_ok = !json_is_array(methods) || array_has(methods, "client_secret_basic");
	m->post_ok = !json_is_array(methods) || array_has(methods, "client_secret_post");
	m->s256_ok = !json_is_array(pkce) || array_has(pkce, "S256");
	return RC_OK;
}

static enum rc
fetch_discovery(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    struct provider_meta *m)
{
	struct http_request rq = {
		.url = p->discovery_url, .headers = { "Accept: application/json" },
		.max_body = META_BODY_MAX, .log_name = "discovery",
	};
	const char *iss;
	long status;
	json_t *doc;
	enum rc rc = oauth_fetch_json(ctx, a, &rq, &status, &doc);

	if (rc == RC_OK && (status != 200 || !json_is_object(doc)))
		rc = RC_UPSTREAM;
	if (rc != RC_OK)
		return rc;
	iss = json_string_value(json_object_get(doc, "issuer"));
	if (iss == NULL || strcmp(iss, p->issuer) != 0) {
		/* OpenID Connect Discovery 4.3: the issuer must match exactly. */
		log_kv(LOG_ERROR, "discovery_issuer_mismatch", "provider", p->id,
		    "expected", p->issuer, "got", iss, NULL);
		return RC_UPSTREAM;
	}
	return meta_build(p, doc, m);
}

/*
 * The endpoints in effect for provider p (Mastodon: for that instance),
 * from the per-process cache, discovering when stale (hourly). A failed
 * refresh keeps serving the last good copy and retries a minute later.
 * RC_UPSTREAM when nothing usable is known.
 */
enum rc
discovery_meta(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const char *instance, const struct provider_meta **out)
{
	struct provider_cache *c = provider_cache_for(p, instance);
	time_t now = ctx->now();
	struct provider_meta fresh;
	enum rc rc;

	if (c == NULL)
		return RC_INTERNAL;
	if (c->meta_loaded && (p->discovery_url == NULL || instance != NULL ||
	    now - c->meta_fetched < OAUTH_META_TTL || now < c->meta_retry_at)) {
		*out = &c->meta;
		return RC_OK;
	}
	if (p->discovery_url == NULL || instance != NULL)
		rc = RC_INTERNAL; /* static and Mastodon metadata are set when built */
	else
		rc = fetch_discovery(ctx, a, p, &fresh);
	if (rc != RC_OK) {
		c->meta_retry_at = now + OAUTH_META_RETRY;
		if (!c->meta_loaded)
			return rc == RC_NOMEM ? rc : RC_UPSTREAM;
		*out = &c->meta;
		return RC_OK;
	}
	discovery_meta_clear(&c->meta);
	c->meta = fresh;
	c->meta_loaded = true;
	c->meta_fetched = now;
	*out = &c->meta;
	return RC_OK;
}

/* Static providers: metadata straight from the config (once per process). */
enum rc
discovery_static(struct provider *p)
{
	struct provider_meta m;
	enum rc rc;

	if (p->discovery_url != NULL || (p->flags & PRESET_MASTODON))
		return RC_OK;
	rc = meta_build(p, NULL, &m);
	if (rc != RC_OK)
		return rc;
	m.s256_ok = p->pkce;
	discovery_meta_clear(&p->cache.meta);
	p->cache.meta = m;
	p->cache.meta_loaded = true;
	return RC_OK;
}

/*
 * With a store, the limit holds for every node: one single-use value per
 * provider and minute (a fixed window, so two fetches may come a few
 * seconds apart across its edge). When the store is down this node's own
 * limit below still bounds the fetches.
 */
static enum rc
forced_fetch_shared(struct oauth_ctx *ctx, const struct provider *p, time_t now)
{
	char key[160];

	snprintf(key, sizeof(key), "oauth:jwks:%s:%lld", p->id,
	    (long long)(now / OAUTH_JWKS_REFETCH_MIN));
	return store_once(ctx->store, key, 2 * OAUTH_JWKS_REFETCH_MIN);
}

/*
 * A cross-process rate limit for forced JWKS fetches: the mtime of a stamp
 * file in state_dir (or the shared store). True (and the stamp renewed)
 * when a fetch may go.
 */
static bool
forced_fetch_allowed(struct oauth_ctx *ctx, const struct provider *p, time_t now)
{
	char path[4096];
	struct stat st;
	enum rc rc;
	int fd;

	if (ctx->store != NULL) {
		rc = forced_fetch_shared(ctx, p, now);
		if (rc == RC_OK || rc == RC_FORBIDDEN)
			return rc == RC_OK;
	}
	snprintf(path, sizeof(path), "%s/jwks-%s.stamp", ctx->oauth_dir, p->id);
	if (stat(path, &st) == 0 && now - st.st_mtime < OAUTH_JWKS_REFETCH_MIN &&
	    st.st_mtime <= now)
		return false;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT) {
		fsutil_mkdirs(ctx->oauth_dir, 0700);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (fd >= 0) {
		struct timespec ts[2] = { { .tv_sec = now }, { .tv_sec = now } };
		futimens(fd, ts);
		close(fd);
	}
	return true;
}

static enum rc
fetch_jwks(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    const char *uri, json_t **keys)
{
	struct http_request rq = {
		.url = uri, .headers = { "Accept: application/json, application/jwk-set+json" },
		.max_body = META_BODY_MAX, .log_name = "jwks",
	};
	json_t *doc, *arr;
	long status;
	enum rc rc = oauth_fetch_json(ctx, a, &rq, &status, &doc);

	if (rc == RC_OK && status != 200)
		rc = RC_UPSTREAM;
	if (rc != RC_OK)
		return rc;
	arr = json_object_get(doc, "keys");
	if (!json_is_array(arr) || json_array_size(arr) > JWKS_KEYS_MAX) {
		log_kv(LOG_WARN, "jwks_invalid", "provider", p->id, NULL);
		return RC_UPSTREAM;
	}
	*keys = json_incref(arr);
	return RC_OK;
}

/*
 * The provider's signing keys. Fetched when absent or older than an hour;
 * `force` (an unknown kid) refetches at most once a minute per provider
 * (per process, and across processes through a stamp file), so a flood of
 * tokens with made-up kids cannot turn into a flood of fetches.
 */
enum rc
discovery_jwks(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, bool force, const json_t **keys)
{
	struct provider_cache *c = &p->cache;
	time_t now = ctx->now();
	bool stale = c->jwks == NULL || now - c->jwks_fetched >= OAUTH_META_TTL;
	json_t *fresh = NULL;
	enum rc rc;

	*keys = c->jwks;
	if (m->jwks_uri == NULL)
		return RC_UPSTREAM;
	if (!stale && !force)
		return RC_OK;
	if (now < c->jwks_retry_at)
		return c->jwks != NULL ? RC_OK : RC_UPSTREAM;
	if (force && !stale && (now - c->jwks_fetched < OAUTH_JWKS_REFETCH_MIN ||
	    !forced_fetch_allowed(ctx, p, now))) {
		log_kv(LOG_DEBUG, "jwks_refetch_limited", "provider", p->id, NULL);
		return RC_OK;
	}
	rc = fetch_jwks(ctx, a, p, m->jwks_uri, &fresh);
	if (rc != RC_OK) {
		c->jwks_retry_at = now + OAUTH_META_RETRY;
		return c->jwks != NULL ? RC_OK : RC_UPSTREAM;
	}
	json_decref(c->jwks);
	c->jwks = fresh;
	c->jwks_fetched = now;
	*keys = c->jwks;
	return RC_OK;
}

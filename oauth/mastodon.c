/* mastodon: per-instance app registration, cached in state_dir. */
#include "oauth/oauth_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fcgi/config.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/url.h"

#define INSTANCES_MAX 64
#define APP_FILE_MAX (16u * 1024)

/*
 * A visitor-typed instance: a DNS name with at least one dot, lower-case
 * letters, digits and hyphens only, no IP literal, no port, no "localhost".
 */
bool
mastodon_host_valid(const char *h)
{
	return url_host_name_ok(h, false) && strlen(h) >= 3 && strchr(h, '.') != NULL &&
	    !url_host_is_ip(h);
}

/*
 * Visitor-chosen instances may only resolve to public addresses (no SSRF
 * into the admin's network); an admin-set api_base is trusted.
 */
bool
mastodon_public_only(const struct provider *p)
{
	return p->api_base == NULL;
}

/* https://host, unless api_base sends every instance to a test server. */
const char *
mastodon_base(struct arena *a, const struct provider *p, const char *host)
{
	if (p->api_base != NULL)
		return p->api_base;
	return arena_printf(a, "https://%s", host);
}

static char *
join(const char *base, const char *path)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s", base, path) < 0)
		return NULL;
	return s;
}

/* Milliseconds left of a registration's budget (monotonic clock). */
static long
budget_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* RFC 8414 metadata (Mastodon 4.3+): PKCE S256 and the "profile" scope.
 * At most MASTODON_PROBE_MS of the budget: a silent instance is an old one. */
static void
probe_metadata(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    const char *base, const struct timespec *deadline, bool *s256, bool *profile)
{
	long left = budget_left(deadline);
	struct http_request rq = {
		.url = arena_printf(a, "%s/.well-known/oauth-authorization-server", base),
		.headers = { "Accept: application/json" }, .max_body = 256 * 1024,
		.log_name = "mastodon_metadata", .public_only = mastodon_public_only(p),
		.total_ms = left < MASTODON_PROBE_MS ? left : MASTODON_PROBE_MS,
	};
	json_t *doc, *v;
	long status;
	size_t i;

	*s256 = false;
	*profile = false;
	rq.connect_ms = rq.total_ms;
	if (rq.url == NULL || rq.total_ms <= 0 ||
	    oauth_fetch_json(ctx, a, &rq, &status, &doc) != RC_OK ||
	    status != 200 || !json_is_object(doc))
		return; /* older instances: 404, fall back to read:accounts */
	json_array_foreach(json_object_get(doc, "code_challenge_methods_supported"), i, v)
		*s256 |= json_is_string(v) && strcmp(json_string_value(v), "S256") == 0;
	json_array_foreach(json_object_get(doc, "scopes_supported"), i, v)
		*profile |= json_is_string(v) && strcmp(json_string_value(v), "profile") == 0;
}

static char *
app_path(struct oauth_ctx *ctx, struct arena *a, const char *host)
{
	return arena_printf(a, "%s/mastodon/%s.json", ctx->oauth_dir, host);
}

/* The registered app from state_dir, if it matches our redirect and scopes. */
static enum rc
app_read(const char *path, const char *redirect, json_t **out)
{
	char *data;
	size_t len;
	json_t *j;

	*out = NULL;
	if (fsutil_read(path, APP_FILE_MAX, &data, &len) != RC_OK)
		return RC_NOTFOUND;
	j = json_loadb(data, len, 0, NULL);
	OPENSSL_cleanse(data, len);
	free(data);
	/* A corrupt or stale file is treated as missing and rebuilt. */
	if (!json_is_object(j) || json_string_value(json_object_get(j, "client_id")) == NULL ||
	    json_string_value(json_object_get(j, "client_secret")) == NULL ||
	    json_string_value(json_object_get(j, "scopes")) == NULL ||
	    json_string_value(json_object_get(j, "redirect_uri")) == NULL ||
	    strcmp(json_string_value(json_object_get(j, "redirect_uri")), redirect) != 0) {
		json_decref(j);
		return RC_NOTFOUND;
	}
	*out = j;
	return RC_OK;
}

/* Writes an app record to path atomically (0600); the secret is wiped
 * from the serialized copy. */
static enum rc
app_write(const char *path, const json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT);
	enum rc rc;

	rc = text != NULL ? fsutil_write_atomic(path, text, strlen(text), 0600) : RC_NOMEM;
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	if (rc != RC_OK)
		log_kv(LOG_ERROR, "mastodon_app_write_failed", "path", path, NULL);
	return rc;
}

/* ---- registrations in the shared store: one per instance per cluster ---- */

static void
app_key(char *out, size_t n, const char *host)
{
	snprintf(out, n, "oauth:mastodon:app:%s", host);
}

/* Puts rec for every node, for as long as the file would live: unused
 * ones expire with the pending window, used ones after idling. */
static void
app_share(struct oauth_ctx *ctx, const char *host, const json_t *rec)
{
	char k[STORE_KEY_MAX / 2], *text;
	bool used = json_integer_value(json_object_get(rec, "last_login")) > 0;

	if (ctx->store == NULL || (text = json_dumps(rec, JSON_COMPACT)) == NULL)
		return;
	app_key(k, sizeof(k), host);
	if (store_set(ctx->store, k, text, strlen(text),
	    used ? MASTODON_APP_IDLE_TTL : MASTODON_APP_PENDING_TTL) != RC_OK)
		log_kv(LOG_WARN, "mastodon_app_share_failed", "instance", host, NULL);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
}

/*
 * The registration another node made for host, copied to this node's
 * file (its cache). RC_NOTFOUND when there is none (or it was made for
 * another redirect URI), RC_UNAVAILABLE when the store is down.
 */
static enum rc
app_shared(struct oauth_ctx *ctx, struct arena *a, const char *host, const char *redirect,
    const char *path, json_t **out)
{
	char k[STORE_KEY_MAX / 2], *v = NULL;
	size_t n;
	enum rc rc;

	*out = NULL;
	if (ctx->store == NULL)
		return RC_NOTFOUND;
	app_key(k, sizeof(k), host);
	if ((rc = store_get(ctx->store, k, &v, &n)) != RC_OK)
		return rc;
	rc = fsutil_mkdirs(mastodon_reg_dir(ctx, a), 0700);
	if (rc == RC_OK)
		rc = fsutil_write_atomic(path, v, n, 0600);
	OPENSSL_cleanse(v, n);
	free(v);
	if (rc != RC_OK)
		return rc;
	return app_read(path, redirect, out);
}

/* Marks the app in use: a login is starting with it, so the sweep of
 * unused registrations (mastodon_reg.c, by mtime) leaves it alone. */
static void
app_touch(struct oauth_ctx *ctx, const char *path)
{
	struct timespec ts[2] = { { .tv_sec = ctx->now() }, { .tv_sec = ctx->now() } };

	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static enum rc
form_add(struct buf *b, const char *name, const char *value)
{
	enum rc rc = buf_appendf(b, "%s%s=", b->len > 0 ? "&" : "", name);

	return rc == RC_OK ? url_encode(b, value, strlen(value)) : rc;
}

/* What one registration sends and stores. */
struct app_reg {
	const char *base;
	const char *scopes;
	bool s256;
	const char *path;
	const struct timespec *deadline;
};

/* POST /api/v1/apps within what is left of the budget; stores the answer. */
static enum rc
app_register(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct app_reg *r, json_t **out)
{
	struct http_request rq = {
		.url = arena_printf(a, "%s/api/v1/apps", r->base),
		.headers = { "Accept: application/json" }, .max_body = 64 * 1024,
		.log_name = "mastodon_register", .public_only = mastodon_public_only(p),
		.total_ms = budget_left(r->deadline),
	};
	json_t *j, *rec;
	struct buf form;
	long status;
	enum rc rc;

	if (rq.total_ms <= 0) {
		log_kv(LOG_WARN, "mastodon_register_failed", "base", r->base, "error", "budget spent", NULL);
		return RC_TIMEOUT;
	}
	rq.connect_ms = rq.total_ms;
	buf_init(&form, 8192);
	rc = form_add(&form, "client_name", p->display_name);
	if (rc == RC_OK)
		rc = form_add(&form, "redirect_uris", p->redirect_uri);
	if (rc == RC_OK)
		rc = form_add(&form, "scopes", r->scopes);
	if (rc == RC_OK)
		rc = form_add(&form, "website", ctx->cfg->site_url);
	rq.form = arena_strdup(a, buf_cstr(&form));
	buf_fini(&form);
	if (rc != RC_OK || rq.url == NULL || rq.form == NULL)
		return rc != RC_OK ? rc : RC_NOMEM;
	rc = oauth_fetch_json(ctx, a, &rq, &status, &j);
	if (rc != RC_OK || status != 200 || !json_is_object(j) ||
	    json_string_value(json_object_get(j, "client_id")) == NULL ||
	    json_string_value(json_object_get(j, "client_secret")) == NULL) {
		log_kv(LOG_WARN, "mastodon_register_failed", "base", r->base, "error", rc_str(rc), NULL);
		return rc == RC_TIMEOUT ? RC_TIMEOUT : RC_UPSTREAM;
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "client_id",
	    json_string_value(json_object_get(j, "client_id")), "client_secret",
	    json_string_value(json_object_get(j, "client_secret")), "redirect_uri",
	    p->redirect_uri, "scopes", r->scopes, "pkce", r->s256, "registered_at",
	    (json_int_t)ctx->now());
	rc = rec != NULL ? app_write(r->path, rec) : RC_NOMEM;
	if (rc != RC_OK) {
		json_decref(rec);
		return rc;
	}
	*out = rec;
	return RC_OK;
}

/* Probe and register under one budget of MASTODON_REG_BUDGET_MS. */
static enum rc
app_new(struct oauth_ctx *ctx, struct arena *a, struct provider *p, const char *base,
    const char *path, json_t **out)
{
	struct timespec deadline;
	struct app_reg r = { .base = base, .scopes = p->scopes, .path = path, .deadline = &deadline };
	bool profile;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += MASTODON_REG_BUDGET_MS / 1000;
	deadline.tv_nsec += (MASTODON_REG_BUDGET_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	/* What the instance supports decides the scope we register for. */
	probe_metadata(ctx, a, p, base, &deadline, &r.s256, &profile);
	if (profile && strcmp(p->scopes, p->preset->scopes) == 0)
		r.scopes = "profile";
	return app_register(ctx, a, p, &r, out);
}

/*
 * Finds or makes the app for q->host: the state_dir file, else a new
 * registration. A registration never waits for another: it needs the one
 * slot of the pool (RC_UNAVAILABLE when taken), passes the caps and the
 * client limit (mastodon_reg_admit), and runs under a total budget, so a
 * silent instance holds one worker for a few seconds and no more.
 */
static enum rc
app_for(struct oauth_ctx *ctx, struct arena *a, struct provider *p, const char *base,
    struct mastodon_query *q, json_t **out)
{
	char *path = app_path(ctx, a, q->host);
	enum rc rc;
	int slot;

	if (path == NULL)
		return RC_NOMEM;
	if (app_read(path, p->redirect_uri, out) == RC_OK ||
	    app_shared(ctx, a, q->host, p->redirect_uri, path, out) == RC_OK) {
		app_touch(ctx, path);
		return RC_OK;
	}
	rc = mastodon_reg_begin(ctx, a, q, &slot);
	if (rc != RC_OK)
		return rc;
	/* Another worker (or node) may have registered it while we looked. */
	rc = app_read(path, p->redirect_uri, out);
	if (rc != RC_OK)
		rc = app_shared(ctx, a, q->host, p->redirect_uri, path, out);
	if (rc != RC_OK) {
		rc = mastodon_reg_admit(ctx, a, p, q);
		if (rc == RC_OK)
			rc = app_new(ctx, a, p, base, path, out);
		if (rc == RC_OK) {
			app_share(ctx, q->host, *out);
			mastodon_reg_made(ctx, q->host);
		}
	}
	mastodon_reg_end(ctx, slot);
	return rc;
}

static bool
instance_allowed(const struct provider *p, const char *host)
{
	return p->any_instance || mastodon_listed(p, host);
}

bool
mastodon_listed(const struct provider *p, const char *host)
{
	for (size_t i = 0; i < p->ninstances; i++)
		if (strcmp(p->instances[i], host) == 0)
			return true;
	return false;
}

static void
instance_clear(struct instance_cache *ic)
{
	json_decref(ic->cache.jwks);
	free(ic->host);
	free(ic->client_id);
	if (ic->client_secret != NULL)
		OPENSSL_cleanse(ic->client_secret, strlen(ic->client_secret));
	free(ic->client_secret);
	free(ic->scopes);
	discovery_meta_clear(&ic->cache.meta);
	memset(ic, 0, sizeof(*ic));
}

static enum rc
instance_fill(struct instance_cache *ic, const char *host, const char *base,
    const json_t *app, bool s256)
{
	struct provider_meta *m = &ic->cache.meta;

	ic->host = strdup(host);
	ic->client_id = strdup(json_string_value(json_object_get(app, "client_id")));
	ic->client_secret = strdup(json_string_value(json_object_get(app, "client_secret")));
	ic->scopes = strdup(json_string_value(json_object_get(app, "scopes")));
	m->authorization_endpoint = join(base, "/oauth/authorize");
	m->token_endpoint = join(base, "/oauth/token");
	m->userinfo_endpoint = join(base, "/api/v1/accounts/verify_credentials");
	m->basic_ok = m->post_ok = true;
	m->s256_ok = s256;
	ic->cache.meta_loaded = true;
	if (ic->host == NULL || ic->client_id == NULL || ic->client_secret == NULL ||
	    ic->scopes == NULL || m->authorization_endpoint == NULL || m->token_endpoint == NULL ||
	    m->userinfo_endpoint == NULL)
		return RC_NOMEM;
	return RC_OK;
}

/* Drops entry i of this process's instance cache, keeping it dense. */
static void
instance_drop(struct provider *p, size_t i)
{
	size_t last = p->ninstances_cache - 1;

	instance_clear(&p->instances_cache[i]);
	if (i != last) {
		p->instances_cache[i] = p->instances_cache[last];
		memset(&p->instances_cache[last], 0, sizeof(p->instances_cache[last]));
	}
	p->ninstances_cache--;
}

/*
 * This process's entry for host, (re)filled from app when it holds
 * another app or none (the registration expired and was made again):
 * the disk is the truth every worker shares.
 */
static enum rc
instance_put(struct provider *p, const char *host, const char *base, const json_t *app,
    struct instance_cache **out)
{
	const char *id = json_string_value(json_object_get(app, "client_id"));
	struct instance_cache *ic;
	enum rc rc;

	for (size_t i = 0; i < p->ninstances_cache; i++) {
		if (strcmp(p->instances_cache[i].host, host) != 0)
			continue;
		if (strcmp(p->instances_cache[i].client_id, id) == 0) {
			*out = &p->instances_cache[i];
			return RC_OK;
		}
		instance_drop(p, i);
		break;
	}
	if (p->instances_cache == NULL) {
		p->instances_cache = calloc(INSTANCES_MAX, sizeof(*p->instances_cache));
		if (p->instances_cache == NULL)
			return RC_NOMEM;
	}
	/* Bounded: the oldest entry makes room (it is on disk anyway). */
	if (p->ninstances_cache == INSTANCES_MAX)
		instance_drop(p, 0);
	ic = &p->instances_cache[p->ninstances_cache++];
	rc = instance_fill(ic, host, base, app, json_is_true(json_object_get(app, "pkce")));
	if (rc != RC_OK) {
		instance_drop(p, p->ninstances_cache - 1);
		return rc;
	}
	*out = ic;
	return RC_OK;
}

/* This process's entry for host, NULL when it has none (no I/O). */
struct instance_cache *
mastodon_cached(struct provider *p, const char *host)
{
	for (size_t i = 0; i < p->ninstances_cache; i++)
		if (strcmp(p->instances_cache[i].host, host) == 0)
			return &p->instances_cache[i];
	return NULL;
}

/*
 * The registered app for a Mastodon instance, from state_dir or a new
 * registration, kept in this process's cache. RC_FORBIDDEN when q->host
 * is not a valid or allowed instance; RC_UNAVAILABLE (another registration
 * is in flight), RC_RATELIMIT (this client network registered enough),
 * RC_LIMIT (the caps), each with q->retry_after; RC_UPSTREAM or RC_TIMEOUT
 * when registration fails.
 */
enum rc
mastodon_instance(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    struct mastodon_query *q, struct instance_cache **out)
{
	const char *base;
	json_t *app = NULL;
	enum rc rc;

	q->retry_after = 0;
	if (!mastodon_host_valid(q->host) || !instance_allowed(p, q->host))
		return RC_FORBIDDEN;
	base = mastodon_base(a, p, q->host);
	if (base == NULL)
		return RC_NOMEM;
	rc = app_for(ctx, a, p, base, q, &app);
	if (rc != RC_OK)
		return rc;
	rc = instance_put(p, q->host, base, app, out);
	json_decref(app);
	return rc;
}

/*
 * After a sign-in through ic: records last_login (at most daily), which
 * keeps the registration past MASTODON_APP_PENDING_TTL. When the file is
 * gone (expired meanwhile) this process's copy is written back, since the
 * app works; when it holds another app, it is left alone.
 */
void
mastodon_app_used(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    const struct instance_cache *ic)
{
	char *path = app_path(ctx, a, ic->host);
	time_t now = ctx->now();
	json_t *rec = NULL;

	if (path == NULL)
		return;
	if (app_read(path, p->redirect_uri, &rec) == RC_OK) {
		if (strcmp(json_string_value(json_object_get(rec, "client_id")), ic->client_id) != 0 ||
		    now - json_integer_value(json_object_get(rec, "last_login")) < MASTODON_APP_TOUCH_MIN) {
			json_decref(rec);
			return;
		}
	} else {
		rec = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "client_id", ic->client_id,
		    "client_secret", ic->client_secret, "redirect_uri", p->redirect_uri,
		    "scopes", ic->scopes, "pkce", ic->cache.meta.s256_ok,
		    "registered_at", (json_int_t)now);
	}
	if (rec != NULL && json_object_set_new(rec, "last_login", json_integer(now)) == 0 &&
	    fsutil_mkdirs(mastodon_reg_dir(ctx, a), 0700) == RC_OK) {
		app_write(path, rec);
		app_share(ctx, ic->host, rec);   /* used: it lives on, everywhere */
	}
	json_decref(rec);
}

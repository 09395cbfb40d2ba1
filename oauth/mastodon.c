/* mastodon: per-instance app registration, cached in state_dir. */
#include "oauth/oauth_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/url.h"

#define INSTANCES_MAX 64
#define APPS_MAX 1000                /* registrations kept in state_dir */
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

/* RFC 8414 metadata (Mastodon 4.3+): PKCE S256 and the "profile" scope. */
static void
probe_metadata(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    const char *base, bool *s256, bool *profile)
{
	struct http_request rq = {
		.url = arena_printf(a, "%s/.well-known/oauth-authorization-server", base),
		.headers = { "Accept: application/json" }, .max_body = 256 * 1024,
		.log_name = "mastodon_metadata", .public_only = mastodon_public_only(p),
	};
	json_t *doc, *v;
	long status;
	size_t i;

	*s256 = false;
	*profile = false;
	if (rq.url == NULL || oauth_fetch_json(ctx, a, &rq, &status, &doc) != RC_OK ||
	    status != 200 || !json_is_object(doc))
		return; /* older instances: 404, fall back to read:accounts */
	json_array_foreach(json_object_get(doc, "code_challenge_methods_supported"), i, v)
		*s256 |= json_is_string(v) && strcmp(json_string_value(v), "S256") == 0;
	json_array_foreach(json_object_get(doc, "scopes_supported"), i, v)
		*profile |= json_is_string(v) && strcmp(json_string_value(v), "profile") == 0;
}

static char *
app_path(struct oauth_ctx *ctx, struct arena *a, const char *host, const char *ext)
{
	return arena_printf(a, "%s/mastodon/%s.%s", ctx->oauth_dir, host, ext);
}

/* The registered app from state_dir, if it matches our redirect and scopes. */
static enum rc
app_read(struct arena *a, const char *path, const char *redirect, json_t **out)
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
	(void)a;
	*out = j;
	return RC_OK;
}

static enum rc
form_add(struct buf *b, const char *name, const char *value)
{
	enum rc rc = buf_appendf(b, "%s%s=", b->len > 0 ? "&" : "", name);

	return rc == RC_OK ? url_encode(b, value, strlen(value)) : rc;
}

/* POST /api/v1/apps; writes the answer to path atomically (0600). */
static enum rc
app_register(struct oauth_ctx *ctx, struct arena *a, struct provider *p, const char *base,
    const char *scopes, bool s256, const char *path, json_t **out)
{
	struct http_request rq = {
		.url = arena_printf(a, "%s/api/v1/apps", base),
		.headers = { "Accept: application/json" }, .max_body = 64 * 1024,
		.log_name = "mastodon_register", .public_only = mastodon_public_only(p),
	};
	json_t *j, *rec;
	struct buf form;
	char *text;
	long status;
	enum rc rc;

	buf_init(&form, 8192);
	rc = form_add(&form, "client_name", p->display_name);
	if (rc == RC_OK)
		rc = form_add(&form, "redirect_uris", p->redirect_uri);
	if (rc == RC_OK)
		rc = form_add(&form, "scopes", scopes);
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
		log_kv(LOG_WARN, "mastodon_register_failed", "base", base, NULL);
		return RC_UPSTREAM;
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "client_id",
	    json_string_value(json_object_get(j, "client_id")), "client_secret",
	    json_string_value(json_object_get(j, "client_secret")), "redirect_uri",
	    p->redirect_uri, "scopes", scopes, "pkce", s256, "registered_at", (json_int_t)ctx->now());
	text = rec != NULL ? json_dumps(rec, JSON_COMPACT) : NULL;
	rc = text != NULL ? fsutil_write_atomic(path, text, strlen(text), 0600) : RC_NOMEM;
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	if (rc != RC_OK) {
		json_decref(rec);
		log_kv(LOG_ERROR, "mastodon_app_write_failed", "path", path, NULL);
		return rc;
	}
	*out = rec;
	return RC_OK;
}

/* How many apps are registered already (a bound on visitor-typed hosts). */
static size_t
apps_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		n += len > 5 && strcmp(de->d_name + len - 5, ".json") == 0;
	}
	closedir(d);
	return n;
}

/*
 * Finds or makes the app for host: the state_dir file, else a registration
 * under an exclusive lock so that two workers never register twice.
 */
static enum rc
app_for(struct oauth_ctx *ctx, struct arena *a, struct provider *p, const char *base,
    const char *host, json_t **out)
{
	const char *scopes = p->scopes;
	bool s256, profile;
	char *path = app_path(ctx, a, host, "json"), *lock = app_path(ctx, a, host, "lock");
	char *dir = arena_printf(a, "%s/mastodon", ctx->oauth_dir);
	enum rc rc;
	int fd;

	if (path == NULL || lock == NULL || dir == NULL)
		return RC_NOMEM;
	if (app_read(a, path, p->redirect_uri, out) == RC_OK)
		return RC_OK;
	if (fsutil_mkdirs(dir, 0700) != RC_OK)
		return RC_UNAVAILABLE;
	fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		if (fd >= 0)
			close(fd);
		return RC_UNAVAILABLE;
	}
	rc = app_read(a, path, p->redirect_uri, out);
	if (rc != RC_OK && apps_count(dir) >= APPS_MAX) {
		log_kv(LOG_WARN, "mastodon_apps_full", "max", "1000", NULL);
		rc = RC_LIMIT;
	} else if (rc != RC_OK) {
		/* What the instance supports decides the scope we register for. */
		probe_metadata(ctx, a, p, base, &s256, &profile);
		if (profile && strcmp(p->scopes, p->preset->scopes) == 0)
			scopes = "profile";
		rc = app_register(ctx, a, p, base, scopes, s256, path, out);
	}
	flock(fd, LOCK_UN);
	close(fd);
	return rc;
}

static bool
instance_allowed(const struct provider *p, const char *host)
{
	if (p->any_instance)
		return true;
	for (size_t i = 0; i < p->ninstances; i++)
		if (strcmp(p->instances[i], host) == 0)
			return true;
	return false;
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

/*
 * The registered app for a Mastodon instance, from this process's cache,
 * state_dir, or a new registration. RC_FORBIDDEN when host is not a valid
 * or allowed instance, RC_UPSTREAM when registration fails.
 */
enum rc
mastodon_instance(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const char *host, struct instance_cache **out)
{
	struct instance_cache *ic;
	const char *base;
	json_t *app = NULL;
	enum rc rc;

	if (!mastodon_host_valid(host) || !instance_allowed(p, host))
		return RC_FORBIDDEN;
	for (size_t i = 0; i < p->ninstances_cache; i++) {
		if (strcmp(p->instances_cache[i].host, host) == 0) {
			*out = &p->instances_cache[i];
			return RC_OK;
		}
	}
	base = mastodon_base(a, p, host);
	if (base == NULL)
		return RC_NOMEM;
	rc = app_for(ctx, a, p, base, host, &app);
	if (rc != RC_OK)
		return rc;
	if (p->ninstances_cache == 0) {
		p->instances_cache = calloc(INSTANCES_MAX, sizeof(*p->instances_cache));
		if (p->instances_cache == NULL) {
			json_decref(app);
			return RC_NOMEM;
		}
	}
	if (p->ninstances_cache == INSTANCES_MAX) {
		/* Bounded: the oldest entry makes room (it is on disk anyway). */
		ic = &p->instances_cache[0];
		free(ic->host);
		free(ic->client_id);
		free(ic->client_secret);
		free(ic->scopes);
		free(ic->cache.meta.authorization_endpoint);
		free(ic->cache.meta.token_endpoint);
		free(ic->cache.meta.userinfo_endpoint);
		memset(ic, 0, sizeof(*ic));
	} else {
		ic = &p->instances_cache[p->ninstances_cache++];
	}
	rc = instance_fill(ic, host, base, app, json_is_true(json_object_get(app, "pkce")));
	json_decref(app);
	if (rc == RC_OK)
		*out = ic;
	return rc;
}

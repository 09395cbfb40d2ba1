/* widgets: the streams feature row — per-process context, the refresher
 * hook, /healthz, the refresh command's entry; the options and the stream
 * configs are widgets/streams/streams_conf.c's. */
#include "widgets/widgets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi/cli.h"
#include "fcgi/config.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/store.h"
#include "util/url.h"
#include "widgets/conn.h"
#include "widgets/console.h"
#include "widgets/refresh_metrics.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/discover_cmd.h"
#include "widgets/streams/refresh_cmd.h"
#include "widgets/streams/refresher.h"
#include "widgets/streams/streams_conf.h"
#include "widgets/streams/streams_health.h"
#include "widgets/views.h"

#define WIDGETS_EVICT_EVERY 300     /* seconds between cache evictions */
/* With a moderated stream the refresher runs a pass at least this often,
 * so that a decision reaches the public stream within seconds. */
#define WIDGETS_MODERATION_POLL 1

struct widgets {
	const struct config *cfg;
	struct arena *a;              /* the stream configs below */
	struct stream_conf *streams;
	size_t nstreams;
	struct cache *cache;
	char *cache_sources;          /* probed for /healthz */
	struct refresher *refresher;  /* made on first use */
	struct refresher_conf rconf;
	long long last_evict;
	long long cache_max;          /* cache_max_size, bytes */
	unsigned long passes;         /* refresher passes of this process */
	time_t writable_checked;
	bool writable;
	struct views *views;          /* widget routes and publishing (views.h) */
	struct conn *conn;            /* connections' tokens, opened with the refresher */
	struct store *store;          /* moderation's and the cluster's, or NULL */
	struct mod *mod;
};

static enum rc
token_get(void *arg, struct arena *a, const char *name, const char **token, const char **why)
{
	return conn_token(arg, a, name, token, why);
}

/* A failed answer to a source that reads through a connection: a refused
 * token fails the connection with the network's words. */
static void
token_answered(void *arg, const char *name, long status, const char *body, size_t len,
    const char *msg)
{
	if (conn_refusal(status, body, len))
		conn_token_refused(arg, name, msg);
}

static struct refresher *
get_refresher(struct widgets *w)
{
	if (w->refresher != NULL)
		return w->refresher;
	if (w->conn == NULL && cfg_size(w->cfg->root, "connection") > 0) {
		if (conn_open(w->cfg, &w->conn) != RC_OK)
			log_kv(LOG_ERROR, "connections_unavailable", NULL);
		else
			w->rconf.tokens = (struct refresher_tokens){ .get = token_get,
			    .answered = token_answered, .arg = w->conn };
	}
	/* The store (moderation's, opened at init when a stream is moderated,
	 * or the `store` section's): with a shared one, one fetch per source
	 * across the nodes (refresh_share.h). A store that fails to open
	 * leaves this node fetching alone. */
	if (w->store == NULL && config_store_open(w->cfg, &w->store) != RC_OK)
		w->store = NULL;
	w->rconf.store = w->store;
	if (refresher_new(&w->rconf, &w->refresher) != RC_OK)
		return NULL;
	return w->refresher;
}

/* CGI mode: refreshes stream `name` inline when it is stale (one refresher
 * pass over its sources) and publishes it, handing the pass's merge over
 * in memory. The FastCGI workers never call it: there the refresher
 * process keeps the cache current. */
static enum rc
ensure_fresh(void *arg, const char *name)
{
	struct refresh_opts o = { .stream = name, .force = false };
	struct widgets *w = arg;
	struct refresher *r = get_refresher(w);
	struct refresh_report rep;
	struct arena *a;
	enum rc rc;

	if (widgets_stream(w, name) == NULL)
		return RC_NOTFOUND;
	if (r == NULL || (a = arena_new(16 * 1024, 0)) == NULL)
		return RC_NOMEM;
	rc = refresher_pass(r, &o, a, &rep, NULL);
	views_publish(w->views, name, false, NULL, rc == RC_OK ? &rep : NULL);
	arena_free(a);
	return rc;
}

/* The outbound policy and limits of the config: one place for the
 * refresher, the views and `discover -c`. */
static struct fetcher_opts
fetch_opts(const struct config *cfg)
{
	return (struct fetcher_opts){
		.net = { .user_agent = cfg->user_agent, .ca_file = cfg->ca_file },
		.max_total = cfg_getint(cfg->root, "fetch_concurrency"),
		.max_per_host = cfg_getint(cfg->root, "fetch_per_host"),
	};
}

enum rc
widgets_init(const struct config *cfg, void **ctx)
{
	struct widgets *w = calloc(1, sizeof(*w));
	enum rc rc = RC_NOMEM;

	*ctx = NULL;
	if (w == NULL)
		return RC_NOMEM;
	w->cfg = cfg;
	w->a = arena_new(16 * 1024, 0);
	if (w->a == NULL || (rc = streams_conf_build(w->a, cfg->root, &w->streams, &w->nstreams)) != RC_OK)
		goto fail;
	rc = RC_NOMEM;
	w->cache_sources = arena_printf(w->a, "%s/sources", cfg->cache_dir);
	if (w->cache_sources == NULL)
		goto fail;
	w->cache_max = cfg_getint(cfg->root, "cache_max_size");
	if ((rc = cache_open(cfg->cache_dir, w->cache_max, &w->cache)) != RC_OK)
		goto fail;
	/* The refresher's merge reads decisions; without the store the
	 * moderated streams keep their last merge (stream.h). */
	if (streams_conf_any_moderated(w->streams, w->nstreams))
		console_store_open(cfg, &w->store, &w->mod);
	w->rconf = (struct refresher_conf){
		.streams = w->streams, .nstreams = w->nstreams, .cache = w->cache,
		.allow_private = cfg_getbool(cfg->root, "fetch_allow_private"),
		.fetch = fetch_opts(cfg),
		.mod = w->mod,
	};
	if ((rc = views_new(&(struct views_conf){ .cfg = cfg, .streams = w->streams,
	    .nstreams = w->nstreams, .cache = w->cache,
	    .allow_private = w->rconf.allow_private, .fetch = w->rconf.fetch,
	    .ensure_fresh = ensure_fresh, .fresh_arg = w,
	    .stable_clock = config_has_store(cfg) }, &w->views)) != RC_OK)
		goto fail;
	*ctx = w;
	return RC_OK;
fail:
	widgets_fini(w);
	return rc;
}

void
widgets_fini(void *ctx)
{
	struct widgets *w = ctx;

	if (w == NULL)
		return;
	views_free(w->views);
	refresher_free(w->refresher);
	conn_close(w->conn);
	mod_free(w->mod);
	store_close(w->store);
	cache_free(w->cache);
	arena_free(w->a);
	free(w);
}

const struct stream_conf *
widgets_stream(const struct widgets *w, const char *name)
{
	return streams_conf_find(w->streams, w->nstreams, name);
}

void *
widgets_routes_ctx(void *ctx)
{
	return ((struct widgets *)ctx)->views;
}

/* ---- refresher process hook ---- */

static double
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long
widgets_refresh(void *ctx, volatile sig_atomic_t *stop)
{
	struct widgets *w = ctx;
	struct refresh_opts o = { 0 };
	struct refresh_report rep;
	struct refresher *r = get_refresher(w);
	struct arena *a = arena_new(64 * 1024, 0);
	long long now = (long long)time(NULL), used;
	long next = SCHEDULE_MIN_INTERVAL;
	double start = mono_seconds();

	if (r == NULL || a == NULL) {
		arena_free(a);
		return next;
	}
	if (refresher_pass(r, &o, a, &rep, stop) == RC_OK) {
		next = rep.next_in;
		/* Figures first: publishing is no part of the pass's time. A
		 * stopping refresher (a reload) leaves them to its successor. */
		if (!*stop)
			refresh_metrics_pass(&rep, w->cache, a, mono_seconds() - start,
			    w->passes++ == 0);
		views_publish(w->views, NULL, false, stop, &rep);
	} else {
		views_publish(w->views, NULL, false, stop, NULL);
	}
	if (now - w->last_evict >= WIDGETS_EVICT_EVERY) {
		streams_conf_sweep(w->streams, w->nstreams, w->cache, a, now);
		if (cache_evict(w->cache, now, &used) == RC_OK)
			refresh_metrics_cache(used, w->cache_max);
		w->last_evict = now;
	}
	arena_free(a);
	/* Decisions bump a generation the merge's fingerprint holds: a pass
	 * each second re-merges (and publishes) only a stream whose decisions
	 * or sources changed. */
	if (w->mod != NULL && next > WIDGETS_MODERATION_POLL)
		next = WIDGETS_MODERATION_POLL;
	return next;
}

/* ---- check-config --list ---- */

/* A duration in the largest whole unit the config syntax has. */
static void
duration_str(long s, char *out, size_t n)
{
	if (s > 0 && s % 86400 == 0)
		snprintf(out, n, "%ldd", s / 86400);
	else if (s > 0 && s % 3600 == 0)
		snprintf(out, n, "%ldh", s / 3600);
	else if (s > 0 && s % 60 == 0)
		snprintf(out, n, "%ldm", s / 60);
	else
		snprintf(out, n, "%lds", s);
}

/* Whether a URL is a feed or a page is only known once fetched (the
 * refresher discovers a page's feed), so the type printed says so. */
void
widgets_describe(const struct config *cfg, FILE *out)
{
	struct arena *a = arena_new(16 * 1024, 0);
	struct stream_conf *v;
	size_t n;
	char url[512], every[32];

	if (a == NULL || streams_conf_build(a, cfg->root, &v, &n) != RC_OK) {
		fprintf(out, "streams: cannot list (out of memory)\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "stream %s: %zu source(s)\n", v[i].name, v[i].nsources);
		for (size_t j = 0; j < v[i].nsources; j++) {
			const struct stream_source *s = &v[i].sources[j];
			url_redact(s->url, url, sizeof(url));
			duration_str(s->every, every, sizeof(every));
			fprintf(out, "  source %s: %s  type: feed or page "
			    "(discovered at fetch)  every %s\n", s->name, url, every);
		}
	}
out:
	arena_free(a);
}

/* ---- /healthz ---- */

bool
widgets_health(void *ctx, json_t *report)
{
	struct widgets *w = ctx;
	struct arena *a = arena_new(16 * 1024, 0);
	json_t *streams = json_object();
	long long now = (long long)time(NULL);

	if (w->writable_checked != (time_t)now) {
		w->writable = fsutil_dir_writable(w->cache_sources);
		w->writable_checked = (time_t)now;
	}
	if (a != NULL && streams != NULL) {
		for (size_t i = 0; i < w->nstreams; i++)
			json_object_set_new(streams, w->streams[i].name,
			    streams_health(a, w->cache, &w->streams[i], now));
		json_object_set(report, "streams", streams);
	}
	json_object_set_new(report, "streams_cache_writable", json_boolean(w->writable));
	json_decref(streams);
	arena_free(a);
	return w->writable;
}

/* ---- socialhub refresh ---- */

int
widgets_cmd_discover(int argc, char **argv, const struct feature *features)
{
	struct fetcher_opts fo;
	struct config *cfg = NULL;
	const char *path;
	bool bad, given = false;
	int status;

	for (int i = 1; i < argc; i++)
		given = given || strcmp(argv[i], "-c") == 0;
	path = cli_config_path(argc, argv, &bad);
	if (bad) {
		fprintf(stderr, "usage: socialhub discover [-c FILE] URL\n");
		return 2;
	}
	/* Without -c, the default outbound policy: public addresses, and the
	 * URL's own origin when it names a private one (util/netpolicy.c);
	 * with it, the config's, as serve and refresh use it. */
	memset(&fo, 0, sizeof(fo));
	if (given) {
		if (config_load(path, features, &cfg) != RC_OK) {
			fprintf(stderr, "%s: configuration is not valid\n", path);
			return 1;
		}
		fo = fetch_opts(cfg);
	}
	status = discover_cmd(argc, argv, &fo, cfg != NULL &&
	    cfg_getbool(cfg->root, "fetch_allow_private"));
	config_free(cfg);
	return status;
}

int
widgets_cmd_refresh(int argc, char **argv, const struct feature *features)
{
	struct refresh_opts o = { 0 };
	struct refresh_report rep;
	struct config *cfg = NULL;
	struct widgets *w = NULL;
	struct refresher *r;
	struct arena *a = NULL;
	enum log_level lvl;
	const char *path;
	bool bad;
	int status = 1;

	if ((status = refresh_cmd_args(argc, argv, &o)) >= 0)
		return status;
	status = 1;
	path = cli_config_path(argc, argv, &bad);
	if (bad) {
		refresh_cmd_usage(stderr);
		return 2;
	}
	log_set_role("refresh");
	if (config_load(path, features, &cfg) != RC_OK) {
		fprintf(stderr, "%s: configuration is not valid\n", path);
		return 1;
	}
	if (log_level_parse(cfg->log_level, &lvl))
		log_set_level(lvl);
	if (widgets_init(cfg, (void **)&w) != RC_OK)
		goto out;
	if (o.stream != NULL && widgets_stream(w, o.stream) == NULL) {
		fprintf(stderr, "socialhub: no stream named '%s'\n", o.stream);
		status = 2;
		goto out;
	}
	if ((r = get_refresher(w)) == NULL || (a = arena_new(64 * 1024, 0)) == NULL)
		goto out;
	if (refresher_pass(r, &o, a, &rep, NULL) != RC_OK) {
		fprintf(stderr, "socialhub: the refresh pass could not run\n");
		goto out;
	}
	views_publish(w->views, o.stream, o.force, NULL, &rep);
	streams_conf_sweep(w->streams, w->nstreams, w->cache, a, (long long)time(NULL));
	cache_evict(w->cache, (long long)time(NULL), NULL);
	refresh_cmd_report(&rep, w->streams, w->nstreams, w->cache, o.stream);
	status = rep.nfailed > 0 ? 1 : 0;
out:
	fflush(stdout);
	arena_free(a);
	widgets_fini(w);
	config_free(cfg);
	return status;
}

/* widgets: the streams feature — config, per-process context, hooks, routes. */
#include "widgets/widgets.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi/cli.h"
#include "fcgi/config.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/url.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/refresher.h"
#include "widgets/views.h"

#define WIDGETS_CACHE_MAX_DEFAULT (256L * 1024 * 1024)
#define WIDGETS_CACHE_MAX_MIN (1L * 1024 * 1024)
#define WIDGETS_URL_MAX 2048
#define WIDGETS_WORD_MAX 200
#define WIDGETS_LIST_MAX 1000
#define WIDGETS_TITLE_MAX 200
#define WIDGETS_MARKET_MAX 32
#define WIDGETS_EVICT_EVERY 300     /* seconds between cache evictions */
#define WIDGETS_LATE_GRACE 300      /* a source this late is not fresh */
#define WIDGETS_ORPHAN_AGE (7L * 86400) /* unused source folders kept this long */

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
	time_t writable_checked;
	bool writable;
	struct views *views;          /* widget routes and publishing (views.h) */
};

/* ---- options ---- */

static cfg_opt_t source_opts[] = {
	CFG_STR("url", NULL, CFGF_NODEFAULT),
	CFG_INT_CB("every", STREAM_EVERY_DEFAULT, CFGF_NONE, config_cb_duration),
	CFG_STR("market", NULL, CFGF_NODEFAULT),
	CFG_STR("title", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static int check_word(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_ref(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

static cfg_opt_t stream_opts[] = {
	CFG_STR("title", NULL, CFGF_NODEFAULT),
	CFG_SEC("source", source_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_STR_LIST_CB("include", NULL, CFGF_NODEFAULT, check_word),
	CFG_STR_LIST_CB("exclude", NULL, CFGF_NODEFAULT, check_word),
	CFG_STR_LIST_CB("pin", NULL, CFGF_NODEFAULT, check_ref),
	CFG_STR_LIST_CB("hide", NULL, CFGF_NODEFAULT, check_ref),
	CFG_INT("max_items", STREAM_MAX_ITEMS_DEFAULT, CFGF_NONE),
	CFG_END()
};

cfg_opt_t widgets_opts[] = {
	CFG_SEC("stream", stream_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_INT_CB("cache_max_size", WIDGETS_CACHE_MAX_DEFAULT, CFGF_NONE, config_cb_size),
	CFG_BOOL("fetch_allow_private", cfg_false, CFGF_NONE),
	CFG_INT("fetch_concurrency", FETCH_MAX_TOTAL, CFGF_NONE),
	CFG_INT("fetch_per_host", FETCH_MAX_PER_HOST, CFGF_NONE),
	CFG_END()
};

/* ---- per-key checks: report with the key's line and keep going ---- */

/* Stream and source names appear in URLs and file names. */
static bool
name_valid(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static bool
text_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !utf8_valid(s, n))
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return true;
}

static int
check_url(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	struct arena *a = arena_new(1024, 0);
	struct url u;

	if (a == NULL)
		return 0;
	if (strlen(v) > WIDGETS_URL_MAX || url_parse(a, v, &u) != RC_OK)
		cfg_error(cfg, "KEY url: must be an absolute http:// or https:// URL, got \"%.80s\"", v);
	else if (u.userinfo != NULL)
		cfg_error(cfg, "KEY url: must not hold a user name or password");
	arena_free(a);
	return 0;
}

/* Out-of-range intervals are clamped with a warning, not refused. */
static int
check_every(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	long c = v < FETCH_MIN_INTERVAL ? FETCH_MIN_INTERVAL :
	    v > FETCH_MAX_INTERVAL ? FETCH_MAX_INTERVAL : v;
	const char *file = cfg->filename != NULL ? cfg->filename : "?";

	if (c != v && v != 0)
		fprintf(stderr, "%s:%d: every: warning: %lds is outside [1m, 24h]; using %lds\n",
		    file, cfg->line, v, c);
	return 0;
}

static int
check_market(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!name_valid(cfg_opt_getnstr(opt, 0), WIDGETS_MARKET_MAX))
		cfg_error(cfg, "KEY market: use 1-%d of [A-Za-z0-9_-], e.g. \"de\" or \"global\"",
		    WIDGETS_MARKET_MAX);
	return 0;
}

static int
check_title(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!text_valid(cfg_opt_getnstr(opt, 0), WIDGETS_TITLE_MAX))
		cfg_error(cfg, "KEY title: must be 1-%d bytes of UTF-8 text", WIDGETS_TITLE_MAX);
	return 0;
}

static int
check_max_items(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < 1 || v > STREAM_MAX_ITEMS_LIMIT)
		cfg_error(cfg, "KEY max_items: must be between 1 and %d, got %ld",
		    STREAM_MAX_ITEMS_LIMIT, v);
	return 0;
}

static int
check_source(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *s = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (!name_valid(cfg_title(s), STREAM_NAME_MAX))
		cfg_error(cfg, "KEY source: name \"%s\" must be 1-%d of [A-Za-z0-9_-]",
		    cfg_title(s), STREAM_NAME_MAX);
	if (cfg_getstr(s, "url") == NULL)
		cfg_error(cfg, "KEY url: missing in source %s", cfg_title(s));
	return 0;
}

/* List entries: value callbacks, called once per entry (config.h); the
 * entry is the list's last, its number the list's size. */
static void
check_entry(cfg_t *cfg, cfg_opt_t *opt, const char *value, size_t max)
{
	unsigned n = cfg_opt_size(opt);

	if (n == WIDGETS_LIST_MAX + 1)
		cfg_error(cfg, "KEY %s: at most %d entries", opt->name, WIDGETS_LIST_MAX);
	if (!text_valid(value, max))
		cfg_error(cfg, "KEY %s: entry %u must be 1-%zu bytes of UTF-8 text",
		    opt->name, n, max);
}

static int
check_word(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	check_entry(cfg, opt, value, WIDGETS_WORD_MAX);
	return config_list_keep(value, result);
}

static int
check_ref(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	check_entry(cfg, opt, value, WIDGETS_URL_MAX);
	return config_list_keep(value, result);
}

static int
check_stream(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *s = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (!name_valid(cfg_title(s), STREAM_NAME_MAX))
		cfg_error(cfg, "KEY stream: name \"%s\" must be 1-%d of [A-Za-z0-9_-]",
		    cfg_title(s), STREAM_NAME_MAX);
	if (cfg_size(s, "source") == 0)
		cfg_error(cfg, "KEY source: stream %s has no source", cfg_title(s));
	return 0;
}

static int
check_cache_max_size(cfg_t *cfg, cfg_opt_t *opt)
{
	if (cfg_opt_getnint(opt, 0) < WIDGETS_CACHE_MAX_MIN)
		cfg_error(cfg, "KEY cache_max_size: must be at least 1M");
	return 0;
}

static int
check_range(cfg_t *cfg, cfg_opt_t *opt, long lo, long hi)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < lo || v > hi)
		cfg_error(cfg, "KEY %s: must be between %ld and %ld, got %ld", opt->name,
		    lo, hi, v);
	return 0;
}

static int
check_concurrency(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 1, 256);
}

static int
check_per_host(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 1, 64);
}

void
widgets_checks(cfg_t *root)
{
	static const struct { const char *path; cfg_validate_callback_t fn; } checks[] = {
		{ "stream", check_stream },
		{ "stream|title", check_title },
		{ "stream|max_items", check_max_items },
		{ "stream|source", check_source },
		{ "stream|source|url", check_url },
		{ "stream|source|every", check_every },
		{ "stream|source|market", check_market },
		{ "stream|source|title", check_title },
		{ "cache_max_size", check_cache_max_size },
		{ "fetch_concurrency", check_concurrency },
		{ "fetch_per_host", check_per_host },
	};

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		cfg_set_validate_func(root, checks[i].path, checks[i].fn);
}

/* ---- the immutable stream configs ---- */

static const char **
list_of(struct arena *a, cfg_t *sec, const char *key, size_t *n)
{
	const char **v;

	*n = cfg_size(sec, key);
	v = arena_calloc(a, *n + 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < *n; i++)
		v[i] = cfg_getnstr(sec, key, (unsigned)i);
	return v;
}

static long
clamp_every(long v)
{
	return v < FETCH_MIN_INTERVAL ? FETCH_MIN_INTERVAL :
	    v > FETCH_MAX_INTERVAL ? FETCH_MAX_INTERVAL : v;
}

static enum rc
build_stream(struct arena *a, cfg_t *sec, struct stream_conf *sc)
{
	sc->name = cfg_title(sec);
	sc->title = cfg_getstr(sec, "title");
	sc->max_items = cfg_getint(sec, "max_items");
	sc->include = list_of(a, sec, "include", &sc->ninclude);
	sc->exclude = list_of(a, sec, "exclude", &sc->nexclude);
	sc->pin = list_of(a, sec, "pin", &sc->npin);
	sc->hide = list_of(a, sec, "hide", &sc->nhide);
	sc->nsources = cfg_size(sec, "source");
	sc->sources = arena_calloc(a, sc->nsources + 1, sizeof(*sc->sources));
	if (!sc->include || !sc->exclude || !sc->pin || !sc->hide || !sc->sources)
		return RC_NOMEM;
	for (size_t i = 0; i < sc->nsources; i++) {
		cfg_t *s = cfg_getnsec(sec, "source", (unsigned)i);
		struct stream_source *src = &sc->sources[i];
		src->name = cfg_title(s);
		src->url = cfg_getstr(s, "url");
		src->market = cfg_getstr(s, "market");
		src->title = cfg_getstr(s, "title");
		src->every = clamp_every(cfg_getint(s, "every"));
		cache_source_key(src->url, src->key);
	}
	return RC_OK;
}

static enum rc
build_streams(struct widgets *w)
{
	cfg_t *root = w->cfg->root;
	enum rc rc;

	w->nstreams = cfg_size(root, "stream");
	w->streams = arena_calloc(w->a, w->nstreams + 1, sizeof(*w->streams));
	if (w->streams == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < w->nstreams; i++)
		if ((rc = build_stream(w->a, cfg_getnsec(root, "stream", (unsigned)i),
		    &w->streams[i])) != RC_OK)
			return rc;
	return RC_OK;
}

static struct refresher *
get_refresher(struct widgets *w)
{
	if (w->refresher == NULL && refresher_new(&w->rconf, &w->refresher) != RC_OK)
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
	if (w->a == NULL || (rc = build_streams(w)) != RC_OK)
		goto fail;
	rc = RC_NOMEM;
	w->cache_sources = arena_printf(w->a, "%s/sources", cfg->cache_dir);
	if (w->cache_sources == NULL)
		goto fail;
	if ((rc = cache_open(cfg->cache_dir, cfg_getint(cfg->root, "cache_max_size"),
	    &w->cache)) != RC_OK)
		goto fail;
	w->rconf = (struct refresher_conf){
		.streams = w->streams, .nstreams = w->nstreams, .cache = w->cache,
		.allow_private = cfg_getbool(cfg->root, "fetch_allow_private"),
		.fetch = {
			.net = { .user_agent = cfg->user_agent, .ca_file = cfg->ca_file },
			.max_total = cfg_getint(cfg->root, "fetch_concurrency"),
			.max_per_host = cfg_getint(cfg->root, "fetch_per_host"),
		},
	};
	if ((rc = views_new(&(struct views_conf){ .cfg = cfg, .streams = w->streams,
	    .nstreams = w->nstreams, .cache = w->cache,
	    .allow_private = w->rconf.allow_private, .fetch = w->rconf.fetch,
	    .ensure_fresh = ensure_fresh, .fresh_arg = w }, &w->views)) != RC_OK)
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
	cache_free(w->cache);
	arena_free(w->a);
	free(w);
}

const struct stream_conf *
widgets_streams(const struct widgets *w, size_t *n)
{
	*n = w->nstreams;
	return w->streams;
}

const struct stream_conf *
widgets_stream(const struct widgets *w, const char *name)
{
	for (size_t i = 0; i < w->nstreams; i++)
		if (strcmp(w->streams[i].name, name) == 0)
			return &w->streams[i];
	return NULL;
}

const struct cache *
widgets_cache(const struct widgets *w)
{
	return w->cache;
}

void *
widgets_routes_ctx(void *ctx)
{
	return ((struct widgets *)ctx)->views;
}

/* ---- refresher process hook ---- */

/* Source folders of URLs no longer configured go after a week. */
static void
sweep_orphans(struct widgets *w, struct arena *a, long long now)
{
	size_t n = 0, k = 0;
	const char **keys;

	for (size_t i = 0; i < w->nstreams; i++)
		n += w->streams[i].nsources;
	keys = arena_calloc(a, n + 1, sizeof(*keys));
	if (keys == NULL)
		return;
	for (size_t i = 0; i < w->nstreams; i++)
		for (size_t j = 0; j < w->streams[i].nsources; j++)
			keys[k++] = w->streams[i].sources[j].key;
	cache_sweep_sources(w->cache, keys, k, now, WIDGETS_ORPHAN_AGE);
}

long
widgets_refresh(void *ctx, volatile sig_atomic_t *stop)
{
	struct widgets *w = ctx;
	struct refresh_opts o = { 0 };
	struct refresh_report rep;
	struct refresher *r = get_refresher(w);
	struct arena *a = arena_new(64 * 1024, 0);
	long long now = (long long)time(NULL);
	long next = FETCH_MIN_INTERVAL;

	if (r == NULL || a == NULL) {
		arena_free(a);
		return next;
	}
	if (refresher_pass(r, &o, a, &rep, stop) == RC_OK) {
		next = rep.next_in;
		views_publish(w->views, NULL, false, stop, &rep);
	} else {
		views_publish(w->views, NULL, false, stop, NULL);
	}
	if (now - w->last_evict >= WIDGETS_EVICT_EVERY) {
		sweep_orphans(w, a, now);
		cache_evict(w->cache, now, NULL);
		w->last_evict = now;
	}
	arena_free(a);
	return next;
}

/* ---- /healthz ---- */

/* The stream-level summary of its sources' errors. */
struct stream_errors {
	long failing;
	long long last_at;
	json_t *last;      /* borrowed from the source object */
};

static json_t *
source_health(struct arena *a, const struct widgets *w,
    const struct stream_source *s, long long now, bool *fresh,
    struct stream_errors *errs)
{
	char *path = cache_source_path(a, w->cache, s->key, "status.json");
	struct cache_status st;
	const char *state;
	json_t *o;

	if (path == NULL || cache_status_load(a, path, &st) != RC_OK)
		memset(&st, 0, sizeof(st));
	if (st.last_attempt == 0)
		state = "pending";
	else if (st.failures > 0)
		state = "failing";
	else if (now > st.next_due + WIDGETS_LATE_GRACE)
		state = "late";
	else
		state = "ok";
	if (strcmp(state, "ok") != 0)
		*fresh = false;
	o = cache_status_json(&st);
	if (o != NULL) {
		json_object_set_new(o, "status", json_string(state));
		json_object_del(o, "url");
		if (st.failures > 0) {
			errs->failing++;
			if (st.last_error_at >= errs->last_at) {
				errs->last_at = st.last_error_at;
				errs->last = json_object_get(o, "last_error");
			}
		}
	}
	return o;
}

static json_t *
stream_health(struct arena *a, const struct widgets *w, const struct stream_conf *sc,
    long long now)
{
	json_t *o = json_object(), *sources = json_object(), *meta = NULL;
	struct stream_errors errs = { 0 };
	bool fresh = true;
	long long changed = 0;

	if (o == NULL || sources == NULL) {
		json_decref(o);
		json_decref(sources);
		return NULL;
	}
	for (size_t i = 0; i < sc->nsources; i++)
		json_object_set_new(sources, sc->sources[i].name,
		    source_health(a, w, &sc->sources[i], now, &fresh, &errs));
	if (stream_load(w->cache, sc->name, NULL, &meta) == RC_OK) {
		json_object_set(o, "items", json_object_get(meta, "count"));
		json_object_set(o, "generated_at", json_object_get(meta, "generated_at"));
		changed = (long long)json_integer_value(json_object_get(meta, "changed_at"));
		json_object_set_new(o, "changed_at", json_integer((json_int_t)changed));
		json_decref(meta);
	} else {
		fresh = false;
		json_object_set_new(o, "items", json_integer(0));
	}
	json_object_set_new(o, "fresh", json_boolean(fresh));
	json_object_set_new(o, "failing", json_integer(errs.failing));
	json_object_set(o, "last_error", errs.last != NULL ? errs.last : json_null());
	json_object_set_new(o, "age", changed > 0 ? json_integer((json_int_t)(now - changed)) : json_null());
	json_object_set_new(o, "sources", sources);
	return o;
}

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
			    stream_health(a, w, &w->streams[i], now));
		json_object_set(report, "streams", streams);
	}
	json_object_set_new(report, "streams_cache_writable", json_boolean(w->writable));
	json_decref(streams);
	arena_free(a);
	return w->writable;
}

/* ---- socialhub refresh ---- */

static void
refresh_usage(FILE *f)
{
	fprintf(f, "usage: socialhub refresh [--stream NAME] [--force] [-c FILE]\n"
	    "  one refresh pass now: fetches the due sources (all with --force),\n"
	    "  prints one line per source; exit 0 when none failed, 1 otherwise\n");
}

/* "90s", "15m", "2h", "1d" for the report. */
static const char *
human_secs(char *out, size_t n, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, n, "%llds", s);
	else if (s < 7200)
		snprintf(out, n, "%lldm", s / 60);
	else if (s < 172800)
		snprintf(out, n, "%lldh", s / 3600);
	else
		snprintf(out, n, "%lldd", s / 86400);
	return out;
}

static void
print_report(const struct refresh_report *rep, const struct widgets *w,
    const char *only)
{
	long long now = (long long)time(NULL);
	char next[32], name[160];

	printf("%-32s %-12s %4s %6s %10s %6s  %s\n", "SOURCE", "STATUS", "HTTP",
	    "ITEMS", "BYTES", "MS", "NEXT");
	for (size_t i = 0; i < rep->n; i++) {
		const struct refresh_entry *e = &rep->entries[i];
		bool fetched = e->outcome != REFRESH_NOT_DUE && e->outcome != REFRESH_BUSY;
		snprintf(name, sizeof(name), "%s/%s", e->stream, e->source);
		printf("%-32s %-12s %4ld %6ld %10lld %6ld  %s%s%s%s\n", name,
		    refresh_outcome_str(e->outcome), e->http_status, e->items, e->bytes,
		    fetched ? e->ms : 0L, human_secs(next, sizeof(next), e->next_due - now),
		    e->why ? " (" : "", e->why ? e->why : "", e->why ? ")" : "");
		if (e->error != NULL)
			printf("    error: %s\n", e->error);
	}
	for (size_t i = 0; i < w->nstreams; i++) {
		const struct stream_result *res = NULL;
		json_t *meta = NULL;
		long long count = 0;
		if (only != NULL && strcmp(only, w->streams[i].name) != 0)
			continue;
		for (size_t j = 0; j < rep->nresults; j++)
			if (rep->results[j].sc == &w->streams[i])
				res = &rep->results[j];
		/* The count of a merge of this pass is known; others are read. */
		if (res != NULL && res->merged) {
			count = (long long)res->m.feed.nitems;
		} else if (stream_load(w->cache, w->streams[i].name, NULL, &meta) == RC_OK) {
			count = (long long)json_integer_value(json_object_get(meta, "count"));
			json_decref(meta);
		}
		printf("stream %s: %lld items, %s\n", w->streams[i].name, count,
		    res != NULL && res->changed ? "changed" : "unchanged");
	}
	printf("%zu fetched, %zu failed\n", rep->nfetched, rep->nfailed);
}

/* Parses the command's own options; -c is read by cli_config_path. */
static int
refresh_args(int argc, char **argv, struct refresh_opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc) {
			o->stream = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			o->force = true;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			refresh_usage(stdout);
			return 0;
		} else {
			refresh_usage(stderr);
			return 2;
		}
	}
	return -1;
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

	if ((status = refresh_args(argc, argv, &o)) >= 0)
		return status;
	status = 1;
	path = cli_config_path(argc, argv, &bad);
	if (bad) {
		refresh_usage(stderr);
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
	sweep_orphans(w, a, (long long)time(NULL));
	cache_evict(w->cache, (long long)time(NULL), NULL);
	print_report(&rep, w, o.stream);
	status = rep.nfailed > 0 ? 1 : 0;
out:
	fflush(stdout);
	arena_free(a);
	widgets_fini(w);
	config_free(cfg);
	return status;
}

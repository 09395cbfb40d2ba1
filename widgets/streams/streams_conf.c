/* streams_conf: the `stream` sections and fetch settings of the config,
 * their checks (reported on the key's line, parsing goes on) and the
 * immutable stream configs built from them. */
#include "widgets/streams/streams_conf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/cfgval.h"
#include "util/locale.h"
#include "util/url.h"
#include "widgets/streams/fetcher.h"
#include "widgets/streams/schedule.h"
#include "widgets/streams/src.h"

#define STREAMS_URL_MAX 2048
#define STREAMS_WORD_MAX 200
#define STREAMS_LIST_MAX 1000
#define STREAMS_TITLE_MAX 200
#define STREAMS_MARKET_MAX 32
#define STREAMS_ORPHAN_AGE (7L * 86400) /* unused source folders kept this long */

/* ---- options ---- */

static cfg_opt_t source_opts[] = {
	CFG_STR("url", NULL, CFGF_NODEFAULT),
	CFG_STR("type", "feed", CFGF_NONE),
	CFG_STR("account", NULL, CFGF_NODEFAULT),
	CFG_STR("api_url", NULL, CFGF_NODEFAULT),
	CFG_STR("connection", NULL, CFGF_NODEFAULT),
	CFG_STR("token_file", NULL, CFGF_NODEFAULT),
	CFG_STR("query", NULL, CFGF_NODEFAULT),
	CFG_STR("moderation", NULL, CFGF_NODEFAULT),
	CFG_INT_CB("every", SCHEDULE_EVERY_DEFAULT, CFGF_NONE, cfgval_duration),
	CFG_STR("market", NULL, CFGF_NODEFAULT),
	CFG_STR("title", NULL, CFGF_NODEFAULT),
	CFG_STR("feed_type", NULL, CFGF_NODEFAULT),
	CFG_STR("lang", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static int check_word(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_ref(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_author(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_domain(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

static cfg_opt_t stream_opts[] = {
	CFG_STR("title", NULL, CFGF_NODEFAULT),
	CFG_SEC("source", source_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_STR_LIST_CB("include", NULL, CFGF_NODEFAULT, check_word),
	CFG_STR_LIST_CB("exclude", NULL, CFGF_NODEFAULT, check_word),
	CFG_STR_LIST_CB("pin", NULL, CFGF_NODEFAULT, check_ref),
	CFG_STR_LIST_CB("hide", NULL, CFGF_NODEFAULT, check_ref),
	CFG_INT("max_items", STREAM_MAX_ITEMS_DEFAULT, CFGF_NONE),
	CFG_BOOL("show_counts", cfg_false, CFGF_NONE),
	CFG_STR("lang", NULL, CFGF_NODEFAULT),
	CFG_STR("moderation", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("trusted_authors", NULL, CFGF_NODEFAULT, check_author),
	CFG_STR_LIST_CB("blocked_authors", NULL, CFGF_NODEFAULT, check_author),
	CFG_STR_LIST_CB("blocked_words", NULL, CFGF_NODEFAULT, check_word),
	CFG_STR_LIST_CB("blocked_domains", NULL, CFGF_NODEFAULT, check_domain),
	CFG_BOOL("reject_sensitive", cfg_false, CFGF_NONE),
	CFG_END()
};

cfg_opt_t streams_opts[] = {
	CFG_SEC("stream", stream_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_INT_CB("cache_max_size", STREAMS_CACHE_MAX_DEFAULT, CFGF_NONE, cfgval_size),
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
	if (strlen(v) > STREAMS_URL_MAX || url_parse(a, v, &u) != RC_OK)
		cfg_error(cfg, "KEY url: must be an absolute http:// or https:// URL, got \"%.80s\"", v);
	else if (u.userinfo != NULL)
		cfg_error(cfg, "KEY url: must not hold a user name or password");
	arena_free(a);
	return 0;
}

/* Out-of-range intervals, 0 included, are clamped with a warning, not
 * refused (a bad duration was reported and replaced by the default). */
static int
check_every(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	long c = schedule_clamp(v);

	/* A warning, in the loader's format (a logfmt event under serve). */
	if (c != v)
		cfg_error(cfg, "WARN KEY every: %lds is outside [1m, 24h]; using %lds", v, c);
	return 0;
}

static int
check_market(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!name_valid(cfg_opt_getnstr(opt, 0), STREAMS_MARKET_MAX))
		cfg_error(cfg, "KEY market: use 1-%d of [A-Za-z0-9_-], e.g. \"de\" or \"global\"",
		    STREAMS_MARKET_MAX);
	return 0;
}

/* A stream's words or a source's posts: a BCP 47 tag ("de", "zh-Hant"). */
static int
check_lang(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!locale_tag_ok(cfg_opt_getnstr(opt, 0)))
		cfg_error(cfg, "KEY lang: must be a language tag such as \"de\", \"pt-BR\" or "
		    "\"zh-Hant\"");
	return 0;
}

static int
check_feed_type(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "rss") != 0 && strcmp(v, "atom") != 0 &&
	    strcmp(v, "json") != 0)
		cfg_error(cfg, "KEY feed_type: one of rss, atom, json, got \"%.40s\"",
		    v);
	return 0;
}

static int
check_title(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!text_valid(cfg_opt_getnstr(opt, 0), STREAMS_TITLE_MAX))
		cfg_error(cfg, "KEY title: must be 1-%d bytes of UTF-8 text", STREAMS_TITLE_MAX);
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

/* The `type` and the keys each type takes (src.h). */
static void
check_source_type(cfg_t *cfg, cfg_t *s)
{
	struct arena *a = arena_new(1024, 0);
	struct src_conf c = { 0 };
	const char *type = cfg_getstr(s, "type"), *e;

	if (a == NULL)
		return;
	if (!src_type_parse(type, &c.type)) {
		cfg_error(cfg, "KEY type: unknown \"%.40s\" in source %s; one of feed, mastodon, "
		    "bluesky, mastodon-tag, bluesky-search, youtube, instagram, facebook, threads, "
		    "instagram-hashtag, linkedin, x, tiktok, x-search",
		    type, cfg_title(s));
	} else {
		c.account = cfg_getstr(s, "account");
		c.api_url = cfg_getstr(s, "api_url");
		c.connection = cfg_getstr(s, "connection");
		c.token_file = cfg_getstr(s, "token_file");
		c.query = cfg_getstr(s, "query");
		if (c.type == SRC_FEED && cfg_getstr(s, "url") == NULL)
			cfg_error(cfg, "KEY url: missing in source %s", cfg_title(s));
		else if ((e = src_check(a, &c, cfg_getstr(s, "url"))) != NULL)
			cfg_error(cfg, "KEY %s (source %s, type %s)", e, cfg_title(s), type);
	}
	arena_free(a);
}

static int
check_source(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *s = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (!name_valid(cfg_title(s), STREAM_NAME_MAX))
		cfg_error(cfg, "KEY source: name \"%s\" must be 1-%d of [A-Za-z0-9_-]",
		    cfg_title(s), STREAM_NAME_MAX);
	check_source_type(cfg, s);
	return 0;
}

/* List entries: value callbacks, called once per entry (config.h); the
 * entry is the list's last, its number the list's size. */
static void
check_entry(cfg_t *cfg, cfg_opt_t *opt, const char *value, size_t max)
{
	unsigned n = cfg_opt_size(opt);

	if (n == STREAMS_LIST_MAX + 1)
		cfg_error(cfg, "KEY %s: at most %d entries", opt->name, STREAMS_LIST_MAX);
	if (!text_valid(value, max))
		cfg_error(cfg, "KEY %s: entry %u must be 1-%zu bytes of UTF-8 text",
		    opt->name, n, max);
}

static int
check_word(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	check_entry(cfg, opt, value, STREAMS_WORD_MAX);
	return cfgval_keep(value, result);
}

static int
check_ref(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	check_entry(cfg, opt, value, STREAMS_URL_MAX);
	return cfgval_keep(value, result);
}

/* "@user@host", "@handle" or a profile URL (mod_rules.h). */
static int
check_author(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct arena *a = arena_new(1024, 0);
	struct url u;

	check_entry(cfg, opt, value, STREAMS_URL_MAX);
	if (a != NULL && !(value[0] == '@' && value[1] != '\0' && strchr(value, ' ') == NULL) &&
	    url_parse(a, value, &u) != RC_OK)
		cfg_error(cfg, "KEY %s: \"%.80s\" is no \"@user@host\", \"@handle\" or profile URL",
		    opt->name, value);
	arena_free(a);
	return cfgval_keep(value, result);
}

/* A host name: its subdomains match too. */
static int
check_domain(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	check_entry(cfg, opt, value, STREAMS_WORD_MAX);
	if (!url_host_name_ok(value, true) || strchr(value, '.') == NULL)
		cfg_error(cfg, "KEY %s: \"%.80s\" is no domain name (e.g. \"spam.example\")",
		    opt->name, value);
	return cfgval_keep(value, result);
}

static int
check_moderation(cfg_t *cfg, cfg_opt_t *opt)
{
	enum mod_mode m;

	if (!mod_mode_parse(cfg_opt_getnstr(opt, 0), &m))
		cfg_error(cfg, "KEY moderation: must be \"auto\" or \"queue\", got \"%.40s\"",
		    cfg_opt_getnstr(opt, 0));
	return 0;
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
	if (cfg_opt_getnint(opt, 0) < STREAMS_CACHE_MAX_MIN)
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
streams_checks(cfg_t *root)
{
	static const struct { const char *path; cfg_validate_callback_t fn; } checks[] = {
		{ "stream", check_stream },
		{ "stream|title", check_title },
		{ "stream|max_items", check_max_items },
		{ "stream|moderation", check_moderation },
		{ "stream|source|moderation", check_moderation },
		{ "stream|source", check_source },
		{ "stream|source|url", check_url },
		{ "stream|source|every", check_every },
		{ "stream|source|market", check_market },
		{ "stream|source|title", check_title },
		{ "stream|source|feed_type", check_feed_type },
		{ "stream|lang", check_lang },
		{ "stream|source|lang", check_lang },
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

/* The mode of a source: its own key, else the stream's, else by type. */
static enum mod_mode
source_mode(cfg_t *stream, cfg_t *src, const struct src_conf *api)
{
	enum mod_mode m;

	if (mod_mode_parse(cfg_getstr(src, "moderation"), &m) ||
	    mod_mode_parse(cfg_getstr(stream, "moderation"), &m))
		return m;
	return src_is_earned(api) ? MOD_QUEUE : MOD_AUTO;
}

static enum rc
build_rules(struct arena *a, cfg_t *sec, struct stream_conf *sc)
{
	struct mod_rules *r = &sc->rules;

	r->trusted_authors = list_of(a, sec, "trusted_authors", &r->ntrusted);
	r->blocked_authors = list_of(a, sec, "blocked_authors", &r->nblocked_authors);
	r->blocked_words = list_of(a, sec, "blocked_words", &r->nwords);
	r->blocked_domains = list_of(a, sec, "blocked_domains", &r->ndomains);
	r->reject_sensitive = cfg_getbool(sec, "reject_sensitive");
	if (!r->trusted_authors || !r->blocked_authors || !r->blocked_words || !r->blocked_domains)
		return RC_NOMEM;
	sc->moderated = mod_rules_any(r) || cfg_getstr(sec, "moderation") != NULL;
	for (size_t i = 0; i < sc->nsources; i++)
		if (sc->sources[i].moderation == MOD_QUEUE)
			sc->moderated = true;
	return RC_OK;
}

static enum rc
build_stream(struct arena *a, cfg_t *sec, struct stream_conf *sc)
{
	sc->name = cfg_title(sec);
	sc->title = cfg_getstr(sec, "title");
	sc->max_items = cfg_getint(sec, "max_items");
	sc->show_counts = cfg_getbool(sec, "show_counts");
	sc->lang = cfg_getstr(sec, "lang");
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
		if (!src_type_parse(cfg_getstr(s, "type"), &src->api.type))
			return RC_CONFIG;
		src->api.account = cfg_getstr(s, "account");
		src->api.api_url = cfg_getstr(s, "api_url");
		src->api.connection = cfg_getstr(s, "connection");
		src->api.token_file = cfg_getstr(s, "token_file");
		src->api.query = cfg_getstr(s, "query");
		src->moderation = source_mode(sec, s, &src->api);
		/* An API source is known by its first request (no credential). */
		src->url = src_identity_url(a, &src->api, cfg_getstr(s, "url"));
		if (src->url == NULL)
			return RC_CONFIG;
		src->market = cfg_getstr(s, "market");
		src->title = cfg_getstr(s, "title");
		src->feed_type = cfg_getstr(s, "feed_type");
		src->lang = cfg_getstr(s, "lang");
		src->every = schedule_clamp(cfg_getint(s, "every"));
		cache_source_key(src->url, src->key);
	}
	return build_rules(a, sec, sc);
}

enum rc
streams_conf_build(struct arena *a, cfg_t *root, struct stream_conf **out, size_t *n)
{
	struct stream_conf *v;
	enum rc rc;

	*n = cfg_size(root, "stream");
	*out = v = arena_calloc(a, *n + 1, sizeof(*v));
	if (v == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < *n; i++)
		if ((rc = build_stream(a, cfg_getnsec(root, "stream", (unsigned)i), &v[i])) != RC_OK)
			return rc;
	return RC_OK;
}

const struct stream_conf *
streams_conf_find(const struct stream_conf *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

bool
streams_conf_any_moderated(const struct stream_conf *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].moderated)
			return true;
	return false;
}

/* Source folders of URLs no longer configured go after a week. */
void
streams_conf_sweep(const struct stream_conf *v, size_t n, struct cache *c,
    struct arena *a, long long now)
{
	size_t total = 0, k = 0;
	const char **keys;

	for (size_t i = 0; i < n; i++)
		total += v[i].nsources;
	keys = arena_calloc(a, total + 1, sizeof(*keys));
	if (keys == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].nsources; j++)
			keys[k++] = v[i].sources[j].key;
	cache_sweep_sources(c, keys, k, now, STREAMS_ORPHAN_AGE);
}

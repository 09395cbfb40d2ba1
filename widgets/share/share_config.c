/* share_config: the share { } config section, its checks and settings. */
#include "widgets/share/share_config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/config.h"
#include "util/cfgval.h"
#include "util/url.h"
#include "widgets/share/share_networks.h"
#include "widgets/share/share_url.h"

#define DEFAULT_NETWORKS \
	"{\"x\", \"facebook\", \"linkedin\", \"reddit\", \"bluesky\", \"mastodon\"," \
	" \"whatsapp\", \"telegram\", \"email\"}"
#define DEFAULT_INSTANCES \
	"{\"mastodon.social\", \"mastodon.online\", \"fosstodon.org\"," \
	" \"hachyderm.io\", \"infosec.exchange\"}"
#define MARKET_NAME_MAX 32
#define UTM_MAX 100

static int check_network(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_host(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_instance(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

static cfg_opt_t market_opts[] = {
	CFG_STR_LIST_CB("networks", NULL, CFGF_NODEFAULT, check_network),
	CFG_END()
};

static cfg_opt_t section_opts[] = {
	CFG_STR_LIST_CB("allowed_hosts", NULL, CFGF_NODEFAULT, check_host),
	CFG_STR_LIST_CB("networks", DEFAULT_NETWORKS, CFGF_NONE, check_network),
	CFG_STR("utm_source", NULL, CFGF_NODEFAULT),
	CFG_STR("utm_medium", NULL, CFGF_NODEFAULT),
	CFG_STR("utm_campaign", NULL, CFGF_NODEFAULT),
	CFG_STR("count_salt_file", NULL, CFGF_NODEFAULT),
	CFG_BOOL("counting", cfg_true, CFGF_NONE),
	CFG_INT("count_per_url_daily", 3, CFGF_NONE),
	CFG_INT("count_new_urls_daily", 20, CFGF_NONE),
	CFG_INT("count_max_counters", 100000, CFGF_NONE),
	CFG_INT("count_max_daily_keys", 1000000, CFGF_NONE),
	CFG_STR_LIST_CB("mastodon_instances", DEFAULT_INSTANCES, CFGF_NONE, check_instance),
	CFG_SEC("market", market_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

cfg_opt_t share_opts[] = {
	CFG_SEC("share", section_opts, CFGF_NONE),
	CFG_END()
};

/* List entries: value callbacks, called once per entry (config.h). The
 * defaults go through them too, when cfg_init parses them. */
static int
check_network(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (share_network_find(value) == NULL)
		cfg_error(cfg, "KEY %s: unknown network \"%s\" (see doc/share.md for the list)",
		    opt->name, value);
	return cfgval_keep(value, result);
}

static int
check_host(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	char low[SHARE_HOST_MAX + 2];
	size_t n = strlen(value);

	if (n >= sizeof(low)) {
		cfg_error(cfg, "KEY %s: host name too long", opt->name);
		return cfgval_keep(value, result);
	}
	for (size_t k = 0; k <= n; k++)
		low[k] = (char)tolower((unsigned char)value[k]);
	if (!share_host_rule_ok(low))
		cfg_error(cfg, "KEY %s: bad host \"%s\" (an ASCII host name such as"
		    " \"www.example.com\", or \".example.com\" for it and its subdomains;"
		    " no scheme, port, path, IP address or trailing dot; IDNs in"
		    " punycode)", opt->name, value);
	return cfgval_keep(value, result);
}

static int
check_instance(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (!share_host_syntax_ok(value) || strchr(value, '.') == NULL)
		cfg_error(cfg, "KEY %s: bad host \"%s\" (a lower-case server name such"
		    " as \"mastodon.social\")", opt->name, value);
	return cfgval_keep(value, result);
}

static int
check_utm(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t n = v != NULL ? strlen(v) : 0;

	if (v == NULL)
		return 0;
	if (n == 0 || n > UTM_MAX || !utf8_valid(v, n))
		cfg_error(cfg, "KEY %s: must be 1..%d bytes of UTF-8", opt->name, UTM_MAX);
	for (; v != NULL && *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f) {
			cfg_error(cfg, "KEY %s: control characters are not allowed", opt->name);
			break;
		}
	return 0;
}

static int
check_salt_file(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (v != NULL && v[0] != '/')
		cfg_error(cfg, "KEY %s: must be an absolute path", opt->name);
	return 0;
}

/* The counting limits: at least 1 (0 would stop counting; counting =
 * false says that), at most a billion. */
static int
check_limit(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	if (v < 1 || v > 1000000000L)
		cfg_error(cfg, "KEY %s: must be 1..1000000000", opt->name);
	return 0;
}

void
share_config_checks(cfg_t *root)
{
	cfg_set_validate_func(root, "share|count_per_url_daily", check_limit);
	cfg_set_validate_func(root, "share|count_new_urls_daily", check_limit);
	cfg_set_validate_func(root, "share|count_max_counters", check_limit);
	cfg_set_validate_func(root, "share|count_max_daily_keys", check_limit);
	cfg_set_validate_func(root, "share|utm_source", check_utm);
	cfg_set_validate_func(root, "share|utm_medium", check_utm);
	cfg_set_validate_func(root, "share|utm_campaign", check_utm);
	cfg_set_validate_func(root, "share|count_salt_file", check_salt_file);
}

static bool
market_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MARKET_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '-' && *s != '_')
			return false;
	return true;
}

enum rc
share_config_validate(const struct config *cfg)
{
	cfg_t *sec = cfg_getsec(cfg->root, "share");
	enum rc rc = RC_OK;

	if (sec == NULL)
		return RC_OK;
	for (unsigned i = 0; i < cfg_size(sec, "market"); i++) {
		cfg_t *m = cfg_getnsec(sec, "market", i);
		if (!market_name_ok(cfg_title(m)))
			rc = config_error(cfg, m, "market",
			    "bad market name \"%s\" (1..%d of [a-z0-9_-])",
			    cfg_title(m), MARKET_NAME_MAX);
		if (cfg_size(m, "networks") == 0)
			rc = config_error(cfg, m, "networks",
			    "market \"%s\" lists no networks", cfg_title(m));
	}
	return rc;
}

static void
load_list(cfg_t *sec, const char *key, size_t *out, size_t *n, bool *enabled)
{
	*n = 0;
	for (unsigned i = 0; i < cfg_size(sec, key) && *n < SHARE_NETWORKS_MAX; i++) {
		int idx = share_network_index(cfg_getnstr(sec, key, i));
		bool dup = false;
		if (idx < 0)
			continue;
		for (size_t k = 0; k < *n; k++)
			dup = dup || out[k] == (size_t)idx;
		if (dup)
			continue;
		out[(*n)++] = (size_t)idx;
		enabled[idx] = true;
	}
}

/* The host of site_url, as the default allow-list. */
static char *
site_host(const char *site_url)
{
	char h[URL_HOST_MAX + 1];

	return site_url != NULL && url_host_of(site_url, h, sizeof(h)) ? strdup(h) : NULL;
}

static enum rc
load_hosts(cfg_t *sec, const char *site_url, struct share_settings *s)
{
	size_t n = cfg_size(sec, "allowed_hosts");

	s->hosts = calloc(n > 0 ? n : 1, sizeof(char *));
	if (s->hosts == NULL)
		return RC_NOMEM;
	if (n == 0) {
		s->hosts[0] = site_host(site_url);
		s->nhosts = s->hosts[0] != NULL;
		return RC_OK;
	}
	for (size_t i = 0; i < n; i++) {
		char *h = strdup(cfg_getnstr(sec, "allowed_hosts", (unsigned)i));
		if (h == NULL)
			return RC_NOMEM;
		for (char *p = h; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		s->hosts[s->nhosts++] = h;
	}
	return RC_OK;
}

static enum rc
load_markets(cfg_t *sec, struct share_settings *s)
{
	size_t n = cfg_size(sec, "market");

	s->markets = calloc(n > 0 ? n : 1, sizeof(*s->markets));
	if (s->markets == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < n; i++) {
		cfg_t *m = cfg_getnsec(sec, "market", (unsigned)i);
		struct share_market *mk = &s->markets[s->nmarkets++];
		mk->name = cfg_title(m);
		load_list(m, "networks", mk->nets, &mk->n, s->enabled);
	}
	return RC_OK;
}

static enum rc
load_instances(cfg_t *sec, struct share_settings *s)
{
	size_t n = cfg_size(sec, "mastodon_instances");

	s->instances = calloc(n > 0 ? n : 1, sizeof(char *));
	if (s->instances == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < n; i++)
		s->instances[s->ninstances++] = cfg_getnstr(sec, "mastodon_instances", (unsigned)i);
	return RC_OK;
}

enum rc
share_settings_load(const struct config *cfg, struct share_settings *s)
{
	cfg_t *sec = cfg_getsec(cfg->root, "share");
	enum rc rc;

	memset(s, 0, sizeof(*s));
	if (sec == NULL)
		return RC_CONFIG;
	load_list(sec, "networks", s->defaults, &s->ndefaults, s->enabled);
	s->utm_source = cfg_getstr(sec, "utm_source");
	s->utm_medium = cfg_getstr(sec, "utm_medium");
	s->utm_campaign = cfg_getstr(sec, "utm_campaign");
	s->salt_file = cfg_getstr(sec, "count_salt_file");
	s->counting = cfg_getbool(sec, "counting");
	s->per_url_daily = cfg_getint(sec, "count_per_url_daily");
	s->new_urls_daily = cfg_getint(sec, "count_new_urls_daily");
	s->max_counters = cfg_getint(sec, "count_max_counters");
	s->max_daily_keys = cfg_getint(sec, "count_max_daily_keys");
	rc = load_hosts(sec, cfg->site_url, s);
	if (rc == RC_OK)
		rc = load_markets(sec, s);
	if (rc == RC_OK)
		rc = load_instances(sec, s);
	if (rc != RC_OK)
		share_settings_fini(s);
	return rc;
}

void
share_settings_fini(struct share_settings *s)
{
	for (size_t i = 0; s->hosts != NULL && i < s->nhosts; i++)
		free(s->hosts[i]);
	free(s->hosts);
	free(s->markets);
	free(s->instances);
	memset(s, 0, sizeof(*s));
}

const struct share_market *
share_settings_market(const struct share_settings *s, const char *name)
{
	for (size_t i = 0; name != NULL && i < s->nmarkets; i++)
		if (strcmp(s->markets[i].name, name) == 0)
			return &s->markets[i];
	return NULL;
}

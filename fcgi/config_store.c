/* config_store: reads the `store` section into a struct store_conf. */
#include "fcgi/config_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/config.h"
#include "util/log.h"
#include "util/store.h"
#include "util/store_redis.h"

#define PREFIX_MAX 63

static cfg_opt_t store_section_opts[] = {
	CFG_STR("url", NULL, CFGF_NODEFAULT),
	CFG_STR("password_file", NULL, CFGF_NODEFAULT),
	CFG_STR("prefix", "socialhub:", CFGF_NONE),
	CFG_STR("fallback", "none", CFGF_NONE),
	CFG_INT("timeout_ms", 50, CFGF_NONE),
	CFG_INT("breaker_failures", 3, CFGF_NONE),
	CFG_INT("breaker_cooldown_ms", 2000, CFGF_NONE),
	CFG_INT("queue_max", 1024, CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_store_opts[] = {
	CFG_SEC("store", store_section_opts, CFGF_NODEFAULT),
	CFG_END()
};

static int
check_url(cfg_t *cfg, cfg_opt_t *opt)
{
	char err[256];

	if (!store_redis_url_ok(cfg_opt_getnstr(opt, 0), err, sizeof(err)))
		cfg_error(cfg, "KEY url: %s", err);
	return 0;
}

static int
check_prefix(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *p = cfg_opt_getnstr(opt, 0);

	if (strlen(p) > PREFIX_MAX || strpbrk(p, " \t\r\n") != NULL)
		cfg_error(cfg, "KEY prefix: at most %d characters, no spaces", PREFIX_MAX);
	return 0;
}

static int
check_fallback(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *f = cfg_opt_getnstr(opt, 0);

	if (strcmp(f, "none") != 0 && strcmp(f, "local") != 0)
		cfg_error(cfg, "KEY fallback: expected none or local");
	return 0;
}

/* The integer options and their bounds. */
static const struct {
	const char *key;
	long min, max;
} store_ints[] = {
	{ "timeout_ms", 1, 1000 },
	{ "breaker_failures", 1, 100 },
	{ "breaker_cooldown_ms", 100, 600000 },
	{ "queue_max", 0, 100000 },
};

static int
check_int(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);

	for (size_t i = 0; i < sizeof(store_ints) / sizeof(store_ints[0]); i++)
		if (strcmp(opt->name, store_ints[i].key) == 0 &&
		    (v < store_ints[i].min || v > store_ints[i].max))
			cfg_error(cfg, "KEY %s: must be %ld-%ld", opt->name,
			    store_ints[i].min, store_ints[i].max);
	return 0;
}

void
config_store_checks(cfg_t *root)
{
	char path[64];

	cfg_set_validate_func(root, "store|url", check_url);
	cfg_set_validate_func(root, "store|prefix", check_prefix);
	cfg_set_validate_func(root, "store|fallback", check_fallback);
	for (size_t i = 0; i < sizeof(store_ints) / sizeof(store_ints[0]); i++) {
		snprintf(path, sizeof(path), "store|%s", store_ints[i].key);
		cfg_set_validate_func(root, path, check_int);
	}
}

/* The section, or NULL when the file has none (single node) or the
 * schema has none (a test's feature table without STORE_FEATURE: asking
 * libconfuse for an unknown option would be an error). */
static cfg_t *
store_section(const struct config *cfg)
{
	for (cfg_opt_t *o = cfg->root->opts; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, "store") == 0)
			return cfg_size(cfg->root, "store") > 0 ? cfg_getsec(cfg->root, "store") : NULL;
	return NULL;
}

bool
config_has_store(const struct config *cfg)
{
	return store_section(cfg) != NULL;
}

enum rc
config_store(const struct config *cfg, struct store_conf *out, char **password)
{
	cfg_t *sec = store_section(cfg);
	const char *file;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	*password = NULL;
	out->local_dir = cfg->state_dir;
	if (sec == NULL)
		return RC_NOTFOUND;
	out->url = cfg_getstr(sec, "url");
	if (out->url == NULL)
		return config_error(cfg, sec, "url", "missing (redis://HOST:PORT/DB or unix:/PATH)");
	out->prefix = cfg_getstr(sec, "prefix");
	out->fallback_local = strcmp(cfg_getstr(sec, "fallback"), "local") == 0;
	out->timeout_ms = cfg_getint(sec, "timeout_ms");
	out->breaker_failures = cfg_getint(sec, "breaker_failures");
	out->breaker_cooldown_ms = cfg_getint(sec, "breaker_cooldown_ms");
	out->queue_max = cfg_getint(sec, "queue_max");
	file = cfg_getstr(sec, "password_file");
	if (file == NULL)
		return RC_OK;
	if (config_secret_read(cfg, sec, "password_file", file, false, password, &len) != RC_OK)
		return RC_CONFIG;
	/* A trailing newline is the editor's, not the password's. */
	while (len > 0 && ((*password)[len - 1] == '\n' || (*password)[len - 1] == '\r'))
		(*password)[--len] = '\0';
	out->password = *password;
	return RC_OK;
}

enum rc
config_store_open(const struct config *cfg, struct store **out)
{
	struct store_conf conf;
	char *password;
	enum rc rc = config_store(cfg, &conf, &password);

	*out = NULL;
	if (rc == RC_NOTFOUND)
		return RC_OK;
	if (rc == RC_OK)
		rc = store_open(&conf, out);
	if (password != NULL)
		config_secret_wipe(password, strlen(password));
	if (rc != RC_OK)
		log_kv(LOG_ERROR, "store_open_failed", "error", rc_str(rc), NULL);
	return rc;
}

enum rc
config_store_validate(const struct config *cfg)
{
	struct store_conf conf;
	char *password;
	enum rc rc = config_store(cfg, &conf, &password);

	if (password != NULL)
		config_secret_wipe(password, strlen(password));
	return rc == RC_NOTFOUND ? RC_OK : rc;
}

enum rc
config_store_init(const struct config *cfg, void **ctx)
{
	struct store *s;
	enum rc rc = config_store_open(cfg, &s);

	*ctx = s;
	return rc;
}

void
config_store_fini(void *ctx)
{
	store_close(ctx);
}

bool
config_store_health(void *ctx, json_t *report)
{
	struct store *s = ctx;

	/* A single node's report stays as it was. */
	if (s == NULL)
		return true;
	/* At most once a second per worker (health.c): a PING keeps the
	 * state current even on a node that serves only widgets. */
	store_ping(s);
	json_object_set_new(report, "store", store_health(s));
	return true;
}

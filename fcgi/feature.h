/* feature: how oauth/ and widgets/ plug into the process model. */
#ifndef SOCIALHUB_FCGI_FEATURE_H
#define SOCIALHUB_FCGI_FEATURE_H

#include <signal.h>
#include <stdio.h>

#include <stdbool.h>

#include <confuse.h>
#include <jansson.h>

#include "util/rc.h"

struct config;
struct identity;
struct request;
struct route;

/*
 * One row per feature in fcgi/routes.c. Every member may be NULL.
 * - opts: extra top-level config options (sections), CFG_END-terminated;
 *   merged into the schema so unknown keys stay errors.
 * - checks: registers libconfuse validate callbacks (cfg_set_validate_func,
 *   e.g. "stream|source|url") that report with cfg_error(cfg, "KEY k: ...")
 *   and return 0, so each error names its own line and parsing goes on;
 *   "WARN KEY k: ..." reports a warning, which does not fail the load.
 *   The entries of a string list are checked by a value callback in the
 *   option table instead (CFG_STR_LIST_CB, cfgval_keep in util/cfgval.h).
 * - validate: called after a successful parse with the root cfg_t; reports
 *   each problem with config_error() (file:line:key) and returns RC_CONFIG
 *   if there was one.
 * - init/fini: per-process context, built after fork in every worker (and
 *   in CGI mode) from the immutable config.
 * - routes_ctx: the context the route handlers (and parameter parsers)
 *   get, made from ctx; NULL: ctx itself.
 * - identify: resolves who is signed in (oauth/ only).
 * - refresh: one refresher pass (widgets/), called in the refresher
 *   process; returns seconds until it wants to run again. `stop` becomes
 *   non-zero when the process must exit soon.
 * - describe: prints what the feature will do with the config, one line
 *   per thing, to out (`check-config --list`); must not fetch or write.
 * - health: adds the feature's part to the /healthz JSON object `report`
 *   (e.g. "streams"); returns false when the service is degraded (503).
 * - master_start: called once in the master before it forks its first
 *   children (not on reload; not in CGI mode): maps what the feature's
 *   workers share (share/'s table of the day's visitor keys). A failure
 *   is logged and the feature runs without it.
 * - master_stop: called once in the master after its children are gone
 *   at a clean stop (share/ saves that table for the next start).
 * - idle: deferred work of a worker (share/'s batch of counts), called
 *   between requests when no request is waiting, just before the worker
 *   blocks for the next one; must be cheap when there is nothing to do.
 */
struct feature {
	const char *name;
	cfg_opt_t *opts;
	void (*checks)(cfg_t *root);
	enum rc (*validate)(const struct config *cfg);
	enum rc (*init)(const struct config *cfg, void **ctx);
	void (*fini)(void *ctx);
	const struct route *routes;
	void *(*routes_ctx)(void *ctx);
	enum rc (*identify)(void *ctx, struct request *req, struct identity *out);
	long (*refresh)(void *ctx, volatile sig_atomic_t *stop);
	bool (*health)(void *ctx, json_t *report);
	void (*describe)(const struct config *cfg, FILE *out);
	void (*idle)(void *ctx);
	enum rc (*master_start)(const struct config *cfg);
	void (*master_stop)(const struct config *cfg);
};

/* At most this many rows in a feature table. */
#define FEATURE_MAX 16

/*
 * config_load_parts (fcgi/config.h) with the schema parts of every row of
 * `features` (NULL-name-terminated). RC_CONFIG past FEATURE_MAX rows.
 */
enum rc config_load(const char *path, const struct feature *features,
    struct config **out);

/* The feature table, NULL-name-terminated (fcgi/routes.c). */
extern const struct feature routes_features[];

#endif

/* share: share intents, counters and buttons — the feature row. */
#ifndef SOCIALHUB_WIDGETS_SHARE_H
#define SOCIALHUB_WIDGETS_SHARE_H

#include <stdbool.h>

#include <confuse.h>
#include <jansson.h>

#include "fcgi/feature.h"
#include "fcgi/router.h"
#include "widgets/share/share_config.h"

/* Per-key checks (networks, hosts, instances, UTM values, salt file). */
void share_checks(cfg_t *root);
/* Post-parse checks (market names). */
enum rc share_validate(const struct config *cfg);
/* Per-process context: parsed settings, salt, SQLite handle. */
enum rc share_init(const struct config *cfg, void **ctx);
void share_fini(void *ctx);
/* Adds "share" to /healthz; false when counting is on and the store fails. */
bool share_health(void *ctx, json_t *report);
/* In the master before fork: the table of the day's visitor keys that
 * its workers share (share_day.h), sized from count_max_daily_keys;
 * none with counting off or a `store` section. */
enum rc share_master_start(const struct config *cfg);
/* In the master at a clean stop: saves that table to state_dir/share.day
 * for the next start of the same day. */
void share_master_stop(const struct config *cfg);
/* The worker's idle hook: counts the shares its batch holds. */
void share_idle(void *ctx);
/* GET /share/counts, /share/buttons.html, /share/{network}. */
extern const struct route share_routes[];

/* The feature row for fcgi/routes.c. */
#define SHARE_FEATURE { .name = "share", .opts = share_opts, \
	.checks = share_checks, .validate = share_validate, .init = share_init, \
	.fini = share_fini, .routes = share_routes, .health = share_health, \
	.idle = share_idle, .master_start = share_master_start, \
	.master_stop = share_master_stop }

#endif

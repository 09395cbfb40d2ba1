/* config_store: the `store { }` section and the row that reports on it. */
#ifndef SOCIALHUB_FCGI_CONFIG_STORE_H
#define SOCIALHUB_FCGI_CONFIG_STORE_H

#include <stdbool.h>

#include <confuse.h>
#include <jansson.h>

#include "util/rc.h"

struct config;

extern cfg_opt_t config_store_opts[];
void config_store_checks(cfg_t *root);
enum rc config_store_validate(const struct config *cfg);
/* Per process: a store handle of its own, for /healthz. */
enum rc config_store_init(const struct config *cfg, void **ctx);
void config_store_fini(void *ctx);
/* Adds "store" to the report (state, backend, failures; nothing without
 * a section). Always true: a store outage must not take every node out of
 * the load balancer at once (widgets and /auth/check serve without it). */
bool config_store_health(void *ctx, json_t *report);

/* The row for the feature table (fcgi/routes.c): no routes. */
#define STORE_FEATURE { \
	.name = "store", .opts = config_store_opts, .checks = config_store_checks, \
	.validate = config_store_validate, .init = config_store_init, \
	.fini = config_store_fini, .health = config_store_health, \
}

#endif

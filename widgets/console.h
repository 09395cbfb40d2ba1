/* console: the moderation console under MOUNT/admin/moderation (on the
 * admin shell, fcgi/admin.h) — a queue per stream with media previews,
 * filters, bulk decisions, a preview of the stream as visitors see it and
 * the audit log as CSV and JSON. */
#ifndef SOCIALHUB_WIDGETS_CONSOLE_H
#define SOCIALHUB_WIDGETS_CONSOLE_H

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "fcgi/router.h"
#include "util/rc.h"
#include "util/store.h"
#include "widgets/streams/moderation.h"

/*
 * Opens the store moderation keeps its data in — the `store` section's
 * (Redis, several nodes), else SQLite in state_dir — and moderation on
 * it. Both NULL, with the error logged, when it cannot be opened: then
 * moderated streams keep their last merge and the console answers 503.
 */
enum rc console_store_open(const struct config *cfg, struct store **st, struct mod **mod);

enum rc console_init(const struct config *cfg, void **ctx);
void console_fini(void *ctx);
extern const struct route console_routes[];

/* The row for the feature table (fcgi/routes.c). */
#define CONSOLE_FEATURE { .name = "moderation", .init = console_init, \
	.fini = console_fini, .routes = console_routes }

#endif

/* views: the widget routes — streams in four formats, profile boxes, the
 * media proxy — served from what the refresher published. */
#ifndef SOCIALHUB_WIDGETS_VIEWS_H
#define SOCIALHUB_WIDGETS_VIEWS_H

#include <signal.h>
#include <stdbool.h>

#include "fcgi/router.h"
#include "util/rc.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/fetcher.h"
#include "widgets/streams/stream.h"

struct config;
struct views;

/* What views needs from the streams feature; all borrowed. */
struct views_conf {
	const struct config *cfg;
	const struct stream_conf *streams;
	size_t nstreams;
	struct cache *cache;
	bool allow_private;
	struct fetcher_opts fetch;
	/* CGI mode (no refresher): refreshes a stale stream inline. */
	enum rc (*ensure_fresh)(void *arg, const char *stream);
	void *fresh_arg;
	/* Several nodes: pages are dated by the stream's last change, not
	 * the clock (publish_conf.stable_clock). */
	bool stable_clock;
};

/* Per-process state: page caches (workers) and the publisher (refresher). */
enum rc views_new(const struct views_conf *conf, struct views **out);
void views_free(struct views *v);

/*
 * The refresher side: publishes streams whose merge changed (publish.h),
 * only `stream` when not NULL, all with `force`; rep (may be NULL) is the
 * refresher pass that just ran, whose merges are published from memory.
 * Logs its own errors.
 */
struct refresh_report;
void views_publish(struct views *v, const char *stream, bool force,
    volatile sig_atomic_t *stop, const struct refresh_report *rep);

/*
 * The widget routes, the /streams list included. Handlers get the
 * struct views (the feature's routes_ctx).
 */
extern const struct route views_routes[];

#endif

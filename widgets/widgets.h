/* widgets: activity streams, widget routes and share endpoints. */
#ifndef SOCIALHUB_WIDGETS_WIDGETS_H
#define SOCIALHUB_WIDGETS_WIDGETS_H

#include <signal.h>
#include <stdbool.h>

#include <confuse.h>
#include <jansson.h>

#include "fcgi/feature.h"
#include "widgets/feeds/feed_cli.h"
#include "widgets/streams/stream.h"
#include "widgets/views.h"

struct config;
struct widgets;

/* The feature's pieces (widgets/widgets.c). */
extern cfg_opt_t widgets_opts[];
void widgets_checks(cfg_t *root);
enum rc widgets_init(const struct config *cfg, void **ctx);
void widgets_fini(void *ctx);
long widgets_refresh(void *ctx, volatile sig_atomic_t *stop);
bool widgets_health(void *ctx, json_t *report);

/* The configured streams (immutable) and the cache, for the widget routes. */
const struct stream_conf *widgets_streams(const struct widgets *w, size_t *n);
const struct stream_conf *widgets_stream(const struct widgets *w, const char *name);
const struct cache *widgets_cache(const struct widgets *w);
/* The widget routes' per-process state (views.h). */
struct views *widgets_views(const struct widgets *w);
/* GET /streams: the configured streams (a row of views_routes). */
enum rc widgets_streams_list(struct request *req, struct response *res, void *ctx);
/*
 * CGI mode: refreshes stream `name` inline when it is stale (one
 * refresher pass over its sources) and publishes it (views_publish),
 * handing the pass's merge over in memory. The FastCGI workers never
 * call it: there the refresher process keeps the cache current.
 */
enum rc widgets_ensure_fresh(struct widgets *w, const char *name);

/* `socialhub refresh [--stream NAME] [--force] [-c FILE]`. */
int widgets_cmd_refresh(int argc, char **argv, const struct feature *features);

/* The feature row for fcgi/routes.c. */
#define WIDGETS_FEATURE { .name = "widgets", .opts = widgets_opts, \
	.checks = widgets_checks, .init = widgets_init, .fini = widgets_fini, \
	.routes = views_routes, .refresh = widgets_refresh, \
	.health = widgets_health }

/* Extra sub-commands (refresh, parse) for fcgi/main.c's table. */
#define WIDGETS_COMMANDS \
	{ "refresh", "refresh [--stream NAME] [--force] [-c FILE]  one refresh pass now", widgets_cmd_refresh }, \
	{ "parse", "parse [--base URL] FILE|-    parse one feed, print JSON Feed 1.1", widgets_cmd_parse },

#endif

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
#include "widgets/streams/streams_conf.h"
#include "widgets/views.h"

struct config;
struct widgets;

/* The feature's pieces (widgets/widgets.c; its options and their checks
 * are the streams', widgets/streams/streams_conf.h). */
enum rc widgets_init(const struct config *cfg, void **ctx);
void widgets_fini(void *ctx);
long widgets_refresh(void *ctx, volatile sig_atomic_t *stop);
bool widgets_health(void *ctx, json_t *report);
/* check-config --list: per stream and source, what the refresher will
 * fetch (URL without its query) and how often. */
void widgets_describe(const struct config *cfg, FILE *out);

/* The configured streams (immutable) and the cache, for the widget routes. */
const struct stream_conf *widgets_stream(const struct widgets *w, const char *name);
/* The widget routes' context: the feature's struct views (views.h). */
void *widgets_routes_ctx(void *ctx);

/* `socialhub refresh [--stream NAME] [--force] [-c FILE]`. */
int widgets_cmd_refresh(int argc, char **argv, const struct feature *features);
/* `socialhub discover URL`: the feeds a page names, each fetched. */
int widgets_cmd_discover(int argc, char **argv, const struct feature *features);

/* The feature row for fcgi/routes.c. */
#define WIDGETS_FEATURE { .name = "widgets", .opts = streams_opts, \
	.checks = streams_checks, .init = widgets_init, .fini = widgets_fini, \
	.routes = views_routes, .routes_ctx = widgets_routes_ctx, .refresh = widgets_refresh, \
	.health = widgets_health, .describe = widgets_describe }

/* Extra sub-commands (refresh, parse) for fcgi/main.c's table. */
#define WIDGETS_COMMANDS \
	{ "refresh", "refresh [--stream NAME] [--force] [-c FILE]  one refresh pass now", widgets_cmd_refresh }, \
	{ "parse", "parse [--base URL] [--content-type TYPE] [--max-items N] FILE|-\n"         \
	    "                             parse one feed, print JSON Feed 1.1", widgets_cmd_parse }, \
	{ "discover", "discover [-c FILE] URL      the feeds a web page names", widgets_cmd_discover },

#endif

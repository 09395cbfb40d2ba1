/* widgets: activity streams, widget routes and share endpoints. */
#ifndef SOCIALHUB_WIDGETS_WIDGETS_H
#define SOCIALHUB_WIDGETS_WIDGETS_H

#include "fcgi/feature.h"
#include "widgets/feed_cli.h"

/* The feature row for fcgi/routes.c; filled by the streams issue. */
#define WIDGETS_FEATURE { .name = "widgets" }
/* Extra sub-commands (refresh, parse) for fcgi/main.c's table. */
#define WIDGETS_COMMANDS \
	{ "parse", "parse [--base URL] FILE|-    parse one feed, print JSON Feed 1.1", widgets_cmd_parse },

#endif

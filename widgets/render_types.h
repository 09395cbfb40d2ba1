/* render_types: the page, query and site types render.h, the renderers
 * (render_formats.h) and their shared helpers (render_common.h) use. */
#ifndef SOCIALHUB_WIDGETS_RENDER_TYPES_H
#define SOCIALHUB_WIDGETS_RENDER_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/feeds/feed.h"

struct catalog;

#define RENDER_LIMIT_DEFAULT 20
#define RENDER_LIMIT_MAX 100
#define RENDER_CURSOR_MAX 1500   /* bytes of a `before` cursor */

enum render_format {
	RENDER_JSON,    /* JSON Feed 1.1, application/feed+json */
	RENDER_AS2,     /* ActivityStreams 2.0, application/activity+json */
	RENDER_ATOM,    /* Atom 1.0, application/atom+xml */
	RENDER_HTML,    /* HTML fragment, text/html */
	RENDER_FORMAT_COUNT
};

enum render_layout {
	RENDER_LIST,
	RENDER_GRID,
	RENDER_CAROUSEL,
	RENDER_LAYOUT_COUNT
};

/* Where a page starts: after the item a `before` cursor names. */
struct render_before {
	long long published;
	bool hashed;           /* id holds hex SHA-256 of the item id */
	const char *id;
};

/* Where the public pages live. */
struct render_site {
	const char *base;   /* site_url + mount, no trailing '/': media and page URLs */
	const char *home;   /* site_url: the brand's home page */
	const struct catalog *catalog;  /* the words (util/catalog.h) */
};

/* What one request asks for; values already checked by the route table. */
struct render_query {
	long limit;                /* 1..RENDER_LIMIT_MAX */
	const char *before;        /* cursor text (render_cursor) or NULL: URLs */
	const struct render_before *cursor;  /* it parsed, NULL: the first page */
	const char *source;        /* filters, NULL: any */
	const char *tag;
	const char *market;
	enum render_layout layout; /* HTML only */
	const char *lang;          /* HTML: the words' language (a catalog's), NULL: default */
};

/* A configured source, for display names of items without an author. */
struct render_source {
	const char *name;    /* the `source NAME` of the config */
	const char *title;   /* its display title, NULL: the name */
	const char *avatar;  /* its account's picture (proxied URL), may be NULL */
};

/* One page, ready to render. Items come from render_prepare. */
struct render_page {
	const struct render_site *site;
	const char *stream;        /* the stream's name */
	const char *title;         /* display title */
	const char *description;   /* may be NULL */
	const struct feed_item *const *items;
	size_t nitems;
	const char *self_url;      /* this page, absolute */
	const char *feed_url;      /* the first page with the same filters */
	const char *next_url;      /* the next page, NULL on the last one */
	long long updated;         /* when the stream last changed, Unix s */
	long long now;             /* for relative dates (HTML), written as data-now */
	const char *lang;          /* HTML: the words' language (a catalog's) */
	enum render_layout layout; /* HTML only */
	bool show_counts;          /* HTML shows items' counts (stream show_counts) */
	const struct render_source *sources;   /* may be NULL */
	size_t nsources;
};

#endif

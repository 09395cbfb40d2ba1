/* render: one page of a stream as JSON Feed, ActivityStreams, Atom or HTML. */
#ifndef SOCIALHUB_WIDGETS_RENDER_H
#define SOCIALHUB_WIDGETS_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"
#include "widgets/feeds/feed.h"

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
	long long now;             /* for relative dates (HTML) */
	enum render_layout layout; /* HTML only */
	const struct render_source *sources;   /* may be NULL */
	size_t nsources;
};

/* The display name of an item's source: its configured title, else its
 * name; NULL when the item has no source. */
const char *render_source_title(const struct render_page *p, const struct feed_item *it);
/* The picture of an item's source account (proxied), or NULL. */
const char *render_source_avatar(const struct render_page *p, const struct feed_item *it);

/*
 * Each renderer appends one page to `out`. They are pure: no clock, no
 * I/O. Text is escaped for its context here; content_html is emitted as
 * render_prepare left it. RC_LIMIT when `out` is full, RC_NOMEM.
 */
enum rc render_json(struct buf *out, const struct render_page *p);
enum rc render_as2(struct buf *out, const struct render_page *p);
enum rc render_atom(struct buf *out, const struct render_page *p);
enum rc render_html(struct buf *out, const struct render_page *p);

/* The renderer, media type and file extension of a format. */
enum rc render_page_as(enum render_format f, struct buf *out, const struct render_page *p);
const char *render_format_type(enum render_format f);
const char *render_format_ext(enum render_format f);   /* "json", ... */

/* The layouts' names by enum render_layout, NULL-terminated (the words of
 * the `layout` parameter). */
extern const char *const render_layouts[RENDER_LAYOUT_COUNT + 1];
/* "list" | "grid" | "carousel" and back; false for anything else. */
bool render_layout_parse(const char *s, enum render_layout *out);
const char *render_layout_name(enum render_layout l);

/*
 * Makes a feed safe and self-contained for rendering, into `out` (arena
 * memory, shallow where nothing changes): every image (item image, banner,
 * avatars, image attachments, <img> in content_html) points at
 * {base}/media/{id} (media.h); links other than http(s) (javascript:, data:
 * ...) are dropped from url, external_url, author and attachment URLs; the
 * feed icon and authors are mapped too. Run once when the stream changes.
 */
enum rc render_prepare(struct arena *a, const struct feed *in,
    const struct render_site *site, struct feed *out);

/* The same, keeping only images for which have(arg, id) is true (those
 * the cache holds), so no page shows a broken image. */
enum rc render_prepare_have(struct arena *a, const struct feed *in,
    const struct render_site *site, bool (*have)(void *arg, const char *id),
    void *arg, struct feed *out);

/*
 * render_prepare_have for a caller that already ran each item's
 * content_html through the media pass (media_html_prepare, mapping to
 * {base}/media/{id}): content[i] is in->items[i]'s, and only the images
 * have() refuses are cut from it, without another parse. content may be
 * NULL (the pass is run here).
 */
struct media_html;
enum rc render_prepare_media(struct arena *a, const struct feed *in,
    const struct render_site *site, bool (*have)(void *arg, const char *id),
    void *arg, const struct media_html *content, struct feed *out);

/*
 * Selects one page: items matching the query's filters (source, market:
 * exact; tag: case-insensitive), starting after q->cursor, at most
 * q->limit of them. *items is an arena array; *more says whether a next
 * page exists. A cursor whose item has left the stream continues at the
 * first newer-than-or-equal miss, so a walk never repeats an item.
 */
enum rc render_select(struct arena *a, const struct feed *f,
    const struct render_query *q, const struct feed_item ***items, size_t *n,
    bool *more);

/* Appends the opaque cursor that continues after `it` (base64url). */
enum rc render_cursor(struct buf *b, const struct feed_item *it);
/* Reads a cursor render_cursor made into *out (strings in a's memory);
 * RC_INVALID when it is malformed. */
enum rc render_before_parse(struct arena *a, const char *s, struct render_before *out);

/*
 * Appends the canonical URL of a page: {base}/streams/{stream}.{ext} with
 * the query's non-default parameters in a fixed order, and `before` when
 * not NULL. layout only for HTML.
 */
enum rc render_page_url(struct buf *b, const struct render_site *s,
    const char *stream, enum render_format f, const struct render_query *q,
    const char *before);

/* ---- helpers shared by the renderers ---- */

/* "2026-03-01T12:00:00Z". */
enum rc render_rfc3339(struct buf *b, long long t);
/* "31 Dec 2025, 23:55 UTC". */
enum rc render_human_date(struct buf *b, long long t);
/* "just now", "5 minutes ago", "yesterday", "3 weeks ago", "12 Mar 2025". */
enum rc render_relative(struct buf *b, long long t, long long now);

enum render_kind { RENDER_NOTE, RENDER_ARTICLE, RENDER_VIDEO, RENDER_IMAGE };
/*
 * What an item is: Video (a video attachment or a YouTube/Vimeo/PeerTube
 * link), Article (a title that is not just the start of the text), Image
 * (an image and next to no text), else Note.
 */
enum render_kind render_item_kind(const struct feed_item *it);
/* "Note", "Article", "Video", "Image" (the ActivityStreams type names). */
const char *render_kind_name(enum render_kind k);

/* The network an URL belongs to, by host and path: id and display label. */
struct render_network {
	const char *id;      /* "mastodon", "youtube", "bluesky", ..., "web" */
	const char *label;   /* "Mastodon", "YouTube", ... */
};
struct render_network render_network_of(const char *url);

/*
 * Plain text of an item for a title or alt text: title, else summary,
 * else content_text, else content_html without tags (entities decoded),
 * whitespace collapsed, cut at a word boundary to at most `max` bytes with
 * an ellipsis. Appends nothing when the item has no text.
 */
enum rc render_excerpt(struct buf *b, const struct feed_item *it, size_t max);
/* The same without the title (for Notes whose "title" is the text). */
enum rc render_text_excerpt(struct buf *b, const struct feed_item *it, size_t max);

/* True for an absolute http(s) URL we may put into an href. */
bool render_link_ok(const char *url);
/* True when s looks like an IRI (scheme ":" ...), usable as an id. */
bool render_is_iri(const char *s);

#endif

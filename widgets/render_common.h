/* render_common: what the renderers share (render_common.c). */
#ifndef SOCIALHUB_WIDGETS_RENDER_COMMON_H
#define SOCIALHUB_WIDGETS_RENDER_COMMON_H

#include <stdbool.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/rc.h"
#include "widgets/render_types.h"

/* The layouts' names by enum render_layout, NULL-terminated (the words of
 * the `layout` parameter). */
extern const char *const render_layouts[RENDER_LAYOUT_COUNT + 1];
/* "list" | "grid" | "carousel" and back; false for anything else. */
bool render_layout_parse(const char *s, enum render_layout *out);
const char *render_layout_name(enum render_layout l);

/* The display name of an item's source: its configured title, else its
 * name; NULL when the item has no source. */
const char *render_source_title(const struct render_page *p, const struct feed_item *it);
/* The picture of an item's source account (proxied), or NULL. */
const char *render_source_avatar(const struct render_page *p, const struct feed_item *it);

/* "2026-03-01T12:00:00Z". */
enum rc render_rfc3339(struct buf *b, long long t);
/* (Dates for people are util/icufmt.h's, in the page's language.) */

enum render_kind { RENDER_NOTE, RENDER_ARTICLE, RENDER_VIDEO, RENDER_IMAGE };
/*
 * What an item is: the kind an API source gave (photo: Image, reel:
 * Video), else Video (a video attachment, e.g. PeerTube's video/mp4
 * media, or a YouTube/Vimeo link), Article (a title that is not just the start of the text), Image
 * (an image and next to no text), else Note.
 */
enum render_kind render_item_kind(const struct feed_item *it);
/* "Note", "Article", "Video", "Image" (the ActivityStreams type names). */
const char *render_kind_name(enum render_kind k);

/*
 * One count in words: the catalog's plural entry `key` for n in lang
 * (its form for n's CLDR category, by fmt's locale), with {n} as
 * <data value="n"> holding n in compact notation ("1.2K", "1万"). Shared
 * by the stream's counts and the profile boxes' followers.
 */
struct catalog;
struct icufmt;
enum rc render_count(struct buf *b, const struct catalog *c, const char *lang,
    struct icufmt *fmt, const char *key, long long n);

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

/* Appends j as compact JSON and a newline; on failure `out` is left as it
 * was. Does not take the reference. */
enum rc render_dump_json(struct buf *out, const json_t *j);

/* Sets key to a string when s is not NULL/empty; false on no memory. */
bool render_json_set_str(json_t *o, const char *key, const char *s);
/* Sets key to t as RFC 3339 UTC; false on no memory. */
bool render_json_set_date(json_t *o, const char *key, long long t);

#endif

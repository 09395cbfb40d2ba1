/* render: one page of a stream as JSON Feed, ActivityStreams, Atom or HTML. */
#ifndef SOCIALHUB_WIDGETS_RENDER_H
#define SOCIALHUB_WIDGETS_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"
#include "widgets/feeds/feed.h"
#include "widgets/render_types.h"

/* The renderer, media type and file extension of a format. */
enum rc render_page_as(enum render_format f, struct buf *out, const struct render_page *p);
const char *render_format_type(enum render_format f);
const char *render_format_ext(enum render_format f);   /* "json", ... */

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

#endif

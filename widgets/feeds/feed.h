/* feed: the feed parser's API: detect, parse into the item model
 * (feed_model.h), and the JSON Feed form of the model. */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/feeds/feed_model.h"

struct jsonw;

/*
 * Detects the format and parses body[0..len) into `out`, all memory from
 * `a`. RC_INVALID with nothing usable (not a feed, or unparseable);
 * ill-formed but recoverable XML still yields items.
 */
enum rc feed_parse(struct arena *a, const char *body, size_t len,
    const struct feed_parse_opts *opts, struct feed *out);

/* Cheap format sniffing on the first bytes (BOM, prolog, root element,
 * namespace, version); FEED_UNKNOWN when it is not a feed. feed_parse
 * decides on the parsed root, this is for callers that want a hint. */
enum feed_format feed_detect(const char *body, size_t len);
/* "rss20", "rss10", "atom10", "json11", ... ("unknown"); never NULL. */
const char *feed_format_name(enum feed_format f);
/* "note", "photo", "video", "reel", "article"; NULL for FEED_KIND_UNSET. */
const char *feed_kind_name(enum feed_kind k);
/* The kind of such a name; FEED_KIND_UNSET for NULL or any other word. */
enum feed_kind feed_kind_parse(const char *s);

/* The feed as a JSON Feed 1.1 object (new reference, NULL on no memory).
 * This is also the on-disk form of parsed items in the cache. */
json_t *feed_to_json(const struct feed *f);
/*
 * feed_to_json's document written as it goes, for hot paths (no tree of a
 * node per value): through w, the bytes json_dump_callback writes for
 * feed_to_json(f) with the flags w was set up with (util/jsonw.h).
 * Returns jsonw_flush's result.
 */
enum rc feed_write_json(const struct feed *f, struct jsonw *w);
/*
 * feed_write_json's document up to "items", its top object left open for
 * the caller's own members after them (then jsonw_obj_end, jsonw_flush).
 * The first `npinned` items carry "pinned": true, last in their
 * "_socialhub" object: a merged stream as the cache stores it.
 */
void feed_write_json_begin(const struct feed *f, size_t npinned, struct jsonw *w);
/* feed_write_json_begin in pieces, for items written as they are parsed
 * (feed_parse_opts.sink): the document up to the items' opening bracket,
 * then one item; the caller closes with jsonw_arr_end, jsonw_obj_end. */
void feed_write_json_head(const struct feed *f, struct jsonw *w);
void feed_write_json_item(const struct feed_item *it, bool pinned,
    struct jsonw *w);
/*
 * Makes f, in place, what feed_from_json(feed_to_json(f)) gives: "" and
 * strings that are not UTF-8 become NULL (non-UTF-8 tags and images
 * go), dates round to what RFC 3339 keeps, an attachment without a URL
 * goes and one without a type gets application/octet-stream. So items
 * handed on in memory are the ones a reader of the cache would see. Like
 * a read-back it is not idempotent (a type "" becomes none, then
 * application/octet-stream): call it once per write it stands for.
 */
void feed_normalize(struct feed *f);
/* Reads back what feed_to_json wrote (the cache), into arena memory. */
enum rc feed_from_json(struct arena *a, const json_t *j, struct feed *out);

#endif

/* stream: merge the sources of one stream — dedupe, filters, pins, cap. */
#ifndef SOCIALHUB_WIDGETS_STREAM_H
#define SOCIALHUB_WIDGETS_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/moderation.h"
#include "widgets/streams/src.h"
#include "widgets/feeds/feed.h"

#define STREAM_NAME_MAX 64
#define STREAM_MAX_ITEMS_DEFAULT 200
#define STREAM_MAX_ITEMS_LIMIT 10000
#define STREAM_HELD_IMAGES 256

/* One `source NAME { ... }` block, immutable once the config is loaded. */
struct stream_source {
	const char *name;
	const char *url;
	const char *market;   /* NULL: none */
	const char *title;    /* display name; NULL: the feed's own title */
	const char *lang;     /* its posts' language when they and the feed name none */
	long every;           /* seconds, already clamped to [1 min, 24 h] */
	const char *feed_type;/* "rss", "atom" or "json": of the feeds a
	                       * page names, tried first; NULL: page order */
	char key[CACHE_KEY_LEN + 1];  /* cache key of the URL */
	/* type and API keys; for an API source (src_is_api) `url` is the
	 * first request, as src_identity_url makes it. */
	struct src_conf api;
	/* `moderation`, else the stream's, else queue for earned sources
	 * and auto for the brand's own. */
	enum mod_mode moderation;
};

/* One `stream NAME { ... }` block. */
struct stream_conf {
	const char *name;
	const char *title;
	struct stream_source *sources;
	size_t nsources;
	const char **include, **exclude, **pin, **hide;
	size_t ninclude, nexclude, npin, nhide;
	long max_items;
	bool show_counts;     /* HTML shows likes, comments, shares, views */
	const char *lang;     /* the widgets' words; NULL: by the visitor's browser */
	/* Moderation: the rules, and whether the stream is moderated at all
	 * (a `moderation` key, a rule, or a source in queue mode); only a
	 * moderated stream reads the store. */
	struct mod_rules rules;
	bool moderated;
};

/* What the merge gets per source: its config and last good items. */
struct stream_input {
	const struct stream_source *source;
	const struct feed *feed;   /* NULL when the source has no items yet */
	/* stream_rebuild_with: the hex SHA-256 of the items.json payload
	 * that `feed` was written as, when the caller parsed it itself;
	 * NULL: the feed comes from items.json. */
	const char *items_sum;
};

/* The merged stream: pinned items first (in pin order), then newest first. */
struct stream_merged {
	struct feed feed;
	size_t npinned;
	size_t nduplicates;   /* dropped as duplicates */
	size_t nfiltered;     /* dropped by include/exclude/hide */
	/* Moderated streams: the first picture of each item held back, for
	 * the console's previews through the media proxy (at most
	 * STREAM_HELD_IMAGES). */
	const char **held_images;
	size_t nheld_images;
};

/*
 * Canonical form of an http(s) URL for de-duplication and pin/hide
 * matching: scheme and host lower-cased, default port, fragment, userinfo,
 * utm_* and click-id parameters (fbclid, gclid, mc_cid, mc_eid) dropped.
 * RC_INVALID for anything that is not an absolute http(s) URL.
 */
enum rc stream_canonical_url(struct arena *a, const char *url, char **out);

/*
 * True when `text` contains one of words[0..n), case-insensitively
 * (ASCII), as a whole word or phrase; a word ending in '*' matches as a
 * prefix ("giveaway*" matches "giveaways").
 */
bool stream_words_match(const char *text, const char *const *words, size_t n);

/* The plain text an item is filtered on: title + text (tags stripped). */
char *stream_item_text(struct arena *a, const struct feed_item *it);

/*
 * Merges in[0..n) into `out` (arena memory). A moderated stream shows
 * only what `mod` (its view of the store's decisions; NULL: none could
 * be read) lets through (mod_view_visible), with moderators' pins after
 * the config's; its items met for the first time are noted in `mod`.
 * Then: each item gets its source name and market, and a language when
 * it has none: its feed's, else its source's `lang`; repeated GUIDs within a source are kept apart (salted
 * by URL) when they name different items and dropped when they repeat
 * one; hide, include and exclude apply; items are de-duplicated across
 * sources by id (when globally unique: it holds a ':' or is at least 16
 * bytes) or canonical URL, sorted pinned first then newest first (dates in
 * the future count as `now`), and cut to max_items. `prev` (may be NULL),
 * the previous merged stream, supplies pinned items that have dropped out
 * of their source.
 */
enum rc stream_merge(struct arena *a, const struct stream_conf *sc,
    const struct stream_input *in, size_t n, const struct feed *prev,
    struct mod_view *mod, long long now, struct stream_merged *out);

/*
 * SHA-256 (hex) over everything the merge of `sc` depends on: its config,
 * the checksum of each source's items.json and the generation of its
 * moderation decisions (`mod`, may be NULL). Equal fingerprints mean the
 * stored merge is current.
 */
enum rc stream_fingerprint(struct arena *a, const struct cache *c,
    const struct stream_conf *sc, const struct mod_view *mod, char hex[65]);

/*
 * Re-merges stream `sc` from the cache when its fingerprint changed (or
 * always with `force`) and writes feed.json and meta.json atomically,
 * under the stream's lock. *changed (may be NULL) is set when feed.json
 * got new content. A moderated stream reads its decisions from `mod`
 * (NULL: RC_UNAVAILABLE, the last merge stays).
 */
enum rc stream_rebuild(const struct cache *c, const struct stream_conf *sc,
    struct mod *mod, long long now, bool force, bool *changed);

/* What a rebuild leaves in memory for the publisher (publish.h). */
struct stream_result {
	const struct stream_conf *sc;
	bool merged;                /* the merge ran: the fields below are set */
	bool changed;               /* feed.json got new content */
	struct stream_merged m;
	struct stream_input *in;    /* sc->nsources, each source's last good items */
	long long changed_at;       /* as meta.json says */
};

/*
 * stream_rebuild with items already in memory: fresh[i] (may be NULL,
 * or have a NULL feed) is sc->sources[i]'s items as the caller just
 * parsed and stored them, so only the others are read from their
 * items.json. The merge lives in `a`; *out says what it made (out->merged
 * is false when the stored merge was current). Logs its own errors. A
 * moderated stream reads its view from `mod` first and writes the items
 * it met for the first time to the queue after; when the store does not
 * answer, RC_UNAVAILABLE and the last merge stays (never shown unchecked).
 */
enum rc stream_rebuild_with(struct arena *a, const struct cache *c,
    const struct stream_conf *sc, struct mod *mod, const struct stream_input *fresh,
    long long now, bool force, struct stream_result *out);

/*
 * Reads the merged stream for a route: the feed (JSON Feed 1.1) and its
 * index (meta.json). Either pointer may be NULL. RC_NOTFOUND when not
 * built yet or corrupt.
 */
enum rc stream_load(const struct cache *c, const char *stream, json_t **feed,
    json_t **meta);

#endif

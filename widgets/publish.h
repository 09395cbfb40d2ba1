/* publish: what the refresher does after a merge — media fetched into the
 * cache, profiles built, the stream prepared and its first pages rendered. */
#ifndef SOCIALHUB_WIDGETS_PUBLISH_H
#define SOCIALHUB_WIDGETS_PUBLISH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/fetcher.h"
#include "widgets/render.h"
#include "widgets/streams/stream.h"

/*
 * Files under CACHE/streams/NAME/ (framed, written atomically):
 *   public.json      the stream after render_prepare (JSON Feed, images
 *                    proxied), what workers page and filter
 *   page.json, page.as2, page.atom, page-{list,grid,carousel}.html
 *                    the unfiltered first page (RENDER_LIMIT_DEFAULT items)
 *   profiles.json, profiles.html
 *                    the profile boxes (public form)
 *   profiles.state.json
 *                    the same with upstream avatar URLs and fetch times
 * Media: CACHE/media/XX/ID, raw image bytes (XX = first two hex digits).
 */
#define PUBLISH_PUBLIC "public.json"
#define PUBLISH_PROFILES_JSON "profiles.json"
#define PUBLISH_PROFILES_HTML "profiles.html"
#define PUBLISH_PROFILES_STATE "profiles.state.json"
#define PUBLISH_MAX_AGE 3600          /* re-render pages this old (relative dates) */
#define PUBLISH_PROFILE_EVERY 21600   /* account API at most this often */
#define PUBLISH_MEDIA_PER_PASS 256    /* image fetches per stream and pass */
#define PUBLISH_MEDIA_RETRY 3600      /* a failed image is retried after this */

struct publish_conf {
	struct cache *cache;
	const struct stream_conf *streams;
	size_t nstreams;
	struct render_site site;
	bool allow_private;          /* fetch_allow_private */
	struct fetcher_opts fetch;   /* for the libcurl fetcher (max_body is set here) */
	struct fetcher *fetcher;     /* injected (tests); NULL: libcurl, made lazily */
	/* Several nodes behind one balancer: the pages' clock (HTML's
	 * relative dates, public.json's generated_at) is the stream's last
	 * change, so every node writes the same bytes, hence the same ETag,
	 * from the same merge. */
	bool stable_clock;
};

struct publisher;

enum rc publisher_new(const struct publish_conf *conf, struct publisher **out);
void publisher_free(struct publisher *p);

/*
 * Publishes every stream (only `stream` when not NULL) whose feed.json is
 * newer than its public.json, whose pages are older than PUBLISH_MAX_AGE,
 * or all of them with `force`. Streams not merged yet are skipped. A
 * stream merged in this process is published from res[0..nres) (the
 * refresher's report: the merge and its sources' items, in memory);
 * others from feed.json and items.json. Errors are logged per stream;
 * returns the number published in *n (may be NULL).
 */
enum rc publisher_run(struct publisher *p, const char *stream, bool force,
    long long now, volatile sig_atomic_t *stop, const struct stream_result *res,
    size_t nres, size_t *n);

/* The file name of a pre-rendered first page. */
const char *publish_page_name(enum render_format f, enum render_layout l);

/*
 * The language a stream's words are in when the request names none
 * (catalog_lang of site->catalog): the stream's `lang`, else, for a
 * market filter, the `lang` of the first source of that market, else
 * NULL (the visitor's browser decides). Published pages use it, or
 * English.
 */
const char *publish_lang(const struct render_site *site, const struct stream_conf *sc,
    const char *market);

/* "CACHE/media/XX/ID" in arena memory (NULL on no memory). */
char *publish_media_path(struct arena *a, const struct cache *c, const char *id);

/*
 * Builds one page of a prepared stream `pub` for query q: selects the
 * items, the self, feed and next URLs. RC_INVALID for a bad cursor.
 */
enum rc publish_page(struct arena *a, const struct render_site *site,
    const struct stream_conf *sc, const struct render_source *src,
    const struct feed *pub, const struct render_query *q, enum render_format f,
    long long updated, long long now, struct render_page *out);

/*
 * The display names and pictures of a stream's sources as publish stored
 * them in public.json ("_published"."sources"), into arena memory;
 * sc->nsources entries, falling back to the config.
 */
struct render_source *publish_sources(struct arena *a, const struct stream_conf *sc,
    const json_t *public_json);

#endif

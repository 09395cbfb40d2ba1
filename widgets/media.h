/* media: ids, byte checks and URL rewriting for the /media/{id} image proxy. */
#ifndef SOCIALHUB_WIDGETS_MEDIA_H
#define SOCIALHUB_WIDGETS_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/sanitize.h"

/*
 * A media id names one upstream image (signed CDN links: doc/widgets.md):
 *
 *   id = lower-case hex of the first 16 bytes of
 *        SHA-256("socialhub-media-v1" || 0x00 || URL)
 *
 * It is opaque and stable (the same URL gives the same id in the refresher,
 * in every worker and across restarts), but it is not a secret and grants
 * nothing: /media/{id} serves only files the refresher already fetched for
 * images that a configured stream or profile references. An id never names
 * new bytes: the refresher stores a URL's image once and does not refetch it,
 * so the proxy may send it as immutable.
 */
#define MEDIA_ID_LEN 32                     /* hex digits */
#define MEDIA_MAX_BYTES (8L * 1024 * 1024)  /* one image, after download */
#define MEDIA_URL_MAX 2048                  /* longer upstream URLs are dropped */

/* The id of an upstream image URL: MEDIA_ID_LEN hex digits + NUL. */
void media_id_for_url(const char *url, char out[MEDIA_ID_LEN + 1]);
/* True when s is exactly MEDIA_ID_LEN lower-case hex digits. */
bool media_id_valid(const char *s);

/*
 * The Content-Type of an image judged by its first bytes (PNG, JPEG, GIF,
 * WebP, AVIF), or NULL when p[0..n) is none of them. SVG is never an image
 * here: it can carry script.
 */
const char *media_sniff(const void *p, size_t n);

/*
 * True when url can be fetched as an image: an absolute http(s) URL of at
 * most MEDIA_URL_MAX bytes with no spaces, quotes or control bytes.
 */
bool media_url_fetchable(const char *url);

/*
 * Appends the proxy URL of an upstream image: base "/media/" id, where base
 * is the public mount URL (e.g. "https://www.example.com/social").
 */
enum rc media_proxy_url(struct buf *b, const char *base, const char *url);

/*
 * Decides what happens to one image URL found in an item: returns the URL
 * to write in its place (arena memory or `url` itself), or NULL to drop the
 * image. Used both to rewrite (render side) and to collect (refresher).
 */
typedef const char *(*media_map_fn)(void *arg, const char *url);

/*
 * Rewrites a sanitized HTML fragment (content_html) so that it loads
 * nothing from another host, in one pass of the sanitizer's media mode
 * (sanitize.h, struct sanitize_media): each <img src> that
 * media_url_fetchable accepts goes through `map` (an image mapped to
 * NULL, or with no such source, is removed), srcset/sizes are dropped
 * and alt="" added where missing; embedded players and resource elements
 * (iframe, video, audio, object, embed, link, style, script, svg, math,
 * forms; source and wbr lose their tag) and style/poster/background
 * attributes are removed, and so are links other than http(s) and
 * mailto. The output is the one libxml2's HTML parser and serializer gave
 * when they did this job. The result is a NUL-terminated arena string in
 * *out. RC_NOMEM on failure.
 */
enum rc media_rewrite_html(struct arena *a, const char *html, media_map_fn map,
    void *arg, char **out);

/* content_html through the media pass, with spans (sanitize.h) so that
 * images can still go afterwards without another parse. */
struct media_html {
	char *html;     /* arena; every image kept with map's URL */
	size_t len;
	struct sanitize_span *spans;
	size_t nspans;
};

/*
 * media_rewrite_html, deciding later: map is called for every image in
 * document order (it may collect them) and what it returns is written.
 * san is the sanitizer to run (reused across items), NULL: one is made
 * from `a`. RC_NOMEM, RC_TOOBIG (input over SANITIZE_MAX_IN).
 */
enum rc media_html_prepare(struct arena *a, struct sanitize *san, const char *html,
    media_map_fn map, void *arg, struct media_html *out);

/*
 * m->html without the images for which keep(arg, url) is false (url: the
 * upstream URL map was given), cut out by byte offsets. *out is an arena
 * string, or m->html itself when every image stays. RC_NOMEM.
 */
enum rc media_html_keep(struct arena *a, const struct media_html *m,
    bool (*keep)(void *arg, const char *url), void *arg, char **out);

/* True when an attachment is an image (an image/ type other than SVG, or no type and an
 * image file extension). */
bool media_attachment_is_image(const struct feed_attachment *at);

/*
 * Calls map for every image an item references (image, banner_image,
 * author avatars, image attachments, gallery pictures and video posters,
 * then <img> in content_html) and
 * writes the results into *out, a shallow arena copy of `in` with those
 * fields (and content_html, through media_html_prepare with `san`, NULL:
 * a sanitizer made from `a`) replaced; dropped images become NULL
 * (attachments and gallery images are removed; a video keeps its link,
 * never its file). The renderers' input is the rewritten item.
 */
enum rc media_map_item(struct arena *a, struct sanitize *san, const struct feed_item *in,
    media_map_fn map, void *arg, struct feed_item *out);

/* The same for one person (avatar) — profiles and feed authors. */
enum rc media_map_person(struct arena *a, const struct feed_person *in,
    media_map_fn map, void *arg, struct feed_person *out);

#endif

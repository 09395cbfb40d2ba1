/* sanitize: allow-list HTML sanitizer for feed content (own tokenizer,
 * widgets/feeds/htmltok.h). */
#ifndef SOCIALHUB_WIDGETS_SANITIZE_H
#define SOCIALHUB_WIDGETS_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/rc.h"

/* Default and hard caps. */
#define SANITIZE_MAX_OUT (512 * 1024)  /* bytes of sanitized HTML */
#define SANITIZE_MAX_IN (4 * 1024 * 1024) /* bytes of input HTML */
#define SANITIZE_MAX_URL 8192          /* longer URLs are dropped */
#define SANITIZE_MAX_DATA_URL 65536    /* data:image URLs in img src */
#define SANITIZE_MAX_IMAGES 64         /* image URLs recorded per fragment */
#define SANITIZE_MAX_DEPTH 64          /* deeper elements lose their tags */

/*
 * The reusable parser state. One per parse run; not thread-safe. Freed
 * with the arena it was made from.
 */
struct sanitize;

/* NULL on no memory. Also runs sanitize_global_init. */
struct sanitize *sanitize_new(struct arena *a);

/*
 * Media mode: the hook the media proxy sets (sanitize_opts.media). The
 * pass then also does what the proxy needs, so that a page loads nothing
 * from another host: every <img src> the policy kept goes through
 * rewrite (the URL to write instead, arena or static memory, or NULL to
 * drop the image); srcset, sizes, style, poster and the other resource
 * attributes go, and so do players and resource elements (video, audio,
 * iframe, object, ...; source and wbr lose their tag); a kept image gets
 * alt="" when it has none, and loading="lazy". The input is expected to
 * be this sanitizer's own output (feed_item.content_html): its tree is
 * read and written as libxml2's HTML parser and serializer read and wrote
 * it before this mode existed (their closing rules, attribute quoting,
 * URL escaping), so the proxied HTML stays byte for byte what it was.
 * Any other input is still read through the full allow-list.
 */
struct sanitize_media {
	const char *(*rewrite)(void *ctx, const char *url);
	void *ctx;
};

/*
 * Media mode: where each kept <img> tag sits in the output, so a caller
 * can take an image out later without parsing (sanitize_cut): spans with
 * a url are img tags, in document order; a span without one (url NULL)
 * is an end tag that goes only when the img spans [dep, its index) all
 * go (an <li> left empty is written "<li>").
 */
struct sanitize_span {
	size_t start, end;   /* output bytes [start, end) */
	const char *url;     /* the image's URL before rewrite; NULL: see dep */
	size_t dep;
};

struct sanitize_opts {
	const char *base_url;   /* relative URLs resolve against it; NULL:
	                         * they are kept relative */
	size_t max_len;         /* output cap in bytes; 0: SANITIZE_MAX_OUT */
	const char *link_target;/* target= on links ("_blank"), NULL: none */
	/* Called with every image URL kept (absolute http/https), in order;
	 * may be NULL. The string lives in the arena. */
	void (*on_image)(void *ctx, const char *url);
	void *ctx;
	/* Media mode (above), NULL: off. */
	const struct sanitize_media *media;
	/* The input is known to be well-formed UTF-8 (a feed parser's
	 * decoded text): not checked again. Else it is checked, and bytes
	 * that are not UTF-8 read as U+FFFD. */
	bool utf8;
};

struct sanitize_result {
	char *html;       /* arena, NUL-terminated; "" when nothing survives */
	size_t len;
	char **images;    /* the image URLs kept (img src/srcset, video
	                   * poster), absolute http(s), at most
	                   * SANITIZE_MAX_IMAGES, in document order */
	size_t nimages;
	bool truncated;   /* the output cap was hit */
	struct sanitize_span *spans;   /* media mode: img tags (arena) */
	size_t nspans;
};

/*
 * Parses html[0..len) (UTF-8) as an HTML fragment and writes the
 * allow-listed rest: safe elements and attributes only; URLs http, https
 * and mailto (links), http and https (media) and data:image/png, gif, jpeg
 * or webp (img src) only, relative ones resolved against base_url;
 * script, style, iframe, object, embed, form controls, svg, math and
 * their contents dropped; event handlers dropped; style reduced to a safe
 * CSS subset; every link gets rel="noopener noreferrer nofollow ugc".
 * The result is well-formed HTML whose end tags all match. RC_TOOBIG
 * when len > SANITIZE_MAX_IN, RC_NOMEM on allocation failure.
 */
enum rc sanitize_html(struct sanitize *s, const char *html, size_t len,
    const struct sanitize_opts *o, struct sanitize_result *out);

/*
 * The media-mode output html[0..len) without the img spans for which
 * keep(arg, i) is false (i: the span's index), and the end tags that go
 * with them: a new arena string in *out (html itself when all stay).
 * Byte copies only, no parsing. RC_NOMEM.
 */
enum rc sanitize_cut(struct arena *a, const char *html, size_t len,
    const struct sanitize_span *spans, size_t nspans,
    bool (*keep)(void *arg, size_t i), void *arg, char **out);

/*
 * The plain text of an HTML fragment: tags removed, entities decoded,
 * script/style and other hidden content dropped, whitespace collapsed to
 * single spaces and trimmed, at most `max` bytes (cut at a UTF-8
 * boundary; 0: SANITIZE_MAX_OUT). *out is an arena string.
 */
enum rc sanitize_text(struct sanitize *s, const char *html, size_t len,
    size_t max, char **out);

/* Flags for sanitize_url. */
#define SANITIZE_URL_MAILTO 0x1  /* mailto: allowed (links) */
#define SANITIZE_URL_DATAIMG 0x2 /* data:image/(png|gif|jpeg|webp) allowed */

/*
 * The policy for one URL: cleaned as browsers do (refused if other
 * control characters remain), resolved against base (when relative and
 * base is given), then kept only when its scheme is
 * http or https (or mailto/data image per flags) and it is at most
 * SANITIZE_MAX_URL bytes. A relative URL with no usable base is kept
 * relative. Returns an arena string, or NULL when refused (or no memory).
 */
char *sanitize_url(struct arena *a, const char *base, const char *raw,
    unsigned flags);

/* True when s[0..n) looks like HTML: an element tag or an entity/char
 * reference (used to decide whether a "text" field carries markup). */
bool sanitize_looks_like_html(const char *s, size_t n);

/*
 * Collapses runs of white space into single spaces and trims, in place
 * (s is NUL-terminated); returns s.
 */
char *sanitize_collapse_ws(char *s);

/*
 * Cuts s (NUL-terminated UTF-8) to at most max bytes at a character
 * boundary, in place. Returns true when it cut.
 */
bool sanitize_truncate_utf8(char *s, size_t max);

/* The character a C1 control (U+0080..U+009F) stands for in
 * windows-1252; other code points unchanged. */
uint32_t sanitize_cp1252_c1(uint32_t cp);

/* Process set-up: the sanitizer's tables and the entity table of
 * htmltok (libxml2, which the feed parser uses for some documents, is set
 * up when it is loaded: feed_libxml.h). Idempotent and thread-safe. */
void sanitize_global_init(void);

#endif

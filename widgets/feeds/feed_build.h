/* feed_build: what the format parsers (feed_rss.c, feed_atom.c,
 * feed_json.c) and the parse driver (feed.c) share to build items: bounds,
 * the per-parse context and the helpers of feed_build.c. Not for modules
 * outside widgets/feeds/. */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_BUILD_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/feeds/feed_model.h"
#include "widgets/feeds/feed_tree.h"
#include "widgets/feeds/sanitize.h"

/* Field bounds (bytes). Longer text is cut at a UTF-8 boundary; longer
 * URLs and ids are dropped (an id is hashed instead). */
#define FEED_MAX_TITLE 1024
#define FEED_MAX_SUMMARY 4096
#define FEED_MAX_TEXT (256 * 1024)   /* content_text */
#define FEED_MAX_HTML (256 * 1024)   /* content_html after sanitizing */
#define FEED_MAX_ID 1024
#define FEED_MAX_NAME 256            /* person names, tags, MIME types */
#define FEED_MAX_LANG 35             /* BCP 47 tags are short */
#define FEED_MAX_AUTHORS 16
#define FEED_MAX_TAGS 32
#define FEED_MAX_ATTACHMENTS 16
#define FEED_MAX_ITEMS_HARD 10000    /* even when opts->max_items is 0 */
#define FEED_MAX_BODY (16 * 1024 * 1024)  /* a document, after decoding */
/* URLs are read one byte past the limit, so a long one is dropped by
 * sanitize_url rather than cut into a different URL. */
#define FEED_URL_READ (SANITIZE_MAX_URL + 1)

/* Namespaces the parsers know, classified once per element. */
enum feed_ns {
	NS_NONE,       /* no namespace */
	NS_OTHER,      /* some namespace we do not read */
	NS_ATOM10,
	NS_ATOM03,
	NS_RSS10,      /* also RSS 0.90 and the Userland RSS 2 namespaces */
	NS_RDF,
	NS_CONTENT,
	NS_DC,
	NS_DCTERMS,
	NS_MEDIA,
	NS_ITUNES,
	NS_XHTML,
	NS_FEEDBURNER,
	NS_XML,        /* xml:base, xml:lang */
};

/* How a text field is written. */
enum feed_ctype {
	CT_TEXT,      /* plain text */
	CT_HTML,      /* escaped HTML */
	CT_XHTML,     /* inline XHTML elements */
	CT_MIXED,     /* naked markup whose text is HTML source too (old
	               * Reddit: elements beside escaped markup) */
	CT_BINARY,    /* something we do not render (base64 media) */
};

/* A text construct found in the document, rendered at the end. */
struct feed_tc {
	/* The string (text or HTML), or NULL: parse arena memory that is
	 * never written, so plain text may become an item field as it is. */
	const char *s;
	const struct feed_node *node;  /* CT_XHTML / naked markup: the element */
	enum feed_ctype type;
	const char *base;       /* xml:base in force at the element */
	int prio;               /* higher wins; 0: unset */
};

/* The item being built; text is rendered once all elements are seen. */
struct feed_ib {
	struct feed_item *it;
	const char *base;
	struct feed_tc title, content, summary;
	const char *guid;
	bool guid_permalink;
	const char *link;       /* raw alternate link */
	int link_prio;
	int pub_prio, upd_prio;
	int image_prio;
	int author_prio;        /* authors from a better source replace */
	long long duration;     /* itunes:duration, for the enclosures */
	long long thumb_area;   /* width x height of the media:thumbnail
	                         * taken (the largest wins) */
	const char *orig_enclosure; /* feedburner:origEnclosureLink */
	size_t enclosure_at;    /* 1 + index of the first enclosure, or 0 */
	bool inherit_authors;   /* Atom: no author, take the feed's */
	bool summary_elem;      /* RSS: a <summary> element holds summary */
};

/* Per-parse state shared by the format parsers. */
struct feed_ctx {
	struct arena *a;
	const struct feed_parse_opts *opts;
	struct sanitize *san;
	struct feed *f;
	size_t max_items;
	size_t cap_items;
	const char *base;       /* document base: opts->base_url */
	const struct feed_sym *root_ns; /* the root element's URI, or NULL */
	const char **cdata;     /* CDATA taken out by feed_prep_xml */
	const size_t *cdata_len;
	size_t ncdata;
	struct feed_tc ftitle, fdesc;  /* feed-level text, rendered late */
	int flink_prio;
	int fimage_prio;
	int fauthor_prio;
	bool full;              /* max_items reached */
	/* opts->sink: items handed over one by one (feed_items_begin) */
	const struct feed_item_sink *sink;
	struct feed_item *slot;     /* the item being built */
	struct arena_mark item_mark;/* the arena before it */
	size_t streamed;            /* items handed over */
	bool headed;                /* sink->head called */
	bool begin_at_item;         /* RSS: feed_items_begin at the first
	                             * item, items_ahead of them */
	size_t items_ahead;
	bool text_utf8;         /* the text parsed is UTF-8 already
	                         * (feed_prep_decode's): not checked again */
};

/* ---- shared helpers (feed.c) ---- */

/* The namespace class of an element or attribute (by URI, or by a common
 * prefix when the document forgot to declare it). */
enum feed_ns feed_ns_of(const struct feed_node *n);
/* True when n is in the root element's namespace (an RSS or Atom feed
 * under a namespace we do not know still reads as one). */
bool feed_in_root_ns(const struct feed_ctx *c, const struct feed_node *n);
/* True when element n is (ns, local name). */
bool feed_is(const struct feed_node *n, enum feed_ns ns, const char *name);
/* The local name of an element (prefix stripped when undeclared). */
const char *feed_local(const struct feed_node *n);
/* An attribute value by local name (any namespace unless ns given). */
const char *feed_attr(const struct feed_node *n, const char *name);
const char *feed_attr_ns(const struct feed_node *n, enum feed_ns ns,
    const char *name);

/* Text content of n (text and CDATA children, concatenated), trimmed;
 * an arena string, NULL when empty. At most `max` bytes (0: 1 MiB). It
 * may be the tree's own text: never write to it (copy first). */
char *feed_text(struct feed_ctx *c, const struct feed_node *n, size_t max);
/* True when n has element children (naked markup). */
bool feed_has_elements(const struct feed_node *n);
/* Serializes the children of n as HTML (for XHTML and naked markup);
 * `skip_div` drops one wrapping xhtml:div (Atom 3.1.1.3). */
char *feed_inner_html(struct feed_ctx *c, const struct feed_node *n,
    bool skip_div);

/* The base in force inside element n, given the base of its parent. */
const char *feed_base(struct feed_ctx *c, const struct feed_node *n,
    const char *parent);
/* A URL through the sanitizer's policy (http/https), resolved; or NULL. */
char *feed_url(struct feed_ctx *c, const char *base, const char *raw);

/* Records a text construct when it beats what is there (prio). */
void feed_tc_set(struct feed_tc *tc, const char *s,
    const struct feed_node *node, enum feed_ctype type, const char *base,
    int prio);
/* Renders a text construct as plain text (NULL when empty). */
char *feed_tc_text(struct feed_ctx *c, const struct feed_tc *tc,
    size_t max);
/* Renders a text construct as sanitized HTML (NULL when empty); images
 * found are added to the item when `it` is given. */
char *feed_tc_html(struct feed_ctx *c, const struct feed_tc *tc,
    struct feed_item *it);

/* Dates: a date string into *t when prio beats *cur_prio. */
void feed_date(const char *s, long long *t, int *cur_prio, int prio);

/*
 * The feed-level fields are final and items follow, `nitems` of them
 * (more than max_items: the feed is truncated). With a sink
 * (feed_parse_opts.sink) its head is called now, and each item finished
 * from here on is handed to it and its memory given back; without one,
 * nothing happens. A format parser calls it once, before its first
 * feed_item_add, where no later element can change the feed's own
 * fields; feed_parse calls it, if no parser did, at the end.
 */
void feed_items_begin(struct feed_ctx *c, size_t nitems);
/* The end of a parse that succeeded: the feed's last defaults, and for a
 * sink no parser began, its head and the items kept until now. */
void feed_parse_end(struct feed_ctx *c);

/* Appends to the lists of an item or feed (bounded, de-duplicated). */
struct feed_item *feed_item_add(struct feed_ctx *c);
void feed_item_finish(struct feed_ctx *c, struct feed_ib *b);
void feed_ib_init(struct feed_ctx *c, struct feed_ib *b,
    struct feed_item *it, const char *base);
struct feed_person *feed_person_add(struct feed_ctx *c,
    struct feed_person **list, size_t *n);
/* Adds *p to the list, or merges it into the person already there with
 * the same name (ASCII case ignored), else the same email, else (no
 * names) the same url: fields that one lacks are filled in. */
void feed_person_put(struct feed_ctx *c, struct feed_person **list,
    size_t *n, const struct feed_person *p);
/* The media type an attachment URL's extension names ("image/jpeg" for
 * ".JPG?w=800"), else the wildcard of a Media RSS medium (image, video,
 * audio: "image/" then "*"); NULL when neither tells. A static string. */
const char *feed_mime_guess(const char *url, const char *medium);
/* "me@example.com (Name)", "Name <me@example.com>", "Name", "me@x": into
 * a person. */
void feed_person_parse(struct feed_ctx *c, struct feed_person *p,
    const char *s);
void feed_tag_add(struct feed_ctx *c, struct feed_item *it, const char *tag);
struct feed_attachment *feed_attachment_add(struct feed_ctx *c,
    struct feed_item *it, const char *url);
/* Adds an author from a "Name (email)" string: a better source (prio)
 * replaces the list, an equal one appends. */
void feed_author(struct feed_ctx *c, struct feed_person **list, size_t *n,
    int *cur, int prio, const char *s);
/* Sets an image when prio beats the current one (*cur). */
void feed_image(struct feed_ctx *c, char **slot, int *cur, int prio,
    const char *base, const char *raw);
/* A copy cut at a UTF-8 boundary, white space collapsed; NULL for "". */
char *feed_clean_text(struct feed_ctx *c, const char *s, size_t max);
/* "1:02:03", "62:03", "3723" -> seconds; 0 when unreadable. */
long long feed_duration(const char *s);

/* XML white space. */
static inline bool
feed_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* True when s[0..n) is XML white space only (or empty). */
static inline bool
feed_all_ws(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!feed_is_ws(s[i]))
			return false;
	}
	return true;
}

#endif

/* feed_model: the one item model every feed format is parsed into. */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_MODEL_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum feed_format {
	FEED_UNKNOWN,
	FEED_RSS090,    /* RSS 0.9x and 2.0 */
	FEED_RSS20,
	FEED_RSS10,     /* RDF */
	FEED_ATOM03,
	FEED_ATOM10,
	FEED_JSON10,
	FEED_JSON11,
};

struct feed_person {
	char *name;
	char *url;
	char *email;
	char *avatar;
};

struct feed_attachment {
	char *url;
	char *mime_type;
	char *title;
	long long size_in_bytes;    /* 0: unknown */
	long long duration_seconds; /* 0: unknown */
};

/* What a post is, when its network says (API sources); UNSET for feeds. */
enum feed_kind {
	FEED_KIND_UNSET,
	FEED_KIND_NOTE,
	FEED_KIND_PHOTO,
	FEED_KIND_VIDEO,
	FEED_KIND_REEL,
	FEED_KIND_ARTICLE,
};

enum feed_media_type {
	FEED_MEDIA_IMAGE,
	FEED_MEDIA_VIDEO,
};

/*
 * One picture or video of a post's gallery (API sources). A video is never
 * played from its network: it shows as its poster linking to `link`.
 */
struct feed_media {
	enum feed_media_type type;
	char *url;          /* image: the picture (absolute); video: the file, may be NULL */
	char *alt;          /* the author's description, NULL: none given */
	char *poster;       /* video: a still image, may be NULL */
	char *link;         /* video: the page it plays on, may be NULL */
	char *blurhash;     /* placeholder (blurha.sh), may be NULL */
	long width, height; /* pixels, 0: unknown */
	long long duration_seconds;  /* video, 0: unknown */
};

/* Counts as the network reported them at fetch time; a bit in `have`
 * per count the API gave (a real 0 differs from unknown). */
enum {
	FEED_COUNT_LIKES = 1u << 0,
	FEED_COUNT_COMMENTS = 1u << 1,
	FEED_COUNT_SHARES = 1u << 2,   /* shares, boosts, reposts */
	FEED_COUNT_VIEWS = 1u << 3,
};

struct feed_counts {
	long long likes, comments, shares, views;
	unsigned have;
};

/*
 * One entry. Strings are NUL-terminated UTF-8 in the parse arena, NULL when
 * absent. content_html has been through the sanitizer (sanitize.h). Times
 * are Unix seconds; `published` falls back to the fetch time when the feed
 * gives no date, so every item sorts.
 */
struct feed_item {
	char *id;            /* guid/id, else the link, else a hash of the content */
	char *url;           /* absolute permalink */
	char *external_url;
	char *title;         /* plain text */
	char *content_html;  /* sanitized HTML */
	char *content_text;  /* plain text, when the feed gives only text */
	char *summary;       /* plain text */
	char *image;         /* main image / thumbnail, absolute */
	char *banner_image;
	long long published;
	long long updated;
	bool date_missing;   /* published is the fetch time */
	struct feed_person *authors;
	size_t nauthors;
	char **tags;
	size_t ntags;
	struct feed_attachment *attachments;
	size_t nattachments;
	char *language;
	/* Set by the stream merge, not the parser. */
	char *source;
	char *market;
	/* Added by the parser issue (after the fields above). Every image
	 * the sanitized content_html refers to (absolute http/https URLs, in
	 * order), for the media proxy; `image` is usually the first. */
	char **images;
	size_t nimages;
	/* Added by the API sources issue (zero for feeds). */
	enum feed_kind kind;
	bool is_reply;          /* an answer to another post */
	bool is_repost;         /* a boost / repost of someone else's post */
	char *content_warning;  /* plain text shown before the content */
	bool sensitive;         /* the network flags its media as sensitive */
	bool featured;          /* a moderator featured it (set by the merge) */
	struct feed_media *media;
	size_t nmedia;
	struct feed_counts counts;
};

struct feed {
	enum feed_format format;
	char *title;
	char *home_page_url;
	char *feed_url;
	char *description;
	char *icon;
	char *favicon;
	char *language;
	struct feed_person *authors;
	size_t nauthors;
	long ttl_minutes;    /* RSS <ttl>, 0 when absent */
	struct feed_item *items;
	size_t nitems;
	/* Added by the parser issue (after the fields above). */
	char *id;            /* Atom feed id / RSS 1.0 channel about, or NULL */
	const char *encoding;/* the charset the body was read as, or NULL */
	bool recovered;      /* ill-formed XML, read in recover mode */
	bool truncated;      /* items beyond max_items were left out */
	size_t repaired_bytes;/* bytes of UTF-8 text that were not UTF-8,
	                       * read one by one as windows-1252 (the rest
	                       * kept as UTF-8); 0: none */
};

/*
 * Items handed over one at a time as they are parsed, instead of kept in
 * struct feed: what a caller that writes them out at once (socialhub
 * parse) needs, in memory the size of one item, not of the feed. `head`
 * comes first, once, when every feed-level field (and `truncated`) is
 * final and before any item; then `item` per item, in order. The item and
 * everything it points to that was made for it is gone after the call:
 * the arena is rewound to where it stood before the item. The feed's
 * items array stays empty. A parse that fails calls neither.
 */
struct feed_item_sink {
	void *ctx;
	void (*head)(void *ctx, const struct feed *f);
	void (*item)(void *ctx, const struct feed_item *it);
};

struct feed_parse_opts {
	const char *base_url;      /* feed URL, for relative links; may be NULL */
	const char *content_type;  /* HTTP Content-Type (charset), may be NULL */
	long long fetch_time;      /* fallback date for undated items */
	size_t max_items;          /* 0: no cap */
	bool always_repair;        /* tests: feed_prep_xml even on clean XML */
	bool body_nul;             /* body[len] is '\0' (fsutil_read and
	                            * fsutil_map give that): the XML reader
	                            * reads the body in place, not a copy */
	const struct feed_item_sink *sink; /* NULL: items kept in the feed */
};

#endif

/* src: sources read from a network's API instead of a feed — the source
 * types, their config checks, and the connector interface (build the
 * request URLs, read one page of JSON into feed items, say the next page).
 * The refresher drives a run through the one fetcher. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_SRC_H
#define SOCIALHUB_WIDGETS_STREAMS_SRC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/sanitize.h"

struct buf;

#define SRC_MAX_ITEMS 100       /* items one refresh reads from an API */
#define SRC_MAX_PAGES 4         /* pages of the post list per refresh */
#define SRC_MAX_REQUESTS 12     /* requests per refresh, every step counted
				 * (LinkedIn: 4 pages, their counts, pictures) */
#define SRC_MSG_MAX 256
#define SRC_TOKEN_MAX 4096      /* bytes of a token_file */
#define SRC_EXTRA_HEADERS 2     /* request header lines beyond the credential */
#define SRC_QUERY_MAX 512       /* bytes of an earned source's query */

enum src_type {
	SRC_FEED,        /* RSS/Atom/JSON Feed at `url` (the default) */
	SRC_INSTAGRAM,
	SRC_FACEBOOK,
	SRC_THREADS,
	SRC_LINKEDIN,
	SRC_X,
	SRC_TIKTOK,
	SRC_YOUTUBE,
	SRC_MASTODON,
	SRC_BLUESKY,
	SRC_INSTAGRAM_HASHTAG,   /* earned: recent media of a hashtag (`query`) */
	/* Earned media: what others post, found by a query. */
	SRC_MASTODON_TAG,    /* a hashtag's public timeline on one server */
	SRC_BLUESKY_SEARCH,  /* app.bsky.feed.searchPosts */
	SRC_X_SEARCH,    /* earned: X recent search for `query` */
	SRC_TYPE_COUNT
};

/* What a `source` block says beyond url/every/market/title. */
struct src_conf {
	enum src_type type;
	const char *account;      /* the network's account id or handle */
	const char *api_url;      /* base URL override, NULL: the network's */
	const char *connection;   /* a stored connection's name (not used yet) */
	const char *token_file;   /* path; YouTube: an API key */
	const char *query;        /* earned sources: the hashtag or search */
};

/* "feed", "mastodon", ...; "unknown" past the table. */
const char *src_type_name(enum src_type t);
/* The type of a name; false for an unknown one. */
bool src_type_parse(const char *s, enum src_type *out);

/*
 * Checks one source's keys for its type: NULL when they are fine, else a
 * message naming the key (static or in `a`). `url` is the block's url
 * key (NULL when absent).
 */
const char *src_check(struct arena *a, const struct src_conf *c, const char *url);

/* True for earned media (posts by anyone, found by `query`): their items
 * wait for a moderator by default. */
bool src_is_earned(const struct src_conf *c);

/* True when the source is read through a connector here (not a feed):
 * Mastodon, Bluesky, and YouTube with a token_file. */
bool src_is_api(const struct src_conf *c);

/*
 * The URL a source is known by (cache key, status, logs): the feed URL of
 * a feed (`url`) or of a YouTube channel without a key, else the first
 * API request (never a credential). Arena string; NULL when the config
 * does not make one (src_check refuses it).
 */
char *src_identity_url(struct arena *a, const struct src_conf *c, const char *url);

/* One 200 response to the run's current request. */
struct src_response {
	const char *body;
	size_t len;
	const char *content_type;   /* may be NULL */
	const char *link;           /* the Link header(s), may be NULL */
	const char *usage;          /* rate-limit usage headers (Meta's
				     * X-App-Usage, X-Business-Use-Case-Usage),
				     * joined; may be NULL */
	const char *rate_remaining; /* x-rate-limit-remaining, may be NULL */
	const char *rate_reset;     /* x-rate-limit-reset (Unix seconds), may be NULL */
};

/* One refresh of an API source, request by request. */
struct src_run {
	/* Set by the caller before src_start. */
	struct arena *a;             /* everything below lives here */
	const struct src_conf *conf;
	const char *token;           /* token_file's contents, or NULL */
	bool allow_private;          /* fetch_allow_private: media anywhere */
	bool identity;               /* only naming the source: no token needed */
	long long now;
	const char *account_id;      /* the id an earlier run looked `account`
				      * (a handle) up to, or NULL: look it up */
	bool counts;                 /* a stream shows counts: read them even
				      * where that costs a request (LinkedIn) */
	/* The request to make next (NULL: the run is over), the credential's
	 * header line for it (NULL: none), more header lines (LinkedIn's
	 * version headers) and a JSON body (non-NULL: the request is a POST,
	 * as TikTok's video list is). */
	char *url;
	const char *header;
	const char *extra_headers[SRC_EXTRA_HEADERS];
	const char *post_body;
	/* The request adds detail the items can go without (LinkedIn's
	 * counts): when it fails, ops->skipped carries on without it. */
	bool optional;
	/* The items so far. */
	struct feed feed;
	size_t cap;
	/* Seconds the API asked us to wait before the next refresh (its
	 * usage is near a limit), 0: none. Set by src_page and src_usage. */
	long backoff;
	/* Non-fatal: how many media were left out, and the run's first
	 * warning (media or details left out: src_warn). */
	size_t media_refused;
	char warning[SRC_MSG_MAX];
	/* The id this run looked `account` up to (the caller keeps it for
	 * the next runs), and whether the kept one named no account. */
	const char *looked_up;
	bool account_gone;
	/* Why the run failed (src_start/src_page returned an error). */
	char err[SRC_MSG_MAX];
	/* The connector's and src.c's own. */
	int step;
	char *ctx;
	char *base;                  /* the API's base URL, no trailing '/' */
	char *seen[SRC_MAX_REQUESTS];  /* requests made: URL, and body if POST */
	const char *first_url;
	size_t nreq, pages;
	struct sanitize *san;
};

/* Starts a run: r->url is the first request. RC_CONFIG (r->err) when the
 * config cannot make one. */
enum rc src_start(struct src_run *r);

/*
 * Reads the response to r->url: on RC_OK, its items are added and r->url
 * is the next request or NULL. Refuses (RC_INVALID, r->err naming the
 * cause) an HTML page or anything that is not the JSON the API documents,
 * a next request that was already made (pagination loop) or that leaves
 * the API's origin, and more than SRC_MAX_REQUESTS requests.
 */
enum rc src_page(struct src_run *r, const struct src_response *resp);

/*
 * A clear message for a failed request of this source's API: `status`
 * (0: none arrived), `fetch_error` (the fetcher's text) and the error body
 * (may be NULL: JSON `error`/`message` members are quoted from it).
 */
void src_http_error(const struct src_conf *c, long status, const char *fetch_error,
    const char *body, size_t len, char *out, size_t n);

/*
 * How long a source waits before its next request because its API said
 * so (the refresher takes the largest, as the schedule's min_wait, rule
 * "api-usage"); 0: no reason to wait. A 429's Retry-After is the
 * schedule's own, as for feeds.
 *
 * src_backoff: the connector's reading (src_ops.backoff) of usage headers
 * (`usage`: Meta's X-App-Usage and X-Business-Use-Case-Usage joined, may
 * be NULL) and, for a failed request, of its error body (may be NULL).
 */
long src_backoff(const struct src_conf *c, const char *usage, const char *body, size_t len);
/*
 * src_rate_backoff: the generic remaining/reset pair (X's
 * x-rate-limit-remaining and -reset): seconds from `now` until the reset
 * when nothing remains, capped at a day.
 */
long src_rate_backoff(const struct src_response *resp, long long now);

/* Reads a token file (trimmed; at most SRC_TOKEN_MAX bytes) into `a`. */
enum rc src_read_token(struct arena *a, const char *path, char **out);

/* ---- for the connectors (src_*.c) ---- */

struct src_ops {
	const char *label;           /* "Mastodon" */
	const char *default_api;     /* base URL */
	bool earned;                 /* a search: `query`, no `account` */
	bool account_too;            /* earned, searching on behalf of `account` */
	/* Keys beyond those src.c checks; NULL when fine. */
	const char *(*check)(struct arena *a, const struct src_conf *c);
	/* Sets r->url (and r->header) for the first request. */
	enum rc (*start)(struct src_run *r);
	/* Reads one parsed response; sets r->url to the next or NULL. */
	enum rc (*page)(struct src_run *r, const json_t *doc, const struct src_response *resp);
	/* Optional: the message of a failed request from the API's error
	 * body; false leaves it to the generic one. */
	bool (*http_error)(const struct src_conf *c, long status, const char *body, size_t len,
	    char *out, size_t n);
	/* With optional requests: one failed (why in r->err); set r->url to
	 * the next request or NULL, as page does. */
	enum rc (*skipped)(struct src_run *r, const char *why);
	/* Optional: seconds to wait from usage headers and an error body. */
	long (*backoff)(const char *usage, const char *body, size_t len);
	/* The API refuses every request without an access token. */
	bool needs_token;
};

extern const struct src_ops src_mastodon_ops;
extern const struct src_ops src_bluesky_ops;
extern const struct src_ops src_mastodon_tag_ops;
extern const struct src_ops src_bluesky_search_ops;
extern const struct src_ops src_youtube_ops;
extern const struct src_ops src_instagram_ops;
extern const struct src_ops src_instagram_hashtag_ops;
extern const struct src_ops src_facebook_ops;
extern const struct src_ops src_threads_ops;
extern const struct src_ops src_linkedin_ops;
extern const struct src_ops src_x_ops;
extern const struct src_ops src_x_search_ops;
extern const struct src_ops src_tiktok_ops;

/* Helpers the connectors share (src.c). */
enum rc src_fail(struct src_run *r, enum rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct feed_item *src_item_add(struct src_run *r);
/* The run's warning (status.json, the log): the first reason wins. */
void src_warn(struct src_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The current request failed (why) and was optional: the connector goes
 * on without it (r->url: the next request, checked as src_page's are).
 * RC_INVALID when it was not optional. */
enum rc src_skip(struct src_run *r, const char *why);
bool src_want_more(const struct src_run *r);
/* A non-empty UTF-8 string member copied into the run's arena, or NULL. */
char *src_str(struct src_run *r, const json_t *o, const char *key);
/* An absolute http(s) link member, or NULL. */
char *src_link(struct src_run *r, const json_t *o, const char *key);
/* The same for a picture or video file: NULL (counted, with a warning)
 * when it names a private address the policy would refuse. */
char *src_media_url(struct src_run *r, const char *url);
/* A post's kind from its gallery: video when it holds one, photo when it
 * holds images, else note. */
enum feed_kind src_kind_of(const struct feed_item *it);
/* Plain text as an HTML paragraph (escaped, line breaks kept). */
char *src_text_html(struct src_run *r, const char *text);
/* The same, each line written by `line` (which escapes it, and may make
 * links of what it knows) instead of plain escaping. */
typedef enum rc (*src_line_fn)(struct buf *b, struct arena *a, const char *line, void *arg);
char *src_text_html_with(struct src_run *r, const char *text, src_line_fn line, void *arg);
/* Appends <a href="href">prefix text</a>, each part escaped. */
enum rc src_html_link(struct buf *b, const char *href, const char *prefix, const char *text);
/* HTML from the API through the sanitizer. */
char *src_clean_html(struct src_run *r, const char *html, const char *base);
/* ISO 8601 date member as Unix seconds, 0 when absent or bad. */
long long src_date(const json_t *o, const char *key);
/* A count member (integer, or a decimal string as YouTube sends them)
 * into it->counts when present. */
void src_count(struct feed_item *it, unsigned bit, const json_t *o, const char *key);
/* Room for n gallery entries on an item. */
struct feed_media *src_media_alloc(struct src_run *r, struct feed_item *it, size_t n);
/* The value of rel="next" in a Link header, or NULL. */
char *src_link_next(struct arena *a, const char *link);
/* Percent-encodes a query value into the arena. */
char *src_qs(struct arena *a, const char *s);
/* "Authorization: Bearer TOKEN" for r->header (never in a URL: URLs are
 * logged and are cache keys); RC_CONFIG (r->err) when the source has no
 * token (the network wants one), unless r->identity. */
enum rc src_bearer(struct src_run *r);
/* "@name": '@' then 1..max letters, digits, '_' or a byte of `extra`. */
bool src_handle_ok(const char *s, size_t max, const char *extra);
/* A JSON integer member (or a decimal string) as a number; -1 when absent. */
long long src_int(const json_t *o, const char *key);

#endif

/* src_meta: what the Meta connectors (Instagram, Facebook, Threads) share —
 * the Graph API's token header, data/paging shape, error bodies and
 * rate-limit usage headers, and its media items. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_SRC_META_H
#define SOCIALHUB_WIDGETS_STREAMS_SRC_META_H

#include "widgets/streams/src.h"

#define META_GRAPH_VERSION "v26.0"    /* checked 2026-12-06 (doc/sources.md) */
#define META_WAIT 3600                /* seconds: Meta's limits are per rolling hour */
#define META_USAGE_HIGH 90            /* percent of a limit: back off from here */

/* One Meta network as its messages name it. */
struct meta_net {
	enum src_type type;
	const char *label;     /* "Instagram" */
	const char *perms;     /* the permissions a token needs, in words */
};

/* The network of a Meta source type (a generic "Meta" one for others). */
const struct meta_net *meta_net_of(enum src_type t);

/* src_ops.http_error of every Meta connector: meta_http_error for the
 * source's network. */
bool meta_src_http_error(const struct src_conf *c, long status, const char *body, size_t len,
    char *out, size_t n);

/* True for a numeric Graph id (1-32 digits), or "me" when me_ok. */
bool meta_id_ok(const char *s, bool me_ok);

/* The "data" array of a Graph list response into *out; RC_INVALID
 * (r->err naming `what`) when the body is not one, RC_UPSTREAM for an
 * {"error":...} body in a 200 (in the API's own words). */
enum rc meta_data(struct src_run *r, const struct meta_net *net, const json_t *doc,
    const char *what, const json_t **out);

/* paging.next of a list, without any access_token parameter, or NULL. */
char *meta_next(struct src_run *r, const json_t *doc);

/* Adds one gallery entry: an image (url) or a video (poster, linking to
 * `link`). Entries whose picture the policy refuses are left out. */
void meta_media_add(struct src_run *r, struct feed_item *it, bool video, const char *url,
    const char *alt, long w, long h, const char *link);

/* Where a network's hashtags and mentions lead: prefix + the
 * percent-encoded tag or name + suffix; a NULL prefix links none. */
struct meta_links {
	const char *tag_pre, *tag_post;
	const char *user_pre, *user_post;
};

/* A post's text as HTML (escaped, line breaks kept) with its web links,
 * #hashtags and @mentions as links (`l`); NULL for NULL. */
char *meta_text(struct src_run *r, const char *text, const struct meta_links *l);

/* Sets the item's author (name, profile URL: either may be NULL) and,
 * for an account's own posts, the feed's title and home page from the
 * first one. */
void meta_author(struct src_run *r, struct feed_item *it, char *name, char *url);

/* The items of a Graph list ("data", meta_data) read one by one with
 * `read` (index for messages), then paging.next while more are wanted. */
enum rc meta_list(struct src_run *r, const struct meta_net *net, const json_t *doc,
    const char *what, enum rc (*read)(struct src_run *r, const json_t *o, size_t idx));

/*
 * The message of a failed Graph request from its error body
 * {"error":{"message","type","code","error_subcode","fbtrace_id"}}:
 * expired or revoked token (190), missing permission (10, 200-299: names
 * `perms`), rate limits (4, 17, 32, 613, 80001-80014). False when the
 * body is no such error.
 */
bool meta_http_error(const struct meta_net *net, long status, const char *body, size_t len,
    char *out, size_t n);

/* Seconds to wait: META_WAIT (or the BUC estimate) when a usage figure
 * is at META_USAGE_HIGH % or more, or the error body is a rate limit. */
long meta_backoff(const char *usage, const char *body, size_t len);

#endif

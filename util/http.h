/* http: a synchronous, bounded HTTP client (libcurl easy) behind an ops
 * struct; every call goes through the outbound policy (util/netpolicy). */
#ifndef SOCIALHUB_UTIL_HTTP_H
#define SOCIALHUB_UTIL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"

#define HTTP_HEADERS_MAX 8             /* request headers and wanted headers */
#define HTTP_BODY_MAX_DEFAULT (1u << 20)
#define HTTP_CONNECT_MS_DEFAULT 5000
#define HTTP_TOTAL_MS_DEFAULT 10000

/*
 * One request. Only `url` is required: GET unless `form` is set (then a
 * POST of application/x-www-form-urlencoded `form`, already encoded).
 * `headers` are "Name: value" lines (NULL-terminated, at most
 * HTTP_HEADERS_MAX). `basic_user`/`basic_pass` send HTTP Basic auth (both
 * already form-encoded as RFC 6749 2.3.1 asks). Zero limits mean the
 * defaults above. Redirects are refused unless max_redirects > 0. Only
 * http and https URLs, TLS peer and host always verified, the user agent
 * and CA store of the policy, no proxy.
 * `want_headers` names response headers to keep (e.g. "Retry-After").
 */
struct http_request {
	const char *url;
	const char *form;
	const char *method;    /* NULL: GET, or POST with a form; else e.g. "DELETE" */
	const char *headers[HTTP_HEADERS_MAX + 1];
	const char *basic_user;
	const char *basic_pass;
	long connect_ms;
	long total_ms;
	size_t max_body;
	long max_redirects;
	const char *want_headers[HTTP_HEADERS_MAX + 1];
	const char *log_name;  /* what the request is for, in logs ("token") */
	bool public_only;      /* refuse loopback/private/link-local peers (SSRF):
				* checked on the connected peer of every request
				* and redirect hop, so DNS cannot cheat */
};

/* The answer; strings live in the arena given to http_perform. */
struct http_response {
	long status;
	char *body;             /* NUL-terminated; may hold NULs inside */
	size_t body_len;
	char *content_type;     /* NULL when absent */
	char *header_values[HTTP_HEADERS_MAX]; /* by index of want_headers */
};

/*
 * The seam: perform one request. Returns RC_OK with any HTTP status in
 * rs->status; RC_INVALID for a refused URL (scheme), RC_TOOBIG when the
 * body passes max_body, RC_TIMEOUT, RC_UPSTREAM for connection and TLS
 * failures, RC_NOMEM.
 */
struct http_ops {
	enum rc (*perform)(void *arg, struct arena *a, const struct http_request *rq,
	    struct http_response *rs);
	void *arg;
};

struct netpolicy;

/* The real client over libcurl, under policy p (borrowed: it must outlive
 * every call). */
struct http_ops http_curl(const struct netpolicy *p);

/* Calls ops->perform after checking the URL scheme (http, https). */
enum rc http_perform(const struct http_ops *ops, struct arena *a,
    const struct http_request *rq, struct http_response *rs);

/* True when url starts with http:// or https:// (case-insensitive). */
bool http_url_allowed(const char *url);

/* True when the response's Content-Type is JSON (application/json or +json). */
bool http_is_json(const struct http_response *rs);

#endif

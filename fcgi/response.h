/* response: status, headers and body of one reply, written once at the end. */
#ifndef SOCIALHUB_FCGI_RESPONSE_H
#define SOCIALHUB_FCGI_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/rc.h"

#define RESPONSE_BODY_MAX (32u * 1024 * 1024)

/* A strict Content-Security-Policy for our own HTML pages. */
#define RESPONSE_CSP_DEFAULT \
	"default-src 'none'; img-src 'self' data:; style-src 'self'; " \
	"script-src 'self'; connect-src 'self'; form-action 'self'; " \
	"frame-ancestors 'self'; base-uri 'none'"

struct response;

void response_status(struct response *res, int status);
int response_get_status(const struct response *res);

/*
 * Adds a header. RC_INVALID if the name or value holds CR, LF or NUL, so no
 * input can split a response. Values are copied.
 */
enum rc response_header(struct response *res, const char *name, const char *value);
/* Replaces every header of that name (case-insensitive) with one value. */
enum rc response_header_set(struct response *res, const char *name, const char *value);
/* The first value of a header already added, or NULL. */
const char *response_header_get(const struct response *res, const char *name);

/* The body builder (capped at RESPONSE_BODY_MAX). */
struct buf *response_body(struct response *res);
/* Points the body at bytes that outlive the request (cache, arena). */
void response_body_ref(struct response *res, const void *p, size_t n);
/* Sets Content-Type. */
enum rc response_type(struct response *res, const char *content_type);

/* Status + JSON body via Jansson; steals the reference to `j`. */
enum rc response_json(struct response *res, int status, json_t *j);
/* Status + text/html body copied from s[0..n), with CSP and nosniff. */
enum rc response_html(struct response *res, int status, const char *s, size_t n);
/* Marks the response as HTML built in response_body(): adds CSP etc. */
enum rc response_html_headers(struct response *res, const char *csp);
/* {"error": code, "message": message} with the given status. */
enum rc response_error(struct response *res, int status, const char *code,
    const char *message);
/* A redirect (301/302/303/307) with Location; location must be a valid URL
 * or absolute path without CR/LF. */
enum rc response_redirect(struct response *res, int status, const char *location);

/* Cache-Control: public, max-age=N, stale-while-revalidate=M. */
enum rc response_cache_public(struct response *res, long max_age, long swr);
/* Cache-Control: no-store (and Pragma: no-cache). */
enum rc response_no_store(struct response *res);
/* Sets a strong ETag (quoted by this function) and Last-Modified. */
enum rc response_etag(struct response *res, const char *opaque);
enum rc response_last_modified(struct response *res, time_t t);

#endif

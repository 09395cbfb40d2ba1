/* request: one parsed, validated HTTP request as seen by a handler. */
#ifndef SOCIALHUB_FCGI_REQUEST_H
#define SOCIALHUB_FCGI_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"

/* SPEC section 3 input limits. */
#define REQUEST_QUERY_MAX   (8u * 1024)
#define REQUEST_COOKIE_MAX  (8u * 1024)
#define REQUEST_BODY_MAX    (64u * 1024)
#define REQUEST_HEADER_MAX  (8u * 1024)   /* any other single header */
#define REQUEST_PARAMS_MAX  64            /* names per query/form/cookie set */
/* Fields of a form body: a bulk form's checkboxes (the moderation queue)
 * each count; the 64 KiB body bounds them anyway. */
#define REQUEST_FORM_PARAMS_MAX 2048

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_OPTIONS = 1 << 5,
	HTTP_PATCH = 1 << 6,
	HTTP_OTHER = 1 << 7,
};

/* Who is signed in, filled lazily by the identity hook oauth/ registers. */
struct identity {
	const char *provider;
	const char *sub;
	const char *name;
	const char *email;
	bool email_verified;
	const char *picture;
	const char *profile_url;
	long long issued_at;
	long long expires_at;
	/* Changes with every session (a digest of the session cookie), never
	 * the cookie itself: keys tokens bound to the session (CSRF). NULL
	 * when the hook gives none. */
	const char *binding;
};

struct request;
struct config;

/* The request's arena: everything a handler allocates goes here. */
struct arena *request_arena(const struct request *req);
const struct config *request_config(const struct request *req);

enum http_method request_method(const struct request *req);
/* The method as sent, e.g. "GET". */
const char *request_method_name(const struct request *req);
/* The path below the mount prefix, still percent-encoded, e.g. "/healthz". */
const char *request_path(const struct request *req);
/* The i-th {capture} of the matched route pattern, percent-decoded. */
const char *request_capture(const struct request *req, size_t i);

/*
 * Decoded query / form / cookie values. NULL when absent. A name given more
 * than once yields the first value; *_count says how many were sent (the
 * OAuth callback refuses duplicates).
 */
const char *request_query(const struct request *req, const char *name);
size_t request_query_count(const struct request *req, const char *name);
const char *request_form(const struct request *req, const char *name);
size_t request_form_count(const struct request *req, const char *name);
/* Calls fn with each value of form field `name`, in the order sent (a
 * form's checkboxes); a non-zero return stops. */
void request_form_each(const struct request *req, const char *name,
    int (*fn)(void *arg, const char *value), void *arg);
const char *request_cookie(const struct request *req, const char *name);
/* Calls fn for each cookie whose name starts with prefix (state cookies). */
void request_cookies_each(const struct request *req, const char *prefix,
    void (*fn)(void *arg, const char *name, const char *value), void *arg);

/* A request header by its HTTP name ("User-Agent"), NULL when absent. */
const char *request_header(const struct request *req, const char *name);
/* A raw CGI/FastCGI parameter ("REMOTE_ADDR"), NULL when absent. */
const char *request_param(const struct request *req, const char *name);
const char *request_remote_addr(const struct request *req);
/* True for a request this site's own pages sent (a POST's guard): its
 * Origin equals site_url ("null" never does), or, without an Origin,
 * Sec-Fetch-Site is same-origin. */
bool request_same_origin(struct request *req);
/* True when the worker took this request while others were waiting (it is
 * under load): work that can wait may be batched (share counting); false
 * when it was idle, then the work is done before the answer. */
bool request_busy(const struct request *req);
/* True when the request reached nginx over HTTPS. */
bool request_is_https(const struct request *req);

/* True for an nginx subrequest (an SSI include): REQUEST_URI, which nginx
 * keeps as the including page's, is outside the mount while DOCUMENT_URI
 * (the subrequest's own) is inside; the path then comes from DOCUMENT_URI. */
bool request_is_subrequest(const struct request *req);

/* The signed-in visitor or NULL, resolved once per request. */
const struct identity *request_identity(struct request *req);

/*
 * A parameter declared in the route's table (router.h's param_spec), as
 * the router checked it before the handler ran. Which member holds the
 * typed value follows the row's type.
 */
struct param_value {
	const char *s;       /* the first value sent, decoded (every type) */
	long long i;         /* PARAM_INT */
	size_t e;            /* PARAM_ENUM: the index of the word in choices */
	const void *p;       /* what the row's parse made, or NULL */
	size_t count;        /* how many times the name was sent */
	enum rc refused;     /* RC_OK, or why the row's parse refused it */
	const char *name;    /* the row's name */
};

/*
 * The checked value of the route's parameter `key` (its row's index in the
 * table); NULL when it was not sent or its parse refused it.
 */
const struct param_value *request_value(const struct request *req, size_t key);
/* A PARAM_SOFT row's value that its parse refused (->refused says why);
 * NULL otherwise. */
const struct param_value *request_refused(const struct request *req, size_t key);
/*
 * For a handler that answers a refused PARAM_SOFT row with an error: the
 * row's refusal (v->refused), and the router's error body names the
 * parameter as for one it refused itself. RC_INVALID when the row was not
 * refused.
 */
enum rc request_refuse(struct request *req, size_t key);
/* The typed value of row `key`, or `def` / NULL when request_value is NULL. */
long long request_value_int(const struct request *req, size_t key, long long def);
size_t request_value_enum(const struct request *req, size_t key, size_t def);
const char *request_value_str(const struct request *req, size_t key);

#endif

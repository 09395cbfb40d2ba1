/* router: route tables, parameter tables, dispatch, rc -> HTTP status. */
#ifndef SOCIALHUB_FCGI_ROUTER_H
#define SOCIALHUB_FCGI_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "util/rc.h"

/*
 * A handler fills `res` and returns RC_OK, or returns an error code and
 * leaves the reply to the router (a JSON error with the mapped status).
 * `ctx` is the owning feature's per-process context.
 */
typedef enum rc (*route_handler)(struct request *req, struct response *res, void *ctx);

enum param_type {
	PARAM_STRING,  /* any (decoded, so UTF-8) text up to max_len bytes: v->s */
	PARAM_INT,     /* decimal integer in [min, max]: v->i */
	PARAM_TOKEN,   /* [A-Za-z0-9._-]+ up to max_len: v->s */
	PARAM_ENUM,    /* one of the words of `choices`: v->e, its index */
};

enum param_flags {
	PARAM_REQUIRED = 1 << 0,  /* absent: 400 */
	/*
	 * A value that the row's parse refuses reaches the handler as refused
	 * (request_refused) instead of a 400: the handler answers it in its own
	 * words, at its own point (after a 404 for an unknown name, say). A
	 * value that fails its type or length is a 400 all the same.
	 */
	PARAM_SOFT = 1 << 1,
};

/*
 * A row's own check, run after its type's on the first value sent: reads
 * the text v into a typed value (*out, arena memory; left NULL by a plain
 * check) or refuses it with an rc (RC_INVALID, RC_FORBIDDEN, ...), which
 * is the answer unless the row is PARAM_SOFT. ctx is the route's context.
 * RC_NOMEM always ends the request.
 */
typedef enum rc (*param_parse_fn)(void *ctx, struct arena *a, const char *v,
    const void **out);

/*
 * One declared query (or form) parameter of a route. Handlers read its
 * checked value by the row's index in the table (request_value), so the
 * routes that share a handler share the order of their rows. A name sent
 * more than once: the first value is checked and counts; v->count says how
 * many were sent. Names not in the table are ignored.
 */
struct param_spec {
	const char *name;
	enum param_type type;
	unsigned flags;               /* param_flags */
	size_t max_len;               /* 0: the query limit */
	long long min, max;           /* PARAM_INT */
	const char *const *choices;   /* PARAM_ENUM: the words, NULL-terminated */
	param_parse_fn parse;         /* NULL: the type's check only */
};

enum route_flags {
	ROUTE_FORM = 1 << 0,     /* parse an x-www-form-urlencoded POST body */
};

/*
 * A route: methods (bitmask of http_method) + pattern. Patterns are literal
 * paths with {name} captures that match one path segment, optionally
 * followed by a literal suffix in the same segment: "/streams/{name}.json".
 * HEAD is allowed wherever GET is. Tables end with a NULL pattern.
 */
struct route {
	unsigned methods;
	const char *pattern;
	route_handler handler;
	const char *name;                   /* metrics label */
	const struct param_spec *params;    /* NULL-name-terminated, or NULL */
	unsigned flags;
};

/* The HTTP status an error code maps to (RC_INVALID -> 400, ...). */
int router_status(enum rc rc);

#endif

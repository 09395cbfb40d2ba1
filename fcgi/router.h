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
	PARAM_STRING,  /* any valid UTF-8 up to max_len bytes */
	PARAM_INT,     /* decimal integer in [min, max] */
	PARAM_TOKEN,   /* [A-Za-z0-9._-]+ up to max_len */
	PARAM_ENUM,    /* one of the '|'-separated words in `choices` */
};

/* One declared query (or form) parameter of a route. */
struct param_spec {
	const char *name;
	enum param_type type;
	bool required;
	size_t max_len;        /* 0: the query limit */
	long long min, max;    /* PARAM_INT */
	const char *choices;   /* PARAM_ENUM, e.g. "list|grid|carousel" */
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

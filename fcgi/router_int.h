/* router_int: the per-process route set built from the feature table. */
#ifndef SOCIALHUB_FCGI_ROUTER_INT_H
#define SOCIALHUB_FCGI_ROUTER_INT_H

#include "fcgi/request_int.h"
#include "fcgi/response_int.h"
#include "fcgi/router.h"

struct feature;
struct router;

/*
 * Builds the route set: each feature's routes, after calling
 * every feature's init (in this process). RC_CONFIG if a feature fails to
 * start; the error was logged.
 */
enum rc router_new(const struct config *cfg, const struct feature *features,
    struct router **out);
/* Calls each feature's fini, then frees. */
void router_free(struct router *r);

/*
 * Routes one request and always leaves a complete response in res: the
 * handler's, or a JSON error (404, 405 + Allow, 400, ...). Handles HEAD,
 * strong ETags and If-None-Match. *route_name is the metrics label.
 */
void router_handle(struct router *r, struct request *req, struct response *res,
    const char **route_name);

/*
 * Checks req's query (a ROUTE_FORM route's form, on POST) against rt's
 * parameter table and hands the typed values to req (request_value).
 * RC_INVALID for a value that fails its row, a hard refusal's rc, RC_NOMEM.
 * router_handle calls it before the handler; tests that call a handler
 * directly call it first.
 */
enum rc router_params(const struct route *rt, void *ctx, struct request *req);

/* Replaces res with the JSON error for rc. */
void router_error(struct response *res, enum rc rc);

/*
 * Puts a core route table (health.c's) ahead of the features' tables; its
 * handlers get ctx. RC_NOMEM.
 */
enum rc router_add_first(struct router *r, const struct route *t, void *ctx);

/* Runs fn over every started feature with its context (health, refresh). */
void router_each_feature(const struct router *r,
    void (*fn)(void *arg, const struct feature *f, void *ctx), void *arg);

#endif

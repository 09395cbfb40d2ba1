/* health: the operations routes /healthz, /version and /metrics. */
#ifndef SOCIALHUB_FCGI_HEALTH_H
#define SOCIALHUB_FCGI_HEALTH_H

#include <stdbool.h>
#include <time.h>

#include "fcgi/router.h"
#include "util/buf.h"

/*
 * The /healthz report of one worker, rendered at most once a second (disk
 * probes, feature hooks, JSON) so that the route stays cheap under load;
 * every request within the same second gets the same bytes and status.
 */
struct health_cache {
	time_t rendered;      /* the second body was rendered in; 0: never */
	int status;           /* 200 or 503 */
	struct buf body;      /* the JSON report */
	struct buf version;   /* GET /version, rendered once */
	char version_etag[64];
};

/* Frees the cached bodies (the router calls it). */
void health_cache_fini(struct health_cache *hc);

/* Core route table; the handlers' ctx is the struct router. */
extern const struct route health_routes[];

/* True when addr is allowed by one of the prefixes ("127.0.0.1", "10.", "::1"). */
bool health_addr_allowed(const char *addr, char *const *allow, size_t n);

#endif

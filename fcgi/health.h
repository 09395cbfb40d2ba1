/* health: the operations routes /healthz, /version and /metrics. */
#ifndef SOCIALHUB_FCGI_HEALTH_H
#define SOCIALHUB_FCGI_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"

struct health;
struct router;

/*
 * Adds /healthz, /version and /metrics to r, ahead of the features' routes;
 * the /healthz report asks r's features. The caller frees *out with
 * health_free after router_free(r). RC_NOMEM.
 */
enum rc health_new(struct router *r, struct health **out);
void health_free(struct health *h);

/* True when addr is allowed by one of the prefixes ("127.0.0.1", "10.", "::1"). */
bool health_addr_allowed(const char *addr, char *const *allow, size_t n);

#endif

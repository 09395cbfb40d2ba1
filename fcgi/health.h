/* health: the operations routes /healthz, /version and /metrics. */
#ifndef SOCIALHUB_FCGI_HEALTH_H
#define SOCIALHUB_FCGI_HEALTH_H

#include <stdbool.h>

#include "fcgi/router.h"

#include <time.h>

/* Disk checks are cached for a second so /healthz stays cheap under load. */
struct health_cache {
	time_t checked;
	bool cache_ok;
	bool state_ok;
};

/* Core route table; the handlers' ctx is the struct router. */
extern const struct route health_routes[];

/* True when addr is allowed by one of the prefixes ("127.0.0.1", "10.", "::1"). */
bool health_addr_allowed(const char *addr, char *const *allow, size_t n);

#endif

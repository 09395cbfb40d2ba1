/* store_redis: the store in Redis through hiredis, with short timeouts. */
#ifndef SOCIALHUB_UTIL_STORE_REDIS_H
#define SOCIALHUB_UTIL_STORE_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/store_ops.h"

/* The backend's table; conf->url must be set. */
extern const struct store_ops store_redis_ops;

/*
 * Whether url is one this build can use: redis://HOST:PORT[/DB] or
 * unix:PATH (rediss:// is refused: Debian 12's hiredis 0.14 has no TLS).
 * On false, err (n bytes) says why.
 */
bool store_redis_url_ok(const char *url, char *err, size_t n);

#endif

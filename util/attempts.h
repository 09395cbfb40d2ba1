/* attempts: a bounded on-disk log of recent attempts by key (a client
 * network), shared by the processes that use the same file. */
#ifndef SOCIALHUB_UTIL_ATTEMPTS_H
#define SOCIALHUB_UTIL_ATTEMPTS_H

#include <time.h>

#include "util/rc.h"

#define ATTEMPTS_KEY_LEN 16
#define ATTEMPTS_SLOTS 512 /* the log keeps the last 512 attempts */

/* At most `max` attempts per key within `window` seconds, logged in `path`. */
struct attempts_rule {
	const char *path;
	long window;
	unsigned max;
};

/*
 * Records an attempt by key at `now` when the key made fewer than r->max
 * within the window; the file is replaced atomically (0600). RC_OK when
 * recorded, RC_RATELIMIT when over the limit (*retry_after: seconds until
 * the oldest counted attempt leaves the window), RC_IO when the file cannot
 * be written. A missing, short or corrupt file reads as empty. Read, check
 * and write are not atomic together: the caller serializes them (one lock
 * around every use of the same path).
 */
enum rc attempts_take(const struct attempts_rule *r, const unsigned char key[ATTEMPTS_KEY_LEN],
    time_t now, long *retry_after);

#endif

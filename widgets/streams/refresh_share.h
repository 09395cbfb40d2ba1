/* refresh_share: one fetch per source across a cluster — leases and shared results. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_REFRESH_SHARE_H
#define SOCIALHUB_WIDGETS_STREAMS_REFRESH_SHARE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"
#include "util/store.h"

/*
 * With a shared store (util/store.h on Redis) the refreshers of several
 * nodes agree on who fetches a source: the one holding the lease
 * "refresh:lease:KEY" (KEY the source's cache key). After its fetch it
 * puts what it wrote into its cache — status.json, http.json and
 * items.json, byte for byte — at "refresh:src:KEY"; the other nodes copy
 * those files into their own caches instead of fetching, so every node
 * merges and publishes the same inputs.
 *
 * Thread-safe: one mutex guards the store handle (the refresher's writer
 * threads share results while its renewer renews leases).
 */
struct refresh_share;

#define REFRESH_LEASE_MS (25 * 1000)    /* a fetch's total timeout + margin */
#define REFRESH_RENEW_MS (8 * 1000)     /* leases held are renewed this often */
#define REFRESH_SHARE_TTL (2 * 86400)   /* a shared result outlives any interval */

/* The three files of a source in a node's cache. */
struct refresh_files {
	const char *status, *http, *items;
};

/*
 * Wraps st (borrowed; must outlive the share; NULL: no share, *out NULL).
 * A local store works too (one machine's refreshers, and the tests).
 * The holder id is "HOSTNAME:PID:RANDOM", unique per refresher process.
 */
enum rc refresh_share_new(struct store *st, struct refresh_share **out);
void refresh_share_free(struct refresh_share *rs);
const char *refresh_share_holder(const struct refresh_share *rs);

/*
 * Takes or renews the lease of source `key`: RC_OK with *held; RC_UNAVAILABLE
 * when the store is down (the caller fetches for itself; logged once per
 * outage here).
 */
enum rc refresh_share_lease(struct refresh_share *rs, const char *key, bool *held);
/* Gives the lease back (best effort). */
void refresh_share_release(struct refresh_share *rs, const char *key);

/*
 * Puts the files of source `key` (as this node just wrote them) into the
 * store. A missing items.json (a source that never succeeded) is shared
 * as absent. RC_UNAVAILABLE when the store is down, RC_IO/RC_CORRUPT when
 * the local files cannot be read.
 */
enum rc refresh_share_put(struct refresh_share *rs, const char *key,
    const struct refresh_files *f);

/*
 * Copies the shared result of `key` into the local files when it is newer
 * than the local status (its last_attempt later than `local_attempt`).
 * *took true when it did. RC_NOTFOUND when nothing is shared,
 * RC_UNAVAILABLE when the store is down, RC_CORRUPT on a malformed value.
 */
enum rc refresh_share_take(struct refresh_share *rs, const char *key,
    long long local_attempt, const struct refresh_files *f, bool *took);

/* The framing of a shared value, exposed for the unit test:
 * "SHR1 S H I\n" then S status bytes, H http bytes, I items bytes (I may
 * be 0: no items). */
enum rc refresh_share_pack(const char *st, size_t sn, const char *http, size_t hn,
    const char *items, size_t in, char **out, size_t *outlen);
enum rc refresh_share_unpack(const char *v, size_t len, const char **st, size_t *sn,
    const char **http, size_t *hn, const char **items, size_t *in);

#endif

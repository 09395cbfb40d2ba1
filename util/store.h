/* store: shared state behind one small interface (Redis, or local SQLite). */
#ifndef SOCIALHUB_UTIL_STORE_H
#define SOCIALHUB_UTIL_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/rc.h"
#include "util/store_ops.h"

/*
 * One handle per process (opened after fork), never shared between
 * processes. Keys are short trusted strings chosen by the caller
 * ("share:u:…", "oauth:state:…"); the configured prefix is put in front.
 *
 * With a Redis URL every call has conf->timeout_ms to finish, and a
 * circuit breaker: after conf->breaker_failures failures in a row, calls
 * answer RC_UNAVAILABLE at once for conf->breaker_cooldown_ms, then one
 * call tries again. Counters, values, lists and hashes never fall back:
 * the caller decides (queue, refuse, serve without). Single-use values
 * and leases fall back to the local backend when conf->fallback_local
 * (per node; logged once per outage).
 */
struct store;

enum store_state {
	STORE_LOCAL,     /* no Redis configured: the local backend */
	STORE_UP,        /* the last Redis call succeeded */
	STORE_FAILING,   /* recent failures, breaker still closed */
	STORE_DOWN,      /* breaker open: Redis is skipped */
};

/*
 * Opens the backend conf names (Redis when conf->url is set, else local
 * in conf->local_dir). A Redis server that does not answer yet is no
 * error: the handle starts in STORE_FAILING and reconnects on use. conf
 * is copied (strings too). RC_CONFIG on a bad URL, RC_IO when the local
 * database cannot be opened.
 */
enum rc store_open(const struct store_conf *conf, struct store **out);
/* Closes the backends; NULL is a no-op. */
void store_close(struct store *s);

/* True when conf names Redis (a cluster-wide store). */
bool store_is_shared(const struct store *s);
enum store_state store_state(const struct store *s);
/* "local", "up", "failing", "down". */
const char *store_state_str(enum store_state st);

/*
 * Asks the backend whether it answers (PING through the breaker). RC_OK,
 * or RC_UNAVAILABLE when Redis is down and there is no local fallback.
 */
enum rc store_ping(struct store *s);

/*
 * Adds `by` to the integer at key, creating it at 0; a new key expires
 * after ttl_s seconds (0: never), a key that exists keeps its expiry.
 * *out is the new value.
 */
enum rc store_incr(struct store *s, const char *key, long long by, long ttl_s,
    long long *out);

/*
 * Claims key for ttl_s seconds (0: for good): RC_OK the first time,
 * RC_FORBIDDEN while it is claimed (a replay). Falls back to the local backend (per node) when
 * Redis is down and conf->fallback_local.
 */
enum rc store_once(struct store *s, const char *key, long ttl_s);

/* Sets key to value (len bytes), expiring after ttl_s (0: never). */
enum rc store_set(struct store *s, const char *key, const void *value, size_t len,
    long ttl_s);
/* The value at key, malloc'd and NUL-terminated (caller frees);
 * RC_NOTFOUND when missing or expired. */
enum rc store_get(struct store *s, const char *key, char **value, size_t *len);
/* Removes key (whatever kind); RC_OK when it was missing. */
enum rc store_del(struct store *s, const char *key);

/*
 * Takes or renews the lease on key for `holder` for ttl_ms: *held true when
 * holder has it now (free, expired or already its own), false when
 * another holder has it. Falls back like store_once.
 */
enum rc store_lease(struct store *s, const char *key, const char *holder, long ttl_ms,
    bool *held);
/* Gives the lease back when holder still has it. */
enum rc store_lease_release(struct store *s, const char *key, const char *holder);

/*
 * Pushes value at the head of the list at key, keeps the newest `max`
 * entries and sets the list to expire after ttl_s (0: never).
 */
enum rc store_push(struct store *s, const char *key, const char *value, size_t max,
    long ttl_s);
/* Calls fn with the newest `max` entries of the list, newest first. */
enum rc store_range(struct store *s, const char *key, size_t max, store_item_fn fn,
    void *arg);

/* Adds `by` to field of the hash at key; *out (may be NULL) the new value. */
enum rc store_hincr(struct store *s, const char *key, const char *field, long long by,
    long long *out);
/* Calls fn with every field and its integer value, in no particular order. */
enum rc store_hgetall(struct store *s, const char *key, store_field_fn fn, void *arg);

/*
 * Hashes of string values: a field's value (len bytes, at most
 * STORE_VALUE_MAX) set, read (malloc'd, NUL-terminated; RC_NOTFOUND when
 * missing), removed (RC_OK when missing), and every field of the hash
 * passed to fn (in no particular order; a non-zero return stops). They
 * never expire. A key holds either hincr's integer fields or these.
 */
enum rc store_hset(struct store *s, const char *key, const char *field, const char *value,
    size_t len);
enum rc store_hget(struct store *s, const char *key, const char *field, char **value,
    size_t *len);
enum rc store_hdel(struct store *s, const char *key, const char *field);
enum rc store_hscan(struct store *s, const char *key, store_pair_fn fn, void *arg);

/*
 * True when the backend runs scripts (Redis): several steps in one round
 * trip, atomically. The local backend does not.
 */
bool store_can_eval(const struct store *s);
/*
 * Runs the Lua script on keys[0..nkeys) (the prefix is put in front) and
 * args[0..nargs), at most STORE_EVAL_KEYS_MAX / STORE_EVAL_ARGS_MAX; *out
 * is its integer answer. RC_INVALID when the backend runs no scripts or the
 * answer is not an integer, RC_UNAVAILABLE when Redis failed.
 */
enum rc store_eval(struct store *s, const char *script, const char *const *keys,
    size_t nkeys, const char *const *args, size_t nargs, long long *out);

/* The state, backend, failures and fallbacks, for /healthz. New ref. */
json_t *store_health(const struct store *s);

#endif

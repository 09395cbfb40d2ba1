/* tokens: network access tokens of the configured connections, sealed with
 * AES-256-GCM under a key ring and kept in the store (util/store.h), so a
 * Redis store shares them between nodes and the local one keeps them in
 * state_dir. Nothing here logs a token. */
#ifndef SOCIALHUB_UTIL_TOKENS_H
#define SOCIALHUB_UTIL_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/rc.h"
#include "util/store.h"

#define TOKENS_KEYS_MAX 8
#define TOKENS_KID_MAX 32        /* a key id: 1-32 of [A-Za-z0-9_-] */
#define TOKENS_NAME_MAX 64       /* a connection name: 1-64 of [A-Za-z0-9_-] */

/* The key ring: the newest key seals, every key opens. Opaque. */
struct tokens_ring;

/* An empty ring (NULL on allocation failure); tokens_ring_free wipes it. */
struct tokens_ring *tokens_ring_new(void);
void tokens_ring_free(struct tokens_ring *r);

/*
 * Adds a key with id `kid` from key material (a `socialhub keygen` line:
 * base64url of 32 or more random bytes; trailing blanks ignored). Keys
 * are added newest first. RC_INVALID for a bad id, a duplicate id or
 * material that is not 32+ random-looking bytes (*why says which, static),
 * RC_LIMIT past TOKENS_KEYS_MAX.
 */
enum rc tokens_ring_add(struct tokens_ring *r, const char *kid, const char *material,
    size_t len, const char **why);
size_t tokens_ring_count(const struct tokens_ring *r);
/* The id of the key that seals ("" for an empty ring). */
const char *tokens_ring_newest(const struct tokens_ring *r);

/* True for a connection name or key id: 1-max of [A-Za-z0-9_-]. */
bool tokens_name_ok(const char *s, size_t max);

/*
 * Seals rec (a JSON object: access_token, refresh_token, expires_at, …)
 * under the newest key, bound to `name`, and stores it at
 * "conn:tok:NAME" expiring after ttl_s (0: never); lists the name.
 * RC_INVALID for a bad name or no key, the store's rc otherwise.
 */
enum rc tokens_put(struct store *s, const struct tokens_ring *r, const char *name,
    const json_t *rec, long ttl_s);

/*
 * The record of `name` (new reference). *kid_old (may be NULL) is set when
 * it was sealed under a key other than the newest (tokens_rekey renews
 * it). RC_NOTFOUND when there is none (or it expired), RC_CRYPTO when no
 * key of the ring opens it or it was tampered with, RC_CORRUPT when the
 * stored text is not a sealed record.
 */
enum rc tokens_get(struct store *s, const struct tokens_ring *r, const char *name,
    json_t **out, bool *kid_old);

/* Removes the record and the name from the list; RC_OK when missing. */
enum rc tokens_delete(struct store *s, const char *name);

/* Calls fn with every name that has a record, in no particular order;
 * a non-zero return stops. */
enum rc tokens_list(struct store *s, int (*fn)(void *arg, const char *name), void *arg);

/*
 * Reseals every record under the newest key (after a rotation): *done
 * counts the records resealed, *failed those no key opens (left as they
 * are). Keeps each record's remaining lifetime only as "expires_at" says;
 * the store entry itself gets ttl_s.
 */
enum rc tokens_rekey(struct store *s, const struct tokens_ring *r, long ttl_s,
    size_t *done, size_t *failed);

/* Sealing alone, for tests and tools: the text that tokens_put stores. */
enum rc tokens_seal(const struct tokens_ring *r, const char *name, const json_t *rec,
    char **out);
enum rc tokens_unseal(const struct tokens_ring *r, const char *name, const char *text,
    json_t **out, bool *kid_old);

#endif

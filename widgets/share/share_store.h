/* share_store: durable share counters in SQLite, one count per visitor a day. */
#ifndef SOCIALHUB_WIDGETS_SHARE_STORE_H
#define SOCIALHUB_WIDGETS_SHARE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/rc.h"

#define SHARE_SALT_LEN 32
#define SHARE_VISITOR_LEN 16

struct share_store;

/*
 * Opens (creating when missing) the database at path in WAL mode with
 * synchronous=NORMAL and a busy timeout of busy_ms, creates the tables and
 * prepares the statements. One handle per process, opened after fork.
 * RC_IO when SQLite cannot open or set it up (logged once).
 */
enum rc share_store_open(const char *path, int busy_ms, struct share_store **out);
/* Finalizes the statements and closes the handle. NULL is a no-op. */
void share_store_close(struct share_store *s);

/*
 * Counts one share of (key, network) by the visitor, unless that visitor
 * hash was already seen: INSERT OR IGNORE of the visitor row and, when it
 * was new, an upsert of the counter, in one IMMEDIATE transaction. `day`
 * is the UTC day number (time / 86400); rows older than yesterday are
 * pruned once per day per process. *counted (may be NULL) says whether
 * the counter moved. RC_UNAVAILABLE when the database stayed busy,
 * RC_IO on any other SQLite error (the transaction is rolled back).
 */
enum rc share_store_count(struct share_store *s, const char *key,
    const char *network, const unsigned char visitor[SHARE_VISITOR_LEN],
    long day, bool *counted);

/*
 * Fills `networks` (a JSON object) with network -> count for key and sets
 * *total to their sum. RC_IO on SQLite errors.
 */
enum rc share_store_counts(struct share_store *s, const char *key,
    json_t *networks, long long *total);

/* True when the last operation succeeded (for /healthz). */
bool share_store_healthy(const struct share_store *s);

/*
 * The visitor hash: HMAC-SHA256(salt, "v1" 0 day 0 addr 0 ua 0 key 0
 * network) truncated to SHARE_VISITOR_LEN bytes. The day is inside the
 * MAC, so hashes of two days cannot be linked, and the raw address is never
 * stored.
 */
enum rc share_visitor_hash(const unsigned char *salt, size_t saltlen, long day,
    const char *addr, const char *ua, const char *key, const char *network,
    unsigned char out[SHARE_VISITOR_LEN]);

/*
 * Loads the salt from path (at least SHARE_SALT_LEN bytes, folded with
 * SHA-256), creating it first when missing and `create` is set: random bytes
 * written to a temp file, fsync'd, then link()ed into place, so concurrent
 * first starts agree on one salt (the loser reads the winner's file).
 * RC_IO on failure, RC_CORRUPT when the file is shorter than the salt.
 */
enum rc share_salt_load(const char *path, bool create,
    unsigned char out[SHARE_SALT_LEN]);

#endif

/* share_store: durable share counters in SQLite, bounded per visitor network a day. */
#ifndef SOCIALHUB_WIDGETS_SHARE_STORE_H
#define SOCIALHUB_WIDGETS_SHARE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/crypto.h"
#include "util/rc.h"

#define SHARE_SALT_LEN 32
#define SHARE_VISITOR_LEN 16
#define SHARE_NET_MAX 64      /* "2001:db8:1234:5600::/56" and its NUL */

struct share_store;
struct share_day;

/* What one visitor network may do, and how big the tables may grow. */
struct share_limits {
	long per_url_daily;   /* counts a network may add to one URL a day */
	long new_urls_daily;  /* URLs without a counter a network may start a day */
	long max_counters;    /* rows of share_counts (URL x share network) */
	long max_daily;       /* rows of share_daily (the day's visitor keys) */
};

/* What share_store_count did with one share. */
enum share_outcome {
	SHARE_COUNTED,        /* the counter moved */
	SHARE_SEEN,           /* this network counted this URL and network today */
	SHARE_CAPPED,         /* this network reached per_url_daily for the URL */
	SHARE_NEW_URL_LIMIT,  /* this network started new_urls_daily URLs today */
	SHARE_FULL,           /* max_counters or max_daily reached */
};

/* The three per-day keys of one share by one visitor network (MACs, so
 * neither the address nor the URL is stored). */
struct share_visitor {
	unsigned char seen[SHARE_VISITOR_LEN];  /* day, network prefix, URL, share network */
	unsigned char url[SHARE_VISITOR_LEN];   /* day, network prefix, URL */
	unsigned char net[SHARE_VISITOR_LEN];   /* day, network prefix */
};

/*
 * Opens (creating when missing) the database at path in WAL mode with
 * synchronous=NORMAL and a busy timeout of busy_ms, creates the tables and
 * prepares the statements; lim is copied. One handle per process, opened
 * after fork. RC_IO when SQLite cannot open or set it up (logged once).
 */
enum rc share_store_open(const char *path, int busy_ms, const struct share_limits *lim,
    struct share_store **out);
/* Finalizes the statements and closes the handle. NULL is a no-op. */
void share_store_close(struct share_store *s);

/*
 * Counts one share of (key, network) by visitor v, in one IMMEDIATE
 * transaction: not when v.seen was seen today (SHARE_SEEN); not past the
 * limits (SHARE_CAPPED, SHARE_NEW_URL_LIMIT, SHARE_FULL: nothing grows but
 * the day's key that makes a repeat cheap, and never past max_daily); else
 * an upsert of the counter (SHARE_COUNTED). `day` is the UTC day number
 * (time / 86400); keys older than yesterday are pruned once per day per
 * process. *out (may be NULL) says which. RC_UNAVAILABLE when the
 * database stayed busy, RC_IO on any other SQLite error (rolled back).
 */
enum rc share_store_count(struct share_store *s, const char *key,
    const char *network, const struct share_visitor *v, long day,
    enum share_outcome *out);

/* One share to count (share_store_count_many); strings borrowed. */
struct share_count {
	const char *key;
	const char *network;
	struct share_visitor v;
	long day;
};

/*
 * The read-only half of share_store_count: *seen true when v.seen was
 * counted today (a repeat; no write lock taken). Before the first count of
 * a day it says false (the transaction prunes and decides). RC_IO.
 */
enum rc share_store_seen(struct share_store *s, const struct share_visitor *v, long day,
    bool *seen);

/*
 * share_store_count of c[0..n) in ONE transaction, in order (each sees the
 * ones before it): out[i] what became of c[i]. One commit for many shares
 * is what makes a busy node's counting cheap (share_batch.h). On failure
 * nothing is counted (rolled back; every out[i] SHARE_SEEN): RC_UNAVAILABLE
 * when busy, RC_IO.
 */
enum rc share_store_count_many(struct share_store *s, const struct share_count *c, size_t n,
    enum share_outcome *out);

/* "counted", "seen", "capped", "new-url-limit", "table-full". */
const char *share_outcome_str(enum share_outcome o);

/*
 * Fills `networks` (a JSON object) with network -> count for key and sets
 * *total to their sum. RC_IO on SQLite errors.
 */
enum rc share_store_counts(struct share_store *s, const char *key,
    json_t *networks, long long *total);

/*
 * Keeps the day's visitor keys in d (share_day.h: memory shared by the
 * workers of one master) instead of share_daily, which then holds only
 * what d has no room for. d is borrowed and outlives s; NULL: SQLite
 * only (CGI). Every process counting into this database must use the
 * same d, or a visitor counts once per table.
 */
void share_store_use_day(struct share_store *s, struct share_day *d);

/* True when the last operation succeeded (for /healthz). */
bool share_store_healthy(const struct share_store *s);

/*
 * The visitor network of addr: an IPv4 address (or an IPv4-mapped IPv6
 * one) as its /24 ("192.0.2.0/24"), IPv6 as its /56; anything else is
 * copied as it is. One person rarely holds more than one of these, and
 * one address changing its User-Agent stays one visitor. false when out
 * (n bytes) is too small.
 */
bool share_visitor_net(const char *addr, char *out, size_t n);

/*
 * The keys of a share: the first SHARE_VISITOR_LEN bytes of
 * HMAC-SHA256(salt, "v2" 0 kind 0 day 0 net [0 key [0 network]]) for the
 * kinds "seen", "url" and "net", `mac` keyed with the salt
 * (crypto_hmac_new). The day is inside the MAC, so keys of two days
 * cannot be linked.
 */
enum rc share_visitor_keys(struct crypto_hmac *mac, long day, const char *net,
    const char *key, const char *network, struct share_visitor *out);
/* The "seen" key alone (one HMAC): a repeat a worker remembers
 * (share_seen.h) needs no other. */
enum rc share_visitor_seen(struct crypto_hmac *mac, long day, const char *net,
    const char *key, const char *network, unsigned char out[SHARE_VISITOR_LEN]);
/* The "url" and "net" keys (out->seen untouched): after
 * share_visitor_seen, the rest of share_visitor_keys. */
enum rc share_visitor_ids(struct crypto_hmac *mac, long day, const char *net,
    const char *key, struct share_visitor *out);

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

/* cache: the on-disk cache under cache_dir — framed files, locks, eviction. */
#ifndef SOCIALHUB_WIDGETS_CACHE_H
#define SOCIALHUB_WIDGETS_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/rc.h"

/*
 * Layout (doc/streams.md has the long form):
 *
 *   CACHE/sources/KEY/   KEY = first 32 hex digits of SHA-256(source URL)
 *       lock             flock(2) target: one fetch of a source at a time
 *       status.json      schedule and health of the source
 *       http.json        HTTP metadata of the last good response
 *       body             raw body of the last 200 response
 *       items.json       parsed items (feed_to_json), the last good copy
 *   CACHE/streams/NAME/
 *       lock             serializes merges of one stream
 *       feed.json        the merged stream, JSON Feed 1.1
 *       meta.json        index: counts, sources, fingerprint of the inputs
 *   CACHE/media/         media files (widget issue); evicted LRU by mtime
 *
 * Every file except media and locks is framed: one header line
 * "SHC1 LENGTH SHA256HEX\n" followed by exactly LENGTH payload bytes. A
 * file whose header, length or checksum does not match is corrupt and is
 * treated as missing.
 */

#define CACHE_MAGIC "SHC1"
#define CACHE_KEY_LEN 32          /* hex digits of a source key */
#define CACHE_JSON_MAX (64u * 1024 * 1024)
#define CACHE_JSON_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII) /* how JSON is stored */
#define CACHE_MEDIA_DIR "media"

struct cache;

/*
 * Opens cache_dir and creates its sources/, streams/ and media/ folders
 * (mode 0750) when it can; a failure to create them is logged, not fatal
 * (health reports it). `max_size` bounds the bytes under cache_dir (0:
 * none); only media is evicted to honour it. RC_NOMEM only.
 */
enum rc cache_open(const char *dir, long long max_size, struct cache **out);
void cache_free(struct cache *c);
const char *cache_root(const struct cache *c);

/* Appends the framed form of p[0..n) (header + payload) to `out`. */
enum rc cache_frame(struct buf *out, const void *p, size_t n);
/*
 * Checks a framed buffer; on success points *payload into `data`.
 * RC_CORRUPT on a bad header, a length mismatch or a checksum mismatch.
 */
enum rc cache_unframe(const char *data, size_t len, const char **payload,
    size_t *plen);

/* Frames p[0..n) and replaces `path` atomically (util/fsutil). */
enum rc cache_write(const char *path, const void *p, size_t n);
/*
 * Reads a framed file; *out is the malloc'd, NUL-terminated payload
 * (caller frees). RC_NOTFOUND when absent, RC_CORRUPT when it fails its
 * check (logged once here), RC_TOOBIG over `max`, RC_IO otherwise.
 */
enum rc cache_read(const char *path, size_t max, char **out, size_t *len);
/* The same for JSON payloads; *out is a new reference. RC_CORRUPT also
 * when the payload is not JSON. */
enum rc cache_read_json(const char *path, json_t **out);
enum rc cache_write_json(const char *path, const json_t *j);
/* cache_write with the payload's SHA-256 (hex) already known (NULL:
 * computed here). */
enum rc cache_write_sum(const char *path, const void *p, size_t n, const char *sum);
/*
 * j as the cache stores JSON (compact, ASCII) into *out (buf_init'ed
 * here, NUL-terminated; the caller buf_fini's it), reserving about hint
 * bytes up front. RC_NOMEM.
 */
enum rc cache_json_dump(const json_t *j, size_t hint, struct buf *out);
/*
 * The same bytes written value by value (util/jsonw.h), for the refresh
 * path's large documents: cache_jsonw_begin sets w up to write into *out
 * (reserved to about `hint`); cache_jsonw_end flushes, frees w and, on
 * failure, *out (RC_LIMIT past CACHE_JSON_MAX, RC_NOMEM, RC_INVALID).
 */
enum rc cache_jsonw_begin(struct jsonw *w, size_t hint, struct buf *out);
enum rc cache_jsonw_end(struct jsonw *w, struct buf *out);
/*
 * The checksum a framed file claims, from its header only (64 hex digits +
 * NUL in hex). For change detection; does not verify the payload.
 */
enum rc cache_peek_sum(const char *path, char hex[65]);

/* The key of a source URL: CACHE_KEY_LEN hex digits + NUL. */
void cache_source_key(const char *url, char key[CACHE_KEY_LEN + 1]);
/* "CACHE/sources/KEY/NAME" (NAME may be NULL for the folder) in arena
 * memory; NULL on no memory. */
char *cache_source_path(struct arena *a, const struct cache *c,
    const char *key, const char *name);
char *cache_stream_path(struct arena *a, const struct cache *c,
    const char *stream, const char *name);
/* Creates the folder of a source or stream (mode 0750). */
enum rc cache_mkdir(const char *path);

/* An exclusive, non-blocking flock on a lock file. */
struct cache_lock {
	int fd;
};
/*
 * Takes the lock in `path` (created if missing). RC_UNAVAILABLE when
 * another process (or another open in this one) holds it, RC_IO otherwise.
 * `wait` blocks instead of failing when held.
 */
enum rc cache_lock(const char *path, bool wait, struct cache_lock *l);
void cache_unlock(struct cache_lock *l);

/* What a source looked like after its last attempt (status.json). */
struct cache_status {
	char *url;
	long long last_attempt;   /* Unix seconds, 0: never */
	long long last_success;   /* last 200 or 304 */
	long long last_change;    /* last time the items changed */
	long long last_error_at;
	long long next_due;
	char *last_error;         /* human text, NULL after a success */
	char *error_code;         /* rc_str() of the last error */
	char *warning;            /* the last success left something out
				   * (an API source's refused media), or NULL */
	long http_status;         /* of the last attempt, 0: no response */
	long failures;            /* consecutive */
	long long bytes;          /* decompressed body bytes of the last 200 */
	long items;               /* items in items.json */
	long fetch_ms;
	/* A source that is a web page: the feed it named, fetched in its
	 * place until it fails or discovered_at is a day old, then the page
	 * is read again (refresher.c). NULL, 0: none. */
	char *feed_url;
	long long discovered_at;
	/* An API source whose account is a handle (X): the id it was looked
	 * up to, and the handle (the lookup is redone when account changes
	 * or the id names no account). NULL: none. */
	char *account_id;
	char *account_for;
};

/* Loads status.json of a source into arena memory. RC_NOTFOUND when absent
 * or corrupt (a fresh source). */
enum rc cache_status_load(struct arena *a, const char *path,
    struct cache_status *out);
enum rc cache_status_store(const char *path, const struct cache_status *s);
json_t *cache_status_json(const struct cache_status *s);

/*
 * Media LRU: readers call cache_media_touch on a hit (it bumps the mtime at
 * most once an hour); cache_evict removes the least recently touched media
 * files until the whole cache is under 90 % of its bound, and stale temp
 * files (*.tmp.XXXXXX older than 10 minutes) everywhere. Returns the bytes
 * in use after eviction in *used (may be NULL).
 */
void cache_media_touch(const char *path);
enum rc cache_evict(struct cache *c, long long now, long long *used);

/*
 * Removes source folders no configured source uses any more: not in
 * keys[0..n) and not written for `max_age` seconds (another instance
 * sharing the cache keeps its own sources fresh). Returns how many went.
 */
size_t cache_sweep_sources(struct cache *c, const char *const *keys, size_t n,
    long long now, long long max_age);

#endif

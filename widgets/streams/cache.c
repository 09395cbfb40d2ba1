/* cache: framed files (length + SHA-256), atomic replace, flock, LRU media. */
#include "widgets/streams/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/log.h"

#define CACHE_HDR_MAX 96          /* "SHC1 " + 20 digits + " " + 64 hex + "\n" */
#define CACHE_TMP_AGE 600         /* seconds before a temp file is stale */
#define CACHE_TOUCH_AGE 3600      /* mtime bumps at most this often */
#define CACHE_WALK_DEPTH 6

struct cache {
	char *dir;
	long long max_size;
};

static void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

enum rc
cache_open(const char *dir, long long max_size, struct cache **out)
{
	static const char *const subs[] = { "sources", "streams", CACHE_MEDIA_DIR };
	char path[PATH_MAX];
	struct cache *c;

	*out = NULL;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, subs[i]) >= (int)sizeof(path))
			return RC_IO;
		/* Not fatal: /healthz reports an unwritable cache as 503. */
		if (fsutil_mkdirs(path, 0750) != RC_OK)
			log_kv(LOG_ERROR, "cache_mkdir_failed", "path", path,
			    "error", strerror(errno), NULL);
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->dir = strdup(dir)) == NULL) {
		free(c);
		return RC_NOMEM;
	}
	c->max_size = max_size;
	*out = c;
	return RC_OK;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	free(c->dir);
	free(c);
}

const char *
cache_root(const struct cache *c)
{
	return c->dir;
}

enum rc
cache_frame(struct buf *out, const void *p, size_t n)
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1];
	enum rc rc;

	crypto_sha256(p, n, sum);
	hex_encode(sum, sizeof(sum), hex);
	rc = buf_appendf(out, CACHE_MAGIC " %zu %s\n", n, hex);
	if (rc == RC_OK)
		rc = buf_append(out, p, n);
	return rc;
}

/* Parses the header line; *hdrlen is its length including the newline. */
static enum rc
parse_header(const char *data, size_t len, size_t *paylen, char hex[65],
    size_t *hdrlen)
{
	const char *p = data, *end = data + (len < CACHE_HDR_MAX ? len : CACHE_HDR_MAX);
	unsigned long long n = 0;
	size_t digits = 0;

	if ((size_t)(end - p) < 5 || memcmp(p, CACHE_MAGIC " ", 5) != 0)
		return RC_CORRUPT;
	for (p += 5; p < end && *p >= '0' && *p <= '9' && digits < 20; p++, digits++) {
		if (n > (ULLONG_MAX - 9) / 10)
			return RC_CORRUPT;
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (digits == 0 || p >= end || *p++ != ' ')
		return RC_CORRUPT;
	for (size_t i = 0; i < 64; i++, p++) {
		if (p >= end || !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return RC_CORRUPT;
		hex[i] = *p;
	}
	hex[64] = '\0';
	if (p >= end || *p++ != '\n')
		return RC_CORRUPT;
	if (n > SIZE_MAX)
		return RC_CORRUPT;
	*paylen = (size_t)n;
	*hdrlen = (size_t)(p - data);
	return RC_OK;
}

enum rc
cache_unframe(const char *data, size_t len, const char **payload, size_t *plen)
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	char want[65], got[65];
	size_t n, hdr;

	if (parse_header(data, len, &n, want, &hdr) != RC_OK)
		return RC_CORRUPT;
	if (len - hdr != n)
		return RC_CORRUPT;
	crypto_sha256(data + hdr, n, sum);
	hex_encode(sum, sizeof(sum), got);
	if (memcmp(want, got, 64) != 0)
		return RC_CORRUPT;
	*payload = data + hdr;
	*plen = n;
	return RC_OK;
}

enum rc
cache_write(const char *path, const void *p, size_t n)
{
	return cache_write_sum(path, p, n, NULL);
}

enum rc
cache_write_sum(const char *path, const void *p, size_t n, const char *sum)
{
	unsigned char raw[CRYPTO_SHA256_LEN];
	char hex[2 * CRYPTO_SHA256_LEN + 1], head[CACHE_HDR_MAX];
	int hn;
	enum rc rc;

	if (sum == NULL) {
		crypto_sha256(p, n, raw);
		hex_encode(raw, sizeof(raw), hex);
		sum = hex;
	}
	hn = snprintf(head, sizeof(head), CACHE_MAGIC " %zu %s\n", n, sum);
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return RC_INTERNAL;
	/* Header and payload written one after the other: the payload (a
	 * feed body, a stream) is not copied into a frame first. */
	rc = fsutil_write_atomic2(path, head, (size_t)hn, p, n, 0640);
	if (rc == RC_IO)
		log_kv(LOG_ERROR, "cache_write_failed", "path", path, "error",
		    rc_str(rc), "reason", strerror(errno), NULL);
	else if (rc != RC_OK)
		log_kv(LOG_ERROR, "cache_write_failed", "path", path, "error",
		    rc_str(rc), NULL);
	return rc;
}

enum rc
cache_read(const char *path, size_t max, char **out, size_t *len)
{
	const char *payload;
	size_t n, plen;
	char *data;
	enum rc rc;

	*out = NULL;
	*len = 0;
	rc = fsutil_read(path, max + CACHE_HDR_MAX, &data, &n);
	if (rc != RC_OK)
		return rc;
	if (cache_unframe(data, n, &payload, &plen) != RC_OK) {
		free(data);
		log_kv(LOG_WARN, "cache_corrupt", "path", path,
		    "action", "treated as missing", NULL);
		return RC_CORRUPT;
	}
	if (plen > max) {
		free(data);
		return RC_TOOBIG;
	}
	memmove(data, payload, plen);
	data[plen] = '\0';
	*out = data;
	*len = plen;
	return RC_OK;
}

enum rc
cache_read_json(const char *path, json_t **out)
{
	json_error_t err;
	char *data;
	size_t n;
	enum rc rc;

	*out = NULL;
	rc = cache_read(path, CACHE_JSON_MAX, &data, &n);
	if (rc != RC_OK)
		return rc;
	*out = json_loadb(data, n, JSON_REJECT_DUPLICATES, &err);
	free(data);
	if (*out == NULL) {
		log_kv(LOG_WARN, "cache_corrupt", "path", path, "error", err.text, NULL);
		return RC_CORRUPT;
	}
	return RC_OK;
}

/* One allocation of about the right size, not jansson's doubling from 16
 * bytes (a copy of everything written so far each time). */
static enum rc
dump_buf_init(size_t hint, struct buf *out)
{
	buf_init(out, CACHE_JSON_MAX);
	if (hint > 0 && buf_reserve(out, hint < CACHE_JSON_MAX ? hint : CACHE_JSON_MAX) != RC_OK)
		return RC_NOMEM;
	return RC_OK;
}

enum rc
cache_json_dump(const json_t *j, size_t hint, struct buf *out)
{
	if (dump_buf_init(hint, out) != RC_OK)
		return RC_NOMEM;
	if (json_dump_callback(j, buf_sink, out, CACHE_JSON_FLAGS) != 0) {
		buf_fini(out);
		return RC_NOMEM;
	}
	if (out->data == NULL && buf_appends(out, "") != RC_OK)
		return RC_NOMEM;
	return RC_OK;
}

enum rc
cache_jsonw_begin(struct jsonw *w, size_t hint, struct buf *out)
{
	enum rc rc;

	if ((rc = dump_buf_init(hint, out)) == RC_OK &&
	    (rc = jsonw_init(w, CACHE_JSON_FLAGS, buf_sink, out)) != RC_OK)
		buf_fini(out);
	return rc;
}

enum rc
cache_jsonw_end(struct jsonw *w, struct buf *out)
{
	enum rc rc = jsonw_flush(w);

	jsonw_fini(w);
	/* The sink fails only when out is full (a block of up to 64 KiB did
	 * not fit) or out of memory. */
	if (rc == RC_IO)
		rc = out->len + (64u << 10) > out->max ? RC_LIMIT : RC_NOMEM;
	if (rc == RC_OK && out->data == NULL && buf_appends(out, "") != RC_OK)
		rc = RC_NOMEM;
	if (rc != RC_OK)
		buf_fini(out);
	return rc;
}

enum rc
cache_write_json(const char *path, const json_t *j)
{
	struct buf b;
	enum rc rc;

	if ((rc = cache_json_dump(j, 4096, &b)) != RC_OK)
		return rc;
	rc = cache_write(path, b.data, b.len);
	buf_fini(&b);
	return rc;
}

enum rc
cache_peek_sum(const char *path, char hex[65])
{
	char head[CACHE_HDR_MAX];
	size_t n, hdr;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? RC_NOTFOUND : RC_IO;
	got = read(fd, head, sizeof(head));
	close(fd);
	if (got <= 0)
		return RC_CORRUPT;
	return parse_header(head, (size_t)got, &n, hex, &hdr);
}

void
cache_source_key(const char *url, char key[CACHE_KEY_LEN + 1])
{
	unsigned char sum[CRYPTO_SHA256_LEN];

	crypto_sha256(url, strlen(url), sum);
	hex_encode(sum, CACHE_KEY_LEN / 2, key);
}

char *
cache_source_path(struct arena *a, const struct cache *c, const char *key,
    const char *name)
{
	if (name == NULL)
		return arena_printf(a, "%s/sources/%s", c->dir, key);
	return arena_printf(a, "%s/sources/%s/%s", c->dir, key, name);
}

char *
cache_stream_path(struct arena *a, const struct cache *c, const char *stream,
    const char *name)
{
	if (name == NULL)
		return arena_printf(a, "%s/streams/%s", c->dir, stream);
	return arena_printf(a, "%s/streams/%s/%s", c->dir, stream, name);
}

enum rc
cache_mkdir(const char *path)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return RC_OK;
	log_kv(LOG_ERROR, "cache_mkdir_failed", "path", path, "error",
	    strerror(errno), NULL);
	return RC_IO;
}

enum rc
cache_lock(const char *path, bool wait, struct cache_lock *l)
{
	int fd;

	l->fd = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_kv(LOG_ERROR, "cache_lock_failed", "path", path, "error",
		    strerror(errno), NULL);
		return RC_IO;
	}
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		close(fd);
		return errno == EWOULDBLOCK ? RC_UNAVAILABLE : RC_IO;
	}
	l->fd = fd;
	return RC_OK;
}

void
cache_unlock(struct cache_lock *l)
{
	if (l->fd >= 0) {
		flock(l->fd, LOCK_UN);
		close(l->fd);
	}
	l->fd = -1;
}

enum rc
cache_status_load(struct arena *a, const char *path, struct cache_status *out)
{
	json_t *j;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	rc = cache_read_json(path, &j);
	if (rc == RC_CORRUPT)
		return RC_NOTFOUND;
	if (rc != RC_OK)
		return rc;
	if (!json_is_object(j)) {
		json_decref(j);
		return RC_NOTFOUND;
	}
	out->url = jsonutil_str(a, j, "url", 0, NULL);
	out->last_attempt = jsonutil_int(j, "last_attempt");
	out->last_success = jsonutil_int(j, "last_success");
	out->last_change = jsonutil_int(j, "last_change");
	out->last_error_at = jsonutil_int(j, "last_error_at");
	out->next_due = jsonutil_int(j, "next_due");
	out->last_error = jsonutil_str(a, j, "last_error", 0, NULL);
	out->error_code = jsonutil_str(a, j, "error_code", 0, NULL);
	out->warning = jsonutil_str(a, j, "warning", 0, NULL);
	out->http_status = (long)jsonutil_int(j, "http_status");
	out->failures = (long)jsonutil_int(j, "failures");
	out->bytes = jsonutil_int(j, "bytes");
	out->items = (long)jsonutil_int(j, "items");
	out->fetch_ms = (long)jsonutil_int(j, "fetch_ms");
	out->feed_url = jsonutil_str(a, j, "feed_url", 0, NULL);
	out->discovered_at = jsonutil_int(j, "discovered_at");
	out->account_id = jsonutil_str(a, j, "account_id", 0, NULL);
	out->account_for = jsonutil_str(a, j, "account_for", 0, NULL);
	json_decref(j);
	return RC_OK;
}

json_t *
cache_status_json(const struct cache_status *s)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:I, s:i, s:i}",
	    "last_attempt", (json_int_t)s->last_attempt,
	    "last_success", (json_int_t)s->last_success,
	    "last_change", (json_int_t)s->last_change,
	    "last_error_at", (json_int_t)s->last_error_at,
	    "next_due", (json_int_t)s->next_due,
	    "http_status", (int)s->http_status,
	    "failures", (int)s->failures,
	    "bytes", (json_int_t)s->bytes,
	    "items", (int)s->items,
	    "fetch_ms", (int)s->fetch_ms);

	if (o == NULL)
		return NULL;
	jsonutil_set_str(o, "url", s->url, 0);
	jsonutil_set_str(o, "last_error", s->last_error, 0);
	jsonutil_set_str(o, "error_code", s->error_code, 0);
	if (s->warning != NULL)
		jsonutil_set_str(o, "warning", s->warning, 0);
	if (s->feed_url != NULL) {
		jsonutil_set_str(o, "feed_url", s->feed_url, 0);
		json_object_set_new(o, "discovered_at",
		    json_integer((json_int_t)s->discovered_at));
	}
	if (s->account_id != NULL && s->account_for != NULL) {
		jsonutil_set_str(o, "account_id", s->account_id, 0);
		jsonutil_set_str(o, "account_for", s->account_for, 0);
	}
	return o;
}

enum rc
cache_status_store(const char *path, const struct cache_status *s)
{
	json_t *j = cache_status_json(s);
	enum rc rc;

	if (j == NULL)
		return RC_NOMEM;
	rc = cache_write_json(path, j);
	json_decref(j);
	return rc;
}

void
cache_media_touch(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return;
	if (time(NULL) - st.st_mtime < CACHE_TOUCH_AGE)
		return;
	utimensat(AT_FDCWD, path, NULL, 0);
}

/* One media file that may be evicted. */
struct evict_entry {
	char *path;
	long long size;
	long long mtime;
};

struct evict_walk {
	long long now;
	long long used;
	struct evict_entry *media;
	size_t nmedia, cap;
	enum rc rc;
};

/* "name.tmp.XXXXXX": what fsutil_write_atomic leaves after a crash. */
static bool
is_temp_name(const char *name)
{
	const char *t = strstr(name, ".tmp.");

	return t != NULL && strlen(t + 5) == 6 && strchr(t + 5, '/') == NULL;
}

static void
walk_add_media(struct evict_walk *w, const char *path, const struct stat *st)
{
	struct evict_entry *e;

	if (w->nmedia == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		e = realloc(w->media, cap * sizeof(*e));
		if (e == NULL) {
			w->rc = RC_NOMEM;
			return;
		}
		w->media = e;
		w->cap = cap;
	}
	e = &w->media[w->nmedia];
	e->path = strdup(path);
	if (e->path == NULL) {
		w->rc = RC_NOMEM;
		return;
	}
	e->size = (long long)st->st_size;
	e->mtime = (long long)st->st_mtime;
	w->nmedia++;
}

/* Sums sizes under `dir`, drops stale temp files, collects media files. */
static void
walk_dir(struct evict_walk *w, const char *dir, bool media, int depth)
{
	char path[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (depth > CACHE_WALK_DEPTH || (dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_dir(w, path, media || (depth == 0 &&
			    strcmp(d->d_name, CACHE_MEDIA_DIR) == 0), depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (is_temp_name(d->d_name) && w->now - st.st_mtime > CACHE_TMP_AGE) {
			unlink(path);
			continue;
		}
		w->used += (long long)st.st_size;
		if (media && !is_temp_name(d->d_name))
			walk_add_media(w, path, &st);
	}
	closedir(dp);
}

static int
evict_cmp(const void *a, const void *b)
{
	const struct evict_entry *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->path, y->path);
}

enum rc
cache_evict(struct cache *c, long long now, long long *used)
{
	struct evict_walk w = { .now = now, .rc = RC_OK };
	long long target = c->max_size - c->max_size / 10;
	size_t removed = 0;
	char t1[24], t2[24];

	walk_dir(&w, c->dir, false, 0);
	if (c->max_size > 0 && w.used > c->max_size) {
		qsort(w.media, w.nmedia, sizeof(*w.media), evict_cmp);
		for (size_t i = 0; i < w.nmedia && w.used > target; i++) {
			if (unlink(w.media[i].path) == 0) {
				w.used -= w.media[i].size;
				removed++;
			}
		}
		log_kv(LOG_INFO, "cache_evicted", "files", log_int(t1, (long long)removed),
		    "used", log_int(t2, w.used), NULL);
		if (w.used > c->max_size)
			log_kv(LOG_WARN, "cache_over_bound", "dir", c->dir,
			    "hint", "feeds alone exceed cache_max_size; raise it", NULL);
	}
	for (size_t i = 0; i < w.nmedia; i++)
		free(w.media[i].path);
	free(w.media);
	if (used != NULL)
		*used = w.used;
	return w.rc;
}

/* Newest mtime of the files in one source folder (0: none). */
static long long
dir_newest(const char *dir)
{
	char path[PATH_MAX];
	long long newest = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime > newest)
			newest = (long long)st.st_mtime;
	}
	closedir(dp);
	return newest;
}

/* Deletes the regular files of a source folder, then the folder. */
static bool
remove_source_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return false;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(dp);
	return rmdir(dir) == 0;
}

static bool
is_key(const char *name)
{
	if (strlen(name) != CACHE_KEY_LEN)
		return false;
	for (; *name != '\0'; name++)
		if (!((*name >= '0' && *name <= '9') || (*name >= 'a' && *name <= 'f')))
			return false;
	return true;
}

size_t
cache_sweep_sources(struct cache *c, const char *const *keys, size_t n,
    long long now, long long max_age)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *d;
	size_t removed = 0;
	DIR *dp;

	if (snprintf(dir, sizeof(dir), "%s/sources", c->dir) >= (int)sizeof(dir) ||
	    (dp = opendir(dir)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		bool used = false;
		if (!is_key(d->d_name))
			continue;
		for (size_t i = 0; i < n && !used; i++)
			used = strcmp(keys[i], d->d_name) == 0;
		if (used || snprintf(path, sizeof(path), "%s/%s", dir, d->d_name) >= (int)sizeof(path))
			continue;
		if (now - dir_newest(path) < max_age)
			continue;
		if (remove_source_dir(path)) {
			removed++;
			log_kv(LOG_INFO, "cache_source_removed", "dir", path,
			    "reason", "no configured source uses it", NULL);
		}
	}
	closedir(dp);
	return removed;
}

/* store_local: the store interface on one node's SQLite file. */
#include "util/store_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "util/fsutil.h"
#include "util/log.h"

#define LOCAL_DB_NAME "store.sqlite"
#define LOCAL_BUSY_MS 2000
#define LOCAL_PRUNE_MS (60 * 1000)

/*
 * kv:   counters (n), values and leases (v), single-use claims; exp is the
 *       expiry in Unix milliseconds, 0 for never.
 * hash: integer fields of a hash (never expire, like Redis without TTL).
 * list: entries of the lists, id orders them.
 * hstr: string fields of a hash (store_hset), never expiring.
 */
static const char local_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB,"
	"  n INTEGER NOT NULL DEFAULT 0, exp INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS hash (k TEXT NOT NULL, f TEXT NOT NULL,"
	"  n INTEGER NOT NULL, PRIMARY KEY (k, f)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS list (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  k TEXT NOT NULL, v BLOB NOT NULL, exp INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS list_k ON list (k, id);"
	"CREATE TABLE IF NOT EXISTS hstr (k TEXT NOT NULL, f TEXT NOT NULL,"
	"  v BLOB NOT NULL, PRIMARY KEY (k, f)) WITHOUT ROWID;";

struct store_backend {
	sqlite3 *db;
	long long pruned_ms;
};

/* One bound parameter: text (s), blob (s, len) or integer (i). */
struct arg {
	const char *s;
	size_t len;       /* blob length; 0 with s: text */
	long long i;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
expiry(long long ttl_ms)
{
	return ttl_ms > 0 ? now_ms() + ttl_ms : 0;
}

static enum rc
local_fail(struct store_backend *b, const char *op)
{
	log_kv(LOG_ERROR, "store_local_error", "op", op, "error", sqlite3_errmsg(b->db), NULL);
	return RC_UNAVAILABLE;
}

/* Prepares sql and binds args[0..n). NULL on failure (logged). */
static sqlite3_stmt *
prep(struct store_backend *b, const char *sql, const struct arg *args, int n)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(b->db, sql, -1, &st, NULL) != SQLITE_OK) {
		local_fail(b, "prepare");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (args[i].s != NULL && args[i].len > 0)
			sqlite3_bind_blob(st, i + 1, args[i].s, (int)args[i].len, SQLITE_STATIC);
		else if (args[i].s != NULL)
			sqlite3_bind_text(st, i + 1, args[i].s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, i + 1, args[i].i);
	}
	return st;
}

/* Runs sql to completion; *changes (may be NULL) the rows it changed. */
static enum rc
run(struct store_backend *b, const char *op, const char *sql, const struct arg *args,
    int n, int *changes)
{
	sqlite3_stmt *st = prep(b, sql, args, n);
	int rc;

	if (st == NULL)
		return RC_UNAVAILABLE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return local_fail(b, op);
	if (changes != NULL)
		*changes = sqlite3_changes(b->db);
	return RC_OK;
}

/* Drops what expired under key, and everything expired once a minute. */
static enum rc
expire(struct store_backend *b, const char *key)
{
	long long now = now_ms();
	struct arg a[] = { { .s = key }, { .i = now } };
	enum rc rc = run(b, "expire",
	    "DELETE FROM kv WHERE k = ?1 AND exp > 0 AND exp <= ?2", a, 2, NULL);

	if (rc == RC_OK)
		rc = run(b, "expire",
		    "DELETE FROM list WHERE k = ?1 AND exp > 0 AND exp <= ?2", a, 2, NULL);
	if (rc == RC_OK && now - b->pruned_ms > LOCAL_PRUNE_MS) {
		struct arg t[] = { { .i = now } };
		b->pruned_ms = now;
		rc = run(b, "prune", "DELETE FROM kv WHERE exp > 0 AND exp <= ?1", t, 1, NULL);
		if (rc == RC_OK)
			rc = run(b, "prune", "DELETE FROM list WHERE exp > 0 AND exp <= ?1", t, 1, NULL);
	}
	return rc;
}

static enum rc
local_open(const struct store_conf *conf, struct store_backend **out)
{
	struct store_backend *b;
	char path[4096];

	*out = NULL;
	if (conf->local_dir == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", conf->local_dir, LOCAL_DB_NAME) >= sizeof(path))
		return RC_CONFIG;
	if (fsutil_mkdirs(conf->local_dir, 0750) != RC_OK)
		return RC_IO;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return RC_NOMEM;
	if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(b->db, LOCAL_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(b->db, local_schema, NULL, NULL, NULL) != SQLITE_OK) {
		log_kv(LOG_ERROR, "store_local_open_failed", "path", path,
		    "error", b->db != NULL ? sqlite3_errmsg(b->db) : "out of memory", NULL);
		sqlite3_close(b->db);
		free(b);
		return RC_IO;
	}
	*out = b;
	return RC_OK;
}

static void
local_close(struct store_backend *b)
{
	if (b == NULL)
		return;
	sqlite3_close(b->db);
	free(b);
}

static enum rc
local_ping(struct store_backend *b)
{
	return run(b, "ping", "SELECT 1", NULL, 0, NULL);
}

static enum rc
local_incr(struct store_backend *b, const char *key, long long by, long ttl_s,
    long long *out)
{
	struct arg a[] = { { .s = key }, { .i = by }, { .i = expiry(ttl_s * 1000LL) } };
	sqlite3_stmt *st;
	enum rc rc = expire(b, key);
	int step;

	if (rc != RC_OK)
		return rc;
	st = prep(b, "INSERT INTO kv (k, n, exp) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (k) DO UPDATE SET n = n + excluded.n RETURNING n", a, 3);
	if (st == NULL)
		return RC_UNAVAILABLE;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? RC_OK : local_fail(b, "incr");
}

static enum rc
local_once(struct store_backend *b, const char *key, long ttl_s)
{
	struct arg a[] = { { .s = key }, { .i = expiry(ttl_s * 1000LL) } };
	enum rc rc = expire(b, key);
	int changed = 0;

	if (rc == RC_OK)
		rc = run(b, "once", "INSERT OR IGNORE INTO kv (k, n, exp) VALUES (?1, 1, ?2)",
		    a, 2, &changed);
	if (rc != RC_OK)
		return rc;
	return changed == 1 ? RC_OK : RC_FORBIDDEN;
}

static enum rc
local_set(struct store_backend *b, const char *key, const void *v, size_t len, long ttl_s)
{
	/* An empty value is bound as text (a zero-length blob reads as NULL). */
	struct arg a[] = { { .s = key }, { .s = len > 0 ? v : "", .len = len },
		{ .i = expiry(ttl_s * 1000LL) } };

	return run(b, "set", "INSERT INTO kv (k, v, exp) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (k) DO UPDATE SET v = excluded.v, exp = excluded.exp, n = 0",
	    a, 3, NULL);
}

/* A column as a malloc'd NUL-terminated copy. */
static enum rc
column_copy(sqlite3_stmt *st, int col, char **v, size_t *len)
{
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	const void *p = sqlite3_column_blob(st, col);

	if ((*v = malloc(n + 1)) == NULL)
		return RC_NOMEM;
	if (n > 0)
		memcpy(*v, p, n);
	(*v)[n] = '\0';
	*len = n;
	return RC_OK;
}

static enum rc
local_get(struct store_backend *b, const char *key, char **v, size_t *len)
{
	struct arg a[] = { { .s = key } };
	sqlite3_stmt *st;
	enum rc rc = expire(b, key);
	int step;

	*v = NULL;
	*len = 0;
	if (rc != RC_OK)
		return rc;
	st = prep(b, "SELECT v FROM kv WHERE k = ?1 AND v IS NOT NULL", a, 1);
	if (st == NULL)
		return RC_UNAVAILABLE;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		rc = column_copy(st, 0, v, len);
	} else {
		rc = step == SQLITE_DONE ? RC_NOTFOUND : local_fail(b, "get");
	}
	sqlite3_finalize(st);
	return rc;
}

static enum rc
local_del(struct store_backend *b, const char *key)
{
	struct arg a[] = { { .s = key } };
	enum rc rc = run(b, "del", "DELETE FROM kv WHERE k = ?1", a, 1, NULL);

	if (rc == RC_OK)
		rc = run(b, "del", "DELETE FROM hash WHERE k = ?1", a, 1, NULL);
	if (rc == RC_OK)
		rc = run(b, "del", "DELETE FROM list WHERE k = ?1", a, 1, NULL);
	if (rc == RC_OK)
		rc = run(b, "del", "DELETE FROM hstr WHERE k = ?1", a, 1, NULL);
	return rc;
}

static enum rc
local_lease(struct store_backend *b, const char *key, const char *holder, long ttl_ms,
    bool *held)
{
	struct arg a[] = { { .s = key }, { .s = holder }, { .i = expiry(ttl_ms) } };
	enum rc rc = expire(b, key);
	int changed = 0;

	*held = false;
	if (rc == RC_OK)
		rc = run(b, "lease", "INSERT INTO kv (k, v, exp) VALUES (?1, ?2, ?3)"
		    " ON CONFLICT (k) DO UPDATE SET exp = excluded.exp WHERE v = excluded.v",
		    a, 3, &changed);
	*held = rc == RC_OK && changed == 1;
	return rc;
}

static enum rc
local_release(struct store_backend *b, const char *key, const char *holder)
{
	struct arg a[] = { { .s = key }, { .s = holder } };

	return run(b, "release", "DELETE FROM kv WHERE k = ?1 AND v = ?2", a, 2, NULL);
}

static enum rc
local_push(struct store_backend *b, const char *key, const char *v, size_t max, long ttl_s)
{
	struct arg a[] = { { .s = key }, { .s = v }, { .i = expiry(ttl_s * 1000LL) } };
	struct arg t[] = { { .s = key }, { .i = (long long)max } };
	enum rc rc = expire(b, key);

	if (rc == RC_OK)
		rc = run(b, "push", "INSERT INTO list (k, v, exp) VALUES (?1, ?2, ?3)", a, 3, NULL);
	if (rc == RC_OK)
		rc = run(b, "push", "UPDATE list SET exp = ?3 WHERE k = ?1", a, 3, NULL);
	if (rc == RC_OK)
		rc = run(b, "push", "DELETE FROM list WHERE k = ?1 AND id NOT IN"
		    " (SELECT id FROM list WHERE k = ?1 ORDER BY id DESC LIMIT ?2)", t, 2, NULL);
	return rc;
}

static enum rc
local_range(struct store_backend *b, const char *key, size_t max, store_item_fn fn,
    void *arg)
{
	struct arg a[] = { { .s = key }, { .i = (long long)max } };
	sqlite3_stmt *st;
	enum rc rc = expire(b, key);
	int step;

	if (rc != RC_OK)
		return rc;
	st = prep(b, "SELECT v FROM list WHERE k = ?1 ORDER BY id DESC LIMIT ?2", a, 2);
	if (st == NULL)
		return RC_UNAVAILABLE;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (v != NULL && fn(arg, v, (size_t)sqlite3_column_bytes(st, 0)) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? RC_OK : local_fail(b, "range");
}

static enum rc
local_hincr(struct store_backend *b, const char *key, const char *field, long long by,
    long long *out)
{
	struct arg a[] = { { .s = key }, { .s = field }, { .i = by } };
	sqlite3_stmt *st = prep(b, "INSERT INTO hash (k, f, n) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (k, f) DO UPDATE SET n = n + excluded.n RETURNING n", a, 3);
	int step;

	if (st == NULL)
		return RC_UNAVAILABLE;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && out != NULL)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? RC_OK : local_fail(b, "hincr");
}

/* Runs a query of (field, value) rows on key, calling `row` with each
 * field and its value column until it returns non-zero. */
typedef int (*row_fn)(void *arg, const char *field, sqlite3_stmt *st);

static enum rc
each_row(struct store_backend *b, const char *op, const char *sql, const char *key,
    row_fn row, void *arg)
{
	struct arg a[] = { { .s = key } };
	sqlite3_stmt *st = prep(b, sql, a, 1);
	int step;

	if (st == NULL)
		return RC_UNAVAILABLE;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(st, 0);
		if (f != NULL && row(arg, f, st) != 0) {
			step = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? RC_OK : local_fail(b, op);
}

struct rows {
	store_field_fn ints;
	store_pair_fn pairs;
	void *arg;
};

static int
int_row(void *arg, const char *field, sqlite3_stmt *st)
{
	struct rows *r = arg;

	return r->ints(r->arg, field, sqlite3_column_int64(st, 1));
}

static int
pair_row(void *arg, const char *field, sqlite3_stmt *st)
{
	struct rows *r = arg;
	const char *v = (const char *)sqlite3_column_blob(st, 1);

	return r->pairs(r->arg, field, v != NULL ? v : "", (size_t)sqlite3_column_bytes(st, 1));
}

static enum rc
local_hgetall(struct store_backend *b, const char *key, store_field_fn fn, void *arg)
{
	struct rows r = { .ints = fn, .arg = arg };

	return each_row(b, "hgetall", "SELECT f, n FROM hash WHERE k = ?1 ORDER BY f", key,
	    int_row, &r);
}

static enum rc
local_hset(struct store_backend *b, const char *key, const char *field, const char *v,
    size_t len)
{
	struct arg a[] = { { .s = key }, { .s = field }, { .s = len > 0 ? v : "", .len = len } };

	return run(b, "hset", "INSERT INTO hstr (k, f, v) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT (k, f) DO UPDATE SET v = excluded.v", a, 3, NULL);
}


static enum rc
local_hget(struct store_backend *b, const char *key, const char *field, char **v,
    size_t *len)
{
	struct arg a[] = { { .s = key }, { .s = field } };
	sqlite3_stmt *st = prep(b, "SELECT v FROM hstr WHERE k = ?1 AND f = ?2", a, 2);
	enum rc rc;
	int step;

	if (st == NULL)
		return RC_UNAVAILABLE;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = column_copy(st, 0, v, len);
	else
		rc = step == SQLITE_DONE ? RC_NOTFOUND : local_fail(b, "hget");
	sqlite3_finalize(st);
	return rc;
}

static enum rc
local_hdel(struct store_backend *b, const char *key, const char *field)
{
	struct arg a[] = { { .s = key }, { .s = field } };

	return run(b, "hdel", "DELETE FROM hstr WHERE k = ?1 AND f = ?2", a, 2, NULL);
}

static enum rc
local_hscan(struct store_backend *b, const char *key, store_pair_fn fn, void *arg)
{
	struct rows r = { .pairs = fn, .arg = arg };

	return each_row(b, "hscan", "SELECT f, v FROM hstr WHERE k = ?1", key, pair_row, &r);
}

const struct store_ops store_local_ops = {
	.name = "local",
	.open = local_open, .close = local_close, .ping = local_ping,
	.incr = local_incr, .once = local_once, .set = local_set, .get = local_get,
	.del = local_del, .lease = local_lease, .release = local_release,
	.push = local_push, .range = local_range,
	.hincr = local_hincr, .hgetall = local_hgetall,
	.hset = local_hset, .hget = local_hget, .hdel = local_hdel, .hscan = local_hscan,
};

/* share_store: durable share counters in SQLite, one count per visitor a day. */
#include "widgets/share/share_store.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/log.h"

/*
 * share_counts: one row per (counter key, network).
 * share_seen:   one row per visitor hash (which covers day, URL and
 *               network); `day` only serves pruning.
 */
static const char share_schema[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE IF NOT EXISTS share_counts ("
	"  url TEXT NOT NULL, network TEXT NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY (url, network)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS share_seen ("
	"  visitor BLOB PRIMARY KEY, day INTEGER NOT NULL) WITHOUT ROWID;"
	"COMMIT;";

/*
 * synchronous=NORMAL: in WAL mode a commit is durable against a crash of
 * the process (kill -9) and the database stays consistent after a power
 * loss, which may lose the last commits; FULL would fsync on every share.
 * A larger auto-checkpoint moves the checkpoint's fsync off most requests.
 */
static const char share_tuning[] =
	"PRAGMA synchronous=NORMAL;"
	"PRAGMA wal_autocheckpoint=10000;"
	"PRAGMA journal_size_limit=67108864;"
	"PRAGMA cache_size=-8192;";

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_PROBE, ST_SEEN, ST_BUMP, ST_PRUNE,
	ST_READ, ST__COUNT
};

static const char *const share_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_PROBE] = "SELECT 1 FROM share_seen WHERE visitor = ?1",
	[ST_SEEN] = "INSERT OR IGNORE INTO share_seen (visitor, day) VALUES (?1, ?2)",
	[ST_BUMP] = "INSERT INTO share_counts (url, network, n) VALUES (?1, ?2, 1)"
	    " ON CONFLICT (url, network) DO UPDATE SET n = n + 1",
	[ST_PRUNE] = "DELETE FROM share_seen WHERE day < ?1",
	[ST_READ] = "SELECT network, n FROM share_counts WHERE url = ?1 ORDER BY network",
};

struct share_store {
	sqlite3 *db;
	int busy_ms;
	struct timespec busy_since;
	sqlite3_stmt *st[ST__COUNT];
	long pruned_day;
	bool healthy;
};

static enum rc
store_fail(struct share_store *s, const char *what, int code)
{
	log_kv(LOG_ERROR, "share_store_error", "op", what,
	    "error", s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(code), NULL);
	s->healthy = false;
	return (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? RC_UNAVAILABLE : RC_IO;
}

/* Runs one statement to completion and resets it. */
static int
step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/*
 * Switching to WAL and creating the tables take locks that SQLite does not
 * always wait for (it answers SQLITE_BUSY at once where waiting could
 * deadlock), and every worker does this at the same moment on a first
 * start: so the whole step is retried until busy_ms has passed.
 */
static int
store_prepare_db(struct share_store *s, int busy_ms)
{
	int rc = SQLITE_BUSY;

	for (int waited = 0; waited <= busy_ms; waited += 10) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(s->db, share_schema, NULL, NULL, NULL);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_sleep(10);
	}
	return rc;
}

/*
 * Busy handler. A count holds the write lock for some tens of
 * microseconds, so SQLite's default wait (sleeps of 1, 2, 5, 10 ms...)
 * would idle a worker far longer than the lock is held. Wait in short
 * steps first (50 us), then back off to 1 ms, until busy_ms has passed.
 */
static int
store_busy(void *arg, int attempt)
{
	struct share_store *s = arg;
	struct timespec now, pause = { 0, 50 * 1000 };
	long waited_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (attempt == 0)
		s->busy_since = now;
	waited_ms = (now.tv_sec - s->busy_since.tv_sec) * 1000 +
	    (now.tv_nsec - s->busy_since.tv_nsec) / 1000000;
	if (waited_ms >= s->busy_ms)
		return 0;
	if (attempt < 50) {
		sched_yield();
		return 1;
	}
	if (attempt > 200)
		pause.tv_nsec = 1000 * 1000;
	nanosleep(&pause, NULL);
	return 1;
}

static enum rc
store_setup(struct share_store *s, int busy_ms)
{
	int rc;

	s->busy_ms = busy_ms;
	sqlite3_busy_handler(s->db, store_busy, s);
	rc = store_prepare_db(s, busy_ms);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, share_tuning, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, "setup", rc);
	for (int i = 0; i < ST__COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, share_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK)
			return store_fail(s, "prepare", rc);
	}
	return RC_OK;
}

enum rc
share_store_open(const char *path, int busy_ms, struct share_store **out)
{
	struct share_store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (s == NULL)
		return RC_NOMEM;
	s->pruned_day = -1;
	s->healthy = true;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK || store_setup(s, busy_ms) != RC_OK) {
		if (rc != SQLITE_OK)
			store_fail(s, "open", rc);
		share_store_close(s);
		return RC_IO;
	}
	*out = s;
	return RC_OK;
}

void
share_store_close(struct share_store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

/* The body of the transaction; the caller commits or rolls back. */
static int
count_txn(struct share_store *s, const char *key, const char *network,
    const unsigned char *visitor, long day, bool *counted)
{
	int rc = SQLITE_DONE;

	if (s->pruned_day != day) {
		sqlite3_bind_int64(s->st[ST_PRUNE], 1, day - 1);
		rc = step_reset(s->st[ST_PRUNE]);
	}
	if (rc != SQLITE_DONE)
		return rc;
	sqlite3_bind_blob(s->st[ST_SEEN], 1, visitor, SHARE_VISITOR_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s->st[ST_SEEN], 2, day);
	rc = step_reset(s->st[ST_SEEN]);
	if (rc != SQLITE_DONE || sqlite3_changes(s->db) == 0)
		return rc;
	sqlite3_bind_text(s->st[ST_BUMP], 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->st[ST_BUMP], 2, network, -1, SQLITE_STATIC);
	rc = step_reset(s->st[ST_BUMP]);
	if (rc == SQLITE_DONE)
		*counted = true;
	return rc;
}

enum rc
share_store_count(struct share_store *s, const char *key, const char *network,
    const unsigned char visitor[SHARE_VISITOR_LEN], long day, bool *counted)
{
	bool moved = false;
	int rc;

	if (counted != NULL)
		*counted = false;
	/* A visitor seen before (the common case of repeated clicks) costs a
	 * read in WAL snapshot isolation and never takes the write lock. */
	if (s->pruned_day == day) {
		sqlite3_bind_blob(s->st[ST_PROBE], 1, visitor, SHARE_VISITOR_LEN, SQLITE_STATIC);
		rc = sqlite3_step(s->st[ST_PROBE]);
		sqlite3_reset(s->st[ST_PROBE]);
		sqlite3_clear_bindings(s->st[ST_PROBE]);
		if (rc == SQLITE_ROW) {
			s->healthy = true;
			return RC_OK;
		}
		if (rc != SQLITE_DONE)
			return store_fail(s, "probe", rc);
	}
	rc = step_reset(s->st[ST_BEGIN]);
	if (rc != SQLITE_DONE)
		return store_fail(s, "begin", rc);
	rc = count_txn(s, key, network, visitor, day, &moved);
	if (rc == SQLITE_DONE)
		rc = step_reset(s->st[ST_COMMIT]);
	if (rc != SQLITE_DONE) {
		enum rc err = store_fail(s, "count", rc);
		if (!sqlite3_get_autocommit(s->db))
			step_reset(s->st[ST_ROLLBACK]);
		return err;
	}
	s->pruned_day = day;
	s->healthy = true;
	if (counted != NULL)
		*counted = moved;
	return RC_OK;
}

enum rc
share_store_counts(struct share_store *s, const char *key, json_t *networks,
    long long *total)
{
	sqlite3_stmt *st = s->st[ST_READ];
	int rc;

	*total = 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *net = (const char *)sqlite3_column_text(st, 0);
		long long n = sqlite3_column_int64(st, 1);
		if (net == NULL || json_object_set_new(networks, net, json_integer(n)) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		*total += n;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "read", rc);
	s->healthy = true;
	return RC_OK;
}

bool
share_store_healthy(const struct share_store *s)
{
	return s != NULL && s->healthy;
}

enum rc
share_visitor_hash(const unsigned char *salt, size_t saltlen, long day,
    const char *addr, const char *ua, const char *key, const char *network,
    unsigned char out[SHARE_VISITOR_LEN])
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	const char *parts[] = { addr, ua, key, network };
	struct buf b;
	enum rc rc;

	buf_init(&b, 32 * 1024);
	rc = buf_appendf(&b, "v1%c%ld", '\0', day);
	for (size_t i = 0; i < 4 && rc == RC_OK; i++) {
		rc = buf_appendc(&b, '\0');
		if (rc == RC_OK)
			rc = buf_appends(&b, parts[i] != NULL ? parts[i] : "");
	}
	if (rc == RC_OK)
		rc = crypto_hmac_sha256(salt, saltlen, b.data, b.len, mac);
	if (rc == RC_OK)
		memcpy(out, mac, SHARE_VISITOR_LEN);
	buf_fini(&b);
	return rc;
}

/* Creates path with fresh random bytes unless it exists (link is atomic
 * and fails with EEXIST, so the first writer wins). */
static enum rc
salt_create(const char *path)
{
	unsigned char salt[SHARE_SALT_LEN];
	char tmp[4096];
	enum rc rc = RC_IO;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
		return RC_IO;
	if (crypto_random(salt, sizeof(salt)) != RC_OK)
		return RC_IO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return RC_IO;
	if (write(fd, salt, sizeof(salt)) == (ssize_t)sizeof(salt) && fsync(fd) == 0)
		rc = RC_OK;
	close(fd);
	if (rc == RC_OK && link(tmp, path) != 0 && errno != EEXIST)
		rc = RC_IO;
	unlink(tmp);
	explicit_bzero(salt, sizeof(salt));
	return rc;
}

enum rc
share_salt_load(const char *path, bool create, unsigned char out[SHARE_SALT_LEN])
{
	char *data = NULL;
	size_t len = 0;
	enum rc rc = fsutil_read(path, 64 * 1024, &data, &len);

	if (rc == RC_NOTFOUND && create) {
		rc = salt_create(path);
		if (rc == RC_OK)
			rc = fsutil_read(path, 64 * 1024, &data, &len);
	}
	if (rc != RC_OK) {
		log_kv(LOG_ERROR, "share_salt_failed", "path", path, "error", rc_str(rc), NULL);
		return RC_IO;
	}
	if (len < SHARE_SALT_LEN) {
		free(data);
		log_kv(LOG_ERROR, "share_salt_short", "path", path, NULL);
		return RC_CORRUPT;
	}
	/* A longer file (an admin's secret) is folded into the salt. */
	crypto_sha256(data, len, out);
	explicit_bzero(data, len);
	free(data);
	return RC_OK;
}

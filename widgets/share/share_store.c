/* share_store: durable share counters in SQLite, bounded per visitor network a day. */
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

#include <arpa/inet.h>
#include <netinet/in.h>

#include <sqlite3.h>

#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "widgets/share/share_day.h"

/* Parts of a visitor key's MAC message, at most. */
#define VISITOR_PARTS_MAX 5

/*
 * share_counts: one row per (counter key, network).
 * share_daily:  one row per visitor key of the day (struct share_visitor:
 *               seen, url and net keys), n how often it counted; `day`
 *               serves pruning. It replaces share_seen (keys of address
 *               and User-Agent), whose keys can never match again.
 * share_meta:   row counts of the two, kept in the counting transaction so
 *               a full table is known without a scan; recounted at open.
 */
static const char share_schema[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE IF NOT EXISTS share_counts ("
	"  url TEXT NOT NULL, network TEXT NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY (url, network)) WITHOUT ROWID;"
	"DROP TABLE IF EXISTS share_seen;"
	"CREATE TABLE IF NOT EXISTS share_daily ("
	"  k BLOB PRIMARY KEY, day INTEGER NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS share_meta ("
	"  name TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT OR REPLACE INTO share_meta VALUES"
	"  ('counters', (SELECT count(*) FROM share_counts)),"
	"  ('daily', (SELECT count(*) FROM share_daily));"
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
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_DAILY_GET, ST_DAILY_ADD, ST_HAS_COUNTER,
	ST_HAS_URL, ST_BUMP, ST_META_GET, ST_META_ADD, ST_PRUNE, ST_PRUNE_META,
	ST_READ, ST__COUNT
};

static const char *const share_sql[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_DAILY_GET] = "SELECT n FROM share_daily WHERE k = ?1",
	[ST_DAILY_ADD] = "INSERT INTO share_daily (k, day, n) VALUES (?1, ?2, 1)"
	    " ON CONFLICT (k) DO UPDATE SET n = n + 1",
	[ST_HAS_COUNTER] = "SELECT 1 FROM share_counts WHERE url = ?1 AND network = ?2",
	[ST_HAS_URL] = "SELECT 1 FROM share_counts WHERE url = ?1 LIMIT 1",
	[ST_BUMP] = "INSERT INTO share_counts (url, network, n) VALUES (?1, ?2, 1)"
	    " ON CONFLICT (url, network) DO UPDATE SET n = n + 1",
	[ST_META_GET] = "SELECT v FROM share_meta WHERE name = ?1",
	[ST_META_ADD] = "UPDATE share_meta SET v = v + 1 WHERE name = ?1",
	[ST_PRUNE] = "DELETE FROM share_daily WHERE day < ?1",
	[ST_PRUNE_META] = "UPDATE share_meta SET v = (SELECT count(*) FROM share_daily)"
	    " WHERE name = 'daily'",
	[ST_READ] = "SELECT network, n FROM share_counts WHERE url = ?1 ORDER BY network",
};

struct share_store {
	sqlite3 *db;
	int busy_ms;
	struct timespec busy_since;
	sqlite3_stmt *st[ST__COUNT];
	struct share_limits lim;
	long pruned_day;
	bool healthy;
	struct share_day *day;         /* the day's keys in shared memory, or NULL */
	uint32_t *undo;                /* its slots this transaction added to */
	size_t nundo, undo_cap;
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
share_store_open(const char *path, int busy_ms, const struct share_limits *lim,
    struct share_store **out)
{
	struct share_store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (s == NULL)
		return RC_NOMEM;
	s->lim = *lim;
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
	free(s->undo);
	free(s);
}

/* Steps a one-row SELECT of an integer: *v its value (0 and *found false
 * when there is no row). */
static int
select_int(sqlite3_stmt *st, long long *v, bool *found)
{
	int rc = sqlite3_step(st);

	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (found != NULL)
		*found = rc == SQLITE_ROW;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/*
 * How often key k counted on `day`: in the shared table when there is one
 * and it knows the day; in SQLite when not, or when the key is not in the
 * table and the table spilled today's later keys into SQLite.
 */
static int
daily_get(struct share_store *s, const unsigned char *k, long day, long long *n, bool *found)
{
	uint32_t m;

	if (s->day != NULL && share_day_get(s->day, day, k, &m) == RC_OK &&
	    (m > 0 || !share_day_spilled(s->day, day))) {
		*n = m;
		*found = m > 0;
		return SQLITE_DONE;
	}
	sqlite3_bind_blob(s->st[ST_DAILY_GET], 1, k, SHARE_VISITOR_LEN, SQLITE_STATIC);
	return select_int(s->st[ST_DAILY_GET], n, found);
}

/* Remembers slot `at` for share_day_undo if the transaction rolls back. */
static int
undo_push(struct share_store *s, uint32_t at)
{
	if (s->nundo == s->undo_cap) {
		size_t cap = s->undo_cap != 0 ? s->undo_cap * 2 : 256;
		uint32_t *u = realloc(s->undo, cap * sizeof(*u));
		if (u == NULL) {
			share_day_undo(s->day, at);
			return SQLITE_NOMEM;
		}
		s->undo = u;
		s->undo_cap = cap;
	}
	s->undo[s->nundo++] = at;
	return SQLITE_DONE;
}

/* Takes back this transaction's additions to the shared table. */
static void
undo_all(struct share_store *s)
{
	while (s->nundo > 0)
		share_day_undo(s->day, s->undo[--s->nundo]);
}

/* n + 1 for key k of the day in the shared table: a key it holds, or a
 * new one while it has room. SQLITE_NOTFOUND: the key goes to SQLite. */
static int
day_add(struct share_store *s, const unsigned char *k, long day, bool is_new)
{
	uint32_t m, at;

	if (s->day == NULL || share_day_get(s->day, day, k, &m) != RC_OK || (m == 0 && !is_new))
		return SQLITE_NOTFOUND;
	if (share_day_add(s->day, day, k, &at) != RC_OK)
		return SQLITE_NOTFOUND;     /* full: SQLite holds the rest of the day */
	return undo_push(s, at);
}

/* n + 1 for key k of today; a new row counts against max_daily. */
static int
daily_add(struct share_store *s, const unsigned char *k, long day, bool is_new)
{
	int rc = day_add(s, k, day, is_new);

	if (rc != SQLITE_NOTFOUND)
		return rc;
	sqlite3_bind_blob(s->st[ST_DAILY_ADD], 1, k, SHARE_VISITOR_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s->st[ST_DAILY_ADD], 2, day);
	rc = step_reset(s->st[ST_DAILY_ADD]);
	if (rc == SQLITE_DONE && is_new) {
		sqlite3_bind_text(s->st[ST_META_ADD], 1, "daily", -1, SQLITE_STATIC);
		rc = step_reset(s->st[ST_META_ADD]);
	}
	return rc;
}

static int
meta_get(struct share_store *s, const char *name, long long *v)
{
	sqlite3_bind_text(s->st[ST_META_GET], 1, name, -1, SQLITE_STATIC);
	return select_int(s->st[ST_META_GET], v, NULL);
}

static int
has_row(sqlite3_stmt *st, const char *key, const char *network, bool *found)
{
	long long one;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (network != NULL)
		sqlite3_bind_text(st, 2, network, -1, SQLITE_STATIC);
	return select_int(st, &one, found);
}

static int
prune(struct share_store *s, long day)
{
	int rc;

	sqlite3_bind_int64(s->st[ST_PRUNE], 1, day - 1);
	rc = step_reset(s->st[ST_PRUNE]);
	return rc == SQLITE_DONE ? step_reset(s->st[ST_PRUNE_META]) : rc;
}

/*
 * A counter row (url, network) that does not exist yet: refused when the
 * table is full, or when the URL is new and this network has started its
 * new_urls_daily URLs today. *ok says whether it may be created.
 */
static int
new_counter_ok(struct share_store *s, const char *key, const struct share_visitor *v,
    long day, enum share_outcome *out, bool *ok)
{
	long long counters, started;
	bool url_known, found;
	int rc = meta_get(s, "counters", &counters);

	*ok = false;
	if (rc != SQLITE_DONE)
		return rc;
	if (counters >= s->lim.max_counters) {
		*out = SHARE_FULL;
		return SQLITE_DONE;
	}
	rc = has_row(s->st[ST_HAS_URL], key, NULL, &url_known);
	if (rc != SQLITE_DONE || url_known) {
		*ok = rc == SQLITE_DONE;
		return rc;
	}
	rc = daily_get(s, v->net, day, &started, &found);
	if (rc != SQLITE_DONE)
		return rc;
	if (started >= s->lim.new_urls_daily) {
		*out = SHARE_NEW_URL_LIMIT;
		return SQLITE_DONE;
	}
	*ok = true;
	return daily_add(s, v->net, day, !found);
}

/* The body of the transaction; the caller commits or rolls back. */
static int
count_txn(struct share_store *s, const char *key, const char *network,
    const struct share_visitor *v, long day, enum share_outcome *out)
{
	long long n, daily;
	bool found, url_found, exists, ok;
	int rc = s->pruned_day != day ? prune(s, day) : SQLITE_DONE;

	if (rc == SQLITE_DONE)
		rc = daily_get(s, v->seen, day, &n, &found);
	*out = SHARE_SEEN;
	if (rc != SQLITE_DONE || found)
		return rc;
	/* Up to three new keys below: refuse before the table passes its cap. */
	if ((rc = meta_get(s, "daily", &daily)) != SQLITE_DONE)
		return rc;
	daily += (long long)share_day_used(s->day, day);
	if (daily + 3 > s->lim.max_daily)
		return *out = SHARE_FULL, SQLITE_DONE;
	if ((rc = daily_get(s, v->url, day, &n, &url_found)) != SQLITE_DONE)
		return rc;
	/* A refused visitor's seen key makes its repeats a read. */
	if (n >= s->lim.per_url_daily)
		return *out = SHARE_CAPPED, daily_add(s, v->seen, day, true);
	if ((rc = has_row(s->st[ST_HAS_COUNTER], key, network, &exists)) != SQLITE_DONE)
		return rc;
	if (!exists) {
		rc = new_counter_ok(s, key, v, day, out, &ok);
		if (rc != SQLITE_DONE || !ok)
			return rc == SQLITE_DONE && *out == SHARE_NEW_URL_LIMIT
			    ? daily_add(s, v->seen, day, true) : rc;
		sqlite3_bind_text(s->st[ST_META_ADD], 1, "counters", -1, SQLITE_STATIC);
		if ((rc = step_reset(s->st[ST_META_ADD])) != SQLITE_DONE)
			return rc;
	}
	sqlite3_bind_text(s->st[ST_BUMP], 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->st[ST_BUMP], 2, network, -1, SQLITE_STATIC);
	rc = step_reset(s->st[ST_BUMP]);
	if (rc == SQLITE_DONE)
		rc = daily_add(s, v->url, day, !url_found);
	if (rc == SQLITE_DONE)
		rc = daily_add(s, v->seen, day, true);
	if (rc == SQLITE_DONE)
		*out = SHARE_COUNTED;
	return rc;
}

enum rc
share_store_seen(struct share_store *s, const struct share_visitor *v, long day, bool *seen)
{
	long long n;
	int rc;

	*seen = false;
	/* Before today's first count the day's keys may still hold
	 * yesterday's prune-to-be: only the transaction decides then. */
	if (s->pruned_day != day)
		return RC_OK;
	/* A read in WAL snapshot isolation: never takes the write lock. */
	rc = daily_get(s, v->seen, day, &n, seen);
	if (rc != SQLITE_DONE)
		return store_fail(s, "probe", rc);
	s->healthy = true;
	return RC_OK;
}

enum rc
share_store_count_many(struct share_store *s, const struct share_count *c, size_t n,
    enum share_outcome *out)
{
	int rc;

	for (size_t i = 0; i < n; i++)
		out[i] = SHARE_SEEN;
	if (n == 0)
		return RC_OK;
	rc = step_reset(s->st[ST_BEGIN]);
	if (rc != SQLITE_DONE)
		return store_fail(s, "begin", rc);
	s->nundo = 0;
	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		rc = count_txn(s, c[i].key, c[i].network, &c[i].v, c[i].day, &out[i]);
		if (rc == SQLITE_DONE)
			s->pruned_day = c[i].day;
	}
	if (rc == SQLITE_DONE)
		rc = step_reset(s->st[ST_COMMIT]);
	if (rc != SQLITE_DONE) {
		enum rc err = store_fail(s, "count", rc);
		/* Before the write lock goes: no other worker may see a key
		 * whose count did not commit. */
		undo_all(s);
		if (!sqlite3_get_autocommit(s->db))
			step_reset(s->st[ST_ROLLBACK]);
		/* Nothing of the transaction stays: neither its prune. */
		s->pruned_day = -1;
		for (size_t i = 0; i < n; i++)
			out[i] = SHARE_SEEN;
		return err;
	}
	s->healthy = true;
	return RC_OK;
}

enum rc
share_store_count(struct share_store *s, const char *key, const char *network,
    const struct share_visitor *v, long day, enum share_outcome *out)
{
	struct share_count c = { .key = key, .network = network, .v = *v, .day = day };
	enum share_outcome what = SHARE_SEEN;
	bool seen;
	enum rc rc;

	if (out != NULL)
		*out = SHARE_SEEN;
	/* A key seen before (the common case of repeated clicks) costs a read. */
	if ((rc = share_store_seen(s, v, day, &seen)) != RC_OK || seen)
		return rc;
	if ((rc = share_store_count_many(s, &c, 1, &what)) == RC_OK && out != NULL)
		*out = what;
	return rc;
}

const char *
share_outcome_str(enum share_outcome o)
{
	static const char *const names[] = {
		[SHARE_COUNTED] = "counted", [SHARE_SEEN] = "seen",
		[SHARE_CAPPED] = "capped", [SHARE_NEW_URL_LIMIT] = "new-url-limit",
		[SHARE_FULL] = "table-full",
	};

	return (size_t)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
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

void
share_store_use_day(struct share_store *s, struct share_day *d)
{
	s->day = d;
}

bool
share_store_healthy(const struct share_store *s)
{
	return s != NULL && s->healthy;
}

bool
share_visitor_net(const char *addr, char *out, size_t n)
{
	struct in_addr v4;
	struct in6_addr v6;
	char txt[INET6_ADDRSTRLEN];
	const unsigned char *b = NULL;
	int len;

	if (addr == NULL)
		addr = "";
	if (inet_pton(AF_INET, addr, &v4) == 1) {
		b = (const unsigned char *)&v4.s_addr;
	} else if (inet_pton(AF_INET6, addr, &v6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&v6))
			b = v6.s6_addr + 12;
	} else {
		len = snprintf(out, n, "%s", addr);
		return len >= 0 && (size_t)len < n;
	}
	if (b != NULL) {
		len = snprintf(out, n, "%u.%u.%u.0/24", b[0], b[1], b[2]);
		return len >= 0 && (size_t)len < n;
	}
	memset(v6.s6_addr + 7, 0, 9);   /* keep the /56 */
	if (inet_ntop(AF_INET6, &v6, txt, sizeof(txt)) == NULL)
		return false;
	len = snprintf(out, n, "%s/56", txt);
	return len >= 0 && (size_t)len < n;
}

/* The first SHARE_VISITOR_LEN bytes of HMAC(salt, "v2" 0 parts...), the
 * parts handed to the MAC as they are (no copy into one message). */
static enum rc
visitor_mac(struct crypto_hmac *mac, const char *const *parts, size_t nparts,
    unsigned char out[SHARE_VISITOR_LEN])
{
	const void *piece[1 + 2 * VISITOR_PARTS_MAX];
	size_t len[1 + 2 * VISITOR_PARTS_MAX], n = 0;
	unsigned char full[CRYPTO_SHA256_LEN];
	enum rc rc;

	piece[n] = "v2";
	len[n++] = 2;
	for (size_t i = 0; i < nparts && i < VISITOR_PARTS_MAX; i++) {
		const char *p = parts[i] != NULL ? parts[i] : "";
		piece[n] = "";          /* its terminating NUL: one byte */
		len[n++] = 1;
		piece[n] = p;
		len[n++] = strlen(p);
	}
	rc = crypto_hmac_parts(mac, piece, len, n, full);
	if (rc == RC_OK)
		memcpy(out, full, SHARE_VISITOR_LEN);
	return rc;
}

enum rc
share_visitor_seen(struct crypto_hmac *mac, long day, const char *net,
    const char *key, const char *network, unsigned char out[SHARE_VISITOR_LEN])
{
	char d[24];
	const char *seen[] = { "seen", d, net, key, network };

	snprintf(d, sizeof(d), "%ld", day);
	return visitor_mac(mac, seen, 5, out);
}

enum rc
share_visitor_ids(struct crypto_hmac *mac, long day, const char *net,
    const char *key, struct share_visitor *out)
{
	char d[24];
	const char *url[] = { "url", d, net, key };
	const char *nets[] = { "net", d, net };
	enum rc rc;

	snprintf(d, sizeof(d), "%ld", day);
	rc = visitor_mac(mac, url, 4, out->url);
	if (rc == RC_OK)
		rc = visitor_mac(mac, nets, 3, out->net);
	return rc;
}

enum rc
share_visitor_keys(struct crypto_hmac *mac, long day, const char *net,
    const char *key, const char *network, struct share_visitor *out)
{
	enum rc rc = share_visitor_seen(mac, day, net, key, network, out->seen);

	return rc == RC_OK ? share_visitor_ids(mac, day, net, key, out) : rc;
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
		/* errno's words ("Permission denied"), not only the rc's. */
		log_kv(LOG_ERROR, "share_salt_failed", "path", path, "error", rc_str(rc),
		    "reason", rc == RC_NOTFOUND ? strerror(ENOENT) : rc == RC_TOOBIG ?
		    "larger than 64 KiB" : strerror(errno != 0 ? errno : EIO), NULL);
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

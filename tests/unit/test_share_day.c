/* test_share_day: the shared table of the day's visitor keys — counts,
 * undo, day change, a full table, concurrent inserts from forked
 * processes, and share_store counting through it (spilling to SQLite). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "tests/unit/tmpdir_fixture.h"
#include "widgets/share/share_day.h"
#include "widgets/share/share_store.h"
#include "tests/unit/share_keys.h"

/* A key as random as a MAC, from i (splitmix64). */
static void
key_of(uint64_t i, unsigned char k[SHARE_DAY_KEY_LEN])
{
	for (int half = 0; half < 2; half++) {
		uint64_t z = (i * 2 + (uint64_t)half) + 0x9e3779b97f4a7c15ull;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(k + half * 8, &z, 8);
	}
}

static uint32_t
count_of(struct share_day *d, long day, uint64_t i)
{
	unsigned char k[SHARE_DAY_KEY_LEN];
	uint32_t n = 99;

	key_of(i, k);
	assert_int_equal(share_day_get(d, day, k, &n), RC_OK);
	return n;
}

static enum rc
add(struct share_day *d, long day, uint64_t i, uint32_t *at)
{
	unsigned char k[SHARE_DAY_KEY_LEN];
	uint32_t dummy;

	key_of(i, k);
	return share_day_add(d, day, k, at != NULL ? at : &dummy);
}

static void
t_sizes(void **state)
{
	struct share_day *d = (void *)1;

	(void)state;
	assert_int_equal(share_day_slots_for(0), SHARE_DAY_SLOTS_MIN);
	assert_int_equal(share_day_slots_for(-5), SHARE_DAY_SLOTS_MIN);
	assert_int_equal(share_day_slots_for(1000), 2048);
	assert_int_equal(share_day_slots_for(1000000), SHARE_DAY_SLOTS_MAX);
	assert_int_equal(share_day_slots_for(100000000), SHARE_DAY_SLOTS_MAX);
	assert_int_equal(share_day_new(100, &d), RC_INVALID);    /* not a power of two */
	assert_null(d);
	assert_int_equal(share_day_new(32, &d), RC_INVALID);     /* too small */
	assert_int_equal(share_day_new(SHARE_DAY_SLOTS_MAX * 2, &d), RC_INVALID);
	assert_int_equal(share_day_new(64, &d), RC_OK);
	assert_int_equal(share_day_capacity(d), 48);
	share_day_free(d);
	share_day_free(NULL);
}

static void
t_count_undo(void **state)
{
	struct share_day *d;
	uint32_t at;

	(void)state;
	assert_int_equal(share_day_new(1024, &d), RC_OK);
	assert_int_equal(count_of(d, 100, 1), 0);
	assert_int_equal(add(d, 100, 1, NULL), RC_OK);
	assert_int_equal(add(d, 100, 1, &at), RC_OK);
	assert_int_equal(add(d, 100, 2, NULL), RC_OK);
	assert_int_equal(count_of(d, 100, 1), 2);
	assert_int_equal(count_of(d, 100, 2), 1);
	assert_int_equal(count_of(d, 100, 3), 0);
	assert_int_equal(share_day_used(d, 100), 2);
	share_day_undo(d, at);
	assert_int_equal(count_of(d, 100, 1), 1);
	share_day_undo(d, at);
	assert_int_equal(count_of(d, 100, 1), 0);             /* absent again */
	share_day_undo(d, at);                                /* never below 0 */
	share_day_undo(d, 1u << 30);                          /* out of range: ignored */
	assert_int_equal(count_of(d, 100, 1), 0);
	assert_int_equal(add(d, 100, 1, NULL), RC_OK);        /* its slot is reused */
	assert_int_equal(count_of(d, 100, 1), 1);
	assert_int_equal(share_day_used(d, 100), 2);
	share_day_free(d);
}

static void
t_day_change(void **state)
{
	struct share_day *d;
	unsigned char k[SHARE_DAY_KEY_LEN];
	uint32_t n, at;

	(void)state;
	assert_int_equal(share_day_new(64, &d), RC_OK);
	for (uint64_t i = 0; i < 40; i++)
		assert_int_equal(add(d, 100, i, NULL), RC_OK);
	assert_int_equal(share_day_used(d, 100), 40);
	/* The next day: yesterday's keys are gone, their slots free. */
	assert_int_equal(count_of(d, 101, 5), 0);
	assert_int_equal(share_day_used(d, 101), 0);
	assert_int_equal(share_day_used(d, 100), 0);
	for (uint64_t i = 100; i < 140; i++)
		assert_int_equal(add(d, 101, i, NULL), RC_OK);
	assert_int_equal(count_of(d, 101, 120), 1);
	/* A late share of yesterday: not covered, the caller asks SQLite. */
	key_of(5, k);
	assert_int_equal(share_day_get(d, 100, k, &n), RC_NOTFOUND);
	assert_int_equal(share_day_add(d, 100, k, &at), RC_NOTFOUND);
	share_day_free(d);
}

static void
t_full(void **state)
{
	struct share_day *d;

	(void)state;
	assert_int_equal(share_day_new(64, &d), RC_OK);
	for (uint64_t i = 0; i < 48; i++)
		assert_int_equal(add(d, 100, i, NULL), RC_OK);
	assert_false(share_day_spilled(d, 100));
	assert_int_equal(add(d, 100, 1000, NULL), RC_LIMIT);
	assert_true(share_day_spilled(d, 100));
	assert_int_equal(count_of(d, 100, 1000), 0);
	/* Keys it holds still count. */
	assert_int_equal(add(d, 100, 7, NULL), RC_OK);
	assert_int_equal(count_of(d, 100, 7), 2);
	assert_int_equal(share_day_used(d, 100), 48);
	/* A new day starts empty and not spilled. */
	assert_false(share_day_spilled(d, 101));
	assert_int_equal(add(d, 101, 1000, NULL), RC_OK);
	assert_false(share_day_spilled(d, 101));
	share_day_free(d);
}

#define KIDS 4
#define COMMON 3000
#define OWN 1500

/* KIDS forked processes add the same COMMON keys and OWN keys each, at
 * once: every common key ends at KIDS in one slot, every own key at 1. */
static void
t_forked(void **state)
{
	struct share_day *d;
	pid_t pids[KIDS];
	int st;

	(void)state;
	assert_int_equal(share_day_new(16384, &d), RC_OK);
	for (int p = 0; p < KIDS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			int bad = 0;
			for (uint64_t i = 0; i < COMMON; i++) {
				bad += add(d, 100, i, NULL) != RC_OK;
				bad += add(d, 100, 1000000 + (uint64_t)p * OWN + i % OWN, NULL) != RC_OK &&
				    i < OWN;
			}
			_exit(bad != 0);
		}
	}
	for (int p = 0; p < KIDS; p++) {
		assert_int_equal(waitpid(pids[p], &st, 0), pids[p]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (uint64_t i = 0; i < COMMON; i++)
		assert_int_equal(count_of(d, 100, i), KIDS);
	for (uint64_t i = 0; i < (uint64_t)KIDS * OWN; i++)
		assert_int_equal(count_of(d, 100, 1000000 + i), 2);   /* each added twice */
	assert_int_equal(share_day_used(d, 100), COMMON + KIDS * OWN);
	share_day_free(d);
}

/* ---- share_store through the table ---- */

static const unsigned char salt[SHARE_SALT_LEN] = { 3 };

static enum share_outcome
count(struct share_store *s, int visitor, const char *key)
{
	struct share_visitor v;
	enum share_outcome o = SHARE_SEEN;
	char net[32];

	snprintf(net, sizeof(net), "10.%d.%d.0/24", visitor / 256, visitor % 256);
	assert_int_equal(salted_visitor_keys(salt, sizeof(salt), 100, net, key, "x", &v), RC_OK);
	assert_int_equal(share_store_count(s, key, "x", &v, 100, &o), RC_OK);
	return o;
}

static long long
sql_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static long long
total(struct share_store *s, const char *key)
{
	json_t *o = json_object();
	long long t = -1;

	assert_int_equal(share_store_counts(s, key, o, &t), RC_OK);
	json_decref(o);
	return t;
}

/* Two handles (two workers) on one database and one table: each visitor
 * counts once; no visitor key is written to SQLite while there is room;
 * past the table's room they are (spilled), and still count once. */
static void
t_store(void **state)
{
	static const struct share_limits lim = { 3, 1000, 100000, 1000000 };
	struct tmpdir tmp;
	char db[160];
	struct share_store *a, *b;
	struct share_day *d;

	(void)state;
	assert_int_equal(tmpdir_init(&tmp, "share-day"), 0);
	tmpdir_path(&tmp, "share.sqlite", db, sizeof(db));
	assert_int_equal(share_day_new(64, &d), RC_OK);         /* room for 48 keys */
	assert_int_equal(share_store_open(db, 1000, &lim, &a), RC_OK);
	assert_int_equal(share_store_open(db, 1000, &lim, &b), RC_OK);
	share_store_use_day(a, d);
	share_store_use_day(b, d);
	/* 20 visitors: 41 keys (seen and url each, net for the new URL), all
	 * in memory. */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(count(i % 2 ? a : b, i, "k"), SHARE_COUNTED);
		assert_int_equal(count(i % 2 ? b : a, i, "k"), SHARE_SEEN);
	}
	assert_int_equal(total(a, "k"), 20);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM share_daily"), 0);
	assert_int_equal(share_day_used(d, 100), 41);
	assert_false(share_day_spilled(d, 100));
	/* 30 more: the table fills and the rest of the day goes to SQLite. */
	for (int i = 20; i < 50; i++) {
		assert_int_equal(count(i % 2 ? a : b, i, "k"), SHARE_COUNTED);
		assert_int_equal(count(i % 2 ? b : a, i, "k"), SHARE_SEEN);
	}
	assert_true(share_day_spilled(d, 100));
	assert_true(sql_int(db, "SELECT count(*) FROM share_daily") > 0);
	/* Every visitor, in memory or spilled, is still a repeat. */
	for (int i = 0; i < 50; i++)
		assert_int_equal(count(i % 3 ? a : b, i, "k"), SHARE_SEEN);
	assert_int_equal(total(b, "k"), 50);
	share_store_close(a);
	share_store_close(b);
	share_day_free(d);
	assert_int_equal(tmpdir_fini(&tmp), 0);
}

/* The per-URL cap holds through the table: one visitor network, three
 * share networks allowed, the fourth capped. */
static void
t_store_cap(void **state)
{
	static const struct share_limits lim = { 3, 1000, 100000, 1000000 };
	static const char *const nets[] = { "x", "facebook", "linkedin", "reddit" };
	struct tmpdir tmp;
	char db[160];
	struct share_store *s;
	struct share_day *d;
	struct share_visitor v;
	enum share_outcome o;

	(void)state;
	assert_int_equal(tmpdir_init(&tmp, "share-day-cap"), 0);
	tmpdir_path(&tmp, "share.sqlite", db, sizeof(db));
	assert_int_equal(share_day_new(1024, &d), RC_OK);
	assert_int_equal(share_store_open(db, 1000, &lim, &s), RC_OK);
	share_store_use_day(s, d);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(salted_visitor_keys(salt, sizeof(salt), 100, "192.0.2.0/24", "u",
		    nets[i], &v), RC_OK);
		assert_int_equal(share_store_count(s, "u", nets[i], &v, 100, &o), RC_OK);
		assert_int_equal(o, i < 3 ? SHARE_COUNTED : SHARE_CAPPED);
	}
	assert_int_equal(total(s, "u"), 3);
	assert_int_equal(sql_int(db, "SELECT count(*) FROM share_daily"), 0);
	share_store_close(s);
	share_day_free(d);
	assert_int_equal(tmpdir_fini(&tmp), 0);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* A clean stop's file puts the day back; another day's is ignored; a
 * truncated or foreign file loads nothing (RC_CORRUPT); none: NOTFOUND. */
static void
t_save_load(void **state)
{
	struct tmpdir tmp;
	char path[160], *data = NULL;
	struct share_day *d, *e;
	size_t n = 99;
	long len;
	FILE *f;

	(void)state;
	assert_int_equal(tmpdir_init(&tmp, "share-day-save"), 0);
	tmpdir_path(&tmp, "share.day", path, sizeof(path));
	assert_int_equal(share_day_new(1024, &d), RC_OK);
	assert_int_equal(share_day_load(d, 100, path, &n), RC_NOTFOUND);
	for (uint64_t i = 0; i < 300; i++)
		assert_int_equal(add(d, 100, i, NULL), RC_OK);
	assert_int_equal(add(d, 100, 7, NULL), RC_OK);
	assert_int_equal(share_day_save(d, 100, path), RC_OK);

	assert_int_equal(share_day_new(1024, &e), RC_OK);
	assert_int_equal(share_day_load(e, 100, path, &n), RC_OK);
	assert_int_equal(n, 300);
	assert_int_equal(count_of(e, 100, 7), 2);
	assert_int_equal(count_of(e, 100, 299), 1);
	assert_int_equal(count_of(e, 100, 300), 0);
	assert_int_equal(share_day_used(e, 100), 300);
	share_day_free(e);

	assert_int_equal(share_day_new(1024, &e), RC_OK);     /* the next day: ignored */
	assert_int_equal(share_day_load(e, 101, path, &n), RC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(count_of(e, 101, 7), 0);

	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	data = malloc((size_t)len);
	assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	write_file(path, data, (size_t)len - 3);               /* truncated */
	assert_int_equal(share_day_load(e, 100, path, &n), RC_CORRUPT);
	assert_int_equal(n, 0);
	write_file(path, data, 10);                            /* a torn header */
	assert_int_equal(share_day_load(e, 100, path, &n), RC_CORRUPT);
	data[0] = 'X';                                         /* not ours */
	write_file(path, data, (size_t)len);
	assert_int_equal(share_day_load(e, 100, path, &n), RC_CORRUPT);
	write_file(path, "", 0);
	assert_int_equal(share_day_load(e, 100, path, &n), RC_CORRUPT);
	assert_int_equal(share_day_used(e, 100), 0);
	free(data);
	share_day_free(e);
	share_day_free(d);
	assert_int_equal(tmpdir_fini(&tmp), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_sizes),
		cmocka_unit_test(t_count_undo),
		cmocka_unit_test(t_day_change),
		cmocka_unit_test(t_full),
		cmocka_unit_test(t_forked),
		cmocka_unit_test(t_store),
		cmocka_unit_test(t_store_cap),
		cmocka_unit_test(t_save_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

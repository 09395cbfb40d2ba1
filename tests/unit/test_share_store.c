/* test_share_store: SQLite counters, per-visitor dedupe, pruning, salt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "tests/unit/tmpdir_fixture.h"
#include "widgets/share/share_store.h"

struct fx {
	struct tmpdir tmp;
	char db[128];
	struct share_store *s;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || tmpdir_init(&f->tmp, "share-store") != 0)
		return -1;
	tmpdir_path(&f->tmp, "share.sqlite", f->db, sizeof(f->db));
	if (share_store_open(f->db, 1000, &f->s) != RC_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc;

	share_store_close(f->s);
	rc = tmpdir_fini(&f->tmp);
	free(f);
	return rc;
}

static void
visitor(unsigned char out[SHARE_VISITOR_LEN], long day, const char *addr,
    const char *ua, const char *key, const char *net)
{
	static const unsigned char salt[SHARE_SALT_LEN] = { 1, 2, 3 };

	assert_int_equal(share_visitor_hash(salt, sizeof(salt), day, addr, ua, key,
	    net, out), RC_OK);
}

static long long
count_of(struct fx *f, const char *key, const char *net, long long *total)
{
	json_t *o = json_object();
	long long n;

	assert_int_equal(share_store_counts(f->s, key, o, total), RC_OK);
	n = json_integer_value(json_object_get(o, net));
	json_decref(o);
	return n;
}

static long long
seen_rows(struct fx *f)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM share_seen", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
test_once_per_visitor(void **state)
{
	struct fx *f = *state;
	unsigned char a[SHARE_VISITOR_LEN], b[SHARE_VISITOR_LEN];
	const char *key = "https://www.example.com/a";
	long long total;
	bool counted;

	visitor(a, 20000, "192.0.2.1", "UA", key, "x");
	visitor(b, 20000, "192.0.2.2", "UA", key, "x");
	assert_int_equal(share_store_count(f->s, key, "x", a, 20000, &counted), RC_OK);
	assert_true(counted);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(share_store_count(f->s, key, "x", a, 20000, &counted), RC_OK);
		assert_false(counted);
	}
	assert_int_equal(share_store_count(f->s, key, "x", b, 20000, &counted), RC_OK);
	assert_true(counted);
	assert_int_equal(count_of(f, key, "x", &total), 2);
	assert_int_equal(total, 2);
	/* The next day the same visitor counts again. */
	visitor(a, 20001, "192.0.2.1", "UA", key, "x");
	assert_int_equal(share_store_count(f->s, key, "x", a, 20001, &counted), RC_OK);
	assert_true(counted);
	assert_int_equal(count_of(f, key, "x", &total), 3);
	/* Unknown URL: empty. */
	assert_int_equal(count_of(f, "https://www.example.com/none", "x", &total), 0);
	assert_int_equal(total, 0);
}

static void
test_networks_and_total(void **state)
{
	struct fx *f = *state;
	const char *nets[] = { "x", "facebook", "email", "x" };
	const char *key = "https://www.example.com/b";
	json_t *o = json_object();
	long long total;

	for (size_t i = 0; i < 4; i++) {
		unsigned char v[SHARE_VISITOR_LEN];
		char ua[16];
		snprintf(ua, sizeof(ua), "UA%zu", i);
		visitor(v, 20000, "192.0.2.1", ua, key, nets[i]);
		assert_int_equal(share_store_count(f->s, key, nets[i], v, 20000, NULL), RC_OK);
	}
	assert_int_equal(share_store_counts(f->s, key, o, &total), RC_OK);
	assert_int_equal(total, 4);
	assert_int_equal(json_object_size(o), 3);
	assert_int_equal(json_integer_value(json_object_get(o, "x")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "email")), 1);
	assert_true(share_store_healthy(f->s));
	json_decref(o);
}

static void
test_prune(void **state)
{
	struct fx *f = *state;
	const char *key = "https://www.example.com/c";

	for (int i = 0; i < 5; i++) {
		unsigned char v[SHARE_VISITOR_LEN];
		char addr[32];
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		visitor(v, 100, addr, "UA", key, "x");
		assert_int_equal(share_store_count(f->s, key, "x", v, 100, NULL), RC_OK);
	}
	assert_int_equal(seen_rows(f), 5);
	/* Day 101 keeps yesterday's rows; day 102 drops day 100. */
	{
		unsigned char v[SHARE_VISITOR_LEN];
		visitor(v, 101, "198.51.100.9", "UA", key, "x");
		assert_int_equal(share_store_count(f->s, key, "x", v, 101, NULL), RC_OK);
		assert_int_equal(seen_rows(f), 6);
		visitor(v, 102, "198.51.100.9", "UA", key, "x");
		assert_int_equal(share_store_count(f->s, key, "x", v, 102, NULL), RC_OK);
		assert_int_equal(seen_rows(f), 2);
	}
	{
		long long total;
		assert_int_equal(count_of(f, key, "x", &total), 7);
	}
}

static void
test_visitor_hash(void **state)
{
	unsigned char h[6][SHARE_VISITOR_LEN];

	(void)state;
	visitor(h[0], 1, "a", "u", "k", "n");
	visitor(h[1], 1, "a", "u", "k", "n");
	assert_memory_equal(h[0], h[1], SHARE_VISITOR_LEN);
	visitor(h[1], 2, "a", "u", "k", "n");
	visitor(h[2], 1, "b", "u", "k", "n");
	visitor(h[3], 1, "a", "v", "k", "n");
	visitor(h[4], 1, "a", "u", "l", "n");
	visitor(h[5], 1, "a", "u", "k", "m");
	for (int i = 1; i < 6; i++)
		assert_memory_not_equal(h[0], h[i], SHARE_VISITOR_LEN);
	/* Field boundaries are unambiguous: "ab"+"c" differs from "a"+"bc". */
	visitor(h[1], 1, "ab", "c", "k", "n");
	visitor(h[2], 1, "a", "bc", "k", "n");
	assert_memory_not_equal(h[1], h[2], SHARE_VISITOR_LEN);
	visitor(h[3], 1, NULL, NULL, "k", "n");
	visitor(h[4], 1, "", "", "k", "n");
	assert_memory_equal(h[3], h[4], SHARE_VISITOR_LEN);
}

static void
test_salt(void **state)
{
	struct fx *f = *state;
	unsigned char s1[SHARE_SALT_LEN], s2[SHARE_SALT_LEN];
	char path[160], shortp[160];
	struct stat st;
	FILE *fp;

	tmpdir_path(&f->tmp, "share.salt", path, sizeof(path));
	assert_int_equal(share_salt_load(path, false, s1), RC_IO);
	assert_int_equal(share_salt_load(path, true, s1), RC_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, SHARE_SALT_LEN);
	assert_int_equal(st.st_mode & 0077, 0);
	assert_int_equal(share_salt_load(path, true, s2), RC_OK);
	assert_memory_equal(s1, s2, SHARE_SALT_LEN);
	tmpdir_path(&f->tmp, "short.salt", shortp, sizeof(shortp));
	fp = fopen(shortp, "w");
	assert_non_null(fp);
	fputs("too short", fp);
	fclose(fp);
	assert_int_equal(share_salt_load(shortp, false, s2), RC_CORRUPT);
}

static void
test_open_fails(void **state)
{
	struct share_store *s = NULL;

	(void)state;
	assert_int_equal(share_store_open("/nonexistent-dir/x/share.sqlite", 10, &s), RC_IO);
	assert_null(s);
	assert_false(share_store_healthy(NULL));
	share_store_close(NULL);
}

static void
test_busy(void **state)
{
	struct fx *f = *state;
	struct share_store *other = NULL;
	unsigned char v[SHARE_VISITOR_LEN];
	sqlite3 *db;

	/* A writer holding the lock longer than the timeout: RC_UNAVAILABLE,
	 * and the store works again once the lock is gone. */
	assert_int_equal(share_store_open(f->db, 50, &other), RC_OK);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	visitor(v, 5, "a", "b", "k", "x");
	assert_int_equal(share_store_count(other, "k", "x", v, 5, NULL), RC_UNAVAILABLE);
	assert_false(share_store_healthy(other));
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(share_store_count(other, "k", "x", v, 5, NULL), RC_OK);
	assert_true(share_store_healthy(other));
	share_store_close(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_once_per_visitor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_networks_and_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test(test_visitor_hash),
		cmocka_unit_test_setup_teardown(test_salt, setup, teardown),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

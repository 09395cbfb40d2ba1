/* test_share_store: SQLite counters, per-network dedupe and limits, pruning,
 * visitor keys and networks, salt. */
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
#include "tests/unit/share_keys.h"

static const struct share_limits roomy = { 1000, 1000, 1000000, 1000000 };

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
	if (share_store_open(f->db, 1000, &roomy, &f->s) != RC_OK)
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
visitor(struct share_visitor *out, long day, const char *net, const char *key,
    const char *network)
{
	static const unsigned char salt[SHARE_SALT_LEN] = { 1, 2, 3 };

	assert_int_equal(salted_visitor_keys(salt, sizeof(salt), day, net, key, network,
	    out), RC_OK);
}

/* One share by net: its outcome. */
static enum share_outcome
share(struct share_store *s, long day, const char *net, const char *key,
    const char *network)
{
	struct share_visitor v;
	enum share_outcome o = SHARE_FULL + 1;

	visitor(&v, day, net, key, network);
	assert_int_equal(share_store_count(s, key, network, &v, day, &o), RC_OK);
	return o;
}

static long long
count_of(struct share_store *s, const char *key, const char *net, long long *total)
{
	json_t *o = json_object();
	long long n;

	assert_int_equal(share_store_counts(s, key, o, total), RC_OK);
	n = json_integer_value(json_object_get(o, net));
	json_decref(o);
	return n;
}

static long long
rows(const char *path, const char *table)
{
	char q[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM %s", table);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
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
	const char *key = "https://www.example.com/a";
	long long total;

	assert_int_equal(share(f->s, 20000, "192.0.2.0/24", key, "x"), SHARE_COUNTED);
	for (int i = 0; i < 100; i++)
		assert_int_equal(share(f->s, 20000, "192.0.2.0/24", key, "x"), SHARE_SEEN);
	assert_int_equal(share(f->s, 20000, "198.51.100.0/24", key, "x"), SHARE_COUNTED);
	assert_int_equal(count_of(f->s, key, "x", &total), 2);
	assert_int_equal(total, 2);
	/* The next day the same network counts again. */
	assert_int_equal(share(f->s, 20001, "192.0.2.0/24", key, "x"), SHARE_COUNTED);
	assert_int_equal(count_of(f->s, key, "x", &total), 3);
	/* Unknown URL: empty. */
	assert_int_equal(count_of(f->s, "https://www.example.com/none", "x", &total), 0);
	assert_int_equal(total, 0);
}

static void
test_networks_and_total(void **state)
{
	struct fx *f = *state;
	const char *nets[] = { "x", "facebook", "email", "x" };
	const char *who[] = { "192.0.2.0/24", "192.0.2.0/24", "192.0.2.0/24", "203.0.113.0/24" };
	const char *key = "https://www.example.com/b";
	json_t *o = json_object();
	long long total;

	for (size_t i = 0; i < 4; i++)
		assert_int_equal(share(f->s, 20000, who[i], key, nets[i]), SHARE_COUNTED);
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

	/* Day 100: 5 networks, each a seen and a url key; the first one
	 * started the URL (its net key): 11. */
	for (int i = 0; i < 5; i++) {
		char net[32];
		snprintf(net, sizeof(net), "198.51.%d.0/24", i);
		assert_int_equal(share(f->s, 100, net, key, "x"), SHARE_COUNTED);
	}
	assert_int_equal(rows(f->db, "share_daily"), 11);
	/* Day 101 keeps yesterday's keys; day 102 drops day 100's. */
	assert_int_equal(share(f->s, 101, "198.51.9.0/24", key, "x"), SHARE_COUNTED);
	assert_int_equal(rows(f->db, "share_daily"), 13);
	assert_int_equal(share(f->s, 102, "198.51.9.0/24", key, "x"), SHARE_COUNTED);
	assert_int_equal(rows(f->db, "share_daily"), 4);
	{
		long long total;
		assert_int_equal(count_of(f->s, key, "x", &total), 7);
	}
}

static void
test_limits(void **state)
{
	struct fx *f = *state;
	const struct share_limits lim = { 2, 3, 6, 40 };
	const char *const nets[] = { "x", "facebook", "email", "reddit" };
	struct share_store *s;
	long long total;
	char key[64];

	assert_int_equal(share_store_open(f->db, 1000, &lim, &s), RC_OK);
	/* per_url_daily: one network adds 2 to a URL, over all share networks. */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(share(s, 7, "192.0.2.0/24", "https://e.test/a", nets[i]),
		    i < 2 ? SHARE_COUNTED : SHARE_CAPPED);
	assert_int_equal(share(s, 7, "192.0.2.0/24", "https://e.test/a", "reddit"), SHARE_SEEN);
	assert_int_equal(count_of(s, "https://e.test/a", "x", &total), 1);
	assert_int_equal(total, 2);
	/* new_urls_daily: a network starts 3 URLs (a was the first). */
	assert_int_equal(share(s, 7, "192.0.2.0/24", "https://e.test/b", "x"), SHARE_COUNTED);
	assert_int_equal(share(s, 7, "192.0.2.0/24", "https://e.test/c", "x"), SHARE_COUNTED);
	assert_int_equal(share(s, 7, "192.0.2.0/24", "https://e.test/d", "x"), SHARE_NEW_URL_LIMIT);
	/* ...but may add a share network to a URL that has a counter. */
	assert_int_equal(share(s, 7, "192.0.2.0/24", "https://e.test/b", "email"), SHARE_COUNTED);
	assert_int_equal(rows(f->db, "share_counts"), 5);
	/* max_counters: one more row, then the table is full for everyone. */
	assert_int_equal(share(s, 7, "203.0.113.0/24", "https://e.test/e", "x"), SHARE_COUNTED);
	assert_int_equal(share(s, 7, "198.51.100.0/24", "https://e.test/f", "x"), SHARE_FULL);
	assert_int_equal(share(s, 7, "198.51.100.0/24", "https://e.test/a", "reddit"), SHARE_FULL);
	assert_int_equal(share(s, 7, "198.51.100.0/24", "https://e.test/a", "x"), SHARE_COUNTED);
	assert_int_equal(rows(f->db, "share_counts"), 6);
	/* max_daily: the day's keys stop short of it. */
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "10.%d.0.0/24", i);
		(void)share(s, 7, key, "https://e.test/a", "x");
	}
	assert_true(rows(f->db, "share_daily") <= 40);
	assert_int_equal(share(s, 7, "10.99.0.0/24", "https://e.test/a", "x"), SHARE_FULL);
	assert_string_equal(share_outcome_str(SHARE_FULL), "table-full");
	assert_string_equal(share_outcome_str(SHARE_NEW_URL_LIMIT), "new-url-limit");
	share_store_close(s);
	/* A reopened store recounts its tables: still full. */
	assert_int_equal(share_store_open(f->db, 1000, &lim, &s), RC_OK);
	assert_int_equal(share(s, 7, "10.98.0.0/24", "https://e.test/g", "x"), SHARE_FULL);
	share_store_close(s);
}

static void
test_visitor_keys(void **state)
{
	struct share_visitor h[6];

	(void)state;
	visitor(&h[0], 1, "a", "k", "n");
	visitor(&h[1], 1, "a", "k", "n");
	assert_memory_equal(&h[0], &h[1], sizeof(h[0]));
	visitor(&h[1], 2, "a", "k", "n");
	visitor(&h[2], 1, "b", "k", "n");
	visitor(&h[3], 1, "a", "l", "n");
	visitor(&h[4], 1, "a", "k", "m");
	for (int i = 1; i < 5; i++)
		assert_memory_not_equal(h[0].seen, h[i].seen, SHARE_VISITOR_LEN);
	/* The url key ignores the share network, the net key the URL too. */
	assert_memory_equal(h[0].url, h[4].url, SHARE_VISITOR_LEN);
	assert_memory_not_equal(h[0].url, h[3].url, SHARE_VISITOR_LEN);
	assert_memory_equal(h[0].net, h[3].net, SHARE_VISITOR_LEN);
	assert_memory_not_equal(h[0].net, h[1].net, SHARE_VISITOR_LEN);
	/* The three kinds never collide, and field boundaries are unambiguous. */
	assert_memory_not_equal(h[0].seen, h[0].url, SHARE_VISITOR_LEN);
	assert_memory_not_equal(h[0].url, h[0].net, SHARE_VISITOR_LEN);
	visitor(&h[1], 1, "ab", "c", "n");
	visitor(&h[2], 1, "a", "bc", "n");
	assert_memory_not_equal(h[1].seen, h[2].seen, SHARE_VISITOR_LEN);
}

/* The keys are HMAC-SHA256(salt, "v2" 0 kind 0 day 0 net ...) cut to
 * SHARE_VISITOR_LEN, whichever way the MAC is computed: the keyed MAC the
 * workers keep (crypto_hmac_parts) gives the one-shot MAC's bytes, so the
 * keys a database holds from before stay the keys of today's visitors. */
static void
test_visitor_keys_known(void **state)
{
	static const unsigned char salt[SHARE_SALT_LEN] = { 1, 2, 3 };
	static const char seen[] = "v2\0seen\0" "19700\0" "192.0.2.0/24\0k\0x";
	static const char url[] = "v2\0url\0" "19700\0" "192.0.2.0/24\0k";
	static const char net[] = "v2\0net\0" "19700\0" "192.0.2.0/24";
	unsigned char want[CRYPTO_SHA256_LEN];
	struct share_visitor v, w;
	struct crypto_hmac *mac;

	(void)state;
	visitor(&v, 19700, "192.0.2.0/24", "k", "x");
	assert_int_equal(crypto_hmac_sha256(salt, sizeof(salt), seen, sizeof(seen) - 1, want), RC_OK);
	assert_memory_equal(v.seen, want, SHARE_VISITOR_LEN);
	assert_int_equal(crypto_hmac_sha256(salt, sizeof(salt), url, sizeof(url) - 1, want), RC_OK);
	assert_memory_equal(v.url, want, SHARE_VISITOR_LEN);
	assert_int_equal(crypto_hmac_sha256(salt, sizeof(salt), net, sizeof(net) - 1, want), RC_OK);
	assert_memory_equal(v.net, want, SHARE_VISITOR_LEN);
	/* One keyed MAC, used again and again (seen, then the other two, as
	 * a worker does), still gives the same keys. */
	assert_int_equal(crypto_hmac_new(salt, sizeof(salt), &mac), RC_OK);
	for (int i = 0; i < 3; i++) {
		memset(&w, 0, sizeof(w));
		assert_int_equal(share_visitor_seen(mac, 19700, "192.0.2.0/24", "k", "x", w.seen), RC_OK);
		assert_int_equal(share_visitor_ids(mac, 19700, "192.0.2.0/24", "k", &w), RC_OK);
		assert_memory_equal(&w, &v, sizeof(v));
	}
	crypto_hmac_free(mac);
}

static void
test_visitor_net(void **state)
{
	static const struct { const char *in, *out; } rows_[] = {
		{ "192.0.2.77", "192.0.2.0/24" }, { "192.0.2.1", "192.0.2.0/24" },
		{ "::ffff:192.0.2.9", "192.0.2.0/24" }, { "127.5.4.3", "127.5.4.0/24" },
		{ "2001:db8:1234:56ff:1::1", "2001:db8:1234:5600::/56" },
		{ "2001:db8:1234:5601:ffff:ffff:ffff:ffff", "2001:db8:1234:5600::/56" },
		{ "2001:db8:1234:5700::1", "2001:db8:1234:5700::/56" },
		{ "::1", "::/56" }, { "", "" }, { "not an address", "not an address" },
	};
	char out[SHARE_NET_MAX], tiny[8];

	(void)state;
	for (size_t i = 0; i < sizeof(rows_) / sizeof(rows_[0]); i++) {
		assert_true(share_visitor_net(rows_[i].in, out, sizeof(out)));
		if (strcmp(out, rows_[i].out) != 0)
			fail_msg("%s: got %s, want %s", rows_[i].in, out, rows_[i].out);
	}
	assert_true(share_visitor_net(NULL, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(share_visitor_net("192.0.2.1", tiny, sizeof(tiny)));
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
	assert_int_equal(share_store_open("/nonexistent-dir/x/share.sqlite", 10, &roomy, &s), RC_IO);
	assert_null(s);
	assert_false(share_store_healthy(NULL));
	share_store_close(NULL);
}

static void
test_busy(void **state)
{
	struct fx *f = *state;
	struct share_store *other = NULL;
	struct share_visitor v;
	sqlite3 *db;

	/* A writer holding the lock longer than the timeout: RC_UNAVAILABLE,
	 * and the store works again once the lock is gone. */
	assert_int_equal(share_store_open(f->db, 50, &roomy, &other), RC_OK);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	visitor(&v, 5, "a", "k", "x");
	assert_int_equal(share_store_count(other, "k", "x", &v, 5, NULL), RC_UNAVAILABLE);
	assert_false(share_store_healthy(other));
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(share_store_count(other, "k", "x", &v, 5, NULL), RC_OK);
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
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test(test_visitor_keys),
		cmocka_unit_test(test_visitor_keys_known),
		cmocka_unit_test(test_visitor_net),
		cmocka_unit_test_setup_teardown(test_salt, setup, teardown),
		cmocka_unit_test(test_open_fails),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

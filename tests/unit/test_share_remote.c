/* test_share_remote: counting through the store interface gives the
 * outcomes and counts of the SQLite counters (the same sequence run on
 * both, limits included); counts queue while the store is down. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/store.h"
#include "widgets/share/share_remote.h"
#include "widgets/share/share_store.h"
#include "tests/unit/share_keys.h"

/* Small limits, so the sequence below meets each of them. */
static const struct share_limits tight = {
	.per_url_daily = 2, .new_urls_daily = 2, .max_counters = 6, .max_daily = 1000,
};

struct fx {
	struct tmpdir tmp;
	struct share_store *sql;
	struct store *st;
	struct share_remote *remote;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char db[256], dir[256];
	struct store_conf conf = { .prefix = "t:" };

	if (f == NULL || tmpdir_init(&f->tmp, "share-remote") != 0)
		return -1;
	conf.local_dir = tmpdir_path(&f->tmp, "store", dir, sizeof(dir));
	if (share_store_open(tmpdir_path(&f->tmp, "share.sqlite", db, sizeof(db)), 1000,
	    &tight, &f->sql) != RC_OK || store_open(&conf, &f->st) != RC_OK ||
	    share_remote_new(f->st, &tight, 8, &f->remote) != RC_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc;

	share_remote_free(f->remote);
	store_close(f->st);
	share_store_close(f->sql);
	rc = tmpdir_fini(&f->tmp);
	free(f);
	return rc;
}

static void
visitor(struct share_visitor *out, long day, const char *net, const char *key,
    const char *network)
{
	static const unsigned char salt[SHARE_SALT_LEN] = { 7, 7, 7 };

	assert_int_equal(salted_visitor_keys(salt, sizeof(salt), day, net, key, network,
	    out), RC_OK);
}

static long long
total_of(struct fx *f, bool remote, const char *key)
{
	json_t *o = json_object();
	long long total = -1;

	assert_int_equal(remote ? share_remote_counts(f->remote, key, o, &total)
	    : share_store_counts(f->sql, key, o, &total), RC_OK);
	json_decref(o);
	return total;
}

static void
test_same_outcomes(void **state)
{
	static const struct { const char *net, *url, *network; } seq[] = {
		{ "192.0.2.0/24", "https://a.test/1", "x" },
		{ "192.0.2.0/24", "https://a.test/1", "x" },        /* seen */
		{ "192.0.2.0/24", "https://a.test/1", "facebook" },
		{ "192.0.2.0/24", "https://a.test/1", "email" },    /* capped (2 a URL) */
		{ "192.0.2.0/24", "https://a.test/2", "x" },        /* 2nd new URL */
		{ "192.0.2.0/24", "https://a.test/3", "x" },        /* new-url-limit */
		{ "198.51.100.0/24", "https://a.test/1", "email" }, /* known URL */
		{ "198.51.100.0/24", "https://a.test/3", "x" },
		{ "203.0.113.0/24", "https://a.test/4", "x" },
		{ "203.0.113.0/24", "https://a.test/4", "reddit" },
		{ "2001:db8::/56", "https://a.test/5", "x" },       /* 7th counter: full */
		{ "2001:db8::/56", "https://a.test/1", "x" },       /* existing counter */
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct share_visitor v;
		enum share_outcome a = SHARE_SEEN, b = SHARE_SEEN;
		bool queued;

		visitor(&v, 20000, seq[i].net, seq[i].url, seq[i].network);
		assert_int_equal(share_store_count(f->sql, seq[i].url, seq[i].network, &v,
		    20000, &a), RC_OK);
		assert_int_equal(share_remote_count(f->remote, seq[i].url, seq[i].network, &v,
		    20000, &b, &queued), RC_OK);
		assert_false(queued);
		if (a != b)
			fail_msg("share %zu (%s %s %s): sqlite %s, store %s", i, seq[i].net,
			    seq[i].url, seq[i].network, share_outcome_str(a), share_outcome_str(b));
	}
	for (int u = 1; u <= 5; u++) {
		char url[32];
		snprintf(url, sizeof(url), "https://a.test/%d", u);
		assert_int_equal(total_of(f, false, url), total_of(f, true, url));
	}
	assert_int_equal(total_of(f, true, "https://a.test/1"), 4);
}

/* A store that does not answer: counts wait (at most queue_max), the
 * answer says queued, and nothing is lost or counted twice here. */
static void
test_queue_while_down(void **state)
{
	struct fx *f = *state;
	struct store_conf conf = { .url = "redis://127.0.0.1:1/0", .timeout_ms = 20,
		.breaker_failures = 1, .breaker_cooldown_ms = 60000 };
	struct store *down;
	struct share_remote *r;
	struct share_visitor v;
	enum share_outcome o;
	bool queued;
	char net[32];
	json_t *n = json_object();
	long long total;

	assert_int_equal(store_open(&conf, &down), RC_OK);
	assert_int_equal(share_remote_new(down, &tight, 3, &r), RC_OK);
	for (int i = 0; i < 3; i++) {
		snprintf(net, sizeof(net), "10.0.%d.0/24", i);
		visitor(&v, 20000, net, "https://a.test/q", "x");
		assert_int_equal(share_remote_count(r, "https://a.test/q", "x", &v, 20000, &o,
		    &queued), RC_OK);
		assert_true(queued);
	}
	assert_int_equal(share_remote_queued(r), 3);
	visitor(&v, 20000, "10.0.9.0/24", "https://a.test/q", "x");
	assert_int_equal(share_remote_count(r, "https://a.test/q", "x", &v, 20000, &o, &queued),
	    RC_UNAVAILABLE);
	assert_false(queued); /* full: dropped */
	assert_int_equal(share_remote_counts(r, "https://a.test/q", n, &total), RC_UNAVAILABLE);
	json_decref(n);
	share_remote_free(r);
	store_close(down);
	(void)f;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_outcomes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_while_down, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

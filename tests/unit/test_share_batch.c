/* test_share_batch: a worker's batch of new shares — flushed by size, by
 * age, on demand and at free; repeats in and out of the batch; exact
 * counts and limits; nothing lost while the database is locked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "tests/unit/tmpdir_fixture.h"
#include "widgets/share/share_batch.h"
#include "widgets/share/share_seen.h"
#include "tests/unit/share_keys.h"

static const struct share_limits roomy = { 3, 1000, 1000000, 1000000 };

struct fx {
	struct tmpdir tmp;
	char db[128];
	struct share_store *s;
	struct share_batch *b;
	int flushed, counted, dropped, capped;
};

static void
observe(void *arg, const struct share_count *c, enum share_outcome o, bool dropped)
{
	struct fx *f = arg;

	(void)c;
	if (dropped) {
		f->dropped++;
		return;
	}
	f->flushed++;
	f->counted += o == SHARE_COUNTED;
	f->capped += o == SHARE_CAPPED;
}

static struct share_batch *
batch(struct fx *f, size_t max, long max_ms)
{
	struct share_batch *b;

	assert_int_equal(share_batch_new(&(struct share_batch_conf){ .store = f->s,
	    .max = max, .max_ms = max_ms, .hold_max = 2 * max, .observe = observe, .arg = f },
	    &b), RC_OK);
	return b;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || tmpdir_init(&f->tmp, "share-batch") != 0)
		return -1;
	tmpdir_path(&f->tmp, "share.sqlite", f->db, sizeof(f->db));
	if (share_store_open(f->db, 50, &roomy, &f->s) != RC_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc;

	share_batch_free(f->b);
	share_store_close(f->s);
	rc = tmpdir_fini(&f->tmp);
	free(f);
	return rc;
}

/* One share of URL key by visitor network `net`; returns the answer. */
static enum share_outcome
share(struct share_batch *b, const char *net, const char *key, const char *network,
    bool now)
{
	static const unsigned char salt[SHARE_SALT_LEN] = { 7 };
	struct share_visitor v;
	enum share_outcome o;

	assert_int_equal(salted_visitor_keys(salt, sizeof(salt), 100, net, key, network, &v),
	    RC_OK);
	assert_int_equal(share_batch_count(b, key, network, &v, 100, now, &o), RC_OK);
	return o;
}

static long long
total(struct fx *f, const char *key)
{
	json_t *o = json_object();
	long long t = 0;

	assert_int_equal(share_store_counts(f->s, key, o, &t), RC_OK);
	json_decref(o);
	return t;
}

static void
t_flush_by_size(void **state)
{
	struct fx *f = *state;
	char net[32];

	f->b = batch(f, 4, 60000);
	for (int i = 0; i < 3; i++) {
		snprintf(net, sizeof(net), "10.0.%d.0/24", i);
		assert_int_equal(share(f->b, net, "k", "x", false), SHARE_COUNTED);
	}
	assert_int_equal(share_batch_pending(f->b), 3);
	assert_int_equal(total(f, "k"), 0);           /* not yet in the database */
	/* A repeat of a share in the batch is seen, and not batched again. */
	assert_int_equal(share(f->b, "10.0.1.0/24", "k", "x", false), SHARE_SEEN);
	assert_int_equal(share_batch_pending(f->b), 3);
	assert_int_equal(share(f->b, "10.0.3.0/24", "k", "x", false), SHARE_COUNTED);
	assert_int_equal(share_batch_pending(f->b), 0);   /* the 4th flushed them */
	assert_int_equal(total(f, "k"), 4);
	assert_int_equal(f->flushed, 4);
	assert_int_equal(f->counted, 4);
	/* A repeat of a flushed share: idle, a read says seen; under load it
	 * is batched, and its transaction says seen (no count). */
	assert_int_equal(share(f->b, "10.0.0.0/24", "k", "x", true), SHARE_SEEN);
	assert_int_equal(share(f->b, "10.0.0.0/24", "k", "x", false), SHARE_COUNTED);
	assert_int_equal(share_batch_flush(f->b), RC_OK);
	assert_int_equal(total(f, "k"), 4);
	assert_int_equal(f->counted, 4);
	assert_int_equal(f->flushed, 5);
}

static void
t_flush_by_age(void **state)
{
	struct fx *f = *state;

	f->b = batch(f, 100, 30);
	assert_int_equal(share(f->b, "10.1.0.0/24", "k", "x", false), SHARE_COUNTED);
	assert_int_equal(share_batch_pending(f->b), 1);
	usleep(40 * 1000);
	assert_int_equal(share(f->b, "10.1.1.0/24", "k", "x", false), SHARE_COUNTED);
	assert_int_equal(share_batch_pending(f->b), 0);
	assert_int_equal(total(f, "k"), 2);
}

/* Not under load: counted at once, and the answer is the transaction's. */
static void
t_now_exact(void **state)
{
	struct fx *f = *state;

	f->b = batch(f, 100, 60000);
	assert_int_equal(share(f->b, "10.2.0.0/24", "k", "x", true), SHARE_COUNTED);
	assert_int_equal(share(f->b, "10.2.0.0/24", "k", "facebook", true), SHARE_COUNTED);
	assert_int_equal(share(f->b, "10.2.0.0/24", "k", "email", true), SHARE_COUNTED);
	/* per_url_daily is 3: the fourth network from that /24 is capped. */
	assert_int_equal(share(f->b, "10.2.0.0/24", "k", "reddit", true), SHARE_CAPPED);
	assert_int_equal(total(f, "k"), 3);
	/* Batched, the answer is the expected one; the count stays exact. */
	assert_int_equal(share(f->b, "10.2.0.0/24", "k", "vk", false), SHARE_COUNTED);
	assert_int_equal(share_batch_flush(f->b), RC_OK);
	assert_int_equal(total(f, "k"), 3);
	assert_int_equal(f->capped, 2);
}

/* At free (a clean stop) the batch is counted. */
static void
t_flush_at_free(void **state)
{
	struct fx *f = *state;
	char net[32];

	f->b = batch(f, 100, 60000);
	for (int i = 0; i < 10; i++) {
		snprintf(net, sizeof(net), "10.3.%d.0/24", i);
		share(f->b, net, "k", "x", false);
	}
	assert_int_equal(total(f, "k"), 0);
	share_batch_free(f->b);
	f->b = NULL;
	assert_int_equal(total(f, "k"), 10);
	assert_int_equal(f->dropped, 0);
}

/* Another process holds the write lock: the batch keeps its shares (up to
 * hold_max, the rest dropped and observed) and counts them afterwards. */
static void
t_locked_keeps(void **state)
{
	struct fx *f = *state;
	sqlite3 *other;
	enum share_outcome o;
	struct share_visitor v;
	char net[32];
	int kept = 0;

	f->b = batch(f, 2, 60000);
	assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 6; i++) {
		static const unsigned char salt[SHARE_SALT_LEN] = { 7 };
		snprintf(net, sizeof(net), "10.4.%d.0/24", i);
		assert_int_equal(salted_visitor_keys(salt, sizeof(salt), 100, net, "k", "x", &v),
		    RC_OK);
		if (share_batch_count(f->b, "k", "x", &v, 100, false, &o) == RC_OK)
			kept++;
	}
	assert_int_equal(kept, 4);           /* hold_max */
	assert_int_equal(f->dropped, 2);
	assert_int_equal(share_batch_pending(f->b), 4);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(share_batch_flush(f->b), RC_OK);
	assert_int_equal(total(f, "k"), 4);
}

/* The worker's memory of today's seen keys: per day, bounded, never wrong
 * about a key it did not see. */
static void
t_seen_memory(void **state)
{
	struct share_seen *m;
	unsigned char k[SHARE_VISITOR_LEN];

	(void)state;
	assert_int_equal(share_seen_new(2, &m), RC_NOMEM);
	assert_int_equal(share_seen_new(16, &m), RC_OK);
	memset(k, 1, sizeof(k));
	assert_false(share_seen_has(m, 5, k));
	share_seen_add(m, 5, k);
	assert_true(share_seen_has(m, 5, k));
	assert_false(share_seen_has(m, 6, k));     /* another day */
	/* 3/4 full empties it: it only ever forgets. */
	for (int i = 0; i < 40; i++) {
		k[0] = (unsigned char)i;
		k[8] = (unsigned char)(i * 7);
		share_seen_add(m, 5, k);
		assert_true(share_seen_has(m, 5, k));
	}
	k[0] = 200;
	assert_false(share_seen_has(m, 5, k));
	share_seen_add(m, 6, k);                    /* a new day starts empty */
	k[0] = 39;
	k[8] = (unsigned char)(39 * 7);
	assert_false(share_seen_has(m, 5, k));
	share_seen_free(m);
	share_seen_free(NULL);
	assert_false(share_seen_has(NULL, 5, k));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_flush_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(t_flush_by_age, setup, teardown),
		cmocka_unit_test_setup_teardown(t_now_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(t_flush_at_free, setup, teardown),
		cmocka_unit_test_setup_teardown(t_locked_keeps, setup, teardown),
		cmocka_unit_test(t_seen_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_refresh_share: two refreshers ("nodes", each its own cache) on one
 * local store — one fetch per source, the other takes the result, a dead
 * holder's lease blocks until it expires, the framing refuses bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/log.h"
#include "util/store.h"
#include "widgets/streams/refresh_share.h"
#include "widgets/streams/refresher.h"

#define URL_A "https://a.example/feed"

static const char rss_a[] =
	"<rss version=\"2.0\"><channel><title>A</title>"
	"<item><guid>urn:a:1</guid><link>https://a.example/1</link><title>a one</title>"
	"<pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate></item>"
	"<item><guid>urn:a:2</guid><link>https://a.example/2</link><title>a two</title>"
	"</item>"
	"</channel></rss>";

struct node {
	struct cache *cache;
	struct refresher *r;
};

static struct tmpdir T;
static struct store *ST;
static struct node N[2];
static struct stream_source SRC[1];
static struct stream_conf STREAM[1];
static struct arena *A;
static int calls;
static bool other_held_during_fetch;

static enum rc
fake_run(void *impl, struct fetch_job *jobs, size_t n, fetch_done_fn done,
    void *arg, volatile sig_atomic_t *stop)
{
	(void)impl;
	(void)stop;
	for (size_t i = 0; i < n; i++) {
		struct fetch_result *r = &jobs[i].res;
		bool held = true;
		char k[64];

		calls++;
		/* While a node fetches, nobody else gets the lease. */
		snprintf(k, sizeof(k), "refresh:lease:%s", SRC[0].key);
		assert_int_equal(store_lease(ST, k, "someone-else", 1000, &held), RC_OK);
		other_held_during_fetch = other_held_during_fetch || held;
		memset(r, 0, sizeof(*r));
		r->rc = RC_OK;
		r->http_status = 200;
		r->body = strdup(rss_a);
		r->len = strlen(rss_a);
		r->etag = strdup("\"v1\"");
		r->content_type = strdup("application/rss+xml");
		r->effective_url = strdup(jobs[i].url);
		done(&jobs[i], arg);
		fetch_result_fini(r);
	}
	return RC_OK;
}

static const struct fetch_ops fake_ops = { fake_run, NULL };
static struct fetcher FETCHER = { &fake_ops, NULL };

static enum refresh_outcome
pass(int node, bool force)
{
	struct refresh_opts o = { .force = force };
	struct refresh_report rep;

	arena_reset(A);
	calls = 0;
	assert_int_equal(refresher_pass(N[node].r, &o, A, &rep, NULL), RC_OK);
	assert_int_equal(rep.n, 1);
	return rep.entries[0].outcome;
}

static char *
slurp(int node, const char *rel)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 1 << 20);
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", cache_root(N[node].cache), rel);
	assert_non_null(buf);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Node 0 fetches; node 1 takes its result and merges the same bytes. */
static void
test_one_fetch(void **state)
{
	char *a, *b;

	(void)state;
	assert_int_equal(pass(0, false), REFRESH_UPDATED);
	assert_int_equal(calls, 1);
	assert_false(other_held_during_fetch);
	assert_int_equal(pass(1, false), REFRESH_SHARED);
	assert_int_equal(calls, 0);
	/* Again: nothing newer, not due. */
	assert_int_equal(pass(1, false), REFRESH_NOT_DUE);
	assert_int_equal(calls, 0);
	a = slurp(0, "streams/s/feed.json");
	b = slurp(1, "streams/s/feed.json");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = slurp(0, "streams/s/meta.json");
	b = slurp(1, "streams/s/meta.json");
	assert_string_equal(a, b);     /* changed_at, generated_at: the same clock */
	free(a);
	free(b);
}

/* A holder that died keeps its lease until it expires; then a node fetches. */
static void
test_dead_holder(void **state)
{
	char k[64];
	bool held;

	(void)state;
	snprintf(k, sizeof(k), "refresh:lease:%s", SRC[0].key);
	assert_int_equal(store_lease(ST, k, "dead-node", 300, &held), RC_OK);
	assert_true(held);
	assert_int_equal(pass(1, true), REFRESH_BUSY);
	assert_int_equal(calls, 0);
	usleep(1100 * 1000);   /* and a later second: attempts are in seconds */
	assert_int_equal(pass(1, true), REFRESH_UNCHANGED);
	assert_int_equal(calls, 1);
	/* Released after the fetch: anyone may take it now. */
	assert_int_equal(store_lease(ST, k, "next-node", 300, &held), RC_OK);
	assert_true(held);
	assert_int_equal(store_lease_release(ST, k, "next-node"), RC_OK);
	/* Node 0 looks for results only when the source is due for it (at the
	 * shared next_due): not yet. */
	assert_int_equal(pass(0, false), REFRESH_NOT_DUE);
	assert_int_equal(calls, 0);
}

static void
test_framing(void **state)
{
	static const struct { const char *v; enum rc rc; } cases[] = {
		{ "SHR1 2 2 2\n{}{}{}", RC_OK },
		{ "SHR1 2 0 0\n{}", RC_OK },
		{ "SHR1 0 2 2\n{}{}", RC_CORRUPT },       /* no status */
		{ "SHR1 2 2 3\n{}{}{}", RC_CORRUPT },     /* longer than the value */
		{ "SHR1 2 2 1\n{}{}{}", RC_CORRUPT },     /* shorter */
		{ "SHR1 2 2\n{}{}", RC_CORRUPT },
		{ "SHR2 2 2 2\n{}{}{}", RC_CORRUPT },
		{ "SHR1 -1 2 2\n{}{}{}", RC_CORRUPT },
		{ "SHR1 18446744073709551615 2 2\n{}{}{}", RC_CORRUPT },
		{ "SHR1 2 2 2x\n{}{}{}", RC_CORRUPT },
		{ "no newline at all", RC_CORRUPT },
		{ "", RC_CORRUPT },
	};
	const char *st, *http, *items;
	size_t sn, hn, in, vn;
	char *v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(refresh_share_unpack(cases[i].v, strlen(cases[i].v), &st, &sn,
		    &http, &hn, &items, &in), cases[i].rc);
	assert_int_equal(refresh_share_pack("{\"s\":1}", 7, "{}", 2, "[1]", 3, &v, &vn), RC_OK);
	assert_int_equal(refresh_share_unpack(v, vn, &st, &sn, &http, &hn, &items, &in), RC_OK);
	assert_int_equal(sn, 7);
	assert_memory_equal(st, "{\"s\":1}", 7);
	assert_memory_equal(http, "{}", 2);
	assert_memory_equal(items, "[1]", 3);
	free(v);
}

/* A corrupt shared value is ignored: the node fetches for itself. */
static void
test_corrupt_value(void **state)
{
	char k[64];

	(void)state;
	snprintf(k, sizeof(k), "refresh:src:%s", SRC[0].key);
	assert_int_equal(store_set(ST, k, "SHR1 9 9 9\nbroken", 18, 60), RC_OK);
	assert_int_equal(pass(1, true), REFRESH_UNCHANGED);
	assert_int_equal(calls, 1);
}

static int
setup(void **state)
{
	struct store_conf sc = { .prefix = "t:" };
	char dir[256];

	(void)state;
	log_set_level(LOG_ERROR);
	if (tmpdir_init(&T, "rshare") != 0)
		return -1;
	sc.local_dir = T.path;
	if (store_open(&sc, &ST) != RC_OK)
		return -1;
	SRC[0] = (struct stream_source){ .name = "a", .url = URL_A, .every = 900 };
	cache_source_key(URL_A, SRC[0].key);
	STREAM[0] = (struct stream_conf){ .name = "s", .sources = SRC, .nsources = 1,
	    .max_items = 200 };
	for (int i = 0; i < 2; i++) {
		struct refresher_conf rc = { .streams = STREAM, .nstreams = 1,
		    .fetcher = &FETCHER, .store = ST };
		snprintf(dir, sizeof(dir), "%s/node%d", T.path, i);
		if (cache_open(dir, 0, &N[i].cache) != RC_OK)
			return -1;
		rc.cache = N[i].cache;
		if (refresher_new(&rc, &N[i].r) != RC_OK)
			return -1;
	}
	A = arena_new(64 * 1024, 0);
	return A == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		refresher_free(N[i].r);
		cache_free(N[i].cache);
	}
	store_close(ST);
	arena_free(A);
	return tmpdir_fini(&T);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_one_fetch),
		cmocka_unit_test(test_dead_holder),
		cmocka_unit_test(test_corrupt_value),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

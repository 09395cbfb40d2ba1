/* test_refresher: passes with a fake fetcher — stale-if-error, 304s,
 * validators, scheduling, single-flight and shared sources. */
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
#include "widgets/streams/refresher.h"

#define URL_A "https://a.example/feed"
#define URL_B "https://b.example/feed"
#define URL_C "https://c.example/feed"

static const char rss_a[] =
	"<rss version=\"2.0\"><channel><title>A</title>"
	"<item><guid>urn:a:1</guid><link>https://a.example/1</link><title>a one</title>"
	"<pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate></item>"
	"<item><guid>urn:a:2</guid><link>https://a.example/2</link><title>a two</title>"
	"<pubDate>Tue, 14 Nov 2023 21:13:20 GMT</pubDate></item>"
	"</channel></rss>";
static const char rss_b[] =
	"<rss version=\"2.0\"><channel><title>B</title><ttl>180</ttl>"
	"<item><guid>urn:b:1</guid><link>https://b.example/1</link><title>b one</title>"
	"<pubDate>Tue, 14 Nov 2023 20:13:20 GMT</pubDate></item>"
	"</channel></rss>";

/* What the fake answers for one URL. */
struct canned {
	const char *url;
	enum rc rc;
	long status;
	const char *body;
	const char *etag, *cache_control, *retry_after;
	const char *error;
	const char *ctype;          /* NULL: application/rss+xml */
};

struct fake {
	struct canned answers[4];
	size_t nanswers;
	int calls;
	char seen_etag[4][64];      /* If-None-Match per URL index */
	bool seen[4];
};

static int
fake_index(struct fake *f, const char *url)
{
	for (size_t i = 0; i < f->nanswers; i++)
		if (strcmp(f->answers[i].url, url) == 0)
			return (int)i;
	return -1;
}

static char *
xdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static enum rc
fake_run(void *impl, struct fetch_job *jobs, size_t n, fetch_done_fn done,
    void *arg, volatile sig_atomic_t *stop)
{
	struct fake *f = impl;

	(void)stop;
	for (size_t i = 0; i < n; i++) {
		int k = fake_index(f, jobs[i].url);
		struct fetch_result *r = &jobs[i].res;
		const struct canned *c;

		memset(r, 0, sizeof(*r));
		f->calls++;
		assert_true(k >= 0);
		c = &f->answers[k];
		f->seen[k] = true;
		snprintf(f->seen_etag[k], sizeof(f->seen_etag[k]), "%s",
		    jobs[i].etag ? jobs[i].etag : "");
		r->rc = c->rc;
		r->http_status = c->status;
		r->not_modified = c->status == 304;
		/* Results are malloc'd: the refresher takes them over. */
		r->body = xdup(c->body);
		r->len = c->body ? strlen(c->body) : 0;
		r->etag = xdup(c->etag);
		r->cache_control = xdup(c->cache_control);
		r->retry_after = xdup(c->retry_after);
		r->content_type = xdup(c->ctype ? c->ctype : "application/rss+xml");
		r->effective_url = xdup(jobs[i].url);
		snprintf(r->error, sizeof(r->error), "%s", c->error ? c->error : "");
		r->elapsed_ms = 7;
		done(&jobs[i], arg);
		fetch_result_fini(r);
	}
	return RC_OK;
}

static const struct fetch_ops fake_ops = { fake_run, NULL };

static struct tmpdir T;
static struct fake F;
static struct fetcher FETCHER = { &fake_ops, &F };
static struct stream_source S1[2], S2[1];
static struct stream_conf STREAMS[2];
static struct cache *C;
static struct refresher *R;
static struct arena *A;

static void
answer(int i, const char *url, enum rc rc, long status, const char *body,
    const char *etag, const char *cc, const char *error)
{
	F.answers[i] = (struct canned){ url, rc, status, body, etag, cc, NULL, error,
	    NULL };
	if ((size_t)i >= F.nanswers)
		F.nanswers = (size_t)i + 1;
}

static void
pass(bool force, struct refresh_report *rep)
{
	struct refresh_opts o = { .force = force };

	memset(F.seen, 0, sizeof(F.seen));
	F.calls = 0;
	assert_int_equal(refresher_pass(R, &o, A, rep, NULL), RC_OK);
}

static const struct refresh_entry *
entry(const struct refresh_report *rep, const char *source)
{
	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->entries[i].source, source) == 0)
			return &rep->entries[i];
	fail_msg("no report entry for %s", source);
	return NULL;
}

static struct cache_status
status_of(const char *url)
{
	char key[CACHE_KEY_LEN + 1];
	struct cache_status st;

	cache_source_key(url, key);
	assert_int_equal(cache_status_load(A, cache_source_path(A, C, key, "status.json"), &st),
	    RC_OK);
	return st;
}

static size_t
stream_items(const char *name)
{
	json_t *feed;
	size_t n;

	assert_int_equal(stream_load(C, name, &feed, NULL), RC_OK);
	n = json_array_size(json_object_get(feed, "items"));
	json_decref(feed);
	return n;
}

static void
test_first_pass(void **state)
{
	struct refresh_report rep;
	long long now = (long long)time(NULL);
	struct cache_status st;

	(void)state;
	answer(0, URL_A, RC_OK, 200, rss_a, "\"e1\"", "max-age=7200", NULL);
	answer(1, URL_B, RC_UPSTREAM, 500, NULL, NULL, NULL, "HTTP 500");
	answer(2, URL_C, RC_OK, 200, rss_b, NULL, NULL, NULL);
	pass(false, &rep);
	/* URL_A is named by both streams: fetched once. */
	assert_int_equal(rep.n, 3);
	assert_int_equal(F.calls, 3);
	assert_int_equal(rep.nfetched, 3);
	assert_int_equal(rep.nfailed, 1);
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_UPDATED);
	assert_int_equal(entry(&rep, "a")->items, 2);
	assert_string_equal(entry(&rep, "a")->why, "max-age");
	assert_int_equal(entry(&rep, "b")->outcome, REFRESH_FAILED);
	assert_string_equal(entry(&rep, "b")->error, "HTTP 500");
	assert_int_equal(entry(&rep, "c")->outcome, REFRESH_UPDATED);
	assert_string_equal(entry(&rep, "c")->why, "ttl");
	assert_int_equal(rep.nchanged, 2);
	/* Statuses on disk, scheduled as the headers said. */
	st = status_of(URL_A);
	assert_true(st.next_due >= now + 7200 && st.next_due <= now + 7202);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.items, 2);
	assert_int_equal(st.http_status, 200);
	st = status_of(URL_B);
	assert_int_equal(st.failures, 1);
	assert_string_equal(st.last_error, "HTTP 500");
	assert_string_equal(st.error_code, "bad_gateway");
	assert_int_equal(st.last_success, 0);
	assert_true(st.next_due >= now + 900 && st.next_due <= now + 902);
	st = status_of(URL_C);
	assert_true(st.next_due >= now + 10800 && st.next_due <= now + 10802);
	assert_int_equal(stream_items("one"), 2);
	assert_int_equal(stream_items("two"), 3);
	/* The next pass is due when the earliest source is. */
	assert_true(rep.next_in >= 890 && rep.next_in <= 900);
}

static void
test_not_due(void **state)
{
	struct refresh_report rep;

	(void)state;
	pass(false, &rep);
	assert_int_equal(F.calls, 0);
	assert_int_equal(rep.nfetched, 0);
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_NOT_DUE);
	assert_int_equal(entry(&rep, "a")->items, 2);
	assert_int_equal(rep.nchanged, 0);
}

static void
test_conditional_and_stale(void **state)
{
	struct refresh_report rep;
	struct cache_status st;

	(void)state;
	/* The stored ETag goes out; a 304 keeps the items. */
	answer(0, URL_A, RC_OK, 304, NULL, NULL, "max-age=60", NULL);
	answer(1, URL_B, RC_OK, 200, rss_b, NULL, NULL, NULL);
	pass(true, &rep);
	assert_string_equal(F.seen_etag[0], "\"e1\"");
	assert_string_equal(F.seen_etag[1], "");
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_NOT_MODIFIED);
	assert_int_equal(entry(&rep, "a")->items, 2);
	assert_string_equal(entry(&rep, "a")->why, "every");
	assert_int_equal(entry(&rep, "b")->outcome, REFRESH_UPDATED);
	st = status_of(URL_B);
	assert_int_equal(st.failures, 0);
	assert_null(st.last_error);
	/* Stream one now holds a's two items and b's one. */
	assert_int_equal(stream_items("one"), 3);
	/* A 200 with the same items is "unchanged". */
	answer(1, URL_B, RC_OK, 200, rss_b, NULL, NULL, NULL);
	pass(true, &rep);
	assert_int_equal(entry(&rep, "b")->outcome, REFRESH_UNCHANGED);
	assert_int_equal(rep.nchanged, 0);
	/* A failure keeps the last good items (stale-if-error), and backs off. */
	answer(0, URL_A, RC_UPSTREAM, 503, NULL, NULL, NULL, "HTTP 503");
	pass(true, &rep);
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_FAILED);
	assert_int_equal(entry(&rep, "a")->items, 2);
	assert_int_equal(stream_items("one"), 3);
	pass(true, &rep);
	st = status_of(URL_A);
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.items, 2);
	assert_true(st.last_success > 0);
	assert_string_equal(entry(&rep, "a")->why, "backoff");
	/* Not a feed: a failure too, items kept. */
	answer(0, URL_A, RC_OK, 200, "<html>not a feed</html>", "\"e2\"", NULL, NULL);
	pass(true, &rep);
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_FAILED);
	assert_non_null(strstr(entry(&rep, "a")->error, "not a feed"));
	assert_int_equal(status_of(URL_A).failures, 3);
	assert_int_equal(stream_items("one"), 3);
	/* The failed 200 left the stored validators alone: the old ETag goes out. */
	answer(0, URL_A, RC_OK, 200, rss_a, "\"e3\"", NULL, NULL);
	pass(true, &rep);
	assert_string_equal(F.seen_etag[0], "\"e1\"");
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_UNCHANGED);
	assert_int_equal(status_of(URL_A).failures, 0);
}

/* Validators are only sent when the items they stand for are intact. */
static void
test_corrupt_items_refetch(void **state)
{
	char key[CACHE_KEY_LEN + 1];
	struct refresh_report rep;

	(void)state;
	cache_source_key(URL_A, key);
	assert_int_equal(truncate(cache_source_path(A, C, key, "items.json"), 30), 0);
	answer(0, URL_A, RC_OK, 200, rss_a, "\"e4\"", NULL, NULL);
	pass(true, &rep);
	assert_string_equal(F.seen_etag[0], "");
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_UPDATED);
	assert_int_equal(stream_items("two"), 3);
}

/* Single-flight: a source locked elsewhere is skipped, not fetched twice. */
static void
test_busy(void **state)
{
	char key[CACHE_KEY_LEN + 1];
	struct refresh_report rep;
	struct cache_lock l;

	(void)state;
	cache_source_key(URL_C, key);
	assert_int_equal(cache_lock(cache_source_path(A, C, key, "lock"), false, &l), RC_OK);
	pass(true, &rep);
	assert_false(F.seen[2]);
	assert_int_equal(entry(&rep, "c")->outcome, REFRESH_BUSY);
	assert_int_equal(rep.nfailed, 0);
	cache_unlock(&l);
	pass(true, &rep);
	assert_true(F.seen[2]);
}

/* A stream filter fetches only that stream's sources. */
static void
test_stream_filter(void **state)
{
	struct refresh_opts o = { .stream = "two", .force = true };
	struct refresh_report rep;

	(void)state;
	F.calls = 0;
	memset(F.seen, 0, sizeof(F.seen));
	assert_int_equal(refresher_pass(R, &o, A, &rep, NULL), RC_OK);
	assert_true(F.seen[0]);
	assert_false(F.seen[1]);
	assert_true(F.seen[2]);
	assert_int_equal(rep.n, 2);
	assert_int_equal(refresher_ensure_fresh(R, "one"), RC_OK);
}

static int
setup(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR);
	if (tmpdir_init(&T, "refresher") != 0 || cache_open(T.path, 0, &C) != RC_OK)
		return -1;
	S1[0] = (struct stream_source){ .name = "a", .url = URL_A, .every = 900 };
	S1[1] = (struct stream_source){ .name = "b", .url = URL_B, .every = 900, .market = "de" };
	S2[0] = (struct stream_source){ .name = "c", .url = URL_C, .every = 900 };
	for (int i = 0; i < 2; i++)
		cache_source_key(S1[i].url, S1[i].key);
	cache_source_key(S2[0].url, S2[0].key);
	STREAMS[0] = (struct stream_conf){ .name = "one", .sources = S1, .nsources = 2,
	    .max_items = 200 };
	/* Stream two shares URL_A (under another name) and adds c. */
	static struct stream_source two[2];
	two[0] = S1[0];
	two[0].name = "a2";
	two[1] = S2[0];
	STREAMS[1] = (struct stream_conf){ .name = "two", .sources = two, .nsources = 2,
	    .max_items = 200 };
	{
		struct refresher_conf rc = { .streams = STREAMS, .nstreams = 2, .cache = C,
		    .fetcher = &FETCHER };
		if (refresher_new(&rc, &R) != RC_OK)
			return -1;
	}
	A = arena_new(64 * 1024, 0);
	return A == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	refresher_free(R);
	cache_free(C);
	arena_free(A);
	return tmpdir_fini(&T);
}

static const struct stream_result *
result_of(const struct refresh_report *rep, const char *stream)
{
	for (size_t i = 0; i < rep->nresults; i++)
		if (strcmp(rep->results[i].sc->name, stream) == 0)
			return &rep->results[i];
	return NULL;
}

/* The merge is handed on in memory (for the publisher): the items parsed
 * in this pass, a failing source's last good items from disk, and the
 * merged stream exactly as feed.json holds it. */
static void
test_handover(void **state)
{
	static const char rss_a3[] =
		"<rss version=\"2.0\"><channel><title>A</title>"
		"<item><guid>urn:a:3</guid><link>https://a.example/3</link><title>a three</title>"
		"<pubDate>Tue, 14 Nov 2023 23:13:20 GMT</pubDate></item>"
		"<item><guid>urn:a:1</guid><link>https://a.example/1</link><title>a one</title>"
		"<pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate></item>"
		"</channel></rss>";
	const struct stream_result *r;
	struct refresh_report rep;
	json_t *feed, *items;

	(void)state;
	answer(0, URL_A, RC_OK, 200, rss_a3, NULL, NULL, NULL);
	answer(1, URL_B, RC_UPSTREAM, 503, NULL, NULL, NULL, "HTTP 503");
	answer(2, URL_C, RC_OK, 200, rss_b, NULL, NULL, NULL);
	pass(true, &rep);
	r = result_of(&rep, "one");
	assert_non_null(r);
	assert_true(r->merged);
	assert_true(r->changed);
	assert_ptr_equal(r->sc, &STREAMS[0]);
	assert_true(r->changed_at > 0);
	/* a: parsed in this pass; b: failed, its last good items. */
	assert_non_null(r->in[0].feed);
	assert_int_equal(r->in[0].feed->nitems, 2);
	assert_string_equal(r->in[0].feed->items[0].id, "urn:a:3");
	assert_non_null(r->in[1].feed);
	assert_int_equal(r->in[1].feed->nitems, 1);
	assert_string_equal(r->in[1].feed->items[0].id, "urn:b:1");
	/* The merge in memory is the one stored. */
	assert_int_equal(stream_load(C, "one", &feed, NULL), RC_OK);
	items = json_object_get(feed, "items");
	assert_int_equal(r->m.feed.nitems, json_array_size(items));
	for (size_t i = 0; i < r->m.feed.nitems; i++) {
		assert_string_equal(r->m.feed.items[i].id,
		    json_string_value(json_object_get(json_array_get(items, i), "id")));
		assert_string_equal(r->m.feed.items[i].source, json_string_value(json_object_get(
		    json_object_get(json_array_get(items, i), "_socialhub"), "source")));
	}
	json_decref(feed);
	/* A pass with nothing new merges nothing: nothing handed on. */
	answer(0, URL_A, RC_OK, 304, NULL, NULL, NULL, NULL);
	answer(2, URL_C, RC_OK, 304, NULL, NULL, NULL, NULL);
	pass(true, &rep);
	r = result_of(&rep, "one");
	assert_non_null(r);
	assert_false(r->merged);
}

/* A body repaired byte by byte: a warning in status.json, which goes
 * with the next clean body. */
static void
test_repair_warning(void **state)
{
	static const char rss_bad[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<rss version=\"2.0\"><channel><title>A</title>"
		"<item><guid>urn:a:1</guid><title>Caf\xc3\xa9 \x93" "Chef\x94</title>"
		"</item></channel></rss>";
	struct refresh_report rep;
	struct cache_status st;

	(void)state;
	answer(0, URL_A, RC_OK, 200, rss_bad, NULL, NULL, NULL);
	answer(1, URL_B, RC_OK, 304, NULL, NULL, NULL, NULL);
	answer(2, URL_C, RC_OK, 304, NULL, NULL, NULL, NULL);
	pass(true, &rep);
	assert_int_equal(entry(&rep, "a")->outcome, REFRESH_UPDATED);
	st = status_of(URL_A);
	assert_non_null(st.warning);
	assert_non_null(strstr(st.warning, "charset repaired: 2 bytes"));
	/* A 304 keeps it: the stored items are still the repaired ones. */
	answer(0, URL_A, RC_OK, 304, NULL, NULL, NULL, NULL);
	pass(true, &rep);
	assert_non_null(status_of(URL_A).warning);
	answer(0, URL_A, RC_OK, 200, rss_a, NULL, NULL, NULL);
	pass(true, &rep);
	assert_null(status_of(URL_A).warning);
}

/* A source that is a web page: its feed is remembered and fetched in its
 * place; after a day the page is read again (a changed feed is found). */
static void
test_page_feed_remembered(void **state)
{
	static const char page[] = "<!DOCTYPE html><html><head><link rel=alternate "
	    "type=application/rss+xml href=\"https://d.example/feed\"></head></html>";
	char key[CACHE_KEY_LEN + 1];
	struct refresh_report rep;
	struct cache_status st;
	const char *path;

	(void)state;
	answer(0, URL_A, RC_OK, 304, NULL, NULL, NULL, NULL);
	answer(1, URL_B, RC_OK, 304, NULL, NULL, NULL, NULL);
	answer(2, URL_C, RC_OK, 200, page, NULL, NULL, NULL);
	F.answers[2].ctype = "text/html; charset=utf-8";
	answer(3, "https://d.example/feed", RC_OK, 200, rss_b, NULL, NULL, NULL);
	pass(true, &rep);
	assert_true(F.seen[2] && F.seen[3]);
	assert_string_equal(entry(&rep, "c")->via, "https://d.example/feed");
	st = status_of(URL_C);
	assert_string_equal(st.feed_url, "https://d.example/feed");
	assert_true(st.discovered_at > 0);
	/* Remembered: the page is not read again. */
	pass(true, &rep);
	assert_false(F.seen[2]);
	assert_true(F.seen[3]);
	assert_string_equal(entry(&rep, "c")->via, "https://d.example/feed");
	/* A day on, it is. */
	st = status_of(URL_C);
	st.discovered_at -= 86400;
	cache_source_key(URL_C, key);
	path = cache_source_path(A, C, key, "status.json");
	assert_int_equal(cache_status_store(path, &st), RC_OK);
	pass(true, &rep);
	assert_true(F.seen[2] && F.seen[3]);
	assert_true(status_of(URL_C).discovered_at >= st.discovered_at + 86400);
	/* The page's URL answers a feed itself now: nothing remembered. */
	answer(2, URL_C, RC_OK, 200, rss_b, NULL, NULL, NULL);
	st = status_of(URL_C);
	st.discovered_at -= 86400;
	assert_int_equal(cache_status_store(path, &st), RC_OK);
	pass(true, &rep);
	assert_true(F.seen[2]);
	assert_false(F.seen[3]);
	assert_null(status_of(URL_C).feed_url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_pass),
		cmocka_unit_test(test_not_due),
		cmocka_unit_test(test_conditional_and_stale),
		cmocka_unit_test(test_corrupt_items_refetch),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_stream_filter),
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_repair_warning),
		cmocka_unit_test(test_page_feed_remembered),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

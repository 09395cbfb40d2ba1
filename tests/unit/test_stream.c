/* test_stream: canonical URLs, word filters, dedupe, pins, merge and store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/log.h"
#include "widgets/streams/stream.h"

#define NOW 1700000000LL

static struct arena *A;

/* ---- canonical URLs ---- */

static void
test_canonical_url(void **state)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "http://Example.COM/a", "http://example.com/a" },
		{ "HTTPS://example.com:443/a", "https://example.com/a" },
		{ "http://example.com:80/a", "http://example.com/a" },
		{ "https://example.com:80/a", "https://example.com:80/a" },
		{ "http://example.com:8080/a", "http://example.com:8080/a" },
		{ "http://example.com", "http://example.com/" },
		{ "http://example.com/a#frag", "http://example.com/a" },
		{ "http://example.com/a?utm_source=x&utm_medium=y", "http://example.com/a" },
		{ "http://example.com/a?id=1&utm_campaign=c&x=2", "http://example.com/a?id=1&x=2" },
		{ "http://example.com/a?UTM_Source=x&id=1", "http://example.com/a?id=1" },
		{ "http://example.com/a?fbclid=abc&gclid=d", "http://example.com/a" },
		{ "http://example.com/a?utm=keep", "http://example.com/a?utm=keep" },
		{ "http://example.com/a?x=1&&y=2", "http://example.com/a?x=1&y=2" },
		{ "http://user:pw@example.com/a", "http://example.com/a" },
		{ "http://example.com/Path/Case", "http://example.com/Path/Case" },
	};
	static const char *const bad[] = {
		"", "/relative/path", "mailto:a@b.c", "javascript:alert(1)",
		"ftp://example.com/x", "http://", "http://exa mple.com/",
	};
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(stream_canonical_url(A, ok[i].in, &out), RC_OK);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(stream_canonical_url(A, bad[i], &out), RC_INVALID);
	assert_int_equal(stream_canonical_url(A, NULL, &out), RC_INVALID);
}

/* ---- words ---- */

static void
test_words(void **state)
{
	static const struct { const char *text, *word; bool match; } cases[] = {
		{ "Win a GIVEAWAY today", "giveaway", true },
		{ "giveaways galore", "giveaway", false },
		{ "giveaways galore", "giveaway*", true },
		{ "a classic", "ass", false },
		{ "kick ass", "ass", true },
		{ "ass.", "ass", true },
		{ "free gift inside", "free gift", true },
		{ "freegift", "free gift", false },
		{ "big #Sale now", "#sale", true },
		{ "big#sale now", "#sale", true },
		{ "cafébar", "caf", false },
		{ "", "x", false },
		{ "x", "", false },
		{ "under_score", "under", false },
		{ "snake-case", "snake", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *w[1] = { cases[i].word };
		if (stream_words_match(cases[i].text, w, 1) != cases[i].match)
			fail_msg("\"%s\" vs \"%s\": expected %d", cases[i].text, cases[i].word,
			    cases[i].match);
	}
	{
		const char *w[3] = { "nope", "none", "today" };
		assert_true(stream_words_match("see you today", w, 3));
		assert_false(stream_words_match("see you tomorrow", w, 3));
		assert_false(stream_words_match(NULL, w, 3));
		assert_false(stream_words_match("today", w, 0));
	}
}

static void
test_item_text(void **state)
{
	struct feed_item it = {
		.title = "Title", .summary = "Sum",
		.content_html = "<p class=\"giveaway\">Tom &amp; <b>Jerry</b></p>",
	};
	const char *w1[1] = { "giveaway" }, *w2[1] = { "tom & jerry" };
	char *t = stream_item_text(A, &it);

	(void)state;
	assert_non_null(t);
	assert_non_null(strstr(t, "Title"));
	assert_non_null(strstr(t, "Sum"));
	assert_null(strstr(t, "class"));
	/* Attributes are not text; entities are. */
	assert_false(stream_words_match(t, w1, 1));
	/* Tags and runs of spaces collapse to one space. */
	assert_true(stream_words_match(t, w2, 1));
}

/* ---- merge ---- */

static struct feed_item
item(const char *id, const char *url, const char *title, long long published)
{
	struct feed_item it = { 0 };

	it.id = (char *)id;
	it.url = (char *)url;
	it.title = (char *)title;
	it.published = published;
	return it;
}

static struct feed *
feed_of(const struct feed_item *items, size_t n)
{
	struct feed *f = arena_calloc(A, 1, sizeof(*f));

	f->items = arena_memdup(A, items, n * sizeof(*items));
	f->nitems = n;
	return f;
}

static struct stream_source src_a = { .name = "a", .url = "http://a.test/feed", .market = "de" };
static struct stream_source src_b = { .name = "b", .url = "http://b.test/feed" };

static struct stream_conf
conf(void)
{
	static struct stream_source sources[2];
	struct stream_conf sc = { .name = "s", .title = "S", .max_items = 200 };

	sources[0] = src_a;
	sources[1] = src_b;
	sc.sources = sources;
	sc.nsources = 2;
	return sc;
}

static const char *
ids(const struct stream_merged *m)
{
	static char out[1024];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < m->feed.nitems; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "",
		    m->feed.items[i].id ? m->feed.items[i].id : "-");
	return out;
}

static void
merge2(const struct stream_conf *sc, struct feed *fa, struct feed *fb,
    const struct feed *prev, struct stream_merged *m)
{
	struct stream_input in[2] = { { &sc->sources[0], fa, NULL }, { &sc->sources[1], fb, NULL } };

	assert_int_equal(stream_merge(A, sc, in, 2, prev, NULL, NOW, m), RC_OK);
}

static void
test_merge_sort_and_tags(void **state)
{
	struct feed_item a[] = {
		item("urn:a1", "http://a.test/1", "a1", NOW - 100),
		item("urn:a2", "http://a.test/2", "a2", NOW - 300),
	};
	struct feed_item b[] = {
		item("urn:b1", "http://b.test/1", "b1", NOW - 200),
		item("urn:b2", "http://b.test/2", "b2", NOW + 86400 * 365), /* future */
	};
	struct stream_conf sc = conf();
	struct stream_merged m;

	(void)state;
	merge2(&sc, feed_of(a, 2), feed_of(b, 2), NULL, &m);
	/* The future date counts as now, so it is first but not forever. */
	assert_string_equal(ids(&m), "urn:b2 urn:a1 urn:b1 urn:a2");
	assert_string_equal(m.feed.items[1].source, "a");
	assert_string_equal(m.feed.items[1].market, "de");
	assert_string_equal(m.feed.items[2].source, "b");
	assert_null(m.feed.items[2].market);
	assert_string_equal(m.feed.title, "S");
	assert_int_equal(m.feed.format, FEED_JSON11);
	assert_int_equal(m.npinned, 0);
	/* A source without items yet contributes nothing. */
	merge2(&sc, feed_of(a, 2), NULL, NULL, &m);
	assert_string_equal(ids(&m), "urn:a1 urn:a2");
	merge2(&sc, NULL, NULL, NULL, &m);
	assert_int_equal(m.feed.nitems, 0);
}

static void
test_merge_dedupe(void **state)
{
	struct feed_item a[] = {
		item("urn:x", "http://site.test/post?utm_source=a", "x from a", NOW - 10),
		item("1", "http://a.test/one", "short id a", NOW - 20),
		item("tag:site,2024:99", "http://a.test/99", "same id", NOW - 30),
	};
	struct feed_item b[] = {
		item("urn:y", "HTTP://SITE.test:80/post#c", "x from b", NOW - 5),
		item("1", "http://b.test/one", "short id b", NOW - 25),
		item("tag:site,2024:99", "http://b.test/other", "same id b", NOW - 40),
	};
	struct stream_conf sc = conf();
	struct stream_merged m;

	(void)state;
	merge2(&sc, feed_of(a, 3), feed_of(b, 3), NULL, &m);
	/* Same canonical URL: the newer copy wins. Short ids stay per source.
	 * Same global id: one copy. */
	assert_string_equal(ids(&m), "urn:y 1 1 tag:site,2024:99");
	assert_string_equal(m.feed.items[1].source, "a");
	assert_string_equal(m.feed.items[2].source, "b");
	assert_string_equal(m.feed.items[3].source, "a");
	assert_int_equal(m.nduplicates, 2);
}

/* A feed repeating one GUID: a true repeat is dropped, distinct items stay. */
static void
test_merge_repeated_guid(void **state)
{
	struct feed_item a[] = {
		item("same", "http://a.test/1", "one", NOW - 10),
		item("same", "http://a.test/1", "one again", NOW - 11),
		item("same", "http://a.test/2", "two", NOW - 12),
		item("same", "http://a.test/3", "three", NOW - 13),
		item(NULL, "http://a.test/4", "no id", NOW - 14),
	};
	struct stream_conf sc = conf();
	struct stream_merged m, m2;

	(void)state;
	merge2(&sc, feed_of(a, 5), NULL, NULL, &m);
	assert_int_equal(m.feed.nitems, 4);
	assert_string_equal(m.feed.items[0].id, "same");
	assert_string_equal(m.feed.items[0].title, "one");
	assert_true(strncmp(m.feed.items[1].id, "same#", 5) == 0);
	assert_true(strncmp(m.feed.items[2].id, "same#", 5) == 0);
	assert_string_not_equal(m.feed.items[1].id, m.feed.items[2].id);
	assert_null(m.feed.items[3].id);
	/* The salt is stable: the same feed gives the same ids. */
	merge2(&sc, feed_of(a, 5), NULL, NULL, &m2);
	assert_string_equal(m.feed.items[1].id, m2.feed.items[1].id);
	/* Repeated GUIDs without URLs are told apart by title. */
	{
		struct feed_item c[] = {
			item("g", NULL, "first", NOW - 1), item("g", NULL, "second", NOW - 2),
			item("g", NULL, "first", NOW - 3),
		};
		merge2(&sc, feed_of(c, 3), NULL, NULL, &m);
		assert_int_equal(m.feed.nitems, 2);
	}
}

static void
test_merge_filters(void **state)
{
	struct feed_item a[] = {
		item("urn:1", "http://a.test/1", "Big GIVEAWAY", NOW - 1),
		item("urn:2", "http://a.test/2", "Product news", NOW - 2),
		item("urn:3", "http://a.test/3", "More news", NOW - 3),
		item("urn:4", "http://a.test/4", "Weather", NOW - 4),
	};
	const char *exclude[] = { "giveaway" }, *include[] = { "news", "giveaway" };
	const char *hide[] = { "urn:3", "http://A.test/4?utm_medium=x" };
	struct stream_conf sc = conf();
	struct stream_merged m;

	(void)state;
	sc.exclude = exclude;
	sc.nexclude = 1;
	merge2(&sc, feed_of(a, 4), NULL, NULL, &m);
	assert_string_equal(ids(&m), "urn:2 urn:3 urn:4");
	assert_int_equal(m.nfiltered, 1);
	sc.include = include;
	sc.ninclude = 2;
	merge2(&sc, feed_of(a, 4), NULL, NULL, &m);
	assert_string_equal(ids(&m), "urn:2 urn:3");   /* exclude beats include */
	sc.nexclude = 0;
	sc.ninclude = 0;
	sc.hide = hide;
	sc.nhide = 2;
	merge2(&sc, feed_of(a, 4), NULL, NULL, &m);
	assert_string_equal(ids(&m), "urn:1 urn:2");
	/* Content counts, not only the title. */
	{
		struct feed_item c[] = { item("urn:c", NULL, "Plain", NOW) };
		c[0].content_html = "<p>a giveaway inside</p>";
		sc.nhide = 0;
		sc.nexclude = 1;
		merge2(&sc, feed_of(c, 1), NULL, NULL, &m);
		assert_int_equal(m.feed.nitems, 0);
	}
}

static void
test_merge_pins_and_cap(void **state)
{
	struct feed_item a[] = {
		item("urn:1", "http://a.test/1", "1", NOW - 1),
		item("urn:2", "http://a.test/2", "2", NOW - 2),
		item("urn:3", "http://a.test/3", "3", NOW - 3),
		item("urn:4", "http://a.test/4", "4", NOW - 4),
	};
	struct feed_item old[] = { item("urn:gone", "http://a.test/gone", "gone", NOW - 999) };
	const char *pin[] = { "http://a.test/4#x", "urn:gone", "urn:3" };
	struct stream_conf sc = conf();
	struct stream_merged m;

	(void)state;
	sc.pin = pin;
	sc.npin = 3;
	merge2(&sc, feed_of(a, 4), NULL, NULL, &m);
	assert_string_equal(ids(&m), "urn:4 urn:3 urn:1 urn:2");
	assert_int_equal(m.npinned, 2);
	/* A pinned item no source carries any more comes from the last merge. */
	merge2(&sc, feed_of(a, 4), NULL, feed_of(old, 1), &m);
	assert_string_equal(ids(&m), "urn:4 urn:gone urn:3 urn:1 urn:2");
	assert_int_equal(m.npinned, 3);
	/* max_items cuts after the pins. */
	sc.max_items = 3;
	merge2(&sc, feed_of(a, 4), NULL, feed_of(old, 1), &m);
	assert_string_equal(ids(&m), "urn:4 urn:gone urn:3");
	sc.max_items = 1;
	sc.npin = 0;
	merge2(&sc, feed_of(a, 4), NULL, NULL, &m);
	assert_string_equal(ids(&m), "urn:1");
}

/* Merging a lot of items stays correct (hash set growth, sort). */
static void
test_merge_many(void **state)
{
	enum { N = 5000 };
	struct feed_item *a = arena_calloc(A, N, sizeof(*a));
	struct feed_item *b = arena_calloc(A, N, sizeof(*b));
	struct stream_conf sc = conf();
	struct stream_merged m;

	(void)state;
	for (int i = 0; i < N; i++) {
		a[i] = item(arena_printf(A, "urn:a:%d", i), arena_printf(A, "http://x.test/%d", i),
		    "t", NOW - i);
		/* b repeats every other item of a under another id (same URL). */
		b[i] = item(arena_printf(A, "urn:b:%d", i), arena_printf(A, "http://x.test/%d",
		    i % 2 ? i : N + i), "t", NOW - i);
	}
	sc.max_items = STREAM_MAX_ITEMS_LIMIT;
	merge2(&sc, feed_of(a, N), feed_of(b, N), NULL, &m);
	assert_int_equal(m.feed.nitems, N + N / 2);
	assert_int_equal(m.nduplicates, N / 2);
	for (size_t i = 1; i < m.feed.nitems; i++)
		assert_true(m.feed.items[i - 1].published >= m.feed.items[i].published);
}

/* ---- rebuild on disk ---- */

static void
put_items(const struct cache *c, const struct stream_source *s, struct feed *f)
{
	struct arena *a = arena_new(1024, 0);
	char *p = cache_source_path(a, c, s->key, NULL);
	json_t *j = feed_to_json(f);

	assert_int_equal(cache_mkdir(p), RC_OK);
	assert_int_equal(cache_write_json(cache_source_path(a, c, s->key, "items.json"), j),
	    RC_OK);
	json_decref(j);
	arena_free(a);
}

static void
test_rebuild(void **state)
{
	struct feed_item a[] = { item("urn:1", "http://a.test/1", "one", NOW - 1) };
	struct feed_item b[] = { item("urn:2", "http://b.test/2", "two", NOW - 2) };
	struct stream_conf sc = conf();
	const char *ex[] = { "two" };
	struct tmpdir t;
	json_t *feed, *meta;
	struct cache *c;
	bool changed;

	(void)state;
	assert_int_equal(tmpdir_init(&t, "stream"), 0);
	assert_int_equal(cache_open(t.path, 0, &c), RC_OK);
	cache_source_key(sc.sources[0].url, sc.sources[0].key);
	cache_source_key(sc.sources[1].url, sc.sources[1].key);
	assert_int_equal(stream_load(c, "s", &feed, &meta), RC_NOTFOUND);
	/* Nothing fetched yet: an empty stream is still written. */
	assert_int_equal(stream_rebuild(c, &sc, NULL, NOW, false, &changed), RC_OK);
	assert_true(changed);
	put_items(c, &sc.sources[0], feed_of(a, 1));
	assert_int_equal(stream_rebuild(c, &sc, NULL, NOW, false, &changed), RC_OK);
	assert_true(changed);
	/* Same inputs: nothing to do. */
	assert_int_equal(stream_rebuild(c, &sc, NULL, NOW + 5, false, &changed), RC_OK);
	assert_false(changed);
	put_items(c, &sc.sources[1], feed_of(b, 1));
	assert_int_equal(stream_rebuild(c, &sc, NULL, NOW + 10, false, &changed), RC_OK);
	assert_true(changed);
	assert_int_equal(stream_load(c, "s", &feed, &meta), RC_OK);
	assert_int_equal(json_array_size(json_object_get(feed, "items")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(feed, "items"), 0), "_socialhub"), "source")), "a");
	assert_int_equal(json_integer_value(json_object_get(meta, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(meta, "changed_at")), NOW + 10);
	assert_int_equal(json_array_size(json_object_get(meta, "sources")), 2);
	json_decref(feed);
	json_decref(meta);
	/* A config change (a new exclude word) re-merges without new items. */
	{
		sc.exclude = ex;
		sc.nexclude = 1;
		assert_int_equal(stream_rebuild(c, &sc, NULL, NOW + 20, false, &changed), RC_OK);
		assert_true(changed);
		assert_int_equal(stream_load(c, "s", &feed, NULL), RC_OK);
		assert_int_equal(json_array_size(json_object_get(feed, "items")), 1);
		json_decref(feed);
	}
	/* A damaged feed.json is rewritten even though nothing changed. */
	{
		char *p = cache_stream_path(A, c, "s", "feed.json");
		assert_int_equal(truncate(p, 10), 0);
		assert_int_equal(stream_load(c, "s", &feed, NULL), RC_NOTFOUND);
		assert_int_equal(stream_rebuild(c, &sc, NULL, NOW + 30, true, &changed), RC_OK);
		assert_false(changed);
		assert_int_equal(stream_load(c, "s", &feed, NULL), RC_OK);
		json_decref(feed);
	}
	cache_free(c);
	assert_int_equal(tmpdir_fini(&t), 0);
}

static int
setup(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR);
	A = arena_new(64 * 1024, 0);
	return A == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_url),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_item_text),
		cmocka_unit_test(test_merge_sort_and_tags),
		cmocka_unit_test(test_merge_dedupe),
		cmocka_unit_test(test_merge_repeated_guid),
		cmocka_unit_test(test_merge_filters),
		cmocka_unit_test(test_merge_pins_and_cap),
		cmocka_unit_test(test_merge_many),
		cmocka_unit_test(test_rebuild),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

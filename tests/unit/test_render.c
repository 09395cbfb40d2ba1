/* test_render: preparation, page selection and cursors, URLs, dates, kinds,
 * networks and excerpts shared by the renderers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "widgets/feeds/feed.h"
#include "widgets/media.h"
#include "widgets/render.h"
#include "widgets/render_common.h"
#include "render_fixture.h"

/* True when s is NULL or our own media URL. */
static bool
proxied(const char *s)
{
	size_t n = strlen(FIXTURE_BASE "/media/");

	return s == NULL || (strncmp(s, FIXTURE_BASE "/media/", n) == 0 && media_id_valid(s + n));
}

static void
test_prepare(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 3);

	(void)state;
	assert_int_equal(f->nitems, FIX_COUNT + 3);
	for (size_t i = 0; i < f->nitems; i++) {
		const struct feed_item *it = &f->items[i];
		const char *s;
		assert_true(proxied(it->image));
		assert_true(proxied(it->banner_image));
		for (size_t k = 0; k < it->nauthors; k++) {
			assert_true(proxied(it->authors[k].avatar));
			assert_true(it->authors[k].url == NULL || render_link_ok(it->authors[k].url));
		}
		for (size_t k = 0; k < it->nattachments; k++) {
			assert_true(render_link_ok(it->attachments[k].url));
			if (media_attachment_is_image(&it->attachments[k]))
				assert_true(proxied(it->attachments[k].url));
		}
		assert_true(it->url == NULL || render_link_ok(it->url));
		assert_true(it->external_url == NULL || render_link_ok(it->external_url));
		/* Every <img src> in content points at the proxy. */
		for (s = it->content_html; s != NULL && (s = strstr(s, "src=\"")) != NULL; s += 5)
			assert_int_equal(strncmp(s + 5, FIXTURE_BASE "/media/",
			    strlen(FIXTURE_BASE "/media/")), 0);
	}
	/* The hostile item lost its javascript: and data: links. */
	assert_null(f->items[FIX_HOSTILE].url);
	assert_null(f->items[FIX_HOSTILE].external_url);
	assert_null(f->items[FIX_HOSTILE].authors[0].url);
	assert_int_equal(f->items[FIX_HOSTILE].nattachments, 1);
	/* Mapping is the documented id scheme. */
	{
		char id[MEDIA_ID_LEN + 1];
		media_id_for_url("https://i.ytimg.example/vi/abc123/hqdefault.jpg", id);
		assert_string_equal(f->items[FIX_YOUTUBE].image,
		    arena_printf(a, "%s/media/%s", FIXTURE_BASE, id));
	}
	arena_free(a);
}

/* Sets q's `before` to the cursor s, parsed as the router does. */
static void
before(struct arena *a, struct render_query *q, const char *s)
{
	struct render_before *at = arena_alloc(a, sizeof(*at));

	assert_non_null(at);
	q->before = arena_strdup(a, s);
	assert_int_equal(render_before_parse(a, q->before, at), RC_OK);
	q->cursor = at;
}

/* Walks the whole stream page by page; returns the ids in order. */
static size_t
walk(struct arena *a, const struct feed *f, struct render_query q,
    const char **ids, size_t max)
{
	size_t total = 0;
	char *cursor = NULL;

	for (int pages = 0; pages < 1000; pages++) {
		const struct feed_item **items;
		size_t n;
		bool more;
		struct buf b;
		q.before = NULL;
		q.cursor = NULL;
		if (cursor != NULL)
			before(a, &q, cursor);
		assert_int_equal(render_select(a, f, &q, &items, &n, &more), RC_OK);
		assert_true(n <= (size_t)q.limit);
		for (size_t i = 0; i < n && total < max; i++)
			ids[total++] = items[i]->id;
		if (!more)
			return total;
		assert_int_equal(n, (size_t)q.limit);
		buf_init(&b, RENDER_CURSOR_MAX);
		assert_int_equal(render_cursor(&b, items[n - 1]), RC_OK);
		cursor = arena_strdup(a, buf_cstr(&b));
		buf_fini(&b);
	}
	fail_msg("paging does not end");
	return 0;
}

static void
test_paging(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_feed(a, 57);
	const char *ids[200];
	struct render_query q = { .limit = 7 };
	size_t n;

	(void)state;
	/* Unfiltered: every item once, in stream order. */
	n = walk(a, f, q, ids, 200);
	assert_int_equal(n, f->nitems);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(ids[i], f->items[i].id);
	/* Limit 1 and the maximum. */
	q.limit = 1;
	assert_int_equal(walk(a, f, q, ids, 200), f->nitems);
	q.limit = RENDER_LIMIT_MAX;
	assert_int_equal(walk(a, f, q, ids, 200), f->nitems);
	/* Filtered by source: only "a" items, all of them, in order. */
	q.limit = 5;
	q.source = "a";
	n = walk(a, f, q, ids, 200);
	assert_int_equal(n, 29);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(ids[i], arena_printf(a, "item-%zu", 2 * i));
	/* Tag (case-insensitive, '#' ignored) and market. */
	q.source = NULL;
	q.tag = "#EVEN3";
	assert_int_equal(walk(a, f, q, ids, 200), 19);
	q.tag = "launch";
	n = walk(a, f, q, ids, 200);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], f->items[FIX_MASTODON].id);
	assert_string_equal(ids[1], f->items[FIX_BLOG].id);
	q.tag = NULL;
	q.market = "de";
	assert_int_equal(walk(a, f, q, ids, 200), 1);
	q.market = "fr";
	assert_int_equal(walk(a, f, q, ids, 200), 0);
	arena_free(a);
}

/* A cursor whose item left the stream continues without repeats. */
static void
test_cursor_gone(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_feed(a, 20);
	struct render_query q = { .limit = 3 };
	const struct feed_item **items;
	size_t n;
	bool more;
	struct buf b;

	(void)state;
	buf_init(&b, RENDER_CURSOR_MAX);
	assert_int_equal(render_cursor(&b, &f->items[10]), RC_OK);
	before(a, &q, buf_cstr(&b));
	buf_fini(&b);
	assert_int_equal(render_select(a, f, &q, &items, &n, &more), RC_OK);
	assert_string_equal(items[0]->id, f->items[11].id);
	/* Remove item 10: the walk continues after the last one as new. */
	memmove(&f->items[10], &f->items[11], (f->nitems - 11) * sizeof(f->items[0]));
	f->nitems--;
	assert_int_equal(render_select(a, f, &q, &items, &n, &more), RC_OK);
	assert_true(items[0]->published < FIXTURE_NOW);
	for (size_t i = 0; i < 10; i++)
		assert_string_not_equal(items[0]->id, f->items[i].id);
	arena_free(a);
}

static void
test_cursor_long_id(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_feed(a, 4);
	struct render_query q = { .limit = 2 };
	const struct feed_item **items;
	char longid[1200];
	size_t n;
	bool more;
	struct buf b;

	(void)state;
	memset(longid, 'i', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	f->items[2].id = longid;
	buf_init(&b, RENDER_CURSOR_MAX);
	assert_int_equal(render_cursor(&b, &f->items[2]), RC_OK);
	assert_true(b.len <= RENDER_CURSOR_MAX);
	before(a, &q, buf_cstr(&b));
	buf_fini(&b);
	assert_int_equal(render_select(a, f, &q, &items, &n, &more), RC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0]->id, f->items[3].id);
	arena_free(a);
}

static void
test_cursor_invalid(void **state)
{
	static const char *const bad[] = {
		"!!!", "AAAA=", "MTIz",              /* "123": no newline */
		"eAp4",                              /* "x\nx": no number */
		"MTIzCg",                            /* "123\n": no kind */
		"MTIzClhh",                          /* "123\nXa": unknown kind */
		"MTIzCkhhYmM",                       /* "123\nHabc": short hash */
		"MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5Cklh", /* overflow */
		"MQBJYQ",                            /* NUL inside */
	};
	struct arena *a = arena_new(4096, 0);
	struct render_before at;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (render_before_parse(a, bad[i], &at) != RC_INVALID)
			fail_msg("cursor %s accepted", bad[i]);
	arena_free(a);
}

static void
test_page_url(void **state)
{
	static const struct {
		enum render_format f;
		struct render_query q;
		const char *before, *want;
	} cases[] = {
		{ RENDER_JSON, { .limit = 20 }, NULL, FIXTURE_BASE "/streams/brand.json" },
		{ RENDER_AS2, { .limit = 20 }, NULL, FIXTURE_BASE "/streams/brand.as2" },
		{ RENDER_ATOM, { .limit = 5 }, "Ab_-", FIXTURE_BASE "/streams/brand.atom?limit=5&before=Ab_-" },
		{ RENDER_HTML, { .limit = 20, .layout = RENDER_GRID }, NULL,
		  FIXTURE_BASE "/streams/brand.html?layout=grid" },
		{ RENDER_HTML, { .limit = 20, .layout = RENDER_LIST }, NULL,
		  FIXTURE_BASE "/streams/brand.html" },
		{ RENDER_JSON, { .limit = 20, .layout = RENDER_GRID }, NULL,
		  FIXTURE_BASE "/streams/brand.json" },
		{ RENDER_JSON, { .limit = 9, .source = "blog", .tag = "a b&c", .market = "de" }, "x",
		  FIXTURE_BASE "/streams/brand.json?limit=9&source=blog&tag=a%20b%26c&market=de&before=x" },
	};
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_clear(&b);
		assert_int_equal(render_page_url(&b, &fixture_site, "brand", cases[i].f,
		    &cases[i].q, cases[i].before), RC_OK);
		assert_string_equal(buf_cstr(&b), cases[i].want);
	}
	buf_fini(&b);
}

static void
test_dates(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(render_rfc3339(&b, FIXTURE_NOW), RC_OK);
	assert_string_equal(buf_cstr(&b), "2026-01-01T00:00:00Z");
	buf_clear(&b);
	assert_int_equal(render_rfc3339(&b, 951782400 + 86399), RC_OK);   /* leap day */
	assert_string_equal(buf_cstr(&b), "2000-02-29T23:59:59Z");
	buf_clear(&b);
	assert_int_equal(render_rfc3339(&b, -5), RC_OK);
	assert_string_equal(buf_cstr(&b), "1970-01-01T00:00:00Z");
	buf_clear(&b);
	buf_fini(&b);
}

static void
test_kind(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_feed(a, 0);
	struct feed_item it = { 0 };
	struct feed_attachment vid = { .url = "https://v.example/a.mp4", .mime_type = "video/mp4" };
	struct feed_attachment pic = { .url = "https://v.example/a.png", .mime_type = "image/png" };

	(void)state;
	assert_int_equal(render_item_kind(&f->items[FIX_MASTODON]), RENDER_NOTE);
	assert_int_equal(render_item_kind(&f->items[FIX_YOUTUBE]), RENDER_VIDEO);
	assert_int_equal(render_item_kind(&f->items[FIX_BLOG]), RENDER_ARTICLE);
	assert_int_equal(render_item_kind(&f->items[FIX_BLUESKY]), RENDER_NOTE);
	assert_int_equal(render_item_kind(&it), RENDER_NOTE);
	/* A title that is just the start of the text is a Note. */
	it.title = "Hello world, this is\xe2\x80\xa6";
	it.content_html = "<p>Hello world, this is a longer post.</p>";
	assert_int_equal(render_item_kind(&it), RENDER_NOTE);
	it.title = "Something else";
	assert_int_equal(render_item_kind(&it), RENDER_ARTICLE);
	/* An image with next to no text. */
	it.title = NULL;
	it.content_html = "<p>Look</p>";
	it.attachments = &pic;
	it.nattachments = 1;
	assert_int_equal(render_item_kind(&it), RENDER_IMAGE);
	it.attachments = &vid;
	assert_int_equal(render_item_kind(&it), RENDER_VIDEO);
	it.attachments = NULL;
	it.nattachments = 0;
	/* PeerTube's path on a page with no video is that site's own. */
	it.url = "https://blog.example/videos/watch/123";
	assert_int_equal(render_item_kind(&it), RENDER_NOTE);
	it.external_url = "https://peertube.example/videos/watch/123";
	assert_int_equal(render_item_kind(&it), RENDER_NOTE);
	it.external_url = "https://vimeo.com/123";
	assert_int_equal(render_item_kind(&it), RENDER_VIDEO);
	it.external_url = NULL;
	assert_string_equal(render_kind_name(RENDER_ARTICLE), "Article");
	assert_string_equal(render_kind_name(RENDER_IMAGE), "Image");
	arena_free(a);
}

/* A PeerTube feed as PeerTube writes it: the videos are media of type
 * video/mp4 (in media:group, or a bare media:content with medium="video"),
 * next to a torrent enclosure. */
static void
test_kind_peertube(void **state)
{
	static const char feed[] =
	    "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\">"
	    "<channel><title>V</title><link>https://tube.example/</link>"
	    "<item><title>A talk</title>"
	    "<link>https://tube.example/videos/watch/9c9de5e8</link>"
	    "<description>A talk about things</description>"
	    "<enclosure url=\"https://tube.example/t/x.torrent\" "
	    "type=\"application/x-bittorrent\" length=\"100\"/>"
	    "<media:group><media:content url=\"https://tube.example/x-1080.mp4\" "
	    "type=\"video/mp4\" medium=\"video\"/></media:group></item>"
	    "<item><title>B</title><link>https://tube.example/w/abc</link>"
	    "<media:content url=\"https://tube.example/y.mp4\" medium=\"video\"/>"
	    "</item>"
	    "<item><title>Not a video</title>"
	    "<link>https://tube.example/videos/watch/text-only</link>"
	    "<description>Just words.</description></item>"
	    "</channel></rss>";
	struct arena *a = arena_new(64 * 1024, 0);
	struct feed_parse_opts o = { 0 };
	struct feed f;

	(void)state;
	assert_int_equal(feed_parse(a, feed, sizeof(feed) - 1, &o, &f), RC_OK);
	assert_int_equal(f.nitems, 3);
	assert_int_equal(render_item_kind(&f.items[0]), RENDER_VIDEO);
	assert_int_equal(render_item_kind(&f.items[1]), RENDER_VIDEO);
	assert_int_equal(render_item_kind(&f.items[2]), RENDER_ARTICLE);
	arena_free(a);
}

static void
test_network(void **state)
{
	static const struct { const char *url, *id; } cases[] = {
		{ "https://www.youtube.com/watch?v=1", "youtube" },
		{ "https://m.youtube.com/watch?v=1", "youtube" },
		{ "https://youtu.be/1", "youtube" },
		{ "https://bsky.app/profile/a/post/1", "bluesky" },
		{ "https://mastodon.social/@brand/1", "mastodon" },
		{ "https://social.example/users/brand/statuses/1", "mastodon" },
		{ "https://social.example/@brand/110201?x=1", "mastodon" },
		/* The same path shapes on other sites are theirs. */
		{ "https://medium.example/@brand/my-post-3f2a1b", "web" },
		{ "https://medium.example/@brand", "web" },
		{ "https://blog.example/users/brand", "web" },
		{ "https://blog.example/users/brand/statuses/x1", "web" },
		{ "https://blog.example/@/1", "web" },
		{ "https://github.com/a/b/releases", "github" },
		{ "https://old.reddit.com/r/x", "reddit" },
		{ "https://evil-youtube.com/watch", "web" },
		{ "https://youtube.com.evil.example/", "web" },
		{ "https://user@youtube.com:443/x", "youtube" },
		{ "https://blog.example/posts/1", "web" },
		{ "not a url", "web" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(render_network_of(cases[i].url).id, cases[i].id);
	assert_string_equal(render_network_of(NULL).id, "web");
	assert_string_equal(render_network_of("https://bsky.app/").label, "Bluesky");
}

static void
test_excerpt(void **state)
{
	static const struct {
		struct feed_item it;
		size_t max;
		const char *want;
	} cases[] = {
		{ { .title = "  A   title\n" }, 100, "A title" },
		{ { .summary = "Sum" , .content_text = "Text" }, 100, "Sum" },
		{ { .content_text = "Only text" }, 100, "Only text" },
		{ { .content_html = "<p>One &amp; two</p><p>three&nbsp;&#x1F600;&#233;</p>" }, 100,
		  "One & two three \xf0\x9f\x98\x80\xc3\xa9" },
		{ { .content_html = "a<br>b<b>c</b> &bogus; &#0; &#xD800;" }, 100,
		  "a bc &bogus; &#0; \xef\xbf\xbd" },
		{ { .content_text = "word word word word word" }, 12, "word word\xe2\x80\xa6" },
		{ { .content_text = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" }, 5,
		  "\xc3\xa9\xc3\xa9\xe2\x80\xa6" },
		{ { 0 }, 100, "" },
	};
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_clear(&b);
		assert_int_equal(render_excerpt(&b, &cases[i].it, cases[i].max), RC_OK);
		if (strcmp(buf_cstr(&b), cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, buf_cstr(&b), cases[i].want);
	}
	/* The text excerpt skips the title. */
	buf_clear(&b);
	assert_int_equal(render_text_excerpt(&b, &(struct feed_item){ .title = "T",
	    .content_text = "body" }, 100), RC_OK);
	assert_string_equal(buf_cstr(&b), "body");
	buf_fini(&b);
}

static void
test_predicates(void **state)
{
	static const struct { const char *s; bool iri; } iris[] = {
		{ "https://a.example/x", true }, { "urn:uuid:1234", true },
		{ "tag:example.com,2024:1", true }, { "at://did:plc:x/post/1", true },
		{ "yt:video:abc", true }, { "item-1", false }, { "1:x", false },
		{ "a b:c", false }, { "x:", false }, { "x:a b", false },
		{ "x:<script>", false }, { "", false },
	};
	enum render_layout l;

	(void)state;
	for (size_t i = 0; i < sizeof(iris) / sizeof(iris[0]); i++)
		assert_int_equal(render_is_iri(iris[i].s), iris[i].iri);
	assert_false(render_is_iri(NULL));
	assert_true(render_link_ok("https://a.example/"));
	assert_false(render_link_ok("javascript:alert(1)"));
	assert_true(render_layout_parse("carousel", &l));
	assert_int_equal(l, RENDER_CAROUSEL);
	assert_false(render_layout_parse("masonry", &l));
	assert_false(render_layout_parse(NULL, &l));
	assert_string_equal(render_layout_name(RENDER_GRID), "grid");
	assert_string_equal(render_format_ext(RENDER_AS2), "as2");
	assert_string_equal(render_format_type(RENDER_JSON), "application/feed+json");
	assert_string_equal(render_format_type(RENDER_AS2), "application/activity+json");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_paging),
		cmocka_unit_test(test_cursor_gone),
		cmocka_unit_test(test_cursor_long_id),
		cmocka_unit_test(test_cursor_invalid),
		cmocka_unit_test(test_page_url),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_kind_peertube),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_excerpt),
		cmocka_unit_test(test_predicates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_sources_meta: the Meta connectors (Instagram, instagram-hashtag,
 * Facebook Pages, Threads) on documented response shapes
 * (tests/fixtures/api/), and hostile ones: error bodies (expired token,
 * missing permission, rate limits), usage headers, looping and
 * credential-carrying next pages, private media, missing fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/arena_fixture.h"
#include "tests/unit/src_fixture.h"
#include "util/fsutil.h"
#include "widgets/streams/src.h"
#include "widgets/streams/src_meta.h"

#define IG_ACCT "17841400000000001"

static void
run_init(struct src_run *r, const struct src_conf *c)
{
	run_start(r, c, "EAAtestTOKEN");
}

static enum rc
feed_usage(struct src_run *r, const char *file, const char *text, const char *usage)
{
	return feed_body(r, file, text, (struct src_response){ .usage = usage,
	    .content_type = "application/json" });
}

static enum rc
feed_page(struct src_run *r, const char *file, const char *text)
{
	return feed_usage(r, file, text, NULL);
}

/* ---- config ---- */

static void
test_checks(void **state)
{
	static const struct {
		struct src_conf c;
		const char *err;    /* NULL: accepted; else a word of the message */
	} cases[] = {
		{ { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL }, NULL },
		{ { SRC_INSTAGRAM, "me", NULL, "ig", NULL, NULL }, NULL },
		{ { SRC_INSTAGRAM, IG_ACCT, NULL, NULL, NULL, NULL }, "connection or token_file" },
		{ { SRC_INSTAGRAM, "@brand", NULL, "ig", NULL, NULL }, "numeric id" },
		{ { SRC_INSTAGRAM, "1/../2", NULL, "ig", NULL, NULL }, "numeric id" },
		{ { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, "#brand" }, "query: only for earned" },
		{ { SRC_FACEBOOK, "104000000000001", NULL, "fb", NULL, NULL }, NULL },
		{ { SRC_FACEBOOK, "me", NULL, "fb", NULL, NULL }, "numeric id" },
		{ { SRC_THREADS, "me", NULL, "th", NULL, NULL }, NULL },
		{ { SRC_THREADS, "x y", NULL, "th", NULL, NULL }, "Threads user id" },
		{ { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "#examplebrand" }, NULL },
		{ { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "straße_2026" }, NULL },
		{ { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, NULL }, "query: missing" },
		{ { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "two words" }, "one hashtag" },
		{ { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "a&b=c" }, "one hashtag" },
		{ { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "#" }, "one hashtag" },
		{ { SRC_INSTAGRAM_HASHTAG, "me", NULL, "ig", NULL, "brand" }, "numeric IG user id" },
		{ { SRC_FEED, NULL, NULL, NULL, NULL, "brand" }, "query" },
	};
	enum src_type t;

	(void)state;
	assert_true(src_type_parse("instagram-hashtag", &t));
	assert_int_equal(t, SRC_INSTAGRAM_HASHTAG);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *e = src_check(A, &cases[i].c,
		    cases[i].c.type == SRC_FEED ? "https://e.example/f.xml" : NULL);
		if (cases[i].err == NULL && e != NULL)
			fail_msg("case %zu: refused: %s", i, e);
		if (cases[i].err != NULL && (e == NULL || strstr(e, cases[i].err) == NULL))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].err, e ? e : "(accepted)");
	}
}

/* The token travels in a header; the URL (identity, logs, cache key) has none. */
static void
test_token_header(void **state)
{
	struct src_conf c = { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	struct src_run r;
	char *id;

	(void)state;
	run_init(&r, &c);
	assert_string_equal(r.header, "Authorization: Bearer EAAtestTOKEN");
	assert_null(strstr(r.url, "EAAtestTOKEN"));
	assert_non_null(strstr(r.url, "https://graph.instagram.com/v26.0/" IG_ACCT "/media?fields="));
	assert_non_null(strstr(r.url, "children%7Bmedia_type"));
	id = src_identity_url(A, &c, NULL);
	assert_string_equal(id, r.url);
	/* A run without a token never starts. */
	memset(&r, 0, sizeof(r));
	r.a = A;
	r.conf = &c;
	assert_int_equal(src_start(&r), RC_CONFIG);
	assert_non_null(strstr(r.err, "no access token for the Instagram API"));
}

/* ---- Instagram ---- */

static void
test_instagram(void **state)
{
	struct src_conf c = { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, "instagram_media_1.json", NULL), RC_OK);
	/* The next page, without the access_token the API echoed into it. */
	assert_string_equal(r.url, "https://graph.instagram.com/v26.0/" IG_ACCT
	    "/media?fields=id%2Ccaption&limit=25&after=QVFIUmFmdGVy");
	assert_int_equal(feed_page(&r, "instagram_media_2.json", NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 3);      /* the story is left out */
	assert_string_equal(r.feed.title, "examplebrand");
	assert_string_equal(r.feed.home_page_url, "https://www.instagram.com/examplebrand/");

	it = find(&r, "https://www.instagram.com/p/DCarousel01/");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_int_equal(it->nmedia, 3);
	assert_int_equal(it->media[0].type, FEED_MEDIA_IMAGE);
	assert_non_null(strstr(it->media[0].url, "look1.jpg"));
	assert_int_equal(it->media[2].type, FEED_MEDIA_VIDEO);
	assert_non_null(strstr(it->media[2].poster, "look3_thumb.jpg"));
	assert_null(it->media[2].url);              /* never the file */
	assert_string_equal(it->media[2].link, it->url);
	assert_int_equal(it->counts.likes, 1204);
	assert_int_equal(it->counts.comments, 33);
	assert_non_null(strstr(it->content_html, "Three looks from the new shop.<br>Swipe"));
	assert_string_equal(it->authors[0].name, "examplebrand");
	assert_int_equal(it->published, 1796479200LL);

	it = find(&r, "https://www.instagram.com/reel/DReel0001/");
	assert_int_equal(it->kind, FEED_KIND_REEL);
	assert_int_equal(it->nmedia, 1);
	assert_non_null(strstr(it->media[0].poster, "reel_thumb.jpg"));

	it = find(&r, "https://www.instagram.com/p/DFront0001/");
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_int_equal(it->counts.have, FEED_COUNT_LIKES | FEED_COUNT_COMMENTS);
	assert_int_equal(it->counts.comments, 0);
}

static void
test_instagram_hashtag(void **state)
{
	struct src_conf c = { SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "#examplebrand" };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_string_equal(r.url, "https://graph.facebook.com/v26.0/ig_hashtag_search?user_id="
	    IG_ACCT "&q=examplebrand");
	assert_int_equal(feed_page(&r, "instagram_hashtag_search.json", NULL), RC_OK);
	assert_non_null(strstr(r.url, "/17843857450040591/recent_media?user_id=" IG_ACCT "&fields="));
	assert_int_equal(feed_page(&r, "instagram_recent_media.json", NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 2);
	assert_string_equal(r.feed.title, "#examplebrand");
	it = find(&r, "https://www.instagram.com/p/DFan000001/");
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_int_equal(it->nauthors, 0);          /* hashtag media name no author */
	/* A video without thumbnail_url (hashtag media have none): a poster-less
	 * link to the post. */
	it = find(&r, "https://www.instagram.com/reel/DFan000002/");
	assert_int_equal(it->nmedia, 1);
	assert_null(it->media[0].poster);
	assert_string_equal(it->media[0].link, it->url);

	/* An unknown hashtag. */
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":[]}"), RC_NOTFOUND);
	assert_non_null(strstr(r.err, "no hashtag \"#examplebrand\""));
	/* A hashtag id that is not one. */
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":[{\"id\":\"../me\"}]}"), RC_INVALID);
}

/* ---- Facebook ---- */

static void
test_facebook(void **state)
{
	struct src_conf c = { SRC_FACEBOOK, "104000000000001", NULL, "fb", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_non_null(strstr(r.url, "https://graph.facebook.com/v26.0/104000000000001/posts?"
	    "fields=id,message,created_time,permalink_url"));
	assert_non_null(strstr(r.url, "reactions.summary(true).limit(0)"));
	assert_int_equal(feed_page(&r, "facebook_posts.json", NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 2);
	assert_string_equal(r.feed.title, "Example Brand");

	it = find(&r, "https://www.facebook.com/104000000000001/posts/900000000000001");
	assert_int_equal(it->nmedia, 3);
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_string_equal(it->media[0].alt, "The counter with the red lamps");
	assert_int_equal(it->media[0].width, 960);
	assert_int_equal(it->media[1].height, 960);
	assert_null(it->media[1].alt);
	assert_int_equal(it->media[2].type, FEED_MEDIA_VIDEO);
	assert_non_null(strstr(it->media[2].poster, "v301_thumb.jpg"));
	assert_string_equal(it->media[2].link, "https://www.facebook.com/104000000000001/videos/301/");
	assert_int_equal(it->counts.likes, 311);
	assert_int_equal(it->counts.comments, 18);
	assert_int_equal(it->counts.shares, 7);

	it = find(&r, "https://www.facebook.com/104000000000001/posts/900000000000002");
	assert_int_equal(it->kind, FEED_KIND_NOTE);
	assert_string_equal(it->external_url, "https://www.example.com/blog/shop");
	assert_non_null(strstr(it->image, "card.jpg"));
	assert_int_equal(it->counts.have, FEED_COUNT_LIKES | FEED_COUNT_COMMENTS);
}

/* ---- Threads ---- */

static void
test_threads(void **state)
{
	struct src_conf c = { SRC_THREADS, "me", NULL, "th", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_non_null(strstr(r.url, "https://graph.threads.net/v1.0/me/threads?fields="));
	assert_non_null(strstr(r.url, "alt_text"));
	assert_int_equal(feed_page(&r, "threads_threads.json", NULL), RC_OK);
	assert_int_equal(r.feed.nitems, 4);
	assert_string_equal(r.feed.home_page_url, "https://www.threads.com/@examplebrand");

	it = find(&r, "https://www.threads.com/@examplebrand/post/DThreads01");
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_int_equal(it->nmedia, 2);
	assert_string_equal(it->media[0].alt, "A barista pouring latte art");
	assert_string_equal(it->media[1].alt, "Cups stacked by the window");
	it = find(&r, "https://www.threads.com/@examplebrand/post/DThreads02");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_string_equal(it->media[0].alt, "Time-lapse of the shop filling up");
	assert_non_null(strstr(it->media[0].poster, "thv_thumb.jpg"));
	it = find(&r, "https://www.threads.com/@examplebrand/post/DThreads03");
	assert_int_equal(it->kind, FEED_KIND_NOTE);
	assert_string_equal(it->external_url, "https://www.example.com/hours");
	it = find(&r, "https://www.threads.com/@examplebrand/post/DThreads04");
	assert_true(it->is_repost);
	assert_null(it->content_html);
}

/* ---- hostile bodies ---- */

static void
test_bad_bodies(void **state)
{
	static const struct { enum src_type t; const char *body, *want; enum rc rc; } cases[] = {
		{ SRC_INSTAGRAM, "<!DOCTYPE html><title>Error</title>", "HTML page instead of JSON", RC_INVALID },
		{ SRC_INSTAGRAM, "{\"data\":[{\"id\":\"1\"", "malformed JSON", RC_INVALID },
		{ SRC_INSTAGRAM, "{\"media\":[]}", "gave no \"data\" array", RC_INVALID },
		{ SRC_INSTAGRAM, "[]", "gave no \"data\" array", RC_INVALID },
		{ SRC_INSTAGRAM, "{\"data\":[{\"id\":\"1\"}]}", "has no \"timestamp\"", RC_INVALID },
		{ SRC_INSTAGRAM, "{\"data\":[{\"timestamp\":\"2026-12-01T00:00:00+0000\"}]}",
		  "has no \"id\"", RC_INVALID },
		{ SRC_INSTAGRAM, "{\"data\":[7]}", "media 0 has no", RC_INVALID },
		{ SRC_FACEBOOK, "{\"data\":[{\"id\":\"1_2\",\"created_time\":\"soon\"}]}",
		  "post 0 has no \"created_time\"", RC_INVALID },
		{ SRC_THREADS, "{\"data\":{}}", "gave no \"data\" array", RC_INVALID },
		/* An error object inside a 200. */
		{ SRC_THREADS, "{\"error\":{\"message\":\"Invalid OAuth access token.\",\"type\":"
		  "\"OAuthException\",\"code\":190,\"fbtrace_id\":\"AbC\"}}",
		  "access token was expired or revoked", RC_UPSTREAM },
	};
	struct src_conf c[SRC_TYPE_COUNT];
	struct src_run r;

	(void)state;
	memset(c, 0, sizeof(c));
	c[SRC_INSTAGRAM] = (struct src_conf){ SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	c[SRC_FACEBOOK] = (struct src_conf){ SRC_FACEBOOK, "104", NULL, "fb", NULL, NULL };
	c[SRC_THREADS] = (struct src_conf){ SRC_THREADS, "me", NULL, "th", NULL, NULL };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_init(&r, &c[cases[i].t]);
		assert_int_equal(feed_page(&r, NULL, cases[i].body), cases[i].rc);
		if (strstr(r.err, cases[i].want) == NULL)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].want, r.err);
	}
}

static void
test_pagination(void **state)
{
	struct src_conf c = { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	struct src_run r;
	char *self, *body;

	(void)state;
	/* next == this page: a loop. */
	run_init(&r, &c);
	body = arena_printf(A, "{\"data\":[],\"paging\":{\"next\":\"%s\"}}", r.url);
	assert_int_equal(feed_page(&r, NULL, body), RC_OK);   /* empty page: no next asked */
	run_init(&r, &c);
	self = r.url;
	body = arena_printf(A, "{\"data\":[{\"id\":\"1\",\"timestamp\":\"2026-12-01T00:00:00+0000\"}],"
	    "\"paging\":{\"next\":\"%s\"}}", self);
	assert_int_equal(feed_page(&r, NULL, body), RC_INVALID);
	assert_non_null(strstr(r.err, "pagination loops"));
	/* The same page with only the echoed token added is the same page. */
	run_init(&r, &c);
	body = arena_printf(A, "{\"data\":[{\"id\":\"1\",\"timestamp\":\"2026-12-01T00:00:00+0000\"}],"
	    "\"paging\":{\"next\":\"%s&access_token=EAAx\"}}", r.url);
	assert_int_equal(feed_page(&r, NULL, body), RC_INVALID);
	assert_non_null(strstr(r.err, "pagination loops"));
	/* Another origin. */
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":[{\"id\":\"1\",\"timestamp\":"
	    "\"2026-12-01T00:00:00+0000\"}],\"paging\":{\"next\":\"https://evil.example/x\"}}"),
	    RC_INVALID);
	assert_non_null(strstr(r.err, "leaves the API's origin"));
}

static void
test_private_media(void **state)
{
	struct src_conf c = { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":[{\"id\":\"1\",\"timestamp\":"
	    "\"2026-12-01T00:00:00+0000\",\"media_type\":\"IMAGE\",\"permalink\":"
	    "\"https://www.instagram.com/p/X/\",\"media_url\":\"http://169.254.169.254/latest/x.jpg\"},"
	    "{\"id\":\"2\",\"timestamp\":\"2026-12-01T00:00:00+0000\",\"media_type\":\"IMAGE\","
	    "\"media_url\":\"javascript:alert(1)\"}]}"), RC_OK);
	assert_int_equal(r.feed.nitems, 2);
	assert_int_equal(r.feed.items[0].nmedia, 0);
	assert_int_equal(r.feed.items[1].nmedia, 0);
	assert_int_equal(r.feed.items[0].kind, FEED_KIND_NOTE);
	assert_non_null(strstr(r.warning, "private or loopback"));
}

/* ---- errors and limits ---- */

static void
test_http_errors(void **state)
{
	static const struct { enum src_type t; long status; const char *body, *want[3]; } cases[] = {
		{ SRC_INSTAGRAM, 400, "{\"error\":{\"message\":\"Error validating access token: Session "
		  "has expired on Friday, 04-Dec-26 10:00:00 PST.\",\"type\":\"OAuthException\",\"code\":190,"
		  "\"error_subcode\":463,\"fbtrace_id\":\"A1b2C3\"}}",
		  { "Instagram API: the access token was expired", "190 subcode 463", "reconnect" } },
		{ SRC_FACEBOOK, 400, "{\"error\":{\"message\":\"The user has not authorized application "
		  "123.\",\"type\":\"OAuthException\",\"code\":190,\"error_subcode\":458}}",
		  { "Facebook API: the access token was revoked", "458", "not authorized" } },
		{ SRC_FACEBOOK, 403, "{\"error\":{\"message\":\"(#10) This endpoint requires the "
		  "'pages_read_engagement' permission\",\"type\":\"OAuthException\",\"code\":10}}",
		  { "Facebook API: missing permission", "pages_read_engagement", "code 10" } },
		{ SRC_THREADS, 403, "{\"error\":{\"message\":\"(#200) Permissions error\",\"type\":"
		  "\"OAuthException\",\"code\":200}}",
		  { "Threads API: missing permission", "threads_basic", "code 200" } },
		{ SRC_INSTAGRAM_HASHTAG, 400, "{\"error\":{\"message\":\"(#10) To use 'Instagram Public "
		  "Content Access', your use of this endpoint must be reviewed\",\"code\":10}}",
		  { "missing permission", "Instagram Public Content Access", "code 10" } },
		{ SRC_INSTAGRAM, 400, "{\"error\":{\"message\":\"(#4) Application request limit reached\","
		  "\"type\":\"OAuthException\",\"code\":4,\"is_transient\":true}}",
		  { "Instagram API: rate limited", "code 4", "an hour" } },
		{ SRC_FACEBOOK, 400, "{\"error\":{\"message\":\"(#32) Page request limit reached\","
		  "\"code\":32}}", { "rate limited", "code 32", "Page request limit" } },
		{ SRC_FACEBOOK, 400, "{\"error\":{\"message\":\"(#80001) There have been too many calls "
		  "to this Page account.\",\"code\":80001}}", { "rate limited", "80001", "too many" } },
		{ SRC_FACEBOOK, 400, "{\"error\":{\"message\":\"Unsupported get request. Object with ID "
		  "'1' does not exist\",\"type\":\"GraphMethodException\",\"code\":100,\"error_subcode\":33}}",
		  { "Facebook API: not found", "check account", "does not exist" } },
		{ SRC_THREADS, 500, "{\"error\":{\"message\":\"An unknown error occurred\",\"type\":"
		  "\"OAuthException\",\"code\":1,\"fbtrace_id\":\"ZZ\\n\\u0001x\"}}",
		  { "Threads API: OAuthException 1 (HTTP 500)", "unknown error", "fbtrace_id ZZ" } },
	};
	struct src_conf c = { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, "x" };
	char out[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.type = cases[i].t;
		src_http_error(&c, cases[i].status, "HTTP", cases[i].body, strlen(cases[i].body),
		    out, sizeof(out));
		for (size_t k = 0; k < 3; k++)
			if (strstr(out, cases[i].want[k]) == NULL)
				fail_msg("case %zu: want \"%s\" in \"%s\"", i, cases[i].want[k], out);
		for (const char *p = out; *p != '\0'; p++)
			assert_true((unsigned char)*p >= 0x20);
	}
	/* Not a Meta error body: the generic message. */
	c.type = SRC_INSTAGRAM;
	src_http_error(&c, 502, "HTTP 502", "<html>Bad gateway</html>", 24, out, sizeof(out));
	assert_string_equal(out, "Instagram API: HTTP 502");
	src_http_error(&c, 401, "HTTP 401", NULL, 0, out, sizeof(out));
	assert_non_null(strstr(out, "access refused"));
}

static void
test_backoff(void **state)
{
	struct src_conf c = { SRC_FACEBOOK, "104", NULL, "fb", NULL, NULL };
	struct src_conf m = { SRC_MASTODON, "@b@m.example", NULL, NULL, NULL, NULL };
	static const char rate[] = "{\"error\":{\"message\":\"(#17) User request limit reached\","
	    "\"code\":17}}";
	struct src_run r;

	(void)state;
	assert_int_equal(src_backoff(&c, NULL, NULL, 0), 0);
	assert_int_equal(src_backoff(&c, "{\"call_count\":28,\"total_time\":25,\"total_cputime\":25}",
	    NULL, 0), 0);
	assert_int_equal(src_backoff(&c, "{\"call_count\":91,\"total_time\":25,\"total_cputime\":25}",
	    NULL, 0), 3600);
	assert_int_equal(src_backoff(&c, "{\"call_count\": 5, \"total_time\": 5}, {\"104\":[{\"type\":"
	    "\"pages\",\"call_count\":100,\"total_cputime\":20,\"total_time\":20,"
	    "\"estimated_time_to_regain_access\":90}]}", NULL, 0), 5400);
	assert_int_equal(src_backoff(&c, "{\"xcall_count\":99}", NULL, 0), 0);
	assert_int_equal(src_backoff(&c, "garbage \"call_count\":", NULL, 0), 0);
	assert_int_equal(src_backoff(&c, NULL, rate, strlen(rate)), 3600);
	assert_int_equal(src_backoff(&c, NULL, "{\"error\":{\"code\":190}}", 22), 0);
	assert_int_equal(src_backoff(&m, "{\"call_count\":99}", NULL, 0), 0);   /* not Meta */

	/* Near the limit the run keeps this page and asks for no next one. */
	c = (struct src_conf){ SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	run_init(&r, &c);
	assert_int_equal(feed_usage(&r, "instagram_media_1.json", NULL,
	    "{\"call_count\":95,\"total_time\":10,\"total_cputime\":10}"), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 2);
	assert_int_equal(r.backoff, 3600);
	/* A lookup step still leads to its posts. */
	c = (struct src_conf){ SRC_INSTAGRAM_HASHTAG, IG_ACCT, NULL, "ig", NULL, "brand" };
	run_init(&r, &c);
	assert_int_equal(feed_usage(&r, "instagram_hashtag_search.json", NULL,
	    "{\"call_count\":95}"), RC_OK);
	assert_non_null(r.url);
}

/* Captions: links, #tags and @names become links; nothing else does, and
 * everything is escaped. */
static void
test_text_links(void **state)
{
	static const struct meta_links l = { "https://t.example/tags/", "/", "https://t.example/",
	    NULL };
	static const struct meta_links fb = { "https://fb.example/hashtag/", NULL, NULL, NULL };
	static const struct { const char *in, *want; const struct meta_links *l; } cases[] = {
		{ "New shop! #brand", "<p>New shop! <a href=\"https://t.example/tags/brand/\">#brand</a></p>", &l },
		{ "@shop.team. hi", "<p><a href=\"https://t.example/shop.team\">@shop.team</a>. hi</p>", &l },
		{ "mail@example.com a#b", "<p>mail@example.com a#b</p>", &l },
		{ "# @ #. @.", "<p># @ #. @.</p>", &l },
		{ "#straße", "<p><a href=\"https://t.example/tags/stra%C3%9Fe/\">#straße</a></p>", &l },
		{ "See https://www.example.com/a?b=1&c=2.",
		  "<p>See <a href=\"https://www.example.com/a?b=1&amp;c=2\">https://www.example.com/a?b=1&amp;c=2</a>.</p>", &l },
		{ "\"https://a.example/\"onmouseover=\"x\"",
		  "<p>\"<a href=\"https://a.example/\">https://a.example/</a>\"onmouseover=\"x\"</p>", &l },
		{ "javascript:alert(1) http:// https://u:p@h.example/",
		  "<p>javascript:alert(1) http:// https://u:p@h.example/</p>", &l },
		{ "<b>#x</b>", "<p>&lt;b&gt;<a href=\"https://t.example/tags/x/\">#x</a>&lt;/b&gt;</p>", &l },
		{ "#tag @name", "<p><a href=\"https://fb.example/hashtag/tag\">#tag</a> @name</p>", &fb },
		{ "one\n#two", "<p>one<br><a href=\"https://t.example/tags/two/\">#two</a></p>", &l },
	};
	struct src_conf c = { SRC_INSTAGRAM, IG_ACCT, NULL, "ig", NULL, NULL };
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_null(meta_text(&r, NULL, &l));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = meta_text(&r, cases[i].in, cases[i].l);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: want %s, got %s", i, cases[i].want, got ? got : "(null)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_token_header),
		cmocka_unit_test(test_instagram),
		cmocka_unit_test(test_instagram_hashtag),
		cmocka_unit_test(test_facebook),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_pagination),
		cmocka_unit_test(test_private_media),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_text_links),
	};

	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

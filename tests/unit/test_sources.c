/* test_sources: the source types and their checks, and each connector's
 * parser (Mastodon, Bluesky, YouTube) on documented response shapes
 * (tests/fixtures/api/), with paging, loops, bad bodies and private media;
 * what they make survives the cache's read-back. */
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

static void
run_init(struct src_run *r, const struct src_conf *c)
{
	run_start(r, c, NULL);
}

/* Feeds one response (a fixture file or literal text) to the run. */
static enum rc
feed_page(struct src_run *r, const char *file, const char *text, const char *link)
{
	return feed_body(r, file, text, (struct src_response){ .link = link,
	    .content_type = "application/json" });
}

/* ---- types and checks ---- */

static void
test_types(void **state)
{
	static const char *const names[] = { "feed", "instagram", "facebook", "threads",
	    "linkedin", "x", "tiktok", "youtube", "mastodon", "bluesky", "mastodon-tag",
	    "bluesky-search" };
	enum src_type t;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(src_type_parse(names[i], &t));
		assert_string_equal(src_type_name(t), names[i]);
	}
	assert_false(src_type_parse("Mastodon", &t));
	assert_false(src_type_parse("rss", &t));
	assert_false(src_type_parse(NULL, &t));
}

static void
test_checks(void **state)
{
	static const struct {
		struct src_conf c;
		const char *url;
		const char *err;    /* NULL: accepted; else a word of the message */
	} cases[] = {
		{ { SRC_FEED, NULL, NULL, NULL, NULL, NULL }, "https://e.example/f.xml", NULL },
		{ { SRC_FEED, NULL, NULL, NULL, NULL, NULL }, NULL, "url: missing" },
		{ { SRC_FEED, "brand", NULL, NULL, NULL, NULL }, "https://e.example/f", "API sources" },
		{ { SRC_MASTODON, "@brand@mastodon.social", NULL, NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_MASTODON, "brand@mastodon.social", NULL, NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_MASTODON, "brand", "http://127.0.0.1:8080", NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_MASTODON, "brand", NULL, NULL, NULL, NULL }, NULL, "api_url" },
		{ { SRC_MASTODON, "@bad name@m.example", NULL, NULL, NULL, NULL }, NULL, "account" },
		{ { SRC_MASTODON, "@brand@10.0.0.1", NULL, NULL, NULL, NULL }, NULL, "account" },
		{ { SRC_MASTODON, NULL, NULL, NULL, NULL, NULL }, NULL, "account: missing" },
		{ { SRC_MASTODON, "@b@m.example", NULL, NULL, NULL, NULL }, "https://m.example/@b.rss",
		  "url: not for an API" },
		{ { SRC_MASTODON, "@b@m.example", "ftp://m.example", NULL, NULL, NULL }, NULL, "api_url" },
		{ { SRC_MASTODON, "@b@m.example", "https://m.example/?x=1", NULL, NULL, NULL }, NULL,
		  "api_url" },
		{ { SRC_MASTODON, "@b@m.example", NULL, "ig-brand", NULL, NULL }, NULL, NULL },
		{ { SRC_MASTODON, "@b@m.example", NULL, "bad name!", NULL, NULL }, NULL, "connection" },
		{ { SRC_MASTODON, "@b@m.example", NULL, NULL, "/nonexistent/token", NULL }, NULL,
		  "token_file" },
		{ { SRC_BLUESKY, "brand.bsky.social", NULL, NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_BLUESKY, "@brand.bsky.social", NULL, NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_BLUESKY, "did:plc:abcdefghijklmnopqrstuvwx", NULL, NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_BLUESKY, "did:plc:short", NULL, NULL, NULL, NULL }, NULL, "account" },
		{ { SRC_BLUESKY, "nodot", NULL, NULL, NULL, NULL }, NULL, "account" },
		{ { SRC_YOUTUBE, "UCabcdefghijklmnopqrstuv", NULL, NULL, NULL, NULL }, NULL, NULL },
		{ { SRC_YOUTUBE, "@brand", NULL, NULL, NULL, NULL }, NULL, "channel id" },
		{ { SRC_YOUTUBE, "UCabcdefghijklmnopqrstuv", NULL, "yt", NULL, NULL }, NULL, "connection" },
		{ { SRC_INSTAGRAM, "17841400000000001", NULL, "ig-brand", NULL, NULL }, NULL, NULL },
		{ { SRC_FACEBOOK, "brand", NULL, "fb", NULL, NULL }, NULL, "account" },
		{ { SRC_THREADS, "brand", NULL, "th", NULL, NULL }, NULL, "account" },
		{ { SRC_LINKEDIN, "2414183", NULL, "li-brand", NULL, NULL }, NULL, NULL },
		{ { SRC_LINKEDIN, "urn:li:organization:2414183", NULL, "li", NULL, NULL }, NULL, NULL },
		{ { SRC_LINKEDIN, "brand", NULL, "li", NULL, NULL }, NULL, "organization's id" },
		{ { SRC_LINKEDIN, "2414183", NULL, NULL, NULL, NULL }, NULL, "connection or token_file" },
		{ { SRC_X, "2244994945", NULL, "x-brand", NULL, NULL }, NULL, NULL },
		{ { SRC_X, "@brand", NULL, "x-brand", NULL, NULL }, NULL, NULL },
		{ { SRC_X, "@Brand_Co_2026", NULL, "x-brand", NULL, NULL }, NULL, NULL },
		{ { SRC_X, "@brand-co", NULL, "x-brand", NULL, NULL }, NULL, "\"@handle\"" },
		{ { SRC_X, "@abcdefghijklmnop", NULL, "x-brand", NULL, NULL }, NULL, "\"@handle\"" },
		{ { SRC_X, "@", NULL, "x-brand", NULL, NULL }, NULL, "\"@handle\"" },
		{ { SRC_X, "brand", NULL, "x-brand", NULL, NULL }, NULL, "\"@handle\"" },
		{ { SRC_X, "2244994945", NULL, NULL, NULL, NULL }, NULL, "connection or token_file" },
		{ { SRC_X, "2244994945", NULL, "x", NULL, "q" }, NULL, "query: only for earned" },
		{ { SRC_X_SEARCH, NULL, NULL, "x", NULL, "#BrandLaunch -is:retweet" }, NULL, NULL },
		{ { SRC_X_SEARCH, NULL, NULL, "x", NULL, NULL }, NULL, "query: missing" },
		{ { SRC_X_SEARCH, "brand", NULL, "x", NULL, "q" }, NULL, "account: not for an earned" },
		{ { SRC_X_SEARCH, NULL, NULL, "x", NULL, "a\nb" }, NULL, "control" },
		{ { SRC_FEED, NULL, NULL, NULL, NULL, "q" }, "https://e.example/f", "API sources" },
		{ { SRC_TIKTOK, "@brand", NULL, "tt", NULL, NULL }, NULL, NULL },
		{ { SRC_TIKTOK, "brand", NULL, "tt", NULL, NULL }, NULL, "@handle" },
		{ { SRC_TIKTOK, "@brand", NULL, NULL, NULL, NULL }, NULL, "connection or token_file" },
		/* Earned: a query, never an account. */
		{ { SRC_MASTODON_TAG, NULL, NULL, NULL, NULL, "#brandlaunch" }, NULL, NULL },
		{ { SRC_MASTODON_TAG, NULL, NULL, NULL, NULL, "Straße_2026" }, NULL, NULL },
		{ { SRC_MASTODON_TAG, NULL, NULL, NULL, NULL, "two words" }, NULL, "hashtag" },
		{ { SRC_MASTODON_TAG, NULL, NULL, NULL, NULL, "a/../b" }, NULL, "hashtag" },
		{ { SRC_MASTODON_TAG, NULL, NULL, NULL, NULL, "\xff\xfe" }, NULL, "hashtag" },
		{ { SRC_MASTODON_TAG, NULL, NULL, NULL, NULL, NULL }, NULL, "query: missing" },
		{ { SRC_MASTODON_TAG, "@b@m.example", NULL, NULL, NULL, "x" }, NULL, "account: not" },
		{ { SRC_BLUESKY_SEARCH, NULL, NULL, NULL, NULL, "example brand" }, NULL, NULL },
		{ { SRC_BLUESKY_SEARCH, NULL, NULL, NULL, NULL, "a\nb" }, NULL, "control" },
		{ { SRC_BLUESKY_SEARCH, NULL, NULL, NULL, NULL, "" }, NULL, "query: missing" },
		{ { SRC_BLUESKY, "brand.bsky.social", NULL, NULL, NULL, "x" }, NULL, "query: only" },
		{ { SRC_FEED, NULL, NULL, NULL, NULL, "x" }, "https://e.example/f", "API sources" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *e = src_check(A, &cases[i].c, cases[i].url);
		if (cases[i].err == NULL && e != NULL)
			fail_msg("case %zu: refused: %s", i, e);
		if (cases[i].err != NULL && (e == NULL || strstr(e, cases[i].err) == NULL))
			fail_msg("case %zu: want \"%s\", got %s", i, cases[i].err, e ? e : "(accepted)");
	}
}

static void
test_identity(void **state)
{
	struct src_conf m = { SRC_MASTODON, "@brand@Mastodon.Example", NULL, NULL, NULL, NULL };
	struct src_conf b = { SRC_BLUESKY, "@brand.example.com", NULL, NULL, NULL, NULL };
	struct src_conf y = { SRC_YOUTUBE, "UCabcdefghijklmnopqrstuv", NULL, NULL, NULL, NULL };
	struct src_conf yk = { SRC_YOUTUBE, "@brand", "http://127.0.0.1:9/yt/", NULL, "/k", NULL };

	(void)state;
	assert_string_equal(src_identity_url(A, &m, NULL),
	    "https://mastodon.example/api/v1/accounts/lookup?acct=brand");
	assert_string_equal(src_identity_url(A, &b, NULL),
	    "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=brand.example.com"
	    "&filter=posts_no_replies&limit=50");
	assert_false(src_is_api(&y));
	assert_string_equal(src_identity_url(A, &y, NULL),
	    "https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv");
	assert_true(src_is_api(&yk));
	/* No key in the URL: it travels in a header. */
	assert_string_equal(src_identity_url(A, &yk, NULL),
	    "http://127.0.0.1:9/yt/channels?part=contentDetails,snippet&forHandle=%40brand");
}

/* ---- Mastodon ---- */

static void
test_mastodon(void **state)
{
	struct src_conf c = { SRC_MASTODON, "@brand@mastodon.example", NULL, NULL, NULL, NULL };
	const char *next = "https://mastodon.example/api/v1/accounts/109302/statuses?max_id=113500000000000002";
	char *link = arena_printf(A, "<%s>; rel=\"next\", <https://mastodon.example/api/v1/"
	    "accounts/109302/statuses?min_id=113500000000000003>; rel=\"prev\"", next);
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, "mastodon_account.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://mastodon.example/api/v1/accounts/109302/statuses?"
	    "exclude_replies=true&exclude_reblogs=true&limit=40");
	assert_string_equal(r.feed.title, "Example Brand");
	assert_int_equal(feed_page(&r, "mastodon_statuses_1.json", NULL, link), RC_OK);
	assert_string_equal(r.url, next);
	assert_int_equal(feed_page(&r, "mastodon_statuses_2.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 3);    /* the followers-only post is left out */

	it = find(&r, "https://mastodon.example/users/brand/statuses/113500000000000003");
	assert_string_equal(it->url, "https://mastodon.example/@brand/113500000000000003");
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_null(strstr(it->content_html, "script"));
	assert_int_equal(it->nmedia, 2);
	assert_int_equal(it->media[0].type, FEED_MEDIA_IMAGE);
	assert_string_equal(it->media[0].alt, "The shop front with a red door");
	assert_string_equal(it->media[0].blurhash, "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH");
	assert_int_equal(it->media[0].width, 1600);
	assert_int_equal(it->media[0].height, 1200);
	assert_null(it->media[1].alt);
	assert_int_equal(it->counts.have, FEED_COUNT_LIKES | FEED_COUNT_COMMENTS | FEED_COUNT_SHARES);
	assert_int_equal(it->counts.likes, 57);
	assert_int_equal(it->counts.comments, 4);
	assert_int_equal(it->counts.shares, 12);
	assert_null(it->content_warning);
	assert_int_equal(it->ntags, 1);
	assert_string_equal(it->authors[0].name, "Example Brand");

	it = find(&r, "https://mastodon.example/users/brand/statuses/113500000000000002");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_string_equal(it->content_warning, "Flashing lights");
	assert_int_equal(it->media[0].type, FEED_MEDIA_VIDEO);
	assert_string_equal(it->media[0].poster,
	    "https://files.mastodon.example/media_attachments/files/2203/small/shoot.png");
	assert_string_equal(it->media[0].link, it->url);
	assert_int_equal(it->media[0].duration_seconds, 63);
	assert_true(it->updated > it->published);

	it = find(&r, "https://mastodon.example/users/brand/statuses/113500000000000001");
	assert_int_equal(it->kind, FEED_KIND_NOTE);
	assert_string_equal(it->external_url, "https://www.example.com/blog/hello");
	assert_non_null(it->image);
	assert_string_equal(it->language, "de");
}

static void
test_mastodon_api_url(void **state)
{
	struct src_conf c = { SRC_MASTODON, "@brand@mastodon.example", "http://127.0.0.1:8080/", NULL, NULL, NULL };
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_string_equal(r.url, "http://127.0.0.1:8080/api/v1/accounts/lookup?acct=brand%40mastodon.example");
}

/* ---- paging and bad bodies (through Mastodon's statuses) ---- */

static void
statuses_run(struct src_run *r, const struct src_conf *c)
{
	run_init(r, c);
	assert_int_equal(feed_page(r, "mastodon_account.json", NULL, NULL), RC_OK);
}

static void
test_bad_bodies(void **state)
{
	static const struct { const char *body, *want; } cases[] = {
		{ "<!DOCTYPE html><html><body>Maintenance</body></html>", "an HTML page instead of JSON" },
		{ "\n  <html>", "HTML page" },
		{ "[{\"id\": \"1\",", "malformed JSON" },
		{ "{\"a\":1,\"a\":2}", "malformed JSON" },
		{ "", "empty response" },
		{ "{\"error\":\"Record not found\"}", "no array of statuses" },
		{ "[{\"id\":\"1\",\"created_at\":\"2026-12-01T00:00:00Z\"}]", "has no \"uri\"" },
		{ "[{\"id\":\"1\",\"uri\":\"https://m.example/1\"}]", "has no \"created_at\"" },
		{ "[{\"id\":\"1\",\"uri\":\"https://m.example/1\",\"created_at\":\"yesterday\"}]",
		  "created_at" },
		{ "[7]", "has no" },
	};
	struct src_conf c = { SRC_MASTODON, "@brand@mastodon.example", NULL, NULL, NULL, NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct src_run r;
		statuses_run(&r, &c);
		assert_int_not_equal(feed_page(&r, NULL, cases[i].body, NULL), RC_OK);
		if (strstr(r.err, cases[i].want) == NULL)
			fail_msg("case %zu: want \"%s\" in \"%s\"", i, cases[i].want, r.err);
	}
}

static void
test_pagination_loops(void **state)
{
	struct src_conf c = { SRC_MASTODON, "@brand@mastodon.example", NULL, NULL, NULL, NULL };
	struct src_run r;
	char *self;

	(void)state;
	statuses_run(&r, &c);
	self = arena_printf(A, "<%s>; rel=\"next\"", r.url);
	assert_int_equal(feed_page(&r, "mastodon_statuses_1.json", NULL, self), RC_INVALID);
	assert_non_null(strstr(r.err, "pagination loops"));
	assert_non_null(strstr(r.err, "the current one"));

	/* next page on another origin */
	statuses_run(&r, &c);
	assert_int_equal(feed_page(&r, "mastodon_statuses_1.json", NULL,
	    "<http://169.254.169.254/latest/meta-data>; rel=\"next\""), RC_INVALID);
	assert_non_null(strstr(r.err, "origin"));
}

static void
test_link_header(void **state)
{
	(void)state;
	assert_string_equal(src_link_next(A, "<https://a/x?max_id=1>; rel=\"next\""),
	    "https://a/x?max_id=1");
	assert_string_equal(src_link_next(A, "<https://a/p>; rel=\"prev\", <https://a/n>; rel=\"next\""),
	    "https://a/n");
	assert_null(src_link_next(A, "<https://a/p>; rel=\"prev\""));
	assert_null(src_link_next(A, "garbage"));
	assert_null(src_link_next(A, "<https://a/p; rel=\"next\""));
}

static void
test_private_media(void **state)
{
	static const char page[] = "[{\"id\":\"1\",\"uri\":\"https://m.example/1\","
	    "\"created_at\":\"2026-12-01T00:00:00Z\",\"visibility\":\"public\",\"content\":\"<p>x</p>\","
	    "\"account\":{\"display_name\":\"B\",\"avatar\":\"http://127.0.0.1/a.png\"},"
	    "\"media_attachments\":[{\"type\":\"image\",\"url\":\"http://10.1.2.3/secret.png\","
	    "\"description\":\"d\"},{\"type\":\"image\",\"url\":\"https://files.example/ok.png\"},"
	    "{\"type\":\"image\",\"url\":\"javascript:alert(1)\"}]}]";
	struct src_conf c = { SRC_MASTODON, "@brand@mastodon.example", NULL, NULL, NULL, NULL };
	struct src_run r;

	(void)state;
	statuses_run(&r, &c);
	assert_int_equal(feed_page(&r, NULL, page, NULL), RC_OK);
	assert_int_equal(r.feed.nitems, 1);
	assert_int_equal(r.feed.items[0].nmedia, 1);
	assert_string_equal(r.feed.items[0].media[0].url, "https://files.example/ok.png");
	assert_null(r.feed.items[0].authors[0].avatar);
	assert_int_equal(r.media_refused, 2);   /* javascript: is no link at all */
	assert_non_null(strstr(r.warning, "private"));

	/* fetch_allow_private keeps them */
	statuses_run(&r, &c);
	r.allow_private = true;
	assert_int_equal(feed_page(&r, NULL, page, NULL), RC_OK);
	assert_int_equal(r.feed.items[0].nmedia, 2);
}

/* ---- Bluesky ---- */

static void
test_bluesky(void **state)
{
	struct src_conf c = { SRC_BLUESKY, "brand.example.com", NULL, NULL, NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, "bluesky_feed_1.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?"
	    "actor=brand.example.com&filter=posts_no_replies&limit=50&cursor=2026-12-04T08%3A00%3A00.000Z");
	assert_string_equal(r.feed.title, "Example Brand");
	assert_int_equal(feed_page(&r, "bluesky_feed_2.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 4);   /* the !no-unauthenticated author is left out */

	it = find(&r, "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3lbrandpost3");
	assert_string_equal(it->url, "https://bsky.app/profile/brand.example.com/post/3lbrandpost3");
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_int_equal(it->nmedia, 2);
	assert_string_equal(it->media[0].alt, "Crowd in front of the stage");
	assert_int_equal(it->media[0].width, 2000);
	assert_int_equal(it->media[0].height, 1500);
	assert_null(it->media[1].alt);
	assert_int_equal(it->counts.likes, 31);
	assert_int_equal(it->counts.shares, 5);
	assert_int_equal(it->counts.comments, 2);
	assert_non_null(strstr(it->content_html, "launch<br>See you"));
	assert_string_equal(it->language, "en");

	it = find(&r, "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3lbrandpost2");
	assert_int_equal(it->kind, FEED_KIND_NOTE);
	assert_string_equal(it->external_url, "https://www.example.com/review");
	assert_non_null(strstr(it->content_html, "&lt;b&gt;this&lt;/b&gt;"));
	assert_non_null(strstr(it->content_html, "<blockquote"));
	assert_non_null(strstr(it->content_html, "Our review of the new shop"));
	assert_non_null(strstr(it->content_html,
	    "https://bsky.app/profile/friend.bsky.social/post/3lquoted"));

	it = find(&r, "at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3lbrandpost1");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_true(it->is_reply);
	assert_int_equal(it->media[0].type, FEED_MEDIA_VIDEO);
	assert_null(it->media[0].url);    /* never the HLS playlist */
	assert_string_equal(it->media[0].link, it->url);
	assert_string_equal(it->media[0].alt, "Hands shaping clay");

	it = find(&r, "at://did:plc:zyxwvutsrqponmlkjihgfedc/app.bsky.feed.post/3lother");
	assert_true(it->is_repost);
}

/* ---- YouTube ---- */

static void
test_youtube(void **state)
{
	struct src_conf c = { SRC_YOUTUBE, "UCabcdefghijklmnopqrstuv", NULL, NULL, "/k", NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.a = A;
	r.conf = &c;
	r.token = "AIzaTESTKEY";
	assert_int_equal(src_start(&r), RC_OK);
	assert_string_equal(r.header, "X-Goog-Api-Key: AIzaTESTKEY");
	assert_null(strstr(r.url, "AIza"));
	assert_int_equal(feed_page(&r, "youtube_channels.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://www.googleapis.com/youtube/v3/playlistItems?"
	    "part=snippet,contentDetails,status&maxResults=50&playlistId=UUabcdefghijklmnopqrstuv");
	assert_int_equal(feed_page(&r, "youtube_playlistitems.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://www.googleapis.com/youtube/v3/videos?"
	    "part=contentDetails,statistics&id=vidAAAAAAA1%2CvidAAAAAAA3");
	assert_int_equal(feed_page(&r, "youtube_videos.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 2);     /* the private video is left out */
	assert_string_equal(r.feed.title, "Example Brand TV");

	it = find(&r, "yt:video:vidAAAAAAA1");
	assert_string_equal(it->url, "https://www.youtube.com/watch?v=vidAAAAAAA1");
	assert_string_equal(it->title, "Shop tour");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_int_equal(it->media[0].duration_seconds, 253);
	assert_string_equal(it->media[0].poster, "https://i.ytimg.example/vi/vidAAAAAAA1/maxresdefault.jpg");
	assert_int_equal(it->media[0].width, 1280);
	assert_int_equal(it->counts.views, 10234);
	assert_int_equal(it->counts.likes, 321);
	assert_int_equal(it->counts.comments, 17);

	it = find(&r, "yt:video:vidAAAAAAA3");
	assert_int_equal(it->media[0].duration_seconds, 30);
	/* likes hidden: absent, not zero */
	assert_int_equal(it->counts.have, FEED_COUNT_VIEWS | FEED_COUNT_COMMENTS);
}

static void
test_youtube_no_channel(void **state)
{
	struct src_conf c = { SRC_YOUTUBE, "@nobody", NULL, NULL, "/k", NULL };
	struct src_run r;

	(void)state;
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"kind\":\"youtube#channelListResponse\","
	    "\"pageInfo\":{\"totalResults\":0},\"items\":[]}", NULL), RC_NOTFOUND);
	assert_non_null(strstr(r.err, "no channel"));
}

/* ---- messages for HTTP errors ---- */

static void
test_http_errors(void **state)
{
	struct src_conf m = { SRC_MASTODON, "@b@m.example", NULL, NULL, NULL, NULL };
	struct src_conf y = { SRC_YOUTUBE, "UCabcdefghijklmnopqrstuv", NULL, NULL, "/k", NULL };
	static const char gbody[] = "{\"error\":{\"code\":403,\"message\":\"The request cannot be "
	    "completed because you have exceeded your quota.\",\"errors\":[{\"reason\":\"quotaExceeded\"}]}}";
	static const char mbody[] = "{\"error\":\"This API requires an authenticated user\"}";
	char out[512];

	(void)state;
	src_http_error(&m, 401, "HTTP 401", mbody, strlen(mbody), out, sizeof(out));
	assert_non_null(strstr(out, "Mastodon API: access refused"));
	assert_non_null(strstr(out, "This API requires an authenticated user"));
	src_http_error(&y, 403, "HTTP 403", gbody, strlen(gbody), out, sizeof(out));
	assert_non_null(strstr(out, "YouTube API: forbidden"));
	assert_non_null(strstr(out, "exceeded your quota"));
	src_http_error(&m, 429, "HTTP 429 Too Many Requests, Retry-After: 120", NULL, 0, out,
	    sizeof(out));
	assert_non_null(strstr(out, "rate limited"));
	assert_non_null(strstr(out, "Retry-After: 120"));
	src_http_error(&m, 0, "connect timeout", "<html>", 6, out, sizeof(out));
	assert_string_equal(out, "Mastodon API: connect timeout");
}

/* ---- the items survive the cache ---- */

/* ---- earned sources ---- */

static void
test_mastodon_tag(void **state)
{
	struct src_conf c = { .type = SRC_MASTODON_TAG, .query = "#Straße",
		.api_url = "https://m.example/" };
	struct src_run r;
	static const char page[] = "[{\"id\":\"1\",\"uri\":\"https://o.example/s/1\","
	    "\"url\":\"https://o.example/@fan/1\",\"created_at\":\"2026-12-06T03:00:00Z\","
	    "\"visibility\":\"public\",\"sensitive\":true,\"content\":\"<p>hi<script>x()</script></p>\","
	    "\"account\":{\"acct\":\"fan@o.example\",\"url\":\"https://o.example/@fan\"}},"
	    "{\"id\":\"2\",\"uri\":\"https://o.example/s/2\",\"created_at\":\"2026-12-06T02:00:00Z\","
	    "\"visibility\":\"private\",\"content\":\"<p>followers only</p>\"}]";

	(void)state;
	run_init(&r, &c);
	assert_string_equal(r.url, "https://m.example/api/v1/timelines/tag/Stra%C3%9Fe?limit=40");
	assert_int_equal(feed_page(&r, NULL, page,
	    "<https://m.example/api/v1/timelines/tag/Stra%C3%9Fe?max_id=1>; rel=\"next\""), RC_OK);
	assert_int_equal(r.feed.nitems, 1);
	assert_true(r.feed.items[0].sensitive);
	assert_null(strstr(r.feed.items[0].content_html, "script"));
	assert_string_equal(r.feed.title, "#Straße");
	assert_string_equal(r.url, "https://m.example/api/v1/timelines/tag/Stra%C3%9Fe?max_id=1");
	assert_int_equal(feed_page(&r, NULL, "{\"error\":\"x\"}", NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "timelines/tag"));
	/* Without api_url: mastodon.social's public timeline. */
	c.api_url = NULL;
	run_init(&r, &c);
	assert_string_equal(r.url, "https://mastodon.social/api/v1/timelines/tag/Stra%C3%9Fe?limit=40");
}

static void
test_bluesky_search(void **state)
{
	struct src_conf c = { .type = SRC_BLUESKY_SEARCH, .query = "example brand & co",
		.api_url = "https://b.example" };
	struct src_run r;
	static const char page[] = "{\"cursor\":\"p2\",\"posts\":[{\"uri\":"
	    "\"at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3kb1\",\"author\":{\"did\":"
	    "\"did:plc:abcdefghijklmnopqrstuvwx\",\"handle\":\"fan.bsky.social\"},\"record\":{\"text\":"
	    "\"<b>hello</b>\",\"createdAt\":\"2026-12-06T08:30:00.000Z\"},\"labels\":[{\"val\":\"porn\"}]}]}";

	(void)state;
	run_init(&r, &c);
	assert_string_equal(r.url, "https://b.example/xrpc/app.bsky.feed.searchPosts?"
	    "q=example%20brand%20%26%20co&sort=latest&limit=50");
	assert_int_equal(feed_page(&r, NULL, page, NULL), RC_OK);
	assert_int_equal(r.feed.nitems, 1);
	assert_true(r.feed.items[0].sensitive);
	assert_string_equal(r.feed.items[0].url, "https://bsky.app/profile/fan.bsky.social/post/3kb1");
	assert_non_null(strstr(r.feed.items[0].content_html, "&lt;b&gt;hello"));
	assert_non_null(strstr(r.url, "&cursor=p2"));
	assert_int_equal(feed_page(&r, NULL, "{\"feed\":[]}", NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "searchPosts"));
}

static void
test_roundtrip(void **state)
{
	struct src_conf c = { SRC_BLUESKY, "brand.example.com", NULL, NULL, NULL, NULL };
	struct src_run r;
	struct feed g;
	json_t *j, *jb, *jn;
	char *sb, *sn;

	(void)state;
	run_init(&r, &c);
	assert_int_equal(feed_page(&r, "bluesky_feed_1.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, "bluesky_feed_2.json", NULL, NULL), RC_OK);
	j = feed_to_json(&r.feed);
	assert_non_null(j);
	assert_int_equal(feed_from_json(A, j, &g), RC_OK);
	jb = feed_to_json(&g);
	feed_normalize(&r.feed);
	jn = feed_to_json(&r.feed);
	sb = json_dumps(jb, JSON_SORT_KEYS);
	sn = json_dumps(jn, JSON_SORT_KEYS);
	assert_string_equal(sn, sb);
	assert_non_null(strstr(sb, "\"alt\": \"Crowd in front of the stage\""));
	assert_non_null(strstr(sb, "\"kind\": \"video\""));
	assert_non_null(strstr(sb, "\"likes\": 31"));
	assert_non_null(strstr(sb, "\"repost\": true"));
	assert_int_equal(g.items[0].nmedia, 2);
	assert_int_equal(g.items[0].counts.likes, 31);
	free(sb);
	free(sn);
	json_decref(j);
	json_decref(jb);
	json_decref(jn);
}

/* ---- LinkedIn, X, TikTok ---- */

/* A run with a token, a stream's wish for counts and an account id kept
 * from an earlier lookup (NULL: none), started. */
static void
start_kept(struct src_run *r, const struct src_conf *c, bool counts, const char *account_id)
{
	memset(r, 0, sizeof(*r));
	r->a = A;
	r->conf = c;
	r->now = NOW;
	r->token = "TESTTOKEN";
	r->counts = counts;
	r->account_id = account_id;
	assert_int_equal(src_start(r), RC_OK);
}

static void
start_with_token(struct src_run *r, const struct src_conf *c)
{
	memset(r, 0, sizeof(*r));
	r->a = A;
	r->conf = c;
	r->now = NOW;
	r->token = "TESTTOKEN";
	assert_int_equal(src_start(r), RC_OK);
	assert_string_equal(r->header, "Authorization: Bearer TESTTOKEN");
	assert_null(strstr(r->url, "TESTTOKEN"));
}

static void
test_x(void **state)
{
	struct src_conf c = { SRC_X, "2244994945", NULL, "x", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	start_with_token(&r, &c);
	assert_non_null(strstr(r.url, "https://api.x.com/2/users/2244994945/tweets?"));
	assert_non_null(strstr(r.url, "expansions=attachments.media_keys,author_id,referenced_tweets.id"));
	assert_non_null(strstr(r.url, "media.fields=url,preview_image_url,alt_text,duration_ms,"));
	assert_int_equal(feed_page(&r, "x_tweets_1.json", NULL, NULL), RC_OK);
	assert_non_null(strstr(r.url, "&pagination_token=7140dibdnow9c7btw3w29n4v7"));
	assert_int_equal(feed_page(&r, "x_tweets_2.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 4);
	assert_string_equal(r.feed.title, "Brand");
	assert_string_equal(r.feed.home_page_url, "https://x.com/brand");

	it = find(&r, "https://x.com/i/web/status/1860000000000000003");
	assert_string_equal(it->url, "https://x.com/brand/status/1860000000000000003");
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_int_equal(it->nmedia, 2);
	assert_string_equal(it->media[0].alt, "The new store's front, with a crowd");
	assert_string_equal(it->media[0].url, "https://pbs.twimg.com/media/store1.jpg");
	assert_int_equal(it->media[0].width, 1200);
	assert_null(strstr(it->content_html, "t.co"));   /* the media link goes */
	assert_int_equal(it->counts.likes, 140);
	assert_int_equal(it->counts.shares, 12);
	assert_int_equal(it->counts.views, 5400);
	assert_string_equal(it->authors[0].name, "Brand");

	it = find(&r, "https://x.com/i/web/status/1860000000000000002");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_int_equal(it->media[0].duration_seconds, 32);
	assert_string_equal(it->media[0].link, it->url);
	assert_non_null(strstr(it->media[0].poster, "poster.jpg"));

	it = find(&r, "https://x.com/i/web/status/1860000000000000001");
	assert_non_null(strstr(it->content_html, "href=\"https://x.com/fan_one\""));
	assert_non_null(strstr(it->content_html, "href=\"https://x.com/hashtag/Launch2026\""));
	assert_non_null(strstr(it->content_html, "href=\"https://brand.example/blog/launch\""));
	assert_non_null(strstr(it->content_html, "tip &amp; the"));
	assert_non_null(strstr(it->content_html, "&lt;3"));
	assert_false(it->is_reply);
}

static void
test_x_search(void **state)
{
	struct src_conf c = { SRC_X_SEARCH, NULL, NULL, "x", NULL, "#BrandLaunch -is:retweet" };
	struct src_run r;

	(void)state;
	start_with_token(&r, &c);
	assert_non_null(strstr(r.url, "/2/tweets/search/recent?query=%23BrandLaunch%20-is%3Aretweet&"));
	assert_int_equal(feed_page(&r, "x_search_1.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 2);
	assert_string_equal(r.feed.items[0].authors[0].name, "Fan & Friend");
	assert_string_equal(r.feed.items[0].url, "https://x.com/fan_one/status/1861000000000000002");
	assert_string_equal(r.feed.title, "X search: #BrandLaunch -is:retweet");
	/* next_token, not pagination_token, on the search endpoint */
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":[],\"meta\":{\"result_count\":0,"
	    "\"next_token\":\"b26v89c19zqg8o3f\"}}", NULL), RC_OK);
	assert_null(r.url);     /* an empty page ends the run */
}

static void
test_x_errors(void **state)
{
	struct src_conf c = { SRC_X, "99", NULL, "x", NULL, NULL };
	struct src_run r;

	(void)state;
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, "x_user_not_found.json", NULL, NULL), RC_UPSTREAM);
	assert_non_null(strstr(r.err, "Could not find user with id"));
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":{\"id\":\"1\"}}", NULL), RC_INVALID);
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":[{\"id\":\"x1\",\"text\":\"a\"}],"
	    "\"meta\":{}}", NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "numeric \"id\""));
	/* the same next_token twice: a loop */
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, "x_tweets_1.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, "x_tweets_1.json", NULL, NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "pagination loops"));
	/* without a token the run cannot start, and says why */
	memset(&r, 0, sizeof(r));
	r.a = A;
	r.conf = &c;
	assert_int_equal(src_start(&r), RC_CONFIG);
	assert_non_null(strstr(r.err, "no access token"));
}

/* account = "@handle": a lookup first (its id kept by the caller), or
 * straight to the timeline with an id kept from an earlier run. */
static void
test_x_handle(void **state)
{
	struct src_conf c = { SRC_X, "@Brand", NULL, "x", NULL, NULL };
	struct src_run r;

	(void)state;
	start_with_token(&r, &c);
	assert_string_equal(r.url, "https://api.x.com/2/users/by/username/Brand?"
	    "user.fields=name,username,profile_image_url");
	assert_string_equal(src_identity_url(A, &c, NULL), r.url);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":{\"id\":\"2244994945\",\"name\":\"Brand\","
	    "\"username\":\"brand\"}}", NULL), RC_OK);
	assert_string_equal(r.looked_up, "2244994945");
	assert_non_null(strstr(r.url, "https://api.x.com/2/users/2244994945/tweets?"));
	assert_string_equal(r.feed.title, "Brand");
	assert_int_equal(feed_page(&r, "x_tweets_1.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, "x_tweets_2.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 4);
	assert_false(r.account_gone);

	/* an unknown handle: X's words */
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"errors\":[{\"title\":\"Not Found Error\","
	    "\"detail\":\"Could not find user with username: [Brand].\"}]}", NULL), RC_UPSTREAM);
	assert_non_null(strstr(r.err, "Could not find user with username"));
	assert_null(r.looked_up);
	/* a lookup without a numeric id */
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":{\"id\":\"../1\"}}", NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "numeric user \"id\""));
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "[]", NULL), RC_INVALID);

	/* a kept id: no lookup; when it names no account, it is dropped */
	start_kept(&r, &c, false, "2244994945");
	assert_non_null(strstr(r.url, "https://api.x.com/2/users/2244994945/tweets?"));
	assert_int_equal(feed_page(&r, "x_user_not_found.json", NULL, NULL), RC_UPSTREAM);
	assert_true(r.account_gone);
	/* a kept id that is not one is not used */
	start_kept(&r, &c, false, "1/../2");
	assert_non_null(strstr(r.url, "/2/users/by/username/Brand?"));
}

/* With a stream showing counts: one socialMetadata batch get after each
 * posts page, for that page's posts. */
static void
test_linkedin_counts(void **state)
{
	struct src_conf c = { SRC_LINKEDIN, "2414183", NULL, "li", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	start_kept(&r, &c, true, NULL);
	assert_int_equal(feed_page(&r, "linkedin_posts_1.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://api.linkedin.com/rest/socialMetadata?ids=List("
	    "urn%3Ali%3Ashare%3A7400000000000000003,urn%3Ali%3AugcPost%3A7400000000000000002,"
	    "urn%3Ali%3Ashare%3A7400000000000000001)");
	assert_int_equal(feed_page(&r, "linkedin_social_metadata.json", NULL, NULL), RC_OK);
	assert_non_null(strstr(r.url, "/rest/posts?"));
	assert_non_null(strstr(r.url, "&start=4&"));
	assert_int_equal(feed_page(&r, "linkedin_posts_2.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://api.linkedin.com/rest/socialMetadata?ids=List("
	    "urn%3Ali%3Ashare%3A7399999999999999999)");
	assert_int_equal(feed_page(&r, "linkedin_social_metadata.json", NULL, NULL), RC_OK);
	assert_non_null(strstr(r.url, "/rest/images?ids=List("));
	assert_int_equal(feed_page(&r, "linkedin_images.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, "linkedin_videos.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 4);
	it = find(&r, "urn:li:share:7400000000000000003");
	assert_int_equal(it->counts.have, FEED_COUNT_LIKES | FEED_COUNT_COMMENTS);
	assert_int_equal(it->counts.likes, 137);      /* every kind of reaction */
	assert_int_equal(it->counts.comments, 9);
	assert_int_equal(it->nmedia, 2);              /* the pictures still resolved */
	it = find(&r, "urn:li:share:7400000000000000001");
	assert_int_equal(it->counts.likes, 7);
	assert_int_equal(it->counts.comments, 0);
	it = find(&r, "urn:li:share:7399999999999999999");
	assert_int_equal(it->counts.have, 0);         /* in "errors": no counts */

	/* a counts body without "results" or not JSON: the posts go on without
	 * counts, with a warning; a hostile count is ignored */
	start_kept(&r, &c, true, NULL);
	assert_int_equal(feed_page(&r, "linkedin_posts_1.json", NULL, NULL), RC_OK);
	assert_true(r.optional);
	assert_int_equal(feed_page(&r, NULL, "{\"elements\":[]}", NULL), RC_OK);
	assert_non_null(strstr(r.warning, "counts left out: "));
	assert_non_null(strstr(r.warning, "socialMetadata"));
	assert_non_null(strstr(r.url, "&start=4&"));           /* the next posts page */
	assert_int_equal(find(&r, "urn:li:share:7400000000000000003")->counts.have, 0);
	assert_int_equal(feed_page(&r, "linkedin_posts_2.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, NULL, "{\"results\": {", NULL), RC_OK);
	assert_non_null(strstr(r.warning, "socialMetadata"));   /* the first reason stays */
	assert_non_null(strstr(r.url, "/rest/images?ids=List("));
	/* the failed call as the refresher reports an HTTP error */
	start_kept(&r, &c, true, NULL);
	assert_int_equal(feed_page(&r, "linkedin_posts_1.json", NULL, NULL), RC_OK);
	assert_int_equal(src_skip(&r, "HTTP 403"), RC_OK);
	assert_string_equal(r.warning, "counts left out: HTTP 403");
	assert_false(r.optional);
	assert_int_equal(src_skip(&r, "HTTP 500"), RC_INVALID);  /* a posts page is not optional */
	start_kept(&r, &c, true, NULL);
	assert_int_equal(feed_page(&r, "linkedin_posts_1.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, NULL, "{\"results\":{\"urn:li:share:7400000000000000003\":"
	    "{\"reactionSummaries\":{\"LIKE\":{\"count\":-5},\"PRAISE\":{\"count\":\"x\"},"
	    "\"A\":{\"count\":9223372036854775807},\"B\":{\"count\":3}},\"commentSummary\":7}}}",
	    NULL), RC_OK);
	it = find(&r, "urn:li:share:7400000000000000003");
	assert_int_equal(it->counts.have, FEED_COUNT_LIKES);
	assert_true(it->counts.likes == 9223372036854775807LL);   /* capped, no overflow */

	/* without a stream that shows counts: no socialMetadata request */
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, "linkedin_posts_1.json", NULL, NULL), RC_OK);
	assert_non_null(strstr(r.url, "/rest/posts?"));
}

static void
test_linkedin(void **state)
{
	struct src_conf c = { SRC_LINKEDIN, "2414183", NULL, "li", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;

	(void)state;
	start_with_token(&r, &c);
	assert_string_equal(r.extra_headers[0], "LinkedIn-Version: 202511");
	assert_string_equal(r.extra_headers[1], "X-Restli-Protocol-Version: 2.0.0");
	assert_string_equal(r.url, "https://api.linkedin.com/rest/posts?author=urn%3Ali%3A"
	    "organization%3A2414183&q=author&count=50&start=0&sortBy=CREATED");
	assert_int_equal(feed_page(&r, "linkedin_posts_1.json", NULL, NULL), RC_OK);
	assert_non_null(strstr(r.url, "&start=4&"));
	assert_int_equal(feed_page(&r, "linkedin_posts_2.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://api.linkedin.com/rest/images?ids=List("
	    "urn%3Ali%3Aimage%3AC4E10AQFoyyAjHPMQuQ,urn%3Ali%3Aimage%3AC4E10AQFoyyAjHPMQuR,"
	    "urn%3Ali%3Aimage%3AC4E10AQFmissing,urn%3Ali%3Aimage%3AC4D10AQHThumbArt)");
	assert_int_equal(feed_page(&r, "linkedin_images.json", NULL, NULL), RC_OK);
	assert_string_equal(r.url, "https://api.linkedin.com/rest/videos?ids=List("
	    "urn%3Ali%3Avideo%3AC5F10AQGKQg_6y2a4sQ)");
	assert_int_equal(feed_page(&r, "linkedin_videos.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 4);     /* the draft is left out */

	it = find(&r, "urn:li:share:7400000000000000003");
	assert_string_equal(it->url, "https://www.linkedin.com/feed/update/urn:li:share:7400000000000000003");
	assert_int_equal(it->nmedia, 2);        /* the unresolved image goes */
	assert_int_equal(it->kind, FEED_KIND_PHOTO);
	assert_string_equal(it->media[0].alt, "A red coat on a hanger");
	assert_non_null(strstr(it->media[1].url, "https://media.licdn.com/dms/image/v2/scarves.jpg"));
	assert_non_null(strstr(it->content_html, "https://www.linkedin.com/feed/hashtag/Autumn"));
	assert_non_null(strstr(it->content_html, "(limited)"));
	assert_int_equal(it->published, 1764900000);

	it = find(&r, "urn:li:ugcPost:7400000000000000002");
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_int_equal(it->media[0].duration_seconds, 62);
	assert_non_null(strstr(it->media[0].poster, "making-of-thumb"));
	assert_non_null(strstr(it->content_html, "Behind the scenes with Brand Studio"));

	it = find(&r, "urn:li:share:7400000000000000001");
	assert_int_equal(it->kind, FEED_KIND_ARTICLE);
	assert_string_equal(it->external_url, "https://brand.example/report-2026");
	assert_non_null(strstr(it->image, "report.jpg"));

	it = find(&r, "urn:li:share:7399999999999999999");
	assert_true(it->is_repost);
	assert_non_null(strstr(it->content_html, "Hello from Lyon!<br>"));
}

static void
http_msg(const struct src_conf *c, long status, const char *body, char *msg, size_t n)
{
	src_http_error(c, status, "HTTP", body, strlen(body), msg, n);
}

static void
test_linkedin_errors(void **state)
{
	struct src_conf c = { SRC_LINKEDIN, "2414183", NULL, "li", NULL, NULL };
	struct src_run r;
	char msg[512];

	(void)state;
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"paging\":{}}", NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "elements"));
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"elements\":[{\"id\":\"urn:li:share:1\"}]}",
	    NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "publishedAt"));
	http_msg(&c, 403, "{\"status\":403,\"serviceErrorCode\":100,"
	    "\"code\":\"ACCESS_DENIED\",\"message\":\"Not enough permissions to access: "
	    "partnerApiPostsExternal.FINDER-author.20251101\"}", msg, sizeof(msg));
	assert_non_null(strstr(msg, "LinkedIn API: forbidden"));
	assert_non_null(strstr(msg, "ACCESS_DENIED: Not enough permissions"));
}

static void
test_tiktok(void **state)
{
	struct src_conf c = { SRC_TIKTOK, "@brand", NULL, "tt", NULL, NULL };
	const struct feed_item *it;
	struct src_run r;
	char *id;
	char msg[512];

	(void)state;
	start_with_token(&r, &c);
	assert_non_null(strstr(r.url, "https://open.tiktokapis.com/v2/video/list/?fields=id,"));
	assert_string_equal(r.post_body, "{\"max_count\":20}");
	assert_int_equal(feed_page(&r, "tiktok_videos_1.json", NULL, NULL), RC_OK);
	assert_string_equal(r.post_body, "{\"max_count\":20,\"cursor\":1764800000000}");
	assert_int_equal(feed_page(&r, "tiktok_videos_2.json", NULL, NULL), RC_OK);
	assert_null(r.url);
	assert_int_equal(r.feed.nitems, 3);
	it = &r.feed.items[0];
	assert_int_equal(it->kind, FEED_KIND_VIDEO);
	assert_int_equal(it->media[0].duration_seconds, 15);
	assert_non_null(strstr(it->media[0].poster, "cover3"));
	assert_int_equal(it->counts.views, 3000);
	assert_string_equal(r.feed.home_page_url, "https://www.tiktok.com/@brand");
	/* the same cursor again: a loop, though the URL is the same each time */
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, "tiktok_videos_1.json", NULL, NULL), RC_OK);
	assert_int_equal(feed_page(&r, "tiktok_videos_1.json", NULL, NULL), RC_INVALID);
	assert_non_null(strstr(r.err, "pagination loops"));
	start_with_token(&r, &c);
	assert_int_equal(feed_page(&r, NULL, "{\"data\":{},\"error\":{\"code\":"
	    "\"scope_not_authorized\",\"message\":\"The user did not authorize the scope "
	    "required for completing this request.\"}}", NULL), RC_UPSTREAM);
	assert_non_null(strstr(r.err, "scope_not_authorized"));
	http_msg(&c, 401, "{\"error\":{\"code\":\"access_token_invalid\","
	    "\"message\":\"The access token is invalid or not found in the request.\","
	    "\"log_id\":\"2026\"}}", msg, sizeof(msg));
	assert_non_null(strstr(msg, "access_token_invalid: The access token is invalid"));
	/* two TikTok sources post to the same URL: the account keeps them apart */
	id = src_identity_url(A, &c, NULL);
	assert_non_null(strstr(id, "/v2/video/list/?fields="));
	assert_non_null(strstr(id, "#%40brand"));
}

static void
test_rate_backoff(void **state)
{
	struct src_response r = { .rate_remaining = "0", .rate_reset = "1765000900" };

	(void)state;
	assert_int_equal(src_rate_backoff(&r, NOW), 900);
	r.rate_remaining = "12";
	assert_int_equal(src_rate_backoff(&r, NOW), 0);
	r.rate_remaining = "0";
	r.rate_reset = "1764999000";          /* already past */
	assert_int_equal(src_rate_backoff(&r, NOW), 0);
	r.rate_reset = "99999999999";         /* capped at a day */
	assert_int_equal(src_rate_backoff(&r, NOW), 86400);
	r.rate_reset = "soon";
	assert_int_equal(src_rate_backoff(&r, NOW), 0);
	r.rate_reset = NULL;
	assert_int_equal(src_rate_backoff(&r, NOW), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_mastodon),
		cmocka_unit_test(test_mastodon_api_url),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_pagination_loops),
		cmocka_unit_test(test_link_header),
		cmocka_unit_test(test_private_media),
		cmocka_unit_test(test_bluesky),
		cmocka_unit_test(test_youtube),
		cmocka_unit_test(test_youtube_no_channel),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_mastodon_tag),
		cmocka_unit_test(test_bluesky_search),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_x),
		cmocka_unit_test(test_x_search),
		cmocka_unit_test(test_x_errors),
		cmocka_unit_test(test_x_handle),
		cmocka_unit_test(test_linkedin),
		cmocka_unit_test(test_linkedin_counts),
		cmocka_unit_test(test_linkedin_errors),
		cmocka_unit_test(test_tiktok),
		cmocka_unit_test(test_rate_backoff),
	};

	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

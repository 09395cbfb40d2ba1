/* test_profiles: profile cards from feeds and the Mastodon account API, and
 * their JSON and HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "widgets/feeds/feed_discover.h"
#include "widgets/profiles.h"
#include "render_fixture.h"


static void
test_lookup(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "https://mastodon.social/@brand.rss",
		  "https://mastodon.social/api/v1/accounts/lookup?acct=brand" },
		{ "https://fosstodon.org/users/some_one.rss",
		  "https://fosstodon.org/api/v1/accounts/lookup?acct=some_one" },
		{ "http://127.0.0.1:8080/@brand.rss",
		  "http://127.0.0.1:8080/api/v1/accounts/lookup?acct=brand" },
		{ "https://mastodon.social/@brand", NULL },
		{ "https://mastodon.social/@.rss", NULL },
		{ "https://mastodon.social/@br%26and.rss", NULL },
		{ "https://mastodon.social/@brand.rss?x=1", NULL },
		{ "https://mastodon.social/tags/launch.rss", NULL },
		{ "https://www.youtube.com/feeds/videos.xml?channel_id=UC1", NULL },
		{ "javascript:alert(1)//@x.rss", NULL },
	};
	struct arena *a = arena_new(4096, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = profiles_mastodon_lookup(a, cases[i].in);
		if (cases[i].out == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].out);
	}
	assert_null(profiles_mastodon_lookup(a, NULL));
	arena_free(a);
}

/* The instance probe of an account feed URL's host, and what answers as
 * Mastodon: the listed instances need none. */
static void
test_instance(void **state)
{
	static const struct { const char *in, *out; } urls[] = {
		{ "https://social.example/@brand.rss", "https://social.example/api/v1/instance" },
		{ "http://127.0.0.1:8080/users/b.rss", "http://127.0.0.1:8080/api/v1/instance" },
		{ "https://blog.example/@brand", NULL },
		{ "https://blog.example/feed.rss", NULL },
		{ "https://blog.example/@brand.rss?x=1", NULL },
	};
	static const struct { const char *body; bool ok; } bodies[] = {
		{ "{\"uri\":\"social.example\",\"title\":\"S\",\"version\":\"4.2.1\"}", true },
		{ "{\"uri\":\"p.example\",\"version\":\"2.7.2 (compatible; Pleroma 2.5.0)\"}", true },
		{ "{\"uri\":\"\",\"version\":\"4.2.1\"}", false },
		{ "{\"uri\":\"social.example\"}", false },
		{ "{\"uri\":\"social.example\",\"version\":\"v4\"}", false },
		{ "{\"uri\":1,\"version\":\"4.2.1\"}", false },
		{ "[\"uri\",\"version\"]", false },
		{ "<!DOCTYPE html><html>not found</html>", false },
		{ "", false },
	};
	struct arena *a = arena_new(4096, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char *got = profiles_mastodon_instance(a, urls[i].in);
		if (urls[i].out == NULL)
			assert_null(got);
		else
			assert_string_equal(got, urls[i].out);
	}
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_int_equal(profiles_is_mastodon_instance(bodies[i].body,
		    strlen(bodies[i].body)), bodies[i].ok);
	assert_false(profiles_is_mastodon_instance(NULL, 0));
	assert_true(feed_discover_mastodon_host("https://mastodon.social/@a.rss"));
	assert_true(feed_discover_mastodon_host("https://EU.Mastodon.Social/@a.rss"));
	assert_true(feed_discover_mastodon_host("https://fosstodon.org:443/users/a.rss"));
	assert_false(feed_discover_mastodon_host("https://blog.example/@a.rss"));
	assert_false(feed_discover_mastodon_host("https://mastodon.social.evil.example/@a.rss"));
	assert_false(feed_discover_mastodon_host("https://notmastodon.social/@a.rss"));
	assert_false(feed_discover_mastodon_host("https://mastodon.social@evil.example/@a.rss"));
	assert_false(feed_discover_mastodon_host("mastodon.social/@a.rss"));
	assert_false(feed_discover_mastodon_host(NULL));
	arena_free(a);
}

static void
test_from_feed(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed f = { .title = "@brand.example - Example Co.",
	    .home_page_url = "https://bsky.app/profile/brand.example" };
	struct feed_person au = { .name = "X", .avatar = "https://cdn.example/a.png" };
	struct profile p;

	(void)state;
	profiles_from_feed(a, "bluesky", NULL, "https://bsky.app/profile/brand.example/rss", &f, &p);
	assert_string_equal(p.network, "bluesky");
	assert_string_equal(p.handle, "@brand.example");
	assert_string_equal(p.name, "Example Co.");
	assert_string_equal(p.url, "https://bsky.app/profile/brand.example");
	assert_int_equal(p.followers, -1);
	assert_null(p.avatar);
	/* The config's title wins; the author avatar stands in for an icon. */
	f.title = "Blog";
	f.home_page_url = "javascript:alert(1)";
	f.authors = &au;
	f.nauthors = 1;
	profiles_from_feed(a, "blog", "Our blog", "https://blog.example/feed.xml", &f, &p);
	assert_string_equal(p.name, "Our blog");
	assert_null(p.url);
	assert_null(p.handle);
	assert_string_equal(p.network, "web");
	assert_string_equal(p.avatar, "https://cdn.example/a.png");
	/* No feed yet: the source name. */
	profiles_from_feed(a, "yt", NULL, "https://www.youtube.com/feeds/videos.xml", NULL, &p);
	assert_string_equal(p.name, "yt");
	assert_string_equal(p.network, "youtube");
	arena_free(a);
}

static void
test_mastodon(void **state)
{
	static const char ok[] = "{\"acct\":\"brand\",\"display_name\":\"Example Co.\","
	    "\"url\":\"https://mastodon.example/@brand\",\"avatar_static\":\"https://files.example/a.png\","
	    "\"followers_count\":10234}";
	static const char remote[] = "{\"acct\":\"brand@other.example\",\"display_name\":\"\","
	    "\"url\":\"javascript:alert(1)\",\"followers_count\":-5}";
	static const char *const bad[] = { "", "[]", "{\"acct\":5}", "{\"display_name\":\"x\"}", "nope" };
	struct arena *a = arena_new(4096, 0);
	struct profile p = { .source = "m", .name = "feed name", .followers = -1 };

	(void)state;
	assert_int_equal(profiles_apply_mastodon(a, ok, strlen(ok), &p), RC_OK);
	assert_string_equal(p.name, "Example Co.");
	assert_string_equal(p.handle, "@brand@mastodon.example");
	assert_string_equal(p.url, "https://mastodon.example/@brand");
	assert_string_equal(p.avatar, "https://files.example/a.png");
	assert_int_equal(p.followers, 10234);
	assert_string_equal(p.network, "mastodon");
	p = (struct profile){ .source = "m", .name = "feed name", .followers = -1 };
	assert_int_equal(profiles_apply_mastodon(a, remote, strlen(remote), &p), RC_OK);
	assert_string_equal(p.name, "feed name");
	assert_string_equal(p.handle, "@brand@other.example");
	assert_null(p.url);
	assert_int_equal(p.followers, -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(profiles_apply_mastodon(a, bad[i], strlen(bad[i]), &p), RC_INVALID);
	arena_free(a);
}

static void
test_output(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct profile p[2] = {
		{ .source = "m", .network = "mastodon", .network_label = "Mastodon",
		  .name = "<b>Evil</b> & Co", .handle = "@a\"b", .url = "https://m.example/@a",
		  .avatar = "https://files.example/a.png", .followers = 1234567,
		  .instance_at = 1700000000, .instance_mastodon = true },
		{ .source = "b", .network = "web", .network_label = "Web", .name = "Blog",
		  .url = "javascript:alert(1)", .avatar = "data:image/png,x", .followers = 1,
		  .instance_at = 1700000001 },
	};
	struct profile *back;
	size_t n;
	struct buf b;
	json_t *j, *st;

	(void)state;
	buf_init(&b, 1u << 20);
	struct profiles_box box = { "brand", "T\"", NULL, &fixture_words };

	assert_int_equal(profiles_html(&b, p, 2, &box), RC_OK);
	assert_non_null(strstr(b.data, "&lt;b&gt;Evil&lt;/b&gt; &amp; Co"));
	assert_non_null(strstr(b.data, "p-nickname\">@a\"b</p>"));
	assert_null(strstr(b.data, "<b>"));
	assert_null(strstr(b.data, "javascript:"));
	assert_null(strstr(b.data, "data:"));
	assert_null(strstr(b.data, "files.example"));
	assert_non_null(strstr(b.data, "src=\"" FIXTURE_BASE "/media/"));
	/* English without a language; counts as the stream's: compact. */
	assert_non_null(strstr(b.data, "lang=\"en\" dir=\"ltr\""));
	assert_non_null(strstr(b.data, "<data value=\"1234567\">1.2M</data> followers"));
	assert_non_null(strstr(b.data, "<data value=\"1\">1</data> follower</p>"));
	assert_non_null(strstr(b.data, "social-profiles__network\">Web</p>"));
	assert_non_null(strstr(b.data, "aria-label=\"T&quot;\""));
	buf_fini(&b);
	j = profiles_json(p, 2, "brand", NULL, &fixture_site);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "brand");
	assert_int_equal(strncmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "profiles"), 0), "avatar")), FIXTURE_BASE "/media/",
	    strlen(FIXTURE_BASE "/media/")), 0);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "profiles"), 1), "url")));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "profiles"), 1), "avatar")));
	json_decref(j);
	/* The state round-trips. */
	st = profiles_state_json(p, 2);
	assert_int_equal(profiles_from_state(a, st, &back, &n), RC_OK);
	assert_int_equal(n, 2);
	assert_string_equal(back[0].avatar, "https://files.example/a.png");
	assert_int_equal(back[0].followers, 1234567);
	assert_int_equal(back[0].instance_at, 1700000000);
	assert_true(back[0].instance_mastodon);
	assert_int_equal(back[1].instance_at, 1700000001);
	assert_false(back[1].instance_mastodon);
	json_decref(st);
	st = json_pack("[{s:s}]", "source", "x");
	assert_int_equal(profiles_from_state(a, st, &back, &n), RC_CORRUPT);
	json_decref(st);
	assert_int_equal(profiles_from_state(a, NULL, &back, &n), RC_CORRUPT);
	arena_free(a);
}

/* The box in the request's language: lang/dir, the catalog's network
 * label and follower plurals; a language without a catalog, or a hostile
 * tag, is English. */
static void
test_languages(void **state)
{
	static const struct {
		const char *lang, *want_lang, *dir, *network, *followers;
	} cases[] = {
		{ "de", "de", "ltr", ">Web<", "<data value=\"2\">2</data> Follower" },
		{ "ja", "ja", "ltr", ">ウェブ<", "フォロワー <data value=\"2\">2</data> 人" },
		{ "ar", "ar", "rtl", ">الويب<", "متابعان" },
		{ "ru", "ru", "ltr", ">Веб<", "<data value=\"2\">2</data> подписчика" },
		{ "\"><script>", "en", "ltr", ">Web<", "<data value=\"2\">2</data> followers" },
	};
	struct profile p = { .source = "b", .network = "web", .name = "Blog", .followers = 2 };
	struct profile yt = { .source = "y", .network = "youtube", .network_label = "YouTube",
		.name = "Tube", .followers = -1 };
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct profiles_box box = { "brand", NULL, cases[i].lang, &fixture_words };
		char want[64];

		buf_init(&b, 1u << 16);
		assert_int_equal(profiles_html(&b, &p, 1, &box), RC_OK);
		snprintf(want, sizeof(want), "lang=\"%s\" dir=\"%s\"", cases[i].want_lang, cases[i].dir);
		assert_non_null(strstr(b.data, want));
		assert_non_null(strstr(b.data, cases[i].network));
		assert_non_null(strstr(b.data, cases[i].followers));
		assert_null(strstr(b.data, "<script>"));
		buf_fini(&b);
	}
	/* A brand is its own name in every language. */
	buf_init(&b, 1u << 16);
	assert_int_equal(profiles_html(&b, &yt, 1,
	    &(struct profiles_box){ "brand", NULL, "ja", &fixture_words }), RC_OK);
	assert_non_null(strstr(b.data, "social-profiles__network\">YouTube</p>"));
	assert_null(strstr(b.data, "social-profiles__followers"));
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_instance),
		cmocka_unit_test(test_from_feed),
		cmocka_unit_test(test_mastodon),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_languages),
	};
	return cmocka_run_group_tests(tests, fixture_words_setup, fixture_words_teardown);
}

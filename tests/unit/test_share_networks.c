/* test_share_networks: every network's intent URL, written out literally. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "widgets/share/share_networks.h"

#define URL "https://www.example.com/a?b=1&c=2"
#define TITLE "Tom & Jerry #1: Caf\xc3\xa9 \xf0\x9f\x8e\x89"   /* Café 🎉 */
#define TEXT "Read this \xe2\x80\x93 now!"                      /* en dash */

struct want {
	const char *id;
	const char *intent;
};

/* Title only, plus via / hashtags / media where the network takes them. */
static const struct want with_title[] = {
	{ "x", "https://x.com/intent/tweet?text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&hashtags=news%2Ctech&via=example" },
	{ "facebook", "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "linkedin", "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "reddit", "https://www.reddit.com/submit?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&title=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89" },
	{ "bluesky", "https://bsky.app/intent/compose?text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89%20https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "mastodon", "https://mastodon.social/share?text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89%20https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "threads", "https://www.threads.com/intent/post?text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "whatsapp", "https://wa.me/?text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89%20https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "telegram", "https://t.me/share/url?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89" },
	{ "pinterest", "https://www.pinterest.com/pin/create/button/?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&media=https%3A%2F%2Fwww.example.com%2Fi.png&description=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89" },
	{ "hackernews", "https://news.ycombinator.com/submitlink?u=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&t=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89" },
	{ "email", "mailto:?subject=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&body=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "weibo", "https://service.weibo.com/share/share.php?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&title=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&pic=https%3A%2F%2Fwww.example.com%2Fi.png" },
	{ "vk", "https://vk.com/share.php?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&title=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&image=https%3A%2F%2Fwww.example.com%2Fi.png" },
	{ "line", "https://social-plugins.line.me/lineit/share?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&text=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89" },
	{ "xing", "https://www.xing.com/spi/shares/new?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "tumblr", "https://www.tumblr.com/widgets/share/tool?canonicalUrl=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&title=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&tags=news%2Ctech&posttype=link" },
};

/* Title and text, no extras. */
static const struct want with_text[] = {
	{ "x", "https://x.com/intent/tweet?text=Read%20this%20%E2%80%93%20now%21&url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "email", "mailto:?subject=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&body=Read%20this%20%E2%80%93%20now%21%0D%0A%0D%0Ahttps%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "tumblr", "https://www.tumblr.com/widgets/share/tool?canonicalUrl=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&title=Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89&caption=Read%20this%20%E2%80%93%20now%21&posttype=link" },
	{ "bluesky", "https://bsky.app/intent/compose?text=Read%20this%20%E2%80%93%20now%21%20https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
};

/* URL only. */
static const struct want url_only[] = {
	{ "x", "https://x.com/intent/tweet?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "email", "mailto:?body=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "whatsapp", "https://wa.me/?text=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2" },
	{ "tumblr", "https://www.tumblr.com/widgets/share/tool?canonicalUrl=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2&posttype=link" },
};

static void
check(const struct want *w, size_t n, const struct share_input *in)
{
	for (size_t i = 0; i < n; i++) {
		const struct share_network *net = share_network_find(w[i].id);
		struct buf b;
		buf_init(&b, 16 * 1024);
		assert_non_null(net);
		assert_int_equal(share_intent(&b, net, in), RC_OK);
		if (strcmp(buf_cstr(&b), w[i].intent) != 0)
			fprintf(stderr, "%s:\n  got  %s\n  want %s\n", w[i].id, buf_cstr(&b), w[i].intent);
		assert_string_equal(buf_cstr(&b), w[i].intent);
		buf_fini(&b);
	}
}

static void
test_every_network(void **state)
{
	struct share_input in = { .url = URL, .title = TITLE, .via = "example",
		.hashtags = "news,tech", .media = "https://www.example.com/i.png",
		.instance = "mastodon.social" };

	(void)state;
	assert_int_equal(share_networks_n, sizeof(with_title) / sizeof(with_title[0]));
	/* The table and the expectations name the same networks. */
	for (size_t i = 0; i < share_networks_n; i++)
		assert_string_equal(share_networks[i].id, with_title[i].id);
	check(with_title, sizeof(with_title) / sizeof(with_title[0]), &in);
}

static void
test_text_and_url_only(void **state)
{
	struct share_input t = { .url = URL, .title = TITLE, .text = TEXT };
	struct share_input u = { .url = URL, .title = "" };

	(void)state;
	check(with_text, sizeof(with_text) / sizeof(with_text[0]), &t);
	check(url_only, sizeof(url_only) / sizeof(url_only[0]), &u);
}

static void
test_errors(void **state)
{
	struct share_input no_url = { .title = "t" };
	struct share_input no_inst = { .url = URL };
	struct share_input ok = { .url = URL, .title = TITLE };
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(share_intent(&b, share_network_find("x"), &no_url), RC_INVALID);
	assert_int_equal(share_intent(&b, share_network_find("mastodon"), &no_inst), RC_INVALID);
	assert_int_equal(share_intent(&b, NULL, &ok), RC_INVALID);
	assert_int_equal(share_intent(&b, share_network_find("x"), &ok), RC_LIMIT);
	buf_fini(&b);
	assert_null(share_network_find("myspace"));
	assert_null(share_network_find(NULL));
	assert_int_equal(share_network_index("tumblr"), (int)share_networks_n - 1);
}

static void
test_table_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < share_networks_n; i++) {
		const struct share_network *n = &share_networks[i];
		assert_non_null(n->name);
		assert_non_null(n->action);
		assert_non_null(n->icon);
		assert_non_null(n->source);
		assert_string_equal(n->checked, "2026-11-24");
		assert_true(n->needs_instance || strncmp(n->base, "https://", 8) == 0 ||
		    strcmp(n->base, "mailto:") == 0);
		for (size_t k = i + 1; k < share_networks_n; k++)
			assert_string_not_equal(n->id, share_networks[k].id);
	}
}

static void
test_via_hashtags(void **state)
{
	(void)state;
	assert_true(share_via_ok("example"));
	assert_true(share_via_ok("a_B_9"));
	assert_true(share_via_ok("abcdefghijklmno"));
	assert_false(share_via_ok("abcdefghijklmnop"));
	assert_false(share_via_ok("@example"));
	assert_false(share_via_ok(""));
	assert_false(share_via_ok(NULL));
	assert_false(share_via_ok("a b"));
	assert_true(share_hashtags_ok("news"));
	assert_true(share_hashtags_ok("news,tech,caf\xc3\xa9"));
	assert_false(share_hashtags_ok(""));
	assert_false(share_hashtags_ok(NULL));
	assert_false(share_hashtags_ok("#news"));
	assert_false(share_hashtags_ok("a,,b"));
	assert_false(share_hashtags_ok("a,"));
	assert_false(share_hashtags_ok("a b"));
	assert_false(share_hashtags_ok("a&b"));
	assert_false(share_hashtags_ok("1,2,3,4,5,6,7,8,9,10,11"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_network),
		cmocka_unit_test(test_text_and_url_only),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_via_hashtags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

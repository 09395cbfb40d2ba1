/* test_media: media ids, image sniffing, the HTML rewrite and item mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "widgets/media.h"
#include "render_fixture.h"

static void
test_id(void **state)
{
	char a[MEDIA_ID_LEN + 1], b[MEDIA_ID_LEN + 1];
	char longurl[MEDIA_URL_MAX + 50];

	(void)state;
	/* Known vectors: sha256("socialhub-media-v1\0" + url)[:16] in hex. */
	media_id_for_url("https://files.example/a.png", a);
	assert_string_equal(a, "ec74f484cc426c4a46b81f743222953b");
	media_id_for_url("http://127.0.0.1:8080/img/x.jpg", a);
	assert_string_equal(a, "1ae245b707cff92cd005610859e48729");
	assert_true(media_id_valid(a));
	/* Stable, and distinct for distinct URLs. */
	media_id_for_url("https://files.example/a.png?", b);
	assert_string_not_equal(a, b);
	media_id_for_url("https://files.example/a.png?", a);
	assert_string_equal(a, b);
	/* Signed CDN links: the same picture keeps its id when the network
	 * signs it again; what names the picture still counts. */
	media_id_for_url("https://scontent-fra5-1.cdninstagram.com/v/t51.29350-15/4_n.jpg"
	    "?stp=dst-jpg_e35&_nc_ht=scontent-fra5-1.cdninstagram.com&_nc_ohc=AAA&oh=00_X&oe=65A1B2C3", a);
	media_id_for_url("https://scontent-fra5-1.cdninstagram.com/v/t51.29350-15/4_n.jpg"
	    "?stp=dst-jpg_e35&_nc_ht=scontent-fra5-1.cdninstagram.com&_nc_ohc=BBB&oh=00_Y&oe=65C3D4E5", b);
	assert_string_equal(a, b);
	media_id_for_url("https://scontent-fra5-1.cdninstagram.com/v/t51.29350-15/4_n.jpg"
	    "?stp=dst-jpg_s640x640&oh=00_X&oe=65A1B2C3", b);
	assert_string_not_equal(a, b);                      /* another size */
	media_id_for_url("https://scontent-fra5-1.cdninstagram.com/v/t51.29350-15/4_n.jpg"
	    "?stp=dst-jpg_e35", b);
	assert_string_equal(a, b);
	media_id_for_url("https://media.licdn.com/dms/image/v2/D4E10AQ/feedshare-shrink_800/0/17?e=1&v=beta&t=x", a);
	media_id_for_url("https://media.licdn.com/dms/image/v2/D4E10AQ/feedshare-shrink_800/0/17?e=2&v=beta&t=y", b);
	assert_string_equal(a, b);
	media_id_for_url("https://media.licdn.com/dms/image/v2/D4E10AQ/feedshare-shrink_800/0/17", b);
	assert_string_equal(a, b);
	media_id_for_url("https://p16-sign-va.tiktokcdn.com/obj/tos/c~tplv-dmt.jpeg?x-expires=1&x-signature=a%3D", a);
	media_id_for_url("https://p16-sign-va.tiktokcdn.com/obj/tos/c~tplv-dmt.jpeg?x-expires=2&x-signature=b%3D", b);
	assert_string_equal(a, b);
	media_id_for_url("https://bucket.s3.amazonaws.com/p.png?X-Amz-Algorithm=AWS4&X-Amz-Signature=1&w=5", a);
	media_id_for_url("https://bucket.s3.amazonaws.com/p.png?w=5&x-amz-signature=2&X-Amz-Date=3", b);
	assert_string_equal(a, b);
	media_id_for_url("https://bucket.s3.amazonaws.com/p.png?w=5", b);
	assert_string_equal(a, b);
	media_id_for_url("https://bucket.s3.amazonaws.com/p.png?w=6", b);
	assert_string_not_equal(a, b);                      /* other parameters count */
	media_id_for_url("https://d1.cloudfront.net/p.png?Expires=1&Signature=s&Key-Pair-Id=K", a);
	media_id_for_url("https://d1.cloudfront.net/p.png", b);
	assert_string_equal(a, b);
	/* Elsewhere "Expires" and "Signature" may name the picture: kept, and
	 * lookalike hosts are not the networks' CDNs. */
	media_id_for_url("https://files.example/p.png?Expires=1", a);
	media_id_for_url("https://files.example/p.png?Expires=2", b);
	assert_string_not_equal(a, b);
	media_id_for_url("https://evil-licdn.com/p.png?e=1", a);
	media_id_for_url("https://evil-licdn.com/p.png?e=2", b);
	assert_string_not_equal(a, b);
	/* Bad input keeps the URL whole: a host that does not parse, a
	 * fragment before the '?', empty parameters, an over-long URL. */
	media_id_for_url("https://[bad/p.png?x-expires=1", a);
	media_id_for_url("https://[bad/p.png?x-expires=2", b);
	assert_string_not_equal(a, b);
	media_id_for_url("https://media.licdn.com/a#frag?e=1", a);
	media_id_for_url("https://media.licdn.com/a#frag", b);
	assert_string_equal(a, b);                          /* the fragment is no query */
	media_id_for_url("https://d1.cloudfront.net/p.png?&&Expires=1&&", a);
	media_id_for_url("https://d1.cloudfront.net/p.png", b);
	assert_string_equal(a, b);
	media_id_for_url("https://files.example/p.png?&&", a);
	media_id_for_url("https://files.example/p.png", b);
	assert_string_not_equal(a, b);                      /* nothing signed: kept as it is */
	memset(longurl, 'x', sizeof(longurl) - 1);
	memcpy(longurl, "https://media.licdn.com/a?e=", 28);
	longurl[sizeof(longurl) - 1] = '\0';
	media_id_for_url(longurl, a);
	longurl[40] = 'y';
	media_id_for_url(longurl, b);
	assert_true(media_id_valid(a));
	assert_string_not_equal(a, b);                      /* never fetched: hashed whole */
	/* Over-long URLs still get a well-formed id. */
	memset(longurl, 'x', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	media_id_for_url(longurl, a);
	assert_true(media_id_valid(a));
}

static void
test_id_valid(void **state)
{
	static const struct { const char *s; bool ok; } cases[] = {
		{ "ec74f484cc426c4a46b81f743222953b", true },
		{ "EC74F484CC426C4A46B81F743222953B", false },
		{ "ec74f484cc426c4a46b81f743222953", false },
		{ "ec74f484cc426c4a46b81f743222953bb", false },
		{ "ec74f484cc426c4a46b81f743222953g", false },
		{ "../../../../etc/passwd0000000000", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(media_id_valid(cases[i].s), cases[i].ok);
	assert_false(media_id_valid(NULL));
}

static void
test_sniff(void **state)
{
	static const struct {
		const char *bytes;
		size_t n;
		const char *type;
	} cases[] = {
		{ "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png" },
		{ "\x89PNG\r\n\x1a", 7, NULL },                       /* truncated */
		{ "\xff\xd8\xff\xe0\0\x10JFIF", 10, "image/jpeg" },
		{ "\xff\xd8", 2, NULL },
		{ "GIF87a\x01\0", 8, "image/gif" },
		{ "GIF89a\x01\0", 8, "image/gif" },
		{ "GIF90a\x01\0", 8, NULL },
		{ "RIFF\x24\0\0\0WEBPVP8 ", 16, "image/webp" },
		{ "RIFF\x24\0\0\0WAVEfmt ", 16, NULL },
		{ "\0\0\0\x1c" "ftypavif\0\0\0\0mif1miaf", 28, "image/avif" },
		{ "\0\0\0\x20" "ftypmif1\0\0\0\0mif1avifmiafMA1B", 32, "image/avif" },
		{ "\0\0\0\x18" "ftypisom\0\0\0\0isommp42", 24, NULL },   /* MP4 */
		{ "\0\0\0\x18" "ftypmif1\0\0\0\0mif1heic", 24, NULL },   /* HEIC */
		{ "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"/>", 52, NULL },
		{ "<!DOCTYPE html><script>", 23, NULL },
		{ "", 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = media_sniff(cases[i].bytes, cases[i].n);
		if (cases[i].type == NULL)
			assert_null(t);
		else
			assert_string_equal(t, cases[i].type);
	}
	assert_null(media_sniff(NULL, 10));
}

static void
test_fetchable(void **state)
{
	static const struct { const char *url; bool ok; } cases[] = {
		{ "https://files.example/a.png", true },
		{ "HTTP://files.example/a.png?x=1&y=2", true },
		{ "http://127.0.0.1:8080/a.png", true },
		{ "https://", false },
		{ "https:///path", false },
		{ "ftp://files.example/a.png", false },
		{ "javascript:alert(1)", false },
		{ "data:image/png;base64,iVBOR", false },
		{ "//files.example/a.png", false },
		{ "/relative.png", false },
		{ "https://files.example/a b.png", false },
		{ "https://files.example/a\".png", false },
		{ "https://files.example/a'.png", false },
		{ "https://files.example/a<.png", false },
		{ "https://files.example/a\\.png", false },
		{ "https://files.example/\x01.png", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(media_url_fetchable(cases[i].url), cases[i].ok);
	assert_false(media_url_fetchable(NULL));
}

static void
test_proxy_url(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(media_proxy_url(&b, "https://www.example.com/social",
	    "https://files.example/a.png"), RC_OK);
	assert_string_equal(buf_cstr(&b),
	    "https://www.example.com/social/media/ec74f484cc426c4a46b81f743222953b");
	buf_fini(&b);
	buf_init(&b, 10);
	assert_int_equal(media_proxy_url(&b, "https://www.example.com/social",
	    "https://files.example/a.png"), RC_LIMIT);
	buf_fini(&b);
}

/* Test map: "M:" url, except URLs containing "drop" map to NULL. */
static const char *
fake_map(void *arg, const char *url)
{
	struct arena *a = arg;

	if (strstr(url, "drop") != NULL)
		return NULL;
	return arena_printf(a, "M:%s", url);
}

static void
test_rewrite(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "", "" },
		{ "<p>plain &amp; simple, caf\xc3\xa9 \xe2\x82\xac</p>",
		  "<p>plain &amp; simple, caf\xc3\xa9 \xe2\x82\xac</p>" },
		{ "<img src=\"https://x.example/a.png\" alt=\"cat\">",
		  "<img src=\"M:https://x.example/a.png\" alt=\"cat\" loading=\"lazy\">" },
		{ "<img src=\"https://x.example/a.png\">",
		  "<img src=\"M:https://x.example/a.png\" alt=\"\" loading=\"lazy\">" },
		{ "<img src=\"https://x.example/a.png\" srcset=\"https://y.example/b.png 2x\" sizes=\"1px\" alt=\"\">",
		  "<img src=\"M:https://x.example/a.png\" alt=\"\" loading=\"lazy\">" },
		{ "<p>a<img src=\"https://x.example/drop.png\">b</p>", "<p>ab</p>" },
		{ "<p>a<img src=\"data:image/png;base64,AAAA\">b</p>", "<p>ab</p>" },
		{ "<p>a<img src=\"javascript:alert(1)\">b</p>", "<p>ab</p>" },
		{ "<p>a<img>b</p>", "<p>ab</p>" },
		{ "<p>a<wbr>b</p>", "<p>ab</p>" },
		{ "<p>x<iframe src=\"https://player.example/\"></iframe>y</p>", "<p>xy</p>" },
		{ "<video poster=\"https://e.example/p.jpg\"><source src=\"https://e.example/v.mp4\">fallback</video>z", "z" },
		{ "<picture><source srcset=\"https://e.example/a.webp\"><img src=\"https://e.example/a.jpg\" alt=\"a\"></picture>",
		  "<picture><img src=\"M:https://e.example/a.jpg\" alt=\"a\" loading=\"lazy\"></picture>" },
		{ "<p style=\"background:url(https://t.example/x)\" onclick=\"x()\">t</p>", "<p>t</p>" },
		{ "<a href=\"javascript:alert(1)\">j</a>", "<a rel=\"noopener noreferrer nofollow ugc\">j</a>" },
		{ "<a href=\"https://ok.example/\" ping=\"https://t.example/\">k</a>",
		  "<a href=\"https://ok.example/\" rel=\"noopener noreferrer nofollow ugc\">k</a>" },
		{ "<a href=\"mailto:a@b.example\">m</a>", "<a href=\"mailto:a@b.example\" rel=\"noopener noreferrer nofollow ugc\">m</a>" },
		{ "<!-- <script>alert(1)</script> -->ok", "ok" },
		{ "<svg><image href=\"https://t.example/x.png\"/></svg>ok", "ok" },
		{ "<script>alert(1)</script>ok", "ok" },
		{ "<style>body{background:url(https://t.example/)}</style>ok", "ok" },
		{ "<link rel=\"stylesheet\" href=\"https://t.example/s.css\">ok", "ok" },
		{ "<table background=\"https://t.example/b.png\"><tr><td>c</td></tr></table>",
		  "<table><tr><td>c</td></tr></table>" },
		{ "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
		  "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" },
		{ "<form action=\"https://t.example/\"><input name=\"x\"></form>ok", "ok" },
		{ "<object data=\"https://t.example/x.swf\"></object><embed src=\"https://t.example/y\">ok", "ok" },
	};
	struct arena *a = arena_new(4096, 0);
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(media_rewrite_html(a, cases[i].in, fake_map, a, &out), RC_OK);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: %s\n  got:  %s\n  want: %s", i, cases[i].in, out, cases[i].out);
	}
	assert_int_equal(media_rewrite_html(a, NULL, fake_map, a, &out), RC_OK);
	assert_string_equal(out, "");
	arena_free(a);
}

static void
test_attachment_is_image(void **state)
{
	static const struct { const char *url, *type; bool ok; } cases[] = {
		{ "https://x.example/a.png", "image/png", true },
		{ "https://x.example/a", "image/jpeg", true },
		{ "https://x.example/a.svg", "image/svg+xml", false },
		{ "https://x.example/a.mp4", "video/mp4", false },
		{ "https://x.example/a.JPG", NULL, true },
		{ "https://x.example/a.webp?w=100#f", NULL, true },
		{ "https://x.example/a.avif", NULL, true },
		{ "https://x.example/a.png.html", NULL, false },
		{ "https://x.example/.png", NULL, false },
		{ "https://x.example/", NULL, false },
		{ "https://x.example", NULL, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct feed_attachment at = { .url = (char *)cases[i].url,
		    .mime_type = (char *)cases[i].type };
		assert_int_equal(media_attachment_is_image(&at), cases[i].ok);
	}
	assert_false(media_attachment_is_image(NULL));
}

static void
test_map_item(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_feed(a, 0);
	struct feed_item out;

	(void)state;
	assert_int_equal(media_map_item(a, NULL, &f->items[FIX_MASTODON], fake_map, a, &out), RC_OK);
	assert_string_equal(out.authors[0].avatar, "M:https://files.mastodon.example/avatar.png");
	assert_string_equal(out.attachments[0].url, "M:https://files.mastodon.example/media/1.png");
	assert_non_null(strstr(out.content_html, "M:https://files.mastodon.example/emoji/party.png"));
	/* The input is untouched. */
	assert_string_equal(f->items[FIX_MASTODON].authors[0].avatar,
	    "https://files.mastodon.example/avatar.png");

	assert_int_equal(media_map_item(a, NULL, &f->items[FIX_HOSTILE], fake_map, a, &out), RC_OK);
	/* A quote in the image URL makes it unfetchable; the data: avatar goes. */
	assert_null(out.image);
	assert_null(out.authors[0].avatar);
	/* The image attachment is mapped (type guessed), the other one kept
	 * as a link for render_prepare to judge. */
	assert_int_equal(out.nattachments, 2);
	assert_string_equal(out.attachments[0].url, "M:https://evil.example/a.jpg");
	assert_string_equal(out.attachments[0].mime_type, "image/jpeg");
	assert_null(strstr(out.content_html, "src=\"https://evil.example/track.gif\""));
	assert_non_null(strstr(out.content_html, "src=\"M:https://evil.example/track.gif\""));
	assert_null(strstr(out.content_html, "onerror"));
	assert_null(strstr(out.content_html, "<svg"));
	assert_null(strstr(out.content_html, "poster"));
	arena_free(a);
}

/* The sanitizer's media hook: only what the URL policy accepted reaches
 * it (never a hostile scheme, never a srcset candidate), what it returns
 * is written, NULL drops the image. */
struct calls {
	const char *seen[16];
	size_t n;
	struct arena *a;
};

static const char *
record(void *ctx, const char *url)
{
	struct calls *c = ctx;

	if (c->n < 16)
		c->seen[c->n++] = arena_strdup(c->a, url);
	return strstr(url, "drop") != NULL ? NULL : "/m/1";
}

static void
test_sanitize_hook(void **state)
{
	static const char in[] =
	    "<img src=\"javascript:alert(1)\"><img src=\" java&#09;script:x\">"
	    "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">"
	    "<img src=\"vbscript:x\"><img src=\"https://ok.example/a.png\" "
	    "srcset=\"https://s.example/b.png 2x, javascript:x 3x\" sizes=\"9px\">"
	    "<img src=\"https://x.example/drop.png\" alt=\"d\">"
	    "<img src=\"https://q.example/a&quot;onerror=alert(1)\">"
	    "<picture><source srcset=\"https://s.example/c.webp\"><img src=\"/rel.png\"></picture>"
	    "<video poster=\"https://p.example/p.jpg\"><img src=\"https://v.example/in-video.png\"></video>";
	struct arena *a = arena_new(4096, 0);
	struct calls c = { .a = a };
	struct sanitize_media m = { .rewrite = record, .ctx = &c };
	struct sanitize_opts o = { .base_url = "https://feed.example/x/", .media = &m };
	struct sanitize *san = sanitize_new(a);
	struct sanitize_result r;

	(void)state;
	assert_int_equal(sanitize_html(san, in, strlen(in), &o, &r), RC_OK);
	/* img src only, in order, each through the policy (relative ones
	 * resolved); none inside the dropped video (libxml2 dropped it whole
	 * before looking inside). */
	assert_int_equal(c.n, 4);
	assert_string_equal(c.seen[0], "https://ok.example/a.png");
	assert_string_equal(c.seen[1], "https://x.example/drop.png");
	/* An http(s) URL with a quote is the policy's to keep (escaped when
	 * written); media_url_fetchable, the proxy's own check, refuses it. */
	assert_string_equal(c.seen[2], "https://q.example/a\"onerror=alert(1)");
	assert_false(media_url_fetchable(c.seen[2]));
	assert_string_equal(c.seen[3], "https://feed.example/rel.png");
	for (size_t i = 0; i < c.n; i++) {
		assert_null(strstr(c.seen[i], "script"));
		assert_null(strstr(c.seen[i], "s.example"));
		assert_null(strstr(c.seen[i], "p.example"));
	}
	assert_null(strstr(r.html, "srcset"));
	assert_null(strstr(r.html, "sizes"));
	assert_null(strstr(r.html, "onerror=alert"));
	assert_null(strstr(r.html, "<video"));
	assert_null(strstr(r.html, "<source"));
	assert_null(strstr(r.html, "drop"));
	assert_string_equal(r.html,
	    "<img src=\"/m/1\" alt=\"\" loading=\"lazy\">"
	    "<img src=\"/m/1\" alt=\"\" loading=\"lazy\">"
	    "<picture><img src=\"/m/1\" alt=\"\" loading=\"lazy\"></picture>");
	assert_int_equal(r.nspans, 3);
	arena_free(a);
}

/* Spans: images cut after the pass, with the end tag of an <li> they
 * leave empty (libxml2 wrote an empty li as "<li>"). */
static bool
keep_b(void *arg, size_t i)
{
	const struct sanitize_span *s = arg;

	return strstr(s[i].url, "b.png") != NULL;
}

static void
test_sanitize_cut(void **state)
{
	static const char in[] =
	    "<ul><li><img src=\"https://x.example/a.png\"></li>"
	    "<li><img src=\"https://x.example/b.png\"></li>"
	    "<li>t<img src=\"https://x.example/c.png\"></li></ul><p>&lt;p&gt;</p>";
	struct arena *a = arena_new(4096, 0);
	struct calls c = { .a = a };
	struct sanitize_media m = { .rewrite = record, .ctx = &c };
	struct sanitize_opts o = { .media = &m };
	struct sanitize *san = sanitize_new(a);
	struct sanitize_result r;
	char *out;

	(void)state;
	assert_int_equal(sanitize_html(san, in, strlen(in), &o, &r), RC_OK);
	assert_int_equal(sanitize_cut(a, r.html, r.len, r.spans, r.nspans, keep_b,
	    r.spans, &out), RC_OK);
	assert_string_equal(out, "<ul><li><li><img src=\"/m/1\" alt=\"\" loading=\"lazy\"></li>"
	    "<li>t</li></ul><p>&lt;p&gt;</p>");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_fetchable),
		cmocka_unit_test(test_proxy_url),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_attachment_is_image),
		cmocka_unit_test(test_map_item),
		cmocka_unit_test(test_sanitize_hook),
		cmocka_unit_test(test_sanitize_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

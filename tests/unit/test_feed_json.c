/* test_feed_json: the JSON Feed reader accepts and rejects what
 * json_loadb(..., 0) does and decodes strings as Jansson does (Jansson is
 * the oracle); special bytes at every offset of the word-at-a-time string
 * scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/unit/arena_fixture.h"
#include "util/arena.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/feed_formats.h"

#define HEAD "{\"version\":\"https://jsonfeed.org/version/1.1\","


static enum rc
parse(const char *doc, size_t len, struct feed *f)
{
	struct feed_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.fetch_time = 1700000000;
	arena_reset(A);
	return feed_parse(A, doc, len, &o, f);
}

/* The reader alone, without feed_parse's charset pass (which turns
 * invalid UTF-8 into valid windows-1252 text). Enough context for a
 * document whose "items" is empty. */
static enum rc
reader(const char *doc, size_t len, struct feed *f)
{
	struct feed_ctx c;

	memset(&c, 0, sizeof(c));
	memset(f, 0, sizeof(*f));
	arena_reset(A);
	c.a = A;
	c.f = f;
	c.max_items = 1;
	return feed_json_parse(&c, doc, len);
}

/* Jansson's verdict on doc, and its "title" when that is a string
 * (malloc'd, with its length), else NULL. */
static bool
jansson(const char *doc, size_t len, char **title, size_t *tlen)
{
	json_t *j = json_loadb(doc, len, 0, NULL), *v;

	*title = NULL;
	if (j == NULL)
		return false;
	v = json_object_get(j, "title");
	if (json_is_string(v)) {
		*tlen = json_string_length(v);
		*title = malloc(*tlen + 1);
		assert_non_null(*title);
		memcpy(*title, json_string_value(v), *tlen + 1);
	}
	json_decref(j);
	return true;
}

/* True when the title clean-up (white space collapsed) would change s. */
static bool
cleaned(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ')
			return true;
	}
	return n == 0;
}

/* HEAD "items":[],"title":"<s>"} is read exactly when Jansson reads it,
 * and the title is Jansson's string where the clean-up keeps it as is. */
static void
check_string(const char *s, size_t n)
{
	static const char pre[] = HEAD "\"items\":[],\"title\":\"", post[] = "\"}";
	size_t len = sizeof(pre) - 1 + n + sizeof(post) - 1, tlen = 0;
	char *doc = malloc(len), *title;
	struct feed f;
	bool ok;
	enum rc rc;

	assert_non_null(doc);
	memcpy(doc, pre, sizeof(pre) - 1);
	memcpy(doc + sizeof(pre) - 1, s, n);
	memcpy(doc + sizeof(pre) - 1 + n, post, sizeof(post) - 1);
	ok = jansson(doc, len, &title, &tlen);
	rc = reader(doc, len, &f);
	if ((rc == RC_OK) != ok)
		fail_msg("reader %s, Jansson %s: %.*s", rc_str(rc),
		    ok ? "accepts" : "rejects", (int)len, doc);
	if (ok && title != NULL && !cleaned(title, tlen))
		assert_string_equal(f.title, title);
	free(title);
	free(doc);
}

/* Whole values: each is the value of an extra member, so the feed parses
 * exactly when the JSON does. */
static void
test_values(void **state)
{
	static const struct { const char *v; bool ok; } c[] = {
		{ "1", true }, { "-0", true }, { "0.5e-3", true }, { "1E+2", true },
		{ "01", false }, { "1.", false }, { ".5", false }, { "-", false },
		{ "+1", false }, { "1e", false }, { "0x10", false }, { "1.5e+", false },
		{ "9223372036854775807", true }, { "-9223372036854775808", true },
		{ "9223372036854775808", false }, { "-9223372036854775809", false },
		{ "1e308", true }, { "1e309", false }, { "-1e309", false },
		{ "1e-400", true }, { "true", true }, { "false", true },
		{ "null", true }, { "tru", false }, { "nul", false }, { "True", false },
		{ "[]", true }, { "{}", true }, { "[1,]", false }, { "[,1]", false },
		{ "{\"a\":1,}", false }, { "{\"a\" 1}", false }, { "{1:2}", false },
		{ "[1 2]", false }, { "{\"a\":1 \"b\":2}", false },
		{ "[ 1 , [ ] , { } , \"x\" ]", true }, { "\t\r\n[\n]", true },
		{ "\"a\"", true }, { "\"", false }, { "'a'", false },
		{ "\"\\u0000\"", false }, { "\"\\x\"", false }, { "\"\\", false },
		{ "[\f]", false }, { "\"\\uD834\\uDD1E\"", true },
		{ "\"\\uDD1E\"", false }, { "\"\\uD834\"", false },
		{ "\"\\uD834\\u0041\"", false }, { "\"\\uD834x\"", false },
		{ "\"\\u12\"", false }, { "\"\\u12G4\"", false },
		{ "\"caf\xc3\xa9\"", true }, { "\"\xc3\"", false }, { "\xc3\xa9", false },
	};
	char doc[256];
	struct feed f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int n = snprintf(doc, sizeof(doc), HEAD "\"items\":[],\"x\":%s}",
		    c[i].v);
		json_t *j = json_loadb(doc, (size_t)n, 0, NULL);
		enum rc rc = reader(doc, (size_t)n, &f);
		if ((j != NULL) != c[i].ok || (rc == RC_OK) != c[i].ok)
			fail_msg("%s: Jansson %s, reader %s", c[i].v,
			    j != NULL ? "accepts" : "rejects", rc_str(rc));
		json_decref(j);
	}
	/* Trailing garbage, and a top level that is not an object. */
	assert_int_equal(parse(HEAD "\"items\":[]} x",
	    strlen(HEAD "\"items\":[]} x"), &f), RC_INVALID);
	assert_int_equal(parse(HEAD "\"items\":[]}  \n",
	    strlen(HEAD "\"items\":[]}  \n"), &f), RC_OK);
	assert_int_equal(parse("[" HEAD "\"items\":[]}]",
	    strlen("[" HEAD "\"items\":[]}]"), &f), RC_INVALID);
}

/* Escaped keys match, and a repeated key keeps its last value. */
static void
test_keys(void **state)
{
	const char *doc = "{\"v\\u0065rsion\":\"https://jsonfeed.org/version/1.1\","
	    "\"items\":[{\"id\":\"a\",\"\\u0069d\":\"b\",\"title\":\"t\"}],"
	    "\"items\":[{\"id\":\"c\",\"id\":\"d\"}], \"ti\\tle\":1}";
	struct feed f;

	(void)state;
	assert_int_equal(parse(doc, strlen(doc), &f), RC_OK);
	assert_int_equal(f.format, FEED_JSON11);
	assert_int_equal(f.nitems, 1);
	assert_string_equal(f.items[0].id, "d");
	/* The version is a string that holds the marker, 1.0 without 1.1. */
	doc = "{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[]}";
	assert_int_equal(parse(doc, strlen(doc), &f), RC_OK);
	assert_int_equal(f.format, FEED_JSON10);
	doc = "{\"version\":\"jsonfeed.org\\/version\\/1.1\",\"items\":[]}";
	assert_int_equal(parse(doc, strlen(doc), &f), RC_OK);
	assert_int_equal(f.format, FEED_JSON11);
	doc = "{\"version\":\"https://jsonfeed.org/version/2\",\"items\":[]}";
	assert_int_equal(parse(doc, strlen(doc), &f), RC_INVALID);
	doc = "{\"version\":1,\"items\":[], \"v\":\"jsonfeed.org/version/1\"}";
	assert_int_equal(parse(doc, strlen(doc), &f), RC_INVALID);
}

/* Escapes decode as Jansson decodes them; controls from escapes are
 * dropped from the id (tab, CR, LF are white space and collapse). */
static void
test_strings(void **state)
{
	static const struct { const char *in, *id; } c[] = {
		{ "a\\\"b", "a\"b" }, { "a\\\\b", "a\\b" }, { "a\\/b", "a/b" },
		{ "\\u00e9\\u00E9", "\xc3\xa9\xc3\xa9" }, { "\\u20ac", "\xe2\x82\xac" },
		{ "\\ud83d\\ude00!", "\xf0\x9f\x98\x80!" }, { "x\\u0001y\\by", "xyy" },
		{ "a\\nb\\tc\\rd", "a b c d" }, { "\\u007f", "\x7f" },
		{ "caf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "caf\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" },
	};
	char doc[256];
	struct feed f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int n = snprintf(doc, sizeof(doc), HEAD "\"items\":[{\"id\":\"%s\"}]}",
		    c[i].in);
		assert_int_equal(parse(doc, (size_t)n, &f), RC_OK);
		assert_string_equal(f.items[0].id, c[i].id);
	}
}

/* Each snippet at every offset of strings of 0 to 24 bytes: the word loop,
 * its first-stop arithmetic and the byte loop near the end of the input
 * all see it, including escapes and sequences across word boundaries. */
static void
test_offsets(void **state)
{
	static const char *snip[] = {
		"\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0041",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf",
		/* invalid: */
		"\\", "\\x", "\\u00", "\\u0000", "\\ud83d", "\\ude00", "\\ud83d\\u0041",
		"\x80", "\xc3", "\xc3(", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf",
		"\xf4\x90\x80\x80", "\xf0\x9f\x98", "\xff", "\x01", "\x1f", "\x7f",
		"\"", "\"\"",
	};
	char s[64];
	size_t i, pad, off;

	(void)state;
	for (i = 0; i < sizeof(snip) / sizeof(snip[0]); i++) {
		size_t k = strlen(snip[i]);
		for (pad = 0; pad <= 24; pad++) {
			for (off = 0; off <= pad; off++) {
				memset(s, 'a', pad);
				memmove(s + off + k, s + off, pad - off);
				memcpy(s + off, snip[i], k);
				check_string(s, pad + k);
			}
		}
	}
	/* Control bytes, and every byte value after a backslash. */
	for (i = 0; i < 256; i++) {
		s[0] = 'a';
		s[1] = (char)i;
		s[2] = 'b';
		check_string(s, i == 0 ? 1 : 3);
		s[1] = '\\';
		s[2] = (char)i;
		s[3] = 'b';
		check_string(s, 4);
	}
}

/* Nesting up to Jansson's limit and one past it. */
static void
test_depth(void **state)
{
	size_t depths[] = { 2040, 2046, 2047, 2048, 2049, 4000 }, i, d, n, idlen;
	char *doc = malloc(2 * 4000 + 64), *id;
	struct feed f;
	bool ok;

	(void)state;
	assert_non_null(doc);
	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		n = (size_t)sprintf(doc, HEAD "\"items\":[],\"x\":");
		for (d = 0; d < depths[i]; d++)
			doc[n++] = '[';
		for (d = 0; d < depths[i]; d++)
			doc[n++] = ']';
		doc[n++] = '}';
		ok = jansson(doc, n, &id, &idlen);
		free(id);
		assert_int_equal(reader(doc, n, &f) == RC_OK, ok);
		assert_int_equal(ok, depths[i] <= 2047);
	}
	free(doc);
}

/* content_html is decoded into one reused buffer, not the arena: each
 * item's is its own, escapes and controls as in any other string, and the
 * arena holds only what the sanitizer wrote. */
static void
test_content_html(void **state)
{
	static const char doc[] = HEAD "\"items\":["
	    "{\"id\":\"1\",\"content_html\":\"<p class=\\\"a\\\">long caf\\u00e9 "
	    "text\\u0001 with \\\"quotes\\\" and more text after it</p>\"},"
	    "{\"id\":\"2\",\"content_html\":\"<b>x<\\/b>\"},"
	    "{\"id\":\"3\",\"content_html\":\"\"},"
	    "{\"id\":\"4\",\"content_html\":\"plain\"}]}";
	struct feed f;

	(void)state;
	assert_int_equal(parse(doc, sizeof(doc) - 1, &f), RC_OK);
	assert_int_equal(f.nitems, 4);
	assert_string_equal(f.items[0].content_html, "<p>long "
	    "caf\xc3\xa9 text with \"quotes\" and more text after it</p>");
	assert_string_equal(f.items[1].content_html, "<b>x</b>");
	assert_null(f.items[2].content_html);
	assert_string_equal(f.items[3].content_html, "plain");
}

/* doc through feed_parse: one item, the title "café", this encoding,
 * content_html and count of repaired bytes. */
static void
expect_read(const char *doc, size_t len, const char *encoding,
    const char *html, size_t repaired)
{
	struct feed f;

	assert_int_equal(parse(doc, len, &f), RC_OK);
	assert_string_equal(f.encoding, encoding);
	assert_string_equal(f.title, "caf\xc3\xa9");
	assert_int_equal(f.nitems, 1);
	assert_string_equal(f.items[0].content_html, html);
	assert_int_equal(f.repaired_bytes, repaired);
}

/* Through feed_parse, which reads UTF-8 JSON without a pass of its own
 * over the text and leaves the check to the reader: a document that is
 * not UTF-8 after all (in a string, in an item, outside any string) gets
 * the charset pass's repairs as before, with what the first reading had
 * allocated given back. */
static void
test_not_utf8(void **state)
{
	static const char ok[] = HEAD "\"title\":\"caf\xc3\xa9\",\"items\":["
	    "{\"id\":\"1\",\"content_html\":\"<p>\xc3\xa9t\xc3\xa9</p>\"}]}";
	static const char latin[] = HEAD "\"title\":\"caf\xe9\",\"items\":["
	    "{\"id\":\"1\",\"content_html\":\"<p>\xe9t\xe9</p>\"}]}";
	static const char mixed[] = HEAD "\"title\":\"caf\xc3\xa9\",\"items\":["
	    "{\"id\":\"1\",\"content_html\":\"<p>\x92t\xc3\xa9</p>\"}]}";
	static const char outside[] = HEAD "\"title\":\"x\",\"items\":[]\xe9}";
	struct feed f;

	(void)state;
	expect_read(ok, sizeof(ok) - 1, "utf-8", "<p>\xc3\xa9t\xc3\xa9</p>", 0);
	expect_read(latin, sizeof(latin) - 1, "windows-1252",
	    "<p>\xc3\xa9t\xc3\xa9</p>", 0);
	expect_read(mixed, sizeof(mixed) - 1, "utf-8",
	    "<p>\xe2\x80\x99t\xc3\xa9</p>", 1);

	/* Not JSON whichever way it is read. */
	assert_int_equal(parse(outside, sizeof(outside) - 1, &f), RC_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_not_utf8),
		cmocka_unit_test(test_content_html),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

/* Unit tests for widgets/htmltok.c: token streams as strings, tables of
 * inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/HTMLparser.h>

#include "util/buf.h"
#include "util/url.h"
#include "widgets/feeds/htmltok.h"

/*
 * The tokens of in, one per bracket: [<name a="v" b="">] (a trailing /
 * when self-closing), [</name>], [t:text] (adjacent text pieces joined,
 * raw text as [r:...]), [c:comment], [d:doctype].
 */
static const char *
toks(const char *in, size_t n)
{
	static char out[8192];
	struct htmltok t;
	struct buf b;
	enum htmltok_type ty, prev = HTMLTOK_EOF;
	bool prevraw = false;
	size_t i;

	htmltok_init(&t);
	htmltok_reset(&t, in, n);
	buf_init(&b, sizeof(out) - 1);
	while ((ty = htmltok_next(&t)) != HTMLTOK_EOF) {
		switch (ty) {
		case HTMLTOK_TEXT:
			if (t.len == 0)
				break;
			if (prev == HTMLTOK_TEXT && prevraw == t.raw) {
				b.len--; /* join with the open piece */
			} else {
				buf_appends(&b, t.raw ? "[r:" : "[t:");
			}
			buf_append(&b, t.text, t.len);
			buf_appendc(&b, ']');
			prevraw = t.raw;
			break;
		case HTMLTOK_START:
			buf_appendf(&b, "[<%s", t.name);
			for (i = 0; i < t.nattrs; i++) {
				assert_int_equal(strlen(t.attrs[i].name), t.attrs[i].nlen);
				assert_int_equal(strlen(t.attrs[i].value), t.attrs[i].vlen);
				buf_appendf(&b, " %s=\"%s\"", t.attrs[i].name,
				    t.attrs[i].value);
			}
			buf_appends(&b, t.self_closing ? "/>]" : ">]");
			break;
		case HTMLTOK_END:
			buf_appendf(&b, "[</%s>]", t.name);
			break;
		case HTMLTOK_COMMENT:
			buf_appendf(&b, "[c:%.*s]", (int)t.len, t.text);
			break;
		case HTMLTOK_DOCTYPE:
			buf_appendf(&b, "[d:%.*s]", (int)t.len, t.text);
			break;
		default:
			break;
		}
		if (ty != HTMLTOK_TEXT || t.len > 0)
			prev = ty;
	}
	assert_int_equal(t.err, RC_OK);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_fini(&b);
	htmltok_fini(&t);
	return out;
}

struct tcase {
	const char *in, *want;
};

static void
run_cases(const struct tcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *got = toks(c[i].in, strlen(c[i].in));
		if (strcmp(got, c[i].want) != 0)
			fail_msg("%s:\n got  %s\n want %s", c[i].in, got, c[i].want);
	}
}

static void
test_tags(void **state)
{
	static const struct tcase c[] = {
		{ "", "" },
		{ "plain", "[t:plain]" },
		{ "<P CLASS=x>a</P>", "[<p class=\"x\">][t:a][</p>]" },
		{ "<a href='s' title=\"d\" alt=u data-x>",
		  "[<a href=\"s\" title=\"d\" alt=\"u\" data-x=\"\">]" },
		{ "<a b = c d= \"e\" f =g>", "[<a b=\"c\" d=\"e\" f=\"g\">]" },
		{ "<a x=1 X=2 x=3 y>", "[<a x=\"1\" y=\"\">]" },
		{ "<br/><div />", "[<br/>][<div/>]" },
		{ "<img/src=x/onerror=y>", "[<img src=\"x/onerror=y\">]" },
		{ "<img/src=\"x\"/onerror=\"y\">", "[<img src=\"x\" onerror=\"y\">]" },
		{ "<a =b>", "[<a =b=\"\">]" },
		{ "<a \"x\"='y' <b>", "[<a \"x\"=\"y\" <b=\"\">]" },
		{ "<a href=x>>", "[<a href=\"x\">][t:>]" },
		{ "</a b=c>", "[</a>]" },
		{ "</a/>", "[</a>]" },
		{ "a < b <3 <>", "[t:a < b <3 <>]" },
		{ "</>x", "[t:x]" },
		{ "x</", "[t:x</]" },
		{ "</ x>y", "[c: x][t:y]" },
		{ "</3>", "[c:3]" },
		{ "<?xml version=1?>x", "[c:?xml version=1?][t:x]" },
		/* Cut by the end of the input: dropped. */
		{ "a<b", "[t:a]" },
		{ "a<b c", "[t:a]" },
		{ "a<b c=", "[t:a]" },
		{ "a<b c='d", "[t:a]" },
		{ "a<b c=d", "[t:a]" },
		{ "a</b", "[t:a]" },
		{ "<b c=d/", "" },
	};

	(void)state;
	run_cases(c, sizeof(c) / sizeof(c[0]));
}

static void
test_comments(void **state)
{
	static const struct tcase c[] = {
		{ "<!-- x -->y", "[c: x ][t:y]" },
		{ "<!---->y", "[c:][t:y]" },
		{ "<!-->y", "[c:][t:y]" },
		{ "<!--->y", "[c:][t:y]" },
		{ "<!-- a --!>y", "[c: a ][t:y]" },
		{ "<!-- a -- b -->y", "[c: a -- b ][t:y]" },
		{ "<!-- open", "[c: open]" },
		{ "<!DOCTYPE html>x", "[d: html][t:x]" },
		{ "<!doctype", "[d:]" },
		{ "<!ELEMENT a>x", "[c:ELEMENT a][t:x]" },
		{ "<![CDATA[<b>]]>", "[t:<![CDATA[][<b>][t:]]>]" },
		{ "<!' x>", "[t:<!' x>]" },
	};

	(void)state;
	run_cases(c, sizeof(c) / sizeof(c[0]));
}

static void
test_rawtext(void **state)
{
	static const struct tcase c[] = {
		{ "<script>a<b>&amp;</script>x",
		  "[<script>][r:a<b>&amp;][</script>][t:x]" },
		{ "<SCRIPT>a</Script >x", "[<script>][r:a][</script>][t:x]" },
		{ "<script>a</scripty></script>",
		  "[<script>][r:a</scripty>][</script>]" },
		{ "<script>a</script", "[<script>][r:a</script]" },
		{ "<style><img src=x></style>",
		  "[<style>][r:<img src=x>][</style>]" },
		{ "<textarea>&lt;b&gt;</textarea>",
		  "[<textarea>][r:<b>][</textarea>]" },
		{ "<title>a&amp;b</title>", "[<title>][r:a&b][</title>]" },
		{ "<xmp><b></xmp>", "[<xmp>][r:<b>][</xmp>]" },
		{ "<noscript><p title=\"</noscript><img>\">",
		  "[<noscript>][r:<p title=\"][</noscript>][<img>][t:\">]" },
		{ "<iframe><script></iframe>", "[<iframe>][r:<script>][</iframe>]" },
		{ "<plaintext></plaintext><b>", "[<plaintext>][r:</plaintext><b>]" },
		{ "<script>\x01\x7f</script>", "[<script>][r:\x01\x7f][</script>]" },
	};

	(void)state;
	run_cases(c, sizeof(c) / sizeof(c[0]));
}

static void
test_xml_selfclose(void **state)
{
	struct htmltok t;
	const char *in = "<iframe src=x /><b>";

	(void)state;
	htmltok_init(&t);
	t.xml_selfclose = true;
	htmltok_reset(&t, in, strlen(in));
	assert_int_equal(htmltok_next(&t), HTMLTOK_START);
	assert_string_equal(t.name, "iframe");
	assert_true(t.self_closing);
	assert_int_equal(htmltok_next(&t), HTMLTOK_START);
	assert_string_equal(t.name, "b");
	assert_false(t.raw);
	assert_int_equal(htmltok_next(&t), HTMLTOK_EOF);
	htmltok_fini(&t);
	/* Without the option, as browsers: raw text to the end. */
	assert_string_equal(toks(in, strlen(in)), "[<iframe src=\"x\"/>][r:<b>]");
}

static void
test_refs(void **state)
{
	static const struct tcase c[] = {
		{ "&amp;&lt;&gt;&quot;&apos;&nbsp;", "[t:&<>\"'\xc2\xa0]" },
		{ "&AMP;&LT;&Amp;", "[t:&<&Amp;]" },
		{ "&copy 2024 &copy;", "[t:\xc2\xa9 2024 \xc2\xa9]" },
		{ "&notit; &notin;", "[t:\xc2\xacit; \xe2\x88\x89]" },
		{ "&hellip;&mdash;&euro;", "[t:\xe2\x80\xa6\xe2\x80\x94\xe2\x82\xac]" },
		{ "&colon;&Tab;&lpar;", "[t::\t(]" },
		{ "&colon &bogus; & &; &# &#x &#x;", "[t:&colon &bogus; & &; &# &#x &#x;]" },
		{ "&#65;&#x42;&#X43;&#68", "[t:ABCD]" },
		{ "&#0;&#xD800;&#x110000;&#99999999999;",
		  "[t:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd]" },
		{ "&#128;&#x92;&#x81;", "[t:\xe2\x82\xac\xe2\x80\x99\xc2\x81]" },
		{ "&#x1F600;", "[t:\xf0\x9f\x98\x80]" },
		{ "<a href=\"?a=1&copy=2&amp;b&lt=3&lt;\">",
		  "[<a href=\"?a=1&copy=2&b&lt=3<\">]" },
		{ "<a t='&copy x' u=&amp v=&#106;&#0000115>",
		  "[<a t=\"\xc2\xa9 x\" u=\"&\" v=\"js\">]" },
		{ "<a href=\"jav&#x09;ascript:\">", "[<a href=\"jav\tascript:\">]" },
	};

	(void)state;
	run_cases(c, sizeof(c) / sizeof(c[0]));
}

static void
test_bytes(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} c[] = {
		/* NUL: dropped from text, U+FFFD elsewhere. */
		{ "a\0b", 3, "[t:ab]" },
		{ "<a\0 t=\"\0\">", 10, "[<a\xef\xbf\xbd t=\"\xef\xbf\xbd\">]" },
		{ "<script>\0</script>", 18, "[<script>][r:\xef\xbf\xbd][</script>]" },
		/* Bad UTF-8: one U+FFFD per maximal subpart. */
		{ "a\x80" "b", 3, "[t:a\xef\xbf\xbd" "b]" },
		{ "\xe2\x82x", 3, "[t:\xef\xbf\xbdx]" },
		{ "\xed\xa0\x80", 3, "[t:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd]" },
		{ "\xf0\x9f\x98", 3, "[t:\xef\xbf\xbd]" },
		{ "\xc0\xaf", 2, "[t:\xef\xbf\xbd\xef\xbf\xbd]" },
		{ "\xf4\x90\x80\x80", 4,
		  "[t:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd]" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		  "[t:\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80]" },
		{ "<p t='\xff'>", 9, "[<p t=\"\xef\xbf\xbd\">]" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *got = toks(c[i].in, c[i].n);
		if (strcmp(got, c[i].want) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, got, c[i].want);
	}
}

/*
 * Text longer than the 16-byte blocks the scanner reads at once: one
 * piece (markup, a reference, NUL, bad or good UTF-8) at every offset of
 * two blocks and the tail, in '.' filler; the tokens as toks() joins
 * them (no empty text pieces).
 */
static void
test_long_text(void **state)
{
	static const struct {
		const char *piece;
		size_t n;
		const char *want;
	} c[] = {
		{ "<b>", 3, "][<b>][t:" },
		{ "&amp;", 5, "&" },
		{ "&", 1, "&" },
		{ "<", 1, "<" },
		{ "\0", 1, "" },
		{ "\xff", 1, "\xef\xbf\xbd" },
		{ "\xe2\x80", 2, "\xef\xbf\xbd" },
		{ "\xc3\xa9", 2, "\xc3\xa9" },
		{ "\xe2\x80\x94", 3, "\xe2\x80\x94" },
		{ "\t\n>\x7f", 4, "\t\n>\x7f" },
	};
	char in[64], want[128], dots[41], *p;
	size_t i, pos;

	(void)state;
	memset(dots, '.', 40);
	dots[40] = '\0';
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (pos = 0; pos <= 40; pos++) {
			memset(in, '.', 40);
			memcpy(in + pos, c[i].piece, c[i].n);
			memset(in + pos + c[i].n, '.', 40 - pos);
			snprintf(want, sizeof(want), "[t:%.*s%s%.*s]", (int)pos,
			    dots, c[i].want, (int)(40 - pos), dots);
			while ((p = strstr(want, "[t:]")) != NULL)
				memmove(p, p + 4, strlen(p + 4) + 1);
			if (strcmp(toks(in, 40 + c[i].n), want) != 0)
				fail_msg("case %zu at %zu:\n got  %s\n want %s", i,
				    pos, toks(in, 40 + c[i].n), want);
		}
	}
}

static void
test_limits(void **state)
{
	char in[8192], name[200];
	struct htmltok t;
	size_t n = 0, i;

	(void)state;
	/* Attributes past HTMLTOK_MAX_ATTRS are skipped. */
	n += (size_t)snprintf(in + n, sizeof(in) - n, "<p");
	for (i = 0; i < HTMLTOK_MAX_ATTRS + 10; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, " a%zu=%zu", i, i);
	n += (size_t)snprintf(in + n, sizeof(in) - n, ">x");
	htmltok_init(&t);
	htmltok_reset(&t, in, n);
	assert_int_equal(htmltok_next(&t), HTMLTOK_START);
	assert_int_equal(t.nattrs, HTMLTOK_MAX_ATTRS);
	assert_string_equal(t.attrs[HTMLTOK_MAX_ATTRS - 1].value, "63");
	assert_int_equal(htmltok_next(&t), HTMLTOK_TEXT);
	/* Long tag names are cut and flagged; long attribute names skipped. */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = (size_t)snprintf(in, sizeof(in), "<%s %s=1 b=2></%s>", name, name,
	    name);
	htmltok_reset(&t, in, n);
	assert_int_equal(htmltok_next(&t), HTMLTOK_START);
	assert_true(t.name_long);
	assert_int_equal(t.nlen, HTMLTOK_MAX_NAME);
	assert_int_equal(t.nattrs, 1);
	assert_string_equal(t.attrs[0].name, "b");
	assert_int_equal(htmltok_next(&t), HTMLTOK_END);
	assert_true(t.name_long);
	assert_int_equal(htmltok_next(&t), HTMLTOK_EOF);
	htmltok_fini(&t);
}

static void
test_charref_api(void **state)
{
	char out[8];
	size_t olen;

	(void)state;
	assert_int_equal(htmltok_charref("&amp;x", 6, false, out, &olen), 5);
	assert_int_equal(olen, 1);
	assert_int_equal(out[0], '&');
	assert_int_equal(htmltok_charref("&", 1, false, out, &olen), 0);
	assert_int_equal(htmltok_charref("&copy=", 6, true, out, &olen), 0);
	assert_int_equal(htmltok_charref("&copy=", 6, false, out, &olen), 5);
	assert_int_equal(htmltok_cp1252_c1(0x92), 0x2019);
	assert_int_equal(htmltok_cp1252_c1(0x81), 0x81);
}

/* The named references are libxml2's HTML 4 table (walked by value, as
 * the table in htmltok.c was made from it): each name with ';' gives its
 * character, without ';' only the legacy ones (ISO-8859-1 and quot, amp,
 * lt, gt; not apos) up to 6 letters; the HTML5 extras too. */
static void
test_entity_table(void **state)
{
	static const struct { const char *name; uint32_t cp; } extras[] = {
		{ "AMP", '&' }, { "QUOT", '"' }, { "Tab", '\t' }, { "NewLine", '\n' },
		{ "sol", '/' }, { "colon", ':' }, { "lpar", '(' }, { "bsol", '\\' },
		{ "apos", '\'' },
	};
	char doc[64], out[8], want[8];
	size_t olen, wlen, len, i, found = 0;
	uint32_t cp;

	(void)state;
	for (cp = 1; cp < 0x110000; cp++) {
		const htmlEntityDesc *e = htmlEntityValueLookup(cp);
		bool legacy = cp <= 0xff && cp != '\'';
		if (e == NULL || e->value != cp)
			continue;
		found++;
		len = strlen(e->name);
		wlen = utf8_encode(want, cp);
		snprintf(doc, sizeof(doc), "&%s;", e->name);
		assert_int_equal(htmltok_charref(doc, len + 2, false, out, &olen),
		    len + 2);
		assert_memory_equal(out, want, wlen);
		assert_int_equal(olen, wlen);
		snprintf(doc, sizeof(doc), "&%s ", e->name);
		if (legacy && len <= 6) {
			assert_int_equal(htmltok_charref(doc, len + 2, false, out,
			    &olen), len + 1);
			assert_memory_equal(out, want, wlen);
		} else {
			assert_int_not_equal(htmltok_charref(doc, len + 2, false,
			    out, &olen), len + 1);
		}
	}
	assert_int_equal(found, 253);
	for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		len = strlen(extras[i].name);
		snprintf(doc, sizeof(doc), "&%s;", extras[i].name);
		assert_int_equal(htmltok_charref(doc, len + 2, false, out, &olen),
		    len + 2);
		assert_int_equal(olen, 1);
		assert_int_equal((unsigned char)out[0], extras[i].cp);
	}
	assert_int_equal(htmltok_charref("&apos ", 6, false, out, &olen), 0);
	assert_int_equal(htmltok_charref("&zzzz;", 6, false, out, &olen), 0);
	assert_int_equal(htmltok_charref("&Amp;", 5, false, out, &olen), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_rawtext),
		cmocka_unit_test(test_xml_selfclose),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_charref_api),
		cmocka_unit_test(test_entity_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

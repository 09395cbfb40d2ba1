/* test_feed_prep: the body made clean UTF-8 XML before parsing: charset
 * detection and conversion, characters XML forbids, references, bare '&',
 * DOCTYPE, comments, PIs and CDATA sections taken out; special bytes at
 * every offset around the 16-byte blocks of the scans and at the end of
 * the buffer (exact-size heap copies, so a sanitizer build sees any read
 * past it); the output bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/arena_fixture.h"
#include "util/arena.h"
#include "widgets/feeds/feed_entities.h"
#include "widgets/feeds/feed_libxml.h"
#include "widgets/feeds/feed_prep.h"
#include "util/utf8.h"

#include <libxml/HTMLparser.h>


/* feed_prep_xml of body[0..n) (an exact-size heap copy), UTF-8 taken as
 * it is; the output in *out (heap, NUL-terminated). */
static enum rc
prep_n(const char *body, size_t n, char **out, struct feed_prep_text *t)
{
	char *copy = malloc(n > 0 ? n : 1);
	enum rc rc;

	assert_non_null(copy);
	memcpy(copy, body, n);
	memset(t, 0, sizeof(*t));
	t->s = copy;
	t->len = n;
	arena_reset(A);
	rc = feed_prep_xml(t, A);
	*out = NULL;
	if (rc == RC_OK) {
		assert_int_equal(t->xml[t->xml_len], '\0');
		*out = strndup(t->xml, t->xml_len);
		assert_non_null(*out);
	}
	free(copy);
	t->s = NULL;
	feed_prep_text_fini(t);
	return rc;
}

static void
expect_prep(const char *in, const char *want)
{
	struct feed_prep_text t;
	char *out;

	assert_int_equal(prep_n(in, strlen(in), &out, &t), RC_OK);
	if (strcmp(out, want) != 0)
		fail_msg("prep(\"%s\"):\n got  \"%s\"\n want \"%s\"", in, out, want);
	free(out);
}

static void
test_characters(void **state)
{
	(void)state;
	/* C0 controls go (tab, LF, CR stay), C1 read as windows-1252. */
	expect_prep("<a>x\x01y\x1f\tz\r\n</a>", "<a>xy\tz\r\n</a>");
	expect_prep("<a>\x08\x0b\x0c\x0e</a>", "<a></a>");
	expect_prep("<a>\xc2\x85\xc2\x93q\xc2\x94</a>",
	    "<a>\xe2\x80\xa6\xe2\x80\x9cq\xe2\x80\x9d</a>");
	/* Non-characters go; the CDATA markers U+E000/U+E001 become U+FFFD;
	 * other characters on those lead bytes stay. */
	expect_prep("<a>\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd</a>",
	    "<a>\xef\xbf\xbd</a>");
	expect_prep("<a>\xee\x80\x80\xee\x80\x81\xee\x80\x82</a>",
	    "<a>\xef\xbf\xbd\xef\xbf\xbd\xee\x80\x82</a>");
	expect_prep("<a>\xc2\xa0\xc3\xa9</a>", "<a>\xc2\xa0\xc3\xa9</a>");
	/* A lead byte cut by the end of the buffer is copied as it is. */
	expect_prep("<a/>\xc2", "<a/>\xc2");
	expect_prep("<a/>\xef\xbf", "<a/>\xef\xbf");
}

static void
test_references(void **state)
{
	(void)state;
	/* The XML five stay; HTML names and other numbers become decimal. */
	expect_prep("<a>&amp;&lt;&gt;&quot;&apos;</a>",
	    "<a>&amp;&lt;&gt;&quot;&apos;</a>");
	expect_prep("<a>&nbsp;&hellip;&eacute;</a>", "<a>&#160;&#8230;&#233;</a>");
	expect_prep("<a>&#x26;&#X41;&#0065;</a>", "<a>&#38;&#65;&#65;</a>");
	/* C1 numbers read as windows-1252, forbidden ones dropped, too big
	 * ones U+FFFD. */
	expect_prep("<a>&#150;&#1;&#xFFFE;&#1114112;</a>", "<a>&#8211;&#65533;</a>");
	/* UTF-8 written as Latin-1 references. */
	expect_prep("<a>&#226;&#128;&#166;|&acirc;&#128;&brvbar;</a>",
	    "<a>&#8230;|&#8230;</a>");
	expect_prep("<a>&#226;&#128;x</a>", "<a>&#226;&#8364;x</a>");
	/* Bare '&', unknown names, unterminated references. */
	expect_prep("<a>AT&T &foo; &#; &#x; &amp &</a>",
	    "<a>AT&amp;T &amp;foo; &amp;#; &amp;#x; &amp;amp &amp;</a>");
	expect_prep("<a b=\"x&y&amp;\"/>", "<a b=\"x&amp;y&amp;\"/>");
	/* At the very end. */
	expect_prep("<a/>&", "<a/>&amp;");
	expect_prep("<a/>&amp", "<a/>&amp;amp");
	expect_prep("<a/>&lt;", "<a/>&lt;");
}

static void
test_markup(void **state)
{
	(void)state;
	/* Comments and PIs copied (characters fixed inside); plain '<'
	 * copied; markers in them too. */
	expect_prep("<?xml version=\"1.0\"?><!-- c & \x01 <x> --><a>1 < 2</a>",
	    "<?xml version=\"1.0\"?><!-- c &  <x> --><a>1 < 2</a>");
	expect_prep("<a><?pi & ?></a>", "<a><?pi & ?></a>");
	expect_prep("<a><!-->--></a>", "<a><!-->--></a>");
	expect_prep("<a><!-- x -></a>", "<a><!-- x -></a>");
	expect_prep("<a/><", "<a/><");
	expect_prep("<a/><!", "<a/><!");
	expect_prep("<a/><?", "<a/><?");
	/* Short CDATA stays. */
	expect_prep("<a><![CDATA[x & <y>]]></a>", "<a><![CDATA[x & <y>]]></a>");
	/* An unterminated one runs to the end and stays. */
	expect_prep("<a><![CDATA[0123456789012345678901234567890123456789",
	    "<a><![CDATA[0123456789012345678901234567890123456789");
	/* The DOCTYPE goes; its simple entities are applied, the others
	 * (external, parameter, nested) read as unknown names. */
	expect_prep("<!DOCTYPE r [<!ENTITY e \"v&#65;<\"><!ENTITY x SYSTEM "
	    "\"file:///etc/passwd\"><!ENTITY n \"&e;\"><!-- ] -->]><r>&e;&x;&n;</r>",
	    "<r>v&#65;&lt;&amp;x;&amp;n;</r>");
	expect_prep("<!doctype html><r/>", "<r/>");
}

static void
test_cdata_out(void **state)
{
	struct feed_prep_text t;
	const char *in = "<a><![CDATA[0123456789 <b>&amp;</b> 0123456789 \x01"
	    "0123456789]]><![CDATA[short]]><![CDATA[\xee\x80\x80"
	    "012345678901234567890123456789]]></a>";
	char *copy = strdup(in);

	(void)state;
	assert_non_null(copy);
	memset(&t, 0, sizeof(t));
	t.s = copy;
	t.len = strlen(copy);
	arena_reset(A);
	assert_int_equal(feed_prep_xml(&t, A), RC_OK);
	assert_string_equal(t.xml, "<a>\xee\x80\x80" "0\xee\x80\x81"
	    "<![CDATA[short]]>\xee\x80\x80" "1\xee\x80\x81</a>");
	assert_int_equal(t.ncdata, 2);
	assert_string_equal(t.cdata[0],
	    "0123456789 <b>&amp;</b> 0123456789 0123456789");
	assert_int_equal(t.cdata_len[0], strlen(t.cdata[0]));
	assert_string_equal(t.cdata[1],
	    "\xef\xbf\xbd" "012345678901234567890123456789");
	t.s = NULL;
	feed_prep_text_fini(&t);
	free(copy);
}

/* One special sequence at every offset of buffers around the block size
 * of the scans (16): the output is the input with that sequence fixed. */
static void
test_offsets(void **state)
{
	static const struct {
		const char *in, *out;
	} seqs[] = {
		{ "\x01", "" }, { "\t", "\t" }, { "\n", "\n" }, { "&", "&amp;" },
		{ "&amp;", "&amp;" }, { "&nbsp;", "&#160;" }, { "<", "<" },
		{ "<b>", "<b>" }, { "<!-- x -->", "<!-- x -->" },
		{ "\xc2\x80", "\xe2\x82\xac" }, { "\xc2\xa9", "\xc2\xa9" },
		{ "\xef\xbf\xbf", "" }, { "\xee\x80\x80", "\xef\xbf\xbd" },
		{ "\xe2\x82\xac", "\xe2\x82\xac" }, { "]]>", "]]>" },
	};
	char in[128], want[128];
	size_t s, len, k;

	(void)state;
	for (s = 0; s < sizeof(seqs) / sizeof(seqs[0]); s++) {
		size_t il = strlen(seqs[s].in), ol = strlen(seqs[s].out);
		for (len = il; len <= 50; len++) {
			for (k = 0; k + il <= len; k++) {
				struct feed_prep_text t;
				char *out;
				memset(in, 'x', len);
				memcpy(in + k, seqs[s].in, il);
				memset(want, 'x', k);
				memcpy(want + k, seqs[s].out, ol);
				memset(want + k + ol, 'x', len - k - il);
				want[k + ol + len - k - il] = '\0';
				assert_int_equal(prep_n(in, len, &out, &t), RC_OK);
				if (strcmp(out, want) != 0)
					fail_msg("seq %zu at %zu of %zu: got \"%s\"",
					    s, k, len, out);
				free(out);
			}
		}
	}
}

/* Bare '&' grow the output past its first allocation; a body made of
 * them is refused. */
static void
test_growth_and_bound(void **state)
{
	struct feed_prep_text t;
	size_t n = 100000, i;
	char *in = malloc(400000), *out;

	(void)state;
	assert_non_null(in);
	memset(in, '&', n);
	assert_int_equal(prep_n(in, n, &out, &t), RC_OK);
	assert_int_equal(strlen(out), 5 * n);
	for (i = 0; i < 5 * n; i += 5)
		assert_memory_equal(out + i, "&amp;", 5);
	free(out);
	memset(in, '&', 400000);
	assert_int_equal(prep_n(in, 400000, &out, &t), RC_TOOBIG);
	assert_null(out);
	free(in);
	/* An empty body is an empty document. */
	assert_int_equal(prep_n("", 0, &out, &t), RC_OK);
	assert_string_equal(out, "");
	free(out);
}

static void
expect_decode(const char *body, size_t n, const char *ct, const char *want,
    const char *enc, bool fallback)
{
	struct feed_prep_text t;

	assert_int_equal(feed_prep_decode(body, n, ct, true, &t), RC_OK);
	assert_int_equal(t.len, strlen(want));
	assert_memory_equal(t.s, want, t.len);
	assert_string_equal(t.encoding, enc);
	assert_int_equal(t.fallback, fallback);
	feed_prep_text_fini(&t);
}

static void
test_decode(void **state)
{
	static const char u16[] = "\xff\xfe<\0a\0/\0>\0\xe9\0";
	static const char u8bom[] = "\xef\xbb\xbf<a>\xc3\xa9</a>";

	(void)state;
	expect_decode("<a>\xc3\xa9</a>", 9, NULL, "<a>\xc3\xa9</a>", "utf-8",
	    false);
	/* Invalid UTF-8: windows-1252. */
	expect_decode("<a>\xe9\x80</a>", 9, NULL, "<a>\xc3\xa9\xe2\x82\xac</a>",
	    "windows-1252", true);
	/* UTF-8 with a stray windows-1252 byte: the valid sequences stay,
	 * each bad byte is read as windows-1252. */
	expect_decode("<a>\xc3\xa9\x92\xe2\x82</a>", 12, NULL,
	    "<a>\xc3\xa9\xe2\x80\x99\xc3\xa2\xe2\x80\x9a</a>", "utf-8", true);
	/* Valid UTF-8 labelled Latin-1 is UTF-8; real Latin-1 is not. */
	expect_decode("<a>\xc3\xa9</a>", 9, "text/xml; charset=ISO-8859-1",
	    "<a>\xc3\xa9</a>", "utf-8", false);
	expect_decode("<?xml version='1.0' encoding='iso-8859-1'?><a>\xe9</a>",
	    51, NULL, "<?xml version='1.0' encoding='iso-8859-1'?><a>\xc3\xa9</a>",
	    "windows-1252", false);
	/* BOMs. */
	expect_decode(u16, sizeof(u16) - 1, NULL, "<a/>\xc3\xa9", "UTF-16LE",
	    false);
	expect_decode(u8bom, sizeof(u8bom) - 1, "text/xml; charset=latin1",
	    "<a>\xc3\xa9</a>", "utf-8", false);
	/* A header naming UTF-16 over 8-bit text is ignored. */
	expect_decode("<a>x</a>", 8, "application/xml; charset=utf-16",
	    "<a>x</a>", "utf-8", false);
	/* Unknown charsets: UTF-8 if it is. */
	expect_decode("<a>\xc3\xa9</a>", 9, "text/xml; charset=x-nonsense",
	    "<a>\xc3\xa9</a>", "utf-8", true);
	/* Long ASCII runs with one multi-byte character at the end of the
	 * buffer, and one cut there (invalid). */
	{
		char b[81];
		memset(b, 'a', 78);
		memcpy(b + 78, "\xc3\xa9", 3);
		expect_decode(b, 80, NULL, b, "utf-8", false);
		expect_decode(b, 79, "text/xml; charset=utf-8",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaa\xc3\x83", "windows-1252", true);
	}
}

/* feed_prep_utf8_as_is says yes exactly where feed_prep_decode would take
 * the text as it is if it were valid, and then gives the same view. */
static void
test_utf8_as_is(void **state)
{
	static const struct {
		const char *body;
		size_t n;
		const char *ct;
		bool xml, yes;
		size_t skip;         /* the BOM passed over */
	} c[] = {
		{ "{\"a\":\"\xc3\xa9\"}", 10, NULL, false, true, 0 },
		{ "{\"a\":\"\xe9\"}", 9, NULL, false, true, 0 },  /* unchecked */
		{ "{\"a\":1}", 7, "application/feed+json; charset=utf-8", false, true, 0 },
		{ "\xef\xbb\xbf{}", 5, "application/json; charset=latin1", false, true, 3 },
		{ "{\"a\":1}", 7, "application/json; charset=utf-16", false, true, 0 },
		{ "{\"a\":\"\xc3\xa9\"}", 10, "application/json; charset=iso-8859-1", false, false, 0 },
		{ "{\"a\":1}", 7, "application/json; charset=x-nonsense", false, false, 0 },
		{ "\xff\xfe{\0}\0", 6, NULL, false, false, 0 },
		{ "<?xml version='1.0' encoding='iso-8859-1'?><a/>", 47, NULL, true, false, 0 },
		{ "<?xml version='1.0' encoding='utf-8'?><a/>", 42, NULL, true, true, 0 },
	};
	struct feed_prep_text t, d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool yes = feed_prep_utf8_as_is(c[i].body, c[i].n, c[i].ct,
		    c[i].xml, &t);
		if (yes != c[i].yes)
			fail_msg("case %zu: %d", i, yes);
		if (!yes)
			continue;
		assert_ptr_equal(t.s, c[i].body + c[i].skip);
		assert_int_equal(t.len, c[i].n - c[i].skip);
		assert_string_equal(t.encoding, "utf-8");
		assert_null(t.owned);
		/* Where the text is valid, feed_prep_decode takes it so too. */
		assert_int_equal(feed_prep_decode(c[i].body, c[i].n, c[i].ct,
		    c[i].xml, &d), RC_OK);
		if (utf8_valid(t.s, t.len)) {
			assert_ptr_equal(d.s, t.s);
			assert_int_equal(d.len, t.len);
			assert_string_equal(d.encoding, "utf-8");
		} else {
			assert_non_null(d.owned);
		}
		feed_prep_text_fini(&d);
	}
}

static void
test_xml_start(void **state)
{
	static const struct {
		const char *s;
		const char *at;      /* where the XML starts, NULL: at 0 */
	} c[] = {
		{ "<?xml version='1.0'?><rss/>", NULL },
		{ "<rss version='2.0'/>", NULL },
		{ "\n\n<rss/>", NULL },
		{ "<!-- c --><?xml version='1.0'?><rss/>", NULL },
		{ "<!DOCTYPE rss [<!ENTITY a 'b'>]><rss/>", NULL },
		{ "\n  <?xml version='1.0'?><rss/>", "<?xml" },
		{ "<br />\n<b>Notice</b>: x<br />\n<?xml version='1.0'?><rss/>",
		    "<?xml" },
		{ "Warning: x\n<?xml version='1.0'?><feed/>", "<?xml" },
		{ "Warning: x\n<feed xmlns='a'/>", "<feed" },
		{ "<b>Notice</b><rdf:RDF/>", "<rdf:RDF" },
		{ "<html><body>not a feed</body></html>", NULL },
		/* Binary bytes are a broken body, not junk before a feed. */
		{ "\x8b\x01\x02garbage\x1b<rss><channel>", NULL },
		{ "PK\x03\x04<?xml version='1.0'?><rss/>", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t want = c[i].at == NULL ? 0 :
		    (size_t)(strstr(c[i].s, c[i].at) - c[i].s);
		size_t got = feed_prep_xml_start(c[i].s, strlen(c[i].s));
		if (got != want)
			fail_msg("case %zu: %zu, want %zu", i, got, want);
	}
	/* The declaration's charset counts after junk too. */
	expect_decode("\n <?xml version='1.0' encoding='iso-8859-1'?><a>\xe9</a>",
	    53, NULL, "\n <?xml version='1.0' encoding='iso-8859-1'?><a>\xc3\xa9</a>",
	    "windows-1252", false);
}

/* The HTML 4 table is libxml2's: every code point libxml2 names, by the
 * same name, and nothing more (libxml2 is linked into the tests only). */
static void
test_entities_html4(void **state)
{
	static const char *const none[] = { "", "AMP", "Nbsp", "nbsp;", "zz",
		"hellip2", "ap", "NotAnEntity", "\xc3\xa9" };
	size_t seen = 0;
	uint32_t cp;

	(void)state;
	for (uint32_t v = 0; v < 0x10000; v++) {
		const htmlEntityDesc *d = htmlEntityValueLookup(v);
		if (d == NULL || d->value != v)
			continue;
		seen++;
		assert_true(feed_entity_html4(d->name, &cp));
		assert_int_equal(cp, v);
	}
	assert_int_equal(seen, 253);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_false(feed_entity_html4(none[i], &cp));
		assert_null(htmlEntityLookup((const xmlChar *)none[i]));
	}
	assert_true(feed_entity_html4("eacute", &cp));
	assert_int_equal(cp, 0xe9);
}

/* libxml2 on demand: a library that is not there, or is not libxml2,
 * is refused (the parser then reads no document that needs it); the
 * real one loads and parses. */
static void
test_libxml_on_demand(void **state)
{
	struct feed_libxml x;
	const struct feed_libxml *lx;
	xmlParserCtxtPtr c;
	xmlDocPtr d;

	(void)state;
	assert_false(feed_libxml_open("libsocialhub-no-such-library.so.9", &x));
	assert_false(feed_libxml_open("libc.so.6", &x));
	lx = feed_libxml();
	assert_non_null(lx);
	assert_ptr_equal(feed_libxml(), lx);
	c = lx->new_parser_ctxt();
	assert_non_null(c);
	d = lx->ctxt_read_memory(c, "<a>x</a>", 8, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(d);
	lx->free_doc(d);
	lx->free_parser_ctxt(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_characters),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_cdata_out),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_growth_and_bound),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_utf8_as_is),
		cmocka_unit_test(test_xml_start),
		cmocka_unit_test(test_entities_html4),
		cmocka_unit_test(test_libxml_on_demand),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

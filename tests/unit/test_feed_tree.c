/* test_feed_tree: the arena tree: names and namespaces, attributes, text
 * and CDATA, references, the depth bound, recover mode, broken and
 * truncated input, running out of arena; and the feed_xml reader against
 * libxml2: what it refuses, and the same tree for everything it accepts
 * (every case here, and the feedparser corpus). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/arena_fixture.h"
#include "tests/unit/corpus_walk.h"
#include "tests/unit/tree_diff.h"
#include "util/arena.h"
#include "widgets/feeds/feed_prep.h"
#include "widgets/feeds/feed_tree.h"
#include "widgets/feeds/feed_xml.h"


/* When feed_xml takes xml[0..len), libxml2 must call it well-formed and
 * build the same tree. Returns whether feed_xml took it. */
static bool
check_fast(const char *xml, size_t len, int max_depth)
{
	struct arena *b = arena_new(1 << 16, 0);
	struct feed_tree fast, ref;
	char why[256];
	enum rc rc;

	assert_non_null(b);
	rc = feed_tree_parse_with(b, xml, len, max_depth, FEED_TREE_FAST, &fast);
	if (rc != RC_OK) {
		assert_int_equal(rc, RC_INVALID);
		arena_free(b);
		return false;
	}
	assert_int_equal(feed_tree_parse_with(A, xml, len, max_depth,
	    FEED_TREE_LIBXML2, &ref), RC_OK);
	if (ref.recovered)
		fail_msg("feed_xml took what libxml2 recovers: %.200s", xml);
	if (!tree_same(&fast, &ref, why, sizeof(why)))
		fail_msg("feed_xml and libxml2 differ: %s in %.200s", why, xml);
	/* The lenient reading differs only where the document is wrong. */
	arena_reset(b);
	assert_int_equal(feed_tree_parse_with(b, xml, len, max_depth,
	    FEED_TREE_LENIENT, &fast), RC_OK);
	if (!fast.moved && !tree_same(&fast, &ref, why, sizeof(why)))
		fail_msg("lenient reading and libxml2 differ: %s in %.200s", why,
		    xml);
	arena_free(b);
	return true;
}

static struct feed_node *
parse(const char *xml, struct feed_tree *t)
{
	enum rc rc = feed_tree_parse(A, xml, strlen(xml), 0, t);

	check_fast(xml, strlen(xml), 0);
	if (rc != RC_OK)
		fail_msg("parse failed (%s): %s", rc_str(rc), xml);
	return t->root;
}

/* The n-th element child (0-based), or NULL. */
static const struct feed_node *
elem(const struct feed_node *n, int i)
{
	const struct feed_node *k;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM && i-- == 0)
			return k;
	}
	return NULL;
}

static int
count_children(const struct feed_node *n)
{
	const struct feed_node *k;
	int i = 0;

	for (k = n->children; k != NULL; k = k->next)
		i++;
	return i;
}

static const struct feed_attr *
attr(const struct feed_node *n, const char *name)
{
	const struct feed_attr *a;

	for (a = n->attrs; a != NULL; a = a->next) {
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

/* The one text child of n. */
static const char *
text_of(const struct feed_node *n)
{
	if (n->children == NULL)
		return NULL;
	assert_int_equal(n->children->type, FEED_NODE_TEXT);
	assert_null(n->children->next);
	assert_int_equal(strlen(n->children->text), n->children->len);
	return n->children->text;
}

/* ---- names and namespaces ---- */

static void
test_namespaces(void **state)
{
	static const struct {
		int child;            /* element child of the root; -1: root */
		const char *name;
		int kind;             /* -1: no namespace record */
		const char *ns;
	} want[] = {
		{ -1, "feed", FEED_SYM_URI, "http://www.w3.org/2005/Atom" },
		{ 0, "title", FEED_SYM_URI, "http://www.w3.org/2005/Atom" },
		{ 1, "creator", FEED_SYM_URI, "http://purl.org/dc/elements/1.1/" },
		{ 2, "thumbnail", FEED_SYM_PREFIX, "media" },   /* undeclared */
		{ 3, "plain", -1, NULL },                        /* xmlns="" */
		{ 4, "x", FEED_SYM_URI, "urn:other" },           /* redeclared */
		{ 5, "title", FEED_SYM_URI, "http://www.w3.org/2005/Atom" },
	};
	struct feed_tree t;
	const struct feed_node *root, *n;
	size_t i;

	(void)state;
	root = parse("<?xml version=\"1.0\"?>"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
	    "<title>T</title><dc:creator>C</dc:creator>"
	    "<media:thumbnail url=\"u\"/><plain xmlns=\"\"/>"
	    "<dc:x xmlns:dc=\"urn:other\"/>"
	    "<a:title xmlns:a=\"http://www.w3.org/2005/Atom\"/></feed>", &t);
	assert_true(t.recovered);    /* media: is not declared */
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		n = want[i].child < 0 ? root : elem(root, want[i].child);
		assert_non_null(n);
		assert_int_equal(n->type, FEED_NODE_ELEM);
		assert_string_equal(n->name, want[i].name);
		if (want[i].kind < 0) {
			assert_null(n->ns);
			continue;
		}
		assert_non_null(n->ns);
		assert_int_equal(n->ns->kind, want[i].kind);
		assert_string_equal(n->ns->s, want[i].ns);
		assert_int_equal(n->ns->len, strlen(want[i].ns));
	}
	/* One record per URI: equal URIs compare as pointers. */
	assert_ptr_equal(root->ns, elem(root, 0)->ns);
	assert_ptr_equal(root->ns, elem(root, 5)->ns);
	assert_ptr_not_equal(elem(root, 1)->ns, elem(root, 4)->ns);
	/* Parents and order. */
	assert_null(root->parent);
	assert_ptr_equal(elem(root, 3)->parent, root);
	assert_int_equal(count_children(root), 6);
	assert_string_equal(text_of(elem(root, 1)), "C");
}

static void
test_undeclared_prefix_recovered(void **state)
{
	struct feed_tree t;
	const struct feed_node *root;

	(void)state;
	/* libxml2 reports the undeclared prefix as a namespace error: the
	 * tree keeps it as a prefix record, the document reads as recovered. */
	root = parse("<rss><channel><dc:date>2024</dc:date></channel></rss>",
	    &t);
	assert_true(t.recovered);
	assert_string_equal(elem(elem(root, 0), 0)->name, "date");
	assert_int_equal(elem(elem(root, 0), 0)->ns->kind, FEED_SYM_PREFIX);
	assert_string_equal(elem(elem(root, 0), 0)->ns->s, "dc");
}

/* ---- attributes ---- */

static void
test_attributes(void **state)
{
	static const struct {
		const char *name;
		const char *value;     /* NULL: no such attribute */
		const char *prefix;
		int kind;              /* -1: no namespace */
		const char *ns;
	} want[] = {
		{ "href", "http://x/?a=1&b=2", NULL, -1, NULL },
		{ "lang", "en", "xml", FEED_SYM_URI,
		    "http://www.w3.org/XML/1998/namespace" },
		{ "about", "urn:a", "rdf", FEED_SYM_URI,
		    "http://www.w3.org/1999/02/22-rdf-syntax-ns#" },
		{ "foo", "bar", "zz", FEED_SYM_PREFIX, "zz" },  /* undeclared */
		{ "refs", "<A>\"'&amp;\xc3\xa9", NULL, -1, NULL },
		{ "ws", "a b c", NULL, -1, NULL },              /* normalized */
		{ "empty", "", NULL, -1, NULL },
	};
	struct feed_tree t;
	const struct feed_node *root;
	const struct feed_attr *a;
	size_t i;
	int n = 0;

	(void)state;
	root = parse("<item xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	    " href=\"http://x/?a=1&amp;b=2\" xml:lang=\"en\" rdf:about=\"urn:a\""
	    " zz:foo=\"bar\" refs=\"&lt;&#x41;&#62;&quot;&apos;&amp;amp;&#233;\""
	    " ws=\"a\tb\nc\" empty=\"\"/>", &t);
	for (a = root->attrs; a != NULL; a = a->next)
		n++;
	assert_int_equal(n, (int)(sizeof(want) / sizeof(want[0])));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = attr(root, want[i].name);
		assert_non_null(a);
		assert_non_null(a->value);
		assert_string_equal(a->value, want[i].value);
		if (want[i].prefix == NULL)
			assert_null(a->prefix);
		else
			assert_string_equal(a->prefix, want[i].prefix);
		if (want[i].kind < 0) {
			assert_null(a->ns);
		} else {
			assert_non_null(a->ns);
			assert_int_equal(a->ns->kind, want[i].kind);
			assert_string_equal(a->ns->s, want[i].ns);
		}
	}
	/* Document order. */
	assert_string_equal(root->attrs->name, "href");
	/* An undefined entity in a value is kept as written (lenient). */
	root = parse("<a v=\"x&nosuch;y\" w=\"&#0;\"/>", &t);
	assert_true(t.recovered);
	assert_string_equal(attr(root, "v")->value, "x&nosuch;y");
}

/* ---- text ---- */

static void
test_text_cdata(void **state)
{
	static const struct {
		const char *xml;
		const char *text;      /* the one text child of the root */
	} c[] = {
		{ "<a>plain</a>", "plain" },
		{ "<a>x<![CDATA[<b>&amp;</b>]]>y</a>", "x<b>&amp;</b>y" },
		{ "<a><![CDATA[only]]></a>", "only" },
		{ "<a>1 &lt; 2 &amp;&amp; &#x263A; &#65;</a>",
		    "1 < 2 && \xe2\x98\xba A" },
		{ "<a>be<!-- gone -->fore<?pi x?>after</a>", "beforeafter" },
		{ "<a>  \n\t </a>", "  \n\t " },
		{ "<a>caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac</a>",
		    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac" },
		/* Not well-formed: read leniently, the reference kept as
		 * written (libxml2's recover mode dropped it). */
		{ "<a>x&undefined;y</a>", "x&undefined;y" },
	};
	struct feed_tree t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const struct feed_node *r = parse(c[i].xml, &t);
		const char *s = text_of(r);
		if (s == NULL || strcmp(s, c[i].text) != 0)
			fail_msg("%s: got \"%s\" want \"%s\"", c[i].xml,
			    s ? s : "(null)", c[i].text);
	}
}

static void
test_mixed_content(void **state)
{
	struct feed_tree t;
	const struct feed_node *r, *k;

	(void)state;
	r = parse("<div>a<b>bold</b>c<br/>d</div>", &t);
	k = r->children;
	assert_int_equal(k->type, FEED_NODE_TEXT);
	assert_string_equal(k->text, "a");
	k = k->next;
	assert_int_equal(k->type, FEED_NODE_ELEM);
	assert_string_equal(text_of(k), "bold");
	assert_ptr_equal(k->children->parent, k);
	k = k->next;
	assert_string_equal(k->text, "c");
	k = k->next;
	assert_string_equal(k->name, "br");
	assert_null(k->children);
	k = k->next;
	assert_string_equal(k->text, "d");
	assert_null(k->next);
	assert_int_equal(t.nodes, 7);
}

/* ---- bounds ---- */

static char *
nested(int depth, const char *inner)
{
	size_t n = (size_t)depth * 7 + strlen(inner) + 1, o = 0;
	char *s = malloc(n);
	int i;

	assert_non_null(s);
	for (i = 0; i < depth; i++)
		o += (size_t)snprintf(s + o, n - o, "<e>");
	o += (size_t)snprintf(s + o, n - o, "%s", inner);
	for (i = 0; i < depth; i++)
		o += (size_t)snprintf(s + o, n - o, "</e>");
	return s;
}

static int
tree_depth(const struct feed_node *n)
{
	int d = 0;

	while (n != NULL && n->type == FEED_NODE_ELEM) {
		const struct feed_node *k = n->children;
		while (k != NULL && k->type != FEED_NODE_ELEM)
			k = k->next;
		d++;
		n = k;
	}
	return d;
}

static void
test_depth(void **state)
{
	struct feed_tree t;
	const struct feed_node *n;
	char *s;

	(void)state;
	/* A bound of 4: deeper elements go, their text stays. */
	s = nested(10, "deep");
	assert_int_equal(feed_tree_parse(A, s, strlen(s), 4, &t), RC_OK);
	assert_true(t.flattened);
	assert_false(t.recovered);
	assert_int_equal(tree_depth(t.root), 4);
	for (n = t.root; elem(n, 0) != NULL; n = elem(n, 0))
		;
	assert_string_equal(text_of(n), "deep");
	free(s);
	/* 100,000 levels: libxml2 stops at its own bound (256), the tree is
	 * no deeper than FEED_TREE_MAX_DEPTH and what was read is kept. */
	s = nested(100000, "x");
	assert_int_equal(feed_tree_parse(A, s, strlen(s), 0, &t), RC_OK);
	assert_true(t.recovered);
	assert_true(tree_depth(t.root) <= FEED_TREE_MAX_DEPTH);
	assert_true(tree_depth(t.root) >= 200);
	free(s);
	/* Exactly at the bound nothing is dropped. */
	s = nested(FEED_TREE_MAX_DEPTH - 1, "x");
	assert_int_equal(feed_tree_parse(A, s, strlen(s), 0, &t), RC_OK);
	assert_false(t.flattened);
	assert_false(t.recovered);
	assert_int_equal(tree_depth(t.root), FEED_TREE_MAX_DEPTH - 1);
	free(s);
}

static void
test_recover(void **state)
{
	struct feed_tree t;
	const struct feed_node *r;

	(void)state;
	/* Mismatched end tag. */
	r = parse("<a><b>x</a>", &t);
	assert_true(t.recovered);
	assert_string_equal(r->name, "a");
	assert_string_equal(text_of(elem(r, 0)), "x");
	/* Truncated: the last text is kept. */
	r = parse("<rss><channel><title>Trunc", &t);
	assert_true(t.recovered);
	assert_string_equal(text_of(elem(elem(r, 0), 0)), "Trunc");
	/* Bare '<' and '&' in text. */
	r = parse("<a>1 < 2 & 3</a>", &t);
	assert_true(t.recovered);
	assert_string_equal(r->name, "a");
	/* Duplicate attribute: the first is kept. */
	r = parse("<a x=\"1\" x=\"2\"/>", &t);
	assert_true(t.recovered);
	/* Junk after the document element. */
	r = parse("<a>1</a><b>2</b>", &t);
	assert_true(t.recovered);
	assert_string_equal(r->name, "a");
	assert_string_equal(text_of(r), "1");
	/* Text and entities outside the root are not kept. */
	r = parse("<?xml version=\"1.0\"?>\n<!-- c -->\n<a/>\n", &t);
	assert_false(t.recovered);
	assert_null(r->children);
}

/* Documents that are not well-formed, read leniently (feed_xml.c). */
static void
test_lenient(void **state)
{
	struct feed_tree t;
	const struct feed_node *r, *n;

	(void)state;
	/* An unclosed tag before the items: an item closes what is open in
	 * its channel. */
	r = parse("<rss><channel><x:cat t='1'><item>1</item><item>2</item>"
	    "</channel></rss>", &t);
	assert_true(t.recovered);
	n = elem(r, 0);
	assert_string_equal(n->name, "channel");
	assert_string_equal(elem(n, 0)->name, "cat");
	assert_string_equal(elem(n, 0)->ns->s, "x");
	assert_string_equal(elem(n, 1)->name, "item");
	assert_string_equal(text_of(elem(n, 2)), "2");
	assert_true(t.moved);
	/* A well-formed nesting the rule does not touch. */
	r = parse("<rss><channel><item>1</item></channel></rss>", &t);
	assert_false(t.moved);
	/* Unquoted and bare attributes; an end tag closes what is open
	 * inside it; one with nothing open goes. */
	r = parse("<a><d><img src=x.png alt>t<b>u</i></d>v</a>", &t);
	n = elem(r, 0);
	assert_string_equal(elem(n, 0)->name, "img");
	assert_string_equal(attr(elem(n, 0), "src")->value, "x.png");
	assert_string_equal(attr(elem(n, 0), "alt")->value, "");
	assert_string_equal(text_of(elem(elem(n, 0), 0)), "u");
	assert_int_equal(n->next->type, FEED_NODE_TEXT);
	assert_string_equal(n->next->text, "v");
	/* References after the first error survive; a bare '&' is text. */
	r = parse("<a><b></c>&lt;&amp;&gt;&quot;&apos; & &#38;</a>", &t);
	assert_string_equal(text_of(elem(r, 0)), "<&>\"' & &");
	/* A case-insensitive match closes, a missing '>' ends the tag. */
	r = parse("<a><Title>x</title><b c='1'<i>y</i></b></a>", &t);
	assert_string_equal(text_of(elem(r, 0)), "x");
	assert_string_equal(elem(elem(r, 1), 0)->name, "i");
	/* Junk outside the root, an unterminated comment. */
	r = parse("junk<a>x</a>tail<b/>", &t);
	assert_string_equal(r->name, "a");
	assert_null(r->next);
	r = parse("<a>x<!-- never closed", &t);
	assert_string_equal(text_of(r), "x");
	/* Invalid bytes become U+FFFD, controls go; the text grows. */
	r = parse("<a>\xff\x01x</b></a>", &t);
	assert_string_equal(text_of(r), "\xef\xbf\xbdx");
	r = parse("<a>\xd7\xd7\xd7\xd7\xd7\xd7\xd7\xd7</a>", &t);
	assert_int_equal(r->children->len, 24);
}

static void
test_invalid(void **state)
{
	static const struct {
		const char *xml;
		size_t len;            /* 0: strlen */
	} c[] = {
		{ "", 0 },
		{ "just text", 0 },
		{ "<", 0 },
		{ "<!-- only a comment -->", 0 },
		{ "<?xml version=\"1.0\"?>", 0 },
		{ "\0<a/>", 5 },
	};
	struct feed_tree t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t n = c[i].len ? c[i].len : strlen(c[i].xml);
		enum rc rc = feed_tree_parse(A, c[i].xml, n, 0, &t);
		if (rc != RC_INVALID)
			fail_msg("case %zu: got %s", i, rc_str(rc));
		assert_null(t.root);
	}
	assert_int_equal(feed_tree_parse(A, "<a/>", (size_t)INT32_MAX + 1, 0,
	    &t), RC_TOOBIG);
}

static void
test_nul_inside(void **state)
{
	static const char doc[] = "<a>before\0after</a>";
	struct feed_tree t;
	enum rc rc;

	(void)state;
	/* A NUL ends what libxml2 reads; the part before it is kept. */
	rc = feed_tree_parse(A, doc, sizeof(doc) - 1, 0, &t);
	assert_int_equal(rc, RC_OK);
	assert_true(t.recovered);
	assert_string_equal(t.root->name, "a");
	assert_string_equal(text_of(t.root), "before");
}

static void
test_no_dtd(void **state)
{
	struct feed_tree t;
	const struct feed_node *r;

	(void)state;
	/* Neither internal nor external entities are ever defined: the
	 * references stay as written. */
	r = parse("<!DOCTYPE a [<!ENTITY e \"EXPANDED\">"
	    "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<a>[&e;][&x;]</a>", &t);
	assert_string_equal(text_of(r), "[&e;][&x;]");
	r = parse("<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a>ok</a>", &t);
	assert_string_equal(text_of(r), "ok");
}

static void
test_nomem(void **state)
{
	static const char doc[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
	    "<entry><id>1</id><link href=\"http://x/1\" rel=\"alternate\"/>"
	    "<content type=\"html\"><![CDATA[<p>body text here</p>]]></content>"
	    "</entry></feed>";
	struct feed_tree t;
	size_t lim;
	int ok = 0, nomem = 0;

	(void)state;
	for (lim = 16; lim < 16 * 1024; lim = lim * 5 / 4 + 1) {
		struct arena *small = arena_new(64, lim);
		enum rc rc;
		assert_non_null(small);
		rc = feed_tree_parse(small, doc, strlen(doc), 0, &t);
		assert_true(rc == RC_OK || rc == RC_NOMEM);
		if (rc == RC_OK) {
			ok++;
			assert_string_equal(t.root->name, "feed");
		} else {
			nomem++;
			assert_null(t.root);
		}
		arena_free(small);
	}
	assert_true(ok > 0);
	assert_true(nomem > 0);
}

static void
test_many_names(void **state)
{
	struct feed_tree t;
	char *s;
	size_t n = 20000 * 40 + 64, o = 0;
	int i;

	(void)state;
	/* Many distinct names and URIs: the intern table grows. */
	s = malloc(n);
	assert_non_null(s);
	o += (size_t)snprintf(s + o, n - o, "<r>");
	for (i = 0; i < 20000; i++)
		o += (size_t)snprintf(s + o, n - o,
		    "<n%d xmlns=\"urn:%d\" a%d=\"v\"/>", i, i, i);
	o += (size_t)snprintf(s + o, n - o, "</r>");
	assert_int_equal(feed_tree_parse(A, s, o, 0, &t), RC_OK);
	assert_int_equal(count_children(t.root), 20000);
	assert_string_equal(elem(t.root, 19999)->name, "n19999");
	assert_string_equal(elem(t.root, 19999)->ns->s, "urn:19999");
	assert_string_equal(elem(t.root, 19999)->attrs->name, "a19999");
	free(s);
}

/* Documents feed_xml must hand to libxml2: malformed ones (libxml2
 * recovers), and well-formed ones outside its subset. */
static void
test_fast_refuses(void **state)
{
	static const struct { const char *xml; bool malformed; } cases[] = {
		{ "<!DOCTYPE r><r/>", false },
		{ "<r>a]]>b</r>", true },
		{ "<r>&nbsp;</r>", true },
		{ "<r>&#0;</r>", true },
		{ "<r>&#X41;</r>", true },
		{ "<r>&#xD800;</r>", true },
		{ "<r>&#;</r>", true },
		{ "<r>&amp</r>", true },
		{ "<r><a></b></r>", true },
		{ "<r a='1' a='2'/>", true },
		{ "<r xmlns:p='u:a' xmlns:q='u:a' p:a='1' q:a='2'/>", true },
		{ "<p:r/>", true },
		{ "<r xmlns:p=''/>", true },
		{ "<r xmlns:p='u:a' xmlns:p='u:b'/>", true },
		{ "<r xmlns:xml='http://www.w3.org/XML/1998/namespace'/>", false },
		{ "<r xmlns='http://a b'/>", true },
		{ "<r xmlns='http://a:b/'/>", true },
		{ "<r xmlns='//:2222222222'/>", true },
		{ "<r xmlns='http://a:99999999999/'/>", true },
		{ "<r xmlns='u:a&amp;b'/>", false },
		{ "<?xml version='1.1'?><r/>", false },
		{ "<?xml encoding='utf-8'?><r/>", true },
		{ " <?xml version='1.0'?><r/>", true },
		{ "<r><?xml x?></r>", true },
		{ "<r><?XmL x?></r>", true },
		{ "<r><?a:b x?></r>", true },
		{ "<r><?pi?x?></r>", true },
		{ "<r><!-- a -- b --></r>", true },
		{ "<r><!-- a ---></r>", true },
		{ "<r a=1/>", true },
		{ "<r a='<'/>", true },
		{ "<r a='1'b='2'/>", true },
		{ "<r a/>", true },
		{ "<r/>x", true },
		{ "<r/><s/>", true },
		{ "<r>", true },
		{ "<r><a>", true },
		{ "x<r/>", true },
		{ "<r\xc3\xa9/>", false },
		{ "<\xc3\xa9/>", false },
		{ "\xef\xbb\xbf<r/>", false },
		{ "<r>\x01</r>", true },
		{ "<r>\xc3</r>", true },
		{ "<r>\xef\xbf\xbe</r>", true },
		{ "<r a:b:c='1'/>", true },
		{ "<r :a='1'/>", true },
		{ "<r><![CDATA[x</r>", true },
		{ "<![CDATA[x]]><r/>", true },
		{ "<r><!ELEMENT r ANY></r>", true },
		{ "", true },
		{ "   ", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char xml[256];
		struct feed_tree t;
		size_t n = 0;
		const char *c;
		/* \xHH escapes: bytes no C literal may hold next to hex digits. */
		for (c = cases[i].xml; *c != '\0'; c++) {
			unsigned int v;
			if (c[0] == '\\' && c[1] == 'x' && sscanf(c + 2, "%2x", &v) == 1) {
				xml[n++] = (char)v;
				c += 3;
			} else {
				xml[n++] = *c;
			}
		}
		xml[n] = '\0';
		if (feed_tree_parse_with(A, xml, n, 0, FEED_TREE_FAST, &t) !=
		    RC_INVALID)
			fail_msg("feed_xml took case %zu: %s", i, cases[i].xml);
		if (cases[i].malformed &&
		    feed_tree_parse_with(A, xml, n, 0, FEED_TREE_LIBXML2, &t) ==
		    RC_OK && !t.recovered)
			fail_msg("case %zu is not malformed to libxml2: %s", i,
			    cases[i].xml);
	}
	/* Deeper than libxml2's own limit: libxml2 decides. */
	{
		char deep[256 * 3 + 300 * 4 + 1], *p = deep;
		struct feed_tree t;
		int d;
		for (d = 0; d < 256; d++)
			p += sprintf(p, "<a>");
		for (d = 0; d < 256; d++)
			p += sprintf(p, "</a>");
		assert_int_equal(feed_tree_parse_with(A, deep, strlen(deep), 0,
		    FEED_TREE_FAST, &t), RC_INVALID);
	}
	/* The document must end in NUL at len (feed_prep_xml writes it). */
	{
		struct feed_tree t;
		assert_int_equal(feed_tree_parse_with(A, "<r/>x", 4, 0,
		    FEED_TREE_FAST, &t), RC_INVALID);
	}
}

/* Well-formed cases feed_xml takes, each compared with libxml2's tree:
 * line ends, attribute whitespace, references, namespaces in scope. */
static void
test_fast_same_as_libxml2(void **state)
{
	static const char *const cases[] = {
		"<?xml version=\"1.0\" encoding=\"utf-8\" standalone='yes' ?>\n<r/>",
		"<?xml version='1.0'?><r/>",
		"<r>a\r\nb\rc\n\rd\r</r>",
		"<r a='x\r\ny\tz\nw\rv' b=\"&#10;&#13;&#9;\"/>",
		"<r a='&lt;&gt;&amp;&apos;&quot;' b=\"'\" c='\"'/>",
		"<r>&#65;&#x42;&#x10FFFF;&#xe9;&lt;&amp;&gt;x&quot;&apos;</r>",
		"<r>a<!-- c -->b<?pi data?>c<![CDATA[<d>\r\n&amp;]]>e</r>",
		"<r><!----><!-- - --><?pi?></r>",
		"<r>]] ]>]</r>",
		"<r xmlns='u:d' xmlns:p='http://e.org/p#x'><p:a p:b='1' b='2'>"
		    "<c xmlns=''><d xmlns:p='u:q' p:e='3'/></c></p:a></r>",
		"<r xmlns='u:d'><a xmlns='u:d'/></r>",
		"<r xml:lang='en' xml:base='http://a/'><xml:x/></r>",
		"<r xmlns:a='relative/path' xmlns:b='urn:x:y' "
		    "xmlns:c='https://h.example:8080/p?q=1;r=2#f' a:x='1'/>",
		"<r  a = '1'\n\tb\r\n=\"2\" ></r >",
		"<a.b-c_d9 e-f.g='1'><_x/></a.b-c_d9>",
		"<r>caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xee\x80\x80</r>",
		"<r a='caf\xc3\xa9'/>",
		"<!-- before --><?pi?>\n<r/>\n<!-- after --> <?pi x?>\n",
		"<r><a/><b></b><c> </c></r>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!check_fast(cases[i], strlen(cases[i]), 0))
			fail_msg("feed_xml refused case %zu: %s", i, cases[i]);
	}
	/* The depth bound drops the same elements on both readers. */
	assert_true(check_fast("<a><b><c><d>x</d>y</c></b></a>", 30, 2));
}

/* Every XML file of the feedparser corpus, as feed_prep_xml hands it on:
 * whatever feed_xml takes, libxml2 builds the same tree for, and feed_xml
 * takes most of them (the point of having it). */
struct fast_count {
	size_t files, fast;
};

static void
fast_same(const char *path, const char *body, size_t len, void *ctx)
{
	struct fast_count *c = ctx;
	struct feed_prep_text t;

	(void)path;
	memset(&t, 0, sizeof(t));
	arena_reset(A);
	if (feed_prep_decode(body, len, NULL, true, &t) == RC_OK &&
	    feed_prep_xml(&t, A) == RC_OK) {
		c->files++;
		if (check_fast(t.xml, t.xml_len, 0))
			c->fast++;
	}
	feed_prep_text_fini(&t);
}

static void
test_fast_corpus(void **state)
{
	struct fast_count c = { 0, 0 };

	(void)state;
	corpus_walk(TEST_SRCDIR "/tests/conformance/corpus", ".xml", fast_same,
	    &c);
	print_message("feed_xml read %zu of %zu corpus documents; libxml2 built "
	    "the same tree for each\n", c.fast, c.files);
	assert_true(c.files > 1000);
	assert_true(c.fast * 10 >= c.files * 8);
}

/* feed_tree_parse_kept: a text the document holds in one piece points
 * into it (in_doc), any other (references, CDATA joined to text, a
 * comment between two runs) is a NUL-terminated arena copy; the tree is
 * the copying one's, node for node, whichever reader built it. */
static void
test_kept_text(void **state)
{
	static const char doc[] = "<r><a>plain text</a><b>x &amp; y</b>"
	    "<c><![CDATA[raw <b>]]></c><d>one<!-- c -->two</d><e> </e>"
	    "<f>x<![CDATA[y]]></f></r>";
	static const struct { const char *el, *text; bool in_doc; } want[] = {
		{ "a", "plain text", true }, { "b", "x & y", false },
		{ "c", "raw <b>", true }, { "d", "onetwo", false },
		{ "e", " ", true }, { "f", "xy", false },
	};
	static const enum feed_tree_reader readers[] = { FEED_TREE_ANY,
	    FEED_TREE_LIBXML2, FEED_TREE_LENIENT };
	struct feed_tree kept, copied;
	const struct feed_node *k;
	char why[256];
	size_t i, r;

	(void)state;
	for (r = 0; r < sizeof(readers) / sizeof(readers[0]); r++) {
		arena_reset(A);
		assert_int_equal(feed_tree_parse_kept(A, doc, sizeof(doc) - 1, 0,
		    readers[r], &kept), RC_OK);
		assert_int_equal(feed_tree_parse_with(A, doc, sizeof(doc) - 1, 0,
		    readers[r], &copied), RC_OK);
		if (!tree_same(&kept, &copied, why, sizeof(why)))
			fail_msg("reader %zu: %s", r, why);
		for (i = 0, k = kept.root->children; k != NULL; k = k->next, i++) {
			const struct feed_node *t = k->children;
			bool in = t->text >= doc && t->text < doc + sizeof(doc);
			assert_string_equal(k->name, want[i].el);
			assert_int_equal(t->len, strlen(want[i].text));
			assert_memory_equal(t->text, want[i].text, t->len);
			/* feed_xml's strict reading refers to every text it can;
			 * libxml2 and the lenient reading hand over copies of
			 * their own (a copy is always right). */
			if (readers[r] == FEED_TREE_ANY)
				assert_int_equal(t->in_doc, want[i].in_doc);
			else
				assert_true(!t->in_doc || want[i].in_doc);
			assert_int_equal(in, t->in_doc);
			if (!t->in_doc)
				assert_int_equal(t->text[t->len], '\0');
		}
		assert_int_equal(i, 6);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_undeclared_prefix_recovered),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_text_cdata),
		cmocka_unit_test(test_mixed_content),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_recover),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_nul_inside),
		cmocka_unit_test(test_no_dtd),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_many_names),
		cmocka_unit_test(test_fast_refuses),
		cmocka_unit_test(test_fast_same_as_libxml2),
		cmocka_unit_test(test_fast_corpus),
		cmocka_unit_test(test_kept_text),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

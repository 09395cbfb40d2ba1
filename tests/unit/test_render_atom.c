/* test_render_atom: Atom 1.0 output — well-formed, the required elements,
 * and read back by Debian's python3-feedparser to the same titles and links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/arena.h"
#include "util/buf.h"
#include "widgets/render_common.h"
#include "widgets/render.h"
#include "widgets/render_formats.h"
#include "render_fixture.h"

#define PYTHON "/usr/bin/python3"

static void
render(struct render_page *p, struct buf *b)
{
	buf_init(b, 1u << 22);
	assert_int_equal(render_atom(b, p), RC_OK);
}

static xmlDocPtr
parse_strict(const struct buf *b)
{
	xmlDocPtr doc = xmlReadMemory(b->data, (int)b->len, "feed.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (doc == NULL)
		fail_msg("not well-formed XML:\n%s", b->data);
	return doc;
}

static int
count(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, x);
	int n;

	assert_non_null(r);
	n = r->nodesetval != NULL ? r->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(r);
	return n;
}

static char *
value(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)
	    (const char *)expr, x);
	xmlChar *s;
	char *out;

	assert_non_null(r);
	s = xmlXPathCastToString(r);
	out = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(r);
	return out;
}

static void
test_structure(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 6);
	struct render_page p;
	struct buf b;
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	char *s;
	int n;

	(void)state;
	fixture_page(a, f, &p);
	render(&p, &b);
	doc = parse_strict(&b);
	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, (const xmlChar *)"a", (const xmlChar *)"http://www.w3.org/2005/Atom");
	assert_int_equal(count(x, "/a:feed"), 1);
	assert_int_equal(count(x, "/a:feed/a:id"), 1);
	assert_int_equal(count(x, "/a:feed/a:title"), 1);
	assert_int_equal(count(x, "/a:feed/a:updated"), 1);
	assert_int_equal(count(x, "/a:feed/a:author/a:name"), 1);
	assert_int_equal(count(x, "/a:feed/a:link[@rel='self']"), 1);
	s = value(x, "string(/a:feed/a:link[@rel='next']/@href)");
	assert_string_equal(s, p.next_url);
	free(s);
	s = value(x, "string(/a:feed/a:updated)");
	assert_string_equal(s, "2025-12-31T23:59:00Z");
	free(s);
	n = count(x, "/a:feed/a:entry");
	assert_int_equal(n, (int)f->nitems);
	/* Every entry: one id, title, updated; content type html or text. */
	assert_int_equal(count(x, "/a:feed/a:entry[count(a:id)=1 and count(a:title)=1 "
	    "and count(a:updated)=1 and count(a:content)=1]"), n);
	assert_int_equal(count(x, "/a:feed/a:entry/a:content[@type='html']"), 3);
	assert_int_equal(count(x, "/a:feed/a:entry[a:link[@rel='alternate']]"), n - 1);
	/* Content is escaped HTML: its text is markup, there are no child elements. */
	assert_int_equal(count(x, "/a:feed/a:entry/a:content/*"), 0);
	s = value(x, "string(/a:feed/a:entry[1]/a:content)");
	assert_non_null(strstr(s, "<p>Hello from the fediverse"));
	free(s);
	/* The post's language as xml:lang; a malformed one (the hostile
	 * item's) is left out, never echoed. */
	s = value(x, "string(/a:feed/a:entry[1]/@xml:lang)");
	assert_string_equal(s, "en");
	free(s);
	assert_int_equal(count(x, "/a:feed/a:entry[@xml:lang]"), 1);
	/* Non-IRI ids become urn:uuid. */
	s = value(x, "string(/a:feed/a:entry[5]/a:id)");
	assert_int_equal(strncmp(s, "urn:uuid:", 9), 0);
	assert_int_equal(strlen(s), 45);
	free(s);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	buf_fini(&b);
	arena_free(a);
}

/* The expected title: the excerpt without characters XML cannot carry. */
static char *
expected_title(const struct feed_item *it)
{
	struct buf b;
	char *out, *w;

	buf_init(&b, 4096);
	render_excerpt(&b, it, 120);
	out = strdup(b.len > 0 ? b.data : "(untitled)");
	buf_fini(&b);
	w = out;
	for (const char *r = out; *r != '\0'; r++) {
		if (strncmp(r, "\xef\xbf\xbe", 3) == 0 || strncmp(r, "\xef\xbf\xbf", 3) == 0) {
			r += 2;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	return out;
}

static const char feedparser_script[] =
	"import feedparser, json, sys\n"
	"d = feedparser.parse(sys.argv[1])\n"
	"print(json.dumps({'bozo': int(d.bozo), 'version': d.version,\n"
	"  'title': d.feed.get('title'), 'next': [l.href for l in d.feed.get('links', []) if l.rel == 'next'],\n"
	"  'entries': [{'title': e.get('title'), 'link': e.get('link'), 'id': e.get('id'),\n"
	"    'alt': [l.href for l in e.get('links', []) if l.rel == 'alternate']} for e in d.entries]}))\n";

static json_t *
feedparser(const struct buf *b)
{
	struct tmpdir t;
	char path[160], cmd[256];
	struct buf out;
	json_t *j;
	FILE *p;
	int fd;
	char chunk[4096];
	size_t n;

	assert_int_equal(tmpdir_init(&t, "render-atom"), 0);
	fd = open(tmpdir_path(&t, "feed.atom", path, sizeof(path)), O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
	close(fd);
	snprintf(cmd, sizeof(cmd), PYTHON " -c \"$SCRIPT\" %s", path);
	setenv("SCRIPT", feedparser_script, 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	buf_init(&out, 1u << 22);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(buf_append(&out, chunk, n), RC_OK);
	assert_int_equal(pclose(p), 0);
	assert_int_equal(tmpdir_fini(&t), 0);
	j = json_loadb(out.data, out.len, 0, NULL);
	if (j == NULL)
		fail_msg("feedparser said: %s", buf_cstr(&out));
	buf_fini(&out);
	return j;
}

static bool
have_feedparser(void)
{
	return access(PYTHON, X_OK) == 0 &&
	    system(PYTHON " -c 'import feedparser' >/dev/null 2>&1") == 0;
}

static void
test_feedparser(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 3);
	struct render_page p;
	struct buf b;
	json_t *j, *entries, *e;
	size_t i;

	(void)state;
	if (!have_feedparser()) {
		print_message("skipping: " PYTHON " with feedparser not found\n");
		skip();
	}
	fixture_page(a, f, &p);
	render(&p, &b);
	j = feedparser(&b);
	assert_int_equal(json_integer_value(json_object_get(j, "bozo")), 0);
	assert_string_equal(json_string_value(json_object_get(j, "version")), "atom10");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Example Co. everywhere");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "next"), 0)), p.next_url);
	entries = json_object_get(j, "entries");
	assert_int_equal(json_array_size(entries), f->nitems);
	json_array_foreach(entries, i, e) {
		const struct feed_item *it = &f->items[i];
		char *want = expected_title(it);
		const json_t *alt = json_object_get(e, "alt");
		if (strcmp(json_string_value(json_object_get(e, "title")), want) != 0)
			fail_msg("entry %zu: title \"%s\", want \"%s\"", i,
			    json_string_value(json_object_get(e, "title")), want);
		free(want);
		if (it->url != NULL) {
			assert_string_equal(json_string_value(json_object_get(e, "link")), it->url);
			assert_string_equal(json_string_value(json_array_get(alt, 0)), it->url);
		} else {
			assert_int_equal(json_array_size(alt), 0);
		}
	}
	json_decref(j);
	buf_fini(&b);
	arena_free(a);
}

static void
test_empty(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	struct buf b;
	xmlDocPtr doc;

	(void)state;
	fixture_page(a, f, &p);
	p.nitems = 0;
	p.next_url = NULL;
	p.updated = 0;
	p.title = "T & <T>";
	render(&p, &b);
	doc = parse_strict(&b);
	assert_non_null(strstr(b.data, "<title>T &amp; &lt;T&gt;</title>"));
	assert_null(strstr(b.data, "rel=\"next\""));
	assert_null(strstr(b.data, "<entry>"));
	xmlFreeDoc(doc);
	buf_fini(&b);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_feedparser),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

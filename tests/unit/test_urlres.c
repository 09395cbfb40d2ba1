/* test_urlres: RFC 3986 reference resolution and browser clean-up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/urlres.h"

struct res_case {
	const char *base, *ref, *want;
};

/* RFC 3986 5.4.1 (normal) and 5.4.2 (abnormal), base http://a/b/c/d;p?q. */
static const struct res_case rfc_cases[] = {
	{ NULL, "g:h", "g:h" },
	{ NULL, "g", "http://a/b/c/g" },
	{ NULL, "./g", "http://a/b/c/g" },
	{ NULL, "g/", "http://a/b/c/g/" },
	{ NULL, "/g", "http://a/g" },
	{ NULL, "//g", "http://g" },
	{ NULL, "?y", "http://a/b/c/d;p?y" },
	{ NULL, "g?y", "http://a/b/c/g?y" },
	{ NULL, "#s", "http://a/b/c/d;p?q#s" },
	{ NULL, "g#s", "http://a/b/c/g#s" },
	{ NULL, "g?y#s", "http://a/b/c/g?y#s" },
	{ NULL, ";x", "http://a/b/c/;x" },
	{ NULL, "g;x", "http://a/b/c/g;x" },
	{ NULL, "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ NULL, "", "http://a/b/c/d;p?q" },
	{ NULL, ".", "http://a/b/c/" },
	{ NULL, "./", "http://a/b/c/" },
	{ NULL, "..", "http://a/b/" },
	{ NULL, "../", "http://a/b/" },
	{ NULL, "../g", "http://a/b/g" },
	{ NULL, "../..", "http://a/" },
	{ NULL, "../../", "http://a/" },
	{ NULL, "../../g", "http://a/g" },
	{ NULL, "../../../g", "http://a/g" },
	{ NULL, "../../../../g", "http://a/g" },
	{ NULL, "/./g", "http://a/g" },
	{ NULL, "/../g", "http://a/g" },
	{ NULL, "g.", "http://a/b/c/g." },
	{ NULL, ".g", "http://a/b/c/.g" },
	{ NULL, "g..", "http://a/b/c/g.." },
	{ NULL, "..g", "http://a/b/c/..g" },
	{ NULL, "./../g", "http://a/b/g" },
	{ NULL, "./g/.", "http://a/b/c/g/" },
	{ NULL, "g/./h", "http://a/b/c/g/h" },
	{ NULL, "g/../h", "http://a/b/c/h" },
	{ NULL, "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ NULL, "g;x=1/../y", "http://a/b/c/y" },
	{ NULL, "g?y/./x", "http://a/b/c/g?y/./x" },
	{ NULL, "g?y/../x", "http://a/b/c/g?y/../x" },
	{ NULL, "g#s/./x", "http://a/b/c/g#s/./x" },
	{ NULL, "g#s/../x", "http://a/b/c/g#s/../x" },
	{ NULL, "http:g", "http:g" },
};

/* Feed-shaped cases: other bases, clean-up, backslashes, case. */
static const struct res_case feed_cases[] = {
	{ "http://example.com", "a.png", "http://example.com/a.png" },
	{ "http://example.com", "", "http://example.com" },
	{ "https://example.com/blog/feed.xml", "/img/x.png",
	    "https://example.com/img/x.png" },
	{ "https://example.com/blog/feed.xml", "//cdn.example.net/x.png",
	    "https://cdn.example.net/x.png" },
	{ "https://example.com/blog/", "post?id=1&b=2",
	    "https://example.com/blog/post?id=1&b=2" },
	{ "https://example.com/a/b", "  x y.png \n", "https://example.com/a/x y.png" },
	{ "https://example.com/a/b", "x\t.p\nng", "https://example.com/a/x.png" },
	{ "https://example.com/a/b", "\\\\evil.example\\x",
	    "https://evil.example/x" },
	{ "https://example.com/a/b", "..\\..\\x", "https://example.com/x" },
	{ "https://example.com/a/b", "?q=a\\b", "https://example.com/a/b?q=a\\b" },
	{ "HTTPS://Example.com/a", "b", "https://Example.com/b" },
	{ "https://example.com/a", "HTTP://x.example/Y", "http://x.example/Y" },
	{ "https://example.com/a", "mailto:me@example.com",
	    "mailto:me@example.com" },
	{ "https://example.com/a", "javascript:alert(1)", "javascript:alert(1)" },
	{ "https://example.com/a", "java script:x",
	    "https://example.com/java script:x" },
	{ "https://example.com/a", "1http:x", "https://example.com/1http:x" },
	{ "https://example.com/a?x#y", "#frag", "https://example.com/a?x#frag" },
	{ "urn:x:y", "z", "urn:z" },
	{ "not a base", "rel/x", "rel/x" },
	{ NULL, "rel/x", "rel/x" },
	{ NULL, " \x01http://x/\x1f ", "http://x/" },
};

static void
run(const struct res_case *cases, size_t n, const char *def_base)
{
	struct arena *a = arena_new(4096, 0);
	size_t i;

	assert_non_null(a);
	for (i = 0; i < n; i++) {
		const char *base = cases[i].base ? cases[i].base : def_base;
		char *got = urlres_resolve(a, base, cases[i].ref);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("base %s ref \"%s\": got %s, want %s", base,
			    cases[i].ref, got ? got : "(null)", cases[i].want);
	}
	assert_null(urlres_resolve(a, "http://a/", NULL));
	arena_free(a);
}

static void
test_rfc3986(void **state)
{
	(void)state;
	run(rfc_cases, sizeof(rfc_cases) / sizeof(rfc_cases[0]),
	    "http://a/b/c/d;p?q");
}

static void
test_feeds(void **state)
{
	(void)state;
	run(feed_cases, sizeof(feed_cases) / sizeof(feed_cases[0]), NULL);
}

static void
test_dot_segments(void **state)
{
	static const struct { const char *in, *want; } c[] = {
		{ "/a/b/c/./../../g", "/a/g" },
		{ "mid/content=5/../6", "mid/6" },
		{ "/../../..", "/" },
		{ "../../x", "x" },
		{ "/a/./b/.", "/a/b/" },
		{ "", "" },
		{ ".", "" },
		{ "..", "" },
		{ "/..", "/" },
		{ "a/..", "/" },
		/* Dots that are no dot segment: left as they are. */
		{ "/a.b/..c/c../...", "/a.b/..c/c../..." },
		{ ".a/b.", ".a/b." },
		{ "/x/.", "/x/" },
	};
	char out[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = urlres_remove_dot_segments(c[i].in, strlen(c[i].in), out);
		assert_true(n <= strlen(c[i].in));
		out[n] = '\0';
		if (strcmp(out, c[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", c[i].in, out,
			    c[i].want);
	}
}

static void
test_scheme(void **state)
{
	char s[16];

	(void)state;
	assert_true(urlres_scheme("HTTPS://x", s, sizeof(s)));
	assert_string_equal(s, "https");
	/* What browsers strip before reading the scheme. */
	assert_true(urlres_scheme(" \tjav\tascr\nipt:alert(1)", s, sizeof(s)));
	assert_string_equal(s, "javascript");
	assert_true(urlres_scheme("\x01\x02vbscript:x", s, sizeof(s)));
	assert_string_equal(s, "vbscript");
	assert_false(urlres_scheme("/a:b", s, sizeof(s)));
	assert_false(urlres_scheme("a b:c", s, sizeof(s)));
	assert_false(urlres_scheme("1a:b", s, sizeof(s)));
	assert_false(urlres_scheme(":x", s, sizeof(s)));
	assert_false(urlres_scheme("relative/path", s, sizeof(s)));
	assert_false(urlres_scheme("averyveryverylongscheme:x", s, sizeof(s)));
	assert_false(urlres_scheme(NULL, s, sizeof(s)));
	assert_true(urlres_is_absolute("data:text/html,x"));
	assert_false(urlres_is_absolute("//host/x"));
}

/* The parts of s as "S:scheme A:authority P:path Q:query F:fragment",
 * the absent ones left out. */
static const char *
split_str(const char *s)
{
	static char out[256];
	struct urlres_parts p;
	int n = 0;

	urlres_split(s, strlen(s), &p);
	if (p.has_scheme)
		n += snprintf(out + n, sizeof(out) - (size_t)n, "S:%.*s ",
		    (int)p.scheme_len, p.scheme);
	if (p.has_authority)
		n += snprintf(out + n, sizeof(out) - (size_t)n, "A:%.*s ",
		    (int)p.authority_len, p.authority);
	n += snprintf(out + n, sizeof(out) - (size_t)n, "P:%.*s",
	    (int)p.path_len, p.path);
	if (p.has_query)
		n += snprintf(out + n, sizeof(out) - (size_t)n, " Q:%.*s",
		    (int)p.query_len, p.query);
	if (p.has_fragment)
		snprintf(out + n, sizeof(out) - (size_t)n, " F:%.*s",
		    (int)p.fragment_len, p.fragment);
	return out;
}

static void
split_cases(void)
{
	static const struct { const char *in, *want; } c[] = {
		{ "//?", "A: P: Q:" },
		{ "a#b?c", "P:a F:b?c" },
		{ "?#", "P: Q: F:" },
		{ "//h#f/x?y", "A:h P: F:f/x?y" },
		{ "x:/?a?b#c#d", "S:x P:/ Q:a?b F:c#d" },
		{ "http://h", "S:http A:h P:" },
		{ "http:///p", "S:http A: P:/p" },
		{ "/#", "P:/ F:" },
		{ "1a:b", "P:1a:b" },
		{ "a:", "S:a P:" },
		{ "/?//x", "P:/ Q://x" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (strcmp(split_str(c[i].in), c[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", c[i].in,
			    split_str(c[i].in), c[i].want);
	}
}

static void
test_split(void **state)
{
	struct urlres_parts p;
	const char *u = "https://user@h:8080/p/a?q=1#f";

	(void)state;
	urlres_split(u, strlen(u), &p);
	assert_true(p.has_scheme && p.has_authority && p.has_query &&
	    p.has_fragment);
	assert_int_equal(p.scheme_len, 5);
	assert_int_equal(p.authority_len, strlen("user@h:8080"));
	assert_int_equal(p.path_len, 4);
	assert_int_equal(p.query_len, 3);
	assert_int_equal(p.fragment_len, 1);
	urlres_split("", 0, &p);
	assert_false(p.has_scheme || p.has_authority || p.has_query ||
	    p.has_fragment);
	assert_int_equal(p.path_len, 0);
	split_cases();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3986),
		cmocka_unit_test(test_feeds),
		cmocka_unit_test(test_dot_segments),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

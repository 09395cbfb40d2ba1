/* test_oauth_redirect: return_to never leads off-site — a table of paths
 * and the open-redirect payload corpus in tests/fixtures/open_redirect.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/oauth_int.h"
#include "util/url.h"

#define SITE "https://www.example.com"
#define MOUNT "/social"

/* What the callback puts in Location: the site origin + the path, with
 * bytes a header must not carry raw re-encoded (as flow.c does). */
static char *
location(struct arena *a, const char *path)
{
	struct buf b;
	char *s;

	buf_init(&b, 16384);
	buf_appends(&b, SITE);
	for (const char *p = path; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80 || c == ' ' || c == '"' || c == '<' || c == '>' || c == '`')
			buf_appendf(&b, "%%%02X", c);
		else
			buf_appendc(&b, (char)c);
	}
	s = arena_strdup(a, buf_cstr(&b));
	buf_fini(&b);
	return s;
}

/* The browser's view: same scheme and host, nothing it would strip or flip. */
static bool
on_site(struct arena *a, const char *loc)
{
	struct url u;

	for (const char *p = loc; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || *p == '\\' || *p == 0x7f)
			return false;
	return url_parse(a, loc, &u) == RC_OK && strcmp(u.scheme, "https") == 0 &&
	    strcmp(u.host, "www.example.com") == 0 && u.port == 0 && u.userinfo == NULL;
}

static void
test_table(void **state)
{
	static const struct { const char *s; bool ok; } rows[] = {
		{ "/", true }, { "/a", true }, { "/a/b?c=d&e=f#g", true }, { "/caf\xc3\xa9", true },
		{ "", false }, { "a", false }, { "//a", false }, { "/\\a", false }, { "\\\\a", false },
		{ "/a\\b", false }, { "/a\tb", false }, { "/a\nb", false }, { "/a b", false },
		{ "/%2F/a", false }, { "/%5Ca", false }, { "/%252F%252Fa", false },
		{ "/\xc3\x28", false }, { "https://a", false }, { NULL, false },
		/* A blank in the query is an encoded space of the page (the nginx
		 * snippet's unescaped $request_uri); in the path it is not. */
		{ "/a?q=x y", true }, { "/a?q=x%20y", true }, { "/a?q=x%2520y", true },
		{ "/a?q=x\ty", false }, { "/a?q=x%09y", false }, { "/a%20b", false },
		{ "/%20/evil.example", false }, { "/ /evil.example", false },
		{ " //evil.example", false }, { "/?x= //evil.example", true },
	};
	char *big = malloc(3000);

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (oauth_return_to_ok(rows[i].s) != rows[i].ok)
			fail_msg("\"%s\": expected %s", rows[i].s ? rows[i].s : "(null)",
			    rows[i].ok ? "accepted" : "refused");
	memset(big, 'a', 2999);
	big[0] = '/';
	big[2999] = '\0';
	assert_false(oauth_return_to_ok(big));
	big[2001] = '\0';
	assert_false(oauth_return_to_ok(big));
	big[2000] = '\0';
	assert_true(oauth_return_to_ok(big));
	free(big);
}

static char *
clean(struct arena *a, const char *s)
{
	return oauth_return_to_clean(a, s, MOUNT);
}

static void
test_clean(void **state)
{
	struct arena *a = arena_new(1 << 14, 0);
	char *big = malloc(2100);

	(void)state;
	assert_string_equal(clean(a, "/m/p?q=annual report"),
	    "/m/p?q=annual%20report");
	assert_string_equal(clean(a, "/m/p?q=a%20b"), "/m/p?q=a%20b");
	assert_string_equal(clean(a, "/m/p"), "/m/p");
	assert_null(clean(a, "/m p"));
	assert_null(clean(a, "//evil.example/?q= "));
	/* Never into socialhub's own routes, however nginx would read it. */
	static const char *const inside[] = {
		"/social", "/social/", "/social/share/mastodon?url=x&instance=evil.example",
		"/SOCIAL/share/x", "/%73ocial/share/x", "/%2573ocial/share/x",
		"/social%2Fshare%2Fx", "/a/../social/share/x", "/./social/share/x",
		"/a/%2E%2E/social/share/x", "/social/./auth/login", "/x/..//social/y",
		"/social?x=1", "/social#top", "/social/admin/../share/x", "/social/ADMIN",
		"/social/administrator", "/social/admin%2F..%2Fshare%2Fx",
	};
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		if (clean(a, inside[i]) != NULL)
			fail_msg("\"%s\" is in the mount but was accepted", inside[i]);
	static const char *const outside[] = {
		"/socialx/share", "/social-media/", "/blog/social/share/x", "/?next=/social/share/x",
		"/a/b/../c", "/social.html",
		/* The admin pages: sign-in leads back to them. */
		"/social/admin", "/social/admin/connections", "/social/admin?x=1",
	};
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		if (clean(a, outside[i]) == NULL)
			fail_msg("\"%s\" is outside the mount but was refused", outside[i]);
	/* 496 blanks fit either way; 1,986 fit as input but not once each
	 * is three bytes. */
	memset(big, ' ', 2099);
	memcpy(big, "/?q=", 4);
	big[500] = '\0';
	assert_non_null(clean(a, big));
	big[500] = ' ';
	big[1990] = '\0';
	assert_true(oauth_return_to_ok(big));
	assert_null(clean(a, big));
	free(big);
	arena_free(a);
}

static void
test_corpus(void **state)
{
	char path[1024], line[4096];
	struct arena *a = arena_new(1 << 16, 0);
	int total = 0, refused = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/open_redirect.txt", TEST_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strcspn(line, "\n");
		char *decoded = NULL;
		bool ok;
		line[n] = '\0';
		if (line[0] == '#' || n < 2)
			continue;
		assert_true(line[0] == 'R' || line[0] == 'A');
		total++;
		/* The query parser decodes once ('+' is a space), then we judge. */
		ok = url_decode(a, line + 2, n - 2, true, &decoded, NULL) == RC_OK &&
		    oauth_return_to_ok(decoded);
		if (!ok)
			refused++;
		if (ok && !on_site(a, location(a, decoded)))
			fail_msg("payload \"%s\" accepted and leads off-site: %s", line + 2,
			    location(a, decoded));
		if (ok != (line[0] == 'A'))
			fail_msg("payload \"%s\": expected %s", line + 2,
			    line[0] == 'A' ? "accepted" : "refused");
		arena_reset(a);
	}
	fclose(f);
	print_message("%d payloads, %d refused, none off-site\n", total, refused);
	assert_true(total >= 100);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

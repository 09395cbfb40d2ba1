/* test_share_url: shared-URL validation, host rules and UTM tagging. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/share/share_url.h"

static const char *const rules[] = {
	"www.example.com", ".example.org", "xn--bcher-kva.example",
};
static const struct share_hosts hosts = { rules, 3 };

struct bad_case {
	const char *url;
	enum rc want;    /* RC_INVALID (400) or RC_FORBIDDEN (403) */
	const char *why;
};

static const struct bad_case bad[] = {
	/* Off-site hosts. */
	{ "https://evil.test/", RC_FORBIDDEN, "other host" },
	{ "https://www.example.com.evil.test/", RC_FORBIDDEN, "allowed host as prefix" },
	{ "https://evil.test/https://www.example.com/", RC_FORBIDDEN, "allowed URL in path" },
	{ "https://evil.test/?u=https://www.example.com/", RC_FORBIDDEN, "allowed URL in query" },
	{ "https://wwwexample.com/", RC_FORBIDDEN, "missing dot" },
	{ "https://example.com/", RC_FORBIDDEN, "apex not listed" },
	{ "https://ww.example.com/", RC_FORBIDDEN, "sibling" },
	{ "https://www.example.co/", RC_FORBIDDEN, "other TLD" },
	{ "https://evil-example.org/", RC_FORBIDDEN, "suffix without label boundary" },
	{ "https://evilexample.org/", RC_FORBIDDEN, "suffix without dot" },
	{ "https://example.org.evil.test/", RC_FORBIDDEN, "rule as prefix" },
	{ "https://xn--exmple-cua.com/", RC_FORBIDDEN, "punycode homograph" },
	{ "https://www.xn--exmple-cua.com/", RC_FORBIDDEN, "punycode homograph label" },
	{ "https://xn--bcher-kva.example.evil.test/", RC_FORBIDDEN, "punycode rule as prefix" },
	{ "https://b\xc3\xbc" "cher.example/", RC_INVALID, "unicode form of an allowed punycode host" },
	/* IP literals, all forms. */
	{ "http://127.0.0.1/", RC_FORBIDDEN, "dotted IPv4" },
	{ "http://2130706433/", RC_FORBIDDEN, "decimal IPv4" },
	{ "http://0177.0.0.1/", RC_FORBIDDEN, "octal IPv4" },
	{ "http://017700000001/", RC_FORBIDDEN, "octal integer IPv4" },
	{ "http://0x7f000001/", RC_FORBIDDEN, "hex IPv4" },
	{ "http://0x7f.0.0.1/", RC_FORBIDDEN, "hex part IPv4" },
	{ "http://127.1/", RC_FORBIDDEN, "short IPv4" },
	{ "http://0/", RC_FORBIDDEN, "zero" },
	{ "https://10.0.0.1:8080/", RC_FORBIDDEN, "private IPv4 with port" },
	{ "http://[::1]/", RC_FORBIDDEN, "IPv6 loopback" },
	{ "http://[::ffff:127.0.0.1]/", RC_FORBIDDEN, "IPv4-mapped IPv6" },
	{ "http://[::ffff:7f00:1]/", RC_FORBIDDEN, "IPv4-mapped IPv6, hex" },
	{ "https://[2001:db8::1]:443/", RC_FORBIDDEN, "IPv6 with port" },
	{ "http://[fe80::1%25eth0]/", RC_FORBIDDEN, "IPv6 zone" },
	{ "https://1.2.3.4.5/", RC_INVALID, "five numeric labels" },
	{ "https://www.example.com.1/", RC_INVALID, "numeric last label" },
	{ "https://www.example.0x10/", RC_INVALID, "hex last label" },
	/* Schemes and relative forms. */
	{ "javascript:alert(1)", RC_INVALID, "javascript:" },
	{ "javascript://www.example.com/", RC_INVALID, "javascript: with authority" },
	{ "javascript:alert(1)//https://www.example.com/", RC_INVALID, "scheme hidden before https" },
	{ "JaVaScRiPt:alert(1)", RC_INVALID, "mixed-case javascript:" },
	{ "data:text/html,<script>alert(1)</script>", RC_INVALID, "data:" },
	{ "vbscript:msgbox(1)", RC_INVALID, "vbscript:" },
	{ "ftp://www.example.com/", RC_INVALID, "ftp:" },
	{ "file:///etc/passwd", RC_INVALID, "file:" },
	{ "//evil.test/", RC_INVALID, "scheme-relative" },
	{ "//www.example.com/", RC_INVALID, "scheme-relative allowed host" },
	{ "/relative/path", RC_INVALID, "path only" },
	{ "www.example.com/page", RC_INVALID, "no scheme" },
	{ "https:/www.example.com/", RC_INVALID, "one slash" },
	{ "https:www.example.com", RC_INVALID, "no slashes" },
	{ "https:///www.example.com/", RC_INVALID, "empty authority" },
	{ "", RC_INVALID, "empty" },
	/* Userinfo. */
	{ "https://www.example.com@evil.test/", RC_INVALID, "allowed host as userinfo" },
	{ "https://user:pass@www.example.com/", RC_INVALID, "credentials" },
	{ "https://@www.example.com/", RC_INVALID, "empty userinfo" },
	{ "https://evil.test@www.example.com/", RC_INVALID, "userinfo before allowed host" },
	{ "https://a@b@www.example.com/", RC_INVALID, "two @" },
	/* Encoded and look-alike hosts. */
	{ "https://www.example.com%2eevil.test/", RC_INVALID, "%2e in host" },
	{ "https://www%2eexample%2ecom/", RC_INVALID, "encoded dots" },
	{ "https://%77%77%77.example.com/", RC_INVALID, "encoded letters" },
	{ "https://www.example.com%40evil.test/", RC_INVALID, "%40 in host" },
	{ "http://www.example.com%00.evil.test/", RC_INVALID, "%00 in host" },
	{ "https://www.example.com./", RC_INVALID, "trailing dot" },
	{ "https://www.example.com../", RC_INVALID, "two trailing dots" },
	{ "https://.www.example.com/", RC_INVALID, "leading dot" },
	{ "https://www..example.com/", RC_INVALID, "empty label" },
	{ "https://www.example\xe3\x80\x82" "com/", RC_INVALID, "ideographic full stop U+3002" },
	{ "https://www.example\xef\xbc\x8e" "com/", RC_INVALID, "fullwidth full stop U+FF0E" },
	{ "https://www.example\xef\xbd\xa1" "com/", RC_INVALID, "halfwidth full stop U+FF61" },
	{ "https://www.example\xe2\x80\xa4" "com/", RC_INVALID, "one dot leader U+2024" },
	{ "https://www.\xd0\xb5\xd1\x85" "ample.com/", RC_INVALID, "Cyrillic homograph" },
	{ "https://www.exam\xe2\x80\x8b" "ple.com/", RC_INVALID, "zero-width space" },
	{ "https://\xef\xbc\xb7\xef\xbc\xb7\xef\xbc\xb7.example.com/", RC_INVALID, "fullwidth letters" },
	{ "https://www.exa_mple.com/", RC_INVALID, "underscore" },
	{ "https://-www.example.com/", RC_INVALID, "leading hyphen" },
	{ "https://www-.example.com/", RC_INVALID, "trailing hyphen" },
	{ "https://a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.org/",
	  RC_INVALID, "64-byte label" },
	/* Whitespace, control characters, backslashes. */
	{ " https://www.example.com/", RC_INVALID, "leading space" },
	{ "https://www.example.com/ ", RC_INVALID, "trailing space" },
	{ "https://www.example.com/a b", RC_INVALID, "inner space" },
	{ "https://www.example.com/\tx", RC_INVALID, "tab" },
	{ "https://www.example.com/\r\nSet-Cookie: a=b", RC_INVALID, "CRLF" },
	{ "https://www.example.com/\x01", RC_INVALID, "control byte" },
	{ "https://www.example.com/\x7f", RC_INVALID, "DEL" },
	{ "jav\tascript:alert(1)", RC_INVALID, "tab in scheme" },
	{ "https://www.example.com\\@evil.test/", RC_INVALID, "backslash before @" },
	{ "https:\\\\evil.test\\", RC_INVALID, "backslashes as slashes" },
	{ "https://www.example.com\\.evil.test/", RC_INVALID, "backslash in host" },
	/* Ports. */
	{ "https://www.example.com:99999/", RC_INVALID, "port too large" },
	{ "https://www.example.com:0/", RC_INVALID, "port zero" },
	{ "https://www.example.com:abc/", RC_INVALID, "port not numeric" },
	{ "https://www.example.com:/", RC_INVALID, "empty port" },
	{ "https://www.example.com:-1/", RC_INVALID, "negative port" },
};

struct good_case {
	const char *url;
	const char *canon;
	const char *key;
};

static const struct good_case good[] = {
	{ "https://www.example.com/", "https://www.example.com/", "https://www.example.com/" },
	{ "https://www.example.com", "https://www.example.com/", "https://www.example.com/" },
	{ "HTTPS://WWW.EXAMPLE.COM/Path", "https://www.example.com/Path", "https://www.example.com/Path" },
	{ "http://www.example.com/a", "http://www.example.com/a", "https://www.example.com/a" },
	{ "https://www.example.com:443/a", "https://www.example.com/a", "https://www.example.com/a" },
	{ "http://www.example.com:80/a", "http://www.example.com/a", "https://www.example.com/a" },
	{ "https://www.example.com:8443/a", "https://www.example.com:8443/a", "https://www.example.com:8443/a" },
	{ "https://www.example.com/a?x=1&utm_source=tw&UTM_Medium=y&b=2#frag",
	  "https://www.example.com/a?x=1&b=2", "https://www.example.com/a?x=1&b=2" },
	{ "https://www.example.com/?utm_source=x", "https://www.example.com/", "https://www.example.com/" },
	{ "https://www.example.com/a?b=1&c=2", "https://www.example.com/a?b=1&c=2", "https://www.example.com/a?b=1&c=2" },
	{ "https://blog.example.org/p", "https://blog.example.org/p", "https://blog.example.org/p" },
	{ "https://example.org/", "https://example.org/", "https://example.org/" },
	{ "https://a.b.example.org/", "https://a.b.example.org/", "https://a.b.example.org/" },
	{ "https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/" },
	{ "https://www.example.com/caf\xc3\xa9?q=\xc3\xa9", "https://www.example.com/caf%C3%A9?q=%C3%A9",
	  "https://www.example.com/caf%C3%A9?q=%C3%A9" },
	{ "https://www.example.com#@evil.test/", "https://www.example.com/", "https://www.example.com/" },
	{ "https://www.example.com?@evil.test", "https://www.example.com/?@evil.test", "https://www.example.com/?@evil.test" },
	{ "https://www.example.com/@user", "https://www.example.com/@user", "https://www.example.com/@user" },
	{ "https://www.example.com/a%2e%2e/b", "https://www.example.com/a%2e%2e/b", "https://www.example.com/a%2e%2e/b" },
};

static void
test_bad_urls(void **state)
{
	struct arena *a = arena_new(4096, 0);
	size_t n = sizeof(bad) / sizeof(bad[0]);
	int failures = 0;

	(void)state;
	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++) {
		struct share_url u;
		enum rc rc = share_url_check(a, &hosts, bad[i].url, &u);
		if (rc != bad[i].want) {
			fprintf(stderr, "case %zu (%s): \"%s\": want %s, got %s\n", i,
			    bad[i].why, bad[i].url, rc_str(bad[i].want), rc_str(rc));
			failures++;
		}
		arena_reset(a);
	}
	arena_free(a);
	assert_int_equal(failures, 0);
}

static void
test_overlong(void **state)
{
	struct arena *a = arena_new(4096, 0);
	char url[SHARE_URL_MAX + 64];
	struct share_url u;
	size_t pre = strlen("https://www.example.com/");

	(void)state;
	memcpy(url, "https://www.example.com/", pre);
	memset(url + pre, 'a', SHARE_URL_MAX - pre);
	url[SHARE_URL_MAX] = '\0';
	assert_int_equal(share_url_check(a, &hosts, url, &u), RC_OK);
	url[SHARE_URL_MAX] = 'a';
	url[SHARE_URL_MAX + 1] = '\0';
	assert_int_equal(share_url_check(a, &hosts, url, &u), RC_INVALID);
	assert_int_equal(share_url_check(a, &hosts, NULL, &u), RC_INVALID);
	arena_free(a);
}

static void
test_good_urls(void **state)
{
	struct arena *a = arena_new(4096, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct share_url u;
		enum rc rc = share_url_check(a, &hosts, good[i].url, &u);
		if (rc != RC_OK)
			fprintf(stderr, "good case %zu: \"%s\": %s\n", i, good[i].url, rc_str(rc));
		assert_int_equal(rc, RC_OK);
		assert_string_equal(u.canon, good[i].canon);
		assert_string_equal(u.key, good[i].key);
		arena_reset(a);
	}
	arena_free(a);
}

static void
test_empty_allow_list(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct share_hosts none = { NULL, 0 };
	struct share_url u;

	(void)state;
	assert_int_equal(share_url_check(a, &none, "https://www.example.com/", &u), RC_FORBIDDEN);
	arena_free(a);
}

static void
test_host_syntax(void **state)
{
	(void)state;
	assert_true(share_host_syntax_ok("www.example.com"));
	assert_true(share_host_syntax_ok("localhost"));
	assert_true(share_host_syntax_ok("xn--bcher-kva.example"));
	assert_true(share_host_syntax_ok("a-b.c0"));
	assert_false(share_host_syntax_ok(NULL));
	assert_false(share_host_syntax_ok(""));
	assert_false(share_host_syntax_ok("WWW.example.com"));
	assert_false(share_host_syntax_ok("www.example.com."));
	assert_false(share_host_syntax_ok("1.2.3.4"));
	assert_false(share_host_syntax_ok("example.123"));
	assert_true(share_host_rule_ok(".example.com"));
	assert_true(share_host_rule_ok("example.com"));
	assert_false(share_host_rule_ok("..example.com"));
	assert_false(share_host_rule_ok("*.example.com"));
	assert_false(share_host_rule_ok("https://example.com"));
	assert_false(share_host_rule_ok("example.com:443"));
	assert_false(share_host_rule_ok("example.com/"));
	assert_false(share_host_rule_ok(NULL));
}

static void
test_host_allowed(void **state)
{
	(void)state;
	assert_true(share_host_allowed(&hosts, "www.example.com"));
	assert_false(share_host_allowed(&hosts, "example.com"));
	assert_true(share_host_allowed(&hosts, "example.org"));
	assert_true(share_host_allowed(&hosts, "x.example.org"));
	assert_false(share_host_allowed(&hosts, "xexample.org"));
	assert_false(share_host_allowed(&hosts, "org"));
	assert_false(share_host_allowed(NULL, "www.example.com"));
}

static void
test_tag(void **state)
{
	struct arena *a = arena_new(4096, 0);
	const char *base = "https://www.example.com/a";

	(void)state;
	assert_ptr_equal(share_url_tag(a, base, NULL, NULL, NULL, "x"), base);
	assert_string_equal(share_url_tag(a, base, "{network}", "social", NULL, "x"),
	    "https://www.example.com/a?utm_source=x&utm_medium=social");
	assert_string_equal(share_url_tag(a, "https://www.example.com/a?b=1", "s&s",
	    NULL, "spring sale {network}!", "hackernews"),
	    "https://www.example.com/a?b=1&utm_source=s%26s&utm_campaign=spring%20sale%20hackernews%21");
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_good_urls),
		cmocka_unit_test(test_empty_allow_list),
		cmocka_unit_test(test_host_syntax),
		cmocka_unit_test(test_host_allowed),
		cmocka_unit_test(test_tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

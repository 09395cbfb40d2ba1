/* test_widgets_conf: the stream { } config checks — file:line:key, each
 * list entry checked once, intervals clamped with a warning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/conf_fixture.h"
#include "widgets/widgets.h"

static const struct feature features[] = {
	{ .name = "widgets", .opts = streams_opts, .checks = streams_checks },
	{ .name = NULL },
};

/* Loads text as c.conf; err gets what was printed. */
static enum rc
load(const char *text, char *err, size_t errlen)
{
	struct config *cfg = NULL;
	char *errs;
	enum rc rc = conf_fixture_load(features, text, &cfg, &errs);

	config_free(cfg);
	snprintf(err, errlen, "%s", errs);
	free(errs);
	return rc;
}

/* Each of want (after "DIR/") in err, once; and no other line. */
static void
expect_lines(const char *err, const char *const *want, size_t n)
{
	size_t lines = 0;

	conf_fixture_expect_once(err, want, n);
	for (const char *p = err; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	if (lines != n)
		fail_msg("%zu lines, wanted %zu:\n%s", lines, n, err);
}

#define SITE "site_url = \"https://www.example.com\"\n"
#define SOURCE "  source a { url = \"https://x.example/feed\" }\n"

static void
test_list_entries(void **state)
{
	static const char *const want[] = {
		"c.conf:4: include: entry 2 must be 1-200 bytes of UTF-8 text",
		"c.conf:6: include: entry 1 must be 1-200 bytes of UTF-8 text",
		"c.conf:7: exclude: entry 2 must be 1-200 bytes of UTF-8 text",
		"c.conf:9: pin: entry 3 must be 1-2048 bytes of UTF-8 text",
		"c.conf:10: hide: entry 1 must be 1-2048 bytes of UTF-8 text",
	};
	char err[4096];

	(void)state;
	assert_int_equal(load(SITE "stream s {\n" SOURCE
	    "  include = {\"a\", \"\"}\n"
	    "  include = {\"ok\"}\n"
	    "  include = {\"\"}\n"            /* given again: still checked */
	    "  exclude = {\"a\"} exclude += {\"\"}\n"
	    "  pin = {\"x\", \"y\",\n \"\"}\n" /* entry 3, on its own line */
	    "  hide = \"\"\n"
	    "}\n", err, sizeof(err)), RC_CONFIG);
	expect_lines(err, want, sizeof(want) / sizeof(want[0]));
}

static void
test_list_max(void **state)
{
	static const char *const want[] = { "c.conf:4: include: at most 1000 entries" };
	char text[16384], err[2048];
	size_t n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), SITE "stream s {\n" SOURCE "  include = {");
	for (int i = 1; i <= 1001; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\"w%d\"%s", i,
		    i < 1001 ? ", " : "}\n}\n");
	assert_int_equal(load(text, err, sizeof(err)), RC_CONFIG);
	expect_lines(err, want, 1);
	/* A thousand is fine. */
	n = (size_t)snprintf(text, sizeof(text), SITE "stream s {\n" SOURCE "  include = {");
	for (int i = 1; i <= 1000; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\"w%d\"%s", i,
		    i < 1000 ? ", " : "}\n}\n");
	assert_int_equal(load(text, err, sizeof(err)), RC_OK);
	assert_string_equal(err, "");
}

/* A warning names the file too, and is not an error. */
static void
test_every_warning(void **state)
{
	char err[2048];

	(void)state;
	assert_int_equal(load(SITE "stream s {\n"
	    "  source a { url = \"https://x.example/feed\" every = 5s }\n"
	    "}\n", err, sizeof(err)), RC_OK);
	expect_lines(err, (const char *const[]){
	    "c.conf:3: every: warning: 5s is outside [1m, 24h]; using 60s\n" }, 1);
	/* Under serve (a reload), a logfmt warning on the same line. */
	config_errors_as_log(true);
	assert_int_equal(load(SITE "stream s {\n"
	    "  source a { url = \"https://x.example/feed\" every = 0 }\n"
	    "}\n", err, sizeof(err)), RC_OK);
	config_errors_as_log(false);
	if (strstr(err, "event=config_warning") == NULL || strstr(err, "line=3 key=every") == NULL)
		fail_msg("expected a logfmt warning on line 3 in \"%s\"", err);
}

static void
test_sections(void **state)
{
	static const char *const want[] = {
		"c.conf:3: url: must be an absolute http:// or https:// URL, got \"ftp://x\"",
		"c.conf:3: market: use 1-32 of [A-Za-z0-9_-]",
		"c.conf:4: max_items: must be between 1 and",
		"c.conf:6: source: stream t has no source",
		"c.conf:7: source: name \"b n\" must be 1-64 of [A-Za-z0-9_-]",
		"c.conf:7: url: missing in source b n",
		"c.conf:7: stream: name \"bad name\" must be 1-64 of [A-Za-z0-9_-]",
	};
	char err[4096];

	(void)state;
	assert_int_equal(load(SITE "stream s {\n"
	    "  source a { url = \"ftp://x\" market = \"Bad!\" }\n"
	    "  max_items = 0\n"
	    "}\n"
	    "stream t { }\n"
	    "stream \"bad name\" { source \"b n\" { } }\n", err, sizeof(err)), RC_CONFIG);
	expect_lines(err, want, sizeof(want) / sizeof(want[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_entries),
		cmocka_unit_test(test_list_max),
		cmocka_unit_test(test_every_warning),
		cmocka_unit_test(test_sections),
	};

	return cmocka_run_group_tests(tests, conf_fixture_setup, conf_fixture_teardown);
}

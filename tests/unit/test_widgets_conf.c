/* test_widgets_conf: the stream { } config checks — file:line:key, each
 * list entry checked once, intervals clamped with a warning. */
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

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "widgets/widgets.h"

static const struct feature features[] = {
	{ .name = "widgets", .opts = widgets_opts, .checks = widgets_checks },
	{ .name = NULL },
};

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_widgets_conf.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Loads text as c.conf (from dir, so errors name "c.conf"); what was
 * printed goes to err. */
static enum rc
load(const char *text, char *err, size_t errlen)
{
	struct config *cfg = NULL;
	char cwd[512];
	int saved, fd;
	size_t n;
	FILE *f;
	enum rc rc;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	f = fopen("c.conf", "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	fflush(stderr);
	saved = dup(2);
	fd = open("errors", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	rc = config_load("c.conf", features, &cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	config_free(cfg);
	f = fopen("errors", "r");
	assert_non_null(f);
	n = fread(err, 1, errlen - 1, f);
	err[n] = '\0';
	fclose(f);
	assert_int_equal(chdir(cwd), 0);
	return rc;
}

/* Each line of want in err, once; and nothing else. */
static void
expect_lines(const char *err, const char *const *want, size_t n)
{
	size_t lines = 0;
	const char *hit;

	for (size_t i = 0; i < n; i++) {
		hit = strstr(err, want[i]);
		if (hit == NULL)
			fail_msg("missing \"%s\" in:\n%s", want[i], err);
		if (strstr(hit + 1, want[i]) != NULL)
			fail_msg("\"%s\" twice in:\n%s", want[i], err);
	}
	for (hit = err; (hit = strchr(hit, '\n')) != NULL; hit++)
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
	assert_string_equal(err, "c.conf:3: every: warning: 5s is outside [1m, 24h]; using 60s\n");
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

	return cmocka_run_group_tests(tests, setup, teardown);
}

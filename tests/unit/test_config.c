/* test_config: parsing, per-key errors with file:line:key, units, secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/catalog.h"
#include "util/cfgval.h"
#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "tests/unit/tmpdir_fixture.h"

static struct tmpdir T;

static long test_every;

static cfg_opt_t test_section_opts[] = {
	CFG_INT_CB("every", 300, CFGF_NONE, cfgval_duration),
	CFG_INT_CB("max_size", 1024, CFGF_NONE, cfgval_size),
	CFG_STR("token", NULL, CFGF_NODEFAULT),
	CFG_STR("token_file", NULL, CFGF_NODEFAULT),
	CFG_END(),
};

static cfg_opt_t test_opts[] = {
	CFG_SEC("thing", test_section_opts, CFGF_MULTI | CFGF_TITLE),
	CFG_END(),
};

static const struct feature test_features[] = {
	{ .name = "test", .opts = test_opts },
	{ .name = NULL },
};

static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	tmpdir_path(&T, name, path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text with the features given; returns the rc and what was printed
 * to stderr. */
static enum rc
load_with(const struct feature *features, const char *text, struct config **cfg,
    char *err, size_t errlen)
{
	const char *path = write_file("c.conf", text);
	char errpath[300];
	FILE *f;
	int saved = dup(STDERR_FILENO);
	enum rc rc;
	size_t n;

	tmpdir_path(&T, "err.txt", errpath, sizeof(errpath));
	f = freopen(errpath, "w", stderr);
	assert_non_null(f);
	rc = config_load(path, features, cfg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(errpath, "r");
	n = fread(err, 1, errlen - 1, f);
	err[n] = '\0';
	fclose(f);
	return rc;
}

/* Loads text with the test feature. */
static enum rc
load(const char *text, struct config **cfg, char *err, size_t errlen)
{
	return load_with(test_features, text, cfg, err, errlen);
}

#define MINIMAL "site_url = \"https://www.example.com\"\n"

static void
test_defaults(void **state)
{
	struct config *cfg;
	char err[2048];

	(void)state;
	assert_int_equal(load(MINIMAL, &cfg, err, sizeof(err)), RC_OK);
	assert_string_equal(err, "");
	assert_null(cfg->listen);
	assert_int_equal(cfg->workers, 2);
	assert_int_equal(cfg->listen_mode, 0660);
	assert_string_equal(cfg->mount, "/social");
	assert_true(cfg->site_https);
	assert_string_equal(cfg->cache_dir, "/var/cache/socialhub");
	assert_int_equal(cfg->metrics_allow_n, 2);
	assert_string_equal(cfg->metrics_allow[0], "127.0.0.1");
	config_free(cfg);
}

static void
test_full(void **state)
{
	struct config *cfg;
	char err[2048];

	(void)state;
	assert_int_equal(load("# comment\nlisten = \"unix:/run/x.sock\"\nlisten_mode = \"0666\"\n"
	    "workers = 4\nsite_url = \"http://127.0.0.1:8080\"\nmount = \"/hub\"\n"
	    "cache_dir = \"/tmp/c\"\nstate_dir = \"/tmp/s\"\nlog_level = \"debug\"\n"
	    "metrics_allow = {\"10.\"}\nthing a { every = 5m  max_size = 10M  token = \"t\" }\n",
	    &cfg, err, sizeof(err)), RC_OK);
	assert_string_equal(cfg->listen, "unix:/run/x.sock");
	assert_int_equal(cfg->listen_mode, 0666);
	assert_int_equal(cfg->workers, 4);
	assert_false(cfg->site_https);
	assert_string_equal(cfg->mount, "/hub");
	test_every = cfg_getint(cfg_gettsec(cfg->root, "thing", "a"), "every");
	assert_int_equal(test_every, 300);
	assert_int_equal(cfg_getint(cfg_gettsec(cfg->root, "thing", "a"), "max_size"), 10L << 20);
	config_free(cfg);
}

static void
test_errors(void **state)
{
	static const struct { const char *text; const char *expect; } cases[] = {
		{ MINIMAL "bogus = 1\n", "c.conf:2: bogus: no such option 'bogus'" },
		{ MINIMAL "workers = 0\n", "c.conf:2: workers: must be between 1 and 64" },
		{ MINIMAL "\nworkers = 65\n", "c.conf:3: workers:" },
		/* libconfuse's lexer is past the comments; the key's own line. */
		{ MINIMAL "\n# c\nworkers = 99\n\n# x\n\nlog_level = \"info\"\n", "c.conf:4: workers:" },
		{ MINIMAL "workers = \"two\"\n", "c.conf:2: workers:" },
		{ "site_url = \"ftp://x.test\"\n", "c.conf:1: site_url:" },
		{ "site_url = \"https://x.test/path\"\n", "c.conf:1: site_url:" },
		{ "site_url = \"https://x.test/\"\n", "c.conf:1: site_url:" },
		{ "site_url = \"https://u@x.test\"\n", "c.conf:1: site_url:" },
		{ "workers = 2\n", "site_url: missing" },
		{ MINIMAL "listen = \"nowhere\"\n", "c.conf:2: listen:" },
		{ MINIMAL "listen = \"unix:relative\"\n", "c.conf:2: listen:" },
		{ MINIMAL "listen = \"127.0.0.1:99999\"\n", "c.conf:2: listen:" },
		/* Only loopback TCP without listen_public (issue 13, item 11). */
		{ MINIMAL "listen = \"0.0.0.0:9191\"\n", "c.conf:2: listen: \"0.0.0.0:9191\" is not a loopback address" },
		{ MINIMAL "listen = \"[::]:9191\"\n", "c.conf:2: listen: \"[::]:9191\" is not a loopback" },
		{ MINIMAL "listen = \"192.168.1.5:9191\"\n# later\nworkers = 2\n", "c.conf:2: listen: \"192.168.1.5:9191\" is not" },
		{ MINIMAL "listen = \"www.example.com:9191\"\n", "set listen_public = true" },
		{ MINIMAL "listen_public = false\nlisten = \"10.0.0.1:9191\"\n", "c.conf:3: listen:" },
		{ MINIMAL "listen_mode = \"999\"\n", "c.conf:2: listen_mode:" },
		{ MINIMAL "mount = \"social\"\n", "c.conf:2: mount:" },
		{ MINIMAL "mount = \"/social/\"\n", "c.conf:2: mount:" },
		{ MINIMAL "mount = \"/so cial\"\n", "c.conf:2: mount:" },
		{ MINIMAL "cache_dir = \"relative\"\n", "c.conf:2: cache_dir: must be an absolute path" },
		{ MINIMAL "state_dir = \"relative\"\n", "c.conf:2: state_dir:" },
		{ MINIMAL "log_level = \"loud\"\n", "c.conf:2: log_level:" },
		{ MINIMAL "thing a { every = 5x }\n", "c.conf:2: every: bad duration" },
		{ MINIMAL "thing a { max_size = lots }\n", "c.conf:2: max_size: bad size" },
		{ MINIMAL "thing a { nope = 1 }\n", "nope" },
		{ MINIMAL "site_url = \n", "c.conf:3: premature end of file" },
		{ MINIMAL "thing a {\n", "c.conf:2: section not closed" },
		{ MINIMAL "thing a { token = \"}\" # }\n", "c.conf:2: section not closed" },
		{ MINIMAL "/* ( */\ninclude(\"/etc/passwd\")\n", "c.conf:3: function calls" },
		{ MINIMAL "include(\"/etc/pas\"Swd\")\n", "c.conf:2: function calls" },
		{ MINIMAL "thing a { token = \"(\" // (\n}\nx()\n", "c.conf:4: function calls" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg = (void *)1;
		char err[2048];
		if (load(cases[i].text, &cfg, err, sizeof(err)) != RC_CONFIG)
			fail_msg("case %zu: accepted \"%s\"", i, cases[i].text);
		assert_null(cfg);
		if (strstr(err, cases[i].expect) == NULL)
			fail_msg("case %zu: expected \"%s\" in \"%s\"", i, cases[i].expect, err);
	}
}

/* catalog_dir: a site's catalogs over the shipped ones; a directory that
 * is not there, or a bad file in it, stops the load naming file and key. */
static void
test_catalog_dir(void **state)
{
	struct config *cfg = NULL;
	char err[2048], text[512], dir[256];
	(void)state;

	tmpdir_path(&T, "cat", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("cat/de.json", "{\"stream.more\": \"Weitere\"}");
	snprintf(text, sizeof(text), MINIMAL "catalog_dir = \"%s\"\n", dir);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), RC_OK);
	assert_string_equal(catalog_get(cfg->catalog, catalog_lang(cfg->catalog, "de-AT"),
	    "stream.more"), "Weitere");
	assert_string_equal(catalog_get(cfg->catalog, "de", "stream.empty"), "No posts yet.");
	config_free(cfg);
	write_file("cat/fr.json", "{\"stream.more\": [1]}");
	assert_int_equal(load(text, &cfg, err, sizeof(err)), RC_CONFIG);
	assert_null(cfg);
	assert_non_null(strstr(err, "c.conf:2: catalog_dir:"));
	assert_non_null(strstr(err, "fr.json: key \"stream.more\""));
	snprintf(text, sizeof(text), MINIMAL "catalog_dir = \"%s/none\"\n", dir);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), RC_CONFIG);
	assert_non_null(strstr(err, "none: No such file or directory"));
}

/* TCP on loopback needs no opt-in; elsewhere listen_public = true lets it
 * load, with a warning. */
static void
test_listen_scope(void **state)
{
	static const char *const loopback[] = {
		"127.0.0.1:9191", "127.9.9.9:9191", "[::1]:9191", "localhost:9191",
		"[::ffff:127.0.0.1]:9191",
	};
	struct config *cfg;
	char err[2048], text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL "listen = \"%s\"\n", loopback[i]);
		if (load(text, &cfg, err, sizeof(err)) != RC_OK)
			fail_msg("refused %s: %s", loopback[i], err);
		assert_false(cfg->listen_public);
		assert_null(strstr(err, "warning"));
		config_free(cfg);
	}
	assert_int_equal(load(MINIMAL "listen = \"0.0.0.0:9191\"\nlisten_public = true\n",
	    &cfg, err, sizeof(err)), RC_OK);
	assert_true(cfg->listen_public);
	assert_non_null(strstr(err, "c.conf:2: listen: warning: \"0.0.0.0:9191\" is not loopback"));
	config_free(cfg);
}

static void
test_all_errors_reported(void **state)
{
	struct config *cfg;
	char err[2048];

	(void)state;
	assert_int_equal(load("site_url = \"ftp://x\"\nworkers = 99\nlog_level = \"x\"\n",
	    &cfg, err, sizeof(err)), RC_CONFIG);
	assert_non_null(strstr(err, ":1: site_url:"));
	assert_non_null(strstr(err, ":2: workers:"));
	assert_non_null(strstr(err, ":3: log_level:"));
}

/* ---- string lists: an entry callback, called once per entry ---- */

static int
check_word(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (strncmp(value, "bad", 3) == 0)
		cfg_error(cfg, "KEY %s: bad word \"%s\"", opt->name, value);
	return cfgval_keep(value, result);
}

static cfg_opt_t list_inner_opts[] = {
	CFG_STR_LIST_CB("words", NULL, CFGF_NODEFAULT, check_word),
	CFG_END(),
};

static cfg_opt_t list_single_opts[] = {
	CFG_STR_LIST_CB("words", "{\"ok\"}", CFGF_NONE, check_word),
	CFG_SEC("inner", list_inner_opts, CFGF_MULTI),
	CFG_END(),
};

static cfg_opt_t list_opts[] = {
	CFG_STR_LIST_CB("words", "{\"fine\"}", CFGF_NONE, check_word),
	CFG_SEC("multi", list_inner_opts, CFGF_MULTI | CFGF_TITLE),
	/* Not MULTI: made by cfg_init, before the file is known. */
	CFG_SEC("single", list_single_opts, CFGF_NONE),
	CFG_END(),
};

static const struct feature list_features[] = {
	{ .name = "lists", .opts = list_opts },
	{ .name = NULL },
};

/*
 * Every entry checked once, on its line: also entries added with +=, a
 * list given again (the old per-feature workarounds skipped those), an
 * entry without braces, and lists in a section made before parsing (named
 * by the file like any other).
 */
static void
test_list_entries(void **state)
{
	static const char *const want[] = {
		"c.conf:2: words: bad word \"bad1\"",
		"c.conf:3: words: bad word \"bad2\"",
		"c.conf:4: words: bad word \"bad3\"",
		"c.conf:6: words: bad word \"bad4\"",
		"c.conf:7: words: bad word \"bad5\"",
		"c.conf:9: words: bad word \"bad6\"",
		"c.conf:10: words: bad word \"bad7\"",
		"c.conf:12: words: bad word \"bad8\"",
		"c.conf:13: words: bad word \"bad9\"",
	};
	struct config *cfg;
	char err[4096];
	const char *hit;
	size_t lines = 0;

	(void)state;
	assert_int_equal(load_with(list_features, MINIMAL
	    "words = {\"ok\", \"bad1\",\n"
	    "  \"bad2\"}\n"
	    "words += {\"bad3\"}\n"
	    "multi a { words = {\"ok\"}\n"
	    "  words = {\"bad4\"} }\n"
	    "multi b { words = \"bad5\" }\n"
	    "single {\n"
	    "  words = {\"bad6\"}\n"
	    "  inner { words = {\"ok\", \"bad7\"} }\n"
	    "}\n"
	    "single { words = {\"bad8\"} }\n"
	    "words = {\"bad9\"}\n", &cfg, err, sizeof(err)), RC_CONFIG);
	assert_null(cfg);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		hit = strstr(err, want[i]);
		if (hit == NULL)
			fail_msg("missing \"%s\" in:\n%s", want[i], err);
		/* Once only. */
		assert_null(strstr(hit + 1, want[i]));
	}
	for (hit = err; (hit = strchr(hit, '\n')) != NULL; hit++)
		lines++;
	assert_int_equal(lines, sizeof(want) / sizeof(want[0]));
	/* The defaults went through the callback too, and passed. */
	assert_int_equal(load_with(list_features, MINIMAL "multi a { words = {\"ok\"} }\n",
	    &cfg, err, sizeof(err)), RC_OK);
	assert_string_equal(err, "");
	assert_string_equal(cfg_getnstr(cfg->root, "words", 0), "fine");
	assert_string_equal(cfg_getnstr(cfg_getsec(cfg->root, "single"), "words", 0), "ok");
	config_free(cfg);
}

/* Nothing carries over from one load to the next (SIGHUP reloads). */
static void
test_loads_independent(void **state)
{
	struct config *cfg;
	char err[2048];

	(void)state;
	assert_int_equal(load_with(list_features, MINIMAL "single { words = {\"bad\"} }\n",
	    &cfg, err, sizeof(err)), RC_CONFIG);
	assert_int_equal(load_with(list_features, MINIMAL "single { words = {\"ok\"} }\n",
	    &cfg, err, sizeof(err)), RC_OK);
	assert_string_equal(err, "");
	config_free(cfg);
	assert_int_equal(load(MINIMAL "workers = 0\n", &cfg, err, sizeof(err)), RC_CONFIG);
	assert_int_equal(load(MINIMAL, &cfg, err, sizeof(err)), RC_OK);
	config_free(cfg);
	assert_int_equal(load(MINIMAL "thing a { every = 5x }\n", &cfg, err, sizeof(err)),
	    RC_CONFIG);
}

static void
test_missing_file(void **state)
{
	struct config *cfg;

	(void)state;
	assert_int_equal(config_load("/nonexistent/socialhub.conf", test_features, &cfg), RC_IO);
	assert_null(cfg);
}

static void
test_units(void **state)
{
	static const struct { const char *s; long v; } durations[] = {
		{ "0", 0 }, { "30", 30 }, { "30s", 30 }, { "5m", 300 }, { "8h", 28800 }, { "1d", 86400 },
	};
	static const char *const bad_durations[] = { "", "s", "5 m", "5mm", "-1m", "5w", "1.5h",
		"99999999999999999999d" };
	static const struct { const char *s; long v; } sizes[] = {
		{ "512", 512 }, { "64k", 65536 }, { "10M", 10L << 20 }, { "1G", 1L << 30 },
	};
	/* Only the units socialhub.conf(5) lists (issue 16, item 4). */
	static const char *const bad_sizes[] = { "", "k", "10T", "1.5M", "-1", "10 M",
		"10MB", "10m", "2KiB", "3K", "1g", "1GB" };
	long v;

	(void)state;
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		assert_true(cfgval_parse_duration(durations[i].s, &v));
		assert_int_equal(v, durations[i].v);
	}
	for (size_t i = 0; i < sizeof(bad_durations) / sizeof(bad_durations[0]); i++)
		assert_false(cfgval_parse_duration(bad_durations[i], &v));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_true(cfgval_parse_size(sizes[i].s, &v));
		assert_int_equal(v, sizes[i].v);
	}
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		assert_false(cfgval_parse_size(bad_sizes[i], &v));
}

static void
test_secrets(void **state)
{
	struct config *cfg;
	char err[2048], text[2048], *secret = NULL;
	const char *sf = write_file("token.txt", "s3cret\n");
	char sfpath[256];
	cfg_t *sec;

	(void)state;
	snprintf(sfpath, sizeof(sfpath), "%s", sf);
	assert_int_equal(chmod(sfpath, 0600), 0);
	assert_int_equal(chmod(write_file("empty.txt", "\n"), 0400), 0);
	assert_int_equal(chmod(write_file("group.txt", "s3cret\n"), 0640), 0);
	assert_int_equal(chmod(write_file("world.txt", "s3cret\n"), 0604), 0);
	assert_int_equal(chmod(write_file("gw.txt", "s3cret\n"), 0620), 0);
	snprintf(text, sizeof(text), MINIMAL "thing file { token_file = \"%s\" }\n"
	    "thing inline { token = \"abc\" }\nthing both { token = \"x\" token_file = \"%s\" }\n"
	    "thing none { }\nthing missing { token_file = \"%s/nope\" }\n"
	    "thing empty { token_file = \"%s/empty.txt\" }\n"
	    "thing group { token_file = \"%s/group.txt\" }\n"
	    "thing world { token_file = \"%s/world.txt\" }\n"
	    "thing gw { token_file = \"%s/gw.txt\" }\n",
	    sfpath, sfpath, T.path, T.path, T.path, T.path, T.path);
	assert_int_equal(load(text, &cfg, err, sizeof(err)), RC_OK);
	sec = cfg_gettsec(cfg->root, "thing", "file");
	assert_int_equal(config_secret(cfg, sec, "token", false, &secret), RC_OK);
	assert_string_equal(secret, "s3cret");
	free(secret);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "inline"), "token", false, &secret), RC_OK);
	assert_string_equal(secret, "abc");
	free(secret);
	fflush(stderr);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "both"), "token", false, &secret), RC_CONFIG);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "none"), "token", false, &secret), RC_CONFIG);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "missing"), "token", false, &secret), RC_CONFIG);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "empty"), "token", false, &secret), RC_CONFIG);
	/* Open to group or others: an error, not a warning (issue 13, item 8). */
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "group"), "token", false, &secret), RC_CONFIG);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "world"), "token", true, &secret), RC_CONFIG);
	assert_int_equal(config_secret(cfg, cfg_gettsec(cfg->root, "thing", "gw"), "token", false, &secret), RC_CONFIG);
	config_free(cfg);
}

/* Loads text and, when it loads, reads the secret of every thing section
 * (a check made after the parse); err gets all that was printed. */
static void
load_checked(const char *text, char *err, size_t errlen)
{
	const char *path = write_file("c.conf", text);
	char errpath[300];
	struct config *cfg = NULL;
	int saved = dup(STDERR_FILENO);
	FILE *f;
	size_t n;

	tmpdir_path(&T, "err.txt", errpath, sizeof(errpath));
	assert_non_null(freopen(errpath, "w", stderr));
	if (config_load(path, test_features, &cfg) == RC_OK) {
		for (unsigned j = 0; j < cfg_size(cfg->root, "thing"); j++) {
			char *secret = NULL;
			if (config_secret(cfg, cfg_getnsec(cfg->root, "thing", j), "token", false,
			    &secret) == RC_OK)
				free(secret);
		}
		config_free(cfg);
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(errpath, "r");
	n = fread(err, 1, errlen - 1, f);
	err[n] = '\0';
	fclose(f);
}

/*
 * Every kind of error on the line of its key (issue 16, item 1): libconfuse
 * counts three lines for each comment line, and a section's line is where
 * its parse ended; neither may show. Each case is one file; `line` is where
 * the error must point.
 */
static void
test_error_lines(void **state)
{
	static const struct { const char *text, *expect; } cases[] = {
		/* unknown key: top level after comments, in a section after a
		 * comment and a blank line */
		{ "# one\n# two\n\n" MINIMAL "# three\nbogus = 1\n", "c.conf:6: bogus: no such option" },
		{ MINIMAL "thing a {\n  # c\n\n  nope = 1\n}\n", "c.conf:5: nope: no such option" },
		/* bad value after comments; in a section */
		{ "# a\n# b\n# c\n" MINIMAL "# d\n# e\nworkers = 99\n", "c.conf:7: workers: must be" },
		{ "# a\n# b\nsite_url = \"https://x.test/path\"\n# c\n# d\n", "c.conf:3: site_url:" },
		{ "# a\n\n# b\nsite_url = \"ftp://x.test\"\n", "c.conf:4: site_url:" },
		/* bad units, in a section after comments, with a section after it */
		{ MINIMAL "# x\nthing a {\n  # y\n  # z\n  every = 5x\n}\nthing b { }\n",
		  "c.conf:6: every: bad duration" },
		{ MINIMAL "thing a {\n  # y\n\n  max_size = 10MB\n  # z\n}\n# w\nthing b { }\n",
		  "c.conf:5: max_size: bad size \"10MB\"" },
		/* a missing file, found after the parse: the key's line, not the
		 * line of the next section */
		{ MINIMAL "# x\nthing a {\n  every = 5m\n  # y\n\n  token_file = \"/nonexistent/t\"\n"
		  "  # z\n\n}\n\n# w\nthing b { token = \"x\" }\n", "c.conf:7: token_file: cannot read "
		  "/nonexistent/t: No such file or directory" },
		/* a missing key: the section's line */
		{ MINIMAL "# x\n\nthing c {\n  # y\n}\n", "c.conf:4: token: missing" },
		/* comments after the key on its line, a value on the next line */
		{ MINIMAL "workers = # c\n  99\n", "c.conf:3: workers:" },
		/* a list spanning lines, comments between its entries */
		{ MINIMAL "# c\nmetrics_allow = {\"127.0.0.1\", # local\n  # more\n  \"::1\",\n"
		  "  \"10.\"}\nworkers = 0\n", "c.conf:7: workers:" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[2048];
		load_checked(cases[i].text, err, sizeof(err));
		if (strstr(err, cases[i].expect) == NULL)
			fail_msg("case %zu: expected \"%s\" in \"%s\"", i, cases[i].expect, err);
	}
}

/* The lines of a list's entries and a section's own checks. */
static void
test_error_lines_lists(void **state)
{
	struct config *cfg;
	char err[4096];

	(void)state;
	assert_int_equal(load_with(list_features, MINIMAL
	    "# a\n"
	    "words = {\"ok\",   # fine\n"
	    "  # still in the list\n"
	    "  \"bad1\",\n"
	    "\n"
	    "  \"bad2\"}\n"
	    "# b\n"
	    "multi m {\n"
	    "  # c\n"
	    "  words = {\"ok\",\n"
	    "    \"bad3\"}\n"
	    "}\n", &cfg, err, sizeof(err)), RC_CONFIG);
	assert_non_null(strstr(err, "c.conf:5: words: bad word \"bad1\""));
	assert_non_null(strstr(err, "c.conf:7: words: bad word \"bad2\""));
	assert_non_null(strstr(err, "c.conf:12: words: bad word \"bad3\""));
}

/* The reload log names the same line as check-config. */
static void
test_error_lines_logfmt(void **state)
{
	struct config *cfg;
	char err[2048];

	(void)state;
	config_errors_as_log(true);
	assert_int_equal(load("# a\n# b\n# c\nsite_url = \"https://x.test/p\"\n# d\n",
	    &cfg, err, sizeof(err)), RC_CONFIG);
	config_errors_as_log(false);
	if (strstr(err, "line=4 key=site_url") == NULL)
		fail_msg("expected line=4 in \"%s\"", err);
}

/* A secret that cannot be read says why in words, and as whom (the
 * permission case as another user: tests/integration/test_cli.sh). */
static void
test_io_message(void **state)
{
	char msg[256];

	(void)state;
	config_io_message(ENOENT, msg, sizeof(msg));
	assert_string_equal(msg, "No such file or directory");
	config_io_message(EACCES, msg, sizeof(msg));
	assert_non_null(strstr(msg, "Permission denied (socialhub runs as user "));
	config_io_message(EISDIR, msg, sizeof(msg));
	assert_string_equal(msg, "Is a directory");
}

static void
test_default_path(void **state)
{
	(void)state;
	unsetenv("SOCIALHUB_CONFIG");
	assert_string_equal(config_default_path("/x.conf"), "/x.conf");
	assert_non_null(strstr(config_default_path(NULL), "socialhub/socialhub.conf"));
	setenv("SOCIALHUB_CONFIG", "/env.conf", 1);
	assert_string_equal(config_default_path(NULL), "/env.conf");
	assert_string_equal(config_default_path("/x.conf"), "/x.conf");
	unsetenv("SOCIALHUB_CONFIG");
}

static int
setup(void **state)
{
	(void)state;
	return tmpdir_init(&T, "config");
}

static int
teardown(void **state)
{
	(void)state;
	return tmpdir_fini(&T);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_catalog_dir),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_list_entries),
		cmocka_unit_test(test_loads_independent),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_listen_scope),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_error_lines_lists),
		cmocka_unit_test(test_error_lines_logfmt),
		cmocka_unit_test(test_io_message),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

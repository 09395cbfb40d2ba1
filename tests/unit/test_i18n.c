/* test_i18n: language negotiation (util/locale), message catalogs with
 * their fallbacks and overrides (util/catalog), and ICU formatting of
 * relative times, dates, plurals and compact numbers (util/icufmt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/catalog.h"
#include "util/icufmt.h"
#include "util/locale.h"

static const char *const avail[] = { "en", "de", "fr", "pt", "ja", "ar", "zh-Hans",
	"zh-Hant" };
#define NAVAIL (sizeof(avail) / sizeof(avail[0]))

static const struct { const char *header, *want; } negotiate_cases[] = {
	{ "de-CH,de;q=0.9,en;q=0.8", "de" },
	{ "fr;q=0.3, ja;q=0.9", "ja" },
	{ "en;q=0, de;q=0.5", "de" },
	{ "zh-TW,zh;q=0.9", "zh-Hant" },
	{ "zh-CN", "zh-Hans" },
	{ "zh", "zh-Hans" },
	{ "zh-Hant-HK", "zh-Hant" },
	{ "ZH-hk", "zh-Hant" },
	{ "pt-BR,pt;q=0.8", "pt" },
	{ "xx-YY, ja;q=0.1", "ja" },
	{ "de;q=2, fr", "fr" },            /* q over 1: ignored */
	{ "de;q=abc,ja", "ja" },            /* malformed q: ignored */
	{ "de;x=1,ja", "ja" },              /* not a q parameter: ignored */
	{ "<script>,ar", "ar" },            /* not a tag: ignored */
	{ "ja;q=0.500, de;q=0.5", "ja" },   /* ties keep their order */
	{ "*", NULL },
	{ "xx", NULL },
	{ "", NULL },
	{ ",,, ;q=1", NULL },
	{ NULL, NULL },
};

static void
test_negotiate(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(negotiate_cases) / sizeof(negotiate_cases[0]); i++) {
		const char *got = locale_negotiate(negotiate_cases[i].header, avail, NAVAIL);
		if (negotiate_cases[i].want == NULL && got != NULL)
			fail_msg("\"%s\": got %s, want none", negotiate_cases[i].header, got);
		if (negotiate_cases[i].want != NULL && (got == NULL ||
		    strcmp(got, negotiate_cases[i].want) != 0))
			fail_msg("\"%s\": got %s, want %s", negotiate_cases[i].header,
			    got != NULL ? got : "none", negotiate_cases[i].want);
	}
}

/* Only the first LOCALE_RANGES_MAX ranges count; a long header is no
 * more work than that. */
static void
test_negotiate_bounded(void **state)
{
	char h[4096] = "";
	(void)state;
	for (int i = 0; i < LOCALE_RANGES_MAX; i++)
		strcat(h, "xx,");
	strcat(h, "de");
	assert_null(locale_negotiate(h, avail, NAVAIL));
}

static void
test_match_and_dir(void **state)
{
	(void)state;
	assert_string_equal(locale_match("pt-BR", avail, NAVAIL), "pt");
	assert_string_equal(locale_match("zh-Hant-TW", avail, NAVAIL), "zh-Hant");
	assert_string_equal(locale_match("DE", avail, NAVAIL), "de");
	assert_null(locale_match("es", avail, NAVAIL));
	assert_null(locale_match("de-", avail, NAVAIL));
	assert_null(locale_match("d\"e", avail, NAVAIL));
	assert_null(locale_match("", avail, NAVAIL));
	assert_null(locale_match(NULL, avail, NAVAIL));
	assert_null(locale_match("a-bcdefghijklmnopqrstuvwxyz0123456789", avail, NAVAIL));
	assert_string_equal(locale_dir("ar"), "rtl");
	assert_string_equal(locale_dir("ar-EG"), "rtl");
	assert_string_equal(locale_dir("he"), "rtl");
	assert_string_equal(locale_dir("fa-IR"), "rtl");
	assert_string_equal(locale_dir("az-Arab"), "rtl");
	assert_string_equal(locale_dir("en"), "ltr");
	assert_string_equal(locale_dir("ja"), "ltr");
	assert_string_equal(locale_dir("arn"), "ltr");   /* Mapudungun, not Arabic */
	assert_string_equal(locale_dir(NULL), "ltr");
	assert_string_equal(locale_dir("x<y"), "ltr");
}

static const char *
shipped(void)
{
	static char path[1024];
	const char *src = getenv("srcdir");

	snprintf(path, sizeof(path), "%s/data/catalogs", src != NULL ? src : ".");
	return path;
}

static void
put(const struct tmpdir *t, const char *name, const char *text)
{
	char path[512];
	FILE *f = fopen(tmpdir_path(t, name, path, sizeof(path)), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Every shipped catalog has every key English has, with the same
 * placeholders, and loads. */
static void
test_catalog_shipped(void **state)
{
	struct catalog *c = NULL;
	char err[512] = "";
	const char *const *langs;
	size_t n;
	static const char *const want[] = { "en", "de", "fr", "es", "it", "pt", "nl", "pl",
		"ru", "tr", "ar", "hi", "ja", "ko", "zh-Hans", "zh-Hant" };
	(void)state;

	if (catalog_load(shipped(), NULL, err, sizeof(err), &c) != RC_OK)
		fail_msg("%s", err);
	langs = catalog_langs(c, &n);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(catalog_lang(c, want[i]));
	(void)langs;
	assert_string_equal(catalog_get(c, "de", "stream.more"), "Mehr laden");
	assert_string_equal(catalog_get(c, "ja", "stream.more"), "さらに読み込む");
	assert_string_equal(catalog_get(c, catalog_lang(c, "zh-TW"), "stream.more"), "載入更多");
	assert_string_equal(catalog_plural(c, "de", "stream.likes", "one"), "{n} Like");
	assert_string_equal(catalog_plural(c, "ru", "stream.views", "few"), "{n} просмотра");
	assert_string_equal(catalog_plural(c, "ar", "stream.likes", "two"), "إعجابان");
	/* ja has only "other": every category gets it. */
	assert_string_equal(catalog_plural(c, "ja", "stream.likes", "one"), "いいね {n}件");
	catalog_free(c);
	/* Each file itself has every English key, with the same placeholder. */
	{
		char path[1200];
		json_t *en, *v;
		const char *k;
		snprintf(path, sizeof(path), "%s/en.json", shipped());
		assert_non_null(en = json_load_file(path, 0, NULL));
		for (size_t i = 0; i < n; i++) {
			json_t *o;
			snprintf(path, sizeof(path), "%s/%s.json", shipped(), want[i]);
			assert_non_null(o = json_load_file(path, 0, NULL));
			json_object_foreach(en, k, v) {
				json_t *mine = json_object_get(o, k);
				const char *s = json_is_object(mine) ?
				    json_string_value(json_object_get(mine, "other")) : json_string_value(mine);
				const char *e = json_is_object(v) ?
				    json_string_value(json_object_get(v, "other")) : json_string_value(v);
				const char *ph = e != NULL ? strchr(e, '{') : NULL;
				char tok[32] = "";
				if (s == NULL)
					fail_msg("%s.json lacks %s", want[i], k);
				if (ph != NULL)
					snprintf(tok, sizeof(tok), "%.*s", (int)strcspn(ph, "}") + 1, ph);
				if (tok[0] != '\0' && strstr(s, tok) == NULL)
					fail_msg("%s.json: %s lacks %s", want[i], k, tok);
			}
			json_decref(o);
		}
		json_decref(en);
	}
}

static void
test_catalog_override(void **state)
{
	struct tmpdir t;
	struct catalog *c = NULL;
	char err[512] = "";
	json_t *js;
	(void)state;

	assert_int_equal(tmpdir_init(&t, "i18n"), 0);
	put(&t, "de.json", "{\"stream.more\": \"Weitere anzeigen\"}");
	put(&t, "en.json", "{\"site.slogan\": \"Hello\"}");
	put(&t, "eo.json", "{\"stream.more\": \"Ŝargi pli\"}");
	put(&t, "README", "not a catalog");
	put(&t, "x y.json", "{}");   /* not a tag: not a catalog */
	if (catalog_load(shipped(), t.path, err, sizeof(err), &c) != RC_OK)
		fail_msg("%s", err);
	assert_string_equal(catalog_get(c, "de", "stream.more"), "Weitere anzeigen");
	assert_string_equal(catalog_get(c, "de", "stream.empty"), "Noch keine Beiträge.");
	assert_string_equal(catalog_get(c, "eo", "stream.more"), "Ŝargi pli");
	/* A key only English has: every language falls back to it. */
	assert_string_equal(catalog_get(c, "eo", "stream.empty"), "No posts yet.");
	assert_string_equal(catalog_get(c, "ja", "site.slogan"), "Hello");
	assert_string_equal(catalog_get(c, "de", "no.such.key"), "no.such.key");
	/* A tag below a catalog's uses it (de-AT -> de), an unknown one English. */
	assert_string_equal(catalog_get(c, "de-AT", "stream.more"), "Weitere anzeigen");
	assert_string_equal(catalog_get(c, "xx", "stream.more"), "Load more");
	assert_string_equal(catalog_get(c, "bad\"tag", "stream.more"), "Load more");
	js = catalog_export(c, "eo", "js.");
	assert_non_null(js);
	assert_string_equal(json_string_value(json_object_get(js, "js.close")), "Close");
	assert_null(json_object_get(js, "stream.more"));
	json_decref(js);
	catalog_free(c);
	assert_int_equal(tmpdir_fini(&t), 0);
}

static const struct { const char *file, *text, *in_error; } bad_cases[] = {
	{ "de.json", "{\"stream.more\": 3}", "key \"stream.more\"" },
	{ "de.json", "{\"stream.likes\": {\"one\": \"x\"}}", "\"other\"" },
	{ "de.json", "{\"stream.likes\": {\"other\": 1}}", "stream.likes" },
	{ "de.json", "[\"a\"]", "not a JSON object" },
	{ "de.json", "{\"a\": \"x\", \"a\": \"y\"}", "line 1" },
	{ "de.json", "{\"a\": ", "de.json" },
};

static void
test_catalog_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct tmpdir t;
		struct catalog *c = (struct catalog *)1;
		char err[512] = "";

		assert_int_equal(tmpdir_init(&t, "i18n"), 0);
		put(&t, bad_cases[i].file, bad_cases[i].text);
		assert_int_equal(catalog_load(NULL, t.path, err, sizeof(err), &c), RC_CONFIG);
		assert_null(c);
		if (strstr(err, bad_cases[i].in_error) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad_cases[i].in_error);
		assert_int_equal(tmpdir_fini(&t), 0);
	}
}

/* A site directory that is not there is an error; a shipped one that is
 * not there leaves English. */
static void
test_catalog_missing(void **state)
{
	struct catalog *c = NULL;
	char err[512] = "";
	(void)state;

	assert_int_equal(catalog_load(NULL, "/nonexistent/catalogs", err, sizeof(err), &c),
	    RC_CONFIG);
	assert_non_null(strstr(err, "/nonexistent/catalogs"));
	assert_int_equal(catalog_load("/nonexistent/shipped", NULL, err, sizeof(err), &c), RC_OK);
	assert_string_equal(catalog_get(c, "de", "stream.more"), "Load more");
	assert_null(catalog_lang(c, "de"));
	catalog_free(c);
	assert_string_equal(catalog_get(NULL, "de", "stream.more"), "stream.more");
}

#define NOW 1767225600LL   /* 2026-01-01T00:00:00Z */

static const struct { const char *lang; long long ago; const char *want; } rel_cases[] = {
	{ "en", 10, "now" },
	{ "en", -500, "now" },             /* the future counts as now */
	{ "en", 59, "now" },
	{ "en", 60, "1 minute ago" },
	{ "en", 119, "1 minute ago" },
	{ "en", 3599, "59 minutes ago" },
	{ "en", 3600, "1 hour ago" },
	{ "en", 86399, "23 hours ago" },
	{ "en", 86400, "yesterday" },
	{ "en", 6 * 86400, "6 days ago" },
	{ "en", 34 * 86400, "4 weeks ago" },
	{ "en", 35 * 86400, "Nov 27, 2025" },
	{ "en", 400 * 86400, "Nov 27, 2024" },
	{ "en", 3 * 3600, "3 hours ago" },
	{ "en", 86400 + 5, "yesterday" },
	{ "en", 3 * 86400, "3 days ago" },
	{ "en", 8 * 86400, "last week" },
	{ "en", 3 * 604800, "3 weeks ago" },
	{ "en", 90 * 86400, "Oct 3, 2025" },
	{ "de", 3 * 3600, "vor 3 Stunden" },
	{ "de", 86400, "gestern" },
	{ "de", 90 * 86400, "03.10.2025" },
	{ "ja", 3 * 3600, "3 時間前" },
	{ "ja", 90 * 86400, "2025/10/03" },
	{ "ar", 3 * 3600, "قبل ٣ ساعات" },
	{ "ru", 5 * 60, "5 минут назад" },
	{ "zh-Hant", 86400, "昨天" },
	{ "not a tag", 3 * 3600, "3 hours ago" },   /* English */
};

static void
test_relative(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rel_cases) / sizeof(rel_cases[0]); i++) {
		struct icufmt *f = icufmt_new(rel_cases[i].lang);
		struct buf b;
		buf_init(&b, 1024);
		assert_int_equal(icufmt_relative(f, &b, NOW - rel_cases[i].ago, NOW), RC_OK);
		if (strcmp(buf_cstr(&b), rel_cases[i].want) != 0)
			fail_msg("%s %lld: \"%s\", want \"%s\"", rel_cases[i].lang,
			    rel_cases[i].ago, buf_cstr(&b), rel_cases[i].want);
		buf_fini(&b);
		icufmt_free(f);
	}
}

static const struct { const char *lang; long long n; const char *want; } compact_cases[] = {
	{ "en", 950, "950" }, { "en", 1234, "1.2K" }, { "en", 10000, "10K" },
	{ "en", 1500000, "1.5M" }, { "ja", 10000, "1万" }, { "ja", 1500000, "150万" },
	{ "zh-Hant", 10000, "1萬" }, { "de", 1500000, "1,5\u00a0Mio." }, { "fr", 1234, "1,2\u00a0k" },
	{ "hi", 1500000, "15\u00a0लाख" }, { "ar", 10000, "١٠\u00a0ألف" }, { "en", -2000, "-2K" },
};

static void
test_compact(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(compact_cases) / sizeof(compact_cases[0]); i++) {
		struct icufmt *f = icufmt_new(compact_cases[i].lang);
		struct buf b;
		buf_init(&b, 1024);
		assert_int_equal(icufmt_compact(f, &b, compact_cases[i].n), RC_OK);
		if (strcmp(buf_cstr(&b), compact_cases[i].want) != 0)
			fail_msg("%s %lld: \"%s\", want \"%s\"", compact_cases[i].lang,
			    compact_cases[i].n, buf_cstr(&b), compact_cases[i].want);
		buf_fini(&b);
		icufmt_free(f);
	}
}

static const struct { const char *lang; long long n; const char *want; } plural_cases[] = {
	{ "en", 1, "one" }, { "en", 0, "other" }, { "en", 2, "other" },
	{ "ru", 1, "one" }, { "ru", 3, "few" }, { "ru", 5, "many" }, { "ru", 21, "one" },
	{ "pl", 22, "few" }, { "pl", 12, "many" },
	{ "ar", 0, "zero" }, { "ar", 2, "two" }, { "ar", 3, "few" }, { "ar", 11, "many" },
	{ "ar", 100, "other" }, { "ja", 1, "other" }, { "fr", 0, "one" }, { "fr", 1000000, "many" },
};

static void
test_plural(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(plural_cases) / sizeof(plural_cases[0]); i++) {
		struct icufmt *f = icufmt_new(plural_cases[i].lang);
		char cat[ICUFMT_PLURAL_MAX];
		icufmt_plural(f, plural_cases[i].n, cat);
		if (strcmp(cat, plural_cases[i].want) != 0)
			fail_msg("%s %lld: %s, want %s", plural_cases[i].lang, plural_cases[i].n,
			    cat, plural_cases[i].want);
		icufmt_free(f);
	}
}

/* A buffer too small for the text: RC_LIMIT, the buffer as it was. */
static void
test_icufmt_limits(void **state)
{
	struct icufmt *f = icufmt_new("de");
	struct buf b;
	(void)state;

	buf_init(&b, 8);
	assert_int_equal(buf_appends(&b, "ab"), RC_OK);
	assert_int_equal(icufmt_datetime(f, &b, NOW), RC_LIMIT);
	assert_string_equal(buf_cstr(&b), "ab");
	buf_fini(&b);
	buf_init(&b, 1024);
	assert_int_equal(icufmt_datetime(f, &b, NOW), RC_OK);
	assert_string_equal(buf_cstr(&b), "01.01.2026, 00:00 UTC");
	buf_fini(&b);
	icufmt_free(f);
	icufmt_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_negotiate_bounded),
		cmocka_unit_test(test_match_and_dir),
		cmocka_unit_test(test_catalog_shipped),
		cmocka_unit_test(test_catalog_override),
		cmocka_unit_test(test_catalog_bad),
		cmocka_unit_test(test_catalog_missing),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_plural),
		cmocka_unit_test(test_icufmt_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

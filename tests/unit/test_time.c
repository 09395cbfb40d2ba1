/* test_time: date parsing (RFC 822 family, ISO 8601 family), civil time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/time.h"

struct date_case {
	const char *in;
	const char *want;  /* RFC 3339 UTC, or NULL: must be refused */
};

static const struct date_case rfc822_cases[] = {
	{ "Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21Z" },
	{ "Thu, 1 Jan 2004 19:48:21 -0500", "2004-01-02T00:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z" },
	{ "Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Fri, 01 Jan 99 19:48:21 GMT", "1999-01-01T19:48:21Z" },
	{ "01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Mon, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu,01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004, 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thursday, 01-Jan-04 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 JAN 2004 19:48:21 gmt", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Sept 2004 19:48:21 GMT", "2004-09-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 UTC", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 EDT", "2004-01-01T23:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 MDT", "2004-01-02T01:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 PDT", "2004-01-02T02:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 CET", "2004-01-01T18:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 CEST", "2004-01-01T17:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 JST", "2004-01-01T10:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 IST", "2004-01-01T14:18:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T20:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 M", "2004-01-02T07:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 N", "2004-01-01T18:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T07:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 +01:00", "2004-01-01T18:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 +0530", "2004-01-01T14:18:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 -03", "2004-01-01T22:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 GMT+0100", "2004-01-01T18:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 UTC-5", "2004-01-02T00:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 XYZ", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 SOMEWHERE", NULL },
	{ "Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21.123 GMT", "2004-01-01T19:48:21Z" },
	{ "Thu, 01 Jan 2004 19:48:21 +1500", "2004-01-01T19:48:21Z" },
	{ "Thu Jan  1 19:48:21 2004", "2004-01-01T19:48:21Z" },
	{ "Thu Jan 01 2004 19:48:21 GMT+0100 (Central European Standard Time)", "2004-01-01T18:48:21Z" },
	{ "January 1, 2004 7:48 PM", "2004-01-01T19:48:00Z" },
	{ "Jan 1, 2004 12:00 AM", "2004-01-01T00:00:00Z" },
	{ "Jan 1st, 2004 12:30 pm EST", "2004-01-01T17:30:00Z" },
	{ "2004 Jan 01 19:48:21", "2004-01-01T19:48:21Z" },
	{ "2004/01/01 19:48:21 +0000", "2004-01-01T19:48:21Z" },
	{ "01.01.2004 19:48", "2004-01-01T19:48:00Z" },
	{ "Thu, 01 Jan 2004 24:00:00 GMT", "2004-01-02T00:00:00Z" },
	{ "Thu, 01 Jan 2004 23:59:60 GMT", "2004-01-01T23:59:59Z" },
	{ "Sun, 29 Feb 2004 00:00:00 GMT", "2004-02-29T00:00:00Z" },
	{ "Sat, 29 Feb 2003 00:00:00 GMT", NULL },
	{ "Fri, 31 Apr 2004 00:00:00 GMT", NULL },
	{ "Thu, 01 Jan 2004 25:00:00 GMT", NULL },
	{ "Thu, 01 Jan 2004 19:61:00 GMT", NULL },
	{ "Thu, 01 Jan 2004 24:00:01 GMT", NULL },
	{ "Thu, 00 Jan 2004 19:48:21 GMT", NULL },
	{ "Thu, 01 Foo 2004 19:48:21 GMT", NULL },
	{ "Thu, 01 Jan Jan 2004", NULL },
	{ "Thu, 01 Jan", NULL },
	{ "Jan 2004", NULL },
	{ "13:00 PM Jan 1 2004", NULL },
	{ "yesterday", NULL },
	{ "", NULL },
	{ "   ", NULL },
	{ "not a date at all", NULL },
	{ "Thu, 01 Jan 2004 19:48:21 GMT trailing words", NULL },
	{ "1072986501", "2004-01-01T19:48:21Z" },
	{ "12345", NULL },
	{ "99999999999999999999", NULL },
};
static const struct date_case iso_cases[] = {
	{ "2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14:55+01:00", "2003-12-31T09:14:55Z" },
	{ "2003-12-31T10:14:55-0800", "2003-12-31T18:14:55Z" },
	{ "2003-12-31T10:14:55-08", "2003-12-31T18:14:55Z" },
	{ "2003-12-31T10:14:55.123456Z", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14:55,5Z", "2003-12-31T10:14:55Z" },
	{ "2009-12-08T16:59:02.563-08:00", "2009-12-09T00:59:02Z" },
	{ "2003-12-31 10:14:55Z", "2003-12-31T10:14:55Z" },
	{ "2003-12-31 10:14:55", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14:55", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14Z", "2003-12-31T10:14:00Z" },
	{ "2003-12-31T10Z", "2003-12-31T10:00:00Z" },
	{ "2003-12-31", "2003-12-31T00:00:00Z" },
	{ "2003-12", "2003-12-01T00:00:00Z" },
	{ "2003", "2003-01-01T00:00:00Z" },
	{ "20031231T101455Z", "2003-12-31T10:14:55Z" },
	{ "20031231", "2003-12-31T00:00:00Z" },
	{ "2003-365", "2003-12-31T00:00:00Z" },
	{ "2004-060", "2004-02-29T00:00:00Z" },
	{ "2003-12-31t10:14:55z", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14:55 +01:00", "2003-12-31T09:14:55Z" },
	{ "2003-12-31T10:14:55 UTC", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14:55 GMT+02:00", "2003-12-31T08:14:55Z" },
	{ "  2003-12-31T10:14:55Z  ", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T10:14:55Z (UTC)", "2003-12-31T10:14:55Z" },
	{ "2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z" },
	{ "2003-12-31T10:14:55+14:00", "2003-12-30T20:14:55Z" },
	{ "2003-12-31T10:14:55+14:30", "2003-12-31T10:14:55Z" },
	{ "2004-02-29T00:00:00Z", "2004-02-29T00:00:00Z" },
	{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
	{ "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z" },
	{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z" },
	{ "2003-02-29", NULL },
	{ "2003-13-01", NULL },
	{ "2003-00-10", NULL },
	{ "2003-12-32", NULL },
	{ "0000-01-01", NULL },
	{ "2003-366", NULL },
	{ "2003-12-31T10:14:55+25:00", NULL },
	{ "2003-12-31T10:60:00Z", NULL },
	{ "2003-12-31Tfoo", NULL },
	{ "2003-12-31T10:14:55Zjunk", NULL },
	{ "2003-1-5", NULL },
	{ "200", NULL },
};

static void
run_cases(const struct date_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		long long t = 12345;
		char got[TIME_RFC3339_LEN];
		bool ok = time_parse(cases[i].in, &t);

		if (cases[i].want == NULL) {
			if (ok) {
				time_format_rfc3339(t, got);
				fail_msg("\"%s\" accepted as %s", cases[i].in, got);
			}
			/* A refused date leaves the output alone. */
			assert_int_equal(t, 12345);
			continue;
		}
		if (!ok)
			fail_msg("\"%s\" refused", cases[i].in);
		time_format_rfc3339(t, got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].in, got,
			    cases[i].want);
	}
}

static void
test_rfc822(void **state)
{
	(void)state;
	run_cases(rfc822_cases, sizeof(rfc822_cases) / sizeof(rfc822_cases[0]));
}

static void
test_iso8601(void **state)
{
	(void)state;
	run_cases(iso_cases, sizeof(iso_cases) / sizeof(iso_cases[0]));
}

/* Issue 14 item 4: weekday and month names in the common European
 * languages, as captured from real feeds (WordPress, Blogger and CMS
 * locales); an unknown weekday is passed over when the rest reads. */
static const struct date_case localized_cases[] = {
	/* fr, it */
	{ "mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z" },
	{ "jeu., 12 d\xc3\xa9" "c. 2019 14:00:00 +0100", "2019-12-12T13:00:00Z" },
	{ "ven, 7 f\xc3\xa9vr. 2020 08:00:00 GMT", "2020-02-07T08:00:00Z" },
	{ "sam., 15 ao\xc3\xbbt 2020 06:30:00 +0200", "2020-08-15T04:30:00Z" },
	{ "dim., 1 juil. 2018 12:00:00 +0200", "2018-07-01T10:00:00Z" },
	{ "lun., 2 juin 2025 12:00:00 +0200", "2025-06-02T10:00:00Z" },
	{ "mardi 3 juin 2025 10:00", "2025-06-03T10:00:00Z" },
	{ "1er janvier 2023 00:00:00 GMT", "2023-01-01T00:00:00Z" },
	{ "mar., 04 mars 2025 09:00:00 +0100", "2025-03-04T08:00:00Z" },
	{ "JEU, 12 D\xc3\x89" "C 2019 14:00:00 +0100", "2019-12-12T13:00:00Z" },
	{ "lun, 02 giu 2025 12:00:00 +0200", "2025-06-02T10:00:00Z" },
	{ "gio, 10 dic 2020 18:00:00 +0100", "2020-12-10T17:00:00Z" },
	{ "ven, 02 ott 2020 08:00:00 +0200", "2020-10-02T06:00:00Z" },
	{ "sab, 02 mag 2020 08:00:00 +0200", "2020-05-02T06:00:00Z" },
	{ "mer, 01 lug 2020 08:00:00 +0200", "2020-07-01T06:00:00Z" },
	{ "dom, 01 set 2019 08:00:00 +0200", "2019-09-01T06:00:00Z" },
	{ "luned\xc3\xac, 13 gennaio 2020 10:00:00 +0100", "2020-01-13T09:00:00Z" },
	/* de */
	{ "Di, 03 Jun 2025 10:00:00 +0200", "2025-06-03T08:00:00Z" },
	{ "Mi, 14 M\xc3\xa4r 2018 09:30:00 +0100", "2018-03-14T08:30:00Z" },
	{ "Mi, 13 M\xc3\x84RZ 2024 10:00:00 +0100", "2024-03-13T09:00:00Z" },
	{ "Fr, 15 Mrz 2024 10:00:00 +0100", "2024-03-15T09:00:00Z" },
	{ "Mo, 05 Okt 2020 08:00:00 GMT", "2020-10-05T08:00:00Z" },
	{ "Do, 24 Dez 2020 18:00:00 MEZ", "2020-12-24T17:00:00Z" },
	{ "Sa, 01 Mai 2021 00:00:00 +0200", "2021-04-30T22:00:00Z" },
	{ "So, 07 J\xc3\xa4n 2018 10:00:00 +0100", "2018-01-07T09:00:00Z" },
	{ "Montag, 4. M\xc3\xa4rz 2024 10:15", "2024-03-04T10:15:00Z" },
	{ "Donnerstag, 24. Dezember 2020 um 18:00 Uhr", "2020-12-24T18:00:00Z" },
	/* es, pt */
	{ "mi\xc3\xa9, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z" },
	{ "s\xc3\xa1" "b, 04 ene 2020 10:00:00 -0300", "2020-01-04T13:00:00Z" },
	{ "dom., 02 ago. 2020 10:00:00 +0200", "2020-08-02T08:00:00Z" },
	{ "jue, 10 dic 2020 10:00:00 +0100", "2020-12-10T09:00:00Z" },
	{ "vie, 11 sept 2020 10:00:00 +0200", "2020-09-11T08:00:00Z" },
	{ "mar, 15 nov 2022 10:00:00 +0100", "2022-11-15T09:00:00Z" },
	{ "martes, 3 de junio de 2025 10:00", "2025-06-03T10:00:00Z" },
	{ "qua, 16 nov 2022 00:38:15 -0300", "2022-11-16T03:38:15Z" },
	{ "seg, 03 fev 2020 10:00:00 -0300", "2020-02-03T13:00:00Z" },
	{ "s\xc3\xa1" "b, 10 out 2020 10:00:00 -0300", "2020-10-10T13:00:00Z" },
	{ "ter\xc3\xa7" "a-feira, 3 de junho de 2025 10:00", "2025-06-03T10:00:00Z" },
	{ "qui, 05 mar\xc3\xa7o 2020 10:00:00 +0000", "2020-03-05T10:00:00Z" },
	/* nl */
	{ "wo, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z" },
	{ "vr, 01 mrt 2019 10:00:00 +0100", "2019-03-01T09:00:00Z" },
	{ "za, 25 mei 2019 10:00:00 +0200", "2019-05-25T08:00:00Z" },
	{ "zo, 13 okt 2019 10:00:00 +0200", "2019-10-13T08:00:00Z" },
	{ "maandag 1 maart 2021 10:00", "2021-03-01T10:00:00Z" },
	/* en abbreviations stay */
	{ "Tues, 03 Jun 2025 10:00:00 GMT", "2025-06-03T10:00:00Z" },
	/* An unknown weekday, the rest readable. */
	{ "Pon, 03 Jun 2025 10:00:00 GMT", "2025-06-03T10:00:00Z" },
	{ "Xyz, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z" },
	/* Still refused. */
	{ "mer, 16 xyz 2022 00:38:15 +0100", NULL },
	{ "Pon, 03 Foo 2025 10:00:00 GMT", NULL },
	{ "mer, 16 nov 2022 foo 00:38:15", NULL },
	{ "lundi", NULL },
	{ "16 nov giu 2022", NULL },
};

static void
test_localized(void **state)
{
	(void)state;
	run_cases(localized_cases,
	    sizeof(localized_cases) / sizeof(localized_cases[0]));
}

/* The narrow entry points keep to their family. */
static void
test_families(void **state)
{
	long long t;

	(void)state;
	assert_true(time_parse_rfc822("Thu, 01 Jan 2004 19:48:21 GMT", &t));
	assert_int_equal(t, 1072986501);
	assert_false(time_parse_iso8601("Thu, 01 Jan 2004 19:48:21 GMT", &t));
	assert_true(time_parse_iso8601("2004-01-01T19:48:21Z", &t));
	assert_int_equal(t, 1072986501);
	assert_false(time_parse_rfc822("2004-01-01T19:48:21Z", &t));
	assert_false(time_parse(NULL, &t));
	assert_false(time_parse_rfc822(NULL, &t));
	assert_false(time_parse_iso8601(NULL, &t));
}

static void
test_civil(void **state)
{
	long long y, t;
	int mo, d, h, mi, s;
	char out[TIME_RFC3339_LEN];

	(void)state;
	assert_int_equal(time_from_civil(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(time_from_civil(2004, 1, 1, 19, 48, 21), 1072986501);
	assert_int_equal(time_from_civil(1969, 12, 31, 23, 59, 59), -1);
	assert_int_equal(time_from_civil(2000, 2, 29, 0, 0, 0), 951782400);
	/* Round trips over four centuries, a day and a bit at a time. */
	for (t = -12219292800LL; t < 253402300799LL; t += 86400LL * 37 + 3671) {
		time_to_civil(t, &y, &mo, &d, &h, &mi, &s);
		assert_int_equal(time_from_civil(y, mo, d, h, mi, s), t);
	}
	/* The format against gmtime_r and snprintf, from year 0 to 9999. */
	for (t = -62167219200LL; t <= 253402300799LL; t += 86400LL * 5 + 3607) {
		char want[64];
		time_t tt = (time_t)t;
		struct tm tm;
		assert_non_null(gmtime_r(&tt, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		time_format_rfc3339(t, out);
		assert_string_equal(out, want);
	}
	time_format_rfc3339(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	time_format_rfc3339(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	time_format_rfc3339(-99999999999999LL, out);
	assert_string_equal(out, "0000-01-01T00:00:00Z");
	time_format_rfc3339(99999999999999LL, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
}

/* Hostile strings: long, binary, almost-dates. Never a crash (the
 * sanitizer builds run this too), never a read past the NUL. */
static void
test_garbage(void **state)
{
	static const char alphabet[] = "0123456789 :-+,.TZtzJanFebMarGMTESTPMAM"
	    "/()\t\xff\x80";
	char *big, s[48];
	unsigned seed = 12345;
	long long t;
	int i, j, n;

	(void)state;
	big = malloc(100001);
	assert_non_null(big);
	memset(big, '1', 100000);
	big[100000] = '\0';
	assert_false(time_parse(big, &t));
	memset(big, ' ', 100000);
	assert_false(time_parse(big, &t));
	for (i = 0; i < 100000; i += 6)
		memcpy(big + i, "Jan 1 ", i + 6 <= 100000 ? 6 : 0);
	assert_false(time_parse(big, &t));
	free(big);
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		n = (int)(seed >> 16) % (int)(sizeof(s) - 1);
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			s[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		s[n] = '\0';
		(void)time_parse(s, &t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_localized),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

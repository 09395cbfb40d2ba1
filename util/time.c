/* time: lenient date parsing for feeds (RFC 822 family, ISO 8601 family), and
 * the monotonic clock deadlines are measured on. */
#include "util/time.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Broken-down date while parsing; offset in minutes east of UTC. */
struct tm_parts {
	long long year;
	int mon, day, hour, min, sec;
	int off;
	int ampm;          /* 0 none, 1 am, 2 pm */
	int yearlen;       /* digits of the year as written */
	bool have_year, have_mon, have_day, have_time, have_zone;
	bool mon_weak;      /* the month word may be a weekday ("mar") */
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Letters of a word: ASCII, and any byte of a UTF-8 sequence ("mié"). */
static bool
word_char(char c)
{
	return is_alpha(c) || (unsigned char)c >= 0x80;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Reads exactly n digits at *p into *v; false when they are not there. */
static bool
digits_n(const char **p, int n, int *v)
{
	int i, r = 0;

	for (i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		r = r * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = r;
	return true;
}

/* Reads 1..max digits; *len gets how many. */
static bool
digits_upto(const char **p, int max, long long *v, int *len)
{
	long long r = 0;
	int i = 0;

	while (is_digit((*p)[i])) {
		if (i == max)
			return false;
		r = r * 10 + ((*p)[i] - '0');
		i++;
	}
	if (i == 0)
		return false;
	*p += i;
	*v = r;
	*len = i;
	return true;
}

long long
time_from_civil(long long y, int m, int d, int hour, int min, int sec)
{
	/* Howard Hinnant's days_from_civil. */
	long long era, yoe, doy, doe, days;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153LL * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return days * 86400 + hour * 3600LL + min * 60LL + sec;
}

void
time_to_civil(long long t, long long *year, int *month, int *day, int *hour,
    int *min, int *sec)
{
	long long days = t / 86400, rem = t % 86400;
	long long era, doe, yoe, y, doy, mp;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	*hour = (int)(rem / 3600);
	*min = (int)(rem % 3600 / 60);
	*sec = (int)(rem % 60);
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = y + (*month <= 2);
}

/* v (0 <= v < 10^n) as n decimal digits, zero-padded. */
static void
digits(char *out, int v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
time_format_rfc3339(long long t, char out[TIME_RFC3339_LEN])
{
	long long y;
	int mo, d, h, mi, s;

	/* 0000-01-01 and 9999-12-31T23:59:59 bound what the format can say. */
	if (t < -62167219200LL)
		t = -62167219200LL;
	if (t > 253402300799LL)
		t = 253402300799LL;
	time_to_civil(t, &y, &mo, &d, &h, &mi, &s);
	/* "%04d-%02d-%02dT%02d:%02d:%02dZ" without snprintf (3,000
	 * instructions a date; JSON Feed output writes two an item). */
	digits(out, (int)y, 4);
	out[4] = '-';
	digits(out + 5, mo, 2);
	out[7] = '-';
	digits(out + 8, d, 2);
	out[10] = 'T';
	digits(out + 11, h, 2);
	out[13] = ':';
	digits(out + 14, mi, 2);
	out[16] = ':';
	digits(out + 17, s, 2);
	out[19] = 'Z';
	out[20] = '\0';
}

static bool
leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(long long y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : md[m - 1];
}

/* Range checks, 24:00 and leap seconds, then the Unix time. */
static bool
parts_finish(struct tm_parts *t, long long *out)
{
	long long v;

	if (t->year < 1 || t->year > 9999 || t->mon < 1 || t->mon > 12 ||
	    t->day < 1 || t->day > month_days(t->year, t->mon))
		return false;
	if (t->ampm != 0) {
		if (t->hour < 1 || t->hour > 12)
			return false;
		if (t->ampm == 1 && t->hour == 12)
			t->hour = 0;
		else if (t->ampm == 2 && t->hour < 12)
			t->hour += 12;
	}
	if (t->hour > 24 || t->min > 59 || t->sec > 60)
		return false;
	if (t->hour == 24 && (t->min != 0 || t->sec != 0))
		return false;
	if (t->sec == 60)
		t->sec = 59;
	/* Offsets no place on earth uses are a broken feed: read as UTC. */
	if (t->off < -12 * 60 || t->off > 14 * 60)
		t->off = 0;
	v = time_from_civil(t->year, t->mon, t->day, t->hour, t->min, t->sec);
	*out = v - t->off * 60LL;
	return true;
}

/* ---- zones ---- */

struct zone {
	const char *name;
	int minutes;
};

/* Names feeds use, east of UTC positive. Ambiguous ones take the reading
 * common in English-language feeds (IST India, BST British Summer). */
static const struct zone zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "west", 60 }, { "bst", 60 }, { "cet", 60 }, { "met", 60 },
	{ "mez", 60 }, { "cest", 120 }, { "mest", 120 }, { "mesz", 120 },
	{ "eet", 120 }, { "eest", 180 }, { "msk", 180 }, { "ist", 330 },
	{ "hkt", 480 }, { "sgt", 480 }, { "awst", 480 }, { "cst6cdt", -360 },
	{ "jst", 540 }, { "kst", 540 }, { "acst", 570 }, { "aest", 600 },
	{ "acdt", 630 }, { "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "ast", -240 }, { "adt", -180 }, { "at", -240 },
	{ "est", -300 }, { "edt", -240 }, { "et", -300 },
	{ "cst", -360 }, { "cdt", -300 }, { "ct", -360 },
	{ "mst", -420 }, { "mdt", -360 }, { "mt", -420 },
	{ "pst", -480 }, { "pdt", -420 }, { "pt", -480 },
	{ "akst", -540 }, { "akdt", -480 }, { "hst", -600 },
	{ "nst", -210 }, { "ndt", -150 }, { "brt", -180 }, { "art", -180 },
};

static bool
zone_lookup(const char *w, size_t n, int *minutes)
{
	size_t i;

	if (n == 1) {
		/* RFC 822 military zones, as RFC 822 defines them (A = -1). */
		char c = lower(w[0]);
		if (c == 'z') {
			*minutes = 0;
			return true;
		}
		if (c >= 'a' && c <= 'i') {
			*minutes = -60 * (c - 'a' + 1);
			return true;
		}
		if (c >= 'k' && c <= 'm') {
			*minutes = -60 * (c - 'k' + 10);
			return true;
		}
		if (c >= 'n' && c <= 'y') {
			*minutes = 60 * (c - 'n' + 1);
			return true;
		}
		return false;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (zones[i].name[0] == lower(w[0]) &&
		    strlen(zones[i].name) == n &&
		    strncasecmp(zones[i].name, w, n) == 0) {
			*minutes = zones[i].minutes;
			return true;
		}
	}
	return false;
}

/*
 * A numeric offset at *p: "+0100", "-05:00", "+01", "-5", "+530". Sets
 * *minutes; false (and *p unchanged) when there is none.
 */
static bool
offset_parse(const char **p, int *minutes)
{
	const char *s = *p;
	int sign, h = 0, m = 0, nd = 0;

	if (*s != '+' && *s != '-')
		return false;
	sign = *s == '-' ? -1 : 1;
	s++;
	while (is_digit(s[nd]))
		nd++;
	if (nd == 0 || nd > 4)
		return false;
	if (nd <= 2) {
		h = s[0] - '0';
		if (nd == 2)
			h = h * 10 + (s[1] - '0');
		s += nd;
		if (*s == ':' && is_digit(s[1]) && is_digit(s[2])) {
			m = (s[1] - '0') * 10 + (s[2] - '0');
			s += 3;
		}
	} else if (nd == 3) {
		h = s[0] - '0';
		m = (s[1] - '0') * 10 + (s[2] - '0');
		s += 3;
	} else {
		h = (s[0] - '0') * 10 + (s[1] - '0');
		m = (s[2] - '0') * 10 + (s[3] - '0');
		s += 4;
	}
	if (m > 59 || h > 23)
		return false;
	*minutes = sign * (h * 60 + m);
	*p = s;
	return true;
}

/* ---- ISO 8601 / RFC 3339 / W3CDTF ---- */

/* "T10:14:55.123" (or basic "101455"): hour, optional minutes, seconds. */
static bool
iso_time(const char **pp, struct tm_parts *t)
{
	const char *p = *pp;

	if (!digits_n(&p, 2, &t->hour))
		return false;
	if (*p == ':') {
		p++;
		if (!digits_n(&p, 2, &t->min))
			return false;
		if (*p == ':') {
			p++;
			if (!digits_n(&p, 2, &t->sec))
				return false;
		}
	} else if (is_digit(*p)) {
		if (!digits_n(&p, 2, &t->min))
			return false;
		if (is_digit(*p) && !digits_n(&p, 2, &t->sec))
			return false;
	}
	if ((*p == '.' || *p == ',') && is_digit(p[1])) {
		p++;
		while (is_digit(*p))
			p++;
	}
	t->have_time = true;
	*pp = p;
	return true;
}

/* Zone after an ISO time: Z, +hh:mm, +hhmm, +hh, or UTC/GMT. */
static bool
iso_zone(const char **pp, struct tm_parts *t)
{
	const char *p = *pp;

	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if (!offset_parse(&p, &t->off))
			return false;
	} else if (strncasecmp(p, "utc", 3) == 0 || strncasecmp(p, "gmt", 3) == 0) {
		p += 3;
		if ((*p == '+' || *p == '-') && !offset_parse(&p, &t->off))
			return false;
	} else {
		return *p == '\0' || is_space(*p) || *p == '(';
	}
	t->have_zone = true;
	*pp = p;
	return true;
}

/* The date part: YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD, YYYY-DDD. */
static bool
iso_date(const char **pp, struct tm_parts *t)
{
	const char *p = *pp;
	int y;

	if (!digits_n(&p, 4, &y))
		return false;
	t->year = y;
	t->mon = 1;
	t->day = 1;
	if (*p == '-' && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
	    !is_digit(p[4])) {
		int doy = 0, m;
		p++;
		(void)digits_n(&p, 3, &doy);
		if (doy < 1 || doy > (leap(t->year) ? 366 : 365))
			return false;
		for (m = 1; doy > month_days(t->year, m); m++)
			doy -= month_days(t->year, m);
		t->mon = m;
		t->day = doy;
	} else if (*p == '-') {
		p++;
		if (!digits_n(&p, 2, &t->mon))
			return false;
		if (*p == '-') {
			p++;
			if (!digits_n(&p, 2, &t->day))
				return false;
		}
	} else if (is_digit(*p)) {
		if (!digits_n(&p, 2, &t->mon) || !digits_n(&p, 2, &t->day))
			return false;
	}
	*pp = p;
	return true;
}

static bool
trailer_ok(const char *p)
{
	while (is_space(*p))
		p++;
	if (*p == '(') {
		/* A parenthesised comment, e.g. "(CET)". */
		while (*p != '\0' && *p != ')')
			p++;
		if (*p == ')')
			p++;
		while (is_space(*p))
			p++;
	}
	return *p == '\0';
}

bool
time_parse_iso8601(const char *s, long long *out)
{
	struct tm_parts t;
	const char *p = s;

	if (s == NULL)
		return false;
	memset(&t, 0, sizeof(t));
	while (is_space(*p))
		p++;
	if (!iso_date(&p, &t))
		return false;
	if (*p == 'T' || *p == 't' || (*p == ' ' && is_digit(p[1]) &&
	    is_digit(p[2]) && (p[3] == ':' || is_digit(p[3])))) {
		p++;
		if (!iso_time(&p, &t) || !iso_zone(&p, &t))
			return false;
	} else if (*p == 'Z' || *p == 'z') {
		p++;
	}
	if (!trailer_ok(p))
		return false;
	return parts_finish(&t, out);
}

/* ---- RFC 822 and friends: a token scanner ---- */

/*
 * Month and weekday names, lower-case UTF-8: English, German, French,
 * Spanish, Italian, Portuguese and Dutch (what WordPress, Blogger and CMS
 * locales write). `min`: the bytes a word needs to be read as an
 * abbreviation of `name` (0: the whole name only). `val`: the month, or 1
 * for a weekday.
 */
struct date_name {
	const char *name;
	unsigned char val;
	unsigned char min;
};

static const struct date_name months[] = {
	/* en */
	{ "january", 1, 3 }, { "february", 2, 3 }, { "march", 3, 3 },
	{ "april", 4, 3 }, { "may", 5, 3 }, { "june", 6, 3 }, { "july", 7, 3 },
	{ "august", 8, 3 }, { "september", 9, 3 }, { "october", 10, 3 },
	{ "november", 11, 3 }, { "december", 12, 3 },
	/* de (and Austrian Jänner) */
	{ "januar", 1, 3 }, { "j\xc3\xa4nner", 1, 4 }, { "februar", 2, 3 },
	{ "m\xc3\xa4rz", 3, 4 }, { "maerz", 3, 0 }, { "mrz", 3, 0 },
	{ "mai", 5, 0 }, { "juni", 6, 3 }, { "juli", 7, 3 },
	{ "oktober", 10, 3 }, { "dezember", 12, 3 },
	/* fr */
	{ "janvier", 1, 4 }, { "f\xc3\xa9vrier", 2, 4 }, { "fevrier", 2, 4 },
	{ "mars", 3, 0 }, { "avril", 4, 3 }, { "juin", 6, 0 },
	{ "juillet", 7, 4 }, { "ao\xc3\xbbt", 8, 0 }, { "aout", 8, 0 },
	{ "septembre", 9, 3 }, { "octobre", 10, 3 }, { "novembre", 11, 3 },
	{ "d\xc3\xa9" "cembre", 12, 4 }, { "decembre", 12, 3 },
	/* es */
	{ "enero", 1, 3 }, { "febrero", 2, 3 }, { "marzo", 3, 3 },
	{ "abril", 4, 3 }, { "mayo", 5, 3 }, { "junio", 6, 3 },
	{ "julio", 7, 3 }, { "agosto", 8, 3 }, { "septiembre", 9, 3 },
	{ "setiembre", 9, 3 }, { "octubre", 10, 3 }, { "noviembre", 11, 3 },
	{ "diciembre", 12, 3 },
	/* it */
	{ "gennaio", 1, 3 }, { "febbraio", 2, 3 }, { "aprile", 4, 3 },
	{ "maggio", 5, 3 }, { "giugno", 6, 3 }, { "luglio", 7, 3 },
	{ "settembre", 9, 3 }, { "ottobre", 10, 3 }, { "dicembre", 12, 3 },
	/* pt */
	{ "janeiro", 1, 3 }, { "fevereiro", 2, 3 }, { "mar\xc3\xa7o", 3, 3 },
	{ "marco", 3, 0 }, { "maio", 5, 3 }, { "junho", 6, 3 },
	{ "julho", 7, 3 }, { "setembro", 9, 3 }, { "outubro", 10, 3 },
	{ "novembro", 11, 3 }, { "dezembro", 12, 3 },
	/* nl */
	{ "januari", 1, 3 }, { "februari", 2, 3 }, { "maart", 3, 3 },
	{ "mrt", 3, 0 }, { "mei", 5, 0 }, { "augustus", 8, 3 },
};

static const struct date_name wdays[] = {
	/* en */
	{ "monday", 1, 3 }, { "tuesday", 1, 3 }, { "wednesday", 1, 3 },
	{ "thursday", 1, 3 }, { "friday", 1, 3 }, { "saturday", 1, 3 },
	{ "sunday", 1, 3 },
	/* de */
	{ "montag", 1, 3 }, { "dienstag", 1, 3 }, { "mittwoch", 1, 3 },
	{ "donnerstag", 1, 3 }, { "freitag", 1, 3 }, { "samstag", 1, 3 },
	{ "sonnabend", 1, 0 }, { "sonntag", 1, 3 }, { "mo", 1, 0 },
	{ "di", 1, 0 }, { "mi", 1, 0 }, { "do", 1, 0 }, { "fr", 1, 0 },
	{ "sa", 1, 0 }, { "so", 1, 0 },
	/* fr */
	{ "lundi", 1, 3 }, { "mardi", 1, 3 }, { "mercredi", 1, 3 },
	{ "jeudi", 1, 3 }, { "vendredi", 1, 3 }, { "samedi", 1, 3 },
	{ "dimanche", 1, 3 },
	/* es */
	{ "lunes", 1, 3 }, { "martes", 1, 3 }, { "mi\xc3\xa9rcoles", 1, 3 },
	{ "miercoles", 1, 3 }, { "jueves", 1, 3 }, { "viernes", 1, 3 },
	{ "s\xc3\xa1" "bado", 1, 3 }, { "sabado", 1, 3 }, { "domingo", 1, 3 },
	/* it */
	{ "luned\xc3\xac", 1, 3 }, { "lunedi", 1, 3 },
	{ "marted\xc3\xac", 1, 3 }, { "martedi", 1, 3 },
	{ "mercoled\xc3\xac", 1, 3 }, { "mercoledi", 1, 3 },
	{ "gioved\xc3\xac", 1, 3 }, { "giovedi", 1, 3 },
	{ "venerd\xc3\xac", 1, 3 }, { "venerdi", 1, 3 }, { "sabato", 1, 3 },
	{ "domenica", 1, 3 },
	/* pt ("segunda-feira": the dash parts the words) */
	{ "segunda", 1, 3 }, { "ter\xc3\xa7" "a", 1, 3 }, { "terca", 1, 3 },
	{ "quarta", 1, 3 }, { "quinta", 1, 3 }, { "sexta", 1, 3 },
	{ "feira", 1, 0 },
	/* nl: whole names and two letters (three would read as months) */
	{ "maandag", 1, 0 }, { "dinsdag", 1, 0 }, { "woensdag", 1, 0 },
	{ "donderdag", 1, 0 }, { "vrijdag", 1, 0 }, { "zaterdag", 1, 0 },
	{ "zondag", 1, 0 }, { "ma", 1, 0 }, { "wo", 1, 0 }, { "vr", 1, 0 },
	{ "za", 1, 0 }, { "zo", 1, 0 },
};

/* Words that join the parts of a date: "3 de junio de 2025", "um 18:00
 * Uhr", "à 10:00", "alle 10:00". */
static const char *const fillers[] = { "de", "del", "um", "uhr", "om",
	"\xc3\xa0", "\xc3\xa0s", "alle", "le", "el" };

#define DATE_WORD_MAX 24

/*
 * w[0..n) lower-cased into out (NUL-terminated): ASCII, and the Latin-1
 * capitals of UTF-8 (U+00C0..U+00DE but U+00D7); false when the word is
 * longer than a name can be.
 */
static bool
word_fold(const char *w, size_t n, char out[DATE_WORD_MAX + 1])
{
	size_t i;

	if (n == 0 || n > DATE_WORD_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)w[i];
		if (i > 0 && (unsigned char)w[i - 1] == 0xc3 && b >= 0x80 &&
		    b <= 0x9e && b != 0x97)
			b = (unsigned char)(b + 0x20);
		out[i] = lower((char)b);
	}
	out[n] = '\0';
	return true;
}

/* The val of the name in `names` that the folded word w (n bytes) is, or
 * abbreviates by at least its `min` bytes; 0 for none. */
static int
name_match(const struct date_name *names, size_t count, const char *w,
    size_t n)
{
	size_t i, len;

	for (i = 0; i < count; i++) {
		if (names[i].name[0] != w[0])
			continue;
		len = strlen(names[i].name);
		if (n == len ? memcmp(names[i].name, w, n) == 0 :
		    names[i].min > 0 && n >= names[i].min && n < len &&
		    memcmp(names[i].name, w, n) == 0)
			return names[i].val;
	}
	return 0;
}

static bool
filler(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++) {
		if (strcmp(fillers[i], w) == 0)
			return true;
	}
	return false;
}

/*
 * A month or weekday name: true when w is one (and it was taken). "mar" is
 * March and the Spanish, French and Italian Tuesday: read as a month that
 * a later month name replaces ("mar, 15 nov 2022").
 */
static bool
name_word(const char *w, size_t n, struct tm_parts *t, bool *ok)
{
	char f[DATE_WORD_MAX + 1];
	int mon, wday;

	if (!word_fold(w, n, f))
		return false;
	mon = name_match(months, sizeof(months) / sizeof(months[0]), f, n);
	wday = name_match(wdays, sizeof(wdays) / sizeof(wdays[0]), f, n);
	*ok = true;
	if (mon != 0 && (!t->have_mon || t->mon_weak)) {
		t->mon = mon;
		t->mon_weak = wday != 0 && !t->have_mon;
		t->have_mon = true;
		return true;
	}
	if (wday != 0)
		return true; /* weekdays are often wrong: ignored */
	if (mon != 0) {
		*ok = false; /* a second month */
		return true;
	}
	if (filler(f))
		return true;
	if (n == 2 && strcmp(f, "er") == 0) {
		*ok = t->have_day; /* French "1er" */
		return true;
	}
	return false;
}

/* A word token: month, weekday, am/pm, zone; false for an unknown word. */
static bool
loose_word(const char *w, size_t n, struct tm_parts *t, const char **pp)
{
	int v;
	bool ok;

	if (n > 0 && w[n - 1] == '.')
		n--;
	if (name_word(w, n, t, &ok))
		return ok;
	if ((n == 2 || n == 4) && t->have_time &&
	    (lower(w[0]) == 'a' || lower(w[0]) == 'p') &&
	    (strncasecmp(w, "am", 2) == 0 || strncasecmp(w, "pm", 2) == 0 ||
	    strncasecmp(w, "a.m", 3) == 0 || strncasecmp(w, "p.m", 3) == 0)) {
		t->ampm = lower(w[0]) == 'a' ? 1 : 2;
		return true;
	}
	if ((n == 2 && strncasecmp(w, "st", 2) == 0) ||
	    (n == 2 && strncasecmp(w, "nd", 2) == 0) ||
	    (n == 2 && strncasecmp(w, "rd", 2) == 0) ||
	    (n == 2 && strncasecmp(w, "th", 2) == 0))
		return t->have_day; /* "1st", "22nd" */
	if (n == 2 && strncasecmp(w, "at", 2) == 0 && !t->have_time)
		return true; /* "Jan 1, 2004 at 10:00" */
	if (zone_lookup(w, n, &v)) {
		/* Zones come after the time (a lone letter before it is junk). */
		if (t->have_zone || (n == 1 && !t->have_time))
			return false;
		t->off = v;
		t->have_zone = true;
		/* "GMT+0100", "UTC-5". */
		if (v == 0 && n > 1 && (**pp == '+' || **pp == '-')) {
			int o;
			if (offset_parse(pp, &o))
				t->off = o;
		}
		return true;
	}
	/* A zone name we do not know, where a zone goes: read as UTC. */
	if (t->have_time && !t->have_zone && n >= 2 && n <= 5 &&
	    is_alpha(w[0]) && is_alpha(w[1]) && is_alpha(w[n - 1])) {
		t->have_zone = true;
		return true;
	}
	return false;
}

/* "19:48:21", "19:48", "7:48:21.5". */
static bool
loose_time(const char **pp, long long hour, struct tm_parts *t)
{
	const char *p = *pp;
	int m, s = 0;

	if (t->have_time || hour > 24 || *p != ':')
		return false;
	p++;
	if (!digits_n(&p, 2, &m))
		return false;
	if (*p == ':' && is_digit(p[1])) {
		p++;
		if (!digits_n(&p, 2, &s))
			return false;
		if ((*p == '.' || *p == ',') && is_digit(p[1])) {
			p++;
			while (is_digit(*p))
				p++;
		}
	}
	t->hour = (int)hour;
	t->min = m;
	t->sec = s;
	t->have_time = true;
	*pp = p;
	return true;
}

/* A number token that is not a time: day or year. */
static bool
loose_number(long long v, int len, struct tm_parts *t)
{
	if (len <= 2 && v >= 1 && v <= 31 && !t->have_day &&
	    (t->have_mon || !t->have_year)) {
		t->day = (int)v;
		t->have_day = true;
		return true;
	}
	if (!t->have_year && (len == 2 || len == 4 || (len == 3 && v >= 100))) {
		t->year = v;
		t->yearlen = len;
		t->have_year = true;
		return true;
	}
	return false;
}

/* Numeric dates at the start: "2004/01/31", "2004.01.31", "31.01.2004". */
static bool
loose_numeric_date(const char **pp, struct tm_parts *t)
{
	const char *p = *pp;
	int a, b, c;

	if (digits_n(&p, 4, &a) && (*p == '/' || *p == '.')) {
		char sep = *p++;
		if (!digits_n(&p, 2, &b) || *p != sep)
			return false;
		p++;
		if (!digits_n(&p, 2, &c))
			return false;
		t->year = a;
		t->mon = b;
		t->day = c;
	} else {
		p = *pp;
		if (!is_digit(p[0]))
			return false;
		a = p[0] - '0';
		p++;
		if (is_digit(*p))
			a = a * 10 + (*p++ - '0');
		if (*p != '.' || !is_digit(p[1]))
			return false;
		p++;
		b = *p++ - '0';
		if (is_digit(*p))
			b = b * 10 + (*p++ - '0');
		if (*p != '.')
			return false;
		p++;
		if (!digits_n(&p, 4, &c))
			return false;
		t->day = a;
		t->mon = b;
		t->year = c;
	}
	t->yearlen = 4;
	t->have_year = t->have_mon = t->have_day = true;
	*pp = p;
	return true;
}

static bool
loose_scan(const char *p, struct tm_parts *t)
{
	int tokens = 0;

	while (*p != '\0') {
		if (++tokens > 32)
			return false;
		if (is_space(*p) || *p == ',' || *p == '/') {
			p++;
			tokens--;
		} else if (*p == '(') {
			while (*p != '\0' && *p != ')')
				p++;
			if (*p == ')')
				p++;
		} else if ((*p == '+' || *p == '-') && t->have_time &&
		    !t->have_zone && is_digit(p[1])) {
			if (!offset_parse(&p, &t->off))
				return false;
			t->have_zone = true;
		} else if (*p == '-' || *p == '.') {
			p++; /* RFC 850 "01-Jan-04", "Jan. 1" */
		} else if (word_char(*p)) {
			const char *w = p;
			while (word_char(*p) || (*p == '.' && word_char(p[1])))
				p++;
			if (*p == '.')
				p++;
			/* An unknown first word is a weekday in a language we
			 * do not know ("Pon, 03 Jun 2025"): the rest decides. */
			if (!loose_word(w, (size_t)(p - w), t, &p) &&
			    (tokens > 1 || p - w < 2))
				return false;
		} else if (is_digit(*p)) {
			long long v;
			int len;
			if (!digits_upto(&p, 9, &v, &len))
				return false;
			if (*p == ':') {
				if (!loose_time(&p, v, t))
					return false;
			} else if (!loose_number(v, len, t)) {
				return false;
			}
		} else {
			return false;
		}
	}
	return true;
}

bool
time_parse_rfc822(const char *s, long long *out)
{
	struct tm_parts t;
	const char *p = s;

	if (s == NULL)
		return false;
	memset(&t, 0, sizeof(t));
	while (is_space(*p))
		p++;
	if (is_digit(p[0]) && loose_numeric_date(&p, &t)) {
		/* The rest is time and zone. */
	} else {
		memset(&t, 0, sizeof(t));
		p = s;
	}
	if (!loose_scan(p, &t))
		return false;
	if (!t.have_year || !t.have_mon || !t.have_day)
		return false;
	if (t.yearlen == 2)
		t.year += t.year < 50 ? 2000 : 1900;
	else if (t.yearlen == 3)
		t.year += 1900;
	return parts_finish(&t, out);
}

/* A bare 9–10 digit number: Unix seconds. */
static bool
time_parse_epoch(const char *s, long long *out)
{
	const char *p = s;
	long long v;
	int len;

	while (is_space(*p))
		p++;
	if (!digits_upto(&p, 10, &v, &len) || len < 9)
		return false;
	while (is_space(*p))
		p++;
	if (*p != '\0')
		return false;
	*out = v;
	return true;
}

bool
time_parse(const char *s, long long *out)
{
	const char *p = s;

	if (s == NULL)
		return false;
	while (is_space(*p))
		p++;
	/* Four digits then '-', 'T' or a digit: the ISO family first. */
	if (is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) &&
	    is_digit(p[3]) && time_parse_iso8601(p, out))
		return true;
	if (time_parse_rfc822(p, out))
		return true;
	return time_parse_epoch(p, out);
}

long long
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

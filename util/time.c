/* time: lenient date parsing for feeds (RFC 822 family, ISO 8601 family). */
#include "util/time.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Broken-down date while parsing; offset in minutes east of UTC. */
struct tm_parts {
	long long year;
	int mon, day, hour, min, sec;
	int off;
	int ampm;          /* 0 none, 1 am, 2 pm */
	int yearlen;       /* digits of the year as written */
	bool have_year, have_mon, have_day, have_time, have_zone;
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

static const char *const months[] = { "january", "february", "march",
	"april", "may", "june", "july", "august", "september", "october",
	"november", "december" };
static const char *const wdays[] = { "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday" };

/* Index+1 in `names` of a word that abbreviates one of them (at least three
 * letters, or the whole name), else 0. */
static int
name_match(const char *const *names, int count, const char *w, size_t n)
{
	int i;

	if (n < 3)
		return 0;
	/* Names are lower-case: the first letter rules out most at once. */
	for (i = 0; i < count; i++) {
		if (names[i][0] == lower(w[0]) && n <= strlen(names[i]) &&
		    strncasecmp(names[i], w, n) == 0)
			return i + 1;
	}
	/* "Sept", "Tues", "Thur", "Thurs" are covered; "Sept." by the caller. */
	return 0;
}

/* A word token: month, weekday, am/pm, zone; false for an unknown word. */
static bool
loose_word(const char *w, size_t n, struct tm_parts *t, const char **pp)
{
	int v;

	if (n > 0 && w[n - 1] == '.')
		n--;
	if ((v = name_match(months, 12, w, n)) != 0) {
		if (t->have_mon)
			return false;
		t->mon = v;
		t->have_mon = true;
		return true;
	}
	if (name_match(wdays, 7, w, n) != 0)
		return true; /* weekdays are often wrong: ignored */
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
	if (t->have_time && !t->have_zone && n >= 2 && n <= 5) {
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
		} else if (is_alpha(*p)) {
			const char *w = p;
			while (is_alpha(*p) || (*p == '.' && is_alpha(p[1])))
				p++;
			if (*p == '.')
				p++;
			if (!loose_word(w, (size_t)(p - w), t, &p))
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

/* schedule: when a source is fetched next, from its config, the response's
 * caching headers and its failures. Pure: no I/O, no clock of its own. */
#include "widgets/streams/schedule.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

/* max-age from Cache-Control; -1 when absent, -2 for no-store/no-cache. */
static long long
cc_max_age(const char *cc)
{
	long long max_age = -1;
	const char *p = cc;

	if (cc == NULL)
		return -1;
	while (*p != '\0') {
		size_t len;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, ", \t");
		if ((len == 8 && strncasecmp(p, "no-store", 8) == 0) ||
		    (len == 8 && strncasecmp(p, "no-cache", 8) == 0))
			return -2;
		if (len > 8 && strncasecmp(p, "max-age=", 8) == 0) {
			const char *v = p + 8;
			char *end;
			long long x;
			if (*v == '"')
				v++;
			errno = 0;
			x = strtoll(v, &end, 10);
			if (errno == 0 && end != v && x >= 0 && isdigit((unsigned char)*v))
				max_age = x;
		}
		p += len;
	}
	return max_age;
}

static long long
http_date(const char *s)
{
	time_t t;

	if (s == NULL)
		return -1;
	t = curl_getdate(s, NULL);
	return t > 0 ? (long long)t : -1;
}

/* Seconds of freshness the headers grant; -1: none. *why names the rule. */
static long long
header_freshness(const struct schedule_in *s, const char **why)
{
	long long max_age = cc_max_age(s->cache_control);
	long long exp, date;

	if (max_age >= 0) {
		long long age = s->age != NULL ? strtoll(s->age, NULL, 10) : 0;
		*why = "max-age";
		return max_age > age && age >= 0 ? max_age - age : 0;
	}
	if (max_age == -2)
		return -1;
	exp = http_date(s->expires);
	if (exp < 0)
		return -1;
	date = http_date(s->date);
	*why = "expires";
	return exp - (date > 0 ? date : s->now);
}

/* Retry-After as seconds from now (delta or HTTP-date); -1: none. */
static long long
retry_after(const struct schedule_in *s)
{
	const char *v = s->retry_after;
	long long t, date;
	char *end;

	if (v == NULL || (s->http_status != 429 && s->http_status != 503))
		return -1;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		t = strtoll(v, &end, 10);
		return errno == 0 && *end == '\0' ? t : -1;
	}
	t = http_date(v);
	if (t < 0)
		return -1;
	date = http_date(s->date);
	return t - (date > 0 ? date : s->now);
}

long
schedule_clamp(long long v)
{
	if (v < SCHEDULE_MIN_INTERVAL)
		return SCHEDULE_MIN_INTERVAL;
	if (v > SCHEDULE_MAX_INTERVAL)
		return SCHEDULE_MAX_INTERVAL;
	return (long)v;
}

long
schedule_next_interval(const struct schedule_in *s, const char **why)
{
	const char *dummy, *rule = "every";
	long long every = s->every > 0 ? s->every : SCHEDULE_EVERY_DEFAULT, v = every, h;

	if (why == NULL)
		why = &dummy;
	if (s->ok) {
		const char *hrule = "every";
		h = header_freshness(s, &hrule);
		if (h > v) {
			v = h;
			rule = hrule;
		}
		if (s->ttl_minutes > 0 && s->ttl_minutes * 60LL > v) {
			v = s->ttl_minutes * 60LL;
			rule = "ttl";
		}
	} else {
		long f = s->failures < 1 ? 1 : s->failures > 20 ? 20 : s->failures;
		v = every << (f - 1);
		rule = f > 1 ? "backoff" : "every";
		h = retry_after(s);
		if (h > v) {
			v = h;
			rule = "retry-after";
		}
	}
	if (s->min_wait > v) {
		v = s->min_wait;
		rule = "api-usage";
	}
	*why = rule;
	return schedule_clamp(v);
}

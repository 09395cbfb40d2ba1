/* schedule: the next-fetch interval of a source (pure computation). */
#ifndef SOCIALHUB_WIDGETS_STREAMS_SCHEDULE_H
#define SOCIALHUB_WIDGETS_STREAMS_SCHEDULE_H

#include <stdbool.h>

#define SCHEDULE_MIN_INTERVAL 60       /* seconds: no source more often */
#define SCHEDULE_MAX_INTERVAL 86400    /* ... nor less often */
#define SCHEDULE_EVERY_DEFAULT 900     /* when the source sets none */

/* What the next-fetch computation sees of one attempt. */
struct schedule_in {
	long long now;
	long every;              /* configured interval, seconds */
	bool ok;                 /* 200 or 304 */
	long http_status;
	long failures;           /* consecutive failures including this one */
	const char *cache_control, *expires, *date, *age, *retry_after;
	long ttl_minutes;        /* RSS <ttl>, 0: none */
	long min_wait;           /* seconds an API asked for (its usage near
				  * or over a rate limit), 0: none */
};

/*
 * Seconds until the next fetch, clamped to [SCHEDULE_MIN_INTERVAL,
 * SCHEDULE_MAX_INTERVAL]. Success: the largest of `every`, Cache-Control
 * max-age (minus Age; else Expires minus Date) and <ttl>. Failure: `every`
 * doubled per consecutive failure, or Retry-After on 429/503 when that is
 * later. Either way at least min_wait. *why (may be NULL) names the rule
 * that won: "every", "max-age", "expires", "ttl", "backoff", "retry-after"
 * or "api-usage".
 */
long schedule_next_interval(const struct schedule_in *s, const char **why);

/* v clamped to [SCHEDULE_MIN_INTERVAL, SCHEDULE_MAX_INTERVAL]. */
long schedule_clamp(long long v);

#endif

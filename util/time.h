/* time: the date formats feeds use, parsed into Unix seconds; RFC 3339 out;
 * the monotonic clock for deadlines. */
#ifndef SOCIALHUB_UTIL_TIME_H
#define SOCIALHUB_UTIL_TIME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Parses any date a feed may carry into Unix seconds (UTC): RFC 822/1123
 * and their broken variants (missing, wrong or unknown weekday, month and
 * weekday names in en/de/fr/es/it/pt/nl, missing seconds,
 * two-digit years, RFC 850 dashes, named and military zones, "GMT+0100"),
 * asctime, RFC 3339 / W3CDTF / ISO 8601 (missing T, missing zone = UTC,
 * fractional seconds, basic format, date only, year-month, year) and
 * 9–10 digit Unix timestamps. A zone it does not know, or an offset
 * outside -12h..+14h, counts as UTC. Never reads past the NUL; false for
 * anything it cannot read with confidence (out is left untouched).
 */
bool time_parse(const char *s, long long *out);

/* Only the RFC 822 family (and asctime); same contract as time_parse. */
bool time_parse_rfc822(const char *s, long long *out);
/* Only ISO 8601 / RFC 3339 / W3CDTF; same contract as time_parse. */
bool time_parse_iso8601(const char *s, long long *out);

/*
 * Seconds since the epoch of a proleptic Gregorian UTC date and time
 * (timegm without the libc and without its range limits). Fields are not
 * checked; the caller validates them.
 */
long long time_from_civil(long long year, int month, int day, int hour,
    int min, int sec);

/* Breaks t into UTC fields (the inverse of time_from_civil). */
void time_to_civil(long long t, long long *year, int *month, int *day,
    int *hour, int *min, int *sec);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (NUL-terminated) into out, which
 * holds TIME_RFC3339_LEN bytes. Years outside 0..9999 are clamped. */
#define TIME_RFC3339_LEN 21
void time_format_rfc3339(long long t, char out[TIME_RFC3339_LEN]);

/* Milliseconds on CLOCK_MONOTONIC: for deadlines and waits, never dates. */
long long time_mono_ms(void);

#endif

/* icufmt: dates, relative times, plural categories and compact numbers
 * by locale, through ICU; the same rules as the browser's Intl, so a page
 * the server renders and one embed.js renders read the same. */
#ifndef SOCIALHUB_UTIL_ICUFMT_H
#define SOCIALHUB_UTIL_ICUFMT_H

#include "util/buf.h"
#include "util/rc.h"

/* The formatters of one locale, opened as first used: a request makes
 * one for its page and frees it at the end. */
struct icufmt;

#define ICUFMT_PLURAL_MAX 8   /* "zero", "one", "two", "few", "many", "other" */

/* The steps of a relative time, shared with embed.js (its `steps`):
 * under a minute "now", then minutes, hours, days, weeks; from
 * ICUFMT_RELATIVE_MAX seconds on, the date. */
#define ICUFMT_RELATIVE_MAX 3024000   /* 5 weeks */

/* A formatter set for `lang` (a BCP 47 tag; one that is not
 * locale_tag_ok formats as English, one ICU has no data for as its
 * parent or root); NULL on no memory. */
struct icufmt *icufmt_new(const char *lang);
void icufmt_free(struct icufmt *f);

/*
 * Appends t (Unix seconds) relative to now in f's locale, as
 * Intl.RelativeTimeFormat(lang, {numeric: "auto"}) would: "now",
 * "5 minutes ago", "yesterday", "last week"; t in the future counts as
 * now; from ICUFMT_RELATIVE_MAX on, icufmt_date. RC_INTERNAL when ICU
 * fails, RC_LIMIT from the buffer.
 */
enum rc icufmt_relative(struct icufmt *f, struct buf *b, long long t, long long now);

/* The date of t in UTC, medium style ("12 Mar 2025", "12.03.2025"), as
 * Intl.DateTimeFormat(lang, {dateStyle: "medium", timeZone: "UTC"}). */
enum rc icufmt_date(struct icufmt *f, struct buf *b, long long t);

/* Date and time in UTC, medium date and short time, with the zone
 * ("12 Mar 2025, 14:05 UTC"), for a tooltip. */
enum rc icufmt_datetime(struct icufmt *f, struct buf *b, long long t);

/* n in short compact notation: "950", "10K", "1.2M", "1万", as
 * Intl.NumberFormat(lang, {notation: "compact"}). */
enum rc icufmt_compact(struct icufmt *f, struct buf *b, long long n);

/* The CLDR plural category of n ("one", "few", "other", ...) into cat;
 * "other" when ICU fails. */
void icufmt_plural(struct icufmt *f, long long n, char cat[ICUFMT_PLURAL_MAX]);

#endif

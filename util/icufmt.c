/* icufmt: locale-aware dates, relative times, plurals and compact numbers
 * through ICU's C API. */
#include "util/icufmt.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/unumberformatter.h>
#include <unicode/upluralrules.h>
#include <unicode/ureldatefmt.h>
#include <unicode/ustring.h>

#include "util/locale.h"

#define ICUFMT_UCHARS 256   /* UTF-16 units of one formatted value */

struct icufmt {
	char loc[ULOC_FULLNAME_CAPACITY];
	URelativeDateTimeFormatter *rel;
	UDateFormat *date, *datetime;
	UNumberFormatter *compact;
	UFormattedNumber *num;
	UPluralRules *plural;
};

struct icufmt *
icufmt_new(const char *lang)
{
	struct icufmt *f = calloc(1, sizeof(*f));
	UErrorCode st = U_ZERO_ERROR;

	if (f == NULL)
		return NULL;
	/* "zh-Hant" -> "zh_Hant"; a bad tag formats as English. */
	uloc_forLanguageTag(locale_tag_ok(lang) ? lang : "en", f->loc, sizeof(f->loc), NULL, &st);
	if (U_FAILURE(st))
		memcpy(f->loc, "en", sizeof("en"));
	return f;
}

void
icufmt_free(struct icufmt *f)
{
	if (f == NULL)
		return;
	if (f->rel != NULL)
		ureldatefmt_close(f->rel);
	if (f->date != NULL)
		udat_close(f->date);
	if (f->datetime != NULL)
		udat_close(f->datetime);
	if (f->num != NULL)
		unumf_closeResult(f->num);
	if (f->compact != NULL)
		unumf_close(f->compact);
	if (f->plural != NULL)
		uplrules_close(f->plural);
	free(f);
}

/* Appends n UTF-16 units as UTF-8. */
static enum rc
put16(struct buf *b, const UChar *s, int32_t n)
{
	char u8[ICUFMT_UCHARS * 3 + 1];
	int32_t len = 0;
	UErrorCode st = U_ZERO_ERROR;

	u_strToUTF8(u8, (int32_t)sizeof(u8), &len, s, n, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return RC_INTERNAL;
	return buf_append(b, u8, (size_t)len);
}

static UDateFormat *
date_open(struct icufmt *f, UDateFormatStyle time)
{
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *d = udat_open(time, UDAT_MEDIUM, f->loc, u"UTC", -1, NULL, 0, &st);

	if (U_FAILURE(st)) {
		if (d != NULL)
			udat_close(d);
		return NULL;
	}
	return d;
}

static enum rc
date_put(UDateFormat *d, struct buf *b, long long t)
{
	UChar out[ICUFMT_UCHARS];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	if (d == NULL)
		return RC_INTERNAL;
	n = udat_format(d, (UDate)t * 1000.0, out, ICUFMT_UCHARS, NULL, &st);
	return U_FAILURE(st) || n >= ICUFMT_UCHARS ? RC_INTERNAL : put16(b, out, n);
}

enum rc
icufmt_date(struct icufmt *f, struct buf *b, long long t)
{
	if (f->date == NULL)
		f->date = date_open(f, UDAT_NONE);
	return date_put(f->date, b, t);
}

enum rc
icufmt_datetime(struct icufmt *f, struct buf *b, long long t)
{
	enum rc rc;

	if (f->datetime == NULL)
		f->datetime = date_open(f, UDAT_SHORT);
	rc = date_put(f->datetime, b, t);
	return rc == RC_OK ? buf_appends(b, " UTC") : rc;
}

/* The steps of a relative time (embed.js has the same table). */
static const struct {
	long long below, unit;
	URelativeDateTimeUnit name;
} icufmt_steps[] = {
	{ 60, 1, UDAT_REL_UNIT_SECOND },
	{ 3600, 60, UDAT_REL_UNIT_MINUTE },
	{ 86400, 3600, UDAT_REL_UNIT_HOUR },
	{ 604800, 86400, UDAT_REL_UNIT_DAY },
	{ ICUFMT_RELATIVE_MAX, 604800, UDAT_REL_UNIT_WEEK },
};

enum rc
icufmt_relative(struct icufmt *f, struct buf *b, long long t, long long now)
{
	long long d = now - t < 0 ? 0 : now - t;
	UChar out[ICUFMT_UCHARS];
	UErrorCode st = U_ZERO_ERROR;
	int32_t n;

	if (d >= ICUFMT_RELATIVE_MAX)
		return icufmt_date(f, b, t);
	if (f->rel == NULL) {
		f->rel = ureldatefmt_open(f->loc, NULL, UDAT_STYLE_LONG,
		    UDISPCTX_CAPITALIZATION_NONE, &st);
		if (U_FAILURE(st)) {
			if (f->rel != NULL)
				ureldatefmt_close(f->rel);
			f->rel = NULL;
			return RC_INTERNAL;
		}
	}
	for (size_t i = 0; i < sizeof(icufmt_steps) / sizeof(icufmt_steps[0]); i++) {
		if (d >= icufmt_steps[i].below)
			continue;
		/* Under a minute is "now" (offset 0), as in Intl with numeric: auto. */
		double off = i == 0 ? 0.0 : -(double)(d / icufmt_steps[i].unit);
		n = ureldatefmt_format(f->rel, off, icufmt_steps[i].name, out, ICUFMT_UCHARS, &st);
		return U_FAILURE(st) || n >= ICUFMT_UCHARS ? RC_INTERNAL : put16(b, out, n);
	}
	return RC_INTERNAL;
}

enum rc
icufmt_compact(struct icufmt *f, struct buf *b, long long n)
{
	UChar out[ICUFMT_UCHARS];
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	if (f->compact == NULL) {
		f->compact = unumf_openForSkeletonAndLocale(u"compact-short", -1, f->loc, &st);
		if (U_SUCCESS(st))
			f->num = unumf_openResult(&st);
		if (U_FAILURE(st))
			return RC_INTERNAL;
	}
	if (f->num == NULL)
		return RC_INTERNAL;
	unumf_formatInt(f->compact, (int64_t)n, f->num, &st);
	len = unumf_resultToString(f->num, out, ICUFMT_UCHARS, &st);
	return U_FAILURE(st) || len >= ICUFMT_UCHARS ? RC_INTERNAL : put16(b, out, len);
}

void
icufmt_plural(struct icufmt *f, long long n, char cat[ICUFMT_PLURAL_MAX])
{
	UChar kw[ICUFMT_PLURAL_MAX];
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;

	memcpy(cat, "other", sizeof("other"));
	if (f->plural == NULL) {
		f->plural = uplrules_open(f->loc, &st);
		if (U_FAILURE(st)) {
			f->plural = NULL;
			return;
		}
	}
	len = uplrules_select(f->plural, (double)n, kw, ICUFMT_PLURAL_MAX, &st);
	if (U_FAILURE(st) || len <= 0 || len >= ICUFMT_PLURAL_MAX)
		return;
	u_UCharsToChars(kw, cat, len);
	cat[len] = '\0';
}

/* locale: language tags, Accept-Language negotiation and text direction. */
#include "util/locale.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
locale_tag_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > LOCALE_TAG_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

static const char *
find(const char *tag, const char *const *avail, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (avail[i] != NULL && strcasecmp(avail[i], tag) == 0)
			return avail[i];
	return NULL;
}

/* Chinese regions name a script: the catalogs are per script. */
static const struct {
	const char *from, *to;
} locale_zh[] = {
	{ "zh", "zh-Hans" }, { "zh-CN", "zh-Hans" }, { "zh-SG", "zh-Hans" },
	{ "zh-MY", "zh-Hans" }, { "zh-TW", "zh-Hant" }, { "zh-HK", "zh-Hant" },
	{ "zh-MO", "zh-Hant" },
};

const char *
locale_match(const char *tag, const char *const *avail, size_t n)
{
	char t[LOCALE_TAG_MAX + 1];
	const char *hit;
	char *dash;

	if (!locale_tag_ok(tag))
		return NULL;
	memcpy(t, tag, strlen(tag) + 1);
	for (;;) {
		if ((hit = find(t, avail, n)) != NULL)
			return hit;
		for (size_t i = 0; i < sizeof(locale_zh) / sizeof(locale_zh[0]); i++)
			if (strcasecmp(t, locale_zh[i].from) == 0 &&
			    (hit = find(locale_zh[i].to, avail, n)) != NULL)
				return hit;
		if ((dash = strrchr(t, '-')) == NULL)
			return NULL;
		*dash = '\0';
	}
}

struct range {
	char tag[LOCALE_TAG_MAX + 1];
	int q;          /* 0..1000 */
	size_t order;
};

/* "0.8" -> 800; -1 for anything else RFC 9110 does not allow. */
static int
parse_q(const char *s, size_t len)
{
	int q = 0, scale = 100;

	if (len == 0 || len > 5 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.')
		return -1;
	for (size_t i = 2; i < len; i++, scale /= 10) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* One "tag;q=0.5" element into *r; false when malformed. */
static bool
parse_range(const char *s, size_t len, struct range *r)
{
	size_t tl = 0;
	const char *semi;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	semi = memchr(s, ';', len);
	tl = semi != NULL ? (size_t)(semi - s) : len;
	while (tl > 0 && (s[tl - 1] == ' ' || s[tl - 1] == '\t'))
		tl--;
	if (tl == 0 || tl > LOCALE_TAG_MAX)
		return false;
	memcpy(r->tag, s, tl);
	r->tag[tl] = '\0';
	r->q = 1000;
	if (semi != NULL) {
		const char *p = semi + 1, *end = s + len;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
			return false;
		r->q = parse_q(p + 2, (size_t)(end - p - 2));
	}
	return r->q >= 0 && (strcmp(r->tag, "*") == 0 || locale_tag_ok(r->tag));
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->q != y->q)
		return y->q - x->q;
	return x->order < y->order ? -1 : x->order > y->order;
}

const char *
locale_negotiate(const char *accept, const char *const *avail, size_t n)
{
	struct range r[LOCALE_RANGES_MAX];
	size_t nr = 0, order = 0;
	const char *p = accept, *hit;

	while (p != NULL && *p != '\0' && nr < LOCALE_RANGES_MAX) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (parse_range(p, len, &r[nr]) && r[nr].q > 0) {
			r[nr].order = order;
			nr++;
		}
		order++;
		p = comma != NULL ? comma + 1 : NULL;
	}
	qsort(r, nr, sizeof(r[0]), range_cmp);
	for (size_t i = 0; i < nr; i++)
		if (strcmp(r[i].tag, "*") != 0 && (hit = locale_match(r[i].tag, avail, n)) != NULL)
			return hit;
	return NULL;
}

const char *
locale_dir(const char *tag)
{
	static const char *const rtl[] = { "ar", "he", "iw", "fa", "ur", "ps", "sd",
		"ug", "yi", "dv", "ckb", "syr" };
	size_t len;

	if (!locale_tag_ok(tag))
		return "ltr";
	if (strcasestr(tag, "-Arab") != NULL || strcasestr(tag, "-Hebr") != NULL)
		return "rtl";
	if (strcasestr(tag, "-Latn") != NULL || strcasestr(tag, "-Cyrl") != NULL)
		return "ltr";
	len = strcspn(tag, "-");
	for (size_t i = 0; i < sizeof(rtl) / sizeof(rtl[0]); i++)
		if (strlen(rtl[i]) == len && strncasecmp(tag, rtl[i], len) == 0)
			return "rtl";
	return "ltr";
}

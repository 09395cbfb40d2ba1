/* locale: language tags, Accept-Language negotiation and text direction. */
#ifndef SOCIALHUB_UTIL_LOCALE_H
#define SOCIALHUB_UTIL_LOCALE_H

#include <stdbool.h>
#include <stddef.h>

#define LOCALE_TAG_MAX 35       /* bytes of a tag we accept */
#define LOCALE_RANGES_MAX 32    /* Accept-Language ranges looked at */

/* True for a tag we may use and echo: [A-Za-z0-9-]{1,35}, not starting
 * or ending with '-'. */
bool locale_tag_ok(const char *s);

/*
 * The entry of avail[0..n) (case-insensitive) that serves `tag` best, or
 * NULL: the tag itself, then with its script in place of a Chinese region
 * (zh-TW, zh-HK, zh-MO -> zh-Hant; zh, zh-CN, zh-SG -> zh-Hans), then with
 * its last subtag dropped, again and again (pt-BR -> pt, zh-Hant-TW ->
 * zh-Hant). NULL for a tag that is not locale_tag_ok.
 */
const char *locale_match(const char *tag, const char *const *avail, size_t n);

/*
 * The best of avail[0..n) for an Accept-Language header (RFC 9110
 * 12.5.4): ranges by descending q (ties keep their order; q=0 and
 * malformed ranges are ignored, "*" matches nothing of its own), each
 * through locale_match. NULL when nothing matches or the header is NULL;
 * only the first LOCALE_RANGES_MAX ranges count.
 */
const char *locale_negotiate(const char *accept, const char *const *avail, size_t n);

/* "rtl" for a tag whose language is written right to left (ar, he, fa,
 * ur, ...) or whose script is (-Arab, -Hebr), else "ltr". */
const char *locale_dir(const char *tag);

#endif

/* redirect: return_to must stay on this site, whatever the encoding tricks. */
#include "oauth/oauth_int.h"

#include <string.h>

#include "util/url.h"

#define RETURN_TO_MAX 2000  /* url_is_local_path stops short of 2 KiB */
#define DECODE_LEVELS 4

/*
 * One level's checks: a leading single '/', never "//" or "/\" (either
 * starts an authority for browsers), no backslash (browsers read it as
 * '/'), no control or blank characters (browsers strip tabs and newlines,
 * turning "/\t/evil" into "//evil"), no NUL.
 */
static bool
level_ok(const char *s, size_t n, bool first)
{
	if (first && (n == 0 || s[0] != '/'))
		return false;
	if (n >= 2 && (s[0] == '/' || s[0] == '\\') && (s[1] == '/' || s[1] == '\\'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c == 0x7f || c == '\\')
			return false;
	}
	return true;
}

/*
 * True when s (as received, after the query's own decoding) is a path on
 * this site: url_is_local_path, plus the checks above applied again after
 * each of up to four further percent-decodings, so "%2F%2F", "%5C",
 * "%09" and their double-encoded forms never reach a browser as "//".
 * Must be valid UTF-8 and at most 2000 bytes.
 */
bool
oauth_return_to_ok(const char *s)
{
	char cur[RETURN_TO_MAX + 1], next[RETURN_TO_MAX + 1];
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > RETURN_TO_MAX || !utf8_valid(s, n) || !url_is_local_path(s))
		return false;
	memcpy(cur, s, n);
	for (int level = 0; level <= DECODE_LEVELS; level++) {
		size_t m;
		if (!level_ok(cur, n, level == 0))
			return false;
		m = url_decode_once(cur, n, next);
		if (m == n)
			return true; /* nothing left to decode */
		memcpy(cur, next, m);
		n = m;
	}
	return false; /* still encoded after that many levels: refuse */
}

const char *
oauth_return_to(const struct request *req, size_t key, bool once)
{
	const struct param_value *v = request_value(req, key);

	if (request_refused(req, key) != NULL)
		return NULL;
	if (v == NULL)
		return "/";
	if (v->s[0] == '\0')
		return once && v->count > 1 ? NULL : "/";
	return v->count > 1 ? NULL : v->s;
}

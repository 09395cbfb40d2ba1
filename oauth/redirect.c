/* redirect: return_to must stay on this site, outside socialhub's own mount,
 * whatever the encoding tricks. */
#include "oauth/oauth_int.h"

#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/url.h"

#define RETURN_TO_MAX 2000  /* url_is_local_path stops short of 2 KiB */
#define DECODE_LEVELS 4

/*
 * One level's checks: a leading single '/', never "//" or "/\" (either
 * starts an authority for browsers), no backslash (browsers read it as
 * '/'), no control characters (browsers strip tabs and newlines, turning
 * "/\t/evil" into "//evil"), no NUL. A space only in the query: there it
 * is an encoded space of the page asked for ("?q=a%20b", or "a+b" as the
 * nginx snippet passes $request_uri unescaped), which cannot move the
 * origin; in the path ("/%20/evil") it stays refused.
 */
static bool
level_ok(const char *s, size_t n, bool first)
{
	bool query = false;

	if (first && (n == 0 || s[0] != '/'))
		return false;
	if (n >= 2 && (s[0] == '/' || s[0] == '\\') && (s[1] == '/' || s[1] == '\\'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		query = query || c == '?';
		if (c == ' ' && query)
			continue;
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

/* Appends segment seg (n bytes) of a path to out (cap bytes, length *len),
 * resolving "." and ".." as nginx does before it picks a location. */
static bool
path_push(char *out, size_t cap, size_t *len, const char *seg, size_t n)
{
	if (n == 0 || (n == 1 && seg[0] == '.'))
		return true;
	if (n == 2 && seg[0] == '.' && seg[1] == '.') {
		while (*len > 0 && out[--*len] != '/')
			;
		return true;
	}
	if (*len + 1 + n >= cap)
		return false;
	out[(*len)++] = '/';
	memcpy(out + *len, seg, n);
	*len += n;
	return true;
}

#define ADMIN_PART "/admin"
#define ADMIN_PART_LEN (sizeof(ADMIN_PART) - 1)

/*
 * True when the path of s (up to '?' or '#') names the mount or anything
 * under it once nginx has read it: every %XX decoded (nginx decodes once;
 * we go on while anything decodes, for an application that decodes
 * again), slashes merged, dot segments resolved, compared without case.
 * socialhub's own routes are never a place to send a visitor back to: the
 * share redirects would make them a trampoline off-site. The admin pages
 * under MOUNT/admin are the exception (exact case).
 */
static bool
in_mount(const char *s, const char *mount)
{
	char cur[RETURN_TO_MAX + 1], next[RETURN_TO_MAX + 1], norm[RETURN_TO_MAX + 2];
	size_t n = strcspn(s, "?#"), m, len = 0, ml = strlen(mount);

	if (n > RETURN_TO_MAX)
		return true;
	memcpy(cur, s, n);
	while ((m = url_decode_once(cur, n, next)) != n) {
		memcpy(cur, next, m);
		n = m;
	}
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && cur[k] != '/')
			k++;
		if (!path_push(norm, sizeof(norm), &len, cur + i, k - i))
			return true;
		i = k + 1;
	}
	if (len < ml || strncasecmp(norm, mount, ml) != 0 || (len != ml && norm[ml] != '/'))
		return false;
	/* The admin pages (fcgi/admin.c) send the visitor to sign in and back:
	 * they redirect nowhere off-site, so they are no trampoline. */
	return !(len >= ml + ADMIN_PART_LEN && memcmp(norm + ml, ADMIN_PART, ADMIN_PART_LEN) == 0 &&
	    (len == ml + ADMIN_PART_LEN || norm[ml + ADMIN_PART_LEN] == '/'));
}

char *
oauth_return_to_clean(struct arena *a, const char *s, const char *mount)
{
	struct buf b;
	char *out = NULL;
	enum rc rc = RC_OK;

	if (!oauth_return_to_ok(s) || in_mount(s, mount))
		return NULL;
	buf_init(&b, RETURN_TO_MAX + 1);
	for (const char *p = s; *p != '\0' && rc == RC_OK; p++)
		rc = *p == ' ' ? buf_appends(&b, "%20") : buf_appendc(&b, *p);
	/* The clean form goes into the state cookie: it keeps the size cap. */
	if (rc == RC_OK && oauth_return_to_ok(buf_cstr(&b)))
		out = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	return out;
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
	if (v->count > 1)
		return NULL;
	/* return_to_param left the clean form; a plain value has no blank. */
	return v->p != NULL ? v->p : v->s;
}

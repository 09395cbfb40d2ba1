/* url: strict percent decoding, encoding and absolute-URL parsing. */
#include "util/url.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one out-of-line copy of the inline url_hexval (C99 6.7.4). */
extern inline int url_hexval(unsigned char c);

enum rc
url_decode(struct arena *a, const char *s, size_t n, bool form, char **out,
    size_t *outlen)
{
	char *d = arena_alloc(a, n + 1);
	size_t i, j = 0;

	if (d == NULL)
		return RC_NOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (n - i < 3)
				return RC_INVALID;
			hi = url_hexval((unsigned char)s[i + 1]);
			lo = url_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return RC_INVALID;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && form) {
			c = ' ';
		}
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return RC_INVALID;
		d[j++] = (char)c;
	}
	d[j] = '\0';
	if (!utf8_valid(d, j))
		return RC_INVALID;
	*out = d;
	if (outlen != NULL)
		*outlen = j;
	return RC_OK;
}

size_t
url_decode_once(const char *s, size_t n, char *out)
{
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n &&
		    (hi = url_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = url_hexval((unsigned char)s[i + 2])) >= 0) {
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	return j;
}

enum rc
url_encode(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	enum rc rc = RC_OK;

	for (size_t i = 0; i < n && rc == RC_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			rc = buf_appendc(b, (char)c);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = buf_append(b, esc, 3);
		}
	}
	return rc;
}

static char *
lower_dup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_strndup(a, s, n);

	for (size_t i = 0; d != NULL && i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

static bool
has_bad_bytes(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f || c == '\\')
			return true;
	}
	return false;
}

static enum rc
parse_authority(struct arena *a, const char *s, size_t n, struct url *u)
{
	const char *at = memrchr(s, '@', n);
	const char *host, *end = s + n, *colon = NULL;

	if (at != NULL) {
		u->userinfo = arena_strndup(a, s, (size_t)(at - s));
		host = at + 1;
	} else {
		host = s;
	}
	if (host < end && *host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));
		if (close == NULL)
			return RC_INVALID;
		if (close + 1 < end) {
			if (close[1] != ':')
				return RC_INVALID;
			colon = close + 1;
		}
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
	}
	if (colon != NULL) {
		char *stop;
		long port;
		if (colon + 1 == end)
			return RC_INVALID;
		port = strtol(colon + 1, &stop, 10);
		if (stop != end || port <= 0 || port > 65535 ||
		    !isdigit((unsigned char)colon[1]))
			return RC_INVALID;
		u->port = (int)port;
		end = colon;
	}
	if (end == host)
		return RC_INVALID;
	u->host = lower_dup(a, host, (size_t)(end - host));
	return u->host == NULL ? RC_NOMEM : RC_OK;
}

enum rc
url_parse(struct arena *a, const char *s, struct url *u)
{
	const char *p, *auth, *auth_end;
	size_t slen;

	memset(u, 0, sizeof(*u));
	if (s == NULL || has_bad_bytes(s))
		return RC_INVALID;
	p = strstr(s, "://");
	if (p == NULL)
		return RC_INVALID;
	u->scheme = lower_dup(a, s, (size_t)(p - s));
	if (u->scheme == NULL)
		return RC_NOMEM;
	if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0)
		return RC_INVALID;
	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (parse_authority(a, auth, (size_t)(auth_end - auth), u) != RC_OK)
		return RC_INVALID;
	p = auth_end;
	slen = strcspn(p, "?#");
	u->path = slen > 0 ? arena_strndup(a, p, slen) : arena_strdup(a, "/");
	p += slen;
	if (*p == '?') {
		slen = strcspn(p + 1, "#");
		u->query = arena_strndup(a, p + 1, slen);
		p += 1 + slen;
	}
	if (*p == '#')
		u->fragment = arena_strdup(a, p + 1);
	return u->path == NULL ? RC_NOMEM : RC_OK;
}

/* One dotted part of an IPv4 literal in any base inet_aton accepts. */
static bool
ipv4_part(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return false;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < n; i++)
			if (!isxdigit((unsigned char)s[i]))
				return false;
		return true;
	}
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
url_host_is_ip(const char *host)
{
	const char *p = host;
	int parts = 0;

	if (host[0] == '[' || strchr(host, ':') != NULL)
		return true;
	if (*p == '\0')
		return false;
	for (;;) {
		size_t n = strcspn(p, ".");
		if (n == 0 && p[n] == '\0' && parts > 0)
			break; /* trailing dot */
		if (!ipv4_part(p, n))
			return false;
		parts++;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return parts >= 1 && parts <= 4;
}

bool
url_host_name_ok(const char *h, bool any_case)
{
	size_t n = h != NULL ? strlen(h) : 0, label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = h[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (any_case && c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (label == 0 && c == '-')
			return false;
		label++;
	}
	return true;
}

bool
url_host_of(const char *url, char *out, size_t max)
{
	struct arena *a = arena_new(1024, 0);
	struct url u;
	bool ok = false;

	out[0] = '\0';
	if (a != NULL && url_parse(a, url, &u) == RC_OK && strlen(u.host) < max) {
		memcpy(out, u.host, strlen(u.host) + 1);
		ok = true;
	}
	arena_free(a);
	return ok;
}

bool
url_origin_of(const char *url, struct url_origin *o)
{
	struct arena *a = arena_new(1024, 0);
	struct url u;
	bool ok = false;

	memset(o, 0, sizeof(*o));
	if (a != NULL && url_parse(a, url, &u) == RC_OK && strlen(u.host) < sizeof(o->host)) {
		memcpy(o->scheme, u.scheme, strlen(u.scheme) + 1);
		memcpy(o->host, u.host, strlen(u.host) + 1);
		o->port = u.port != 0 ? u.port : strcmp(u.scheme, "https") == 0 ? 443 : 80;
		ok = true;
	}
	arena_free(a);
	return ok;
}

bool
url_origin_same(const struct url_origin *a, const struct url_origin *b)
{
	return a->port == b->port && strcmp(a->scheme, b->scheme) == 0 &&
	    strcmp(a->host, b->host) == 0;
}

static bool
local_path_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] != '/')
		return false;
	if (n > 1 && (s[1] == '/' || s[1] == '\\'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\')
			return false;
	}
	return true;
}

bool
url_is_local_path(const char *s)
{
	char tmp[2048];
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n >= sizeof(tmp) || !local_path_ok(s, n))
		return false;
	/* Decode once more: a browser or proxy may decode %2F%2F or %5C. */
	return local_path_ok(tmp, url_decode_once(s, n, tmp));
}

void
url_redact(const char *url, char *out, size_t n)
{
	size_t len = strcspn(url, "?#"), pre;
	const char *sep = strstr(url, "://"), *host, *at;
	const char *rest = url[len] != '\0' ? "?..." : "";

	if (n == 0)
		return;
	if (sep == NULL || (size_t)(sep - url) >= len) {
		snprintf(out, n, "%.*s%s", (int)len, url, rest);
		return;
	}
	host = sep + 3;
	at = memrchr(host, '@', strcspn(host, "/?#"));
	if (at == NULL) {
		snprintf(out, n, "%.*s%s", (int)len, url, rest);
		return;
	}
	pre = (size_t)(host - url);
	snprintf(out, n, "%.*s...%.*s%s", (int)pre, url,
	    (int)(len - (size_t)(at - url)), at, rest);
}

/* url: percent-encoding, strict absolute-URL parsing, host
 * names and origins. */
#ifndef SOCIALHUB_UTIL_URL_H
#define SOCIALHUB_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"
#include "util/utf8.h"

/*
 * The value (0 to 15) of the hexadecimal digit c (either case), or -1.
 * Inline: the feed readers call it for every digit of a character
 * reference or \u escape.
 */
inline int
url_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes s[0..n) into a NUL-terminated arena copy. `form` also turns '+'
 * into a space (application/x-www-form-urlencoded). RC_INVALID for a bad
 * or truncated %XX, a decoded NUL or control byte other than tab/CR/LF, or
 * a result that is not UTF-8; RC_NOMEM otherwise on failure.
 */
enum rc url_decode(struct arena *a, const char *s, size_t n, bool form,
    char **out, size_t *outlen);

/*
 * Percent-decodes s[0..n) once, leniently, into out (room for n bytes; may
 * be s itself): each '%' followed by two hex digits becomes that byte,
 * whatever it is (NUL, controls, '/'); anything else, a lone or short '%'
 * too, is copied as it is. Returns the length written. For checks that
 * must see what one more decoding (a browser's, a proxy's) would make of
 * a value; url_decode is the strict decoder for input.
 */
size_t url_decode_once(const char *s, size_t n, char *out);

/* Appends s[0..n) with every byte outside RFC 3986 "unreserved" as %XX. */
enum rc url_encode(struct buf *b, const char *s, size_t n);

/* An absolute http(s) URL split into parts; every part NUL-terminated. */
struct url {
	char *scheme;   /* lower-cased: "http" or "https" (others refused) */
	char *userinfo; /* NULL when absent */
	char *host;     /* lower-cased registered name or [IPv6] */
	int port;       /* explicit port, or 0 */
	char *path;     /* "/" when empty */
	char *query;    /* NULL when absent, without the '?' */
	char *fragment; /* NULL when absent, without the '#' */
};

/*
 * Parses an absolute http or https URL. Refuses other schemes, control
 * characters, spaces, backslashes, empty hosts and bad ports with
 * RC_INVALID. Does not decode percent escapes.
 */
enum rc url_parse(struct arena *a, const char *s, struct url *u);

/* True when host is an IPv4 or IPv6 literal (incl. bracketed, decimal,
 * octal or hex IPv4 forms that resolvers accept). */
bool url_host_is_ip(const char *host);

/*
 * True when h is a DNS host name: 1 to 253 bytes of dot-separated labels,
 * each 1 to 63 letters, digits or hyphens, not starting or ending with a
 * hyphen (no empty label, so no leading, trailing or double dot). Letters
 * are lower-case only unless `any_case`. Says nothing of IP literals:
 * "10.0.0.1" passes; callers that want names only add url_host_is_ip.
 */
bool url_host_name_ok(const char *h, bool any_case);

#define URL_HOST_MAX 255

/*
 * Copies the host of an absolute http(s) URL (as url_parse gives it:
 * lower-cased, an IPv6 literal in brackets) into out, which has room for
 * max bytes with the NUL. False, with out empty, when url does not parse
 * or the host does not fit.
 */
bool url_host_of(const char *url, char *out, size_t max);

/* Scheme, host and port of an absolute http(s) URL: what a browser calls
 * its origin. The port is the scheme's default (80, 443) when not given. */
struct url_origin {
	char scheme[8];
	char host[URL_HOST_MAX + 1];
	int port;
};

/* Fills o from url; false (o zeroed) when url does not parse or its host
 * is longer than URL_HOST_MAX. */
bool url_origin_of(const char *url, struct url_origin *o);

/* True when a and b are the same origin. */
bool url_origin_same(const struct url_origin *a, const struct url_origin *b);

/*
 * True when s is a safe same-origin path for a redirect: starts with one
 * '/', no "//" or "/\" prefix, no scheme, no control characters or
 * backslashes, also after one level of percent-decoding.
 */
bool url_is_local_path(const char *s);

/*
 * url as it may be printed or logged: a query or fragment becomes "?..."
 * and a user:password@ becomes "...@" (feed URLs may carry private tokens
 * there). Writes at most n bytes to out, NUL-terminated (truncated).
 */
void url_redact(const char *url, char *out, size_t n);

#endif

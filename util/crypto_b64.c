/* crypto_b64: base64 and base64url, encode and decode; plain C, so that
 * the parser (the `socialhub` launcher runs `parse`, which reads base64 Atom content) links it
 * without OpenSSL. */
#include "util/crypto_b64.h"

#include <stdbool.h>
#include <stdint.h>

static enum rc
b64_encode(struct buf *b, const void *p, size_t n, const char *alpha, bool pad)
{
	const unsigned char *s = p;
	enum rc rc = RC_OK;
	size_t i;

	for (i = 0; i + 2 < n && rc == RC_OK; i += 3) {
		char q[4] = { alpha[s[i] >> 2], alpha[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
			alpha[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)], alpha[s[i + 2] & 63] };
		rc = buf_append(b, q, 4);
	}
	if (rc != RC_OK || i == n)
		return rc;
	{
		char q[4] = { alpha[s[i] >> 2], '=', '=', '=' };
		size_t len = 2;
		if (n - i == 1) {
			q[1] = alpha[(s[i] & 3) << 4];
		} else {
			q[1] = alpha[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			q[2] = alpha[(s[i + 1] & 15) << 2];
			len = 3;
		}
		return buf_append(b, q, pad ? 4 : len);
	}
}

enum rc
crypto_b64url_encode(struct buf *b, const void *p, size_t n)
{
	return b64_encode(b, p, n,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

enum rc
crypto_b64_encode(struct buf *b, const void *p, size_t n)
{
	return b64_encode(b, p, n,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

/* The value of c in base64, or -1: '-' '_' with CRYPTO_B64_URL, '+' '/'
 * with CRYPTO_B64_STD. */
static int
b64_val(char c, unsigned flags)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (flags & CRYPTO_B64_URL) {
		if (c == '-')
			return 62;
		if (c == '_')
			return 63;
	}
	if (flags & CRYPTO_B64_STD) {
		if (c == '+')
			return 62;
		if (c == '/')
			return 63;
	}
	return -1;
}

/* True for the bytes CRYPTO_B64_LAX passes over: padding and white space. */
static bool
b64_skipped(char c)
{
	return c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

enum rc
crypto_b64_decode(struct arena *a, const char *s, size_t n, unsigned flags,
    unsigned char **out, size_t *outlen)
{
	bool lax = (flags & CRYPTO_B64_LAX) != 0;
	unsigned char *d;
	uint32_t acc = 0;
	size_t i, j = 0;
	int bits = 0;

	if (!lax && n % 4 == 1)
		return RC_INVALID;
	d = arena_alloc(a, n / 4 * 3 + 3);
	if (d == NULL)
		return RC_NOMEM;
	for (i = 0; i < n; i++) {
		int v = b64_val(s[i], flags);
		if (v < 0 && lax && b64_skipped(s[i]))
			continue;
		if (v < 0)
			return RC_INVALID;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[j++] = (unsigned char)(acc >> bits);
		}
	}
	/* Leftover bits must be zero: one encoding per value. */
	if (!lax && bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return RC_INVALID;
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return RC_OK;
}

enum rc
crypto_b64url_decode(struct arena *a, const char *s, size_t n,
    unsigned char **out, size_t *outlen)
{
	return crypto_b64_decode(a, s, n, CRYPTO_B64_URL, out, outlen);
}


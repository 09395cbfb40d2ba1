/* crypto_b64: base64 (RFC 4648 4) and base64url (RFC 4648 5). */
#ifndef SOCIALHUB_UTIL_CRYPTO_B64_H
#define SOCIALHUB_UTIL_CRYPTO_B64_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"

/* Appends base64url (no padding) of p[0..n). */
enum rc crypto_b64url_encode(struct buf *b, const void *p, size_t n);
/* Decodes base64url (padding and non-alphabet bytes refused) into an arena
 * copy; RC_INVALID on bad input. crypto_b64_decode with CRYPTO_B64_URL. */
enum rc crypto_b64url_decode(struct arena *a, const char *s, size_t n,
    unsigned char **out, size_t *outlen);

/* How crypto_b64_decode reads its input. */
enum {
	CRYPTO_B64_URL = 1 << 0,  /* '-' and '_' for 62 and 63 (RFC 4648 5) */
	CRYPTO_B64_STD = 1 << 1,  /* '+' and '/' for 62 and 63 (RFC 4648 4) */
	/* Passes over '=' and blanks (space, tab, CR, LF) wherever they are,
	 * takes any length and ignores the bits of a last partial byte, as
	 * feed readers do with line-wrapped, padded Atom content. */
	CRYPTO_B64_LAX = 1 << 2,
};

/*
 * Decodes base64 s[0..n) in the alphabet(s) that flags name into an arena
 * copy *out of *outlen bytes, NUL-terminated (the bytes may hold NULs).
 * Strict unless CRYPTO_B64_LAX: no padding, no byte outside the alphabet,
 * no length of 4k+1, and the bits of a last partial byte must be zero, so
 * each value has one encoding. RC_INVALID on bad input, RC_NOMEM.
 */
enum rc crypto_b64_decode(struct arena *a, const char *s, size_t n, unsigned flags,
    unsigned char **out, size_t *outlen);
/* Standard base64 with padding (for HTTP Basic). */
enum rc crypto_b64_encode(struct buf *b, const void *p, size_t n);

#endif

/* crypto: random bytes, base64url, hashes, constant-time compare, AEAD. */
#ifndef SOCIALHUB_UTIL_CRYPTO_H
#define SOCIALHUB_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"

#define CRYPTO_KEY_LEN 32
#define CRYPTO_GCM_IV_LEN 12
#define CRYPTO_GCM_TAG_LEN 16
#define CRYPTO_SHA256_LEN 32

/* Fills p with n bytes from the kernel CSPRNG; RC_CRYPTO if it fails. */
enum rc crypto_random(void *p, size_t n);

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

/*
 * A sanity check of key material, not a measure of entropy: false (with
 * *why, a static phrase such as "has only a few distinct byte values")
 * for bytes that cannot have come from a CSPRNG: under n/2 distinct
 * values (capped at 128), a run of 6 equal bytes, or under (n-1)/2
 * distinct steps between neighbours (counters, repeated patterns). 32
 * random bytes fail it with a probability under 1e-10.
 */
bool crypto_key_plausible(const unsigned char *p, size_t n, const char **why);

/* Constant-time equality of two byte strings (length is not secret). */
bool crypto_equal(const void *a, size_t alen, const void *b, size_t blen);

void crypto_sha256(const void *p, size_t n, unsigned char out[CRYPTO_SHA256_LEN]);
enum rc crypto_hmac_sha256(const void *key, size_t keylen, const void *p,
    size_t n, unsigned char out[CRYPTO_SHA256_LEN]);
/* HKDF-SHA256 (RFC 5869) expanding ikm into out[0..outlen). */
enum rc crypto_hkdf(const void *ikm, size_t ikmlen, const char *info,
    unsigned char *out, size_t outlen);

/*
 * AES-256-GCM. seal appends iv || ciphertext || tag to `out`; open checks
 * the tag and writes the plaintext into an arena copy (NUL-terminated).
 * `aad` binds context (e.g. the cookie name). RC_CRYPTO when the tag does
 * not match or the input is too short.
 */
enum rc crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
    size_t aadlen, const void *p, size_t n, struct buf *out);
enum rc crypto_open(struct arena *a, const unsigned char key[CRYPTO_KEY_LEN],
    const void *aad, size_t aadlen, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen);

#endif

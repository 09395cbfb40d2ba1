/* crypto: random bytes, hashes, constant-time compare, AEAD (OpenSSL);
 * base64 is util/crypto_b64.h, included here for its callers. */
#ifndef SOCIALHUB_UTIL_CRYPTO_H
#define SOCIALHUB_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/crypto_b64.h"
#include "util/rc.h"

#define CRYPTO_KEY_LEN 32
#define CRYPTO_GCM_IV_LEN 12
#define CRYPTO_GCM_TAG_LEN 16
#define CRYPTO_SHA256_LEN 32

/* Fills p with n bytes from the kernel CSPRNG; RC_CRYPTO if it fails. */
enum rc crypto_random(void *p, size_t n);

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
/*
 * HMAC-SHA256 under one key for many messages: keyed once, then each MAC
 * costs the hashing alone (crypto_hmac_sha256 sets OpenSSL's MAC up anew
 * on every call, several times the hashing of a short message: what a
 * share counting a new visitor with three MACs paid). Not thread-safe:
 * one per worker.
 */
struct crypto_hmac;
enum rc crypto_hmac_new(const void *key, size_t keylen, struct crypto_hmac **out);
void crypto_hmac_free(struct crypto_hmac *h);
/* The MAC of the concatenation of the n pieces parts[i][0..lens[i]). */
enum rc crypto_hmac_parts(struct crypto_hmac *h, const void *const *parts,
    const size_t *lens, size_t n, unsigned char out[CRYPTO_SHA256_LEN]);
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

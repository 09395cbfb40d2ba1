/* jwt: compact JWS parsing, JWK keys and signatures over OpenSSL 3 EVP. */
#ifndef SOCIALHUB_UTIL_JWT_H
#define SOCIALHUB_UTIL_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "util/arena.h"
#include "util/rc.h"

/* Signature algorithms we know. There is no value for "none". */
enum jwt_alg {
	JWT_RS256 = 1, JWT_RS384, JWT_RS512,
	JWT_PS256, JWT_PS384, JWT_PS512,
	JWT_ES256, JWT_ES384, JWT_ES512,
	JWT_EDDSA,
	JWT_HS256, JWT_HS384, JWT_HS512,
	JWT_ALG__END
};

/* A set of algorithms as a bit mask. */
#define JWT_ALG_BIT(a) (1u << (unsigned)(a))
#define JWT_ALGS_ASYMMETRIC (((1u << JWT_HS256) - 1) & ~1u)
#define JWT_ALGS_HMAC (JWT_ALG_BIT(JWT_HS256) | JWT_ALG_BIT(JWT_HS384) | JWT_ALG_BIT(JWT_HS512))

/* Parses "RS256" etc.; false for unknown names and for "none". */
bool jwt_alg_parse(const char *name, enum jwt_alg *out);
/* The JOSE name of an algorithm ("ES256"). */
const char *jwt_alg_name(enum jwt_alg alg);

/* Largest token jwt_parse accepts. */
#define JWT_MAX_LEN (16u * 1024)

/*
 * A parsed, NOT yet verified, compact JWS. header and claims are JSON
 * objects owned by the arena (released with it). kid/typ are NULL when
 * absent.
 */
struct jwt {
	json_t *header;
	json_t *claims;
	enum jwt_alg alg;
	const char *kid;
	const char *signing_input;  /* "b64header.b64payload" */
	size_t signing_input_len;
	unsigned char *sig;
	size_t sig_len;
};

/*
 * Splits and decodes a compact JWS (exactly three parts). RC_CRYPTO for an
 * unknown or "none" alg, a "crit" header, an unsecured or detached payload;
 * RC_INVALID for bad base64url, JSON that is not an object, or a token over
 * JWT_MAX_LEN. Does not verify the signature.
 */
enum rc jwt_parse(struct arena *a, const char *token, struct jwt *out);

/*
 * Builds a public key from a JWK (RSA: n/e, EC: crv/x/y for P-256/384/521,
 * OKP: Ed25519 x). RSA moduli under 2048 bits are refused. The caller owns
 * *out (EVP_PKEY_free). RC_INVALID for a malformed or unsupported key.
 */
enum rc jwk_to_pkey(const json_t *jwk, EVP_PKEY **out);

/*
 * True when the JWK may verify `alg`: kty (and crv) match the algorithm,
 * "use" is absent or "sig", "alg" is absent or equal, "key_ops" (when
 * present) includes "verify".
 */
bool jwk_fits_alg(const json_t *jwk, enum jwt_alg alg);

/* Verifies t's signature with an asymmetric key of the right type. */
enum rc jwt_verify(const struct jwt *t, EVP_PKEY *pkey);
/* Verifies an HS256/384/512 signature (constant-time compare). */
enum rc jwt_verify_hmac(const struct jwt *t, const void *key, size_t keylen);

/*
 * Signs header + claims (the "alg" member is set from alg) into a compact
 * JWS in an arena string. Asymmetric algorithms only (ES* output is raw
 * r||s as JWS requires).
 */
enum rc jwt_sign(struct arena *a, enum jwt_alg alg, EVP_PKEY *pkey,
    json_t *header, json_t *claims, char **out);

/* Loads a private key from PEM text (PKCS#8, e.g. Apple's .p8). */
enum rc jwt_pem_private(const char *pem, size_t len, EVP_PKEY **out);

/*
 * ECDSA signature conversions: JOSE raw r||s (each n bytes) <-> DER.
 * raw_to_der writes a malloc'd DER (caller frees with OPENSSL_free).
 */
enum rc jwt_ecdsa_raw_to_der(const unsigned char *raw, size_t rawlen,
    unsigned char **der, size_t *derlen);
enum rc jwt_ecdsa_der_to_raw(const unsigned char *der, size_t derlen, size_t n,
    unsigned char *raw);

#endif

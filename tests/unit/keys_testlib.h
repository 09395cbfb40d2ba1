/* keys_testlib: test keys and JWKs made with OpenSSL, for JWT/ID token tests. */
#ifndef SOCIALHUB_TESTS_KEYS_TESTLIB_H
#define SOCIALHUB_TESTS_KEYS_TESTLIB_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "util/buf.h"
#include "util/crypto.h"

static EVP_PKEY *
tk_generate(const char *type, const char *param)
{
	EVP_PKEY *k = NULL;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(param));
	else if (strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", param);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	return k;
}

static json_t *
tk_b64(const unsigned char *p, size_t n)
{
	struct buf b;
	json_t *s;

	buf_init(&b, 4096);
	crypto_b64url_encode(&b, p, n);
	s = json_string(buf_cstr(&b));
	buf_fini(&b);
	return s;
}

static __attribute__((unused)) json_t *
tk_bn(EVP_PKEY *k, const char *name, size_t pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	EVP_PKEY_get_bn_param(k, name, &bn);
	n = pad > 0 ? BN_bn2binpad(bn, buf, (int)pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	return tk_b64(buf, (size_t)n);
}

/* The public JWK of k, with kid (and alg when given). */
static __attribute__((unused)) json_t *
tk_jwk(EVP_PKEY *k, const char *kid, const char *alg)
{
	json_t *j = json_object();

	if (EVP_PKEY_is_a(k, "RSA")) {
		json_object_set_new(j, "kty", json_string("RSA"));
		json_object_set_new(j, "n", tk_bn(k, OSSL_PKEY_PARAM_RSA_N, 0));
		json_object_set_new(j, "e", tk_bn(k, OSSL_PKEY_PARAM_RSA_E, 0));
	} else if (EVP_PKEY_is_a(k, "EC")) {
		char group[64];
		size_t glen, len = 32;
		const char *crv = "P-256";
		EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen);
		if (strcmp(group, "secp384r1") == 0) {
			crv = "P-384";
			len = 48;
		} else if (strcmp(group, "secp521r1") == 0) {
			crv = "P-521";
			len = 66;
		}
		json_object_set_new(j, "kty", json_string("EC"));
		json_object_set_new(j, "crv", json_string(crv));
		json_object_set_new(j, "x", tk_bn(k, OSSL_PKEY_PARAM_EC_PUB_X, len));
		json_object_set_new(j, "y", tk_bn(k, OSSL_PKEY_PARAM_EC_PUB_Y, len));
	} else {
		unsigned char pub[64];
		size_t n = sizeof(pub);
		EVP_PKEY_get_raw_public_key(k, pub, &n);
		json_object_set_new(j, "kty", json_string("OKP"));
		json_object_set_new(j, "crv", json_string("Ed25519"));
		json_object_set_new(j, "x", tk_b64(pub, n));
	}
	if (kid != NULL)
		json_object_set_new(j, "kid", json_string(kid));
	if (alg != NULL)
		json_object_set_new(j, "alg", json_string(alg));
	json_object_set_new(j, "use", json_string("sig"));
	return j;
}

/* A compact JWS with arbitrary header/claims text (for hostile tokens). */
static __attribute__((unused)) char *
tk_raw_token(const char *header_json, const char *claims_json, const char *sig_b64)
{
	struct buf b;

	buf_init(&b, 65536);
	crypto_b64url_encode(&b, header_json, strlen(header_json));
	buf_appendc(&b, '.');
	crypto_b64url_encode(&b, claims_json, strlen(claims_json));
	buf_appendc(&b, '.');
	buf_appends(&b, sig_b64);
	return buf_take(&b, NULL);
}

#endif

/* test_jwt: JWS parsing, JWK import, sign/verify tables, hostile tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "util/jwt.h"
#include "keys_testlib.h"

struct keyset {
	EVP_PKEY *rsa, *rsa_other, *ec256, *ec384, *ec521, *ed;
};

static struct keyset K;

static int
setup(void **state)
{
	(void)state;
	K.rsa = tk_generate("RSA", "2048");
	K.rsa_other = tk_generate("RSA", "2048");
	K.ec256 = tk_generate("EC", "P-256");
	K.ec384 = tk_generate("EC", "P-384");
	K.ec521 = tk_generate("EC", "P-521");
	K.ed = tk_generate("ED25519", NULL);
	return K.rsa && K.rsa_other && K.ec256 && K.ec384 && K.ec521 && K.ed ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(K.rsa);
	EVP_PKEY_free(K.rsa_other);
	EVP_PKEY_free(K.ec256);
	EVP_PKEY_free(K.ec384);
	EVP_PKEY_free(K.ec521);
	EVP_PKEY_free(K.ed);
	return 0;
}

static char *
sign(struct arena *a, enum jwt_alg alg, EVP_PKEY *k, const char *kid)
{
	json_t *h = json_pack("{s:s}", "kid", kid), *c = json_pack("{s:s, s:i}", "sub", "alice", "iat", 1);
	char *tok = NULL;

	assert_int_equal(jwt_sign(a, alg, k, h, c, &tok), RC_OK);
	json_decref(h);
	json_decref(c);
	return tok;
}

static enum rc
verify_with_jwk(struct arena *a, const char *tok, EVP_PKEY *k)
{
	json_t *jwk = tk_jwk(k, "k1", NULL);
	EVP_PKEY *pub = NULL;
	struct jwt t;
	enum rc rc = jwt_parse(a, tok, &t);

	if (rc == RC_OK)
		rc = jwk_to_pkey(jwk, &pub);
	if (rc == RC_OK)
		rc = jwk_fits_alg(jwk, t.alg) ? jwt_verify(&t, pub) : RC_CRYPTO;
	EVP_PKEY_free(pub);
	json_decref(jwk);
	return rc;
}

static void
test_sign_verify_table(void **state)
{
	struct { enum jwt_alg alg; EVP_PKEY **key; } rows[] = {
		{ JWT_RS256, &K.rsa }, { JWT_RS384, &K.rsa }, { JWT_RS512, &K.rsa },
		{ JWT_PS256, &K.rsa }, { JWT_PS384, &K.rsa }, { JWT_PS512, &K.rsa },
		{ JWT_ES256, &K.ec256 }, { JWT_ES384, &K.ec384 }, { JWT_ES512, &K.ec521 },
		{ JWT_EDDSA, &K.ed },
	};
	struct arena *a = arena_new(65536, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *tok = sign(a, rows[i].alg, *rows[i].key, "k1");
		struct jwt t;
		assert_int_equal(verify_with_jwk(a, tok, *rows[i].key), RC_OK);
		assert_int_equal(jwt_parse(a, tok, &t), RC_OK);
		assert_int_equal(t.alg, rows[i].alg);
		assert_string_equal(t.kid, "k1");
		assert_string_equal(json_string_value(json_object_get(t.claims, "sub")), "alice");
		/* Every byte of the signature matters. */
		{
			char *bad = arena_strdup(a, tok);
			size_t n = strlen(bad);
			bad[n - 3] = bad[n - 3] == 'A' ? 'B' : 'A';
			assert_int_not_equal(verify_with_jwk(a, bad, *rows[i].key), RC_OK);
		}
		/* And the payload. */
		{
			char *bad = arena_strdup(a, tok);
			char *dot = strchr(bad, '.');
			dot[2] = dot[2] == 'A' ? 'B' : 'A';
			assert_int_not_equal(verify_with_jwk(a, bad, *rows[i].key), RC_OK);
		}
		arena_reset(a);
	}
	arena_free(a);
}

static void
test_wrong_key_and_type(void **state)
{
	struct arena *a = arena_new(65536, 0);
	char *rs = sign(a, JWT_RS256, K.rsa, "k1");
	char *es = sign(a, JWT_ES256, K.ec256, "k1");
	json_t *jwk;
	struct jwt t;

	(void)state;
	assert_int_not_equal(verify_with_jwk(a, rs, K.rsa_other), RC_OK);
	/* An ES256 token against the P-384 key: curve mismatch. */
	assert_int_not_equal(verify_with_jwk(a, es, K.ec384), RC_OK);
	/* An RS256 token against an EC key: kty mismatch. */
	assert_int_not_equal(verify_with_jwk(a, rs, K.ec256), RC_OK);
	/* A key that declares another alg, or use=enc, is not used. */
	assert_int_equal(jwt_parse(a, rs, &t), RC_OK);
	jwk = tk_jwk(K.rsa, "k1", "PS256");
	assert_false(jwk_fits_alg(jwk, JWT_RS256));
	json_decref(jwk);
	jwk = tk_jwk(K.rsa, "k1", NULL);
	json_object_set_new(jwk, "use", json_string("enc"));
	assert_false(jwk_fits_alg(jwk, JWT_RS256));
	json_object_del(jwk, "use");
	json_object_set_new(jwk, "key_ops", json_pack("[s]", "sign"));
	assert_false(jwk_fits_alg(jwk, JWT_RS256));
	json_object_set_new(jwk, "key_ops", json_pack("[s]", "verify"));
	assert_true(jwk_fits_alg(jwk, JWT_RS256));
	/* A JWK never verifies an HMAC token. */
	assert_false(jwk_fits_alg(jwk, JWT_HS256));
	json_decref(jwk);
	arena_free(a);
}

static void
test_parse_rejects(void **state)
{
	static const struct { const char *header; const char *claims; const char *sig; enum rc rc; } rows[] = {
		{ "{\"alg\":\"none\"}", "{\"sub\":\"a\"}", "", RC_CRYPTO },
		{ "{\"alg\":\"none\"}", "{\"sub\":\"a\"}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":\"None\"}", "{\"sub\":\"a\"}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", "{}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":\"RS256\",\"b64\":false}", "{}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}", "{}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":\"XS256\"}", "{}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":256}", "{}", "AAAA", RC_CRYPTO },
		{ "{\"alg\":\"RS256\",\"kid\":7}", "{}", "AAAA", RC_INVALID },
		{ "[1]", "{}", "AAAA", RC_INVALID },
		{ "{\"alg\":\"RS256\"}", "[]", "AAAA", RC_INVALID },
		{ "{\"alg\":\"RS256\"}", "not json", "AAAA", RC_INVALID },
		{ "{\"alg\":\"RS256\",\"alg\":\"none\"}", "{}", "AAAA", RC_INVALID },
		{ "{\"alg\":\"RS256\"}", "{\"sub\":\"a\",\"sub\":\"b\"}", "AAAA", RC_INVALID },
		{ "{\"alg\":\"RS256\"}", "{}", "A=A", RC_INVALID },
		{ "{\"alg\":\"RS256\"}", "{}", "AAAA", RC_OK },
	};
	static const char *const shapes[] = {
		"", "a", "a.b", "a.b.c.d", "a.b.c.d.e", ".b.c", "a..c", "@@@.b.c",
	};
	struct arena *a = arena_new(65536, 0);
	struct jwt t;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *tok = tk_raw_token(rows[i].header, rows[i].claims, rows[i].sig);
		assert_int_equal(jwt_parse(a, tok, &t), rows[i].rc);
		free(tok);
	}
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		assert_int_not_equal(jwt_parse(a, shapes[i], &t), RC_OK);
	{
		char *big = malloc(JWT_MAX_LEN + 10);
		memset(big, 'A', JWT_MAX_LEN + 9);
		big[10] = '.';
		big[20] = '.';
		big[JWT_MAX_LEN + 9] = '\0';
		assert_int_equal(jwt_parse(a, big, &t), RC_INVALID);
		free(big);
	}
	assert_int_equal(jwt_parse(a, NULL, &t), RC_INVALID);
	arena_free(a);
}

/* The classic: an HS256 token whose HMAC key is the RSA public key. */
static void
test_hs256_with_public_key(void **state)
{
	struct arena *a = arena_new(65536, 0);
	json_t *jwk = tk_jwk(K.rsa, "k1", NULL);
	char *pubtext = json_dumps(jwk, JSON_COMPACT);
	char *unsigned_tok = tk_raw_token("{\"alg\":\"HS256\",\"kid\":\"k1\"}", "{\"sub\":\"mallory\"}", "");
	unsigned char mac[32];
	unsigned int maclen = 32;
	struct buf b;
	EVP_PKEY *pub = NULL;
	struct jwt t;
	char *tok;

	(void)state;
	HMAC(EVP_sha256(), pubtext, (int)strlen(pubtext), (unsigned char *)unsigned_tok,
	    strlen(unsigned_tok) - 1, mac, &maclen);
	buf_init(&b, 8192);
	buf_append(&b, unsigned_tok, strlen(unsigned_tok));
	crypto_b64url_encode(&b, mac, maclen);
	tok = buf_take(&b, NULL);
	assert_int_equal(jwt_parse(a, tok, &t), RC_OK);
	assert_int_equal(t.alg, JWT_HS256);
	assert_false(jwk_fits_alg(jwk, t.alg));
	assert_int_equal(jwk_to_pkey(jwk, &pub), RC_OK);
	assert_int_equal(jwt_verify(&t, pub), RC_CRYPTO);
	/* With the right secret (a configured client secret) it would pass. */
	assert_int_equal(jwt_verify_hmac(&t, pubtext, strlen(pubtext)), RC_OK);
	assert_int_equal(jwt_verify_hmac(&t, "other", 5), RC_CRYPTO);
	assert_int_equal(jwt_verify_hmac(&t, NULL, 0), RC_CRYPTO);
	EVP_PKEY_free(pub);
	free(tok);
	free(unsigned_tok);
	free(pubtext);
	json_decref(jwk);
	arena_free(a);
}

static void
test_jwk_import_rejects(void **state)
{
	EVP_PKEY *small = tk_generate("RSA", "1024");
	json_t *jwk;
	EVP_PKEY *k = NULL;

	(void)state;
	jwk = tk_jwk(small, "s", NULL);
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_decref(jwk);
	EVP_PKEY_free(small);
	jwk = tk_jwk(K.rsa, "k", NULL);
	json_object_set_new(jwk, "d", json_string("AAAA"));
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_decref(jwk);
	jwk = tk_jwk(K.ec256, "k", NULL);
	json_object_set_new(jwk, "crv", json_string("P-192"));
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_object_set_new(jwk, "crv", json_string("P-256"));
	json_object_set_new(jwk, "x", json_string("AAAA"));
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_decref(jwk);
	/* A point that is not on the curve. */
	jwk = tk_jwk(K.ec256, "k", NULL);
	json_object_set_new(jwk, "y", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_decref(jwk);
	jwk = json_pack("{s:s}", "kty", "oct");
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_decref(jwk);
	jwk = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", "!!", "e", "AQAB");
	assert_int_equal(jwk_to_pkey(jwk, &k), RC_INVALID);
	json_decref(jwk);
	assert_int_equal(jwk_to_pkey(NULL, &k), RC_INVALID);
	assert_null(k);
}

static void
test_ecdsa_conversions(void **state)
{
	unsigned char raw[64], back[64], *der = NULL;
	size_t derlen;

	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i + 1);
	raw[0] = 0;   /* leading zeros survive the round trip */
	raw[32] = 0;
	assert_int_equal(jwt_ecdsa_raw_to_der(raw, sizeof(raw), &der, &derlen), RC_OK);
	assert_int_equal(jwt_ecdsa_der_to_raw(der, derlen, 32, back), RC_OK);
	assert_memory_equal(raw, back, sizeof(raw));
	assert_int_equal(jwt_ecdsa_der_to_raw(der, derlen - 1, 32, back), RC_CRYPTO);
	OPENSSL_free(der);
	assert_int_equal(jwt_ecdsa_raw_to_der(raw, 63, &der, &derlen), RC_CRYPTO);
	assert_int_equal(jwt_ecdsa_raw_to_der(raw, 0, &der, &derlen), RC_CRYPTO);
}

/* ES256 signatures must be exactly 64 raw bytes: DER or short ones fail. */
static void
test_es_signature_length(void **state)
{
	struct arena *a = arena_new(65536, 0);
	char *tok = sign(a, JWT_ES256, K.ec256, "k1");
	char *cut = arena_strndup(a, tok, strlen(tok) - 4);

	(void)state;
	assert_int_not_equal(verify_with_jwk(a, cut, K.ec256), RC_OK);
	arena_free(a);
}

static void
test_alg_names(void **state)
{
	enum jwt_alg alg;

	(void)state;
	assert_true(jwt_alg_parse("ES256", &alg));
	assert_int_equal(alg, JWT_ES256);
	assert_string_equal(jwt_alg_name(JWT_PS384), "PS384");
	assert_false(jwt_alg_parse("none", &alg));
	assert_false(jwt_alg_parse("rs256", &alg));
	assert_false(jwt_alg_parse(NULL, &alg));
	assert_true((JWT_ALGS_ASYMMETRIC & JWT_ALG_BIT(JWT_EDDSA)) != 0);
	assert_true((JWT_ALGS_ASYMMETRIC & JWT_ALG_BIT(JWT_HS256)) == 0);
}

static void
test_pem(void **state)
{
	static const char bad[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	EVP_PKEY *k = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long n;

	(void)state;
	PEM_write_bio_PrivateKey(bio, K.ec256, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(bio, &pem);
	assert_int_equal(jwt_pem_private(pem, (size_t)n, &k), RC_OK);
	assert_true(EVP_PKEY_is_a(k, "EC"));
	EVP_PKEY_free(k);
	BIO_free(bio);
	assert_int_equal(jwt_pem_private(bad, sizeof(bad) - 1, &k), RC_INVALID);
	assert_null(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify_table),
		cmocka_unit_test(test_wrong_key_and_type),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_hs256_with_public_key),
		cmocka_unit_test(test_jwk_import_rejects),
		cmocka_unit_test(test_ecdsa_conversions),
		cmocka_unit_test(test_es_signature_length),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_pem),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

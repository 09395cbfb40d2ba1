/* jwt: JWS compact serialization, JWK import, sign/verify via OpenSSL EVP. */
#include "util/jwt.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "util/buf.h"
#include "util/crypto.h"

enum jwt_family { FAM_RSA, FAM_PSS, FAM_EC, FAM_OKP, FAM_HMAC };

static const struct jwt_alg_info {
	enum jwt_alg alg;
	const char *name;
	enum jwt_family family;
	const char *md;       /* digest name; NULL for EdDSA */
	const char *curve;    /* EC group / OKP curve for that alg */
	size_t ec_len;        /* bytes per r or s */
} alg_table[] = {
	{ JWT_RS256, "RS256", FAM_RSA, "SHA256", NULL, 0 },
	{ JWT_RS384, "RS384", FAM_RSA, "SHA384", NULL, 0 },
	{ JWT_RS512, "RS512", FAM_RSA, "SHA512", NULL, 0 },
	{ JWT_PS256, "PS256", FAM_PSS, "SHA256", NULL, 0 },
	{ JWT_PS384, "PS384", FAM_PSS, "SHA384", NULL, 0 },
	{ JWT_PS512, "PS512", FAM_PSS, "SHA512", NULL, 0 },
	{ JWT_ES256, "ES256", FAM_EC, "SHA256", "P-256", 32 },
	{ JWT_ES384, "ES384", FAM_EC, "SHA384", "P-384", 48 },
	{ JWT_ES512, "ES512", FAM_EC, "SHA512", "P-521", 66 },
	{ JWT_EDDSA, "EdDSA", FAM_OKP, NULL, "Ed25519", 0 },
	{ JWT_HS256, "HS256", FAM_HMAC, "SHA256", NULL, 0 },
	{ JWT_HS384, "HS384", FAM_HMAC, "SHA384", NULL, 0 },
	{ JWT_HS512, "HS512", FAM_HMAC, "SHA512", NULL, 0 },
};

/* JOSE curve names and OpenSSL group names, with coordinate sizes. */
static const struct {
	const char *crv;
	const char *group;
	size_t len;
} curves[] = {
	{ "P-256", "prime256v1", 32 },
	{ "P-384", "secp384r1", 48 },
	{ "P-521", "secp521r1", 66 },
};

static const struct jwt_alg_info *
alg_info(enum jwt_alg alg)
{
	for (size_t i = 0; i < sizeof(alg_table) / sizeof(alg_table[0]); i++)
		if (alg_table[i].alg == alg)
			return &alg_table[i];
	return NULL;
}

bool
jwt_alg_parse(const char *name, enum jwt_alg *out)
{
	for (size_t i = 0; name != NULL && i < sizeof(alg_table) / sizeof(alg_table[0]); i++) {
		if (strcmp(alg_table[i].name, name) == 0) {
			*out = alg_table[i].alg;
			return true;
		}
	}
	return false;
}

const char *
jwt_alg_name(enum jwt_alg alg)
{
	const struct jwt_alg_info *i = alg_info(alg);

	return i != NULL ? i->name : "?";
}

static void
json_release(void *p)
{
	json_decref(p);
}

/* Decodes one base64url part as a JSON object owned by the arena. */
static enum rc
decode_json_part(struct arena *a, const char *s, size_t n, json_t **out)
{
	unsigned char *raw;
	size_t len;
	json_t *j;
	enum rc rc = crypto_b64url_decode(a, s, n, &raw, &len);

	if (rc != RC_OK)
		return rc;
	j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return RC_INVALID;
	if (arena_defer(a, json_release, j) != RC_OK)
		return RC_NOMEM;
	if (!json_is_object(j))
		return RC_INVALID;
	*out = j;
	return RC_OK;
}

/* Header checks: a known alg (never "none"), no "crit", no b64=false. */
static enum rc
check_header(struct jwt *t)
{
	const json_t *alg = json_object_get(t->header, "alg");
	const json_t *kid = json_object_get(t->header, "kid");

	if (!json_is_string(alg) || !jwt_alg_parse(json_string_value(alg), &t->alg))
		return RC_CRYPTO;
	if (json_object_get(t->header, "crit") != NULL ||
	    json_object_get(t->header, "b64") != NULL ||
	    json_object_get(t->header, "enc") != NULL)
		return RC_CRYPTO;
	if (kid != NULL && !json_is_string(kid))
		return RC_INVALID;
	t->kid = kid != NULL ? json_string_value(kid) : NULL;
	return RC_OK;
}

enum rc
jwt_parse(struct arena *a, const char *token, struct jwt *out)
{
	const char *d1, *d2, *end;
	size_t len;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if (token == NULL)
		return RC_INVALID;
	len = strlen(token);
	if (len > JWT_MAX_LEN)
		return RC_INVALID;
	end = token + len;
	d1 = memchr(token, '.', len);
	d2 = d1 != NULL ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (d1 == NULL || d2 == NULL || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL)
		return RC_INVALID;
	if (d1 == token || d2 == d1 + 1)
		return RC_INVALID;
	if (d2 + 1 == end)
		return RC_CRYPTO; /* unsecured JWS: no signature at all */
	rc = decode_json_part(a, token, (size_t)(d1 - token), &out->header);
	if (rc == RC_OK)
		rc = check_header(out);
	if (rc == RC_OK)
		rc = decode_json_part(a, d1 + 1, (size_t)(d2 - d1 - 1), &out->claims);
	if (rc == RC_OK)
		rc = crypto_b64url_decode(a, d2 + 1, (size_t)(end - d2 - 1), &out->sig,
		    &out->sig_len);
	if (rc != RC_OK)
		return rc;
	out->signing_input = token;
	out->signing_input_len = (size_t)(d2 - token);
	return RC_OK;
}

/* A base64url JWK member decoded into bytes; RC_INVALID when absent/bad. */
static enum rc
jwk_bytes(struct arena *a, const json_t *jwk, const char *name,
    unsigned char **out, size_t *len)
{
	const json_t *v = json_object_get(jwk, name);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return RC_INVALID;
	return crypto_b64url_decode(a, json_string_value(v), json_string_length(v),
	    out, len) == RC_OK ? RC_OK : RC_INVALID;
}

static enum rc
pkey_fromdata(const char *type, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	enum rc rc = RC_INVALID;

	*out = NULL;
	if (ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		rc = RC_OK;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static enum rc
rsa_from_jwk(struct arena *a, const json_t *jwk, EVP_PKEY **out)
{
	unsigned char *n, *e;
	size_t nlen, elen;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	enum rc rc = RC_INVALID;

	if (jwk_bytes(a, jwk, "n", &n, &nlen) != RC_OK ||
	    jwk_bytes(a, jwk, "e", &e, &elen) != RC_OK)
		return RC_INVALID;
	if (nlen < 256 || nlen > 1024 || elen > 8 || n[0] == 0)
		return RC_INVALID; /* under 2048 bits, absurd, or not minimal */
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_bin2bn(e, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn == NULL || be == NULL || bld == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	rc = pkey_fromdata("RSA", params, out);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return rc;
}

static enum rc
ec_from_jwk(struct arena *a, const json_t *jwk, EVP_PKEY **out)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	unsigned char *x, *y, *pt;
	size_t xlen, ylen, ci;
	OSSL_PARAM params[3];

	if (crv == NULL)
		return RC_INVALID;
	for (ci = 0; ci < sizeof(curves) / sizeof(curves[0]); ci++)
		if (strcmp(curves[ci].crv, crv) == 0)
			break;
	if (ci == sizeof(curves) / sizeof(curves[0]))
		return RC_INVALID;
	if (jwk_bytes(a, jwk, "x", &x, &xlen) != RC_OK ||
	    jwk_bytes(a, jwk, "y", &y, &ylen) != RC_OK ||
	    xlen != curves[ci].len || ylen != curves[ci].len)
		return RC_INVALID;
	pt = arena_alloc(a, 1 + xlen + ylen);
	if (pt == NULL)
		return RC_NOMEM;
	pt[0] = 0x04; /* uncompressed point; OpenSSL checks it is on the curve */
	memcpy(pt + 1, x, xlen);
	memcpy(pt + 1 + xlen, y, ylen);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)curves[ci].group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt,
	    1 + xlen + ylen);
	params[2] = OSSL_PARAM_construct_end();
	return pkey_fromdata("EC", params, out);
}

static enum rc
okp_from_jwk(struct arena *a, const json_t *jwk, EVP_PKEY **out)
{
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	unsigned char *x;
	size_t xlen;
	OSSL_PARAM params[2];

	if (crv == NULL || strcmp(crv, "Ed25519") != 0 ||
	    jwk_bytes(a, jwk, "x", &x, &xlen) != RC_OK || xlen != 32)
		return RC_INVALID;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, x, xlen);
	params[1] = OSSL_PARAM_construct_end();
	return pkey_fromdata("ED25519", params, out);
}

enum rc
jwk_to_pkey(const json_t *jwk, EVP_PKEY **out)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	struct arena *a;
	enum rc rc = RC_INVALID;

	*out = NULL;
	if (!json_is_object(jwk) || kty == NULL)
		return RC_INVALID;
	/* A private member in a published key set is a provider mistake. */
	if (json_object_get(jwk, "d") != NULL)
		return RC_INVALID;
	a = arena_new(4096, 64 * 1024);
	if (a == NULL)
		return RC_NOMEM;
	if (strcmp(kty, "RSA") == 0)
		rc = rsa_from_jwk(a, jwk, out);
	else if (strcmp(kty, "EC") == 0)
		rc = ec_from_jwk(a, jwk, out);
	else if (strcmp(kty, "OKP") == 0)
		rc = okp_from_jwk(a, jwk, out);
	arena_free(a);
	return rc;
}

static bool
key_ops_allow_verify(const json_t *ops)
{
	size_t i;
	json_t *v;

	if (ops == NULL)
		return true;
	if (!json_is_array(ops))
		return false;
	json_array_foreach(ops, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), "verify") == 0)
			return true;
	return false;
}

bool
jwk_fits_alg(const json_t *jwk, enum jwt_alg alg)
{
	const struct jwt_alg_info *info = alg_info(alg);
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const json_t *use = json_object_get(jwk, "use");
	const json_t *kalg = json_object_get(jwk, "alg");

	if (info == NULL || kty == NULL)
		return false;
	if (use != NULL && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0))
		return false;
	if (kalg != NULL && (!json_is_string(kalg) || strcmp(json_string_value(kalg), info->name) != 0))
		return false;
	if (!key_ops_allow_verify(json_object_get(jwk, "key_ops")))
		return false;
	switch (info->family) {
	case FAM_RSA:
	case FAM_PSS:
		return strcmp(kty, "RSA") == 0;
	case FAM_EC:
		return strcmp(kty, "EC") == 0 && crv != NULL && strcmp(crv, info->curve) == 0;
	case FAM_OKP:
		return strcmp(kty, "OKP") == 0 && crv != NULL && strcmp(crv, info->curve) == 0;
	case FAM_HMAC:
		return false; /* never verify HS* with a published key */
	}
	return false;
}

/* True when pkey is of the kind alg needs (type and curve). */
static bool
pkey_fits(EVP_PKEY *pkey, const struct jwt_alg_info *info)
{
	char group[64];
	size_t glen = 0;

	switch (info->family) {
	case FAM_RSA:
	case FAM_PSS:
		return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= 2048;
	case FAM_EC:
		if (!EVP_PKEY_is_a(pkey, "EC") ||
		    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
		    group, sizeof(group), &glen) != 1)
			return false;
		for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
			if (strcmp(curves[i].crv, info->curve) == 0)
				return strcmp(curves[i].group, group) == 0;
		return false;
	case FAM_OKP:
		return EVP_PKEY_is_a(pkey, "ED25519");
	case FAM_HMAC:
		return false;
	}
	return false;
}

static enum rc
set_pss(EVP_PKEY_CTX *pctx, const struct jwt_alg_info *info)
{
	if (info->family != FAM_PSS)
		return RC_OK;
	/* RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash. */
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
		return RC_CRYPTO;
	return RC_OK;
}

enum rc
jwt_verify(const struct jwt *t, EVP_PKEY *pkey)
{
	const struct jwt_alg_info *info = alg_info(t->alg);
	const unsigned char *sig = t->sig;
	size_t siglen = t->sig_len;
	unsigned char *der = NULL;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	enum rc rc = RC_CRYPTO;

	if (info == NULL || pkey == NULL || !pkey_fits(pkey, info))
		return RC_CRYPTO;
	if (info->family == FAM_EC) {
		if (t->sig_len != 2 * info->ec_len ||
		    jwt_ecdsa_raw_to_der(t->sig, t->sig_len, &der, &siglen) != RC_OK)
			return RC_CRYPTO;
		sig = der;
	}
	md = EVP_MD_CTX_new();
	if (md == NULL ||
	    EVP_DigestVerifyInit_ex(md, &pctx, info->md, NULL, NULL, pkey, NULL) != 1 ||
	    set_pss(pctx, info) != RC_OK)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, (const unsigned char *)t->signing_input,
	    t->signing_input_len) == 1)
		rc = RC_OK;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return rc;
}

enum rc
jwt_verify_hmac(const struct jwt *t, const void *key, size_t keylen)
{
	const struct jwt_alg_info *info = alg_info(t->alg);
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;

	if (info == NULL || info->family != FAM_HMAC || key == NULL || keylen == 0)
		return RC_CRYPTO;
	if (EVP_Q_mac(NULL, "HMAC", NULL, info->md, NULL, key, keylen,
	    (const unsigned char *)t->signing_input, t->signing_input_len,
	    mac, sizeof(mac), &maclen) == NULL)
		return RC_CRYPTO;
	return crypto_equal(mac, maclen, t->sig, t->sig_len) ? RC_OK : RC_CRYPTO;
}

enum rc
jwt_ecdsa_raw_to_der(const unsigned char *raw, size_t rawlen,
    unsigned char **der, size_t *derlen)
{
	ECDSA_SIG *s = NULL;
	BIGNUM *r, *sv;
	unsigned char *p = NULL;
	int len;

	*der = NULL;
	if (rawlen == 0 || rawlen % 2 != 0 || rawlen > 2 * 66)
		return RC_CRYPTO;
	r = BN_bin2bn(raw, (int)(rawlen / 2), NULL);
	sv = BN_bin2bn(raw + rawlen / 2, (int)(rawlen / 2), NULL);
	s = ECDSA_SIG_new();
	if (r == NULL || sv == NULL || s == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(s);
		return RC_CRYPTO;
	}
	len = i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	if (len <= 0)
		return RC_CRYPTO;
	*der = p;
	*derlen = (size_t)len;
	return RC_OK;
}

enum rc
jwt_ecdsa_der_to_raw(const unsigned char *der, size_t derlen, size_t n,
    unsigned char *raw)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	const BIGNUM *r, *sv;
	enum rc rc = RC_CRYPTO;

	if (s == NULL)
		return RC_CRYPTO;
	ECDSA_SIG_get0(s, &r, &sv);
	if (p == der + derlen && BN_bn2binpad(r, raw, (int)n) == (int)n &&
	    BN_bn2binpad(sv, raw + n, (int)n) == (int)n)
		rc = RC_OK;
	ECDSA_SIG_free(s);
	return rc;
}

/* Appends base64url(compact JSON of j). */
static enum rc
append_json_b64(struct buf *b, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	enum rc rc;

	if (text == NULL)
		return RC_NOMEM;
	rc = crypto_b64url_encode(b, text, strlen(text));
	free(text);
	return rc;
}

/* Signs b's contents and appends ".sig"; ES signatures become raw r||s. */
static enum rc
sign_append(struct buf *b, const struct jwt_alg_info *info, EVP_PKEY *pkey)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL, raw[2 * 66];
	size_t siglen = 0;
	enum rc rc = RC_CRYPTO;

	if (md == NULL ||
	    EVP_DigestSignInit_ex(md, &pctx, info->md, NULL, NULL, pkey, NULL) != 1 ||
	    set_pss(pctx, info) != RC_OK ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)b->data, b->len) != 1 ||
	    (sig = OPENSSL_malloc(siglen)) == NULL ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)b->data, b->len) != 1)
		goto out;
	rc = buf_appendc(b, '.');
	if (rc == RC_OK && info->family == FAM_EC) {
		rc = jwt_ecdsa_der_to_raw(sig, siglen, info->ec_len, raw);
		if (rc == RC_OK)
			rc = crypto_b64url_encode(b, raw, 2 * info->ec_len);
	} else if (rc == RC_OK) {
		rc = crypto_b64url_encode(b, sig, siglen);
	}
out:
	OPENSSL_free(sig);
	EVP_MD_CTX_free(md);
	return rc;
}

enum rc
jwt_sign(struct arena *a, enum jwt_alg alg, EVP_PKEY *pkey, json_t *header,
    json_t *claims, char **out)
{
	const struct jwt_alg_info *info = alg_info(alg);
	struct buf b;
	enum rc rc;

	if (info == NULL || info->family == FAM_HMAC || !pkey_fits(pkey, info))
		return RC_CRYPTO;
	if (json_object_set_new(header, "alg", json_string(info->name)) != 0)
		return RC_NOMEM;
	buf_init(&b, JWT_MAX_LEN);
	rc = append_json_b64(&b, header);
	if (rc == RC_OK)
		rc = buf_appendc(&b, '.');
	if (rc == RC_OK)
		rc = append_json_b64(&b, claims);
	if (rc == RC_OK)
		rc = sign_append(&b, info, pkey);
	if (rc == RC_OK) {
		*out = arena_strndup(a, b.data, b.len);
		if (*out == NULL)
			rc = RC_NOMEM;
	}
	buf_fini(&b);
	return rc;
}

enum rc
jwt_pem_private(const char *pem, size_t len, EVP_PKEY **out)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);

	*out = NULL;
	if (bio == NULL)
		return RC_NOMEM;
	*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return *out != NULL ? RC_OK : RC_INVALID;
}

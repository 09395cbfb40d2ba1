/* crypto: thin wrappers over OpenSSL 3 EVP and getrandom(2). */
#include "util/crypto.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

enum rc
crypto_random(void *p, size_t n)
{
	unsigned char *d = p;

	while (n > 0) {
		ssize_t got = getrandom(d, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return RC_CRYPTO;
		}
		d += got;
		n -= (size_t)got;
	}
	return RC_OK;
}

#define KEY_RUN_MAX 5

/* How many distinct values a[0..n) holds. */
static size_t
distinct_bytes(const unsigned char *a, size_t n)
{
	bool seen[256] = { false };
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		count += !seen[a[i]];
		seen[a[i]] = true;
	}
	return count;
}

bool
crypto_key_plausible(const unsigned char *p, size_t n, const char **why)
{
	unsigned char steps[256];
	size_t run = 1, want, nsteps = 0;

	*why = "is empty";
	if (n == 0)
		return false;
	want = n / 2 < 128 ? n / 2 : 128;
	*why = "has only a few distinct byte values";
	if (distinct_bytes(p, n) < want)
		return false;
	for (size_t i = 1; i < n; i++) {
		run = p[i] == p[i - 1] ? run + 1 : 1;
		*why = "repeats one byte value many times in a row";
		if (run > KEY_RUN_MAX)
			return false;
	}
	/* The steps of a counter or a repeated pattern take few values; only
	 * the first 256 are looked at, plenty to tell. */
	for (size_t i = 1; i < n && nsteps < sizeof(steps); i++)
		steps[nsteps++] = (unsigned char)(p[i] - p[i - 1]);
	want = nsteps / 2 < 128 ? nsteps / 2 : 128;
	*why = "follows a simple pattern (a counter or a repeated sequence)";
	if (distinct_bytes(steps, nsteps) < want)
		return false;
	*why = NULL;
	return true;
}

bool
crypto_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

/* SHA-256 fetched once per process: EVP_sha256() makes every EVP_Digest
 * call fetch the implementation again (a locked method-store lookup in
 * OpenSSL 3), which is most of the cost of hashing a short item id. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
crypto_sha256(const void *p, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int len = CRYPTO_SHA256_LEN;

	pthread_once(&sha256_once, sha256_fetch);
	EVP_Digest(p, n, out, &len,
	    sha256_md != NULL ? sha256_md : EVP_sha256(), NULL);
}

enum rc
crypto_hmac_sha256(const void *key, size_t keylen, const void *p, size_t n,
    unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int len = CRYPTO_SHA256_LEN;

	if (HMAC(EVP_sha256(), key, (int)keylen, p, n, out, &len) == NULL)
		return RC_CRYPTO;
	return RC_OK;
}

struct crypto_hmac {
	EVP_MAC_CTX *ctx;       /* keyed; re-initialised with the same key */
};

enum rc
crypto_hmac_new(const void *key, size_t keylen, struct crypto_hmac **out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	struct crypto_hmac *h = calloc(1, sizeof(*h));
	OSSL_PARAM params[2];
	enum rc rc = RC_CRYPTO;

	*out = NULL;
	if (h == NULL) {
		rc = RC_NOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (mac != NULL && (h->ctx = EVP_MAC_CTX_new(mac)) != NULL &&
	    EVP_MAC_init(h->ctx, key, keylen, params) == 1) {
		*out = h;
		h = NULL;
		rc = RC_OK;
	}
out:
	crypto_hmac_free(h);
	EVP_MAC_free(mac);
	return rc;
}

void
crypto_hmac_free(struct crypto_hmac *h)
{
	if (h == NULL)
		return;
	EVP_MAC_CTX_free(h->ctx);
	free(h);
}

enum rc
crypto_hmac_parts(struct crypto_hmac *h, const void *const *parts,
    const size_t *lens, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
	size_t len = 0;

	/* No key: HMAC starts again from the key it was given. */
	if (EVP_MAC_init(h->ctx, NULL, 0, NULL) != 1)
		return RC_CRYPTO;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > 0 && EVP_MAC_update(h->ctx, parts[i], lens[i]) != 1)
			return RC_CRYPTO;
	}
	if (EVP_MAC_final(h->ctx, out, &len, CRYPTO_SHA256_LEN) != 1 ||
	    len != CRYPTO_SHA256_LEN)
		return RC_CRYPTO;
	return RC_OK;
}

enum rc
crypto_hkdf(const void *ikm, size_t ikmlen, const char *info,
    unsigned char *out, size_t outlen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[4];
	enum rc rc = RC_CRYPTO;

	if (ctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, strlen(info));
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		rc = RC_OK;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

enum rc
crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *aad,
    size_t aadlen, const void *p, size_t n, struct buf *out)
{
	unsigned char iv[CRYPTO_GCM_IV_LEN], tag[CRYPTO_GCM_TAG_LEN];
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *ct;
	enum rc rc;
	int len;

	if (n > (size_t)INT32_MAX || aadlen > (size_t)INT32_MAX)
		return RC_LIMIT;
	rc = crypto_random(iv, sizeof(iv));
	if (rc == RC_OK)
		rc = buf_append(out, iv, sizeof(iv));
	if (rc == RC_OK)
		rc = buf_append(out, p, n); /* reserve room; overwritten below */
	if (rc != RC_OK)
		return rc;
	ct = (unsigned char *)out->data + out->len - n;
	rc = RC_CRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &len, p, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(ctx, ct + len, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof(tag), tag) != 1)
		goto out;
	rc = buf_append(out, tag, sizeof(tag));
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

enum rc
crypto_open(struct arena *a, const unsigned char key[CRYPTO_KEY_LEN],
    const void *aad, size_t aadlen, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen)
{
	const size_t overhead = CRYPTO_GCM_IV_LEN + CRYPTO_GCM_TAG_LEN;
	EVP_CIPHER_CTX *ctx;
	unsigned char *pt;
	size_t n;
	int len, fin;
	enum rc rc = RC_CRYPTO;

	if (inlen < overhead || inlen - overhead > (size_t)INT32_MAX)
		return RC_CRYPTO;
	n = inlen - overhead;
	pt = arena_alloc(a, n + 1);
	if (pt == NULL)
		return RC_NOMEM;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1 ||
	    EVP_DecryptUpdate(ctx, pt, &len, in + CRYPTO_GCM_IV_LEN, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_GCM_TAG_LEN,
		(void *)(in + inlen - CRYPTO_GCM_TAG_LEN)) != 1)
		goto out;
	fin = EVP_DecryptFinal_ex(ctx, pt + len, &len);
	if (fin != 1)
		goto out;
	pt[n] = '\0';
	*out = pt;
	*outlen = n;
	rc = RC_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

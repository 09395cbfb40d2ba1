/* keys: AES-256-GCM keys derived from the session secrets, found by key id. */
#include "oauth/oauth_int.h"

#include <string.h>

#include <openssl/crypto.h>

#include "util/buf.h"
#include "util/crypto.h"

#define SEALED_MAX 8192

/*
 * Derives a key for `info` from one secret and appends it. A secret that
 * is base64url of 32+ bytes (`socialhub keygen`) is used decoded; anything
 * else is used as text. The key id is a short hash of the key, so a cookie
 * names the key that sealed it without revealing anything useful.
 */
enum rc
keyring_add(struct keyring *ring, const char *secret, const char *info)
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	unsigned char *ikm = (unsigned char *)secret;
	size_t ikmlen = strlen(secret);
	struct arena *a;
	struct buf b;
	enum rc rc;

	if (ring->n == OAUTH_KEYS_MAX)
		return RC_LIMIT;
	a = arena_new(256, 0);
	if (a == NULL)
		return RC_NOMEM;
	if (crypto_b64url_decode(a, secret, ikmlen, &ikm, &ikmlen) != RC_OK ||
	    ikmlen < CRYPTO_KEY_LEN) {
		ikm = (unsigned char *)secret;
		ikmlen = strlen(secret);
	}
	rc = crypto_hkdf(ikm, ikmlen, info, ring->keys[ring->n], CRYPTO_KEY_LEN);
	if (ikm != (unsigned char *)secret)
		OPENSSL_cleanse(ikm, ikmlen);
	arena_free(a);
	if (rc != RC_OK)
		return rc;
	crypto_sha256(ring->keys[ring->n], CRYPTO_KEY_LEN, sum);
	buf_init(&b, 64);
	rc = crypto_b64url_encode(&b, sum, sizeof(sum));
	if (rc == RC_OK) {
		memcpy(ring->kids[ring->n], b.data, OAUTH_KID_LEN);
		ring->kids[ring->n][OAUTH_KID_LEN] = '\0';
		ring->n++;
	}
	buf_fini(&b);
	return rc;
}

void
keyring_wipe(struct keyring *ring)
{
	OPENSSL_cleanse(ring, sizeof(*ring));
}

static enum rc
full_aad(struct buf *b, const char *aad, const char *kid)
{
	return buf_appendf(b, "%s|%s", aad, kid);
}

enum rc
keyring_seal(const struct keyring *ring, const char *aad, const char *plain,
    struct buf *out)
{
	struct buf ad, sealed;
	enum rc rc;

	if (ring->n == 0)
		return RC_CONFIG;
	buf_init(&ad, 512);
	buf_init(&sealed, SEALED_MAX);
	rc = full_aad(&ad, aad, ring->kids[0]);
	if (rc == RC_OK)
		rc = crypto_seal(ring->keys[0], ad.data, ad.len, plain, strlen(plain), &sealed);
	if (rc == RC_OK)
		rc = buf_appendf(out, "%s.", ring->kids[0]);
	if (rc == RC_OK)
		rc = crypto_b64url_encode(out, sealed.data, sealed.len);
	buf_fini(&ad);
	buf_fini(&sealed);
	return rc;
}

/*
 * Opens "kid.b64url(iv||ct||tag)" with the key named by kid. RC_CRYPTO for
 * anything wrong: unknown kid, bad encoding, failed tag, oversize input.
 */
enum rc
keyring_open(const struct keyring *ring, struct arena *a, const char *aad,
    const char *sealed, char **plain)
{
	const char *dot;
	unsigned char *raw, *pt;
	size_t rawlen, ptlen, i;
	struct buf ad;
	enum rc rc;

	if (sealed == NULL || strlen(sealed) > SEALED_MAX)
		return RC_CRYPTO;
	dot = strchr(sealed, '.');
	if (dot == NULL || (size_t)(dot - sealed) != OAUTH_KID_LEN)
		return RC_CRYPTO;
	for (i = 0; i < ring->n; i++)
		if (memcmp(ring->kids[i], sealed, OAUTH_KID_LEN) == 0)
			break;
	if (i == ring->n)
		return RC_CRYPTO;
	if (crypto_b64url_decode(a, dot + 1, strlen(dot + 1), &raw, &rawlen) != RC_OK)
		return RC_CRYPTO;
	buf_init(&ad, 512);
	rc = full_aad(&ad, aad, ring->kids[i]);
	if (rc == RC_OK)
		rc = crypto_open(a, ring->keys[i], ad.data, ad.len, raw, rawlen, &pt, &ptlen);
	buf_fini(&ad);
	if (rc != RC_OK)
		return rc == RC_NOMEM ? RC_NOMEM : RC_CRYPTO;
	if (memchr(pt, '\0', ptlen) != NULL)
		return RC_CRYPTO;
	*plain = (char *)pt;
	return RC_OK;
}

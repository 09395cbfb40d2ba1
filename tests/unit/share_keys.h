/* share_keys: share_visitor_keys under a salt, for the share tests (a
 * worker keys its MAC once, crypto_hmac_new; a test, per call). */
#ifndef SOCIALHUB_TESTS_SHARE_KEYS_H
#define SOCIALHUB_TESTS_SHARE_KEYS_H

#include "util/crypto.h"
#include "widgets/share/share_store.h"

static inline enum rc
salted_visitor_keys(const unsigned char *salt, size_t saltlen, long day,
    const char *net, const char *key, const char *network,
    struct share_visitor *out)
{
	struct crypto_hmac *mac;
	enum rc rc = crypto_hmac_new(salt, saltlen, &mac);

	if (rc == RC_OK)
		rc = share_visitor_keys(mac, day, net, key, network, out);
	crypto_hmac_free(mac);
	return rc;
}

#endif

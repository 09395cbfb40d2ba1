/* fuzz_jwt: compact JWS parsing, JWK import and ID token claim rules on
 * hostile input. Asserts the invariants the verifier relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oauth/oauth_int.h"
#include "util/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(4096, 1 << 22);
	char *s = malloc(size + 1);
	struct idtoken_expect x = { .issuer = "https://id.example.com",
		.client_id = "rp", .nonce = "n", .now = 1700000000 };
	const char *why;
	EVP_PKEY *k = NULL;
	struct jwt t;
	json_t *j;

	memcpy(s, data, size);
	s[size] = '\0';
	if (jwt_parse(a, s, &t) == RC_OK) {
		/* Parsed: a known alg (never none), objects, a signing input that
		 * is a prefix of the token. */
		if (t.alg < JWT_RS256 || t.alg >= JWT_ALG__END || !json_is_object(t.header) ||
		    !json_is_object(t.claims) || t.signing_input != s ||
		    t.signing_input_len >= strlen(s))
			abort();
		(void)idtoken_claims(t.claims, t.alg, &x, &why);
	}
	j = json_loadb((const char *)data, size, 0, NULL);
	if (j != NULL) {
		if (jwk_to_pkey(j, &k) == RC_OK && k == NULL)
			abort();
		EVP_PKEY_free(k);
		for (enum jwt_alg alg = JWT_RS256; alg < JWT_ALG__END; alg++)
			(void)jwk_fits_alg(j, alg);
		if (idtoken_claims(j, JWT_RS256, &x, &why) == RC_OK &&
		    strcmp(json_string_value(json_object_get(j, "nonce")), "n") != 0)
			abort(); /* accepted claims carry our nonce */
		json_decref(j);
	}
	free(s);
	arena_free(a);
	return 0;
}

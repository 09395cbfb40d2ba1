/* test_oauth_idtoken: ID token claim rules as a table, signature and JWKS
 * handling (alg allow-list, none, HS256-with-public-key, unknown kid flood). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/hmac.h>
#include <utime.h>

#include "oauth_testlib.h"
#include "keys_testlib.h"

#define ISS "https://id.example.com"
#define HS_SECRET "a-client-secret-of-at-least-32-bytes"
#define JWKS_URL "https://id.example.com/jwks"
#define CONF "session { secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\" }\n" \
	"provider demo { issuer = \"" ISS "\" client_id = \"rp\" client_secret = \"client-secret\"\n" \
	"  authorization_endpoint = \"https://id.example.com/auth\" token_endpoint = \"https://id.example.com/token\"\n" \
	"  jwks_uri = \"" JWKS_URL "\" algs = {\"RS256\", \"ES256\"} trusted_audiences = {\"api.example.com\"} }\n" \
	"provider hs { issuer = \"" ISS "\" client_id = \"rp\" client_secret = \"" HS_SECRET "\"\n" \
	"  authorization_endpoint = \"https://id.example.com/auth\" token_endpoint = \"https://id.example.com/token\"\n" \
	"  jwks_uri = \"" JWKS_URL "\" algs = {\"HS256\"} }\n"

static struct tl_env env;
static EVP_PKEY *rsa, *ec, *rsa2;
static const long long NOW = 1700000000;

static int
setup(void **state)
{
	(void)state;
	memset(&env, 0, sizeof(env));
	rsa = tk_generate("RSA", "2048");
	rsa2 = tk_generate("RSA", "2048");
	ec = tk_generate("EC", "P-256");
	tl_clock = NOW;
	return tl_load(&env, CONF) == RC_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	tl_unload(&env);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa2);
	EVP_PKEY_free(ec);
	tl_routes_clear();
	return 0;
}

static json_t *
base_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", ISS, "sub", "alice",
	    "aud", "rp", "iat", (json_int_t)NOW - 5, "exp", (json_int_t)NOW + 300, "nonce", "n-123");
}

static const struct idtoken_expect base_expect = {
	.issuer = ISS, .client_id = "rp", .nonce = "n-123", .now = 1700000000,
};

static char *trusted[] = { "api.example.com" };

struct claim_row {
	const char *name;
	const char *set;      /* JSON object merged into the base claims */
	const char *del;      /* a claim to remove */
	bool ok;
};

static void
test_claims_table(void **state)
{
	static const struct claim_row rows[] = {
		{ "valid", NULL, NULL, true },
		{ "wrong iss", "{\"iss\":\"https://evil.example.com\"}", NULL, false },
		{ "iss with trailing slash", "{\"iss\":\"https://id.example.com/\"}", NULL, false },
		{ "iss missing", NULL, "iss", false },
		{ "iss not a string", "{\"iss\":1}", NULL, false },
		{ "wrong aud", "{\"aud\":\"someone-else\"}", NULL, false },
		{ "aud missing", NULL, "aud", false },
		{ "aud array ours", "{\"aud\":[\"rp\"]}", NULL, true },
		{ "aud extra untrusted, no azp", "{\"aud\":[\"rp\",\"evil\"]}", NULL, false },
		{ "aud extra untrusted, azp ours", "{\"aud\":[\"rp\",\"evil\"],\"azp\":\"rp\"}", NULL, false },
		{ "aud extra trusted, no azp", "{\"aud\":[\"rp\",\"api.example.com\"]}", NULL, false },
		{ "aud extra trusted, azp ours", "{\"aud\":[\"rp\",\"api.example.com\"],\"azp\":\"rp\"}", NULL, true },
		{ "aud array without us", "{\"aud\":[\"api.example.com\"],\"azp\":\"rp\"}", NULL, false },
		{ "aud with a number", "{\"aud\":[\"rp\",7],\"azp\":\"rp\"}", NULL, false },
		{ "azp someone else", "{\"azp\":\"evil\"}", NULL, false },
		{ "azp ours", "{\"azp\":\"rp\"}", NULL, true },
		{ "expired", "{\"exp\":1699999000}", NULL, false },
		{ "expired within skew", "{\"exp\":1699999950}", NULL, true },
		{ "expired just past skew", "{\"exp\":1699999940}", NULL, false },
		{ "exp missing", NULL, "exp", false },
		{ "exp string", "{\"exp\":\"1700000300\"}", NULL, false },
		{ "exp negative", "{\"exp\":-5}", NULL, false },
		{ "exp absurd", "{\"exp\":1e300}", NULL, false },
		{ "exp real", "{\"exp\":1700000300.5}", NULL, true },
		{ "iat far in the future", "{\"iat\":1700086400}", NULL, false },
		{ "iat in the future within skew", "{\"iat\":1700000050}", NULL, true },
		{ "iat just past skew", "{\"iat\":1700000061}", NULL, false },
		{ "iat two days old", "{\"iat\":1699827200}", NULL, false },
		{ "iat missing", NULL, "iat", false },
		{ "nbf future", "{\"nbf\":1700000100}", NULL, false },
		{ "nbf within skew", "{\"nbf\":1700000030}", NULL, true },
		{ "nbf not a number", "{\"nbf\":\"x\"}", NULL, false },
		{ "nonce missing", NULL, "nonce", false },
		{ "nonce wrong", "{\"nonce\":\"n-124\"}", NULL, false },
		{ "nonce prefix", "{\"nonce\":\"n-12\"}", NULL, false },
		{ "nonce not a string", "{\"nonce\":123}", NULL, false },
		{ "sub missing", NULL, "sub", false },
		{ "sub empty", "{\"sub\":\"\"}", NULL, false },
		{ "sub number", "{\"sub\":42}", NULL, false },
	};
	struct idtoken_expect x = base_expect;

	(void)state;
	x.trusted_audiences = trusted;
	x.ntrusted_audiences = 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *c = base_claims();
		const char *why = NULL;
		enum rc rc;
		if (rows[i].set != NULL) {
			json_t *patch = json_loads(rows[i].set, JSON_DECODE_ANY, NULL);
			assert_non_null(patch);
			json_object_update(c, patch);
			json_decref(patch);
		}
		if (rows[i].del != NULL)
			json_object_del(c, rows[i].del);
		rc = idtoken_claims(c, JWT_RS256, &x, &why);
		if ((rc == RC_OK) != rows[i].ok)
			fail_msg("row \"%s\": got %s (%s)", rows[i].name, rc_str(rc), why ? why : "");
		if (!rows[i].ok)
			assert_non_null(why);
		json_decref(c);
	}
}

/* A nonce is only required when one was sent (LinkedIn sends none). */
static void
test_claims_no_nonce_sent(void **state)
{
	struct idtoken_expect x = base_expect;
	json_t *c = base_claims();
	const char *why;

	(void)state;
	x.nonce = NULL;
	json_object_del(c, "nonce");
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	json_decref(c);
}

static void
test_google_issuers(void **state)
{
	struct idtoken_expect x = { .issuer = "https://accounts.google.com",
		.alt_issuer = "accounts.google.com", .client_id = "rp", .now = NOW };
	json_t *c = base_claims();
	const char *why;

	(void)state;
	json_object_del(c, "nonce");
	json_object_set_new(c, "iss", json_string("accounts.google.com"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	json_object_set_new(c, "iss", json_string("https://accounts.google.com"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	json_object_set_new(c, "iss", json_string("http://accounts.google.com"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	json_decref(c);
}

static void
test_microsoft_tenants(void **state)
{
	static char *only[] = { "11111111-2222-3333-4444-555555555555" };
	static char *orgs[] = { "organizations" };
	static char *consumers[] = { "consumers" };
	struct idtoken_expect x = { .issuer = "https://login.microsoftonline.com/{tenantid}/v2.0",
		.client_id = "rp", .now = NOW };
	const char *t1 = "11111111-2222-3333-4444-555555555555";
	const char *personal = "9188040d-6c67-4c5b-b112-36a304b66dad";
	json_t *c = base_claims();
	const char *why;

	(void)state;
	json_object_del(c, "nonce");
	json_object_set_new(c, "tid", json_string(t1));
	json_object_set_new(c, "iss", json_string("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	x.tenants = only;
	x.ntenants = 1;
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	/* iss of one tenant, tid of another. */
	json_object_set_new(c, "tid", json_string("99999999-2222-3333-4444-555555555555"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	x.tenants = NULL;
	x.ntenants = 0;
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	/* tid missing, or not a tenant id. */
	json_object_del(c, "tid");
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	json_object_set_new(c, "tid", json_string("evil.com/x"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	/* organizations: any work tenant, never personal accounts; consumers: the reverse. */
	json_object_set_new(c, "tid", json_string(personal));
	json_object_set_new(c, "iss", json_string("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"));
	x.tenants = orgs;
	x.ntenants = 1;
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	x.tenants = consumers;
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	/* The template must be filled exactly: no extra path. */
	json_object_set_new(c, "iss", json_string("https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0/x"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	json_decref(c);
}

static void
test_at_hash(void **state)
{
	/* OIDC Core A.3: access token and its RS256 at_hash. */
	struct idtoken_expect x = base_expect;
	json_t *c = base_claims();
	const char *why;

	(void)state;
	x.access_token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
	json_object_set_new(c, "at_hash", json_string("77QmUPtjPfzWtF2AnpK9RQ"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_OK);
	json_object_set_new(c, "at_hash", json_string("77QmUPtjPfzWtF2AnpK9RR"));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	json_object_set_new(c, "at_hash", json_integer(1));
	assert_int_equal(idtoken_claims(c, JWT_RS256, &x, &why), RC_CRYPTO);
	json_decref(c);
}

/* ---- signatures and the JWKS */

static void
publish(EVP_PKEY *const *keys, const char *const *kids, size_t n)
{
	json_t *set = json_object(), *arr = json_array();
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, tk_jwk(keys[i], kids[i], NULL));
	json_object_set_new(set, "keys", arr);
	text = json_dumps(set, JSON_COMPACT);
	tl_route_set(JWKS_URL, 200, "application/json", text);
	free(text);
	json_decref(set);
}

static char *
token(struct arena *a, enum jwt_alg alg, EVP_PKEY *k, const char *kid, json_t *claims)
{
	json_t *h = kid != NULL ? json_pack("{s:s}", "kid", kid) : json_object();
	char *t = NULL;

	if (claims == NULL)
		claims = base_claims();
	else
		json_incref(claims);
	assert_int_equal(jwt_sign(a, alg, k, h, claims, &t), RC_OK);
	json_decref(h);
	json_decref(claims);
	return t;
}

static enum rc
verify(struct arena *a, const char *provider, const char *tok, const char **why)
{
	struct provider *p = oauth_provider_find(env.ctx, provider);
	const struct provider_meta *m;
	struct idtoken_expect x = base_expect;
	json_t *claims;

	x.now = tl_clock;
	assert_int_equal(discovery_meta(env.ctx, a, p, NULL, &m), RC_OK);
	*why = NULL;
	return idtoken_verify(env.ctx, a, p, m, tok, &x, &claims, why);
}

static void
fresh_provider_cache(void)
{
	for (size_t i = 0; i < env.ctx->nproviders; i++) {
		json_decref(env.ctx->providers[i].cache.jwks);
		env.ctx->providers[i].cache.jwks = NULL;
		env.ctx->providers[i].cache.jwks_fetched = 0;
		env.ctx->providers[i].cache.jwks_retry_at = 0;
	}
}

static void
test_signature_paths(void **state)
{
	EVP_PKEY *keys[] = { rsa, ec };
	const char *kids[] = { "r1", "e1" };
	struct arena *a = arena_new(1 << 20, 0);
	const char *why;

	(void)state;
	tl_clock = NOW;
	fresh_provider_cache();
	publish(keys, kids, 2);
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_OK);
	assert_int_equal(verify(a, "demo", token(a, JWT_ES256, ec, "e1", NULL), &why), RC_OK);
	/* No kid: every fitting key is tried. */
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, NULL, NULL), &why), RC_OK);
	/* Signed by a key the provider does not publish, under a published kid. */
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa2, "r1", NULL), &why), RC_CRYPTO);
	assert_string_equal(why, "ID token signature invalid");
	/* PS256 is a fine algorithm, but not on this provider's allow-list. */
	assert_int_equal(verify(a, "demo", token(a, JWT_PS256, rsa, "r1", NULL), &why), RC_CRYPTO);
	assert_string_equal(why, "ID token algorithm not on the provider's allow-list");
	/* kid of the EC key on an RS256 token: kty mismatch, no key fits. */
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "e1", NULL), &why), RC_CRYPTO);
	/* typ other than JWT (an access token or logout token) is refused. */
	{
		json_t *h = json_pack("{s:s, s:s}", "kid", "r1", "typ", "at+jwt"), *c = base_claims();
		char *t;
		assert_int_equal(jwt_sign(a, JWT_RS256, rsa, h, c, &t), RC_OK);
		assert_int_equal(verify(a, "demo", t, &why), RC_CRYPTO);
		assert_string_equal(why, "ID token typ is not JWT");
		json_decref(h);
		json_decref(c);
	}
	/* Good signature, bad claims: claims are still checked. */
	{
		json_t *c = base_claims();
		json_object_set_new(c, "nonce", json_string("replayed"));
		assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", c), &why), RC_CRYPTO);
		assert_string_equal(why, "ID token nonce mismatch");
		json_decref(c);
	}
	arena_free(a);
}

static char *
claims_text(void)
{
	json_t *c = base_claims();
	char *text = json_dumps(c, JSON_COMPACT);

	json_decref(c);
	return text;
}

static char *
hs256_token(struct arena *a, const void *key, size_t keylen)
{
	char *claims = claims_text();
	char *head = tk_raw_token("{\"alg\":\"HS256\",\"kid\":\"r1\"}", claims, "");
	unsigned char mac[32];
	unsigned int maclen = 32;
	struct buf b;
	char *t;

	HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)head, strlen(head) - 1, mac, &maclen);
	buf_init(&b, 16384);
	buf_appends(&b, head);
	crypto_b64url_encode(&b, mac, maclen);
	t = arena_strdup(a, buf_cstr(&b));
	buf_fini(&b);
	free(head);
	free(claims);
	return t;
}

static void
test_none_and_hmac(void **state)
{
	EVP_PKEY *keys[] = { rsa };
	const char *kids[] = { "r1" };
	struct arena *a = arena_new(1 << 20, 0);
	char *claims = claims_text();
	char *none = tk_raw_token("{\"alg\":\"none\"}", claims, "");
	json_t *jwk = tk_jwk(rsa, "r1", NULL);
	char *pub = json_dumps(jwk, JSON_COMPACT);
	const char *why;

	(void)state;
	fresh_provider_cache();
	publish(keys, kids, 1);
	assert_int_equal(verify(a, "demo", none, &why), RC_CRYPTO);
	assert_int_equal(verify(a, "hs", none, &why), RC_CRYPTO);
	/* HS256 keyed with the provider's public key: HS256 is not allowed here. */
	assert_int_equal(verify(a, "demo", hs256_token(a, pub, strlen(pub)), &why), RC_CRYPTO);
	/* Where HS256 is configured, only the client secret is the key. */
	assert_int_equal(verify(a, "hs", hs256_token(a, pub, strlen(pub)), &why), RC_CRYPTO);
	assert_int_equal(verify(a, "hs", hs256_token(a, HS_SECRET, strlen(HS_SECRET)), &why), RC_OK);
	/* And an RS256 token is not accepted by the HS256-only provider. */
	assert_int_equal(verify(a, "hs", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_CRYPTO);
	free(claims);
	free(none);
	free(pub);
	json_decref(jwk);
	arena_free(a);
}

/* Made-up kids never turn into a flood of JWKS fetches. */
static void
test_unknown_kid_rate_limit(void **state)
{
	EVP_PKEY *keys[] = { rsa, rsa2 };
	const char *kids[] = { "r1", "r2" };
	struct arena *a = arena_new(1 << 20, 0);
	char stamp[512];
	const char *why;
	int base;

	(void)state;
	fresh_provider_cache();
	snprintf(stamp, sizeof(stamp), "%s/jwks-demo.stamp", env.ctx->oauth_dir);
	unlink(stamp);
	tl_clock = NOW;
	publish(keys, kids, 1);
	base = tl_hits(JWKS_URL);
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_OK);
	assert_int_equal(tl_hits(JWKS_URL), base + 1);
	/* The first fetch is younger than a minute: no forced fetch at all. */
	for (int i = 0; i < 50; i++) {
		char kid[16];
		snprintf(kid, sizeof(kid), "made-up-%d", i);
		assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, kid, NULL), &why), RC_CRYPTO);
	}
	assert_int_equal(tl_hits(JWKS_URL), base + 1);
	/* Later, the provider rotates to r2: one forced fetch finds it. */
	tl_clock = NOW + 120;
	publish(keys, kids, 2);
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa2, "r2", NULL), &why), RC_OK);
	assert_int_equal(tl_hits(JWKS_URL), base + 2);
	/* A flood right after: at most that one fetch a minute. */
	for (int i = 0; i < 50; i++) {
		char kid[16];
		snprintf(kid, sizeof(kid), "flood-%d", i);
		tl_clock = NOW + 121 + i / 10;
		assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, kid, NULL), &why), RC_CRYPTO);
		assert_string_equal(why, "no provider key matches the ID token (kid/alg)");
	}
	assert_int_equal(tl_hits(JWKS_URL), base + 2);
	/* Another process (same state_dir) forced a fetch recently: this one waits too. */
	tl_clock = NOW + 200;
	env.ctx->providers[0].cache.jwks_fetched = NOW + 100;
	{
		struct utimbuf u = { .actime = NOW + 190, .modtime = NOW + 190 };
		assert_int_equal(utime(stamp, &u), 0);
	}
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "again", NULL), &why), RC_CRYPTO);
	assert_int_equal(tl_hits(JWKS_URL), base + 2);
	tl_clock = NOW + 260;
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "again", NULL), &why), RC_CRYPTO);
	assert_int_equal(tl_hits(JWKS_URL), base + 3);
	tl_clock = NOW;
	arena_free(a);
}

/* With a store the limit holds across nodes: a forced fetch that another
 * node made in this minute stops this one; the next minute may fetch. */
static void
test_unknown_kid_rate_limit_shared(void **state)
{
	EVP_PKEY *keys[] = { rsa };
	const char *kids[] = { "r1" };
	struct arena *a = arena_new(1 << 20, 0);
	struct store_conf conf = { .local_dir = env.ctx->oauth_dir, .prefix = "jwks-test:" };
	struct store *other;
	char key[64];
	const char *why;
	long long window;
	int base;

	(void)state;
	fresh_provider_cache();
	assert_int_equal(store_open(&conf, &env.ctx->store), RC_OK);
	assert_int_equal(store_open(&conf, &other), RC_OK);
	tl_clock = NOW;
	publish(keys, kids, 1);
	base = tl_hits(JWKS_URL);
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_OK);
	assert_int_equal(tl_hits(JWKS_URL), base + 1);
	tl_clock = NOW + 70;
	window = (long long)tl_clock / OAUTH_JWKS_REFETCH_MIN;
	snprintf(key, sizeof(key), "oauth:jwks:demo:%lld", window);
	assert_int_equal(store_once(other, key, 120), RC_OK); /* the other node's fetch */
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "made-up", NULL), &why), RC_CRYPTO);
	assert_int_equal(tl_hits(JWKS_URL), base + 1);
	tl_clock = (time_t)((window + 1) * OAUTH_JWKS_REFETCH_MIN);
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "made-up", NULL), &why), RC_CRYPTO);
	assert_int_equal(tl_hits(JWKS_URL), base + 2);
	store_close(other);
	store_close(env.ctx->store);
	env.ctx->store = NULL;
	tl_clock = NOW;
	arena_free(a);
}

static void
test_jwks_unavailable(void **state)
{
	struct arena *a = arena_new(1 << 20, 0);
	const char *why;
	int base;

	(void)state;
	fresh_provider_cache();
	tl_route_set(JWKS_URL, 500, "text/html", "oops");
	base = tl_hits(JWKS_URL);
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_UPSTREAM);
	/* Failing closed, and not hammering the provider either. */
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_UPSTREAM);
	assert_int_equal(tl_hits(JWKS_URL), base + 1);
	tl_route_set(JWKS_URL, 200, "application/json", "{\"keys\":\"not an array\"}");
	tl_clock = NOW + 61;
	assert_int_equal(verify(a, "demo", token(a, JWT_RS256, rsa, "r1", NULL), &why), RC_UPSTREAM);
	tl_clock = NOW;
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_table),
		cmocka_unit_test(test_claims_no_nonce_sent),
		cmocka_unit_test(test_google_issuers),
		cmocka_unit_test(test_microsoft_tenants),
		cmocka_unit_test(test_at_hash),
		cmocka_unit_test(test_signature_paths),
		cmocka_unit_test(test_none_and_hmac),
		cmocka_unit_test(test_unknown_kid_rate_limit),
		cmocka_unit_test(test_unknown_kid_rate_limit_shared),
		cmocka_unit_test(test_jwks_unavailable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

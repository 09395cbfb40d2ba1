/* idtoken: ID token checks (OIDC Core 3.1.3.7) — signature, then claims. */
#include "oauth/oauth_int.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/log.h"

#define TIME_MAX_VALUE (1LL << 41)     /* year 71680: beyond any real token */
#define IAT_PAST_MAX (24 * 3600)       /* an ID token is used within minutes */
#define MS_CONSUMERS_TID "9188040d-6c67-4c5b-b112-36a304b66dad"

/* A NumericDate as a 64-bit integer; false when absent, not a number or absurd. */
static bool
numeric_date(const json_t *o, const char *key, long long *out)
{
	const json_t *v = json_object_get(o, key);
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
		if (!isfinite(d) || d < 0 || d > (double)TIME_MAX_VALUE)
			return false;
		*out = (long long)d;
	} else {
		return false;
	}
	return *out >= 0 && *out <= TIME_MAX_VALUE;
}

bool
tenant_allowed(char *const *tenants, size_t n, const char *tid)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		const char *t = tenants[i];
		if (strcmp(t, "common") == 0 ||
		    (strcmp(t, "organizations") == 0 && strcasecmp(tid, MS_CONSUMERS_TID) != 0) ||
		    (strcmp(t, "consumers") == 0 && strcasecmp(tid, MS_CONSUMERS_TID) == 0) ||
		    strcasecmp(t, tid) == 0)
			return true;
	}
	return false;
}

static bool
tid_valid(const char *tid)
{
	size_t n = strlen(tid);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)tid[i]) && tid[i] != '-')
			return false;
	return true;
}

/* iss: exact match; Microsoft's {tenantid} template filled from tid. */
static bool
issuer_ok(const json_t *claims, const struct idtoken_expect *x, const char **why)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const char *tmpl = strstr(x->issuer, "{tenantid}");
	const char *tid;
	size_t pre, tlen;

	if (iss == NULL) {
		*why = "ID token has no iss";
		return false;
	}
	if (tmpl == NULL) {
		if (strcmp(iss, x->issuer) == 0 || (x->alt_issuer != NULL && strcmp(iss, x->alt_issuer) == 0))
			return true;
		*why = "ID token iss does not match the issuer";
		return false;
	}
	tid = json_string_value(json_object_get(claims, "tid"));
	if (tid == NULL || !tid_valid(tid) || !tenant_allowed(x->tenants, x->ntenants, tid)) {
		*why = "ID token tenant (tid) missing or not allowed";
		return false;
	}
	pre = (size_t)(tmpl - x->issuer);
	tlen = strlen(tid);
	if (strlen(iss) != strlen(x->issuer) - 10 + tlen || strncmp(iss, x->issuer, pre) != 0 ||
	    strncmp(iss + pre, tid, tlen) != 0 || strcmp(iss + pre + tlen, tmpl + 10) != 0) {
		*why = "ID token iss does not match the tenant issuer";
		return false;
	}
	return true;
}

static bool
in_list(char *const *list, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

/* aud holds client_id and only trusted others; azp, when needed or sent, is us. */
static bool
audience_ok(const json_t *claims, const struct idtoken_expect *x, const char **why)
{
	const json_t *aud = json_object_get(claims, "aud");
	const json_t *azp = json_object_get(claims, "azp");
	bool ours = false;
	size_t n = 0, i;
	json_t *v;

	if (json_is_string(aud)) {
		ours = strcmp(json_string_value(aud), x->client_id) == 0;
		n = 1;
	} else if (json_is_array(aud)) {
		json_array_foreach(aud, i, v) {
			if (!json_is_string(v)) {
				*why = "ID token aud holds a non-string";
				return false;
			}
			if (strcmp(json_string_value(v), x->client_id) == 0)
				ours = true;
			else if (!in_list(x->trusted_audiences, x->ntrusted_audiences, json_string_value(v))) {
				*why = "ID token aud holds an untrusted audience";
				return false;
			}
		}
		n = json_array_size(aud);
	}
	if (!ours) {
		*why = "ID token aud does not contain our client_id";
		return false;
	}
	if (azp != NULL && (!json_is_string(azp) || strcmp(json_string_value(azp), x->client_id) != 0)) {
		*why = "ID token azp is not our client_id";
		return false;
	}
	if (n > 1 && azp == NULL) {
		*why = "ID token has several audiences but no azp";
		return false;
	}
	return true;
}

static bool
times_ok(const json_t *claims, long long now, const char **why)
{
	long long exp, iat, nbf;

	if (!numeric_date(claims, "exp", &exp) || !numeric_date(claims, "iat", &iat)) {
		*why = "ID token exp or iat missing or invalid";
		return false;
	}
	if (now >= exp + OAUTH_SKEW) {
		*why = "ID token expired";
		return false;
	}
	if (iat > now + OAUTH_SKEW) {
		*why = "ID token issued in the future (iat)";
		return false;
	}
	if (iat < now - IAT_PAST_MAX) {
		*why = "ID token issued too long ago (iat)";
		return false;
	}
	if (json_object_get(claims, "nbf") != NULL &&
	    (!numeric_date(claims, "nbf", &nbf) || nbf > now + OAUTH_SKEW)) {
		*why = "ID token not valid yet (nbf)";
		return false;
	}
	return true;
}

/* at_hash (OIDC Core 3.1.3.8): left half of the alg's hash of the access token. */
static bool
at_hash_ok(const json_t *claims, enum jwt_alg alg, const char *access_token)
{
	const char *want = json_string_value(json_object_get(claims, "at_hash"));
	const char *md = "SHA256";
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	struct buf b;
	bool ok;

	if (json_object_get(claims, "at_hash") == NULL || access_token == NULL)
		return true;
	if (want == NULL)
		return false;
	if (alg == JWT_RS384 || alg == JWT_PS384 || alg == JWT_ES384 || alg == JWT_HS384)
		md = "SHA384";
	else if (alg == JWT_RS512 || alg == JWT_PS512 || alg == JWT_ES512 || alg == JWT_HS512 ||
	    alg == JWT_EDDSA)
		md = "SHA512";
	if (EVP_Digest(access_token, strlen(access_token), sum, &len,
	    EVP_get_digestbyname(md), NULL) != 1)
		return false;
	buf_init(&b, 128);
	ok = crypto_b64url_encode(&b, sum, len / 2) == RC_OK &&
	    crypto_equal(b.data, b.len, want, strlen(want));
	buf_fini(&b);
	return ok;
}

/*
 * Checks the claims of a signature-verified ID token against x: iss, sub,
 * aud/azp, exp/iat/nbf (60 s skew), nonce, at_hash. RC_CRYPTO with *why
 * naming the first failed rule.
 */
enum rc
idtoken_claims(const json_t *claims, enum jwt_alg alg, const struct idtoken_expect *x,
    const char **why)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const json_t *nonce = json_object_get(claims, "nonce");

	if (!issuer_ok(claims, x, why) || !audience_ok(claims, x, why) ||
	    !times_ok(claims, x->now, why))
		return RC_CRYPTO;
	if (sub == NULL || *sub == '\0' || strlen(sub) > SESSION_SUB_MAX) {
		*why = "ID token sub missing or invalid";
		return RC_CRYPTO;
	}
	if (x->nonce != NULL && (!json_is_string(nonce) ||
	    !crypto_equal(json_string_value(nonce), json_string_length(nonce), x->nonce,
	    strlen(x->nonce)))) {
		*why = nonce == NULL ? "ID token nonce missing" : "ID token nonce mismatch";
		return RC_CRYPTO;
	}
	if (!at_hash_ok(claims, alg, x->access_token)) {
		*why = "ID token at_hash does not match the access token";
		return RC_CRYPTO;
	}
	return RC_OK;
}

/* Tries every published key that may have signed t. *tried counts them. */
static enum rc
verify_with(const json_t *keys, const struct jwt *t, size_t *tried)
{
	size_t i;
	json_t *k;

	*tried = 0;
	json_array_foreach(keys, i, k) {
		const char *kid = json_string_value(json_object_get(k, "kid"));
		EVP_PKEY *pkey;
		enum rc rc;
		if (t->kid != NULL && (kid == NULL || strcmp(kid, t->kid) != 0))
			continue;
		if (!jwk_fits_alg(k, t->alg) || jwk_to_pkey(k, &pkey) != RC_OK)
			continue;
		(*tried)++;
		rc = jwt_verify(t, pkey);
		EVP_PKEY_free(pkey);
		if (rc == RC_OK)
			return RC_OK;
	}
	return RC_CRYPTO;
}

static enum rc
verify_signature(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const struct jwt *t, const char **why)
{
	const json_t *keys;
	size_t tried = 0;
	enum rc rc;

	if (JWT_ALG_BIT(t->alg) & JWT_ALGS_HMAC) {
		rc = jwt_verify_hmac(t, p->client_secret,
		    p->client_secret != NULL ? strlen(p->client_secret) : 0);
		if (rc != RC_OK)
			*why = "ID token HMAC signature invalid";
		return rc;
	}
	rc = discovery_jwks(ctx, a, p, m, false, &keys);
	if (rc != RC_OK) {
		*why = "provider keys (JWKS) unavailable";
		return rc;
	}
	if (verify_with(keys, t, &tried) == RC_OK)
		return RC_OK;
	if (tried == 0) {
		/* Unknown kid: the provider may have rotated; refetch, rate-limited. */
		if (discovery_jwks(ctx, a, p, m, true, &keys) == RC_OK &&
		    verify_with(keys, t, &tried) == RC_OK)
			return RC_OK;
		if (tried == 0) {
			*why = "no provider key matches the ID token (kid/alg)";
			return RC_CRYPTO;
		}
	}
	*why = "ID token signature invalid";
	return RC_CRYPTO;
}

/*
 * Verifies an ID token: compact JWS, alg on the provider's allow-list
 * (never none; HS* only when configured, keyed by the client secret),
 * signature from the JWKS, typ absent or JWT, then idtoken_claims.
 * *claims is owned by the arena.
 */
enum rc
idtoken_verify(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *token, const struct idtoken_expect *x,
    json_t **claims, const char **why)
{
	const char *typ;
	struct jwt t;
	enum rc rc;

	rc = jwt_parse(a, token, &t);
	if (rc != RC_OK) {
		*why = rc == RC_CRYPTO ? "ID token algorithm unknown or forbidden (none?)"
		    : "ID token malformed";
		return RC_CRYPTO;
	}
	if ((JWT_ALG_BIT(t.alg) & p->algs) == 0) {
		*why = "ID token algorithm not on the provider's allow-list";
		return RC_CRYPTO;
	}
	typ = json_string_value(json_object_get(t.header, "typ"));
	if (json_object_get(t.header, "typ") != NULL && (typ == NULL || strcasecmp(typ, "JWT") != 0)) {
		*why = "ID token typ is not JWT";
		return RC_CRYPTO;
	}
	rc = verify_signature(ctx, a, p, m, &t, why);
	if (rc != RC_OK)
		return rc == RC_UPSTREAM ? rc : RC_CRYPTO;
	rc = idtoken_claims(t.claims, t.alg, x, why);
	if (rc == RC_OK)
		*claims = t.claims;
	return rc;
}

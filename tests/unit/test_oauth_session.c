/* test_oauth_session: sealed session cookies — tampering, truncation, size,
 * expiry, rotation, cookie attributes, the identify hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>

#include <sys/stat.h>

#include "oauth_testlib.h"
#include "util/url.h"

#define SECRET_A "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c" /* socialhub keygen */
#define SECRET_B "aQY3-FvIMOGAHTrdS5nQNb3rlnWD2h0YswNOhkq000A"
#define PROVIDERS "provider demo { issuer = \"https://id.example.com\" client_id = \"c\" client_secret = \"s\" }\n" \
	"provider gh { preset = \"github\" client_id = \"c\" client_secret = \"s\" }\n"

static const struct profile alice = {
	.sub = "alice", .name = "Alice Example", .email = "alice@example.com",
	.email_verified = true, .picture = "https://img.example.com/a.png",
	.profile_url = "https://id.example.com/alice",
};

static struct tl_env
load(const char *session_block)
{
	struct tl_env env = { .cfg = NULL };
	char text[4096];

	snprintf(text, sizeof(text), "%s\n%s", session_block, PROVIDERS);
	assert_int_equal(tl_load(&env, text), RC_OK);
	return env;
}

static char *
seal(struct tl_env *env, struct arena *a, const struct profile *p)
{
	char *v = NULL;

	assert_int_equal(session_seal(env->ctx, a, "demo", p, tl_clock, &v), RC_OK);
	return v;
}

/* Member types in a sealed session, as the reader has always taken them:
 * every member optional but a string when present; p and s must be there
 * and s not empty. */
static void
test_member_types(void **state)
{
	static const struct { const char *members; enum rc rc; } cases[] = {
		{ "\"p\":\"demo\",\"s\":\"alice\"", RC_OK },
		{ "\"p\":\"demo\",\"s\":\"alice\",\"n\":\"\",\"e\":\"\"", RC_OK },
		{ "\"s\":\"alice\"", RC_CRYPTO },
		{ "\"p\":\"demo\",\"s\":\"\"", RC_CRYPTO },
		{ "\"p\":\"demo\",\"s\":42", RC_CRYPTO },
		{ "\"p\":\"demo\",\"s\":\"alice\",\"n\":null", RC_CRYPTO },
		{ "\"p\":\"demo\",\"s\":\"alice\",\"e\":[\"a@b.c\"]", RC_CRYPTO },
		{ "\"p\":\"demo\",\"s\":\"alice\",\"pi\":{}", RC_CRYPTO },
		{ "\"p\":\"demo\",\"s\":\"alice\",\"pu\":1.5", RC_CRYPTO },
	};
	struct tl_env env = load("session { secret = \"" SECRET_A "\" }");
	struct arena *a = arena_new(65536, 0);
	struct identity id;
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		enum rc rc;
		buf_init(&b, 4096);
		snprintf(text, sizeof(text), "{\"v\":1,%s,\"iat\":%lld,\"exp\":%lld}",
		    cases[i].members, (long long)tl_clock, (long long)tl_clock + 3600);
		assert_int_equal(keyring_seal(&env.ctx->session_keys, "socialhub-session-v1",
		    text, &b), RC_OK);
		rc = session_open(env.ctx, a, buf_cstr(&b), tl_clock + 10, &id);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %s", i, rc_str(rc));
		if (i == 1) {
			assert_string_equal(id.sub, "alice");
			assert_string_equal(id.name, "");
			assert_null(id.picture);
		}
		buf_fini(&b);
	}
	arena_free(a);
	tl_unload(&env);
}

static void
test_roundtrip(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" }");
	struct arena *a = arena_new(65536, 0);
	struct identity id;
	char *v = seal(&env, a, &alice);

	(void)state;
	assert_int_equal(session_open(env.ctx, a, v, tl_clock + 10, &id), RC_OK);
	assert_string_equal(id.provider, "demo");
	assert_string_equal(id.sub, "alice");
	assert_string_equal(id.name, "Alice Example");
	assert_string_equal(id.email, "alice@example.com");
	assert_true(id.email_verified);
	assert_string_equal(id.picture, alice.picture);
	assert_string_equal(id.profile_url, alice.profile_url);
	assert_int_equal(id.issued_at, tl_clock);
	assert_int_equal(id.expires_at, tl_clock + 8 * 3600);
	/* The payload is encrypted: nothing of the profile shows. */
	assert_null(strstr(v, "alice"));
	/* Two seals of the same session differ (fresh IV). */
	assert_string_not_equal(v, seal(&env, a, &alice));
	arena_free(a);
	tl_unload(&env);
}

static char
flip(char c)
{
	return c == 'A' ? 'B' : c == '.' ? '-' : 'A';
}

/* Every byte flipped in turn, every truncation: never a session, never a crash. */
static void
test_tamper_every_byte(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" }");
	struct arena *a = arena_new(65536, 0);
	struct identity id;
	char *v = seal(&env, a, &alice);
	size_t n = strlen(v);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char *t = arena_strdup(a, v);
		t[i] = flip(t[i]);
		assert_int_not_equal(session_open(env.ctx, a, t, tl_clock, &id), RC_OK);
		assert_null(id.sub);
		/* Bit flips that leave the base64url alphabet too. */
		t[i] = (char)(v[i] ^ 0x01);
		assert_int_not_equal(session_open(env.ctx, a, t, tl_clock, &id), RC_OK);
	}
	for (size_t len = 0; len < n; len++) {
		char *t = arena_strndup(a, v, len);
		assert_int_not_equal(session_open(env.ctx, a, t, tl_clock, &id), RC_OK);
	}
	/* Appended bytes, and a 5000-byte value. */
	{
		char *t = arena_printf(a, "%sAAAA", v);
		char *big = arena_alloc(a, 5001);
		assert_int_not_equal(session_open(env.ctx, a, t, tl_clock, &id), RC_OK);
		memset(big, 'A', 5000);
		memcpy(big, v, 7);
		big[5000] = '\0';
		assert_int_equal(session_open(env.ctx, a, big, tl_clock, &id), RC_CRYPTO);
	}
	assert_int_equal(session_open(env.ctx, a, "", tl_clock, &id), RC_CRYPTO);
	assert_int_equal(session_open(env.ctx, a, ".", tl_clock, &id), RC_CRYPTO);
	assert_int_equal(session_open(env.ctx, a, NULL, tl_clock, &id), RC_CRYPTO);
	arena_free(a);
	tl_unload(&env);
}

static void
test_expiry(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" lifetime = 1h }");
	struct tl_env shorter;
	struct arena *a = arena_new(65536, 0);
	struct identity id;
	char *v = seal(&env, a, &alice);

	(void)state;
	assert_int_equal(session_open(env.ctx, a, v, tl_clock + 3599, &id), RC_OK);
	assert_int_equal(session_open(env.ctx, a, v, tl_clock + 3600, &id), RC_UNAUTH);
	assert_int_equal(session_open(env.ctx, a, v, tl_clock + 86400, &id), RC_UNAUTH);
	/* Issued "in the future" beyond the skew: refused. */
	assert_int_equal(session_open(env.ctx, a, v, tl_clock - 61, &id), RC_UNAUTH);
	assert_int_equal(session_open(env.ctx, a, v, tl_clock - 59, &id), RC_OK);
	/* The admin shortens the lifetime: old, longer sessions end early. */
	shorter = load("session { secret = \"" SECRET_A "\" lifetime = 10m }");
	assert_int_equal(session_open(shorter.ctx, a, v, tl_clock + 599, &id), RC_OK);
	assert_int_equal(session_open(shorter.ctx, a, v, tl_clock + 601, &id), RC_UNAUTH);
	tl_unload(&shorter);
	arena_free(a);
	tl_unload(&env);
}

static void
test_rotation(void **state)
{
	struct tl_env old = load("session { secret = \"" SECRET_A "\" }");
	struct tl_env rotated = load("session { secret = \"" SECRET_B "\" old_secrets = {\"" SECRET_A "\"} }");
	struct tl_env dropped = load("session { secret = \"" SECRET_B "\" }");
	struct tl_env other = load("session { secret = \"7fX1-2AE3QVUjYLunjad2nsWHiITaBlOG69MiB5lH60\" }");
	struct arena *a = arena_new(65536, 0);
	struct identity id;
	char *v_old = seal(&old, a, &alice);
	char *v_new = seal(&rotated, a, &alice);

	(void)state;
	/* Sealed under a rotated-out key: still opens while the old key is listed. */
	assert_int_equal(session_open(rotated.ctx, a, v_old, tl_clock, &id), RC_OK);
	assert_string_equal(id.sub, "alice");
	/* New sessions use the new key, which the old config does not know. */
	assert_int_not_equal(strncmp(v_old, v_new, OAUTH_KID_LEN), 0);
	assert_int_equal(session_open(old.ctx, a, v_new, tl_clock, &id), RC_CRYPTO);
	/* Once the old key is dropped, its sessions are gone. */
	assert_int_equal(session_open(dropped.ctx, a, v_old, tl_clock, &id), RC_CRYPTO);
	assert_int_equal(session_open(dropped.ctx, a, v_new, tl_clock, &id), RC_OK);
	/* A foreign key: nothing. */
	assert_int_equal(session_open(other.ctx, a, v_old, tl_clock, &id), RC_CRYPTO);
	/* Forging the kid of a known key does not help. */
	{
		char *forged = arena_strdup(a, v_old);
		memcpy(forged, v_new, OAUTH_KID_LEN);
		assert_int_equal(session_open(rotated.ctx, a, forged, tl_clock, &id), RC_CRYPTO);
	}
	arena_free(a);
	tl_unload(&old);
	tl_unload(&rotated);
	tl_unload(&dropped);
	tl_unload(&other);
}

static void
test_old_secrets_file(void **state)
{
	struct tl_env old = load("session { secret = \"" SECRET_A "\" }");
	struct tl_env env = { .cfg = NULL };
	struct arena *a = arena_new(65536, 0);
	char text[1024], keys[128], cur[128];
	struct identity id;
	char *v = seal(&old, a, &alice);

	(void)state;
	assert_int_equal(tmpdir_init(&env.tmp, "oauth-unit"), 0);
	tmpdir_path(&env.tmp, "old.keys", keys, sizeof(keys));
	tmpdir_path(&env.tmp, "session.key", cur, sizeof(cur));
	tl_write(keys, "# rotated out on Monday\n\n" SECRET_A "\n");
	tl_write(cur, SECRET_B "\n");
	assert_int_equal(chmod(keys, 0600), 0);
	assert_int_equal(chmod(cur, 0600), 0);
	snprintf(text, sizeof(text), "session { secret_file = \"%s\" old_secrets_file = \"%s\" }\n%s",
	    cur, keys, PROVIDERS);
	assert_int_equal(tl_load(&env, text), RC_OK);
	assert_int_equal(session_open(env.ctx, a, v, tl_clock, &id), RC_OK);
	arena_free(a);
	tl_unload(&env);
	tl_unload(&old);
}

static void
test_sizes(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" }");
	struct arena *a = arena_new(1 << 20, 0);
	struct profile p = alice;
	struct identity id;
	char *name = arena_alloc(a, 3001), *url = arena_alloc(a, 1101), *sub = arena_alloc(a, 300);
	char *v;

	(void)state;
	/* 1000 three-byte characters: cut on a character boundary. */
	for (int i = 0; i < 1000; i++)
		memcpy(name + 3 * i, "\xe2\x82\xac", 3);
	name[3000] = '\0';
	memset(url, 'u', 1100);
	memcpy(url, "https://", 8);
	url[1100] = '\0';
	p.name = name;
	p.picture = url;
	p.profile_url = url;
	v = seal(&env, a, &p);
	assert_true(strlen(v) + strlen(env.ctx->cookie_name) + 1 < 4000);
	assert_int_equal(session_open(env.ctx, a, v, tl_clock, &id), RC_OK);
	assert_true(strlen(id.name) <= SESSION_NAME_MAX);
	assert_int_equal(strlen(id.name) % 3, 0);
	assert_true(utf8_valid(id.name, strlen(id.name)));
	assert_null(id.picture);
	assert_null(id.profile_url);
	/* The subject is identity: never cut, refused when too long. */
	memset(sub, 's', 299);
	sub[299] = '\0';
	p.sub = sub;
	assert_int_equal(session_seal(env.ctx, a, "demo", &p, tl_clock, &v), RC_LIMIT);
	p.sub = "";
	assert_int_equal(session_seal(env.ctx, a, "demo", &p, tl_clock, &v), RC_LIMIT);
	/* Invalid UTF-8 from a provider is refused, not sealed. */
	p.sub = "bob";
	p.name = "\xc3\x28";
	assert_int_equal(session_seal(env.ctx, a, "demo", &p, tl_clock, &v), RC_INVALID);
	arena_free(a);
	tl_unload(&env);
}

static void
test_unknown_provider(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" }");
	struct arena *a = arena_new(65536, 0);
	struct identity id;
	char *v = NULL;

	(void)state;
	assert_int_equal(session_seal(env.ctx, a, "gone", &alice, tl_clock, &v), RC_OK);
	assert_int_equal(session_open(env.ctx, a, v, tl_clock, &id), RC_UNAUTH);
	arena_free(a);
	tl_unload(&env);
}

static void
test_cookie_attributes(void **state)
{
	struct tl_env https = load("session { secret = \"" SECRET_A "\" }");
	struct tl_env http = { .cfg = NULL };
	struct tl_req r;
	const char *c;

	(void)state;
	assert_string_equal(https.ctx->cookie_name, "__Host-socialhub_session");
	tl_req_init(&r, https.cfg, "GET", "/social/auth/me", NULL, NULL);
	assert_int_equal(oauth_set_cookie(https.ctx, &r.res, https.ctx->cookie_name, "v", 28800, "Lax"), RC_OK);
	c = tl_set_cookie(&r, 0);
	assert_string_equal(c, "__Host-socialhub_session=v; Path=/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure");
	assert_int_equal(oauth_set_cookie(https.ctx, &r.res, "x", "", 0, "Lax"), RC_OK);
	assert_non_null(strstr(tl_set_cookie(&r, 1), "Max-Age=0; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970"));
	tl_req_fini(&r);

	assert_int_equal(tl_load(&http, "site_url = \"http://127.0.0.1:8080\"\n"
	    "session { secret = \"" SECRET_A "\" cookie_name = \"sid\" }\n" PROVIDERS), RC_OK);
	assert_string_equal(http.ctx->cookie_name, "sid");
	tl_req_init(&r, http.cfg, "GET", "/social/auth/me", NULL, NULL);
	oauth_set_cookie(http.ctx, &r.res, "sid", "v", 60, "Lax");
	assert_null(strstr(tl_set_cookie(&r, 0), "Secure"));
	/* SameSite=None always carries Secure, whatever the site. */
	oauth_set_cookie(http.ctx, &r.res, "st", "v", 60, "None");
	assert_non_null(strstr(tl_set_cookie(&r, 1), "SameSite=None; Secure"));
	tl_req_fini(&r);
	tl_unload(&http);
	tl_unload(&https);
}

/* request_identity() through the hook, as other features see it. */
static void
test_identify_hook(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" }");
	struct arena *a = arena_new(65536, 0);
	char *v = seal(&env, a, &alice);
	char cookie[4096];
	const struct identity *id;
	struct tl_req r;

	(void)state;
	snprintf(cookie, sizeof(cookie), "other=1; __Host-socialhub_session=%s; x=y", v);
	tl_req_init(&r, env.cfg, "GET", "/social/streams", cookie, NULL);
	r.req.identify = oauth_identify;
	r.req.identify_ctx = env.ctx;
	id = request_identity(&r.req);
	assert_non_null(id);
	assert_string_equal(id->sub, "alice");
	tl_req_fini(&r);
	/* A cookie under the non-prefixed name is not ours. */
	snprintf(cookie, sizeof(cookie), "socialhub_session=%s", v);
	tl_req_init(&r, env.cfg, "GET", "/social/streams", cookie, NULL);
	r.req.identify = oauth_identify;
	r.req.identify_ctx = env.ctx;
	assert_null(request_identity(&r.req));
	tl_req_fini(&r);
	arena_free(a);
	tl_unload(&env);
}

/* The per-worker cache answers repeat cookies, with the time rules intact. */
static void
test_identify_cache(void **state)
{
	struct tl_env env = load("session { secret = \"" SECRET_A "\" lifetime = 1h }");
	struct arena *a = arena_new(65536, 0);
	char *v = seal(&env, a, &alice), cookie[4096];
	const struct identity *id;
	struct tl_req r;

	(void)state;
	snprintf(cookie, sizeof(cookie), "__Host-socialhub_session=%s", v);
	for (int i = 0; i < 3; i++) {
		tl_req_init(&r, env.cfg, "GET", "/social/auth/check", cookie, NULL);
		r.req.identify = oauth_identify;
		r.req.identify_ctx = env.ctx;
		id = request_identity(&r.req);
		assert_non_null(id);
		assert_string_equal(id->name, "Alice Example");
		assert_string_equal(id->provider, "demo");
		tl_req_fini(&r);
	}
	assert_non_null(env.ctx->session_cache);
	/* Expiry is enforced on cache hits too. */
	tl_clock += 3600;
	tl_req_init(&r, env.cfg, "GET", "/social/auth/check", cookie, NULL);
	r.req.identify = oauth_identify;
	r.req.identify_ctx = env.ctx;
	assert_null(request_identity(&r.req));
	tl_req_fini(&r);
	tl_clock -= 3600;
	/* A tampered cookie never hits the cache entry of the real one. */
	cookie[strlen(cookie) - 2] ^= 1;
	tl_req_init(&r, env.cfg, "GET", "/social/auth/check", cookie, NULL);
	r.req.identify = oauth_identify;
	r.req.identify_ctx = env.ctx;
	assert_null(request_identity(&r.req));
	tl_req_fini(&r);
	arena_free(a);
	tl_unload(&env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_member_types),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_old_secrets_file),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_unknown_provider),
		cmocka_unit_test(test_cookie_attributes),
		cmocka_unit_test(test_identify_hook),
		cmocka_unit_test(test_identify_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

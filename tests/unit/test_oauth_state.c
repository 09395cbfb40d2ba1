/* test_oauth_state: login attempts — sealed state cookies, PKCE, the cap on
 * parallel attempts, single use across processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <utime.h>

#include "oauth_testlib.h"

#define CONF "session { secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\" }\n" \
	"provider demo { issuer = \"https://id.example.com\" client_id = \"c\" client_secret = \"s\" }\n" \
	"provider other { issuer = \"https://id2.example.com\" client_id = \"c\" client_secret = \"s\" }\n"

static struct tl_env env;

static int
setup(void **state)
{
	(void)state;
	memset(&env, 0, sizeof(env));
	return tl_load(&env, CONF) == RC_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	tl_unload(&env);
	return 0;
}

static struct login_state
attempt(struct arena *a, bool nonce, bool pkce)
{
	struct login_state st = { .provider = "demo", .return_to = "/after", .created = tl_clock };

	assert_int_equal(state_new(a, &st, nonce, pkce), RC_OK);
	return st;
}

static void
test_new(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state s1 = attempt(a, true, true), s2 = attempt(a, false, false);

	(void)state;
	/* 256 random bits each: 43 base64url characters. */
	assert_int_equal(strlen(s1.state), 43);
	assert_int_equal(strlen(s1.nonce), 43);
	assert_int_equal(strlen(s1.verifier), 43);
	assert_string_not_equal(s1.state, s2.state);
	assert_string_not_equal(s1.state, s1.nonce);
	assert_null(s2.nonce);
	assert_null(s2.verifier);
	arena_free(a);
}

/* RFC 7636 appendix B. */
static void
test_pkce_vector(void **state)
{
	struct arena *a = arena_new(4096, 0);
	char *c;

	(void)state;
	assert_int_equal(pkce_challenge(a, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", &c), RC_OK);
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	arena_free(a);
}

static void
test_seal_open(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state st = attempt(a, true, true), out;
	char *name, *value, *other;

	(void)state;
	st.instance = "mastodon.social";
	assert_int_equal(state_cookie_name(env.ctx, a, st.state, &name), RC_OK);
	assert_int_equal(strncmp(name, "__Host-socialhub_session_st_", 28), 0);
	assert_int_equal(state_seal(env.ctx, a, &st, name, &value), RC_OK);
	assert_null(strstr(value, st.state));
	assert_int_equal(state_open(env.ctx, a, name, value, tl_clock + 599, &out), RC_OK);
	assert_string_equal(out.state, st.state);
	assert_string_equal(out.nonce, st.nonce);
	assert_string_equal(out.verifier, st.verifier);
	assert_string_equal(out.return_to, "/after");
	assert_string_equal(out.provider, "demo");
	assert_string_equal(out.instance, "mastodon.social");
	/* Ten minutes, then gone; and not from the future. */
	assert_int_equal(state_open(env.ctx, a, name, value, tl_clock + 601, &out), RC_UNAUTH);
	assert_int_equal(state_open(env.ctx, a, name, value, tl_clock - 61, &out), RC_UNAUTH);
	/* Bound to its cookie name: moved under another name it does not open. */
	assert_int_equal(state_cookie_name(env.ctx, a, "another-state", &other), RC_OK);
	assert_int_equal(state_open(env.ctx, a, other, value, tl_clock, &out), RC_CRYPTO);
	/* Every byte flipped. */
	for (size_t i = 0; value[i] != '\0'; i++) {
		char *t = arena_strdup(a, value);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		assert_int_not_equal(state_open(env.ctx, a, name, t, tl_clock, &out), RC_OK);
	}
	arena_free(a);
}

/* A session cookie is not a state cookie and vice versa (separate keys). */
/* Member types in a sealed state, as the reader has always taken them:
 * p, s and r required, n, v and i optional, every one a string (""
 * included) when present. */
static void
test_member_types(void **state)
{
	static const struct { const char *json; enum rc rc; } cases[] = {
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":\"x\",\"r\":\"/a\"}", RC_OK },
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":\"x\",\"r\":\"\",\"n\":\"\"}", RC_OK },
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":\"x\"}", RC_CRYPTO },
		{ "{\"t\":%lld,\"p\":null,\"s\":\"x\",\"r\":\"/a\"}", RC_CRYPTO },
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":7,\"r\":\"/a\"}", RC_CRYPTO },
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":\"x\",\"r\":\"/a\",\"n\":null}", RC_CRYPTO },
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":\"x\",\"r\":\"/a\",\"v\":[]}", RC_CRYPTO },
		{ "{\"t\":%lld,\"p\":\"demo\",\"s\":\"x\",\"r\":\"/a\",\"i\":false}", RC_CRYPTO },
	};
	struct arena *a = arena_new(65536, 0);
	struct login_state out;
	char *name, text[256];

	(void)state;
	assert_int_equal(state_cookie_name(env.ctx, a, "x", &name), RC_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		enum rc rc;
		buf_init(&b, 4096);
		snprintf(text, sizeof(text), cases[i].json, (long long)tl_clock);
		assert_int_equal(keyring_seal(&env.ctx->state_keys, name, text, &b), RC_OK);
		rc = state_open(env.ctx, a, name, buf_cstr(&b), tl_clock, &out);
		if (rc != cases[i].rc)
			fail_msg("case %zu: %s", i, rc_str(rc));
		if (i == 0) {
			assert_string_equal(out.provider, "demo");
			assert_string_equal(out.return_to, "/a");
			assert_null(out.nonce);
			assert_null(out.instance);
		}
		buf_fini(&b);
	}
	arena_free(a);
}

static void
test_key_separation(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state st = attempt(a, true, true), out;
	struct profile p = { .sub = "x" };
	struct identity id;
	char *name, *value, *sess;

	(void)state;
	assert_int_equal(state_cookie_name(env.ctx, a, st.state, &name), RC_OK);
	assert_int_equal(state_seal(env.ctx, a, &st, name, &value), RC_OK);
	assert_int_not_equal(session_open(env.ctx, a, value, tl_clock, &id), RC_OK);
	assert_int_equal(session_seal(env.ctx, a, "demo", &p, tl_clock, &sess), RC_OK);
	assert_int_not_equal(state_open(env.ctx, a, name, sess, tl_clock, &out), RC_OK);
	arena_free(a);
}

static char *
cookie_for(struct arena *a, const struct login_state *st)
{
	char *name, *value;

	assert_int_equal(state_cookie_name(env.ctx, a, st->state, &name), RC_OK);
	assert_int_equal(state_seal(env.ctx, a, st, name, &value), RC_OK);
	return arena_printf(a, "%s=%s", name, value);
}

static void
test_take(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state st = attempt(a, true, true), out;
	char *cookie = cookie_for(a, &st);
	const char *why = NULL;
	struct tl_req r;

	(void)state;
	/* Wrong state for this cookie: refused, cookie untouched. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/callback/demo", cookie, NULL);
	assert_int_equal(state_take(env.ctx, &r.req, &r.res, "demo", "not-the-state", &out, &why), RC_FORBIDDEN);
	assert_string_equal(why, "no login attempt matches this state");
	assert_int_equal(state_take(env.ctx, &r.req, &r.res, "demo", NULL, &out, &why), RC_FORBIDDEN);
	tl_req_fini(&r);
	/* The state of provider demo presented at provider other's callback. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/callback/other", cookie, NULL);
	assert_int_equal(state_take(env.ctx, &r.req, &r.res, "other", st.state, &out, &why), RC_FORBIDDEN);
	assert_string_equal(why, "state or provider mismatch");
	/* The cookie is deleted whatever happens once it was found. */
	assert_non_null(strstr(tl_set_cookie(&r, 0), "Max-Age=0"));
	tl_req_fini(&r);
	/* The right one... but the attempt above already burnt nothing: */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/callback/demo", cookie, NULL);
	assert_int_equal(state_take(env.ctx, &r.req, &r.res, "demo", st.state, &out, &why), RC_OK);
	assert_string_equal(out.verifier, st.verifier);
	tl_req_fini(&r);
	/* Replayed with the same cookie (a copied request): single use. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/callback/demo", cookie, NULL);
	assert_int_equal(state_take(env.ctx, &r.req, &r.res, "demo", st.state, &out, &why), RC_FORBIDDEN);
	assert_string_equal(why, "state already used (replay)");
	tl_req_fini(&r);
	/* Expired attempt. */
	{
		struct login_state old = attempt(a, true, true);
		char *c2;
		old.created = tl_clock - 601;
		c2 = cookie_for(a, &old);
		tl_req_init(&r, env.cfg, "GET", "/social/auth/callback/demo", c2, NULL);
		assert_int_equal(state_take(env.ctx, &r.req, &r.res, "demo", old.state, &out, &why), RC_FORBIDDEN);
		assert_string_equal(why, "login attempt expired");
		tl_req_fini(&r);
	}
	arena_free(a);
}

static void
test_mark_used_fail_closed(void **state)
{
	char *saved = env.ctx->oauth_dir;

	(void)state;
	env.ctx->oauth_dir = "/proc/nonexistent/oauth";
	assert_int_equal(state_mark_used(env.ctx, "some-state"), RC_UNAVAILABLE);
	env.ctx->oauth_dir = saved;
	assert_int_equal(state_mark_used(env.ctx, "some-state"), RC_OK);
	assert_int_equal(state_mark_used(env.ctx, "some-state"), RC_FORBIDDEN);
}

/* With a store, the record is a single-use value there: a second handle
 * on the same store (another node) refuses the replay; a store that is
 * down fails closed unless fallback = local. */
static void
test_mark_used_shared(void **state)
{
	struct store_conf conf = { .local_dir = env.ctx->oauth_dir, .prefix = "t:" };
	struct store *node1, *node2, *down;

	(void)state;
	assert_int_equal(store_open(&conf, &node1), RC_OK);
	assert_int_equal(store_open(&conf, &node2), RC_OK);
	env.ctx->store = node1;
	assert_int_equal(state_mark_used(env.ctx, "shared-state"), RC_OK);
	env.ctx->store = node2;
	assert_int_equal(state_mark_used(env.ctx, "shared-state"), RC_FORBIDDEN);
	assert_int_equal(state_mark_used(env.ctx, "other-state"), RC_OK);
	/* Port 1 on loopback: nothing listens, refused at once. */
	conf.url = "redis://127.0.0.1:1/0";
	conf.timeout_ms = 20;
	assert_int_equal(store_open(&conf, &down), RC_OK);
	env.ctx->store = down;
	assert_int_equal(state_mark_used(env.ctx, "third-state"), RC_UNAVAILABLE);
	store_close(down);
	conf.fallback_local = true;
	assert_int_equal(store_open(&conf, &down), RC_OK);
	env.ctx->store = down;
	assert_int_equal(state_mark_used(env.ctx, "third-state"), RC_OK);
	assert_int_equal(state_mark_used(env.ctx, "third-state"), RC_FORBIDDEN);
	env.ctx->store = NULL;
	store_close(down);
	store_close(node1);
	store_close(node2);
}

/* With a store, the Mastodon per-client registration log is one for every
 * node: five attempts from one network spread over two nodes, then the
 * sixth is refused on either; another network still may. */
static void
test_mastodon_client_log_shared(void **state)
{
	struct store_conf conf = { .local_dir = env.ctx->oauth_dir, .prefix = "mc:" };
	struct mastodon_query q = { .host = "social.example", .client = "198.51.100.7" };
	struct arena *a = arena_new(1 << 16, 0);
	struct store *node1, *node2;

	(void)state;
	assert_int_equal(store_open(&conf, &node1), RC_OK);
	assert_int_equal(store_open(&conf, &node2), RC_OK);
	for (int i = 0; i < 5; i++) {
		env.ctx->store = i % 2 ? node1 : node2;
		assert_int_equal(mastodon_reg_admit(env.ctx, a, &env.ctx->providers[0], &q), RC_OK);
	}
	env.ctx->store = node1;
	assert_int_equal(mastodon_reg_admit(env.ctx, a, &env.ctx->providers[0], &q), RC_RATELIMIT);
	assert_true(q.retry_after > 0 && q.retry_after <= 600);
	env.ctx->store = node2;
	assert_int_equal(mastodon_reg_admit(env.ctx, a, &env.ctx->providers[0], &q), RC_RATELIMIT);
	q.client = "203.0.113.9";
	assert_int_equal(mastodon_reg_admit(env.ctx, a, &env.ctx->providers[0], &q), RC_OK);
	{
		/* The log was the store's, not the node's file. */
		char path[512];
		snprintf(path, sizeof(path), "%s/mastodon/clients.attempts", env.ctx->oauth_dir);
		assert_int_equal(access(path, F_OK), -1);
	}
	env.ctx->store = NULL;
	store_close(node1);
	store_close(node2);
	arena_free(a);
}

static int
count_used(void)
{
	char path[512];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/used", env.ctx->oauth_dir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
test_sweep(void **state)
{
	char path[512], f[1024];
	struct utimbuf old = { .actime = tl_clock - 2000, .modtime = tl_clock - 2000 };
	struct dirent *de;
	int before;
	DIR *d;

	(void)state;
	assert_int_equal(state_mark_used(env.ctx, "sweep-a"), RC_OK);
	assert_int_equal(state_mark_used(env.ctx, "sweep-b"), RC_OK);
	before = count_used();
	/* Records are fresh by the real clock: at the fake time they are 0 s old. */
	state_sweep(env.ctx, time(NULL));
	assert_int_equal(count_used(), before);
	snprintf(path, sizeof(path), "%s/used", env.ctx->oauth_dir);
	d = opendir(path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		assert_int_equal(utime(f, &old), 0);
		break;
	}
	closedir(d);
	state_sweep(env.ctx, tl_clock);
	assert_int_equal(count_used(), before - 1);
}

static size_t
count_deleted(const struct tl_req *r)
{
	size_t n = 0;

	for (size_t i = 0; tl_set_cookie(r, i) != NULL; i++)
		n += strstr(tl_set_cookie(r, i), "Max-Age=0") != NULL;
	return n;
}

/* Parallel tabs: at most five attempts; the oldest go first. */
static void
test_cap(void **state)
{
	struct arena *a = arena_new(1 << 20, 0);
	struct login_state sts[7];
	char cookies[16384] = "";
	char *oldest_name;
	struct tl_req r;

	(void)state;
	for (int i = 0; i < 5; i++) {
		sts[i] = attempt(a, true, true);
		sts[i].created = tl_clock - 100 + i;
		snprintf(cookies + strlen(cookies), sizeof(cookies) - strlen(cookies), "%s%s",
		    i ? "; " : "", cookie_for(a, &sts[i]));
	}
	sts[5] = attempt(a, true, true);
	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/demo", cookies, NULL);
	assert_int_equal(state_set(env.ctx, &r.req, &r.res, &sts[5], false), RC_OK);
	assert_int_equal(count_deleted(&r), 1);
	assert_int_equal(state_cookie_name(env.ctx, a, sts[0].state, &oldest_name), RC_OK);
	assert_int_equal(strncmp(tl_set_cookie(&r, 0), oldest_name, strlen(oldest_name)), 0);
	assert_non_null(strstr(tl_set_cookie(&r, 1), "Max-Age=600; HttpOnly; SameSite=Lax; Secure"));
	tl_req_fini(&r);
	/* Garbage and expired attempts are cleared even under the cap. */
	sts[6] = attempt(a, true, true);
	sts[6].created = tl_clock - 700;
	snprintf(cookies, sizeof(cookies), "__Host-socialhub_session_st_junk=zzz; %s", cookie_for(a, &sts[6]));
	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/demo", cookies, NULL);
	assert_int_equal(state_set(env.ctx, &r.req, &r.res, &sts[5], true), RC_OK);
	assert_int_equal(count_deleted(&r), 2);
	/* The Apple form_post attempt is SameSite=None (the site is HTTPS). */
	assert_non_null(strstr(tl_set_cookie(&r, 2), "SameSite=None; Secure"));
	tl_req_fini(&r);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_pkce_vector),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_member_types),
		cmocka_unit_test(test_key_separation),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_mark_used_fail_closed),
		cmocka_unit_test(test_mark_used_shared),
		cmocka_unit_test(test_mastodon_client_log_shared),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

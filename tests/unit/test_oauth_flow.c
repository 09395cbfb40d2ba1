/* test_oauth_flow: the handlers with a fake provider behind the HTTP seam —
 * login URL, callback paths, client authentication, pages, check, logout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oauth_testlib.h"
#include "fcgi/router_int.h"
#include "keys_testlib.h"

#define IDP "https://idp.example.com"
#define CONF "session { secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\" }\n" \
	"provider corp { issuer = \"" IDP "\" client_id = \"rp\" client_secret = \"s3cret/+\"\n" \
	"  authorization_endpoint = \"" IDP "/auth?tenant=1\" token_endpoint = \"" IDP "/token\"\n" \
	"  jwks_uri = \"" IDP "/jwks\" userinfo = false }\n" \
	"provider post { issuer = \"" IDP "\" client_id = \"rp\" client_secret = \"s3cret\" token_auth = \"post\"\n" \
	"  authorization_endpoint = \"" IDP "/auth\" token_endpoint = \"" IDP "/token\"\n" \
	"  jwks_uri = \"" IDP "/jwks\" userinfo = false }\n" \
	"provider gh { preset = \"github\" client_id = \"ghc\" client_secret = \"ghs\"\n" \
	"  token_endpoint = \"https://gh.example/token\" userinfo_endpoint = \"https://gh.example/user\" }\n" \
	"provider disc { issuer = \"https://down.example.com\" client_id = \"rp\" client_secret = \"s\" }\n" \
	"access { email_domains = {\"example.com\"} }\n"

static struct tl_env env;
static EVP_PKEY *key;

static int
setup(void **state)
{
	json_t *set;
	char *text;

	(void)state;
	memset(&env, 0, sizeof(env));
	key = tk_generate("RSA", "2048");
	set = json_pack("{s:[o]}", "keys", tk_jwk(key, "k1", NULL));
	text = json_dumps(set, JSON_COMPACT);
	tl_route_set(IDP "/jwks", 200, "application/json", text);
	free(text);
	json_decref(set);
	tl_clock = time(NULL);
	return tl_load(&env, CONF) == RC_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	tl_unload(&env);
	EVP_PKEY_free(key);
	tl_routes_clear();
	return 0;
}

static void
route_req(struct tl_req *r, const char *provider)
{
	r->req.captures[0] = provider;
	r->req.ncaptures = 1;
	r->req.identify = oauth_identify;
	r->req.identify_ctx = env.ctx;
}

/* Runs handler h as the router would: its row's parameters first. */
static enum rc
call(struct tl_req *r, route_handler h)
{
	for (const struct route *rt = oauth_routes; rt->pattern != NULL; rt++) {
		enum rc rc;
		if (rt->handler != h)
			continue;
		rc = router_params(rt, env.ctx, &r->req);
		return rc != RC_OK ? rc : h(&r->req, &r->res, env.ctx);
	}
	fail_msg("handler not in oauth_routes");
	return RC_INTERNAL;
}

static const char *
header(const struct tl_req *r, const char *name)
{
	return response_header_get(&r->res, name);
}

static void
test_login(void **state)
{
	struct tl_req r;
	const char *loc;

	(void)state;
	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/corp?return_to=%2Fnews%3Fp%3D2", NULL, NULL);
	route_req(&r, "corp");
	assert_int_equal(call(&r, flow_login), RC_OK);
	assert_int_equal(r.res.status, 302);
	loc = header(&r, "Location");
	assert_int_equal(strncmp(loc, IDP "/auth?tenant=1&response_type=code&client_id=rp&redirect_uri="
	    "https%3A%2F%2Fwww.example.com%2Fsocial%2Fauth%2Fcallback%2Fcorp&scope=openid%20email%20profile&state=", 150), 0);
	assert_non_null(strstr(loc, "&nonce="));
	assert_non_null(strstr(loc, "&code_challenge_method=S256"));
	assert_non_null(strstr(header(&r, "Cache-Control"), "no-store"));
	assert_non_null(strstr(tl_set_cookie(&r, 0), "__Host-socialhub_session_st_"));
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/corp?return_to=%2F%2Fevil.example", NULL, NULL);
	route_req(&r, "corp");
	assert_int_equal(call(&r, flow_login), RC_OK);
	assert_int_equal(r.res.status, 400);
	assert_null(tl_set_cookie(&r, 0));
	tl_req_fini(&r);

	/* Login CSRF: a cross-site image may not start a login; a link may. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/corp", NULL, "HTTP_SEC_FETCH_SITE", "cross-site",
	    "HTTP_SEC_FETCH_MODE", "no-cors", "HTTP_SEC_FETCH_DEST", "image", NULL);
	route_req(&r, "corp");
	assert_int_equal(call(&r, flow_login), RC_OK);
	assert_int_equal(r.res.status, 403);
	tl_req_fini(&r);
	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/corp", NULL, "HTTP_SEC_FETCH_SITE", "cross-site",
	    "HTTP_SEC_FETCH_MODE", "navigate", "HTTP_SEC_FETCH_DEST", "document", NULL);
	route_req(&r, "corp");
	assert_int_equal(call(&r, flow_login), RC_OK);
	assert_int_equal(r.res.status, 302);
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/nope", NULL, NULL);
	route_req(&r, "nope");
	assert_int_equal(call(&r, flow_login), RC_NOTFOUND);
	tl_req_fini(&r);

	/* Discovery fails: a 502 page, no state cookie. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/login/disc", NULL, NULL);
	route_req(&r, "disc");
	assert_int_equal(call(&r, flow_login), RC_OK);
	assert_int_equal(r.res.status, 502);
	assert_null(tl_set_cookie(&r, 0));
	tl_req_fini(&r);
}

/* A state cookie for provider, as the login step would have set it. */
static char *
attempt(struct arena *a, const char *provider, struct login_state *st)
{
	char *name, *value;

	memset(st, 0, sizeof(*st));
	st->provider = provider;
	st->return_to = "/after";
	st->created = tl_clock;
	assert_int_equal(state_new(a, st, strcmp(provider, "gh") != 0, true), RC_OK);
	assert_int_equal(state_cookie_name(env.ctx, a, st->state, &name), RC_OK);
	assert_int_equal(state_seal(env.ctx, a, st, name, &value), RC_OK);
	return arena_printf(a, "%s=%s", name, value);
}

static void
token_answer(const char *nonce, const char *email)
{
	struct arena *a = arena_new(65536, 0);
	json_t *h = json_pack("{s:s}", "kid", "k1");
	json_t *c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:s}", "iss", IDP, "sub", "u-1",
	    "aud", "rp", "iat", (json_int_t)tl_clock, "exp", (json_int_t)tl_clock + 300,
	    "nonce", nonce, "email", email, "email_verified", 1, "name", "Eve\r\nX-Injected: 1");
	char *idt, *body;

	assert_int_equal(jwt_sign(a, JWT_RS256, key, h, c, &idt), RC_OK);
	body = arena_printf(a, "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"id_token\":\"%s\"}", idt);
	tl_route_set(IDP "/token", 200, "application/json", body);
	json_decref(h);
	json_decref(c);
	arena_free(a);
}

static void
test_callback_oidc(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state st;
	char *cookie = attempt(a, "corp", &st), *uri, session[4096];
	const char *set;
	struct tl_req r;

	(void)state;
	token_answer(st.nonce, "eve@example.com");
	uri = arena_printf(a, "/social/auth/callback/corp?code=c-1&state=%s&iss=%s", st.state,
	    "https%3A%2F%2Fidp.example.com");
	tl_req_init(&r, env.cfg, "GET", uri, cookie, NULL);
	route_req(&r, "corp");
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 303);
	assert_string_equal(header(&r, "Location"), "https://www.example.com/after");
	assert_string_equal(header(&r, "Referrer-Policy"), "no-referrer");
	/* client_secret_basic, both parts form-encoded first (RFC 6749 2.3.1). */
	assert_string_equal(tl_last_auth, "rp:s3cret%2F%2B");
	assert_non_null(strstr(tl_last_form, "grant_type=authorization_code&code=c-1&redirect_uri="));
	assert_non_null(strstr(tl_last_form, "&code_verifier="));
	assert_null(strstr(tl_last_form, "client_secret"));
	assert_non_null(strstr(tl_set_cookie(&r, 0), "Max-Age=0"));       /* state cookie gone */
	set = tl_set_cookie(&r, 1);
	assert_int_equal(strncmp(set, "__Host-socialhub_session=", 25), 0);
	snprintf(session, sizeof(session), "%.*s", (int)strcspn(set, ";"), set);
	tl_req_fini(&r);

	/* The new session passes /auth/check; the name lost its CR/LF. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/check", session, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_check), RC_OK);
	assert_int_equal(r.res.status, 204);
	assert_string_equal(header(&r, "X-Socialhub-User"), "corp:u-1");
	assert_string_equal(header(&r, "X-Socialhub-Name"), "Eve  X-Injected: 1");
	assert_string_equal(header(&r, "X-Socialhub-Email"), "eve@example.com");
	tl_req_fini(&r);

	/* /auth/me for the same session. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/me", session, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_me), RC_OK);
	assert_int_equal(r.res.status, 200);
	assert_non_null(strstr(buf_cstr(r.res.body), "\"sub\":\"u-1\""));
	tl_req_fini(&r);
	arena_free(a);
}

static void
test_callback_post_auth_and_mixing(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state st;
	char *cookie = attempt(a, "post", &st), *uri;
	struct tl_req r;

	(void)state;
	token_answer(st.nonce, "eve@example.com");
	uri = arena_printf(a, "/social/auth/callback/post?code=c-2&state=%s", st.state);
	tl_req_init(&r, env.cfg, "GET", uri, cookie, NULL);
	route_req(&r, "post");
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 303);
	assert_string_equal(tl_last_auth, ":");
	assert_non_null(strstr(tl_last_form, "&client_id=rp&client_secret=s3cret"));
	tl_req_fini(&r);

	/* HEAD never consumes an attempt: the GET that follows still works. */
	cookie = attempt(a, "post", &st);
	token_answer(st.nonce, "eve@example.com");
	uri = arena_printf(a, "/social/auth/callback/post?code=c-4&state=%s", st.state);
	tl_req_init(&r, env.cfg, "HEAD", uri, cookie, NULL);
	route_req(&r, "post");
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 400);
	assert_null(tl_set_cookie(&r, 0));
	tl_req_fini(&r);
	tl_req_init(&r, env.cfg, "GET", uri, cookie, NULL);
	route_req(&r, "post");
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 303);
	tl_req_fini(&r);

	/* A POST callback with parameters in the query as well: refused. */
	cookie = attempt(a, "post", &st);
	uri = arena_printf(a, "/social/auth/callback/post?state=%s", st.state);
	tl_req_init(&r, env.cfg, "POST", uri, cookie, NULL);
	route_req(&r, "post");
	r.req.form.items = arena_alloc(r.a, 4 * sizeof(*r.req.form.items));
	r.req.form.items[0].name = "state";
	r.req.form.items[0].value = st.state;
	r.req.form.items[1].name = "code";
	r.req.form.items[1].value = "c-3";
	r.req.form.n = 2;
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 400);
	for (size_t i = 0; tl_set_cookie(&r, i) != NULL; i++)
		assert_null(strstr(tl_set_cookie(&r, i), "socialhub_session="));
	tl_req_fini(&r);
	arena_free(a);
}

static void
test_callback_github(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct login_state st;
	char *cookie, *uri;
	struct tl_req r;

	(void)state;
	tl_route_set("https://gh.example/user", 200, "application/json",
	    "{\"id\":42,\"login\":\"octo\",\"name\":null,\"avatar_url\":\"javascript:alert(1)\","
	    "\"html_url\":\"https://github.com/octo\",\"email\":\"public@example.org\"}");
	tl_route_set("https://gh.example/user/emails", 200, "application/json",
	    "[{\"email\":\"a@example.com\",\"primary\":true,\"verified\":false},"
	    "{\"email\":\"b@example.com\",\"primary\":false,\"verified\":true}]");
	/* GitHub reports a bad code with 200 and an error member. */
	tl_route_set("https://gh.example/token", 200, "application/json",
	    "{\"error\":\"bad_verification_code\"}");
	cookie = attempt(a, "gh", &st);
	uri = arena_printf(a, "/social/auth/callback/gh?code=x&state=%s", st.state);
	tl_req_init(&r, env.cfg, "GET", uri, cookie, NULL);
	route_req(&r, "gh");
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 502);
	tl_req_fini(&r);

	tl_route_set("https://gh.example/token", 200, "application/json",
	    "{\"access_token\":\"gho_1\",\"token_type\":\"bearer\",\"scope\":\"read:user\"}");
	cookie = attempt(a, "gh", &st);
	uri = arena_printf(a, "/social/auth/callback/gh?code=y&state=%s", st.state);
	tl_req_init(&r, env.cfg, "GET", uri, cookie, NULL);
	route_req(&r, "gh");
	assert_int_equal(call(&r, flow_callback), RC_OK);
	assert_int_equal(r.res.status, 303);
	assert_non_null(strstr(tl_last_form, "client_id=ghc&client_secret=ghs"));
	{
		const char *set = tl_set_cookie(&r, 1);
		char session[4096];
		struct identity id;
		snprintf(session, sizeof(session), "%.*s", (int)(strcspn(set, ";") - 25), set + 25);
		assert_int_equal(session_open(env.ctx, r.a, session, tl_clock, &id), RC_OK);
		assert_string_equal(id.sub, "42");
		assert_string_equal(id.name, "octo");
		/* No primary verified address: no email (the public one is unverified). */
		assert_null(id.email);
		assert_false(id.email_verified);
		assert_null(id.picture);     /* javascript: URLs are dropped */
		assert_string_equal(id.profile_url, "https://github.com/octo");
	}
	tl_req_fini(&r);
	arena_free(a);
}

static void
test_check_and_logout(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct profile outsider = { .sub = "o", .email = "o@elsewhere.org", .email_verified = true };
	char *value, *cookie;
	struct tl_req r;

	(void)state;
	tl_req_init(&r, env.cfg, "GET", "/social/auth/check", NULL, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_check), RC_OK);
	assert_int_equal(r.res.status, 401);
	assert_null(header(&r, "Location"));
	tl_req_fini(&r);

	assert_int_equal(session_seal(env.ctx, a, "corp", &outsider, tl_clock, &value), RC_OK);
	cookie = arena_printf(a, "__Host-socialhub_session=%s", value);
	tl_req_init(&r, env.cfg, "GET", "/social/auth/check", cookie, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_check), RC_OK);
	assert_int_equal(r.res.status, 403);
	assert_null(header(&r, "X-Socialhub-User"));
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "POST", "/social/auth/logout", cookie, "HTTP_ORIGIN", "https://evil.example", NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_logout), RC_OK);
	assert_int_equal(r.res.status, 403);
	assert_null(tl_set_cookie(&r, 0));
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "POST", "/social/auth/logout", cookie, "HTTP_SEC_FETCH_SITE", "same-origin", NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_logout), RC_OK);
	assert_int_equal(r.res.status, 303);
	assert_string_equal(header(&r, "Location"), "https://www.example.com/");
	assert_non_null(strstr(tl_set_cookie(&r, 0), "__Host-socialhub_session=; Path=/; Max-Age=0"));
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "POST", "/social/auth/logout", cookie, "HTTP_ORIGIN", "https://www.example.com", NULL);
	route_req(&r, NULL);
	r.req.form.items = arena_alloc(r.a, sizeof(*r.req.form.items));
	r.req.form.items[0].name = "return_to";
	r.req.form.items[0].value = "https://evil.example/";
	r.req.form.n = 1;
	assert_int_equal(call(&r, pages_logout), RC_INVALID);
	tl_req_fini(&r);
	arena_free(a);
}

static void
test_pages(void **state)
{
	struct tl_req r;

	(void)state;
	tl_req_init(&r, env.cfg, "GET", "/social/auth/providers", NULL, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_providers), RC_OK);
	assert_non_null(strstr(buf_cstr(r.res.body), "{\"id\":\"gh\",\"name\":\"GitHub\",\"login_url\":\"/social/auth/login/gh\""));
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "GET", "/social/auth/login?return_to=%2Fa%22b", NULL, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_chooser), RC_OK);
	assert_int_equal(r.res.status, 200);
	assert_non_null(strstr(buf_cstr(r.res.body), "href=\"/social/auth/login/corp?return_to=%2Fa%22b\""));
	assert_non_null(strstr(header(&r, "Content-Security-Policy"), "form-action 'self' https:"));
	assert_string_equal(header(&r, "Cache-Control"), "private, no-store");
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "GET", "/social/auth/button.html", NULL, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_button), RC_OK);
	assert_non_null(strstr(buf_cstr(r.res.body), "<social-login data-state=\"signed-out\" lang=\"en\" dir=\"ltr\">"));
	tl_req_fini(&r);

	/* The signed-out page: the site's template, a way back, never cached. */
	tl_req_init(&r, env.cfg, "GET", "/social/auth/signed-out?return_to=%2Fnews", NULL, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_signed_out), RC_OK);
	assert_int_equal(r.res.status, 200);
	assert_non_null(strstr(buf_cstr(r.res.body), "<html lang=\"en\" dir=\"ltr\">"));
	assert_non_null(strstr(buf_cstr(r.res.body), "<title>Signed out</title>"));
	assert_non_null(strstr(buf_cstr(r.res.body), "<p>You are signed out.</p>"));
	assert_non_null(strstr(buf_cstr(r.res.body), "class=\"social-page__back\"><a href=\""));
	assert_non_null(strstr(buf_cstr(r.res.body), "/news\">"));
	assert_string_equal(header(&r, "Cache-Control"), "private, no-store");
	tl_req_fini(&r);
	tl_req_init(&r, env.cfg, "GET", "/social/auth/signed-out?return_to=%2F%2Fevil.example", NULL, NULL);
	route_req(&r, NULL);
	assert_int_equal(call(&r, pages_signed_out), RC_OK);
	assert_int_equal(r.res.status, 400);
	assert_null(strstr(buf_cstr(r.res.body), "evil.example"));
	tl_req_fini(&r);

	tl_req_init(&r, env.cfg, "GET", "/social/auth/icon/gh.svg", NULL, NULL);
	route_req(&r, "gh");
	assert_int_equal(call(&r, pages_icon), RC_OK);
	assert_non_null(strstr(buf_cstr(r.res.body), "fill=\"#24292f\""));
	tl_req_fini(&r);
}

/*
 * return_to as each route reads it: "/" when absent or empty; refused when
 * not a local path or sent twice; a repeated name whose first value is
 * empty is refused by login, let stand by the chooser and the button.
 */
static void
test_return_to(void **state)
{
	static const struct {
		const char *qs;
		int chooser;      /* status of GET /auth/login */
		enum rc button;   /* rc of GET /auth/button.html */
		int login;        /* status of GET /auth/login/corp */
	} cases[] = {
		{ "", 200, RC_OK, 302 },
		{ "return_to=", 200, RC_OK, 302 },
		{ "return_to=%2Fnews", 200, RC_OK, 302 },
		{ "return_to=%2F%2Fevil.example", 400, RC_INVALID, 400 },
		{ "return_to=https%3A%2F%2Fevil.example%2F", 400, RC_INVALID, 400 },
		{ "return_to=%2Fa&return_to=%2Fb", 400, RC_INVALID, 400 },
		{ "return_to=%2Fa&return_to=", 400, RC_INVALID, 400 },
		{ "return_to=&return_to=%2Fb", 200, RC_OK, 400 },
		{ "return_to=%2F%2Fx&return_to=%2Fb", 400, RC_INVALID, 400 },
	};
	struct tl_req r;
	char uri[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(uri, sizeof(uri), "/social/auth/login?%s", cases[i].qs);
		tl_req_init(&r, env.cfg, "GET", uri, NULL, NULL);
		route_req(&r, NULL);
		assert_int_equal(call(&r, pages_chooser), RC_OK);
		if (r.res.status != cases[i].chooser)
			fail_msg("chooser %s: %d", cases[i].qs, r.res.status);
		tl_req_fini(&r);
		snprintf(uri, sizeof(uri), "/social/auth/button.html?%s", cases[i].qs);
		tl_req_init(&r, env.cfg, "GET", uri, NULL, NULL);
		route_req(&r, NULL);
		if (call(&r, pages_button) != cases[i].button)
			fail_msg("button %s", cases[i].qs);
		tl_req_fini(&r);
		snprintf(uri, sizeof(uri), "/social/auth/login/corp?%s", cases[i].qs);
		tl_req_init(&r, env.cfg, "GET", uri, NULL, NULL);
		route_req(&r, "corp");
		assert_int_equal(call(&r, flow_login), RC_OK);
		if (r.res.status != cases[i].login)
			fail_msg("login %s: %d", cases[i].qs, r.res.status);
		tl_req_fini(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_callback_oidc),
		cmocka_unit_test(test_callback_post_auth_and_mixing),
		cmocka_unit_test(test_callback_github),
		cmocka_unit_test(test_check_and_logout),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_return_to),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

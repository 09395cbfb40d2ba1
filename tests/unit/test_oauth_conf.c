/* test_oauth_conf: the session/provider/access blocks — every error names
 * file:line:key; presets fill in what a provider needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "oauth_testlib.h"

#define SECRET "session { secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\" }\n"

/* Line numbers below count from 2: tl_load puts site_url on line 1. */
static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ SECRET "provider gh { preset = \"githubb\" client_id = \"a\" client_secret = \"b\" }\n",
	    "t.conf:3: preset: unknown preset \"githubb\"" },
	{ SECRET "provider gh { preset = \"github\" client_secret = \"b\" }\n",
	    "t.conf:3: client_id: missing" },
	{ SECRET "provider gh { preset = \"github\" client_id = \"a\" }\n",
	    "t.conf:3: client_secret: missing (set client_secret or client_secret_file)" },
	{ SECRET "provider gh {\n preset = \"github\"\n client_id = \"a\"\n client_secret = \"b\"\n client_secret_file = \"/etc/hostname\"\n}\n",
	    "client_secret: set client_secret or client_secret_file, not both" },
	{ SECRET "provider gh { preset = \"github\" client_id = \"a\" client_secret_file = \"/nonexistent/x\" }\n",
	    "client_secret_file: cannot read /nonexistent/x" },
	{ SECRET "provider x {\n preset = \"oidc\"\n client_id = \"a\"\n client_secret = \"b\"\n}\n",
	    "issuer: missing (an OpenID provider needs its issuer)" },
	{ SECRET "provider x { issuer = \"http://idp.example.com\" client_id = \"a\" client_secret = \"b\" }\n",
	    "t.conf:3: issuer: must be an https URL (http only on loopback)" },
	{ SECRET "provider x { issuer = \"https://user:pw@idp.example.com\" client_id = \"a\" client_secret = \"b\" }\n",
	    "t.conf:3: issuer: must be an https URL" },
	{ SECRET "provider x {\n issuer = \"https://idp.example.com\"\n token_endpoint = \"ftp://idp.example.com/t\"\n client_id = \"a\" client_secret = \"b\" }\n",
	    "t.conf:5: token_endpoint: must be an https URL" },
	{ SECRET "provider x {\n issuer = \"https://idp.example.com\"\n client_id = \"a\" client_secret = \"b\"\n algs = {\"RS256\", \"none\"}\n}\n",
	    "t.conf:6: algs: unknown or forbidden algorithm \"none\"" },
	{ SECRET "provider x { issuer = \"https://idp.example.com\" client_id = \"a\" algs = {\"HS256\"} client_secret = \"\" }\n",
	    "client_secret" },
	{ SECRET "provider x { issuer = \"https://idp.example.com\" client_id = \"a\" client_secret = \"b\" token_auth = \"jwt\" }\n",
	    "t.conf:3: token_auth: expected \"basic\" or \"post\", got \"jwt\"" },
	{ SECRET "provider x { issuer = \"https://idp.example.com\" client_id = \"a\" client_secret = \"b\" scopes = {\"email\"} }\n",
	    "scopes: must include \"openid\"" },
	{ SECRET "provider \"bad id\" { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n",
	    "provider: name \"bad id\" must be 1-32 of [A-Za-z0-9_-]" },
	{ SECRET "provider m { preset = \"mastodon\" instances = {\"mastodon.social\", \"10.0.0.1\"} }\n",
	    "t.conf:3: instances: \"10.0.0.1\" is not an instance host name" },
	{ SECRET "provider ap { preset = \"apple\" client_id = \"a\" team_id = \"T\" key_id = \"K\" }\n",
	    "private_key_file: missing (the .p8 key file)" },
	{ SECRET "provider ap { preset = \"apple\" client_id = \"a\" team_id = \"T\" key_id = \"K\" private_key_file = \"/etc/hostname\" }\n",
	    "private_key_file: /etc/hostname is open to other users" },
	{ SECRET "provider ap { preset = \"apple\" client_id = \"a\" client_secret = \"s\" team_id = \"T\" key_id = \"K\" }\n",
	    "client_secret: Apple's client secret is made from private_key_file" },
	{ "provider gh { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n",
	    "session: missing: sign-in needs session { secret_file" },
	{ "session { secret = \"short\" }\nprovider gh { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n",
	    "secret: the inline secret is not key material as `socialhub keygen` writes it" },
	{ "session {\n secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\"\n cookie_name = \"__Host-x\"\n}\n",
	    "t.conf:4: cookie_name: use 1-64 of [A-Za-z0-9_-]" },
	{ "session {\n secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\"\n lifetime = 30s\n}\n",
	    "t.conf:4: lifetime: must be a duration between 1m and 90d, got \"30s\"" },
	{ "session {\n secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\"\n lifetime = 8x\n}\n",
	    "t.conf:4: lifetime: must be a duration between 1m and 90d, got \"8x\"" },
	{ "session {\n secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\"\n old_secrets = {\"tiny\"}\n}\n",
	    "old_secrets: the inline secret is not key material" },
	{ SECRET "access {\n providers = {\"nope\"}\n}\n",
	    "providers: no provider named \"nope\"" },
	/* One rule for provider names: exact; case-only twins refused (item 9). */
	{ SECRET "provider staff { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n"
	    "provider STAFF { preset = \"gitlab\" client_id = \"a\" client_secret = \"b\" }\n",
	    "t.conf:4: provider: \"staff\" and \"STAFF\" differ only in case" },
	{ SECRET "provider staff { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n"
	    "access { providers = {\"Staff\"} }\n",
	    "providers: no provider named \"Staff\"; provider names match exactly, case included: write \"staff\"" },
	{ SECRET "access {\n emails = {\"a@@b.com\"}\n}\n",
	    "t.conf:4: emails: \"a@@b.com\" is not an email address" },
	{ SECRET "access {\n email_domains = {\"exa mple.com\"}\n}\n",
	    "t.conf:4: email_domains: \"exa mple.com\" is not a domain name" },
	{ SECRET "provider gh { preset = \"github\" client_id = \"a\" client_secret = \"b\" colour = \"red\" }\n",
	    "colour" },
};

static void
test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tl_env env = { .cfg = NULL };
		enum rc rc = tl_load(&env, bad[i].text);
		if (rc == RC_OK || strstr(env.errors, bad[i].error) == NULL)
			fail_msg("case %zu: rc %s, wanted \"%s\" in:\n%s", i, rc_str(rc),
			    bad[i].error, env.errors);
		tl_unload(&env);
	}
}

/*
 * Session secrets must be key material as `socialhub keygen` writes it,
 * in files only socialhub's user can open (issue 13, item 8): each weak
 * or exposed secret is refused with its path, the cause and the fix.
 */
static void
test_secret_material(void **state)
{
	static const struct { const char *name, *content; unsigned mode; const char *want; } files[] = {
		{ "a32.key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0600, "it decodes to 24 bytes, not 32 or more" },
		{ "sp32.key", "                                \n", 0600, "it is not base64url" },
		{ "a44.key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0600, "has only a few distinct byte values" },
		{ "zero.key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", 0600, "has only a few distinct byte values" },
		/* bytes 0, 1, 2, ... 31: all distinct, a counter */
		{ "count.key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", 0600, "follows a simple pattern" },
		{ "pw.key", "correct horse battery staple, but longer\n", 0600, "it is not base64url" },
		{ "group.key", "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\n", 0640, "is open to other users (mode 0640)" },
		{ "world.key", "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\n", 0644, "is open to other users (mode 0644)" },
	};
	char path[256], text[1024], want[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct tl_env env = { .cfg = NULL };
		assert_int_equal(tmpdir_init(&env.tmp, "oauth-unit"), 0);
		tmpdir_path(&env.tmp, files[i].name, path, sizeof(path));
		tl_write(path, files[i].content);
		assert_int_equal(chmod(path, files[i].mode), 0);
		snprintf(text, sizeof(text), "session { secret_file = \"%s\" }\n"
		    "provider gh { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n", path);
		if (tl_load(&env, text) != RC_CONFIG || strstr(env.errors, files[i].want) == NULL)
			fail_msg("%s: wanted \"%s\" in:\n%s", files[i].name, files[i].want, env.errors);
		snprintf(want, sizeof(want), "t.conf:2: secret_file: %s ", path);
		assert_non_null(strstr(env.errors, want));
		snprintf(want, sizeof(want), "socialhub keygen > %s; chmod 600 %s", path, path);
		assert_non_null(strstr(env.errors, want));
		/* Never the secret itself. */
		assert_null(strstr(env.errors, "MY01LYI8"));
		tl_unload(&env);
	}
}

/* old_secrets_file and client_secret_file are private too; a weak old
 * secret is named by its line. */
static void
test_secret_files(void **state)
{
	struct tl_env env = { .cfg = NULL };
	char cur[256], old[256], cs[256], text[2048];

	(void)state;
	assert_int_equal(tmpdir_init(&env.tmp, "oauth-unit"), 0);
	tmpdir_path(&env.tmp, "session.key", cur, sizeof(cur));
	tmpdir_path(&env.tmp, "session.old", old, sizeof(old));
	tmpdir_path(&env.tmp, "gh.secret", cs, sizeof(cs));
	tl_write(cur, "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\n");
	tl_write(old, "# last month\naQY3-FvIMOGAHTrdS5nQNb3rlnWD2h0YswNOhkq000A\n");
	tl_write(cs, "gh-client-secret\n");
	assert_int_equal(chmod(cur, 0600), 0);
	assert_int_equal(chmod(old, 0640), 0);
	assert_int_equal(chmod(cs, 0604), 0);
	snprintf(text, sizeof(text), "session { secret_file = \"%s\" old_secrets_file = \"%s\" }\n"
	    "provider gh { preset = \"github\" client_id = \"a\" client_secret_file = \"%s\" }\n",
	    cur, old, cs);
	assert_int_equal(tl_load(&env, text), RC_CONFIG);
	assert_non_null(strstr(env.errors, "old_secrets_file: "));
	assert_non_null(strstr(env.errors, "session.old is open to other users (mode 0640)"));
	assert_non_null(strstr(env.errors, "client_secret_file: "));
	assert_non_null(strstr(env.errors, "gh.secret is open to other users (mode 0604)"));
	assert_non_null(strstr(env.errors, "chmod 600 "));
	tl_unload(&env);

	env = (struct tl_env){ .cfg = NULL };
	assert_int_equal(tmpdir_init(&env.tmp, "oauth-unit"), 0);
	tmpdir_path(&env.tmp, "session.key", cur, sizeof(cur));
	tmpdir_path(&env.tmp, "session.old", old, sizeof(old));
	tl_write(cur, "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\n");
	tl_write(old, "# last month\naQY3-FvIMOGAHTrdS5nQNb3rlnWD2h0YswNOhkq000A\n\n"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	assert_int_equal(chmod(cur, 0600), 0);
	assert_int_equal(chmod(old, 0400), 0);
	snprintf(text, sizeof(text), "session { secret_file = \"%s\" old_secrets_file = \"%s\" }\n"
	    "provider gh { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n", cur, old);
	assert_int_equal(tl_load(&env, text), RC_CONFIG);
	assert_non_null(strstr(env.errors, "line 4 of "));
	assert_non_null(strstr(env.errors, "session.old is not key material"));
	tl_unload(&env);

	/* A private Apple key file is read, then judged as a key. */
	env = (struct tl_env){ .cfg = NULL };
	assert_int_equal(tmpdir_init(&env.tmp, "oauth-unit"), 0);
	tmpdir_path(&env.tmp, "apple.p8", cs, sizeof(cs));
	tl_write(cs, "not a key\n");
	assert_int_equal(chmod(cs, 0600), 0);
	snprintf(text, sizeof(text), SECRET "provider ap { preset = \"apple\" client_id = \"a\" "
	    "team_id = \"T\" key_id = \"K\" private_key_file = \"%s\" }\n", cs);
	assert_int_equal(tl_load(&env, text), RC_CONFIG);
	assert_non_null(strstr(env.errors, "apple.p8 is not an EC private key"));
	tl_unload(&env);
}

/* One run reports every problem, not just the first. */
static void
test_all_errors_at_once(void **state)
{
	struct tl_env env = { .cfg = NULL };

	(void)state;
	assert_int_equal(tl_load(&env, SECRET
	    "provider a { preset = \"nope\" }\n"
	    "provider b { preset = \"github\" client_id = \"x\" }\n"
	    "access { providers = {\"zzz\"} }\n"), RC_CONFIG);
	assert_non_null(strstr(env.errors, "t.conf:3: preset"));
	assert_non_null(strstr(env.errors, "client_secret: missing"));
	assert_non_null(strstr(env.errors, "providers: no provider named \"zzz\""));
	tl_unload(&env);
}

/* Each list entry is checked once, on its line: also after `+=` and in a
 * list given again (which the old checks skipped: algs = {"none"} loaded). */
static void
test_list_entries(void **state)
{
	static const char *const want[] = {
		"t.conf:6: algs: unknown or forbidden algorithm \"none\"",
		"t.conf:7: algs: unknown or forbidden algorithm \"HS1\"",
		"t.conf:10: instances: \"10.0.0.1\" is not an instance host name",
		"t.conf:13: emails: \"bad\" is not an email address",
		"t.conf:14: email_domains: \"nodot\" is not a domain name",
	};
	struct tl_env env = { .cfg = NULL };
	const char *hit;

	(void)state;
	assert_int_equal(tl_load(&env, SECRET
	    "provider x {\n issuer = \"https://idp.example.com\" client_id = \"a\" client_secret = \"b\"\n"
	    " algs = {\"RS256\"}\n algs = {\"none\"}\n"
	    " algs += {\"ES256\", \"HS1\"}\n}\n"
	    "provider m { preset = \"mastodon\" instances = {\"a.example\"}\n"
	    " instances = {\"10.0.0.1\"} }\n"
	    "access {\n emails = {\"a@b.example\"}\n"
	    " emails = {\"bad\"}\n"
	    " email_domains = {\".example.com\"} email_domains += {\"nodot\"}\n}\n"), RC_CONFIG);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		hit = strstr(env.errors, want[i]);
		if (hit == NULL)
			fail_msg("missing \"%s\" in:\n%s", want[i], env.errors);
		assert_null(strstr(hit + 1, want[i]));
	}
	tl_unload(&env);
}

/* Whole words of the space-separated list only (conf.c's openid check and
 * profile.c's X email scope both ask). */
static void
test_has_scope(void **state)
{
	struct provider p = { .scopes = "openid email users.email" };

	(void)state;
	assert_true(provider_has_scope(&p, "openid"));
	assert_true(provider_has_scope(&p, "email"));
	assert_true(provider_has_scope(&p, "users.email"));
	assert_false(provider_has_scope(&p, "open"));
	assert_false(provider_has_scope(&p, "users"));
	assert_false(provider_has_scope(&p, "mail"));
	assert_false(provider_has_scope(&p, ""));
	p.scopes = "";
	assert_false(provider_has_scope(&p, "openid"));
	p.scopes = NULL;
	assert_false(provider_has_scope(&p, "openid"));
	p.scopes = "openid  profile ";
	assert_true(provider_has_scope(&p, "profile"));
}

static struct provider *
load_one(struct tl_env *env, const char *block)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", SECRET, block);
	if (tl_load(env, text) != RC_OK)
		fail_msg("load failed:\n%s", env->errors);
	return &env->ctx->providers[0];
}

static void
test_presets(void **state)
{
	struct tl_env env = { .cfg = NULL };
	struct provider *p;

	(void)state;
	p = load_one(&env, "provider gh { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n");
	assert_int_equal(p->kind, KIND_OAUTH2);
	assert_true(p->pkce);
	assert_false(p->nonce);
	assert_string_equal(p->scopes, "read:user user:email");
	assert_string_equal(p->redirect_uri, "https://www.example.com/social/auth/callback/gh");
	assert_string_equal(p->display_name, "GitHub");
	assert_true(p->cache.meta_loaded);
	assert_string_equal(p->cache.meta.token_endpoint, "https://github.com/login/oauth/access_token");
	tl_unload(&env);

	p = load_one(&env, "provider x { preset = \"x\" client_id = \"a\" client_secret = \"b\" }\n");
	assert_int_equal(p->token_auth, AUTH_BASIC);
	assert_true(p->pkce);
	tl_unload(&env);

	p = load_one(&env, "provider li { preset = \"linkedin\" client_id = \"a\" client_secret = \"b\" }\n");
	assert_int_equal(p->token_auth, AUTH_POST);
	assert_false(p->nonce);
	assert_false(p->pkce);
	assert_string_equal(p->issuer, "https://www.linkedin.com/oauth");
	tl_unload(&env);

	p = load_one(&env, "provider g { preset = \"google\" client_id = \"a\" client_secret = \"b\" nonce = false pkce = false }\n");
	assert_string_equal(p->discovery_url, "https://accounts.google.com/.well-known/openid-configuration");
	assert_string_equal(p->alt_issuer, "accounts.google.com");
	assert_false(p->nonce);
	assert_false(p->pkce);
	assert_false(p->userinfo);
	tl_unload(&env);

	p = load_one(&env, "provider ms { preset = \"microsoft\" client_id = \"a\" client_secret = \"b\" tenants = {\"contoso.onmicrosoft.com\"} }\n");
	assert_string_equal(p->discovery_url,
	    "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration");
	assert_string_equal(p->issuer, "https://login.microsoftonline.com/{tenantid}/v2.0");
	assert_true(p->flags & PRESET_EMAIL_UNTRUSTED);
	tl_unload(&env);

	p = load_one(&env, "provider gl { preset = \"gitlab\" issuer = \"https://git.example.org\" client_id = \"a\" client_secret = \"b\" }\n");
	assert_string_equal(p->discovery_url, "https://git.example.org/.well-known/openid-configuration");
	tl_unload(&env);

	p = load_one(&env, "provider m { preset = \"mastodon\" instances = {\"mastodon.social\"} }\n");
	assert_false(p->any_instance);
	assert_null(p->client_id);
	tl_unload(&env);

	p = load_one(&env, "provider corp { issuer = \"https://idp.example.com/\" client_id = \"a\" client_secret = \"b\" "
	    "redirect_uri = \"https://www.example.com/cb\" scopes = {\"openid\", \"email\"} algs = {\"ES256\", \"PS256\"} token_auth = \"post\" userinfo = false }\n");
	assert_string_equal(p->discovery_url, "https://idp.example.com/.well-known/openid-configuration");
	assert_string_equal(p->redirect_uri, "https://www.example.com/cb");
	assert_string_equal(p->scopes, "openid email");
	assert_int_equal(p->algs, JWT_ALG_BIT(JWT_ES256) | JWT_ALG_BIT(JWT_PS256));
	assert_int_equal(p->token_auth, AUTH_POST);
	assert_false(p->userinfo);
	assert_string_equal(p->display_name, "corp");
	tl_unload(&env);
}

static void
test_session_defaults(void **state)
{
	struct tl_env env = { .cfg = NULL };

	(void)state;
	assert_int_equal(tl_load(&env, SECRET), RC_OK);
	assert_int_equal(env.ctx->lifetime, 8 * 3600);
	assert_string_equal(env.ctx->cookie_name, "__Host-socialhub_session");
	assert_true(env.ctx->secure);
	assert_int_equal(env.ctx->session_keys.n, 1);
	tl_unload(&env);
	/* No providers and no secret: the feature is simply idle. */
	assert_int_equal(tl_load(&env, ""), RC_OK);
	assert_int_equal(env.ctx->nproviders, 0);
	assert_int_equal(env.ctx->session_keys.n, 0);
	tl_unload(&env);
}

/* The keygen form decodes to the key material; the key id follows the key. */
static void
test_key_ids(void **state)
{
	struct keyring r1 = { .n = 0 }, r2 = { .n = 0 };

	(void)state;
	assert_int_equal(keyring_add(&r1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "i"), RC_OK);
	assert_int_equal(keyring_add(&r2, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "i"), RC_OK);
	assert_int_equal(strlen(r1.kids[0]), OAUTH_KID_LEN);
	assert_string_not_equal(r1.kids[0], r2.kids[0]);
	assert_int_equal(keyring_add(&r2, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "other purpose"), RC_OK);
	assert_memory_not_equal(r1.keys[0], r2.keys[1], CRYPTO_KEY_LEN);
	for (int i = 0; i < OAUTH_KEYS_MAX - 2; i++)
		assert_int_equal(keyring_add(&r2, "a text secret of sufficient length!!", "i"), RC_OK);
	assert_int_equal(keyring_add(&r2, "one too many secrets for the ring!!!", "i"), RC_LIMIT);
	keyring_wipe(&r1);
	assert_int_equal(r1.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_secret_material),
		cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_list_entries),
		cmocka_unit_test(test_has_scope),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_session_defaults),
		cmocka_unit_test(test_key_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

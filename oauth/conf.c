/* conf: the session/provider/access config blocks, checked and loaded. */
#include "oauth/oauth_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "fcgi/config.h"
#include "util/cfgval.h"
#include "util/domain.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/netpolicy.h"
#include "util/url.h"

#define SECRET_MIN 32
#define DEFAULT_LIFETIME (8 * 3600)
#define DEFAULT_COOKIE "socialhub_session"

static int cb_lifetime(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_alg(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_instance(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_domain(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_email(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

static cfg_opt_t session_opts[] = {
	CFG_STR("secret", NULL, CFGF_NODEFAULT),
	CFG_STR("secret_file", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("old_secrets", NULL, CFGF_NODEFAULT),
	CFG_STR("old_secrets_file", NULL, CFGF_NODEFAULT),
	CFG_INT_CB("lifetime", DEFAULT_LIFETIME, CFGF_NONE, cb_lifetime),
	CFG_STR("cookie_name", DEFAULT_COOKIE, CFGF_NONE),
	CFG_STR("identity_encoding", "utf-8", CFGF_NONE),
	CFG_END(),
};

static cfg_opt_t provider_opts[] = {
	CFG_STR("preset", NULL, CFGF_NODEFAULT),
	CFG_STR("display_name", NULL, CFGF_NODEFAULT),
	CFG_STR("issuer", NULL, CFGF_NODEFAULT),
	CFG_STR("discovery_url", NULL, CFGF_NODEFAULT),
	CFG_STR("authorization_endpoint", NULL, CFGF_NODEFAULT),
	CFG_STR("token_endpoint", NULL, CFGF_NODEFAULT),
	CFG_STR("userinfo_endpoint", NULL, CFGF_NODEFAULT),
	CFG_STR("jwks_uri", NULL, CFGF_NODEFAULT),
	CFG_STR("end_session_endpoint", NULL, CFGF_NODEFAULT),
	CFG_STR("client_id", NULL, CFGF_NODEFAULT),
	CFG_STR("client_secret", NULL, CFGF_NODEFAULT),
	CFG_STR("client_secret_file", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("scopes", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("algs", NULL, CFGF_NODEFAULT, check_alg),
	CFG_STR("token_auth", NULL, CFGF_NODEFAULT),
	CFG_BOOL("pkce", cfg_true, CFGF_NODEFAULT),
	CFG_BOOL("nonce", cfg_true, CFGF_NODEFAULT),
	CFG_BOOL("userinfo", cfg_false, CFGF_NODEFAULT),
	CFG_BOOL("rp_logout", cfg_false, CFGF_NONE),
	CFG_STR("post_logout_redirect_uri", NULL, CFGF_NODEFAULT),
	CFG_STR("redirect_uri", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("trusted_audiences", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("tenants", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("instances", NULL, CFGF_NODEFAULT, check_instance),
	CFG_STR("api_base", NULL, CFGF_NODEFAULT),
	CFG_STR("team_id", NULL, CFGF_NODEFAULT),
	CFG_STR("key_id", NULL, CFGF_NODEFAULT),
	CFG_STR("private_key_file", NULL, CFGF_NODEFAULT),
	CFG_END(),
};

static cfg_opt_t access_opts[] = {
	CFG_STR_LIST("providers", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("email_domains", NULL, CFGF_NODEFAULT, check_domain),
	CFG_STR_LIST_CB("emails", NULL, CFGF_NODEFAULT, check_email),
	CFG_END(),
};

cfg_opt_t oauth_opts[] = {
	/* MULTI (at most one, checked later) so that they carry their file name. */
	CFG_SEC("session", session_opts, CFGF_MULTI),
	CFG_SEC("provider", provider_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("access", access_opts, CFGF_MULTI),
	CFG_END(),
};

static const char *const url_keys[] = {
	"issuer", "discovery_url", "authorization_endpoint", "token_endpoint",
	"userinfo_endpoint", "jwks_uri", "end_session_endpoint",
	"post_logout_redirect_uri", "redirect_uri", "api_base", NULL,
};

/* ---- per-key checks: run while parsing, so errors carry the key's line */

static void
report(cfg_t *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cfg_error, with the format checked. */
static void
report(cfg_t *cfg, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_error(cfg, "%s", msg);
}

static int
check_preset(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (preset_find(v) == NULL)
		report(cfg, "KEY preset: unknown preset \"%s\" (github, google, facebook, "
		    "linkedin, x, microsoft, gitlab, apple, mastodon, oidc)", v);
	return 0;
}

static int
check_url(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!oauth_url_ok(v))
		report(cfg, "KEY %s: must be an https URL (http only on loopback), got \"%s\"",
		    opt->name, v);
	return 0;
}

static int
check_token_auth(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (strcmp(v, "basic") != 0 && strcmp(v, "post") != 0)
		report(cfg, "KEY token_auth: expected \"basic\" or \"post\", got \"%s\"", v);
	return 0;
}

/* List entries: value callbacks, called once per entry (config.h). */
static int
check_alg(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	enum jwt_alg alg;

	(void)opt;
	if (!jwt_alg_parse(value, &alg))
		report(cfg, "KEY algs: unknown or forbidden algorithm \"%s\" "
		    "(RS256..512, PS256..512, ES256..512, EdDSA, HS256..512)", value);
	return cfgval_keep(value, result);
}

static int
check_domain(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const char *v = value[0] == '.' ? value + 1 : value;

	if (!url_host_name_ok(v, true) || strchr(v, '.') == NULL)
		report(cfg, "KEY %s: \"%s\" is not a domain name", opt->name, value);
	return cfgval_keep(value, result);
}

static int
check_instance(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	(void)opt;
	if (strcmp(value, "*") != 0 && !mastodon_host_valid(value))
		report(cfg, "KEY instances: \"%s\" is not an instance host name", value);
	return cfgval_keep(value, result);
}

static int
check_email(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	(void)opt;
	if (!access_email_valid(value))
		report(cfg, "KEY emails: \"%s\" is not an email address", value);
	return cfgval_keep(value, result);
}

static int
check_cookie_name(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t n = strlen(v);
	bool ok = n > 0 && n <= 64 && strncmp(v, "__", 2) != 0;

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-';
	if (!ok)
		report(cfg, "KEY cookie_name: use 1-64 of [A-Za-z0-9_-], not starting with \"__\" "
		    "(the __Host- prefix is added on HTTPS sites)");
	return 0;
}

/* The identity_encoding names, by enum identity_encoding. */
static const char *const identity_encodings[] = { "utf-8", "rfc8187", "base64", NULL };

static int
identity_encoding_of(const char *v)
{
	for (int i = 0; identity_encodings[i] != NULL; i++)
		if (strcmp(v, identity_encodings[i]) == 0)
			return i;
	return -1;
}

static int
check_identity_encoding(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (identity_encoding_of(v) < 0)
		report(cfg, "KEY identity_encoding: use \"utf-8\", \"rfc8187\" or \"base64\", "
		    "not \"%s\"", v);
	return 0;
}

/* A duration between a minute and 90 days. */
static int
cb_lifetime(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	long v;

	(void)opt;
	if (!cfgval_parse_duration(value, &v) || v < 60 || v > 90L * 86400) {
		report(cfg, "KEY lifetime: must be a duration between 1m and 90d, got \"%s\"", value);
		v = DEFAULT_LIFETIME;
	}
	*(long *)result = v;
	return 0;
}

/* Section titles are provider ids: they appear in URLs and cookie names. */
static int
check_provider_title(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	const char *id = sec != NULL ? cfg_title(sec) : NULL;

	if (id != NULL && !provider_id_valid(id))
		report(cfg, "KEY provider: name \"%s\" must be 1-%d of [A-Za-z0-9_-]", id,
		    OAUTH_ID_MAX);
	return 0;
}

void
oauth_checks(cfg_t *root)
{
	char key[64];

	cfg_set_validate_func(root, "provider", check_provider_title);
	cfg_set_validate_func(root, "provider|preset", check_preset);
	cfg_set_validate_func(root, "provider|token_auth", check_token_auth);
	for (size_t i = 0; url_keys[i] != NULL; i++) {
		snprintf(key, sizeof(key), "provider|%s", url_keys[i]);
		cfg_set_validate_func(root, key, check_url);
	}
	cfg_set_validate_func(root, "session|cookie_name", check_cookie_name);
	cfg_set_validate_func(root, "session|identity_encoding", check_identity_encoding);
}

/* ---- loading: cross-key rules, secrets, the per-process context */

static char *
adup(struct oauth_ctx *ctx, const char *s)
{
	return s != NULL ? arena_strdup(ctx->arena, s) : NULL;
}

/* Copies a string list option into an arena array. */
static char **
alist(struct oauth_ctx *ctx, cfg_t *sec, const char *key, size_t *n)
{
	char **out;

	*n = cfg_size(sec, key);
	out = arena_calloc(ctx->arena, *n + 1, sizeof(char *));
	for (size_t i = 0; out != NULL && i < *n; i++)
		out[i] = adup(ctx, cfg_getnstr(sec, key, (unsigned)i));
	return out;
}

static bool
opt_set(cfg_t *sec, const char *key)
{
	return cfg_size(sec, key) > 0;
}

static bool
bool_or(cfg_t *sec, const char *key, bool def)
{
	return opt_set(sec, key) ? cfg_getbool(sec, key) != cfg_false : def;
}

/*
 * Why a session secret is not key material as `socialhub keygen` writes
 * it (base64url of 32 or more bytes that look random), or NULL when it
 * is. A password, 32 x "a" or spaces would let whoever guesses them seal
 * a session for anybody. cause[] holds the words when they need a number.
 */
static const char *
secret_weakness(const char *secret, char *cause, size_t causelen, enum rc *rc)
{
	struct arena *a = arena_new(256, 0);
	const char *why = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = 0;

	*rc = RC_OK;
	if (a == NULL) {
		*rc = RC_NOMEM;
		return NULL;
	}
	if (crypto_b64url_decode(a, secret, strlen(secret), &raw, &rawlen) != RC_OK) {
		why = "it is not base64url";
	} else if (rawlen < SECRET_MIN) {
		snprintf(cause, causelen, "it decodes to %zu bytes, not %d or more", rawlen,
		    SECRET_MIN);
		why = cause;
	} else if (!crypto_key_plausible(raw, rawlen, &why)) {
		snprintf(cause, causelen, "its bytes are not random: it %s", why);
		why = cause;
	}
	if (raw != NULL)
		OPENSSL_cleanse(raw, rawlen);
	arena_free(a);
	return why;
}

/*
 * Refuses a weak session secret: the message names where it is (`path`,
 * with `line` for old_secrets_file, or the inline `key`), the cause and
 * the fix; the secret itself is never printed.
 */
static enum rc
secret_check(const struct config *cfg, cfg_t *sec, const char *key, const char *path,
    int line, const char *secret)
{
	char cause[128];
	enum rc rc;
	const char *why = secret_weakness(secret, cause, sizeof(cause), &rc);

	if (why == NULL)
		return rc;
	if (path == NULL)
		return config_error(cfg, sec, key, "the inline secret is not key material as "
		    "`socialhub keygen` writes it (base64url of %d random bytes): %s; fix: "
		    "socialhub keygen > FILE; chmod 600 FILE, and set secret_file = \"FILE\" "
		    "instead", SECRET_MIN, why);
	if (line > 0)
		return config_error(cfg, sec, key, "line %d of %s is not key material as "
		    "`socialhub keygen` writes it (base64url of %d random bytes): %s; fix: "
		    "delete that line (sessions sealed with it end)", line, path, SECRET_MIN, why);
	return config_error(cfg, sec, key, "%s is not key material as `socialhub keygen` "
	    "writes it (base64url of %d random bytes): %s; fix: socialhub keygen > %s; "
	    "chmod 600 %s", path, SECRET_MIN, why, path, path);
}

static enum rc
add_secret(struct oauth_ctx *ctx, const char *secret)
{
	enum rc rc = keyring_add(&ctx->session_keys, secret, "socialhub session v1");

	if (rc == RC_OK)
		rc = keyring_add(&ctx->state_keys, secret, "socialhub state v1");
	return rc;
}

/* old_secrets_file: one secret per line, blank lines and '#' comments
 * skipped; private to socialhub's user like the current secret. */
static enum rc
load_old_secrets_file(const struct config *cfg, struct oauth_ctx *ctx, cfg_t *sec)
{
	const char *path = cfg_getstr(sec, "old_secrets_file");
	char *data, *line, *next;
	size_t len;
	int lineno = 0;
	enum rc rc = RC_OK;

	if (path == NULL)
		return RC_OK;
	if (config_secret_read(cfg, sec, "old_secrets_file", path, true, &data, &len) != RC_OK)
		return RC_CONFIG;
	for (line = data; line != NULL && rc == RC_OK; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		rc = secret_check(cfg, sec, "old_secrets_file", path, lineno, line);
		if (rc == RC_OK && (rc = add_secret(ctx, line)) == RC_LIMIT)
			rc = config_error(cfg, sec, "old_secrets_file", "at most %d old secrets",
			    OAUTH_KEYS_MAX - 1);
	}
	config_secret_wipe(data, len);
	return rc;
}

static enum rc
load_session(const struct config *cfg, struct oauth_ctx *ctx, bool need)
{
	cfg_t *sec = cfg_size(cfg->root, "session") > 0 ? cfg_getnsec(cfg->root, "session", 0) : NULL;
	char *secret = NULL;
	enum rc rc;
	int enc;

	if (cfg_size(cfg->root, "session") > 1)
		return config_error(cfg, cfg_getnsec(cfg->root, "session", 1), "session",
		    "given more than once");
	ctx->lifetime = sec != NULL ? cfg_getint(sec, "lifetime") : DEFAULT_LIFETIME;
	ctx->cookie_name = arena_printf(ctx->arena, "%s%s", ctx->secure ? "__Host-" : "",
	    sec != NULL ? cfg_getstr(sec, "cookie_name") : DEFAULT_COOKIE);
	ctx->state_prefix = arena_printf(ctx->arena, "%s_st_", ctx->cookie_name);
	if (ctx->cookie_name == NULL || ctx->state_prefix == NULL)
		return RC_NOMEM;
	enc = sec != NULL ? identity_encoding_of(cfg_getstr(sec, "identity_encoding")) : 0;
	ctx->identity_encoding = enc > 0 ? (enum identity_encoding)enc : IDENTITY_UTF8;
	if (sec == NULL)
		return need ? config_error(cfg, NULL, "session", "missing: sign-in needs "
		    "session { secret_file = \"...\" } (see `socialhub keygen`)") : RC_OK;
	if (!need && cfg_getstr(sec, "secret") == NULL && cfg_getstr(sec, "secret_file") == NULL)
		return RC_OK;
	rc = config_secret(cfg, sec, "secret", true, &secret);
	if (rc != RC_OK)
		return rc;
	rc = cfg_getstr(sec, "secret") != NULL ? secret_check(cfg, sec, "secret", NULL, 0, secret)
	    : secret_check(cfg, sec, "secret_file", cfg_getstr(sec, "secret_file"), 0, secret);
	if (rc == RC_OK)
		rc = add_secret(ctx, secret);
	config_secret_wipe(secret, strlen(secret));
	for (unsigned i = 0; rc == RC_OK && i < cfg_size(sec, "old_secrets"); i++) {
		const char *old = cfg_getnstr(sec, "old_secrets", i);
		rc = secret_check(cfg, sec, "old_secrets", NULL, 0, old);
		if (rc == RC_OK && (rc = add_secret(ctx, old)) == RC_LIMIT)
			rc = config_error(cfg, sec, "old_secrets", "at most %d old secrets",
			    OAUTH_KEYS_MAX - 1);
	}
	if (rc == RC_OK)
		rc = load_old_secrets_file(cfg, ctx, sec);
	return rc;
}

/* The name among the first n providers that equals id but for case (and
 * is not id itself), or NULL. */
static const char *
provider_case_twin(const struct oauth_ctx *ctx, const char *id, size_t n)
{
	for (size_t i = 0; id != NULL && i < n; i++)
		if (ctx->providers[i].id != NULL && strcasecmp(ctx->providers[i].id, id) == 0 &&
		    !provider_id_equal(ctx->providers[i].id, id))
			return ctx->providers[i].id;
	return NULL;
}

static enum rc
load_access(const struct config *cfg, struct oauth_ctx *ctx)
{
	cfg_t *sec = cfg_size(cfg->root, "access") > 0 ? cfg_getnsec(cfg->root, "access", 0) : NULL;
	struct access_rules *r = &ctx->access;

	if (sec == NULL)
		return RC_OK;
	if (cfg_size(cfg->root, "access") > 1)
		return config_error(cfg, cfg_getnsec(cfg->root, "access", 1), "access",
		    "given more than once");
	r->providers = alist(ctx, sec, "providers", &r->nproviders);
	r->email_domains = alist(ctx, sec, "email_domains", &r->nemail_domains);
	r->emails = alist(ctx, sec, "emails", &r->nemails);
	for (size_t i = 0; i < r->nproviders; i++) {
		const char *near;
		if (oauth_provider_find(ctx, r->providers[i]) != NULL)
			continue;
		near = provider_case_twin(ctx, r->providers[i], ctx->nproviders);
		if (near != NULL)
			return config_error(cfg, sec, "providers", "no provider named \"%s\"; "
			    "provider names match exactly, case included: write \"%s\"",
			    r->providers[i], near);
		return config_error(cfg, sec, "providers", "no provider named \"%s\"",
		    r->providers[i]);
	}
	return RC_OK;
}

/*
 * Provider names are matched exactly (provider_id_equal); two that differ
 * only in case would look like one name to people and to any tool that
 * folds case, so they are refused.
 */
static enum rc
providers_distinct(const struct config *cfg, const struct oauth_ctx *ctx)
{
	enum rc rc = RC_OK;

	for (size_t i = 1; i < ctx->nproviders; i++) {
		const char *twin = provider_case_twin(ctx, ctx->providers[i].id, i);
		char title[OAUTH_ID_MAX + 16];
		if (twin == NULL)
			continue;
		snprintf(title, sizeof(title), "provider %s", ctx->providers[i].id);
		rc = config_error_line(cfg, config_key_line(cfg, title), "provider",
		    "\"%s\" and \"%s\" differ only in case; provider names match exactly "
		    "(in URLs, sessions and access rules), so use names that differ in more "
		    "than case", twin, ctx->providers[i].id);
	}
	return rc;
}

/* "a b c" from the scopes list, or the preset's default. */
static char *
scopes_of(struct oauth_ctx *ctx, cfg_t *sec, const struct preset *pre)
{
	struct buf b;
	char *s;

	if (!opt_set(sec, "scopes"))
		return adup(ctx, pre->scopes);
	buf_init(&b, 2048);
	for (unsigned i = 0; i < cfg_size(sec, "scopes"); i++)
		buf_appendf(&b, "%s%s", i > 0 ? " " : "", cfg_getnstr(sec, "scopes", i));
	s = adup(ctx, buf_cstr(&b));
	buf_fini(&b);
	return s;
}

static unsigned
algs_of(cfg_t *sec, const struct preset *pre)
{
	unsigned mask = 0;
	enum jwt_alg alg;

	for (unsigned i = 0; i < cfg_size(sec, "algs"); i++)
		if (jwt_alg_parse(cfg_getnstr(sec, "algs", i), &alg))
			mask |= JWT_ALG_BIT(alg);
	if (mask == 0)
		mask = pre->algs != 0 ? pre->algs : JWT_ALG_BIT(JWT_RS256);
	return mask;
}

/* Replaces the first "{tenant}" in tmpl with tenant. */
static char *
fill_tenant(struct oauth_ctx *ctx, const char *tmpl, const char *tenant)
{
	const char *at = tmpl != NULL ? strstr(tmpl, "{tenant}") : NULL;

	if (at == NULL)
		return adup(ctx, tmpl);
	return arena_printf(ctx->arena, "%.*s%s%s", (int)(at - tmpl), tmpl, tenant, at + 8);
}

static void
load_endpoints(struct oauth_ctx *ctx, cfg_t *sec, struct provider *p)
{
	const struct preset *pre = p->preset;
	const char *tenant = p->ntenants > 0 ? p->tenants[0] : "common";

	p->issuer = adup(ctx, cfg_getstr(sec, "issuer") ? cfg_getstr(sec, "issuer") : pre->issuer);
	p->alt_issuer = adup(ctx, pre->alt_issuer);
	p->discovery_url = fill_tenant(ctx, cfg_getstr(sec, "discovery_url")
	    ? cfg_getstr(sec, "discovery_url") : pre->discovery_url, tenant);
	p->conf.authorization_endpoint = adup(ctx, cfg_getstr(sec, "authorization_endpoint")
	    ? cfg_getstr(sec, "authorization_endpoint") : pre->authorization_endpoint);
	p->conf.token_endpoint = adup(ctx, cfg_getstr(sec, "token_endpoint")
	    ? cfg_getstr(sec, "token_endpoint") : pre->token_endpoint);
	p->conf.userinfo_endpoint = adup(ctx, cfg_getstr(sec, "userinfo_endpoint")
	    ? cfg_getstr(sec, "userinfo_endpoint") : pre->userinfo_endpoint);
	p->conf.jwks_uri = adup(ctx, cfg_getstr(sec, "jwks_uri")
	    ? cfg_getstr(sec, "jwks_uri") : pre->jwks_uri);
	p->conf.end_session_endpoint = adup(ctx, cfg_getstr(sec, "end_session_endpoint"));
	p->conf.issuer = p->issuer;
	/* An OIDC provider without all its endpoints is found by discovery. */
	if (p->kind == KIND_OIDC && p->discovery_url == NULL && p->issuer != NULL &&
	    (p->conf.authorization_endpoint == NULL || p->conf.token_endpoint == NULL ||
	    p->conf.jwks_uri == NULL)) {
		size_t n = strlen(p->issuer);
		p->discovery_url = arena_printf(ctx->arena, "%.*s/.well-known/openid-configuration",
		    (int)(n > 0 && p->issuer[n - 1] == '/' ? n - 1 : n), p->issuer);
	}
}

static enum rc
load_client_secret(const struct config *cfg, cfg_t *sec, struct provider *p)
{
	bool has = cfg_getstr(sec, "client_secret") != NULL ||
	    cfg_getstr(sec, "client_secret_file") != NULL;

	if (!p->preset->needs_secret && !has)
		return RC_OK;
	if ((p->flags & PRESET_APPLE) && has)
		return config_error(cfg, sec, "client_secret", "Apple's client secret is made "
		    "from private_key_file; do not set client_secret");
	if (config_secret(cfg, sec, "client_secret", false, &p->client_secret) != RC_OK)
		return RC_CONFIG;
	if (*p->client_secret == '\0')
		return config_error(cfg, sec, "client_secret", "is empty");
	return RC_OK;
}

static enum rc
load_apple(const struct config *cfg, cfg_t *sec, struct provider *p, struct oauth_ctx *ctx)
{
	const char *path = cfg_getstr(sec, "private_key_file");
	char *pem;
	size_t len;
	enum rc rc;

	p->team_id = adup(ctx, cfg_getstr(sec, "team_id"));
	p->key_id = adup(ctx, cfg_getstr(sec, "key_id"));
	if (p->team_id == NULL)
		return config_error(cfg, sec, "team_id", "missing (your Apple developer Team ID)");
	if (p->key_id == NULL)
		return config_error(cfg, sec, "key_id", "missing (the Key ID of the .p8 key)");
	if (path == NULL)
		return config_error(cfg, sec, "private_key_file", "missing (the .p8 key file)");
	if (config_secret_read(cfg, sec, "private_key_file", path, false, &pem, &len) != RC_OK)
		return RC_CONFIG;
	rc = jwt_pem_private(pem, len, &p->apple_key);
	config_secret_wipe(pem, len);
	if (rc != RC_OK || !EVP_PKEY_is_a(p->apple_key, "EC"))
		return config_error(cfg, sec, "private_key_file", "%s is not an EC private key "
		    "in PEM (PKCS#8) form", path);
	return RC_OK;
}

/* Cross-key rules that need the whole provider block. */
static enum rc
provider_rules(const struct config *cfg, cfg_t *sec, struct provider *p)
{
	if (p->client_id == NULL && !(p->flags & PRESET_MASTODON))
		return config_error(cfg, sec, "client_id", "missing");
	if (p->kind == KIND_OIDC && p->issuer == NULL)
		return config_error(cfg, sec, "issuer", "missing (an OpenID provider needs its issuer)");
	if (p->kind == KIND_OIDC && !(p->flags & PRESET_APPLE) && !provider_has_scope(p, "openid"))
		return config_error(cfg, sec, "scopes", "must include \"openid\"");
	if (p->kind == KIND_OAUTH2 && !(p->flags & PRESET_MASTODON) &&
	    (p->conf.authorization_endpoint == NULL || p->conf.token_endpoint == NULL ||
	    p->conf.userinfo_endpoint == NULL))
		return config_error(cfg, sec, "preset", "an OAuth 2 provider needs its endpoints");
	if ((p->algs & JWT_ALGS_HMAC) && (p->client_secret == NULL || strlen(p->client_secret) < 32))
		return config_error(cfg, sec, "algs", "HS* algorithms need a client_secret of 32+ bytes "
		    "(RFC 7518 3.2)");
	if ((p->flags & PRESET_MS_TENANT) && !opt_set(sec, "tenants"))
		return RC_OK; /* common: any tenant */
	return RC_OK;
}

static enum rc
load_provider(const struct config *cfg, struct oauth_ctx *ctx, cfg_t *sec, struct provider *p)
{
	const char *token_auth = cfg_getstr(sec, "token_auth");
	enum rc rc;

	p->preset = preset_find(cfg_getstr(sec, "preset"));
	p->id = adup(ctx, cfg_title(sec));
	if (p->preset == NULL || p->id == NULL || !provider_id_valid(p->id))
		return RC_CONFIG; /* reported by the per-key checks */
	p->kind = p->preset->kind;
	p->profile = p->preset->profile;
	p->flags = p->preset->flags;
	p->display_name = adup(ctx, cfg_getstr(sec, "display_name") ? cfg_getstr(sec, "display_name")
	    : p->preset->display_name != NULL ? p->preset->display_name : p->id);
	p->icon_color = adup(ctx, p->preset->icon_color);
	p->client_id = adup(ctx, cfg_getstr(sec, "client_id"));
	p->tenants = alist(ctx, sec, "tenants", &p->ntenants);
	p->instances = alist(ctx, sec, "instances", &p->ninstances);
	p->any_instance = p->ninstances == 0;
	for (size_t i = 0; i < p->ninstances; i++)
		p->any_instance |= strcmp(p->instances[i], "*") == 0;
	p->trusted_audiences = alist(ctx, sec, "trusted_audiences", &p->ntrusted_audiences);
	p->api_base = adup(ctx, cfg_getstr(sec, "api_base"));
	load_endpoints(ctx, sec, p);
	p->scopes = scopes_of(ctx, sec, p->preset);
	p->algs = algs_of(sec, p->preset);
	p->token_auth = token_auth == NULL ? p->preset->token_auth
	    : strcmp(token_auth, "basic") == 0 ? AUTH_BASIC : AUTH_POST;
	p->pkce = bool_or(sec, "pkce", p->preset->pkce);
	p->nonce = p->kind == KIND_OIDC && bool_or(sec, "nonce", p->preset->nonce);
	/* Generic OIDC: names and emails often live only at userinfo. */
	p->userinfo = p->kind == KIND_OIDC &&
	    bool_or(sec, "userinfo", p->preset == preset_find("oidc"));
	p->rp_logout = cfg_getbool(sec, "rp_logout") != cfg_false;
	p->redirect_uri = cfg_getstr(sec, "redirect_uri") ? adup(ctx, cfg_getstr(sec, "redirect_uri"))
	    : arena_printf(ctx->arena, "%s%s/auth/callback/%s", cfg->site_url, cfg->mount, p->id);
	p->post_logout_redirect_uri = cfg_getstr(sec, "post_logout_redirect_uri")
	    ? adup(ctx, cfg_getstr(sec, "post_logout_redirect_uri"))
	    : arena_printf(ctx->arena, "%s/", cfg->site_url);
	rc = load_client_secret(cfg, sec, p);
	if (rc == RC_OK && (p->flags & PRESET_APPLE))
		rc = load_apple(cfg, sec, p, ctx);
	if (rc == RC_OK)
		rc = provider_rules(cfg, sec, p);
	return rc;
}

struct provider *
oauth_provider_find(struct oauth_ctx *ctx, const char *id)
{
	for (size_t i = 0; id != NULL && i < ctx->nproviders; i++)
		if (provider_id_equal(ctx->providers[i].id, id))
			return &ctx->providers[i];
	return NULL;
}

static time_t
clock_now(void)
{
	return time(NULL);
}

/*
 * Builds the feature context from the parsed config: every cross-key rule
 * is checked here and reported with config_error (file:line:key), so
 * check-config and the workers agree. RC_CONFIG when anything is wrong.
 */
enum rc
oauth_conf_load(const struct config *cfg, struct oauth_ctx **out)
{
	struct oauth_ctx *ctx = calloc(1, sizeof(*ctx));
	size_t n = cfg_size(cfg->root, "provider");
	enum rc rc = RC_OK, prc;

	*out = NULL;
	if (ctx == NULL || (ctx->arena = arena_new(16 * 1024, 0)) == NULL) {
		free(ctx);
		return RC_NOMEM;
	}
	ctx->cfg = cfg;
	ctx->http = &ctx->http_real;   /* oauth_init gives it its policy */
	ctx->now = clock_now;
	ctx->secure = cfg->site_https;
	ctx->oauth_dir = arena_printf(ctx->arena, "%s/oauth", cfg->state_dir);
	ctx->providers = arena_calloc(ctx->arena, n + 1, sizeof(*ctx->providers));
	if (ctx->oauth_dir == NULL || ctx->providers == NULL) {
		oauth_conf_free(ctx);
		return RC_NOMEM;
	}
	rc = load_session(cfg, ctx, n > 0);
	for (size_t i = 0; i < n; i++) {
		prc = load_provider(cfg, ctx, cfg_getnsec(cfg->root, "provider", (unsigned)i),
		    &ctx->providers[ctx->nproviders]);
		ctx->nproviders++;
		if (prc != RC_OK)
			rc = prc;
	}
	prc = providers_distinct(cfg, ctx);
	if (rc == RC_OK)
		rc = prc;
	prc = load_access(cfg, ctx);
	if (rc == RC_OK)
		rc = prc;
	if (rc != RC_OK) {
		oauth_conf_free(ctx);
		return rc;
	}
	*out = ctx;
	return RC_OK;
}

static void
cache_free(struct provider_cache *c)
{
	discovery_meta_clear(&c->meta);
	json_decref(c->jwks);
	free(c->apple_secret);
	memset(c, 0, sizeof(*c));
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void
oauth_conf_free(struct oauth_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->nproviders; i++) {
		struct provider *p = &ctx->providers[i];
		wipe_free(p->client_secret);
		EVP_PKEY_free(p->apple_key);
		cache_free(&p->cache);
		for (size_t j = 0; j < p->ninstances_cache; j++) {
			free(p->instances_cache[j].host);
			free(p->instances_cache[j].client_id);
			free(p->instances_cache[j].scopes);
			wipe_free(p->instances_cache[j].client_secret);
			cache_free(&p->instances_cache[j].cache);
		}
		free(p->instances_cache);
	}
	session_cache_free(ctx);
	domain_psl_free(ctx->psl);
	store_close(ctx->store);
	netpolicy_free(ctx->net);
	keyring_wipe(&ctx->session_keys);
	keyring_wipe(&ctx->state_keys);
	arena_free(ctx->arena);
	free(ctx);
}

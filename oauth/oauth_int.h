/* oauth_int: the sign-on feature's private types, shared by oauth/ files. */
#ifndef SOCIALHUB_OAUTH_OAUTH_INT_H
#define SOCIALHUB_OAUTH_OAUTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <confuse.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "util/arena.h"
#include "util/crypto.h"
#include "util/http.h"
#include "util/jwt.h"
#include "util/rc.h"
#include "util/store.h"

#define OAUTH_SKEW 60                  /* seconds of clock skew allowed */
#define OAUTH_STATE_TTL 600            /* a login attempt lives 10 minutes */
#define OAUTH_STATE_COOKIES_MAX 5      /* parallel login attempts per browser */
#define OAUTH_JWKS_REFETCH_MIN 60      /* at most one forced JWKS fetch a minute */
#define OAUTH_META_TTL 3600            /* discovery and JWKS refreshed hourly */
#define OAUTH_META_RETRY 60            /* after a failed refresh */
#define OAUTH_KEYS_MAX 8               /* current + old session secrets */
#define OAUTH_KID_LEN 6
#define OAUTH_COOKIE_MAX 4000          /* a cookie (name + value) stays under 4 KB */
#define OAUTH_ID_MAX 32                /* provider ids */

enum oauth_kind { KIND_OIDC, KIND_OAUTH2 };
enum token_auth { AUTH_AUTO, AUTH_BASIC, AUTH_POST };

/* How a preset reads the profile after the token exchange. */
enum profile_kind {
	PROFILE_ID_TOKEN,   /* OIDC: ID token (+ userinfo when enabled) */
	PROFILE_GITHUB,
	PROFILE_FACEBOOK,
	PROFILE_X,
	PROFILE_MASTODON,
};

enum preset_flags {
	PRESET_MS_TENANT = 1 << 0,       /* issuer template with {tenantid} */
	PRESET_APPLE = 1 << 1,           /* ES256 client secret, form_post, `user` */
	PRESET_MASTODON = 1 << 2,        /* per-instance registration */
	PRESET_EMAIL_UNTRUSTED = 1 << 3, /* never mark the email verified */
	PRESET_FORM_POST = 1 << 4,       /* response_mode=form_post */
	PRESET_TOKEN_ACCEPT_JSON = 1 << 5, /* Accept: application/json at /token */
	PRESET_APPSECRET_PROOF = 1 << 6, /* Facebook's appsecret_proof */
};

/* One row of the preset table (provider.c). */
struct preset {
	const char *id;
	const char *display_name;
	enum oauth_kind kind;
	const char *issuer;
	const char *alt_issuer;          /* Google's bare "accounts.google.com" */
	const char *discovery_url;
	const char *authorization_endpoint;
	const char *token_endpoint;
	const char *userinfo_endpoint;   /* the profile API for OAuth 2 presets */
	const char *jwks_uri;
	const char *scopes;
	enum token_auth token_auth;
	bool pkce;
	bool nonce;
	bool needs_secret;
	unsigned algs;                   /* 0: RS256 */
	enum profile_kind profile;
	unsigned flags;
	const char *icon_color;          /* the generic icon's background */
};

/* Endpoints and capabilities in effect (config overrides > discovery). */
struct provider_meta {
	char *issuer;
	char *authorization_endpoint;
	char *token_endpoint;
	char *userinfo_endpoint;
	char *jwks_uri;
	char *end_session_endpoint;
	bool iss_param_required;     /* authorization_response_iss_parameter_supported */
	bool basic_ok, post_ok;      /* token_endpoint_auth_methods_supported */
	bool s256_ok;
	bool profile_scope;          /* Mastodon 4.3+ "profile" scope */
};

/* Per-process caches of one provider (or one Mastodon instance). */
struct provider_cache {
	struct provider_meta meta;
	bool meta_loaded;
	time_t meta_fetched;
	time_t meta_retry_at;
	json_t *jwks;                /* the "keys" array */
	time_t jwks_fetched;
	time_t jwks_retry_at;
	char *apple_secret;          /* the current ES256 client secret */
	time_t apple_secret_exp;
};

struct provider {
	char *id;                    /* the config title, [A-Za-z0-9_-] */
	const struct preset *preset;
	enum oauth_kind kind;
	enum profile_kind profile;
	unsigned flags;
	char *display_name;
	char *icon_color;
	char *issuer;
	char *alt_issuer;
	char *discovery_url;
	struct provider_meta conf;   /* configured endpoints (NULL: discover) */
	char *client_id;
	char *client_secret;         /* wiped on free */
	char *scopes;                /* space-separated */
	unsigned algs;
	enum token_auth token_auth;
	bool pkce;
	bool nonce;
	bool userinfo;
	bool rp_logout;
	char *post_logout_redirect_uri;
	char *redirect_uri;
	char **trusted_audiences;
	size_t ntrusted_audiences;
	char **tenants;              /* Microsoft: allowed tid values, or common... */
	size_t ntenants;
	char **instances;            /* Mastodon: offered / allowed instances */
	size_t ninstances;
	bool any_instance;
	char *api_base;              /* Mastodon: base URL override for tests */
	char *team_id;               /* Apple */
	char *key_id;
	EVP_PKEY *apple_key;
	struct provider_cache cache;
	/* Mastodon: per-instance caches, small and bounded. */
	struct instance_cache *instances_cache;
	size_t ninstances_cache;
};

/* One Mastodon instance this process has talked to. */
struct instance_cache {
	char *host;
	char *client_id;
	char *client_secret;
	char *scopes;
	struct provider_cache cache;
};

struct domain_psl;

struct keyring {
	unsigned char keys[OAUTH_KEYS_MAX][CRYPTO_KEY_LEN];
	char kids[OAUTH_KEYS_MAX][OAUTH_KID_LEN + 1];
	size_t n;                    /* keys[0] seals, all open */
};

struct access_rules {
	char **providers;
	size_t nproviders;
	char **email_domains;
	size_t nemail_domains;
	char **emails;
	size_t nemails;
};

/* A session this worker opened recently, keyed by a digest of the cookie. */
#define SESSION_CACHE_SIZE 256
struct session_cache_entry {
	unsigned char digest[CRYPTO_SHA256_LEN];
	bool used;
	char *provider, *sub, *name, *email, *picture, *profile_url;
	bool email_verified;
	long long issued_at, expires_at;
};

/* The per-process context of the feature; immutable after init but for caches. */
/* How /auth/check writes the identity headers (session identity_encoding). */
enum identity_encoding {
	IDENTITY_UTF8,      /* raw UTF-8 (default) */
	IDENTITY_RFC8187,   /* UTF-8''percent-encoded, RFC 8187 ext-value */
	IDENTITY_BASE64,    /* base64 (RFC 4648 section 4) of the UTF-8 */
};

struct oauth_ctx {
	const struct config *cfg;
	struct arena *arena;         /* config-lifetime strings */
	struct keyring session_keys;
	struct keyring state_keys;
	long lifetime;
	char *cookie_name;           /* with __Host- when https */
	char *state_prefix;          /* state cookie name prefix */
	enum identity_encoding identity_encoding;
	bool secure;
	struct provider *providers;
	size_t nproviders;
	struct access_rules access;
	char *oauth_dir;             /* state_dir/oauth */
	char *page_csp;              /* CSP of pages holding our forms */
	const struct http_ops *http; /* &http_real, or a test's fake */
	struct http_ops http_real;   /* libcurl under `net` (oauth_init) */
	struct netpolicy *net;       /* the outbound policy, NULL until oauth_init */
	time_t (*now)(void);
	time_t last_sweep;
	struct session_cache_entry *session_cache;  /* SESSION_CACHE_SIZE, lazily */
	struct domain_psl *psl;      /* the public suffix list, lazily (Mastodon) */
	struct store *store;         /* the `store` section's (several nodes), or NULL */
};

/* A profile on its way into a session (strings in the request arena). */
struct profile {
	const char *sub;
	const char *name;
	const char *email;
	bool email_verified;
	const char *picture;
	const char *profile_url;
};

/* conf.c */
enum rc oauth_conf_load(const struct config *cfg, struct oauth_ctx **out);
void oauth_conf_free(struct oauth_ctx *ctx);
struct provider *oauth_provider_find(struct oauth_ctx *ctx, const char *id);
extern cfg_opt_t oauth_opts[];
void oauth_checks(cfg_t *root);

/* provider.c */
const struct preset *preset_find(const char *id);
extern const struct preset preset_table[];
bool provider_id_valid(const char *id);
/*
 * The one rule for provider names: byte for byte, case included, in URLs,
 * sessions and access rules alike. Config load refuses two names that
 * differ only in case, so no name can pass for another.
 */
bool provider_id_equal(const char *a, const char *b);
/* True when p's space-separated scopes hold `scope` as a whole word. */
bool provider_has_scope(const struct provider *p, const char *scope);

/* keys.c */
enum rc keyring_add(struct keyring *ring, const char *secret, const char *info);
enum rc keyring_seal(const struct keyring *ring, const char *aad, const char *plain,
    struct buf *out);
enum rc keyring_open(const struct keyring *ring, struct arena *a, const char *aad,
    const char *sealed, char **plain);
void keyring_wipe(struct keyring *ring);

/* session.c */
#define SESSION_NAME_MAX 200
#define SESSION_EMAIL_MAX 254
#define SESSION_URL_MAX 1024
#define SESSION_SUB_MAX 255
enum rc session_seal(const struct oauth_ctx *ctx, struct arena *a,
    const char *provider, const struct profile *p, time_t now, char **cookie_value);
enum rc session_open(const struct oauth_ctx *ctx, struct arena *a, const char *value,
    time_t now, struct identity *out);
enum rc oauth_set_cookie(const struct oauth_ctx *ctx, struct response *res,
    const char *name, const char *value, long max_age, const char *samesite);
enum rc session_identify(void *ctx, struct request *req, struct identity *out);
void session_cache_free(struct oauth_ctx *ctx);

/* state.c */
struct login_state {
	const char *provider;
	const char *state;
	const char *nonce;           /* NULL when not sent */
	const char *verifier;        /* NULL without PKCE */
	const char *return_to;
	const char *instance;        /* Mastodon */
	long long created;
};
enum rc state_new(struct arena *a, struct login_state *st, bool nonce, bool pkce);
enum rc state_cookie_name(const struct oauth_ctx *ctx, struct arena *a,
    const char *state, char **name);
enum rc state_seal(const struct oauth_ctx *ctx, struct arena *a,
    const struct login_state *st, const char *cookie_name, char **value);
enum rc state_open(const struct oauth_ctx *ctx, struct arena *a, const char *cookie_name,
    const char *value, time_t now, struct login_state *out);
enum rc state_set(struct oauth_ctx *ctx, struct request *req, struct response *res,
    const struct login_state *st, bool cross_site_post);
enum rc state_take(struct oauth_ctx *ctx, struct request *req, struct response *res,
    const char *provider, const char *state, struct login_state *out, const char **why);
enum rc state_mark_used(struct oauth_ctx *ctx, const char *state);
void state_sweep(struct oauth_ctx *ctx, time_t now);
enum rc pkce_challenge(struct arena *a, const char *verifier, char **out);

/* The rows of oauth.c's parameter tables: each starts with return_to;
 * the login route's has instance next. */
enum { OAUTH_P_RETURN_TO, OAUTH_P_INSTANCE };

/* redirect.c */
bool oauth_return_to_ok(const char *s);
/*
 * s (oauth_return_to_ok) with each blank of its query written "%20", the
 * form every later step (chooser links, state cookie, Location) carries;
 * arena memory. NULL when s is refused, when its path lies in `mount`
 * (socialhub's own routes, however encoded or dotted), when that form is
 * over the size cap, or on RC_NOMEM.
 */
char *oauth_return_to_clean(struct arena *a, const char *s, const char *mount);
/*
 * The return_to of a request, as the router checked it (row `key`): "/"
 * when absent or empty, NULL when refused: not a path on this site
 * (oauth_return_to_ok), or sent more than once. `once`: a repeated name
 * whose first value is empty is refused too (login and logout); otherwise
 * that empty first value stands for "/" (chooser, button).
 */
const char *oauth_return_to(const struct request *req, size_t key, bool once);

/* access.c */
enum rc access_check(const struct access_rules *r, const struct identity *id);
bool access_email_valid(const char *email);

/* discovery.c */
struct provider_cache *provider_cache_for(struct provider *p, const char *instance);
enum rc discovery_meta(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const char *instance, const struct provider_meta **out);
enum rc discovery_static(struct provider *p);
/* Frees the endpoint strings of m and zeroes it. */
void discovery_meta_clear(struct provider_meta *m);
enum rc discovery_jwks(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, bool force, const json_t **keys);
bool oauth_url_ok(const char *url);
enum rc oauth_fetch_json(struct oauth_ctx *ctx, struct arena *a,
    const struct http_request *rq, long *status, json_t **out);

/* idtoken.c */
struct idtoken_expect {
	const char *issuer;          /* may hold {tenantid} */
	const char *alt_issuer;
	const char *client_id;
	const char *nonce;
	char *const *trusted_audiences;
	size_t ntrusted_audiences;
	char *const *tenants;
	size_t ntenants;
	const char *access_token;    /* for at_hash, or NULL */
	long long now;
};
enum rc idtoken_claims(const json_t *claims, enum jwt_alg alg, const struct idtoken_expect *x,
    const char **why);
enum rc idtoken_verify(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *token, const struct idtoken_expect *x,
    json_t **claims, const char **why);
bool tenant_allowed(char *const *tenants, size_t n, const char *tid);

/* token.c */
struct token_set {
	const char *access_token;
	const char *id_token;
};
enum rc token_exchange(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *code,
    const char *verifier, struct token_set *out, const char **why);
const char *provider_redirect_uri(struct oauth_ctx *ctx, struct arena *a,
    const struct provider *p);

/* profile.c */
enum rc profile_fetch(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *instance, const char *access_token,
    struct profile *out, const char **why);
enum rc profile_from_claims(struct arena *a, const struct provider *p,
    const json_t *claims, struct profile *out);
enum rc profile_merge_userinfo(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const struct provider_meta *m, const char *access_token, const char *id_sub,
    struct profile *out, const char **why);

/* apple.c */
enum rc apple_client_secret(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    const char **out);
enum rc apple_user_name(struct arena *a, const char *user_json, const char **name);

/* mastodon.c */
#define MASTODON_REG_BUDGET_MS 3000    /* probe + register, connect to last byte */
#define MASTODON_PROBE_MS 1500         /* ... of which the metadata probe */
#define MASTODON_APP_PENDING_TTL (30 * 60)   /* never signed in with: expires */
#define MASTODON_APP_IDLE_TTL (180L * 24 * 3600) /* not used for half a year */
#define MASTODON_APP_TOUCH_MIN (24 * 3600)   /* last_login rewritten at most daily */

/* One look-up of an instance's app: in, the instance and the client; out,
 * the seconds a refused visitor should wait. */
struct mastodon_query {
	const char *host;            /* valid and allowed (mastodon_instance checks) */
	const char *client;          /* REMOTE_ADDR: the per-client limit's key */
	long retry_after;            /* set with RC_RATELIMIT, RC_UNAVAILABLE, RC_LIMIT */
};
bool mastodon_host_valid(const char *host);
/* True when the admin names host in `instances` (not through "*"). */
bool mastodon_listed(const struct provider *p, const char *host);
enum rc mastodon_instance(struct oauth_ctx *ctx, struct arena *a, struct provider *p,
    struct mastodon_query *q, struct instance_cache **out);
struct instance_cache *mastodon_cached(struct provider *p, const char *host);
void mastodon_app_used(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    const struct instance_cache *ic);
const char *mastodon_base(struct arena *a, const struct provider *p, const char *host);
bool mastodon_public_only(const struct provider *p);

/* mastodon_reg.c */
const char *mastodon_reg_dir(struct oauth_ctx *ctx, struct arena *a);
enum rc mastodon_reg_begin(struct oauth_ctx *ctx, struct arena *a, struct mastodon_query *q,
    int *slot);
void mastodon_reg_end(struct oauth_ctx *ctx, int slot);
enum rc mastodon_reg_admit(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    struct mastodon_query *q);
/* Counts a registration just made against the cluster's caps (a store). */
void mastodon_reg_made(struct oauth_ctx *ctx, const char *host);

/* flow.c */
enum rc flow_login(struct request *req, struct response *res, void *vctx);
enum rc flow_callback(struct request *req, struct response *res, void *vctx);

/* pages.c */
/* An error page's words: catalog keys (data/catalogs), so the visitor
 * reads them in their language. */
struct page_err {
	enum rc why;            /* the status, as the router maps it */
	const char *title;      /* key of the <h1> */
	const char *message;    /* key of the text; "{error}" takes `error` */
	const char *error;      /* a machine-readable code (the provider's), or NULL */
	const char *detail;     /* the provider's own description, shown as is, or NULL */
};
enum rc page_error(struct request *req, struct response *res, const struct page_err *e);
enum rc pages_providers(struct request *req, struct response *res, void *vctx);
enum rc pages_chooser(struct request *req, struct response *res, void *vctx);
enum rc pages_button(struct request *req, struct response *res, void *vctx);
enum rc pages_me(struct request *req, struct response *res, void *vctx);
enum rc pages_check(struct request *req, struct response *res, void *vctx);
enum rc pages_logout(struct request *req, struct response *res, void *vctx);
/* GET /auth/signed-out: "You are signed out" in the site's template, a
 * link back to return_to (a provider's post_logout_redirect_uri may lead
 * here). */
enum rc pages_signed_out(struct request *req, struct response *res, void *vctx);
enum rc pages_icon(struct request *req, struct response *res, void *vctx);
enum rc pages_csp_build(struct oauth_ctx *ctx);

#endif

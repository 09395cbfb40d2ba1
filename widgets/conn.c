/* conn: connections — config, key ring, states, tokens for the refresher,
 * renewal before expiry, and what /healthz and /metrics say of them. */
#include "widgets/conn_int.h"

#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/metrics.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/netpolicy.h"
#include "util/time.h"

#define STATE_PREFIX "conn:state:"
#define FLOW_PREFIX "conn:flow:"
#define LEASE_PREFIX "conn:lease:"
#define LEASE_POLL_MS 100
#define FLOW_TTL 600
#define NEXT_MAX 3600
#define CONN_POLL 5        /* seconds between looks at the states */
#define RETRY_S 300        /* after a renewal that failed for now */
#define WARN_EVERY 3600    /* between two expiry warnings */
#define DAY 86400

static cfg_opt_t connection_opts[] = {
	CFG_STR("network", NULL, CFGF_NODEFAULT),
	CFG_STR("client_id", NULL, CFGF_NODEFAULT),
	CFG_STR("client_secret", NULL, CFGF_NODEFAULT),
	CFG_STR("client_secret_file", NULL, CFGF_NODEFAULT),
	CFG_STR("auth_url", NULL, CFGF_NODEFAULT),
	CFG_STR("token_url", NULL, CFGF_NODEFAULT),
	CFG_STR("api_url", NULL, CFGF_NODEFAULT),
	CFG_STR("revoke_url", NULL, CFGF_NODEFAULT),
	CFG_STR("scopes", NULL, CFGF_NODEFAULT),
	CFG_STR("account", NULL, CFGF_NODEFAULT),
	CFG_END()
};

cfg_opt_t conn_opts[] = {
	CFG_SEC("connection", connection_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_STR_LIST("connection_keys", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static long long
now_real(void)
{
	return (long long)time(NULL);
}

/* ---- config */

static int
check_title(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (sec != NULL && !tokens_name_ok(cfg_title(sec), TOKENS_NAME_MAX))
		cfg_error(cfg, "KEY connection: name \"%s\" must be 1-%d of [A-Za-z0-9_-]",
		    cfg_title(sec), TOKENS_NAME_MAX);
	return 0;
}

static int
check_network(cfg_t *cfg, cfg_opt_t *opt)
{
	if (conn_network_find(cfg_opt_getnstr(opt, 0)) == NULL)
		cfg_error(cfg, "KEY network: expected instagram, facebook, threads, linkedin, x "
		    "or tiktok");
	return 0;
}

static int
check_url(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!http_url_allowed(cfg_opt_getnstr(opt, 0)))
		cfg_error(cfg, "KEY %s: expected an http(s) URL", opt->name);
	return 0;
}

void
conn_checks(cfg_t *root)
{
	cfg_set_validate_func(root, "connection", check_title);
	cfg_set_validate_func(root, "connection|network", check_network);
	cfg_set_validate_func(root, "connection|auth_url", check_url);
	cfg_set_validate_func(root, "connection|token_url", check_url);
	cfg_set_validate_func(root, "connection|api_url", check_url);
	cfg_set_validate_func(root, "connection|revoke_url", check_url);
}

/* "KID:PATH" → the key file read into the ring. */
static enum rc
ring_add_entry(const struct config *cfg, struct tokens_ring *r, const char *entry)
{
	const char *colon = strchr(entry, ':'), *why = NULL;
	char kid[TOKENS_KID_MAX + 1], *data = NULL;
	size_t len = 0, kl = colon != NULL ? (size_t)(colon - entry) : 0;
	enum rc rc;

	if (colon == NULL || kl == 0 || kl > TOKENS_KID_MAX || colon[1] != '/')
		return config_error(cfg, NULL, "connection_keys", "\"%s\": expected \"ID:/path/to/key\"",
		    entry);
	memcpy(kid, entry, kl);
	kid[kl] = '\0';
	if (config_secret_read(cfg, NULL, "connection_keys", colon + 1, true, &data, &len) != RC_OK)
		return RC_CONFIG;
	rc = tokens_ring_add(r, kid, data, len, &why);
	config_secret_wipe(data, len);
	if (rc != RC_OK)
		return config_error(cfg, NULL, "connection_keys", "key %s (%s): %s", kid, colon + 1,
		    why != NULL ? why : rc_str(rc));
	return RC_OK;
}

static enum rc
ring_load(const struct config *cfg, struct tokens_ring **out)
{
	struct tokens_ring *r = tokens_ring_new();
	enum rc rc = r != NULL ? RC_OK : RC_NOMEM;

	for (unsigned i = 0; rc == RC_OK && i < cfg_size(cfg->root, "connection_keys"); i++)
		rc = ring_add_entry(cfg, r, cfg_getnstr(cfg->root, "connection_keys", i));
	if (rc == RC_OK && cfg_size(cfg->root, "connection") > 0 && tokens_ring_count(r) == 0)
		rc = config_error(cfg, NULL, "connection_keys", "missing: connections need a key "
		    "to seal their tokens (socialhub keygen > FILE; chmod 600 FILE; "
		    "connection_keys = {\"k1:FILE\"})");
	if (rc != RC_OK) {
		tokens_ring_free(r);
		r = NULL;
	}
	*out = r;
	return rc;
}

static const char *
str_or(cfg_t *s, const char *key, const char *def)
{
	const char *v = cfg_getstr(s, key);

	return v != NULL ? v : def;
}

static enum rc
def_load(const struct config *cfg, cfg_t *s, struct conn_def *d)
{
	d->name = cfg_title(s);
	d->net = conn_network_find(cfg_getstr(s, "network"));
	if (d->net == NULL)
		return config_error(cfg, s, "network", "missing: the network to connect");
	d->client_id = cfg_getstr(s, "client_id");
	if (d->client_id == NULL)
		return config_error(cfg, s, "client_id", "missing: the app's client id");
	/* X takes public clients (PKCE alone); every other network a secret. */
	if (cfg_getstr(s, "client_secret") != NULL || cfg_getstr(s, "client_secret_file") != NULL ||
	    strcmp(d->net->id, "x") != 0) {
		if (config_secret(cfg, s, "client_secret", false, &d->client_secret) != RC_OK)
			return RC_CONFIG;
	}
	d->auth_url = str_or(s, "auth_url", d->net->auth_url);
	d->token_url = str_or(s, "token_url", d->net->token_url);
	d->api_url = str_or(s, "api_url", d->net->api_url != NULL ? d->net->api_url : "");
	d->revoke_url = str_or(s, "revoke_url", d->net->revoke_url != NULL ? d->net->revoke_url : "");
	d->scopes = str_or(s, "scopes", d->net->scopes);
	d->account = cfg_getstr(s, "account");
	return RC_OK;
}

static void
defs_free(struct conn_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (defs[i].client_secret != NULL)
			config_secret_wipe(defs[i].client_secret, strlen(defs[i].client_secret));
	free(defs);
}

/* Every source's connection must be configured. */
static enum rc
sources_check(const struct config *cfg)
{
	enum rc rc = RC_OK;

	for (unsigned i = 0; i < cfg_size(cfg->root, "stream"); i++) {
		cfg_t *st = cfg_getnsec(cfg->root, "stream", i);
		for (unsigned k = 0; k < cfg_size(st, "source"); k++) {
			cfg_t *src = cfg_getnsec(st, "source", k);
			const char *name = cfg_getstr(src, "connection");
			if (name != NULL && cfg_gettsec(cfg->root, "connection", name) == NULL)
				rc = config_error(cfg, src, "connection", "no connection \"%s\" "
				    "(add connection %s { network = … })", name, name);
		}
	}
	return rc;
}

void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	defs_free(c->defs, c->n);
	tokens_ring_free(c->ring);
	store_close(c->store);
	netpolicy_free(c->net);
	free(c);
}

/* The store: the configured one (Redis), else the local one in state_dir. */
static enum rc
store_any(const struct config *cfg, struct store **out)
{
	struct store_conf sc = { .local_dir = cfg->state_dir, .prefix = "socialhub:" };
	enum rc rc = config_store_open(cfg, out);

	if (rc == RC_OK && *out == NULL)
		rc = store_open(&sc, out);
	return rc;
}

/* host:pid:random — unique across the nodes sharing a store. */
static void
holder_init(struct conn *c)
{
	char host[64] = "";
	uint32_t rnd = 0;

	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	(void)crypto_random(&rnd, sizeof(rnd));
	snprintf(c->holder, sizeof(c->holder), "%s:%ld:%08" PRIx32, host, (long)getpid(), rnd);
}

enum rc
conn_open(const struct config *cfg, struct conn **out)
{
	struct conn *c = calloc(1, sizeof(*c));
	unsigned n = cfg_size(cfg->root, "connection");
	enum rc rc = RC_NOMEM;

	*out = NULL;
	if (c == NULL || (n > 0 && (c->defs = calloc(n, sizeof(*c->defs))) == NULL))
		goto out;
	c->cfg = cfg;
	c->now = now_real;
	holder_init(c);
	rc = ring_load(cfg, &c->ring);
	for (unsigned i = 0; rc == RC_OK && i < n; i++, c->n++)
		rc = def_load(cfg, cfg_getnsec(cfg->root, "connection", i), &c->defs[i]);
	if (rc == RC_OK)
		rc = sources_check(cfg);
	if (rc == RC_OK && n > 0)
		rc = netpolicy_new(&(struct netpolicy_conf){ .user_agent = cfg->user_agent,
		    .ca_file = cfg->ca_file }, &c->net);
	if (rc == RC_OK && n > 0) {
		c->http = http_curl(c->net);
		rc = store_any(cfg, &c->store);
	}
out:
	if (rc != RC_OK) {
		conn_close(c);
		return rc;
	}
	*out = c;
	return RC_OK;
}

const struct conn_def *
conn_find(const struct conn *c, const char *name)
{
	for (size_t i = 0; c != NULL && name != NULL && i < c->n; i++)
		if (strcmp(c->defs[i].name, name) == 0)
			return &c->defs[i];
	return NULL;
}

/* ---- states: plain JSON, no secret in them */

static enum rc
state_key(struct buf *b, const char *prefix, const char *name)
{
	return buf_appendf(b, "%s%s", prefix, name);
}

json_t *
conn_state_get(struct conn *c, const char *name)
{
	struct buf k;
	char *v = NULL;
	size_t len;
	json_t *j = NULL;

	buf_init(&k, STORE_KEY_MAX);
	if (c->store != NULL && state_key(&k, STATE_PREFIX, name) == RC_OK &&
	    store_get(c->store, buf_cstr(&k), &v, &len) == RC_OK)
		j = json_loadb(v, len, 0, NULL);
	free(v);
	buf_fini(&k);
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

static enum rc
state_put(struct conn *c, const char *name, json_t *st)
{
	struct buf k;
	char *v = json_dumps(st, JSON_COMPACT);
	enum rc rc = v != NULL ? RC_OK : RC_NOMEM;

	buf_init(&k, STORE_KEY_MAX);
	if (rc == RC_OK)
		rc = state_key(&k, STATE_PREFIX, name);
	if (rc == RC_OK)
		rc = store_set(c->store, buf_cstr(&k), v, strlen(v), 0);
	free(v);
	buf_fini(&k);
	return rc;
}

enum rc
conn_state_mark(struct conn *c, const char *name, const char *state, const char *reason)
{
	json_t *st = conn_state_get(c, name);
	enum rc rc;

	json_object_set_new(st, "state", json_string(state));
	if (reason != NULL) {
		json_object_set_new(st, "reason", json_string(reason));
		json_object_set_new(st, "error_at", json_integer(c->now()));
	} else {
		json_object_del(st, "reason");
	}
	rc = state_put(c, name, st);
	json_decref(st);
	return rc;
}

enum rc
conn_store_grant(struct conn *c, const struct conn_def *def, const struct conn_grant *g,
    const char *how)
{
	json_t *rec = json_pack("{s:s, s:I, s:I}", "access_token", g->access_token,
	    "expires_at", (json_int_t)g->expires_at, "obtained_at", (json_int_t)c->now());
	json_t *st = conn_state_get(c, def->name);
	char exp[24];
	enum rc rc = rec != NULL ? RC_OK : RC_NOMEM;

	if (rc == RC_OK && g->refresh_token != NULL)
		json_object_set_new(rec, "refresh_token", json_string(g->refresh_token));
	if (rc == RC_OK)
		rc = tokens_put(c->store, c->ring, def->name, rec, 0);
	if (rc == RC_OK) {
		json_object_set_new(st, "state", json_string("connected"));
		json_object_del(st, "reason");
		json_object_set_new(st, "network", json_string(def->net->id));
		json_object_set_new(st, "expires_at", json_integer(g->expires_at));
		json_object_set_new(st, "refreshed_at", json_integer(c->now()));
		/* No refresh token where renewal needs one: reconnect before expiry. */
		json_object_set_new(st, "renewable", json_boolean(def->net->renew == CONN_RENEW_GRAPH ||
		    (def->net->renew == CONN_RENEW_REFRESH_TOKEN && g->refresh_token != NULL)));
		json_object_del(st, "retry_at");
		if (g->scope != NULL)
			json_object_set_new(st, "scope", json_string(g->scope));
		rc = state_put(c, def->name, st);
	}
	log_kv(rc == RC_OK ? LOG_INFO : LOG_ERROR, "connection_stored", "connection", def->name,
	    "network", def->net->id, "how", how, "expires_at", log_int(exp, g->expires_at),
	    "result", rc_str(rc), NULL);
	json_decref(rec);
	json_decref(st);
	return rc;
}

/* ---- the lease: renewals, connects and revokes one at a time */

/* The lease's key for connection name; false without a store or when
 * the name does not fit. */
static bool
lease_key(const struct conn *c, const char *name, char key[STORE_KEY_MAX])
{
	return c->store != NULL &&
	    snprintf(key, STORE_KEY_MAX, LEASE_PREFIX "%s", name) < STORE_KEY_MAX;
}

/*
 * Waits up to wait_ms, on a monotonic deadline whatever each store call
 * takes, while another holder keeps the lease or the store fails for a
 * moment: a Redis call that times out on a loaded host, or a SQLite file
 * another process has locked, must not turn an owner's revoke into "try
 * again". wait_ms 0: one try (the refresher's look).
 */
enum rc
conn_lease(struct conn *c, const char *name, long wait_ms)
{
	char key[STORE_KEY_MAX];
	long long deadline = time_mono_ms() + wait_ms;
	bool held = false;
	enum rc rc;

	if (!lease_key(c, name, key))
		return RC_UNAVAILABLE;
	for (;;) {
		rc = store_lease(c->store, key, c->holder, CONN_LEASE_MS, &held);
		if ((rc == RC_OK && held) || (rc != RC_OK && rc != RC_UNAVAILABLE) ||
		    time_mono_ms() + LEASE_POLL_MS > deadline)
			break;
		poll(NULL, 0, LEASE_POLL_MS);
	}
	return rc == RC_OK && held ? RC_OK : RC_UNAVAILABLE;
}

/* A release the store missed keeps the lease until it lapses
 * (CONN_LEASE_MS): one more try after a pause, then say so. */
void
conn_lease_release(struct conn *c, const char *name)
{
	char key[STORE_KEY_MAX], ms[24];

	if (!lease_key(c, name, key) || store_lease_release(c->store, key, c->holder) == RC_OK)
		return;
	poll(NULL, 0, LEASE_POLL_MS);
	if (store_lease_release(c->store, key, c->holder) != RC_OK)
		log_kv(LOG_WARN, "connection_lease_kept", "connection", name, "lapses_in_ms",
		    log_int(ms, CONN_LEASE_MS), "note", "the store did not answer the release: "
		    "renewals, connects and revokes of this connection wait until then", NULL);
}

enum rc
conn_store_connect(struct conn *c, const struct conn_def *def, const struct conn_grant *g)
{
	enum rc rc = conn_lease(c, def->name, CONN_REVOKE_WAIT_MS);

	if (rc != RC_OK)
		return rc;
	rc = conn_store_grant(c, def, g, "connect");
	conn_lease_release(c, def->name);
	return rc;
}

/* Revokes the stored token at the network (best effort); *net as conn_revoke's. */
static void
revoke_at_network(struct conn *c, struct arena *a, const struct conn_def *def,
    const char **net)
{
	json_t *rec = NULL;
	enum rc rc = tokens_get(c->store, c->ring, def->name, &rec, NULL);

	*net = NULL;
	if (rc == RC_NOTFOUND)
		return;
	if (rc != RC_OK)
		*net = arena_printf(a, "its stored token cannot be opened (%s): not revoked at %s",
		    rc_str(rc), def->net->id);
	else
		rc = conn_oauth_revoke(c, a, def, rec, net);
	json_decref(rec);
	if (rc != RC_OK && *net == NULL)
		*net = rc_str(rc);
}

enum rc
conn_revoke(struct conn *c, struct arena *a, const char *name, const char *who,
    const char **net)
{
	const struct conn_def *def = conn_find(c, name);
	const char *reason = "revoked by an owner";
	enum rc rc;

	*net = NULL;
	if (def == NULL)
		return RC_NOTFOUND;
	/* A renewal in flight ends within the token endpoint's time limits. */
	rc = conn_lease(c, name, CONN_REVOKE_WAIT_MS);
	if (rc != RC_OK) {
		*net = NULL;
		log_kv(LOG_WARN, "connection_revoke_busy", "connection", name, "by", who, NULL);
		return rc;
	}
	revoke_at_network(c, a, def, net);
	if (*net != NULL)
		reason = arena_printf(a, "revoked by an owner; at %s: %s", def->net->id, *net);
	rc = tokens_delete(c->store, name);
	if (rc == RC_OK)
		rc = conn_state_mark(c, name, "revoked", reason);
	conn_lease_release(c, name);
	log_kv(LOG_WARN, "connection_revoked", "connection", name, "by", who, "network_revoked",
	    *net == NULL ? "yes" : "no", "network_why", *net, "result", rc_str(rc), NULL);
	return rc;
}

/* ---- tokens for the refresher */

enum rc
conn_token(struct conn *c, struct arena *a, const char *name, const char **token,
    const char **why)
{
	json_t *st, *rec = NULL;
	const char *state;
	long long exp;
	enum rc rc;

	*token = NULL;
	if (conn_find(c, name) == NULL) {
		*why = "no such connection";
		return RC_NOTFOUND;
	}
	st = conn_state_get(c, name);
	state = json_string_value(json_object_get(st, "state"));
	exp = json_integer_value(json_object_get(st, "expires_at"));
	if (state != NULL && strcmp(state, "connected") != 0) {
		*why = arena_printf(a, "connection %s %s: %s", name, state,
		    json_string_value(json_object_get(st, "reason")) ?
		    json_string_value(json_object_get(st, "reason")) : "reconnect it");
		json_decref(st);
		return RC_FORBIDDEN;
	}
	json_decref(st);
	if (exp > 0 && exp <= c->now()) {
		*why = arena_printf(a, "connection %s expired: reconnect it", name);
		return RC_FORBIDDEN;
	}
	rc = tokens_get(c->store, c->ring, name, &rec, NULL);
	if (rc == RC_OK)
		*token = arena_strdup(a, json_string_value(json_object_get(rec, "access_token")));
	else
		*why = arena_printf(a, rc == RC_NOTFOUND ? "connection %s is not connected yet"
		    : "connection %s: its stored token cannot be opened (%s)", name, rc_str(rc));
	json_decref(rec);
	if (rc == RC_OK && *token == NULL) {
		*why = arena_printf(a, "connection %s: its stored record has no token", name);
		rc = RC_CORRUPT;
	}
	return rc;
}

bool
conn_refusal(long status, const char *body, size_t len)
{
	json_t *j, *e;
	bool bad;

	if (status == 401)
		return true;
	if (status < 400 || body == NULL)
		return false;
	j = json_loadb(body, len, 0, NULL);
	e = json_object_get(j, "error");
	/* Meta: expired, revoked or changed-password tokens are code 190. */
	bad = json_integer_value(json_object_get(e, "code")) == 190;
	json_decref(j);
	return bad;
}

void
conn_token_refused(struct conn *c, const char *name, const char *reason)
{
	if (conn_find(c, name) == NULL || c->store == NULL)
		return;
	conn_state_mark(c, name, "failed", reason);
	log_kv(LOG_ERROR, "connection_failed", "connection", name, "reason", reason, NULL);
}

/* ---- sign-ins in flight */

enum rc
conn_pkce_new(struct arena *a, struct conn_pkce *out)
{
	unsigned char raw[32], sum[CRYPTO_SHA256_LEN];
	struct buf s, v, ch;
	enum rc rc;

	buf_init(&s, 64);
	buf_init(&v, 64);
	buf_init(&ch, 64);
	rc = crypto_random(raw, sizeof(raw));
	if (rc == RC_OK)
		rc = crypto_b64url_encode(&s, raw, sizeof(raw));
	if (rc == RC_OK && (rc = crypto_random(raw, sizeof(raw))) == RC_OK)
		rc = crypto_b64url_encode(&v, raw, sizeof(raw));
	if (rc == RC_OK) {
		crypto_sha256(v.data, v.len, sum);
		rc = crypto_b64url_encode(&ch, sum, sizeof(sum));
	}
	if (rc == RC_OK) {
		out->state = arena_strdup(a, buf_cstr(&s));
		out->verifier = arena_strdup(a, buf_cstr(&v));
		out->challenge = arena_strdup(a, buf_cstr(&ch));
		if (out->state == NULL || out->verifier == NULL || out->challenge == NULL)
			rc = RC_NOMEM;
	}
	buf_fini(&s);
	buf_fini(&v);
	buf_fini(&ch);
	return rc;
}

enum rc
conn_flow_begin(struct conn *c, struct arena *a, const struct conn_def *def,
    const char *redirect_uri, const char *binding, const char **state, const char **url)
{
	struct conn_pkce pk;
	struct buf k;
	json_t *flow = NULL;
	char *text = NULL;
	enum rc rc = conn_pkce_new(a, &pk);

	buf_init(&k, STORE_KEY_MAX);
	if (rc == RC_OK) {
		flow = json_pack("{s:s, s:s, s:s, s:s}", "name", def->name, "verifier", pk.verifier,
		    "redirect_uri", redirect_uri, "binding", binding != NULL ? binding : "");
		text = flow != NULL ? json_dumps(flow, JSON_COMPACT) : NULL;
		rc = text != NULL ? state_key(&k, FLOW_PREFIX, pk.state) : RC_NOMEM;
	}
	if (rc == RC_OK)
		rc = store_set(c->store, buf_cstr(&k), text, strlen(text), FLOW_TTL);
	if (rc == RC_OK) {
		*state = pk.state;
		rc = conn_oauth_authorize_url(a, def, redirect_uri, pk.state,
		    def->net->pkce ? pk.challenge : NULL, url);
	}
	json_decref(flow);
	free(text);
	buf_fini(&k);
	return rc;
}

enum rc
conn_flow_take(struct conn *c, const char *state, json_t **flow)
{
	struct buf k;
	char *v = NULL;
	size_t len;
	enum rc rc;

	*flow = NULL;
	if (!tokens_name_ok(state, 64))
		return RC_INVALID;
	buf_init(&k, STORE_KEY_MAX);
	rc = state_key(&k, FLOW_PREFIX, state);
	if (rc == RC_OK)
		rc = store_get(c->store, buf_cstr(&k), &v, &len);
	/* Single use: whoever deletes it first redeems it. */
	if (rc == RC_OK) {
		rc = store_del(c->store, buf_cstr(&k));
		if (rc == RC_OK && (rc = state_key(&k, "conn:flowdone:", state)) == RC_OK)
			rc = store_once(c->store, buf_cstr(&k), FLOW_TTL);
	}
	/* json_is_object() is a macro that names its argument twice: load first. */
	if (rc == RC_OK)
		*flow = json_loadb(v, len, 0, NULL);
	if (rc == RC_OK && !json_is_object(*flow))
		rc = RC_CORRUPT;
	if (rc != RC_OK) {
		json_decref(*flow);
		*flow = NULL;
	}
	free(v);
	buf_fini(&k);
	return rc == RC_NOTFOUND ? RC_FORBIDDEN : rc;
}

/* ---- renewal (refresher process) */

/*
 * When to renew: half-way through the token's life (a 60-day token after
 * 30 days, a 2-hour one after an hour). 0: never (no expiry).
 */
static long long
renew_at(json_t *st)
{
	long long exp = json_integer_value(json_object_get(st, "expires_at"));
	long long got = json_integer_value(json_object_get(st, "refreshed_at"));

	long long retry = json_integer_value(json_object_get(st, "retry_at"));
	long long at;

	if (exp <= 0 || json_is_false(json_object_get(st, "renewable")))
		return 0;
	at = got > 0 && got < exp ? got + (exp - got) / 2 : exp;
	return retry > at ? retry : at;
}

static bool
still_connected(struct conn *c, const char *name)
{
	json_t *st = conn_state_get(c, name);
	const char *s = json_string_value(json_object_get(st, "state"));
	bool yes = s != NULL && strcmp(s, "connected") == 0;

	json_decref(st);
	return yes;
}

/* A renewal that failed for now (network down, 5xx): logged, and tried
 * again in RETRY_S, not on every look. */
static void
renew_later(struct conn *c, const struct conn_def *def, enum rc rc, const char *why)
{
	json_t *st = conn_state_get(c, def->name);

	json_object_set_new(st, "retry_at", json_integer(c->now() + RETRY_S));
	json_object_set_new(st, "reason", json_string(why));
	state_put(c, def->name, st);
	json_decref(st);
	log_kv(LOG_WARN, "connection_refresh_failed", "connection", def->name,
	    "network", def->net->id, "error", rc_str(rc), "why", why, NULL);
}

static void
renew_locked(struct conn *c, const struct conn_def *def)
{
	struct arena *a = arena_new(16 * 1024, 0);
	struct conn_grant g;
	const char *why = "out of memory";
	json_t *rec = NULL;
	enum rc rc = a != NULL ? tokens_get(c->store, c->ring, def->name, &rec, NULL) : RC_NOMEM;

	if (rc == RC_CRYPTO || rc == RC_CORRUPT) {
		why = "its stored token cannot be opened (a key removed too soon?): reconnect it";
		rc = RC_FORBIDDEN;
	} else if (rc == RC_OK) {
		rc = conn_oauth_renew(c, a, def, rec, &g, &why);
	}
	/* An owner may have revoked it while the network answered: the new
	 * token is dropped, the revocation stands. */
	if (rc == RC_OK && still_connected(c, def->name))
		rc = conn_store_grant(c, def, &g, "refresh");
	else if (rc == RC_FORBIDDEN)
		conn_token_refused(c, def->name, why);
	else if (rc != RC_OK)
		renew_later(c, def, rc, why);
	metrics_add("socialhub_connection_refreshes_total", rc == RC_OK ? "result=\"ok\""
	    : "result=\"error\"", 1);
	json_decref(rec);
	arena_free(a);
}

/* A renewal under the connection's lease: when a revoke or a connect (or
 * another node) holds it, this look is skipped and the next one sees what
 * it left. */
static void
renew_one(struct conn *c, const struct conn_def *def)
{
	if (conn_lease(c, def->name, 0) != RC_OK)
		return;
	if (still_connected(c, def->name))
		renew_locked(c, def);
	conn_lease_release(c, def->name);
}

/* The gauges of one connection, and the warning a week before expiry
 * (once an hour while it lasts, not on every look). */
static void
report_one(struct conn *c, const struct conn_def *def, json_t *st, long long now)
{
	char labels[160], exp_s[24], key[STORE_KEY_MAX];
	const char *state = json_string_value(json_object_get(st, "state"));
	long long exp = json_integer_value(json_object_get(st, "expires_at"));
	bool up = state != NULL && strcmp(state, "connected") == 0 && (exp == 0 || exp > now);

	snprintf(labels, sizeof(labels), "connection=\"%s\",network=\"%s\"", def->name, def->net->id);
	metrics_set("socialhub_connection_up", labels, up ? 1 : 0);
	metrics_set("socialhub_connection_expiry_timestamp_seconds", labels, (double)exp);
	metrics_set("socialhub_connection_last_refresh_timestamp_seconds", labels,
	    (double)json_integer_value(json_object_get(st, "refreshed_at")));
	/* A claim that lapses after WARN_EVERY: no write to the state, which
	 * a worker may be changing (a revoke) at the same time. */
	if (up && exp > 0 && exp - now <= CONN_WARN_DAYS * DAY &&
	    snprintf(key, sizeof(key), "conn:warned:%s", def->name) < (int)sizeof(key) &&
	    store_once(c->store, key, WARN_EVERY) == RC_OK)
		log_kv(LOG_WARN, "connection_expiring", "connection", def->name, "network",
		    def->net->id, "expires_at", log_int(exp_s, exp), NULL);
}

long
conn_refresh(void *ctx, volatile sig_atomic_t *stop)
{
	struct conn *c = ctx;
	long long now, next = NEXT_MAX, at = 0;

	for (size_t i = 0; c != NULL && c->store != NULL && i < c->n && !*stop; i++) {
		json_t *st = conn_state_get(c, c->defs[i].name);
		const char *state = json_string_value(json_object_get(st, "state"));
		now = c->now();
		if (state != NULL && strcmp(state, "connected") == 0 &&
		    (at = renew_at(st)) > 0 && at <= now && c->defs[i].net->renew != CONN_RENEW_NONE) {
			renew_one(c, &c->defs[i]);
			json_decref(st);
			st = conn_state_get(c, c->defs[i].name);
			at = renew_at(st);
		}
		report_one(c, &c->defs[i], st, now);
		state = json_string_value(json_object_get(st, "state"));
		if (state != NULL && strcmp(state, "connected") == 0 && at > now && at - now < next)
			next = at - now;
		json_decref(st);
	}
	/* A worker may connect one at any time: look again soon. */
	if (c != NULL && c->n > 0 && next > CONN_POLL)
		next = CONN_POLL;
	return next < 1 ? 1 : (long)next;
}

/* ---- the feature row */

enum rc
conn_validate(const struct config *cfg)
{
	struct tokens_ring *r = NULL;
	struct conn_def d;
	enum rc rc = ring_load(cfg, &r);

	tokens_ring_free(r);
	for (unsigned i = 0; i < cfg_size(cfg->root, "connection"); i++) {
		memset(&d, 0, sizeof(d));
		if (def_load(cfg, cfg_getnsec(cfg->root, "connection", i), &d) != RC_OK)
			rc = RC_CONFIG;
		if (d.client_secret != NULL)
			config_secret_wipe(d.client_secret, strlen(d.client_secret));
	}
	return sources_check(cfg) == RC_OK ? rc : RC_CONFIG;
}

enum rc
conn_init(const struct config *cfg, void **ctx)
{
	return conn_open(cfg, (struct conn **)ctx);
}

void
conn_fini(void *ctx)
{
	conn_close(ctx);
}

bool
conn_health(void *ctx, json_t *report)
{
	struct conn *c = ctx;
	json_t *all;

	if (c == NULL || c->n == 0 || (all = json_object()) == NULL)
		return true;
	for (size_t i = 0; i < c->n; i++) {
		json_t *st = conn_state_get(c, c->defs[i].name);
		json_object_set_new(st, "network", json_string(c->defs[i].net->id));
		if (json_object_get(st, "state") == NULL)
			json_object_set_new(st, "state", json_string("not connected"));
		json_object_del(st, "scope");
		json_object_set_new(all, c->defs[i].name, st);
	}
	json_object_set_new(report, "connections", all);
	return true;
}

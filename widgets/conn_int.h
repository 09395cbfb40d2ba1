/* conn_int: what conn.c, conn_oauth.c, conn_pages.c and conn_cmd.c share. */
#ifndef SOCIALHUB_WIDGETS_CONN_INT_H
#define SOCIALHUB_WIDGETS_CONN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/http.h"
#include "util/rc.h"
#include "util/store.h"
#include "util/tokens.h"
#include "widgets/conn.h"

/* How a network turns a short-lived token into a long-lived one. */
enum conn_exchange {
	CONN_EXCHANGE_NONE,
	CONN_EXCHANGE_GRAPH,     /* GET {api}/access_token?grant_type=G&client_secret&access_token */
	CONN_EXCHANGE_FACEBOOK,  /* GET {token}?grant_type=fb_exchange_token…, then the page's token */
};

/* How a network renews a token before it expires. */
enum conn_renew {
	CONN_RENEW_NONE,
	CONN_RENEW_REFRESH_TOKEN,  /* POST {token} grant_type=refresh_token (RFC 6749 6) */
	CONN_RENEW_GRAPH,          /* GET {api}/refresh_access_token?grant_type=G&access_token */
};

/* How a network takes a token back when an owner revokes (RFC 7009-like). */
enum conn_revoke_how {
	CONN_REVOKE_NONE,        /* none documented (LinkedIn): said so on the page */
	CONN_REVOKE_POST,        /* POST {revoke} token=…, client authentication (X, TikTok) */
	CONN_REVOKE_PERMISSIONS, /* DELETE {api}/me/permissions?access_token (Meta) */
};

/* One network's authorization server, as its documentation gives it. */
struct conn_network {
	const char *id;            /* "instagram", … (the source types') */
	const char *auth_url;
	const char *token_url;
	const char *api_url;       /* exchange and refresh endpoints' base */
	const char *client_param;  /* "client_id", TikTok's "client_key" */
	const char *scopes;        /* the default, as the network separates them */
	bool pkce;                 /* S256 code challenge */
	bool basic;                /* client_secret_basic at the token endpoint */
	enum conn_exchange exchange;
	const char *exchange_grant;
	enum conn_renew renew;
	const char *renew_grant;
	enum conn_revoke_how revoke;
	const char *revoke_url;    /* CONN_REVOKE_POST's endpoint */
};

/* The table (conn_oauth.c), NULL-id-terminated, and a look-up. */
extern const struct conn_network conn_networks[];
const struct conn_network *conn_network_find(const char *id);

/* One configured connection. */
struct conn_def {
	const char *name;
	const struct conn_network *net;
	const char *client_id;
	char *client_secret;        /* wiped at close */
	const char *auth_url, *token_url, *api_url;   /* overrides applied */
	const char *revoke_url;
	const char *scopes;
	const char *account;        /* Facebook: the page whose token to keep */
};

struct conn {
	const struct config *cfg;
	struct conn_def *defs;
	size_t n;
	struct tokens_ring *ring;
	struct store *store;
	struct netpolicy *net;
	struct http_ops http;
	long long (*now)(void);
	char holder[96];            /* this process's name on a connection's lease */
};

/* The connection called name, or NULL. */
const struct conn_def *conn_find(const struct conn *c, const char *name);

/* What a token endpoint gave, as the record tokens_put seals. */
struct conn_grant {
	const char *access_token;
	const char *refresh_token;   /* NULL: none */
	long long expires_at;        /* 0: does not say / never */
	const char *scope;
};

/*
 * The authorization request for def: URL in *url (arena). state and
 * challenge (S256 of the verifier; NULL when the network takes no PKCE)
 * are the caller's.
 */
enum rc conn_oauth_authorize_url(struct arena *a, const struct conn_def *def,
    const char *redirect_uri, const char *state, const char *challenge, const char **url);

/*
 * Redeems code at def's token endpoint, then exchanges the token for a
 * long-lived one where the network has that step. *why (static or arena)
 * names a refusal; never a token.
 */
enum rc conn_oauth_redeem(struct conn *c, struct arena *a, const struct conn_def *def,
    const char *code, const char *redirect_uri, const char *verifier,
    struct conn_grant *out, const char **why);

/* Renews rec (the stored record) the network's way; *why on refusal. */
enum rc conn_oauth_renew(struct conn *c, struct arena *a, const struct conn_def *def,
    json_t *rec, struct conn_grant *out, const char **why);

/*
 * Stores a new grant: sealed tokens, and the state "connected" with its
 * expiry and refresh time. `how` is "connect" or "refresh" (log).
 */
enum rc conn_store_grant(struct conn *c, const struct conn_def *def,
    const struct conn_grant *g, const char *how);

/* A connect's grant stored under the lease (conn_lease): no renewal of
 * the old grant can land over it. RC_UNAVAILABLE when the lease stayed taken. */
enum rc conn_store_connect(struct conn *c, const struct conn_def *def,
    const struct conn_grant *g);

/* The plain state record of name ({"state", "reason", "expires_at", …}),
 * new reference, or an empty object. */
json_t *conn_state_get(struct conn *c, const char *name);
/* Sets state (and reason, may be NULL) keeping the other fields. */
enum rc conn_state_mark(struct conn *c, const char *name, const char *state,
    const char *reason);

/*
 * A connection's lease (store_lease on "conn:lease:NAME"): a renewal, a
 * connect's store and a revoke each read-modify-write the state and the
 * tokens, so they take it first and never interleave. Waits up to wait_ms
 * (monotonic) for another holder to finish or a failing store to answer;
 * RC_UNAVAILABLE when neither happened in time. Released with
 * conn_lease_release (a missed release: one more try, then logged).
 */
#define CONN_LEASE_MS 60000
#define CONN_REVOKE_WAIT_MS 5000  /* how long a revoke or a connect waits for it */
enum rc conn_lease(struct conn *c, const char *name, long wait_ms);
void conn_lease_release(struct conn *c, const char *name);

/*
 * Revokes: under the lease, the token revoked at the network where it has
 * an endpoint (best effort), the tokens deleted, the state "revoked".
 * *net (static or arena, never a token) says what the network did:
 * NULL when it confirmed, else why not (failed, or none documented).
 * RC_UNAVAILABLE when a renewal held the lease past wait or the store
 * failed; the network's failure is no error.
 */
enum rc conn_revoke(struct conn *c, struct arena *a, const char *name, const char *who,
    const char **net);

/* Revokes rec's token at def's network; *why on failure or when the
 * network documents no endpoint (RC_NOTFOUND). */
enum rc conn_oauth_revoke(struct conn *c, struct arena *a, const struct conn_def *def,
    json_t *rec, const char **why);

/* A fresh state, PKCE verifier and its S256 challenge (arena strings). */
struct conn_pkce {
	const char *state, *verifier, *challenge;
};
enum rc conn_pkce_new(struct arena *a, struct conn_pkce *out);

/*
 * A sign-in in flight: stores {name, verifier, redirect_uri, binding} for
 * 10 minutes under a fresh state; *state and *url (authorization URL) in
 * the arena. binding ties the callback to the session that began it.
 */
enum rc conn_flow_begin(struct conn *c, struct arena *a, const struct conn_def *def,
    const char *redirect_uri, const char *binding, const char **state, const char **url);
/* Takes the flow of state (once: a replay is RC_FORBIDDEN); new ref. */
enum rc conn_flow_take(struct conn *c, const char *state, json_t **flow);

#endif

/* conn: the network accounts an owner connects (`connection NAME { }`) —
 * their OAuth 2.0 flows, tokens sealed in the store (util/tokens.h),
 * long-lived exchanges, refreshes before expiry, and each one's state for
 * the admin page, /healthz, /metrics and the log. A source names one with
 * `connection = "NAME"` and the refresher reads its token here. */
#ifndef SOCIALHUB_WIDGETS_CONN_H
#define SOCIALHUB_WIDGETS_CONN_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <confuse.h>
#include <jansson.h>

#include "fcgi/feature.h"
#include "fcgi/router.h"
#include "util/arena.h"
#include "util/rc.h"

struct config;
struct conn;

#define CONN_WARN_DAYS 7
#define CONN_MSG_MAX 256

/* The per-process handle: config, key ring, store, HTTP client. */
enum rc conn_open(const struct config *cfg, struct conn **out);
void conn_close(struct conn *c);

/*
 * The access token of connection `name` for a refresh of a source (arena
 * copy). RC_NOTFOUND (never connected), RC_FORBIDDEN (revoked, failed or
 * expired) or RC_CRYPTO (no key opens it), with why (static or arena) in
 * words fit for the source's error; never the token.
 */
enum rc conn_token(struct conn *c, struct arena *a, const char *name, const char **token,
    const char **why);

/*
 * The network refused the token of `name` (HTTP 401, Meta's OAuthException
 * code 190): the connection is marked failed with the reason, logged, and
 * stays failed until an owner reconnects it.
 */
void conn_token_refused(struct conn *c, const char *name, const char *reason);

/* True when an API error (status, body) says the token is bad. */
bool conn_refusal(long status, const char *body, size_t len);

/* The feature's pieces. */
extern cfg_opt_t conn_opts[];
extern const struct route conn_routes[];
void conn_checks(cfg_t *root);
enum rc conn_validate(const struct config *cfg);
enum rc conn_init(const struct config *cfg, void **ctx);
void conn_fini(void *ctx);
long conn_refresh(void *ctx, volatile sig_atomic_t *stop);
bool conn_health(void *ctx, json_t *report);

/* `socialhub connect NAME [--port N] [-c FILE]`, `socialhub rekey [-c FILE]`. */
int conn_cmd_connect(int argc, char **argv, const struct feature *features);
int conn_cmd_rekey(int argc, char **argv, const struct feature *features);

#define CONN_FEATURE { .name = "connections", .opts = conn_opts, \
	.checks = conn_checks, .validate = conn_validate, .init = conn_init, \
	.fini = conn_fini, .routes = conn_routes, .refresh = conn_refresh, \
	.health = conn_health }

#define CONN_COMMANDS \
	{ "connect", "connect NAME [--port N] [-c FILE]  connect a network account from a terminal", \
	    conn_cmd_connect }, \
	{ "rekey", "rekey [-c FILE]             reseal stored tokens under the newest key", \
	    conn_cmd_rekey },

#endif

/* conn_pages: MOUNT/admin/connections — each connection's state, and the
 * owner's Connect, Reconnect and Revoke (fcgi/admin.h's shell and CSRF). */
#include "widgets/conn_int.h"

#include <string.h>

#include "fcgi/admin.h"
#include "fcgi/config.h"
#include "util/buf.h"
#include "util/html.h"
#include "util/log.h"
#include "util/time.h"

enum { CP_CODE, CP_STATE, CP_ERROR };
enum { LP_DONE };

static const struct param_spec callback_params[] = {
	[CP_CODE] = { .name = "code", .type = PARAM_STRING, .max_len = 2048 },
	[CP_STATE] = { .name = "state", .type = PARAM_TOKEN, .max_len = 64 },
	[CP_ERROR] = { .name = "error", .type = PARAM_STRING, .max_len = 256 },
	{ .name = NULL },
};

static const struct param_spec list_params[] = {
	[LP_DONE] = { .name = "done", .type = PARAM_TOKEN, .max_len = TOKENS_NAME_MAX },
	{ .name = NULL },
};

/* site_url + mount + the callback path: what the network sends back to. */
static const char *
redirect_uri(struct request *req)
{
	const struct config *cfg = request_config(req);

	return arena_printf(request_arena(req), "%s%s/admin/connections/callback",
	    cfg->site_url, cfg->mount);
}

static enum rc
cell_time(struct buf *b, long long t)
{
	char s[TIME_RFC3339_LEN];

	if (t <= 0)
		return buf_appends(b, "<td>—</td>");
	time_format_rfc3339(t, s);
	return buf_appendf(b, "<td><time datetime=\"%s\">%s</time></td>", s, s);
}

static enum rc
cell_text(struct buf *b, const char *s)
{
	enum rc rc = buf_appends(b, "<td>");

	if (rc == RC_OK)
		rc = html_text(b, s != NULL ? s : "—");
	return rc == RC_OK ? buf_appends(b, "</td>") : rc;
}

/* The accounts of the sources that read through connection `name`. */
static enum rc
cell_accounts(struct buf *b, cfg_t *root, const char *name)
{
	enum rc rc = buf_appends(b, "<td>");
	bool any = false;

	for (unsigned i = 0; i < cfg_size(root, "stream") && rc == RC_OK; i++) {
		cfg_t *st = cfg_getnsec(root, "stream", i);
		for (unsigned k = 0; k < cfg_size(st, "source") && rc == RC_OK; k++) {
			cfg_t *src = cfg_getnsec(st, "source", k);
			const char *cn = cfg_getstr(src, "connection");
			const char *acct = cfg_getstr(src, "account");
			if (cn == NULL || strcmp(cn, name) != 0)
				continue;
			if (any)
				rc = buf_appends(b, ", ");
			if (rc == RC_OK)
				rc = html_text(b, acct != NULL ? acct : cfg_title(src));
			any = true;
		}
	}
	if (rc == RC_OK && !any)
		rc = buf_appends(b, "—");
	return rc == RC_OK ? buf_appends(b, "</td>") : rc;
}

/* One button in a form of its own, with the CSRF field. */
static enum rc
action_form(struct request *req, struct buf *b, const char *name, const char *action,
    const char *label)
{
	enum rc rc = buf_appendf(b, "<form method=\"post\" action=\"%s/admin/connections/",
	    request_config(req)->mount);

	if (rc == RC_OK)
		rc = html_attr(b, name);
	if (rc == RC_OK)
		rc = buf_appendf(b, "/%s\">", action);
	if (rc == RC_OK)
		rc = admin_csrf_field(req, b);
	if (rc == RC_OK)
		rc = buf_appendf(b, "<button type=\"submit\" name=\"do\" value=\"%s\">%s</button></form>",
		    action, label);
	return rc;
}

static enum rc
row(struct request *req, struct conn *c, struct buf *b, const struct conn_def *d)
{
	json_t *st = conn_state_get(c, d->name);
	const char *state = json_string_value(json_object_get(st, "state"));
	bool connected = state != NULL && strcmp(state, "connected") == 0;
	enum rc rc = buf_appends(b, "<tr><th scope=\"row\">");

	if (rc == RC_OK)
		rc = html_text(b, d->name);
	if (rc == RC_OK)
		rc = buf_appends(b, "</th>");
	if (rc == RC_OK)
		rc = cell_text(b, d->net->id);
	if (rc == RC_OK)
		rc = cell_accounts(b, c->cfg->root, d->name);
	if (rc == RC_OK)
		rc = buf_appendf(b, "<td class=\"social-admin__state\" data-state=\"%s\">%s</td>",
		    state != NULL ? state : "none", state != NULL ? state : "not connected");
	if (rc == RC_OK)
		rc = cell_time(b, json_integer_value(json_object_get(st, "expires_at")));
	if (rc == RC_OK)
		rc = cell_time(b, json_integer_value(json_object_get(st, "refreshed_at")));
	if (rc == RC_OK)
		rc = cell_text(b, json_string_value(json_object_get(st, "reason")));
	if (rc == RC_OK)
		rc = buf_appends(b, "<td>");
	if (rc == RC_OK)
		rc = action_form(req, b, d->name, "connect", state == NULL ? "Connect" : "Reconnect");
	if (rc == RC_OK && connected)
		rc = action_form(req, b, d->name, "revoke", "Revoke");
	if (rc == RC_OK && connected && d->net->revoke == CONN_REVOKE_NONE)
		rc = buf_appends(b, "<small class=\"social-admin__note\">This network documents no "
		    "way to revoke a token: Revoke deletes it here; remove the app's access in the "
		    "account's settings there too.</small>");
	json_decref(st);
	return rc == RC_OK ? buf_appends(b, "</td></tr>\n") : rc;
}

/* True when the space-separated list in b has the word o[0..n). */
static bool
origin_listed(const struct buf *b, const char *o, size_t n)
{
	for (size_t i = 0; i + n <= b->len; i++)
		if ((i == 0 || b->data[i - 1] == ' ') && memcmp(b->data + i, o, n) == 0 &&
		    (i + n == b->len || b->data[i + n] == ' '))
			return true;
	return false;
}

/* The origins of the networks' consent pages, for form-action: Connect
 * posts here and is redirected there. */
static const char *
consent_origins(struct arena *a, const struct conn *c)
{
	struct buf b;
	const char *out = NULL;
	enum rc rc = RC_OK;

	buf_init(&b, 4096);
	for (size_t i = 0; c != NULL && i < c->n && rc == RC_OK; i++) {
		const char *u = c->defs[i].auth_url, *host = strstr(u, "://");
		if (host == NULL)
			continue;
		host += 3;
		if (!origin_listed(&b, u, (size_t)(host - u) + strcspn(host, "/?#")))
			rc = buf_appendf(&b, "%s%.*s", b.len > 0 ? " " : "",
			    (int)((size_t)(host - u) + strcspn(host, "/?#")), u);
	}
	if (rc == RC_OK)
		out = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	return out;
}

/* The page, with an outcome line (may be NULL) above the table. */
static enum rc
list_page(struct request *req, struct response *res, struct conn *c, int status,
    const char *outcome)
{
	struct buf *b = response_body(res);
	enum rc rc = admin_page_open(req, b, "Connections");

	if (rc == RC_OK && outcome != NULL) {
		rc = buf_appends(b, "<p class=\"social-admin__outcome\" role=\"status\">");
		if (rc == RC_OK)
			rc = html_text(b, outcome);
		if (rc == RC_OK)
			rc = buf_appends(b, "</p>\n");
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "<table class=\"social-admin__connections\"><thead><tr>"
		    "<th scope=\"col\">Connection</th><th scope=\"col\">Network</th>"
		    "<th scope=\"col\">Accounts</th><th scope=\"col\">State</th>"
		    "<th scope=\"col\">Expires</th><th scope=\"col\">Last refresh</th>"
		    "<th scope=\"col\">Last error</th><th scope=\"col\">Actions</th></tr></thead><tbody>\n");
	for (size_t i = 0; c != NULL && i < c->n && rc == RC_OK; i++)
		rc = row(req, c, b, &c->defs[i]);
	if (rc == RC_OK)
		rc = buf_appends(b, "</tbody></table>\n");
	if (rc == RC_OK)
		rc = admin_page_close(req, b);
	return rc == RC_OK ? admin_page_send_to(res, status,
	    consent_origins(request_arena(req), c)) : rc;
}

/* GET /admin/connections[?done=NAME] */
static enum rc
conn_list(struct request *req, struct response *res, void *ctx)
{
	const char *done = request_value_str(req, LP_DONE);
	enum rc rc;

	if (!admin_gate(req, res, ADMIN_CONNECTIONS, NULL, &rc))
		return rc;
	return list_page(req, res, ctx, 200, done != NULL && conn_find(ctx, done) != NULL ?
	    arena_printf(request_arena(req), "Connected %s.", done) : NULL);
}

static const char *
who_of(struct request *req)
{
	const struct identity *id = request_identity(req);

	return id != NULL ? arena_printf(request_arena(req), "%s:%s", id->provider, id->sub) : "";
}

/* A POST's guards: owner, same origin, CSRF, a configured name. */
static bool
post_allowed(struct request *req, struct response *res, struct conn *c,
    const struct conn_def **def, enum rc *rc)
{
	if (!admin_post_gate(req, res, ADMIN_CONNECTIONS, NULL, rc))
		return false;
	*def = conn_find(c, request_capture(req, 0));
	if (*def == NULL) {
		*rc = RC_NOTFOUND;
		return false;
	}
	return true;
}

/* POST /admin/connections/{name}/connect: to the network's consent. */
static enum rc
conn_connect(struct request *req, struct response *res, void *ctx)
{
	const struct conn_def *def;
	const char *state, *url;
	enum rc rc;

	if (!post_allowed(req, res, ctx, &def, &rc))
		return rc;
	rc = conn_flow_begin(ctx, request_arena(req), def, redirect_uri(req),
	    request_identity(req)->binding, &state, &url);
	if (rc != RC_OK)
		return list_page(req, res, ctx, 503, "The store did not answer: try again.");
	log_kv(LOG_INFO, "connection_consent", "connection", def->name, "network", def->net->id,
	    "by", who_of(req), NULL);
	rc = response_redirect(res, 303, url);
	return rc == RC_OK ? response_no_store(res) : rc;
}

/* What the page says after a revoke: the local deletion, then what the
 * network did (or that it has no endpoint to ask). */
static const char *
revoke_outcome(struct arena *a, const struct conn_def *def, enum rc rc, const char *net)
{
	if (rc == RC_UNAVAILABLE)
		return arena_printf(a, "%s is being renewed or stored right now: try again in a "
		    "moment.", def->name);
	if (rc != RC_OK)
		return "The store did not answer: try again.";
	if (net == NULL)
		return arena_printf(a, "Revoked %s. %s revoked the token too.", def->name,
		    def->net->id);
	return arena_printf(a, "Revoked %s. The local tokens are deleted, but at %s: %s.",
	    def->name, def->net->id, net);
}

/* POST /admin/connections/{name}/revoke */
static enum rc
conn_revoke_post(struct request *req, struct response *res, void *ctx)
{
	const struct conn_def *def;
	const char *net = NULL;
	enum rc rc;

	if (!post_allowed(req, res, ctx, &def, &rc))
		return rc;
	rc = conn_revoke(ctx, request_arena(req), def->name, who_of(req), &net);
	return list_page(req, res, ctx, rc == RC_OK ? 200 : 503,
	    revoke_outcome(request_arena(req), def, rc, net));
}

/* The callback's checks: a flow this session began, for a configured name. */
static const char *
callback_refusal(struct request *req, struct conn *c, json_t **flow, const struct conn_def **def)
{
	const char *state = request_value_str(req, CP_STATE);
	const char *binding = request_identity(req)->binding;
	const char *error = request_value_str(req, CP_ERROR);

	const char *began;

	if (state == NULL || conn_flow_take(c, state, flow) != RC_OK ||
	    json_string_value(json_object_get(*flow, "redirect_uri")) == NULL ||
	    json_string_value(json_object_get(*flow, "verifier")) == NULL)
		return "This sign-in is unknown, used or expired: start again with Connect.";
	began = json_string_value(json_object_get(*flow, "binding"));
	if (binding == NULL || began == NULL || strcmp(began, binding) != 0)
		return "This sign-in was started in another session: start again with Connect.";
	*def = conn_find(c, json_string_value(json_object_get(*flow, "name")));
	if (*def == NULL)
		return "This connection is no longer configured.";
	if (error != NULL)
		return arena_printf(request_arena(req), "The network did not grant access (%s).",
		    error);
	if (request_value_str(req, CP_CODE) == NULL)
		return "The network sent no code.";
	return NULL;
}

/* GET /admin/connections/callback?code&state: redeem, store, back. */
static enum rc
conn_callback(struct request *req, struct response *res, void *ctx)
{
	struct conn *c = ctx;
	const struct conn_def *def = NULL;
	struct conn_grant g;
	const char *why, *loc;
	json_t *flow = NULL;
	enum rc rc;

	if (!admin_gate(req, res, ADMIN_CONNECTIONS, NULL, &rc))
		return rc;
	why = callback_refusal(req, c, &flow, &def);
	if (why == NULL) {
		rc = conn_oauth_redeem(c, request_arena(req), def, request_value_str(req, CP_CODE),
		    json_string_value(json_object_get(flow, "redirect_uri")),
		    def->net->pkce ? json_string_value(json_object_get(flow, "verifier")) : NULL,
		    &g, &why);
		if (rc == RC_OK && (rc = conn_store_connect(c, def, &g)) != RC_OK)
			why = "The token could not be stored.";
		if (rc != RC_OK)
			log_kv(LOG_WARN, "connection_connect_failed", "connection", def->name,
			    "error", rc_str(rc), "why", why, NULL);
	}
	json_decref(flow);
	if (why != NULL)
		return list_page(req, res, c, 400, why);
	loc = arena_printf(request_arena(req), "%s/admin/connections?done=%s",
	    request_config(req)->mount, def->name);
	rc = response_redirect(res, 303, loc);
	return rc == RC_OK ? response_no_store(res) : rc;
}

const struct route conn_routes[] = {
	{ HTTP_GET, "/admin/connections", conn_list, "admin_connections", list_params, 0 },
	{ HTTP_GET, "/admin/connections/callback", conn_callback, "admin_connections_callback",
	    callback_params, 0 },
	{ HTTP_POST, "/admin/connections/{name}/connect", conn_connect, "admin_connection_connect",
	    NULL, ROUTE_FORM },
	{ HTTP_POST, "/admin/connections/{name}/revoke", conn_revoke_post,
	    "admin_connection_revoke", NULL, ROUTE_FORM },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

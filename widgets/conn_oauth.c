/* conn_oauth: each network's authorization server — the authorization URL,
 * the code's redemption, the long-lived exchange and the renewal. */
#include "widgets/conn_int.h"

#include <string.h>

#include <openssl/crypto.h>

#include "util/buf.h"
#include "util/url.h"

#define TOKEN_BODY_MAX (64u * 1024)
#define FORM_MAX (16u * 1024)

/* Checked 2026-12-06 against each network's developer documentation. */
const struct conn_network conn_networks[] = {
	{ .id = "instagram", .auth_url = "https://www.instagram.com/oauth/authorize",
	  .token_url = "https://api.instagram.com/oauth/access_token",
	  .api_url = "https://graph.instagram.com", .client_param = "client_id",
	  .scopes = "instagram_business_basic", .exchange = CONN_EXCHANGE_GRAPH,
	  .exchange_grant = "ig_exchange_token", .renew = CONN_RENEW_GRAPH,
	  .renew_grant = "ig_refresh_token", .revoke = CONN_REVOKE_PERMISSIONS },
	{ .id = "threads", .auth_url = "https://threads.net/oauth/authorize",
	  .token_url = "https://graph.threads.net/oauth/access_token",
	  .api_url = "https://graph.threads.net", .client_param = "client_id",
	  .scopes = "threads_basic", .exchange = CONN_EXCHANGE_GRAPH,
	  .exchange_grant = "th_exchange_token", .renew = CONN_RENEW_GRAPH,
	  .renew_grant = "th_refresh_token" },
	{ .id = "facebook", .auth_url = "https://www.facebook.com/v21.0/dialog/oauth",
	  .token_url = "https://graph.facebook.com/v21.0/oauth/access_token",
	  .api_url = "https://graph.facebook.com/v21.0", .client_param = "client_id",
	  .scopes = "pages_show_list,pages_read_engagement", .exchange = CONN_EXCHANGE_FACEBOOK,
	  .exchange_grant = "fb_exchange_token", .revoke = CONN_REVOKE_PERMISSIONS },
	{ .id = "linkedin", .auth_url = "https://www.linkedin.com/oauth/v2/authorization",
	  .token_url = "https://www.linkedin.com/oauth/v2/accessToken",
	  .client_param = "client_id", .scopes = "r_organization_social",
	  .renew = CONN_RENEW_REFRESH_TOKEN },
	{ .id = "x", .auth_url = "https://x.com/i/oauth2/authorize",
	  .token_url = "https://api.x.com/2/oauth2/token", .client_param = "client_id",
	  .scopes = "tweet.read users.read offline.access", .pkce = true, .basic = true,
	  .renew = CONN_RENEW_REFRESH_TOKEN, .revoke = CONN_REVOKE_POST,
	  .revoke_url = "https://api.x.com/2/oauth2/revoke" },
	{ .id = "tiktok", .auth_url = "https://www.tiktok.com/v2/auth/authorize/",
	  .token_url = "https://open.tiktokapis.com/v2/oauth/token/",
	  .client_param = "client_key", .scopes = "user.info.basic,video.list", .pkce = true,
	  .renew = CONN_RENEW_REFRESH_TOKEN, .revoke = CONN_REVOKE_POST,
	  .revoke_url = "https://open.tiktokapis.com/v2/oauth/revoke/" },
	{ .id = NULL },
};

const struct conn_network *
conn_network_find(const char *id)
{
	for (const struct conn_network *n = conn_networks; id != NULL && n->id != NULL; n++)
		if (strcmp(n->id, id) == 0)
			return n;
	return NULL;
}

static enum rc
pair(struct buf *b, const char *k, const char *v)
{
	bool first = b->len == 0 || b->data[b->len - 1] == '?' || b->data[b->len - 1] == '&';
	enum rc rc = buf_appendf(b, "%s%s=", first ? "" : "&", k);

	return rc == RC_OK ? url_encode(b, v, strlen(v)) : rc;
}

enum rc
conn_oauth_authorize_url(struct arena *a, const struct conn_def *def,
    const char *redirect_uri, const char *state, const char *challenge, const char **url)
{
	struct buf b;
	enum rc rc;

	buf_init(&b, 8192);
	rc = buf_appendf(&b, "%s%c", def->auth_url, strchr(def->auth_url, '?') ? '&' : '?');
	if (rc == RC_OK)
		rc = pair(&b, "response_type", "code");
	if (rc == RC_OK)
		rc = pair(&b, def->net->client_param, def->client_id);
	if (rc == RC_OK)
		rc = pair(&b, "redirect_uri", redirect_uri);
	if (rc == RC_OK)
		rc = pair(&b, "scope", def->scopes);
	if (rc == RC_OK)
		rc = pair(&b, "state", state);
	if (rc == RC_OK && challenge != NULL && (rc = pair(&b, "code_challenge", challenge)) == RC_OK)
		rc = pair(&b, "code_challenge_method", "S256");
	if (rc == RC_OK && (*url = arena_strndup(a, b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

/* Meta's error object, or an OAuth error: the words to show, never a token. */
static const char *
error_words(struct arena *a, json_t *j, long status)
{
	json_t *e = json_object_get(j, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *code = json_string_value(e);

	if (msg != NULL)
		return arena_printf(a, "HTTP %ld: %.*s (code %lld)", status, 160, msg,
		    (long long)json_integer_value(json_object_get(e, "code")));
	if (code != NULL)
		return arena_printf(a, "HTTP %ld: %.*s", status, 60, code);
	if (status == 200)
		return "the token endpoint's answer has no access_token";
	return arena_printf(a, "HTTP %ld from the token endpoint", status);
}

/* One call to an authorization server, its answer bounded; *why names
 * `what` when it did not answer. */
static enum rc
perform(struct conn *c, struct arena *a, struct http_request *rq, struct http_response *rs,
    const char *what, const char **why)
{
	enum rc rc;

	rq->max_body = TOKEN_BODY_MAX;
	rq->headers[0] = "Accept: application/json";
	rq->log_name = "connection";
	rc = http_perform(&c->http, a, rq, rs);
	if (rc == RC_OK)
		return RC_OK;
	*why = arena_printf(a, "%s did not answer (%s)", what, rc_str(rc));
	return rc == RC_TIMEOUT ? rc : RC_UPSTREAM;
}

/* One call whose answer must be a JSON object; *j new ref. */
static enum rc
call_json(struct conn *c, struct arena *a, struct http_request *rq, long *status,
    json_t **j, const char **why)
{
	struct http_response rs = { 0 };
	enum rc rc = perform(c, a, rq, &rs, "the token endpoint", why);

	*j = NULL;
	if (rc != RC_OK)
		return rc;
	*status = rs.status;
	*j = json_loadb(rs.body, rs.body_len, 0, NULL);
	if (!json_is_object(*j)) {
		json_decref(*j);
		*j = NULL;
		*why = arena_printf(a, "HTTP %ld, not a JSON object from the token endpoint", rs.status);
		return RC_UPSTREAM;
	}
	OPENSSL_cleanse(rs.body, rs.body_len);
	return RC_OK;
}

/* Reads a token answer into g (strings into the arena). */
static enum rc
read_grant(struct conn *c, struct arena *a, json_t *j, long status, struct conn_grant *g,
    const char **why)
{
	json_t *d = json_object_get(j, "data");
	json_int_t in;

	/* Instagram Login answers {"data": [{…}]}; everyone else the object. */
	if (json_is_array(d) && json_is_object(json_array_get(d, 0)))
		j = json_array_get(d, 0);
	if (status != 200 || json_string_value(json_object_get(j, "access_token")) == NULL) {
		*why = error_words(a, j, status);
		return status == 401 || status == 400 ? RC_FORBIDDEN : RC_UPSTREAM;
	}
	g->access_token = arena_strdup(a, json_string_value(json_object_get(j, "access_token")));
	if (json_string_value(json_object_get(j, "refresh_token")) != NULL)
		g->refresh_token = arena_strdup(a, json_string_value(json_object_get(j, "refresh_token")));
	in = json_integer_value(json_object_get(j, "expires_in"));
	g->expires_at = in > 0 ? c->now() + in : 0;
	if (json_string_value(json_object_get(j, "scope")) != NULL)
		g->scope = arena_strdup(a, json_string_value(json_object_get(j, "scope")));
	return g->access_token != NULL ? RC_OK : RC_NOMEM;
}

/* Client authentication for a token endpoint POST. */
static enum rc
client_auth(struct arena *a, const struct conn_def *def, struct buf *form,
    struct http_request *rq)
{
	enum rc rc = RC_OK;

	if (def->net->basic && def->client_secret != NULL) {
		rq->basic_user = def->client_id;
		rq->basic_pass = def->client_secret;
		return RC_OK;
	}
	(void)a;
	rc = pair(form, def->net->client_param, def->client_id);
	if (rc == RC_OK && def->client_secret != NULL)
		rc = pair(form, "client_secret", def->client_secret);
	return rc;
}

/* POST form to def's token endpoint, the answer read as a grant. */
static enum rc
token_post(struct conn *c, struct arena *a, const struct conn_def *def, struct buf *form,
    struct conn_grant *g, const char **why)
{
	struct http_request rq = { .url = def->token_url };
	enum rc rc = client_auth(a, def, form, &rq);
	long status = 0;
	json_t *j = NULL;

	if (rc == RC_OK && (rq.form = arena_strndup(a, form->data, form->len)) == NULL)
		rc = RC_NOMEM;
	OPENSSL_cleanse(form->data, form->len);
	if (rc == RC_OK)
		rc = call_json(c, a, &rq, &status, &j, why);
	if (rc == RC_OK)
		rc = read_grant(c, a, j, status, g, why);
	json_decref(j);
	return rc;
}

/* GET url (it carries a token in its query: http.c logs no query). */
static enum rc
token_get(struct conn *c, struct arena *a, const char *url, struct conn_grant *g,
    const char **why)
{
	struct http_request rq = { .url = url };
	long status = 0;
	json_t *j = NULL;
	enum rc rc = call_json(c, a, &rq, &status, &j, why);

	if (rc == RC_OK)
		rc = read_grant(c, a, j, status, g, why);
	json_decref(j);
	return rc;
}

/* Instagram and Threads: the 1-hour token for a 60-day one. */
static enum rc
exchange_graph(struct conn *c, struct arena *a, const struct conn_def *def,
    struct conn_grant *g, const char **why)
{
	struct buf u;
	enum rc rc;

	buf_init(&u, FORM_MAX);
	rc = buf_appendf(&u, "%s/access_token?", def->api_url);
	if (rc == RC_OK)
		rc = pair(&u, "grant_type", def->net->exchange_grant);
	if (rc == RC_OK)
		rc = pair(&u, "client_secret", def->client_secret != NULL ? def->client_secret : "");
	if (rc == RC_OK)
		rc = pair(&u, "access_token", g->access_token);
	if (rc == RC_OK)
		rc = token_get(c, a, buf_cstr(&u), g, why);
	OPENSSL_cleanse(u.data, u.len);
	buf_fini(&u);
	return rc;
}

/* Facebook: the user token for a long-lived one, then (with `account`)
 * that page's token, which does not expire while the user's grant holds. */
static enum rc
exchange_facebook(struct conn *c, struct arena *a, const struct conn_def *def,
    struct conn_grant *g, const char **why)
{
	struct buf u;
	enum rc rc;

	buf_init(&u, FORM_MAX);
	rc = buf_appendf(&u, "%s?", def->token_url);
	if (rc == RC_OK)
		rc = pair(&u, "grant_type", def->net->exchange_grant);
	if (rc == RC_OK)
		rc = pair(&u, "client_id", def->client_id);
	if (rc == RC_OK)
		rc = pair(&u, "client_secret", def->client_secret != NULL ? def->client_secret : "");
	if (rc == RC_OK)
		rc = pair(&u, "fb_exchange_token", g->access_token);
	if (rc == RC_OK)
		rc = token_get(c, a, buf_cstr(&u), g, why);
	if (rc == RC_OK && def->account != NULL) {
		buf_clear(&u);
		rc = buf_appendf(&u, "%s/", def->api_url);
		if (rc == RC_OK)
			rc = url_encode(&u, def->account, strlen(def->account));
		if (rc == RC_OK)
			rc = buf_appends(&u, "?fields=access_token&");
		if (rc == RC_OK)
			rc = pair(&u, "access_token", g->access_token);
		if (rc == RC_OK && (rc = token_get(c, a, buf_cstr(&u), g, why)) == RC_OK)
			g->expires_at = 0;
	}
	OPENSSL_cleanse(u.data, u.len);
	buf_fini(&u);
	return rc;
}

enum rc
conn_oauth_redeem(struct conn *c, struct arena *a, const struct conn_def *def,
    const char *code, const char *redirect_uri, const char *verifier,
    struct conn_grant *out, const char **why)
{
	struct buf form;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	buf_init(&form, FORM_MAX);
	rc = pair(&form, "grant_type", "authorization_code");
	if (rc == RC_OK)
		rc = pair(&form, "code", code);
	if (rc == RC_OK)
		rc = pair(&form, "redirect_uri", redirect_uri);
	if (rc == RC_OK && verifier != NULL)
		rc = pair(&form, "code_verifier", verifier);
	if (rc == RC_OK)
		rc = token_post(c, a, def, &form, out, why);
	buf_fini(&form);
	if (rc == RC_OK && def->net->exchange == CONN_EXCHANGE_GRAPH)
		rc = exchange_graph(c, a, def, out, why);
	else if (rc == RC_OK && def->net->exchange == CONN_EXCHANGE_FACEBOOK)
		rc = exchange_facebook(c, a, def, out, why);
	return rc;
}

enum rc
conn_oauth_renew(struct conn *c, struct arena *a, const struct conn_def *def, json_t *rec,
    struct conn_grant *out, const char **why)
{
	const char *refresh = json_string_value(json_object_get(rec, "refresh_token"));
	const char *access = json_string_value(json_object_get(rec, "access_token"));
	struct buf b;
	enum rc rc = RC_OK;

	memset(out, 0, sizeof(*out));
	buf_init(&b, FORM_MAX);
	if (def->net->renew == CONN_RENEW_REFRESH_TOKEN && refresh != NULL) {
		rc = pair(&b, "grant_type", "refresh_token");
		if (rc == RC_OK)
			rc = pair(&b, "refresh_token", refresh);
		if (rc == RC_OK)
			rc = token_post(c, a, def, &b, out, why);
		/* Some networks keep the refresh token; others rotate it. */
		if (rc == RC_OK && out->refresh_token == NULL)
			out->refresh_token = arena_strdup(a, refresh);
	} else if (def->net->renew == CONN_RENEW_GRAPH && access != NULL) {
		rc = buf_appendf(&b, "%s/refresh_access_token?", def->api_url);
		if (rc == RC_OK)
			rc = pair(&b, "grant_type", def->net->renew_grant);
		if (rc == RC_OK)
			rc = pair(&b, "access_token", access);
		if (rc == RC_OK)
			rc = token_get(c, a, buf_cstr(&b), out, why);
	} else {
		*why = "this network's token cannot be renewed: reconnect it";
		rc = RC_NOTFOUND;
	}
	OPENSSL_cleanse(b.data, b.len);
	buf_fini(&b);
	return rc;
}

/* ---- revocation at the network */

/* One revocation call: any 2xx is done; else the status and the error's
 * words (never the token, which only the form or the query carries). */
static enum rc
revoke_call(struct conn *c, struct arena *a, struct http_request *rq, const char **why)
{
	struct http_response rs = { 0 };
	json_t *j;
	enum rc rc = perform(c, a, rq, &rs, "the network's revocation endpoint", why);

	if (rc != RC_OK)
		return rc;
	if (rs.status >= 200 && rs.status < 300)
		return RC_OK;
	j = json_loadb(rs.body, rs.body_len, 0, NULL);
	*why = json_is_object(j) ? error_words(a, j, rs.status) :
	    arena_printf(a, "HTTP %ld from the network's revocation endpoint", rs.status);
	json_decref(j);
	return rs.status == 401 || rs.status == 400 ? RC_FORBIDDEN : RC_UPSTREAM;
}

/* RFC 7009-style: POST token (and its hint) with the client's authentication. */
static enum rc
revoke_post(struct conn *c, struct arena *a, const struct conn_def *def, const char *token,
    const char *hint, const char **why)
{
	struct http_request rq = { .url = def->revoke_url };
	struct buf form;
	enum rc rc;

	buf_init(&form, FORM_MAX);
	rc = pair(&form, "token", token);
	if (rc == RC_OK)
		rc = pair(&form, "token_type_hint", hint);
	if (rc == RC_OK)
		rc = client_auth(a, def, &form, &rq);
	if (rc == RC_OK && (rq.form = arena_strndup(a, form.data, form.len)) == NULL)
		rc = RC_NOMEM;
	OPENSSL_cleanse(form.data, form.len);
	buf_fini(&form);
	return rc == RC_OK ? revoke_call(c, a, &rq, why) : rc;
}

/* Meta: DELETE /me/permissions takes back every permission the user gave. */
static enum rc
revoke_permissions(struct conn *c, struct arena *a, const struct conn_def *def,
    const char *token, const char **why)
{
	struct http_request rq = { .method = "DELETE" };
	struct buf u;
	enum rc rc;

	buf_init(&u, FORM_MAX);
	rc = buf_appendf(&u, "%s/me/permissions?", def->api_url);
	if (rc == RC_OK)
		rc = pair(&u, "access_token", token);
	if (rc == RC_OK && (rq.url = arena_strndup(a, u.data, u.len)) == NULL)
		rc = RC_NOMEM;
	OPENSSL_cleanse(u.data, u.len);
	buf_fini(&u);
	return rc == RC_OK ? revoke_call(c, a, &rq, why) : rc;
}

enum rc
conn_oauth_revoke(struct conn *c, struct arena *a, const struct conn_def *def, json_t *rec,
    const char **why)
{
	const char *access = json_string_value(json_object_get(rec, "access_token"));
	const char *refresh = json_string_value(json_object_get(rec, "refresh_token"));
	enum rc rc;

	switch (def->net->revoke) {
	case CONN_REVOKE_POST:
		/* The refresh token first: with it gone no new access token comes. */
		rc = refresh != NULL ? revoke_post(c, a, def, refresh, "refresh_token", why) : RC_OK;
		if (rc == RC_OK && access != NULL)
			rc = revoke_post(c, a, def, access, "access_token", why);
		return rc;
	case CONN_REVOKE_PERMISSIONS:
		return access != NULL ? revoke_permissions(c, a, def, access, why) : RC_OK;
	case CONN_REVOKE_NONE:
	default:
		*why = arena_printf(a, "%s documents no way to revoke a token: remove the app's "
		    "access in the account's settings there", def->net->id);
		return RC_NOTFOUND;
	}
}

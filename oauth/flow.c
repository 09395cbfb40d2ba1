/* flow: the authorization code flow — login start and callback. */
#include "oauth/oauth_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcgi/config.h"
#include "fcgi/metrics.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/url.h"

#define CODE_MAX 4096
#define AUTH_URL_MAX (16u * 1024)

/* Callback parameters that must appear at most once (RFC 9700 4.x). */
static const char *const single_params[] = {
	"state", "code", "iss", "error", "error_description", "error_uri", "id_token",
	"user", "session_state", NULL,
};

static void
count_login(const char *provider, const char *result)
{
	char labels[128];

	snprintf(labels, sizeof(labels), "provider=\"%s\",result=\"%s\"", provider, result);
	metrics_add("socialhub_logins_total", labels, 1);
}

static enum rc
add_param(struct buf *b, const char *name, const char *value)
{
	enum rc rc = buf_appendf(b, "&%s=", name);

	return rc == RC_OK ? url_encode(b, value, strlen(value)) : rc;
}

/* The provider's authorization URL for this attempt. */
static enum rc
authorize_url(struct arena *a, const struct provider *p, const struct provider_meta *m,
    const struct login_state *st, const char *client_id, const char *scopes, char **out)
{
	const char *ep = m->authorization_endpoint;
	char *challenge;
	struct buf b;
	enum rc rc;

	buf_init(&b, AUTH_URL_MAX);
	rc = buf_appendf(&b, "%s%cresponse_type=code", ep, strchr(ep, '?') != NULL ? '&' : '?');
	if (rc == RC_OK)
		rc = add_param(&b, "client_id", client_id);
	if (rc == RC_OK)
		rc = add_param(&b, "redirect_uri", p->redirect_uri);
	if (rc == RC_OK)
		rc = add_param(&b, "scope", scopes);
	if (rc == RC_OK)
		rc = add_param(&b, "state", st->state);
	if (rc == RC_OK && st->nonce != NULL)
		rc = add_param(&b, "nonce", st->nonce);
	if (rc == RC_OK && st->verifier != NULL) {
		rc = pkce_challenge(a, st->verifier, &challenge);
		if (rc == RC_OK)
			rc = add_param(&b, "code_challenge", challenge);
		if (rc == RC_OK)
			rc = add_param(&b, "code_challenge_method", "S256");
	}
	if (rc == RC_OK && (p->flags & PRESET_FORM_POST))
		rc = add_param(&b, "response_mode", "form_post");
	if (rc == RC_OK && (*out = arena_strndup(a, b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

/*
 * Login CSRF guard: a cross-site request may start a login only as a
 * top-level navigation (a link), never from an image, script or frame.
 */
static bool
login_request_ok(struct request *req)
{
	const char *site = request_header(req, "Sec-Fetch-Site");
	const char *mode = request_header(req, "Sec-Fetch-Mode");
	const char *dest = request_header(req, "Sec-Fetch-Dest");

	if (site == NULL || strcmp(site, "cross-site") != 0)
		return true;
	return mode != NULL && strcmp(mode, "navigate") == 0 &&
	    (dest == NULL || strcmp(dest, "document") == 0);
}

/* msg: a catalog key (auth.err.*). */
static enum rc
login_page_error(struct request *req, struct response *res, enum rc why, const char *msg)
{
	response_no_store(res);
	return page_error(req, res, &(struct page_err){ why, "auth.err.start", msg, NULL, NULL });
}

/* What a visitor is told when the instance's app is not to be had. */
static const struct {
	enum rc rc;
	enum rc status;
	const char *msg;   /* a catalog key */
} mastodon_refusals[] = {
	{ RC_FORBIDDEN, RC_FORBIDDEN, "auth.err.masto_refused" },
	{ RC_UNAVAILABLE, RC_UNAVAILABLE, "auth.err.masto_busy" },
	{ RC_RATELIMIT, RC_RATELIMIT, "auth.err.masto_flood" },
	{ RC_LIMIT, RC_UNAVAILABLE, "auth.err.masto_paused" },
};

/* The error page for a failed mastodon_instance, with Retry-After when
 * waiting helps. */
static enum rc
login_mastodon_error(struct request *req, struct response *res, enum rc rc, long retry_after)
{
	char secs[24];
	enum rc out;

	for (size_t i = 0; i < sizeof(mastodon_refusals) / sizeof(mastodon_refusals[0]); i++) {
		if (mastodon_refusals[i].rc != rc)
			continue;
		out = login_page_error(req, res, mastodon_refusals[i].status, mastodon_refusals[i].msg);
		if (out == RC_OK && retry_after > 0) {
			snprintf(secs, sizeof(secs), "%ld", retry_after);
			response_header_set(res, "Retry-After", secs);
		}
		return out;
	}
	return login_page_error(req, res, RC_UPSTREAM, "auth.err.masto_down");
}

/* GET /auth/login/{provider}?return_to=PATH[&instance=HOST] */
enum rc
flow_login(struct request *req, struct response *res, void *vctx)
{
	struct oauth_ctx *ctx = vctx;
	struct arena *a = request_arena(req);
	struct provider *p = oauth_provider_find(ctx, request_capture(req, 0));
	const struct param_value *iv = request_value(req, OAUTH_P_INSTANCE);
	const char *client_id, *scopes, *instance = NULL;
	const struct provider_meta *m;
	struct instance_cache *ic = NULL;
	struct login_state st = { 0 };
	char *url;
	enum rc rc;

	if (p == NULL)
		return RC_NOTFOUND;
	st.return_to = oauth_return_to(req, OAUTH_P_RETURN_TO, true);
	if (st.return_to == NULL)
		return login_page_error(req, res, RC_INVALID, "auth.bad_return");
	if (!login_request_ok(req))
		return login_page_error(req, res, RC_FORBIDDEN, "auth.err.cross_site");
	/* The callback will need the shared store to consume the state:
	 * refuse now rather than after the visitor met the provider. */
	if (ctx->store != NULL && store_ping(ctx->store) != RC_OK) {
		response_header_set(res, "Retry-After", "30");
		return login_page_error(req, res, RC_UNAVAILABLE, "auth.err.busy");
	}
	client_id = p->client_id;
	scopes = p->scopes;
	if (p->flags & PRESET_MASTODON) {
		instance = iv != NULL ? iv->p : NULL;
		if (instance == NULL)
			return login_page_error(req, res, RC_INVALID, "auth.err.instance");
		struct mastodon_query q = { .host = instance, .client = request_remote_addr(req) };
		rc = mastodon_instance(ctx, a, p, &q, &ic);
		if (rc != RC_OK)
			return login_mastodon_error(req, res, rc, q.retry_after);
		client_id = ic->client_id;
		scopes = ic->scopes;
	}
	rc = discovery_meta(ctx, a, p, instance, &m);
	if (rc != RC_OK)
		return login_page_error(req, res, RC_UPSTREAM, "auth.err.provider_down");
	st.provider = p->id;
	st.instance = instance;
	st.created = ctx->now();
	rc = state_new(a, &st, p->nonce, p->pkce && m->s256_ok);
	if (rc == RC_OK)
		rc = authorize_url(a, p, m, &st, client_id, scopes, &url);
	if (rc == RC_OK)
		rc = state_set(ctx, req, res, &st, (p->flags & PRESET_FORM_POST) != 0);
	if (rc != RC_OK)
		return rc;
	count_login(p->id, "started");
	response_no_store(res);
	response_header_set(res, "Referrer-Policy", "no-referrer");
	return response_redirect(res, 302, url);
}

/* ---- callback */

struct callback {
	struct request *req;
	struct response *res;
	struct oauth_ctx *ctx;
	struct arena *a;
	struct provider *p;
	bool post;
	struct login_state st;
	const struct provider_meta *m;
	struct instance_cache *ic;   /* Mastodon: the instance's app */
	const char *why;
};

static const char *
cb_param(const struct callback *cb, const char *name)
{
	return cb->post ? request_form(cb->req, name) : request_query(cb->req, name);
}

static size_t
cb_count(const struct callback *cb, const char *name)
{
	return cb->post ? request_form_count(cb->req, name) : request_query_count(cb->req, name);
}

/* Ends a refused callback: an error page, never a session; e->why sets
 * its status, `result` is the log's and the metrics' word. */
static enum rc
cb_fail_page(struct callback *cb, const char *result, struct page_err *e)
{
	log_kv(LOG_WARN, "login_refused", "provider", cb->p->id, "result", result,
	    "reason", cb->why != NULL ? cb->why : result, NULL);
	count_login(cb->p->id, result);
	e->title = "auth.err.failed";
	return page_error(cb->req, cb->res, e);
}

/* cb_fail_page with the catalog key `message` alone. */
static enum rc
cb_fail(struct callback *cb, enum rc why, const char *result, const char *message)
{
	return cb_fail_page(cb, result, &(struct page_err){ why, NULL, message, NULL, NULL });
}

/* One value per name, and no mixing of query and body parameters. */
static bool
params_single(struct callback *cb)
{
	for (size_t i = 0; single_params[i] != NULL; i++) {
		if (cb_count(cb, single_params[i]) > 1) {
			cb->why = "duplicated callback parameter";
			return false;
		}
		if (cb->post && request_query_count(cb->req, single_params[i]) > 0) {
			cb->why = "callback parameters in both query and body";
			return false;
		}
	}
	return true;
}

/* RFC 9207: iss, when sent (or required by metadata), names our issuer. */
static bool
iss_param_ok(struct callback *cb)
{
	const char *iss = cb_param(cb, "iss");
	const char *want = cb->p->issuer, *tmpl;

	if (iss == NULL) {
		if (cb->m->iss_param_required)
			cb->why = "iss parameter missing but the provider always sends it";
		return !cb->m->iss_param_required;
	}
	if (want == NULL)
		return true; /* plain OAuth 2 provider with no issuer identifier */
	tmpl = strstr(want, "{tenantid}");
	if (tmpl != NULL) {
		size_t pre = (size_t)(tmpl - want), post = strlen(tmpl + 10);
		if (strlen(iss) > pre + post && strncmp(iss, want, pre) == 0 &&
		    strcmp(iss + strlen(iss) - post, tmpl + 10) == 0)
			return true;
	} else if (strcmp(iss, want) == 0) {
		return true;
	}
	cb->why = "iss parameter does not name the provider we sent the visitor to";
	return false;
}

/* Drops control characters from provider text; NULL stays NULL. */
static const char *
clean_text(struct arena *a, const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = arena_strdup(a, s);
	for (char *p = d; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return d;
}

static bool
has_control(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void
profile_clean(struct arena *a, struct profile *pr)
{
	pr->name = clean_text(a, pr->name);
	if (has_control(pr->sub))
		pr->sub = NULL;
	if (pr->email != NULL && (has_control(pr->email) || !access_email_valid(pr->email))) {
		pr->email = NULL;
		pr->email_verified = false;
	}
	if (has_control(pr->picture))
		pr->picture = NULL;
	if (has_control(pr->profile_url))
		pr->profile_url = NULL;
}

static enum rc
cb_oidc_profile(struct callback *cb, const struct token_set *tok, struct profile *pr)
{
	struct provider *p = cb->p;
	struct idtoken_expect x = {
		.issuer = p->issuer, .alt_issuer = p->alt_issuer, .client_id = p->client_id,
		.nonce = cb->st.nonce, .trusted_audiences = p->trusted_audiences,
		.ntrusted_audiences = p->ntrusted_audiences, .tenants = p->tenants,
		.ntenants = p->ntenants, .access_token = tok->access_token, .now = cb->ctx->now(),
	};
	const char *apple_name;
	json_t *claims;
	enum rc rc;

	if (tok->id_token == NULL) {
		cb->why = "token response has no id_token";
		return RC_CRYPTO;
	}
	rc = idtoken_verify(cb->ctx, cb->a, p, cb->m, tok->id_token, &x, &claims, &cb->why);
	if (rc != RC_OK)
		return rc;
	rc = profile_from_claims(cb->a, p, claims, pr);
	if (rc == RC_OK && p->userinfo)
		rc = profile_merge_userinfo(cb->ctx, cb->a, p, cb->m, tok->access_token,
		    json_string_value(json_object_get(claims, "sub")), pr, &cb->why);
	if (rc == RC_OK && (p->flags & PRESET_APPLE) && cb->post &&
	    apple_user_name(cb->a, request_form(cb->req, "user"), &apple_name) == RC_OK &&
	    apple_name != NULL)
		pr->name = apple_name; /* only ever sent on the first login */
	return rc;
}

static const char *
location_for(struct arena *a, const struct config *cfg, const char *path)
{
	struct buf b;
	const char *out = NULL;

	buf_init(&b, 8192);
	if (buf_appends(&b, cfg->site_url) == RC_OK) {
		enum rc rc = RC_OK;
		/* Bytes a Location header must not carry raw are re-encoded. */
		for (const char *p = path; *p != '\0' && rc == RC_OK; p++) {
			unsigned char c = (unsigned char)*p;
			rc = c >= 0x80 || c == ' ' || c == '"' || c == '<' || c == '>' || c == '`'
			    ? buf_appendf(&b, "%%%02X", c) : buf_appendc(&b, (char)c);
		}
		if (rc == RC_OK)
			out = arena_strndup(a, b.data, b.len);
	}
	buf_fini(&b);
	return out;
}

static enum rc
cb_finish(struct callback *cb, const struct profile *pr)
{
	char *value;
	const char *loc;
	enum rc rc;

	rc = session_seal(cb->ctx, cb->a, cb->p->id, pr, cb->ctx->now(), &value);
	if (rc != RC_OK) {
		cb->why = "session could not be sealed";
		return cb_fail(cb, rc == RC_LIMIT ? RC_INVALID : RC_INTERNAL, "session_error",
		    "auth.err.session");
	}
	loc = location_for(cb->a, request_config(cb->req), cb->st.return_to);
	if (loc == NULL)
		return RC_NOMEM;
	rc = oauth_set_cookie(cb->ctx, cb->res, cb->ctx->cookie_name, value, cb->ctx->lifetime, "Lax");
	if (rc != RC_OK)
		return rc;
	log_kv(LOG_INFO, "login_ok", "provider", cb->p->id, "subject", pr->sub, NULL);
	count_login(cb->p->id, "ok");
	return response_redirect(cb->res, 303, loc);
}

/*
 * Whose fault a failed exchange or profile step is: the provider's (down,
 * slow, busy: RC_UPSTREAM) or the response's, which we refuse (RC_INVALID).
 */
static enum rc
cb_blame(enum rc rc)
{
	return rc == RC_UPSTREAM || rc == RC_TIMEOUT || rc == RC_UNAVAILABLE ? RC_UPSTREAM : RC_INVALID;
}

static enum rc
cb_provider_error(struct callback *cb, const char *error)
{
	const char *desc = cb_param(cb, "error_description");
	/* Bounded: both come from the address bar. */
	struct page_err e = { strcmp(error, "access_denied") == 0 ? RC_FORBIDDEN : RC_INVALID,
		NULL, "auth.err.provider", arena_printf(cb->a, "%.64s", error),
		desc != NULL ? arena_printf(cb->a, "%.300s", desc) : NULL };

	cb->why = "the provider returned an error";
	if (e.error == NULL)
		return RC_NOMEM;
	return cb_fail_page(cb, "provider_error", &e);
}

static enum rc
cb_run(struct callback *cb)
{
	const char *code, *error;
	struct token_set tok;
	struct profile pr;
	enum rc rc;

	if (!params_single(cb))
		return cb_fail(cb, RC_INVALID, "bad_request", "auth.err.malformed");
	rc = state_take(cb->ctx, cb->req, cb->res, cb->p->id, cb_param(cb, "state"), &cb->st, &cb->why);
	if (rc == RC_UNAVAILABLE) {
		/* The used-state record (disk, or the shared store) is down:
		 * fail closed, and say it is ours and passing. */
		response_header_set(cb->res, "Retry-After", "30");
		return cb_fail(cb, RC_UNAVAILABLE, "state", "auth.err.busy");
	}
	if (rc != RC_OK)
		return cb_fail(cb, RC_INVALID, "state", "auth.err.state");
	error = cb_param(cb, "error");
	if (error != NULL)
		return cb_provider_error(cb, error);
	if (cb->st.instance != NULL) {
		struct mastodon_query q = { .host = cb->st.instance,
			.client = request_remote_addr(cb->req) };
		/* Another worker may have started this login: load the app. */
		rc = mastodon_instance(cb->ctx, cb->a, cb->p, &q, &cb->ic);
		if (rc != RC_OK) {
			cb->why = "Mastodon app registration unavailable";
			return cb_fail(cb, RC_UPSTREAM, "upstream", "auth.err.masto_down");
		}
	}
	rc = discovery_meta(cb->ctx, cb->a, cb->p, cb->st.instance, &cb->m);
	if (rc != RC_OK) {
		cb->why = "provider metadata unavailable";
		return cb_fail(cb, RC_UPSTREAM, "upstream", "auth.err.provider_down");
	}
	if (!iss_param_ok(cb))
		return cb_fail(cb, RC_INVALID, "iss", "auth.err.issuer");
	code = cb_param(cb, "code");
	if (code == NULL || *code == '\0' || strlen(code) > CODE_MAX) {
		cb->why = "missing or oversize code";
		return cb_fail(cb, RC_INVALID, "bad_request", "auth.err.no_code");
	}
	rc = token_exchange(cb->ctx, cb->a, cb->p, cb->m, cb->st.instance, code, cb->st.verifier,
	    &tok, &cb->why);
	if (rc != RC_OK)
		return cb_fail(cb, cb_blame(rc), "token", "auth.err.token");
	if (cb->p->kind == KIND_OIDC)
		rc = cb_oidc_profile(cb, &tok, &pr);
	else
		rc = profile_fetch(cb->ctx, cb->a, cb->p, cb->m, cb->st.instance, tok.access_token,
		    &pr, &cb->why);
	if (rc == RC_OK) {
		profile_clean(cb->a, &pr);
		if (pr.sub == NULL) {
			cb->why = "profile without a usable subject";
			rc = RC_UPSTREAM;
		}
	}
	if (rc != RC_OK)
		return cb_fail(cb, cb_blame(rc), rc == RC_CRYPTO ? "id_token" : "profile",
		    "auth.err.verify");
	if (cb->ic != NULL)
		mastodon_app_used(cb->ctx, cb->a, cb->p, cb->ic);
	return cb_finish(cb, &pr);
}

/* GET|POST /auth/callback/{provider} */
enum rc
flow_callback(struct request *req, struct response *res, void *vctx)
{
	struct callback cb = {
		.req = req, .res = res, .ctx = vctx, .a = request_arena(req),
		.post = request_method(req) == HTTP_POST,
	};
	enum rc rc;

	cb.p = oauth_provider_find(cb.ctx, request_capture(req, 0));
	if (cb.p == NULL)
		return RC_NOTFOUND;
	/* A HEAD (a prefetcher, a link checker) must not burn the attempt. */
	if (request_method(req) == HTTP_HEAD) {
		response_no_store(res);
		return page_error(req, res, &(struct page_err){ RC_INVALID, "auth.err.failed",
		    "auth.err.method", NULL, NULL });
	}
	if (cb.ctx->now() - cb.ctx->last_sweep > OAUTH_STATE_TTL)
		state_sweep(cb.ctx, cb.ctx->now());
	response_no_store(res);
	rc = cb_run(&cb);
	/* After the page: error pages set their own default policy. */
	response_header_set(res, "Referrer-Policy", "no-referrer");
	return rc;
}

/* pages: providers, chooser, button, me, check, logout, icons, error page. */
#include "oauth/oauth_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fcgi/config.h"
#include "fcgi/page.h"
#include "fcgi/router.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/html.h"
#include "util/locale.h"
#include "util/log.h"
#include "util/time.h"
#include "util/url.h"

#define ICON_CSP "default-src 'none'; style-src 'unsafe-inline'"

/* What the chooser and the button need to write a page's words. */
struct pages_out {
	const struct config *cfg;
	const char *lang;       /* page_lang's */
	const char *return_to;
};

static const char *
word(const struct pages_out *o, const char *key)
{
	return page_word(o->cfg, o->lang, key);
}

/*
 * A small accessible HTML error page in the visitor's language (page_lang:
 * `lang`, else Accept-Language), with a way back to the chooser and the
 * status the router maps e->why to. Keeps headers already set (cookies to
 * delete, no-store, Retry-After). Returns RC_OK so the router sends it.
 */
enum rc
page_error(struct request *req, struct response *res, const struct page_err *e)
{
	const struct config *cfg = request_config(req);
	const char *lang = page_lang(req, NULL, NULL);
	struct buf *b = response_body(res);
	struct page_info pi = { .title = page_word(cfg, lang, e->title),
		.back_text = page_word(cfg, lang, "auth.choose"), .lang = lang };
	struct buf back;
	enum rc rc;

	buf_clear(b);
	response_status(res, router_status(e->why));
	buf_init(&back, 4096);
	rc = buf_appendf(&back, "%s/auth/login", cfg->mount);
	pi.back_href = buf_cstr(&back);
	if (rc == RC_OK)
		rc = page_open(b, cfg, &pi);
	if (rc == RC_OK)
		rc = buf_appends(b, "<p class=\"social-page__error\">");
	if (rc == RC_OK)
		rc = html_fill_text(b, page_word(cfg, lang, e->message), "{error}",
		    e->error != NULL ? e->error : "");
	if (rc == RC_OK)
		rc = buf_appends(b, "</p>\n");
	/* The provider's own words, as it sent them (its language, not ours). */
	if (rc == RC_OK && e->detail != NULL) {
		rc = buf_appends(b, "<p class=\"social-page__detail\" dir=\"auto\">");
		if (rc == RC_OK)
			rc = html_text(b, e->detail);
		if (rc == RC_OK)
			rc = buf_appends(b, "</p>\n");
	}
	if (rc == RC_OK)
		rc = page_close(b, cfg, &pi);
	buf_fini(&back);
	if (rc == RC_OK)
		rc = response_html_headers(res, NULL);
	/* The words follow Accept-Language: a shared cache must key on it. */
	if (rc == RC_OK)
		rc = response_header_set(res, "Vary", "Accept-Language");
	return rc;
}

/* Appends an HTML-attribute-safe URL: mount + path [+ ?return_to=encoded]. */
static enum rc
append_href(struct buf *b, const struct config *cfg, const char *path, const char *return_to)
{
	struct buf u;
	enum rc rc;

	buf_init(&u, 8192);
	rc = buf_appendf(&u, "%s%s", cfg->mount, path);
	if (rc == RC_OK && return_to != NULL && strcmp(return_to, "/") != 0) {
		rc = buf_appendf(&u, "%sreturn_to=", strchr(path, '?') != NULL ? "&" : "?");
		if (rc == RC_OK)
			rc = url_encode(&u, return_to, strlen(return_to));
	}
	if (rc == RC_OK)
		rc = html_attr(b, buf_cstr(&u));
	buf_fini(&u);
	return rc;
}

static json_t *
provider_json(const struct config *cfg, const struct provider *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s++, s:s+++}", "id", p->id, "name", p->display_name,
	    "login_url", cfg->mount, "/auth/login/", p->id,
	    "icon", cfg->mount, "/auth/icon/", p->id, ".svg");
	json_t *list;

	if (o == NULL || !(p->flags & PRESET_MASTODON))
		return o;
	list = json_array();
	for (size_t i = 0; list != NULL && i < p->ninstances; i++)
		if (strcmp(p->instances[i], "*") != 0)
			json_array_append_new(list, json_string(p->instances[i]));
	json_object_set_new(o, "needs_instance", json_true());
	json_object_set_new(o, "instances", list != NULL ? list : json_array());
	return o;
}

/* GET /auth/providers: [{id, name, login_url, icon}] */
enum rc
pages_providers(struct request *req, struct response *res, void *vctx)
{
	struct oauth_ctx *ctx = vctx;
	json_t *arr = json_array();
	enum rc rc;

	for (size_t i = 0; arr != NULL && i < ctx->nproviders; i++)
		if (json_array_append_new(arr, provider_json(request_config(req), &ctx->providers[i])) != 0) {
			json_decref(arr);
			return RC_NOMEM;
		}
	rc = response_json(res, 200, arr);
	if (rc == RC_OK)
		rc = response_cache_public(res, 300, 60);
	return rc;
}

/* The return_to of a page, validated; "/" when absent; NULL when bad. */
static const char *
page_return_to(struct request *req)
{
	return oauth_return_to(req, OAUTH_P_RETURN_TO, false);
}

static enum rc
append_provider_item(struct buf *b, const struct pages_out *o, const struct provider *p)
{
	const struct config *cfg = o->cfg;
	const char *return_to = o->return_to;
	char path[128];
	enum rc rc;

	snprintf(path, sizeof(path), "/auth/login/%s", p->id);
	if (p->flags & PRESET_MASTODON) {
		rc = buf_appendf(b, "<li><form method=\"get\" action=\"");
		if (rc == RC_OK)
			rc = append_href(b, cfg, path, NULL);
		if (rc == RC_OK)
			rc = buf_appendf(b, "\"><label for=\"sh-instance-%s\">", p->id);
		if (rc == RC_OK)
			rc = html_text(b, word(o, "auth.server"));
		if (rc == RC_OK)
			rc = buf_appendf(b, "</label> "
			    "<input id=\"sh-instance-%s\" name=\"instance\" type=\"text\" required "
			    "autocomplete=\"url\" spellcheck=\"false\" placeholder=\"%s\">"
			    "<input type=\"hidden\" name=\"return_to\" value=\"", p->id,
			    p->ninstances > 0 && strcmp(p->instances[0], "*") != 0 ? p->instances[0] : "mastodon.social");
		if (rc == RC_OK)
			rc = html_attr(b, return_to);
		if (rc == RC_OK)
			rc = buf_appends(b, "\"> <button type=\"submit\">");
		if (rc == RC_OK)
			rc = html_fill_text(b, word(o, "auth.sign_in_with"), "{provider}", p->display_name);
		return rc == RC_OK ? buf_appends(b, "</button></form></li>") : rc;
	}
	rc = buf_appends(b, "<li><a href=\"");
	if (rc == RC_OK)
		rc = append_href(b, cfg, path, return_to);
	if (rc == RC_OK)
		rc = buf_appends(b, "\"><img src=\"");
	if (rc == RC_OK) {
		snprintf(path, sizeof(path), "/auth/icon/%s.svg", p->id);
		rc = append_href(b, cfg, path, NULL);
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "\" alt=\"\" width=\"20\" height=\"20\"> ");
	if (rc == RC_OK)
		rc = html_fill_text(b, word(o, "auth.sign_in_with"), "{provider}", p->display_name);
	return rc == RC_OK ? buf_appends(b, "</a></li>") : rc;
}

static enum rc
append_signed_in(struct buf *b, const struct pages_out *o, const struct identity *id)
{
	struct buf name;
	enum rc rc;

	buf_init(&name, 64 * 1024);
	rc = buf_appends(&name, "<span class=\"social-login-name\">");
	if (rc == RC_OK)
		rc = html_text(&name, id->name != NULL ? id->name : id->sub);
	if (rc == RC_OK)
		rc = buf_appends(&name, "</span>");
	if (rc == RC_OK)
		rc = buf_appends(b, "<p>");
	if (rc == RC_OK)
		rc = html_fill(b, word(o, "auth.signed_in_as"), "{name}", buf_cstr(&name));
	buf_fini(&name);
	if (rc == RC_OK)
		rc = buf_appends(b, "</p><form method=\"post\" action=\"");
	if (rc == RC_OK)
		rc = append_href(b, o->cfg, "/auth/logout", NULL);
	if (rc == RC_OK)
		rc = buf_appends(b, "\"><input type=\"hidden\" name=\"return_to\" value=\"");
	if (rc == RC_OK)
		rc = html_attr(b, o->return_to);
	if (rc == RC_OK)
		rc = buf_appends(b, "\"><button type=\"submit\">");
	if (rc == RC_OK)
		rc = html_text(b, word(o, "auth.sign_out"));
	return rc == RC_OK ? buf_appends(b, "</button></form>") : rc;
}

static enum rc
append_providers(struct buf *b, struct oauth_ctx *ctx, const struct pages_out *o)
{
	enum rc rc = buf_appends(b, "<ul class=\"social-login-providers\">");

	for (size_t i = 0; rc == RC_OK && i < ctx->nproviders; i++)
		rc = append_provider_item(b, o, &ctx->providers[i]);
	return rc == RC_OK ? buf_appends(b, "</ul>") : rc;
}

/*
 * Our pages' CSP, but with form-action open to where our forms lead: the
 * sign-in form goes to a provider and sign-out may continue to its
 * end_session endpoint, and browsers check form-action on those redirects.
 * https: covers real providers; local http ones (tests, the demo) are
 * listed by origin.
 */
enum rc
pages_csp_build(struct oauth_ctx *ctx)
{
	struct buf b;
	enum rc rc;

	buf_init(&b, 8192);
	rc = buf_appends(&b, "default-src 'none'; img-src 'self' data:; style-src 'self'; "
	    "script-src 'self'; connect-src 'self'; form-action 'self' https:");
	for (size_t i = 0; rc == RC_OK && i < ctx->nproviders; i++) {
		const struct provider *p = &ctx->providers[i];
		const char *urls[] = { p->issuer, p->discovery_url, p->conf.authorization_endpoint,
			p->conf.end_session_endpoint, p->api_base };
		for (size_t j = 0; rc == RC_OK && j < sizeof(urls) / sizeof(urls[0]); j++) {
			const char *u = urls[j];
			size_t n;
			if (u == NULL || strncmp(u, "http://", 7) != 0)
				continue;
			n = 7 + strcspn(u + 7, "/?#");
			if (strstr(buf_cstr(&b), arena_strndup(ctx->arena, u, n)) == NULL)
				rc = buf_appendf(&b, " %.*s", (int)n, u);
		}
	}
	if (rc == RC_OK)
		rc = buf_appends(&b, "; frame-ancestors 'self'; base-uri 'none'");
	if (rc == RC_OK && (ctx->page_csp = arena_strdup(ctx->arena, buf_cstr(&b))) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

static enum rc
private_html(struct oauth_ctx *ctx, struct response *res)
{
	enum rc rc = response_html_headers(res, ctx->page_csp);

	if (rc == RC_OK)
		rc = response_header_set(res, "Cache-Control", "private, no-store");
	if (rc == RC_OK)
		rc = response_header_set(res, "Vary", "Cookie, Accept-Language");
	return rc;
}

/* GET /auth/login: the chooser page. */
enum rc
pages_chooser(struct request *req, struct response *res, void *vctx)
{
	struct oauth_ctx *ctx = vctx;
	const struct config *cfg = request_config(req);
	const char *return_to = page_return_to(req);
	const struct identity *id = request_identity(req);
	struct buf *b = response_body(res);
	struct pages_out o = { cfg, page_lang(req, NULL, NULL), return_to };
	struct page_info pi = { .title = word(&o, "auth.sign_in"), .lang = o.lang };
	enum rc rc;

	if (return_to == NULL)
		return page_error(req, res, &(struct page_err){ RC_INVALID, "auth.sign_in",
		    "auth.bad_return", NULL, NULL });
	pi.back_href = arena_printf(request_arena(req), "%s%s", cfg->site_url, return_to);
	rc = page_open(b, cfg, &pi);
	if (rc == RC_OK && id != NULL)
		rc = append_signed_in(b, &o, id);
	if (rc == RC_OK && ctx->nproviders == 0) {
		rc = buf_appends(b, "<p>");
		if (rc == RC_OK)
			rc = html_text(b, word(&o, "auth.none"));
		if (rc == RC_OK)
			rc = buf_appends(b, "</p>");
	} else if (rc == RC_OK) {
		rc = append_providers(b, ctx, &o);
	}
	if (rc == RC_OK)
		rc = page_close(b, cfg, &pi);
	if (rc == RC_OK)
		rc = private_html(ctx, res);
	return rc;
}

/* GET /auth/button.html: the <social-login> fragment. */
enum rc
pages_button(struct request *req, struct response *res, void *vctx)
{
	struct oauth_ctx *ctx = vctx;
	const struct config *cfg = request_config(req);
	const char *return_to = page_return_to(req);
	const struct identity *id = request_identity(req);
	struct buf *b = response_body(res);
	struct pages_out o = { cfg, page_lang(req, NULL, NULL), return_to };
	enum rc rc;

	if (return_to == NULL)
		return RC_INVALID;
	rc = buf_appendf(b, "<social-login data-state=\"%s\" lang=\"%s\" dir=\"%s\">",
	    id != NULL ? "signed-in" : "signed-out", o.lang, locale_dir(o.lang));
	if (rc == RC_OK && id != NULL)
		rc = append_signed_in(b, &o, id);
	else if (rc == RC_OK)
		rc = append_providers(b, ctx, &o);
	if (rc == RC_OK)
		rc = buf_appends(b, "</social-login>\n");
	if (rc == RC_OK)
		rc = private_html(ctx, res);
	return rc;
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* GET /auth/me */
enum rc
pages_me(struct request *req, struct response *res, void *vctx)
{
	const struct identity *id = request_identity(req);
	char expires[TIME_RFC3339_LEN];
	json_t *o;
	enum rc rc;

	(void)vctx;
	response_no_store(res);
	response_header_set(res, "Vary", "Cookie");
	if (id == NULL)
		return response_error(res, 401, "unauthorized", "Not signed in.");
	/* RFC 3339, as every date in the JSON answers. */
	time_format_rfc3339((long long)id->expires_at, expires);
	o = json_pack("{s:s, s:s, s:o, s:o, s:b, s:o, s:o, s:s}", "provider", id->provider,
	    "sub", id->sub, "name", str_or_null(id->name), "email", str_or_null(id->email),
	    "email_verified", id->email_verified, "picture", str_or_null(id->picture),
	    "profile_url", str_or_null(id->profile_url), "expires_at", expires);
	rc = response_json(res, 200, o);
	return rc;
}

/*
 * Adds identity header `name`: s as display-safe UTF-8 (no controls, line
 * separators or bidi overrides: an application must not show, nor log, a
 * name that splits or reorders text), then in the configured encoding.
 * Applications commonly read header bytes as Latin-1 (WSGI, many
 * frameworks), so rfc8187 and base64 carry non-ASCII names intact. An
 * empty value stays empty (nginx's proxy_set_header then drops it).
 */
static enum rc
identity_header(const struct oauth_ctx *ctx, struct response *res, const char *name,
    const char *s)
{
	struct buf clean, out;
	enum rc rc;

	buf_init(&clean, REQUEST_HEADER_MAX);
	buf_init(&out, 2 * REQUEST_HEADER_MAX);
	rc = utf8_append_display(&clean, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
	if (rc == RC_OK && clean.len > 0 && ctx->identity_encoding == IDENTITY_RFC8187) {
		rc = buf_appends(&out, "UTF-8''");
		if (rc == RC_OK)
			rc = url_encode(&out, buf_cstr(&clean), clean.len);
	} else if (rc == RC_OK && clean.len > 0 && ctx->identity_encoding == IDENTITY_BASE64) {
		rc = crypto_b64_encode(&out, clean.data, clean.len);
	} else if (rc == RC_OK) {
		rc = buf_append(&out, clean.data, clean.len);
	}
	if (rc == RC_OK)
		rc = response_header(res, name, buf_cstr(&out));
	buf_fini(&clean);
	buf_fini(&out);
	return rc;
}

/*
 * GET /auth/check for nginx auth_request: 204 with identity headers, 401
 * without a session, 403 when an access rule says no. Never a redirect.
 */
enum rc
pages_check(struct request *req, struct response *res, void *vctx)
{
	struct oauth_ctx *ctx = vctx;
	struct arena *a = request_arena(req);
	const struct identity *id = request_identity(req);
	enum rc rc;

	response_no_store(res);
	if (id == NULL)
		return response_error(res, 401, "unauthorized", "Sign-in required.");
	if (access_check(&ctx->access, id) != RC_OK)
		return response_error(res, 403, "forbidden", "Access denied.");
	response_status(res, 204);
	rc = identity_header(ctx, res, "X-Socialhub-User",
	    arena_printf(a, "%s:%s", id->provider, id->sub));
	if (rc == RC_OK)
		rc = identity_header(ctx, res, "X-Socialhub-Provider", id->provider);
	if (rc == RC_OK)
		rc = identity_header(ctx, res, "X-Socialhub-Name", id->name);
	if (rc == RC_OK)
		rc = identity_header(ctx, res, "X-Socialhub-Email",
		    id->email_verified ? id->email : "");
	return rc;
}

static enum rc
rp_logout_url(struct oauth_ctx *ctx, struct request *req, const struct identity *id,
    const char **out)
{
	struct provider *p = id != NULL ? oauth_provider_find(ctx, id->provider) : NULL;
	const struct provider_meta *m;
	struct buf b;
	enum rc rc;

	*out = NULL;
	if (p == NULL || !p->rp_logout || p->kind != KIND_OIDC ||
	    discovery_meta(ctx, request_arena(req), p, NULL, &m) != RC_OK ||
	    m->end_session_endpoint == NULL)
		return RC_OK;
	buf_init(&b, 8192);
	rc = buf_appendf(&b, "%s%cclient_id=", m->end_session_endpoint,
	    strchr(m->end_session_endpoint, '?') != NULL ? '&' : '?');
	if (rc == RC_OK)
		rc = url_encode(&b, p->client_id, strlen(p->client_id));
	if (rc == RC_OK)
		rc = buf_appends(&b, "&post_logout_redirect_uri=");
	if (rc == RC_OK)
		rc = url_encode(&b, p->post_logout_redirect_uri, strlen(p->post_logout_redirect_uri));
	if (rc == RC_OK && (*out = arena_strndup(request_arena(req), b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

enum rc
pages_signed_out(struct request *req, struct response *res, void *vctx)
{
	const struct config *cfg = request_config(req);
	const char *return_to = page_return_to(req);
	struct pages_out o = { cfg, page_lang(req, NULL, NULL), return_to };
	struct page_info pi = { .title = word(&o, "auth.signed_out"), .lang = o.lang };
	struct buf *b = response_body(res);
	enum rc rc;

	if (return_to == NULL)
		return page_error(req, res, &(struct page_err){ RC_INVALID, "auth.signed_out",
		    "auth.bad_return", NULL, NULL });
	pi.back_href = arena_printf(request_arena(req), "%s%s", cfg->site_url, return_to);
	if (pi.back_href == NULL)
		return RC_NOMEM;
	rc = page_open(b, cfg, &pi);
	if (rc == RC_OK)
		rc = buf_appends(b, "<p>");
	if (rc == RC_OK)
		rc = html_text(b, word(&o, "auth.signed_out_text"));
	if (rc == RC_OK)
		rc = buf_appends(b, "</p>\n");
	if (rc == RC_OK)
		rc = page_close(b, cfg, &pi);
	if (rc == RC_OK)
		rc = private_html(vctx, res);
	response_status(res, 200);
	return rc;
}

/* POST /auth/logout: clears the session; RP-initiated logout when configured. */
enum rc
pages_logout(struct request *req, struct response *res, void *vctx)
{
	struct oauth_ctx *ctx = vctx;
	const struct config *cfg = request_config(req);
	const char *return_to;
	const struct identity *id;
	const char *loc = NULL;
	enum rc rc;

	response_no_store(res);
	if (!request_same_origin(req)) {
		log_kv(LOG_WARN, "logout_cross_origin", NULL);
		return response_error(res, 403, "forbidden", "Sign-out must come from this site.");
	}
	if ((return_to = oauth_return_to(req, OAUTH_P_RETURN_TO, true)) == NULL)
		return RC_INVALID;
	id = request_identity(req);
	if (ctx->session_keys.n > 0)
		oauth_set_cookie(ctx, res, ctx->cookie_name, "", 0, "Lax");
	if (id != NULL)
		log_kv(LOG_INFO, "logout", "provider", id->provider, NULL);
	rc = rp_logout_url(ctx, req, id, &loc);
	if (rc != RC_OK)
		return rc;
	if (loc == NULL)
		loc = arena_printf(request_arena(req), "%s%s", cfg->site_url, return_to);
	if (loc == NULL)
		return RC_NOMEM;
	return response_redirect(res, 303, loc);
}

/* GET /auth/icon/{provider}.svg: a plain letter badge in the network's colour. */
enum rc
pages_icon(struct request *req, struct response *res, void *vctx)
{
	struct provider *p = oauth_provider_find(vctx, request_capture(req, 0));
	struct buf *b = response_body(res);
	char letter;
	enum rc rc;

	if (p == NULL)
		return RC_NOTFOUND;
	letter = isalnum((unsigned char)p->display_name[0]) ? p->display_name[0] : '?';
	rc = buf_appendf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" "
	    "width=\"24\" height=\"24\"><rect width=\"24\" height=\"24\" rx=\"5\" fill=\"%s\"/>"
	    "<text x=\"12\" y=\"17\" font-family=\"sans-serif\" font-size=\"14\" "
	    "font-weight=\"bold\" text-anchor=\"middle\" fill=\"#ffffff\">%c</text></svg>\n",
	    p->icon_color, letter);
	if (rc == RC_OK)
		rc = response_type(res, "image/svg+xml");
	if (rc == RC_OK)
		rc = response_header_set(res, "Content-Security-Policy", ICON_CSP);
	if (rc == RC_OK)
		rc = response_cache_public(res, 86400, 3600);
	return rc;
}

/* admin: roles, per-request authorization and CSRF for the admin pages. */
#include "fcgi/admin.h"

#include <string.h>
#include <strings.h>

#include "fcgi/config.h"
#include "fcgi/page.h"
#include "util/cfgval.h"
#include "util/crypto.h"
#include "util/html.h"
#include "util/log.h"
#include "util/url.h"

#define CSRF_INFO "socialhub admin csrf v1"
#define WHO_MAX 512
#define SCOPE_STREAM "stream:"
#define SCOPE_MARKET "market:"

static int check_who(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int check_role(cfg_t *cfg, cfg_opt_t *opt);

static cfg_opt_t grant_opts[] = {
	CFG_STR("role", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("who", NULL, CFGF_NODEFAULT, check_who),
	CFG_STR_LIST("markets", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("streams", NULL, CFGF_NODEFAULT),
	CFG_END()
};

static cfg_opt_t section_opts[] = {
	CFG_SEC("grant", grant_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

cfg_opt_t admin_opts[] = {
	CFG_SEC("admin", section_opts, CFGF_NODEFAULT),
	CFG_END()
};

/*
 * What each role may do. `scoped`: its markets/streams limit it, and a
 * grant that lists none is unrestricted; `needs_scope`: it acts only on
 * what it names (an agency moderator with no streams moderates nothing).
 */
static const struct {
	const char *name;
	unsigned perms;
	bool scoped;
	bool needs_scope;
} roles[ADMIN_ROLE_COUNT] = {
	[ADMIN_OWNER] = { "owner", 1u << ADMIN_VIEW | 1u << ADMIN_MODERATE |
	    1u << ADMIN_SETTINGS | 1u << ADMIN_CONNECTIONS, false, false },
	[ADMIN_EDITOR] = { "editor", 1u << ADMIN_VIEW | 1u << ADMIN_MODERATE |
	    1u << ADMIN_SETTINGS, true, false },
	[ADMIN_MODERATOR] = { "moderator", 1u << ADMIN_VIEW | 1u << ADMIN_MODERATE, true, true },
	[ADMIN_VIEWER] = { "viewer", 1u << ADMIN_VIEW, true, false },
};

const char *
admin_role_name(enum admin_role r)
{
	return (unsigned)r < ADMIN_ROLE_COUNT ? roles[r].name : "unknown";
}

static bool
role_parse(const char *s, enum admin_role *out)
{
	for (size_t i = 0; s != NULL && i < ADMIN_ROLE_COUNT; i++)
		if (strcmp(s, roles[i].name) == 0) {
			*out = (enum admin_role)i;
			return true;
		}
	return false;
}

/* ---- config checks */

/* A who entry: KIND:VALUE with both parts non-empty, no blanks. */
static const char *
who_problem(const char *v)
{
	const char *colon = strchr(v, ':');

	if (strlen(v) > WHO_MAX)
		return "too long";
	if (colon == NULL || colon == v || colon[1] == '\0' || strpbrk(v, " \t\r\n") != NULL)
		return "expected \"PROVIDER:SUBJECT\", \"email:ADDRESS\" or \"domain:DOMAIN\"";
	if (strncmp(v, "email:", 6) == 0 && strchr(v + 6, '@') == NULL)
		return "an email entry needs an address (email:ann@brand.example)";
	if (strncmp(v, "domain:", 7) == 0 && strchr(v + 7, '@') != NULL)
		return "a domain entry takes a domain, not an address";
	return NULL;
}

static int
check_who(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	const char *why = who_problem(value);

	if (why != NULL)
		cfg_error(cfg, "KEY %s: \"%s\": %s", opt->name, value, why);
	return cfgval_keep(value, result);
}

static int
check_role(cfg_t *cfg, cfg_opt_t *opt)
{
	enum admin_role r;

	if (!role_parse(cfg_opt_getnstr(opt, 0), &r))
		cfg_error(cfg, "KEY role: expected owner, editor, moderator or viewer");
	return 0;
}

void
admin_checks(cfg_t *root)
{
	cfg_set_validate_func(root, "admin|grant|role", check_role);
}

static bool
stream_exists(cfg_t *root, const char *name)
{
	return cfg_gettsec(root, "stream", name) != NULL;
}

static enum rc
grant_validate(const struct config *cfg, cfg_t *g)
{
	enum rc rc = RC_OK;

	if (cfg_getstr(g, "role") == NULL)
		rc = config_error(cfg, g, "role", "missing: owner, editor, moderator or viewer");
	if (cfg_size(g, "who") == 0)
		rc = config_error(cfg, g, "who", "missing: who the grant is for");
	for (unsigned i = 0; i < cfg_size(g, "streams"); i++)
		if (!stream_exists(cfg->root, cfg_getnstr(g, "streams", i)))
			rc = config_error(cfg, g, "streams", "no stream \"%s\"",
			    cfg_getnstr(g, "streams", i));
	return rc;
}

enum rc
admin_validate(const struct config *cfg)
{
	cfg_t *sec;
	enum rc rc = RC_OK;

	if (cfg_size(cfg->root, "admin") == 0)
		return RC_OK;
	sec = cfg_getsec(cfg->root, "admin");
	if (cfg_size(sec, "grant") > 0 && cfg_size(cfg->root, "provider") == 0)
		rc = config_error(cfg, sec, "grant",
		    "the admin pages need sign-on: add a provider section");
	for (unsigned i = 0; i < cfg_size(sec, "grant"); i++)
		if (grant_validate(cfg, cfg_getnsec(sec, "grant", i)) != RC_OK)
			rc = RC_CONFIG;
	return rc;
}

/* ---- who and scope matching */

static bool
domain_matches(const char *rule, const char *domain)
{
	size_t dl = strlen(domain), rl = strlen(rule);

	if (rule[0] == '.')
		return strcasecmp(domain, rule + 1) == 0 ||
		    (dl > rl && strcasecmp(domain + dl - rl, rule) == 0);
	return strcasecmp(domain, rule) == 0;
}

bool
admin_who_matches(const char *who, const struct identity *id)
{
	const char *colon = strchr(who, ':'), *at;
	size_t plen;

	if (colon == NULL || id == NULL || id->provider == NULL || id->sub == NULL)
		return false;
	if (strncmp(who, "email:", 6) == 0 || strncmp(who, "domain:", 7) == 0) {
		/* Only a verified address says who someone is. */
		if (!id->email_verified || id->email == NULL ||
		    (at = strrchr(id->email, '@')) == NULL)
			return false;
		if (who[0] == 'e')
			return strcasecmp(who + 6, id->email) == 0;
		return domain_matches(who + 7, at + 1);
	}
	plen = (size_t)(colon - who);
	return strlen(id->provider) == plen && strncmp(who, id->provider, plen) == 0 &&
	    strcmp(colon + 1, id->sub) == 0;
}

static bool
listed(cfg_t *g, const char *key, const char *v, size_t vlen)
{
	for (unsigned i = 0; i < cfg_size(g, key); i++) {
		const char *e = cfg_getnstr(g, key, i);
		if (strlen(e) == vlen && strncmp(e, v, vlen) == 0)
			return true;
	}
	return false;
}

/* True when every source of stream `name` is in one of g's markets (and
 * it has a source). */
static bool
stream_in_markets(cfg_t *root, cfg_t *g, const char *name)
{
	cfg_t *st = cfg_gettsec(root, "stream", name);
	unsigned n = st != NULL ? cfg_size(st, "source") : 0;

	for (unsigned i = 0; i < n; i++) {
		const char *m = cfg_getstr(cfg_getnsec(st, "source", i), "market");
		if (m == NULL || !listed(g, "markets", m, strlen(m)))
			return false;
	}
	return n > 0;
}

/* Whether grant g (of role r) covers scope. */
static bool
scope_covered(cfg_t *root, cfg_t *g, enum admin_role r, const char *scope)
{
	bool unrestricted = cfg_size(g, "markets") == 0 && cfg_size(g, "streams") == 0;

	if (!roles[r].scoped)
		return true;
	if (scope == NULL)
		return !roles[r].needs_scope && unrestricted;
	if (unrestricted && !roles[r].needs_scope)
		return true;
	if (strncmp(scope, SCOPE_STREAM, strlen(SCOPE_STREAM)) == 0) {
		const char *s = scope + strlen(SCOPE_STREAM);
		return listed(g, "streams", s, strlen(s)) || stream_in_markets(root, g, s);
	}
	if (strncmp(scope, SCOPE_MARKET, strlen(SCOPE_MARKET)) == 0) {
		const char *m = scope + strlen(SCOPE_MARKET);
		return listed(g, "markets", m, strlen(m));
	}
	return false;
}

static bool
grant_names(cfg_t *g, const struct identity *id)
{
	for (unsigned i = 0; i < cfg_size(g, "who"); i++)
		if (admin_who_matches(cfg_getnstr(g, "who", i), id))
			return true;
	return false;
}

enum rc
admin_authorize_id(const struct config *cfg, const struct identity *id,
    enum admin_perm perm, const char *scope)
{
	cfg_t *sec;

	if (id == NULL)
		return RC_UNAUTH;
	if (cfg == NULL || cfg_size(cfg->root, "admin") == 0)
		return RC_FORBIDDEN;
	sec = cfg_getsec(cfg->root, "admin");
	for (unsigned i = 0; i < cfg_size(sec, "grant"); i++) {
		cfg_t *g = cfg_getnsec(sec, "grant", i);
		enum admin_role r;
		if (!role_parse(cfg_getstr(g, "role"), &r) || !(roles[r].perms & 1u << perm) ||
		    !grant_names(g, id))
			continue;
		/* The console's home: any grant of the visitor may open it. */
		if ((perm == ADMIN_VIEW && scope == NULL) || scope_covered(cfg->root, g, r, scope))
			return RC_OK;
	}
	return RC_FORBIDDEN;
}

enum rc
admin_authorize(struct request *req, enum admin_perm perm, const char *scope)
{
	return admin_authorize_id(request_config(req), request_identity(req), perm, scope);
}

/* ---- CSRF */

enum rc
admin_csrf_make(const struct identity *id, struct buf *out)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	struct buf msg;
	enum rc rc;

	if (id == NULL || id->binding == NULL)
		return RC_UNAUTH;
	buf_init(&msg, 2 * WHO_MAX);
	rc = buf_appendf(&msg, "%s|%s|%s", CSRF_INFO, id->provider, id->sub);
	if (rc == RC_OK)
		rc = crypto_hmac_sha256(id->binding, strlen(id->binding), msg.data, msg.len, mac);
	if (rc == RC_OK)
		rc = crypto_b64url_encode(out, mac, sizeof(mac));
	buf_fini(&msg);
	return rc;
}

bool
admin_csrf_valid(const struct identity *id, const char *token)
{
	struct buf want;
	bool ok;

	if (token == NULL)
		return false;
	buf_init(&want, 64);
	ok = admin_csrf_make(id, &want) == RC_OK &&
	    crypto_equal(want.data, want.len, token, strlen(token));
	buf_fini(&want);
	return ok;
}

enum rc
admin_csrf_token(struct request *req, const char **out)
{
	struct buf b;
	enum rc rc;

	*out = NULL;
	buf_init(&b, 64);
	rc = admin_csrf_make(request_identity(req), &b);
	if (rc == RC_OK && (*out = arena_strndup(request_arena(req), b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

enum rc
admin_csrf_field(struct request *req, struct buf *b)
{
	const char *t;
	enum rc rc = admin_csrf_token(req, &t);

	if (rc == RC_OK)
		rc = buf_appends(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	if (rc == RC_OK)
		rc = html_attr(b, t);
	return rc == RC_OK ? buf_appends(b, "\">") : rc;
}

enum rc
admin_post_check(struct request *req)
{
	const struct identity *id = request_identity(req);
	const char *why = NULL;

	if (id == NULL)
		return RC_UNAUTH;
	if (!request_same_origin(req))
		why = "cross_origin";
	else if (request_form_count(req, "csrf") != 1 ||
	    !admin_csrf_valid(id, request_form(req, "csrf")))
		why = "csrf_token";
	if (why == NULL)
		return RC_OK;
	log_kv(LOG_WARN, "admin_post_refused", "path", request_path(req), "reason", why,
	    "provider", id->provider, NULL);
	return RC_FORBIDDEN;
}

/* ---- pages */

static enum rc
signin_redirect(struct request *req, struct response *res)
{
	const struct config *cfg = request_config(req);
	const char *q = request_param(req, "QUERY_STRING");
	struct buf back, loc;
	enum rc rc;

	buf_init(&back, REQUEST_QUERY_MAX + 512);
	buf_init(&loc, 3 * (REQUEST_QUERY_MAX + 512));
	rc = buf_appendf(&back, "%s%s", cfg->mount, request_path(req));
	if (rc == RC_OK && q != NULL && *q != '\0')
		rc = buf_appendf(&back, "?%s", q);
	if (rc == RC_OK)
		rc = buf_appendf(&loc, "%s/auth/login?return_to=", cfg->mount);
	if (rc == RC_OK)
		rc = url_encode(&loc, back.data, back.len);
	if (rc == RC_OK)
		rc = response_redirect(res, 303, buf_cstr(&loc));
	if (rc == RC_OK)
		rc = response_no_store(res);
	buf_fini(&back);
	buf_fini(&loc);
	return rc;
}

/* The 403 page: `form` for a refused form, else for a missing grant. */
static enum rc
forbidden_page(struct request *req, struct response *res, bool form)
{
	const struct identity *id = request_identity(req);
	struct buf *b = response_body(res);
	enum rc rc;

	buf_clear(b);
	rc = admin_page_open(req, b, "Not allowed");
	if (rc == RC_OK && form)
		rc = buf_appends(b, "<p>This form has expired or did not come from this site. "
		    "Reload the page and try again.</p>\n");
	if (rc == RC_OK && !form)
		rc = buf_appends(b, "<p>You are signed in as ");
	if (rc == RC_OK && !form)
		rc = html_text(b, id->name != NULL ? id->name : id->sub);
	if (rc == RC_OK && !form)
		rc = buf_appends(b, ", who has no admin role for this page. An owner can add "
		    "a grant for you in the configuration.</p>\n");
	if (rc == RC_OK)
		rc = admin_page_close(req, b);
	return rc == RC_OK ? admin_page_send(res, 403) : rc;
}

bool
admin_gate(struct request *req, struct response *res, enum admin_perm perm,
    const char *scope, enum rc *rc)
{
	enum rc a = admin_authorize(req, perm, scope);

	*rc = RC_OK;
	if (a == RC_OK)
		return true;
	*rc = a == RC_UNAUTH ? signin_redirect(req, res) : forbidden_page(req, res, false);
	return false;
}

bool
admin_post_gate(struct request *req, struct response *res, enum admin_perm perm,
    const char *scope, enum rc *rc)
{
	if (!admin_gate(req, res, perm, scope, rc))
		return false;
	if (admin_post_check(req) == RC_OK)
		return true;
	*rc = forbidden_page(req, res, true);
	return false;
}

/*
 * The admin pages the nav and the home page link. Each is linked only for
 * a visitor whose grants allow `perm` somewhere (nothing links where the
 * role may not go); the page itself still authorizes every request.
 */
static const struct admin_link {
	const char *path;        /* under the mount */
	const char *label;
	const char *blurb;       /* the home page's line */
	enum admin_perm perm;
} admin_links[] = {
	{ "/admin", "Overview", NULL, ADMIN_VIEW },
	{ "/admin/moderation", "Moderation", "the queues of the moderated streams, "
	  "their preview and audit log", ADMIN_VIEW },
	{ "/admin/connections", "Connections", "the network accounts API sources use",
	  ADMIN_CONNECTIONS },
};

/* Whether a grant naming id allows perm on anything (whatever its scope). */
static bool
granted_anywhere(const struct config *cfg, const struct identity *id, enum admin_perm perm)
{
	cfg_t *sec = cfg != NULL && cfg_size(cfg->root, "admin") > 0 ?
	    cfg_getsec(cfg->root, "admin") : NULL;

	for (unsigned i = 0; id != NULL && sec != NULL && i < cfg_size(sec, "grant"); i++) {
		cfg_t *g = cfg_getnsec(sec, "grant", i);
		enum admin_role r;
		if (role_parse(cfg_getstr(g, "role"), &r) && (roles[r].perms & 1u << perm) &&
		    grant_names(g, id))
			return true;
	}
	return false;
}

static bool
link_allowed(struct request *req, const struct admin_link *l)
{
	return granted_anywhere(request_config(req), request_identity(req), l->perm);
}

/* True when the request is for page `path` or one below it. */
static bool
link_current(struct request *req, const char *path)
{
	const char *p = request_path(req);
	size_t n = strlen(path);

	return p != NULL && strncmp(p, path, n) == 0 &&
	    (p[n] == '\0' || (p[n] == '/' && strcmp(path, "/admin") != 0));
}

static enum rc
nav(struct request *req, struct buf *b)
{
	const char *mount = request_config(req)->mount;
	enum rc rc = buf_appends(b, "<nav class=\"social-admin__nav\" aria-label=\"Admin\"><ul>");

	for (size_t i = 0; rc == RC_OK && i < sizeof(admin_links) / sizeof(admin_links[0]); i++) {
		const struct admin_link *l = &admin_links[i];
		if (link_allowed(req, l))
			rc = buf_appendf(b, "<li><a href=\"%s%s\"%s>%s</a></li>", mount, l->path,
			    link_current(req, l->path) ? " aria-current=\"page\"" : "", l->label);
	}
	return rc == RC_OK ? buf_appends(b, "</ul></nav>\n") : rc;
}

enum rc
admin_page_open(struct request *req, struct buf *b, const char *title)
{
	const struct config *cfg = request_config(req);
	const struct identity *id = request_identity(req);
	enum rc rc = page_open(b, cfg, &(struct page_info){ .title = title,
	    .referrer = "same-origin" });

	if (rc == RC_OK)
		rc = nav(req, b);
	if (rc == RC_OK && id != NULL) {
		rc = buf_appendf(b, "<form class=\"social-admin__who\" method=\"post\" "
		    "action=\"%s/auth/logout\"><p>Signed in as ", cfg->mount);
		if (rc == RC_OK)
			rc = html_text(b, id->name != NULL ? id->name : id->sub);
		if (rc == RC_OK)
			rc = buf_appends(b, " <button type=\"submit\">Sign out</button></p></form>\n");
	}
	return rc;
}

enum rc
admin_page_close(struct request *req, struct buf *b)
{
	return page_close(b, request_config(req), &(struct page_info){ .title = "" });
}

enum rc
admin_page_send(struct response *res, int status)
{
	return admin_page_send_to(res, status, NULL);
}

/* The strict CSP in two halves around form-action's sources. */
#define CSP_HEAD "default-src 'none'; img-src 'self' data:; style-src 'self'; " \
	"script-src 'self'; connect-src 'self'; form-action 'self'"
#define CSP_TAIL "; frame-ancestors 'self'; base-uri 'none'"

enum rc
admin_page_send_to(struct response *res, int status, const char *form_origins)
{
	struct buf csp;
	enum rc rc;

	response_status(res, status);
	buf_init(&csp, 4096);
	rc = buf_appends(&csp, CSP_HEAD);
	for (const char *p = form_origins; rc == RC_OK && p != NULL && *p != '\0';) {
		size_t n = strcspn(p, " ");
		/* Only scheme://host[:port] words: nothing that ends the directive. */
		if (n > 0 && strcspn(p, ";,'\"\r\n") >= n)
			rc = buf_appendf(&csp, " %.*s", (int)n, p);
		p += n + (p[n] == ' ');
	}
	if (rc == RC_OK)
		rc = buf_appends(&csp, CSP_TAIL);
	if (rc == RC_OK)
		rc = response_html_headers(res, buf_cstr(&csp));
	buf_fini(&csp);
	return rc == RC_OK ? response_no_store(res) : rc;
}

/* The visitor's grants, one list item each. */
static enum rc
home_grants(struct request *req, struct buf *b)
{
	cfg_t *root = request_config(req)->root;
	cfg_t *sec = cfg_size(root, "admin") > 0 ? cfg_getsec(root, "admin") : NULL;
	const struct identity *id = request_identity(req);
	enum rc rc = buf_appends(b, "<h2>Your roles</h2>\n<ul class=\"social-admin__roles\">");

	for (unsigned i = 0; sec != NULL && i < cfg_size(sec, "grant") && rc == RC_OK; i++) {
		cfg_t *g = cfg_getnsec(sec, "grant", i);
		if (!grant_names(g, id))
			continue;
		rc = buf_appends(b, "<li>");
		if (rc == RC_OK)
			rc = html_text(b, cfg_getstr(g, "role"));
		for (unsigned k = 0; k < cfg_size(g, "streams") && rc == RC_OK; k++)
			if ((rc = buf_appends(b, k == 0 ? ": streams " : ", ")) == RC_OK)
				rc = html_text(b, cfg_getnstr(g, "streams", k));
		for (unsigned k = 0; k < cfg_size(g, "markets") && rc == RC_OK; k++)
			if ((rc = buf_appends(b, k == 0 ? "; markets " : ", ")) == RC_OK)
				rc = html_text(b, cfg_getnstr(g, "markets", k));
		if (rc == RC_OK)
			rc = buf_appends(b, "</li>");
	}
	return rc == RC_OK ? buf_appends(b, "</ul>\n") : rc;
}

/* The pages the visitor may open, with what each is for. */
static enum rc
home_pages(struct request *req, struct buf *b)
{
	const char *mount = request_config(req)->mount;
	bool read_only = !granted_anywhere(request_config(req), request_identity(req),
	    ADMIN_MODERATE);
	enum rc rc = buf_appends(b, "<h2>Your pages</h2>\n<ul class=\"social-admin__pages\">");

	for (size_t i = 0; rc == RC_OK && i < sizeof(admin_links) / sizeof(admin_links[0]); i++) {
		const struct admin_link *l = &admin_links[i];
		if (l->blurb == NULL || !link_allowed(req, l))
			continue;
		rc = buf_appendf(b, "<li><a href=\"%s%s\">%s</a>: %s%s</li>", mount, l->path,
		    l->label, l->blurb, l->perm == ADMIN_VIEW && read_only ? " (read only)" : "");
	}
	return rc == RC_OK ? buf_appends(b, "</ul>\n") : rc;
}

/* GET /admin: who is signed in, with which roles, and where to go. */
static enum rc
admin_home(struct request *req, struct response *res, void *ctx)
{
	struct buf *b = response_body(res);
	enum rc rc;

	(void)ctx;
	if (!admin_gate(req, res, ADMIN_VIEW, NULL, &rc))
		return rc;
	rc = admin_page_open(req, b, "Admin");
	if (rc == RC_OK)
		rc = home_grants(req, b);
	if (rc == RC_OK)
		rc = home_pages(req, b);
	if (rc == RC_OK)
		rc = admin_page_close(req, b);
	return rc == RC_OK ? admin_page_send(res, 200) : rc;
}

const struct route admin_routes[] = {
	{ HTTP_GET, "/admin", admin_home, "admin_home", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

/* router: match method + path against route tables, validate, dispatch. */
#include "fcgi/router_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/url.h"

#define ROUTER_FEATURES_MAX 16

struct router_entry {
	const struct route *route;
	void *ctx;
};

struct router {
	const struct config *cfg;
	const struct feature *features[ROUTER_FEATURES_MAX];
	void *ctxs[ROUTER_FEATURES_MAX];
	size_t nfeatures;
	struct router_entry *entries;
	size_t nentries;
	request_identify_fn identify;
	void *identify_ctx;
};

static const struct {
	enum rc rc;
	int status;
	const char *message;
} rc_status[] = {
	{ RC_INVALID, 400, "The request is malformed." },
	{ RC_TOOBIG, 413, "The request body is too large." },
	{ RC_HDR_TOOBIG, 431, "The query string or a header is too large." },
	{ RC_NOTFOUND, 404, "No such resource." },
	{ RC_METHOD, 405, "Method not allowed." },
	{ RC_UNAUTH, 401, "Sign-in required." },
	{ RC_FORBIDDEN, 403, "Access denied." },
	{ RC_RATELIMIT, 429, "Too many requests." },
	{ RC_UPSTREAM, 502, "An upstream server answered badly." },
	{ RC_TIMEOUT, 504, "An upstream server did not answer in time." },
	{ RC_UNAVAILABLE, 503, "Temporarily unavailable." },
	{ RC_CRYPTO, 400, "The request could not be verified." },
	{ RC_LIMIT, 413, "A size limit was exceeded." },
};

int
router_status(enum rc rc)
{
	for (size_t i = 0; i < sizeof(rc_status) / sizeof(rc_status[0]); i++)
		if (rc_status[i].rc == rc)
			return rc_status[i].status;
	return rc == RC_OK ? 200 : 500;
}

void
router_error(struct response *res, enum rc rc)
{
	const char *msg = "Internal error.";

	for (size_t i = 0; i < sizeof(rc_status) / sizeof(rc_status[0]); i++)
		if (rc_status[i].rc == rc)
			msg = rc_status[i].message;
	response_reset(res);
	if (response_error(res, router_status(rc), rc_str(rc), msg) != RC_OK)
		response_status(res, 500);
	response_no_store(res);
}

/* A refused parameter's 400: {"error", "param", "message"}, the param
 * named as in the route's table (doc/widgets.md). */
static void
router_error_param(struct response *res, enum rc rc, const char *name, const char *why)
{
	char msg[256];
	json_t *j;

	snprintf(msg, sizeof(msg), "The parameter %s is %s.", name, why);
	response_reset(res);
	j = json_pack("{s:s, s:s, s:s}", "error", rc_str(rc), "param", name, "message", msg);
	if (j == NULL || response_json(res, router_status(rc), j) != RC_OK)
		response_status(res, 500);
	response_no_store(res);
}

static size_t
count_routes(const struct route *t)
{
	size_t n = 0;

	while (t != NULL && t[n].pattern != NULL)
		n++;
	return n;
}

static enum rc
add_table(struct router *r, const struct route *t, void *ctx)
{
	size_t n = count_routes(t);
	struct router_entry *e;

	if (n == 0)
		return RC_OK;
	e = realloc(r->entries, (r->nentries + n) * sizeof(*e));
	if (e == NULL)
		return RC_NOMEM;
	r->entries = e;
	for (size_t i = 0; i < n; i++) {
		e[r->nentries].route = &t[i];
		e[r->nentries].ctx = ctx;
		r->nentries++;
	}
	return RC_OK;
}

enum rc
router_add_first(struct router *r, const struct route *t, void *ctx)
{
	size_t old = r->nentries, n = count_routes(t);
	enum rc rc = add_table(r, t, ctx);

	if (rc != RC_OK || n == 0)
		return rc;
	/* The new rows go to the front, in order: they are matched first. */
	for (size_t i = 0; i < n; i++) {
		struct router_entry e = r->entries[old + i];
		memmove(r->entries + i + 1, r->entries + i, old * sizeof(e));
		r->entries[i] = e;
	}
	return RC_OK;
}

enum rc
router_new(const struct config *cfg, const struct feature *features,
    struct router **out)
{
	struct router *r = calloc(1, sizeof(*r));
	enum rc rc;

	*out = NULL;
	if (r == NULL)
		return RC_NOMEM;
	r->cfg = cfg;
	rc = RC_OK;
	for (const struct feature *f = features; rc == RC_OK && f->name != NULL; f++) {
		void *ctx = NULL;
		if (r->nfeatures == ROUTER_FEATURES_MAX) {
			rc = RC_LIMIT;
			break;
		}
		if (f->init != NULL && (rc = f->init(cfg, &ctx)) != RC_OK) {
			log_kv(LOG_ERROR, "feature_init_failed", "feature", f->name,
			    "error", rc_str(rc), NULL);
			rc = RC_CONFIG;
			break;
		}
		r->features[r->nfeatures] = f;
		r->ctxs[r->nfeatures++] = ctx;
		if (f->identify != NULL) {
			r->identify = f->identify;
			r->identify_ctx = ctx;
		}
		rc = add_table(r, f->routes, f->routes_ctx != NULL ? f->routes_ctx(ctx) : ctx);
	}
	if (rc != RC_OK) {
		router_free(r);
		return rc;
	}
	*out = r;
	return RC_OK;
}

void
router_free(struct router *r)
{
	if (r == NULL)
		return;
	for (size_t i = r->nfeatures; i-- > 0;)
		if (r->features[i]->fini != NULL)
			r->features[i]->fini(r->ctxs[i]);
	free(r->entries);
	free(r);
}

void
router_each_feature(const struct router *r,
    void (*fn)(void *arg, const struct feature *f, void *ctx), void *arg)
{
	for (size_t i = 0; i < r->nfeatures; i++)
		fn(arg, r->features[i], r->ctxs[i]);
}

/*
 * Matches one pattern segment against one path segment. "{x}suffix"
 * captures a non-empty prefix; literals compare exactly.
 */
static enum rc
match_segment(struct request *req, const char *pat, size_t plen,
    const char *seg, size_t slen, bool *ok)
{
	const char *close;
	size_t suffix;
	char *val;
	enum rc rc;

	*ok = false;
	if (plen == 0 || pat[0] != '{') {
		*ok = plen == slen && memcmp(pat, seg, slen) == 0;
		return RC_OK;
	}
	close = memchr(pat, '}', plen);
	if (close == NULL)
		return RC_INTERNAL;
	suffix = plen - (size_t)(close + 1 - pat);
	if (slen <= suffix || memcmp(seg + slen - suffix, close + 1, suffix) != 0)
		return RC_OK;
	if (req->ncaptures == REQUEST_CAPTURES_MAX)
		return RC_INTERNAL;
	rc = url_decode(req->arena, seg, slen - suffix, false, &val, NULL);
	if (rc != RC_OK)
		return rc;
	req->captures[req->ncaptures++] = val;
	*ok = true;
	return RC_OK;
}

static enum rc
match_pattern(struct request *req, const char *pat, bool *ok)
{
	const char *path = req->path;
	enum rc rc;

	req->ncaptures = 0;
	*ok = false;
	while (*pat == '/' && *path == '/') {
		size_t plen = strcspn(++pat, "/"), slen = strcspn(++path, "/");
		bool seg_ok;
		rc = match_segment(req, pat, plen, path, slen, &seg_ok);
		if (rc != RC_OK || !seg_ok)
			return rc;
		pat += plen;
		path += slen;
	}
	*ok = *pat == '\0' && *path == '\0';
	return RC_OK;
}

static unsigned
allowed_methods(unsigned m)
{
	return (m & HTTP_GET) ? (m | HTTP_HEAD) : m;
}

static enum rc
allow_header(struct response *res, unsigned methods)
{
	static const struct { unsigned m; const char *name; } names[] = {
		{ HTTP_GET, "GET" }, { HTTP_HEAD, "HEAD" }, { HTTP_POST, "POST" },
		{ HTTP_PUT, "PUT" }, { HTTP_DELETE, "DELETE" }, { HTTP_PATCH, "PATCH" },
		{ HTTP_OPTIONS, "OPTIONS" },
	};
	char v[128] = "";
	size_t len = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((methods & names[i].m) == 0)
			continue;
		len += (size_t)snprintf(v + len, sizeof(v) - len, "%s%s",
		    len > 0 ? ", " : "", names[i].name);
	}
	return response_header_set(res, "Allow", v);
}

static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return false;
	return true;
}

/* The index of v among the NULL-terminated words. */
static bool
enum_index(const char *v, const char *const *choices, size_t *out)
{
	for (size_t i = 0; choices != NULL && choices[i] != NULL; i++)
		if (strcmp(choices[i], v) == 0) {
			*out = i;
			return true;
		}
	return false;
}

/* A whole decimal integer in [min, max]. */
static bool
int_parse(const char *v, long long min, long long max, long long *out)
{
	char *end;

	if (*v == '\0' || (!isdigit((unsigned char)*v) && *v != '-'))
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno == 0 && *end == '\0' && *out >= min && *out <= max;
}

/* The type's check, then the row's parse; a hard refusal is returned. */
static enum rc
param_read(const struct param_spec *p, void *ctx, struct arena *a, const char *v,
    struct param_value *out)
{
	size_t max = p->max_len != 0 ? p->max_len : REQUEST_QUERY_MAX;
	bool ok = false;
	enum rc rc;

	out->s = v;
	if (strlen(v) > max)
		return RC_INVALID;
	switch (p->type) {
	case PARAM_STRING:
		ok = true;
		break;
	case PARAM_TOKEN:
		ok = is_token(v);
		break;
	case PARAM_INT:
		ok = int_parse(v, p->min, p->max, &out->i);
		break;
	case PARAM_ENUM:
		ok = enum_index(v, p->choices, &out->e);
		break;
	}
	if (!ok)
		return RC_INVALID;
	if (p->parse == NULL)
		return RC_OK;
	rc = p->parse(ctx, a, v, &out->p);
	if (rc == RC_OK || rc == RC_NOMEM || !(p->flags & PARAM_SOFT))
		return rc;
	out->refused = rc;
	out->p = NULL;
	return RC_OK;
}

/* The first value of name in set; *count says how many were sent. */
static const char *
param_find(const struct kvset *set, const char *name, size_t *count)
{
	const char *v = NULL;

	*count = 0;
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->items[i].name, name) == 0 && (*count)++ == 0)
			v = set->items[i].value;
	return v;
}

enum rc
router_params(const struct route *rt, void *ctx, struct request *req)
{
	const struct kvset *set = (rt->flags & ROUTE_FORM) && req->method == HTTP_POST
	    ? &req->form : &req->query;
	struct param_value *vals;
	size_t n = 0;
	enum rc rc;

	req->values = NULL;
	req->nvalues = 0;
	req->bad_param = req->bad_why = NULL;
	while (rt->params != NULL && rt->params[n].name != NULL)
		n++;
	if (n == 0)
		return RC_OK;
	if ((vals = arena_calloc(req->arena, n, sizeof(*vals))) == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct param_spec *p = &rt->params[i];
		const char *v = param_find(set, p->name, &vals[i].count);
		vals[i].name = p->name;
		req->bad_param = p->name;
		if (v == NULL && (p->flags & PARAM_REQUIRED)) {
			req->bad_why = "missing";
			return RC_INVALID;
		}
		req->bad_why = v != NULL && strlen(v) > (p->max_len != 0 ? p->max_len :
		    REQUEST_QUERY_MAX) ? "too long" : "not valid";
		if (v != NULL && (rc = param_read(p, ctx, req->arena, v, &vals[i])) != RC_OK)
			return rc;
	}
	req->bad_param = req->bad_why = NULL;
	req->values = vals;
	req->nvalues = n;
	return RC_OK;
}

/* Finds the route; RC_NOTFOUND or RC_METHOD (with *allow filled). */
static enum rc
find_route(struct router *r, struct request *req, struct router_entry **found,
    unsigned *allow)
{
	*allow = 0;
	for (size_t i = 0; i < r->nentries; i++) {
		const struct route *rt = r->entries[i].route;
		bool ok;
		enum rc rc = match_pattern(req, rt->pattern, &ok);
		if (rc != RC_OK)
			return rc;
		if (!ok)
			continue;
		if (allowed_methods(rt->methods) & req->method) {
			*found = &r->entries[i];
			return RC_OK;
		}
		*allow |= allowed_methods(rt->methods);
	}
	return *allow != 0 ? RC_METHOD : RC_NOTFOUND;
}

/* True when If-None-Match lists the ETag (weak comparison, RFC 9110). */
static bool
etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);

	if (strncmp(etag, "W/", 2) == 0) {
		etag += 2;
		elen -= 2;
	}
	while (*inm != '\0') {
		size_t len;
		while (*inm == ' ' || *inm == ',' || *inm == '\t')
			inm++;
		if (*inm == '*')
			return true;
		if (strncmp(inm, "W/", 2) == 0)
			inm += 2;
		len = strcspn(inm, ",");
		while (len > 0 && (inm[len - 1] == ' ' || inm[len - 1] == '\t'))
			len--;
		if (len == elen && memcmp(inm, etag, len) == 0)
			return true;
		inm += strcspn(inm, ",");
	}
	return false;
}

/* Strong ETag for cacheable 200 GETs that have none; 304 on a match. */
static void
apply_conditional(struct request *req, struct response *res)
{
	const char *cc, *inm, *etag;

	if (!(req->method & (HTTP_GET | HTTP_HEAD)) || res->status != 200)
		return;
	cc = response_header_get(res, "Cache-Control");
	if (cc != NULL && strstr(cc, "no-store") != NULL)
		return;
	inm = request_header(req, "If-None-Match");
	etag = response_header_get(res, "ETag");
	if (etag == NULL) {
		unsigned char sum[CRYPTO_SHA256_LEN];
		struct buf b;
		size_t n;
		const void *p = response_bytes(res, &n);
		crypto_sha256(p, n, sum);
		buf_init(&b, 64);
		if (crypto_b64url_encode(&b, sum, 18) == RC_OK)
			response_etag(res, buf_cstr(&b));
		buf_fini(&b);
		etag = response_header_get(res, "ETag");
	}
	if (inm != NULL && etag != NULL && etag_matches(inm, etag)) {
		response_status(res, 304);
		response_drop_body(res);
	}
}

/*
 * A HEAD answer announces the GET's Content-Length but carries no body
 * (RFC 3875 4.3.2). A shared cache that keys HEAD and GET alike (nginx's
 * fastcgi_cache with the method left out of fastcgi_cache_key) would store
 * that empty body and serve it to every later GET: clients then wait for
 * bytes that never come. "X-Accel-Expires: 0" tells nginx never to store
 * this answer (nginx hides the header from clients), so the other headers
 * stay those of the GET.
 */
static void
head_not_stored(const struct request *req, struct response *res)
{
	if (req->method == HTTP_HEAD)
		(void)response_header_set(res, "X-Accel-Expires", "0");
}

void
router_handle(struct router *r, struct request *req, struct response *res,
    const char **route_name)
{
	struct router_entry *e = NULL;
	unsigned allow;
	enum rc rc;

	*route_name = "unmatched";
	req->bad_param = NULL;
	req->identify = r->identify;
	req->identify_ctx = r->identify_ctx;
	rc = find_route(r, req, &e, &allow);
	if (rc == RC_OK) {
		*route_name = e->route->name;
		if ((e->route->flags & ROUTE_FORM) && req->method == HTTP_POST)
			rc = request_read_form(req);
	}
	if (rc == RC_OK)
		rc = router_params(e->route, e->ctx, req);
	if (rc != RC_OK && rc != RC_NOMEM && req->bad_param != NULL) {
		router_error_param(res, rc, req->bad_param, req->bad_why);
		head_not_stored(req, res);
		return;
	}
	if (rc == RC_OK)
		rc = e->route->handler(req, res, e->ctx);
	if (rc != RC_OK && rc != RC_NOMEM && req->bad_param != NULL) {
		router_error_param(res, rc, req->bad_param, req->bad_why);
		head_not_stored(req, res);
		return;
	}
	if (rc != RC_OK) {
		router_error(res, rc);
		if (rc == RC_METHOD)
			allow_header(res, allow);
		head_not_stored(req, res);
		return;
	}
	apply_conditional(req, res);
	head_not_stored(req, res);
}

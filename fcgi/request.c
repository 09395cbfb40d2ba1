/* request: strict parsing of the CGI environment, query, cookies and form. */
#include "fcgi/request_int.h"

#include <ctype.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi/config.h"
#include "util/url.h"

static const struct {
	const char *name;
	enum http_method method;
} methods[] = {
	{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
	{ "PUT", HTTP_PUT }, { "DELETE", HTTP_DELETE },
	{ "OPTIONS", HTTP_OPTIONS }, { "PATCH", HTTP_PATCH },
};

static const char *
env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

const char *
request_param(const struct request *req, const char *name)
{
	return env_get(req->env, name);
}

const char *
request_header(const struct request *req, const char *name)
{
	char key[128];
	size_t i = 0, j = 0;

	if (strcasecmp(name, "Content-Type") == 0)
		return env_get(req->env, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return env_get(req->env, "CONTENT_LENGTH");
	memcpy(key, "HTTP_", 5);
	j = 5;
	for (; name[i] != '\0' && j + 1 < sizeof(key); i++)
		key[j++] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	key[j] = '\0';
	return env_get(req->env, key);
}

struct arena *
request_arena(const struct request *req)
{
	return req->arena;
}

const struct config *
request_config(const struct request *req)
{
	return req->cfg;
}

enum http_method
request_method(const struct request *req)
{
	return req->method;
}

const char *
request_method_name(const struct request *req)
{
	return req->method_name;
}

const char *
request_path(const struct request *req)
{
	return req->path;
}

const char *
request_capture(const struct request *req, size_t i)
{
	return i < req->ncaptures ? req->captures[i] : NULL;
}

const char *
request_remote_addr(const struct request *req)
{
	const char *a = env_get(req->env, "REMOTE_ADDR");
	return a != NULL ? a : "";
}

long long
request_busy_clock(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool
request_busy_kept(long long busy_at, long long now)
{
	return busy_at > 0 && now > 0 && now - busy_at < REQUEST_BUSY_KEEP_NS;
}

bool
request_busy(const struct request *req)
{
	struct request_busy_probe *p = req->busy;

	if (p == NULL || p->listen_fd < 0)
		return false;
	if (p->state < 0) {
		struct pollfd pfd = { .fd = p->listen_fd, .events = POLLIN };
		long long now = p->busy_at != NULL ? request_busy_clock() : 0;
		if (p->busy_at != NULL && request_busy_kept(*p->busy_at, now)) {
			p->state = 1;
		} else {
			p->state = poll(&pfd, 1, 0) > 0;
			if (p->state == 1 && now > 0)
				*p->busy_at = now;
		}
	}
	p->asked_busy = p->asked_busy || p->state == 1;
	return p->state == 1;
}

bool
request_is_subrequest(const struct request *req)
{
	return req->subrequest;
}

bool
request_same_origin(struct request *req)
{
	const char *origin = request_header(req, "Origin");
	const char *site = request_header(req, "Sec-Fetch-Site");
	const char *url = req->cfg != NULL ? req->cfg->site_url : NULL;

	if (origin != NULL)
		return url != NULL && strcmp(origin, url) == 0;
	return site != NULL && strcmp(site, "same-origin") == 0;
}

bool
request_is_https(const struct request *req)
{
	const char *https = env_get(req->env, "HTTPS");
	const char *scheme = env_get(req->env, "REQUEST_SCHEME");

	return (https != NULL && strcasecmp(https, "on") == 0) ||
	    (scheme != NULL && strcmp(scheme, "https") == 0);
}

static const char *
kv_get(const struct kvset *set, const char *name, size_t *count)
{
	const char *first = NULL;
	size_t n = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (strcmp(set->items[i].name, name) == 0) {
			if (first == NULL)
				first = set->items[i].value;
			n++;
		}
	}
	if (count != NULL)
		*count = n;
	return first;
}

const char *
request_query(const struct request *req, const char *name)
{
	return kv_get(&req->query, name, NULL);
}

size_t
request_query_count(const struct request *req, const char *name)
{
	size_t n;

	kv_get(&req->query, name, &n);
	return n;
}

const char *
request_form(const struct request *req, const char *name)
{
	return kv_get(&req->form, name, NULL);
}

size_t
request_form_count(const struct request *req, const char *name)
{
	size_t n;

	kv_get(&req->form, name, &n);
	return n;
}

void
request_form_each(const struct request *req, const char *name,
    int (*fn)(void *arg, const char *value), void *arg)
{
	for (size_t i = 0; i < req->form.n; i++)
		if (strcmp(req->form.items[i].name, name) == 0 && fn(arg, req->form.items[i].value) != 0)
			return;
}

const char *
request_cookie(const struct request *req, const char *name)
{
	return kv_get(&req->cookies, name, NULL);
}

void
request_cookies_each(const struct request *req, const char *prefix,
    void (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < req->cookies.n; i++)
		if (strncmp(req->cookies.items[i].name, prefix, plen) == 0)
			fn(arg, req->cookies.items[i].name, req->cookies.items[i].value);
}

const struct param_value *
request_value(const struct request *req, size_t key)
{
	const struct param_value *v = key < req->nvalues ? &req->values[key] : NULL;

	return v != NULL && v->count > 0 && v->refused == RC_OK ? v : NULL;
}

const struct param_value *
request_refused(const struct request *req, size_t key)
{
	const struct param_value *v = key < req->nvalues ? &req->values[key] : NULL;

	return v != NULL && v->count > 0 && v->refused != RC_OK ? v : NULL;
}

enum rc
request_refuse(struct request *req, size_t key)
{
	const struct param_value *v = request_refused(req, key);

	if (key < req->nvalues) {
		req->bad_param = req->values[key].name;
		req->bad_why = "not valid";
	}
	return v != NULL ? v->refused : RC_INVALID;
}

long long
request_value_int(const struct request *req, size_t key, long long def)
{
	const struct param_value *v = request_value(req, key);

	return v != NULL ? v->i : def;
}

size_t
request_value_enum(const struct request *req, size_t key, size_t def)
{
	const struct param_value *v = request_value(req, key);

	return v != NULL ? v->e : def;
}

const char *
request_value_str(const struct request *req, size_t key)
{
	const struct param_value *v = request_value(req, key);

	return v != NULL ? v->s : NULL;
}

const struct identity *
request_identity(struct request *req)
{
	if (!req->identity_done) {
		req->identity_done = true;
		memset(&req->identity, 0, sizeof(req->identity));
		req->has_identity = req->identify != NULL &&
		    req->identify(req->identify_ctx, req, &req->identity) == RC_OK;
	}
	return req->has_identity ? &req->identity : NULL;
}

static enum rc
kv_push(struct arena *a, struct kvset *set, const char *name, const char *value)
{
	size_t max = set->max > 0 ? set->max : REQUEST_PARAMS_MAX;

	if (set->n == max)
		return RC_INVALID;
	if (set->items == NULL) {
		set->items = arena_alloc(a, max * sizeof(*set->items));
		if (set->items == NULL)
			return RC_NOMEM;
	}
	set->items[set->n].name = name;
	set->items[set->n].value = value;
	set->n++;
	return RC_OK;
}

enum rc
request_parse_pairs(struct arena *a, const char *s, size_t n, struct kvset *set)
{
	const char *end = s + n;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp != NULL ? amp : end;
		const char *eq = memchr(s, '=', (size_t)(stop - s));
		const char *name_end = eq != NULL ? eq : stop;
		char *name, *value;
		enum rc rc;

		if (stop > s) {
			if (name_end == s)
				return RC_INVALID; /* "=x": a value without a name */
			rc = url_decode(a, s, (size_t)(name_end - s), true, &name, NULL);
			if (rc == RC_OK)
				rc = eq != NULL ? url_decode(a, eq + 1, (size_t)(stop - eq - 1), true, &value, NULL)
				    : url_decode(a, "", 0, true, &value, NULL);
			if (rc == RC_OK)
				rc = kv_push(a, set, name, value);
			if (rc != RC_OK)
				return rc;
		}
		s = stop + (amp != NULL ? 1 : 0);
	}
	return RC_OK;
}

static bool
is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static bool
is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	    (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/* Adds one "name=value" pair if well-formed (RFC 6265 syntax). */
static enum rc
cookie_pair(struct arena *a, const char *s, size_t n, struct kvset *set)
{
	const char *eq = memchr(s, '=', n);
	const char *v, *vend = s + n;
	size_t i;

	if (eq == NULL || eq == s)
		return RC_OK;
	for (i = 0; s + i < eq; i++)
		if (!is_token_char((unsigned char)s[i]))
			return RC_OK;
	v = eq + 1;
	if (vend - v >= 2 && *v == '"' && vend[-1] == '"') {
		v++;
		vend--;
	}
	for (const char *p = v; p < vend; p++)
		if (!is_cookie_octet((unsigned char)*p))
			return RC_OK;
	return kv_push(a, set, arena_strndup(a, s, (size_t)(eq - s)),
	    arena_strndup(a, v, (size_t)(vend - v)));
}

enum rc
request_parse_cookies(struct arena *a, const char *s, struct kvset *set)
{
	while (*s != '\0') {
		size_t n;
		enum rc rc;

		while (*s == ' ' || *s == '\t' || *s == ';')
			s++;
		n = strcspn(s, ";");
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0) {
			rc = cookie_pair(a, s, n, set);
			/* Too many cookies: keep the first ones, like browsers' limits. */
			if (rc == RC_NOMEM)
				return rc;
		}
		s += strcspn(s, ";");
	}
	return RC_OK;
}

/* What request_init reads from the environment, found in one pass. */
struct env_vars {
	const char *method;
	const char *query;
	const char *content_length;
	const char *uri;
	const char *doc_uri;
	const char *script;
	const char *path_info;
	const char *cookie;
};

/*
 * One pass over the environment: picks the variables above (the first of a
 * name wins, like env_get) and checks that every HTTP_* header fits its
 * limit; the Cookie header has its own. RC_HDR_TOOBIG when one does not
 * (after the whole pass: an error reply still needs the method).
 */
static enum rc
env_scan(char **env, struct env_vars *v)
{
#define ENV_VAR(name, field) { name, sizeof(name) - 1, &v->field }
	const struct {
		const char *name;
		size_t len;
		const char **slot;
	} known[] = {
		ENV_VAR("REQUEST_METHOD", method),
		ENV_VAR("QUERY_STRING", query),
		ENV_VAR("CONTENT_LENGTH", content_length),
		ENV_VAR("REQUEST_URI", uri),
		ENV_VAR("DOCUMENT_URI", doc_uri),
		ENV_VAR("SCRIPT_NAME", script),
		ENV_VAR("PATH_INFO", path_info),
	};
#undef ENV_VAR
	enum rc rc = RC_OK;

	memset(v, 0, sizeof(*v));
	for (; env != NULL && *env != NULL; env++) {
		const char *e = *env, *eq;
		if (e[0] == 'H' && strncmp(e, "HTTP_", 5) == 0) {
			bool cookie = strncmp(e, "HTTP_COOKIE=", 12) == 0;
			eq = strchr(e, '=');
			if (eq == NULL)
				continue;
			if (strlen(eq + 1) > (cookie ? REQUEST_COOKIE_MAX : REQUEST_HEADER_MAX))
				rc = RC_HDR_TOOBIG;
			if (cookie && v->cookie == NULL)
				v->cookie = eq + 1;
			continue;
		}
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			/* Two characters first: most names differ there. */
			if (e[0] != known[i].name[0] || e[1] != known[i].name[1] ||
			    *known[i].slot != NULL)
				continue;
			if (strncmp(e, known[i].name, known[i].len) == 0 && e[known[i].len] == '=') {
				*known[i].slot = e + known[i].len + 1;
				break;
			}
		}
	}
	return rc;
}

static void
parse_method(struct request *req, const char *m)
{
	req->method_name = m != NULL ? m : "GET";
	req->method = HTTP_OTHER;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(req->method_name, methods[i].name) == 0)
			req->method = methods[i].method;
}

static bool
under_mount(const char *path, const char *mount, size_t n)
{
	size_t mlen = strlen(mount);

	return n >= mlen && strncmp(path, mount, mlen) == 0 && (n == mlen || path[mlen] == '/');
}

/*
 * The raw path: REQUEST_URI up to '?', else SCRIPT_NAME + PATH_INFO. In an
 * nginx subrequest (SSI include) REQUEST_URI is still the including page's,
 * outside the mount, and DOCUMENT_URI ($uri) is the included one's: then
 * that is the path (and QUERY_STRING is already the subrequest's).
 */
static const char *
raw_path(struct request *req, const struct env_vars *v)
{
	const char *mount = req->cfg->mount;

	if (v->uri != NULL && *v->uri == '/') {
		size_t n = strcspn(v->uri, "?#");
		if (!under_mount(v->uri, mount, n) && v->doc_uri != NULL &&
		    under_mount(v->doc_uri, mount, strlen(v->doc_uri))) {
			req->subrequest = true;
			return arena_strdup(req->arena, v->doc_uri);
		}
		return arena_strndup(req->arena, v->uri, n);
	}
	return arena_printf(req->arena, "%s%s", v->script ? v->script : "",
	    v->path_info ? v->path_info : "");
}

static enum rc
parse_path(struct request *req, const struct env_vars *v)
{
	const char *mount = req->cfg->mount;
	const char *path = raw_path(req, v);
	const char *info = v->path_info;
	size_t mlen = strlen(mount);

	if (path == NULL)
		return RC_NOMEM;
	for (const char *p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return RC_INVALID;
	if (strncmp(path, mount, mlen) == 0 && (path[mlen] == '/' || path[mlen] == '\0'))
		req->path = path[mlen] == '\0' ? "/" : path + mlen;
	else if (info != NULL && *info == '/')
		req->path = info; /* plain CGI under another script path */
	else
		return RC_NOTFOUND;
	return RC_OK;
}

static enum rc
parse_content_length(struct request *req, const char *cl)
{
	char *end;
	unsigned long long v;

	req->content_length = 0;
	if (cl == NULL || *cl == '\0')
		return RC_OK;
	if (!isdigit((unsigned char)*cl))
		return RC_INVALID;
	v = strtoull(cl, &end, 10);
	if (*end != '\0')
		return RC_INVALID;
	if (v > REQUEST_BODY_MAX)
		return RC_TOOBIG;
	req->content_length = (size_t)v;
	return RC_OK;
}

enum rc
request_init(struct request *req, struct arena *a, const struct config *cfg,
    char **env, request_reader reader, void *arg)
{
	struct env_vars v;
	enum rc rc;

	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->cfg = cfg;
	req->env = env;
	req->reader = reader;
	req->reader_arg = arg;
	req->path = "/";
	rc = env_scan(env, &v);
	parse_method(req, v.method);
	if (rc != RC_OK)
		return rc;
	if (v.query != NULL && strlen(v.query) > REQUEST_QUERY_MAX)
		return RC_HDR_TOOBIG;
	rc = parse_content_length(req, v.content_length);
	if (rc != RC_OK)
		return rc;
	rc = parse_path(req, &v);
	if (rc != RC_OK)
		return rc;
	if (v.query != NULL) {
		rc = request_parse_pairs(a, v.query, strlen(v.query), &req->query);
		if (rc != RC_OK)
			return rc;
	}
	if (v.cookie != NULL)
		rc = request_parse_cookies(a, v.cookie, &req->cookies);
	return rc;
}

enum rc
request_read_form(struct request *req)
{
	const char *type = env_get(req->env, "CONTENT_TYPE");
	size_t got = 0;
	char *body;

	if (req->content_length == 0)
		return RC_OK;
	if (type == NULL || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0)
		return RC_INVALID;
	body = arena_alloc(req->arena, req->content_length + 1);
	if (body == NULL)
		return RC_NOMEM;
	while (got < req->content_length) {
		ssize_t r = req->reader(req->reader_arg, body + got, req->content_length - got);
		if (r <= 0)
			return RC_INVALID; /* short body */
		got += (size_t)r;
	}
	body[got] = '\0';
	req->form.max = REQUEST_FORM_PARAMS_MAX;
	return request_parse_pairs(req->arena, body, got, &req->form);
}

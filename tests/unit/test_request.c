/* test_request: request parsing, routing, responses, conditional GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/request_int.h"
#include "fcgi/response_int.h"
#include "fcgi/feature.h"
#include "fcgi/router_int.h"

static struct config test_cfg = {
	.mount = "/social",
	.cache_dir = "/tmp",
	.state_dir = "/tmp",
};

struct env {
	char *vars[64];
	size_t n;
};

static void
env_add(struct env *e, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *v = malloc(len);

	snprintf(v, len, "%s=%s", name, value);
	e->vars[e->n++] = v;
	e->vars[e->n] = NULL;
}

static void
env_free(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->vars[i]);
	e->n = 0;
}

/* Builds a GET for uri?qs with optional extra headers. */
static enum rc
parse(struct arena *a, struct request *req, struct env *e, const char *method,
    const char *uri, const char *qs)
{
	env_add(e, "REQUEST_METHOD", method);
	env_add(e, "REQUEST_URI", uri);
	if (qs != NULL)
		env_add(e, "QUERY_STRING", qs);
	return request_init(req, a, &test_cfg, e->vars, NULL, NULL);
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_query_parsing(void **state)
{
	static const struct { const char *qs; enum rc rc; } cases[] = {
		{ "a=1&b=2", RC_OK }, { "a=%20", RC_OK }, { "a", RC_OK }, { "&&a=1&", RC_OK },
		{ "a=%zz", RC_INVALID }, { "a=%C3%28", RC_INVALID }, { "%zz=1", RC_INVALID },
		{ "=x", RC_INVALID }, { "a=%00", RC_INVALID }, { "a=%", RC_INVALID },
		{ "a=\xc3\x28", RC_INVALID }, { "a=%0A%0D", RC_OK },
	};
	struct arena *a = arena_new(4096, 0);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct env e = { .n = 0 };
		struct request req;
		assert_int_equal(parse(a, &req, &e, "GET", "/social/x", cases[i].qs), cases[i].rc);
		env_free(&e);
		arena_reset(a);
	}
	arena_free(a);
}

static void
test_query_values(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct env e = { .n = 0 };
	struct request req;

	(void)state;
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x?ignored", "q=a+b%26c&q=2&empty=&flag&n=42"), RC_OK);
	assert_string_equal(request_path(&req), "/x");
	assert_string_equal(request_query(&req, "q"), "a b&c");
	assert_int_equal(request_query_count(&req, "q"), 2);
	assert_string_equal(request_query(&req, "empty"), "");
	assert_string_equal(request_query(&req, "flag"), "");
	assert_null(request_query(&req, "missing"));
	assert_int_equal(request_query_count(&req, "missing"), 0);
	assert_int_equal(request_method(&req), HTTP_GET);
	env_free(&e);
	arena_free(a);
}

static void
test_limits(void **state)
{
	struct arena *a = arena_new(4096, 0);
	char *big = repeat('a', REQUEST_QUERY_MAX - 2), *qs;
	char *cookie_ok = repeat('c', REQUEST_COOKIE_MAX - 2);
	char *cookie_big = repeat('c', REQUEST_COOKIE_MAX + 1);
	struct env e = { .n = 0 };
	struct request req;
	char many[REQUEST_PARAMS_MAX * 4 + 8] = "";

	(void)state;
	qs = malloc(REQUEST_QUERY_MAX + 8);
	snprintf(qs, REQUEST_QUERY_MAX + 8, "a=%s", big);
	/* Exactly at the limit is fine, one byte more is 431. */
	assert_int_equal(strlen(qs), REQUEST_QUERY_MAX);
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", qs), RC_OK);
	env_free(&e);
	strcat(qs, "a");
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", qs), RC_HDR_TOOBIG);
	env_free(&e);
	env_add(&e, "HTTP_COOKIE", cookie_ok);
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", NULL), RC_OK);
	env_free(&e);
	env_add(&e, "HTTP_COOKIE", cookie_big);
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", NULL), RC_HDR_TOOBIG);
	env_free(&e);
	env_add(&e, "HTTP_X_BIG", cookie_big);
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", NULL), RC_HDR_TOOBIG);
	env_free(&e);
	/* The method of a 431 is still known (a HEAD error reply has no body),
	 * even when the big header comes first. */
	env_add(&e, "HTTP_X_BIG", cookie_big);
	assert_int_equal(parse(a, &req, &e, "HEAD", "/social/x", NULL), RC_HDR_TOOBIG);
	assert_int_equal(request_method(&req), HTTP_HEAD);
	env_free(&e);
	/* The first of a repeated variable wins, as with request_param(). */
	env_add(&e, "QUERY_STRING", "a=first");
	env_add(&e, "HTTP_COOKIE", "c=first");
	env_add(&e, "HTTP_COOKIE", "c=second");
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", "a=second"), RC_OK);
	assert_string_equal(request_query(&req, "a"), "first");
	assert_string_equal(request_cookie(&req, "c"), "first");
	assert_string_equal(request_param(&req, "QUERY_STRING"), "a=first");
	env_free(&e);
	env_add(&e, "CONTENT_LENGTH", "65537");
	assert_int_equal(parse(a, &req, &e, "POST", "/social/x", NULL), RC_TOOBIG);
	env_free(&e);
	env_add(&e, "CONTENT_LENGTH", "65536");
	assert_int_equal(parse(a, &req, &e, "POST", "/social/x", NULL), RC_OK);
	env_free(&e);
	env_add(&e, "CONTENT_LENGTH", "12x");
	assert_int_equal(parse(a, &req, &e, "POST", "/social/x", NULL), RC_INVALID);
	env_free(&e);
	env_add(&e, "CONTENT_LENGTH", "-1");
	assert_int_equal(parse(a, &req, &e, "POST", "/social/x", NULL), RC_INVALID);
	env_free(&e);
	/* More parameters than the table holds: 400, not truncation. */
	for (int i = 0; i <= REQUEST_PARAMS_MAX; i++)
		strcat(many, "a=1&");
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", many), RC_INVALID);
	env_free(&e);
	free(qs);
	free(big);
	free(cookie_ok);
	free(cookie_big);
	arena_free(a);
}

static void
test_paths(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct env e = { .n = 0 };
	struct request req;

	(void)state;
	assert_int_equal(parse(a, &req, &e, "GET", "/social", NULL), RC_OK);
	assert_string_equal(request_path(&req), "/");
	env_free(&e);
	assert_int_equal(parse(a, &req, &e, "GET", "/socialx/healthz", NULL), RC_NOTFOUND);
	env_free(&e);
	assert_int_equal(parse(a, &req, &e, "GET", "/other", NULL), RC_NOTFOUND);
	env_free(&e);
	assert_int_equal(parse(a, &req, &e, "GET", "/social/a\x01", NULL), RC_INVALID);
	env_free(&e);
	/* Plain CGI under another script name: PATH_INFO is the route. */
	env_add(&e, "REQUEST_METHOD", "GET");
	env_add(&e, "SCRIPT_NAME", "/cgi-bin/socialhub");
	env_add(&e, "PATH_INFO", "/healthz");
	assert_int_equal(request_init(&req, a, &test_cfg, e.vars, NULL, NULL), RC_OK);
	assert_string_equal(request_path(&req), "/healthz");
	env_free(&e);
	env_add(&e, "REQUEST_METHOD", "BREW");
	env_add(&e, "REQUEST_URI", "/social/x");
	assert_int_equal(request_init(&req, a, &test_cfg, e.vars, NULL, NULL), RC_OK);
	assert_int_equal(request_method(&req), HTTP_OTHER);
	assert_string_equal(request_method_name(&req), "BREW");
	env_free(&e);
	arena_free(a);
}

/* request_busy looks at the listening socket only when asked, once per
 * request, and tells the worker when it said "busy". */
static void
test_busy(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct env e = { .n = 0 };
	struct request req;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct request_busy_probe probe = { lfd, -1, false, NULL };
	struct timespec ts;
	long long busy_at = 0;

	(void)state;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/socialhub-busy.%d", (int)getpid());
	unlink(sun.sun_path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", NULL), RC_OK);
	assert_false(request_busy(&req));             /* no probe: CGI */
	req.busy = &probe;
	assert_int_equal(probe.state, -1);            /* not asked: no poll */
	assert_false(request_busy(&req));             /* nothing queued */
	assert_false(probe.asked_busy);
	/* The answer is the request's: a connection queued after it was
	 * asked changes nothing until the next request. */
	assert_int_equal(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_false(request_busy(&req));
	probe = (struct request_busy_probe){ lfd, -1, false, NULL };
	assert_true(request_busy(&req));              /* one waits */
	assert_true(probe.asked_busy);
	probe = (struct request_busy_probe){ -1, -1, false, NULL };
	assert_false(request_busy(&req));             /* no listening socket */
	/* The worker's memory: a poll that says busy is noted; within a
	 * millisecond of it, busy stands without a poll (nothing is queued
	 * once the connection is gone); an older note is looked at again. */
	probe = (struct request_busy_probe){ lfd, -1, false, &busy_at };
	assert_true(request_busy(&req));
	assert_true(busy_at > 0);
	close(cfd);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		/* the queued connection closed: accept and drop it */
		int q = accept(lfd, NULL, NULL);
		assert_true(q >= 0);
		close(q);
	}
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	busy_at = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	probe = (struct request_busy_probe){ lfd, -1, false, &busy_at };
	assert_true(request_busy(&req));              /* noted just now */
	busy_at -= 2 * REQUEST_BUSY_KEEP_NS;
	probe = (struct request_busy_probe){ lfd, -1, false, &busy_at };
	assert_false(request_busy(&req));             /* too old: polled */
	close(cfd);
	close(lfd);
	unlink(sun.sun_path);
	env_free(&e);
	arena_free(a);
}

struct cookie_seen {
	int n;
};

static void
count_cookie(void *arg, const char *name, const char *value)
{
	(void)name;
	(void)value;
	((struct cookie_seen *)arg)->n++;
}

static void
test_cookies_headers(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct env e = { .n = 0 };
	struct request req;
	struct cookie_seen seen = { 0 };

	(void)state;
	env_add(&e, "HTTP_COOKIE", "a=1; b=\"two\";bad cookie=x; c=3=3; =nameless; d=\xc3\xa9; st_1=x; st_2=y;;");
	env_add(&e, "HTTP_USER_AGENT", "test/1.0");
	env_add(&e, "CONTENT_TYPE", "text/plain");
	env_add(&e, "REMOTE_ADDR", "127.0.0.1");
	env_add(&e, "HTTPS", "on");
	assert_int_equal(parse(a, &req, &e, "GET", "/social/x", NULL), RC_OK);
	assert_string_equal(request_cookie(&req, "a"), "1");
	assert_string_equal(request_cookie(&req, "b"), "two");
	assert_string_equal(request_cookie(&req, "c"), "3=3");
	assert_null(request_cookie(&req, "bad cookie"));
	assert_null(request_cookie(&req, "d"));
	request_cookies_each(&req, "st_", count_cookie, &seen);
	assert_int_equal(seen.n, 2);
	assert_string_equal(request_header(&req, "User-Agent"), "test/1.0");
	assert_string_equal(request_header(&req, "content-type"), "text/plain");
	assert_null(request_header(&req, "X-Missing"));
	assert_string_equal(request_remote_addr(&req), "127.0.0.1");
	assert_true(request_is_https(&req));
	env_free(&e);
	arena_free(a);
}

struct body {
	const char *data;
	size_t off;
	size_t limit;
};

static ssize_t
body_read(void *arg, char *p, size_t n)
{
	struct body *b = arg;
	size_t left = b->limit - b->off;

	if (n > left)
		n = left;
	memcpy(p, b->data + b->off, n);
	b->off += n;
	return (ssize_t)n;
}

static void
test_form(void **state)
{
	const char *data = "x=1&y=hello+world&z=%E2%82%AC";
	struct arena *a = arena_new(4096, 0);
	struct env e = { .n = 0 };
	struct request req;
	struct body b = { data, 0, strlen(data) };
	char len[16];

	(void)state;
	snprintf(len, sizeof(len), "%zu", strlen(data));
	env_add(&e, "REQUEST_METHOD", "POST");
	env_add(&e, "REQUEST_URI", "/social/f");
	env_add(&e, "CONTENT_LENGTH", len);
	env_add(&e, "CONTENT_TYPE", "application/x-www-form-urlencoded; charset=UTF-8");
	assert_int_equal(request_init(&req, a, &test_cfg, e.vars, body_read, &b), RC_OK);
	assert_int_equal(request_read_form(&req), RC_OK);
	assert_string_equal(request_form(&req, "y"), "hello world");
	assert_string_equal(request_form(&req, "z"), "\xe2\x82\xac");
	assert_int_equal(request_form_count(&req, "x"), 1);
	/* A short body (client hung up) is a 400. */
	b.off = 0;
	b.limit = 5;
	assert_int_equal(request_init(&req, a, &test_cfg, e.vars, body_read, &b), RC_OK);
	assert_int_equal(request_read_form(&req), RC_INVALID);
	env_free(&e);
	/* The wrong content type is a 400. */
	env_add(&e, "REQUEST_METHOD", "POST");
	env_add(&e, "REQUEST_URI", "/social/f");
	env_add(&e, "CONTENT_LENGTH", len);
	env_add(&e, "CONTENT_TYPE", "application/json");
	b.off = 0;
	b.limit = strlen(data);
	assert_int_equal(request_init(&req, a, &test_cfg, e.vars, body_read, &b), RC_OK);
	assert_int_equal(request_read_form(&req), RC_INVALID);
	env_free(&e);
	arena_free(a);
}

struct seen {
	int n;
};

static int
count_value(void *arg, const char *value)
{
	struct seen *s = arg;

	s->n += strcmp(value, "k") == 0;
	return 0;
}

/* A bulk form: 2048 fields pass (each value seen by request_form_each),
 * one more is a 400. */
static void
test_form_many(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct env e = { .n = 0 };
	struct request req;
	char *data = malloc(REQUEST_FORM_PARAMS_MAX * 4 + 16), len[32];
	struct body b;
	struct seen seen = { 0 };

	(void)state;
	for (int extra = 0; extra < 2; extra++) {
		data[0] = '\0';
		for (int i = 0; i < REQUEST_FORM_PARAMS_MAX + extra; i++)
			strcat(data, i == 0 ? "k=k" : "&k=k");
		b = (struct body){ data, 0, strlen(data) };
		snprintf(len, sizeof(len), "%zu", strlen(data));
		env_add(&e, "REQUEST_METHOD", "POST");
		env_add(&e, "REQUEST_URI", "/social/f");
		env_add(&e, "CONTENT_LENGTH", len);
		env_add(&e, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		assert_int_equal(request_init(&req, a, &test_cfg, e.vars, body_read, &b), RC_OK);
		assert_int_equal(request_read_form(&req), extra == 0 ? RC_OK : RC_INVALID);
		if (extra == 0) {
			assert_int_equal(request_form_count(&req, "k"), REQUEST_FORM_PARAMS_MAX);
			request_form_each(&req, "k", count_value, &seen);
			assert_int_equal(seen.n, REQUEST_FORM_PARAMS_MAX);
		}
		env_free(&e);
	}
	free(data);
	arena_free(a);
}

/* --- routing ------------------------------------------------------------ */

static enum rc
h_echo(struct request *req, struct response *res, void *ctx)
{
	json_t *j = json_object();

	(void)ctx;
	json_object_set_new(j, "name", json_string(request_capture(req, 0) ? request_capture(req, 0) : ""));
	json_object_set_new(j, "path", json_string(request_path(req)));
	return response_json(res, 200, j);
}

static enum rc
h_fail(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)res;
	(void)ctx;
	return RC_FORBIDDEN;
}

static enum rc
h_private(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)ctx;
	response_no_store(res);
	return response_json(res, 200, json_object());
}

static const char *const layouts[] = { "list", "grid", "carousel", NULL };

static const struct param_spec echo_params[] = {
	{ .name = "limit", .type = PARAM_INT, .min = 1, .max = 100 },
	{ .name = "layout", .type = PARAM_ENUM, .choices = layouts },
	{ .name = "source", .type = PARAM_TOKEN, .max_len = 16 },
	{ .name = NULL },
};

static const struct param_spec need_params[] = {
	{ .name = "url", .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max_len = 20 },
	{ .name = NULL },
};

static const struct route test_routes[] = {
	{ HTTP_GET, "/streams/{name}.json", h_echo, "stream_json", echo_params, 0 },
	{ HTTP_GET, "/streams", h_echo, "streams", NULL, 0 },
	{ HTTP_POST, "/streams", h_echo, "streams_post", NULL, 0 },
	{ HTTP_GET, "/deny", h_fail, "deny", NULL, 0 },
	{ HTTP_GET, "/need", h_echo, "need", need_params, 0 },
	{ HTTP_GET, "/private", h_private, "private", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

static const struct feature test_features[] = {
	{ .name = "test", .routes = test_routes },
	{ .name = NULL },
};

struct served {
	int status;
	char body[512];
	char allow[64];
	char etag[64];
	const char *route;
};

static void
serve(const char *method, const char *uri, const char *qs, const char *inm,
    struct served *out)
{
	struct arena *a = arena_new(4096, 0);
	struct router *r = NULL;
	struct env e = { .n = 0 };
	struct request req;
	struct response res;
	size_t n;
	const void *p;
	enum rc rc;

	assert_int_equal(router_new(&test_cfg, test_features, &r), RC_OK);
	if (inm != NULL)
		env_add(&e, "HTTP_IF_NONE_MATCH", inm);
	response_init(&res, a);
	rc = parse(a, &req, &e, method, uri, qs);
	out->route = "invalid";
	if (rc == RC_OK)
		router_handle(r, &req, &res, &out->route);
	else
		router_error(&res, rc);
	out->status = res.status;
	p = response_bytes(&res, &n);
	snprintf(out->body, sizeof(out->body), "%.*s", (int)n, (const char *)p);
	snprintf(out->allow, sizeof(out->allow), "%s",
	    response_header_get(&res, "Allow") ? response_header_get(&res, "Allow") : "");
	snprintf(out->etag, sizeof(out->etag), "%s",
	    response_header_get(&res, "ETag") ? response_header_get(&res, "ETag") : "");
	response_fini(&res);
	env_free(&e);
	router_free(r);
	arena_free(a);
}

static void
test_routing(void **state)
{
	struct served s;

	(void)state;
	serve("GET", "/social/streams/brand.json", NULL, NULL, &s);
	assert_int_equal(s.status, 200);
	assert_string_equal(s.route, "stream_json");
	assert_non_null(strstr(s.body, "\"name\":\"brand\""));
	serve("GET", "/social/streams/br%20and.json", NULL, NULL, &s);
	assert_non_null(strstr(s.body, "\"name\":\"br and\""));
	serve("GET", "/social/streams/%zz.json", NULL, NULL, &s);
	assert_int_equal(s.status, 400);
	serve("GET", "/social/streams/.json", NULL, NULL, &s);
	assert_int_equal(s.status, 404);
	serve("GET", "/social/streams/brand.xml", NULL, NULL, &s);
	assert_int_equal(s.status, 404);
	assert_non_null(strstr(s.body, "\"error\":\"not_found\""));
	assert_non_null(strstr(s.body, "\"message\""));
	serve("GET", "/social/streams/", NULL, NULL, &s);
	assert_int_equal(s.status, 404);
	serve("HEAD", "/social/streams", NULL, NULL, &s);
	assert_int_equal(s.status, 200);
	serve("POST", "/social/streams", NULL, NULL, &s);
	assert_string_equal(s.route, "streams_post");
	serve("DELETE", "/social/streams", NULL, NULL, &s);
	assert_int_equal(s.status, 405);
	assert_string_equal(s.allow, "GET, HEAD, POST");
	serve("PUT", "/social/streams/x.json", NULL, NULL, &s);
	assert_int_equal(s.status, 405);
	assert_string_equal(s.allow, "GET, HEAD");
	serve("GET", "/social/deny", NULL, NULL, &s);
	assert_int_equal(s.status, 403);
	assert_non_null(strstr(s.body, "\"error\":\"forbidden\""));
}

static void
test_params(void **state)
{
	static const struct { const char *qs; int status; } cases[] = {
		{ "limit=1", 200 }, { "limit=100", 200 }, { "limit=0", 400 }, { "limit=101", 400 },
		{ "limit=abc", 400 }, { "limit=", 400 }, { "limit=5x", 400 },
		{ "limit=99999999999999999999", 400 }, { "layout=grid", 200 },
		{ "layout=gri", 400 }, { "layout=grid|list", 400 }, { "source=a.b-c_d", 200 },
		{ "source=a/b", 400 }, { "source=aaaaaaaaaaaaaaaaa", 400 }, { "unknown=1", 200 },
	};
	struct served s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		serve("GET", "/social/streams/x.json", cases[i].qs, NULL, &s);
		assert_int_equal(s.status, cases[i].status);
	}
	serve("GET", "/social/need", NULL, NULL, &s);
	assert_int_equal(s.status, 400);
	serve("GET", "/social/need", "url=short", NULL, &s);
	assert_int_equal(s.status, 200);
	serve("GET", "/social/need", "url=aaaaaaaaaaaaaaaaaaaaaaaaa", NULL, &s);
	assert_int_equal(s.status, 400);
}

static void
test_conditional(void **state)
{
	struct served s, s2;
	char list[128];

	(void)state;
	serve("GET", "/social/streams", NULL, NULL, &s);
	assert_int_equal(s.status, 200);
	assert_true(strlen(s.etag) > 2 && s.etag[0] == '"');
	serve("GET", "/social/streams", NULL, s.etag, &s2);
	assert_int_equal(s2.status, 304);
	assert_string_equal(s2.body, "");
	snprintf(list, sizeof(list), "\"nope\", W/%s", s.etag);
	serve("GET", "/social/streams", NULL, list, &s2);
	assert_int_equal(s2.status, 304);
	serve("GET", "/social/streams", NULL, "*", &s2);
	assert_int_equal(s2.status, 304);
	serve("GET", "/social/streams", NULL, "\"other\"", &s2);
	assert_int_equal(s2.status, 200);
	/* no-store responses get no ETag and never a 304. */
	serve("GET", "/social/private", NULL, "*", &s2);
	assert_int_equal(s2.status, 200);
	assert_string_equal(s2.etag, "");
	/* Errors are not cached. */
	serve("GET", "/social/deny", NULL, "*", &s2);
	assert_int_equal(s2.status, 403);
}

static void
test_response(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct response res;
	struct buf head;

	(void)state;
	response_init(&res, a);
	assert_int_equal(response_header(&res, "X-Bad", "a\r\nSet-Cookie: x=1"), RC_INVALID);
	assert_int_equal(response_header(&res, "X-Bad\n", "a"), RC_INVALID);
	assert_int_equal(response_header(&res, "X:Bad", "a"), RC_INVALID);
	assert_int_equal(response_redirect(&res, 302, "/x\nSet-Cookie: y"), RC_INVALID);
	for (int i = 0; i < RESPONSE_HEADERS_MAX; i++)
		response_header(&res, "X-N", "v");
	assert_int_equal(response_header(&res, "X-N", "v"), RC_LIMIT);
	response_reset(&res);
	assert_int_equal(response_html(&res, 200, "<p>x</p>", 8), RC_OK);
	assert_non_null(response_header_get(&res, "Content-Security-Policy"));
	assert_int_equal(response_etag(&res, "bad\"tag"), RC_INVALID);
	buf_init(&head, 4096);
	assert_int_equal(response_head(&res, &head), RC_OK);
	assert_non_null(strstr(buf_cstr(&head), "Status: 200 OK\r\n"));
	assert_non_null(strstr(buf_cstr(&head), "Content-Length: 8\r\n"));
	assert_non_null(strstr(buf_cstr(&head), "X-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(buf_cstr(&head), "\r\n\r\n"));
	buf_clear(&head);
	response_status(&res, 304);
	response_drop_body(&res);
	assert_int_equal(response_head(&res, &head), RC_OK);
	assert_null(strstr(buf_cstr(&head), "Content-Length"));
	/* The whole head, byte for byte (built without printf). */
	response_reset(&res);
	assert_int_equal(response_json(&res, 503, json_pack("{s:s}", "a", "b")), RC_OK);
	assert_int_equal(response_header(&res, "X-Empty", ""), RC_OK);
	buf_clear(&head);
	assert_int_equal(response_head(&res, &head), RC_OK);
	assert_string_equal(buf_cstr(&head), "Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json\r\nX-Empty: \r\nContent-Length: 9\r\n"
	    "X-Content-Type-Options: nosniff\r\n\r\n");
	response_reset(&res);
	response_status(&res, 0);
	response_body_ref(&res, "x", 1234567890);
	assert_int_equal(response_header(&res, "X-Content-Type-Options", "nosniff"), RC_OK);
	buf_clear(&head);
	assert_int_equal(response_head(&res, &head), RC_OK);
	assert_string_equal(buf_cstr(&head), "Status: 0 Unknown\r\n"
	    "X-Content-Type-Options: nosniff\r\nContent-Length: 1234567890\r\n\r\n");
	head.max = 20;
	buf_clear(&head);
	assert_int_equal(response_head(&res, &head), RC_LIMIT);
	buf_fini(&head);
	response_fini(&res);
	arena_free(a);
	assert_int_equal(router_status(RC_INVALID), 400);
	assert_int_equal(router_status(RC_HDR_TOOBIG), 431);
	assert_int_equal(router_status(RC_TOOBIG), 413);
	assert_int_equal(router_status(RC_METHOD), 405);
	assert_int_equal(router_status(RC_IO), 500);
	assert_int_equal(router_status(RC_UNAVAILABLE), 503);
	/* What oauth's error pages rely on (page_error). */
	assert_int_equal(router_status(RC_FORBIDDEN), 403);
	assert_int_equal(router_status(RC_UPSTREAM), 502);
	assert_int_equal(router_status(RC_INTERNAL), 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_parsing),
		cmocka_unit_test(test_query_values),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_busy),
		cmocka_unit_test(test_cookies_headers),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_form_many),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_conditional),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

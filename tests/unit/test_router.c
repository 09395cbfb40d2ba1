/* test_router: parameter tables and the typed values handlers receive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "fcgi/request_int.h"
#include "fcgi/response_int.h"
#include "fcgi/router_int.h"
#include "util/buf.h"
#include "widgets/render.h"

static struct config test_cfg = {
	.mount = "/social",
	.cache_dir = "/tmp",
	.state_dir = "/tmp",
};

/* ---- a request from a query string (and a form body) ---- */

struct treq {
	struct arena *a;
	char *vars[8];
	size_t nvars;
	const char *body;
	size_t off;
	struct request req;
};

static void
var(struct treq *t, const char *name, const char *value)
{
	t->vars[t->nvars++] = arena_printf(t->a, "%s=%s", name, value);
	t->vars[t->nvars] = NULL;
}

static ssize_t
body_read(void *arg, char *p, size_t n)
{
	struct treq *t = arg;
	size_t left = strlen(t->body) - t->off;

	if (n > left)
		n = left;
	memcpy(p, t->body + t->off, n);
	t->off += n;
	return (ssize_t)n;
}

/* GET /social/x?qs, or POST with body as a form when body is not NULL. */
static void
treq_init(struct treq *t, const char *qs, const char *body)
{
	memset(t, 0, sizeof(*t));
	t->a = arena_new(4096, 0);
	assert_non_null(t->a);
	t->body = body;
	var(t, "REQUEST_METHOD", body != NULL ? "POST" : "GET");
	var(t, "REQUEST_URI", "/social/x");
	if (qs != NULL)
		var(t, "QUERY_STRING", qs);
	if (body != NULL) {
		var(t, "CONTENT_TYPE", "application/x-www-form-urlencoded");
		var(t, "CONTENT_LENGTH", arena_printf(t->a, "%zu", strlen(body)));
	}
	assert_int_equal(request_init(&t->req, t->a, &test_cfg, t->vars, body_read, t), RC_OK);
	if (body != NULL)
		assert_int_equal(request_read_form(&t->req), RC_OK);
}

static void
treq_fini(struct treq *t)
{
	arena_free(t->a);
}

/* router_params for one route row over qs. */
static enum rc
check(const struct route *rt, const char *qs, struct treq *t)
{
	treq_init(t, qs, NULL);
	return router_params(rt, NULL, &t->req);
}

static enum rc
h_ok(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)ctx;
	return response_json(res, 200, json_object());
}

/* ---- types, bounds, enums ---- */

static const char *const layouts[] = { "list", "grid", "carousel", NULL };

enum { K_LIMIT, K_OFFSET, K_SOURCE, K_TAG, K_LAYOUT };

static const struct param_spec typed_params[] = {
	[K_LIMIT] = { .name = "limit", .type = PARAM_INT, .min = 1, .max = 100 },
	[K_OFFSET] = { .name = "offset", .type = PARAM_INT, .min = -5, .max = 5 },
	[K_SOURCE] = { .name = "source", .type = PARAM_TOKEN, .max_len = 8 },
	[K_TAG] = { .name = "tag", .type = PARAM_STRING, .max_len = 4 },
	[K_LAYOUT] = { .name = "layout", .type = PARAM_ENUM, .choices = layouts },
	{ .name = NULL },
};

static const struct route typed_route = {
	HTTP_GET, "/x", h_ok, "x", typed_params, 0
};

static void
test_types(void **state)
{
	static const struct { const char *qs; enum rc rc; } cases[] = {
		{ "", RC_OK }, { "limit=1", RC_OK }, { "limit=100", RC_OK },
		{ "limit=0", RC_INVALID }, { "limit=101", RC_INVALID },
		{ "limit=", RC_INVALID }, { "limit=abc", RC_INVALID },
		{ "limit=5x", RC_INVALID }, { "limit=%205", RC_INVALID },
		{ "limit=5%20", RC_INVALID }, { "limit=%2B5", RC_INVALID },
		{ "limit=0x10", RC_INVALID }, { "limit=1.5", RC_INVALID },
		{ "limit=99999999999999999999", RC_INVALID },
		{ "limit=-1", RC_INVALID }, { "limit=-", RC_INVALID },
		{ "offset=-5", RC_OK }, { "offset=5", RC_OK }, { "offset=0", RC_OK },
		{ "offset=-6", RC_INVALID }, { "offset=6", RC_INVALID },
		{ "offset=--1", RC_INVALID },
		{ "source=a.b-c_D9", RC_OK }, { "source=aaaaaaaa", RC_OK },
		{ "source=aaaaaaaaa", RC_INVALID }, { "source=", RC_INVALID },
		{ "source=a/b", RC_INVALID }, { "source=a%20b", RC_INVALID },
		{ "source=%C3%A9", RC_INVALID },
		{ "tag=", RC_OK }, { "tag=a+b", RC_OK }, { "tag=%E2%82%AC", RC_OK },
		{ "tag=%E2%82%AC%E2%82%AC", RC_INVALID },
		{ "tag=abcd", RC_OK }, { "tag=abcde", RC_INVALID },
		{ "layout=list", RC_OK }, { "layout=carousel", RC_OK },
		{ "layout=", RC_INVALID }, { "layout=gri", RC_INVALID },
		{ "layout=Grid", RC_INVALID }, { "layout=grid%7Clist", RC_INVALID },
		{ "layout=grids", RC_INVALID },
		{ "unknown=%20", RC_OK }, { "flag", RC_OK },
	};
	struct treq t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rc rc = check(&typed_route, cases[i].qs, &t);
		if (rc != cases[i].rc)
			fail_msg("%s: %s, want %s", cases[i].qs, rc_str(rc), rc_str(cases[i].rc));
		treq_fini(&t);
	}
}

static void
test_typed_values(void **state)
{
	const struct param_value *v;
	struct treq t;

	(void)state;
	assert_int_equal(check(&typed_route,
	    "limit=42&offset=-3&source=blog&tag=a+b&layout=carousel", &t), RC_OK);
	assert_int_equal(request_value_int(&t.req, K_LIMIT, 20), 42);
	assert_int_equal(request_value_int(&t.req, K_OFFSET, 0), -3);
	assert_string_equal(request_value_str(&t.req, K_SOURCE), "blog");
	assert_string_equal(request_value_str(&t.req, K_TAG), "a b");
	assert_int_equal(request_value_enum(&t.req, K_LAYOUT, 0), 2);
	v = request_value(&t.req, K_LIMIT);
	assert_non_null(v);
	assert_int_equal(v->i, 42);
	assert_string_equal(v->s, "42");
	assert_int_equal(v->count, 1);
	assert_null(v->p);
	assert_null(request_refused(&t.req, K_LIMIT));
	/* Past the table: nothing. */
	assert_null(request_value(&t.req, K_LAYOUT + 1));
	assert_int_equal(request_value_int(&t.req, 99, 7), 7);
	treq_fini(&t);

	/* Absent: the defaults, NULL. */
	assert_int_equal(check(&typed_route, "other=1", &t), RC_OK);
	assert_null(request_value(&t.req, K_LIMIT));
	assert_int_equal(request_value_int(&t.req, K_LIMIT, 20), 20);
	assert_int_equal(request_value_enum(&t.req, K_LAYOUT, 1), 1);
	assert_null(request_value_str(&t.req, K_SOURCE));
	treq_fini(&t);

	/* The enum index follows the table, not the text's position. */
	assert_int_equal(check(&typed_route, "layout=list", &t), RC_OK);
	assert_int_equal(request_value_enum(&t.req, K_LAYOUT, 9), 0);
	treq_fini(&t);
}

/* A route without a table hands the handler nothing. */
static void
test_no_table(void **state)
{
	static const struct route bare = { HTTP_GET, "/x", h_ok, "x", NULL, 0 };
	struct treq t;

	(void)state;
	assert_int_equal(check(&bare, "limit=abc", &t), RC_OK);
	assert_null(request_value(&t.req, 0));
	assert_null(request_refused(&t.req, 0));
	treq_fini(&t);
}

/* ---- duplicates, empty values, required ---- */

static void
test_duplicates(void **state)
{
	const struct param_value *v;
	struct treq t;

	(void)state;
	/* The first value counts; a bad later one does not matter. */
	assert_int_equal(check(&typed_route, "limit=5&limit=abc&limit=7", &t), RC_OK);
	v = request_value(&t.req, K_LIMIT);
	assert_non_null(v);
	assert_int_equal(v->i, 5);
	assert_int_equal(v->count, 3);
	treq_fini(&t);
	/* A bad first one is a 400 whatever follows. */
	assert_int_equal(check(&typed_route, "limit=abc&limit=5", &t), RC_INVALID);
	treq_fini(&t);
	assert_int_equal(check(&typed_route, "layout=grid&layout=nope", &t), RC_OK);
	assert_int_equal(request_value_enum(&t.req, K_LAYOUT, 0), 1);
	assert_int_equal(request_value(&t.req, K_LAYOUT)->count, 2);
	treq_fini(&t);
	/* An empty first value is a value. */
	assert_int_equal(check(&typed_route, "tag=&tag=x", &t), RC_OK);
	assert_string_equal(request_value_str(&t.req, K_TAG), "");
	assert_int_equal(request_value(&t.req, K_TAG)->count, 2);
	treq_fini(&t);
}

static const struct param_spec need_params[] = {
	{ .name = "url", .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max_len = 20 },
	{ .name = "n", .type = PARAM_INT, .flags = PARAM_REQUIRED, .min = 0, .max = 9 },
	{ .name = NULL },
};

static const struct route need_route = { HTTP_GET, "/x", h_ok, "x", need_params, 0 };

static void
test_required_empty(void **state)
{
	static const struct { const char *qs; enum rc rc; } cases[] = {
		{ "url=a&n=1", RC_OK }, { "url=&n=0", RC_OK }, { "url&n=0", RC_OK },
		{ "n=1", RC_INVALID }, { "url=a", RC_INVALID }, { "url=a&n=", RC_INVALID },
		{ "", RC_INVALID }, { "URL=a&n=1", RC_INVALID },
		{ "url=aaaaaaaaaaaaaaaaaaaa&n=1", RC_OK },
		{ "url=aaaaaaaaaaaaaaaaaaaaa&n=1", RC_INVALID },
	};
	struct treq t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rc rc = check(&need_route, cases[i].qs, &t);
		if (rc != cases[i].rc)
			fail_msg("%s: %s, want %s", cases[i].qs, rc_str(rc), rc_str(cases[i].rc));
		treq_fini(&t);
	}
}

/* ---- parse hooks: cursors, soft and hard refusals ---- */

/* As widgets/views.c reads `before`. */
static enum rc
before_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	struct render_before *b = arena_alloc(a, sizeof(*b));

	(void)ctx;
	if (b == NULL)
		return RC_NOMEM;
	*out = b;
	return render_before_parse(a, v, b);
}

/* Refuses "no" with RC_FORBIDDEN, anything else but "ok" with RC_INVALID;
 * "oom" fails as allocation does; counts its calls in ctx. */
static enum rc
word_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	(void)a;
	if (ctx != NULL)
		(*(int *)ctx)++;
	if (strcmp(v, "oom") == 0)
		return RC_NOMEM;
	if (strcmp(v, "no") == 0)
		return RC_FORBIDDEN;
	*out = v;
	return strcmp(v, "ok") == 0 ? RC_OK : RC_INVALID;
}

enum { C_BEFORE, C_SOFT, C_HARD };

static const struct param_spec hook_params[] = {
	[C_BEFORE] = { .name = "before", .type = PARAM_TOKEN, .max_len = RENDER_CURSOR_MAX,
	    .flags = PARAM_SOFT, .parse = before_param },
	[C_SOFT] = { .name = "soft", .type = PARAM_TOKEN, .max_len = 4,
	    .flags = PARAM_SOFT, .parse = word_param },
	[C_HARD] = { .name = "hard", .type = PARAM_STRING, .parse = word_param },
	{ .name = NULL },
};

static const struct route hook_route = { HTTP_GET, "/x", h_ok, "x", hook_params, 0 };

static void
test_cursor(void **state)
{
	struct feed_item it = { .id = (char *)"tag:example.com,2026:1", .published = 1767225600 };
	const struct render_before *at;
	const struct param_value *v;
	struct treq t;
	struct buf b;
	char *qs;

	(void)state;
	buf_init(&b, RENDER_CURSOR_MAX + 1);
	assert_int_equal(render_cursor(&b, &it), RC_OK);
	/* The query outlives any request arena: check() makes a new one. */
	qs = malloc(sizeof("before=") + RENDER_CURSOR_MAX);
	assert_non_null(qs);
	snprintf(qs, sizeof("before=") + RENDER_CURSOR_MAX, "before=%s", buf_cstr(&b));
	assert_int_equal(check(&hook_route, qs, &t), RC_OK);
	free(qs);
	v = request_value(&t.req, C_BEFORE);
	assert_non_null(v);
	assert_string_equal(v->s, buf_cstr(&b));
	at = v->p;
	assert_non_null(at);
	assert_int_equal(at->published, 1767225600);
	assert_false(at->hashed);
	assert_string_equal(at->id, "tag:example.com,2026:1");
	treq_fini(&t);
	buf_fini(&b);

	/* A well-formed token that is no cursor: the handler's to answer. */
	assert_int_equal(check(&hook_route, "before=MTIzCg", &t), RC_OK);
	assert_null(request_value(&t.req, C_BEFORE));
	v = request_refused(&t.req, C_BEFORE);
	assert_non_null(v);
	assert_int_equal(v->refused, RC_INVALID);
	assert_string_equal(v->s, "MTIzCg");
	assert_null(v->p);
	treq_fini(&t);
	/* Not a token at all: a 400 before any handler. */
	assert_int_equal(check(&hook_route, "before=a%2Bb", &t), RC_INVALID);
	treq_fini(&t);
}

static void
test_soft_hard(void **state)
{
	const struct param_value *v;
	struct treq t;
	int calls = 0;

	(void)state;
	assert_int_equal(check(&hook_route, "soft=ok&hard=ok", &t), RC_OK);
	assert_string_equal(request_value(&t.req, C_SOFT)->p, "ok");
	assert_string_equal(request_value(&t.req, C_HARD)->p, "ok");
	treq_fini(&t);
	/* Soft: the refusal and its reason reach the handler. */
	assert_int_equal(check(&hook_route, "soft=no&hard=ok", &t), RC_OK);
	assert_null(request_value(&t.req, C_SOFT));
	v = request_refused(&t.req, C_SOFT);
	assert_non_null(v);
	assert_int_equal(v->refused, RC_FORBIDDEN);
	assert_string_equal(v->s, "no");
	assert_int_equal(v->count, 1);
	treq_fini(&t);
	assert_int_equal(check(&hook_route, "soft=bad&soft=ok", &t), RC_OK);
	assert_int_equal(request_refused(&t.req, C_SOFT)->count, 2);
	treq_fini(&t);
	/* Soft rows still fail their type and length hard. */
	assert_int_equal(check(&hook_route, "soft=toolong", &t), RC_INVALID);
	treq_fini(&t);
	assert_int_equal(check(&hook_route, "soft=a/b", &t), RC_INVALID);
	treq_fini(&t);
	/* Hard: the hook's rc is the answer. */
	assert_int_equal(check(&hook_route, "hard=bad", &t), RC_INVALID);
	treq_fini(&t);
	assert_int_equal(check(&hook_route, "hard=no", &t), RC_FORBIDDEN);
	treq_fini(&t);
	/* Allocation failures end the request, soft or not. */
	assert_int_equal(check(&hook_route, "soft=oom", &t), RC_NOMEM);
	treq_fini(&t);
	assert_int_equal(check(&hook_route, "hard=oom", &t), RC_NOMEM);
	treq_fini(&t);
	/* The hook gets the route's context, once per sent row. */
	treq_init(&t, "soft=ok&hard=ok&other=1", NULL);
	assert_int_equal(router_params(&hook_route, &calls, &t.req), RC_OK);
	assert_int_equal(calls, 2);
	treq_fini(&t);
}

/* ---- form routes ---- */

static const struct param_spec form_params[] = {
	{ .name = "n", .type = PARAM_INT, .min = 0, .max = 9 },
	{ .name = NULL },
};

static void
test_form(void **state)
{
	static const struct route form_route = {
		HTTP_GET | HTTP_POST, "/x", h_ok, "x", form_params, ROUTE_FORM
	};
	struct treq t;

	(void)state;
	/* POST reads the body, not the query. */
	treq_init(&t, "n=1", "n=2");
	assert_int_equal(router_params(&form_route, NULL, &t.req), RC_OK);
	assert_int_equal(request_value_int(&t.req, 0, -1), 2);
	treq_fini(&t);
	treq_init(&t, "n=1", "m=2");
	assert_int_equal(router_params(&form_route, NULL, &t.req), RC_OK);
	assert_null(request_value(&t.req, 0));
	treq_fini(&t);
	treq_init(&t, "n=1", "n=x");
	assert_int_equal(router_params(&form_route, NULL, &t.req), RC_INVALID);
	treq_fini(&t);
	/* GET on the same route reads the query. */
	assert_int_equal(check(&form_route, "n=3", &t), RC_OK);
	assert_int_equal(request_value_int(&t.req, 0, -1), 3);
	treq_fini(&t);
}

/* ---- through the router: the 400 is the router's, byte for byte ---- */

static const struct route router_routes[] = {
	{ HTTP_GET, "/x", h_ok, "x", typed_params, 0 },
	{ HTTP_GET, "/h", h_ok, "h", hook_params, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

static const struct feature router_features[] = {
	{ .name = "test", .routes = router_routes },
	{ .name = NULL },
};

struct served {
	int status;
	char body[256];
	char cc[64];
	char accel[16];  /* X-Accel-Expires, "" when absent */
};

static void
serve_method(unsigned method, const char *path, const char *qs, struct served *out)
{
	struct router *r = NULL;
	struct response res;
	const char *route, *cc;
	struct treq t;
	const void *p;
	size_t n;

	assert_int_equal(router_new(&test_cfg, router_features, &r), RC_OK);
	treq_init(&t, qs, NULL);
	t.req.path = path;
	t.req.method = method;
	response_init(&res, t.a);
	router_handle(r, &t.req, &res, &route);
	out->status = res.status;
	p = response_bytes(&res, &n);
	snprintf(out->body, sizeof(out->body), "%.*s", (int)n, (const char *)p);
	cc = response_header_get(&res, "Cache-Control");
	snprintf(out->cc, sizeof(out->cc), "%s", cc != NULL ? cc : "");
	cc = response_header_get(&res, "X-Accel-Expires");
	snprintf(out->accel, sizeof(out->accel), "%s", cc != NULL ? cc : "");
	response_fini(&res);
	treq_fini(&t);
	router_free(r);
}

static void
serve(const char *path, const char *qs, struct served *out)
{
	serve_method(HTTP_GET, path, qs, out);
}

/* A HEAD answer (no body) is marked so that nginx never stores it in
 * place of the GET's; a GET is not. */
static void
test_head_not_stored(void **state)
{
	struct served s;

	(void)state;
	serve_method(HTTP_HEAD, "/x", "limit=100", &s);
	assert_int_equal(s.status, 200);
	assert_string_equal(s.accel, "0");
	serve_method(HTTP_HEAD, "/x", "limit=0", &s);
	assert_int_equal(s.status, 400);
	assert_string_equal(s.accel, "0");
	serve("/x", "limit=100", &s);
	assert_int_equal(s.status, 200);
	assert_string_equal(s.accel, "");
}

static void
test_router_400(void **state)
{
	struct served s, want;
	struct response res;
	struct arena *a = arena_new(4096, 0);
	const void *p;
	size_t n;

	(void)state;
	response_init(&res, a);
	router_error(&res, RC_INVALID);
	want.status = res.status;
	p = response_bytes(&res, &n);
	snprintf(want.body, sizeof(want.body), "%.*s", (int)n, (const char *)p);
	response_fini(&res);
	arena_free(a);

	serve("/x", "limit=0", &s);
	assert_int_equal(s.status, 400);
	assert_int_equal(want.status, 400);
	/* The body names the parameter (issue 16, item 3). */
	assert_string_equal(s.body, "{\"error\":\"invalid_request\",\"param\":\"limit\","
	    "\"message\":\"The parameter limit is not valid.\"}");
	assert_non_null(strstr(s.cc, "no-store"));
	serve("/x", "layout=masonry", &s);
	assert_non_null(strstr(s.body, "\"param\":\"layout\""));
	serve("/h", "hard=bad", &s);
	assert_non_null(strstr(s.body, "\"param\":\"hard\""));
	serve("/h", "hard=no", &s);
	assert_int_equal(s.status, 403);
	/* A soft refusal is the handler's: here it ignores it. */
	serve("/h", "soft=bad", &s);
	assert_int_equal(s.status, 200);
	serve("/x", "limit=100&layout=grid", &s);
	assert_int_equal(s.status, 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_typed_values),
		cmocka_unit_test(test_no_table),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_required_empty),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_soft_hard),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_router_400),
		cmocka_unit_test(test_head_not_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

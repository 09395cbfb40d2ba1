/* oauth_testlib: build an oauth context from config text, with a fake clock
 * and a fake HTTP client, for the oauth/ unit tests. */
#ifndef SOCIALHUB_TESTS_OAUTH_TESTLIB_H
#define SOCIALHUB_TESTS_OAUTH_TESTLIB_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/request_int.h"
#include "fcgi/response_int.h"
#include "oauth/oauth.h"
#include "oauth/oauth_int.h"
#include "tests/unit/tmpdir_fixture.h"

static time_t tl_clock = 1700000000;

static __attribute__((unused)) time_t
tl_now(void)
{
	return tl_clock;
}

/* Fake HTTP: answers by exact URL (query included), counts hits. */
struct tl_route {
	const char *url;
	long status;
	const char *ctype;
	char *body;
	int hits;
};

static struct tl_route tl_routes[16];
static size_t tl_nroutes;
static const struct http_request *tl_last;
static char tl_last_form[8192];
static char tl_last_auth[512];

static __attribute__((unused)) void
tl_route_set(const char *url, long status, const char *ctype, const char *body)
{
	size_t i;

	for (i = 0; i < tl_nroutes; i++)
		if (strcmp(tl_routes[i].url, url) == 0)
			break;
	if (i == tl_nroutes)
		tl_nroutes++;
	free(tl_routes[i].body);
	tl_routes[i].url = url;
	tl_routes[i].status = status;
	tl_routes[i].ctype = ctype;
	tl_routes[i].body = strdup(body);
}

static __attribute__((unused)) int
tl_hits(const char *url)
{
	for (size_t i = 0; i < tl_nroutes; i++)
		if (strcmp(tl_routes[i].url, url) == 0)
			return tl_routes[i].hits;
	return 0;
}

static __attribute__((unused)) void
tl_routes_clear(void)
{
	for (size_t i = 0; i < tl_nroutes; i++)
		free(tl_routes[i].body);
	memset(tl_routes, 0, sizeof(tl_routes));
	tl_nroutes = 0;
}

static __attribute__((unused)) enum rc
tl_perform(void *arg, struct arena *a, const struct http_request *rq,
    struct http_response *rs)
{
	(void)arg;
	tl_last = rq;
	/* The last POST (the token request): its form and Basic credentials. */
	if (rq->form != NULL) {
		snprintf(tl_last_form, sizeof(tl_last_form), "%s", rq->form);
		snprintf(tl_last_auth, sizeof(tl_last_auth), "%s:%s",
		    rq->basic_user ? rq->basic_user : "", rq->basic_pass ? rq->basic_pass : "");
	}
	for (size_t i = 0; i < tl_nroutes; i++) {
		if (strcmp(tl_routes[i].url, rq->url) != 0)
			continue;
		tl_routes[i].hits++;
		rs->status = tl_routes[i].status;
		rs->body = arena_strdup(a, tl_routes[i].body);
		rs->body_len = strlen(tl_routes[i].body);
		rs->content_type = (char *)tl_routes[i].ctype;
		return RC_OK;
	}
	return RC_UPSTREAM;
}

static const struct http_ops tl_http = { tl_perform, NULL };

struct tl_env {
	struct tmpdir tmp;		/* config, state_dir; made by tl_load */
	struct config *cfg;
	struct oauth_ctx *ctx;
	char errors[4096];
};

static const struct feature tl_features[] = {
	OAUTH_FEATURE,
	{ .name = NULL },
};

static __attribute__((unused)) void
tl_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

/*
 * Loads config text (site_url/state_dir added unless given) with stderr
 * captured into env->errors. Returns config_load's rc; on success the
 * oauth context is in env->ctx with the fake clock and HTTP client.
 */
static __attribute__((unused)) enum rc
tl_load(struct tl_env *env, const char *text)
{
	char path[128], errpath[128], full[16384];
	int saved;
	FILE *f;
	size_t n;
	enum rc rc;

	if (env->tmp.path[0] == '\0' && tmpdir_init(&env->tmp, "oauth-unit") != 0)
		abort();
	tmpdir_path(&env->tmp, "t.conf", path, sizeof(path));
	tmpdir_path(&env->tmp, "err.txt", errpath, sizeof(errpath));
	snprintf(full, sizeof(full), "%s%s%s\nstate_dir = \"%s/state\"\n",
	    strstr(text, "site_url") ? "" : "site_url = \"https://www.example.com\"\n",
	    text, "", env->tmp.path);
	tl_write(path, full);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	f = freopen(errpath, "w", stderr);
	if (f == NULL)
		abort();
	rc = config_load(path, tl_features, &env->cfg);
	if (rc == RC_OK)
		rc = oauth_init(env->cfg, (void **)&env->ctx);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(errpath, "r");
	n = fread(env->errors, 1, sizeof(env->errors) - 1, f);
	env->errors[n] = '\0';
	fclose(f);
	if (env->ctx != NULL) {
		env->ctx->now = tl_now;
		env->ctx->http = &tl_http;
	}
	return rc;
}

static __attribute__((unused)) void
tl_unload(struct tl_env *env)
{
	oauth_fini(env->ctx);
	config_free(env->cfg);
	env->ctx = NULL;
	env->cfg = NULL;
	tmpdir_fini(&env->tmp);
}

/* A request built from CGI variables (NULL-terminated name, value pairs). */
struct tl_req {
	char *vars[64];
	size_t n;
	struct request req;
	struct response res;
	struct arena *a;
};

static __attribute__((unused)) void
tl_req_init(struct tl_req *r, const struct config *cfg, const char *method,
    const char *uri, const char *cookie, ...)
{
	va_list ap;
	const char *name;

	memset(r, 0, sizeof(*r));
	r->a = arena_new(65536, 0);
#define TL_ADD(N, V) do { \
		size_t len_ = strlen(N) + strlen(V) + 2; \
		r->vars[r->n] = malloc(len_); \
		snprintf(r->vars[r->n], len_, "%s=%s", (N), (V)); \
		r->n++; \
	} while (0)
	TL_ADD("REQUEST_METHOD", method);
	TL_ADD("REQUEST_URI", uri);
	if (strchr(uri, '?') != NULL)
		TL_ADD("QUERY_STRING", strchr(uri, '?') + 1);
	if (cookie != NULL)
		TL_ADD("HTTP_COOKIE", cookie);
	va_start(ap, cookie);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		TL_ADD(name, value);
	}
	va_end(ap);
#undef TL_ADD
	r->vars[r->n] = NULL;
	if (request_init(&r->req, r->a, cfg, r->vars, NULL, NULL) != RC_OK)
		abort();
	response_init(&r->res, r->a);
}

static __attribute__((unused)) void
tl_req_fini(struct tl_req *r)
{
	response_fini(&r->res);
	arena_free(r->a);
	for (size_t i = 0; i < r->n; i++)
		free(r->vars[i]);
}

/* The n-th Set-Cookie header of the response, or NULL. */
static __attribute__((unused)) const char *
tl_set_cookie(const struct tl_req *r, size_t nth)
{
	for (size_t i = 0; i < r->res.nheaders; i++)
		if (strcasecmp(r->res.headers[i].name, "Set-Cookie") == 0 && nth-- == 0)
			return r->res.headers[i].value;
	return NULL;
}

#endif

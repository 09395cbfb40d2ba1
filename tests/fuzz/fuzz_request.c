/* fuzz_request: the request parser (query, cookies, headers, form body).
 * Input: line 1 = QUERY_STRING, line 2 = Cookie, line 3 = a header value,
 * line 4 = REQUEST_URI, the rest = a form body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/config.h"
#include "fcgi/request_int.h"

struct body {
	const char *p;
	size_t n;
};

static ssize_t
body_read(void *arg, char *p, size_t n)
{
	struct body *b = arg;

	if (n > b->n)
		n = b->n;
	memcpy(p, b->p, n);
	b->p += n;
	b->n -= n;
	return (ssize_t)n;
}

/* Takes the next '\n'-terminated line out of [*p, end) as "NAME=line". */
static char *
take_line(const char **p, const char *end, const char *name)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	size_t nlen = strlen(name);
	char *v = malloc(nlen + n + 2);

	memcpy(v, name, nlen);
	v[nlen] = '=';
	memcpy(v + nlen + 1, *p, n);
	v[nlen + 1 + n] = '\0';
	/* An embedded NUL just ends the variable early, as in a real env. */
	*p += n + (nl != NULL ? 1 : 0);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg = { .mount = "/social" };
	const char *p = (const char *)data, *end = p + size;
	char *env[10], len[32];
	struct arena *a = arena_new(4096, 1 << 20);
	struct request req;
	struct body b;
	size_t n = 0;

	env[n++] = take_line(&p, end, "QUERY_STRING");
	env[n++] = take_line(&p, end, "HTTP_COOKIE");
	env[n++] = take_line(&p, end, "HTTP_USER_AGENT");
	env[n++] = take_line(&p, end, "REQUEST_URI");
	b.p = p;
	b.n = (size_t)(end - p);
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", b.n);
	env[n++] = strdup(len);
	env[n++] = strdup("CONTENT_TYPE=application/x-www-form-urlencoded");
	env[n++] = strdup("REQUEST_METHOD=POST");
	env[n] = NULL;
	if (request_init(&req, a, &cfg, env, body_read, &b) == RC_OK) {
		request_read_form(&req);
		(void)request_query(&req, "a");
		(void)request_cookie(&req, "a");
		(void)request_header(&req, "User-Agent");
	}
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	arena_free(a);
	return 0;
}

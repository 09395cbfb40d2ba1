/* response_int: how the worker builds and writes a response. */
#ifndef SOCIALHUB_FCGI_RESPONSE_INT_H
#define SOCIALHUB_FCGI_RESPONSE_INT_H

#include "fcgi/response.h"
#include "util/arena.h"

#define RESPONSE_HEADERS_MAX 32

struct header {
	char *name;
	char *value;
};

struct response {
	struct arena *arena;
	int status;
	struct header headers[RESPONSE_HEADERS_MAX];
	size_t nheaders;
	struct buf own;      /* body storage when the caller lends none */
	struct buf *body;
	const void *ref;
	size_t reflen;
	bool use_ref;
};

/* A response for one request; headers live in the arena. */
void response_init(struct response *res, struct arena *a);
/* The same, building the body in `body` (cleared), which the caller keeps
 * across requests so a worker does not allocate a body buffer each time. */
void response_init_buf(struct response *res, struct arena *a, struct buf *body);
/* Frees the body storage. */
void response_fini(struct response *res);
/* Drops headers and body (before an error reply replaces them). */
void response_reset(struct response *res);
/* The body bytes (built or referenced). */
const void *response_bytes(const struct response *res, size_t *n);
/* Drops the body but keeps the headers (304, HEAD). */
void response_drop_body(struct response *res);
/* Appends "Status: ...\r\n" + headers + Content-Length + "\r\n" to out. */
enum rc response_head(const struct response *res, struct buf *out);
/* The reason phrase for a status code. */
const char *response_reason(int status);

#endif

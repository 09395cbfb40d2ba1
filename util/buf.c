/* buf: capped, growable, always NUL-terminated buffers. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_fini(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void
buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

enum rc
buf_reserve(struct buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return RC_LIMIT;
	need = b->len + n + 1;
	if (need <= b->cap)
		return RC_OK;
	cap = b->cap > 0 ? b->cap : 256;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return RC_NOMEM;
	b->data = p;
	b->cap = cap;
	return RC_OK;
}

/* The one out-of-line copy of the inline buf_append (C99 6.7.4). */
extern inline enum rc buf_append(struct buf *b, const void *p, size_t n);

enum rc
buf_append_grow(struct buf *b, const void *p, size_t n)
{
	enum rc rc = buf_reserve(b, n);

	if (rc != RC_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return RC_OK;
}

enum rc
buf_appends(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum rc
buf_appendc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

enum rc
buf_vappendf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	enum rc rc;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return RC_INVALID;
	rc = buf_reserve(b, (size_t)n);
	if (rc != RC_OK)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return RC_OK;
}

enum rc
buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum rc rc;

	va_start(ap, fmt);
	rc = buf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
buf_cstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

char *
buf_take(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	if (len != NULL)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}

int
buf_sink(const char *p, size_t n, void *b)
{
	return buf_append(b, p, n) == RC_OK ? 0 : -1;
}

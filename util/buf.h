/* buf: a growable byte buffer with a hard cap; every string is built here. */
#ifndef SOCIALHUB_UTIL_BUF_H
#define SOCIALHUB_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "util/rc.h"

/*
 * Callers own the struct; buf_init/buf_fini manage the heap storage. The
 * contents are always NUL-terminated. An append that would pass `max`
 * fails with RC_LIMIT and leaves the buffer as it was.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);
/* Empties the buffer, keeping its storage. */
void buf_clear(struct buf *b);

/* Makes room for n more bytes (and the NUL) in one allocation; RC_LIMIT
 * past max, RC_NOMEM. */
enum rc buf_reserve(struct buf *b, size_t n);

/* buf_append once the storage must grow (or the append fails); callers
 * use buf_append. */
enum rc buf_append_grow(struct buf *b, const void *p, size_t n);

/* Inline: most appends fit the storage there is (a call per byte of
 * tokenizer output would cost more than the copy). */
inline enum rc
buf_append(struct buf *b, const void *p, size_t n)
{
	if (b->data == NULL || n >= b->cap - b->len || b->len + n > b->max)
		return buf_append_grow(b, p, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return RC_OK;
}
enum rc buf_appends(struct buf *b, const char *s);
enum rc buf_appendc(struct buf *b, char c);
enum rc buf_appendf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum rc buf_vappendf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* A json_dump_callback_t (and jsonw sink) appending to the struct buf
 * `b`: 0, or -1 when the append fails (past max, no memory). */
int buf_sink(const char *p, size_t n, void *b);

/* The NUL-terminated contents ("" for an empty buffer, never NULL). */
const char *buf_cstr(const struct buf *b);
/* Hands the heap storage to the caller (free() it); the buf is emptied. */
char *buf_take(struct buf *b, size_t *len);

#endif

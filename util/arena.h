/* arena: a request-scoped allocator; everything is released at once. */
#ifndef SOCIALHUB_UTIL_ARENA_H
#define SOCIALHUB_UTIL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "util/rc.h"

struct arena;

/*
 * Creates an arena whose first block holds `first_block` bytes. Returns NULL
 * when out of memory. `limit` caps the total bytes it may hand out (0: no
 * cap), so one hostile request cannot take the whole machine. Blocks of
 * 2 MiB and more (the first, or later ones: each is twice the last) are
 * mapped on their own and marked for transparent huge pages.
 */
struct arena *arena_new(size_t first_block, size_t limit);
/* Runs the cleanups, then frees the arena itself. NULL is a no-op. */
void arena_free(struct arena *a);
/* Runs the cleanups (newest first) and forgets every allocation, keeping the
 * first block for the next request, and further blocks up to a few MiB in
 * total for reuse by later allocations (freed by arena_free). */
void arena_reset(struct arena *a);

/* A point to return to: arena_rewind(a, &m) runs the cleanups registered
 * since arena_mark and forgets what was allocated since, so a parse that
 * gives up and starts over another way does not hold its memory twice.
 * Only valid while no reset or earlier rewind has passed the mark. */
struct arena_mark {
	void *head;
	size_t head_used;
	size_t used;
	void *cleanups;
};
struct arena_mark arena_mark(const struct arena *a);
void arena_rewind(struct arena *a, const struct arena_mark *m);

/* n bytes aligned for any type, or NULL (out of memory or over the limit). */
void *arena_alloc(struct arena *a, size_t n);
/* Like arena_alloc, zero-filled; checks count * size for overflow. */
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* Copies of strings; NULL on failure or when s is NULL. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* A formatted string, or NULL. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Registers fn(arg) to run at the next reset or free: how files, curl
 * handles and Jansson values join the request's lifetime. RC_NOMEM if the
 * record cannot be allocated, in which case fn(arg) has run already.
 */
enum rc arena_defer(struct arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out since the last reset (for tests and metrics). */
size_t arena_used(const struct arena *a);

#endif

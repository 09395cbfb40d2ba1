/* arena: bump allocation in chained blocks, with cleanups run on reset. */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hugemem.h"

#define ARENA_ALIGN 16
/* Blocks beyond the first that a reset keeps for reuse, in total bytes:
 * a parser that resets per document then reuses warm pages instead of
 * faulting in fresh ones, while one huge request does not pin its memory. */
#define ARENA_KEEP_MAX ((size_t)8 << 20)

/* Blocks of 2 MiB and more come from hugemem_map: a bump allocator fills
 * them front to back, and in a fresh process (socialhub parse, a refresher
 * pass over a big feed) a fault per 4 KiB page of a big parse costs more
 * than the parse. */
#define ARENA_HUGE HUGEMEM_PAGE

struct block {
	struct block *next;
	size_t size;
	size_t used;
	size_t mapped;  /* bytes mapped with the header, 0: malloc'd */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *arg;
};

struct arena {
	struct block *head;     /* current block, newest first */
	struct block *first;    /* kept across resets */
	struct block *spare;    /* freed blocks kept for reuse */
	size_t spare_bytes;
	struct cleanup *cleanups;
	size_t used;
	size_t limit;
};

static struct block *
block_new(size_t size)
{
	struct block *b = NULL;
	size_t len;

	if (size > SIZE_MAX - sizeof(*b) - ARENA_HUGE)
		return NULL;
	len = sizeof(*b) + size;
	if (len >= ARENA_HUGE) {
		len = hugemem_round(len);
		b = hugemem_map(len);
		if (b != NULL) {
			b->mapped = len;
			size = len - sizeof(*b);
		}
	}
	if (b == NULL) {
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->mapped = 0;
	}
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

static void
block_free(struct block *b)
{
	if (b != NULL && b->mapped > 0)
		hugemem_unmap(b, b->mapped);
	else
		free(b);
}

struct arena *
arena_new(size_t first_block, size_t limit)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->first = block_new(first_block > 0 ? first_block : 4096);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	a->limit = limit;
	return a;
}

/* Runs the cleanups registered after `stop` (NULL: all), newest first. */
static void
run_cleanups(struct arena *a, const struct cleanup *stop)
{
	while (a->cleanups != stop && a->cleanups != NULL) {
		struct cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->arg);
	}
}

/* Blocks newer than `stop` go to the spare list (up to ARENA_KEEP_MAX
 * bytes in all) or back to malloc. */
static void
release_blocks(struct arena *a, const struct block *stop)
{
	while (a->head != stop) {
		struct block *b = a->head;
		a->head = b->next;
		if (b->size <= ARENA_KEEP_MAX - a->spare_bytes) {
			b->next = a->spare;
			a->spare = b;
			a->spare_bytes += b->size;
		} else {
			block_free(b);
		}
	}
}

void
arena_reset(struct arena *a)
{
	if (a == NULL)
		return;
	run_cleanups(a, NULL);
	release_blocks(a, a->first);
	a->first->used = 0;
	a->first->next = NULL;
	a->used = 0;
}

struct arena_mark
arena_mark(const struct arena *a)
{
	struct arena_mark m;

	m.head = a->head;
	m.head_used = a->head->used;
	m.used = a->used;
	m.cleanups = a->cleanups;
	return m;
}

void
arena_rewind(struct arena *a, const struct arena_mark *m)
{
	run_cleanups(a, m->cleanups);
	release_blocks(a, m->head);
	a->head->used = m->head_used;
	a->used = m->used;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	while (a->spare != NULL) {
		struct block *b = a->spare;
		a->spare = b->next;
		block_free(b);
	}
	block_free(a->first);
	free(a);
}

/* A kept block of at least `need` bytes, emptied, or NULL. */
static struct block *
spare_take(struct arena *a, size_t need)
{
	struct block **pp;

	for (pp = &a->spare; *pp != NULL; pp = &(*pp)->next) {
		struct block *b = *pp;
		if (b->size >= need) {
			*pp = b->next;
			a->spare_bytes -= b->size;
			b->next = NULL;
			b->used = 0;
			return b;
		}
	}
	return NULL;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head;
	size_t need;

	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (a->limit != 0 && (need > a->limit || a->used > a->limit - need))
		return NULL;
	if (b->size - b->used < need) {
		size_t size = b->size * 2;
		if (size < need)
			size = need;
		b = spare_take(a, need);
		if (b == NULL)
			b = block_new(size);
		if (b == NULL)
			return NULL;
		b->next = a->head;
		a->head = b;
	}
	a->used += need;
	b->used += need;
	return b->data + b->used - need;
}

void *
arena_calloc(struct arena *a, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t n)
{
	void *p = arena_alloc(a, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL || n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	char *p;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

enum rc
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	if (c == NULL) {
		fn(arg);
		return RC_NOMEM;
	}
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return RC_OK;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}

/* jsonw: a streaming JSON writer with Jansson's dump format (jsonw.h). */
#include "util/jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "util/url.h"

#define JSONW_BLOCK 65536
#define INDENT_MASK 0x1f
#define SUPPORTED (INDENT_MASK | JSON_COMPACT | JSON_ENSURE_ASCII | \
	JSON_ESCAPE_SLASH | JSON_PRESERVE_ORDER)

/* 32 spaces, Jansson's widest indentation step. */
static const char spaces[] = "                                ";

enum rc
jsonw_init(struct jsonw *w, size_t flags, json_dump_callback_t sink, void *arg)
{
	memset(w, 0, sizeof(*w));
	if ((flags & ~(size_t)SUPPORTED) != 0)
		return RC_INVALID;
	w->block = malloc(JSONW_BLOCK);
	if (w->block == NULL)
		return RC_NOMEM;
	w->flags = flags;
	w->sink = sink;
	w->arg = arg;
	return RC_OK;
}

void
jsonw_fini(struct jsonw *w)
{
	free(w->block);
	w->block = NULL;
}

static void
fail(struct jsonw *w, enum rc rc)
{
	if (w->rc == RC_OK)
		w->rc = rc;
}

static void
drain(struct jsonw *w)
{
	if (w->len > 0 && w->rc == RC_OK && w->sink(w->block, w->len, w->arg) != 0)
		fail(w, RC_IO);
	w->len = 0;
}

enum rc
jsonw_flush(struct jsonw *w)
{
	drain(w);
	return w->rc;
}

/* Appends p[0..n): into the block, or straight to the sink when it is
 * bigger than a block. */
static void
put(struct jsonw *w, const char *p, size_t n)
{
	if (n <= JSONW_BLOCK - w->len) {
		memcpy(w->block + w->len, p, n);
		w->len += n;
		return;
	}
	drain(w);
	if (n <= JSONW_BLOCK) {
		memcpy(w->block, p, n);
		w->len = n;
	} else if (w->rc == RC_OK && w->sink(p, n, w->arg) != 0) {
		fail(w, RC_IO);
	}
}

static void
putc1(struct jsonw *w, char c)
{
	if (w->len == JSONW_BLOCK)
		drain(w);
	w->block[w->len++] = c;
}

/* dump_indent(): a line break and depth steps of indentation, else one
 * space between members unless JSON_COMPACT. */
static void
indent(struct jsonw *w, unsigned depth, bool space)
{
	size_t step = w->flags & INDENT_MASK, n = depth * step;

	if (step > 0) {
		putc1(w, '\n');
		while (n > 0) {
			size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
			put(w, spaces, k);
			n -= k;
		}
	} else if (space && !(w->flags & JSON_COMPACT)) {
		putc1(w, ' ');
	}
}

/* ---- strings ---- */

static const char hexdig[] = "0123456789ABCDEF";

static void
put_u(struct jsonw *w, unsigned v)
{
	char seq[6] = { '\\', 'u', hexdig[(v >> 12) & 15], hexdig[(v >> 8) & 15],
	    hexdig[(v >> 4) & 15], hexdig[v & 15] };

	put(w, seq, sizeof(seq));
}

/* The escape of the character at s (n bytes, valid UTF-8), as dump_string
 * writes it; returns its length in bytes. */
static size_t
put_escape(struct jsonw *w, const unsigned char *s, size_t n)
{
	static const char short_esc[32] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	};
	size_t len;
	uint32_t cp;

	if (s[0] < 0x20) {
		if (short_esc[s[0]] != 0) {
			char e[2] = { '\\', short_esc[s[0]] };
			put(w, e, 2);
		} else {
			put_u(w, s[0]);
		}
		return 1;
	}
	if (s[0] < 0x80) { /* " \ / */
		char e[2] = { '\\', (char)s[0] };
		put(w, e, 2);
		return 1;
	}
	len = utf8_seqlen((const char *)s, n);
	cp = s[0] & (0xff >> (len + 1));
	for (size_t k = 1; k < len; k++)
		cp = (cp << 6) | (s[k] & 0x3f);
	if (cp < 0x10000) {
		put_u(w, cp);
	} else {
		cp -= 0x10000;
		put_u(w, 0xd800 | (cp >> 10));
		put_u(w, 0xdc00 | (cp & 0x3ff));
	}
	return len;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Bit 7 of each byte of x that needs an escape under flags (the lowest
 * one set is exact; bytes above it may be flagged wrongly). */
static uint64_t
stops(uint64_t x, size_t flags)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\'), m;

	m = ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b);
	if (flags & JSON_ESCAPE_SLASH) {
		uint64_t s = x ^ (ONES * '/');
		m |= (s - ONES) & ~s;
	}
	if (flags & JSON_ENSURE_ASCII)
		m |= x;
	return m & HIGHS;
}

static bool
needs_escape(unsigned char c, size_t flags)
{
	return c < 0x20 || c == '"' || c == '\\' ||
	    (c == '/' && (flags & JSON_ESCAPE_SLASH)) ||
	    (c >= 0x80 && (flags & JSON_ENSURE_ASCII));
}

/* dump_string() of s[0..n), which is valid UTF-8: runs without escapes
 * are copied whole, found a word at a time. */
static void
put_string(struct jsonw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;

	putc1(w, '"');
	while (p < end) {
		uint64_t x, m;
		if (end - p >= 8) {
			memcpy(&x, p, 8);
			if ((m = stops(x, w->flags)) == 0) {
				p += 8;
				continue;
			}
			p += __builtin_ctzll(m) / 8;
		}
		if (!needs_escape(*p, w->flags)) {
			p++;
			continue;
		}
		put(w, (const char *)run, (size_t)(p - run));
		p += put_escape(w, p, (size_t)(end - p));
		run = p;
	}
	put(w, (const char *)run, (size_t)(p - run));
	putc1(w, '"');
}

/* ---- structure ---- */

static bool
in_obj(const struct jsonw *w)
{
	return w->depth > 0 && (w->is_obj >> (w->depth - 1) & 1);
}

/* Before a key (in an object) or a value (in an array): the separator
 * and indentation of do_dump's member loop. */
static void
member(struct jsonw *w)
{
	uint64_t bit = 1ULL << (w->depth - 1);

	if (w->has_member & bit) {
		putc1(w, ',');
		indent(w, w->depth, true);
	} else {
		w->has_member |= bit;
		indent(w, w->depth, false);
	}
}

/* Before any value: false (and the writer failed) when none may come. */
static bool
value_start(struct jsonw *w, bool container)
{
	if (w->rc != RC_OK)
		return false;
	if (w->done || (w->depth == 0 && !container) ||
	    (in_obj(w) && !w->want_value)) {
		fail(w, RC_INVALID);
		return false;
	}
	if (w->want_value)
		w->want_value = false;
	else if (w->depth > 0)
		member(w);
	return true;
}

static void
open_container(struct jsonw *w, bool obj)
{
	uint64_t bit;

	if (!value_start(w, true))
		return;
	if (w->depth == JSONW_MAX_DEPTH) {
		fail(w, RC_LIMIT);
		return;
	}
	bit = 1ULL << w->depth;
	w->depth++;
	w->has_member &= ~bit;
	if (obj)
		w->is_obj |= bit;
	else
		w->is_obj &= ~bit;
	putc1(w, obj ? '{' : '[');
}

static void
close_container(struct jsonw *w, bool obj)
{
	uint64_t bit;

	if (w->rc != RC_OK)
		return;
	if (w->depth == 0 || in_obj(w) != obj || w->want_value) {
		fail(w, RC_INVALID);
		return;
	}
	bit = 1ULL << (w->depth - 1);
	w->depth--;
	if (w->has_member & bit)
		indent(w, w->depth, false);
	putc1(w, obj ? '}' : ']');
	if (w->depth == 0)
		w->done = true;
}

void
jsonw_obj_begin(struct jsonw *w)
{
	open_container(w, true);
}

void
jsonw_obj_end(struct jsonw *w)
{
	close_container(w, true);
}

void
jsonw_arr_begin(struct jsonw *w)
{
	open_container(w, false);
}

void
jsonw_arr_end(struct jsonw *w)
{
	close_container(w, false);
}

void
jsonw_key(struct jsonw *w, const char *s, size_t n)
{
	if (w->rc != RC_OK)
		return;
	if (!in_obj(w) || w->want_value || !utf8_valid(s, n)) {
		fail(w, RC_INVALID);
		return;
	}
	member(w);
	put_string(w, s, n);
	if (w->flags & JSON_COMPACT)
		putc1(w, ':');
	else
		put(w, ": ", 2);
	w->want_value = true;
}

bool
jsonw_str(struct jsonw *w, const char *s, size_t n)
{
	if (!utf8_valid(s, n))
		return false;
	if (value_start(w, false))
		put_string(w, s, n);
	return true;
}

bool
jsonw_key_str(struct jsonw *w, const char *key, const char *s, size_t n)
{
	if (!utf8_valid(s, n))
		return false;
	jsonw_key(w, key, strlen(key));
	if (value_start(w, false))
		put_string(w, s, n);
	return true;
}

void
jsonw_int(struct jsonw *w, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	if (!value_start(w, false))
		return;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(d + sizeof(d) - p));
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	if (value_start(w, false))
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jsonw_null(struct jsonw *w)
{
	if (value_start(w, false))
		put(w, "null", 4);
}

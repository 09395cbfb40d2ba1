/* jsonw: a streaming JSON writer with Jansson's dump format (jsonw.h). */
#include "util/jsonw.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/url.h"

#define INDENT_MASK 0x1f
#define SUPPORTED (INDENT_MASK | JSON_COMPACT | JSON_ENSURE_ASCII | \
	JSON_ESCAPE_SLASH | JSON_PRESERVE_ORDER)

/* 32 spaces, Jansson's widest indentation step. */
static const char spaces[] = "                                ";

enum rc
jsonw_init_block(struct jsonw *w, size_t flags, json_dump_callback_t sink,
    void *arg, char *block)
{
	memset(w, 0, sizeof(*w));
	if ((flags & ~(size_t)SUPPORTED) != 0)
		return RC_INVALID;
	if (block == NULL)
		return RC_NOMEM;
	w->block = block;
	w->flags = flags;
	w->sink = sink;
	w->arg = arg;
	return RC_OK;
}

enum rc
jsonw_init(struct jsonw *w, size_t flags, json_dump_callback_t sink, void *arg)
{
	enum rc rc;

	if ((flags & ~(size_t)SUPPORTED) != 0) {
		memset(w, 0, sizeof(*w));
		return RC_INVALID;
	}
	rc = jsonw_init_block(w, flags, sink, arg, malloc(JSONW_BLOCK));
	w->block_owned = rc == RC_OK;
	return rc;
}

void
jsonw_utf8_known(struct jsonw *w)
{
	w->utf8_known = true;
}

void
jsonw_fini(struct jsonw *w)
{
	if (w->block_owned)
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

/* Strings up to this long are written in one pass that also checks their
 * UTF-8, into room kept free in the block (at most 6 bytes of output a
 * byte of input), so a string that turns out not to be UTF-8 can be taken
 * back; longer ones are checked first, then written a piece at a time. */
#define JSONW_CHUNK 8192

static const char hexdig[] = "0123456789ABCDEF";

static char *
esc_u(char *o, unsigned v)
{
	o[0] = '\\';
	o[1] = 'u';
	o[2] = hexdig[(v >> 12) & 15];
	o[3] = hexdig[(v >> 8) & 15];
	o[4] = hexdig[(v >> 4) & 15];
	o[5] = hexdig[v & 15];
	return o + 6;
}

/* The escape of the character p[0..len) (valid UTF-8) as dump_string
 * writes it, at o; returns its end. */
static char *
esc_char(char *o, const unsigned char *p, size_t len)
{
	static const char short_esc[32] = {
		['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	};
	uint32_t cp;
	size_t k;

	if (p[0] < 0x20 && short_esc[p[0]] != 0) {
		o[0] = '\\';
		o[1] = short_esc[p[0]];
		return o + 2;
	}
	if (p[0] < 0x20)
		return esc_u(o, p[0]);
	if (p[0] < 0x80) { /* " \ / */
		o[0] = '\\';
		o[1] = (char)p[0];
		return o + 2;
	}
	cp = p[0] & (0xff >> (len + 1));
	for (k = 1; k < len; k++)
		cp = (cp << 6) | (p[k] & 0x3f);
	if (cp < 0x10000)
		return esc_u(o, cp);
	cp -= 0x10000;
	o = esc_u(o, 0xd800 | (cp >> 10));
	return esc_u(o, 0xdc00 | (cp & 0x3ff));
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Bit 7 of each byte of x to look at: one that needs an escape under
 * flags, or a non-ASCII one (its UTF-8 is checked). The lowest one set is
 * exact; bytes above it may be flagged wrongly. */
static uint64_t
stops(uint64_t x, size_t flags)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\'), m;

	m = ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b) | x;
	if (flags & JSON_ESCAPE_SLASH) {
		uint64_t s = x ^ (ONES * '/');
		m |= (s - ONES) & ~s;
	}
	return m & HIGHS;
}

static bool
needs_escape(unsigned char c, size_t flags)
{
	return c < 0x20 || c == '"' || c == '\\' ||
	    (c == '/' && (flags & JSON_ESCAPE_SLASH));
}

#ifdef __SSE2__
/* Bit i set where byte i of v needs an escape under flags (ASCII only:
 * the text is known to be UTF-8, whose other bytes are written as they
 * are). */
static unsigned
escapes16(__m128i v, size_t flags)
{
	const __m128i ctl = _mm_set1_epi8(0x1f);
	__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

	/* v <= 0x1f, unsigned: max(v, 0x1f) is 0x1f */
	m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
	if (flags & JSON_ESCAPE_SLASH)
		m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/*
 * s[0..n), known to be UTF-8, as dump_string() writes it without
 * JSON_ENSURE_ASCII, at the end of the block (room for 6 * n bytes): 16
 * bytes stored at a time, the output advanced past those that need no
 * escape. With at least 16 bytes left to read there are 96 bytes of room,
 * so a whole store always fits.
 */
static void
put_utf8(struct jsonw *w, const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *end = s + n;
	char *o = w->block + w->len;

#ifdef __SSE2__
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = escapes16(v, w->flags), k;
		_mm_storeu_si128((__m128i *)(void *)o, v);
		if (m == 0) {
			p += 16;
			o += 16;
			continue;
		}
		k = (unsigned)__builtin_ctz(m);
		o = esc_char(o + k, p + k, 1);
		p += k + 1;
	}
#endif
	for (; p < end; p++) {
		if (needs_escape(*p, w->flags))
			o = esc_char(o, p, 1);
		else
			*o++ = (char)*p;
	}
	w->len = (size_t)(o - w->block);
}

/*
 * The characters of s[0..n) as dump_string() writes them, at the end of
 * the block, which has room for 6 * n bytes. False when s is not UTF-8
 * (what was written is the caller's to take back). Without
 * JSON_ENSURE_ASCII the UTF-8 is checked first (utf8_valid, a vector pass
 * on long strings; not again when the caller did: `checked`) and only
 * ASCII escapes stop the copy; with it, runs without escapes are found a
 * word at a time and each other character is checked and escaped as it
 * comes.
 */
static bool
put_chars(struct jsonw *w, const unsigned char *s, size_t n, bool checked)
{
	const unsigned char *p = s, *end = s + n, *run = s;
	char *o = w->block + w->len;
	size_t len;

	if (!(w->flags & JSON_ENSURE_ASCII)) {
		if (!checked && !utf8_valid((const char *)s, n))
			return false;
		put_utf8(w, s, n);
		return true;
	}
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
		if (*p >= 0x80) {
			len = utf8_seqlen((const char *)p, (size_t)(end - p));
			if (len == 0)
				return false;
		} else if (needs_escape(*p, w->flags)) {
			len = 1;
		} else {
			p++;
			continue;
		}
		memcpy(o, run, (size_t)(p - run));
		o = esc_char(o + (p - run), p, len);
		p += len;
		run = p;
	}
	memcpy(o, run, (size_t)(p - run));
	w->len = (size_t)(o + (p - run) - w->block);
	return true;
}

/* Room for n more bytes in the block (n <= JSONW_BLOCK). */
static void
reserve(struct jsonw *w, size_t n)
{
	if (JSONW_BLOCK - w->len < n)
		drain(w);
}

/* dump_string() of s[0..n); false when it is not UTF-8 (`checked`: the
 * caller found it is, as for any longer than JSONW_CHUNK). */
static bool
put_string(struct jsonw *w, const char *s, size_t n, bool checked)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	putc1(w, '"');
	while ((size_t)(end - p) > JSONW_CHUNK) {
		size_t k = JSONW_CHUNK;
		while ((p[k] & 0xc0) == 0x80) /* not inside a character */
			k--;
		reserve(w, 6 * k);
		if (!put_chars(w, p, k, checked))
			return false;
		p += k;
	}
	reserve(w, 6 * (size_t)(end - p) + 1);
	if (!put_chars(w, p, (size_t)(end - p), checked))
		return false;
	w->block[w->len++] = '"';
	return true;
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
	if (!in_obj(w) || w->want_value ||
	    (!w->utf8_known && !utf8_valid(s, n))) {
		fail(w, RC_INVALID);
		return;
	}
	member(w);
	put_string(w, s, n, true);
	if (w->flags & JSON_COMPACT)
		putc1(w, ':');
	else
		put(w, ": ", 2);
	w->want_value = true;
}

/* A string member (key not NULL) or item, or nothing at all when s is not
 * UTF-8: a short one is written as it is checked, the whole member inside
 * the block, and taken back with its separator when the check fails; a
 * long one is checked first; one known to be UTF-8 is not checked. */
static bool
str_value(struct jsonw *w, const char *key, const char *s, size_t n)
{
	size_t klen = key != NULL ? strlen(key) : 0, mark;
	uint64_t had = w->has_member;
	bool checked = w->utf8_known || n > JSONW_CHUNK || klen > 1024;

	if (w->rc != RC_OK)
		return w->utf8_known || utf8_valid(s, n);
	if (!checked) {
		/* string, key, quotes, separators, indentation (64 levels of
		 * 31 spaces): at most 6 * 8 KiB + 6 KiB + 2 KiB of the 64 */
		reserve(w, 6 * n + 6 * klen + 2048);
	} else if (!w->utf8_known && !utf8_valid(s, n)) {
		return false;
	}
	mark = w->len;
	if (key != NULL)
		jsonw_key(w, key, klen);
	if (!value_start(w, false))
		return w->utf8_known || utf8_valid(s, n);
	if (put_string(w, s, n, checked))
		return true;
	w->len = mark;
	w->has_member = had;
	return false;
}

bool
jsonw_str(struct jsonw *w, const char *s, size_t n)
{
	return str_value(w, NULL, s, n);
}

bool
jsonw_key_str(struct jsonw *w, const char *key, const char *s, size_t n)
{
	return str_value(w, key, s, n);
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

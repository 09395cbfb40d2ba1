/* bytevec: 16 bytes at a time (the compiler's vector extension: SSE2 or
 * NEON code, scalar elsewhere) for the text scanners of htmltok and
 * sanitize. */
#ifndef SOCIALHUB_WIDGETS_BYTEVEC_H
#define SOCIALHUB_WIDGETS_BYTEVEC_H

#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef unsigned char bytevec __attribute__((vector_size(16)));
/* What comparing two bytevecs gives: -1 where true, 0 where false. */
typedef signed char bytevec_mask __attribute__((vector_size(16)));

/* p[0..16): the caller makes sure all 16 bytes are in its buffer. */
static inline bytevec
bytevec_load(const void *p)
{
	bytevec v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The bytes >= 0x80 (non-ASCII). */
static inline bytevec_mask
bytevec_high(bytevec v)
{
	return (bytevec_mask)v < 0;
}

/* Bit i set when byte i of m is set; 0 when none is. */
static inline unsigned
bytevec_bits(bytevec_mask m)
{
#ifdef __SSE2__
	return (unsigned)_mm_movemask_epi8((__m128i)m);
#else
	unsigned bits = 0, i;

	for (i = 0; i < sizeof(m); i++)
		bits |= (unsigned)(m[i] & 1) << i;
	return bits;
#endif
}

/* The index of the first byte set in bits (bits != 0). */
static inline unsigned
bytevec_first(unsigned bits)
{
	return (unsigned)__builtin_ctz(bits);
}

/*
 * The length of the longest prefix of s[0..n) whose bytes all have
 * tbl[byte] == 0, read 16 at a time while 16 are left. stops(v) marks at
 * least every byte whose entry is not 0; what it marks beyond those is
 * looked up and passed. Meant to be inlined with a constant stops.
 */
static inline size_t
bytevec_span(const unsigned char *s, size_t n, const unsigned char *tbl,
    bytevec_mask (*stops)(bytevec))
{
	size_t i = 0;

	while (n - i >= 16) {
		unsigned bits = bytevec_bits(stops(bytevec_load(s + i)));
		if (bits == 0) {
			i += 16;
			continue;
		}
		i += bytevec_first(bits);
		if (tbl[s[i]] != 0)
			return i;
		i++;
	}
	while (i < n && tbl[s[i]] == 0)
		i++;
	return i;
}

#endif

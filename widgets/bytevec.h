/* bytevec: 16 bytes at a time (the compiler's vector extension: SSE2 or
 * NEON code, scalar elsewhere) for the text scanners of htmltok and
 * sanitize. */
#ifndef SOCIALHUB_WIDGETS_BYTEVEC_H
#define SOCIALHUB_WIDGETS_BYTEVEC_H

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

#endif

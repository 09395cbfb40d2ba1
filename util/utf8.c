/* utf8: UTF-8 encoding, validation and display-safe copies. */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

size_t
utf8_encode(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
utf8_seqlen(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0x80)
		return 1;
	/* The second byte's range rules out overlongs (E0, F0), surrogates
	 * (ED) and code points past U+10FFFF (F4): RFC 3629's table. */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 2; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/* The portable check: a word at a time through ASCII runs. */
static bool
valid_scalar(const char *s, size_t n)
{
	size_t i = 0, k;
	uint64_t w;

	while (i < n) {
		/* Mostly ASCII text (feeds, URLs): a word at a time. */
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		while (i < n && (unsigned char)s[i] < 0x80)
			i++;
		if (i >= n)
			break;
		if ((k = utf8_seqlen(s + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_UTF8_AVX2 1

/*
 * The AVX2 check: Keiser and Lemire's "lookup" algorithm ("Validating
 * UTF-8 In Less Than One Instruction Per Byte", Software: Practice and
 * Experience, 2021). Every pair of adjacent bytes is classified by three
 * 16-entry tables (the high nibble of the first byte, its low nibble, the
 * high nibble of the second); a bit left set in all three names an error
 * the pair shows. A continuation that a lead byte two or three places
 * back requires is checked apart, and what a block leaves unfinished
 * must be finished by the next.
 */
#define U8_TOO_SHORT (1 << 0)   /* lead, then no continuation */
#define U8_TOO_LONG (1 << 1)    /* ASCII, then a continuation */
#define U8_OVERLONG_3 (1 << 2)  /* E0 80..9F */
#define U8_TOO_LARGE (1 << 3)   /* F4 90..BF, F5..FF */
#define U8_SURROGATE (1 << 4)   /* ED A0..BF */
#define U8_OVERLONG_2 (1 << 5)  /* C0, C1 */
#define U8_TOO_LARGE_1000 (1 << 6) /* F5..FF 80..8F */
#define U8_OVERLONG_4 (1 << 6)  /* F0 80..8F */
#define U8_TWO_CONTS (1 << 7)   /* continuation, continuation */
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)

#define U8_TABLE(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) \
	_mm256_setr_epi8(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, \
	    a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)

/* Bytes of `cur` shifted by k (1 to 3) places, the gap filled from the end
 * of `prev`: each byte's k-th predecessor. */
#define U8_PREV(cur, prev, k) _mm256_alignr_epi8((cur), \
	_mm256_permute2x128_si256((prev), (cur), 0x21), 16 - (k))

__attribute__((target("avx2"), always_inline)) static inline __m256i
block_errors(__m256i cur, __m256i prev)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f);
	__m256i prev1 = U8_PREV(cur, prev, 1), b1h, b1l, b2h, must, third,
	    fourth;

	b1h = _mm256_shuffle_epi8(U8_TABLE(
	    U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
	    U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
	    U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
	    U8_TOO_SHORT | U8_OVERLONG_2,
	    U8_TOO_SHORT,
	    U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
	    U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4),
	    _mm256_and_si256(_mm256_srli_epi16(prev1, 4), lo4));
	b1l = _mm256_shuffle_epi8(U8_TABLE(
	    U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4,
	    U8_CARRY | U8_OVERLONG_2,
	    U8_CARRY,
	    U8_CARRY,
	    U8_CARRY | U8_TOO_LARGE,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000,
	    U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
	    _mm256_and_si256(prev1, lo4));
	b2h = _mm256_shuffle_epi8(U8_TABLE(
	    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
	    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |
	    U8_TOO_LARGE_1000 | U8_OVERLONG_4,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |
	    U8_TOO_LARGE,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE |
	    U8_TOO_LARGE,
	    U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE |
	    U8_TOO_LARGE,
	    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT),
	    _mm256_and_si256(_mm256_srli_epi16(cur, 4), lo4));
	/* A byte two places after E0..FF or three after F0..FF must be a
	 * continuation: there the tables leave exactly TWO_CONTS (bit 7). */
	third = _mm256_subs_epu8(U8_PREV(cur, prev, 2),
	    _mm256_set1_epi8((char)(0xe0 - 0x80)));
	fourth = _mm256_subs_epu8(U8_PREV(cur, prev, 3),
	    _mm256_set1_epi8((char)(0xf0 - 0x80)));
	must = _mm256_and_si256(_mm256_or_si256(third, fourth),
	    _mm256_set1_epi8((char)0x80));
	return _mm256_xor_si256(must,
	    _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h));
}

/* Non-zero where the block ends inside a sequence: a lead byte among its
 * last three that the block has no room to finish. */
__attribute__((target("avx2"), always_inline)) static inline __m256i
block_unfinished(__m256i cur)
{
	const __m256i max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1,
	    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	    -1, -1, -1, -1, -1, (char)(0xf0 - 1), (char)(0xe0 - 1),
	    (char)(0xc0 - 1));

	return _mm256_subs_epu8(cur, max);
}

/* n >= 64: whole blocks, then the last 32 bytes (read again where they
 * overlap the last whole block, each byte against its real predecessors,
 * so no padding is needed). */
__attribute__((target("avx2"))) static bool
valid_avx2(const char *s, size_t n)
{
	__m256i prev = _mm256_setzero_si256(), err = prev, unfinished = prev,
	    cur;
	size_t i;

	for (i = 0; n - i >= 32; i += 32) {
		cur = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
		if (_mm256_movemask_epi8(cur) == 0) {
			err = _mm256_or_si256(err, unfinished);
			unfinished = _mm256_setzero_si256();
		} else {
			err = _mm256_or_si256(err, block_errors(cur, prev));
			unfinished = block_unfinished(cur);
		}
		prev = cur;
		/* Errors are rare: look now and then, not per block. */
		if ((i & 1023) == 1023 - 31 && !_mm256_testz_si256(err, err))
			return false;
	}
	if (i < n) {
		prev = _mm256_loadu_si256((const __m256i *)(const void *)
		    (s + n - 64));
		cur = _mm256_loadu_si256((const __m256i *)(const void *)
		    (s + n - 32));
		err = _mm256_or_si256(err, block_errors(cur, prev));
		unfinished = block_unfinished(cur);
	}
	/* A sequence left open at the very end. */
	err = _mm256_or_si256(err, unfinished);
	return _mm256_testz_si256(err, err);
}
#endif

/* Below this many bytes the scalar check wins (no setup, and most
 * strings checked one by one are short). */
#define UTF8_VECTOR_MIN 64

bool
utf8_valid(const char *s, size_t n)
{
#ifdef HAVE_UTF8_AVX2
	if (n >= UTF8_VECTOR_MIN && __builtin_cpu_supports("avx2"))
		return valid_avx2(s, n);
#endif
	return valid_scalar(s, n);
}

/* The code point of the well-formed sequence s[0..len). */
static uint32_t
utf8_decode_one(const unsigned char *s, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_mask[len];

	for (size_t k = 1; k < len; k++)
		cp = (cp << 6) | (s[k] & 0x3f);
	return cp;
}

/* Invisible or reordering: controls, separators, bidi formatting. */
static bool
display_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c ||
	    cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xfeff;
}

enum rc
utf8_append_display(struct buf *b, const char *s, size_t n)
{
	enum rc rc = RC_OK;
	size_t i = 0, k;

	while (i < n && rc == RC_OK) {
		k = utf8_seqlen(s + i, n - i);
		if (k == 0) {
			rc = buf_appendc(b, '?');
			i++;
			continue;
		}
		if (!display_unsafe(utf8_decode_one((const unsigned char *)s + i, k)))
			rc = buf_append(b, s + i, k);
		i += k;
	}
	return rc;
}

/* utf8: UTF-8 encoding, validation and display-safe copies. */
#ifndef SOCIALHUB_UTIL_UTF8_H
#define SOCIALHUB_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/rc.h"

/* Writes the UTF-8 form of code point cp (a Unicode scalar value) into
 * d, which has room for 4 bytes; returns the number of bytes written. */
size_t utf8_encode(char *d, uint32_t cp);

/*
 * True when s[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF). Long inputs are checked 32 bytes
 * at a time where the CPU has AVX2: a feed's text is validated once, at
 * a small fraction of what parsing it costs, so that later passes may
 * take it as valid.
 */
bool utf8_valid(const char *s, size_t n);

/* The length (1 to 4) of the well-formed UTF-8 sequence at s, of which
 * n > 0 bytes are readable, or 0 when it is not one. */
size_t utf8_seqlen(const char *s, size_t n);

/*
 * Appends s[0..n) as display text safe for an HTTP header or a log line:
 * C0 controls, DEL, C1 controls (U+0080-U+009F), the line and paragraph
 * separators (U+2028, U+2029), the bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069) and U+FEFF are dropped; a byte that does not start
 * well-formed UTF-8 becomes '?'. What is left is printable UTF-8 that
 * cannot split a header, nor reorder what a reader sees.
 */
enum rc utf8_append_display(struct buf *b, const char *s, size_t n);


#endif

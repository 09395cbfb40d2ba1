/* urlres: RFC 3986 reference resolution (relative URLs made absolute). */
#ifndef SOCIALHUB_UTIL_URLRES_H
#define SOCIALHUB_UTIL_URLRES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

/* A URI reference split per RFC 3986 appendix B; views into the input. */
struct urlres_parts {
	const char *scheme, *authority, *path, *query, *fragment;
	size_t scheme_len, authority_len, path_len, query_len, fragment_len;
	bool has_scheme, has_authority, has_query, has_fragment;
};

/* Splits s[0..n) (never fails: every string is some URI reference). */
void urlres_split(const char *s, size_t n, struct urlres_parts *p);

/*
 * Writes the lower-cased scheme of s into out (NUL-terminated, at most
 * outsz - 1 bytes) after the clean-up browsers apply (see urlres_clean).
 * False when s is relative or the scheme is longer than outsz - 1.
 */
bool urlres_scheme(const char *s, char *out, size_t outsz);

/*
 * What a browser does before reading a URL: trims leading and trailing C0
 * controls and spaces and removes every tab, CR and LF. Returns an arena
 * copy, or NULL on no memory.
 */
char *urlres_clean(struct arena *a, const char *s);

/*
 * Appends remove_dot_segments(path[0..n)) (RFC 3986 5.2.4) to out, which
 * must have room for n bytes; returns the bytes written (never more than
 * n, and no NUL is written).
 */
size_t urlres_remove_dot_segments(const char *path, size_t n, char *out);

/*
 * Resolves `ref` against `base` (RFC 3986 5.2.2) after cleaning both (and,
 * for http/https, reading '\' as '/', as browsers do). When base is NULL or
 * not absolute, the cleaned ref is returned as it is (a relative ref stays
 * relative). The scheme comes out lower-case. Returns an arena string, or
 * NULL on no memory or when ref is NULL.
 */
char *urlres_resolve(struct arena *a, const char *base, const char *ref);

/* True when s (after cleaning) has a scheme, i.e. is an absolute URI. */
bool urlres_is_absolute(const char *s);

#endif

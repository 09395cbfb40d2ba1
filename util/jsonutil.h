/* jsonutil: typed reads of Jansson object members into an arena, and the
 * matching writes. */
#ifndef SOCIALHUB_UTIL_JSONUTIL_H
#define SOCIALHUB_UTIL_JSONUTIL_H

#include <jansson.h>

#include "util/arena.h"
#include "util/rc.h"

/* What jsonutil_str makes of a member that is not a non-empty string (and
 * JSONUTIL_NONEMPTY, what jsonutil_set_str leaves out). */
enum {
	/* "" reads as absent: documents where an empty value means "not
	 * given" (feeds, provider profiles). */
	JSONUTIL_NONEMPTY = 1 << 0,
	/* A member of another type (null too) is an error, RC_INVALID; without
	 * this flag it reads as absent. For documents we wrote ourselves. */
	JSONUTIL_TYPED = 1 << 1,
	/* An absent member is an error, RC_INVALID. */
	JSONUTIL_REQUIRED = 1 << 2,
};

/*
 * The string member `key` of object o (NULL or not an object: no member)
 * as an arena copy, or NULL when there is none to copy: the member is
 * absent, of another type or, with JSONUTIL_NONEMPTY, "". Copies up to the
 * first NUL, as json_string_value gives it.
 * When err is not NULL and still RC_OK, a NULL return that the flags make
 * an error sets it: RC_INVALID (see the flags) or RC_NOMEM (the copy
 * failed). So one err collects the first failure of several reads; NULL
 * takes none of them as a failure.
 */
char *jsonutil_str(struct arena *a, const json_t *o, const char *key,
    unsigned flags, enum rc *err);

/*
 * Sets member `key` of object o to the string v. NULL is written as JSON
 * null, or with JSONUTIL_NONEMPTY left out, as "" is then too. RC_INVALID
 * when v is not UTF-8 or o is not an object (the member is then not set).
 */
enum rc jsonutil_set_str(json_t *o, const char *key, const char *v, unsigned flags);

/* The integer member `key` of object o, or 0 when it is absent or of
 * another type (a real included). */
long long jsonutil_int(const json_t *o, const char *key);

#endif

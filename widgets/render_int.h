/* render_int: helpers private to the render_*.c files. */
#ifndef SOCIALHUB_WIDGETS_RENDER_INT_H
#define SOCIALHUB_WIDGETS_RENDER_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/rc.h"

/* Appends j as compact JSON and a newline; on failure `out` is left as it
 * was. Does not take the reference. */
enum rc render_dump_json(struct buf *out, const json_t *j);

/* Sets key to a string when s is not NULL/empty; false on no memory. */
bool render_json_set_str(json_t *o, const char *key, const char *s);
/* Sets key to t as RFC 3339 UTC; false on no memory. */
bool render_json_set_date(json_t *o, const char *key, long long t);

#endif

/* render_int: helpers private to the render_*.c files. */
#ifndef SOCIALHUB_WIDGETS_RENDER_INT_H
#define SOCIALHUB_WIDGETS_RENDER_INT_H

#include <jansson.h>

#include "util/buf.h"
#include "util/rc.h"

/* Appends j as compact JSON and a newline; on failure `out` is left as it
 * was. Does not take the reference. */
enum rc render_dump_json(struct buf *out, const json_t *j);

#endif

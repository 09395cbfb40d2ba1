/* render_formats: the four renderers, one file each; render_page_as
 * (render.c) dispatches to them. */
#ifndef SOCIALHUB_WIDGETS_RENDER_FORMATS_H
#define SOCIALHUB_WIDGETS_RENDER_FORMATS_H

#include "util/buf.h"
#include "util/rc.h"
#include "widgets/render_types.h"

/*
 * Each renderer appends one page to `out`. They are pure: no clock, no
 * I/O. Text is escaped for its context here; content_html is emitted as
 * render_prepare left it. RC_LIMIT when `out` is full, RC_NOMEM.
 */
enum rc render_json(struct buf *out, const struct render_page *p);
enum rc render_as2(struct buf *out, const struct render_page *p);
enum rc render_atom(struct buf *out, const struct render_page *p);
enum rc render_html(struct buf *out, const struct render_page *p);

#endif

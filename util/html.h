/* html: escaping by output context, applied at render time. */
#ifndef SOCIALHUB_UTIL_HTML_H
#define SOCIALHUB_UTIL_HTML_H

#include <stddef.h>

#include "util/buf.h"
#include "util/rc.h"

/* Escapes & < > for HTML text content. */
enum rc html_text(struct buf *b, const char *s);
/* Escapes & < > " ' for a double- or single-quoted attribute value. */
enum rc html_attr(struct buf *b, const char *s);
/* Escapes a string for a JS string literal inside a <script> block. */
enum rc html_js_string(struct buf *b, const char *s);

/*
 * Appends a message (a catalog's words) as HTML text with its first
 * `placeholder` ("{n}", "{name}") replaced by `html`, which the caller
 * made safe (escaped text, or markup of its own). A message without the
 * placeholder is appended alone.
 */
enum rc html_fill(struct buf *b, const char *msg, const char *placeholder, const char *html);
/* The same with `text` HTML-escaped in place of the placeholder. */
enum rc html_fill_text(struct buf *b, const char *msg, const char *placeholder,
    const char *text);

#endif

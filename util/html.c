/* html: context escapers. Inputs are assumed valid UTF-8. */
#include "util/html.h"

#include <stdio.h>
#include <string.h>

static enum rc
escape(struct buf *b, const char *s, const char *special)
{
	enum rc rc = RC_OK;
	const char *run = s;

	for (; *s != '\0' && rc == RC_OK; s++) {
		const char *rep;
		if (strchr(special, *s) == NULL)
			continue;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: rep = "&#39;"; break;
		}
		rc = buf_append(b, run, (size_t)(s - run));
		if (rc == RC_OK)
			rc = buf_appends(b, rep);
		run = s + 1;
	}
	if (rc == RC_OK)
		rc = buf_append(b, run, (size_t)(s - run));
	return rc;
}

enum rc
html_text(struct buf *b, const char *s)
{
	return escape(b, s, "&<>");
}

enum rc
html_attr(struct buf *b, const char *s)
{
	return escape(b, s, "&<>\"'");
}

enum rc
html_js_string(struct buf *b, const char *s)
{
	enum rc rc = RC_OK;

	for (; *s != '\0' && rc == RC_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == '"' || c == '\'' || c == '\\' || c == '<' ||
		    c == '>' || c == '&' || c == '/')
			rc = buf_appendf(b, "\\u%04x", c);
		else
			rc = buf_appendc(b, (char)c);
	}
	return rc;
}

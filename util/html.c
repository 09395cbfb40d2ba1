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

enum rc
html_fill(struct buf *b, const char *msg, const char *placeholder, const char *html)
{
	const char *at = strstr(msg, placeholder);
	size_t before = b->len;
	struct buf head;
	enum rc rc;

	if (at == NULL)
		return html_text(b, msg);
	buf_init(&head, b->max);
	rc = buf_append(&head, msg, (size_t)(at - msg));
	if (rc == RC_OK)
		rc = html_text(b, buf_cstr(&head));
	buf_fini(&head);
	if (rc == RC_OK)
		rc = buf_appends(b, html);
	if (rc == RC_OK)
		rc = html_text(b, at + strlen(placeholder));
	if (rc != RC_OK) {
		b->len = before;
		if (b->data != NULL)
			b->data[before] = '\0';
	}
	return rc;
}

enum rc
html_fill_text(struct buf *b, const char *msg, const char *placeholder, const char *text)
{
	struct buf t;
	enum rc rc;

	buf_init(&t, b->max);
	rc = html_text(&t, text);
	if (rc == RC_OK)
		rc = html_fill(b, msg, placeholder, buf_cstr(&t));
	buf_fini(&t);
	return rc;
}

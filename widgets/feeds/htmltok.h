/* htmltok: a small, bounded HTML tokenizer (HTML5 tokenizer rules). */
#ifndef SOCIALHUB_WIDGETS_HTMLTOK_H
#define SOCIALHUB_WIDGETS_HTMLTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/rc.h"

#define HTMLTOK_MAX_ATTRS 64  /* attributes kept per tag; more are skipped */
#define HTMLTOK_MAX_NAME 64   /* bytes of a tag name kept (name_long past
                               * it); longer attribute names are skipped */

enum htmltok_type {
	HTMLTOK_EOF,
	HTMLTOK_TEXT,      /* text, len bytes (not NUL-terminated) */
	HTMLTOK_START,     /* start tag: name, attrs, self_closing */
	HTMLTOK_END,       /* end tag: name (its attributes are dropped) */
	HTMLTOK_COMMENT,   /* <!-- -->, bogus comments (<? >, </ x>, <!x>) */
	HTMLTOK_DOCTYPE,   /* <!DOCTYPE ...> */
};

struct htmltok_attr {
	const char *name;   /* lower-case, NUL-terminated */
	const char *value;  /* references decoded, NUL-terminated ("" when
	                     * the attribute has no value) */
	size_t nlen, vlen;
};

/*
 * One tokenizer run. The token fields are valid until the next call of
 * htmltok_next; strings point into the input or into the tokenizer's
 * reused scratch buffer (no allocation per token).
 */
struct htmltok {
	/* the current token */
	enum htmltok_type type;
	const char *text;    /* TEXT, COMMENT, DOCTYPE: the bytes */
	size_t len;
	bool raw;            /* TEXT: content of script, style, textarea,
	                      * title, ... (raw text, RCDATA, plaintext) */
	char name[HTMLTOK_MAX_NAME + 1]; /* START, END: lower-case */
	size_t nlen;
	bool name_long;      /* the name was longer than HTMLTOK_MAX_NAME and
	                      * is cut: it names no known element */
	bool self_closing;   /* START: ended in "/>" */
	struct htmltok_attr attrs[HTMLTOK_MAX_ATTRS];
	size_t nattrs;
	enum rc err;         /* RC_NOMEM: the run stopped early (EOF) */

	/* Option, kept by htmltok_reset: a self-closing start tag of a raw
	 * text element (<iframe src=x />) starts no raw text, as XHTML
	 * authors mean it; browsers ignore the '/'. */
	bool xml_selfclose;

	/* private */
	const char *p, *end;
	bool utf8;           /* the input is well-formed UTF-8 (checked once,
	                      * 32 bytes at a time): text runs need no check
	                      * per character, nor U+FFFD */
	int mode;            /* data, raw text, RCDATA, plaintext */
	char rawname[16];    /* the end tag that ends raw text */
	size_t rawlen;
	char ref[8];         /* one decoded character */
	struct buf scratch;  /* attribute names and values of one tag */
};

/* Caller-owned storage; htmltok_fini frees the scratch buffer. */
void htmltok_init(struct htmltok *t);
void htmltok_fini(struct htmltok *t);

/* Starts a run over s[0..n) (UTF-8; invalid bytes read as U+FFFD). */
void htmltok_reset(struct htmltok *t, const char *s, size_t n);
/* The same when the caller knows whether s is UTF-8 (utf8: it is, and is
 * not checked again). */
void htmltok_reset_utf8(struct htmltok *t, const char *s, size_t n,
    bool utf8);

/*
 * The next token. Text comes in pieces: runs of input bytes, and each
 * character reference or invalid UTF-8 sequence (U+FFFD, one per maximal
 * subpart) as a token of its own (possibly empty). NUL is dropped from
 * text (browsers ignore it in body) and is U+FFFD in raw text, names and
 * attribute values. A tag cut by the end of the input is dropped, as
 * browsers do. After the start tag of script, style, xmp, iframe,
 * noembed, noframes or noscript (raw text), textarea or title (RCDATA,
 * references decoded) or plaintext (to the end), the content up to the
 * matching end tag is text with raw set (but see xml_selfclose). "<!"
 * followed by neither "--" nor a letter ("<![CDATA[") is text.
 */
enum htmltok_type htmltok_next(struct htmltok *t);

/*
 * A character reference at s[0] == '&' as HTML5 reads it (in an
 * attribute value when attr): numeric (0, surrogates and values past
 * U+10FFFF are U+FFFD, 0x80..0x9F the windows-1252 character) or named
 * (the HTML 4 names, a few HTML5 ones; the legacy names also without
 * ';'). Writes the UTF-8 to out (at most 8 bytes), its length to *olen,
 * and returns the bytes read; 0 when s holds no reference.
 */
size_t htmltok_charref(const char *s, size_t n, bool attr, char *out,
    size_t *olen);

/* windows-1252 for U+0080..U+009F; other code points unchanged. */
uint32_t htmltok_cp1252_c1(uint32_t cp);

#endif

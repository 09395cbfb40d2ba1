/* feed_prep: a feed body made into clean UTF-8 before parsing. */
#ifndef SOCIALHUB_WIDGETS_FEED_PREP_H
#define SOCIALHUB_WIDGETS_FEED_PREP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"

/* CDATA sections at least this long are taken out of the document (see
 * feed_prep_xml), at most this many. */
#define FEED_PREP_CDATA_MIN 32
#define FEED_PREP_CDATA_MAX 100000

/* The body as UTF-8. Heap storage is owned here: feed_prep_text_fini. */
struct feed_prep_text {
	const char *s;        /* UTF-8 text (into the body or `owned`) */
	size_t len;
	char encoding[48];    /* what it was read as ("utf-8", "GB18030") */
	bool fallback;        /* the declared charset was wrong or unknown */
	size_t repaired;      /* bytes of UTF-8 text that were not UTF-8,
	                       * each read as windows-1252 */
	char *owned;          /* converted copy, or NULL */
	char *xml;            /* feed_prep_xml output (NUL-terminated) */
	size_t xml_len;
	/* CDATA sections taken out: the text of marker i (arena). */
	const char **cdata;
	size_t *cdata_len;
	size_t ncdata, capcdata;
};

/*
 * Finds the charset (BOM, then the HTTP Content-Type charset, then the XML
 * declaration when `xml`, else UTF-8) and converts body[0..len) to UTF-8.
 * Valid UTF-8 labelled Latin-1/ASCII/windows-1252 is taken as UTF-8;
 * in text declared (or assumed) to be UTF-8 that is not quite, valid
 * sequences are kept and each other byte is read as windows-1252
 * (`fallback` set); unknown charsets fall back to windows-1252, so this
 * only fails on no memory.
 */
enum rc feed_prep_decode(const char *body, size_t len,
    const char *content_type, bool xml, struct feed_prep_text *t);

/*
 * For a reader that checks the UTF-8 of what it reads (feed_json): true
 * when feed_prep_decode would take the body as UTF-8 as it is if it is
 * valid, with t filled as it would be, the bytes unchecked. When the
 * reader then finds bytes that are not UTF-8, feed_prep_decode decides.
 */
bool feed_prep_utf8_as_is(const char *body, size_t len,
    const char *content_type, bool xml, struct feed_prep_text *t);

/*
 * Rewrites t->s into t->xml for libxml2: characters XML forbids dropped,
 * C1 controls read as windows-1252, HTML named references and
 * double-encoded UTF-8 references made numeric, bare '&' escaped, and the
 * DOCTYPE removed, its simple internal entities ("literal text", no
 * references to other entities) substituted within a 1 MiB budget;
 * Comments and processing instructions are copied as they are; CDATA
 * sections of FEED_PREP_CDATA_MIN bytes or more (and a closing "]]>")
 * are moved into `a` and replaced by the marker U+E000 <decimal index>
 * U+E001 (a document's own U+E000/U+E001 become U+FFFD), shorter ones
 * stay. With `a` NULL every CDATA section stays.
 * references past the budget expand to nothing. RC_TOOBIG when the
 * output would exceed 1.5 * len + 1 MiB + 64 KiB (a body of bare '&').
 */
enum rc feed_prep_xml(struct feed_prep_text *t, struct arena *a);

/*
 * Where the XML of s[0..n) starts, past what a server printed before it:
 * white space before the XML declaration (which must come first), a PHP
 * notice or warning before the declaration (within 64 KiB), or, with no
 * declaration, anything before the first rss/feed/rdf:RDF/channel element
 * when the text starts with neither one nor a prolog. 0: nothing to skip.
 */
size_t feed_prep_xml_start(const char *s, size_t n);

void feed_prep_text_fini(struct feed_prep_text *t);

#endif

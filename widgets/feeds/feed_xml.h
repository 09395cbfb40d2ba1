/* feed_xml: a strict reader for the plain well-formed XML that nearly every
 * feed is, in front of libxml2 (feed_tree.c). It accepts a subset of what
 * libxml2 accepts without complaint and delivers the same events for it;
 * everything else (any error, DOCTYPE, entity other than the five
 * predefined ones, non-ASCII names, odd namespace URIs, deep nesting) is
 * refused so that libxml2 parses the document instead. */
#ifndef SOCIALHUB_WIDGETS_FEED_XML_H
#define SOCIALHUB_WIDGETS_FEED_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/rc.h"

/* Bounds past which a document is left to libxml2 (which has its own). */
#define FEED_XML_MAX_INPUT 10000000   /* libxml2's XML_MAX_LOOKUP_LIMIT */
#define FEED_XML_MAX_DEPTH 255        /* libxml2 stops at 256 */
#define FEED_XML_MAX_ATTRS 64         /* per element, namespaces included */
#define FEED_XML_MAX_NS 256           /* declarations in scope */

/* A name as written, its parts pointing into the document. `uri` is the
 * namespace it is in (NULL: none); URIs are pointers into the document as
 * well, so one declaration always gives the same pointer. */
struct feed_xml_name {
	const char *local;
	size_t local_len;
	const char *prefix;       /* NULL when unprefixed */
	size_t prefix_len;
	const char *uri;
	size_t uri_len;
};

struct feed_xml_attr {
	struct feed_xml_name name;
	const char *value;        /* references decoded, whitespace normalised */
	size_t value_len;
};

/* What the reader tells; each returns false to stop (out of memory).
 * Pointers are valid during the call only. Text may come in several
 * pieces; consecutive pieces belong together. Text outside the document
 * element is not reported, nor are comments and processing instructions. */
struct feed_xml_sink {
	void *ctx;
	bool (*open)(void *ctx, const struct feed_xml_name *el,
	    const struct feed_xml_attr *attrs, size_t nattrs);
	bool (*text)(void *ctx, const char *s, size_t n);
	bool (*close)(void *ctx);
	/* FEED_XML_LENIENT: set when an <item> or <entry> closed elements
	 * left open inside its channel or feed (NULL: not wanted). */
	bool *moved;
};

/* The XML 1.0 Char production. */
bool feed_xml_is_char(uint32_t c);

/* The text has not been through feed_prep_xml: refuse what it would have
 * changed (C1 controls, U+E000/U+E001, C1 and double-encoded character
 * references, long references, CRs in CDATA), so that a document read this
 * way gives what feed_prep_xml + feed_xml give. */
#define FEED_XML_UNREPAIRED 1u

/* Read a document that is not well-formed the way a browser-like reader
 * would instead of refusing it (feed_xml.c, "lenient reading"): never
 * RC_INVALID when there is a document element; no size bound. */
#define FEED_XML_LENIENT 2u

/*
 * Reads xml[0..len) (xml[len] must be '\0') and reports it to `sink`.
 * RC_OK: the whole document was read and reported. RC_INVALID: it is not
 * in the subset (the sink may have seen part of it: start over with
 * libxml2). RC_NOMEM: the sink stopped. `scratch` holds decoded attribute
 * values; it is the caller's, reused between documents.
 */
enum rc feed_xml_read(const char *xml, size_t len, unsigned flags,
    const struct feed_xml_sink *sink, struct buf *scratch);

#endif

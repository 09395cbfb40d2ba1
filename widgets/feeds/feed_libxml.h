/* feed_libxml: libxml2, loaded on first use. Only documents that feed_xml
 * refuses need it (feed_tree.c), so the parser does not link it: a
 * `socialhub parse` process would otherwise pay for relocating libxml2
 * with ICU and libstdc++ on every start (doc/feeds.md, Performance). */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_LIBXML_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_LIBXML_H

#include <stdbool.h>

#include <libxml/parser.h>

/* The libxml2 calls the parser makes. */
struct feed_libxml {
	xmlParserCtxtPtr (*new_parser_ctxt)(void);
	xmlDocPtr (*ctxt_read_memory)(xmlParserCtxtPtr, const char *, int,
	    const char *, const char *, int);
	void (*free_doc)(xmlDocPtr);
	void (*free_parser_ctxt)(xmlParserCtxtPtr);
	void (*stop_parser)(xmlParserCtxtPtr);
	int (*dict_owns)(xmlDictPtr, const xmlChar *);
	void (*sax2_start_document)(void *);
};

/*
 * libxml2 (FEED_LIBXML_SONAME), loaded and set up once per process on
 * the first call: parser initialized, errors silenced, every external
 * entity, DTD or XInclude load refused, entity substitution and external
 * DTD loading off. Thread-safe. NULL when it cannot be loaded (logged
 * once on stderr): the caller treats the document as unreadable.
 */
const struct feed_libxml *feed_libxml(void);

/* What feed_libxml does once: loads soname into *out and sets it up;
 * false (said on stderr, nothing kept loaded) when it cannot be loaded
 * or lacks a function. For the tests of that failure. */
bool feed_libxml_open(const char *soname, struct feed_libxml *out);

#endif

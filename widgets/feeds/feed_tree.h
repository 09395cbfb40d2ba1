/* feed_tree: a read-only XML tree in the request arena, built from feed_xml
 * or libxml2 SAX2 events (no libxml2 DOM); what the feed parsers walk. */
#ifndef SOCIALHUB_WIDGETS_FEED_TREE_H
#define SOCIALHUB_WIDGETS_FEED_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"

/* Nesting kept; libxml2 itself stops a document at 256 levels (no
 * XML_PARSE_HUGE), so this bound only holds when that one moves. */
#define FEED_TREE_MAX_DEPTH 256

enum feed_node_type {
	FEED_NODE_ELEM = 1,
	FEED_NODE_TEXT,     /* text and CDATA, adjacent runs merged */
};

enum feed_sym_kind {
	FEED_SYM_NAME,      /* a local name */
	FEED_SYM_URI,       /* a namespace URI */
	FEED_SYM_PREFIX,    /* a prefix no declaration binds */
};

/* An interned string: one record per distinct (kind, text) in a tree, so
 * equal URIs are equal pointers. `cls` is the reader's cache (feed.c keeps
 * the namespace class + 1 there), 0 when not yet set. */
struct feed_sym {
	const char *s;
	size_t len;
	unsigned int hash;
	unsigned char kind;
	unsigned char cls;
};

struct feed_attr {
	const struct feed_attr *next;
	const char *name;         /* local name */
	const char *prefix;       /* as written, or NULL */
	struct feed_sym *ns;      /* URI, undeclared prefix, or NULL */
	const char *value;        /* NULL: it held an entity reference */
};

struct feed_node {
	enum feed_node_type type;
	bool in_doc;              /* FEED_NODE_TEXT: text is the document's
	                           * own bytes (feed_tree_parse_kept), not
	                           * NUL-terminated */
	struct feed_node *parent, *next;
	/* FEED_NODE_ELEM */
	struct feed_node *children;
	const char *name;         /* local name */
	struct feed_sym *ns;      /* URI, undeclared prefix, or NULL */
	const struct feed_attr *attrs;  /* in document order */
	/* FEED_NODE_TEXT: text[0..len), no NUL in it (a document's NULs are
	 * gone); an arena copy with a NUL at len, unless in_doc */
	const char *text;
	size_t len;
};

struct feed_tree {
	struct feed_node *root;   /* the document element */
	bool recovered;           /* not well-formed (or namespace-well-formed) */
	bool flattened;           /* elements past max_depth were dropped */
	bool moved;               /* lenient: an item or entry closed
	                           * elements left open (feed_xml.h) */
	size_t nodes;
};

/*
 * Parses xml[0..len) (NUL-terminated at len, as feed_prep_xml writes it)
 * with feed_xml when the document is plain well-formed XML, else with
 * libxml2's SAX2 parser: XML_PARSE_NONET, no DTD loading, no entity
 * substitution, never XML_PARSE_HUGE, so libxml2's default depth and
 * amplification limits hold. A document libxml2 finds not well-formed is
 * read again with feed_xml's lenient reading (FEED_XML_LENIENT), never
 * with libxml2's recover mode, which loses text after the first error;
 * `recovered` is set then. Elements nested deeper than
 * `max_depth` (0: FEED_TREE_MAX_DEPTH) are dropped, their text kept in the
 * deepest kept element. Every node, name and value lives in `a`.
 * RC_INVALID when there is no document element, RC_TOOBIG past 2 GiB,
 * RC_NOMEM when `a` runs out (its cap).
 */
enum rc feed_tree_parse(struct arena *a, const char *xml, size_t len,
    int max_depth, struct feed_tree *out);

/* Which reader builds the tree: feed_tree_parse tries feed_xml (a strict,
 * fast reader of plain well-formed XML), falls back on libxml2 for any
 * other document and on the lenient reading for one that is not
 * well-formed; tests and the differential fuzz target pick one
 * (FEED_TREE_LIBXML2 alone runs in recover mode, FEED_TREE_LENIENT is the
 * lenient reading alone). With
 * FEED_TREE_FAST and FEED_TREE_UNREPAIRED, RC_INVALID also means "not
 * feed_xml's kind". FEED_TREE_UNREPAIRED reads text feed_prep_xml has not
 * seen, and refuses it when feed_prep_xml would have changed anything
 * (FEED_XML_UNREPAIRED): feed.c's way to skip that pass. */
enum feed_tree_reader {
	FEED_TREE_ANY,
	FEED_TREE_LIBXML2,
	FEED_TREE_FAST,
	FEED_TREE_UNREPAIRED,
	FEED_TREE_LENIENT,
};

enum rc feed_tree_parse_with(struct arena *a, const char *xml, size_t len,
    int max_depth, enum feed_tree_reader reader, struct feed_tree *out);
/* The same for a document that outlives the tree: a text the document
 * holds as it is, in one piece (no reference, CDATA section or line end
 * to rewrite), is not copied; its node points into xml (in_doc). The
 * tree of a 3 MB feed is then mostly its elements, not a second copy of
 * its text. */
enum rc feed_tree_parse_kept(struct arena *a, const char *xml, size_t len,
    int max_depth, enum feed_tree_reader reader, struct feed_tree *out);

#endif

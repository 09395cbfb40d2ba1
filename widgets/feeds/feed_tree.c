/* feed_tree: libxml2's SAX2 parser feeding a small tree in the arena.
 *
 * The tree is what libxml2's own SAX2 DOM builder would make under the
 * options feed.c always used (XML_PARSE_NOCDATA: CDATA is text; no entity
 * substitution), minus what the feed readers never look at: comments,
 * processing instructions and entity references are not kept, so the text
 * around them is one run. Names and namespace URIs are interned per tree;
 * nothing is freed one by one: the arena goes as a whole.
 */
#include "widgets/feeds/feed_tree.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "util/buf.h"
#include "util/url.h"
#include "widgets/feeds/feed_libxml.h"
#include "widgets/feeds/feed_xml.h"

/* The most text a document of n bytes can give: the lenient reading
 * writes each byte that is not UTF-8 as U+FFFD (3 bytes). */
#define TEXT_CAP(n) (3 * (n) + 4)

/* Address cache slots: a feed has a few dozen distinct names and URIs;
 * the cache is cleared per document, so it stays small. */
#define PC_SLOTS 64

struct tb {
	struct arena *a;
	struct feed_tree *t;
	const struct feed_libxml *lx;   /* while libxml2 reads (feed_libxml) */
	xmlParserCtxtPtr ctxt;
	struct feed_node *cur;      /* innermost kept open element */
	struct feed_node **last;    /* last child at each depth; [0]: top */
	int depth;                  /* kept elements open */
	int skip;                   /* dropped elements open inside cur */
	int max_depth;
	struct buf text;            /* text of cur not yet in a node */
	/* Text the document holds as it is, while it is one piece: kept as
	 * a reference, not copied (feed_tree_parse_kept). */
	const char *doc, *doc_end;  /* NULL: every text is copied */
	const char *piece;
	size_t piece_len;
	struct feed_sym **tab;      /* interned strings, open addressing */
	size_t tab_cap, tab_n;
	/* Strings that stay put for the whole parse (libxml2's dictionary,
	 * feed_xml's URIs in the document): a record found for one of them is
	 * found again by its address. Nothing else enters this cache. */
	struct {
		const xmlChar *p;
		struct feed_sym *y;
	} pc[PC_SLOTS];
	bool failed;                /* out of memory: parse stopped */
	bool malformed;             /* libxml2 found it not well-formed */
};

/* ---- interning ---- */

static unsigned int
sym_hash(const char *s, size_t n, unsigned char kind)
{
	uint32_t h = 2166136261u ^ kind;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static bool
tab_grow(struct tb *b)
{
	size_t cap = b->tab_cap ? b->tab_cap * 2 : 256, i;
	struct feed_sym **tab = arena_calloc(b->a, cap, sizeof(*tab));

	if (tab == NULL)
		return false;
	for (i = 0; i < b->tab_cap; i++) {
		struct feed_sym *y = b->tab[i];
		size_t j;
		if (y == NULL)
			continue;
		for (j = y->hash & (cap - 1); tab[j] != NULL; j = (j + 1) & (cap - 1))
			;
		tab[j] = y;
	}
	/* The old table stays in the arena: at most as big as the new one. */
	b->tab = tab;
	b->tab_cap = cap;
	return true;
}

static struct feed_sym *
intern(struct tb *b, unsigned char kind, const char *s, size_t n)
{
	unsigned int h = sym_hash(s, n, kind);
	struct feed_sym *y;
	size_t j;
	char *copy;

	if (b->tab_n * 2 >= b->tab_cap && !tab_grow(b))
		return NULL;
	for (j = h & (b->tab_cap - 1); (y = b->tab[j]) != NULL;
	    j = (j + 1) & (b->tab_cap - 1)) {
		if (y->hash == h && y->kind == kind && y->len == n &&
		    memcmp(y->s, s, n) == 0)
			return y;
	}
	y = arena_alloc(b->a, sizeof(*y));
	copy = arena_strndup(b->a, s, n);
	if (y == NULL || copy == NULL)
		return NULL;
	y->s = copy;
	y->len = n;
	y->hash = h;
	y->kind = kind;
	y->cls = 0;
	b->tab[j] = y;
	b->tab_n++;
	return y;
}

/* intern() for a string that stays at its address during the parse. */
static struct feed_sym *
intern_stable(struct tb *b, unsigned char kind, const char *s, size_t n)
{
	size_t h = (((uintptr_t)s >> 3) ^ kind) & (PC_SLOTS - 1);
	struct feed_sym *y = b->pc[h].y;

	if (b->pc[h].p == (const xmlChar *)s && y->kind == kind && y->len == n)
		return y;
	y = intern(b, kind, s, n);
	if (y != NULL) {
		b->pc[h].p = (const xmlChar *)s;
		b->pc[h].y = y;
	}
	return y;
}

static struct feed_sym *
intern_cstr(struct tb *b, unsigned char kind, const xmlChar *s)
{
	size_t n = strlen((const char *)s);

	if (b->ctxt->dict != NULL && b->lx->dict_owns(b->ctxt->dict, s) == 1)
		return intern_stable(b, kind, (const char *)s, n);
	return intern(b, kind, (const char *)s, n);
}

/* ---- building (both readers) ---- */

static void
tb_link(struct tb *b, struct feed_node *n)
{
	struct feed_node **last = &b->last[b->depth];

	n->parent = b->cur;
	if (*last != NULL)
		(*last)->next = n;
	else if (b->cur != NULL)
		b->cur->children = n;
	*last = n;
	b->t->nodes++;
}

/* The pending text becomes a text node of cur: the document's own bytes
 * when it is one piece of them, else an arena copy. False: no memory. */
static bool
tb_flush(struct tb *b)
{
	struct feed_node *n;

	if (b->piece == NULL && b->text.len == 0)
		return true;
	n = arena_calloc(b->a, 1, sizeof(*n));
	if (n == NULL)
		return false;
	if (b->piece != NULL) {
		n->text = b->piece;
		n->len = b->piece_len;
		n->in_doc = true;
		b->piece = NULL;
	} else {
		if ((n->text = arena_strndup(b->a, b->text.data,
		    b->text.len)) == NULL)
			return false;
		n->len = b->text.len;
		buf_clear(&b->text);
	}
	n->type = FEED_NODE_TEXT;
	tb_link(b, n);
	return true;
}

static bool
tb_text(struct tb *b, const char *s, size_t n)
{
	/* Text outside the document element is not kept (nor by libxml2). */
	if (b->cur == NULL)
		return true;
	if (b->piece == NULL && b->text.len == 0 && b->doc != NULL &&
	    s >= b->doc && s + n <= b->doc_end) {
		b->piece = s;
		b->piece_len = n;
		return true;
	}
	if (b->piece != NULL) {
		/* A second piece: the two are copied together. */
		if (buf_append(&b->text, b->piece, b->piece_len) != RC_OK)
			return false;
		b->piece = NULL;
	}
	return buf_append(&b->text, s, n) == RC_OK;
}

/* Elements past max_depth are dropped, their text stays in cur. */
static bool
tb_too_deep(const struct tb *b)
{
	return b->depth >= b->max_depth || b->skip > 0;
}

static bool
tb_open(struct tb *b, const char *name, struct feed_sym *ns,
    const struct feed_attr *attrs)
{
	struct feed_node *n;

	if (!tb_flush(b))
		return false;
	if (tb_too_deep(b)) {
		b->skip++;
		b->t->flattened = true;
		return true;
	}
	if ((n = arena_calloc(b->a, 1, sizeof(*n))) == NULL)
		return false;
	n->type = FEED_NODE_ELEM;
	n->name = name;
	n->ns = ns;
	n->attrs = attrs;
	tb_link(b, n);
	if (b->t->root == NULL)
		b->t->root = n;
	b->cur = n;
	b->depth++;
	b->last[b->depth] = NULL;
	return true;
}

static bool
tb_close(struct tb *b)
{
	if (b->skip > 0) {
		b->skip--;
		return true;
	}
	if (!tb_flush(b))
		return false;
	if (b->depth > 0) {
		b->depth--;
		b->cur = b->cur->parent;
	}
	return true;
}

/* ---- libxml2 ---- */

static void
tb_fail(struct tb *b)
{
	b->failed = true;
	b->lx->stop_parser(b->ctxt);
}

/* The document is in memory, whole (xmlCtxtReadMemory copies it into the
 * input buffer at once), yet libxml2 2.9 "grows" that buffer through its
 * no-op read callback on every GROW within 250 bytes of the end: all of a
 * small feed, 16 % of the parse of the corpus. With no read callback GROW
 * returns at once. Only up to XML_MAX_LOOKUP_LIMIT bytes: beyond it the
 * parser's "Huge input lookup" check exempts only the no-op callback. */
static void
tb_start_doc(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct tb *b = ctxt->_private;

	b->lx->sax2_start_document(ctx);
	if (ctxt->input != NULL && ctxt->input->buf != NULL &&
	    ctxt->input->buf->encoder == NULL &&
	    ctxt->input->end - ctxt->input->base <= XML_MAX_LOOKUP_LIMIT &&
	    ctxt->inputNr == 1)
		ctxt->input->buf->readcallback = NULL;
}

static void
tb_chars(void *ctx, const xmlChar *s, int len)
{
	struct tb *b = ((xmlParserCtxtPtr)ctx)->_private;

	if (len > 0 && !b->failed && !tb_text(b, (const char *)s, (size_t)len))
		tb_fail(b);
}

/*
 * An attribute value as libxml2 hands it over. Without entity
 * substitution the parser has already decoded every reference but writes
 * '&' as "&#38;" (and drops undefined entities); the DOM builder decodes
 * that again. Other references are decoded the same way; one to a named,
 * non-predefined entity makes the value unreadable (*unreadable), as an
 * entity-reference child did in the DOM.
 */
static char *
attr_value(struct tb *b, const char *v, const char *end, bool *unreadable)
{
	static const struct { const char *name; char c; } pre[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "apos", '\'' },
		{ "quot", '"' },
	};
	size_t n = (size_t)(end - v), j = 0;
	const char *p;
	char *out;

	*unreadable = false;
	if (memchr(v, '&', n) == NULL)
		return arena_strndup(b->a, v, n);
	out = arena_alloc(b->a, n + 1);
	if (out == NULL)
		return NULL;
	for (p = v; p < end;) {
		const char *semi;
		if (*p != '&') {
			out[j++] = *p++;
			continue;
		}
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL) {
			out[j++] = *p++;
			continue;
		}
		if (p + 1 < semi && p[1] == '#') {
			unsigned long c = 0;
			const char *d = p + 2;
			bool hex = d < semi && *d == 'x';
			if (hex)
				d++;
			for (; d < semi && c <= 0x10ffff; d++) {
				int v2 = hex ? url_hexval((unsigned char)*d) :
				    *d >= '0' && *d <= '9' ? *d - '0' : -1;
				if (v2 < 0)
					break;
				c = c * (hex ? 16 : 10) + (unsigned long)v2;
			}
			/* A reference is never longer than what it stands for
			 * ("&#38;" is 5 bytes, a 4-byte character needs 8). */
			if (d == semi && feed_xml_is_char(c))
				j += utf8_encode(out + j, (uint32_t)c);
			p = semi + 1;
		} else {
			size_t k, nl = (size_t)(semi - p - 1);
			for (k = 0; k < sizeof(pre) / sizeof(pre[0]); k++) {
				if (strlen(pre[k].name) == nl &&
				    memcmp(pre[k].name, p + 1, nl) == 0)
					break;
			}
			if (k == sizeof(pre) / sizeof(pre[0])) {
				*unreadable = true;
				return NULL;
			}
			out[j++] = pre[k].c;
			p = semi + 1;
		}
	}
	out[j] = '\0';
	return out;
}

/*
 * The local name and namespace record of a name as libxml2 reports it:
 * the URI; else the prefix no declaration binds (libxml2's DOM kept
 * "p:name" then); else, for a name that still holds a colon (recover
 * mode), the part before it as such a prefix. False on no memory.
 */
static bool
name_split(struct tb *b, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, const char **name, const char **pfx,
    struct feed_sym **ns)
{
	const char *l = (const char *)local, *colon;
	struct feed_sym *p = NULL, *y;

	*ns = NULL;
	*pfx = NULL;
	if (prefix != NULL) {
		if ((p = intern_cstr(b, FEED_SYM_PREFIX, prefix)) == NULL)
			return false;
		*pfx = p->s;
	}
	if (uri != NULL) {
		if ((*ns = intern_cstr(b, FEED_SYM_URI, uri)) == NULL)
			return false;
	} else if (p != NULL) {
		*ns = p;
	} else if ((colon = strchr(l, ':')) != NULL) {
		if ((*ns = intern(b, FEED_SYM_PREFIX, l,
		    (size_t)(colon - l))) == NULL)
			return false;
		*pfx = (*ns)->s;
		l = colon + 1;
	}
	y = intern_cstr(b, FEED_SYM_NAME, (const xmlChar *)l);
	if (y == NULL)
		return false;
	*name = y->s;
	return true;
}

static bool
tb_attrs(struct tb *b, int nb, const xmlChar **at, const struct feed_attr **out)
{
	struct feed_attr *prev = NULL;
	int i;

	*out = NULL;
	for (i = 0; i < nb; i++, at += 5) {
		struct feed_attr *x = arena_calloc(b->a, 1, sizeof(*x));
		bool unreadable;

		if (x == NULL || !name_split(b, at[0], at[1], at[2], &x->name,
		    &x->prefix, &x->ns))
			return false;
		x->value = attr_value(b, (const char *)at[3],
		    (const char *)at[4], &unreadable);
		if (x->value == NULL && !unreadable)
			return false;
		if (prev != NULL)
			prev->next = x;
		else
			*out = x;
		prev = x;
	}
	return true;
}

static void
tb_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	struct tb *b = ((xmlParserCtxtPtr)ctx)->_private;
	const struct feed_attr *attrs = NULL;
	const char *name = NULL, *pfx;
	struct feed_sym *ns = NULL;

	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	if (b->failed)
		return;
	if (!tb_too_deep(b) && (!name_split(b, localname, prefix, uri, &name,
	    &pfx, &ns) || !tb_attrs(b, nb_attributes, attributes, &attrs))) {
		tb_fail(b);
		return;
	}
	if (!tb_open(b, name, ns, attrs))
		tb_fail(b);
}

static void
tb_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct tb *b = ((xmlParserCtxtPtr)ctx)->_private;

	(void)localname;
	(void)prefix;
	(void)uri;
	if (!b->failed && !tb_close(b))
		tb_fail(b);
}

/* Without recover mode, the first fatal error ends the parse: libxml2
 * would read on to the end with its SAX calls off, and the caller reads
 * such a document again (the lenient reading) anyway. */
static void
tb_serror(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;

	if (e != NULL && e->level == XML_ERR_FATAL)
		((struct tb *)ctxt->_private)->lx->stop_parser(ctxt);
}

/* libxml2 over the whole document; with `recover`, its recover mode (the
 * tree of a document that is not well-formed is whatever it made of it),
 * else b->t->recovered tells the caller to read it another way. */
static enum rc
parse_libxml2(struct tb *b, const char *xml, size_t len, bool recover)
{
	const struct feed_libxml *lx = feed_libxml();
	xmlParserCtxtPtr ctxt;
	xmlSAXHandlerPtr sax;
	xmlDocPtr doc;

	if (lx == NULL)
		return RC_INVALID;    /* not loadable: a document we cannot read */
	b->lx = lx;
	ctxt = lx->new_parser_ctxt();
	if (ctxt == NULL)
		return RC_NOMEM;
	b->ctxt = ctxt;
	ctxt->_private = b;
	/* The SAX2 defaults stay for the document itself; the tree is ours,
	 * and no DTD is ever built (feed_prep_xml drops the DOCTYPE anyway). */
	sax = ctxt->sax;
	sax->startDocument = tb_start_doc;
	sax->startElementNs = tb_start;
	sax->endElementNs = tb_end;
	sax->startElement = NULL;
	sax->endElement = NULL;
	sax->characters = tb_chars;
	sax->ignorableWhitespace = tb_chars;
	sax->cdataBlock = tb_chars;
	sax->reference = NULL;
	sax->comment = NULL;
	sax->processingInstruction = NULL;
	sax->internalSubset = NULL;
	sax->externalSubset = NULL;
	sax->entityDecl = NULL;
	sax->attributeDecl = NULL;
	sax->elementDecl = NULL;
	sax->notationDecl = NULL;
	sax->unparsedEntityDecl = NULL;
	sax->resolveEntity = NULL;
	if (!recover)
		sax->serror = tb_serror;
	/* No NOENT (no entity substitution), no DTDLOAD, no HUGE; NONET and
	 * the deny-all entity loader (sanitize.c) besides. */
	doc = lx->ctxt_read_memory(ctxt, xml, (int)len, NULL, NULL,
	    XML_PARSE_NONET | (recover ? XML_PARSE_RECOVER : 0) |
	    XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
	if (!b->failed && !tb_flush(b))   /* a truncated document: its last text */
		b->failed = true;
	b->t->recovered = !ctxt->wellFormed || !ctxt->nsWellFormed;
	b->malformed = !ctxt->wellFormed;
	lx->free_doc(doc);
	lx->free_parser_ctxt(ctxt);
	b->ctxt = NULL;
	return b->failed ? RC_NOMEM : RC_OK;
}

/* ---- feed_xml ---- */

/* A name from feed_xml: its parts interned (URIs by address: they stay in
 * the document). A prefix no declaration binds (only the lenient reading
 * reports one) is the namespace record, as in name_split. */
static bool
fast_name(struct tb *b, const struct feed_xml_name *x, const char **name,
    const char **pfx, struct feed_sym **ns)
{
	struct feed_sym *y;

	*pfx = NULL;
	*ns = NULL;
	if (x->prefix != NULL) {
		if ((y = intern(b, FEED_SYM_PREFIX, x->prefix, x->prefix_len)) == NULL)
			return false;
		*pfx = y->s;
	}
	if (x->uri != NULL) {
		if ((*ns = intern_stable(b, FEED_SYM_URI, x->uri, x->uri_len)) == NULL)
			return false;
	} else if (x->prefix != NULL) {
		*ns = y;                /* unbound (lenient reading only) */
	}
	if ((y = intern(b, FEED_SYM_NAME, x->local, x->local_len)) == NULL)
		return false;
	*name = y->s;
	return true;
}

static bool
fast_open(void *ctx, const struct feed_xml_name *el,
    const struct feed_xml_attr *at, size_t nat)
{
	struct tb *b = ctx;
	struct feed_attr *attrs = NULL, *prev = NULL;
	const char *name = NULL, *pfx;
	struct feed_sym *ns = NULL;
	size_t i;

	if (tb_too_deep(b))
		return tb_open(b, NULL, NULL, NULL);
	if (!fast_name(b, el, &name, &pfx, &ns))
		return false;
	for (i = 0; i < nat; i++) {
		struct feed_attr *x = arena_alloc(b->a, sizeof(*x));
		if (x == NULL || !fast_name(b, &at[i].name, &x->name, &x->prefix,
		    &x->ns) || (x->value = arena_strndup(b->a, at[i].value,
		    at[i].value_len)) == NULL)
			return false;
		x->next = NULL;
		if (prev != NULL)
			prev->next = x;
		else
			attrs = x;
		prev = x;
	}
	return tb_open(b, name, ns, attrs);
}

static bool
fast_text(void *ctx, const char *s, size_t n)
{
	return tb_text(ctx, s, n);
}

static bool
fast_close(void *ctx)
{
	return tb_close(ctx);
}

static enum rc
parse_fast(struct tb *b, const char *xml, size_t len, unsigned flags)
{
	if (flags & FEED_XML_LENIENT)
		b->t->recovered = true;
	const struct feed_xml_sink sink = { b, fast_open, fast_text, fast_close,
	    &b->t->moved };
	struct buf scratch;
	enum rc rc;

	buf_init(&scratch, TEXT_CAP(len));
	rc = feed_xml_read(xml, len, flags, &sink, &scratch);
	buf_fini(&scratch);
	return rc;
}

/* ---- both ---- */

static void
tb_init(struct tb *b, struct arena *a, struct feed_tree *out,
    struct feed_node **last, int max_depth)
{
	memset(out, 0, sizeof(*out));
	buf_clear(&b->text);
	b->piece = NULL;
	b->a = a;
	b->t = out;
	b->lx = NULL;
	b->ctxt = NULL;
	b->cur = NULL;
	b->last = last;
	b->depth = 0;
	b->skip = 0;
	b->max_depth = max_depth <= 0 || max_depth > FEED_TREE_MAX_DEPTH ?
	    FEED_TREE_MAX_DEPTH : max_depth;
	b->tab = NULL;
	b->tab_cap = 0;
	b->tab_n = 0;
	memset(b->pc, 0, sizeof(b->pc));
	b->failed = false;
	b->malformed = false;
	last[0] = NULL;
}

static enum rc
tree_parse(struct arena *a, const char *xml, size_t len, int max_depth,
    enum feed_tree_reader reader, bool kept, struct feed_tree *out)
{
	struct feed_node *last[FEED_TREE_MAX_DEPTH + 1];
	struct arena_mark mark = arena_mark(a);
	enum rc rc = RC_INVALID;
	struct tb b;

	memset(out, 0, sizeof(*out));
	if (len > INT32_MAX)
		return RC_TOOBIG;
	buf_init(&b.text, TEXT_CAP(len));
	b.doc = kept ? xml : NULL;
	b.doc_end = kept ? xml + len : NULL;
	if (reader != FEED_TREE_LIBXML2) {
		tb_init(&b, a, out, last, max_depth);
		rc = parse_fast(&b, xml, len, reader == FEED_TREE_UNREPAIRED ?
		    FEED_XML_UNREPAIRED : 0);
	}
	if (rc == RC_INVALID && (reader == FEED_TREE_ANY ||
	    reader == FEED_TREE_LIBXML2)) {
		/* Not feed_xml's kind of document: libxml2 from the start. */
		arena_rewind(a, &mark);
		tb_init(&b, a, out, last, max_depth);
		rc = parse_libxml2(&b, xml, len, reader == FEED_TREE_LIBXML2);
	}
	if ((rc == RC_OK && b.malformed && reader == FEED_TREE_ANY) ||
	    reader == FEED_TREE_LENIENT) {
		/* Not well-formed: libxml2's recover mode would lose text after
		 * the first error (every later &amp; &lt; ...) and nest what
		 * follows an unclosed tag inside it; read it leniently. */
		arena_rewind(a, &mark);
		tb_init(&b, a, out, last, max_depth);
		rc = parse_fast(&b, xml, len, FEED_XML_LENIENT);
	}
	buf_fini(&b.text);
	if (rc != RC_OK) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	return out->root != NULL ? RC_OK : RC_INVALID;
}

enum rc
feed_tree_parse_with(struct arena *a, const char *xml, size_t len,
    int max_depth, enum feed_tree_reader reader, struct feed_tree *out)
{
	return tree_parse(a, xml, len, max_depth, reader, false, out);
}

enum rc
feed_tree_parse_kept(struct arena *a, const char *xml, size_t len,
    int max_depth, enum feed_tree_reader reader, struct feed_tree *out)
{
	return tree_parse(a, xml, len, max_depth, reader, true, out);
}

enum rc
feed_tree_parse(struct arena *a, const char *xml, size_t len, int max_depth,
    struct feed_tree *out)
{
	return feed_tree_parse_with(a, xml, len, max_depth, FEED_TREE_ANY, out);
}

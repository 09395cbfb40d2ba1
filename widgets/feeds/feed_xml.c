/* feed_xml: a strict reader for plain well-formed XML (see feed_xml.h).
 *
 * Why: libxml2 2.9 spends most of a feed's parse in its character-at-a-time
 * paths (non-ASCII text, CDATA), and a parser context costs more than a
 * small feed. This reader does the common case at memory speed and hands
 * every other case back, so libxml2 stays the parser of record for
 * anything unusual: it never accepts a document libxml2 would call
 * malformed, and for the documents it accepts it reports what libxml2's
 * SAX2 interface reports (checked by tests/unit/test_feed_tree.c over the
 * corpus and by the xmltree fuzz target on arbitrary input).
 *
 * The subset: UTF-8 (feed_prep_xml converts), an optional XML declaration
 * with version 1.0, comments, processing instructions, CDATA sections,
 * elements and attributes with ASCII names, namespaces with plain URIs,
 * the five predefined entities and character references. Every character
 * is checked to be an XML Char; line ends are normalised, and attribute
 * values get XML's whitespace normalisation for CDATA attributes.
 */
#include "widgets/feeds/feed_xml.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"

#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NS "http://www.w3.org/2000/xmlns/"

/* Byte classes. */
enum {
	C_NAME_START = 1,   /* A-Z a-z _ */
	C_NAME = 2,         /* the above and 0-9 . - */
	C_SPACE = 4,        /* space, tab, LF, CR */
	C_TEXT_STOP = 8,    /* ends a plain text run: < & ] CR, controls, >= 0x80 */
	C_ATTR_STOP = 16,   /* ends a plain value run: < & quotes, controls, >= 0x80 */
	C_URI = 32,         /* may stand in a namespace URI as it is */
	C_CTL = 64,         /* a control character XML forbids (NUL included) */
};

static const unsigned char cls[256] = {
	 88,  88,  88,  88,  88,  88,  88,  88,  88,  20,  20,  88,  88,  28,  88,  88,
	 88,  88,  88,  88,  88,  88,  88,  88,  88,  88,  88,  88,  88,  88,  88,  88,
	  4,  32,  16,  32,  32,  32,  24,  48,  32,  32,  32,  32,  32,  34,  34,  32,
	 34,  34,  34,  34,  34,  34,  34,  34,  34,  34,  32,  32,  24,  32,   0,  32,
	 32,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,
	 35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,   0,   0,   8,   0,  35,
	  0,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,
	 35,  35,  35,  35,  35,  35,  35,  35,  35,  35,  35,   0,   0,   0,  32,   0,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
	 24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,  24,
};

/* Names longer than this are left to libxml2 (its limit is 50,000). */
#define NAME_MAX_LEN 1000

/* An attribute as read, before its namespace is known. */
struct raw_attr {
	const char *q;            /* qualified name */
	size_t qlen, colon;       /* colon: offset of ':' or 0 */
	const char *v;            /* value in the document, or NULL: */
	size_t off, vlen;         /* in scratch at off */
};

struct ns_binding {
	const char *prefix;       /* NULL: the default namespace */
	size_t plen;
	const char *uri;          /* "" (ulen 0): the default undeclared */
	size_t ulen;
};

struct fx {
	const unsigned char *p, *end;
	const struct feed_xml_sink *sink;
	struct buf *scratch;
	bool unrepaired;          /* FEED_XML_UNREPAIRED */
	bool lenient;             /* FEED_XML_LENIENT */
	bool stopped;             /* the sink said no */
	int depth;
	struct {
		const char *q;
		size_t qlen, ns_mark;
	} open[FEED_XML_MAX_DEPTH];
	struct ns_binding ns[FEED_XML_MAX_NS];
	size_t nns;
	struct raw_attr raw[FEED_XML_MAX_ATTRS];
	struct feed_xml_attr at[FEED_XML_MAX_ATTRS];
};

/* ---- characters ---- */

bool
feed_xml_is_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	    (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* The length of the UTF-8 sequence at p (a byte >= 0x80) when it is valid
 * and encodes an XML Char, else 0. */
static size_t
utf8_char(const unsigned char *p, const unsigned char *end)
{
	uint32_t c;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
		return 0;
	return feed_xml_is_char(c) ? n : 0;
}

/* utf8_char, and on text feed_prep_xml has not seen, none of what it
 * would change: C1 controls (it reads them as windows-1252) and U+E000,
 * U+E001 (its CDATA markers). */
static size_t
doc_char(const struct fx *x, const unsigned char *p)
{
	size_t n = utf8_char(p, x->end);

	if (x->unrepaired && n > 0 && ((p[0] == 0xc2 && p[1] <= 0x9f) ||
	    (p[0] == 0xee && p[1] == 0x80 && p[2] <= 0x81)))
		return 0;
	return n;
}

/* True when [p, e) holds only XML Chars (comments, PIs, CDATA). */
static bool
chars_ok(const struct fx *x, const unsigned char *p, const unsigned char *e)
{
	while (p < e) {
		size_t n = 1;
		if (*p >= 0x80 && (n = doc_char(x, p)) == 0)
			return false;
		if (cls[*p] & C_CTL)
			return false;
		p += n;
	}
	return true;
}

static bool
at(const struct fx *x, const unsigned char *p, const char *lit, size_t n)
{
	return (size_t)(x->end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The first lit[0..n) in [p, end), or NULL: memchr for its first byte
 * (glibc's memmem sets up more than a short comment costs to scan). */
static const unsigned char *
find(const unsigned char *p, const unsigned char *end, const char *lit,
    size_t n)
{
	while ((p = memchr(p, lit[0], (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) < n)
			return NULL;
		if (memcmp(p, lit, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

static const unsigned char *
skip_space(const unsigned char *p)
{
	while (cls[*p] & C_SPACE)
		p++;
	return p;
}

/*
 * A qualified name at p: its length, 0 when it is not one this reader
 * takes (non-ASCII, two colons, an empty part, too long). *colon is the
 * offset of its ':' or 0. The document's closing NUL stops every scan.
 */
static size_t
qname(const unsigned char *p, size_t *colon)
{
	const unsigned char *q = p;

	*colon = 0;
	if (!(cls[*q] & C_NAME_START))
		return 0;
	for (;;) {
		q++;
		while (cls[*q] & C_NAME)
			q++;
		if (*q != ':')
			break;
		if (*colon != 0)
			return 0;
		*colon = (size_t)(q - p);
		q++;
		if (!(cls[*q] & C_NAME_START))
			return 0;
	}
	if (*q >= 0x80 || q - p > NAME_MAX_LEN)
		return 0;
	return (size_t)(q - p);
}

/* ---- references ---- */

/* The value of the decimal (with hex, hexadecimal) digit c, or -1. */
static int
digit_value(unsigned char c, bool hex)
{
	if (hex)
		return url_hexval(c);
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

/*
 * The reference at *pp ('&'): its character as UTF-8 into out (4 bytes),
 * *pp past its ';'. Only character references and the five predefined
 * entities; 0 for anything else. With `unrepaired`, also 0 for what
 * feed_prep_xml would rewrite: a C1 code point (windows-1252 to it), a
 * UTF-8 lead byte followed by another reference (the start of UTF-8
 * written as Latin-1 references), more than 9 digits (a literal to it).
 */
static size_t
reference(const unsigned char **pp, char *out, bool unrepaired)
{
	const unsigned char *p = *pp + 1, *name;

	if (*p == '#') {
		bool hex = p[1] == 'x';
		uint32_t c = 0;
		int d;
		for (p += hex ? 2 : 1, name = p; (d = digit_value(*p, hex)) >= 0; p++) {
			if (c < 0x110000)
				c = c * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (*p != ';' || p == name || !feed_xml_is_char(c))
			return 0;
		if (unrepaired && (p - name > 9 || (c >= 0x80 && c <= 0x9f) ||
		    (c >= 0xc2 && c <= 0xf4 && p[1] == '&')))
			return 0;
		*pp = p + 1;
		return utf8_encode(out, c);
	}
	/* The five names, compared a byte at a time: the document's closing
	 * NUL ends any mismatch before the end. */
	switch (p[0]) {
	case 'l':
	case 'g':
		if (p[1] == 't' && p[2] == ';') {
			*out = p[0] == 'l' ? '<' : '>';
			*pp = p + 3;
			return 1;
		}
		return 0;
	case 'a':
		if (p[1] == 'm' && p[2] == 'p' && p[3] == ';') {
			*out = '&';
			*pp = p + 4;
			return 1;
		}
		if (p[1] == 'p' && p[2] == 'o' && p[3] == 's' && p[4] == ';') {
			*out = '\'';
			*pp = p + 5;
			return 1;
		}
		return 0;
	case 'q':
		if (p[1] == 'u' && p[2] == 'o' && p[3] == 't' && p[4] == ';') {
			*out = '"';
			*pp = p + 5;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

/* ---- text ---- */

static bool
emit(struct fx *x, const void *s, size_t n)
{
	if (n == 0 || x->sink->text(x->sink->ctx, s, n))
		return true;
	x->stopped = true;
	return false;
}

/* Text [p, e) as XML reads it: CR LF and lone CR become LF. */
static bool
emit_lines(struct fx *x, const unsigned char *p, const unsigned char *e)
{
	const unsigned char *cr;

	while ((cr = memchr(p, '\r', (size_t)(e - p))) != NULL) {
		if (!emit(x, p, (size_t)(cr - p)) || !emit(x, "\n", 1))
			return false;
		p = cr + 1 < e && cr[1] == '\n' ? cr + 2 : cr + 1;
	}
	return emit(x, p, (size_t)(e - p));
}

/* Appends to scratch: inline while it has room (text is decoded there a
 * few bytes at a time), buf_append to grow it. */
static bool
put(struct fx *x, const void *s, size_t n)
{
	struct buf *b = x->scratch;

	if (n < b->cap - b->len) {
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
		return true;
	}
	return buf_append(b, s, n) == RC_OK;
}

/* Character data up to the next '<' (or the end), reported at once: a run
 * without references or CRs straight from the document, any other decoded
 * in scratch. */
static bool
content_text(struct fx *x)
{
	const unsigned char *p = x->p, *run = p;
	char ch[4];
	size_t n;

	buf_clear(x->scratch);
	for (;;) {
		while (!(cls[*p] & C_TEXT_STOP))
			p++;
		switch (*p) {
		case '\0':
			if (p != x->end)
				return false;
			/* fall through */
		case '<':
			x->p = p;
			if (x->scratch->len == 0)
				return emit(x, run, (size_t)(p - run));
			return put(x, run, (size_t)(p - run)) &&
			    emit(x, x->scratch->data, x->scratch->len);
		case '&':
			if (!put(x, run, (size_t)(p - run)) ||
			    (n = reference(&p, ch, x->unrepaired)) == 0 || !put(x, ch, n))
				return false;
			run = p;
			continue;
		case '\r':
			if (!put(x, run, (size_t)(p - run)) || !put(x, "\n", 1))
				return false;
			p += p[1] == '\n' ? 2 : 1;
			run = p;
			continue;
		case ']':
			if (at(x, p, "]]>", 3))
				return false;     /* not allowed in text */
			p++;
			continue;
		default:
			if (*p < 0x80 || (n = doc_char(x, p)) == 0)
				return false;
			p += n;
		}
	}
}

static bool
cdata(struct fx *x)
{
	const unsigned char *s = x->p + 9, *e;

	e = find(s, x->end, "]]>", 3);
	if (e == NULL || !chars_ok(x, s, e))
		return false;
	/* feed_prep_xml moves long sections out of the document unread, so
	 * their CRs stay: not for this reader to normalise then. */
	if (x->unrepaired && memchr(s, '\r', (size_t)(e - s)) != NULL)
		return false;
	x->p = e + 3;
	return emit_lines(x, s, e);
}

/* A comment: no "--" inside, none at its end. */
static bool
comment(struct fx *x)
{
	const unsigned char *s = x->p + 4, *e;

	e = find(s, x->end, "--", 2);
	if (e == NULL || e[2] != '>' || !chars_ok(x, s, e))
		return false;
	x->p = e + 3;
	return true;
}

/* A processing instruction; its target is no "xml" of any case and has no
 * colon (libxml2 calls both errors). */
static bool
pi(struct fx *x)
{
	const unsigned char *t = x->p + 2, *p, *e;
	size_t n, colon;

	n = qname(t, &colon);
	if (n == 0 || colon != 0 ||
	    (n == 3 && (t[0] | 0x20) == 'x' && (t[1] | 0x20) == 'm' &&
	    (t[2] | 0x20) == 'l'))
		return false;
	p = t + n;
	if (at(x, p, "?>", 2)) {
		x->p = p + 2;
		return true;
	}
	if (!(cls[*p] & C_SPACE))
		return false;
	e = find(p, x->end, "?>", 2);
	if (e == NULL || !chars_ok(x, p, e))
		return false;
	x->p = e + 2;
	return true;
}

/* ---- the XML declaration ---- */

/* name S? '=' S? quoted value: the value's bounds. */
static bool
pseudo_attr(const unsigned char **pp, const char *name, const unsigned char **v,
    size_t *vlen)
{
	size_t n = strlen(name);
	const unsigned char *p = *pp, *e;

	if (strncmp((const char *)p, name, n) != 0)
		return false;
	p = skip_space(p + n);
	if (*p != '=')
		return false;
	p = skip_space(p + 1);
	if (*p != '"' && *p != '\'')
		return false;
	e = p + 1;
	while (*e != *p && (cls[*e] & (C_NAME | C_CTL)) == C_NAME)
		e++;
	if (*e != *p)
		return false;
	*v = p + 1;
	*vlen = (size_t)(e - p - 1);
	*pp = e + 1;
	return true;
}

/* <?xml version="1.0" (encoding="name")? (standalone="yes|no")? ?> */
static bool
xml_decl(struct fx *x)
{
	const unsigned char *p = skip_space(x->p + 5), *v;
	size_t n;

	if (!pseudo_attr(&p, "version", &v, &n) || n != 3 ||
	    memcmp(v, "1.0", 3) != 0)
		return false;
	if (cls[*p] & C_SPACE) {
		p = skip_space(p);
		if (*p == 'e') {
			if (!pseudo_attr(&p, "encoding", &v, &n) || n == 0 ||
			    !(cls[v[0]] & C_NAME_START) || v[0] == '_')
				return false;
			p = skip_space(p);
		}
		if (*p == 's') {
			if (!pseudo_attr(&p, "standalone", &v, &n) ||
			    !((n == 3 && memcmp(v, "yes", 3) == 0) ||
			    (n == 2 && memcmp(v, "no", 2) == 0)))
				return false;
			p = skip_space(p);
		}
	}
	if (!at(x, p, "?>", 2))
		return false;
	x->p = p + 2;
	return true;
}

/* ---- namespaces ---- */

/*
 * A namespace URI libxml2 parses without complaint (it calls one it
 * cannot parse a namespace error): URI characters only, '%' with two hex
 * digits, one '#' at most, a valid scheme before any ':' of the first
 * segment, and a plain host[:port] after "//".
 */
static bool
uri_plain(const unsigned char *s, size_t n)
{
	size_t i, hashes = 0, seg;

	for (i = 0; i < n; i++) {
		if (!(cls[s[i]] & C_URI))
			return false;
		if (s[i] == '#' && ++hashes > 1)
			return false;
		if (s[i] == '%' && (i + 2 >= n || url_hexval(s[i + 1]) < 0 ||
		    url_hexval(s[i + 2]) < 0))
			return false;
	}
	for (seg = 0; seg < n && s[seg] != '/' && s[seg] != '?' &&
	    s[seg] != '#' && s[seg] != ':'; seg++)
		;
	if (seg < n && s[seg] == ':') {
		if (seg == 0 || !(cls[s[0]] & C_NAME_START) || s[0] == '_')
			return false;
		for (i = 1; i < seg; i++) {
			if (!(cls[s[i]] & C_NAME) && s[i] != '+')
				return false;
			if (s[i] == '_')
				return false;
		}
		seg++;
	} else {
		seg = 0;
	}
	if (n - seg >= 2 && s[seg] == '/' && s[seg + 1] == '/') {
		bool port = false;
		size_t digits = 0, host = 0;
		for (i = seg + 2; i < n && s[i] != '/' && s[i] != '?' && s[i] != '#';
		    i++) {
			if (s[i] == ':' && !port)
				port = true;
			else if (port && s[i] >= '0' && s[i] <= '9')
				digits++;
			else if (port || !((cls[s[i]] & C_NAME) || s[i] == '~'))
				return false;
			else
				host++;
		}
		/* libxml2 refuses a port that overflows an int. */
		if (host == 0 || (port && (digits == 0 || digits > 5)))
			return false;
	}
	return true;
}

static bool
same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && (a == b || memcmp(a, b, an) == 0);
}

/* An xmlns or xmlns:prefix attribute of the element whose bindings start
 * at `mark`. */
static bool
ns_declare(struct fx *x, size_t mark, const struct raw_attr *r)
{
	struct ns_binding b;
	size_t i;

	if (r->v == NULL)
		return false;           /* a URI with references: libxml2's */
	b.prefix = r->colon != 0 ? r->q + r->colon + 1 : NULL;
	b.plen = r->colon != 0 ? r->qlen - r->colon - 1 : 0;
	b.uri = r->v;
	b.ulen = r->vlen;
	if (b.prefix != NULL && (b.ulen == 0 || same(b.prefix, b.plen, "xml", 3) ||
	    same(b.prefix, b.plen, "xmlns", 5)))
		return false;
	if (same(b.uri, b.ulen, XML_NS, sizeof(XML_NS) - 1) ||
	    same(b.uri, b.ulen, XMLNS_NS, sizeof(XMLNS_NS) - 1) ||
	    !uri_plain((const unsigned char *)b.uri, b.ulen))
		return false;
	for (i = mark; i < x->nns; i++) {
		if ((x->ns[i].prefix == NULL) == (b.prefix == NULL) &&
		    same(x->ns[i].prefix, x->ns[i].plen, b.prefix, b.plen))
			return false;   /* declared twice */
	}
	if (x->nns == FEED_XML_MAX_NS)
		return false;
	x->ns[x->nns++] = b;
	return true;
}

/* The namespace of a prefix (NULL: the default one) in scope; false when
 * a prefix is not bound. */
static bool
ns_resolve(const struct fx *x, struct feed_xml_name *n)
{
	size_t i = x->nns;

	n->uri = NULL;
	n->uri_len = 0;
	if (n->prefix != NULL && same(n->prefix, n->prefix_len, "xml", 3)) {
		n->uri = XML_NS;
		n->uri_len = sizeof(XML_NS) - 1;
		return true;
	}
	while (i-- > 0) {
		const struct ns_binding *b = &x->ns[i];
		if ((b->prefix == NULL) != (n->prefix == NULL) ||
		    !same(b->prefix, b->plen, n->prefix, n->prefix_len))
			continue;
		if (b->ulen > 0) {
			n->uri = b->uri;
			n->uri_len = b->ulen;
		}
		return true;
	}
	return n->prefix == NULL;
}

static void
split_name(struct feed_xml_name *n, const char *q, size_t qlen, size_t colon)
{
	if (colon != 0) {
		n->prefix = q;
		n->prefix_len = colon;
		n->local = q + colon + 1;
		n->local_len = qlen - colon - 1;
	} else {
		n->prefix = NULL;
		n->prefix_len = 0;
		n->local = q;
		n->local_len = qlen;
	}
}

/* ---- elements ---- */

/* A quoted attribute value at *pp, normalised: references decoded, each
 * tab, LF, CR or CR LF one space. Plain values stay in the document; the
 * others are built in scratch. */
static bool
attr_value(struct fx *x, const unsigned char **pp, struct raw_attr *r)
{
	const unsigned char *p = *pp, *run;
	unsigned char quote = *p;
	bool copied = false;
	char ch[4];
	size_t n;

	if (quote != '"' && quote != '\'')
		return false;
	run = ++p;
	r->off = x->scratch->len;
	for (;;) {
		while (!(cls[*p] & C_ATTR_STOP))
			p++;
		if (*p == quote)
			break;
		if (*p == '"' || *p == '\'') {
			p++;
			continue;
		}
		if (*p >= 0x80) {
			if ((n = doc_char(x, p)) == 0)
				return false;
			p += n;
			continue;
		}
		if (*p == '&')
			n = 0;
		else if (*p == '\t' || *p == '\n' || *p == '\r')
			n = 1;
		else
			return false;           /* '<', a control, the end */
		if (buf_append(x->scratch, run, (size_t)(p - run)) != RC_OK)
			return false;
		copied = true;
		if (n == 1) {
			p += p[0] == '\r' && p[1] == '\n' ? 2 : 1;
			ch[0] = ' ';
		} else if ((n = reference(&p, ch, x->unrepaired)) == 0) {
			return false;
		}
		if (buf_append(x->scratch, ch, n) != RC_OK)
			return false;
		run = p;
	}
	if (copied) {
		if (buf_append(x->scratch, run, (size_t)(p - run)) != RC_OK)
			return false;
		r->v = NULL;
		r->vlen = x->scratch->len - r->off;
	} else {
		r->v = (const char *)run;
		r->vlen = (size_t)(p - run);
	}
	*pp = p + 1;
	return true;
}

/* Two attributes that are the same: same name as written, or same local
 * name in the same namespace. */
static bool
attrs_unique(const struct feed_xml_attr *a, size_t n, const struct raw_attr *r)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (same(r[i].q, r[i].qlen, r[j].q, r[j].qlen))
				return false;
			if (a[i].name.uri != NULL && a[j].name.uri != NULL &&
			    same(a[i].name.local, a[i].name.local_len,
			    a[j].name.local, a[j].name.local_len) &&
			    same(a[i].name.uri, a[i].name.uri_len, a[j].name.uri,
			    a[j].name.uri_len))
				return false;
		}
	}
	return true;
}

static bool
is_xmlns(const struct raw_attr *r)
{
	return r->colon == 0 ? same(r->q, r->qlen, "xmlns", 5) :
	    same(r->q, r->colon, "xmlns", 5);
}

/* The attributes of a start tag from *pp to its '>' or "/>". */
static bool
read_attrs(struct fx *x, const unsigned char **pp, size_t mark, size_t *nraw,
    bool *empty)
{
	const unsigned char *p = *pp;

	*nraw = 0;
	for (;;) {
		const unsigned char *s = skip_space(p);
		struct raw_attr *r = &x->raw[*nraw];
		if (*s == '>' || (s[0] == '/' && s[1] == '>')) {
			*empty = *s == '/';
			*pp = s + (*empty ? 2 : 1);
			return true;
		}
		if (s == p || *nraw == FEED_XML_MAX_ATTRS)
			return false;
		r->q = (const char *)s;
		if ((r->qlen = qname(s, &r->colon)) == 0)
			return false;
		p = skip_space(s + r->qlen);
		if (*p != '=')
			return false;
		p = skip_space(p + 1);
		if (!attr_value(x, &p, r))
			return false;
		if (is_xmlns(r)) {
			if (!ns_declare(x, mark, r))
				return false;
		} else {
			(*nraw)++;
		}
	}
}

/* The element's name and attributes with their namespaces. */
static bool
resolve(struct fx *x, struct feed_xml_name *el, const char *q, size_t qlen,
    size_t colon, size_t nraw)
{
	size_t i;

	split_name(el, q, qlen, colon);
	if (!ns_resolve(x, el) || (el->prefix != NULL &&
	    same(el->prefix, el->prefix_len, "xmlns", 5)))
		return false;
	for (i = 0; i < nraw; i++) {
		const struct raw_attr *r = &x->raw[i];
		struct feed_xml_attr *a = &x->at[i];
		split_name(&a->name, r->q, r->qlen, r->colon);
		if (a->name.prefix != NULL) {
			if (!ns_resolve(x, &a->name))
				return false;
		} else {
			a->name.uri = NULL;
			a->name.uri_len = 0;
		}
		a->value = r->v != NULL ? r->v : x->scratch->data + r->off;
		a->value_len = r->vlen;
	}
	return attrs_unique(x->at, nraw, x->raw);
}

static bool
close_element(struct fx *x)
{
	x->depth--;
	x->nns = x->open[x->depth].ns_mark;
	if (x->sink->close(x->sink->ctx))
		return true;
	x->stopped = true;
	return false;
}

static bool
start_tag(struct fx *x)
{
	const unsigned char *p = x->p + 1;
	struct feed_xml_name el;
	size_t qlen, colon, nraw, mark = x->nns;
	const char *q = (const char *)p;
	bool empty;

	if ((qlen = qname(p, &colon)) == 0 || x->depth == FEED_XML_MAX_DEPTH)
		return false;
	p += qlen;
	buf_clear(x->scratch);
	if (!read_attrs(x, &p, mark, &nraw, &empty) ||
	    !resolve(x, &el, q, qlen, colon, nraw))
		return false;
	if (!x->sink->open(x->sink->ctx, &el, x->at, nraw)) {
		x->stopped = true;
		return false;
	}
	x->open[x->depth].q = q;
	x->open[x->depth].qlen = qlen;
	x->open[x->depth].ns_mark = mark;
	x->depth++;
	x->p = p;
	return !empty || close_element(x);
}

static bool
end_tag(struct fx *x)
{
	const unsigned char *p = x->p + 2;
	size_t qlen, colon;

	if (x->depth == 0 || (qlen = qname(p, &colon)) == 0 ||
	    !same((const char *)p, qlen, x->open[x->depth - 1].q,
	    x->open[x->depth - 1].qlen))
		return false;
	p = skip_space(p + qlen);
	if (*p != '>')
		return false;
	x->p = p + 1;
	return close_element(x);
}

/* ---- the document ---- */

/* What starts with '<' at x->p. */
static bool
markup(struct fx *x, bool *root_done)
{
	switch (x->p[1]) {
	case '/':
		if (!end_tag(x))
			return false;
		*root_done = x->depth == 0;
		return true;
	case '?':
		return pi(x);
	case '!':
		if (at(x, x->p, "<!--", 4))
			return comment(x);
		return x->depth > 0 && at(x, x->p, "<![CDATA[", 9) && cdata(x);
	default:
		if (*root_done || !start_tag(x))
			return false;
		*root_done = x->depth == 0;
		return true;
	}
}

static bool
read_document(struct fx *x)
{
	bool root_done = false;

	if (at(x, x->p, "<?xml", 5) && (cls[x->p[5]] & C_SPACE) &&
	    !xml_decl(x))
		return false;
	for (;;) {
		if (x->depth == 0) {
			x->p = skip_space(x->p);
			if (x->p == x->end)
				return root_done;
			if (*x->p != '<')
				return false;
		} else if (*x->p != '<') {
			if (!content_text(x))
				return false;
			if (x->p == x->end)
				return false;   /* elements left open */
			continue;
		}
		if (!markup(x, &root_done))
			return false;
	}
}

/* ---- lenient reading (FEED_XML_LENIENT) ----
 *
 * For documents that are not well-formed: what a browser-like reader makes
 * of them instead of libxml2's recover mode, which after the first error
 * drops every later predefined entity reference and nests the rest of a
 * feed inside an unclosed <br>. Nothing is refused: a bare '<' or '&' is
 * text, an unknown reference stays as written, invalid bytes are U+FFFD,
 * controls are dropped; attributes may be unquoted or have no value (""),
 * repeated ones keep the first; an end tag closes its nearest open element
 * and everything inside it, one with no open element is ignored; an <item>
 * closes what is open inside its channel (or rss, rdf:RDF) and an <entry>
 * what is open inside its feed, so an unclosed tag cannot swallow the
 * items after it (sink->moved is set then). On a well-formed document
 * where no item or entry is moved that way, the reading reports what the
 * strict one does.
 * Reading stops at the end of the document element, at a NUL, or past
 * FEED_XML_MAX_DEPTH levels (where libxml2 stops too); what is open then
 * is closed. */

/* The local part of a qualified name. */
static void
local_part(const char *q, size_t qlen, const char **l, size_t *llen)
{
	const char *c = memchr(q, ':', qlen);

	if (c != NULL && c > q && c + 1 < q + qlen) {
		*l = c + 1;
		*llen = qlen - (size_t)(c + 1 - q);
	} else {
		*l = q;
		*llen = qlen;
	}
}

static bool
name_is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* Appends [p, e) to scratch as clean text: references decoded (an unknown
 * or bare one kept as written), CR LF and CR one LF (with `attr`, each of
 * tab, LF, CR, CR LF one space), controls dropped, bytes that are not a
 * UTF-8 XML Char U+FFFD. */
static bool
lenient_clean(struct fx *x, const unsigned char *p, const unsigned char *e,
    bool refs, bool attr)
{
	const unsigned char *run = p;
	char ch[4];
	size_t n;

	while (p < e) {
		unsigned char c = *p;
		if (c >= 0x20 && c < 0x80 && c != '&') {
			p++;
			continue;
		}
		if (!put(x, run, (size_t)(p - run)))
			return false;
		if (c == '&') {
			const unsigned char *q = p;
			if (refs && (n = reference(&q, ch, false)) > 0 && q <= e) {
				if (!put(x, ch, n))
					return false;
				p = q;
			} else {
				if (!put(x, "&", 1))
					return false;
				p++;
			}
		} else if (c == '\r' || c == '\n' || c == '\t') {
			if (!put(x, attr ? " " : c == '\t' ? "\t" : "\n", 1))
				return false;
			p += c == '\r' && p + 1 < e && p[1] == '\n' ? 2 : 1;
		} else if (c < 0x80) {
			p++;                    /* a control XML forbids */
		} else if ((n = doc_char(x, p)) > 0) {
			/* (bounded by x->end, not e: no sequence holds the
			 * ASCII byte at e, and keeping utf8_char's one caller
			 * keeps it inlined in the strict reader) */
			if (!put(x, p, n))
				return false;
			p += n;
		} else {
			if (!put(x, "\xef\xbf\xbd", 3))
				return false;
			p++;
		}
		run = p;
	}
	return put(x, run, (size_t)(p - run));
}

/* Text from x->p to the next '<': reported clean. */
static bool
lenient_text(struct fx *x, const unsigned char *e, bool refs)
{
	buf_clear(x->scratch);
	if (!lenient_clean(x, x->p, e, refs, false))
		return false;
	x->p = e;
	return emit(x, x->scratch->data, x->scratch->len);
}

/* Past the first lit at or after p, else the end. */
static const unsigned char *
past(const struct fx *x, const unsigned char *p, const char *lit, size_t n)
{
	const unsigned char *e = find(p, x->end, lit, n);

	return e == NULL ? x->end : e + n;
}

/* A name in a tag: bytes up to white space, '/', '>', '<', '=' or the
 * end. */
static const unsigned char *
lenient_name(const unsigned char *p, const unsigned char *end)
{
	while (p < end && !(cls[*p] & C_SPACE) && *p != '/' && *p != '>' &&
	    *p != '<' && *p != '=')
		p++;
	return p;
}

/* An attribute value at p (after '='): quoted (to its quote, else to the
 * next '>') or bare (to white space or '>'), appended to scratch. */
static const unsigned char *
lenient_value(struct fx *x, const unsigned char *p, struct raw_attr *r,
    const unsigned char **raw, size_t *rawlen)
{
	const unsigned char *s, *e, *next;

	if (*p == '"' || *p == '\'') {
		s = p + 1;
		e = memchr(s, *p, (size_t)(x->end - s));
		if (e == NULL) {
			e = memchr(s, '>', (size_t)(x->end - s));
			if (e == NULL)
				e = x->end;
			next = e;
		} else {
			next = e + 1;
		}
	} else {
		s = p;
		for (e = p; e < x->end && !(cls[*e] & C_SPACE) && *e != '>'; e++)
			;
		next = e;
	}
	r->v = NULL;
	r->off = x->scratch->len;
	if (!lenient_clean(x, s, e, true, true))
		return NULL;
	r->vlen = x->scratch->len - r->off;
	*raw = s;
	*rawlen = (size_t)(e - s);
	return next;
}

static bool
raw_seen(const struct fx *x, size_t nraw, const struct raw_attr *r)
{
	size_t i;

	for (i = 0; i < nraw; i++) {
		if (same(x->raw[i].q, x->raw[i].qlen, r->q, r->qlen))
			return true;
	}
	return false;
}

/* A namespace declaration whose value the document holds as it is (one
 * with references or line ends is ignored: the binding must point into
 * the document, which outlives it); one libxml2 would refuse to bind, or a
 * second for the same prefix on one element, is ignored too. */
static void
lenient_declare(struct fx *x, size_t mark, const struct raw_attr *r,
    const unsigned char *raw, size_t rawlen)
{
	struct ns_binding b;
	size_t i;

	if (rawlen != r->vlen || (rawlen > 0 &&
	    memcmp(raw, x->scratch->data + r->off, rawlen) != 0))
		return;
	b.prefix = r->colon != 0 ? r->q + r->colon + 1 : NULL;
	b.plen = r->colon != 0 ? r->qlen - r->colon - 1 : 0;
	b.uri = (const char *)raw;
	b.ulen = rawlen;
	if (b.prefix != NULL && (b.ulen == 0 || same(b.prefix, b.plen, "xml", 3) ||
	    same(b.prefix, b.plen, "xmlns", 5)))
		return;
	if (same(b.uri, b.ulen, XML_NS, sizeof(XML_NS) - 1) ||
	    same(b.uri, b.ulen, XMLNS_NS, sizeof(XMLNS_NS) - 1))
		return;
	for (i = mark; i < x->nns; i++) {
		if ((x->ns[i].prefix == NULL) == (b.prefix == NULL) &&
		    same(x->ns[i].prefix, x->ns[i].plen, b.prefix, b.plen))
			return;
	}
	if (x->nns < FEED_XML_MAX_NS)
		x->ns[x->nns++] = b;
}

/* The attributes of a start tag, from *pp to its end; *empty for "/>". */
static bool
lenient_attrs(struct fx *x, const unsigned char **pp, size_t mark,
    size_t *nraw, bool *empty)
{
	const unsigned char *p = *pp;

	*nraw = 0;
	*empty = false;
	for (;;) {
		struct raw_attr r;
		const unsigned char *e, *raw;
		size_t keep, rawlen;
		p = skip_space(p);
		if (p >= x->end || *p == '<')
			break;
		if (*p == '>') {
			p++;
			break;
		}
		if (*p == '/') {
			if (p + 1 < x->end && p[1] == '>') {
				*empty = true;
				p += 2;
				break;
			}
			p++;
			continue;
		}
		e = lenient_name(p, x->end);
		if (e == p) {
			p++;                    /* a stray '=' */
			continue;
		}
		r.q = (const char *)p;
		r.qlen = (size_t)(e - p);
		local_part(r.q, r.qlen, &r.q, &keep);
		r.colon = keep == r.qlen ? 0 : r.qlen - keep - 1;
		r.q = (const char *)p;
		p = skip_space(e);
		keep = x->scratch->len;
		raw = p;
		rawlen = 0;
		if (p < x->end && *p == '=') {
			p = lenient_value(x, skip_space(p + 1), &r, &raw, &rawlen);
			if (p == NULL)
				return false;
		} else {
			r.v = NULL;
			r.off = x->scratch->len;
			r.vlen = 0;
		}
		if (is_xmlns(&r)) {
			lenient_declare(x, mark, &r, raw, rawlen);
			x->scratch->len = keep;
		} else if (*nraw < FEED_XML_MAX_ATTRS && !raw_seen(x, *nraw, &r)) {
			x->raw[(*nraw)++] = r;
		} else {
			x->scratch->len = keep;
		}
	}
	*pp = p;
	return true;
}

/* The element's name and attributes with the namespaces in scope; an
 * unbound prefix stays, with no namespace. */
static void
lenient_names(struct fx *x, struct feed_xml_name *el, const char *q,
    size_t qlen, size_t nraw)
{
	const char *l;
	size_t i, llen;

	local_part(q, qlen, &l, &llen);
	split_name(el, q, qlen, llen == qlen ? 0 : qlen - llen - 1);
	(void)ns_resolve(x, el);
	for (i = 0; i < nraw; i++) {
		const struct raw_attr *r = &x->raw[i];
		struct feed_xml_attr *a = &x->at[i];
		split_name(&a->name, r->q, r->qlen, r->colon);
		a->name.uri = NULL;
		a->name.uri_len = 0;
		if (a->name.prefix != NULL)
			(void)ns_resolve(x, &a->name);
		/* The scratch may have no storage yet when every value is "". */
		a->value = r->vlen > 0 ? x->scratch->data + r->off : "";
		a->value_len = r->vlen;
	}
}

/* Closes the open elements above depth `keep`. */
static bool
lenient_close_to(struct fx *x, int keep)
{
	while (x->depth > keep) {
		if (!close_element(x))
			return false;
	}
	return true;
}

/* The depth of the nearest open element one of whose local names is in
 * `names` (NULL-terminated), or -1. */
static int
lenient_open_named(const struct fx *x, const char *const *names)
{
	int d;

	for (d = x->depth - 1; d >= 0; d--) {
		const char *l;
		size_t llen, i;
		local_part(x->open[d].q, x->open[d].qlen, &l, &llen);
		for (i = 0; names[i] != NULL; i++) {
			if (name_is(l, llen, names[i]))
				return d;
		}
	}
	return -1;
}

/* An <item> or <entry> closes what is open inside its container. */
static bool
lenient_implied_end(struct fx *x, const char *q, size_t qlen)
{
	static const char *const rss[] = { "channel", "rss", "RDF", NULL };
	static const char *const atom[] = { "feed", NULL };
	const char *l;
	size_t llen;
	int d = -1;

	local_part(q, qlen, &l, &llen);
	if (name_is(l, llen, "item"))
		d = lenient_open_named(x, rss);
	else if (name_is(l, llen, "entry"))
		d = lenient_open_named(x, atom);
	if (d < 0 || d + 1 == x->depth)
		return true;
	if (x->sink->moved != NULL)
		*x->sink->moved = true;
	return lenient_close_to(x, d + 1);
}

/* A start tag at x->p ("<" and a name). */
static bool
lenient_start_tag(struct fx *x)
{
	const unsigned char *p = x->p + 1, *e;
	struct feed_xml_name el;
	size_t qlen, nraw, mark;
	const char *q = (const char *)p;
	bool empty;

	e = lenient_name(p, x->end);
	qlen = (size_t)(e - p);
	if (!lenient_implied_end(x, q, qlen))
		return false;
	mark = x->nns;
	buf_clear(x->scratch);
	p = e;
	if (!lenient_attrs(x, &p, mark, &nraw, &empty))
		return false;
	x->p = p;
	if (x->depth == FEED_XML_MAX_DEPTH) {
		x->nns = mark;
		x->p = x->end;          /* libxml2 stops there too */
		return true;
	}
	lenient_names(x, &el, q, qlen, nraw);
	if (!x->sink->open(x->sink->ctx, &el, x->at, nraw)) {
		x->stopped = true;
		return false;
	}
	x->open[x->depth].q = q;
	x->open[x->depth].qlen = qlen;
	x->open[x->depth].ns_mark = mark;
	x->depth++;
	return !empty || close_element(x);
}

/* An end tag at x->p: closes its nearest open element (same name, else
 * the same name in another case) and all inside it; else ignored. */
static bool
lenient_end_tag(struct fx *x)
{
	const unsigned char *p = x->p + 2, *e = lenient_name(p, x->end);
	size_t n = (size_t)(e - p);
	int d;

	x->p = past(x, e, ">", 1);
	for (d = x->depth - 1; d >= 0; d--) {
		if (same(x->open[d].q, x->open[d].qlen, (const char *)p, n))
			return lenient_close_to(x, d);
	}
	for (d = x->depth - 1; d >= 0; d--) {
		if (x->open[d].qlen == n &&
		    strncasecmp(x->open[d].q, (const char *)p, n) == 0)
			return lenient_close_to(x, d);
	}
	return true;
}

/* A "<!" declaration outside CDATA: a DOCTYPE with its internal subset,
 * or anything else up to its '>'. */
static const unsigned char *
lenient_decl(const struct fx *x)
{
	const unsigned char *p = x->p + 2, *gt, *lb;

	gt = memchr(p, '>', (size_t)(x->end - p));
	if (gt == NULL)
		return x->end;
	lb = memchr(p, '[', (size_t)(gt - p));
	if (lb == NULL)
		return gt + 1;
	return past(x, lb, "]>", 2);
}

/* What starts with '<' at x->p; *root_done once the document element has
 * closed. */
static bool
lenient_markup(struct fx *x, bool *root_done)
{
	const unsigned char *p = x->p;
	unsigned char c = p + 1 < x->end ? p[1] : '\0';

	if (c == '/') {
		bool open = x->depth > 0;
		if (!lenient_end_tag(x))
			return false;
		if (open && x->depth == 0)
			*root_done = true;
		return true;
	}
	if (c == '?') {
		x->p = past(x, p + 2, "?>", 2);
		return true;
	}
	if (at(x, p, "<!--", 4)) {
		x->p = past(x, p + 4, "-->", 3);
		return true;
	}
	if (at(x, p, "<![CDATA[", 9)) {
		const unsigned char *e = find(p + 9, x->end, "]]>", 3);
		if (e == NULL)
			e = x->end;
		x->p = p + 9;
		if (x->depth > 0 && !lenient_text(x, e, false))
			return false;
		x->p = e == x->end ? e : e + 3;
		return true;
	}
	if (c == '!') {
		x->p = lenient_decl(x);
		return true;
	}
	if ((cls[c] & C_NAME_START) || c == ':' || c >= 0x80) {
		if (*root_done) {
			x->p = x->end;          /* content after the document */
			return true;
		}
		if (!lenient_start_tag(x))
			return false;
		*root_done = x->depth == 0;
		return true;
	}
	/* A '<' that starts no markup is text. */
	if (x->depth > 0 && !emit(x, "<", 1))
		return false;
	x->p = p + 1;
	return true;
}

static bool
lenient_document(struct fx *x)
{
	const unsigned char *nul;
	bool root_done = false, root_seen = false;

	/* A NUL inside ends the document, as it ends libxml2's reading. */
	nul = memchr(x->p, '\0', (size_t)(x->end - x->p));
	if (nul != NULL)
		x->end = nul;
	while (x->p < x->end) {
		const unsigned char *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
		if (lt == NULL)
			lt = x->end;
		if (lt > x->p) {
			if (x->depth > 0 && !lenient_text(x, lt, true))
				return false;
			x->p = lt;
			continue;
		}
		if (!lenient_markup(x, &root_done))
			return false;
		root_seen = root_seen || x->depth > 0 || root_done;
	}
	return lenient_close_to(x, 0) && root_seen;
}

enum rc
feed_xml_read(const char *xml, size_t len, unsigned flags,
    const struct feed_xml_sink *sink, struct buf *scratch)
{
	struct fx x;
	bool lenient = (flags & FEED_XML_LENIENT) != 0;

	if ((len > FEED_XML_MAX_INPUT && !lenient) || xml[len] != '\0')
		return RC_INVALID;
	x.p = (const unsigned char *)xml;
	x.end = x.p + len;
	x.sink = sink;
	x.scratch = scratch;
	x.unrepaired = (flags & FEED_XML_UNREPAIRED) != 0;
	x.lenient = lenient;
	x.stopped = false;
	x.depth = 0;
	x.nns = 0;
	if (lenient ? lenient_document(&x) : read_document(&x))
		return RC_OK;
	return x.stopped ? RC_NOMEM : RC_INVALID;
}

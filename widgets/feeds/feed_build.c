/* feed_build: the helpers the format parsers build items with (names,
 * namespaces, text constructs, URLs, people, tags, attachments, ids). */
#include "widgets/feeds/feed_build.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/sha256.h"
#include "util/time.h"
#include "util/urlres.h"

#define TEXT_MAX_DEFAULT (1024 * 1024)
#define INNER_HTML_MAX (2 * FEED_MAX_HTML)
/* Text gathered before cutting: a CDATA section may be this big. */
#define FEED_MAX_BODY_TEXT FEED_MAX_BODY

/* ---- namespaces ---- */

struct ns_uri {
	const char *uri;
	enum feed_ns ns;
};

static const struct ns_uri ns_uris[] = {
	{ "http://www.w3.org/2005/Atom", NS_ATOM10 },
	{ "http://purl.org/atom/ns#", NS_ATOM03 },
	{ "http://purl.org/rss/1.0/", NS_RSS10 },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_RSS10 },
	{ "http://backend.userland.com/rss2", NS_RSS10 },
	{ "http://backend.userland.com/rss", NS_RSS10 },
	{ "http://blogs.law.harvard.edu/tech/rss", NS_RSS10 },
	{ "http://purl.org/net/rss1.1#", NS_RSS10 },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", NS_DC },
	{ "http://purl.org/dc/elements/1.0/", NS_DC },
	{ "http://purl.org/dc/terms/", NS_DCTERMS },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://search.yahoo.com/mrss", NS_MEDIA },
	{ "http://tools.search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://www.itunes.com/DTDs/Podcast-1.0.dtd", NS_ITUNES },
	{ "https://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://www.w3.org/1999/xhtml", NS_XHTML },
	{ "http://rssnamespace.org/feedburner/ext/1.0", NS_FEEDBURNER },
	{ "http://www.w3.org/XML/1998/namespace", NS_XML },
};

/* Prefixes feeds use without declaring them (libxml2 keeps "dc:creator"
 * as the name then). */
static const struct ns_uri ns_prefixes[] = {
	{ "atom", NS_ATOM10 }, { "content", NS_CONTENT }, { "dc", NS_DC },
	{ "dcterms", NS_DCTERMS }, { "media", NS_MEDIA },
	{ "itunes", NS_ITUNES }, { "xhtml", NS_XHTML }, { "rdf", NS_RDF },
	{ "feedburner", NS_FEEDBURNER }, { "xml", NS_XML },
};

static enum feed_ns
ns_classify(const char *uri)
{
	size_t i;

	for (i = 0; i < sizeof(ns_uris) / sizeof(ns_uris[0]); i++) {
		if (strcmp(ns_uris[i].uri, uri) == 0)
			return ns_uris[i].ns;
	}
	/* Case and trailing-slash variants of the common ones. */
	for (i = 0; i < sizeof(ns_uris) / sizeof(ns_uris[0]); i++) {
		size_t n = strlen(ns_uris[i].uri);
		if (strncasecmp(ns_uris[i].uri, uri, n - 1) == 0 &&
		    (uri[n - 1] == '\0' || strcasecmp(ns_uris[i].uri + n - 1,
		    uri + n - 1) == 0 || (uri[n - 1] == '/' && uri[n] == '\0')))
			return ns_uris[i].ns;
	}
	return NS_OTHER;
}

static enum feed_ns
ns_of_prefix(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(ns_prefixes) / sizeof(ns_prefixes[0]); i++) {
		if (strlen(ns_prefixes[i].uri) == n &&
		    strncmp(ns_prefixes[i].uri, name, n) == 0)
			return ns_prefixes[i].ns;
	}
	return NS_OTHER;
}

/* The class of a namespace record (URI or undeclared prefix), computed
 * once per record and kept in it as class + 1. */
static enum feed_ns
sym_class(struct feed_sym *y)
{
	if (y->cls == 0)
		y->cls = (unsigned char)((y->kind == FEED_SYM_URI ?
		    ns_classify(y->s) : ns_of_prefix(y->s, y->len)) + 1);
	return (enum feed_ns)(y->cls - 1);
}

enum feed_ns
feed_ns_of(const struct feed_node *n)
{
	return n->ns != NULL ? sym_class(n->ns) : NS_NONE;
}

const char *
feed_local(const struct feed_node *n)
{
	return n->name;
}

bool
feed_in_root_ns(const struct feed_ctx *c, const struct feed_node *n)
{
	/* URIs are interned per tree: equal URIs are one record. */
	return c->root_ns != NULL && n->ns == c->root_ns;
}

bool
feed_is(const struct feed_node *n, enum feed_ns ns, const char *name)
{
	return n->type == FEED_NODE_ELEM && strcmp(n->name, name) == 0 &&
	    feed_ns_of(n) == ns;
}

const char *
feed_attr(const struct feed_node *n, const char *name)
{
	const struct feed_attr *at;

	/* Any namespace but xml: (an undeclared prefix counts as none). */
	for (at = n->attrs; at != NULL; at = at->next) {
		if (strcmp(at->name, name) == 0 && (at->ns == NULL ||
		    at->ns->kind != FEED_SYM_URI || sym_class(at->ns) != NS_XML))
			return at->value;
	}
	return NULL;
}

const char *
feed_attr_ns(const struct feed_node *n, enum feed_ns ns, const char *name)
{
	const struct feed_attr *at;

	for (at = n->attrs; at != NULL; at = at->next) {
		enum feed_ns ans = at->ns != NULL ? sym_class(at->ns) : NS_NONE;
		if (ans == ns && strcmp(at->name, name) == 0)
			return at->value;
	}
	return NULL;
}

/* ---- text of nodes ---- */

#define MARK_OPEN "\xee\x80\x80"
#define MARK_CLOSE "\xee\x80\x81"

/* Appends s[0..n) with the CDATA markers of feed_prep_xml replaced by
 * the text they stand for. */
static void
text_expand(const struct feed_ctx *c, const char *s, size_t n, struct buf *b)
{
	const char *end = s + n, *m;

	while ((m = memmem(s, (size_t)(end - s), MARK_OPEN, 3)) != NULL) {
		const char *d = m + 3;
		size_t idx = 0;
		int nd = 0;

		while (d < end && *d >= '0' && *d <= '9' && nd < 9) {
			idx = idx * 10 + (size_t)(*d - '0');
			d++;
			nd++;
		}
		buf_append(b, s, (size_t)(m - s));
		if (nd > 0 && end - d >= 3 && memcmp(d, MARK_CLOSE, 3) == 0 &&
		    idx < c->ncdata) {
			buf_append(b, c->cdata[idx], c->cdata_len[idx]);
			s = d + 3;
		} else {
			s = m + 3;
		}
	}
	buf_append(b, s, (size_t)(end - s));
}

static bool
has_marker(const char *s, size_t n)
{
	return memchr(s, '\xee', n) != NULL && memmem(s, n, MARK_OPEN, 3) != NULL;
}

/* Appends the text of n's descendants (entity references are skipped: a
 * document never gets to expand anything). */
static void
text_collect(const struct feed_ctx *c, const struct feed_node *n, struct buf *b)
{
	const struct feed_node *k = n->children;
	int depth = 0;

	while (k != NULL) {
		if (k->type == FEED_NODE_TEXT || k->type == FEED_NODE_TEXT) {
			if (k->text != NULL)
				text_expand(c, k->text, k->len, b);
		} else if (k->type == FEED_NODE_ELEM && k->children != NULL) {
			k = k->children;
			depth++;
			continue;
		}
		while (k->next == NULL && depth > 0) {
			k = k->parent;
			depth--;
		}
		if (depth == 0 && k->next == NULL)
			break;
		k = k->next;
	}
}

/* When s[0..n) is white space around exactly one CDATA marker: the
 * section's text trimmed and cut to max ("" when empty), else NULL. */
static char *
cdata_only(const struct feed_ctx *c, const char *s, size_t n, size_t max)
{
	const char *d, *t, *end = s + n;
	size_t idx = 0, len;
	int nd = 0;
	char *r;

	while (s < end && feed_is_ws(*s))
		s++;
	if (end - s < 3 || memcmp(s, MARK_OPEN, 3) != 0)
		return NULL;
	for (d = s + 3; d < end && *d >= '0' && *d <= '9' && nd < 9; d++, nd++)
		idx = idx * 10 + (size_t)(*d - '0');
	if (nd == 0 || end - d < 3 || memcmp(d, MARK_CLOSE, 3) != 0 ||
	    idx >= c->ncdata)
		return NULL;
	for (d += 3; d < end && feed_is_ws(*d); d++)
		;
	if (d != end)
		return NULL;
	t = c->cdata[idx];
	len = c->cdata_len[idx];
	while (len > 0 && feed_is_ws(*t)) {
		t++;
		len--;
	}
	while (len > 0 && feed_is_ws(t[len - 1]))
		len--;
	if (t == c->cdata[idx] && len == c->cdata_len[idx] && len <= max &&
	    memchr(t, '\0', len) == NULL)
		return (char *)t;
	r = arena_strndup(c->a, t, len);
	if (r != NULL)
		sanitize_truncate_utf8(r, max);
	return r;
}

char *
feed_text(struct feed_ctx *c, const struct feed_node *n, size_t max)
{
	struct buf b;
	const char *s;
	size_t len;
	char *r = NULL;

	if (max == 0)
		max = TEXT_MAX_DEFAULT;
	/* The common case: one text child, no copy through a buffer. */
	if (n->children != NULL && n->children->next == NULL &&
	    (n->children->type == FEED_NODE_TEXT ||
	    n->children->type == FEED_NODE_TEXT) &&
	    n->children->text != NULL &&
	    !has_marker(n->children->text, n->children->len)) {
		const struct feed_node *t = n->children;
		const char *end = t->text + t->len;
		s = t->text;
		while (s < end && feed_is_ws(*s))
			s++;
		len = (size_t)(end - s);
		while (len > 0 && feed_is_ws(s[len - 1]))
			len--;
		if (len == 0)
			return NULL;
		/* Nothing to trim or cut: the tree's own arena copy (text in
		 * the document itself has no NUL after it, and may not outlive
		 * the parse). */
		if (s == t->text && len == t->len && len <= max && !t->in_doc)
			return (char *)t->text;
		r = arena_strndup(c->a, s, len);
		if (r != NULL)
			sanitize_truncate_utf8(r, max);
		return r;
	}
	/* One text child that is one CDATA marker (a big CDATA section):
	 * the section's own arena copy when nothing needs trimming. */
	if (n->children != NULL && n->children->next == NULL &&
	    n->children->type == FEED_NODE_TEXT &&
	    (r = cdata_only(c, n->children->text, n->children->len, max)) != NULL)
		return r[0] != '\0' ? r : NULL;
	buf_init(&b, max + 4096 + FEED_MAX_BODY_TEXT);
	text_collect(c, n, &b);
	s = buf_cstr(&b);
	while (feed_is_ws(*s))
		s++;
	len = strlen(s);
	while (len > 0 && feed_is_ws(s[len - 1]))
		len--;
	if (len > 0) {
		r = arena_strndup(c->a, s, len);
		if (r != NULL)
			sanitize_truncate_utf8(r, max);
	}
	buf_fini(&b);
	return r;
}

bool
feed_has_elements(const struct feed_node *n)
{
	const struct feed_node *c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == FEED_NODE_ELEM)
			return true;
	}
	return false;
}

static void
esc_n(struct buf *b, const char *s, size_t n, bool attr)
{
	const char *run = s, *end = s + n;

	for (; s < end; s++) {
		const char *r = NULL;
		if (*s == '&')
			r = "&amp;";
		else if (*s == '<')
			r = "&lt;";
		else if (*s == '>')
			r = "&gt;";
		else if (*s == '"' && attr)
			r = "&quot;";
		if (r == NULL)
			continue;
		buf_append(b, run, (size_t)(s - run));
		buf_appends(b, r);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

static void
esc(struct buf *b, const char *s, bool attr)
{
	esc_n(b, s, strlen(s), attr);
}

/* esc() of a text node, CDATA markers expanded first; as it is (HTML
 * source) when `raw`. */
static void
esc_text(const struct feed_ctx *c, struct buf *b, const struct feed_node *k,
    bool raw)
{
	struct buf t;

	if (raw) {
		text_expand(c, k->text, k->len, b);
		return;
	}
	if (!has_marker(k->text, k->len)) {
		esc_n(b, k->text, k->len, false);
		return;
	}
	buf_init(&t, FEED_MAX_BODY);
	text_expand(c, k->text, k->len, &t);
	esc(b, buf_cstr(&t), false);
	buf_fini(&t);
}

static bool
url_attr(const char *name)
{
	return strcmp(name, "href") == 0 || strcmp(name, "src") == 0 ||
	    strcmp(name, "cite") == 0 || strcmp(name, "poster") == 0;
}

/* Serializes element e as HTML; URL attributes resolved against the
 * xml:base in force there (the sanitizer only knows the outer base). */
static void
html_node(struct feed_ctx *c, const struct feed_node *e, const char *base,
    struct buf *b, int depth, bool raw)
{
	const struct feed_attr *at;
	const struct feed_node *k;
	const char *name = feed_local(e);

	if (depth > 256)
		return;
	base = feed_base(c, e, base);
	buf_appendc(b, '<');
	buf_appends(b, name);
	for (at = e->attrs; at != NULL; at = at->next) {
		const char *an = at->name, *v = at->value;
		if (v == NULL)
			continue;
		if (at->ns != NULL && at->ns->kind == FEED_SYM_URI) {
			/* xml:lang stays (the sanitizer maps it); other
			 * prefixed attributes are foreign. */
			if (at->prefix == NULL || strcmp(at->prefix, "xml") != 0 ||
			    strcmp(an, "lang") != 0)
				continue;
			an = "xml:lang";
		} else if (at->prefix != NULL) {
			/* An undeclared prefix: the name as written. */
			buf_appendc(b, ' ');
			buf_appends(b, at->prefix);
			buf_appendc(b, ':');
			buf_appends(b, an);
			buf_appends(b, "=\"");
			esc(b, v, true);
			buf_appendc(b, '"');
			continue;
		}
		if (url_attr(an) && base != NULL) {
			char *r = urlres_resolve(c->a, base, v);
			if (r != NULL)
				v = r;
		}
		buf_appendc(b, ' ');
		buf_appends(b, an);
		buf_appends(b, "=\"");
		esc(b, v, true);
		buf_appendc(b, '"');
	}
	buf_appendc(b, '>');
	for (k = e->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM)
			html_node(c, k, base, b, depth + 1, raw);
		else if ((k->type == FEED_NODE_TEXT ||
		    k->type == FEED_NODE_TEXT) && k->text != NULL)
			esc_text(c, b, k, raw);
	}
	buf_appends(b, "</");
	buf_appends(b, name);
	buf_appendc(b, '>');
}

/* feed_inner_html, text nodes escaped unless `raw`. */
static char *
inner_html(struct feed_ctx *c, const struct feed_node *n, bool skip_div,
    bool raw)
{
	struct buf b;
	const struct feed_node *k, *only = NULL;
	const char *base = NULL;
	char *r;
	int elems = 0;
	bool text = false;

	if (skip_div) {
		for (k = n->children; k != NULL; k = k->next) {
			if (k->type == FEED_NODE_ELEM) {
				only = k;
				elems++;
			} else if (k->type == FEED_NODE_TEXT && k->text != NULL) {
				text = text || !feed_all_ws(k->text, k->len);
			}
		}
		if (elems == 1 && !text && strcmp(feed_local(only), "div") == 0 &&
		    feed_ns_of(only) == NS_XHTML)
			n = only;
	}
	buf_init(&b, INNER_HTML_MAX);
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM)
			html_node(c, k, base, &b, 0, raw);
		else if ((k->type == FEED_NODE_TEXT ||
		    k->type == FEED_NODE_TEXT) && k->text != NULL)
			esc_text(c, &b, k, raw);
	}
	r = b.len > 0 ? arena_strdup(c->a, buf_cstr(&b)) : NULL;
	buf_fini(&b);
	return r;
}

char *
feed_inner_html(struct feed_ctx *c, const struct feed_node *n, bool skip_div)
{
	return inner_html(c, n, skip_div, false);
}

const char *
feed_base(struct feed_ctx *c, const struct feed_node *n, const char *parent)
{
	const char *xb = feed_attr_ns(n, NS_XML, "base");
	char *r;

	if (xb == NULL)
		return parent;
	if (parent == NULL)
		parent = c->base;
	r = parent != NULL ? urlres_resolve(c->a, parent, xb) :
	    urlres_clean(c->a, xb);
	return r != NULL ? r : parent;
}

char *
feed_url(struct feed_ctx *c, const char *base, const char *raw)
{
	if (raw == NULL)
		return NULL;
	if (base == NULL)
		base = c->base;
	return sanitize_url(c->a, base, raw, 0);
}

/* ---- text constructs ---- */

void
feed_tc_set(struct feed_tc *tc, const char *s, const struct feed_node *node,
    enum feed_ctype type, const char *base, int prio)
{
	if (prio <= tc->prio || (s == NULL && node == NULL))
		return;
	tc->s = s;
	tc->node = node;
	tc->type = type;
	tc->base = base;
	tc->prio = prio;
}

char *
feed_clean_text(struct feed_ctx *c, const char *s, size_t max)
{
	char *r;

	if (s == NULL)
		return NULL;
	r = arena_strdup(c->a, s);
	if (r == NULL)
		return NULL;
	sanitize_collapse_ws(r);
	sanitize_truncate_utf8(r, max);
	return r[0] != '\0' ? r : NULL;
}

/* The sanitizer, made on first use (many documents have no HTML to
 * clean); NULL when out of memory. */
static struct sanitize *
ctx_san(struct feed_ctx *c)
{
	if (c->san == NULL)
		c->san = sanitize_new(c->a);
	return c->san;
}

/* The HTML source of a construct (XHTML and naked markup serialized). */
static const char *
tc_source(struct feed_ctx *c, const struct feed_tc *tc)
{
	if (tc->node != NULL)
		return inner_html(c, tc->node, tc->type == CT_XHTML,
		    tc->type == CT_MIXED);
	return tc->s;
}

char *
feed_tc_text(struct feed_ctx *c, const struct feed_tc *tc, size_t max)
{
	const char *src;
	char *r = NULL;

	if (tc->prio == 0 || tc->type == CT_BINARY)
		return NULL;
	src = tc_source(c, tc);
	if (src == NULL)
		return NULL;
	/* Text, or "HTML" that has no markup: no need for the HTML parser. */
	if ((tc->type == CT_TEXT && tc->node == NULL) ||
	    !sanitize_looks_like_html(src, strlen(src)))
		return feed_clean_text(c, src, max);
	if (ctx_san(c) == NULL ||
	    sanitize_text(c->san, src, strlen(src), max, &r) != RC_OK)
		return NULL;
	return r != NULL && r[0] != '\0' ? r : NULL;
}

static void
item_images_add(struct feed_ctx *c, struct feed_item *it, char **imgs,
    size_t n)
{
	char **list;
	size_t i, k, total;

	if (n == 0)
		return;
	total = it->nimages + n;
	if (total > SANITIZE_MAX_IMAGES)
		total = SANITIZE_MAX_IMAGES;
	list = arena_calloc(c->a, total, sizeof(*list));
	if (list == NULL)
		return;
	for (i = 0; i < it->nimages && i < total; i++)
		list[i] = it->images[i];
	for (k = 0; k < n && i < total; k++) {
		size_t j;
		bool dup = false;
		for (j = 0; j < i; j++)
			dup = dup || strcmp(list[j], imgs[k]) == 0;
		if (!dup)
			list[i++] = imgs[k];
	}
	it->images = list;
	it->nimages = i;
}

char *
feed_tc_html(struct feed_ctx *c, const struct feed_tc *tc,
    struct feed_item *it)
{
	struct sanitize_opts o;
	struct sanitize_result r;
	const char *src;
	struct buf b;
	char *out;

	if (tc->prio == 0 || tc->type == CT_BINARY)
		return NULL;
	src = tc_source(c, tc);
	if (src == NULL)
		return NULL;
	if (tc->type == CT_TEXT && tc->node == NULL) {
		/* Plain text shown as HTML: escaped, nothing else. */
		buf_init(&b, FEED_MAX_HTML);
		esc(&b, src, false);
		out = b.len > 0 ? arena_strdup(c->a, buf_cstr(&b)) : NULL;
		buf_fini(&b);
		if (out != NULL)
			sanitize_truncate_utf8(out, FEED_MAX_HTML);
		return out;
	}
	memset(&o, 0, sizeof(o));
	o.base_url = tc->base != NULL ? tc->base : c->base;
	o.max_len = FEED_MAX_HTML;
	o.utf8 = c->text_utf8;
	if (ctx_san(c) == NULL ||
	    sanitize_html(c->san, src, strlen(src), &o, &r) != RC_OK)
		return NULL;
	if (it != NULL)
		item_images_add(c, it, r.images, r.nimages);
	return r.len > 0 ? r.html : NULL;
}

/* ---- values ---- */

void
feed_date(const char *s, long long *t, int *cur_prio, int prio)
{
	long long v;

	/* An equal source later in the item wins (as feedparser does). */
	if (s == NULL || prio < *cur_prio)
		return;
	if (time_parse(s, &v)) {
		*t = v;
		*cur_prio = prio;
	}
}

long long
feed_duration(const char *s)
{
	long long parts[3] = { 0, 0, 0 }, v = 0;
	int n = 0, digits = 0;

	if (s == NULL)
		return 0;
	while (feed_is_ws(*s))
		s++;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 9)
				return 0;
			v = v * 10 + (*s - '0');
		} else if (*s == ':' && n < 2 && digits > 0) {
			parts[n++] = v;
			v = 0;
			digits = 0;
		} else if (*s == '.' || feed_is_ws(*s)) {
			break; /* fractions and trailing junk ignored */
		} else {
			return 0;
		}
	}
	if (digits == 0)
		return 0;
	parts[n] = v;
	if (n == 0)
		return parts[0];
	if (n == 1)
		return parts[0] * 60 + parts[1];
	return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

/* ---- lists ---- */

/* What feed_parse fills in last when the parsers left it empty. */
static void
feed_head_defaults(struct feed_ctx *c)
{
	if (c->f->feed_url == NULL && c->base != NULL)
		c->f->feed_url = sanitize_url(c->a, NULL, c->base, 0);
}

void
feed_items_begin(struct feed_ctx *c, size_t nitems)
{
	const struct feed_item_sink *sink = c->opts != NULL ?
	    c->opts->sink : NULL;

	if (sink == NULL || c->headed)
		return;
	c->headed = true;
	feed_head_defaults(c);
	if (nitems > c->max_items)
		c->f->truncated = true;
	/* Made before the first item's mark: what lives across items (the
	 * sanitizer, the one item slot) is not given back with an item. */
	c->slot = arena_alloc(c->a, sizeof(*c->slot));
	if (ctx_san(c) == NULL || c->slot == NULL)
		c->slot = NULL;      /* no memory: items are dropped */
	c->sink = sink;
	sink->head(sink->ctx, c->f);
}

void
feed_parse_end(struct feed_ctx *c)
{
	struct feed *f = c->f;
	size_t i;

	feed_head_defaults(c);
	if (c->opts == NULL || c->opts->sink == NULL || c->headed)
		return;
	/* No parser began the items: they were kept, and go over now. */
	feed_items_begin(c, f->nitems);
	for (i = 0; i < f->nitems; i++)
		c->sink->item(c->sink->ctx, &f->items[i]);
	c->streamed = f->nitems;
	f->items = NULL;
	f->nitems = 0;
}

/* The one item of a sink's parse, marked to be given back once handed
 * over (feed_item_finish). */
static struct feed_item *
item_slot(struct feed_ctx *c)
{
	if (c->streamed >= c->max_items) {
		c->full = true;
		c->f->truncated = true;
		return NULL;
	}
	if (c->slot == NULL)
		return NULL;
	c->item_mark = arena_mark(c->a);
	memset(c->slot, 0, sizeof(*c->slot));
	return c->slot;
}

struct feed_item *
feed_item_add(struct feed_ctx *c)
{
	struct feed *f = c->f;
	struct feed_item *n;

	if (c->sink != NULL)
		return item_slot(c);
	if (f->nitems >= c->max_items) {
		c->full = true;
		f->truncated = true;
		return NULL;
	}
	if (f->nitems == c->cap_items) {
		size_t cap = c->cap_items ? c->cap_items * 2 : 16;
		if (cap > c->max_items)
			cap = c->max_items;
		/* Not zeroed: each item is, as it is handed out. */
		n = arena_alloc(c->a, cap * sizeof(*n));
		if (n == NULL)
			return NULL;
		if (f->nitems > 0)
			memcpy(n, f->items, f->nitems * sizeof(*n));
		f->items = n;
		c->cap_items = cap;
	}
	n = &f->items[f->nitems++];
	memset(n, 0, sizeof(*n));
	return n;
}

struct feed_person *
feed_person_add(struct feed_ctx *c, struct feed_person **list, size_t *n)
{
	struct feed_person *p;

	if (*n >= FEED_MAX_AUTHORS)
		return NULL;
	/* Lists stay short: grow one by one. */
	p = arena_calloc(c->a, *n + 1, sizeof(*p));
	if (p == NULL)
		return NULL;
	if (*n > 0)
		memcpy(p, *list, *n * sizeof(*p));
	*list = p;
	return &p[(*n)++];
}

static bool
person_same(const struct feed_person *a, const struct feed_person *b)
{
	if (a->name != NULL && b->name != NULL)
		return strcasecmp(a->name, b->name) == 0;
	if (a->email != NULL && b->email != NULL)
		return strcasecmp(a->email, b->email) == 0;
	return a->name == NULL && b->name == NULL && a->url != NULL &&
	    b->url != NULL && strcmp(a->url, b->url) == 0;
}

void
feed_person_put(struct feed_ctx *c, struct feed_person **list, size_t *n,
    const struct feed_person *p)
{
	struct feed_person *q;
	size_t i;

	for (i = 0; i < *n; i++) {
		q = &(*list)[i];
		if (!person_same(q, p))
			continue;
		if (q->url == NULL)
			q->url = p->url;
		if (q->email == NULL)
			q->email = p->email;
		if (q->avatar == NULL)
			q->avatar = p->avatar;
		return;
	}
	q = feed_person_add(c, list, n);
	if (q != NULL)
		*q = *p;
}

static bool
email_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    c == '+';
}

void
feed_person_parse(struct feed_ctx *c, struct feed_person *p, const char *s)
{
	const char *at, *b, *e;
	char *rest, *q;
	size_t i, j;

	if (s == NULL)
		return;
	at = strchr(s, '@');
	if (at != NULL) {
		b = at;
		while (b > s && email_char(b[-1]))
			b--;
		e = at + 1;
		while (email_char(*e))
			e++;
		/* A domain needs a dot and something around the '@'. */
		if (b < at && e > at + 1 && memchr(at, '.', (size_t)(e - at))) {
			const char *eb = b;
			if (b - s >= 7 && strncasecmp(b - 7, "mailto:", 7) == 0)
				b -= 7;
			p->email = arena_strndup(c->a, eb, (size_t)(e - eb));
			rest = arena_printf(c->a, "%.*s%s", (int)(b - s), s, e);
		} else {
			rest = arena_strdup(c->a, s);
		}
	} else {
		rest = arena_strdup(c->a, s);
	}
	if (rest == NULL)
		return;
	/* What is left, without the brackets that held the address. */
	for (i = 0, j = 0; rest[i] != '\0'; i++) {
		if (p->email != NULL && strchr("()<>", rest[i]) != NULL)
			continue;
		rest[j++] = rest[i];
	}
	rest[j] = '\0';
	q = feed_clean_text(c, rest, FEED_MAX_NAME);
	if (q != NULL)
		p->name = q;
	if (p->email != NULL)
		sanitize_truncate_utf8(p->email, FEED_MAX_NAME);
}

void
feed_tag_add(struct feed_ctx *c, struct feed_item *it, const char *tag)
{
	char *t, **list;
	size_t i;

	if (it->ntags >= FEED_MAX_TAGS)
		return;
	t = feed_clean_text(c, tag, FEED_MAX_NAME);
	if (t == NULL)
		return;
	for (i = 0; i < it->ntags; i++) {
		if (strcmp(it->tags[i], t) == 0)
			return;
	}
	list = arena_calloc(c->a, it->ntags + 1, sizeof(*list));
	if (list == NULL)
		return;
	if (it->ntags > 0)
		memcpy(list, it->tags, it->ntags * sizeof(*list));
	list[it->ntags++] = t;
	it->tags = list;
}

struct feed_attachment *
feed_attachment_add(struct feed_ctx *c, struct feed_item *it,
    const char *url)
{
	struct feed_attachment *list;
	size_t i;

	if (url == NULL)
		return NULL;
	for (i = 0; i < it->nattachments; i++) {
		if (strcmp(it->attachments[i].url, url) == 0)
			return &it->attachments[i];
	}
	if (it->nattachments >= FEED_MAX_ATTACHMENTS)
		return NULL;
	list = arena_calloc(c->a, it->nattachments + 1, sizeof(*list));
	if (list == NULL)
		return NULL;
	if (it->nattachments > 0)
		memcpy(list, it->attachments, it->nattachments * sizeof(*list));
	it->attachments = list;
	list[it->nattachments].url = (char *)url;
	return &list[it->nattachments++];
}

void
feed_image(struct feed_ctx *c, char **slot, int *cur, int prio,
    const char *base, const char *raw)
{
	char *u;

	if (prio <= *cur || raw == NULL)
		return;
	u = feed_url(c, base, raw);
	if (u == NULL)
		return;
	*slot = u;
	*cur = prio;
}

struct mime_ext {
	const char *ext;
	const char *type;
};

static const struct mime_ext mime_exts[] = {
	{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" }, { "png", "image/png" },
	{ "gif", "image/gif" }, { "webp", "image/webp" }, { "avif", "image/avif" },
	{ "svg", "image/svg+xml" }, { "mp4", "video/mp4" }, { "m4v", "video/mp4" },
	{ "webm", "video/webm" }, { "mov", "video/quicktime" },
	{ "mp3", "audio/mpeg" }, { "m4a", "audio/mp4" }, { "ogg", "audio/ogg" },
	{ "opus", "audio/ogg" }, { "wav", "audio/wav" }, { "pdf", "application/pdf" },
};

const char *
feed_mime_guess(const char *url, const char *medium)
{
	const char *end, *dot = NULL, *p;
	size_t i, n;

	if (url != NULL) {
		end = url + strcspn(url, "?#");
		for (p = url; p < end; p++) {
			if (*p == '.')
				dot = p + 1;
			else if (*p == '/')
				dot = NULL;
		}
		n = dot != NULL ? (size_t)(end - dot) : 0;
		for (i = 0; n > 0 && i < sizeof(mime_exts) / sizeof(mime_exts[0]);
		    i++) {
			if (strlen(mime_exts[i].ext) == n &&
			    strncasecmp(mime_exts[i].ext, dot, n) == 0)
				return mime_exts[i].type;
		}
	}
	if (medium == NULL)
		return NULL;
	if (strcasecmp(medium, "image") == 0)
		return "image/*";
	if (strcasecmp(medium, "video") == 0)
		return "video/*";
	if (strcasecmp(medium, "audio") == 0)
		return "audio/*";
	return NULL;
}

/* ---- items ---- */

/* feedburner:origEnclosureLink: the publisher's URL of the enclosure
 * feedburner rewrote (the first one), else an attachment of its own. */
static void
orig_enclosure(struct feed_ctx *c, struct feed_ib *b)
{
	struct feed_item *it = b->it;
	struct feed_attachment *at;
	char *u = feed_url(c, b->base, b->orig_enclosure);
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < it->nattachments; i++) {
		if (strcmp(it->attachments[i].url, u) == 0)
			return;
	}
	if (b->enclosure_at == 0 || b->enclosure_at > it->nattachments) {
		at = feed_attachment_add(c, it, u);
		if (at != NULL && at->mime_type == NULL &&
		    feed_mime_guess(u, NULL) != NULL)
			at->mime_type = arena_strdup(c->a,
			    feed_mime_guess(u, NULL));
		return;
	}
	at = &it->attachments[b->enclosure_at - 1];
	if (it->image != NULL && strcmp(it->image, at->url) == 0)
		it->image = u;
	at->url = u;
}

void
feed_ib_init(struct feed_ctx *c, struct feed_ib *b, struct feed_item *it,
    const char *base)
{
	(void)c;
	memset(b, 0, sizeof(*b));
	b->it = it;
	b->base = base;
	b->guid_permalink = true;
}

static char *
hash_id(struct feed_ctx *c, const struct feed_item *it)
{
	unsigned char h[SHA256_LEN];
	struct buf b;
	char *r;
	size_t i;

	buf_init(&b, 4 * FEED_MAX_HTML);
	buf_appends(&b, it->title ? it->title : "");
	buf_appendc(&b, '\n');
	buf_appends(&b, it->content_html ? it->content_html :
	    it->content_text ? it->content_text : "");
	buf_appendc(&b, '\n');
	buf_appends(&b, it->summary ? it->summary : "");
	if (!it->date_missing)
		buf_appendf(&b, "\n%lld", it->published);
	sha256_digest(b.data ? b.data : "", b.len, h);
	buf_fini(&b);
	r = arena_alloc(c->a, 5 + 32 + 1);
	if (r == NULL)
		return NULL;
	memcpy(r, "hash:", 5);
	for (i = 0; i < 16; i++) {
		r[5 + i * 2] = "0123456789abcdef"[h[i] >> 4];
		r[5 + i * 2 + 1] = "0123456789abcdef"[h[i] & 15];
	}
	r[5 + 32] = '\0';
	return r;
}

static void
item_id(struct feed_ctx *c, struct feed_ib *b)
{
	struct feed_item *it = b->it;
	char *g = b->guid != NULL ? feed_clean_text(c, b->guid, SIZE_MAX) :
	    NULL;

	if (g != NULL && strlen(g) <= FEED_MAX_ID) {
		it->id = g;
		return;
	}
	if (it->url != NULL && strlen(it->url) <= FEED_MAX_ID) {
		it->id = it->url;
		return;
	}
	it->id = hash_id(c, it);
}

/* Plain text that keeps its line breaks: trimmed and capped only. */
static char *
text_keep_lines(struct feed_ctx *c, const char *s, size_t max)
{
	size_t n, len;
	char *t;

	if (s == NULL)
		return NULL;
	while (feed_is_ws(*s))
		s++;
	n = len = strlen(s);
	while (n > 0 && feed_is_ws(s[n - 1]))
		n--;
	if (n == 0)
		return NULL;
	/* Nothing to cut at the end: the text itself (parse arena memory,
	 * never written; see struct feed_tc). */
	if (n == len && n <= max)
		return (char *)s;
	t = arena_strndup(c->a, s, n);
	if (t != NULL)
		sanitize_truncate_utf8(t, max);
	return t;
}

void
feed_item_finish(struct feed_ctx *c, struct feed_ib *b)
{
	struct feed_item *it = b->it;
	struct feed *f = c->f;
	const struct feed_tc *body = &b->content;

	it->title = feed_tc_text(c, &b->title, FEED_MAX_TITLE);
	if (body->prio == 0 || (body->type == CT_BINARY))
		body = &b->summary;
	if (body->prio != 0 && body->type == CT_TEXT && body->node == NULL)
		it->content_text = text_keep_lines(c, body->s, FEED_MAX_TEXT);
	else if (body->prio != 0)
		it->content_html = feed_tc_html(c, body, it);
	if (body != &b->summary && b->summary.prio != 0)
		it->summary = feed_tc_text(c, &b->summary, FEED_MAX_SUMMARY);
	if (b->orig_enclosure != NULL)
		orig_enclosure(c, b);
	if (b->link != NULL)
		it->url = feed_url(c, b->base, b->link);
	if (it->url == NULL && b->guid != NULL && b->guid_permalink) {
		char *g = feed_clean_text(c, b->guid, FEED_URL_READ);
		/* Only an absolute http(s) guid is a permalink. */
		if (g != NULL && urlres_is_absolute(g))
			it->url = feed_url(c, NULL, g);
	}
	if (b->pub_prio == 0 && b->upd_prio > 0) {
		it->published = it->updated;
	} else if (b->pub_prio == 0) {
		it->published = c->opts != NULL ? c->opts->fetch_time : 0;
		it->date_missing = true;
	}
	if (it->image == NULL && it->nimages > 0)
		it->image = it->images[0];
	if (it->nauthors == 0 && b->inherit_authors && f->nauthors > 0) {
		it->authors = f->authors;
		it->nauthors = f->nauthors;
	}
	if (it->language != NULL)
		sanitize_truncate_utf8(it->language, FEED_MAX_LANG);
	item_id(c, b);
	if (c->sink != NULL) {
		c->sink->item(c->sink->ctx, it);
		c->streamed++;
		arena_rewind(c->a, &c->item_mark);
	}
}

/* ---- detection ---- */

/* feed_atom: Atom 1.0 (RFC 4287) and Atom 0.3. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/crypto_b64.h"
#include "util/url.h"
#include "widgets/feeds/feed_ext.h"
#include "widgets/feeds/feed_formats.h"

enum {
	P_LOW = 5,
	P_EXT = 20,
	P_CORE = 30,
};

static bool
atom_ns(const struct feed_ctx *c, const struct feed_node *n)
{
	enum feed_ns ns = feed_ns_of(n);

	return ns == NS_ATOM10 || ns == NS_ATOM03 || ns == NS_NONE ||
	    feed_in_root_ns(c, n);
}

/* ---- text constructs ---- */

/* Base64 in either alphabet, padding and white space anywhere passed over
 * (CRYPTO_B64_LAX), decoded to a string; NULL when it is not base64, holds
 * a NUL or is not UTF-8 text. */
static char *
b64_text(struct feed_ctx *c, const char *s)
{
	unsigned char *out;
	size_t n;

	if (s == NULL || crypto_b64_decode(c->a, s, strlen(s),
	    CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, &out, &n) != RC_OK)
		return NULL;
	if (memchr(out, '\0', n) != NULL || !utf8_valid((const char *)out, n))
		return NULL;
	return (char *)out;
}

static bool
type_is(const char *t, const char *a, const char *b)
{
	return t != NULL && (strcasecmp(t, a) == 0 ||
	    (b != NULL && strcasecmp(t, b) == 0));
}

/* The one xhtml div child of n when it holds only text, else NULL. */
static const struct feed_node *
only_div_of_text(const struct feed_node *n)
{
	const struct feed_node *k, *div = NULL;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM) {
			if (div != NULL || strcmp(feed_local(k), "div") != 0 ||
			    feed_ns_of(k) != NS_XHTML)
				return NULL;
			div = k;
		} else if (k->type == FEED_NODE_TEXT && k->text != NULL &&
		    !feed_all_ws(k->text, k->len)) {
			return NULL;
		}
	}
	if (div == NULL || feed_has_elements(div))
		return NULL;
	return div;
}

/*
 * An Atom text construct (1.0 type=text|html|xhtml|MIME, 0.3 type=MIME
 * with mode=xml|escaped|base64) into tc.
 */
static void
atom_tc(struct feed_ctx *c, struct feed_tc *tc, const struct feed_node *n,
    const char *base, int prio)
{
	const char *type = feed_attr(n, "type");
	const char *mode = feed_attr(n, "mode");
	bool naked = feed_has_elements(n);
	char *s;

	base = feed_base(c, n, base);
	if (mode != NULL && strcasecmp(mode, "base64") == 0) {
		s = b64_text(c, feed_text(c, n, 0));
		feed_tc_set(tc, s, NULL, type_is(type, "text/html", "html") ?
		    CT_HTML : CT_TEXT, base, prio);
		return;
	}
	/* Atom 1.0 xhtml: the wrapping div is not content (3.1.1.3). */
	if (type_is(type, "xhtml", NULL)) {
		feed_tc_set(tc, NULL, n, CT_XHTML, base, prio);
		return;
	}
	/* TypePad: type="html" whose escaped HTML sits in an xhtml div. */
	if (naked && type_is(type, "html", "text/html")) {
		const struct feed_node *d = only_div_of_text(n);
		if (d != NULL) {
			feed_tc_set(tc, feed_text(c, d, 0), NULL, CT_HTML, base,
			    prio);
			return;
		}
	}
	/* Inline markup under any other type (Atom 0.3 mode="xml"): HTML. */
	if (naked) {
		feed_tc_set(tc, NULL, n, CT_HTML, base, prio);
		return;
	}
	if (type_is(type, "html", "text/html") ||
	    type_is(type, "application/xhtml+xml", NULL)) {
		feed_tc_set(tc, feed_text(c, n, 0), NULL, CT_HTML, base, prio);
		return;
	}
	/* A value that is no media type ("plaintext", "TEXT", "string"):
	 * text, rather than the title lost as base64. */
	if (type == NULL || type[0] == '\0' || type_is(type, "text", NULL) ||
	    strncasecmp(type, "text/", 5) == 0 || strchr(type, '/') == NULL) {
		feed_tc_set(tc, feed_text(c, n, 0), NULL, CT_TEXT, base, prio);
		return;
	}
	{
		size_t tl = strlen(type);
		if (tl > 4 && (strcasecmp(type + tl - 4, "+xml") == 0 ||
		    strcasecmp(type + tl - 4, "/xml") == 0)) {
			feed_tc_set(tc, feed_text(c, n, 0), NULL, CT_TEXT, base,
			    prio);
			return;
		}
	}
	/* Any other media type is base64 (RFC 4287 4.1.3.3). */
	s = b64_text(c, feed_text(c, n, 0));
	feed_tc_set(tc, s, NULL, s != NULL ? CT_TEXT : CT_BINARY, base, prio);
}

/* ---- persons and links ---- */

static void
atom_person(struct feed_ctx *c, const struct feed_node *n, const char *base,
    struct feed_person **list, size_t *count, int *cur, int prio)
{
	struct feed_person tmp;
	const struct feed_node *k;

	if (*cur > prio)
		return;
	memset(&tmp, 0, sizeof(tmp));
	base = feed_base(c, n, base);
	for (k = n->children; k != NULL; k = k->next) {
		const char *name;
		if (k->type != FEED_NODE_ELEM || !atom_ns(c, k))
			continue;
		name = feed_local(k);
		if (strcmp(name, "name") == 0 && tmp.name == NULL)
			tmp.name = feed_clean_text(c, feed_text(c, k, 0),
			    FEED_MAX_NAME);
		else if ((strcmp(name, "uri") == 0 || strcmp(name, "url") == 0 ||
		    strcmp(name, "homepage") == 0) && tmp.url == NULL)
			tmp.url = feed_url(c, feed_base(c, k, base),
			    feed_text(c, k, FEED_URL_READ));
		else if (strcmp(name, "email") == 0 && tmp.email == NULL)
			tmp.email = feed_clean_text(c, feed_text(c, k, 0),
			    FEED_MAX_NAME);
	}
	if (tmp.name == NULL && tmp.url == NULL && tmp.email == NULL)
		return;
	if (*cur < prio) {
		*count = 0;
		*cur = prio;
	}
	feed_person_put(c, list, count, &tmp);
}

/* The target of a link: href, or (broken feeds) the element's text. */
static const char *
link_href(struct feed_ctx *c, const struct feed_node *n)
{
	const char *h = feed_attr(n, "href");

	return h != NULL ? h : feed_text(c, n, FEED_URL_READ);
}

static int
alt_prio(const char *type)
{
	/* An HTML alternate beats other alternates. */
	if (type == NULL || strcasecmp(type, "text/html") == 0 ||
	    strcasecmp(type, "application/xhtml+xml") == 0)
		return P_CORE;
	return P_CORE - 1;
}

static void
entry_link(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n,
    int prio)
{
	const char *rel = feed_attr(n, "rel");
	const char *type = feed_attr(n, "type");
	const char *href = link_href(c, n);
	const char *base = feed_base(c, n, b->base);
	struct feed_attachment *at;
	char *u;

	if (href == NULL)
		return;
	if (rel == NULL || strcmp(rel, "alternate") == 0 ||
	    strcmp(rel, "http://www.iana.org/assignments/relation/alternate") == 0) {
		int p = alt_prio(type) - (P_CORE - prio);
		u = feed_url(c, base, href);
		if (u != NULL && p > b->link_prio) {
			b->link = u;
			b->link_prio = p;
		}
	} else if (strcmp(rel, "enclosure") == 0) {
		u = feed_url(c, base, href);
		at = feed_attachment_add(c, b->it, u);
		if (at == NULL)
			return;
		if (b->enclosure_at == 0)
			b->enclosure_at = (size_t)(at - b->it->attachments) + 1;
		if (type == NULL)
			type = feed_mime_guess(u, NULL);
		if (at->mime_type == NULL && type != NULL)
			at->mime_type = feed_clean_text(c, type, FEED_MAX_NAME);
		if (at->title == NULL)
			at->title = feed_clean_text(c, feed_attr(n, "title"),
			    FEED_MAX_TITLE);
		if (at->size_in_bytes == 0) {
			const char *l = feed_attr(n, "length");
			long long v = 0;
			int d = 0;
			for (; l != NULL && *l >= '0' && *l <= '9' && d < 18;
			    l++, d++)
				v = v * 10 + (*l - '0');
			at->size_in_bytes = v;
		}
		if (type != NULL && strncasecmp(type, "image/", 6) == 0)
			feed_image(c, &b->it->image, &b->image_prio, P_EXT,
			    base, u);
	} else if (strcmp(rel, "related") == 0 && b->it->external_url == NULL) {
		b->it->external_url = feed_url(c, base, href);
	}
}

/* ---- entry ---- */

/*
 * An Atom element of an entry: in an Atom entry at P_CORE; in an RSS item
 * (atom:link, .NET's a10:link, ...) at P_CORE - 1, so the RSS element of
 * the same meaning wins there.
 */
static void
entry_child(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *k,
    int p)
{
	const char *name = feed_local(k);
	struct feed_item *it = b->it;

	if (strcmp(name, "id") == 0) {
		if (b->guid == NULL && p == P_CORE)
			b->guid = feed_text(c, k, 0);
	} else if (strcmp(name, "title") == 0) {
		atom_tc(c, &b->title, k, b->base, p);
	} else if (strcmp(name, "link") == 0) {
		entry_link(c, b, k, p);
	} else if (strcmp(name, "content") == 0) {
		const char *src = feed_attr(k, "src");
		if (src != NULL && it->external_url == NULL)
			it->external_url = feed_url(c, feed_base(c, k, b->base),
			    src);
		else
			atom_tc(c, &b->content, k, b->base, p);
	} else if (strcmp(name, "summary") == 0) {
		atom_tc(c, &b->summary, k, b->base, p);
	} else if (strcmp(name, "published") == 0 ||
	    strcmp(name, "issued") == 0) {
		feed_date(feed_text(c, k, 256), &it->published, &b->pub_prio, p);
	} else if (strcmp(name, "created") == 0) {
		feed_date(feed_text(c, k, 256), &it->published, &b->pub_prio,
		    p - 1);
	} else if (strcmp(name, "updated") == 0 ||
	    strcmp(name, "modified") == 0) {
		feed_date(feed_text(c, k, 256), &it->updated, &b->upd_prio, p);
	} else if (strcmp(name, "author") == 0) {
		atom_person(c, k, b->base, &it->authors, &it->nauthors,
		    &b->author_prio, p);
	} else if (strcmp(name, "category") == 0) {
		const char *t = feed_attr(k, "term");
		feed_tag_add(c, it, t != NULL ? t : feed_attr(k, "label"));
	}
}

void
feed_atom_rss_child(struct feed_ctx *c, struct feed_ib *b,
    const struct feed_node *k)
{
	entry_child(c, b, k, P_CORE - 1);
}

static void
atom_entry(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	struct feed_item *it;
	struct feed_ib b;
	const struct feed_node *k;
	const char *lang;
	size_t i;

	it = feed_item_add(c);
	if (it == NULL)
		return;
	feed_ib_init(c, &b, it, feed_base(c, n, base));
	b.inherit_authors = true;
	lang = feed_attr_ns(n, NS_XML, "lang");
	if (lang != NULL)
		it->language = feed_clean_text(c, lang, FEED_MAX_LANG);
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type != FEED_NODE_ELEM)
			continue;
		if (atom_ns(c, k))
			entry_child(c, &b, k, P_CORE);
		else
			feed_ext_item(c, &b, k);
	}
	for (i = 0; i < it->nattachments; i++) {
		if (it->attachments[i].duration_seconds == 0)
			it->attachments[i].duration_seconds = b.duration;
	}
	feed_item_finish(c, &b);
}

/* ---- feed ---- */

static void
feed_link(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	const char *rel = feed_attr(n, "rel");
	const char *href = link_href(c, n);
	char *u;

	if (href == NULL)
		return;
	base = feed_base(c, n, base);
	if (rel == NULL || strcmp(rel, "alternate") == 0) {
		int p = alt_prio(feed_attr(n, "type"));
		u = feed_url(c, base, href);
		if (u != NULL && p > c->flink_prio) {
			c->f->home_page_url = u;
			c->flink_prio = p;
		}
	} else if (strcmp(rel, "self") == 0 && c->f->feed_url == NULL) {
		c->f->feed_url = feed_url(c, base, href);
	}
}

static void
feed_child(struct feed_ctx *c, const struct feed_node *k, const char *base)
{
	const char *name = feed_local(k);
	struct feed *f = c->f;

	if (strcmp(name, "entry") == 0) {
		if (!c->full)
			atom_entry(c, k, base);
	} else if (strcmp(name, "title") == 0) {
		atom_tc(c, &c->ftitle, k, base, P_CORE);
	} else if (strcmp(name, "subtitle") == 0 ||
	    strcmp(name, "tagline") == 0) {
		atom_tc(c, &c->fdesc, k, base, P_CORE);
	} else if (strcmp(name, "link") == 0) {
		feed_link(c, k, base);
	} else if (strcmp(name, "id") == 0) {
		if (f->id == NULL)
			f->id = feed_clean_text(c, feed_text(c, k, 0),
			    FEED_MAX_ID);
	} else if (strcmp(name, "icon") == 0) {
		if (f->favicon == NULL)
			f->favicon = feed_url(c, feed_base(c, k, base),
			    feed_text(c, k, FEED_URL_READ));
	} else if (strcmp(name, "logo") == 0) {
		feed_image(c, &f->icon, &c->fimage_prio, P_CORE,
		    feed_base(c, k, base), feed_text(c, k, FEED_URL_READ));
	} else if (strcmp(name, "author") == 0) {
		atom_person(c, k, base, &f->authors, &f->nauthors,
		    &c->fauthor_prio, P_CORE);
	}
}

static bool
is_entry(struct feed_ctx *c, const struct feed_node *k)
{
	return k->type == FEED_NODE_ELEM && atom_ns(c, k) &&
	    strcmp(feed_local(k), "entry") == 0;
}

enum rc
feed_atom_parse(struct feed_ctx *c, const struct feed_node *root)
{
	const char *base = feed_base(c, root, c->base);
	const char *lang, *version;
	struct feed *f = c->f;
	const struct feed_node *k;
	size_t n;

	version = feed_attr(root, "version");
	f->format = feed_ns_of(root) == NS_ATOM03 ||
	    (version != NULL && strcmp(version, "0.3") == 0) ? FEED_ATOM03 :
	    FEED_ATOM10;
	lang = feed_attr_ns(root, NS_XML, "lang");
	if (lang != NULL)
		f->language = feed_clean_text(c, lang, FEED_MAX_LANG);
	/* Feed-level children first (authors are inherited by entries). */
	for (k = root->children; k != NULL; k = k->next) {
		if (k->type != FEED_NODE_ELEM)
			continue;
		if (!atom_ns(c, k))
			feed_ext_feed(c, k, base);
		else if (strcmp(feed_local(k), "entry") != 0)
			feed_child(c, k, base);
	}
	f->title = feed_tc_text(c, &c->ftitle, FEED_MAX_TITLE);
	f->description = feed_tc_text(c, &c->fdesc, FEED_MAX_SUMMARY);
	for (k = root->children, n = 0; k != NULL; k = k->next)
		n += is_entry(c, k);
	feed_items_begin(c, n);
	for (k = root->children; k != NULL; k = k->next) {
		if (is_entry(c, k))
			feed_child(c, k, base);
	}
	return RC_OK;
}

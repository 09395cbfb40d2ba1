/* feed_rss: RSS 0.9x, 2.0 and 1.0 (RDF), plus Netscape/Microsoft CDF. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "widgets/feeds/feed_ext.h"
#include "widgets/feeds/feed_formats.h"

enum {
	P_LOW = 5,
	P_EXT = 20,
	P_CORE = 30,
};

/* The elements of an item, by (case-insensitive) local name. */
struct rss_item_rule {
	const char *name;
	void (*fn)(struct feed_ctx *, struct feed_ib *, const struct feed_node *);
};

struct rss_chan_rule {
	const char *name;
	void (*fn)(struct feed_ctx *, const struct feed_node *, const char *base);
};

/* strcasecmp(name, rule) == 0 for a rule that starts with a lower-case
 * letter: most names differ from it there, and are told apart without
 * the call (C locale: only the letter's two cases match). */
static bool
name_is(const char *name, const char *rule)
{
	return (name[0] | 0x20) == rule[0] && strcasecmp(name, rule) == 0;
}

/* RSS core elements have no namespace (or an RSS one). */
static bool
rss_core(const struct feed_ctx *c, const struct feed_node *n)
{
	enum feed_ns ns = feed_ns_of(n);

	return ns == NS_NONE || ns == NS_RSS10 || feed_in_root_ns(c, n);
}

static bool
ascii_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* True when s[0..n), read as HTML, holds a tag or a reference: "<b>",
 * "</a>", "&amp;", "&#32;". */
static bool
html_source(const char *s, size_t n)
{
	const char *end = s + n;

	for (; s < end; s++) {
		char c1 = s + 1 < end ? s[1] : '\0';
		if (*s == '<' && (c1 == '/' || c1 == '!' ||
		    ((c1 | 0x20) >= 'a' && (c1 | 0x20) <= 'z')))
			return true;
		if (*s == '&' && (c1 == '#' || ((c1 | 0x20) >= 'a' &&
		    (c1 | 0x20) <= 'z'))) {
			const char *p = s + 2;
			size_t k = 0;
			while (p + k < end && k < 32 && ascii_alnum(p[k]))
				k++;
			if (k < 32 && p + k < end && p[k] == ';')
				return true;
		}
	}
	return false;
}

/* Naked markup beside escaped markup (old Reddit, some CMS templates):
 * the text between the elements is HTML source too, as readers that take
 * the element's inner XML as HTML show it. */
static bool
mixed_markup(const struct feed_node *n)
{
	const struct feed_node *k;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_TEXT && k->text != NULL &&
		    html_source(k->text, k->len))
			return true;
	}
	return false;
}

/* A text element that may hold escaped or naked markup. */
static void
tc_from(struct feed_ctx *c, struct feed_tc *tc, const struct feed_node *n,
    const char *base, int prio)
{
	base = feed_base(c, n, base);
	if (feed_has_elements(n))
		feed_tc_set(tc, NULL, n, mixed_markup(n) ? CT_MIXED : CT_HTML,
		    base, prio);
	else
		feed_tc_set(tc, feed_text(c, n, 0), NULL, CT_HTML, base, prio);
}

/* ---- item ---- */

static void
it_title(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	tc_from(c, &b->title, n, b->base, P_CORE);
}

static void
it_link(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	const char *l = feed_text(c, n, FEED_URL_READ);

	if (l == NULL)
		l = feed_attr(n, "href");
	if (l != NULL && b->link_prio < P_CORE) {
		b->link = l;
		b->link_prio = P_CORE;
	}
}

/* description and the non-standard summary: the first of the two is the
 * summary, the other the body (unless content:encoded gives one). */
static void
it_description(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	if (b->summary_elem)
		tc_from(c, &b->content, n, b->base, P_CORE - 3);
	else
		tc_from(c, &b->summary, n, b->base, P_CORE);
}

static void
it_summary(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	if (b->summary.prio >= P_CORE) {
		tc_from(c, &b->content, n, b->base, P_CORE - 3);
		return;
	}
	tc_from(c, &b->summary, n, b->base, P_CORE);
	b->summary_elem = true;
}

static void
it_fullitem(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	tc_from(c, &b->content, n, b->base, P_CORE - 2);
}

static void
it_body(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	tc_from(c, &b->content, n, b->base, P_CORE - 1);
}

static void
it_guid(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	const char *pl = feed_attr(n, "isPermaLink");

	if (b->guid != NULL)
		return;
	b->guid = feed_text(c, n, 0);
	b->guid_permalink = pl == NULL || strcasecmp(pl, "false") != 0;
}

static void
it_pubdate(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	feed_date(feed_text(c, n, 256), &b->it->published, &b->pub_prio,
	    P_CORE);
}

static void
it_author(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	feed_author(c, &b->it->authors, &b->it->nauthors, &b->author_prio,
	    P_CORE, feed_text(c, n, 512));
}

static void
it_category(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	feed_tag_add(c, b->it, feed_text(c, n, 1024));
}

static void
it_enclosure(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	const char *url = feed_attr(n, "url");
	const char *type = feed_attr(n, "type");
	char *u = feed_url(c, feed_base(c, n, b->base), url);
	struct feed_attachment *at;

	if (u == NULL)
		return;
	at = feed_attachment_add(c, b->it, u);
	if (at == NULL)
		return;
	if (b->enclosure_at == 0)
		b->enclosure_at = (size_t)(at - b->it->attachments) + 1;
	if (type == NULL)
		type = feed_mime_guess(u, NULL);
	if (at->mime_type == NULL && type != NULL)
		at->mime_type = feed_clean_text(c, type, FEED_MAX_NAME);
	if (at->size_in_bytes == 0) {
		const char *l = feed_attr(n, "length");
		long long v = 0;
		int d = 0;
		for (; l != NULL && *l >= '0' && *l <= '9' && d < 18; l++, d++)
			v = v * 10 + (*l - '0');
		at->size_in_bytes = v;
	}
	if (type != NULL && strncasecmp(type, "image/", 6) == 0)
		feed_image(c, &b->it->image, &b->image_prio, P_EXT, b->base, u);
}

/* Sorted by nothing: a short list, scanned. */
static const struct rss_item_rule item_rules[] = {
	{ "title", it_title },
	{ "link", it_link },
	{ "description", it_description },
	{ "guid", it_guid },
	{ "pubDate", it_pubdate },
	{ "author", it_author },
	{ "category", it_category },
	{ "enclosure", it_enclosure },
	{ "fullitem", it_fullitem },
	{ "body", it_body },
	{ "summary", it_summary },
	{ "abstract", it_description },   /* CDF */
};

static void
item_lang(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	const char *l = feed_attr_ns(n, NS_XML, "lang");

	if (l != NULL)
		b->it->language = feed_clean_text(c, l, FEED_MAX_LANG);
}

static void
rss_item(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	struct feed_item *it;
	struct feed_ib b;
	const struct feed_node *k;
	const char *about, *href, *lastmod;
	size_t i;

	it = feed_item_add(c);
	if (it == NULL)
		return;
	feed_ib_init(c, &b, it, feed_base(c, n, base));
	item_lang(c, &b, n);
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type != FEED_NODE_ELEM)
			continue;
		if (!rss_core(c, k)) {
			enum feed_ns ns = feed_ns_of(k);
			if (ns == NS_ATOM10 || ns == NS_ATOM03)
				feed_atom_rss_child(c, &b, k);
			else
				feed_ext_item(c, &b, k);
			continue;
		}
		for (i = 0; i < sizeof(item_rules) / sizeof(item_rules[0]); i++) {
			if (name_is(feed_local(k), item_rules[i].name)) {
				item_rules[i].fn(c, &b, k);
				break;
			}
		}
	}
	/* RSS 1.0: rdf:about names the item; CDF: HREF and LASTMOD. */
	about = feed_attr_ns(n, NS_RDF, "about");
	if (b.guid == NULL && about != NULL) {
		b.guid = about;
		b.guid_permalink = false;
	}
	href = feed_attr(n, "HREF");
	if (b.link == NULL && href != NULL)
		b.link = href;
	lastmod = feed_attr(n, "LASTMOD");
	if (lastmod != NULL)
		feed_date(lastmod, &it->published, &b.pub_prio, P_LOW);
	for (i = 0; i < it->nattachments; i++) {
		if (it->attachments[i].duration_seconds == 0)
			it->attachments[i].duration_seconds = b.duration;
	}
	feed_item_finish(c, &b);
}

/* ---- channel ---- */

static void
ch_title(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	tc_from(c, &c->ftitle, n, base, P_CORE);
}

static void
ch_link(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	char *u = feed_url(c, feed_base(c, n, base), feed_text(c, n,
	    FEED_URL_READ));

	if (u != NULL && c->flink_prio < P_CORE) {
		c->f->home_page_url = u;
		c->flink_prio = P_CORE;
	}
}

static void
ch_description(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	tc_from(c, &c->fdesc, n, base, P_CORE);
}

static void
ch_language(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	(void)base;
	if (c->f->language == NULL)
		c->f->language = feed_text(c, n, FEED_MAX_LANG);
}

static void
ch_ttl(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	const char *t = feed_text(c, n, 32);
	long v = 0;
	int d = 0;

	(void)base;
	for (; t != NULL && *t >= '0' && *t <= '9' && d < 7; t++, d++)
		v = v * 10 + (*t - '0');
	c->f->ttl_minutes = v;
}

static void
ch_image(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	const struct feed_node *k;

	base = feed_base(c, n, base);
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM && rss_core(c, k) &&
		    name_is(feed_local(k), "url"))
			feed_image(c, &c->f->icon, &c->fimage_prio, P_EXT - 1,
			    base, feed_text(c, k, FEED_URL_READ));
	}
}

static void
ch_author(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	(void)base;
	feed_author(c, &c->f->authors, &c->f->nauthors, &c->fauthor_prio,
	    P_CORE, feed_text(c, n, 512));
}

static void
ch_editor(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	(void)base;
	feed_author(c, &c->f->authors, &c->f->nauthors, &c->fauthor_prio,
	    P_LOW + 1, feed_text(c, n, 512));
}

static const struct rss_chan_rule chan_rules[] = {
	{ "title", ch_title },
	{ "link", ch_link },
	{ "description", ch_description },
	{ "abstract", ch_description },   /* CDF */
	{ "language", ch_language },
	{ "ttl", ch_ttl },
	{ "image", ch_image },
	{ "author", ch_author },
	{ "managingEditor", ch_editor },
};

static void rss_container(struct feed_ctx *c, const struct feed_node *n,
    const char *base, int depth);

/* The feed's text fields, final once no channel element is left. */
static void
rss_head(struct feed_ctx *c)
{
	c->f->title = feed_tc_text(c, &c->ftitle, FEED_MAX_TITLE);
	c->f->description = feed_tc_text(c, &c->fdesc, FEED_MAX_SUMMARY);
}

static void
rss_begin(struct feed_ctx *c)
{
	rss_head(c);
	feed_items_begin(c, c->items_ahead);
}

/*
 * True when, in rss_container's order, nothing but items follows the
 * first item: no channel field, extension or nested container that could
 * still change the feed's own fields. Then the items can be handed over
 * as they are made (feed_items_begin at the first). Counts the items
 * rss_container will meet into *n; *seen: one was met.
 */
static bool
items_last(const struct feed_ctx *c, const struct feed_node *n, int depth,
    bool *seen, size_t *count)
{
	const struct feed_node *k;

	if (depth > 2)
		return true;
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type != FEED_NODE_ELEM)
			continue;
		if (rss_core(c, k) && name_is(feed_local(k), "item")) {
			*seen = true;
			(*count)++;
		} else if (*seen) {
			return false;
		} else if (rss_core(c, k) && name_is(feed_local(k), "channel") &&
		    !items_last(c, k, depth + 1, seen, count)) {
			return false;
		}
	}
	return true;
}

static void
chan_child(struct feed_ctx *c, const struct feed_node *k, const char *base,
    int depth)
{
	const char *name = feed_local(k);
	size_t i;

	if (!rss_core(c, k)) {
		feed_ext_feed(c, k, base);
		return;
	}
	if (name_is(name, "item")) {
		if (c->begin_at_item && !c->headed)
			rss_begin(c);
		if (!c->full)
			rss_item(c, k, base);
		return;
	}
	if (name_is(name, "channel")) {
		rss_container(c, k, feed_base(c, k, base), depth + 1);
		return;
	}
	for (i = 0; i < sizeof(chan_rules) / sizeof(chan_rules[0]); i++) {
		if (name_is(name, chan_rules[i].name)) {
			chan_rules[i].fn(c, k, base);
			return;
		}
	}
}

/* <rss>, <rdf:RDF> or <channel>: channel fields and items may sit in the
 * channel (RSS 2.0) or beside it (RSS 1.0). */
static void
rss_container(struct feed_ctx *c, const struct feed_node *n, const char *base,
    int depth)
{
	const struct feed_node *k;
	const char *about, *href;

	if (depth > 2)
		return;
	if (strcasecmp(feed_local(n), "channel") == 0) {
		about = feed_attr_ns(n, NS_RDF, "about");
		if (about != NULL && c->f->id == NULL)
			c->f->id = feed_clean_text(c, about, FEED_MAX_ID);
		href = feed_attr(n, "HREF");
		if (href != NULL && c->flink_prio < P_LOW) {
			c->f->home_page_url = feed_url(c, base, href);
			c->flink_prio = P_LOW;
		}
	}
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM)
			chan_child(c, k, base, depth);
	}
}

static enum feed_format
rss_version(const struct feed_node *root)
{
	const char *v = feed_attr(root, "version");

	if (strcmp(feed_local(root), "RDF") == 0)
		return FEED_RSS10;
	if (v != NULL && v[0] == '2')
		return FEED_RSS20;
	return FEED_RSS090;
}

enum rc
feed_rss_parse(struct feed_ctx *c, const struct feed_node *root)
{
	const char *base = feed_base(c, root, c->base);
	const char *cdf_base;
	struct feed *f = c->f;
	bool seen;

	f->format = rss_version(root);
	/* CDF names its base in an attribute. */
	cdf_base = feed_attr(root, "BASE");
	if (cdf_base != NULL && strcasecmp(feed_local(root), "channel") == 0)
		base = feed_url(c, base, cdf_base);
	seen = false;
	c->items_ahead = 0;
	c->begin_at_item = items_last(c, root, 0, &seen, &c->items_ahead);
	rss_container(c, root, base, 0);
	if (!c->headed)
		rss_head(c);
	return RC_OK;
}

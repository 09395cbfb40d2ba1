/* feed_ext: namespaced extensions shared by RSS and Atom: Media RSS,
 * iTunes, Dublin Core, content:encoded, xhtml:body, feedburner. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/urlres.h"
#include "widgets/feeds/feed_ext.h"

/* Priorities: higher wins. The core elements of each format use 30. */
enum {
	P_LOW = 5,
	P_EXT = 20,
	P_CORE = 30,
	P_BEST = 40,
};

static long long
num(const char *s)
{
	long long v = 0;
	int d = 0;

	if (s == NULL)
		return 0;
	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9' && d < 18; s++, d++)
		v = v * 10 + (*s - '0');
	return v;
}

void
feed_author(struct feed_ctx *c, struct feed_person **list, size_t *n,
    int *cur, int prio, const char *s)
{
	struct feed_person tmp;

	if (s == NULL || prio < *cur)
		return;
	memset(&tmp, 0, sizeof(tmp));
	feed_person_parse(c, &tmp, s);
	if (tmp.name == NULL && tmp.email == NULL)
		return;
	if (prio > *cur) {
		*n = 0;
		*cur = prio;
	}
	feed_person_put(c, list, n, &tmp);
}

/* itunes:image: its href; the element's text (a non-standard form) only
 * when it is an absolute URL, so "cover" never beats <image><url>. */
static const char *
itunes_image(struct feed_ctx *c, const struct feed_node *n)
{
	const char *h = feed_attr(n, "href");
	const char *t;

	if (h != NULL)
		return h;
	t = feed_text(c, n, FEED_URL_READ);
	return t != NULL && urlres_is_absolute(t) ? t : NULL;
}

/* Media RSS content/thumbnail, and what sits inside them. */
static void media_children(struct feed_ctx *c, struct feed_ib *b,
    const struct feed_node *n, int depth);

static bool
mime_image(const char *type, const char *medium)
{
	return (medium != NULL && strcasecmp(medium, "image") == 0) ||
	    (type != NULL && strncasecmp(type, "image/", 6) == 0);
}

/* The media type of a media:content: its type, else what its URL's
 * extension or its medium says (NULL when nothing does). */
static const char *
media_type(const struct feed_node *n, const char *u)
{
	const char *type = feed_attr(n, "type");

	return type != NULL ? type : feed_mime_guess(u, feed_attr(n, "medium"));
}

/* The largest media:thumbnail (width x height) is the item image; the
 * first of equal ones, and any over none. */
static void
media_thumbnail(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	long long area = num(feed_attr(n, "width")) * num(feed_attr(n, "height"));
	char *u;

	if (b->image_prio > P_BEST ||
	    (b->image_prio == P_BEST && area <= b->thumb_area))
		return;
	u = feed_url(c, b->base, feed_attr(n, "url"));
	if (u == NULL)
		return;
	b->it->image = u;
	b->image_prio = P_BEST;
	b->thumb_area = area;
}

static void
media_content(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n,
    int depth)
{
	const char *url = feed_attr(n, "url");
	const char *medium = feed_attr(n, "medium");
	char *u = feed_url(c, b->base, url);
	const char *type = media_type(n, u);
	struct feed_attachment *at;

	if (u != NULL) {
		if (mime_image(type, medium))
			feed_image(c, &b->it->image, &b->image_prio, P_CORE,
			    b->base, url);
		at = feed_attachment_add(c, b->it, u);
		if (at != NULL) {
			if (at->mime_type == NULL && type != NULL)
				at->mime_type = feed_clean_text(c, type,
				    FEED_MAX_NAME);
			if (at->size_in_bytes == 0)
				at->size_in_bytes = num(feed_attr(n, "fileSize"));
			if (at->duration_seconds == 0)
				at->duration_seconds =
				    feed_duration(feed_attr(n, "duration"));
		}
	}
	media_children(c, b, n, depth + 1);
}

static void
media_one(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *k,
    int depth)
{
	const char *name = feed_local(k);

	if (strcmp(name, "content") == 0) {
		media_content(c, b, k, depth);
	} else if (strcmp(name, "thumbnail") == 0) {
		media_thumbnail(c, b, k);
	} else if (strcmp(name, "group") == 0) {
		media_children(c, b, k, depth + 1);
	} else if (strcmp(name, "title") == 0) {
		const char *t = feed_attr(k, "type");
		feed_tc_set(&b->title, feed_text(c, k, 0), NULL,
		    t != NULL && strcmp(t, "html") == 0 ? CT_HTML : CT_TEXT,
		    b->base, P_LOW);
	} else if (strcmp(name, "description") == 0) {
		const char *t = feed_attr(k, "type");
		feed_tc_set(&b->summary, feed_text(c, k, 0), NULL,
		    t != NULL && strcmp(t, "html") == 0 ? CT_HTML : CT_TEXT,
		    b->base, P_LOW);
	} else if (strcmp(name, "category") == 0) {
		feed_tag_add(c, b->it, feed_text(c, k, FEED_MAX_NAME));
	} else if (strcmp(name, "credit") == 0) {
		feed_author(c, &b->it->authors, &b->it->nauthors,
		    &b->author_prio, P_LOW, feed_text(c, k, FEED_MAX_NAME));
	}
}

static void
media_children(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n,
    int depth)
{
	const struct feed_node *k;

	if (depth > 4)
		return;
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == FEED_NODE_ELEM && feed_ns_of(k) == NS_MEDIA)
			media_one(c, b, k, depth);
	}
}

static void
ext_content(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	const char *base = feed_base(c, n, b->base);

	if (strcmp(feed_local(n), "encoded") != 0)
		return;
	if (feed_has_elements(n))
		feed_tc_set(&b->content, NULL, n, CT_HTML, base, P_CORE);
	else
		feed_tc_set(&b->content, feed_text(c, n, 0), NULL, CT_HTML,
		    base, P_CORE);
}

static void
ext_dc(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n,
    enum feed_ns ns)
{
	const char *name = feed_local(n);
	struct feed_item *it = b->it;

	if (strcmp(name, "creator") == 0 || strcmp(name, "author") == 0) {
		feed_author(c, &it->authors, &it->nauthors, &b->author_prio,
		    P_EXT, feed_text(c, n, FEED_MAX_NAME * 2));
	} else if (strcmp(name, "date") == 0) {
		feed_date(feed_text(c, n, 256), &it->published, &b->pub_prio,
		    P_EXT);
	} else if (strcmp(name, "issued") == 0) {
		feed_date(feed_text(c, n, 256), &it->published, &b->pub_prio,
		    P_EXT + 2);
	} else if (strcmp(name, "created") == 0) {
		feed_date(feed_text(c, n, 256), &it->published, &b->pub_prio,
		    P_EXT + 1);
	} else if (strcmp(name, "modified") == 0) {
		feed_date(feed_text(c, n, 256), &it->updated, &b->upd_prio,
		    P_EXT);
	} else if (strcmp(name, "subject") == 0) {
		feed_tag_add(c, it, feed_text(c, n, FEED_MAX_NAME));
	} else if (strcmp(name, "title") == 0) {
		feed_tc_set(&b->title, feed_text(c, n, 0), NULL, CT_HTML,
		    b->base, P_EXT);
	} else if (strcmp(name, "description") == 0 && ns == NS_DC) {
		feed_tc_set(&b->summary, feed_text(c, n, 0), NULL, CT_HTML,
		    b->base, P_EXT);
	} else if (strcmp(name, "language") == 0 && it->language == NULL) {
		it->language = feed_text(c, n, FEED_MAX_LANG);
	}
}

static void
ext_itunes(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	const char *name = feed_local(n);
	struct feed_item *it = b->it;

	if (strcmp(name, "image") == 0) {
		feed_image(c, &it->image, &b->image_prio, P_EXT, b->base,
		    itunes_image(c, n));
	} else if (strcmp(name, "author") == 0) {
		feed_author(c, &it->authors, &it->nauthors, &b->author_prio,
		    P_LOW, feed_text(c, n, FEED_MAX_NAME * 2));
	} else if (strcmp(name, "duration") == 0) {
		b->duration = feed_duration(feed_text(c, n, 64));
	} else if (strcmp(name, "summary") == 0) {
		feed_tc_set(&b->summary, feed_text(c, n, 0), NULL, CT_TEXT,
		    b->base, P_LOW + 1);
	} else if (strcmp(name, "subtitle") == 0) {
		feed_tc_set(&b->summary, feed_text(c, n, 0), NULL, CT_TEXT,
		    b->base, P_LOW);
	} else if (strcmp(name, "keywords") == 0) {
		/* strtok_r writes: a copy, not the tree's text. */
		char *k = arena_strdup(c->a, feed_text(c, n, 4096));
		char *save = NULL, *t;
		for (t = k ? strtok_r(k, ",", &save) : NULL; t != NULL;
		    t = strtok_r(NULL, ",", &save))
			feed_tag_add(c, it, t);
	}
}

bool
feed_ext_item(struct feed_ctx *c, struct feed_ib *b, const struct feed_node *n)
{
	enum feed_ns ns = feed_ns_of(n);

	switch (ns) {
	case NS_CONTENT:
		ext_content(c, b, n);
		return true;
	case NS_DC:
	case NS_DCTERMS:
		ext_dc(c, b, n, ns);
		return true;
	case NS_MEDIA:
		media_one(c, b, n, 0);
		return true;
	case NS_ITUNES:
		ext_itunes(c, b, n);
		return true;
	case NS_XHTML:
		if (strcmp(feed_local(n), "body") == 0 ||
		    strcmp(feed_local(n), "div") == 0)
			feed_tc_set(&b->content, NULL, n, CT_HTML,
			    feed_base(c, n, b->base), P_CORE - 1);
		return true;
	case NS_FEEDBURNER:
		if (strcmp(feed_local(n), "origLink") == 0) {
			const char *l = feed_text(c, n, FEED_URL_READ);
			if (l != NULL && b->link_prio < P_BEST) {
				b->link = l;
				b->link_prio = P_BEST;
			}
		} else if (strcmp(feed_local(n), "origEnclosureLink") == 0 &&
		    b->orig_enclosure == NULL) {
			b->orig_enclosure = feed_text(c, n, FEED_URL_READ);
		}
		return true;
	default:
		return false;
	}
}

bool
feed_ext_feed(struct feed_ctx *c, const struct feed_node *n, const char *base)
{
	enum feed_ns ns = feed_ns_of(n);
	const char *name = feed_local(n);
	struct feed *f = c->f;

	if (ns == NS_ITUNES) {
		if (strcmp(name, "image") == 0) {
			feed_image(c, &f->icon, &c->fimage_prio, P_EXT, base,
			    itunes_image(c, n));
		} else if (strcmp(name, "author") == 0) {
			feed_author(c, &f->authors, &f->nauthors,
			    &c->fauthor_prio, P_LOW, feed_text(c, n, 512));
		} else if (strcmp(name, "summary") == 0 ||
		    strcmp(name, "subtitle") == 0) {
			feed_tc_set(&c->fdesc, feed_text(c, n, 0), NULL, CT_TEXT,
			    base, strcmp(name, "summary") == 0 ? P_LOW + 1 : P_LOW);
		}
		return true;
	}
	if (ns == NS_DC || ns == NS_DCTERMS) {
		if (strcmp(name, "creator") == 0 || strcmp(name, "author") == 0)
			feed_author(c, &f->authors, &f->nauthors,
			    &c->fauthor_prio, P_EXT, feed_text(c, n, 512));
		else if (strcmp(name, "publisher") == 0)
			feed_author(c, &f->authors, &f->nauthors,
			    &c->fauthor_prio, P_LOW, feed_text(c, n, 512));
		else if (strcmp(name, "language") == 0 && f->language == NULL)
			f->language = feed_text(c, n, FEED_MAX_LANG);
		else if (strcmp(name, "title") == 0)
			feed_tc_set(&c->ftitle, feed_text(c, n, 0), NULL, CT_HTML,
			    base, P_EXT);
		else if (strcmp(name, "description") == 0)
			feed_tc_set(&c->fdesc, feed_text(c, n, 0), NULL, CT_HTML,
			    base, P_EXT);
		return true;
	}
	if (ns == NS_MEDIA) {
		/* A channel's thumbnail or image content: its logo. */
		if (strcmp(name, "thumbnail") == 0) {
			feed_image(c, &f->icon, &c->fimage_prio, P_LOW + 1, base,
			    feed_attr(n, "url"));
		} else if (strcmp(name, "content") == 0) {
			const char *u = feed_attr(n, "url");
			if (mime_image(media_type(n, u), NULL))
				feed_image(c, &f->icon, &c->fimage_prio, P_LOW,
				    base, u);
		}
		return true;
	}
	if (ns == NS_ATOM10 || ns == NS_ATOM03) {
		if (strcmp(name, "link") == 0) {
			const char *rel = feed_attr(n, "rel");
			const char *href = feed_attr(n, "href");
			if (rel != NULL && strcmp(rel, "self") == 0 &&
			    f->feed_url == NULL)
				f->feed_url = feed_url(c, base, href);
			else if ((rel == NULL || strcmp(rel, "alternate") == 0) &&
			    c->flink_prio < P_LOW) {
				char *u = feed_url(c, base, href);
				if (u != NULL) {
					f->home_page_url = u;
					c->flink_prio = P_LOW;
				}
			}
		}
		return true;
	}
	return false;
}

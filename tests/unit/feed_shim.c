/*
 * feed_shim: TEMPORARY test-only stand-in for widgets/feed.c (the parser
 * branch), so the streams tests link before the parser lands. Minimal RSS
 * 2.0 / Atom reading with libxml2 (NONET, no entity expansion, no DTD
 * loading); JSON Feed 1.1 out and back. Never linked into socialhub.
 * Delete together with its local.am lines once widgets/feed.c is merged.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "widgets/feed.h"

static char *
node_text(struct arena *a, xmlNode *n)
{
	xmlChar *s = xmlNodeGetContent(n);
	char *r = s != NULL ? arena_strdup(a, (const char *)s) : NULL;

	xmlFree(s);
	return r;
}

static xmlNode *
child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static long long
parse_date(const char *s, long long dflt)
{
	struct tm tm;

	if (s == NULL)
		return dflt;
	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%a, %d %b %Y %H:%M:%S", &tm) != NULL ||
	    strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) != NULL)
		return (long long)timegm(&tm);
	return dflt;
}

static void
fill_item(struct arena *a, xmlNode *n, bool atom, long long now, struct feed_item *it)
{
	xmlNode *l;

	it->title = node_text(a, child(n, "title"));
	if (atom) {
		it->id = node_text(a, child(n, "id"));
		l = child(n, "link");
		if (l != NULL) {
			xmlChar *h = xmlGetProp(l, (const xmlChar *)"href");
			it->url = h ? arena_strdup(a, (const char *)h) : NULL;
			xmlFree(h);
		}
		it->content_html = node_text(a, child(n, "content"));
		it->summary = node_text(a, child(n, "summary"));
		it->published = parse_date(node_text(a, child(n, "updated")), now);
	} else {
		it->id = node_text(a, child(n, "guid"));
		it->url = node_text(a, child(n, "link"));
		it->content_html = node_text(a, child(n, "description"));
		it->published = parse_date(node_text(a, child(n, "pubDate")), now);
	}
	if (it->id == NULL)
		it->id = it->url;
	it->date_missing = it->published == now;
}

enum rc
feed_parse(struct arena *a, const char *body, size_t len,
    const struct feed_parse_opts *opts, struct feed *out)
{
	xmlDoc *doc = xmlReadMemory(body, (int)len, opts->base_url, NULL,
	    XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root, *chan;
	size_t n = 0;
	bool atom;

	memset(out, 0, sizeof(*out));
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		xmlFreeDoc(doc);
		return RC_INVALID;
	}
	atom = strcmp((const char *)root->name, "feed") == 0;
	chan = atom ? root : child(root, "channel");
	if (chan == NULL || (!atom && strcmp((const char *)root->name, "rss") != 0)) {
		xmlFreeDoc(doc);
		return RC_INVALID;
	}
	out->format = atom ? FEED_ATOM10 : FEED_RSS20;
	out->title = node_text(a, child(chan, "title"));
	if (child(chan, "ttl") != NULL)
		out->ttl_minutes = atol(node_text(a, child(chan, "ttl")));
	for (xmlNode *c = chan->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, atom ? "entry" : "item") == 0)
			n++;
	if (opts->max_items > 0 && n > opts->max_items)
		n = opts->max_items;
	out->items = arena_calloc(a, n + 1, sizeof(*out->items));
	for (xmlNode *c = chan->children; c != NULL && out->nitems < n; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, atom ? "entry" : "item") == 0)
			fill_item(a, c, atom, opts->fetch_time, &out->items[out->nitems++]);
	xmlFreeDoc(doc);
	return RC_OK;
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, json_string(v));
}

static void
set_date(json_t *o, const char *k, long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, k, json_string(buf));
}

json_t *
feed_to_json(const struct feed *f)
{
	json_t *j = json_pack("{s:s}", "version", "https://jsonfeed.org/version/1.1");
	json_t *items = json_array();

	set_str(j, "title", f->title);
	set_str(j, "home_page_url", f->home_page_url);
	for (size_t i = 0; i < f->nitems; i++) {
		const struct feed_item *it = &f->items[i];
		json_t *o = json_object();
		set_str(o, "id", it->id);
		set_str(o, "url", it->url);
		set_str(o, "title", it->title);
		set_str(o, "content_html", it->content_html);
		set_str(o, "content_text", it->content_text);
		set_str(o, "summary", it->summary);
		set_date(o, "date_published", it->published);
		json_array_append_new(items, o);
	}
	json_object_set_new(j, "items", items);
	return j;
}

static char *
get_str(struct arena *a, const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? arena_strdup(a, s) : NULL;
}

enum rc
feed_from_json(struct arena *a, const json_t *j, struct feed *out)
{
	const json_t *items = json_object_get(j, "items");

	memset(out, 0, sizeof(*out));
	if (!json_is_array(items))
		return RC_INVALID;
	out->format = FEED_JSON11;
	out->title = get_str(a, j, "title");
	out->home_page_url = get_str(a, j, "home_page_url");
	out->items = arena_calloc(a, json_array_size(items) + 1, sizeof(*out->items));
	if (out->items == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < json_array_size(items); i++) {
		const json_t *o = json_array_get(items, i);
		struct feed_item *it = &out->items[out->nitems++];
		const json_t *ext = json_object_get(o, "_socialhub");
		it->id = get_str(a, o, "id");
		it->url = get_str(a, o, "url");
		it->title = get_str(a, o, "title");
		it->content_html = get_str(a, o, "content_html");
		it->content_text = get_str(a, o, "content_text");
		it->summary = get_str(a, o, "summary");
		it->published = parse_date(json_string_value(json_object_get(o, "date_published")), 0);
		it->source = get_str(a, ext, "source");
		it->market = get_str(a, ext, "market");
	}
	return RC_OK;
}

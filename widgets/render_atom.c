/* render_atom: one stream page as an Atom 1.0 feed (RFC 4287), paged with
 * RFC 5005 rel="next" links. */
#include "widgets/render_formats.h"

#include <string.h>

#include "util/crypto.h"
#include "util/locale.h"
#include "widgets/media.h"
#include "widgets/render_common.h"

#define ATOM_TITLE_MAX 120   /* bytes of a title made from the text */

/*
 * Appends s escaped for XML text and attribute values (& < > " '), leaving
 * out what XML 1.0 forbids: C0 controls other than tab/LF/CR, U+FFFE and
 * U+FFFF. Input is UTF-8 (the parser guarantees it).
 */
static enum rc
xml_esc(struct buf *b, const char *s)
{
	enum rc rc = RC_OK;
	const char *run = s;

	if (s == NULL)
		return RC_OK;
	for (; *s != '\0' && rc == RC_OK; s++) {
		unsigned char c = (unsigned char)*s;
		const char *rep = NULL;
		size_t skip = 0;
		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&apos;"; break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				skip = 1;
			else if (c == 0xef && (unsigned char)s[1] == 0xbf &&
			    ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf))
				skip = 3;
		}
		if (rep == NULL && skip == 0)
			continue;
		rc = buf_append(b, run, (size_t)(s - run));
		if (rc == RC_OK && rep != NULL)
			rc = buf_appends(b, rep);
		if (skip > 0)
			s += skip - 1;
		run = s + 1;
	}
	if (rc == RC_OK)
		rc = buf_append(b, run, (size_t)(s - run));
	return rc;
}

/* <name>escaped text</name>, nothing when s is NULL or empty. */
static enum rc
elem(struct buf *b, const char *name, const char *s)
{
	enum rc rc;

	if (s == NULL || s[0] == '\0')
		return RC_OK;
	rc = buf_appendf(b, "<%s>", name);
	if (rc == RC_OK)
		rc = xml_esc(b, s);
	return rc == RC_OK ? buf_appendf(b, "</%s>", name) : rc;
}

static enum rc
date_elem(struct buf *b, const char *name, long long t)
{
	enum rc rc = buf_appendf(b, "<%s>", name);

	if (rc == RC_OK)
		rc = render_rfc3339(b, t);
	return rc == RC_OK ? buf_appendf(b, "</%s>", name) : rc;
}

/* <link rel=".." type=".." href=".."/> */
static enum rc
link_elem(struct buf *b, const char *rel, const char *type, const char *href)
{
	enum rc rc;

	if (href == NULL)
		return RC_OK;
	rc = buf_appendf(b, "<link rel=\"%s\"", rel);
	if (rc == RC_OK && type != NULL)
		rc = buf_appendf(b, " type=\"%s\"", type);
	if (rc == RC_OK)
		rc = buf_appends(b, " href=\"");
	if (rc == RC_OK)
		rc = xml_esc(b, href);
	return rc == RC_OK ? buf_appends(b, "\"/>") : rc;
}

/* An entry id: the item's own IRI, else a name-based urn:uuid (RFC 4122
 * version 5 layout over SHA-256) of its id, stable across renders. */
static enum rc
entry_id(struct buf *b, const struct feed_item *it)
{
	const char *id = it->id != NULL ? it->id : it->url != NULL ? it->url : "";
	unsigned char h[CRYPTO_SHA256_LEN];

	if (render_is_iri(id))
		return xml_esc(b, id);
	crypto_sha256(id, strlen(id), h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	return buf_appendf(b, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4], h[5], h[6],
	    h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

/* Atom requires a title: the item's, else the start of its text. */
static enum rc
entry_title(struct buf *b, const struct feed_item *it)
{
	struct buf t;
	enum rc rc;

	buf_init(&t, 4096);
	rc = render_excerpt(&t, it, ATOM_TITLE_MAX);
	if (rc == RC_OK)
		rc = buf_appends(b, "<title type=\"text\">");
	if (rc == RC_OK)
		rc = xml_esc(b, t.len > 0 ? t.data : "(untitled)");
	if (rc == RC_OK)
		rc = buf_appends(b, "</title>");
	buf_fini(&t);
	return rc;
}

static enum rc
entry_authors(struct buf *b, const struct feed_item *it)
{
	enum rc rc = RC_OK;

	for (size_t i = 0; rc == RC_OK && i < it->nauthors; i++) {
		const struct feed_person *p = &it->authors[i];
		if (p->name == NULL && p->url == NULL)
			continue;
		rc = buf_appends(b, "<author>");
		if (rc == RC_OK)
			rc = elem(b, "name", p->name != NULL ? p->name : p->url);
		if (rc == RC_OK)
			rc = elem(b, "uri", p->url);
		if (rc == RC_OK)
			rc = buf_appends(b, "</author>");
	}
	return rc;
}

static enum rc
entry_content(struct buf *b, const struct feed_item *it)
{
	enum rc rc;

	if (it->content_html != NULL && it->content_html[0] != '\0') {
		rc = buf_appends(b, "<content type=\"html\">");
		if (rc == RC_OK)
			rc = xml_esc(b, it->content_html);
		return rc == RC_OK ? buf_appends(b, "</content>") : rc;
	}
	rc = buf_appends(b, "<content type=\"text\">");
	if (rc == RC_OK)
		rc = xml_esc(b, it->content_text != NULL ? it->content_text :
		    it->summary != NULL ? it->summary : "");
	return rc == RC_OK ? buf_appends(b, "</content>") : rc;
}

/* Media RSS for a gallery entry: the picture (or, for a video, the page
 * it plays on) with its alt text as media:description and the poster as
 * media:thumbnail. */
static enum rc
media_content(struct buf *b, const struct feed_media *m)
{
	bool video = m->type == FEED_MEDIA_VIDEO;
	enum rc rc = buf_appends(b, "<media:content url=\"");

	if (rc == RC_OK)
		rc = xml_esc(b, video ? m->link : m->url);
	if (rc == RC_OK)
		rc = buf_appendf(b, "\" medium=\"%s\"", video ? "video" : "image");
	if (rc == RC_OK && m->width > 0 && m->height > 0)
		rc = buf_appendf(b, " width=\"%ld\" height=\"%ld\"", m->width, m->height);
	if (rc == RC_OK && video && m->duration_seconds > 0)
		rc = buf_appendf(b, " duration=\"%lld\"", m->duration_seconds);
	if (rc == RC_OK)
		rc = buf_appendc(b, '>');
	if (rc == RC_OK && m->alt != NULL) {
		rc = buf_appends(b, "<media:description type=\"plain\">");
		if (rc == RC_OK)
			rc = xml_esc(b, m->alt);
		if (rc == RC_OK)
			rc = buf_appends(b, "</media:description>");
	}
	if (rc == RC_OK && m->poster != NULL) {
		rc = buf_appends(b, "<media:thumbnail url=\"");
		if (rc == RC_OK)
			rc = xml_esc(b, m->poster);
		if (rc == RC_OK)
			rc = buf_appends(b, "\"/>");
	}
	return rc == RC_OK ? buf_appends(b, "</media:content>") : rc;
}

static enum rc
entry_extras(struct buf *b, const struct feed_item *it)
{
	enum rc rc = RC_OK;

	for (size_t i = 0; rc == RC_OK && i < it->ntags; i++) {
		if (it->tags[i] == NULL || it->tags[i][0] == '\0')
			continue;
		rc = buf_appends(b, "<category term=\"");
		if (rc == RC_OK)
			rc = xml_esc(b, it->tags[i]);
		if (rc == RC_OK)
			rc = buf_appends(b, "\"/>");
	}
	for (size_t i = 0; rc == RC_OK && i < it->nattachments; i++) {
		const struct feed_attachment *at = &it->attachments[i];
		rc = buf_appends(b, "<link rel=\"enclosure\"");
		if (rc == RC_OK && at->mime_type != NULL) {
			rc = buf_appends(b, " type=\"");
			if (rc == RC_OK)
				rc = xml_esc(b, at->mime_type);
			if (rc == RC_OK)
				rc = buf_appendc(b, '"');
		}
		if (rc == RC_OK && at->size_in_bytes > 0)
			rc = buf_appendf(b, " length=\"%lld\"", at->size_in_bytes);
		if (rc == RC_OK)
			rc = buf_appends(b, " href=\"");
		if (rc == RC_OK)
			rc = xml_esc(b, at->url);
		if (rc == RC_OK)
			rc = buf_appends(b, "\"/>");
	}
	for (size_t i = 0; rc == RC_OK && i < it->nmedia; i++)
		rc = media_content(b, &it->media[i]);
	if (rc == RC_OK && it->image != NULL) {
		rc = buf_appends(b, "<media:thumbnail url=\"");
		if (rc == RC_OK)
			rc = xml_esc(b, it->image);
		if (rc == RC_OK)
			rc = buf_appends(b, "\"/>");
	}
	return rc;
}

static enum rc
entry(struct buf *b, const struct feed_item *it)
{
	/* The entry's language (RFC 4287 2: xml:lang), a checked tag only. */
	enum rc rc = locale_tag_ok(it->language) ?
	    buf_appendf(b, "<entry xml:lang=\"%s\"><id>", it->language) :
	    buf_appends(b, "<entry><id>");

	if (rc == RC_OK)
		rc = entry_id(b, it);
	if (rc == RC_OK)
		rc = buf_appends(b, "</id>");
	if (rc == RC_OK)
		rc = entry_title(b, it);
	if (rc == RC_OK)
		rc = date_elem(b, "updated", it->updated > it->published ? it->updated : it->published);
	if (rc == RC_OK)
		rc = date_elem(b, "published", it->published);
	if (rc == RC_OK)
		rc = link_elem(b, "alternate", "text/html", it->url);
	if (rc == RC_OK && it->external_url != NULL)
		rc = link_elem(b, "related", NULL, it->external_url);
	if (rc == RC_OK)
		rc = entry_authors(b, it);
	if (rc == RC_OK && it->summary != NULL && it->summary[0] != '\0') {
		rc = buf_appends(b, "<summary type=\"text\">");
		if (rc == RC_OK)
			rc = xml_esc(b, it->summary);
		if (rc == RC_OK)
			rc = buf_appends(b, "</summary>");
	}
	if (rc == RC_OK)
		rc = entry_content(b, it);
	if (rc == RC_OK)
		rc = entry_extras(b, it);
	return rc == RC_OK ? buf_appends(b, "</entry>\n") : rc;
}

/* The feed's updated: the stream's change time, else the newest item. */
static long long
feed_updated(const struct render_page *p)
{
	long long t = p->updated;

	for (size_t i = 0; t <= 0 && i < p->nitems; i++)
		if (p->items[i]->published > t)
			t = p->items[i]->published;
	return t;
}

static enum rc
feed_head(struct buf *b, const struct render_page *p)
{
	enum rc rc = buf_appends(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:media=\"http://search.yahoo.com/mrss/\">\n<id>");

	if (rc == RC_OK)
		rc = xml_esc(b, p->feed_url != NULL ? p->feed_url : p->self_url);
	if (rc == RC_OK)
		rc = buf_appends(b, "</id>");
	if (rc == RC_OK)
		rc = elem(b, "title", p->title != NULL && p->title[0] != '\0' ? p->title : p->stream);
	if (rc == RC_OK)
		rc = elem(b, "subtitle", p->description);
	if (rc == RC_OK)
		rc = date_elem(b, "updated", feed_updated(p));
	if (rc == RC_OK)
		rc = link_elem(b, "self", "application/atom+xml", p->self_url);
	if (rc == RC_OK)
		rc = link_elem(b, "alternate", "text/html", p->site->home);
	if (rc == RC_OK && p->feed_url != NULL && p->self_url != NULL &&
	    strcmp(p->feed_url, p->self_url) != 0)
		rc = link_elem(b, "first", "application/atom+xml", p->feed_url);
	if (rc == RC_OK)
		rc = link_elem(b, "next", "application/atom+xml", p->next_url);
	/* A feed-level author makes entries without one valid. */
	if (rc == RC_OK)
		rc = buf_appends(b, "<author>");
	if (rc == RC_OK)
		rc = elem(b, "name", p->title != NULL && p->title[0] != '\0' ? p->title : p->stream);
	if (rc == RC_OK)
		rc = elem(b, "uri", p->site->home);
	if (rc == RC_OK)
		rc = buf_appends(b, "</author><generator>socialhub</generator>\n");
	return rc;
}

enum rc
render_atom(struct buf *out, const struct render_page *p)
{
	size_t before = out->len;
	enum rc rc = feed_head(out, p);

	for (size_t i = 0; rc == RC_OK && i < p->nitems; i++)
		rc = entry(out, p->items[i]);
	if (rc == RC_OK)
		rc = buf_appends(out, "</feed>\n");
	if (rc != RC_OK) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
	}
	return rc;
}

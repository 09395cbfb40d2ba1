/* render_html: one stream page as a semantic HTML fragment with
 * microformats2 (h-feed, h-entry, h-card); readable without JS and CSS. */
#include "widgets/render_formats.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/catalog.h"
#include "util/html.h"
#include "util/icufmt.h"
#include "util/locale.h"
#include "widgets/media.h"
#include "widgets/render_common.h"

#define HTML_ALT_MAX 160     /* bytes of alt text made from the post */

static const char *
word(const struct render_page *p, const char *key)
{
	return catalog_get(p->site->catalog, p->lang, key);
}

/*
 * One tab stop per post: the permalink (the date) is the post's link for
 * the keyboard; the author, title, image and links inside the text stay
 * links for the mouse and for screen readers' link lists, but out of the
 * tab order (tabindex="-1"), so crossing a widget takes one Tab per post.
 */
#define HTML_NO_TAB " tabindex=\"-1\""

/* A class-safe copy of s ([a-z0-9-], others become '-'), at most 40 bytes. */
static enum rc
class_token(struct buf *b, const char *s)
{
	enum rc rc = RC_OK;

	for (size_t i = 0; s != NULL && s[i] != '\0' && i < 40 && rc == RC_OK; i++) {
		unsigned char c = (unsigned char)s[i];
		rc = buf_appendc(b, isalnum(c) ? (char)tolower(c) : '-');
	}
	return rc;
}

/* name="escaped value" (leading space included). */
static enum rc
attr(struct buf *b, const char *name, const char *v)
{
	enum rc rc = buf_appendf(b, " %s=\"", name);

	if (rc == RC_OK)
		rc = html_attr(b, v);
	return rc == RC_OK ? buf_appendc(b, '"') : rc;
}

/* True for the only URLs that go into src="": our own media proxy. */
static bool
media_ok(const struct render_page *p, const char *url)
{
	size_t n = strlen(p->site->base);

	return url != NULL && strncmp(url, p->site->base, n) == 0 &&
	    strncmp(url + n, "/media/", 7) == 0 && media_id_valid(url + n + 7);
}

static enum rc
img(struct buf *b, const struct render_page *p, const char *cls, const char *src,
    const char *alt, int size)
{
	enum rc rc = buf_appendf(b, "<img class=\"%s\"", cls);

	if (rc == RC_OK)
		rc = attr(b, "src", src);
	if (rc == RC_OK)
		rc = attr(b, "alt", alt);
	if (rc == RC_OK && size > 0)
		rc = buf_appendf(b, " width=\"%d\" height=\"%d\"", size, size);
	(void)p;
	return rc == RC_OK ? buf_appends(b, " loading=\"lazy\" decoding=\"async\">") : rc;
}

/* <a class=.. href=..> when url is a safe link, else <span class=..>;
 * `tab`: the link is the post's one tab stop. */
static enum rc
open_link(struct buf *b, const char *cls, const char *url, bool tab, bool *is_link)
{
	enum rc rc;

	*is_link = render_link_ok(url);
	if (!*is_link)
		return buf_appendf(b, "<span class=\"%s\">", cls);
	rc = buf_appendf(b, "<a class=\"%s\"%s", cls, tab ? "" : HTML_NO_TAB);
	if (rc == RC_OK)
		rc = attr(b, "href", url);
	return rc == RC_OK ? buf_appendc(b, '>') : rc;
}

static enum rc
close_link(struct buf *b, bool is_link)
{
	return buf_appends(b, is_link ? "</a>" : "</span>");
}

static enum rc
item_author(struct buf *b, const struct render_page *p, const struct feed_item *it)
{
	const struct feed_person *a = it->nauthors > 0 ? &it->authors[0] : NULL;
	const char *name = a != NULL && a->name != NULL && a->name[0] != '\0' ? a->name :
	    render_source_title(p, it);
	bool link;
	enum rc rc;

	if (name == NULL)
		return RC_OK;
	rc = open_link(b, "social-stream__author p-author h-card", a != NULL ? a->url : NULL, false, &link);
	if (rc == RC_OK && a != NULL && media_ok(p, a->avatar))
		rc = img(b, p, "social-stream__avatar u-photo", a->avatar, "", 48);
	else if (rc == RC_OK && media_ok(p, render_source_avatar(p, it)))
		rc = img(b, p, "social-stream__avatar u-photo", render_source_avatar(p, it), "", 48);
	if (rc == RC_OK)
		rc = buf_appends(b, "<span class=\"p-name\">");
	if (rc == RC_OK)
		rc = html_text(b, name);
	if (rc == RC_OK)
		rc = buf_appends(b, "</span>");
	return rc == RC_OK ? close_link(b, link) : rc;
}

static enum rc
item_head(struct buf *b, const struct render_page *p, const struct feed_item *it,
    struct render_network net)
{
	enum rc rc = buf_appends(b, "<header class=\"social-stream__head\">");

	if (rc == RC_OK)
		rc = item_author(b, p, it);
	if (rc == RC_OK)
		rc = buf_appendf(b, " <span class=\"social-stream__network\">%s</span>", net.label);
	return rc == RC_OK ? buf_appends(b, "</header>") : rc;
}

static enum rc
item_title(struct buf *b, const struct feed_item *it)
{
	bool link;
	enum rc rc = buf_appends(b, "<h3 class=\"social-stream__title p-name\">");

	if (rc == RC_OK)
		rc = open_link(b, "u-url", it->url, false, &link);
	if (rc == RC_OK)
		rc = html_text(b, it->title);
	if (rc == RC_OK)
		rc = close_link(b, link);
	return rc == RC_OK ? buf_appends(b, "</h3>") : rc;
}

/* The alt text of an item's main image: its attachment's title when one
 * matches, else the post's text. */
static enum rc
image_alt(struct buf *b, const struct feed_item *it, const char *src)
{
	for (size_t i = 0; i < it->nattachments; i++)
		if (it->attachments[i].title != NULL && it->attachments[i].url != NULL &&
		    strcmp(it->attachments[i].url, src) == 0)
			return buf_appends(b, it->attachments[i].title);
	return render_excerpt(b, it, HTML_ALT_MAX);
}

/* The main image: item image, else the first image attachment. */
static const char *
main_image(const struct render_page *p, const struct feed_item *it)
{
	if (media_ok(p, it->image))
		return it->image;
	for (size_t i = 0; i < it->nattachments; i++)
		if (media_attachment_is_image(&it->attachments[i]) &&
		    media_ok(p, it->attachments[i].url))
			return it->attachments[i].url;
	return NULL;
}

/* True when the post's text already shows image src (an RSS description
 * with its <img>): the picture is shown once, in the text. */
static bool
image_in_content(const struct feed_item *it, const char *src)
{
	return src != NULL && it->content_html != NULL && strstr(it->content_html, src) != NULL;
}

static enum rc
item_media(struct buf *b, const struct render_page *p, const struct feed_item *it,
    enum render_kind kind)
{
	const char *src = main_image(p, it);
	struct buf alt;
	bool link;
	enum rc rc;

	if (src == NULL || image_in_content(it, src))
		return RC_OK;
	buf_init(&alt, 4096);
	rc = image_alt(&alt, it, src);
	if (rc == RC_OK)
		rc = buf_appendf(b, "<figure class=\"social-stream__media%s\">",
		    kind == RENDER_VIDEO ? " social-stream__media--video" : "");
	if (rc == RC_OK)
		rc = open_link(b, "social-stream__media-link", it->url, false, &link);
	if (rc == RC_OK)
		rc = img(b, p, "social-stream__image u-photo", src, alt.len > 0 ? alt.data : "", 0);
	if (rc == RC_OK)
		rc = close_link(b, link);
	if (rc == RC_OK)
		rc = buf_appends(b, "</figure>");
	buf_fini(&alt);
	return rc;
}

/* The sanitizer's HTML with its links out of the tab order: it writes
 * every link as "<a " (widgets/feeds/sanitize.c), never another way. */
static enum rc
content_links(struct buf *b, const char *html)
{
	enum rc rc = RC_OK;
	const char *p = html, *a;

	while (rc == RC_OK && (a = strstr(p, "<a ")) != NULL) {
		rc = buf_append(b, p, (size_t)(a - p) + 3);
		if (rc == RC_OK)
			rc = buf_appends(b, HTML_NO_TAB + 1);
		if (rc == RC_OK)
			rc = buf_appendc(b, ' ');
		p = a + 3;
	}
	return rc == RC_OK ? buf_appends(b, p) : rc;
}

static enum rc
gallery_image(struct buf *b, const struct render_page *p, const struct feed_media *m)
{
	enum rc rc = buf_appends(b, "<img class=\"social-stream__image u-photo\"");

	if (rc == RC_OK)
		rc = attr(b, "src", m->url);
	if (rc == RC_OK)
		rc = attr(b, "alt", m->alt != NULL ? m->alt : "");
	if (rc == RC_OK && m->width > 0 && m->height > 0)
		rc = buf_appendf(b, " width=\"%ld\" height=\"%ld\"", m->width, m->height);
	(void)p;
	return rc == RC_OK ? buf_appends(b, " loading=\"lazy\" decoding=\"async\">") : rc;
}

/* A video is its poster linking to where it plays: no player, nothing
 * loaded from the network until the visitor follows the link. */
static enum rc
gallery_video(struct buf *b, const struct render_page *p, const struct feed_media *m,
    struct render_network net)
{
	enum rc rc = buf_appends(b, "<a class=\"social-stream__video u-video\"");

	if (rc == RC_OK)
		rc = attr(b, "href", m->link);
	if (rc == RC_OK)
		rc = buf_appendc(b, '>');
	if (rc == RC_OK && media_ok(p, m->poster)) {
		rc = buf_appends(b, "<img class=\"social-stream__poster\"");
		if (rc == RC_OK)
			rc = attr(b, "src", m->poster);
		if (rc == RC_OK)
			rc = attr(b, "alt", m->alt != NULL ? m->alt : "");
		if (rc == RC_OK && m->width > 0 && m->height > 0)
			rc = buf_appendf(b, " width=\"%ld\" height=\"%ld\"", m->width, m->height);
		if (rc == RC_OK)
			rc = buf_appends(b, " loading=\"lazy\" decoding=\"async\">");
	}
	if (rc == RC_OK && m->duration_seconds > 0)
		rc = buf_appendf(b, "<span class=\"social-stream__duration\">%lld:%02lld</span>",
		    m->duration_seconds / 60, m->duration_seconds % 60);
	if (rc == RC_OK)
		rc = buf_appends(b, "<span class=\"social-stream__play\">");
	if (rc == RC_OK)
		rc = html_fill_text(b, word(p, "stream.watch"), "{network}", net.label);
	if (rc == RC_OK)
		rc = buf_appends(b, "</span>");
	return rc == RC_OK ? buf_appends(b, "</a>") : rc;
}

/* The gallery of an API source's post (images with their alt text). */
static enum rc
item_gallery(struct buf *b, const struct render_page *p, const struct feed_item *it,
    struct render_network net)
{
	enum rc rc = buf_appendf(b, "<ul class=\"social-stream__gallery\" data-count=\"%zu\">",
	    it->nmedia);

	for (size_t i = 0; rc == RC_OK && i < it->nmedia; i++) {
		const struct feed_media *m = &it->media[i];
		if (m->type == FEED_MEDIA_IMAGE && !media_ok(p, m->url))
			continue;
		rc = buf_appends(b, "<li>");
		if (rc == RC_OK)
			rc = m->type == FEED_MEDIA_VIDEO ? gallery_video(b, p, m, net) :
			    gallery_image(b, p, m);
		if (rc == RC_OK)
			rc = buf_appends(b, "</li>");
	}
	return rc == RC_OK ? buf_appends(b, "</ul>") : rc;
}

/* Likes, comments, shares, views as the network counted them (with the
 * stream's show_counts). */
/* One count: the catalog's plural form for n, with n in compact notation
 * ("1.2K likes", "いいね 1万件") inside <data value="n">. */
static enum rc
item_count(struct buf *b, const struct render_page *p, struct icufmt *fmt,
    const char *cls, long long n)
{
	char key[32];
	enum rc rc;

	snprintf(key, sizeof(key), "stream.%s", cls);
	rc = buf_appendf(b, "<li class=\"social-stream__count--%s\">", cls);
	if (rc == RC_OK)
		rc = render_count(b, p->site->catalog, p->lang, fmt, key, n);
	return rc == RC_OK ? buf_appends(b, "</li>") : rc;
}

static enum rc
item_counts(struct buf *b, const struct render_page *p, struct icufmt *fmt,
    const struct feed_item *it)
{
	static const struct { unsigned bit; const char *cls; } names[] = {
		{ FEED_COUNT_LIKES, "likes" },
		{ FEED_COUNT_COMMENTS, "comments" },
		{ FEED_COUNT_SHARES, "shares" },
		{ FEED_COUNT_VIEWS, "views" },
	};
	const long long vals[] = { it->counts.likes, it->counts.comments, it->counts.shares,
		it->counts.views };
	enum rc rc;

	if (it->counts.have == 0)
		return RC_OK;
	rc = buf_appends(b, "<ul class=\"social-stream__counts\">");
	for (size_t i = 0; rc == RC_OK && i < sizeof(names) / sizeof(names[0]); i++)
		if (it->counts.have & names[i].bit)
			rc = item_count(b, p, fmt, names[i].cls, vals[i]);
	return rc == RC_OK ? buf_appends(b, "</ul>") : rc;
}

static enum rc
item_content(struct buf *b, const struct feed_item *it)
{
	enum rc rc;

	if (it->content_html != NULL && it->content_html[0] != '\0') {
		rc = buf_appends(b, "<div class=\"social-stream__content e-content\">");
		if (rc == RC_OK)
			rc = content_links(b, it->content_html);   /* render_prepare's output */
		return rc == RC_OK ? buf_appends(b, "</div>") : rc;
	}
	if (it->content_text == NULL && it->summary == NULL)
		return RC_OK;
	rc = buf_appends(b, "<p class=\"social-stream__content e-content\">");
	if (rc == RC_OK)
		rc = html_text(b, it->content_text != NULL ? it->content_text : it->summary);
	return rc == RC_OK ? buf_appends(b, "</p>") : rc;
}

static enum rc
item_tags(struct buf *b, const struct feed_item *it)
{
	enum rc rc;

	if (it->ntags == 0)
		return RC_OK;
	rc = buf_appends(b, "<ul class=\"social-stream__tags\">");
	for (size_t i = 0; rc == RC_OK && i < it->ntags; i++) {
		const char *t = it->tags[i];
		if (t == NULL || t[0] == '\0')
			continue;
		rc = buf_appends(b, "<li class=\"p-category\">#");
		if (rc == RC_OK)
			rc = html_text(b, t[0] == '#' ? t + 1 : t);
		if (rc == RC_OK)
			rc = buf_appends(b, "</li>");
	}
	return rc == RC_OK ? buf_appends(b, "</ul>") : rc;
}

static enum rc
item_foot(struct buf *b, const struct render_page *p, struct icufmt *fmt,
    const struct feed_item *it)
{
	bool link;
	enum rc rc = buf_appends(b, "<footer class=\"social-stream__foot\">");

	if (rc == RC_OK)
		rc = open_link(b, "social-stream__permalink u-url", it->url, true, &link);
	if (rc == RC_OK)
		rc = buf_appends(b, "<time class=\"dt-published\" datetime=\"");
	if (rc == RC_OK)
		rc = render_rfc3339(b, it->published);
	if (rc == RC_OK)
		rc = buf_appends(b, "\" title=\"");
	if (rc == RC_OK)
		rc = icufmt_datetime(fmt, b, it->published);
	if (rc == RC_OK)
		rc = buf_appends(b, "\">");
	if (rc == RC_OK)
		rc = icufmt_relative(fmt, b, it->published, p->now);
	if (rc == RC_OK)
		rc = buf_appends(b, "</time>");
	if (rc == RC_OK)
		rc = close_link(b, link);
	return rc == RC_OK ? buf_appends(b, "</footer>") : rc;
}

static enum rc
item(struct buf *b, const struct render_page *p, struct icufmt *fmt, const struct feed_item *it)
{
	enum render_kind kind = render_item_kind(it);
	struct render_network net = render_network_of(it->url);
	const char *kname = render_kind_name(kind);
	enum rc rc;

	rc = buf_appendf(b, "<li class=\"social-stream__cell\"><article class=\"social-stream__item "
	    "social-stream__item--%c%s social-stream__item--%s%s h-entry\" data-network=\"%s\"",
	    (char)tolower((unsigned char)kname[0]), kname + 1, net.id,
	    it->featured ? " social-stream__item--featured" : "", net.id);
	if (rc == RC_OK && it->source != NULL) {
		rc = buf_appends(b, " data-source=\"");
		if (rc == RC_OK)
			rc = class_token(b, it->source);
		if (rc == RC_OK)
			rc = buf_appendc(b, '"');
	}
	/* The post's own language and direction: a screen reader reads it in
	 * its language, Arabic runs right to left inside an English page.
	 * Without a language anywhere (item, feed, source) it would inherit
	 * the page's: an English post on an Arabic page would run right to
	 * left. dir="auto" lets the browser take it from the text; no lang,
	 * since we do not know it. */
	if (rc == RC_OK && locale_tag_ok(it->language))
		rc = buf_appendf(b, " lang=\"%s\" dir=\"%s\"", it->language,
		    locale_dir(it->language));
	else if (rc == RC_OK)
		rc = buf_appends(b, " dir=\"auto\"");
	if (rc == RC_OK)
		rc = buf_appendc(b, '>');
	if (rc == RC_OK)
		rc = item_head(b, p, it, net);
	if (rc == RC_OK && kind != RENDER_NOTE && it->title != NULL && it->title[0] != '\0')
		rc = item_title(b, it);
	/* A content warning hides the post until the visitor opens it. */
	if (rc == RC_OK && it->content_warning != NULL) {
		rc = buf_appends(b, "<details class=\"social-stream__cw\"><summary>");
		if (rc == RC_OK)
			rc = html_text(b, it->content_warning);
		if (rc == RC_OK)
			rc = buf_appends(b, "</summary>");
	}
	if (rc == RC_OK)
		rc = it->nmedia > 0 ? item_gallery(b, p, it, net) : item_media(b, p, it, kind);
	if (rc == RC_OK)
		rc = item_content(b, it);
	if (rc == RC_OK && it->content_warning != NULL)
		rc = buf_appends(b, "</details>");
	if (rc == RC_OK)
		rc = item_tags(b, it);
	if (rc == RC_OK && p->show_counts)
		rc = item_counts(b, p, fmt, it);
	if (rc == RC_OK)
		rc = item_foot(b, p, fmt, it);
	return rc == RC_OK ? buf_appends(b, "</article></li>\n") : rc;
}

static enum rc
page_head(struct buf *b, const struct render_page *p)
{
	const char *title = p->title != NULL && p->title[0] != '\0' ? p->title : p->stream;
	const char *layout = render_layout_name(p->layout);
	enum rc rc;

	/* lang and dir of the words; data-now: the instant the relative times
	 * are counted from, so embed.js writes the very same ones. */
	rc = buf_appendf(b, "<section class=\"social-stream social-stream--%s h-feed\" "
	    "data-layout=\"%s\" lang=\"%s\" dir=\"%s\" data-now=\"%lld\"", layout, layout,
	    p->lang, locale_dir(p->lang), p->now);
	if (rc == RC_OK)
		rc = attr(b, "data-stream", p->stream);
	/* Not a landmark: a page shows a stream several times under one title
	 * (<social-stream label="..."> names one). The list carries the name. */
	if (rc == RC_OK)
		rc = buf_appends(b, "><data class=\"p-name\"");
	if (rc == RC_OK)
		rc = attr(b, "value", title);
	if (rc == RC_OK)
		rc = buf_appends(b, "></data>\n<ol class=\"social-stream__list\" role=\"list\"");
	if (rc == RC_OK)
		rc = attr(b, "aria-label", title);
	return rc == RC_OK ? buf_appends(b, ">\n") : rc;
}

static enum rc
page_tail(struct buf *b, const struct render_page *p)
{
	enum rc rc = buf_appends(b, "</ol>\n");

	if (rc == RC_OK && p->nitems == 0)
		rc = buf_appends(b, "<p class=\"social-stream__empty\">");
	if (rc == RC_OK && p->nitems == 0)
		rc = html_text(b, word(p, "stream.empty"));
	if (rc == RC_OK && p->nitems == 0)
		rc = buf_appends(b, "</p>\n");
	if (rc == RC_OK && p->next_url != NULL) {
		rc = buf_appends(b, "<div class=\"social-stream__more\">"
		    "<a class=\"social-stream__next\" rel=\"next\"");
		if (rc == RC_OK)
			rc = attr(b, "href", p->next_url);
		if (rc == RC_OK)
			rc = buf_appendc(b, '>');
		if (rc == RC_OK)
			rc = html_text(b, word(p, "stream.more"));
		if (rc == RC_OK)
			rc = buf_appends(b, "</a></div>\n");
	}
	return rc == RC_OK ? buf_appends(b, "</section>\n") : rc;
}

enum rc
render_html(struct buf *out, const struct render_page *p)
{
	size_t before = out->len;
	struct render_page lp = *p;
	struct icufmt *fmt;
	enum rc rc;

	if (!locale_tag_ok(lp.lang))
		lp.lang = CATALOG_DEFAULT;
	if ((fmt = icufmt_new(lp.lang)) == NULL)
		return RC_NOMEM;
	rc = page_head(out, &lp);
	for (size_t i = 0; rc == RC_OK && i < lp.nitems; i++)
		rc = item(out, &lp, fmt, lp.items[i]);
	if (rc == RC_OK)
		rc = page_tail(out, &lp);
	icufmt_free(fmt);
	if (rc != RC_OK) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
	}
	return rc;
}

/* src_bluesky: an account's posts from the public Bluesky AppView
 * (app.bsky.feed.getAuthorFeed, filter posts_no_replies, cursor paging),
 * and the posts a search finds (app.bsky.feed.searchPosts, earned). */
#include <ctype.h>
#include <string.h>

#include "util/buf.h"
#include "util/html.h"
#include "util/url.h"
#include "widgets/streams/src.h"

#define BSKY_PAGE 50           /* posts per page (the API allows 1-100) */
#define BSKY_WEB "https://bsky.app"
#define BSKY_HTML_MAX (256u * 1024)
#define BSKY_QUERY_MAX 300

/* A handle (a domain name, "@" allowed in front) or a did:plc / did:web. */
static const char *
actor_of(const char *s)
{
	return s[0] == '@' ? s + 1 : s;
}

static bool
actor_ok(const char *s)
{
	size_t n = strlen(s);

	if (strncmp(s, "did:plc:", 8) == 0 && n == 32) {
		for (size_t i = 8; i < n; i++)
			if (!(islower((unsigned char)s[i]) || (s[i] >= '2' && s[i] <= '7')))
				return false;
		return true;
	}
	if (strncmp(s, "did:web:", 8) == 0)
		return url_host_name_ok(s + 8, false);
	return strchr(s, '.') != NULL && url_host_name_ok(s, true) && !url_host_is_ip(s);
}

static const char *
bluesky_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!actor_ok(actor_of(c->account)))
		return "account: a Bluesky account is a handle (\"brand.bsky.social\") or a DID "
		    "(\"did:plc:...\")";
	if (c->token_file != NULL)
		return "token_file: not supported yet for bluesky (the public AppView needs none)";
	return NULL;
}

static char *
page_url(struct src_run *r, const char *cursor)
{
	char *actor = src_qs(r->a, actor_of(r->conf->account));
	char *cur = cursor != NULL ? src_qs(r->a, cursor) : NULL;

	if (actor == NULL || (cursor != NULL && cur == NULL))
		return NULL;
	return arena_printf(r->a, "%s/xrpc/app.bsky.feed.getAuthorFeed?actor=%s"
	    "&filter=posts_no_replies&limit=%d%s%s", r->base, actor, BSKY_PAGE,
	    cur != NULL ? "&cursor=" : "", cur != NULL ? cur : "");
}

static enum rc
bluesky_start(struct src_run *r)
{
	r->url = page_url(r, NULL);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

/* https://bsky.app/profile/{handle}/post/{rkey} from at://{did}/app.bsky.feed.post/{rkey}. */
static char *
web_url(struct src_run *r, const char *uri, const json_t *author)
{
	const char *rkey = uri != NULL ? strrchr(uri, '/') : NULL;
	const char *h = json_string_value(json_object_get(author, "handle"));
	const char *did = json_string_value(json_object_get(author, "did"));
	const char *who = h != NULL && strcmp(h, "handle.invalid") != 0 && actor_ok(h) ? h :
	    did != NULL && actor_ok(did) ? did : NULL;

	if (rkey == NULL || who == NULL || strncmp(uri, "at://", 5) != 0 || rkey[1] == '\0')
		return NULL;
	for (const char *p = rkey + 1; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.' && *p != '~' &&
		    *p != ':')
			return NULL;
	return arena_printf(r->a, BSKY_WEB "/profile/%s/post/%s", who, rkey + 1);
}

/* Self-labels and moderation labels that mark adult or graphic media. */
static bool
sensitive_labels(const json_t *post)
{
	static const char *const vals[] = { "porn", "sexual", "nudity", "graphic-media", "gore" };
	size_t i;
	const json_t *l;

	json_array_foreach(json_object_get(post, "labels"), i, l) {
		const char *v = json_string_value(json_object_get(l, "val"));
		for (size_t k = 0; v != NULL && k < sizeof(vals) / sizeof(vals[0]); k++)
			if (strcmp(v, vals[k]) == 0)
				return true;
	}
	return false;
}

/* Authors who asked not to be shown to logged-out visitors. */
static bool
hidden_author(const json_t *author)
{
	size_t i;
	const json_t *l;

	json_array_foreach(json_object_get(author, "labels"), i, l) {
		const char *v = json_string_value(json_object_get(l, "val"));
		if (v != NULL && strcmp(v, "!no-unauthenticated") == 0)
			return true;
	}
	return false;
}

static void
aspect(const json_t *o, struct feed_media *m)
{
	const json_t *ar = json_object_get(o, "aspectRatio");

	m->width = (long)json_integer_value(json_object_get(ar, "width"));
	m->height = (long)json_integer_value(json_object_get(ar, "height"));
}

static void
read_images(struct src_run *r, const json_t *view, struct feed_item *it)
{
	const json_t *imgs = json_object_get(view, "images"), *v;
	size_t i;

	if (src_media_alloc(r, it, json_array_size(imgs)) == NULL)
		return;
	json_array_foreach(imgs, i, v) {
		struct feed_media *m = &it->media[it->nmedia];
		memset(m, 0, sizeof(*m));
		m->type = FEED_MEDIA_IMAGE;
		m->url = src_media_url(r, src_link(r, v, "fullsize"));
		if (m->url == NULL)
			m->url = src_media_url(r, src_link(r, v, "thumb"));
		m->alt = src_str(r, v, "alt");
		aspect(v, m);
		if (m->url != NULL)
			it->nmedia++;
	}
}

/* A video shows as its thumbnail linking to the post: the HLS playlist
 * would need a third-party player. */
static void
read_video(struct src_run *r, const json_t *view, struct feed_item *it)
{
	struct feed_media *m = src_media_alloc(r, it, 1);

	if (m == NULL || it->url == NULL)
		return;
	memset(m, 0, sizeof(*m));
	m->type = FEED_MEDIA_VIDEO;
	m->poster = src_media_url(r, src_link(r, view, "thumbnail"));
	m->link = it->url;
	m->alt = src_str(r, view, "alt");
	aspect(view, m);
	it->nmedia++;
}

struct html {
	struct buf b;
	enum rc rc;
};

static void
h_raw(struct html *h, const char *s)
{
	if (h->rc == RC_OK)
		h->rc = buf_appends(&h->b, s);
}

static void
h_text(struct html *h, const char *s)
{
	if (h->rc == RC_OK && s != NULL)
		h->rc = html_text(&h->b, s);
}

static void
h_attr(struct html *h, const char *s)
{
	if (h->rc == RC_OK && s != NULL)
		h->rc = html_attr(&h->b, s);
}

/* An external link card: <p class="card"><a href>title</a> description</p>. */
static void
read_external(struct src_run *r, const json_t *view, struct feed_item *it, struct html *h)
{
	const json_t *ext = json_object_get(view, "external");
	char *uri = src_link(r, ext, "uri");
	char *title = src_str(r, ext, "title"), *desc = src_str(r, ext, "description");

	if (uri == NULL)
		return;
	it->external_url = uri;
	if (it->nmedia == 0 && it->image == NULL)
		it->image = src_media_url(r, src_link(r, ext, "thumb"));
	h_raw(h, "<p><a href=\"");
	h_attr(h, uri);
	h_raw(h, "\">");
	h_text(h, title != NULL ? title : uri);
	h_raw(h, "</a>");
	if (desc != NULL) {
		h_raw(h, "<br>");
		h_text(h, desc);
	}
	h_raw(h, "</p>");
}

/* A quoted post: <blockquote cite>text — author</blockquote>; blocked,
 * deleted or detached quotes say only that. */
static void
read_quote(struct src_run *r, const json_t *rec, struct html *h)
{
	const char *type = json_string_value(json_object_get(rec, "$type"));
	const json_t *author = json_object_get(rec, "author");
	const char *text = json_string_value(json_object_get(json_object_get(rec, "value"), "text"));
	char *url, *name;

	if (type == NULL || strcmp(type, "app.bsky.embed.record#viewRecord") != 0) {
		h_raw(h, "<blockquote><p>(quoted post not available)</p></blockquote>");
		return;
	}
	url = web_url(r, json_string_value(json_object_get(rec, "uri")), author);
	name = src_str(r, author, "displayName");
	if (name == NULL)
		name = src_str(r, author, "handle");
	h_raw(h, "<blockquote");
	if (url != NULL) {
		h_raw(h, " cite=\"");
		h_attr(h, url);
		h_raw(h, "\"");
	}
	h_raw(h, "><p>");
	h_text(h, text != NULL && utf8_valid(text, strlen(text)) ? text : "");
	h_raw(h, "</p><p>— ");
	if (url != NULL) {
		h_raw(h, "<a href=\"");
		h_attr(h, url);
		h_raw(h, "\">");
	}
	h_text(h, name != NULL ? name : "a post");
	h_raw(h, url != NULL ? "</a></p></blockquote>" : "</p></blockquote>");
}

static void
read_embed(struct src_run *r, const json_t *embed, struct feed_item *it, struct html *h)
{
	const char *type = json_string_value(json_object_get(embed, "$type"));

	if (type == NULL)
		return;
	if (strcmp(type, "app.bsky.embed.images#view") == 0)
		read_images(r, embed, it);
	else if (strcmp(type, "app.bsky.embed.video#view") == 0)
		read_video(r, embed, it);
	else if (strcmp(type, "app.bsky.embed.external#view") == 0)
		read_external(r, embed, it, h);
	else if (strcmp(type, "app.bsky.embed.record#view") == 0)
		read_quote(r, json_object_get(embed, "record"), h);
	else if (strcmp(type, "app.bsky.embed.recordWithMedia#view") == 0) {
		read_embed(r, json_object_get(embed, "media"), it, h);
		read_quote(r, json_object_get(json_object_get(embed, "record"), "record"), h);
	}
}

static void
read_author(struct src_run *r, const json_t *author, struct feed_item *it)
{
	struct feed_person *p = arena_calloc(r->a, 1, sizeof(*p));
	const char *h = json_string_value(json_object_get(author, "handle"));

	if (p == NULL)
		return;
	p->name = src_str(r, author, "displayName");
	if (p->name == NULL)
		p->name = src_str(r, author, "handle");
	if (h != NULL && actor_ok(h))
		p->url = arena_printf(r->a, BSKY_WEB "/profile/%s", h);
	p->avatar = src_media_url(r, src_link(r, author, "avatar"));
	it->authors = p;
	it->nauthors = 1;
}

/* One PostView (`reason`: the feed entry's repost reason, or NULL). */
static enum rc
read_post_view(struct src_run *r, const json_t *post, const json_t *reason, size_t idx)
{
	const json_t *record = json_object_get(post, "record");
	const json_t *author = json_object_get(post, "author");
	const json_t *langs = json_object_get(record, "langs");
	const char *uri = json_string_value(json_object_get(post, "uri"));
	struct html h = { .rc = RC_OK };
	struct feed_item *it;
	long long published = src_date(record, "createdAt");

	if (!json_is_object(post) || uri == NULL || !json_is_object(record) || published == 0)
		return src_fail(r, RC_INVALID, "unexpected JSON from the Bluesky API: feed entry %zu "
		    "has no %s", idx, !json_is_object(post) ? "\"post\"" : uri == NULL ? "\"uri\"" :
		    !json_is_object(record) ? "\"record\"" : "\"record.createdAt\"");
	if (hidden_author(author) || (it = src_item_add(r)) == NULL)
		return RC_OK;
	it->id = arena_strdup(r->a, uri);
	it->url = web_url(r, uri, author);
	it->published = published;
	it->is_reply = json_is_object(json_object_get(record, "reply"));
	it->sensitive = sensitive_labels(post);
	it->is_repost = json_is_object(reason) && json_string_value(json_object_get(reason, "$type")) &&
	    strstr(json_string_value(json_object_get(reason, "$type")), "reasonRepost") != NULL;
	if (json_array_size(langs) > 0 && json_is_string(json_array_get(langs, 0)))
		it->language = arena_strdup(r->a, json_string_value(json_array_get(langs, 0)));
	read_author(r, author, it);
	buf_init(&h.b, BSKY_HTML_MAX);
	h.rc = buf_appends(&h.b, "");
	{
		char *text = src_str(r, record, "text");
		char *p = text != NULL ? src_text_html(r, text) : NULL;
		if (p != NULL)
			h_raw(&h, p);
	}
	read_embed(r, json_object_get(post, "embed"), it, &h);
	if (h.rc == RC_OK && h.b.len > 0)
		it->content_html = src_clean_html(r, h.b.data, it->url);
	buf_fini(&h.b);
	src_count(it, FEED_COUNT_LIKES, post, "likeCount");
	src_count(it, FEED_COUNT_COMMENTS, post, "replyCount");
	src_count(it, FEED_COUNT_SHARES, post, "repostCount");
	it->kind = src_kind_of(it);
	return RC_OK;
}

static enum rc
read_post(struct src_run *r, const json_t *entry, size_t idx)
{
	return read_post_view(r, json_object_get(entry, "post"), json_object_get(entry, "reason"),
	    idx);
}

static enum rc
bluesky_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	const json_t *feed = json_object_get(doc, "feed"), *e;
	const char *cursor = json_string_value(json_object_get(doc, "cursor"));
	size_t i;
	enum rc rc;

	(void)resp;
	if (!json_is_object(doc) || !json_is_array(feed))
		return src_fail(r, RC_INVALID, "unexpected JSON from the Bluesky API: "
		    "getAuthorFeed gave no \"feed\" array");
	if (r->pages == 0 && json_array_size(feed) > 0) {
		const json_t *a = json_object_get(json_object_get(json_array_get(feed, 0), "post"),
		    "author");
		const char *h = json_string_value(json_object_get(a, "handle"));
		if (h != NULL && strcmp(h, actor_of(r->conf->account)) == 0) {
			r->feed.title = src_str(r, a, "displayName");
			r->feed.icon = src_media_url(r, src_link(r, a, "avatar"));
			if (actor_ok(h))
				r->feed.home_page_url = arena_printf(r->a, BSKY_WEB "/profile/%s", h);
		}
	}
	json_array_foreach(feed, i, e)
		if ((rc = read_post(r, e, i)) != RC_OK)
			return rc;
	r->pages++;
	if (cursor != NULL && cursor[0] != '\0' && json_array_size(feed) > 0 && src_want_more(r))
		r->url = page_url(r, cursor);
	return RC_OK;
}

const struct src_ops src_bluesky_ops = {
	.label = "Bluesky",
	.default_api = "https://public.api.bsky.app",
	.check = bluesky_check,
	.start = bluesky_start,
	.page = bluesky_page,
};

/* ---- search (earned) ---- */

static const char *
search_check(struct arena *a, const struct src_conf *c)
{
	size_t n = strlen(c->query);

	(void)a;
	if (n == 0 || n > BSKY_QUERY_MAX || !utf8_valid(c->query, n))
		return "query: a Bluesky search is 1-300 bytes of UTF-8 text";
	for (const char *p = c->query; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			return "query: no control characters";
	if (c->token_file != NULL)
		return "token_file: not supported yet for bluesky-search";
	return NULL;
}

static char *
search_url(struct src_run *r, const char *cursor)
{
	char *q = src_qs(r->a, r->conf->query);
	char *cur = cursor != NULL ? src_qs(r->a, cursor) : NULL;

	if (q == NULL || (cursor != NULL && cur == NULL))
		return NULL;
	return arena_printf(r->a, "%s/xrpc/app.bsky.feed.searchPosts?q=%s&sort=latest&limit=%d%s%s",
	    r->base, q, BSKY_PAGE, cur != NULL ? "&cursor=" : "", cur != NULL ? cur : "");
}

static enum rc
search_start(struct src_run *r)
{
	if (search_check(r->a, r->conf) != NULL)
		return src_fail(r, RC_CONFIG, "query: not a usable search");
	r->url = search_url(r, NULL);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static enum rc
search_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	const json_t *posts = json_object_get(doc, "posts"), *p;
	const char *cursor = json_string_value(json_object_get(doc, "cursor"));
	size_t i;
	enum rc rc;

	(void)resp;
	if (!json_is_object(doc) || !json_is_array(posts))
		return src_fail(r, RC_INVALID, "unexpected JSON from the Bluesky API: "
		    "searchPosts gave no \"posts\" array");
	if (r->feed.title == NULL)
		r->feed.title = arena_printf(r->a, "Bluesky: %s", r->conf->query);
	json_array_foreach(posts, i, p)
		if ((rc = read_post_view(r, p, NULL, i)) != RC_OK)
			return rc;
	r->pages++;
	if (cursor != NULL && cursor[0] != '\0' && json_array_size(posts) > 0 && src_want_more(r))
		r->url = search_url(r, cursor);
	return RC_OK;
}

const struct src_ops src_bluesky_search_ops = {
	.label = "Bluesky",
	.default_api = "https://public.api.bsky.app",
	.earned = true,
	.check = search_check,
	.start = search_start,
	.page = search_page,
};

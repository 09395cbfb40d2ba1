/* src_instagram: a professional account's media (Instagram Graph API,
 * /{ig-user-id}/media) and, as an earned source, a hashtag's recent media
 * (ig_hashtag_search, then /{hashtag-id}/recent_media). */
#include <string.h>

#include "util/url.h"
#include "widgets/streams/src_meta.h"

#define IG_PAGE 25                /* the API's default page */
#define IG_TAG_PAGE 50            /* recent_media's maximum */
#define IG_TAG_MAX 100            /* bytes of a hashtag */
#define IG_WEB "https://www.instagram.com/"
/* Fields, percent-encoded where a URL must not carry them raw ({}). */
#define IG_FIELDS "id,caption,media_type,media_product_type,media_url,thumbnail_url," \
	"permalink,timestamp,username,like_count,comments_count," \
	"children%7Bmedia_type,media_url,thumbnail_url%7D"
#define IG_TAG_FIELDS "id,caption,media_type,media_url,permalink,timestamp,like_count," \
	"comments_count,children%7Bmedia_type,media_url%7D"

static const struct meta_links ig_links = {
	IG_WEB "explore/tags/", "/", IG_WEB, "/",
};

static const char *
ig_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!meta_id_ok(c->account, true))
		return "account: the Instagram professional account's numeric id "
		    "(IG user id, e.g. \"17841400000000001\") or \"me\"";
	return NULL;
}

static enum rc
ig_start(struct src_run *r)
{
	r->url = arena_printf(r->a, "%s/%s/media?fields=%s&limit=%d", r->base,
	    r->conf->account, IG_FIELDS, IG_PAGE);
	return r->url != NULL ? src_bearer(r) : RC_NOMEM;
}

/* A carousel's children: images and videos, in order. */
static void
read_children(struct src_run *r, const json_t *children, struct feed_item *it)
{
	const json_t *data = json_object_get(children, "data"), *c;
	size_t i;

	json_array_foreach(data, i, c) {
		const char *t = json_string_value(json_object_get(c, "media_type"));
		bool video = t != NULL && strcmp(t, "VIDEO") == 0;
		if (t == NULL || (!video && strcmp(t, "IMAGE") != 0))
			continue;
		meta_media_add(r, it, video, src_link(r, c, video ? "thumbnail_url" : "media_url"),
		    NULL, 0, 0, it->url);
	}
}

static void
read_gallery(struct src_run *r, const json_t *m, struct feed_item *it)
{
	const char *t = json_string_value(json_object_get(m, "media_type"));

	if (t == NULL)
		return;
	if (strcmp(t, "IMAGE") == 0)
		meta_media_add(r, it, false, src_link(r, m, "media_url"), NULL, 0, 0, NULL);
	else if (strcmp(t, "VIDEO") == 0)
		meta_media_add(r, it, true, src_link(r, m, "thumbnail_url"), NULL, 0, 0, it->url);
	else if (strcmp(t, "CAROUSEL_ALBUM") == 0)
		read_children(r, json_object_get(m, "children"), it);
}

static void
read_author(struct src_run *r, const json_t *m, struct feed_item *it)
{
	char *user = src_str(r, m, "username");

	/* A user name goes into a profile URL: only what one can hold. */
	if (user == NULL || strpbrk(user, "/?#%\\ ") != NULL)
		return;
	meta_author(r, it, user, arena_printf(r->a, IG_WEB "%s/", user));
}

/* One IG Media object (own media and hashtag media alike). */
static enum rc
read_media(struct src_run *r, const json_t *m, size_t idx)
{
	char *id = src_str(r, m, "id");
	const char *product = json_string_value(json_object_get(m, "media_product_type"));
	long long published = src_date(m, "timestamp");
	struct feed_item *it;

	if (!json_is_object(m) || id == NULL || published == 0)
		return src_fail(r, RC_INVALID, "unexpected JSON from the Instagram API: media %zu "
		    "has no %s", idx, id == NULL ? "\"id\"" : "\"timestamp\"");
	if (product != NULL && strcmp(product, "STORY") == 0)
		return RC_OK;     /* stories expire in a day: not a post */
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->url = src_link(r, m, "permalink");
	it->id = it->url != NULL ? it->url : arena_printf(r->a, "urn:instagram:media:%s", id);
	it->published = published;
	it->content_html = meta_text(r, src_str(r, m, "caption"), &ig_links);
	read_author(r, m, it);
	read_gallery(r, m, it);
	src_count(it, FEED_COUNT_LIKES, m, "like_count");
	src_count(it, FEED_COUNT_COMMENTS, m, "comments_count");
	it->kind = product != NULL && strcmp(product, "REELS") == 0 ? FEED_KIND_REEL :
	    src_kind_of(it);
	return RC_OK;
}

static enum rc
ig_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	(void)resp;
	return meta_list(r, meta_net_of(SRC_INSTAGRAM), doc, "media", read_media);
}

const struct src_ops src_instagram_ops = {
	.label = "Instagram",
	.default_api = "https://graph.instagram.com/" META_GRAPH_VERSION,
	.check = ig_check,
	.start = ig_start,
	.page = ig_page,
	.http_error = meta_src_http_error,
	.backoff = meta_backoff,
	.needs_token = true,
};

/* ---- instagram-hashtag ---- */

/* "#tag" or "tag": letters (any script), digits, underscore. */
static const char *
tag_of(const char *q)
{
	size_t n;

	if (q == NULL)
		return NULL;
	if (q[0] == '#')
		q++;
	n = strlen(q);
	if (n == 0 || n > IG_TAG_MAX)
		return NULL;
	for (const char *p = q; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x80 && !(ch == '_' || (ch >= '0' && ch <= '9') ||
		    ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
			return NULL;
	}
	return utf8_valid(q, n) ? q : NULL;
}

static const char *
tag_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!meta_id_ok(c->account, false))
		return "account: the numeric IG user id of the professional account that "
		    "searches (ig_hashtag_search needs it)";
	if (tag_of(c->query) == NULL)
		return "query: one hashtag (\"#brand\" or \"brand\": letters, digits, _; "
		    "no spaces or emoji)";
	return NULL;
}

static enum rc
tag_start(struct src_run *r)
{
	const char *tag = tag_of(r->conf->query);
	char *q = tag != NULL ? src_qs(r->a, tag) : NULL;

	if (q == NULL)
		return src_fail(r, RC_CONFIG, "query: not a hashtag");
	r->url = arena_printf(r->a, "%s/ig_hashtag_search?user_id=%s&q=%s", r->base,
	    r->conf->account, q);
	return r->url != NULL ? src_bearer(r) : RC_NOMEM;
}

static enum rc
read_tag_id(struct src_run *r, const json_t *doc)
{
	const json_t *data;
	const char *id;
	enum rc rc;

	rc = meta_data(r, meta_net_of(SRC_INSTAGRAM_HASHTAG), doc, "ig_hashtag_search", &data);
	if (rc != RC_OK)
		return rc;
	id = json_string_value(json_object_get(json_array_get(data, 0), "id"));
	if (id == NULL)
		return src_fail(r, RC_NOTFOUND, "Instagram API: no hashtag \"#%.100s\"",
		    tag_of(r->conf->query));
	if (!meta_id_ok(id, false))
		return src_fail(r, RC_INVALID, "unexpected JSON from the Instagram API: "
		    "ig_hashtag_search gave a hashtag id that is not a number");
	r->step = 1;
	r->feed.title = arena_printf(r->a, "#%s", tag_of(r->conf->query));
	r->url = arena_printf(r->a, "%s/%s/recent_media?user_id=%s&fields=%s"
	    "&limit=%d", r->base, id, r->conf->account, IG_TAG_FIELDS, IG_TAG_PAGE);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static enum rc
tag_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	(void)resp;
	if (r->step == 0)
		return read_tag_id(r, doc);
	return meta_list(r, meta_net_of(SRC_INSTAGRAM_HASHTAG), doc, "recent_media", read_media);
}

const struct src_ops src_instagram_hashtag_ops = {
	.label = "Instagram",
	/* Hashtag search exists only with Facebook Login. */
	.default_api = "https://graph.facebook.com/" META_GRAPH_VERSION,
	.earned = true,
	.account_too = true,
	.check = tag_check,
	.start = tag_start,
	.page = tag_page,
	.http_error = meta_src_http_error,
	.backoff = meta_backoff,
	.needs_token = true,
};

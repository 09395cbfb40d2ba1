/* src_facebook: a Facebook Page's posts (Graph API /{page-id}/posts) with
 * attachments and sub-attachments (albums), reactions, comments, shares. */
#include <string.h>

#include "widgets/streams/src_meta.h"

#define FB_PAGE 25
#define FB_FIELDS "id,message,created_time,permalink_url,from,shares," \
	"attachments%7Bmedia,type,url,title,description,subattachments%7D," \
	"reactions.summary(true).limit(0),comments.summary(true).limit(0)"

/* Mentions on Facebook are message_tags, not @names in the text. */
static const struct meta_links fb_links = {
	"https://www.facebook.com/hashtag/", NULL, NULL, NULL,
};

static const char *
fb_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!meta_id_ok(c->account, false))
		return "account: the Facebook Page's numeric id (Page settings, "
		    "\"Page transparency\", or the Graph API Explorer)";
	return NULL;
}

static enum rc
fb_start(struct src_run *r)
{
	r->url = arena_printf(r->a, "%s/%s/posts?fields=%s&limit=%d", r->base,
	    r->conf->account, FB_FIELDS, FB_PAGE);
	return r->url != NULL ? src_bearer(r) : RC_NOMEM;
}

static long
int_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

/* One attachment (or sub-attachment): a photo, a video's still, or for a
 * shared link its card. Albums recurse one level into their photos. */
static void
read_attachment(struct src_run *r, const json_t *at, struct feed_item *it, bool top)
{
	const char *type = json_string_value(json_object_get(at, "type"));
	const json_t *img = json_object_get(json_object_get(at, "media"), "image");
	const json_t *subs = json_object_get(json_object_get(at, "subattachments"), "data"), *s;
	char *src = src_link(r, img, "src");
	size_t i;

	if (type == NULL)
		return;
	if (top && json_array_size(subs) > 0) {
		json_array_foreach(subs, i, s)
			read_attachment(r, s, it, false);
		return;
	}
	if (strcmp(type, "photo") == 0 || strcmp(type, "cover_photo") == 0 ||
	    strcmp(type, "profile_media") == 0)
		/* A photo in an album carries its own caption: the best words
		 * for it there are; a single photo's repeats the message. */
		meta_media_add(r, it, false, src, top ? NULL : src_str(r, at, "description"),
		    int_of(img, "width"), int_of(img, "height"), NULL);
	else if (strncmp(type, "video", 5) == 0 || strcmp(type, "animated_image_video") == 0)
		meta_media_add(r, it, true, src, NULL, int_of(img, "width"), int_of(img, "height"),
		    src_link(r, at, "url") != NULL ? src_link(r, at, "url") : it->url);
	else if (top && it->external_url == NULL) {
		/* A shared link: its card. */
		it->external_url = src_link(r, at, "url");
		it->image = src_media_url(r, src);
		if (it->title == NULL)
			it->title = src_str(r, at, "title");
	}
}

static void
read_counts(const json_t *p, struct feed_item *it)
{
	src_count(it, FEED_COUNT_LIKES, json_object_get(json_object_get(p, "reactions"), "summary"),
	    "total_count");
	src_count(it, FEED_COUNT_COMMENTS, json_object_get(json_object_get(p, "comments"),
	    "summary"), "total_count");
	src_count(it, FEED_COUNT_SHARES, json_object_get(p, "shares"), "count");
}

static enum rc
read_post(struct src_run *r, const json_t *p, size_t idx)
{
	char *id = src_str(r, p, "id");
	long long published = src_date(p, "created_time");
	const json_t *from = json_object_get(p, "from");
	const json_t *atts = json_object_get(json_object_get(p, "attachments"), "data"), *at;
	struct feed_item *it;
	size_t i;

	if (!json_is_object(p) || id == NULL || published == 0)
		return src_fail(r, RC_INVALID, "unexpected JSON from the Facebook API: post %zu "
		    "has no %s", idx, id == NULL ? "\"id\"" : "\"created_time\"");
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->url = src_link(r, p, "permalink_url");
	it->id = it->url != NULL ? it->url : arena_printf(r->a, "urn:facebook:post:%s", id);
	it->published = published;
	it->content_html = meta_text(r, src_str(r, p, "message"), &fb_links);
	meta_author(r, it, src_str(r, from, "name"), NULL);
	json_array_foreach(atts, i, at)
		read_attachment(r, at, it, true);
	read_counts(p, it);
	it->kind = src_kind_of(it);
	return RC_OK;
}

static enum rc
fb_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	(void)resp;
	if (r->feed.home_page_url == NULL)
		r->feed.home_page_url = arena_printf(r->a, "https://www.facebook.com/%s",
		    r->conf->account);
	return meta_list(r, meta_net_of(SRC_FACEBOOK), doc, "posts", read_post);
}

const struct src_ops src_facebook_ops = {
	.label = "Facebook",
	.default_api = "https://graph.facebook.com/" META_GRAPH_VERSION,
	.check = fb_check,
	.start = fb_start,
	.page = fb_page,
	.http_error = meta_src_http_error,
	.backoff = meta_backoff,
	.needs_token = true,
};

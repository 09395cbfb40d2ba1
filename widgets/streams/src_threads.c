/* src_threads: a Threads profile's posts (Threads API /{user-id}/threads)
 * with carousels, video thumbnails, alt text and link attachments. */
#include <string.h>

#include "widgets/streams/src_meta.h"

#define THREADS_PAGE 25
#define THREADS_VERSION "v1.0"
#define THREADS_WEB "https://www.threads.com/@"
#define THREADS_FIELDS "id,media_product_type,media_type,media_url,permalink,username,text," \
	"timestamp,thumbnail_url,is_quote_post,alt_text,link_attachment_url," \
	"children%7Bid,media_type,media_url,thumbnail_url,alt_text%7D"

static const struct meta_links threads_links = {
	"https://www.threads.com/search?serp_type=tags&q=", NULL, THREADS_WEB, NULL,
};

static const char *
threads_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!meta_id_ok(c->account, true))
		return "account: the Threads user id (numeric) or \"me\" (the connected profile)";
	return NULL;
}

static enum rc
threads_start(struct src_run *r)
{
	r->url = arena_printf(r->a, "%s/%s/threads?fields=%s&limit=%d", r->base,
	    r->conf->account, THREADS_FIELDS, THREADS_PAGE);
	return r->url != NULL ? src_bearer(r) : RC_NOMEM;
}

/* One picture or video of a post (or of a carousel). */
static void
read_one(struct src_run *r, const json_t *m, struct feed_item *it)
{
	const char *t = json_string_value(json_object_get(m, "media_type"));
	bool video = t != NULL && strcmp(t, "VIDEO") == 0;

	if (t == NULL || (!video && strcmp(t, "IMAGE") != 0))
		return;
	meta_media_add(r, it, video, src_link(r, m, video ? "thumbnail_url" : "media_url"),
	    src_str(r, m, "alt_text"), 0, 0, it->url);
}

static void
read_gallery(struct src_run *r, const json_t *p, struct feed_item *it)
{
	const char *t = json_string_value(json_object_get(p, "media_type"));
	const json_t *kids = json_object_get(json_object_get(p, "children"), "data"), *k;
	size_t i;

	if (t != NULL && strcmp(t, "CAROUSEL_ALBUM") == 0) {
		json_array_foreach(kids, i, k)
			read_one(r, k, it);
	} else {
		read_one(r, p, it);
	}
}

static enum rc
read_post(struct src_run *r, const json_t *p, size_t idx)
{
	char *id = src_str(r, p, "id");
	char *user = src_str(r, p, "username");
	const char *t = json_string_value(json_object_get(p, "media_type"));
	long long published = src_date(p, "timestamp");
	struct feed_item *it;

	if (!json_is_object(p) || id == NULL || published == 0)
		return src_fail(r, RC_INVALID, "unexpected JSON from the Threads API: post %zu "
		    "has no %s", idx, id == NULL ? "\"id\"" : "\"timestamp\"");
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->url = src_link(r, p, "permalink");
	it->id = it->url != NULL ? it->url : arena_printf(r->a, "urn:threads:media:%s", id);
	it->published = published;
	it->content_html = meta_text(r, src_str(r, p, "text"), &threads_links);
	it->external_url = src_link(r, p, "link_attachment_url");
	it->is_repost = t != NULL && strcmp(t, "REPOST_FACADE") == 0;
	if (user != NULL && strpbrk(user, "/?#%\\ ") == NULL)
		meta_author(r, it, user, arena_printf(r->a, THREADS_WEB "%s", user));
	read_gallery(r, p, it);
	it->kind = src_kind_of(it);
	return RC_OK;
}

static enum rc
threads_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	(void)resp;
	return meta_list(r, meta_net_of(SRC_THREADS), doc, "threads", read_post);
}

const struct src_ops src_threads_ops = {
	.label = "Threads",
	.default_api = "https://graph.threads.net/" THREADS_VERSION,
	.check = threads_check,
	.start = threads_start,
	.page = threads_page,
	.http_error = meta_src_http_error,
	.backoff = meta_backoff,
	.needs_token = true,
};

/* src_tiktok: the connected user's public videos from TikTok's Display
 * API (POST /v2/video/list/ with the fields in the query and the cursor in
 * a JSON body; has_more/cursor paging). */
#include <string.h>

#include "widgets/streams/src.h"

#define TT_PAGE 20               /* max_count: the API's maximum */
#define TT_HANDLE_MAX 24
#define TT_WEB "https://www.tiktok.com"
#define TT_FIELDS "id,create_time,cover_image_url,share_url,video_description,duration," \
	"height,width,title,like_count,comment_count,share_count,view_count"

/* "@handle": TikTok user names are letters, digits, '_' and '.'. */
static bool
handle_ok(const char *s)
{
	return src_handle_ok(s, TT_HANDLE_MAX, ".");
}

static const char *
tiktok_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!handle_ok(c->account))
		return "account: the TikTok user's \"@handle\" (the token says whose videos "
		    "are read; the handle names the profile link)";
	return NULL;
}

/* The list request: the first page (cursor < 0) or the one after `cursor`. */
static enum rc
list_request(struct src_run *r, long long cursor)
{
	r->url = arena_printf(r->a, "%s/v2/video/list/?fields=" TT_FIELDS, r->base);
	r->post_body = cursor < 0 ? arena_printf(r->a, "{\"max_count\":%d}", TT_PAGE) :
	    arena_printf(r->a, "{\"max_count\":%d,\"cursor\":%lld}", TT_PAGE, cursor);
	return r->url != NULL && r->post_body != NULL ? RC_OK : RC_NOMEM;
}

static enum rc
tiktok_start(struct src_run *r)
{
	enum rc rc;

	if ((rc = src_bearer(r)) != RC_OK)
		return rc;
	return list_request(r, -1);
}

/* A video: its poster and length, linking to TikTok (never played here). */
static void
read_video(struct src_run *r, const json_t *v, struct feed_item *it)
{
	struct feed_media *m = src_media_alloc(r, it, 1);
	long long d = src_int(v, "duration");

	if (m == NULL || it->url == NULL)
		return;
	memset(m, 0, sizeof(*m));
	m->type = FEED_MEDIA_VIDEO;
	m->poster = src_media_url(r, src_link(r, v, "cover_image_url"));
	m->link = it->url;
	m->alt = src_str(r, v, "title");
	m->width = (long)src_int(v, "width");
	m->height = (long)src_int(v, "height");
	if (d > 0 && d < 86400)
		m->duration_seconds = d;
	it->nmedia++;
}

static enum rc
read_item(struct src_run *r, const json_t *v, size_t idx)
{
	const char *id = json_string_value(json_object_get(v, "id"));
	long long t = src_int(v, "create_time");
	char *text = src_str(r, v, "video_description");
	struct feed_item *it;

	if (!json_is_object(v) || id == NULL || id[0] == '\0')
		return src_fail(r, RC_INVALID, "unexpected JSON from the TikTok API: video %zu "
		    "has no \"id\" (is \"id\" in fields?)", idx);
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->url = src_link(r, v, "share_url");
	it->id = arena_printf(r->a, TT_WEB "/%s/video/%s", r->conf->account, src_qs(r->a, id));
	if (it->url == NULL)
		it->url = it->id;
	it->published = t > 0 ? t : r->now;
	it->date_missing = t <= 0;
	it->title = src_str(r, v, "title");
	it->content_html = src_text_html(r, text != NULL ? text : it->title);
	read_video(r, v, it);
	src_count(it, FEED_COUNT_LIKES, v, "like_count");
	src_count(it, FEED_COUNT_COMMENTS, v, "comment_count");
	src_count(it, FEED_COUNT_SHARES, v, "share_count");
	src_count(it, FEED_COUNT_VIEWS, v, "view_count");
	it->kind = FEED_KIND_VIDEO;
	return RC_OK;
}

/* {"error":{"code":"ok"}} on success; anything else says why. */
static enum rc
check_error(struct src_run *r, const json_t *doc)
{
	const json_t *e = json_object_get(doc, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));

	if (e == NULL || (code != NULL && strcmp(code, "ok") == 0))
		return RC_OK;
	return src_fail(r, RC_UPSTREAM, "TikTok API: %.60s: %.160s", code ? code : "error",
	    msg != NULL && msg[0] != '\0' ? msg : "(no message)");
}

static enum rc
tiktok_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	const json_t *data = json_object_get(doc, "data");
	const json_t *videos = json_object_get(data, "videos");
	long long cursor = src_int(data, "cursor");
	size_t i;
	const json_t *v;
	enum rc rc;

	(void)resp;
	if (!json_is_object(doc))
		return src_fail(r, RC_INVALID, "unexpected JSON from the TikTok API: not an object");
	if ((rc = check_error(r, doc)) != RC_OK)
		return rc;
	if (!json_is_object(data) || (videos != NULL && !json_is_array(videos)))
		return src_fail(r, RC_INVALID, "unexpected JSON from the TikTok API: no "
		    "\"data\" with a \"videos\" array");
	if (r->pages == 0 && r->feed.home_page_url == NULL)
		r->feed.home_page_url = arena_printf(r->a, TT_WEB "/%s", r->conf->account);
	json_array_foreach(videos, i, v)
		if ((rc = read_item(r, v, i)) != RC_OK)
			return rc;
	r->pages++;
	if (json_is_true(json_object_get(data, "has_more")) && cursor >= 0 &&
	    json_array_size(videos) > 0 && src_want_more(r))
		return list_request(r, cursor);
	return RC_OK;
}

const struct src_ops src_tiktok_ops = {
	.label = "TikTok",
	.default_api = "https://open.tiktokapis.com",
	.needs_token = true,
	.check = tiktok_check,
	.start = tiktok_start,
	.page = tiktok_page,
};

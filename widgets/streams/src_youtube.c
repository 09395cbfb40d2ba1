/* src_youtube: a channel's uploads from the YouTube Data API v3 (with an
 * API key): channels → uploads playlist → playlistItems → videos for
 * durations and counts. Without a key the source is the channel's feed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "widgets/streams/src.h"

#define YT_PAGE 50                 /* the API's maximum for both lists */
#define YT_WATCH "https://www.youtube.com/watch?v="
#define YT_ID_PREFIX "yt:video:"   /* the channel feed's ids: merges dedupe */
#define YT_STEP_CHANNEL 0
#define YT_STEP_UPLOADS 1
#define YT_STEP_VIDEOS 2           /* + the batch number */

static bool
channel_id_ok(const char *s)
{
	if (strlen(s) != 24 || strncmp(s, "UC", 2) != 0)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static bool
handle_ok(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '@' || n < 4 || n > 31)
		return false;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static const char *
youtube_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (c->token_file == NULL && c->connection != NULL)
		return "connection: not supported yet for youtube; give token_file (an API key) "
		    "for the Data API, or neither for the channel's feed";
	if (c->token_file == NULL && !channel_id_ok(c->account))
		return "account: without token_file YouTube is read from the channel's feed, "
		    "which needs the channel id (\"UC\" and 22 more characters)";
	if (!channel_id_ok(c->account) && !handle_ok(c->account))
		return "account: a YouTube channel id (\"UC...\") or handle (\"@brand\")";
	return NULL;
}

static enum rc
youtube_start(struct src_run *r)
{
	const char *acct = r->conf->account;
	char *q = src_qs(r->a, acct);

	if (q == NULL)
		return RC_NOMEM;
	r->url = arena_printf(r->a, "%s/channels?part=contentDetails,snippet&%s=%s", r->base,
	    channel_id_ok(acct) ? "id" : "forHandle", q);
	/* The key goes in a header, never in a URL that logs and caches keep. */
	if (r->token != NULL)
		r->header = arena_printf(r->a, "X-Goog-Api-Key: %s", r->token);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static char *
uploads_url(struct src_run *r, const char *token)
{
	char *t = token != NULL ? src_qs(r->a, token) : NULL;

	return arena_printf(r->a, "%s/playlistItems?part=snippet,contentDetails,status"
	    "&maxResults=%d&playlistId=%s%s%s", r->base, YT_PAGE, r->ctx,
	    t != NULL ? "&pageToken=" : "", t != NULL ? t : "");
}

static enum rc
read_channel(struct src_run *r, const json_t *doc)
{
	const json_t *ch = json_array_get(json_object_get(doc, "items"), 0);
	const json_t *snip = json_object_get(ch, "snippet");
	const char *up = json_string_value(json_object_get(json_object_get(json_object_get(ch,
	    "contentDetails"), "relatedPlaylists"), "uploads"));
	const char *id = json_string_value(json_object_get(ch, "id"));

	if (!json_is_object(doc) || !json_is_array(json_object_get(doc, "items")))
		return src_fail(r, RC_INVALID, "unexpected JSON from the YouTube API: "
		    "channels gave no \"items\"");
	if (ch == NULL)
		return src_fail(r, RC_NOTFOUND, "YouTube API: no channel \"%.64s\"",
		    r->conf->account);
	if (up == NULL || up[0] == '\0' || (r->ctx = src_qs(r->a, up)) == NULL)
		return src_fail(r, RC_INVALID, "unexpected JSON from the YouTube API: the channel "
		    "has no uploads playlist");
	r->feed.title = src_str(r, snip, "title");
	r->feed.description = src_str(r, snip, "description");
	r->feed.icon = src_media_url(r, src_link(r, json_object_get(json_object_get(snip,
	    "thumbnails"), "default"), "url"));
	if (id != NULL && channel_id_ok(id))
		r->feed.home_page_url = arena_printf(r->a, "https://www.youtube.com/channel/%s", id);
	r->step = YT_STEP_UPLOADS;
	r->url = uploads_url(r, NULL);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

/* The largest thumbnail there is. */
static void
poster(struct src_run *r, const json_t *thumbs, struct feed_media *m)
{
	static const char *const sizes[] = { "maxres", "standard", "high", "medium", "default" };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const json_t *t = json_object_get(thumbs, sizes[i]);
		char *u = src_link(r, t, "url");
		if (u == NULL)
			continue;
		m->poster = src_media_url(r, u);
		m->width = (long)json_integer_value(json_object_get(t, "width"));
		m->height = (long)json_integer_value(json_object_get(t, "height"));
		return;
	}
}

static bool
video_id_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 32)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static enum rc
read_upload(struct src_run *r, const json_t *pi, size_t idx)
{
	const json_t *snip = json_object_get(pi, "snippet");
	const json_t *cd = json_object_get(pi, "contentDetails");
	const char *vid = json_string_value(json_object_get(cd, "videoId"));
	const char *priv = json_string_value(json_object_get(json_object_get(pi, "status"),
	    "privacyStatus"));
	char *desc;
	struct feed_item *it;
	struct feed_media *m;

	if (vid == NULL)
		vid = json_string_value(json_object_get(json_object_get(snip, "resourceId"), "videoId"));
	if (!json_is_object(snip) || !video_id_ok(vid))
		return src_fail(r, RC_INVALID, "unexpected JSON from the YouTube API: playlist item "
		    "%zu has no %s", idx, !json_is_object(snip) ? "\"snippet\"" : "video id");
	/* Private and deleted videos stay in the playlist; they are not posts. */
	if (priv != NULL && strcmp(priv, "public") != 0)
		return RC_OK;
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->id = arena_printf(r->a, YT_ID_PREFIX "%s", vid);
	it->url = arena_printf(r->a, YT_WATCH "%s", vid);
	it->title = src_str(r, snip, "title");
	desc = src_str(r, snip, "description");
	it->content_html = desc != NULL ? src_clean_html(r, src_text_html(r, desc), it->url) : NULL;
	it->published = src_date(cd, "videoPublishedAt");
	if (it->published == 0)
		it->published = src_date(snip, "publishedAt");
	if (it->published == 0) {
		it->published = r->now;
		it->date_missing = true;
	}
	it->kind = FEED_KIND_VIDEO;
	if ((m = src_media_alloc(r, it, 1)) != NULL) {
		memset(m, 0, sizeof(*m));
		m->type = FEED_MEDIA_VIDEO;
		m->link = it->url;
		m->alt = it->title;
		poster(r, json_object_get(snip, "thumbnails"), m);
		it->image = m->poster;
		it->nmedia = 1;
	}
	return RC_OK;
}

static char *
videos_url(struct src_run *r, size_t batch)
{
	struct buf b;
	char *ids = NULL;
	enum rc rc = RC_OK;
	size_t end = (batch + 1) * YT_PAGE;

	buf_init(&b, 4096);
	for (size_t i = batch * YT_PAGE; rc == RC_OK && i < r->feed.nitems && i < end; i++)
		rc = buf_appendf(&b, "%s%s", b.len > 0 ? "," : "",
		    r->feed.items[i].id + strlen(YT_ID_PREFIX));
	if (rc == RC_OK && b.len > 0)
		ids = src_qs(r->a, b.data);
	buf_fini(&b);
	if (ids == NULL)
		return NULL;
	return arena_printf(r->a, "%s/videos?part=contentDetails,statistics&id=%s", r->base, ids);
}

static enum rc
read_uploads(struct src_run *r, const json_t *doc)
{
	const json_t *items = json_object_get(doc, "items"), *pi;
	const char *next = json_string_value(json_object_get(doc, "nextPageToken"));
	size_t i;
	enum rc rc;

	if (!json_is_object(doc) || !json_is_array(items))
		return src_fail(r, RC_INVALID, "unexpected JSON from the YouTube API: "
		    "playlistItems gave no \"items\"");
	json_array_foreach(items, i, pi)
		if ((rc = read_upload(r, pi, i)) != RC_OK)
			return rc;
	r->pages++;
	if (next != NULL && next[0] != '\0' && json_array_size(items) > 0 && src_want_more(r)) {
		r->url = uploads_url(r, next);
		return r->url != NULL ? RC_OK : RC_NOMEM;
	}
	r->step = YT_STEP_VIDEOS;
	r->url = r->feed.nitems > 0 ? videos_url(r, 0) : NULL;
	return RC_OK;
}

/* ISO 8601 durations as the API gives them: "PT1H2M3S", "P1DT2H", "PT0S". */
static long long
duration(const char *s)
{
	long long total = 0;
	bool time = false;

	if (s == NULL || *s++ != 'P')
		return 0;
	while (*s != '\0') {
		char *end;
		long long v;
		if (*s == 'T') {
			time = true;
			s++;
			continue;
		}
		v = strtoll(s, &end, 10);
		if (end == s || v < 0 || v > 1000000)
			return 0;
		switch (*end) {
		case 'W': total += v * 604800; break;
		case 'D': total += v * 86400; break;
		case 'H': total += v * 3600; break;
		case 'M': total += time ? v * 60 : v * 2592000; break;
		case 'S': total += v; break;
		default: return 0;
		}
		s = end + 1;
	}
	return total;
}

static struct feed_item *
item_of(struct src_run *r, const char *vid)
{
	for (size_t i = 0; vid != NULL && i < r->feed.nitems; i++)
		if (strcmp(r->feed.items[i].id + strlen(YT_ID_PREFIX), vid) == 0)
			return &r->feed.items[i];
	return NULL;
}

static enum rc
read_videos(struct src_run *r, const json_t *doc)
{
	const json_t *items = json_object_get(doc, "items"), *v;
	size_t i, batch = (size_t)(r->step - YT_STEP_VIDEOS);

	if (!json_is_object(doc) || !json_is_array(items))
		return src_fail(r, RC_INVALID, "unexpected JSON from the YouTube API: "
		    "videos gave no \"items\"");
	json_array_foreach(items, i, v) {
		struct feed_item *it = item_of(r, json_string_value(json_object_get(v, "id")));
		const json_t *stats = json_object_get(v, "statistics");
		if (it == NULL)
			continue;
		if (it->nmedia > 0)
			it->media[0].duration_seconds = duration(json_string_value(json_object_get(
			    json_object_get(v, "contentDetails"), "duration")));
		/* Hidden like counts are simply absent. */
		src_count(it, FEED_COUNT_VIEWS, stats, "viewCount");
		src_count(it, FEED_COUNT_LIKES, stats, "likeCount");
		src_count(it, FEED_COUNT_COMMENTS, stats, "commentCount");
	}
	if ((batch + 1) * YT_PAGE < r->feed.nitems) {
		r->step++;
		r->url = videos_url(r, batch + 1);
	}
	return RC_OK;
}

static enum rc
youtube_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	(void)resp;
	if (r->step == YT_STEP_CHANNEL)
		return read_channel(r, doc);
	if (r->step == YT_STEP_UPLOADS)
		return read_uploads(r, doc);
	return read_videos(r, doc);
}

const struct src_ops src_youtube_ops = {
	.label = "YouTube",
	.default_api = "https://www.googleapis.com/youtube/v3",
	.check = youtube_check,
	.start = youtube_start,
	.page = youtube_page,
};

/* feed_jsonfeed: the item model as JSON Feed 1.1, streamed through
 * util/jsonw (feed_write_json), and what that writer shares with the
 * Jansson tree and its read-back (feed_jsontree.c). Nothing here calls
 * Jansson, so `socialhub parse`, which writes this way only, does not
 * load it. Parser-only facts go in a "_socialhub" extension object. */
#include <stddef.h>
#include <string.h>

#include "util/jsonw.h"
#include "util/time.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/feed_jsonfeed.h"

static const char *const kind_names[] = {
	[FEED_KIND_UNSET] = NULL, [FEED_KIND_NOTE] = "note", [FEED_KIND_PHOTO] = "photo",
	[FEED_KIND_VIDEO] = "video", [FEED_KIND_REEL] = "reel", [FEED_KIND_ARTICLE] = "article",
};

const char *
feed_kind_name(enum feed_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : NULL;
}

enum feed_kind
feed_kind_parse(const char *s)
{
	for (size_t i = 1; s != NULL && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(kind_names[i], s) == 0)
			return (enum feed_kind)i;
	return FEED_KIND_UNSET;
}

const struct feed_count_name feed_count_names[FEED_NCOUNTS] = {
	{ "likes", FEED_COUNT_LIKES, offsetof(struct feed_counts, likes) },
	{ "comments", FEED_COUNT_COMMENTS, offsetof(struct feed_counts, comments) },
	{ "shares", FEED_COUNT_SHARES, offsetof(struct feed_counts, shares) },
	{ "views", FEED_COUNT_VIEWS, offsetof(struct feed_counts, views) },
};
long long *
feed_count_at(struct feed_counts *c, size_t i)
{
	return (long long *)((char *)c + feed_count_names[i].off);
}

long long
feed_count_of(const struct feed_counts *c, size_t i)
{
	return *(const long long *)((const char *)c + feed_count_names[i].off);
}

bool
feed_has_extras(const struct feed_item *it)
{
	return it->kind != FEED_KIND_UNSET || it->is_reply || it->is_repost || it->sensitive ||
	    it->featured ||
	    it->content_warning != NULL || it->nmedia > 0 || it->counts.have != 0;
}

/* ---- streaming: feed_to_json's document without the tree ---- */

/* Each function below mirrors the one above it: the same members in the
 * same order under the same conditions (test_jsonw and fuzz_jsonw compare
 * the bytes with json_dump_callback's). */

static void
w_str(struct jsonw *w, const char *key, const char *s)
{
	if (s != NULL)
		jsonw_key_str(w, key, s, strlen(s));
}

static void
w_date(struct jsonw *w, const char *key, long long t)
{
	char buf[TIME_RFC3339_LEN];

	time_format_rfc3339(t, buf);
	w_str(w, key, buf);
}

static void
w_persons(struct jsonw *w, const char *key, const struct feed_person *p,
    size_t n)
{
	size_t i;

	jsonw_key(w, key, strlen(key));
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		w_str(w, "name", p[i].name);
		w_str(w, "url", p[i].url);
		w_str(w, "avatar", p[i].avatar);
		w_str(w, "_email", p[i].email);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void
w_strings(struct jsonw *w, const char *key, char *const *s, size_t n)
{
	size_t i;

	jsonw_key(w, key, strlen(key));
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++)
		jsonw_str(w, s[i], strlen(s[i]));
	jsonw_arr_end(w);
}

static void
w_int(struct jsonw *w, const char *key, long long v)
{
	jsonw_key(w, key, strlen(key));
	jsonw_int(w, v);
}

static void
w_true(struct jsonw *w, const char *key)
{
	jsonw_key(w, key, strlen(key));
	jsonw_bool(w, true);
}

static void
w_attachments(struct jsonw *w, const struct feed_attachment *at, size_t n)
{
	size_t i;

	jsonw_key(w, "attachments", strlen("attachments"));
	jsonw_arr_begin(w);
	for (i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		w_str(w, "url", at[i].url);
		w_str(w, "mime_type", at[i].mime_type != NULL ?
		    at[i].mime_type : "application/octet-stream");
		w_str(w, "title", at[i].title);
		if (at[i].size_in_bytes > 0)
			w_int(w, "size_in_bytes", at[i].size_in_bytes);
		if (at[i].duration_seconds > 0)
			w_int(w, "duration_in_seconds", at[i].duration_seconds);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void
w_media(struct jsonw *w, const struct feed_media *m, size_t n)
{
	jsonw_key(w, "media", strlen("media"));
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_begin(w);
		w_str(w, "type", m[i].type == FEED_MEDIA_VIDEO ? "video" : "image");
		w_str(w, "url", m[i].url);
		w_str(w, "alt", m[i].alt);
		w_str(w, "poster", m[i].poster);
		w_str(w, "link", m[i].link);
		w_str(w, "blurhash", m[i].blurhash);
		if (m[i].width > 0)
			w_int(w, "width", m[i].width);
		if (m[i].height > 0)
			w_int(w, "height", m[i].height);
		if (m[i].duration_seconds > 0)
			w_int(w, "duration_in_seconds", m[i].duration_seconds);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void
w_extras(struct jsonw *w, const struct feed_item *it)
{
	w_str(w, "kind", feed_kind_name(it->kind));
	if (it->is_reply)
		w_true(w, "reply");
	if (it->is_repost)
		w_true(w, "repost");
	if (it->sensitive)
		w_true(w, "sensitive");
	if (it->featured)
		w_true(w, "featured");
	w_str(w, "content_warning", it->content_warning);
	if (it->nmedia > 0)
		w_media(w, it->media, it->nmedia);
	if (it->counts.have != 0) {
		jsonw_key(w, "counts", strlen("counts"));
		jsonw_obj_begin(w);
		for (size_t i = 0; i < FEED_NCOUNTS; i++)
			if (it->counts.have & feed_count_names[i].bit)
				w_int(w, feed_count_names[i].name, feed_count_of(&it->counts, i));
		jsonw_obj_end(w);
	}
}

static void
w_item(struct jsonw *w, const struct feed_item *it, bool pinned)
{
	jsonw_obj_begin(w);
	w_str(w, "id", it->id != NULL ? it->id : "");
	w_str(w, "url", it->url);
	w_str(w, "external_url", it->external_url);
	w_str(w, "title", it->title);
	w_str(w, "content_html", it->content_html);
	w_str(w, "content_text", it->content_text);
	if (it->content_html == NULL && it->content_text == NULL)
		w_str(w, "content_text", "");
	w_str(w, "summary", it->summary);
	w_str(w, "image", it->image);
	w_str(w, "banner_image", it->banner_image);
	w_date(w, "date_published", it->published);
	if (it->updated != 0)
		w_date(w, "date_modified", it->updated);
	if (it->nauthors > 0)
		w_persons(w, "authors", it->authors, it->nauthors);
	if (it->ntags > 0)
		w_strings(w, "tags", it->tags, it->ntags);
	w_str(w, "language", it->language);
	if (it->nattachments > 0)
		w_attachments(w, it->attachments, it->nattachments);
	if (it->date_missing || it->source != NULL || it->market != NULL ||
	    it->nimages > 0 || feed_has_extras(it) || pinned) {
		jsonw_key(w, JSONFEED_EXT, strlen(JSONFEED_EXT));
		jsonw_obj_begin(w);
		if (it->date_missing)
			w_true(w, "date_missing");
		w_str(w, "source", it->source);
		w_str(w, "market", it->market);
		if (it->nimages > 0)
			w_strings(w, "images", it->images, it->nimages);
		w_extras(w, it);
		if (pinned)
			w_true(w, "pinned");
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
}

void
feed_write_json_head(const struct feed *f, struct jsonw *w)
{
	jsonw_obj_begin(w);
	w_str(w, "version", JSONFEED_VERSION);
	w_str(w, "title", f->title != NULL ? f->title : "");
	w_str(w, "home_page_url", f->home_page_url);
	w_str(w, "feed_url", f->feed_url);
	w_str(w, "description", f->description);
	w_str(w, "icon", f->icon);
	w_str(w, "favicon", f->favicon);
	w_str(w, "language", f->language);
	if (f->nauthors > 0)
		w_persons(w, "authors", f->authors, f->nauthors);
	jsonw_key(w, JSONFEED_EXT, strlen(JSONFEED_EXT));
	jsonw_obj_begin(w);
	w_str(w, "format", feed_format_name(f->format));
	w_str(w, "id", f->id);
	if (f->ttl_minutes > 0)
		w_int(w, "ttl", f->ttl_minutes);
	w_str(w, "encoding", f->encoding);
	if (f->recovered)
		w_true(w, "recovered");
	if (f->truncated)
		w_true(w, "truncated");
	if (f->repaired_bytes > 0)
		w_int(w, "repaired_bytes", (long long)f->repaired_bytes);
	jsonw_obj_end(w);
	jsonw_key(w, "items", strlen("items"));
	jsonw_arr_begin(w);
}

void
feed_write_json_item(const struct feed_item *it, bool pinned, struct jsonw *w)
{
	w_item(w, it, pinned);
}

void
feed_write_json_begin(const struct feed *f, size_t npinned, struct jsonw *w)
{
	size_t i;

	feed_write_json_head(f, w);
	for (i = 0; i < f->nitems; i++)
		w_item(w, &f->items[i], i < npinned);
	jsonw_arr_end(w);
}

enum rc
feed_write_json(const struct feed *f, struct jsonw *w)
{
	feed_write_json_begin(f, 0, w);
	jsonw_obj_end(w);
	return jsonw_flush(w);
}

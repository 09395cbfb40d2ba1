/* render_json: one stream page as JSON Feed 1.1 (https://jsonfeed.org/version/1.1). */
#include "widgets/render_formats.h"
#include "widgets/render_common.h"

#include <jansson.h>

#define JSONFEED_VERSION "https://jsonfeed.org/version/1.1"

/* JSON Feed 1.1 author: at least one of name, url, avatar. */
static json_t *
person_json(const struct feed_person *p)
{
	json_t *o = json_object();

	if (o == NULL || !render_json_set_str(o, "name", p->name) || !render_json_set_str(o, "url", p->url) ||
	    !render_json_set_str(o, "avatar", p->avatar) || json_object_size(o) == 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool
add_authors(json_t *o, const struct feed_person *people, size_t n)
{
	json_t *arr;

	if (n == 0)
		return true;
	if ((arr = json_array()) == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_t *p = person_json(&people[i]);
		if (p != NULL && json_array_append_new(arr, p) != 0) {
			json_decref(arr);
			return false;
		}
	}
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return true;
	}
	return json_object_set_new(o, "authors", arr) == 0;
}

static bool
add_tags(json_t *o, char *const *tags, size_t n)
{
	json_t *arr;

	if (n == 0)
		return true;
	if ((arr = json_array()) == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tags[i] != NULL && tags[i][0] != '\0')
			json_array_append_new(arr, json_string(tags[i]));
	return json_object_set_new(o, "tags", arr) == 0;
}

/* attachments: url and mime_type are required by the spec. */
static bool
add_attachments(json_t *o, const struct feed_attachment *at, size_t n)
{
	json_t *arr;

	if (n == 0)
		return true;
	if ((arr = json_array()) == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_object();
		if (a == NULL)
			break;
		render_json_set_str(a, "url", at[i].url);
		render_json_set_str(a, "mime_type", at[i].mime_type != NULL ? at[i].mime_type :
		    "application/octet-stream");
		render_json_set_str(a, "title", at[i].title);
		if (at[i].size_in_bytes > 0)
			json_object_set_new(a, "size_in_bytes", json_integer(at[i].size_in_bytes));
		if (at[i].duration_seconds > 0)
			json_object_set_new(a, "duration_in_seconds",
			    json_integer(at[i].duration_seconds));
		json_array_append_new(arr, a);
	}
	return json_object_set_new(o, "attachments", arr) == 0;
}

/* content_html or content_text must be present: fall back to other text. */
static bool
add_content(json_t *o, const struct feed_item *it)
{
	const char *text = it->content_text;

	if (it->content_html != NULL && it->content_html[0] != '\0')
		return render_json_set_str(o, "content_html", it->content_html) &&
		    render_json_set_str(o, "content_text", it->content_text);
	if (text == NULL || text[0] == '\0')
		text = it->summary;
	if (text == NULL || text[0] == '\0')
		text = it->title;
	return json_object_set_new(o, "content_text", json_string(text != NULL ? text : "")) == 0;
}

/* The API sources' extras in "_socialhub", as the cache has them. */
static bool
add_extras(json_t *ext, const struct feed_item *it)
{
	static const struct { const char *name; unsigned bit; } counts[] = {
		{ "likes", FEED_COUNT_LIKES }, { "comments", FEED_COUNT_COMMENTS },
		{ "shares", FEED_COUNT_SHARES }, { "views", FEED_COUNT_VIEWS },
	};
	const long long vals[] = { it->counts.likes, it->counts.comments, it->counts.shares,
		it->counts.views };
	bool ok = render_json_set_str(ext, "kind", feed_kind_name(it->kind)) &&
	    render_json_set_str(ext, "content_warning", it->content_warning);
	json_t *arr, *c;

	if (ok && it->is_reply)
		ok = json_object_set_new(ext, "reply", json_true()) == 0;
	if (ok && it->is_repost)
		ok = json_object_set_new(ext, "repost", json_true()) == 0;
	if (ok && it->featured)
		ok = json_object_set_new(ext, "featured", json_true()) == 0;
	if (ok && it->nmedia > 0 && (ok = (arr = json_array()) != NULL)) {
		for (size_t i = 0; i < it->nmedia; i++) {
			const struct feed_media *m = &it->media[i];
			json_t *o = json_pack("{s:s}", "type", m->type == FEED_MEDIA_VIDEO ? "video" : "image");
			if (o == NULL)
				continue;
			render_json_set_str(o, "url", m->url);
			render_json_set_str(o, "alt", m->alt);
			render_json_set_str(o, "poster", m->poster);
			render_json_set_str(o, "link", m->link);
			render_json_set_str(o, "blurhash", m->blurhash);
			if (m->width > 0 && m->height > 0) {
				json_object_set_new(o, "width", json_integer(m->width));
				json_object_set_new(o, "height", json_integer(m->height));
			}
			if (m->duration_seconds > 0)
				json_object_set_new(o, "duration_in_seconds", json_integer(m->duration_seconds));
			json_array_append_new(arr, o);
		}
		ok = json_object_set_new(ext, "media", arr) == 0;
	}
	if (ok && it->counts.have != 0 && (ok = (c = json_object()) != NULL)) {
		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
			if (it->counts.have & counts[i].bit)
				json_object_set_new(c, counts[i].name, json_integer(vals[i]));
		ok = json_object_set_new(ext, "counts", c) == 0;
	}
	return ok;
}

static json_t *
item_json(const struct feed_item *it)
{
	json_t *o = json_object(), *ext;
	const char *id = it->id != NULL ? it->id : it->url;
	bool ok;

	if (o == NULL)
		return NULL;
	ok = json_object_set_new(o, "id", json_string(id != NULL ? id : "")) == 0 &&
	    render_json_set_str(o, "url", it->url) && render_json_set_str(o, "external_url", it->external_url) &&
	    render_json_set_str(o, "title", it->title) && add_content(o, it) &&
	    render_json_set_str(o, "summary", it->summary) && render_json_set_str(o, "image", it->image) &&
	    render_json_set_str(o, "banner_image", it->banner_image) &&
	    render_json_set_date(o, "date_published", it->published) &&
	    (it->updated <= 0 || render_json_set_date(o, "date_modified", it->updated)) &&
	    add_authors(o, it->authors, it->nauthors) && add_tags(o, it->tags, it->ntags) &&
	    render_json_set_str(o, "language", it->language) &&
	    add_attachments(o, it->attachments, it->nattachments);
	ext = json_pack("{s:s, s:s?, s:s?, s:b}",
	    "network", render_network_of(it->url).id,
	    "source", it->source, "market", it->market,
	    "date_missing", it->date_missing);
	if (ext != NULL && !add_extras(ext, it))
		ok = false;
	if (!ok || ext == NULL || json_object_set_new(o, "_socialhub", ext) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
page_json(const struct render_page *p)
{
	json_t *o = json_object(), *items = json_array();
	bool ok;

	if (o == NULL || items == NULL) {
		json_decref(o);
		json_decref(items);
		return NULL;
	}
	ok = render_json_set_str(o, "version", JSONFEED_VERSION) && render_json_set_str(o, "title", p->title) &&
	    render_json_set_str(o, "home_page_url", p->site->home) && render_json_set_str(o, "feed_url", p->feed_url) &&
	    render_json_set_str(o, "description", p->description) && render_json_set_str(o, "next_url", p->next_url);
	for (size_t i = 0; ok && i < p->nitems; i++) {
		json_t *it = item_json(p->items[i]);
		ok = it != NULL && json_array_append_new(items, it) == 0;
	}
	if (!ok || json_object_set_new(o, "items", items) != 0) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "_socialhub", json_pack("{s:s, s:s}", "stream", p->stream,
	    "self_url", p->self_url != NULL ? p->self_url : ""));
	return o;
}

enum rc
render_json(struct buf *out, const struct render_page *p)
{
	json_t *o = page_json(p);
	enum rc rc;

	if (o == NULL)
		return RC_NOMEM;
	rc = render_dump_json(out, o);
	json_decref(o);
	return rc;
}

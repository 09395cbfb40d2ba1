/* render_json: one stream page as JSON Feed 1.1 (https://jsonfeed.org/version/1.1). */
#include "widgets/render.h"
#include "widgets/render_int.h"

#include <jansson.h>

#define JSONFEED_VERSION "https://jsonfeed.org/version/1.1"

/* Sets key to a string when s is not NULL/empty; false on no memory. */
static bool
set_str(json_t *o, const char *key, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return true;
	return json_object_set_new(o, key, json_string(s)) == 0;
}

static bool
set_date(json_t *o, const char *key, long long t)
{
	struct buf b;
	bool ok;

	buf_init(&b, 64);
	ok = render_rfc3339(&b, t) == RC_OK && set_str(o, key, b.data);
	buf_fini(&b);
	return ok;
}

/* JSON Feed 1.1 author: at least one of name, url, avatar. */
static json_t *
person_json(const struct feed_person *p)
{
	json_t *o = json_object();

	if (o == NULL || !set_str(o, "name", p->name) || !set_str(o, "url", p->url) ||
	    !set_str(o, "avatar", p->avatar) || json_object_size(o) == 0) {
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
		set_str(a, "url", at[i].url);
		set_str(a, "mime_type", at[i].mime_type != NULL ? at[i].mime_type :
		    "application/octet-stream");
		set_str(a, "title", at[i].title);
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
		return set_str(o, "content_html", it->content_html) &&
		    set_str(o, "content_text", it->content_text);
	if (text == NULL || text[0] == '\0')
		text = it->summary;
	if (text == NULL || text[0] == '\0')
		text = it->title;
	return json_object_set_new(o, "content_text", json_string(text != NULL ? text : "")) == 0;
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
	    set_str(o, "url", it->url) && set_str(o, "external_url", it->external_url) &&
	    set_str(o, "title", it->title) && add_content(o, it) &&
	    set_str(o, "summary", it->summary) && set_str(o, "image", it->image) &&
	    set_str(o, "banner_image", it->banner_image) &&
	    set_date(o, "date_published", it->published) &&
	    (it->updated <= 0 || set_date(o, "date_modified", it->updated)) &&
	    add_authors(o, it->authors, it->nauthors) && add_tags(o, it->tags, it->ntags) &&
	    set_str(o, "language", it->language) &&
	    add_attachments(o, it->attachments, it->nattachments);
	ext = json_pack("{s:s, s:s?, s:s?, s:b}",
	    "network", render_network_of(it->url).id,
	    "source", it->source, "market", it->market,
	    "date_missing", it->date_missing);
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
	ok = set_str(o, "version", JSONFEED_VERSION) && set_str(o, "title", p->title) &&
	    set_str(o, "home_page_url", p->site->home) && set_str(o, "feed_url", p->feed_url) &&
	    set_str(o, "description", p->description) && set_str(o, "next_url", p->next_url);
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

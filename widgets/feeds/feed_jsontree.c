/* feed_jsontree: the item model as a JSON Feed 1.1 Jansson tree
 * (feed_to_json), the cache's read-back (feed_from_json) and its in-memory
 * twin (feed_normalize). feed_write_json (feed_jsonfeed.c) writes the
 * tree's bytes without building it. */
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "util/jsonutil.h"
#include "util/time.h"
#include "util/url.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/feed_jsonfeed.h"

struct out {
	bool nomem;
};

/* Keys are the literals below: nothing for Jansson to check. */
static void
put(struct out *o, json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new_nocheck(obj, key, v) != 0)
		o->nomem = true;
}

/* A JSON string of s, or NULL when s is not UTF-8 (json_string's test,
 * a word at a time) or out of memory. */
static json_t *
str_new(const char *s)
{
	size_t n = strlen(s);

	return utf8_valid(s, n) ? json_stringn_nocheck(s, n) : NULL;
}

static void
put_str(struct out *o, json_t *obj, const char *key, const char *s)
{
	json_t *v;

	if (s == NULL)
		return;
	/* Our strings are UTF-8; a string Jansson refuses is left out. */
	v = str_new(s);
	if (v != NULL)
		put(o, obj, key, v);
}

static void
put_date(struct out *o, json_t *obj, const char *key, long long t)
{
	char buf[TIME_RFC3339_LEN];

	time_format_rfc3339(t, buf);
	put_str(o, obj, key, buf);
}

static json_t *
persons_out(struct out *o, const struct feed_person *p, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	if (arr == NULL) {
		o->nomem = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *a = json_object();
		if (a == NULL) {
			o->nomem = true;
			break;
		}
		put_str(o, a, "name", p[i].name);
		put_str(o, a, "url", p[i].url);
		put_str(o, a, "avatar", p[i].avatar);
		put_str(o, a, "_email", p[i].email);
		if (json_array_append_new(arr, a) != 0)
			o->nomem = true;
	}
	return arr;
}

static json_t *
strings_out(struct out *o, char *const *s, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	if (arr == NULL) {
		o->nomem = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *v = str_new(s[i]);
		if (v != NULL && json_array_append_new(arr, v) != 0)
			o->nomem = true;
	}
	return arr;
}

static json_t *
attachments_out(struct out *o, const struct feed_attachment *at, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	if (arr == NULL) {
		o->nomem = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *a = json_object();
		if (a == NULL) {
			o->nomem = true;
			break;
		}
		put_str(o, a, "url", at[i].url);
		put_str(o, a, "mime_type", at[i].mime_type != NULL ?
		    at[i].mime_type : "application/octet-stream");
		put_str(o, a, "title", at[i].title);
		if (at[i].size_in_bytes > 0)
			put(o, a, "size_in_bytes",
			    json_integer(at[i].size_in_bytes));
		if (at[i].duration_seconds > 0)
			put(o, a, "duration_in_seconds",
			    json_integer(at[i].duration_seconds));
		if (json_array_append_new(arr, a) != 0)
			o->nomem = true;
	}
	return arr;
}

static json_t *
media_out(struct out *o, const struct feed_media *m, size_t n)
{
	json_t *arr = json_array();

	if (arr == NULL) {
		o->nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_object();
		if (a == NULL) {
			o->nomem = true;
			break;
		}
		put_str(o, a, "type", m[i].type == FEED_MEDIA_VIDEO ? "video" : "image");
		put_str(o, a, "url", m[i].url);
		put_str(o, a, "alt", m[i].alt);
		put_str(o, a, "poster", m[i].poster);
		put_str(o, a, "link", m[i].link);
		put_str(o, a, "blurhash", m[i].blurhash);
		if (m[i].width > 0)
			put(o, a, "width", json_integer(m[i].width));
		if (m[i].height > 0)
			put(o, a, "height", json_integer(m[i].height));
		if (m[i].duration_seconds > 0)
			put(o, a, "duration_in_seconds", json_integer(m[i].duration_seconds));
		if (json_array_append_new(arr, a) != 0)
			o->nomem = true;
	}
	return arr;
}

static json_t *
counts_out(struct out *o, const struct feed_counts *c)
{
	json_t *j = json_object();

	if (j == NULL) {
		o->nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < FEED_NCOUNTS; i++)
		if (c->have & feed_count_names[i].bit)
			put(o, j, feed_count_names[i].name, json_integer(feed_count_of(c, i)));
	return j;
}

static void
extras_out(struct out *o, json_t *ext, const struct feed_item *it)
{
	put_str(o, ext, "kind", feed_kind_name(it->kind));
	if (it->is_reply)
		put(o, ext, "reply", json_true());
	if (it->is_repost)
		put(o, ext, "repost", json_true());
	if (it->sensitive)
		put(o, ext, "sensitive", json_true());
	if (it->featured)
		put(o, ext, "featured", json_true());
	put_str(o, ext, "content_warning", it->content_warning);
	if (it->nmedia > 0)
		put(o, ext, "media", media_out(o, it->media, it->nmedia));
	if (it->counts.have != 0)
		put(o, ext, "counts", counts_out(o, &it->counts));
}

static json_t *
item_out(struct out *o, const struct feed_item *it)
{
	json_t *j = json_object(), *ext;

	if (j == NULL) {
		o->nomem = true;
		return NULL;
	}
	put_str(o, j, "id", it->id != NULL ? it->id : "");
	put_str(o, j, "url", it->url);
	put_str(o, j, "external_url", it->external_url);
	put_str(o, j, "title", it->title);
	put_str(o, j, "content_html", it->content_html);
	put_str(o, j, "content_text", it->content_text);
	if (it->content_html == NULL && it->content_text == NULL)
		put_str(o, j, "content_text", ""); /* one of them is required */
	put_str(o, j, "summary", it->summary);
	put_str(o, j, "image", it->image);
	put_str(o, j, "banner_image", it->banner_image);
	put_date(o, j, "date_published", it->published);
	if (it->updated != 0)
		put_date(o, j, "date_modified", it->updated);
	if (it->nauthors > 0)
		put(o, j, "authors", persons_out(o, it->authors, it->nauthors));
	if (it->ntags > 0)
		put(o, j, "tags", strings_out(o, it->tags, it->ntags));
	put_str(o, j, "language", it->language);
	if (it->nattachments > 0)
		put(o, j, "attachments", attachments_out(o, it->attachments,
		    it->nattachments));
	if (it->date_missing || it->source != NULL || it->market != NULL ||
	    it->nimages > 0 || feed_has_extras(it)) {
		ext = json_object();
		if (ext == NULL) {
			o->nomem = true;
			return j;
		}
		if (it->date_missing)
			put(o, ext, "date_missing", json_true());
		put_str(o, ext, "source", it->source);
		put_str(o, ext, "market", it->market);
		if (it->nimages > 0)
			put(o, ext, "images", strings_out(o, it->images,
			    it->nimages));
		extras_out(o, ext, it);
		put(o, j, JSONFEED_EXT, ext);
	}
	return j;
}

json_t *
feed_to_json(const struct feed *f)
{
	struct out o = { false };
	json_t *j = json_object(), *items, *ext;
	size_t i;

	if (j == NULL)
		return NULL;
	put_str(&o, j, "version", JSONFEED_VERSION);
	put_str(&o, j, "title", f->title != NULL ? f->title : "");
	put_str(&o, j, "home_page_url", f->home_page_url);
	put_str(&o, j, "feed_url", f->feed_url);
	put_str(&o, j, "description", f->description);
	put_str(&o, j, "icon", f->icon);
	put_str(&o, j, "favicon", f->favicon);
	put_str(&o, j, "language", f->language);
	if (f->nauthors > 0)
		put(&o, j, "authors", persons_out(&o, f->authors, f->nauthors));
	ext = json_object();
	if (ext != NULL) {
		put_str(&o, ext, "format", feed_format_name(f->format));
		put_str(&o, ext, "id", f->id);
		if (f->ttl_minutes > 0)
			put(&o, ext, "ttl", json_integer(f->ttl_minutes));
		put_str(&o, ext, "encoding", f->encoding);
		if (f->recovered)
			put(&o, ext, "recovered", json_true());
		if (f->truncated)
			put(&o, ext, "truncated", json_true());
		if (f->repaired_bytes > 0)
			put(&o, ext, "repaired_bytes",
			    json_integer((json_int_t)f->repaired_bytes));
		put(&o, j, JSONFEED_EXT, ext);
	} else {
		o.nomem = true;
	}
	items = json_array();
	if (items == NULL) {
		json_decref(j);
		return NULL;
	}
	for (i = 0; i < f->nitems; i++) {
		json_t *it = item_out(&o, &f->items[i]);
		if (it == NULL || json_array_append_new(items, it) != 0)
			o.nomem = true;
	}
	put(&o, j, "items", items);
	if (o.nomem) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- the read-back, in memory ---- */

/* get_str of what put_str wrote: NULL, "" and non-UTF-8 come back NULL. */
static char *
n_str(char *s)
{
	return s == NULL || s[0] == '\0' || !utf8_valid(s, strlen(s)) ? NULL : s;
}

/* get_date of what put_date wrote. */
static long long
n_date(long long t)
{
	char buf[TIME_RFC3339_LEN];
	long long r = 0;

	time_format_rfc3339(t, buf);
	if (!time_parse_iso8601(buf, &r))
		r = 0;
	return r;
}

/* strings_in of strings_out: non-UTF-8 entries go, "" stays. */
static char **
n_strings(char **v, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++)
		if (utf8_valid(v[i], strlen(v[i])))
			v[k++] = v[i];
	*n = k;
	return k > 0 ? v : NULL;
}

static void
n_persons(struct feed_person *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i].name = n_str(p[i].name);
		p[i].url = n_str(p[i].url);
		p[i].avatar = n_str(p[i].avatar);
		p[i].email = n_str(p[i].email);
	}
}

/* media_in of media_out: an entry with neither url nor link goes. */
static void
n_media(struct feed_item *it)
{
	size_t k = 0;

	for (size_t i = 0; i < it->nmedia; i++) {
		struct feed_media m = it->media[i];
		m.type = m.type == FEED_MEDIA_VIDEO ? FEED_MEDIA_VIDEO : FEED_MEDIA_IMAGE;
		m.url = n_str(m.url);
		m.alt = n_str(m.alt);
		m.poster = n_str(m.poster);
		m.link = n_str(m.link);
		m.blurhash = n_str(m.blurhash);
		m.width = m.width > 0 ? m.width : 0;
		m.height = m.height > 0 ? m.height : 0;
		m.duration_seconds = m.duration_seconds > 0 ? m.duration_seconds : 0;
		if (m.url != NULL || m.link != NULL)
			it->media[k++] = m;
	}
	it->nmedia = k;
	if (k == 0)
		it->media = NULL;
}

static void
n_item(struct feed_item *it)
{
	size_t k = 0;

	it->id = n_str(it->id);
	it->url = n_str(it->url);
	it->external_url = n_str(it->external_url);
	it->title = n_str(it->title);
	it->content_html = n_str(it->content_html);
	it->content_text = n_str(it->content_text);
	it->summary = n_str(it->summary);
	it->image = n_str(it->image);
	it->banner_image = n_str(it->banner_image);
	it->published = n_date(it->published);
	it->updated = it->updated != 0 ? n_date(it->updated) : 0;
	n_persons(it->authors, it->nauthors);
	if (it->nauthors == 0)
		it->authors = NULL;
	it->tags = n_strings(it->tags, &it->ntags);
	it->language = n_str(it->language);
	for (size_t i = 0; i < it->nattachments; i++) {
		struct feed_attachment at = it->attachments[i];
		if ((at.url = n_str(at.url)) == NULL)
			continue;
		at.mime_type = at.mime_type == NULL ? (char *)"application/octet-stream" :
		    n_str(at.mime_type);
		at.title = n_str(at.title);
		at.size_in_bytes = at.size_in_bytes > 0 ? at.size_in_bytes : 0;
		at.duration_seconds = at.duration_seconds > 0 ? at.duration_seconds : 0;
		it->attachments[k++] = at;
	}
	it->nattachments = k;
	it->source = n_str(it->source);
	it->market = n_str(it->market);
	it->images = n_strings(it->images, &it->nimages);
	if (feed_kind_name(it->kind) == NULL)
		it->kind = FEED_KIND_UNSET;
	it->content_warning = n_str(it->content_warning);
	n_media(it);
	it->counts.have &= FEED_COUNT_LIKES | FEED_COUNT_COMMENTS | FEED_COUNT_SHARES |
	    FEED_COUNT_VIEWS;
	for (size_t i = 0; i < FEED_NCOUNTS; i++)
		if (!(it->counts.have & feed_count_names[i].bit))
			*feed_count_at(&it->counts, i) = 0;
}

void
feed_normalize(struct feed *f)
{
	f->title = n_str(f->title);
	f->home_page_url = n_str(f->home_page_url);
	f->feed_url = n_str(f->feed_url);
	f->description = n_str(f->description);
	f->icon = n_str(f->icon);
	f->favicon = n_str(f->favicon);
	f->language = n_str(f->language);
	n_persons(f->authors, f->nauthors);
	if (f->nauthors == 0)
		f->authors = NULL;
	if (f->format < FEED_UNKNOWN || f->format > FEED_JSON11)
		f->format = FEED_UNKNOWN;
	f->id = n_str(f->id);
	f->ttl_minutes = f->ttl_minutes > 0 ? f->ttl_minutes : 0;
	f->encoding = n_str((char *)f->encoding);
	for (size_t i = 0; i < f->nitems; i++)
		n_item(&f->items[i]);
}

/* ---- reading back ---- */

struct in {
	struct arena *a;
	bool nomem;
};

/* Feed strings: a member that is not a non-empty string is not given. */
static char *
get_str(struct in *in, const json_t *o, const char *key)
{
	enum rc err = RC_OK;
	char *r = jsonutil_str(in->a, o, key, JSONUTIL_NONEMPTY, &err);

	if (err == RC_NOMEM)
		in->nomem = true;
	return r;
}

static long long
get_date(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	long long t = 0;

	if (s != NULL && !time_parse_iso8601(s, &t))
		t = 0;
	return t;
}

static void
persons_in(struct in *in, const json_t *arr, struct feed_person **out,
    size_t *n)
{
	size_t i, cnt = json_array_size(arr);
	const json_t *v;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return;
	*out = arena_calloc(in->a, cnt, sizeof(**out));
	if (*out == NULL) {
		in->nomem = true;
		return;
	}
	json_array_foreach(arr, i, v) {
		struct feed_person *p = &(*out)[*n];
		if (!json_is_object(v))
			continue;
		p->name = get_str(in, v, "name");
		p->url = get_str(in, v, "url");
		p->avatar = get_str(in, v, "avatar");
		p->email = get_str(in, v, "_email");
		(*n)++;
	}
}

static char **
strings_in(struct in *in, const json_t *arr, size_t *n)
{
	size_t i, cnt = json_array_size(arr);
	const json_t *v;
	char **out;

	*n = 0;
	if (cnt == 0)
		return NULL;
	out = arena_calloc(in->a, cnt, sizeof(*out));
	if (out == NULL) {
		in->nomem = true;
		return NULL;
	}
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (s == NULL)
			continue;
		out[*n] = arena_strdup(in->a, s);
		if (out[*n] == NULL)
			in->nomem = true;
		else
			(*n)++;
	}
	return out;
}

static void
attachments_in(struct in *in, const json_t *arr, struct feed_item *it)
{
	size_t i, cnt = json_array_size(arr);
	const json_t *v;

	if (cnt == 0)
		return;
	it->attachments = arena_calloc(in->a, cnt, sizeof(*it->attachments));
	if (it->attachments == NULL) {
		in->nomem = true;
		return;
	}
	json_array_foreach(arr, i, v) {
		struct feed_attachment *at = &it->attachments[it->nattachments];
		if (!json_is_object(v) || (at->url = get_str(in, v, "url")) == NULL)
			continue;
		at->mime_type = get_str(in, v, "mime_type");
		at->title = get_str(in, v, "title");
		at->size_in_bytes = jsonutil_int(v, "size_in_bytes");
		at->duration_seconds = jsonutil_int(v, "duration_in_seconds");
		it->nattachments++;
	}
}

static void
media_in(struct in *in, const json_t *arr, struct feed_item *it)
{
	size_t i, cnt = json_array_size(arr);
	const json_t *v;

	if (cnt == 0)
		return;
	it->media = arena_calloc(in->a, cnt, sizeof(*it->media));
	if (it->media == NULL) {
		in->nomem = true;
		return;
	}
	json_array_foreach(arr, i, v) {
		struct feed_media *m = &it->media[it->nmedia];
		const char *type = json_string_value(json_object_get(v, "type"));
		if (!json_is_object(v))
			continue;
		m->type = type != NULL && strcmp(type, "video") == 0 ? FEED_MEDIA_VIDEO :
		    FEED_MEDIA_IMAGE;
		m->url = get_str(in, v, "url");
		m->alt = get_str(in, v, "alt");
		m->poster = get_str(in, v, "poster");
		m->link = get_str(in, v, "link");
		m->blurhash = get_str(in, v, "blurhash");
		m->width = (long)jsonutil_int(v, "width");
		m->height = (long)jsonutil_int(v, "height");
		m->duration_seconds = jsonutil_int(v, "duration_in_seconds");
		if (m->width < 0)
			m->width = 0;
		if (m->height < 0)
			m->height = 0;
		if (m->duration_seconds < 0)
			m->duration_seconds = 0;
		if (m->url != NULL || m->link != NULL)
			it->nmedia++;
	}
}

static void
extras_in(struct in *in, const json_t *ext, struct feed_item *it)
{
	const json_t *counts = json_object_get(ext, "counts");

	it->kind = feed_kind_parse(json_string_value(json_object_get(ext, "kind")));
	it->is_reply = json_is_true(json_object_get(ext, "reply"));
	it->is_repost = json_is_true(json_object_get(ext, "repost"));
	it->sensitive = json_is_true(json_object_get(ext, "sensitive"));
	it->featured = json_is_true(json_object_get(ext, "featured"));
	it->content_warning = get_str(in, ext, "content_warning");
	media_in(in, json_object_get(ext, "media"), it);
	for (size_t i = 0; json_is_object(counts) && i < FEED_NCOUNTS; i++) {
		const json_t *c = json_object_get(counts, feed_count_names[i].name);
		if (!json_is_integer(c))
			continue;
		*feed_count_at(&it->counts, i) = (long long)json_integer_value(c);
		it->counts.have |= feed_count_names[i].bit;
	}
}

static void
item_in(struct in *in, const json_t *j, struct feed_item *it)
{
	const json_t *ext = json_object_get(j, JSONFEED_EXT);

	it->id = get_str(in, j, "id");
	it->url = get_str(in, j, "url");
	it->external_url = get_str(in, j, "external_url");
	it->title = get_str(in, j, "title");
	it->content_html = get_str(in, j, "content_html");
	it->content_text = get_str(in, j, "content_text");
	it->summary = get_str(in, j, "summary");
	it->image = get_str(in, j, "image");
	it->banner_image = get_str(in, j, "banner_image");
	it->published = get_date(j, "date_published");
	it->updated = get_date(j, "date_modified");
	persons_in(in, json_object_get(j, "authors"), &it->authors,
	    &it->nauthors);
	it->tags = strings_in(in, json_object_get(j, "tags"), &it->ntags);
	it->language = get_str(in, j, "language");
	attachments_in(in, json_object_get(j, "attachments"), it);
	if (json_is_object(ext)) {
		it->date_missing = json_is_true(json_object_get(ext,
		    "date_missing"));
		it->source = get_str(in, ext, "source");
		it->market = get_str(in, ext, "market");
		it->images = strings_in(in, json_object_get(ext, "images"),
		    &it->nimages);
		extras_in(in, ext, it);
	}
}

static enum feed_format
format_in(const char *name)
{
	enum feed_format f;

	for (f = FEED_UNKNOWN; f <= FEED_JSON11; f++) {
		if (name != NULL && strcmp(feed_format_name(f), name) == 0)
			return f;
	}
	return FEED_UNKNOWN;
}

enum rc
feed_from_json(struct arena *a, const json_t *j, struct feed *out)
{
	struct in in = { a, false };
	const json_t *items, *v, *ext;
	const char *version;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	version = json_string_value(json_object_get(j, "version"));
	items = json_object_get(j, "items");
	if (!json_is_object(j) || version == NULL ||
	    strstr(version, "jsonfeed.org/version/1") == NULL ||
	    !json_is_array(items))
		return RC_INVALID;
	out->title = get_str(&in, j, "title");
	out->home_page_url = get_str(&in, j, "home_page_url");
	out->feed_url = get_str(&in, j, "feed_url");
	out->description = get_str(&in, j, "description");
	out->icon = get_str(&in, j, "icon");
	out->favicon = get_str(&in, j, "favicon");
	out->language = get_str(&in, j, "language");
	persons_in(&in, json_object_get(j, "authors"), &out->authors,
	    &out->nauthors);
	ext = json_object_get(j, JSONFEED_EXT);
	if (json_is_object(ext)) {
		out->format = format_in(json_string_value(json_object_get(ext,
		    "format")));
		out->id = get_str(&in, ext, "id");
		out->ttl_minutes = (long)jsonutil_int(ext, "ttl");
		out->encoding = get_str(&in, ext, "encoding");
		out->recovered = json_is_true(json_object_get(ext, "recovered"));
		out->truncated = json_is_true(json_object_get(ext, "truncated"));
		out->repaired_bytes = jsonutil_int(ext, "repaired_bytes") > 0 ?
		    (size_t)jsonutil_int(ext, "repaired_bytes") : 0;
	} else {
		out->format = strstr(version, "1.1") != NULL ? FEED_JSON11 :
		    FEED_JSON10;
	}
	n = json_array_size(items);
	if (n > 0) {
		out->items = arena_calloc(a, n, sizeof(*out->items));
		if (out->items == NULL)
			return RC_NOMEM;
	}
	json_array_foreach(items, i, v) {
		if (!json_is_object(v))
			continue;
		item_in(&in, v, &out->items[out->nitems++]);
	}
	if (in.nomem) {
		memset(out, 0, sizeof(*out));
		return RC_NOMEM;
	}
	return RC_OK;
}

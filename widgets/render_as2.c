/* render_as2: one stream page as an ActivityStreams 2.0 OrderedCollectionPage
 * of Create activities (https://www.w3.org/TR/activitystreams-core/). */
#include "widgets/render_formats.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "util/locale.h"
#include "widgets/media.h"
#include "widgets/render_common.h"

#define AS2_CONTEXT "https://www.w3.org/ns/activitystreams"

/* An Image object for a proxied URL. */
static json_t *
image_json(const char *url, const char *type, const char *name)
{
	json_t *o = json_pack("{s:s, s:s}", "type", "Image", "url", url);

	if (o != NULL && !(render_json_set_str(o, "mediaType", type) && render_json_set_str(o, "name", name))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The actor: the first author as a Person, else the source as a Service. */
static json_t *
actor_json(const struct feed_item *it, const struct render_page *p)
{
	const struct feed_person *a = it->nauthors > 0 ? &it->authors[0] : NULL;
	json_t *o;

	if (a != NULL && (a->name != NULL || a->url != NULL)) {
		o = json_pack("{s:s}", "type", "Person");
		if (o == NULL)
			return NULL;
		render_json_set_str(o, "name", a->name);
		render_json_set_str(o, "url", a->url);
		if (a->url != NULL && render_is_iri(a->url))
			render_json_set_str(o, "id", a->url);
		if (a->avatar != NULL)
			json_object_set_new(o, "icon", image_json(a->avatar, NULL, NULL));
		return o;
	}
	const char *name = render_source_title(p, it);

	if (name == NULL)
		name = p->title != NULL ? p->title : p->stream;
	return json_pack("{s:s, s:s}", "type", "Service", "name", name);
}

/* A gallery entry as Mastodon federates one: an Image with name = alt
 * text, or a Video whose url is the page it plays on, its poster the icon. */
static void
media_json(json_t *arr, const struct feed_media *m)
{
	bool video = m->type == FEED_MEDIA_VIDEO;
	json_t *o = json_pack("{s:s, s:s}", "type", video ? "Video" : "Image",
	    "url", video ? m->link : m->url);
	char dur[32];

	if (o == NULL)
		return;
	render_json_set_str(o, "name", m->alt);
	render_json_set_str(o, "blurhash", m->blurhash);
	if (m->width > 0 && m->height > 0) {
		json_object_set_new(o, "width", json_integer(m->width));
		json_object_set_new(o, "height", json_integer(m->height));
	}
	if (video && m->duration_seconds > 0) {
		snprintf(dur, sizeof(dur), "PT%lldS", m->duration_seconds);
		render_json_set_str(o, "duration", dur);
	}
	if (video && m->poster != NULL)
		json_object_set_new(o, "icon", json_pack("{s:s, s:s}", "type", "Image", "url", m->poster));
	json_array_append_new(arr, o);
}

static json_t *
attachments_json(const struct feed_item *it)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < it->nattachments; i++) {
		const struct feed_attachment *at = &it->attachments[i];
		const char *mt = at->mime_type;
		const char *type = "Document";
		json_t *o;
		if (media_attachment_is_image(at))
			type = "Image";
		else if (mt != NULL && strncasecmp(mt, "video/", 6) == 0)
			type = "Video";
		else if (mt != NULL && strncasecmp(mt, "audio/", 6) == 0)
			type = "Audio";
		o = json_pack("{s:s, s:s}", "type", type, "url", at->url);
		if (o == NULL)
			continue;
		render_json_set_str(o, "mediaType", mt);
		render_json_set_str(o, "name", at->title);
		json_array_append_new(arr, o);
	}
	for (size_t i = 0; arr != NULL && i < it->nmedia; i++)
		media_json(arr, &it->media[i]);
	return arr;
}

static json_t *
tags_json(const struct feed_item *it)
{
	json_t *arr = json_array();
	struct buf b;

	buf_init(&b, 1024);
	for (size_t i = 0; arr != NULL && i < it->ntags; i++) {
		const char *t = it->tags[i];
		if (t == NULL || t[0] == '\0')
			continue;
		buf_clear(&b);
		if (buf_appendf(&b, "#%s", t[0] == '#' ? t + 1 : t) == RC_OK)
			json_array_append_new(arr, json_pack("{s:s, s:s}", "type", "Hashtag",
			    "name", b.data));
	}
	buf_fini(&b);
	return arr;
}

static bool
add_content(json_t *o, const struct feed_item *it)
{
	struct buf b;
	bool ok;

	if (it->content_html != NULL && it->content_html[0] != '\0')
		return render_json_set_str(o, "content", it->content_html) &&
		    (!locale_tag_ok(it->language) || json_object_set_new(o, "contentMap",
		    json_pack("{s:s}", it->language, it->content_html)) == 0);
	buf_init(&b, (size_t)16 * 1024 * 1024);
	ok = render_text_excerpt(&b, it, (size_t)1024 * 1024) == RC_OK;
	ok = ok && render_json_set_str(o, "content", b.data);
	buf_fini(&b);
	return ok;
}

static json_t *
object_json(const struct feed_item *it, json_t *actor)
{
	enum render_kind k = render_item_kind(it);
	json_t *o = json_pack("{s:s}", "type", render_kind_name(k));
	const char *id = it->id != NULL && render_is_iri(it->id) ? it->id : it->url;
	bool ok;

	if (o == NULL)
		return NULL;
	ok = render_json_set_str(o, "id", id) && render_json_set_str(o, "url", it->url) &&
	    (k == RENDER_NOTE || render_json_set_str(o, "name", it->title)) &&
	    render_json_set_str(o, "summary", it->summary) && add_content(o, it) &&
	    render_json_set_date(o, "published", it->published) &&
	    (it->updated <= 0 || render_json_set_date(o, "updated", it->updated)) &&
	    json_object_set(o, "attributedTo", actor) == 0;
	if (ok && it->image != NULL)
		ok = json_object_set_new(o, "image", image_json(it->image, NULL, NULL)) == 0;
	if (ok && (it->nattachments > 0 || it->nmedia > 0))
		ok = json_object_set_new(o, "attachment", attachments_json(it)) == 0;
	/* A content warning is what Mastodon calls summary + sensitive. */
	if (ok && it->content_warning != NULL && it->summary == NULL)
		ok = render_json_set_str(o, "summary", it->content_warning) &&
		    json_object_set_new(o, "sensitive", json_true()) == 0;
	if (ok && it->ntags > 0)
		ok = json_object_set_new(o, "tag", tags_json(it)) == 0;
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
create_json(const struct feed_item *it, const struct render_page *p)
{
	json_t *actor = actor_json(it, p), *obj = NULL, *o = NULL;

	if (actor == NULL || (obj = object_json(it, actor)) == NULL)
		goto out;
	o = json_pack("{s:s, s:O, s:o}", "type", "Create", "actor", actor, "object", obj);
	obj = NULL;
	if (o != NULL && !render_json_set_date(o, "published", it->published)) {
		json_decref(o);
		o = NULL;
	}
out:
	json_decref(actor);
	json_decref(obj);
	return o;
}

enum rc
render_as2(struct buf *out, const struct render_page *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s?}", "@context", AS2_CONTEXT,
	    "type", "OrderedCollectionPage", "id", p->self_url);
	json_t *items = json_array();
	enum rc rc = RC_NOMEM;
	bool ok;

	if (o == NULL || items == NULL)
		goto out;
	ok = render_json_set_str(o, "name", p->title) && render_json_set_str(o, "summary", p->description) &&
	    render_json_set_str(o, "partOf", p->feed_url) && render_json_set_str(o, "next", p->next_url) &&
	    render_json_set_date(o, "updated", p->updated);
	for (size_t i = 0; ok && i < p->nitems; i++) {
		json_t *c = create_json(p->items[i], p);
		ok = c != NULL && json_array_append_new(items, c) == 0;
	}
	if (!ok || json_object_set(o, "orderedItems", items) != 0)
		goto out;
	rc = render_dump_json(out, o);
out:
	json_decref(items);
	json_decref(o);
	return rc;
}

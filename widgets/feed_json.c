/* feed_json: JSON Feed 1.0 and 1.1 documents as input (Jansson). */
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "util/time.h"
#include "widgets/feed_int.h"

/* A string member, C0 controls (but tab/CR/LF) dropped; NULL if absent,
 * not a string or empty. */
static char *
jstr(struct feed_ctx *c, const json_t *o, const char *key, size_t max)
{
	const json_t *v = json_object_get(o, key);
	const char *s;
	char *r;
	size_t i, j = 0;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	r = arena_strdup(c->a, s);
	if (r == NULL)
		return NULL;
	for (i = 0; r[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)r[i];
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			continue;
		r[j++] = r[i];
	}
	r[j] = '\0';
	if (max > 0)
		sanitize_truncate_utf8(r, max);
	return j > 0 ? r : NULL;
}

static char *
jtext(struct feed_ctx *c, const json_t *o, const char *key, size_t max)
{
	char *s = jstr(c, o, key, 0);

	return s != NULL ? feed_clean_text(c, s, max) : NULL;
}

static char *
jurl(struct feed_ctx *c, const json_t *o, const char *key, const char *base)
{
	char *s = jstr(c, o, key, SANITIZE_MAX_URL + 1);

	return s != NULL ? feed_url(c, base, s) : NULL;
}

static long long
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
	if (json_is_real(v) && json_real_value(v) > 0 &&
	    json_real_value(v) < 9e15)
		return (long long)json_real_value(v);
	return 0;
}

static void
person(struct feed_ctx *c, const json_t *o, const char *base,
    struct feed_person **list, size_t *n)
{
	struct feed_person *p;
	char *name, *url, *avatar;

	if (!json_is_object(o))
		return;
	name = jtext(c, o, "name", FEED_MAX_NAME);
	url = jurl(c, o, "url", base);
	avatar = jurl(c, o, "avatar", base);
	if (name == NULL && url == NULL && avatar == NULL)
		return;
	p = feed_person_add(c, list, n);
	if (p == NULL)
		return;
	p->name = name;
	p->url = url;
	p->avatar = avatar;
	/* mailto: URLs are how JSON Feed gives an address. */
	if (url == NULL) {
		char *u = jstr(c, o, "url", FEED_MAX_NAME);
		if (u != NULL && strncasecmp(u, "mailto:", 7) == 0)
			p->email = u + 7;
	}
}

/* "authors" (1.1) or "author" (1.0). */
static void
persons(struct feed_ctx *c, const json_t *o, const char *base,
    struct feed_person **list, size_t *n)
{
	const json_t *a = json_object_get(o, "authors"), *v;
	size_t i;

	if (json_is_array(a)) {
		json_array_foreach(a, i, v)
			person(c, v, base, list, n);
	}
	if (*n == 0)
		person(c, json_object_get(o, "author"), base, list, n);
}

static void
attachments(struct feed_ctx *c, struct feed_item *it, const json_t *o,
    const char *base)
{
	const json_t *a = json_object_get(o, "attachments"), *v;
	struct feed_attachment *at;
	size_t i;

	if (!json_is_array(a))
		return;
	json_array_foreach(a, i, v) {
		char *u;
		if (!json_is_object(v))
			continue;
		u = jurl(c, v, "url", base);
		at = feed_attachment_add(c, it, u);
		if (at == NULL)
			continue;
		at->mime_type = jtext(c, v, "mime_type", FEED_MAX_NAME);
		at->title = jtext(c, v, "title", FEED_MAX_TITLE);
		at->size_in_bytes = jint(v, "size_in_bytes");
		at->duration_seconds = jint(v, "duration_in_seconds");
	}
}

static void
json_item(struct feed_ctx *c, const json_t *o, const char *base)
{
	struct feed_item *it;
	struct feed_ib b;
	const json_t *id, *tags, *v;
	char *s;
	size_t i;

	if (!json_is_object(o))
		return;
	it = feed_item_add(c);
	if (it == NULL)
		return;
	feed_ib_init(c, &b, it, base);
	id = json_object_get(o, "id");
	if (json_is_string(id))
		b.guid = jstr(c, o, "id", 0);
	else if (json_is_integer(id))
		b.guid = arena_printf(c->a, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(id));
	b.guid_permalink = false;
	b.link = jstr(c, o, "url", SANITIZE_MAX_URL + 1);
	it->external_url = jurl(c, o, "external_url", base);
	feed_tc_set(&b.title, jstr(c, o, "title", 0), NULL, CT_TEXT, base, 30);
	s = jstr(c, o, "content_html", 0);
	if (s != NULL)
		feed_tc_set(&b.content, s, NULL, CT_HTML, base, 30);
	else
		feed_tc_set(&b.content, jstr(c, o, "content_text", 0), NULL,
		    CT_TEXT, base, 30);
	feed_tc_set(&b.summary, jstr(c, o, "summary", 0), NULL, CT_TEXT, base,
	    30);
	feed_image(c, &it->image, &b.image_prio, 30, base,
	    jstr(c, o, "image", SANITIZE_MAX_URL + 1));
	it->banner_image = jurl(c, o, "banner_image", base);
	feed_date(jstr(c, o, "date_published", 64), &it->published,
	    &b.pub_prio, 30);
	feed_date(jstr(c, o, "date_modified", 64), &it->updated, &b.upd_prio,
	    30);
	persons(c, o, base, &it->authors, &it->nauthors);
	tags = json_object_get(o, "tags");
	if (json_is_array(tags)) {
		json_array_foreach(tags, i, v) {
			if (json_is_string(v))
				feed_tag_add(c, it, json_string_value(v));
		}
	}
	it->language = jtext(c, o, "language", FEED_MAX_LANG);
	attachments(c, it, o, base);
	b.inherit_authors = true;
	feed_item_finish(c, &b);
}

enum rc
feed_json_parse(struct feed_ctx *c, const char *body, size_t len)
{
	json_error_t err;
	json_t *root;
	const json_t *items, *v;
	const char *version, *base;
	struct feed *f = c->f;
	size_t i;
	enum rc rc = RC_OK;

	root = json_loadb(body, len, 0, &err);
	if (!json_is_object(root)) {
		rc = RC_INVALID;
		goto out;
	}
	version = json_string_value(json_object_get(root, "version"));
	items = json_object_get(root, "items");
	if (version == NULL || strstr(version, "jsonfeed.org/version/1") ==
	    NULL || !json_is_array(items)) {
		rc = RC_INVALID;
		goto out;
	}
	f->format = strstr(version, "version/1.1") != NULL ? FEED_JSON11 :
	    FEED_JSON10;
	f->home_page_url = jurl(c, root, "home_page_url", c->base);
	f->feed_url = jurl(c, root, "feed_url", c->base);
	/* Relative item URLs: against the document, else its home page. */
	base = c->base != NULL ? c->base : f->feed_url != NULL ? f->feed_url :
	    f->home_page_url;
	f->title = jtext(c, root, "title", FEED_MAX_TITLE);
	f->description = jtext(c, root, "description", FEED_MAX_SUMMARY);
	f->icon = jurl(c, root, "icon", base);
	f->favicon = jurl(c, root, "favicon", base);
	f->language = jtext(c, root, "language", FEED_MAX_LANG);
	persons(c, root, base, &f->authors, &f->nauthors);
	json_array_foreach(items, i, v) {
		if (c->full)
			break;
		json_item(c, v, base);
	}
out:
	json_decref(root);
	return rc;
}

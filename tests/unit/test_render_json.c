/* test_render_json: JSON Feed 1.1 output checked against the spec's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "widgets/media.h"
#include "widgets/render.h"
#include "widgets/render_formats.h"
#include "render_fixture.h"

/* ---- a JSON Feed 1.1 validator (https://www.jsonfeed.org/version/1.1/) ---- */

static void
opt_string(const json_t *o, const char *key, const char *where)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_string(v))
		fail_msg("%s: %s must be a string", where, key);
}

/* RFC 3339 as we write it: YYYY-MM-DDTHH:MM:SSZ. */
static void
opt_date(const json_t *o, const char *key, const char *where)
{
	const json_t *v = json_object_get(o, key);
	int y, mo, d, h, mi, s;
	char z;

	if (v == NULL)
		return;
	if (!json_is_string(v) || sscanf(json_string_value(v), "%4d-%2d-%2dT%2d:%2d:%2d%c",
	    &y, &mo, &d, &h, &mi, &s, &z) != 7 || z != 'Z' ||
	    strlen(json_string_value(v)) != 20)
		fail_msg("%s: %s must be an RFC 3339 date", where, key);
}

static void
check_authors(const json_t *o, const char *where)
{
	const json_t *arr = json_object_get(o, "authors"), *a;
	size_t i;

	if (arr == NULL)
		return;
	if (!json_is_array(arr))
		fail_msg("%s: authors must be an array", where);
	json_array_foreach(arr, i, a) {
		if (!json_is_object(a))
			fail_msg("%s: author must be an object", where);
		if (json_object_get(a, "name") == NULL && json_object_get(a, "url") == NULL &&
		    json_object_get(a, "avatar") == NULL)
			fail_msg("%s: an author needs name, url or avatar", where);
		opt_string(a, "name", where);
		opt_string(a, "url", where);
		opt_string(a, "avatar", where);
	}
}

static void
check_item(const json_t *it, size_t idx)
{
	char where[32];
	const json_t *tags, *atts, *v;
	size_t i;

	snprintf(where, sizeof(where), "items[%zu]", idx);
	if (!json_is_object(it))
		fail_msg("%s must be an object", where);
	if (!json_is_string(json_object_get(it, "id")))
		fail_msg("%s: id is required and must be a string", where);
	if (!json_is_string(json_object_get(it, "content_html")) &&
	    !json_is_string(json_object_get(it, "content_text")))
		fail_msg("%s: content_html or content_text is required", where);
	opt_string(it, "content_html", where);
	opt_string(it, "content_text", where);
	opt_string(it, "url", where);
	opt_string(it, "external_url", where);
	opt_string(it, "title", where);
	opt_string(it, "summary", where);
	opt_string(it, "image", where);
	opt_string(it, "banner_image", where);
	opt_string(it, "language", where);
	opt_date(it, "date_published", where);
	opt_date(it, "date_modified", where);
	check_authors(it, where);
	if ((tags = json_object_get(it, "tags")) != NULL) {
		if (!json_is_array(tags))
			fail_msg("%s: tags must be an array", where);
		json_array_foreach(tags, i, v)
			if (!json_is_string(v))
				fail_msg("%s: tags must be strings", where);
	}
	if ((atts = json_object_get(it, "attachments")) != NULL) {
		if (!json_is_array(atts))
			fail_msg("%s: attachments must be an array", where);
		json_array_foreach(atts, i, v) {
			if (!json_is_string(json_object_get(v, "url")) ||
			    !json_is_string(json_object_get(v, "mime_type")))
				fail_msg("%s: attachment needs url and mime_type", where);
			if (json_object_get(v, "size_in_bytes") != NULL &&
			    !json_is_integer(json_object_get(v, "size_in_bytes")))
				fail_msg("%s: size_in_bytes must be a number", where);
		}
	}
	/* Extensions start with an underscore; everything else is known. */
	{
		static const char *const known[] = { "id", "url", "external_url", "title",
		    "content_html", "content_text", "summary", "image", "banner_image",
		    "date_published", "date_modified", "authors", "tags", "language",
		    "attachments" };
		const char *key;
		json_object_foreach((json_t *)it, key, v) {
			bool ok = key[0] == '_';
			for (size_t k = 0; !ok && k < sizeof(known) / sizeof(known[0]); k++)
				ok = strcmp(key, known[k]) == 0;
			if (!ok)
				fail_msg("%s: unknown key %s", where, key);
		}
	}
}

static void
check_jsonfeed(const json_t *f)
{
	const json_t *items, *it;
	size_t i;

	assert_true(json_is_object(f));
	assert_string_equal(json_string_value(json_object_get(f, "version")),
	    "https://jsonfeed.org/version/1.1");
	assert_true(json_is_string(json_object_get(f, "title")));
	items = json_object_get(f, "items");
	assert_true(json_is_array(items));
	opt_string(f, "home_page_url", "feed");
	opt_string(f, "feed_url", "feed");
	opt_string(f, "next_url", "feed");
	opt_string(f, "description", "feed");
	opt_string(f, "icon", "feed");
	check_authors(f, "feed");
	json_array_foreach(items, i, it)
		check_item(it, i);
}

/* ---- tests ---- */

static json_t *
render(struct arena *a, struct render_page *p)
{
	struct buf b;
	json_error_t err;
	json_t *j;

	buf_init(&b, 1u << 22);
	assert_int_equal(render_json(&b, p), RC_OK);
	assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
	j = json_loadb(b.data, b.len, 0, &err);
	if (j == NULL)
		fail_msg("not JSON: %s", err.text);
	buf_fini(&b);
	(void)a;
	return j;
}

static void
test_valid(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 10);
	struct render_page p;
	json_t *j, *items, *it;

	(void)state;
	fixture_page(a, f, &p);
	j = render(a, &p);
	check_jsonfeed(j);
	assert_string_equal(json_string_value(json_object_get(j, "next_url")), p.next_url);
	assert_string_equal(json_string_value(json_object_get(j, "feed_url")), p.feed_url);
	assert_string_equal(json_string_value(json_object_get(j, "home_page_url")), FIXTURE_HOME);
	items = json_object_get(j, "items");
	assert_int_equal(json_array_size(items), f->nitems);
	/* Fields as given, in stream order. */
	it = json_array_get(items, FIX_BLOG);
	assert_string_equal(json_string_value(json_object_get(it, "id")), "https://blog.example/posts/1");
	assert_string_equal(json_string_value(json_object_get(it, "title")), "Our new product");
	assert_string_equal(json_string_value(json_object_get(it, "date_published")), "2025-12-30T23:00:00Z");
	assert_string_equal(json_string_value(json_object_get(it, "date_modified")), "2025-12-31T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "_socialhub"), "market")), "de");
	assert_int_equal(json_array_size(json_object_get(it, "tags")), 2);
	/* Text-only items keep content_text. */
	it = json_array_get(items, FIX_YOUTUBE);
	assert_string_equal(json_string_value(json_object_get(it, "content_text")),
	    "Watch our launch & see what's new.");
	assert_null(json_object_get(it, "content_html"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(it, "_socialhub"), "network")), "youtube");
	json_decref(j);
	arena_free(a);
}

/* Hostile text survives as data: exact string round trip. */
static void
test_hostile_text(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	json_t *j, *it;

	(void)state;
	fixture_page(a, f, &p);
	j = render(a, &p);
	check_jsonfeed(j);
	it = json_array_get(json_object_get(j, "items"), FIX_HOSTILE);
	assert_string_equal(json_string_value(json_object_get(it, "title")),
	    f->items[FIX_HOSTILE].title);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(it, "authors"), 0), "name")), "<img src=x onerror=alert(1)>");
	assert_null(json_object_get(it, "url"));
	assert_null(json_object_get(it, "external_url"));
	assert_null(json_object_get(it, "image"));
	json_decref(j);
	arena_free(a);
}

/* No output names an image on another host. */
static void
test_no_external_images(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	json_t *j, *items, *it;
	size_t i;

	(void)state;
	fixture_page(a, f, &p);
	j = render(a, &p);
	items = json_object_get(j, "items");
	json_array_foreach(items, i, it) {
		const json_t *v, *arr;
		const char *html = json_string_value(json_object_get(it, "content_html"));
		size_t k;
		if ((v = json_object_get(it, "image")) != NULL)
			assert_int_equal(strncmp(json_string_value(v), FIXTURE_BASE "/media/",
			    strlen(FIXTURE_BASE "/media/")), 0);
		arr = json_object_get(it, "authors");
		json_array_foreach(arr, k, v)
			if (json_object_get(v, "avatar") != NULL)
				assert_int_equal(strncmp(json_string_value(json_object_get(v, "avatar")),
				    FIXTURE_BASE "/media/", strlen(FIXTURE_BASE "/media/")), 0);
		arr = json_object_get(it, "attachments");
		json_array_foreach(arr, k, v)
			if (strncmp(json_string_value(json_object_get(v, "mime_type")), "image/", 6) == 0)
				assert_int_equal(strncmp(json_string_value(json_object_get(v, "url")),
				    FIXTURE_BASE "/media/", strlen(FIXTURE_BASE "/media/")), 0);
		for (const char *s = html; s != NULL && (s = strstr(s, " src=")) != NULL; s += 5)
			assert_int_equal(strncmp(s + 6, FIXTURE_BASE "/media/",
			    strlen(FIXTURE_BASE "/media/")), 0);
	}
	json_decref(j);
	arena_free(a);
}

static void
test_empty_and_last_page(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	json_t *j;

	(void)state;
	fixture_page(a, f, &p);
	p.nitems = 0;
	p.next_url = NULL;
	p.description = "A description";
	j = render(a, &p);
	check_jsonfeed(j);
	assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
	assert_null(json_object_get(j, "next_url"));
	assert_string_equal(json_string_value(json_object_get(j, "description")), "A description");
	json_decref(j);
	arena_free(a);
}

static void
test_limit(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	struct buf b;

	(void)state;
	fixture_page(a, f, &p);
	buf_init(&b, 100);
	assert_int_equal(buf_appends(&b, "keep"), RC_OK);
	assert_int_equal(render_json(&b, &p), RC_LIMIT);
	assert_string_equal(buf_cstr(&b), "keep");
	buf_fini(&b);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_no_external_images),
		cmocka_unit_test(test_empty_and_last_page),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

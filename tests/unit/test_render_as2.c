/* test_render_as2: ActivityStreams 2.0 OrderedCollectionPage output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "widgets/render.h"
#include "widgets/render_formats.h"
#include "render_fixture.h"

static json_t *
render(struct render_page *p)
{
	struct buf b;
	json_error_t err;
	json_t *j;

	buf_init(&b, 1u << 22);
	assert_int_equal(render_as2(&b, p), RC_OK);
	j = json_loadb(b.data, b.len, 0, &err);
	if (j == NULL)
		fail_msg("not JSON: %s", err.text);
	buf_fini(&b);
	return j;
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Required members of the page and of each activity. */
static void
check_as2(const json_t *j)
{
	static const char *const kinds[] = { "Note", "Article", "Video", "Image" };
	const json_t *items, *act;
	size_t i;

	assert_string_equal(str(j, "@context"), "https://www.w3.org/ns/activitystreams");
	assert_string_equal(str(j, "type"), "OrderedCollectionPage");
	assert_non_null(str(j, "id"));
	items = json_object_get(j, "orderedItems");
	assert_true(json_is_array(items));
	json_array_foreach(items, i, act) {
		const json_t *obj = json_object_get(act, "object");
		const json_t *actor = json_object_get(act, "actor");
		bool known = false;
		assert_string_equal(str(act, "type"), "Create");
		assert_true(json_is_object(actor));
		assert_non_null(str(actor, "type"));
		assert_true(json_is_object(obj));
		for (size_t k = 0; k < 4; k++)
			known = known || strcmp(str(obj, "type"), kinds[k]) == 0;
		assert_true(known);
		assert_non_null(str(obj, "published"));
		assert_non_null(str(obj, "content"));
		/* Notes carry no name (their text is the content). */
		if (strcmp(str(obj, "type"), "Note") == 0)
			assert_null(json_object_get(obj, "name"));
		if (json_object_get(obj, "id") != NULL)
			assert_non_null(strchr(str(obj, "id"), ':'));
	}
}

static void
test_page(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 4);
	struct render_page p;
	json_t *j, *items, *obj;

	(void)state;
	fixture_page(a, f, &p);
	j = render(&p);
	check_as2(j);
	assert_string_equal(str(j, "id"), p.self_url);
	assert_string_equal(str(j, "partOf"), p.feed_url);
	assert_string_equal(str(j, "next"), p.next_url);
	assert_string_equal(str(j, "name"), "Example Co. everywhere");
	items = json_object_get(j, "orderedItems");
	assert_int_equal(json_array_size(items), f->nitems);

	obj = json_object_get(json_array_get(items, FIX_MASTODON), "object");
	assert_string_equal(str(obj, "type"), "Note");
	assert_string_equal(str(obj, "id"), "https://mastodon.example/users/brand/statuses/1");
	assert_string_equal(str(json_object_get(obj, "attributedTo"), "name"), "Example Co.");
	assert_string_equal(str(json_object_get(json_object_get(obj, "attributedTo"), "icon"), "type"), "Image");
	assert_string_equal(str(json_array_get(json_object_get(obj, "tag"), 0), "name"), "#launch");
	assert_string_equal(str(json_array_get(json_object_get(obj, "attachment"), 0), "type"), "Image");
	assert_non_null(json_object_get(json_object_get(obj, "contentMap"), "en"));

	obj = json_object_get(json_array_get(items, FIX_YOUTUBE), "object");
	assert_string_equal(str(obj, "type"), "Video");
	assert_string_equal(str(obj, "name"), "Launch video");
	assert_string_equal(str(obj, "content"), "Watch our launch & see what's new.");
	assert_string_equal(str(json_object_get(obj, "image"), "type"), "Image");

	obj = json_object_get(json_array_get(items, FIX_BLOG), "object");
	assert_string_equal(str(obj, "type"), "Article");
	assert_string_equal(str(obj, "updated"), "2025-12-31T00:00:00Z");
	/* No author: the source speaks as a Service. */
	assert_string_equal(str(json_object_get(json_array_get(items, FIX_BLOG), "actor"), "type"), "Service");

	obj = json_object_get(json_array_get(items, FIX_HOSTILE), "object");
	assert_null(json_object_get(obj, "id"));   /* neither an IRI id nor a URL */
	assert_null(json_object_get(obj, "url"));
	json_decref(j);
	arena_free(a);
}

static void
test_last_page(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	json_t *j;

	(void)state;
	fixture_page(a, f, &p);
	p.next_url = NULL;
	p.nitems = 0;
	j = render(&p);
	check_as2(j);
	assert_null(json_object_get(j, "next"));
	assert_int_equal(json_array_size(json_object_get(j, "orderedItems")), 0);
	json_decref(j);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_last_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

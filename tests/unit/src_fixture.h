/* src_fixture: what the connector tests share — response bodies from
 * tests/fixtures/api/ and finding a parsed item by id. For test files
 * only (static definitions); needs arena_fixture.h's A first. */
#ifndef SOCIALHUB_TESTS_SRC_FIXTURE_H
#define SOCIALHUB_TESTS_SRC_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "widgets/streams/src.h"

#define FIX TEST_SRCDIR "/tests/fixtures/api/"
#define NOW 1765000000LL

/* The file tests/fixtures/api/NAME, copied into A. */
static char *
fixture(const char *name, size_t *len)
{
	char path[512], *data = NULL, *copy;

	snprintf(path, sizeof(path), FIX "%s", name);
	assert_int_equal(fsutil_read(path, 1 << 20, &data, len), RC_OK);
	copy = arena_strndup(A, data, *len);
	free(data);
	return copy;
}

/* Starts a run of c in A (with `token`, may be NULL); it must start. */
static void
run_start(struct src_run *r, const struct src_conf *c, const char *token)
{
	memset(r, 0, sizeof(*r));
	r->a = A;
	r->conf = c;
	r->now = NOW;
	r->token = token;
	assert_int_equal(src_start(r), RC_OK);
}

/* Feeds one response to the run: the fixture file `file`, else `text`,
 * with resp's headers. */
static enum rc
feed_body(struct src_run *r, const char *file, const char *text, struct src_response resp)
{
	if (file != NULL) {
		resp.body = fixture(file, &resp.len);
	} else {
		resp.body = text;
		resp.len = strlen(text);
	}
	return src_page(r, &resp);
}

/* The run's item with that id; fails the test when there is none. */
static const struct feed_item *
find(const struct src_run *r, const char *id)
{
	for (size_t i = 0; i < r->feed.nitems; i++)
		if (strcmp(r->feed.items[i].id, id) == 0)
			return &r->feed.items[i];
	fail_msg("no item %s", id);
	return NULL;
}

#endif

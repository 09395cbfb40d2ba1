/* test_jsonw: the streaming writer and feed_write_json against Jansson (the
 * oracle): the same bytes as json_dump_callback for every flag set, on a
 * table of strings, special bytes at every offset of the word-at-a-time
 * scan, documents past the block size, every corpus feed and a feed with
 * every field; misuse and a failing sink fail the writer. Items handed
 * over as they are parsed (feed_item_sink) write the same bytes, in
 * memory the size of one item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/unit/arena_fixture.h"
#include "tests/unit/corpus_walk.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/utf8.h"
#include "widgets/feeds/feed.h"

static const size_t flag_sets[] = {
	0,
	JSON_INDENT(2),
	JSON_COMPACT,
	JSON_COMPACT | JSON_ENSURE_ASCII,
	JSON_INDENT(3) | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII,
	JSON_INDENT(31) | JSON_PRESERVE_ORDER,
	JSON_INDENT(1) | JSON_COMPACT | JSON_ESCAPE_SLASH,
	JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII,
};
#define NFLAGS (sizeof(flag_sets) / sizeof(flag_sets[0]))

static int
to_buf(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n) == RC_OK ? 0 : -1;
}

/* Jansson's bytes for j (NULL j: the dump fails). */
static void
dump(const json_t *j, size_t flags, struct buf *out)
{
	buf_init(out, 64 << 20);
	if (j == NULL || json_dump_callback(j, to_buf, out, flags) != 0)
		buf_appends(out, "<jansson failed>");
}

static void
same(const struct buf *want, const struct buf *got, const char *what,
    size_t flags)
{
	if (want->len != got->len || memcmp(buf_cstr(want), buf_cstr(got),
	    want->len) != 0)
		fail_msg("%s, flags %#zx: jansson \"%.300s\"\n  jsonw \"%.300s\"",
		    what, flags, buf_cstr(want), buf_cstr(got));
}

/* ---- the writer alone ---- */

/* One document around s, both ways: s as a member, as array items next to
 * every other kind of value, and in nested empty and full containers. */
static void
doc_both(const char *s, size_t n, size_t flags, bool known, const char *what)
{
	json_t *j = json_object(), *arr = json_array(), *o = json_object();
	json_t *str = json_stringn(s, n);
	struct buf want, got;
	struct jsonw w;

	if (str != NULL)
		json_object_set(j, "k", str);
	json_object_set_new(j, "n", json_integer(LLONG_MIN));
	if (str != NULL)
		json_array_append(arr, str);
	json_array_append_new(arr, json_integer(0));
	json_array_append_new(arr, json_integer(LLONG_MAX));
	json_array_append_new(arr, json_integer(-42));
	json_array_append_new(arr, json_true());
	json_array_append_new(arr, json_false());
	json_array_append_new(arr, json_null());
	json_array_append_new(arr, json_object());
	json_array_append_new(arr, json_array());
	json_object_set_new(o, "inner", json_array());
	json_object_set_new(o, "s\xc3\xa9/\"", json_stringn("x", 1));
	json_array_append_new(arr, o);
	json_object_set_new(j, "a", arr);
	json_decref(str);
	dump(j, flags, &want);
	json_decref(j);

	buf_init(&got, 64 << 20);
	assert_int_equal(jsonw_init(&w, flags, to_buf, &got), RC_OK);
	if (known)
		jsonw_utf8_known(&w);
	jsonw_obj_begin(&w);
	assert_int_equal(jsonw_key_str(&w, "k", s, n), str != NULL);
	jsonw_key(&w, "n", 1);
	jsonw_int(&w, LLONG_MIN);
	jsonw_key(&w, "a", 1);
	jsonw_arr_begin(&w);
	assert_int_equal(jsonw_str(&w, s, n), str != NULL);
	jsonw_int(&w, 0);
	jsonw_int(&w, LLONG_MAX);
	jsonw_int(&w, -42);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_null(&w);
	jsonw_obj_begin(&w);
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w);
	jsonw_arr_end(&w);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "inner", 5);
	jsonw_arr_begin(&w);
	jsonw_arr_end(&w);
	jsonw_key_str(&w, "s\xc3\xa9/\"", "x", 1);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	assert_int_equal(jsonw_flush(&w), RC_OK);
	jsonw_fini(&w);
	same(&want, &got, what, flags);
	buf_fini(&want);
	buf_fini(&got);
}

static void
all_flags(const char *s, size_t n, const char *what)
{
	size_t f;

	for (f = 0; f < NFLAGS; f++) {
		doc_both(s, n, flag_sets[f], false, what);
		/* The caller's word that it is UTF-8 changes nothing when it is. */
		if (utf8_valid(s, n))
			doc_both(s, n, flag_sets[f], true, what);
	}
}

static void
test_strings(void **state)
{
	static const struct { const char *s; size_t n; } cases[] = {
#define S(x) { x, sizeof(x) - 1 }
		S(""), S("plain"), S("\"quoted\" \\back\\ /slash/"),
		S("\b\f\n\r\t"), S("\x01\x02\x1f\x7f"), S("nul \0 inside"),
		S("caf\xc3\xa9 na\xc3\xafve \xe2\x80\x94 \xe2\x80\x9cq\xe2\x80\x9d"),
		S("\xef\xbf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80"),
		S("\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xf0\x90\x80\x80"),
		S("\xe2\x80\xa8\xe2\x80\xa9 </script> <!-- &amp;"),
		S("<p class=\"a\">x</p>\n<img src=\"/i.png\" alt=\"\">"),
		/* not UTF-8: Jansson refuses these, the writer leaves them out */
		S("\x80"), S("a\xc0\xaf"), S("\xc1\xbf"), S("\xe0\x80\xaf"),
		S("\xed\xa0\x80"), S("\xed\xbf\xbf"), S("\xf4\x90\x80\x80"),
		S("\xf5\x80\x80\x80"), S("\xff"), S("ab\xe2\x82"), S("\xf0\x9f\x98"),
		S("\xc3"), S("x\xc3(y"),
#undef S
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[32];
		snprintf(what, sizeof(what), "string case %zu", i);
		all_flags(cases[i].s, cases[i].n, what);
	}
}

/* jsonw_utf8_known takes the caller's word: nothing is checked, so a
 * string that is not UTF-8 after all is written as it is (bytes Jansson
 * would refuse), not left out. */
static void
test_utf8_known(void **state)
{
	struct buf got;
	struct jsonw w;

	(void)state;
	buf_init(&got, 1024);
	assert_int_equal(jsonw_init(&w, JSON_COMPACT, to_buf, &got), RC_OK);
	jsonw_utf8_known(&w);
	jsonw_obj_begin(&w);
	assert_true(jsonw_key_str(&w, "k\xc3", "a\xff\"", 3));
	jsonw_obj_end(&w);
	assert_int_equal(jsonw_flush(&w), RC_OK);
	jsonw_fini(&w);
	assert_string_equal(buf_cstr(&got), "{\"k\xc3\":\"a\xff\\\"\"}");
	buf_fini(&got);
}

/* jsonw_init_block writes into the caller's block and leaves it to the
 * caller (a free of it in jsonw_fini would be a double free here, which
 * the sanitizer build reports); no block is RC_NOMEM. */
static void
test_caller_block(void **state)
{
	char *block = malloc(JSONW_BLOCK);
	struct buf got;
	struct jsonw w;

	(void)state;
	assert_non_null(block);
	buf_init(&got, 1024);
	assert_int_equal(jsonw_init_block(&w, JSON_COMPACT, to_buf, &got, block),
	    RC_OK);
	jsonw_arr_begin(&w);
	jsonw_int(&w, 7);
	jsonw_arr_end(&w);
	assert_int_equal(jsonw_flush(&w), RC_OK);
	jsonw_fini(&w);
	assert_string_equal(buf_cstr(&got), "[7]");
	assert_memory_equal(block, "[7]", 3);
	free(block);
	buf_fini(&got);
	assert_int_equal(jsonw_init_block(&w, 0, to_buf, NULL, NULL), RC_NOMEM);
	assert_int_equal(jsonw_init_block(&w, JSON_SORT_KEYS, to_buf, NULL,
	    (char[1]){0}), RC_INVALID);
}

/* Every byte that may need an escape, and a multi-byte character, at
 * every offset of strings up to three words long. */
static void
test_offsets(void **state)
{
	static const char *const specials[] = {
		"\"", "\\", "/", "\x01", "\x1f", "\n", "\x7f", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", " ", "\x80",
	};
	char s[40], what[64];
	size_t i, len, off, k;

	(void)state;
	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		size_t sl = strlen(specials[i]);
		for (len = 0; len <= 24; len++) {
			for (off = 0; off + sl <= len; off++) {
				for (k = 0; k < len; k++)
					s[k] = (char)('a' + k % 26);
				memcpy(s + off, specials[i], sl);
				snprintf(what, sizeof(what), "special %zu at %zu of %zu",
				    i, off, len);
				all_flags(s, len, what);
			}
		}
	}
}

/* Strings and documents bigger than the 64 KiB block, with escapes on
 * both sides of each block boundary. */
static void
test_big(void **state)
{
	size_t n = 200000, i;
	char *s = malloc(n);

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (char)(i % 7 == 0 ? '"' : i % 11 == 0 ? '\n' : 'a' + i % 26);
	all_flags(s, n, "200000 bytes with escapes");
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	all_flags(s, n, "200000 plain bytes");
	/* Characters across every piece boundary (8 KiB) of the long-string
	 * path, then strings around that length, UTF-8 or not. */
	s[0] = 'x';
	for (i = 1; i + 4 <= n; i += 4)
		memcpy(s + i, i % 3 ? "\xf0\x9f\x98\x80" : "\xe2\x82\xac\"", 4);
	all_flags(s, n, "200000 bytes of 3- and 4-byte characters");
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	for (i = 8190; i <= 8194; i++) {
		s[i - 1] = '\xff';
		all_flags(s, i, "not UTF-8 at the end, about 8 KiB");
		all_flags(s, 20000, "not UTF-8 in the middle, 20000 bytes");
		s[i - 1] = '"';
		all_flags(s, i, "an escape at the end, about 8 KiB");
	}
	free(s);
}

/* Many strings that grow sixfold (controls), so the block fills up at
 * every offset: each goes in whole or after a flush, and one that is not
 * UTF-8 (every third: a bad last byte) is taken back whole, member and
 * separator, wherever the block stood (sanitizer builds also catch a
 * write past the block). */
static void
test_block_edges(void **state)
{
	char s[700];
	struct buf want, got;
	struct jsonw w;
	json_t *j = json_array(), *o = json_object();
	size_t i, f;

	(void)state;
	memset(s, 1, sizeof(s));
	for (i = 0; i < 400; i++) {
		char k[16];
		size_t n = 1 + i % (sizeof(s) - 1);
		s[n - 1] = i % 3 == 0 ? '\xff' : '\x01';
		snprintf(k, sizeof(k), "k%zu", i);
		if (i % 3 != 0) {
			json_array_append_new(j, json_stringn(s, n));
			json_object_set_new(o, k, json_stringn(s, n));
		}
		s[n - 1] = '\x01';
	}
	json_array_append_new(j, o);
	for (f = 0; f < NFLAGS; f++) {
		dump(j, flag_sets[f], &want);
		buf_init(&got, 64 << 20);
		assert_int_equal(jsonw_init(&w, flag_sets[f], to_buf, &got), RC_OK);
		jsonw_arr_begin(&w);
		for (i = 0; i < 400; i++) {
			size_t n = 1 + i % (sizeof(s) - 1);
			s[n - 1] = i % 3 == 0 ? '\xff' : '\x01';
			assert_int_equal(jsonw_str(&w, s, n), i % 3 != 0);
			s[n - 1] = '\x01';
		}
		jsonw_obj_begin(&w);
		for (i = 0; i < 400; i++) {
			char k[16];
			size_t n = 1 + i % (sizeof(s) - 1);
			s[n - 1] = i % 3 == 0 ? '\xff' : '\x01';
			snprintf(k, sizeof(k), "k%zu", i);
			assert_int_equal(jsonw_key_str(&w, k, s, n), i % 3 != 0);
			s[n - 1] = '\x01';
		}
		jsonw_obj_end(&w);
		jsonw_arr_end(&w);
		assert_int_equal(jsonw_flush(&w), RC_OK);
		jsonw_fini(&w);
		same(&want, &got, "block edges", flag_sets[f]);
		buf_fini(&want);
		buf_fini(&got);
	}
	json_decref(j);
}

/* Depths from 1 to JSONW_MAX_DEPTH, alternating objects and arrays. */
static void
test_depth(void **state)
{
	size_t f;
	int d, k;

	(void)state;
	for (f = 0; f < NFLAGS; f++) {
		for (d = 1; d <= JSONW_MAX_DEPTH; d += 7) {
			json_t *root = NULL, *cur = NULL;
			struct buf want, got;
			struct jsonw w;
			for (k = 0; k < d; k++) {
				json_t *c = k % 2 ? json_array() : json_object();
				if (cur == NULL)
					root = c;
				else if (json_is_object(cur))
					json_object_set_new(cur, "d", c);
				else
					json_array_append_new(cur, c);
				cur = c;
			}
			dump(root, flag_sets[f], &want);
			json_decref(root);
			buf_init(&got, 1 << 20);
			jsonw_init(&w, flag_sets[f], to_buf, &got);
			for (k = 0; k < d; k++) {
				if (k > 0 && k % 2 == 1)
					jsonw_key(&w, "d", 1);
				if (k % 2)
					jsonw_arr_begin(&w);
				else
					jsonw_obj_begin(&w);
			}
			for (k = d - 1; k >= 0; k--) {
				if (k % 2)
					jsonw_arr_end(&w);
				else
					jsonw_obj_end(&w);
			}
			assert_int_equal(jsonw_flush(&w), RC_OK);
			jsonw_fini(&w);
			same(&want, &got, "depth", flag_sets[f]);
			buf_fini(&want);
			buf_fini(&got);
		}
	}
}

static int
sink_fails(const char *p, size_t n, void *arg)
{
	(void)p;
	(void)n;
	(void)arg;
	return -1;
}

static enum rc
misuse(int which)
{
	struct buf b;
	struct jsonw w;
	enum rc rc;
	int k;

	buf_init(&b, 1 << 20);
	assert_int_equal(jsonw_init(&w, 0, to_buf, &b), RC_OK);
	switch (which) {
	case 0: /* a scalar at the top */
		jsonw_int(&w, 1);
		break;
	case 1: /* a key in an array */
		jsonw_arr_begin(&w);
		jsonw_key(&w, "k", 1);
		break;
	case 2: /* a value in an object without its key */
		jsonw_obj_begin(&w);
		jsonw_str(&w, "v", 1);
		break;
	case 3: /* the wrong end */
		jsonw_obj_begin(&w);
		jsonw_arr_end(&w);
		break;
	case 4: /* a key without its value */
		jsonw_obj_begin(&w);
		jsonw_key(&w, "k", 1);
		jsonw_obj_end(&w);
		break;
	case 5: /* a second top value */
		jsonw_arr_begin(&w);
		jsonw_arr_end(&w);
		jsonw_arr_begin(&w);
		break;
	case 6: /* an end too many */
		jsonw_arr_end(&w);
		break;
	case 7: /* a key that is not UTF-8 */
		jsonw_obj_begin(&w);
		jsonw_key(&w, "\xff", 1);
		break;
	case 8: /* too deep */
		for (k = 0; k <= JSONW_MAX_DEPTH; k++)
			jsonw_arr_begin(&w);
		break;
	}
	rc = jsonw_flush(&w);
	jsonw_fini(&w);
	buf_fini(&b);
	return rc;
}

static void
test_failures(void **state)
{
	struct jsonw w;
	int i;

	(void)state;
	for (i = 0; i <= 7; i++)
		assert_int_equal(misuse(i), RC_INVALID);
	assert_int_equal(misuse(8), RC_LIMIT);
	assert_int_equal(jsonw_init(&w, JSON_SORT_KEYS, to_buf, NULL),
	    RC_INVALID);
	assert_int_equal(jsonw_init(&w, JSON_ENCODE_ANY, to_buf, NULL),
	    RC_INVALID);
	assert_int_equal(jsonw_init(&w, JSON_REAL_PRECISION(3), to_buf, NULL),
	    RC_INVALID);
	assert_int_equal(jsonw_init(&w, JSON_INDENT(2), sink_fails, NULL), RC_OK);
	jsonw_arr_begin(&w);
	jsonw_arr_end(&w);
	assert_int_equal(jsonw_flush(&w), RC_IO);
	jsonw_fini(&w);
}

/* ---- feed_write_json ---- */

struct feed_count {
	size_t files, feeds, differ;
};

/* What the merge stored before feed_write_json_begin: feed_to_json's tree
 * with source, market and, on the first npinned items, pinned set in each
 * item's "_socialhub" object (created last in the item when missing). */
static void
pin_tree(json_t *j, const struct feed *f, size_t npinned)
{
	json_t *items = json_object_get(j, "items");

	for (size_t i = 0; i < f->nitems && i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i), *ext = json_object_get(it, "_socialhub");
		const struct feed_item *fi = &f->items[i];
		if (fi->source == NULL && fi->market == NULL && i >= npinned)
			continue;
		if (!json_is_object(ext)) {
			ext = json_object();
			json_object_set_new(it, "_socialhub", ext);
		}
		if (fi->source != NULL)
			json_object_set_new(ext, "source", json_string(fi->source));
		if (fi->market != NULL)
			json_object_set_new(ext, "market", json_string(fi->market));
		if (i < npinned)
			json_object_set_new(ext, "pinned", json_true());
	}
}

/* feed_write_json (npinned 0) or feed_write_json_begin against Jansson. */
static void
feed_both_pinned(const struct feed *f, size_t npinned, size_t flags,
    bool known, const char *what, struct feed_count *c)
{
	json_t *j = feed_to_json(f);
	struct buf want, got;
	struct jsonw w;

	if (npinned > 0)
		pin_tree(j, f, npinned);
	dump(j, flags, &want);
	json_decref(j);
	buf_init(&got, 64 << 20);
	assert_int_equal(jsonw_init(&w, flags, to_buf, &got), RC_OK);
	if (known)
		jsonw_utf8_known(&w);
	if (npinned == 0) {
		assert_int_equal(feed_write_json(f, &w), RC_OK);
	} else {
		feed_write_json_begin(f, npinned, &w);
		jsonw_obj_end(&w);
		assert_int_equal(jsonw_flush(&w), RC_OK);
	}
	jsonw_fini(&w);
	if (want.len != got.len || memcmp(want.data, got.data, want.len) != 0) {
		print_message("differs: %s, flags %#zx\n", what, flags);
		c->differ++;
	}
	buf_fini(&want);
	buf_fini(&got);
}

static void
feed_both(const struct feed *f, size_t flags, const char *what, struct feed_count *c)
{
	feed_both_pinned(f, 0, flags, false, what, c);
}

static void
one_file(const char *path, const char *body, size_t len, void *ctx)
{
	struct feed_count *c = ctx;
	struct feed_parse_opts o;
	struct feed f;
	size_t i;

	c->files++;
	memset(&o, 0, sizeof(o));
	o.fetch_time = 1700000000;
	o.base_url = c->files % 2 ? "https://example.org/dir/feed.xml" : NULL;
	arena_reset(A);
	if (feed_parse(A, body, len, &o, &f) != RC_OK)
		return;
	c->feeds++;
	for (i = 0; i < NFLAGS; i++)
		feed_both(&f, flag_sets[i], path, c);
	/* As `socialhub parse` writes it: its strings taken as UTF-8. */
	feed_both_pinned(&f, 0, JSON_INDENT(2), true, path, c);
	/* As the merge writes it: the first half pinned. */
	feed_both_pinned(&f, (f.nitems + 1) / 2, JSON_COMPACT | JSON_ENSURE_ASCII,
	    false, path, c);
}

/* fn on every file of the feed corpora: conformance, fixtures, the feed
 * fuzz corpus and the demo's feeds. */
static void
walk_feed_corpora(void (*fn)(const char *, const char *, size_t, void *),
    struct feed_count *c)
{
	corpus_walk(TEST_SRCDIR "/tests/conformance/corpus", NULL, fn, c);
	corpus_walk(TEST_SRCDIR "/tests/fixtures", NULL, fn, c);
	corpus_walk(TEST_SRCDIR "/tests/fuzz/corpus/feed", NULL, fn, c);
	corpus_walk(TEST_SRCDIR "/deploy/demo/feeds", NULL, fn, c);
}

static void
test_corpora(void **state)
{
	struct feed_count c = { 0, 0, 0 };

	(void)state;
	walk_feed_corpora(one_file, &c);
	print_message("%zu files, %zu feeds, %zu flag sets: %zu differ\n",
	    c.files, c.feeds, NFLAGS, c.differ);
	assert_true(c.feeds > 1500);
	assert_int_equal(c.differ, 0);
}

/* ---- items handed over as they are parsed (feed_item_sink) ---- */

struct sink_out {
	struct jsonw w;
	size_t heads, items;
	size_t used_max;     /* the arena's most, at a hand-over */
};

static void
sink_head(void *ctx, const struct feed *f)
{
	struct sink_out *o = ctx;

	o->heads++;
	assert_int_equal(o->items, 0);
	feed_write_json_head(f, &o->w);
}

static void
sink_item(void *ctx, const struct feed_item *it)
{
	struct sink_out *o = ctx;

	assert_int_equal(o->heads, 1);
	o->items++;
	if (arena_used(A) > o->used_max)
		o->used_max = arena_used(A);
	feed_write_json_item(it, false, &o->w);
}

/* body parsed as `socialhub parse` writes it, the items kept (sink
 * false) or handed over one by one; RC_OK or feed_parse's error. *used:
 * the arena's use at the end (kept) or its most at a hand-over. */
static enum rc
parse_out(const char *body, size_t len, size_t max_items, bool sink,
    struct buf *out, size_t *used)
{
	struct sink_out so;
	const struct feed_item_sink sk = { &so, sink_head, sink_item };
	struct feed_parse_opts o;
	struct feed f;
	enum rc rc;

	memset(&o, 0, sizeof(o));
	memset(&so, 0, sizeof(so));
	o.fetch_time = 1700000000;
	o.max_items = max_items;
	o.sink = sink ? &sk : NULL;
	buf_init(out, 64 << 20);
	assert_int_equal(jsonw_init(&so.w, JSON_INDENT(2), to_buf, out), RC_OK);
	jsonw_utf8_known(&so.w);
	arena_reset(A);
	rc = feed_parse(A, body, len, &o, &f);
	if (rc == RC_OK && sink) {
		assert_int_equal(so.heads, 1);
		assert_int_equal(f.nitems, 0);
		jsonw_arr_end(&so.w);
		jsonw_obj_end(&so.w);
		assert_int_equal(jsonw_flush(&so.w), RC_OK);
		*used = so.used_max;
	} else if (rc == RC_OK) {
		assert_int_equal(feed_write_json(&f, &so.w), RC_OK);
		*used = arena_used(A);
	} else {
		assert_int_equal(so.heads, 0);
	}
	jsonw_fini(&so.w);
	return rc;
}

static void
sink_file(const char *path, const char *body, size_t len, void *ctx)
{
	static const size_t caps[] = { 0, 1, 2 };
	struct feed_count *c = ctx;
	struct buf kept, handed;
	size_t i, u1, u2;

	c->files++;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		enum rc r1 = parse_out(body, len, caps[i], false, &kept, &u1);
		enum rc r2 = parse_out(body, len, caps[i], true, &handed, &u2);
		if (r1 != r2 || kept.len != handed.len ||
		    memcmp(buf_cstr(&kept), buf_cstr(&handed), kept.len) != 0) {
			print_message("differs: %s, max_items %zu\n", path, caps[i]);
			c->differ++;
		}
		c->feeds += r1 == RC_OK;
		buf_fini(&kept);
		buf_fini(&handed);
	}
}

/* A feed's items handed over as they are parsed come out as the kept ones
 * do, byte for byte, capped or not, on every corpus feed. */
static void
test_sink_corpora(void **state)
{
	struct feed_count c = { 0, 0, 0 };

	(void)state;
	walk_feed_corpora(sink_file, &c);
	print_message("%zu files, %zu parses: %zu differ\n", c.files, c.feeds,
	    c.differ);
	assert_true(c.feeds > 4500);
	assert_int_equal(c.differ, 0);
}

/* A feed of `n` items of 4 kB of HTML each, in one of four shapes; `late`:
 * an RSS channel field after the items. */
static void
big_feed(struct buf *b, int shape, size_t n, bool late)
{
	static const char *const head[] = {
		"{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"T\","
		    "\"items\":[",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>",
		"<rss version=\"2.0\"><channel><title>T</title>",
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
		    "xmlns=\"http://purl.org/rss/1.0/\"><channel><title>T</title>"
		    "</channel>",
	};
	static const char *const tail[] = { "]}", "</feed>", "</channel></rss>",
	    "</rdf:RDF>" };
	char para[4100];
	size_t i;

	memset(para, 'x', 4000);
	para[4000] = '\0';
	buf_init(b, 64 << 20);
	buf_appends(b, head[shape]);
	for (i = 0; i < n; i++) {
		if (shape == 0)
			buf_appendf(b, "%s{\"id\":\"%zu\",\"content_html\":"
			    "\"<p>%s</p>\"}", i > 0 ? "," : "", i, para);
		else if (shape == 1)
			buf_appendf(b, "<entry><id>%zu</id><content type=\"html\">"
			    "&lt;p>%s&lt;/p></content></entry>", i, para);
		else
			buf_appendf(b, "<item><guid>%zu</guid><description>"
			    "&lt;p>%s&lt;/p></description></item>", i, para);
	}
	if (late)
		buf_appends(b, "<language>en</language>");
	buf_appends(b, tail[shape]);
}

/* The point of the sink: a parse of many items holds one at a time. On
 * 400 items of 4 kB (1.6 MB of HTML to keep), the arena handing them
 * over never holds 0.6 MB more than the document's tree, while the one
 * keeping them holds all. An RSS channel field after the items (which
 * could still change the feed's head) makes the parse keep them and hand
 * them over at the end, with the same output. */
static void
test_sink_memory(void **state)
{
	struct buf doc, kept, handed;
	size_t u_kept, u_handed;
	int shape;

	(void)state;
	for (shape = 0; shape < 5; shape++) {
		bool late = shape == 4;
		big_feed(&doc, late ? 2 : shape, 400, late);
		assert_int_equal(parse_out(doc.data, doc.len, 0, false, &kept,
		    &u_kept), RC_OK);
		assert_int_equal(parse_out(doc.data, doc.len, 0, true, &handed,
		    &u_handed), RC_OK);
		assert_int_equal(kept.len, handed.len);
		assert_memory_equal(buf_cstr(&kept), buf_cstr(&handed), kept.len);
		assert_true(kept.len > 1600000);
		print_message("shape %d: arena %zu kept, %zu handing over\n",
		    shape, u_kept, u_handed);
		if (late)
			assert_true(u_handed >= u_kept);
		else
			assert_true(u_handed + 1000000 < u_kept);
		buf_fini(&doc);
		buf_fini(&kept);
		buf_fini(&handed);
	}
}

/* Every field of the model set, unset, empty and not UTF-8 (which
 * feed_to_json leaves out), and every number zero, one, negative and big,
 * in turn. */
static void
test_every_field(void **state)
{
	static const char *const vals[] = { NULL, "", "x \"y\" \xc3\xa9/\n",
	    "\xff bad" };
	static const long long nums[] = { 0, 1, -1, 30, LLONG_MIN, LLONG_MAX };
	struct feed_person p[2] = {
		{ "Ann", "https://a.example/", "ann@a.example", "https://a/i.png" },
		{ NULL, NULL, NULL, NULL },
	};
	struct feed_attachment at[2] = {
		{ "https://a/x.mp3", NULL, "t", 123, 45 },
		{ "\xe0\x80", "audio/mpeg", NULL, 0, 0 },
	};
	char *tags[3] = { "a", "\xc3", "c" }, *bad[1] = { "\xc0\x80" };
	struct feed_media md[3] = {
		{ FEED_MEDIA_IMAGE, "https://a/p.jpg", "alt \"text\"", NULL, NULL, "LKO2?U%2Tw=w",
		  640, 480, 0 },
		{ FEED_MEDIA_VIDEO, NULL, NULL, "https://a/poster.jpg", "https://a/watch", NULL,
		  0, 0, 61 },
		{ FEED_MEDIA_IMAGE, "\xff", "\xe0\x80", NULL, NULL, NULL, -1, LONG_MAX, -5 },
	};
	struct feed_count c = { 0, 0, 0 };
	struct feed_item it[2];
	struct feed f;
	size_t v, i;

	(void)state;
	for (v = 0; v < 24; v++) {
		char *s = (char *)vals[v % 4];
		long long n = nums[v % 6];
		memset(&f, 0, sizeof(f));
		memset(it, 0, sizeof(it));
		f.format = (enum feed_format)(v % (FEED_JSON11 + 1));
		f.title = f.home_page_url = f.feed_url = f.description = s;
		f.icon = f.favicon = f.language = f.id = s;
		f.encoding = s;
		f.ttl_minutes = (long)n;
		f.recovered = v % 2;
		f.truncated = v % 3 == 0;
		f.authors = p;
		f.nauthors = v % 3;
		it[0].id = it[0].url = it[0].external_url = it[0].title = s;
		it[0].content_html = v % 5 == 1 ? NULL : s;
		it[0].content_text = v % 5 == 2 ? NULL : s;
		it[0].summary = it[0].image = it[0].banner_image = s;
		it[0].language = it[0].source = it[0].market = s;
		it[0].published = n;
		it[0].updated = nums[(v + 1) % 6];
		it[0].date_missing = v % 2;
		it[0].authors = p;
		it[0].nauthors = 1 + v % 2;
		it[0].tags = v % 4 == 3 ? bad : tags;
		it[0].ntags = v % 4 == 3 ? 1 : v % 4;
		at[0].size_in_bytes = n;
		at[0].duration_seconds = nums[(v + 2) % 6];
		it[0].attachments = at;
		it[0].nattachments = v % 3;
		it[0].images = tags;
		it[0].nimages = v % 4;
		/* the API sources' extras */
		it[0].kind = (enum feed_kind)(v % (FEED_KIND_ARTICLE + 2));
		it[0].is_reply = v % 2;
		it[0].is_repost = v % 3 == 1;
		it[0].content_warning = s;
		it[0].media = md;
		it[0].nmedia = v % 4;
		it[0].counts = (struct feed_counts){ n, nums[(v + 2) % 6], 0, nums[(v + 3) % 6],
		    (unsigned)(v * 5) % 17 };
		/* the second item: nothing but what is required */
		f.items = it;
		f.nitems = 2;
		for (i = 0; i < NFLAGS; i++)
			feed_both(&f, flag_sets[i], "every field", &c);
		feed_both_pinned(&f, 1 + v % 2, flag_sets[v % NFLAGS], false,
		    "every field, pinned", &c);
	}
	assert_int_equal(c.differ, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_utf8_known),
		cmocka_unit_test(test_caller_block),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_block_edges),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_corpora),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_sink_corpora),
		cmocka_unit_test(test_sink_memory),
	};

	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

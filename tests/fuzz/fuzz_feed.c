/* fuzz_feed: feed_parse (charset, XML clean-up, every format, the
 * sanitizer) and the JSON Feed round trip. Asserts the invariants callers
 * rely on: every string is UTF-8, content_html is a fixed point of the
 * sanitizer, the cache form reads back, reading clean XML without
 * feed_prep_xml gives what reading it after that pass gives, items handed
 * over as they are parsed (feed_item_sink) write what the kept ones do,
 * and JSON documents are read exactly when Jansson reads them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/url.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
utf8_or_die(const char *s)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		abort();
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The start tags of canonical sanitizer output, sorted, and its text
 * (everything outside tags), into arena memory. */
static size_t
split_html(struct arena *a, const char *h, char ***tags, char **text)
{
	size_t n = 0, cap = 16, tl = 0;
	char **t = arena_calloc(a, cap, sizeof(*t));
	char *txt = arena_alloc(a, strlen(h) + 1);

	if (t == NULL || txt == NULL)
		abort();
	while (*h != '\0') {
		const char *e;
		if (*h != '<') {
			txt[tl++] = *h++;
			continue;
		}
		e = strchr(h, '>');
		if (e == NULL)
			abort(); /* not canonical */
		if (h[1] != '/') {
			if (n == cap) {
				char **nt = arena_calloc(a, cap * 2, sizeof(*nt));
				memcpy(nt, t, cap * sizeof(*t));
				t = nt;
				cap *= 2;
			}
			t[n++] = arena_strndup(a, h, (size_t)(e - h + 1));
		}
		h = e + 1;
	}
	txt[tl] = '\0';
	qsort(t, n, sizeof(*t), cmp_str);
	*tags = t;
	*text = txt;
	return n;
}

static void
check_item(struct arena *a, struct sanitize *san, const struct feed_item *it)
{
	struct sanitize_result r;
	char **t1, **t2, *x1, *x2;
	size_t n1, n2, i;

	utf8_or_die(it->id);
	utf8_or_die(it->url);
	utf8_or_die(it->title);
	utf8_or_die(it->summary);
	utf8_or_die(it->content_text);
	utf8_or_die(it->content_html);
	if (it->id == NULL)
		abort();
	if (it->content_html == NULL)
		return;
	/* Sanitizing the output again removes nothing: every tag with its
	 * attributes and every character stays (libxml2 may only regroup
	 * elements, e.g. split nested links, which browsers do too). */
	if (sanitize_html(san, it->content_html, strlen(it->content_html), NULL,
	    &r) != RC_OK)
		abort();
	n1 = split_html(a, it->content_html, &t1, &x1);
	n2 = split_html(a, r.html, &t2, &x2);
	if (n1 != n2 || strcmp(x1, x2) != 0)
		abort();
	for (i = 0; i < n1; i++) {
		if (strcmp(t1[i], t2[i]) != 0)
			abort();
	}
}

/* The same document through feed_prep_xml every time: the same feed. */
static void
same_when_repaired(struct arena *a, const uint8_t *data, size_t size,
    struct feed_parse_opts *o, const json_t *j)
{
	struct feed r;
	json_t *k;

	o->always_repair = true;
	if (feed_parse(a, (const char *)data, size, o, &r) != RC_OK ||
	    (k = feed_to_json(&r)) == NULL)
		abort();
	if (!json_equal(j, k))
		abort();
	json_decref(k);
	o->always_repair = false;
}

static int
to_buf(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n) == RC_OK ? 0 : -1;
}

static void
sink_head(void *ctx, const struct feed *f)
{
	feed_write_json_head(f, ctx);
}

static void
sink_item(void *ctx, const struct feed_item *it)
{
	feed_write_json_item(it, false, ctx);
}

/* The same document with its items handed over one by one: the same
 * bytes as the kept feed written whole (f). */
static void
same_when_handed_over(const uint8_t *data, size_t size,
    struct feed_parse_opts *o, const struct feed *f)
{
	struct arena *b = arena_new(1 << 16, 256 << 20);
	struct buf want, got;
	struct jsonw w, v;
	const struct feed_item_sink sk = { &v, sink_head, sink_item };
	struct feed h;

	buf_init(&want, 256 << 20);
	buf_init(&got, 256 << 20);
	if (b == NULL || jsonw_init(&w, JSON_INDENT(2), to_buf, &want) != RC_OK ||
	    jsonw_init(&v, JSON_INDENT(2), to_buf, &got) != RC_OK ||
	    feed_write_json(f, &w) != RC_OK)
		abort();
	o->sink = &sk;
	if (feed_parse(b, (const char *)data, size, o, &h) != RC_OK)
		abort();
	o->sink = NULL;
	jsonw_arr_end(&v);
	jsonw_obj_end(&v);
	if (jsonw_flush(&v) != RC_OK || h.nitems != 0 || want.len != got.len ||
	    memcmp(want.data, got.data, want.len) != 0)
		abort();
	jsonw_fini(&w);
	jsonw_fini(&v);
	buf_fini(&want);
	buf_fini(&got);
	arena_free(b);
}

/* Jansson is the JSON reader's oracle: a JSON document reaches the reader
 * unchanged (valid UTF-8, no NUL, no BOM; a Latin-1 label changes no
 * ASCII byte and turns valid UTF-8 into valid UTF-8), so it is a feed
 * exactly when json_loadb reads it, the root is an object, "version" is
 * a string naming JSON Feed 1 and "items" an array. */
static void
json_oracle(const uint8_t *data, size_t size, enum rc rc)
{
	const char *s = (const char *)data, *v;
	json_t *j;
	size_t i = 0;
	bool feed;

	while (i < size && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	if (i >= size || s[i] != '{' || memchr(s, '\0', size) != NULL ||
	    !utf8_valid(s, size) || rc == RC_NOMEM)
		return;
	j = json_loadb(s, size, 0, NULL);
	v = json_string_value(json_object_get(j, "version"));
	/* The version URL, or the bare numbers publishers write instead. */
	feed = json_is_object(j) && v != NULL &&
	    (strstr(v, "jsonfeed.org/version/1") != NULL || strcmp(v, "1") == 0 ||
	    strcmp(v, "1.0") == 0 || strcmp(v, "1.1") == 0) &&
	    json_is_array(json_object_get(j, "items"));
	json_decref(j);
	if (feed != (rc == RC_OK))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(1 << 16, 256 << 20);
	struct feed_parse_opts o;
	struct sanitize *san;
	struct feed f, g;
	json_t *j;
	size_t i;
	enum rc rc;

	if (a == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	/* The first byte picks a base URL, a content type and an item cap. */
	if (size > 0) {
		o.base_url = (data[0] & 1) ? "https://fuzz.example/dir/feed" : NULL;
		o.content_type = (data[0] & 2) ? "text/xml; charset=iso-8859-1" :
		    (data[0] & 4) ? "application/atom+xml; charset=utf-16" : NULL;
		o.max_items = (data[0] & 8) ? 3 : 0;
	}
	o.fetch_time = 1700000000;
	rc = feed_parse(a, (const char *)data, size, &o, &f);
	json_oracle(data, size, rc);
	if (rc == RC_OK) {
		san = sanitize_new(a);
		utf8_or_die(f.title);
		utf8_or_die(f.description);
		for (i = 0; i < f.nitems && san != NULL; i++)
			check_item(a, san, &f.items[i]);
		j = feed_to_json(&f);
		if (j == NULL || feed_from_json(a, j, &g) != RC_OK ||
		    g.nitems != f.nitems)
			abort();
		same_when_repaired(a, data, size, &o, j);
		same_when_handed_over(data, size, &o, &f);
		json_decref(j);
	}
	arena_free(a);
	return 0;
}

/* fuzz_jsonw: the streaming writer (util/jsonw.c) and feed_write_json must
 * write what json_dump_callback writes for the Jansson tree of the same
 * values, byte for byte. The first byte picks the flags and what the rest
 * is: a feed document (feed_parse, then both writers on the result), a
 * feed model built field by field from the bytes (any string, any number,
 * any count), or a program of writer calls mirrored on a Jansson tree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/url.h"
#include "widgets/feeds/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static int
to_buf(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n) == RC_OK ? 0 : -1;
}

static void
same_or_die(const json_t *j, size_t flags, const struct buf *got)
{
	struct buf want;

	buf_init(&want, 256 << 20);
	if (j == NULL || json_dump_callback(j, to_buf, &want, flags) != 0)
		abort();
	if (want.len != got->len || memcmp(want.data, got->data, want.len) != 0)
		abort();
	buf_fini(&want);
}

/* feed_write_json against Jansson; `parsed`: f is feed_parse's, whose
 * strings are UTF-8, so the writer may take them as such (as `socialhub
 * parse` does). */
static void
feed_both(const struct feed *f, size_t flags, bool parsed)
{
	json_t *j = feed_to_json(f);
	struct buf got;
	struct jsonw w;

	buf_init(&got, 256 << 20);
	if (jsonw_init(&w, flags, to_buf, &got) != RC_OK)
		abort();
	if (parsed)
		jsonw_utf8_known(&w);
	if (feed_write_json(f, &w) != RC_OK)
		abort();
	jsonw_fini(&w);
	same_or_die(j, flags, &got);
	json_decref(j);
	buf_fini(&got);
}

static unsigned
byte(struct in *in)
{
	unsigned b;

	if (in->n == 0)
		return 0;
	b = in->p[0];
	in->p++;
	in->n--;
	return b;
}

static long long
number(struct in *in)
{
	uint64_t v = 0;
	int k;

	switch (byte(in) % 4) {
	case 0:
		return 0;
	case 1:
		return (long long)byte(in) - 128;
	default:
		for (k = 0; k < 8; k++)
			v = v << 8 | byte(in);
		return (long long)v;
	}
}

/* NULL, "", or up to 255 bytes of the input (NUL-terminated, so cut at a
 * NUL: model strings are C strings). */
static char *
string(struct arena *a, struct in *in)
{
	unsigned sel = byte(in), len;
	char *s;

	if (sel % 4 == 0)
		return NULL;
	if (sel % 4 == 1)
		return "";
	len = byte(in);
	if (len > in->n)
		len = (unsigned)in->n;
	s = arena_strndup(a, (const char *)in->p, len);
	in->p += len;
	in->n -= len;
	return s;
}

static struct feed_person *
persons(struct arena *a, struct in *in, size_t *n)
{
	struct feed_person *p;
	size_t i;

	*n = byte(in) % 4;
	p = arena_calloc(a, *n + 1, sizeof(*p));
	for (i = 0; i < *n; i++) {
		p[i].name = string(a, in);
		p[i].url = string(a, in);
		p[i].email = string(a, in);
		p[i].avatar = string(a, in);
	}
	return p;
}

static char **
strings(struct arena *a, struct in *in, size_t *n)
{
	char **s;
	size_t i;

	*n = byte(in) % 5;
	s = arena_calloc(a, *n + 1, sizeof(*s));
	for (i = 0; i < *n; i++) {
		s[i] = string(a, in);
		if (s[i] == NULL)
			s[i] = "";
	}
	return s;
}

static void
item_model(struct arena *a, struct in *in, struct feed_item *it)
{
	size_t i;

	it->id = string(a, in);
	it->url = string(a, in);
	it->external_url = string(a, in);
	it->title = string(a, in);
	it->content_html = string(a, in);
	it->content_text = string(a, in);
	it->summary = string(a, in);
	it->image = string(a, in);
	it->banner_image = string(a, in);
	it->published = number(in);
	it->updated = number(in);
	it->date_missing = byte(in) & 1;
	it->authors = persons(a, in, &it->nauthors);
	it->tags = strings(a, in, &it->ntags);
	it->nattachments = byte(in) % 3;
	it->attachments = arena_calloc(a, it->nattachments + 1,
	    sizeof(*it->attachments));
	for (i = 0; i < it->nattachments; i++) {
		it->attachments[i].url = string(a, in);
		it->attachments[i].mime_type = string(a, in);
		it->attachments[i].title = string(a, in);
		it->attachments[i].size_in_bytes = number(in);
		it->attachments[i].duration_seconds = number(in);
	}
	it->language = string(a, in);
	it->source = string(a, in);
	it->market = string(a, in);
	it->images = strings(a, in, &it->nimages);
}

/* A feed model from the bytes: every field, any value. */
static void
feed_model(struct arena *a, struct in *in, size_t flags)
{
	struct feed f;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.format = (enum feed_format)(byte(in) % (FEED_JSON11 + 1));
	f.title = string(a, in);
	f.home_page_url = string(a, in);
	f.feed_url = string(a, in);
	f.description = string(a, in);
	f.icon = string(a, in);
	f.favicon = string(a, in);
	f.language = string(a, in);
	f.authors = persons(a, in, &f.nauthors);
	f.ttl_minutes = (long)number(in);
	f.id = string(a, in);
	f.encoding = string(a, in);
	i = byte(in);
	f.recovered = i & 1;
	f.truncated = i & 2;
	f.nitems = byte(in) % 6;
	f.items = arena_calloc(a, f.nitems + 1, sizeof(*f.items));
	for (i = 0; i < f.nitems; i++)
		item_model(a, in, &f.items[i]);
	feed_both(&f, flags, false);
}

/* ---- writer programs ---- */

struct prog {
	struct jsonw w;
	json_t *stack[JSONW_MAX_DEPTH];
	int depth;
	unsigned keyno;
};

/* A key unique in its object: input bytes when they are UTF-8, with the
 * member's number after them. */
static void
key(struct prog *g, struct in *in, char *out, size_t cap)
{
	size_t len = byte(in) % 12, k;

	if (len > in->n)
		len = in->n;
	memcpy(out, in->p, len);
	in->p += len;
	in->n -= len;
	for (k = 0; k < len; k++) {
		if (out[k] == '\0')
			out[k] = '0';
	}
	if (!utf8_valid(out, len))
		len = 0;
	snprintf(out + len, cap - len, "#%u", g->keyno++);
}

/* Adds v (a new reference) where the program is: an array item, or an
 * object member under a key the writer has been given. */
static void
place(struct prog *g, const char *k, json_t *v)
{
	json_t *top = g->stack[g->depth - 1];

	if (v == NULL)
		return;
	if (json_is_object(top))
		json_object_set_new(top, k, v);
	else
		json_array_append_new(top, v);
}

static void
program(const struct in *start, size_t flags)
{
	struct in in = *start;
	struct prog g;
	struct buf got;
	json_t *root;
	char k[64];

	memset(&g, 0, sizeof(g));
	buf_init(&got, 256 << 20);
	if (jsonw_init(&g.w, flags, to_buf, &got) != RC_OK)
		abort();
	root = byte(&in) & 1 ? json_array() : json_object();
	if (json_is_array(root))
		jsonw_arr_begin(&g.w);
	else
		jsonw_obj_begin(&g.w);
	g.stack[g.depth++] = root;
	while (in.n > 0) {
		unsigned op = byte(&in) % 6;
		bool obj = json_is_object(g.stack[g.depth - 1]);
		json_t *v;
		char *s;
		size_t len;
		long long n;

		if (op == 0 && g.depth > 1) { /* end */
			if (obj)
				jsonw_obj_end(&g.w);
			else
				jsonw_arr_end(&g.w);
			g.depth--;
			continue;
		}
		if (op == 0)
			continue;
		key(&g, &in, k, sizeof(k));
		switch (op) {
		case 1: /* a container */
		case 2:
			if (g.depth == JSONW_MAX_DEPTH)
				break;
			v = op == 1 ? json_object() : json_array();
			if (obj)
				jsonw_key(&g.w, k, strlen(k));
			if (op == 1)
				jsonw_obj_begin(&g.w);
			else
				jsonw_arr_begin(&g.w);
			place(&g, k, json_incref(v));
			g.stack[g.depth++] = v;
			json_decref(v);
			break;
		case 3: /* a string, any bytes */
			len = byte(&in);
			if (len > in.n)
				len = in.n;
			s = (char *)in.p;
			in.p += len;
			in.n -= len;
			if (obj)
				jsonw_key_str(&g.w, k, s, len);
			else
				jsonw_str(&g.w, s, len);
			place(&g, k, json_stringn(s, len));
			break;
		case 4: /* an integer */
			n = number(&in);
			if (obj)
				jsonw_key(&g.w, k, strlen(k));
			jsonw_int(&g.w, n);
			place(&g, k, json_integer(n));
			break;
		case 5: /* a literal */
			n = byte(&in) % 3;
			if (obj)
				jsonw_key(&g.w, k, strlen(k));
			if (n == 2)
				jsonw_null(&g.w);
			else
				jsonw_bool(&g.w, n);
			place(&g, k, n == 2 ? json_null() : json_boolean(n));
			break;
		}
	}
	while (g.depth > 0) {
		g.depth--;
		if (json_is_object(g.stack[g.depth]))
			jsonw_obj_end(&g.w);
		else
			jsonw_arr_end(&g.w);
	}
	if (jsonw_flush(&g.w) != RC_OK)
		abort();
	jsonw_fini(&g.w);
	same_or_die(root, flags, &got);
	json_decref(root);
	buf_fini(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct arena *a;
	struct feed_parse_opts o;
	struct feed f;
	unsigned sel = byte(&in);
	/* Bits 0-2: indentation (0, 1, 2, 4, ...), 3-5: compact, ASCII only,
	 * escaped slashes; bits 6-7: what the input is. */
	size_t flags = JSON_INDENT((sel & 7) == 0 ? 0 : 1u << ((sel & 7) - 1)) |
	    (sel & 8 ? JSON_COMPACT : 0) | (sel & 16 ? JSON_ENSURE_ASCII : 0) |
	    (sel & 32 ? JSON_ESCAPE_SLASH : 0);

	a = arena_new(1 << 16, 256 << 20);
	if (a == NULL)
		return 0;
	switch (sel >> 6) {
	case 0:
		memset(&o, 0, sizeof(o));
		o.fetch_time = 1700000000;
		o.base_url = sel & 1 ? "https://fuzz.example/dir/feed" : NULL;
		if (feed_parse(a, (const char *)in.p, in.n, &o, &f) == RC_OK)
			feed_both(&f, flags, false);
		break;
	case 1:
		feed_model(a, &in, flags);
		break;
	default:
		program(&in, flags);
		break;
	}
	arena_free(a);
	return 0;
}

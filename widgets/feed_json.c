/* feed_json: JSON Feed 1.0 and 1.1 documents as input.
 *
 * The document is read by a small JSON reader into the request arena (no
 * Jansson tree, nothing freed one by one). It accepts what
 * json_loadb(..., 0) accepts: RFC 8259 with an object or array at the top,
 * strings of valid UTF-8 without raw control characters or \u0000, paired
 * surrogates, integers that fit a long long, finite reals, at most 2048
 * levels, nothing but white space after the value; a repeated key keeps
 * its last value.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/time.h"
#include "util/url.h"
#include "widgets/feed_int.h"

#define JSON_MAX_DEPTH 2048

enum jt { J_NULL, J_TRUE, J_FALSE, J_INT, J_REAL, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	bool ctl;               /* J_STR: holds a C0 control (from escapes) */
	size_t n;               /* string bytes, array items, object members */
	union {
		long long i;
		double r;
		const char *s;
		const struct jv **a;
		const struct jmem *o;
	} u;
};

struct jmem {
	const char *key;
	const struct jv *v;
};

struct jr {
	struct arena *a;
	const char *p, *end;
	struct buf stack;       /* pointers of open arrays/objects (heap) */
	bool nomem;
};

static void
jr_ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int
hex4(const char *p)
{
	int v = 0, k;

	for (k = 0; k < 4; k++) {
		char c = p[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string at r->p (past the quote) into v; false when invalid. */
static bool
jr_string(struct jr *r, struct jv *v)
{
	const char *b = r->p, *q = b;
	bool esc = false;
	char *out;
	size_t j = 0;

	while (q < r->end && *q != '"') {
		if ((unsigned char)*q < 0x20)
			return false;
		if (*q == '\\') {
			esc = true;
			if (++q >= r->end)
				return false;
		}
		q++;
	}
	if (q >= r->end || !utf8_valid(b, (size_t)(q - b)))
		return false;
	r->p = q + 1;
	v->t = J_STR;
	if (!esc) {
		v->u.s = arena_strndup(r->a, b, (size_t)(q - b));
		v->n = (size_t)(q - b);
		r->nomem = r->nomem || v->u.s == NULL;
		return v->u.s != NULL;
	}
	/* An escape is never shorter than what it stands for. */
	out = arena_alloc(r->a, (size_t)(q - b) + 1);
	if (out == NULL) {
		r->nomem = true;
		return false;
	}
	while (b < q) {
		int cp, lo;
		if (*b != '\\') {
			out[j++] = *b++;
			continue;
		}
		b++;
		switch (*b++) {
		case '"': out[j++] = '"'; break;
		case '\\': out[j++] = '\\'; break;
		case '/': out[j++] = '/'; break;
		case 'b': out[j++] = '\b'; v->ctl = true; break;
		case 'f': out[j++] = '\f'; v->ctl = true; break;
		case 'n': out[j++] = '\n'; break;
		case 'r': out[j++] = '\r'; break;
		case 't': out[j++] = '\t'; break;
		case 'u':
			if (q - b < 4 || (cp = hex4(b)) < 0)
				return false;
			b += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return false;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (q - b < 6 || b[0] != '\\' || b[1] != 'u' ||
				    (lo = hex4(b + 2)) < 0xdc00 || lo > 0xdfff)
					return false;
				b += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0)
				return false;
			if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
				v->ctl = true;
			j += utf8_encode(out + j, (uint32_t)cp);
			break;
		default:
			return false;
		}
	}
	out[j] = '\0';
	v->u.s = out;
	v->n = j;
	return true;
}

/* A number at r->p: the JSON grammar, then strtoll / strtod. */
static bool
jr_number(struct jr *r, struct jv *v)
{
	const char *b = r->p, *q = b;
	bool real = false;
	char tmp[64], *endp, *heap = NULL, *num = tmp;
	size_t n;

	if (q < r->end && *q == '-')
		q++;
	if (q >= r->end || *q < '0' || *q > '9')
		return false;
	if (*q == '0') {
		q++;
	} else {
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && *q == '.') {
		real = true;
		if (++q >= r->end || *q < '0' || *q > '9')
			return false;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		real = true;
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= r->end || *q < '0' || *q > '9')
			return false;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	n = (size_t)(q - b);
	if (n >= sizeof(tmp)) {
		if ((heap = malloc(n + 1)) == NULL) {
			r->nomem = true;
			return false;
		}
		num = heap;
	}
	memcpy(num, b, n);
	num[n] = '\0';
	errno = 0;
	if (real) {
		v->t = J_REAL;
		v->u.r = strtod(num, &endp);
		if (errno == ERANGE && (v->u.r == HUGE_VAL || v->u.r == -HUGE_VAL))
			n = 0;  /* overflow */
	} else {
		v->t = J_INT;
		v->u.i = strtoll(num, &endp, 10);
		if (errno == ERANGE)
			n = 0;
	}
	free(heap);
	r->p = q;
	return n > 0;
}

static bool
jr_lit(struct jr *r, const char *lit, size_t n, enum jt t, struct jv *v)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0)
		return false;
	r->p += n;
	v->t = t;
	return true;
}

static const struct jv *jr_value(struct jr *r, int depth);

static bool
jr_push(struct jr *r, const void *p)
{
	if (buf_append(&r->stack, &p, sizeof(p)) != RC_OK) {
		r->nomem = true;
		return false;
	}
	return true;
}

/* The pointers pushed since `mark`, moved into the arena. */
static void *
jr_pop(struct jr *r, size_t mark, size_t *count)
{
	size_t n = r->stack.len - mark;
	void *p;

	*count = n / sizeof(void *);
	/* Nothing pushed yet ({} or [] first): the stack may have no buffer. */
	p = n > 0 ? arena_memdup(r->a, r->stack.data + mark, n) : arena_alloc(r->a, 1);
	r->stack.len = mark;
	if (p == NULL)
		r->nomem = true;
	return p;
}

static bool
jr_array(struct jr *r, struct jv *v, int depth)
{
	size_t mark = r->stack.len;
	const struct jv *k;

	v->t = J_ARR;
	jr_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
	} else {
		for (;;) {
			if ((k = jr_value(r, depth + 1)) == NULL || !jr_push(r, k))
				return false;
			jr_ws(r);
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				continue;
			}
			if (r->p < r->end && *r->p == ']') {
				r->p++;
				break;
			}
			return false;
		}
	}
	v->u.a = jr_pop(r, mark, &v->n);
	return v->u.a != NULL;
}

static bool
jr_object(struct jr *r, struct jv *v, int depth)
{
	size_t mark = r->stack.len, i;
	const void **kv;
	struct jmem *m;
	struct jv key;

	v->t = J_OBJ;
	jr_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
	} else {
		for (;;) {
			const struct jv *k;
			memset(&key, 0, sizeof(key));
			jr_ws(r);
			if (r->p >= r->end || *r->p != '"')
				return false;
			r->p++;
			if (!jr_string(r, &key) || !jr_push(r, key.u.s))
				return false;
			jr_ws(r);
			if (r->p >= r->end || *r->p != ':')
				return false;
			r->p++;
			if ((k = jr_value(r, depth + 1)) == NULL || !jr_push(r, k))
				return false;
			jr_ws(r);
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				continue;
			}
			if (r->p < r->end && *r->p == '}') {
				r->p++;
				break;
			}
			return false;
		}
	}
	kv = jr_pop(r, mark, &v->n);
	v->n /= 2;
	m = arena_calloc(r->a, v->n > 0 ? v->n : 1, sizeof(*m));
	if (kv == NULL || m == NULL) {
		r->nomem = true;
		return false;
	}
	for (i = 0; i < v->n; i++) {
		m[i].key = kv[2 * i];
		m[i].v = kv[2 * i + 1];
	}
	v->u.o = m;
	return true;
}

static const struct jv *
jr_value(struct jr *r, int depth)
{
	struct jv *v;
	bool ok;

	if (depth > JSON_MAX_DEPTH)
		return NULL;
	jr_ws(r);
	if (r->p >= r->end)
		return NULL;
	if ((v = arena_calloc(r->a, 1, sizeof(*v))) == NULL) {
		r->nomem = true;
		return NULL;
	}
	switch (*r->p) {
	case '{':
		r->p++;
		ok = jr_object(r, v, depth);
		break;
	case '[':
		r->p++;
		ok = jr_array(r, v, depth);
		break;
	case '"':
		r->p++;
		ok = jr_string(r, v);
		break;
	case 't':
		ok = jr_lit(r, "true", 4, J_TRUE, v);
		break;
	case 'f':
		ok = jr_lit(r, "false", 5, J_FALSE, v);
		break;
	case 'n':
		ok = jr_lit(r, "null", 4, J_NULL, v);
		break;
	default:
		ok = jr_number(r, v);
		break;
	}
	return ok ? v : NULL;
}

/* The document's value (an object or array, as json_loadb reads it), or
 * NULL: *rc is RC_INVALID or RC_NOMEM. */
static const struct jv *
jr_parse(struct arena *a, const char *s, size_t n, enum rc *rc)
{
	struct jr r;
	const struct jv *v = NULL;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.p = s;
	r.end = s + n;
	buf_init(&r.stack, SIZE_MAX / 2);
	jr_ws(&r);
	if (r.p < r.end && (*r.p == '{' || *r.p == '['))
		v = jr_value(&r, 1);
	if (v != NULL) {
		jr_ws(&r);
		if (r.p != r.end)
			v = NULL;
	}
	buf_fini(&r.stack);
	*rc = r.nomem ? RC_NOMEM : v == NULL ? RC_INVALID : RC_OK;
	return r.nomem ? NULL : v;
}

/* A member of an object (the last of that name), or NULL. */
static const struct jv *
jget(const struct jv *o, const char *key)
{
	size_t i;

	if (o == NULL || o->t != J_OBJ)
		return NULL;
	for (i = o->n; i > 0; i--) {
		if (strcmp(o->u.o[i - 1].key, key) == 0)
			return o->u.o[i - 1].v;
	}
	return NULL;
}

static bool
jis(const struct jv *v, enum jt t)
{
	return v != NULL && v->t == t;
}

/* A string member, C0 controls (but tab/CR/LF) dropped; NULL if absent,
 * not a string or empty. It may be the document's own string: callers
 * never write to it. */
static char *
jstr(struct feed_ctx *c, const struct jv *o, const char *key, size_t max)
{
	const struct jv *v = jget(o, key);
	char *r;
	size_t i, j = 0;

	if (!jis(v, J_STR) || v->n == 0)
		return NULL;
	if (!v->ctl && (max == 0 || v->n <= max))
		return (char *)v->u.s;
	r = arena_strndup(c->a, v->u.s, v->n);
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
jtext(struct feed_ctx *c, const struct jv *o, const char *key, size_t max)
{
	char *s = jstr(c, o, key, 0);

	return s != NULL ? feed_clean_text(c, s, max) : NULL;
}

static char *
jurl(struct feed_ctx *c, const struct jv *o, const char *key, const char *base)
{
	char *s = jstr(c, o, key, SANITIZE_MAX_URL + 1);

	return s != NULL ? feed_url(c, base, s) : NULL;
}

static long long
jint(const struct jv *o, const char *key)
{
	const struct jv *v = jget(o, key);

	if (jis(v, J_INT))
		return v->u.i > 0 ? v->u.i : 0;
	if (jis(v, J_REAL) && v->u.r > 0 && v->u.r < 9e15)
		return (long long)v->u.r;
	return 0;
}

static void
person(struct feed_ctx *c, const struct jv *o, const char *base,
    struct feed_person **list, size_t *n)
{
	struct feed_person *p;
	char *name, *url, *avatar;

	if (!jis(o, J_OBJ))
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
persons(struct feed_ctx *c, const struct jv *o, const char *base,
    struct feed_person **list, size_t *n)
{
	const struct jv *a = jget(o, "authors");
	size_t i;

	if (jis(a, J_ARR)) {
		for (i = 0; i < a->n; i++)
			person(c, a->u.a[i], base, list, n);
	}
	if (*n == 0)
		person(c, jget(o, "author"), base, list, n);
}

static void
attachments(struct feed_ctx *c, struct feed_item *it, const struct jv *o,
    const char *base)
{
	const struct jv *a = jget(o, "attachments");
	struct feed_attachment *at;
	size_t i;

	if (!jis(a, J_ARR))
		return;
	for (i = 0; i < a->n; i++) {
		const struct jv *v = a->u.a[i];
		char *u;
		if (!jis(v, J_OBJ))
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
json_item(struct feed_ctx *c, const struct jv *o, const char *base)
{
	struct feed_item *it;
	struct feed_ib b;
	const struct jv *id, *tags;
	char *s;
	size_t i;

	if (!jis(o, J_OBJ))
		return;
	it = feed_item_add(c);
	if (it == NULL)
		return;
	feed_ib_init(c, &b, it, base);
	id = jget(o, "id");
	if (jis(id, J_STR))
		b.guid = jstr(c, o, "id", 0);
	else if (jis(id, J_INT))
		b.guid = arena_printf(c->a, "%lld", id->u.i);
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
	tags = jget(o, "tags");
	if (jis(tags, J_ARR)) {
		for (i = 0; i < tags->n; i++) {
			if (jis(tags->u.a[i], J_STR))
				feed_tag_add(c, it, tags->u.a[i]->u.s);
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
	const struct jv *root, *items, *ver;
	const char *version, *base;
	struct feed *f = c->f;
	size_t i;
	enum rc rc;

	root = jr_parse(c->a, body, len, &rc);
	if (rc == RC_NOMEM)
		return rc;
	if (!jis(root, J_OBJ))
		return RC_INVALID;
	ver = jget(root, "version");
	version = jis(ver, J_STR) ? ver->u.s : NULL;
	items = jget(root, "items");
	if (version == NULL || strstr(version, "jsonfeed.org/version/1") ==
	    NULL || !jis(items, J_ARR))
		return RC_INVALID;
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
	for (i = 0; i < items->n; i++) {
		if (c->full)
			break;
		json_item(c, items->u.a[i], base);
	}
	return RC_OK;
}

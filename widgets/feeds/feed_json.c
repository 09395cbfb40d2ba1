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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/buf.h"
#include "util/time.h"
#include "util/url.h"
#include "widgets/feeds/feed_formats.h"

#define JSON_MAX_DEPTH 2048

enum jt { J_NULL, J_TRUE, J_FALSE, J_INT, J_REAL, J_STR, J_ARR, J_OBJ };

/* A value; arrays and objects hold their items in place. */
struct jv {
	enum jt t;
	bool ctl;               /* J_STR: holds a C0 control (from escapes) */
	bool esc;               /* J_STR: holds escapes (checked), decoded
	                         * where the string is used */
	size_t n;               /* string bytes (J_STR: u.s and n are its
	                         * bytes in the document, escapes and all, not
	                         * NUL-terminated: see jcstr), array items,
	                         * object members */
	union {
		long long i;
		double r;
		const char *s;
		const struct jv *a;
		const struct jmem *o;
	} u;
};

/* An object member; the key is decoded, not NUL-terminated. */
struct jmem {
	const char *key;
	size_t klen;
	struct jv v;
};

struct jr {
	struct arena *a;
	const char *p, *end;
	struct buf stack;       /* members and items of open containers */
	bool nomem;
	bool utf8_known;        /* the text is UTF-8 (feed_ctx.text_utf8) */
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
		int d = url_hexval((unsigned char)p[k]);
		if (d < 0)
			return -1;
		v = (v << 4) | d;
	}
	return v;
}

#ifdef __SSE2__
/* Bits of the bytes of p[0..16) a string scan stops at: '"', '\\' and
 * the controls; *high gets the non-ASCII ones. */
static unsigned
str_stops16(const unsigned char *p, unsigned *high)
{
	const __m128i ctl = _mm_set1_epi8(0x1f);
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p), m;

	m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
	*high = (unsigned)_mm_movemask_epi8(v);
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/*
 * The closing quote of the string at s (past its opening quote), or NULL
 * when a raw control byte or the end comes first, or, unless the text is
 * known to be UTF-8 (utf8_known), when the string is not. Sets *esc when
 * it holds a backslash; escapes are checked by unescape(). Scanned 16
 * bytes at a time for the three stops; non-ASCII bytes are only noted,
 * and a string that has any is checked as a whole at its end.
 */
static const char *
str_end(const char *s, const char *end, bool *esc, bool utf8_known)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *e = (const unsigned char *)end;
	bool high = false;

	while (p < e) {
#ifdef __SSE2__
		if (e - p >= 16) {
			unsigned h, m = str_stops16(p, &h), k;
			if (m == 0) {
				high = high || h != 0;
				p += 16;
				continue;
			}
			k = (unsigned)__builtin_ctz(m);
			high = high || (h & ((1u << k) - 1)) != 0;
			p += k;
		}
#endif
		if (*p == '"') {
			if (high && !utf8_known &&
			    !utf8_valid(s, (size_t)((const char *)p - s)))
				return NULL;
			return (const char *)p;
		}
		if (*p == '\\') {
			*esc = true;
			p += 2;         /* never ends the string */
		} else if (*p < 0x20) {
			return NULL;
		} else {
			high = high || *p >= 0x80;
			p++;
		}
	}
	return NULL;
}

/* The escape at *pb (past its backslash, before q) written to out (room
 * for 4 bytes); returns the bytes written, 0 when it is invalid. */
static size_t
unescape(const char **pb, const char *q, char *out, bool *ctl)
{
	const char *b = *pb;
	int cp, lo;

	switch (*b++) {
	case '"': cp = '"'; break;
	case '\\': cp = '\\'; break;
	case '/': cp = '/'; break;
	case 'b': cp = '\b'; break;
	case 'f': cp = '\f'; break;
	case 'n': cp = '\n'; break;
	case 'r': cp = '\r'; break;
	case 't': cp = '\t'; break;
	case 'u':
		if (q - b < 4 || (cp = hex4(b)) < 0)
			return 0;
		b += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return 0;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (q - b < 6 || b[0] != '\\' || b[1] != 'u' ||
			    (lo = hex4(b + 2)) < 0xdc00 || lo > 0xdfff)
				return 0;
			b += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (cp == 0)
			return 0;
		break;
	default:
		return 0;
	}
	if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
		*ctl = true;
	*pb = b;
	return utf8_encode(out, (uint32_t)cp);
}

/* The string b..q with its escapes decoded at out (room for q - b + 1
 * bytes: an escape is never shorter than what it stands for), NUL-
 * terminated; its length, or SIZE_MAX when an escape is invalid. */
static size_t
decode_into(const char *b, const char *q, char *out, bool *ctl)
{
	const char *bs;
	size_t j = 0, k;

	while ((bs = memchr(b, '\\', (size_t)(q - b))) != NULL) {
		memcpy(out + j, b, (size_t)(bs - b));
		j += (size_t)(bs - b);
		b = bs + 1;
		if ((k = unescape(&b, q, out + j, ctl)) == 0)
			return SIZE_MAX;
		j += k;
	}
	memcpy(out + j, b, (size_t)(q - b));
	j += (size_t)(q - b);
	out[j] = '\0';
	return j;
}

/* Whether the escapes of b..q are valid, without decoding them (that
 * waits for a field that takes the string); sets *ctl as decoding
 * would. */
static bool
escapes_valid(const char *b, const char *q, bool *ctl)
{
	const char *bs;
	char tmp[4];

	while ((bs = memchr(b, '\\', (size_t)(q - b))) != NULL) {
		b = bs + 1;
		if (unescape(&b, q, tmp, ctl) == 0)
			return false;
	}
	return true;
}

/* A string at r->p (past the quote) into v; false when invalid. It stays
 * in the document, its escapes checked but not decoded: most strings are
 * never needed as C strings, and the long ones (content_html) are
 * decoded into a reused buffer (jval_str's `into`), not the arena. */
static bool
jr_string(struct jr *r, struct jv *v)
{
	const char *b = r->p, *q;
	bool esc = false;

	if ((q = str_end(b, r->end, &esc, r->utf8_known)) == NULL)
		return false;
	if (esc && !escapes_valid(b, q, &v->ctl))
		return false;
	r->p = q + 1;
	v->t = J_STR;
	v->esc = esc;
	v->u.s = b;
	v->n = (size_t)(q - b);
	return true;
}

/* A key with escapes, decoded into the arena so that jget compares what
 * it stands for. */
static bool
jr_key_decode(struct jr *r, struct jv *key)
{
	char *out = arena_alloc(r->a, key->n + 1);

	if (out == NULL) {
		r->nomem = true;
		return false;
	}
	key->n = decode_into(key->u.s, key->u.s + key->n, out, &key->ctl);
	key->u.s = out;
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

static bool jr_value(struct jr *r, int depth, struct jv *v);

static bool
jr_push(struct jr *r, const void *p, size_t size)
{
	if (buf_append(&r->stack, p, size) != RC_OK) {
		r->nomem = true;
		return false;
	}
	return true;
}

/* The entries of `size` bytes pushed since `mark`, moved into the arena. */
static void *
jr_pop(struct jr *r, size_t mark, size_t size, size_t *count)
{
	size_t n = r->stack.len - mark;
	void *p;

	*count = n / size;
	/* Nothing pushed yet ({} or [] first): the stack may have no buffer. */
	p = n > 0 ? arena_memdup(r->a, r->stack.data + mark, n) : arena_alloc(r->a, 1);
	r->stack.len = mark;
	if (p == NULL)
		r->nomem = true;
	return p;
}

/* True at the end of a container (consumed), false after a ','; *bad when
 * neither follows. */
static bool
jr_next(struct jr *r, char close, bool *bad)
{
	jr_ws(r);
	if (r->p < r->end && *r->p == ',') {
		r->p++;
		return false;
	}
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	*bad = true;
	return true;
}

static bool
jr_array(struct jr *r, struct jv *v, int depth)
{
	size_t mark = r->stack.len;
	struct jv item;
	bool bad = false;

	v->t = J_ARR;
	jr_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
	} else {
		do {
			if (!jr_value(r, depth + 1, &item) ||
			    !jr_push(r, &item, sizeof(item)))
				return false;
		} while (!jr_next(r, ']', &bad));
		if (bad)
			return false;
	}
	v->u.a = jr_pop(r, mark, sizeof(item), &v->n);
	return v->u.a != NULL;
}

/* A member's key and value (at r->p, after '{' or ','). */
static bool
jr_member(struct jr *r, struct jmem *m, int depth)
{
	struct jv key;

	memset(&key, 0, sizeof(key));
	jr_ws(r);
	if (r->p >= r->end || *r->p != '"')
		return false;
	r->p++;
	if (!jr_string(r, &key) || (key.esc && !jr_key_decode(r, &key)))
		return false;
	m->key = key.u.s;
	m->klen = key.n;
	jr_ws(r);
	if (r->p >= r->end || *r->p != ':')
		return false;
	r->p++;
	return jr_value(r, depth + 1, &m->v);
}

static bool
jr_object(struct jr *r, struct jv *v, int depth)
{
	size_t mark = r->stack.len;
	struct jmem m;
	bool bad = false;

	v->t = J_OBJ;
	jr_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
	} else {
		do {
			if (!jr_member(r, &m, depth) || !jr_push(r, &m, sizeof(m)))
				return false;
		} while (!jr_next(r, '}', &bad));
		if (bad)
			return false;
	}
	v->u.o = jr_pop(r, mark, sizeof(m), &v->n);
	return v->u.o != NULL;
}

/* The value at r->p into v; false when invalid (or out of memory). */
static bool
jr_value(struct jr *r, int depth, struct jv *v)
{
	memset(v, 0, sizeof(*v));
	if (depth > JSON_MAX_DEPTH)
		return false;
	jr_ws(r);
	if (r->p >= r->end)
		return false;
	switch (*r->p) {
	case '{':
		r->p++;
		return jr_object(r, v, depth);
	case '[':
		r->p++;
		return jr_array(r, v, depth);
	case '"':
		r->p++;
		return jr_string(r, v);
	case 't':
		return jr_lit(r, "true", 4, J_TRUE, v);
	case 'f':
		return jr_lit(r, "false", 5, J_FALSE, v);
	case 'n':
		return jr_lit(r, "null", 4, J_NULL, v);
	default:
		return jr_number(r, v);
	}
}

/* The document's value (an object or array, as json_loadb reads it), or
 * NULL: *rc is RC_INVALID or RC_NOMEM. Strings may point into s, which
 * must outlive the result. */
static const struct jv *
jr_parse(struct arena *a, const char *s, size_t n, bool utf8_known,
    enum rc *rc)
{
	struct jr r;
	struct jv *v;
	bool ok = false;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.p = s;
	r.end = s + n;
	r.utf8_known = utf8_known;
	buf_init(&r.stack, SIZE_MAX / 2);
	if ((v = arena_alloc(a, sizeof(*v))) == NULL)
		r.nomem = true;
	jr_ws(&r);
	if (v != NULL && r.p < r.end && (*r.p == '{' || *r.p == '['))
		ok = jr_value(&r, 1, v);
	if (ok) {
		jr_ws(&r);
		ok = r.p == r.end;
	}
	buf_fini(&r.stack);
	*rc = r.nomem ? RC_NOMEM : !ok ? RC_INVALID : RC_OK;
	return *rc == RC_OK ? v : NULL;
}

/* A member of an object (the last of that name), or NULL. */
static const struct jv *
jget(const struct jv *o, const char *key)
{
	size_t n = strlen(key), i;

	if (o == NULL || o->t != J_OBJ)
		return NULL;
	for (i = o->n; i > 0; i--) {
		const struct jmem *m = &o->u.o[i - 1];
		if (m->klen == n && memcmp(m->key, key, n) == 0)
			return &m->v;
	}
	return NULL;
}

static bool
jis(const struct jv *v, enum jt t)
{
	return v != NULL && v->t == t;
}

/* String v's bytes at out (room for v->n + 1), decoded, NUL-terminated. */
static void
jv_copy(const struct jv *v, char *out)
{
	bool ctl = false;

	if (v->esc) {
		decode_into(v->u.s, v->u.s + v->n, out, &ctl);
	} else {
		memcpy(out, v->u.s, v->n);
		out[v->n] = '\0';
	}
}

/* A string value decoded and NUL-terminated in the arena, or NULL when
 * out of memory. */
static char *
jcstr(struct feed_ctx *c, const struct jv *v)
{
	char *out = arena_alloc(c->a, v->n + 1);

	if (out != NULL)
		jv_copy(v, out);
	return out;
}

/*
 * v as a C string: decoded, C0 controls (but tab, CR and LF) dropped, cut
 * at max bytes (0: no limit); NULL when v is absent, not a string, empty
 * or out of memory. In the arena, or with `into` in that buffer (reused:
 * the string lasts until its next use), for the long strings a field
 * only reads (content_html, which the sanitizer copies as it cleans).
 */
static char *
jval_str(struct feed_ctx *c, const struct jv *v, size_t max, struct buf *into)
{
	char *r;
	size_t i, j = 0;

	if (!jis(v, J_STR) || v->n == 0)
		return NULL;
	if (into == NULL) {
		r = jcstr(c, v);
	} else {
		buf_clear(into);
		if (buf_reserve(into, v->n) != RC_OK)
			return NULL;
		r = into->data;
		jv_copy(v, r);
	}
	if (r == NULL || (!v->ctl && (max == 0 || v->n <= max)))
		return r;
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

/* A string member as jval_str gives it, in the arena. */
static char *
jstr(struct feed_ctx *c, const struct jv *o, const char *key, size_t max)
{
	return jval_str(c, jget(o, key), max, NULL);
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
	struct feed_person p;
	char *name, *url, *avatar;

	if (!jis(o, J_OBJ))
		return;
	name = jtext(c, o, "name", FEED_MAX_NAME);
	url = jurl(c, o, "url", base);
	avatar = jurl(c, o, "avatar", base);
	if (name == NULL && url == NULL && avatar == NULL)
		return;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.url = url;
	p.avatar = avatar;
	/* mailto: URLs are how JSON Feed gives an address. */
	if (url == NULL) {
		char *u = jstr(c, o, "url", FEED_MAX_NAME);
		if (u != NULL && strncasecmp(u, "mailto:", 7) == 0)
			p.email = u + 7;
	}
	feed_person_put(c, list, n, &p);
}

/* "authors" (1.1; an object instead of an array is one author) or
 * "author" (1.0). */
static void
persons(struct feed_ctx *c, const struct jv *o, const char *base,
    struct feed_person **list, size_t *n)
{
	const struct jv *a = jget(o, "authors");
	size_t i;

	if (jis(a, J_ARR)) {
		for (i = 0; i < a->n; i++)
			person(c, &a->u.a[i], base, list, n);
	} else {
		person(c, a, base, list, n);
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
		const struct jv *v = &a->u.a[i];
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

/* An item; its content_html is decoded into `html` (the sanitizer's
 * input only, cleaned into the arena by feed_item_finish). */
static void
json_item(struct feed_ctx *c, const struct jv *o, const char *base,
    struct buf *html)
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
	s = jval_str(c, jget(o, "content_html"), 0, html);
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
			if (jis(&tags->u.a[i], J_STR) &&
			    (s = jcstr(c, &tags->u.a[i])) != NULL)
				feed_tag_add(c, it, s);
		}
	}
	it->language = jtext(c, o, "language", FEED_MAX_LANG);
	attachments(c, it, o, base);
	b.inherit_authors = true;
	feed_item_finish(c, &b);
}

/* The version: the URL (https://jsonfeed.org/version/1.1), or what
 * publishers write instead ("1.1", "1", "1.0"). */
static bool
json_version(struct feed_ctx *c, const struct jv *ver, enum feed_format *fmt)
{
	const char *s;

	/* Decoded: "https:\/\/jsonfeed.org\/version\/1.1" is common. */
	if (!jis(ver, J_STR) || (s = jcstr(c, ver)) == NULL)
		return false;
	if (strstr(s, "jsonfeed.org/version/1") != NULL) {
		*fmt = strstr(s, "version/1.1") != NULL ? FEED_JSON11 :
		    FEED_JSON10;
		return true;
	}
	if (strcmp(s, "1") == 0 || strcmp(s, "1.0") == 0) {
		*fmt = FEED_JSON10;
		return true;
	}
	if (strcmp(s, "1.1") == 0) {
		*fmt = FEED_JSON11;
		return true;
	}
	return false;
}

enum rc
feed_json_parse(struct feed_ctx *c, const char *body, size_t len)
{
	const struct jv *root, *items, *ver;
	const char *base;
	struct feed *f = c->f;
	struct buf html;
	size_t i, nobj;
	enum rc rc;

	root = jr_parse(c->a, body, len, c->text_utf8, &rc);
	if (rc == RC_NOMEM)
		return rc;
	if (!jis(root, J_OBJ))
		return RC_INVALID;
	/* Every string of the tree is UTF-8, checked here if not before:
	 * the sanitizer need not check the HTML again. */
	c->text_utf8 = true;
	ver = jget(root, "version");
	items = jget(root, "items");
	if (!json_version(c, ver, &f->format) || !jis(items, J_ARR))
		return RC_INVALID;
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
	for (i = 0, nobj = 0; i < items->n; i++)
		nobj += jis(&items->u.a[i], J_OBJ);
	feed_items_begin(c, nobj);
	buf_init(&html, FEED_MAX_BODY);
	for (i = 0; i < items->n; i++) {
		if (c->full)
			break;
		json_item(c, &items->u.a[i], base, &html);
	}
	buf_fini(&html);
	return RC_OK;
}

/* feed_prep: bytes to clean UTF-8 XML before libxml2 sees them: charset
 * detection and conversion, invalid characters, HTML entities, bare '&',
 * and the DOCTYPE (its simple entities are applied, the rest is removed so
 * no DTD, external entity or entity expansion ever reaches the parser). */
#include "widgets/feeds/feed_prep.h"

#include <errno.h>
#include <stddef.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/url.h"
#include "widgets/feeds/feed_entities.h"
#include "widgets/feeds/sanitize.h"

static uint32_t
c1_map(uint32_t cp)
{
	return sanitize_cp1252_c1(cp);
}

/* ---- charset ---- */

/* A charset label: lower-cased, quotes and spaces gone, only the
 * characters charset names use (nothing iconv could read as a path). */
static bool
label_clean(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, j = 0;

	while (n > 0 && (*s == ' ' || *s == '"' || *s == '\'' || *s == '\t')) {
		s++;
		n--;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '"' || c == '\'' || c == ' ' || c == ';' || c == '\t')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == ':'))
			return false;
		if (j + 1 >= outsz)
			return false;
		out[j++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
	}
	out[j] = '\0';
	return j > 0;
}

/* charset= from a Content-Type header value. */
static bool
http_charset(const char *ct, char *out, size_t outsz)
{
	const char *p;

	if (ct == NULL)
		return false;
	for (p = ct; (p = strcasestr(p, "charset")) != NULL; p += 7) {
		const char *q = p + 7;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=')
			continue;
		q++;
		return label_clean(q, strcspn(q, ";,"), out, outsz);
	}
	return false;
}

/* How far into a body junk before the XML is looked through. */
#define JUNK_SEARCH 65536

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* True when p (at '<') opens an element a feed reader takes as its root. */
static bool
feed_root_at(const char *p, const char *end)
{
	static const char *const roots[] = { "rss", "feed", "rdf:RDF", "RDF",
	    "channel" };
	size_t i, n;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		n = strlen(roots[i]);
		if ((size_t)(end - p) > n + 1 && strncasecmp(p + 1, roots[i], n) == 0 &&
		    (blank(p[n + 1]) || p[n + 1] == '>' || p[n + 1] == '/'))
			return true;
	}
	return false;
}

/* What a server prints before a feed is text (a PHP notice, a warning):
 * binary bytes before a "<rss" are a broken body, not junk to skip, and
 * reading the feed after them would publish an empty stream over the
 * last good one. */
static bool
junk_is_text(const char *p, const char *end)
{
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && !blank((char)c)) || c == 0x7f)
			return false;
	}
	return true;
}

size_t
feed_prep_xml_start(const char *s, size_t n)
{
	const char *end = s + (n < JUNK_SEARCH ? n : JUNK_SEARCH), *p = s, *q;

	while (p < end && blank(*p))
		p++;
	if (end - p >= 5 && memcmp(p, "<?xml", 5) == 0)
		return (size_t)(p - s);
	/* A prolog (comment, DOCTYPE, PI) or a feed root: nothing to skip;
	 * nor in a web page (<html>), which is no junk before a feed but a
	 * page (feed_discover.h finds its feed). */
	if (end - p >= 2 && *p == '<' && (p[1] == '!' || p[1] == '?' ||
	    feed_root_at(p, end)))
		return 0;
	if (end - p >= 5 && strncasecmp(p, "<html", 5) == 0)
		return 0;
	q = memmem(p, (size_t)(end - p), "<?xml", 5);
	if (q != NULL && q + 5 < end && (blank(q[5]) || q[5] == '?'))
		return junk_is_text(p, q) ? (size_t)(q - s) : 0;
	for (q = p; (q = memchr(q, '<', (size_t)(end - q))) != NULL; q++) {
		if (feed_root_at(q, end))
			return junk_is_text(p, q) ? (size_t)(q - s) : 0;
	}
	return 0;
}

/* encoding="..." from an XML declaration in ASCII-compatible bytes, after
 * any junk feed_prep_xml_start skips. */
static bool
decl_charset(const char *s, size_t n, char *out, size_t outsz)
{
	const char *end, *p;
	size_t lim, skip = feed_prep_xml_start(s, n);

	s += skip;
	n -= skip;
	if (n < 5 || memcmp(s, "<?xml", 5) != 0)
		return false;
	lim = n < 512 ? n : 512;
	if (lim < 6)
		return false;
	end = memchr(s, '>', lim);
	if (end == NULL)
		return false;
	for (p = s; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8) == 0) {
			const char *q = p + 8;
			char quote;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= end || *q != '=')
				return false;
			q++;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= end || (*q != '"' && *q != '\''))
				return false;
			quote = *q++;
			p = memchr(q, quote, (size_t)(end - q));
			if (p == NULL)
				return false;
			return label_clean(q, (size_t)(p - q), out, outsz);
		}
	}
	return false;
}

struct alias {
	const char *label;
	const char *name;  /* what we convert from ("" = windows-1252 table) */
};

/* WHATWG-style label mapping for the labels feeds use. */
static const struct alias aliases[] = {
	{ "utf-8", "utf-8" }, { "utf8", "utf-8" }, { "unicode-1-1-utf-8", "utf-8" },
	{ "us-ascii", "windows-1252" }, { "ascii", "windows-1252" },
	{ "iso-8859-1", "windows-1252" }, { "iso8859-1", "windows-1252" },
	{ "iso_8859-1", "windows-1252" }, { "latin1", "windows-1252" },
	{ "latin-1", "windows-1252" }, { "l1", "windows-1252" },
	{ "cp1252", "windows-1252" }, { "windows-1252", "windows-1252" },
	{ "x-cp1252", "windows-1252" }, { "cp819", "windows-1252" },
	{ "gb2312", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
	{ "gb18030", "GB18030" }, { "euc-kr", "CP949" },
	{ "ks_c_5601-1987", "CP949" }, { "shift_jis", "CP932" },
	{ "sjis", "CP932" }, { "x-sjis", "CP932" }, { "ms_kanji", "CP932" },
	{ "tis-620", "CP874" }, { "iso-8859-11", "CP874" },
	{ "utf-16", "UTF-16" }, { "utf-16le", "UTF-16LE" },
	{ "utf-16be", "UTF-16BE" }, { "utf-32", "UTF-32" },
	{ "utf-32le", "UTF-32LE" }, { "utf-32be", "UTF-32BE" },
	{ "ucs-2", "UTF-16" }, { "ucs-4", "UTF-32" },
};

static const char *
alias_of(const char *label)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(aliases[i].label, label) == 0)
			return aliases[i].name;
	}
	return NULL;
}

/* windows-1252 to UTF-8 without iconv (and without failing). */
static enum rc
from_cp1252(const unsigned char *s, size_t n, char **out, size_t *outlen)
{
	char *d = malloc(n * 3 + 1);
	size_t i, j = 0;

	if (d == NULL)
		return RC_NOMEM;
	for (i = 0; i < n; i++)
		j += utf8_encode(d + j, c1_map(s[i]));
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return RC_OK;
}

/* UTF-8 with some bytes that are not: every valid sequence kept, each
 * byte of an invalid one read as windows-1252 (the usual culprit: a
 * Word quote pasted into a UTF-8 page). *kept: a valid multi-byte
 * sequence was kept; without one, this is the windows-1252 reading.
 * *bad: how many bytes were read as windows-1252. */
static enum rc
from_utf8_repair(const char *s, size_t n, char **out, size_t *outlen,
    bool *kept, size_t *bad)
{
	char *d = malloc(n * 3 + 1);
	size_t i = 0, j = 0, k;

	*kept = false;
	*bad = 0;
	if (d == NULL)
		return RC_NOMEM;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			d[j++] = (char)c;
			i++;
		} else if ((k = utf8_seqlen(s + i, n - i)) > 0) {
			memcpy(d + j, s + i, k);
			i += k;
			j += k;
			*kept = true;
		} else {
			j += utf8_encode(d + j, c1_map(c));
			i++;
			(*bad)++;
		}
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return RC_OK;
}

/* Any other charset through iconv; undecodable bytes become U+FFFD. */
static enum rc
from_iconv(iconv_t cd, const char *s, size_t n, char **out, size_t *outlen)
{
	size_t cap = n * 4 + 16, left, room;
	char *d = malloc(cap), *in = (char *)s, *o;

	if (d == NULL)
		return RC_NOMEM;
	o = d;
	left = n;
	room = cap - 1;
	while (left > 0) {
		size_t r = iconv(cd, &in, &left, &o, &room);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			/* n * 4 holds any conversion into UTF-8; be safe anyway. */
			free(d);
			return RC_TOOBIG;
		}
		if (errno == EINVAL)
			break; /* truncated sequence at the end */
		if (room < 3)
			break;
		memcpy(o, "\xef\xbf\xbd", 3);
		o += 3;
		room -= 3;
		in++;
		left--;
	}
	*o = '\0';
	*out = d;
	*outlen = (size_t)(o - d);
	return RC_OK;
}

/* True when s holds a multi-byte UTF-8 sequence (and is valid UTF-8). */
static bool
utf8_multibyte(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return utf8_valid(s, n);
	}
	return false;
}

/* glibc loads a gconv module (dlopen) at iconv_open and unloads it
 * (dlclose) when its last descriptor closes: per document, for every feed
 * in a legacy charset. One descriptor per charset kept open for the life
 * of the process (a few at most; never used for conversion, so no state
 * to share) keeps its module loaded. */
#define PIN_MAX 16
#define PIN_NAME 40
static struct {
	char name[PIN_NAME];
	iconv_t cd;
} pins[PIN_MAX];
static int npins;
static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;

static void
charset_pin(const char *name)
{
	int i;

	if (strlen(name) >= PIN_NAME)
		return;
	pthread_mutex_lock(&pin_lock);
	for (i = 0; i < npins; i++) {
		if (strcmp(pins[i].name, name) == 0)
			break;
	}
	if (i == npins && npins < PIN_MAX) {
		iconv_t cd = iconv_open("UTF-8", name);
		if (cd != (iconv_t)-1) {
			/* length checked above */
			memcpy(pins[npins].name, name, strlen(name) + 1);
			pins[npins].cd = cd;
			npins++;
		}
	}
	pthread_mutex_unlock(&pin_lock);
}

static enum rc
decode_as(const char *name, const char *s, size_t n, char **out,
    size_t *outlen)
{
	iconv_t cd;
	enum rc rc;

	if (strcmp(name, "windows-1252") == 0)
		return from_cp1252((const unsigned char *)s, n, out, outlen);
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return RC_INVALID;
	charset_pin(name);
	rc = from_iconv(cd, s, n, out, outlen);
	iconv_close(cd);
	return rc;
}

/* The family a BOM or the first bytes of "<?xml" tell, and the BOM size. */
static const char *
sniff(const unsigned char *b, size_t n, size_t *bom)
{
	*bom = 0;
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		*bom = 3;
		return "utf-8";
	}
	if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xfe && b[3] == 0xff) {
		*bom = 4;
		return "UTF-32BE";
	}
	if (n >= 4 && b[0] == 0xff && b[1] == 0xfe && b[2] == 0 && b[3] == 0) {
		*bom = 4;
		return "UTF-32LE";
	}
	if (n >= 2 && b[0] == 0xfe && b[1] == 0xff) {
		*bom = 2;
		return "UTF-16BE";
	}
	if (n >= 2 && b[0] == 0xff && b[1] == 0xfe) {
		*bom = 2;
		return "UTF-16LE";
	}
	if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0)
		return "UTF-32BE";
	if (n >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
		return "UTF-32LE";
	if (n >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0)
		return "UTF-16BE";
	if (n >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0)
		return "UTF-16LE";
	return NULL;
}

static bool
is_utf8_name(const char *name)
{
	return strcmp(name, "utf-8") == 0;
}

/* Takes body as it is, as UTF-8. */
static void
as_utf8(struct feed_prep_text *t, const char *body, size_t len)
{
	t->s = body;
	t->len = len;
	snprintf(t->encoding, sizeof(t->encoding), "utf-8");
}

/* Takes body as it is when it is valid UTF-8. */
static bool
take_utf8(struct feed_prep_text *t, const char *body, size_t len)
{
	if (!utf8_valid(body, len))
		return false;
	as_utf8(t, body, len);
	return true;
}

/* The charset the text is in (a BOM, the HTTP header, the XML
 * declaration when `xml`, else UTF-8), before any look at the text's
 * bytes beyond its first 64; *body and *len move past a BOM. label holds
 * a declared name that has no alias. */
static const char *
charset_of(const char **body, size_t *len, const char *content_type,
    bool xml, char label[48])
{
	const char *fam, *name = NULL;
	size_t bom;
	bool declared = false;

	fam = sniff((const unsigned char *)*body, *len, &bom);
	*body += bom;
	*len -= bom;
	if (fam != NULL && (bom > 0 || strncmp(fam, "UTF-", 4) == 0)) {
		name = fam;
	} else if (http_charset(content_type, label, 48)) {
		name = alias_of(label);
		if (name == NULL)
			name = label;
		declared = true;
	} else if (xml && decl_charset(*body, *len, label, 48)) {
		name = alias_of(label);
		if (name == NULL)
			name = label;
		declared = true;
	}
	if (name == NULL)
		name = "utf-8";
	/* UTF-16/32 named in a header or declaration of 8-bit text is a lie. */
	if (declared && strncmp(name, "UTF-", 4) == 0 &&
	    memchr(*body, '\0', *len < 64 ? *len : 64) == NULL)
		name = "utf-8";
	return name;
}

bool
feed_prep_utf8_as_is(const char *body, size_t len, const char *content_type,
    bool xml, struct feed_prep_text *t)
{
	char label[48];

	memset(t, 0, sizeof(*t));
	if (!is_utf8_name(charset_of(&body, &len, content_type, xml, label)))
		return false;
	as_utf8(t, body, len);
	return true;
}

enum rc
feed_prep_decode(const char *body, size_t len, const char *content_type,
    bool xml, struct feed_prep_text *t)
{
	char label[48];
	const char *name;
	size_t bad;
	bool kept;
	enum rc rc;

	memset(t, 0, sizeof(*t));
	name = charset_of(&body, &len, content_type, xml, label);
	/* Valid UTF-8 with multi-byte sequences labelled as a Latin charset
	 * is UTF-8: random Latin text is practically never valid UTF-8. */
	if (strcmp(name, "windows-1252") == 0 && utf8_multibyte(body, len))
		name = "utf-8";
	if (is_utf8_name(name)) {
		if (take_utf8(t, body, len))
			return RC_OK;
		/* Declared (or assumed) UTF-8 but not: repaired byte by byte. */
		t->fallback = true;
		rc = from_utf8_repair(body, len, &t->owned, &t->len, &kept,
		    &bad);
		if (rc != RC_OK)
			return rc;
		t->s = t->owned;
		/* Without a kept sequence the whole text is windows-1252, which
		 * the encoding says; only a mixed reading is a repair. */
		t->repaired = kept ? bad : 0;
		snprintf(t->encoding, sizeof(t->encoding), "%s", kept ? "utf-8" :
		    "windows-1252");
		return RC_OK;
	}
	rc = decode_as(name, body, len, &t->owned, &t->len);
	if (rc == RC_INVALID) {
		/* A charset iconv does not know: UTF-8 if it is, else 1252. */
		t->fallback = true;
		if (take_utf8(t, body, len))
			return RC_OK;
		name = "windows-1252";
		rc = decode_as(name, body, len, &t->owned, &t->len);
	}
	if (rc != RC_OK)
		return rc;
	t->s = t->owned;
	snprintf(t->encoding, sizeof(t->encoding), "%s", name);
	return RC_OK;
}

void
feed_prep_text_fini(struct feed_prep_text *t)
{
	free(t->owned);
	free(t->xml);
	memset(t, 0, sizeof(*t));
}

/* ---- XML clean-up ---- */

#define MAX_ENTITIES 64
#define MAX_ENTITY_VALUE 1024
#define ENTITY_BUDGET (1024 * 1024)  /* bytes all expansions may add */

struct entity {
	char name[33];
	char *value;    /* escaped for XML text and attributes (heap) */
};

struct prep {
	const char *s;
	size_t n, i;
	char *out;                /* the output (heap), sized for the input */
	size_t olen, ocap, omax;  /* omax: what the output may reach */
	struct arena *a;          /* for CDATA taken out, or NULL */
	struct feed_prep_text *t;
	int nents;
	size_t budget;
	bool changed;
	enum rc rc;
	struct entity ents[MAX_ENTITIES];  /* last: [0, nents) in use */
};

/* Room for n more output bytes and the terminator; past omax (or with
 * no memory) the document is refused with RC_TOOBIG. */
static bool
out_reserve(struct prep *p, size_t n)
{
	size_t need, cap;
	char *d;

	if (n > p->omax || p->olen > p->omax - n) {
		p->rc = RC_TOOBIG;
		return false;
	}
	need = p->olen + n + 1;
	if (need <= p->ocap)
		return true;
	cap = p->ocap > need / 2 ? p->ocap * 2 : need;
	if (cap > p->omax + 1)
		cap = p->omax + 1;
	d = realloc(p->out, cap);
	if (d == NULL) {
		p->rc = RC_TOOBIG;
		return false;
	}
	p->out = d;
	p->ocap = cap;
	return true;
}

static void
put(struct prep *p, const char *s, size_t n)
{
	if (p->rc != RC_OK || (p->ocap - p->olen <= n && !out_reserve(p, n)))
		return;
	memcpy(p->out + p->olen, s, n);
	p->olen += n;
}

/* Writes v in decimal so that it ends at `end`; returns where it starts. */
static char *
put_dec(char *end, size_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return end;
}

static bool
xml_char_ok(uint32_t cp)
{
	if (cp < 0x20)
		return cp == 0x9 || cp == 0xa || cp == 0xd;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return false;
	if (cp == 0xfffe || cp == 0xffff || cp > 0x10ffff)
		return false;
	return true;
}

/* Byte classes for the scans. FIX: bytes char_fix may change (C0
 * controls but tab, LF and CR; 0xc2: C1 controls; 0xee: U+E000/U+E001;
 * 0xef: U+FFFE/U+FFFF). MARK: bytes that may start a reference, or a
 * comment, CDATA section, PI or DOCTYPE. */
enum { FIX = 1, MARK = 2 };
#define FIX4(c) [c] = FIX, [(c) + 1] = FIX, [(c) + 2] = FIX, [(c) + 3] = FIX
static const unsigned char special[256] = {
	FIX4(0x00), FIX4(0x04), FIX4(0x10), FIX4(0x14), FIX4(0x18), FIX4(0x1c),
	[0x08] = FIX, [0x0b] = FIX, [0x0c] = FIX, [0x0e] = FIX, [0x0f] = FIX,
	['&'] = MARK, ['<'] = MARK,
	[0xc2] = FIX, [0xee] = FIX, [0xef] = FIX,
};
#undef FIX4

/* 16 bytes as one value (a GCC/Clang vector extension): compared with a
 * byte value all at once, as SSE2 or NEON do. */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

/* The first of 8 bytes (in memory order) that is set in w, w != 0. */
static unsigned
first_byte(uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(w) / 8;
#else
	return (unsigned)__builtin_clzll(w) / 8;
#endif
}

/* The offset of the first byte of b[0..16) in a class of `cls` or that
 * is tab, LF or CR (not special, but rare: looked at one by one); 16
 * when there is none. It catches every byte special[] classes: keep the
 * two in step. */
static unsigned
block16(const unsigned char *b, bytes16 mark)
{
	bytes16 x, m;
	uint64_t w[2];

	memcpy(&x, b, 16);
	m = (bytes16)(x < 0x20) | (bytes16)(x == 0xc2) |
	    (bytes16)(x == 0xee) | (bytes16)(x == 0xef) |
	    (((bytes16)(x == '&') | (bytes16)(x == '<')) & mark);
	memcpy(w, &m, 16);
	if (w[0] != 0)
		return first_byte(w[0]);
	return w[1] != 0 ? 8 + first_byte(w[1]) : 16;
}

/* The first byte in s[i..end) of a class in `cls`, or end. Blocks of 16
 * bytes while whole ones are left, then byte by byte. */
static size_t
scan(const struct prep *p, size_t i, size_t end, unsigned char cls)
{
	const unsigned char *b = (const unsigned char *)p->s;
	const unsigned char all = (cls & MARK) ? 0xff : 0;
	const bytes16 mark = (bytes16){ 0 } + all;

	while (end - i >= 16) {
		unsigned k = block16(b + i, mark);
		if (k == 16) {
			i += 16;
			continue;
		}
		i += k;
		if (special[b[i]] & cls)
			return i;
		i++;
	}
	while (i < end && !(special[b[i]] & cls))
		i++;
	return i;
}

/* Handles the byte at p->i when it is a control, C1 or non-character;
 * returns true when it consumed something. */
static bool
char_fix(struct prep *p)
{
	const unsigned char *b = (const unsigned char *)p->s + p->i;
	size_t left = p->n - p->i;
	char tmp[4];

	if (b[0] < 0x20) {
		p->i++;
		p->changed = true;
		return true;
	}
	if (b[0] == 0xc2 && left >= 2 && b[1] >= 0x80 && b[1] <= 0x9f) {
		uint32_t cp = c1_map(b[1]);
		put(p, tmp, utf8_encode(tmp, cp));
		p->i += 2;
		p->changed = true;
		return true;
	}
	if (b[0] == 0xef && left >= 3 && b[1] == 0xbf &&
	    (b[2] == 0xbe || b[2] == 0xbf)) {
		p->i += 3;
		p->changed = true;
		return true;
	}
	/* U+E000/U+E001 are our CDATA markers: a document's own become
	 * U+FFFD, so no text can point at a CDATA section. */
	if (b[0] == 0xee && left >= 3 && b[1] == 0x80 &&
	    (b[2] == 0x80 || b[2] == 0x81)) {
		put(p, "\xef\xbf\xbd", 3);
		p->i += 3;
		p->changed = true;
		return true;
	}
	return false;
}

/* Copies s[i..end) with character fixes only (comments, CDATA, PIs). */
static void
copy_raw(struct prep *p, size_t end)
{
	while (p->i < end && p->rc == RC_OK) {
		size_t run = scan(p, p->i, end, FIX);
		put(p, p->s + p->i, run - p->i);
		p->i = run;
		if (p->i >= end)
			break;
		if (!char_fix(p)) {
			put(p, p->s + p->i, 1);
			p->i++;
		}
	}
}

/*
 * The index just past the first `close` ("-->", "]]>" or "?>": each ends
 * in its only '>') that starts at or after `from`; p->n when there is
 * none. memchr for the '>' beats memmem's set-up on short sections.
 */
static size_t
find_close(const struct prep *p, size_t from, const char *close)
{
	size_t k = strlen(close) - 1, i = from + k;
	const char *g;

	while (i < p->n && (g = memchr(p->s + i, '>', p->n - i)) != NULL) {
		i = (size_t)(g - p->s);
		if (memcmp(g - k, close, k) == 0)
			return i + 1;
		i++;
	}
	return p->n;
}

/* ---- references ---- */

/* Reads a reference at s[i] ('&'); *cp gets the code point of a numeric
 * or HTML named reference, *len its length. Returns 0: not a reference,
 * 1: numeric/HTML (cp set), 2: XML predefined (copy as is), 3: internal
 * entity (*ent set). */
static int
ref_read(struct prep *p, size_t i, uint32_t *cp, size_t *len,
    const struct entity **ent)
{
	const char *s = p->s;
	size_t j = i + 1, n = p->n;
	char name[33];
	size_t k = 0;
	int e;

	if (j < n && s[j] == '#') {
		uint64_t v = 0;
		bool hex = false;
		size_t digits = 0;
		j++;
		if (j < n && (s[j] == 'x' || s[j] == 'X')) {
			hex = true;
			j++;
		}
		for (; j < n && digits < 9; j++, digits++) {
			unsigned char c = (unsigned char)s[j];
			int d = hex ? url_hexval(c) :
			    c >= '0' && c <= '9' ? c - '0' : -1;
			if (d < 0)
				break;
			v = v * (hex ? 16 : 10) + (uint64_t)d;
		}
		if (digits == 0 || j >= n || s[j] != ';')
			return 0;
		*cp = v > 0x10ffff ? 0xfffd : (uint32_t)v;
		*len = j + 1 - i;
		return 1;
	}
	while (j < n && k < 32 &&
	    ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
	    (k > 0 && ((s[j] >= '0' && s[j] <= '9') || s[j] == '_' ||
	    s[j] == '-' || s[j] == '.'))))
		name[k++] = s[j++];
	if (k == 0 || j >= n || s[j] != ';')
		return 0;
	name[k] = '\0';
	*len = j + 1 - i;
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0)
		return 2;
	for (e = 0; e < p->nents; e++) {
		if (strcmp(p->ents[e].name, name) == 0) {
			*ent = &p->ents[e];
			return 3;
		}
	}
	return feed_entity_html4(name, cp) ? 1 : 0;
}

static int
utf8_lead_len(uint32_t b)
{
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/*
 * UTF-8 written as Latin-1 references ("&#226;&#128;&#166;",
 * "&acirc;&#128;&brvbar;"): a run that spells one valid UTF-8 sequence
 * is read as that character. Returns the bytes consumed, 0 if no run.
 */
static size_t
ref_double_encoded(struct prep *p, uint32_t first, size_t i, size_t len,
    uint32_t *out)
{
	unsigned char bytes[4];
	int need = utf8_lead_len(first), have = 1;
	size_t at = i + len;

	if (need == 0)
		return 0;
	bytes[0] = (unsigned char)first;
	while (have < need) {
		uint32_t cp;
		size_t l;
		const struct entity *e = NULL;
		if (at >= p->n || p->s[at] != '&' ||
		    ref_read(p, at, &cp, &l, &e) != 1 || cp < 0x80 || cp > 0xbf)
			return 0;
		bytes[have++] = (unsigned char)cp;
		at += l;
	}
	if (!utf8_valid((const char *)bytes, (size_t)need))
		return 0;
	if (need == 2)
		*out = ((uint32_t)(bytes[0] & 0x1f) << 6) | (bytes[1] & 0x3f);
	else if (need == 3)
		*out = ((uint32_t)(bytes[0] & 0x0f) << 12) |
		    ((uint32_t)(bytes[1] & 0x3f) << 6) | (bytes[2] & 0x3f);
	else
		*out = ((uint32_t)(bytes[0] & 0x07) << 18) |
		    ((uint32_t)(bytes[1] & 0x3f) << 12) |
		    ((uint32_t)(bytes[2] & 0x3f) << 6) | (bytes[3] & 0x3f);
	return at - i;
}

static void
put_charref(struct prep *p, uint32_t cp)
{
	char tmp[16], *d;

	if (!xml_char_ok(cp))
		return;
	tmp[sizeof(tmp) - 1] = ';';
	d = put_dec(tmp + sizeof(tmp) - 1, cp);
	*--d = '#';
	*--d = '&';
	put(p, d, (size_t)(tmp + sizeof(tmp) - d));
}

static void
ref_fix(struct prep *p)
{
	uint32_t cp = 0, dcp;
	size_t len = 0, dl;
	const struct entity *e = NULL;

	switch (ref_read(p, p->i, &cp, &len, &e)) {
	case 1:
		dl = ref_double_encoded(p, cp, p->i, len, &dcp);
		if (dl > 0) {
			cp = dcp;
			len = dl;
		}
		put_charref(p, c1_map(cp));
		p->i += len;
		p->changed = true;
		return;
	case 2:
		put(p, p->s + p->i, len);
		p->i += len;
		return;
	case 3: {
		size_t vl = strlen(e->value);
		if (vl <= p->budget) {
			p->budget -= vl;
			put(p, e->value, vl);
			p->i += len;
			p->changed = true;
			return;
		}
		/* Past the budget, references expand to nothing. */
		p->i += len;
		p->changed = true;
		return;
	}
	default:
		break;
	}
	/* A bare '&' or an unknown name: a literal ampersand. */
	put(p, "&amp;", 5);
	p->i++;
	p->changed = true;
}

/* ---- DOCTYPE ---- */

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips a quoted string or a declaration to its '>'; returns the index
 * after it (p->n when unterminated). */
static size_t
skip_quoted(const struct prep *p, size_t i)
{
	char q = p->s[i];
	const char *e = memchr(p->s + i + 1, q, p->n - i - 1);

	return e == NULL ? p->n : (size_t)(e - p->s) + 1;
}

static size_t
skip_decl(const struct prep *p, size_t i)
{
	while (i < p->n && p->s[i] != '>') {
		if (p->s[i] == '"' || p->s[i] == '\'')
			i = skip_quoted(p, i);
		else
			i++;
	}
	return i < p->n ? i + 1 : p->n;
}

/* Escapes an entity value for literal insertion (char refs decoded). A
 * value referring to other entities (or parameter entities) is refused:
 * no nesting, hence no expansion. */
static char *
entity_value(const char *v, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, MAX_ENTITY_VALUE * 6);
	for (i = 0; i < n; i++) {
		char c = v[i];
		const char *r = NULL;
		if (c == '%')
			goto bad;
		if (c == '&') {
			uint64_t cp = 0;
			size_t j = i + 1;
			bool hex = false;
			if (j >= n || v[j] != '#')
				goto bad;
			j++;
			if (j < n && v[j] == 'x') {
				hex = true;
				j++;
			}
			for (; j < n && v[j] != ';' && j - i < 12; j++) {
				unsigned char d = (unsigned char)v[j];
				int dv = hex ? url_hexval(d) :
				    d >= '0' && d <= '9' ? d - '0' : -1;
				if (dv < 0)
					goto bad;
				cp = cp * (hex ? 16 : 10) + (uint64_t)dv;
			}
			if (j >= n || v[j] != ';' || !xml_char_ok((uint32_t)cp) ||
			    cp == 0 || cp > 0x10ffff)
				goto bad;
			if (buf_appendf(&b, "&#%u;", (unsigned)cp) != RC_OK)
				goto bad;
			i = j;
			continue;
		}
		if (c == '<')
			r = "&lt;";
		else if (c == '>')
			r = "&gt;";
		else if (c == '"')
			r = "&quot;";
		else if (c == '\'')
			r = "&apos;";
		if (r != NULL ? buf_appends(&b, r) : buf_appendc(&b, c))
			goto bad;
	}
	return buf_take(&b, NULL);
bad:
	buf_fini(&b);
	return NULL;
}

/* <!ENTITY name "value"> inside the internal subset, at s[i]. */
static void
doctype_entity(struct prep *p, size_t i, size_t end)
{
	const char *s = p->s;
	size_t j = i + 8, k = 0, vs;
	char name[33];
	struct entity *e;

	while (j < end && is_ws(s[j]))
		j++;
	if (j >= end || s[j] == '%' || p->nents >= MAX_ENTITIES)
		return;
	while (j < end && k < 32 && !is_ws(s[j]) && s[j] != '"' &&
	    s[j] != '\'' && s[j] != '>')
		name[k++] = s[j++];
	name[k] = '\0';
	while (j < end && is_ws(s[j]))
		j++;
	/* SYSTEM / PUBLIC (external) entities are never read. */
	if (k == 0 || j >= end || (s[j] != '"' && s[j] != '\''))
		return;
	vs = j + 1;
	j = skip_quoted(p, j);
	if (j > end || j - 1 - vs > MAX_ENTITY_VALUE)
		return;
	e = &p->ents[p->nents];
	e->value = entity_value(s + vs, j - 1 - vs);
	if (e->value == NULL)
		return;
	memcpy(e->name, name, k + 1);
	p->nents++;
}

/* Reads the DOCTYPE at p->i, keeps its simple entities, drops it. */
static void
doctype(struct prep *p)
{
	size_t i = p->i + 9;
	const char *s = p->s;

	p->changed = true;
	while (i < p->n && s[i] != '[' && s[i] != '>') {
		if (s[i] == '"' || s[i] == '\'')
			i = skip_quoted(p, i);
		else
			i++;
	}
	if (i < p->n && s[i] == '[') {
		i++;
		while (i < p->n && s[i] != ']') {
			if (s[i] == '"' || s[i] == '\'') {
				i = skip_quoted(p, i);
			} else if (p->n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				const char *e = memmem(s + i + 4, p->n - i - 4, "-->", 3);
				i = e == NULL ? p->n : (size_t)(e - s) + 3;
			} else if (p->n - i >= 8 && memcmp(s + i, "<!ENTITY", 8) == 0) {
				size_t end = skip_decl(p, i);
				doctype_entity(p, i, end);
				i = end;
			} else if (s[i] == '<') {
				i = skip_decl(p, i);
			} else {
				i++;
			}
		}
		if (i < p->n)
			i++;
		while (i < p->n && s[i] != '>')
			i++;
	}
	p->i = i < p->n ? i + 1 : p->n;
}

/*
 * A CDATA section from p->i to end. Big ones leave the document: their
 * (cleaned) text goes to the arena and a marker U+E000 <index> U+E001
 * takes their place, which libxml2 reads as plain text many times faster
 * than it reads CDATA; feed.c puts the text back (feed_prep_cdata).
 */
static void
cdata(struct prep *p, size_t end)
{
	size_t body = p->i + 9, mark, n;
	struct feed_prep_text *t = p->t;
	char *copy, tmp[32], *d;

	if (p->a == NULL || end < body + 3 || end - body - 3 < FEED_PREP_CDATA_MIN ||
	    end == p->n || t->ncdata >= FEED_PREP_CDATA_MAX) {
		copy_raw(p, end);
		return;
	}
	if (t->ncdata == t->capcdata) {
		size_t cap = t->capcdata ? t->capcdata * 2 : 64;
		const char **np = arena_calloc(p->a, cap, sizeof(*np));
		size_t *nl = arena_calloc(p->a, cap, sizeof(*nl));
		if (np == NULL || nl == NULL) {
			p->rc = RC_NOMEM;
			return;
		}
		if (t->ncdata > 0) {
			memcpy(np, t->cdata, t->ncdata * sizeof(*np));
			memcpy(nl, t->cdata_len, t->ncdata * sizeof(*nl));
		}
		t->cdata = np;
		t->cdata_len = nl;
		t->capcdata = cap;
	}
	/* Clean it through the output buffer, then move it out. */
	mark = p->olen;
	p->i = body;
	copy_raw(p, end - 3);
	if (p->rc != RC_OK)
		return;
	n = p->olen - mark;
	copy = arena_alloc(p->a, n + 1);
	if (copy == NULL) {
		p->rc = RC_NOMEM;
		return;
	}
	memcpy(copy, p->out + mark, n);
	copy[n] = '\0';
	p->olen = mark;
	t->cdata[t->ncdata] = copy;
	t->cdata_len[t->ncdata] = n;
	/* The marker: U+E000, the index in decimal, U+E001. */
	memcpy(tmp + sizeof(tmp) - 3, "\xee\x80\x81", 3);
	d = put_dec(tmp + sizeof(tmp) - 3, t->ncdata++) - 3;
	memcpy(d, "\xee\x80\x80", 3);
	put(p, d, (size_t)(tmp + sizeof(tmp) - d));
	p->i = end;
	p->changed = true;
}

/* '<' at p->i: comments, CDATA, PIs and DOCTYPE get their own rules. */
static void
lt_fix(struct prep *p)
{
	const char *s = p->s + p->i;
	size_t left = p->n - p->i;

	if (left < 2 || (s[1] != '!' && s[1] != '?')) {
		put(p, "<", 1);
		p->i++;
	} else if (left >= 4 && memcmp(s, "<!--", 4) == 0) {
		copy_raw(p, find_close(p, p->i + 4, "-->"));
	} else if (left >= 9 && memcmp(s, "<![CDATA[", 9) == 0) {
		cdata(p, find_close(p, p->i + 9, "]]>"));
	} else if (left >= 2 && s[1] == '?') {
		copy_raw(p, find_close(p, p->i + 2, "?>"));
	} else if (left >= 9 && strncasecmp(s, "<!DOCTYPE", 9) == 0) {
		doctype(p);
	} else {
		put(p, "<", 1);
		p->i++;
	}
}

/* The five XML references ("&amp;" ...) at s: their length, else 0.
 * ref_read reads exactly these as predefined, copied as they are. */
static size_t
xml_ref_len(const char *s, size_t left)
{
	static const struct {
		const char *r;
		size_t n;
	} refs[] = {
		{ "&amp;", 5 }, { "&lt;", 4 }, { "&gt;", 4 }, { "&quot;", 6 },
		{ "&apos;", 6 },
	};
	size_t k;

	for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++) {
		if (left >= refs[k].n && memcmp(s, refs[k].r, refs[k].n) == 0)
			return refs[k].n;
	}
	return 0;
}

/* The end of the bytes from i that are copied as they are. Plain tags
 * ('<' not followed by '!' or '?') and the XML references stay in the
 * run, so most documents are copied in a few long runs. */
static size_t
run_end(const struct prep *p, size_t i)
{
	const char *s = p->s;
	size_t k;

	for (;;) {
		i = scan(p, i, p->n, FIX | MARK);
		if (p->n - i < 2 || special[(unsigned char)s[i]] == FIX)
			return i;
		if (s[i] == '<' && s[i + 1] != '!' && s[i + 1] != '?')
			i++;
		else if (s[i] == '&' && (k = xml_ref_len(s + i, p->n - i)) > 0)
			i += k;
		else
			return i;
	}
}

enum rc
feed_prep_xml(struct feed_prep_text *t, struct arena *a)
{
	struct prep p;
	enum rc rc;
	int e;

	memset(&p, 0, offsetof(struct prep, ents));
	p.a = a;
	p.t = t;
	p.s = t->s;
	p.n = t->len;
	p.budget = ENTITY_BUDGET;
	/* Bare '&'s grow by 4 bytes each; a body made of them is refused.
	 * Most documents come out about as long as they went in: one
	 * allocation of that size, grown only when they do not. */
	p.omax = t->len + t->len / 2 + 65536 + ENTITY_BUDGET;
	p.ocap = t->len + t->len / 16 + 256;
	p.out = malloc(p.ocap);
	if (p.out == NULL)
		return RC_NOMEM;
	while (p.i < p.n && p.rc == RC_OK) {
		size_t run = run_end(&p, p.i);
		put(&p, p.s + p.i, run - p.i);
		p.i = run;
		if (p.i >= p.n)
			break;
		if (p.s[p.i] == '&')
			ref_fix(&p);
		else if (p.s[p.i] == '<')
			lt_fix(&p);
		else if (!char_fix(&p)) {
			put(&p, p.s + p.i, 1);
			p.i++;
		}
	}
	rc = p.rc;
	for (e = 0; e < p.nents; e++)
		free(p.ents[e].value);
	if (rc != RC_OK) {
		free(p.out);
		return rc;
	}
	p.out[p.olen] = '\0';
	t->xml = p.out;
	t->xml_len = p.olen;
	return RC_OK;
}

/* htmltok: a small, bounded HTML tokenizer (HTML5 tokenizer rules). */
#include "widgets/feeds/htmltok.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"
#include "widgets/feeds/bytevec.h"

enum { M_DATA, M_RAWTEXT, M_RCDATA, M_PLAINTEXT };

/* ---- named references ---- */

struct ent {
	char name[12];
	uint32_t cp;
	bool legacy;   /* also recognised without ';' */
};

/*
 * Sorted by strcmp for ent_find. libxml2's HTML 4 table (every name
 * htmlEntityValueLookup gives for U+0001..U+26FF; the ISO-8859-1 names,
 * and quot, amp, lt, gt, are HTML5's legacy names that work without ';')
 * and the HTML5 names that spell URL or markup syntax, with the upper-case
 * legacy spellings; "apos" needs its ';'. A table in the program, not one
 * built at start-up by 10,000 lookups in libxml2's (13 M instructions per
 * process); test_htmltok checks it against libxml2's.
 */
static const struct ent ents[] = {
	{ "AElig", 0xc6, true }, { "AMP", 0x26, true },
	{ "Aacute", 0xc1, true }, { "Acirc", 0xc2, true },
	{ "Agrave", 0xc0, true }, { "Alpha", 0x391, false },
	{ "Aring", 0xc5, true }, { "Atilde", 0xc3, true },
	{ "Auml", 0xc4, true }, { "Beta", 0x392, false },
	{ "COPY", 0xa9, true }, { "Ccedil", 0xc7, true },
	{ "Chi", 0x3a7, false }, { "Dagger", 0x2021, false },
	{ "Delta", 0x394, false }, { "ETH", 0xd0, true },
	{ "Eacute", 0xc9, true }, { "Ecirc", 0xca, true },
	{ "Egrave", 0xc8, true }, { "Epsilon", 0x395, false },
	{ "Eta", 0x397, false }, { "Euml", 0xcb, true }, { "GT", 0x3e, true },
	{ "Gamma", 0x393, false }, { "Hat", 0x5e, false },
	{ "Iacute", 0xcd, true }, { "Icirc", 0xce, true },
	{ "Igrave", 0xcc, true }, { "Iota", 0x399, false },
	{ "Iuml", 0xcf, true }, { "Kappa", 0x39a, false }, { "LT", 0x3c, true },
	{ "Lambda", 0x39b, false }, { "Mu", 0x39c, false },
	{ "NewLine", 0xa, false }, { "Ntilde", 0xd1, true },
	{ "Nu", 0x39d, false }, { "OElig", 0x152, false },
	{ "Oacute", 0xd3, true }, { "Ocirc", 0xd4, true },
	{ "Ograve", 0xd2, true }, { "Omega", 0x3a9, false },
	{ "Omicron", 0x39f, false }, { "Oslash", 0xd8, true },
	{ "Otilde", 0xd5, true }, { "Ouml", 0xd6, true },
	{ "Phi", 0x3a6, false }, { "Pi", 0x3a0, false },
	{ "Prime", 0x2033, false }, { "Psi", 0x3a8, false },
	{ "QUOT", 0x22, true }, { "REG", 0xae, true }, { "Rho", 0x3a1, false },
	{ "Scaron", 0x160, false }, { "Sigma", 0x3a3, false },
	{ "THORN", 0xde, true }, { "Tab", 0x9, false }, { "Tau", 0x3a4, false },
	{ "Theta", 0x398, false }, { "Uacute", 0xda, true },
	{ "Ucirc", 0xdb, true }, { "Ugrave", 0xd9, true },
	{ "Upsilon", 0x3a5, false }, { "Uuml", 0xdc, true },
	{ "Xi", 0x39e, false }, { "Yacute", 0xdd, true },
	{ "Yuml", 0x178, false }, { "Zeta", 0x396, false },
	{ "aacute", 0xe1, true }, { "acirc", 0xe2, true },
	{ "acute", 0xb4, true }, { "aelig", 0xe6, true },
	{ "agrave", 0xe0, true }, { "alefsym", 0x2135, false },
	{ "alpha", 0x3b1, false }, { "amp", 0x26, true },
	{ "and", 0x2227, false }, { "ang", 0x2220, false },
	{ "apos", 0x27, false }, { "aring", 0xe5, true },
	{ "ast", 0x2a, false }, { "asymp", 0x2248, false },
	{ "atilde", 0xe3, true }, { "auml", 0xe4, true },
	{ "bdquo", 0x201e, false }, { "beta", 0x3b2, false },
	{ "brvbar", 0xa6, true }, { "bsol", 0x5c, false },
	{ "bull", 0x2022, false }, { "cap", 0x2229, false },
	{ "ccedil", 0xe7, true }, { "cedil", 0xb8, true },
	{ "cent", 0xa2, true }, { "chi", 0x3c7, false },
	{ "circ", 0x2c6, false }, { "clubs", 0x2663, false },
	{ "colon", 0x3a, false }, { "comma", 0x2c, false },
	{ "commat", 0x40, false }, { "cong", 0x2245, false },
	{ "copy", 0xa9, true }, { "crarr", 0x21b5, false },
	{ "cup", 0x222a, false }, { "curren", 0xa4, true },
	{ "dArr", 0x21d3, false }, { "dagger", 0x2020, false },
	{ "darr", 0x2193, false }, { "deg", 0xb0, true },
	{ "delta", 0x3b4, false }, { "diams", 0x2666, false },
	{ "divide", 0xf7, true }, { "dollar", 0x24, false },
	{ "eacute", 0xe9, true }, { "ecirc", 0xea, true },
	{ "egrave", 0xe8, true }, { "empty", 0x2205, false },
	{ "emsp", 0x2003, false }, { "ensp", 0x2002, false },
	{ "epsilon", 0x3b5, false }, { "equals", 0x3d, false },
	{ "equiv", 0x2261, false }, { "eta", 0x3b7, false },
	{ "eth", 0xf0, true }, { "euml", 0xeb, true },
	{ "euro", 0x20ac, false }, { "excl", 0x21, false },
	{ "exist", 0x2203, false }, { "fnof", 0x192, false },
	{ "forall", 0x2200, false }, { "frac12", 0xbd, true },
	{ "frac14", 0xbc, true }, { "frac34", 0xbe, true },
	{ "frasl", 0x2044, false }, { "gamma", 0x3b3, false },
	{ "ge", 0x2265, false }, { "grave", 0x60, false }, { "gt", 0x3e, true },
	{ "hArr", 0x21d4, false }, { "harr", 0x2194, false },
	{ "hearts", 0x2665, false }, { "hellip", 0x2026, false },
	{ "iacute", 0xed, true }, { "icirc", 0xee, true },
	{ "iexcl", 0xa1, true }, { "igrave", 0xec, true },
	{ "image", 0x2111, false }, { "infin", 0x221e, false },
	{ "int", 0x222b, false }, { "iota", 0x3b9, false },
	{ "iquest", 0xbf, true }, { "isin", 0x2208, false },
	{ "iuml", 0xef, true }, { "kappa", 0x3ba, false },
	{ "lArr", 0x21d0, false }, { "lambda", 0x3bb, false },
	{ "lang", 0x2329, false }, { "laquo", 0xab, true },
	{ "larr", 0x2190, false }, { "lceil", 0x2308, false },
	{ "lcub", 0x7b, false }, { "ldquo", 0x201c, false },
	{ "le", 0x2264, false }, { "lfloor", 0x230a, false },
	{ "lowast", 0x2217, false }, { "lowbar", 0x5f, false },
	{ "loz", 0x25ca, false }, { "lpar", 0x28, false },
	{ "lrm", 0x200e, false }, { "lsaquo", 0x2039, false },
	{ "lsqb", 0x5b, false }, { "lsquo", 0x2018, false },
	{ "lt", 0x3c, true }, { "macr", 0xaf, true },
	{ "mdash", 0x2014, false }, { "micro", 0xb5, true },
	{ "middot", 0xb7, true }, { "minus", 0x2212, false },
	{ "mu", 0x3bc, false }, { "nabla", 0x2207, false },
	{ "nbsp", 0xa0, true }, { "ndash", 0x2013, false },
	{ "ne", 0x2260, false }, { "ni", 0x220b, false }, { "not", 0xac, true },
	{ "notin", 0x2209, false }, { "nsub", 0x2284, false },
	{ "ntilde", 0xf1, true }, { "nu", 0x3bd, false },
	{ "num", 0x23, false }, { "oacute", 0xf3, true },
	{ "ocirc", 0xf4, true }, { "oelig", 0x153, false },
	{ "ograve", 0xf2, true }, { "oline", 0x203e, false },
	{ "omega", 0x3c9, false }, { "omicron", 0x3bf, false },
	{ "oplus", 0x2295, false }, { "or", 0x2228, false },
	{ "ordf", 0xaa, true }, { "ordm", 0xba, true },
	{ "oslash", 0xf8, true }, { "otilde", 0xf5, true },
	{ "otimes", 0x2297, false }, { "ouml", 0xf6, true },
	{ "para", 0xb6, true }, { "part", 0x2202, false },
	{ "percnt", 0x25, false }, { "period", 0x2e, false },
	{ "permil", 0x2030, false }, { "perp", 0x22a5, false },
	{ "phi", 0x3c6, false }, { "pi", 0x3c0, false },
	{ "piv", 0x3d6, false }, { "plus", 0x2b, false },
	{ "plusmn", 0xb1, true }, { "pound", 0xa3, true },
	{ "prime", 0x2032, false }, { "prod", 0x220f, false },
	{ "prop", 0x221d, false }, { "psi", 0x3c8, false },
	{ "quest", 0x3f, false }, { "quot", 0x22, true },
	{ "rArr", 0x21d2, false }, { "radic", 0x221a, false },
	{ "rang", 0x232a, false }, { "raquo", 0xbb, true },
	{ "rarr", 0x2192, false }, { "rceil", 0x2309, false },
	{ "rcub", 0x7d, false }, { "rdquo", 0x201d, false },
	{ "real", 0x211c, false }, { "reg", 0xae, true },
	{ "rfloor", 0x230b, false }, { "rho", 0x3c1, false },
	{ "rlm", 0x200f, false }, { "rpar", 0x29, false },
	{ "rsaquo", 0x203a, false }, { "rsqb", 0x5d, false },
	{ "rsquo", 0x2019, false }, { "sbquo", 0x201a, false },
	{ "scaron", 0x161, false }, { "sdot", 0x22c5, false },
	{ "sect", 0xa7, true }, { "semi", 0x3b, false }, { "shy", 0xad, true },
	{ "sigma", 0x3c3, false }, { "sigmaf", 0x3c2, false },
	{ "sim", 0x223c, false }, { "sol", 0x2f, false },
	{ "spades", 0x2660, false }, { "sub", 0x2282, false },
	{ "sube", 0x2286, false }, { "sum", 0x2211, false },
	{ "sup", 0x2283, false }, { "sup1", 0xb9, true },
	{ "sup2", 0xb2, true }, { "sup3", 0xb3, true },
	{ "supe", 0x2287, false }, { "szlig", 0xdf, true },
	{ "tau", 0x3c4, false }, { "there4", 0x2234, false },
	{ "theta", 0x3b8, false }, { "thetasym", 0x3d1, false },
	{ "thinsp", 0x2009, false }, { "thorn", 0xfe, true },
	{ "tilde", 0x2dc, false }, { "times", 0xd7, true },
	{ "trade", 0x2122, false }, { "uArr", 0x21d1, false },
	{ "uacute", 0xfa, true }, { "uarr", 0x2191, false },
	{ "ucirc", 0xfb, true }, { "ugrave", 0xf9, true },
	{ "uml", 0xa8, true }, { "upsih", 0x3d2, false },
	{ "upsilon", 0x3c5, false }, { "uuml", 0xfc, true },
	{ "verbar", 0x7c, false }, { "weierp", 0x2118, false },
	{ "xi", 0x3be, false }, { "yacute", 0xfd, true }, { "yen", 0xa5, true },
	{ "yuml", 0xff, true }, { "zeta", 0x3b6, false },
	{ "zwj", 0x200d, false }, { "zwnj", 0x200c, false },
};
#define NENTS (sizeof(ents) / sizeof(ents[0]))

static const struct ent *
ent_find(const char *s, size_t n)
{
	size_t lo = 0, hi = NENTS;

	if (n == 0 || n >= sizeof(ents[0].name))
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(s, ents[mid].name, n);
		if (c == 0 && ents[mid].name[n] != '\0')
			c = -1;
		if (c == 0)
			return &ents[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* windows-1252 for 0x80..0x9f; the five holes keep their C1 value. */
static const uint16_t cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

uint32_t
htmltok_cp1252_c1(uint32_t cp)
{
	if (cp >= 0x80 && cp <= 0x9f && cp1252_c1[cp - 0x80] != 0)
		return cp1252_c1[cp - 0x80];
	return cp;
}

static bool
is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

size_t
htmltok_charref(const char *s, size_t n, bool attr, char *out, size_t *olen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t j = 1, k;

	if (n < 2)
		return 0;
	if (u[1] == '#') {
		uint32_t v = 0;
		bool hex = false;
		size_t d0;
		j = 2;
		if (j < n && (u[j] | 0x20) == 'x') {
			hex = true;
			j++;
		}
		d0 = j;
		for (; j < n; j++) {
			int dv = hex ? url_hexval(u[j]) :
			    (u[j] >= '0' && u[j] <= '9' ? u[j] - '0' : -1);
			if (dv < 0)
				break;
			v = v * (hex ? 16 : 10) + (uint32_t)dv;
			if (v > 0x110000)
				v = 0x110000;
		}
		if (j == d0)
			return 0; /* "&#", "&#x": no reference, kept as text */
		if (j < n && u[j] == ';')
			j++;
		if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			v = 0xfffd;
		*olen = utf8_encode(out, htmltok_cp1252_c1(v));
		return j;
	}
	for (k = 1; k < n && k < 33 && is_alnum(u[k]); k++)
		;
	if (k == 1)
		return 0;
	if (k < n && u[k] == ';') {
		const struct ent *e = ent_find(s + 1, k - 1);
		if (e != NULL) {
			*olen = utf8_encode(out, e->cp);
			return k + 1;
		}
	}
	/* No ';': the longest legacy name that prefixes the run ("&copy",
	 * "&notit" -> "¬it"); in an attribute not when '=' or an
	 * alphanumeric follows ("?a=1&copy=2" stays). */
	for (j = k - 1 < 6 ? k - 1 : 6; j >= 2; j--) {
		const struct ent *e = ent_find(s + 1, j);
		if (e == NULL || !e->legacy)
			continue;
		if (attr && 1 + j < n && (u[1 + j] == '=' || is_alnum(u[1 + j])))
			return 0;
		*olen = utf8_encode(out, e->cp);
		return 1 + j;
	}
	return 0;
}

/* ---- UTF-8 ---- */

/* The length of the valid UTF-8 sequence at p (p[0] >= 0x80), 0 when
 * there is none. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n = (size_t)(end - p);

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* The bytes one U+FFFD replaces at p (no valid sequence there): the
 * maximal subpart of a sequence, as the WHATWG decoder reads it. */
static size_t
utf8_bad(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 1;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i <= need && p + i < end; i++) {
		if (p[i] < lo || p[i] > hi)
			break;
		lo = 0x80;
		hi = 0xbf;
	}
	return i;
}

static const char fffd[] = "\xef\xbf\xbd";

/* ---- set-up ---- */

void
htmltok_init(struct htmltok *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->scratch, 0);
}

void
htmltok_fini(struct htmltok *t)
{
	buf_fini(&t->scratch);
}

void
htmltok_reset(struct htmltok *t, const char *s, size_t n)
{
	htmltok_reset_utf8(t, s, n, utf8_valid(s, n));
}

void
htmltok_reset_utf8(struct htmltok *t, const char *s, size_t n, bool utf8)
{
	/* Only what is read before it is written (the attribute array is
	 * 2 KiB, and fragments are often short). */
	t->type = HTMLTOK_EOF;
	t->text = NULL;
	t->len = 0;
	t->raw = false;
	t->name[0] = '\0';
	t->nlen = 0;
	t->name_long = false;
	t->self_closing = false;
	t->nattrs = 0;
	t->err = RC_OK;
	t->rawlen = 0;
	t->utf8 = utf8;
	buf_clear(&t->scratch);
	/* Names and values of one tag: at most 3 bytes out per byte in
	 * (U+FFFD for one), plus a NUL per name and value. */
	t->scratch.max = n * 3 + 2 * 2 * HTMLTOK_MAX_ATTRS + 64;
	t->p = s;
	t->end = s + n;
	t->mode = M_DATA;
}

/* ---- text ---- */

/* Byte classes in text: 1 '<', 2 '&', 3 NUL, 4 non-ASCII. */
static const unsigned char text_cls[256] = {
	[0] = 3, ['<'] = 1, ['&'] = 2,
	[0x80 ... 0xff] = 4,
};
/* The same for input known to be UTF-8: non-ASCII bytes pass. */
static const unsigned char text_cls_utf8[256] = {
	[0] = 3, ['<'] = 1, ['&'] = 2,
};

static bool
tag_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* True when p starts the end tag that closes the raw text element. */
static bool
raw_end(const struct htmltok *t, const char *p)
{
	size_t left = (size_t)(t->end - p);

	return left >= t->rawlen + 3 && p[1] == '/' &&
	    strncasecmp(p + 2, t->rawname, t->rawlen) == 0 &&
	    (tag_ws((unsigned char)p[2 + t->rawlen]) || p[2 + t->rawlen] == '/' ||
	    p[2 + t->rawlen] == '>');
}

/* True when the '<' at p opens markup in the data state. */
static bool
markup_start(const struct htmltok *t, const char *p)
{
	unsigned char c;

	if (p + 1 >= t->end)
		return false;
	c = (unsigned char)p[1];
	if (c == '!')
		/* "<!--", "<!DOCTYPE", "<!ELEMENT ...": markup. "<![CDATA[",
		 * "<!'", "<! ": text, as libxml2 and feedparser read them
		 * (browsers: a bogus comment up to the next '>'). */
		return (p + 3 < t->end && p[2] == '-' && p[3] == '-') ||
		    (p + 2 < t->end && is_alpha((unsigned char)p[2]));
	return is_alpha(c) || c == '/' || c == '?';
}

static enum htmltok_type
text_token(struct htmltok *t, const char *s, size_t n)
{
	t->type = HTMLTOK_TEXT;
	t->text = s;
	t->len = n;
	t->raw = t->mode != M_DATA;
	return HTMLTOK_TEXT;
}

/* The bytes text_cls does not pass (bytevec_span). */
static bytevec_mask
text_stops(bytevec v)
{
	return (v == '<') | (v == '&') | (v == 0) | bytevec_high(v);
}

/* The bytes text_cls_utf8 does not pass. */
static bytevec_mask
text_stops_utf8(bytevec v)
{
	return (v == '<') | (v == '&') | (v == 0);
}

/* Text from t->p: a run of input bytes, or one decoded character. */
static enum htmltok_type
scan_text(struct htmltok *t)
{
	const unsigned char *p = (const unsigned char *)t->p;
	const unsigned char *end = (const unsigned char *)t->end;
	const unsigned char *start = p;
	size_t n;

	while (p < end) {
		unsigned char cls;
		/* Checked UTF-8 (htmltok_reset) needs no look at each
		 * non-ASCII character: the scan stops at markup only. */
		if (t->utf8)
			p += bytevec_span(p, (size_t)(end - p), text_cls_utf8,
			    text_stops_utf8);
		else
			p += bytevec_span(p, (size_t)(end - p), text_cls,
			    text_stops);
		if (p >= end)
			break;
		cls = text_cls[*p];
		if (cls == 1) {
			if (t->mode == M_DATA ? markup_start(t, (const char *)p) :
			    t->mode != M_PLAINTEXT && raw_end(t, (const char *)p))
				break;
			p++;
			continue;
		}
		if (cls == 2) {
			if (t->mode == M_DATA || t->mode == M_RCDATA) {
				if (p > start)
					break;
				n = htmltok_charref((const char *)p, (size_t)(end - p),
				    false, t->ref, &t->len);
				if (n > 0) {
					t->p = (const char *)p + n;
					text_token(t, t->ref, t->len);
					return HTMLTOK_TEXT;
				}
			}
			p++;
			continue;
		}
		if (cls == 4) {
			n = utf8_seq(p, end);
			if (n > 0) {
				p += n;
				continue;
			}
		}
		/* NUL or bad bytes: U+FFFD, as a token of its own; NUL in
		 * the data state is dropped (browsers ignore it in body). */
		if (p > start)
			break;
		if (*p == 0 && t->mode == M_DATA) {
			start = ++p;
			continue;
		}
		t->p = (const char *)p + (*p == 0 ? 1 : utf8_bad(p, end));
		return text_token(t, fffd, 3);
	}
	/* Empty only after dropped NULs. */
	t->p = (const char *)p;
	return text_token(t, (const char *)start, (size_t)(p - start));
}

/* ---- tags ---- */

static bool
scratch_put(struct htmltok *t, const void *p, size_t n)
{
	if (t->err != RC_OK)
		return false;
	if (buf_append(&t->scratch, p, n) != RC_OK) {
		t->err = RC_NOMEM;
		return false;
	}
	return true;
}

/* Copies the character at *pp (p[0] >= 0x80, or NUL) to the scratch:
 * a valid UTF-8 sequence as it is, NUL or bad bytes as U+FFFD. */
static void
scratch_char(struct htmltok *t, const unsigned char **pp,
    const unsigned char *end)
{
	const unsigned char *p = *pp;
	size_t n = *p == 0 ? 0 : utf8_seq(p, end);

	if (n > 0) {
		scratch_put(t, p, n);
		*pp = p + n;
		return;
	}
	scratch_put(t, fffd, 3);
	*pp = p + (*p == 0 ? 1 : utf8_bad(p, end));
}

/* Bytes of names: 0 copied, 1 copied lower-cased (A-Z), 2 ends the name
 * (white space, '/', '>'), 3 '=', 4 NUL or non-ASCII. */
static const unsigned char name_cls[256] = {
	[0] = 4, ['\t'] = 2, ['\n'] = 2, ['\f'] = 2, ['\r'] = 2, [' '] = 2,
	['/'] = 2, ['>'] = 2, ['='] = 3,
	['A'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1,
	[0x80 ... 0xff] = 4,
};

/* Appends the run p[0..n) of ASCII name bytes, lower-cased when upper
 * says it holds capitals. */
static void
scratch_name_run(struct htmltok *t, const unsigned char *p, size_t n,
    bool upper)
{
	char *d;
	size_t i;

	if (!scratch_put(t, p, n) || !upper)
		return;
	d = t->scratch.data + t->scratch.len - n;
	for (i = 0; i < n; i++) {
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] | 0x20);
	}
}

/* Reads a tag or attribute name at t->p (ends at white space, '/', '>',
 * and for attributes also at a '=' that is not the first character).
 * Lower-cased into the scratch buffer from its current end; NUL and bad
 * bytes become U+FFFD. Returns the length read into the scratch. */
static size_t
scan_name(struct htmltok *t, bool attr)
{
	const unsigned char *p = (const unsigned char *)t->p;
	const unsigned char *end = (const unsigned char *)t->end;
	const unsigned char *first = p;
	size_t start = t->scratch.len;

	while (p < end) {
		const unsigned char *run = p;
		unsigned cls = 0, upper = 0;
		/* Most names are runs of plain ASCII: copied in one piece. */
		while (p < end && (cls = name_cls[*p]) <= 1) {
			upper |= cls;
			p++;
		}
		if (p > run)
			scratch_name_run(t, run, (size_t)(p - run), upper != 0);
		if (p >= end || cls == 2 || (cls == 3 && attr && p != first))
			break;
		if (cls == 3) {
			scratch_put(t, p, 1);
			p++;
		} else {
			scratch_char(t, &p, end);
		}
	}
	t->p = (const char *)p;
	return t->scratch.len - start;
}

/* Bytes that end a run of attribute value: V_ALL ('&', NUL, non-ASCII)
 * in every value, the others by the way it is quoted. */
enum { V_ALL = 1, V_DQ = 2, V_SQ = 4, V_UNQ = 8 };
static const unsigned char value_cls[256] = {
	[0] = V_ALL, ['&'] = V_ALL, ['"'] = V_DQ, ['\''] = V_SQ,
	['\t'] = V_UNQ, ['\n'] = V_UNQ, ['\f'] = V_UNQ, ['\r'] = V_UNQ,
	[' '] = V_UNQ, ['>'] = V_UNQ,
	[0x80] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Reads an attribute value at t->p into the scratch (decoded): quoted by
 * q, or unquoted (q == 0). False at the end of the input. */
static bool
scan_value(struct htmltok *t, char q)
{
	const unsigned char *p = (const unsigned char *)t->p;
	const unsigned char *end = (const unsigned char *)t->end;
	unsigned stop = V_ALL | (q == '"' ? V_DQ : q == '\'' ? V_SQ : V_UNQ);

	while (p < end) {
		const unsigned char *run = p;
		while (p < end && !(value_cls[*p] & stop))
			p++;
		if (p > run)
			scratch_put(t, run, (size_t)(p - run));
		if (p >= end)
			break;
		if (!(value_cls[*p] & V_ALL)) {
			t->p = (const char *)p + (q != 0);
			return true;
		}
		if (*p == '&') {
			char out[8];
			size_t olen, n;
			n = htmltok_charref((const char *)p, (size_t)(end - p), true,
			    out, &olen);
			if (n > 0) {
				scratch_put(t, out, olen);
				p += n;
			} else {
				scratch_put(t, p, 1);
				p++;
			}
		} else {
			scratch_char(t, &p, end);
		}
	}
	t->p = (const char *)p;
	return false;
}

static const struct {
	const char *name;
	size_t len;
	int mode;
} raw_elems[] = {
	{ "script", 6, M_RAWTEXT }, { "style", 5, M_RAWTEXT },
	{ "xmp", 3, M_RAWTEXT }, { "iframe", 6, M_RAWTEXT },
	{ "noembed", 7, M_RAWTEXT }, { "noframes", 8, M_RAWTEXT },
	{ "noscript", 8, M_RAWTEXT }, { "textarea", 8, M_RCDATA },
	{ "title", 5, M_RCDATA }, { "plaintext", 9, M_PLAINTEXT },
};
/* Bit n set when a name above is n bytes long (a quick no for most). */
#define RAW_LENS (1u << 3 | 1u << 5 | 1u << 6 | 1u << 7 | 1u << 8 | 1u << 9)

/* The tag name at t->p into t->name (cut at HTMLTOK_MAX_NAME, name_long
 * set). Plain ASCII names, nearly all, are copied directly; the others go
 * through scan_name. False on no memory. */
static bool
scan_tag_name(struct htmltok *t)
{
	const unsigned char *p = (const unsigned char *)t->p;
	size_t left = (size_t)(t->end - t->p), n = 0;
	unsigned cls;

	while (n < left && n < HTMLTOK_MAX_NAME &&
	    (cls = name_cls[p[n]]) <= 1) {
		t->name[n] = (char)(cls == 1 ? p[n] | 0x20 : p[n]);
		n++;
	}
	if (n < left && name_cls[p[n]] == 2) {
		t->p += n;
	} else {
		n = scan_name(t, false);
		if (t->err != RC_OK)
			return false;
		if (n > HTMLTOK_MAX_NAME) {
			t->name_long = true;
			n = HTMLTOK_MAX_NAME;
		}
		memcpy(t->name, t->scratch.data, n);
		buf_clear(&t->scratch);
	}
	t->name[n] = '\0';
	t->nlen = n;
	return true;
}

static void
skip_tag_ws(struct htmltok *t)
{
	while (t->p < t->end && tag_ws((unsigned char)*t->p))
		t->p++;
}

/* After an attribute's name: "= value" if there is one, the value into
 * the scratch. False when the input ends inside it. */
static bool
scan_attr_value(struct htmltok *t)
{
	skip_tag_ws(t);
	if (t->p >= t->end || *t->p != '=')
		return true;
	t->p++;
	skip_tag_ws(t);
	if (t->p >= t->end)
		return false;
	if (*t->p == '"' || *t->p == '\'') {
		char q = *t->p++;
		return scan_value(t, q);
	}
	return *t->p == '>' || scan_value(t, 0);
}

/* Whether the attribute name of an bytes at scratch offset `mark` is
 * none of the tag's earlier ones (names at noff): the first one wins. */
static bool
attr_is_new(const struct htmltok *t, const size_t *noff, size_t mark,
    size_t an)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++) {
		if (noff[i] + an < t->scratch.len &&
		    memcmp(t->scratch.data + noff[i],
		    t->scratch.data + mark, an + 1) == 0)
			return false;
	}
	return true;
}

/* A start tag of a raw-text element (script, style, ...) switches the
 * tokenizer to that element's mode until its end tag. */
static void
enter_raw_mode(struct htmltok *t)
{
	size_t i;

	if (t->name_long || t->nlen >= 16 || !(RAW_LENS >> t->nlen & 1) ||
	    (t->self_closing && t->xml_selfclose))
		return;
	for (i = 0; i < sizeof(raw_elems) / sizeof(raw_elems[0]); i++) {
		if (t->nlen == raw_elems[i].len &&
		    memcmp(t->name, raw_elems[i].name, t->nlen) == 0) {
			t->mode = raw_elems[i].mode;
			memcpy(t->rawname, t->name, t->nlen + 1);
			t->rawlen = t->nlen;
			return;
		}
	}
}

/*
 * A tag at t->p (just past "<" or "</"). Returns false when the input
 * ends inside it (the tag is dropped).
 */
static bool
scan_tag(struct htmltok *t, bool end_tag)
{
	size_t i;
	/* Offsets into the scratch, made pointers once the tag is read (the
	 * buffer may move while it grows). */
	size_t noff[HTMLTOK_MAX_ATTRS], voff[HTMLTOK_MAX_ATTRS];

	buf_clear(&t->scratch);
	t->nattrs = 0;
	t->self_closing = false;
	t->name_long = false;
	if (!scan_tag_name(t))
		return false;

	for (;;) {
		size_t mark, an, vn;
		bool keep;

		skip_tag_ws(t);
		if (t->p >= t->end)
			return false;
		if (*t->p == '>') {
			t->p++;
			break;
		}
		if (*t->p == '/') {
			t->p++;
			if (t->p < t->end && *t->p == '>') {
				t->self_closing = !end_tag;
				t->p++;
				break;
			}
			continue;
		}
		/* An attribute: name, then maybe "= value". */
		mark = t->scratch.len;
		an = scan_name(t, true);
		scratch_put(t, "", 1);
		keep = !end_tag && an <= HTMLTOK_MAX_NAME &&
		    t->nattrs < HTMLTOK_MAX_ATTRS && attr_is_new(t, noff, mark, an);
		vn = t->scratch.len;
		if (!scan_attr_value(t))
			return false;
		scratch_put(t, "", 1);
		if (t->err != RC_OK)
			return false;
		if (!keep) {
			t->scratch.len = mark;
			continue;
		}
		noff[t->nattrs] = mark;
		voff[t->nattrs] = vn;
		t->attrs[t->nattrs].nlen = an;
		t->attrs[t->nattrs].vlen = t->scratch.len - vn - 1;
		t->nattrs++;
	}
	if (t->err != RC_OK)
		return false;
	for (i = 0; i < t->nattrs; i++) {
		t->attrs[i].name = t->scratch.data + noff[i];
		t->attrs[i].value = t->scratch.data + voff[i];
	}
	t->type = end_tag ? HTMLTOK_END : HTMLTOK_START;
	if (!end_tag)
		enter_raw_mode(t);
	return true;
}

/* A comment or bogus comment body from t->p up to `close` (or the end). */
static enum htmltok_type
comment_until(struct htmltok *t, const char *close, enum htmltok_type type)
{
	size_t cl = strlen(close), left = (size_t)(t->end - t->p);
	const char *e = cl == 1 ? memchr(t->p, close[0], left) :
	    memmem(t->p, left, close, cl);

	t->type = type;
	t->text = t->p;
	if (e == NULL) {
		t->len = left;
		t->p = t->end;
	} else {
		t->len = (size_t)(e - t->p);
		t->p = e + cl;
	}
	return type;
}

/* "<!--" seen, t->p after it. Ends at "-->", "--!>", or at once for
 * "<!-->" and "<!--->". */
static enum htmltok_type
scan_comment(struct htmltok *t)
{
	const char *p = t->p, *end = t->end, *e;

	t->type = HTMLTOK_COMMENT;
	t->text = p;
	t->len = 0;
	if (p < end && *p == '>') {
		t->p = p + 1;
		return HTMLTOK_COMMENT;
	}
	if (end - p >= 2 && p[0] == '-' && p[1] == '>') {
		t->p = p + 2;
		return HTMLTOK_COMMENT;
	}
	for (e = p; (e = memchr(e, '-', (size_t)(end - e))) != NULL; e++) {
		if (end - e >= 3 && e[1] == '-' && e[2] == '>') {
			t->len = (size_t)(e - p);
			t->p = e + 3;
			return HTMLTOK_COMMENT;
		}
		if (end - e >= 4 && e[1] == '-' && e[2] == '!' && e[3] == '>') {
			t->len = (size_t)(e - p);
			t->p = e + 4;
			return HTMLTOK_COMMENT;
		}
	}
	t->len = (size_t)(end - p);
	t->p = end;
	return HTMLTOK_COMMENT;
}

enum htmltok_type
htmltok_next(struct htmltok *t)
{
	for (;;) {
		const char *p = t->p;
		size_t left = (size_t)(t->end - p);

		t->raw = false;
		if (t->err != RC_OK || left == 0)
			return t->type = HTMLTOK_EOF;
		if (t->mode != M_DATA) {
			if (t->mode == M_PLAINTEXT || *p != '<' || !raw_end(t, p))
				return scan_text(t);
			/* The end tag of the raw text element. */
			t->mode = M_DATA;
			t->p = p + 2;
			if (!scan_tag(t, true)) {
				t->p = t->end;
				return t->type = HTMLTOK_EOF;
			}
			return HTMLTOK_END;
		}
		if (*p != '<' || !markup_start(t, p))
			return scan_text(t);
		if (is_alpha((unsigned char)p[1]) ||
		    (p[1] == '/' && left > 2 && is_alpha((unsigned char)p[2]))) {
			bool end_tag = p[1] == '/';
			t->p = p + (end_tag ? 2 : 1);
			if (!scan_tag(t, end_tag)) {
				t->p = t->end;
				return t->type = HTMLTOK_EOF;
			}
			return t->type;
		}
		if (p[1] == '/') {
			if (left == 2) {
				/* "</" at the end: text. */
				t->p = t->end;
				return text_token(t, p, 2);
			}
			if (p[2] == '>') {
				t->p = p + 3; /* "</>": nothing */
				continue;
			}
			t->p = p + 2;
			return comment_until(t, ">", HTMLTOK_COMMENT);
		}
		if (p[1] == '?') {
			t->p = p + 1;
			return comment_until(t, ">", HTMLTOK_COMMENT);
		}
		/* "<!" */
		if (left >= 4 && p[2] == '-' && p[3] == '-') {
			t->p = p + 4;
			return scan_comment(t);
		}
		if (left >= 9 && strncasecmp(p + 2, "doctype", 7) == 0) {
			t->p = p + 9;
			return comment_until(t, ">", HTMLTOK_DOCTYPE);
		}
		/* "<!" and a letter: a bogus comment up to the first '>'. */
		t->p = p + 2;
		return comment_until(t, ">", HTMLTOK_COMMENT);
	}
}

/* sanitize: allow-list HTML sanitizer fed by htmltok (tokenizer) with a
 * small tree builder of its own. */
#include "widgets/feeds/sanitize.h"
#include "widgets/feeds/htmltok.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/url.h"
#include "util/urlres.h"
#include "widgets/feeds/bytevec.h"

static void tables_init(void);
static void text_tbl_init(void);

/* ---- process-wide set-up ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	tables_init();
}

void
sanitize_global_init(void)
{
	pthread_once(&init_once, global_init);
}

/* ---- policy tables ---- */

enum {
	E_ALLOW = 0x1,   /* emitted (with filtered attributes) */
	E_VOID = 0x2,    /* no end tag */
	E_DROP = 0x4,    /* dropped with everything inside */
	E_BLOCK = 0x8,   /* a line break in plain text */
	/* Dropped tag, but what follows stays: void in HTML5 (embed, input,
	 * link, meta, param, ...), or fallback content (object, applet)
	 * whose own dangerous children are dropped anyway. */
	E_VOIDDROP = 0x10,
	/* Tree structure (how HTML5 builds the tree), not policy: */
	S_PCLOSE = 0x100,   /* its start tag closes an open p */
	S_SCOPE = 0x200,    /* end tags do not reach past it */
	S_HEADING = 0x400,  /* h1..h6 */
	S_VOID = 0x800,     /* no content, no end tag (HTML5 void) */
	S_FOREIGN = 0x1000, /* svg, math: "/>" closes */
	S_SPECIAL = 0x2000, /* HTML5 "special": li/dd/dt do not close past */
	S_TABLE = 0x4000,   /* table parts */
	S_IGNORE = 0x8000,  /* html, head, body: tags ignored in a fragment */
	S_IMPLY = 0x10000,  /* li, dd, dt, a, option, optgroup: close their
	                     * open predecessor */
};

struct elem {
	const char *name;
	unsigned flags;
};

/* Elements not listed lose their tags and keep their content. */
static const struct elem elems[] = {
	{ "a", E_ALLOW | S_IMPLY },
	{ "abbr", E_ALLOW },
	{ "acronym", E_ALLOW },
	{ "address", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "applet", E_VOIDDROP | S_SCOPE | S_SPECIAL },
	{ "area", S_VOID | S_SPECIAL },
	{ "article", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "aside", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "audio", E_ALLOW },
	{ "b", E_ALLOW },
	{ "base", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "basefont", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "bdi", E_ALLOW },
	{ "bdo", E_ALLOW },
	{ "bgsound", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "big", E_ALLOW },
	{ "blockquote", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "body", S_SPECIAL | S_IGNORE },
	{ "br", E_ALLOW | E_VOID | E_BLOCK | S_VOID | S_SPECIAL },
	{ "button", E_DROP | S_SPECIAL },
	{ "canvas", E_DROP },
	{ "caption", E_ALLOW | E_BLOCK | S_SCOPE | S_SPECIAL | S_TABLE },
	{ "center", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "cite", E_ALLOW },
	{ "code", E_ALLOW },
	{ "col", E_ALLOW | E_VOID | S_VOID | S_SPECIAL },
	{ "colgroup", E_ALLOW | S_SPECIAL | S_TABLE },
	{ "datalist", E_DROP },
	{ "dd", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL | S_IMPLY },
	{ "del", E_ALLOW },
	{ "details", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "dfn", E_ALLOW },
	{ "dialog", S_PCLOSE },
	{ "dir", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "div", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "dl", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "dt", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL | S_IMPLY },
	{ "em", E_ALLOW },
	{ "embed", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "fieldset", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "figcaption", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "figure", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "font", E_ALLOW },
	{ "footer", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "form", S_PCLOSE | S_SPECIAL },
	{ "frame", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "frameset", E_DROP | S_SPECIAL },
	{ "h1", E_ALLOW | E_BLOCK | S_PCLOSE | S_HEADING | S_SPECIAL },
	{ "h2", E_ALLOW | E_BLOCK | S_PCLOSE | S_HEADING | S_SPECIAL },
	{ "h3", E_ALLOW | E_BLOCK | S_PCLOSE | S_HEADING | S_SPECIAL },
	{ "h4", E_ALLOW | E_BLOCK | S_PCLOSE | S_HEADING | S_SPECIAL },
	{ "h5", E_ALLOW | E_BLOCK | S_PCLOSE | S_HEADING | S_SPECIAL },
	{ "h6", E_ALLOW | E_BLOCK | S_PCLOSE | S_HEADING | S_SPECIAL },
	{ "head", E_DROP | S_SPECIAL | S_IGNORE },
	{ "header", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "hgroup", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "hr", E_ALLOW | E_VOID | E_BLOCK | S_PCLOSE | S_VOID | S_SPECIAL },
	{ "html", S_SCOPE | S_SPECIAL | S_IGNORE },
	{ "i", E_ALLOW },
	{ "iframe", E_DROP | S_SPECIAL },
	{ "image", S_VOID },
	{ "img", E_ALLOW | E_VOID | S_VOID | S_SPECIAL },
	{ "input", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "ins", E_ALLOW },
	{ "isindex", E_VOIDDROP | S_VOID },
	{ "kbd", E_ALLOW },
	{ "keygen", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "label", E_ALLOW },
	{ "legend", E_ALLOW | E_BLOCK },
	{ "li", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL | S_IMPLY },
	{ "link", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "listing", E_DROP | S_PCLOSE | S_SPECIAL },
	{ "main", S_PCLOSE | S_SPECIAL },
	{ "map", E_DROP },
	{ "mark", E_ALLOW },
	{ "marquee", S_SCOPE | S_SPECIAL },
	{ "math", E_DROP | S_FOREIGN },
	{ "menu", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "meta", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "meter", E_DROP },
	{ "nav", S_PCLOSE | S_SPECIAL },
	{ "nobr", E_ALLOW },
	{ "noembed", E_DROP | S_SPECIAL },
	{ "noframes", E_DROP | S_SPECIAL },
	{ "noscript", E_DROP | S_SPECIAL },
	{ "object", E_VOIDDROP | S_SCOPE | S_SPECIAL },
	{ "ol", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "optgroup", E_DROP | S_IMPLY },
	{ "option", E_DROP | S_IMPLY },
	{ "output", E_DROP },
	{ "p", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "param", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "picture", E_ALLOW },
	{ "plaintext", E_DROP | S_PCLOSE | S_SPECIAL },
	{ "portal", E_DROP },
	{ "pre", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "progress", E_DROP },
	{ "q", E_ALLOW },
	{ "rp", E_ALLOW },
	{ "rt", E_ALLOW },
	{ "ruby", E_ALLOW },
	{ "s", E_ALLOW },
	{ "samp", E_ALLOW },
	{ "script", E_DROP | S_SPECIAL },
	{ "section", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "select", E_DROP | S_SPECIAL },
	{ "slot", E_DROP },
	{ "small", E_ALLOW },
	{ "source", E_ALLOW | E_VOID | S_VOID | S_SPECIAL },
	{ "span", E_ALLOW },
	{ "strike", E_ALLOW },
	{ "strong", E_ALLOW },
	{ "style", E_DROP | S_SPECIAL },
	{ "sub", E_ALLOW },
	{ "summary", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "sup", E_ALLOW },
	{ "svg", E_DROP | S_FOREIGN },
	{ "table", E_ALLOW | E_BLOCK | S_PCLOSE | S_SCOPE | S_SPECIAL | S_TABLE },
	{ "tbody", E_ALLOW | S_SPECIAL | S_TABLE },
	{ "td", E_ALLOW | E_BLOCK | S_SCOPE | S_SPECIAL | S_TABLE },
	{ "template", E_DROP | S_SCOPE | S_SPECIAL },
	{ "textarea", E_DROP | S_SPECIAL },
	{ "tfoot", E_ALLOW | S_SPECIAL | S_TABLE },
	{ "th", E_ALLOW | E_BLOCK | S_SCOPE | S_SPECIAL | S_TABLE },
	{ "thead", E_ALLOW | S_SPECIAL | S_TABLE },
	{ "time", E_ALLOW },
	{ "title", E_DROP | S_SPECIAL },
	{ "tr", E_ALLOW | E_BLOCK | S_SPECIAL | S_TABLE },
	{ "track", E_VOIDDROP | S_VOID | S_SPECIAL },
	{ "tt", E_ALLOW },
	{ "u", E_ALLOW },
	{ "ul", E_ALLOW | E_BLOCK | S_PCLOSE | S_SPECIAL },
	{ "var", E_ALLOW },
	{ "video", E_ALLOW },
	{ "wbr", E_ALLOW | E_VOID | S_VOID | S_SPECIAL },
	{ "xml", E_DROP },
	{ "xmp", E_DROP | S_PCLOSE | S_SPECIAL },
};

enum attr_kind {
	A_PLAIN,   /* copied (length-capped) */
	A_LANG,    /* lang, xml:lang -> lang */
	A_HREF,    /* link target: http, https, mailto */
	A_SRC,     /* media source: http, https (+ data images on img) */
	A_SRCSET,  /* list of image candidates */
	A_POSTER,  /* video poster image */
	A_CITE,    /* quotation source: http, https */
	A_STYLE,   /* filtered CSS */
};

struct attr {
	const char *name;
	enum attr_kind kind;
	const char *only;  /* space-separated elements it may sit on, or NULL */
};

/*
 * feedparser's allow-list minus
 * what can reach outside the fragment: on* handlers; id, name (DOM
 * clobbering of the host page); class (host page styles); for, form,
 * list, usemap, datasrc, datafld (point at host page elements);
 * accesskey, tabindex, autofocus, contenteditable, draggable (keyboard,
 * focus and editing hijacks); target, rel (set by policy); ping,
 * background, dynsrc, lowsrc, longdesc, icon, vrml, data, action (URLs
 * nobody needs, some of them trackers). URL attributes are kept only on
 * the elements that use them, and only with a safe scheme.
 */
static const struct attr attrs[] = {
	{ "abbr", A_PLAIN, NULL },
	{ "accept", A_PLAIN, NULL },
	{ "accept-charset", A_PLAIN, NULL },
	{ "align", A_PLAIN, NULL },
	{ "alt", A_PLAIN, NULL },
	{ "autocomplete", A_PLAIN, NULL },
	{ "axis", A_PLAIN, NULL },
	{ "balance", A_PLAIN, NULL },
	{ "bgcolor", A_PLAIN, NULL },
	{ "bgproperties", A_PLAIN, NULL },
	{ "border", A_PLAIN, NULL },
	{ "bordercolor", A_PLAIN, NULL },
	{ "bordercolordark", A_PLAIN, NULL },
	{ "bordercolorlight", A_PLAIN, NULL },
	{ "bottompadding", A_PLAIN, NULL },
	{ "cellpadding", A_PLAIN, NULL },
	{ "cellspacing", A_PLAIN, NULL },
	{ "ch", A_PLAIN, NULL },
	{ "challenge", A_PLAIN, NULL },
	{ "char", A_PLAIN, NULL },
	{ "charoff", A_PLAIN, NULL },
	{ "charset", A_PLAIN, NULL },
	{ "checked", A_PLAIN, NULL },
	{ "choff", A_PLAIN, NULL },
	{ "cite", A_CITE, "blockquote q del ins" },
	{ "clear", A_PLAIN, NULL },
	{ "color", A_PLAIN, NULL },
	{ "cols", A_PLAIN, NULL },
	{ "colspan", A_PLAIN, NULL },
	{ "compact", A_PLAIN, NULL },
	{ "controls", A_PLAIN, "audio video" },
	{ "coords", A_PLAIN, NULL },
	{ "datapagesize", A_PLAIN, NULL },
	{ "datetime", A_PLAIN, NULL },
	{ "default", A_PLAIN, NULL },
	{ "delay", A_PLAIN, NULL },
	{ "dir", A_PLAIN, NULL },
	{ "disabled", A_PLAIN, NULL },
	{ "enctype", A_PLAIN, NULL },
	{ "end", A_PLAIN, NULL },
	{ "face", A_PLAIN, NULL },
	{ "frame", A_PLAIN, NULL },
	{ "galleryimg", A_PLAIN, NULL },
	{ "gutter", A_PLAIN, NULL },
	{ "headers", A_PLAIN, NULL },
	{ "height", A_PLAIN, NULL },
	{ "hidden", A_PLAIN, NULL },
	{ "hidefocus", A_PLAIN, NULL },
	{ "high", A_PLAIN, NULL },
	{ "href", A_HREF, "a" },
	{ "hreflang", A_PLAIN, NULL },
	{ "hspace", A_PLAIN, NULL },
	{ "inputmode", A_PLAIN, NULL },
	{ "ismap", A_PLAIN, NULL },
	{ "keytype", A_PLAIN, NULL },
	{ "label", A_PLAIN, NULL },
	{ "lang", A_LANG, NULL },
	{ "leftspacing", A_PLAIN, NULL },
	{ "loop", A_PLAIN, "audio video" },
	{ "loopcount", A_PLAIN, NULL },
	{ "loopend", A_PLAIN, NULL },
	{ "loopstart", A_PLAIN, NULL },
	{ "low", A_PLAIN, NULL },
	{ "max", A_PLAIN, NULL },
	{ "maxlength", A_PLAIN, NULL },
	{ "media", A_PLAIN, "source" },
	{ "method", A_PLAIN, NULL },
	{ "min", A_PLAIN, NULL },
	{ "multiple", A_PLAIN, NULL },
	{ "muted", A_PLAIN, "audio video" },
	{ "nohref", A_PLAIN, NULL },
	{ "noshade", A_PLAIN, NULL },
	{ "nowrap", A_PLAIN, NULL },
	{ "open", A_PLAIN, "details" },
	{ "optimum", A_PLAIN, NULL },
	{ "pattern", A_PLAIN, NULL },
	{ "point-size", A_PLAIN, NULL },
	{ "poster", A_POSTER, "video" },
	{ "pqg", A_PLAIN, NULL },
	{ "preload", A_PLAIN, "audio video" },
	{ "prompt", A_PLAIN, NULL },
	{ "radiogroup", A_PLAIN, NULL },
	{ "readonly", A_PLAIN, NULL },
	{ "repeat-max", A_PLAIN, NULL },
	{ "repeat-min", A_PLAIN, NULL },
	{ "replace", A_PLAIN, NULL },
	{ "required", A_PLAIN, NULL },
	{ "rev", A_PLAIN, NULL },
	{ "reversed", A_PLAIN, "ol" },
	{ "rightspacing", A_PLAIN, NULL },
	{ "rows", A_PLAIN, NULL },
	{ "rowspan", A_PLAIN, NULL },
	{ "rules", A_PLAIN, NULL },
	{ "scope", A_PLAIN, NULL },
	{ "selected", A_PLAIN, NULL },
	{ "shape", A_PLAIN, NULL },
	{ "size", A_PLAIN, NULL },
	{ "sizes", A_PLAIN, "img source" },
	{ "span", A_PLAIN, NULL },
	{ "src", A_SRC, "img source video audio" },
	{ "srcset", A_SRCSET, "img source" },
	{ "start", A_PLAIN, NULL },
	{ "step", A_PLAIN, NULL },
	{ "style", A_STYLE, NULL },
	{ "summary", A_PLAIN, NULL },
	{ "suppress", A_PLAIN, NULL },
	{ "title", A_PLAIN, NULL },
	{ "toppadding", A_PLAIN, NULL },
	{ "type", A_PLAIN, NULL },
	{ "unselectable", A_PLAIN, NULL },
	{ "urn", A_PLAIN, NULL },
	{ "valign", A_PLAIN, NULL },
	{ "value", A_PLAIN, NULL },
	{ "variable", A_PLAIN, NULL },
	{ "volume", A_PLAIN, NULL },
	{ "vspace", A_PLAIN, NULL },
	{ "width", A_PLAIN, NULL },
	{ "wrap", A_PLAIN, NULL },
	{ "xml:lang", A_LANG, NULL },
};

#define ATTR_MAX_VALUE 1024
#define LINK_REL "noopener noreferrer nofollow ugc"
#define STACK_MAX 512
/* Searches of the open-element stack look at most this far down: with
 * the per-name counts this bounds the work per tag. */
#define SEARCH_MAX 128

/* Name lookups go through small open-addressing tables built once. */
#define HASH_SLOTS 512

static int16_t elem_slot[HASH_SLOTS];
static int16_t attr_slot[HASH_SLOTS];

/* From the length and three bytes, not a loop: cheap per tag, and
 * folded to a constant for a literal name. Any hash is correct here
 * (lookups compare the names); this one spreads the tables' names. */
static unsigned
name_hash(const char *s, size_t n)
{
	unsigned h = (unsigned)n;

	if (n == 0)
		return 0;
	h = h * 31 + (unsigned char)s[0];
	h = h * 31 + (unsigned char)s[n / 2];
	h = h * 31 + (unsigned char)s[n - 1];
	return (h * 2654435761u) >> 23;
}

static void
tables_init(void)
{
	size_t i;
	unsigned h;

	for (i = 0; i < HASH_SLOTS; i++)
		elem_slot[i] = attr_slot[i] = -1;
	for (i = 0; i < sizeof(elems) / sizeof(elems[0]); i++) {
		for (h = name_hash(elems[i].name, strlen(elems[i].name));
		    elem_slot[h] >= 0;
		    h = (h + 1) & (HASH_SLOTS - 1))
			;
		elem_slot[h] = (int16_t)i;
	}
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		for (h = name_hash(attrs[i].name, strlen(attrs[i].name));
		    attr_slot[h] >= 0;
		    h = (h + 1) & (HASH_SLOTS - 1))
			;
		attr_slot[h] = (int16_t)i;
	}
	text_tbl_init();
}

/* The element named name, whose name_hash is h; NULL: not listed. */
static const struct elem *
elem_find(const char *name, unsigned h)
{
	for (; elem_slot[h] >= 0; h = (h + 1) & (HASH_SLOTS - 1)) {
		const char *n = elems[elem_slot[h]].name;
		if (n[0] == name[0] && strcmp(n, name) == 0)
			return &elems[elem_slot[h]];
	}
	return NULL;
}

static const struct attr *
attr_find(const char *name, size_t nlen, const char *elem)
{
	const struct attr *at = NULL;
	const char *p;
	size_t n = strlen(elem);
	unsigned h;

	for (h = name_hash(name, nlen); attr_slot[h] >= 0;
	    h = (h + 1) & (HASH_SLOTS - 1)) {
		const char *an = attrs[attr_slot[h]].name;
		if (an[0] == name[0] && strcmp(an, name) == 0) {
			at = &attrs[attr_slot[h]];
			break;
		}
	}
	if (at == NULL || at->only == NULL)
		return at;
	for (p = at->only; (p = strstr(p, elem)) != NULL; p += n) {
		if ((p == at->only || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return at;
	}
	return NULL;
}

/* ---- text helpers ---- */

/* Bytes out_text must look at, per mode: 1 escape, 2 drop, 3 C1 lead;
 * TBL_CTL: the controls sanitize_url refuses (1). */
enum { TBL_HTML, TBL_ATTR, TBL_TEXT, TBL_CTL };
static unsigned char text_tbl[4][256];

static void
text_tbl_init(void)
{
	int m, c;

	for (c = 0; c < 0x20; c++)
		text_tbl[TBL_CTL][c] = 1;
	text_tbl[TBL_CTL][0x7f] = 1;
	for (m = 0; m < 3; m++) {
		for (c = 0; c < 0x20; c++)
			text_tbl[m][c] = (c == '\t' || c == '\n' || c == '\r') ? 0 : 2;
		text_tbl[m][0x7f] = 2;
		text_tbl[m][0xc2] = 3;
		if (m != TBL_TEXT) {
			text_tbl[m]['&'] = 1;
			text_tbl[m]['<'] = 1;
			text_tbl[m]['>'] = 1;
		}
	}
	text_tbl[TBL_ATTR]['"'] = 1;
}

/* The bytes text_tbl[TBL_TEXT], [TBL_HTML] and [TBL_ATTR] do not pass
 * (bytevec_span): controls, DEL, the C1 lead byte, and what each escapes;
 * tab, CR and LF are looked up. */
static bytevec_mask
text_stops(bytevec v)
{
	return (v < 0x20) | (v == 0x7f) | (v == 0xc2);
}

static bytevec_mask
html_stops(bytevec v)
{
	return text_stops(v) | (v == '&') | (v == '<') | (v == '>');
}

static bytevec_mask
attr_stops(bytevec v)
{
	return html_stops(v) | (v == '"');
}

static bytevec_mask
ctl_stops(bytevec v)
{
	return (v < 0x20) | (v == 0x7f);
}

/* The bytes from s on that text_tbl[m] passes. */
static size_t
text_span(int m, const unsigned char *s, size_t n)
{
	switch (m) {
	case TBL_CTL:
		return bytevec_span(s, n, text_tbl[m], ctl_stops);
	case TBL_TEXT:
		return bytevec_span(s, n, text_tbl[m], text_stops);
	case TBL_HTML:
		return bytevec_span(s, n, text_tbl[m], html_stops);
	default:
		return bytevec_span(s, n, text_tbl[m], attr_stops);
	}
}

uint32_t
sanitize_cp1252_c1(uint32_t cp)
{
	return htmltok_cp1252_c1(cp);
}

bool
sanitize_truncate_utf8(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return false;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
	return true;
}

static bool
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The white space of ws() (U+00A0 is not: it is content, not layout). */
static bytevec_mask
ws_mask(bytevec v)
{
	return (v == ' ') | (v == '\t') | (v == '\n') | (v == '\r') |
	    (v == '\f');
}

/* The bytes from s on (s[n] is its NUL) that collapsing leaves as they
 * are: all but white space, and single spaces before a byte of that
 * kind. 16 at a time while the byte after them is in reach. */
static size_t
ws_keep(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (n - i >= 16) {
		bytevec v = bytevec_load(u + i), next = bytevec_load(u + i + 1);
		bytevec_mask sp = v == ' ';
		unsigned bits = bytevec_bits((ws_mask(v) & ~sp) |
		    (sp & (ws_mask(next) | (next == 0))));
		if (bits != 0)
			return i + bytevec_first(bits);
		i += 16;
	}
	for (; i < n; i++) {
		if (ws(s[i]) &&
		    (s[i] != ' ' || ws(s[i + 1]) || s[i + 1] == '\0'))
			break;
	}
	return i;
}

char *
sanitize_collapse_ws(char *s)
{
	size_t n = strlen(s), i = 0, j = 0, k;

	while (i < n && ws(s[i]))
		i++;
	while (i < n) {
		/* Moved down over the space taken out so far. */
		k = ws_keep(s + i, n - i);
		if (j != i)
			memmove(s + j, s + i, k);
		i += k;
		j += k;
		while (i < n && ws(s[i]))
			i++;
		if (i < n)
			s[j++] = ' ';
	}
	s[j] = '\0';
	return s;
}

static const unsigned char markup_tbl[256] = { ['<'] = 1, ['&'] = 1 };

static bytevec_mask
markup_stops(bytevec v)
{
	return (v == '<') | (v == '&');
}

bool
sanitize_looks_like_html(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i++) {
		i += bytevec_span((const unsigned char *)s + i, n - 2 - i,
		    markup_tbl, markup_stops);
		if (i + 2 >= n)
			break;
		if (s[i] == '<') {
			char c = s[i + 1];
			if (c == '/')
				c = s[i + 2];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    c == '!')
				return true;
		} else if (s[i] == '&') {
			size_t j = i + 1;
			if (j < n && s[j] == '#')
				j++;
			while (j < n && j - i < 12 &&
			    ((s[j] >= 'a' && s[j] <= 'z') ||
			    (s[j] >= 'A' && s[j] <= 'Z') ||
			    (s[j] >= '0' && s[j] <= '9')))
				j++;
			if (j < n && s[j] == ';' && j > i + 1)
				return true;
		}
	}
	return false;
}

/* ---- URLs ---- */

static bool
is_data_image(const char *u)
{
	static const char *const types[] = { "png", "gif", "jpeg", "webp" };
	size_t i, n;

	if (strncasecmp(u, "data:image/", 11) != 0)
		return false;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		n = strlen(types[i]);
		if (strncasecmp(u + 11, types[i], n) == 0 &&
		    (u[11 + n] == ';' || u[11 + n] == ','))
			return strchr(u, ',') != NULL;
	}
	return false;
}

static bool
http_scheme(const char *u)
{
	char sch[8];

	/* Most URLs here are written so; the rest go the long way. */
	if (strncmp(u, "http", 4) == 0 &&
	    (u[4] == ':' || (u[4] == 's' && u[5] == ':')))
		return true;
	return urlres_scheme(u, sch, sizeof(sch)) &&
	    (strcmp(sch, "http") == 0 || strcmp(sch, "https") == 0);
}

/* True when urlres_resolve(a, NULL, c) would give the clean absolute URL
 * c[0..n) back as it is: the scheme (sch) written lower-case and followed
 * by "//", no backslash to turn, no "/." to start a dot segment. */
static bool
url_resolved(const char *c, size_t n, const char *sch)
{
	size_t k = strlen(sch);
	const char *p;

	if (strncmp(c, sch, k) != 0 || strncmp(c + k, "://", 3) != 0 ||
	    memchr(c, '\\', n) != NULL)
		return false;
	/* memmem(c, n, "/.", 2), the glibc one is slow on short strings */
	for (p = c; (p = memchr(p, '.', n - (size_t)(p - c))) != NULL; p++) {
		if (p > c && p[-1] == '/')
			return false;
	}
	return true;
}

/* True when an http(s) URL has an authority right after its scheme
 * ("http://host..."), not merely "://" somewhere later in its path. */
static bool
url_has_host(const char *r)
{
	char sch[16];
	size_t k;

	if (!urlres_scheme(r, sch, sizeof(sch)))
		return false;
	k = strlen(sch);
	return strncmp(r + k, "://", 3) == 0 && r[k + 3] != '/' && r[k + 3] != '\\' &&
	    r[k + 3] != '\0';
}

char *
sanitize_url(struct arena *a, const char *base, const char *raw,
    unsigned flags)
{
	char sch[16], *c, *r;
	size_t n;

	if (raw == NULL)
		return NULL;
	c = urlres_clean(a, raw);
	if (c == NULL || c[0] == '\0')
		return NULL;
	/* Controls left inside (the clean-up took tab, CR and LF) would let
	 * a later writer that drops them spell a different URL: refused. */
	n = strlen(c);
	if (text_span(TBL_CTL, (const unsigned char *)c, n) < n)
		return NULL;
	if (urlres_scheme(c, sch, sizeof(sch))) {
		if (strcmp(sch, "mailto") == 0 && (flags & SANITIZE_URL_MAILTO))
			return strlen(c) <= SANITIZE_MAX_URL ? c : NULL;
		if (strcmp(sch, "data") == 0 && (flags & SANITIZE_URL_DATAIMG))
			return is_data_image(c) &&
			    strlen(c) <= SANITIZE_MAX_DATA_URL ? c : NULL;
		if (strcmp(sch, "http") != 0 && strcmp(sch, "https") != 0)
			return NULL;
		r = url_resolved(c, n, sch) ? c : urlres_resolve(a, NULL, c);
		/* "http:/g", "http:g", "http:///g": no host. Browsers read
		 * one into them (http://g/); refused rather than kept
		 * ambiguous. */
		if (r != NULL && !url_has_host(r))
			return NULL;
	} else if (base != NULL && http_scheme(base)) {
		r = urlres_resolve(a, base, c);
		if (r != NULL && !http_scheme(r))
			return NULL;
		/* A base of the document's own (xml:base) may hold what the
		 * absolute branch rewrites (a backslash, a dot segment): the
		 * result gets that rewrite now, so that a second pass keeps
		 * what this one wrote (fuzz_feed's fixed point). */
		if (r != NULL && urlres_scheme(r, sch, sizeof(sch)) &&
		    !url_resolved(r, strlen(r), sch))
			r = urlres_resolve(a, NULL, r);
		/* A reference like "///x" resolves to no host ("https:///x"),
		 * and against a base without one ("http:x/") to none either:
		 * refused as the absolute form is, so a second pass keeps
		 * what the first one wrote. */
		if (r != NULL && !url_has_host(r))
			return NULL;
	} else {
		/* No usable base: a scheme-less reference cannot run script. */
		r = c;
	}
	if (r == NULL || strlen(r) > SANITIZE_MAX_URL)
		return NULL;
	return r;
}

/* ---- CSS ---- */

/* Properties kept as written (after the gauntlet). */
static const char *const css_props[] = {
	"background-color", "border-bottom-color", "border-collapse",
	"border-color", "border-left-color", "border-right-color",
	"border-top-color", "clear", "color", "cursor", "direction", "display",
	"float", "font", "font-family", "font-size", "font-style",
	"font-variant", "font-weight", "height", "letter-spacing",
	"line-height", "list-style-type", "overflow", "text-align",
	"text-decoration", "text-indent", "text-transform", "vertical-align",
	"white-space", "width", "word-spacing",
};

/* Keywords allowed in the background/border/margin/padding families. */
static const char *const css_keywords[] = {
	"!important", "aqua", "auto", "black", "block", "blue", "bold", "both",
	"bottom", "brown", "center", "collapse", "dashed", "dotted",
	"fuchsia", "gray", "green", "italic", "left", "lime", "maroon",
	"medium", "navy", "none", "normal", "nowrap", "olive", "pointer",
	"purple", "red", "right", "silver", "solid", "teal", "top",
	"transparent", "underline", "white", "yellow",
};

static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* The whole style attribute may only hold these shapes (else dropped). */
static bool
css_gauntlet(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		if (word_char(c) || ws(c) || strchr(":,;#%.!", c) != NULL)
			continue;
		if (c == '-' && i > 0 && word_char(s[i - 1]) &&
		    word_char(s[i + 1]))
			continue;
		if (c == '\'' || c == '"') {
			size_t j = i + 1;
			while (s[j] != '\0' && s[j] != c &&
			    (word_char(s[j]) || ws(s[j])))
				j++;
			if (s[j] != c || j == i + 1)
				return false;
			i = j;
			continue;
		}
		if (c == '(') {
			size_t j = i + 1;
			while (s[j] != '\0' && s[j] != ')' &&
			    ((s[j] >= '0' && s[j] <= '9') || s[j] == ',' ||
			    ws(s[j])))
				j++;
			if (s[j] != ')' || j == i + 1)
				return false;
			i = j;
			continue;
		}
		return false;
	}
	return true;
}

/* "#fff", "rgb(0,", "0,", "12px", "1.5em", "50%", "0)". */
static bool
css_value_token(const char *t, size_t n)
{
	size_t i = 0, d1 = 0, d2 = 0;
	static const char *const units[] = { "cm", "em", "ex", "in", "mm",
		"pc", "pt", "px", "%", ",", ")" };

	if (n > 0 && t[0] == '#') {
		for (i = 1; i < n; i++) {
			if (!((t[i] >= '0' && t[i] <= '9') ||
			    (t[i] >= 'a' && t[i] <= 'f')))
				return false;
		}
		return n > 1;
	}
	if (n >= 4 && strncmp(t, "rgb(", 4) == 0) {
		for (i = 4; i < n; i++) {
			if (!((t[i] >= '0' && t[i] <= '9') || t[i] == '%' ||
			    t[i] == ',' || (t[i] == ')' && i == n - 1)))
				return false;
		}
		return true;
	}
	while (i < n && t[i] >= '0' && t[i] <= '9' && d1 < 3)
		i++, d1++;
	if (d1 > 2)
		return false;
	if (i < n && t[i] == '.')
		i++;
	while (i < n && t[i] >= '0' && t[i] <= '9' && d2 < 3)
		i++, d2++;
	if (d2 > 2)
		return false;
	if (i == n)
		return true;
	for (d1 = 0; d1 < sizeof(units) / sizeof(units[0]); d1++) {
		if (n - i == strlen(units[d1]) &&
		    strncmp(t + i, units[d1], n - i) == 0)
			return true;
	}
	return false;
}

static bool
css_family_value(const char *v, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		size_t start;
		bool ok = false;
		while (i < n && ws(v[i]))
			i++;
		start = i;
		while (i < n && !ws(v[i]))
			i++;
		if (i == start)
			break;
		for (k = 0; k < sizeof(css_keywords) / sizeof(css_keywords[0]);
		    k++) {
			if (strlen(css_keywords[k]) == i - start &&
			    strncmp(css_keywords[k], v + start, i - start) == 0)
				ok = true;
		}
		if (!ok && !css_value_token(v + start, i - start))
			return false;
	}
	return true;
}

static bool
css_prop_ok(const char *p, size_t n, const char *v, size_t vn)
{
	static const char *const families[] = { "background", "border",
		"margin", "padding" };
	size_t k, fl;

	for (k = 0; k < sizeof(css_props) / sizeof(css_props[0]); k++) {
		/* The first letter rules out most (names are lower-case). */
		if (css_props[k][0] == (p[0] | 0x20) &&
		    strlen(css_props[k]) == n &&
		    strncasecmp(css_props[k], p, n) == 0)
			return true;
	}
	for (k = 0; k < sizeof(families) / sizeof(families[0]); k++) {
		fl = strlen(families[k]);
		if (n >= fl && strncasecmp(p, families[k], fl) == 0 &&
		    (n == fl || p[fl] == '-'))
			return css_family_value(v, vn);
	}
	return false;
}

/* strcasestr(s, "url"), by way of the faster strpbrk. */
static char *
css_find_url(char *s)
{
	for (; (s = strpbrk(s, "uU")) != NULL; s++) {
		if (strncasecmp(s, "url", 3) == 0)
			return s;
	}
	return NULL;
}

/* Removes every url(...) (replaced by a space), in place. */
static void
css_strip_urls(char *s)
{
	char *p;

	while ((p = css_find_url(s)) != NULL) {
		char *q = p + 3, *e;
		while (ws(*q))
			q++;
		if (*q != '(') {
			s = p + 3;
			continue;
		}
		e = strchr(q, ')');
		if (e == NULL) {
			*p = '\0';
			return;
		}
		*p = ' ';
		memmove(p + 1, e + 1, strlen(e + 1) + 1);
		s = p + 1;
	}
}

/* The filtered style, or NULL when nothing is left; built in b (emptied
 * first, its storage reused). */
static char *
css_filter(struct arena *a, struct buf *b, const char *in)
{
	char *s = arena_strdup(a, in), *p;
	char *res = NULL;

	if (s == NULL)
		return NULL;
	css_strip_urls(s);
	if (!css_gauntlet(s))
		return NULL;
	buf_clear(b);
	b->max = ATTR_MAX_VALUE;
	p = s;
	while (*p != '\0') {
		char *name, *val;
		size_t nn, vn;
		while (ws(*p) || *p == ';')
			p++;
		if (*p == '\0')
			break;
		name = p;
		while (*p != '\0' && *p != ':' && *p != ';' && !ws(*p))
			p++;
		nn = (size_t)(p - name);
		while (ws(*p))
			p++;
		if (*p != ':' || nn == 0)
			goto out; /* not "prop: value": the whole style goes */
		p++;
		while (ws(*p))
			p++;
		val = p;
		while (*p != '\0' && *p != ';' && *p != ':')
			p++;
		if (*p == ':')
			goto out;
		vn = (size_t)(p - val);
		while (vn > 0 && ws(val[vn - 1]))
			vn--;
		if (vn == 0 || !css_prop_ok(name, nn, val, vn))
			continue;
		if ((b->len > 0 && buf_appendc(b, ' ') != RC_OK) ||
		    buf_append(b, name, nn) != RC_OK ||
		    buf_appends(b, ": ") != RC_OK ||
		    buf_append(b, val, vn) != RC_OK ||
		    buf_appendc(b, ';') != RC_OK)
			goto out;
	}
	if (b->len > 0) {
		res = arena_strdup(a, buf_cstr(b));
		if (res != NULL) {
			/* "medium  none" -> "medium none": one space per gap. */
			sanitize_collapse_ws(res);
		}
	}
out:
	return res;
}

/* ---- the SAX walk ---- */

struct frame {
	const struct elem *e; /* NULL: not in the table */
	unsigned flags;       /* e->flags, 0 when e is NULL */
	unsigned hash;        /* name_hash(name) */
	bool emitted;
	/* Media mode: */
	unsigned char kind;   /* M_EMIT, M_UNWRAP, M_DROP */
	bool child;           /* something was written inside */
	bool only_img;        /* ... and all of it img spans */
	size_t first_span;    /* spans[] index when it opened */
	char name[HTMLTOK_MAX_NAME + 1];
};

struct state {
	struct arena *a;
	const struct sanitize_opts *o;
	bool text;           /* plain-text mode */
	struct buf out;
	size_t max;
	bool truncated;
	bool nomem;
	int depth;           /* frames in use */
	int skip;            /* >0: inside a dropped subtree (its depth) */
	int emitted;         /* open emitted elements */
	char **images;
	size_t nimages, capimages;
	bool space;          /* text mode: a separator is pending */
	struct sanitize_span *spans;   /* media mode */
	size_t nspans, capspans;
	bool m_notext;       /* media mode: libxml2 lost the text from here */
	/* Not cleared between runs: */
	struct htmltok tok;  /* its scratch buffer is reused */
	struct buf val;      /* a srcset or style being filtered */
	/* Open frames per name hash (a search for a name that is not open
	 * costs nothing); all 0 again after every run (pop_to(st, 0)). */
	uint16_t open[HASH_SLOTS];
	struct frame stack[STACK_MAX];  /* written before it is read */
};

struct sanitize {
	struct arena *a;
	struct state *st;   /* reused by every call (heap) */
};

static void
sanitize_free(void *p)
{
	struct sanitize *s = p;

	if (s->st != NULL) {
		buf_fini(&s->st->out);
		buf_fini(&s->st->val);
		htmltok_fini(&s->st->tok);
		free(s->st);
		s->st = NULL;
	}
}

struct sanitize *
sanitize_new(struct arena *a)
{
	struct sanitize *s;

	sanitize_global_init();
	s = arena_calloc(a, 1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->a = a;
	/* state_get clears all but the frame stack, which is written
	 * before it is read: no need to zero 8 KiB per parse. */
	s->st = malloc(sizeof(*s->st));
	if (s->st == NULL)
		return NULL;
	memset(s->st, 0, offsetof(struct state, stack));
	buf_init(&s->st->out, 0);
	buf_init(&s->st->val, 0);
	htmltok_init(&s->st->tok);
	/* Feed HTML is often written as XHTML: "<iframe ... />" ends
	 * there (its content would otherwise be dropped with it). */
	s->st->tok.xml_selfclose = true;
	if (arena_defer(a, sanitize_free, s) != RC_OK)
		return NULL;
	return s;
}

/* The reusable state, emptied for a new run (the output buffer keeps its
 * storage; its cap is set per run). */
static struct state *
state_get(struct sanitize *s, const struct sanitize_opts *o, bool text,
    size_t max)
{
	struct state *st = s->st;
	struct buf keep = st->out;

	memset(st, 0, offsetof(struct state, tok));
	st->out = keep;
	buf_clear(&st->out);
	st->out.max = max + (STACK_MAX + 1) * 16;
	st->a = s->a;
	st->o = o;
	st->text = text;
	st->max = max;
	return st;
}

/* Appends unless the soft cap is passed; end tags use out_force. Inline:
 * most calls append a few constant bytes. */
static inline void
out_put(struct state *st, const char *p, size_t n)
{
	if (st->truncated || st->nomem)
		return;
	if (st->out.len + n > st->max) {
		st->truncated = true;
		return;
	}
	if (buf_append(&st->out, p, n) != RC_OK)
		st->nomem = true;
}

static inline void
out_force(struct state *st, const char *p, size_t n)
{
	if (!st->nomem && buf_append(&st->out, p, n) != RC_OK)
		st->nomem = true;
}

static void out_utf8(struct state *st, uint32_t cp);

static const char *
escape_of(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	default:
		return "&quot;";
	}
}

/* Appends a run of plain text, cut at a UTF-8 boundary at the cap. */
static void
out_run(struct state *st, const char *p, size_t run)
{
	size_t room = st->max > st->out.len ? st->max - st->out.len : 0;

	if (run > room) {
		while (room > 0 && ((unsigned char)p[room] & 0xc0) == 0x80)
			room--;
		out_put(st, p, room);
		st->truncated = true;
		return;
	}
	out_put(st, p, run);
}

/* True when s[i] (of n bytes) is the UTF-8 of a C1 control. */
static bool
c1_at(const char *s, size_t i, size_t n)
{
	return (unsigned char)s[i] == 0xc2 && i + 1 < n &&
	    (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f;
}

/* Text content, escaped for HTML text (or raw in text mode); C0 controls
 * other than tab/CR/LF dropped; a C1 control is the windows-1252
 * character a numeric reference (&#146;) meant, as browsers read it. */
static void
out_text(struct state *st, const char *s, size_t n, bool attr)
{
	int m = st->text ? TBL_TEXT : attr ? TBL_ATTR : TBL_HTML;
	const unsigned char *tbl = text_tbl[m];
	size_t i = 0, start;

	while (i < n && !st->truncated) {
		start = i;
		i += text_span(m, (const unsigned char *)s + i, n - i);
		/* A 0xc2 that leads no C1 control starts a character like
		 * any other: it stays in the run, so the cap cannot cut it
		 * from its second byte. */
		while (i < n && (unsigned char)s[i] == 0xc2 &&
		    !c1_at(s, i, n)) {
			i++;
			i += text_span(m, (const unsigned char *)s + i, n - i);
		}
		if (i > start)
			out_run(st, s + start, i - start);
		if (i >= n || st->truncated)
			break;
		switch (tbl[(unsigned char)s[i]]) {
		case 1:
			out_put(st, escape_of((unsigned char)s[i]),
			    strlen(escape_of((unsigned char)s[i])));
			i++;
			break;
		case 2:
			i++;
			break;
		default:
			out_utf8(st, sanitize_cp1252_c1((unsigned char)s[i + 1]));
			i += 2;
			break;
		}
	}
}

static void
out_utf8(struct state *st, uint32_t cp)
{
	char d[4];
	size_t n;

	n = utf8_encode(d, cp);
	out_put(st, d, n);
}

static void
image_add(struct state *st, const char *url)
{
	char **n;

	if (!http_scheme(url) || st->nimages >= SANITIZE_MAX_IMAGES)
		return;
	if (st->nimages == st->capimages) {
		size_t cap = st->capimages ? st->capimages * 2 : 4;
		n = arena_calloc(st->a, cap, sizeof(*n));
		if (n == NULL) {
			st->nomem = true;
			return;
		}
		if (st->nimages > 0)
			memcpy(n, st->images, st->nimages * sizeof(*n));
		st->images = n;
		st->capimages = cap;
	}
	st->images[st->nimages++] = (char *)url;
	if (st->o != NULL && st->o->on_image != NULL)
		st->o->on_image(st->o->ctx, url);
}

static void
out_attr(struct state *st, const char *name, const char *value)
{
	out_put(st, " ", 1);
	out_put(st, name, strlen(name));
	out_put(st, "=\"", 2);
	if (value != NULL)
		out_text(st, value, strlen(value), true);
	out_put(st, "\"", 1);
}

static const char *
base_url(const struct state *st)
{
	return st->o != NULL ? st->o->base_url : NULL;
}

/* srcset: "url [descriptor], url [descriptor]"; bad candidates dropped. */
static char *
srcset_filter(struct state *st, const char *v)
{
	struct buf *b = &st->val;
	const char *p = v;

	buf_clear(b);
	b->max = SANITIZE_MAX_URL * 4;
	while (*p != '\0') {
		const char *u, *d;
		char *raw, *url;
		size_t un, dn = 0, k;
		bool comma = false;

		while (ws(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		u = p;
		while (*p != '\0' && !ws(*p))
			p++;
		un = (size_t)(p - u);
		/* A URL ending in ',' has no descriptor. */
		if (u[un - 1] == ',') {
			un--;
			comma = true;
		}
		d = p;
		if (!comma) {
			while (ws(*p))
				p++;
			d = p;
			while (*p != '\0' && *p != ',')
				p++;
			dn = (size_t)(p - d);
			while (dn > 0 && ws(d[dn - 1]))
				dn--;
		}
		for (k = 0; k < dn; k++) {
			if (!word_char(d[k]) && d[k] != '.')
				dn = 0;
		}
		raw = arena_strndup(st->a, u, un);
		url = raw != NULL ? sanitize_url(st->a, base_url(st), raw, 0) :
		    NULL;
		if (url == NULL || strchr(url, ',') != NULL)
			continue;
		if ((b->len > 0 && buf_appends(b, ", ") != RC_OK) ||
		    buf_appends(b, url) != RC_OK ||
		    (dn > 0 && (buf_appendc(b, ' ') != RC_OK ||
		    buf_append(b, d, dn) != RC_OK)))
			break;
		image_add(st, url);
	}
	return b->len > 0 ? arena_strdup(st->a, buf_cstr(b)) : NULL;
}

/* One attribute through the policy; returns the value to write or NULL. */
static const char *
attr_value(struct state *st, const char *elem, const struct attr *at,
    const char *v)
{
	switch (at->kind) {
	case A_PLAIN:
	case A_LANG:
		if (v != NULL && strlen(v) > ATTR_MAX_VALUE)
			return NULL;
		return v != NULL ? v : "";
	case A_HREF:
		return sanitize_url(st->a, base_url(st), v, SANITIZE_URL_MAILTO);
	case A_SRC:
		return sanitize_url(st->a, base_url(st), v,
		    strcmp(elem, "img") == 0 ? SANITIZE_URL_DATAIMG : 0);
	case A_CITE:
	case A_POSTER:
		return sanitize_url(st->a, base_url(st), v, 0);
	case A_SRCSET:
		return v != NULL ? srcset_filter(st, v) : NULL;
	case A_STYLE:
		return v != NULL ? css_filter(st->a, &st->val, v) : NULL;
	}
	return NULL;
}

/*
 * An attribute value as out_text will write it: C0 controls other than
 * tab/LF/CR and DEL dropped, C1 controls read as windows-1252. NULL stays
 * NULL; on no memory the value is refused (NULL) too.
 */
static const char *
attr_normalize(struct state *st, const char *v, size_t n)
{
	const unsigned char *u = (const unsigned char *)v;
	size_t i = 0, j = 0;
	char *d;

	if (v == NULL)
		return NULL;
	/* Most values have nothing to change: returned as they are. */
	for (;;) {
		i += text_span(TBL_TEXT, u + i, n - i);
		if (i >= n)
			return v;
		if (u[i] != 0xc2 || (i + 1 < n && u[i + 1] <= 0x9f))
			break;
		i++;
	}
	d = arena_alloc(st->a, n * 2 + 1);
	if (d == NULL) {
		st->nomem = true;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			continue;
		if (c == 0xc2 && i + 1 < n && (unsigned char)v[i + 1] >= 0x80 &&
		    (unsigned char)v[i + 1] <= 0x9f) {
			j += utf8_encode(d + j, sanitize_cp1252_c1((unsigned char)v[++i]));
			continue;
		}
		d[j++] = (char)c;
	}
	d[j] = '\0';
	return d;
}

/* Writes the start tag of an allowed element; false when it did not fit. */
static bool
emit_start(struct state *st, const char *name, const struct htmltok *t)
{
	size_t mark = st->out.len;
	bool is_a = name[0] == 'a' && name[1] == '\0';
	bool is_img = name[0] == 'i' && strcmp(name, "img") == 0;
	bool has_lang = false;
	size_t i;

	out_put(st, "<", 1);
	out_put(st, name, strlen(name));
	for (i = 0; i < t->nattrs; i++) {
		const char *an = t->attrs[i].name;
		const char *av = t->attrs[i].value;
		const struct attr *at = attr_find(an, t->attrs[i].nlen, name);
		const char *v;
		if (at == NULL)
			continue;
		if (at->kind == A_LANG) {
			if (has_lang)
				continue;
			has_lang = true;
			an = "lang";
		}
		/* Checked in the form it will be written in: out_text drops
		 * controls, so "java\x01script:" must be read as what it
		 * becomes, "javascript:". */
		v = attr_value(st, name, at,
		    attr_normalize(st, av, t->attrs[i].vlen));
		if (v == NULL)
			continue;
		if (at->kind == A_SRC && is_img)
			image_add(st, v);
		if (at->kind == A_POSTER)
			image_add(st, v);
		out_attr(st, at->kind == A_LANG ? an : at->name, v);
	}
	if (is_a) {
		out_attr(st, "rel", LINK_REL);
		if (st->o != NULL && st->o->link_target != NULL)
			out_attr(st, "target", st->o->link_target);
	}
	out_put(st, ">", 1);
	/* No half tags: a tag cut by the cap is taken back whole. (An img
	 * without a usable source stays: it shows its alt text.) */
	if (st->truncated || st->nomem) {
		if (st->out.data != NULL) {
			st->out.len = mark;
			st->out.data[mark] = '\0';
		}
		return false;
	}
	return true;
}

static void
text_sep(struct state *st)
{
	st->space = true;
}

/* The policy for an element just pushed as frame f. */
static void
policy_start(struct state *st, struct frame *f, const struct htmltok *t)
{
	const struct elem *e = f->e;

	if (st->skip > 0)
		return;
	if (e != NULL && (e->flags & E_DROP)) {
		st->skip = st->depth;
		return;
	}
	if (e != NULL && (e->flags & E_VOIDDROP))
		return;
	if (e == NULL || !(e->flags & E_ALLOW))
		return;
	if (st->text) {
		if (e->flags & E_BLOCK)
			text_sep(st);
		return;
	}
	if (st->emitted >= SANITIZE_MAX_DEPTH || st->truncated)
		return;
	if (!emit_start(st, e->name, t))
		return;
	if (e->flags & E_VOID)
		return;
	f->emitted = true;
	st->emitted++;
}

static void
close_frame(struct state *st, struct frame *f)
{
	if (f->emitted) {
		out_force(st, "</", 2);
		out_force(st, f->e->name, strlen(f->e->name));
		out_force(st, ">", 1);
		st->emitted--;
	} else if (st->text && st->skip == 0) {
		if (f->flags & E_BLOCK)
			text_sep(st);
	}
	if (st->skip == st->depth + 1)
		st->skip = 0;
}

/* ---- the tree: an open-element stack, closed as HTML5 closes it ---- */

/* Closes the frames from the top down to and including frame i. */
static void
pop_to(struct state *st, int i)
{
	while (st->depth > i) {
		st->depth--;
		st->open[st->stack[st->depth].hash]--;
		close_frame(st, &st->stack[st->depth]);
	}
}

/* The lowest frame a search may reach: inside dropped content (select,
 * template, ...) nothing reaches past the dropped element, as in a
 * browser's insertion modes for them; svg and math are left by HTML
 * tags as browsers leave foreign content. */
static int
search_floor(const struct state *st)
{
	int floor = st->depth > SEARCH_MAX ? st->depth - SEARCH_MAX : 0;

	if (st->skip > 0 && !(st->stack[st->skip - 1].flags & S_FOREIGN) &&
	    st->skip - 1 > floor)
		return st->skip - 1;
	return floor;
}

static bool
is_open(const struct state *st, const char *name)
{
	return st->open[name_hash(name, strlen(name))] > 0;
}

/* The open element named a (or b), from the top, not past a frame with
 * any of the flags in stop (the match itself may have them); -1: none. */
static int
open_find(const struct state *st, const char *a, const char *b,
    unsigned stop)
{
	int i, floor;

	if (!is_open(st, a) && (b == NULL || !is_open(st, b)))
		return -1;
	floor = search_floor(st);
	for (i = st->depth - 1; i >= floor; i--) {
		const char *n = st->stack[i].name;
		if ((n[0] == a[0] && strcmp(n, a) == 0) ||
		    (b != NULL && n[0] == b[0] && strcmp(n, b) == 0))
			return i;
		if (st->stack[i].flags & stop)
			return -1;
	}
	return -1;
}

static bool
name_is(const struct frame *f, const char *n)
{
	return strcmp(f->name, n) == 0;
}

/* li, dd, dt: an open one closes, unless a special element other than
 * address, div or p comes first. */
static void
close_item(struct state *st, const char *a, const char *b)
{
	int i, floor;

	if (!is_open(st, a) && (b == NULL || !is_open(st, b)))
		return;
	floor = search_floor(st);
	for (i = st->depth - 1; i >= floor; i--) {
		const struct frame *f = &st->stack[i];
		if (name_is(f, a) || (b != NULL && name_is(f, b))) {
			pop_to(st, i);
			return;
		}
		if ((f->flags & S_SPECIAL) && !name_is(f, "address") &&
		    !name_is(f, "div") && !name_is(f, "p"))
			return;
	}
}

static bool
top_is(const struct state *st, const char *n)
{
	return st->depth > search_floor(st) &&
	    name_is(&st->stack[st->depth - 1], n);
}

/* The end tags a start tag implies (HTML5 "in body" and table modes,
 * the parts that keep the output's nesting what a browser builds). */
static void
implied_ends(struct state *st, const char *name, unsigned fl)
{
	int i;

	if (fl & S_PCLOSE) {
		i = open_find(st, "p", NULL, S_SCOPE);
		if (i >= 0)
			pop_to(st, i);
	}
	if (fl & S_HEADING) {
		if (st->depth > search_floor(st) &&
		    (st->stack[st->depth - 1].flags & S_HEADING))
			pop_to(st, st->depth - 1);
	} else if (!(fl & (S_IMPLY | S_TABLE))) {
		return;
	} else if (strcmp(name, "li") == 0) {
		close_item(st, "li", NULL);
	} else if (strcmp(name, "dd") == 0 || strcmp(name, "dt") == 0) {
		close_item(st, "dd", "dt");
	} else if (strcmp(name, "a") == 0) {
		i = open_find(st, "a", NULL, S_SCOPE);
		if (i >= 0)
			pop_to(st, i);
	} else if (strcmp(name, "option") == 0) {
		if (top_is(st, "option"))
			pop_to(st, st->depth - 1);
	} else if (strcmp(name, "optgroup") == 0) {
		if (top_is(st, "option"))
			pop_to(st, st->depth - 1);
		if (top_is(st, "optgroup"))
			pop_to(st, st->depth - 1);
	} else if (fl & S_TABLE) {
		const char *a = NULL, *b = NULL;
		if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
			a = "td";
			b = "th";
		} else if (strcmp(name, "tr") == 0) {
			a = "tr";
		}
		if (a != NULL) {
			i = open_find(st, a, b, 0);
			/* Only within the innermost table. */
			if (i >= 0 && open_find(st, "table", NULL, 0) < i)
				pop_to(st, i);
		} else if (strcmp(name, "tbody") == 0 ||
		    strcmp(name, "thead") == 0 || strcmp(name, "tfoot") == 0) {
			int t = open_find(st, "table", NULL, 0);
			if (t < search_floor(st) - 1)
				t = search_floor(st) - 1;
			for (i = st->depth - 1; i > t; i--) {
				const char *n = st->stack[i].name;
				if (strcmp(n, "tbody") == 0 || strcmp(n, "thead") == 0 ||
				    strcmp(n, "tfoot") == 0) {
					pop_to(st, i);
					break;
				}
			}
		}
	}
}

/* A fragment is body content: html, head and body tags in it are
 * ignored, as in a browser's body; so are names too long to know. */
static bool
ignored_tag(const struct htmltok *t, const struct elem *e)
{
	return t->name_long || (e != NULL && (e->flags & S_IGNORE));
}

static void
tree_start(struct state *st, const struct htmltok *t)
{
	const struct elem *e;
	struct frame *f;
	unsigned fl, h = name_hash(t->name, t->nlen);
	bool isvoid;

	e = t->name_long ? NULL : elem_find(t->name, h);
	if (ignored_tag(t, e))
		return;
	fl = e != NULL ? e->flags : 0;
	implied_ends(st, t->name, fl);
	/* Self-closing counts in foreign content (svg, math) and, XHTML
	 * style, on the elements dropped with their content (as the
	 * tokenizer's xml_selfclose): what follows is then sanitized. */
	isvoid = (fl & S_VOID) || (t->self_closing && ((fl & (S_FOREIGN |
	    E_DROP)) ||
	    (st->skip > 0 && (st->stack[st->skip - 1].flags & S_FOREIGN))));
	if (st->depth >= STACK_MAX) {
		/* Too deep: the element is not kept, but what a dropped one
		 * holds must still go; it takes the innermost frame's place. */
		if (isvoid || !(fl & E_DROP) || st->skip > 0)
			return;
		pop_to(st, st->depth - 1);
	}
	f = &st->stack[st->depth++];
	f->e = e;
	f->flags = fl;
	f->hash = h;
	st->open[f->hash]++;
	f->emitted = false;
	memcpy(f->name, t->name, t->nlen + 1);
	policy_start(st, f, t);
	if (isvoid)
		pop_to(st, st->depth - 1);
}

static void
tree_end(struct state *st, const struct htmltok *t)
{
	const struct elem *e;
	int i;

	e = t->name_long ? NULL :
	    elem_find(t->name, name_hash(t->name, t->nlen));
	if (ignored_tag(t, e))
		return;
	/* "</br>" is ignored as libxml2 did (br is never open): feeds write
	 * "<br></br>" for one break (browsers read a second <br>). */
	/* Table parts close up to their table; other end tags stop at the
	 * scope boundaries (table, cells, ...). */
	if (e != NULL && (e->flags & S_TABLE))
		i = strcmp(t->name, "table") == 0 ?
		    open_find(st, "table", NULL, 0) :
		    open_find(st, t->name, NULL, 0);
	else
		i = open_find(st, t->name, NULL, S_SCOPE);
	if (i >= 0 && e != NULL && (e->flags & S_TABLE) &&
	    strcmp(t->name, "table") != 0 &&
	    open_find(st, "table", NULL, 0) > i)
		return; /* not in the innermost table */
	if (i >= 0)
		pop_to(st, i);
}

static void
tree_text(struct state *st, const char *s, size_t len)
{
	if (st->skip > 0 || len == 0)
		return;
	if (st->text && st->space) {
		if (st->out.len > 0)
			out_put(st, " ", 1);
		st->space = false;
	}
	out_text(st, s, len, false);
}

/* ---- media mode: libxml2's reading of the fragment, rewritten ---- */

/*
 * Before media mode, the media proxy parsed the sanitized fragment again
 * with libxml2's HTML parser (2.9), rewrote the tree and serialized it.
 * This mode keeps that output: the tables below are that parser's rules
 * for the elements this sanitizer writes (they were read off libxml2
 * itself by running every pair), applied to the tokens of the fragment.
 */
enum { M_EMIT, M_UNWRAP, M_DROP };

/* A start tag of the second element closes an open first one when it is
 * the current element (libxml2's htmlAutoClose). */
static const struct {
	const char *open, *closers;
} m_autoclose[] = {
	{ "a", " a fieldset table td th " },
	{ "address", " dd dl dt li ul " },
	{ "b", " center p td th " },
	{ "big", " p " },
	{ "caption", " col colgroup tbody tfoot thead tr " },
	{ "colgroup", " colgroup tbody tfoot thead tr " },
	{ "dd", " dt " },
	{ "dir", " dd dl dt ul " },
	{ "dl", " li " },
	{ "dt", " dd dl " },
	{ "font", " center td th " },
	{ "h1", " fieldset li p table " },
	{ "h2", " fieldset li p table " },
	{ "h3", " fieldset li p table " },
	{ "h4", " fieldset li p table " },
	{ "h5", " fieldset li p table " },
	{ "h6", " fieldset li p table " },
	{ "i", " center p td th " },
	{ "legend", " fieldset " },
	{ "li", " li " },
	{ "menu", " dd dl dt ul " },
	{ "ol", " ul " },
	{ "p", " address blockquote caption center col colgroup dd dir div dl "
	    "dt fieldset h1 h2 h3 h4 h5 h6 hr li menu ol p pre table tbody td "
	    "tfoot th tr ul " },
	{ "pre", " dd dl dt fieldset li table ul " },
	{ "s", " p " },
	{ "small", " p " },
	{ "span", " td th " },
	{ "strike", " p " },
	{ "tbody", " tbody tfoot " },
	{ "td", " tbody td tfoot th tr " },
	{ "tfoot", " tbody " },
	{ "th", " tbody td tfoot th tr " },
	{ "thead", " tbody tfoot " },
	{ "tr", " tbody tfoot tr " },
	{ "tt", " p " },
	{ "u", " p td th " },
	{ "ul", " address menu ol pre " },
};

/* Written without a value (htmlIsBooleanAttr). */
static const char *const m_boolean =
    " checked compact declare defer disabled ismap multiple nohref noresize"
    " noshade nowrap readonly selected ";
/* Elements with no content in libxml2's HTML 4 table. */
static const char *const m_void =
    " area base basefont br col frame hr img input isindex link meta param ";
/* Removed with everything inside: players, frames, resources, scripting
 * and form controls. */
static const char *const m_drop =
    " applet area audio base button canvas form frame frameset iframe"
    " input link map math meta noscript object param portal script select"
    " style svg template textarea video ";
/* HTML5 void elements libxml2 does not know: the siblings after them
 * nest inside; their tag goes, that content stays. */
static const char *const m_unwrap = " embed keygen source track wbr ";
/* Attributes removed from every element (src stays on img). */
static const char *const m_drop_attrs =
    " action background data decoding dynsrc formaction loading longdesc"
    " lowsrc ping poster sizes src srcset style usemap xmlns ";

/* True when name (n bytes) is a word of the space-framed list. */
static bool
m_in(const char *list, const char *name, size_t n)
{
	const char *p = list;

	if (n == 0)
		return false;
	while ((p = strstr(p, name)) != NULL) {
		if (p[-1] == ' ' && p[n] == ' ')
			return true;
		p += n;
	}
	return false;
}

static bool
m_closes(const char *open, const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(m_autoclose) / sizeof(m_autoclose[0]); i++)
		if (m_autoclose[i].open[0] == open[0] &&
		    strcmp(m_autoclose[i].open, open) == 0)
			return m_in(m_autoclose[i].closers, name, n);
	return false;
}

/* libxml2's htmlGetEndPriority: an end tag does not close past an open
 * element of a higher priority. */
static int
m_priority(const char *name)
{
	static const struct { const char *name; int pri; } tbl[] = {
		{ "div", 150 }, { "td", 160 }, { "th", 160 }, { "tr", 170 },
		{ "thead", 180 }, { "tbody", 180 }, { "tfoot", 180 },
		{ "table", 190 }, { "head", 200 }, { "body", 200 },
		{ "html", 220 },
	};

	for (size_t i = 0; i < sizeof(tbl) / sizeof(tbl[0]); i++)
		if (strcmp(tbl[i].name, name) == 0)
			return tbl[i].pri;
	return 100;
}

static bool
m_dropping(const struct state *st)
{
	return st->depth > 0 && st->stack[st->depth - 1].kind == M_DROP;
}

/* Something was written at the current point: the nearest element that
 * is written has a child now (img: an img span). */
static void
m_child(struct state *st, bool img)
{
	for (int i = st->depth - 1; i >= 0; i--) {
		struct frame *f = &st->stack[i];
		if (f->kind == M_UNWRAP)
			continue;
		if (f->kind == M_EMIT) {
			f->only_img = (f->child ? f->only_img : true) && img;
			f->child = true;
		}
		return;
	}
}

static void
m_span(struct state *st, size_t start, const char *url, size_t dep)
{
	struct sanitize_span *n;

	if (st->nspans == st->capspans) {
		size_t cap = st->capspans ? st->capspans * 2 : 8;
		n = arena_calloc(st->a, cap, sizeof(*n));
		if (n == NULL) {
			st->nomem = true;
			return;
		}
		if (st->nspans > 0)
			memcpy(n, st->spans, st->nspans * sizeof(*n));
		st->spans = n;
		st->capspans = cap;
	}
	st->spans[st->nspans++] = (struct sanitize_span){ .start = start,
	    .end = st->out.len, .url = url, .dep = dep };
}

/* A value as libxml2 writes an attribute: &, <, > escaped except in an
 * "&{...}" or "<!--...-->" run (HTML 4 script macros, server-side
 * includes), then quoted with ' when it holds " but no '. */
static void
m_attr_value(struct state *st, const char *v)
{
	struct buf *b = &st->val;
	const char *p;

	buf_clear(b);
	b->max = SANITIZE_MAX_DATA_URL * 4;
	for (p = v; *p != '\0'; p++) {
		const char *end;
		if (*p == '<' && strncmp(p + 1, "!--", 3) == 0 &&
		    (end = strstr(p, "-->")) != NULL) {
			buf_append(b, p, (size_t)(end + 3 - p));
			p = end + 2;
		} else if (*p == '&' && p[1] == '{' && (end = strchr(p, '}')) != NULL) {
			buf_append(b, p, (size_t)(end + 1 - p));
			p = end;
		} else if (*p == '&' || *p == '<' || *p == '>') {
			buf_appends(b, escape_of((unsigned char)*p));
		} else {
			buf_appendc(b, *p);
		}
	}
	p = buf_cstr(b);
	if (strchr(p, '"') == NULL) {
		out_put(st, "=\"", 2);
		out_put(st, p, b->len);
		out_put(st, "\"", 1);
	} else if (strchr(p, '\'') == NULL) {
		out_put(st, "='", 2);
		out_put(st, p, b->len);
		out_put(st, "'", 1);
	} else {
		out_put(st, "=\"", 2);
		for (; *p != '\0'; p++)
			out_put(st, *p == '"' ? "&quot;" : p, *p == '"' ? 6 : 1);
		out_put(st, "\"", 1);
	}
}

/* href and src as libxml2 writes them: leading blanks cut, then every
 * byte but letters, digits and -_.!~*'()#&+,/:;<=>?@% %-escaped (after
 * the escaping of m_attr_value, whose & and ; stay). */
static void
m_attr_url(struct state *st, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf enc;
	const char *p;

	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	buf_init(&enc, SANITIZE_MAX_DATA_URL * 4);
	for (p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.!~*'()#&+,/:;<=>?@%", c) != NULL) {
			buf_appendc(&enc, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(&enc, e, 3);
		}
	}
	m_attr_value(st, buf_cstr(&enc));
	buf_fini(&enc);
}

static void
m_attr(struct state *st, const char *name, const char *v)
{
	size_t n = strlen(name);

	out_put(st, " ", 1);
	out_put(st, name, n);
	if (m_in(m_boolean, name, n))
		return;
	if (v[0] == '\0')
		out_put(st, "=\"\"", 3);
	else if (strcmp(name, "href") == 0 || strcmp(name, "src") == 0)
		m_attr_url(st, v);
	else
		m_attr_value(st, v);
}

static bool
m_href_ok(const char *v)
{
	return strncasecmp(v, "https://", 8) == 0 || strncasecmp(v, "http://", 7) == 0 ||
	    strncasecmp(v, "mailto:", 7) == 0;
}

/* The start tag of a kept element, attributes through the allow-list and
 * the media rules; false when an img has to go (no source, or rewrite
 * said so). */
static bool
m_emit_start(struct state *st, const char *name, const struct htmltok *t)
{
	size_t mark = st->out.len, nlen = strlen(name);
	bool is_img = strcmp(name, "img") == 0, has_alt = false, has_lang = false;
	const char *src = NULL, *to = NULL;
	size_t i;

	if (is_img) {
		for (i = 0; i < t->nattrs && src == NULL; i++) {
			const struct attr *at = attr_find(t->attrs[i].name, t->attrs[i].nlen, name);
			if (at != NULL && at->kind == A_SRC)
				src = attr_value(st, name, at,
				    attr_normalize(st, t->attrs[i].value, t->attrs[i].vlen));
		}
		if (src == NULL || (to = st->o->media->rewrite(st->o->media->ctx, src)) == NULL)
			return false;
	}
	out_put(st, "<", 1);
	out_put(st, name, nlen);
	for (i = 0; i < t->nattrs; i++) {
		const char *an = t->attrs[i].name;
		const struct attr *at = attr_find(an, t->attrs[i].nlen, name);
		const char *v;
		if (at == NULL)
			continue;
		if (at->kind == A_LANG) {
			if (has_lang)
				continue;
			has_lang = true;
		}
		an = at->kind == A_LANG ? "lang" : at->name;
		if (m_in(m_drop_attrs, an, strlen(an)) && !(is_img && at->kind == A_SRC))
			continue;
		v = attr_value(st, name, at, attr_normalize(st, t->attrs[i].value,
		    t->attrs[i].vlen));
		if (v == NULL || (at->kind == A_HREF && !m_href_ok(v)))
			continue;
		if (is_img && at->kind == A_SRC)
			v = to;   /* the tokenizer kept one src, the first */
		has_alt = has_alt || strcmp(an, "alt") == 0;
		m_attr(st, an, v);
	}
	if (strcmp(name, "a") == 0)
		m_attr(st, "rel", LINK_REL);
	if (is_img) {
		if (!has_alt)
			m_attr(st, "alt", "");
		m_attr(st, "loading", "lazy");
	}
	out_put(st, ">", 1);
	if (is_img)
		m_span(st, mark, src, 0);
	return true;
}

/* Closes the top frame as libxml2 would write it. */
static void
m_pop(struct state *st)
{
	struct frame *f = &st->stack[--st->depth];
	size_t start = st->out.len;

	st->open[f->hash]--;
	if (f->kind != M_EMIT)
		return;
	/* An empty li is written "<li>" (libxml2's saveEndTag). */
	if (strcmp(f->name, "li") == 0 && !f->child)
		return;
	out_force(st, "</", 2);
	out_force(st, f->name, strlen(f->name));
	out_force(st, ">", 1);
	if (strcmp(f->name, "li") == 0 && f->only_img && f->first_span < st->nspans)
		m_span(st, start, NULL, f->first_span);
}

/* True when s[0..n) holds U+FFFE or U+FFFF (not XML characters). */
static bool
m_nonchar(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, 0xef, (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && (unsigned char)p[1] == 0xbf &&
		    ((unsigned char)p[2] == 0xbe || (unsigned char)p[2] == 0xbf))
			return true;
		p++;
	}
	return false;
}

static void
m_start(struct state *st, const struct htmltok *t)
{
	const struct elem *e;
	struct frame *f;
	bool isvoid, drop;
	unsigned char kind;

	/* libxml2 2.9 reads no more plain text after an attribute value
	 * holding U+FFFE or U+FFFF (references still give text). */
	for (size_t i = 0; i < t->nattrs; i++)
		st->m_notext = st->m_notext || m_nonchar(t->attrs[i].value, t->attrs[i].vlen);
	if (t->name_long || strcmp(t->name, "html") == 0 ||
	    strcmp(t->name, "head") == 0 || strcmp(t->name, "body") == 0)
		return;
	while (st->depth > 0 && m_closes(st->stack[st->depth - 1].name, t->name, t->nlen))
		m_pop(st);
	e = elem_find(t->name, name_hash(t->name, t->nlen));
	isvoid = m_in(m_void, t->name, t->nlen);
	drop = m_dropping(st);
	if (drop || m_in(m_drop, t->name, t->nlen) || (e != NULL && (e->flags & E_DROP)))
		kind = M_DROP;
	else if (e == NULL || !(e->flags & E_ALLOW) || m_in(m_unwrap, t->name, t->nlen))
		kind = M_UNWRAP;
	else
		kind = M_EMIT;
	if (kind == M_EMIT) {
		if (!m_emit_start(st, t->name, t))
			return;
		m_child(st, strcmp(t->name, "img") == 0);
	}
	if (isvoid)
		return;
	if (st->depth >= STACK_MAX) {
		st->truncated = true;   /* deeper than any sanitized fragment */
		return;
	}
	f = &st->stack[st->depth++];
	f->e = e;
	f->flags = e != NULL ? e->flags : 0;
	f->hash = name_hash(t->name, t->nlen);
	f->kind = kind;
	f->child = f->only_img = false;
	f->first_span = st->nspans;
	memcpy(f->name, t->name, t->nlen + 1);
	st->open[f->hash]++;
}

static void
m_end(struct state *st, const struct htmltok *t)
{
	int pri, i;

	if (t->name_long || !is_open(st, t->name))
		return;
	pri = m_priority(t->name);
	for (i = st->depth - 1; i >= 0; i--) {
		if (strcmp(st->stack[i].name, t->name) == 0)
			break;
		if (m_priority(st->stack[i].name) > pri)
			return;
	}
	while (i >= 0 && st->depth > i)
		m_pop(st);
}

/* Text; U+FFFE and U+FFFF are dropped, as libxml2 drops them. */
static void
m_text(struct state *st, const char *s, size_t len)
{
	size_t before = st->out.len, i = 0;

	if (m_dropping(st) || len == 0)
		return;
	while (i < len) {
		const char *nc = memchr(s + i, 0xef, len - i);
		size_t run = nc != NULL ? (size_t)(nc - s) - i : len - i;
		out_text(st, s + i, run, false);
		i += run;
		if (i >= len)
			break;
		if (i + 2 < len && (unsigned char)s[i + 1] == 0xbf &&
		    ((unsigned char)s[i + 2] == 0xbe || (unsigned char)s[i + 2] == 0xbf))
			i += 3;
		else {
			out_text(st, s + i, 1, false);
			i++;
		}
	}
	if (st->out.len > before)
		m_child(st, false);
}

/* The tokenizer on html[0..len): checked for UTF-8 unless the caller
 * knows it is (sanitize_opts.utf8). */
static void
tok_start(struct state *st, const char *html, size_t len)
{
	htmltok_reset_utf8(&st->tok, html, len,
	    (st->o != NULL && st->o->utf8) || utf8_valid(html, len));
}

static enum rc
m_run(struct state *st, const char *html, size_t len)
{
	struct htmltok *t = &st->tok;

	tok_start(st, html, len);
	while (!st->truncated && !st->nomem) {
		enum htmltok_type ty = htmltok_next(t);
		if (ty == HTMLTOK_EOF)
			break;
		if (ty == HTMLTOK_TEXT && !t->raw &&
		    (!st->m_notext || t->text == t->ref))
			m_text(st, t->text, t->len);
		else if (ty == HTMLTOK_START)
			m_start(st, t);
		else if (ty == HTMLTOK_END)
			m_end(st, t);
	}
	while (st->depth > 0)
		m_pop(st);
	if (t->err != RC_OK)
		return t->err;
	return st->nomem ? RC_NOMEM : RC_OK;
}

enum rc
sanitize_cut(struct arena *a, const char *html, size_t len,
    const struct sanitize_span *spans, size_t nspans,
    bool (*keep)(void *arg, size_t i), void *arg, char **out)
{
	bool *gone, any = false;
	struct buf b;
	size_t at = 0;
	enum rc rc = RC_OK;

	*out = (char *)html;
	if (nspans == 0)
		return RC_OK;
	if ((gone = arena_calloc(a, nspans, sizeof(*gone))) == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < nspans; i++) {
		if (spans[i].url != NULL) {
			gone[i] = !keep(arg, i);
		} else {
			gone[i] = spans[i].dep < i;
			for (size_t k = spans[i].dep; k < i && gone[i]; k++)
				gone[i] = spans[k].url == NULL || gone[k];
		}
		any = any || gone[i];
	}
	if (!any)
		return RC_OK;
	buf_init(&b, len + 1);
	for (size_t i = 0; i < nspans && rc == RC_OK; i++) {
		if (!gone[i])
			continue;
		rc = buf_append(&b, html + at, spans[i].start - at);
		at = spans[i].end;
	}
	if (rc == RC_OK)
		rc = buf_append(&b, html + at, len - at);
	if (rc == RC_OK && (*out = arena_strndup(a, b.data != NULL ? b.data : "", b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

/* Tokenizes html[0..len) and builds the tree with the policy applied. */
static enum rc
state_run(struct state *st, const char *html, size_t len)
{
	struct htmltok *t = &st->tok;

	tok_start(st, html, len);
	while (!st->truncated && !st->nomem) {
		enum htmltok_type ty = htmltok_next(t);
		if (ty == HTMLTOK_EOF)
			break;
		switch (ty) {
		case HTMLTOK_TEXT:
			/* Raw text belongs to script, style, textarea, ...:
			 * all dropped with their content. */
			if (!t->raw)
				tree_text(st, t->text, t->len);
			break;
		case HTMLTOK_START:
			tree_start(st, t);
			break;
		case HTMLTOK_END:
			tree_end(st, t);
			break;
		default:
			break; /* comments, doctypes */
		}
	}
	/* Everything still open is closed (past the cap too: out_force). */
	pop_to(st, 0);
	if (t->err != RC_OK)
		return t->err;
	return st->nomem ? RC_NOMEM : RC_OK;
}

enum rc
sanitize_html(struct sanitize *s, const char *html, size_t len,
    const struct sanitize_opts *o, struct sanitize_result *out)
{
	struct state *st;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if (len > SANITIZE_MAX_IN)
		return RC_TOOBIG;
	st = state_get(s, o, false, (o != NULL && o->max_len > 0) ?
	    o->max_len : SANITIZE_MAX_OUT);
	rc = o != NULL && o->media != NULL ? m_run(st, html, len) :
	    state_run(st, html, len);
	if (rc != RC_OK)
		return rc;
	out->html = arena_memdup(s->a, buf_cstr(&st->out), st->out.len + 1);
	if (out->html == NULL)
		return RC_NOMEM;
	out->len = st->out.len;
	out->images = st->images;
	out->nimages = st->nimages;
	out->truncated = st->truncated;
	out->spans = st->spans;
	out->nspans = st->nspans;
	return RC_OK;
}

enum rc
sanitize_text(struct sanitize *s, const char *html, size_t len, size_t max,
    char **out)
{
	struct state *st;
	enum rc rc;

	*out = NULL;
	if (len > SANITIZE_MAX_IN)
		return RC_TOOBIG;
	if (max == 0)
		max = SANITIZE_MAX_OUT;
	/* Room for white space that collapsing will take out. */
	st = state_get(s, NULL, true, max * 2 + 64);
	rc = state_run(st, html, len);
	if (rc != RC_OK)
		return rc;
	*out = arena_strdup(s->a, buf_cstr(&st->out));
	if (*out == NULL)
		return RC_NOMEM;
	sanitize_collapse_ws(*out);
	sanitize_truncate_utf8(*out, max);
	return RC_OK;
}

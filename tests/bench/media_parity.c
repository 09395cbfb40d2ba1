/* media_parity: the media rewrite of the sanitizer's media mode against
 * the libxml2 parse-rewrite-serialize it replaced (kept here only), on
 * every item content and HTML fragment given. Development tool: built by
 * hand, not by make:
 *   cc -I. -o /tmp/media_parity tests/bench/media_parity.c libsocialhub.a \
 *      widgets/feeds/libfeeds.a util/libutil.a $(xml2-config --cflags --libs) ...
 *   media_parity FILE...   (feeds, or HTML fragments one per line with -l)
 * Prints every difference; exit 1 when there is one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/sanitize.h"
#include "widgets/media.h"

#define media_rewrite_html old_rewrite_html
/* ---- HTML rewrite ---- */

/* Elements removed with everything inside: players, frames, resources,
 * scripting and form controls. The sanitizer should have removed most of
 * them; this pass guarantees that nothing here loads from another host. */
static const char *const drop_elements[] = {
	"applet", "area", "audio", "base", "button", "canvas", "form",
	"frame", "frameset", "iframe", "input", "link", "map", "math", "meta",
	"noscript", "object", "param", "portal", "script", "select",
	"style", "svg", "template", "textarea", "video",
};

/* HTML5 void elements that libxml2's HTML 4 parser does not know: it nests
 * the following siblings inside them. They go, their "children" stay. */
static const char *const unwrap_elements[] = { "embed", "keygen", "source", "track", "wbr" };

/* Attributes removed from every element. */
static const char *const drop_attrs[] = {
	"action", "background", "data", "decoding", "dynsrc", "formaction",
	"loading", "longdesc", "lowsrc", "ping", "poster", "sizes", "src",
	"srcset", "style", "usemap", "xmlns",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, list[i]) == 0)
			return true;
	return false;
}

/* The next node in document order after n's subtree, below `stop`. */
static xmlNodePtr
next_after(xmlNodePtr n, xmlNodePtr stop)
{
	while (n != NULL && n != stop) {
		if (n->next != NULL)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static bool
href_ok(const char *v)
{
	return strncasecmp(v, "https://", 8) == 0 || strncasecmp(v, "http://", 7) == 0 ||
	    strncasecmp(v, "mailto:", 7) == 0;
}

/* Drops the listed attributes, event handlers and unsafe hrefs. */
static void
clean_attrs(xmlNodePtr n, bool is_img)
{
	xmlAttrPtr at = n->properties;

	while (at != NULL) {
		xmlAttrPtr next = at->next;
		const char *name = (const char *)at->name;
		bool drop = strncasecmp(name, "on", 2) == 0 ||
		    strchr(name, ':') != NULL ||
		    (in_list(name, drop_attrs, sizeof(drop_attrs) / sizeof(drop_attrs[0])) &&
		    !(is_img && strcasecmp(name, "src") == 0));
		if (!drop && strcasecmp(name, "href") == 0) {
			xmlChar *v = xmlNodeGetContent((xmlNodePtr)at);
			drop = v == NULL || !href_ok((const char *)v);
			xmlFree(v);
		}
		if (drop)
			xmlRemoveProp(at);
		at = next;
	}
}

/* Maps an <img>'s src; false when the image must go. */
static bool
fix_img(xmlNodePtr n, media_map_fn map, void *arg)
{
	xmlChar *src = xmlGetProp(n, (const xmlChar *)"src");
	const char *to = NULL;
	bool ok;

	if (src != NULL && media_url_fetchable((const char *)src))
		to = map(arg, (const char *)src);
	ok = to != NULL;
	if (ok)
		xmlSetProp(n, (const xmlChar *)"src", (const xmlChar *)to);
	xmlFree(src);
	if (!ok)
		return false;
	if (!xmlHasProp(n, (const xmlChar *)"alt"))
		xmlSetProp(n, (const xmlChar *)"alt", (const xmlChar *)"");
	xmlSetProp(n, (const xmlChar *)"loading", (const xmlChar *)"lazy");
	return true;
}

/* Moves n's children in front of it and removes n; returns the first
 * moved child (or what followed n). */
static xmlNodePtr
unwrap(xmlNodePtr n, xmlNodePtr stop)
{
	xmlNodePtr first = n->children, next;

	while (n->children != NULL) {
		xmlNodePtr c = n->children;
		xmlUnlinkNode(c);
		xmlAddPrevSibling(n, c);
	}
	next = first != NULL ? first : next_after(n, stop);
	xmlUnlinkNode(n);
	xmlFreeNode(n);
	return next;
}

static void
rewrite_tree(xmlNodePtr body, media_map_fn map, void *arg)
{
	xmlNodePtr n = body->children;

	while (n != NULL) {
		xmlNodePtr next;
		bool drop = false;

		if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			bool img = strcasecmp(name, "img") == 0;
			if (in_list(name, unwrap_elements, sizeof(unwrap_elements) /
			    sizeof(unwrap_elements[0]))) {
				n = unwrap(n, body);
				continue;
			}
			drop = in_list(name, drop_elements, sizeof(drop_elements) / sizeof(drop_elements[0]));
			if (!drop) {
				clean_attrs(n, img);
				drop = img && !fix_img(n, map, arg);
			}
			if (!drop && n->children != NULL) {
				n = n->children;
				continue;
			}
		} else if (n->type != XML_TEXT_NODE) {
			drop = true;   /* comments, PIs, CDATA, entity refs */
		}
		next = next_after(n, body);
		if (drop) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		n = next;
	}
}

static xmlNodePtr
find_body(htmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	for (xmlNodePtr c = root != NULL ? root->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcasecmp((const char *)c->name, "body") == 0)
			return c;
	return NULL;
}

/* Serializes body's children (no formatting) into an arena string. */
static enum rc
dump_children(struct arena *a, htmlDocPtr doc, xmlNodePtr body, char **out)
{
	xmlOutputBufferPtr o = xmlAllocOutputBuffer(NULL);
	enum rc rc = RC_NOMEM;
	const xmlChar *s;

	if (o == NULL)
		return RC_NOMEM;
	for (xmlNodePtr c = body->children; c != NULL; c = c->next)
		htmlNodeDumpFormatOutput(o, doc, c, "UTF-8", 0);
	if (xmlOutputBufferFlush(o) >= 0 && o->error == 0) {
		s = xmlOutputBufferGetContent(o);
		*out = arena_strndup(a, s != NULL ? (const char *)s : "",
		    s != NULL ? xmlOutputBufferGetSize(o) : 0);
		rc = *out != NULL ? RC_OK : RC_NOMEM;
	}
	xmlOutputBufferClose(o);
	return rc;
}

enum rc
media_rewrite_html(struct arena *a, const char *html, media_map_fn map,
    void *arg, char **out)
{
	static const char head[] = "<!DOCTYPE html><html><head>"
	    "<meta charset=\"utf-8\"></head><body>";
	static const char tail[] = "</body></html>";
	struct buf b;
	htmlDocPtr doc = NULL;
	xmlNodePtr body;
	enum rc rc;

	*out = NULL;
	buf_init(&b, (size_t)64 * 1024 * 1024);
	rc = buf_appends(&b, head);
	if (rc == RC_OK)
		rc = buf_appends(&b, html != NULL ? html : "");
	if (rc == RC_OK)
		rc = buf_appends(&b, tail);
	if (rc != RC_OK)
		goto out;
	doc = htmlReadMemory(b.data, (int)b.len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	body = doc != NULL ? find_body(doc) : NULL;
	if (body == NULL) {
		*out = arena_strdup(a, "");
		rc = *out != NULL ? RC_OK : RC_NOMEM;
		goto out;
	}
	rewrite_tree(body, map, arg);
	rc = dump_children(a, doc, body, out);
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	buf_fini(&b);
	return rc;
}

#undef media_rewrite_html

/* Every third image (by a hash of its URL) is "not in the cache". */
static bool
dropped(const char *url)
{
	unsigned h = 5381;

	for (; *url; url++)
		h = h * 33 + (unsigned char)*url;
	return h % 3 == 0;
}

static const char *
old_map(void *arg, const char *url)
{
	return dropped(url) ? NULL : arena_printf(arg, "https://m.example/social/media/%zu", strlen(url));
}

static const char *
new_rewrite(void *arg, const char *url)
{
	if (!media_url_fetchable(url))
		return NULL;
	return arena_printf(arg, "https://m.example/social/media/%zu", strlen(url));
}

struct cutarg { const struct sanitize_span *s; };

static bool
keep(void *arg, size_t i)
{
	struct cutarg *c = arg;

	return !dropped(c->s[i].url);
}

static long ndiff, ncases;

static void
check(struct sanitize *san, struct arena *a, const char *html, const char *where)
{
	struct sanitize_media m = { .rewrite = new_rewrite, .ctx = a };
	struct sanitize_opts o = { .max_len = 64u * 1024 * 1024, .media = &m };
	struct sanitize_result r;
	char *old = NULL, *cut = NULL;

	ncases++;
	if (old_rewrite_html(a, html, old_map, a, &old) != RC_OK ||
	    sanitize_html(san, html, strlen(html), &o, &r) != RC_OK ||
	    sanitize_cut(a, r.html, r.len, r.spans, r.nspans, keep,
	    &(struct cutarg){ r.spans }, &cut) != RC_OK) {
		printf("ERROR %s\n", where);
		ndiff++;
		return;
	}
	if (strcmp(old, cut) != 0) {
		ndiff++;
		printf("DIFF %s\n  in:  %s\n  old: %s\n  new: %s\n", where, html, old, cut);
	}
}

int
main(int argc, char **argv)
{
	bool lines = false;

	sanitize_global_init();
	for (int i = 1; i < argc; i++) {
		struct arena *a = arena_new(1 << 20, 0);
		struct sanitize *san = sanitize_new(a), *first = sanitize_new(a);
		char *data;
		size_t n;

		if (strcmp(argv[i], "-l") == 0) {
			lines = true;
			arena_free(a);
			continue;
		}
		if (fsutil_read(argv[i], 64u << 20, &data, &n) != RC_OK) {
			arena_free(a);
			continue;
		}
		if (lines) {
			/* HTML fragments: sanitized first, as the parser does. */
			char *save = NULL;
			for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
				struct sanitize_result r;
				if (sanitize_html(first, l, strlen(l), NULL, &r) == RC_OK)
					check(san, a, r.html, argv[i]);
			}
			/* and the whole file as one fragment */
		} else {
			struct feed f;
			struct feed_parse_opts po = { .base_url = "https://feed.example/x/", .fetch_time = 1 };
			if (feed_parse(a, data, n, &po, &f) == RC_OK) {
				for (size_t k = 0; k < f.nitems; k++)
					if (f.items[k].content_html != NULL)
						check(san, a, f.items[k].content_html, argv[i]);
			} else {
				struct sanitize_result r;
				if (sanitize_html(first, data, n, NULL, &r) == RC_OK)
					check(san, a, r.html, argv[i]);
			}
		}
		free(data);
		arena_free(a);
	}
	printf("%ld cases, %ld differ\n", ncases, ndiff);
	return ndiff > 0;
}

/* media: media ids, image sniffing, and the rewrite that keeps every image
 * on our own origin. */
#include "widgets/media.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>

#include "util/crypto.h"

#define MEDIA_ID_DOMAIN "socialhub-media-v1"

void
media_id_for_url(const char *url, char out[MEDIA_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[CRYPTO_SHA256_LEN];
	unsigned char msg[sizeof(MEDIA_ID_DOMAIN) + MEDIA_URL_MAX];
	size_t dlen = sizeof(MEDIA_ID_DOMAIN);   /* its NUL is the separator */
	size_t ulen = strlen(url);

	memcpy(msg, MEDIA_ID_DOMAIN, dlen);
	if (ulen <= MEDIA_URL_MAX) {
		memcpy(msg + dlen, url, ulen);
	} else {
		/* Never fetched (media_url_fetchable), but still a stable id:
		 * the URL's own hash after a different separator. */
		msg[dlen - 1] = 0x01;
		crypto_sha256(url, ulen, sum);
		memcpy(msg + dlen, sum, sizeof(sum));
		ulen = sizeof(sum);
	}
	crypto_sha256(msg, dlen + ulen, sum);
	for (size_t i = 0; i < MEDIA_ID_LEN / 2; i++) {
		out[2 * i] = hex[sum[i] >> 4];
		out[2 * i + 1] = hex[sum[i] & 15];
	}
	out[MEDIA_ID_LEN] = '\0';
}

bool
media_id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < MEDIA_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

/* ISO BMFF: is the ftyp box's major or a compatible brand avif/avis? */
static bool
sniff_avif(const unsigned char *p, size_t n)
{
	uint32_t box;

	if (n < 16 || memcmp(p + 4, "ftyp", 4) != 0)
		return false;
	box = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (box < 16 || box > 4096)
		return false;
	if (box < n)
		n = box;
	/* major brand at 8, minor version at 12, compatible brands from 16. */
	for (size_t off = 8; off + 4 <= n; off += off == 8 ? 8 : 4)
		if (memcmp(p + off, "avif", 4) == 0 || memcmp(p + off, "avis", 4) == 0)
			return true;
	return false;
}

const char *
media_sniff(const void *data, size_t n)
{
	const unsigned char *p = data;

	if (p == NULL)
		return NULL;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (sniff_avif(p, n))
		return "image/avif";
	return NULL;
}

bool
media_url_fetchable(const char *url)
{
	size_t skip, n;

	if (url == NULL)
		return false;
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	n = strlen(url);
	if (n > MEDIA_URL_MAX || n == skip || url[skip] == '/')
		return false;
	for (const unsigned char *s = (const unsigned char *)url; *s != '\0'; s++)
		if (*s <= 0x20 || *s == 0x7f || *s == '"' || *s == '\'' || *s == '<' ||
		    *s == '>' || *s == '\\' || *s == '`')
			return false;
	return true;
}

enum rc
media_proxy_url(struct buf *b, const char *base, const char *url)
{
	char id[MEDIA_ID_LEN + 1];

	media_id_for_url(url, id);
	return buf_appendf(b, "%s/media/%s", base, id);
}

/* The image type an URL's file extension suggests, or NULL. */
static const char *
ext_type(const char *url)
{
	static const struct { const char *ext, *type; } ext[] = {
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" }, { ".gif", "image/gif" },
		{ ".webp", "image/webp" }, { ".avif", "image/avif" },
	};
	const char *path = strstr(url, "://"), *end;
	size_t len;

	path = path != NULL ? strchr(path + 3, '/') : NULL;
	if (path == NULL)
		return NULL;
	end = path + strcspn(path, "?#");
	len = (size_t)(end - path);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t el = strlen(ext[i].ext);
		if (len > el + 1 && end[-(ptrdiff_t)el - 1] != '/' &&
		    strncasecmp(end - el, ext[i].ext, el) == 0)
			return ext[i].type;
	}
	return NULL;
}

bool
media_attachment_is_image(const struct feed_attachment *at)
{
	if (at == NULL || at->url == NULL)
		return false;
	if (at->mime_type != NULL)
		return strncasecmp(at->mime_type, "image/", 6) == 0 &&
		    strncasecmp(at->mime_type, "image/svg", 9) != 0;
	return ext_type(at->url) != NULL;
}

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

/* ---- items ---- */

static const char *
map_url(const char *url, media_map_fn map, void *arg)
{
	if (url == NULL || !media_url_fetchable(url))
		return NULL;
	return map(arg, url);
}

enum rc
media_map_person(struct arena *a, const struct feed_person *in,
    media_map_fn map, void *arg, struct feed_person *out)
{
	(void)a;
	*out = *in;
	out->avatar = (char *)map_url(in->avatar, map, arg);
	return RC_OK;
}

static enum rc
map_attachments(struct arena *a, const struct feed_item *in, media_map_fn map,
    void *arg, struct feed_item *out)
{
	size_t k = 0;

	out->attachments = NULL;
	out->nattachments = 0;
	if (in->nattachments == 0)
		return RC_OK;
	out->attachments = arena_calloc(a, in->nattachments, sizeof(*out->attachments));
	if (out->attachments == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < in->nattachments; i++) {
		struct feed_attachment at = in->attachments[i];
		if (at.url == NULL)
			continue;
		if (media_attachment_is_image(&at)) {
			if (at.mime_type == NULL)
				at.mime_type = (char *)ext_type(at.url);
			at.url = (char *)map_url(at.url, map, arg);
			if (at.url == NULL)
				continue;
		}
		out->attachments[k++] = at;
	}
	out->nattachments = k;
	return RC_OK;
}

enum rc
media_map_item(struct arena *a, const struct feed_item *in, media_map_fn map,
    void *arg, struct feed_item *out)
{
	enum rc rc;

	*out = *in;
	out->image = (char *)map_url(in->image, map, arg);
	out->banner_image = (char *)map_url(in->banner_image, map, arg);
	if (in->nauthors > 0) {
		out->authors = arena_calloc(a, in->nauthors, sizeof(*out->authors));
		if (out->authors == NULL)
			return RC_NOMEM;
		for (size_t i = 0; i < in->nauthors; i++)
			media_map_person(a, &in->authors[i], map, arg, &out->authors[i]);
	}
	if ((rc = map_attachments(a, in, map, arg, out)) != RC_OK)
		return rc;
	if (in->content_html != NULL)
		return media_rewrite_html(a, in->content_html, map, arg, &out->content_html);
	return RC_OK;
}

/* render_common: what the four renderers share — layout names, an item's
 * source name and avatar, link checks, network and kind, dates, excerpts,
 * JSON helpers. It calls no renderer and nothing of render.c: render.c
 * dispatches to the renderers, the renderers call this. */
#include "widgets/render_common.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/catalog.h"
#include "util/html.h"
#include "util/icufmt.h"
#include "util/jsonutil.h"
#include "util/url.h"
#include "widgets/media.h"

const char *const render_layouts[RENDER_LAYOUT_COUNT + 1] = {
	[RENDER_LIST] = "list", [RENDER_GRID] = "grid", [RENDER_CAROUSEL] = "carousel",
	[RENDER_LAYOUT_COUNT] = NULL,
};

bool
render_layout_parse(const char *s, enum render_layout *out)
{
	for (int i = 0; s != NULL && i < RENDER_LAYOUT_COUNT; i++)
		if (strcmp(s, render_layouts[i]) == 0) {
			*out = (enum render_layout)i;
			return true;
		}
	return false;
}

const char *
render_layout_name(enum render_layout l)
{
	return l < RENDER_LAYOUT_COUNT ? render_layouts[l] : render_layouts[RENDER_LIST];
}

const char *
render_source_title(const struct render_page *p, const struct feed_item *it)
{
	if (it->source == NULL)
		return NULL;
	for (size_t i = 0; i < p->nsources; i++)
		if (strcmp(p->sources[i].name, it->source) == 0)
			return p->sources[i].title != NULL ? p->sources[i].title : it->source;
	return it->source;
}

const char *
render_source_avatar(const struct render_page *p, const struct feed_item *it)
{
	for (size_t i = 0; it->source != NULL && i < p->nsources; i++)
		if (strcmp(p->sources[i].name, it->source) == 0)
			return p->sources[i].avatar;
	return NULL;
}

bool
render_link_ok(const char *url)
{
	return media_url_fetchable(url);
}

bool
render_is_iri(const char *s)
{
	const char *p = s;

	if (s == NULL || !isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':' || p[1] == '\0' || strlen(s) > MEDIA_URL_MAX)
		return false;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == '"' || *p == '\\' || *p == '`' || *p == '{' || *p == '}')
			return false;
	return true;
}

struct dump {
	struct buf *b;
	enum rc rc;
};

static int
dump_cb(const char *p, size_t n, void *arg)
{
	struct dump *d = arg;

	if (d->rc == RC_OK)
		d->rc = buf_append(d->b, p, n);
	return d->rc == RC_OK ? 0 : -1;
}

enum rc
render_dump_json(struct buf *out, const json_t *j)
{
	struct dump d = { .b = out, .rc = RC_OK };
	size_t before = out->len;
	enum rc rc;

	if (json_dump_callback(j, dump_cb, &d, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0)
		rc = buf_appendc(out, '\n');
	else
		rc = d.rc != RC_OK ? d.rc : RC_NOMEM;
	if (rc != RC_OK) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
	}
	return rc;
}

/* ---- dates ---- */

static void
utc(long long t, struct tm *tm)
{
	time_t tt = (time_t)(t < 0 ? 0 : t);

	if (gmtime_r(&tt, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

enum rc
render_rfc3339(struct buf *b, long long t)
{
	struct tm tm;

	utc(t, &tm);
	return buf_appendf(b, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool
render_json_set_str(json_t *o, const char *key, const char *s)
{
	return jsonutil_set_str(o, key, s, JSONUTIL_NONEMPTY) == RC_OK;
}

bool
render_json_set_date(json_t *o, const char *key, long long t)
{
	struct buf b;
	bool ok;

	buf_init(&b, 64);
	ok = render_rfc3339(&b, t) == RC_OK && render_json_set_str(o, key, b.data);
	buf_fini(&b);
	return ok;
}

/* ---- kinds and networks ---- */

/* The host of an absolute URL without "www." / "m.", into out. */
static void
url_host(const char *url, char *out, size_t max)
{
	const char *h = url != NULL ? strstr(url, "://") : NULL;
	size_t n;

	out[0] = '\0';
	if (h == NULL)
		return;
	h += 3;
	n = strcspn(h, "/:?#@");
	if (h[n] == '@') {   /* userinfo: skip it */
		h += n + 1;
		n = strcspn(h, "/:?#");
	}
	if (strncasecmp(h, "www.", 4) == 0 && n > 4) {
		h += 4;
		n -= 4;
	} else if (strncasecmp(h, "m.", 2) == 0 && n > 2) {
		h += 2;
		n -= 2;
	}
	if (n >= max)
		n = max - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[n] = '\0';
}

static bool
host_is(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	return h == d ? strcmp(host, domain) == 0 :
	    h > d && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0;
}

/* s starts with a name of [A-Za-z0-9_.-] ended by end; the length, or 0. */
static size_t
name_then(const char *s, char end)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-");

	return n > 0 && s[n] == end ? n : 0;
}

/* A digits-only last segment (then nothing, or a query or fragment). */
static bool
digits_end(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && (s[n] == '\0' || s[n] == '?' || s[n] == '#');
}

/*
 * Mastodon runs on any host, so it is known by the form of a post's URL,
 * not by a path prefix: /@user/ID or /users/user/statuses/ID with a
 * numeric ID. /@user alone is left out: other sites (Medium, TikTok,
 * YouTube handles) use the same shape for their own profiles.
 */
static bool
mastodon_status_path(const char *path)
{
	size_t n;

	if (strncmp(path, "/@", 2) == 0 && (n = name_then(path + 2, '/')) > 0)
		return digits_end(path + 2 + n + 1);
	if (strncmp(path, "/users/", 7) == 0 && (n = name_then(path + 7, '/')) > 0 &&
	    strncmp(path + 7 + n, "/statuses/", 10) == 0)
		return digits_end(path + 7 + n + 10);
	return false;
}

struct render_network
render_network_of(const char *url)
{
	static const struct {
		const char *domain;
		struct render_network n;
	} hosts[] = {
		{ "youtube.com", { "youtube", "YouTube" } },
		{ "youtu.be", { "youtube", "YouTube" } },
		{ "bsky.app", { "bluesky", "Bluesky" } },
		{ "github.com", { "github", "GitHub" } },
		{ "reddit.com", { "reddit", "Reddit" } },
		{ "vimeo.com", { "vimeo", "Vimeo" } },
		{ "x.com", { "x", "X" } },
		{ "twitter.com", { "x", "X" } },
		{ "threads.net", { "threads", "Threads" } },
		{ "threads.com", { "threads", "Threads" } },
		{ "instagram.com", { "instagram", "Instagram" } },
		{ "facebook.com", { "facebook", "Facebook" } },
		{ "linkedin.com", { "linkedin", "LinkedIn" } },
		{ "tumblr.com", { "tumblr", "Tumblr" } },
	};
	char host[256];
	const char *path;

	url_host(url, host, sizeof(host));
	if (host[0] == '\0')
		return (struct render_network){ "web", "Web" };
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (host_is(host, hosts[i].domain))
			return hosts[i].n;
	path = strstr(url, "://");
	path = path != NULL ? strchr(path + 3, '/') : NULL;
	if (path != NULL && mastodon_status_path(path))
		return (struct render_network){ "mastodon", "Mastodon" };
	return (struct render_network){ "web", "Web" };
}

/* A link to a video network's page. By host only: PeerTube runs on any
 * host, and its /videos/watch/ path on another site is that site's own;
 * PeerTube's feeds say video through their media types (video/mp4). */
static bool
is_video_link(const char *url)
{
	const char *id = render_network_of(url).id;

	return strcmp(id, "youtube") == 0 || strcmp(id, "vimeo") == 0;
}

/* Collapsed text without the title, cut at 200 bytes. */
static char *
text_of(const struct feed_item *it, struct buf *b)
{
	buf_clear(b);
	if (render_text_excerpt(b, it, 200) != RC_OK)
		buf_clear(b);
	return b->data != NULL ? b->data : "";
}

/* True when the title is only the start of the text ("Hello wor…"). */
static bool
title_is_text(const char *title, const char *text)
{
	size_t n = strlen(title);

	while (n > 0 && (title[n - 1] == '.' || title[n - 1] == ' '))
		n--;
	if (n >= 3 && strcmp(title + n - 3, "\xe2\x80\xa6") == 0)
		n -= 3;
	while (n > 0 && title[n - 1] == ' ')
		n--;
	return n == 0 || strncmp(title, text, n) == 0;
}

enum render_kind
render_item_kind(const struct feed_item *it)
{
	enum render_kind k = RENDER_NOTE;
	bool has_image = it->image != NULL;
	struct buf b;
	const char *text;

	/* What the network said, when an API source gave it. */
	switch (it->kind) {
	case FEED_KIND_NOTE: return RENDER_NOTE;
	case FEED_KIND_PHOTO: return RENDER_IMAGE;
	case FEED_KIND_VIDEO: case FEED_KIND_REEL: return RENDER_VIDEO;
	case FEED_KIND_ARTICLE: return RENDER_ARTICLE;
	default: break;
	}
	for (size_t i = 0; i < it->nattachments; i++) {
		const char *t = it->attachments[i].mime_type;
		if (t != NULL && strncasecmp(t, "video/", 6) == 0)
			return RENDER_VIDEO;
		has_image = has_image || media_attachment_is_image(&it->attachments[i]);
	}
	if (is_video_link(it->url) || is_video_link(it->external_url))
		return RENDER_VIDEO;
	buf_init(&b, 4096);
	text = text_of(it, &b);
	if (it->title != NULL && it->title[0] != '\0' && !title_is_text(it->title, text))
		k = RENDER_ARTICLE;
	else if (has_image && strlen(text) < 20)
		k = RENDER_IMAGE;
	buf_fini(&b);
	return k;
}

const char *
render_kind_name(enum render_kind k)
{
	static const char *const names[] = { "Note", "Article", "Video", "Image" };

	return k <= RENDER_IMAGE ? names[k] : names[0];
}

/* ---- excerpts ---- */

static bool
block_tag(const char *tag, size_t n)
{
	static const char *const blocks[] = { "p", "br", "div", "li", "ul", "ol",
	    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td",
	    "th", "hr", "figure", "figcaption", "section", "article", "header",
	    "footer", "dd", "dt", "table" };

	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if (strlen(blocks[i]) == n && strncasecmp(tag, blocks[i], n) == 0)
			return true;
	return false;
}

/* Appends the UTF-8 encoding of code point cp (invalid ones as U+FFFD). */
static enum rc
put_utf8(struct buf *b, unsigned long cp)
{
	char s[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r'))
		cp = 0xfffd;
	if (cp < 0x80) {
		s[0] = (char)cp;
		return buf_append(b, s, 1);
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		return buf_append(b, s, 2);
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		return buf_append(b, s, 3);
	}
	s[0] = (char)(0xf0 | cp >> 18);
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	s[3] = (char)(0x80 | (cp & 0x3f));
	return buf_append(b, s, 4);
}

/* Decodes one entity at s ('&'); returns the bytes consumed (0: none). */
static size_t
entity(struct buf *b, const char *s, enum rc *rc)
{
	static const struct { const char *name; unsigned long cp; } named[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
		{ "apos;", '\'' }, { "nbsp;", ' ' }, { "#39;", '\'' },
	};
	unsigned long cp;
	char *end;

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		size_t n = strlen(named[i].name);
		if (strncmp(s + 1, named[i].name, n) == 0) {
			*rc = put_utf8(b, named[i].cp);
			return n + 1;
		}
	}
	if (s[1] != '#')
		return 0;
	errno = 0;
	if (s[2] == 'x' || s[2] == 'X')
		cp = isxdigit((unsigned char)s[3]) ? strtoul(s + 3, &end, 16) : 0;
	else
		cp = isdigit((unsigned char)s[2]) ? strtoul(s + 2, &end, 10) : 0;
	if (cp == 0 || errno != 0 || *end != ';' || end - s > 12)
		return 0;
	*rc = put_utf8(b, cp);
	return (size_t)(end - s) + 1;
}

/* Appends the text of sanitized HTML: tags out, entities decoded. */
static enum rc
strip_html(struct buf *b, const char *s)
{
	enum rc rc = RC_OK;

	while (*s != '\0' && rc == RC_OK) {
		if (*s == '<') {
			const char *name = s + 1 + (s[1] == '/');
			const char *end = strchr(s, '>');
			size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			if (end == NULL)
				break;
			if (block_tag(name, n))
				rc = buf_appendc(b, ' ');
			s = end + 1;
		} else if (*s == '&') {
			size_t used = entity(b, s, &rc);
			if (used == 0)
				rc = buf_appendc(b, '&');
			s += used > 0 ? used : 1;
		} else {
			rc = buf_appendc(b, *s++);
		}
	}
	return rc;
}

/* Appends raw[0..] with whitespace collapsed, cut to max bytes at a word
 * boundary (or a UTF-8 boundary) with an ellipsis. */
static enum rc
collapse_cut(struct buf *b, const char *raw, size_t max)
{
	size_t start = b->len, cut;
	bool space = true;   /* drop leading white space */
	enum rc rc = RC_OK;

	for (const char *s = raw; *s != '\0' && rc == RC_OK; s++) {
		if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20) {
			space = true;
			continue;
		}
		if (space && b->len > start)
			rc = buf_appendc(b, ' ');
		space = false;
		if (rc == RC_OK)
			rc = buf_appendc(b, *s);
	}
	if (rc != RC_OK || b->len - start <= max)
		return rc;
	cut = start + max;
	while (cut > start && ((unsigned char)b->data[cut] & 0xc0) == 0x80)
		cut--;
	for (size_t i = cut; i > start + max / 2; i--)
		if (b->data[i] == ' ') {
			cut = i;
			break;
		}
	while (cut > start && b->data[cut - 1] == ' ')
		cut--;
	b->len = cut;
	b->data[cut] = '\0';
	return buf_appends(b, "\xe2\x80\xa6");
}

static enum rc
excerpt(struct buf *b, const struct feed_item *it, size_t max, bool title)
{
	struct buf raw;
	enum rc rc = RC_OK;

	buf_init(&raw, (size_t)16 * 1024 * 1024);
	if (title && it->title != NULL && it->title[0] != '\0')
		rc = buf_appends(&raw, it->title);
	else if (it->summary != NULL && it->summary[0] != '\0')
		rc = buf_appends(&raw, it->summary);
	else if (it->content_text != NULL && it->content_text[0] != '\0')
		rc = buf_appends(&raw, it->content_text);
	else if (it->content_html != NULL)
		rc = strip_html(&raw, it->content_html);
	if (rc == RC_OK && raw.len > 0)
		rc = collapse_cut(b, raw.data, max);
	buf_fini(&raw);
	return rc;
}

enum rc
render_excerpt(struct buf *b, const struct feed_item *it, size_t max)
{
	return excerpt(b, it, max, true);
}

enum rc
render_text_excerpt(struct buf *b, const struct feed_item *it, size_t max)
{
	return excerpt(b, it, max, false);
}

enum rc
render_count(struct buf *b, const struct catalog *c, const char *lang, struct icufmt *fmt,
    const char *key, long long n)
{
	char cat[ICUFMT_PLURAL_MAX];
	struct buf num;
	enum rc rc;

	icufmt_plural(fmt, n, cat);
	buf_init(&num, 256);
	rc = buf_appendf(&num, "<data value=\"%lld\">", n);
	if (rc == RC_OK)
		rc = icufmt_compact(fmt, &num, n);
	if (rc == RC_OK)
		rc = buf_appends(&num, "</data>");
	if (rc == RC_OK)
		rc = html_fill(b, catalog_plural(c, lang, key, cat), "{n}", buf_cstr(&num));
	buf_fini(&num);
	return rc;
}

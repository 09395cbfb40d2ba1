/* render: what the four stream renderers share — preparation, page
 * selection and cursors, URLs, dates, item kinds and excerpts. */
#include "widgets/render.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/crypto.h"
#include "util/jsonutil.h"
#include "util/url.h"
#include "widgets/media.h"
#include "widgets/render_int.h"

#define CURSOR_ID_MAX 600   /* longer ids are carried as a hash */

static const struct {
	const char *type, *ext;
} formats[RENDER_FORMAT_COUNT] = {
	[RENDER_JSON] = { "application/feed+json", "json" },
	[RENDER_AS2] = { "application/activity+json", "as2" },
	[RENDER_ATOM] = { "application/atom+xml; charset=utf-8", "atom" },
	[RENDER_HTML] = { "text/html; charset=utf-8", "html" },
};

const char *const render_layouts[RENDER_LAYOUT_COUNT + 1] = {
	[RENDER_LIST] = "list", [RENDER_GRID] = "grid", [RENDER_CAROUSEL] = "carousel",
	[RENDER_LAYOUT_COUNT] = NULL,
};

enum rc
render_page_as(enum render_format f, struct buf *out, const struct render_page *p)
{
	switch (f) {
	case RENDER_JSON: return render_json(out, p);
	case RENDER_AS2: return render_as2(out, p);
	case RENDER_ATOM: return render_atom(out, p);
	case RENDER_HTML: return render_html(out, p);
	default: return RC_INTERNAL;
	}
}

const char *
render_format_type(enum render_format f)
{
	return f < RENDER_FORMAT_COUNT ? formats[f].type : "application/octet-stream";
}

const char *
render_format_ext(enum render_format f)
{
	return f < RENDER_FORMAT_COUNT ? formats[f].ext : "";
}

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

/* ---- preparation ---- */

struct prep {
	struct arena *a;
	const char *base;
	bool (*have)(void *arg, const char *id);
	void *arg;
};

static const char *
prep_map(void *arg, const char *url)
{
	struct prep *p = arg;
	char id[MEDIA_ID_LEN + 1];

	media_id_for_url(url, id);
	if (p->have != NULL && !p->have(p->arg, id))
		return NULL;
	return arena_printf(p->a, "%s/media/%s", p->base, id);
}

static char *
link_or_null(char *url)
{
	return render_link_ok(url) ? url : NULL;
}

/* Drops links we would not put into an href; images were mapped already. */
static void
prep_links(struct feed_item *it)
{
	size_t k = 0;

	it->url = link_or_null(it->url);
	it->external_url = link_or_null(it->external_url);
	for (size_t i = 0; i < it->nauthors; i++)
		it->authors[i].url = link_or_null(it->authors[i].url);
	for (size_t i = 0; i < it->nattachments; i++)
		if (render_link_ok(it->attachments[i].url))
			it->attachments[k++] = it->attachments[i];
	it->nattachments = k;
}

static enum rc
prep_people(struct arena *a, struct feed_person **people, size_t n, struct prep *p)
{
	struct feed_person *out;

	if (n == 0)
		return RC_OK;
	if ((out = arena_calloc(a, n, sizeof(*out))) == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < n; i++) {
		media_map_person(a, &(*people)[i], prep_map, p, &out[i]);
		out[i].url = link_or_null(out[i].url);
	}
	*people = out;
	return RC_OK;
}

enum rc
render_prepare(struct arena *a, const struct feed *in,
    const struct render_site *site, struct feed *out)
{
	return render_prepare_media(a, in, site, NULL, NULL, NULL, out);
}

enum rc
render_prepare_have(struct arena *a, const struct feed *in,
    const struct render_site *site, bool (*have)(void *arg, const char *id),
    void *arg, struct feed *out)
{
	return render_prepare_media(a, in, site, have, arg, NULL, out);
}

/* The image of a span stays when the cache has it. */
static bool
prep_keep(void *arg, const char *url)
{
	struct prep *p = arg;
	char id[MEDIA_ID_LEN + 1];

	media_id_for_url(url, id);
	return p->have == NULL || p->have(p->arg, id);
}

static enum rc
prep_item(struct prep *p, struct sanitize *san, const struct feed_item *in,
    const struct media_html *content, struct feed_item *out)
{
	struct feed_item bare = *in;
	enum rc rc;

	if (content == NULL)
		return media_map_item(p->a, san, in, prep_map, p, out);
	bare.content_html = NULL;
	if ((rc = media_map_item(p->a, san, &bare, prep_map, p, out)) != RC_OK)
		return rc;
	if (in->content_html != NULL)
		rc = media_html_keep(p->a, content, prep_keep, p, &out->content_html);
	return rc;
}

enum rc
render_prepare_media(struct arena *a, const struct feed *in,
    const struct render_site *site, bool (*have)(void *arg, const char *id),
    void *arg, const struct media_html *content, struct feed *out)
{
	struct prep p = { .a = a, .base = site->base, .have = have, .arg = arg };
	struct sanitize *san = NULL;
	enum rc rc;

	*out = *in;
	out->items = NULL;
	out->home_page_url = link_or_null(in->home_page_url);
	out->feed_url = link_or_null(in->feed_url);
	out->icon = media_url_fetchable(in->icon) ? (char *)prep_map(&p, in->icon) : NULL;
	out->favicon = media_url_fetchable(in->favicon) ? (char *)prep_map(&p, in->favicon) : NULL;
	if ((rc = prep_people(a, &out->authors, out->nauthors, &p)) != RC_OK)
		return rc;
	if (in->nitems == 0)
		return RC_OK;
	out->items = arena_calloc(a, in->nitems, sizeof(*out->items));
	if (out->items == NULL || (content == NULL && (san = sanitize_new(a)) == NULL))
		return RC_NOMEM;
	for (size_t i = 0; i < in->nitems; i++) {
		rc = prep_item(&p, san, &in->items[i], content != NULL ? &content[i] : NULL,
		    &out->items[i]);
		if (rc != RC_OK)
			return rc;
		prep_links(&out->items[i]);
	}
	return RC_OK;
}

/* ---- cursors and page selection ---- */

static void
id_hash(const char *id, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char sum[CRYPTO_SHA256_LEN];

	crypto_sha256(id, strlen(id), sum);
	for (size_t i = 0; i < sizeof(sum); i++) {
		hex[2 * i] = digits[sum[i] >> 4];
		hex[2 * i + 1] = digits[sum[i] & 15];
	}
	hex[64] = '\0';
}

static const char *
item_id(const struct feed_item *it)
{
	return it->id != NULL ? it->id : it->url != NULL ? it->url : "";
}

enum rc
render_cursor(struct buf *b, const struct feed_item *it)
{
	const char *id = item_id(it);
	char hex[65];
	struct buf raw;
	enum rc rc;

	buf_init(&raw, 4096);
	if (strlen(id) > CURSOR_ID_MAX) {
		id_hash(id, hex);
		rc = buf_appendf(&raw, "%lld\nH%s", it->published, hex);
	} else {
		rc = buf_appendf(&raw, "%lld\nI%s", it->published, id);
	}
	if (rc == RC_OK)
		rc = crypto_b64url_encode(b, raw.data, raw.len);
	buf_fini(&raw);
	return rc;
}

enum rc
render_before_parse(struct arena *a, const char *s, struct render_before *c)
{
	unsigned char *raw;
	size_t n;
	char *nl, *end;

	if (strlen(s) > RENDER_CURSOR_MAX ||
	    crypto_b64url_decode(a, s, strlen(s), &raw, &n) != RC_OK)
		return RC_INVALID;
	if (memchr(raw, '\0', n) != NULL || (nl = memchr(raw, '\n', n)) == NULL)
		return RC_INVALID;
	*nl = '\0';
	if (!isdigit((unsigned char)raw[0]))
		return RC_INVALID;
	errno = 0;
	c->published = strtoll((char *)raw, &end, 10);
	if (errno != 0 || *end != '\0')
		return RC_INVALID;
	if (nl[1] != 'I' && nl[1] != 'H')
		return RC_INVALID;
	c->hashed = nl[1] == 'H';
	c->id = nl + 2;
	if (c->hashed && strlen(c->id) != 64)
		return RC_INVALID;
	return RC_OK;
}

static bool
cursor_is(const struct render_before *c, const struct feed_item *it)
{
	char hex[65];

	if (it->published != c->published)
		return false;
	if (!c->hashed)
		return strcmp(item_id(it), c->id) == 0;
	if (strlen(item_id(it)) <= CURSOR_ID_MAX)
		return false;
	id_hash(item_id(it), hex);
	return strcmp(hex, c->id) == 0;
}

static bool
tag_eq(const char *a, const char *b)
{
	if (*a == '#')
		a++;
	if (*b == '#')
		b++;
	return strcasecmp(a, b) == 0;
}

static bool
item_matches(const struct feed_item *it, const struct render_query *q)
{
	bool tagged = false;

	if (q->source != NULL && (it->source == NULL || strcmp(it->source, q->source) != 0))
		return false;
	if (q->market != NULL && (it->market == NULL || strcmp(it->market, q->market) != 0))
		return false;
	if (q->tag == NULL)
		return true;
	for (size_t i = 0; i < it->ntags && !tagged; i++)
		tagged = it->tags[i] != NULL && tag_eq(it->tags[i], q->tag);
	return tagged;
}

/* Index of the first item after the cursor. */
static size_t
cursor_start(const struct feed *f, const struct render_before *c)
{
	size_t last_newer = 0;
	bool any = false;

	for (size_t i = 0; i < f->nitems; i++)
		if (cursor_is(c, &f->items[i]))
			return i + 1;
	/* The item left the stream: continue after the last one at least as
	 * new (the list is newest first below any pinned items). */
	for (size_t i = 0; i < f->nitems; i++)
		if (f->items[i].published >= c->published) {
			last_newer = i;
			any = true;
		}
	return any ? last_newer + 1 : 0;
}

enum rc
render_select(struct arena *a, const struct feed *f,
    const struct render_query *q, const struct feed_item ***items, size_t *n,
    bool *more)
{
	const struct feed_item **out;
	size_t start = 0, k = 0, limit;

	*items = NULL;
	*n = 0;
	*more = false;
	limit = q->limit > 0 && q->limit <= RENDER_LIMIT_MAX ? (size_t)q->limit :
	    RENDER_LIMIT_DEFAULT;
	if (q->cursor != NULL)
		start = cursor_start(f, q->cursor);
	out = arena_calloc(a, limit + 1, sizeof(*out));
	if (out == NULL)
		return RC_NOMEM;
	for (size_t i = start; i < f->nitems; i++) {
		if (!item_matches(&f->items[i], q))
			continue;
		if (k == limit) {
			*more = true;
			break;
		}
		out[k++] = &f->items[i];
	}
	*items = out;
	*n = k;
	return RC_OK;
}

static enum rc
add_param(struct buf *b, bool *first, const char *name, const char *value)
{
	enum rc rc;

	if (value == NULL)
		return RC_OK;
	rc = buf_appendf(b, "%c%s=", *first ? '?' : '&', name);
	*first = false;
	return rc == RC_OK ? url_encode(b, value, strlen(value)) : rc;
}

enum rc
render_page_url(struct buf *b, const struct render_site *s, const char *stream,
    enum render_format f, const struct render_query *q, const char *before)
{
	char limit[24];
	bool first = true;
	enum rc rc;

	rc = buf_appendf(b, "%s/streams/", s->base);
	if (rc == RC_OK)
		rc = url_encode(b, stream, strlen(stream));
	if (rc == RC_OK)
		rc = buf_appendf(b, ".%s", render_format_ext(f));
	if (rc == RC_OK && f == RENDER_HTML && q->layout != RENDER_LIST)
		rc = add_param(b, &first, "layout", render_layout_name(q->layout));
	snprintf(limit, sizeof(limit), "%ld", q->limit);
	if (rc == RC_OK && q->limit != RENDER_LIMIT_DEFAULT)
		rc = add_param(b, &first, "limit", limit);
	if (rc == RC_OK)
		rc = add_param(b, &first, "source", q->source);
	if (rc == RC_OK)
		rc = add_param(b, &first, "tag", q->tag);
	if (rc == RC_OK)
		rc = add_param(b, &first, "market", q->market);
	if (rc == RC_OK)
		rc = add_param(b, &first, "before", before);
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

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

enum rc
render_human_date(struct buf *b, long long t)
{
	struct tm tm;

	utc(t, &tm);
	return buf_appendf(b, "%d %s %04d, %02d:%02d UTC", tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

enum rc
render_relative(struct buf *b, long long t, long long now)
{
	static const struct {
		long long below, unit;
		const char *one, *many;
	} steps[] = {
		{ 3600, 60, "1 minute ago", "%lld minutes ago" },
		{ 86400, 3600, "1 hour ago", "%lld hours ago" },
		{ 2 * 86400, 86400, "yesterday", "yesterday" },
		{ 7 * 86400, 86400, "", "%lld days ago" },
		{ 35 * 86400, 7 * 86400, "1 week ago", "%lld weeks ago" },
	};
	long long d = now - t;
	struct tm tm;

	if (d < 60)
		return buf_appends(b, "just now");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (d >= steps[i].below)
			continue;
		if (d / steps[i].unit == 1)
			return buf_appends(b, steps[i].one);
		return buf_appendf(b, steps[i].many, d / steps[i].unit);
	}
	utc(t, &tm);
	return buf_appendf(b, "%d %s %04d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
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
	if (path != NULL && (strncmp(path, "/@", 2) == 0 || strncmp(path, "/users/", 7) == 0))
		return (struct render_network){ "mastodon", "Mastodon" };
	return (struct render_network){ "web", "Web" };
}

static bool
is_video_link(const char *url)
{
	const char *id = render_network_of(url).id;
	const char *path;

	if (strcmp(id, "youtube") == 0 || strcmp(id, "vimeo") == 0)
		return true;
	path = url != NULL ? strstr(url, "://") : NULL;
	path = path != NULL ? strchr(path + 3, '/') : NULL;
	return path != NULL && strncmp(path, "/videos/watch/", 14) == 0;
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

/* render: a page of a stream in one of four formats — preparation of the
 * stream, page selection and cursors, page URLs, and the dispatch to the
 * renderers (render_json.c, render_as2.c, render_atom.c, render_html.c).
 * What the renderers share is render_common.c's. */
#include "widgets/render.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/crypto.h"
#include "util/url.h"
#include "widgets/media.h"
#include "widgets/render_common.h"
#include "widgets/render_formats.h"

#define CURSOR_ID_MAX 600   /* longer ids are carried as a hash */

static const struct {
	const char *type, *ext;
} formats[RENDER_FORMAT_COUNT] = {
	[RENDER_JSON] = { "application/feed+json", "json" },
	[RENDER_AS2] = { "application/activity+json", "as2" },
	[RENDER_ATOM] = { "application/atom+xml; charset=utf-8", "atom" },
	[RENDER_HTML] = { "text/html; charset=utf-8", "html" },
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
	k = 0;
	for (size_t i = 0; i < it->nmedia; i++) {
		it->media[i].link = link_or_null(it->media[i].link);
		if (it->media[i].type == FEED_MEDIA_IMAGE || it->media[i].link != NULL)
			it->media[k++] = it->media[i];
	}
	it->nmedia = k;
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
	if (rc == RC_OK && f == RENDER_HTML)
		rc = add_param(b, &first, "lang", q->lang);
	if (rc == RC_OK)
		rc = add_param(b, &first, "before", before);
	return rc;
}

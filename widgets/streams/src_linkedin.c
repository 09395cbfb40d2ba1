/* src_linkedin: an organization's posts from LinkedIn's Community
 * Management API (versioned REST: GET /rest/posts?q=author, start/count
 * paging), their images and video posters resolved to URLs through the
 * Images and Videos APIs' batch gets, and, when a stream shows counts,
 * each page's reactions and comments through the socialMetadata batch
 * get. */
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "util/buf.h"
#include "util/html.h"
#include "widgets/streams/src.h"

#define LI_VERSION "202511"          /* LinkedIn-Version: YYYYMM */
#define LI_PAGE 50                   /* posts per page */
#define LI_BATCH 40                  /* URNs per images/videos batch get */
#define LI_ID_MAX 19
#define LI_ORG_URN "urn:li:organization:"
#define LI_WEB "https://www.linkedin.com"
#define LI_TEXT_MAX (64u * 1024)
#define LI_MAX_PENDING (SRC_MAX_ITEMS * 8)
#define LI_ESCAPED "\\|{}@[]()<>#*_~"   /* what the text format escapes */

enum li_step { LI_POSTS, LI_IMAGES, LI_VIDEOS, LI_COUNTS };
enum li_slot { LI_MEDIA_URL, LI_MEDIA_POSTER, LI_ITEM_IMAGE };

/* A picture named by URN, to be filled in once the batch get answers. */
struct li_pending {
	size_t item, media;
	enum li_slot slot;
	const char *urn;
};

struct li {
	struct li_pending p[LI_MAX_PENDING];
	size_t n;
	size_t done;            /* pending entries already asked for */
	long long start;        /* of the next posts page */
	size_t page_first;      /* the first item of the page being counted */
	bool more;              /* a posts page follows the counts */
};

static struct li *
state(struct src_run *r)
{
	return (struct li *)(void *)r->ctx;
}

/* "12345" or "urn:li:organization:12345": the digits. */
static const char *
org_id(const char *s)
{
	size_t n;

	if (strncmp(s, LI_ORG_URN, strlen(LI_ORG_URN)) == 0)
		s += strlen(LI_ORG_URN);
	n = strlen(s);
	if (n == 0 || n > LI_ID_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return NULL;
	return s;
}

static const char *
linkedin_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (org_id(c->account) == NULL)
		return "account: the LinkedIn organization's id (digits, or "
		    "\"urn:li:organization:ID\")";
	return NULL;
}

static char *
posts_url(struct src_run *r, long long start)
{
	char *author = arena_printf(r->a, LI_ORG_URN "%s", org_id(r->conf->account));

	return arena_printf(r->a, "%s/rest/posts?author=%s&q=author&count=%d&start=%lld"
	    "&sortBy=CREATED", r->base, src_qs(r->a, author), LI_PAGE, start);
}

static enum rc
linkedin_start(struct src_run *r)
{
	const char *id = org_id(r->conf->account);
	struct li *st = arena_calloc(r->a, 1, sizeof(*st));
	enum rc rc;

	if (id == NULL)
		return src_fail(r, RC_CONFIG, "account: not a LinkedIn organization id");
	if (st == NULL)
		return RC_NOMEM;
	r->ctx = (char *)st;
	if ((rc = src_bearer(r)) != RC_OK)
		return rc;
	r->extra_headers[0] = "LinkedIn-Version: " LI_VERSION;
	r->extra_headers[1] = "X-Restli-Protocol-Version: 2.0.0";
	r->url = posts_url(r, 0);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

/* ---- commentary ("little text format") as HTML ---- */

/* "{hashtag|\#|tag}" at p: its length, linked. */
static size_t
hashtag_at(struct src_run *r, const char *p, struct buf *b, enum rc *rc)
{
	const char *bar = strchr(p, '|'), *bar2, *end;
	char *tag, *href;

	if (strncmp(p, "{hashtag|", 9) != 0 || bar == NULL || (bar2 = strchr(bar + 1, '|')) == NULL ||
	    (end = strchr(bar2, '}')) == NULL || end == bar2 + 1)
		return 0;
	tag = arena_strndup(r->a, bar2 + 1, (size_t)(end - bar2 - 1));
	href = tag != NULL ? arena_printf(r->a, LI_WEB "/feed/hashtag/%s", src_qs(r->a, tag)) : NULL;
	if (href == NULL) {
		*rc = RC_NOMEM;
		return 1;
	}
	*rc = src_html_link(b, href, "#", tag);
	return (size_t)(end - p) + 1;
}

/* "@[Name](urn:li:organization:1)" at p: its length, the name written. */
static size_t
mention_at(struct src_run *r, const char *p, struct buf *b, enum rc *rc)
{
	const char *close, *end, *nl = strchr(p, '\n');
	char *name;

	if (strncmp(p, "@[", 2) != 0 || (close = strstr(p, "](")) == NULL ||
	    (end = strchr(close, ')')) == NULL || (nl != NULL && nl < end))
		return 0;
	name = arena_strndup(r->a, p + 2, (size_t)(close - p - 2));
	*rc = name != NULL ? html_text(b, name) : RC_NOMEM;
	return (size_t)(end - p) + 1;
}

static char *
commentary_html(struct src_run *r, const char *text, const char *base)
{
	struct buf b;
	char *out = NULL;
	enum rc rc;

	if (text == NULL)
		return NULL;
	buf_init(&b, LI_TEXT_MAX);
	rc = buf_appends(&b, "<p>");
	for (const char *p = text; rc == RC_OK && *p != '\0';) {
		size_t n = hashtag_at(r, p, &b, &rc);
		char one[2] = { p[0], '\0' };
		if (n == 0)
			n = mention_at(r, p, &b, &rc);
		if (n > 0) {
			p += n;
			continue;
		}
		if (p[0] == '\\' && p[1] != '\0' && strchr(LI_ESCAPED, p[1]) != NULL)
			one[0] = *++p;     /* the format's escapes */
		rc = one[0] == '\n' ? buf_appends(&b, "<br>") : html_text(&b, one);
		p++;
	}
	if (rc == RC_OK && buf_appends(&b, "</p>") == RC_OK)
		out = src_clean_html(r, arena_strndup(r->a, b.data, b.len), base);
	buf_fini(&b);
	return out;
}

/* ---- posts ---- */

static void
pend(struct src_run *r, const char *urn, size_t media, enum li_slot slot)
{
	struct li *st = state(r);

	if (urn == NULL || st->n >= LI_MAX_PENDING)
		return;
	st->p[st->n++] = (struct li_pending){ .item = r->feed.nitems - 1, .media = media,
		.slot = slot, .urn = urn };
}

static bool
is_urn(const char *s, const char *kind)
{
	size_t n = strlen(kind);

	return s != NULL && strncmp(s, kind, n) == 0 && s[n] != '\0' && strlen(s) < 256;
}

/* One image or video of `content.media` or `content.multiImage`. */
static void
add_media(struct src_run *r, struct feed_item *it, const json_t *m)
{
	char *urn = src_str(r, m, "id");
	struct feed_media *x;

	if (!is_urn(urn, "urn:li:image:") && !is_urn(urn, "urn:li:video:"))
		return;     /* documents and the rest: the post's link reaches them */
	if ((x = src_media_alloc(r, it, 1)) == NULL)
		return;
	memset(x, 0, sizeof(*x));
	x->alt = src_str(r, m, "altText");
	if (is_urn(urn, "urn:li:image:")) {
		x->type = FEED_MEDIA_IMAGE;
		pend(r, urn, it->nmedia, LI_MEDIA_URL);
	} else {
		x->type = FEED_MEDIA_VIDEO;
		x->link = it->url;
		if (x->alt == NULL)
			x->alt = src_str(r, m, "title");
		pend(r, urn, it->nmedia, LI_MEDIA_POSTER);
	}
	it->nmedia++;
}

static void
read_content(struct src_run *r, const json_t *c, struct feed_item *it)
{
	const json_t *art = json_object_get(c, "article");
	size_t i;
	const json_t *m;

	if (json_is_object(json_object_get(c, "media")))
		add_media(r, it, json_object_get(c, "media"));
	json_array_foreach(json_object_get(json_object_get(c, "multiImage"), "images"), i, m)
		add_media(r, it, m);
	if (json_is_object(art)) {
		char *thumb = src_str(r, art, "thumbnail");
		it->external_url = src_link(r, art, "source");
		if (it->title == NULL)
			it->title = src_str(r, art, "title");
		if (is_urn(thumb, "urn:li:image:"))
			pend(r, thumb, 0, LI_ITEM_IMAGE);
	}
}

static enum rc
read_post(struct src_run *r, const json_t *p, size_t idx)
{
	const char *state_s = json_string_value(json_object_get(p, "lifecycleState"));
	const char *vis = json_string_value(json_object_get(p, "visibility"));
	char *urn = src_str(r, p, "id");
	long long t = src_int(p, "publishedAt"), mod = src_int(p, "lastModifiedAt");
	struct feed_item *it;

	if (t <= 0)
		t = src_int(p, "createdAt");
	if (!json_is_object(p) || urn == NULL || strncmp(urn, "urn:li:", 7) != 0 || t <= 0)
		return src_fail(r, RC_INVALID, "unexpected JSON from the LinkedIn API: post %zu "
		    "has no %s", idx, urn == NULL ? "\"id\" URN" : "\"publishedAt\"");
	/* Drafts, deleted and members-only posts are not the public's. */
	if ((state_s != NULL && strcmp(state_s, "PUBLISHED") != 0) ||
	    (vis != NULL && strcmp(vis, "PUBLIC") != 0))
		return RC_OK;
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->id = urn;
	it->url = arena_printf(r->a, LI_WEB "/feed/update/%s", urn);
	it->published = t / 1000;
	it->updated = mod > t ? mod / 1000 : 0;
	it->content_html = commentary_html(r, src_str(r, p, "commentary"), it->url);
	it->is_repost = json_is_object(json_object_get(p, "reshareContext"));
	read_content(r, json_object_get(p, "content"), it);
	it->kind = json_is_object(json_object_get(json_object_get(p, "content"), "article")) ?
	    FEED_KIND_ARTICLE : src_kind_of(it);
	return RC_OK;
}

/* The next up to LI_BATCH pending URNs of the kind the step resolves, as
 * a batch get; NULL when none is left. */
static char *
batch_url(struct src_run *r, enum li_step step)
{
	struct li *st = state(r);
	const char *kind = step == LI_IMAGES ? "urn:li:image:" : "urn:li:video:";
	struct buf b;
	char *out = NULL;
	size_t n = 0;
	enum rc rc;

	buf_init(&b, 16 * 1024);
	rc = buf_appendf(&b, "%s/rest/%s?ids=List(", r->base, step == LI_IMAGES ? "images" : "videos");
	for (; rc == RC_OK && st->done < st->n && n < LI_BATCH; st->done++) {
		const char *urn = st->p[st->done].urn;
		if (!is_urn(urn, kind))
			continue;
		rc = buf_appendf(&b, "%s%s", n++ > 0 ? "," : "", src_qs(r->a, urn));
	}
	if (rc == RC_OK && n > 0 && buf_appends(&b, ")") == RC_OK)
		out = arena_strndup(r->a, b.data, b.len);
	buf_fini(&b);
	return out;
}

/* The next request after a response: more posts, else the picture
 * batches, images then videos. */
static enum rc
next_request(struct src_run *r, bool more_posts)
{
	struct li *st = state(r);

	if (more_posts) {
		r->url = posts_url(r, st->start);
		return r->url != NULL ? RC_OK : RC_NOMEM;
	}
	while (r->step <= LI_VIDEOS) {
		if (r->step == LI_POSTS) {
			r->step = LI_IMAGES;
			st->done = 0;
		}
		if ((r->url = batch_url(r, (enum li_step)r->step)) != NULL)
			return RC_OK;
		r->step++;
		st->done = 0;
	}
	return RC_OK;
}

/* The socialMetadata batch get of the items from st->page_first on. */
static char *
counts_url(struct src_run *r)
{
	struct buf b;
	char *out = NULL;
	enum rc rc;

	buf_init(&b, 16 * 1024);
	rc = buf_appendf(&b, "%s/rest/socialMetadata?ids=List(", r->base);
	for (size_t i = state(r)->page_first; rc == RC_OK && i < r->feed.nitems; i++)
		rc = buf_appendf(&b, "%s%s", i > state(r)->page_first ? "," : "",
		    src_qs(r->a, r->feed.items[i].id));
	if (rc == RC_OK && buf_appends(&b, ")") == RC_OK)
		out = arena_strndup(r->a, b.data, b.len);
	buf_fini(&b);
	return out;
}

/* After a posts page: its counts when a stream shows them (one batch
 * get per page), else the next request. */
static enum rc
after_posts(struct src_run *r, size_t first, bool more)
{
	struct li *st = state(r);

	if (!r->counts || r->feed.nitems == first)
		return next_request(r, more);
	st->page_first = first;
	st->more = more;
	r->step = LI_COUNTS;
	r->url = counts_url(r);
	r->optional = true;
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static enum rc
read_posts(struct src_run *r, const json_t *doc)
{
	const json_t *els = json_object_get(doc, "elements");
	const json_t *paging = json_object_get(doc, "paging");
	size_t first = r->feed.nitems;
	bool next = false;
	size_t i;
	const json_t *p;
	enum rc rc;

	if (!json_is_object(doc) || !json_is_array(els))
		return src_fail(r, RC_INVALID, "unexpected JSON from the LinkedIn API: "
		    "posts gave no \"elements\" array");
	json_array_foreach(els, i, p)
		if ((rc = read_post(r, p, i)) != RC_OK)
			return rc;
	r->pages++;
	json_array_foreach(json_object_get(paging, "links"), i, p) {
		const char *rel = json_string_value(json_object_get(p, "rel"));
		next = next || (rel != NULL && strcmp(rel, "next") == 0);
	}
	state(r)->start = (src_int(paging, "start") > 0 ? src_int(paging, "start") : 0) +
	    (long long)json_array_size(els);
	return after_posts(r, first, next && json_array_size(els) > 0 && src_want_more(r));
}

/* ---- counts ---- */

/* Reactions of every kind (LIKE, PRAISE, EMPATHY, ...) are the likes. */
static void
read_reactions(struct feed_item *it, const json_t *sums)
{
	const char *k;
	const json_t *v;
	long long total = 0;

	if (!json_is_object(sums))
		return;
	json_object_foreach((json_t *)sums, k, v) {
		long long n = src_int(v, "count");
		if (n > 0)
			total = n > LLONG_MAX - total ? LLONG_MAX : total + n;
	}
	it->counts.likes = total;
	it->counts.have |= FEED_COUNT_LIKES;
}

/* The "results" map of a batch get (`what`: its API); NULL, with r->err
 * set, when there is none. */
static const json_t *
batch_results(struct src_run *r, const json_t *doc, const char *what)
{
	const json_t *results = json_object_get(doc, "results");

	if (json_is_object(results))
		return results;
	src_fail(r, RC_INVALID, "unexpected JSON from the LinkedIn API: the %s batch get "
	    "gave no \"results\"", what);
	return NULL;
}

/* The counts failed (a token without r_organization_social, a LinkedIn
 * outage): the posts stay, without counts, and the run goes on. */
static enum rc
skip_counts(struct src_run *r, const char *why)
{
	src_warn(r, "counts left out: %s", why);
	r->step = LI_POSTS;
	return next_request(r, state(r)->more);
}

/* {"results":{URN:{"reactionSummaries":{...},"commentSummary":{"count"}}},
 * "errors":{...}}: a post LinkedIn has no entry for keeps no counts. */
static enum rc
read_counts(struct src_run *r, const json_t *doc)
{
	const json_t *results = batch_results(r, doc, "socialMetadata");
	struct li *st = state(r);

	if (results == NULL)
		return skip_counts(r, r->err);
	for (size_t i = st->page_first; i < r->feed.nitems; i++) {
		struct feed_item *it = &r->feed.items[i];
		const json_t *res = json_object_get(results, it->id);
		if (!json_is_object(res))
			continue;
		read_reactions(it, json_object_get(res, "reactionSummaries"));
		src_count(it, FEED_COUNT_COMMENTS, json_object_get(res, "commentSummary"), "count");
	}
	r->step = LI_POSTS;
	return next_request(r, st->more);
}

/* ---- the pictures ---- */

static void
fill(struct src_run *r, const struct li_pending *pd, const json_t *res, enum li_step step)
{
	char *url = src_media_url(r, src_link(r, res, step == LI_IMAGES ? "downloadUrl" : "thumbnail"));
	long long ms = src_int(res, "duration");
	struct feed_item *it;

	if (url == NULL || pd->item >= r->feed.nitems)
		return;
	it = &r->feed.items[pd->item];
	if (pd->slot == LI_ITEM_IMAGE) {
		it->image = url;
	} else if (pd->media < it->nmedia && pd->slot == LI_MEDIA_URL) {
		it->media[pd->media].url = url;
	} else if (pd->media < it->nmedia) {
		it->media[pd->media].poster = url;
		if (ms > 0)
			it->media[pd->media].duration_seconds = (ms + 500) / 1000;
	}
}

/* Images without a URL go: LinkedIn would not say where they are. */
static void
compact(struct src_run *r)
{
	for (size_t i = 0; i < r->feed.nitems; i++) {
		struct feed_item *it = &r->feed.items[i];
		size_t k = 0;
		for (size_t j = 0; j < it->nmedia; j++)
			if (it->media[j].type != FEED_MEDIA_IMAGE || it->media[j].url != NULL)
				it->media[k++] = it->media[j];
		it->nmedia = k;
		if (it->kind != FEED_KIND_ARTICLE)
			it->kind = src_kind_of(it);
	}
}

/* After a response: when no request is left, the gallery is final. */
static enum rc
finish(struct src_run *r, enum rc rc)
{
	if (rc == RC_OK && r->url == NULL)
		compact(r);
	return rc;
}

static enum rc
read_batch(struct src_run *r, const json_t *doc)
{
	const json_t *results = batch_results(r, doc, r->step == LI_IMAGES ? "images" : "videos");
	struct li *st = state(r);

	if (results == NULL)
		return RC_INVALID;
	for (size_t i = 0; i < st->n; i++) {
		const json_t *res = json_object_get(results, st->p[i].urn);
		if (json_is_object(res))
			fill(r, &st->p[i], res, (enum li_step)r->step);
	}
	return finish(r, next_request(r, false));
}

static enum rc
linkedin_skipped(struct src_run *r, const char *why)
{
	return finish(r, skip_counts(r, why));
}

static enum rc
linkedin_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	(void)resp;
	if (r->step == LI_COUNTS)
		return finish(r, read_counts(r, doc));
	if (r->step != LI_POSTS)
		return read_batch(r, doc);
	return finish(r, read_posts(r, doc));
}

const struct src_ops src_linkedin_ops = {
	.label = "LinkedIn",
	.default_api = "https://api.linkedin.com",
	.needs_token = true,
	.check = linkedin_check,
	.start = linkedin_start,
	.page = linkedin_page,
	.skipped = linkedin_skipped,
};

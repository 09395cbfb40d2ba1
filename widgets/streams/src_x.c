/* src_x: X API v2 — a user's posts (GET /2/users/:id/tweets; an
 * "@handle" looked up once through GET /2/users/by/username/:username)
 * and the earned source x-search (GET /2/tweets/search/recent), with
 * media and authors from `expansions`, entities as links, next_token
 * paging. */
#include <ctype.h>
#include <string.h>

#include "util/buf.h"
#include "util/html.h"
#include "util/url.h"
#include "widgets/streams/src.h"

#define X_PAGE 100            /* max_results: both endpoints' maximum */
#define X_ID_MAX 19           /* digits of a 64-bit id */
#define X_HANDLE_MAX 15       /* characters of a user name */
#define X_USER_FIELDS "user.fields=name,username,profile_image_url"

enum x_step { X_TIMELINE, X_LOOKUP };
#define X_WEB "https://x.com"
#define X_TEXT_MAX (64u * 1024)
/* What every request asks for: media and authors expanded, the fields the
 * item model shows. */
#define X_FIELDS "expansions=attachments.media_keys,author_id,referenced_tweets.id" \
	"&media.fields=url,preview_image_url,alt_text,duration_ms,type,width,height" \
	"&tweet.fields=created_at,public_metrics,entities,referenced_tweets,attachments,author_id,lang" \
	"&user.fields=name,username,profile_image_url"

static bool
id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > X_ID_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "@name": X user names are 1-15 letters, digits and '_'. */
static bool
handle_ok(const char *s)
{
	return src_handle_ok(s, X_HANDLE_MAX, "");
}

static const char *
x_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!id_ok(c->account) && !handle_ok(c->account))
		return "account: the X user's \"@handle\" (1-15 letters, digits or _) or "
		    "numeric id";
	return NULL;
}

static const char *
x_search_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	for (const char *p = c->query; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			return "query: no control characters";
	return NULL;
}

/* The request for a page: `tok` NULL for the first. */
static char *
page_url(struct src_run *r, const char *tok)
{
	char *t = tok != NULL ? src_qs(r->a, tok) : NULL;

	if (tok != NULL && t == NULL)
		return NULL;
	if (r->conf->type == SRC_X_SEARCH)
		return arena_printf(r->a, "%s/2/tweets/search/recent?query=%s&max_results=%d&"
		    X_FIELDS "%s%s", r->base, r->ctx, X_PAGE, t != NULL ? "&next_token=" : "",
		    t != NULL ? t : "");
	return arena_printf(r->a, "%s/2/users/%s/tweets?exclude=replies,retweets&max_results=%d&"
	    X_FIELDS "%s%s", r->base, r->ctx, X_PAGE, t != NULL ? "&pagination_token=" : "",
	    t != NULL ? t : "");
}

/* The user whose posts are read: the configured id, or the id an
 * earlier run looked the handle up to; NULL: look the handle up first. */
static const char *
user_id(const struct src_run *r)
{
	if (!handle_ok(r->conf->account))
		return r->conf->account;
	return r->account_id != NULL && id_ok(r->account_id) ? r->account_id : NULL;
}

static enum rc
x_start(struct src_run *r)
{
	const char *id = r->conf->type == SRC_X_SEARCH ? r->conf->query : user_id(r);
	enum rc rc;

	if ((rc = src_bearer(r)) != RC_OK)
		return rc;
	if (id == NULL) {
		r->step = X_LOOKUP;
		r->url = arena_printf(r->a, "%s/2/users/by/username/%s?" X_USER_FIELDS, r->base,
		    src_qs(r->a, r->conf->account + 1));
		return r->url != NULL ? RC_OK : RC_NOMEM;
	}
	if ((r->ctx = src_qs(r->a, id)) == NULL)
		return RC_NOMEM;
	r->url = page_url(r, NULL);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

/* ---- text with entities as links ---- */

/* Undoes the three escapes X applies to `text`. */
static char *
unescape(struct src_run *r, const char *s)
{
	static const struct { const char *from; char to; } esc[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
	};
	char *out = arena_alloc(r->a, strlen(s) + 1), *o = out;

	if (out == NULL)
		return NULL;
	while (*s != '\0') {
		size_t i;
		for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++)
			if (strncmp(s, esc[i].from, strlen(esc[i].from)) == 0)
				break;
		if (i < sizeof(esc) / sizeof(esc[0])) {
			*o++ = esc[i].to;
			s += strlen(esc[i].from);
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static bool
word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* A t.co link at p: its length, and the link written (or dropped: a
 * media link stands for the gallery). 0 when none starts here. */
static size_t
url_at(struct src_run *r, const char *p, const json_t *urls, struct buf *b, enum rc *rc)
{
	size_t i;
	const json_t *u;

	json_array_foreach(urls, i, u) {
		const char *tco = json_string_value(json_object_get(u, "url"));
		const char *href = src_link(r, u, "expanded_url");
		const char *shown = json_string_value(json_object_get(u, "display_url"));
		size_t n = tco != NULL ? strlen(tco) : 0;
		if (n == 0 || strncmp(p, tco, n) != 0)
			continue;
		if (json_object_get(u, "media_key") == NULL)
			*rc = src_html_link(b, href != NULL ? href : tco, "", shown != NULL ? shown : tco);
		return n;
	}
	return 0;
}

/* "@name" or "#tag" at p, named by the entities: its length, linked. */
static size_t
word_at(struct src_run *r, const char *p, const json_t *list, const char *key,
    struct buf *b, enum rc *rc)
{
	size_t i;
	const json_t *m;

	json_array_foreach(list, i, m) {
		const char *w = json_string_value(json_object_get(m, key));
		size_t n = w != NULL ? strlen(w) : 0;
		char *href, *q;
		if (n == 0 || strncasecmp(p + 1, w, n) != 0 || word_char((unsigned char)p[1 + n]))
			continue;
		q = src_qs(r->a, w);
		href = q == NULL ? NULL : p[0] == '@' ? arena_printf(r->a, X_WEB "/%s", q) :
		    arena_printf(r->a, X_WEB "/hashtag/%s", q);
		*rc = href != NULL ? src_html_link(b, href, p[0] == '@' ? "@" : "#", w) : RC_NOMEM;
		return n + 1;
	}
	return 0;
}

/* The post's text as HTML: links, mentions and hashtags the entities
 * name become links; media links go (the gallery shows them). */
static char *
text_html(struct src_run *r, const char *raw, const json_t *ent, const char *base)
{
	const json_t *urls = json_object_get(ent, "urls");
	const json_t *mentions = json_object_get(ent, "mentions");
	const json_t *tags = json_object_get(ent, "hashtags");
	char *text = unescape(r, raw), *out = NULL;
	const char *p = text;
	bool at_word = false;
	struct buf b;
	enum rc rc = RC_OK;

	if (text == NULL)
		return NULL;
	buf_init(&b, X_TEXT_MAX);
	rc = buf_appends(&b, "<p>");
	while (rc == RC_OK && *p != '\0') {
		size_t n = url_at(r, p, urls, &b, &rc);
		if (n == 0 && !at_word && *p == '@')
			n = word_at(r, p, mentions, "username", &b, &rc);
		if (n == 0 && !at_word && (*p == '#' || *p == '$'))
			n = word_at(r, p, tags, "tag", &b, &rc);
		if (n == 0) {
			char one[2] = { *p, '\0' };
			n = 1;
			rc = *p == '\n' ? buf_appends(&b, "<br>") : html_text(&b, one);
		}
		at_word = word_char((unsigned char)p[n - 1]);
		p += n;
	}
	if (rc == RC_OK && buf_appends(&b, "</p>") == RC_OK)
		out = src_clean_html(r, arena_strndup(r->a, b.data, b.len), base);
	buf_fini(&b);
	return out;
}

/* ---- one page ---- */

/* The member of `arr` whose `key` is `val`. */
static const json_t *
find_by(const json_t *arr, const char *key, const char *val)
{
	size_t i;
	const json_t *v;

	if (val == NULL)
		return NULL;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(json_object_get(v, key));
		if (s != NULL && strcmp(s, val) == 0)
			return v;
	}
	return NULL;
}

static void
read_media(struct src_run *r, const json_t *tw, const json_t *media, struct feed_item *it)
{
	const json_t *keys = json_object_get(json_object_get(tw, "attachments"), "media_keys");
	struct feed_media *m = src_media_alloc(r, it, json_array_size(keys));
	size_t i;
	const json_t *k;

	json_array_foreach(keys, i, k) {
		const json_t *md = find_by(media, "media_key", json_string_value(k));
		const char *type = json_string_value(json_object_get(md, "type"));
		struct feed_media *x = m != NULL ? &it->media[it->nmedia] : NULL;
		long long ms = src_int(md, "duration_ms");
		if (x == NULL || type == NULL)
			continue;
		memset(x, 0, sizeof(*x));
		x->alt = src_str(r, md, "alt_text");
		x->width = (long)src_int(md, "width");
		x->height = (long)src_int(md, "height");
		if (strcmp(type, "photo") == 0) {
			x->type = FEED_MEDIA_IMAGE;
			if ((x->url = src_media_url(r, src_link(r, md, "url"))) == NULL)
				continue;
		} else {
			/* video and animated_gif: the poster, linking to the post. */
			x->type = FEED_MEDIA_VIDEO;
			x->poster = src_media_url(r, src_link(r, md, "preview_image_url"));
			x->link = it->url;
			if (ms > 0)
				x->duration_seconds = (ms + 500) / 1000;
		}
		it->nmedia++;
	}
}

static void
read_author(struct src_run *r, const json_t *user, struct feed_item *it)
{
	struct feed_person *p;
	char *name = src_str(r, user, "username");

	if (user == NULL || (p = arena_calloc(r->a, 1, sizeof(*p))) == NULL)
		return;
	p->name = src_str(r, user, "name");
	if (p->name == NULL)
		p->name = name;
	p->url = name != NULL ? arena_printf(r->a, X_WEB "/%s", src_qs(r->a, name)) : NULL;
	p->avatar = src_media_url(r, src_link(r, user, "profile_image_url"));
	it->authors = p;
	it->nauthors = 1;
}

static void
read_refs(const json_t *tw, struct feed_item *it)
{
	size_t i;
	const json_t *ref;

	json_array_foreach(json_object_get(tw, "referenced_tweets"), i, ref) {
		const char *t = json_string_value(json_object_get(ref, "type"));
		if (t != NULL && strcmp(t, "replied_to") == 0)
			it->is_reply = true;
		else if (t != NULL && strcmp(t, "retweeted") == 0)
			it->is_repost = true;
	}
}

static enum rc
read_tweet(struct src_run *r, const json_t *tw, const json_t *inc, size_t idx)
{
	const char *id = json_string_value(json_object_get(tw, "id"));
	const char *text = json_string_value(json_object_get(tw, "text"));
	const json_t *user = find_by(json_object_get(inc, "users"), "id",
	    json_string_value(json_object_get(tw, "author_id")));
	const json_t *pm = json_object_get(tw, "public_metrics");
	const char *uname = json_string_value(json_object_get(user, "username"));
	struct feed_item *it;

	if (!json_is_object(tw) || id == NULL || !id_ok(id) || text == NULL)
		return src_fail(r, RC_INVALID, "unexpected JSON from the X API: post %zu has no %s",
		    idx, id == NULL || !id_ok(id) ? "numeric \"id\"" : "\"text\"");
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->id = arena_printf(r->a, X_WEB "/i/web/status/%s", id);
	it->url = uname != NULL && src_str(r, user, "username") != NULL ?
	    arena_printf(r->a, X_WEB "/%s/status/%s", src_qs(r->a, uname), id) : it->id;
	it->published = src_date(tw, "created_at");
	it->date_missing = it->published == 0;
	if (it->published == 0)
		it->published = r->now;
	it->language = src_str(r, tw, "lang");
	it->content_html = text_html(r, utf8_valid(text, strlen(text)) ? text : "",
	    json_object_get(tw, "entities"), it->url);
	read_author(r, user, it);
	read_refs(tw, it);
	read_media(r, tw, json_object_get(inc, "media"), it);
	src_count(it, FEED_COUNT_LIKES, pm, "like_count");
	src_count(it, FEED_COUNT_COMMENTS, pm, "reply_count");
	src_count(it, FEED_COUNT_SHARES, pm, "retweet_count");
	src_count(it, FEED_COUNT_VIEWS, pm, "impression_count");
	it->kind = src_kind_of(it);
	return RC_OK;
}

/* The timeline's owner: the feed's title and home page. */
static void
read_owner(struct src_run *r, const json_t *inc)
{
	const json_t *u = find_by(json_object_get(inc, "users"), "id", r->ctx);
	char *name = src_str(r, u, "username");

	if (r->conf->type == SRC_X_SEARCH) {
		if (r->feed.title == NULL)
			r->feed.title = arena_printf(r->a, "X search: %s", r->conf->query);
		return;
	}
	if (u == NULL || r->feed.title != NULL)
		return;
	r->feed.title = src_str(r, u, "name");
	r->feed.home_page_url = name != NULL ?
	    arena_printf(r->a, X_WEB "/%s", src_qs(r->a, name)) : NULL;
	r->feed.icon = src_media_url(r, src_link(r, u, "profile_image_url"));
}

/* {"errors":[...]} without "data" is a failed request answered 200 (an
 * unknown or suspended user): its first error says why. */
static enum rc
page_error(struct src_run *r, const json_t *doc)
{
	const json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *detail = json_string_value(json_object_get(e, "detail"));

	if (e == NULL)
		return src_fail(r, RC_INVALID, "unexpected JSON from the X API: no \"data\" "
		    "and no \"meta\"");
	/* The id kept from a lookup names no account now: look again. */
	r->account_gone = r->step == X_TIMELINE && r->account_id != NULL &&
	    handle_ok(r->conf->account);
	return src_fail(r, RC_UPSTREAM, "X API: %.80s: %.160s", title ? title : "error",
	    detail ? detail : "(no detail)");
}

/* The answer to the handle's lookup: the user's id (kept by the caller
 * for the next runs), name and picture; then the first page. */
static enum rc
read_lookup(struct src_run *r, const json_t *doc)
{
	const json_t *u = json_object_get(doc, "data");
	const char *id = json_string_value(json_object_get(u, "id"));
	char *name = src_str(r, u, "username");

	if (!json_is_object(doc))
		return src_fail(r, RC_INVALID, "unexpected JSON from the X API: not an object");
	if (u == NULL)
		return page_error(r, doc);
	if (!json_is_object(u) || id == NULL || !id_ok(id))
		return src_fail(r, RC_INVALID, "unexpected JSON from the X API: the lookup of "
		    "%.40s gave no numeric user \"id\"", r->conf->account);
	if ((r->ctx = arena_strdup(r->a, id)) == NULL)
		return RC_NOMEM;
	r->looked_up = r->ctx;
	r->feed.title = src_str(r, u, "name");
	r->feed.home_page_url = name != NULL ?
	    arena_printf(r->a, X_WEB "/%s", src_qs(r->a, name)) : NULL;
	r->feed.icon = src_media_url(r, src_link(r, u, "profile_image_url"));
	r->step = X_TIMELINE;
	r->url = page_url(r, NULL);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static enum rc
x_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	const json_t *data = json_object_get(doc, "data");
	const json_t *inc = json_object_get(doc, "includes");
	const json_t *meta = json_object_get(doc, "meta");
	const char *next = json_string_value(json_object_get(meta, "next_token"));
	size_t i;
	const json_t *tw;
	enum rc rc;

	(void)resp;
	if (r->step == X_LOOKUP)
		return read_lookup(r, doc);
	if (!json_is_object(doc))
		return src_fail(r, RC_INVALID, "unexpected JSON from the X API: not an object");
	if (data == NULL && !json_is_object(meta))
		return page_error(r, doc);
	if (data != NULL && !json_is_array(data))
		return src_fail(r, RC_INVALID, "unexpected JSON from the X API: \"data\" is "
		    "not an array of posts");
	read_owner(r, inc);
	json_array_foreach(data, i, tw)
		if ((rc = read_tweet(r, tw, inc, i)) != RC_OK)
			return rc;
	r->pages++;
	if (next != NULL && next[0] != '\0' && json_array_size(data) > 0 && src_want_more(r) &&
	    (r->url = page_url(r, next)) == NULL)
		return RC_NOMEM;
	return RC_OK;
}

const struct src_ops src_x_ops = {
	.label = "X",
	.default_api = "https://api.x.com",
	.needs_token = true,
	.check = x_check,
	.start = x_start,
	.page = x_page,
};

const struct src_ops src_x_search_ops = {
	.label = "X",
	.default_api = "https://api.x.com",
	.earned = true,
	.needs_token = true,
	.check = x_search_check,
	.start = x_start,
	.page = x_page,
};

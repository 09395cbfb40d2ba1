/* src_mastodon: an account's public posts from the Mastodon REST API
 * (v1: accounts/lookup, then accounts/:id/statuses, Link-header paging),
 * and a hashtag's public timeline (timelines/tag/:hashtag, earned). */
#include <ctype.h>
#include <string.h>

#include "util/url.h"
#include "widgets/streams/src.h"

#define MASTODON_PAGE 40      /* statuses per page: the API's maximum */
#define MASTODON_USER_MAX 64
#define MASTODON_TAG_MAX 100     /* bytes of a hashtag */
#define MASTODON_TAG_SERVER "https://mastodon.social"

/* "@user@host", "user@host" or "user" (then api_url names the server). */
struct acct {
	char *user;
	char *host;   /* NULL when not given */
};

static bool
split_acct(struct arena *a, const char *s, struct acct *out)
{
	const char *at;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (s[0] == '@')
		s++;
	at = strchr(s, '@');
	n = at != NULL ? (size_t)(at - s) : strlen(s);
	if (n == 0 || n > MASTODON_USER_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	out->user = arena_strndup(a, s, n);
	if (at != NULL) {
		if (!url_host_name_ok(at + 1, true) || url_host_is_ip(at + 1))
			return false;
		out->host = arena_strdup(a, at + 1);
		for (char *p = out->host; p != NULL && *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	return out->user != NULL && (at == NULL || out->host != NULL);
}

static const char *
mastodon_check(struct arena *a, const struct src_conf *c)
{
	struct acct ac;

	if (!split_acct(a, c->account, &ac))
		return "account: a Mastodon account is \"@user@instance\" (or \"user\" with api_url)";
	if (ac.host == NULL && c->api_url == NULL)
		return "account: \"@user@instance\" names the server; \"user\" alone needs api_url";
	if (c->token_file != NULL)
		return "token_file: not supported yet for mastodon (public posts need no token)";
	return NULL;
}

static enum rc
mastodon_start(struct src_run *r)
{
	struct acct ac;
	const char *acct;

	if (!split_acct(r->a, r->conf->account, &ac) || (ac.host == NULL && r->base == NULL))
		return src_fail(r, RC_CONFIG, "account: not \"@user@instance\"");
	if (r->base == NULL && (r->base = arena_printf(r->a, "https://%s", ac.host)) == NULL)
		return RC_NOMEM;
	/* On its own server an account is looked up by its user name. */
	acct = ac.host != NULL && r->conf->api_url != NULL ?
	    arena_printf(r->a, "%s@%s", ac.user, ac.host) : ac.user;
	if (acct == NULL || (acct = src_qs(r->a, acct)) == NULL)
		return RC_NOMEM;
	r->url = arena_printf(r->a, "%s/api/v1/accounts/lookup?acct=%s", r->base, acct);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

/* The account: the feed's title, home page and icon, then its posts. */
static enum rc
read_account(struct src_run *r, const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "id"));
	char *qid;

	if (!json_is_object(doc) || id == NULL || id[0] == '\0')
		return src_fail(r, RC_INVALID, "unexpected JSON from the Mastodon API: "
		    "accounts/lookup gave no account \"id\"");
	r->feed.title = src_str(r, doc, "display_name");
	if (r->feed.title == NULL)
		r->feed.title = src_str(r, doc, "username");
	r->feed.home_page_url = src_link(r, doc, "url");
	r->feed.icon = src_media_url(r, src_link(r, doc, "avatar"));
	r->feed.description = src_clean_html(r, src_str(r, doc, "note"), r->feed.home_page_url);
	if ((qid = src_qs(r->a, id)) == NULL)
		return RC_NOMEM;
	r->ctx = qid;
	r->step = 1;
	r->url = arena_printf(r->a, "%s/api/v1/accounts/%s/statuses?exclude_replies=true"
	    "&exclude_reblogs=true&limit=%d", r->base, qid, MASTODON_PAGE);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static void
read_size(const json_t *meta, struct feed_media *m)
{
	const json_t *o = json_object_get(meta, "original");
	const json_t *d = json_object_get(o, "duration");

	m->width = (long)json_integer_value(json_object_get(o, "width"));
	m->height = (long)json_integer_value(json_object_get(o, "height"));
	if (json_is_number(d) && json_number_value(d) > 0 && json_number_value(d) < 1e9)
		m->duration_seconds = (long long)(json_number_value(d) + 0.5);
}

/* media_attachments: images with their description (alt text); videos
 * and GIFs as their preview linking to the post, never played here. */
static void
read_media(struct src_run *r, const json_t *arr, struct feed_item *it)
{
	size_t i;
	const json_t *v;
	struct feed_media *m = src_media_alloc(r, it, json_array_size(arr));

	json_array_foreach(arr, i, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		struct feed_media *x = m != NULL ? &it->media[it->nmedia] : NULL;
		if (x == NULL || type == NULL)
			continue;
		memset(x, 0, sizeof(*x));
		x->alt = src_str(r, v, "description");
		x->blurhash = src_str(r, v, "blurhash");
		read_size(json_object_get(v, "meta"), x);
		if (strcmp(type, "image") == 0) {
			x->type = FEED_MEDIA_IMAGE;
			x->url = src_media_url(r, src_link(r, v, "url"));
			if (x->url == NULL)
				continue;
		} else if (strcmp(type, "video") == 0 || strcmp(type, "gifv") == 0) {
			x->type = FEED_MEDIA_VIDEO;
			x->poster = src_media_url(r, src_link(r, v, "preview_url"));
			x->link = it->url;
			if (x->link == NULL)
				continue;
		} else {
			continue;   /* audio and unknown: the post's link reaches them */
		}
		it->nmedia++;
	}
}

static void
read_tags(struct src_run *r, const json_t *arr, struct feed_item *it)
{
	size_t i, n = json_array_size(arr);
	const json_t *v;

	if (n == 0 || (it->tags = arena_calloc(r->a, n, sizeof(*it->tags))) == NULL)
		return;
	json_array_foreach(arr, i, v) {
		char *t = src_str(r, v, "name");
		if (t != NULL)
			it->tags[it->ntags++] = t;
	}
}

static void
read_author(struct src_run *r, const json_t *acct, struct feed_item *it)
{
	struct feed_person *p;

	if (!json_is_object(acct) || (p = arena_calloc(r->a, 1, sizeof(*p))) == NULL)
		return;
	p->name = src_str(r, acct, "display_name");
	if (p->name == NULL)
		p->name = src_str(r, acct, "acct");
	p->url = src_link(r, acct, "url");
	p->avatar = src_media_url(r, src_link(r, acct, "avatar"));
	it->authors = p;
	it->nauthors = 1;
}

static enum rc
read_status(struct src_run *r, const json_t *st, size_t idx)
{
	const char *vis = json_string_value(json_object_get(st, "visibility"));
	const json_t *card = json_object_get(st, "card");
	const json_t *reply_to = json_object_get(st, "in_reply_to_id");
	struct feed_item *it;
	char *uri = src_link(r, st, "uri");
	long long published = src_date(st, "created_at");

	if (!json_is_object(st) || uri == NULL || published == 0)
		return src_fail(r, RC_INVALID, "unexpected JSON from the Mastodon API: status %zu "
		    "has no %s", idx, uri == NULL ? "\"uri\"" : "\"created_at\"");
	/* Only what anyone may see: the API gives no more without a token,
	 * but a proxy could. */
	if (vis != NULL && strcmp(vis, "public") != 0 && strcmp(vis, "unlisted") != 0)
		return RC_OK;
	if ((it = src_item_add(r)) == NULL)
		return RC_OK;
	it->id = uri;
	it->url = src_link(r, st, "url");
	if (it->url == NULL)
		it->url = uri;
	it->published = published;
	it->updated = src_date(st, "edited_at");
	it->content_html = src_clean_html(r, src_str(r, st, "content"), it->url);
	it->content_warning = src_str(r, st, "spoiler_text");
	it->language = src_str(r, st, "language");
	it->is_reply = reply_to != NULL && !json_is_null(reply_to);
	it->is_repost = json_is_object(json_object_get(st, "reblog"));
	it->sensitive = json_is_true(json_object_get(st, "sensitive"));
	read_author(r, json_object_get(st, "account"), it);
	read_tags(r, json_object_get(st, "tags"), it);
	read_media(r, json_object_get(st, "media_attachments"), it);
	if (json_is_object(card)) {
		it->external_url = src_link(r, card, "url");
		if (it->nmedia == 0)
			it->image = src_media_url(r, src_link(r, card, "image"));
	}
	src_count(it, FEED_COUNT_LIKES, st, "favourites_count");
	src_count(it, FEED_COUNT_COMMENTS, st, "replies_count");
	src_count(it, FEED_COUNT_SHARES, st, "reblogs_count");
	it->kind = src_kind_of(it);
	return RC_OK;
}

static enum rc
read_statuses(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	size_t i;
	const json_t *st;
	enum rc rc;

	if (!json_is_array(doc))
		return src_fail(r, RC_INVALID, "unexpected JSON from the Mastodon API: "
		    "%s gave no array of statuses", r->conf->query != NULL ?
		    "timelines/tag" : "accounts/:id/statuses");
	json_array_foreach(doc, i, st)
		if ((rc = read_status(r, st, i)) != RC_OK)
			return rc;
	r->pages++;
	if (json_array_size(doc) > 0 && src_want_more(r) && resp->link != NULL)
		r->url = src_link_next(r->a, resp->link);
	return RC_OK;
}

static enum rc
mastodon_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	return r->step == 0 ? read_account(r, doc) : read_statuses(r, doc, resp);
}

/* A hashtag without its '#': letters, digits and '_' (any non-ASCII
 * byte passes: Mastodon takes Unicode letters; the UTF-8 is checked). */
static const char *
tag_of(const char *q)
{
	return q[0] == '#' ? q + 1 : q;
}

static bool
tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > MASTODON_TAG_MAX || !utf8_valid(t, n))
		return false;
	for (; *t != '\0'; t++)
		if (!isalnum((unsigned char)*t) && *t != '_' && (unsigned char)*t < 0x80)
			return false;
	return true;
}

static const char *
tag_check(struct arena *a, const struct src_conf *c)
{
	(void)a;
	if (!tag_ok(tag_of(c->query)))
		return "query: a Mastodon hashtag is 1-100 letters, digits or '_' (\"#brand\" or "
		    "\"brand\")";
	if (c->token_file != NULL)
		return "token_file: not supported for mastodon-tag (public timelines need no token)";
	return NULL;
}

static enum rc
tag_start(struct src_run *r)
{
	char *tag;

	if (!tag_ok(tag_of(r->conf->query)))
		return src_fail(r, RC_CONFIG, "query: not a hashtag");
	if ((tag = src_qs(r->a, tag_of(r->conf->query))) == NULL)
		return RC_NOMEM;
	r->step = 1;
	r->url = arena_printf(r->a, "%s/api/v1/timelines/tag/%s?limit=%d", r->base, tag,
	    MASTODON_PAGE);
	return r->url != NULL ? RC_OK : RC_NOMEM;
}

static enum rc
tag_page(struct src_run *r, const json_t *doc, const struct src_response *resp)
{
	if (r->feed.title == NULL)
		r->feed.title = arena_printf(r->a, "#%s", tag_of(r->conf->query));
	return read_statuses(r, doc, resp);
}

const struct src_ops src_mastodon_tag_ops = {
	.label = "Mastodon",
	.default_api = MASTODON_TAG_SERVER,
	.earned = true,
	.check = tag_check,
	.start = tag_start,
	.page = tag_page,
};

const struct src_ops src_mastodon_ops = {
	.label = "Mastodon",
	.default_api = NULL,    /* the account's own server */
	.check = mastodon_check,
	.start = mastodon_start,
	.page = mastodon_page,
};

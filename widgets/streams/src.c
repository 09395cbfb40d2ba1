/* src: the source types and their checks, the run of an API source
 * (request by request, with its limits) and what the connectors share. */
#include "widgets/streams/src.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "util/html.h"
#include "util/netpolicy.h"
#include "util/time.h"
#include "util/url.h"

#define SRC_NAME_MAX 64
#define SRC_URL_MAX 2048
#define SRC_HTML_MAX (256u * 1024)
#define SRC_YOUTUBE_WEB "https://www.youtube.com"  /* the channel feeds' host */

static char *base_of(struct arena *a, const char *s);

/* The type table: name and connector (which says whether it is earned). */
static const struct {
	const char *name;
	const struct src_ops *ops;
} types[SRC_TYPE_COUNT] = {
	[SRC_FEED] = { "feed", NULL },
	[SRC_INSTAGRAM] = { "instagram", &src_instagram_ops },
	[SRC_FACEBOOK] = { "facebook", &src_facebook_ops },
	[SRC_THREADS] = { "threads", &src_threads_ops },
	[SRC_LINKEDIN] = { "linkedin", &src_linkedin_ops },
	[SRC_X] = { "x", &src_x_ops },
	[SRC_TIKTOK] = { "tiktok", &src_tiktok_ops },
	[SRC_YOUTUBE] = { "youtube", &src_youtube_ops },
	[SRC_MASTODON] = { "mastodon", &src_mastodon_ops },
	[SRC_BLUESKY] = { "bluesky", &src_bluesky_ops },
	[SRC_INSTAGRAM_HASHTAG] = { "instagram-hashtag", &src_instagram_hashtag_ops },
	[SRC_MASTODON_TAG] = { "mastodon-tag", &src_mastodon_tag_ops },
	[SRC_BLUESKY_SEARCH] = { "bluesky-search", &src_bluesky_search_ops },
	[SRC_X_SEARCH] = { "x-search", &src_x_search_ops },
};

const char *
src_type_name(enum src_type t)
{
	return (unsigned)t < SRC_TYPE_COUNT ? types[t].name : "unknown";
}

bool
src_type_parse(const char *s, enum src_type *out)
{
	for (size_t i = 0; s != NULL && i < SRC_TYPE_COUNT; i++) {
		if (strcmp(types[i].name, s) == 0) {
			*out = (enum src_type)i;
			return true;
		}
	}
	return false;
}

static const struct src_ops *
ops_of(const struct src_conf *c)
{
	return (unsigned)c->type < SRC_TYPE_COUNT ? types[c->type].ops : NULL;
}

bool
src_is_earned(const struct src_conf *c)
{
	const struct src_ops *ops = ops_of(c);

	return ops != NULL && ops->earned;
}

bool
src_is_api(const struct src_conf *c)
{
	if (ops_of(c) == NULL)
		return false;
	/* YouTube without a key reads the channel's Atom feed. */
	return c->type != SRC_YOUTUBE || c->token_file != NULL;
}

/* ---- config checks ---- */

static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SRC_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* An API base: absolute http(s), no credentials, query or fragment. */
static const char *
check_api_url(struct arena *a, const char *v)
{
	struct url u;

	if (strlen(v) > SRC_URL_MAX || url_parse(a, v, &u) != RC_OK)
		return "api_url: must be an absolute http:// or https:// URL";
	if (u.userinfo != NULL || u.query != NULL || u.fragment != NULL)
		return "api_url: must be a base URL without user name, query or fragment";
	return NULL;
}

static const char *
check_token_file(struct arena *a, const char *path)
{
	char *tok = NULL;
	enum rc rc = src_read_token(a, path, &tok);

	if (rc == RC_NOTFOUND)
		return arena_printf(a, "token_file: cannot read \"%.200s\"", path);
	if (rc == RC_TOOBIG)
		return "token_file: over 4 KiB: not a token";
	if (rc != RC_OK || tok == NULL || tok[0] == '\0')
		return arena_printf(a, "token_file: \"%.200s\" is empty or unreadable", path);
	return NULL;
}

/* Keys of API sources on a feed, and a feed's url on an API source. */
static const char *
check_feed_keys(const struct src_conf *c, const char *url)
{
	bool api = c->type != SRC_FEED;

	if (!api && url == NULL)
		return "url: missing (a feed source needs the feed's URL)";
	if (!api && (c->account || c->api_url || c->connection || c->token_file || c->query))
		return "account, query, api_url, connection and token_file are for API sources: "
		    "set type = \"mastodon\", \"bluesky\", \"mastodon-tag\", ...";
	if (api && url != NULL)
		return "url: not for an API source (use account, and api_url for a proxy)";
	return NULL;
}

/* An owned source shows an `account`, an earned one searches a `query`
 * (instagram-hashtag both: it searches on behalf of an account). */
static const char *
check_subject(struct arena *a, const struct src_ops *ops, const struct src_conf *c)
{
	if (ops->earned && (c->query == NULL || c->query[0] == '\0'))
		return arena_printf(a, "query: missing (what to find on %s)", ops->label);
	if (ops->earned && strlen(c->query) > SRC_QUERY_MAX)
		return "query: over 512 bytes";
	if (ops->earned && !ops->account_too && c->account != NULL)
		return "account: not for an earned source (it shows what `query` finds)";
	if (!ops->earned && c->query != NULL)
		return arena_printf(a, "query: only for earned sources (mastodon-tag, "
		    "bluesky-search, instagram-hashtag, x-search); a %s source shows its account",
		    ops->label);
	if ((!ops->earned || ops->account_too) && (c->account == NULL || c->account[0] == '\0'))
		return arena_printf(a, "account: missing (the %s account to show)", ops->label);
	return NULL;
}

/* An API that wants a token gets one from a connection or a token_file. */
static const char *
check_token(struct arena *a, const struct src_conf *c, const struct src_ops *ops)
{
	if (!ops->needs_token || c->connection != NULL || c->token_file != NULL)
		return NULL;
	return arena_printf(a, "connection or token_file: missing (the %s API reads nothing "
	    "without an access token)", ops->label);
}

const char *
src_check(struct arena *a, const struct src_conf *c, const char *url)
{
	const struct src_ops *ops = ops_of(c);
	const char *e;

	if ((e = check_feed_keys(c, url)) != NULL || c->type == SRC_FEED)
		return e;
	if (ops == NULL)
		return arena_printf(a, "type \"%s\": not supported yet (its connector needs "
		    "the OAuth connection flow still to come); use the account's feed as a "
		    "feed source meanwhile", src_type_name(c->type));
	if ((e = check_subject(a, ops, c)) != NULL)
		return e;
	if (c->connection != NULL && !name_ok(c->connection))
		return "connection: must be 1-64 of [A-Za-z0-9_-] (a stored connection's name)";
	if (c->connection != NULL && c->token_file != NULL)
		return "connection and token_file: give one, not both";
	if (c->api_url != NULL && (e = check_api_url(a, c->api_url)) != NULL)
		return e;
	if (c->token_file != NULL && (e = check_token_file(a, c->token_file)) != NULL)
		return e;
	if ((e = check_token(a, c, ops)) != NULL)
		return e;
	return ops->check(a, c);
}

/* ---- identity ---- */

char *
src_identity_url(struct arena *a, const struct src_conf *c, const char *url)
{
	struct src_run r;

	if (c->type == SRC_FEED)
		return url != NULL ? arena_strdup(a, url) : NULL;
	if (ops_of(c) == NULL || (c->account == NULL && c->query == NULL))
		return NULL;
	if (c->type == SRC_YOUTUBE && !src_is_api(c))
		return arena_printf(a, "%s/feeds/videos.xml?channel_id=%s",
		    c->api_url != NULL ? base_of(a, c->api_url) : SRC_YOUTUBE_WEB, c->account);
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.conf = c;
	r.identity = true;
	if (src_start(&r) != RC_OK)
		return NULL;
	/* A POST's URL is the same for every account (the token says whose
	 * videos): the account tells two sources apart. */
	if (r.post_body != NULL)
		return arena_printf(a, "%s#%s", r.url, src_qs(a, c->account));
	return r.url;
}

/* ---- the run ---- */

enum rc
src_fail(struct src_run *r, enum rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return rc;
}

static char *
base_of(struct arena *a, const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		n--;
	return arena_strndup(a, s, n);
}

/* What tells requests apart: the URL, and the body of a POST (TikTok's
 * cursor is in it). */
static char *
request_key(struct src_run *r)
{
	if (r->post_body == NULL)
		return r->url;
	return arena_printf(r->a, "%s\n%s", r->url, r->post_body);
}

enum rc
src_start(struct src_run *r)
{
	const struct src_ops *ops = ops_of(r->conf);
	enum rc rc;

	if (ops == NULL || !src_is_api(r->conf))
		return src_fail(r, RC_CONFIG, "type \"%s\" has no API connector",
		    src_type_name(r->conf->type));
	/* Without api_url the network's own (Mastodon: the account's server,
	 * which its connector names). */
	if (r->conf->api_url != NULL || ops->default_api != NULL) {
		r->base = base_of(r->a, r->conf->api_url != NULL ? r->conf->api_url :
		    ops->default_api);
		if (r->base == NULL)
			return RC_NOMEM;
	}
	if (ops->needs_token && r->token == NULL && !r->identity)
		return src_fail(r, RC_CONFIG, "no access token for the %s API: %s", ops->label,
		    r->conf->connection != NULL ? "the connection holds none yet (connect the "
		    "account, or give token_file)" : "token_file is empty");
	if ((rc = ops->start(r)) != RC_OK)
		return rc;
	if (r->url == NULL)
		return src_fail(r, RC_CONFIG, "no request to make");
	if ((r->seen[r->nreq] = request_key(r)) == NULL)
		return RC_NOMEM;
	r->first_url = r->url;
	r->nreq++;
	return RC_OK;
}

static bool
starts_html(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
	    (unsigned char)*p == 0xef || (unsigned char)*p == 0xbb || (unsigned char)*p == 0xbf)) {
		p++;
		n--;
	}
	return n > 0 && *p == '<';
}

/* Parses the body as JSON, naming what it is when it is not. */
static enum rc
load_json(struct src_run *r, const struct src_response *resp, json_t **out)
{
	const char *label = ops_of(r->conf)->label;
	json_error_t e;

	*out = NULL;
	if (resp->len == 0)
		return src_fail(r, RC_INVALID, "empty response from the %s API", label);
	if (starts_html(resp->body, resp->len))
		return src_fail(r, RC_INVALID, "an HTML page instead of JSON from the %s API "
		    "(%zu bytes, %s): a wrong api_url, a login wall or an error page", label,
		    resp->len, resp->content_type ? resp->content_type : "no Content-Type");
	*out = json_loadb(resp->body, resp->len, JSON_REJECT_DUPLICATES, &e);
	if (*out == NULL)
		return src_fail(r, RC_INVALID, "malformed JSON from the %s API at line %d: %.120s",
		    label, e.line, e.text);
	return RC_OK;
}

/* The next request must be new and stay on the API's origin: a page that
 * names itself or an earlier one would loop, another origin would let an
 * API aim our fetcher elsewhere with the trust its own URL has. */
static enum rc
check_next(struct src_run *r)
{
	struct url_origin want, got;
	char *key = request_key(r);

	if (key == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < r->nreq; i++)
		if (strcmp(r->seen[i], key) == 0)
			return src_fail(r, RC_INVALID, "pagination loops: the next page is a page "
			    "already read (%s)", i + 1 == r->nreq ? "the current one" : "an earlier one");
	if (!url_origin_of(r->first_url, &want) || !url_origin_of(r->url, &got) ||
	    !url_origin_same(&want, &got))
		return src_fail(r, RC_INVALID, "the next page leaves the API's origin: refused");
	if (r->nreq >= SRC_MAX_REQUESTS)
		return src_fail(r, RC_LIMIT, "more than %d requests in one refresh", SRC_MAX_REQUESTS);
	r->seen[r->nreq++] = key;
	return RC_OK;
}

enum rc
src_page(struct src_run *r, const struct src_response *resp)
{
	json_t *doc;
	enum rc rc;

	if ((rc = load_json(r, resp, &doc)) != RC_OK)
		return r->optional ? src_skip(r, r->err) : rc;
	r->url = NULL;     /* the headers stay: the credential, the API version */
	r->post_body = NULL;
	r->optional = false;
	rc = ops_of(r->conf)->page(r, doc, resp);
	json_decref(doc);
	/* Near a rate limit: keep the posts that came, ask for no more pages
	 * now (a lookup step still leads to its posts), and let the schedule
	 * wait. */
	r->backoff = src_backoff(r->conf, resp->usage, NULL, 0);
	if (r->backoff > 0 && r->pages > 0)
		r->url = NULL;
	if (rc == RC_OK && r->url != NULL)
		rc = check_next(r);
	return rc;
}

enum rc
src_skip(struct src_run *r, const char *why)
{
	const struct src_ops *ops = ops_of(r->conf);
	enum rc rc;

	if (!r->optional || ops->skipped == NULL)
		return RC_INVALID;
	r->url = NULL;
	r->post_body = NULL;
	r->optional = false;
	rc = ops->skipped(r, why);
	if (rc == RC_OK && r->url != NULL)
		rc = check_next(r);
	return rc;
}

/* The API's own words from an error body: Mastodon {"error"}, Bluesky
 * {"error","message"}, Google {"error":{"message"}}, TikTok
 * {"error":{"code","message"}}, LinkedIn {"code","message"}, X
 * {"title","detail"} or {"errors":[{"title","detail"}]}. */
static void
said_of(const json_t *j, const char **code, const char **msg)
{
	const json_t *e = json_object_get(j, "error");
	const json_t *first = json_array_get(json_object_get(j, "errors"), 0);

	if (json_is_object(e)) {
		*msg = json_string_value(json_object_get(e, "message"));
		*code = json_string_value(json_object_get(e, "code"));
	} else {
		*code = json_string_value(e);
		if (*code == NULL)
			*code = json_string_value(json_object_get(j, "code"));
		*msg = json_string_value(json_object_get(j, "message"));
	}
	if (*code == NULL && *msg == NULL && json_is_object(first))
		j = first;
	if (*code == NULL && *msg == NULL) {
		*code = json_string_value(json_object_get(j, "title"));
		*msg = json_string_value(json_object_get(j, "detail"));
	}
	if (*msg != NULL && (*msg)[0] == '\0')
		*msg = NULL;
	if (*code != NULL && (*code)[0] == '\0')
		*code = NULL;
}

static void
body_message(const char *body, size_t len, char *out, size_t n)
{
	json_t *j;
	const char *msg = NULL, *code = NULL;

	out[0] = '\0';
	if (body == NULL || len == 0 || (j = json_loadb(body, len, 0, NULL)) == NULL)
		return;
	said_of(j, &code, &msg);
	if (msg != NULL || code != NULL)
		snprintf(out, n, ": \"%.120s%s%.120s\"", code ? code : "", code && msg ? ": " : "",
		    msg ? msg : "");
	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	json_decref(j);
}

void
src_http_error(const struct src_conf *c, long status, const char *fetch_error,
    const char *body, size_t len, char *out, size_t n)
{
	const struct src_ops *ops = ops_of(c);
	const char *label = ops != NULL ? ops->label : "the";
	const char *why;
	char said[300];

	if (ops != NULL && ops->http_error != NULL && ops->http_error(c, status, body, len, out, n))
		return;
	body_message(body, len, said, sizeof(said));
	switch (status) {
	case 401: why = "access refused: the API wants credentials it did not get or accept"; break;
	case 403: why = "forbidden: the account is private, the key is not allowed this API, "
	    "or its quota is used up"; break;
	case 404: why = "not found: check account (and api_url)"; break;
	case 410: why = "gone: the account was deleted"; break;
	/* How long the next try waits is the schedule's to say (Retry-After,
	 * X's reset, or the back-off): the refresher adds it. */
	case 429: why = "rate limited"; break;
	default: why = NULL; break;
	}
	if (why != NULL)
		snprintf(out, n, "%s API: %s (%s)%s", label, why, fetch_error, said);
	else
		snprintf(out, n, "%s API: %s%s", label, fetch_error, said);
}

long
src_backoff(const struct src_conf *c, const char *usage, const char *body, size_t len)
{
	const struct src_ops *ops = ops_of(c);

	if (ops == NULL || ops->backoff == NULL)
		return 0;
	return ops->backoff(usage, body, len);
}

long
src_rate_backoff(const struct src_response *resp, long long now)
{
	long long left, reset;
	char *end;

	if (resp->rate_remaining == NULL || resp->rate_reset == NULL)
		return 0;
	left = strtoll(resp->rate_remaining, &end, 10);
	if (end == resp->rate_remaining || *end != '\0' || left > 0)
		return 0;
	reset = strtoll(resp->rate_reset, &end, 10);
	if (end == resp->rate_reset || *end != '\0' || reset <= now)
		return 0;
	return reset - now > 86400 ? 86400 : (long)(reset - now);
}

enum rc
src_read_token(struct arena *a, const char *path, char **out)
{
	char *data = NULL;
	size_t len = 0, i = 0;
	enum rc rc;

	*out = NULL;
	if ((rc = fsutil_read(path, SRC_TOKEN_MAX, &data, &len)) != RC_OK)
		return rc == RC_IO ? RC_NOTFOUND : rc;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	while (len > i && isspace((unsigned char)data[len - 1]))
		len--;
	/* A token goes into a header: nothing that could split it. */
	for (size_t k = i; k < len; k++)
		if ((unsigned char)data[k] < 0x21 || data[k] == 0x7f)
			rc = RC_INVALID;
	if (rc == RC_OK && (*out = arena_strndup(a, data + i, len - i)) == NULL)
		rc = RC_NOMEM;
	free(data);
	return rc;
}

/* ---- helpers for the connectors ---- */

bool
src_want_more(const struct src_run *r)
{
	return r->feed.nitems < SRC_MAX_ITEMS && r->pages < SRC_MAX_PAGES;
}

struct feed_item *
src_item_add(struct src_run *r)
{
	struct feed *f = &r->feed;

	if (f->nitems >= SRC_MAX_ITEMS)
		return NULL;
	if (f->nitems == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct feed_item *v = arena_calloc(r->a, cap, sizeof(*v));
		if (v == NULL)
			return NULL;
		if (f->nitems > 0)
			memcpy(v, f->items, f->nitems * sizeof(*v));
		f->items = v;
		r->cap = cap;
	}
	return &f->items[f->nitems++];
}

char *
src_str(struct src_run *r, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || !utf8_valid(s, n))
		return NULL;
	return arena_strndup(r->a, s, n);
}

static bool
http_url(struct arena *a, const char *s)
{
	struct url u;

	return s != NULL && strlen(s) <= SRC_URL_MAX && url_parse(a, s, &u) == RC_OK &&
	    u.userinfo == NULL;
}

char *
src_link(struct src_run *r, const json_t *o, const char *key)
{
	char *s = src_str(r, o, key);

	return http_url(r->a, s) ? s : NULL;
}

void
src_warn(struct src_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->warning[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->warning, sizeof(r->warning), fmt, ap);
	va_end(ap);
}

static void
warn_media(struct src_run *r, const char *url, const char *why)
{
	char host[URL_HOST_MAX + 1];

	if (r->media_refused++ > 0)
		return;
	if (!url_host_of(url, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	src_warn(r, "media left out: %s (%.120s)", why, host);
}

/* Media on a private address are refused, as the media proxy would, unless
 * the admin allowed them or they share the API's own (configured) origin. */
char *
src_media_url(struct src_run *r, const char *url)
{
	struct url_origin api, m;

	if (url == NULL)
		return NULL;
	if (!http_url(r->a, url)) {
		warn_media(r, url, "not an http(s) URL");
		return NULL;
	}
	if (r->allow_private || !netpolicy_url_private(url))
		return (char *)url;
	if (r->first_url != NULL && netpolicy_url_private(r->first_url) &&
	    url_origin_of(r->first_url, &api) &&
	    url_origin_of(url, &m) && url_origin_same(&api, &m))
		return (char *)url;
	warn_media(r, url, "a private or loopback address");
	return NULL;
}

static enum rc
plain_line(struct buf *b, struct arena *a, const char *line, void *arg)
{
	(void)a;
	(void)arg;
	return html_text(b, line);
}

char *
src_text_html(struct src_run *r, const char *text)
{
	return src_text_html_with(r, text, plain_line, NULL);
}

char *
src_text_html_with(struct src_run *r, const char *text, src_line_fn write, void *arg)
{
	struct buf b;
	char *out = NULL;
	enum rc rc;

	if (text == NULL)
		return NULL;
	buf_init(&b, SRC_HTML_MAX);
	rc = buf_appends(&b, "<p>");
	for (const char *p = text; rc == RC_OK && *p != '\0';) {
		size_t n = strcspn(p, "\n");
		char *line = arena_strndup(r->a, p, n);
		rc = line != NULL ? write(&b, r->a, line, arg) : RC_NOMEM;
		p += n;
		if (*p == '\n') {
			p++;
			if (rc == RC_OK)
				rc = buf_appends(&b, *p == '\n' ? "</p><p>" : "<br>");
			while (*p == '\n')
				p++;
		}
	}
	if (rc == RC_OK)
		rc = buf_appends(&b, "</p>");
	if (rc == RC_OK)
		out = arena_strndup(r->a, b.data, b.len);
	buf_fini(&b);
	return out;
}

enum rc
src_html_link(struct buf *b, const char *href, const char *prefix, const char *text)
{
	enum rc rc = buf_appends(b, "<a href=\"");

	if (rc == RC_OK)
		rc = html_attr(b, href);
	if (rc == RC_OK)
		rc = buf_appends(b, "\">");
	if (rc == RC_OK)
		rc = html_text(b, prefix);
	if (rc == RC_OK)
		rc = html_text(b, text);
	return rc == RC_OK ? buf_appends(b, "</a>") : rc;
}

char *
src_clean_html(struct src_run *r, const char *html, const char *base)
{
	struct sanitize_opts o = { .base_url = base };
	struct sanitize_result res;

	if (html == NULL)
		return NULL;
	if (r->san == NULL && (r->san = sanitize_new(r->a)) == NULL)
		return NULL;
	if (sanitize_html(r->san, html, strlen(html), &o, &res) != RC_OK || res.len == 0)
		return NULL;
	return res.html;
}

long long
src_date(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	long long t = 0;

	if (s == NULL || !time_parse_iso8601(s, &t))
		return 0;
	return t;
}

void
src_count(struct feed_item *it, unsigned bit, const json_t *o, const char *key)
{
	long long n = src_int(o, key);

	if (n < 0)
		return;
	switch (bit) {
	case FEED_COUNT_LIKES: it->counts.likes = n; break;
	case FEED_COUNT_COMMENTS: it->counts.comments = n; break;
	case FEED_COUNT_SHARES: it->counts.shares = n; break;
	case FEED_COUNT_VIEWS: it->counts.views = n; break;
	default: return;
	}
	it->counts.have |= bit;
}

struct feed_media *
src_media_alloc(struct src_run *r, struct feed_item *it, size_t n)
{
	struct feed_media *m;

	if (n == 0)
		return NULL;
	m = arena_calloc(r->a, it->nmedia + n, sizeof(*m));
	if (m == NULL)
		return NULL;
	if (it->nmedia > 0)
		memcpy(m, it->media, it->nmedia * sizeof(*m));
	it->media = m;
	return m + it->nmedia;
}

/* Link: <URL>; rel="next", <URL>; rel="prev" (RFC 8288). */
char *
src_link_next(struct arena *a, const char *link)
{
	const char *p = link;

	while (p != NULL && (p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>');
		const char *stop;
		if (end == NULL)
			return NULL;
		stop = strchr(end, '<');
		for (const char *q = end; q != NULL && (stop == NULL || q < stop);
		    q = strstr(q + 1, "rel=")) {
			if (strncmp(q, "rel=\"next\"", 10) == 0 || strncmp(q, "rel=next", 8) == 0)
				return arena_strndup(a, p + 1, (size_t)(end - p - 1));
		}
		p = end;
	}
	return NULL;
}

char *
src_qs(struct arena *a, const char *s)
{
	struct buf b;
	char *out = NULL;

	buf_init(&b, SRC_URL_MAX);
	if (url_encode(&b, s, strlen(s)) == RC_OK)
		out = arena_strndup(a, b.data != NULL ? b.data : "", b.len);
	buf_fini(&b);
	return out;
}

enum rc
src_bearer(struct src_run *r)
{
	if (r->token == NULL || r->token[0] == '\0')
		return r->identity ? RC_OK : src_fail(r, RC_CONFIG, "no token for the %s API "
		    "(token_file, or a connection not connected yet)", ops_of(r->conf)->label);
	r->header = arena_printf(r->a, "Authorization: Bearer %s", r->token);
	return r->header != NULL ? RC_OK : RC_NOMEM;
}

bool
src_handle_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (s[0] != '@' || n < 2 || n > max + 1)
		return false;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && strchr(extra, *s) == NULL)
			return false;
	return true;
}

long long
src_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	long long n;
	char *end;

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? (long long)json_integer_value(v) : -1;
	if (!json_is_string(v) || json_string_value(v)[0] == '\0')
		return -1;
	n = strtoll(json_string_value(v), &end, 10);
	return *end == '\0' && n >= 0 ? n : -1;
}

enum feed_kind
src_kind_of(const struct feed_item *it)
{
	for (size_t i = 0; i < it->nmedia; i++)
		if (it->media[i].type == FEED_MEDIA_VIDEO)
			return FEED_KIND_VIDEO;
	return it->nmedia > 0 ? FEED_KIND_PHOTO : FEED_KIND_NOTE;
}

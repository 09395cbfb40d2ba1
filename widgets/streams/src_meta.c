/* src_meta: the Graph API conventions Instagram, Facebook and Threads
 * share: token header, {"data","paging"} lists, error bodies, usage
 * headers. */
#include "widgets/streams/src_meta.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/html.h"
#include "util/url.h"


#define META_ID_MAX 32
#define META_SAID_MAX 100     /* bytes of the API's message quoted: the fbtrace_id must fit too */

static const struct meta_net nets[] = {
	{ SRC_INSTAGRAM, "Instagram", "instagram_business_basic (Instagram Login), or "
	    "instagram_basic and pages_read_engagement (Facebook Login)" },
	{ SRC_INSTAGRAM_HASHTAG, "Instagram", "instagram_basic, pages_read_engagement and the "
	    "Instagram Public Content Access feature (app review)" },
	{ SRC_FACEBOOK, "Facebook", "pages_read_engagement (and pages_read_user_content for "
	    "visitor posts; Page Public Content Access for a Page you do not manage)" },
	{ SRC_THREADS, "Threads", "threads_basic" },
};

const struct meta_net *
meta_net_of(enum src_type t)
{
	static const struct meta_net other = { SRC_FEED, "Meta", "the permissions of its API" };

	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (nets[i].type == t)
			return &nets[i];
	return &other;
}

bool
meta_id_ok(const char *s, bool me_ok)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (me_ok && n == 2 && strcmp(s, "me") == 0)
		return true;
	if (n == 0 || n > META_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The error object's fields, NULL/0 when absent. */
struct meta_err {
	const char *message, *type, *trace;
	long long code, subcode;
};

static bool
meta_err_of(const json_t *doc, struct meta_err *e)
{
	const json_t *o = json_object_get(doc, "error");

	memset(e, 0, sizeof(*e));
	if (!json_is_object(o))
		return false;
	e->message = json_string_value(json_object_get(o, "message"));
	e->type = json_string_value(json_object_get(o, "type"));
	e->trace = json_string_value(json_object_get(o, "fbtrace_id"));
	e->code = json_integer_value(json_object_get(o, "code"));
	e->subcode = json_integer_value(json_object_get(o, "error_subcode"));
	return e->code != 0 || e->message != NULL;
}

static bool
rate_code(long long c)
{
	return c == 4 || c == 17 || c == 32 || c == 613 || (c >= 80001 && c <= 80014);
}

static const char *
token_why(long long subcode)
{
	switch (subcode) {
	case 463: return "expired";
	case 460: return "invalidated (the password changed)";
	case 458: return "revoked (the app was removed from the account)";
	case 459: return "refused (the account is checkpointed: log in on the network)";
	case 464: return "refused (the account is not confirmed)";
	default: return "expired or revoked";
	}
}

/* The API's own words, made safe for a log line and JSON: no controls,
 * cut at a byte budget. */
static void
quote(const struct meta_err *e, char *out, size_t n)
{
	snprintf(out, n, "%.*s%s%s%s", META_SAID_MAX, e->message ? e->message : "",
	    e->trace ? " (fbtrace_id " : "", e->trace ? e->trace : "", e->trace ? ")" : "");
	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			*p = ' ';
}

static void
describe(const struct meta_net *net, long status, const struct meta_err *e, char *out, size_t n)
{
	char said[META_SAID_MAX + 80];
	const char *label = net->label, *perms = net->perms;
	long long c = e->code;

	quote(e, said, sizeof(said));
	if (c == 190 || c == 102 || c == 2500)
		snprintf(out, n, "%s API: the access token was %s (OAuthException %lld%s%lld, "
		    "HTTP %ld): reconnect the account: \"%s\"", label, token_why(e->subcode), c,
		    e->subcode ? " subcode " : "", e->subcode ? e->subcode : 0LL, status, said);
	else if (c == 10 || (c >= 200 && c <= 299))
		snprintf(out, n, "%s API: missing permission: the token needs %s (code %lld, HTTP "
		    "%ld): \"%s\"", label, perms, c, status, said);
	else if (rate_code(c))
		snprintf(out, n, "%s API: rate limited (code %lld, HTTP %ld): the next try waits "
		    "an hour: \"%s\"", label, c, status, said);
	else if (c == 100 && e->subcode == 33)
		snprintf(out, n, "%s API: not found: no such object, or the token may not see it "
		    "(check account; code 100/33, HTTP %ld): \"%s\"", label, status, said);
	else
		snprintf(out, n, "%s API: %s %lld (HTTP %ld): \"%s\"", label,
		    e->type ? e->type : "error", c, status, said);
	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

bool
meta_http_error(const struct meta_net *net, long status, const char *body, size_t len,
    char *out, size_t n)
{
	struct meta_err e;
	json_t *doc;
	bool ok;

	if (body == NULL || len == 0 || (doc = json_loadb(body, len, 0, NULL)) == NULL)
		return false;
	ok = meta_err_of(doc, &e);
	if (ok)
		describe(net, status, &e, out, n);
	json_decref(doc);
	return ok;
}

bool
meta_src_http_error(const struct src_conf *c, long status, const char *body, size_t len,
    char *out, size_t n)
{
	return meta_http_error(meta_net_of(c->type), status, body, len, out, n);
}

enum rc
meta_data(struct src_run *r, const struct meta_net *net, const json_t *doc, const char *what,
    const json_t **out)
{
	const json_t *data = json_object_get(doc, "data");
	struct meta_err e;
	char msg[SRC_MSG_MAX];

	*out = NULL;
	if (meta_err_of(doc, &e)) {
		describe(net, 200, &e, msg, sizeof(msg));
		return src_fail(r, RC_UPSTREAM, "%s", msg);
	}
	if (!json_is_object(doc) || !json_is_array(data))
		return src_fail(r, RC_INVALID, "unexpected JSON from the %s API: %s gave no "
		    "\"data\" array", net->label, what);
	*out = data;
	return RC_OK;
}

/* Removes access_token=... from a URL's query: a next page must carry no
 * credential into logs and cache keys, whatever the API put there. */
static char *
strip_token(struct arena *a, const char *url)
{
	const char *q = strchr(url, '?'), *p;
	char *out;

	if (q == NULL || (out = arena_strdup(a, url)) == NULL)
		return q == NULL ? arena_strdup(a, url) : NULL;
	for (char *s = out + (q - url) + 1; (p = strstr(s, "access_token=")) != NULL;) {
		char *at = (char *)p;
		size_t tail;
		if (at[-1] != '?' && at[-1] != '&') {
			s = at + 1;
			continue;
		}
		tail = strcspn(at, "&#");
		if (at[tail] == '&')
			tail++;
		memmove(at, at + tail, strlen(at + tail) + 1);
		s = at;
	}
	/* A trailing '?' or '&' left behind. */
	for (size_t n = strlen(out); n > 0 && (out[n - 1] == '&' || out[n - 1] == '?'); n--)
		out[n - 1] = '\0';
	return out;
}

char *
meta_next(struct src_run *r, const json_t *doc)
{
	char *next = src_link(r, json_object_get(doc, "paging"), "next");

	return next != NULL ? strip_token(r->a, next) : NULL;
}

void
meta_media_add(struct src_run *r, struct feed_item *it, bool video, const char *url,
    const char *alt, long w, long h, const char *link)
{
	struct feed_media *m;
	char *pic = src_media_url(r, (char *)url);

	if (video ? link == NULL : pic == NULL)
		return;
	if ((m = src_media_alloc(r, it, 1)) == NULL)
		return;
	memset(m, 0, sizeof(*m));
	m->type = video ? FEED_MEDIA_VIDEO : FEED_MEDIA_IMAGE;
	if (video) {
		/* Never the file: a poster linking to the post. */
		m->poster = pic;
		m->link = (char *)link;
	} else {
		m->url = pic;
	}
	m->alt = (char *)alt;
	m->width = w > 0 && w < 100000 ? w : 0;
	m->height = h > 0 && h < 100000 ? h : 0;
	it->nmedia++;
}

/* ---- text with links ---- */

static bool
word_byte(unsigned char c, bool tag)
{
	return isalnum(c) || c == '_' || (tag && c >= 0x80) || (!tag && c == '.');
}

/* The length of a tag (any script) or a user name (no trailing dot). */
static size_t
token_len(const char *s, bool tag)
{
	size_t n = 0;

	while (s[n] != '\0' && word_byte((unsigned char)s[n], tag))
		n++;
	while (!tag && n > 0 && s[n - 1] == '.')
		n--;
	return n;
}

/* A web address up to a space or quote, without the punctuation that
 * usually ends the sentence around it. */
static size_t
url_len(const char *s)
{
	size_t n = strcspn(s, " \t\r\"'<>");

	while (n > 0 && strchr(".,;:!?)]", s[n - 1]) != NULL)
		n--;
	return n;
}

static enum rc
put_link(struct buf *b, struct arena *a, const char *href, const char *text, size_t n)
{
	char *shown = arena_strndup(a, text, n);
	enum rc rc = shown != NULL ? buf_appends(b, "<a href=\"") : RC_NOMEM;

	if (rc == RC_OK)
		rc = html_attr(b, href);
	if (rc == RC_OK)
		rc = buf_appends(b, "\">");
	if (rc == RC_OK)
		rc = html_text(b, shown);
	return rc == RC_OK ? buf_appends(b, "</a>") : rc;
}

/* The link a token at p makes, with its length in *n; NULL: none. */
static char *
token_link(struct arena *a, const char *p, const struct meta_links *l, size_t *n)
{
	bool tag = *p == '#';
	const char *pre = tag ? l->tag_pre : l->user_pre;
	struct url u;
	char *s, *q;

	*n = 0;
	if ((*p == '#' || *p == '@') && pre != NULL && (*n = token_len(p + 1, tag)) > 0) {
		q = (s = arena_strndup(a, p + 1, *n)) != NULL ? src_qs(a, s) : NULL;
		*n += 1;
		return q != NULL ? arena_printf(a, "%s%s%s", pre, q,
		    tag ? (l->tag_post ? l->tag_post : "") : (l->user_post ? l->user_post : "")) : NULL;
	}
	if (strncmp(p, "https://", 8) != 0 && strncmp(p, "http://", 7) != 0)
		return NULL;
	*n = url_len(p);
	s = arena_strndup(a, p, *n);
	if (*n <= 8 || *n > 2048 || s == NULL || url_parse(a, s, &u) != RC_OK || u.userinfo != NULL)
		return NULL;
	return s;
}

static enum rc
plain(struct buf *b, struct arena *a, const char *from, const char *to)
{
	char *s;

	if (to == from)
		return RC_OK;
	s = arena_strndup(a, from, (size_t)(to - from));
	return s != NULL ? html_text(b, s) : RC_NOMEM;
}

static enum rc
link_line(struct buf *b, struct arena *a, const char *line, void *arg)
{
	const char *p = line, *from = line;
	enum rc rc = RC_OK;

	while (rc == RC_OK && *p != '\0') {
		size_t n = 0;
		char *href = NULL;
		if (p == line || !word_byte((unsigned char)p[-1], true))
			href = token_link(a, p, arg, &n);
		if (href == NULL) {
			p += n > 0 ? n : 1;
			continue;
		}
		rc = plain(b, a, from, p);
		if (rc == RC_OK)
			rc = put_link(b, a, href, p, n);
		p += n;
		from = p;
	}
	return rc == RC_OK ? plain(b, a, from, p) : rc;
}

char *
meta_text(struct src_run *r, const char *text, const struct meta_links *l)
{
	return src_text_html_with(r, text, link_line, (void *)l);
}

void
meta_author(struct src_run *r, struct feed_item *it, char *name, char *url)
{
	struct feed_person *p;

	if (name == NULL || (p = arena_calloc(r->a, 1, sizeof(*p))) == NULL)
		return;
	p->name = name;
	p->url = url;
	it->authors = p;
	it->nauthors = 1;
	if (r->feed.title == NULL && r->conf->type != SRC_INSTAGRAM_HASHTAG) {
		r->feed.title = name;
		r->feed.home_page_url = url;
	}
}

enum rc
meta_list(struct src_run *r, const struct meta_net *net, const json_t *doc, const char *what,
    enum rc (*read)(struct src_run *r, const json_t *o, size_t idx))
{
	const json_t *data, *o;
	size_t i;
	enum rc rc;

	if ((rc = meta_data(r, net, doc, what, &data)) != RC_OK)
		return rc;
	json_array_foreach(data, i, o)
		if ((rc = read(r, o, i)) != RC_OK)
			return rc;
	r->pages++;
	if (json_array_size(data) > 0 && src_want_more(r))
		r->url = meta_next(r, doc);
	return RC_OK;
}

/* Every number after "key": in s (the usage headers are JSON objects,
 * joined; scanning for the figures reads them all without parsing each). */
static double
max_figure(const char *s, const char *key)
{
	size_t klen = strlen(key);
	double best = 0;

	for (const char *p = s; (p = strstr(p, key)) != NULL; p += klen) {
		const char *v = p + klen;
		char *end;
		double x;
		if (p == s || p[-1] != '"' || *v != '"')
			continue;
		for (v++; *v == ' ' || *v == ':'; v++)
			;
		x = strtod(v, &end);
		if (end != v && x > best && x < 1e9)
			best = x;
	}
	return best;
}

long
meta_backoff(const char *usage, const char *body, size_t len)
{
	static const char *const figures[] = { "call_count", "total_cputime", "total_time",
	    "acc_id_util_pct" };
	long wait = 0;
	json_t *doc;
	struct meta_err e;

	if (body != NULL && len > 0 && (doc = json_loadb(body, len, 0, NULL)) != NULL) {
		if (meta_err_of(doc, &e) && rate_code(e.code))
			wait = META_WAIT;
		json_decref(doc);
	}
	if (usage == NULL)
		return wait;
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (max_figure(usage, figures[i]) >= META_USAGE_HIGH && wait < META_WAIT)
			wait = META_WAIT;
	if (wait > 0) {
		double est = max_figure(usage, "estimated_time_to_regain_access") * 60;
		if (est > wait && est < 86400)
			wait = (long)est;
	}
	return wait;
}

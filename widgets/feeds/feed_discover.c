/* feed_discover: <link rel="alternate"> feeds of an HTML page, and the
 * feed URL forms of YouTube channels, Mastodon and Bluesky profiles. */
#include "widgets/feeds/feed_discover.h"

#include <string.h>
#include <strings.h>

#include "widgets/feeds/feed.h"
#include "widgets/feeds/htmltok.h"
#include "widgets/feeds/sanitize.h"

#define DISCOVER_SCAN_MAX (1024 * 1024)  /* bytes of a page searched */

struct found {
	struct arena *a;
	struct feed_candidate *out;
	size_t n, max;
	bool mastodon;      /* the page is Mastodon's web app */
};

static void
add(struct found *f, char *url, const char *how, const char *type,
    const char *title)
{
	size_t i;

	if (url == NULL || f->n >= f->max)
		return;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->out[i].url, url) == 0)
			return;
	}
	f->out[f->n].url = url;
	f->out[f->n].how = how;
	f->out[f->n].type = type != NULL ? arena_strdup(f->a, type) : NULL;
	f->out[f->n].title = title != NULL && title[0] != '\0' ?
	    arena_strndup(f->a, title, strnlen(title, 200)) : NULL;
	f->n++;
}

static bool
starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

bool
feed_discover_is_html(const char *body, size_t len, const char *content_type)
{
	size_t i = 0;

	if (body == NULL || feed_detect(body, len) != FEED_UNKNOWN)
		return false;
	if (content_type != NULL && (starts_ci(content_type,
	    strlen(content_type), "text/html") || starts_ci(content_type,
	    strlen(content_type), "application/xhtml+xml")))
		return true;
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && strchr(" \t\r\n", body[i]) != NULL)
		i++;
	return starts_ci(body + i, len - i, "<!doctype html") ||
	    starts_ci(body + i, len - i, "<html");
}

/* The feed types a page links to (parameters ignored). */
static bool
feed_type(const char *t)
{
	static const char *const types[] = { "application/rss+xml",
		"application/atom+xml", "application/feed+json",
		"application/rdf+xml", "application/x.atom+xml",
		"application/x-atom+xml", "application/x-rss+xml" };
	size_t i, n = strcspn(t, "; \t");

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strlen(types[i]) == n && strncasecmp(types[i], t, n) == 0)
			return true;
	}
	return false;
}

/* True when the space-separated list rel holds word. */
static bool
rel_has(const char *rel, const char *word)
{
	size_t k = strlen(word);

	while (*rel != '\0') {
		size_t n;
		rel += strspn(rel, " \t\r\n\f");
		n = strcspn(rel, " \t\r\n\f");
		if (n == k && strncasecmp(rel, word, k) == 0)
			return true;
		rel += n;
	}
	return false;
}

static const char *
attr(const struct htmltok *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++) {
		if (strcmp(t->attrs[i].name, name) == 0)
			return t->attrs[i].value;
	}
	return NULL;
}

/* The <link> elements of the page: feeds into f, the canonical URL into
 * *canonical. */
static void
scan_links(struct found *f, const char *page_url, const char *html,
    size_t len, char **canonical)
{
	struct htmltok t;
	const char *base = page_url;

	htmltok_init(&t);
	htmltok_reset(&t, html, len < DISCOVER_SCAN_MAX ? len : DISCOVER_SCAN_MAX);
	while (htmltok_next(&t) != HTMLTOK_EOF) {
		const char *rel, *href, *type;
		if (t.type != HTMLTOK_START)
			continue;
		if (strcmp(t.name, "base") == 0 && (href = attr(&t, "href")) != NULL) {
			char *b = sanitize_url(f->a, page_url, href, 0);
			if (b != NULL)
				base = b;
			continue;
		}
		if ((href = attr(&t, "id")) != NULL && strcmp(href, "mastodon") == 0)
			f->mastodon = true;
		if (strcmp(t.name, "link") != 0)
			continue;
		rel = attr(&t, "rel");
		href = attr(&t, "href");
		type = attr(&t, "type");
		if (rel == NULL || href == NULL)
			continue;
		if (rel_has(rel, "canonical") && *canonical == NULL)
			*canonical = sanitize_url(f->a, base, href, 0);
		if (rel_has(rel, "alternate") && type != NULL && feed_type(type))
			add(f, sanitize_url(f->a, base, href, 0), "link", type,
			    attr(&t, "title"));
	}
	htmltok_fini(&t);
}

/* Splits an absolute URL: the length of its origin, its path (up to ?/#). */
static bool
url_parts(const char *u, size_t *origin, const char **path, size_t *plen)
{
	const char *h = strstr(u, "://");

	if (h == NULL)
		return false;
	h += 3;
	h += strcspn(h, "/?#");
	*origin = (size_t)(h - u);
	*path = h;
	*plen = strcspn(h, "?#");
	return true;
}

/* n bytes at s all from set, at least min of them. */
static bool
all_of(const char *s, size_t n, size_t min, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr(set, s[i]) == NULL)
			return false;
	}
	return n >= min;
}

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789_-"

/*
 * The URL forms of networks that publish a feed per page, each on its own
 * hosts only: /channel/UC…, /@user or /profile/x on any other site is
 * that site's own path, not a feed address. Mastodon runs on any host: a
 * host listed here, or a page that shows itself as Mastodon's web app
 * (its root element, id="mastodon").
 */
struct url_form {
	const char *how;
	const char *prefix;          /* path prefix before the id */
	size_t min, max;             /* id length bounds */
	const char *chars;           /* what the id is made of */
	const char *const *hosts;    /* the network's hosts (and subdomains) */
	bool any_marked_host;        /* also on a page marked as the network's */
	const char *base;            /* the feed's origin; NULL: the page's */
	const char *before, *after;  /* the feed's path around the id */
	const char *type;
};

static const char *const youtube_hosts[] = { "youtube.com", NULL };
static const char *const bluesky_hosts[] = { "bsky.app", NULL };
static const char *const mastodon_hosts[] = { "mastodon.social",
	"mastodon.online", "mastodon.world", "mstdn.social", "mas.to",
	"fosstodon.org", "hachyderm.io", "infosec.exchange", "chaos.social",
	"social.vivaldi.net", "techhub.social", "mastodon.art", NULL };

static const struct url_form url_forms_table[] = {
	{ "youtube", "/channel/UC", 10, 62, ID_CHARS, youtube_hosts, false,
	  "https://www.youtube.com", "/feeds/videos.xml?channel_id=UC", "",
	  "application/atom+xml" },
	{ "mastodon", "/@", 1, 63, ID_CHARS, mastodon_hosts, true,
	  NULL, "/@", ".rss", "application/rss+xml" },
	{ "bluesky", "/profile/", 1, 255, ID_CHARS ".:", bluesky_hosts, false,
	  "https://bsky.app", "/profile/", "/rss", "application/rss+xml" },
};

/* host (of length n) is domain or one of its subdomains. */
static bool
host_in(const char *host, size_t n, const char *const *domains)
{
	for (; *domains != NULL; domains++) {
		size_t d = strlen(*domains);
		if (n == d ? strncasecmp(host, *domains, d) == 0 :
		    n > d && host[n - d - 1] == '.' &&
		    strncasecmp(host + n - d, *domains, d) == 0)
			return true;
	}
	return false;
}

/* The host of an absolute URL: after "://" and any userinfo, up to a
 * port, path, query or fragment. */
static const char *
url_host_span(const char *u, size_t origin, size_t *n)
{
	const char *h = strstr(u, "://") + 3, *at;
	const char *end = u + origin;

	if ((at = memchr(h, '@', (size_t)(end - h))) != NULL)
		h = at + 1;
	*n = strcspn(h, ":/?#");
	if (h + *n > end)
		*n = (size_t)(end - h);
	return h;
}

static void
url_form_apply(struct found *f, const struct url_form *r, const char *url,
    size_t origin, const char *path, size_t plen, bool marked)
{
	size_t k = strlen(r->prefix), hn, n;
	const char *host = url_host_span(url, origin, &hn), *id;

	if (plen <= k || strncmp(path, r->prefix, k) != 0)
		return;
	if (!host_in(host, hn, r->hosts) && !(r->any_marked_host && marked))
		return;
	id = path + k;
	n = plen - k;
	if (n < r->min || n > r->max || !all_of(id, n, r->min, r->chars))
		return;
	/* The feed lives on the network's own host, or on the instance. */
	add(f, arena_printf(f->a, "%.*s%s%.*s%s", r->base != NULL ? (int)strlen(
	    r->base) : (int)origin, r->base != NULL ? r->base : url, r->before,
	    (int)n, id, r->after), r->how, r->type, NULL);
}

/* The feed a URL form implies (url_forms_table). */
static void
url_forms(struct found *f, const char *url, bool marked)
{
	const char *path;
	size_t origin, plen, i;

	if (url == NULL || !url_parts(url, &origin, &path, &plen))
		return;
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	for (i = 0; i < sizeof(url_forms_table) / sizeof(url_forms_table[0]); i++)
		url_form_apply(f, &url_forms_table[i], url, origin, path, plen,
		    marked);
}

bool
feed_discover_mastodon_host(const char *url)
{
	const char *path;
	size_t origin, plen, hn;
	const char *host;

	if (url == NULL || !url_parts(url, &origin, &path, &plen))
		return false;
	host = url_host_span(url, origin, &hn);
	return hn > 0 && host_in(host, hn, mastodon_hosts);
}

size_t
feed_discover(struct arena *a, const char *page_url, const char *html,
    size_t len, struct feed_candidate *out, size_t max)
{
	struct found f = { a, out, 0, max < FEED_DISCOVER_MAX ? max :
	    FEED_DISCOVER_MAX, false };
	char *canonical = NULL;

	if (page_url == NULL)
		return 0;
	if (html != NULL && len > 0)
		scan_links(&f, page_url, html, len, &canonical);
	url_forms(&f, page_url, f.mastodon);
	if (canonical != NULL)
		url_forms(&f, canonical, f.mastodon);
	return f.n;
}

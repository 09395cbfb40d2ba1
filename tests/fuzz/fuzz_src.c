/* fuzz_src: the API connectors' page parsers (src_page of Mastodon,
 * Bluesky, YouTube, LinkedIn, X, x-search, TikTok). The first byte picks
 * the connector; the rest is a run's responses, split at NUL bytes, each
 * optionally opening with a "Link: ...\n" line (Mastodon's paging). Asserts
 * what the refresher relies on: a run ends within SRC_MAX_REQUESTS, every
 * string is UTF-8, every item has an id, galleries are bounded, media URLs
 * are http(s), and the items survive the cache's JSON round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/url.h"
#include "widgets/feeds/feed.h"
#include "widgets/streams/src.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct src_conf confs[] = {
	{ SRC_MASTODON, "@brand@mastodon.example", NULL, NULL, NULL, NULL },
	{ SRC_BLUESKY, "brand.example.com", NULL, NULL, NULL, NULL },
	{ SRC_YOUTUBE, "UCabcdefghijklmnopqrstuv", NULL, NULL, "/k", NULL },
	{ SRC_LINKEDIN, "2414183", NULL, "li", NULL, NULL },
	{ SRC_X, "2244994945", NULL, "x", NULL, NULL },
	{ SRC_X_SEARCH, NULL, NULL, "x", NULL, "#brand" },
	{ SRC_TIKTOK, "@brand", NULL, "tt", NULL, NULL },
};

static void
utf8_or_die(const char *s)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		abort();
}

static void
http_or_die(const char *s)
{
	/* Schemes are case-insensitive (RFC 3986): "HTTPS://" is one. */
	if (s != NULL && strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0)
		abort();
}

static void
check_item(const struct feed_item *it)
{
	if (it->id == NULL || it->nmedia > 10000)
		abort();
	utf8_or_die(it->id);
	utf8_or_die(it->url);
	utf8_or_die(it->title);
	utf8_or_die(it->content_html);
	http_or_die(it->url);
	http_or_die(it->image);
	for (size_t i = 0; i < it->nmedia; i++) {
		const struct feed_media *m = &it->media[i];
		http_or_die(m->url);
		http_or_die(m->poster);
		http_or_die(m->link);
		utf8_or_die(m->alt);
		if (m->type == FEED_MEDIA_IMAGE && m->url == NULL)
			abort();
	}
	for (size_t i = 0; i < it->nauthors; i++)
		utf8_or_die(it->authors[i].name);
}

static void
roundtrip(struct arena *a, struct feed *f)
{
	json_t *j;
	struct feed g;

	for (size_t i = 0; i < f->nitems; i++)
		check_item(&f->items[i]);
	if ((j = feed_to_json(f)) == NULL)
		return;
	if (feed_from_json(a, j, &g) != RC_OK || g.nitems != f->nitems)
		abort();
	json_decref(j);
}

/* The next response: up to the next NUL byte, a leading Link line split off. */
static size_t
next_resp(const uint8_t *p, size_t n, struct arena *a, struct src_response *resp)
{
	const uint8_t *end = memchr(p, 0, n);
	size_t len = end != NULL ? (size_t)(end - p) : n;
	const char *body = (const char *)p;

	memset(resp, 0, sizeof(*resp));
	if (len > 6 && memcmp(p, "Link: ", 6) == 0) {
		const char *nl = memchr(p, '\n', len);
		if (nl != NULL) {
			resp->link = arena_strndup(a, body + 6, (size_t)(nl - body - 6));
			len -= (size_t)(nl + 1 - body);
			body = nl + 1;
		}
	}
	resp->body = body;
	resp->len = len;
	resp->content_type = "application/json";
	return end != NULL ? (size_t)(end - p) + 1 : n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	struct src_run r;
	size_t off = 1, pages = 0;
	enum rc rc = RC_OK;

	if (size < 1)
		return 0;
	if ((a = arena_new(64 * 1024, 256u * 1024 * 1024)) == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.conf = &confs[data[0] % (sizeof(confs) / sizeof(confs[0]))];
	r.token = "FUZZTOKEN";
	r.now = 1765000000;
	if (src_start(&r) != RC_OK)
		abort();      /* every configured source starts */
	while (rc == RC_OK && r.url != NULL && off < size) {
		struct src_response resp;
		off += next_resp(data + off, size - off, a, &resp);
		rc = src_page(&r, &resp);
		if (++pages > SRC_MAX_REQUESTS)
			abort();  /* src.c bounds a run */
		if (rc != RC_OK && r.err[0] == '\0' && rc != RC_NOMEM)
			abort();  /* a failure names its cause */
	}
	utf8_or_die(r.feed.title);
	if (r.feed.nitems > SRC_MAX_ITEMS)
		abort();
	/* Only a finished run is stored (LinkedIn's pictures are filled in
	 * by its last requests). */
	if (rc == RC_OK && r.url == NULL)
		roundtrip(a, &r.feed);
	arena_free(a);
	return 0;
}

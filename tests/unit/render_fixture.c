/* render_fixture: sample streams for the media and render unit tests. */
#include "render_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/catalog.h"

const struct render_site fixture_site = {
	.base = FIXTURE_BASE,
	.home = FIXTURE_HOME,
};

struct render_site fixture_words;

int
fixture_words_setup(void **state)
{
	const char *src = getenv("srcdir");
	char dir[1024], err[512];
	struct catalog *c;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/data/catalogs", src != NULL ? src : ".");
	if (catalog_load(dir, NULL, err, sizeof(err), &c) != RC_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	fixture_words = fixture_site;
	fixture_words.catalog = c;
	return 0;
}

int
fixture_words_teardown(void **state)
{
	(void)state;
	catalog_free((struct catalog *)fixture_words.catalog);
	fixture_words.catalog = NULL;
	return 0;
}

static char **
strs(struct arena *a, size_t n, const char *const *v)
{
	char **out = arena_calloc(a, n, sizeof(*out));

	for (size_t i = 0; out != NULL && i < n; i++)
		out[i] = arena_strdup(a, v[i]);
	return out;
}

static void
mastodon(struct arena *a, struct feed_item *it)
{
	static const char *const tags[] = { "launch" };
	struct feed_person *p = arena_calloc(a, 1, sizeof(*p));
	struct feed_attachment *at = arena_calloc(a, 1, sizeof(*at));

	it->id = arena_strdup(a, "https://mastodon.example/users/brand/statuses/1");
	it->url = arena_strdup(a, "https://mastodon.example/@brand/1");
	it->content_html = arena_strdup(a, "<p>Hello from the fediverse "
	    "<a href=\"https://mastodon.example/tags/launch\">#launch</a></p>"
	    "<p><img src=\"https://files.mastodon.example/emoji/party.png\" alt=\":party:\"></p>");
	p->name = arena_strdup(a, "Example Co.");
	p->url = arena_strdup(a, "https://mastodon.example/@brand");
	p->avatar = arena_strdup(a, "https://files.mastodon.example/avatar.png");
	it->authors = p;
	it->nauthors = 1;
	at->url = arena_strdup(a, "https://files.mastodon.example/media/1.png");
	at->mime_type = arena_strdup(a, "image/png");
	at->title = arena_strdup(a, "A red square on white");
	it->attachments = at;
	it->nattachments = 1;
	it->tags = strs(a, 1, tags);
	it->ntags = 1;
	it->language = arena_strdup(a, "en");
	it->source = arena_strdup(a, "mastodon");
	it->published = FIXTURE_NOW - 300;
}

static void
youtube(struct arena *a, struct feed_item *it)
{
	it->id = arena_strdup(a, "yt:video:abc123");
	it->url = arena_strdup(a, "https://www.youtube.com/watch?v=abc123");
	it->title = arena_strdup(a, "Launch video");
	it->content_text = arena_strdup(a, "Watch our launch & see what's new.");
	it->image = arena_strdup(a, "https://i.ytimg.example/vi/abc123/hqdefault.jpg");
	it->source = arena_strdup(a, "youtube");
	it->published = FIXTURE_NOW - 7200;
}

static void
blog(struct arena *a, struct feed_item *it)
{
	static const char *const tags[] = { "product", "Launch" };

	it->id = arena_strdup(a, "https://blog.example/posts/1");
	it->url = arena_strdup(a, "https://blog.example/posts/1");
	it->title = arena_strdup(a, "Our new product");
	it->summary = arena_strdup(a, "Everything about the new product.");
	it->content_html = arena_strdup(a, "<p>Long text about it.</p>"
	    "<p><img src=\"https://blog.example/img/p.webp\" srcset=\"https://cdn.example/p2.webp 2x\" "
	    "alt=\"The product on a table\"></p>"
	    "<iframe src=\"https://player.example/embed/1\"></iframe>");
	it->tags = strs(a, 2, tags);
	it->ntags = 2;
	it->market = arena_strdup(a, "de");
	it->source = arena_strdup(a, "blog");
	it->published = FIXTURE_NOW - 86400 - 3600;
	it->updated = FIXTURE_NOW - 86400;
}

static void
bluesky(struct arena *a, struct feed_item *it)
{
	it->id = arena_strdup(a, "at://did:plc:xyz/app.bsky.feed.post/3k");
	it->url = arena_strdup(a, "https://bsky.app/profile/brand.example/post/3k");
	it->content_text = arena_strdup(a, "Posting from Bluesky too.");
	it->source = arena_strdup(a, "bluesky");
	it->published = FIXTURE_NOW - 3 * 86400;
}

static void
hostile(struct arena *a, struct feed_item *it)
{
	static const char *const tags[] = { "<b>bold</b>", "\"><script>alert(7)</script>" };
	struct feed_person *p = arena_calloc(a, 1, sizeof(*p));
	struct feed_attachment *at = arena_calloc(a, 2, sizeof(*at));

	it->id = arena_strdup(a, "hostile <1>");
	it->url = arena_strdup(a, "javascript:alert(2)");
	it->external_url = arena_strdup(a, "data:text/html,<script>alert(3)</script>");
	it->title = arena_strdup(a, "<script>window.__xss=1</script>\"'& \x01title\xef\xbf\xbe");
	it->summary = arena_strdup(a, "sum\x02mary </summary><script>x</script>");
	it->content_html = arena_strdup(a, "<p onclick=\"x()\" style=\"background:url(https://t.example/x)\">hi"
	    "<img src=\"javascript:alert(3)\"><img src=\"https://evil.example/track.gif\" onerror=\"x()\">"
	    "<a href=\"javascript:alert(4)\">click</a></p><svg><script>alert(5)</script></svg>"
	    "<!-- <script>alert(6)</script> --><video poster=\"https://evil.example/p.jpg\"></video>");
	p->name = arena_strdup(a, "<img src=x onerror=alert(1)>");
	p->url = arena_strdup(a, "javascript:alert(1)");
	p->avatar = arena_strdup(a, "data:image/svg+xml,<svg onload=alert(8)>");
	it->authors = p;
	it->nauthors = 1;
	at[0].url = arena_strdup(a, "https://evil.example/a.jpg");
	at[1].url = arena_strdup(a, "javascript:alert(9)");
	at[1].mime_type = arena_strdup(a, "text/html");
	it->attachments = at;
	it->nattachments = 2;
	it->image = arena_strdup(a, "https://evil.example/img\" onerror=\"x.png");
	it->tags = strs(a, 2, tags);
	it->ntags = 2;
	it->language = arena_strdup(a, "en\" onload=\"x");
	it->source = arena_strdup(a, "x\"><script>");
	it->published = FIXTURE_NOW - 4 * 86400;
}

struct feed *
fixture_feed(struct arena *a, size_t extra)
{
	struct feed *f = arena_calloc(a, 1, sizeof(*f));

	f->format = FEED_JSON11;
	f->title = arena_strdup(a, "Example Co. everywhere");
	f->home_page_url = arena_strdup(a, FIXTURE_HOME);
	f->nitems = FIX_COUNT + extra;
	f->items = arena_calloc(a, f->nitems, sizeof(*f->items));
	mastodon(a, &f->items[FIX_MASTODON]);
	youtube(a, &f->items[FIX_YOUTUBE]);
	blog(a, &f->items[FIX_BLOG]);
	bluesky(a, &f->items[FIX_BLUESKY]);
	hostile(a, &f->items[FIX_HOSTILE]);
	for (size_t i = 0; i < extra; i++) {
		struct feed_item *it = &f->items[FIX_COUNT + i];
		it->id = arena_printf(a, "item-%zu", i);
		it->url = arena_printf(a, "https://blog.example/items/%zu", i);
		it->title = arena_printf(a, "Item %zu", i);
		it->content_text = arena_printf(a, "Text of item %zu", i);
		it->source = arena_strdup(a, i % 2 == 0 ? "a" : "b");
		if (i % 3 == 0) {
			it->tags = strs(a, 1, (const char *const[]){ "even3" });
			it->ntags = 1;
		}
		/* Pairs share a timestamp: ties must not break paging. */
		it->published = FIXTURE_NOW - 5 * 86400 - (long long)(i / 2) * 600;
	}
	return f;
}

struct feed *
fixture_prepared(struct arena *a, size_t extra)
{
	struct feed *in = fixture_feed(a, extra);
	struct feed *out = arena_calloc(a, 1, sizeof(*out));

	if (render_prepare(a, in, &fixture_site, out) != RC_OK)
		abort();
	return out;
}

void
fixture_page(struct arena *a, const struct feed *f, struct render_page *p)
{
	const struct feed_item **items = arena_calloc(a, f->nitems + 1, sizeof(*items));

	for (size_t i = 0; i < f->nitems; i++)
		items[i] = &f->items[i];
	memset(p, 0, sizeof(*p));
	p->site = &fixture_site;
	p->stream = "brand";
	p->title = f->title;
	p->items = items;
	p->nitems = f->nitems;
	p->self_url = FIXTURE_BASE "/streams/brand.json";
	p->feed_url = FIXTURE_BASE "/streams/brand.json";
	p->next_url = FIXTURE_BASE "/streams/brand.json?before=abc";
	p->updated = FIXTURE_NOW - 60;
	p->now = FIXTURE_NOW;
	p->layout = RENDER_LIST;
}

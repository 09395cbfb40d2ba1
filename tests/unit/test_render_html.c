/* test_render_html: the HTML fragment — escaping of hostile text, images
 * only through the proxy, microformats2, layouts and paging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/catalog.h"
#include "widgets/media.h"
#include "widgets/render_common.h"
#include "widgets/render.h"
#include "widgets/render_formats.h"
#include "render_fixture.h"


static void
render(struct render_page *p, struct buf *b)
{
	p->site = &fixture_words;
	buf_init(b, 1u << 22);
	assert_int_equal(render_html(b, p), RC_OK);
}

struct scan {
	int entries, images, links, times, cards, contents;
};

static bool
has_class(xmlNodePtr n, const char *cls)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"class");
	bool found = false;
	size_t len = strlen(cls);

	for (const char *s = (const char *)v; s != NULL && (s = strstr(s, cls)) != NULL; s += len)
		if ((s == (const char *)v || s[-1] == ' ') && (s[len] == '\0' || s[len] == ' '))
			found = true;
	xmlFree(v);
	return found;
}

/* Walks the parsed fragment as a browser would see it. */
static void
walk(xmlNodePtr n, struct scan *s)
{
	static const char *const banned[] = { "script", "iframe", "svg", "object",
	    "embed", "style", "link", "video", "audio", "form", "base", "meta" };

	for (; n != NULL; n = n->next) {
		const char *name = (const char *)n->name;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
			if (strcasecmp(name, banned[i]) == 0)
				fail_msg("element <%s> in the output", name);
		for (xmlAttrPtr at = n->properties; at != NULL; at = at->next) {
			const char *an = (const char *)at->name;
			if (strncasecmp(an, "on", 2) == 0 || strcasecmp(an, "style") == 0 ||
			    strcasecmp(an, "srcset") == 0)
				fail_msg("attribute %s on <%s>", an, name);
		}
		if (strcasecmp(name, "img") == 0) {
			xmlChar *src = xmlGetProp(n, (const xmlChar *)"src");
			size_t bl = strlen(FIXTURE_BASE "/media/");
			assert_non_null(src);
			if (strncmp((const char *)src, FIXTURE_BASE "/media/", bl) != 0 ||
			    !media_id_valid((const char *)src + bl))
				fail_msg("img src %s is not the proxy", src);
			xmlFree(src);
			assert_true(xmlHasProp(n, (const xmlChar *)"alt") != NULL);
			s->images++;
		}
		if (xmlHasProp(n, (const xmlChar *)"href")) {
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
			if (!render_link_ok((const char *)href) &&
			    strncmp((const char *)href, "mailto:", 7) != 0)
				fail_msg("href %s", href);
			xmlFree(href);
			s->links++;
		}
		if (strcasecmp(name, "time") == 0) {
			assert_true(has_class(n, "dt-published"));
			assert_true(xmlHasProp(n, (const xmlChar *)"datetime") != NULL);
			s->times++;
		}
		s->entries += has_class(n, "h-entry");
		s->cards += has_class(n, "h-card");
		s->contents += has_class(n, "e-content");
		walk(n->children, s);
	}
}

static void
scan(const struct buf *b, struct scan *s)
{
	htmlDocPtr doc = htmlReadMemory(b->data, (int)b->len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);

	assert_non_null(doc);
	memset(s, 0, sizeof(*s));
	walk(xmlDocGetRootElement(doc), s);
	xmlFreeDoc(doc);
}

static void
test_hostile(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	struct buf b;
	struct scan s;

	(void)state;
	fixture_page(a, f, &p);
	render(&p, &b);
	scan(&b, &s);
	/* Text is escaped, never markup. */
	assert_null(strcasestr(b.data, "<script"));
	assert_null(strcasestr(b.data, "<img src=x"));
	assert_non_null(strstr(b.data, "&lt;script&gt;window.__xss=1&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_non_null(strstr(b.data, "#&lt;b&gt;bold&lt;/b&gt;"));
	/* Attribute values stay inside their quotes. */
	assert_null(strstr(b.data, "onload"));
	assert_null(strstr(b.data, "lang=\"en&quot;"));
	assert_non_null(strstr(b.data, "data-source=\"x---script-\""));
	assert_null(strstr(b.data, "javascript:"));
	assert_null(strstr(b.data, "data:"));
	assert_null(strstr(b.data, "evil.example"));
	buf_fini(&b);
	arena_free(a);
}

static void
test_microformats(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 3);
	struct render_page p;
	struct buf b;
	struct scan s;

	(void)state;
	fixture_page(a, f, &p);
	render(&p, &b);
	scan(&b, &s);
	assert_int_equal(s.entries, (int)f->nitems);
	assert_int_equal(s.times, (int)f->nitems);
	assert_int_equal(s.contents, (int)f->nitems - 0);
	assert_true(s.cards >= 2);
	/* avatar, attachment image and content emoji (Mastodon), thumbnail
	 * (YouTube), content image (blog), attachment and tracking pixel of
	 * the hostile item (both proxied: the browser never asks evil.example) */
	assert_int_equal(s.images, 7);
	assert_non_null(strstr(b.data, "<section class=\"social-stream social-stream--list h-feed\""));
	assert_non_null(strstr(b.data, "<data class=\"p-name\" value=\"Example Co. everywhere\">"));
	assert_non_null(strstr(b.data, "<time class=\"dt-published\" datetime=\"2025-12-31T23:55:00Z\""));
	assert_non_null(strstr(b.data, ">5 minutes ago</time>"));
	assert_non_null(strstr(b.data, ">2 hours ago</time>"));
	assert_non_null(strstr(b.data, ">3 days ago</time>"));
	assert_non_null(strstr(b.data, "social-stream__item--video"));
	assert_non_null(strstr(b.data, "data-network=\"bluesky\""));
	assert_non_null(strstr(b.data, "alt=\"A red square on white\""));
	/* Notes have no title heading; articles and videos do. The title
	 * link is out of the tab order: the permalink is the post's stop. */
	assert_non_null(strstr(b.data, "<h3 class=\"social-stream__title p-name\"><a class=\"u-url\" "
	    "tabindex=\"-1\" href=\"https://blog.example/posts/1\">Our new product</a></h3>"));
	assert_null(strstr(b.data, "<h3 class=\"social-stream__title p-name\"><a class=\"u-url\" "
	    "tabindex=\"-1\" href=\"https://mastodon.example"));
	assert_non_null(strstr(b.data, "<a class=\"social-stream__permalink u-url\" href="));
	assert_null(strstr(b.data, "<a class=\"social-stream__permalink u-url\" tabindex"));
	assert_null(strstr(b.data, "<nav"));
	assert_non_null(strstr(b.data, "lang=\"en\""));
	assert_non_null(strstr(b.data, "title=\"Dec 31, 2025, 11:55\u202fPM UTC\">5 minutes ago"));
	assert_non_null(strstr(b.data, "lang=\"en\" dir=\"ltr\" data-now=\"1767225600\""));
	/* Without an author the source speaks, by its configured title. */
	assert_non_null(strstr(b.data, "<span class=\"p-name\">bluesky</span>"));
	{
		static const struct render_source src[] = { { "bluesky", "Example on Bluesky", NULL } };
		buf_fini(&b);
		p.sources = src;
		p.nsources = 1;
		render(&p, &b);
		assert_non_null(strstr(b.data, "<span class=\"p-name\">Example on Bluesky</span>"));
	}
	/* Load more is a plain link: works without JS. */
	assert_non_null(strstr(b.data, "<a class=\"social-stream__next\" rel=\"next\" href=\""
	    FIXTURE_BASE "/streams/brand.json?before=abc\">Load more</a>"));
	buf_fini(&b);
	arena_free(a);
}

static void
test_layouts(void **state)
{
	static const struct { enum render_layout l; const char *cls; } cases[] = {
		{ RENDER_LIST, "social-stream--list" },
		{ RENDER_GRID, "social-stream--grid" },
		{ RENDER_CAROUSEL, "social-stream--carousel" },
	};
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	struct buf b;

	(void)state;
	fixture_page(a, f, &p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.layout = cases[i].l;
		render(&p, &b);
		assert_non_null(strstr(b.data, cases[i].cls));
		assert_non_null(strstr(b.data, "data-layout=\""));
		buf_fini(&b);
	}
	arena_free(a);
}

static void
test_empty(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	struct buf b;

	(void)state;
	fixture_page(a, f, &p);
	p.nitems = 0;
	p.next_url = NULL;
	p.title = NULL;
	render(&p, &b);
	assert_non_null(strstr(b.data, "No posts yet."));
	assert_null(strstr(b.data, "rel=\"next\""));
	assert_non_null(strstr(b.data, "aria-label=\"brand\""));
	buf_fini(&b);
	buf_init(&b, 64);
	assert_int_equal(render_html(&b, &p), RC_LIMIT);
	assert_string_equal(buf_cstr(&b), "");
	buf_fini(&b);
	arena_free(a);
}

/* The words, dates and counts in the page's language; each post in its
 * own language and direction. */
static void
test_languages(void **state)
{
	static const struct {
		const char *lang, *dir, *more, *rel, *likes, *views;
	} cases[] = {
		{ "de", "ltr", ">Mehr laden</a>", ">vor 5 Minuten</time>",
		  "<data value=\"1\">1</data> Like</li>",
		  "<data value=\"1234567\">1,2\u00a0Mio.</data> Aufrufe</li>" },
		{ "ja", "ltr", ">さらに読み込む</a>", ">5 分前</time>",
		  "いいね <data value=\"1\">1</data>件</li>",
		  "<data value=\"1234567\">123万</data>回表示</li>" },
		{ "ar", "rtl", ">تحميل المزيد</a>", ">قبل ٥ دقائق</time>",
		  "إعجاب واحد</li>", "<data value=\"1234567\">١٫٢\u00a0مليون</data> مشاهدة</li>" },
		{ "ru", "ltr", ">Загрузить ещё</a>", ">5 минут назад</time>",
		  "<data value=\"1\">1</data> отметка «нравится»</li>",
		  "<data value=\"1234567\">1,2\u00a0млн</data> просмотров</li>" },
	};
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_prepared(a, 0);
	struct render_page p;
	struct buf b;
	char want[128];

	(void)state;
	fixture_page(a, f, &p);
	p.show_counts = true;
	f->items[FIX_MASTODON].counts.have = FEED_COUNT_LIKES | FEED_COUNT_VIEWS;
	f->items[FIX_MASTODON].counts.likes = 1;
	f->items[FIX_MASTODON].counts.views = 1234567;
	f->items[FIX_BLOG].language = "ar";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.lang = cases[i].lang;
		render(&p, &b);
		snprintf(want, sizeof(want), "lang=\"%s\" dir=\"%s\" data-now=", cases[i].lang,
		    cases[i].dir);
		assert_non_null(strstr(b.data, want));
		{
			const char *want_all[] = { cases[i].more, cases[i].rel, cases[i].likes,
				cases[i].views };
			for (size_t k = 0; k < 4; k++)
				if (strstr(b.data, want_all[k]) == NULL)
					fail_msg("%s: no %s in %s", cases[i].lang, want_all[k],
					    strstr(b.data, "social-stream__counts"));
		}
		/* The Arabic post keeps its own language and direction. */
		assert_non_null(strstr(b.data, "h-entry\" data-network=\"web\" data-source=\"blog\" "
		    "lang=\"ar\" dir=\"rtl\""));
		/* A post of no known language takes its direction from its
		 * text, not from the page, and claims no language. */
		assert_non_null(strstr(b.data, "data-source=\"youtube\" dir=\"auto\">"));
		buf_fini(&b);
	}
	/* A language without a catalog: English words, never a key. */
	p.lang = "x\"y";
	render(&p, &b);
	assert_non_null(strstr(b.data, ">Load more</a>"));
	assert_non_null(strstr(b.data, "lang=\"en\" dir=\"ltr\""));
	buf_fini(&b);
	arena_free(a);
}

/* Unprepared input: images that do not point at the proxy are left out. */
static void
test_unprepared(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct feed *f = fixture_feed(a, 0);
	struct render_page p;
	struct buf b;

	(void)state;
	fixture_page(a, f, &p);
	p.nitems = FIX_BLOG;   /* Mastodon and YouTube: content without <img> */
	f->items[FIX_MASTODON].content_html = "<p>text</p>";
	render(&p, &b);
	assert_null(strstr(b.data, "<img"));
	buf_fini(&b);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_microformats),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unprepared),
		cmocka_unit_test(test_languages),
	};
	return cmocka_run_group_tests(tests, fixture_words_setup, fixture_words_teardown);
}

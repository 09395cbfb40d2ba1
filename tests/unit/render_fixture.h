/* render_fixture: sample streams for the media and render unit tests. */
#ifndef SOCIALHUB_TESTS_RENDER_FIXTURE_H
#define SOCIALHUB_TESTS_RENDER_FIXTURE_H

#include <stddef.h>

#include "util/arena.h"
#include "widgets/feeds/feed.h"
#include "widgets/render.h"

#define FIXTURE_NOW 1767225600LL   /* 2026-01-01T00:00:00Z */
#define FIXTURE_BASE "https://www.example.com/social"
#define FIXTURE_HOME "https://www.example.com/"

/* Indexes of the hand-written items in fixture_feed(). */
enum {
	FIX_MASTODON,
	FIX_YOUTUBE,
	FIX_BLOG,
	FIX_BLUESKY,
	FIX_HOSTILE,
	FIX_COUNT
};

/* The site every test renders for. */
extern const struct render_site fixture_site;

/*
 * fixture_site with the shipped catalogs ($srcdir/data/catalogs), for
 * the tests of words: fixture_words_setup, a cmocka group setup, loads
 * them (non-zero, the reason on stderr, when they do not load);
 * fixture_words_teardown frees them.
 */
extern struct render_site fixture_words;
int fixture_words_setup(void **state);
int fixture_words_teardown(void **state);

/*
 * A merged stream (arena memory): the FIX_COUNT hand-written items (one per
 * network plus a hostile one) newest first, followed by `extra` synthetic
 * items (ids "item-N", sources alternating "a"/"b", every third tagged
 * "even3", some with equal timestamps).
 */
struct feed *fixture_feed(struct arena *a, size_t extra);

/* The same after render_prepare (what the renderers get). */
struct feed *fixture_prepared(struct arena *a, size_t extra);

/* A page over all items of f (no paging), for renderer tests. */
void fixture_page(struct arena *a, const struct feed *f, struct render_page *p);

#endif

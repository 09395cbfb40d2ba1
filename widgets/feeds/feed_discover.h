/* feed_discover: the feeds a web page names, and the feed URLs of the
 * page URLs of networks that publish one (YouTube, Mastodon, Bluesky). */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_DISCOVER_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

#define FEED_DISCOVER_MAX 8

struct feed_candidate {
	char *url;          /* absolute http(s), arena memory */
	const char *how;    /* "link" (<link rel=alternate>), "youtube",
	                     * "mastodon", "bluesky": static */
	char *type;         /* the link's type, or NULL */
	char *title;        /* the link's title, or NULL */
};

/*
 * True when a body answered for a source is an HTML page rather than a
 * feed: an HTML Content-Type or an <html>/<!DOCTYPE html> start, and no
 * feed root (feed_detect says FEED_UNKNOWN).
 */
bool feed_discover_is_html(const char *body, size_t len,
    const char *content_type);

/*
 * The feed candidates of the page at page_url whose HTML is
 * html[0..len) (NULL, 0: the URL alone): <link rel="alternate"> with an
 * RSS, Atom or JSON Feed type, in document order, then the feed the URL
 * form implies, each on its network's hosts only (youtube.com
 * …/channel/UC… → www.youtube.com/feeds/videos.xml?channel_id=UC…, also
 * through the page's canonical link; bsky.app/profile/HANDLE →
 * …/profile/HANDLE/rss; …/@user → …/@user.rss on a known Mastodon
 * instance or a page that is Mastodon's web app, id="mastodon"),
 * duplicates left out. At most
 * max (≤ FEED_DISCOVER_MAX) into out; returns how many. Arena memory.
 */
/*
 * True when url (absolute) is on one of the Mastodon instances
 * feed_discover knows by name (or a subdomain of one). Any other host is
 * Mastodon only when it shows itself as such: its page (feed_discover) or
 * its instance API (profiles).
 */
bool feed_discover_mastodon_host(const char *url);

size_t feed_discover(struct arena *a, const char *page_url, const char *html,
    size_t len, struct feed_candidate *out, size_t max);

#endif

/* feed_ext: the extension elements RSS and Atom share (feed_ext.c). */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_EXT_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_EXT_H

#include <stdbool.h>

#include "widgets/feeds/feed_build.h"

/* Extensions shared by RSS and Atom items: Media RSS, iTunes, Dublin
 * Core, content:encoded, feedburner. True when n was one of them. */
bool feed_ext_item(struct feed_ctx *c, struct feed_ib *b,
    const struct feed_node *n);
/* Channel-level extensions (itunes:image, itunes:author, dc:*). */
bool feed_ext_feed(struct feed_ctx *c, const struct feed_node *n,
    const char *base);

#endif

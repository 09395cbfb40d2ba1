/* feed_formats: the format parsers feed.c dispatches to (feed_rss.c,
 * feed_atom.c, feed_json.c), each filling c->f from its document. */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_FORMATS_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_FORMATS_H

#include <stddef.h>

#include "util/rc.h"
#include "widgets/feeds/feed_build.h"

/* RSS 0.9x/2.0 and RDF (RSS 1.0) from the root element. */
enum rc feed_rss_parse(struct feed_ctx *c, const struct feed_node *root);
/* Atom 0.3 and 1.0 from the root element. */
enum rc feed_atom_parse(struct feed_ctx *c, const struct feed_node *root);
/* An Atom element inside an RSS item (atom:link, .NET's a10:link,
 * atom:author, atom:content, atom:published/updated, atom:category): read
 * as in an Atom entry, one step below the RSS element of the same
 * meaning. */
void feed_atom_rss_child(struct feed_ctx *c, struct feed_ib *b,
    const struct feed_node *k);
/* JSON Feed 1.0/1.1 from the decoded body. */
enum rc feed_json_parse(struct feed_ctx *c, const char *body, size_t len);

#endif

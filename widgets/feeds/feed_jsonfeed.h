/* feed_jsonfeed: what the JSON Feed form's writers and reader share,
 * inside widgets/feeds: the streaming writer (feed_jsonfeed.c) and the
 * Jansson tree with its read-back (feed_jsontree.c) must agree on every
 * member. */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_JSONFEED_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_JSONFEED_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/feeds/feed_model.h"

#define JSONFEED_VERSION "https://jsonfeed.org/version/1.1"
#define JSONFEED_EXT "_socialhub"

/* The counts by bit, in the order they are written. */
struct feed_count_name {
	const char *name;
	unsigned bit;
	size_t off;             /* of its value in struct feed_counts */
};
#define FEED_NCOUNTS 4
extern const struct feed_count_name feed_count_names[FEED_NCOUNTS];

long long *feed_count_at(struct feed_counts *c, size_t i);
long long feed_count_of(const struct feed_counts *c, size_t i);
/* The API-source extras go into "_socialhub" when any is set. */
bool feed_has_extras(const struct feed_item *it);

#endif

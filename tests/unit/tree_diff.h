/* tree_diff: where two feed_trees differ (the feed_xml reader against
 * libxml2), for test_feed_tree and the xmltree fuzz target. */
#ifndef SOCIALHUB_TESTS_TREE_DIFF_H
#define SOCIALHUB_TESTS_TREE_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/feeds/feed_tree.h"

/* True when a and b hold the same nodes, names, namespaces, attributes and
 * text; else false with the first difference described in why. */
bool tree_same(const struct feed_tree *a, const struct feed_tree *b,
    char *why, size_t whylen);

#endif

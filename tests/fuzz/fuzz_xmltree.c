/* fuzz_xmltree: the feed_xml reader against libxml2. Whatever feed_xml
 * takes, libxml2 must call well-formed and build the same tree for, and
 * the lenient reading must build that tree too (unless it moved an item
 * or entry up to its channel or feed), at the default depth
 * bound and at a small one (the first byte picks it). The lenient reading
 * runs on every input (it refuses only a document with no element). Raw
 * bytes, not feed_prep output: feed_xml must hold without that clean-up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tree_diff.h"
#include "util/arena.h"
#include "widgets/feeds/feed_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a, *b;
	struct feed_tree fast, ref;
	int max_depth;
	char why[256] = "", *xml;
	enum rc rc;

	if (size < 1 || size > 1 << 16)
		return 0;
	max_depth = data[0] % 8;          /* 0: the default bound */
	xml = malloc(size);
	a = arena_new(1 << 16, 64 << 20);
	b = arena_new(1 << 16, 64 << 20);
	if (xml == NULL || a == NULL || b == NULL)
		abort();
	memcpy(xml, data + 1, size - 1);
	xml[size - 1] = '\0';
	/* The unrepaired mode only refuses more. */
	if (feed_tree_parse_with(a, xml, size - 1, max_depth,
	    FEED_TREE_UNREPAIRED, &fast) == RC_OK &&
	    feed_tree_parse_with(b, xml, size - 1, max_depth, FEED_TREE_FAST,
	    &ref) != RC_OK) {
		fprintf(stderr, "unrepaired mode took what feed_xml refuses\n");
		abort();
	}
	arena_reset(a);
	arena_reset(b);
	rc = feed_tree_parse_with(a, xml, size - 1, max_depth, FEED_TREE_LENIENT,
	    &fast);
	if (rc != RC_OK && rc != RC_INVALID) {
		fprintf(stderr, "lenient reading failed: %s\n", rc_str(rc));
		abort();
	}
	if (rc == RC_OK && !fast.recovered) {
		fprintf(stderr, "lenient reading not marked recovered\n");
		abort();
	}
	arena_reset(a);
	if (feed_tree_parse_with(a, xml, size - 1, max_depth, FEED_TREE_FAST,
	    &fast) == RC_OK) {
		if (feed_tree_parse_with(b, xml, size - 1, max_depth,
		    FEED_TREE_LIBXML2, &ref) != RC_OK) {
			fprintf(stderr, "feed_xml took it, libxml2 found no tree\n");
			abort();
		}
		if (ref.recovered) {
			fprintf(stderr, "feed_xml took what libxml2 recovers\n");
			abort();
		}
		if (!tree_same(&fast, &ref, why, sizeof(why))) {
			fprintf(stderr, "trees differ: %s\n", why);
			abort();
		}
		arena_reset(a);
		if (feed_tree_parse_with(a, xml, size - 1, max_depth,
		    FEED_TREE_LENIENT, &fast) != RC_OK ||
		    (!fast.moved && !tree_same(&fast, &ref, why, sizeof(why)))) {
			fprintf(stderr, "lenient reading differs: %s\n", why);
			abort();
		}
	}
	arena_free(a);
	arena_free(b);
	free(xml);
	return 0;
}

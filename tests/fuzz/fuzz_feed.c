/* fuzz_feed: libFuzzer target for feed_parse, the sanitizer behind it and
 * feed_to_json/feed_from_json. Build with --enable-fuzzing (CC=clang); run
 *   tests/fuzz/fuzz_feed -max_len=65536 CORPUS_DIR
 * seeded with ../shared/corpus/feedparser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "util/arena.h"
#include "widgets/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	struct feed_parse_opts o;
	struct feed f, g;
	json_t *j;

	if (a == NULL)
		a = arena_new(1 << 16, 64 << 20);
	arena_reset(a);
	memset(&o, 0, sizeof(o));
	/* The first byte picks a base URL and a content type. */
	if (size > 0) {
		o.base_url = (data[0] & 1) ? "https://fuzz.example/dir/feed" : NULL;
		o.content_type = (data[0] & 2) ? "text/xml; charset=iso-8859-1" :
		    (data[0] & 4) ? "application/atom+xml; charset=utf-16" : NULL;
		o.max_items = (data[0] & 8) ? 3 : 0;
	}
	o.fetch_time = 1700000000;
	if (feed_parse(a, (const char *)data, size, &o, &f) != RC_OK)
		return 0;
	j = feed_to_json(&f);
	if (j != NULL) {
		if (feed_from_json(a, j, &g) != RC_OK)
			__builtin_trap();
		json_decref(j);
	}
	return 0;
}

/* modbench: fills a moderation queue in a local store and times the
 * library's side of the console (tests/bench/moderation_bench.sh).
 *
 *   modbench STATE_DIR STREAM N KEYS_OUT
 *
 * Queues N items of source "tag" in STREAM (as a merge would, through a
 * view), writes the keys of the first 1000 to KEYS_OUT, one a line, then
 * in a second stream STREAM-lib with the same N items times mod_queue
 * (the pending page of 50, median of 5) and one mod_decide approving
 * 1000 items, printing "queue_ms X" and "bulk1000_ms Y". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/store.h"
#include "widgets/streams/moderation.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
fill(struct mod *m, struct arena *a, const char *stream, long n, char (*keys)[MOD_KEY_LEN + 1])
{
	struct mod_view *v;
	struct feed_person who = { .name = (char *)"Fan", .url = (char *)"https://social.example/@fan" };

	if (mod_view_load(m, a, stream, &v) != RC_OK)
		return 1;
	for (long i = 0; i < n; i++) {
		struct feed_item it;
		long pin;
		bool feat;
		memset(&it, 0, sizeof(it));
		it.id = arena_printf(a, "https://social.example/users/fan/statuses/%ld", 100000 + i);
		it.url = it.id;
		it.title = arena_printf(a, "Post number %ld about #brandlaunch", i);
		it.published = 1796558400LL - i;
		it.authors = &who;
		it.nauthors = 1;
		mod_view_visible(v, "tag", "de", MOD_QUEUE, &it, it.title, MOD_VERDICT_QUEUE, "",
		    &pin, &feat);
		if (keys != NULL && i < 1000)
			mod_item_key("tag", &it, keys[i]);
	}
	return mod_view_flush(m, v) == RC_OK ? 0 : 1;
}

static int
cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

int
main(int argc, char **argv)
{
	static char keys[1000][MOD_KEY_LEN + 1];
	struct store_conf c = { 0 };
	struct store *st;
	struct mod *m;
	struct arena *a = arena_new(1 << 20, 0);
	char lib[128];
	const char *kp[1000];
	double t[5], t0;
	long n;
	FILE *f;

	if (argc != 5 || a == NULL || (n = atol(argv[3])) < 1000)
		return fprintf(stderr, "usage: modbench STATE_DIR STREAM N>=1000 KEYS_OUT\n"), 2;
	c.local_dir = argv[1];
	if (store_open(&c, &st) != RC_OK || mod_new(st, &m) != RC_OK)
		return 1;
	if (fill(m, a, argv[2], n, keys) != 0 || (f = fopen(argv[4], "w")) == NULL)
		return 1;
	for (int i = 0; i < 1000; i++)
		fprintf(f, "%s\n", keys[i]);
	fclose(f);
	snprintf(lib, sizeof(lib), "%s-lib", argv[2]);
	arena_reset(a);
	if (fill(m, a, lib, n, keys) != 0)
		return 1;
	for (int i = 0; i < 5; i++) {
		struct mod_filter flt = { .state = "pending", .limit = 50 };
		json_t *rows;
		size_t total;
		arena_reset(a);
		t0 = now_ms();
		if (mod_queue(m, a, lib, &flt, &rows, &total) != RC_OK || total != (size_t)n)
			return fprintf(stderr, "mod_queue failed\n"), 1;
		t[i] = now_ms() - t0;
		json_decref(rows);
	}
	qsort(t, 5, sizeof(t[0]), cmp);
	printf("queue_ms %.1f\n", t[2]);
	for (int i = 0; i < 1000; i++)
		kp[i] = keys[i];
	t0 = now_ms();
	if (mod_decide(m, &(struct mod_request){ .stream = lib, .keys = kp, .nkeys = 1000,
	    .action = MOD_APPROVE, .who = "bench", .now = 1796558400LL }, NULL) != RC_OK)
		return fprintf(stderr, "mod_decide failed\n"), 1;
	printf("bulk1000_ms %.1f\n", now_ms() - t0);
	mod_free(m);
	store_close(st);
	arena_free(a);
	return 0;
}

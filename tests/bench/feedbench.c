/* feedbench: feed_parse throughput in-process (no process start-up), for
 * tests/bench/parse_bench.sh. Usage: feedbench [-r REPEAT] FILE...
 * Prints: files bytes runs cpu_s wall_s cpu_MB/s wall_MB/s failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/fsutil.h"
#include "widgets/feeds/feed.h"

static double
now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct feed_parse_opts o;
	struct arena *a;
	struct feed f;
	char **body;
	size_t *len, total = 0;
	int i, r, repeat = 10, nfiles, failed = 0, opt;
	double w0, c0, w, c;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt == 'r')
			repeat = atoi(optarg);
		else
			return 2;
	}
	nfiles = argc - optind;
	if (nfiles <= 0 || repeat <= 0) {
		fprintf(stderr, "usage: feedbench [-r REPEAT] FILE...\n");
		return 2;
	}
	body = calloc((size_t)nfiles, sizeof(*body));
	len = calloc((size_t)nfiles, sizeof(*len));
	a = arena_new(1 << 20, 0);
	if (body == NULL || len == NULL || a == NULL)
		return 1;
	for (i = 0; i < nfiles; i++) {
		if (fsutil_read(argv[optind + i], 32 << 20, &body[i], &len[i]) !=
		    RC_OK) {
			fprintf(stderr, "feedbench: cannot read %s\n", argv[optind + i]);
			return 1;
		}
		total += len[i];
	}
	memset(&o, 0, sizeof(o));
	o.base_url = "http://127.0.0.1/feed";
	o.fetch_time = 1700000000;
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (r = 0; r < repeat; r++) {
		for (i = 0; i < nfiles; i++) {
			arena_reset(a);
			if (feed_parse(a, body[i], len[i], &o, &f) != RC_OK && r == 0)
				failed++;
		}
	}
	w = now(CLOCK_MONOTONIC) - w0;
	c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("%d %zu %d %.3f %.3f %.1f %.1f %d\n", nfiles, total, repeat, c, w,
	    (double)total * repeat / c / 1e6, (double)total * repeat / w / 1e6,
	    failed);
	for (i = 0; i < nfiles; i++)
		free(body[i]);
	free(body);
	free(len);
	arena_free(a);
	return 0;
}

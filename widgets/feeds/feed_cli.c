/* feed_cli: `socialhub parse`, one feed to JSON Feed 1.1 on stdout. */
#include "widgets/feeds/feed_cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/fsutil.h"
#include "util/jsonw.h"
#include "widgets/feeds/feed.h"

#define PARSE_MAX_INPUT (16 * 1024 * 1024)

struct parse_args {
	const char *file;
	const char *base;
	const char *content_type;
	size_t max_items;
	long repeat;
	bool compact;
};

static int
usage(void)
{
	fprintf(stderr, "usage: socialhub parse [--base URL] "
	    "[--content-type TYPE] [--max-items N] FILE|-\n");
	return 2;
}

static bool
number(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return false;
	*out = v;
	return true;
}

static bool
args_read(int argc, char **argv, struct parse_args *pa)
{
	int i;
	long v;

	memset(pa, 0, sizeof(*pa));
	pa->repeat = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (strcmp(a, "--base") == 0 && has) {
			pa->base = argv[++i];
		} else if (strcmp(a, "--content-type") == 0 && has) {
			pa->content_type = argv[++i];
		} else if (strcmp(a, "--max-items") == 0 && has) {
			if (!number(argv[++i], 100000, &v))
				return false;
			pa->max_items = (size_t)v;
		} else if (strcmp(a, "--repeat") == 0 && has) {
			if (!number(argv[++i], 10000000, &pa->repeat))
				return false;
		} else if (strcmp(a, "--compact") == 0) {
			pa->compact = true;
		} else if (strcmp(a, "-c") == 0 && has) {
			i++; /* the common config option: not used here */
		} else if (a[0] == '-' && a[1] != '\0') {
			return false;
		} else if (pa->file == NULL) {
			pa->file = a;
		} else {
			return false;
		}
	}
	return pa->file != NULL;
}

/* A stream read to its end (standard input, a FIFO such as bash's
 * <(cmd), a character device), at most PARSE_MAX_INPUT bytes. */
static enum rc
read_stream(FILE *fp, char **out, size_t *len)
{
	struct buf b;
	char chunk[65536];
	size_t n;

	buf_init(&b, PARSE_MAX_INPUT);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (buf_append(&b, chunk, n) != RC_OK) {
			buf_fini(&b);
			return RC_TOOBIG;
		}
	}
	if (ferror(fp)) {
		buf_fini(&b);
		return RC_IO;
	}
	*out = buf_take(&b, len);
	return *out != NULL ? RC_OK : RC_NOMEM;
}

static double
now_sec(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
out_cb(const char *p, size_t n, void *arg)
{
	(void)arg;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int
discard_cb(const char *p, size_t n, void *arg)
{
	(void)p;
	(void)n;
	(void)arg;
	return 0;
}

/* Items written as they are parsed (feed_item_sink): the parse holds one
 * item at a time, not the feed, and touches that much fresh memory. The
 * output is byte for byte what Jansson's dump of feed_to_json would
 * write, indented unless --compact, in 64 KiB blocks (each one write(2),
 * not a copy through stdio's 4 KiB buffer). The block is the arena's:
 * pages the parse touches anyway (a fresh 4 KiB page costs about 11 µs
 * on the VM this was measured on). */
struct json_out {
	struct jsonw w;
	struct arena *a;
	bool compact;
	bool discard;        /* --repeat's runs before the last */
	bool begun;          /* the head is written */
};

static void
out_head(void *ctx, const struct feed *f)
{
	struct json_out *o = ctx;
	char *block = arena_alloc(o->a, JSONW_BLOCK);

	if (block == NULL || jsonw_init_block(&o->w, o->compact ?
	    JSON_COMPACT : JSON_INDENT(2), o->discard ? discard_cb : out_cb,
	    NULL, block) != RC_OK)
		return;
	/* feed_parse gives UTF-8 only (fuzz_feed asserts it). */
	jsonw_utf8_known(&o->w);
	feed_write_json_head(f, &o->w);
	o->begun = true;
}

static void
out_item(void *ctx, const struct feed_item *it)
{
	struct json_out *o = ctx;

	if (o->begun)
		feed_write_json_item(it, false, &o->w);
}

/* The end of the document, after the last item. */
static bool
out_end(struct json_out *o)
{
	bool ok;

	if (!o->begun)
		return false;
	jsonw_arr_end(&o->w);
	jsonw_obj_end(&o->w);
	ok = jsonw_flush(&o->w) == RC_OK;
	jsonw_fini(&o->w);
	o->begun = false;
	return ok && (o->discard || (fputc('\n', stdout) != EOF &&
	    fflush(stdout) == 0));
}

/* The arena's first block for a feed of len bytes: what a parse of it
 * takes (about 3.5 times its size on the generated feeds: decoded text,
 * the JSON tree, sanitized HTML), so a big feed gets one block of huge
 * pages (util/hugemem.h) and a small one a few malloc'd pages, not a huge
 * page zeroed for it. */
static size_t
arena_size_for(size_t len)
{
	return len * 4 + ((size_t)64 << 10);
}

/* Parses (pa->repeat times), printing the last result as it goes. */
static int
run(const struct parse_args *pa, const char *body, size_t len)
{
	struct feed_parse_opts o;
	struct json_out out;
	const struct feed_item_sink sink = { &out, out_head, out_item };
	struct arena *a;
	struct feed f;
	enum rc rc = RC_OK;
	double t0, c0;
	long i;
	int status = 0;

	memset(&o, 0, sizeof(o));
	memset(&out, 0, sizeof(out));
	o.base_url = pa->base;
	o.content_type = pa->content_type;
	o.fetch_time = (long long)time(NULL);
	o.max_items = pa->max_items;
	o.body_nul = true;
	o.sink = &sink;
	a = arena_new(arena_size_for(len), 0);
	if (a == NULL)
		return 1;
	out.a = a;
	out.compact = pa->compact;
	/* Unbuffered: each of the writer's blocks is one write(2). */
	setvbuf(stdout, NULL, _IONBF, 0);
	t0 = now_sec(CLOCK_MONOTONIC);
	c0 = now_sec(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < pa->repeat; i++) {
		arena_reset(a);
		out.discard = i + 1 < pa->repeat;
		rc = feed_parse(a, body, len, &o, &f);
		if (rc != RC_OK)
			break;
		if (out.discard)
			out_end(&out);
	}
	if (pa->repeat > 1 && rc == RC_OK) {
		double dt = now_sec(CLOCK_MONOTONIC) - t0;
		double ct = now_sec(CLOCK_PROCESS_CPUTIME_ID) - c0;
		double mb = (double)len * (double)pa->repeat / 1e6;
		fprintf(stderr, "parse: %ld runs, %zu bytes, wall %.3f s "
		    "(%.1f MB/s), cpu %.3f s (%.1f MB/s)\n", pa->repeat, len, dt,
		    dt > 0 ? mb / dt : 0.0, ct, ct > 0 ? mb / ct : 0.0);
	}
	if (rc != RC_OK) {
		fprintf(stderr, "socialhub parse: %s: not a feed we can read "
		    "(%s)\n", pa->file, rc_str(rc));
		if (out.begun)
			jsonw_fini(&out.w);
		arena_free(a);
		return 1;
	}
	/* Said on stderr too: the JSON's repaired_bytes is easy to miss. */
	if (f.repaired_bytes > 0)
		fprintf(stderr, "socialhub parse: %s: warning: %zu bytes were not "
		    "UTF-8, each read as windows-1252\n", pa->file,
		    f.repaired_bytes);
	if (!out_end(&out)) {
		fprintf(stderr, "socialhub parse: cannot write the result\n");
		status = 1;
	}
	arena_free(a);
	return status;
}

/* The input: standard input for "-", a regular file mapped
 * (fsutil_map), anything else that opens (a FIFO: `parse <(cmd)`) read as
 * a stream; NUL-terminated either way. */
static enum rc
read_input(const char *file, struct fsutil_map *m)
{
	char *body = NULL;
	struct stat st;
	FILE *fp;
	enum rc rc;

	memset(m, 0, sizeof(*m));
	if (strcmp(file, "-") == 0) {
		rc = read_stream(stdin, &body, &m->len);
		m->data = body;
		return rc;
	}
	if (stat(file, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return fsutil_map(file, PARSE_MAX_INPUT, m);
	fp = fopen(file, "rbe");
	if (fp == NULL)
		return RC_IO;
	rc = read_stream(fp, &body, &m->len);
	fclose(fp);
	m->data = body;
	return rc;
}

/* A mapped input that shrinks under the parse (fsutil_map) raises SIGBUS
 * at the first read past its new end: said in words, not a core dump. */
static void
input_shrank(int sig)
{
	static const char msg[] = "socialhub parse: the input file shrank "
	    "while it was being read\n";

	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;            /* exiting either way */
	_exit(1);
}

static void
guard_mapped_input(const struct fsutil_map *in)
{
	struct sigaction sa;

	if (in->maplen == 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = input_shrank;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

int
widgets_cmd_parse(int argc, char **argv, const struct feature *features)
{
	struct parse_args pa;
	struct fsutil_map in;
	enum rc rc;
	int status;

	(void)features;
	if (!args_read(argc, argv, &pa))
		return usage();
	rc = read_input(pa.file, &in);
	if (rc != RC_OK) {
		fprintf(stderr, "socialhub parse: %s: cannot read (%s)\n",
		    pa.file, rc_str(rc));
		return 1;
	}
	guard_mapped_input(&in);
	status = run(&pa, in.data, in.len);
	fsutil_unmap(&in);
	return status;
}

/* sanitize_parity: the sanitizer before (libxml2's HTML parser,
 * tests/bench/sanitize_libxml2.c) and now (widgets/htmltok.c), side by side
 * on every field feed_parse sanitizes.
 *
 * Usage: sanitize_parity [-f] [-o DIFFS] [-r REPEAT] FILE...
 * Parses each feed with feed_parse (-f: each file is one HTML fragment,
 * sanitized as HTML with a base URL and as text); every sanitize_html / sanitize_text
 * call runs both sanitizers and compares output, images and the truncated
 * flag. Prints the counts, writes each distinct difference to DIFFS (input,
 * old, new), then times both on the recorded calls alone (REPEAT passes):
 * MB/s of input, CPU time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/fsutil.h"
#include "widgets/feed.h"
#include "widgets/sanitize.h"

#define PAIR(name) \
	__typeof__(sanitize_##name) old_sanitize_##name, new_sanitize_##name;
PAIR(new)
PAIR(html)
PAIR(text)
PAIR(url)
PAIR(looks_like_html)
PAIR(collapse_ws)
PAIR(truncate_utf8)
PAIR(cp1252_c1)
PAIR(global_init)

struct sanitize {
	struct sanitize *old, *new;
};

struct call {
	char *in;
	size_t len;
	bool text;
	size_t max;           /* text: max; html: max_len */
	char *base, *target;
};

static struct call *calls;
static size_t ncalls, capcalls;
static size_t nhtml, ntext, dhtml, dtext;
static FILE *diffs;

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
record(const char *in, size_t len, bool text, size_t max,
    const struct sanitize_opts *o)
{
	struct call *c;

	if (ncalls == capcalls) {
		capcalls = capcalls ? capcalls * 2 : 1024;
		calls = realloc(calls, capcalls * sizeof(*calls));
		if (calls == NULL)
			abort();
	}
	c = &calls[ncalls++];
	c->in = malloc(len + 1);
	if (c->in == NULL)
		abort();
	memcpy(c->in, in, len);
	c->in[len] = '\0';
	c->len = len;
	c->text = text;
	c->max = max;
	c->base = o != NULL ? dup_or_null(o->base_url) : NULL;
	c->target = o != NULL ? dup_or_null(o->link_target) : NULL;
}

static void
report(const char *kind, const char *in, size_t len, const char *a,
    const char *b)
{
	if (diffs == NULL)
		return;
	fprintf(diffs, "=== %s\nIN:  %.*s\nOLD: %s\nNEW: %s\n", kind, (int)len, in,
	    a, b);
}

/* ---- the sanitize.h API, both ways ---- */

struct sanitize *
sanitize_new(struct arena *a)
{
	struct sanitize *s = arena_calloc(a, 1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->old = old_sanitize_new(a);
	s->new = new_sanitize_new(a);
	return s->old != NULL && s->new != NULL ? s : NULL;
}

enum rc
sanitize_html(struct sanitize *s, const char *html, size_t len,
    const struct sanitize_opts *o, struct sanitize_result *out)
{
	struct sanitize_result r;
	struct sanitize_opts oo;
	enum rc rc1, rc2;
	bool same;
	size_t i;

	record(html, len, false, o != NULL ? o->max_len : 0, o);
	if (o != NULL) {
		oo = *o;
		oo.on_image = NULL;
	}
	rc1 = old_sanitize_html(s->old, html, len, o != NULL ? &oo : NULL, &r);
	rc2 = new_sanitize_html(s->new, html, len, o, out);
	nhtml++;
	same = rc1 == rc2;
	if (same && rc1 == RC_OK) {
		same = strcmp(r.html, out->html) == 0 &&
		    r.truncated == out->truncated && r.nimages == out->nimages;
		for (i = 0; same && i < r.nimages; i++)
			same = strcmp(r.images[i], out->images[i]) == 0;
	}
	if (!same) {
		dhtml++;
		report(strcmp(rc1 == RC_OK ? r.html : "", rc2 == RC_OK ?
		    out->html : "") == 0 ? "html (images/flags)" : "html", html,
		    len, rc1 == RC_OK ? r.html : rc_str(rc1),
		    rc2 == RC_OK ? out->html : rc_str(rc2));
	}
	return rc2;
}

enum rc
sanitize_text(struct sanitize *s, const char *html, size_t len, size_t max,
    char **out)
{
	char *r = NULL;
	enum rc rc1, rc2;

	record(html, len, true, max, NULL);
	rc1 = old_sanitize_text(s->old, html, len, max, &r);
	rc2 = new_sanitize_text(s->new, html, len, max, out);
	ntext++;
	if (rc1 != rc2 || (rc1 == RC_OK && strcmp(r, *out) != 0)) {
		dtext++;
		report("text", html, len, rc1 == RC_OK ? r : rc_str(rc1),
		    rc2 == RC_OK ? *out : rc_str(rc2));
	}
	return rc2;
}

char *
sanitize_url(struct arena *a, const char *base, const char *raw,
    unsigned flags)
{
	return new_sanitize_url(a, base, raw, flags);
}

bool
sanitize_looks_like_html(const char *s, size_t n)
{
	return new_sanitize_looks_like_html(s, n);
}

char *
sanitize_collapse_ws(char *s)
{
	return new_sanitize_collapse_ws(s);
}

bool
sanitize_truncate_utf8(char *s, size_t max)
{
	return new_sanitize_truncate_utf8(s, max);
}

uint32_t
sanitize_cp1252_c1(uint32_t cp)
{
	return new_sanitize_cp1252_c1(cp);
}

void
sanitize_global_init(void)
{
	old_sanitize_global_init();
	new_sanitize_global_init();
}

/* ---- timing ---- */

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
time_one(bool old, int repeat, size_t *bytes)
{
	struct arena *a = arena_new(1 << 20, 0);
	struct sanitize *s = NULL;
	double c0;
	int r;
	size_t i;

	*bytes = 0;
	c0 = cpu_now();
	for (r = 0; r < repeat; r++) {
		for (i = 0; i < ncalls; i++) {
			const struct call *c = &calls[i];
			struct sanitize_opts o;
			struct sanitize_result res;
			char *t;
			if (i % 64 == 0) {
				arena_reset(a);
				s = old ? old_sanitize_new(a) : new_sanitize_new(a);
				if (s == NULL)
					abort();
			}
			if (c->text) {
				(void)(old ? old_sanitize_text : new_sanitize_text)(s,
				    c->in, c->len, c->max, &t);
			} else {
				memset(&o, 0, sizeof(o));
				o.base_url = c->base;
				o.link_target = c->target;
				o.max_len = c->max;
				(void)(old ? old_sanitize_html : new_sanitize_html)(s,
				    c->in, c->len, &o, &res);
			}
			*bytes += c->len;
		}
	}
	c0 = cpu_now() - c0;
	arena_free(a);
	return c0;
}

int
main(int argc, char **argv)
{
	struct feed_parse_opts o;
	struct arena *a;
	struct feed f;
	int i, opt, repeat = 5;
	bool frag = false;
	size_t bytes, fb = 0;
	double t_old, t_new;

	while ((opt = getopt(argc, argv, "fo:r:")) != -1) {
		if (opt == 'f') {
			frag = true;
		} else if (opt == 'o') {
			diffs = fopen(optarg, "w");
			if (diffs == NULL) {
				perror(optarg);
				return 1;
			}
		} else if (opt == 'r') {
			repeat = atoi(optarg);
		} else {
			return 2;
		}
	}
	if (optind >= argc || repeat <= 0) {
		fprintf(stderr, "usage: sanitize_parity [-f] [-o DIFFS] [-r REPEAT] FILE...\n");
		return 2;
	}
	a = arena_new(1 << 20, 0);
	if (a == NULL)
		return 1;
	memset(&o, 0, sizeof(o));
	o.base_url = "http://127.0.0.1/feed";
	o.fetch_time = 1700000000;
	for (i = optind; i < argc; i++) {
		char *body;
		size_t len;
		if (fsutil_read(argv[i], 32 << 20, &body, &len) != RC_OK) {
			fprintf(stderr, "sanitize_parity: cannot read %s\n", argv[i]);
			continue;
		}
		fb += len;
		arena_reset(a);
		if (frag) {
			struct sanitize *s = sanitize_new(a);
			struct sanitize_opts so;
			struct sanitize_result r;
			char *t;
			memset(&so, 0, sizeof(so));
			so.base_url = "https://feed.example/a/b.html";
			if (s == NULL)
				return 1;
			(void)sanitize_html(s, body, len, &so, &r);
			(void)sanitize_text(s, body, len, 0, &t);
		} else {
			(void)feed_parse(a, body, len, &o, &f);
		}
		free(body);
	}
	arena_free(a);
	printf("files %d (%zu bytes), sanitize_html calls %zu, differ %zu; "
	    "sanitize_text calls %zu, differ %zu\n", argc - optind, fb, nhtml,
	    dhtml, ntext, dtext);
	t_old = time_one(true, repeat, &bytes);
	t_new = time_one(false, repeat, &bytes);
	printf("sanitizer alone, %zu calls x %d, %.1f MB: libxml2 %.3f s cpu "
	    "%.1f MB/s, htmltok %.3f s cpu %.1f MB/s, %.1fx\n", ncalls, repeat,
	    (double)bytes / 1e6, t_old, (double)bytes / t_old / 1e6, t_new,
	    (double)bytes / t_new / 1e6, t_old / t_new);
	if (diffs != NULL)
		fclose(diffs);
	return 0;
}

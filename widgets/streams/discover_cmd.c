/* discover_cmd: `socialhub discover URL`: fetch a page, list the feeds it
 * names (widgets/feeds/feed_discover.c), each fetched and parsed. */
#include "widgets/streams/discover_cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "widgets/feeds/feed.h"
#include "widgets/feeds/feed_discover.h"

struct disc {
	struct fetch_result res[FEED_DISCOVER_MAX + 1];
};

static void
took(struct fetch_job *job, void *arg)
{
	struct disc *d = arg;

	d->res[(size_t)(uintptr_t)job->arg] = job->res;
	memset(&job->res, 0, sizeof(job->res));
}

/* "feed rss20, 3 items" or "not a feed (why)" into out. */
static bool
describe(const struct fetch_result *r, char *out, size_t n)
{
	struct feed_parse_opts o;
	struct arena *a;
	struct feed f;
	enum rc rc;

	if (r->rc != RC_OK) {
		snprintf(out, n, "not fetched (%s)", r->error[0] ? r->error :
		    rc_str(r->rc));
		return false;
	}
	if ((a = arena_new(256 * 1024, 0)) == NULL)
		return false;
	memset(&o, 0, sizeof(o));
	o.base_url = r->effective_url;
	o.content_type = r->content_type;
	o.fetch_time = (long long)time(NULL);
	rc = feed_parse(a, r->body, r->len, &o, &f);
	if (rc == RC_OK)
		snprintf(out, n, "feed %s, %zu items", feed_format_name(f.format),
		    f.nitems);
	else
		snprintf(out, n, "not a feed (%s)", rc_str(rc));
	arena_free(a);
	return rc == RC_OK;
}

/* The URL argument: alone, or with -c FILE before or after it. */
static const char *
url_arg(int argc, char **argv)
{
	const char *url = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			i++;
		else if (url != NULL || argv[i][0] == '-')
			return NULL;
		else
			url = argv[i];
	}
	return url;
}

int
discover_cmd(int argc, char **argv, const struct fetcher_opts *fo,
    bool allow_private)
{
	struct feed_candidate c[FEED_DISCOVER_MAX];
	struct fetch_job jobs[FEED_DISCOVER_MAX];
	struct disc d;
	struct fetcher f;
	struct arena *a = NULL;
	const char *url = url_arg(argc, argv);
	char what[300];
	size_t n = 0, i;
	int status = 1;

	if (url == NULL || url[0] == '-') {
		fprintf(stderr, "usage: socialhub discover [-c FILE] URL\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	memset(jobs, 0, sizeof(jobs));
	if (fetcher_curl_new(fo, &f) != RC_OK) {
		fprintf(stderr, "socialhub discover: no fetcher\n");
		return 1;
	}
	jobs[0].url = url;
	jobs[0].trust = fetcher_trust(allow_private, url);
	jobs[0].arg = (void *)(uintptr_t)FEED_DISCOVER_MAX;
	if (fetcher_run(&f, jobs, 1, took, &d, NULL) != RC_OK ||
	    (a = arena_new(64 * 1024, 0)) == NULL)
		goto out;
	if (describe(&d.res[FEED_DISCOVER_MAX], what, sizeof(what))) {
		printf("%s  self  %s\n", url, what);
		status = 0;
		goto out;
	}
	if (d.res[FEED_DISCOVER_MAX].rc != RC_OK) {
		fprintf(stderr, "socialhub discover: %s: %s\n", url, what);
		goto out;
	}
	n = feed_discover(a, d.res[FEED_DISCOVER_MAX].effective_url ?
	    d.res[FEED_DISCOVER_MAX].effective_url : url,
	    d.res[FEED_DISCOVER_MAX].body, d.res[FEED_DISCOVER_MAX].len, c,
	    FEED_DISCOVER_MAX);
	if (n == 0) {
		fprintf(stderr, "socialhub discover: %s: no feed found (%s)\n",
		    url, what);
		goto out;
	}
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < n; i++) {
		jobs[i].url = c[i].url;
		jobs[i].trust = fetcher_trust_named(fetcher_trust(allow_private,
		    url), url, c[i].url);
		jobs[i].arg = (void *)(uintptr_t)i;
	}
	if (fetcher_run(&f, jobs, n, took, &d, NULL) != RC_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if (describe(&d.res[i], what, sizeof(what)))
			status = 0;
		printf("%s  %s  %s%s%s%s\n", c[i].url, c[i].how, what,
		    c[i].title ? " \"" : "", c[i].title ? c[i].title : "",
		    c[i].title ? "\"" : "");
	}
out:
	for (i = 0; i <= FEED_DISCOVER_MAX; i++)
		fetch_result_fini(&d.res[i]);
	arena_free(a);
	fetcher_fini(&f);
	fflush(stdout);
	return status;
}

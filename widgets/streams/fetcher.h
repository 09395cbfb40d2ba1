/* fetcher: bounded, polite parallel GETs of feed sources and media. */
#ifndef SOCIALHUB_WIDGETS_FETCHER_H
#define SOCIALHUB_WIDGETS_FETCHER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/netpolicy.h"
#include "util/rc.h"

#define FETCH_MAX_BODY (10u * 1024 * 1024)  /* after decompression */
#define FETCH_CONNECT_TIMEOUT 5             /* seconds */
#define FETCH_TOTAL_TIMEOUT 20
#define FETCH_LOW_SPEED_BYTES 256           /* slower than this ... */
#define FETCH_LOW_SPEED_TIME 10             /* ... for this long: abort */
#define FETCH_MAX_REDIRS 5
#define FETCH_MAX_TOTAL 16                  /* connections at once */
#define FETCH_MAX_PER_HOST 4                /* connections at once per host */
#define FETCH_MAX_STREAMS 100               /* HTTP/2 streams per connection */
#define FETCH_MAX_INFLIGHT 256              /* transfers handed to libcurl */
#define FETCH_MEMORY_BUDGET (64u << 20)     /* unfinished bodies of one run */
#define FETCH_ERROR_BODY_MAX 4096           /* error bodies kept for messages */
#define FETCH_EXTRA_HEADERS 2               /* header lines beyond `header` */

/*
 * The outcome of one GET. Strings are malloc'd and owned by the fetcher
 * until the done callback takes them (see fetch_done_fn).
 */
struct fetch_result {
	enum rc rc;              /* RC_OK for 200 and 304, else the error */
	long http_status;        /* final status, 0 when none arrived */
	bool not_modified;       /* 304 */
	char *body;              /* 200 only: decompressed, NUL-terminated */
	size_t len;
	char *etag, *last_modified, *content_type;
	char *cache_control, *expires, *date, *age, *retry_after;
	char *link;              /* Link header(s), joined: API paging */
	char *usage;             /* X-App-Usage and X-Business-Use-Case-Usage,
				  * joined: an API's rate-limit usage */
	char *rate_remaining;    /* x-rate-limit-remaining (X) */
	char *rate_reset;        /* x-rate-limit-reset (X, Unix seconds) */
	char *error_body;        /* a 4xx/5xx body up to FETCH_ERROR_BODY_MAX
				  * bytes (the API's own words), else NULL */
	size_t error_len;
	char *effective_url;     /* after redirects */
	char error[256];         /* human text when rc != RC_OK */
	long elapsed_ms;
};

/* One source to fetch: inputs set by the caller, `res` by the fetcher. */
struct fetch_job {
	const char *url;
	const char *etag;            /* If-None-Match, or NULL */
	const char *last_modified;   /* If-Modified-Since, or NULL */
	const char *header;          /* one more request header line
				      * ("Name: value"), or NULL */
	const char *extra_headers[FETCH_EXTRA_HEADERS];  /* more, or NULL */
	const char *post_body;       /* non-NULL: POST it as application/json */
	enum netpolicy_trust trust;  /* peers besides public ones: none, its
				      * own origin's (the URL names a private
				      * address), any (fetch_allow_private) */
	void *arg;                   /* the caller's */
	bool again;                  /* set by done(): the job now names its
				      * next request (url, headers, body; the
				      * same origin), to fetch in this run */
	struct fetch_result res;
};

/*
 * Called once per job as it finishes, in the thread that called run. It may
 * take the result over: copy job->res and zero it, then free the copy
 * later with fetch_result_fini. Or it may give the job its next request
 * and set job->again: the run fetches that too (an API source's next page
 * need not wait for every other source's answer), and calls done() again.
 * A fetcher may ignore `again` (the test fakes do): the caller then finds
 * the job not fetched.
 */
typedef void (*fetch_done_fn)(struct fetch_job *job, void *arg);

/* Frees the strings of a result (malloc'd) and clears them. */
void fetch_result_fini(struct fetch_result *r);

/*
 * The seam tests replace. run() fetches jobs[0..n) in parallel within the
 * limits, calls done() for each (also for jobs cut short when *stop turns
 * non-zero: rc RC_UNAVAILABLE), then calls fetch_result_fini on job->res.
 * Strings in a result are malloc'd (fakes too).
 */
struct fetch_ops {
	enum rc (*run)(void *impl, struct fetch_job *jobs, size_t n,
	    fetch_done_fn done, void *arg, volatile sig_atomic_t *stop);
	void (*free)(void *impl);
};

struct fetcher {
	const struct fetch_ops *ops;
	void *impl;
};

/*
 * Limits of the libcurl fetcher; zero fields take the defaults above.
 * max_total and max_per_host count CONNECTIONS (libcurl enforces them and
 * queues transfers until a connection is free); over HTTP/2 one connection
 * carries up to max_streams transfers. max_inflight bounds the transfers
 * handed to libcurl at once (memory). total_timeout counts from the moment
 * a transfer leaves libcurl's queue, not from when it was queued.
 */
struct fetcher_opts {
	struct netpolicy_conf net;   /* user agent, extra CAs (borrowed) */
	size_t max_body;
	long max_total;
	long max_per_host;
	long max_streams;
	long max_inflight;
	size_t memory_budget;        /* unfinished bodies of a run; 0: FETCH_MEMORY_BUDGET */
	long connect_timeout;
	long total_timeout;
};

/*
 * The libcurl multi fetcher; every transfer goes through the outbound
 * policy made from o->net (util/netpolicy.h), transfers allowed a private
 * peer in a connection pool of their own. netpolicy_global_init must have
 * run. RC_NOMEM / RC_INTERNAL when curl fails, the policy's error when the
 * CA file cannot be read.
 */
enum rc fetcher_curl_new(const struct fetcher_opts *o, struct fetcher *out);
/* Runs jobs through f->ops (see struct fetch_ops). */
enum rc fetcher_run(struct fetcher *f, struct fetch_job *jobs, size_t n,
    fetch_done_fn done, void *arg, volatile sig_atomic_t *stop);
void fetcher_fini(struct fetcher *f);

/*
 * The trust of a job for a configured URL: NETPOLICY_ANY with
 * fetch_allow_private (`allow_any`), NETPOLICY_ORIGIN when the URL itself
 * names a private address or localhost (the admin asked for it; a redirect
 * elsewhere is public only), else NETPOLICY_PUBLIC.
 */
enum netpolicy_trust fetcher_trust(bool allow_any, const char *url);

/*
 * The trust of a URL that a fetched page named (a feed link, an account
 * API): `page` itself when that is NETPOLICY_ANY; NETPOLICY_ORIGIN when
 * the admin named a private page (`page` NETPOLICY_ORIGIN) and url is on
 * page_url's origin (scheme, host, port); else NETPOLICY_PUBLIC, so a
 * page never opens other private addresses.
 */
enum netpolicy_trust fetcher_trust_named(enum netpolicy_trust page,
    const char *page_url, const char *url);

#endif

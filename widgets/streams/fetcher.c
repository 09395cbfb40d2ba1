/* fetcher: libcurl multi GETs under the outbound policy, with hard limits. */
#include "widgets/streams/fetcher.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "util/buf.h"
#include "util/url.h"

#define FETCH_HEADER_MAX 4096     /* bytes kept of one captured header */
#define FETCH_HOST_MAX 256
#define FETCH_ACCEPT "Accept: application/rss+xml, application/atom+xml, " \
	"application/feed+json, application/json;q=0.9, application/xml;q=0.9, " \
	"text/xml;q=0.9, */*;q=0.8"

struct curl_fetcher {
	CURLM *multi;
	struct fetcher_opts o;
	struct netpolicy *net;
	CURLSH *pool;            /* connections of transfers allowed private peers */
};

/* What the run loop knows of a host's connections (see start_more). */
enum host_proto { PROTO_UNKNOWN, PROTO_H1, PROTO_H2 };

struct run;
static bool run_budget_allows(const struct run *r, size_t n);
static void run_budget_add(struct run *r, size_t n);
static void run_budget_release(struct run *r, size_t n);

/* One job in flight. */
struct transfer {
	struct fetch_job *job;
	CURL *easy;
	struct curl_slist *hdrs;
	struct buf body;
	char host[FETCH_HOST_MAX];
	struct netpolicy_xfer nx; /* its trust and what the policy refused */
	bool too_big;
	bool over_budget;        /* stopped: the run's memory budget was spent */
	size_t counted;          /* body bytes counted in the run's budget */
	bool timed_out;
	bool began;              /* left libcurl's queue: connecting or sending */
	bool connected;          /* the first request had its connection */
	struct run *run;         /* told the protocol of that connection */
	struct timespec start;   /* handed to libcurl */
	struct timespec begin;   /* left the queue: the total timeout counts from here */
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- curl callbacks ---- */

/* The transfer has left libcurl's connection queue. */
static void
mark_begin(struct transfer *t)
{
	if (!t->began) {
		t->began = true;
		clock_gettime(CLOCK_MONOTONIC, &t->begin);
	}
}

/* The policy let a new connection be opened. */
static void
on_connect(void *arg)
{
	mark_begin(arg);
}

static void note_protocol(struct run *r, struct transfer *t, enum host_proto p);

/*
 * Called with a connection (new or reused) whose peer the policy accepted,
 * before each request is sent. The first time, notes whether the
 * connection speaks HTTP/2: ALPN "h2" on the TLS session (libcurl only
 * reports the version once a response came).
 */
static void
on_request(void *arg)
{
	struct transfer *t = arg;
	struct curl_tlssessioninfo *tls = NULL;
	const unsigned char *alpn = NULL;
	unsigned int alpn_len = 0;
	enum host_proto proto = PROTO_H1;

	mark_begin(t);
	if (t->connected)
		return;
	t->connected = true;
	if (curl_easy_getinfo(t->easy, CURLINFO_TLS_SSL_PTR, &tls) == CURLE_OK &&
	    tls != NULL && tls->backend == CURLSSLBACKEND_OPENSSL && tls->internals != NULL) {
		SSL_get0_alpn_selected(tls->internals, &alpn, &alpn_len);
		if (alpn_len == 2 && memcmp(alpn, "h2", 2) == 0)
			proto = PROTO_H2;
	}
	if (t->run != NULL)
		note_protocol(t->run, t, proto);
}

/*
 * Counts decompressed bytes: curl hands us decoded data. Besides the 10 MiB
 * per body, all unfinished bodies of a run share one memory budget: with
 * hundreds of HTTP/2 streams in flight, per-body caps alone would allow
 * gigabytes.
 */
static size_t
write_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	if (t->run != NULL && !run_budget_allows(t->run, n)) {
		/* Give its share back now, not when curl reports the abort:
		 * other transfers write in the same curl_multi_perform call,
		 * and would all be cut against bytes no longer wanted. */
		t->over_budget = true;
		run_budget_release(t->run, t->counted);
		t->counted = 0;
		buf_clear(&t->body);
		return 0;
	}
	if (buf_append(&t->body, p, n) != RC_OK) {
		t->too_big = true;
		return 0;       /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	t->counted += n;
	if (t->run != NULL)
		run_budget_add(t->run, n);
	return n;
}

static void
clear_headers(struct fetch_result *r)
{
	char **fields[] = { &r->etag, &r->last_modified, &r->content_type,
	    &r->cache_control, &r->expires, &r->date, &r->age, &r->retry_after, &r->link,
	    &r->usage, &r->rate_remaining, &r->rate_reset };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

/* Stores a header value; repeated Cache-Control headers are joined. */
static void
keep_header(char **slot, const char *v, size_t n, bool join)
{
	size_t old = *slot != NULL ? strlen(*slot) : 0;
	char *s;

	if (n > FETCH_HEADER_MAX)
		n = FETCH_HEADER_MAX;
	if (*slot != NULL && !join) {
		free(*slot);
		*slot = NULL;
		old = 0;
	}
	if (old + n + 3 > 2 * FETCH_HEADER_MAX)
		return;
	s = realloc(*slot, old + n + 3);
	if (s == NULL)
		return;
	if (old > 0) {
		memcpy(s + old, ", ", 2);
		old += 2;
	}
	/* Values reach logs, terminals and JSON: no control bytes. */
	for (size_t i = 0; i < n; i++)
		s[old + i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	s[old + n] = '\0';
	*slot = s;
}

static size_t
header_line(char *p, size_t size, size_t nmemb, void *arg)
{
	static const struct { const char *name; size_t off; bool join; } keep[] = {
		{ "etag", offsetof(struct fetch_result, etag), false },
		{ "last-modified", offsetof(struct fetch_result, last_modified), false },
		{ "content-type", offsetof(struct fetch_result, content_type), false },
		{ "cache-control", offsetof(struct fetch_result, cache_control), true },
		{ "expires", offsetof(struct fetch_result, expires), false },
		{ "date", offsetof(struct fetch_result, date), false },
		{ "age", offsetof(struct fetch_result, age), false },
		{ "retry-after", offsetof(struct fetch_result, retry_after), false },
		{ "link", offsetof(struct fetch_result, link), true },
		{ "x-app-usage", offsetof(struct fetch_result, usage), true },
		{ "x-business-use-case-usage", offsetof(struct fetch_result, usage), true },
		/* APIs' own rate-limit headers: src_rate_backoff reads them. */
		{ "x-rate-limit-remaining", offsetof(struct fetch_result, rate_remaining), false },
		{ "x-rate-limit-reset", offsetof(struct fetch_result, rate_reset), false },
	};
	struct transfer *t = arg;
	size_t n = size * nmemb, name;
	const char *v, *end;

	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		clear_headers(&t->job->res);   /* a new response (redirect) */
		return n;
	}
	end = p + n;
	while (end > p && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	v = memchr(p, ':', (size_t)(end - p));
	if (v == NULL)
		return n;
	name = (size_t)(v - p);
	for (v++; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		if (strlen(keep[i].name) == name && strncasecmp(p, keep[i].name, name) == 0) {
			keep_header((char **)((char *)&t->job->res + keep[i].off), v,
			    (size_t)(end - v), keep[i].join);
			break;
		}
	}
	return n;
}

/* ---- setting up one transfer ---- */

static enum rc
add_header(struct transfer *t, const char *fmt, const char *v)
{
	char line[FETCH_HEADER_MAX + 64];
	struct curl_slist *l;

	if (v != NULL && strpbrk(v, "\r\n") != NULL)
		return RC_OK;   /* never forward a header that could split */
	if (v != NULL && strlen(v) > FETCH_HEADER_MAX)
		return RC_OK;
	snprintf(line, sizeof(line), fmt, v);
	l = curl_slist_append(t->hdrs, line);
	if (l == NULL)
		return RC_NOMEM;
	t->hdrs = l;
	return RC_OK;
}

static enum rc
setup_easy(struct curl_fetcher *cf, struct transfer *t)
{
	CURL *e = curl_easy_init();
	const struct fetch_job *j = t->job;
	CURLcode cc = CURLE_OK;

	if (e == NULL)
		return RC_NOMEM;
	t->easy = e;
	if (add_header(t, "%s", FETCH_ACCEPT) != RC_OK ||
	    (j->etag != NULL && add_header(t, "If-None-Match: %s", j->etag) != RC_OK) ||
	    (j->last_modified != NULL &&
	    add_header(t, "If-Modified-Since: %s", j->last_modified) != RC_OK) ||
	    (j->header != NULL && add_header(t, "%s", j->header) != RC_OK) ||
	    (j->post_body != NULL && add_header(t, "%s", "Content-Type: application/json") != RC_OK))
		return RC_NOMEM;
	for (size_t i = 0; i < FETCH_EXTRA_HEADERS; i++)
		if (j->extra_headers[i] != NULL && add_header(t, "%s", j->extra_headers[i]) != RC_OK)
			return RC_NOMEM;
	/*
	 * No total_ms (CURLOPT_TIMEOUT): libcurl counts it from
	 * curl_multi_add_handle, so a transfer waiting in its queue for a free
	 * connection would time out without ever being sent. The run loop
	 * enforces total_timeout from the moment the transfer leaves the queue
	 * (see check_deadlines).
	 */
	t->nx = (struct netpolicy_xfer){
		.url = j->url, .trust = j->trust,
		.connect_ms = cf->o.connect_timeout * 1000,
		.low_speed_bytes = FETCH_LOW_SPEED_BYTES, .low_speed_secs = FETCH_LOW_SPEED_TIME,
		.max_redirects = FETCH_MAX_REDIRS, .max_body = cf->o.max_body,
		.on_connect = on_connect, .on_request = on_request, .arg = t,
		.pool = cf->pool,
	};
	if (netpolicy_setup(cf->net, e, &t->nx) != RC_OK)
		return RC_INTERNAL;
#define SET(opt, val) if (cc == CURLE_OK) cc = curl_easy_setopt(e, opt, val)
	SET(CURLOPT_PRIVATE, t);
	/* h2 over TLS when the server offers it (ALPN), else HTTP/1.1. */
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for a connection being set up to learn whether it multiplexes
	 * rather than open another one. Plain http is HTTP/1.1 here: nothing
	 * to wait for. */
	SET(CURLOPT_PIPEWAIT, strncasecmp(j->url, "https:", 6) == 0 ? 1L : 0L);
	SET(CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
	SET(CURLOPT_HTTPHEADER, t->hdrs);
	if (j->post_body != NULL) {
		SET(CURLOPT_POSTFIELDSIZE, (long)strlen(j->post_body));
		SET(CURLOPT_POSTFIELDS, j->post_body);
	}
	SET(CURLOPT_WRITEFUNCTION, write_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, header_line);
	SET(CURLOPT_HEADERDATA, t);
	SET(CURLOPT_ERRORBUFFER, t->errbuf);
#undef SET
	return cc == CURLE_OK ? RC_OK : RC_INTERNAL;
}

/* ---- outcome ---- */

static void
set_error(struct fetch_result *r, enum rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_error(struct fetch_result *r, enum rc rc, const char *fmt, ...)
{
	va_list ap;

	r->rc = rc;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

static void
http_outcome(struct curl_fetcher *cf, struct transfer *t)
{
	struct fetch_result *r = &t->job->res;
	long st = r->http_status;
	size_t len;

	(void)cf;
	if (st == 200) {
		r->rc = RC_OK;
		r->body = buf_take(&t->body, &len);
		r->len = len;
		if (r->body == NULL) {
			r->body = strdup("");
			r->len = 0;
		}
		if (r->body == NULL)
			set_error(r, RC_NOMEM, "out of memory");
	} else if (st == 304) {
		r->rc = RC_OK;
		r->not_modified = true;
	} else if (st >= 400 && t->body.len > 0 && t->body.len <= FETCH_ERROR_BODY_MAX) {
		/* Kept for the message: an API says why it refused. */
		r->error_body = buf_take(&t->body, &len);
		r->error_len = r->error_body != NULL ? len : 0;
	}
	if (st == 200 || st == 304) {
		return;
	} else if (st == 429) {
		set_error(r, RC_RATELIMIT, "HTTP 429 Too Many Requests%s%s",
		    r->retry_after ? ", Retry-After: " : "", r->retry_after ? r->retry_after : "");
	} else if (st >= 300 && st < 400) {
		set_error(r, RC_UPSTREAM, "HTTP %ld redirect without a usable Location", st);
	} else {
		set_error(r, RC_UPSTREAM, "HTTP %ld%s%s", st,
		    r->retry_after ? ", Retry-After: " : "", r->retry_after ? r->retry_after : "");
	}
}

static void
curl_outcome(struct curl_fetcher *cf, struct transfer *t, CURLcode cc)
{
	struct fetch_result *r = &t->job->res;
	const char *detail = t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc);

	if (t->too_big) {
		set_error(r, RC_TOOBIG, "too large: body over %zu bytes after decompression",
		    cf->o.max_body);
		return;
	}
	if (t->over_budget) {
		set_error(r, RC_LIMIT, "deferred: the bodies in flight reached the "
		    "fetcher's memory budget (%zu bytes)", cf->o.memory_budget);
		return;
	}
	if (t->timed_out) {
		set_error(r, RC_TIMEOUT, "timed out (connect %ld s, total %ld s): no "
		    "complete answer %ld s after the transfer started",
		    cf->o.connect_timeout, cf->o.total_timeout, cf->o.total_timeout);
		return;
	}
	if (t->nx.refused) {
		set_error(r, RC_FORBIDDEN, "refused: the address is loopback, private "
		    "or reserved (set fetch_allow_private to allow)");
		return;
	}
	switch (cc) {
	case CURLE_FILESIZE_EXCEEDED:
		set_error(r, RC_TOOBIG, "too large: Content-Length over %zu bytes", cf->o.max_body);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (strcasestr(detail, "less than") != NULL)
			set_error(r, RC_TIMEOUT, "too slow: under %d bytes/s for %d s (%s)",
			    FETCH_LOW_SPEED_BYTES, FETCH_LOW_SPEED_TIME, detail);
		else
			set_error(r, RC_TIMEOUT, "timed out (connect %ld s, total %ld s): %s",
			    cf->o.connect_timeout, cf->o.total_timeout, detail);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		set_error(r, RC_UPSTREAM, "too many redirects (over %d)", FETCH_MAX_REDIRS);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		set_error(r, RC_FORBIDDEN, "refused: only http and https are fetched (%s)", detail);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		set_error(r, RC_UPSTREAM, "TLS failed: %s", detail);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		set_error(r, RC_UPSTREAM, "connection broken: %s", detail);
		break;
	default:
		set_error(r, RC_UPSTREAM, "%s", detail);
		break;
	}
}

static long
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - start->tv_sec) * 1000 +
	    (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* Fills job->res from a finished transfer. */
static void
finish(struct curl_fetcher *cf, struct transfer *t, CURLcode cc)
{
	struct fetch_result *r = &t->job->res;
	char *eff = NULL;
	long st = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff);
	r->http_status = st;
	if (eff != NULL)
		r->effective_url = strdup(eff);
	r->elapsed_ms = elapsed_ms(&t->start);
	if (cc == CURLE_OK)
		http_outcome(cf, t);
	else
		curl_outcome(cf, t, cc);
}

void
fetch_result_fini(struct fetch_result *r)
{
	clear_headers(r);
	free(r->body);
	free(r->effective_url);
	free(r->error_body);
	r->body = NULL;
	r->effective_url = NULL;
	r->error_body = NULL;
	r->error_len = 0;
}

static void
transfer_fini(struct curl_fetcher *cf, struct transfer *t)
{
	if (t->easy != NULL) {
		curl_multi_remove_handle(cf->multi, t->easy);
		curl_easy_cleanup(t->easy);
	}
	curl_slist_free_all(t->hdrs);
	buf_fini(&t->body);
	memset(t, 0, sizeof(*t));
}

/* ---- the run loop ---- */

/*
 * libcurl enforces the connection limits (max_total, max_per_host) and
 * queues a transfer until a connection is free or, over HTTP/2, a stream on
 * one is. The loop hands it at most max_inflight transfers at once (memory),
 * and enforces the total timeout from the moment a transfer leaves that
 * queue.
 *
 * It also keeps libcurl's queue short, because libcurl 7.88 takes only one
 * queued transfer out per finished transfer or new connection: a transfer
 * that waits there can wait long after its connection is free. So the loop
 * hands over only what can start now, by its own count of the connections
 * needed: per host, one transfer until its first connection is up (https:
 * the others would wait to learn whether it multiplexes), then up to
 * max_per_host transfers over HTTP/1.1 (one connection each) or up to
 * max_per_host x max_streams over HTTP/2 (one connection per max_streams);
 * all hosts together within max_total connections. Hosts take turns, so a
 * host with many sources does not go ahead of the others.
 */

#define NO_HOST SIZE_MAX
#define NO_JOB SIZE_MAX

struct run {
	struct curl_fetcher *cf;
	struct fetch_job *jobs;
	size_t n;
	struct transfer *tr;     /* one per job */
	unsigned char *state;    /* 0 waiting, 1 running, 2 done */
	size_t *host;            /* host id per job, NO_HOST: bad URL */
	size_t *next;            /* next waiting job of the same host, NO_JOB */
	size_t *head;            /* per host id: its first waiting job, NO_JOB */
	size_t *busy;            /* per host id: transfers handed to libcurl */
	unsigned char *proto;    /* per host id: enum host_proto */
	size_t nhosts, rr;       /* hosts, and whose turn it is */
	size_t conns;            /* connections the busy transfers need */
	size_t waiting, active, done;
	bool stopping;           /* no job goes again */
	size_t buffered;         /* body bytes held by unfinished transfers */
	struct timespec checked; /* last look at the deadlines */
	fetch_done_fn cb;
	void *arg;
};

static bool
run_budget_allows(const struct run *r, size_t n)
{
	return r->buffered + n <= r->cf->o.memory_budget;
}

static void
run_budget_add(struct run *r, size_t n)
{
	r->buffered += n;
}

static void
run_budget_release(struct run *r, size_t n)
{
	r->buffered -= n;
}

/* Numbers the jobs' hosts (lower-cased names, port not included). */
static void
assign_hosts(struct run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		url_host_of(r->jobs[i].url, r->tr[i].host, sizeof(r->tr[i].host));
		r->host[i] = NO_HOST;
		if (r->tr[i].host[0] == '\0')
			continue;
		for (size_t k = 0; k < i && r->host[i] == NO_HOST; k++)
			if (r->host[k] != NO_HOST && strcmp(r->tr[k].host, r->tr[i].host) == 0)
				r->host[i] = r->host[k];
		if (r->host[i] == NO_HOST)
			r->host[i] = r->nhosts++;
	}
	/* One waiting list per host, in job order. */
	for (size_t h = 0; h < r->nhosts; h++)
		r->head[h] = NO_JOB;
	for (size_t i = r->n; i-- > 0;) {
		if (r->host[i] == NO_HOST)
			continue;
		r->next[i] = r->head[r->host[i]];
		r->head[r->host[i]] = i;
		r->waiting++;
	}
}

/* Connections host h needs for its busy transfers. */
static size_t
host_conns(const struct run *r, size_t h)
{
	size_t streams = (size_t)r->cf->o.max_streams;

	if (r->proto[h] == PROTO_H2)
		return (r->busy[h] + streams - 1) / streams;
	return r->busy[h];
}

/* Changes host h's busy count by delta and, when proto != 0, its protocol. */
static void
host_update(struct run *r, size_t h, int delta, unsigned char proto)
{
	r->conns -= host_conns(r, h);
	if (delta < 0)
		r->busy[h]--;
	else if (delta > 0)
		r->busy[h]++;
	if (proto != PROTO_UNKNOWN)
		r->proto[h] = proto;
	r->conns += host_conns(r, h);
}

/* May the next waiting job of host h be handed to libcurl now? */
static bool
host_may_start(const struct run *r, size_t h)
{
	size_t per = (size_t)r->cf->o.max_per_host, busy = r->busy[h];
	bool https = strncasecmp(r->jobs[r->head[h]].url, "https:", 6) == 0;

	switch (r->proto[h]) {
	case PROTO_H2:
		if (busy >= per * (size_t)r->cf->o.max_streams)
			return false;
		/* Another stream on a connection that has room: no new one. */
		if (busy % (size_t)r->cf->o.max_streams != 0)
			return true;
		break;
	case PROTO_H1:
		if (busy >= per)
			return false;
		break;
	default:
		/* https: one until the connection tells whether it multiplexes;
		 * plain http is HTTP/1.1 here. */
		if (busy >= (https ? 1 : per))
			return false;
		break;
	}
	return r->conns < (size_t)r->cf->o.max_total;
}

/* The first connection of transfer t came up and speaks p. */
static void
note_protocol(struct run *r, struct transfer *t, enum host_proto p)
{
	size_t h = r->host[t - r->tr];

	if (r->proto[h] == PROTO_UNKNOWN || (r->proto[h] == PROTO_H1 && p == PROTO_H2))
		host_update(r, h, 0, (unsigned char)p);
}

/* A job given its next request goes to the front of its host's queue:
 * src.c keeps a run's requests on one origin, so the host is the same. */
static void
requeue(struct run *r, size_t i)
{
	size_t h = r->host[i];

	r->jobs[i].again = false;
	if (r->stopping || h == NO_HOST)
		return;
	memset(&r->jobs[i].res, 0, sizeof(r->jobs[i].res));
	r->state[i] = 0;
	r->done--;
	r->next[i] = r->head[h];
	r->head[h] = i;
	r->waiting++;
}

static void
complete(struct run *r, size_t i)
{
	struct fetch_job *j = &r->jobs[i];

	if (r->state[i] == 1) {
		r->active--;
		host_update(r, r->host[i], -1, PROTO_UNKNOWN);
	}
	r->state[i] = 2;
	r->done++;
	run_budget_release(r, r->tr[i].counted);
	r->tr[i].counted = 0;
	r->cb(j, r->arg);
	fetch_result_fini(&j->res);
	transfer_fini(r->cf, &r->tr[i]);
	if (j->again)
		requeue(r, i);
}

static void
start(struct run *r, size_t i)
{
	struct transfer *t = &r->tr[i];
	struct fetch_job *j = &r->jobs[i];
	enum rc rc;

	t->job = j;
	t->run = r;
	buf_init(&t->body, r->cf->o.max_body);
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	r->state[i] = 1;
	r->active++;
	host_update(r, r->host[i], 1, PROTO_UNKNOWN);
	rc = setup_easy(r->cf, t);
	if (rc == RC_OK && curl_multi_add_handle(r->cf->multi, t->easy) != CURLM_OK)
		rc = RC_INTERNAL;
	if (rc != RC_OK) {
		set_error(&j->res, rc, "cannot start the transfer: %s", rc_str(rc));
		complete(r, i);
	}
}

/* Hands waiting jobs to libcurl, one host after the other. */
static void
start_more(struct run *r)
{
	size_t idle = 0;

	while (r->waiting > 0 && r->active < (size_t)r->cf->o.max_inflight &&
	    idle < r->nhosts) {
		size_t h = r->rr, i = r->head[h];
		r->rr = (r->rr + 1) % r->nhosts;
		if (i == NO_JOB || !host_may_start(r, h)) {
			idle++;
			continue;
		}
		idle = 0;
		r->head[h] = r->next[i];
		r->waiting--;
		start(r, i);
	}
}

static void
reap(struct run *r)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(r->cf->multi, &left)) != NULL) {
		struct transfer *t = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t == NULL)
			continue;
		finish(r->cf, t, msg->data.result);
		complete(r, (size_t)(t - r->tr));
	}
}

/* Cuts transfers that left the queue more than total_timeout ago; looks
 * every 100 ms at most. */
static void
check_deadlines(struct run *r)
{
	long limit = r->cf->o.total_timeout * 1000;

	if (r->checked.tv_sec != 0 && elapsed_ms(&r->checked) < 100)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->checked);
	for (size_t i = 0; i < r->n; i++) {
		struct transfer *t = &r->tr[i];
		if (r->state[i] != 1 || !t->began || elapsed_ms(&t->begin) < limit)
			continue;
		t->timed_out = true;
		finish(r->cf, t, CURLE_OPERATION_TIMEDOUT);
		complete(r, i);
	}
}

static void
abort_all(struct run *r)
{
	r->stopping = true;
	for (size_t i = 0; i < r->n; i++) {
		if (r->state[i] == 2)
			continue;
		r->tr[i].job = &r->jobs[i];
		set_error(&r->jobs[i].res, RC_UNAVAILABLE, "stopped before it finished");
		complete(r, i);
	}
}

static void
run_free(struct run *r)
{
	free(r->tr);
	free(r->state);
	free(r->host);
	free(r->next);
	free(r->head);
	free(r->busy);
	free(r->proto);
}

static enum rc
curl_run(void *impl, struct fetch_job *jobs, size_t n, fetch_done_fn done,
    void *arg, volatile sig_atomic_t *stop)
{
	struct run r = { .cf = impl, .jobs = jobs, .n = n, .cb = done, .arg = arg };
	int running;

	if (n == 0)
		return RC_OK;
	r.tr = calloc(n, sizeof(*r.tr));
	r.state = calloc(n, 1);
	r.host = calloc(n, sizeof(*r.host));
	r.next = calloc(n, sizeof(*r.next));
	r.head = calloc(n, sizeof(*r.head));
	r.busy = calloc(n, sizeof(*r.busy));
	r.proto = calloc(n, 1);
	if (r.tr == NULL || r.state == NULL || r.host == NULL || r.next == NULL ||
	    r.head == NULL || r.busy == NULL || r.proto == NULL) {
		run_free(&r);
		return RC_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		memset(&jobs[i].res, 0, sizeof(jobs[i].res));
	assign_hosts(&r);
	for (size_t i = 0; i < n; i++) {
		if (r.host[i] != NO_HOST)
			continue;
		r.tr[i].job = &jobs[i];
		set_error(&jobs[i].res, RC_INVALID, "not an absolute http(s) URL");
		complete(&r, i);
	}
	while (r.done < n) {
		if (stop != NULL && *stop) {
			abort_all(&r);
			break;
		}
		start_more(&r);
		curl_multi_perform(r.cf->multi, &running);
		reap(&r);
		check_deadlines(&r);
		/* A job that finished may have gone again (a next page): hand it
		 * over now, not after a poll of up to 250 ms that only the other
		 * transfers could end. A handle just added makes the poll return
		 * at once. */
		if (r.waiting > 0)
			start_more(&r);
		if (r.done < n && r.active > 0)
			curl_multi_poll(r.cf->multi, NULL, 0, 250, NULL);
	}
	run_free(&r);
	return RC_OK;
}

static void
curl_free_impl(void *impl)
{
	struct curl_fetcher *cf = impl;

	if (cf == NULL)
		return;
	if (cf->multi != NULL)
		curl_multi_cleanup(cf->multi);
	netpolicy_pool_free(cf->pool);
	netpolicy_free(cf->net);
	free(cf);
}

static const struct fetch_ops curl_ops = { curl_run, curl_free_impl };

enum rc
fetcher_curl_new(const struct fetcher_opts *o, struct fetcher *out)
{
	struct curl_fetcher *cf;
	enum rc rc;

	out->ops = NULL;
	out->impl = NULL;
	cf = calloc(1, sizeof(*cf));
	if (cf == NULL)
		return RC_NOMEM;
	cf->o = *o;
	if (cf->o.max_body == 0)
		cf->o.max_body = FETCH_MAX_BODY;
	if (cf->o.memory_budget == 0)
		cf->o.memory_budget = FETCH_MEMORY_BUDGET;
	if (cf->o.max_total <= 0)
		cf->o.max_total = FETCH_MAX_TOTAL;
	if (cf->o.max_per_host <= 0)
		cf->o.max_per_host = FETCH_MAX_PER_HOST;
	if (cf->o.connect_timeout <= 0)
		cf->o.connect_timeout = FETCH_CONNECT_TIMEOUT;
	if (cf->o.total_timeout <= 0)
		cf->o.total_timeout = FETCH_TOTAL_TIMEOUT;
	if (cf->o.max_streams <= 0)
		cf->o.max_streams = FETCH_MAX_STREAMS;
	if (cf->o.max_inflight <= 0)
		cf->o.max_inflight = FETCH_MAX_INFLIGHT;
	if ((rc = netpolicy_new(&o->net, &cf->net)) != RC_OK) {
		curl_free_impl(cf);
		return rc;
	}
	cf->multi = curl_multi_init();
	cf->pool = netpolicy_pool_new();
	if (cf->multi == NULL || cf->pool == NULL) {
		curl_free_impl(cf);
		return RC_NOMEM;
	}
	/* The limits are on connections; libcurl queues transfers until one
	 * is free. Over HTTP/2 one connection carries many streams. */
	if (curl_multi_setopt(cf->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK ||
	    curl_multi_setopt(cf->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, cf->o.max_total) != CURLM_OK ||
	    curl_multi_setopt(cf->multi, CURLMOPT_MAX_HOST_CONNECTIONS, cf->o.max_per_host) != CURLM_OK ||
	    curl_multi_setopt(cf->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, cf->o.max_streams) != CURLM_OK ||
	    curl_multi_setopt(cf->multi, CURLMOPT_MAXCONNECTS, cf->o.max_total) != CURLM_OK) {
		curl_free_impl(cf);
		return RC_INTERNAL;
	}
	out->ops = &curl_ops;
	out->impl = cf;
	return RC_OK;
}

enum rc
fetcher_run(struct fetcher *f, struct fetch_job *jobs, size_t n,
    fetch_done_fn done, void *arg, volatile sig_atomic_t *stop)
{
	return f->ops->run(f->impl, jobs, n, done, arg, stop);
}

enum netpolicy_trust
fetcher_trust(bool allow_any, const char *url)
{
	if (allow_any)
		return NETPOLICY_ANY;
	return netpolicy_url_private(url) ? NETPOLICY_ORIGIN : NETPOLICY_PUBLIC;
}

enum netpolicy_trust
fetcher_trust_named(enum netpolicy_trust page, const char *page_url,
    const char *url)
{
	struct url_origin po, uo;

	if (page == NETPOLICY_ANY)
		return NETPOLICY_ANY;
	if (page != NETPOLICY_ORIGIN || page_url == NULL || url == NULL ||
	    !url_origin_of(page_url, &po) || !url_origin_of(url, &uo))
		return NETPOLICY_PUBLIC;
	return url_origin_same(&po, &uo) ? NETPOLICY_ORIGIN : NETPOLICY_PUBLIC;
}

void
fetcher_fini(struct fetcher *f)
{
	if (f->ops != NULL && f->ops->free != NULL)
		f->ops->free(f->impl);
	f->ops = NULL;
	f->impl = NULL;
}

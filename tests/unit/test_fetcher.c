/* test_fetcher: next-fetch rules, the curl fetcher's limits, and its peer
 * checks on every request and redirect hop (SSRF through reused
 * connections and redirects out of a private source's origin). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util/log.h"
#include "widgets/streams/fetcher.h"
#include "widgets/streams/schedule.h"

#define NOW 1700000000LL
#define DATE_NOW "Tue, 14 Nov 2023 22:13:20 GMT"   /* == NOW */

/* ---- scheduling ---- */

struct sched_case {
	const char *name;
	struct schedule_in s;
	long want;
	const char *why;
};

static void
test_next_interval(void **state)
{
	static const struct sched_case cases[] = {
		{ "plain success", { .now = NOW, .every = 900, .ok = true, .http_status = 200 }, 900, "every" },
		{ "no every: 15 min", { .now = NOW, .ok = true }, 900, "every" },
		{ "max-age longer", { .now = NOW, .every = 900, .ok = true,
		    .cache_control = "public, max-age=7200" }, 7200, "max-age" },
		{ "max-age shorter: every wins", { .now = NOW, .every = 900, .ok = true,
		    .cache_control = "max-age=60" }, 900, "every" },
		{ "max-age minus Age", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "max-age=3600", .age = "600" }, 3000, "max-age" },
		{ "Age over max-age", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "max-age=100", .age = "500" }, 60, "every" },
		{ "quoted max-age", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "max-age=\"1200\"" }, 1200, "max-age" },
		{ "no-cache ignores Expires", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "no-cache", .expires = "Wed, 15 Nov 2023 22:13:20 GMT" }, 60, "every" },
		{ "no-store", { .now = NOW, .every = 300, .ok = true,
		    .cache_control = "no-store, max-age=9999" }, 300, "every" },
		{ "no-transform is not no-cache", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "no-transform", .expires = "Tue, 14 Nov 2023 23:13:20 GMT",
		    .date = DATE_NOW }, 3600, "expires" },
		{ "Expires minus Date", { .now = NOW + 5000, .every = 60, .ok = true,
		    .expires = "Tue, 14 Nov 2023 23:13:20 GMT", .date = DATE_NOW }, 3600, "expires" },
		{ "Expires minus now without Date", { .now = NOW, .every = 60, .ok = true,
		    .expires = "Tue, 14 Nov 2023 23:13:20 GMT" }, 3600, "expires" },
		{ "max-age beats Expires", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "max-age=120", .expires = "Wed, 15 Nov 2023 22:13:20 GMT" }, 120, "max-age" },
		{ "Expires: 0", { .now = NOW, .every = 600, .ok = true, .expires = "0" }, 600, "every" },
		{ "Expires in the past", { .now = NOW, .every = 600, .ok = true,
		    .expires = "Mon, 13 Nov 2023 22:13:20 GMT" }, 600, "every" },
		{ "RSS ttl", { .now = NOW, .every = 900, .ok = true, .ttl_minutes = 60 }, 3600, "ttl" },
		{ "ttl shorter than every", { .now = NOW, .every = 900, .ok = true, .ttl_minutes = 5 }, 900, "every" },
		{ "ttl beats max-age", { .now = NOW, .every = 60, .ok = true, .ttl_minutes = 120,
		    .cache_control = "max-age=3600" }, 7200, "ttl" },
		{ "clamp low", { .now = NOW, .every = 10, .ok = true }, 60, "every" },
		{ "clamp high", { .now = NOW, .every = 60, .ok = true,
		    .cache_control = "max-age=999999" }, 86400, "max-age" },
		{ "garbage max-age", { .now = NOW, .every = 300, .ok = true,
		    .cache_control = "max-age=abc" }, 300, "every" },
		{ "first failure", { .now = NOW, .every = 900, .http_status = 500, .failures = 1 }, 900, "every" },
		{ "second failure doubles", { .now = NOW, .every = 900, .http_status = 500, .failures = 2 }, 1800, "backoff" },
		{ "fourth failure", { .now = NOW, .every = 900, .failures = 4 }, 7200, "backoff" },
		{ "backoff capped at 24 h", { .now = NOW, .every = 900, .failures = 15 }, 86400, "backoff" },
		{ "absurd failure count", { .now = NOW, .every = 86400, .failures = 1000000 }, 86400, "backoff" },
		{ "429 Retry-After seconds", { .now = NOW, .every = 900, .http_status = 429,
		    .failures = 1, .retry_after = "7200" }, 7200, "retry-after" },
		{ "503 Retry-After date", { .now = NOW, .every = 900, .http_status = 503,
		    .failures = 1, .retry_after = "Wed, 15 Nov 2023 00:13:20 GMT", .date = DATE_NOW },
		    7200, "retry-after" },
		{ "Retry-After shorter than backoff", { .now = NOW, .every = 900, .http_status = 429,
		    .failures = 2, .retry_after = "120" }, 1800, "backoff" },
		{ "Retry-After ignored on 500", { .now = NOW, .every = 900, .http_status = 500,
		    .failures = 1, .retry_after = "7200" }, 900, "every" },
		{ "Retry-After garbage", { .now = NOW, .every = 900, .http_status = 429,
		    .failures = 1, .retry_after = "soon" }, 900, "every" },
		{ "Retry-After over 24 h", { .now = NOW, .every = 900, .http_status = 429,
		    .failures = 1, .retry_after = "999999" }, 86400, "retry-after" },
		{ "Cache headers ignored on errors", { .now = NOW, .every = 900, .http_status = 500,
		    .failures = 1, .cache_control = "max-age=7200" }, 900, "every" },
		{ "API usage near its limit, success", { .now = NOW, .every = 900, .ok = true,
		    .http_status = 200, .min_wait = 3600 }, 3600, "api-usage" },
		{ "API rate-limit error (HTTP 400)", { .now = NOW, .every = 900, .http_status = 400,
		    .failures = 1, .min_wait = 3600 }, 3600, "api-usage" },
		{ "API usage shorter than the backoff", { .now = NOW, .every = 900, .http_status = 400,
		    .failures = 4, .min_wait = 3600 }, 7200, "backoff" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;
		long got = schedule_next_interval(&cases[i].s, &why);
		if (got != cases[i].want || strcmp(why, cases[i].why) != 0)
			fail_msg("%s: got %ld (%s), want %ld (%s)", cases[i].name, got, why,
			    cases[i].want, cases[i].why);
	}
	assert_int_equal(schedule_next_interval(&cases[0].s, NULL), 900);
}

/* ---- a tiny HTTP server thread for the curl fetcher ---- */

struct srv {
	int fd;
	int port;
	pthread_mutex_t mu;
	int active, max_active, requests;
	char last_inm[128];
	char last_ua[256];
};

static struct srv S;

static void
reply(int c, const char *head, const char *body, size_t blen)
{
	char h[1024];
	int n = snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", head, blen);

	/* MSG_NOSIGNAL: the client may hang up early (the size limit). */
	if (send(c, h, (size_t)n, MSG_NOSIGNAL) < 0)
		return;
	while (blen > 0) {
		ssize_t w = send(c, body, blen, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		body += w;
		blen -= (size_t)w;
	}
}

static bool
send_all(int c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(c, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void
header_value(const char *req, const char *name, char *out, size_t n)
{
	const char *p = strcasestr(req, name);
	size_t len;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(name);
	len = strcspn(p, "\r\n");
	snprintf(out, n, "%.*s", (int)len, p);
}

static void *
serve_conn(void *arg)
{
	int c = (int)(intptr_t)arg;
	char req[4096], path[256];
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(req) - 1 && (r = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[got] = '\0';
	sscanf(req, "GET %255s", path);
	pthread_mutex_lock(&S.mu);
	S.requests++;
	if (++S.active > S.max_active)
		S.max_active = S.active;
	header_value(req, "If-None-Match: ", S.last_inm, sizeof(S.last_inm));
	header_value(req, "User-Agent: ", S.last_ua, sizeof(S.last_ua));
	pthread_mutex_unlock(&S.mu);
	if (strcmp(path, "/slow") == 0)
		usleep(200 * 1000);
	else if (strcmp(path, "/hang") == 0)
		usleep(1500 * 1000);
	/* No longer active once the answer starts: the client may then start
	 * its next request before this thread has closed the socket. */
	pthread_mutex_lock(&S.mu);
	S.active--;
	pthread_mutex_unlock(&S.mu);
	if (strcmp(path, "/ok") == 0) {
		const char *b = "<rss/>";
		char h[512];
		snprintf(h, sizeof(h), "200 OK\r\nETag: \"v1\"\r\nCache-Control: public\r\n"
		    "Cache-Control: max-age=600\r\nContent-Type: application/rss+xml\r\n"
		    "X-Evil: \x1b[31m\r\nRetry-After: \x1b]0;pwn\x07 5");
		reply(c, h, b, strlen(b));
	} else if (strcmp(path, "/notmod") == 0) {
		if (strstr(req, "If-None-Match: \"v1\"") != NULL)
			reply(c, "304 Not Modified\r\nETag: \"v1\"", "", 0);
		else
			reply(c, "200 OK\r\nETag: \"v1\"", "<rss/>", 6);
	} else if (strcmp(path, "/big") == 0) {
		size_t n = 2u * 1024 * 1024;
		char *b = malloc(n);
		memset(b, 'x', n);
		reply(c, "200 OK", b, n);
		free(b);
	} else if (strcmp(path, "/bigslow") == 0) {
		/* 2 MiB with a pause half-way: every client holds 1 MiB at once. */
		size_t n = 1024 * 1024;
		char *b = malloc(n), h[128];
		memset(b, 'x', n);
		snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n", 2 * n);
		if (send(c, h, strlen(h), MSG_NOSIGNAL) > 0 && send_all(c, b, n)) {
			usleep(400 * 1000);
			send_all(c, b, n);
		}
		free(b);
	} else if (strcmp(path, "/slow") == 0 || strcmp(path, "/hang") == 0) {
		reply(c, "200 OK", "<rss/>", 6);
	} else if (strcmp(path, "/429") == 0) {
		reply(c, "429 Too Many Requests\r\nRetry-After: 120", "", 0);
	} else {
		reply(c, "404 Not Found", "no", 2);
	}
	close(c);
	return NULL;
}

static void *
accept_loop(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;
		int c = accept(S.fd, NULL, NULL);
		if (c < 0)
			return NULL;
		pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)c);
		pthread_detach(t);
	}
}

static int
srv_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	pthread_t t;

	pthread_mutex_init(&S.mu, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	S.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (S.fd < 0 || bind(S.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(S.fd, 64) != 0 || getsockname(S.fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	S.port = ntohs(a.sin_port);
	pthread_create(&t, NULL, accept_loop, NULL);
	pthread_detach(t);
	return 0;
}

/*
 * ---- keep-alive listeners for the peer checks ----
 *
 * A and B on 127.0.0.1 stand for two private services (two ports), P on
 * 127.0.0.2 for a public host: the tests' address seam (pub_loopback)
 * makes 127.0.0.2 count as public, the real table decides the rest.
 * Answers are HTTP/1.1 without "Connection: close", so the fetcher keeps
 * the connection idle for the next transfer. Paths: /k/feed, /k/secret
 * (counted), /k/redirect?to=URL (302 to URL).
 */

enum { LA, LB, LP, NLISTEN };

struct listener {
	const char *ip;
	int fd, port;
	int accepts;             /* TCP connections taken, under S.mu */
};

static struct listener L[NLISTEN] = {
	[LA] = { .ip = "127.0.0.1" }, [LB] = { .ip = "127.0.0.1" }, [LP] = { .ip = "127.0.0.2" },
};
static int secret_hits;      /* under S.mu */

static void
ka_reply(int c, const char *head, const char *body)
{
	char h[1024];
	int n = snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Length: %zu\r\n\r\n", head,
	    strlen(body));

	if (send_all(c, h, (size_t)n))
		send_all(c, body, strlen(body));
}

static void *
ka_conn(void *arg)
{
	int c = (int)(intptr_t)arg;
	char req[4096], path[1024], head[1100];

	for (;;) {
		size_t got = 0;
		ssize_t r;
		while (got < sizeof(req) - 1 && (r = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
			got += (size_t)r;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		req[got] = '\0';
		if (got == 0 || sscanf(req, "GET %1023s", path) != 1)
			break;
		if (strncmp(path, "/k/redirect?to=", 15) == 0) {
			snprintf(head, sizeof(head), "302 Found\r\nLocation: %s", path + 15);
			ka_reply(c, head, "");
		} else if (strcmp(path, "/k/secret") == 0) {
			pthread_mutex_lock(&S.mu);
			secret_hits++;
			pthread_mutex_unlock(&S.mu);
			ka_reply(c, "200 OK", "<rss><channel><title>SECRET</title></channel></rss>");
		} else if (strcmp(path, "/k/feed") == 0) {
			ka_reply(c, "200 OK", "<rss/>");
		} else {
			ka_reply(c, "404 Not Found", "no");
		}
	}
	close(c);
	return NULL;
}

static void *
ka_accept(void *arg)
{
	struct listener *l = arg;

	for (;;) {
		pthread_t t;
		int c = accept(l->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		pthread_mutex_lock(&S.mu);
		l->accepts++;
		pthread_mutex_unlock(&S.mu);
		pthread_create(&t, NULL, ka_conn, (void *)(intptr_t)c);
		pthread_detach(t);
	}
}

static int
ka_start(void)
{
	for (int i = 0; i < NLISTEN; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t len = sizeof(a);
		pthread_t t;
		inet_pton(AF_INET, L[i].ip, &a.sin_addr);
		L[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (L[i].fd < 0 || bind(L[i].fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
		    listen(L[i].fd, 16) != 0 ||
		    getsockname(L[i].fd, (struct sockaddr *)&a, &len) != 0)
			return -1;
		L[i].port = ntohs(a.sin_port);
		pthread_create(&t, NULL, ka_accept, &L[i]);
		pthread_detach(t);
	}
	return 0;
}

static int
accepts(int l)
{
	int n;

	pthread_mutex_lock(&S.mu);
	n = L[l].accepts;
	pthread_mutex_unlock(&S.mu);
	return n;
}

static int
secrets(void)
{
	int n;

	pthread_mutex_lock(&S.mu);
	n = secret_hits;
	pthread_mutex_unlock(&S.mu);
	return n;
}

/* http://IP:PORT of listener l, then path (rotating buffers). */
static const char *
lurl(int l, const char *path)
{
	static char u[8][700];
	static int k;

	k = (k + 1) % 8;
	snprintf(u[k], sizeof(u[k]), "http://%s:%d%.600s", L[l].ip, L[l].port, path);
	return u[k];
}

/* A URL on listener `from` that redirects to `target`. */
static const char *
redirect(int from, const char *target)
{
	char path[600];

	snprintf(path, sizeof(path), "/k/redirect?to=%.500s", target);
	return lurl(from, path);
}

/* The address seam: 127.0.0.2 (listener P) counts as public. */
static bool
pub_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

	if (sa->sa_family == AF_INET && ntohl(s4->sin_addr.s_addr) == 0x7f000002)
		return false;
	return netpolicy_addr_private(sa);
}

struct one {
	enum rc rc;
	long status;
	char error[256];
};

static void
one_done(struct fetch_job *job, void *arg)
{
	struct one *o = arg;

	o->rc = job->res.rc;
	o->status = job->res.http_status;
	snprintf(o->error, sizeof(o->error), "%s", job->res.error);
}

/* Fetches one URL with the given trust; returns its rc, *o its outcome. */
static enum rc
fetch_one(struct fetcher *f, const char *u, enum netpolicy_trust trust, struct one *o)
{
	struct fetch_job job = { .url = u, .trust = trust };

	memset(o, 0, sizeof(*o));
	assert_int_equal(fetcher_run(f, &job, 1, one_done, o, NULL), RC_OK);
	return o->rc;
}

/*
 * Issue 13 item 1: a public source that redirects to a private service is
 * refused even while a private source (allowed on that service's origin)
 * keeps a connection to it idle in the fetcher. The check used to run only
 * when a socket was opened, so the redirect reused the idle connection
 * and the private document was fetched.
 */
static void
test_ssrf_public_redirect_reuse(void **state)
{
	struct fetcher_opts o = { .net = { .addr_private = pub_loopback }, .connect_timeout = 2 };
	struct fetcher f;
	struct one r;
	int a0, s0;

	(void)state;
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	/* The seam holds: P is fetched as a public source. */
	assert_int_equal(fetch_one(&f, lurl(LP, "/k/feed"), NETPOLICY_PUBLIC, &r), RC_OK);
	/* A private source on A; its connection stays idle (the second fetch
	 * reuses it: no new connection). */
	a0 = accepts(LA);
	assert_int_equal(fetch_one(&f, lurl(LA, "/k/feed"), NETPOLICY_ORIGIN, &r), RC_OK);
	assert_int_equal(fetch_one(&f, lurl(LA, "/k/feed"), NETPOLICY_ORIGIN, &r), RC_OK);
	assert_int_equal(accepts(LA), a0 + 1);
	/* The public source redirects to A: refused, the secret never asked for. */
	s0 = secrets();
	assert_int_equal(fetch_one(&f, redirect(LP, lurl(LA, "/k/secret")), NETPOLICY_PUBLIC, &r),
	    RC_FORBIDDEN);
	assert_non_null(strstr(r.error, "fetch_allow_private"));
	assert_int_equal(secrets(), s0);
	/* Straight to A, as a public job: refused too. */
	assert_int_equal(fetch_one(&f, lurl(LA, "/k/secret"), NETPOLICY_PUBLIC, &r), RC_FORBIDDEN);
	assert_int_equal(secrets(), s0);
	/* The private source itself still works. */
	assert_int_equal(fetch_one(&f, lurl(LA, "/k/feed"), NETPOLICY_ORIGIN, &r), RC_OK);
	fetcher_fini(&f);
}

/*
 * Issue 13 item 1, related: a private source's allowance covers its own
 * origin only. Its redirect to another private port (or the cloud metadata
 * address) is refused, on a new connection and on one left idle by a
 * source configured on that port; a redirect within its origin is
 * followed; fetch_allow_private (NETPOLICY_ANY) still covers every hop.
 */
static void
test_ssrf_private_redirect_other_port(void **state)
{
	struct fetcher_opts o = { .connect_timeout = 2 };
	struct fetcher f;
	struct one r;
	int b0, s0;

	(void)state;
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	s0 = secrets();
	/* A to B, no connection to B yet. */
	assert_int_equal(fetch_one(&f, redirect(LA, lurl(LB, "/k/secret")), NETPOLICY_ORIGIN, &r),
	    RC_FORBIDDEN);
	assert_non_null(strstr(r.error, "fetch_allow_private"));
	assert_int_equal(secrets(), s0);
	/* A to B while a source on B keeps a connection idle: the hop would
	 * reuse it (no new connection to B), and is refused before its request. */
	assert_int_equal(fetch_one(&f, lurl(LB, "/k/feed"), NETPOLICY_ORIGIN, &r), RC_OK);
	b0 = accepts(LB);
	assert_int_equal(fetch_one(&f, redirect(LA, lurl(LB, "/k/secret")), NETPOLICY_ORIGIN, &r),
	    RC_FORBIDDEN);
	assert_int_equal(secrets(), s0);
	assert_int_equal(accepts(LB), b0);
	/* To the cloud metadata address: refused before connecting. */
	assert_int_equal(fetch_one(&f, redirect(LA, "http://169.254.169.254/latest/meta-data/"),
	    NETPOLICY_ORIGIN, &r), RC_FORBIDDEN);
	/* Within A's own origin: followed. */
	assert_int_equal(fetch_one(&f, redirect(LA, lurl(LA, "/k/feed")), NETPOLICY_ORIGIN, &r),
	    RC_OK);
	/* fetch_allow_private: every hop may be private. */
	assert_int_equal(fetch_one(&f, redirect(LA, lurl(LB, "/k/secret")), NETPOLICY_ANY, &r),
	    RC_OK);
	assert_int_equal(secrets(), s0 + 1);
	fetcher_fini(&f);
}

/* ---- curl fetcher ---- */

struct seen {
	struct fetch_result r[16];
	char body[16][64];
	char etag[16][64], cc[16][128], ra[16][128];
	int n;
};

static void
on_done(struct fetch_job *job, void *arg)
{
	struct seen *s = arg;
	int i = (int)(intptr_t)job->arg;

	s->r[i] = job->res;
	snprintf(s->body[i], sizeof(s->body[i]), "%s", job->res.body ? job->res.body : "");
	snprintf(s->etag[i], sizeof(s->etag[i]), "%s", job->res.etag ? job->res.etag : "");
	snprintf(s->cc[i], sizeof(s->cc[i]), "%s", job->res.cache_control ? job->res.cache_control : "");
	snprintf(s->ra[i], sizeof(s->ra[i]), "%s", job->res.retry_after ? job->res.retry_after : "");
	s->n++;
}

static char *
url(const char *path)
{
	static char u[8][128];
	static int k;

	k = (k + 1) % 8;
	snprintf(u[k], sizeof(u[k]), "http://127.0.0.1:%d%s", S.port, path);
	return u[k];
}

static void
test_curl_fetch(void **state)
{
	struct fetcher_opts o = { .net = { .user_agent = "socialhub/test (+http://x)" },
	    .max_body = 1024 * 1024 };
	struct fetch_job jobs[8];
	struct seen s = { 0 };
	struct fetcher f;
	const char *paths[] = { "/ok", "/notmod", "/big", "/missing", "/429", "/ok", "relative", "/notmod" };

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 8; i++) {
		jobs[i].url = i == 6 ? "relative" : url(paths[i]);
		jobs[i].trust = i != 5 ? NETPOLICY_ORIGIN : NETPOLICY_PUBLIC;
		jobs[i].arg = (void *)(intptr_t)i;
	}
	jobs[7].etag = "\"v1\"";
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	assert_int_equal(fetcher_run(&f, jobs, 8, on_done, &s, NULL), RC_OK);
	assert_int_equal(s.n, 8);
	/* 200 with headers captured (two Cache-Control joined), control bytes gone. */
	assert_int_equal(s.r[0].rc, RC_OK);
	assert_int_equal(s.r[0].http_status, 200);
	assert_string_equal(s.body[0], "<rss/>");
	assert_string_equal(s.etag[0], "\"v1\"");
	assert_string_equal(s.cc[0], "public, max-age=600");
	assert_null(strchr(s.ra[0], '\x1b'));
	assert_null(strchr(s.ra[0], '\x07'));
	assert_string_equal(S.last_ua, "socialhub/test (+http://x)");
	/* No validators: a full 200. */
	assert_int_equal(s.r[1].rc, RC_OK);
	assert_false(s.r[1].not_modified);
	/* Over max_body: aborted, counted in the write callback. */
	assert_int_equal(s.r[2].rc, RC_TOOBIG);
	assert_non_null(strstr(s.r[2].error, "too large"));
	assert_int_equal(s.r[3].rc, RC_UPSTREAM);
	assert_string_equal(s.r[3].error, "HTTP 404");
	assert_int_equal(s.r[4].rc, RC_RATELIMIT);
	assert_string_equal(s.ra[4], "120");
	/* Loopback refused unless allowed. */
	assert_int_equal(s.r[5].rc, RC_FORBIDDEN);
	assert_non_null(strstr(s.r[5].error, "fetch_allow_private"));
	assert_int_equal(s.r[6].rc, RC_INVALID);
	/* If-None-Match sent, 304 seen. */
	assert_int_equal(s.r[7].rc, RC_OK);
	assert_true(s.r[7].not_modified);
	fetcher_fini(&f);
}

/* The done callback gives job 0 a second request once (fetch_job.again). */
struct again_seen {
	int calls[2];
	char paths[3][32];
	int n;
};

static void
on_done_again(struct fetch_job *job, void *arg)
{
	struct again_seen *s = arg;
	int i = (int)(intptr_t)job->arg;

	snprintf(s->paths[s->n++ % 3], sizeof(s->paths[0]), "%d:%ld", i, job->res.http_status);
	if (i == 0 && s->calls[0]++ == 0) {
		job->url = url("/missing");
		job->again = true;
	} else if (i != 0) {
		s->calls[1]++;
	}
}

static void
test_again(void **state)
{
	struct fetcher_opts o = { .net = { .user_agent = "socialhub/test" } };
	struct fetch_job jobs[2];
	struct again_seen s = { 0 };
	struct fetcher f;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 2; i++) {
		jobs[i].url = url("/ok");
		jobs[i].trust = NETPOLICY_ORIGIN;
		jobs[i].arg = (void *)(intptr_t)i;
	}
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	assert_int_equal(fetcher_run(&f, jobs, 2, on_done_again, &s, NULL), RC_OK);
	/* job 0 twice (200, then its next request's 404), job 1 once */
	assert_int_equal(s.calls[0], 2);
	assert_int_equal(s.calls[1], 1);
	assert_int_equal(s.n, 3);
	assert_true(strcmp(s.paths[1], "0:404") == 0 || strcmp(s.paths[2], "0:404") == 0);
	assert_false(jobs[0].again);
	fetcher_fini(&f);
}

/* n jobs for path on the test server, loopback allowed, arg = index. */
static void
jobs_at(struct fetch_job *jobs, int n, const char *path)
{
	memset(jobs, 0, (size_t)n * sizeof(*jobs));
	for (int i = 0; i < n; i++) {
		jobs[i].url = url(path);
		jobs[i].trust = NETPOLICY_ORIGIN;
		jobs[i].arg = (void *)(intptr_t)i;
	}
}

/* Runs the jobs with the server's concurrency high-water mark reset;
 * returns the wall time in ms. */
static long
run_timed(struct fetcher *f, struct fetch_job *jobs, size_t n, struct seen *s)
{
	struct timespec t0, t1;

	pthread_mutex_lock(&S.mu);
	S.max_active = 0;
	pthread_mutex_unlock(&S.mu);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fetcher_run(f, jobs, n, on_done, s, NULL), RC_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* At most max_per_host transfers at once against one host. */
static void
test_per_host_limit(void **state)
{
	struct fetcher_opts o = { .max_per_host = 2, .max_total = 16 };
	struct fetch_job jobs[6];
	struct seen s = { 0 };
	struct fetcher f;
	long ms;

	(void)state;
	jobs_at(jobs, 6, "/slow");
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	ms = run_timed(&f, jobs, 6, &s);
	assert_int_equal(s.n, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(s.r[i].rc, RC_OK);
	assert_int_equal(S.max_active, 2);
	assert_true(ms >= 550);        /* three rounds of 200 ms */
	fetcher_fini(&f);
	/* And max_total caps all hosts together. */
	o.max_per_host = 8;
	o.max_total = 3;
	S.max_active = 0;
	s.n = 0;
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	assert_int_equal(fetcher_run(&f, jobs, 6, on_done, &s, NULL), RC_OK);
	assert_int_equal(S.max_active, 3);
	fetcher_fini(&f);
}

/*
 * All unfinished bodies of a run share the memory budget: four 2 MiB
 * answers that pause half-way hold 4 MiB at once, over a 3 MiB budget, so
 * at least one is deferred with RC_LIMIT; the others complete; the budget
 * is given back, so a second run still succeeds.
 */
static void
test_memory_budget(void **state)
{
	struct fetcher_opts o = { .max_per_host = 4, .max_total = 16,
	    .memory_budget = 3u * 1024 * 1024 };
	struct fetch_job jobs[4];
	struct seen s = { 0 };
	struct fetcher f;
	int ok = 0, limited = 0;

	(void)state;
	jobs_at(jobs, 4, "/bigslow");
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	(void)run_timed(&f, jobs, 4, &s);
	assert_int_equal(s.n, 4);
	for (int i = 0; i < 4; i++) {
		ok += s.r[i].rc == RC_OK;
		limited += s.r[i].rc == RC_LIMIT;
		if (s.r[i].rc == RC_LIMIT)
			assert_non_null(strstr(s.r[i].error, "memory budget"));
	}
	assert_int_equal(ok + limited, 4);
	assert_true(limited >= 1);
	assert_true(ok >= 1);
	/* One at a time fits: nothing stays counted from the first run. */
	s.n = 0;
	assert_int_equal(fetcher_run(&f, jobs, 1, on_done, &s, NULL), RC_OK);
	assert_int_equal(s.r[0].rc, RC_OK);
	fetcher_fini(&f);
}

/*
 * The total timeout is per transfer, counted from when it starts, not from
 * when it was queued: eight 200 ms answers through one connection take
 * 1.6 s, and none times out at a 1 s limit. An answer slower than the limit
 * still times out. (Over HTTP/1.1 the run loop hands libcurl only what can
 * start, so here they wait in the loop's queue; libcurl's own queue, which
 * CURLOPT_TIMEOUT would count, is reached over HTTP/2 when a server allows
 * fewer streams than max_streams, or on redirects to another host. The same
 * deadline code covers both: it counts from the moment the transfer opens
 * or is given a connection.)
 */
static void
test_timeout_after_queue(void **state)
{
	struct fetcher_opts o = { .max_per_host = 1, .max_total = 1, .total_timeout = 1 };
	struct fetch_job jobs[8];
	struct seen s = { 0 };
	struct fetcher f;
	long ms;

	(void)state;
	jobs_at(jobs, 8, "/slow");
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	ms = run_timed(&f, jobs, 8, &s);
	assert_int_equal(s.n, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(s.r[i].rc, RC_OK);
	assert_int_equal(S.max_active, 1);
	assert_true(ms >= 1500);       /* queued well past the 1 s limit */
	/* One answer slower than the limit is cut. */
	memset(&s, 0, sizeof(s));
	jobs[0].url = url("/hang");
	ms = run_timed(&f, jobs, 1, &s);
	assert_int_equal(s.r[0].rc, RC_TIMEOUT);
	assert_non_null(strstr(s.r[0].error, "timed out"));
	assert_true(ms >= 950 && ms < 1450);
	fetcher_fini(&f);
}

/* A stop request ends the run; every job still gets its callback. */
static void
test_stop(void **state)
{
	volatile sig_atomic_t stop = 1;
	struct fetch_job jobs[3];
	struct seen s = { 0 };
	struct fetcher_opts o = { 0 };
	struct fetcher f;

	(void)state;
	jobs_at(jobs, 3, "/slow");
	assert_int_equal(fetcher_curl_new(&o, &f), RC_OK);
	assert_int_equal(fetcher_run(&f, jobs, 3, on_done, &s, &stop), RC_OK);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(s.r[i].rc, RC_UNAVAILABLE);
	assert_int_equal(fetcher_run(&f, jobs, 0, on_done, &s, NULL), RC_OK);
	fetcher_fini(&f);
	fetcher_fini(&f);   /* twice is harmless */
}

static int
setup(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR);
	if (netpolicy_global_init() != RC_OK)
		return -1;
	return srv_start() == 0 && ka_start() == 0 ? 0 : -1;
}

/* A URL a page named keeps the page's private trust on its origin only. */
static void
test_trust_named(void **state)
{
	static const struct {
		enum netpolicy_trust page;
		const char *page_url, *url;
		enum netpolicy_trust want;
	} cases[] = {
		{ NETPOLICY_ORIGIN, "http://127.0.0.1:81/blog", "http://127.0.0.1:81/feed", NETPOLICY_ORIGIN },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1:81/blog", "HTTP://127.0.0.1:81?x", NETPOLICY_ORIGIN },
		{ NETPOLICY_ORIGIN, "http://LocalHost/a", "http://localhost:80/b", NETPOLICY_ORIGIN },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1:81/blog", "http://127.0.0.1:82/feed", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1/blog", "https://127.0.0.1/feed", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1/blog", "http://127.0.0.2/feed", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1/", "http://127.0.0.1.evil.example/", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1/", "http://127.0.0.1@10.0.0.1/", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, "http://127.0.0.1/", "not a url", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, "not a url", "http://127.0.0.1/", NETPOLICY_PUBLIC },
		{ NETPOLICY_ORIGIN, NULL, "http://127.0.0.1/", NETPOLICY_PUBLIC },
		{ NETPOLICY_PUBLIC, "http://a.example/", "http://a.example/feed", NETPOLICY_PUBLIC },
		{ NETPOLICY_ANY, "http://127.0.0.1/", "http://10.0.0.1/feed", NETPOLICY_ANY },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(fetcher_trust_named(cases[i].page,
		    cases[i].page_url, cases[i].url), cases[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_interval),
			cmocka_unit_test(test_curl_fetch),
		cmocka_unit_test(test_per_host_limit),
		cmocka_unit_test(test_again),
		cmocka_unit_test(test_timeout_after_queue),
		cmocka_unit_test(test_memory_budget),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_ssrf_public_redirect_reuse),
		cmocka_unit_test(test_ssrf_private_redirect_other_port),
		cmocka_unit_test(test_trust_named),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

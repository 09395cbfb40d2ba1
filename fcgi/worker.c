/* worker: accept, parse, route, write; one request at a time per process. */
#include "fcgi/worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "fcgi/health.h"
#include "fcgi/metrics.h"
#include "fcgi/request_int.h"
#include "fcgi/router_int.h"
#include "util/log.h"

#define ARENA_FIRST_BLOCK (64u * 1024)
#define ARENA_LIMIT (64u * 1024 * 1024)

extern char **environ;

/* Where the serialized response goes: FastCGI stream or stdout. */
struct sink {
	int (*put)(void *arg, const char *p, size_t n);
	void *arg;
};

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Buffers a worker keeps from one request to the next. */
struct worker_bufs {
	struct buf head;
	struct buf body;
};

#define WORKER_BUF_KEEP (1u << 20)  /* larger buffers are freed after use */

static void
bufs_trim(struct worker_bufs *wb)
{
	if (wb->head.cap > WORKER_BUF_KEEP)
		buf_fini(&wb->head);
	if (wb->body.cap > WORKER_BUF_KEEP)
		buf_fini(&wb->body);
	buf_clear(&wb->head);
	buf_clear(&wb->body);
}

static void
write_response(struct request *req, struct response *res, struct sink *out,
    struct buf *head)
{
	const void *body;
	size_t n;

	if (response_head(res, head) != RC_OK) {
		buf_clear(head);
		buf_appends(head, "Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
	}
	out->put(out->arg, buf_cstr(head), head->len);
	body = response_bytes(res, &n);
	if (req->method != HTTP_HEAD && n > 0 && res->status != 304)
		out->put(out->arg, body, n);
}

/* Parses, routes and answers one request; everything is freed by the arena. */
static void
handle(struct router *r, struct arena *a, struct worker_bufs *wb,
    const struct config *cfg, char **env, request_reader reader, void *rarg,
    struct sink *out, struct request_busy_probe *busy)
{
	double start = now_seconds();
	const char *route = "invalid";
	struct request req;
	struct response res;
	enum rc rc;

	response_init_buf(&res, a, &wb->body);
	rc = request_init(&req, a, cfg, env, reader, rarg);
	req.busy = busy;
	if (rc == RC_OK)
		router_handle(r, &req, &res, &route);
	else
		router_error(&res, rc);
	write_response(&req, &res, out, &wb->head);
	metrics_request(route, res.status, now_seconds() - start);
	if (res.status >= 500) {
		char code[24];
		log_kv(LOG_WARN, "request_failed", "route", route, "status",
		    log_int(code, res.status), NULL);
	}
	response_fini(&res);
	bufs_trim(wb);
	arena_reset(a);
}

static ssize_t
fcgx_read(void *arg, char *p, size_t n)
{
	return FCGX_GetStr(p, (int)(n > 65536 ? 65536 : n), arg);
}

static int
fcgx_put(void *arg, const char *p, size_t n)
{
	return FCGX_PutStr(p, (int)n, arg);
}

/*
 * SIGTERM/SIGINT in a worker. A request in progress is never cut: the
 * handler only sets *stop, which the loop checks between requests, and
 * SA_RESTART resumes the reads and writes it interrupted. A worker waiting
 * in accept() must not wait for one more connection, though: while it is
 * idle the handler closes its copy of the listening socket, so accept()
 * (entered before or after the signal) fails with EBADF at once. This costs
 * no system call per request, unlike blocking the signals around each one.
 */
static volatile sig_atomic_t *worker_stop;
static volatile sig_atomic_t worker_idle;
static volatile sig_atomic_t worker_listen_fd = -1;

static void
worker_on_term(int sig)
{
	int saved = errno;

	(void)sig;
	*worker_stop = 1;
	FCGX_ShutdownPending();
	if (worker_idle && worker_listen_fd >= 0) {
		close(worker_listen_fd);
		worker_listen_fd = -1;
	}
	errno = saved;
}

static void
worker_signals(int listen_fd, volatile sig_atomic_t *stop)
{
	struct sigaction sa = { .sa_handler = worker_on_term, .sa_flags = SA_RESTART };

	worker_stop = stop;
	worker_listen_fd = listen_fd;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* ---- the features' idle hooks ---- */

static void
has_idle_fn(void *arg, const struct feature *f, void *ctx)
{
	(void)ctx;
	if (f->idle != NULL)
		*(bool *)arg = true;
}

static void
idle_fn(void *arg, const struct feature *f, void *ctx)
{
	(void)arg;
	if (f->idle != NULL)
		f->idle(ctx);
}

/*
 * Before blocking for the next request: when a handler was told it was
 * busy (it may have left work for later: share counting batches) and no
 * connection is queued on the listening socket now, the features do
 * their deferred work. Under load a request is always waiting and the
 * work goes on in batches; when the load stops, nothing waits for the
 * next one. After requests that asked nothing, no poll() at all; right
 * after a busy one, none either (request_busy_kept, with the idle tick below).
 */
static bool
waiting(int listen_fd)
{
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

/*
 * A worker with deferred work must not sleep in accept() with it: the
 * listening socket gets a receive timeout (which accept() honours, and
 * FCGX_Accept_r passes on as -EAGAIN), so such a worker wakes at least
 * every WORKER_IDLE_TICK_MS and looks again. That lets it skip the look
 * right after a busy request (request_busy_kept): a poll per request fewer under
 * load, and a batch left pending when the load stops, or when another
 * worker took the connection it saw, is done within a tick. Set by every
 * worker (the socket is shared): off where no feature defers work.
 */
#define WORKER_IDLE_TICK_MS 100

static void
idle_tick_set(int listen_fd, bool on)
{
	struct timeval tv = { 0, on ? WORKER_IDLE_TICK_MS * 1000 : 0 };

	if (setsockopt(listen_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
		log_kv(LOG_WARN, "idle_tick_failed", "error", strerror(errno), NULL);
}

static void
worker_idle_work(struct router *r, int listen_fd, bool *pending,
    long long busy_at)
{
	if (*pending && !request_busy_kept(busy_at, request_busy_clock()) &&
	    !waiting(listen_fd)) {
		router_each_feature(r, idle_fn, NULL);
		*pending = false;
	}
}

/* The routes of a serving process: /healthz, /version, /metrics, then
 * the features'. On failure nothing is left to free. */
static enum rc
serving_router(const struct config *cfg, const struct feature *features,
    struct router **r, struct health **h)
{
	enum rc rc = router_new(cfg, features, r);

	if (rc == RC_OK && (rc = health_new(*r, h)) != RC_OK) {
		router_free(*r);
		*r = NULL;
	}
	return rc;
}

int
worker_serve(const struct config *cfg, const struct feature *features,
    int listen_fd, volatile sig_atomic_t *stop)
{
	struct router *r = NULL;
	struct health *h = NULL;
	struct arena *a = arena_new(ARENA_FIRST_BLOCK, ARENA_LIMIT);
	struct worker_bufs wb;
	FCGX_Request fr;
	bool idle_hooks = false, pending = false;
	long long busy_at = 0;         /* request_busy_probe.busy_at */

	if (a == NULL || serving_router(cfg, features, &r, &h) != RC_OK) {
		arena_free(a);
		return 1;
	}
	router_each_feature(r, has_idle_fn, &idle_hooks);
	idle_tick_set(listen_fd, idle_hooks);
	buf_init(&wb.head, 64 * 1024);
	buf_init(&wb.body, RESPONSE_BODY_MAX);
	FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	worker_signals(listen_fd, stop);
	for (;;) {
		int rc;
		if (idle_hooks)
			worker_idle_work(r, listen_fd, &pending, busy_at);
		/* From here until FCGX_Accept_r returns, SIGTERM closes the
		 * listening socket (see worker_on_term). */
		worker_idle = 1;
		if (*stop)
			break;
		rc = FCGX_Accept_r(&fr);
		worker_idle = 0;
		if (rc < 0) {
			if (*stop)
				break;
			/* EAGAIN: the idle tick (idle_tick_set). */
			if (rc == -EINTR || errno == EINTR || rc == -EAGAIN ||
			    rc == -EWOULDBLOCK)
				continue;
			log_kv(LOG_ERROR, "accept_failed", "error", strerror(-rc), NULL);
			sleep(1);
			continue;
		}
		struct sink out = { fcgx_put, fr.out };
		/* Busy: another request waits behind this one (asked only by
		 * a handler that can defer work, only when it would). */
		struct request_busy_probe probe = { idle_hooks ? listen_fd : -1, -1, false,
			&busy_at };
		handle(r, a, &wb, cfg, fr.envp, fcgx_read, fr.in, &out, &probe);
		pending = pending || probe.asked_busy;
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 0);
	buf_fini(&wb.head);
	buf_fini(&wb.body);
	router_free(r);
	health_free(h);
	arena_free(a);
	return 0;
}

static ssize_t
stdin_read(void *arg, char *p, size_t n)
{
	(void)arg;
	return read(STDIN_FILENO, p, n);
}

static int
stdout_put(void *arg, const char *p, size_t n)
{
	(void)arg;
	return fwrite(p, 1, n, stdout) == n ? (int)n : -1;
}

int
worker_cgi(const struct config *cfg, const struct feature *features)
{
	struct router *r = NULL;
	struct health *h = NULL;
	struct arena *a = arena_new(ARENA_FIRST_BLOCK, ARENA_LIMIT);
	struct sink out = { stdout_put, NULL };
	struct worker_bufs wb;

	buf_init(&wb.head, 64 * 1024);
	buf_init(&wb.body, RESPONSE_BODY_MAX);
	metrics_init();
	if (a == NULL || serving_router(cfg, features, &r, &h) != RC_OK) {
		fputs("Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n"
		    "{\"error\":\"internal_error\",\"message\":\"socialhub could not start.\"}", stdout);
		arena_free(a);
		return 1;
	}
	handle(r, a, &wb, cfg, environ, stdin_read, NULL, &out, NULL);
	fflush(stdout);
	buf_fini(&wb.head);
	buf_fini(&wb.body);
	router_free(r);
	health_free(h);
	arena_free(a);
	return 0;
}

/*
 * Each feature's refresh hook keeps its own timer: a hook runs when its
 * own time has come, not whenever another hook asked to be woken (the
 * connections' 5-second look must not run a feed pass every 5 s).
 */
struct refresh_walk {
	long long now;              /* monotonic seconds */
	long long due[FEATURE_MAX]; /* per feature, in router order; 0: now */
	size_t i;
	volatile sig_atomic_t *stop;
};

static long long
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

static void
feature_refresh(void *arg, const struct feature *f, void *ctx)
{
	struct refresh_walk *w = arg;
	size_t i = w->i++;
	long next;

	if (f->refresh == NULL || *w->stop || i >= FEATURE_MAX || w->due[i] > w->now)
		return;
	next = f->refresh(ctx, w->stop);
	w->due[i] = mono_now() + (next > 0 ? next : 60);
}

/* Seconds until the earliest hook is due (at least 1, at most 60). */
static long
refresh_sleep(const struct refresh_walk *w)
{
	long long soonest = w->now + 60;

	for (size_t i = 0; i < w->i && i < FEATURE_MAX; i++)
		if (w->due[i] > 0 && w->due[i] < soonest)
			soonest = w->due[i];
	soonest -= mono_now();
	return soonest < 1 ? 1 : (long)soonest;
}

int
worker_refresher(const struct config *cfg, const struct feature *features,
    volatile sig_atomic_t *stop)
{
	struct router *r = NULL;
	struct refresh_walk w = { .stop = stop };

	if (router_new(cfg, features, &r) != RC_OK)
		return 1;
	while (!*stop) {
		long sleep_s;
		w.now = mono_now();
		w.i = 0;
		router_each_feature(r, feature_refresh, &w);
		sleep_s = refresh_sleep(&w);
		/* Sleep in slices: SIGTERM interrupts poll(), and a signal that
		 * lands between the check and the call costs at most a second. */
		for (long i = 0; i < sleep_s && !*stop; i++)
			poll(NULL, 0, 1000);
	}
	router_free(r);
	return 0;
}

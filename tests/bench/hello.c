/* hello: the bare fcgi2 baseline for benchmarks; pre-forked hello-world. */

/*
 * hello [-s SOCKPATH] [-w WORKERS] [-b BODYBYTES] [-m MODE]
 *
 * The master opens the unix socket (or, without -s, uses the listening
 * socket inherited on fd 0, as from spawn-fcgi), forks WORKERS processes,
 * each a single-threaded FCGX_Accept_r loop on the shared socket, respawns
 * any that dies, and on SIGTERM/SIGINT stops them and removes the socket.
 * Every request gets "Status: 200 OK", Content-Type application/json and a
 * deterministic JSON body of exactly BODYBYTES bytes.
 *
 * Signals: libfcgi's own SIGTERM handler only sets a flag that a worker
 * blocked in accept() never looks at, so workers install their own: idle,
 * they _exit at once; inside a request, they finish it first.
 *
 * Standalone: cc -O2 -o hello hello.c $(pkg-config --cflags --libs fcgi)
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#define HELLO_WORKERS_MAX 256
#define HELLO_BODY_MAX (64L * 1024 * 1024)

struct hello_opts {
	const char *sock;  /* NULL: fd 0 */
	long workers;
	long body_len;
	long mode;
};

struct hello_reply {
	char head[256];
	size_t head_len;
	char *body;
	size_t body_len;
};

static volatile sig_atomic_t worker_busy;
static volatile sig_atomic_t worker_stop;

static void
usage(void)
{
	fprintf(stderr, "usage: hello [-s SOCKPATH] [-w WORKERS] [-b BODYBYTES] [-m MODE]\n");
	exit(2);
}

/* Parses a decimal (or octal with base 8) number in [lo, hi]. */
static long
parse_num(const char *s, int base, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, base);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

static void
opts_parse(int argc, char **argv, struct hello_opts *o)
{
	int ch;

	o->sock = NULL;
	o->workers = 2;
	o->body_len = 18;
	o->mode = 0666;
	while ((ch = getopt(argc, argv, "s:w:b:m:")) != -1) {
		switch (ch) {
		case 's':
			o->sock = optarg;
			break;
		case 'w':
			o->workers = parse_num(optarg, 10, 1, HELLO_WORKERS_MAX);
			break;
		case 'b':
			o->body_len = parse_num(optarg, 10, 0, HELLO_BODY_MAX);
			break;
		case 'm':
			o->mode = parse_num(optarg, 8, 0, 0777);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/*
 * Fills r with the header block and a body of exactly n bytes:
 * {"hello":"xxx...x"} when n >= 12, else n spaces. Returns -1 on ENOMEM.
 */
static int
reply_init(struct hello_reply *r, size_t n)
{
	static const char pre[] = "{\"hello\":\"", post[] = "\"}";
	size_t pre_len = sizeof(pre) - 1, post_len = sizeof(post) - 1;
	int len;

	r->body = malloc(n ? n : 1);
	if (r->body == NULL)
		return -1;
	r->body_len = n;
	if (n >= pre_len + post_len) {
		memcpy(r->body, pre, pre_len);
		memset(r->body + pre_len, 'x', n - pre_len - post_len);
		memcpy(r->body + n - post_len, post, post_len);
	} else
		memset(r->body, ' ', n);
	len = snprintf(r->head, sizeof(r->head),
	    "Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n", n);
	if (len < 0 || (size_t)len >= sizeof(r->head))
		return -1;
	r->head_len = (size_t)len;
	return 0;
}

static void
worker_on_signal(int sig)
{
	(void)sig;
	if (!worker_busy)
		_exit(0);
	worker_stop = 1;
}

/* One worker: accept, answer, repeat. Never returns. */
static void
worker_run(int listen_fd, const struct hello_reply *r)
{
	struct sigaction sa;
	FCGX_Request req;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		_exit(1);
	while (!worker_stop) {
		worker_busy = 0;
		if (worker_stop)
			break;
		if (FCGX_Accept_r(&req) < 0)
			break;
		worker_busy = 1;
		FCGX_PutStr(r->head, (int)r->head_len, req.out);
		if (r->body_len > 0)
			FCGX_PutStr(r->body, (int)r->body_len, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

/* Forks one worker; returns its PID or -1. */
static pid_t
worker_spawn(int listen_fd, const struct hello_reply *r)
{
	pid_t pid;

	pid = fork();
	if (pid == 0)
		worker_run(listen_fd, r);
	if (pid < 0)
		perror("hello: fork");
	return pid;
}

static int
slot_of(const pid_t *pids, long n, pid_t pid)
{
	long i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return (int)i;
	return -1;
}

/* Reaps dead workers; when respawn, replaces them. Returns how many live. */
static long
master_reap(pid_t *pids, long n, int respawn, int fd, const struct hello_reply *r)
{
	pid_t pid;
	int status, slot;
	long i, live = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		slot = slot_of(pids, n, pid);
		if (slot < 0)
			continue;
		pids[slot] = 0;
		if (respawn) {
			fprintf(stderr, "hello: worker %ld died, respawning\n", (long)pid);
			pids[slot] = worker_spawn(fd, r);
			if (pids[slot] < 0)
				pids[slot] = 0;
		}
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			live++;
	return live;
}

/* TERM to every worker, up to 2 s for them to go, then KILL. */
static void
master_stop(pid_t *pids, long n, int fd, const struct hello_reply *r)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };
	sigset_t chld;
	long i;
	int tries;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (tries = 0; tries < 100; tries++) {
		if (master_reap(pids, n, 0, fd, r) == 0)
			return;
		sigtimedwait(&chld, NULL, &step);
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	while (master_reap(pids, n, 0, fd, r) > 0)
		sigtimedwait(&chld, NULL, &step);
}

static int
listen_open(const struct hello_opts *o)
{
	int fd;

	if (o->sock == NULL) {
		if (FCGX_IsCGI()) {
			fprintf(stderr, "hello: no -s and fd 0 is not a socket\n");
			return -1;
		}
		return 0;
	}
	unlink(o->sock);
	fd = FCGX_OpenSocket(o->sock, 1024);
	if (fd < 0) {
		fprintf(stderr, "hello: cannot listen on %s\n", o->sock);
		return -1;
	}
	if (chmod(o->sock, (mode_t)o->mode) != 0)
		perror("hello: chmod");
	return fd;
}

int
main(int argc, char **argv)
{
	struct hello_opts o;
	struct hello_reply r;
	pid_t pids[HELLO_WORKERS_MAX];
	sigset_t set;
	long i;
	int fd, sig, rc = 0;

	opts_parse(argc, argv, &o);
	if (FCGX_Init() != 0 || reply_init(&r, (size_t)o.body_len) != 0) {
		fprintf(stderr, "hello: init failed\n");
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = listen_open(&o);
	if (fd < 0)
		return 1;

	memset(pids, 0, sizeof(pids));
	for (i = 0; i < o.workers; i++)
		if ((pids[i] = worker_spawn(fd, &r)) < 0)
			pids[i] = 0;

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGCHLD) {
			master_reap(pids, o.workers, 1, fd, &r);
			continue;
		}
		if (sig == SIGHUP)
			continue;
		break;  /* SIGTERM, SIGINT */
	}
	master_stop(pids, o.workers, fd, &r);
	if (o.sock != NULL && unlink(o.sock) != 0) {
		perror("hello: unlink");
		rc = 1;
	}
	free(r.body);
	return rc;
}

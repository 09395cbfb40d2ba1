/* master: the process model — one listener, N workers, one refresher. */
#include "fcgi/master.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "fcgi/metrics.h"
#include "fcgi/worker.h"
#include "util/log.h"
#include "util/netpolicy.h"

#define MASTER_KIDS_MAX 130       /* current + retiring generation */
#define BACKOFF_MIN 0.1
#define BACKOFF_MAX 30.0
#define STABLE_AFTER 10.0         /* a child that lived this long resets back-off */
#define LISTEN_BACKLOG 1024
#define DEFAULT_LISTEN "127.0.0.1:9090"

enum role { ROLE_WORKER, ROLE_REFRESHER };

struct kid {
	pid_t pid;            /* 0: not running */
	enum role role;
	unsigned gen;         /* config generation it serves */
	bool retiring;        /* old generation: stop, do not respawn */
	double started;
	double restart_at;    /* when to respawn a dead current child */
	double backoff;
	double kill_at;       /* retiring: SIGKILL after this */
};

struct master {
	const char *path;
	const struct feature *features;
	struct config *cfg;
	unsigned gen;
	int listen_fd;
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct kid kids[MASTER_KIDS_MAX];
};

/* Set by SIGTERM in a child; the only mutable global of a child process. */
static volatile sig_atomic_t child_stop;

/* sd_listen_fds(3): the first socket systemd passes. */
#define SD_LISTEN_FDS_START 3

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_child_term(int sig)
{
	(void)sig;
	child_stop = 1;
	FCGX_ShutdownPending();
}

static bool
fd_is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int
open_unix(struct master *m, const char *path, long mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A live socket belongs to another instance; a dead one is stale. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		log_kv(LOG_ERROR, "listen_in_use", "path", path, "cause",
		    "another process accepts on this socket: a running socialhub, or systemd's "
		    "socialhub.socket when socialhub was started without it (no LISTEN_FDS, "
		    "fd 0 not a socket)", "fix", "stop the other process; under systemd start "
		    "socialhub.service through socialhub.socket (it passes the socket), or set "
		    "listen to a path no one else uses", NULL);
		close(fd);
		return -1;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, (mode_t)mode) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		log_kv(LOG_ERROR, "listen_failed", "path", path, "error", strerror(errno), NULL);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(m->unix_path, sizeof(m->unix_path), "%s", path);
	return fd;
}

static int
open_tcp(const char *spec)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai = NULL;
	int fd = -1, one = 1;
	size_t hlen = (size_t)(colon - spec);

	if (hlen >= sizeof(host))
		return -1;
	if (spec[0] == '[' && hlen >= 2 && spec[hlen - 1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)hlen - 2, spec + 1);
	else
		snprintf(host, sizeof(host), "%.*s", (int)hlen, spec);
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || ai == NULL) {
		log_kv(LOG_ERROR, "listen_failed", "address", spec, "error", "cannot resolve", NULL);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		log_kv(LOG_ERROR, "listen_failed", "address", spec, "error", strerror(errno), NULL);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * The address check of config.c, on the socket itself: a host name
 * resolved at bind time, or a socket inherited on fd 0 (systemd's
 * ListenStream=9000 binds every address), is judged by where it is bound.
 */
static bool
listen_scope_ok(const struct master *m, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	if ((ss.ss_family != AF_INET && ss.ss_family != AF_INET6) || m->cfg->listen_public ||
	    netpolicy_addr_loopback((struct sockaddr *)&ss))
		return true;
	getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
	log_kv(LOG_ERROR, "listen_not_loopback", "address", host, "fix",
	    "listen on a unix socket or 127.0.0.1, or set listen_public = true behind a firewall",
	    NULL);
	return false;
}

/*
 * The socket systemd passed by its protocol (sd_listen_fds(3)): LISTEN_PID
 * is this process (the launcher execs the core in the same one) and
 * LISTEN_FDS at least 1; the first, fd 3, is taken. The variables are
 * removed so that no child takes them for its own. -1 when none.
 */
static int
listen_fds_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long p, n;

	if (pid == NULL || fds == NULL)
		return -1;
	p = strtol(pid, &end, 10);
	if (*end != '\0' || p != (long)getpid())
		return -1;
	n = strtol(fds, &end, 10);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (*end != '\0' || n < 1 || !fd_is_socket(SD_LISTEN_FDS_START))
		return -1;
	if (n > 1)
		log_kv(LOG_WARN, "listen_fds_extra", "count", fds, "using", "fd 3", NULL);
	fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
	return SD_LISTEN_FDS_START;
}

/* Where an inherited socket is bound, for the log: "unix:PATH" or
 * "HOST:PORT" (numeric). */
static void
socket_name(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";

	snprintf(out, n, "?");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_UNIX) {
		snprintf(out, n, "unix:%s", ((struct sockaddr_un *)&ss)->sun_path);
		return;
	}
	getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(out, n, strchr(host, ':') != NULL ? "[%s]:%s" : "%s:%s", host, port);
}

/*
 * A socket handed over by whoever started us comes first, whatever
 * `listen` says: systemd's (LISTEN_FDS), then one on fd 0 (systemd's
 * StandardInput=socket, spawn-fcgi). `listen` then only names where it is
 * (the shipped example and socialhub.socket name the same path); binding
 * it again would find the socket live and fail. -1 when none.
 */
static int
inherited_socket(struct master *m)
{
	const char *how = "LISTEN_FDS";
	char where[160];
	int fd = listen_fds_socket();

	if (fd < 0 && fd_is_socket(STDIN_FILENO)) {
		fd = STDIN_FILENO;
		how = "fd 0";
	}
	if (fd < 0)
		return -1;
	socket_name(fd, where, sizeof(where));
	log_kv(LOG_INFO, "listen", "address", where, "inherited", how, "config_listen",
	    m->cfg->listen != NULL ? m->cfg->listen : "(unset)", NULL);
	return fd;
}

/* The listening socket: inherited, configured, or the default. */
static int
open_listen(struct master *m)
{
	const char *spec = m->cfg->listen;
	int fd = inherited_socket(m);

	if (fd >= 0)
		return fd;
	if (spec == NULL)
		spec = DEFAULT_LISTEN;
	log_kv(LOG_INFO, "listen", "address", spec, NULL);
	if (strcmp(spec, "fd:0") == 0) {
		if (!fd_is_socket(STDIN_FILENO)) {
			log_kv(LOG_ERROR, "listen_failed", "address", spec,
			    "error", "fd 0 is not a socket", NULL);
			return -1;
		}
		return STDIN_FILENO;
	}
	if (strncmp(spec, "unix:", 5) == 0)
		return open_unix(m, spec + 5, m->cfg->listen_mode);
	return open_tcp(spec);
}

static void
child_signals(void)
{
	struct sigaction sa = { .sa_handler = on_child_term };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: SIGTERM must interrupt the refresher's waits. A
	 * worker replaces this handler with its own (worker_serve). */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void
spawn(struct master *m, struct kid *k)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_kv(LOG_ERROR, "fork_failed", "error", strerror(errno), NULL);
		k->restart_at = now_mono() + 1.0;
		return;
	}
	if (pid == 0) {
		int status;
		child_stop = 0;
		child_signals();
		log_set_role(k->role == ROLE_WORKER ? "worker" : "refresher");
		/* Names that ps and tests can tell apart. */
		prctl(PR_SET_NAME, k->role == ROLE_WORKER ? "sh-worker" : "sh-refresher");
		if (k->role == ROLE_WORKER)
			status = worker_serve(m->cfg, m->features, m->listen_fd, &child_stop);
		else
			status = worker_refresher(m->cfg, m->features, &child_stop);
		/* exit, not _exit: stdio and coverage data are flushed; the
		 * child owns no state that the master would see flushed twice. */
		exit(status);
	}
	k->pid = pid;
	k->started = now_mono();
	k->restart_at = 0;
}

static struct kid *
free_slot(struct master *m)
{
	for (size_t i = 0; i < MASTER_KIDS_MAX; i++)
		if (m->kids[i].pid == 0 && m->kids[i].restart_at == 0)
			return &m->kids[i];
	return NULL;
}

/* Starts the children of the current generation. */
static void
spawn_generation(struct master *m)
{
	for (long i = 0; i <= m->cfg->workers; i++) {
		struct kid *k = free_slot(m);
		if (k == NULL)
			return;
		memset(k, 0, sizeof(*k));
		k->role = i == 0 ? ROLE_REFRESHER : ROLE_WORKER;
		k->gen = m->gen;
		k->backoff = BACKOFF_MIN;
		spawn(m, k);
	}
}

static void
reap(struct master *m, bool stopping)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (size_t i = 0; i < MASTER_KIDS_MAX; i++) {
			struct kid *k = &m->kids[i];
			char code[24], sig[24], cpid[24];
			double lived;
			if (k->pid != pid)
				continue;
			k->pid = 0;
			lived = now_mono() - k->started;
			if (k->retiring || stopping) {
				memset(k, 0, sizeof(*k));
				break;
			}
			log_kv(LOG_WARN, "child_exited", "role",
			    k->role == ROLE_WORKER ? "worker" : "refresher",
			    "child_pid", log_int(cpid, pid),
			    "status", log_int(code, WIFEXITED(st) ? WEXITSTATUS(st) : -1),
			    "signal", log_int(sig, WIFSIGNALED(st) ? WTERMSIG(st) : 0),
			    "how", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited", NULL);
			/* Respawn at once after a long life; back off on a crash loop. */
			k->backoff = lived > STABLE_AFTER ? BACKOFF_MIN
			    : (k->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : k->backoff * 2);
			k->restart_at = now_mono() + (lived > STABLE_AFTER ? 0 : k->backoff);
			break;
		}
	}
}

static void
tick(struct master *m)
{
	double now = now_mono();

	for (size_t i = 0; i < MASTER_KIDS_MAX; i++) {
		struct kid *k = &m->kids[i];
		if (k->pid == 0 && k->restart_at != 0 && now >= k->restart_at)
			spawn(m, k);
		if (k->pid != 0 && k->retiring && now >= k->kill_at)
			kill(k->pid, SIGKILL);
	}
}

/* The copy of what took effect, for `check-config` (config.h). */
static void
save_running(const struct config *cfg)
{
	char *path = config_running_path(cfg);

	if (config_save_running(cfg) != RC_OK)
		log_kv(LOG_WARN, "running_config_not_saved", "path", path != NULL ? path : "?",
		    "effect", "check-config cannot say what a reload would change", NULL);
	free(path);
}

static void
reload(struct master *m)
{
	struct config *next = NULL;
	const char *old_listen = m->cfg->listen ? m->cfg->listen : "";

	log_kv(LOG_INFO, "reload", "config", m->path, NULL);
	if (config_load(m->path, m->features, &next) != RC_OK) {
		log_kv(LOG_ERROR, "reload_refused", "config", m->path,
		    "reason", "invalid configuration; the old one keeps serving", NULL);
		return;
	}
	if (strcmp(old_listen, next->listen ? next->listen : "") != 0)
		log_kv(LOG_WARN, "listen_change_ignored", "reason",
		    "a new listen address takes effect on restart", NULL);
	for (size_t i = 0; i < MASTER_KIDS_MAX; i++) {
		struct kid *k = &m->kids[i];
		if (k->pid != 0 && !k->retiring) {
			k->retiring = true;
			k->kill_at = now_mono() + 2.0;
			kill(k->pid, SIGTERM);
		} else if (k->pid == 0) {
			memset(k, 0, sizeof(*k));
		}
	}
	/* Children of the old generation still use the old config: free it
	 * only in the master's copy, theirs is their own after fork. */
	config_free(m->cfg);
	m->cfg = next;
	save_running(m->cfg);
	m->gen++;
	{
		enum log_level lvl;
		if (log_level_parse(m->cfg->log_level, &lvl))
			log_set_level(lvl);
	}
	spawn_generation(m);
	log_kv(LOG_INFO, "reloaded", NULL);
}

/* What the features' children share, made before the first fork. */
static void
features_master_start(const struct master *m)
{
	for (const struct feature *f = m->features; f->name != NULL; f++)
		if (f->master_start != NULL && f->master_start(m->cfg) != RC_OK)
			log_kv(LOG_WARN, "feature_master_start_failed", "feature", f->name, NULL);
}

/* After the children: what they shared is final. */
static void
features_master_stop(const struct master *m)
{
	for (const struct feature *f = m->features; f->name != NULL; f++)
		if (f->master_stop != NULL)
			f->master_stop(m->cfg);
}

static bool
any_alive(const struct master *m)
{
	for (size_t i = 0; i < MASTER_KIDS_MAX; i++)
		if (m->kids[i].pid != 0)
			return true;
	return false;
}

/* SIGTERM every child, give them the drain time, then SIGKILL. */
static void
shutdown_children(struct master *m)
{
	double deadline = now_mono() + (double)m->cfg->drain_timeout_ms / 1000.0;

	for (size_t i = 0; i < MASTER_KIDS_MAX; i++)
		if (m->kids[i].pid != 0)
			kill(m->kids[i].pid, SIGTERM);
	while (any_alive(m) && now_mono() < deadline) {
		reap(m, true);
		if (any_alive(m))
			poll(NULL, 0, 10);
	}
	for (size_t i = 0; i < MASTER_KIDS_MAX; i++)
		if (m->kids[i].pid != 0)
			kill(m->kids[i].pid, SIGKILL);
	while (any_alive(m) && waitpid(-1, NULL, 0) > 0)
		reap(m, true);
}

static void
supervise(struct master *m)
{
	struct timespec slice = { 0, 100 * 1000 * 1000 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &slice);
		if (sig == SIGTERM || sig == SIGINT) {
			log_kv(LOG_INFO, "stopping", NULL);
			return;
		}
		if (sig == SIGHUP)
			reload(m);
		reap(m, false);
		tick(m);
	}
}

int
master_run(const char *config_path, const struct feature *features)
{
	struct master m = { .path = config_path, .features = features, .listen_fd = -1 };
	enum log_level lvl;
	sigset_t set;

	log_set_role("master");
	config_errors_as_log(true);
	if (config_load(config_path, features, &m.cfg) != RC_OK)
		return 1;
	save_running(m.cfg);
	if (log_level_parse(m.cfg->log_level, &lvl))
		log_set_level(lvl);
	/* Signals wait in the mask for sigtimedwait; children unblock them. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || metrics_init() != RC_OK) {
		config_free(m.cfg);
		return 1;
	}
	m.listen_fd = open_listen(&m);
	if (m.listen_fd >= 0 && !listen_scope_ok(&m, m.listen_fd)) {
		if (m.listen_fd != STDIN_FILENO)
			close(m.listen_fd);
		m.listen_fd = -1;
	}
	if (m.listen_fd < 0) {
		config_free(m.cfg);
		return 1;
	}
	log_kv(LOG_INFO, "started", "config", config_path, NULL);
	features_master_start(&m);
	spawn_generation(&m);
	supervise(&m);
	shutdown_children(&m);
	features_master_stop(&m);
	close(m.listen_fd);
	if (m.unix_path[0] != '\0')
		unlink(m.unix_path);
	log_kv(LOG_INFO, "stopped", NULL);
	config_free(m.cfg);
	return 0;
}

/* test_store: one contract, run on the local backend and on a real
 * redis-server this test starts (127.0.0.1, a private port and folder,
 * stopped by PID); then the breaker and the fallback against a dead port. */
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/store.h"
#include "util/store_redis.h"

extern char **environ;

struct env {
	struct tmpdir dir;
	pid_t redis;          /* 0: not running */
	int port;
	char url[64];
};

static struct env E;

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A port nobody listens on now: the kernel's pick for port 0. */
static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* One redis-server on a free port, waited for until it answers PING (a
 * readiness wait, up to 30 s on a loaded machine) or exits (its port was
 * taken meanwhile: the caller tries another). */
static bool
redis_try_start(int want_port)
{
	char port[16], dir[256];
	char *argv[] = { "redis-server", "--bind", "127.0.0.1", "--port", port,
		"--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no",
		"--protected-mode", "yes", "--loglevel", "warning", NULL };
	struct store_conf conf = { 0 };
	struct store *s;

	if ((E.port = want_port != 0 ? want_port : free_port()) == 0)
		return false;
	snprintf(port, sizeof(port), "%d", E.port);
	tmpdir_path(&E.dir, "", dir, sizeof(dir));
	snprintf(E.url, sizeof(E.url), "redis://127.0.0.1:%d/3", E.port);
	if (posix_spawnp(&E.redis, "redis-server", NULL, NULL, argv, environ) != 0) {
		E.redis = 0;
		return false;
	}
	conf.url = E.url;
	conf.timeout_ms = 200;
	for (int i = 0; i < 600; i++) {
		bool up = false;
		sleep_ms(50);
		if (waitpid(E.redis, NULL, WNOHANG) == E.redis) {
			E.redis = 0;
			return false;
		}
		if (store_open(&conf, &s) == RC_OK) {
			up = store_ping(s) == RC_OK;
			store_close(s);
		}
		if (up)
			return true;
	}
	kill(E.redis, SIGKILL);
	waitpid(E.redis, NULL, 0);
	E.redis = 0;
	return false;
}

/* Starts redis-server; false (and E.redis 0) when it cannot. */
static bool
redis_start(void)
{
	for (int attempt = 0; attempt < 3; attempt++)
		if (redis_try_start(0))
			return true;
	return false;
}

/* The same server again, on the port its clients know. */
static bool
redis_restart(void)
{
	return redis_try_start(E.port);
}

static void
redis_stop(void)
{
	if (E.redis > 0) {
		kill(E.redis, SIGTERM);
		waitpid(E.redis, NULL, 0);
		E.redis = 0;
	}
}

static int
group_setup(void **state)
{
	(void)state;
	if (tmpdir_init(&E.dir, "store") != 0)
		return -1;
	if (!redis_start())
		fprintf(stderr, "# redis-server unavailable: Redis cases skip\n");
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	redis_stop();
	return tmpdir_fini(&E.dir);
}

/* A fresh handle per case: `local` or `redis`, with its own prefix. */
static int
open_backend(void **state, bool redis)
{
	static unsigned seq;
	static char prefix[64];
	char local[256];
	struct store_conf conf = { .timeout_ms = 200, .prefix = prefix };
	struct store *s;

	if (redis && E.redis == 0)
		return 0;
	snprintf(prefix, sizeof(prefix), "t%u:", ++seq);
	conf.local_dir = tmpdir_path(&E.dir, "local", local, sizeof(local));
	conf.url = redis ? E.url : NULL;
	if (store_open(&conf, &s) != RC_OK)
		return -1;
	*state = s;
	return 0;
}

static int setup_local(void **state) { return open_backend(state, false); }
static int setup_redis(void **state) { return open_backend(state, true); }

static int
teardown(void **state)
{
	store_close(*state);
	*state = NULL;
	return 0;
}

#define NEED_STORE(state) do { if (*(state) == NULL) skip(); } while (0)

static void
t_incr(void **state)
{
	struct store *s = *state;
	long long n = 0;

	NEED_STORE(state);
	assert_int_equal(store_incr(s, "c", 1, 60, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_incr(s, "c", 5, 60, &n), RC_OK);
	assert_int_equal(n, 6);
	assert_int_equal(store_incr(s, "d", -2, 0, &n), RC_OK);
	assert_int_equal(n, -2);
}

static void
t_incr_expires(void **state)
{
	struct store *s = *state;
	long long n = 0;

	NEED_STORE(state);
	assert_int_equal(store_incr(s, "short", 1, 1, &n), RC_OK);
	/* A second increment keeps the first expiry (a fixed window). */
	sleep_ms(600);
	assert_int_equal(store_incr(s, "short", 1, 1, &n), RC_OK);
	assert_int_equal(n, 2);
	sleep_ms(1100);
	assert_int_equal(store_incr(s, "short", 1, 1, &n), RC_OK);
	assert_int_equal(n, 1);
}

static void
t_once(void **state)
{
	struct store *s = *state;

	NEED_STORE(state);
	assert_int_equal(store_once(s, "state:a", 60), RC_OK);
	assert_int_equal(store_once(s, "state:a", 60), RC_FORBIDDEN);
	assert_int_equal(store_once(s, "state:b", 60), RC_OK);
	assert_int_equal(store_once(s, "state:forever", 0), RC_OK);
	assert_int_equal(store_once(s, "state:forever", 0), RC_FORBIDDEN);
	assert_int_equal(store_once(s, "state:t", 1), RC_OK);
	sleep_ms(1100);
	assert_int_equal(store_once(s, "state:t", 1), RC_OK);
}

static void
t_set_get_del(void **state)
{
	struct store *s = *state;
	char *v;
	size_t len;

	NEED_STORE(state);
	assert_int_equal(store_get(s, "kv", &v, &len), RC_NOTFOUND);
	assert_null(v);
	assert_int_equal(store_set(s, "kv", "a\0b", 3, 60), RC_OK);
	assert_int_equal(store_get(s, "kv", &v, &len), RC_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "a\0b", 3);
	free(v);
	assert_int_equal(store_set(s, "kv", "x", 1, 1), RC_OK);
	sleep_ms(1100);
	assert_int_equal(store_get(s, "kv", &v, &len), RC_NOTFOUND);
	assert_int_equal(store_set(s, "kv2", "y", 1, 0), RC_OK);
	assert_int_equal(store_del(s, "kv2"), RC_OK);
	assert_int_equal(store_get(s, "kv2", &v, &len), RC_NOTFOUND);
	assert_int_equal(store_del(s, "never"), RC_OK);
}

static void
t_lease(void **state)
{
	struct store *s = *state;
	bool held;

	NEED_STORE(state);
	assert_int_equal(store_lease(s, "lease", "node-a", 800, &held), RC_OK);
	assert_true(held);
	assert_int_equal(store_lease(s, "lease", "node-b", 800, &held), RC_OK);
	assert_false(held);
	assert_int_equal(store_lease(s, "lease", "node-a", 800, &held), RC_OK);
	assert_true(held);  /* renewed */
	assert_int_equal(store_lease_release(s, "lease", "node-b"), RC_OK);
	assert_int_equal(store_lease(s, "lease", "node-b", 800, &held), RC_OK);
	assert_false(held); /* b's release did not free a's lease */
	assert_int_equal(store_lease_release(s, "lease", "node-a"), RC_OK);
	assert_int_equal(store_lease(s, "lease", "node-b", 300, &held), RC_OK);
	assert_true(held);
	sleep_ms(450);
	assert_int_equal(store_lease(s, "lease", "node-a", 300, &held), RC_OK);
	assert_true(held);  /* b's lease expired */
}

/* Scripts: Redis runs them on prefixed keys; the local backend has none. */
static void
t_eval(void **state)
{
	static const char script[] =
		"redis.call('SET', KEYS[1], ARGV[1]) return redis.call('INCRBY', KEYS[2], ARGV[2])";
	const char *keys[] = { "ev:a", "ev:b" }, *args[] = { "v", "5" }, *nine[9] = { 0 };
	struct store *s = *state;
	long long out = -1;
	char *v;
	size_t len;

	NEED_STORE(state);
	if (!store_can_eval(s)) {
		assert_int_equal(store_eval(s, script, keys, 2, args, 2, &out), RC_INVALID);
		assert_int_equal(out, 0);
		return;
	}
	assert_int_equal(store_eval(s, script, keys, 2, args, 2, &out), RC_OK);
	assert_int_equal(out, 5);
	assert_int_equal(store_eval(s, script, keys, 2, args, 2, &out), RC_OK);
	assert_int_equal(out, 10);
	assert_int_equal(store_get(s, "ev:a", &v, &len), RC_OK);   /* the prefix went on */
	assert_string_equal(v, "v");
	free(v);
	/* Not an integer, too many keys: refused, no crash. */
	assert_int_equal(store_eval(s, "return 'x'", keys, 0, args, 0, &out), RC_INVALID);
	assert_int_equal(store_eval(s, script, nine, 9, args, 2, &out), RC_INVALID);
}

struct items {
	char v[8][16];
	size_t n;
};

static int
collect(void *arg, const char *value, size_t len)
{
	struct items *it = arg;

	assert_true(len < sizeof(it->v[0]));
	memcpy(it->v[it->n], value, len);
	it->v[it->n][len] = '\0';
	return ++it->n == 8;
}

static void
t_list(void **state)
{
	struct store *s = *state;
	struct items it = { .n = 0 };
	char v[8];

	NEED_STORE(state);
	for (int i = 1; i <= 5; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		assert_int_equal(store_push(s, "log", v, 3, 60), RC_OK);
	}
	assert_int_equal(store_range(s, "log", 10, collect, &it), RC_OK);
	assert_int_equal(it.n, 3);
	assert_string_equal(it.v[0], "v5");
	assert_string_equal(it.v[2], "v3");
	it.n = 0;
	assert_int_equal(store_range(s, "log", 2, collect, &it), RC_OK);
	assert_int_equal(it.n, 2);
	it.n = 0;
	assert_int_equal(store_range(s, "none", 2, collect, &it), RC_OK);
	assert_int_equal(it.n, 0);
}

struct fields {
	long long sum;
	int n;
};

static int
sum_fields(void *arg, const char *field, long long value)
{
	struct fields *f = arg;

	(void)field;
	f->sum += value;
	f->n++;
	return 0;
}

static void
t_hash(void **state)
{
	struct store *s = *state;
	struct fields f = { 0, 0 };
	long long n;

	NEED_STORE(state);
	assert_int_equal(store_hincr(s, "h", "x", 1, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_hincr(s, "h", "x", 2, &n), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_hincr(s, "h", "mastodon", 4, NULL), RC_OK);
	assert_int_equal(store_hgetall(s, "h", sum_fields, &f), RC_OK);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.sum, 7);
}

struct pairs {
	int n;
	char seen[64];
};

static int
collect_pairs(void *arg, const char *field, const char *value, size_t len)
{
	struct pairs *p = arg;

	p->n++;
	if (strcmp(field, "b") == 0 && len == 3)
		snprintf(p->seen, sizeof(p->seen), "%s", value);
	return 0;
}

/* String-valued hashes: set, overwrite, get, scan, delete, missing. */
static void
t_hash_strings(void **state)
{
	struct store *s = *state;
	struct pairs p = { 0, "" };
	char *v = NULL;
	size_t len = 0;

	NEED_STORE(state);
	assert_int_equal(store_hset(s, "hs", "a", "one", 3), RC_OK);
	assert_int_equal(store_hset(s, "hs", "b", "two", 3), RC_OK);
	assert_int_equal(store_hset(s, "hs", "b", "2\0x", 3), RC_OK);
	assert_int_equal(store_hget(s, "hs", "a", &v, &len), RC_OK);
	assert_string_equal(v, "one");
	assert_int_equal(len, 3);
	free(v);
	assert_int_equal(store_hget(s, "hs", "zz", &v, &len), RC_NOTFOUND);
	assert_null(v);
	assert_int_equal(store_hscan(s, "hs", collect_pairs, &p), RC_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.seen, "2");
	assert_int_equal(store_hdel(s, "hs", "a"), RC_OK);
	assert_int_equal(store_hdel(s, "hs", "a"), RC_OK);
	assert_int_equal(store_hget(s, "hs", "a", &v, &len), RC_NOTFOUND);
	assert_int_equal(store_del(s, "hs"), RC_OK);
	p.n = 0;
	assert_int_equal(store_hscan(s, "hs", collect_pairs, &p), RC_OK);
	assert_int_equal(p.n, 0);
}

static void
t_key_too_long(void **state)
{
	struct store *s = *state;
	char key[STORE_KEY_MAX + 8];
	long long n;

	NEED_STORE(state);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(store_incr(s, key, 1, 0, &n), RC_LIMIT);
}

/* Two handles (two workers, or two nodes on one Redis) see one state. */
static void
t_shared_between_handles(void **state)
{
	struct store *a = *state, *b;
	struct store_conf conf = { .timeout_ms = 200, .prefix = "shared:" };
	char local[256];
	long long n;

	NEED_STORE(state);
	conf.local_dir = tmpdir_path(&E.dir, "local", local, sizeof(local));
	conf.url = store_is_shared(a) ? E.url : NULL;
	assert_int_equal(store_open(&conf, &b), RC_OK);
	store_close(a);
	assert_int_equal(store_open(&conf, &a), RC_OK);
	*state = a;
	assert_int_equal(store_once(a, "st", 60), RC_OK);
	assert_int_equal(store_once(b, "st", 60), RC_FORBIDDEN);
	assert_int_equal(store_incr(a, "n", 1, 60, &n), RC_OK);
	assert_int_equal(store_incr(b, "n", 1, 60, &n), RC_OK);
	assert_int_equal(n, 2);
	store_close(b);
}

/* Nobody listens: calls fail fast, the breaker opens and skips Redis,
 * single-use values go local only with fallback_local. */
static void
t_breaker_and_fallback(void **state)
{
	char local[256], url[64];
	struct store_conf conf = {
		.timeout_ms = 30, .breaker_failures = 2, .breaker_cooldown_ms = 300,
		.prefix = "b:",
	};
	struct store *s;
	struct timespec t0, t1;
	long long n;
	json_t *h;

	(void)state;
	/* The port of a server that was never started (ours + 1). */
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", 20000 + (int)((getpid() + 1) % 20000));
	conf.url = url;
	conf.local_dir = tmpdir_path(&E.dir, "fallback", local, sizeof(local));
	assert_int_equal(store_open(&conf, &s), RC_OK);
	assert_int_equal(store_state(s), STORE_FAILING);
	assert_int_equal(store_incr(s, "n", 1, 0, &n), RC_UNAVAILABLE);
	assert_int_equal(store_state(s), STORE_DOWN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(store_incr(s, "n", 1, 0, &n), RC_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Skipped calls never touch the network. */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 100);
	assert_int_equal(store_once(s, "st", 60), RC_UNAVAILABLE);
	assert_int_equal(store_ping(s), RC_UNAVAILABLE);
	h = store_health(s);
	assert_string_equal(json_string_value(json_object_get(h, "state")), "down");
	json_decref(h);
	store_close(s);

	conf.fallback_local = true;
	assert_int_equal(store_open(&conf, &s), RC_OK);
	assert_int_equal(store_once(s, "st", 60), RC_OK);
	assert_int_equal(store_once(s, "st", 60), RC_FORBIDDEN);
	assert_int_equal(store_ping(s), RC_OK);
	assert_int_equal(store_incr(s, "n", 1, 0, &n), RC_UNAVAILABLE); /* never local */
	store_close(s);
}

/* Redis stopped under a handle and started again: the breaker closes. */
static void
t_redis_restart(void **state)
{
	struct store_conf conf = {
		.timeout_ms = 50, .breaker_failures = 1, .breaker_cooldown_ms = 200,
	};
	struct store *s;
	long long n;

	(void)state;
	if (E.redis == 0)
		skip();
	conf.url = E.url;
	conf.prefix = "restart:";
	assert_int_equal(store_open(&conf, &s), RC_OK);
	assert_int_equal(store_state(s), STORE_UP);
	assert_int_equal(store_incr(s, "n", 1, 0, &n), RC_OK);
	redis_stop();
	assert_int_equal(store_incr(s, "n", 1, 0, &n), RC_UNAVAILABLE);
	assert_int_equal(store_state(s), STORE_DOWN);
	assert_true(redis_restart());
	sleep_ms(250);
	assert_int_equal(store_incr(s, "n", 1, 0, &n), RC_OK);
	assert_int_equal(n, 1); /* --save "": a fresh server */
	assert_int_equal(store_state(s), STORE_UP);
	store_close(s);
}

static void
t_url_check(void **state)
{
	static const struct { const char *url; bool ok; } cases[] = {
		{ "redis://127.0.0.1:6379/0", true }, { "redis://redis.internal", true },
		{ "redis://[::1]:6379/1", true }, { "unix:/run/redis/redis.sock", true },
		{ "rediss://redis.internal:6380/0", false }, { "redis://:pw@host:1/0", false },
		{ "redis://host:0/0", false }, { "redis://host:70000", false },
		{ "redis://host:1/16", false }, { "unix:relative.sock", false },
		{ "http://host/", false }, { "", false },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = store_redis_url_ok(cases[i].url, err, sizeof(err));
		if (ok != cases[i].ok)
			fail_msg("%s: expected %d, got %d (%s)", cases[i].url, cases[i].ok, ok, err);
	}
}

#define BOTH(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_local, teardown), \
	cmocka_unit_test_setup_teardown(fn, setup_redis, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(t_incr), BOTH(t_incr_expires), BOTH(t_once), BOTH(t_set_get_del),
		BOTH(t_lease), BOTH(t_list), BOTH(t_hash), BOTH(t_hash_strings), BOTH(t_key_too_long),
		BOTH(t_shared_between_handles), BOTH(t_eval),
		cmocka_unit_test(t_breaker_and_fallback),
		cmocka_unit_test(t_url_check),
		cmocka_unit_test(t_redis_restart),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

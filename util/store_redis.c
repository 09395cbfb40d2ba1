/* store_redis: the store interface on Redis (hiredis, blocking, short timeouts). */
#include "util/store_redis.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "util/log.h"

#define REDIS_HOST_MAX 256
#define REDIS_PIPE_MAX 4

/* Takes or renews a lease in one step: free or ours -> (re)set, else 0. */
static const char lease_lua[] =
	"local v = redis.call('GET', KEYS[1]) "
	"if v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 "
	"elseif v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end "
	"return 0";
static const char release_lua[] =
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
	"return 0";

/* Where the server is: a TCP host and port, or a unix socket path. */
struct redis_addr {
	char host[REDIS_HOST_MAX];
	int port;                 /* 0: host is a socket path */
	long db;
};

struct store_backend {
	redisContext *c;          /* NULL until connected, and after a failure */
	struct redis_addr addr;
	char *password;
	struct timeval tv;
};

/* One command: its words and their lengths (EVAL script n keys args). */
#define REDIS_ARGV_MAX (3 + STORE_EVAL_KEYS_MAX + STORE_EVAL_ARGS_MAX)
struct redis_cmd {
	int argc;
	const char *argv[REDIS_ARGV_MAX];
	size_t len[REDIS_ARGV_MAX];
};

static bool
parse_tcp(const char *rest, struct redis_addr *a, char *err, size_t n)
{
	const char *colon = strrchr(rest, ':');
	const char *slash = strchr(rest, '/');
	size_t hlen;
	char *end;
	long port;

	const char *close = *rest == '[' ? strchr(rest, ']') : NULL;
	const char *host = close != NULL ? rest + 1 : rest;

	/* [v6]:port: the colon to look at is the one after the bracket. */
	if (close != NULL)
		colon = close[1] == ':' ? close + 1 : NULL;
	if (slash != NULL && colon != NULL && colon > slash)
		colon = NULL;
	hlen = close != NULL ? (size_t)(close - host) : colon != NULL ? (size_t)(colon - rest)
	    : slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (hlen == 0 || hlen >= sizeof(a->host) || memchr(host, '@', hlen) != NULL ||
	    (*rest == '[' && close == NULL)) {
		snprintf(err, n, "expected redis://HOST:PORT/DB (the password goes in password_file)");
		return false;
	}
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	a->port = 6379;
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || end == colon + 1 || port < 1 || port > 65535 ||
		    (*end != '\0' && *end != '/')) {
			snprintf(err, n, "the port must be 1-65535");
			return false;
		}
		a->port = (int)port;
	}
	if (slash != NULL && slash[1] != '\0') {
		errno = 0;
		a->db = strtol(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || a->db < 0 || a->db > 15) {
			snprintf(err, n, "the database must be a number 0-15");
			return false;
		}
	}
	return true;
}

static bool
parse_url(const char *url, struct redis_addr *a, char *err, size_t n)
{
	memset(a, 0, sizeof(*a));
	if (url == NULL || *url == '\0') {
		snprintf(err, n, "no URL");
		return false;
	}
	if (strncmp(url, "unix:", 5) == 0) {
		if (url[5] != '/' || strlen(url + 5) >= sizeof(a->host)) {
			snprintf(err, n, "expected unix:/ABSOLUTE/PATH");
			return false;
		}
		memcpy(a->host, url + 5, strlen(url + 5) + 1);
		return true;
	}
	if (strncmp(url, "rediss://", 9) == 0) {
		snprintf(err, n, "rediss:// needs hiredis with TLS (1.0 or later, not Debian 12's); "
		    "put a TLS tunnel on this host and use redis://127.0.0.1:PORT or unix:PATH");
		return false;
	}
	if (strncmp(url, "redis://", 8) != 0) {
		snprintf(err, n, "expected redis://HOST:PORT/DB or unix:/PATH");
		return false;
	}
	return parse_tcp(url + 8, a, err, n);
}

bool
store_redis_url_ok(const char *url, char *err, size_t n)
{
	struct redis_addr a;

	return parse_url(url, &a, err, n);
}

static void
drop(struct store_backend *b, const char *op, const char *why)
{
	log_kv(LOG_WARN, "store_redis_error", "op", op, "error", why, NULL);
	if (b->c != NULL)
		redisFree(b->c);
	b->c = NULL;
}

/* Sends cmds[0..n) in one round trip and reads every reply into out[]. */
static enum rc
pipeline(struct store_backend *b, const char *op, const struct redis_cmd *cmds, int n,
    redisReply **out);

/* Connects, authenticates and selects the database, all within tv. */
static enum rc
connect_now(struct store_backend *b)
{
	struct redis_cmd cmds[2];
	redisReply *r[2] = { NULL, NULL };
	char db[24];
	int n = 0;
	enum rc rc;

	b->c = b->addr.port == 0 ? redisConnectUnixWithTimeout(b->addr.host, b->tv)
	    : redisConnectWithTimeout(b->addr.host, b->addr.port, b->tv);
	if (b->c == NULL || b->c->err) {
		drop(b, "connect", b->c != NULL ? b->c->errstr : "out of memory");
		return RC_UNAVAILABLE;
	}
	if (redisSetTimeout(b->c, b->tv) != REDIS_OK) {
		drop(b, "connect", "cannot set the timeout");
		return RC_UNAVAILABLE;
	}
	if (b->password != NULL)
		cmds[n++] = (struct redis_cmd){ 2, { "AUTH", b->password },
			{ 4, strlen(b->password) } };
	if (b->addr.db != 0) {
		snprintf(db, sizeof(db), "%ld", b->addr.db);
		cmds[n++] = (struct redis_cmd){ 2, { "SELECT", db }, { 6, strlen(db) } };
	}
	if (n == 0)
		return RC_OK;
	rc = pipeline(b, "connect", cmds, n, r);
	for (int i = 0; i < n; i++)
		freeReplyObject(r[i]);
	return rc;
}

static enum rc
pipeline(struct store_backend *b, const char *op, const struct redis_cmd *cmds, int n,
    redisReply **out)
{
	void *reply;
	int i;

	if (b->c == NULL && connect_now(b) != RC_OK)
		return RC_UNAVAILABLE;
	for (i = 0; i < n; i++) {
		out[i] = NULL;
		/* hiredis 0.14 takes char ** though it only reads the words. */
		if (redisAppendCommandArgv(b->c, cmds[i].argc, (const char **)(uintptr_t)cmds[i].argv,
		    cmds[i].len) != REDIS_OK)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (redisGetReply(b->c, &reply) != REDIS_OK)
			goto fail;
		out[i] = reply;
	}
	for (i = 0; i < n; i++) {
		if (out[i]->type == REDIS_REPLY_ERROR) {
			/* The server answered: the connection stays. */
			log_kv(LOG_ERROR, "store_redis_error", "op", op, "error", out[i]->str, NULL);
			for (int j = 0; j < n; j++)
				freeReplyObject(out[j]), out[j] = NULL;
			return RC_UNAVAILABLE;
		}
	}
	return RC_OK;
fail:
	for (int j = 0; j < n; j++)
		if (out[j] != NULL)
			freeReplyObject(out[j]), out[j] = NULL;
	drop(b, op, b->c->errstr[0] != '\0' ? b->c->errstr : "no reply");
	return RC_UNAVAILABLE;
}

static enum rc pipeline_retry(struct store_backend *b, const char *op,
    const struct redis_cmd *cmds, int n, redisReply **out);

/* One command, one reply (caller frees). */
static enum rc
command(struct store_backend *b, const char *op, const struct redis_cmd *cmd,
    redisReply **out)
{
	return pipeline_retry(b, op, cmd, 1, out);
}

/*
 * pipeline, tried once more on a new connection when it failed on one
 * that had been idle: a restarted server (or a proxy that timed the
 * connection out) closes it without our knowing, and the first call after
 * would fail although Redis is fine. A command the old server never read
 * cannot have run; one that ran but lost its reply runs twice (a counter
 * one too high), which a restart makes rare.
 */
static enum rc
pipeline_retry(struct store_backend *b, const char *op, const struct redis_cmd *cmds,
    int n, redisReply **out)
{
	bool reused = b->c != NULL;
	enum rc rc = pipeline(b, op, cmds, n, out);

	if (rc == RC_UNAVAILABLE && reused && b->c == NULL)
		rc = pipeline(b, op, cmds, n, out);
	return rc;
}

static enum rc
redis_open(const struct store_conf *conf, struct store_backend **out)
{
	struct store_backend *b;
	char err[256];

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return RC_NOMEM;
	if (!parse_url(conf->url, &b->addr, err, sizeof(err))) {
		log_kv(LOG_ERROR, "store_redis_url", "error", err, NULL);
		free(b);
		return RC_CONFIG;
	}
	b->tv.tv_sec = conf->timeout_ms / 1000;
	b->tv.tv_usec = (conf->timeout_ms % 1000) * 1000;
	if (conf->password != NULL && (b->password = strdup(conf->password)) == NULL) {
		free(b);
		return RC_NOMEM;
	}
	*out = b;
	return RC_OK;
}

static void
redis_close(struct store_backend *b)
{
	if (b == NULL)
		return;
	if (b->c != NULL)
		redisFree(b->c);
	if (b->password != NULL) {
		explicit_bzero(b->password, strlen(b->password));
		free(b->password);
	}
	free(b);
}

static enum rc
redis_ping(struct store_backend *b)
{
	struct redis_cmd c = { 1, { "PING" }, { 4 } };
	redisReply *r;
	enum rc rc = command(b, "ping", &c, &r);

	if (rc == RC_OK)
		freeReplyObject(r);
	return rc;
}

static enum rc
redis_incr(struct store_backend *b, const char *key, long long by, long ttl_s,
    long long *out)
{
	char nb[24], tb[24];
	struct redis_cmd c[2] = {
		{ 3, { "INCRBY", key, nb }, { 6, strlen(key), 0 } },
		/* NX: a key that exists keeps its expiry (Redis 7). */
		{ 4, { "EXPIRE", key, tb, "NX" }, { 6, strlen(key), 0, 2 } },
	};
	redisReply *r[2];
	enum rc rc;

	c[0].len[2] = (size_t)snprintf(nb, sizeof(nb), "%lld", by);
	c[1].len[2] = (size_t)snprintf(tb, sizeof(tb), "%ld", ttl_s);
	rc = pipeline_retry(b, "incr", c, ttl_s > 0 ? 2 : 1, r);
	if (rc != RC_OK)
		return rc;
	*out = r[0]->integer;
	freeReplyObject(r[0]);
	if (ttl_s > 0)
		freeReplyObject(r[1]);
	return RC_OK;
}

static enum rc
redis_once(struct store_backend *b, const char *key, long ttl_s)
{
	char tb[24];
	struct redis_cmd c = { 6, { "SET", key, "1", "NX", "EX", tb },
		{ 3, strlen(key), 1, 2, 2, 0 } };
	redisReply *r;
	enum rc rc;

	c.len[5] = (size_t)snprintf(tb, sizeof(tb), "%ld", ttl_s);
	if (ttl_s <= 0)
		c.argc = 4; /* no EX: claimed for good */
	rc = command(b, "once", &c, &r);
	if (rc != RC_OK)
		return rc;
	rc = r->type == REDIS_REPLY_NIL ? RC_FORBIDDEN : RC_OK;
	freeReplyObject(r);
	return rc;
}

static enum rc
redis_set(struct store_backend *b, const char *key, const void *v, size_t len, long ttl_s)
{
	char tb[24];
	struct redis_cmd c = { 5, { "SET", key, v, "EX", tb }, { 3, strlen(key), len, 2, 0 } };
	redisReply *r;
	enum rc rc;

	c.len[4] = (size_t)snprintf(tb, sizeof(tb), "%ld", ttl_s);
	if (ttl_s <= 0)
		c.argc = 3;
	rc = command(b, "set", &c, &r);
	if (rc == RC_OK)
		freeReplyObject(r);
	return rc;
}

/* One command whose reply is a string (GET, HGET): a malloc'd,
 * NUL-terminated copy; RC_NOTFOUND for nil. */
static enum rc
string_reply(struct store_backend *b, const char *op, const struct redis_cmd *c, char **v,
    size_t *len)
{
	redisReply *r;
	enum rc rc = command(b, op, c, &r);

	*v = NULL;
	*len = 0;
	if (rc != RC_OK)
		return rc;
	if (r->type != REDIS_REPLY_STRING) {
		rc = RC_NOTFOUND;
	} else if ((*v = malloc(r->len + 1)) == NULL) {
		rc = RC_NOMEM;
	} else {
		memcpy(*v, r->str, r->len);
		(*v)[r->len] = '\0';
		*len = r->len;
	}
	freeReplyObject(r);
	return rc;
}

static enum rc
redis_get(struct store_backend *b, const char *key, char **v, size_t *len)
{
	struct redis_cmd c = { 2, { "GET", key }, { 3, strlen(key) } };

	return string_reply(b, "get", &c, v, len);
}

static enum rc
redis_del(struct store_backend *b, const char *key)
{
	struct redis_cmd c = { 2, { "DEL", key }, { 3, strlen(key) } };
	redisReply *r;
	enum rc rc = command(b, "del", &c, &r);

	if (rc == RC_OK)
		freeReplyObject(r);
	return rc;
}

static enum rc
redis_lease(struct store_backend *b, const char *key, const char *holder, long ttl_ms,
    bool *held)
{
	char tb[24];
	struct redis_cmd c = { 6, { "EVAL", lease_lua, "1", key, holder, tb },
		{ 4, sizeof(lease_lua) - 1, 1, strlen(key), strlen(holder), 0 } };
	redisReply *r;
	enum rc rc;

	*held = false;
	c.len[5] = (size_t)snprintf(tb, sizeof(tb), "%ld", ttl_ms > 0 ? ttl_ms : 1);
	rc = command(b, "lease", &c, &r);
	if (rc != RC_OK)
		return rc;
	*held = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	freeReplyObject(r);
	return RC_OK;
}

static enum rc
redis_release(struct store_backend *b, const char *key, const char *holder)
{
	struct redis_cmd c = { 5, { "EVAL", release_lua, "1", key, holder },
		{ 4, sizeof(release_lua) - 1, 1, strlen(key), strlen(holder) } };
	redisReply *r;
	enum rc rc = command(b, "release", &c, &r);

	if (rc == RC_OK)
		freeReplyObject(r);
	return rc;
}

static enum rc
redis_push(struct store_backend *b, const char *key, const char *v, size_t max, long ttl_s)
{
	char mb[24], tb[24];
	struct redis_cmd c[3] = {
		{ 3, { "LPUSH", key, v }, { 5, strlen(key), strlen(v) } },
		{ 4, { "LTRIM", key, "0", mb }, { 5, strlen(key), 1, 0 } },
		{ 3, { "EXPIRE", key, tb }, { 6, strlen(key), 0 } },
	};
	redisReply *r[3];
	int n = ttl_s > 0 ? 3 : 2;
	enum rc rc;

	c[1].len[3] = (size_t)snprintf(mb, sizeof(mb), "%zu", max > 0 ? max - 1 : 0);
	c[2].len[2] = (size_t)snprintf(tb, sizeof(tb), "%ld", ttl_s);
	rc = pipeline_retry(b, "push", c, n, r);
	if (rc == RC_OK)
		for (int i = 0; i < n; i++)
			freeReplyObject(r[i]);
	return rc;
}

static enum rc
redis_range(struct store_backend *b, const char *key, size_t max, store_item_fn fn,
    void *arg)
{
	char mb[24];
	struct redis_cmd c = { 4, { "LRANGE", key, "0", mb }, { 6, strlen(key), 1, 0 } };
	redisReply *r;
	enum rc rc;

	if (max == 0)
		return RC_OK;
	c.len[3] = (size_t)snprintf(mb, sizeof(mb), "%zu", max - 1);
	rc = command(b, "range", &c, &r);
	if (rc != RC_OK)
		return rc;
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    fn(arg, r->element[i]->str, r->element[i]->len) != 0)
			break;
	freeReplyObject(r);
	return RC_OK;
}

static enum rc
redis_hincr(struct store_backend *b, const char *key, const char *field, long long by,
    long long *out)
{
	char nb[24];
	struct redis_cmd c = { 4, { "HINCRBY", key, field, nb },
		{ 7, strlen(key), strlen(field), 0 } };
	redisReply *r;
	enum rc rc;

	c.len[3] = (size_t)snprintf(nb, sizeof(nb), "%lld", by);
	rc = command(b, "hincr", &c, &r);
	if (rc != RC_OK)
		return rc;
	if (out != NULL)
		*out = r->integer;
	freeReplyObject(r);
	return RC_OK;
}


static enum rc
redis_hset(struct store_backend *b, const char *key, const char *field, const char *v,
    size_t len)
{
	struct redis_cmd c = { 4, { "HSET", key, field, v }, { 4, strlen(key), strlen(field), len } };
	redisReply *r;
	enum rc rc = command(b, "hset", &c, &r);

	if (rc == RC_OK)
		freeReplyObject(r);
	return rc;
}

static enum rc
redis_hget(struct store_backend *b, const char *key, const char *field, char **v,
    size_t *len)
{
	struct redis_cmd c = { 3, { "HGET", key, field }, { 4, strlen(key), strlen(field) } };

	return string_reply(b, "hget", &c, v, len);
}

static enum rc
redis_hdel(struct store_backend *b, const char *key, const char *field)
{
	struct redis_cmd c = { 3, { "HDEL", key, field }, { 4, strlen(key), strlen(field) } };
	redisReply *r;
	enum rc rc = command(b, "hdel", &c, &r);

	if (rc == RC_OK)
		freeReplyObject(r);
	return rc;
}


/* HGETALL: fn with each field and its (string) value; non-zero stops. */
static enum rc
hash_each(struct store_backend *b, const char *op, const char *key, store_pair_fn fn,
    void *arg)
{
	struct redis_cmd c = { 2, { "HGETALL", key }, { 7, strlen(key) } };
	redisReply *r;
	enum rc rc = command(b, op, &c, &r);

	if (rc != RC_OK)
		return rc;
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
		redisReply *f = r->element[i], *v = r->element[i + 1];
		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
			continue;
		if (fn(arg, f->str, v->str, v->len) != 0)
			break;
	}
	freeReplyObject(r);
	return RC_OK;
}

struct int_fields {
	store_field_fn fn;
	void *arg;
};

static int
int_field(void *arg, const char *field, const char *value, size_t len)
{
	struct int_fields *f = arg;

	(void)len;
	return f->fn(f->arg, field, strtoll(value, NULL, 10));
}

static enum rc
redis_hgetall(struct store_backend *b, const char *key, store_field_fn fn, void *arg)
{
	struct int_fields f = { fn, arg };

	return hash_each(b, "hgetall", key, int_field, &f);
}

static enum rc
redis_hscan(struct store_backend *b, const char *key, store_pair_fn fn, void *arg)
{
	return hash_each(b, "hscan", key, fn, arg);
}

static enum rc
redis_eval(struct store_backend *b, const char *script, const char *const *keys,
    size_t nkeys, const char *const *args, size_t nargs, long long *out)
{
	struct redis_cmd c = { 0 };
	char nk[24];
	redisReply *r;
	enum rc rc;

	c.argv[c.argc] = "EVAL";
	c.len[c.argc++] = 4;
	c.argv[c.argc] = script;
	c.len[c.argc++] = strlen(script);
	c.len[c.argc] = (size_t)snprintf(nk, sizeof(nk), "%zu", nkeys);
	c.argv[c.argc++] = nk;
	for (size_t i = 0; i < nkeys; i++, c.argc++) {
		c.argv[c.argc] = keys[i];
		c.len[c.argc] = strlen(keys[i]);
	}
	for (size_t i = 0; i < nargs; i++, c.argc++) {
		c.argv[c.argc] = args[i];
		c.len[c.argc] = strlen(args[i]);
	}
	if ((rc = command(b, "eval", &c, &r)) != RC_OK)
		return rc;
	rc = r->type == REDIS_REPLY_INTEGER ? RC_OK : RC_INVALID;
	*out = rc == RC_OK ? r->integer : 0;
	freeReplyObject(r);
	return rc;
}

const struct store_ops store_redis_ops = {
	.name = "redis",
	.open = redis_open, .close = redis_close, .ping = redis_ping,
	.incr = redis_incr, .once = redis_once, .set = redis_set, .get = redis_get,
	.del = redis_del, .lease = redis_lease, .release = redis_release,
	.push = redis_push, .range = redis_range,
	.hincr = redis_hincr, .hgetall = redis_hgetall, .eval = redis_eval,
	.hset = redis_hset, .hget = redis_hget, .hdel = redis_hdel, .hscan = redis_hscan,
};

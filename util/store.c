/* store: prefixes keys, guards Redis with a circuit breaker, falls back. */
#include "util/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/store_local.h"
#include "util/store_redis.h"
#include "util/time.h"

#define STORE_PREFIX_MAX 64

struct store {
	struct store_conf conf;
	char *url, *password, *local_dir;  /* conf's strings, owned */
	char prefix[STORE_PREFIX_MAX];
	const struct store_ops *ops;       /* Redis, or local when no URL */
	struct store_backend *b;
	const struct store_ops *local_ops; /* the fallback, opened on first use */
	struct store_backend *local;
	long failures;                     /* in a row */
	long long open_until_ms;           /* breaker open until (monotonic) */
	bool ever_up;
	unsigned long long calls_failed, calls_skipped, fallbacks;
};

static enum rc breaker_note(struct store *s, enum rc rc);

static char *
dup_or_null(const char *s, bool *nomem)
{
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*nomem = true;
	return d;
}

enum rc
store_open(const struct store_conf *conf, struct store **out)
{
	struct store *s = calloc(1, sizeof(*s));
	bool nomem = false;
	enum rc rc;

	*out = NULL;
	if (s == NULL)
		return RC_NOMEM;
	s->conf = *conf;
	s->conf.url = s->url = dup_or_null(conf->url, &nomem);
	s->conf.password = s->password = dup_or_null(conf->password, &nomem);
	s->conf.local_dir = s->local_dir = dup_or_null(conf->local_dir, &nomem);
	snprintf(s->prefix, sizeof(s->prefix), "%s", conf->prefix != NULL ? conf->prefix : "");
	s->conf.prefix = s->prefix;
	if (s->conf.timeout_ms <= 0)
		s->conf.timeout_ms = 50;
	if (s->conf.breaker_failures <= 0)
		s->conf.breaker_failures = 3;
	if (s->conf.breaker_cooldown_ms <= 0)
		s->conf.breaker_cooldown_ms = 2000;
	s->ops = s->url != NULL ? &store_redis_ops : &store_local_ops;
	s->local_ops = &store_local_ops;
	rc = nomem ? RC_NOMEM : s->ops->open(&s->conf, &s->b);
	if (rc != RC_OK) {
		store_close(s);
		return rc;
	}
	/* Connect now, so /healthz tells the truth from the first request. */
	if (store_is_shared(s))
		breaker_note(s, s->ops->ping(s->b));
	*out = s;
	return RC_OK;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->b != NULL)
		s->ops->close(s->b);
	if (s->local != NULL)
		s->local_ops->close(s->local);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->url);
	free(s->local_dir);
	free(s);
}

bool
store_is_shared(const struct store *s)
{
	return s != NULL && s->url != NULL;
}

enum store_state
store_state(const struct store *s)
{
	if (!store_is_shared(s))
		return STORE_LOCAL;
	if (s->open_until_ms > time_mono_ms())
		return STORE_DOWN;
	return s->failures == 0 && s->ever_up ? STORE_UP : STORE_FAILING;
}

const char *
store_state_str(enum store_state st)
{
	static const char *const names[] = {
		[STORE_LOCAL] = "local", [STORE_UP] = "up",
		[STORE_FAILING] = "failing", [STORE_DOWN] = "down",
	};

	return (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/* prefix + key into out; RC_LIMIT when it does not fit. */
static enum rc
full_key(const struct store *s, const char *key, char out[STORE_KEY_MAX])
{
	int n = snprintf(out, STORE_KEY_MAX, "%s%s", s->prefix, key);

	return n >= 0 && n < STORE_KEY_MAX ? RC_OK : RC_LIMIT;
}

/* Whether a Redis call may go now: the breaker is closed, or its
 * cool-down is over (then this call is the probe). */
static bool
breaker_allows(struct store *s)
{
	if (!store_is_shared(s) || s->open_until_ms == 0)
		return true;
	if (s->open_until_ms > time_mono_ms()) {
		s->calls_skipped++;
		return false;
	}
	return true;
}

/* Counts the outcome of a Redis call: RC_UNAVAILABLE is a failure; the
 * breaker opens at the threshold and logs the change once. */
static enum rc
breaker_note(struct store *s, enum rc rc)
{
	char nb[24];

	if (!store_is_shared(s))
		return rc;
	if (rc != RC_UNAVAILABLE) {
		if (s->open_until_ms != 0 || (s->failures > 0 && s->ever_up))
			log_kv(LOG_INFO, "store_up", "backend", "redis", NULL);
		s->failures = 0;
		s->open_until_ms = 0;
		s->ever_up = true;
		return rc;
	}
	s->calls_failed++;
	if (++s->failures >= s->conf.breaker_failures) {
		if (s->open_until_ms == 0)
			log_kv(LOG_WARN, "store_down", "backend", "redis", "failures",
			    log_int(nb, s->failures), NULL);
		s->open_until_ms = time_mono_ms() + s->conf.breaker_cooldown_ms;
	}
	return rc;
}

/* The local backend for a fallback, opened on first use; NULL when
 * there is none (logged where it failed). */
static struct store_backend *
fallback(struct store *s, const char *op)
{
	if (!s->conf.fallback_local || !store_is_shared(s))
		return NULL;
	if (s->local == NULL && s->local_ops->open(&s->conf, &s->local) != RC_OK)
		return NULL;
	if (s->fallbacks++ == 0 || s->open_until_ms == 0)
		log_kv(LOG_WARN, "store_fallback_local", "op", op,
		    "note", "Redis is down: this node decides alone", NULL);
	return s->local;
}

/* Whether to call the primary backend now; false: the breaker skips it. */
#define STORE_CALL(s, call) \
	(breaker_allows(s) ? breaker_note((s), (s)->ops->call) : RC_UNAVAILABLE)

enum rc
store_ping(struct store *s)
{
	enum rc rc = STORE_CALL(s, ping(s->b));

	if (rc == RC_UNAVAILABLE && fallback(s, "ping") != NULL)
		return RC_OK;
	return rc;
}

enum rc
store_incr(struct store *s, const char *key, long long by, long ttl_s, long long *out)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, incr(s->b, k, by, ttl_s, out));
}

enum rc
store_once(struct store *s, const char *key, long ttl_s)
{
	char k[STORE_KEY_MAX];
	struct store_backend *lb;
	enum rc rc = full_key(s, key, k);

	if (rc != RC_OK)
		return rc;
	rc = STORE_CALL(s, once(s->b, k, ttl_s));
	if (rc == RC_UNAVAILABLE && (lb = fallback(s, "once")) != NULL)
		rc = s->local_ops->once(lb, k, ttl_s);
	return rc;
}

enum rc
store_set(struct store *s, const char *key, const void *value, size_t len, long ttl_s)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	if (rc == RC_OK && len > STORE_BLOB_MAX)
		rc = RC_TOOBIG;
	return rc != RC_OK ? rc : STORE_CALL(s, set(s->b, k, value, len, ttl_s));
}

enum rc
store_get(struct store *s, const char *key, char **value, size_t *len)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	*value = NULL;
	*len = 0;
	return rc != RC_OK ? rc : STORE_CALL(s, get(s->b, k, value, len));
}

enum rc
store_del(struct store *s, const char *key)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, del(s->b, k));
}

enum rc
store_lease(struct store *s, const char *key, const char *holder, long ttl_ms, bool *held)
{
	char k[STORE_KEY_MAX];
	struct store_backend *lb;
	enum rc rc = full_key(s, key, k);

	*held = false;
	if (rc != RC_OK)
		return rc;
	rc = STORE_CALL(s, lease(s->b, k, holder, ttl_ms, held));
	if (rc == RC_UNAVAILABLE && (lb = fallback(s, "lease")) != NULL)
		rc = s->local_ops->lease(lb, k, holder, ttl_ms, held);
	return rc;
}

enum rc
store_lease_release(struct store *s, const char *key, const char *holder)
{
	char k[STORE_KEY_MAX];
	struct store_backend *lb;
	enum rc rc = full_key(s, key, k);

	if (rc != RC_OK)
		return rc;
	rc = STORE_CALL(s, release(s->b, k, holder));
	if (rc == RC_UNAVAILABLE && (lb = fallback(s, "release")) != NULL)
		rc = s->local_ops->release(lb, k, holder);
	return rc;
}

enum rc
store_push(struct store *s, const char *key, const char *value, size_t max, long ttl_s)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	if (rc == RC_OK && strlen(value) > STORE_VALUE_MAX)
		rc = RC_TOOBIG;
	return rc != RC_OK ? rc : STORE_CALL(s, push(s->b, k, value, max, ttl_s));
}

enum rc
store_range(struct store *s, const char *key, size_t max, store_item_fn fn, void *arg)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, range(s->b, k, max, fn, arg));
}

enum rc
store_hincr(struct store *s, const char *key, const char *field, long long by,
    long long *out)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, hincr(s->b, k, field, by, out));
}

enum rc
store_hgetall(struct store *s, const char *key, store_field_fn fn, void *arg)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, hgetall(s->b, k, fn, arg));
}

enum rc
store_hset(struct store *s, const char *key, const char *field, const char *value,
    size_t len)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	if (rc == RC_OK && len > STORE_VALUE_MAX)
		rc = RC_TOOBIG;
	return rc != RC_OK ? rc : STORE_CALL(s, hset(s->b, k, field, value, len));
}

enum rc
store_hget(struct store *s, const char *key, const char *field, char **value, size_t *len)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	*value = NULL;
	*len = 0;
	return rc != RC_OK ? rc : STORE_CALL(s, hget(s->b, k, field, value, len));
}

enum rc
store_hdel(struct store *s, const char *key, const char *field)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, hdel(s->b, k, field));
}

enum rc
store_hscan(struct store *s, const char *key, store_pair_fn fn, void *arg)
{
	char k[STORE_KEY_MAX];
	enum rc rc = full_key(s, key, k);

	return rc != RC_OK ? rc : STORE_CALL(s, hscan(s->b, k, fn, arg));
}

bool
store_can_eval(const struct store *s)
{
	return s != NULL && s->ops->eval != NULL;
}

enum rc
store_eval(struct store *s, const char *script, const char *const *keys, size_t nkeys,
    const char *const *args, size_t nargs, long long *out)
{
	char k[STORE_EVAL_KEYS_MAX][STORE_KEY_MAX];
	const char *kp[STORE_EVAL_KEYS_MAX];
	enum rc rc = RC_OK;

	*out = 0;
	if (!store_can_eval(s) || nkeys > STORE_EVAL_KEYS_MAX || nargs > STORE_EVAL_ARGS_MAX)
		return RC_INVALID;
	for (size_t i = 0; i < nkeys && rc == RC_OK; i++) {
		rc = full_key(s, keys[i], k[i]);
		kp[i] = k[i];
	}
	return rc != RC_OK ? rc : STORE_CALL(s, eval(s->b, script, kp, nkeys, args, nargs, out));
}

json_t *
store_health(const struct store *s)
{
	if (s == NULL)
		return json_pack("{s:s}", "state", "off");
	return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I}",
	    "state", store_state_str(store_state(s)),
	    "backend", s->ops->name,
	    "fallback_local", s->conf.fallback_local,
	    "failures_in_a_row", (json_int_t)s->failures,
	    "calls_failed", (json_int_t)s->calls_failed,
	    "calls_skipped", (json_int_t)s->calls_skipped,
	    "fallbacks", (json_int_t)s->fallbacks);
}

/* store_ops: what a store backend implements (util/store.c dispatches). */
#ifndef SOCIALHUB_UTIL_STORE_OPS_H
#define SOCIALHUB_UTIL_STORE_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"

#define STORE_KEY_MAX 512         /* prefix + key */
#define STORE_VALUE_MAX (64u * 1024)  /* a list entry */
/* A value of store_set: a source's shared fetch result holds its parsed
 * items (widgets/streams/refresh_share.h), which can reach megabytes. */
#define STORE_BLOB_MAX (16u * 1024 * 1024)

/* The `store { }` section, and where the local backend keeps its file. */
struct store_conf {
	const char *url;          /* redis://H:P/DB, unix:PATH; NULL: local only */
	const char *password;     /* AUTH, or NULL */
	const char *prefix;       /* put in front of every key */
	const char *local_dir;    /* the local backend's folder (state_dir) */
	bool fallback_local;      /* single-use values and leases go local when down */
	long timeout_ms;          /* connect and each call */
	long breaker_failures;    /* failures in a row that open the breaker */
	long breaker_cooldown_ms; /* how long Redis is then skipped */
	long queue_max;           /* for callers that queue writes while down */
};

/* Callbacks of store_range and store_hgetall; a non-zero return stops. */
typedef int (*store_item_fn)(void *arg, const char *value, size_t len);
typedef int (*store_field_fn)(void *arg, const char *field, long long value);
typedef int (*store_pair_fn)(void *arg, const char *field, const char *value, size_t len);

struct store_backend;

/*
 * One backend. Keys arrive prefixed. Every member returns RC_OK, the
 * documented refusal (RC_FORBIDDEN, RC_NOTFOUND), or RC_UNAVAILABLE when
 * the backend failed (logged by the backend, once per failure).
 */
struct store_ops {
	const char *name;
	enum rc (*open)(const struct store_conf *conf, struct store_backend **out);
	void (*close)(struct store_backend *b);
	enum rc (*ping)(struct store_backend *b);
	enum rc (*incr)(struct store_backend *b, const char *key, long long by, long ttl_s,
	    long long *out);
	enum rc (*once)(struct store_backend *b, const char *key, long ttl_s);
	enum rc (*set)(struct store_backend *b, const char *key, const void *v, size_t len,
	    long ttl_s);
	enum rc (*get)(struct store_backend *b, const char *key, char **v, size_t *len);
	enum rc (*del)(struct store_backend *b, const char *key);
	enum rc (*lease)(struct store_backend *b, const char *key, const char *holder,
	    long ttl_ms, bool *held);
	enum rc (*release)(struct store_backend *b, const char *key, const char *holder);
	enum rc (*push)(struct store_backend *b, const char *key, const char *v, size_t max,
	    long ttl_s);
	enum rc (*range)(struct store_backend *b, const char *key, size_t max,
	    store_item_fn fn, void *arg);
	enum rc (*hincr)(struct store_backend *b, const char *key, const char *field,
	    long long by, long long *out);
	enum rc (*hgetall)(struct store_backend *b, const char *key, store_field_fn fn,
	    void *arg);
	/* Hashes of string values (a separate family from hincr's). */
	enum rc (*hset)(struct store_backend *b, const char *key, const char *field,
	    const char *v, size_t len);
	enum rc (*hget)(struct store_backend *b, const char *key, const char *field,
	    char **v, size_t *len);
	enum rc (*hdel)(struct store_backend *b, const char *key, const char *field);
	enum rc (*hscan)(struct store_backend *b, const char *key, store_pair_fn fn,
	    void *arg);
	/* Optional (NULL: not offered): runs a server-side script on keys
	 * (prefixed) and args; *out its integer answer. */
	enum rc (*eval)(struct store_backend *b, const char *script, const char *const *keys,
	    size_t nkeys, const char *const *args, size_t nargs, long long *out);
};

#define STORE_EVAL_KEYS_MAX 8
#define STORE_EVAL_ARGS_MAX 8

#endif

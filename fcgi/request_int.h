/* request_int: how the worker builds a request; not for handlers. */
#ifndef SOCIALHUB_FCGI_REQUEST_INT_H
#define SOCIALHUB_FCGI_REQUEST_INT_H

#include <sys/types.h>

#include "fcgi/request.h"

#define REQUEST_CAPTURES_MAX 4

struct kv {
	const char *name;
	const char *value;
};

struct kvset {
	struct kv *items;
	size_t n;
	size_t max;          /* 0: REQUEST_PARAMS_MAX */
};

/* Reads up to n body bytes into p; returns bytes read, 0 at end, -1 on error. */
typedef ssize_t (*request_reader)(void *arg, char *p, size_t n);

typedef enum rc (*request_identify_fn)(void *ctx, struct request *req,
    struct identity *out);

/*
 * Whether other requests wait behind this one, asked of the listening
 * socket only when a handler wants to know (request_busy): a poll() per
 * request is a tenth of a small request's system calls. The worker owns
 * it; `asked_busy` tells it a handler may have left work for idle time.
 */
struct request_busy_probe {
	int listen_fd;       /* -1: never busy (CGI, tests) */
	int state;           /* -1 not asked yet, 0 idle, 1 busy */
	bool asked_busy;     /* a handler was told "busy" */
	/* The worker's: when a poll last said "busy" (CLOCK_MONOTONIC, ns;
	 * 0 never), or NULL. Within REQUEST_BUSY_KEEP_NS of that the answer
	 * stands without a poll: under load, one poll per millisecond instead
	 * of one per new visitor's share. */
	long long *busy_at;
};

#define REQUEST_BUSY_KEEP_NS 1000000LL
/* CLOCK_MONOTONIC in nanoseconds, the clock of busy_at (0: unreadable). */
long long request_busy_clock(void);
/* True when busy_at (0: never) is within REQUEST_BUSY_KEEP_NS before now:
 * the load that made a poll say "busy" is taken to go on. */
bool request_busy_kept(long long busy_at, long long now);

struct request {
	struct arena *arena;
	const struct config *cfg;
	char **env;
	enum http_method method;
	const char *method_name;
	const char *path;
	bool subrequest;              /* an nginx subrequest (SSI): see raw_path */
	const char *captures[REQUEST_CAPTURES_MAX];
	size_t ncaptures;
	struct kvset query;
	struct kvset form;
	struct kvset cookies;
	struct param_value *values;   /* one per row of the route's table */
	size_t nvalues;
	/* The declared parameter that router_params refused, and why ("missing",
	 * "not valid", "too long"), for the 400's body; NULL otherwise. */
	const char *bad_param, *bad_why;
	size_t content_length;
	request_reader reader;
	void *reader_arg;
	request_identify_fn identify;
	void *identify_ctx;
	bool identity_done;
	bool has_identity;
	struct request_busy_probe *busy;  /* NULL: never busy */
	struct identity identity;
};

/*
 * Fills req from the CGI/FastCGI environment: method, path below the mount
 * prefix, query and cookies (decoded, with the SPEC limits). Returns
 * RC_HDR_TOOBIG (431), RC_TOOBIG (413) or RC_INVALID (400) for bad input,
 * RC_NOTFOUND when the path is outside the mount prefix.
 */
enum rc request_init(struct request *req, struct arena *a,
    const struct config *cfg, char **env, request_reader reader, void *arg);

/* Reads and parses an x-www-form-urlencoded body (max 64 KiB). */
enum rc request_read_form(struct request *req);

/* Parses "a=1&b=2" into set (decoded, '+' as space); RC_INVALID if bad. */
enum rc request_parse_pairs(struct arena *a, const char *s, size_t n,
    struct kvset *set);
/* Parses a Cookie header; malformed pairs are skipped, not fatal. */
enum rc request_parse_cookies(struct arena *a, const char *s, struct kvset *set);

#endif

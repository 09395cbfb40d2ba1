/* mastodon_reg: who may register a new Mastodon app, and when (the slot,
 * the per-client limit, the caps, the expiry of unused registrations). */
#include "oauth/oauth_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/attempts.h"
#include "util/domain.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/netprefix.h"
#include "util/store.h"
#include "util/url.h"

#define APPS_MAX 1000     /* registrations kept in state_dir */
#define APPS_PER_DOMAIN 5 /* ... under one registrable domain */
#define CLIENT_WINDOW 600 /* a client network may start */
#define CLIENT_MAX 5      /* ... 5 registrations in 10 minutes */
#define BUSY_RETRY 5      /* Retry-After while the slot is taken */
#define FULL_RETRY 600    /* ... while a cap is reached */
#define APP_FILE_MAX (16u * 1024)
#define SLOT_KEY "oauth:mastodon:slot"
#define SLOT_LEASE_MS (MASTODON_REG_BUDGET_MS + 2000)
#define HOLDER_MAX 96

/* What a sweep of the registrations folder found. */
struct reg_census {
	size_t total;
	size_t same_domain;
};

/* The folder of the registrations (state_dir/oauth/mastodon). */
const char *
mastodon_reg_dir(struct oauth_ctx *ctx, struct arena *a)
{
	return arena_printf(a, "%s/mastodon", ctx->oauth_dir);
}

/* This worker, as the holder of the cluster's registration lease. */
static void
holder_of(char out[HOLDER_MAX])
{
	char host[64] = "node";

	gethostname(host, sizeof(host) - 1);
	snprintf(out, HOLDER_MAX, "%s:%ld", host, (long)getpid());
}

/*
 * With a shared store, the slot is also the cluster's: a lease (expiring
 * after the registration budget, so a node that dies mid-registration
 * frees it) that one worker of one node holds. RC_UNAVAILABLE while
 * another holds it, or while the store is down (login refuses then
 * anyway: flow.c).
 */
static enum rc
cluster_slot(struct oauth_ctx *ctx, struct mastodon_query *q)
{
	char holder[HOLDER_MAX];
	bool held = false;
	enum rc rc;

	holder_of(holder);
	rc = store_lease(ctx->store, SLOT_KEY, holder, SLOT_LEASE_MS, &held);
	if (rc != RC_OK || !held) {
		q->retry_after = BUSY_RETRY;
		return RC_UNAVAILABLE;
	}
	return RC_OK;
}

/*
 * Takes the one registration slot of the whole pool (every worker, every
 * generation): an exclusive, non-blocking flock on a fixed file. The kernel
 * drops it when the holder exits, so a killed worker cannot wedge it, and
 * no file is left per attempt; with a store, the cluster's lease too.
 * RC_UNAVAILABLE when another worker (or node) holds it.
 */
enum rc
mastodon_reg_begin(struct oauth_ctx *ctx, struct arena *a, struct mastodon_query *q, int *slot)
{
	const char *dir = mastodon_reg_dir(ctx, a);
	const char *path = arena_printf(a, "%s/register.slot", dir);
	int fd;

	*slot = -1;
	if (dir == NULL || path == NULL)
		return RC_NOMEM;
	if (fsutil_mkdirs(dir, 0700) != RC_OK)
		return RC_UNAVAILABLE;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_kv(LOG_ERROR, "mastodon_slot_open_failed", "path", path, "error", strerror(errno), NULL);
		return RC_UNAVAILABLE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		q->retry_after = BUSY_RETRY;
		return RC_UNAVAILABLE;
	}
	if (ctx->store != NULL && cluster_slot(ctx, q) != RC_OK) {
		close(fd);
		return RC_UNAVAILABLE;
	}
	*slot = fd;
	return RC_OK;
}

/* Gives the slot back (closing the descriptor drops the flock; the lease
 * is released). */
void
mastodon_reg_end(struct oauth_ctx *ctx, int slot)
{
	char holder[HOLDER_MAX];

	if (slot < 0)
		return;
	if (ctx->store != NULL) {
		holder_of(holder);
		store_lease_release(ctx->store, SLOT_KEY, holder);
	}
	close(slot);
}

/* ---- the caps in the shared store ---- */

static void
cap_key(char *out, size_t n, const char *domain)
{
	snprintf(out, n, "oauth:mastodon:regs:%s", domain != NULL ? domain : "*");
}

/* How many registrations the key counts now (0 when none). */
static long long
cap_read(struct oauth_ctx *ctx, const char *domain, enum rc *rc)
{
	char k[STORE_KEY_MAX / 2];
	long long n = 0;

	cap_key(k, sizeof(k), domain);
	*rc = store_incr(ctx->store, k, 0, MASTODON_APP_PENDING_TTL, &n);
	return n;
}

/*
 * The caps for every node at once: registrations made in the cluster
 * within a window of MASTODON_APP_PENDING_TTL (counters that start with
 * the window's first registration and expire with it), per registrable
 * domain and in all. A node's files alone would let each node register
 * APPS_PER_DOMAIN per domain. RC_LIMIT, RC_UNAVAILABLE when the store is
 * down.
 */
static enum rc
shared_caps(struct oauth_ctx *ctx, const char *domain, long long *count)
{
	enum rc rc, rc2;
	long long same = cap_read(ctx, domain, &rc), all = cap_read(ctx, NULL, &rc2);

	if (rc != RC_OK || rc2 != RC_OK)
		return RC_UNAVAILABLE;
	*count = all >= APPS_MAX ? all : same;
	return same >= APPS_PER_DOMAIN || all >= APPS_MAX ? RC_LIMIT : RC_OK;
}

void
mastodon_reg_made(struct oauth_ctx *ctx, const char *host)
{
	char k[STORE_KEY_MAX / 2];
	long long n;

	if (ctx->store == NULL)
		return;
	if (ctx->psl == NULL)
		ctx->psl = domain_psl_new();
	cap_key(k, sizeof(k), domain_registrable(ctx->psl, host));
	store_incr(ctx->store, k, 1, MASTODON_APP_PENDING_TTL, &n);
	cap_key(k, sizeof(k), NULL);
	store_incr(ctx->store, k, 1, MASTODON_APP_PENDING_TTL, &n);
}

static bool
has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && strcmp(s + len - n, suffix) == 0;
}

/* A registration nobody has signed in with yet: no last_login. */
static bool
app_unused(const char *path)
{
	char *data;
	size_t len;
	json_t *j;
	bool unused;

	if (fsutil_read(path, APP_FILE_MAX, &data, &len) != RC_OK)
		return true;
	j = json_loadb(data, len, 0, NULL);
	OPENSSL_cleanse(data, len);
	free(data);
	unused = json_integer_value(json_object_get(j, "last_login")) <= 0;
	json_decref(j);
	return unused;
}

/*
 * True when the registration in `path` (last touched at mtime) has expired:
 * never used for a sign-in and idle past MASTODON_APP_PENDING_TTL (longer
 * than a login attempt lives, so a login in progress keeps it), or idle
 * past MASTODON_APP_IDLE_TTL even though used. An expired app costs a new
 * registration on the next login, nothing more.
 */
static bool
app_expired(const char *path, time_t mtime, time_t now)
{
	time_t idle = now - mtime;

	if (idle > MASTODON_APP_IDLE_TTL)
		return true;
	return idle > MASTODON_APP_PENDING_TTL && app_unused(path);
}

/* Removes expired registrations and leftover per-host lock files (older
 * releases made one per attempt); counts the rest. */
static void
reg_sweep(struct oauth_ctx *ctx, struct arena *a, const char *dir, const char *domain,
    struct reg_census *c)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = ctx->now();
	char host[URL_HOST_MAX + 8];

	c->total = c->same_domain = 0;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *path;
		struct stat st;

		if (!has_suffix(de->d_name, len, ".json") && !has_suffix(de->d_name, len, ".lock"))
			continue;
		path = arena_printf(a, "%s/%s", dir, de->d_name);
		if (path == NULL || lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (has_suffix(de->d_name, len, ".lock") || app_expired(path, st.st_mtime, now)) {
			if (unlink(path) == 0 && has_suffix(de->d_name, len, ".json"))
				log_kv(LOG_INFO, "mastodon_app_expired", "file", de->d_name, NULL);
			continue;
		}
		c->total++;
		if (len - 5 < sizeof(host)) {
			memcpy(host, de->d_name, len - 5);
			host[len - 5] = '\0';
			c->same_domain += strcmp(domain_registrable(ctx->psl, host), domain) == 0;
		}
	}
	closedir(d);
}

/* The newest CLIENT_MAX attempt times of one client network. */
struct client_log {
	long long when[CLIENT_MAX];
	size_t n;
};

static int
client_log_add(void *arg, const char *value, size_t len)
{
	struct client_log *l = arg;

	(void)len;
	l->when[l->n++] = strtoll(value, NULL, 10);
	return l->n == CLIENT_MAX;
}

/*
 * The per-client-network limit in the shared store: a list of the
 * network's last CLIENT_MAX attempt times (the attempts log of util/
 * attempts.c, for every node). Read and push are two calls, so two nodes
 * at the same instant may both admit the last attempt: the limit is off
 * by at most one per node. A store outage does not lock anyone out.
 */
static enum rc
client_take_shared(struct oauth_ctx *ctx, struct mastodon_query *q,
    const unsigned char key[NETPREFIX_LEN])
{
	static const char hx[] = "0123456789abcdef";
	struct client_log l = { .n = 0 };
	char k[64], now_s[24];
	time_t now = ctx->now();
	size_t at = (size_t)snprintf(k, sizeof(k), "oauth:mastodon:client:");
	enum rc rc;

	for (size_t i = 0; i < NETPREFIX_LEN && at + 2 < sizeof(k); i++) {
		k[at++] = hx[key[i] >> 4];
		k[at++] = hx[key[i] & 15];
	}
	k[at] = '\0';
	rc = store_range(ctx->store, k, CLIENT_MAX, client_log_add, &l);
	if (rc == RC_OK && l.n == CLIENT_MAX && l.when[CLIENT_MAX - 1] > now - CLIENT_WINDOW) {
		q->retry_after = (long)(l.when[CLIENT_MAX - 1] + CLIENT_WINDOW - now);
		return RC_RATELIMIT;
	}
	snprintf(now_s, sizeof(now_s), "%lld", (long long)now);
	if (rc == RC_OK)
		rc = store_push(ctx->store, k, now_s, CLIENT_MAX, CLIENT_WINDOW);
	return rc == RC_OK ? RC_OK : RC_IO;
}

/* The per-client-network limit, in a log shared by the workers (under the
 * slot, so its read-modify-write is serialized). */
static enum rc
client_take(struct oauth_ctx *ctx, struct arena *a, struct mastodon_query *q)
{
	struct attempts_rule rule = {
		.path = arena_printf(a, "%s/mastodon/clients.attempts", ctx->oauth_dir),
		.window = CLIENT_WINDOW,
		.max = CLIENT_MAX,
	};
	unsigned char key[NETPREFIX_LEN];
	enum rc rc;

	if (rule.path == NULL)
		return RC_NOMEM;
	/* No usable address (CGI by hand): one shared key, still limited. */
	netprefix_client(q->client, key);
	rc = ctx->store != NULL ? client_take_shared(ctx, q, key)
	    : attempts_take(&rule, key, ctx->now(), &q->retry_after);
	if (rc == RC_RATELIMIT)
		log_kv(LOG_WARN, "mastodon_register_rate_limited", "client", q->client,
		    "instance", q->host, NULL);
	else if (rc != RC_OK)
		log_kv(LOG_ERROR, "mastodon_attempts_write_failed", "path", rule.path, NULL);
	return rc == RC_RATELIMIT ? rc : RC_OK; /* a disk error does not lock out */
}

/*
 * Whether the new registration q->host may go (the caller holds the slot):
 * expired registrations are swept first; then at most APPS_PER_DOMAIN per
 * registrable domain and APPS_MAX in all (RC_LIMIT), and CLIENT_MAX per
 * client network in CLIENT_WINDOW (RC_RATELIMIT). Instances the admin
 * lists by name skip the caps and the client limit. q->retry_after is set
 * on refusals.
 */
enum rc
mastodon_reg_admit(struct oauth_ctx *ctx, struct arena *a, const struct provider *p,
    struct mastodon_query *q)
{
	const char *dir = mastodon_reg_dir(ctx, a);
	struct reg_census c;
	const char *domain;
	char nbuf[24];
	long long count;
	enum rc rc;

	if (dir == NULL)
		return RC_NOMEM;
	if (ctx->psl == NULL)
		ctx->psl = domain_psl_new(); /* once per process, on first use */
	domain = domain_registrable(ctx->psl, q->host);
	reg_sweep(ctx, a, dir, domain, &c);
	if (mastodon_listed(p, q->host))
		return RC_OK;
	count = (long long)(c.total >= APPS_MAX ? c.total : c.same_domain);
	rc = c.same_domain >= APPS_PER_DOMAIN || c.total >= APPS_MAX ? RC_LIMIT : RC_OK;
	if (rc == RC_OK && ctx->store != NULL)
		rc = shared_caps(ctx, domain, &count);
	if (rc == RC_LIMIT) {
		log_kv(LOG_WARN, "mastodon_apps_full", "instance", q->host, "domain", domain,
		    "count", log_int(nbuf, count), NULL);
		q->retry_after = FULL_RETRY;
		return RC_LIMIT;
	}
	if (rc != RC_OK) {
		q->retry_after = BUSY_RETRY;
		return rc;
	}
	return client_take(ctx, a, q);
}

/* share_remote: share counting as a few atomic store calls, queued while down. */
#include "widgets/share/share_remote.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/metrics.h"
#include "util/crypto.h"
#include "util/log.h"

/* Visitor keys live as long as the SQLite store keeps them: today and
 * yesterday. */
#define REMOTE_DAY_TTL (2 * 86400)
#define REMOTE_KEY_MAX 96

/* One count that waits for the store: `claimed` once its seen key is
 * taken (a replay must not find it "seen"). */
struct pending {
	char *key, *network;
	struct share_visitor v;
	long day;
	bool claimed;
};

struct share_remote {
	struct store *st;
	struct share_limits lim;
	struct pending *q;      /* ring of cap entries */
	size_t cap, head, n;
};

enum rc
share_remote_new(struct store *st, const struct share_limits *lim, size_t queue_max,
    struct share_remote **out)
{
	struct share_remote *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return RC_NOMEM;
	r->st = st;
	r->lim = *lim;
	r->cap = queue_max;
	if (queue_max > 0 && (r->q = calloc(queue_max, sizeof(*r->q))) == NULL) {
		free(r);
		return RC_NOMEM;
	}
	*out = r;
	return RC_OK;
}

static void
pending_fini(struct pending *p)
{
	free(p->key);
	free(p->network);
	memset(p, 0, sizeof(*p));
}

void
share_remote_free(struct share_remote *r)
{
	char nb[24];

	if (r == NULL)
		return;
	if (r->n > 0)
		log_kv(LOG_WARN, "share_queue_lost", "counts", log_int(nb, (long long)r->n), NULL);
	for (size_t i = 0; i < r->n; i++)
		pending_fini(&r->q[(r->head + i) % r->cap]);
	free(r->q);
	free(r);
}

size_t
share_remote_queued(const struct share_remote *r)
{
	return r != NULL ? r->n : 0;
}

static void
queue_metric(const char *event)
{
	char labels[48];

	snprintf(labels, sizeof(labels), "event=\"%s\"", event);
	metrics_add("socialhub_share_queue_total", labels, 1);
}

/* "share:KIND:" and the hex of 16 bytes. */
static void
hex_key(char out[REMOTE_KEY_MAX], const char *kind, const unsigned char *b, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	int at = snprintf(out, REMOTE_KEY_MAX, "share:%s:", kind);

	for (size_t i = 0; i < n && at + 2 < REMOTE_KEY_MAX; i++) {
		out[at++] = hx[b[i] >> 4];
		out[at++] = hx[b[i] & 15];
	}
	out[at] = '\0';
}

/* The counters of one URL: a hash named by the SHA-256 of its key, so a
 * long URL makes a short key. */
static void
counter_key(char out[REMOTE_KEY_MAX], const char *key)
{
	unsigned char sum[CRYPTO_SHA256_LEN];

	crypto_sha256(key, strlen(key), sum);
	hex_key(out, "c", sum, 16);
}

struct census {
	const char *network;
	bool url_known, exists;
};

static int
census_field(void *arg, const char *field, long long value)
{
	struct census *c = arg;

	(void)value;
	c->url_known = true;
	if (strcmp(field, c->network) == 0)
		c->exists = true;
	return 0;
}

/* Increments k and says whether the result passed max. */
static enum rc
incr_over(struct share_remote *r, const char *k, long ttl, long max, bool *over)
{
	long long n = 0;
	enum rc rc = store_incr(r->st, k, 1, ttl, &n);

	*over = rc == RC_OK && n > max;
	return rc;
}

/* A counter that does not exist yet: may it be made? (new_urls_daily for
 * a URL nobody counted, then max_counters). */
static enum rc
new_counter_ok(struct share_remote *r, const struct pending *p, const struct census *c,
    enum share_outcome *out)
{
	char k[REMOTE_KEY_MAX];
	bool over = false;
	enum rc rc = RC_OK;

	if (!c->url_known) {
		hex_key(k, "n", p->v.net, SHARE_VISITOR_LEN);
		rc = incr_over(r, k, REMOTE_DAY_TTL, r->lim.new_urls_daily, &over);
		if (rc != RC_OK || over)
			return *out = SHARE_NEW_URL_LIMIT, rc;
	}
	rc = incr_over(r, "share:counters", 0, r->lim.max_counters, &over);
	if (rc == RC_OK && over)
		*out = SHARE_FULL;
	return rc;
}

/*
 * count_steps in one round trip, atomically (Redis runs the script alone):
 * the same keys, the same order, the same outcomes (enum share_outcome's
 * numbers). KEYS: seen, day, url, counter, net, counters; ARGV: network,
 * ttl, max_daily, per_url_daily, new_urls_daily, max_counters.
 */
static const char count_lua[] =
	"local ttl = tonumber(ARGV[2]) "
	"local function incr(k, t) local n = redis.call('INCR', k) "
	"if t > 0 and n == 1 then redis.call('EXPIRE', k, t) end return n end "
	"if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ttl) then return 1 end "
	"if incr(KEYS[2], ttl) > tonumber(ARGV[3]) then return 4 end "
	"if incr(KEYS[3], ttl) > tonumber(ARGV[4]) then return 2 end "
	"if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then "
	"if redis.call('EXISTS', KEYS[4]) == 0 and incr(KEYS[5], ttl) > tonumber(ARGV[5]) "
	"then return 3 end "
	"if incr(KEYS[6], 0) > tonumber(ARGV[6]) then return 4 end end "
	"redis.call('HINCRBY', KEYS[4], ARGV[1], 1) return 0";

static enum rc
count_script(struct share_remote *r, const struct pending *p, enum share_outcome *out)
{
	char seen[REMOTE_KEY_MAX], day[40], url[REMOTE_KEY_MAX], ctr[REMOTE_KEY_MAX],
	    net[REMOTE_KEY_MAX], ttl[24], md[24], pu[24], nu[24], mc[24];
	const char *keys[] = { seen, day, url, ctr, net, "share:counters" };
	const char *args[] = { p->network, ttl, md, pu, nu, mc };
	long long o = 0;
	enum rc rc;

	hex_key(seen, "s", p->v.seen, SHARE_VISITOR_LEN);
	snprintf(day, sizeof(day), "share:d:%ld", p->day);
	hex_key(url, "u", p->v.url, SHARE_VISITOR_LEN);
	counter_key(ctr, p->key);
	hex_key(net, "n", p->v.net, SHARE_VISITOR_LEN);
	snprintf(ttl, sizeof(ttl), "%d", REMOTE_DAY_TTL);
	snprintf(md, sizeof(md), "%ld", r->lim.max_daily);
	snprintf(pu, sizeof(pu), "%ld", r->lim.per_url_daily);
	snprintf(nu, sizeof(nu), "%ld", r->lim.new_urls_daily);
	snprintf(mc, sizeof(mc), "%ld", r->lim.max_counters);
	rc = store_eval(r->st, count_lua, keys, 6, args, 6, &o);
	*out = rc == RC_OK && o >= SHARE_COUNTED && o <= SHARE_FULL ?
	    (enum share_outcome)o : SHARE_SEEN;
	return rc == RC_INVALID ? RC_IO : rc;
}

/* One count, step by step; RC_UNAVAILABLE leaves p as far as it got. */
static enum rc
count_steps(struct share_remote *r, struct pending *p, enum share_outcome *out)
{
	char k[REMOTE_KEY_MAX], day[40];
	struct census c = { .network = p->network };
	bool over = false;
	enum rc rc;

	*out = SHARE_SEEN;
	if (!p->claimed) {
		hex_key(k, "s", p->v.seen, SHARE_VISITOR_LEN);
		rc = store_once(r->st, k, REMOTE_DAY_TTL);
		if (rc == RC_FORBIDDEN)
			return RC_OK;
		if (rc != RC_OK)
			return rc;
		p->claimed = true;
		/* Claimed keys of the day, as the SQLite store's max_daily. */
		snprintf(day, sizeof(day), "share:d:%ld", p->day);
		rc = incr_over(r, day, REMOTE_DAY_TTL, r->lim.max_daily, &over);
		if (rc != RC_OK || over)
			return *out = SHARE_FULL, rc;
	}
	hex_key(k, "u", p->v.url, SHARE_VISITOR_LEN);
	rc = incr_over(r, k, REMOTE_DAY_TTL, r->lim.per_url_daily, &over);
	if (rc != RC_OK || over)
		return *out = SHARE_CAPPED, rc;
	counter_key(k, p->key);
	rc = store_hgetall(r->st, k, census_field, &c);
	if (rc == RC_OK && !c.exists)
		rc = new_counter_ok(r, p, &c, out);
	if (rc != RC_OK || *out == SHARE_NEW_URL_LIMIT || *out == SHARE_FULL)
		return rc;
	rc = store_hincr(r->st, k, p->network, 1, NULL);
	if (rc == RC_OK)
		*out = SHARE_COUNTED;
	return rc;
}

/* One count: one round trip when the store runs scripts (Redis), else
 * (the local backend, a count half done before an outage) step by step. */
static enum rc
count_one(struct share_remote *r, struct pending *p, enum share_outcome *out)
{
	if (!p->claimed && store_can_eval(r->st))
		return count_script(r, p, out);
	return count_steps(r, p, out);
}

/* The metric of a count's outcome, as share.c counts direct ones. */
static void
outcome_metric(const struct pending *p, enum share_outcome o)
{
	char labels[64];

	if (o == SHARE_COUNTED) {
		snprintf(labels, sizeof(labels), "network=\"%s\"", p->network);
		metrics_add("socialhub_shares_total", labels, 1);
	} else if (o != SHARE_SEEN) {
		snprintf(labels, sizeof(labels), "reason=\"%s\"", share_outcome_str(o));
		metrics_add("socialhub_share_refused_total", labels, 1);
	}
}

/* Replays queued counts in order while the store answers. */
static void
flush(struct share_remote *r)
{
	enum share_outcome o;
	char nb[24], nl[24];
	size_t done = 0;

	while (r->n > 0 && store_state(r->st) != STORE_DOWN) {
		struct pending *p = &r->q[r->head];
		if (count_one(r, p, &o) != RC_OK)
			break;
		outcome_metric(p, o);
		queue_metric("flushed");
		pending_fini(p);
		r->head = (r->head + 1) % r->cap;
		r->n--;
		done++;
	}
	if (done > 0)
		log_kv(LOG_INFO, "share_queue_flushed", "counts", log_int(nb, (long long)done),
		    "left", log_int(nl, (long long)r->n), NULL);
}

static enum rc
enqueue(struct share_remote *r, const struct pending *p, bool *queued)
{
	struct pending *slot;

	*queued = false;
	if (r->n == r->cap) {
		queue_metric("dropped");
		return RC_UNAVAILABLE;
	}
	slot = &r->q[(r->head + r->n) % r->cap];
	*slot = *p;
	slot->key = strdup(p->key);
	slot->network = strdup(p->network);
	if (slot->key == NULL || slot->network == NULL) {
		pending_fini(slot);
		return RC_NOMEM;
	}
	r->n++;
	*queued = true;
	queue_metric("queued");
	return RC_OK;
}

enum rc
share_remote_count(struct share_remote *r, const char *key, const char *network,
    const struct share_visitor *v, long day, enum share_outcome *out, bool *queued)
{
	struct pending p = { .key = (char *)(uintptr_t)key, .network = (char *)(uintptr_t)network,
		.v = *v, .day = day };
	enum rc rc = RC_UNAVAILABLE;

	*out = SHARE_SEEN;
	*queued = false;
	flush(r);
	/* Behind a queue, a count waits its turn (the order of the caps). */
	if (r->n == 0 && store_state(r->st) != STORE_DOWN)
		rc = count_one(r, &p, out);
	if (rc == RC_UNAVAILABLE)
		return enqueue(r, &p, queued);
	if (rc == RC_OK)
		outcome_metric(&p, *out);
	return rc;
}

struct tally {
	json_t *networks;
	long long total;
	bool nomem;
};

static int
tally_field(void *arg, const char *field, long long value)
{
	struct tally *t = arg;

	if (json_object_set_new(t->networks, field, json_integer(value)) != 0) {
		t->nomem = true;
		return 1;
	}
	t->total += value;
	return 0;
}

enum rc
share_remote_counts(struct share_remote *r, const char *key, json_t *networks,
    long long *total)
{
	char k[REMOTE_KEY_MAX];
	struct tally t = { .networks = networks };
	enum rc rc;

	flush(r);
	counter_key(k, key);
	rc = store_hgetall(r->st, k, tally_field, &t);
	*total = t.total;
	if (rc == RC_OK && t.nomem)
		rc = RC_NOMEM;
	return rc;
}

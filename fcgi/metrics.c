/* metrics: lock-free counters in one MAP_SHARED segment, open addressing. */
#include "fcgi/metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Room for the request series and ~10 series per configured feed source
 * for a few hundred sources; a full table drops new series silently. */
#define METRICS_SLOTS 8192
#define METRICS_KEY_MAX 232

enum slot_state { SLOT_EMPTY, SLOT_CLAIMED, SLOT_READY };
enum slot_kind { KIND_COUNTER, KIND_HISTOGRAM, KIND_SUM_US, KIND_GAUGE };

struct slot {
	_Atomic uint32_t state;
	uint32_t kind;
	_Atomic uint32_t hidden;   /* metrics_hide_unless: not rendered until set again */
	_Atomic uint64_t value;    /* counts; a gauge's double, bit for bit */
	char key[METRICS_KEY_MAX];
};

/* The segment is the process model's: mapped before fork, never freed. */
static struct slot *metrics_slots;

static const double latency_buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
/* Feed fetches are bounded by the fetch timeout (20 s). */
static const double fetch_buckets[] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20,
};

/* The histograms: unlabelled, fixed buckets. */
static const struct histogram {
	const char *name;
	const double *le;
	size_t n;
} histograms[] = {
	{ "socialhub_request_duration_seconds", latency_buckets,
	  sizeof(latency_buckets) / sizeof(latency_buckets[0]) },
	{ "socialhub_feed_fetch_duration_seconds", fetch_buckets,
	  sizeof(fetch_buckets) / sizeof(fetch_buckets[0]) },
};

/* HELP text by family; rendering falls back to a generic line. */
static const struct family_help {
	const char *name;
	const char *help;
} family_help[] = {
	{ "socialhub_requests_total", "Requests answered, by route and status class." },
	{ "socialhub_request_duration_seconds", "Time to answer a request." },
	{ "socialhub_logins_total", "Sign-on callbacks, by provider and result." },
	{ "socialhub_shares_total", "Shares counted, by network." },
	{ "socialhub_share_refused_total", "Share counts refused, by reason." },
	{ "socialhub_feed_fetches_total",
	  "Feed source fetches, by stream, source and result "
	  "(updated, unchanged, not-modified, failed, busy)." },
	{ "socialhub_feed_up", "1 when the source's last fetch succeeded, else 0." },
	{ "socialhub_feed_consecutive_failures", "Failed fetches of the source since its last success." },
	{ "socialhub_feed_last_success_timestamp_seconds",
	  "Unix time of the source's last successful fetch (0: never)." },
	{ "socialhub_feed_last_attempt_timestamp_seconds",
	  "Unix time of the source's last fetch attempt (0: never)." },
	{ "socialhub_feed_items", "Items the source holds (its last good fetch)." },
	{ "socialhub_feed_bytes", "Body bytes of the source's last 200 answer, decompressed." },
	{ "socialhub_feed_fetch_duration_seconds", "Time of a feed fetch, connect to last byte." },
	{ "socialhub_refresh_passes_total", "Refresher passes run." },
	{ "socialhub_refresh_pass_duration_seconds", "Wall time of the last refresher pass." },
	{ "socialhub_refresh_last_pass_timestamp_seconds", "Unix time the last refresher pass ended." },
	{ "socialhub_cache_bytes", "Bytes the cache directory holds (at the last eviction)." },
	{ "socialhub_cache_max_bytes", "The cache_max_size bound, in bytes." },
	{ "socialhub_connection_up", "1 when the connection holds a token that has not expired." },
	{ "socialhub_connection_expiry_timestamp_seconds",
	  "Unix time the connection's token expires; 0 when it does not say or never." },
	{ "socialhub_connection_last_refresh_timestamp_seconds",
	  "Unix time the connection's token was last obtained or renewed." },
	{ "socialhub_connection_refreshes_total", "Token renewals, by result." },
};

enum rc
metrics_init(void)
{
	void *p;

	if (metrics_slots != NULL)
		return RC_OK;
	p = mmap(NULL, sizeof(struct slot) * METRICS_SLOTS, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return RC_NOMEM;
	metrics_slots = p;
	return RC_OK;
}

static uint32_t
hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Finds or claims the slot for key; NULL when full or not initialised. */
static struct slot *
slot_for(const char *key, enum slot_kind kind)
{
	uint32_t h = hash_key(key);

	if (metrics_slots == NULL)
		return NULL;
	for (uint32_t i = 0; i < METRICS_SLOTS; i++) {
		struct slot *s = &metrics_slots[(h + i) % METRICS_SLOTS];
		uint32_t st = atomic_load(&s->state);
		if (st == SLOT_EMPTY) {
			uint32_t expect = SLOT_EMPTY;
			if (atomic_compare_exchange_strong(&s->state, &expect, SLOT_CLAIMED)) {
				snprintf(s->key, sizeof(s->key), "%s", key);
				s->kind = kind;
				atomic_store(&s->state, SLOT_READY);
				return s;
			}
			st = expect;
		}
		/* Another process is writing this slot's key: wait for it. */
		while (st == SLOT_CLAIMED)
			st = atomic_load(&s->state);
		if (strcmp(s->key, key) == 0)
			return s;
	}
	return NULL;
}

/* The slot of `name{labels}`, shown again if metrics_hide_unless hid it. */
static struct slot *
series(const char *name, const char *labels, enum slot_kind kind)
{
	char key[METRICS_KEY_MAX];
	struct slot *s;
	int n;

	if (labels != NULL && *labels != '\0')
		n = snprintf(key, sizeof(key), "%s{%s}", name, labels);
	else
		n = snprintf(key, sizeof(key), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	s = slot_for(key, kind);
	if (s != NULL)
		atomic_store(&s->hidden, 0);
	return s;
}

void
metrics_add(const char *name, const char *labels, uint64_t v)
{
	struct slot *s = series(name, labels, KIND_COUNTER);

	if (s != NULL)
		atomic_fetch_add(&s->value, v);
}

void
metrics_set(const char *name, const char *labels, double v)
{
	struct slot *s = series(name, labels, KIND_GAUGE);
	uint64_t bits;

	if (s == NULL)
		return;
	memcpy(&bits, &v, sizeof(bits));
	atomic_store(&s->value, bits);
}

static const struct histogram *
histogram_find(const char *name)
{
	for (size_t i = 0; i < sizeof(histograms) / sizeof(histograms[0]); i++)
		if (strcmp(histograms[i].name, name) == 0)
			return &histograms[i];
	return NULL;
}

void
metrics_observe(const char *name, double seconds)
{
	const struct histogram *h = histogram_find(name);
	char key[METRICS_KEY_MAX];
	struct slot *s;

	if (h == NULL || metrics_slots == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		if (seconds <= h->le[i]) {
			/* Stored per bucket; made cumulative when rendered. */
			snprintf(key, sizeof(key), "%s_bucket{le=\"%g\"}", name, h->le[i]);
			if ((s = slot_for(key, KIND_HISTOGRAM)) != NULL)
				atomic_fetch_add(&s->value, 1);
			break;
		}
	}
	snprintf(key, sizeof(key), "%s_count", name);
	if ((s = slot_for(key, KIND_HISTOGRAM)) != NULL)
		atomic_fetch_add(&s->value, 1);
	snprintf(key, sizeof(key), "%s_sum", name);
	if ((s = slot_for(key, KIND_SUM_US)) != NULL)
		atomic_fetch_add(&s->value, (uint64_t)(seconds * 1e6));
}

void
metrics_hide_unless(const char *prefix, bool (*keep)(const char *key, void *ctx), void *ctx)
{
	size_t n = strlen(prefix);

	if (metrics_slots == NULL)
		return;
	for (uint32_t i = 0; i < METRICS_SLOTS; i++) {
		struct slot *s = &metrics_slots[i];
		if (atomic_load(&s->state) == SLOT_READY && strncmp(s->key, prefix, n) == 0 &&
		    !keep(s->key, ctx))
			atomic_store(&s->hidden, 1);
	}
}

#define NBUCKETS (sizeof(latency_buckets) / sizeof(latency_buckets[0]))
#define ROUTE_CACHE 64

/*
 * Per-process shortcuts into the shared segment, so a request costs a few
 * atomic adds and no formatting. Route names are the route tables' string
 * literals, so their pointers identify them.
 */
static struct {
	const char *route;
	int cls;
	struct slot *slot;
} route_cache[ROUTE_CACHE];
static struct slot *bucket_slot[NBUCKETS];
static struct slot *count_slot, *sum_slot;

static struct slot *
request_slot(const char *route, int cls)
{
	char key[METRICS_KEY_MAX];
	size_t i;

	for (i = 0; i < ROUTE_CACHE && route_cache[i].route != NULL; i++)
		if (route_cache[i].route == route && route_cache[i].cls == cls)
			return route_cache[i].slot;
	snprintf(key, sizeof(key), "socialhub_requests_total{route=\"%s\",code=\"%dxx\"}",
	    route, cls);
	if (i == ROUTE_CACHE)
		return slot_for(key, KIND_COUNTER);
	route_cache[i].route = route;
	route_cache[i].cls = cls;
	route_cache[i].slot = slot_for(key, KIND_COUNTER);
	return route_cache[i].slot;
}

static struct slot *
bucket_for(size_t i)
{
	char key[METRICS_KEY_MAX];

	if (bucket_slot[i] == NULL) {
		/* Stored per bucket; made cumulative when rendered. */
		snprintf(key, sizeof(key), "socialhub_request_duration_seconds_bucket{le=\"%g\"}",
		    latency_buckets[i]);
		bucket_slot[i] = slot_for(key, KIND_HISTOGRAM);
	}
	return bucket_slot[i];
}

static void
slot_add(struct slot *s, uint64_t v)
{
	if (s != NULL)
		atomic_fetch_add(&s->value, v);
}

void
metrics_request(const char *route, int status, double seconds)
{
	if (metrics_slots == NULL)
		return;
	slot_add(request_slot(route, status / 100), 1);
	for (size_t i = 0; i < NBUCKETS; i++) {
		if (seconds <= latency_buckets[i]) {
			slot_add(bucket_for(i), 1);
			break;
		}
	}
	if (count_slot == NULL) {
		count_slot = slot_for("socialhub_request_duration_seconds_count", KIND_HISTOGRAM);
		sum_slot = slot_for("socialhub_request_duration_seconds_sum", KIND_SUM_US);
	}
	slot_add(count_slot, 1);
	slot_add(sum_slot, (uint64_t)(seconds * 1e6));
}

static int
cmp_slot(const void *a, const void *b)
{
	return strcmp((*(const struct slot *const *)a)->key, (*(const struct slot *const *)b)->key);
}

/* Family name: the key up to '{'. */
static size_t
family_len(const char *key)
{
	return strcspn(key, "{");
}

/* The # HELP and # TYPE lines of the family name[0..len). */
static enum rc
render_family(struct buf *out, const char *name, size_t len, const char *type)
{
	const char *help = NULL;

	for (size_t i = 0; i < sizeof(family_help) / sizeof(family_help[0]); i++)
		if (strlen(family_help[i].name) == len && strncmp(family_help[i].name, name, len) == 0)
			help = family_help[i].help;
	return buf_appendf(out, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)len, name,
	    help != NULL ? help : "socialhub metric.", (int)len, name, type);
}

static uint64_t
slot_value(const char *key, enum slot_kind kind)
{
	struct slot *s = slot_for(key, kind);

	return s != NULL ? atomic_load(&s->value) : 0;
}

/* One histogram: cumulative buckets from the per-bucket slots. */
static enum rc
render_histogram(struct buf *out, const struct histogram *h)
{
	char key[METRICS_KEY_MAX];
	uint64_t cum = 0, count, sum_us;
	enum rc rc;

	rc = render_family(out, h->name, strlen(h->name), "histogram");
	for (size_t i = 0; rc == RC_OK && i < h->n; i++) {
		snprintf(key, sizeof(key), "%s_bucket{le=\"%g\"}", h->name, h->le[i]);
		cum += slot_value(key, KIND_HISTOGRAM);
		rc = buf_appendf(out, "%s %llu\n", key, (unsigned long long)cum);
	}
	snprintf(key, sizeof(key), "%s_count", h->name);
	count = slot_value(key, KIND_HISTOGRAM);
	snprintf(key, sizeof(key), "%s_sum", h->name);
	sum_us = slot_value(key, KIND_SUM_US);
	if (rc == RC_OK)
		rc = buf_appendf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n",
		    h->name, (unsigned long long)count, h->name, (double)sum_us / 1e6, h->name,
		    (unsigned long long)count);
	return rc;
}

static enum rc
render_sample(struct buf *out, const struct slot *s)
{
	uint64_t bits = atomic_load(&s->value);
	double d;

	if (s->kind == KIND_COUNTER)
		return buf_appendf(out, "%s %llu\n", s->key, (unsigned long long)bits);
	memcpy(&d, &bits, sizeof(d));
	return buf_appendf(out, "%s %.15g\n", s->key, d);
}

enum rc
metrics_render(struct buf *out)
{
	struct slot **list;
	size_t n = 0;
	enum rc rc = RC_OK;
	const char *prev = NULL;
	size_t prev_len = 0;

	if (metrics_slots == NULL)
		return RC_OK;
	list = calloc(METRICS_SLOTS, sizeof(*list));
	if (list == NULL)
		return RC_NOMEM;
	for (uint32_t i = 0; i < METRICS_SLOTS; i++) {
		struct slot *s = &metrics_slots[i];
		if (atomic_load(&s->state) == SLOT_READY && atomic_load(&s->hidden) == 0 &&
		    (s->kind == KIND_COUNTER || s->kind == KIND_GAUGE))
			list[n++] = s;
	}
	qsort(list, n, sizeof(*list), cmp_slot);
	for (size_t i = 0; i < n && rc == RC_OK; i++) {
		size_t flen = family_len(list[i]->key);
		if (prev == NULL || flen != prev_len || strncmp(prev, list[i]->key, flen) != 0)
			rc = render_family(out, list[i]->key, flen,
			    list[i]->kind == KIND_COUNTER ? "counter" : "gauge");
		prev = list[i]->key;
		prev_len = flen;
		if (rc == RC_OK)
			rc = render_sample(out, list[i]);
	}
	free(list);
	for (size_t i = 0; rc == RC_OK && i < sizeof(histograms) / sizeof(histograms[0]); i++)
		rc = render_histogram(out, &histograms[i]);
	return rc;
}

/* metrics: lock-free counters in one MAP_SHARED segment, open addressing. */
#include "fcgi/metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define METRICS_SLOTS 2048
#define METRICS_KEY_MAX 152

enum slot_state { SLOT_EMPTY, SLOT_CLAIMED, SLOT_READY };
enum slot_kind { KIND_COUNTER, KIND_HISTOGRAM, KIND_SUM_US };

struct slot {
	_Atomic uint32_t state;
	uint32_t kind;
	_Atomic uint64_t value;
	char key[METRICS_KEY_MAX];
};

/* The segment is the process model's: mapped before fork, never freed. */
static struct slot *metrics_slots;

static const double latency_buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
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

static void
add_kind(const char *name, const char *labels, uint64_t v, enum slot_kind kind)
{
	char key[METRICS_KEY_MAX];
	struct slot *s;
	int n;

	if (labels != NULL && *labels != '\0')
		n = snprintf(key, sizeof(key), "%s{%s}", name, labels);
	else
		n = snprintf(key, sizeof(key), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(key))
		return;
	s = slot_for(key, kind);
	if (s != NULL)
		atomic_fetch_add(&s->value, v);
}

void
metrics_add(const char *name, const char *labels, uint64_t v)
{
	add_kind(name, labels, v, KIND_COUNTER);
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

static enum rc
render_histogram(struct buf *out)
{
	const char *name = "socialhub_request_duration_seconds";
	uint64_t cum = 0, count = 0, sum_us = 0;
	enum rc rc;
	char key[METRICS_KEY_MAX];

	rc = buf_appendf(out, "# TYPE %s histogram\n", name);
	for (size_t i = 0; rc == RC_OK && i < sizeof(latency_buckets) / sizeof(latency_buckets[0]); i++) {
		struct slot *s;
		snprintf(key, sizeof(key), "%s_bucket{le=\"%g\"}", name, latency_buckets[i]);
		s = slot_for(key, KIND_HISTOGRAM);
		cum += s != NULL ? atomic_load(&s->value) : 0;
		rc = buf_appendf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
		    latency_buckets[i], (unsigned long long)cum);
	}
	for (uint32_t i = 0; i < METRICS_SLOTS; i++) {
		struct slot *s = &metrics_slots[i];
		if (atomic_load(&s->state) != SLOT_READY)
			continue;
		if (strcmp(s->key, "socialhub_request_duration_seconds_count") == 0)
			count = atomic_load(&s->value);
		else if (strcmp(s->key, "socialhub_request_duration_seconds_sum") == 0)
			sum_us = atomic_load(&s->value);
	}
	if (rc == RC_OK)
		rc = buf_appendf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n",
		    name, (unsigned long long)count, name, (double)sum_us / 1e6, name,
		    (unsigned long long)count);
	return rc;
}

/* Family name: the key up to '{'. */
static size_t
family_len(const char *key)
{
	return strcspn(key, "{");
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
	for (uint32_t i = 0; i < METRICS_SLOTS; i++)
		if (atomic_load(&metrics_slots[i].state) == SLOT_READY &&
		    metrics_slots[i].kind == KIND_COUNTER)
			list[n++] = &metrics_slots[i];
	qsort(list, n, sizeof(*list), cmp_slot);
	for (size_t i = 0; i < n && rc == RC_OK; i++) {
		size_t flen = family_len(list[i]->key);
		if (prev == NULL || flen != prev_len || strncmp(prev, list[i]->key, flen) != 0)
			rc = buf_appendf(out, "# TYPE %.*s counter\n", (int)flen, list[i]->key);
		prev = list[i]->key;
		prev_len = flen;
		if (rc == RC_OK)
			rc = buf_appendf(out, "%s %llu\n", list[i]->key,
			    (unsigned long long)atomic_load(&list[i]->value));
	}
	free(list);
	if (rc == RC_OK)
		rc = render_histogram(out);
	return rc;
}

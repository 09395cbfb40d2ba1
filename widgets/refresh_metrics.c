/* refresh_metrics: per-source fetch figures, the pass time and the cache
 * size, written by the refresher process into the segment the workers'
 * /metrics renders (fcgi/metrics.c). */
#include "widgets/refresh_metrics.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fcgi/metrics.h"

#define LABELS_MAX (2 * 64 + 64)   /* two STREAM_NAME_MAX names and keys */

/* The gauges of one source, from its status.json. */
static void
source_gauges(const struct refresh_entry *e, const char *labels, const struct cache *c,
    struct arena *a)
{
	char key[CACHE_KEY_LEN + 1];
	struct cache_status st = { 0 };
	char *path;

	cache_source_key(e->url, key);
	path = cache_source_path(a, c, key, "status.json");
	if (path == NULL || cache_status_load(a, path, &st) != RC_OK)
		return;
	metrics_set("socialhub_feed_up", labels,
	    st.last_attempt > 0 && st.failures == 0 ? 1 : 0);
	metrics_set("socialhub_feed_consecutive_failures", labels, (double)st.failures);
	metrics_set("socialhub_feed_last_success_timestamp_seconds", labels,
	    (double)st.last_success);
	metrics_set("socialhub_feed_last_attempt_timestamp_seconds", labels,
	    (double)st.last_attempt);
	metrics_set("socialhub_feed_items", labels, (double)st.items);
	metrics_set("socialhub_feed_bytes", labels, (double)st.bytes);
}

/* Counts one entry's fetch; every result series of a source is touched
 * (added 0) so that rate() sees each from its first pass on. */
static void
source_counts(const struct refresh_entry *e, const char *labels)
{
	static const enum refresh_outcome results[] = {
		REFRESH_UPDATED, REFRESH_UNCHANGED, REFRESH_NOT_MODIFIED, REFRESH_FAILED,
		REFRESH_BUSY, REFRESH_SHARED,
	};
	char l[LABELS_MAX + 32];

	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
		snprintf(l, sizeof(l), "%s,result=\"%s\"", labels, refresh_outcome_str(results[i]));
		metrics_add("socialhub_feed_fetches_total", l, e->outcome == results[i] ? 1 : 0);
	}
	if (refresh_outcome_fetched(e->outcome))
		metrics_observe("socialhub_feed_fetch_duration_seconds", (double)e->ms / 1000.0);
}

/* Labels of entry i, `stream="S",source="N"`; false when too long. */
static bool
entry_labels(const struct refresh_entry *e, char *out, size_t n)
{
	int len = snprintf(out, n, "stream=\"%s\",source=\"%s\"", e->stream, e->source);

	return len >= 0 && (size_t)len < n;
}

/* Keeps a series of a source in this pass's report, and the unlabelled
 * ones (the fetch-time histogram): the rest belong to removed sources. */
static bool
in_report(const char *key, void *ctx)
{
	const struct refresh_report *rep = ctx;
	const char *open = strchr(key, '{');
	char labels[LABELS_MAX];

	if (open == NULL || strstr(open, "stream=\"") == NULL)
		return true;
	for (size_t i = 0; i < rep->n; i++)
		if (entry_labels(&rep->entries[i], labels, sizeof(labels)) &&
		    strncmp(open + 1, labels, strlen(labels)) == 0 &&
		    (open[1 + strlen(labels)] == '}' || open[1 + strlen(labels)] == ','))
			return true;
	return false;
}

void
refresh_metrics_pass(const struct refresh_report *rep, const struct cache *c,
    struct arena *a, double seconds, bool first)
{
	char labels[LABELS_MAX];

	for (size_t i = 0; i < rep->n; i++) {
		const struct refresh_entry *e = &rep->entries[i];
		if (!entry_labels(e, labels, sizeof(labels)))
			continue;
		source_counts(e, labels);
		source_gauges(e, labels, c, a);
	}
	/* A new refresher (start or reload) retires the series of sources
	 * no longer configured, after writing the kept ones. */
	if (first)
		metrics_hide_unless("socialhub_feed_", in_report, (void *)rep);
	metrics_set("socialhub_refresh_pass_duration_seconds", NULL, seconds);
	metrics_set("socialhub_refresh_last_pass_timestamp_seconds", NULL, (double)time(NULL));
	metrics_add("socialhub_refresh_passes_total", NULL, 1);
}

void
refresh_metrics_cache(long long used, long long max)
{
	metrics_set("socialhub_cache_bytes", NULL, (double)used);
	metrics_set("socialhub_cache_max_bytes", NULL, (double)max);
}

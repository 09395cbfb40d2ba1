/* refresh_metrics: the refresher's figures into the shared /metrics table. */
#ifndef SOCIALHUB_WIDGETS_REFRESH_METRICS_H
#define SOCIALHUB_WIDGETS_REFRESH_METRICS_H

#include <stdbool.h>

#include "util/arena.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/refresher.h"

/*
 * After a refresher pass that took `seconds`: counts each fetch by source
 * and result, adds fetch times to the latency histogram, and sets each
 * reported source's gauges (up, failures, last success and attempt,
 * items, bytes) from its status.json in cache `c`. Labels are the
 * stream and source names of the configuration (validated names), so
 * the series are bounded by the configured sources. With `first` (the
 * refresher process's first pass: a start or a reload) the feed series
 * of sources no longer configured are hidden first. `a` holds scratch.
 * Does nothing outside a process with the shared table (refresh command).
 */
void refresh_metrics_pass(const struct refresh_report *rep, const struct cache *c,
    struct arena *a, double seconds, bool first);

/* The cache's size at its last eviction and its bound, in bytes. */
void refresh_metrics_cache(long long used, long long max);

#endif

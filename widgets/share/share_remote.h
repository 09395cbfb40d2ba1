/* share_remote: share counters in the shared store (several nodes), with a
 * bounded queue of counts that wait while the store is down. */
#ifndef SOCIALHUB_WIDGETS_SHARE_REMOTE_H
#define SOCIALHUB_WIDGETS_SHARE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/rc.h"
#include "util/store.h"
#include "widgets/share/share_store.h"

struct share_remote;

/*
 * Counts through st (borrowed: it must outlive the result) with the same
 * limits as the SQLite store; at most queue_max counts wait while st is
 * down. RC_NOMEM.
 */
enum rc share_remote_new(struct store *st, const struct share_limits *lim,
    size_t queue_max, struct share_remote **out);
/* Frees r; counts still queued are lost (logged with their number). */
void share_remote_free(struct share_remote *r);

/*
 * share_store_count on the store: the same outcomes and limits, each step
 * one atomic store call (a claim of the visitor's seen key, then capped
 * increments), so two nodes never count one visitor twice. Flushes the
 * queue first when the store answers again. When the store is down the
 * count waits in the queue (*queued true, *out SHARE_SEEN); when the
 * queue is full it is dropped (*queued false, RC_UNAVAILABLE). Metrics:
 * socialhub_share_queue_total{event="queued|flushed|dropped"}.
 */
enum rc share_remote_count(struct share_remote *r, const char *key, const char *network,
    const struct share_visitor *v, long day, enum share_outcome *out, bool *queued);

/* share_store_counts on the store (after a flush). RC_UNAVAILABLE when
 * the store is down. */
enum rc share_remote_counts(struct share_remote *r, const char *key, json_t *networks,
    long long *total);

/* Counts waiting in this worker's queue. */
size_t share_remote_queued(const struct share_remote *r);

#endif

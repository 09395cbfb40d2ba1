/* share_batch: a worker's new shares counted in one SQLite transaction per batch. */
#ifndef SOCIALHUB_WIDGETS_SHARE_BATCH_H
#define SOCIALHUB_WIDGETS_SHARE_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/rc.h"
#include "widgets/share/share_store.h"

/*
 * One durable transaction per new visitor's share is what held a node to
 * 0.39x of the bare fcgi2 baseline. A batch keeps a worker's new shares
 * in memory and counts them in one transaction (share_store_count_many)
 * when it holds `max` of them, when the oldest has waited `max_ms`, when
 * the worker is about to wait for a request (the idle hook: so under no
 * load nothing waits at all), before counts are read, and when it is
 * freed (a clean stop or a reload). What a kill -9 can lose: the shares
 * of the batch not yet flushed, at most `max` per worker.
 *
 * A repeat in the batch answers SHARE_SEEN; idle (`now`), a read tells a
 * repeat already counted. Under load a share not in the batch is batched
 * and answers SHARE_COUNTED, which its transaction confirms or overrules
 * (seen after all, a cap, a full table: reported to `observe`): the
 * counters are exact, the answer of a batched share is the expected one.
 */
struct share_batch;

/* What became of each share of a flushed batch (dropped: never counted,
 * the batch was full while the store failed). */
typedef void (*share_batch_observe_fn)(void *arg, const struct share_count *c,
    enum share_outcome o, bool dropped);

struct share_batch_conf {
	struct share_store *store;    /* borrowed; outlives the batch */
	size_t max;                   /* shares per transaction (>= 1) */
	long max_ms;                  /* the oldest share waits at most this */
	size_t hold_max;              /* shares kept while the store fails */
	share_batch_observe_fn observe;
	void *arg;
};

#define SHARE_BATCH_MAX 64
#define SHARE_BATCH_MS 50
#define SHARE_BATCH_HOLD (16 * SHARE_BATCH_MAX)

/* RC_NOMEM; conf is copied. */
enum rc share_batch_new(const struct share_batch_conf *conf, struct share_batch **out);
/* Flushes (logging what could not be counted), then frees. NULL: no-op. */
void share_batch_free(struct share_batch *b);

/*
 * Counts one share as share_store_count would, batched (see above): *out
 * is SHARE_SEEN or SHARE_COUNTED. With `now` (the worker is not under
 * load: request_busy) the batch is flushed with it at once and *out is
 * what its transaction decided. Flushes when the batch is due. RC_IO when
 * the store's probe fails; RC_UNAVAILABLE when the share could not be
 * kept (the batch is full and the store failing: dropped, observed).
 */
enum rc share_batch_count(struct share_batch *b, const char *key, const char *network,
    const struct share_visitor *v, long day, bool now, enum share_outcome *out);

/* Counts the batch now. RC_OK when empty; the store's error otherwise
 * (the shares stay for the next try). */
enum rc share_batch_flush(struct share_batch *b);

/* Shares waiting in the batch. */
size_t share_batch_pending(const struct share_batch *b);

#endif

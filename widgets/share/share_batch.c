/* share_batch: new shares wait in memory and are counted many per transaction. */
#include "widgets/share/share_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/arena.h"
#include "util/log.h"

struct share_batch {
	struct share_batch_conf conf;
	struct share_count *items;     /* hold_max slots */
	enum share_outcome *outs;
	size_t n;
	long long oldest_ms;           /* when items[0] came */
	struct arena *a;               /* the items' strings */
	bool failing;                  /* logged this failure */
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum rc
share_batch_new(const struct share_batch_conf *conf, struct share_batch **out)
{
	struct share_batch *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (b == NULL)
		return RC_NOMEM;
	b->conf = *conf;
	if (b->conf.max == 0)
		b->conf.max = 1;
	if (b->conf.hold_max < b->conf.max)
		b->conf.hold_max = b->conf.max;
	b->items = calloc(b->conf.hold_max, sizeof(*b->items));
	b->outs = calloc(b->conf.hold_max, sizeof(*b->outs));
	b->a = arena_new(16 * 1024, 0);
	if (b->items == NULL || b->outs == NULL || b->a == NULL) {
		share_batch_free(b);
		return RC_NOMEM;
	}
	*out = b;
	return RC_OK;
}

void
share_batch_free(struct share_batch *b)
{
	char nb[24];

	if (b == NULL)
		return;
	if (b->n > 0 && b->conf.store != NULL && share_batch_flush(b) != RC_OK) {
		log_kv(LOG_ERROR, "share_batch_lost", "counts", log_int(nb, (long long)b->n), NULL);
		for (size_t i = 0; i < b->n; i++)
			if (b->conf.observe != NULL)
				b->conf.observe(b->conf.arg, &b->items[i], SHARE_SEEN, true);
	}
	free(b->items);
	free(b->outs);
	arena_free(b->a);
	free(b);
}

size_t
share_batch_pending(const struct share_batch *b)
{
	return b != NULL ? b->n : 0;
}

enum rc
share_batch_flush(struct share_batch *b)
{
	enum rc rc;

	if (b->n == 0)
		return RC_OK;
	rc = share_store_count_many(b->conf.store, b->items, b->n, b->outs);
	if (rc != RC_OK) {
		if (!b->failing)
			log_kv(LOG_WARN, "share_batch_waits", "error", rc_str(rc), NULL);
		b->failing = true;
		return rc;
	}
	b->failing = false;
	for (size_t i = 0; i < b->n && b->conf.observe != NULL; i++)
		b->conf.observe(b->conf.arg, &b->items[i], b->outs[i], false);
	b->n = 0;
	arena_reset(b->a);
	return RC_OK;
}

/* Whether v's seen key waits in the batch (a repeat before the flush). */
static bool
in_batch(const struct share_batch *b, const struct share_visitor *v)
{
	for (size_t i = 0; i < b->n; i++)
		if (memcmp(b->items[i].v.seen, v->seen, SHARE_VISITOR_LEN) == 0)
			return true;
	return false;
}

static enum rc
add(struct share_batch *b, const char *key, const char *network,
    const struct share_visitor *v, long day)
{
	struct share_count *c = &b->items[b->n];

	c->key = arena_strdup(b->a, key);
	c->network = arena_strdup(b->a, network);
	if (c->key == NULL || c->network == NULL)
		return RC_NOMEM;
	c->v = *v;
	c->day = day;
	if (b->n++ == 0)
		b->oldest_ms = mono_ms();
	return RC_OK;
}

enum rc
share_batch_count(struct share_batch *b, const char *key, const char *network,
    const struct share_visitor *v, long day, bool now, enum share_outcome *out)
{
	struct share_count dropped = { .key = key, .network = network, .v = *v, .day = day };
	bool seen = in_batch(b, v);
	/* Under load the batch's transaction tells a repeat (the worker's
	 * memory, share_seen.h, has the usual ones): no read per request. */
	enum rc rc = seen || !now ? RC_OK : share_store_seen(b->conf.store, v, day, &seen);

	*out = SHARE_SEEN;
	if (rc != RC_OK || seen)
		return rc;
	/* A batch of another day is counted before today's first share. */
	if (b->n > 0 && b->items[0].day != day)
		share_batch_flush(b);
	if (b->n == b->conf.hold_max) {
		if (b->conf.observe != NULL)
			b->conf.observe(b->conf.arg, &dropped, SHARE_SEEN, true);
		return RC_UNAVAILABLE;
	}
	if ((rc = add(b, key, network, v, day)) != RC_OK)
		return rc;
	*out = SHARE_COUNTED;
	if (now || b->n >= b->conf.max || mono_ms() - b->oldest_ms >= b->conf.max_ms) {
		size_t at = b->n - 1;
		/* outs[] keeps the flushed batch's outcomes until the next. */
		if (share_batch_flush(b) == RC_OK && now)
			*out = b->outs[at];
	}
	return RC_OK;
}

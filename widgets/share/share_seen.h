/* share_seen: a worker's memory of the visitor keys it knows were counted today. */
#ifndef SOCIALHUB_WIDGETS_SHARE_SEEN_H
#define SOCIALHUB_WIDGETS_SHARE_SEEN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"
#include "widgets/share/share_store.h"

/*
 * A visitor's seen key, once in the database or the shared store, stays
 * there for the rest of its day (keys are pruned the day after), so a
 * worker that learnt of one can answer the visitor's repeats from memory:
 * no SQLite read, no Redis round trip. A fixed-size open-addressing set,
 * emptied when the day changes or when it is 3/4 full (it only saves
 * work: forgetting costs a probe).
 */
struct share_seen;

#define SHARE_SEEN_SLOTS 16384

enum rc share_seen_new(size_t slots, struct share_seen **out);
void share_seen_free(struct share_seen *s);
/* True when key (SHARE_VISITOR_LEN bytes) of `day` is known. */
bool share_seen_has(const struct share_seen *s, long day, const unsigned char *key);
/* Remembers key of `day`. */
void share_seen_add(struct share_seen *s, long day, const unsigned char *key);

#endif

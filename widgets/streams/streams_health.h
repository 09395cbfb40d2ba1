/* streams_health: the /healthz object of one stream. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_STREAMS_HEALTH_H
#define SOCIALHUB_WIDGETS_STREAMS_STREAMS_HEALTH_H

#include <jansson.h>

#include "util/arena.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/stream.h"

/*
 * { items, generated_at, changed_at, fresh, failing, last_error, age,
 *   sources: { NAME: { status: ok|pending|failing|late, ... } } } of
 * stream `sc` at time `now`; NULL when out of memory. `a` holds scratch.
 */
json_t *streams_health(struct arena *a, const struct cache *c,
    const struct stream_conf *sc, long long now);

#endif

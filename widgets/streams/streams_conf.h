/* streams_conf: the streams part of the config file (`stream` sections,
 * cache size, fetch limits) and the immutable stream configs. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_STREAMS_CONF_H
#define SOCIALHUB_WIDGETS_STREAMS_STREAMS_CONF_H

#include <stddef.h>

#include <confuse.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/streams/cache.h"
#include "widgets/streams/stream.h"

#define STREAMS_CACHE_MAX_DEFAULT (256L * 1024 * 1024)
#define STREAMS_CACHE_MAX_MIN (1L * 1024 * 1024)

/* The options (`stream NAME { source NAME { ... } }`, cache_max_size,
 * fetch_allow_private, fetch_concurrency, fetch_per_host) and their
 * checks, for a feature row's .opts and .checks. */
extern cfg_opt_t streams_opts[];
void streams_checks(cfg_t *root);

/* The stream configs of a loaded config, allocated in `a` (strings stay
 * libconfuse's: keep the cfg_t alive as long as them). */
enum rc streams_conf_build(struct arena *a, cfg_t *root, struct stream_conf **out,
    size_t *n);
/* The stream named `name`, or NULL. */
const struct stream_conf *streams_conf_find(const struct stream_conf *v, size_t n,
    const char *name);
/* True when one of v[0..n) is moderated (reads the moderation store). */
bool streams_conf_any_moderated(const struct stream_conf *v, size_t n);
/* Removes the cache folders of sources no stream uses, a week after their
 * last use. `a` holds the key list. */
void streams_conf_sweep(const struct stream_conf *v, size_t n, struct cache *c,
    struct arena *a, long long now);

#endif

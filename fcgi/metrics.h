/* metrics: Prometheus counters shared by every process of one master. */
#ifndef SOCIALHUB_FCGI_METRICS_H
#define SOCIALHUB_FCGI_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/rc.h"

/*
 * Maps the shared counter segment. Called once by the master before it
 * forks (children inherit it), or by a single CGI process. Idempotent.
 */
enum rc metrics_init(void);

/*
 * Adds v to counter `name{labels}` (labels: `a="x",b="y"` or NULL).
 * Label values must be trusted identifiers (route names, provider ids),
 * never visitor input. Silently does nothing when the table is full.
 */
void metrics_add(const char *name, const char *labels, uint64_t v);

/*
 * Sets gauge `name{labels}` to v (same label rules as metrics_add).
 * Silently does nothing when the table is full.
 */
void metrics_set(const char *name, const char *labels, double v);

/*
 * Adds one observation of `seconds` to histogram `name`, one of the
 * fixed, unlabelled histograms metrics.c defines (their buckets are
 * there); an unknown name is ignored.
 */
void metrics_observe(const char *name, double seconds);

/*
 * Hides every series whose key starts with `prefix` and for which
 * keep(key, ctx) is false, until it is added to or set again: how series
 * of sources a reload removed leave /metrics. Values are kept (counters
 * stay monotonic). Call it after the kept series were written, so that a
 * concurrent /metrics never misses one of them.
 */
void metrics_hide_unless(const char *prefix, bool (*keep)(const char *key, void *ctx),
    void *ctx);

/* Records a request: count by route and status class, latency histogram. */
void metrics_request(const char *route, int status, double seconds);

/* Appends the Prometheus text exposition of every counter. */
enum rc metrics_render(struct buf *out);

#endif

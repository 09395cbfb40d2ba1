/* cfgval: shared libconfuse value callbacks (lists, durations, sizes). */
#ifndef SOCIALHUB_UTIL_CFGVAL_H
#define SOCIALHUB_UTIL_CFGVAL_H

#include <stdbool.h>

#include <confuse.h>

/*
 * Checks of the entries of a string list: declare the option with
 * CFG_STR_LIST_CB(name, def, flags, cb), where cb checks the one entry it
 * is given, reports with cfg_error(cfg, "KEY name: ...") and ends with
 * `return cfgval_keep(value, result);` (keeps the entry, parsing
 * goes on). libconfuse calls it exactly once per entry, on the entry's
 * line, also for `+=` and a reassigned list. Not a validate callback
 * (cfg_set_validate_func): libconfuse runs those after each entry and
 * again at the closing brace, and telling the entries already checked
 * from new ones would need state kept between calls, which the callbacks
 * have no pointer for.
 */
int cfgval_keep(const char *value, void *result);

/*
 * libconfuse value callbacks for feature option tables:
 * CFG_INT_CB("every", 300, CFGF_NONE, cfgval_duration) accepts "90s",
 * "5m", "8h", "1d" or a plain number of seconds; cfgval_size accepts
 * "512", "64k", "10M", "1G" (binary units; exactly k, M and G, so "10m",
 * "10MB" and "10KiB" are refused). Errors name file:line:key; a bad value
 * is replaced by the option's default, so the option's own checks do not
 * report it a second time.
 */
int cfgval_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
int cfgval_size(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
/* Parses a duration string into seconds; false on bad input. */
bool cfgval_parse_duration(const char *s, long *out);
bool cfgval_parse_size(const char *s, long *out);

#endif

/* log: one event per line on stderr, in logfmt. */
#ifndef SOCIALHUB_UTIL_LOG_H
#define SOCIALHUB_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lowest level written; set once by the process model from the config. */
void log_set_level(enum log_level lvl);
/* Parses "debug", "info", "warn", "error"; false if unknown. */
_Bool log_level_parse(const char *s, enum log_level *out);
/* Names the process in every line ("master", "worker", ...). */
void log_set_role(const char *role);

/*
 * Writes `ts=... level=... role=... pid=... event=EVENT k1=v1 k2=v2`.
 * The variadic part is (const char *key, const char *value) pairs ended by a
 * NULL key. Values are quoted and escaped when needed, so no input can
 * forge a field or a line; a NULL value prints as "". Never pass secrets.
 */
void log_kv(enum log_level lvl, const char *event, ...)
	__attribute__((sentinel));

/* Formats an integer into tmp (at least 24 bytes) for log_kv; returns tmp. */
const char *log_int(char *tmp, long long v);

#endif

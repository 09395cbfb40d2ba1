/* log: logfmt lines on stderr, written with one write(2) each. */
#include "util/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Process-wide settings, written only at start-up by the process model. */
static enum log_level log_min = LOG_INFO;
static const char *log_role = "main";

#define LOG_LINE_MAX 4096

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

void
log_set_role(const char *role)
{
	log_role = role;
}

bool
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

const char *
log_int(char *tmp, long long v)
{
	snprintf(tmp, 24, "%lld", v);
	return tmp;
}

struct line {
	char data[LOG_LINE_MAX];
	size_t len;
};

static void
line_putc(struct line *l, char c)
{
	/* Keep two bytes spare for the closing quote and newline. */
	if (l->len + 2 < sizeof(l->data))
		l->data[l->len++] = c;
}

static void
line_puts(struct line *l, const char *s)
{
	while (*s != '\0')
		line_putc(l, *s++);
}

static bool
needs_quotes(const char *v)
{
	if (*v == '\0')
		return true;
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
			return true;
	}
	return false;
}

static void
line_put_value(struct line *l, const char *v)
{
	static const char hex[] = "0123456789abcdef";

	if (!needs_quotes(v)) {
		line_puts(l, v);
		return;
	}
	line_putc(l, '"');
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\') {
			line_putc(l, '\\');
			line_putc(l, (char)c);
		} else if (c == '\n') {
			line_puts(l, "\\n");
		} else if (c < ' ' || c == 0x7f) {
			line_puts(l, "\\x");
			line_putc(l, hex[c >> 4]);
			line_putc(l, hex[c & 15]);
		} else {
			line_putc(l, (char)c);
		}
	}
	line_putc(l, '"');
}

void
log_kv(enum log_level lvl, const char *event, ...)
{
	struct line l = { .len = 0 };
	char ts[32], pid[24];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (lvl < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	line_puts(&l, "ts=");
	line_puts(&l, ts);
	line_puts(&l, " level=");
	line_puts(&l, level_names[lvl]);
	line_puts(&l, " role=");
	line_put_value(&l, log_role);
	line_puts(&l, " pid=");
	line_puts(&l, log_int(pid, (long long)getpid()));
	line_puts(&l, " event=");
	line_put_value(&l, event);
	va_start(ap, event);
	for (;;) {
		const char *key = va_arg(ap, const char *);
		const char *val;
		if (key == NULL)
			break;
		val = va_arg(ap, const char *);
		line_putc(&l, ' ');
		line_puts(&l, key);
		line_putc(&l, '=');
		line_put_value(&l, val != NULL ? val : "");
	}
	va_end(ap);
	l.data[l.len++] = '\n';
	/* One write per line keeps lines from interleaving across processes. */
	if (write(STDERR_FILENO, l.data, l.len) < 0)
		return;
}

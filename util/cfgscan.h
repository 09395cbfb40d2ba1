/* cfgscan: a scan of a libconfuse file for where each key and section is. */
#ifndef SOCIALHUB_UTIL_CFGSCAN_H
#define SOCIALHUB_UTIL_CFGSCAN_H

#include <stddef.h>

#include "util/rc.h"

/*
 * What one scan found. A section is named by its path: the names (and
 * titles) of the sections it sits in, from the top, joined with '/', e.g.
 * "stream brand/source blog"; the top level is "".
 *
 * `text` is the file with every comment blanked out (newlines kept), for
 * libconfuse to parse: its lexer counts three lines for each '#' comment
 * line (so the line it gives drifts past the key after every comment) and
 * refuses a comment between the entries of a list. Without comments it
 * gives the line of the token at hand.
 */
struct cfgscan {
	char *text;
	char *raw;          /* the file as read, comments and all (len bytes) */
	size_t len;
	int paren;          /* line of the first '(' outside strings and comments */
	int unclosed;       /* line of the innermost '{' never closed */
	struct cfgscan_key *keys;
	size_t nkeys;
	struct cfgscan_sec *secs;
	size_t nsecs;
};

struct cfgscan_key {
	int line;
	size_t sec;   /* index in secs; 0 is the top level */
	char *name;
};

struct cfgscan_sec {
	int line;     /* of its name */
	char *path;
};

/*
 * Scans the file at `path` (at most `max` bytes) into a new *out (free with
 * cfgscan_free). RC_NOTFOUND or RC_IO with errno set when it cannot be
 * read, RC_TOOBIG, RC_NOMEM.
 */
enum rc cfgscan_file(const char *path, size_t max, struct cfgscan **out);
/* The same for text[0..len). */
enum rc cfgscan_text(const char *text, size_t len, struct cfgscan **out);
void cfgscan_free(struct cfgscan *s);

/* The line of the last `key = ...` in the section at `path` (the one that
 * counts), or 0 when there is none. */
int cfgscan_key_line(const struct cfgscan *s, const char *path, const char *key);

/* The line of the last section named `path`, or 0 (also for ""). */
int cfgscan_section_line(const struct cfgscan *s, const char *path);

#endif

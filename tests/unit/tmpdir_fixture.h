/* tmpdir_fixture: a unit test's private scratch folder, removed with
 * everything in it. */
#ifndef SOCIALHUB_TESTS_TMPDIR_FIXTURE_H
#define SOCIALHUB_TESTS_TMPDIR_FIXTURE_H

#include <stddef.h>

struct tmpdir {
	char path[128];
};

/*
 * Makes a new folder $TMPDIR/sh-NAME-XXXXXX (mode 0700; /tmp when TMPDIR
 * is unset or longer than 64 bytes) and puts its path in t->path. Returns
 * 0, or -1 with t->path empty.
 */
int tmpdir_init(struct tmpdir *t, const char *name);

/*
 * Removes t->path and everything below it (symbolic links are removed, not
 * followed) and empties t->path; an empty t->path is left alone. Returns 0,
 * or -1 when something could not be removed.
 */
int tmpdir_fini(struct tmpdir *t);

/*
 * Writes "t->path/rel" into out (n bytes) and returns out; aborts when it
 * does not fit, so a test never works on a truncated path.
 */
char *tmpdir_path(const struct tmpdir *t, const char *rel, char *out, size_t n);

#endif

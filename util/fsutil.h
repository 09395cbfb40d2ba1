/* fsutil: atomic file replacement and bounded reads. */
#ifndef SOCIALHUB_UTIL_FSUTIL_H
#define SOCIALHUB_UTIL_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/rc.h"

/*
 * Replaces `path` with p[0..n): writes a temp file in the same folder,
 * fsyncs it, renames it over `path` and fsyncs the folder, so a reader sees
 * the old or the new file, never half of one. RC_IO on any failure (the
 * temp file is removed and the old file left as it was).
 */
enum rc fsutil_write_atomic(const char *path, const void *p, size_t n, mode_t mode);
/* The same for head[0..hn) followed by p[0..n), without joining them
 * in memory first (a header before a large payload). */
enum rc fsutil_write_atomic2(const char *path, const void *head, size_t hn,
    const void *p, size_t n, mode_t mode);

/*
 * Reads a whole file into a malloc'd, NUL-terminated buffer (caller frees).
 * RC_NOTFOUND when it does not exist, RC_TOOBIG when over `max` bytes,
 * RC_IO otherwise.
 */
enum rc fsutil_read(const char *path, size_t max, char **out, size_t *len);

/* mkdir -p with the given mode for the folders it creates. */
enum rc fsutil_mkdirs(const char *path, mode_t mode);

/* True when a file can be created, written, synced and removed in dir. */
bool fsutil_dir_writable(const char *dir);

#endif

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
/* The same, and the permission bits of the file read (fstat of the open
 * file, so what is checked is what was read, whatever is renamed over
 * path meanwhile). */
enum rc fsutil_read_mode(const char *path, size_t max, char **out, size_t *len,
    mode_t *mode);

/*
 * A whole regular file to read, like fsutil_read but without a copy:
 * data[len] is '\0' either way. A non-empty file is mapped privately,
 * read-only (the page cache's own pages, mapped at once); the NUL goes in
 * the rest of its last page, made private and writable, or, for a size
 * that is a page multiple, in an anonymous page mapped after it. An empty
 * file, or one that cannot be mapped, is read into a malloc'd buffer. A
 * mapped file must not shrink while it is mapped: reading past its new
 * end raises SIGBUS (`socialhub parse` says so and exits). fsutil_unmap
 * releases it.
 * RC_NOTFOUND, RC_TOOBIG over `max` bytes, RC_NOMEM, RC_IO.
 */
struct fsutil_map {
	const char *data;
	size_t len;
	size_t maplen;   /* bytes mapped; 0: data is malloc'd */
};
enum rc fsutil_map(const char *path, size_t max, struct fsutil_map *m);
void fsutil_unmap(struct fsutil_map *m);

/* mkdir -p with the given mode for the folders it creates. */
enum rc fsutil_mkdirs(const char *path, mode_t mode);

/* True when a file can be created, written, synced and removed in dir. */
bool fsutil_dir_writable(const char *dir);

#endif

/* fsutil: temp-file + fsync + rename, the one way files are written. */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


static enum rc
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return RC_IO;
		}
		s += w;
		n -= (size_t)w;
	}
	return RC_OK;
}

static void
sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else if ((size_t)(slash - path) < sizeof(dir)) {
		size_t len = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, len);
		dir[len] = '\0';
	} else {
		return;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

enum rc
fsutil_write_atomic(const char *path, const void *p, size_t n, mode_t mode)
{
	return fsutil_write_atomic2(path, NULL, 0, p, n, mode);
}

enum rc
fsutil_write_atomic2(const char *path, const void *head, size_t hn,
    const void *p, size_t n, mode_t mode)
{
	char tmp[PATH_MAX];
	enum rc rc;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return RC_IO;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return RC_IO;
	rc = hn > 0 ? write_all(fd, head, hn) : RC_OK;
	if (rc == RC_OK)
		rc = write_all(fd, p, n);
	err = rc != RC_OK ? errno : 0;
	if (rc == RC_OK && fchmod(fd, mode) != 0) {
		rc = RC_IO;
		err = errno;
	}
	if (rc == RC_OK && fsync(fd) != 0) {
		rc = RC_IO;
		err = errno;
	}
	if (close(fd) != 0) {
		if (rc == RC_OK)
			err = errno;
		rc = RC_IO;
	}
	if (rc == RC_OK && rename(tmp, path) != 0) {
		rc = RC_IO;
		err = errno;
	}
	if (rc != RC_OK) {
		unlink(tmp);
		errno = err; /* the first failure's, for the caller's log */
		return rc;
	}
	sync_dir_of(path);
	return RC_OK;
}

/* The rest of fsutil_read, on an open regular file of st_size bytes. */
/* Up to n bytes of fd into data; the count read (short at end of file or
 * on an error). */
static size_t
read_full(int fd, char *data, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, data + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static enum rc
read_fd(int fd, const struct stat *st, char **out, size_t *len)
{
	size_t got;
	char *data;

	data = malloc((size_t)st->st_size + 1);
	if (data == NULL)
		return RC_NOMEM;
	got = read_full(fd, data, (size_t)st->st_size);
	data[got] = '\0';
	*out = data;
	if (len != NULL)
		*len = got;
	return RC_OK;
}

/* Opens path, a regular file of at most max bytes. */
static enum rc
open_regular(const char *path, size_t max, int *fd, struct stat *st)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? RC_NOTFOUND : RC_IO;
	if (fstat(*fd, st) != 0) {
		int err = errno;
		close(*fd);
		errno = err;
		return RC_IO;
	}
	if (!S_ISREG(st->st_mode)) {
		close(*fd);
		errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		return RC_IO;
	}
	if ((unsigned long long)st->st_size > max) {
		close(*fd);
		return RC_TOOBIG;
	}
	return RC_OK;
}

enum rc
fsutil_read(const char *path, size_t max, char **out, size_t *len)
{
	mode_t mode;

	return fsutil_read_mode(path, max, out, len, &mode);
}

enum rc
fsutil_read_mode(const char *path, size_t max, char **out, size_t *len, mode_t *mode)
{
	struct stat st;
	enum rc rc;
	int fd;

	rc = open_regular(path, max, &fd, &st);
	if (rc != RC_OK)
		return rc;
	*mode = st.st_mode & 07777;
	rc = read_fd(fd, &st, out, len);
	close(fd);
	return rc;
}

/* A file whose size is a page multiple leaves no room in its last page
 * for the NUL: it is mapped into the front of an anonymous zeroed region
 * one page longer, whose last page holds it. */
static void *
map_page_multiple(int fd, size_t len, size_t page)
{
	char *p = mmap(NULL, len + page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mmap(p, len, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd,
	    0) == MAP_FAILED) {
		munmap(p, len + page);
		return NULL;
	}
	return p;
}

/* Read-only and populated, but the last page private and writable for the
 * one byte after the end: the NUL is ours even if the file grows
 * meanwhile (one page copied). A mapping writable throughout would be
 * populated for writing, a private copy of every page. */
static void *
map_with_tail(int fd, size_t len, size_t page)
{
	size_t tail = len / page * page;
	char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + tail, len - tail, PROT_READ | PROT_WRITE) != 0) {
		munmap(p, len);
		return NULL;
	}
	p[len] = '\0';
	return p;
}

/*
 * Every non-empty file is mapped, never copied: the page cache's pages are
 * in use already, while fresh anonymous memory is what a virtual machine
 * may have handed back to its host. Measured on the 2-core VM of
 * doc/feeds.md, 4.2 MB right after another process had run: read into
 * fresh huge pages 12.7-14.7 ms, mapped 1.9-2.0 ms; when fresh memory is
 * still backed, 1.0 ms read against 1.8 ms mapped.
 */
enum rc
fsutil_map(const char *path, size_t max, struct fsutil_map *m)
{
	long page = sysconf(_SC_PAGESIZE);
	struct stat st;
	char *data = NULL;
	size_t len;
	void *p;
	enum rc rc;
	int fd;

	memset(m, 0, sizeof(*m));
	rc = open_regular(path, max, &fd, &st);
	if (rc != RC_OK)
		return rc;
	len = (size_t)st.st_size;
	if (page > 0 && len > 0) {
		bool whole = len % (size_t)page == 0;
		p = whole ? map_page_multiple(fd, len, (size_t)page) :
		    map_with_tail(fd, len, (size_t)page);
		if (p != NULL) {
			close(fd);
			m->data = p;
			m->len = len;
			m->maplen = whole ? len + (size_t)page : len;
			return RC_OK;
		}
	}
	rc = read_fd(fd, &st, &data, &m->len);
	close(fd);
	m->data = data;
	return rc;
}

void
fsutil_unmap(struct fsutil_map *m)
{
	if (m->maplen > 0)
		munmap((void *)m->data, m->maplen);
	else
		free((void *)m->data);
	memset(m, 0, sizeof(*m));
}

enum rc
fsutil_mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return RC_IO;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST)
			return RC_IO;
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return RC_IO;
	return RC_OK;
}

bool
fsutil_dir_writable(const char *dir)
{
	char path[PATH_MAX];
	bool ok;
	int fd;

	if (snprintf(path, sizeof(path), "%s/.probe.XXXXXX", dir) >= (int)sizeof(path))
		return false;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = write_all(fd, "ok\n", 3) == RC_OK && fsync(fd) == 0;
	close(fd);
	unlink(path);
	return ok;
}

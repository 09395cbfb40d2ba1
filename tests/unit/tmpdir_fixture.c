/* tmpdir_fixture: make and remove a unit test's scratch folder. */
#include "tmpdir_fixture.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
tmpdir_init(struct tmpdir *t, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] == '\0' || strlen(base) > 64)
		base = "/tmp";
	n = snprintf(t->path, sizeof(t->path), "%s/sh-%s-XXXXXX", base, name);
	if (n < 0 || (size_t)n >= sizeof(t->path) || mkdtemp(t->path) == NULL) {
		t->path[0] = '\0';
		return -1;
	}
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

int
tmpdir_fini(struct tmpdir *t)
{
	int rc;

	if (t->path[0] == '\0')
		return 0;
	/* Depth first, so each folder is empty by the time it is removed. */
	rc = nftw(t->path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	if (rc != 0 && errno == ENOENT && access(t->path, F_OK) != 0)
		rc = 0;		/* the test removed it itself */
	if (rc != 0)
		fprintf(stderr, "tmpdir_fini: could not remove all of %s\n", t->path);
	t->path[0] = '\0';
	return rc == 0 ? 0 : -1;
}

char *
tmpdir_path(const struct tmpdir *t, const char *rel, char *out, size_t n)
{
	int len = snprintf(out, n, "%s/%s", t->path, rel);

	if (len < 0 || (size_t)len >= n) {
		fprintf(stderr, "tmpdir_path: %s/%s does not fit in %zu bytes\n", t->path, rel, n);
		abort();
	}
	return out;
}

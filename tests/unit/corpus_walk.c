/* corpus_walk: a recursive walk that reads each file. */
#include "tests/unit/corpus_walk.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsutil.h"

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

void
corpus_walk(const char *dir, const char *suffix,
    void (*fn)(const char *path, const char *body, size_t len, void *ctx),
    void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		fprintf(stderr, "corpus_walk: cannot open %s\n", dir);
		abort();
	}
	while ((e = readdir(d)) != NULL) {
		char path[1024], *body;
		struct stat st;
		size_t len;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			corpus_walk(path, suffix, fn, ctx);
			continue;
		}
		if ((suffix != NULL && !ends_with(e->d_name, suffix)) ||
		    fsutil_read(path, 1 << 20, &body, &len) != RC_OK)
			continue;
		fn(path, body, len, ctx);
		free(body);
	}
	closedir(d);
}

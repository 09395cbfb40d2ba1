/*
 * cache_fsck: walks a socialhub cache_dir with the real reader
 * (cache_read) and checks that every file the reader accepts is complete
 * and well-formed. Used by test_streams_kill.sh after each SIGKILL.
 *
 *   cache_fsck [--rss-bodies] CACHE_DIR
 *
 * Prints "files=N accepted=A rejected_partial=P corrupt_final=C invalid=I"
 * and exits 1 when an accepted file is invalid (I > 0) or a file under its
 * final name fails its check (C > 0: atomic replace should prevent that).
 * Temp files left by a kill (NAME.tmp.XXXXXX) are fed to the reader too:
 * a partial one must be rejected (P counts them).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "util/log.h"
#include "widgets/streams/cache.h"

struct fsck {
	bool rss_bodies;
	long files, accepted, partial, corrupt_final, invalid;
};

static bool
is_temp(const char *name)
{
	const char *t = strstr(name, ".tmp.");

	return t != NULL && strlen(t + 5) == 6;
}

/* The name the file has (or will have after the rename). */
static void
base_name(const char *name, char *out, size_t n)
{
	const char *t = strstr(name, ".tmp.");
	size_t len = t != NULL && is_temp(name) ? (size_t)(t - name) : strlen(name);

	snprintf(out, n, "%.*s", (int)len, name);
}

static bool
json_valid(const char *kind, const char *p, size_t n)
{
	json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL);
	bool ok = json_is_object(j);

	if (ok && strcmp(kind, "status.json") == 0)
		ok = json_is_integer(json_object_get(j, "next_due")) &&
		    json_is_string(json_object_get(j, "url"));
	else if (ok && strcmp(kind, "http.json") == 0)
		ok = json_is_string(json_object_get(j, "url"));
	else if (ok && (strcmp(kind, "items.json") == 0 || strcmp(kind, "feed.json") == 0))
		ok = json_is_array(json_object_get(j, "items")) &&
		    json_is_string(json_object_get(j, "version"));
	else if (ok && strcmp(kind, "meta.json") == 0)
		ok = json_is_string(json_object_get(j, "fingerprint")) &&
		    json_is_integer(json_object_get(j, "count"));
	json_decref(j);
	return ok;
}

static bool
content_valid(const struct fsck *f, const char *kind, const char *p, size_t n)
{
	static const char tail[] = "</rss>\n";

	if (strcmp(kind, "body") == 0) {
		if (!f->rss_bodies)
			return true;
		return n > 5 + sizeof(tail) && memcmp(p, "<?xml", 5) == 0 &&
		    memcmp(p + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0;
	}
	if (strstr(kind, ".json") != NULL)
		return json_valid(kind, p, n);
	return true;
}

static void
check_file(struct fsck *f, const char *path, const char *name)
{
	char kind[256], *data;
	size_t n;
	enum rc rc;

	f->files++;
	base_name(name, kind, sizeof(kind));
	rc = cache_read(path, CACHE_JSON_MAX, &data, &n);
	if (rc != RC_OK) {
		if (is_temp(name))
			f->partial++;
		else {
			f->corrupt_final++;
			fprintf(stderr, "cache_fsck: %s: %s under its final name\n", path, rc_str(rc));
		}
		return;
	}
	f->accepted++;
	if (!content_valid(f, kind, data, n)) {
		f->invalid++;
		fprintf(stderr, "cache_fsck: %s: accepted by the reader but INVALID\n", path);
	}
	free(data);
}

static void
walk(struct fsck *f, const char *dir, int depth)
{
	char path[4096];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (depth > 6 || (dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' || strcmp(d->d_name, "lock") == 0)
			continue;
		if (depth == 0 && strcmp(d->d_name, CACHE_MEDIA_DIR) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(f, path, depth + 1);
		else if (S_ISREG(st.st_mode))
			check_file(f, path, d->d_name);
	}
	closedir(dp);
}

int
main(int argc, char **argv)
{
	struct fsck f = { 0 };
	int i = 1;

	log_set_level(LOG_ERROR + 1);
	if (i < argc && strcmp(argv[i], "--rss-bodies") == 0) {
		f.rss_bodies = true;
		i++;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: cache_fsck [--rss-bodies] CACHE_DIR\n");
		return 2;
	}
	walk(&f, argv[i], 0);
	printf("files=%ld accepted=%ld rejected_partial=%ld corrupt_final=%ld invalid=%ld\n",
	    f.files, f.accepted, f.partial, f.corrupt_final, f.invalid);
	return f.invalid > 0 || f.corrupt_final > 0 ? 1 : 0;
}

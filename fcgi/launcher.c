/*
 * launcher: the `socialhub` command. It links the parser (libfeeds, libc,
 * Jansson; libxml2 only loaded when a document needs it) and runs
 * `parse` itself; every other command (serve, refresh, check-config,
 * keygen, CGI and socket-activated starts) it hands, in the same process
 * (same PID, file descriptors and environment), to socialhub-core.
 *
 * Why: socialhub-core links libcurl, OpenSSL, libfcgi, libconfuse and
 * their 40-odd shared libraries, whose loading and relocation cost about
 * 35 ms per process here, more than parsing a 3 MB feed takes.
 * `socialhub parse` is run once per file by scripts and pipelines, so it
 * runs with the parser's libraries only, and without a second exec.
 *
 * Where: next to this program first (the build tree), then in
 * PKGLIBEXECDIR (an installed tree). The launcher's own directory is
 * tried first so that a build tree never runs an older installed core.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "widgets/feeds/feed_cli.h"

#define LAUNCHER_CORE "socialhub-core"

/* dir/name into out; false when it does not fit. */
static int
join(char *out, size_t n, const char *dir, size_t dirlen, const char *name)
{
	int len = snprintf(out, n, "%.*s/%s", (int)dirlen, dir, name);

	return len > 0 && (size_t)len < n;
}

/* Replaces this process with dir/name; returns only when that fails. */
static void
try_exec(const char *dir, size_t dirlen, const char *name, char **argv,
    char *tried, size_t ntried)
{
	char path[PATH_MAX];

	if (!join(path, sizeof(path), dir, dirlen, name))
		return;
	execv(path, argv);
	if (errno != ENOENT || tried[0] == '\0')
		snprintf(tried, ntried, "%s: %s", path, strerror(errno));
}

int
main(int argc, char **argv)
{
	const char *name = LAUNCHER_CORE;
	char self[PATH_MAX], tried[PATH_MAX + 64] = "";
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "parse") == 0)
		return widgets_cmd_parse(argc - 1, argv + 1, NULL);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL)
			try_exec(self, (size_t)(slash - self), name, argv, tried, sizeof(tried));
	}
	try_exec(PKGLIBEXECDIR, strlen(PKGLIBEXECDIR), name, argv, tried, sizeof(tried));
	if (tried[0] == '\0')
		snprintf(tried, sizeof(tried), "%s/%s: %s", PKGLIBEXECDIR, name,
		    strerror(ENOENT));
	fprintf(stderr, "socialhub: cannot run %s (is socialhub installed completely?)\n",
	    tried);
	return 127;
}

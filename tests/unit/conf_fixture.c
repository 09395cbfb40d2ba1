/* conf_fixture: config_load on a text, stderr captured to a file. */
#include "tests/unit/conf_fixture.h"
#include "tests/unit/tmpdir_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The scratch folder of the test group (tmpdir_fixture.h). */
static struct tmpdir T;

int
conf_fixture_setup(void **state)
{
	(void)state;
	return tmpdir_init(&T, "conf");
}

int
conf_fixture_teardown(void **state)
{
	(void)state;
	return tmpdir_fini(&T);
}

const char *
conf_fixture_dir(void)
{
	return T.path;
}

enum rc
conf_fixture_load(const struct feature *features, const char *text,
    struct config **cfg, char **errs)
{
	char path[128], epath[128];
	int saved, fd;
	FILE *f;
	enum rc rc;
	long n;

	tmpdir_path(&T, "c.conf", path, sizeof(path));
	tmpdir_path(&T, "errors", epath, sizeof(epath));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	fflush(stderr);
	saved = dup(2);
	fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	rc = config_load(path, features, cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(epath, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*errs = calloc(1, (size_t)n + 1);
	assert_non_null(*errs);
	if (fread(*errs, 1, (size_t)n, f) != (size_t)n)
		fail();
	fclose(f);
	return rc;
}

void
conf_fixture_expect_once(const char *errs, const char *const *lines, size_t n)
{
	char want[512];
	const char *hit;

	for (size_t i = 0; i < n; i++) {
		tmpdir_path(&T, lines[i], want, sizeof(want));
		hit = strstr(errs, want);
		if (hit == NULL)
			fail_msg("missing: %s\nin:\n%s", want, errs);
		if (strstr(hit + 1, want) != NULL)
			fail_msg("twice: %s\nin:\n%s", want, errs);
	}
}

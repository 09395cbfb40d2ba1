/* arena_fixture: the group arena A of a cmocka test file, made by
 * arena_setup and freed by arena_teardown (cmocka_run_group_tests). For
 * test files only: it defines static objects. */
#ifndef SOCIALHUB_TESTS_ARENA_FIXTURE_H
#define SOCIALHUB_TESTS_ARENA_FIXTURE_H

#include "util/arena.h"

static struct arena *A;

static int
arena_setup(void **state)
{
	(void)state;
	A = arena_new(1 << 20, 0);
	return A != NULL ? 0 : -1;
}

static int
arena_teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

#endif

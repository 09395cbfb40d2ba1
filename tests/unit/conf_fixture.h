/* conf_fixture: a config text loaded from a temp folder, with what config_load
 * printed, for the tests of a feature's config section. */
#ifndef SOCIALHUB_TESTS_CONF_FIXTURE_H
#define SOCIALHUB_TESTS_CONF_FIXTURE_H

#include "fcgi/config.h"
#include "fcgi/feature.h"

/* cmocka group setup and teardown: make and remove the temp folder. */
int conf_fixture_setup(void **state);
int conf_fixture_teardown(void **state);

/* The temp folder (error lines name DIR/c.conf). */
const char *conf_fixture_dir(void);

/* Writes text to DIR/c.conf and loads it with features; *errs gets what
 * was printed to stderr (caller frees). */
enum rc conf_fixture_load(const struct feature *features, const char *text,
    struct config **cfg, char **errs);

/* Fails unless each of lines, after "DIR/", is in errs exactly once. */
void conf_fixture_expect_once(const char *errs, const char *const *lines, size_t n);

#endif

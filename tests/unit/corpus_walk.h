/* corpus_walk: every file of the vendored feedparser corpus
 * (tests/conformance/corpus), for the tests that compare two readers on it. */
#ifndef SOCIALHUB_TESTS_CORPUS_WALK_H
#define SOCIALHUB_TESTS_CORPUS_WALK_H

#include <stddef.h>

/* Calls fn with each regular file below dir (recursively, in directory
 * order) whose name ends in `suffix` (NULL: every file), read whole. */
void corpus_walk(const char *dir, const char *suffix,
    void (*fn)(const char *path, const char *body, size_t len, void *ctx),
    void *ctx);

#endif

/* catalog: the message catalogs, one JSON object per language, read once
 * at config load: English compiled in, then the shipped files, then the
 * site's own, each adding keys or overriding them. */
#ifndef SOCIALHUB_UTIL_CATALOG_H
#define SOCIALHUB_UTIL_CATALOG_H

#include <stddef.h>

#include <jansson.h>

#include "util/rc.h"

#define CATALOG_FILE_MAX (256u * 1024)   /* bytes of one catalog file */
#define CATALOG_LANGS_MAX 128            /* languages in all */
#define CATALOG_DEFAULT "en"             /* what every missing key falls back to */

struct catalog;

/*
 * Loads the catalogs: the compiled-in English, then every TAG.json of
 * `shipped` (may be NULL or missing: English only), then of `site` (may
 * be NULL; must exist when given). A file is one JSON object whose values
 * are strings, or objects of strings by CLDR plural category ("one",
 * "other", ...; "other" required). A later file's keys replace the
 * earlier ones'. On a bad directory, file or value, RC_CONFIG with the
 * reason ("FILE: key \"x\": ...") in err, and *out NULL.
 */
enum rc catalog_load(const char *shipped, const char *site, char *err, size_t errlen,
    struct catalog **out);
void catalog_free(struct catalog *c);

/* The languages there are catalogs for (CATALOG_DEFAULT among them). */
const char *const *catalog_langs(const struct catalog *c, size_t *n);

/* The catalog language that serves `tag` best (locale_match), or NULL. */
const char *catalog_lang(const struct catalog *c, const char *tag);

/*
 * The message `key` in `lang` (a catalog_langs entry; another falls back
 * at once), else in lang with its last subtag dropped, else in English,
 * else the key itself: never NULL. For a plural entry its "other" form.
 */
const char *catalog_get(const struct catalog *c, const char *lang, const char *key);

/* The plural entry `key`'s form for category `cat` ("one", "few"...),
 * else its "other", with catalog_get's fallbacks. */
const char *catalog_plural(const struct catalog *c, const char *lang, const char *key,
    const char *cat);

/*
 * A new object of every key whose name starts with `prefix`, as
 * catalog_get would answer in lang (for the browser's copy); NULL on no
 * memory. The caller owns the reference.
 */
json_t *catalog_export(const struct catalog *c, const char *lang, const char *prefix);

#endif

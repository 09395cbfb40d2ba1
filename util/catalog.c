/* catalog: message catalogs by language, with fallbacks to English. */
#include "util/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/catalog_en.h"
#include "util/fsutil.h"
#include "util/locale.h"

struct catalog {
	size_t n;
	char *langs[CATALOG_LANGS_MAX + 1];   /* NULL-terminated */
	json_t *msgs[CATALOG_LANGS_MAX];
};

static bool
plural_ok(const json_t *v)
{
	const char *k;
	json_t *s;

	if (!json_is_string(json_object_get(v, "other")))
		return false;
	json_object_foreach((json_t *)v, k, s)
		if (!json_is_string(s))
			return false;
	return true;
}

/* Checks one parsed file's values; the message names the first bad key. */
static enum rc
check_values(const json_t *o, const char *file, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o)) {
		snprintf(err, errlen, "%s: not a JSON object of messages", file);
		return RC_CONFIG;
	}
	json_object_foreach((json_t *)o, k, v)
		if (!json_is_string(v) && !(json_is_object(v) && plural_ok(v))) {
			snprintf(err, errlen, "%s: key \"%s\": a message is a string or an "
			    "object of strings by plural category with \"other\"", file, k);
			return RC_CONFIG;
		}
	return RC_OK;
}

static json_t *
find(const struct catalog *c, const char *lang, size_t len)
{
	for (size_t i = 0; c != NULL && lang != NULL && i < c->n; i++)
		if (strlen(c->langs[i]) == len && strncasecmp(c->langs[i], lang, len) == 0)
			return c->msgs[i];
	return NULL;
}

/* Adds (or merges into) lang's object; takes o. */
static enum rc
add(struct catalog *c, const char *lang, json_t *o, char *err, size_t errlen)
{
	json_t *have = find(c, lang, strlen(lang));

	if (have != NULL) {
		int r = json_object_update(have, o);
		json_decref(o);
		return r == 0 ? RC_OK : RC_NOMEM;
	}
	if (c->n == CATALOG_LANGS_MAX) {
		json_decref(o);
		snprintf(err, errlen, "more than %d catalog languages", CATALOG_LANGS_MAX);
		return RC_CONFIG;
	}
	if ((c->langs[c->n] = strdup(lang)) == NULL) {
		json_decref(o);
		return RC_NOMEM;
	}
	c->msgs[c->n++] = o;
	return RC_OK;
}

static enum rc
parse(const char *data, size_t len, const char *file, char *err, size_t errlen, json_t **out)
{
	json_error_t je;
	enum rc rc;

	*out = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (*out == NULL) {
		snprintf(err, errlen, "%s: line %d: %s", file, je.line, je.text);
		return RC_CONFIG;
	}
	if ((rc = check_values(*out, file, err, errlen)) != RC_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* One TAG.json of dir. Other names are not catalogs: skipped. */
static enum rc
load_file(struct catalog *c, const char *dir, const char *name, char *err, size_t errlen)
{
	char lang[LOCALE_TAG_MAX + 1], path[4096];
	size_t n = strlen(name);
	char *data = NULL;
	size_t len;
	json_t *o;
	enum rc rc;

	if (n <= 5 || n - 5 > LOCALE_TAG_MAX || strcmp(name + n - 5, ".json") != 0)
		return RC_OK;
	memcpy(lang, name, n - 5);
	lang[n - 5] = '\0';
	if (!locale_tag_ok(lang))
		return RC_OK;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return RC_CONFIG;
	}
	if (fsutil_read(path, CATALOG_FILE_MAX, &data, &len) != RC_OK) {
		snprintf(err, errlen, "%s: cannot read (at most %u bytes)", path, CATALOG_FILE_MAX);
		return RC_CONFIG;
	}
	rc = parse(data, len, path, err, errlen, &o);
	free(data);
	return rc == RC_OK ? add(c, lang, o, err, errlen) : rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every catalog of dir, in name order (so a load is the same each time). */
static enum rc
load_dir(struct catalog *c, const char *dir, bool must, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[CATALOG_LANGS_MAX * 2];
	size_t n = 0;
	enum rc rc = RC_OK;

	if (d == NULL) {
		if (!must && errno == ENOENT)
			return RC_OK;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return RC_CONFIG;
	}
	while ((e = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0]))
		if (e->d_name[0] != '.' && (names[n] = strdup(e->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == RC_OK)
			rc = load_file(c, dir, names[i], err, errlen);
		free(names[i]);
	}
	return rc;
}

enum rc
catalog_load(const char *shipped, const char *site, char *err, size_t errlen,
    struct catalog **out)
{
	struct catalog *c = calloc(1, sizeof(*c));
	json_t *en = NULL;
	enum rc rc;

	*out = NULL;
	if (c == NULL)
		return RC_NOMEM;
	rc = parse((const char *)catalog_en, catalog_en_len, "en (built in)", err, errlen, &en);
	if (rc == RC_OK)
		rc = add(c, CATALOG_DEFAULT, en, err, errlen);
	if (rc == RC_OK && shipped != NULL)
		rc = load_dir(c, shipped, false, err, errlen);
	if (rc == RC_OK && site != NULL)
		rc = load_dir(c, site, true, err, errlen);
	if (rc != RC_OK) {
		catalog_free(c);
		return rc;
	}
	*out = c;
	return RC_OK;
}

void
catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->langs[i]);
		json_decref(c->msgs[i]);
	}
	free(c);
}

const char *const *
catalog_langs(const struct catalog *c, size_t *n)
{
	static const char *const none[] = { NULL };

	if (c == NULL) {
		*n = 0;
		return none;
	}
	*n = c->n;
	return (const char *const *)c->langs;
}

const char *
catalog_lang(const struct catalog *c, const char *tag)
{
	if (c == NULL)
		return NULL;
	return locale_match(tag, (const char *const *)c->langs, c->n);
}

/* The entry for key: lang, lang less its subtags one by one, English. */
static const json_t *
entry(const struct catalog *c, const char *lang, const char *key)
{
	size_t len = lang != NULL && locale_tag_ok(lang) ? strlen(lang) : 0;
	const json_t *v;

	while (len > 0) {
		if ((v = json_object_get(find(c, lang, len), key)) != NULL)
			return v;
		while (len > 0 && lang[len - 1] != '-')
			len--;
		if (len > 0)
			len--;   /* the '-' */
	}
	return json_object_get(find(c, CATALOG_DEFAULT, strlen(CATALOG_DEFAULT)), key);
}

const char *
catalog_plural(const struct catalog *c, const char *lang, const char *key, const char *cat)
{
	const json_t *v = entry(c, lang, key);
	const json_t *form;

	if (json_is_string(v))
		return json_string_value(v);
	if (v == NULL)
		return key;
	form = cat != NULL ? json_object_get(v, cat) : NULL;
	return json_string_value(json_is_string(form) ? form : json_object_get(v, "other"));
}

const char *
catalog_get(const struct catalog *c, const char *lang, const char *key)
{
	return catalog_plural(c, lang, key, NULL);
}

json_t *
catalog_export(const struct catalog *c, const char *lang, const char *prefix)
{
	json_t *out = json_object();
	json_t *en = find(c, CATALOG_DEFAULT, strlen(CATALOG_DEFAULT));
	size_t plen = strlen(prefix);
	const char *k;
	json_t *v;

	if (out == NULL || en == NULL)
		return out;
	/* English has every key: the others only translate them. */
	json_object_foreach(en, k, v) {
		const json_t *mine;
		if (strncmp(k, prefix, plen) != 0)
			continue;
		mine = entry(c, lang, k);
		if (json_object_set(out, k, (json_t *)mine) != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

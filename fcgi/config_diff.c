/* config_diff: what a reload from one configuration to another changes. */
#include "autoconf.h"
#include "fcgi/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cfgscan.h"
#include "util/fsutil.h"

/* Keys a reload does not apply: the master keeps its socket. */
static const char *const restart_only[] = { "listen", "listen_mode", "listen_public", NULL };

static bool
needs_restart(const char *where, const char *key)
{
	if (*where != '\0')
		return false;
	for (size_t i = 0; restart_only[i] != NULL; i++)
		if (strcmp(restart_only[i], key) == 0)
			return true;
	return false;
}

/* The option `name` of sec, without cfg_getopt (it reports a name it does
 * not know). */
static cfg_opt_t *
opt_of(cfg_t *sec, const char *name)
{
	for (cfg_opt_t *o = sec->opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* The values of a non-section option as one string (malloc'd). */
static char *
values_text(cfg_opt_t *o)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return NULL;
	fprintf(f, "%u:", cfg_opt_size(o));
	for (unsigned i = 0; i < cfg_opt_size(o); i++) {
		cfg_opt_nprint_var(o, i, f);
		fputc('\n', f);
	}
	fclose(f);
	return text;
}

static cfg_t *
section_titled(cfg_opt_t *o, const char *title)
{
	for (unsigned i = 0; i < cfg_opt_size(o); i++) {
		cfg_t *s = cfg_opt_getnsec(o, i);
		const char *t = cfg_title(s);
		if ((t == NULL && title == NULL) || (t != NULL && title != NULL && strcmp(t, title) == 0))
			return s;
	}
	return NULL;
}

static void walk(cfg_t *a, cfg_t *b, const char *where, FILE *out, size_t *n);

static void
say(FILE *out, size_t *n, const char *verb, const char *what, const char *title,
    const char *where)
{
	fprintf(out, "  %s %s%s%s%s%s\n", verb, what, title != NULL ? " " : "",
	    title != NULL ? title : "", *where != '\0' ? " in " : "", where);
	(*n)++;
}

/* Sections of option oa (old) and ob (new): added, removed, changed. */
static void
walk_sections(cfg_opt_t *oa, cfg_opt_t *ob, const char *where, FILE *out, size_t *n)
{
	char inner[512];

	for (unsigned i = 0; i < cfg_opt_size(oa); i++) {
		cfg_t *s = cfg_opt_getnsec(oa, i);
		if (section_titled(ob, cfg_title(s)) == NULL)
			say(out, n, "removes", oa->name, cfg_title(s), where);
	}
	for (unsigned i = 0; i < cfg_opt_size(ob); i++) {
		cfg_t *s = cfg_opt_getnsec(ob, i), *old = section_titled(oa, cfg_title(s));
		const char *t = cfg_title(s);
		if (old == NULL) {
			say(out, n, "adds", ob->name, t, where);
			continue;
		}
		snprintf(inner, sizeof(inner), "%s%s%s%s%s", ob->name, t != NULL ? " " : "",
		    t != NULL ? t : "", *where != '\0' ? " in " : "", where);
		walk(old, s, inner, out, n);
	}
}

static void
walk(cfg_t *a, cfg_t *b, const char *where, FILE *out, size_t *n)
{
	for (cfg_opt_t *ob = b->opts; ob->name != NULL; ob++) {
		cfg_opt_t *oa = opt_of(a, ob->name);
		char *va, *vb;
		if (oa == NULL)
			continue;
		if (ob->type == CFGT_SEC) {
			walk_sections(oa, ob, where, out, n);
			continue;
		}
		va = values_text(oa);
		vb = values_text(ob);
		if (va != NULL && vb != NULL && strcmp(va, vb) != 0) {
			/* Which key, never its value: it may be a secret. */
			say(out, n, "changes", ob->name, NULL, where);
			if (needs_restart(where, ob->name))
				fprintf(out, "    (only a restart applies %s; a reload keeps the socket)\n",
				    ob->name);
		}
		free(va);
		free(vb);
	}
}

size_t
config_diff(const struct config *old, const struct config *cur, FILE *out)
{
	size_t n = 0;

	walk(old->root, cur->root, "", out, &n);
	return n;
}

char *
config_running_path(const struct config *cfg)
{
	char *p = NULL;

	if (asprintf(&p, "%s/running.conf", cfg->state_dir) < 0)
		return NULL;
	return p;
}

enum rc
config_save_running(const struct config *cfg)
{
	char *path = config_running_path(cfg);
	enum rc rc;

	if (path == NULL)
		return RC_NOMEM;
	rc = fsutil_write_atomic(path, cfg->scan->raw, cfg->scan->len, 0600);
	free(path);
	return rc;
}

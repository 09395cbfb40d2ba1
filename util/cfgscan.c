/* cfgscan: a scan of a libconfuse file for where each key and section is,
 * following libconfuse's lexer (lexer.l of libconfuse 3.3). */
#include "util/cfgscan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFGSCAN_DEPTH 64

enum tok_kind { TOK_EOF, TOK_WORD, TOK_PUNCT };

struct tok {
	enum tok_kind kind;
	int c;             /* TOK_PUNCT: '{' '}' '(' ')' '=' ',' '+' (for "+=") */
	const char *p;     /* TOK_WORD: the word, or a string's inside */
	size_t n;
	int line;
};

struct lex {
	char *t;
	size_t len, pos;
	int line;
};

/* Characters that end an unquoted word (libconfuse's unquoted string). */
static bool
word_char(char c)
{
	return c != '\0' && strchr(" #\"'\t\n\r={}()+,*", c) == NULL;
}

/* Blanks t[from..to) but its newlines, counting them. */
static void
blank(struct lex *lx, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (lx->t[i] == '\n')
			lx->line++;
		else
			lx->t[i] = ' ';
	}
}

/* A quoted string from lx->pos (its quote); '\\' escapes the next
 * character in both kinds as far as the end is concerned. */
static void
lex_string(struct lex *lx, struct tok *t)
{
	char q = lx->t[lx->pos++];

	t->kind = TOK_WORD;
	t->p = lx->t + lx->pos;
	while (lx->pos < lx->len && lx->t[lx->pos] != q) {
		if (lx->t[lx->pos] == '\\' && lx->pos + 1 < lx->len)
			lx->pos++;
		lx->line += lx->t[lx->pos] == '\n';
		lx->pos++;
	}
	t->n = (size_t)(lx->t + lx->pos - t->p);
	if (lx->pos < lx->len)
		lx->pos++;
}

/* Length of the unquoted word at lx->pos. */
static size_t
word_len(const struct lex *lx)
{
	size_t n = 0;

	while (lx->pos + n < lx->len && word_char(lx->t[lx->pos + n]))
		n++;
	return n;
}

/* Skips a comment at lx->pos, blanking it; false when there is none. flex
 * takes the longest match: "//x" is a word, "// x" a comment. */
static bool
lex_comment(struct lex *lx)
{
	const char *c = lx->t + lx->pos, *end;
	size_t slashes = 0;

	if (c[0] == '/' && lx->pos + 1 < lx->len && c[1] == '*') {
		end = strstr(c + 2, "*/");
		blank(lx, lx->pos, end != NULL ? (size_t)(end + 2 - lx->t) : lx->len);
		lx->pos = end != NULL ? (size_t)(end + 2 - lx->t) : lx->len;
		return true;
	}
	while (lx->pos + slashes < lx->len && c[slashes] == '/')
		slashes++;
	if (c[0] != '#' && (slashes < 2 || word_len(lx) > slashes))
		return false;
	end = memchr(c, '\n', lx->len - lx->pos);
	blank(lx, lx->pos, end != NULL ? (size_t)(end - lx->t) : lx->len);
	lx->pos = end != NULL ? (size_t)(end - lx->t) : lx->len;
	return true;
}

static void
lex_next(struct lex *lx, struct tok *t)
{
	for (;;) {
		char c;

		if (lx->pos >= lx->len) {
			t->kind = TOK_EOF;
			t->line = lx->line;
			return;
		}
		c = lx->t[lx->pos];
		t->line = lx->line;
		if (c == '\n') {
			lx->line++;
			lx->pos++;
		} else if ((c == '#' || c == '/') && lex_comment(lx)) {
			continue;
		} else if (c == '"' || c == '\'') {
			lex_string(lx, t);
			return;
		} else if (strchr("{}()=,", c) != NULL ||
		    (c == '+' && lx->pos + 1 < lx->len && lx->t[lx->pos + 1] == '=')) {
			t->kind = TOK_PUNCT;
			t->c = c;
			lx->pos += c == '+' ? 2 : 1;
			return;
		} else if (c == '$' && lx->pos + 1 < lx->len && lx->t[lx->pos + 1] == '{' &&
		    memchr(lx->t + lx->pos, '}', lx->len - lx->pos) != NULL) {
			const char *close = memchr(lx->t + lx->pos, '}', lx->len - lx->pos);
			t->kind = TOK_WORD;
			t->p = lx->t + lx->pos;
			t->n = (size_t)(close + 1 - t->p);
			lx->pos += t->n;
			return;
		} else if (word_char(c)) {
			t->kind = TOK_WORD;
			t->p = lx->t + lx->pos;
			t->n = word_len(lx);
			lx->pos += t->n;
			return;
		} else {
			lx->pos++; /* what libconfuse's lexer eats: blanks, '\r', '*' */
		}
	}
}

static bool
grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return true; /* room left: 8, then doubled at each power of two */
	p = realloc(*arr, (n == 0 ? 8 : n * 2) * size);
	if (p == NULL)
		return false;
	*arr = p;
	return true;
}

static bool
add_key(struct cfgscan *s, size_t sec, const struct tok *k)
{
	struct cfgscan_key *e;

	if (!grow((void **)&s->keys, s->nkeys, sizeof(*s->keys)))
		return false;
	e = &s->keys[s->nkeys];
	e->line = k->line;
	e->sec = sec;
	e->name = strndup(k->p, k->n);
	if (e->name == NULL)
		return false;
	s->nkeys++;
	return true;
}

/* Opens section `name` [title] inside `parent`; its index in *out. */
static bool
add_sec(struct cfgscan *s, size_t parent, const struct tok *name,
    const struct tok *title, size_t *out)
{
	const char *pp = s->secs[parent].path;
	struct cfgscan_sec *e;
	int n;

	if (!grow((void **)&s->secs, s->nsecs, sizeof(*s->secs)))
		return false;
	e = &s->secs[s->nsecs];
	e->line = name->line;
	if (title != NULL)
		n = asprintf(&e->path, "%s%s%.*s %.*s", pp, *pp != '\0' ? "/" : "",
		    (int)name->n, name->p, (int)title->n, title->p);
	else
		n = asprintf(&e->path, "%s%s%.*s", pp, *pp != '\0' ? "/" : "",
		    (int)name->n, name->p);
	if (n < 0)
		return false;
	*out = s->nsecs++;
	return true;
}

/* States of the scan's parser: what comes next. */
enum state { S_KEY, S_AFTER_KEY, S_VALUE, S_LIST, S_OPEN, S_FUNC };

/* Follows libconfuse's grammar far enough to tell keys, list entries,
 * section titles and braces apart; bad syntax is libconfuse's to report. */
static bool
parse(struct cfgscan *s, struct lex *lx)
{
	size_t stack[CFGSCAN_DEPTH], depth = 0, cur = 0;
	int open_line[CFGSCAN_DEPTH];
	enum state st = S_KEY;
	struct tok t, key = { 0 }, title = { 0 };
	bool titled = false;

	for (lex_next(lx, &t); t.kind != TOK_EOF; lex_next(lx, &t)) {
		bool punct = t.kind == TOK_PUNCT;
		if (punct && t.c == '(' && s->paren == 0)
			s->paren = t.line;
		switch (st) {
		case S_KEY:
			if (punct && t.c == '}' && depth > 0)
				cur = stack[--depth];
			else if (!punct) {
				key = t;
				titled = false;
				st = S_AFTER_KEY;
			}
			break;
		case S_AFTER_KEY:
		case S_OPEN:
			if (punct && (t.c == '=' || t.c == '+') && st == S_AFTER_KEY) {
				if (!add_key(s, cur, &key))
					return false;
				st = S_VALUE;
			} else if (punct && t.c == '{') {
				size_t idx;
				if (!add_sec(s, cur, &key, titled ? &title : NULL, &idx))
					return false;
				if (depth < CFGSCAN_DEPTH) {
					open_line[depth] = t.line;
					stack[depth++] = cur;
				}
				cur = idx;
				st = S_KEY;
			} else if (!punct && st == S_AFTER_KEY) {
				title = t;
				titled = true;
				st = S_OPEN;
			} else {
				st = punct && t.c == '(' ? S_FUNC : S_KEY;
			}
			break;
		case S_VALUE:
			st = punct && t.c == '{' ? S_LIST : S_KEY;
			break;
		case S_LIST:
			if (punct && t.c == '}')
				st = S_KEY;
			break;
		case S_FUNC:
			if (punct && t.c == ')')
				st = S_KEY;
			break;
		}
	}
	s->unclosed = depth > 0 ? open_line[depth - 1] : 0;
	return true;
}

enum rc
cfgscan_text(const char *text, size_t len, struct cfgscan **out)
{
	struct cfgscan *s = calloc(1, sizeof(*s));
	struct lex lx;

	*out = NULL;
	if (s == NULL)
		return RC_NOMEM;
	s->text = malloc(len + 1);
	s->raw = malloc(len + 1);
	s->secs = calloc(8, sizeof(*s->secs));
	if (s->text == NULL || s->raw == NULL || s->secs == NULL || (s->secs[0].path = strdup("")) == NULL) {
		cfgscan_free(s);
		return RC_NOMEM;
	}
	s->nsecs = 1;
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	memcpy(s->raw, text, len);
	s->raw[len] = '\0';
	s->len = len;
	lx = (struct lex){ .t = s->text, .len = len, .pos = 0, .line = 1 };
	if (!parse(s, &lx)) {
		cfgscan_free(s);
		return RC_NOMEM;
	}
	*out = s;
	return RC_OK;
}

enum rc
cfgscan_file(const char *path, size_t max, struct cfgscan **out)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	enum rc rc;
	int err;

	*out = NULL;
	if (f == NULL)
		return errno == ENOENT ? RC_NOTFOUND : RC_IO;
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		return RC_NOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	err = ferror(f) ? errno : 0;
	fclose(f);
	if (err != 0 || n > max) {
		free(buf);
		errno = err;
		return err != 0 ? RC_IO : RC_TOOBIG;
	}
	rc = cfgscan_text(buf, n, out);
	free(buf);
	return rc;
}

void
cfgscan_free(struct cfgscan *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nkeys; i++)
		free(s->keys[i].name);
	for (size_t i = 0; i < s->nsecs; i++)
		free(s->secs[i].path);
	free(s->keys);
	free(s->secs);
	free(s->text);
	free(s->raw);
	free(s);
}

int
cfgscan_key_line(const struct cfgscan *s, const char *path, const char *key)
{
	for (size_t i = s->nkeys; i-- > 0;)
		if (strcmp(s->keys[i].name, key) == 0 &&
		    strcmp(s->secs[s->keys[i].sec].path, path) == 0)
			return s->keys[i].line;
	return 0;
}

int
cfgscan_section_line(const struct cfgscan *s, const char *path)
{
	for (size_t i = s->nsecs; i-- > 1;)
		if (strcmp(s->secs[i].path, path) == 0)
			return s->secs[i].line;
	return 0;
}

/* mod_rules: the moderation rules of a stream, applied to one item. Case
 * folding and letter classes come from ICU: a hand-made table would miss
 * most of Unicode (ß -> ss, Greek final sigma, Cherokee, ...). */
#include "widgets/streams/mod_rules.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>
#include <unicode/ucasemap.h>
#include <unicode/utf8.h>

#include "util/url.h"

#define MOD_FOLD_MAX (1u << 20)   /* folded text is cut here */

bool
mod_mode_parse(const char *s, enum mod_mode *out)
{
	if (s != NULL && strcmp(s, "auto") == 0)
		*out = MOD_AUTO;
	else if (s != NULL && strcmp(s, "queue") == 0)
		*out = MOD_QUEUE;
	else
		return false;
	return true;
}

const char *
mod_mode_name(enum mod_mode m)
{
	return m == MOD_QUEUE ? "queue" : "auto";
}

char *
mod_fold(struct arena *a, const char *s)
{
	UErrorCode err = U_ZERO_ERROR;
	UCaseMap *cm;
	size_t n = strlen(s);
	int32_t cap, got;
	char *out;

	if (n > MOD_FOLD_MAX || !utf8_valid(s, n))
		return NULL;
	/* Folding grows text at most threefold (one code point to three). */
	cap = (int32_t)(n * 3 + 1);
	if ((out = arena_alloc(a, (size_t)cap)) == NULL)
		return NULL;
	if ((cm = ucasemap_open("", U_FOLD_CASE_DEFAULT, &err)) == NULL || U_FAILURE(err))
		return NULL;
	got = ucasemap_utf8FoldCase(cm, out, cap, s, (int32_t)n, &err);
	ucasemap_close(cm);
	if (U_FAILURE(err) || got >= cap)
		return NULL;
	out[got] = '\0';
	return out;
}

/* Letters, digits, '_' and combining marks belong to a word. */
static bool
word_cp(UChar32 c)
{
	int8_t t;

	if (c < 0)
		return false;
	if (c == '_' || u_isalnum(c) || u_hasBinaryProperty(c, UCHAR_ALPHABETIC))
		return true;
	t = u_charType(c);
	return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

static bool
starts_word(const char *w, size_t n)
{
	int32_t i = 0;
	UChar32 c;

	U8_NEXT(w, i, (int32_t)n, c);
	return word_cp(c);
}

static bool
ends_word(const char *w, size_t n)
{
	int32_t i = (int32_t)n;
	UChar32 c;

	U8_PREV(w, 0, i, c);
	return word_cp(c);
}

bool
mod_word_in(const char *text, const char *word)
{
	size_t n = strlen(word), tl = strlen(text);
	bool prefix = n > 0 && word[n - 1] == '*';
	const char *p = text;

	if (prefix)
		n--;
	if (n == 0 || n > tl)
		return false;
	while ((p = memmem(p, tl - (size_t)(p - text), word, n)) != NULL) {
		size_t at = (size_t)(p - text);
		bool left = at == 0 || !starts_word(word, n) || !ends_word(text, at);
		bool right = prefix || at + n == tl || !ends_word(word, n) ||
		    !starts_word(p + n, tl - at - n);
		if (left && right)
			return true;
		p++;
	}
	return false;
}

bool
mod_domain_match(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (d == 0 || h < d || strcasecmp(host + h - d, domain) != 0)
		return false;
	return h == d || host[h - d - 1] == '.';
}

char *
mod_author_handle(struct arena *a, const struct feed_item *it)
{
	const char *url = it->nauthors > 0 && it->authors != NULL ? it->authors[0].url : NULL;
	struct url u;
	char *h = NULL;

	if (url == NULL || url_parse(a, url, &u) != RC_OK)
		return NULL;
	if (strcmp(u.host, "bsky.app") == 0 && strncmp(u.path, "/profile/", 9) == 0 &&
	    u.path[9] != '\0' && strchr(u.path + 9, '/') == NULL)
		h = arena_printf(a, "@%s", u.path + 9);
	else if (strncmp(u.path, "/@", 2) == 0 && u.path[2] != '\0' && strchr(u.path + 2, '/') == NULL)
		h = arena_printf(a, "@%s@%s", u.path + 2, u.host);
	for (char *p = h; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return h;
}

/* An author entry names the item's author: its handle or profile URL. */
static bool
author_in(struct arena *a, const struct feed_item *it, const char *handle,
    const char **list, size_t n, const char **hit)
{
	const char *url = it->nauthors > 0 && it->authors != NULL ? it->authors[0].url : NULL;

	for (size_t i = 0; i < n; i++) {
		const char *e = list[i];
		if ((handle != NULL && strcasecmp(e, handle) == 0) ||
		    (url != NULL && strcasecmp(e, url) == 0)) {
			*hit = e;
			return true;
		}
	}
	(void)a;
	return false;
}

/* Does a link's host fall under a blocked domain? */
static const char *
link_blocked(struct arena *a, const struct mod_rules *r, const char *link)
{
	struct url u;

	if (link == NULL || url_parse(a, link, &u) != RC_OK)
		return NULL;
	for (size_t i = 0; i < r->ndomains; i++)
		if (mod_domain_match(u.host, r->blocked_domains[i]))
			return r->blocked_domains[i];
	return NULL;
}

/* The links of sanitized HTML: its href="..." values (the sanitizer
 * writes every attribute double-quoted). */
static const char *
html_links_blocked(struct arena *a, const struct mod_rules *r, const char *html)
{
	const char *p = html, *hit;

	while (p != NULL && (p = strstr(p, "href=\"")) != NULL) {
		const char *q = strchr(p + 6, '"');
		char *link;
		if (q == NULL)
			break;
		link = arena_strndup(a, p + 6, (size_t)(q - p - 6));
		if ((hit = link_blocked(a, r, link)) != NULL)
			return hit;
		p = q;
	}
	return NULL;
}

static const char *
word_hit(struct arena *a, const struct mod_rules *r, const struct feed_item *it,
    const char *text)
{
	const char *parts[] = { text, it->content_warning };

	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
		char *folded = parts[k] != NULL ? mod_fold(a, parts[k]) : NULL;
		for (size_t i = 0; folded != NULL && i < r->nwords; i++) {
			char *w = mod_fold(a, r->blocked_words[i]);
			if (w != NULL && mod_word_in(folded, w))
				return r->blocked_words[i];
		}
	}
	return NULL;
}

enum mod_verdict
mod_rules_check(struct arena *a, const struct mod_rules *r, const struct feed_item *it,
    const char *text, char *reason)
{
	char *handle = mod_author_handle(a, it);
	const char *hit = NULL;

	reason[0] = '\0';
	if (author_in(a, it, handle, r->blocked_authors, r->nblocked_authors, &hit)) {
		snprintf(reason, MOD_REASON_MAX, "blocked author %.100s", hit);
	} else if ((hit = word_hit(a, r, it, text)) != NULL) {
		snprintf(reason, MOD_REASON_MAX, "blocked word \"%.100s\"", hit);
	} else if ((hit = link_blocked(a, r, it->external_url)) != NULL ||
	    (it->content_html != NULL && (hit = html_links_blocked(a, r, it->content_html)) != NULL)) {
		snprintf(reason, MOD_REASON_MAX, "link to blocked domain %.100s", hit);
	} else if (r->reject_sensitive && (it->sensitive || it->content_warning != NULL)) {
		snprintf(reason, MOD_REASON_MAX, "sensitive media");
		hit = "";
	}
	if (hit != NULL)
		return MOD_VERDICT_REJECT;
	if (author_in(a, it, handle, r->trusted_authors, r->ntrusted, &hit)) {
		snprintf(reason, MOD_REASON_MAX, "trusted author %.100s", hit);
		return MOD_VERDICT_APPROVE;
	}
	return MOD_VERDICT_QUEUE;
}

bool
mod_rules_any(const struct mod_rules *r)
{
	return r->ntrusted > 0 || r->nblocked_authors > 0 || r->nwords > 0 || r->ndomains > 0 ||
	    r->reject_sensitive;
}

/* urlres: RFC 3986 section 5 reference resolution, with browser clean-up. */
#include "util/urlres.h"

#include <string.h>
#include <strings.h>

static bool
scheme_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	if (first)
		return false;
	return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

void
urlres_split(const char *s, size_t n, struct urlres_parts *p)
{
	size_t i = 0, start;

	memset(p, 0, sizeof(*p));
	/* scheme ":" — only a valid scheme counts (RFC 3986 3.1). */
	while (i < n && scheme_char(s[i], i == 0))
		i++;
	if (i > 0 && i < n && s[i] == ':') {
		p->has_scheme = true;
		p->scheme = s;
		p->scheme_len = i;
		i++;
	} else {
		i = 0;
	}
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		start = i;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		p->has_authority = true;
		p->authority = s + start;
		p->authority_len = i - start;
	}
	start = i;
	while (i < n && s[i] != '?' && s[i] != '#')
		i++;
	p->path = s + start;
	p->path_len = i - start;
	if (i < n && s[i] == '?') {
		start = ++i;
		while (i < n && s[i] != '#')
			i++;
		p->has_query = true;
		p->query = s + start;
		p->query_len = i - start;
	}
	if (i < n && s[i] == '#') {
		i++;
		p->has_fragment = true;
		p->fragment = s + i;
		p->fragment_len = n - i;
	}
}

static bool
trim_char(unsigned char c)
{
	return c <= 0x20;
}

char *
urlres_clean(struct arena *a, const char *s)
{
	size_t n, i, j = 0;
	char *d;

	if (s == NULL)
		return NULL;
	while (*s != '\0' && trim_char((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && trim_char((unsigned char)s[n - 1]))
		n--;
	d = arena_alloc(a, n + 1);
	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			d[j++] = s[i];
	}
	d[j] = '\0';
	return d;
}

bool
urlres_scheme(const char *s, char *out, size_t outsz)
{
	size_t i = 0, j = 0;

	if (s == NULL || outsz == 0)
		return false;
	while (*s != '\0' && trim_char((unsigned char)*s))
		s++;
	for (;; i++) {
		char c = s[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ':')
			break;
		if (!scheme_char(c, j == 0) || j + 1 >= outsz)
			return false;
		out[j++] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
	}
	if (j == 0)
		return false;
	out[j] = '\0';
	return true;
}

bool
urlres_is_absolute(const char *s)
{
	char tmp[32];

	return urlres_scheme(s, tmp, sizeof(tmp));
}

/* Drops the last segment (and the '/' before it) from out[0..*len). */
static void
pop_segment(char *out, size_t *len)
{
	while (*len > 0 && out[*len - 1] != '/')
		(*len)--;
	if (*len > 0)
		(*len)--;
}

size_t
urlres_remove_dot_segments(const char *in, size_t n, char *out)
{
	size_t i = 0, len = 0;

	while (i < n) {
		size_t rest = n - i;
		const char *p = in + i;

		if (rest >= 3 && memcmp(p, "../", 3) == 0) {
			i += 3;
		} else if (rest >= 2 && memcmp(p, "./", 2) == 0) {
			i += 2;
		} else if (rest >= 3 && memcmp(p, "/./", 3) == 0) {
			i += 2;
		} else if (rest == 2 && memcmp(p, "/.", 2) == 0) {
			out[len++] = '/';
			i = n;
		} else if (rest >= 4 && memcmp(p, "/../", 4) == 0) {
			i += 3;
			pop_segment(out, &len);
		} else if (rest == 3 && memcmp(p, "/..", 3) == 0) {
			pop_segment(out, &len);
			out[len++] = '/';
			i = n;
		} else if ((rest == 1 && p[0] == '.') ||
		    (rest == 2 && memcmp(p, "..", 2) == 0)) {
			i = n;
		} else {
			if (*p == '/')
				out[len++] = in[i++];
			while (i < n && in[i] != '/')
				out[len++] = in[i++];
		}
	}
	return len;
}

/* Appends s[0..n) at *d. */
static void
put(char **d, const char *s, size_t n)
{
	memcpy(*d, s, n);
	*d += n;
}

static void
put_lower(char **d, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		*(*d)++ = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
	}
}

static bool
is_special(const struct urlres_parts *p)
{
	return p->has_scheme &&
	    ((p->scheme_len == 4 && strncasecmp(p->scheme, "http", 4) == 0) ||
	    (p->scheme_len == 5 && strncasecmp(p->scheme, "https", 5) == 0));
}

/* Browsers read '\' as '/' before the query in http(s) URLs. */
static void
backslashes(char *s)
{
	for (; *s != '\0' && *s != '?' && *s != '#'; s++) {
		if (*s == '\\')
			*s = '/';
	}
}

/* Writes the merged, dot-free path of base+ref (5.2.3, 5.2.4) at *d. */
static void
merge_path(char **d, const struct urlres_parts *b,
    const struct urlres_parts *r, char *tmp)
{
	size_t n = 0, keep;

	if (b->has_authority && b->path_len == 0) {
		tmp[n++] = '/';
	} else {
		keep = b->path_len;
		while (keep > 0 && b->path[keep - 1] != '/')
			keep--;
		memcpy(tmp, b->path, keep);
		n = keep;
	}
	memcpy(tmp + n, r->path, r->path_len);
	n += r->path_len;
	*d += urlres_remove_dot_segments(tmp, n, *d);
}

char *
urlres_resolve(struct arena *a, const char *base, const char *ref)
{
	struct urlres_parts b, r;
	const struct urlres_parts *q;
	char *cb, *cr, *out, *d, *tmp;
	size_t cap;

	cr = urlres_clean(a, ref);
	if (cr == NULL)
		return NULL;
	urlres_split(cr, strlen(cr), &r);
	cb = base != NULL ? urlres_clean(a, base) : NULL;
	if (cb != NULL)
		urlres_split(cb, strlen(cb), &b);
	else
		memset(&b, 0, sizeof(b));
	/* Relative with no usable base: stays as it is. */
	if (!r.has_scheme && (cb == NULL || !b.has_scheme))
		return cr;
	if (is_special(r.has_scheme ? &r : &b)) {
		backslashes(cr);
		urlres_split(cr, strlen(cr), &r);
	}
	cap = (cb != NULL ? strlen(cb) : 0) + strlen(cr) + 8;
	out = arena_alloc(a, cap);
	tmp = arena_alloc(a, cap);
	if (out == NULL || tmp == NULL)
		return NULL;
	d = out;
	/* The scheme and authority come from ref when it has them. */
	q = r.has_scheme ? &r : &b;
	put_lower(&d, q->scheme, q->scheme_len);
	*d++ = ':';
	q = (r.has_scheme || r.has_authority) ? &r : &b;
	if (q->has_authority) {
		put(&d, "//", 2);
		put(&d, q->authority, q->authority_len);
	}
	if (r.has_scheme || r.has_authority) {
		d += urlres_remove_dot_segments(r.path, r.path_len, d);
		q = &r;
	} else if (r.path_len == 0) {
		put(&d, b.path, b.path_len);
		q = r.has_query ? &r : &b;
	} else if (r.path[0] == '/') {
		d += urlres_remove_dot_segments(r.path, r.path_len, d);
		q = &r;
	} else {
		merge_path(&d, &b, &r, tmp);
		q = &r;
	}
	if (q->has_query) {
		*d++ = '?';
		put(&d, q->query, q->query_len);
	}
	if (r.has_fragment) {
		*d++ = '#';
		put(&d, r.fragment, r.fragment_len);
	}
	*d = '\0';
	return out;
}

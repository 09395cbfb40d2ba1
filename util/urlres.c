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

/* The index of the first c in s[i..n), n when there is none. */
static size_t
find(const char *s, size_t i, size_t n, char c)
{
	const char *p = memchr(s + i, c, n - i);

	return p != NULL ? (size_t)(p - s) : n;
}

void
urlres_split(const char *s, size_t n, struct urlres_parts *p)
{
	size_t i = 0, q, h;

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
	/* The fragment from the first '#', the query from the first '?'
	 * before it; the path (and authority) end at the first of them. */
	h = find(s, i, n, '#');
	q = find(s, i, h, '?');
	if (q - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		size_t start = i + 2;
		i = find(s, start, q, '/');
		p->has_authority = true;
		p->authority = s + start;
		p->authority_len = i - start;
	}
	p->path = s + i;
	p->path_len = q - i;
	if (q < h) {
		p->has_query = true;
		p->query = s + q + 1;
		p->query_len = h - q - 1;
	}
	if (h < n) {
		p->has_fragment = true;
		p->fragment = s + h + 1;
		p->fragment_len = n - h - 1;
	}
}

static bool
trim_char(unsigned char c)
{
	return c <= 0x20;
}

/* Tab, CR and LF: removed from inside a URL. */
static bool
strip_char(char c)
{
	return c == '\t' || c == '\n' || c == '\r';
}

/*
 * The clean-up of urlres_clean as a view of *n bytes: into s when there
 * is nothing to remove from inside, else an arena copy, also left in
 * *copy (NULL when none was made). NULL on no memory. Most URLs need no
 * copy.
 */
static const char *
clean_view(struct arena *a, const char *s, size_t *n, char **copy)
{
	size_t len, i, j;
	char *d;

	while (*s != '\0' && trim_char((unsigned char)*s))
		s++;
	/* One libc scan finds the first tab/CR/LF, or the end. */
	i = strcspn(s, "\t\n\r");
	len = s[i] == '\0' ? i : i + strlen(s + i);
	while (len > 0 && trim_char((unsigned char)s[len - 1]))
		len--;
	if (i > len)
		i = len;
	*n = len;
	*copy = NULL;
	if (i == len)
		return s;
	d = arena_alloc(a, len + 1);
	if (d == NULL)
		return NULL;
	*copy = d;
	memcpy(d, s, i);
	for (j = i; i < len; i++) {
		if (!strip_char(s[i]))
			d[j++] = s[i];
	}
	d[j] = '\0';
	*n = j;
	return d;
}

char *
urlres_clean(struct arena *a, const char *s)
{
	const char *v;
	char *copy;
	size_t n;

	if (s == NULL)
		return NULL;
	v = clean_view(a, s, &n, &copy);
	if (v == NULL)
		return NULL;
	return copy != NULL ? copy : arena_strndup(a, v, n);
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

/* True when a segment of path[0..n) is "." or "..": the only paths
 * remove_dot_segments changes. */
static bool
has_dot_segment(const char *path, size_t n)
{
	const char *p = path, *end = path + n;

	while ((p = memchr(p, '.', (size_t)(end - p))) != NULL) {
		const char *q = p + 1;
		if (q < end && *q == '.')
			q++;
		if ((p == path || p[-1] == '/') && (q == end || *q == '/'))
			return true;
		p = q;
	}
	return false;
}

size_t
urlres_remove_dot_segments(const char *in, size_t n, char *out)
{
	size_t i = 0, len = 0;

	if (!has_dot_segment(in, n)) {
		memcpy(out, in, n);
		return n;
	}
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

/*
 * Browsers read '\' as '/' before the query in http(s) URLs: *s (n bytes,
 * split into *p) made an arena copy with them turned, and split again;
 * *copy is that copy (or the copy *s already was). False on no memory.
 */
static bool
backslashes(struct arena *a, const char **s, size_t n, char **copy,
    struct urlres_parts *p)
{
	size_t end = (size_t)(p->path + p->path_len - *s), i;
	char *d;

	if (memchr(*s, '\\', end) == NULL)
		return true;
	d = *copy != NULL ? *copy : arena_strndup(a, *s, n);
	if (d == NULL)
		return false;
	for (i = 0; i < end; i++) {
		if (d[i] == '\\')
			d[i] = '/';
	}
	*s = *copy = d;
	urlres_split(d, n, p);
	return true;
}

/* Writes the merged, dot-free path of base+ref (5.2.3, 5.2.4) at *d;
 * false on no memory. */
static bool
merge_path(struct arena *a, char **d, const struct urlres_parts *b,
    const struct urlres_parts *r)
{
	size_t n = 0, keep;
	char *tmp = arena_alloc(a, b->path_len + r->path_len + 2);

	if (tmp == NULL)
		return false;
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
	return true;
}

char *
urlres_resolve(struct arena *a, const char *base, const char *ref)
{
	struct urlres_parts b, r;
	const struct urlres_parts *q;
	const char *cr, *cb;
	char *rcopy, *bcopy, *out, *d;
	size_t rn, bn = 0;

	if (ref == NULL)
		return NULL;
	cr = clean_view(a, ref, &rn, &rcopy);
	if (cr == NULL)
		return NULL;
	urlres_split(cr, rn, &r);
	memset(&b, 0, sizeof(b));
	if (base != NULL) {
		cb = clean_view(a, base, &bn, &bcopy);
		if (cb == NULL)
			return NULL;
		urlres_split(cb, bn, &b);
	}
	/* Relative with no usable base: stays as it is. */
	if (!r.has_scheme && !b.has_scheme)
		return rcopy != NULL ? rcopy : arena_strndup(a, cr, rn);
	if (is_special(r.has_scheme ? &r : &b) &&
	    !backslashes(a, &cr, rn, &rcopy, &r))
		return NULL;
	out = arena_alloc(a, bn + rn + 8);
	if (out == NULL)
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
		if (!merge_path(a, &d, &b, &r))
			return NULL;
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

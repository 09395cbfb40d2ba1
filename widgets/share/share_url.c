/* share_url: validation of shared URLs against the host allow-list. */
#include "widgets/share/share_url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/url.h"

/* WHATWG "ends in a number": the last label is decimal or 0x-hex. */
static bool
numeric_label(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && s[1] == 'x') {
		for (i = 2; i < n; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
				return false;
		return true;
	}
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

bool
share_host_syntax_ok(const char *host)
{
	const char *last;

	if (!url_host_name_ok(host, false) || strlen(host) > SHARE_HOST_MAX ||
	    url_host_is_ip(host))
		return false;
	last = strrchr(host, '.');
	last = last != NULL ? last + 1 : host;
	return !numeric_label(last, strlen(last));
}

bool
share_host_rule_ok(const char *rule)
{
	if (rule == NULL)
		return false;
	return share_host_syntax_ok(rule[0] == '.' ? rule + 1 : rule);
}

bool
share_host_allowed(const struct share_hosts *hosts, const char *host)
{
	size_t hlen = strlen(host);

	for (size_t i = 0; hosts != NULL && i < hosts->n; i++) {
		const char *r = hosts->rules[i];
		size_t rlen = strlen(r);
		if (r[0] != '.') {
			if (strcmp(r, host) == 0)
				return true;
			continue;
		}
		/* ".example.com": example.com itself or *.example.com. */
		if (strcmp(r + 1, host) == 0)
			return true;
		if (hlen > rlen && strcmp(host + hlen - rlen, r) == 0)
			return true;
	}
	return false;
}

/* Appends s, percent-encoding bytes >= 0x80 (IRI to URI); ASCII as is. */
static enum rc
append_ascii(struct buf *b, const char *s)
{
	enum rc rc = RC_OK;

	for (; *s != '\0' && rc == RC_OK; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80)
			rc = url_encode(b, s, 1);
		else
			rc = buf_appendc(b, (char)c);
	}
	return rc;
}

static bool
is_utm(const char *s, size_t n)
{
	return n >= 4 && strncasecmp(s, "utm_", 4) == 0;
}

/* Appends query without its utm_* pairs; '?' first when anything is left. */
static enum rc
append_query(struct buf *b, const char *q)
{
	bool first = true;
	enum rc rc = RC_OK;

	while (*q != '\0' && rc == RC_OK) {
		size_t len = strcspn(q, "&");
		size_t name = strcspn(q, "=&");
		if (len > 0 && !is_utm(q, name)) {
			rc = buf_appendc(b, first ? '?' : '&');
			first = false;
			if (rc == RC_OK) {
				char *pair = strndup(q, len);
				rc = pair == NULL ? RC_NOMEM : append_ascii(b, pair);
				free(pair);
			}
		}
		q += len + (q[len] == '&');
	}
	return rc;
}

static bool
has_bad_bytes(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\')
			return true;
	}
	return false;
}

static bool
default_port(const struct url *u)
{
	return u->port == 0 ||
	    (u->port == 443 && strcmp(u->scheme, "https") == 0) ||
	    (u->port == 80 && strcmp(u->scheme, "http") == 0);
}

static enum rc
build_canon(struct arena *a, const struct url *u, struct share_url *out)
{
	struct buf b;
	enum rc rc;

	buf_init(&b, SHARE_URL_MAX * 4);
	rc = buf_appendf(&b, "%s://%s", u->scheme, u->host);
	if (rc == RC_OK && !default_port(u))
		rc = buf_appendf(&b, ":%d", u->port);
	if (rc == RC_OK)
		rc = append_ascii(&b, u->path);
	if (rc == RC_OK && u->query != NULL)
		rc = append_query(&b, u->query);
	if (rc == RC_OK) {
		out->canon = arena_strdup(a, buf_cstr(&b));
		if (strncmp(buf_cstr(&b), "http://", 7) == 0)
			out->key = arena_printf(a, "https://%s", buf_cstr(&b) + 7);
		else
			out->key = out->canon;
		out->host = u->host;
		if (out->canon == NULL || out->key == NULL)
			rc = RC_NOMEM;
	}
	buf_fini(&b);
	return rc == RC_LIMIT ? RC_INVALID : rc;
}

enum rc
share_url_check(struct arena *a, const struct share_hosts *hosts,
    const char *raw, struct share_url *out)
{
	struct url u;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if (raw == NULL || *raw == '\0' || strlen(raw) > SHARE_URL_MAX ||
	    has_bad_bytes(raw))
		return RC_INVALID;
	/* The scheme must open the string: no "javascript:...//https://". */
	if (strncasecmp(raw, "http://", 7) != 0 && strncasecmp(raw, "https://", 8) != 0)
		return RC_INVALID;
	rc = url_parse(a, raw, &u);
	if (rc != RC_OK)
		return rc;
	if (u.userinfo != NULL)
		return RC_INVALID;
	if (url_host_is_ip(u.host))
		return RC_FORBIDDEN;
	if (!share_host_syntax_ok(u.host))
		return RC_INVALID;
	if (!share_host_allowed(hosts, u.host))
		return RC_FORBIDDEN;
	return build_canon(a, &u, out);
}

/* Appends "&name=value" (or "?..."), "{network}" replaced in value. */
static enum rc
append_utm(struct buf *b, const char *name, const char *value, const char *network)
{
	static const char ph[] = "{network}";
	enum rc rc;

	rc = buf_appendf(b, "%c%s=", strchr(buf_cstr(b), '?') ? '&' : '?', name);
	while (rc == RC_OK && *value != '\0') {
		const char *hit = strstr(value, ph);
		size_t n = hit != NULL ? (size_t)(hit - value) : strlen(value);
		rc = url_encode(b, value, n);
		if (rc == RC_OK && hit != NULL)
			rc = url_encode(b, network, strlen(network));
		value += n + (hit != NULL ? sizeof(ph) - 1 : 0);
	}
	return rc;
}

char *
share_url_tag(struct arena *a, const char *canon, const char *source,
    const char *medium, const char *campaign, const char *network)
{
	const char *names[] = { "utm_source", "utm_medium", "utm_campaign" };
	const char *values[] = { source, medium, campaign };
	struct buf b;
	enum rc rc;
	char *out = NULL;

	if (source == NULL && medium == NULL && campaign == NULL)
		return (char *)canon;
	buf_init(&b, SHARE_URL_MAX * 5);
	rc = buf_appends(&b, canon);
	for (size_t i = 0; i < 3 && rc == RC_OK; i++)
		if (values[i] != NULL)
			rc = append_utm(&b, names[i], values[i], network);
	if (rc == RC_OK)
		out = arena_strdup(a, buf_cstr(&b));
	buf_fini(&b);
	return out;
}

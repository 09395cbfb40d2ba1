/* response: headers, bodies, caching and error replies. */
#include "fcgi/response_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void
response_init_buf(struct response *res, struct arena *a, struct buf *body)
{
	memset(res, 0, sizeof(*res));
	res->arena = a;
	res->status = 200;
	buf_init(&res->own, RESPONSE_BODY_MAX);
	res->body = body != NULL ? body : &res->own;
	res->body->max = RESPONSE_BODY_MAX;
	buf_clear(res->body);
}

void
response_init(struct response *res, struct arena *a)
{
	response_init_buf(res, a, NULL);
}

void
response_fini(struct response *res)
{
	buf_fini(&res->own);
}

void
response_reset(struct response *res)
{
	res->nheaders = 0;
	res->status = 200;
	res->use_ref = false;
	buf_clear(res->body);
}

void
response_status(struct response *res, int status)
{
	res->status = status;
}

int
response_get_status(const struct response *res)
{
	return res->status;
}

static bool
header_text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return false;
	return true;
}

enum rc
response_header(struct response *res, const char *name, const char *value)
{
	struct header *h;

	if (!header_text_ok(name) || !header_text_ok(value) || strchr(name, ':') != NULL)
		return RC_INVALID;
	if (res->nheaders == RESPONSE_HEADERS_MAX)
		return RC_LIMIT;
	h = &res->headers[res->nheaders];
	h->name = arena_strdup(res->arena, name);
	h->value = arena_strdup(res->arena, value);
	if (h->name == NULL || h->value == NULL)
		return RC_NOMEM;
	res->nheaders++;
	return RC_OK;
}

enum rc
response_header_set(struct response *res, const char *name, const char *value)
{
	size_t j = 0;

	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) != 0)
			res->headers[j++] = res->headers[i];
	res->nheaders = j;
	return response_header(res, name, value);
}

const char *
response_header_get(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return res->headers[i].value;
	return NULL;
}

struct buf *
response_body(struct response *res)
{
	res->use_ref = false;
	return res->body;
}

void
response_body_ref(struct response *res, const void *p, size_t n)
{
	res->ref = p;
	res->reflen = n;
	res->use_ref = true;
}

const void *
response_bytes(const struct response *res, size_t *n)
{
	if (res->use_ref) {
		*n = res->reflen;
		return res->ref;
	}
	*n = res->body->len;
	return buf_cstr(res->body);
}

void
response_drop_body(struct response *res)
{
	res->use_ref = false;
	buf_clear(res->body);
}

enum rc
response_type(struct response *res, const char *content_type)
{
	return response_header_set(res, "Content-Type", content_type);
}

static int
json_to_buf(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n) == RC_OK ? 0 : -1;
}

enum rc
response_json(struct response *res, int status, json_t *j)
{
	int failed;

	if (j == NULL)
		return RC_NOMEM;
	res->status = status;
	buf_clear(res->body);
	res->use_ref = false;
	/* Straight into the body: no intermediate string. */
	failed = json_dump_callback(j, json_to_buf, res->body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (failed != 0) {
		buf_clear(res->body);
		return RC_NOMEM;
	}
	return response_type(res, "application/json");
}

enum rc
response_html_headers(struct response *res, const char *csp)
{
	enum rc rc = response_type(res, "text/html; charset=utf-8");

	if (rc == RC_OK)
		rc = response_header_set(res, "Content-Security-Policy",
		    csp != NULL ? csp : RESPONSE_CSP_DEFAULT);
	if (rc == RC_OK)
		rc = response_header_set(res, "X-Frame-Options", "SAMEORIGIN");
	if (rc == RC_OK)
		rc = response_header_set(res, "Referrer-Policy", "strict-origin-when-cross-origin");
	return rc;
}

enum rc
response_html(struct response *res, int status, const char *s, size_t n)
{
	enum rc rc;

	res->status = status;
	buf_clear(res->body);
	res->use_ref = false;
	rc = buf_append(res->body, s, n);
	if (rc == RC_OK)
		rc = response_html_headers(res, NULL);
	return rc;
}

enum rc
response_error(struct response *res, int status, const char *code,
    const char *message)
{
	json_t *j = json_pack("{s:s, s:s}", "error", code, "message", message);

	return response_json(res, status, j);
}

enum rc
response_redirect(struct response *res, int status, const char *location)
{
	res->status = status;
	buf_clear(res->body);
	res->use_ref = false;
	return response_header_set(res, "Location", location);
}

enum rc
response_cache_public(struct response *res, long max_age, long swr)
{
	char v[96];

	snprintf(v, sizeof(v), "public, max-age=%ld, stale-while-revalidate=%ld",
	    max_age, swr);
	return response_header_set(res, "Cache-Control", v);
}

enum rc
response_no_store(struct response *res)
{
	enum rc rc = response_header_set(res, "Cache-Control", "no-store");

	if (rc == RC_OK)
		rc = response_header_set(res, "Pragma", "no-cache");
	return rc;
}

enum rc
response_etag(struct response *res, const char *opaque)
{
	char v[160];

	if (strlen(opaque) > 128 || strchr(opaque, '"') != NULL)
		return RC_INVALID;
	snprintf(v, sizeof(v), "\"%s\"", opaque);
	return response_header_set(res, "ETag", v);
}

enum rc
response_last_modified(struct response *res, time_t t)
{
	char v[64];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(v, sizeof(v), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return response_header_set(res, "Last-Modified", v);
}

const char *
response_reason(int status)
{
	static const struct { int code; const char *text; } reasons[] = {
		{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
		{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
		{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 409, "Conflict" }, { 413, "Content Too Large" },
		{ 429, "Too Many Requests" }, { 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Unknown";
}

/* Appends the decimal digits of v (no printf: this runs for every response). */
static enum rc
append_uint(struct buf *out, unsigned long long v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return buf_append(out, d + i, sizeof(d) - i);
}

/* Appends "name: value\r\n". */
static enum rc
append_header(struct buf *out, const char *name, const char *value)
{
	enum rc rc = buf_appends(out, name);

	if (rc == RC_OK)
		rc = buf_append(out, ": ", 2);
	if (rc == RC_OK)
		rc = buf_appends(out, value);
	if (rc == RC_OK)
		rc = buf_append(out, "\r\n", 2);
	return rc;
}

enum rc
response_head(const struct response *res, struct buf *out)
{
	enum rc rc;
	size_t n;

	rc = buf_append(out, "Status: ", 8);
	if (rc == RC_OK && res->status < 0)
		rc = buf_appendc(out, '-');
	if (rc == RC_OK)
		rc = append_uint(out, res->status < 0 ? 0ULL - (unsigned long long)res->status
		    : (unsigned long long)res->status);
	if (rc == RC_OK)
		rc = buf_appendc(out, ' ');
	if (rc == RC_OK)
		rc = buf_appends(out, response_reason(res->status));
	if (rc == RC_OK)
		rc = buf_append(out, "\r\n", 2);
	for (size_t i = 0; i < res->nheaders && rc == RC_OK; i++)
		rc = append_header(out, res->headers[i].name, res->headers[i].value);
	response_bytes(res, &n);
	if (rc == RC_OK && res->status != 304 && res->status != 204) {
		rc = buf_append(out, "Content-Length: ", 16);
		if (rc == RC_OK)
			rc = append_uint(out, n);
		if (rc == RC_OK)
			rc = buf_append(out, "\r\n", 2);
	}
	if (rc == RC_OK && response_header_get(res, "X-Content-Type-Options") == NULL)
		rc = buf_appends(out, "X-Content-Type-Options: nosniff\r\n");
	if (rc == RC_OK)
		rc = buf_appends(out, "\r\n");
	return rc;
}

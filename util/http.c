/* http: synchronous libcurl easy calls, set up by the outbound policy. */
#include "util/http.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/netpolicy.h"

struct http_call {
	struct arena *a;
	const struct http_request *rq;
	struct http_response *rs;
	struct buf body;
	bool too_big;
	bool nomem;
	struct netpolicy_xfer x;
};

bool
http_url_allowed(const char *url)
{
	return url != NULL && (strncasecmp(url, "https://", 8) == 0 ||
	    strncasecmp(url, "http://", 7) == 0);
}

bool
http_is_json(const struct http_response *rs)
{
	const char *ct = rs->content_type;
	size_t n;

	if (ct == NULL)
		return false;
	n = strcspn(ct, "; \t");
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_call *c = arg;
	size_t n = size * nmemb;

	/* The cap is counted here, after any decompression. */
	if (c->body.len + n > c->body.max) {
		c->too_big = true;
		return 0;
	}
	if (buf_append(&c->body, p, n) != RC_OK) {
		c->nomem = true;
		return 0;
	}
	return n;
}

/* Keeps a copy of a header value with surrounding blanks trimmed. */
static char *
header_dup(struct arena *a, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t'))
		n--;
	return arena_strndup(a, v, n);
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_call *c = arg;
	size_t n = size * nmemb;
	const char *colon = memchr(p, ':', n);
	size_t name_len;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect): forget the previous one's. */
		c->rs->content_type = NULL;
		memset(c->rs->header_values, 0, sizeof(c->rs->header_values));
		return n;
	}
	if (colon == NULL)
		return n;
	name_len = (size_t)(colon - p);
	if (name_len == 12 && strncasecmp(p, "Content-Type", 12) == 0 &&
	    c->rs->content_type == NULL)
		c->rs->content_type = header_dup(c->a, colon + 1, n - name_len - 1);
	for (size_t i = 0; i < HTTP_HEADERS_MAX && c->rq->want_headers[i] != NULL; i++) {
		const char *w = c->rq->want_headers[i];
		if (strlen(w) == name_len && strncasecmp(p, w, name_len) == 0 &&
		    c->rs->header_values[i] == NULL)
			c->rs->header_values[i] = header_dup(c->a, colon + 1, n - name_len - 1);
	}
	return n;
}

static enum rc
map_curl_error(CURLcode cc, const struct http_call *c)
{
	if (c->too_big)
		return RC_TOOBIG;
	if (c->nomem)
		return RC_NOMEM;
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return RC_TIMEOUT;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return RC_INVALID;
	case CURLE_TOO_MANY_REDIRECTS:
		return RC_UPSTREAM;
	case CURLE_FILESIZE_EXCEEDED:
		return RC_TOOBIG;
	case CURLE_OUT_OF_MEMORY:
		return RC_NOMEM;
	default:
		return RC_UPSTREAM;
	}
}

static struct curl_slist *
build_headers(const struct http_request *rq, bool *bad)
{
	struct curl_slist *list = NULL, *next;

	*bad = false;
	for (size_t i = 0; i < HTTP_HEADERS_MAX && rq->headers[i] != NULL; i++) {
		if (strpbrk(rq->headers[i], "\r\n") != NULL) {
			*bad = true;
			break;
		}
		next = curl_slist_append(list, rq->headers[i]);
		if (next == NULL) {
			*bad = true;
			break;
		}
		list = next;
	}
	/* No "Expect: 100-continue" round trip for small forms. */
	next = *bad ? NULL : curl_slist_append(list, "Expect:");
	if (next == NULL)
		*bad = true;
	else
		list = next;
	return list;
}

/* The policy's part (limits, peers, TLS, user agent), then the call's own. */
static enum rc
set_options(const struct netpolicy *p, CURL *h, const struct http_request *rq,
    struct http_call *c, struct curl_slist *hdrs)
{
	c->x = (struct netpolicy_xfer){
		.url = rq->url,
		.trust = rq->public_only ? NETPOLICY_PUBLIC : NETPOLICY_ANY,
		.connect_ms = rq->connect_ms > 0 ? rq->connect_ms : HTTP_CONNECT_MS_DEFAULT,
		.total_ms = rq->total_ms > 0 ? rq->total_ms : HTTP_TOTAL_MS_DEFAULT,
		.max_redirects = rq->max_redirects,
		.max_body = c->body.max,
	};
	if (netpolicy_setup(p, h, &c->x) != RC_OK)
		return RC_INTERNAL;
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	if (rq->form != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->form);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(rq->form));
	}
	if (rq->method != NULL)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->basic_user != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, rq->basic_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, rq->basic_pass != NULL ? rq->basic_pass : "");
	}
	return RC_OK;
}

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Logs where the call went (no query: it may hold secrets) and how it ended. */
static void
log_call(const struct http_request *rq, long status, enum rc rc, double ms)
{
	char st[24], dur[24];
	size_t n = strcspn(rq->url, "?#");
	char url[256];

	if (n >= sizeof(url))
		n = sizeof(url) - 1;
	memcpy(url, rq->url, n);
	url[n] = '\0';
	log_kv(rc == RC_OK && status < 400 ? LOG_DEBUG : LOG_WARN, "http_call",
	    "for", rq->log_name != NULL ? rq->log_name : "", "url", url,
	    "status", log_int(st, status), "result", rc_str(rc),
	    "ms", log_int(dur, (long long)ms), NULL);
}

static enum rc
curl_perform(void *arg, struct arena *a, const struct http_request *rq,
    struct http_response *rs)
{
	const struct netpolicy *p = arg;
	struct http_call c = { .a = a, .rq = rq, .rs = rs };
	struct curl_slist *hdrs;
	double start = mono_ms();
	CURL *h;
	CURLcode cc;
	bool bad;
	enum rc rc = RC_OK;

	buf_init(&c.body, rq->max_body > 0 ? rq->max_body : HTTP_BODY_MAX_DEFAULT);
	hdrs = build_headers(rq, &bad);
	h = curl_easy_init();
	if (bad || h == NULL) {
		rc = bad ? RC_INVALID : RC_NOMEM;
		goto out;
	}
	if ((rc = set_options(p, h, rq, &c, hdrs)) != RC_OK)
		goto out;
	cc = curl_easy_perform(h);
	if (c.x.refused)
		log_kv(LOG_WARN, "http_peer_refused", "ip", c.x.refused_ip, NULL);
	if (cc != CURLE_OK) {
		rc = map_curl_error(cc, &c);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	rs->body = arena_memdup(a, buf_cstr(&c.body), c.body.len + 1);
	rs->body_len = c.body.len;
	if (rs->body == NULL)
		rc = RC_NOMEM;
out:
	log_call(rq, rs->status, rc, mono_ms() - start);
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	buf_fini(&c.body);
	return rc;
}

struct http_ops
http_curl(const struct netpolicy *p)
{
	return (struct http_ops){ curl_perform, (void *)p };
}

enum rc
http_perform(const struct http_ops *ops, struct arena *a,
    const struct http_request *rq, struct http_response *rs)
{
	memset(rs, 0, sizeof(*rs));
	if (!http_url_allowed(rq->url))
		return RC_INVALID;
	return ops->perform(ops->arg, a, rq, rs);
}

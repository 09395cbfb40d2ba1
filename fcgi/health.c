/* health: liveness/readiness report, version and Prometheus metrics. */
#include "autoconf.h"
#include "fcgi/health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "fcgi/metrics.h"
#include "fcgi/router_int.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/time.h"

/*
 * The /healthz report of one worker, rendered at most once a second (disk
 * probes, feature hooks, JSON) so that the route stays cheap under load;
 * every request within the same second gets the same bytes and status.
 */
struct health {
	struct router *router;  /* whose features report */
	time_t rendered;        /* the second body was rendered in; 0: never */
	int status;             /* 200 or 503 */
	struct buf body;        /* the JSON report */
	struct buf version;     /* GET /version, rendered once */
	char version_etag[64];
};

struct health_walk {
	json_t *report;
	bool ok;
};

static void
feature_health(void *arg, const struct feature *f, void *ctx)
{
	struct health_walk *w = arg;

	if (f->health != NULL && !f->health(ctx, w->report))
		w->ok = false;
}

static int
health_dump(const char *p, size_t n, void *arg)
{
	return buf_append(arg, p, n) == RC_OK ? 0 : -1;
}

/* Runs the checks and renders the report into hc for the second now. */
static enum rc
health_render(struct health *hc, const struct config *cfg, time_t now)
{
	struct health_walk w = { .report = json_object(), .ok = true };
	bool cache_ok, state_ok;
	int failed;

	if (w.report == NULL)
		return RC_NOMEM;
	cache_ok = fsutil_dir_writable(cfg->cache_dir);
	state_ok = fsutil_dir_writable(cfg->state_dir);
	router_each_feature(hc->router, feature_health, &w);
	w.ok = w.ok && cache_ok && state_ok;
	json_object_set_new(w.report, "cache_writable", json_boolean(cache_ok));
	json_object_set_new(w.report, "state_writable", json_boolean(state_ok));
	json_object_set_new(w.report, "version", json_string(PACKAGE_VERSION));
	{
		char t[TIME_RFC3339_LEN];
		time_format_rfc3339((long long)now, t);
		json_object_set_new(w.report, "time", json_string(t));
	}
	json_object_set_new(w.report, "status", json_string(w.ok ? "ok" : "degraded"));
	if (hc->body.max == 0)
		buf_init(&hc->body, RESPONSE_BODY_MAX);
	buf_clear(&hc->body);
	failed = json_dump_callback(w.report, health_dump, &hc->body,
	    JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(w.report);
	if (failed != 0) {
		hc->rendered = 0;
		return RC_NOMEM;
	}
	hc->status = w.ok ? 200 : 503;
	hc->rendered = now;
	return RC_OK;
}

/* The /healthz body for addresses outside metrics_allow. */
static const char health_brief_ok[] = "{\"status\":\"ok\"}";
static const char health_brief_degraded[] = "{\"status\":\"degraded\"}";

/*
 * GET /healthz: 200 when every check passes, 503 otherwise. The report is
 * rendered at most once a second per worker; other requests reuse it.
 * Only metrics_allow addresses get the full report: it names feeds, their
 * fetch errors and the addresses behind them, which the public must not
 * map. Everyone else gets the same status with {"status": ...} alone.
 */
static enum rc
health_get(struct request *req, struct response *res, void *ctx)
{
	const struct config *cfg = request_config(req);
	struct health *hc = ctx;
	time_t now = time(NULL);
	bool full;
	enum rc rc;

	if (hc->rendered != now && (rc = health_render(hc, cfg, now)) != RC_OK)
		return rc;
	full = health_addr_allowed(request_remote_addr(req), cfg->metrics_allow,
	    cfg->metrics_allow_n);
	rc = response_no_store(res);
	if (rc == RC_OK)
		rc = response_type(res, "application/json");
	response_status(res, hc->status);
	if (full)
		response_body_ref(res, buf_cstr(&hc->body), hc->body.len);
	else if (hc->status == 200)
		response_body_ref(res, health_brief_ok, sizeof(health_brief_ok) - 1);
	else
		response_body_ref(res, health_brief_degraded, sizeof(health_brief_degraded) - 1);
	return rc;
}

/* The /version body and its strong ETag (as apply_conditional would make it). */
static enum rc
version_render(struct health *hc)
{
	json_t *j = json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION);
	unsigned char sum[CRYPTO_SHA256_LEN];
	struct buf tag;
	enum rc rc = RC_NOMEM;

	if (j == NULL)
		return RC_NOMEM;
	buf_init(&hc->version, 4096);
	if (json_dump_callback(j, health_dump, &hc->version, JSON_COMPACT | JSON_ENSURE_ASCII) == 0) {
		crypto_sha256(hc->version.data, hc->version.len, sum);
		buf_init(&tag, sizeof(hc->version_etag) - 3);
		rc = crypto_b64url_encode(&tag, sum, 18);
		if (rc == RC_OK)
			snprintf(hc->version_etag, sizeof(hc->version_etag), "\"%s\"", buf_cstr(&tag));
		buf_fini(&tag);
	}
	json_decref(j);
	if (rc != RC_OK) {
		buf_fini(&hc->version);
		hc->version_etag[0] = '\0';
	}
	return rc;
}

/* GET /version: cacheable, so it also exercises ETag handling; the body is
 * rendered once per worker. */
static enum rc
version_get(struct request *req, struct response *res, void *ctx)
{
	struct health *hc = ctx;
	enum rc rc = RC_OK;

	(void)req;
	if (hc->version_etag[0] == '\0')
		rc = version_render(hc);
	if (rc == RC_OK)
		rc = response_cache_public(res, 300, 60);
	if (rc == RC_OK)
		rc = response_type(res, "application/json");
	if (rc == RC_OK)
		rc = response_header_set(res, "ETag", hc->version_etag);
	response_body_ref(res, buf_cstr(&hc->version), hc->version.len);
	return rc;
}

bool
health_addr_allowed(const char *addr, char *const *allow, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(allow[i]);
		if (len == 0)
			continue;
		/* "10." or "192.168." prefixes; otherwise an exact address. */
		if (allow[i][len - 1] == '.' || allow[i][len - 1] == ':') {
			if (strncmp(addr, allow[i], len) == 0)
				return true;
		} else if (strcmp(addr, allow[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* GET /metrics: only for the configured addresses. */
static enum rc
metrics_get(struct request *req, struct response *res, void *ctx)
{
	const struct config *cfg = request_config(req);
	enum rc rc;

	(void)ctx;
	if (!health_addr_allowed(request_remote_addr(req), cfg->metrics_allow,
	    cfg->metrics_allow_n))
		return RC_FORBIDDEN;
	rc = metrics_render(response_body(res));
	if (rc == RC_OK)
		rc = response_type(res, "text/plain; version=0.0.4; charset=utf-8");
	if (rc == RC_OK)
		rc = response_no_store(res);
	return rc;
}

static const struct route health_routes[] = {
	{ HTTP_GET, "/healthz", health_get, "healthz", NULL, 0 },
	{ HTTP_GET, "/version", version_get, "version", NULL, 0 },
	{ HTTP_GET, "/metrics", metrics_get, "metrics", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

enum rc
health_new(struct router *r, struct health **out)
{
	struct health *h = calloc(1, sizeof(*h));
	enum rc rc;

	*out = NULL;
	if (h == NULL)
		return RC_NOMEM;
	h->router = r;
	if ((rc = router_add_first(r, health_routes, h)) != RC_OK) {
		free(h);
		return rc;
	}
	*out = h;
	return RC_OK;
}

void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	buf_fini(&h->body);
	buf_fini(&h->version);
	free(h);
}

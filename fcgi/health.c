/* health: liveness/readiness report, version and Prometheus metrics. */
#include "autoconf.h"
#include "fcgi/health.h"

#include <string.h>
#include <time.h>

#include "fcgi/config.h"
#include "fcgi/metrics.h"
#include "fcgi/router_int.h"
#include "util/fsutil.h"

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

/* GET /healthz: 200 when every check passes, 503 otherwise. */
static enum rc
health_get(struct request *req, struct response *res, void *ctx)
{
	const struct config *cfg = request_config(req);
	struct health_walk w = { .report = json_object(), .ok = true };
	struct health_cache *hc = router_health_cache(ctx);
	time_t now = time(NULL);
	bool cache_ok, state_ok;

	if (hc->checked != now) {
		hc->cache_ok = fsutil_dir_writable(cfg->cache_dir);
		hc->state_ok = fsutil_dir_writable(cfg->state_dir);
		hc->checked = now;
	}
	cache_ok = hc->cache_ok;
	state_ok = hc->state_ok;

	if (w.report == NULL)
		return RC_NOMEM;
	router_each_feature(ctx, feature_health, &w);
	w.ok = w.ok && cache_ok && state_ok;
	json_object_set_new(w.report, "cache_writable", json_boolean(cache_ok));
	json_object_set_new(w.report, "state_writable", json_boolean(state_ok));
	json_object_set_new(w.report, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(w.report, "time", json_integer((json_int_t)time(NULL)));
	json_object_set_new(w.report, "status", json_string(w.ok ? "ok" : "degraded"));
	response_no_store(res);
	return response_json(res, w.ok ? 200 : 503, w.report);
}

/* GET /version: cacheable, so it also exercises ETag handling. */
static enum rc
version_get(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)ctx;
	response_cache_public(res, 300, 60);
	return response_json(res, 200, json_pack("{s:s, s:s}", "name", PACKAGE_NAME,
	    "version", PACKAGE_VERSION));
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

const struct route health_routes[] = {
	{ HTTP_GET, "/healthz", health_get, "healthz", NULL, 0 },
	{ HTTP_GET, "/version", version_get, "version", NULL, 0 },
	{ HTTP_GET, "/metrics", metrics_get, "metrics", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

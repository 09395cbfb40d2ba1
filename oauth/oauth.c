/* oauth: the sign-on feature row — config, lifecycle, identity, routes. */
#include "oauth/oauth.h"

#include <ctype.h>

#include "fcgi/config.h"
#include "oauth/oauth_int.h"
#include "util/log.h"
#include "util/netpolicy.h"

#define SWEEP_EVERY 600

/* return_to: a path on this site outside the mount; empty stands for "/"
 * (oauth_return_to),
 * else *out is its clean form (oauth_return_to_clean). Each route answers
 * a refused one in its own way. */
static enum rc
return_to_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	const struct oauth_ctx *c = ctx;

	if (*v == '\0')
		return RC_OK;
	*out = oauth_return_to_clean(a, v, c->cfg->mount);
	return *out != NULL ? RC_OK : RC_INVALID;
}

/* instance: a Mastodon server name, lower-cased (mastodon_host_valid);
 * only the Mastodon provider asks for it. */
static enum rc
instance_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	char *h = arena_strdup(a, v);

	(void)ctx;
	if (h == NULL)
		return RC_NOMEM;
	for (char *p = h; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	*out = h;
	return mastodon_host_valid(h) ? RC_OK : RC_INVALID;
}

static const struct param_spec return_to_params[] = {
	[OAUTH_P_RETURN_TO] = { .name = "return_to", .type = PARAM_STRING, .max_len = 2048,
	    .flags = PARAM_SOFT, .parse = return_to_param },
	{ .name = NULL },
};

static const struct param_spec login_params[] = {
	[OAUTH_P_RETURN_TO] = { .name = "return_to", .type = PARAM_STRING, .max_len = 2048,
	    .flags = PARAM_SOFT, .parse = return_to_param },
	[OAUTH_P_INSTANCE] = { .name = "instance", .type = PARAM_STRING, .max_len = 253,
	    .flags = PARAM_SOFT, .parse = instance_param },
	{ .name = NULL },
};

const struct route oauth_routes[] = {
	{ HTTP_GET, "/auth/providers", pages_providers, "auth_providers", NULL, 0 },
	{ HTTP_GET, "/auth/login", pages_chooser, "auth_chooser", return_to_params, 0 },
	{ HTTP_GET, "/auth/login/{provider}", flow_login, "auth_login", login_params, 0 },
	{ HTTP_GET | HTTP_POST, "/auth/callback/{provider}", flow_callback, "auth_callback",
	    NULL, ROUTE_FORM },
	{ HTTP_POST, "/auth/logout", pages_logout, "auth_logout", return_to_params, ROUTE_FORM },
	{ HTTP_GET, "/auth/me", pages_me, "auth_me", NULL, 0 },
	{ HTTP_GET, "/auth/check", pages_check, "auth_check", NULL, 0 },
	{ HTTP_GET, "/auth/signed-out", pages_signed_out, "auth_signed_out", return_to_params, 0 },
	{ HTTP_GET, "/auth/button.html", pages_button, "auth_button", return_to_params, 0 },
	{ HTTP_GET, "/auth/icon/{provider}.svg", pages_icon, "auth_icon", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

/* check-config: load everything once (secrets, keys) and throw it away. */
enum rc
oauth_validate(const struct config *cfg)
{
	struct oauth_ctx *ctx;
	enum rc rc = oauth_conf_load(cfg, &ctx);

	oauth_conf_free(ctx);
	return rc;
}

enum rc
oauth_init(const struct config *cfg, void **out)
{
	struct oauth_ctx *ctx;
	enum rc rc;

	*out = NULL;
	rc = oauth_conf_load(cfg, &ctx);
	if (rc != RC_OK)
		return rc;
	rc = netpolicy_new(&(struct netpolicy_conf){ .user_agent = cfg->user_agent,
	    .ca_file = cfg->ca_file }, &ctx->net);
	ctx->http_real = http_curl(ctx->net);
	for (size_t i = 0; i < ctx->nproviders && rc == RC_OK; i++)
		rc = discovery_static(&ctx->providers[i]);
	if (rc == RC_OK)
		rc = pages_csp_build(ctx);
	if (rc == RC_OK)
		rc = config_store_open(cfg, &ctx->store);
	if (rc != RC_OK) {
		log_kv(LOG_ERROR, "oauth_init_failed", "error", rc_str(rc), NULL);
		oauth_conf_free(ctx);
		return rc;
	}
	*out = ctx;
	return RC_OK;
}

void
oauth_fini(void *ctx)
{
	oauth_conf_free(ctx);
}

enum rc
oauth_identify(void *ctx, struct request *req, struct identity *out)
{
	return session_identify(ctx, req, out);
}

/* Refresher: forget used-state records that can no longer matter. */
long
oauth_refresh(void *vctx, volatile sig_atomic_t *stop)
{
	struct oauth_ctx *ctx = vctx;

	if (ctx != NULL && !*stop)
		state_sweep(ctx, ctx->now());
	return SWEEP_EVERY;
}

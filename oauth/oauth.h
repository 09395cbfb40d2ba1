/* oauth: social sign-on feature (OAuth 2.0 / OpenID Connect). */
#ifndef SOCIALHUB_OAUTH_OAUTH_H
#define SOCIALHUB_OAUTH_OAUTH_H

#include "fcgi/feature.h"
#include "fcgi/router.h"

struct config;

/* The feature's pieces (oauth.c, conf.c); joined by OAUTH_FEATURE. */
extern cfg_opt_t oauth_opts[];
extern const struct route oauth_routes[];
void oauth_checks(cfg_t *root);
enum rc oauth_validate(const struct config *cfg);
enum rc oauth_init(const struct config *cfg, void **ctx);
void oauth_fini(void *ctx);
enum rc oauth_identify(void *ctx, struct request *req, struct identity *out);
long oauth_refresh(void *ctx, volatile sig_atomic_t *stop);

/* The feature row for fcgi/routes.c. */
#define OAUTH_FEATURE { \
	.name = "oauth", .opts = oauth_opts, .checks = oauth_checks, \
	.validate = oauth_validate, .init = oauth_init, .fini = oauth_fini, \
	.routes = oauth_routes, .identify = oauth_identify, \
	.refresh = oauth_refresh, \
}

#endif

/* oauth: social sign-on feature (OAuth 2.0 / OpenID Connect). */
#ifndef SOCIALHUB_OAUTH_OAUTH_H
#define SOCIALHUB_OAUTH_OAUTH_H

#include "fcgi/feature.h"

/* The feature row for fcgi/routes.c; filled by the sign-on issue. */
#define OAUTH_FEATURE { .name = "oauth" }

#endif

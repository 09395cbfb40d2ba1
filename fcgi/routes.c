/* routes: the feature table — the one place fcgi/ meets oauth/ and widgets/. */
#include "fcgi/admin.h"
#include "fcgi/config_store.h"
#include "fcgi/feature.h"
#include "oauth/oauth.h"
#include "widgets/conn.h"
#include "widgets/console.h"
#include "widgets/share/share.h"
#include "widgets/widgets.h"

const struct feature routes_features[] = {
	OAUTH_FEATURE,
	WIDGETS_FEATURE,
	SHARE_FEATURE,
	STORE_FEATURE,
	ADMIN_FEATURE,
	CONN_FEATURE,
	CONSOLE_FEATURE,
	{ .name = NULL },
};

/* rc: names of the error codes. */
#include "util/rc.h"

#include <stddef.h>

static const char *const rc_names[RC__COUNT] = {
	[RC_OK] = "ok",
	[RC_NOMEM] = "no_memory",
	[RC_INVALID] = "invalid_request",
	[RC_TOOBIG] = "too_large",
	[RC_HDR_TOOBIG] = "header_too_large",
	[RC_NOTFOUND] = "not_found",
	[RC_METHOD] = "method_not_allowed",
	[RC_UNAUTH] = "unauthorized",
	[RC_FORBIDDEN] = "forbidden",
	[RC_RATELIMIT] = "rate_limited",
	[RC_IO] = "io_error",
	[RC_CORRUPT] = "corrupt",
	[RC_UPSTREAM] = "bad_gateway",
	[RC_TIMEOUT] = "gateway_timeout",
	[RC_UNAVAILABLE] = "unavailable",
	[RC_CONFIG] = "config_error",
	[RC_CRYPTO] = "crypto_error",
	[RC_LIMIT] = "limit_exceeded",
	[RC_INTERNAL] = "internal_error",
};

const char *
rc_str(enum rc rc)
{
	if ((unsigned)rc >= RC__COUNT || rc_names[rc] == NULL)
		return "unknown";
	return rc_names[rc];
}

/* fuzz_oauth_cookie: session and state cookies as sent (any bytes), the
 * same bytes as a sealed payload (so the field parsers see them), and the
 * return_to validator. Never a session from garbage, never a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "oauth/oauth.h"
#include "oauth/oauth_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct oauth_ctx *ctx;
static struct config *cfg;

static time_t
fixed_now(void)
{
	return 1700000000;
}

/* One context for the whole run, from a config in a temp file. */
static void
init(void)
{
	static const struct feature features[] = { OAUTH_FEATURE, { .name = NULL } };
	char path[] = "/tmp/fuzz-oauth-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL)
		abort();
	fputs("site_url = \"https://www.example.com\"\nstate_dir = \"/tmp\"\n"
	    "session { secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\" }\n"
	    "provider demo { issuer = \"https://id.example.com\" client_id = \"c\" client_secret = \"s\" }\n", f);
	fclose(f);
	if (config_load(path, features, &cfg) != RC_OK || oauth_conf_load(cfg, &ctx) != RC_OK)
		abort();
	unlink(path);
	ctx->now = fixed_now;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	struct identity id;
	struct login_state st;
	struct buf b;
	char *s;

	if (ctx == NULL)
		init();
	a = arena_new(4096, 1 << 22);
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	/* Raw cookie values: nothing forged opens. */
	if (session_open(ctx, a, s, fixed_now(), &id) == RC_OK)
		abort();
	if (state_open(ctx, a, "__Host-socialhub_session_st_x", s, fixed_now(), &st) == RC_OK)
		abort();
	/* The bytes as a genuine sealed payload: the field parsers must cope. */
	buf_init(&b, 1 << 20);
	if (keyring_seal(&ctx->session_keys, "socialhub-session-v1", s, &b) == RC_OK &&
	    session_open(ctx, a, buf_cstr(&b), fixed_now(), &id) == RC_OK &&
	    (id.provider == NULL || id.sub == NULL || id.sub[0] == '\0' ||
	    id.expires_at <= fixed_now()))
		abort();
	buf_clear(&b);
	if (keyring_seal(&ctx->state_keys, "n", s, &b) == RC_OK &&
	    state_open(ctx, a, "n", buf_cstr(&b), fixed_now(), &st) == RC_OK &&
	    (st.state == NULL || st.provider == NULL || st.return_to == NULL))
		abort();
	buf_fini(&b);
	/* An accepted return_to starts with one '/' and has no backslash. */
	if (oauth_return_to_ok(s) && (s[0] != '/' || s[1] == '/' || strchr(s, '\\') != NULL))
		abort();
	free(s);
	arena_free(a);
	return 0;
}

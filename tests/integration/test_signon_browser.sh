#!/bin/bash
# test_signon_browser: Debian chromium driven by playwright-core signs in
# through real nginx at the real oidc-provider, sees its name, opens the
# auth_request-protected page, signs out and is refused again.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
[ -x /usr/bin/chromium ] || th_skip_all "/usr/bin/chromium not installed"
oa_init signon-browser

oa_start_node op op.mjs --redirect "$TH_BASE/social/auth/callback/demo" \
	--post-logout "$TH_BASE/"
ISS=$(oa_json_get "$TH_DIR/op.ready" issuer)
oa_start <<C
session { secret = "$("$SOCIALHUB" keygen)" }
provider demo {
	issuer = "$ISS"
	client_id = "demo"
	client_secret = "demo-secret-change-me"
	display_name = "Demo ID"
	rp_logout = true
}
C
mkdir -p "$TH_DIR/shots"
th_run_tap browser node "$JS/browser_signin.mjs" "$TH_BASE" "$ISS" "${SHOTS:-$TH_DIR/shots}"
th_done

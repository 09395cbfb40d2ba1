#!/bin/bash
# test_signon_browser: Debian chromium driven by playwright-core signs in
# through real nginx at the real oidc-provider, sees its name, opens the
# auth_request-protected page, signs out and is refused again.
. "$(dirname "$0")/oauth_env.sh"
oauth_env_init
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium not installed"; exit 77; }

NG=$(free_port) UP=$(free_port) SH=$(free_port)
start_node op op.mjs --redirect "http://127.0.0.1:$NG/social/auth/callback/demo" \
	--post-logout "http://127.0.0.1:$NG/"
ISS=$(json_get "$D/op.ready" issuer)
cat >"$D/socialhub.conf" <<C
listen = "127.0.0.1:$SH"
workers = 2
site_url = "http://127.0.0.1:$NG"
cache_dir = "$D/cache"
state_dir = "$D/state"
session { secret = "$("$SOCIALHUB" keygen)" }
provider demo {
	issuer = "$ISS"
	client_id = "demo"
	client_secret = "demo-secret-change-me"
	display_name = "Demo ID"
	rp_logout = true
}
C
start_socialhub "$D/socialhub.conf"
write_nginx "$NG" "$UP" "$SH"
start_nginx
wait_port "$SH" && wait_port "$NG" || exit 1
mkdir -p "$D/shots"
node "$JS/browser_signin.mjs" "http://127.0.0.1:$NG" "$ISS" "${SHOTS:-$D/shots}"

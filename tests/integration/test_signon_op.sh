#!/bin/bash
# test_signon_op: socialhub behind real nginx (auth_request) against the real
# npm oidc-provider: sign-in, /auth/me, /auth/check, protected page,
# chooser, button, session renewal, logout, access rules.
. "$(dirname "$0")/oauth_env.sh"
oauth_env_init

NG=$(free_port) UP=$(free_port) SH=$(free_port)
CB="http://127.0.0.1:$NG/social/auth/callback"
start_node op op.mjs --redirect "$CB/demo" --redirect "$CB/restricted" \
	--post-logout "http://127.0.0.1:$NG/"
ISS=$(json_get "$D/op.ready" issuer)
"$SOCIALHUB" keygen >"$D/session.key"
chmod 600 "$D/session.key"
cat >"$D/socialhub.conf" <<C
listen = "127.0.0.1:$SH"
workers = 2
site_url = "http://127.0.0.1:$NG"
cache_dir = "$D/cache"
state_dir = "$D/state"
session { secret_file = "$D/session.key"  lifetime = 8h }
provider demo {
	issuer = "$ISS"
	client_id = "demo"
	client_secret = "demo-secret-change-me"
	display_name = "Demo ID"
	rp_logout = true
}
provider restricted {
	issuer = "$ISS"
	client_id = "demo"
	client_secret = "demo-secret-change-me"
}
access { providers = {"demo"} }
C
start_socialhub "$D/socialhub.conf"
write_nginx "$NG" "$UP" "$SH"
start_nginx
wait_port "$SH" && wait_port "$NG" || exit 1
node "$JS/op_test.mjs" "http://127.0.0.1:$NG" "$ISS"

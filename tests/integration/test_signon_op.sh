#!/bin/bash
# test_signon_op: socialhub behind real nginx (auth_request) against the real
# npm oidc-provider: sign-in, /auth/me, /auth/check, protected page,
# chooser, button, session renewal, logout, access rules.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init signon-op

CB="$TH_BASE/social/auth/callback"
oa_start_node op op.mjs --redirect "$CB/demo" --redirect "$CB/restricted" \
	--post-logout "$TH_BASE/"
ISS=$(oa_json_get "$TH_DIR/op.ready" issuer)
"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
oa_start <<C
session { secret_file = "$TH_DIR/session.key"  lifetime = 8h }
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
th_run_tap op_test node "$JS/op_test.mjs" "$TH_BASE" "$ISS"
# Who signed in, in the log: the provider and the subject (issue 16, item 7).
if grep -Eq 'event=login_ok provider=demo subject=[^ ]+' "$TH_DIR/socialhub.log"; then
	th_ok "login_ok names the provider and the subject"
else
	th_not_ok "login_ok names the provider and the subject" "$(grep login_ok "$TH_DIR/socialhub.log" | head -n 3)"
fi
th_done

#!/usr/bin/env bash
# test_connections_snippet: the connect flow as an admin meets it — the
# SHIPPED nginx snippet (deploy/nginx/socialhub.conf, only its EDIT lines
# filled in: snippet_signon_env.sh) and connection sections in the shape
# doc/sources.md gives (the fixture servers named by the override URLs
# the docs list). Chromium signs in at the local oidc-provider, connects
# Instagram and X at the fixtures and comes back through the snippet,
# then revokes Instagram: the page, the network's DELETE and /healthz say
# so. (test_connections_browser.sh runs the same flow behind the tests'
# own nginx blocks, with renewals and a source reading through it.)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$TH_LIB_DIR/streams_lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
# shellcheck source=tests/integration/conn_env.sh
. "$TH_LIB_DIR/conn_env.sh"
# shellcheck source=tests/integration/snippet_signon_env.sh
. "$TH_LIB_DIR/snippet_signon_env.sh"
[ -x /usr/bin/chromium ] || th_skip_all "/usr/bin/chromium not installed"
th_require_cmd /usr/bin/python3
oa_init connections-snippet
ce_start 3600
sn_start <<CONF
connection_keys = {"k1:$TH_DIR/k1.key"}
connection ig-brand {
  network            = "instagram"
  client_id          = "ig-app"
  client_secret_file = "$TH_DIR/ig.secret"
  auth_url  = "$FIX/ig/oauth/authorize"
  token_url = "$FIX/ig/oauth/access_token"
  api_url   = "$FIX/ig"
}
connection x-brand {
  network       = "x"
  client_id     = "x-app"
  client_secret = "x-secret"
  auth_url   = "$FIX/x/i/oauth2/authorize"
  token_url  = "$FIX/x/2/oauth2/token"
  revoke_url = "$FIX/x/2/oauth2/revoke"
}
admin { grant hq { role = "owner" who = {"demo:alice"} } }
CONF
mkdir -p "$TH_DIR/profile" "$TH_DIR/shots"
th_run_tap connect node "$JS/browser_connect.mjs" connect "$TH_BASE" "$SN_ISS" "$TH_DIR/profile" "$TH_DIR/shots"
st_expect_eq "both consents redeemed at the networks" \
	"$(( $(ce_steps token ig) + $(ce_steps token x) ))" 2
th_run_tap revoke node "$JS/browser_connect.mjs" revoke "$TH_BASE" "$SN_ISS" "$TH_DIR/profile" "$TH_DIR/shots"
st_expect_eq "revoked at the network too (DELETE /me/permissions)" "$(ce_steps revoke ig)" 1
th_request GET "$TH_BASE/social/healthz"
"$ST_PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]; print(c["ig-brand"]["state"], c["x-brand"]["state"])' \
	"$TH_BODY" >"$TH_DIR/h.out" 2>&1
st_expect_eq "healthz: ig-brand revoked, x-brand still connected" "$(cat "$TH_DIR/h.out")" "revoked connected"
NAME="no token in the log or nginx's access log" ce_no_tokens_in "$TH_DIR/socialhub.log" "$TH_DIR/nginx/access.log"
th_done

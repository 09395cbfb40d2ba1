#!/usr/bin/env bash
# test_demo_nginx.sh: the demo (deploy/demo/run.sh, run headless) serves
# the shipped deploy/nginx snippet, not a copy of it, and its sign-in
# redirect cannot be made to inject headers (issue 13, item 5): the
# redirect for /members/%0d%0aSet-Cookie:... must carry the path as sent
# ($request_uri), never nginx's decoded $uri.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl node "$(th_find_nginx)"
JS=$TH_SRCDIR/tests/js
[ -d "$JS/node_modules/oidc-provider" ] || th_skip_all "run: npm ci --prefix tests/js"
th_init demo-nginx

th_start_demo

conf=$TH_DIR/demo/nginx/nginx.conf
if grep -q "include $TH_DIR/demo/nginx/socialhub.conf;" "$conf" &&
	! grep -v '^[[:space:]]*#' "$conf" | grep -q 'auth_request\|@socialhub_login\|location /social/ '; then
	th_ok "the demo's nginx.conf includes the snippet and keeps no copy of its locations"
else
	th_not_ok "the demo's nginx.conf includes the snippet and keeps no copy of its locations" \
		"$(grep -n 'include\|auth_request\|@socialhub_login\|location /social/ ' "$conf")"
fi
# The rendered snippet is the shipped one with its EDIT points filled in.
if diff <(grep -v 'unix:\|alias \|proxy_pass \|return 302 ' "$TH_SRCDIR/deploy/nginx/socialhub.conf") \
	<(grep -v 'unix:\|alias \|proxy_pass \|return 302 ' "$TH_DIR/demo/nginx/socialhub.conf") >"$TH_DIR/snippet.diff"; then
	th_ok "the rendered snippet differs from deploy/nginx/socialhub.conf only in its EDIT lines"
else
	th_not_ok "the rendered snippet differs only in its EDIT lines" "$(head -n 20 "$TH_DIR/snippet.diff")"
fi

# CR LF in the path, percent-encoded: decoded by $uri, it would end the
# Location header and start a Set-Cookie one.
evil='/members/%0d%0aSet-Cookie:%20sh_evil=1%0d%0aX-Injected:%20yes'
th_expect_status -n "anonymous GET $evil" GET "$TH_BASE$evil" 302
th_expect_no_header Set-Cookie "no Set-Cookie header injected"
th_expect_no_header X-Injected "no X-Injected header injected"
th_expect_header Location 'return_to=/members/%0d%0aSet-Cookie' "Location keeps the path percent-encoded"
th_expect_header Location '^http://127\.0\.0\.1:[0-9]+/social/auth/login/demo\?return_to=' \
	"Location goes to the demo provider's login"

th_expect_status -n "anonymous GET /members/" GET "$TH_BASE/members/" 302
th_expect_header Location 'return_to=/members/$' "plain members page: return_to=/members/"

th_done

#!/usr/bin/env bash
# test_nginx_identity.sh: the shipped nginx snippet (deploy/nginx, included
# unchanged) in front of socialhub (issue 13, item 12):
#  - /social/healthz gives the public a bare status; the full report (feed
#    errors, addresses) only to metrics_allow;
#  - the identity headers that /auth/check hands to auth_request, passed
#    by the snippet's /members/ example to the application on
#    127.0.0.1:8000, carry no C0/C1 controls, line separators or bidi
#    overrides, and identity_encoding = "rfc8187" / "base64" encode them.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/snippet_env.sh
. "$TH_LIB_DIR/snippet_env.sh"

PY=/usr/bin/python3
JS=$TH_SRCDIR/tests/js
th_require_socialhub
th_require_cmd curl node "$PY" "$(th_find_nginx)"
[ -d "$JS/node_modules/oidc-provider" ] || th_skip_all "npm ci --prefix tests/js has not been run"
se_enter_ns "$@"
th_init nginx-identity
se_setup

# The provider's display name for login "eve": C1 NEL, a right-to-left
# override and its pop, a line separator, an isolate, a right-to-left
# mark, around real non-ASCII letters that must survive.
NAMES='{"eve":"Zo\u00eb\u0085 \u202egnp.exe\u202c\u2028\u00dcnal \u2066x\u2069\u200f"}'
CLEAN='Zoë gnp.exeÜnal x'

th_spawn op node "$JS/op.mjs" --redirect "$TH_BASE/social/auth/callback/demo" \
	--ready-file "$TH_DIR/op.ready" --names "$NAMES"
th_wait_file "$TH_DIR/op.ready" 20000 "$TH_LAST_PID" || th_bail "op.mjs did not start"
ISS=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer)' "$TH_DIR/op.ready")
# The snippet's example application.
th_spawn app "$PY" "$TH_LIB_DIR/echo_headers.py" 127.0.0.1 8000
th_wait_port 8000 5000 "$TH_LAST_PID" || th_bail "echo app did not start"

DEAD=$(th_free_port)
SECRET=$("$SOCIALHUB" keygen)
# write_conf [SESSION_EXTRA]: a provider, and a stream whose only source is
# an internal address that refuses connections (its error names it).
write_conf() {
	th_write_config "$TH_DIR/socialhub.conf" "session { secret = \"$SECRET\" $1 }
provider demo {
  issuer = \"$ISS\"
  client_id = \"demo\"
  client_secret = \"demo-secret-change-me\"
}
stream internal {
  source intranet { url = \"http://127.0.0.1:$DEAD/internal.rss\" }
}" >/dev/null
}
restart_socialhub() {
	th_stop "$TH_SH_PID"
	rm -f "$TH_SOCK"
	th_start_socialhub "$TH_DIR/socialhub.conf" || th_bail "socialhub did not start"
}

write_conf ""
"$SOCIALHUB" refresh --force -c "$TH_DIR/socialhub.conf" >"$TH_DIR/refresh.out" 2>>"$TH_DIR/socialhub.log"
th_start_socialhub "$TH_DIR/socialhub.conf" || th_bail "socialhub did not start"
se_start_nginx || th_bail "nginx did not start"
S=$TH_BASE/social

# ---- /healthz: full report for metrics_allow (127.0.0.1) only
th_expect_status -n "healthz from metrics_allow" GET "$S/healthz" 200 &&
	th_expect_body_contains '"streams"' &&
	th_expect_body_contains "127.0.0.1 port $DEAD" "healthz from metrics_allow: the feed error names the address"
# 127.0.0.2 is another loopback address: a visitor outside metrics_allow.
th_expect_status -n "healthz from the public" GET "$S/healthz" 200 --interface 127.0.0.2
if [ "$(cat "$TH_BODY")" = '{"status":"ok"}' ]; then
	th_ok "healthz from the public: {\"status\":\"ok\"} alone"
else
	th_not_ok "healthz from the public: {\"status\":\"ok\"} alone" "body: $(head -c 300 "$TH_BODY")"
fi
th_expect_header Cache-Control 'no-store'
th_expect_status -n "metrics from the public" GET "$S/metrics" 403 --interface 127.0.0.2

# ---- identity headers through auth_request
COOKIE=$(node "$JS/signin_cookie.mjs" "$TH_BASE" eve 2>"$TH_DIR/signin.err") ||
	th_bail "sign-in failed: $(cat "$TH_DIR/signin.err")"
th_ok "signed in as eve through the snippet"

# expect_app_header NAME WANT DESC: the application got header NAME with
# exactly the UTF-8 bytes of WANT.
expect_app_header() {
	local out
	if out=$("$PY" - "$TH_BODY" "$1" "$2" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
name, want = sys.argv[2], sys.argv[3].encode()
have = bytes.fromhex(got[name]) if name in got else None
if have != want:
    print("want %r, got %r" % (want, have))
    sys.exit(1)
PY
	); then
		th_ok "$3"
	else
		th_not_ok "$3" "$out"
	fi
}

th_expect_status -n "members page (utf-8)" GET "$TH_BASE/members/page" 200 -H "Cookie: $COOKIE"
expect_app_header x-user "demo:eve" "X-User is provider:sub"
expect_app_header x-name "$CLEAN" "X-Name: no C1, U+2028 or bidi controls; letters kept"

write_conf 'identity_encoding = "rfc8187"'
restart_socialhub
th_expect_status -n "members page (rfc8187)" GET "$TH_BASE/members/page" 200 -H "Cookie: $COOKIE"
want=$("$PY" -c 'import sys, urllib.parse; print("UTF-8'"''"'" + urllib.parse.quote(sys.argv[1], safe="-._~"))' "$CLEAN")
expect_app_header x-name "$want" "X-Name as an RFC 8187 ext-value ($want)"
expect_app_header x-user "UTF-8''demo%3Aeve" "X-User as an RFC 8187 ext-value"

write_conf 'identity_encoding = "base64"'
restart_socialhub
th_expect_status -n "members page (base64)" GET "$TH_BASE/members/page" 200 -H "Cookie: $COOKIE"
want=$(printf '%s' "$CLEAN" | base64 -w0)
expect_app_header x-name "$want" "X-Name in base64 ($want)"

write_conf 'identity_encoding = "latin1"'
if "$SOCIALHUB" check-config -c "$TH_DIR/socialhub.conf" >"$TH_DIR/check.out" 2>&1; then
	th_not_ok "an unknown identity_encoding is refused"
else
	th_ok "an unknown identity_encoding is refused: $(grep -m1 identity_encoding "$TH_DIR/check.out")"
fi

th_done

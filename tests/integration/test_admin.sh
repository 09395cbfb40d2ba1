#!/bin/bash
# test_admin: the admin shell through nginx (issue 17 item 5, issue 19
# item 4): nobody signed in is sent to sign in and back; a grant opens the
# console with a strict CSP, its roles and (owner only) Connections; a
# signed-in visitor without a grant gets the 403 page; a provider name
# that differs in case, or an unverified email, is no one's grant; a grant
# removed by a reload is refused on the next request of the same session.
# Sessions are forged with the session secret (tests/js/forge_session.mjs).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init admin

"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
SECRET=$(cat "$TH_DIR/session.key")
S=$TH_BASE/social

# write_conf GRANTS: the sign-on and a stream, with GRANTS in admin { }.
write_conf() {
	oa_write_config "$TH_DIR/socialhub.conf" <<C
session { secret_file = "$TH_DIR/session.key" }
provider corp { preset = "github" client_id = "rp" client_secret = "s" }
stream news { source a { url = "http://127.0.0.1:9/a.xml" market = "de" } }
admin {
$1
}
C
}
OWNER='grant hq { role = "owner" who = {"corp:boss"} }'
EDITOR='grant de { role = "editor" who = {"email:ann@brand.example"} markets = {"de"} }'
cfg=$(write_conf "$OWNER
$EDITOR")
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
oa_start_nginx

cookie() { printf 'Cookie: socialhub_session=%s' "$(oa_forge "$SECRET" "$@")"; }
BOSS=$(cookie corp boss)
ANN=$(cookie corp ann ann@brand.example)
EVE=$(cookie corp eve eve@else.example)
BOSS_CASE=$(cookie Corp boss)

# ---- nobody signed in: to the sign-in, and back here after it
th_expect_status -n "admin, nobody signed in" GET "$S/admin" 303 &&
	th_expect_header Location "^/social/auth/login\\?return_to=%2Fsocial%2Fadmin$"
th_expect_status -n "admin page with a query, nobody signed in" GET "$S/admin?x=1" 303 &&
	th_expect_header Location "^/social/auth/login\\?return_to=%2Fsocial%2Fadmin%3Fx%3D1$"
# The sign-in takes the admin page as return_to (other mount paths it refuses).
th_expect_status -n "sign-in with return_to the admin page" GET \
	"$S/auth/login/corp?return_to=%2Fsocial%2Fadmin" 302
th_expect_status -n "sign-in with return_to another mount path" GET \
	"$S/auth/login/corp?return_to=%2Fsocial%2Fshare%2Fx" 400

# ---- the owner
th_expect_status -n "admin, owner" GET "$S/admin" 200 -H "$BOSS" &&
	th_expect_header Content-Security-Policy "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'" &&
	th_expect_header Cache-Control "no-store" &&
	th_expect_body_contains "<li>owner</li>" &&
	th_expect_body_contains 'href="/social/admin/connections"' &&
	th_expect_body_contains 'action="/social/auth/logout"'

# ---- the market editor (verified email): no Connections link
th_expect_status -n "admin, market editor" GET "$S/admin" 200 -H "$ANN" &&
	th_expect_body_contains "<li>editor; markets de</li>"
if grep -q "admin/connections" "$TH_BODY"; then
	th_not_ok "admin, market editor: no Connections link" "$(grep -o '<nav.*</nav>' "$TH_BODY")"
else
	th_ok "admin, market editor: no Connections link"
fi

# ---- signed in without a grant; a provider differing in case; unverified
th_expect_status -n "admin, signed in without a grant" GET "$S/admin" 403 -H "$EVE" &&
	th_expect_header Content-Type "text/html; charset=utf-8" &&
	th_expect_body_contains "has no admin role"
th_expect_status -n "admin, session of provider Corp (not corp)" GET "$S/admin" 303 -H "$BOSS_CASE"
UNVERIFIED=$(cookie corp ann2 ann@brand.example unverified)
th_expect_status -n "admin, the editor's email unverified" GET "$S/admin" 403 -H "$UNVERIFIED"

# ---- the grant removed by a reload: the same session is refused at once
cfg=$(write_conf "$OWNER")
kill -HUP "$TH_SH_PID"
ok=0
for _ in $(seq 1 50); do
	th_request GET "$S/admin" -H "$ANN"
	[ "$TH_STATUS" = 403 ] && { ok=1; break; }
	sleep 0.1
done
if [ "$ok" = 1 ]; then
	th_ok "admin, market editor after the grant is removed: 403"
else
	th_not_ok "admin, market editor after the grant is removed: 403" "got $TH_STATUS"
fi
th_expect_status -n "admin, owner after the reload" GET "$S/admin" 200 -H "$BOSS"
if grep -Eq 'socialhub_session=|csrf=' "$TH_DIR/socialhub.log"; then
	th_not_ok "log: no session cookie or CSRF token" "$(grep -E 'socialhub_session=|csrf=' "$TH_DIR/socialhub.log" | head -3)"
else
	th_ok "log: no session cookie or CSRF token"
fi
th_done

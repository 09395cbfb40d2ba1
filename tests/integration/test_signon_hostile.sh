#!/bin/bash
# test_signon_hostile: socialhub behind real nginx against a hostile OpenID
# provider (tests/js/hostile_op.mjs): every attack ends without a session,
# JWKS refetches are rate-limited, return_to never leads off-site.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init signon-hostile

oa_start_node hostile hostile_op.mjs
ISS=$(oa_json_get "$TH_DIR/hostile.ready" issuer)
oa_start <<C
session { secret = "$("$SOCIALHUB" keygen)" }
provider hostile {
	issuer = "$ISS"
	client_id = "rp"
	client_secret = "hostile-client-secret"
	display_name = "Hostile OP"
	userinfo = false
}
C
th_run_tap hostile_test node "$JS/hostile_test.mjs" "$TH_BASE" "$ISS" hostile \
	"$TH_SRCDIR/tests/fixtures/open_redirect.txt"
# Each attack must have been refused for its own reason, not by accident.
for reason in \
	"no login attempt matches this state" "state already used (replay)" \
	"ID token nonce missing" "ID token nonce mismatch" \
	"ID token algorithm unknown or forbidden (none?)" \
	"ID token algorithm not on the provider's allow-list" \
	"ID token signature invalid" "no provider key matches the ID token (kid/alg)" \
	"ID token iss does not match the issuer" "ID token aud does not contain our client_id" \
	"ID token aud holds an untrusted audience" "ID token expired" \
	"ID token issued in the future (iat)" "ID token not valid yet (nbf)" \
	"ID token sub missing or invalid" \
	"iss parameter does not name the provider we sent the visitor to" \
	"iss parameter missing but the provider always sends it" \
	"duplicated callback parameter" "the provider refused the authorization code" \
	"the provider returned an error"; do
	if grep -qF "reason=\"$reason\"" "$TH_DIR/socialhub.log"; then
		th_ok "refused for: $reason"
	else
		th_not_ok "no refusal logged for: $reason"
	fi
done
if grep -E 'access_token|client_secret=|hostile-client-secret' "$TH_DIR/socialhub.log" "$TH_DIR/socialhub.out"; then
	th_not_ok "no secret reaches the log"
else
	th_ok "no secret reaches the log"
fi
th_done

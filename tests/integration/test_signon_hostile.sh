#!/bin/bash
# test_signon_hostile: socialhub behind real nginx against a hostile OpenID
# provider (tests/js/hostile_op.mjs): every attack ends without a session,
# JWKS refetches are rate-limited, return_to never leads off-site.
. "$(dirname "$0")/oauth_env.sh"
oauth_env_init

NG=$(free_port) UP=$(free_port) SH=$(free_port)
start_node hostile hostile_op.mjs
ISS=$(json_get "$D/hostile.ready" issuer)
cat >"$D/socialhub.conf" <<C
listen = "127.0.0.1:$SH"
workers = 2
site_url = "http://127.0.0.1:$NG"
cache_dir = "$D/cache"
state_dir = "$D/state"
session { secret = "$("$SOCIALHUB" keygen)" }
provider hostile {
	issuer = "$ISS"
	client_id = "rp"
	client_secret = "hostile-client-secret"
	display_name = "Hostile OP"
	userinfo = false
}
C
start_socialhub "$D/socialhub.conf"
write_nginx "$NG" "$UP" "$SH"
start_nginx
wait_port "$SH" && wait_port "$NG" || exit 1
node "$JS/hostile_test.mjs" "http://127.0.0.1:$NG" "$ISS" hostile "$SRCDIR/tests/fixtures/open_redirect.txt"
rc=$?
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
	if grep -qF "reason=\"$reason\"" "$D/logs/socialhub.log"; then
		echo "ok - refused for: $reason"
	else
		echo "not ok - no refusal logged for: $reason"
		rc=1
	fi
done
if grep -E 'access_token|client_secret=|hostile-client-secret' "$D/logs/socialhub.log"; then
	echo "not ok - a secret reached the log"
	rc=1
fi
exit $rc

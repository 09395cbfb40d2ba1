#!/bin/bash
# test_session_secret: the session secret is the key to every session
# (issue 13, item 8). A guessable one (32 x "a", spaces) or one in a file
# others can read lets anyone seal a session that /auth/check honours; such
# configs are refused by check-config (path, cause, fix) and by serve, so
# a forged cookie never opens /protected/ behind nginx. Secret files
# (old_secrets_file, client_secret_file too) must be private.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init session-secret

PROVIDER='provider demo {
	issuer = "http://127.0.0.1:9/"
	client_id = "demo"
	client_secret = "demo-secret-change-me"
}'
WEAK=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

# check_config NAME WANT_EXIT CFG ERE...: check-config's exit status, and
# each ERE (fixed-string-free, grep -E) on its stderr.
check_config() {
	local name=$1 want=$2 cfg=$3 rc re
	shift 3
	"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>"$TH_DIR/cc.err"
	rc=$?
	for re in "$@"; do
		grep -Eq -- "$re" "$TH_DIR/cc.err" || rc="$rc, no /$re/"
	done
	if [ "$rc" = "$want" ]; then
		th_ok "$name: check-config exit $want"
	else
		th_not_ok "$name: check-config exit $want and its message" \
			"got exit $rc; stderr: $(cat "$TH_DIR/cc.err")"
	fi
}

# key FILE MODE [CONTENT]: a secret file (keygen's unless CONTENT).
key() {
	if [ $# -ge 3 ]; then printf '%s\n' "$3" >"$1"; else "$SOCIALHUB" keygen >"$1"; fi
	chmod "$2" "$1"
}

oa_start_nginx

# ---- control: a keygen secret, private. The forger is right: a session
# sealed with the real secret passes, one sealed with a guess does not.
key "$TH_DIR/good.key" 600
cfg=$(oa_write_config "$TH_DIR/good.conf" <<C
session { secret_file = "$TH_DIR/good.key" }
$PROVIDER
C
)
check_config "keygen secret, mode 600" 0 "$cfg"
th_start_socialhub "$cfg" || th_bail "socialhub did not start on a good config"
oa_auth_check "sealed with the real secret" "$(oa_forge "$(cat "$TH_DIR/good.key")" demo alice)" 204
oa_auth_check "sealed with 32 x a" "$(oa_forge "$WEAK" demo mallory)" 401
th_stop "$TH_SH_PID"

# ---- 32 x "a" in secret_file: refused, and its forged session never served
key "$TH_DIR/weak.key" 600 "$WEAK"
cfg=$(oa_write_config "$TH_DIR/weak.conf" <<C
session { secret_file = "$TH_DIR/weak.key" }
$PROVIDER
C
)
check_config "secret_file of 32 x a" 1 "$cfg" \
	"weak\.conf:[0-9]+: secret_file: $TH_DIR/weak\.key is not key material as .socialhub keygen. writes it" \
	'decodes to 24 bytes' "fix: socialhub keygen > $TH_DIR/weak\.key; chmod 600 $TH_DIR/weak\.key"
grep -q "$WEAK" "$TH_DIR/cc.err" && th_not_ok "the message never shows the secret" || th_ok "the message never shows the secret"
oa_serve_refused "secret_file of 32 x a" "$cfg"
oa_auth_check "forged with 32 x a, daemon refused" "$(oa_forge "$WEAK" demo mallory)" 502

# ---- 32 spaces, and 32 x "a" inline
key "$TH_DIR/spaces.key" 600 "                                "
cfg=$(oa_write_config "$TH_DIR/spaces.conf" <<C
session { secret_file = "$TH_DIR/spaces.key" }
$PROVIDER
C
)
check_config "secret_file of 32 spaces" 1 "$cfg" "spaces\.key is not key material" 'it is not base64url'
cfg=$(oa_write_config "$TH_DIR/inline.conf" <<C
session { secret = "$WEAK" }
$PROVIDER
C
)
check_config "inline secret of 32 x a" 1 "$cfg" 'secret: the inline secret is not key material' \
	'socialhub keygen > FILE; chmod 600 FILE'
oa_serve_refused "inline secret of 32 x a" "$cfg"

# ---- a keygen secret others can read: refused (it may have leaked), and
# a session sealed by whoever read it is never served
for mode in 640 644; do
	key "$TH_DIR/open$mode.key" "$mode"
	cfg=$(oa_write_config "$TH_DIR/open$mode.conf" <<C
session { secret_file = "$TH_DIR/open$mode.key" }
$PROVIDER
C
)
	check_config "secret_file mode $mode" 1 "$cfg" \
		"secret_file: $TH_DIR/open$mode\.key is open to other users \(mode 0$mode\)" \
		"socialhub keygen > $TH_DIR/open$mode\.key; chmod 600 $TH_DIR/open$mode\.key"
	oa_serve_refused "secret_file mode $mode" "$cfg"
	oa_auth_check "sealed with the readable mode-$mode secret, daemon refused" \
		"$(oa_forge "$(cat "$TH_DIR/open$mode.key")" demo mallory)" 502
done

# ---- old_secrets_file: private, and every line key material
key "$TH_DIR/old.keys" 644
cfg=$(oa_write_config "$TH_DIR/old.conf" <<C
session { secret_file = "$TH_DIR/good.key"  old_secrets_file = "$TH_DIR/old.keys" }
$PROVIDER
C
)
check_config "old_secrets_file mode 644" 1 "$cfg" \
	"old_secrets_file: $TH_DIR/old\.keys is open to other users \(mode 0644\)"
printf '# rotated\n%s\n%s\n' "$("$SOCIALHUB" keygen)" "$WEAK$WEAK" >"$TH_DIR/old.keys"
chmod 600 "$TH_DIR/old.keys"
check_config "old_secrets_file with a weak line" 1 "$cfg" \
	"old_secrets_file: line 3 of $TH_DIR/old\.keys is not key material"
oa_serve_refused "old_secrets_file with a weak line" "$cfg"

# ---- client_secret_file is read the same way: private too
printf 'demo-secret-change-me\n' >"$TH_DIR/demo.secret"
chmod 604 "$TH_DIR/demo.secret"
cfg=$(oa_write_config "$TH_DIR/client.conf" <<C
session { secret_file = "$TH_DIR/good.key" }
provider demo { issuer = "http://127.0.0.1:9/" client_id = "demo" client_secret_file = "$TH_DIR/demo.secret" }
C
)
check_config "client_secret_file mode 604" 1 "$cfg" \
	"client_secret_file: $TH_DIR/demo\.secret is open to other users \(mode 0604\)" \
	"fix: chmod 600 $TH_DIR/demo\.secret"
chmod 600 "$TH_DIR/demo.secret"
check_config "client_secret_file mode 600" 0 "$cfg"
th_done

#!/bin/bash
# test_provider_names: one rule for provider names (issue 13, item 9).
# access { providers = {"staff"} } used to admit a session of a provider
# named "STAFF" (a case-folding compare in oauth/access.c, exact ones
# elsewhere). Names now match exactly everywhere, and check-config and
# serve refuse two provider names that differ only in case, so such a
# session is never served behind nginx.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init provider-names

"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
SECRET=$(cat "$TH_DIR/session.key")
prov() {
	printf 'provider %s { issuer = "http://127.0.0.1:9/%s" client_id = "rp" client_secret = "s" }\n' "$1" "$1"
}

# check_config NAME WANT_EXIT CFG [ERE]
check_config() {
	local name=$1 want=$2 cfg=$3 re=${4:-} rc
	"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>"$TH_DIR/cc.err"
	rc=$?
	[ -z "$re" ] || grep -Eq -- "$re" "$TH_DIR/cc.err" || rc="$rc, no /$re/"
	if [ "$rc" = "$want" ]; then
		th_ok "$name: check-config exit $want"
	else
		th_not_ok "$name: check-config exit $want and its message" \
			"got exit $rc; stderr: $(cat "$TH_DIR/cc.err")"
	fi
}

oa_start_nginx

# ---- control: staff and guest, access for staff. The forger is right
# (staff passes), the rule holds (guest 403), and a session naming a
# provider that is not configured, STAFF, is not honoured.
cfg=$(oa_write_config "$TH_DIR/control.conf" <<C
session { secret_file = "$TH_DIR/session.key" }
$(prov staff)
$(prov guest)
access { providers = {"staff"} }
C
)
check_config "staff + guest" 0 "$cfg"
th_start_socialhub "$cfg" || th_bail "socialhub did not start on the control config"
oa_auth_check "session of staff" "$(oa_forge "$SECRET" staff alice)" 204
oa_auth_check "session of guest" "$(oa_forge "$SECRET" guest bob)" 403
oa_auth_check "session of STAFF (not configured)" "$(oa_forge "$SECRET" STAFF mallory)" 401
th_stop "$TH_SH_PID"

# ---- staff and STAFF: refused, so a STAFF session never passes the rule
# written for staff
cfg=$(oa_write_config "$TH_DIR/twins.conf" <<C
session { secret_file = "$TH_DIR/session.key" }
$(prov staff)
$(prov STAFF)
access { providers = {"staff"} }
C
)
line=$(grep -n '^provider STAFF' "$cfg" | cut -d: -f1)
check_config "staff + STAFF" 1 "$cfg" \
	"twins\.conf:$line: provider: \"staff\" and \"STAFF\" differ only in case"
oa_serve_refused "staff + STAFF" "$cfg"
oa_auth_check "session of STAFF, daemon refused" "$(oa_forge "$SECRET" STAFF mallory)" 502

# ---- an access rule naming a provider in another case: refused, with
# the name it should be
cfg=$(oa_write_config "$TH_DIR/rule.conf" <<C
session { secret_file = "$TH_DIR/session.key" }
$(prov staff)
access { providers = {"Staff"} }
C
)
check_config "access names Staff for staff" 1 "$cfg" \
	'providers: no provider named "Staff"; provider names match exactly, case included: write "staff"'
th_done

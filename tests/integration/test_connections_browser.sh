#!/usr/bin/env bash
# test_connections_browser.sh: the connect flow in Chromium (issue 17 item
# 5, "done when"): the owner signs in at the local oidc-provider through
# nginx, opens the connections page, Connect → consent at the fixture
# Instagram and X authorization servers → back; the token is stored sealed
# (the store holds no token the fixture issued), renewed before it expires
# (12-second tokens), a source reads through the connection; Revoke → the
# source fails naming its connection, and the stream keeps its items.
# CONN_REDIS=1 (test_connections_browser_redis.sh): the same with states,
# flows, sealed tokens and leases in a private redis-server (`store`).
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$HERE/oauth_env.sh"
# shellcheck source=tests/integration/conn_env.sh
. "$HERE/conn_env.sh"
[ -x /usr/bin/chromium ] || th_skip_all "/usr/bin/chromium not installed"
th_require_cmd /usr/bin/python3 sqlite3
oa_init "connections-browser${CONN_REDIS:+-redis}"
ce_start 12
STORE=
if [ "${CONN_REDIS:-}" = 1 ]; then
	th_start_redis
	# 500 ms, not the default 50: on a loaded 2-core host a redis-server
	# descheduled that long is no outage (test_cluster.sh covers outages).
	STORE="store { url = \"redis://127.0.0.1:$RPORT/0\" prefix = \"cb:\" timeout_ms = 500 }
share { counting = false }"
fi
# store_dump FILE: every key and value of the store in use, as text.
store_dump() {
	local k
	if [ "${CONN_REDIS:-}" = 1 ]; then
		: >"$1"
		for k in $(redis-cli -p "$RPORT" --scan --pattern 'cb:*'); do
			printf '%s ' "$k" >>"$1"
			redis-cli -p "$RPORT" --raw get "$k" >>"$1" 2>/dev/null || echo >>"$1"
		done
	else
		sqlite3 "$TH_DIR/state/store.sqlite" "select k || ' ' || v from kv" >"$1"
	fi
}

oa_start_node op op.mjs --redirect "$TH_BASE/social/auth/callback/demo"
ISS=$(oa_json_get "$TH_DIR/op.ready" issuer)
cfg=$(TH_LISTEN=127.0.0.1:$OA_SH ce_write_conf '"k1:'"$TH_DIR"'/k1.key"' "session { secret_file = \"$TH_DIR/session.key\" }
provider demo {
  issuer = \"$ISS\"
  client_id = \"demo\"
  client_secret = \"demo-secret-change-me\"
  display_name = \"Demo ID\"
}
admin { grant hq { role = \"owner\" who = {\"demo:alice\"} } }
$STORE")
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
oa_start_nginx
mkdir -p "$TH_DIR/shots" "$TH_DIR/profile"
SHOTS=${SHOTS:-$TH_DIR/shots}

# ---- connect both in the browser
th_run_tap connect node "$JS/browser_connect.mjs" connect "$TH_BASE" "$ISS" "$TH_DIR/profile" "$SHOTS"
store_dump "$TH_DIR/store.dump"
st_expect_eq "the store holds both sealed records" "$(grep -c 'conn:tok:[a-z-]* t1\.k1\.' "$TH_DIR/store.dump")" 2
NAME="the store holds no plaintext token" ce_no_tokens_in "$TH_DIR/store.dump" "$TH_DIR"/state/store.sqlite*
if [ "${CONN_REDIS:-}" = 1 ]; then
	st_expect_eq "redis: the sealed records in Redis, under the prefix" \
		"$(redis-cli -p "$RPORT" --scan --pattern 'cb:conn:tok:*' | wc -l)" 2
	n=$(sqlite3 "$TH_DIR/state/store.sqlite" "select count(*) from kv where k like '%conn:%'" 2>/dev/null || echo 0)
	st_expect_eq "redis: no connection record in the local SQLite file" "${n:-0}" 0
fi

# ---- renewed before expiry by the refresher
ok=0
for _ in $(seq 1 40); do
	[ "$(ce_steps refresh ig)" -ge 1 ] && [ "$(ce_steps refresh x)" -ge 1 ] && { ok=1; break; }
	sleep 0.5
done
st_expect_eq "both renewed before they expire" "$ok" 1

# ---- a source reads through the connection; revoked in the browser, it fails
"$SOCIALHUB" refresh --force -c "$cfg" >"$TH_DIR/r1" 2>>"$TH_DIR/socialhub.log"
grep -Eq "^social/masto +(updated|unchanged) +200 +3 " "$TH_DIR/r1" &&
	th_ok "the source reads through its connection" || th_not_ok "the source reads through its connection" "$(cat "$TH_DIR/r1")"
th_run_tap revoke node "$JS/browser_connect.mjs" revoke "$TH_BASE" "$ISS" "$TH_DIR/profile" "$SHOTS"
st_expect_eq "revoked at the network too (DELETE /me/permissions)" "$(ce_steps revoke ig)" 1
"$SOCIALHUB" refresh --force -c "$cfg" >"$TH_DIR/r2" 2>>"$TH_DIR/socialhub.log"
grep -q "connection ig-brand revoked" "$TH_DIR/r2" &&
	th_ok "revoked: the source fails naming its connection" || th_not_ok "revoked: the source fails naming its connection" "$(cat "$TH_DIR/r2")"
th_request GET "$TH_BASE/social/streams/social.json?limit=100"
n=$("$ST_PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$TH_BODY" 2>/dev/null)
st_expect_eq "revoked: the stream keeps its items" "$n" 3
th_request GET "$TH_BASE/social/healthz"
"$ST_PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]["ig-brand"]; print(c["state"])' "$TH_BODY" >"$TH_DIR/h.out"
st_expect_eq "healthz: ig-brand revoked" "$(cat "$TH_DIR/h.out")" revoked
store_dump "$TH_DIR/store.dump"
NAME="no token in the logs or the store" ce_no_tokens_in "$TH_DIR/socialhub.log" "$TH_DIR/store.dump" "$TH_DIR/r1" "$TH_DIR/r2"
th_done

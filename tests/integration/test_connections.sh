#!/usr/bin/env bash
# test_connections.sh: the connect flow and token lifecycle (issue 17 item
# 5) through nginx, against the Instagram and X authorization servers of
# tests/integration/conn_fixture.py and a Mastodon source of api_fixture.py
# that reads through a connection; the owner's session is forged
# (tests/js/forge_session.mjs).
#  1. /admin/connections: owner only; every POST needs the same origin and
#     the session's CSRF token.
#  2. Connect Instagram (code, then the 60-day exchange) and X (PKCE, HTTP
#     Basic): consent at the fixture, back, token stored sealed (the store
#     holds no token the fixture issued), the state on the page, /healthz
#     (metrics_allow only), /metrics; a replayed callback refused.
#  3. Renewed before expiry by the refresher (short expiries): Instagram's
#     refresh endpoint, X's rotated refresh token.
#  4. connection = "NAME" fills the source's token; revoked → the source
#     fails naming the connection, its items kept; a 401 from the network
#     marks the connection failed with the reason.
#  5. `socialhub connect` on a 127.0.0.1 redirect port; `socialhub rekey`
#     after a key rotation. No token in any log.
#  6. The same through a Redis store (sealed under its prefix, rekey).
#  7. Revoke also revokes at the network (Meta's DELETE /me/permissions,
#     X's POST /2/oauth2/revoke); a network that fails is shown, and the
#     local tokens go anyway.
#  8. The refresher's connection look (every 5 s) has its own timer: an
#     idle refresher runs no feed pass every 5 s.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"

# shellcheck source=tests/integration/conn_env.sh
. "$HERE/conn_env.sh"

JS=$TH_SRCDIR/tests/js
th_require_socialhub
th_require_cmd /usr/bin/python3 curl node sqlite3 "$(th_find_nginx)"
th_init connections
ce_start 16
S=$TH_BASE/social
SECRET=$(cat "$TH_DIR/session.key")
SIGNON="session { secret_file = \"$TH_DIR/session.key\" }
provider corp { preset = \"github\" client_id = \"rp\" client_secret = \"s\" }
admin {
  grant hq { role = \"owner\" who = {\"corp:boss\"} }
  grant de { role = \"editor\" who = {\"corp:ann\"} }
}"
write_conf() { ce_write_conf "$1" "$SIGNON"; }
cfg=$(write_conf '"k1:'"$TH_DIR"'/k1.key"')
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

cookie() { printf 'Cookie: socialhub_session=%s' "$(node "$JS/forge_session.mjs" "$SECRET" corp "$1")"; }
BOSS=$(cookie boss)
ANN=$(cookie ann)
ORIGIN="Origin: http://127.0.0.1:$TH_PORT"

# ---------------------------------------------------------- 1. the page, guards
th_expect_status -n "connections, nobody signed in" GET "$S/admin/connections" 303
th_expect_status -n "connections, an editor" GET "$S/admin/connections" 403 -H "$ANN"
th_expect_status -n "connections, the owner" GET "$S/admin/connections" 200 -H "$BOSS" &&
	th_expect_body_contains '<th scope="row">ig-brand</th><td>instagram</td><td>@brand@mastodon.example</td>' &&
	th_expect_body_contains 'data-state="none">not connected' &&
	th_expect_header Content-Security-Policy "form-action 'self' $FIX;"
CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$TH_BODY" | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] && th_ok "the page's forms carry a CSRF token" || th_not_ok "the page's forms carry a CSRF token"
th_expect_status -n "connect without a CSRF token" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$BOSS" -H "$ORIGIN" --data ""
# The token with its last character changed (to one it is not).
case $CSRF in *A) FORGED=${CSRF%?}B ;; *) FORGED=${CSRF%?}A ;; esac
th_expect_status -n "connect with a forged CSRF token" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$BOSS" -H "$ORIGIN" --data "csrf=$FORGED"
th_expect_status -n "connect with the token sent twice" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$BOSS" -H "$ORIGIN" --data-urlencode "csrf=$CSRF" --data-urlencode "csrf=$CSRF"
th_expect_status -n "connect without Origin, Sec-Fetch-Site cross-site" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$BOSS" -H "Sec-Fetch-Site: cross-site" --data-urlencode "csrf=$CSRF"
th_expect_status -n "connect from another site" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$BOSS" -H "Origin: https://evil.example" --data-urlencode "csrf=$CSRF" &&
	th_expect_header Content-Type "text/html" &&
	th_expect_body_contains "This form has expired or did not come from this site."
th_expect_status -n "connect with Origin: null" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$BOSS" -H "Origin: null" --data-urlencode "csrf=$CSRF"
th_expect_status -n "connect with another session's token" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$(cookie boss)" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"
th_expect_status -n "connect by an editor" POST "$S/admin/connections/ig-brand/connect" 403 \
	-H "$ANN" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"
th_expect_status -n "connect an unknown connection" POST "$S/admin/connections/nope/connect" 404 \
	-H "$BOSS" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"

# ---------------------------------------------------------- 8. the refresher's timers
# passes: socialhub_refresh_passes_total now (the feed refresher's passes).
passes() {
	curl -s "$S/metrics" | sed -n 's/^socialhub_refresh_passes_total \([0-9]*\)$/\1/p'
}
p0=''
for _ in $(seq 1 40); do
	p0=$(passes)
	[ "${p0:-0}" -ge 1 ] && break
	sleep 0.5
done
sleep 11
p1=$(passes)
[ -n "$p0" ] && [ -n "$p1" ] && [ $((p1 - p0)) -le 1 ] &&
	th_ok "an idle refresher with connections runs no feed pass every 5 s ($p0 -> $p1 in 11 s)" ||
	th_not_ok "an idle refresher with connections runs no feed pass every 5 s" "$p0 -> $p1 in 11 s"

# ---------------------------------------------------------- 2. connect
# connect NAME: Connect, consent at the fixture, back; prints the final status.
connect() {
	local loc allow
	th_request POST "$S/admin/connections/$1/connect" -H "$BOSS" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"
	[ "$TH_STATUS" = 303 ] || { echo "connect $TH_STATUS"; return; }
	loc=$(th_header Location)
	th_request GET "$loc"
	allow=$(grep -o 'id="allow" href="[^"]*"' "$TH_BODY" | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
	[ -n "$allow" ] || { echo "consent $TH_STATUS"; return; }
	printf '%s\n' "$allow" >"$TH_DIR/$1.callback"
	th_request GET "$allow" -H "$BOSS"
	echo "$TH_STATUS $(th_header Location)"
}
out=$(connect ig-brand)
st_expect_eq "instagram: consent, back to the page" "$out" "303 /social/admin/connections?done=ig-brand"
out=$(connect x-brand)
st_expect_eq "x: consent with PKCE, back to the page" "$out" "303 /social/admin/connections?done=x-brand"
st_expect_eq "instagram: code redeemed" "$(ce_steps token ig)" 1
st_expect_eq "instagram: exchanged for the 60-day token" "$(ce_steps exchange ig)" 1
st_expect_eq "x: code redeemed with the verifier and HTTP Basic" "$(ce_steps token x)" 1
grep -q '"pkce": "S256"' "$TH_DIR/conn.log" && th_ok "x: S256 challenge sent" || th_not_ok "x: S256 challenge sent"
th_expect_status -n "the page after connecting" GET "$S/admin/connections?done=ig-brand" 200 -H "$BOSS" &&
	th_expect_body_contains "Connected ig-brand." &&
	th_expect_body_contains 'data-state="connected"'
th_request GET "$(cat "$TH_DIR/ig-brand.callback")" -H "$BOSS"
st_expect_eq "a replayed callback is refused" "$TH_STATUS" 400

# No token the fixture issued is in the store, the logs or /healthz.
sqlite3 "$TH_DIR/state/store.sqlite" .dump >"$TH_DIR/store.dump"
grep -q "conn:tok:ig-brand" "$TH_DIR/store.dump" && th_ok "the store holds ig-brand's record" ||
	th_not_ok "the store holds ig-brand's record"
NAME="the store holds no plaintext token" ce_no_tokens_in "$TH_DIR/store.dump" "$TH_DIR"/state/store.sqlite*

th_expect_status -n "healthz from metrics_allow" GET "$S/healthz" 200
/usr/bin/python3 - "$TH_BODY" >"$TH_DIR/h.out" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["connections"]
print(c["ig-brand"]["state"], c["ig-brand"]["network"], c["ig-brand"]["expires_at"] > 0, c["x-brand"]["state"])
EOF
st_expect_eq "healthz: each connection's state and expiry" "$(cat "$TH_DIR/h.out")" "connected instagram True connected"
cp "$TH_BODY" "$TH_DIR/healthz.json"
th_expect_status -n "healthz from the public" GET "$S/healthz" 200 --interface 127.0.0.2
grep -q connections "$TH_BODY" && th_not_ok "healthz from the public: no connections" || th_ok "healthz from the public: no connections"

# ---------------------------------------------------------- 3. renewed before expiry
ok=0
for _ in $(seq 1 40); do
	[ "$(ce_steps refresh ig)" -ge 1 ] && [ "$(ce_steps refresh x)" -ge 1 ] && { ok=1; break; }
	sleep 0.5
done
st_expect_eq "the refresher renews both before they expire (16 s tokens)" "$ok" 1
th_expect_status -n "metrics" GET "$S/metrics" 200 &&
	th_expect_body_contains '# TYPE socialhub_connection_expiry_timestamp_seconds gauge' &&
	th_expect_body_contains 'socialhub_connection_expiry_timestamp_seconds{connection="ig-brand",network="instagram"}' &&
	th_expect_body_contains '# HELP socialhub_connection_up' &&
	th_expect_body_contains 'socialhub_connection_refreshes_total{result="ok"}'
grep -q 'event=connection_stored.*connection=x-brand.*how=refresh' "$TH_DIR/socialhub.log" &&
	th_ok "log: the renewal" || th_not_ok "log: the renewal"
grep -q 'event=connection_expiring' "$TH_DIR/socialhub.log" &&
	th_ok "log: a warning within 7 days of expiry" || th_not_ok "log: a warning within 7 days of expiry"

# ---------------------------------------------------------- 4. the source's token
"$SOCIALHUB" refresh --force -c "$cfg" >"$TH_DIR/r1" 2>>"$TH_DIR/socialhub.log"
grep -Eq "^social/masto +(updated|unchanged) +200 +3 " "$TH_DIR/r1" && th_ok "a source reads through its connection" ||
	th_not_ok "a source reads through its connection" "$(cat "$TH_DIR/r1")"
th_request POST "$S/admin/connections/ig-brand/revoke" -H "$BOSS" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"
st_expect_eq "revoke" "$TH_STATUS" 200
grep -q "Revoked ig-brand. instagram revoked the token too." "$TH_BODY" && grep -q 'data-state="revoked"' "$TH_BODY" &&
	th_ok "the page says revoked, here and at the network" || th_not_ok "the page says revoked, here and at the network"
st_expect_eq "instagram: DELETE /me/permissions with the stored token" "$(ce_steps revoke ig)" 1
# X's revocation endpoint down: the failure is shown, the tokens go anyway.
curl -s "$FIX/_revoke_fail?net=x&on=1" >/dev/null
th_request POST "$S/admin/connections/x-brand/revoke" -H "$BOSS" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"
st_expect_eq "revoke with the network failing" "$TH_STATUS" 200
grep -q "Revoked x-brand. The local tokens are deleted, but at x: HTTP 503 from the network&#39;s revocation endpoint." "$TH_BODY" ||
	grep -q "Revoked x-brand. The local tokens are deleted, but at x: HTTP 503 from the network" "$TH_BODY"
st_expect_eq "the page names the network's failure" "$?" 0
st_expect_eq "the local tokens are deleted anyway" \
	"$(sqlite3 "$TH_DIR/state/store.sqlite" "select count(*) from kv where k like '%conn:tok:x-brand'")" 0
curl -s "$FIX/_revoke_fail?net=x&on=0" >/dev/null
"$SOCIALHUB" refresh --force -c "$cfg" >"$TH_DIR/r2" 2>>"$TH_DIR/socialhub.log"
grep -Eq '^social/masto +failed' "$TH_DIR/r2" && th_ok "revoked: the source fails" ||
	th_not_ok "revoked: the source fails" "$(cat "$TH_DIR/r2")"
grep -q 'connection ig-brand revoked' "$TH_DIR/r2" "$TH_DIR/socialhub.log" &&
	th_ok "revoked: the error names the connection" || th_not_ok "revoked: the error names the connection"
th_request GET "$S/streams/social.json?limit=100"
n=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$TH_BODY" 2>/dev/null)
st_expect_eq "revoked: the stream keeps its items" "$n" 3
# Reconnected, then the network answers 401: the connection fails with the reason.
out=$(connect ig-brand)
st_expect_eq "reconnect" "$out" "303 /social/admin/connections?done=ig-brand"
curl -s "$API/_mode?net=m&mode=401" >/dev/null
"$SOCIALHUB" refresh --force -c "$cfg" >"$TH_DIR/r3" 2>>"$TH_DIR/socialhub.log"
th_expect_status -n "healthz after a 401" GET "$S/healthz" 200
/usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["connections"]["ig-brand"]; print(c["state"], "401" in c.get("reason",""))' "$TH_BODY" >"$TH_DIR/h2.out"
st_expect_eq "a 401 fails the connection with its reason" "$(cat "$TH_DIR/h2.out")" "failed True"
curl -s "$API/_mode?net=m&mode=ok" >/dev/null

# ---------------------------------------------------------- 5. terminal, rekey
# cli_connect CFG LABEL: `socialhub connect x-brand --port` with CFG, the
# consent given at the fixture; checks its exit and words.
cli_connect() {
	local p url='' allow cpid rc
	p=$(th_free_port)
	"$SOCIALHUB" connect x-brand --port "$p" -c "$1" >"$TH_DIR/connect.out" 2>>"$TH_DIR/socialhub.log" &
	cpid=$!
	th_register_pid "$cpid"
	for _ in $(seq 1 50); do
		url=$(grep -o "^$FIX/x/i/oauth2/authorize?[^ ]*" "$TH_DIR/connect.out" || true)
		[ -n "$url" ] && break
		sleep 0.1
	done
	allow=$(curl -s "$url" | grep -o 'id="allow" href="[^"]*"' | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
	curl -s "$allow" >/dev/null
	wait "$cpid"
	rc=$?
	st_expect_eq "$2: socialhub connect x-brand --port: exit 0" "$rc" 0
	grep -q "Connected x-brand (x)" "$TH_DIR/connect.out" && th_ok "$2: socialhub connect: connected" ||
		th_not_ok "$2: socialhub connect: connected" "$(cat "$TH_DIR/connect.out")"
}
cli_connect "$cfg" "local store"
# X revoked at the network: the refresh token, then the access token.
before=$(ce_steps revoke x)
th_request POST "$S/admin/connections/x-brand/revoke" -H "$BOSS" -H "$ORIGIN" --data-urlencode "csrf=$CSRF"
grep -q "Revoked x-brand. x revoked the token too." "$TH_BODY" &&
	th_ok "x: revoked at the network" || th_not_ok "x: revoked at the network" "$(grep -o 'outcome[^<]*<' "$TH_BODY")"
st_expect_eq "x: POST /2/oauth2/revoke, refresh and access token" "$(( $(ce_steps revoke x) - before ))" 2
grep -q '"step": "revoke", "net": "x", "hint": "refresh_token", "ok": true, "basic": true' "$TH_DIR/conn.log" &&
	th_ok "x: the refresh token revoked with HTTP Basic" || th_not_ok "x: the refresh token revoked with HTTP Basic"
# Without --port: the address the browser was sent to, pasted on stdin.
mkfifo "$TH_DIR/paste"
"$SOCIALHUB" connect ig-brand -c "$cfg" <"$TH_DIR/paste" >"$TH_DIR/paste.out" 2>>"$TH_DIR/socialhub.log" &
CPID=$!
th_register_pid "$CPID"
exec 7>"$TH_DIR/paste"
url=''
for _ in $(seq 1 50); do
	url=$(grep -o "^$FIX/ig/oauth/authorize?[^ ]*" "$TH_DIR/paste.out" || true)
	[ -n "$url" ] && break
	sleep 0.1
done
curl -s "$url" | grep -o 'id="allow" href="[^"]*"' | sed 's/.*href="//; s/"$//; s/&amp;/\&/g' >&7
exec 7>&-
wait "$CPID"
st_expect_eq "socialhub connect ig-brand, the address pasted: exit 0" "$?" 0
grep -q "redirect_uri=http%3A%2F%2F127.0.0.1%3A$TH_PORT%2Fsocial%2Fadmin%2Fconnections%2Fcallback" "$TH_DIR/paste.out" &&
	grep -q "Connected ig-brand (instagram)" "$TH_DIR/paste.out" &&
	th_ok "socialhub connect: the site's callback as redirect URI, connected" ||
	th_not_ok "socialhub connect: the site's callback as redirect URI, connected" "$(cat "$TH_DIR/paste.out")"
cfg=$(write_conf '"k2:'"$TH_DIR"'/k2.key", "k1:'"$TH_DIR"'/k1.key"')
"$SOCIALHUB" rekey -c "$cfg" >"$TH_DIR/rekey.out" 2>>"$TH_DIR/socialhub.log"
st_expect_eq "rekey: exit 0" "$?" 0
grep -Eq "^resealed [1-9][0-9]* token\(s\) under key k2; 0 could not be opened" "$TH_DIR/rekey.out" &&
	th_ok "rekey: resealed under k2" || th_not_ok "rekey: resealed under k2" "$(cat "$TH_DIR/rekey.out")"
sqlite3 "$TH_DIR/state/store.sqlite" "select v from kv where k like '%conn:tok:%'" >"$TH_DIR/sealed.txt"
grep -q '^t1\.k1\.' "$TH_DIR/sealed.txt" && th_not_ok "after rekey no record is under k1" || th_ok "after rekey no record is under k1"
cfg=$(write_conf '"k2:'"$TH_DIR"'/k2.key"')
kill -HUP "$TH_SH_PID"
sleep 1
th_expect_status -n "the page with k1 retired" GET "$S/admin/connections" 200 -H "$BOSS"

# ---------------------------------------------------------- 6. the Redis store
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
	th_start_redis
	# timeout_ms 500: a loaded host's scheduling is no outage (test_cluster.sh).
	rcfg=$(ce_write_conf '"k1:'"$TH_DIR"'/k1.key"' "$SIGNON
store { url = \"redis://127.0.0.1:$RPORT/0\"  prefix = \"sh:\"  timeout_ms = 500 }
share { counting = false }")
	cli_connect "$rcfg" "redis store"
	redis-cli -p "$RPORT" --scan --pattern 'sh:conn:*' | sort >"$TH_DIR/redis.keys"
	grep -qx 'sh:conn:tok:x-brand' "$TH_DIR/redis.keys" && th_ok "redis: the sealed record under the prefix" ||
		th_not_ok "redis: the sealed record under the prefix" "$(cat "$TH_DIR/redis.keys")"
	redis-cli -p "$RPORT" get sh:conn:tok:x-brand >"$TH_DIR/redis.tok"
	redis-cli -p "$RPORT" get sh:conn:state:x-brand >"$TH_DIR/redis.state"
	grep -q '^t1\.k1\.' "$TH_DIR/redis.tok" && grep -q '"connected"' "$TH_DIR/redis.state" &&
		th_ok "redis: record sealed under k1, state connected" || th_not_ok "redis: record sealed under k1, state connected"
	NAME="redis: no plaintext token" ce_no_tokens_in "$TH_DIR/redis.tok" "$TH_DIR/redis.state"
	rcfg=$(ce_write_conf '"k2:'"$TH_DIR"'/k2.key", "k1:'"$TH_DIR"'/k1.key"' "$SIGNON
store { url = \"redis://127.0.0.1:$RPORT/0\"  prefix = \"sh:\"  timeout_ms = 500 }
share { counting = false }")
	"$SOCIALHUB" rekey -c "$rcfg" >"$TH_DIR/rekey2.out" 2>>"$TH_DIR/socialhub.log"
	grep -q "^resealed 1 token(s) under key k2; 0 could not be opened" "$TH_DIR/rekey2.out" &&
		th_ok "redis: rekey" || th_not_ok "redis: rekey" "$(cat "$TH_DIR/rekey2.out")"
else
	th_ok "# SKIP redis-server or redis-cli not installed"
fi

sqlite3 "$TH_DIR/state/store.sqlite" .dump >"$TH_DIR/store.dump"
NAME="no token in the logs, the store, healthz or the pages" ce_no_tokens_in "$TH_DIR/socialhub.log" \
	"$TH_DIR/r1" "$TH_DIR/r2" "$TH_DIR/r3" "$TH_DIR/store.dump" "$TH_DIR/healthz.json" "$TH_BODY" \
	"$TH_DIR/nginx/access.log" "$TH_DIR/connect.out" "$TH_DIR/paste.out"
th_done

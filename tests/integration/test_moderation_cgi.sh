#!/usr/bin/env bash
# test_moderation_cgi: a moderated stream and its console through plain
# CGI (the binary run once per request, no refresher; doc/streams.md,
# "CGI mode"): the first stream request queues the fixture's posts and
# shows only the trusted author's; the console's queue page and a decision
# POST (Origin and CSRF checked as under FastCGI) work; the next stream
# request shows the decision; a refused POST changes nothing.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
th_require_socialhub
th_require_cmd node timeout
th_init moderation-cgi
# shellcheck source=tests/integration/streams_lib.sh
. "$TH_LIB_DIR/streams_lib.sh"
JS=$TH_SRCDIR/tests/js

st_start_api
"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
CFG=$(th_write_config --no-listen "$TH_DIR/socialhub.conf" "session { secret_file = \"$TH_DIR/session.key\" }
provider corp { preset = \"github\" client_id = \"rp\" client_secret = \"s\" }
stream de {
  source tag { type = \"mastodon-tag\" query = \"#brandlaunch\" api_url = \"$API/mt\" market = \"de\" }
  trusted_authors = {\"@ambassador@mastodon.example\"}
}
admin {
  grant hq { role = \"owner\" who = {\"corp:boss\"} }
  grant board { role = \"viewer\" who = {\"corp:cmo\"} }
}")
"$SOCIALHUB" check-config -c "$CFG" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
ORIGIN=http://127.0.0.1:$TH_PORT
BOSS=$(node "$JS/forge_session.mjs" "$(cat "$TH_DIR/session.key")" corp boss)
CMO=$(node "$JS/forge_session.mjs" "$(cat "$TH_DIR/session.key")" corp cmo)
AMB=https://mastodon.example/users/ambassador/statuses/2007
FAN=https://social.example/users/fan/statuses/2001

# cgi METHOD PATH [QUERY] [COOKIE] [BODY]: one plain-CGI run; the status
# in CGI_STATUS, headers in $TH_DIR/cgi.h, body in $TH_DIR/cgi.b.
cgi() {
	local method=$1 path=$2 query=${3:-} cookie=${4:-} body=${5:-}
	printf '%s' "$body" | env -i PATH="$PATH" REQUEST_METHOD="$method" \
		REQUEST_URI="$path${query:+?$query}" SCRIPT_NAME="$path" PATH_INFO= QUERY_STRING="$query" \
		SERVER_NAME=127.0.0.1 SERVER_PORT="$TH_PORT" SERVER_PROTOCOL=HTTP/1.1 \
		GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1 HTTP_HOST="127.0.0.1:$TH_PORT" \
		${cookie:+HTTP_COOKIE="socialhub_session=$cookie"} \
		${body:+HTTP_ORIGIN="$ORIGIN" CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#body}} \
		SOCIALHUB_CONFIG="$CFG" timeout 30 "$SOCIALHUB" >"$TH_DIR/cgi.out" 2>>"$TH_DIR/socialhub.log"
	awk -v h="$TH_DIR/cgi.h" -v b="$TH_DIR/cgi.b" '
		!inbody { sub(/\r$/, ""); if ($0 == "") { inbody = 1; next } print > h; next }
		{ print > b }' "$TH_DIR/cgi.out"
	touch "$TH_DIR/cgi.h" "$TH_DIR/cgi.b"
	CGI_STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$TH_DIR/cgi.h")
	CGI_STATUS=${CGI_STATUS:-200}
}
# expect NAME WANT: the last run's status.
expect() {
	if [ "$CGI_STATUS" = "$2" ]; then
		th_ok "CGI: $1 ($2)"
	else
		th_not_ok "CGI: $1" "status $CGI_STATUS, want $2: $(head -c 300 "$TH_DIR/cgi.b")"
	fi
}
ids() { "$ST_PY" -c 'import json,sys; print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))["items"]))' "$TH_DIR/cgi.b" 2>/dev/null; }

cgi GET /social/streams/de.json limit=100
expect "the moderated stream" 200
st_expect_eq "CGI: the first request shows only the trusted author's post" "$(ids)" "$AMB"
grep -q '^Cache-Control: public, max-age=5, stale-while-revalidate=5, stale-if-error=0' "$TH_DIR/cgi.h" &&
	th_ok "CGI: the moderated stream's short cache lifetime" ||
	th_not_ok "CGI: the moderated stream's short cache lifetime" "$(grep -i cache-control "$TH_DIR/cgi.h")"

cgi GET /social/admin/moderation/de "" "$BOSS"
expect "the owner's queue page" 200
K_FAN=$(st_mod_key "$TH_DIR/cgi.b" "Love the new")
CSRF=$(st_mod_csrf "$TH_DIR/cgi.b")
[ -n "$K_FAN" ] && [ -n "$CSRF" ] || th_bail "CGI: the queue page has no key or token: $(head -c 400 "$TH_DIR/cgi.b")"
grep -q 'href="/social/admin/connections"' "$TH_DIR/cgi.b" && th_ok "CGI: the owner's nav links Connections" ||
	th_not_ok "CGI: the owner's nav links Connections"

cgi GET /social/admin/moderation/de "" "$CMO"
expect "the viewer's queue page" 200
n=$(grep -c 'name="key"\|name="csrf"' "$TH_DIR/cgi.b")
st_expect_eq "CGI: the viewer's page has no decision form" "$n" 0
cgi POST /social/admin/moderation/de "" "$CMO" "csrf=$CSRF&action=approve&key=$K_FAN"
expect "a viewer's decision is refused" 403
cgi POST /social/admin/moderation/de "" "$BOSS" "action=approve&key=$K_FAN"
expect "a decision without the CSRF token is refused" 403
cgi POST /social/admin/moderation/de "" "" "csrf=$CSRF&action=approve&key=$K_FAN"
expect "a decision by nobody: to the sign-in" 303
cgi GET /social/streams/de.json limit=100
st_expect_eq "CGI: the refused decisions changed nothing" "$(ids)" "$AMB"

# Without a refresher nothing is deferred: the very next request shows
# the decision, however slow the machine (the time is printed, not bound:
# under the sanitizers one CGI run takes seconds).
t0=$(th_now_ms)
cgi POST /social/admin/moderation/de "" "$BOSS" "csrf=$CSRF&action=approve&key=$K_FAN"
expect "the owner approves the fan's post" 303
cgi GET /social/streams/de.json limit=100
got=$(ids)
ms=$(($(th_now_ms) - t0))
[ "$got" = "$AMB $FAN" ] && th_ok "CGI: the next stream request shows the approved post (${ms} ms)" ||
	th_not_ok "CGI: the next stream request shows the approved post" "after ${ms} ms: $got"
cgi GET /social/admin/moderation/de/audit.json "" "$BOSS"
expect "the audit log" 200
grep -q '"action": *"approve"' "$TH_DIR/cgi.b" && grep -q 'corp:boss' "$TH_DIR/cgi.b" &&
	th_ok "CGI: the audit log has the decision and who" || th_not_ok "CGI: the audit log" "$(head -c 300 "$TH_DIR/cgi.b")"
th_done

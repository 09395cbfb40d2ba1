# conn_env.sh: the connection tests' setup over lib.sh and streams_lib.sh
# (test_connections.sh, test_connections_browser.sh); source after them.
#
#   ce_start EXPIRES     the fixtures: conn_fixture.py (Instagram and X
#                        authorization servers, tokens that live EXPIRES
#                        seconds) at $FIX, api_fixture.py at $API; key files
#                        session.key, k1.key, k2.key and ig.secret in $TH_DIR
#   ce_write_conf KEYS SIGNON   $TH_DIR/socialhub.conf with connection_keys
#                        = {KEYS}, SIGNON (session, provider, admin), the
#                        connections ig-brand and x-brand, and a Mastodon
#                        source reading through ig-brand; prints its path
#   ce_steps STEP NET    how many fixture calls of that step succeeded
#   NAME=… ce_no_tokens_in FILE...   ok when no token the fixture issued
#                        (nor the marker SECRETTOKEN) is in any FILE
# shellcheck shell=bash

ce_start() {
	local pf=$TH_DIR/conn.port pf2=$TH_DIR/api.port
	th_spawn fixture "$ST_PY" "$TH_LIB_DIR/conn_fixture.py" --port-file "$pf" \
		--log "$TH_DIR/conn.log" --ig-expires "$1" --x-expires "$1"
	th_wait_file "$pf" 10000 "$TH_LAST_PID" || th_bail "conn fixture did not start"
	FIX=http://127.0.0.1:$(cat "$pf")
	th_spawn api "$ST_PY" "$TH_LIB_DIR/api_fixture.py" --port-file "$pf2" --log "$TH_DIR/api.log" \
		--fixtures "$TH_LIB_DIR/../fixtures/api"
	th_wait_file "$pf2" 10000 "$TH_LAST_PID" || th_bail "api fixture did not start"
	API=http://127.0.0.1:$(cat "$pf2")
	"$SOCIALHUB" keygen >"$TH_DIR/session.key"
	"$SOCIALHUB" keygen >"$TH_DIR/k1.key"
	"$SOCIALHUB" keygen >"$TH_DIR/k2.key"
	printf 'ig-secret\n' >"$TH_DIR/ig.secret"
	chmod 600 "$TH_DIR"/*.key "$TH_DIR/ig.secret"
}

ce_write_conf() {
	th_write_config "$TH_DIR/socialhub.conf" "$2
connection_keys = {$1}
connection ig-brand {
  network = \"instagram\"
  client_id = \"ig-app\"
  client_secret_file = \"$TH_DIR/ig.secret\"
  auth_url = \"$FIX/ig/oauth/authorize\"
  token_url = \"$FIX/ig/oauth/access_token\"
  api_url = \"$FIX/ig\"
}
connection x-brand {
  network = \"x\"
  client_id = \"x-app\"
  client_secret = \"x-secret\"
  auth_url = \"$FIX/x/i/oauth2/authorize\"
  token_url = \"$FIX/x/2/oauth2/token\"
  revoke_url = \"$FIX/x/2/oauth2/revoke\"
}
stream social {
  source masto { type = \"mastodon\" account = \"@brand@mastodon.example\" api_url = \"$API/m\"
                 connection = \"ig-brand\" }
}"
}

ce_steps() {
	grep -c "\"step\": \"$1\", \"net\": \"$2\".*\"ok\": true" "$TH_DIR/conn.log"
}

ce_no_tokens_in() {
	local f t hit=''
	curl -s "$FIX/_tokens" >"$TH_DIR/issued.json"
	for t in $("$ST_PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(d["ig"]+d["x"]))' "$TH_DIR/issued.json") SECRETTOKEN; do
		for f in "$@"; do
			grep -aq -- "$t" "$f" 2>/dev/null && hit="$hit $f"
		done
	done
	if [ -z "$hit" ]; then th_ok "$NAME"; else th_not_ok "$NAME" "found in:$hit"; fi
}

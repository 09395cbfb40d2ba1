#!/usr/bin/env bash
# test_reload.sh: SIGHUP applies an added or removed provider, stream and
# source without a restart, and `check-config` says beforehand what the
# reload will change, compared with the copy of what the running master
# loaded (state_dir/running.conf) or with --against FILE.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd cgi-fcgi timeout /usr/bin/python3
th_init reload

S=$SOCIALHUB
"$S" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
BASE_EXTRA="session { secret_file = \"$TH_DIR/session.key\" }"
gh() { printf 'provider %s { preset = "github" client_id = "id-%s" client_secret = "secret-%s" }\n' "$1" "$1" "$1"; }

# fcgi GET URI: the status code of one FastCGI GET on the socket.
get_status() {
	env -i REQUEST_METHOD=GET REQUEST_URI="$1" SCRIPT_NAME="$1" QUERY_STRING= \
		SERVER_NAME=127.0.0.1 SERVER_PORT="$TH_PORT" SERVER_PROTOCOL=HTTP/1.1 \
		GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1 \
		timeout 10 cgi-fcgi -bind -connect "$TH_SOCK" </dev/null >"$TH_DIR/answer" 2>/dev/null
	sed -n 's/^Status: \([0-9]*\).*/\1/p' "$TH_DIR/answer" | head -n 1
}
streams_names() {
	get_status /social/streams >/dev/null
	sed '1,/^\r\{0,1\}$/d' "$TH_DIR/answer" | /usr/bin/python3 -c \
		'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["streams"]))' 2>&1
}

write() { # EXTRA...: the config with these sections
	th_write_config "$TH_DIR/socialhub.conf" "$BASE_EXTRA
$*" >/dev/null
}
write "$(gh github)" 'stream one { source a { url = "http://127.0.0.1:9/a.xml" } }'
th_start_socialhub "$TH_DIR/socialhub.conf" || th_bail "serve did not start"
master=$TH_SH_PID

RUNNING=$TH_DIR/state/running.conf
[ -f "$RUNNING" ] && [ "$(stat -c %a "$RUNNING")" = 600 ] && cmp -s "$RUNNING" "$TH_DIR/socialhub.conf" &&
	th_ok "the master keeps a copy of what it loaded (state_dir/running.conf, mode 600)" ||
	th_not_ok "the master keeps a copy of what it loaded" "$(ls -l "$TH_DIR/state")"
"$S" check-config -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out" 2>&1
grep -q '^  changes nothing$' "$TH_DIR/out" &&
	th_ok "check-config on the running file: a reload changes nothing" ||
	th_not_ok "check-config: changes nothing" "$(cat "$TH_DIR/out")"
[ "$(get_status /social/auth/login/github)" = 302 ] && th_ok "provider github signs in (302)" ||
	th_not_ok "provider github signs in" "$(head -c 300 "$TH_DIR/answer")"

# Add a provider, a stream and a source; change workers.
write "$(gh github)" "$(gh gh2)" \
	'stream one { source a { url = "http://127.0.0.1:9/a.xml" } source c { url = "http://127.0.0.1:9/c.xml" } }' \
	'stream two { source b { url = "http://127.0.0.1:9/b.xml" } }'
sed -i 's/^workers .*/workers = 3/' "$TH_DIR/socialhub.conf"
"$S" check-config -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out" 2>&1
for want in 'adds provider gh2' 'adds stream two' 'adds source c in stream one' 'changes workers'; do
	grep -q "^  $want\$" "$TH_DIR/out" && th_ok "check-config before the reload: $want" ||
		th_not_ok "check-config before the reload: $want" "$(cat "$TH_DIR/out")"
done
grep -q 'secret-gh2\|id-gh2' "$TH_DIR/out" && th_not_ok "check-config prints no values (secrets)" "$(cat "$TH_DIR/out")"
kill -HUP "$master"
for i in $(seq 50); do grep -q 'event=reloaded' "$TH_DIR/socialhub.log" && break; sleep 0.1; done
sleep 0.5
[ "$(get_status /social/auth/login/gh2)" = 302 ] && th_ok "after SIGHUP: the added provider signs in (302)" ||
	th_not_ok "after SIGHUP: the added provider signs in" "$(head -c 300 "$TH_DIR/answer")"
names=$(streams_names)
[ "$names" = "one two" ] && th_ok "after SIGHUP: /streams lists the added stream" ||
	th_not_ok "after SIGHUP: /streams lists the added stream" "got: $names"
grep -q '"name":"c"' "$TH_DIR/answer" && th_ok "after SIGHUP: the added source is in its stream" ||
	th_not_ok "after SIGHUP: the added source" "$(head -c 400 "$TH_DIR/answer")"
th_check "after SIGHUP: the same master" th_alive "$master"
cmp -s "$RUNNING" "$TH_DIR/socialhub.conf" && th_ok "running.conf follows the reload" ||
	th_not_ok "running.conf follows the reload"

# Remove the first provider, a stream and a source; a listen change is
# said to need a restart.
write "$(gh gh2)" 'stream two { source b { url = "http://127.0.0.1:9/b.xml" } }'
sed -i "s|^listen .*|listen = \"unix:$TH_DIR/other.sock\"|" "$TH_DIR/socialhub.conf"
"$S" check-config -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out" 2>&1
for want in 'removes provider github' 'removes stream one' 'changes listen'; do
	grep -q "^  $want\$" "$TH_DIR/out" && th_ok "check-config: $want" ||
		th_not_ok "check-config: $want" "$(cat "$TH_DIR/out")"
done
grep -q 'only a restart applies listen' "$TH_DIR/out" && th_ok "check-config: listen needs a restart" ||
	th_not_ok "check-config: listen needs a restart" "$(cat "$TH_DIR/out")"
sed -i "s|^listen .*|listen      = \"unix:$TH_SOCK\"|" "$TH_DIR/socialhub.conf"
cp "$RUNNING" "$TH_DIR/before.conf"
kill -HUP "$master"
for i in $(seq 50); do [ "$(grep -c 'event=reloaded' "$TH_DIR/socialhub.log")" -ge 2 ] && break; sleep 0.1; done
sleep 0.5
[ "$(get_status /social/auth/login/github)" = 404 ] && th_ok "after SIGHUP: the removed provider is gone (404)" ||
	th_not_ok "after SIGHUP: the removed provider is gone" "$(head -c 300 "$TH_DIR/answer")"
[ "$(streams_names)" = "two" ] && th_ok "after SIGHUP: the removed stream is gone from /streams" ||
	th_not_ok "after SIGHUP: the removed stream is gone" "$(head -c 300 "$TH_DIR/answer")"
[ "$(get_status /social/streams/one.json)" = 404 ] && th_ok "after SIGHUP: /streams/one.json is 404" ||
	th_not_ok "after SIGHUP: /streams/one.json is 404" "$(head -c 300 "$TH_DIR/answer")"

# A reload refused: the log names the line of the bad key (after comments).
cp "$TH_DIR/socialhub.conf" "$TH_DIR/good.conf"
printf '# one\n# two\n# three\nworkers = 99\n' >>"$TH_DIR/socialhub.conf"
n=$(grep -n '^workers = 99' "$TH_DIR/socialhub.conf" | cut -d: -f1)
kill -HUP "$master"
for i in $(seq 50); do grep -q 'event=reload_refused' "$TH_DIR/socialhub.log" && break; sleep 0.1; done
grep -q "event=config_error .*line=$n key=workers" "$TH_DIR/socialhub.log" &&
	th_ok "refused reload: the log names line $n of the bad key" ||
	th_not_ok "refused reload: the log names line $n" "$(grep config_error "$TH_DIR/socialhub.log")"
cp "$TH_DIR/good.conf" "$TH_DIR/socialhub.conf"

# --against: any two files.
"$S" check-config -c "$TH_DIR/socialhub.conf" --against "$TH_DIR/before.conf" >"$TH_DIR/out" 2>&1
grep -q "compared with $TH_DIR/before.conf:" "$TH_DIR/out" && grep -q '^  removes provider github$' "$TH_DIR/out" &&
	th_ok "check-config --against FILE" || th_not_ok "check-config --against FILE" "$(cat "$TH_DIR/out")"
th_stop "$master"
th_done

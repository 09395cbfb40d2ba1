#!/usr/bin/env bash
# test_socket_activation.sh: `serve` started the way systemd starts it, with
# the shipped example's settings and the shipped units' socket path: the
# socket passed by LISTEN_FDS on fd 3 (systemd-socket-activate, as
# socialhub.socket does) and on fd 0 (StandardInput=socket, here through
# spawn-fcgi -n), each ahead of the example's `listen` line that names the
# same path. Then `systemd-analyze verify` on the units (no systemd as PID 1
# here: verify runs on its own, --man=no, the ExecStart path made ours).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd systemd-socket-activate systemd-analyze spawn-fcgi cgi-fcgi timeout
th_init sockact

UNITS=$TH_SRCDIR/deploy/systemd
EXAMPLE=$TH_SRCDIR/deploy/socialhub.conf.example

# The example and the socket unit name one path.
unit_sock=$(sed -n 's/^ListenStream=//p' "$UNITS/socialhub.socket")
conf_sock=$(sed -n 's/^listen *= *"unix:\(.*\)"/\1/p' "$EXAMPLE")
[ -n "$unit_sock" ] && [ "$unit_sock" = "$conf_sock" ] &&
	th_ok "example listen = socket unit ListenStream ($unit_sock)" ||
	th_not_ok "example listen = socket unit ListenStream" "unit '$unit_sock', example '$conf_sock'"

# The nginx snippet names it once (one line to edit), the same path.
snip=$TH_SRCDIR/deploy/nginx/socialhub.conf
n=$(grep -v '^[[:space:]]*#' "$snip" | grep -c 'unix:/')
grep -Eq "^set \\\$socialhub_socket unix:$unit_sock;" "$snip" && [ "$n" = 1 ] &&
	th_ok "nginx snippet: the socket path once, the unit's" ||
	th_not_ok "nginx snippet: the socket path once, the unit's" "$n socket lines: $(grep -n 'unix:/' "$snip")"

# Both moved under the scratch folder, nothing else changed.
SOCK=$TH_DIR/run/socialhub.sock
mkdir -p "$TH_DIR/run" "$TH_DIR/cache" "$TH_DIR/state"
sed -e "s|$conf_sock|$SOCK|" \
	-e "s|^#cache_dir *=.*|cache_dir = \"$TH_DIR/cache\"|" \
	-e "s|^#state_dir *=.*|state_dir = \"$TH_DIR/state\"|" "$EXAMPLE" >"$TH_DIR/socialhub.conf"
CONF=$TH_DIR/socialhub.conf

health() {
	env -i REQUEST_METHOD=GET REQUEST_URI=/social/healthz SCRIPT_NAME=/social/healthz \
		QUERY_STRING= SERVER_NAME=127.0.0.1 SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 \
		GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1 \
		timeout 10 cgi-fcgi -bind -connect "$SOCK" </dev/null 2>&1
}

# wait_listen_log LOG: waits (5 s) for the master's listen event.
wait_listen_log() {
	local i
	for i in $(seq 50); do
		grep -q 'event=listen ' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# run_case NAME LOG: serve (started by the caller) answers on $SOCK,
# logged that it took the inherited socket, and stops on SIGTERM.
run_case() {
	local name=$1 log=$2 pid=$3
	th_register_pid "$pid"
	# systemd-socket-activate starts the program at the first connection,
	# as systemd does: the request waits in the socket's queue.
	th_wait_socket "$SOCK" 3000 "$pid" >/dev/null 2>&1
	health >"$TH_DIR/first.out" &
	if ! wait_listen_log "$log" || ! th_alive "$pid"; then
		th_not_ok "$name: serve runs" "$(tail -n 5 "$log")"
		return
	fi
	wait $!
	if grep -q '"status"' "$TH_DIR/first.out" && health | grep -q '"status"'; then
		th_ok "$name: /healthz answers on the unit's socket"
	else
		th_not_ok "$name: /healthz answers on the unit's socket" "$(health | head -c 300) $(tail -n 5 "$log")"
	fi
	grep -q "event=listen address=unix:$SOCK inherited=\"\?$4" "$log" &&
		th_ok "$name: the inherited socket, not the config's listen line" ||
		th_not_ok "$name: the inherited socket" "$(grep 'listen' "$log")"
	grep -q 'listen_in_use' "$log" && th_not_ok "$name: no listen_in_use" "$(grep listen_in_use "$log")"
	th_stop "$pid"
}

# 1. LISTEN_FDS=1, the socket on fd 3 (what socialhub.socket does).
systemd-socket-activate -l "$SOCK" "$SOCIALHUB" serve -c "$CONF" \
	</dev/null >"$TH_DIR/a.out" 2>"$TH_DIR/a.log" &
run_case "LISTEN_FDS" "$TH_DIR/a.log" $! LISTEN_FDS
rm -f "$SOCK"

# 2. The socket on fd 0 (StandardInput=socket).
spawn-fcgi -n -s "$SOCK" -M 0660 -- "$SOCIALHUB" serve -c "$CONF" \
	>"$TH_DIR/b.out" 2>"$TH_DIR/b.log" &
run_case "fd 0" "$TH_DIR/b.log" $! "fd 0"
rm -f "$SOCK"

# 3. Started without the socket while another process holds the path: the
#    error names the cause and the fix.
systemd-socket-activate -l "$SOCK" sleep 30 </dev/null >/dev/null 2>&1 &
holder=$!
th_register_pid "$holder"
th_wait_socket "$SOCK" 3000 "$holder" >/dev/null 2>&1 || sleep 0.5
"$SOCIALHUB" serve -c "$CONF" </dev/null >/dev/null 2>"$TH_DIR/c.log"
rc=$?
[ "$rc" = 1 ] && grep -q 'event=listen_in_use .*cause=.*socialhub.socket.*fix=' "$TH_DIR/c.log" &&
	th_ok "listen_in_use names the cause (exit 1)" ||
	th_not_ok "listen_in_use names the cause" "exit $rc: $(cat "$TH_DIR/c.log")"
th_stop "$holder"

# 4. The units pass systemd-analyze verify (ExecStart pointed at this
#    build, as /usr/bin/socialhub is not installed here).
mkdir -p "$TH_DIR/units"
cp "$UNITS/socialhub.socket" "$TH_DIR/units/"
sed "s|/usr/bin/socialhub|$SOCIALHUB|" "$UNITS/socialhub.service" >"$TH_DIR/units/socialhub.service"
if out=$(cd "$TH_DIR/units" && SYSTEMD_LOG_LEVEL=notice timeout 60 \
	systemd-analyze verify --man=no ./socialhub.socket ./socialhub.service 2>&1); then
	[ -z "$out" ] && th_ok "systemd-analyze verify: the units are clean" ||
		th_not_ok "systemd-analyze verify: no complaints" "$out"
else
	th_not_ok "systemd-analyze verify" "$out"
fi
th_done

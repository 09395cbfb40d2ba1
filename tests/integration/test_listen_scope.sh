#!/usr/bin/env bash
# test_listen_scope.sh: who may speak FastCGI to socialhub (issue 13, item
# 11). A FastCGI peer sets REMOTE_ADDR itself, so a socket any host can
# reach lets anyone claim 127.0.0.1 and read /metrics. `listen` on a
# non-loopback address is refused by check-config and by serve (which then
# never answers a request), also when the socket is inherited on fd 0;
# listen_public = true opts in, with a warning.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd cgi-fcgi spawn-fcgi timeout
th_init listen-scope

# fcgi_metrics HOST:PORT: GET /social/metrics straight over FastCGI with
# a forged REMOTE_ADDR, as any peer could; the answer in $TH_DIR/fcgi.out.
fcgi_metrics() {
	env -i REQUEST_METHOD=GET REQUEST_URI=/social/metrics SCRIPT_NAME=/social/metrics \
		QUERY_STRING= SERVER_NAME=127.0.0.1 SERVER_PORT="$TH_PORT" \
		SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1 \
		timeout 5 cgi-fcgi -bind -connect "$1" </dev/null >"$TH_DIR/fcgi.out" 2>"$TH_DIR/fcgi.err"
}

# A peer's view: the host's first non-loopback address when it has one
# (what another machine would connect to), else loopback.
PEER=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -n 1)
PEER=${PEER:-127.0.0.1}
th_diag "connecting as a peer would, to $PEER"

# expect_unserved NAME ADDR: no FastCGI answer at ADDR, metrics unread.
expect_unserved() {
	fcgi_metrics "$2"
	if grep -q 'TYPE socialhub_\|^Status: 200' "$TH_DIR/fcgi.out"; then
		th_not_ok "$1: a forged REMOTE_ADDR=127.0.0.1 read /metrics" \
			"$(head -c 300 "$TH_DIR/fcgi.out")"
	else
		th_ok "$1: no FastCGI answer at $2"
	fi
}

# ------------------------------------------------- 0.0.0.0 without opt-in

PUB=$(th_free_port 0.0.0.0) || th_bail "no free port"
cfg=$(TH_LISTEN=0.0.0.0:$PUB th_write_config "$TH_DIR/public.conf")
line=$(grep -n '^listen ' "$cfg" | cut -d: -f1)
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>"$TH_DIR/cc.err"
rc=$?
if [ "$rc" = 1 ] && grep -q "public.conf:$line: listen: \"0.0.0.0:$PUB\" is not a loopback address" "$TH_DIR/cc.err" &&
	grep -q 'listen_public = true' "$TH_DIR/cc.err"; then
	th_ok "check-config refuses listen = 0.0.0.0:PORT, naming file:line, key and the opt-in"
else
	th_not_ok "check-config refuses listen = 0.0.0.0:PORT, naming file:line, key and the opt-in" \
		"exit $rc; stdout: $(cat "$TH_DIR/cc.out"); stderr: $(cat "$TH_DIR/cc.err")"
fi

"$SOCIALHUB" serve -c "$cfg" </dev/null >>"$TH_DIR/socialhub.out" 2>>"$TH_DIR/socialhub.log" &
spid=$!
th_register_pid "$spid"
if th_wait_gone "$spid" 5000; then
	wait "$spid"
	rc=$?
	[ "$rc" = 1 ] && th_ok "serve refuses to start (exit 1)" ||
		th_not_ok "serve refuses to start (exit 1)" "exit $rc"
else
	th_not_ok "serve refuses to start" "still running after 5 s (pid $spid)"
fi
expect_unserved "refused 0.0.0.0" "$PEER:$PUB"
expect_unserved "refused 0.0.0.0, via loopback" "127.0.0.1:$PUB"
th_stop "$spid"

# ------------------------------------------------- a public socket on fd 0

cfg0=$(th_write_config --no-listen "$TH_DIR/fd0.conf")
PUB0=$(th_free_port 0.0.0.0) || th_bail "no free port"
SH_LOG=$TH_DIR/socialhub.log spawn-fcgi -a 0.0.0.0 -p "$PUB0" -P "$TH_DIR/spawn.pid" -- \
	/bin/sh -c 'exec "$0" "$@" 2>>"$SH_LOG"' "$SOCIALHUB" serve -c "$cfg0" \
	>"$TH_DIR/spawn.out" 2>&1
spid=$(cat "$TH_DIR/spawn.pid" 2>/dev/null)
[ -n "$spid" ] && th_register_pid "$spid"
if [ -z "$spid" ] || th_wait_gone "$spid" 5000; then
	th_ok "serve on an inherited 0.0.0.0 socket refuses to start"
else
	th_not_ok "serve on an inherited 0.0.0.0 socket refuses to start" "still running (pid $spid)"
fi
grep -q 'event=listen_not_loopback address=0.0.0.0' "$TH_DIR/socialhub.log" &&
	th_ok "serve says why: listen_not_loopback" ||
	th_not_ok "serve says why: listen_not_loopback" "$(tail -n 5 "$TH_DIR/socialhub.log")"
expect_unserved "refused inherited socket" "$PEER:$PUB0"
th_stop "$spid"

# ------------------------------------------------- opted in: a warning, and it serves

cfgp=$(TH_LISTEN=0.0.0.0:$PUB th_write_config "$TH_DIR/optin.conf" 'listen_public = true')
"$SOCIALHUB" check-config -c "$cfgp" >"$TH_DIR/cc.out" 2>"$TH_DIR/cc.err"
rc=$?
if [ "$rc" = 0 ] && grep -q "optin.conf:$line: listen: warning: \"0.0.0.0:$PUB\" is not loopback" "$TH_DIR/cc.err"; then
	th_ok "listen_public = true: check-config passes with a warning"
else
	th_not_ok "listen_public = true: check-config passes with a warning" \
		"exit $rc; stderr: $(cat "$TH_DIR/cc.err")"
fi
if th_start_socialhub "$cfgp"; then
	fcgi_metrics "$PEER:$PUB"
	grep -q '^# TYPE socialhub_' "$TH_DIR/fcgi.out" &&
		th_ok "listen_public = true: serves (the opt-in does what it says)" ||
		th_not_ok "listen_public = true: serves" "$(head -c 300 "$TH_DIR/fcgi.out")"
	th_stop "$TH_SH_PID"
else
	th_not_ok "listen_public = true: serve starts"
fi

# ------------------------------------------------- loopback: no opt-in, no warning

LO=$(th_free_port) || th_bail "no free port"
cfgl=$(TH_LISTEN=127.0.0.1:$LO th_write_config "$TH_DIR/loop.conf")
"$SOCIALHUB" check-config -c "$cfgl" >"$TH_DIR/cc.out" 2>"$TH_DIR/cc.err"
rc=$?
[ "$rc" = 0 ] && [ ! -s "$TH_DIR/cc.err" ] &&
	th_ok "listen = 127.0.0.1:PORT: ok, no warning" ||
	th_not_ok "listen = 127.0.0.1:PORT: ok, no warning" "exit $rc; stderr: $(cat "$TH_DIR/cc.err")"
th_done

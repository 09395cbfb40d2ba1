#!/usr/bin/env bash
# test_fcgi.sh: socialhub without nginx: FastCGI over its own unix socket
# (cgi-fcgi), on a socket inherited on fd 0 (spawn-fcgi), and plain CGI.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd cgi-fcgi spawn-fcgi timeout
th_init fcgi

# fcgi_get SOCK URI [QUERY]: one FastCGI GET through cgi-fcgi; the raw
# answer goes to $TH_DIR/fcgi.out.
fcgi_get() {
	local sock=$1 uri=$2 query=${3:-}
	env -i REQUEST_METHOD=GET REQUEST_URI="$uri${query:+?$query}" \
		SCRIPT_NAME="$uri" QUERY_STRING="$query" SERVER_NAME=127.0.0.1 \
		SERVER_PORT="$TH_PORT" SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
		REMOTE_ADDR=127.0.0.1 \
		timeout 10 cgi-fcgi -bind -connect "$sock" </dev/null >"$TH_DIR/fcgi.out" 2>"$TH_DIR/fcgi.err"
}

# cgi_get URI: one plain-CGI run of the binary; answer in $TH_DIR/cgi.out.
cgi_get() {
	local uri=$1
	env -i REQUEST_METHOD=GET REQUEST_URI="$uri" SCRIPT_NAME="$uri" PATH_INFO= \
		QUERY_STRING= SOCIALHUB_CONFIG="$cgi_cfg" \
		timeout 10 "$SOCIALHUB" </dev/null >"$TH_DIR/cgi.out" 2>>"$TH_DIR/socialhub.log"
}

# Splits a CGI-style answer FILE into FILE.headers (CR stripped) and FILE.body.
split_answer() {
	local f=$1
	awk -v h="$f.headers" -v b="$f.body" '
		!inbody { sub(/\r$/, ""); if ($0 == "") { inbody = 1; next } print > h; next }
		{ print > b }' "$f"
	touch "$f.headers" "$f.body"
}

show() {
	th_diag "answer:"
	head -c 600 "$1" | sed 's/^/#   /'
	echo
	[ -s "$TH_DIR/fcgi.err" ] && th_diag "cgi-fcgi stderr: $(cat "$TH_DIR/fcgi.err")"
}

# expect_answer FILE NAME CODE KEY...: Status line (absent means 200),
# JSON Content-Type and a JSON object body with every KEY.
expect_answer() {
	local f=$1 name=$2 code=$3 status out
	shift 3
	split_answer "$f"
	status=$(sed -n 's/^[Ss]tatus:[[:space:]]*\([0-9][0-9][0-9]\).*/\1/p' "$f.headers" | head -n 1)
	[ -n "$status" ] || status=200
	if [ "$status" = "$code" ]; then
		th_ok "$name: status $code"
	else
		th_not_ok "$name: status $code (got $status)"
		show "$f"
		return 1
	fi
	if grep -qi '^content-type:[[:space:]]*application/json' "$f.headers"; then
		th_ok "$name: Content-Type application/json"
	else
		th_not_ok "$name: Content-Type application/json"
		show "$f"
	fi
	if out=$(th_json_has "$f.body" "$@"); then
		th_ok "$name: JSON body with $*"
	else
		th_not_ok "$name: JSON body with $*" "$out"
		show "$f"
	fi
}

# ------------------------------------------------- own unix socket

cfg=$(th_write_config)
if th_start_socialhub "$cfg"; then
	th_ok "serve -c: listening on $TH_SOCK"
	fcgi_get "$TH_SOCK" /social/healthz
	expect_answer "$TH_DIR/fcgi.out" "cgi-fcgi GET /social/healthz" 200 status
	fcgi_get "$TH_SOCK" /social/nope
	expect_answer "$TH_DIR/fcgi.out" "cgi-fcgi GET /social/nope" 404 error message
	fcgi_get "$TH_SOCK" /social/healthz 'x=%zz'
	expect_answer "$TH_DIR/fcgi.out" "cgi-fcgi GET /social/healthz?x=%zz" 400 error message
	th_stop "$TH_SH_PID"
	th_check "serve -c: socket removed after SIGTERM" test ! -e "$TH_SOCK"
else
	th_not_ok "serve -c: listening on $TH_SOCK"
fi

# ------------------------------------------------- socket on fd 0 (spawn-fcgi)

sock0=$TH_DIR/spawn.sock
pidfile=$TH_DIR/spawn.pid
cfg0=$(th_write_config --no-listen "$TH_DIR/spawn.conf")
# spawn-fcgi points the child's stdout/stderr at /dev/null; a shell that
# execs the binary keeps the PID (for -P) and sends stderr to our log.
SH_LOG=$TH_DIR/socialhub.log spawn-fcgi -s "$sock0" -M 0666 -P "$pidfile" -- \
	/bin/sh -c 'exec "$0" "$@" 2>>"$SH_LOG"' "$SOCIALHUB" serve -c "$cfg0" \
	>"$TH_DIR/spawn.out" 2>&1 ||
	th_diag "spawn-fcgi: $(cat "$TH_DIR/spawn.out")"
spid=$(cat "$pidfile" 2>/dev/null)
if [ -n "$spid" ]; then
	th_register_pid "$spid"
	sleep 0.5
fi
if [ -n "$spid" ] && th_alive "$spid"; then
	th_ok "spawn-fcgi: socialhub serve running on fd 0 (pid $spid)"
	fcgi_get "$sock0" /social/healthz
	expect_answer "$TH_DIR/fcgi.out" "spawn-fcgi, cgi-fcgi GET /social/healthz" 200 status
	fcgi_get "$sock0" /social/nope
	expect_answer "$TH_DIR/fcgi.out" "spawn-fcgi, cgi-fcgi GET /social/nope" 404 error message
	t0=$(th_now_ms)
	th_stop "$spid"
	t1=$(th_now_ms)
	if [ $((t1 - t0)) -le 2000 ]; then
		th_ok "spawn-fcgi: stopped by SIGTERM in $((t1 - t0)) ms"
	else
		th_not_ok "spawn-fcgi: stopped by SIGTERM within 2 s" "took $((t1 - t0)) ms"
	fi
else
	th_not_ok "spawn-fcgi: socialhub serve running on fd 0" \
		"pid file: ${spid:-<none>}; spawn-fcgi said: $(cat "$TH_DIR/spawn.out")"
	th_diag_file "$TH_DIR/socialhub.log" 20
fi

# ------------------------------------------------- plain CGI

cgi_cfg=$cfg0
CR=$'\r'
cgi_get /social/healthz
rc=$?
th_check "CGI GET /social/healthz: exit status 0" test "$rc" = 0
if head -n 1 "$TH_DIR/cgi.out" | grep -Eq "^Status: 200 OK$CR?\$"; then
	th_ok "CGI GET /social/healthz: first line 'Status: 200 OK'"
else
	th_not_ok "CGI GET /social/healthz: first line 'Status: 200 OK'"
	show "$TH_DIR/cgi.out"
fi
if grep -Eq "^$CR?\$" "$TH_DIR/cgi.out"; then
	th_ok "CGI GET /social/healthz: blank line ends the headers"
else
	th_not_ok "CGI GET /social/healthz: blank line ends the headers"
	show "$TH_DIR/cgi.out"
fi
expect_answer "$TH_DIR/cgi.out" "CGI GET /social/healthz" 200 status

cgi_get /social/nope
expect_answer "$TH_DIR/cgi.out" "CGI GET /social/nope" 404 error message

th_done

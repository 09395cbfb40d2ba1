#!/usr/bin/env bash
# test_faults.sh: fault injection against `socialhub serve` behind nginx.
#  (a) kill -9 of a random worker or the refresher, repeatedly, under a
#      curl load: the master replaces it; once replaced no request fails;
#      failures while it is down stay within the requests in flight.
#  (b) cache_dir and state_dir on a tiny full tmpfs, then read-only:
#      /healthz 503, the old cache served (no 5xx on widget routes), the
#      error logged, cache_fsck clean afterwards. Needs root (mount).
#  (c) a feed host with a certificate from an unknown CA (local TLS
#      fixture, own CA made with openssl req): the source fails with a
#      clear TLS error, the stream keeps serving, healthz names it.
#  (d) a provider whose token endpoint is down (closed port) or hangs (a
#      listener that never answers, token_fault_op.py): the callback ends
#      in a clear 502 error page within the 10 s fetch timeout.
# FAULTS_KILLS sets the number of kills in (a) (default 8).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

FSCK=${CACHE_FSCK:-${top_builddir:-$(dirname "$SOCIALHUB")}/tests/integration/cache_fsck}
th_require_socialhub
th_require_cmd /usr/bin/python3 curl openssl paste "$FSCK" "$(th_find_nginx)"
th_init faults
st_start_fixture || th_bail "fixture server did not start"

# ------------------------------------------------- (c) TLS fixture, own CA
T=$TH_DIR/tls
mkdir -p "$T"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=socialhub test CA" \
	-keyout "$T/ca.key" -out "$T/ca.pem" >/dev/null 2>&1 &&
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$T/leaf.key" -out "$T/leaf.csr" >/dev/null 2>&1 &&
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$T/ext" &&
openssl x509 -req -in "$T/leaf.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	-CAcreateserial -days 2 -extfile "$T/ext" -out "$T/leaf.pem" >/dev/null 2>&1 ||
	th_bail "openssl could not make the test CA"
cat >"$T/server.py" <<'PY'
import http.server, ssl, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                b'<item><title>tls item</title><link>https://x.example/1</link></item></channel></rss>')
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[3], "w").write(str(srv.server_address[1]))
srv.serve_forever()
PY
th_spawn tls-fixture /usr/bin/python3 "$T/server.py" "$T/leaf.pem" "$T/leaf.key" "$T/port"
th_wait_file "$T/port" 10000 "$TH_LAST_PID" || th_bail "TLS fixture did not start"
TLS_URL="https://127.0.0.1:$(cat "$T/port")/feed.xml"
# The fixture itself works for a client that trusts its CA.
if curl -sf --cacert "$T/ca.pem" "$TLS_URL" | grep -q 'tls item'; then
	th_ok "TLS fixture serves its feed to a client trusting the test CA"
else
	th_not_ok "TLS fixture serves its feed to a client trusting the test CA"
fi

OK_URL="$FIX/feed?id=f&n=6&etag=f"
# ------------------------------------- (d) provider with a broken token endpoint
OP_PF=$TH_DIR/op.port
th_spawn op /usr/bin/python3 "$TH_LIB_DIR/token_fault_op.py" --port-file "$OP_PF" \
	--closed-port "$(th_free_port)"
th_wait_file "$OP_PF" 10000 "$TH_LAST_PID" || th_bail "token fault provider did not start"
OP=http://127.0.0.1:$(cat "$OP_PF")

cfg=$(TH_WORKERS=2 th_write_config "$TH_DIR/socialhub.conf" "
session { secret = \"$("$SOCIALHUB" keygen)\" }
provider down {
  issuer = \"$OP/down\"
  client_id = \"rp\"
  client_secret = \"token-fault-secret\"
  userinfo = false
}
provider slow {
  issuer = \"$OP/slow\"
  client_id = \"rp\"
  client_secret = \"token-fault-secret\"
  userinfo = false
}
stream s {
  source ok { url = \"$OK_URL\" every = 1m }
}
stream tls {
  source ok { url = \"$OK_URL\" }
  source badcert { url = \"$TLS_URL\" }
}")
S=$TH_BASE/social
C=$TH_DIR/cache

th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"
for _ in $(seq 200); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$S/streams/tls.json")" = 200 ] &&
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$S/streams/s.json")" = 200 ] && break
	sleep 0.1
done

# ---- (c) results
th_expect_status -n "stream with an untrusted-cert source still serves" GET "$S/streams/tls.json" 200
# The good source publishes the stream first; the TLS handshake failure may
# land later (slower under ASan): wait for it, up to the connect limit.
badcert_error() {
	curl -s "$S/healthz" | /usr/bin/python3 -c '
import json,sys
d=json.load(sys.stdin)
print(d["streams"]["tls"]["sources"]["badcert"].get("last_error") or "")' 2>/dev/null
}
for _ in $(seq 100); do
	err=$(badcert_error)
	[ -n "$err" ] && break
	sleep 0.1
done
th_diag "healthz tls/badcert last_error: $err"
if printf '%s' "$err" | grep -qiE 'tls|ssl|certificate'; then
	th_ok "untrusted certificate reported as a TLS error in /healthz"
else
	th_not_ok "untrusted certificate reported as a TLS error in /healthz ($err)"
fi
if grep -iE 'badcert|127.0.0.1:[0-9]+/feed.xml' "$TH_DIR/socialhub.log" | grep -qiE 'tls|ssl|certif'; then
	th_ok "TLS failure logged"
else
	th_not_ok "TLS failure logged"
	th_diag_file "$TH_DIR/socialhub.log" 20
fi
if curl -s "$S/streams/tls.json" | grep -q 'tls item'; then
	th_not_ok "no item from the untrusted host in the stream"
else
	th_ok "no item from the untrusted host in the stream"
fi

# ---- (d) results
for prov in down slow; do
	hdrs=$TH_DIR/login-$prov.hdrs
	code=$(curl -s -o /dev/null -D "$hdrs" -w '%{http_code}' "$S/auth/login/$prov?return_to=/")
	loc=$(sed -n 's/^[Ll]ocation: *//p' "$hdrs" | tr -d '\r')
	state=$(printf '%s' "$loc" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')
	cookies=$(sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' "$hdrs" | tr -d '\r' | paste -sd';' -)
	if [ -z "$state" ] || [ -z "$cookies" ]; then
		th_not_ok "$prov: login redirects to the provider with a state (got $code)"
		th_diag_file "$hdrs"
		continue
	fi
	th_ok "$prov: login redirects to the provider ($code)"
	t0=$(th_now_ms)
	res=$(curl -s -m 30 -o "$TH_DIR/cb-$prov.html" -w '%{http_code}' -H "Cookie: $cookies" \
		"$S/auth/callback/$prov?code=fault-code&state=$state")
	ms=$(( $(th_now_ms) - t0 ))
	th_diag "$prov token endpoint: callback -> $res in $ms ms"
	st_expect_eq "$prov: callback answers 502" "$res" 502
	st_expect_range "$prov: within the 10 s timeout (+2 s)" "$ms" 0 12000
	if grep -qiE 'provider|sign-in|sign in|login' "$TH_DIR/cb-$prov.html" &&
		grep -qi '<html\|<!doctype' "$TH_DIR/cb-$prov.html"; then
		th_ok "$prov: a readable error page"
	else
		th_not_ok "$prov: a readable error page"
		th_diag_file "$TH_DIR/cb-$prov.html" 10
	fi
done
if grep -q 'token-fault-secret' "$TH_DIR/socialhub.log"; then
	th_not_ok "client secret kept out of the log"
else
	th_ok "client secret kept out of the log"
fi
grep -E 'provider=(down|slow)' "$TH_DIR/socialhub.log" | grep -v 'level=info' | head -4 | sed 's/^/# log: /'

# ---------------------------------------- (a) kill -9 workers / refresher
ROUTES=("$S/streams/s.json" "$S/streams/s.html" "$S/healthz" "$S/version")
LOAD=$TH_DIR/load
load_loop() { # writes "epoch_ms code" per request until $TH_DIR/stop exists
	local t code
	# A burst of the routes per curl: one request in flight at a time, as
	# with a curl per request, without a fork per request.
	while [ ! -e "$TH_DIR/stop" ]; do
		t=$(th_now_ms)
		while read -r code; do
			echo "$t $code"
		done < <(th_codes "${ROUTES[@]}" "${ROUTES[@]}")
	done
}
children_sorted() { th_children "$TH_SH_PID" | sort -n | tr '\n' ' '; }
# The refresher is the child whose /healthz (status.json) keeps updating;
# we do not need to know which: any child is a fair target.
before=$(children_sorted)
nchild=$(echo "$before" | wc -w)
th_diag "master $TH_SH_PID, children: $before"
[ "$nchild" -ge 2 ] || th_not_ok "master has workers and a refresher (children: $before)"
rm -f "$TH_DIR/stop"
NLOAD=3
for l in $(seq $NLOAD); do
	load_loop >"$LOAD.$l" &
	th_register_pid $!
done
KILLS=${FAULTS_KILLS:-8}
after_fail=0 after_total=0 replaced=0 maxgap=0
for k in $(seq "$KILLS"); do
	sleep "0.$((RANDOM % 9 + 1))"
	mapfile -t kids < <(th_children "$TH_SH_PID")
	victim=${kids[$((RANDOM % ${#kids[@]}))]}
	vcomm=$(tr '\0' ' ' <"/proc/$victim/cmdline" 2>/dev/null)
	t0=$(th_now_ms)
	kill -9 "$victim" 2>/dev/null
	# Replaced: the victim is gone and the master has as many children again.
	ok=0
	# The master backs off (0.1 s doubling to 30 s) for a child that dies
	# young, so a slot killed again and again takes longer each time.
	while [ $(( $(th_now_ms) - t0 )) -lt 35000 ]; do
		if ! th_alive "$victim" && [ "$(th_children "$TH_SH_PID" | grep -vx "$victim" | wc -l)" -ge "$nchild" ]; then
			ok=1
			break
		fi
		sleep 0.025
	done
	gap=$(( $(th_now_ms) - t0 ))
	[ "$gap" -gt "$maxgap" ] && maxgap=$gap
	if [ $ok = 1 ]; then
		replaced=$((replaced + 1))
	else
		th_diag "kill $k: pid $victim ($vcomm) not replaced within 35 s"
	fi
	# After the replacement: a burst of requests, every one must succeed.
	burst=("${ROUTES[@]}" "${ROUTES[@]}" "${ROUTES[@]}")
	r=0
	while read -r code; do
		after_total=$((after_total + 1))
		[ "$code" = 200 ] || { after_fail=$((after_fail + 1)); th_diag "after kill $k: ${burst[r]} -> $code"; }
		r=$((r + 1))
	done < <(th_codes "${burst[@]}")
	[ "$r" = ${#burst[@]} ] || { after_fail=$((after_fail + 1)); th_diag "after kill $k: $r of ${#burst[@]} answers"; }
done
touch "$TH_DIR/stop"
wait_ms=0
while [ "$(cat "$LOAD".* | wc -l)" = 0 ] && [ $wait_ms -lt 2000 ]; do sleep 0.1; wait_ms=$((wait_ms+100)); done
sleep 1
total=$(cat "$LOAD".* | wc -l)
fails=$(cat "$LOAD".* | awk '$2 != 200' | wc -l)
th_diag "kill -9: $KILLS kills, $replaced replaced, slowest replacement ${maxgap} ms; load: $total requests, $fails not 200 ($(cat "$LOAD".* | awk '$2 != 200 {print $2}' | sort | uniq -c | tr '\n' ' ')); after replacement: $after_fail of $after_total failed"
st_expect_eq "every killed child replaced by the master" "$replaced" "$KILLS"
st_expect_eq "no request fails after a replacement" "$after_fail" 0
# At most the requests in flight on the killed process: one per load loop.
if [ "$fails" -le $((KILLS * NLOAD)) ] && [ "$total" -gt 0 ]; then
	th_ok "load failures ($fails of $total) within in-flight bound $((KILLS * NLOAD))"
else
	th_not_ok "load failures ($fails of $total) within in-flight bound $((KILLS * NLOAD))"
fi
th_alive "$TH_SH_PID" && th_ok "master survives $KILLS kills" || th_not_ok "master survives $KILLS kills"

# ------------------------------------------ (b) tiny full / read-only tmpfs
mkdir -p "$TH_DIR/probe-mnt"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=64k tmpfs "$TH_DIR/probe-mnt" 2>/dev/null; then
	th_diag "skipping tmpfs faults: cannot mount tmpfs (not root or no CAP_SYS_ADMIN)"
else
	umount "$TH_DIR/probe-mnt"
	th_stop "$TH_NGINX_PID"
	th_stop "$TH_SH_PID"
	M=$TH_DIR/mnt
	mkdir -p "$M"
	mount -t tmpfs -o size=1m,mode=0755 tmpfs "$M" || th_bail "mount tmpfs"
	th_on_exit 'umount -l "$M" 2>/dev/null'
	mkdir -p "$M/cache" "$M/state"
	VARY_URL="$FIX/feed?id=v&n=20&vary=1"
	cfg2=$TH_DIR/tmpfs.conf
	{
		sed -e '/^stream /,$d' -e "s|^cache_dir .*|cache_dir   = \"$M/cache\"|" \
			-e "s|^state_dir .*|state_dir   = \"$M/state\"|" "$cfg"
		printf 'stream s {\n  source ok { url = "%s" every = 1m }\n  source v { url = "%s" every = 1m }\n}\n' \
			"$OK_URL" "$VARY_URL"
	} >"$cfg2"
	: >"$TH_DIR/socialhub.log"
	th_start_socialhub "$cfg2" || th_bail "socialhub (tmpfs) did not start"
	th_start_nginx || th_bail "nginx did not start"
	for _ in $(seq 200); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$S/streams/s.json")" = 200 ] && break
		sleep 0.1
	done
	th_expect_status -n "tmpfs: healthz before the disk fills" GET "$S/healthz" 200
	curl -s "$S/streams/s.json" >"$TH_DIR/before.json"
	# Fill the file system.
	dd if=/dev/zero of="$M/filler" bs=64k 2>/dev/null
	dd if=/dev/zero of="$M/filler2" bs=1k 2>/dev/null
	th_diag "tmpfs: $(df -k "$M" | tail -1)"
	for phase in full readonly; do
		if [ $phase = readonly ]; then
			# Files open for writing keep a remount from going read-only:
			# the daemon restarts on the read-only file system.
			rm -f "$M/filler" "$M/filler2"
			th_stop "$TH_NGINX_PID"
			th_stop "$TH_SH_PID"
			if ! mount -o remount,ro "$M"; then
				th_not_ok "remount read-only"
				continue
			fi
			th_start_socialhub "$cfg2" || th_bail "socialhub (read-only tmpfs) did not start"
			th_start_nginx || th_bail "nginx did not start"
		fi
		"$SOCIALHUB" refresh --force -c "$cfg2" >"$TH_DIR/refresh-$phase.out" 2>"$TH_DIR/refresh-$phase.err"
		rc=$?
		[ $rc -ne 0 ] && th_ok "$phase: refresh fails (exit $rc)" || th_not_ok "$phase: refresh fails (exit $rc)"
		if grep -qiE 'No space left on device|Read-only file system' "$TH_DIR/refresh-$phase.err" "$TH_DIR/socialhub.log"; then
			th_ok "$phase: clear error logged"
		else
			th_not_ok "$phase: clear error logged"
			th_diag_file "$TH_DIR/refresh-$phase.err" 10
		fi
		code=""
		for _ in $(seq 50); do
			code=$(curl -s -o /dev/null -w '%{http_code}' "$S/healthz")
			[ "$code" = 503 ] && break
			sleep 0.1
		done
		st_expect_eq "$phase: /healthz says 503" "$code" 503
		bad=0
		for r in "$S/streams/s.json" "$S/streams/s.html" "$S/streams/s.atom" "$S/streams/s.as2"; do
			while read -r c; do
				case $c in 5*) bad=$((bad + 1)); th_diag "$phase: $r -> $c" ;; esac
			done < <(th_codes "$r" "$r" "$r" "$r" "$r")
		done
		st_expect_eq "$phase: no 5xx on widget routes with a cached copy" "$bad" 0
		if cmp -s <(curl -s "$S/streams/s.json" | /usr/bin/python3 -c 'import json,sys;print([i.get("id") for i in json.load(sys.stdin).get("items",[])])') \
			<(/usr/bin/python3 -c 'import json,sys;print([i.get("id") for i in json.load(open(sys.argv[1])).get("items",[])])' "$TH_DIR/before.json"); then
			th_ok "$phase: the old cache is served"
		else
			th_not_ok "$phase: the old cache is served"
		fi
	done
	th_stop "$TH_NGINX_PID"
	th_stop "$TH_SH_PID"
	mount -o remount,rw "$M"
	if out=$("$FSCK" "$M/cache" 2>&1); then
		th_ok "no corrupt cache file afterwards"
	else
		th_not_ok "no corrupt cache file afterwards"
		th_diag "$out"
	fi
	umount "$M" && th_ok "tmpfs unmounted" || th_not_ok "tmpfs unmounted"
fi
th_done

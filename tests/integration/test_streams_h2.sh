#!/usr/bin/env bash
# test_streams_h2.sh: the fetcher's concurrency limits are on CONNECTIONS
# (16 in all, 4 per host), and over HTTP/2 one connection carries many
# transfers. Real components: `socialhub refresh`, the feed fixture
# (feed_server.py, HTTP/1.1, counts its connections) and nginx with
# `listen ... ssl http2` in front of it, its certificate from a test CA.
#
#  (a) HTTP/1.1 stays as polite as before: 60 slow sources on 5 hosts; the
#      fixture's port sees at most 16 connections at once and at most 4 per
#      host (and reaches both: the limits are what bounds the run); with
#      fetch_concurrency = 6 and fetch_per_host = 2, at most 6 and 2.
#      Connections are counted by conn_watch.py from /proc/net/tcp: the
#      ones the client still holds open, as the kernel sees them.
#  (b) HTTP/2 multiplexing: 60 sources on ONE h2 host, each answering after
#      500 ms, finish in about one round-trip over at most 4 connections
#      (HTTP/1.1 with 4 connections would need 15 rounds, 7.5 s).
#  (c) HTTP/2 on 24 hosts: at most 16 TCP connections held at once, at
#      most 4 per host (sampled from /proc/net/tcp by conn_watch.py).
#  (d) fetch_ca_file: without it the test CA is not trusted; with another
#      CA's file the certificate still fails; a host name (address) not in
#      the certificate fails even with the right CA; check-config refuses a
#      missing file and a file without certificates, with FILE:LINE: KEY.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3 openssl "$(th_find_nginx)"
th_init streams-h2

st_start_fixture "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6" || th_bail "fixture server did not start"

T=$TH_DIR/tls
SANS=
H2_HOSTS=
for h in $(seq 2 25); do
	SANS+="${SANS:+,}IP:127.0.0.$h"
	H2_HOSTS+="${H2_HOSTS:+,}127.0.0.$h"
done
st_make_ca "$T" ca && st_make_cert "$T" ca leaf "$SANS" && st_make_ca "$T" other ||
	th_bail "openssl could not make the test CAs"
printf 'not a certificate\n' >"$T/empty.pem"
# 127.0.0.30 is served too, but is not in the certificate.
st_start_h2 "$H2_HOSTS,127.0.0.30" "$T/leaf.pem" "$T/leaf.key" || th_bail "h2 nginx did not start"

# refresh NAME CONFIG_TEXT: one forced pass; sets RC, WALL (ms), UPDATED.
refresh() {
	local cfg
	cfg=$(th_write_config "$TH_DIR/$1.conf" "$2")
	rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
	local t0
	t0=$(th_now_ms)
	"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/$1.out" 2>"$TH_DIR/$1.err"
	RC=$?
	WALL=$(($(th_now_ms) - t0))
	UPDATED=$(grep -c ' updated ' "$TH_DIR/$1.out")
	th_diag "$1: exit $RC, $UPDATED updated, ${WALL} ms"
}

# ------------------------------------------------ (a) HTTP/1.1 connection caps
# 60 sources on 5 hosts: 4 per host would be 20 connections, so both
# limits bind. Counted at the fixture's port by conn_watch.py.
sources=
for i in $(seq 0 59); do
	sources+="  source a$i { url = \"http://127.0.0.$((i % 5 + 2)):$FIX_PORT/feed?id=a$i&n=5&delay=400\" }"$'\n'
done
st_watch_start "$FIX_PORT" || th_bail "conn_watch did not start"
refresh h1 "stream h1 {
$sources}"
watch=$(st_watch_stop)
st_expect_eq "h1: all 60 sources updated" "$RC/$UPDATED" "0/60"
mt=$(st_watch_get "$watch" max_total)
mh=$(st_watch_get "$watch" max_host)
th_diag "h1 (defaults 16/4): at most $mt connections at once, $mh to one host"
st_expect_range "h1: at most 16 connections at once, and the limit is reached" "$mt" 16 16
st_expect_range "h1: at most 4 connections at once to one host, and reached" "$mh" 4 4
# 60 / 16 -> 4 rounds of 400 ms at the least.
st_expect_range "h1: the connection limit bounds the run (>= 1.6 s)" "$WALL" 1600 60000

# 60 sources on 3 hosts, fetch_concurrency = 6, fetch_per_host = 2.
sources=
for i in $(seq 0 59); do
	sources+="  source a$i { url = \"http://127.0.0.$((i % 3 + 2)):$FIX_PORT/feed?id=a$i&n=5&delay=200\" }"$'\n'
done
st_watch_start "$FIX_PORT" || th_bail "conn_watch did not start"
refresh h1small "fetch_concurrency = 6
fetch_per_host = 2
stream h1 {
$sources}"
watch=$(st_watch_stop)
st_expect_eq "h1 6/2: all 60 sources updated" "$RC/$UPDATED" "0/60"
mt=$(st_watch_get "$watch" max_total)
mh=$(st_watch_get "$watch" max_host)
th_diag "h1 (6/2): at most $mt connections at once, $mh to one host"
st_expect_range "h1 6/2: at most 6 connections at once (fetch_concurrency)" "$mt" 6 6
st_expect_range "h1 6/2: at most 2 per host (fetch_per_host)" "$mh" 2 2

# ------------------------------------------------ (b) h2: one host, many streams
sources=
for i in $(seq 0 59); do
	sources+="  source m$i { url = \"https://127.0.0.2:$H2_PORT/feed?id=m$i&n=5&delay=500\" }"$'\n'
done
: >"$TH_DIR/h2/access.log"
st_watch_start "$H2_PORT" || th_bail "conn_watch did not start"
refresh h2one "fetch_ca_file = \"$T/ca.pem\"
stream h2 {
$sources}"
watch=$(st_watch_stop)
st_expect_eq "h2 one host: all 60 sources updated" "$RC/$UPDATED" "0/60"
read -r nconn nhost maxper protos <<<"$(st_h2_conns)"
th_diag "h2 one host: nginx saw $nconn connection(s), protocols $protos; watch: $watch"
st_expect_eq "h2 one host: every request over HTTP/2" "$protos" "HTTP/2.0"
st_expect_range "h2 one host: at most 4 connections (nginx log)" "$nconn" 1 4
wmax=$(st_watch_get "$watch" max_total)
st_expect_range "h2 one host: at most 4 TCP connections held at once" "$wmax" 1 4
# Arrivals at nginx: all 60 requests before the first answer (500 ms), so
# none waited for another to finish. Over 4 HTTP/1.1 connections they would
# come in 15 rounds, 7.5 s apart from first to last.
spread=$(awk '{ printf "%.3f\n", $7 - $5 }' "$TH_DIR/h2/access.log" | sort -n |
	awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%d\n", (b - a) * 1000 }')
th_diag "h2 one host: requests arrived within $spread ms"
st_expect_range "h2 one host: all requests sent before the first answer (one round-trip)" "$spread" 0 499
# The wall time (one round of 500 ms plus TLS, parsing and fsyncs: about
# 1.2-1.4 s on an idle 2-core machine) is reported, not asserted: on a
# loaded machine or a sanitizer build it says little. The arrivals above
# are the proof.
th_diag "h2 one host: wall ${WALL} ms (4 HTTP/1.1 connections: 15 rounds, 7.5 s at the least)"

# ------------------------------------------------ (c) h2: 24 hosts, 16 connections
sources=
for i in $(seq 0 71); do
	sources+="  source c$i { url = \"https://127.0.0.$((i % 24 + 2)):$H2_PORT/feed?id=c$i&n=5&delay=300\" }"$'\n'
done
: >"$TH_DIR/h2/access.log"
st_watch_start "$H2_PORT" || th_bail "conn_watch did not start"
refresh h2many "fetch_ca_file = \"$T/ca.pem\"
stream h2 {
$sources}"
watch=$(st_watch_stop)
st_expect_eq "h2 24 hosts: all 72 sources updated" "$RC/$UPDATED" "0/72"
read -r nconn nhost maxper protos <<<"$(st_h2_conns)"
th_diag "h2 24 hosts: nginx saw $nconn connections on $nhost hosts (at most $maxper per host), $protos; watch: $watch"
wmax=$(st_watch_get "$watch" max_total)
wper=$(st_watch_get "$watch" max_host)
st_expect_range "h2 24 hosts: at most 16 TCP connections held at once" "$wmax" 1 16
st_expect_range "h2 24 hosts: at most 4 at once to one host" "$wper" 1 4
st_expect_range "h2 24 hosts: at most 4 connections per host in all (nginx log)" "$maxper" 1 4
st_expect_eq "h2 24 hosts: every request over HTTP/2" "$protos" "HTTP/2.0"

# ------------------------------------------------ (d) fetch_ca_file
one="  source t { url = \"https://127.0.0.2:$H2_PORT/feed?id=t&n=3\" }"
refresh noca "stream t {
$one
}"
err=$(grep -o 'source=t .*' "$TH_DIR/noca.err" | head -1)
th_diag "no fetch_ca_file: $err"
if [ "$UPDATED" = 0 ] && printf '%s' "$err" | grep -qiE 'TLS|certificate'; then
	th_ok "without fetch_ca_file the test CA is not trusted (TLS error)"
else
	th_not_ok "without fetch_ca_file the test CA is not trusted (TLS error)" "$UPDATED updated: $err"
fi
refresh otherca "fetch_ca_file = \"$T/other.pem\"
stream t {
$one
}"
err=$(grep -o 'source=t .*' "$TH_DIR/otherca.err" | head -1)
th_diag "fetch_ca_file of another CA: $err"
if [ "$UPDATED" = 0 ] && printf '%s' "$err" | grep -qiE 'TLS|certificate'; then
	th_ok "fetch_ca_file of another CA: the certificate still fails"
else
	th_not_ok "fetch_ca_file of another CA: the certificate still fails" "$UPDATED updated: $err"
fi
refresh goodca "fetch_ca_file = \"$T/ca.pem\"
stream t {
$one
}"
st_expect_eq "fetch_ca_file of the test CA: the source is fetched" "$RC/$UPDATED" "0/1"
refresh wronghost "fetch_ca_file = \"$T/ca.pem\"
stream t {
  source t { url = \"https://127.0.0.30:$H2_PORT/feed?id=t&n=3\" }
}"
err=$(grep -o 'source=t .*' "$TH_DIR/wronghost.err" | head -1)
th_diag "address not in the certificate: $err"
if [ "$UPDATED" = 0 ] && printf '%s' "$err" | grep -qiE 'TLS|certificate|subject|match'; then
	th_ok "right CA, address not in the certificate: refused"
else
	th_not_ok "right CA, address not in the certificate: refused" "$UPDATED updated: $err"
fi

# check-config: FILE:LINE: KEY, for a missing file and a file without certs.
for bad in "$T/missing.pem" "$T/empty.pem"; do
	cfg=$(th_write_config "$TH_DIR/bad.conf" "fetch_ca_file = \"$bad\"
stream t {
$one
}")
	out=$("$SOCIALHUB" check-config -c "$cfg" 2>&1)
	rc=$?
	th_diag "check-config with $(basename "$bad"): exit $rc: $(printf '%s' "$out" | head -1)"
	# The line is the one libconfuse reports for top-level keys (it can be
	# past the key's own line; fetch_concurrency does the same).
	if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -qE "^$cfg:[0-9]+: fetch_ca_file: "; then
		th_ok "check-config refuses fetch_ca_file = $(basename "$bad") with FILE:LINE: KEY"
	else
		th_not_ok "check-config refuses fetch_ca_file = $(basename "$bad") with FILE:LINE: KEY" "exit $rc: $out"
	fi
done
cfg=$(th_write_config "$TH_DIR/good.conf" "fetch_ca_file = \"$T/ca.pem\"
stream t {
$one
}")
"$SOCIALHUB" check-config -c "$cfg" >/dev/null 2>&1
st_expect_eq "check-config accepts a readable CA file" "$?" 0

th_done

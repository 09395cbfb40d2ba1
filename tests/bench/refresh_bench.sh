#!/usr/bin/env bash
# refresh_bench.sh: one `socialhub refresh` of 200 sources on the fixture
# server, each answering after 300 ms (target: <= 2 s wall). Called by
# `make bench` (bench-refresh) as  tests/bench/refresh_bench.sh BUILD_DIR
#
# The sources sit on 50 loopback addresses (127.0.0.2 ... 127.0.0.51, four
# feeds each). The fetcher's limits are on connections: 16 in all, 4 per
# host. Two figures, same sources, same limits:
#
#  - HTTP/1.1: the fixture itself (plain http). One transfer per connection,
#    so 16 at once: the floor is ceil(200 / 16) x 0.3 s = 3.9 s and the
#    target cannot be met within the limits.
#  - HTTP/2: nginx (`listen ... ssl http2`, certificate from a test CA given
#    to socialhub as fetch_ca_file) in front of the same fixture. One
#    connection per host carries its four transfers: the floor is
#    ceil(50 hosts / 16 connections) x 0.3 s = 1.2 s. Target <= 2 s.
#    One more, untimed, run counts the TCP connections nginx held
#    (conn_watch.py: at most 16 at once, at most 4 per host) and the
#    distinct connections in nginx's log.
#
# First, CPU per MB of feed input: 24 sources (tests/bench/gen_feeds.py:
# six sets of its RSS 2.0, Atom, YouTube and JSON Feed shapes, 200 items
# each, in four streams of six) served by the same fixture without delay,
# one `socialhub refresh --force` pass (fetch, parse, store, merge,
# publish) into an empty cache. CPU is user + sys of that process
# (/usr/bin/time); it is divided by the MB (10^6 bytes) of the 24 bodies.
# The baseline binary runs in the same rounds, alternating with this
# build: both medians and their ratio are printed (target: this build at
# least 2x lower).
#
# Environment: BENCH_CPU_RUNS (5) rounds of the CPU runs;
#   BENCH_BASELINE (/work/base/socialhub, skipped when missing) the binary
#   compared; BENCH_CPU_ONLY=1 stops after them;
#   BENCH_RUNS (3) runs per setting, median reported;
#   BENCH_SOURCES (200), BENCH_DELAY_MS (300), BENCH_HOSTS (50);
#   BENCH_LIMITS ("16:4") fetch_concurrency:fetch_per_host pairs for the
#   HTTP/1.1 runs (e.g. "16:4 64:4 200:4" to see what raising them does);
#   BENCH_H2 (1) 0 skips the HTTP/2 runs;
#   BENCH_OUT ($BUILD_DIR/tests/bench/out) gets refresh.tsv.

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-${top_builddir:-$HERE/../..}}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
export SOCIALHUB=${SOCIALHUB:-$BUILD_DIR/socialhub}
# shellcheck source=tests/integration/lib.sh
. "$HERE/../integration/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/../integration/streams_lib.sh"

RUNS=${BENCH_RUNS:-3}
NSRC=${BENCH_SOURCES:-200}
DELAY=${BENCH_DELAY_MS:-300}
NHOSTS=${BENCH_HOSTS:-50}
LIMITS=${BENCH_LIMITS:-"16:4"}
H2=${BENCH_H2:-1}
BENCH_OUT=${BENCH_OUT:-$BUILD_DIR/tests/bench/out}

th_require_socialhub
th_require_cmd /usr/bin/python3
[ "$H2" = 1 ] && th_require_cmd openssl "$(th_find_nginx)"
th_init refresh-bench
mkdir -p "$BENCH_OUT"

hosts=
for h in $(seq 2 $((NHOSTS + 1))); do
	hosts+="${hosts:+,}127.0.0.$h"
done
ST_FILES=$TH_DIR/feeds
mkdir -p "$ST_FILES"
st_start_fixture "127.0.0.1,$hosts" || th_bail "fixture server did not start on $NHOSTS loopback addresses"

# ---------------------------------------------------------------- CPU / MB
CPU_RUNS=${BENCH_CPU_RUNS:-5}
BASELINE=${BENCH_BASELINE:-/work/base/socialhub}
th_require_cmd /usr/bin/time

# cpu_run BIN CONFIG: one forced pass into an empty cache; prints user+sys
# seconds, or "fail".
cpu_run() {
	local bin=$1 cfg=$2 rc updated
	rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
	/usr/bin/time -f '%U %S' -o "$TH_DIR/cpu.time" \
		"$bin" refresh -c "$cfg" --force >"$TH_DIR/out" 2>"$TH_DIR/err"
	rc=$?
	updated=$(grep -c ' updated ' "$TH_DIR/out")
	if [ "$rc" -ne 0 ] || [ "$updated" -ne 24 ]; then
		th_diag "$bin: exit $rc, $updated of 24 updated"
		th_diag_file "$TH_DIR/err" 5
		echo fail
		return
	fi
	awk '{ printf "%.3f\n", $1 + $2 }' "$TH_DIR/cpu.time"
}

cpu_bench() {
	local i f set cfg bytes mb srcs= line base_l= new_l= r b n
	mkdir -p "$TH_DIR/feeds"
	for set in 1 2 3 4 5 6; do
		/usr/bin/python3 "$HERE/gen_feeds.py" "$TH_DIR/feeds" 200 "$set" "s$set-" ||
			th_bail "gen_feeds.py failed"
	done
	# Their image and link hosts are the fixture (404s for the images):
	# no DNS look-ups, nothing leaves the machine.
	sed -i -e "s#https://\(blog\.example\.com\|dev\.example\.org\|micro\.example\.net\|i1\.ytimg\.com\|www\.youtube\.com\|twitter\.example\)/#$FIX/#g" \
		"$TH_DIR"/feeds/*
	bytes=$(cat "$TH_DIR"/feeds/* | wc -c)
	mb=$(awk -v b="$bytes" 'BEGIN { printf "%.3f", b / 1e6 }')
	# Four streams of six sources, each stream with every shape.
	for i in 0 1 2 3; do
		srcs+="stream c$i {"$'\n'
		for set in 1 2 3 4 5 6; do
			f=$(ls "$TH_DIR/feeds" | grep "^s$set-" | sed -n "$((i + 1))p")
			srcs+="  source f$set { url = \"$FIX/file?name=$f\" }"$'\n'
		done
		srcs+="}"$'\n'
	done
	cfg=$(th_write_config "$TH_DIR/cpu.conf" "$srcs")
	for r in $(seq 1 "$CPU_RUNS"); do
		if [ -x "$BASELINE" ]; then
			b=$(cpu_run "$BASELINE" "$cfg")
			[ "$b" != fail ] && base_l+="$b "
		fi
		n=$(cpu_run "$SOCIALHUB" "$cfg")
		[ "$n" != fail ] && new_l+="$n "
	done
	[ -n "$new_l" ] || { th_not_ok "CPU runs of $SOCIALHUB"; return; }
	n=$(tr ' ' '\n' <<<"$new_l" | grep . | median)
	line=$(printf 'refresh --force of 24 sources, %s MB of feeds: this build %s s CPU (%s s/MB; runs: %s)' \
		"$mb" "$n" "$(awk -v c="$n" -v m="$mb" 'BEGIN { printf "%.3f", c / m }')" "$new_l")
	if [ -n "$base_l" ]; then
		b=$(tr ' ' '\n' <<<"$base_l" | grep . | median)
		line+=$(printf '; baseline %s: %s s CPU (%s s/MB; runs: %s); ratio baseline/this %s' \
			"$BASELINE" "$b" "$(awk -v c="$b" -v m="$mb" 'BEGIN { printf "%.3f", c / m }')" \
			"$base_l" "$(awk -v b="$b" -v n="$n" 'BEGIN { printf "%.2f", b / n }')")
	fi
	th_diag "$line"
	echo "$line"
	printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" refresh-cpu "$mb" "$n" "${b:-}" >>"$BENCH_OUT/refresh.tsv"
	if [ -n "$base_l" ] && ! awk -v b="$b" -v n="$n" 'BEGIN { exit !(b >= 2 * n) }'; then
		th_not_ok "CPU per MB at least 2x lower than the baseline" "$line"
	else
		th_ok "CPU per MB of feed input measured"
	fi
}

# make_sources SCHEME PORT: the source lines, spread over the hosts.
make_sources() {
	local i h out=
	for i in $(seq 0 $((NSRC - 1))); do
		h=$((i % NHOSTS + 2))
		out+="  source s$i { url = \"$1://127.0.0.$h:$2/feed?id=b$i&n=20&delay=$DELAY\" }"$'\n'
	done
	printf '%s' "$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed_runs LABEL CONFIG: BENCH_RUNS refreshes; sets MED and WALLS.
timed_runs() {
	local label=$1 cfg=$2 r t0 rc ms fetched
	: >"$TH_DIR/walls"
	for r in $(seq 1 "$RUNS"); do
		rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
		t0=$(date +%s%N)
		"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/out" 2>"$TH_DIR/err"
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		fetched=$(grep -c ' updated ' "$TH_DIR/out")
		if [ "$rc" -ne 0 ] || [ "$fetched" -ne "$NSRC" ]; then
			th_not_ok "$label run $r: all $NSRC sources updated" "exit $rc, $fetched updated"
			th_diag_file "$TH_DIR/err" 5
		fi
		echo "$ms" >>"$TH_DIR/walls"
	done
	MED=$(median <"$TH_DIR/walls")
	WALLS=$(tr '\n' ' ' <"$TH_DIR/walls" | sed 's/ $//')
}

cpu_bench
[ "${BENCH_CPU_ONLY:-0}" = 1 ] && th_done

# ---------------------------------------------------------------- HTTP/1.1
sources=$(make_sources http "$FIX_PORT")
for pair in $LIMITS; do
	total=${pair%%:*}
	per=${pair##*:}
	cfg=$(th_write_config "$TH_DIR/bench-$total.conf" "fetch_concurrency = $total
fetch_per_host = $per
stream bench {
$sources
  max_items = 1000
}")
	timed_runs "HTTP/1.1 fetch_concurrency=$total" "$cfg"
	floor=$(( (NSRC + total - 1) / total * DELAY ))
	[ "$total" -gt "$NSRC" ] && floor=$DELAY
	th_diag "$(printf 'HTTP/1.1 fixture: refresh %d sources x %d ms on %d hosts, %d connections (%d per host): median %d ms of %d runs (%s), floor %d ms (one transfer per connection), target 2000 ms: %s' \
		"$NSRC" "$DELAY" "$NHOSTS" "$total" "$per" "$MED" "$RUNS" "$WALLS" "$floor" \
		"$([ "$MED" -le 2000 ] && echo met || echo missed)")"
	printf '%s\t%s\t%d\t%d\t%d\n' "$(date -u +%FT%TZ)" refresh "$total" "$per" "$MED" >>"$BENCH_OUT/refresh.tsv"
	th_ok "HTTP/1.1 $total:$per connections: $MED ms"
done

# ---------------------------------------------------------------- HTTP/2
if [ "$H2" = 1 ]; then
	T=$TH_DIR/tls
	sans=
	for h in ${hosts//,/ }; do sans+="${sans:+,}IP:$h"; done
	st_make_ca "$T" ca && st_make_cert "$T" ca leaf "$sans" || th_bail "openssl could not make the test CA"
	st_start_h2 "$hosts" "$T/leaf.pem" "$T/leaf.key" || th_bail "nginx (h2) did not start"
	sources=$(make_sources https "$H2_PORT")
	cfg=$(th_write_config "$TH_DIR/bench-h2.conf" "fetch_ca_file = \"$T/ca.pem\"
stream bench {
$sources
  max_items = 1000
}")
	timed_runs "HTTP/2" "$cfg"
	rounds=$(( (NHOSTS + 15) / 16 ))
	floor=$((rounds * DELAY))
	# One more run, untimed (the sampler costs CPU): the connections.
	: >"$TH_DIR/h2/access.log"
	st_watch_start "$H2_PORT" 0.01 || th_bail "conn_watch did not start"
	rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
	"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/out" 2>"$TH_DIR/err"
	watch=$(st_watch_stop)
	read -r nconn nhost maxper protos <<<"$(st_h2_conns)"
	wmax=$(st_watch_get "$watch" max_total)
	wper=$(st_watch_get "$watch" max_host)
	th_diag "$(printf 'HTTP/2 fixture (nginx h2 -> same fixture): refresh %d sources x %d ms on %d hosts, 16 connections (4 per host): median %d ms of %d runs (%s), floor %d ms (%d rounds of one connection per host), target 2000 ms: %s' \
		"$NSRC" "$DELAY" "$NHOSTS" "$MED" "$RUNS" "$WALLS" "$floor" "$rounds" \
		"$([ "$MED" -le 2000 ] && echo met || echo missed)")"
	th_diag "HTTP/2 connections: $nconn opened in all ($nhost hosts, at most $maxper to one host; protocols $protos); held at once: at most $wmax in all, $wper to one host (single /proc samples: $(st_watch_get "$watch" max_total_raw))"
	printf '%s\t%s\t%d\t%d\t%d\n' "$(date -u +%FT%TZ)" refresh-h2 16 4 "$MED" >>"$BENCH_OUT/refresh.tsv"
	th_ok "HTTP/2 16:4 connections: $MED ms"
	if [ "$wmax" -le 16 ] && [ "$wper" -le 4 ] && [ "$maxper" -le 4 ] && [ "$protos" = HTTP/2.0 ]; then
		th_ok "HTTP/2 run within 16 connections at once, 4 per host"
	else
		th_not_ok "HTTP/2 run within 16 connections at once, 4 per host" "$watch; log: $nconn $nhost $maxper $protos"
	fi
fi

th_done

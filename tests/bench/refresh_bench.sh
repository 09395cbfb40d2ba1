#!/usr/bin/env bash
# refresh_bench.sh: one `socialhub refresh` of 200 sources on the fixture
# server, each answering after 300 ms (target: <= 2 s wall). Called by
# `make bench` (bench-refresh) as  tests/bench/refresh_bench.sh BUILD_DIR
#
# The sources sit on 50 loopback addresses (127.0.0.2 ... 127.0.0.51, four
# feeds each), so the per-host limit (4) is not what bounds the run. The
# total limit is: 200 x 0.3 s / fetch_concurrency is the floor, 3.75 s at
# the default of 16. The bench runs the default and raised limits and
# prints each figure against that floor.
#
# Environment: BENCH_RUNS (3) runs per setting, median reported;
#   BENCH_SOURCES (200), BENCH_DELAY_MS (300), BENCH_HOSTS (50);
#   BENCH_LIMITS ("16:4 64:4 200:4") fetch_concurrency:fetch_per_host pairs;
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
LIMITS=${BENCH_LIMITS:-"16:4 64:4 200:4"}
BENCH_OUT=${BENCH_OUT:-$BUILD_DIR/tests/bench/out}

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init refresh-bench
mkdir -p "$BENCH_OUT"

hosts=
for h in $(seq 2 $((NHOSTS + 1))); do
	hosts+="${hosts:+,}127.0.0.$h"
done
st_start_fixture "$hosts" || th_bail "fixture server did not start on $NHOSTS loopback addresses"

sources=
for i in $(seq 0 $((NSRC - 1))); do
	h=$((i % NHOSTS + 2))
	sources+="  source s$i { url = \"http://127.0.0.$h:$FIX_PORT/feed?id=b$i&n=20&delay=$DELAY\" }"$'\n'
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for pair in $LIMITS; do
	total=${pair%%:*}
	per=${pair##*:}
	cfg=$(th_write_config "$TH_DIR/bench-$total.conf" "fetch_concurrency = $total
fetch_per_host = $per
stream bench {
$sources  max_items = 1000
}")
	: >"$TH_DIR/walls"
	for r in $(seq 1 "$RUNS"); do
		rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
		t0=$(date +%s%N)
		"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/out" 2>"$TH_DIR/err"
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		fetched=$(grep -c ' updated ' "$TH_DIR/out")
		if [ "$rc" -ne 0 ] || [ "$fetched" -ne "$NSRC" ]; then
			th_not_ok "fetch_concurrency=$total run $r: all $NSRC sources updated" \
				"exit $rc, $fetched updated"
			th_diag_file "$TH_DIR/err" 5
		fi
		echo "$ms" >>"$TH_DIR/walls"
	done
	med=$(median <"$TH_DIR/walls")
	floor=$(( (NSRC + total - 1) / total * DELAY ))
	[ "$total" -gt "$NSRC" ] && floor=$DELAY
	line=$(printf 'refresh %d sources x %d ms on %d hosts, fetch_concurrency=%d fetch_per_host=%d: median %d ms of %d runs (%s), floor %d ms, target 2000 ms: %s' \
		"$NSRC" "$DELAY" "$NHOSTS" "$total" "$per" "$med" "$RUNS" "$(tr '\n' ' ' <"$TH_DIR/walls" | sed 's/ $//')" \
		"$floor" "$([ "$med" -le 2000 ] && echo met || echo missed)")
	th_diag "$line"
	printf '%s\t%s\t%d\t%d\t%d\n' "$(date -u +%FT%TZ)" refresh "$total" "$per" "$med" >>"$BENCH_OUT/refresh.tsv"
	th_ok "fetch_concurrency=$total: $med ms"
done

th_done

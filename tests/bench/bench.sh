#!/usr/bin/env bash
# bench.sh: wrk through a private nginx: static file vs the bare fcgi2
# baseline (hello.c) vs socialhub. Called by `make bench` as
#   tests/bench/bench.sh BUILD_DIR
#
# The machine may be shared (other tests, fuzzers), so the runs alternate:
# every round runs each label once (odd rounds in one order, even rounds in
# reverse); the table shows the median req/s, p50 and p99 over the rounds,
# and CPU per request as the sum of CPU time (scheduler run time of every
# process: nginx, or the app's master and all its children) over the sum of
# requests. A ratio line is the median of the per-round ratios, followed by
# each round's req/s ratio.
#
# What is equal between the baseline and socialhub (a fair comparison both
# ways): the same nginx server block and location settings (include
# fastcgi_params, fastcgi_pass to a unix socket in the same scratch dir,
# default fastcgi_buffering on, fastcgi_keep_conn off, so one FastCGI
# connection per request for both); a pre-forked master with
# BENCH_WORKERS single-threaded FCGX_Accept_r workers on one shared
# listening socket; the same body bytes (the baseline body has the length of
# socialhub's /healthz answer, and the static file is that answer). What
# differs: socialhub also runs its refresher process (idle here: it wakes
# once a second) and sends its real header set (Cache-Control, Pragma,
# Content-Length, X-Content-Type-Options), which nginx parses; the baseline
# sends Status, Content-Type and Content-Length. Neither logs per request
# (socialhub logs only 5xx at info; nginx access_log off).
#
# Environment:
#   BENCH_SECONDS (10)  BENCH_THREADS (2)  BENCH_CONNS (64)
#   BENCH_ROUNDS (3)    rounds of alternating runs (medians are reported)
#   BENCH_LABELS        run only these labels, e.g. "baseline social-healthz"
#                       (default: static baseline social-healthz social-version)
#   BENCH_WARMUP (1)    seconds of unrecorded wrk before each run, 0 = none
#   BENCH_NGINX_WORKERS (1)  BENCH_WORKERS (2: hello and socialhub workers)
#   BENCH_LOG_LEVEL (info)   socialhub log_level during the run
#   BENCH_OUT ($BUILD_DIR/tests/bench/out)  results.tsv, rounds.tsv,
#                       history.tsv, wrk-*.txt
#   SOCIALHUB, HELLO    binaries (default BUILD_DIR/socialhub, .../tests/bench/hello)
#   KEEP=1              keep the scratch dir (nginx and socialhub logs)
#
# To benchmark another route, add a "LABEL URL $TH_SH_PID" line to the runs
# in bench_round below (and a bench_ratio line if a comparison helps).

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-${top_builddir:-$HERE/../..}}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
export SOCIALHUB=${SOCIALHUB:-$BUILD_DIR/socialhub}
# shellcheck source=tests/integration/lib.sh
. "$HERE/../integration/lib.sh"

HELLO=${HELLO:-$BUILD_DIR/tests/bench/hello}
BENCH_OUT=${BENCH_OUT:-$BUILD_DIR/tests/bench/out}
RESULTS=$BENCH_OUT/results.tsv
ROUNDS=$BENCH_OUT/rounds.tsv
HISTORY=$BENCH_OUT/history.tsv
BENCH_LABELS=${BENCH_LABELS:-static baseline social-healthz social-version}
BENCH_FAILED=0

th_require_socialhub
th_require_cmd wrk curl cc pkg-config "$(th_find_nginx)"

# ------------------------------------------------------------ helpers

# Builds the baseline when missing or older than its source.
bench_build_hello() {
	local src=$HERE/hello.c
	if [ -x "$HELLO" ] && [ ! "$src" -nt "$HELLO" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$HELLO")"
	echo "# building $HELLO"
	# shellcheck disable=SC2046
	cc -O2 -Wall -Wextra -o "$HELLO" "$src" $(pkg-config --cflags --libs fcgi)
}

# wrk prints "812.00us", "4.44ms", "1.02s", "2.00m"; prints milliseconds.
bench_to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000
		else if (u == "m") n *= 60000
		printf "%.2f", n }'
}

# CPU time in nanoseconds of the given PIDs and their children: the
# scheduler's exact run time (/proc/PID/schedstat, the figure perf's
# task-clock counts), not utime+stime, which charges whole 10 ms ticks to
# whoever runs when the tick fires and is biased on a busy machine.
bench_cpu_ns() {
	local pid all=() f t=0 run rest
	for pid in "$@"; do
		all+=("$pid")
		while read -r f; do all+=("$f"); done < <(th_children "$pid")
	done
	for pid in "${all[@]}"; do
		read -r run rest <"/proc/$pid/schedstat" 2>/dev/null || continue
		t=$((t + run))
	done
	printf '%s\n' "$t"
}

# bench_run ROUND LABEL URL [APP_PID...]: one wrk run (skipped when LABEL is
# not in BENCH_LABELS); appends a row to rounds.tsv. APP_PIDs (with their
# children) are charged the "app" CPU time.
bench_run() {
	local round=$1 label=$2 url=$3 out code bytes rps p50 p99 non2xx sockerr
	local ngx0 ngx1 app0=0 app1=0 reqs
	shift 3
	case " $BENCH_LABELS " in *" $label "*) ;; *) return 0 ;; esac
	out=$BENCH_OUT/wrk-$label.$round.txt
	code=$("${TH_CURL[@]}" -o "$TH_DIR/probe.body" -w '%{http_code}' "$url")
	bytes=$(wc -c <"$TH_DIR/probe.body")
	if [ "$code" != 200 ]; then
		echo "# $label: $url answers $code, not benchmarked" >&2
		head -c 300 "$TH_DIR/probe.body" | sed 's/^/#   /' >&2
		BENCH_FAILED=1
		return 1
	fi
	if [ "${BENCH_WARMUP:-1}" -gt 0 ]; then
		wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNS:-64}" -d"${BENCH_WARMUP:-1}s" \
			"$url" >/dev/null 2>&1
	fi
	ngx0=$(bench_cpu_ns "$TH_NGINX_PID")
	[ $# -gt 0 ] && app0=$(bench_cpu_ns "$@")
	wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNS:-64}" -d"${BENCH_SECONDS:-10}s" \
		--latency "$url" >"$out" 2>&1
	ngx1=$(bench_cpu_ns "$TH_NGINX_PID")
	[ $# -gt 0 ] && app1=$(bench_cpu_ns "$@")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	reqs=$(awk '/requests in/ { print $1 }' "$out")
	p50=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "50%" { print $2; exit }' "$out")
	p99=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	sockerr=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
	if [ -z "$rps" ] || [ -z "$p99" ]; then
		echo "# $label: could not parse wrk output:" >&2
		sed 's/^/#   /' "$out" >&2
		BENCH_FAILED=1
		return 1
	fi
	# round label rps p50 p99 non2xx sockerr bytes reqs ngx_ns app_ns|- url
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$label" \
		"$rps" "$(bench_to_ms "$p50")" "$(bench_to_ms "$p99")" "${non2xx:-0}" \
		"${sockerr:-0}" "$bytes" "${reqs:-0}" $((ngx1 - ngx0)) \
		"$([ $# -gt 0 ] && echo $((app1 - app0)) || echo -)" "$url" >>"$ROUNDS"
	if [ "${non2xx:-0}" != 0 ]; then
		echo "# $label: $non2xx responses were not 2xx/3xx" >&2
		BENCH_FAILED=1
	fi
	echo "# round $round $label: $rps req/s, p99 $p99"
}

# The median of a space-separated list (awk), for the two summaries below.
AWK_MEDIAN='
function median(list,    v, n, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return v[int((n + 1) / 2)]
}'

# results.tsv from rounds.tsv, one row per label in first-run order: median
# req/s, p50 and p99; summed non-2xx and socket errors; CPU microseconds per
# request of nginx and of the app over all rounds.
bench_summarize() {
	awk -F'\t' "$AWK_MEDIAN"'
	{
		l = $2
		if (!(l in seen)) { seen[l] = 1; order[++nl] = l }
		rps[l] = rps[l] " " $3; p50[l] = p50[l] " " $4; p99[l] = p99[l] " " $5
		non[l] += $6; serr[l] += $7; bytes[l] = $8; reqs[l] += $9
		ngx[l] += $10; url[l] = $12
		if ($11 == "-") noapp[l] = 1; else app[l] += $11
	}
	END {
		for (i = 1; i <= nl; i++) {
			l = order[i]
			n_us = reqs[l] > 0 ? sprintf("%.1f", ngx[l] / 1e3 / reqs[l]) : "-"
			a_us = (!(l in noapp) && reqs[l] > 0) ? sprintf("%.1f", app[l] / 1e3 / reqs[l]) : "-"
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l, median(rps[l]),
				median(p50[l]), median(p99[l]), non[l], serr[l], bytes[l], n_us, a_us, url[l]
		}
	}' "$ROUNDS" >"$RESULTS"
}

# bench_ratio A B: req/s and p99 of A relative to B: the median over the
# rounds of the ratio within each round (A and B ran minutes apart at most,
# under the same load), with every round's req/s ratio.
bench_ratio() {
	awk -F'\t' -v a="$1" -v b="$2" "$AWK_MEDIAN"'
	$2 == a { ra[$1] = $3; pa[$1] = $5; if (!($1 in seen)) { seen[$1] = 1; r[++n] = $1 } }
	$2 == b { rb[$1] = $3; pb[$1] = $5; if (!($1 in seen)) { seen[$1] = 1; r[++n] = $1 } }
	END {
		for (i = 1; i <= n; i++) {
			k = r[i]
			if (!(k in ra) || !(k in rb) || rb[k] <= 0)
				continue
			rr = rr sprintf(" %.2f", ra[k] / rb[k])
			pr = pr " " (pb[k] > 0 ? pa[k] / pb[k] : 0)
		}
		if (rr != "")
			printf "%-28s req/s %.2f   p99 %.2f   (req/s by round:%s)\n", a "/" b,
				median(rr), median(pr), rr
	}' "$ROUNDS"
}

bench_table() {
	printf '\n%-16s %10s %9s %9s %7s %7s %7s %8s %8s\n' label req/s p50_ms p99_ms \
		non2xx sockerr bytes ngx_us app_us
	awk -F'\t' '{ printf "%-16s %10.0f %9s %9s %7s %7s %7s %8s %8s\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$RESULTS"
	echo "(wrk -t${BENCH_THREADS:-2} -c${BENCH_CONNS:-64} -d${BENCH_SECONDS:-10}s," \
		"medians of ${BENCH_ROUNDS:-3} alternating rounds; ngx_us/app_us: CPU microseconds" \
		"per request in nginx / the app, all its processes)"
	echo
}

# ------------------------------------------------------------ setup

mkdir -p "$BENCH_OUT"
printf '' >"$RESULTS"
printf '' >"$ROUNDS"
bench_build_hello || { echo "Bail out! cannot build $HELLO"; exit 1; }
th_init bench
# shellcheck disable=SC2034 # TH_* are read by lib.sh
{
	TH_DONE=1   # no TAP plan here

	TH_WORKERS=${BENCH_WORKERS:-2}
	TH_LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
	TH_NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1}
	TH_NGINX_ACCESS_LOG=off
}

cfg=$(th_write_config)
th_start_socialhub "$cfg" || { echo "Bail out! socialhub did not start"; exit 1; }
mkdir -p "$TH_DIR/nginx/html/static"
th_start_nginx "
        location /static/ { }
        location /hello/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$TH_DIR/hello.sock;
        }" || { echo "Bail out! nginx did not start"; exit 1; }

# The static file and the baseline body mirror socialhub's healthz bytes.
code=$("${TH_CURL[@]}" -o "$TH_DIR/nginx/html/static/healthz.json" -w '%{http_code}' \
	"$TH_BASE/social/healthz")
[ "$code" = 200 ] || { echo "Bail out! GET /social/healthz answered $code"; exit 1; }
nbytes=$(wc -c <"$TH_DIR/nginx/html/static/healthz.json")
chmod -R a+rX "$TH_DIR/nginx/html"

"$HELLO" -s "$TH_DIR/hello.sock" -w "${BENCH_WORKERS:-2}" -b "$nbytes" \
	2>>"$TH_DIR/hello.log" &
hello_pid=$!
th_register_pid "$hello_pid"
th_wait_socket "$TH_DIR/hello.sock" 5000 "$hello_pid" ||
	{ echo "Bail out! hello did not start"; exit 1; }

echo "# body $nbytes bytes; nginx workers $TH_NGINX_WORKERS; app workers ${BENCH_WORKERS:-2};" \
	"$(nproc) CPUs; scratch $TH_DIR"

# ------------------------------------------------------------ runs

# Odd rounds run the labels in this order, even rounds in reverse, so that
# a load that grows or fades during the run favours no label.
bench_round() {
	local round=$1 i
	local runs=(
		"static $TH_BASE/static/healthz.json"
		"baseline $TH_BASE/hello/x $hello_pid"
		# --- socialhub routes: add "LABEL URL $TH_SH_PID" lines here ---
		"social-healthz $TH_BASE/social/healthz $TH_SH_PID"
		"social-version $TH_BASE/social/version $TH_SH_PID"
	)
	for i in "${!runs[@]}"; do
		[ $((round % 2)) = 0 ] && i=$((${#runs[@]} - 1 - i))
		# shellcheck disable=SC2086 # LABEL URL [PID], split on spaces
		bench_run "$round" ${runs[$i]}
	done
}

for round in $(seq "${BENCH_ROUNDS:-3}"); do
	bench_round "$round"
done

# ------------------------------------------------------------ report

bench_summarize
bench_table
bench_ratio social-healthz baseline
bench_ratio social-healthz static
bench_ratio baseline static
bench_ratio social-version baseline

stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rev=$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo none)
awk -v s="$stamp" -v r="$rev" -F'\t' 'BEGIN { OFS = "\t" } { print s, r, $0 }' \
	"$RESULTS" >>"$HISTORY"
echo "# results: $RESULTS (history: $HISTORY, raw wrk output: $BENCH_OUT/wrk-*.txt)"

if [ "$BENCH_FAILED" != 0 ]; then
	echo "# some runs FAILED"
	th_diag_file "$TH_DIR/socialhub.log" 10
	exit 1
fi
exit 0

#!/usr/bin/env bash
# share_bench.sh: /share/{network} redirect throughput through a private
# nginx, with counting on, against the bare fcgi2 baseline (hello.c).
# Called by `make bench-share` (and `make bench`) as
#   tests/bench/share_bench.sh BUILD_DIR
#
# Runs (wrk -t2 -c64, BENCH_SECONDS each, after a short warm-up; every
# label BENCH_ROUNDS times, the labels alternated, each label's median kept):
#   baseline      hello.c, a 64-byte 200 answer (no routing, no work)
#   share-repeat  GET /share/x, one visitor network: the repeat path (a
#                 read finds the visitor's key of the day)
#   share-off     GET /share/x with counting = false (the redirect alone)
#   redis-repeat  share-repeat on a node with a `store` (redis-server)
#   baseline-lua  hello.c driven by the Lua script below (a new address per
#                 request costs wrk CPU on the same two cores)
#   share-unique  GET /share/x, a NEW visitor network on every request
#                 (nginx passes X-Bench-Addr as REMOTE_ADDR): every request
#                 is a new count (batched per worker: share_batch.h)
#   redis-unique  share-unique on the Redis node
# Prints req/s, p99 and the ratios, and beside them the CPU time the
# answering program (its master and workers) and nginx spent per request:
# on a machine shared with other work the CPU per request moves far less
# than req/s does. Exits 1 when share-repeat / baseline,
# share-unique / baseline-lua or (with redis-server) redis-repeat /
# baseline is below BENCH_MIN_RATIO (0.8). redis-unique (several Redis
# round trips per new visitor) is reported, not enforced: doc/share.md.
#
# Environment: BENCH_SECONDS (10) BENCH_ROUNDS (3) BENCH_CONNS (64) BENCH_THREADS (2)
#   BENCH_WORKERS (2) BENCH_MIN_RATIO (0.8) SOCIALHUB HELLO KEEP=1

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-${top_builddir:-$HERE/../..}}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
export SOCIALHUB=${SOCIALHUB:-$BUILD_DIR/socialhub}
# shellcheck source=tests/integration/lib.sh
. "$HERE/../integration/lib.sh"

HELLO=${HELLO:-$BUILD_DIR/tests/bench/hello}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}
MIN=${BENCH_MIN_RATIO:-0.8}

th_require_socialhub
th_require_cmd wrk curl cc pkg-config "$(th_find_nginx)"
if [ ! -x "$HELLO" ]; then
	mkdir -p "$(dirname "$HELLO")"
	# shellcheck disable=SC2046
	cc -O2 -o "$HELLO" "$HERE/hello.c" $(pkg-config --cflags --libs fcgi) ||
		{ echo "Bail out! cannot build $HELLO"; exit 1; }
fi
th_init share-bench
TH_DONE=1
TH_WORKERS=${BENCH_WORKERS:-2}
TH_LOG_LEVEL=warn
TH_NGINX_ACCESS_LOG=off
export TH_WORKERS TH_LOG_LEVEL TH_NGINX_ACCESS_LOG

# The unique runs make hundreds of thousands of visitors a day.
cfg=$(th_write_config "$TH_DIR/socialhub.conf" 'share { allowed_hosts = {"www.example.com"}
  count_max_daily_keys = 100000000 }')
th_start_socialhub "$cfg" || { echo "Bail out! socialhub did not start"; exit 1; }
# A second instance with counting off, on its own socket, mounted at /off.
off_sock=$TH_DIR/off.sock
off_cfg=$TH_DIR/off.conf
sed -e "s|unix:$TH_SOCK|unix:$off_sock|" -e 's|^mount .*|mount = "/off"|' \
	-e 's|^share {|share { counting = false|' "$cfg" >"$off_cfg"
"$SOCIALHUB" serve -c "$off_cfg" </dev/null 2>>"$TH_DIR/off.log" &
off_pid=$!
th_register_pid "$off_pid"
th_wait_socket "$off_sock" 5000 "$off_pid" || { echo "Bail out! second socialhub did not start"; exit 1; }

# A third counting in redis-server (when installed), mounted at /redis.
HAVE_REDIS=0
redis_sock=$TH_DIR/redis.sock
if command -v redis-server >/dev/null 2>&1; then
	rport=$(th_free_port)
	mkdir -p "$TH_DIR/redis" "$TH_DIR/rstate"
	redis-server --bind 127.0.0.1 --port "$rport" --dir "$TH_DIR/redis" --save "" \
		--appendonly no --daemonize no </dev/null >>"$TH_DIR/redis.out" 2>&1 &
	th_register_pid $!
	th_wait_port "$rport" 5000 $! || { echo "Bail out! redis-server did not start"; exit 1; }
	"$SOCIALHUB" keygen >"$TH_DIR/salt" && chmod 600 "$TH_DIR/salt"
	sed -e "s|unix:$TH_SOCK|unix:$redis_sock|" -e 's|^mount .*|mount = "/redis"|' \
		-e "s|^share {|share { count_salt_file = \"$TH_DIR/salt\"|" \
		-e "s|^state_dir .*|state_dir = \"$TH_DIR/rstate\"|" "$cfg" >"$TH_DIR/redis.conf"
	printf 'store { url = "redis://127.0.0.1:%s/0" }\n' "$rport" >>"$TH_DIR/redis.conf"
	"$SOCIALHUB" serve -c "$TH_DIR/redis.conf" </dev/null 2>>"$TH_DIR/rsh.log" &
	redis_node_pid=$!
	th_register_pid "$redis_node_pid"
	th_wait_socket "$redis_sock" 5000 "$redis_node_pid" || { echo "Bail out! Redis node did not start"; exit 1; }
	HAVE_REDIS=1
fi

"$HELLO" -s "$TH_DIR/hello.sock" -w "${BENCH_WORKERS:-2}" -b 64 2>>"$TH_DIR/hello.log" &
hello_pid=$!
th_register_pid "$hello_pid"
th_wait_socket "$TH_DIR/hello.sock" 5000 "$hello_pid" || { echo "Bail out! hello did not start"; exit 1; }

# fastcgi_params but REMOTE_ADDR and REQUEST_URI, which the unique runs
# set themselves: the address from a header, the path without its /u.
grep -v -E '^fastcgi_param +(REMOTE_ADDR|REQUEST_URI) ' /etc/nginx/fastcgi_params \
	>"$TH_DIR/params_u"
# loc PREFIX SOCKET: a plain location; uloc NAME SOCKET: /u/NAME/ for the
# unique runs, passed on as /NAME/ from the address in X-Bench-Addr.
loc() {
	printf '        location %s/ { include /etc/nginx/fastcgi_params; fastcgi_pass unix:%s; }\n' "$1" "$2"
}
uloc() {
	printf '        location /u/%s/ { rewrite ^/u(/.*)$ $1 break; include %s;
            fastcgi_param REQUEST_URI $uri$is_args$args;
            fastcgi_param REMOTE_ADDR $http_x_bench_addr; fastcgi_pass unix:%s; }\n' \
		"$1" "$TH_DIR/params_u" "$2"
}
locs="$(loc /hello "$TH_DIR/hello.sock")
$(loc /off "$off_sock")
$(uloc hello "$TH_DIR/hello.sock")
$(uloc social "$TH_SOCK")"
if [ "$HAVE_REDIS" = 1 ]; then
	locs+="
$(loc /redis "$redis_sock")
$(uloc redis "$redis_sock")"
fi
th_start_nginx "$locs" || { echo "Bail out! nginx did not start"; exit 1; }

# Every request a new visitor network: X-Bench-Addr BASE.B.C.1 with B.C
# counting up per thread (a /24 of its own each, 65536 per thread and run);
# BASE (the script's argument) differs per run and thread, so no run meets
# another's visitors.
cat >"$TH_DIR/unique.lua" <<'LUA'
local counter = 0
function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
end
function init(args)
	base = tonumber(args[1] or "11") + tid
	n = 0
end
function request()
	n = n + 1
	local addr = base .. "." .. (math.floor(n / 256) % 256) .. "." .. (n % 256) .. ".1"
	return wrk.format(nil, nil, { ["X-Bench-Addr"] = addr, ["User-Agent"] = "share-bench" })
end
LUA
BASE=11
next_base() {
	NB=$BASE
	BASE=$((BASE + THREADS))
	[ "$BASE" -lt 250 ] || BASE=11
}

Q='url=https%3A%2F%2Fwww.example.com%2Fnews%2Fbench&title=Bench%20%26%20more'
declare -A RPS P99 ALL CPU ALLCPU
# ticks PID: CPU clock ticks (user + system) of PID and its children.
ticks() {
	local t=0 p
	for p in "$1" $(ps -o pid= --ppid "$1"); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# server LABEL: the pid of the program that answers LABEL's requests.
server() {
	case $1 in
	baseline*) echo "$hello_pid" ;;
	share-off) echo "$off_pid" ;;
	redis-*) echo "$redis_node_pid" ;;
	*) echo "$TH_SH_PID" ;;
	esac
}
HZ=$(getconf CLK_TCK)
run() {
	# wrk sends no User-Agent by default, and a share without one is not
	# counted (should_count): every run says it is a browser.
	local label=$1 url=$2 script=${3:-} out=$TH_DIR/wrk-$1.txt args=(-H 'User-Agent: share-bench')
	local warm=() main=()
	if [ -n "$script" ]; then
		args=(-s "$script")      # the script sets the User-Agent
		next_base
		warm=(-- "$NB")
		next_base
		main=(-- "$NB")
	fi
	local srv a0 a1 n0 n1 reqs
	srv=$(server "$label")
	wrk -t"$THREADS" -c"$CONNS" -d1s "${args[@]}" "$url" "${warm[@]}" >/dev/null 2>&1
	a0=$(ticks "$srv") n0=$(ticks "$TH_NGINX_PID")
	wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "${args[@]}" "$url" "${main[@]}" >"$out" 2>&1
	a1=$(ticks "$srv") n1=$(ticks "$TH_NGINX_PID")
	reqs=$(awk '/ requests in / { print $1 }' "$out")
	CPU[$label]=$(awk -v a=$((a1 - a0)) -v n=$((n1 - n0)) -v r="${reqs:-0}" -v hz="$HZ" \
		'BEGIN { if (r > 0) printf "%.1f %.1f", a * 1e6 / hz / r, n * 1e6 / hz / r; else print "0 0" }')
	ALLCPU[$label]="${ALLCPU[$label]:-} ${CPU[$label]%% *}"
	RPS[$label]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	ALL[$label]="${ALL[$label]:-} ${RPS[$label]}"
	P99[$label]=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out")
	bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	printf '%-14s %10s req/s   p99 %-9s cpu/req: %5s us app, %5s us nginx %s\n' "$label" \
		"${RPS[$label]}" "${P99[$label]}" "${CPU[$label]%% *}" "${CPU[$label]#* }" \
		"${bad:+($bad non-2xx/3xx!)}"
	[ -z "$bad" ] || FAILED=1
}
# median LABEL: the median of its runs, into RPS[LABEL].
median() {
	RPS[$1]=$(printf '%s\n' ${ALL[$1]} | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	CPU[$1]=$(printf '%s\n' ${ALLCPU[$1]} | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	echo "# $1 median of${ALL[$1]}: ${RPS[$1]} req/s; app CPU per request, median of${ALLCPU[$1]}: ${CPU[$1]} us"
}

FAILED=0
for p in /social /off /u/social; do
	code=$(curl -s --noproxy '*' -H 'X-Bench-Addr: 10.0.0.1' -A share-bench -o /dev/null \
		-w '%{http_code} %header{x-socialhub-count}' "$TH_BASE$p/share/x?$Q")
	case $code in "302 counted" | "302 seen" | "302 ") ;; *) echo "Bail out! $p/share/x: $code"; exit 1 ;; esac
done
if [ "$HAVE_REDIS" = 1 ]; then
	for p in /redis /u/redis; do
		code=$(curl -s --noproxy '*' -H 'X-Bench-Addr: 10.0.0.2' -A share-bench -o /dev/null \
			-w '%{http_code} %header{x-socialhub-count}' "$TH_BASE$p/share/x?$Q")
		case $code in "302 counted" | "302 seen") ;; *) echo "Bail out! $p/share/x: $code"; exit 1 ;; esac
	done
fi

echo "# wrk -t$THREADS -c$CONNS -d${SECS}s; socialhub and hello workers ${BENCH_WORKERS:-2}; $(nproc) CPUs"
LABELS="baseline share-repeat share-off baseline-lua share-unique"
[ "$HAVE_REDIS" = 1 ] && LABELS+=" redis-repeat redis-unique"
# The machine is shared: alternate the runs, keep each label's median.
for _ in $(seq "${BENCH_ROUNDS:-3}"); do
	run baseline "$TH_BASE/hello/x"
	run share-repeat "$TH_BASE/social/share/x?$Q"
	run share-off "$TH_BASE/off/share/x?$Q"
	[ "$HAVE_REDIS" = 1 ] && run redis-repeat "$TH_BASE/redis/share/x?$Q"
	run baseline-lua "$TH_BASE/u/hello/x" "$TH_DIR/unique.lua"
	run share-unique "$TH_BASE/u/social/share/x?$Q" "$TH_DIR/unique.lua"
	[ "$HAVE_REDIS" = 1 ] && run redis-unique "$TH_BASE/u/redis/share/x?$Q" "$TH_DIR/unique.lua"
done
for l in $LABELS; do median "$l"; done

total=$(curl -s --noproxy '*' "$TH_BASE/social/share/counts?url=https%3A%2F%2Fwww.example.com%2Fnews%2Fbench")
echo "# counts after the runs: $total"
# ratio LABEL BASE [enforce]
ratio() {
	local r
	r=$(awk -v a="${RPS[$1]}" -v b="${RPS[$2]}" 'BEGIN { printf "%.2f", a / b }')
	echo "# $1 / $2: $r (app CPU per request: $(awk -v a="${CPU[$1]}" -v b="${CPU[$2]}" \
		'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }') the baseline's)"
	if [ -n "${3:-}" ] && awk -v r="$r" -v m="$MIN" 'BEGIN { exit !(r < m) }'; then
		echo "# $1 is below ${MIN}x $2"
		FAILED=1
	fi
}
ratio share-repeat baseline enforce
ratio share-off baseline
ratio share-unique baseline-lua enforce
if [ "$HAVE_REDIS" = 1 ]; then
	ratio redis-repeat baseline enforce
	ratio redis-unique baseline-lua
	echo "# counts in Redis after the runs: $(curl -s --noproxy '*' \
		"$TH_BASE/redis/share/counts?url=https%3A%2F%2Fwww.example.com%2Fnews%2Fbench")"
fi
[ "${KEEP:-0}" = 1 ] && echo "# scratch $TH_DIR"
exit "$FAILED"

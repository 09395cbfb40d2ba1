#!/usr/bin/env bash
# widgets_bench.sh: the stream JSON fast paths, in one run, and worker memory.
# Called by `make bench-widgets` (and `make bench`) as
#   tests/bench/widgets_bench.sh BUILD_DIR
#
# One nginx (1 worker) with two servers:
#   :P1  the SHIPPED snippet deploy/nginx/socialhub.conf (socket path
#        substituted) and deploy/nginx/socialhub-cache.conf: /social/streams/
#        is answered from nginx's fastcgi_cache; plus /static/brand.json, the
#        same bytes as a static file
#   :P2  a plain /social/ location (no cache: every request reaches the
#        socialhub worker, which serves its pre-rendered page from memory)
#        and /hello/, the bare fcgi2 baseline (tests/bench/hello.c) with a
#        body of the same size
# Runs (wrk -t2 -c64, BENCH_SECONDS each, BENCH_ROUNDS rounds alternating,
# medians):
#   static   nginx, the page as a file             cached   the shipped cache
#   baseline hello.c, same body size               direct   socialhub itself
# Then memory: 10 streams of 200 items each, every format, layout and a
# paged request of each stream, and the VmRSS of every sh-worker.
# Exits 1 when cached/static < 0.9, direct/baseline < 0.85 or a worker's RSS
# reaches 16 MB (BENCH_MIN_CACHED, BENCH_MIN_DIRECT, BENCH_MAX_RSS_KB).
#
# Environment: BENCH_SECONDS (8) BENCH_ROUNDS (3) BENCH_CONNS (64)
#   BENCH_THREADS (2) BENCH_WORKERS (2) SOCIALHUB HELLO KEEP=1

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-${top_builddir:-$HERE/../..}}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
export SOCIALHUB=${SOCIALHUB:-$BUILD_DIR/socialhub}
# shellcheck source=tests/integration/lib.sh
. "$HERE/../integration/lib.sh"

HELLO=${HELLO:-$BUILD_DIR/tests/bench/hello}
SECS=${BENCH_SECONDS:-8}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}
MIN_CACHED=${BENCH_MIN_CACHED:-0.9}
MIN_DIRECT=${BENCH_MIN_DIRECT:-0.85}
MAX_RSS_KB=${BENCH_MAX_RSS_KB:-16384}

th_require_socialhub
th_require_cmd wrk curl cc pkg-config "$(th_find_nginx)"
if [ ! -x "$HELLO" ]; then
	mkdir -p "$(dirname "$HELLO")"
	cc -O2 -Wall -o "$HELLO" "$HERE/hello.c" $(pkg-config --cflags --libs fcgi) ||
		{ echo "Bail out! cannot build $HELLO"; exit 1; }
fi
th_init widgets-bench
TH_DONE=1   # no TAP plan: a report
TH_WORKERS=${BENCH_WORKERS:-2}
# shellcheck source=tests/integration/widgets_env.sh
. "$TH_LIB_DIR/widgets_env.sh"
P2=$(th_free_port) || th_bail "no second port"
NG=$TH_DIR/nginx
FAILED=0

# ---------------------------------------------------------------- nginx

# The shipped snippets, with this scratch dir's socket and cache folder.
shipped() {
	sed -e "s|unix:/run/socialhub/socialhub.sock|unix:$TH_SOCK|" \
	    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
	    -e "s|/usr/share/socialhub/embed/|$TH_SRCDIR/widgets/embed/|" \
	    "$TH_SRCDIR/deploy/nginx/socialhub.conf"
}

write_nginx() {
	mkdir -p "$NG/html/static" "$NG/cache"
	chmod 0777 "$NG/cache"
	th_nginx_conf "$NG" "    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    types { application/json json; }
$(sed "s|/var/cache/nginx/socialhub|$NG/cache|" "$TH_SRCDIR/deploy/nginx/socialhub-cache.conf")
    server {
        listen 127.0.0.1:$TH_PORT;
        root $NG/html;
        location /static/ { }
$(we_nginx_extra)
$(shipped)
    }
    server {
        listen 127.0.0.1:$P2;
        location /social/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$TH_SOCK;
        }
        location /hello/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$TH_DIR/hello.sock;
        }
    }"
}

start_nginx() {
	th_run_nginx "$NG" "$TH_PORT" || th_bail "nginx did not start with the shipped snippet"
	TH_NGINX_PID=$TH_LAST_PID
}

# ---------------------------------------------------------------- wrk

declare -A RPS
run() {   # run LABEL URL
	local out=$TH_DIR/wrk-$1-$2.txt rps
	wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$3" >"$out" 2>&1
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	if grep -q 'Non-2xx' "$out" || [ -z "$rps" ]; then
		echo "# $1: errors, see $out" >&2
		FAILED=1
	fi
	RPS[$1]="${RPS[$1]:-} ${rps:-0}"
	printf '# round %s %-8s %10.0f req/s  p99 %s\n' "$2" "$1" "${rps:-0}" \
		"$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out")"
}

median() {
	tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# ---------------------------------------------------------------- throughput

we_setup_feeds
we_config
write_nginx
start_nginx
we_refresh || th_bail "refresh failed: $(cat "$TH_DIR/refresh.out")"
th_start_socialhub "$WE_CFG" || th_bail "socialhub did not start"

url_cached=$TH_BASE/social/streams/brand.json
url_direct=http://127.0.0.1:$P2/social/streams/brand.json
"${TH_CURL[@]}" -o "$NG/html/static/brand.json" "$url_direct" || th_bail "no stream JSON"
nbytes=$(wc -c <"$NG/html/static/brand.json")
chmod -R a+rX "$NG/html"
"$HELLO" -s "$TH_DIR/hello.sock" -w "$TH_WORKERS" -b "$nbytes" 2>>"$TH_DIR/hello.log" &
hello_pid=$!
th_register_pid "$hello_pid"
th_wait_socket "$TH_DIR/hello.sock" 5000 "$hello_pid" || th_bail "hello did not start"

"${TH_CURL[@]}" -o /dev/null "$url_cached"
status=$("${TH_CURL[@]}" -D - -o "$TH_DIR/cached.body" "$url_cached" | tr -d '\r' |
	awk -F': ' 'tolower($1) == "x-cache-status" { print $2 }')
cmp -s "$TH_DIR/cached.body" "$NG/html/static/brand.json" ||
	{ echo "# the cached answer differs from the page"; FAILED=1; }
echo "# stream JSON $nbytes bytes; nginx cache: $status; socialhub workers $TH_WORKERS;" \
	"$(nproc) CPUs; scratch $TH_DIR"
[ "$status" = HIT ] || { echo "# expected X-Cache-Status HIT, got '$status'"; FAILED=1; }

for url in "$TH_BASE/static/brand.json" "$url_cached" "http://127.0.0.1:$P2/hello/x" "$url_direct"; do
	wrk -t"$THREADS" -c"$CONNS" -d1s "$url" >/dev/null 2>&1
done
for r in $(seq "$ROUNDS"); do
	run static "$r" "$TH_BASE/static/brand.json"
	run cached "$r" "$url_cached"
	run baseline "$r" "http://127.0.0.1:$P2/hello/x"
	run direct "$r" "$url_direct"
done
s=$(median "${RPS[static]}") c=$(median "${RPS[cached]}")
b=$(median "${RPS[baseline]}") d=$(median "${RPS[direct]}")
rc=$(awk -v a="$c" -v b="$s" 'BEGIN { printf "%.2f", a / b }')
rd=$(awk -v a="$d" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
printf '\n%-9s %10s\n' label 'req/s (median)'
printf '%-9s %10.0f\n' static "$s" cached "$c" baseline "$b" direct "$d"
printf '\ncached/static   %s (need >= %s)\ndirect/baseline %s (need >= %s)\n' \
	"$rc" "$MIN_CACHED" "$rd" "$MIN_DIRECT"
awk -v r="$rc" -v m="$MIN_CACHED" 'BEGIN { exit !(r >= m) }' || FAILED=1
awk -v r="$rd" -v m="$MIN_DIRECT" 'BEGIN { exit !(r >= m) }' || FAILED=1

# ---------------------------------------------------------------- memory

th_stop "$TH_SH_PID"
big=$NG/html/feeds
streams=
for s in $(seq 10); do
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
		echo "<title>Bench feed $s</title><link>https://blog.example/$s/</link><description>x</description>"
		now=$(date +%s)
		for i in $(seq 200); do
			d=$(LC_ALL=C date -u -d "@$((now - i * 600 - s))" '+%a, %d %b %Y %H:%M:%S +0000')
			echo "<item><title>Post $i of feed $s</title><link>https://blog.example/$s/$i</link>"
			echo "<guid>https://blog.example/$s/$i</guid><pubDate>$d</pubDate><category>tag$((i % 7))</category>"
			echo "<description>Summary of post $i in feed $s, a sentence or two of text.</description>"
			echo "<content:encoded><![CDATA[<p>Post $i of feed $s. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. <a href=\"https://blog.example/\">A link</a>.</p><p><img src=\"$TH_BASE/feeds/img/blog-$((i % 3 + 1)).webp\" alt=\"Picture $i\"></p><p>Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>]]></content:encoded></item>"
		done
		echo "</channel></rss>"
	} >"$big/big-$s.rss"
	streams="$streams
stream s$s { title = \"Stream $s\" source feed { url = \"$TH_BASE/feeds/big-$s.rss\" } max_items = 200 }"
done
chmod -R a+rX "$big"
rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
th_write_config "$WE_CFG" "$streams" >/dev/null
we_refresh || th_bail "refresh of the 10 streams failed: $(tail -n 5 "$TH_DIR/refresh.out")"
th_start_socialhub "$WE_CFG" || th_bail "socialhub did not start (10 streams)"
for round in 1 2; do
	for s in $(seq 10); do
		base=http://127.0.0.1:$P2/social/streams/s$s
		for u in "$base.json" "$base.as2" "$base.atom" "$base.html" "$base.html?layout=grid" \
			"$base.html?layout=carousel" "$base.json?limit=100" "$base.json?tag=tag3" \
			"http://127.0.0.1:$P2/social/profiles/s$s.html"; do
			"${TH_CURL[@]}" -o "$TH_DIR/mem.body" "$u" || FAILED=1
		done
		next=$(grep -o '"next_url":"[^"]*"' "$TH_DIR/mem.body" | head -n 1)
		"${TH_CURL[@]}" -o /dev/null "$base.json?limit=100&before=$(
			"${TH_CURL[@]}" "$base.json?limit=100" | grep -o 'before=[A-Za-z0-9_-]*' | head -n 1 | cut -d= -f2)"
		: "$next"
	done
done
items=$("${TH_CURL[@]}" "http://127.0.0.1:$P2/social/streams" | grep -o '"items":200' | wc -l)
echo
echo "# memory: 10 streams, $items of them with 200 items; every format, layout and page requested twice"
max=0
for pid in $(th_children "$TH_SH_PID"); do
	name=$(cat "/proc/$pid/comm" 2>/dev/null)
	kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	printf '%-12s pid %-7s VmRSS %6s kB  VmHWM %6s kB\n' "$name" "$pid" "$kb" "$hwm"
	if [ "$name" = sh-worker ] && [ "${hwm:-0}" -gt "$max" ]; then
		max=$hwm
	fi
done
printf 'largest worker peak RSS %s kB (need < %s kB)\n' "$max" "$MAX_RSS_KB"
[ "$items" = 10 ] || { echo "# not every stream has 200 items"; FAILED=1; }
[ "$max" -gt 0 ] && [ "$max" -lt "$MAX_RSS_KB" ] || FAILED=1

[ "$FAILED" = 0 ] || { echo "# widgets bench FAILED"; th_diag_file "$TH_DIR/socialhub.log" 10; exit 1; }
echo "# widgets bench passed"
exit 0

#!/usr/bin/env bash
# test_cluster_refresh.sh: one fetch per source across three socialhub
# nodes (each its own cache and state dirs) on one redis-server, behind one
# nginx with a port per node:
#   (a) 30 fixture sources (every hour): the fixture sees each fetched once in the
#       interval (not three times);
#   (b) a slow source added by a reload of every node; kill -9 of the node
#       holding its lease in mid-fetch (as soon as its request arrives, so
#       no timing of the machine's load decides it): another node fetches
#       it within one interval (its lease expires);
#   (c) the surviving nodes serve the same stream bytes and the same ETag
#       (.json, .html, .atom);
#   (d) redis-server stopped: each node fetches for itself (logged once),
#       the widgets keep answering 200.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

th_require_socialhub
th_require_cmd curl redis-server redis-cli sha256sum /usr/bin/python3 "$(th_find_nginx)"
th_init cluster-refresh
st_start_fixture || th_bail "fixture server did not start"

P1=$(th_free_port) && P2=$(th_free_port) && P3=$(th_free_port) ||
	th_bail "no free port"
PORTS=("$P1" "$P2" "$P3")
NSRC=30
# An 18 s answer, trickled over the fetcher's low-speed limit and under
# its 20 s total: still running when (b) kills its holder right after its
# request arrives (the kill is checked to have come first).
SLOW_URL="$FIX/feed?id=slow&n=3&trickle=18000"
KEY=$(printf '%s' "$SLOW_URL" | sha256sum | cut -c1-32)

th_start_redis

SOURCES= SLOW_SRC=
for i in $(seq 1 $NSRC); do
	SOURCES+="  source s$i { url = \"$FIX/feed?id=s$i&n=3&etag=e$i\"  every = 1h }
"
done

node_config() {
	local n=$1 d=$TH_DIR/node$1
	mkdir -p "$d/cache" "$d/state"
	cat >"$d/socialhub.conf" <<EOF
listen      = "unix:$TH_DIR/node$n.sock"
listen_mode = "0666"
workers     = 1
site_url    = "http://127.0.0.1:$TH_PORT"
mount       = "/social"
cache_dir   = "$d/cache"
state_dir   = "$d/state"
fetch_allow_private = true
share { counting = false }
stream wall {
  title = "Cluster wall"
$SOURCES$SLOW_SRC
  max_items = 200
}
store { url = "redis://127.0.0.1:$RPORT/0"  prefix = "cr:"  timeout_ms = 200
  breaker_failures = 2  breaker_cooldown_ms = 1000 }
EOF
	printf '%s\n' "$d/socialhub.conf"
}

declare -A NODE_PID
start_node() {
	local n=$1 cfg
	cfg=$(node_config "$n")
	"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/check$n.out" 2>&1 ||
		th_bail "check-config refused node $n: $(cat "$TH_DIR/check$n.out")"
	"$SOCIALHUB" serve -c "$cfg" </dev/null >>"$TH_DIR/node$n.out" 2>>"$TH_DIR/node$n.log" &
	NODE_PID[$n]=$!
	th_register_pid $!
	TH_DIAG_FILES+=("$TH_DIR/node$n.log")
}
for n in 1 2 3; do start_node "$n"; done
for n in 1 2 3; do
	th_wait_socket "$TH_DIR/node$n.sock" 5000 "${NODE_PID[$n]}" || th_bail "node $n did not start"
done

th_start_cluster_nginx "$P1" "$P2" "$P3"

# fetches ID: how many answered requests the fixture logged for source ID.
fetches() {
	st_requests "/feed?id=$1&" | wc -l
}
# fetch_counts: "ID COUNT" for every source s1..sN the fixture answered
# (one pass over the log: the test polls it).
fetch_counts() {
	st_requests '/feed?id=s' | sed -n 's/.*"path": "\/feed?id=\(s[0-9]*\)&.*/\1/p' | sort | uniq -c
}
# items PORT: the item count /streams reports for the wall on that node.
items() {
	curl -s --max-time 5 "http://127.0.0.1:$1/social/streams" | /usr/bin/python3 -c '
import json, sys
try:
    print(json.load(sys.stdin)["streams"][0]["items"])
except Exception:
    print("-")'
}

# ------------------------------------------------------- (a) one fetch each

for _ in $(seq 300); do
	[ "$(fetch_counts | wc -l)" = "$NSRC" ] && break
	sleep 0.1
done
# Give the other nodes' passes (every second while a source is busy) time
# to fetch what they should not.
sleep 2
once=$(fetch_counts | awk '$1 == 1' | wc -l)
more=$(fetch_counts | awk '$1 != 1 { printf " %s=%s", $2, $1 }')
th_diag "(a) $once of $NSRC sources fetched exactly once${more:+; others:$more}"
th_check "(a) each of the $NSRC sources fetched once across 3 nodes, not 3 times" [ "$once" = "$NSRC" ]

# ------------------------------------------------------- (b) kill -9 holder

# Every node reloads with the slow source added; its request arrives (the
# answer takes 18 s) and some node's refresher holds its lease.
SLOW_SRC="  source slow { url = \"$SLOW_URL\"  every = 1m }
"
for n in 1 2 3; do
	node_config "$n" >/dev/null
	kill -HUP "${NODE_PID[$n]}"
done
for _ in $(seq 300); do
	[ "$(st_arrivals '/feed?id=slow&' | wc -l)" -ge 1 ] && break
	sleep 0.1
done
th_check "(b) the slow source's fetch started after the reload" \
	[ "$(st_arrivals '/feed?id=slow&' | wc -l)" -ge 1 ]
arrived_ms=$(th_now_ms)
holder=
for _ in $(seq 50); do
	holder=$(redis-cli -p "$RPORT" --raw GET "cr:refresh:lease:$KEY")
	[ -n "$holder" ] && break
	sleep 0.1
done
th_check "(b) a refresher holds the slow source's lease ('$holder')" test -n "$holder"
hpid=$(printf '%s' "$holder" | cut -d: -f2)
victim=
for n in 1 2 3; do
	for c in $(th_children "${NODE_PID[$n]}"); do
		[ "$c" = "$hpid" ] && victim=$n
	done
done
th_diag "(b) the slow source's lease: '$holder' (node ${victim:-?})"
[ -n "$victim" ] || th_bail "no node's refresher holds the slow source's lease"
arrivals=$(st_arrivals '/feed?id=slow&' | wc -l)
th_diag "(b) killing node $victim $(($(th_now_ms) - arrived_ms)) ms after its 18 s fetch was seen"
# The whole node at once, as a power cut would: master, workers, refresher.
kill -KILL "${NODE_PID[$victim]}" $(th_children "${NODE_PID[$victim]}") 2>/dev/null
if grep -q "event=fetch_ok.*source=slow" "$TH_DIR/node$victim.log"; then
	th_not_ok "(b) the holder was killed in mid-fetch" "its fetch had finished: the test proves nothing"
else
	th_ok "(b) the holder was killed in mid-fetch"
fi
kill_ms=$(th_now_ms)
took=-
for _ in $(seq 600); do
	if [ "$(st_arrivals '/feed?id=slow&' | wc -l)" -gt "$arrivals" ]; then
		took=$(($(th_now_ms) - kill_ms))
		break
	fi
	sleep 0.1
done
th_diag "(b) another node fetched the slow source ${took} ms after the kill"
th_check "(b) another node fetches the dead node's source within one interval (60 s)" \
	test "$took" != - -a "${took/-/60000}" -lt 60000

# ------------------------------------------------------- (c) same bytes

SURV=()
for n in 1 2 3; do [ "$n" != "$victim" ] && SURV+=("${PORTS[n - 1]}"); done
want=$(((NSRC + 1) * 3))
for _ in $(seq 200); do
	a=$(items "${SURV[0]}") b=$(items "${SURV[1]}")
	[ "$a" = "$want" ] && [ "$b" = "$want" ] && break
	sleep 0.2
done
th_diag "(c) items on the surviving nodes: $a $b (want $want)"
th_check "(c) both surviving nodes merged all $((NSRC + 1)) sources" test "$a" = "$want" -a "$b" = "$want"
# Publishing follows the merge in the same pass: give it a moment.
sleep 2
for ext in json html atom; do
	for p in "${SURV[@]}"; do
		curl -s -D "$TH_DIR/h$p.$ext" -o "$TH_DIR/b$p.$ext" --max-time 5 \
			"http://127.0.0.1:$p/social/streams/wall.$ext"
	done
	e0=$(grep -i '^etag:' "$TH_DIR/h${SURV[0]}.$ext" | tr -d '\r')
	e1=$(grep -i '^etag:' "$TH_DIR/h${SURV[1]}.$ext" | tr -d '\r')
	th_diag "(c) .$ext: $e0 / $e1"
	if [ -n "$e0" ] && [ "$e0" = "$e1" ] && cmp -s "$TH_DIR/b${SURV[0]}.$ext" "$TH_DIR/b${SURV[1]}.$ext"; then
		th_ok "(c) /streams/wall.$ext: the same bytes and ETag on both nodes"
	else
		th_not_ok "(c) /streams/wall.$ext: the same bytes and ETag on both nodes" "$e0 vs $e1"
		diff <(head -c 3000 "$TH_DIR/b${SURV[0]}.$ext") <(head -c 3000 "$TH_DIR/b${SURV[1]}.$ext") |
			head -10 | sed 's/^/# /'
	fi
done
# The killed node comes back and takes what the others fetched.
start_node "$victim"
th_wait_socket "$TH_DIR/node$victim.sock" 5000 "${NODE_PID[$victim]}" || th_bail "node $victim did not restart"
before=$(st_requests '/feed?id=s' | wc -l)
for _ in $(seq 100); do
	[ "$(items "${PORTS[victim - 1]}")" = "$want" ] && break
	sleep 0.2
done
sleep 1
curl -s -D "$TH_DIR/hr.json" -o "$TH_DIR/br.json" --max-time 5 \
	"http://127.0.0.1:${PORTS[victim - 1]}/social/streams/wall.json"
th_check "(c) the restarted node serves the same bytes without fetching" \
	cmp -s "$TH_DIR/br.json" "$TH_DIR/b${SURV[0]}.json"
th_check "(c) ... and made no request to the sources" [ "$(st_requests '/feed?id=s' | wc -l)" = "$before" ]

# ------------------------------------------------------- (d) Redis down

th_stop "$REDIS_PID"
# New sources would be due in a minute: a forced refresh stands in for that.
"$SOCIALHUB" refresh --force -c "$TH_DIR/node${victim}/socialhub.conf" >"$TH_DIR/refresh-down.out" \
	2>"$TH_DIR/refresh-down.log"
th_diag "(d) refresh with Redis down: exit $?, $(grep -c 'fetch_ok' "$TH_DIR/refresh-down.log") fetch_ok lines"
th_check "(d) with Redis down a node fetches for itself (every source fetched)" \
	[ "$(grep -c 'fetch_ok' "$TH_DIR/refresh-down.log")" = $((NSRC + 1)) ]
th_check "(d) ... and says so once" [ "$(grep -c 'refresh_store_down' "$TH_DIR/refresh-down.log")" = 1 ]
codes=
for p in "${SURV[@]}" "${PORTS[victim - 1]}"; do
	codes+=$(curl -s -o /dev/null -w '%{http_code} ' --max-time 5 "http://127.0.0.1:$p/social/streams/wall.html")
done
th_check "(d) every node serves its stream with Redis down ($codes)" [ "$codes" = "200 200 200 " ]
th_done

#!/usr/bin/env bash
# test_cluster.sh: three socialhub nodes (each its own cache and state
# dirs and unix socket) on one redis-server (127.0.0.1, a private port and
# dir, AOF on, stopped by PID) behind one nginx whose upstream lists the
# three sockets (and one port per node to reach each alone):
#   (a) 1,000 share clicks from 100 visitor networks (curl --interface
#       127.X.Y.1), spread by nginx: every node reports the same count;
#   (b) a sign-in started on node 1 finishes on node 2; its callback
#       replayed on node 3 is refused as a replay (the local oidc-provider);
#   (c) redis-server stopped CLUSTER_OUTAGE_S (30) s during clicks and
#       under wrk load (button bars, /streams, embed.js, /auth/check): no
#       click, widget or /auth/check fails (wrk: 0 non-2xx/3xx, /auth/check
#       204 throughout), login start says 503, and once Redis is back every
#       node counts the clicks made during the outage.
# CLUSTER_NO_STORE=1 runs (a) and (b) on nodes without a `store` section
# (what a release without it does: each node counts and checks alone).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl redis-server /usr/bin/python3 "$(th_find_nginx)"
th_init cluster
JS=$TH_SRCDIR/tests/js
NO_STORE=${CLUSTER_NO_STORE:-0}
HAVE_OP=0
if command -v node >/dev/null 2>&1 && [ -d "$JS/node_modules/oidc-provider" ]; then
	HAVE_OP=1
fi

RPORT=$(th_free_port) && P1=$(th_free_port) && P2=$(th_free_port) && P3=$(th_free_port) ||
	th_bail "no free port"
PORTS=("$P1" "$P2" "$P3")
U1='https%3A%2F%2Fwww.example.com%2Fcluster-a'
U2='https%3A%2F%2Fwww.example.com%2Fcluster-c'


"$SOCIALHUB" keygen >"$TH_DIR/session.key" && "$SOCIALHUB" keygen >"$TH_DIR/share.salt" ||
	th_bail "keygen failed"
chmod 600 "$TH_DIR/session.key" "$TH_DIR/share.salt"

PROVIDER=
if [ "$HAVE_OP" = 1 ]; then
	th_spawn op node "$JS/op.mjs" --ready-file "$TH_DIR/op.ready" \
		--redirect "$TH_BASE/social/auth/callback/demo"
	th_wait_file "$TH_DIR/op.ready" 20000 "$TH_LAST_PID" || th_bail "op.mjs did not start"
	ISS=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer)' \
		"$TH_DIR/op.ready")
	PROVIDER="provider demo { issuer = \"$ISS\"  client_id = \"demo\"  client_secret = \"demo-secret-change-me\" }"
fi
STORE="store { url = \"redis://127.0.0.1:$RPORT/0\"  prefix = \"cluster:\"  timeout_ms = 200
  breaker_failures = 2  breaker_cooldown_ms = 1000 }"
[ "$NO_STORE" = 1 ] && STORE=

th_start_redis --aof      # the outage below restarts it on its port, data kept

# node_config N: the config of node N (its own dirs and socket).
node_config() {
	local n=$1 d=$TH_DIR/node$1
	mkdir -p "$d/cache" "$d/state"
	cat >"$d/socialhub.conf" <<EOF
listen      = "unix:$TH_DIR/node$n.sock"
listen_mode = "0666"
workers     = 2
site_url    = "http://127.0.0.1:$TH_PORT"
mount       = "/social"
cache_dir   = "$d/cache"
state_dir   = "$d/state"
metrics_allow = {"127.0.0.1"}
session { secret_file = "$TH_DIR/session.key"  lifetime = 8h }
$PROVIDER
share {
  allowed_hosts = {"www.example.com"}
  networks = {"x", "facebook", "email"}
  count_salt_file = "$TH_DIR/share.salt"
}
$STORE
EOF
	printf '%s\n' "$d/socialhub.conf"
}

for n in 1 2 3; do
	cfg=$(node_config "$n")
	"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/check$n.out" 2>&1 ||
		th_bail "check-config refused node $n: $(cat "$TH_DIR/check$n.out")"
	"$SOCIALHUB" serve -c "$cfg" </dev/null >>"$TH_DIR/node$n.out" 2>>"$TH_DIR/node$n.log" &
	th_register_pid $!
	TH_DIAG_FILES+=("$TH_DIR/node$n.log")
	th_wait_socket "$TH_DIR/node$n.sock" 5000 $! || th_bail "node $n did not start"
done

th_start_cluster_nginx "$P1" "$P2" "$P3"

# total PORT URL: the total /share/counts of URL on the node behind PORT
# ("-" when it does not answer 200).
total() {
	curl -s --max-time 5 -w '\n%{http_code}' "http://127.0.0.1:$1/social/share/counts?url=$2" |
		/usr/bin/python3 -c 'import json, sys
body, _, code = sys.stdin.read().rpartition("\n")
print(json.loads(body)["total"] if code == "200" else "-")'
}

# ---------------------------------------------------------------- (a) counts

# 100 networks (127.10.N.1, each its own /24), 10 clicks each: x, facebook,
# email, repeated; per_url_daily (3) of each network's count. Four curls
# at once, each a config of 250 requests through the shared upstream.
for part in 0 1 2 3; do
	: >"$TH_DIR/a$part.cfg"
	for round in 0 1 2 3 4 5 6 7 8 9; do
		case $((round % 3)) in 0) net=x ;; 1) net=facebook ;; *) net=email ;; esac
		for i in $(seq $((part * 25 + 1)) $((part * 25 + 25))); do
			printf 'url = "%s/social/share/%s?url=%s"\ninterface = "127.10.%d.1"\nuser-agent = "cluster-test"\nmax-time = 5\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%header{x-socialhub-count}\\n"\nnext\n' \
				"$TH_BASE" "$net" "$U1" "$i" >>"$TH_DIR/a$part.cfg"
		done
	done
done
start_ms=$(th_now_ms)
curls=()
for part in 0 1 2 3; do
	curl -s -K "$TH_DIR/a$part.cfg" >"$TH_DIR/a$part.out" 2>/dev/null &
	curls+=($!)
done
wait "${curls[@]}"
cat "$TH_DIR"/a?.out >"$TH_DIR/a.out"
th_diag "(a) 1000 clicks in $(($(th_now_ms) - start_ms)) ms: $(cut -d' ' -f2 "$TH_DIR/a.out" | sort | uniq -c | tr '\n' ' ')"
n302=$(grep -c '^302 ' "$TH_DIR/a.out")
th_check "(a) 1000 clicks from 100 networks all redirected" [ "$n302" = 1000 ]
t1=$(total "$P1" "$U1") t2=$(total "$P2" "$U1") t3=$(total "$P3" "$U1")
th_diag "(a) totals: node1=$t1 node2=$t2 node3=$t3 (want 300 each)"
if [ "$t1" = 300 ] && [ "$t2" = 300 ] && [ "$t3" = 300 ]; then
	th_ok "(a) every node reports the same exact count (300)"
else
	th_not_ok "(a) every node reports the same exact count (300)" "node1=$t1 node2=$t2 node3=$t3"
fi

# ---------------------------------------------------------------- (b) sign-in

COOKIE=
if [ "$HAVE_OP" = 1 ]; then
	node "$JS/cluster_login.mjs" "$TH_BASE" "http://127.0.0.1:$P1" "http://127.0.0.1:$P2" \
		"http://127.0.0.1:$P3" >"$TH_DIR/login.json" 2>"$TH_DIR/login.err" ||
		th_diag_file "$TH_DIR/login.err" 20
	read -r start callback replay COOKIE < <(/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d.get("start"), d.get("callback"), d.get("replay"), d.get("cookie") or "-")' "$TH_DIR/login.json")
	th_diag "(b) start on node 1: $start, callback on node 2: $callback, replay on node 3: $replay"
	th_check "(b) a sign-in started on node 1 completes on node 2 (303)" [ "$callback" = 303 ]
	if [ "$replay" = 400 ] && grep -q 'state already used (replay)' "$TH_DIR/node3.log"; then
		th_ok "(b) its callback replayed on node 3 is refused as a replay (400)"
	else
		th_not_ok "(b) its callback replayed on node 3 is refused as a replay (400)" \
			"status $replay; node 3 said: $(grep login_refused "$TH_DIR/node3.log" | tail -1)"
	fi
else
	th_ok "# SKIP (b): no node or npm modules (npm ci --prefix tests/js)"
fi

if [ "$NO_STORE" = 1 ]; then
	th_ok "# SKIP (c): CLUSTER_NO_STORE=1 (no shared store to lose)"
	th_done
	exit 0
fi

# ---------------------------------------------------------------- (c) outage

# The clicker: one new network (127.X.Y.1) per click on U2 through the
# shared upstream, plus a button bar and /auth/check each round, until
# $TH_DIR/stop exists. One line per request: KIND CODE.
clicker() {
	local i=0 a code
	while [ ! -e "$TH_DIR/stop" ]; do
		a="127.$((40 + i / 250)).$((i % 250)).1"
		code=$(curl -s -o /dev/null --max-time 5 --interface "$a" -A cluster-test \
			-w '%{http_code} %header{x-socialhub-count}' "$TH_BASE/social/share/x?url=$U2")
		echo "click $code"
		code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' \
			"$TH_BASE/social/share/buttons.html?url=$U2")
		echo "buttons $code"
		if [ -n "$COOKIE" ] && [ "$COOKIE" != - ]; then
			code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -H "Cookie: $COOKIE" \
				"$TH_BASE/social/auth/check")
			echo "check $code"
		fi
		i=$((i + 1))
		sleep 0.02
	done
}
OUTAGE=${CLUSTER_OUTAGE_S:-30}
# wrk on the widgets and /auth/check through the shared upstream for the
# whole outage; its Lua script rotates the paths (one connection each).
# (/auth/check only with the sign-in's cookie: without one it is a 401.)
AUTHP=
[ -n "$COOKIE" ] && [ "$COOKIE" != - ] && AUTHP=', "/social/auth/check"'
cat >"$TH_DIR/load.lua" <<LUA
local paths = { "/social/share/buttons.html?url=$U2", "/social/streams",
	"/social/embed.js"$AUTHP }
local i = 0
request = function()
	i = i + 1
	return wrk.format("GET", paths[(i % #paths) + 1], { ["Cookie"] = "${COOKIE#-}" })
end
LUA
WRK_PID=
if command -v wrk >/dev/null 2>&1; then
	wrk -t1 -c4 -d$((OUTAGE + 8))s -s "$TH_DIR/load.lua" "$TH_BASE" >"$TH_DIR/wrk.out" 2>&1 &
	WRK_PID=$!
	th_register_pid "$WRK_PID"
fi
clicker >"$TH_DIR/c.out" &
CLICKER=$!
th_register_pid "$CLICKER"
sleep 3
th_stop "$REDIS_PID"
down_ms=$(th_now_ms)
sleep 2
curl -s -o "$TH_DIR/login503.html" -w '%{http_code}' --max-time 5 \
	"http://127.0.0.1:$P1/social/auth/login/demo?return_to=%2F" >"$TH_DIR/login503.code"
curl -s --max-time 5 "http://127.0.0.1:$P2/social/healthz" >"$TH_DIR/healthz-down.json"
sleep $((OUTAGE - 2))
th_start_redis --aof
th_diag "(c) Redis was down for $(($(th_now_ms) - down_ms)) ms"
curl -s --max-time 5 "http://127.0.0.1:$P2/social/metrics" >"$TH_DIR/metrics-down.txt"
sleep 3
: >"$TH_DIR/stop"
wait "$CLICKER"
clicks=$(grep -c '^click ' "$TH_DIR/c.out")
th_diag "(c) outcomes: $(sort "$TH_DIR/c.out" | uniq -c | tr '\n' ' ')"
bad=$(grep -c -v -E '^(click 302|buttons 200|check 204)' "$TH_DIR/c.out")
th_check "(c) $clicks clicks, bars and /auth/check during the outage: 0 errors" [ "$bad" = 0 ]
if [ -n "$WRK_PID" ]; then
	wait "$WRK_PID"
	th_diag "(c) wrk during the outage: $(grep -E 'requests in|Non-2xx|Socket errors' "$TH_DIR/wrk.out" | tr -s ' ' | tr '\n' ';')"
	if grep -q 'requests in' "$TH_DIR/wrk.out" && ! grep -q -E 'Non-2xx|Socket errors' "$TH_DIR/wrk.out"; then
		th_ok "(c) wrk on widgets and /auth/check for the whole outage: 0 errors"
	else
		th_not_ok "(c) wrk on widgets and /auth/check for the whole outage: 0 errors" \
			"$(grep -E 'Non-2xx|Socket errors' "$TH_DIR/wrk.out")"
	fi
fi
checks=$(grep -c '^check ' "$TH_DIR/c.out")
th_check "(c) /auth/check answered 204 throughout ($checks checks)" \
	test "$checks" = 0 -o "$(grep -c '^check 204$' "$TH_DIR/c.out")" = "$checks"
th_check "(c) some clicks waited in the queue (X-Socialhub-Count: queued)" \
	grep -q '^click 302 queued$' "$TH_DIR/c.out"
if [ "$HAVE_OP" = 1 ]; then
	th_check "(c) login start while Redis is down: 503 with a clear page" \
		grep -q 'briefly unavailable' "$TH_DIR/login503.html"
	th_diag "(c) login start status while down: $(cat "$TH_DIR/login503.code")"
fi
th_diag "(c) /healthz while down: $(head -c 400 "$TH_DIR/healthz-down.json")"
th_check "(c) /healthz (metrics_allow) shows the store failing or down, status still ok" \
	grep -q -E '"store":\{[^}]*"state":"(failing|down)".*"status":"ok"' "$TH_DIR/healthz-down.json"

# Every worker flushes its queue on its next share request: ask each node
# until all agree on one count per click.
ok=0
for _ in $(seq 40); do
	for p in "${PORTS[@]}"; do for _ in 1 2 3 4; do total "$p" "$U2" >/dev/null; done; done
	t1=$(total "$P1" "$U2") t2=$(total "$P2" "$U2") t3=$(total "$P3" "$U2")
	if [ "$t1" = "$clicks" ] && [ "$t2" = "$clicks" ] && [ "$t3" = "$clicks" ]; then
		ok=1
		break
	fi
	sleep 0.5
done
th_diag "(c) after Redis returned: node1=$t1 node2=$t2 node3=$t3 (want $clicks)"
th_check "(c) every node counts every click, those of the outage included" [ "$ok" = 1 ]
queued=0
for p in "${PORTS[@]}"; do
	n=$(curl -s --max-time 5 "http://127.0.0.1:$p/social/metrics" |
		sed -n 's/^socialhub_share_queue_total{event="flushed"} \([0-9]*\).*/\1/p')
	queued=$((queued + ${n:-0}))
done
th_diag "(c) flushed from the queues (metrics): $queued"
th_check "(c) the queued counts show in /metrics (flushed > 0)" [ "$queued" -gt 0 ]
th_check "(a) the counts of before the outage survived it (AOF)" [ "$(total "$P3" "$U1")" = 300 ]
th_done

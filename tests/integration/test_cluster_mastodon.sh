#!/usr/bin/env bash
# test_cluster_mastodon.sh: Mastodon client registrations on two socialhub
# nodes sharing one redis-server (each node its own state_dir), behind one
# nginx with a port per node; every instance name lands on
# tests/integration/mastodon_fixture.py, which counts registrations:
#   (a) an instance registered through node 1 is not registered again
#       through node 2 (the registration is in the store);
#   (b) the per-domain cap holds for the cluster: 12 logins naming names
#       under one domain, alternating nodes, register at most 5 apps (two
#       nodes alone would allow 10);
#   (c) with Redis down, a login naming a new instance is refused with a
#       clear 503, never registered on one node alone.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl redis-server redis-cli /usr/bin/python3 "$(th_find_nginx)"
th_init cluster-mastodon

P1=$(th_free_port) && P2=$(th_free_port) || th_bail "no free port"
th_spawn fixture /usr/bin/python3 "$TH_LIB_DIR/mastodon_fixture.py" --port-file "$TH_DIR/fixture.port"
th_wait_file "$TH_DIR/fixture.port" 10000 "$TH_LAST_PID" || th_bail "mastodon fixture did not start"
F=http://127.0.0.1:$(cat "$TH_DIR/fixture.port")

th_start_redis

"$SOCIALHUB" keygen >"$TH_DIR/session.key" && chmod 600 "$TH_DIR/session.key" || th_bail "keygen"
declare -A NODE_PID
for n in 1 2; do
	d=$TH_DIR/node$n
	mkdir -p "$d/cache" "$d/state"
	cat >"$d/socialhub.conf" <<EOF
listen      = "unix:$TH_DIR/node$n.sock"
listen_mode = "0666"
workers     = 2
site_url    = "http://127.0.0.1:$TH_PORT"
mount       = "/social"
cache_dir   = "$d/cache"
state_dir   = "$d/state"
session { secret_file = "$TH_DIR/session.key"  lifetime = 8h }
share { counting = false }
provider mastodon {
	preset = "mastodon"  api_base = "$F/fast"
	instances = {"*"}
}
store { url = "redis://127.0.0.1:$RPORT/0"  prefix = "cm:"  timeout_ms = 200
  breaker_failures = 2  breaker_cooldown_ms = 1000 }
EOF
	"$SOCIALHUB" check-config -c "$d/socialhub.conf" >"$TH_DIR/check$n.out" 2>&1 ||
		th_bail "check-config refused node $n: $(cat "$TH_DIR/check$n.out")"
	"$SOCIALHUB" serve -c "$d/socialhub.conf" </dev/null >>"$TH_DIR/node$n.out" 2>>"$TH_DIR/node$n.log" &
	NODE_PID[$n]=$!
	th_register_pid $!
	TH_DIAG_FILES+=("$TH_DIR/node$n.log")
	th_wait_socket "$TH_DIR/node$n.sock" 5000 $! || th_bail "node $n did not start"
done
th_start_cluster_nginx "$P1" "$P2"

apps_made() { curl -s --max-time 5 "$F/_stats" | sed -n 's/.*"apps": *\([0-9]*\).*/\1/p'; }
# login PORT INSTANCE SOURCE: the status of a login start on that node.
login() {
	curl -s -o "$TH_DIR/last.body" -D "$TH_DIR/last.headers" --max-time 10 --interface "$3" \
		-w '%{http_code}' "http://127.0.0.1:$1/social/auth/login/mastodon?instance=$2"
}

# ---- (a) one registration per instance for the cluster
c1=$(login "$P1" one.example 127.0.50.1)
m1=$(apps_made)
c2=$(login "$P2" one.example 127.0.51.1)
m2=$(apps_made)
th_diag "(a) node 1: $c1 (apps $m1); node 2: $c2 (apps $m2)"
th_check "(a) node 1 registers one.example and redirects (302)" test "$c1" = 302 -a "$m1" = 1
th_check "(a) node 2 signs in with the same registration: none made (302, still 1)" \
	test "$c2" = 302 -a "$m2" = 1
th_check "(a) node 2 has its own copy of the registration" \
	test -f "$TH_DIR/node2/state/oauth/mastodon/one.example.json"
th_check "(a) the registration is in the store" \
	test "$(redis-cli -p "$RPORT" EXISTS 'cm:oauth:mastodon:app:one.example')" = 1

# ---- (b) the per-domain cap for the cluster
before=$(apps_made)
: >"$TH_DIR/b.out"
for i in $(seq 1 12); do
	p=$P1
	[ $((i % 2)) = 0 ] && p=$P2
	echo "$(login "$p" "w$i.wild.example" "127.0.$((60 + i)).1")" >>"$TH_DIR/b.out"
done
made=$(($(apps_made) - before))
th_diag "(b) 12 logins on both nodes under wild.example: $(sort "$TH_DIR/b.out" | uniq -c | tr '\n' ' '); $made registered"
th_check "(b) at most 5 registrations per domain across the cluster ($made)" test "$made" -ge 1 -a "$made" -le 5

# ---- (c) Redis down
th_stop "$REDIS_PID"
before=$(apps_made)
c=$(login "$P2" new.example.org 127.0.90.1)
c=$(login "$P2" new.example.org 127.0.90.1)
th_diag "(c) with Redis down: $c, $(($(apps_made) - before)) registered"
th_check "(c) a new instance with Redis down: 503, nothing registered" \
	test "$c" = 503 -a "$(apps_made)" = "$before"
c=$(login "$P2" one.example 127.0.91.1)
th_diag "(c) a known instance with Redis down: $c"
th_done

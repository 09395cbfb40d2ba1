#!/usr/bin/env bash
# soak.sh — `make soak`: a bounded wrk run (SOAK_SECONDS, default 600) on
# 127.0.0.1 mixing widget (stream json/html/atom), sign-on (/auth/check
# and /auth/me with a session from a local oidc-provider), share
# (redirect, counts, buttons) and health routes through nginx, while the refresher
# inside `socialhub serve` cycles fixture feeds that change on every fetch
# (every = 1m) and a `socialhub refresh --force` runs every 15 s. Reports
# wrk errors and non-2xx/3xx responses, master and worker RSS and fd
# counts after warm-up (SOAK_WARMUP, default 10 % of the run, at least
# 20 s) and at the end. Fails on any error, RSS growth > 10 % or fd
# growth. Needs node and tests/js/node_modules (npm ci --prefix tests/js).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SOCIALHUB=${SOCIALHUB:-$top_builddir/socialhub}
export SOCIALHUB top_srcdir top_builddir
# shellcheck source=tests/integration/lib.sh
. "$top_srcdir/tests/integration/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$top_srcdir/tests/integration/streams_lib.sh"

SECS=${SOAK_SECONDS:-600}
WARM=${SOAK_WARMUP:-$((SECS / 10 > 20 ? SECS / 10 : 20))}
th_require_socialhub
th_require_cmd wrk curl node /usr/bin/python3 "$(th_find_nginx)"
[ -d "$top_srcdir/tests/js/node_modules/oidc-provider" ] || th_skip_all "npm ci --prefix tests/js first"
th_init soak
st_start_fixture || th_bail "fixture server did not start"
# The provider the soak's visitor signed in with (tests/js/op.mjs).
node "$top_srcdir/tests/js/op.mjs" --ready-file "$TH_DIR/op.ready" \
	--redirect "$TH_BASE/social/auth/callback/demo" >"$TH_DIR/op.log" 2>&1 &
th_register_pid $!
for _ in $(seq 100); do [ -s "$TH_DIR/op.ready" ] && break; sleep 0.05; done
OP=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer)' "$TH_DIR/op.ready") ||
	th_bail "oidc-provider did not start"

streams="stream soak {"
for i in 1 2 3 4 5 6; do
	streams+=$'\n'"  source s$i { url = \"$FIX/feed?id=soak$i&n=30&vary=1\" every = 1m }"
done
streams+=$'\n  max_items = 100\n}'
cfg=$(TH_WORKERS=2 TH_LOG_LEVEL=info th_write_config "$TH_DIR/socialhub.conf" "$streams
share {
  allowed_hosts = {\"www.example.com\", \".example.org\"}
}
session { secret = \"$("$SOCIALHUB" keygen)\" }
provider demo { issuer = \"$OP\" client_id = \"demo\" client_secret = \"demo-secret-change-me\" }")
S=$TH_BASE/social
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
TH_NGINX_ACCESS_LOG=off th_start_nginx || th_bail "nginx did not start"
for _ in $(seq 300); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$S/streams/soak.json")" = 200 ] && break
	sleep 0.1
done
th_expect_status -n "stream published before the soak" GET "$S/streams/soak.json" 200
COOKIE=$(node "$top_srcdir/tests/js/bench_login.mjs" socialhub "$TH_BASE" "$OP") ||
	th_bail "sign-in at the local provider failed"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$S/auth/check")
st_expect_eq "signed-in visitor: /auth/check answers 204 before the soak" "$code" 204

cat >"$TH_DIR/mix.lua" <<'LUA'
local cookie = os.getenv("SOAK_COOKIE")
local paths = {
  "/social/auth/check", "/social/auth/me",
  "/social/streams/soak.json", "/social/streams/soak.html",
  "/social/streams/soak.atom", "/social/streams/soak.json?limit=5",
  "/social/healthz", "/social/version",
  "/social/share/x?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1",
  "/social/share/counts?url=https%3A%2F%2Fwww.example.com%2Fa",
  "/social/share/buttons.html?url=https%3A%2F%2Fwww.example.org%2Fp",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], { Cookie = cookie })
end
local bad = 0
response = function(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("soak: requests=%d errors_connect=%d read=%d write=%d timeout=%d status=%d p99_ms=%.1f\n",
    summary.requests, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(99) / 1000))
end
LUA

# Per process: "pid role rss_kb fds".
snapshot() {
	local p role
	for p in "$TH_SH_PID" $(th_children "$TH_SH_PID"); do
		role=$(grep -o "role=[a-z]* pid=$p " "$TH_DIR/socialhub.log" | head -n 1 | sed 's/role=\([a-z]*\).*/\1/')
		[ -n "$role" ] || role=worker
		[ "$p" = "$TH_SH_PID" ] && role=master
		printf '%s %s %s %s\n' "$p" "${role// /_}" \
			"$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null)" \
			"$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
	done
}

( while sleep 15; do "$SOCIALHUB" refresh --force -c "$cfg" >/dev/null 2>>"$TH_DIR/refresh.err"; done ) &
th_register_pid $!
SOAK_COOKIE=$COOKIE wrk -t2 -c16 -d"${SECS}s" --timeout 10s -s "$TH_DIR/mix.lua" "$TH_BASE" >"$TH_DIR/wrk.out" 2>&1 &
WRK=$!
th_register_pid "$WRK"
sleep "$WARM"
snapshot >"$TH_DIR/warm"
wait "$WRK"
snapshot >"$TH_DIR/end"
th_diag "wrk (${SECS}s, 16 connections):"
th_diag_file "$TH_DIR/wrk.out" 20
th_diag "after warm-up (${WARM}s): pid role rss_kb fds"
th_diag_file "$TH_DIR/warm"
th_diag "at the end: pid role rss_kb fds"
th_diag_file "$TH_DIR/end"

line=$(grep '^soak:' "$TH_DIR/wrk.out")
reqs=$(printf '%s' "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
errs=$(printf '%s' "$line" | awk '{s=0; for (i=3;i<=7;i++) {split($i,a,"="); s+=a[2]} print s}')
non23=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$TH_DIR/wrk.out")
th_diag "refresher cycles: $(st_requests '/feed?id=soak' | wc -l) fixture feed fetches during the run"
[ -n "$reqs" ] && [ "$reqs" -gt 0 ] && th_ok "soak served $reqs requests" || th_not_ok "soak served requests"
st_expect_eq "no socket errors or timeouts" "${errs:-x}" 0
st_expect_eq "no non-2xx/3xx responses" "${non23:-0}" 0
th_alive "$TH_SH_PID" && th_ok "master alive" || th_not_ok "master alive"
# Processes present at both snapshots: RSS within 10 %, fds not growing.
while read -r pid role rss fds; do
	read -r _ _ rss2 fds2 < <(grep "^$pid " "$TH_DIR/end") || {
		th_diag "$pid ($role) replaced during the soak"
		continue
	}
	[ -n "$rss" ] && [ -n "$rss2" ] || continue
	if [ "$rss2" -le $((rss + rss / 10)) ]; then
		th_ok "$role $pid RSS flat: $rss -> $rss2 kB"
	else
		th_not_ok "$role $pid RSS flat: $rss -> $rss2 kB"
	fi
	if [ "$fds2" -le "$fds" ]; then
		th_ok "$role $pid fds not growing: $fds -> $fds2"
	else
		th_not_ok "$role $pid fds not growing: $fds -> $fds2"
	fi
done <"$TH_DIR/warm"
n_err=$(grep -c 'level=error' "$TH_DIR/socialhub.log" 2>/dev/null)
[ "${n_err:-0}" = 0 ] || grep 'level=error' "$TH_DIR/socialhub.log" | sort | uniq -c | sort -rn | head -5 | sed 's/^/# /'
st_expect_eq "no error in the daemon log" "${n_err:-0}" 0
th_done

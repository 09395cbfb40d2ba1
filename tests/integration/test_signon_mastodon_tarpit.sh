#!/bin/bash
# test_signon_mastodon_tarpit: a Mastodon instance that never answers must
# not stall the workers that serve /healthz and nginx's auth_request
# (/auth/check): registration runs under a total budget, one at a time
# across the workers (the others answer 503 "try again" at once), and
# leaves no lock file behind. Real nginx and socialhub (2 workers), the
# instance is tests/integration/mastodon_fixture.py on 127.0.0.1.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init signon-mastodon-tarpit

th_spawn fixture /usr/bin/python3 "$TH_LIB_DIR/mastodon_fixture.py" --port-file "$TH_DIR/fixture.port"
th_wait_file "$TH_DIR/fixture.port" 10000 "$TH_LAST_PID" || th_bail "mastodon fixture did not start"
F=http://127.0.0.1:$(cat "$TH_DIR/fixture.port")
TH_WORKERS=2 oa_start <<C
session { secret = "$("$SOCIALHUB" keygen)" }
provider mastodon { preset = "mastodon"  api_base = "$F/tarpit" }
provider mastodon_fast { preset = "mastodon"  api_base = "$F/fast" }
C

# Loose bounds for a loaded 2-core box; the old code took 10 s per
# outbound call, two calls per registration, and held every worker.
HEALTH_MAX=3.0
LOGIN_MAX=10.0

# curl from source address $2 (its own /24, for the per-client limits);
# writes "STATUS SECONDS" to $TH_DIR/$1.out.
timed_get() {
	local name=$1 src=$2 url=$3
	"${TH_CURL[@]}" --max-time 60 --interface "$src" -D "$TH_DIR/$name.hdrs" \
		-o "$TH_DIR/$name.body" -w '%{http_code} %{time_total}\n' "$url" \
		>"$TH_DIR/$name.out" 2>/dev/null
}

# True when $1 (seconds, decimal) is below $2.
below() { awk -v t="$1" -v m="$2" 'BEGIN { exit !(t + 0 < m + 0) }'; }

tarpit_hits() {
	"${TH_CURL[@]}" "$F/_stats" | sed -n 's/.*"tarpit": *\([0-9]*\).*/\1/p'
}

# Three visitors name three new instances at the tarpit at once.
pids=()
for i in 1 2 3; do
	timed_get "tarpit$i" "127.0.$((10 + i)).1" \
		"$TH_BASE/social/auth/login/mastodon?instance=i$i.tarpit.example" &
	pids+=("$!")
	th_register_pid "$!"
done
# Wait until a registration is in progress at the tarpit.
for _ in $(seq 1 200); do
	[ "$(tarpit_hits)" -ge 1 ] 2>/dev/null && break
	sleep 0.05
done
th_check "a registration is in progress at the tarpit" test "$(tarpit_hits)" -ge 1

# Both probes at once, so that each is measured while the tarpit holds on.
timed_get healthz 127.0.0.1 "$TH_BASE/social/healthz" &
hp=$!
timed_get check 127.0.0.1 "$TH_BASE/protected/page" &
cp=$!
th_register_pid "$hp"
th_register_pid "$cp"
wait "$hp" "$cp"
read -r code secs <"$TH_DIR/healthz.out"
if [ "$code" = 200 ] && below "$secs" "$HEALTH_MAX"; then
	th_ok "/healthz answered during a tarpit registration (${secs}s < ${HEALTH_MAX}s)"
else
	th_not_ok "/healthz answered during a tarpit registration" "status $code after ${secs}s (limit ${HEALTH_MAX}s)"
fi
read -r code secs <"$TH_DIR/check.out"
if [ "$code" = 302 ] && below "$secs" "$HEALTH_MAX"; then
	th_ok "auth_request /auth/check answered during a tarpit registration (${secs}s < ${HEALTH_MAX}s)"
else
	th_not_ok "auth_request /auth/check answered during a tarpit registration" "status $code after ${secs}s (limit ${HEALTH_MAX}s, want 302 to sign-in)"
fi

for p in "${pids[@]}"; do wait "$p"; done
busy=0
for i in 1 2 3; do
	read -r code secs <"$TH_DIR/tarpit$i.out"
	th_diag "tarpit login $i: status $code after ${secs}s"
	if [[ $code == 5* ]] && below "$secs" "$LOGIN_MAX"; then
		th_ok "tarpit login $i ends in $code within ${LOGIN_MAX}s (${secs}s)"
	else
		th_not_ok "tarpit login $i ends in a 5xx within ${LOGIN_MAX}s" "status $code after ${secs}s"
	fi
	if [ "$code" = 503 ] && grep -qi '^Retry-After: *[0-9]' "$TH_DIR/tarpit$i.hdrs" &&
		grep -q 'try again' "$TH_DIR/tarpit$i.body"; then
		busy=$((busy + 1))
	fi
done
th_check "one registration in flight: the others got 503 \"try again\" with Retry-After ($busy)" \
	test "$busy" -ge 1

locks=$(find "$TH_DIR/state/oauth/mastodon" -name '*.lock' 2>/dev/null)
if [ -z "$locks" ]; then
	th_ok "no lock file left in state_dir after the attempts"
else
	th_not_ok "no lock file left in state_dir after the attempts" "$locks"
fi
if ls "$TH_DIR/state/oauth/mastodon/"*tarpit* >/dev/null 2>&1; then
	th_not_ok "a failed registration stores nothing" "$(ls "$TH_DIR/state/oauth/mastodon/")"
else
	th_ok "a failed registration stores nothing"
fi

# The guard is released after a timeout: a working instance registers.
timed_get fast 127.0.20.1 "$TH_BASE/social/auth/login/mastodon_fast?instance=ok.fast.example"
read -r code secs <"$TH_DIR/fast.out"
if [ "$code" = 302 ]; then
	th_ok "a responsive instance registers after the tarpit attempts (${secs}s)"
else
	th_not_ok "a responsive instance registers after the tarpit attempts" "status $code after ${secs}s"
fi
th_done

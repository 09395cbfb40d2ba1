#!/usr/bin/env bash
# test_streams_lastgood.sh: every upstream fault AFTER a good fetch. Eight
# sources of one stream are fetched once while healthy; then each turns
# into one fault (timeout, reset, 500, 503, garbage, hang mid-body, 50 MB
# body, gzip bomb) and a forced refresh runs while visitors keep loading
# the stream through nginx. Expected: each source records its own error,
# keeps its last good items (stale-if-error), the merged stream still holds
# every item, /healthz names the errors, and no visitor ever sees a 5xx.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3 curl "$(th_find_nginx)"
th_init streams-lastgood
st_start_fixture || th_bail "fixture server did not start"

FAULTS="timeout reset 500 503 garbage hang big bomb"
declare -A WANT=([timeout]=gateway_timeout [reset]=bad_gateway [500]=bad_gateway
	[503]=bad_gateway [garbage]=invalid_request [hang]=gateway_timeout
	[big]=too_large [bomb]=too_large)
streams="stream brand {"
for f in $FAULTS; do
	streams+=$'\n'"  source s$f { url = \"$FIX/feed?id=lg$f&n=3&key=lg$f\" every = 1h }"
done
streams+=$'\n  max_items = 100\n}'
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$streams")
C=$TH_DIR/cache
S=$TH_BASE/social
NSRC=$(echo $FAULTS | wc -w)

th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

items_in_stream() {
	curl -s "$S/streams/brand.json?limit=100" |
		/usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null
}
waited=0
until [ "$(items_in_stream)" = $((NSRC * 3)) ] || [ "$waited" -ge 15000 ]; do
	sleep 0.1
	waited=$((waited + 100))
done
st_expect_eq "healthy: the stream holds 3 items from each of $NSRC sources" "$(items_in_stream)" $((NSRC * 3))

# The fixture compresses its bomb once; do it now, not inside the fetch.
"${TH_CURL[@]}" -o /dev/null "$FIX/gzipbomb"
for f in $FAULTS; do
	"${TH_CURL[@]}" "$FIX/_mode?key=lg$f&mode=$f" >/dev/null
done

# Visitors during the failing refresh: every answer must be 2xx/304.
load() {
	local end=$(($(date +%s) + $1)) code
	while [ "$(date +%s)" -lt "$end" ]; do
		for p in streams/brand.json streams/brand.html streams/brand.atom healthz; do
			code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$S/$p")
			echo "$p $code"
		done
	done
}
load 25 >"$TH_DIR/visitors" &
LOAD=$!
th_register_pid "$LOAD"
start=$(date +%s)
"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/refresh.out" 2>>"$TH_DIR/refresh.log"
rc=$?
wall=$(($(date +%s) - start))
sed 's/^/#   /' "$TH_DIR/refresh.out"
st_expect_eq "the forced refresh reports failures (exit 1)" "$rc" 1
st_expect_range "the pass ends within the 20 s fetch limit (s)" "$wall" 0 24
wait "$LOAD"

for f in $FAULTS; do
	url="$FIX/feed?id=lg$f&n=3&key=lg$f"
	code=$(st_status "$url" error_code)
	[ "$code" = "${WANT[$f]}" ] &&
		th_ok "s$f: failure recorded as $code ($(st_status "$url" last_error))" ||
		th_not_ok "s$f: failure recorded as ${WANT[$f]}" "got: $code $(st_status "$url" last_error)"
	st_expect_eq "s$f: last good items kept" "$(st_status "$url" items)" 3
done
st_expect_eq "the merged stream still holds every item" "$(items_in_stream)" $((NSRC * 3))
health=$(curl -s "$S/healthz")
for f in $FAULTS; do
	printf '%s' "$health" | grep -q "\"s$f\":{[^}]*\"status\":\"failing\"" &&
		th_ok "healthz shows s$f failing" || th_not_ok "healthz shows s$f failing" "$(printf "%s" "$health" | head -c 400)"
done
total=$(wc -l <"$TH_DIR/visitors")
bad=$(awk '$2 !~ /^(200|304)$/' "$TH_DIR/visitors" | wc -l)
th_diag "visitor requests during the failing refresh: $total"
[ "$total" -gt 20 ] && th_ok "visitors kept loading ($total requests)" || th_not_ok "visitors kept loading ($total requests)"
st_expect_eq "no visitor request answered other than 200/304" "$bad" 0
[ "$bad" = 0 ] || awk '$2 !~ /^(200|304)$/' "$TH_DIR/visitors" | sort | uniq -c | sed 's/^/# /'
th_alive "$TH_SH_PID" && th_ok "daemon alive" || th_not_ok "daemon alive"
th_done

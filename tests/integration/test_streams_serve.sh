#!/usr/bin/env bash
# test_streams_serve.sh: the refresher inside `socialhub serve` behind
# nginx — first pass at start, per-stream freshness and last error in
# /healthz, GET /streams, single-flight with a concurrent `socialhub
# refresh`, 503 when the cache is not writable, stop during a fetch.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3 curl "$(th_find_nginx)"
th_init streams-serve
st_start_fixture || th_bail "fixture server did not start"

OK_URL="$FIX/feed?id=live&n=6&etag=live"
BAD_URL="$FIX/status?code=500"
SLOW_URL="$FIX/feed?id=slow&n=2&delay=4000"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "
stream live {
  title = \"Live stream\"
  source ok { url = \"$OK_URL\" every = 5m market = \"de\" }
  source bad { url = \"$BAD_URL\" }
  source slow { url = \"$SLOW_URL\" }
  max_items = 50
}
stream other {
  source ok { url = \"$OK_URL\" }
}")
C=$TH_DIR/cache
S=$TH_BASE/social

th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

# The refresher's first pass runs at start; the slow source holds its lock
# for 4 s. A manual refresh meanwhile must not fetch it a second time.
waited=0
until [ -n "$(st_arrivals '/feed?id=slow')" ] || [ "$waited" -ge 5000 ]; do
	sleep 0.05
	waited=$((waited + 50))
done
[ -n "$(st_arrivals '/feed?id=slow')" ] && th_ok "refresher started fetching at start" ||
	th_not_ok "refresher started fetching at start"
"$SOCIALHUB" refresh -c "$cfg" --force --stream live >"$TH_DIR/manual.out" 2>>"$TH_DIR/manual.log"
sed 's/^/#   /' "$TH_DIR/manual.out"
grep -q '^live/slow  *busy' "$TH_DIR/manual.out" &&
	th_ok "manual refresh skips the source the refresher is fetching (busy)" ||
	th_not_ok "manual refresh skips the source the refresher is fetching (busy)"

# Wait for the refresher's pass to finish (meta.json of both streams).
waited=0
until [ "$(st_status "$SLOW_URL" http_status)" = 200 ] && [ -s "$C/streams/other/meta.json" ] ||
	[ "$waited" -ge 10000 ]; do
	sleep 0.1
	waited=$((waited + 100))
done
st_expect_eq "slow source fetched exactly once" "$(st_arrivals '/feed?id=slow' | wc -l)" 1
st_expect_eq "shared URL fetched once per pass by the refresher, plus the manual one" \
	"$(st_requests '/feed?id=live' | wc -l)" 2

# /healthz: per-stream freshness and last error.
if th_expect_status GET "$S/healthz" 200; then
	h=$TH_BODY
	q() { /usr/bin/python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$h" "$1"; }
	st_expect_eq "healthz: live/ok is ok" "$(q streams.live.sources.ok.status)" ok
	st_expect_eq "healthz: live/bad is failing" "$(q streams.live.sources.bad.status)" failing
	st_expect_eq "healthz: live/bad last error" "$(q streams.live.sources.bad.last_error)" "HTTP 500"
	st_expect_eq "healthz: live/bad error code" "$(q streams.live.sources.bad.error_code)" bad_gateway
	st_expect_eq "healthz: live is not fresh (a source fails)" "$(q streams.live.fresh)" false
	st_expect_eq "healthz: other is fresh" "$(q streams.other.fresh)" true
	st_expect_eq "healthz: live has one failing source" "$(q streams.live.failing)" 1
	st_expect_eq "healthz: live's last error" "$(q streams.live.last_error)" "HTTP 500"
	st_expect_eq "healthz: other has no error" "$(q streams.other.last_error)" null
	st_expect_eq "healthz: live items" "$(q streams.live.items)" 8
	st_expect_eq "healthz: cache writable" "$(q streams_cache_writable)" true
	if grep -q 'feed?id=' "$h"; then
		th_not_ok "healthz: no feed URL (they may carry tokens)"
	else
		th_ok "healthz: no feed URL (they may carry tokens)"
	fi
	# Dates in RFC 3339, as in every JSON answer (issue 16, item 8).
	nd=$(date -d "$(q streams.live.sources.ok.next_due)" +%s)
	la=$(date -d "$(q streams.live.sources.ok.last_success)" +%s)
	st_expect_range "healthz: live/ok next due after every = 5m" "$((nd - la))" 299 301
	q streams.live.changed_at | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' &&
		th_ok "healthz: changed_at in RFC 3339" || th_not_ok "healthz: changed_at in RFC 3339" "$(q streams.live.changed_at)"
fi

# GET /streams
if th_expect_status GET "$S/streams" 200; then
	th_expect_header Content-Type '^application/json'
	th_expect_header ETag '.'
	st_expect_eq "/streams: two streams, in config order" \
		"$(/usr/bin/python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(open(sys.argv[1]))["streams"]))' "$TH_BODY")" \
		"live other"
	st_expect_eq "/streams: live entry" \
		"$(/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["streams"][0]; print(s["title"], s["url"], s["items"], ",".join(x["name"]+":"+str(x["market"]) for x in s["sources"]))' "$TH_BODY")" \
		"Live stream /social/streams/live.json 8 ok:de,bad:None,slow:None"
fi

# The merged stream on disk carries source and market per item.
st_expect_eq "feed.json: items tagged with source and market" \
	"$(st_tool get "$C/streams/live/feed.json" items.0._socialhub.source items.0._socialhub.market | tr '\n' ' ')" \
	"ok de "

# 503 when the cache cannot be written.
mv "$C/sources" "$C/sources.away" && touch "$C/sources"
sleep 1.1
if th_expect_status -n "healthz with an unwritable cache" GET "$S/healthz" 503; then
	st_expect_eq "healthz: streams_cache_writable false" \
		"$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["streams_cache_writable"])' "$TH_BODY")" False
fi
rm -f "$C/sources" && mv "$C/sources.away" "$C/sources"
sleep 1.1
th_expect_status -n "healthz after the cache is back" GET "$S/healthz" 200

# SIGTERM while the refresher waits on a slow fetch: gone within 2 s.
# Without its status the slow source is due again; a reload starts a pass.
rm -f "$C/sources/$(st_tool key "$SLOW_URL")/status.json"
n0=$(st_arrivals '/feed?id=slow' | wc -l)
kill -HUP "$TH_SH_PID"
waited=0
until [ "$(st_arrivals '/feed?id=slow' | wc -l)" -gt "$n0" ] || [ "$waited" -ge 5000 ]; do
	sleep 0.05
	waited=$((waited + 50))
done
st_expect_eq "after reload the refresher is fetching the slow source" \
	"$(st_arrivals '/feed?id=slow' | wc -l)" $((n0 + 1))
t0=$(date +%s%N)
kill -TERM "$TH_SH_PID"
if th_wait_gone "$TH_SH_PID" 3000; then
	ms=$((($(date +%s%N) - t0) / 1000000))
	st_expect_range "serve stops within 2 s of SIGTERM (ms)" "$ms" 0 2000
else
	th_not_ok "serve stops after SIGTERM"
fi
if grep -Eq 'level=(error|warn).*(AddressSanitizer|runtime error|crash|signal)' "$TH_DIR/socialhub.log"; then
	th_not_ok "no crash in the log"
else
	th_ok "no crash in the log"
fi

# Sanitizer builds: any report fails the test.
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" "$TH_DIR/manual.log" 2>/dev/null; then
	th_not_ok "no sanitizer report" "$(grep -Eh -A3 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" "$TH_DIR/manual.log" | head -20)"
else
	th_ok "no sanitizer report"
fi

th_done

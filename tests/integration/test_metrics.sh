#!/usr/bin/env bash
# test_metrics.sh: GET /metrics through nginx after the refresher's first
# pass over a working and a failing source (issue 16, item 5):
#  - `promtool check metrics` (Debian's prometheus) finds nothing: every
#    family has HELP and TYPE, counters end in _total, units are base units;
#  - the refresher's figures (its own process) reach the workers' /metrics:
#    fetches by source and result, last success, items, bytes, the fetch
#    latency histogram, the pass time, the cache size;
#  - source labels exist only for configured sources;
#  - deploy/prometheus/socialhub.rules.yml passes `promtool check rules`,
#    and every socialhub_* name it or deploy/grafana/socialhub.json queries
#    is one /metrics serves.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

PY=/usr/bin/python3
th_require_socialhub
th_require_cmd "$PY" curl promtool "$(th_find_nginx)"
th_init metrics
st_start_fixture || th_bail "fixture server did not start"

DEAD=$(th_free_port)
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "stream news {
  source good { url = \"$FIX/feed?id=mg&n=3&key=mg\" every = 1h }
  source broken { url = \"http://127.0.0.1:$DEAD/gone.rss\" every = 1h }
}")
S=$TH_BASE/social
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

# The refresher's first pass starts at once; wait for its figures.
M=$TH_DIR/metrics.txt
waited=0
until "${TH_CURL[@]}" -o "$M" "$S/metrics" && grep -q '^socialhub_refresh_passes_total [1-9]' "$M" ||
	[ "$waited" -ge 20000 ]; do
	sleep 0.2
	waited=$((waited + 200))
done
"${TH_CURL[@]}" "$S/streams/news.json" >/dev/null
th_expect_status -n "GET /metrics after a refresh pass" GET "$S/metrics" 200 &&
	th_expect_header Content-Type '^text/plain; version=0.0.4'
cp "$TH_BODY" "$M"
th_diag "/metrics: $(wc -l <"$M") lines, $(grep -c '^# TYPE' "$M") families; the refresher's:"
grep -E '^socialhub_(feed|refresh|cache)_' "$M" | grep -v '_bucket' | sed 's/^/#   /'

# ---- promtool: the exposition is clean
if out=$(promtool check metrics <"$M" 2>&1) && [ -z "$out" ]; then
	th_ok "promtool check metrics: no problems"
else
	th_not_ok "promtool check metrics: no problems" "$(printf '%s\n' "$out" | head -n 20)"
fi
missing_help=$(grep -v '^#' "$M" | sed 's/[{ ].*//; s/_\(bucket\|sum\|count\)$//' | sort -u |
	while read -r fam; do grep -q "^# HELP $fam " "$M" || echo "$fam"; done)
st_expect_eq "every family has a HELP line" "$missing_help" ""

# ---- the refresher's figures, as the workers serve them
# value SERIES: the sample value of one exact series (name and labels).
value() {
	awk -v s="$1" 'index($0, s " ") == 1 { print $2 }' "$M"
}
G='stream="news",source="good"'
B='stream="news",source="broken"'
st_expect_eq "good source: one updated fetch" "$(value "socialhub_feed_fetches_total{$G,result=\"updated\"}")" 1
st_expect_eq "broken source: one failed fetch" "$(value "socialhub_feed_fetches_total{$B,result=\"failed\"}")" 1
st_expect_eq "good source is up" "$(value "socialhub_feed_up{$G}")" 1
st_expect_eq "broken source is down" "$(value "socialhub_feed_up{$B}")" 0
st_expect_eq "broken source: one consecutive failure" \
	"$(value "socialhub_feed_consecutive_failures{$B}")" 1
st_expect_eq "good source: 3 items" "$(value "socialhub_feed_items{$G}")" 3
now=$(date +%s)
st_expect_range "good source: last success is now" \
	"$(value "socialhub_feed_last_success_timestamp_seconds{$G}" | cut -d. -f1)" $((now - 60)) "$now"
st_expect_eq "broken source: never succeeded" \
	"$(value "socialhub_feed_last_success_timestamp_seconds{$B}")" 0
st_expect_range "good source: body bytes" "$(value "socialhub_feed_bytes{$G}")" 100 100000
st_expect_eq "fetch latency histogram: 2 fetches" \
	"$(value socialhub_feed_fetch_duration_seconds_count)" 2
st_expect_eq "fetch latency histogram: +Inf bucket" \
	"$(value 'socialhub_feed_fetch_duration_seconds_bucket{le="+Inf"}')" 2
pass=$(value socialhub_refresh_pass_duration_seconds)
if [ -n "$pass" ] && awk -v p="$pass" 'BEGIN { exit !(p > 0 && p < 30) }'; then
	th_ok "refresh pass time: $pass s"
else
	th_not_ok "refresh pass time" "got '$pass'"
fi
st_expect_range "cache size in bytes" "$(value socialhub_cache_bytes)" 1 100000000
st_expect_range "cache bound in bytes" "$(value socialhub_cache_max_bytes)" 1 100000000000
# Bounded labels: the configured sources and nothing else.
st_expect_eq "source labels: the configured sources only" \
	"$(grep -o 'source="[^"]*"' "$M" | sort -u | tr '\n' ' ')" 'source="broken" source="good" '

# ---- a reload that drops a source drops its series
th_write_config "$TH_DIR/socialhub.conf" "stream news {
  source good { url = \"$FIX/feed?id=mg&n=3&key=mg\" every = 1h }
}" >/dev/null
kill -HUP "$TH_SH_PID"
# The new refresher's first pass hides them (the old one may still finish
# a pass of its own meanwhile, so wait for the outcome, not a count).
waited=0
until "${TH_CURL[@]}" -o "$M" "$S/metrics" && ! grep -q 'source="broken"' "$M" ||
	[ "$waited" -ge 20000 ]; do
	sleep 0.2
	waited=$((waited + 200))
done
st_expect_eq "after a reload without it: no series of the removed source" \
	"$(grep -o 'source="[^"]*"' "$M" | sort -u | tr '\n' ' ')" 'source="good" '
st_expect_eq "after the reload: the kept source's counts carry on" \
	"$(value "socialhub_feed_fetches_total{$G,result=\"updated\"}")" 1
if out=$(promtool check metrics <"$M" 2>&1) && [ -z "$out" ]; then
	th_ok "promtool check metrics after the reload: no problems"
else
	th_not_ok "promtool check metrics after the reload: no problems" "$out"
fi

# ---- the shipped rules and dashboard
RULES=$TH_SRCDIR/deploy/prometheus/socialhub.rules.yml
DASH=$TH_SRCDIR/deploy/grafana/socialhub.json
if out=$(promtool check rules "$RULES" 2>&1); then
	th_ok "promtool check rules: $(printf '%s' "$out" | grep -o 'SUCCESS.*' | head -n 1)"
else
	th_not_ok "promtool check rules deploy/prometheus/socialhub.rules.yml" "$out"
fi
if out=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["panels"], "no panels"; print(len(d["panels"]))' "$DASH" 2>&1); then
	th_ok "grafana dashboard is JSON with $out panels"
else
	th_not_ok "grafana dashboard is JSON with panels" "$out"
fi
# Every name they query is served (histograms by their family name);
# sign-on and share counters appear with the first sign-in or share, so
# those need only be families fcgi/metrics.c documents.
served=$(grep '^# TYPE' "$M" | awk '{ print $3 }'
	for n in socialhub_logins_total socialhub_shares_total socialhub_share_refused_total; do
		grep -q "\"$n\"" "$TH_SRCDIR/fcgi/metrics.c" && echo "$n"
	done)
unknown=$(grep -oh 'socialhub_[a-z_]*' "$RULES" "$DASH" | sort -u | while read -r n; do
	base=$(printf '%s' "$n" | sed 's/_\(bucket\|sum\|count\)$//')
	printf '%s\n' "$served" | grep -qx -e "$n" -e "$base" || echo "$n"
done)
st_expect_eq "rules and dashboard query only served names" "$unknown" ""

th_done

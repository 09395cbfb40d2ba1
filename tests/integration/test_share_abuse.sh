#!/usr/bin/env bash
# test_share_abuse.sh: share counters against inflation and growth, through
# a real nginx: a visitor is its network (IPv4 /24; the clients here bind
# 127.A.B.C source addresses, so nginx's REMOTE_ADDR varies), whatever its
# User-Agent; one network adds at most count_per_url_daily to a URL and
# starts at most count_new_urls_daily URLs a day; a full table refuses new
# counters with X-Socialhub-Count: table-full, never grows, never crashes.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl /usr/bin/python3 "$(th_find_nginx)"
th_init share-abuse

SHARE='share {
  allowed_hosts = {"www.example.com"}
  networks = {"x", "facebook", "email", "reddit", "bluesky"}'
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$SHARE
}")
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"
S=$TH_BASE/social
DB=$TH_DIR/state/share.sqlite

# burst NAME < "SOURCE_ADDRESS USER_AGENT PATH" lines: one curl for them
# all (one config, a `next` between requests); NAME.out gets "CODE COUNT"
# per request (COUNT: the X-Socialhub-Count header).
burst() {
	local out=$TH_DIR/$1 first=1 addr ua path
	: >"$out.cfg"
	while read -r addr ua path; do
		[ "$first" = 1 ] || echo next >>"$out.cfg"
		first=0
		printf 'url = "%s"\ninterface = "%s"\nuser-agent = "%s"\nnoproxy = "*"\nmax-time = 5\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%header{x-socialhub-count}\\n"\n' \
			"$S$path" "$addr" "$ua" >>"$out.cfg"
	done
	curl -s -K "$out.cfg" >"$out.out" 2>/dev/null
}

# total [network] of URL (encoded) from /share/counts.
counts() {
	th_request GET "$S/share/counts?url=$1"
	/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["total"], d["networks"].get(sys.argv[2], 0))' "$TH_BODY" "${2:-x}"
}

sql() {
	/usr/bin/python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"
}

U1='https%3A%2F%2Fwww.example.com%2Fua-flood'

# ------------------------------------------------------------ User-Agent flood

for i in $(seq 50); do echo "127.1.0.1 flood-agent-$i /share/x?url=$U1"; done | burst ua
n302=$(grep -c '^302 ' "$TH_DIR/ua.out")
read -r total xn < <(counts "$U1")
[ "$n302" = 50 ] && th_ok "50 User-Agents from one address: all redirected" ||
	th_not_ok "50 User-Agents from one address: all redirected" "302s: $n302"
[ "$xn" = 1 ] && th_ok "50 User-Agents from one address count once" ||
	th_not_ok "50 User-Agents from one address count once" "x=$xn"
# The rest of the /24 is the same visitor.
for i in $(seq 2 20); do echo "127.1.0.$i agent-$i /share/x?url=$U1"; done | burst same24
read -r total xn < <(counts "$U1")
[ "$xn" = 1 ] && th_ok "19 more addresses of the same /24 add nothing" ||
	th_not_ok "19 more addresses of the same /24 add nothing" "x=$xn"
grep -q '^302 seen$' "$TH_DIR/same24.out" && th_ok "a repeat says X-Socialhub-Count: seen" ||
	th_not_ok "a repeat says X-Socialhub-Count: seen" "$(head -3 "$TH_DIR/same24.out")"

# ------------------------------------------------------------ per-URL daily cap

# Five share networks from one /24: count_per_url_daily (3) of them count.
for net in x facebook email reddit bluesky; do echo "127.1.1.1 cap-agent /share/$net?url=$U1"; done | burst cap
read -r total _ < <(counts "$U1")
[ "$total" = 4 ] && th_ok "one /24 adds at most 3 to a URL a day (x from before + 3 here = 4)" ||
	th_not_ok "one /24 adds at most 3 to a URL a day" "total=$total (want 4)"
[ "$(grep -c '^302 capped$' "$TH_DIR/cap.out")" = 2 ] && th_ok "the two past the cap say capped" ||
	th_not_ok "the two past the cap say capped" "$(tr '\n' ' ' <"$TH_DIR/cap.out")"
# Another /24 still counts.
echo "127.2.0.1 someone /share/bluesky?url=$U1" | burst other
read -r total bn < <(counts "$U1" bluesky)
[ "$bn" = 1 ] && th_ok "another /24 counts" || th_not_ok "another /24 counts" "bluesky=$bn"

# ------------------------------------------------------------ new URLs per visitor

before=$(sql 'SELECT count(*) FROM share_counts')
for i in $(seq 100); do echo "127.3.0.1 junk-agent /share/x?url=https%3A%2F%2Fwww.example.com%2Fjunk-$i"; done | burst junk
after=$(sql 'SELECT count(*) FROM share_counts')
[ "$(grep -c '^302 ' "$TH_DIR/junk.out")" = 100 ] && th_ok "100 new paths: all still redirected" ||
	th_not_ok "100 new paths: all still redirected" "$(sort "$TH_DIR/junk.out" | uniq -c | tr '\n' ' ')"
[ $((after - before)) -le 20 ] && th_ok "one /24 starts at most 20 counters a day ($((after - before)) of 100)" ||
	th_not_ok "one /24 starts at most 20 counters a day" "$((after - before)) new rows for 100 paths"
grep -q '^302 new-url-limit$' "$TH_DIR/junk.out" && th_ok "past it: X-Socialhub-Count: new-url-limit" ||
	th_not_ok "past it: X-Socialhub-Count: new-url-limit" "$(tail -2 "$TH_DIR/junk.out")"
# A counter that exists still counts for that network.
echo "127.3.0.1 junk-agent /share/x?url=$U1" | burst junk2
grep -q '^302 counted$' "$TH_DIR/junk2.out" && th_ok "the limited /24 can still count an existing URL" ||
	th_not_ok "the limited /24 can still count an existing URL" "$(cat "$TH_DIR/junk2.out")"

# ------------------------------------------------------------ a full table

# Room for 5 more counters; 40 networks each try a new URL.
rows=$(sql 'SELECT count(*) FROM share_counts')
max=$((rows + 5))
th_stop "$TH_SH_PID"
rm -f "$TH_SOCK"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$SHARE
  count_max_counters = $max
  count_max_daily_keys = 300
}")
if th_start_socialhub "$cfg"; then
	th_ok "socialhub starts with count_max_counters and count_max_daily_keys"
	for i in $(seq 40); do echo "127.4.$i.1 v$i /share/x?url=https%3A%2F%2Fwww.example.com%2Ffull-$i"; done | burst full
	now=$(sql 'SELECT count(*) FROM share_counts')
	[ "$now" = "$max" ] && th_ok "the table stops at count_max_counters ($max)" ||
		th_not_ok "the table stops at count_max_counters" "rows=$now max=$max"
	[ "$(grep -c '^302 table-full$' "$TH_DIR/full.out")" = 35 ] &&
		th_ok "the 35 refused say X-Socialhub-Count: table-full and still redirect" ||
		th_not_ok "the 35 refused say table-full" "$(sort "$TH_DIR/full.out" | uniq -c | tr '\n' ' ')"
	grep -q 'event=share_count_refused reason=table-full' "$TH_DIR/socialhub.log" &&
		th_ok "a full table is logged" || th_not_ok "a full table is logged"
	# Existing counters keep counting; the day's keys stop at their cap.
	for i in $(seq 200); do echo "127.5.$i.1 w$i /share/x?url=$U1"; done | burst daily
	read -r _ xn < <(counts "$U1")
	keys=$(sql 'SELECT count(*) FROM share_daily')
	[ "$keys" -le 300 ] && th_ok "the day's keys stop at count_max_daily_keys ($keys <= 300)" ||
		th_not_ok "the day's keys stop at count_max_daily_keys" "$keys"
	[ "$xn" -gt 2 ] && grep -q '^302 counted$' "$TH_DIR/daily.out" &&
		th_ok "existing counters still count while there is room ($xn)" ||
		th_not_ok "existing counters still count" "x=$xn"
	th_expect_status -n "healthz with full tables" GET "$S/healthz" 200
	th_check "socialhub still running" th_alive "$TH_SH_PID"
else
	th_not_ok "socialhub starts with count_max_counters and count_max_daily_keys" \
		"$(tail -3 "$TH_DIR/socialhub.log")"
fi
th_done

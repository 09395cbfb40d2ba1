#!/usr/bin/env bash
# moderation_bench.sh: the console with a big queue (issue 19 targets:
# 10,000 queued items -> the queue page in <= 100 ms of server time; a
# bulk approval of 1,000 items in <= 1 s). Called by `make bench-moderation`
# as  tests/bench/moderation_bench.sh BUILD_DIR
#
# tests/bench/modbench fills the local store (SQLite in state_dir) with
# BENCH_ITEMS (10000) queued items of one stream and times the library
# calls alone; then socialhub serves the console behind nginx and curl
# measures (time_total on loopback, which is the server's time plus a
# loopback round trip):
#   - GET  /admin/moderation/bench (the pending page, 50 rows), median of
#     BENCH_RUNS (11);
#   - POST /admin/moderation/bench approving 1000 items (one form, 29 KB),
#     once; and the first public JSON after it.
# Figures go to stdout and BENCH_OUT ($BUILD_DIR/tests/bench/out)/moderation.tsv.
set -u
BUILD=${1:-$(pwd)}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
export TH_SRCDIR=$SRC SOCIALHUB=${SOCIALHUB:-$BUILD/socialhub}
# shellcheck source=tests/integration/lib.sh
. "$SRC/tests/integration/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$SRC/tests/integration/oauth_env.sh"
oa_init modbench
ITEMS=${BENCH_ITEMS:-10000}
RUNS=${BENCH_RUNS:-11}
OUT=${BENCH_OUT:-$BUILD/tests/bench/out}
mkdir -p "$OUT"

"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
cfg=$(oa_write_config "$TH_DIR/socialhub.conf" <<C
session { secret_file = "$TH_DIR/session.key" }
provider corp { preset = "github" client_id = "rp" client_secret = "s" }
stream bench {
  source tag { type = "mastodon-tag" query = "brandlaunch" api_url = "http://127.0.0.1:9/mt" market = "de" }
}
admin { grant hq { role = "owner" who = {"corp:boss"} } }
C
)
mkdir -p "$TH_DIR/state"
t0=$(th_now_ms)
lib=$("$BUILD/tests/bench/modbench" "$TH_DIR/state" bench "$ITEMS" "$TH_DIR/keys") ||
	th_bail "modbench failed"
th_diag "filled $ITEMS queued items in $(($(th_now_ms) - t0)) ms; library: $(echo "$lib" | tr '\n' ' ')"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
oa_start_nginx
S=$TH_BASE/social
C="Cookie: socialhub_session=$(oa_forge "$(cat "$TH_DIR/session.key")" corp boss)"

times=()
for _ in $(seq 1 "$RUNS"); do
	t=$("${TH_CURL[@]}" -o "$TH_DIR/page.html" -w '%{time_total}' -H "$C" "$S/admin/moderation/bench")
	times+=("$t")
done
grep -q "$ITEMS item(s)" "$TH_DIR/page.html" || th_bail "the queue page does not count $ITEMS items"
rows=$(grep -c 'name="key"' "$TH_DIR/page.html")
med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$TH_DIR/page.html" | head -1)
{
	printf 'csrf=%s&action=approve' "$csrf"
	sed 's/^/\&key=/' "$TH_DIR/keys" | tr -d '\n'
} >"$TH_DIR/form"
bulk=$("${TH_CURL[@]}" -o /dev/null -w '%{http_code} %{time_total}' -H "$C" \
	-H "Origin: http://127.0.0.1:$TH_PORT" --data-binary "@$TH_DIR/form" \
	-H "Content-Type: application/x-www-form-urlencoded" "$S/admin/moderation/bench")
code=${bulk% *}
bulk_ms=$(awk -v t="${bulk#* }" 'BEGIN {printf "%.1f", t * 1000}')
[ "$code" = 303 ] || th_bail "bulk approval answered $code"
"${TH_CURL[@]}" -o "$TH_DIR/audit.json" -H "$C" "$S/admin/moderation/bench/audit.json"
approved=$(grep -o '"action": *"approve"' "$TH_DIR/audit.json" | wc -l)

printf 'queue_page_ms\t%s\t(%s items, %s rows, median of %s; target <= 100)\n' "$med" "$ITEMS" "$rows" "$RUNS"
printf 'bulk_approve_1000_ms\t%s\t(one POST, %s audit rows; target <= 1000)\n' "$bulk_ms" "$approved"
printf 'library\t%s\n' "$(echo "$lib" | tr '\n' ' ')"
printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$ITEMS" "$med" "$bulk_ms" >>"$OUT/moderation.tsv"
ok=0
awk -v m="$med" 'BEGIN {exit !(m <= 100)}' && th_ok "queue page with $ITEMS items: $med ms (<= 100)" ||
	{ th_not_ok "queue page with $ITEMS items: $med ms (target <= 100)"; ok=1; }
awk -v b="$bulk_ms" 'BEGIN {exit !(b <= 1000)}' && th_ok "bulk approval of 1000: $bulk_ms ms (<= 1000)" ||
	{ th_not_ok "bulk approval of 1000: $bulk_ms ms (target <= 1000)"; ok=1; }
st=1000
[ "$approved" = "$st" ] && th_ok "audit: 1000 approvals" || th_not_ok "audit: 1000 approvals" "got $approved"
th_done

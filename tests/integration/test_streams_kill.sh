#!/usr/bin/env bash
# test_streams_kill.sh: SIGKILL `socialhub refresh` at random moments while
# it writes ~50 MB of cache per pass, many times; after every kill the real
# reader (cache_fsck) must accept only complete, valid files and reject
# every partial temp file. Finally an unkilled pass must recover fully.
# STREAMS_KILL_ITER sets the number of kills (default 40).
#
# Writes to the page cache take about a millisecond, so a random kill
# rarely lands inside one. With strace installed, every write(2) is delayed
# by 20 ms (fault injection) to widen that window; the process killed is
# socialhub itself, never strace.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

FSCK=${CACHE_FSCK:-${top_builddir:-$(dirname "$SOCIALHUB")}/tests/integration/cache_fsck}
th_require_socialhub
th_require_cmd /usr/bin/python3 "$FSCK"
th_init streams-kill
st_start_fixture || th_bail "fixture server did not start"

ITER=${STREAMS_KILL_ITER:-40}
NSRC=24
streams="stream big {"
for i in $(seq 1 $NSRC); do
	# ~1.3 MB of RSS per source, new items on every request (vary).
	streams+=$'\n'"  source s$i { url = \"$FIX/feed?id=k$i&n=40&pad=16&vary=1\" }"
done
streams+=$'\n  max_items = 1000\n}'
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$streams")
C=$TH_DIR/cache

SLOW=()
if command -v strace >/dev/null 2>&1; then
	SLOW=(strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_enter=20000)
	# LeakSanitizer cannot run under ptrace (sanitizer builds).
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	th_diag "writes slowed by 20 ms each (strace fault injection)"
fi

# The pid of socialhub: the process itself, or strace's child.
target_pid() {
	local pid=$1 c waited=0
	[ ${#SLOW[@]} -eq 0 ] && { echo "$pid"; return; }
	while [ "$waited" -lt 2000 ]; do
		c=$(th_children "$pid" | head -n 1)
		[ -n "$c" ] && { echo "$c"; return; }
		sleep 0.01
		waited=$((waited + 10))
	done
}

# One complete pass first, to learn how long a pass takes.
t0=$(date +%s%N)
"${SLOW[@]}" "$SOCIALHUB" refresh -c "$cfg" --force >/dev/null 2>>"$TH_DIR/socialhub.log"
st_expect_eq "a complete pass succeeds" "$?" 0
pass_ms=$((($(date +%s%N) - t0) / 1000000))
th_diag "one pass: $pass_ms ms, $(du -sm "$C" | cut -f1) MB in the cache"
[ "$pass_ms" -lt 100 ] && pass_ms=100

bad=0 partial=0 killed=0 last=
for i in $(seq 1 "$ITER"); do
	t0=$(date +%s%N)
	"${SLOW[@]}" "$SOCIALHUB" refresh -c "$cfg" --force >/dev/null 2>>"$TH_DIR/kill.log" &
	pid=$!
	target=$(target_pid "$pid")
	# A random moment within the first 90 % of the pass, from its start.
	delay=$((RANDOM % (pass_ms * 9 / 10) + 20 - ($(date +%s%N) - t0) / 1000000))
	[ "$delay" -gt 0 ] && sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
	if [ -n "$target" ] && th_alive "$target" && kill -KILL "$target" 2>/dev/null; then
		killed=$((killed + 1))
	fi
	wait "$pid" 2>/dev/null
	last=$("$FSCK" --rss-bodies "$C" 2>>"$TH_DIR/fsck.err")
	if [ $? -ne 0 ]; then
		bad=$((bad + 1))
		th_diag "after kill $i (at ${delay} ms): $last"
	fi
	p=$(printf '%s\n' "$last" | sed -n 's/.*rejected_partial=\([0-9]*\).*/\1/p')
	[ "${p:-0}" -gt "$partial" ] && partial=$p
done
th_diag "$ITER runs, $killed killed mid-pass; last fsck: $last"
st_expect_eq "no accepted file was invalid or corrupt after any of $ITER kills" "$bad" 0
[ -s "$TH_DIR/fsck.err" ] && th_diag_file "$TH_DIR/fsck.err" 10
if [ "$partial" -gt 0 ]; then
	th_ok "kills hit writes: $partial partial temp files, all rejected by the reader"
else
	th_not_ok "kills hit writes: partial temp files seen" "no partial file: the kills never landed mid-write"
fi
st_expect_range "most runs were killed before finishing" "$killed" $((ITER / 2)) "$ITER"

# Recovery: one unkilled pass leaves a complete, valid cache.
"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/final.out" 2>>"$TH_DIR/socialhub.log"
st_expect_eq "a pass after the kills succeeds" "$?" 0
out=$("$FSCK" --rss-bodies "$C")
st_expect_eq "final fsck clean" "$?" 0
th_diag "final: $out"
complete=0
for i in $(seq 1 $NSRC); do
	[ "$(st_status "$FIX/feed?id=k$i&n=40&pad=16&vary=1" items)" = 40 ] && complete=$((complete + 1))
done
st_expect_eq "every source has its 40 items after recovery" "$complete" "$NSRC"
st_expect_eq "merged stream complete after recovery" \
	"$(st_tool get "$C/streams/big/meta.json" count)" $((NSRC * 40))

# Sanitizer builds: any report fails the test.
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" "$TH_DIR/kill.log" 2>/dev/null; then
	th_not_ok "no sanitizer report" "$(grep -Eh -A3 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" "$TH_DIR/kill.log" | head -20)"
else
	th_ok "no sanitizer report"
fi

th_done

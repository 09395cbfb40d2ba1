#!/usr/bin/env bash
# test_streams_kill.sh: SIGKILL `socialhub refresh` in the middle of its
# pass, many times; after every kill the real reader (cache_fsck) must
# accept only complete, valid files and reject every partial temp file.
# Finally an unkilled pass must recover fully. STREAMS_KILL_ITER sets the
# number of kills (default 40).
#
# Kill points are counted in write(2) calls, not in time: kill i lands once
# the process has made K_i writes (syscw in /proc/PID/io), K_i drawn from
# the first 90 % of the writes of a complete pass. So every kill lands
# before the pass ends and in the same places whatever the machine's load.
# The pass writes its own PID before it execs socialhub, so the test never
# looks for it in /proc.
#
# Writes to the page cache take about a millisecond, so a kill rarely lands
# inside one. With strace installed, every write(2) is delayed by 20 ms
# (fault injection) to widen that window: a kill then mostly lands while a
# writer holds a temp file it has not written yet. The process killed is
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
t_start=$SECONDS

ITER=${STREAMS_KILL_ITER:-40}
NSRC=24
streams="stream big {"
for i in $(seq 1 $NSRC); do
	# 40 items per source, new ones on every request (vary): each pass
	# rewrites every file. 108 files, about 2 MB.
	streams+=$'\n'"  source s$i { url = \"$FIX/feed?id=k$i&n=40&vary=1\" }"
done
streams+=$'\n  max_items = 1000\n}'
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$streams")
C=$TH_DIR/cache

SLOW=()
if command -v strace >/dev/null 2>&1; then
	# seccomp-bpf: only write(2) stops for strace, the rest runs untraced.
	SLOW=(strace -f --seccomp-bpf -qq -o /dev/null -e trace=write -e inject=write:delay_enter=20000)
	"${SLOW[@]}" true 2>/dev/null || SLOW=(strace -f -qq -o /dev/null -e trace=write -e inject=write:delay_enter=20000)
	# LeakSanitizer cannot run under ptrace (sanitizer builds).
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	th_diag "writes slowed by 20 ms each (strace fault injection)"
fi

# A pipe nobody writes to: `read -t` on it sleeps without a fork.
exec {NAP}<> <(:)
nap() { read -r -t "$1" -u "$NAP" _; }

# syscw PID: sets W to the write calls PID has made; false once it is gone.
syscw() {
	local k v
	W=
	{
		while read -r k v; do
			[ "$k" = syscw: ] && { W=$v; break; }
		done <"/proc/$1/io"
	} 2>/dev/null
	[ -n "$W" ]
}

# refresh_pass KILL_AT LOG: one forced refresh, stderr to LOG. KILL_AT > 0:
# SIGKILL once the process has made KILL_AT writes. Sets RC (its exit
# status), PEAK (the last write count seen) and KILLED (1 when our SIGKILL
# ended it).
refresh_pass() {
	local at=$1 log=$2 pidf=$TH_DIR/refresh.pid pid target=
	rm -f "$pidf"
	"${SLOW[@]}" sh -c 'echo $$ >"$0" && exec "$@"' "$pidf" \
		"$SOCIALHUB" refresh -c "$cfg" --force >/dev/null 2>>"$log" &
	pid=$!
	KILLED=0 PEAK=0
	while [ -z "$target" ] && th_alive "$pid"; do
		{ read -r target <"$pidf"; } 2>/dev/null || nap 0.005
	done
	while [ -n "$target" ] && syscw "$target"; do
		PEAK=$W
		if [ "$at" -gt 0 ] && [ "$W" -ge "$at" ]; then
			kill -KILL "$target" 2>/dev/null && KILLED=1
			break
		fi
		nap 0.02
	done
	wait "$pid" 2>/dev/null
	RC=$?
	# strace exits with its tracee's signal: 137 is socialhub killed by ours.
	[ "$RC" = 137 ] || KILLED=0
}

# One complete pass first: the cache the kills damage, and its write count.
t0=$(th_now_ms)
refresh_pass 0 "$TH_DIR/socialhub.log"
st_expect_eq "a complete pass succeeds" "$RC" 0
nwrites=$PEAK
th_diag "one pass: $(($(th_now_ms) - t0)) ms, $nwrites writes, $(du -sk "$C" | cut -f1) KiB in the cache"
[ "$nwrites" -ge 20 ] || th_bail "a pass made $nwrites writes; too few to kill it in the middle"
span=$((nwrites * 9 / 10))

bad=0 partial=0 killed=0 last= points= pass_ms=0 fsck_ms=0
for i in $(seq 1 "$ITER"); do
	at=$((RANDOM % span + 1))
	t0=${EPOCHREALTIME/[.,]/}
	refresh_pass "$at" "$TH_DIR/kill.log"
	t1=${EPOCHREALTIME/[.,]/}
	points+=" $at"
	[ "$KILLED" = 1 ] && killed=$((killed + 1))
	"$FSCK" --rss-bodies "$C" >"$TH_DIR/fsck.out" 2>>"$TH_DIR/fsck.err"
	rc=$?
	read -r last <"$TH_DIR/fsck.out"
	t2=${EPOCHREALTIME/[.,]/}
	pass_ms=$((pass_ms + (t1 - t0) / 1000)) fsck_ms=$((fsck_ms + (t2 - t1) / 1000))
	if [ $rc -ne 0 ]; then
		bad=$((bad + 1))
		th_diag "after kill $i (at write $at, exit $RC): $last"
	fi
	[[ $last =~ rejected_partial=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt "$partial" ] &&
		partial=${BASH_REMATCH[1]}
done
th_diag "$ITER runs, $killed killed mid-pass, at writes (of $nwrites):$points"
th_diag "time in the killed passes: $pass_ms ms; in cache_fsck: $fsck_ms ms"
th_diag "last fsck: $last"
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
urls=()
for i in $(seq 1 $NSRC); do urls+=("$FIX/feed?id=k$i&n=40&vary=1"); done
complete=0
while read -r n; do
	[ "$n" = 40 ] && complete=$((complete + 1))
done < <(st_tool each "$C" items "${urls[@]}")
st_expect_eq "every source has its 40 items after recovery" "$complete" "$NSRC"
st_expect_eq "merged stream complete after recovery" \
	"$(st_tool get "$C/streams/big/meta.json" count)" $((NSRC * 40))

# Sanitizer builds: any report fails the test.
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" "$TH_DIR/kill.log" 2>/dev/null; then
	th_not_ok "no sanitizer report" "$(grep -Eh -A3 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" "$TH_DIR/kill.log" | head -20)"
else
	th_ok "no sanitizer report"
fi
th_diag "streams-kill: $((SECONDS - t_start)) s"

th_done

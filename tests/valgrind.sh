#!/usr/bin/env bash
# valgrind.sh — `make valgrind`: the integration suite with every socialhub
# process (master, workers, refresher, and the one-shot commands the tests
# run: refresh, check-config, keygen, CGI mode) under valgrind memcheck.
# Each process writes its own log (%p); the run fails when any log reports a
# memory error or a definitely/indirectly lost block. Still-reachable blocks
# (libcurl/OpenSSL/libxml2 globals at exit) are not leaks and not counted.
#
# Integration checks that measure time (drain < 2 s, kill/replace timing,
# slow-loris windows) can fail under valgrind's 20-50x slow-down; their TAP
# results are printed for information, the verdict is the memcheck one.
#   VG_TESTS   test scripts to run (default: every tests/integration/test_*.sh
#              but test_streams_kill.sh: its 200 kill -9s leave no leak
#              report to read and take half an hour under valgrind)
#   VG_KEEP=1  keep the log folder
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
# The program behind the launcher: valgrind does not follow its exec.
real=$top_builddir/socialhub-core
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed" >&2; exit 77; }
[ -x "$real" ] || { echo "valgrind.sh: build $real first" >&2; exit 1; }

vg=$(mktemp -d "${TMPDIR:-/tmp}/socialhub-vg.XXXXXX")
[ "${VG_KEEP:-0}" = 1 ] || trap 'rm -rf "$vg"' EXIT
cat >"$vg/socialhub" <<EOF
#!/bin/sh
exec valgrind --quiet --tool=memcheck --leak-check=full \\
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
	--track-origins=no --num-callers=30 --log-file="$vg/logs/vg.%p.log" \\
	"$real" "\$@"
EOF
chmod +x "$vg/socialhub"
# Tests find the widget bundle next to the binary.
ln -s "$top_builddir/widgets" "$vg/widgets"
mkdir -p "$vg/logs" "$vg/tap"
export SOCIALHUB=$vg/socialhub DEMO_START_TIMEOUT=90

tests=${VG_TESTS:-$(cd "$top_srcdir" && ls tests/integration/test_*.sh | grep -v test_streams_kill)}
printf '%-34s %6s %6s %8s\n' test checks failed seconds
for t in $tests; do
	name=$(basename "$t" .sh)
	start=$(date +%s)
	(cd "$top_builddir" && bash "$top_srcdir/$t") >"$vg/tap/$name.tap" 2>&1 </dev/null
	end=$(date +%s)
	n=$(grep -cE '^(not )?ok ' "$vg/tap/$name.tap")
	bad=$(grep -cE '^not ok ' "$vg/tap/$name.tap")
	skip=$(grep -qE '^1\.\.0' "$vg/tap/$name.tap" && echo " (skipped)")
	printf '%-34s %6s %6s %8s%s\n' "$name" "$n" "$bad" "$((end - start))" "$skip"
	grep -E '^not ok ' "$vg/tap/$name.tap" | head -n 5 | sed 's/^/    /'
done

# The memcheck verdict: one line per process log with a finding.
logs=$(find "$vg/logs" -name 'vg.*.log' | wc -l)
found=0
for f in "$vg"/logs/vg.*.log; do
	[ -s "$f" ] || continue
	if grep -qE 'definitely lost|indirectly lost|Invalid (read|write|free)|uninitialised|Mismatched free|overlap' "$f"; then
		found=$((found + 1))
		echo "--- $f"
		head -n 60 "$f"
	fi
done
echo "valgrind: $logs socialhub processes checked, $found with a memory error or leak"
[ "$found" = 0 ]

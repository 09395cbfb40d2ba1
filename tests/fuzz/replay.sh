#!/bin/sh
# replay.sh — runs every fuzz target over its seed corpus (tests/fuzz/corpus/
# NAME) as an ordinary test. FUZZ_TARGETS lists the built targets.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
status=0
for t in ${FUZZ_TARGETS:-}; do
	name=${t##*/fuzz_}
	corpus="$top_srcdir/tests/fuzz/corpus/$name"
	[ -d "$corpus" ] || { echo "not ok - $name: no corpus at $corpus"; status=1; continue; }
	if out=$("$top_builddir/$t" -runs=0 "$corpus" 2>&1); then
		echo "ok - $name: $(echo "$out" | grep -E 'replayed|Done|INITED' | tail -1)"
	else
		echo "not ok - $name"
		echo "$out" | tail -30
		status=1
	fi
done
exit $status

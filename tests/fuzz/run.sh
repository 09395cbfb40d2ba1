#!/bin/sh
# run.sh — `make fuzz`: runs each libFuzzer target for FUZZ_SECONDS on a
# scratch copy of its corpus and reports executions, crashes, leaks and
# timeouts. New crashing inputs are left in tests/fuzz/findings/.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
secs=${FUZZ_SECONDS:-60}
findings="$top_builddir/tests/fuzz/findings"
mkdir -p "$findings"
status=0
printf '%-16s %12s %10s %s\n' target execs exec/s result
for t in ${FUZZ_TARGETS:-}; do
	name=${t##*/fuzz_}
	work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
	log="$findings/$name.log"
	"$top_builddir/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$findings/$name-" -print_final_stats=1 \
		"$work" "$top_srcdir/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
	result=ok
	if [ $rc -ne 0 ]; then result="FAILED (see $log)"; status=1; fi
	printf '%-16s %12s %10s %s\n' "$name" "${execs:-?}" "${rate:-?}" "$result"
	rm -rf "$work"
done
exit $status

#!/bin/sh
# coverage.sh — `make coverage`: after `make check` in a build configured
# with --enable-coverage, reports line coverage per module folder and per
# file, writes an HTML report to coverage/ and fails under COVERAGE_MIN.
set -eu
top_builddir=${top_builddir:-.}
min=${COVERAGE_MIN:-0}
cd "$top_builddir"
command -v lcov >/dev/null || { echo "coverage: lcov is not installed" >&2; exit 77; }
lcov -q --capture --directory . --output-file coverage.raw >/dev/null 2>&1
lcov -q --extract coverage.raw '*/util/*' '*/fcgi/*' '*/oauth/*' '*/widgets/*' \
	--output-file coverage.info >/dev/null 2>&1
genhtml -q coverage.info --output-directory coverage >/dev/null 2>&1 || true
total_hit=0; total_all=0
printf '%-10s %8s %8s %7s\n' module lines hit percent
for m in util fcgi oauth widgets; do
	lcov -q --extract coverage.info "*/$m/*" --output-file "coverage.$m" >/dev/null 2>&1 || continue
	set -- $(awk -F: '/^LF:/{a+=$2} /^LH:/{h+=$2} END{print a+0, h+0}' "coverage.$m")
	[ "$1" -gt 0 ] || continue
	printf '%-10s %8d %8d %6.1f%%\n' "$m" "$1" "$2" "$(echo "$2 * 100 / $1" | bc -l)"
	total_all=$((total_all + $1)); total_hit=$((total_hit + $2))
	rm -f "coverage.$m"
done
pct=$(echo "$total_hit * 100 / $total_all" | bc -l)
printf '%-10s %8d %8d %6.1f%%\n' total "$total_all" "$total_hit" "$pct"
echo
echo "per file (lowest first):"
awk -F: '/^SF:/{f=$2} /^LF:/{a=$2} /^LH:/{printf "%6.1f%% %5d/%-5d %s\n", (a? $2*100/a : 100), $2, a, f}' coverage.info \
	| sed "s|$(pwd)/||" | sort -n | head -40
if [ "$(echo "$pct < $min" | bc)" -eq 1 ]; then
	echo "coverage: $pct% is below the gate of $min%" >&2
	exit 1
fi

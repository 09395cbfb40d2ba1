#!/bin/sh
# parse_bench: feed parse throughput of socialhub next to Debian's
# python3-feedparser on the same files: in-process CPU time (feedbench,
# fpbench.py) on the feedparser corpus and large generated real-world-shaped
# feeds, then whole processes end to end (clibench.py). Standalone:
#   tests/bench/parse_bench.sh [BUILDDIR]     (or: make bench-parse)
# Environment: FEEDPARSER_CORPUS (default <top_srcdir>/../shared/corpus/
# feedparser), REPEAT (socialhub runs per file set, default 20), RUNS
# (end-to-end runs of each process per file, default 9: this VM's load
# moves single runs by up to 2 times).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top}
bench=$build/tests/bench/feedbench
corpus=${FEEDPARSER_CORPUS:-$top/../shared/corpus/feedparser}
repeat=${REPEAT:-20}
runs=${RUNS:-9}
py=/usr/bin/python3

if [ ! -x "$bench" ]; then
	(cd "$build" && make tests/bench/feedbench >/dev/null) || {
		echo "parse_bench: cannot build $bench" >&2; exit 1; }
fi
if ! $py -c 'import feedparser' 2>/dev/null; then
	echo "parse_bench: $py has no feedparser (apt install python3-feedparser)" >&2
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/parse_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
$py "$here/gen_feeds.py" "$work"

# One line per data set: name, MB, socialhub cpu MB/s, feedparser cpu
# MB/s, ratio (CPU time: the machine may be shared).
row() {
	name=$1; shift
	sh=$("$bench" -r "$repeat" "$@")
	fp=$($py "$here/fpbench.py" -r 1 "$@")
	echo "$name|$sh|$fp" | awk -F'|' '{
		split($2, s, " "); split($3, f, " ");
		printf "%-22s %8.2f %12.1f %12.2f %9.0fx\n", $1, s[2] / 1e6,
		    s[6], f[6], s[6] / f[6] }'
}

printf "%-22s %8s %12s %12s %10s\n" "data set" "MB" "socialhub" "feedparser" "ratio"
printf "%-22s %8s %12s %12s %10s\n" "" "" "MB/s (cpu)" "MB/s (cpu)" ""
if [ -d "$corpus" ]; then
	find "$corpus" -type f \( -name '*.xml' -o -name '*.json' \) | sort > "$work/corpus.list"
	# shellcheck disable=SC2046
	row "feedparser corpus" $(cat "$work/corpus.list")
else
	echo "(no corpus at $corpus)"
fi
for f in wordpress-rss20.xml blog-atom10.xml youtube-atom.xml micro-jsonfeed.json; do
	row "$f" "$work/$f"
done
row "all generated" "$work"/*.xml "$work"/*.json
# End to end, wall clock: the whole `socialhub parse FILE` process (start,
# parse, JSON Feed written to /dev/null) next to the whole /usr/bin/python3
# process that imports feedparser and parses the file; medians of RUNS
# alternating runs each. Targets (issue 12): socialhub >= 100 MB/s and
# >= 50x feedparser on every generated file.
echo
printf "%-22s %8s %9s %10s %10s %11s %8s\n" "end to end (wall)" "MB" \
    "socialhub" "MB/s" "feedparser" "MB/s" "ratio"
printf "%-22s %8s %9s %10s %10s %11s %8s\n" "median of $runs" "" "ms" "" "ms" "" ""
$py "$here/clibench.py" -n "$runs" "$build/socialhub" \
    "$work/wordpress-rss20.xml" "$work/blog-atom10.xml" \
    "$work/youtube-atom.xml" "$work/micro-jsonfeed.json" |
    awk '{ mb = $2 / 1e6; s = mb / $3; f = mb / $4;
	printf "%-22s %8.2f %9.1f %10.1f %10.0f %11.2f %7.0fx\n", $1, mb,
	    $3 * 1e3, s, $4 * 1e3, f, s / f }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/bin/sh
# parse_bench: feed parse throughput of socialhub (in-process, feedbench)
# next to Debian's python3-feedparser on the same files: the feedparser
# corpus and large generated real-world-shaped feeds. Standalone:
#   tests/bench/parse_bench.sh [BUILDDIR]     (or: make bench-parse)
# Environment: FEEDPARSER_CORPUS (default <top_srcdir>/../shared/corpus/
# feedparser), REPEAT (socialhub runs per file set, default 20).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top}
bench=$build/tests/bench/feedbench
corpus=${FEEDPARSER_CORPUS:-$top/../shared/corpus/feedparser}
repeat=${REPEAT:-20}
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
# With process start-up, one large file through the CLI.
start=$(date +%s%N)
"$build/socialhub" parse "$work/wordpress-rss20.xml" > /dev/null
end=$(date +%s%N)
size=$(wc -c < "$work/wordpress-rss20.xml")
echo "$size $start $end" | awk '{ printf "socialhub parse (CLI: start-up, parse, JSON output) wordpress-rss20.xml: %.0f ms, %.1f MB/s\n", ($3 - $2) / 1e6, $1 / (($3 - $2) / 1e9) / 1e6 }'

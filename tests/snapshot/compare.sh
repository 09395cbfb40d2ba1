#!/usr/bin/env bash
# compare.sh: compares two snapshots made by tests/snapshot/snapshot.sh.
#
# Usage: tests/snapshot/compare.sh DIR_A DIR_B
#
# Prints "identical" and exits 0 when the two trees are byte for byte the
# same. Otherwise prints a summary (how many records differ in each area,
# then every differing record: a changed parse input names its input file,
# a changed route record names its request), then `diff -ru` of the
# differing text files, and exits 1. Exit 2 on bad usage.
#
# Environment:
#   COMPARE_MAX_RECORDS=N differing records to list (default 300; 0: all)
#   COMPARE_MAX_LINES=N   lines of unified diff to show (default 600; 0: all)
set -u

[ $# -eq 2 ] || { echo "usage: $0 DIR_A DIR_B" >&2; exit 2; }
a=${1%/}
b=${2%/}
for d in "$a" "$b"; do
	[ -d "$d" ] || { echo "compare: no such directory: $d" >&2; exit 2; }
	[ -f "$d/SNAPSHOT" ] || echo "compare: warning: $d has no SNAPSHOT file (not made by snapshot.sh?)" >&2
done
max=${COMPARE_MAX_LINES:-600}
max_records=${COMPARE_MAX_RECORDS:-300}

list=$(mktemp) || exit 2
trap 'rm -f "$list"' EXIT

# One line per difference: "changed PATH", "only-a PATH", "only-b PATH".
LC_ALL=C diff -rq "$a" "$b" 2>&1 | LC_ALL=C awk -v a="$a/" -v b="$b/" '
	/^Files .* differ$/ {
		p = substr($0, 7 + length(a))
		p = substr(p, 1, index(p, " and ") - 1)
		print "changed " p
		next
	}
	/^Only in / {
		rest = substr($0, 9)
		dir = substr(rest, 1, index(rest, ": ") - 1)
		name = substr(rest, index(rest, ": ") + 2)
		if (index(dir "/", a) == 1) { side = "only-a"; dir = substr(dir "/", length(a) + 1) }
		else { side = "only-b"; dir = substr(dir "/", length(b) + 1) }
		print side " " dir name
		next
	}
	{ print "other " $0 }' | LC_ALL=C sort -k2 >"$list"

if [ ! -s "$list" ]; then
	echo "identical: $a and $b"
	exit 0
fi

# Area of a record: cli, daemon, parse/TREE, routes/MODE/GROUP.
area() {
	awk '{
		n = split($2, p, "/")
		if (p[1] == "parse") a = (n > 2) ? p[1] "/" p[2] : p[1] "/" p[2] " (index)"
		else if (p[1] == "routes") a = p[1] "/" p[2] "/" p[3]
		else a = p[1]
		print a
	}'
}

echo "DIFFERENT: $a vs $b"
echo
echo "records that differ, by area:"
area <"$list" | LC_ALL=C sort | uniq -c | sed 's/^/  /'
echo
echo "records:"
n=0
while read -r kind path; do
	n=$((n + 1))
	if [ "$max_records" != 0 ] && [ $n -gt "$max_records" ]; then
		echo "  ... ($(($(wc -l <"$list") - max_records)) more; COMPARE_MAX_RECORDS=0 lists all)"
		break
	fi
	case $kind in
	changed) what="changed   " ;;
	only-a) what="only in A " ;;
	only-b) what="only in B " ;;
	*) what="          " ;;
	esac
	case $path in
	parse/*.index) note="(exit statuses)" ;;
	parse/*/*.out)
		t=${path#parse/}
		input=${t#*/}
		note="input of ${t%%/*}: ${input%.out}"
		;;
	routes/*)
		f=$a/$path
		[ -f "$f" ] || f=$b/$path
		note=$(head -n 1 "$f" 2>/dev/null | cut -c1-120)
		;;
	*) note= ;;
	esac
	printf '  %s %-60s %s\n' "$what" "$path" "$note"
done <"$list"
echo

echo "unified diff (A = $a, B = $b):"
if [ "$max" = 0 ]; then
	LC_ALL=C diff -ru --text "$a" "$b"
else
	LC_ALL=C diff -ru --text "$a" "$b" | head -n "$max"
	total=$(LC_ALL=C diff -ru --text "$a" "$b" | wc -l)
	[ "$total" -gt "$max" ] &&
	    echo "... ($((total - max)) more lines; COMPARE_MAX_LINES=0 shows all)"
fi
exit 1

#!/usr/bin/env bash
# run_all.sh: runs every tests/integration/test_*.sh; exit 1 if any failed.
# Exit status 77 of a script (missing prerequisite) counts as skipped.
# Honours SOCIALHUB, top_srcdir, top_builddir, KEEP, TMPDIR like the tests.

HERE=$(cd "$(dirname "$0")" && pwd)
pass=() fail=() skip=()

for t in "$HERE"/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "=== $name"
	bash "$t"
	rc=$?
	case $rc in
	0) pass+=("$name") ;;
	77) skip+=("$name") ;;
	*) fail+=("$name ($rc)") ;;
	esac
done

echo "=== summary: ${#pass[@]} passed, ${#fail[@]} failed, ${#skip[@]} skipped"
[ ${#fail[@]} -gt 0 ] && echo "failed: ${fail[*]}"
[ ${#skip[@]} -gt 0 ] && echo "skipped: ${skip[*]}"
[ ${#fail[@]} -eq 0 ]

#!/bin/sh
# run.sh — the whole test suite from a clean clone: installs dependencies,
# builds with -Werror, runs `make lint` (banned functions, include rules)
# and `make check` (unit, integration, browser and
# conformance tests) and prints every test log so the cmocka result lines
# are visible. Then builds a second copy of the committed tree out of tree
# with --enable-sanitizers (ASan + UBSan) and runs `make check` there
# (SANITIZER_TESTS selects a subset of TESTS; empty: all but the ones
# SANITIZER_SKIP names, whose sanitized run adds nothing: the feed
# corpora they parse process by process are parsed in-process, under the
# sanitizers, by test_feed and test_jsonw, and the package build is the
# plain sources'); any sanitizer report fails the run. SOCIALHUB_CI_SANITIZERS=0 skips that pass.
# Exit status is non-zero when either pass fails. The last line is the
# wall time, with each step's share.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
run_start=$(date +%s)
step_start=$run_start
steps=""
# step NAME: closes the step that ran since the last call.
step() {
	now=$(date +%s)
	steps="$steps $1 $((now - step_start)) s,"
	step_start=$now
}
# slowest DIR: the ten slowest tests of a pass, from each log's birth to
# its last write (automake removes the logs before a run).
slowest() {
	echo "=== slowest tests ($1)"
	(cd "$1" && find tests -name '*.log' ! -name 'test-suite.log' -exec stat -c '%W %Y %n' {} +) |
		awk '$1 > 0 { printf "%6d s  %s\n", $2 - $1, $3 }' | sort -rn | head -n 10
}
finish() {
	echo "=== tests/run.sh: $(($(date +%s) - run_start)) s wall (${steps%,})"
}
trap finish EXIT
"$top/deploy/install-deps.sh" test || exit 1
step deps
if [ ! -x ./configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi || exit 1
fi
if [ ! -f Makefile ]; then
	./configure --enable-werror || exit 1
fi
make -j2 || exit 1
step build
make lint || exit 1
step lint
make -j2 check
status=$?
step check
for log in $(find tests -name '*.log' ! -name 'test-suite.log' | sort); do
	echo "=== $log"
	cat "$log"
done
grep -h '^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\)' test-suite.log 2>/dev/null
slowest "$top"
[ "${SOCIALHUB_CI_SANITIZERS:-1}" = 0 ] && exit $status

# ---- second pass: ASan + UBSan build of the same tree, out of tree ----
echo "=== sanitizer pass (ASan + UBSan)"
san_start=$(date +%s)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/socialhub-asan.XXXXXX") || exit 1
# nginx workers run unprivileged and serve files from the export.
chmod 0755 "$scratch"
trap 'rm -rf "$scratch"; finish' EXIT
if git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1; then
	# The committed tree; (uncommitted edits are the first pass's business).
	git -C "$top" archive --prefix=src/ HEAD | tar -x -C "$scratch" || exit 1
else
	make distdir distdir="$scratch/src" >/dev/null || exit 1
fi
# What the export lacks: the npm modules (install-deps.sh ran npm ci in
# this tree) and the shared feedparser corpus next to the source tree.
[ -d "$top/tests/js/node_modules" ] && ln -s "$top/tests/js/node_modules" "$scratch/src/tests/js/node_modules"
[ -d "$top/../shared" ] && ln -s "$top/../shared" "$scratch/shared"
mkdir -p "$scratch/san"
# Every process (unit tests, the daemon under nginx, fixtures) logs its
# reports to $scratch/san/; the runtime continues for ASan leak reports so
# a daemon's finding does not hide behind a test's retry.
ASAN_OPTIONS="log_path=$scratch/san/asan:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
UBSAN_OPTIONS="log_path=$scratch/san/ubsan:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS UBSAN_OPTIONS
san_status=0
(
	cd "$scratch/src" && autoreconf -fi >/dev/null 2>&1 && mkdir b && cd b &&
	../configure --enable-sanitizers >"$scratch/configure.log" 2>&1 &&
	make -j2 >"$scratch/make.log" 2>&1
) || { echo "sanitizer build failed"; tail -40 "$scratch/make.log" "$scratch/configure.log" 2>/dev/null; exit 1; }
step sanitizer-build
SANITIZER_SKIP=${SANITIZER_SKIP-tests/conformance/run.py tests/conformance/wild_diff.py tests/integration/test_deb.sh}
if [ -z "${SANITIZER_TESTS:-}" ]; then
	# Every test of the Makefile but the skipped ones.
	all=$(printf 'print-tests:\n\t@echo $(TESTS)\n' |
		make -s -C "$scratch/src/b" -f Makefile -f - print-tests)
	SANITIZER_TESTS=$(for t in $all; do
		case " $SANITIZER_SKIP " in *" $t "*) ;; *) printf '%s ' "$t" ;; esac
	done)
	echo "sanitizer pass skips: $SANITIZER_SKIP"
fi
(cd "$scratch/src/b" && make -j2 check TESTS="$SANITIZER_TESTS") >"$scratch/check.log" 2>&1 || san_status=1
step sanitizer-check
for log in $(cd "$scratch/src/b" && find tests -name '*.log' ! -name 'test-suite.log' | sort); do
	if grep -q '^\(FAIL\|ERROR\|not ok\)\|\[  FAILED  \]' "$scratch/src/b/$log"; then
		echo "=== sanitizer pass: $log"
		cat "$scratch/src/b/$log"
	fi
done
findings=$(find "$scratch/san" -type f -size +0 2>/dev/null | sort)
if [ -n "$findings" ]; then
	echo "=== sanitizer findings"
	for f in $findings; do
		echo "--- $f"
		head -60 "$f"
	done
	san_status=1
fi
slowest "$scratch/src/b"
echo "=== sanitizer pass summary ($(( $(date +%s) - san_start )) s)"
grep -h '^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\)' "$scratch/src/b/test-suite.log" 2>/dev/null
echo "sanitizer findings: $(echo "$findings" | grep -c .)"
[ $san_status -ne 0 ] && status=1
exit $status

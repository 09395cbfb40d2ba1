#!/bin/sh
# run.sh — the whole test suite from a clean clone: installs dependencies,
# builds with -Werror, runs `make check` (unit, integration, browser and
# conformance tests) and prints every test log so the cmocka result lines
# are visible. Exit status is make check's.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
"$top/deploy/install-deps.sh" test || exit 1
if [ ! -x ./configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi || exit 1
fi
if [ ! -f Makefile ]; then
	./configure --enable-werror || exit 1
fi
make -j2 || exit 1
make -j2 check
status=$?
for log in $(find tests -name '*.log' ! -name 'test-suite.log' | sort); do
	echo "=== $log"
	cat "$log"
done
grep -h '^# \(TOTAL\|PASS\|SKIP\|XFAIL\|FAIL\|XPASS\|ERROR\)' test-suite.log 2>/dev/null
exit $status

#!/bin/sh
# start.sh — the demo from a clean clone: installs dependencies, builds
# socialhub and runs deploy/demo/run.sh (prints the URL; Ctrl-C stops it).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
"$top/deploy/install-deps.sh" demo
if [ ! -x ./configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi
fi
[ -f Makefile ] || ./configure
make -j2
exec "$top/deploy/demo/run.sh" "$top"

#!/bin/sh
# install-deps.sh demo|test|bench — installs what socialhub needs on Debian 12:
# Debian packages through apt-get (skipped when already present) and the npm
# packages of tests/js from its committed lock file. Needs root for apt-get.
set -eu
mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

build="build-essential autoconf automake libtool pkg-config libfcgi-dev libfcgi-bin
 libcurl4-openssl-dev libjansson-dev libssl-dev libconfuse-dev libxml2-dev libsqlite3-dev
 libcmocka-dev libpsl-dev libhiredis-dev libicu-dev publicsuffix nginx curl ca-certificates nodejs"
case $mode in
demo) pkgs="$build" ;;
test) pkgs="$build redis-server spawn-fcgi chromium python3 python3-feedparser valgrind clang strace openssl
 libclang-rt-14-dev lcov wrk procps psmisc prometheus systemd debhelper lintian util-linux" ;;
bench) pkgs="$build spawn-fcgi wrk python3-feedparser apache2 libapache2-mod-auth-openidc procps" ;;
*) echo "usage: $0 demo|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	# nodejs may come from elsewhere (nodesource): a working node is enough.
	if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: apt-get install$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq </dev/null || true
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
fi
if [ ! -d "$top/tests/js/node_modules" ] || [ "$top/tests/js/package-lock.json" -nt "$top/tests/js/node_modules" ]; then
	echo "install-deps: npm ci (tests/js)"
	(cd "$top/tests/js" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
	touch "$top/tests/js/node_modules"
fi

#!/bin/sh
# build-deb.sh SRCDIR BUILDDIR [OUTDIR]: `make deb`. Exports the configured
# tree with `make distdir` into a scratch folder, copies deploy/debian/ to
# debian/ there, builds the binary package with dpkg-buildpackage (no
# tests: CI runs make check on the tree), runs lintian when installed
# (errors fail the build) and leaves the .deb and .changes in OUTDIR
# (default BUILDDIR). DEB_JOBS: make jobs (2).
set -eu
src=$1
build=$2
out=${3:-$2}
ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$build/Makefile")
deb_ver=$(sed -n '1s/^socialhub (\([^)]*\)).*/\1/p' "$src/deploy/debian/changelog")
case $deb_ver in
"$ver"-*) ;;
*)
	echo "build-deb: deploy/debian/changelog is at $deb_ver, the tree at $ver: add an entry" >&2
	exit 1
	;;
esac
scratch=$(mktemp -d "${TMPDIR:-/tmp}/socialhub-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tree=$scratch/socialhub-$ver
${MAKE:-make} -s -C "$build" distdir distdir="$tree" >/dev/null
cp -R "$src/deploy/debian" "$tree/debian"
rm -f "$tree/debian/build-deb.sh"
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=${DEB_JOBS:-2} ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -b -us -uc) >"$scratch/build.log" 2>&1 || {
	tail -n 40 "$scratch/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
mkdir -p "$out"
for f in "$scratch"/socialhub_"$deb_ver"_*.deb "$scratch"/socialhub_"$deb_ver"_*.changes \
	"$scratch"/socialhub_"$deb_ver"_*.buildinfo; do
	[ -e "$f" ] && cp "$f" "$out/"
done
deb=$(ls "$out"/socialhub_"$deb_ver"_*.deb)
if command -v lintian >/dev/null 2>&1; then
	lintian --allow-root --fail-on error "$deb"
else
	echo "build-deb: lintian not installed, not checked" >&2
fi
echo "build-deb: $deb"

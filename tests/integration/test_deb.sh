#!/usr/bin/env bash
# test_deb.sh: `make deb` (deploy/debian/ in a scratch export, built with
# dpkg-buildpackage) makes a package that lintian passes without errors,
# whose files (dpkg -x into a scratch root) are the units, snippets,
# example config, rules, dashboard and docs, and whose postinst creates
# the socialhub user and its state and cache folders with adduser
# (issue 16, item 6). Took 3.5-4.3 min on the shared 2-core machine (load ~16): one full
# optimised build.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/install_files.sh
. "$(dirname "$0")/install_files.sh"

B=${top_builddir:-$TH_SRCDIR}
[ -f "$B/Makefile" ] || th_skip_all "no configured build tree at $B"
th_require_cmd make dpkg-buildpackage dh dpkg-deb lintian
# distcheck's read-only source copy: one package build per tree is enough.
[ -w "$TH_SRCDIR" ] || th_skip_all "read-only source tree (distcheck)"
# The package is built from the plain sources with their own flags: the
# sanitizer pass (tests/run.sh) would build the same package again.
th_sanitized && th_skip_all "the package build does not change under the sanitizer pass"
th_init deb

OUT=$TH_DIR/out
start=$(date +%s)
if make -s -C "$B" deb DEB_OUTDIR="$OUT" >"$TH_DIR/deb.log" 2>&1; then
	th_ok "make deb ($(($(date +%s) - start)) s)"
else
	th_not_ok "make deb" "$(tail -n 30 "$TH_DIR/deb.log")"
	th_done
fi
DEB=$(ls "$OUT"/socialhub_*.deb 2>/dev/null | head -n 1)
[ -n "$DEB" ] || th_bail "no .deb in $OUT"
th_diag "$(basename "$DEB"): $(stat -c %s "$DEB") bytes"

# lintian: make deb fails on errors; say what else it found.
lintian --allow-root "$DEB" >"$TH_DIR/lintian.out" 2>&1
errs=$(grep -c '^E:' "$TH_DIR/lintian.out")
st_errs=$([ "$errs" = 0 ] && echo ok)
[ "$st_errs" = ok ] && th_ok "lintian: no errors" || th_not_ok "lintian: no errors" "$(grep '^E:' "$TH_DIR/lintian.out")"
sed 's/^/#   lintian: /' "$TH_DIR/lintian.out"

R=$TH_DIR/root
dpkg-deb -x "$DEB" "$R" && th_ok "dpkg -x into a scratch root" || th_not_ok "dpkg -x into a scratch root"
if_check "$R" /usr /etc /lib/systemd/system "package"

dpkg-deb -e "$DEB" "$TH_DIR/control"
grep -q '^Depends:.*adduser' "$TH_DIR/control/control" && th_ok "Depends on adduser" ||
	th_not_ok "Depends on adduser" "$(grep '^Depends' "$TH_DIR/control/control")"
grep -qx /etc/socialhub/socialhub.conf.example "$TH_DIR/control/conffiles" &&
	th_ok "the example config is a conffile" || th_not_ok "the example config is a conffile"
grep -q 'adduser --quiet --system --group' "$TH_DIR/control/postinst" &&
	grep -q 'install -d -o socialhub -g socialhub' "$TH_DIR/control/postinst" &&
	th_ok "postinst creates the socialhub user and its folders with adduser" ||
	th_not_ok "postinst creates the socialhub user and its folders with adduser"
# The units are installed, not enabled: the daemon needs a config first.
if grep -q 'deb-systemd-helper enable' "$TH_DIR/control/postinst" &&
	! grep -q 'was-enabled' "$TH_DIR/control/postinst"; then
	th_not_ok "postinst enables nothing on a first install"
else
	th_ok "postinst enables nothing on a first install"
fi
th_done

#!/usr/bin/env bash
# test_install.sh: `make install DESTDIR=...` installs what the man pages
# point to (issue 16, item 6): the systemd units (systemd.pc's unit dir or
# --with-systemdsystemunitdir), the nginx snippets, the Prometheus rules
# and Grafana dashboard, the example config and doc/*.md; `make
# uninstall` takes every file back.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/install_files.sh
. "$(dirname "$0")/install_files.sh"

B=${top_builddir:-$TH_SRCDIR}
[ -f "$B/Makefile" ] || th_skip_all "no configured build tree at $B"
th_require_cmd make
th_init install

mkvar() {
	sed -n "s/^$1 = //p" "$B/Makefile" | head -n 1
}
prefix=$(mkvar prefix)
sysconfdir=$(mkvar sysconfdir | sed "s|\${prefix}|$prefix|")
units=$(mkvar systemdsystemunitdir)
th_diag "prefix $prefix, sysconfdir $sysconfdir, units ${units:-(none: no systemd.pc)}"
[ -n "$units" ] || th_skip_all "configured without a systemd unit dir"

R=$TH_DIR/root
if make -s -C "$B" install DESTDIR="$R" >"$TH_DIR/install.log" 2>&1; then
	th_ok "make install DESTDIR=..."
else
	th_not_ok "make install DESTDIR=..." "$(tail -n 20 "$TH_DIR/install.log")"
fi
if_check "$R" "$prefix" "$sysconfdir" "$units" "make install"
# The unit starts the socialhub this install put in place, on its config.
want="ExecStart=$prefix/bin/socialhub serve -c $sysconfdir/socialhub/socialhub.conf"
got=$(grep '^ExecStart=' "$R$units/socialhub.service")
[ "$got" = "$want" ] && th_ok "the installed unit's ExecStart names this prefix" ||
	th_not_ok "the installed unit's ExecStart names this prefix" "got '$got', want '$want'"
if make -s -C "$B" uninstall DESTDIR="$R" >"$TH_DIR/uninstall.log" 2>&1; then
	left=$(find "$R" -type f | sed "s|^$R||")
	st=$([ -z "$left" ] && echo ok)
	[ "$st" = ok ] && th_ok "make uninstall leaves no file" ||
		th_not_ok "make uninstall leaves no file" "$left"
else
	th_not_ok "make uninstall DESTDIR=..." "$(tail -n 20 "$TH_DIR/uninstall.log")"
fi
th_done

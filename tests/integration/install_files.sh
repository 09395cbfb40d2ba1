# install_files.sh: what an install must hold (issue 16, item 6), for
# test_install.sh (make install DESTDIR) and test_deb.sh (the package).
# Source after lib.sh.
#
#   if_check ROOT PREFIX SYSCONFDIR UNITDIR LABEL
#       one check per file: programs, man pages, example config, systemd
#       units, nginx snippets, Prometheus rules, Grafana dashboard, message
#       catalogs, docs
#       (a doc may be gzipped, as dh_compress leaves it)

IF_DOCS="README.md feeds.md outbound.md security.md share.md signon.md streams.md testing.md widgets.md"

if_check() {
	local root=$1 prefix=$2 etc=$3 units=$4 label=$5 f d
	for f in "$prefix/bin/socialhub" "$prefix/libexec/socialhub/socialhub-core"; do
		[ -x "$root$f" ] && th_ok "$label: $f" || th_not_ok "$label: $f" "missing or not executable"
	done
	# `parse` runs in the launcher itself: no third program.
	[ ! -e "$root$prefix/libexec/socialhub/socialhub-parse" ] &&
		th_ok "$label: no socialhub-parse (the launcher parses)" ||
		th_not_ok "$label: no socialhub-parse (the launcher parses)" "left installed"
	# ... and links libc alone for it, not even Jansson (doc/feeds.md; a
	# sanitizer build adds its runtime, nothing else).
	if command -v objdump >/dev/null 2>&1; then
		f=$(objdump -p "$root$prefix/bin/socialhub" | sed -n 's/^ *NEEDED *//p' | sort | tr '\n' ' ')
		other=
		for lib in $f; do
			case $lib in
			libc.so.* | libm.so.* | libasan.so.* | libubsan.so.* | libgcc_s.so.* | libstdc++.so.*) ;;
			*) other="$other $lib" ;;
			esac
		done
		[ -z "$other" ] && th_ok "$label: socialhub links libc alone ($f)" ||
			th_not_ok "$label: socialhub links libc alone" "also needs:$other"
	fi
	for f in "$etc/socialhub/socialhub.conf.example" \
		"$units/socialhub.service" "$units/socialhub.socket" \
		"$prefix/share/socialhub/nginx/socialhub.conf" \
		"$prefix/share/socialhub/nginx/socialhub-cache.conf" \
		"$prefix/share/socialhub/prometheus/socialhub.rules.yml" \
		"$prefix/share/socialhub/grafana/socialhub.json" \
		"$prefix/share/socialhub/embed/embed.js" \
		"$prefix/share/socialhub/catalogs/en.json" "$prefix/share/socialhub/catalogs/de.json" \
		"$prefix/share/socialhub/catalogs/ar.json" "$prefix/share/socialhub/catalogs/zh-Hant.json"; do
		[ -s "$root$f" ] && th_ok "$label: $f" || th_not_ok "$label: $f" "missing or empty"
	done
	for f in "$prefix/share/man/man8/socialhub.8" "$prefix/share/man/man5/socialhub.conf.5"; do
		[ -s "$root$f" ] || [ -s "$root$f.gz" ] && th_ok "$label: $f" || th_not_ok "$label: $f" "missing"
	done
	d=$prefix/share/doc/socialhub
	for f in $IF_DOCS; do
		[ -s "$root$d/$f" ] || [ -s "$root$d/$f.gz" ] && th_ok "$label: $d/$f" ||
			th_not_ok "$label: $d/$f" "missing"
	done
	# The snippet as installed is the one in the tree.
	cmp -s "$root$prefix/share/socialhub/nginx/socialhub.conf" "$TH_SRCDIR/deploy/nginx/socialhub.conf" &&
		th_ok "$label: the installed snippet is deploy/nginx/socialhub.conf" ||
		th_not_ok "$label: the installed snippet is deploy/nginx/socialhub.conf"
}

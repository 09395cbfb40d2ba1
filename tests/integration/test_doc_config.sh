#!/usr/bin/env bash
# test_doc_config.sh: every configuration example in doc/*.md and in the
# socialhub.conf(5) manual page passes
# `socialhub check-config` as an admin would paste it: in a file that has
# what the example leaves out (listen, directories, site_url, a session
# secret) and the files it names (keys by `socialhub keygen`, secrets),
# and nothing else. An example that builds on the one before it says so
# in the document (doc_config.py). A doc that drifts from the parser
# (a renamed key, a section that needs another, a value out of range)
# fails here with check-config's own file:line message.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init doc_config

"$SOCIALHUB" keygen >"$TH_DIR/session.key" || th_bail "keygen failed"
/usr/bin/python3 "$HERE/doc_config.py" "$HERE/../../doc" "$TH_DIR/ex" "$TH_DIR/session.key" \
	>"$TH_DIR/list" || th_bail "doc_config.py failed"
n=$(grep -vc '^-' "$TH_DIR/list")
[ "$n" -ge 16 ] && th_ok "doc/: $n configuration examples found" ||
	th_not_ok "doc/: at least 16 configuration examples found" "found $n"
m=$(grep -c '^[0-9]* doc/socialhub\.conf\.5:' "$TH_DIR/list")
[ "$m" -ge 9 ] && th_ok "socialhub.conf(5): $m of its examples found" ||
	th_not_ok "socialhub.conf(5): at least 9 examples found" "found $m"
while read -r i where why; do
	if [ "$i" = - ]; then
		th_ok "$where # SKIP $why"
		continue
	fi
	out=$("$SOCIALHUB" check-config -c "$TH_DIR/ex/$i.conf" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q ": ok$" <<<"$out"; then
		th_ok "$where: check-config accepts the example"
	else
		th_not_ok "$where: check-config accepts the example" "exit $rc"
		th_diag "$out"
		th_diag_file "$TH_DIR/ex/$i.conf" 60
	fi
done <"$TH_DIR/list"
th_done

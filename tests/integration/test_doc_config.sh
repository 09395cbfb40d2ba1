#!/usr/bin/env bash
# test_doc_config.sh: every configuration example in doc/*.md passes
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
n=$(wc -l <"$TH_DIR/list")
[ "$n" -ge 8 ] && th_ok "doc/*.md: $n configuration examples found" ||
	th_not_ok "doc/*.md: at least 8 configuration examples found" "found $n"
while read -r i where; do
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

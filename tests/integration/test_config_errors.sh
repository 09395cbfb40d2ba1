#!/usr/bin/env bash
# test_config_errors.sh: what `socialhub check-config` tells an admin about
# a broken config, through the real binary: the line of each error in the
# shipped example (values, sections, unknown keys, after comments), a
# secret file it cannot read said in words with the user it runs as, and
# units (every = 0 warns, only k/M/G sizes, one message for a bad size).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_init config_errors

S=$SOCIALHUB
EXAMPLE=$TH_SRCDIR/deploy/socialhub.conf.example

# expect NAME WANT_EXIT REGEX CONFIG: check-config's exit status and a line
# of its stderr.
expect() {
	local name=$1 want=$2 re=$3 conf=$4 rc
	"$S" check-config -c "$conf" >"$TH_DIR/out" 2>"$TH_DIR/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" "$TH_DIR/err"; then
		th_ok "$name (exit $rc)"
	else
		th_not_ok "$name: exit $want and /$re/" "exit $rc; stderr: $(head -c 600 "$TH_DIR/err")"
	fi
}

# line_of REGEX FILE: the number of the first line matching REGEX.
line_of() { grep -nE -- "$1" "$2" | head -n 1 | cut -d: -f1; }

# The shipped example with one line changed, and where that line is.
sed 's|^site_url = .*|site_url = "https://www.example.com/blog"|' "$EXAMPLE" >"$TH_DIR/a.conf"
n=$(line_of '^site_url' "$TH_DIR/a.conf")
expect "example, bad site_url: its own line ($n)" 1 "a\.conf:$n: site_url: must be" "$TH_DIR/a.conf"

# Its commented-out sections turned on, secrets missing: each on the line
# of its key, not of the next section.
sed -e 's|^#session {|session {|; s|^#    secret_file|    secret_file|; s|^#    lifetime|    lifetime|' \
	-e '/^session {/,/^#}/s|^#}|}|' \
	-e 's|^#provider github {|provider github {|; /^provider github {/,/^#}/{s|^#    |    |; s|^#}|}|}' \
	-e "s|/etc/socialhub/|$TH_DIR/none/|" "$EXAMPLE" >"$TH_DIR/b.conf"
n=$(line_of '^    secret_file' "$TH_DIR/b.conf")
expect "example, session secret missing: line $n" 1 \
	"b\.conf:$n: secret_file: cannot read $TH_DIR/none/session.key: No such file or directory" "$TH_DIR/b.conf"
n=$(line_of '^    client_secret_file' "$TH_DIR/b.conf")
expect "example, provider secret missing: line $n" 1 \
	"b\.conf:$n: client_secret_file: cannot read $TH_DIR/none/github.secret: No such file or directory" "$TH_DIR/b.conf"

# An unknown key after the comments of the example.
sed 's|^#workers = 2|wrokers = 2|' "$EXAMPLE" >"$TH_DIR/c.conf"
n=$(line_of '^wrokers' "$TH_DIR/c.conf")
expect "example, unknown key: line $n" 1 "c\.conf:$n: wrokers: no such option" "$TH_DIR/c.conf"

# A secret file socialhub's user may not read: the words and the user.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	mkdir -p "$TH_DIR/keys"
	"$S" keygen >"$TH_DIR/keys/session.key"
	chmod 600 "$TH_DIR/keys/session.key"
	cat >"$TH_DIR/d.conf" <<CONF
site_url = "https://www.example.com"
# the key is root's, socialhub runs as nobody
session {
    secret_file = "$TH_DIR/keys/session.key"
}
CONF
	chmod 644 "$TH_DIR/d.conf"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$S" check-config -c "$TH_DIR/d.conf" >"$TH_DIR/out" 2>"$TH_DIR/err" </dev/null
	rc=$?
	if [ "$rc" = 1 ] && grep -q "d\.conf:4: secret_file: cannot read $TH_DIR/keys/session.key: Permission denied (socialhub runs as user nobody)" "$TH_DIR/err"; then
		th_ok "unreadable secret: Permission denied, the path and the user"
	else
		th_not_ok "unreadable secret: Permission denied, the path and the user" "exit $rc: $(cat "$TH_DIR/err")"
	fi
else
	th_ok "# SKIP unreadable secret: no user nobody or setpriv"
fi

# Units: every = 0 is clamped with a warning like 30s; sizes take k, M, G.
cat >"$TH_DIR/e.conf" <<'CONF'
site_url = "https://www.example.com"
stream s {
    source a {
        url   = "https://a.example/feed.xml"
        every = 0
    }
}
CONF
expect "every = 0: warned, clamped to 1m" 0 'e\.conf:5: every: warning: 0s is outside \[1m, 24h\]; using 60s' "$TH_DIR/e.conf"
for bad in 10MB 10m 2KiB; do
	printf 'site_url = "https://www.example.com"\ncache_max_size = %s\n' "$bad" >"$TH_DIR/f.conf"
	expect "size $bad refused" 1 "f\.conf:2: cache_max_size: bad size \"$bad\"" "$TH_DIR/f.conf"
	[ "$(grep -c 'f\.conf:[0-9]' "$TH_DIR/err")" = 1 ] &&
		th_ok "size $bad: one message" || th_not_ok "size $bad: one message" "$(cat "$TH_DIR/err")"
done
printf 'site_url = "https://www.example.com"\ncache_max_size = 10M\n' >"$TH_DIR/g.conf"
th_check "size 10M accepted" "$S" check-config -c "$TH_DIR/g.conf"
th_done

#!/bin/bash
# test_signon_mastodon_flood: unauthenticated logins naming made-up
# Mastodon instances must not use up the registrations for good: a limit
# per client network (/24), a cap per registrable domain (public suffix
# list), unused registrations expire, and the instances the admin lists
# are never refused. Real nginx and socialhub; every instance name lands on
# tests/integration/mastodon_fixture.py (api_base), which registers at once.
# Clients are told apart by source address (127.x.y.1, each its own /24).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init signon-mastodon-flood

th_spawn fixture /usr/bin/python3 "$TH_LIB_DIR/mastodon_fixture.py" --port-file "$TH_DIR/fixture.port"
th_wait_file "$TH_DIR/fixture.port" 10000 "$TH_LAST_PID" || th_bail "mastodon fixture did not start"
F=http://127.0.0.1:$(cat "$TH_DIR/fixture.port")
TH_WORKERS=2 oa_start <<C
session { secret = "$("$SOCIALHUB" keygen)" }
provider mastodon {
	preset = "mastodon"  api_base = "$F/fast"
	instances = {"*", "listed.example.net"}
}
C
APPS=$TH_DIR/state/oauth/mastodon

# flood FIRST COUNT NAME_FMT SRC_MODE: COUNT logins (i = FIRST..) naming
# the instance NAME_FMT % i, from 127.0.30.1 (SRC_MODE one) or from a /24
# of its own each (many); prints "STATUS COUNT" lines.
flood() {
	/usr/bin/python3 - "$TH_PORT" "$@" <<'PY'
import collections, http.client, sys
port, first, count, fmt, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
seen = collections.Counter()
for i in range(first, first + count):
    src = '127.0.30.1' if mode == 'one' else '127.%d.%d.1' % (40 + i // 250, i % 250)
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=30, source_address=(src, 0))
    try:
        c.request('GET', '/social/auth/login/mastodon?instance=' + (fmt % i))
        seen[c.getresponse().status] += 1
    except Exception as e:
        seen['error:' + type(e).__name__] += 1
    finally:
        c.close()
for k, v in sorted(seen.items(), key=str):
    print(k, v)
PY
}

# status_count FILE STATUS: how many answers had STATUS.
status_count() { awk -v s="$2" '$1 == s { n = $2 } END { print n + 0 }' "$1"; }

apps_made() { "${TH_CURL[@]}" "$F/_stats" | sed -n 's/.*"apps": *\([0-9]*\).*/\1/p'; }

# One GET from source address $2; sets code.
login_from() {
	code=$("${TH_CURL[@]}" --interface "$2" -D "$TH_DIR/last.headers" -o "$TH_DIR/last.body" \
		-w '%{http_code}' "$TH_BASE/social/auth/login/mastodon?instance=$1")
}

# ---- 1. One client naming many instances (each its own domain).
flood 1 12 'c%d-client.example' one >"$TH_DIR/a.out"
th_diag "one client, 12 instances: $(tr '\n' ' ' <"$TH_DIR/a.out")"
ok=$(status_count "$TH_DIR/a.out" 302)
limited=$(status_count "$TH_DIR/a.out" 429)
if [ "$ok" -ge 1 ] && [ "$ok" -le 5 ] && [ "$limited" -eq $((12 - ok)) ]; then
	th_ok "one client registers at most 5 new instances, then 429 ($ok registered, $limited refused)"
else
	th_not_ok "one client registers at most 5 new instances, then 429" "$ok registered, $limited refused"
fi

# ---- 2. 1000 clients naming names under one wildcard domain.
before=$(apps_made)
flood 1 1000 'w%d.wild.example' many >"$TH_DIR/b.out"
th_diag "1000 clients, one wildcard domain: $(tr '\n' ' ' <"$TH_DIR/b.out")"
made=$(($(apps_made) - before))
if [ "$made" -le 5 ]; then
	th_ok "one registrable domain gets at most 5 registrations ($made)"
else
	th_not_ok "one registrable domain gets at most 5 registrations" "$made registered"
fi
login_from real.example.org 127.99.0.1
if [ "$code" = 302 ]; then
	th_ok "after the flood, a new real instance still signs in (302)"
else
	th_not_ok "after the flood, a new real instance still signs in" "status $code"
fi

# ---- 3. The cap is full of unused registrations: paused, never for good.
mkdir -p "$APPS"
for i in $(seq 1 1000); do
	printf '{"client_id":"x","client_secret":"y","redirect_uri":"z","scopes":"read"}' >"$APPS/seed$i.example.json"
done
printf '{"client_id":"x","client_secret":"y","redirect_uri":"z","scopes":"read","last_login":1}' \
	>"$APPS/used.example.json"
login_from real2.example.org 127.99.1.1
if [ "$code" = 503 ] && grep -qi '^Retry-After: *[0-9]' "$TH_DIR/last.headers"; then
	th_ok "cap full of fresh registrations: 503 with Retry-After"
else
	th_not_ok "cap full of fresh registrations: 503 with Retry-After" "status $code"
fi
login_from listed.example.net 127.99.2.1
if [ "$code" = 302 ]; then
	th_ok "an instance the admin lists is never refused by the cap (302)"
else
	th_not_ok "an instance the admin lists is never refused by the cap" "status $code"
fi
# An hour later the unused ones are gone; a used one stays.
touch -d '2 hours ago' "$APPS"/seed*.example.json "$APPS/used.example.json"
login_from real2.example.org 127.99.1.1
if [ "$code" = 302 ]; then
	th_ok "unused registrations expire: the new instance signs in (302)"
else
	th_not_ok "unused registrations expire: the new instance signs in" "status $code"
fi
left=$(find "$APPS" -name 'seed*.example.json' | wc -l)
th_check "the expired registrations were removed ($left of 1000 left)" test "$left" -eq 0
th_check "a registration used for a sign-in is kept" test -f "$APPS/used.example.json"
th_done

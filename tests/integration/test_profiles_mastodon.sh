#!/usr/bin/env bash
# test_profiles_mastodon.sh: the profile card's Mastodon account lookup
# (/api/v1/accounts/lookup) only for hosts that are Mastodon (issue 14
# follow-up). A source /@user.rss on a host that is not a listed
# instance is looked up only after its instance API (/api/v1/instance)
# answers as Mastodon; a site whose /api/v1/instance is its HTML page or a
# 404 gets no lookup. The answer is kept in the profile state: not asked
# again on the next pass. Against the local fixture server on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init profiles_mastodon
st_start_fixture || th_bail "fixture server did not start"
SH=$SOCIALHUB

# profile STREAM FIELD: the first profile's FIELD in the stream's
# published profiles.json, after its cache header line ("" when absent
# or null).
profile() {
	local f
	f=$(find "$TH_DIR/cache" -path "*/$1/profiles.json" | head -n 1)
	/usr/bin/python3 -c 'import json,sys
t=open(sys.argv[1]).read()
t=t.split("\n", 1)[1] if t.startswith("SHC1 ") else t
p=json.loads(t)["profiles"][0].get(sys.argv[2])
print("" if p is None else p)' "$f" "$2" 2>/dev/null
}

count() { st_requests "$1" | wc -l; }

conf() {
	th_write_config --no-listen "$TH_DIR/socialhub.conf" "stream site {
  source alice { url = \"$FIX/@alice.rss\" }
}
$1" >/dev/null
}

# 1. A site whose every path is its HTML page: probed, not looked up.
curl -s "$FIX/_mode?key=instance&mode=html" >/dev/null
conf ""
"$SH" refresh --force -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out1" 2>&1
st_expect_eq "a /@user.rss source on an unknown host: its instance API is asked once" \
	"$(count /api/v1/instance)" 1
st_expect_eq "an instance API that answers HTML: no account lookup" \
	"$(count /api/v1/accounts/lookup)" 0
st_expect_eq "the card keeps the feed's data (no handle)" "$(profile site handle)" ""
st_expect_eq "the card is published all the same" "$(profile site source)" "alice"

# 2. The next pass keeps the answer: not asked again.
"$SH" refresh --force -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out2" 2>&1
st_expect_eq "the next pass does not ask the instance again" \
	"$(count /api/v1/instance)" 1
st_expect_eq "and makes no lookup" "$(count /api/v1/accounts/lookup)" 0

# 3. A 404 is an answer too; a host that answers as Mastodon is looked up.
curl -s "$FIX/_mode?key=instance&mode=404" >/dev/null
conf "stream n404 {
  source alice { url = \"$FIX/@alice.rss\" }
}"
"$SH" refresh --force -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out3" 2>&1
st_expect_eq "an instance API 404: no lookup (one more probe, for the new stream)" \
	"$(count /api/v1/instance)/$(count /api/v1/accounts/lookup)" "2/0"
curl -s "$FIX/_mode?key=instance&mode=mastodon" >/dev/null
conf "stream masto {
  source alice { url = \"$FIX/@alice.rss\" }
}"
"$SH" refresh --force -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out4" 2>&1
st_expect_eq "an instance that answers as Mastodon is asked once, the others not again" \
	"$(count /api/v1/instance)" 3
st_expect_eq "and its account is looked up" "$(count "/api/v1/accounts/lookup?acct=alice")" 1
st_expect_eq "the card has the account's handle" "$(profile masto handle)" "@alice@127.0.0.1"
st_expect_eq "and its follower count" "$(profile masto followers)" 42
st_expect_eq "the other stream's card is unchanged" "$(profile site handle)" ""
"$SH" refresh --force -c "$TH_DIR/socialhub.conf" >"$TH_DIR/out5" 2>&1
st_expect_eq "a fresh account is not looked up again" \
	"$(count /api/v1/instance)/$(count /api/v1/accounts/lookup)" "3/1"
th_done

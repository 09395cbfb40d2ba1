#!/usr/bin/env bash
# test_sources.sh: API sources (issue 17) through `socialhub refresh` and
# real nginx, against tests/integration/api_fixture.py, which answers the
# documented Mastodon, Bluesky and YouTube shapes.
#
#  1. check-config: each type's keys; types not built yet refused by name.
#  2. A refresh reads every page (Mastodon Link header, Bluesky cursor,
#     YouTube channels → playlistItems → videos), the key only in a header;
#     the stream's four outputs carry the gallery (alt text), video posters
#     as links, counts (HTML only with show_counts), content warnings.
#  3. Bad input, one network each per pass: an HTML error page, malformed
#     JSON, missing fields, 11 MiB, a looping next page, 401, 403, 429 with
#     Retry-After, media at private addresses. Each gives a per-source error
#     (or, for media, a warning) in /healthz and the log naming the cause,
#     keeps the last good items, and publishes nothing of the bad answer.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3 curl "$(th_find_nginx)"
th_init sources

st_start_api || th_bail "api fixture did not start"
printf 'TESTKEY\n' >"$TH_DIR/yt.key"
S=$TH_BASE/social

# ------------------------------------------------------------ 1. check-config

st_check_bad_source "an unknown type" 'type = "myspace" account = "b"' 'type: unknown "myspace"'
st_check_bad_source "mastodon without an account" 'type = "mastodon"' "account: missing"
st_check_bad_source "mastodon \"user\" without api_url" 'type = "mastodon" account = "brand"' "needs api_url"
st_check_bad_source "mastodon with a url" \
	'type = "mastodon" account = "@b@m.example" url = "https://m.example/@b.rss"' "url: not for an API"
st_check_bad_source "a bad api_url" 'type = "bluesky" account = "b.example" api_url = "file:///etc"' "api_url"
st_check_bad_source "a bad Bluesky handle" 'type = "bluesky" account = "not a handle"' "account"
st_check_bad_source "a YouTube handle without a key" 'type = "youtube" account = "@brand"' "channel id"
st_check_bad_source "a missing token_file" \
	'type = "youtube" account = "@brand" token_file = "/nonexistent/key"' "token_file: cannot read"
st_check_bad_source "connection and token_file together" \
	"type = \"youtube\" account = \"@brand\" connection = \"yt\" token_file = \"$TH_DIR/yt.key\"" \
	"give one, not both"
st_check_bad_source "a malformed connection name" 'type = "mastodon" account = "@b@m.example" connection = "a b"' \
	"connection"
st_check_bad_source "account on a feed" 'url = "https://e.example/f.xml" account = "brand"' "API sources"

streams="stream social {
  source masto { type = \"mastodon\"  account = \"@brand@mastodon.example\"  api_url = \"$API/m\" }
  source sky   { type = \"bluesky\"   account = \"brand.example.com\"  api_url = \"$API/b\" }
  source yt    { type = \"youtube\"   account = \"UCabcdefghijklmnopqrstuv\"  api_url = \"$API/y\"
                 token_file = \"$TH_DIR/yt.key\" }
  show_counts = true
}
stream plain {
  source ytfeed { type = \"youtube\"  account = \"UCabcdefghijklmnopqrstuv\"  api_url = \"$API/y\" }
  source later  { type = \"mastodon\"  account = \"@brand@mastodon.example\"  api_url = \"$API/m\"  connection = \"masto-brand\" }
}"
# The connection the "later" source names (never connected here: its
# flow is test_connections.sh's).
"$SOCIALHUB" keygen >"$TH_DIR/conn.key" && chmod 600 "$TH_DIR/conn.key"
streams="$streams
connection_keys = {\"k1:$TH_DIR/conn.key\"}
connection masto-brand { network = \"x\"  client_id = \"app\" }"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$streams")
st_check_ok "$cfg" "check-config accepts mastodon, bluesky, youtube (key or feed), a connection name"

# ---------------------------------------------------------- 2. a good refresh

"$SOCIALHUB" refresh -c "$cfg" >"$TH_DIR/out1" 2>>"$TH_DIR/socialhub.log"
rc=$?
st_health_fresh
st_expect_eq "refresh: exit 0" "$rc" 0
sed 's/^/#   /' "$TH_DIR/out1"
st_expect_line "$TH_DIR/out1" '^social/masto +updated +200 +3 ' "mastodon: 3 items (2 pages, followers-only left out)"
st_expect_line "$TH_DIR/out1" '^social/sky +updated +200 +4 ' "bluesky: 4 items (2 pages, hidden author left out)"
st_expect_line "$TH_DIR/out1" '^social/yt +updated +200 +2 ' "youtube: 2 items (private video left out)"
st_expect_line "$TH_DIR/out1" '^plain/ytfeed +updated +200 +1 ' "youtube without a key: the channel feed"

reqs() { st_api_reqs "$@"; }
st_expect_eq "mastodon: followed the Link header to page 2" "$(reqs /m/api/v1/accounts/109302/statuses max_id=113500000000000002)" 1
st_expect_eq "bluesky: followed the cursor to page 2" "$(reqs /b/xrpc/app.bsky.feed.getAuthorFeed cursor=2026-12-04)" 1
st_expect_eq "youtube: videos for durations and counts" "$(reqs /y/videos vidAAAAAAA1%2CvidAAAAAAA3)" 1
st_expect_eq "youtube: every Data API call sent the key header" \
	"$(grep -E '"/y/(channels|playlistItems|videos)"' "$TH_DIR/api.log" | grep -vc '"key_header": "TESTKEY"')" 0
if grep -q TESTKEY "$TH_DIR/socialhub.log" "$TH_DIR/out1" || grep -rq TESTKEY "$TH_DIR/cache"; then
	th_not_ok "the key appears in no log, report or cache file"
else
	th_ok "the key appears in no log, report or cache file"
fi

th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

"${TH_CURL[@]}" "$S/streams/social.json?limit=100" >"$TH_DIR/social.json"
"${TH_CURL[@]}" "$S/streams/social.html?limit=100" >"$TH_DIR/social.html"
"${TH_CURL[@]}" "$S/streams/social.as2?limit=100" >"$TH_DIR/social.as2"
"${TH_CURL[@]}" "$S/streams/social.atom?limit=100" >"$TH_DIR/social.atom"
"${TH_CURL[@]}" "$S/streams/plain.html" >"$TH_DIR/plain.html"

"$ST_PY" - "$TH_DIR/social.json" <<'EOF' >"$TH_DIR/json.checks"
import json, sys
f = json.load(open(sys.argv[1]))
items = {i["id"]: i for i in f["items"]}
def ext(i): return items[i]["_socialhub"]
print("items", len(items))
m = ext("https://mastodon.example/users/brand/statuses/113500000000000003")
print("m_kind", m.get("kind"))
print("m_alt", m["media"][0].get("alt"))
print("m_size", m["media"][0].get("width"), m["media"][0].get("height"))
print("m_proxied", all("/social/media/" in x["url"] for x in m["media"]))
print("m_counts", m["counts"].get("likes"), m["counts"].get("comments"), m["counts"].get("shares"))
v = ext("https://mastodon.example/users/brand/statuses/113500000000000002")
print("cw", v.get("content_warning"))
print("v_media", v["media"][0]["type"], "url" in v["media"][0], v["media"][0].get("duration_in_seconds"))
q = items["at://did:plc:abcdefghijklmnopqrstuvwx/app.bsky.feed.post/3lbrandpost2"]
print("quote", "blockquote" in q.get("content_html", ""))
print("repost", ext("at://did:plc:zyxwvutsrqponmlkjihgfedc/app.bsky.feed.post/3lother").get("repost"))
y = ext("yt:video:vidAAAAAAA1")
print("yt", y.get("kind"), y["media"][0].get("duration_in_seconds"), y["counts"].get("views"))
EOF
jc() { sed -n "s/^$1 //p" "$TH_DIR/json.checks"; }
st_expect_eq "json: 9 items from 3 networks" "$(jc items)" 9
st_expect_eq "json: a Mastodon photo post" "$(jc m_kind)" photo
st_expect_eq "json: alt text kept" "$(jc m_alt)" "The shop front with a red door"
st_expect_eq "json: image sizes kept" "$(jc m_size)" "1600 1200"
st_expect_eq "json: gallery images through the media proxy" "$(jc m_proxied)" True
st_expect_eq "json: counts (likes comments shares)" "$(jc m_counts)" "57 4 12"
st_expect_eq "json: content warning" "$(jc cw)" "Flashing lights"
st_expect_eq "json: a video without its file, with its duration" "$(jc v_media)" "video False 63"
st_expect_eq "json: a Bluesky quote post" "$(jc quote)" True
st_expect_eq "json: a Bluesky repost flagged" "$(jc repost)" True
st_expect_eq "json: YouTube kind, duration, views" "$(jc yt)" "video 253 10234"

h=$TH_DIR/social.html
grep -q 'class="social-stream__gallery"' "$h" && grep -q 'alt="The shop front with a red door"' "$h" &&
	th_ok "html: a gallery with alt text" || th_not_ok "html: a gallery with alt text"
grep -q '<a class="social-stream__video u-video" href="https://www.youtube.com/watch?v=vidAAAAAAA1"><img class="social-stream__poster" src="http://127.0.0.1:[0-9]*/social/media/' "$h" &&
	th_ok "html: a video is its poster linking out" || th_not_ok "html: a video is its poster linking out"
grep -Eq '<video|<iframe|autoplay|m3u8|shoot\.mp4' "$h" && th_not_ok "html: no player, no video file" ||
	th_ok "html: no player, no video file"
grep -q '<details class="social-stream__cw"><summary>Flashing lights</summary>' "$h" &&
	th_ok "html: the content warning hides the post" || th_not_ok "html: the content warning hides the post"
grep -q '<data value="57">57</data> likes' "$h" && th_ok "html: counts with show_counts" ||
	th_not_ok "html: counts with show_counts"
grep -q 'social-stream__counts' "$TH_DIR/plain.html" && th_not_ok "html: no counts without show_counts" ||
	th_ok "html: no counts without show_counts"
grep -q '"name":"The shop front with a red door"' "$TH_DIR/social.as2" &&
	th_ok "as2: attachments with name = alt" || th_not_ok "as2: attachments with name = alt"
grep -q '<media:content url="[^"]*/social/media/[0-9a-f]*" medium="image" width="1600" height="1200"><media:description type="plain">The shop front with a red door</media:description>' "$TH_DIR/social.atom" &&
	th_ok "atom: media:content with its description" || th_not_ok "atom: media:content with its description"

# ------------------------------------------------------- 3. bad input

src_url() {
	case $1 in
	masto) echo "$API/m/api/v1/accounts/lookup?acct=brand%40mastodon.example" ;;
	sky) echo "$API/b/xrpc/app.bsky.feed.getAuthorFeed?actor=brand.example.com&filter=posts_no_replies&limit=50" ;;
	yt) echo "$API/y/channels?part=contentDetails,snippet&id=UCabcdefghijklmnopqrstuv" ;;
	esac
}
# one_pass MODE-M MODE-B MODE-Y: the three networks fail at once, each in
# its own way; then each source's error is checked.
one_pass() {
	"${TH_CURL[@]}" "$API/_mode?net=m&mode=$1" >/dev/null
	"${TH_CURL[@]}" "$API/_mode?net=b&mode=$2" >/dev/null
	"${TH_CURL[@]}" "$API/_mode?net=y&mode=$3" >/dev/null
	"$SOCIALHUB" refresh -c "$cfg" --stream social --force >"$TH_DIR/out.$1" 2>>"$TH_DIR/socialhub.log"
	st_health_fresh
	sed 's/^/#   /' "$TH_DIR/out.$1"
}
# expect_fail SOURCE WHAT WANT: st_expect_fail, and status.json holds the
# error /healthz shows.
expect_fail() {
	st_expect_eq "$1, $2: status.json has the error /healthz shows" \
		"$(st_status "$(src_url "$1")" last_error)" "$(st_health social "$1" last_error)"
	st_expect_fail social "$1" "$2" "$3" "$(case $1 in masto) echo 3 ;; sky) echo 4 ;; yt) echo 2 ;; esac)"
}

one_pass html malformed 403
expect_fail masto "an HTML error page" "an HTML page instead of JSON from the Mastodon API"
expect_fail sky "malformed JSON" "malformed JSON from the Bluesky API"
expect_fail yt "403 quotaExceeded" "YouTube API: forbidden"
expect_fail yt "403 body quoted" "exceeded your quota"
st_expect_eq "after pass 1 the stream still holds all 9 items" "$(st_count_items social)" 9

one_pass loop big 429
expect_fail masto "a next page equal to this one" "pagination loops"
expect_fail sky "11 MiB" "too large"
expect_fail yt "429" "rate limited"
now=$(date +%s)
# Retry-After is a floor; the back-off of three failures in a row is longer.
st_expect_range "yt, 429: the next try waits at least Retry-After: 120" \
	"$(($(st_status "$(src_url yt)" next_due) - now))" 110 86400

one_pass missing 401 loop
expect_fail masto "missing fields" "status 0 has no"
expect_fail masto "missing fields, the field named" "created_at"
expect_fail sky "401" "Bluesky API: access refused"
expect_fail sky "401 body quoted" "Authentication Required"
expect_fail yt "a nextPageToken that loops" "pagination loops"

one_pass 429 loop missing
expect_fail masto "429" "rate limited"
expect_fail sky "a cursor that loops" "pagination loops"
expect_fail yt "missing fields" "playlist item 0 has no"
expect_fail yt "missing fields, the field named" "snippet"
st_expect_eq "after four failing passes the stream still holds all 9 items" "$(st_count_items social)" 9
for f in "$TH_DIR"/social.json; do
	"${TH_CURL[@]}" "$S/streams/social.json?limit=100" >"$TH_DIR/social2.json"
done
grep -Eq 'Maintenance|cut off|"pad"' "$TH_DIR/social2.json" && th_not_ok "nothing of a bad answer is published" ||
	th_ok "nothing of a bad answer is published"

# Media at private addresses: the post stays, its media go, with a warning.
one_pass private ok ok
st_expect_eq "private media: the refresh succeeds" "$(st_status "$(src_url masto)" failures)" 0
w=$(st_health social masto warning)
grep -Fq "media left out: a private or loopback address" <<<"$w" &&
	th_ok "private media: a warning in /healthz naming the cause" ||
	th_not_ok "private media: a warning in /healthz naming the cause" "got '$w'"
st_expect_log "private media: logged as source_warning" "event=source_warning.*source=masto.*private or loopback"
"${TH_CURL[@]}" "$S/streams/social.json?limit=100" >"$TH_DIR/social3.json"
"${TH_CURL[@]}" "$S/streams/social.html?limit=100" >"$TH_DIR/social3.html"
grep -Eq '10\.1\.2\.3|169\.254' "$TH_DIR/social3.json" "$TH_DIR/social3.html" &&
	th_not_ok "private media: never published" || th_ok "private media: never published"
st_expect_eq "private media: the stream still holds 9 items" "$(st_count_items social)" 9
st_expect_eq "sky and yt recovered (ok mode)" "$(st_status "$(src_url sky)" failures)$(st_status "$(src_url yt)" failures)" 00

th_done

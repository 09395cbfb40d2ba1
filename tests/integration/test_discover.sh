#!/usr/bin/env bash
# test_discover.sh: feed discovery (issue 14 item 7) against the local
# fixture server on 127.0.0.1, never the internet. `socialhub discover`
# lists the feed of a blog home page (<link rel="alternate">), of a
# YouTube-channel-shaped page (its /channel/UC... URL form, also through
# the page's canonical link) and of a Mastodon-profile-shaped path
# (/@user → /@user.rss); `socialhub refresh` follows the feed a source's
# page names, through the same fetcher, and stores its items.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init discover
st_start_fixture || th_bail "fixture server did not start"
SH=$SOCIALHUB
CH=UCabcdefghijklmnopqrstuv

# check NAME WANT_EXIT REGEX CMD...: exit status and a line of stdout or
# stderr.
check() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	"$@" >"$TH_DIR/out" 2>"$TH_DIR/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && cat "$TH_DIR/out" "$TH_DIR/err" | grep -Eq -- "$re"; then
		th_ok "$name"
	else
		th_not_ok "$name" "exit $rc; $(cat "$TH_DIR/out" "$TH_DIR/err")"
	fi
}

check "discover: a blog page names its RSS feed (link rel=alternate)" 0 \
	"^$FIX/feed\\?id=blog&n=2  link  feed rss20, 2 items" "$SH" discover "$FIX/blog"
check "discover: a YouTube channel page gives feeds/videos.xml?channel_id=" 0 \
	"^$FIX/feeds/videos.xml\\?channel_id=$CH  youtube  feed atom10, 2 items" \
	"$SH" discover "$FIX/channel/$CH"
check "discover: a Mastodon profile gives /@user.rss" 0 \
	"^$FIX/@alice.rss  mastodon  feed rss20, 2 items" "$SH" discover "$FIX/@alice"
check "discover: a feed URL is a feed itself" 0 \
	"^$FIX/feed\\?id=x&n=1  self  feed rss20, 1 items" "$SH" discover "$FIX/feed?id=x&n=1"
check "discover: a page naming no feed: exit 1" 1 "no feed found" "$SH" discover "$FIX/status?code=200"
check "discover without a URL: usage" 2 "^usage: socialhub discover URL" "$SH" discover

cfg=$(th_write_config --no-listen "$TH_DIR/socialhub.conf" "stream brand {
  source blog    { url = \"$FIX/blog\" }
  source channel { url = \"$FIX/channel/$CH\" }
  source alice   { url = \"$FIX/@alice\" }
}")
check "refresh: a blog page's feed is followed" 0 "^    via: $FIX/feed\\?id=blog&n=2$" \
	"$SH" refresh -c "$cfg"
grep -q "^    via: $FIX/feeds/videos.xml?channel_id=$CH$" "$TH_DIR/out" &&
	grep -q "^    via: $FIX/@alice.rss$" "$TH_DIR/out" &&
	th_ok "refresh: the YouTube channel and the Mastodon profile are followed" ||
	th_not_ok "refresh: the YouTube channel and the Mastodon profile are followed" "$(cat "$TH_DIR/out")"
grep -q "^stream brand: 6 items" "$TH_DIR/out" &&
	th_ok "refresh: the stream holds the 6 items of the three discovered feeds" ||
	th_not_ok "refresh: the stream holds the 6 items of the three discovered feeds" "$(cat "$TH_DIR/out")"
[ -n "$(st_requests "/feeds/videos.xml")" ] && [ -n "$(st_requests "/@alice.rss")" ] &&
	th_ok "refresh: every fetch went to the fixture on 127.0.0.1" ||
	th_not_ok "refresh: every fetch went to the fixture on 127.0.0.1"
th_done

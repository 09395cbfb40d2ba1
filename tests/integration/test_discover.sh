#!/usr/bin/env bash
# test_discover.sh: feed discovery (issue 14 item 7) against the local
# fixture server on 127.0.0.1, never the internet. `socialhub discover`
# lists the feed of a blog home page (<link rel="alternate">) and of a
# Mastodon profile page (/@user → /@user.rss, the page being Mastodon's
# web app), and does not rewrite the same path shapes on another site
# (a /channel/UC… or an unmarked /@user page on 127.0.0.1); with -c it
# fetches under the configured outbound policy. `socialhub refresh`
# follows the feed a source's page names, through the same fetcher,
# stores its items and remembers it: the page is read once across passes,
# a candidate that fails gives way to the next, the kind of feed the
# source asks for (feed_type) goes first, and a remembered feed that
# starts failing makes the page be read again.
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$(dirname "$0")/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init discover
st_start_fixture || th_bail "fixture server did not start"
SH=$SOCIALHUB
CH=UCabcdefghijklmnopqrstuv

# has_line NAME FILE LINE: FILE holds LINE, whole and as it is.
has_line() {
	if grep -qxF -- "$3" "$2"; then
		th_ok "$1"
	else
		th_not_ok "$1" "$(cat "$2")"
	fi
}

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
check "discover: a /channel/UC… page on a site that is not YouTube is not rewritten" 1 \
	"no feed found" "$SH" discover "$FIX/channel/$CH"
check "discover: a Mastodon profile gives /@user.rss" 0 \
	"^$FIX/@alice.rss  mastodon  feed rss20, 2 items" "$SH" discover "$FIX/@alice"
check "discover: an /@user page that is not Mastodon's is not rewritten" 1 \
	"no feed found" "$SH" discover "$FIX/@alice?plain=1"
check "discover: a feed URL is a feed itself" 0 \
	"^$FIX/feed\\?id=x&n=1  self  feed rss20, 1 items" "$SH" discover "$FIX/feed?id=x&n=1"
check "discover: a page naming no feed: exit 1" 1 "no feed found" "$SH" discover "$FIX/status?code=200"
check "discover without a URL: usage" 2 "^usage: socialhub discover" "$SH" discover

# Pages of /page: each l=KIND:URL a <link rel=alternate>, in order.
P1="/page?l=rss:/feed%3Fid%3Dp1%26n%3D2"
P2="/page?l=rss:/status%3Fcode%3D404&l=rss:/feed%3Fid%3Dp2%26n%3D3"
P3="/page?l=rss:/feed%3Fid%3Dmv%26n%3D2%26key%3Dmv&l=rss:/feed%3Fid%3Dalt%26n%3D3"
P4="/page?l=rss:/feed%3Fid%3Dr4%26n%3D1&l=atom:/feeds/videos.xml%3Fchannel_id%3D$CH"
cfg=$(th_write_config --no-listen "$TH_DIR/socialhub.conf" "stream brand {
  source blog    { url = \"$FIX/blog\" }
  source alice   { url = \"$FIX/@alice\" }
}
stream pages {
  source p1 { url = \"$FIX$P1\" }
  source p2 { url = \"$FIX$P2\" }
  source p3 { url = \"$FIX$P3\" }
  source p4 { url = \"$FIX$P4\"
              feed_type = \"atom\" }
}")
check "refresh: a blog page's feed is followed" 0 "^    via: $FIX/feed\\?id=blog&n=2$" \
	"$SH" refresh -c "$cfg"
has_line "refresh: the Mastodon profile is followed" "$TH_DIR/out" "    via: $FIX/@alice.rss"
grep -q "^stream brand: 4 items" "$TH_DIR/out" &&
	th_ok "refresh: the stream holds the 4 items of the two discovered feeds" ||
	th_not_ok "refresh: the stream holds the 4 items of the two discovered feeds" "$(cat "$TH_DIR/out")"
has_line "refresh: the second candidate is used when the first answers 404" "$TH_DIR/out" "    via: $FIX/feed?id=p2&n=3"
has_line "refresh: feed_type = atom: the page's Atom feed goes before its RSS" "$TH_DIR/out" "    via: $FIX/feeds/videos.xml?channel_id=$CH"
has_line "refresh: p3 follows its first feed" "$TH_DIR/out" "    via: $FIX/feed?id=mv&n=2&key=mv"
st_expect_eq "refresh: status.json remembers the page's feed" \
	"$(st_status "$FIX$P1" feed_url)" "$FIX/feed?id=p1&n=2"

# Second and third passes: the remembered feeds are fetched, the pages not.
"$SH" refresh --force -c "$cfg" >"$TH_DIR/out2" 2>&1
"$SH" refresh --force -c "$cfg" >"$TH_DIR/out3" 2>&1
st_expect_eq "refresh: the page is fetched once across three passes" \
	"$(st_requests "$P1" | wc -l)" 1
st_expect_eq "refresh: its feed is fetched on each pass" \
	"$(st_requests "/feed?id=p1&n=2" | wc -l)" 3
st_expect_eq "refresh: the 404 candidate is not tried again" \
	"$(st_requests "/status?code=404" | wc -l)" 1
has_line "refresh: a remembered feed is reported as via" "$TH_DIR/out3" "    via: $FIX/feed?id=p1&n=2"

# p3's feed starts failing: the page is read again, its next feed taken.
curl -s "$FIX/_mode?key=mv&mode=404" >/dev/null
"$SH" refresh --force -c "$cfg" >"$TH_DIR/out4" 2>&1
st_expect_eq "refresh: a failing remembered feed makes the page be read again" \
	"$(st_requests "$P3" | wc -l)" 2
has_line "refresh: after rediscovery the page's working feed is used" "$TH_DIR/out4" "    via: $FIX/feed?id=alt&n=3"
st_expect_eq "refresh: the new feed is remembered" \
	"$(st_status "$FIX$P3" feed_url)" "$FIX/feed?id=alt&n=3"
st_expect_eq "refresh: p3 did not fail" "$(st_status "$FIX$P3" failures)" 0
"$SH" refresh --force -c "$cfg" >"$TH_DIR/out5" 2>&1
st_expect_eq "refresh: and the page is not read on the next pass" \
	"$(st_requests "$P3" | wc -l)" 2

# discover -c: the configured outbound policy. A page on 127.0.0.1 names
# a feed on another private origin (localhost): refused without -c and
# under a config without fetch_allow_private, fetched with it.
PL="$FIX/page?l=rss:http://localhost:$FIX_PORT/feed%3Fid%3Dlh%26n%3D1"
check "discover: a page's feed on another private origin is refused by default" 1 \
	"^http://localhost:$FIX_PORT/feed\\?id=lh&n=1  link  not fetched" "$SH" discover "$PL"
check "discover -c: refused under a config without fetch_allow_private" 1 \
	"^http://localhost:$FIX_PORT/feed\\?id=lh&n=1  link  not fetched" \
	"$SH" discover -c "$cfg" "$PL"
pcfg=$(th_write_config --no-listen "$TH_DIR/private.conf" "fetch_allow_private = true
stream s { source a { url = \"$FIX/blog\" } }")
n0=$(wc -l <"$TH_DIR/fixture.log")
check "discover -c with fetch_allow_private: the feed is fetched" 0 \
	"^http://localhost:$FIX_PORT/feed\\?id=lh&n=1  link  feed rss20, 1 items" \
	"$SH" discover -c "$pcfg" "$PL"
site=$(sed -n 's/^site_url *= *"\(.*\)"$/\1/p' "$pcfg")
uas=$(tail -n +"$((n0 + 1))" "$TH_DIR/fixture.log" | grep -o '"ua": "[^"]*"' | sort -u)
# Every request of that run, the page's and the feed's, sent the config's.
[ -n "$site" ] && [ "$(echo "$uas" | wc -l)" = 1 ] && echo "$uas" | grep -Fq "(+$site)\"" &&
	th_ok "discover -c: the configured user agent (with site_url) is sent" ||
	th_not_ok "discover -c: the configured user agent (with site_url) is sent" \
	    "site_url=$site; $uas"
check "discover -c with a file that is not there: an error" 1 "not valid|cannot|No such" \
	"$SH" discover -c "$TH_DIR/nope.conf" "$FIX/blog"
check "discover -c without a file: usage" 2 "^usage: socialhub discover" \
	"$SH" discover "$FIX/blog" -c
th_done

#!/usr/bin/env bash
# test_sources_meta.sh: the Meta API sources (issue 17: instagram, facebook,
# threads; issue 19: instagram-hashtag) through `socialhub refresh` and real
# nginx, against api_fixture.py's Meta routes (api_fixture_meta.py), which
# answer the documented Graph API and Threads API shapes.
#
#  1. check-config: a token is required, accounts are numeric ids, the
#     hashtag source needs a query.
#  2. A refresh reads every page (paging.next, without the access_token the
#     API echoed into it), the token only ever in Authorization: Bearer;
#     items, galleries (carousel, album, video posters linking to the post,
#     alt text), counts, kinds in JSON and HTML, media through the proxy.
#  3. CDN URLs that expire: the cached copies stay served.
#  4. Bad input, one network each per pass: HTML error pages, malformed
#     JSON, missing fields, 11 MiB, looping next pages, private media,
#     expired and revoked tokens (190), missing permissions (10/200), rate
#     limits (code 4/32, 429 with Retry-After), usage headers at 95 %. Each
#     gives a clear per-source error (or warning) in /healthz and the log,
#     keeps the last good items, publishes nothing of the bad answer.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3 curl "$(th_find_nginx)"
th_init sources_meta

pf=$TH_DIR/api.port
th_spawn api "$ST_PY" "$HERE/api_fixture.py" --port-file "$pf" --log "$TH_DIR/api.log" \
	--fixtures "$HERE/../fixtures/api"
API_PID=$TH_LAST_PID
th_wait_file "$pf" 10000 "$API_PID" || th_bail "api fixture did not start"
API=http://127.0.0.1:$(cat "$pf")
th_diag "api fixture pid $API_PID at $API"
printf 'TESTTOKEN\n' >"$TH_DIR/meta.token"
TOK=$TH_DIR/meta.token
S=$TH_BASE/social
IG=17841400000000001

# ------------------------------------------------------------ 1. check-config

st_check_bad_source "instagram without a token" "type = \"instagram\" account = \"$IG\"" \
	"connection or token_file: missing"
st_check_bad_source "instagram with a handle" "type = \"instagram\" account = \"@brand\" token_file = \"$TOK\"" \
	"numeric id"
st_check_bad_source "facebook with a page name" "type = \"facebook\" account = \"brand\" token_file = \"$TOK\"" \
	"Page's numeric id"
st_check_bad_source "threads with a handle" "type = \"threads\" account = \"@brand\" token_file = \"$TOK\"" \
	"Threads user id"
st_check_bad_source "instagram-hashtag without a query" \
	"type = \"instagram-hashtag\" account = \"$IG\" token_file = \"$TOK\"" "query: missing"
st_check_bad_source "instagram-hashtag with two words" \
	"type = \"instagram-hashtag\" account = \"$IG\" query = \"two words\" token_file = \"$TOK\"" \
	"one hashtag"
st_check_bad_source "query on an owned source" \
	"type = \"instagram\" account = \"$IG\" query = \"x\" token_file = \"$TOK\"" "only for earned"

streams="stream meta {
  source ig  { type = \"instagram\"  account = \"$IG\"  api_url = \"$API/ig/v26.0\"  token_file = \"$TOK\" }
  source fb  { type = \"facebook\"   account = \"104000000000001\"  api_url = \"$API/fb/v26.0\"  token_file = \"$TOK\" }
  source th  { type = \"threads\"    account = \"me\"  api_url = \"$API/th/v1.0\"  token_file = \"$TOK\" }
  source tag { type = \"instagram-hashtag\"  account = \"$IG\"  query = \"#examplebrand\"
               api_url = \"$API/igtag/v26.0\"  token_file = \"$TOK\"  moderation = \"auto\" }
  show_counts = true
}
stream later {
  source conn { type = \"instagram\"  account = \"me\"  api_url = \"$API/ig/v26.0\"  connection = \"ig-brand\" }
}"
# The connection the "later" source names, never connected here (the
# flow is test_connections.sh's).
"$SOCIALHUB" keygen >"$TH_DIR/conn.key" && chmod 600 "$TH_DIR/conn.key"
streams="$streams
connection_keys = {\"k1:$TH_DIR/conn.key\"}
connection ig-brand { network = \"instagram\"  client_id = \"app\"  client_secret = \"s\" }"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$streams")
st_check_ok "$cfg" "check-config accepts instagram, facebook, threads, instagram-hashtag"

# ---------------------------------------------------------- 2. a good refresh

"$SOCIALHUB" refresh -c "$cfg" >"$TH_DIR/out1" 2>>"$TH_DIR/socialhub.log"
rc=$?
st_health_fresh
st_expect_eq "refresh: exit status 1 (the unconnected source fails, the rest succeed)" "$rc" 1
sed 's/^/#   /' "$TH_DIR/out1"
st_expect_line "$TH_DIR/out1" '^meta/ig +updated +200 +3 ' "instagram: 3 items (2 pages, the story left out)"
st_expect_line "$TH_DIR/out1" '^meta/fb +updated +200 +2 ' "facebook: 2 posts"
st_expect_line "$TH_DIR/out1" '^meta/th +updated +200 +4 ' "threads: 4 posts"
st_expect_line "$TH_DIR/out1" '^meta/tag +updated +200 +2 ' "instagram-hashtag: 2 posts"
grep -Eq '^later/conn +failed' "$TH_DIR/out1" && grep -q "connection ig-brand is not connected yet" "$TH_DIR/socialhub.log" &&
	th_ok "a connection without a stored token: failed, named" || th_not_ok "a connection without a stored token"

reqs() { st_api_reqs "$@"; }
st_expect_eq "instagram: followed paging.next to page 2" "$(reqs /ig/v26.0/$IG/media after=QVFIUmFmdGVy)" 1
st_expect_eq "instagram: the echoed access_token was not sent back" "$(grep -c 'access_token' "$TH_DIR/api.log")" 0
st_expect_eq "hashtag: ig_hashtag_search, then recent_media" \
	"$(reqs /igtag/v26.0/ig_hashtag_search q=examplebrand)$(reqs /igtag/v26.0/17843857450040591/recent_media user_id=$IG)" 11
st_expect_eq "every API call sent Authorization: Bearer" \
	"$(grep -E '"/(ig|igtag|fb|th)/' "$TH_DIR/api.log" | grep -vc '"bearer": true')" 0
if grep -q TESTTOKEN "$TH_DIR/socialhub.log" "$TH_DIR/out1" || grep -rq TESTTOKEN "$TH_DIR/cache"; then
	th_not_ok "the token appears in no log, report or cache file"
else
	th_ok "the token appears in no log, report or cache file"
fi

th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

"${TH_CURL[@]}" "$S/streams/meta.json?limit=100" >"$TH_DIR/meta.json"
"${TH_CURL[@]}" "$S/streams/meta.html?limit=100" >"$TH_DIR/meta.html"

"$ST_PY" - "$TH_DIR/meta.json" <<'PYEOF' >"$TH_DIR/json.checks"
import json, sys
f = json.load(open(sys.argv[1]))
items = {i["id"]: i for i in f["items"]}
def ext(i): return items[i]["_socialhub"]
print("items", len(items))
c = ext("https://www.instagram.com/p/DCarousel01/")
print("carousel", c.get("kind"), len(c["media"]), [m["type"] for m in c["media"]])
print("carousel_proxied", all("/social/media/" in (m.get("url") or m.get("poster") or "") for m in c["media"]))
print("carousel_video_link", c["media"][2].get("url"), "poster" in c["media"][2])
print("carousel_counts", c["counts"].get("likes"), c["counts"].get("comments"))
print("reel", ext("https://www.instagram.com/reel/DReel0001/").get("kind"))
a = ext("https://www.facebook.com/104000000000001/posts/900000000000001")
print("album", len(a["media"]), a["media"][0].get("alt"), a["media"][0].get("width"), a["counts"].get("shares"))
t = ext("https://www.threads.com/@examplebrand/post/DThreads01")
print("threads_alt", t["media"][0].get("alt"), "|", t["media"][1].get("alt"))
print("threads_repost", ext("https://www.threads.com/@examplebrand/post/DThreads04").get("repost"))
print("cdn_left", sum(json.dumps(i).count("cdninstagram") + json.dumps(i).count("fbcdn") for i in f["items"]))
PYEOF
jc() { sed -n "s/^$1 //p" "$TH_DIR/json.checks"; }
st_expect_eq "json: 11 items from 4 sources" "$(jc items)" 11
st_expect_eq "json: an Instagram carousel (images and a video)" "$(jc carousel)" "video 3 ['image', 'image', 'video']"
st_expect_eq "json: carousel pictures and poster through the media proxy" "$(jc carousel_proxied)" True
st_expect_eq "json: the video is its poster, never its file" "$(jc carousel_video_link)" "None True"
st_expect_eq "json: Instagram counts" "$(jc carousel_counts)" "1204 33"
st_expect_eq "json: a reel" "$(jc reel)" reel
st_expect_eq "json: a Facebook album with alt text, sizes, shares" "$(jc album)" "3 The counter with the red lamps 960 7"
st_expect_eq "json: Threads alt text" "$(jc threads_alt)" "A barista pouring latte art | Cups stacked by the window"
st_expect_eq "json: a Threads repost flagged" "$(jc threads_repost)" True
st_expect_eq "json: no CDN URL published" "$(jc cdn_left)" 0

h=$TH_DIR/meta.html
grep -q 'alt="A barista pouring latte art"' "$h" && th_ok "html: alt text on Threads images" ||
	th_not_ok "html: alt text on Threads images"
grep -q '<a class="social-stream__video u-video" href="https://www.instagram.com/reel/DReel0001/"><img class="social-stream__poster" src="http://127.0.0.1:[0-9]*/social/media/' "$h" &&
	th_ok "html: a reel is its poster linking to the permalink" || th_not_ok "html: a reel is its poster linking to the permalink"
grep -Eq '<video|<iframe|autoplay|\.mp4' "$h" && th_not_ok "html: no player, no video file" ||
	th_ok "html: no player, no video file"
grep -Eq '<img(\s+[a-z-]+="[^"]*")*\s*>' "$h" >/dev/null
n_noalt=$(grep -o '<img [^>]*>' "$h" | grep -vc ' alt="')
st_expect_eq "html: every image has an alt attribute" "$n_noalt" 0
grep -q '<a [^>]*href="https://www.instagram.com/explore/tags/brand/"[^>]*>#brand</a>' "$h" &&
	th_ok "html: a caption's #hashtag links to the network's tag page" ||
	th_not_ok "html: a caption's #hashtag links to the network's tag page"
grep -q '<data value="1204">' "$h" && th_ok "html: counts with show_counts" || th_not_ok "html: counts with show_counts"

# ------------------------------------------- 2b. galleries in every layout

# A plain host page: each layout filled by <social-stream>, in chromium
# (tests/js/browser_gallery.mjs).
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
JS=$TH_SRCDIR/tests/js
if [ -x "$CHROMIUM" ] && [ -d "$JS/node_modules/playwright-core" ] && command -v node >/dev/null; then
	cat >"$TH_DIR/nginx/html/gallery.html" <<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Galleries</title>
<link rel="stylesheet" href="/social/embed.css">
<script src="/social/embed.js" defer></script>
</head><body><main><h1>Galleries</h1>
<h2>List</h2><social-stream stream="meta" layout="list" limit="20"></social-stream>
<h2>Grid</h2><social-stream stream="meta" layout="grid" limit="20"></social-stream>
<h2>Carousel</h2><social-stream stream="meta" layout="carousel" limit="20"></social-stream>
</main></body></html>
HTML
	th_run_tap browser env BASE="$TH_BASE" SHOTS="$TH_DIR/shots" CHROMIUM="$CHROMIUM" \
		node "$JS/browser_gallery.mjs"
else
	th_ok "# SKIP browser galleries: no chromium or playwright-core"
fi

# ------------------------------------------------------- 3. CDN URLs expire

img=$(grep -o '/social/media/[0-9a-f]\{32\}' "$h" | head -1)
"${TH_CURL[@]}" "$API/_meta_mode?net=cdn&mode=expired" >/dev/null
code=$("${TH_CURL[@]}" -o /dev/null -w '%{http_code}' "$API/cdn/scontent.cdninstagram.com/v/t51.29350-15/look1.jpg")
st_expect_eq "the fixture CDN now refuses its URLs (403)" "$code" 403
code=$("${TH_CURL[@]}" -o "$TH_DIR/img" -w '%{http_code}' "$TH_BASE$img")
st_expect_eq "an expired CDN image is still served from the media cache" "$code" 200
head -c 8 "$TH_DIR/img" | od -An -tx1 | grep -q '89 50 4e 47' && th_ok "... as the PNG it was" ||
	th_not_ok "... as the PNG it was"

# ------------------------------------------------------- 4. bad input

want_items() { case $1 in ig) echo 3 ;; fb) echo 2 ;; th) echo 4 ;; tag) echo 2 ;; esac; }

# one_pass IG FB TH TAG: each network answers in its mode, one refresh.
one_pass() {
	"${TH_CURL[@]}" "$API/_meta_mode?net=ig&mode=$1" >/dev/null
	"${TH_CURL[@]}" "$API/_meta_mode?net=fb&mode=$2" >/dev/null
	"${TH_CURL[@]}" "$API/_meta_mode?net=th&mode=$3" >/dev/null
	"${TH_CURL[@]}" "$API/_meta_mode?net=igtag&mode=$4" >/dev/null
	"$SOCIALHUB" refresh -c "$cfg" --stream meta --force >"$TH_DIR/out.$1" 2>>"$TH_DIR/socialhub.log"
	st_health_fresh
	sed 's/^/#   /' "$TH_DIR/out.$1"
}
# expect_fail SOURCE WHAT WANT: the error names WANT in /healthz and the
# log; the last good items stay.
expect_fail() { st_expect_fail meta "$1" "$2" "$3" "$(want_items "$1")"; }

one_pass html malformed missing big
expect_fail ig "an HTML error page" "an HTML page instead of JSON from the Instagram API"
expect_fail fb "malformed JSON" "malformed JSON from the Facebook API"
expect_fail th "missing fields" "unexpected JSON from the Threads API: post 0 has no"
expect_fail tag "11 MiB" "too large"
st_expect_eq "after pass 1 the stream still holds all 11 items" "$(st_count_items meta)" 11

one_pass loop expired revoked permission
expect_fail ig "a next page equal to this one" "pagination loops"
expect_fail fb "an expired token (190/463)" "Facebook API: the access token was expired (OAuthException 190 subcode 463"
expect_fail fb "an expired token: reconnect" "reconnect the account"
expect_fail th "a revoked token (190/458)" "Threads API: the access token was revoked"
expect_fail tag "missing permission (10)" "missing permission: the token needs instagram_basic"
expect_fail tag "missing permission: the feature named" "Instagram Public Content Access"

one_pass ratelimit ratelimit permission 429
expect_fail ig "rate limit code 4" "Instagram API: rate limited (code 4, HTTP 400)"
expect_fail fb "rate limit code 32" "rate limited (code 32"
expect_fail th "missing permission (200)" "Threads API: missing permission: the token needs threads_basic"
expect_fail tag "429" "rate limited"
now=$(date +%s)
st_expect_range "ig, rate-limit code: the next try waits at least an hour" \
	"$(($(st_health meta ig next_due) - now))" 3500 86400
st_expect_range "tag, 429 Retry-After: the next try waits at least 120 s" \
	"$(($(st_health meta tag next_due) - now))" 110 86400
st_expect_eq "after three failing passes the stream still holds all 11 items" "$(st_count_items meta)" 11
"${TH_CURL[@]}" "$S/streams/meta.json?limit=100" >"$TH_DIR/meta2.json"
grep -Eq 'Sorry, something went wrong|cut off|"pad"|no timestamp' "$TH_DIR/meta2.json" &&
	th_not_ok "nothing of a bad answer is published" || th_ok "nothing of a bad answer is published"

# Usage at 95 %: the refresh succeeds with the first page only, and waits.
reqs_before=$(reqs /ig/v26.0/$IG/media after=QVFIUmFmdGVy)
one_pass usage ok private ok
st_expect_eq "usage 95 %: instagram refreshed" "$(st_health meta ig last_error)" ""
st_expect_eq "usage 95 %: no second page asked" "$(reqs /ig/v26.0/$IG/media after=QVFIUmFmdGVy)" "$reqs_before"
now=$(date +%s)
st_expect_range "usage 95 %: the next refresh waits at least an hour" \
	"$(($(st_health meta ig next_due) - now))" 3500 86400
grep -E "event=fetch_ok.*source=ig" "$TH_DIR/socialhub.log" | tail -1 | grep -q "rule=api-usage" &&
	th_ok "usage 95 %: logged with rule=api-usage" || th_not_ok "usage 95 %: logged with rule=api-usage"
st_expect_eq "fb recovered (ok mode)" "$(st_health meta fb last_error)" ""
# Media at private addresses: the posts stay, their media go, with a warning.
st_expect_eq "private media: threads refreshed" "$(st_health meta th last_error)" ""
w=$(st_health meta th warning)
grep -Fq "media left out: a private or loopback address" <<<"$w" &&
	th_ok "private media: a warning in /healthz naming the cause" ||
	th_not_ok "private media: a warning in /healthz naming the cause" "got '$w'"
"${TH_CURL[@]}" "$S/streams/meta.json?limit=100" >"$TH_DIR/meta3.json"
"${TH_CURL[@]}" "$S/streams/meta.html?limit=100" >"$TH_DIR/meta3.html"
grep -Eq '10\.1\.2\.3|169\.254' "$TH_DIR/meta3.json" "$TH_DIR/meta3.html" &&
	th_not_ok "private media: never published" || th_ok "private media: never published"

th_done

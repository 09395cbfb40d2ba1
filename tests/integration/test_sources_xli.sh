#!/usr/bin/env bash
# test_sources_xli.sh: the LinkedIn, X, x-search and TikTok sources (issues
# 17 and 19) through `socialhub refresh` and real nginx, against
# api_fixture.py (api_fixture_xli.py), which answers their documented shapes.
#
#  1. check-config: each type's keys (ids, handles, query, a token).
#  2. A refresh reads every page (LinkedIn start/count, X pagination_token,
#     TikTok's cursor in a POST body), resolves LinkedIn's image and video
#     URNs, sends the token only as "Authorization: Bearer" and LinkedIn's
#     two version headers; the stream's outputs carry galleries with alt
#     text, video posters, durations and counts.
#  3. Bad input: HTML error pages (502 and 200), malformed JSON, missing
#     fields, 11 MiB, a looping next page (and cursor), 401, 403 (a missing
#     permission named), 429, an unknown user answered 200, a TikTok scope
#     missing, media at private addresses. Each gives the cause in /healthz
#     and the log, keeps the last good items, publishes nothing of it.
#  4. Rate limits: X's x-rate-limit-remaining: 0 puts the next request
#     after x-rate-limit-reset, on a 200 and on a 429; a 429's error names
#     the wait really chosen (X's reset, TikTok's back-off), never a
#     Retry-After that did not come.
#  5. X accounts as "@handles": looked up once, the id kept in status.json;
#     an unknown handle fails with X's words. LinkedIn without show_counts
#     asks no socialMetadata.
#  Conditional requests: If-None-Match and 304 for a run of one request.
#  LinkedIn counts (show_counts): one socialMetadata batch get per page;
#  when that call fails (403, cut-off JSON) the posts are kept without
#  counts and status.json says why.
#  TikTok posters: served from the media cache after the CDN answers 403.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3 curl "$(th_find_nginx)"
th_init sources_xli

st_start_api || th_bail "api fixture did not start"
printf 'TESTTOKEN\n' >"$TH_DIR/token"
TOK=$TH_DIR/token
S=$TH_BASE/social

# ------------------------------------------------------------ 1. check-config

st_check_bad_source "x without a token" 'type = "x" account = "2244994945"' "connection or token_file: missing"
st_check_bad_source "x with a bad handle" "type = \"x\" account = \"@brand-co\" token_file = \"$TOK\"" \
	'"@handle" (1-15 letters, digits or _) or numeric id'
st_check_bad_source "x with a 16-character handle" \
	"type = \"x\" account = \"@abcdefghijklmnop\" token_file = \"$TOK\"" '"@handle"'
st_check_bad_source "x with a name that is neither" "type = \"x\" account = \"brand\" token_file = \"$TOK\"" \
	'"@handle"'
st_check_bad_source "x with a query" "type = \"x\" account = \"1\" query = \"a\" token_file = \"$TOK\"" "query: only for earned"
st_check_bad_source "x-search without a query" "type = \"x-search\" token_file = \"$TOK\"" "query: missing"
st_check_bad_source "x-search with an account" \
	"type = \"x-search\" query = \"#a\" account = \"1\" token_file = \"$TOK\"" "account: not for an earned"
st_check_bad_source "linkedin with a vanity name" "type = \"linkedin\" account = \"brand\" connection = \"li\"" \
	"organization's id"
st_check_bad_source "tiktok without @" "type = \"tiktok\" account = \"brand\" connection = \"tt\"" "@handle"
st_check_bad_source "a query on a feed" 'url = "https://e.example/f.xml" query = "a"' "API sources"

streams="stream social {
  source li { type = \"linkedin\"  account = \"2414183\"  api_url = \"$API/li\"  token_file = \"$TOK\" }
  source x  { type = \"x\"  account = \"2244994945\"  api_url = \"$API/x\"  token_file = \"$TOK\" }
  source tt { type = \"tiktok\"  account = \"@brand\"  api_url = \"$API/tt\"  token_file = \"$TOK\" }
  show_counts = true
}
stream earned {
  # Earned items wait for a moderator by default (doc/moderation.md);
  # these tests read the connector, so they show at once.
  source xs { type = \"x-search\"  query = \"#BrandLaunch -is:retweet\"  api_url = \"$API/x\"  token_file = \"$TOK\"
              moderation = \"auto\" }
}"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "$streams")
st_check_ok "$cfg" "check-config accepts linkedin, x, x-search, tiktok"

# ---------------------------------------------------------- 2. a good refresh

"$SOCIALHUB" refresh -c "$cfg" >"$TH_DIR/out1" 2>>"$TH_DIR/socialhub.log"
rc=$?
st_health_fresh
st_expect_eq "refresh: exit 0" "$rc" 0
sed 's/^/#   /' "$TH_DIR/out1"
st_expect_line "$TH_DIR/out1" '^social/li +updated +200 +4 ' "linkedin: 4 items (2 pages, the draft left out)"
st_expect_line "$TH_DIR/out1" '^social/x +updated +200 +4 ' "x: 4 items (2 pages)"
st_expect_line "$TH_DIR/out1" '^social/tt +updated +200 +3 ' "tiktok: 3 items (2 pages)"
st_expect_line "$TH_DIR/out1" '^earned/xs +updated +200 +2 ' "x-search: 2 items"

reqs() { st_api_reqs "$@"; }
st_expect_eq "linkedin: read the second page (start=4)" "$(reqs /li/rest/posts start=4)" 1
st_expect_eq "linkedin: images resolved in one batch get" "$(reqs /li/rest/images 'ids=List(urn%3Ali%3Aimage%3A')" 1
st_expect_eq "linkedin: videos resolved in one batch get" "$(reqs /li/rest/videos 'ids=List(urn%3Ali%3Avideo%3A')" 1
st_expect_eq "linkedin (show_counts): one socialMetadata batch get per posts page" "$(reqs /li/rest/socialMetadata 'ids=List(urn%3Ali%3A')" 2
st_expect_eq "linkedin: the first page's counts asked for its 3 public posts" \
	"$(reqs /li/rest/socialMetadata 'ids=List(urn%3Ali%3Ashare%3A7400000000000000003,urn%3Ali%3AugcPost%3A7400000000000000002,urn%3Ali%3Ashare%3A7400000000000000001)')" 1
st_expect_eq "linkedin: every call sent LinkedIn-Version" \
	"$(grep -F '"/li/' "$TH_DIR/api.log" | grep -vc '"li_version": "2025')" 0
st_expect_eq "x: followed next_token as pagination_token" "$(reqs /x/2/users/2244994945/tweets pagination_token=7140dibdnow9c7btw3w29n4v7)" 1
st_expect_eq "x-search: the query sent encoded" "$(reqs /x/2/tweets/search/recent 'query=%23BrandLaunch%20-is%3Aretweet')" 1
st_expect_eq "tiktok: the second page POSTs the cursor" \
	"$(grep -F '"/tt/v2/video/list/"' "$TH_DIR/api.log" | grep -F '"method": "POST"' | grep -cF '\"cursor\":1764800000000')" 1
st_expect_eq "every call carried the bearer token" \
	"$(grep -E '"/(li|x|tt)/' "$TH_DIR/api.log" | grep -vc '"auth": "Bearer TESTTOKEN"')" 0
if grep -q '"query": "[^"]*TESTTOKEN' "$TH_DIR/api.log" || grep -q TESTTOKEN "$TH_DIR/socialhub.log" "$TH_DIR/out1" ||
	grep -rq TESTTOKEN "$TH_DIR/cache"; then
	th_not_ok "the token appears in no URL, log, report or cache file"
else
	th_ok "the token appears in no URL, log, report or cache file"
fi

th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

"${TH_CURL[@]}" "$S/streams/social.json?limit=100" >"$TH_DIR/social.json"
"${TH_CURL[@]}" "$S/streams/social.html?limit=100" >"$TH_DIR/social.html"
"${TH_CURL[@]}" "$S/streams/earned.json?limit=100" >"$TH_DIR/earned.json"

"$ST_PY" - "$TH_DIR/social.json" "$TH_DIR/earned.json" <<'EOF' >"$TH_DIR/json.checks"
import json, sys
f = json.load(open(sys.argv[1]))
items = {i["id"]: i for i in f["items"]}
def ext(i): return items[i]["_socialhub"]
print("items", len(items))
li = ext("urn:li:share:7400000000000000003")
print("li_gallery", li.get("kind"), len(li["media"]), li["media"][0].get("alt"))
print("li_proxied", all("/social/media/" in m["url"] for m in li["media"]))
v = ext("urn:li:ugcPost:7400000000000000002")
print("li_video", v.get("kind"), v["media"][0].get("duration_in_seconds"), "url" in v["media"][0])
a = items["urn:li:share:7400000000000000001"]
print("li_article", a["_socialhub"].get("kind"), a.get("external_url"))
c = [ext(u).get("counts", {}) for u in ("urn:li:share:7400000000000000003", "urn:li:ugcPost:7400000000000000002",
                                        "urn:li:share:7400000000000000001")]
print("li_counts", " ".join("%s/%s" % (x.get("likes"), x.get("comments")) for x in c),
      "counts" in ext("urn:li:share:7399999999999999999"))
x = ext("https://x.com/i/web/status/1860000000000000003")
print("x_photo", x.get("kind"), x["media"][0].get("alt"), x["counts"].get("likes"), x["counts"].get("views"))
xt = items["https://x.com/i/web/status/1860000000000000001"]["content_html"]
print("x_links", "https://x.com/fan_one" in xt, "https://x.com/hashtag/Launch2026" in xt,
      "https://brand.example/blog/launch" in xt)
tt = [i for i in f["items"] if "tiktok.com" in i["id"]]
print("tt", len(tt), tt[0]["_socialhub"].get("kind"), tt[0]["_socialhub"]["media"][0].get("duration_in_seconds"),
      tt[0]["_socialhub"]["counts"].get("views"))
e = json.load(open(sys.argv[2]))
print("earned", len(e["items"]))
EOF
jc() { sed -n "s/^$1 //p" "$TH_DIR/json.checks"; }
st_expect_eq "json: 11 items from 3 networks" "$(jc items)" 11
st_expect_eq "json: a LinkedIn multi-image post, unresolved image left out, alt kept" "$(jc li_gallery)" \
	"photo 2 A red coat on a hanger"
st_expect_eq "json: LinkedIn images through the media proxy" "$(jc li_proxied)" True
st_expect_eq "json: a LinkedIn video: poster, duration, no file" "$(jc li_video)" "video 62 False"
st_expect_eq "json: a LinkedIn article" "$(jc li_article)" "article https://brand.example/report-2026"
st_expect_eq "json: LinkedIn counts (every reaction kind, comments); none where LinkedIn gave none" \
	"$(jc li_counts)" "137/9 40/2 7/0 False"
st_expect_eq "json: an X photo post with alt text and counts" "$(jc x_photo)" \
	"photo The new store's front, with a crowd 140 5400"
st_expect_eq "json: X mentions, hashtags and links as links" "$(jc x_links)" "True True True"
st_expect_eq "json: TikTok videos with duration and views" "$(jc tt)" "3 video 15 3000"
st_expect_eq "json: the x-search stream" "$(jc earned)" 2
h=$TH_DIR/social.html
grep -q 'alt="A red coat on a hanger"' "$h" && th_ok "html: the LinkedIn gallery with alt text" ||
	th_not_ok "html: the LinkedIn gallery with alt text"
grep -q '<a class="social-stream__video u-video" href="https://www.tiktok.com/@brand/video/7380080137603' "$h" &&
	th_ok "html: a TikTok video is its poster linking out" || th_not_ok "html: a TikTok video is its poster linking out"
"$ST_PY" - "$h" <<'PY' >"$TH_DIR/html.checks"
import re, sys
h = open(sys.argv[1]).read()
arts = re.findall(r"<article.*?</article>", h, re.S)
li = [a for a in arts if "urn:li:share:7400000000000000003" in a][0]
m = re.search(r'<ul class="social-stream__counts">.*?</ul>', li, re.S)
print("li_counts_html", bool(m) and "137" in m.group(0) and "9" in m.group(0))
PY
st_expect_eq "html (show_counts): the LinkedIn post shows its reactions and comments" \
	"$(sed -n 's/^li_counts_html //p' "$TH_DIR/html.checks")" True
grep -Eq '<video|<iframe|autoplay|\.mp4' "$h" && th_not_ok "html: no player, no video file" ||
	th_ok "html: no player, no video file"

# Conditional requests: a run of one request (x-search, one page) keeps
# its ETag and sends If-None-Match; a 304 keeps the items. A run of several
# (the X timeline's two pages) keeps none: its first answer is not all.
"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/out2" 2>>"$TH_DIR/socialhub.log"
st_health_fresh
sed 's/^/#   /' "$TH_DIR/out2"
st_expect_line "$TH_DIR/out2" '^earned/xs +not-modified +304 +2 ' "x-search: If-None-Match sent, 304: not modified, 2 items kept"
st_expect_eq "x timeline (2 pages): no If-None-Match sent" \
	"$(grep -F '"/x/2/users/2244994945/tweets"' "$TH_DIR/api.log" | grep -vc '"inm": null')" 0
st_expect_line "$TH_DIR/out2" '^social/x +(updated|unchanged) +200 +4 ' "x timeline: read again in full"

# TikTok's cover_image_url expires after about 6 hours and is signed anew
# on every call: the publish step copies each poster into the media cache
# once (its id ignores the signature, doc/widgets.md), and the pages point
# there. The fixture's CDN answers each signed URL once, then 403 like an
# expired one; after more refreshes the posters are still served.
covers() { grep -F '"path": "/media/p16-sign.tiktokcdn-us.com/' "$TH_DIR/api.log" | grep -c "$1"; }
st_expect_eq "tiktok: each cover fetched once in two refreshes, though signed anew (3 covers)" \
	"$(covers '"status": 200')" 3
served=$(grep -F '"path": "/media/p16-sign.tiktokcdn-us.com/' "$TH_DIR/api.log" | grep -F '"status": 200' |
	head -n 1 | "$ST_PY" -c 'import json, sys; l = json.loads(sys.stdin.read()); print(l["path"] + "?" + l["query"])')
code=$("${TH_CURL[@]}" -o /dev/null -w '%{http_code}' "$API$served")
st_expect_eq "tiktok: the fixture CDN now refuses a cover it served (403)" "$code" 403
"$SOCIALHUB" refresh -c "$cfg" --stream social --force >"$TH_DIR/out3" 2>>"$TH_DIR/socialhub.log"
st_health_fresh
"${TH_CURL[@]}" "$S/streams/social.html?limit=100" >"$TH_DIR/social_tt.html"
posters=$(grep -o '<a class="social-stream__video u-video" href="https://www.tiktok.com/[^"]*"><img class="social-stream__poster" src="[^"]*"' \
	"$TH_DIR/social_tt.html" | sed 's/.*src="//; s/"$//')
st_expect_eq "tiktok: 3 posters in the page, all /social/media/ (none at the CDN)" \
	"$(grep -c '/social/media/[0-9a-f]\{32\}$' <<<"$posters")" 3
ok=0
for u in $posters; do
	code=$("${TH_CURL[@]}" -o "$TH_DIR/poster" -w '%{http_code}' "$u")
	[ "$code" = 200 ] && head -c 8 "$TH_DIR/poster" | od -An -tx1 | grep -q '89 50 4e 47' && ok=$((ok + 1))
done
st_expect_eq "tiktok: each poster still served (200, the PNG) after its CDN URL expired" "$ok" 3
st_expect_eq "tiktok: no cover fetched again by the third refresh" "$(covers '"status": 200')" 3

# ------------------------------------------------------- 3. bad input

one_pass() {
	"${TH_CURL[@]}" "$API/_mode?net=li&mode=$1" >/dev/null
	"${TH_CURL[@]}" "$API/_mode?net=x&mode=$2" >/dev/null
	"${TH_CURL[@]}" "$API/_mode?net=tt&mode=$3" >/dev/null
	"$SOCIALHUB" refresh -c "$cfg" --stream social --force >"$TH_DIR/out.$1" 2>>"$TH_DIR/socialhub.log"
	st_health_fresh
	sed 's/^/#   /' "$TH_DIR/out.$1"
}
expect_fail() { st_expect_fail social "$1" "$2" "$3" "$(case $1 in li | x) echo 4 ;; tt) echo 3 ;; esac)"; }

one_pass html malformed big
expect_fail li "a 502 HTML page" "LinkedIn API: HTTP 502"
expect_fail x "malformed JSON" "malformed JSON from the X API"
expect_fail tt "11 MiB" "too large"
st_expect_eq "after pass 1 the stream still holds all 11 items" "$(st_count_items social)" 11

one_pass loop loop loop
expect_fail li "a page that repeats" "pagination loops"
expect_fail x "a next_token that repeats" "pagination loops"
expect_fail tt "a cursor that repeats" "pagination loops"

one_pass missing missing missing
expect_fail li "missing fields" "post 0 has no"
expect_fail li "missing fields, the field named" "publishedAt"
expect_fail x "missing fields" "post 0 has no numeric"
expect_fail tt "missing fields" "video 0 has no"

one_pass 401 gone scope
expect_fail li "a revoked token" "LinkedIn API: access refused"
expect_fail li "a revoked token, LinkedIn's words" "REVOKED_ACCESS_TOKEN"
expect_fail x "an unknown user (200 with errors)" "Could not find user with id"
expect_fail tt "a scope not granted" "scope_not_authorized"

one_pass 403 401 429
expect_fail li "a missing permission" "Not enough permissions to access: partnerApiPostsExternal"
expect_fail x "401" "X API: access refused"
expect_fail tt "429" "rate limited"
expect_fail tt "429 without Retry-After: the wait named" "the next try waits for the back-off after repeated failures (no Retry-After)"
grep -F "event=fetch_failed" "$TH_DIR/socialhub.log" | grep -F "source=tt" | grep -q "waits for Retry-After" &&
	th_not_ok "tt, 429: no claim of a Retry-After that never came" || th_ok "tt, 429: no claim of a Retry-After that never came"
expect_fail tt "429, TikTok's words" "rate_limit_exceeded"

one_pass 429 html200 401
expect_fail li "429" "TOO_MANY_REQUESTS"
expect_fail x "an HTML page with 200" "an HTML page instead of JSON from the X API"
expect_fail tt "an invalid token" "access_token_invalid"
"${TH_CURL[@]}" "$S/streams/social.json?limit=100" >"$TH_DIR/social2.json"
st_expect_eq "after six failing passes the stream still holds all 11 items" "$(st_count_items social)" 11
grep -Eq 'Sign in to continue|cut off|"pad"|no dates|no id' "$TH_DIR/social2.json" &&
	th_not_ok "nothing of a bad answer is published" || th_ok "nothing of a bad answer is published"

# Media at private addresses: the posts stay, their media go, with a warning.
one_pass private private private
for s in li x tt; do
	st_expect_eq "$s, private media: the refresh succeeds" "$(st_health social $s failures)" 0
	grep -Fq "media left out: a private or loopback address" <<<"$(st_health social $s warning)" &&
		th_ok "$s, private media: a warning in /healthz" || th_not_ok "$s, private media: a warning in /healthz"
done
"${TH_CURL[@]}" "$S/streams/social.json?limit=100" >"$TH_DIR/social3.json"
grep -q '10\.1\.2\.3' "$TH_DIR/social3.json" && th_not_ok "private media: never published" ||
	th_ok "private media: never published"

# ------------------------------------------------------- 4. rate limits

one_pass ok spent ok
now=$(date +%s)
st_expect_eq "x, budget spent (200): the refresh succeeds" "$(st_health social x failures)" 0
st_expect_range "x, budget spent: the next try waits for x-rate-limit-reset (an hour, not every 15m)" \
	"$(($(st_health social x next_due) - now))" 3590 3700
one_pass ok 429 ok
now=$(date +%s)
expect_fail x "429" "rate limited"
expect_fail x "429: the wait named (the reset, half an hour, beyond every 15m)" "the next try waits for x-rate-limit-reset: "
st_expect_range "x, 429 without Retry-After: the next try waits for x-rate-limit-reset" \
	"$(($(st_health social x next_due) - now))" 1790 1810
st_expect_log "x, rate-limited: the rule logged" "event=fetch_(ok|failed).*source=x.*rule=api-usage"

# ------------------------------------------------- 5. X accounts as handles

# account = "@handle": looked up once (GET /2/users/by/username/:username),
# the id kept in the source's status.json, the timeline read by that id.
"${TH_CURL[@]}" "$API/_mode?net=x&mode=ok" >/dev/null
handles="stream handles {
  source xh { type = \"x\"  account = \"@Brand\"  api_url = \"$API/x\"  token_file = \"$TOK\" }
  source xu { type = \"x\"  account = \"@nobody_here\"  api_url = \"$API/x\"  token_file = \"$TOK\" }
}
stream plain {
  # no show_counts: LinkedIn's counts cost a request per page, not made
  source lp { type = \"linkedin\"  account = \"900001\"  api_url = \"$API/li\"  token_file = \"$TOK\" }
}"
cfg2=$(th_write_config "$TH_DIR/socialhub2.conf" "$streams
$handles")
st_check_ok "$cfg2" "check-config accepts x accounts as @handles"
lookups() { grep -cF "\"path\": \"/x/2/users/by/username/$1\"" "$TH_DIR/api.log"; }
timeline() { grep -cF '"path": "/x/2/users/2244994945/tweets"' "$TH_DIR/api.log"; }
t0=$(timeline)
"$SOCIALHUB" refresh -c "$cfg2" --stream handles --force >"$TH_DIR/out.h1" 2>>"$TH_DIR/socialhub.log"
sed 's/^/#   /' "$TH_DIR/out.h1"
st_expect_line "$TH_DIR/out.h1" '^handles/xh +updated +200 +4 ' "x @handle: 4 items (lookup, then 2 pages)"
st_expect_eq "x @handle: looked up once" "$(lookups Brand)" 1
st_expect_eq "x @handle: the lookup asked for the user fields" \
	"$(grep -F '"/x/2/users/by/username/Brand"' "$TH_DIR/api.log" | grep -cF 'user.fields=name,username,profile_image_url')" 1
st_expect_eq "x @handle: the timeline read by the id looked up (2 pages)" "$(($(timeline) - t0))" 2
grep -l '"account_for":"@Brand"' "$TH_DIR"/cache/sources/*/status.json 2>/dev/null |
	xargs -r grep -l '"account_id":"2244994945"' | grep -q . &&
	th_ok "x @handle: the id kept in the source's status.json" ||
	th_not_ok "x @handle: the id kept in the source's status.json"
st_expect_line "$TH_DIR/out.h1" '^handles/xu +failed' "x unknown @handle: the source fails"
st_expect_log "x unknown @handle: X's words in the log" \
	'event=fetch_failed.*source=xu.*Could not find user with username: \[nobody_here\]'
t1=$(timeline)
"$SOCIALHUB" refresh -c "$cfg2" --stream handles --force >"$TH_DIR/out.h2" 2>>"$TH_DIR/socialhub.log"
sed 's/^/#   /' "$TH_DIR/out.h2"
st_expect_line "$TH_DIR/out.h2" '^handles/xh +(updated|unchanged) +200 +4 ' "x @handle, second refresh: 4 items"
st_expect_eq "x @handle, second refresh: no lookup (the kept id used)" "$(lookups Brand)" 1
st_expect_eq "x @handle, second refresh: the timeline by the kept id" "$(($(timeline) - t1))" 2
st_expect_eq "x unknown @handle: looked up again (nothing kept)" "$(lookups nobody_here)" 2

"${TH_CURL[@]}" "$API/_mode?net=li&mode=ok" >/dev/null
m0=$(grep -cF '"path": "/li/rest/socialMetadata"' "$TH_DIR/api.log")
p0=$(grep -F '"path": "/li/rest/posts"' "$TH_DIR/api.log" | grep -cF 'organization%3A900001')
"$SOCIALHUB" refresh -c "$cfg2" --stream plain --force >"$TH_DIR/out.p1" 2>>"$TH_DIR/socialhub.log"
sed 's/^/#   /' "$TH_DIR/out.p1"
st_expect_line "$TH_DIR/out.p1" '^plain/lp +updated +200 +4 ' "linkedin without show_counts: 4 items"
st_expect_eq "linkedin without show_counts: both posts pages read" \
	"$(($(grep -F '"path": "/li/rest/posts"' "$TH_DIR/api.log" | grep -cF 'organization%3A900001') - p0))" 2
st_expect_eq "linkedin without show_counts: no socialMetadata request" \
	"$(($(grep -cF '"path": "/li/rest/socialMetadata"' "$TH_DIR/api.log") - m0))" 0

# The counts are a detail: their call failing keeps the posts, not counted.
li_counts() {
	"${TH_CURL[@]}" "$S/streams/social.json?limit=100" | "$ST_PY" -c '
import json, sys
items = [i for i in json.load(sys.stdin)["items"] if i["id"].startswith("urn:li:")]
print(len(items), sum("counts" in i["_socialhub"] for i in items))'
}
li_warning() {
	"$ST_PY" -c '
import json, sys
for f in sys.argv[1:]:
    text = open(f).read()
    if text.startswith("SHC1 "):    # the checksum line (doc/streams.md)
        text = text.split("\n", 1)[1]
    w = json.loads(text).get("warning", "")
    if w.startswith("counts left out"):
        print(w)' "$TH_DIR"/cache/sources/*/status.json
}
for mode in counts403 countsjunk; do
	"${TH_CURL[@]}" "$API/_mode?net=li&mode=$mode" >/dev/null
	"$SOCIALHUB" refresh -c "$cfg" --stream social --force >"$TH_DIR/out.$mode" 2>>"$TH_DIR/socialhub.log"
	st_expect_eq "linkedin counts $mode: refresh exits 0" "$?" 0
	sed 's/^/#   /' "$TH_DIR/out.$mode"
	st_expect_line "$TH_DIR/out.$mode" '^social/li +(updated|unchanged) +200 +4 ' "linkedin counts $mode: the 4 posts kept"
	st_health_fresh
	st_expect_eq "linkedin counts $mode: published without counts" "$(li_counts)" "4 0"
	w=$(li_warning)
	case $mode in
	counts403) want="Not enough permissions" ;;
	*) want="malformed JSON" ;;
	esac
	case $w in
	*"$want"*) th_ok "linkedin counts $mode: status.json warns ($w)" ;;
	*) th_not_ok "linkedin counts $mode: status.json warns with \"$want\" (got: $w)" ;;
	esac
done
"${TH_CURL[@]}" "$API/_mode?net=li&mode=ok" >/dev/null
"$SOCIALHUB" refresh -c "$cfg" --stream social --force >"$TH_DIR/out.ok" 2>>"$TH_DIR/socialhub.log"
st_health_fresh
st_expect_eq "linkedin counts back: published with counts again" "$(li_counts)" "4 3"
st_expect_eq "linkedin counts back: no warning left" "$(li_warning)" ""

th_done

#!/usr/bin/env bash
# test_widgets.sh: the widget routes through a real nginx and socialhub over
# the demo fixture feeds — JSON Feed 1.1 rules, ActivityStreams, Atom read
# back by feedparser, paging without duplicates or gaps, filters, bad
# parameters, caching headers and 304s, the media proxy, profiles, and no
# image from another host in any output.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl "$(th_find_nginx)"
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import feedparser' 2>/dev/null ||
	th_skip_all "$PY with feedparser (python3-feedparser) is needed"
th_init widgets
# shellcheck source=tests/integration/widgets_env.sh
. "$TH_LIB_DIR/widgets_env.sh"
CHECK="$PY $TH_LIB_DIR/widgets_check.py"

we_setup_feeds
we_config
th_start_nginx "$(we_nginx_extra)" || th_bail "nginx did not start"
we_refresh || th_bail "socialhub refresh failed: $(cat "$TH_DIR/refresh.out")"
th_start_socialhub "$WE_CFG" || th_bail "socialhub did not start"

S=$TH_BASE/social
OUT=$TH_DIR/out
mkdir -p "$OUT"

# check NAME CMD...: the checker's verdict as one TAP line.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1) && [ "${out##*$'\n'}" = ok ]; then
		th_ok "$name"
		printf '%s\n' "$out" | grep '^#' || true
	else
		th_not_ok "$name" "$out"
	fi
}

# fetch NAME URL FILE: GET into FILE, expecting 200.
fetch() {
	th_expect_status -n "$1" GET "$2" 200 && cp "$TH_BODY" "$3"
}

# ---- the list and the first pages
th_expect_status GET "$S/streams" 200 &&
	th_expect_body_contains '"name":"brand"'
# Dates in RFC 3339, as in the feeds (issue 16, item 8).
if grep -Eq '"updated":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})"' "$TH_BODY"; then
	th_ok "/streams: updated is RFC 3339"
else
	th_not_ok "/streams: updated is RFC 3339" "$(head -c 300 "$TH_BODY")"
fi

fetch "brand.json" "$S/streams/brand.json" "$OUT/brand.json"
th_expect_header Content-Type 'application/feed\+json'
th_expect_header Cache-Control 'max-age=60'
th_expect_header Cache-Control 'stale-while-revalidate='
th_expect_header Last-Modified 'GMT'
etag=$(th_header ETag)
case $etag in
'"'?*'"') th_ok "strong ETag $etag" ;;
*) th_not_ok "strong ETag" "got: $etag" ;;
esac
check "brand.json follows JSON Feed 1.1" $CHECK jsonfeed "$OUT/brand.json"
th_expect_body_contains '"next_url":"'"$S"'/streams/brand.json?before='
th_expect_status -n "If-None-Match answers 304" GET "$S/streams/brand.json" 304 -H "If-None-Match: $etag"
th_expect_body_empty
th_expect_status -n "a stale ETag gets the page" GET "$S/streams/brand.json" 200 -H 'If-None-Match: "old"'
th_expect_status -n "HEAD" HEAD "$S/streams/brand.json" 200
th_expect_header ETag "$etag"

fetch "brand.as2" "$S/streams/brand.as2" "$OUT/brand.as2"
th_expect_header Content-Type 'application/activity\+json'
th_expect_header Cache-Control 'stale-while-revalidate='
check "brand.as2 is an AS2 OrderedCollectionPage" $CHECK as2 "$OUT/brand.as2"

fetch "brand.atom" "$S/streams/brand.atom" "$OUT/brand.atom"
th_expect_header Content-Type 'application/atom\+xml'
check "Atom reads back (feedparser) to the JSON titles and links" \
	$CHECK atom "$OUT/brand.atom" "$OUT/brand.json"

for layout in list grid carousel; do
	fetch "brand.html layout=$layout" "$S/streams/brand.html?layout=$layout" "$OUT/brand-$layout.html"
	th_expect_header Content-Type 'text/html'
	th_expect_header Content-Security-Policy "default-src 'none'"
	th_expect_body_contains "social-stream--$layout h-feed"
	th_expect_body_contains 'class="social-stream__item'
	th_expect_body_contains '<time class="dt-published" datetime="'
done

# ---- paging: the whole stream, page by page, in several page sizes
for limit in 1 7 20 43 100; do
	check "paging with limit=$limit walks every item once, in order" \
		$CHECK walk "$S/streams/brand.json" "$limit"
done
check "paging a filtered stream (source=mastodon)" $CHECK walk "$S/streams/brand.json?source=mastodon" 5

# ---- filters
fetch "source filter" "$S/streams/brand.json?source=blog&limit=100" "$OUT/blog.json"
n=$(grep -o '"source":"[a-z]*"' "$OUT/blog.json" | sort -u)
[ "$n" = '"source":"blog"' ] && th_ok "source=blog keeps only blog items" ||
	th_not_ok "source=blog keeps only blog items" "$n"
fetch "market filter" "$S/streams/brand.json?market=de&limit=100" "$OUT/de.json"
[ "$(grep -o '"market":"de"' "$OUT/de.json" | wc -l)" = 10 ] && th_ok "market=de: the 10 blog items" ||
	th_not_ok "market=de" "$(head -c 300 "$OUT/de.json")"
fetch "tag filter" "$S/streams/brand.json?tag=makers&limit=100" "$OUT/tag.json"
[ "$(grep -o '"id":' "$OUT/tag.json" | wc -l)" = 2 ] && th_ok "tag=makers: two posts" ||
	th_not_ok "tag=makers" "$(head -c 300 "$OUT/tag.json")"
fetch "an unknown source is an empty page" "$S/streams/brand.json?source=nope" "$OUT/none.json"
th_expect_body_contains '"items":[]'

# ---- bad input
for q in 'limit=0' 'limit=101' 'limit=x' 'before=%21%21' 'before=MTIz' 'source=a%20b' \
	'layout=masonry' 'market=%3Cx%3E' 'tag=%FF'; do
	th_expect_status -n "400 for ?$q" GET "$S/streams/brand.html?$q" 400
	th_expect_header Content-Type 'application/json'
	# The body names the parameter, as doc/widgets.md says (a query
	# that is not UTF-8 fails as a whole, before any parameter).
	[ "$q" = 'tag=%FF' ] || th_expect_body_contains "\"param\":\"${q%%=*}\""
done
th_expect_status -n "unknown stream" GET "$S/streams/nope.json" 404 &&
	th_expect_body_contains '"error":"not_found"'
th_expect_status -n "unknown format" GET "$S/streams/brand.rss" 404
th_expect_status -n "POST is refused" POST "$S/streams/brand.json" 405

# ---- media proxy
img=$(grep -o "$S/media/[0-9a-f]*" "$OUT/brand.json" | head -n 1)
th_expect_status -n "a media URL from the stream" GET "$img" 200
th_expect_header Content-Type 'image/png'
th_expect_header Cache-Control 'immutable'
th_expect_header Cache-Control 'max-age=31536000'
cmp -s "$TH_BODY" "$WE_HTML/feeds/img/mastodon-1.png" && th_ok "the proxied bytes are the upstream image" ||
	th_not_ok "the proxied bytes are the upstream image"
th_expect_status -n "media 304" GET "$img" 304 -H "If-None-Match: \"${img##*/}\""
th_expect_status -n "media: unknown id" GET "$S/media/0123456789abcdef0123456789abcdef" 404
th_expect_status -n "media: malformed id" GET "$S/media/..%2F..%2Fetc%2Fpasswd" 404
# A file in the media dir that is not an image is never served.
bad=$TH_DIR/cache/media/ab/abababababababababababababababab
mkdir -p "${bad%/*}" && printf '<svg onload="alert(1)"/>' >"$bad"
th_expect_status -n "media: a non-image file is refused" GET "$S/media/${bad##*/}" 404
# Every image in every output is ours.
check "no image URL outside the media proxy (JSON, AS2, Atom, HTML)" \
	$CHECK images "$TH_BASE" "$OUT/brand.json" "$OUT/brand.as2" "$OUT/brand.atom" "$OUT"/brand-*.html

# ---- profiles
fetch "profiles.json" "$S/profiles/brand.json" "$OUT/profiles.json"
th_expect_header Cache-Control 'stale-while-revalidate='
th_expect_body_contains '"followers":10234'
th_expect_body_contains '"handle":"@brand@mastodon.example"'
th_expect_body_contains '"name":"Example Co. on Bluesky"'
[ "$(grep -o '"source":' "$OUT/profiles.json" | wc -l)" = 4 ] && th_ok "one profile per source" ||
	th_not_ok "one profile per source" "$(cat "$OUT/profiles.json")"
fetch "profiles.html" "$S/profiles/brand.html" "$OUT/profiles.html"
th_expect_body_contains 'class="social-profiles__card h-card"'
th_expect_body_contains '<data value="10234">10K</data> followers'
check "profile avatars go through the media proxy" $CHECK images "$TH_BASE" "$OUT/profiles.json" "$OUT/profiles.html"
th_expect_status -n "profiles of an unknown stream" GET "$S/profiles/nope.html" 404

# ---- the hostile stream renders as text
fetch "hostile.html" "$S/streams/hostile.html?limit=100" "$OUT/hostile.html"
check "hostile items carry no script-capable markup" $CHECK safe "$OUT/hostile.html"
check "the brand pages carry none either" $CHECK safe "$OUT"/brand-*.html "$OUT/profiles.html"
th_expect_body_contains 'onerror="window.__xss=7"&gt;Mallory'
fetch "hostile.json" "$S/streams/hostile.json?limit=100" "$OUT/hostile.json"
check "hostile.json still follows JSON Feed 1.1" $CHECK jsonfeed "$OUT/hostile.json"
check "hostile outputs only name proxied images" $CHECK images "$TH_BASE" "$OUT/hostile.json" "$OUT/hostile.html"
fetch "hostile.atom" "$S/streams/hostile.atom?limit=100" "$OUT/hostile.atom"
check "hostile.atom parses" $CHECK atom "$OUT/hostile.atom" "$OUT/hostile.json"

# ---- the embed bundle, compiled in (nginx normally serves it from disk)
th_expect_status -n "GET /embed.js" GET "$S/embed.js" 200
th_expect_header Content-Type 'application/javascript'
th_expect_body_contains "customElements.define('social-stream'"
th_expect_body_contains "customElements.define('social-share'"
th_expect_status -n "GET /embed.css" GET "$S/embed.css" 200
th_expect_header Content-Type 'text/css'
th_expect_body_contains '.social-share__list'
bd=$(dirname "$SOCIALHUB")
gz=$(cat "$bd/widgets/embed/dist/embed.js" "$bd/widgets/embed/dist/embed.css" 2>/dev/null |
	gzip -9 | wc -c)
[ "$gz" -gt 1000 ] && [ "$gz" -lt 12288 ] && th_ok "embed.js + embed.css: $gz bytes gzipped (< 12 KB)" ||
	th_not_ok "embed.js + embed.css under 12 KB gzipped" "got $gz bytes"

# ---- CGI mode: no refresher; a stale stream is refreshed and published inline
cgi_cfg=$TH_DIR/cgi.conf
mkdir -p "$TH_DIR/cgi-cache"
sed -e "s|^cache_dir .*|cache_dir   = \"$TH_DIR/cgi-cache\"|" -e '/^listen/d' "$WE_CFG" >"$cgi_cfg"
cgi_get() {
	env -i REQUEST_METHOD=GET REQUEST_URI="/social/streams/$1" SCRIPT_NAME="/social/streams/$1" \
		PATH_INFO= QUERY_STRING="${2:-}" SOCIALHUB_CONFIG="$cgi_cfg" \
		timeout 30 "$SOCIALHUB" </dev/null >"$TH_DIR/cgi.out" 2>>"$TH_DIR/socialhub.log"
}
cgi_get brand.json
if head -n 1 "$TH_DIR/cgi.out" | grep -q '^Status: 200' && grep -q '"next_url"' "$TH_DIR/cgi.out" &&
	[ -s "$TH_DIR/cgi-cache/streams/brand/page.json" ]; then
	th_ok "CGI: an empty cache is fetched, merged and published inline"
else
	th_not_ok "CGI: an empty cache is fetched, merged and published inline" "$(head -c 400 "$TH_DIR/cgi.out")"
fi
cgi_get brand.html layout=carousel
grep -q 'social-stream--carousel' "$TH_DIR/cgi.out" && th_ok "CGI: a second request reads the published stream" ||
	th_not_ok "CGI: a second request reads the published stream" "$(head -c 400 "$TH_DIR/cgi.out")"

# ---- the fast path: the first page is the pre-rendered file
pre=$TH_DIR/cache/streams/brand/page.json
tail -c +"$(($(head -n 1 "$pre" | wc -c) + 1))" "$pre" | cmp -s - "$OUT/brand.json" &&
	th_ok "the first page is the refresher's pre-rendered page.json" ||
	th_not_ok "the first page is the refresher's pre-rendered page.json"

th_done

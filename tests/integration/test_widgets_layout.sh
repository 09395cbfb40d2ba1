#!/usr/bin/env bash
# test_widgets_layout.sh: every widget layout in plain host pages (no CSS
# reset), through nginx running the SHIPPED deploy/nginx files unchanged
# (snippet_env.sh: private namespaces), in chromium: tests/js/browser_layout.mjs.
#
#   /host.html  on $TH_BASE: list, grid, carousel and profiles by SSI,
#               a grid filled by embed.js, the share bar by SSI
#   /cross.html on a second loopback port: one <script> tag pointing at
#               socialhub's embed.js, empty elements (embed_origins CORS)
#
# The shipped snippet serves embed.js/css from /usr/share/socialhub/embed/:
# inside the mount namespace an overlay puts this build's bundle there.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/snippet_env.sh
. "$TH_LIB_DIR/snippet_env.sh"

th_require_socialhub
th_require_cmd curl node "$(th_find_nginx)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || th_skip_all "chromium not installed at $CHROMIUM"
JS=$TH_SRCDIR/tests/js
[ -d "$JS/node_modules/playwright-core" ] || th_skip_all "run: npm ci --prefix tests/js"
[ -d "$JS/node_modules/axe-core" ] || th_skip_all "run: npm ci --prefix tests/js (axe-core)"
se_enter_ns "$@"
th_init widgets-layout
se_setup
# shellcheck source=tests/integration/widgets_env.sh
. "$TH_LIB_DIR/widgets_env.sh"

build=$(cd "$(dirname "$SOCIALHUB")" && pwd)
dist=$build/widgets/embed/dist
[ -r "$dist/embed.js" ] || th_bail "no bundle at $dist (run make)"
mkdir -p /run/ovl/upper/socialhub/embed /run/ovl/work
cp "$dist/embed.js" "$dist/embed.css" /run/ovl/upper/socialhub/embed/
mount -t overlay overlay -o lowerdir=/usr/share,upperdir=/run/ovl/upper,workdir=/run/ovl/work \
	/usr/share || th_bail "cannot overlay /usr/share in the namespace"

# A Mastodon API (tests/integration/api_fixture.py) for posts with counts.
pf=$TH_DIR/api.port
th_spawn api /usr/bin/python3 "$TH_LIB_DIR/api_fixture.py" --port-file "$pf" --log "$TH_DIR/api.log" \
	--fixtures "$TH_SRCDIR/tests/fixtures/api"
th_wait_file "$pf" 10000 "$TH_LAST_PID" || th_bail "api fixture did not start"
API=http://127.0.0.1:$(cat "$pf")

HOST_PORT=$(th_free_port)
HOST=http://127.0.0.1:$HOST_PORT
we_setup_feeds
we_config "embed_origins = {\"$HOST\"}
stream counted {
  show_counts = true
  source masto { type = \"mastodon\" account = \"@brand@mastodon.example\" api_url = \"$API/m\" }
  source blog { url = \"$TH_BASE/feeds/blog.rss\" }
}
stream jp {
  lang = \"ja\"
  source blog { url = \"$TH_BASE/feeds/blog.rss\" }
}
stream markets {
  source youtube { url = \"$TH_BASE/feeds/youtube.atom\" market = \"fr\" lang = \"fr\" }
  source bluesky { url = \"$TH_BASE/feeds/bluesky.rss\" market = \"ar\" lang = \"ar\" }
}"
ART='https%3A%2F%2Fwww.example.com%2Fnews%2Fa'
printf '%s\n' "share { allowed_hosts = {\"www.example.com\"}
  networks = {\"x\", \"mastodon\", \"bluesky\", \"linkedin\", \"whatsapp\", \"email\"} }" >>"$WE_CFG"

# Plain host pages: no reset, no stylesheet of their own.
cat >"$WE_HTML/host.html" <<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Plain host page</title>
<link rel="stylesheet" href="/social/embed.css">
<script src="/social/embed.js" defer></script>
</head><body>
<main>
<h1>Plain host page</h1>
<h2>List</h2>
<social-stream stream="brand" layout="list" limit="4"><!--# include virtual="/social/streams/brand.html?limit=4" --></social-stream>
<h2>Grid</h2>
<social-stream stream="brand" layout="grid" limit="6"><!--# include virtual="/social/streams/brand.html?layout=grid&limit=6" --></social-stream>
<h2>Carousel</h2>
<social-stream stream="brand" layout="carousel" limit="5"><!--# include virtual="/social/streams/brand.html?layout=carousel&limit=5" --></social-stream>
<h2>Grid, filled by the element</h2>
<social-stream stream="brand" layout="grid" limit="3"><a data-fallback href="/social/streams/brand.html?layout=grid">See the posts</a></social-stream>
<h2>Profiles</h2>
<social-profiles stream="brand"><!--# include virtual="/social/profiles/brand.html" --></social-profiles>
<h2>Share</h2>
<!--# include virtual="/social/share/buttons.html?url=$ART&title=Plain" -->
</main>
</body></html>
HTML
# The same page in German, Japanese and Arabic (right to left): the SSI
# includes ask for the page's language, the elements take it from <html>.
for lang in de ja ar; do
	dir=ltr
	[ "$lang" = ar ] && dir=rtl
	sed -e "s|<html lang=\"en\">|<html lang=\"$lang\" dir=\"$dir\">|" \
		-e "s|\(include virtual=\"/social/[^\"]*\)\" -->|\1\&lang=$lang\" -->|" \
		-e "s|profiles/brand.html&lang=|profiles/brand.html?lang=|" \
		"$WE_HTML/host.html" >"$WE_HTML/host-$lang.html"
done
# SSI against the element, per language: the same stream rendered by the
# server into the page, and fetched and rendered by embed.js.
for lang in de ja; do
	cat >"$WE_HTML/ssi-$lang.html" <<HTML
<!DOCTYPE html>
<html lang="$lang"><head><meta charset="utf-8"><title>SSI</title></head><body><main>
<social-stream stream="counted" limit="16"><!--# include virtual="/social/streams/counted.html?limit=16&lang=$lang" --></social-stream>
</main></body></html>
HTML
	cat >"$WE_HTML/element-$lang.html" <<HTML
<!DOCTYPE html>
<html lang="$lang"><head><meta charset="utf-8"><title>Element</title>
<script src="/social/embed.js" defer></script></head><body><main>
<social-stream stream="counted" limit="16"></social-stream>
</main></body></html>
HTML
done
cat >"$WE_HTML/cross.html" <<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Another site</title>
<script src="$TH_BASE/social/embed.js" defer></script>
</head><body><main><h1>Another site</h1>
<h2>Grid</h2>
<social-stream stream="brand" layout="grid" limit="4"></social-stream>
<h2>Profiles</h2>
<social-profiles stream="brand"></social-profiles>
<h2>Sign in</h2>
<social-login><a data-fallback href="$TH_BASE/social/auth/login">Sign in</a></social-login>
</main></body></html>
HTML
chmod -R a+rX "$WE_HTML"

se_start_nginx "$(we_nginx_extra)
        location ~ ^/(host|host-..|ssi-..)\.html\$ { ssi on; }
    }
    server {
        listen 127.0.0.1:$HOST_PORT;
        server_name 127.0.0.1;
        root $WE_HTML;
        location = /cross.html { }" || th_bail "nginx did not start"
we_refresh || th_bail "socialhub refresh failed: $(cat "$TH_DIR/refresh.out")"
th_start_socialhub "$WE_CFG" || th_bail "socialhub did not start"
S=$TH_BASE/social

# SSI through the shipped snippet: fragments, not JSON 404s.
th_expect_status -n "host page with SSI includes" GET "$TH_BASE/host.html" 200 &&
	th_check "the SSI includes are fragments (no JSON error, no nested page)" bash -c \
		"! grep -q '\"error\"' '$TH_BODY' && [ \"\$(grep -c '<html' '$TH_BODY')\" = 1 ] &&
		 grep -q 'social-stream--carousel' '$TH_BODY' && grep -q '<social-share' '$TH_BODY' &&
		 grep -q 'social-profiles__card' '$TH_BODY'"
# The same address opened by a browser is a whole page; fetch() a fragment.
th_expect_status -n "a stream opened directly is a page" GET "$S/streams/brand.html?limit=2" 200 \
	-H 'Sec-Fetch-Dest: document' &&
	th_check "... with title, stylesheet and a way back" bash -c \
		"grep -q '<title>Example Co. everywhere</title>' '$TH_BODY' && grep -q 'embed.css' '$TH_BODY' &&
		 grep -q 'social-page__back' '$TH_BODY' && grep -q 'social-stream__next' '$TH_BODY'"
th_expect_status -n "fetched by the element: a fragment" GET "$S/streams/brand.html?limit=2" 200 \
	-H 'Sec-Fetch-Dest: empty' &&
	th_check "... without <html>" bash -c "! grep -q '<html' '$TH_BODY'"
th_expect_header Vary 'Sec-Fetch-Dest, Upgrade-Insecure-Requests, Origin, Accept-Language'
# The words' language: lang, else Accept-Language (q-values, script and
# region fallbacks), else English; the element's catalog is a small route.
th_expect_status -n "lang=de" GET "$S/streams/brand.html?limit=2&lang=de" 200
th_expect_body_contains 'lang="de" dir="ltr" data-now="'
th_expect_body_contains '>Mehr laden</a>'
th_expect_status -n "Accept-Language: zh-TW" GET "$S/streams/brand.html?limit=2" 200 \
	-H 'Accept-Language: fr;q=0.1, zh-TW, en;q=0.5'
th_expect_body_contains 'lang="zh-Hant"'
th_expect_body_contains '>載入更多</a>'
th_expect_status -n "lang=ar: right to left" GET "$S/streams/brand.html?limit=2&lang=ar" 200
th_expect_body_contains 'lang="ar" dir="rtl"'
th_expect_status -n "an unknown language: English" GET "$S/streams/brand.html?limit=2&lang=xx" 200 \
	-H 'Accept-Language: xx-YY'
th_expect_body_contains 'lang="en" dir="ltr"'
th_expect_body_contains '>Load more</a>'
th_expect_status -n "a stream's lang beats Accept-Language" GET "$S/streams/jp.html?limit=2" 200 \
	-H 'Accept-Language: de'
th_expect_body_contains 'lang="ja" dir="ltr"'
th_expect_status -n "... and lang= beats the stream's" GET "$S/streams/jp.html?limit=2&lang=de" 200
th_expect_body_contains '>Mehr laden</a>'
th_expect_status -n "a market's lang" GET "$S/streams/markets.html?market=ar&limit=1" 200 \
	-H 'Accept-Language: de'
th_expect_body_contains 'lang="ar" dir="rtl" data-now'
th_expect_body_contains 'data-source="bluesky" lang="ar" dir="rtl"'
th_expect_status -n "posts in JSON Feed and Atom carry their language" GET "$S/streams/markets.json?market=fr" 200
th_expect_body_contains '"language":"fr"'
th_expect_status -n "... Atom" GET "$S/streams/markets.atom?market=ar" 200
th_expect_body_contains '<entry xml:lang="ar">'
th_expect_status -n "the signed-out page in German" GET "$S/auth/signed-out?return_to=%2Fnews" 200 \
	-H 'Accept-Language: de-DE,de;q=0.9'
th_check "... in the site's template, with a way back" bash -c \
	"grep -q '<html lang=\"de\" dir=\"ltr\">' '$TH_BODY' && grep -q 'Sie sind abgemeldet.' '$TH_BODY' &&
	 grep -q 'social-page__back' '$TH_BODY' && grep -q 'embed.css' '$TH_BODY'"
th_expect_status -n "a hostile lang is never echoed" GET "$S/streams/brand.html?limit=2&lang=%22%3E%3Cx" 200
th_check "... (English, no markup)" bash -c "grep -q 'lang=\"en\"' '$TH_BODY' && ! grep -q '\"><x' '$TH_BODY'"
th_expect_status -n "the element's words for pt-BR" GET "$S/i18n/pt-BR.json" 200
th_check "... in pt" bash -c "grep -Eq '\"lang\": *\"pt\"' '$TH_BODY'"
th_expect_body_contains '"js.prev":"Publica\u00E7\u00F5es anteriores"'
th_expect_status -n "no catalog for xx" GET "$S/i18n/xx.json" 404
# CORS: exactly the embed origins, never credentials.
th_expect_status -n "fragment for an embed origin" GET "$S/streams/brand.html" 200 -H "Origin: $HOST"
th_expect_header Access-Control-Allow-Origin "^$HOST\$"
th_expect_no_header Access-Control-Allow-Credentials
th_expect_status -n "fragment for another origin" GET "$S/streams/brand.html" 200 \
	-H 'Origin: http://evil.example'
th_expect_no_header Access-Control-Allow-Origin
th_expect_status -n "JSON for an embed origin" GET "$S/streams/brand.json" 200 -H "Origin: $HOST"
th_expect_header Access-Control-Allow-Origin "^$HOST\$"
th_request GET "$S/auth/button.html" -H "Origin: $HOST"
TH_LAST_DESC="sign-in button asked from an embed origin"
th_expect_no_header Access-Control-Allow-Origin

out=$TH_DIR/browser.tap
BASE=$TH_BASE HOST=$HOST SHOTS=$TH_DIR/shots KEEP_SHOTS=$TH_SRCDIR/tests/js/screenshots-last \
	CHROMIUM=$CHROMIUM node "$JS/browser_layout.mjs" >"$out" 2>"$TH_DIR/browser.err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) th_ok "browser: ${line#* - }" ;;
	"not ok "*) th_not_ok "browser: ${line#* - }" ;;
	"#"* | "  #"*) echo "$line" ;;
	esac
done <"$out"
[ "$rc" = 0 ] || th_not_ok "browser_layout.mjs exited $rc" "$(tail -n 20 "$TH_DIR/browser.err")"
th_done

#!/usr/bin/env bash
# test_share_browser.sh: runs tests/js/browser_share.mjs (chromium +
# playwright-core) against a demo article served by a real nginx, with the
# share bar included by SSI from socialhub's /share/buttons.html.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl node "$(th_find_nginx)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || th_skip_all "chromium not installed at $CHROMIUM"
JS=$TH_SRCDIR/tests/js
[ -d "$JS/node_modules/playwright-core" ] || th_skip_all "run: npm ci --prefix tests/js"
th_init share-browser

cfg=$(th_write_config "$TH_DIR/socialhub.conf" 'share {
  allowed_hosts = {"www.example.com"}
  networks = {"x", "mastodon", "bluesky", "whatsapp", "email"}
}')
th_start_socialhub "$cfg" || th_bail "socialhub did not start"

html=$TH_DIR/nginx/html
mkdir -p "$html/static"
cp "$TH_SRCDIR/widgets/share/embed/share.css" "$TH_SRCDIR/widgets/share/embed/share.js" "$html/static/"
PAGE_URL='https%3A%2F%2Fwww.example.com%2Fnews%2Fsharing-article'
PAGE_TITLE='Tom%20%26%20Jerry%20%231%3A%20Caf%C3%A9%20%F0%9F%8E%89'
cat >"$html/article.html" <<HTML
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Tom &amp; Jerry #1: Café 🎉 — demo article</title>
<link rel="stylesheet" href="/static/share.css">
<script src="/static/share.js" defer></script>
</head>
<body>
<header><a id="home" href="/article.html">Example News</a></header>
<main>
<article>
<h1>Tom &amp; Jerry #1: Café 🎉</h1>
<p>A demo article. The share bar below comes from socialhub through nginx SSI.</p>
<!--# include virtual="/social/share/buttons.html?url=$PAGE_URL&title=$PAGE_TITLE" -->
</article>
</main>
</body>
</html>
HTML
# An SSI include is a subrequest: socialhub routes it by DOCUMENT_URI
# (nginx's \$request_uri still names the page), with plain fastcgi_params.
th_start_nginx "        location = /article.html { ssi on; }
        location /static/ { }" || th_bail "nginx did not start"

# One share by someone else first, so the live count shows 1.
curl -s --noproxy '*' -o /dev/null -A 'earlier-visitor' "$TH_BASE/social/share/x?url=$PAGE_URL"
th_expect_status -n "article with the SSI share bar" GET "$TH_BASE/article.html" 200 &&
	th_expect_body_contains '<social-share class="social-share"'

out=$TH_DIR/browser.tap
BASE=$TH_BASE CHROMIUM=$CHROMIUM node "$JS/browser_share.mjs" >"$out" 2>"$TH_DIR/browser.err"
rc=$?
# Re-number the browser's TAP lines into this script's plan.
while IFS= read -r line; do
	case $line in
	"ok "*) th_ok "browser: ${line#* - }" ;;
	"not ok "*) th_not_ok "browser: ${line#* - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$out"
[ "$rc" = 0 ] || th_not_ok "browser_share.mjs exited $rc" "$(tail -n 20 "$TH_DIR/browser.err")"
if grep -q 'share_counting_unavailable\|share_store_error' "$TH_DIR/socialhub.log"; then
	th_not_ok "no counter errors in the log" "$(grep share_ "$TH_DIR/socialhub.log" | head -5)"
else
	th_ok "no counter errors in the log"
fi
th_done

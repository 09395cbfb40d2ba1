#!/bin/bash
# test_error_pages_i18n: sign-in error pages in the visitor's language
# (issue 15 follow-up). Through nginx, a refused login or callback shows the
# catalog's words for the request's language (`lang`, else
# Accept-Language, else English) with lang/dir on <html>, and keeps its
# status, Retry-After-free headers and the log's machine-readable result.
# The expected words are read from data/catalogs at run time.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
th_require_socialhub
th_require_cmd "$(th_find_nginx)" python3
th_init error-pages-i18n

"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "catalog_dir = \"$TH_SRCDIR/data/catalogs\"
session { secret_file = \"$TH_DIR/session.key\" }
provider demo { issuer = \"http://127.0.0.1:9/demo\" client_id = \"rp\" client_secret = \"s\" }")
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
th_start_nginx || th_bail "nginx did not start"

CATS=$TH_SRCDIR/data/catalogs
# page_has NAME LANG DIR TITLE_KEY MSG_KEY: the last body is a page in
# LANG with dir DIR whose <h1> and error text are the catalog's words.
page_has() {
	local name=$1 lang=$2 dir=$3 tkey=$4 mkey=$5 why
	why=$(python3 - "$TH_BODY" "$CATS" "$lang" "$dir" "$tkey" "$mkey" <<'PY'
import html, json, re, sys
body, cats, lang, d, tkey, mkey = sys.argv[1:]
page = open(body, encoding="utf-8").read()
cat = json.load(open(f"{cats}/{lang}.json", encoding="utf-8"))
want_html = f'<html lang="{lang}" dir="{d}">'
if want_html not in page:
    print("no " + want_html + " in: " + page[:120]); sys.exit()
h1 = re.search(r"<h1>(.*?)</h1>", page, re.S)
if h1 is None or html.unescape(h1.group(1)) != cat[tkey]:
    print(f"h1 {h1.group(1) if h1 else None!r} != {cat[tkey]!r}"); sys.exit()
err = re.search(r'<p class="social-page__error">(.*?)</p>', page, re.S)
msg = cat[mkey]
if err is None or html.unescape(err.group(1)) != msg:
    print(f"error text {err.group(1) if err else None!r} != {msg!r}"); sys.exit()
if lang != "en" and msg == json.load(open(f"{cats}/en.json"))[mkey]:
    print("the catalog's word is the English one")
PY
)
	if [ -z "$why" ]; then th_ok "$name: $lang words, dir=$dir"; else th_not_ok "$name" "$why"; fi
}

L=$TH_BASE/social/auth/login/demo
CB=$TH_BASE/social/auth/callback/demo

# A return address off the site: 400, in German.
th_expect_status -n "login, bad return_to, de" GET "$L?return_to=https://evil.example/" 400 \
	-H 'Accept-Language: de-DE,de;q=0.9,en;q=0.5'
page_has "login, bad return_to" de ltr auth.err.start auth.bad_return
th_expect_header Vary 'Accept-Language'
th_expect_header Cache-Control 'no-store'

# An unknown state at the callback: 400, in Japanese.
th_expect_status -n "callback, unknown state, ja" GET "$CB?state=nope&code=x" 400 \
	-H 'Accept-Language: ja'
page_has "callback, unknown state" ja ltr auth.err.failed auth.err.state

# Arabic runs right to left.
th_expect_status -n "callback, unknown state, ar" GET "$CB?state=nope&code=x" 400 \
	-H 'Accept-Language: ar-EG'
page_has "callback, unknown state" ar rtl auth.err.failed auth.err.state

# Started from another site: still 403, in the language asked for.
th_expect_status -n "login, cross-site, zh-TW" GET "$L?return_to=/" 403 \
	-H 'Accept-Language: zh-TW' -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: no-cors' \
	-H 'Sec-Fetch-Dest: image'
page_has "login, cross-site" zh-Hant ltr auth.err.start auth.err.cross_site

# `lang` wins over Accept-Language.
th_expect_status -n "chooser, bad return_to, lang=fr" GET \
	"$TH_BASE/social/auth/login?return_to=https://evil.example/&lang=fr" 400 -H 'Accept-Language: de'
page_has "chooser, bad return_to" fr ltr auth.sign_in auth.bad_return

# No language, one there is no catalog for, and garbage: English.
th_expect_status -n "callback, no Accept-Language" GET "$CB?state=nope" 400
page_has "callback, no Accept-Language" en ltr auth.err.failed auth.err.state
th_expect_status -n "callback, Accept-Language: xx" GET "$CB?state=nope" 400 -H 'Accept-Language: xx, tlh;q=0.5'
page_has "callback, unknown language" en ltr auth.err.failed auth.err.state
junk=$(head -c 3000 /dev/zero | tr '\0' ';')
th_expect_status -n "callback, hostile Accept-Language" GET "$CB?state=nope" 400 \
	-H "Accept-Language: q=,;;-$junk<script>"
page_has "callback, hostile Accept-Language" en ltr auth.err.failed auth.err.state
th_expect_status -n "callback, hostile lang" GET "$CB?state=nope&lang=%22%3E%3Cx" 400 -H 'Accept-Language: de'
page_has "callback, hostile lang (Accept-Language then)" de ltr auth.err.failed auth.err.state

# The machine-readable part is unchanged: the log's result word.
if grep -q 'login_refused.*result=state' "$TH_DIR/socialhub.log"; then
	th_ok "log keeps result=state"
else
	th_not_ok "log keeps result=state" "$(tail -n 5 "$TH_DIR/socialhub.log")"
fi
th_alive "$TH_SH_PID" && th_ok "socialhub still running" || th_not_ok "socialhub still running"
th_done

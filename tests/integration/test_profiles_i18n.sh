#!/usr/bin/env bash
# test_profiles_i18n: the profile boxes in the request's language (issue 15
# follow-up), as the stream routes choose it: the `lang` parameter, the
# stream's `lang` or its market's, Accept-Language, English. Through a real
# nginx and socialhub over the demo fixture feeds: lang/dir on the box, the
# network label and the follower count from the catalog (read from
# data/catalogs at run time), the published file for the stream's own
# language, per-language ETags, the no-JS page, and hostile parameters.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl python3 "$(th_find_nginx)"
th_init profiles-i18n
# shellcheck source=tests/integration/widgets_env.sh
. "$TH_LIB_DIR/widgets_env.sh"

we_setup_feeds
we_config "stream jp {
  lang = \"ja\"
  source mastodon { url = \"$TH_BASE/@brand.rss\" }
}
stream mk {
  source mastodon { url = \"$TH_BASE/@brand.rss\" }
  source blog { url = \"$TH_BASE/feeds/blog.rss\" market = \"ar\" lang = \"ar\" }
}"
th_start_nginx "$(we_nginx_extra)" || th_bail "nginx did not start"
we_refresh || th_bail "socialhub refresh failed: $(cat "$TH_DIR/refresh.out")"
th_start_socialhub "$WE_CFG" || th_bail "socialhub did not start"
S=$TH_BASE/social

# box_in NAME LANG DIR [noweb]: the last body's box is in LANG: <section
# lang dir>, the web card's network label (unless the stream has none:
# noweb) and the Mastodon card's followers in the catalog's words.
box_in() {
	local name=$1 lang=$2 dir=$3 web=${4:-web} why
	why=$(python3 - "$TH_BODY" "$TH_SRCDIR/data/catalogs" "$lang" "$dir" "$web" <<'PY'
import html, json, re, sys
body, cats, lang, d, stream_has_web = sys.argv[1:]
page = open(body, encoding="utf-8").read()
cat = json.load(open(f"{cats}/{lang}.json", encoding="utf-8"))
sec = re.search(r'<section class="social-profiles"[^>]*>', page)
if sec is None:
    print("no box: " + page[:200]); sys.exit()
if f'lang="{lang}" dir="{d}"' not in sec.group(0):
    print("box is " + sec.group(0)); sys.exit()
cards = re.findall(r'<li class="social-profiles__card h-card" data-network="(\w+)">(.*?)</li>', page, re.S)
nets = {n: c for n, c in cards}
if "mastodon" not in nets:
    print(f"no mastodon card in {list(nets)}"); sys.exit()
fol = re.search(r'social-profiles__followers">(.*?)</p>', nets["mastodon"], re.S)
if fol is None:
    print("no followers on the mastodon card"); sys.exit()
text = re.sub(r'<data value="10234">[^<]*</data>', "{n}", fol.group(1))
forms = cat["profiles.followers"]
if text not in forms.values():
    print(f"followers {fol.group(1)!r} is none of {forms}"); sys.exit()
web = nets.get("web")
if web is not None:
    lab = re.search(r'social-profiles__network">(.*?)</p>', web).group(1)
    if html.unescape(lab) != cat["profiles.network.web"]:
        print(f"web label {lab!r} != {cat['profiles.network.web']!r}"); sys.exit()
elif stream_has_web == "web":
    print("no web card"); sys.exit()
PY
)
	if [ -z "$why" ]; then th_ok "$name: box in $lang ($dir)"; else th_not_ok "$name" "$why"; fi
}

# ---- brand (no lang): English, then what the request asks for
th_expect_status -n "brand, no language" GET "$S/profiles/brand.html" 200
box_in "brand, no language" en ltr
th_expect_header Vary 'Accept-Language'
en_etag=$(th_header ETag)
th_expect_status -n "brand, lang=de" GET "$S/profiles/brand.html?lang=de" 200
box_in "brand, lang=de" de ltr
th_expect_status -n "brand, Accept-Language: ja" GET "$S/profiles/brand.html" 200 -H 'Accept-Language: ja-JP,ja;q=0.9'
box_in "brand, Accept-Language: ja" ja ltr
ja_etag=$(th_header ETag)
[ -n "$ja_etag" ] && [ "$ja_etag" != "$en_etag" ] && th_ok "per-language ETags ($en_etag, $ja_etag)" ||
	th_not_ok "per-language ETags" "en $en_etag, ja $ja_etag"
th_expect_status -n "brand, ja, If-None-Match" GET "$S/profiles/brand.html" 304 \
	-H 'Accept-Language: ja' -H "If-None-Match: $ja_etag"
th_expect_status -n "brand, Accept-Language: ar" GET "$S/profiles/brand.html" 200 -H 'Accept-Language: ar'
box_in "brand, Accept-Language: ar" ar rtl
th_expect_status -n "brand, lang=ru beats Accept-Language" GET "$S/profiles/brand.html?lang=ru" 200 -H 'Accept-Language: ar'
box_in "brand, lang=ru" ru ltr

# ---- a stream's lang, and a market's
th_expect_status -n "jp (lang ja), Accept-Language: de" GET "$S/profiles/jp.html" 200 -H 'Accept-Language: de'
box_in "jp: the stream's lang beats Accept-Language" ja ltr noweb
# (The cache file's first line is its checksum header.)
if tail -n +2 "$TH_DIR/cache/streams/jp/profiles.html" | cmp -s "$TH_BODY" -; then
	th_ok "jp in its own language is the published file"
else
	th_not_ok "jp in its own language is the published file" "$(head -c 300 "$TH_DIR/cache/streams/jp/profiles.html")"
fi
th_expect_status -n "jp, lang=fr" GET "$S/profiles/jp.html?lang=fr" 200
box_in "jp, lang=fr" fr ltr noweb
th_expect_status -n "mk, market=ar" GET "$S/profiles/mk.html?market=ar" 200
box_in "mk, market=ar: the market's lang" ar rtl
th_expect_status -n "mk, no market" GET "$S/profiles/mk.html" 200
box_in "mk, no market" en ltr

# ---- opened without JS: the page and the box in one language
th_expect_status -n "brand page, lang=ja" GET "$S/profiles/brand.html?lang=ja" 200 -H 'Sec-Fetch-Dest: document'
th_expect_body_contains '<html lang="ja" dir="ltr">'
box_in "brand page, lang=ja" ja ltr

# ---- hostile input: a safe fallback or a clear 400, never a crash
th_expect_status -n "lang=<script>" GET "$S/profiles/brand.html?lang=%22%3E%3Cscript%3E" 200
box_in "lang=<script>: English" en ltr
grep -q '<script>' "$TH_BODY" && th_not_ok "no <script> echoed" || th_ok "no <script> echoed"
long=$(head -c 5000 /dev/zero | tr '\0' 'x')
th_expect_status -n "a 5000-byte lang" GET "$S/profiles/brand.html?lang=$long" 200
box_in "a 5000-byte lang: English" en ltr
th_expect_status -n "market with a bad character" GET "$S/profiles/mk.html?market=a%20b" 400
th_expect_status -n "market too long" GET "$S/profiles/mk.html?market=$long" 400
# A state file that does not read: an empty box, in the language asked for.
printf '{"profiles": [{"no": "source"}' >"$TH_DIR/cache/streams/brand/profiles.state.json"
th_expect_status -n "brand, corrupt state, lang=de" GET "$S/profiles/brand.html?lang=de" 200
if grep -q 'lang="de" dir="ltr"' "$TH_BODY" && ! grep -q 'h-card' "$TH_BODY"; then
	th_ok "corrupt state: an empty German box"
else
	th_not_ok "corrupt state: an empty German box" "$(head -c 300 "$TH_BODY")"
fi
th_expect_status -n "brand, corrupt state, own language" GET "$S/profiles/brand.html" 200
box_in "corrupt state: the published English file still serves" en ltr
th_alive "$TH_SH_PID" && th_ok "socialhub still running" || th_not_ok "socialhub still running"
th_done

#!/bin/bash
# test_moderation: earned sources and moderation (issue 19) through the
# refresher, the console and real nginx, with curl and forged sessions
# (tests/js/forge_session.mjs):
#
#  1. The hashtag and search fixtures (api_fixture_earned.py) fill the
#     queue; the rules approve the trusted author and reject the blocked
#     author, the blocked word in capitals (ÄRGER), the blocked domain's
#     subdomain and the sensitive posts; visitors see only the approved.
#  2. The agency moderator's queue page: strict CSP, the queued items,
#     markup in them escaped; approve, reject and pin by form POST; the
#     public JSON, AS2, Atom and HTML show exactly the approved and the
#     pinned (pinned first) within 5 s, no reload; paging cursors too.
#  3. Attacks: cross-site POST, Origin: null, no or a forged CSRF token,
#     another market's stream by URL, another stream's item by key, a
#     provider name differing in case, a grant removed by a reload used
#     with the same session.
#  4. The audit log (JSON and CSV) lists the three decisions with who and when.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$TH_LIB_DIR/streams_lib.sh"
oa_init "moderation${MOD_REDIS:+-redis}"

# MOD_REDIS=1 (test_moderation_redis.sh): the same checks with the queue,
# decisions and audit in a private redis-server (the `store` section).
STORE=
if [ "${MOD_REDIS:-}" = 1 ]; then
	th_start_redis
	STORE="store { url = \"redis://127.0.0.1:$RPORT/0\" prefix = \"t:\" timeout_ms = 500 }
share { counting = false }"
fi

st_start_api

"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
SECRET=$(cat "$TH_DIR/session.key")
S=$TH_BASE/social
ORIGIN=http://127.0.0.1:$TH_PORT

AGENCY='grant agency { role = "moderator" who = {"corp:agent"} streams = {"de"} }'
write_conf() {
	oa_write_config "$TH_DIR/socialhub.conf" <<C
session { secret_file = "$TH_DIR/session.key" }
$STORE
provider corp { preset = "github" client_id = "rp" client_secret = "s" }
stream de {
  title = "Brand DE"
  source tag { type = "mastodon-tag" query = "#brandlaunch" api_url = "$API/mt" market = "de" }
  source sky { type = "bluesky-search" query = "example brand" api_url = "$API/bs" market = "de" }
  trusted_authors = {"@ambassador@mastodon.example"}
  blocked_authors = {"@spammer@spam.example"}
  blocked_words = {"ärger"}
  blocked_domains = {"badsite.example"}
  reject_sensitive = true
}
stream fr {
  source tagfr { type = "mastodon-tag" query = "brandlaunch" api_url = "$API/mt" market = "fr" }
}
admin {
  grant hq { role = "owner" who = {"corp:boss"} }
  grant board { role = "viewer" who = {"corp:cmo"} }
  $1
}
C
}
# check_bad NAME STREAM-BODY WANT: refused, the message naming WANT.
check_bad() {
	st_check_bad "$1" "stream s {
  source t { type = \"mastodon-tag\" query = \"x\" }
  $2
}" "$3"
}
check_bad "moderation = \"maybe\"" 'moderation = "maybe"' 'moderation: must be "auto" or "queue"'
check_bad "a blocked domain that is no name" 'blocked_domains = {"not a domain"}' "blocked_domains"
check_bad "a blocked author in no known form" 'blocked_authors = {"spammer"}' "blocked_authors"
check_bad "a blocked word of control bytes" "blocked_words = {\"a$(printf '\001')b\"}" "blocked_words"
check_bad "an earned source with an account" 'source u { type = "bluesky-search" query = "x" account = "a.b" }' "account: not for an earned source"
check_bad "a hashtag with a space" 'source u { type = "mastodon-tag" query = "two words" }' "query"
cfg=$(write_conf "$AGENCY")
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
th_ok "check-config accepts earned sources, moderation rules and grants"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
oa_start_nginx

cookie() { printf 'Cookie: socialhub_session=%s' "$(oa_forge "$SECRET" "$@")"; }
AGENT=$(cookie corp agent agent@agency.example)
BOSS=$(cookie corp boss)
AGENT_CASE=$(cookie Corp agent agent@agency.example)
VIEWER=$(cookie corp cmo)

# ids FILE: the item ids of a JSON Feed, one a line.
ids() { "$ST_PY" -c 'import json,sys; [print(i["id"]) for i in json.load(open(sys.argv[1]))["items"]]' "$1"; }
pub() { "${TH_CURL[@]}" -o "$TH_DIR/pub.json" "$S/streams/de.json?limit=100"; ids "$TH_DIR/pub.json" 2>/dev/null; }
# wait_pub WANT SECONDS: polls the public stream until its ids are WANT.
wait_pub() {
	local end=$(($(th_now_ms) + $2 * 1000)) got
	while :; do
		got=$(pub | tr '\n' ' ')
		[ "$got" = "$1" ] && { echo "$got"; return 0; }
		[ "$(th_now_ms)" -ge "$end" ] && { echo "$got"; return 1; }
		sleep 0.2
	done
}
AMB=https://mastodon.example/users/ambassador/statuses/2007
FAN=https://social.example/users/fan/statuses/2001
XSS=https://social.example/users/xss/statuses/2006
SHOP=at://did:plc:shopperaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kb1
EARLY=at://did:plc:earlyaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3kb3

# ---- 1. the first refresh: only the trusted author shows
got=$(wait_pub "$AMB " 20) && th_ok "public stream: only the trusted author's post before any decision" ||
	th_not_ok "public stream: only the trusted author's post" "got: $got"

# ---- 2. the moderator's queue
th_expect_status -n "queue page, agency moderator" GET "$S/admin/moderation/de" 200 -H "$AGENT" &&
	th_expect_header Content-Security-Policy "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'" &&
	th_expect_header Cache-Control "no-store"
cp "$TH_BODY" "$TH_DIR/queue.html"
st_expect_eq "queue: the four pending items (hashtag and both search pages)" \
	"$(grep -c 'name="key"' "$TH_DIR/queue.html")" 4
if grep -q '<img src=x\|<script>alert\|href="javascript:' "$TH_DIR/queue.html"; then
	th_not_ok "queue: markup in queued content is escaped" "$(grep -o '.\{40\}onerror.\{40\}' "$TH_DIR/queue.html" | head -2)"
else
	th_ok "queue: markup in queued content is escaped"
fi
grep -q '&lt;img src=x onerror=alert(9)&gt;Mallory' "$TH_DIR/queue.html" &&
	th_ok "queue: the hostile display name shown as text" || th_not_ok "queue: the hostile display name shown as text"
grep -q "src=\"/social/media/[0-9a-f]\{32\}\"" "$TH_DIR/queue.html" &&
	th_ok "queue: picture previews through the media proxy" || th_not_ok "queue: picture previews through the media proxy"
th_expect_status -n "queue page, state=rejected" GET "$S/admin/moderation/de?state=rejected" 200 -H "$AGENT" &&
	th_expect_body_contains "blocked word" && th_expect_body_contains "blocked author" &&
	th_expect_body_contains "blocked domain badsite.example" && th_expect_body_contains "sensitive media"

th_expect_status -n "queue page, an unknown state" GET "$S/admin/moderation/de?state=bogus" 400 -H "$AGENT"
th_expect_status -n "queue page, a page size over 500" GET "$S/admin/moderation/de?limit=100000" 400 -H "$AGENT"
th_expect_status -n "queue page, an unknown stream (owner)" GET "$S/admin/moderation/nosuch" 404 -H "$BOSS"
th_expect_status -n "queue page, an unknown stream (moderator): 403, no name probing" GET "$S/admin/moderation/nosuch" 403 -H "$AGENT"
th_expect_status -n "queue page, nobody signed in: to the sign-in" GET "$S/admin/moderation/de" 303
th_expect_status -n "a decision, nobody signed in: to the sign-in" POST "$S/admin/moderation/de" 303 \
	-H "Origin: $ORIGIN" --data "action=approve&key=000000000000000000000000"

K_FAN=$(st_mod_key "$TH_DIR/queue.html" "Love the new")
K_XSS=$(st_mod_key "$TH_DIR/queue.html" "nice launch")
K_SHOP=$(st_mod_key "$TH_DIR/queue.html" "Shopping at Example Brand")
CSRF=$(st_mod_csrf "$TH_DIR/queue.html")
[ -n "$K_FAN" ] && [ -n "$K_XSS" ] && [ -n "$K_SHOP" ] && [ -n "$CSRF" ] ||
	th_bail "queue page without the keys or the CSRF token"

decide() { # decide EXPECT NAME [curl args]: a POST to the de queue
	local want=$1 name=$2
	shift 2
	th_expect_status -n "$name" POST "$S/admin/moderation/de" "$want" "$@"
}
# ---- 3. attacks first: none of them may change anything
decide 403 "decision: cross-site Origin" -H "$AGENT" -H "Origin: https://evil.example" \
	--data "csrf=$CSRF&action=approve&key=$K_XSS"
decide 403 "decision: Origin: null" -H "$AGENT" -H "Origin: null" --data "csrf=$CSRF&action=approve&key=$K_XSS"
decide 403 "decision: no CSRF token" -H "$AGENT" -H "Origin: $ORIGIN" --data "action=approve&key=$K_XSS"
decide 403 "decision: forged CSRF token" -H "$AGENT" -H "Origin: $ORIGIN" \
	--data "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&action=approve&key=$K_XSS"
decide 403 "decision: another session's CSRF token" -H "$BOSS" -H "Origin: $ORIGIN" \
	--data "csrf=$CSRF&action=approve&key=$K_XSS"
decide 303 "decision: provider Corp (not corp) is sent to sign in" -H "$AGENT_CASE" -H "Origin: $ORIGIN" \
	--data "csrf=$CSRF&action=approve&key=$K_XSS"
th_expect_header Location "^/social/auth/login"
th_expect_status -n "another market's stream, by URL: 403" GET "$S/admin/moderation/fr" 403 -H "$AGENT"
th_expect_status -n "a decision on another market's stream: 403" POST "$S/admin/moderation/fr" 403 \
	-H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=approve&key=$K_XSS"
th_expect_status -n "the owner sees the fr queue" GET "$S/admin/moderation/fr?state=all" 200 -H "$BOSS"
K_FR=$(st_mod_key "$TH_BODY" "Love the new")
[ -n "$K_FR" ] || th_bail "no key in the fr queue"
decide 404 "another stream's item by its key, in this stream's form" -H "$AGENT" -H "Origin: $ORIGIN" \
	--data "csrf=$CSRF&action=approve&key=$K_FR"
decide 400 "a malformed key" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=approve&key=../x"
decide 400 "an unknown action" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=delete&key=$K_XSS"
# The nav and the home page link exactly the pages the role may open.
# links NAME COOKIE PAGE WANT: the admin links PAGE shows, as "a b …".
links() {
	th_expect_status -n "$1: $3" GET "$S$3" 200 -H "$2"
	got=$(grep -o 'href="/social/admin/[a-z]*"' "$TH_BODY" | sed 's|.*/admin/||; s|"||' | sort -u | tr '\n' ' ')
	st_expect_eq "$1: $3 links only the pages the role may use" "$got" "$4"
}
links "agency moderator" "$AGENT" /admin "moderation "
links "agency moderator" "$AGENT" /admin/moderation/de "moderation "
links "viewer" "$VIEWER" /admin "moderation "
links "owner" "$BOSS" /admin "connections moderation "
links "owner" "$BOSS" /admin/moderation "connections moderation "
th_expect_status -n "viewer: the home page says the console is read only" GET "$S/admin" 200 -H "$VIEWER" &&
	th_expect_body_contains "(read only)"
th_expect_status -n "agency moderator: the home page does not say read only" GET "$S/admin" 200 -H "$AGENT"
grep -q "read only" "$TH_BODY" && th_not_ok "moderator: not read only" || th_ok "moderator: not read only"
th_expect_status -n "connections: 403 for the agency moderator" GET "$S/admin/connections" 403 -H "$AGENT"
th_expect_status -n "connections: 403 for the viewer" GET "$S/admin/connections" 403 -H "$VIEWER"
th_expect_status -n "connections: served to the owner" GET "$S/admin/connections" 200 -H "$BOSS"

# The viewer reads every queue and decides nothing: no form, no token,
# no checkboxes; a POST is refused for the role (not for the token).
th_expect_status -n "viewer: the de queue" GET "$S/admin/moderation/de" 200 -H "$VIEWER" &&
	th_expect_body_contains "Love the new" && th_expect_body_contains "Read only"
n=$(grep -c 'name="key"\|name="csrf"\|name="action"\|social-mod__queue" method="post"' "$TH_BODY")
st_expect_eq "viewer: no decision form, token, checkbox or button" "$n" 0
th_expect_status -n "viewer: the fr queue too (no scope: every stream)" GET "$S/admin/moderation/fr" 200 -H "$VIEWER"
th_expect_status -n "viewer: the audit log" GET "$S/admin/moderation/de/audit.json" 200 -H "$VIEWER"
decide 403 "viewer: a decision POST is 403" -H "$VIEWER" -H "Origin: $ORIGIN" \
	--data "csrf=$CSRF&action=approve&key=$K_XSS" && th_expect_body_contains "no admin role for this page"
got=$(pub | tr '\n' ' ')
st_expect_eq "after the refused attacks the public stream is unchanged" "$got" "$AMB "

# ---- 2b. approve, reject, pin
t0=$(th_now_ms)
decide 303 "approve the fan's post" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=approve&key=$K_FAN"
decide 303 "reject the XSS post" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=reject&key=$K_XSS"
decide 303 "pin the shopper's post" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=pin&pin=1&key=$K_SHOP"
got=$(wait_pub "$SHOP $AMB $FAN " 5)
ok=$?
ms=$(($(th_now_ms) - t0))
[ $ok = 0 ] && th_ok "public JSON: exactly the pinned, then the approved, within 5 s (${ms} ms)" ||
	th_not_ok "public JSON: exactly the pinned and the approved within 5 s" "got: $got after ${ms} ms"
for f in as2 atom html; do
	"${TH_CURL[@]}" -o "$TH_DIR/pub.$f" "$S/streams/de.$f?limit=100"
	held='(statuses|@[a-z]+|post)/(200[2-6]|3kb[23])([^0-9a-z]|$)'
	if grep -qE "$held" "$TH_DIR/pub.$f"; then
		th_not_ok "public $f: no pending or rejected item" "$(grep -oE ".{30}$held" "$TH_DIR/pub.$f" | head -3)"
	elif grep -qE '/2001([^0-9]|$)' "$TH_DIR/pub.$f" && grep -qE '/3kb1([^0-9a-z]|$)' "$TH_DIR/pub.$f"; then
		th_ok "public $f: the approved and the pinned, no pending or rejected item"
	else
		th_not_ok "public $f: the approved and the pinned" "$(head -c 300 "$TH_DIR/pub.$f")"
	fi
done
th_expect_status -n "a moderated stream's pages expire in seconds" GET "$S/streams/de.json" 200 &&
	th_expect_header Cache-Control "^public, max-age=5, stale-while-revalidate=5"
# Paging: one item a page, every page, no held item.
url="$S/streams/de.json?limit=1"
seen=""
for _ in 1 2 3 4 5; do
	"${TH_CURL[@]}" -o "$TH_DIR/page.json" "$url"
	seen="$seen$(ids "$TH_DIR/page.json" | tr '\n' ' ')"
	url=$("$ST_PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("next_url") or "")' "$TH_DIR/page.json")
	[ -n "$url" ] || break
done
st_expect_eq "paging cursors: the same three items, page by page" "$seen" "$SHOP $AMB $FAN "

# ---- 4. the audit log
th_expect_status -n "audit JSON, agency moderator" GET "$S/admin/moderation/de/audit.json" 200 -H "$AGENT"
"$ST_PY" - "$TH_BODY" "$K_FAN" "$K_XSS" "$K_SHOP" <<'P' && th_ok "audit JSON: approve, reject, pin with who and when" || th_not_ok "audit JSON: the three decisions" "$(head -c 600 "$TH_BODY")"
import json, sys, time
e = json.load(open(sys.argv[1]))["entries"]
want = {(sys.argv[2], "approve"), (sys.argv[3], "reject"), (sys.argv[4], "pin")}
got = {(x["key"], x["action"]) for x in e}
assert got == want, got
for x in e:
    assert x["who"] == "corp:agent (agent@agency.example)", x
    assert abs(x["at"] - time.time()) < 120, x
P
th_expect_status -n "audit CSV" GET "$S/admin/moderation/de/audit.csv" 200 -H "$AGENT" &&
	th_expect_header Content-Type "text/csv"
st_expect_eq "audit CSV: a header and three rows" "$(tr -d '\r' <"$TH_BODY" | grep -c .)" 4
grep -q '^at,who,stream,key,action,pin,url' "$TH_BODY" && grep -q 'corp:agent (agent@agency.example),de,' "$TH_BODY" &&
	th_ok "audit CSV: columns and who" || th_not_ok "audit CSV: columns and who" "$(head -3 "$TH_BODY")"
th_expect_status -n "audit of another market's stream: 403" GET "$S/admin/moderation/fr/audit.csv" 403 -H "$AGENT"
th_expect_status -n "preview: the stream as visitors see it" GET "$S/admin/moderation/de/preview" 200 -H "$AGENT" &&
	th_expect_body_contains "Shopping at Example Brand"
grep -q "nice launch" "$TH_BODY" && th_not_ok "preview: no rejected item" || th_ok "preview: no rejected item"

# ---- 2c. feature one, take the trusted author's post down (hide after approval)
th_expect_status -n "the approved list shows the trusted author's post" GET "$S/admin/moderation/de?state=approved" 200 -H "$AGENT"
K_AMB=$(st_mod_key "$TH_BODY" "Official: the")
decide 303 "feature the fan's post" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=feature&key=$K_FAN"
decide 303 "hide the trusted author's post" -H "$AGENT" -H "Origin: $ORIGIN" --data "csrf=$CSRF&action=hide&key=$K_AMB"
got=$(wait_pub "$SHOP $FAN " 5) && th_ok "a hidden post leaves the public stream within 5 s" ||
	th_not_ok "a hidden post leaves the public stream within 5 s" "got: $got"
"$ST_PY" -c 'import json,sys; it=[i for i in json.load(open(sys.argv[1]))["items"] if i["id"]==sys.argv[2]][0]; sys.exit(0 if it.get("_socialhub",{}).get("featured") else 1)' \
	"$TH_DIR/pub.json" "$FAN" && th_ok "public JSON: the featured post says so" || th_not_ok "public JSON: the featured post says so" "$(head -c 400 "$TH_DIR/pub.json")"
"${TH_CURL[@]}" -o "$TH_DIR/pub.html" "$S/streams/de.html"
grep -q 'social-stream__item--featured' "$TH_DIR/pub.html" && th_ok "public HTML: the featured class" ||
	th_not_ok "public HTML: the featured class"

# ---- 3b. the grant removed by a reload: the same session is refused at once
cfg=$(write_conf "")
kill -HUP "$TH_SH_PID"
ok=0
for _ in $(seq 1 50); do
	th_request POST "$S/admin/moderation/de" -H "$AGENT" -H "Origin: $ORIGIN" \
		--data "csrf=$CSRF&action=approve&key=$K_XSS"
	[ "$TH_STATUS" = 403 ] && { ok=1; break; }
	sleep 0.1
done
[ $ok = 1 ] && th_ok "a removed grant, same session: the next decision is 403" ||
	th_not_ok "a removed grant, same session: 403" "got $TH_STATUS"
sleep 2
got=$(pub | tr '\n' ' ')
st_expect_eq "the refused decision changed nothing" "$got" "$SHOP $FAN "
if [ "${MOD_REDIS:-}" = 1 ]; then
	n=$(redis-cli -p "$RPORT" HLEN t:mod:q:de)
	st_expect_eq "Redis: the de queue holds the ten posts" "$n" 10
	st_expect_eq "Redis: four posts decided in de" "$(redis-cli -p "$RPORT" HLEN t:mod:d:de)" 4
	st_expect_eq "Redis: nothing queued in the local SQLite file" \
		"$(/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from hstr").fetchone()[0])' "$TH_DIR/state/store.sqlite" 2>/dev/null || echo 0)" 0
fi
th_done

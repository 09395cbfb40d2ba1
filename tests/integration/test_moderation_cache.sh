#!/usr/bin/env bash
# test_moderation_cache: a moderated stream behind the SHIPPED nginx
# snippet (deploy/nginx/socialhub.conf and socialhub-cache.conf, included
# unchanged, snippet_env.sh) — the cache interplay of doc/moderation.md:
#
#  1. nginx takes the entry's lifetime from socialhub's Cache-Control
#     (max-age=5), not from fastcgi_cache_valid (60 s): a moderated page is
#     a HIT, then STALE (one answer, background update) past 5 s, and no
#     longer served stale past max-age + stale-while-revalidate (10 s).
#     An owned stream keeps max-age=60.
#  2. A take-down (hide after approval) made in the console through nginx
#     leaves the pages nginx serves within 5 s + max-age.
#  3. With socialhub down, an expired moderated page is never served from
#     the cache (stale-if-error=0: 502, not the copy that may still show a
#     post taken down).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/snippet_env.sh
. "$TH_LIB_DIR/snippet_env.sh"

th_require_socialhub
th_require_cmd curl node "$(th_find_nginx)"
se_enter_ns "$@"
th_init moderation-cache
se_setup
# shellcheck source=tests/integration/streams_lib.sh
. "$TH_LIB_DIR/streams_lib.sh"
JS=$TH_SRCDIR/tests/js

st_start_api
"$SOCIALHUB" keygen >"$TH_DIR/session.key"
chmod 600 "$TH_DIR/session.key"
cfg=$(th_write_config "$TH_DIR/socialhub.conf" "session { secret_file = \"$TH_DIR/session.key\" }
provider corp { preset = \"github\" client_id = \"rp\" client_secret = \"s\" }
stream de {
  source tag { type = \"mastodon-tag\" query = \"#brandlaunch\" api_url = \"$API/mt\" market = \"de\" }
  trusted_authors = {\"@ambassador@mastodon.example\"}
}
stream owned {
  source m { type = \"mastodon\" account = \"brand\" api_url = \"$API/m\" }
}
admin {
  grant hq { role = \"owner\" who = {\"corp:boss\"} }
}")
"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/cc.out" 2>&1 || th_bail "check-config: $(cat "$TH_DIR/cc.out")"
th_start_socialhub "$cfg" || th_bail "socialhub did not start"
se_start_nginx "" || th_bail "nginx did not start"
S=$TH_BASE/social
ORIGIN=http://127.0.0.1:$TH_PORT
BOSS="Cookie: socialhub_session=$(node "$JS/forge_session.mjs" "$(cat "$TH_DIR/session.key")" corp boss)"
AMB=https://mastodon.example/users/ambassador/statuses/2007

# get NAME: GET the de stream through nginx as a visitor; status, cache
# status and whether the trusted author's post is in it.
get() {
	th_request GET "$S/streams/$1.json?limit=100"
	CS=$(th_header X-Cache-Status)
	HAS=0
	grep -Fq "\"$AMB\"" "$TH_BODY" && HAS=1
}

# fill: polls until nginx fetched the de page from socialhub (not a HIT)
# with the post in it; T_FILL is then, the entry's age 0.
fill() {
	local end=$(($(th_now_ms) + 30000))
	until get de && [ "$TH_STATUS" = 200 ] && [ $HAS = 1 ] && [ "$CS" != HIT ]; do
		[ "$(th_now_ms)" -ge "$end" ] && th_bail "no fresh copy with the post (status $TH_STATUS, $CS)"
		sleep 0.2
	done
	T_FILL=$(th_now_ms)
}
# sleep_until MS: sleeps until th_now_ms reaches MS.
sleep_until() {
	local ms=$(($1 - $(th_now_ms)))
	[ $ms -gt 0 ] && sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	return 0
}

# ---- 1. the entry's lifetime comes from Cache-Control
fill
th_ok "the moderated stream shows the trusted author's post through nginx ($CS)"
th_expect_header Cache-Control "^public, max-age=5, stale-while-revalidate=5, stale-if-error=0$" \
	"the moderated page says max-age=5, stale-while-revalidate=5, stale-if-error=0"
# nginx counts lifetimes in whole seconds: an entry stored at x.9 s with
# max-age=5 expires 4.1 s later. The checks keep a second's margin.
sleep_until $((T_FILL + 3000))
get de
st_expect_eq "within max-age: a HIT (not sent to socialhub)" "$CS" HIT
sleep_until $((T_FILL + 6500))
get de
t_bg=$(th_now_ms)
st_expect_eq "past max-age (not fastcgi_cache_valid's 60 s): one stale answer while nginx revalidates" "$CS" STALE
sleep 0.5
get de
st_expect_eq "then the revalidated copy" "$CS" HIT
sleep_until $((t_bg + 11000))
get de
case $CS in
EXPIRED | REVALIDATED | MISS) th_ok "past max-age + stale-while-revalidate: fetched, not served stale ($CS)" ;;
*) th_not_ok "past max-age + stale-while-revalidate: fetched, not served stale" "X-Cache-Status $CS" ;;
esac
th_expect_status -n "an owned stream" GET "$S/streams/owned.json" 200 &&
	th_expect_header Cache-Control "^public, max-age=60, stale-while-revalidate=600, stale-if-error=86400$"
th_expect_status -n "an owned stream, again" GET "$S/streams/owned.json" 200 &&
	th_expect_header X-Cache-Status HIT

# ---- 2. a take-down through the console leaves nginx's pages in time
th_expect_status -n "the owner's approved list" GET "$S/admin/moderation/de?state=approved" 200 -H "$BOSS"
K_AMB=$(st_mod_key "$TH_BODY" "Official: the")
CSRF=$(st_mod_csrf "$TH_BODY")
[ -n "$K_AMB" ] && [ -n "$CSRF" ] || th_bail "no key or CSRF token on the queue page"
get de
[ $HAS = 1 ] && [ "$CS" = HIT ] || th_bail "nginx does not hold the post before the take-down ($CS, $HAS)"
t0=$(th_now_ms)
th_expect_status -n "hide the trusted author's post" POST "$S/admin/moderation/de" 303 -H "$BOSS" \
	-H "Origin: $ORIGIN" --data "csrf=$CSRF&action=hide&key=$K_AMB"
seen=
while :; do
	get de
	[ "$TH_STATUS" = 200 ] && [ $HAS = 0 ] && break
	seen="$seen $TH_STATUS/$CS/$HAS"
	[ $(($(th_now_ms) - t0)) -gt 15000 ] && break
	sleep 0.2
done
ms=$(($(th_now_ms) - t0))
if [ $HAS = 0 ] && [ $ms -le 10000 ]; then
	th_ok "the take-down is visible through nginx within 5 s + max-age (${ms} ms; before:${seen:- nothing})"
else
	th_not_ok "the take-down is visible through nginx within 5 s + max-age" "after ${ms} ms: still shown; status/cache/shown:$seen"
fi

# ---- 3. socialhub down: no stale moderated page
th_expect_status -n "approve the post again" POST "$S/admin/moderation/de" 303 -H "$BOSS" \
	-H "Origin: $ORIGIN" --data "csrf=$CSRF&action=approve&key=$K_AMB"
fill
th_stop "$TH_SH_PID"
th_expect_status -n "socialhub down, within max-age (+ stale-while-revalidate): nginx's copy" \
	GET "$S/streams/de.json?limit=100" 200 && th_expect_header X-Cache-Status 'HIT|STALE'

sleep_until $((T_FILL + 11000))
th_request GET "$S/streams/de.json?limit=100"
if [ "$TH_STATUS" = 502 ]; then
	th_ok "socialhub down, past max-age + stale-while-revalidate: 502, no stale moderated page"
else
	th_not_ok "socialhub down: no stale moderated page" "status $TH_STATUS, X-Cache-Status $(th_header X-Cache-Status)"
fi
th_expect_status -n "socialhub down: an owned stream's fresh copy is still served" GET "$S/streams/owned.json" 200 &&
	th_expect_header X-Cache-Status HIT
th_done

#!/usr/bin/env bash
# test_nginx_cache.sh: the shipped nginx snippet (deploy/nginx/socialhub.conf
# and socialhub-cache.conf, included unchanged) in front of socialhub: a
# HEAD must never leave a body-less entry in nginx's cache that a later GET
# is served (issue 13, item 2), for streams and for media.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/snippet_env.sh
. "$TH_LIB_DIR/snippet_env.sh"

th_require_socialhub
th_require_cmd curl "$(th_find_nginx)"
se_enter_ns "$@"
th_init nginx-cache
se_setup
# shellcheck source=tests/integration/widgets_env.sh
. "$TH_LIB_DIR/widgets_env.sh"

we_setup_feeds
we_config
se_start_nginx "$(we_nginx_extra)" || th_bail "nginx did not start"
we_refresh || th_bail "socialhub refresh failed: $(cat "$TH_DIR/refresh.out")"
th_start_socialhub "$WE_CFG" || th_bail "socialhub did not start"
S=$TH_BASE/social

# head_then_get NAME URL: HEAD first (a cache MISS, stored by nginx), then
# GET: the GET must carry the whole body its Content-Length announces.
# Prints nothing; the GET's body stays in $TH_BODY.
head_then_get() {
	local name=$1 url=$2 len got
	th_expect_status -n "$name: HEAD first" HEAD "$url" 200
	th_expect_header X-Cache-Status 'MISS|EXPIRED|BYPASS' "$name: the HEAD went to socialhub"
	for try in 1 2; do
		# A short timeout: the bug answered Content-Length N and no body,
		# so a client waits for bytes that never come.
		th_expect_status -n "$name: GET after HEAD ($try)" GET "$url" 200 --max-time 3 || return
		len=$(th_header Content-Length)
		got=$(wc -c <"$TH_BODY")
		if [ "$got" -gt 0 ] && { [ -z "$len" ] || [ "$len" = "$got" ]; }; then
			th_ok "$name: GET $try gets the full body ($got bytes, Content-Length ${len:-none}, $(th_header X-Cache-Status))"
		else
			th_not_ok "$name: GET $try gets the full body" \
				"got $got bytes, Content-Length ${len:-none}, X-Cache-Status $(th_header X-Cache-Status)"
		fi
	done
	# The second GET is nginx's own copy: the cache now holds the body.
	th_expect_header X-Cache-Status 'HIT' "$name: the second GET is a cache HIT"
}

head_then_get "stream JSON" "$S/streams/brand.json"
head_then_get "stream HTML" "$S/streams/brand.html?layout=list"

# A media URL, from a page no HEAD went to.
th_expect_status -n "brand.atom" GET "$S/streams/brand.atom" 200
img=$(grep -o "$S/media/[0-9a-f]*" "$TH_BODY" | head -n 1)
if [ -n "$img" ]; then
	head_then_get "media" "$img"
	th_expect_header Content-Type '^image/' "media: still an image"
else
	th_not_ok "a media URL in brand.json"
fi

# HEAD keeps working once nginx holds the GET's copy.
th_expect_status -n "HEAD after GET" HEAD "$S/streams/brand.json" 200
th_expect_header Content-Length '^[1-9][0-9]*$'

th_done

#!/usr/bin/env bash
# test_streams_ssrf.sh: a private source's allowance covers its own origin
# only (issue 13 item 1). Real components: `socialhub refresh` (fetch,
# merge, publish with its media fetches) and two feed fixtures on two
# loopback ports, A and B. Sources on A may be private (their URL names
# 127.0.0.1), so their own requests to A are fetched, but:
#
#  (a) a feed on A that redirects to B is refused (forbidden), and B never
#      sees a request;
#  (b) an image on A's origin that redirects to B, or to the cloud metadata
#      address, is neither fetched nor stored (so never served at
#      /social/media/ID), while an image on A itself is;
#  (c) with fetch_allow_private = true every hop may be private: the same
#      redirects to B are followed (the knob still does what it says).
#
# Nothing here ever connects to 169.254.169.254: with the check in place
# those redirects are refused before a socket is made, and (c) leaves them
# out.
#
# The reuse of an idle connection by a public source is covered by
# tests/unit/test_fetcher.c, where an address seam can make a loopback
# address count as public.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$HERE/streams_lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init streams-ssrf

st_start_fixture || th_bail "fixture A did not start"
A=$FIX
A_LOG=$TH_DIR/fixture.log
# Fixture B: the same server on another port, its own log.
pf=$TH_DIR/fixtureB.port
th_spawn fixtureB "$ST_PY" "$HERE/feed_server.py" --port-file "$pf" --log "$TH_DIR/fixtureB.log"
B_PID=$TH_LAST_PID
th_wait_file "$pf" 10000 "$B_PID" || th_bail "fixture B did not start"
B=http://127.0.0.1:$(cat "$pf")
B_LOG=$TH_DIR/fixtureB.log
th_diag "fixture A $A, fixture B $B (pid $B_PID)"

enc() {
	"$ST_PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

FEEDREDIR="$A/redirect?to=$(enc "$B/feed?id=secret&n=3")"
METAREDIR="$A/redirect?to=$(enc "http://169.254.169.254/latest/meta-data/")"
IMG_DIRECT="$A/img?x=direct"
IMG_REDIR="$A/redirect?to=$(enc "$B/img?x=secret")"
IMG_META="$A/redirect?to=$(enc "http://169.254.169.254/latest/meta-data/x.png")"
SRC_OK="$A/feed?id=ok&n=2&img=$(enc "$IMG_DIRECT")"
SRC_IMGREDIR="$A/feed?id=imgredir&n=1&img=$(enc "$IMG_REDIR")"
SRC_IMGMETA="$A/feed?id=imgmeta&n=1&img=$(enc "$IMG_META")"

SOURCES="  source ok        { url = \"$SRC_OK\" }
  source feedredir { url = \"$FEEDREDIR\" }
  source imgredir  { url = \"$SRC_IMGREDIR\" }"
META_SOURCES="  source metaredir { url = \"$METAREDIR\" }
  source imgmeta   { url = \"$SRC_IMGMETA\" }"

# refresh NAME SOURCES [EXTRA_CONFIG]: one forced pass on a fresh cache.
refresh() {
	local cfg
	cfg=$(th_write_config "$TH_DIR/$1.conf" "${3:-}
stream ssrf {
$2
}")
	rm -rf "$TH_DIR/cache" && mkdir -p "$TH_DIR/cache"
	: >"$B_LOG"
	"$SOCIALHUB" refresh -c "$cfg" --force >"$TH_DIR/$1.out" 2>>"$TH_DIR/socialhub.log"
	RC=$?
	th_diag "$1: exit $RC"
	sed 's/^/#   /' "$TH_DIR/$1.out"
}

media_files() {
	find "$TH_DIR/cache/media" -type f 2>/dev/null | wc -l
}

# ------------------------------------------------ (a) and (b): the default
refresh private "$SOURCES
$META_SOURCES"
st_expect_eq "ok: the private source on A is fetched" "$(st_status "$SRC_OK" http_status)" 200
st_expect_eq "feedredir: A's redirect to B is refused" \
	"$(st_status "$FEEDREDIR" error_code)" forbidden
err=$(st_status "$FEEDREDIR" last_error)
case $err in
*"refused: the address is loopback, private or reserved"*) th_ok "feedredir: the error says why ($err)" ;;
*) th_not_ok "feedredir: the error says why" "got: $err" ;;
esac
st_expect_eq "metaredir: A's redirect to 169.254.169.254 is refused" \
	"$(st_status "$METAREDIR" error_code)" forbidden
st_expect_eq "B saw no request at all" "$(wc -l <"$B_LOG")" 0
st_expect_eq "media: only the image on A itself is stored" "$(media_files)" 1
st_expect_log "imgredir: the image redirecting to B is skipped as refused" \
	"event=media_skipped url=\"?$A/redirect\\?to=[^ ]* .*error=\"refused: the address is loopback"
st_expect_eq "media: A served the direct image once" \
	"$(grep -c '"path": "/img?x=direct"' "$A_LOG")" 1

# ------------------------------------------------ (c) fetch_allow_private
refresh allowall "$SOURCES" "fetch_allow_private = true"
st_expect_eq "allow_private: A's redirect to B is followed" \
	"$(st_status "$FEEDREDIR" http_status)" 200
st_expect_eq "allow_private: B served the feed" \
	"$(grep -c '"path": "/feed?id=secret&n=3"' "$B_LOG")" 1
st_expect_eq "allow_private: B served the image" \
	"$(grep -c '"path": "/img?x=secret"' "$B_LOG")" 1
st_expect_eq "allow_private: both images stored" "$(media_files)" 2

if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" 2>/dev/null; then
	th_not_ok "no sanitizer report" "$(grep -Eh -A3 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TH_DIR/socialhub.log" | head -20)"
else
	th_ok "no sanitizer report"
fi

th_done

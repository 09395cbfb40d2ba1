#!/usr/bin/env bash
# routes.sh: the daemon half of tests/snapshot/snapshot.sh (run by it, inside
# a private network namespace).
#
# Usage: routes.sh BIN SRC OUT SCRATCH FEED_PORT
# Run inside a fresh network namespace: it brings loopback up and binds
# 127.0.0.1:FEED_PORT.
#
# It renders the demo feeds (deploy/demo/feeds, fixed dates, fixed origin
# http://127.0.0.1:FEED_PORT), serves them with tests/snapshot/feed_server.py,
# writes a private config (streams, share, sign-on providers), runs
# `socialhub refresh`, then asks every route twice: through FastCGI
# (`socialhub serve` on a unix socket, cgi-fcgi as the client) into
# OUT/routes/fcgi, and as plain CGI (fd 0 not a socket) into OUT/routes/cgi.
# Each request is one file: the request ("> " lines), then the answer as
# socialhub wrote it (CGI header lines, CR removed, a blank line, the body;
# an image body is summarised as its size and SHA-256).
#
# Only processes started here are signalled, by PID.
set -u

bin=$1 src=$2 out=$3 dir=$4 port=$5
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

die() { printf 'snapshot routes: error: %s\n' "$*" >&2; exit 1; }

feed_pid=
serve_pid=

# True while $1 runs (a zombie counts as stopped).
alive() {
	local stat rest
	[ -n "$1" ] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	[ "${rest%% *}" != Z ]
}

# stop PID: SIGTERM, up to 3 s, then SIGKILL.
stop() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# shellcheck disable=SC2317 # run from the trap
cleanup() {
	stop "$serve_pid"
	serve_pid=
	stop "$feed_pid"
	feed_pid=
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip link set lo up || die "cannot bring up loopback in the network namespace"

mkdir -p "$dir/www" "$dir/cache" "$dir/state" "$dir/raw" "$dir/run" || die "cannot create $dir"
log=$dir/socialhub.log
origin=http://127.0.0.1:$port

# ------------------------------------------------------------------ feeds

sh "$src/deploy/demo/feeds/render.sh" "$src/deploy/demo/feeds" "$dir/www/feeds" "$origin" 1700000000 ||
    die "cannot render the demo feeds"
python3 "$here/feed_server.py" "$dir/www" "$port" "$dir/feeds.ready" </dev/null >"$dir/feeds.log" 2>&1 &
feed_pid=$!
# (generous waits: the machine may be busy)
for ((i = 0; i < 600; i++)); do
	[ -s "$dir/feeds.ready" ] && break
	alive "$feed_pid" || { cat "$dir/feeds.log" >&2; die "the feed server did not start"; }
	sleep 0.05
done
[ -s "$dir/feeds.ready" ] || die "the feed server did not start within 30 s"

# ------------------------------------------------------------------ config
# Fixed secrets (session, share salt) so that nothing derived from them
# changes between runs. Every source is fetched once per hour at most, so
# none falls due during a run.

cfg=$dir/socialhub.conf
sock=$dir/run/socialhub.sock
printf 'snapshot-share-salt-0123456789abcdef0123456789abcdef\n' >"$dir/share.salt"
chmod 0600 "$dir/share.salt"
cat >"$cfg" <<EOF
# socialhub config for tests/snapshot (written by routes.sh)
listen        = "unix:$sock"
workers       = 2
site_url      = "https://www.example.com"
mount         = "/social"
cache_dir     = "$dir/cache"
state_dir     = "$dir/state"
log_level     = "info"
metrics_allow = {"127.0.0.1"}

session { secret = "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c" }
provider github   { preset = "github"  client_id = "snap-gh"  client_secret = "snap-gh-secret" }
provider google   { preset = "google"  client_id = "snap-go"  client_secret = "snap-go-secret" }
provider mastodon { preset = "mastodon"  instances = {"mastodon.example", "fosstodon.example"} }

share {
  allowed_hosts = {"www.example.com", ".example.org"}
  networks = {"x", "facebook", "linkedin", "reddit", "bluesky", "mastodon", "threads",
              "whatsapp", "telegram", "pinterest", "hackernews", "email", "weibo", "vk",
              "line", "xing", "tumblr"}
  market asia { networks = {"weibo", "line", "x"} }
  count_salt_file = "$dir/share.salt"
  mastodon_instances = {"mastodon.example", "fosstodon.example"}
}

stream brand {
  title = "Example Co. everywhere"
  source mastodon { url = "$origin/@brand.rss"  every = 1h }
  source youtube  { url = "$origin/feeds/youtube.atom"  every = 1h }
  source bluesky  { url = "$origin/feeds/bluesky.rss"  title = "Example Co. on Bluesky"  every = 1h }
  source blog     { url = "$origin/feeds/blog.rss"  market = "de"  every = 1h }
}

stream hostile {
  title = "Hostile <script>window.__xss='title'</script>"
  source hostile { url = "$origin/feeds/hostile.rss"  every = 1h }
}

stream curated {
  title = "Curated & filtered"
  source blog    { url = "$origin/feeds/blog.rss"  market = "de"  title = "Blog"  every = 1h }
  source youtube { url = "$origin/feeds/youtube.atom"  market = "global"  every = 1h }
  source mastodon { url = "$origin/@brand.rss"  every = 1h }
  include   = {"repair", "collection", "makers", "packaging", "five years"}
  exclude   = {"hiring"}
  pin       = {"https://www.example.com/blog/post-01", "yt:video:ExV05q8xYzA"}
  hide      = {"yt:video:ExV01q8xYzA"}
  max_items = 9
}

stream broken {
  title = "Partly broken"
  source blog    { url = "$origin/feeds/blog.rss"  every = 1h }
  source missing { url = "$origin/feeds/missing.rss"  every = 1h }
  source notfeed { url = "$origin/feeds/img/avatar-blog.png"  every = 1h }
}

stream dead {
  source gone { url = "$origin/feeds/gone.rss"  every = 1h }
}
EOF

# A config with mistakes, for check-config's messages.
cat >"$dir/bad.conf" <<EOF
workers = 0
site_url = "ftp://www.example.com"
mount = "social"
cache_dir = "$dir/cache"
state_dir = "$dir/state"
stream "bad name!" { source a { url = "file:///etc/passwd" } }
stream ok { title = "" max_items = 0 source a { url = "http://127.0.0.1/x" every = 5s } }
share { networks = {"myspace"} allowed_hosts = {"*"} }
provider nope { preset = "nope" }
EOF

# ------------------------------------------------------------------ commands

mkdir -p "$out/daemon"
t0=$(date +%s)

# daemon_cmd NAME [--sorted] ARGS...: a command with its stdout, stderr and
# exit status. stderr holds logfmt lines, normalised below (N6); with
# --sorted they are sorted too (a refresh pass finishes its fetches in any
# order).
daemon_cmd() {
	local name=$1 rc sorted=0
	shift
	[ "$1" = --sorted ] && { sorted=1; shift; }
	"$bin" "$@" >"$dir/cmd.out" 2>"$dir/cmd.err" </dev/null
	rc=$?
	{
		printf '$ socialhub'
		printf ' %s' "$@"
		printf '\n--- stdout\n'
		cat "$dir/cmd.out"
		if [ $sorted = 1 ]; then
			printf -- '--- stderr (sorted)\n'
			sed -f "$dir/logline.sed" "$dir/cmd.err" | LC_ALL=C sort
		else
			printf -- '--- stderr\n'
			sed -f "$dir/logline.sed" "$dir/cmd.err"
		fi
		printf -- '--- exit %d\n' "$rc"
	} >"$out/daemon/$name"
}

# N6: log lines: the time stamp, the process id and the measured
# durations of a logfmt line (util/log.c) are volatile.
cat >"$dir/logline.sed" <<'EOF'
s/^ts=[^ ]*/ts=@TS@/
s/ pid=[0-9]*/ pid=@PID@/
s/ \(ms\|elapsed_ms\|fetch_ms\)=[0-9]*/ \1=@MS@/g
s/ next_in=[0-9]*/ next_in=@NEXT@/g
EOF

daemon_cmd check-config check-config -c "$cfg"
daemon_cmd check-config-bad check-config -c "$dir/bad.conf"
# The first pass fetches everything; the second finds nothing due; the
# third forces one stream again (conditional GET: 304s).
daemon_cmd refresh-1-force --sorted refresh --force -c "$cfg"
daemon_cmd refresh-2-not-due --sorted refresh -c "$cfg"
daemon_cmd refresh-3-force-brand --sorted refresh --force --stream brand -c "$cfg"
daemon_cmd refresh-unknown-stream refresh --stream nope -c "$cfg"
daemon_cmd refresh-bad-option refresh --bogus -c "$cfg"

# ------------------------------------------------------------------ requests

mode=
raw=

# req LABEL METHOD URI [-H 'Name: value']... [-d FILE] [-t TYPE] [-a REMOTE_ADDR]
#     [-l CONTENT_LENGTH]  (a raw CONTENT_LENGTH value, no body)
# One request; the answer goes to $raw/LABEL.raw, the request to LABEL.req.
# (Few processes per request: the machine may be busy.)
req() {
	local label=$1 method=$2 uri=$3 path query body=/dev/null name value key rc len
	shift 3
	path=${uri%%\?*}
	query=
	[[ $uri == *\?* ]] && query=${uri#*\?}
	local -a env=(REQUEST_METHOD="$method" REQUEST_URI="$uri" SCRIPT_NAME="$path"
	    DOCUMENT_URI="$path" QUERY_STRING="$query" SERVER_NAME=www.example.com
	    SERVER_PORT=443 SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1
	    REQUEST_SCHEME=https HTTPS=on REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000
	    HTTP_HOST=www.example.com HTTP_USER_AGENT=socialhub-snapshot/1)
	[[ $label == */* ]] && [ ! -d "$raw/${label%/*}" ] && mkdir -p "$raw/${label%/*}"
	{
		if [ ${#uri} -gt 400 ]; then
			printf '> %s %s... [%d bytes]\n' "$method" "${uri:0:120}" "${#uri}"
		else
			printf '> %s %s\n' "$method" "$uri"
		fi
		while [ $# -gt 0 ]; do
			case $1 in
			-H)
				name=${2%%:*}
				value=${2#*: }
				key=${name^^}
				env+=("HTTP_${key//-/_}=$value")
				if [ ${#2} -gt 300 ]; then
					printf '> %s: [%d bytes]\n' "$name" "${#value}"
				else
					printf '> %s\n' "$2"
				fi
				shift 2
				;;
			-d)
				body=$2
				len=$(stat -c %s "$2")
				env+=("CONTENT_LENGTH=$len")
				printf '> [body: %d bytes]\n' "$len"
				shift 2
				;;
			-t)
				env+=("CONTENT_TYPE=$2")
				printf '> Content-Type: %s\n' "$2"
				shift 2
				;;
			-l)
				env+=("CONTENT_LENGTH=$2")
				printf '> [CONTENT_LENGTH=%s]\n' "$2"
				shift 2
				;;
			-a)
				env=("${env[@]/#REMOTE_ADDR=*/REMOTE_ADDR=$2}")
				printf '> [from %s]\n' "$2"
				shift 2
				;;
			*) die "req: bad argument $1" ;;
			esac
		done
	} >"$raw/$label.req"
	if [ "$mode" = fcgi ]; then
		env -i "${env[@]}" timeout 20 cgi-fcgi -bind -connect "$sock" \
		    <"$body" >"$raw/$label.raw" 2>>"$dir/cgi-fcgi.err"
	else
		env -i "${env[@]}" SOCIALHUB_CONFIG="$cfg" timeout 20 "$bin" \
		    <"$body" >"$raw/$label.raw" 2>>"$dir/cgi.log"
	fi
	rc=$?
	printf '> [client exit %d]\n' "$rc" >>"$raw/$label.req"
	printf '%s\n' "$label" >>"$raw/INDEX"
}

# The first ETag of a recorded answer (with its quotes).
etag_of() {
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		case ${line,,} in
		etag:*) line=${line#*:}; printf '%s\n' "${line# }"; return ;;
		esac
	done <"$raw/$1.raw"
}

# next_link LABEL FORMAT: the next page named by a stream answer, as a path
# under the site (empty on the last page).
next_link() {
	local c re link
	c=$(<"$raw/$1.raw")
	case $2 in
	json) re='"next_url": *"([^"]*)"' ;;
	as2) re='"next": *"([^"]*)"' ;;
	atom) re='<link rel="next"[^>]*href="([^"]*)"' ;;
	html) re='<a [^>]*rel="next"[^>]*href="([^"]*)"' ;;
	esac
	[[ $c =~ $re ]] || return 0
	link=${BASH_REMATCH[1]}
	link=${link//'&amp;'/'&'}
	link=${link//'\/'/'/'}
	printf '%s\n' "${link#https://www.example.com}"
}

# walk LABEL FORMAT URI: the first page, then every next page (at most 20).
walk() {
	local label=$1 fmt=$2 uri=$3 n=1 l
	while [ -n "$uri" ] && [ $n -le 20 ]; do
		printf -v l '%s-p%02d' "$label" $n
		req "$l" GET "$uri"
		uri=$(next_link "$l" "$fmt")
		n=$((n + 1))
	done
}

S=/social

# ask_all: every request of one mode, in a fixed order.
ask_all() {
	local s f l id etag i kind payload

	# ---- operations
	req ops/healthz GET $S/healthz
	req ops/healthz-HEAD HEAD $S/healthz
	req ops/version GET $S/version
	etag=$(etag_of ops/version)
	req ops/version-if-none-match GET $S/version -H "If-None-Match: $etag"
	req ops/version-if-none-match-weak GET $S/version -H "If-None-Match: W/$etag"
	req ops/version-if-none-match-list GET $S/version -H "If-None-Match: \"x\", $etag"
	req ops/version-if-none-match-star GET $S/version -H "If-None-Match: *"
	req ops/version-if-none-match-other GET $S/version -H 'If-None-Match: "other"'
	req ops/version-HEAD HEAD $S/version
	req ops/version-POST POST $S/version
	req ops/metrics-forbidden GET $S/metrics -a 192.0.2.7 -H 'X-Forwarded-For: 127.0.0.1'

	# ---- mount, unknown paths, methods, limits
	req errors/mount-root GET $S
	req errors/mount-slash GET $S/
	req errors/outside-mount GET /other/streams
	req errors/unknown-path GET $S/nope
	req errors/unknown-nested GET $S/streams/brand/items
	req errors/unknown-stream-json GET $S/streams/nope.json
	req errors/unknown-stream-html GET $S/streams/nope.html
	req errors/unknown-format GET $S/streams/brand.xml
	req errors/unknown-profiles GET $S/profiles/nope.json
	req errors/stream-name-dotdot GET "$S/streams/..%2Fbrand.json"
	req errors/method-POST-stream POST $S/streams/brand.json
	req errors/method-PUT-stream PUT $S/streams/brand.json
	req errors/method-DELETE-share DELETE "$S/share/x?url=https%3A%2F%2Fwww.example.com%2F"
	req errors/method-OPTIONS OPTIONS $S/healthz
	req errors/method-PATCH PATCH $S/embed.js
	req errors/method-unknown BREW $S/healthz
	req errors/bad-percent GET "$S/healthz?x=%zz"
	req errors/bad-utf8-param GET "$S/streams/brand.json?tag=%ff%fe"
	req errors/nul-param GET "$S/streams/brand.json?tag=a%00b"
	req errors/control-in-path GET "$S/streams/bra"$'\001'"nd.json"
	req errors/query-too-long GET "$S/healthz?x=$(head -c 9000 /dev/zero | tr '\0' a)"
	req errors/cookie-too-long GET $S/auth/me -H "Cookie: a=$(head -c 9000 /dev/zero | tr '\0' b)"
	head -c 70000 /dev/zero | tr '\0' c >"$dir/big.body"
	req errors/body-too-large POST $S/auth/logout -d "$dir/big.body" \
	    -t application/x-www-form-urlencoded -H 'Origin: https://www.example.com'
	req errors/post-empty-body POST $S/auth/logout -H 'Origin: https://www.example.com' \
	    -d /dev/null -t application/x-www-form-urlencoded
	req errors/bad-content-length POST $S/auth/logout -H 'Origin: https://www.example.com' \
	    -l 12abc -t application/x-www-form-urlencoded

	# ---- streams: the list, every stream in every format and layout
	req streams/list GET $S/streams
	etag=$(etag_of streams/list)
	req streams/list-if-none-match GET $S/streams -H "If-None-Match: $etag"
	req streams/list-HEAD HEAD $S/streams
	for s in brand hostile curated broken dead; do
		for f in json as2 atom html; do
			req "streams/$s/first.$f" GET "$S/streams/$s.$f"
		done
		for l in list grid carousel; do
			req "streams/$s/first.html-$l" GET "$S/streams/$s.html?layout=$l"
		done
		req "profiles/$s.json" GET "$S/profiles/$s.json"
		req "profiles/$s.html" GET "$S/profiles/$s.html"
	done

	# ---- conditional requests and HEAD on stream pages (memory fast path
	# and per-request pages)
	for u in streams/brand.json streams/brand.as2 streams/brand.atom streams/brand.html \
	    'streams/brand.html?layout=grid' 'streams/brand.json?limit=5' 'streams/brand.atom?tag=launch' \
	    profiles/brand.json profiles/brand.html; do
		l=$(printf '%s' "$u" | tr '/?=&' '_-__')
		req "conditional/$l" GET "$S/$u"
		etag=$(etag_of "conditional/$l")
		req "conditional/$l-inm-match" GET "$S/$u" -H "If-None-Match: $etag"
		req "conditional/$l-inm-weak" GET "$S/$u" -H "If-None-Match: W/$etag"
		req "conditional/$l-inm-other" GET "$S/$u" -H 'If-None-Match: "0123"'
		req "conditional/$l-HEAD" HEAD "$S/$u"
		req "conditional/$l-HEAD-inm-match" HEAD "$S/$u" -H "If-None-Match: $etag"
	done

	# ---- paging walks: every format, several page sizes and filters
	for f in json as2 atom html; do
		walk "paging/brand-$f-limit5" "$f" "$S/streams/brand.$f?limit=5"
	done
	walk paging/brand-json-limit1 json "$S/streams/brand.json?limit=1"
	walk paging/brand-json-limit17 json "$S/streams/brand.json?limit=17"
	walk paging/brand-html-grid-limit7 html "$S/streams/brand.html?layout=grid&limit=7"
	walk paging/brand-html-carousel-limit9 html "$S/streams/brand.html?layout=carousel&limit=9"
	walk paging/brand-json-source-youtube json "$S/streams/brand.json?source=youtube&limit=3"
	walk paging/brand-atom-market-de atom "$S/streams/brand.atom?market=de&limit=4"
	walk paging/curated-json-limit2 json "$S/streams/curated.json?limit=2"
	walk paging/hostile-html-limit4 html "$S/streams/hostile.html?limit=4"

	# ---- filters and parameters
	for q in 'limit=1' 'limit=100' 'limit=20' 'source=blog' 'source=mastodon&limit=2' \
	    'source=nope' 'tag=launch' 'tag=%23Launch' 'tag=LAUNCH' 'tag=nope' 'tag=makers&source=mastodon' \
	    'market=de' 'market=global' 'market=nope' 'unknown=1' 'limit=5&unknown=x' \
	    'before=MTY5OTYzMjgwMApJaHR0cHM6Ly93d3cuZXhhbXBsZS5jb20vYmxvZy9wb3N0LTA5' \
	    'before=bm90IGEgY3Vyc29y' 'before=' 'tag=' 'source=' 'limit=' 'tag=%20'; do
		l=$(printf '%s' "$q" | tr '/?=&%' '_-__~')
		for f in json html; do
			req "params/brand.$f-$l" GET "$S/streams/brand.$f?$q"
		done
		req "params/curated.atom-$l" GET "$S/streams/curated.atom?$q"
		req "params/brand.as2-$l" GET "$S/streams/brand.as2?$q"
	done
	for q in 'limit=0' 'limit=101' 'limit=-1' 'limit=abc' 'limit=1.5' 'limit=99999999999999999999' \
	    'layout=bogus' 'layout=GRID' 'before=!!!' "before=$(head -c 1600 /dev/zero | tr '\0' A)" \
	    'source=a%2Fb' "tag=$(head -c 101 /dev/zero | tr '\0' t)" 'market=a%20b' \
	    'limit=1&limit=2' 'layout=grid&layout=list'; do
		l=$(printf '%s' "$q" | tr '/?=&%!' '_-__~x' | cut -c1-40)
		req "params-bad/brand.json-$l" GET "$S/streams/brand.json?$q"
		req "params-bad/brand.html-$l" GET "$S/streams/brand.html?$q"
	done
	req params-bad/profiles-with-query GET "$S/profiles/brand.json?limit=1"

	# ---- media: every image the outputs name, and bad ids
	if [ "$mode" = fcgi ]; then
		grep -rhoa '/social/media/[0-9a-f]\{32\}' "$raw" | sed 's|.*/||' | LC_ALL=C sort -u >"$dir/media.ids"
	fi
	while IFS= read -r id; do
		req "media/$id" GET "$S/media/$id"
	done <"$dir/media.ids"
	id=$(head -n 1 "$dir/media.ids")
	if [ -n "$id" ]; then
		req media-conditional/inm-match GET "$S/media/$id" -H "If-None-Match: \"$id\""
		req media-conditional/inm-other GET "$S/media/$id" -H 'If-None-Match: "0"'
		req media-conditional/HEAD HEAD "$S/media/$id"
		req media-conditional/POST POST "$S/media/$id"
	fi
	req media-bad/missing GET $S/media/00000000000000000000000000000000
	req media-bad/uppercase GET $S/media/ABCDEF0123456789ABCDEF0123456789
	req media-bad/short GET $S/media/abc
	req media-bad/long GET $S/media/000000000000000000000000000000000
	req media-bad/not-hex GET $S/media/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz
	req media-bad/empty GET $S/media/
	req media-bad/dotdot GET "$S/media/..%2F..%2Fsocialhub.conf"

	# ---- embed assets
	req embed/embed.js GET $S/embed.js
	req embed/embed.css GET $S/embed.css
	etag=$(etag_of embed/embed.js)
	req embed/embed.js-inm-match GET $S/embed.js -H "If-None-Match: $etag"
	req embed/embed.js-HEAD HEAD $S/embed.js
	req embed/embed.css-query GET "$S/embed.css?v=1"

	# ---- share
	E_URL='https%3A%2F%2Fwww.example.com%2Fblog%2Fpost-09%3Fa%3D1%26b%3D2'
	E_TITLE='Introducing%20the%20repair%20kit%20%E2%9C%93'
	for n in x facebook linkedin reddit bluesky mastodon threads whatsapp telegram pinterest \
	    hackernews email weibo vk line xing tumblr; do
		req "share/intent/$n" GET "$S/share/$n?url=$E_URL&title=$E_TITLE&text=Repair%20it%21"
	done
	req share/intent/x-hashtags-via GET "$S/share/x?url=$E_URL&hashtags=repair,kit&via=exampleco"
	req share/intent/x-bad-hashtag GET "$S/share/x?url=$E_URL&hashtags=%23a"
	req share/intent/x-bad-via GET "$S/share/x?url=$E_URL&via=%40no%20way"
	req share/intent/pinterest-media GET "$S/share/pinterest?url=$E_URL&media=https%3A%2F%2Fwww.example.com%2Fi.png"
	req share/intent/pinterest-foreign-media GET "$S/share/pinterest?url=$E_URL&media=https%3A%2F%2Fevil.test%2Fi.png"
	req share/intent/mastodon-instance GET "$S/share/mastodon?url=$E_URL&title=$E_TITLE&instance=mastodon.example"
	req share/intent/mastodon-bad-instance GET "$S/share/mastodon?url=$E_URL&instance=evil..test"
	req share/intent/x-utm GET "$S/share/x?url=http%3A%2F%2Fwww.example.com%2Fcount-one%3Futm_source%3Dz%23top"
	req share/intent/x-subdomain GET "$S/share/x?url=https%3A%2F%2Fblog.example.org%2Fp"
	req share/intent/x-space GET "$S/share/x?url=https%3A%2F%2Fwww.example.com%2Fa%20b"
	req share/refused/foreign-host GET "$S/share/x?url=https%3A%2F%2Fevil.test%2F"
	req share/refused/crlf GET "$S/share/x?url=https%3A%2F%2Fwww.example.com%2F%0D%0Ax"
	req share/refused/double-encoded GET "$S/share/x?url=https%253A%252F%252Fwww.example.com%252F"
	req share/refused/javascript GET "$S/share/x?url=javascript%3Aalert(1)"
	req share/refused/userinfo GET "$S/share/x?url=https%3A%2F%2Fevil.test%40www.example.com%2F"
	req share/refused/no-url GET "$S/share/x"
	req share/refused/unknown-network GET "$S/share/myspace?url=$E_URL"
	req share/refused/long-url GET "$S/share/x?url=https%3A%2F%2Fwww.example.com%2F$(head -c 3000 /dev/zero | tr '\0' l)"
	req share/repeat/x-1 GET "$S/share/x?url=$E_URL"
	req share/repeat/x-2 GET "$S/share/x?url=$E_URL"
	req share/repeat/x-other-visitor GET "$S/share/x?url=$E_URL" -H 'User-Agent: another-visitor/2'
	req share/counts/post-09 GET "$S/share/counts?url=$E_URL"
	req share/counts/unknown GET "$S/share/counts?url=https%3A%2F%2Fwww.example.com%2Fnever"
	req share/counts/foreign GET "$S/share/counts?url=https%3A%2F%2Fevil.test%2F"
	req share/counts/no-url GET "$S/share/counts"
	req share/buttons/plain GET "$S/share/buttons.html?url=$E_URL"
	req share/buttons/title GET "$S/share/buttons.html?url=$E_URL&title=$E_TITLE"
	req share/buttons/hostile-title GET "$S/share/buttons.html?url=$E_URL&title=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27"
	req share/buttons/market-asia GET "$S/share/buttons.html?url=$E_URL&market=asia"
	req share/buttons/market-unknown GET "$S/share/buttons.html?url=$E_URL&market=mars"
	req share/buttons/networks GET "$S/share/buttons.html?url=$E_URL&networks=email,line"
	req share/buttons/networks-unknown GET "$S/share/buttons.html?url=$E_URL&networks=x,orkut"
	req share/buttons/foreign GET "$S/share/buttons.html?url=https%3A%2F%2Fevil.test%2F"
	etag=$(etag_of share/buttons/plain)
	req share/buttons/plain-inm-match GET "$S/share/buttons.html?url=$E_URL" -H "If-None-Match: $etag"
	req share/buttons/plain-HEAD HEAD "$S/share/buttons.html?url=$E_URL"

	# ---- sign-on: what needs no provider round trip
	req auth/providers GET $S/auth/providers
	req auth/chooser GET $S/auth/login
	req auth/chooser-return-to GET "$S/auth/login?return_to=%2Fmembers%2F%3Fa%3D1"
	req auth/chooser-return-to-foreign GET "$S/auth/login?return_to=https%3A%2F%2Fevil.example%2F"
	req auth/login-github GET "$S/auth/login/github?return_to=%2Fmembers%2F"
	req auth/login-google GET "$S/auth/login/google"
	req auth/login-mastodon-no-instance GET "$S/auth/login/mastodon"
	req auth/login-mastodon-bad-instance GET "$S/auth/login/mastodon?instance=evil..example"
	req auth/login-unknown GET "$S/auth/login/nope"
	req auth/login-github-foreign-return GET "$S/auth/login/github?return_to=%2F%2Fevil.example"
	req auth/callback-no-state GET "$S/auth/callback/github?code=abc&state=def"
	req auth/callback-error GET "$S/auth/callback/github?error=access_denied&state=def"
	req auth/callback-post-empty POST "$S/auth/callback/github" -d /dev/null -t application/x-www-form-urlencoded
	req auth/callback-unknown GET "$S/auth/callback/nope?code=a&state=b"
	req auth/me GET $S/auth/me
	req auth/me-bad-cookie GET $S/auth/me -H 'Cookie: __Host-socialhub_session=garbage'
	req auth/check GET $S/auth/check -H 'X-Original-URI: /members/'
	req auth/check-bad-cookie GET $S/auth/check -H 'Cookie: __Host-socialhub_session=v1.AAAA'
	req auth/button GET $S/auth/button.html
	req auth/button-return-to GET "$S/auth/button.html?return_to=%2Fblog%2F"
	req auth/button-foreign GET "$S/auth/button.html?return_to=%2F%2Fevil.example"
	for p in github google mastodon nope; do
		req "auth/icon-$p" GET "$S/auth/icon/$p.svg"
	done
	printf 'return_to=%%2Fbye' >"$dir/logout.body"
	req auth/logout-same-origin POST $S/auth/logout -d "$dir/logout.body" \
	    -t application/x-www-form-urlencoded -H 'Origin: https://www.example.com'
	req auth/logout-fetch-site POST $S/auth/logout -d "$dir/logout.body" \
	    -t application/x-www-form-urlencoded -H 'Sec-Fetch-Site: same-origin'
	req auth/logout-cross-origin POST $S/auth/logout -d "$dir/logout.body" \
	    -t application/x-www-form-urlencoded -H 'Origin: https://evil.example'
	req auth/logout-no-origin POST $S/auth/logout -d "$dir/logout.body" \
	    -t application/x-www-form-urlencoded
	req auth/logout-GET GET $S/auth/logout
	# return_to payloads (tests/fixtures/open_redirect.txt) on the chooser;
	# FastCGI only (the check is the same code in both modes).
	i=0
	[ "$mode" = fcgi ] && while read -r kind payload; do
		case $kind in R | A) ;; *) continue ;; esac
		i=$((i + 1))
		req "auth/return-to/$(printf '%03d' $i)-$kind" GET "$S/auth/login?return_to=$payload"
	done <"$src/tests/fixtures/open_redirect.txt"

	# ---- last: the counters after everything above
	req ops/metrics GET $S/metrics
	req ops/healthz-end GET $S/healthz
	req streams/list-end GET $S/streams
}

# ---- FastCGI: socialhub serve on a unix socket

mode=fcgi
raw=$dir/raw/fcgi
mkdir -p "$raw"
"$bin" serve -c "$cfg" </dev/null >>"$log" 2>&1 &
serve_pid=$!
for ((i = 0; i < 600; i++)); do
	[ -S "$sock" ] && break
	alive "$serve_pid" || { tail -n 20 "$log" >&2; die "socialhub serve exited during start-up"; }
	sleep 0.05
done
[ -S "$sock" ] || { tail -n 20 "$log" >&2; die "no socket $sock within 30 s"; }
ask_all
stop "$serve_pid"
serve_pid=

# ---- plain CGI: fd 0 is not a socket, one process per request

mode=cgi
raw=$dir/raw/cgi
mkdir -p "$raw"
ask_all

t1=$(date +%s)
stop "$feed_pid"
feed_pid=

# ------------------------------------------------------------------ record
#
# Normalisations. Everything else is kept byte for byte.
#
#  N1  Time stamps of the run: every epoch second, RFC 3339 ("…Z") and HTTP
#      date of a second between the first refresh and the last request
#      (t0-1 .. t1+1) becomes @RUN_TIME@; a stamp one hour later (the
#      sources' next due time, `every = 1h`) becomes @RUN_TIME+1h@. This
#      covers the Date header, Last-Modified (file mtimes), Atom
#      <updated>, /streams "updated", /healthz times. Dates from the feeds
#      are in 2023 and are never touched.
#  N2  Durations measured during the run: `socialhub refresh` MS column
#      and the minutes/hours left in its NEXT column; /healthz "age" and
#      "fetch_ms"; /metrics latency histogram buckets and sum (the
#      _count, and every other metric, are kept) and the refresher's
#      last pass duration gauge; the Content-Length of
#      /healthz and /metrics answers, which those digits change (@LEN@,
#      also for HEAD, which has no body to check it against).
#  N3  Random values of the sign-on flow: the state cookie's name suffix
#      and sealed value (Set-Cookie), and state, nonce, code_challenge in
#      the Location of a login redirect.
#  N4  The scratch dir path (check-config messages, log lines): @TMP@.
#  N5  ETag and Content-Length of an answer whose body N1/N2 changed: they
#      are checked against the raw body (ETag = SHA-256 of the raw body in
#      one of socialhub's two encodings, Content-Length = its size) and,
#      when they match, replaced by "@sha256-hex(body)@",
#      "@sha256-b64(body)@" and @len(body)@; the same ETag value in a
#      later request (If-None-Match) or a 304 gets the same marker. An
#      ETag that does not match stays as it is (and shows in a diff).
#  (no clock override exists in socialhub: grep getenv in fcgi/ widgets/
#   util/ finds only SOCIALHUB_CONFIG and REQUEST_METHOD, so N1/N2 are
#   needed; feed dates are fixed at 2023-11-14 so that relative dates in
#   HTML, "N hours ago", are absolute dates at any later run time.)

norm=$dir/norm
mkdir -p "$norm"
{
	window_sed $((t0 - 1)) $((t1 + 1)) epoch '@RUN_TIME@'
	window_sed $((t0 - 1)) $((t1 + 1)) rfc3339 '@RUN_TIME@'
	window_sed $((t0 - 1)) $((t1 + 1)) httpdate '@RUN_TIME@'
	window_sed $((t0 + 3599)) $((t1 + 3601)) epoch '@RUN_TIME+1h@'
	window_sed $((t0 + 3599)) $((t1 + 3601)) rfc3339 '@RUN_TIME+1h@'
	window_sed $((t0 + 3599)) $((t1 + 3601)) httpdate '@RUN_TIME+1h@'
	printf 's|%s|@TMP@|g\n' "$dir"
} >"$norm/time.sed"

# N2 for /healthz and /metrics bodies.
cat >"$norm/health.sed" <<'EOF'
s/"age":[0-9-]*/"age":@AGE@/g
s/"fetch_ms":[0-9]*/"fetch_ms":@MS@/g
s/^\([Cc]ontent-[Ll]ength: \)[0-9]*$/\1@LEN@/
/^socialhub_request_duration_seconds_bucket{le="+Inf"}/b
s/^\(socialhub_[a-z_]*_seconds_bucket{[^}]*}\) [0-9]*$/\1 @N@/
s/^\(socialhub_[a-z_]*_seconds_sum\) [0-9.e+-]*$/\1 @SUM@/
s/^\(socialhub_refresh_pass_duration_seconds\) [0-9.e+-]*$/\1 @SECONDS@/
EOF

# N3 on header lines (anchored on the header names).
cat >"$norm/headers.sed" <<'EOF'
s/^\([Ss]et-[Cc]ookie: [^=]*_st_\)[A-Za-z0-9_-]*=[^;]*/\1@RANDOM@=@SEALED@/
/^[Ll]ocation: /{
s/\([?&]state=\)[A-Za-z0-9_.~%-]*/\1@RANDOM@/g
s/\([?&]nonce=\)[A-Za-z0-9_.~%-]*/\1@RANDOM@/g
s/\([?&]code_challenge=\)[A-Za-z0-9_.~%-]*/\1@RANDOM@/g
}
EOF

rm -rf "$out/routes"
for m in fcgi cgi; do
	mkdir -p "$out/routes/$m"
	cp "$dir/raw/$m/INDEX" "$out/routes/$m/INDEX"
	python3 "$here/record.py" split "$dir/raw/$m" "$out/routes/$m" "$norm/manifest" ||
	    die "record.py split failed"
done
find "$out/routes" -type f ! -name INDEX -print0 |
    xargs -0 -r -n 300 sed -i -f "$norm/headers.sed" -f "$norm/time.sed"
find "$out/routes" -type f \( -path '*/ops/healthz*' -o -path '*/ops/metrics*' \) -print0 |
    xargs -0 -r sed -i -f "$norm/health.sed"
python3 "$here/record.py" verify "$norm/manifest" || die "record.py verify failed"

# The daemon's own log lines (N6): serve's (master, workers, refresher:
# sorted, as processes interleave) and the CGI runs' (one process after
# the other: in order).
{
	printf -- '--- socialhub serve: stderr (sorted)\n'
	sed -f "$dir/logline.sed" "$log" | LC_ALL=C sort
} >"$out/daemon/serve.log"
{
	printf -- '--- socialhub as CGI: stderr of every request, in order\n'
	sed -f "$dir/logline.sed" "$dir/cgi.log"
} >"$out/daemon/cgi.log"

# N1, N2, N4 in the command outputs. refresh's table: MS column and the
# duration in NEXT (time left, rounded down: "59m" or "1h").
for f in "$out"/daemon/*; do
	sed -i -f "$norm/time.sed" \
	    -e 's/^\([^ ]\+ \+[a-z-]\+ \+[0-9-]\+ \+[0-9-]\+ \+[0-9-]\+\) \+[0-9]\+  [0-9]\+[smhd]/\1  @MS@  @NEXT@/' \
	    -e 's/^\([^ ]\+ \+[a-z-]\+ \+[0-9-]\+ \+[0-9-]\+ \+[0-9-]\+\) \+[0-9]\+  /\1  @MS@  /' "$f"
done
exit 0

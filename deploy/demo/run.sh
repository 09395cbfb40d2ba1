#!/usr/bin/env bash
# shellcheck disable=SC2317 # stop/cleanup run from traps
# socialhub demo: nginx + socialhub on loopback, all state in one scratch dir.
#
# Usage: deploy/demo/run.sh [BUILD_DIR]
#   BUILD_DIR   where the socialhub binary was built (default: repo top)
#
# Environment:
#   DEMO_PORT=8080   nginx listens on 127.0.0.1:DEMO_PORT (the demo provider on
#                    DEMO_OP_PORT, default +1; the members application on
#                    DEMO_APP_PORT, default +2)
#   DEMO_DIR=...     scratch dir (default: a new /tmp/socialhub-demo.XXXX)
#   DEMO_KEEP=1      keep the scratch dir (configs, logs) on exit
#
# Stops everything it started, by PID, on Ctrl-C, SIGTERM or exit.
# No internet needed, nothing outside the scratch dir is written.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top}
bin=$build/socialhub
site=$here/site
widgets=$(cd "$here/../../widgets" && pwd)
feeds_src=$here/feeds
embed=$build/widgets/embed/dist
port=${DEMO_PORT:-8080}

nginx_pid=
sh_pid=
op_pid=
dir=
dir_created=0
site_copied=0
cleaned=0

say() { printf 'socialhub demo: %s\n' "$*"; }
die() { printf 'socialhub demo: error: %s\n' "$*" >&2; exit 1; }
# Like die, followed by the end of the logs.
fail() { printf 'socialhub demo: error: %s\n' "$*" >&2; show_logs; exit 1; }

# ---------------------------------------------------------------------------
# Process handling: PIDs only, never names.

# True while $1 runs; a zombie (state Z, exited but not yet reaped) counts
# as stopped.
alive() {
	local stat rest
	[ -n "$1" ] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	[ "${rest%% *}" != Z ]
}

# Stops $2 (a PID we started) named $1: SIGTERM, up to 3 s, then SIGKILL
# for it and any child it left behind.
stop() {
	local name=$1 pid=$2 kids _
	[ -n "$pid" ] || return 0
	if alive "$pid"; then
		read -r -d '' -a kids < <(ps -o pid= --ppid "$pid" 2>/dev/null)
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 30); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			say "$name ($pid) did not stop in 3 s, killing it"
			kill -KILL "$pid" "${kids[@]}" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	[ "$cleaned" = 1 ] && return
	cleaned=1
	trap '' INT TERM
	stop nginx "$nginx_pid"
	stop socialhub "$sh_pid"
	stop "demo provider" "$op_pid"
	[ -n "$dir" ] || return
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		say "kept $dir"
	elif [ "$dir_created" = 1 ]; then
		rm -rf -- "$dir"
	else
		rm -rf -- "$dir/run" "$dir/nginx" "$dir/cache" "$dir/state" "$dir/feeds" \
		    "$dir/socialhub.conf" "$dir/socialhub.log" "$dir/op.log" "$dir/op.json"
		[ "$site_copied" = 1 ] && rm -rf -- "$dir/site"
	fi
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Last lines of the logs, for a failed start.
show_logs() {
	local f
	for f in "$dir/socialhub.log" "$dir/nginx/stdout.log" "$dir/nginx/error.log"; do
		[ -s "$f" ] || continue
		printf '%s\n' "--- last lines of $f" >&2
		tail -n 15 "$f" >&2
	done
}

# ---------------------------------------------------------------------------
# Checks.

case $port in
'' | *[!0-9]*) die "DEMO_PORT must be a number, got '$port'" ;;
esac
[ -x "$bin" ] || die "no socialhub binary at $bin (build it first: autoreconf -fi && ./configure && make)"
command -v nginx >/dev/null 2>&1 || die "nginx is not installed"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
[ -r /etc/nginx/fastcgi_params ] || die "/etc/nginx/fastcgi_params is missing (nginx package)"
[ -r "$site/index.html" ] || die "demo site missing: $site"
[ -r "$embed/embed.js" ] || die "no widget bundle at $embed (run make)"
if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
	die "something already answers on 127.0.0.1:$port (set DEMO_PORT)"
fi

# ---------------------------------------------------------------------------
# Scratch dir. nginx workers run as an unprivileged user when nginx starts
# as root: they must reach the socket and the site, so dirs are 0755 and the
# socket 0666 (loopback demo only).

if [ -n "${DEMO_DIR:-}" ]; then
	dir=$DEMO_DIR
	[ -d "$dir" ] || { mkdir -p -- "$dir" || die "cannot create $dir"; dir_created=1; }
else
	dir=$(mktemp -d /tmp/socialhub-demo.XXXX) || die "mktemp failed"
	dir_created=1
fi
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/run" "$dir/cache" "$dir/state" "$dir/nginx/tmp" || die "cannot fill $dir"
chmod 0755 "$dir" "$dir/run"

# Run as root, nginx workers are "nobody": if they cannot walk to the site
# (say the repo sits in a 0700 home), serve a copy from the scratch dir.
site_readable() {
	local d=$1
	while [ -n "$d" ] && [ "$d" != / ]; do
		[ $(($(stat -c %#a "$d") & 1)) = 1 ] || return 1
		d=$(dirname "$d")
	done
}
if [ "$(id -u)" = 0 ] && ! site_readable "$site"; then
	[ -e "$dir/site" ] && die "$dir/site is in the way"
	site_copied=1
	if ! cp -R "$site" "$dir/site" || ! chmod -R a+rX "$dir/site"; then
		die "cannot copy $site to $dir/site"
	fi
	say "serving a copy of $site (nginx workers cannot read it there)"
	site=$dir/site
fi

# The demo's social accounts: fixture feeds (Mastodon, YouTube, Bluesky, a
# blog, and a hostile one for the XSS page) with dates counting back from
# now and images on this nginx, served below like the real networks do.
sh "$feeds_src/render.sh" "$feeds_src" "$dir/feeds" "http://127.0.0.1:$port" ||
    die "cannot render the demo feeds"
chmod -R a+rX "$dir/feeds"

# ---------------------------------------------------------------------------
# socialhub config: core keys only. Feature sections (providers, streams,
# share) are appended here as the demo grows.

write_socialhub_conf() {
	# The session secret as an admin makes it: keygen, in a file only we
	# may read (socialhub refuses a weak or group/world-readable one).
	( umask 077 && "$bin" keygen >"$dir/session.key" ) || fail "socialhub keygen failed"
	chmod 600 "$dir/session.key"
	cat >"$dir/socialhub.conf" <<EOF
# socialhub demo configuration (written by deploy/demo/run.sh)
listen      = "unix:$dir/run/socialhub.sock"
listen_mode = "0666"
workers     = 2
site_url    = "http://127.0.0.1:$port"
mount       = "/social"
cache_dir   = "$dir/cache"
state_dir   = "$dir/state"
log_level   = "info"

# Sign-on: "Demo ID" is npm's oidc-provider on loopback (tests/js/op.mjs).
session { secret_file = "$dir/session.key" }
provider demo {
  issuer        = "http://127.0.0.1:$op_port"
  client_id     = "demo"
  client_secret = "demo-secret-change-me"
  display_name  = "Demo ID"
  rp_logout     = true
}

# Share: the demo article's canonical address is on the brand's host.
share {
  allowed_hosts = {"www.example.com"}
  networks = {"x", "mastodon", "bluesky", "linkedin", "whatsapp", "email"}
  market asia { networks = {"weibo", "line", "x"} }
}

# The brand's stream: four accounts, served by the demo nginx on loopback
# (a source on 127.0.0.1 is allowed because it is configured here).
stream brand {
  title = "Example Co. everywhere"
  source mastodon { url = "http://127.0.0.1:$port/@brand.rss"  every = 5m }
  source youtube  { url = "http://127.0.0.1:$port/feeds/youtube.atom" }
  source bluesky  { url = "http://127.0.0.1:$port/feeds/bluesky.rss"  title = "Example Co. on Bluesky" }
  source blog     { url = "http://127.0.0.1:$port/feeds/blog.rss" }
}

# The XSS test page (xss.html): a feed full of script tricks.
stream hostile {
  title = "Hostile feed"
  source hostile { url = "http://127.0.0.1:$port/feeds/hostile.rss" }
}
EOF
}

# ---------------------------------------------------------------------------
# nginx config: private prefix, every path inside the scratch dir.

# The shipped nginx files (deploy/nginx), not a copy of them: their EDIT
# points filled in for the scratch dir, the one provider and the members
# application. A substitution that no longer matches stops the demo, so
# the snippet and the demo cannot drift apart.
render_snippet() {
	local out=$dir/nginx
	"$top/deploy/nginx/render-snippet.sh" "$out" socket="$dir/run/socialhub.sock" \
	    embed="$embed" app="127.0.0.1:$app_port" login=/social/auth/login/demo \
	    cache="$dir/nginx/cache" ||
	    die "deploy/nginx changed: update render_snippet in $0"
	# Nothing of the packaged paths may be left outside comments.
	! grep -v '^[[:space:]]*#' "$out/socialhub.conf" | grep -q '/run/socialhub/\|/usr/share/socialhub/' ||
	    die "deploy/nginx has a packaged path render-snippet.sh does not fill in"
	mkdir -p "$dir/nginx/cache" && chmod 0777 "$dir/nginx/cache"
	ln -sf /etc/nginx/fastcgi_params "$out/fastcgi_params"
}


write_nginx_conf() {
	cat >"$dir/nginx/nginx.conf" <<EOF
# nginx for the socialhub demo (written by deploy/demo/run.sh)
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 256; }
http {
    access_log $dir/nginx/access.log;
    client_body_temp_path $dir/nginx/tmp/body;
    fastcgi_temp_path     $dir/nginx/tmp/fastcgi;
    proxy_temp_path       $dir/nginx/tmp/proxy;
    uwsgi_temp_path       $dir/nginx/tmp/uwsgi;
    scgi_temp_path        $dir/nginx/tmp/scgi;
    types {
        text/html                html;
        text/css                 css;
        application/javascript   js;
        image/svg+xml            svg;
        image/png                png;
        image/jpeg               jpg;
        image/webp               webp;
        image/gif                gif;
        application/json         json;
        application/rss+xml      rss;
        application/atom+xml     atom;
    }
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css application/javascript application/json;
    server_tokens off;

    # The widget cache zone: deploy/nginx/socialhub-cache.conf, rendered.
    include $dir/nginx/socialhub-cache.conf;

    server {
        listen 127.0.0.1:$port;
        server_name 127.0.0.1;
        root $site;

        # The brand page: static files under a strict policy (no inline
        # script or style anywhere).
        location / {
            ssi on;   # index.html includes the share bar
            add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" always;
            add_header X-Content-Type-Options nosniff always;
            add_header Referrer-Policy strict-origin-when-cross-origin always;
        }

        # The demo's "social networks": fixture feeds, a Mastodon-shaped
        # feed path and account API (for the profile box), local images.
        location /feeds/ { alias $dir/feeds/; }
        location = /@brand.rss { alias $dir/feeds/mastodon.rss; }
        location = /api/v1/accounts/lookup {
            default_type application/json;
            alias $dir/feeds/mastodon-account.json;
        }
        location = /api/v1/instance {
            default_type application/json;
            alias $dir/feeds/mastodon-instance.json;
        }

        # SSI includes of stream, profile and share fragments go through
        # the shipped snippet below, unchanged (deploy/nginx/socialhub.conf
        # says how socialhub tells an SSI subrequest from a page request).

        # The share bar alone (share.js/.css are also inside the bundle).
        location = /social/embed/share.css { alias $widgets/share/embed/share.css; }
        location = /social/embed/share.js { alias $widgets/share/embed/share.js; }

        # The rest of socialhub is the shipped deploy/nginx/socialhub.conf
        # (render_snippet fills in its EDIT points): /social/, the widget
        # bundle, the widget cache, /social/auth/check, and /members/
        # behind auth_request, whose login redirect carries \$request_uri
        # (as sent, still percent-encoded), never the decoded \$uri.
        include $dir/nginx/socialhub.conf;
    }

    # The application behind the snippet's /members/ example: the members
    # page, showing the identity socialhub passed through nginx (X-User,
    # X-Name, X-Email; SSI escapes them for HTML).
    server {
        listen 127.0.0.1:$app_port;
        server_name 127.0.0.1;
        root $site;
        location /members/ {
            ssi on;
            add_header Cache-Control "no-store" always;
        }
        location / { return 404; }
    }
}
EOF
}

op_port=${DEMO_OP_PORT:-$((port + 1))}
case $op_port in
'' | *[!0-9]*) die "DEMO_OP_PORT must be a number, got '$op_port'" ;;
esac
command -v node >/dev/null 2>&1 || die "node is not installed (deploy/install-deps.sh demo)"
[ -d "$top/tests/js/node_modules/oidc-provider" ] ||
    die "oidc-provider is missing (run deploy/install-deps.sh demo)"
app_port=${DEMO_APP_PORT:-$((port + 2))}
case $app_port in
'' | *[!0-9]*) die "DEMO_APP_PORT must be a number, got '$app_port'" ;;
esac
write_socialhub_conf
render_snippet
write_nginx_conf

nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" -t \
    >"$dir/nginx/test.log" 2>&1 || { cat "$dir/nginx/test.log" >&2; die "nginx rejected the demo config"; }
"$bin" check-config -c "$dir/socialhub.conf" >"$dir/socialhub.log" 2>&1 ||
    fail "socialhub rejected the demo config"

# ---------------------------------------------------------------------------
# Start, then wait for /social/healthz through nginx.

# The demo provider first (socialhub discovers it at the first login), then
# nginx (it serves the feeds the refresher fetches), then socialhub.
node "$top/tests/js/op.mjs" --port "$op_port" \
    --redirect "http://127.0.0.1:$port/social/auth/callback/demo" \
    --post-logout "http://127.0.0.1:$port/" --ready-file "$dir/op.json" \
    </dev/null >"$dir/op.log" 2>&1 &
op_pid=$!
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" \
    -g 'daemon off;' </dev/null >"$dir/nginx/stdout.log" 2>&1 &
nginx_pid=$!
# DEMO_START_TIMEOUT: seconds to wait for each of the provider and
# socialhub to answer. A wait for readiness, not a speed check: a loaded
# machine (or valgrind) may need far more than the usual second.
start_timeout=${DEMO_START_TIMEOUT:-60}
deadline=$((SECONDS + start_timeout))
until [ -s "$dir/op.json" ]; do
	alive "$op_pid" || { tail -n 15 "$dir/op.log" >&2; fail "the demo provider exited during start-up"; }
	[ "$SECONDS" -lt "$deadline" ] || fail "the demo provider did not start within $start_timeout s"
	sleep 0.2
done
"$bin" serve -c "$dir/socialhub.conf" >>"$dir/socialhub.log" 2>&1 </dev/null &
sh_pid=$!

health=http://127.0.0.1:$port/social/healthz
ready=0
deadline=$((SECONDS + start_timeout))
while [ "$SECONDS" -lt "$deadline" ]; do
	alive "$sh_pid" || fail "socialhub exited during start-up"
	alive "$nginx_pid" || fail "nginx exited during start-up"
	if curl -sf -o /dev/null --max-time 1 "$health"; then
		ready=1
		break
	fi
	sleep 0.2
done
[ "$ready" = 1 ] || fail "no answer from $health within $start_timeout s"

# The refresher fetches the demo feeds at start; a forced pass makes sure a
# fetch that raced nginx's start is not left waiting for its back-off. Then
# wait for the first stream page (and its images) so the page is complete.
"$bin" refresh --force -c "$dir/socialhub.conf" >>"$dir/socialhub.log" 2>&1 || true
stream_json=http://127.0.0.1:$port/social/streams/brand.json
deadline=$((SECONDS + 2 * start_timeout))
until curl -sf --max-time 1 "$stream_json" | grep -q '"id"'; do
	[ "$SECONDS" -lt "$deadline" ] || fail "the demo stream was not published within $((2 * start_timeout)) s"
	alive "$sh_pid" || fail "socialhub exited during start-up"
	sleep 0.2
done

say "http://127.0.0.1:$port/"
say "scratch dir $dir (logs: socialhub.log, nginx/error.log); Ctrl-C stops"

# Until Ctrl-C / SIGTERM, or until one of the two exits by itself.
wait -n "$sh_pid" "$nginx_pid"
rc=$?
alive "$sh_pid" || fail "socialhub exited (status $rc)"
alive "$nginx_pid" || fail "nginx exited (status $rc)"
exit 0

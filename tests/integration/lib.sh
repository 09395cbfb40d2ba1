# lib.sh: sourced harness for socialhub integration tests and benchmarks.
#
# Usage (from a test script):
#   . "$(dirname "$0")/lib.sh"
#   th_init http                 # scratch dir $TH_DIR, free port $TH_PORT, traps
#   cfg=$(th_write_config)       # $TH_DIR/socialhub.conf
#   th_start_socialhub "$cfg"    # $TH_SH_PID, waits for $TH_SOCK
#   th_start_nginx               # $TH_NGINX_PID, http://127.0.0.1:$TH_PORT
#   (also th_start_redis, th_start_demo, th_start_cluster_nginx: see each)
#   th_expect_status GET "$TH_BASE/social/healthz" 200
#   th_expect_header Content-Type 'application/json'
#   th_done                      # summary; exit status of the script
#
# Every integration script builds on these; feature files add thin setup
# over them (streams_lib.sh: the feed fixture, TLS, HTTP/2 nginx;
# oauth_env.sh: the OpenID providers and the auth_request nginx;
# widgets_env.sh: the demo feeds).
#
#   th_free_port [HOSTS]         a free port (on every address of HOSTS)
#   th_spawn NAME CMD...         CMD in the background, output in
#                                $TH_DIR/NAME.out, PID in TH_LAST_PID
#   th_wait_file FILE [MS] [PID] / th_wait_port [HOST:]PORT [MS] [PID]
#   th_nginx_conf PREFIX TEXT    a private nginx prefix, TEXT inside http {}
#   th_run_nginx PREFIX [HOST:]PORT   nginx -t, start, wait; TH_LAST_PID
#   th_stop PID / th_children PID / th_on_exit 'SHELL TEXT'
#   th_run_tap LABEL CMD...      a TAP producer's checks in this plan
#   th_codes URL...              status codes of a burst, one curl
#
# Environment honoured:
#   SOCIALHUB      the binary (default: $top_builddir/socialhub, else
#                  ../../socialhub relative to this file, else ./socialhub)
#   NGINX          the nginx binary (default: nginx on PATH or /usr/sbin/nginx)
#   KEEP=1         keep the scratch dir (and print where it is)
#   TMPDIR         parent of the scratch dir (default /tmp)
#   TH_VERBOSE=1   echo every request made by the assertion helpers
#
# Output is TAP: "ok N - name" / "not ok N - name", diagnostics on "# "
# lines, a trailing plan "1..N". Exit status: 0 all passed, 1 any failure,
# 77 (automake SKIP) when a prerequisite is missing.
#
# Only processes started through this file are ever signalled, by PID.

# ---------------------------------------------------------------- globals

TH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # for tests that need tests/fixtures
TH_SRCDIR=${top_srcdir:-$(cd "$TH_LIB_DIR/../.." && pwd)}

TH_N=0            # assertions run
TH_FAILED=0       # assertions failed
TH_PIDS=()        # started PIDs, in start order
TH_EXIT_CMDS=()   # th_on_exit commands
TH_DIAG_FILES=()  # th_spawn output files, shown on failure
TH_LAST_PID=      # the last process th_spawn / th_run_nginx started
TH_DONE=0         # th_done was called
TH_DIR=
TH_NAME=
TH_PORT=
TH_BASE=
TH_SOCK=
TH_SH_PID=
TH_NGINX_PID=
TH_STATUS=        # status of the last th_request
TH_HDRS=          # header file of the last th_request
TH_BODY=          # body file of the last th_request
TH_LAST_DESC=

# Curl defaults: never a proxy, never hang.
TH_CURL=(curl -s --noproxy '*' --max-time 10 -H 'Expect:')

th_find_socialhub() {
	if [ -n "${SOCIALHUB:-}" ]; then
		printf '%s\n' "$SOCIALHUB"
	elif [ -n "${top_builddir:-}" ]; then
		printf '%s\n' "$top_builddir/socialhub"
	elif [ -x "$TH_LIB_DIR/../../socialhub" ]; then
		printf '%s\n' "$(cd "$TH_LIB_DIR/../.." && pwd)/socialhub"
	else
		printf '%s\n' "$PWD/socialhub"
	fi
}
SOCIALHUB=$(th_find_socialhub)

th_find_nginx() {
	if [ -n "${NGINX:-}" ]; then
		printf '%s\n' "$NGINX"
	elif command -v nginx >/dev/null 2>&1; then
		command -v nginx
	else
		printf '%s\n' /usr/sbin/nginx
	fi
}

# ---------------------------------------------------------------- output

th_diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# Prints a file's tail as diagnostics.
th_diag_file() {
	local file=$1 n=${2:-20}
	[ -s "$file" ] || { th_diag "($file: empty or missing)"; return 0; }
	th_diag "--- last $n lines of $file"
	tail -n "$n" "$file" | sed 's/^/#   /'
}

# The tails of the logs a failure is explained by: the daemon's, nginx's
# and every th_spawn process's output.
th_diag_logs() {
	local f
	th_diag_file "$TH_DIR/socialhub.log" 30
	[ -s "$TH_DIR/nginx/error.log" ] && th_diag_file "$TH_DIR/nginx/error.log" 10
	for f in "${TH_DIAG_FILES[@]}"; do
		[ -s "$f" ] && th_diag_file "$f" 10
	done
	return 0
}

th_ok() {
	TH_N=$((TH_N + 1))
	printf 'ok %d - %s\n' "$TH_N" "$1"
}

# th_not_ok NAME [DIAG...]: records a failure; prints the diagnostics.
th_not_ok() {
	TH_N=$((TH_N + 1))
	TH_FAILED=$((TH_FAILED + 1))
	printf 'not ok %d - %s\n' "$TH_N" "$1"
	shift
	[ $# -gt 0 ] && th_diag "$*"
	return 0
}

# th_check NAME CMD...: ok when CMD succeeds.
th_check() {
	local name=$1
	shift
	if "$@"; then
		th_ok "$name"
	else
		th_not_ok "$name" "command failed: $*"
	fi
}

th_skip_all() {
	printf '1..0 # SKIP %s\n' "$*"
	TH_DONE=1
	exit 77
}

th_bail() {
	printf 'Bail out! %s\n' "$*"
	TH_FAILED=$((TH_FAILED + 1))
	th_diag_logs
	TH_DONE=1
	exit 1
}

# Prints the plan and a summary; exits 0 when nothing failed, else 1.
th_done() {
	TH_DONE=1
	printf '1..%d\n' "$TH_N"
	if [ "$TH_FAILED" -gt 0 ]; then
		th_diag "$TH_NAME: $TH_FAILED of $TH_N checks FAILED"
		th_diag_logs
		exit 1
	fi
	th_diag "$TH_NAME: all $TH_N checks passed"
	exit 0
}

# ---------------------------------------------------------------- processes

th_register_pid() {
	TH_PIDS+=("$1")
}

# True while PID exists and is not a zombie.
th_alive() {
	local pid=$1 stat
	[ -n "$pid" ] || return 1
	# read, not $(cat): tests poll this, a fork per call adds up under load.
	{ IFS= read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
	# Field 3, after the parenthesised comm (which may hold spaces).
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# th_wait_gone PID TIMEOUT_MS: true once PID is gone or a zombie.
th_wait_gone() {
	local pid=$1 ms=${2:-3000} waited=0
	while th_alive "$pid"; do
		[ "$waited" -ge "$ms" ] && return 1
		sleep 0.05
		waited=$((waited + 50))
	done
	return 0
}

# th_stop PID: TERM, wait up to 3 s, then KILL. Reaps it if it is our child.
th_stop() {
	local pid=$1
	[ -n "$pid" ] || return 0
	if th_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		if ! th_wait_gone "$pid" 3000; then
			th_diag "pid $pid ignored SIGTERM for 3 s; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			th_wait_gone "$pid" 2000
		fi
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# Direct children of PID (by parent PID, not by name), zombies left out.
th_children() {
	local pid
	for pid in $(pgrep -P "$1"); do
		th_alive "$pid" && printf '%s\n' "$pid"
	done
	return 0
}

# th_spawn NAME CMD...: runs CMD in the background (stdin /dev/null, stdout
# and stderr appended to $TH_DIR/NAME.out, shown when the script fails);
# registers it for the cleanup and sets TH_LAST_PID.
th_spawn() {
	local name=$1
	shift
	"$@" </dev/null >>"$TH_DIR/$name.out" 2>&1 &
	TH_LAST_PID=$!
	th_register_pid "$TH_LAST_PID"
	TH_DIAG_FILES+=("$TH_DIR/$name.out")
}

# th_on_exit 'SHELL TEXT': evaluated at exit, after the processes are
# stopped and before the scratch dir is removed (e.g. an umount); the last
# registered runs first.
th_on_exit() {
	TH_EXIT_CMDS+=("$1")
}

th_cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	if [ "$TH_DONE" != 1 ] && [ -n "$TH_NAME" ]; then
		printf 'Bail out! %s: script ended before th_done (status %d)\n' "$TH_NAME" "$rc"
		[ -n "$TH_DIR" ] && th_diag_logs
		[ "$rc" -eq 0 ] && rc=1
	fi
	for ((i = ${#TH_PIDS[@]} - 1; i >= 0; i--)); do
		th_stop "${TH_PIDS[i]}"
	done
	for ((i = ${#TH_EXIT_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${TH_EXIT_CMDS[i]}"
	done
	if [ -n "$TH_DIR" ] && [ -d "$TH_DIR" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			th_diag "kept scratch dir $TH_DIR"
		else
			rm -rf "$TH_DIR"
		fi
	fi
	exit "$rc"
}

# th_init NAME: scratch dir, a free port, traps.
th_init() {
	TH_NAME=$1
	TH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/socialhub-$TH_NAME.XXXXXX") ||
		{ echo "Bail out! mktemp failed"; exit 1; }
	# nginx workers run as an unprivileged user and must reach the socket
	# and the static files inside.
	chmod 0755 "$TH_DIR"
	trap th_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	TH_SOCK=$TH_DIR/sh.sock
	if [ ${#TH_SOCK} -gt 100 ]; then
		th_bail "socket path too long for AF_UNIX: $TH_SOCK (set TMPDIR)"
	fi
	TH_PORT=$(th_free_port) || th_bail "no free port"
	TH_BASE=http://127.0.0.1:$TH_PORT
	th_diag "$TH_NAME: scratch $TH_DIR, port $TH_PORT, binary $SOCIALHUB"
}

# th_require_socialhub: skip the whole script when the binary is missing.
th_require_socialhub() {
	[ -x "$SOCIALHUB" ] || th_skip_all "socialhub binary not found at $SOCIALHUB (set SOCIALHUB)"
}

# th_sanitized: true when the socialhub binary is an ASan build, whose
# shadow memory and free-quarantine make its RSS no measure of ours.
th_sanitized() {
	ldd "$SOCIALHUB" 2>/dev/null | grep -q 'libasan'
}

th_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || th_skip_all "$c not installed"
	done
}

# ---------------------------------------------------------------- ports

# th_port_open [HOST:]PORT: true when something accepts there (HOST
# defaults to 127.0.0.1).
th_port_open() {
	local port=${1##*:} host=127.0.0.1
	[ "$port" = "$1" ] || host=${1%:*}
	(exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# th_free_port [HOSTS]: prints a TCP port free on every address of the
# comma list HOSTS (default 127.0.0.1), bound once on each to be sure.
th_free_port() {
	local hosts=${1:-127.0.0.1} port tries=0
	if [ -x /usr/bin/python3 ]; then
		port=$(/usr/bin/python3 - "$hosts" <<'PY' 2>/dev/null
import socket, sys
hosts = sys.argv[1].split(",")
for _ in range(100):
    socks = []
    try:
        s = socket.socket()
        socks.append(s)
        s.bind((hosts[0], 0))
        port = s.getsockname()[1]
        for h in hosts[1:]:
            t = socket.socket()
            socks.append(t)
            t.bind((h, port))
        print(port)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
		) && [ -n "$port" ] && { printf '%s\n' "$port"; return 0; }
	fi
	[ "$hosts" = 127.0.0.1 ] || return 1
	while [ "$tries" -lt 200 ]; do
		port=$((20000 + RANDOM % 40000))
		if ! th_port_open "$port"; then
			printf '%s\n' "$port"
			return 0
		fi
		tries=$((tries + 1))
	done
	return 1
}

# th_wait_port [HOST:]PORT [TIMEOUT_MS] [PID]: waits until the port accepts;
# fails early when PID (the server) has died.
th_wait_port() {
	local port=$1 ms=${2:-5000} pid=${3:-} waited=0
	until th_port_open "$port"; do
		[ -n "$pid" ] && ! th_alive "$pid" && return 1
		[ "$waited" -ge "$ms" ] && return 1
		sleep 0.05
		waited=$((waited + 50))
	done
}

# th_wait_file [-e] FILE [TIMEOUT_MS] [PID]: waits until FILE is not empty
# (a fixture's port or ready file), with -e until it exists; fails early
# when PID has died.
th_wait_file() {
	local test=-s
	[ "$1" = -e ] && { test=-e; shift; }
	local file=$1 ms=${2:-10000} pid=${3:-} waited=0
	until [ "$test" "$file" ]; do
		[ -n "$pid" ] && ! th_alive "$pid" && return 1
		[ "$waited" -ge "$ms" ] && return 1
		sleep 0.05
		waited=$((waited + 50))
	done
}

# th_wait_socket PATH [TIMEOUT_MS] [PID]: waits until PATH is a socket.
th_wait_socket() {
	local path=$1 ms=${2:-5000} pid=${3:-} waited=0
	until [ -S "$path" ]; do
		[ -n "$pid" ] && ! th_alive "$pid" && return 1
		[ "$waited" -ge "$ms" ] && return 1
		sleep 0.05
		waited=$((waited + 50))
	done
}

# ---------------------------------------------------------------- socialhub

# th_write_config [--no-listen] [FILE [EXTRA_TEXT]]: writes a config (default
# $TH_DIR/socialhub.conf) and prints its path. --no-listen leaves out the
# listen key (serve then uses the socket on fd 0). TH_WORKERS and
# TH_LOG_LEVEL override workers and log_level, TH_LISTEN (HOST:PORT) the
# unix socket $TH_SOCK.
th_write_config() {
	local listen=1 file extra
	if [ "${1:-}" = --no-listen ]; then
		listen=0
		shift
	fi
	file=${1:-$TH_DIR/socialhub.conf}
	extra=${2:-}
	mkdir -p "$TH_DIR/cache" "$TH_DIR/state"
	{
		echo "# written by tests/integration/lib.sh"
		if [ "$listen" = 1 ] && [ -n "${TH_LISTEN:-}" ]; then
			echo "listen      = \"$TH_LISTEN\""
		elif [ "$listen" = 1 ]; then
			echo "listen      = \"unix:$TH_SOCK\""
			echo "listen_mode = \"0666\""
		fi
		echo "workers     = ${TH_WORKERS:-2}"
		echo "site_url    = \"http://127.0.0.1:$TH_PORT\""
		echo "mount       = \"/social\""
		echo "cache_dir   = \"$TH_DIR/cache\""
		echo "state_dir   = \"$TH_DIR/state\""
		echo "log_level   = \"${TH_LOG_LEVEL:-info}\""
		echo "metrics_allow = {\"127.0.0.1\"}"
		[ -n "$extra" ] && printf '%s\n' "$extra"
	} >"$file"
	printf '%s\n' "$file"
}

# The socket a config listens on: "unix:PATH" -> PATH, "HOST:PORT" -> PORT.
th_config_listen() {
	sed -n 's/^[[:space:]]*listen[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$1" | head -n 1
}

# th_start_socialhub CONFIG: starts "serve -c CONFIG" in the background with
# stderr appended to $TH_DIR/socialhub.log; sets TH_SH_PID; waits for the
# listen socket (5 s). Returns 1 (with the log shown) if it does not come up.
th_start_socialhub() {
	local cfg=$1 listen
	"$SOCIALHUB" serve -c "$cfg" </dev/null >>"$TH_DIR/socialhub.out" 2>>"$TH_DIR/socialhub.log" &
	TH_SH_PID=$!
	th_register_pid "$TH_SH_PID"
	listen=$(th_config_listen "$cfg")
	case $listen in
	unix:*)
		th_wait_socket "${listen#unix:}" 5000 "$TH_SH_PID" || {
			th_diag "socialhub (pid $TH_SH_PID) did not create ${listen#unix:}"
			th_diag_file "$TH_DIR/socialhub.log" 30
			return 1
		}
		;;
	*:*)
		th_wait_port "${listen##*:}" 5000 "$TH_SH_PID" || {
			th_diag "socialhub (pid $TH_SH_PID) does not accept on $listen"
			th_diag_file "$TH_DIR/socialhub.log" 30
			return 1
		}
		;;
	*)
		sleep 0.3
		;;
	esac
	th_alive "$TH_SH_PID" || {
		th_diag "socialhub (pid $TH_SH_PID) exited right after start"
		th_diag_file "$TH_DIR/socialhub.log" 30
		return 1
	}
	return 0
}

# ---------------------------------------------------------------- nginx

# th_nginx_conf PREFIX HTTP_TEXT: writes PREFIX/conf/nginx.conf for a
# private nginx: pid, error log and temp folders under PREFIX,
# TH_NGINX_WORKERS workers (1), HTTP_TEXT inside the http block (its
# servers listen on 127.0.0.x only).
th_nginx_conf() {
	local p=$1 http=$2
	mkdir -p "$p/conf" "$p/tmp" "$p/html"
	cat >"$p/conf/nginx.conf" <<EOF
# written by tests/integration/lib.sh
worker_processes ${TH_NGINX_WORKERS:-1};
pid $p/nginx.pid;
error_log $p/error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $p/tmp/body;
    fastcgi_temp_path $p/tmp/fastcgi;
    proxy_temp_path $p/tmp/proxy;
    uwsgi_temp_path $p/tmp/uwsgi;
    scgi_temp_path $p/tmp/scgi;
$http
}
EOF
}

# th_run_nginx PREFIX [HOST:]PORT: checks PREFIX/conf/nginx.conf (nginx
# -t), runs it in the foreground in the background, registers its PID
# (TH_LAST_PID) and waits until HOST:PORT accepts. Returns 1, with the
# error log shown, when it does not come up.
th_run_nginx() {
	local p=$1 addr=$2 nginx
	nginx=$(th_find_nginx)
	if ! "$nginx" -t -q -p "$p/" -c "$p/conf/nginx.conf" -e "$p/error.log" 2>"$p/check.log"; then
		th_diag "nginx -t failed for $p:"
		th_diag_file "$p/check.log" 20
		return 1
	fi
	"$nginx" -p "$p/" -c "$p/conf/nginx.conf" -e "$p/error.log" -g 'daemon off;' \
		</dev/null >>"$p/stdout.log" 2>&1 &
	TH_LAST_PID=$!
	th_register_pid "$TH_LAST_PID"
	th_wait_port "$addr" 5000 "$TH_LAST_PID" || {
		th_diag "nginx (pid $TH_LAST_PID) does not answer on $addr"
		th_diag_file "$p/error.log" 20
		return 1
	}
}

# th_start_cluster_nginx PORT...: nginx for socialhub nodes listening on
# $TH_DIR/node1.sock, node2.sock, ...: $TH_PORT balances /social/ over all
# of them (one upstream), and the Nth PORT reaches node N alone. Bails
# when nginx does not start.
th_start_cluster_nginx() {
	local n=0 port upstream="" servers=""
	for port in "$@"; do
		n=$((n + 1))
		upstream+="        server unix:$TH_DIR/node$n.sock;
"
		servers+="    server { listen 127.0.0.1:$port; location /social/ { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$TH_DIR/node$n.sock; } }
"
	done
	th_nginx_conf "$TH_DIR/nginx" "    access_log off;
    upstream cluster {
$upstream    }
    server { listen 127.0.0.1:$TH_PORT; location /social/ { include /etc/nginx/fastcgi_params; fastcgi_pass cluster; } }
$servers"
	th_run_nginx "$TH_DIR/nginx" "$TH_PORT" || th_bail "nginx did not start"
}

# th_write_nginx_conf [EXTRA_SERVER_TEXT]: $TH_DIR/nginx/conf/nginx.conf,
# one server on 127.0.0.1:$TH_PORT passing /social/ to $TH_SOCK.
# TH_NGINX_WORKERS (1), TH_NGINX_ACCESS_LOG (on) tune it; EXTRA_SERVER_TEXT
# adds locations inside the server block.
th_write_nginx_conf() {
	local extra=${1:-} p=$TH_DIR/nginx access
	if [ "${TH_NGINX_ACCESS_LOG:-on}" = off ]; then
		access="access_log off;"
	else
		access="access_log $p/access.log;"
	fi
	th_nginx_conf "$p" "    $access
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    types { application/json json; text/html html; text/plain txt; }
    # Let socialhub, not nginx, enforce the 8 KiB header and 64 KiB body limits.
    large_client_header_buffers 4 32k;
    client_max_body_size 1m;
    client_body_buffer_size 128k;
    server {
        listen 127.0.0.1:$TH_PORT;
        root $p/html;
        location /social/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$TH_SOCK;
        }
$extra
    }"
}

# th_start_nginx [EXTRA_SERVER_TEXT]: writes that conf and starts nginx on
# $TH_PORT (th_run_nginx). Sets TH_NGINX_PID.
th_start_nginx() {
	th_write_nginx_conf "${1:-}"
	th_run_nginx "$TH_DIR/nginx" "$TH_PORT" || return 1
	TH_NGINX_PID=$TH_LAST_PID
}

# ---------------------------------------------------------------- requests

# th_request METHOD URL [curl args...]: one request; sets TH_STATUS and the
# files TH_HDRS / TH_BODY. HEAD uses -I semantics.
th_request() {
	local method=$1 url=$2
	shift 2
	TH_HDRS=$TH_DIR/last.headers
	TH_BODY=$TH_DIR/last.body
	: >"$TH_HDRS"
	: >"$TH_BODY"
	local m=(-X "$method")
	[ "$method" = HEAD ] && m=(-I)
	[ "${TH_VERBOSE:-0}" = 1 ] && th_diag "request: $method $url $*"
	TH_STATUS=$("${TH_CURL[@]}" "${m[@]}" -D "$TH_HDRS" -o "$TH_BODY" \
		-w '%{http_code}' "$@" "$url" 2>"$TH_DIR/last.curl") || true
	[ -n "$TH_STATUS" ] || TH_STATUS=000
}

# th_codes URL...: GETs every URL with one curl (one connection, in order)
# and prints each one's status code on a line of its own (000: no
# answer). For request bursts: a curl per request is a fork and a new
# connection each, slow on a loaded machine.
th_codes() {
	local u args=()
	for u in "$@"; do
		args+=(-o /dev/null "$u")
	done
	"${TH_CURL[@]}" -w '%{http_code}\n' "${args[@]}" 2>/dev/null
	return 0
}

# Diagnostics about the last response.
th_diag_last() {
	th_diag "status: $TH_STATUS"
	[ -s "$TH_DIR/last.curl" ] && th_diag "curl: $(cat "$TH_DIR/last.curl")"
	if [ -s "$TH_HDRS" ]; then
		th_diag "headers:"
		tr -d '\r' <"$TH_HDRS" | sed 's/^/#   /'
	fi
	if [ -s "$TH_BODY" ]; then
		th_diag "body (first 300 bytes):"
		head -c 300 "$TH_BODY" | sed 's/^/#   /'
		echo
	fi
}

# th_expect_status [-n NAME] METHOD URL CODE [curl args...]: NAME labels
# this check and the header/body checks that follow (default "METHOD PATH").
th_expect_status() {
	local name='' method url code shown
	if [ "$1" = -n ]; then
		name=$2
		shift 2
	fi
	method=$1 url=$2 code=$3
	shift 3
	th_request "$method" "$url" "$@"
	shown=${url#"$TH_BASE"}
	[ ${#shown} -gt 80 ] && shown="${shown:0:60}...(${#shown} chars)"
	TH_LAST_DESC=${name:-"$method $shown"}
	if [ "$TH_STATUS" = "$code" ]; then
		th_ok "$TH_LAST_DESC -> $code"
	else
		th_not_ok "$TH_LAST_DESC -> $code (got $TH_STATUS)"
		th_diag_last
		return 1
	fi
}

# The value of header NAME in the last response (first one in the last
# header block), CR stripped. Plain bash: assertions call it often.
th_header() {
	local name=${1,,} line key val= found=0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line//$'\r'/}
		case $line in
		HTTP/*) val= found=0; continue ;;   # keep only the last block
		*:*) ;;
		*) continue ;;
		esac
		key=${line%%:*}
		if [ "$found" = 0 ] && [ "${key,,}" = "$name" ]; then
			val=${line#*:}
			val=${val#"${val%%[!$' \t']*}"}
			found=1
		fi
	done <"$TH_HDRS"
	[ "$found" = 1 ] && printf '%s\n' "$val"
}

# th_expect_header NAME ERE [NAME_OF_CHECK]: header NAME of the last
# response matches the extended regex ERE (case-insensitive).
th_expect_header() {
	local name=$1 re=$2 desc=${3:-"$TH_LAST_DESC: $1 ~ /$2/"} v
	if v=$(th_header "$name") && grep -Eqi -- "$re" <<<"$v"; then
		th_ok "$desc"
	else
		th_not_ok "$desc" "$name: ${v:-<absent>}"
		th_diag_last
		return 1
	fi
}

# th_expect_no_header NAME [NAME_OF_CHECK]
th_expect_no_header() {
	local name=$1 desc=${2:-"$TH_LAST_DESC: no $1 header"} v
	if v=$(th_header "$name"); then
		th_not_ok "$desc" "$name: $v"
		return 1
	fi
	th_ok "$desc"
}

# th_expect_body_contains STRING [NAME_OF_CHECK]: fixed-string match.
th_expect_body_contains() {
	local s=$1 desc=${2:-"$TH_LAST_DESC: body contains '$1'"}
	if grep -Fq -- "$s" "$TH_BODY"; then
		th_ok "$desc"
	else
		th_not_ok "$desc"
		th_diag_last
		return 1
	fi
}

# th_expect_body_empty [NAME_OF_CHECK]
th_expect_body_empty() {
	local desc=${1:-"$TH_LAST_DESC: empty body"}
	if [ ! -s "$TH_BODY" ]; then
		th_ok "$desc"
	else
		th_not_ok "$desc" "body is $(wc -c <"$TH_BODY") bytes"
		th_diag_last
		return 1
	fi
}

# th_json_has FILE KEY...: FILE is a JSON object holding every KEY.
th_json_has() {
	local file=$1 py
	shift
	for py in /usr/bin/python3 python3; do
		command -v "$py" >/dev/null 2>&1 || continue
		"$py" - "$file" "$@" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], "rb") as f:
        d = json.load(f)
except Exception as e:
    print("not JSON: %s" % e)
    sys.exit(1)
if not isinstance(d, dict):
    print("JSON is not an object")
    sys.exit(1)
missing = [k for k in sys.argv[2:] if k not in d]
if missing:
    print("missing keys: %s" % ", ".join(missing))
    sys.exit(1)
EOF
		return
	done
	# No python: a rough textual check.
	local k
	for k in "$@"; do
		grep -Fq "\"$k\"" "$file" || return 1
	done
}

# th_expect_json_keys KEY... : the last body is a JSON object with every KEY.
th_expect_json_keys() {
	local desc="$TH_LAST_DESC: JSON object with $*" out
	if out=$(th_json_has "$TH_BODY" "$@"); then
		th_ok "$desc"
	else
		th_not_ok "$desc" "$out"
		th_diag_last
		return 1
	fi
}

# th_run_tap LABEL CMD...: runs CMD, a TAP producer (the node tests), and
# records each of its "ok"/"not ok" lines as a check of this script, named
# "LABEL: NAME"; its "#" lines pass through, its stderr goes to
# $TH_DIR/LABEL.err. A non-zero exit of CMD is a failed check too.
th_run_tap() {
	local label=$1 line rc
	shift
	"$@" >"$TH_DIR/$label.tap" 2>"$TH_DIR/$label.err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) th_ok "$label: ${line#* - }" ;;
		"not ok "*) th_not_ok "$label: ${line#* - }" ;;
		"#"* | " "*"#"*) printf '%s\n' "$line" ;;
		esac
	done <"$TH_DIR/$label.tap"
	[ "$rc" = 0 ] || th_not_ok "$label: $1 exited $rc" "$(tail -n 20 "$TH_DIR/$label.err")"
	return "$rc"
}

# Monotonic-enough milliseconds.
th_now_ms() {
	local us=${EPOCHREALTIME/[.,]/}
	[ -n "$us" ] || us=$(($(date +%s%N) / 1000))
	printf '%s\n' $((us / 1000))
}

# th_start_demo: the demo itself (deploy/demo/run.sh on the build that
# holds $SOCIALHUB) on $TH_PORT, its files under $TH_DIR/demo, its output
# in $TH_DIR/demo.log; sets DEMO_PID and DEMO_OP_PORT (its OpenID
# provider). Waits for the line that says it is up; bails when the demo
# exits first or is not up in 180 s, a bound for a hung start and not a
# time budget: its first refresh, oidc-provider and nginx take seconds
# idle, much longer loaded.
th_start_demo() {
	local build deadline=$((SECONDS + 180))
	build=$(cd "$(dirname "$SOCIALHUB")" && pwd)
	DEMO_OP_PORT=$(th_free_port) || th_bail "no free port"
	DEMO_PORT=$TH_PORT DEMO_OP_PORT=$DEMO_OP_PORT DEMO_APP_PORT=$(th_free_port) \
		DEMO_DIR=$TH_DIR/demo bash "$TH_SRCDIR/deploy/demo/run.sh" "$build" \
		>"$TH_DIR/demo.log" 2>&1 &
	DEMO_PID=$!
	th_register_pid "$DEMO_PID"
	TH_DIAG_FILES+=("$TH_DIR/demo.log")
	until grep -q "^socialhub demo: http://127.0.0.1:$TH_PORT/" "$TH_DIR/demo.log"; do
		th_alive "$DEMO_PID" || th_bail "the demo did not start: $(tail -n 20 "$TH_DIR/demo.log")"
		[ "$SECONDS" -lt "$deadline" ] || th_bail "the demo did not start in 180 s"
		sleep 0.2
	done
	th_ok "the demo is up on $TH_BASE"
}

# th_start_redis [--aof]: a private redis-server on 127.0.0.1, on $RPORT
# when it is set (a restart keeps its port) or a free port, data under
# $TH_DIR/redis: no snapshots, and an append-only file with --aof (a
# restart keeps what it had). Stopped with the test; sets RPORT and
# REDIS_PID. Bails when it does not start.
th_start_redis() {
	local aof=(--appendonly no)
	[ "${1:-}" = --aof ] && aof=(--appendonly yes --appendfsync everysec)
	th_require_cmd redis-server redis-cli
	[ -n "${RPORT:-}" ] || RPORT=$(th_free_port) || th_bail "no free port"
	mkdir -p "$TH_DIR/redis"
	redis-server --bind 127.0.0.1 --port "$RPORT" --dir "$TH_DIR/redis" --save "" \
		"${aof[@]}" --daemonize no --protected-mode yes --loglevel warning \
		</dev/null >>"$TH_DIR/redis.out" 2>&1 &
	REDIS_PID=$!
	th_register_pid "$REDIS_PID"
	th_wait_port "$RPORT" 5000 "$REDIS_PID" || th_bail "redis-server did not start"
}

#!/usr/bin/env bash
# auth_bench.sh: sign-on throughput, all on 127.0.0.1, in one run:
#   1. /social/auth/check with a valid session vs the bare fcgi2 baseline
#      (tests/bench/hello through the same nginx) — target >= 0.85;
#   2. a page protected by nginx auth_request + socialhub vs the same page
#      protected by Apache 2 + mod_auth_openidc, each with a valid session
#      from the same local oidc-provider.
#
#   tests/bench/auth_bench.sh [BUILD_DIR]
# Environment: BENCH_SECONDS (5) BENCH_ROUNDS (3) BENCH_THREADS (2) BENCH_CONNS (64)
#   BENCH_WORKERS (2) BENCH_NGINX_WORKERS (1) APACHE_THREADS (25)
#   KEEP=1 keeps the scratch dir.
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-${top_builddir:-$HERE/../..}}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
SRC=$(cd "$HERE/../.." && pwd)
export SOCIALHUB=${SOCIALHUB:-$BUILD_DIR/socialhub}
# shellcheck source=tests/integration/lib.sh
. "$HERE/../integration/lib.sh"
HELLO=${HELLO:-$BUILD_DIR/tests/bench/hello}
SECS=${BENCH_SECONDS:-5} THREADS=${BENCH_THREADS:-2} CONNS=${BENCH_CONNS:-64}
MODS=/usr/lib/apache2/modules

th_require_socialhub
th_require_cmd wrk node "$(th_find_nginx)" "$HELLO"
[ -x /usr/sbin/apache2 ] && [ -f $MODS/mod_auth_openidc.so ] ||
	th_skip_all "apache2 + libapache2-mod-auth-openidc not installed"
[ -d "$SRC/tests/js/node_modules/oidc-provider" ] || th_skip_all "npm ci --prefix tests/js first"

th_init authbench
TH_DONE=1
TH_WORKERS=${BENCH_WORKERS:-2}
TH_NGINX_WORKERS=${BENCH_NGINX_WORKERS:-1}
TH_NGINX_ACCESS_LOG=off
TH_LOG_LEVEL=warn
APORT=$(th_free_port)
NG=$TH_BASE AP=http://127.0.0.1:$APORT

# The local provider, with a client for each relying party.
node "$SRC/tests/js/op.mjs" --ready-file "$TH_DIR/op.ready" \
	--redirect "$NG/social/auth/callback/demo" \
	--apache-redirect "$AP/protected/redirect_uri" >"$TH_DIR/op.log" 2>&1 &
th_register_pid $!
for _ in $(seq 100); do [ -s "$TH_DIR/op.ready" ] && break; sleep 0.05; done
OP=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).issuer)' "$TH_DIR/op.ready") ||
	{ echo "Bail out! oidc-provider did not start"; exit 1; }

# The protected page, byte for byte the same on both servers.
PAGE='<!DOCTYPE html><title>members</title><h1>Members only</h1>'
mkdir -p "$TH_DIR/nginx/html/protected" "$TH_DIR/apache/htdocs/protected" "$TH_DIR/apache/run" "$TH_DIR/apache/logs"
printf '%s\n' "$PAGE" >"$TH_DIR/nginx/html/protected/index.html"
printf '%s\n' "$PAGE" >"$TH_DIR/apache/htdocs/protected/index.html"
chmod -R a+rX "$TH_DIR/nginx" "$TH_DIR/apache/htdocs"

cfg=$(th_write_config "$TH_DIR/socialhub.conf" "session { secret = \"$("$SOCIALHUB" keygen)\" }
provider demo { issuer = \"$OP\" client_id = \"demo\" client_secret = \"demo-secret-change-me\" }")
th_start_socialhub "$cfg" || { echo "Bail out! socialhub did not start"; exit 1; }
"$HELLO" -s "$TH_DIR/hello.sock" -w "$TH_WORKERS" -b 2 2>>"$TH_DIR/hello.log" &
th_register_pid $!
th_wait_socket "$TH_DIR/hello.sock" 5000 || { echo "Bail out! hello did not start"; exit 1; }
th_start_nginx "
        location /hello/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$TH_DIR/hello.sock;
        }
        location = /_socialhub_check {
            internal;
            fastcgi_param REQUEST_URI /social/auth/check;
            fastcgi_param QUERY_STRING \"\";
            fastcgi_param REQUEST_METHOD GET;
            fastcgi_param CONTENT_LENGTH \"\";
            include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off;
            fastcgi_pass unix:$TH_SOCK;
        }
        location /protected/ {
            auth_request /_socialhub_check;
            auth_request_set \$sh_user \$upstream_http_x_socialhub_user;
            add_header X-User \$sh_user;
            error_page 401 = @signin;
        }
        location @signin { return 302 /social/auth/login?return_to=\$request_uri; }" ||
	{ echo "Bail out! nginx did not start"; exit 1; }

cat >"$TH_DIR/apache/httpd.conf" <<C
ServerRoot $TH_DIR/apache
ServerName 127.0.0.1
Listen 127.0.0.1:$APORT
PidFile run/httpd.pid
DefaultRuntimeDir run
Mutex file:run default
ErrorLog logs/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule auth_openidc_module $MODS/mod_auth_openidc.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule mime_module $MODS/mod_mime.so
TypesConfig /etc/mime.types
ThreadsPerChild ${APACHE_THREADS:-25}
DocumentRoot htdocs
DirectoryIndex index.html
KeepAlive On
MaxKeepAliveRequests 0
OIDCProviderMetadataURL $OP/.well-known/openid-configuration
OIDCClientID apache
OIDCClientSecret apache-secret-change-me
OIDCRedirectURI $AP/protected/redirect_uri
OIDCCryptoPassphrase bench-only-passphrase
OIDCScope "openid email"
OIDCPKCEMethod S256
<Location /protected>
    AuthType openid-connect
    Require valid-user
</Location>
C
/usr/sbin/apache2 -f "$TH_DIR/apache/httpd.conf" -DFOREGROUND >"$TH_DIR/apache/logs/stdout.log" 2>&1 &
th_register_pid $!
th_wait_port "$APORT" 5000 || { echo "Bail out! apache did not start"; cat "$TH_DIR/apache/logs/error.log"; exit 1; }

SH_COOKIE=$(node "$SRC/tests/js/bench_login.mjs" socialhub "$NG" "$OP") ||
	{ echo "Bail out! socialhub sign-in failed"; exit 1; }
AP_COOKIE=$(node "$SRC/tests/js/bench_login.mjs" apache "$AP" "$OP") ||
	{ echo "Bail out! Apache sign-in failed"; exit 1; }

# run LABEL WANT_STATUS URL [COOKIE]: one wrk run, appended to results.tsv
# with the app's CPU time per request (socialhub or hello workers, Apache).
RESULTS=$TH_DIR/results.tsv
cpu_ticks() {
	local pid t=0 stat rest f
	for pid in "$@" $(for p in "$@"; do th_children "$p"; done); do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		rest=${stat##*) }
		read -r -a f <<<"$rest"
		t=$((t + f[11] + f[12]))
	done
	echo "$t"
}
run() {
	local label=$1 want=$2 url=$3 cookie=${4:-} code out=$TH_DIR/wrk-$1.txt args=() c0 c1 n
	shift 4
	[ -n "$cookie" ] && args=(-H "Cookie: $cookie")
	code=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$url")
	if [ "$code" != "$want" ]; then
		echo "# $label: $url answers $code, not $want" >&2
		return 1
	fi
	c0=$(cpu_ticks "$@")
	wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "${args[@]}" "$url" >"$out" 2>&1
	c1=$(cpu_ticks "$@")
	n=$(awk '/requests in/ { print $1 }' "$out")
	printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$(awk '/^Requests\/sec:/ { print $2 }' "$out")" \
		"$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out")" \
		"$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")" \
		"$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="${n:-0}" \
		'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')" >>"$RESULTS"
}
: >"$RESULTS"
SH_PID=$TH_SH_PID
HELLO_PID=$(pgrep -f "$HELLO -s $TH_DIR/hello.sock" | head -1)
APACHE_PID=$(cat "$TH_DIR/apache/run/httpd.pid" 2>/dev/null)
# Warm-up, then ROUNDS rounds run back to back so that noise from other
# work on the machine hits every label alike; the median round counts.
wrk -t"$THREADS" -c"$CONNS" -d1s "$NG/hello/x" >/dev/null 2>&1
wrk -t"$THREADS" -c"$CONNS" -d1s -H "Cookie: $SH_COOKIE" "$NG/social/auth/check" >/dev/null 2>&1
wrk -t"$THREADS" -c"$CONNS" -d1s -H "Cookie: $AP_COOKIE" "$AP/protected/index.html" >/dev/null 2>&1
for round in $(seq "${BENCH_ROUNDS:-3}"); do
	run baseline 200 "$NG/hello/x" "" "$HELLO_PID"
	run auth-check 204 "$NG/social/auth/check" "$SH_COOKIE" "$SH_PID"
	run auth-check-anon 401 "$NG/social/auth/check" "" "$SH_PID"
	run nginx-protected 200 "$NG/protected/index.html" "$SH_COOKIE" "$SH_PID"
	run apache-protected 200 "$AP/protected/index.html" "$AP_COOKIE" "$APACHE_PID"
done

echo "# wrk -t$THREADS -c$CONNS -d${SECS}s x ${BENCH_ROUNDS:-3} rounds; nginx workers $TH_NGINX_WORKERS," \
	"socialhub and hello workers $TH_WORKERS, Apache event MPM; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %-5s %10s %9s %8s %8s\n' label round req/s p99 non2xx app_us
awk -F'\t' '{ r[$1]++; printf "%-18s %-5s %10.0f %9s %8s %8s\n", $1, r[$1], $2, $3, ($4 == "" ? 0 : $4), $5 }' "$RESULTS"
# The median req/s of a label over the rounds.
median() {
	awk -F'\t' -v l="$1" '$1 == l { v[n++] = $2 } END {
		for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		if (n) printf "%.0f", (n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2) }' "$RESULTS"
}
echo
for l in baseline auth-check auth-check-anon nginx-protected apache-protected; do
	printf 'median %-18s %8s req/s\n' "$l" "$(median "$l")"
done
ratio() { awk -v x="$(median "$1")" -v y="$(median "$2")" 'BEGIN { if (y > 0) printf "%.2f", x / y }'; }
r1=$(ratio auth-check baseline)
r2=$(ratio nginx-protected apache-protected)
echo "auth-check / baseline:             $r1 (target >= 0.85)"
echo "nginx+socialhub / apache+openidc:  $r2"
awk -v r="$r1" 'BEGIN { exit !(r >= 0.85) }' || { echo "# below target"; exit 1; }

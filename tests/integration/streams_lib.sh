# streams_lib.sh: the feed fixture server and cache helpers for the
# streams tests. Source after lib.sh and th_init.
#
#   st_start_fixture [HOSTS]   feed_server.py on a free port; sets FIX_PORT,
#                              FIX (base URL) and FIX_PID; request log in
#                              $TH_DIR/fixture.log; with ST_FILES=DIR it
#                              also serves DIR's files as /file?name=NAME
#   st_tool ARGS...            tests/integration/cache_tool.py
#   st_status URL PATH         a field of a source's status.json
#   st_requests PATTERN        fixture requests whose path matches PATTERN
#   st_expect_eq NAME GOT WANT / st_expect_range NAME GOT LO HI

ST_PY=/usr/bin/python3
ST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX_PID=
FIX_PORT=
FIX=

st_start_fixture() {
	local hosts=${1:-127.0.0.1} pf=$TH_DIR/fixture.port waited=0
	rm -f "$pf"
	"$ST_PY" "$ST_DIR/feed_server.py" --port-file "$pf" --hosts "$hosts" \
		--log "$TH_DIR/fixture.log" ${ST_FILES:+--files "$ST_FILES"} \
		</dev/null >>"$TH_DIR/fixture.out" 2>&1 &
	FIX_PID=$!
	th_register_pid "$FIX_PID"
	until [ -s "$pf" ]; do
		th_alive "$FIX_PID" || { th_diag_file "$TH_DIR/fixture.out"; return 1; }
		[ "$waited" -ge 10000 ] && return 1
		sleep 0.05
		waited=$((waited + 50))
	done
	FIX_PORT=$(cat "$pf")
	FIX=http://127.0.0.1:$FIX_PORT
	th_diag "fixture feed server pid $FIX_PID on port $FIX_PORT ($hosts)"
}

st_tool() {
	"$ST_PY" "$ST_DIR/cache_tool.py" "$@"
}

# st_status URL PATH: prints one status.json field of the source (or "").
st_status() {
	st_tool status "$TH_DIR/cache" "$1" "$2" 2>/dev/null
}

# st_requests PATTERN: fixture log lines of answered requests whose path
# starts with PATTERN; st_arrivals: delayed requests that have arrived.
st_requests() {
	grep -F -- "\"path\": \"$1" "$TH_DIR/fixture.log" 2>/dev/null | grep -v '"status": "start"'
}

st_arrivals() {
	grep -F -- "\"path\": \"$1" "$TH_DIR/fixture.log" 2>/dev/null | grep '"status": "start"'
}

st_expect_eq() {
	if [ "$2" = "$3" ]; then
		th_ok "$1"
	else
		th_not_ok "$1" "got '$2', want '$3'"
	fi
}

st_expect_range() {
	local name=$1 got=$2 lo=$3 hi=$4
	if [ -n "$got" ] && [ "$got" -ge "$lo" ] 2>/dev/null && [ "$got" -le "$hi" ]; then
		th_ok "$name"
	else
		th_not_ok "$name" "got '$got', want $lo..$hi"
	fi
}

# st_expect_log NAME REGEX [FILE]: a line of the log matches (grep -E).
st_expect_log() {
	local file=${3:-$TH_DIR/socialhub.log}
	if grep -Eq -- "$2" "$file"; then
		th_ok "$1"
	else
		th_not_ok "$1" "no line matching: $2"
		th_diag_file "$file" 10
	fi
}

# ---------------------------------------------------------- TLS and HTTP/2
#
#   st_make_ca DIR NAME              a CA (DIR/NAME.pem, DIR/NAME.key)
#   st_make_cert DIR CA LEAF SANS    a leaf (DIR/LEAF.pem, .key) signed by CA,
#                                    SANS like "IP:127.0.0.2,DNS:localhost"
#   st_start_h2 HOSTS CERT KEY       nginx (private prefix $TH_DIR/h2) with
#                                    `listen HOST:PORT ssl http2` on every
#                                    host of the comma list, proxying to the
#                                    feed fixture (st_start_fixture first);
#                                    sets H2_PORT, H2_PID; access log
#                                    $TH_DIR/h2/access.log, one line per
#                                    request: connection-serial server-addr
#                                    protocol status request-time uri msec
#   st_h2_conns                      "CONNECTIONS HOSTS MAX_PER_HOST PROTOS"
#                                    from that log (distinct connections)
#   st_watch_start PORT / st_watch_stop   tests/integration/conn_watch.py:
#                                    TCP connections the clients hold open
#                                    on PORT (the fixture's or nginx's),
#                                    sampled; the stop prints its JSON
#   st_watch_get JSON FIELD          max_total, max_host (the largest of
#                                    max_per_host), opened_total

st_make_ca() {
	local d=$1 n=$2
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 2 -subj "/CN=socialhub test CA $n" -keyout "$d/$n.key" \
		-out "$d/$n.pem" >/dev/null 2>&1
}

st_make_cert() {
	local d=$1 ca=$2 leaf=$3 sans=$4
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		"$sans" >"$d/$leaf.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=${sans%%,*}" -keyout "$d/$leaf.key" -out "$d/$leaf.csr" \
		>/dev/null 2>&1 &&
	openssl x509 -req -in "$d/$leaf.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" \
		-CAcreateserial -days 2 -extfile "$d/$leaf.ext" -out "$d/$leaf.pem" \
		>/dev/null 2>&1
}

# A port free on every address of the comma list.
st_common_port() {
	"$ST_PY" - "$1" <<'PY'
import socket, sys
hosts = sys.argv[1].split(',')
for _ in range(100):
    socks = []
    try:
        s = socket.socket()
        s.bind((hosts[0], 0))
        socks.append(s)
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
}

st_start_h2() {
	local hosts=$1 cert=$2 key=$3 p=$TH_DIR/h2 nginx tries listen h first
	nginx=$(th_find_nginx)
	first=${hosts%%,*}
	mkdir -p "$p/conf" "$p/tmp"
	for tries in 1 2 3 4 5; do
		H2_PORT=$(st_common_port "$hosts")
		[ -n "$H2_PORT" ] || return 1
		listen=
		for h in ${hosts//,/ }; do
			listen+="        listen $h:$H2_PORT ssl http2;"$'\n'
		done
		cat >"$p/conf/nginx.conf" <<NGX
# written by tests/integration/streams_lib.sh: HTTP/2 (TLS) in front of the
# feed fixture, for the fetcher's multiplexing and connection-limit tests.
worker_processes 1;
pid $p/nginx.pid;
error_log $p/error.log warn;
events { worker_connections 2048; }
http {
    log_format conns '\$connection \$server_addr \$server_protocol \$status \$request_time \$request_uri \$msec';
    access_log $p/access.log conns;
    client_body_temp_path $p/tmp/body;
    proxy_temp_path $p/tmp/proxy;
    fastcgi_temp_path $p/tmp/fastcgi;
    uwsgi_temp_path $p/tmp/uwsgi;
    scgi_temp_path $p/tmp/scgi;
    server {
$listen        ssl_certificate $cert;
        ssl_certificate_key $key;
        http2_max_concurrent_streams 128;
        location / {
            proxy_pass http://127.0.0.1:$FIX_PORT;
            proxy_http_version 1.0;
            proxy_read_timeout 60s;
        }
    }
}
NGX
		"$nginx" -p "$p/" -c "$p/conf/nginx.conf" -e "$p/error.log" -g 'daemon off;' \
			</dev/null >>"$p/stdout.log" 2>&1 &
		H2_PID=$!
		th_register_pid "$H2_PID"
		local waited=0
		while th_alive "$H2_PID" && [ "$waited" -lt 5000 ]; do
			if (exec 3<>"/dev/tcp/$first/$H2_PORT") 2>/dev/null; then
				th_diag "h2 nginx pid $H2_PID on port $H2_PORT ($hosts)"
				return 0
			fi
			sleep 0.05
			waited=$((waited + 50))
		done
		th_stop "$H2_PID" 2>/dev/null
		th_diag_file "$p/error.log" 5
	done
	return 1
}

st_h2_conns() {
	awk '!($1 in c) { c[$1] = 1; nc++; n[$2]++ } { p[$3] = 1 }
		END { for (x in n) { nh++; if (n[x] > m) m = n[x] }
			for (x in p) ps = ps (ps ? "," : "") x
			printf "%d %d %d %s\n", nc, nh, m, ps }' "${1:-$TH_DIR/h2/access.log}"
}

ST_WATCH_PID=
st_watch_start() {
	local ready=$TH_DIR/watch.ready waited=0
	rm -f "$ready" "$TH_DIR/watch.json"
	"$ST_PY" "$ST_DIR/conn_watch.py" --port "$1" --out "$TH_DIR/watch.json" \
		--ready "$ready" --interval "${2:-0.005}" </dev/null >>"$TH_DIR/watch.out" 2>&1 &
	ST_WATCH_PID=$!
	th_register_pid "$ST_WATCH_PID"
	until [ -e "$ready" ]; do
		th_alive "$ST_WATCH_PID" || return 1
		[ "$waited" -ge 5000 ] && return 1
		sleep 0.02
		waited=$((waited + 20))
	done
}

st_watch_stop() {
	local waited=0
	[ -n "$ST_WATCH_PID" ] || return 1
	kill -TERM "$ST_WATCH_PID" 2>/dev/null
	until [ -s "$TH_DIR/watch.json" ]; do
		[ "$waited" -ge 5000 ] && return 1
		sleep 0.02
		waited=$((waited + 20))
	done
	th_wait_gone "$ST_WATCH_PID" 2>/dev/null
	ST_WATCH_PID=
	cat "$TH_DIR/watch.json"
}

st_watch_get() {
	printf '%s' "$1" | "$ST_PY" -c 'import json, sys
d = json.load(sys.stdin)
d["max_host"] = max(d["max_per_host"].values() or [0])
print(d[sys.argv[1]])' "$2"
}

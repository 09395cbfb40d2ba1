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
#   st_expect_line FILE ERE NAME  a line of FILE (a refresh report) matches
#   st_check_ok CONFIG NAME    check-config accepts CONFIG
#   st_api_reqs PATH TEXT      API fixture requests for PATH holding TEXT
#   st_health STREAM SRC FIELD / st_count_items STREAM   what is served
#   st_expect_fail STREAM SRC WHAT WANT ITEMS   a failed source, named
#   st_mod_key FILE TEXT       the key of the moderation queue row (a saved
#                              console page) that shows TEXT
#   st_mod_csrf FILE           the CSRF token of a saved console page

ST_PY=/usr/bin/python3
ST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIX_PID=
FIX_PORT=
FIX=

st_start_fixture() {
	local hosts=${1:-127.0.0.1} pf=$TH_DIR/fixture.port
	rm -f "$pf"
	th_spawn fixture "$ST_PY" "$ST_DIR/feed_server.py" --port-file "$pf" --hosts "$hosts" \
		--log "$TH_DIR/fixture.log" ${ST_FILES:+--files "$ST_FILES"}
	FIX_PID=$TH_LAST_PID
	th_wait_file "$pf" 10000 "$FIX_PID" || return 1
	FIX_PORT=$(cat "$pf")
	FIX=http://127.0.0.1:$FIX_PORT
	th_diag "fixture feed server pid $FIX_PID on port $FIX_PORT ($hosts)"
}

# st_start_api: tests/integration/api_fixture.py (the API sources' networks,
# the earned-media routes too) on a free port; sets API (its base URL).
st_start_api() {
	local pf=$TH_DIR/api.port
	th_spawn api "$ST_PY" "$ST_DIR/api_fixture.py" --port-file "$pf" --log "$TH_DIR/api.log" \
		--fixtures "$ST_DIR/../fixtures/api"
	th_wait_file "$pf" 10000 "$TH_LAST_PID" || th_bail "api fixture did not start"
	API=http://127.0.0.1:$(cat "$pf")
	th_diag "api fixture pid $TH_LAST_PID at $API"
}

# st_check_bad NAME CONFIG-TEXT WANT: check-config refuses a config with
# CONFIG-TEXT (exit 1), the message naming the file's line and WANT.
st_check_bad() {
	local cfg out
	cfg=$(th_write_config --no-listen "$TH_DIR/bad.conf" "$2")
	out=$("$SOCIALHUB" check-config -c "$cfg" 2>&1)
	if [ $? -eq 1 ] && grep -Fq "bad.conf:" <<<"$out" && grep -Fq -- "$3" <<<"$out"; then
		th_ok "check-config refuses $1"
	else
		th_not_ok "check-config refuses $1" "want '$3', got: $out"
	fi
}

# st_check_bad_source NAME SOURCE-BODY WANT: the same for one source.
st_check_bad_source() {
	st_check_bad "$1" "stream s {
  source x { $2 }
}" "$3"
}

# st_health_fresh: waits into the next second. Workers render /healthz at
# most once a second (fcgi/health.c), so a report asked for after this
# reflects every status.json written before it.
st_health_fresh() {
	local s
	s=$(date +%s)
	while [ "$(date +%s)" = "$s" ]; do sleep 0.05; done
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

st_expect_line() {
	if grep -Eq -- "$2" "$1"; then
		th_ok "$3"
	else
		th_not_ok "$3" "no line of $(basename "$1") matches: $2"
		th_diag_file "$1" 20
	fi
}

# st_check_ok CONFIG LABEL: `check-config` accepts CONFIG (its output shown
# when it does not).
st_check_ok() {
	local out rc
	out=$("$SOCIALHUB" check-config -c "$1" 2>&1)
	rc=$?
	st_expect_eq "$2" "$rc" 0
	[ "$rc" -eq 0 ] || th_diag "$out"
}

# st_api_reqs PATH TEXT: requests for PATH in the API fixture's log
# ($TH_DIR/api.log) whose line holds TEXT.
st_api_reqs() { grep -F "\"path\": \"$1\"" "$TH_DIR/api.log" | grep -cF -- "$2"; }

# st_health STREAM SOURCE FIELD: one field of the source in /healthz under
# the mount $TH_BASE/social ("" when absent; next_due as epoch seconds).
st_health() {
	"${TH_CURL[@]}" "$TH_BASE/social/healthz" | "$ST_PY" -c '
import json, sys, calendar, time
s = json.load(sys.stdin)["streams"][sys.argv[1]]["sources"][sys.argv[2]]
v = s.get(sys.argv[3])
if sys.argv[3] == "next_due" and v:
    v = calendar.timegm(time.strptime(v[:19], "%Y-%m-%dT%H:%M:%S"))
print("" if v is None else v)' "$1" "$2" "$3" 2>/dev/null
}

# st_count_items STREAM: how many items the stream's JSON serves.
st_count_items() {
	"${TH_CURL[@]}" "$TH_BASE/social/streams/$1.json?limit=100" |
		"$ST_PY" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null
}

# st_expect_fail STREAM SOURCE WHAT WANT ITEMS: the source's last refresh
# failed with WANT in its error, in /healthz and in the log's fetch_failed
# line, and it kept its ITEMS last good items.
st_expect_fail() {
	local h
	h=$(st_health "$1" "$2" last_error)
	if grep -Fq -- "$4" <<<"$h" &&
		grep -F "event=fetch_failed" "$TH_DIR/socialhub.log" | grep -F "source=$2" | grep -Fq -- "$4"; then
		th_ok "$2, $3: named in /healthz and the log ($4)"
	else
		th_not_ok "$2, $3: named in /healthz and the log" "want '$4'; healthz: '$h'"
	fi
	st_expect_eq "$2, $3: last good items kept" "$(st_health "$1" "$2" items)" "$5"
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

st_start_h2() {
	local hosts=$1 cert=$2 key=$3 p=$TH_DIR/h2 tries listen h
	for tries in 1 2 3 4 5; do
		H2_PORT=$(th_free_port "$hosts")
		[ -n "$H2_PORT" ] || return 1
		listen=
		for h in ${hosts//,/ }; do
			listen+="        listen $h:$H2_PORT ssl http2;"$'\n'
		done
		# HTTP/2 (TLS) in front of the feed fixture, for the fetcher's
		# multiplexing and connection-limit tests.
		th_nginx_conf "$p" "    log_format conns '\$connection \$server_addr \$server_protocol \$status \$request_time \$request_uri \$msec';
    access_log $p/access.log conns;
    server {
$listen        ssl_certificate $cert;
        ssl_certificate_key $key;
        http2_max_concurrent_streams 128;
        location / {
            proxy_pass http://127.0.0.1:$FIX_PORT;
            proxy_http_version 1.0;
            proxy_read_timeout 60s;
        }
    }"
		if th_run_nginx "$p" "${hosts%%,*}:$H2_PORT"; then
			H2_PID=$TH_LAST_PID
			th_diag "h2 nginx pid $H2_PID on port $H2_PORT ($hosts)"
			return 0
		fi
		# Another process took the port between the probe and the bind.
		th_stop "$TH_LAST_PID"
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
	local ready=$TH_DIR/watch.ready
	rm -f "$ready" "$TH_DIR/watch.json"
	th_spawn watch "$ST_PY" "$ST_DIR/conn_watch.py" --port "$1" --out "$TH_DIR/watch.json" \
		--ready "$ready" --interval "${2:-0.005}"
	ST_WATCH_PID=$TH_LAST_PID
	th_wait_file -e "$ready" 5000 "$ST_WATCH_PID"
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

st_mod_key() {
	"$ST_PY" - "$1" "$2" <<'P'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
    if sys.argv[2] in row:
        m = re.search(r'name="key" value="([0-9a-f]{24})"', row)
        if m:
            print(m.group(1))
            break
P
}

st_mod_csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1" | head -1; }

# streams_lib.sh: the feed fixture server and cache helpers for the
# streams tests. Source after lib.sh and th_init.
#
#   st_start_fixture [HOSTS]   feed_server.py on a free port; sets FIX_PORT,
#                              FIX (base URL) and FIX_PID; request log in
#                              $TH_DIR/fixture.log
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
		--log "$TH_DIR/fixture.log" </dev/null >>"$TH_DIR/fixture.out" 2>&1 &
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

#!/usr/bin/env bash
# snapshot.sh: records every observable output of a socialhub build, so that
# two builds (before and after a refactor) can be compared byte for byte
# with tests/snapshot/compare.sh. See tests/snapshot/README.
#
# Usage: tests/snapshot/snapshot.sh BUILD_DIR OUT_DIR
#   BUILD_DIR  a built tree: BUILD_DIR/socialhub is the binary under test
#   OUT_DIR    where the snapshot goes (created; must be empty or hold an
#              earlier snapshot, which is replaced)
#
# Inputs (feeds, fixtures, configs) always come from the source tree this
# script lives in ($(dirname "$0")/../..), so two builds are fed the same.
#
# Environment:
#   SNAPSHOT_JOBS=N        parallel `socialhub parse` runs (default: nproc)
#   SNAPSHOT_KEEP=1        keep the scratch dir (printed on exit)
#
# What it writes (details in README):
#   OUT_DIR/SNAPSHOT                 what was captured, how (no timings)
#   OUT_DIR/cli/                     --help, --version, usage errors, keygen
#   OUT_DIR/parse/TREE/PATH.out      `socialhub parse PATH`: stdout, stderr, exit
#   OUT_DIR/parse/TREE.index         PATH and exit status, one per line
#   OUT_DIR/daemon/                  check-config, refresh passes (routes.sh)
#   OUT_DIR/routes/{fcgi,cgi}/...    one file per HTTP request (routes.sh)
#
# Exit status: 0 when the snapshot was written, 1 on a setup error.
set -u

# Nothing from the caller's environment may reach socialhub: CGI variables
# switch it to CGI mode, SOCIALHUB_CONFIG picks a config, and libcurl
# honours the proxy variables.
unset REQUEST_METHOD GATEWAY_INTERFACE SOCIALHUB_CONFIG QUERY_STRING REQUEST_URI \
    http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C TZ=UTC

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

die() { printf 'snapshot: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'snapshot: %s\n' "$*" >&2; }

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || die "no such build dir: $1"
bin=$build/socialhub
[ -x "$bin" ] || die "no socialhub binary at $bin (build it first)"
out=$2
for cmd in python3 sed awk sha256sum base64 timeout cgi-fcgi; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd is needed (cgi-fcgi: apt-get install libfcgi-bin)"
done

if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
	[ -f "$out/SNAPSHOT" ] || die "$out is not empty and holds no snapshot: refusing to overwrite it"
	rm -rf -- "${out:?}/SNAPSHOT" "${out:?}/cli" "${out:?}/parse" "${out:?}/daemon" "${out:?}/routes"
fi
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)
echo "incomplete socialhub snapshot (snapshot.sh did not finish)" >"$out/SNAPSHOT"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/socialhub-snapshot.XXXXXX") || die "mktemp failed"
cleanup() {
	if [ "${SNAPSHOT_KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf -- "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t_start=$(date +%s)
jobs=${SNAPSHOT_JOBS:-$(nproc 2>/dev/null || echo 2)}
# The feed server's port is part of every image URL the feeds name, hence
# of media ids and of the ETags of pages that show them: it is fixed. The
# daemon part runs in a private network namespace, where it is always free.
feed_port=18080

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

# ------------------------------------------------------------------ cli
# Outputs of the commands that need no config. keygen is random by design:
# only its shape is kept (every base64url character becomes "x").

mkdir -p "$out/cli"
# cli NAME ARGS...: one command, its stdout, stderr and exit status.
cli() {
	local name=$1 rc
	shift
	"$bin" "$@" >"$tmp/cli.out" 2>"$tmp/cli.err" </dev/null
	rc=$?
	{
		printf '$ socialhub'
		printf ' %s' "$@"
		printf '\n--- stdout\n'
		cat "$tmp/cli.out"
		printf -- '--- stderr\n'
		cat "$tmp/cli.err"
		printf -- '--- exit %d\n' "$rc"
	} >"$out/cli/$name"
}
cli help --help
cli help-short -h
cli version --version
cli unknown-command frobnicate
cli parse-usage parse
cli parse-bad-option parse --bogus x
cli parse-bad-max-items parse --max-items 0 /dev/null
cli parse-missing-file parse /nonexistent/feed.xml
cli parse-empty-file parse /dev/null
cli serve-usage serve --bogus
cli check-config-usage check-config --bogus
cli check-config-missing check-config -c /nonexistent/socialhub.conf
cli refresh-missing-config refresh -c /nonexistent/socialhub.conf
{
	"$bin" keygen </dev/null 2>&1 | sed 's/[A-Za-z0-9_-]/x/g'
	printf -- '--- exit %d\n' "${PIPESTATUS[0]}"
} >"$out/cli/keygen-shape"
"$bin" </dev/null >"$tmp/cli.out" 2>"$tmp/cli.err"
rc=$?
{
	printf '$ socialhub   (no arguments, no CGI environment)\n--- stdout\n'
	cat "$tmp/cli.out"
	printf -- '--- stderr\n'
	cat "$tmp/cli.err"
	printf -- '--- exit %d\n' "$rc"
} >"$out/cli/no-arguments"

# ------------------------------------------------------------------ parse
# `socialhub parse FILE` (default options) for every input file: one record
# per input, PATH.out, with stdout (byte for byte), stderr (line by line) and
# the exit status, run from the tree's root so that messages name the
# relative path; TREE.index lists PATH and exit status, sorted.

# Extra inputs made from the source tree: the demo feeds rendered as the
# routes below serve them (fixed dates and origin), and one RSS feed whose
# items are the XSS vectors of tests/fixtures/xss/vectors.txt (the sanitizer's
# output is part of parse's output).
gen=$tmp/generated
mkdir -p "$gen/demo-rendered"
sh "$src/deploy/demo/feeds/render.sh" "$src/deploy/demo/feeds" "$gen/demo-rendered" \
    "http://127.0.0.1:$feed_port" 1700000000 || die "cannot render the demo feeds"
python3 - "$src/tests/fixtures/xss/vectors.txt" "$gen/xss-vectors.rss" <<'PY' || die "cannot build the XSS feed"
import sys, re
src, dst = sys.argv[1], sys.argv[2]
def unescape(s):
    out = bytearray()
    i = 0
    b = s.encode("utf-8", "surrogateescape")
    while i < len(b):
        c = b[i]
        if c == 0x5c and i + 1 < len(b):
            n = b[i + 1]
            if n == ord("n"): out += b"\n"; i += 2; continue
            if n == ord("t"): out += b"\t"; i += 2; continue
            if n == ord("r"): out += b"\r"; i += 2; continue
            if n == 0x5c: out += b"\\"; i += 2; continue
            if n == ord("x") and re.match(rb"[0-9a-fA-F]{2}", b[i + 2:i + 4]):
                out.append(int(b[i + 2:i + 4], 16)); i += 4; continue
        out.append(c); i += 1
    return bytes(out)
def esc(b):
    return b.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
items = []
with open(src, encoding="utf-8", errors="surrogateescape") as fh:
    for line in fh:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        items.append(unescape(line))
out = [b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
       b"<title>XSS vectors</title><link>https://www.example.com/</link>\n"]
for n, v in enumerate(items):
    out.append(b"<item><guid>urn:xss:%d</guid><title>vector %d</title>"
               b"<link>https://www.example.com/xss/%d</link>"
               b"<pubDate>Tue, 14 Nov 2023 22:13:20 +0000</pubDate>"
               b"<description>%s</description></item>\n" % (n, n, n, esc(v)))
out.append(b"</channel></rss>\n")
with open(dst, "wb") as fh:
    fh.write(b"".join(out))
PY

mkdir -p "$out/parse"
n_parse=0

# list_tree ROOT [find-filter...]: NUL-separated relative paths, sorted.
list_tree() {
	local root=$1
	shift
	(cd "$root" && find . -type f "$@" -print0) | sed -z 's|^\./||' | LC_ALL=C sort -z
}

# parse_tree NAME ROOT [find-filter...]: every file of ROOT (recursively,
# find's filter applied) through `socialhub parse`, several at once. Each
# worker starts one process per input (socialhub): the rest is shell
# builtins.
parse_tree() {
	local name=$1 root=$2 n
	shift 2
	mkdir -p "$out/parse/$name"
	list_tree "$root" "$@" >"$tmp/list.$name"
	n=$(tr -cd '\0' <"$tmp/list.$name" | wc -c)
	n_parse=$((n_parse + n))
	: >"$tmp/index.$name"
	if [ "$n" -gt 0 ]; then
		(cd "$root" && find . -mindepth 1 -type d -print0) |
		    (cd "$out/parse/$name" && xargs -0 -r mkdir -p)
		# shellcheck disable=SC2016 # expanded by the inner shell
		(cd "$root" && BIN=$bin O=$out/parse/$name I=$tmp/index.$name E=$tmp/err.$name \
		    xargs -0 -n 64 -P "$jobs" bash -c '
			e=$E.$$
			for rel in "$@"; do
				{
					printf "\$ socialhub parse %s\n--- stdout\n" "$rel"
					"$BIN" parse "$rel" 2>"$e" </dev/null
					rc=$?
					printf -- "--- stderr\n"
					while IFS= read -r line || [ -n "$line" ]; do
						printf "%s\n" "$line"
					done <"$e"
					printf -- "--- exit %d\n" "$rc"
				} >"$O/$rel.out"
				printf "%s\t%d\n" "$rel" "$rc" >>"$I"
			done
			rm -f "$e"' _) <"$tmp/list.$name"
	fi
	LC_ALL=C sort "$tmp/index.$name" >"$out/parse/$name.index"
}

p0=$(date +%s)
parse_tree conformance-corpus "$src/tests/conformance/corpus"
parse_tree fixtures "$src/tests/fixtures" \( -name '*.xml' -o -name '*.rss' -o -name '*.atom' \
    -o -name '*.rdf' -o -name '*.json' -o -name '*.feed' \)
parse_tree demo-feeds "$src/deploy/demo/feeds"
parse_tree demo-feeds-rendered "$gen/demo-rendered"
parse_tree fuzz-corpus-feed "$src/tests/fuzz/corpus/feed"
parse_tree fuzz-corpus-xmltree "$src/tests/fuzz/corpus/xmltree"
mkdir -p "$gen/xss"
cp "$gen/xss-vectors.rss" "$gen/xss/"
parse_tree xss-vectors "$gen/xss"
p1=$(date +%s)

# Normalisation (parse): an item without a date gets the parse time
# (`fetch_time` = time(NULL) in `socialhub parse`, "date_missing": true);
# every RFC 3339 stamp of a second during the parse runs becomes
# @PARSE_TIME@. `socialhub parse` has no clock override.
window_sed $((p0 - 1)) $((p1 + 1)) rfc3339 '@PARSE_TIME@' >"$tmp/parse.sed"
find "$out/parse" -type f -name '*.out' -print0 |
    xargs -0 -r grep -lZ -F '"date_missing": true' |
    xargs -0 -r -n 200 sed -i -f "$tmp/parse.sed"
say "parse: $n_parse inputs in $((p1 - p0)) s"

# ------------------------------------------------------------------ routes
# The daemon part runs in a private network namespace (unshare -n as root,
# else a user namespace, unshare -rn): only loopback exists inside, so the
# fixed feed port is always free and nothing can leave the machine (the
# hostile demo feed names images on tracker.invalid: without a namespace
# the refresher would ask the real DNS). No namespace, no snapshot.

netns=
if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
	die "unshare (util-linux) and ip (iproute2) are needed"
fi
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	netns=(unshare -n --)
elif unshare -rn true 2>/dev/null; then
	netns=(unshare -rn --)
else
	die "cannot create a network namespace (run as root, or enable unprivileged user namespaces)"
fi
"${netns[@]}" bash "$here/routes.sh" "$bin" "$src" "$out" "$tmp/routes" "$feed_port"
rc=$?
[ "$rc" = 0 ] || die "the routes part failed (exit $rc)"

n_routes=$(cat "$out/routes"/*/INDEX 2>/dev/null | wc -l)
{
	echo "socialhub snapshot (tests/snapshot/snapshot.sh)"
	echo "binary: $("$bin" --version 2>&1)"
	echo "parse inputs: $n_parse"
	for f in "$out"/parse/*.index; do
		printf '  %s: %d\n' "$(basename "$f" .index)" "$(wc -l <"$f")"
	done
	echo "route requests: $n_routes"
	for f in "$out"/routes/*/INDEX; do
		printf '  %s: %d\n' "$(basename "$(dirname "$f")")" "$(wc -l <"$f")"
	done
	echo "feed server port: $feed_port"
} >"$out/SNAPSHOT"
say "routes: $n_routes requests"
say "done in $(($(date +%s) - t_start)) s: $out"

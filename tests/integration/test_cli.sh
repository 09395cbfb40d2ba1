#!/usr/bin/env bash
# test_cli.sh: the command line an admin meets first — usage and exit
# codes (0 ok, 1 failed, 2 usage), `socialhub parse` from a file and from
# standard input, its options and every way it can refuse (missing file,
# not a feed, over 16 MiB on stdin, bad numbers, unknown options),
# a mapped input cut short while it is read, `keygen`, and
# `check-config --list`.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd /usr/bin/python3
th_init cli

# run NAME WANT_EXIT STREAM REGEX CMD...: exit status and a line of stdout
# or stderr (STREAM out|err) matching REGEX.
run() {
	local name=$1 want=$2 stream=$3 re=$4 rc
	shift 4
	"$@" >"$TH_DIR/out" 2>"$TH_DIR/err" </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" "$TH_DIR/$stream"; then
		th_ok "$name (exit $rc)"
	else
		th_not_ok "$name: exit $want and /$re/ on std$stream" \
			"exit $rc; stdout: $(head -c 300 "$TH_DIR/out"); stderr: $(head -c 300 "$TH_DIR/err")"
	fi
}

S=$SOCIALHUB
run "no command: usage on stderr" 2 err '^usage: socialhub COMMAND' "$S"
run "--help: usage on stdout" 0 out '^usage: socialhub COMMAND' "$S" --help
run "--help lists parse --content-type and --max-items" 0 out \
	'parse \[--base URL\] \[--content-type TYPE\] \[--max-items N\] FILE\|-' "$S" --help
if man_out=$(MANWIDTH=200 man -l "$TH_SRCDIR/doc/socialhub.8" 2>/dev/null) || man_out=$(cat "$TH_SRCDIR/doc/socialhub.8"); then
	grep -q -- 'content-type' <<<"$man_out" && grep -q -- 'max-items' <<<"$man_out" &&
		th_ok "socialhub(8) documents parse --content-type and --max-items" ||
		th_not_ok "socialhub(8) documents parse --content-type and --max-items"
fi
run "unknown command named" 2 err "unknown command 'frobnicate'" "$S" frobnicate
run "--version" 0 out '^socialhub [0-9]' "$S" --version
run "serve with a stray argument: usage" 2 err 'usage: socialhub serve' "$S" serve --bogus
run "check-config with a stray argument: usage" 2 err 'usage: socialhub check-config' "$S" check-config --bogus
run "check-config -c without a file: usage" 2 err 'usage: socialhub check-config' "$S" check-config -c
run "serve -c FILE with a stray argument: usage" 2 err 'usage: socialhub serve' "$S" serve -c "$TH_DIR/x.conf" extra
run "check-config of a missing file" 1 err 'nope\.conf' "$S" check-config -c "$TH_DIR/nope.conf"
run "keygen: a 256-bit base64url secret" 0 out '^[A-Za-z0-9_-]{43}$' "$S" keygen

# check-config --list: per stream and source, the URL without its query
# (feed URLs carry tokens), "feed or page (discovered at fetch)" and the
# schedule; the plain check stays one line.
cfg=$(th_write_config "$TH_DIR/list.conf" 'stream brand {
  title = "Brand"
  source blog { url = "https://blog.example.com/feed.xml?token=s3cr3t&x=1" every = 30m }
  source tube { url = "https://www.youtube.com/@brand" }
}
stream news {
  source wire { url = "https://wire.example.net/rss#top" every = 2h }
}')
run "check-config: one line" 0 out ': ok$' "$S" check-config -c "$cfg"
! grep -q '^stream \|^  source ' "$TH_DIR/out" && th_ok "check-config without --list prints no sources" ||
	th_not_ok "check-config without --list prints no sources" "$(cat "$TH_DIR/out")"
run "check-config --list: a source's URL, type and schedule" 0 out \
	'^  source blog: https://blog\.example\.com/feed\.xml\?\.\.\.  type: feed or page \(discovered at fetch\)  every 30m$' \
	"$S" check-config --list -c "$cfg"
grep -q '^stream brand: 2 source(s)$' "$TH_DIR/out" && grep -q '^stream news: 1 source(s)$' "$TH_DIR/out" &&
	grep -Eq '^  source tube: https://www\.youtube\.com/@brand  type: feed or page \(discovered at fetch\)  every [0-9]+[smhd]$' "$TH_DIR/out" &&
	grep -q '^  source wire: https://wire\.example\.net/rss?\.\.\.  .*every 2h$' "$TH_DIR/out" &&
	th_ok "check-config --list: every stream and source, default schedule" ||
	th_not_ok "check-config --list: every stream and source, default schedule" "$(cat "$TH_DIR/out")"
! grep -Eq 's3cr3t|token|#top' "$TH_DIR/out" &&
	th_ok "check-config --list: no query or fragment printed" ||
	th_not_ok "check-config --list: no query or fragment printed" "$(cat "$TH_DIR/out")"
run "check-config --list of a missing file" 1 err 'nope\.conf' "$S" check-config --list -c "$TH_DIR/nope.conf"

cat >"$TH_DIR/feed.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>CLI feed</title><link>https://x.test/</link>
<item><title>One</title><link>/posts/1</link><guid>1</guid><pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate></item>
<item><title>Two</title><link>/posts/2</link><guid>2</guid><pubDate>Wed, 15 Nov 2023 22:13:20 GMT</pubDate></item>
</channel></rss>
XML
items() { /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"]), d["items"][0].get("url",""))' "$1"; }

run "parse FILE: JSON Feed 1.1" 0 out '"version": *"https://jsonfeed.org/version/1.1"' "$S" parse "$TH_DIR/feed.xml"
"$S" parse --base https://blog.example.com/feed.xml "$TH_DIR/feed.xml" >"$TH_DIR/based.json" 2>/dev/null
[ "$(items "$TH_DIR/based.json")" = "2 https://blog.example.com/posts/1" ] &&
	th_ok "parse --base resolves relative links (items in document order)" ||
	th_not_ok "parse --base resolves relative links (items in document order)" "$(items "$TH_DIR/based.json")"
"$S" parse --max-items 1 "$TH_DIR/feed.xml" >"$TH_DIR/one.json" 2>/dev/null
[ "$(items "$TH_DIR/one.json" | cut -d' ' -f1)" = 1 ] &&
	th_ok "parse --max-items 1 keeps one item" || th_not_ok "parse --max-items 1 keeps one item"
"$S" parse - <"$TH_DIR/feed.xml" >"$TH_DIR/stdin.json" 2>"$TH_DIR/err"
[ "$(items "$TH_DIR/stdin.json" | cut -d' ' -f1)" = 2 ] &&
	th_ok "parse - reads standard input" || th_not_ok "parse - reads standard input" "$(cat "$TH_DIR/err")"
"$S" parse <(cat "$TH_DIR/feed.xml") >"$TH_DIR/fifo.json" 2>"$TH_DIR/err"
[ "$(items "$TH_DIR/fifo.json" | cut -d' ' -f1)" = 2 ] &&
	th_ok "parse <(cmd) reads a FIFO" || th_not_ok "parse <(cmd) reads a FIFO" "$(cat "$TH_DIR/err")"
run "parse --repeat 3 reports its timing" 0 err '^parse: 3 runs' "$S" parse --repeat 3 "$TH_DIR/feed.xml"
run "parse without a file: usage" 2 err '^usage: socialhub parse' "$S" parse
run "parse --max-items 0: usage" 2 err '^usage: socialhub parse' "$S" parse --max-items 0 "$TH_DIR/feed.xml"
run "parse --max-items x: usage" 2 err '^usage: socialhub parse' "$S" parse --max-items x "$TH_DIR/feed.xml"
run "parse with an unknown option: usage" 2 err '^usage: socialhub parse' "$S" parse --fast "$TH_DIR/feed.xml"
run "parse with two files: usage" 2 err '^usage: socialhub parse' "$S" parse "$TH_DIR/feed.xml" "$TH_DIR/feed.xml"
run "parse of a missing file" 1 err 'feed-missing\.xml: cannot read' "$S" parse "$TH_DIR/feed-missing.xml"
# Output goes out in 64 KiB blocks: a 100 kB string (one piece for the
# JSON writer) and a few hundred items come out whole, and a full disk is
# an error.
/usr/bin/python3 -c 'import json; print(json.dumps({"version": "https://jsonfeed.org/version/1.1",
	"items": [{"id": str(i), "content_html": "<p>" + "a" * (100000 if i == 0 else 100) + "</p>"} for i in range(300)]}))' >"$TH_DIR/big.json"
"$S" parse "$TH_DIR/big.json" >"$TH_DIR/big.out" 2>"$TH_DIR/err"
got=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["items"]), len(d["items"][0]["content_html"]), d["items"][299]["id"])' "$TH_DIR/big.out" 2>&1)
[ "$got" = "300 100007 299" ] &&
	th_ok "parse: large output written whole" || th_not_ok "parse: large output written whole" "$got $(cat "$TH_DIR/err")"
run "parse to a full disk: cannot write" 1 err 'cannot write the result' sh -c '"$0" parse "$1" >/dev/full' "$S" "$TH_DIR/big.json"
head -c 4096 /dev/urandom >"$TH_DIR/noise.bin"
run "parse of random bytes: not a feed" 1 err 'noise\.bin: not a feed we can read' "$S" parse "$TH_DIR/noise.bin"

# The input is mapped, not copied: a file cut short while it is parsed
# (here between two of --repeat's runs) is an error in words, exit 1, not
# a SIGBUS core. The truncation waits until the file is in the process's
# maps (or 2 s, when SOCIALHUB is a wrapper).
cp "$TH_DIR/big.json" "$TH_DIR/shrink.json"
"$S" parse --repeat 10000000 "$TH_DIR/shrink.json" >/dev/null 2>"$TH_DIR/err" &
pid=$!
for _ in $(seq 40); do
	grep -q shrink.json "/proc/$pid/maps" 2>/dev/null && break
	sleep 0.05
done
: >"$TH_DIR/shrink.json"
for _ in $(seq 200); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	kill "$pid"
	wait "$pid"
	th_not_ok "parse of a file cut short meanwhile: an error" "still running after 20 s"
else
	wait "$pid"
	rc=$?
	[ "$rc" = 1 ] && grep -q '^socialhub parse: the input file shrank while it was being read$' "$TH_DIR/err" &&
		th_ok "parse of a file cut short meanwhile: an error in words (exit 1)" ||
		th_not_ok "parse of a file cut short meanwhile: an error in words (exit 1)" "exit $rc: $(cat "$TH_DIR/err")"
fi

# The launcher runs `parse` itself, in its own process, and every other
# command in socialhub-core, found next to it. A copy of the launcher
# alone still parses, and names what is missing for the rest (exit 127).
# Skipped when SOCIALHUB is a wrapper (make valgrind runs socialhub-core
# itself).
bindir=$(dirname "$S")
if [ -x "$bindir/socialhub-core" ]; then
	mkdir -p "$TH_DIR/lone"
	cp "$S" "$TH_DIR/lone/"
	run "launcher: parse runs in the launcher alone" 0 out '"version": "https://jsonfeed.org/version/1.1"' \
		"$TH_DIR/lone/socialhub" parse "$TH_DIR/big.json"
	run "launcher: other commands name the missing socialhub-core" 127 err \
		"cannot run .*socialhub-core: No such file or directory" "$TH_DIR/lone/socialhub" keygen
	run "launcher: the environment and arguments reach the core" 1 err \
		'none\.conf' env SOCIALHUB_CONFIG="$TH_DIR/none.conf" "$S" check-config
fi

head -c $((17 * 1024 * 1024)) /dev/zero | "$S" parse - >/dev/null 2>"$TH_DIR/err"
rc=$?
[ "$rc" = 1 ] && grep -q 'cannot read' "$TH_DIR/err" &&
	th_ok "parse - of 17 MiB: refused over the 16 MiB input limit" ||
	th_not_ok "parse - of 17 MiB: refused over the 16 MiB input limit" "exit $rc: $(cat "$TH_DIR/err")"
th_done

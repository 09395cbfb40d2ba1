#!/usr/bin/env bash
# test_widgets_browser.sh: runs tests/js/browser_widgets.mjs (chromium +
# playwright-core) against the demo itself — deploy/demo/run.sh starts nginx,
# socialhub and the fixture feeds on a free port and waits for the stream.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

th_require_socialhub
th_require_cmd curl node "$(th_find_nginx)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || th_skip_all "chromium not installed at $CHROMIUM"
JS=$TH_SRCDIR/tests/js
[ -d "$JS/node_modules/playwright-core" ] || th_skip_all "run: npm ci --prefix tests/js"
th_init widgets-browser

build=$(cd "$(dirname "$SOCIALHUB")" && pwd)
OP_PORT=$(th_free_port)
DEMO_PORT=$TH_PORT DEMO_OP_PORT=$OP_PORT DEMO_APP_PORT=$(th_free_port) DEMO_DIR=$TH_DIR/demo \
	bash "$TH_SRCDIR/deploy/demo/run.sh" "$build" >"$TH_DIR/demo.log" 2>&1 &
demo_pid=$!
th_register_pid "$demo_pid"
# A bound for a hung start, not a time budget (test_demo_nginx.sh).
deadline=$((SECONDS + 180))
until grep -q "^socialhub demo: http://127.0.0.1:$TH_PORT/" "$TH_DIR/demo.log"; do
	th_alive "$demo_pid" || th_bail "the demo did not start: $(tail -n 20 "$TH_DIR/demo.log")"
	[ "$SECONDS" -lt "$deadline" ] || th_bail "the demo did not start in 180 s"
	sleep 0.2
done
th_ok "the demo is up on $TH_BASE"

out=$TH_DIR/browser.tap
BASE=$TH_BASE CHROMIUM=$CHROMIUM node "$JS/browser_widgets.mjs" >"$out" 2>"$TH_DIR/browser.err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) th_ok "browser: ${line#* - }" ;;
	"not ok "*) th_not_ok "browser: ${line#* - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$out"
[ "$rc" = 0 ] || th_not_ok "browser_widgets.mjs exited $rc" "$(tail -n 20 "$TH_DIR/browser.err")"

# Sign-on on the demo: Demo ID, <social-login>, the auth_request page.
out=$TH_DIR/signin.tap
BASE=$TH_BASE OP=http://127.0.0.1:$OP_PORT CHROMIUM=$CHROMIUM \
	node "$JS/browser_demo_signin.mjs" >"$out" 2>"$TH_DIR/signin.err"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) th_ok "demo sign-in: ${line#* - }" ;;
	"not ok "*) th_not_ok "demo sign-in: ${line#* - }" ;;
	"#"* | "  #"*) echo "$line" ;;
	esac
done <"$out"
[ "$rc" = 0 ] || th_not_ok "browser_demo_signin.mjs exited $rc" "$(tail -n 20 "$TH_DIR/signin.err")"
th_stop "$demo_pid"
th_done

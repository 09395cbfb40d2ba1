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

th_start_demo

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
BASE=$TH_BASE OP=http://127.0.0.1:$DEMO_OP_PORT CHROMIUM=$CHROMIUM \
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
th_stop "$DEMO_PID"
th_done

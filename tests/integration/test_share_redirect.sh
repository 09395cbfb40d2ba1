#!/bin/bash
# test_share_redirect: the Mastodon share redirect behind the SHIPPED nginx
# snippet with oidc-provider: no link and no sign-in return_to sends a
# visitor to a server they did not pick; return_to never points into the
# mount; the picker's own form still works (tests/js/share_picker_test.mjs).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
# shellcheck source=tests/integration/snippet_signon_env.sh
. "$TH_LIB_DIR/snippet_signon_env.sh"
oa_init share-redirect
sn_start <<'C'
share { allowed_hosts = {"www.example.com"} }
C
th_run_tap picker node "$JS/share_picker_test.mjs" "$TH_BASE" "$SN_ISS"
th_done

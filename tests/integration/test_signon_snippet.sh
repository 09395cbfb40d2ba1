#!/bin/bash
# test_signon_snippet: sign-in behind the SHIPPED nginx snippet
# (deploy/nginx/socialhub.conf) with the local oidc-provider: a protected
# URL whose query holds '%20' or '+' starts sign-in and lands back on it;
# off-site and blank-in-path return_to values are still refused.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
# shellcheck source=tests/integration/snippet_signon_env.sh
. "$TH_LIB_DIR/snippet_signon_env.sh"
oa_init signon-snippet
sn_start </dev/null
th_run_tap snippet node "$JS/snippet_signin_test.mjs" "$TH_BASE" "$SN_ISS"
th_done

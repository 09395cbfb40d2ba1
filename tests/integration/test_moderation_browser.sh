#!/bin/bash
# test_moderation_browser: issue 19's browser test. An agency moderator in
# Debian chromium (playwright-core) signs in through real nginx at the
# real oidc-provider (tests/js/op.mjs), sees the queued items of the
# hashtag and search fixtures (api_fixture_earned.py), approves one,
# rejects one and pins one; the public stream shows exactly those two
# within 5 s; 403 on another market's stream and on connections, no
# Connections link on any page they see; the audit log lists the
# three decisions with identity and time (tests/js/browser_moderation.mjs).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
# shellcheck source=tests/integration/streams_lib.sh
. "$TH_LIB_DIR/streams_lib.sh"
[ -x /usr/bin/chromium ] || th_skip_all "/usr/bin/chromium not installed"
oa_init moderation-browser

st_start_api

oa_start_node op op.mjs --redirect "$TH_BASE/social/auth/callback/demo" --post-logout "$TH_BASE/"
ISS=$(oa_json_get "$TH_DIR/op.ready" issuer)
oa_start <<C
session { secret = "$("$SOCIALHUB" keygen)" }
provider demo { issuer = "$ISS" client_id = "demo" client_secret = "demo-secret-change-me" display_name = "Demo ID" }
stream de {
  title = "Brand DE"
  source tag { type = "mastodon-tag" query = "#brandlaunch" api_url = "$API/mt" market = "de" }
  source sky { type = "bluesky-search" query = "example brand" api_url = "$API/bs" market = "de" }
  blocked_authors = {"@spammer@spam.example"}
  blocked_words = {"ärger"}
  blocked_domains = {"badsite.example"}
  reject_sensitive = true
  moderation = "queue"
}
stream fr {
  source tagfr { type = "mastodon-tag" query = "brandlaunch" api_url = "$API/mt" market = "fr" }
}
admin {
  grant hq { role = "owner" who = {"demo:boss"} }
  grant agency { role = "moderator" who = {"demo:agent"} streams = {"de"} }
}
C
# The first refresh has queued the fixtures' posts.
for _ in $(seq 1 100); do
	grep -q 'event=media_fetched stream=de' "$TH_DIR/socialhub.log" && break
	sleep 0.2
done
mkdir -p "$TH_DIR/shots"
th_run_tap browser node "$JS/browser_moderation.mjs" "$TH_BASE" "$ISS" "${SHOTS:-$TH_DIR/shots}"
th_done

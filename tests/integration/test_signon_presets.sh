#!/bin/bash
# test_signon_presets: every provider preset against a local fixture that
# answers as that provider documents (tests/js/presets_fixture.mjs),
# through real nginx; endpoints pointed at the fixture by config overrides.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/oauth_env.sh
. "$TH_LIB_DIR/oauth_env.sh"
oa_init signon-presets

oa_start_node fixture presets_fixture.mjs --apple-key-file "$TH_DIR/apple.p8"
F=$(oa_json_get "$TH_DIR/fixture.ready" base)
TID=$(oa_json_get "$TH_DIR/fixture.ready" ms_tenant)
oa_start <<C
session { secret = "$("$SOCIALHUB" keygen)" }
provider github {
	preset = "github"  client_id = "gh-client"  client_secret = "gh-secret"
	authorization_endpoint = "$F/github/login/oauth/authorize"
	token_endpoint = "$F/github/login/oauth/access_token"
	userinfo_endpoint = "$F/github/api/user"
}
provider google {
	preset = "google"  client_id = "g-client.apps.googleusercontent.com"  client_secret = "g-secret"
	issuer = "$F/google"
}
provider facebook {
	preset = "facebook"  client_id = "fb-app"  client_secret = "fb-app-secret"
	authorization_endpoint = "$F/facebook/dialog/oauth"
	token_endpoint = "$F/facebook/oauth/access_token"
	userinfo_endpoint = "$F/facebook/me?fields=id,name,email,picture"
}
provider linkedin {
	preset = "linkedin"  client_id = "li-client"  client_secret = "li-secret"
	issuer = "$F/linkedin/oauth"
	discovery_url = "$F/linkedin/oauth/.well-known/openid-configuration"
}
provider x {
	preset = "x"  client_id = "x-client"  client_secret = "x-secret"
	authorization_endpoint = "$F/x/i/oauth2/authorize"
	token_endpoint = "$F/x/2/oauth2/token"
	userinfo_endpoint = "$F/x/2/users/me?user.fields=profile_image_url"
}
provider microsoft {
	preset = "microsoft"  client_id = "ms-client"  client_secret = "ms-secret"
	issuer = "$F/ms/{tenantid}/v2.0"
	discovery_url = "$F/ms/{tenant}/v2.0/.well-known/openid-configuration"
	tenants = {"$TID"}
}
provider gitlab {
	preset = "gitlab"  client_id = "gl-client"  client_secret = "gl-secret"
	issuer = "$F/gitlab"  userinfo = true
}
provider apple {
	preset = "apple"  client_id = "com.example.web"
	team_id = "TEAM123456"  key_id = "KEY1234567"  private_key_file = "$TH_DIR/apple.p8"
	issuer = "$F/apple"
	authorization_endpoint = "$F/apple/auth/authorize"
	token_endpoint = "$F/apple/auth/token"
	jwks_uri = "$F/apple/auth/keys"
}
provider mastodon {
	preset = "mastodon"  api_base = "$F/mastodon"
	instances = {"social.example", "old.example"}
}
provider mastodon_old {
	preset = "mastodon"  api_base = "$F/mastodon-old"  display_name = "Mastodon (old)"
	instances = {"old.example"}
}
C
th_run_tap presets_test node "$JS/presets_test.mjs" "$TH_BASE" "$F"
# Mastodon registrations are cached in state_dir, private to us.
f="$TH_DIR/state/oauth/mastodon/social.example.json"
if [ -f "$f" ] && [ "$(stat -c %a "$f")" = 600 ] && grep -q '"client_id":"mastodon-client-' "$f"; then
	th_ok "Mastodon app registration cached in state_dir (mode 600)"
else
	th_not_ok "Mastodon app registration cached in $f"
fi
# A sign-in marks the registration used, so it outlives the unused ones'
# expiry (oauth/mastodon.c, mastodon_app_used).
if grep -q '"last_login":[1-9]' "$f" 2>/dev/null; then
	th_ok "a Mastodon sign-in records last_login in the registration"
else
	th_not_ok "a Mastodon sign-in records last_login in the registration" "$(cat "$f" 2>/dev/null | sed 's/"client_secret":"[^"]*"/"client_secret":"…"/')"
fi
th_done

/* provider: the preset table — what each network needs, as data. */
#include "oauth/oauth_int.h"

#include <ctype.h>
#include <string.h>

#define RS256 JWT_ALG_BIT(JWT_RS256)

/*
 * One row per network. Endpoints are the documented production ones; every
 * one can be overridden in the provider's config block. Quirks (see
 * doc/signon.md) are flags, not code paths spread over the module.
 */
const struct preset preset_table[] = {
	{
		.id = "github", .display_name = "GitHub", .kind = KIND_OAUTH2,
		.authorization_endpoint = "https://github.com/login/oauth/authorize",
		.token_endpoint = "https://github.com/login/oauth/access_token",
		.userinfo_endpoint = "https://api.github.com/user",
		.scopes = "read:user user:email", .token_auth = AUTH_POST,
		.pkce = true, .nonce = false, .needs_secret = true,
		.profile = PROFILE_GITHUB, .flags = PRESET_TOKEN_ACCEPT_JSON,
		.icon_color = "#24292f",
	},
	{
		.id = "google", .display_name = "Google", .kind = KIND_OIDC,
		.issuer = "https://accounts.google.com", .alt_issuer = "accounts.google.com",
		.scopes = "openid email profile", .token_auth = AUTH_AUTO,
		.pkce = true, .nonce = true, .needs_secret = true, .algs = RS256,
		.profile = PROFILE_ID_TOKEN, .icon_color = "#4285f4",
	},
	{
		.id = "facebook", .display_name = "Facebook", .kind = KIND_OAUTH2,
		.authorization_endpoint = "https://www.facebook.com/v21.0/dialog/oauth",
		.token_endpoint = "https://graph.facebook.com/v21.0/oauth/access_token",
		.userinfo_endpoint = "https://graph.facebook.com/v21.0/me?fields=id,name,email,picture",
		.scopes = "public_profile email", .token_auth = AUTH_POST,
		.pkce = false, .nonce = false, .needs_secret = true,
		.profile = PROFILE_FACEBOOK, .flags = PRESET_APPSECRET_PROOF,
		.icon_color = "#1877f2",
	},
	{
		.id = "linkedin", .display_name = "LinkedIn", .kind = KIND_OIDC,
		.issuer = "https://www.linkedin.com/oauth",
		.discovery_url = "https://www.linkedin.com/oauth/.well-known/openid-configuration",
		.scopes = "openid profile email", .token_auth = AUTH_POST,
		.pkce = false, .nonce = false, .needs_secret = true, .algs = RS256,
		.profile = PROFILE_ID_TOKEN, .icon_color = "#0a66c2",
	},
	{
		.id = "x", .display_name = "X", .kind = KIND_OAUTH2,
		.authorization_endpoint = "https://x.com/i/oauth2/authorize",
		.token_endpoint = "https://api.x.com/2/oauth2/token",
		.userinfo_endpoint = "https://api.x.com/2/users/me?user.fields=profile_image_url",
		.scopes = "users.read tweet.read", .token_auth = AUTH_BASIC,
		.pkce = true, .nonce = false, .needs_secret = true,
		.profile = PROFILE_X, .icon_color = "#000000",
	},
	{
		.id = "microsoft", .display_name = "Microsoft", .kind = KIND_OIDC,
		.issuer = "https://login.microsoftonline.com/{tenantid}/v2.0",
		.discovery_url = "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration",
		.scopes = "openid email profile", .token_auth = AUTH_AUTO,
		.pkce = true, .nonce = true, .needs_secret = true, .algs = RS256,
		.profile = PROFILE_ID_TOKEN,
		.flags = PRESET_MS_TENANT | PRESET_EMAIL_UNTRUSTED, .icon_color = "#2f2f2f",
	},
	{
		.id = "gitlab", .display_name = "GitLab", .kind = KIND_OIDC,
		.issuer = "https://gitlab.com",
		.scopes = "openid profile email", .token_auth = AUTH_AUTO,
		.pkce = true, .nonce = true, .needs_secret = true, .algs = RS256,
		.profile = PROFILE_ID_TOKEN, .icon_color = "#fc6d26",
	},
	{
		.id = "apple", .display_name = "Apple", .kind = KIND_OIDC,
		.issuer = "https://appleid.apple.com",
		.authorization_endpoint = "https://appleid.apple.com/auth/authorize",
		.token_endpoint = "https://appleid.apple.com/auth/token",
		.jwks_uri = "https://appleid.apple.com/auth/keys",
		.scopes = "name email", .token_auth = AUTH_POST,
		.pkce = false, .nonce = true, .needs_secret = false, .algs = RS256,
		.profile = PROFILE_ID_TOKEN,
		.flags = PRESET_APPLE | PRESET_FORM_POST, .icon_color = "#000000",
	},
	{
		.id = "mastodon", .display_name = "Mastodon", .kind = KIND_OAUTH2,
		.authorization_endpoint = "/oauth/authorize",
		.token_endpoint = "/oauth/token",
		.userinfo_endpoint = "/api/v1/accounts/verify_credentials",
		.scopes = "read:accounts", .token_auth = AUTH_POST,
		.pkce = true, .nonce = false, .needs_secret = false,
		.profile = PROFILE_MASTODON, .flags = PRESET_MASTODON,
		.icon_color = "#6364ff",
	},
	{ .id = NULL },
};

/* Any other OpenID Connect provider, found by discovery. */
static const struct preset preset_oidc = {
	.id = "oidc", .display_name = NULL, .kind = KIND_OIDC,
	.scopes = "openid email profile", .token_auth = AUTH_AUTO,
	.pkce = true, .nonce = true, .needs_secret = true, .algs = RS256,
	.profile = PROFILE_ID_TOKEN, .icon_color = "#555555",
};

const struct preset *
preset_find(const char *id)
{
	if (id == NULL || strcmp(id, "oidc") == 0)
		return &preset_oidc;
	for (const struct preset *p = preset_table; p->id != NULL; p++)
		if (strcmp(p->id, id) == 0)
			return p;
	return NULL;
}

bool
provider_id_valid(const char *id)
{
	size_t n = 0;

	for (; id[n] != '\0'; n++)
		if (!isalnum((unsigned char)id[n]) && id[n] != '_' && id[n] != '-')
			return false;
	return n > 0 && n <= OAUTH_ID_MAX;
}

bool
provider_id_equal(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

bool
provider_has_scope(const struct provider *p, const char *scope)
{
	size_t n = strlen(scope);

	for (const char *s = p->scopes; s != NULL && *s != '\0';) {
		size_t len = strcspn(s, " ");
		if (len == n && strncmp(s, scope, n) == 0)
			return true;
		s += len + (s[len] == ' ');
	}
	return false;
}

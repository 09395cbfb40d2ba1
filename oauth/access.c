/* access: who may pass /auth/check — providers, email domains, emails. */
#include "oauth/oauth_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Provider names match exactly (provider_id_equal): a rule for "staff"
 * must not admit a provider named "STAFF". */
static bool
provider_listed(char *const *list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (provider_id_equal(list[i], id))
			return true;
	return false;
}

/* Email addresses match whatever their case, as mail systems treat them. */
static bool
email_listed(char *const *list, size_t n, const char *email)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], email) == 0)
			return true;
	return false;
}

/* A strict address: one '@', a non-empty local part, a dotted host name. */
bool
access_email_valid(const char *email)
{
	const char *at, *d;
	size_t local;

	if (email == NULL || strlen(email) > SESSION_EMAIL_MAX)
		return false;
	at = strchr(email, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return false;
	local = (size_t)(at - email);
	if (local == 0 || local > 64)
		return false;
	for (const char *p = email; p < at; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("\"(),:;<>[\\]", *p) != NULL)
			return false;
	d = at + 1;
	if (*d == '\0' || *d == '.' || *d == '-' || strchr(d, '.') == NULL ||
	    d[strlen(d) - 1] == '.')
		return false;
	for (; *d != '\0'; d++)
		if (!isalnum((unsigned char)*d) && *d != '.' && *d != '-')
			return false;
	return strstr(at + 1, "..") == NULL;
}

/* Domain rules: "example.com" is exact; ".example.com" also any subdomain. */
static bool
domain_allowed(char *const *domains, size_t n, const char *domain)
{
	size_t dlen = strlen(domain);

	for (size_t i = 0; i < n; i++) {
		const char *rule = domains[i];
		size_t rlen = strlen(rule);
		if (rule[0] == '.') {
			if (strcasecmp(domain, rule + 1) == 0 ||
			    (dlen > rlen && strcasecmp(domain + dlen - rlen, rule) == 0))
				return true;
		} else if (strcasecmp(domain, rule) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * RC_OK when the signed-in visitor passes every configured rule:
 * `providers` (when set) must list the provider; `emails`/`email_domains`
 * (when either is set) need a verified, well-formed email that one of them
 * matches. RC_FORBIDDEN otherwise. No rules: everyone signed in passes.
 */
enum rc
access_check(const struct access_rules *r, const struct identity *id)
{
	const char *at;

	if (r->nproviders > 0 && !provider_listed(r->providers, r->nproviders, id->provider))
		return RC_FORBIDDEN;
	if (r->nemails == 0 && r->nemail_domains == 0)
		return RC_OK;
	if (!id->email_verified || !access_email_valid(id->email))
		return RC_FORBIDDEN;
	if (email_listed(r->emails, r->nemails, id->email))
		return RC_OK;
	at = strchr(id->email, '@');
	return domain_allowed(r->email_domains, r->nemail_domains, at + 1)
	    ? RC_OK : RC_FORBIDDEN;
}

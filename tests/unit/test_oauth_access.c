/* test_oauth_access: /auth/check rules as a table — providers, email
 * domains, emails; only verified, well-formed emails count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "oauth/oauth_int.h"

static char *providers[] = { "google", "corp" };
static char *domains[] = { "example.com", ".corp.example" };
static char *emails[] = { "Boss@Partner.org" };

static void
test_no_rules(void **state)
{
	struct access_rules r = { 0 };
	struct identity id = { .provider = "github", .sub = "1" };

	(void)state;
	assert_int_equal(access_check(&r, &id), RC_OK);
}

static void
test_table(void **state)
{
	static const struct {
		const char *provider, *email;
		bool verified;
		enum rc rc;
	} rows[] = {
		{ "google", "a@example.com", true, RC_OK },
		{ "google", "a@EXAMPLE.COM", true, RC_OK },
		{ "google", "a@example.com", false, RC_FORBIDDEN },
		{ "github", "a@example.com", true, RC_FORBIDDEN },
		/* Provider names match exactly, as everywhere (issue 13, item 9). */
		{ "GOOGLE", "a@example.com", true, RC_FORBIDDEN },
		{ "Corp", "x@corp.example", true, RC_FORBIDDEN },
		{ "google", "a@sub.example.com", true, RC_FORBIDDEN },
		{ "google", "a@example.com.evil.org", true, RC_FORBIDDEN },
		{ "google", "a@evilexample.com", true, RC_FORBIDDEN },
		{ "corp", "x@corp.example", true, RC_OK },
		{ "corp", "x@dev.corp.example", true, RC_OK },
		{ "corp", "x@evilcorp.example", true, RC_FORBIDDEN },
		{ "corp", "boss@partner.org", true, RC_OK },
		{ "corp", "boss@partner.org", false, RC_FORBIDDEN },
		{ "corp", "a@b@example.com", true, RC_FORBIDDEN },
		{ "corp", "@example.com", true, RC_FORBIDDEN },
		{ "corp", "a@example..com", true, RC_FORBIDDEN },
		{ "corp", "a b@example.com", true, RC_FORBIDDEN },
		{ "corp", "a@example.com.", true, RC_FORBIDDEN },
		{ "corp", NULL, true, RC_FORBIDDEN },
	};
	struct access_rules r = {
		.providers = providers, .nproviders = 2, .email_domains = domains,
		.nemail_domains = 2, .emails = emails, .nemails = 1,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct identity id = { .provider = rows[i].provider, .sub = "s",
			.email = rows[i].email, .email_verified = rows[i].verified };
		if (access_check(&r, &id) != rows[i].rc)
			fail_msg("row %zu (%s, %s): expected %s", i, rows[i].provider,
			    rows[i].email ? rows[i].email : "-", rc_str(rows[i].rc));
	}
}

static void
test_providers_only(void **state)
{
	struct access_rules r = { .providers = providers, .nproviders = 2 };
	struct identity id = { .provider = "corp", .sub = "s" };

	(void)state;
	assert_int_equal(access_check(&r, &id), RC_OK);
	id.provider = "x";
	assert_int_equal(access_check(&r, &id), RC_FORBIDDEN);
}

static void
test_email_syntax(void **state)
{
	(void)state;
	assert_true(access_email_valid("a.b+c@sub.example.com"));
	assert_false(access_email_valid("a@localhost"));
	assert_false(access_email_valid("a@-example.com"));
	assert_false(access_email_valid("a\"b@example.com"));
	assert_false(access_email_valid("a@exa_mple.com"));
	assert_false(access_email_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_rules),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_providers_only),
		cmocka_unit_test(test_email_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

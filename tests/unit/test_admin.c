/* test_admin: grant matching, per-request authorization from the config as
 * loaded, CSRF tokens bound to the session, and the admin section's errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fcgi/admin.h"
#include "fcgi/config.h"
#include "oauth/oauth.h"
#include "tests/unit/conf_fixture.h"
#include "util/buf.h"
#include "widgets/widgets.h"

static const struct feature features[] = {
	OAUTH_FEATURE, WIDGETS_FEATURE, ADMIN_FEATURE, { .name = NULL },
};

#define BASE \
	"site_url = \"https://www.example.com\"\n" \
	"session { secret = \"MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\" }\n" \
	"provider corp { preset = \"github\" client_id = \"a\" client_secret = \"b\" }\n" \
	"stream de_news { source a { url = \"https://a.example/f.xml\" market = \"de\" } }\n" \
	"stream fr_news { source b { url = \"https://b.example/f.xml\" market = \"fr\" } }\n" \
	"stream mixed { source c { url = \"https://c.example/f.xml\" market = \"de\" }\n" \
	"  source d { url = \"https://d.example/f.xml\" market = \"fr\" } }\n"

#define GRANTS \
	"admin {\n" \
	"  grant hq { role = \"owner\" who = {\"corp:1\"} }\n" \
	"  grant de { role = \"editor\" who = {\"email:ann@brand.example\"} markets = {\"de\"} }\n" \
	"  grant agency { role = \"moderator\" who = {\"domain:agency.example\"} streams = {\"fr_news\"} }\n" \
	"  grant board { role = \"viewer\" who = {\"corp:9\"} }\n" \
	"}\n"

static struct config *
load_ok(const char *text)
{
	struct config *cfg = NULL;
	char *errs = NULL;

	assert_int_equal(conf_fixture_load(features, text, &cfg, &errs), RC_OK);
	assert_string_equal(errs, "");
	free(errs);
	return cfg;
}

static struct identity
who(const char *provider, const char *sub, const char *email, bool verified)
{
	return (struct identity){ .provider = provider, .sub = sub, .email = email,
	    .email_verified = verified, .binding = "b1" };
}

static void
test_who(void **state)
{
	struct identity gh = who("github", "123", "Ann@Brand.Example", true);
	struct identity unverified = who("github", "123", "ann@brand.example", false);
	struct identity sub = who("github", "5", "bob@eu.agency.example", true);

	(void)state;
	assert_true(admin_who_matches("github:123", &gh));
	assert_false(admin_who_matches("GitHub:123", &gh));
	assert_false(admin_who_matches("github:1234", &gh));
	assert_false(admin_who_matches("github:12", &gh));
	assert_false(admin_who_matches("githu:123", &gh));
	assert_true(admin_who_matches("email:ann@brand.example", &gh));
	assert_false(admin_who_matches("email:ann@brand.example", &unverified));
	assert_false(admin_who_matches("domain:brand.example", &unverified));
	assert_true(admin_who_matches("domain:brand.example", &gh));
	assert_false(admin_who_matches("domain:agency.example", &sub));
	assert_true(admin_who_matches("domain:.agency.example", &sub));
	assert_false(admin_who_matches("domain:.agency.example", &gh));
	assert_false(admin_who_matches("nocolon", &gh));
	assert_false(admin_who_matches("github:123", NULL));
}

static void
test_roles(void **state)
{
	struct config *cfg = load_ok(BASE GRANTS);
	struct identity owner = who("corp", "1", NULL, false);
	struct identity owner_case = who("Corp", "1", NULL, false);
	struct identity ann = who("corp", "2", "ann@brand.example", true);
	struct identity ann_unverified = who("corp", "2", "ann@brand.example", false);
	struct identity mod = who("corp", "3", "mo@agency.example", true);
	struct identity viewer = who("corp", "9", NULL, false);
	struct identity nobody = who("corp", "4", "x@else.example", true);

	(void)state;
	assert_int_equal(admin_authorize_id(cfg, NULL, ADMIN_VIEW, NULL), RC_UNAUTH);
	assert_int_equal(admin_authorize_id(cfg, &owner, ADMIN_CONNECTIONS, NULL), RC_OK);
	assert_int_equal(admin_authorize_id(cfg, &owner, ADMIN_MODERATE, "stream:fr_news"), RC_OK);
	/* A provider name that differs only in case is another provider. */
	assert_int_equal(admin_authorize_id(cfg, &owner_case, ADMIN_VIEW, NULL), RC_FORBIDDEN);
	/* The market editor: de's streams, not fr's, not the mixed one. */
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_VIEW, NULL), RC_OK);
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_MODERATE, "stream:de_news"), RC_OK);
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_SETTINGS, "market:de"), RC_OK);
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_MODERATE, "stream:fr_news"), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_MODERATE, "stream:mixed"), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_SETTINGS, NULL), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_CONNECTIONS, NULL), RC_FORBIDDEN);
	/* An unverified email is no one's. */
	assert_int_equal(admin_authorize_id(cfg, &ann_unverified, ADMIN_VIEW, NULL), RC_FORBIDDEN);
	/* The agency moderator: its one stream, no settings, no connections. */
	assert_int_equal(admin_authorize_id(cfg, &mod, ADMIN_MODERATE, "stream:fr_news"), RC_OK);
	assert_int_equal(admin_authorize_id(cfg, &mod, ADMIN_MODERATE, "stream:de_news"), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &mod, ADMIN_MODERATE, NULL), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &mod, ADMIN_SETTINGS, "stream:fr_news"), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &mod, ADMIN_CONNECTIONS, NULL), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &viewer, ADMIN_VIEW, "stream:mixed"), RC_OK);
	assert_int_equal(admin_authorize_id(cfg, &viewer, ADMIN_MODERATE, "stream:mixed"), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &nobody, ADMIN_VIEW, NULL), RC_FORBIDDEN);
	config_free(cfg);
	/* The grant removed: the next request's config has no word for them. */
	cfg = load_ok(BASE "admin { grant hq { role = \"owner\" who = {\"corp:1\"} } }\n");
	assert_int_equal(admin_authorize_id(cfg, &ann, ADMIN_VIEW, NULL), RC_FORBIDDEN);
	assert_int_equal(admin_authorize_id(cfg, &owner, ADMIN_VIEW, NULL), RC_OK);
	config_free(cfg);
	cfg = load_ok(BASE);
	assert_int_equal(admin_authorize_id(cfg, &owner, ADMIN_VIEW, NULL), RC_FORBIDDEN);
	config_free(cfg);
}

/* The token of one identity, as a NUL-terminated copy in t. */
static void
token_of(const struct identity *id, char t[64])
{
	struct buf b;

	buf_init(&b, 64);
	assert_int_equal(admin_csrf_make(id, &b), RC_OK);
	assert_int_equal(b.len, 43);
	memcpy(t, b.data, b.len);
	t[b.len] = '\0';
	buf_fini(&b);
}

static void
test_csrf(void **state)
{
	struct identity id = who("corp", "1", NULL, false);
	struct identity other_session = id, other_user = id, none = id;
	char mine[64], theirs[64], users[64], c;
	struct buf b;

	(void)state;
	other_session.binding = "b2";
	other_user.sub = "2";
	none.binding = NULL;
	token_of(&id, mine);
	token_of(&other_session, theirs);
	token_of(&other_user, users);
	assert_true(admin_csrf_valid(&id, mine));
	assert_false(admin_csrf_valid(&id, theirs));
	assert_false(admin_csrf_valid(&id, users));
	assert_false(admin_csrf_valid(&other_session, mine));
	assert_false(admin_csrf_valid(&id, NULL));
	assert_false(admin_csrf_valid(&id, ""));
	assert_false(admin_csrf_valid(&none, mine));
	buf_init(&b, 64);
	assert_int_equal(admin_csrf_make(&none, &b), RC_UNAUTH);
	buf_fini(&b);
	c = mine[5];
	mine[5] = c == 'A' ? 'B' : 'A';
	assert_false(admin_csrf_valid(&id, mine));
	mine[5] = c;
	assert_true(admin_csrf_valid(&id, mine));
	mine[42] = '\0';
	assert_false(admin_csrf_valid(&id, mine));
}

static void
test_config_errors(void **state)
{
	struct config *cfg = NULL;
	char *errs = NULL;

	(void)state;
	assert_int_equal(conf_fixture_load(features, BASE
	    "admin {\n"
	    "  grant a { role = \"root\" who = {\"corp:1\"} }\n"
	    "  grant b { role = \"owner\" who = {\"corp\"} }\n"
	    "  grant c { role = \"viewer\" who = {\"email:nobody\"} }\n"
	    "  grant d { role = \"viewer\" who = {\"corp:1\"} streams = {\"nosuch\"} }\n"
	    "  grant e { who = {\"corp:1\"} }\n"
	    "}\n", &cfg, &errs), RC_CONFIG);
	assert_non_null(strstr(errs, "role: expected owner, editor, moderator or viewer"));
	assert_non_null(strstr(errs, "\"corp\": expected \"PROVIDER:SUBJECT\""));
	assert_non_null(strstr(errs, "\"email:nobody\": an email entry needs an address"));
	assert_non_null(strstr(errs, "streams: no stream \"nosuch\""));
	assert_non_null(strstr(errs, "role: missing"));
	free(errs);
	errs = NULL;
	assert_int_equal(conf_fixture_load(features,
	    "site_url = \"https://www.example.com\"\n"
	    "admin { grant a { role = \"owner\" who = {\"corp:1\"} } }\n", &cfg, &errs), RC_CONFIG);
	assert_non_null(strstr(errs, "the admin pages need sign-on"));
	free(errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_who),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, conf_fixture_setup, conf_fixture_teardown);
}

/* test_conn: the connection sections' errors, the authorization URLs each
 * network gets, and which API answers count as a refused token. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fcgi/config.h"
#include "oauth/oauth.h"
#include "tests/unit/conf_fixture.h"
#include "widgets/conn.h"
#include "widgets/conn_int.h"
#include "widgets/widgets.h"

static const struct feature features[] = {
	OAUTH_FEATURE, WIDGETS_FEATURE, CONN_FEATURE, { .name = NULL },
};

#define KEY "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\n"

static char keypath[256];

static void
write_key(void)
{
	FILE *f;

	snprintf(keypath, sizeof(keypath), "%s/k1.key", conf_fixture_dir());
	f = fopen(keypath, "w");
	assert_non_null(f);
	fputs(KEY, f);
	fclose(f);
	chmod(keypath, 0600);
}

static char *
errors_of(const char *body)
{
	struct config *cfg = NULL;
	char *errs = NULL, text[4096];

	snprintf(text, sizeof(text), "site_url = \"https://www.example.com\"\nstate_dir = \"%s\"\n%s",
	    conf_fixture_dir(), body);
	(void)conf_fixture_load(features, text, &cfg, &errs);
	config_free(cfg);
	return errs;
}

static void
test_config(void **state)
{
	char body[2048], *e;

	(void)state;
	write_key();
	snprintf(body, sizeof(body), "connection_keys = {\"k1:%s\"}\n"
	    "connection ig { network = \"instagram\" client_id = \"a\" client_secret = \"b\" }\n"
	    "connection xp { network = \"x\" client_id = \"a\" }\n", keypath);
	e = errors_of(body);
	assert_string_equal(e, "");
	free(e);
	e = errors_of("connection ig { network = \"myspace\" client_id = \"a\" client_secret = \"b\" }\n");
	assert_non_null(strstr(e, "network: expected instagram"));
	assert_non_null(strstr(e, "connection_keys: missing"));
	free(e);
	snprintf(body, sizeof(body), "connection_keys = {\"k1:%s\"}\n"
	    "connection ig { network = \"instagram\" client_id = \"a\" }\n"
	    "connection \"bad name\" { network = \"x\" client_id = \"a\" }\n"
	    "connection tt { network = \"tiktok\" client_secret = \"b\" auth_url = \"ftp://x\" }\n"
	    "stream s { source m { type = \"mastodon\" account = \"@a@m.example\" "
	    "api_url = \"https://m.example\" connection = \"nope\" } }\n", keypath);
	e = errors_of(body);
	assert_non_null(strstr(e, "client_secret: missing"));
	assert_non_null(strstr(e, "name \"bad name\" must be"));
	assert_non_null(strstr(e, "auth_url: expected an http(s) URL"));
	assert_non_null(strstr(e, "client_id: missing"));
	assert_non_null(strstr(e, "no connection \"nope\""));
	free(e);
	e = errors_of("connection_keys = {\"k1\"}\n");
	assert_non_null(strstr(e, "expected \"ID:/path/to/key\""));
	free(e);
	e = errors_of("connection_keys = {\"k1:/nonexistent/key\"}\n");
	assert_non_null(strstr(e, "/nonexistent/key"));
	free(e);
}

static void
test_authorize_url(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct conn_def x = { .name = "x", .net = conn_network_find("x"), .client_id = "cid",
	    .auth_url = "https://x.example/auth?lang=en", .scopes = "tweet.read offline.access" };
	struct conn_def tt = { .name = "t", .net = conn_network_find("tiktok"), .client_id = "ck",
	    .auth_url = "https://t.example/auth", .scopes = "video.list" };
	const char *u;

	(void)state;
	assert_null(conn_network_find("myspace"));
	assert_int_equal(conn_oauth_authorize_url(a, &x, "https://w.example/cb?a=1", "ST", "CH", &u),
	    RC_OK);
	assert_string_equal(u, "https://x.example/auth?lang=en&response_type=code&client_id=cid"
	    "&redirect_uri=https%3A%2F%2Fw.example%2Fcb%3Fa%3D1&scope=tweet.read%20offline.access"
	    "&state=ST&code_challenge=CH&code_challenge_method=S256");
	assert_int_equal(conn_oauth_authorize_url(a, &tt, "https://w.example/cb", "ST", NULL, &u),
	    RC_OK);
	assert_non_null(strstr(u, "?response_type=code&client_key=ck&"));
	assert_null(strstr(u, "code_challenge"));
	arena_free(a);
}

static void
test_refusal(void **state)
{
	static const char meta190[] = "{\"error\":{\"message\":\"Error validating access token\","
	    "\"type\":\"OAuthException\",\"code\":190}}";
	static const char meta4[] = "{\"error\":{\"message\":\"limit\",\"type\":\"OAuthException\","
	    "\"code\":4}}";

	(void)state;
	assert_true(conn_refusal(401, NULL, 0));
	assert_true(conn_refusal(400, meta190, strlen(meta190)));
	assert_false(conn_refusal(400, meta4, strlen(meta4)));
	assert_false(conn_refusal(403, "<html>no</html>", 15));
	assert_false(conn_refusal(500, "{", 1));
	assert_false(conn_refusal(200, meta190, strlen(meta190)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_authorize_url),
		cmocka_unit_test(test_refusal),
	};
	return cmocka_run_group_tests(tests, conf_fixture_setup, conf_fixture_teardown);
}

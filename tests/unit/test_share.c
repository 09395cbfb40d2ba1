/* test_share: the share config section, its errors, settings and rendering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fcgi/config.h"
#include "tests/unit/conf_fixture.h"
#include "util/buf.h"
#include "widgets/share/share.h"
#include "widgets/share/share_config.h"
#include "widgets/share/share_networks.h"
#include "widgets/share/share_render.h"

static const struct feature features[] = { SHARE_FEATURE, { .name = NULL } };

/* Loads text as c.conf; the errors printed go to *errs (caller frees). */
static enum rc
load(const char *text, struct config **cfg, char **errs)
{
	return conf_fixture_load(features, text, cfg, errs);
}

#define BASE "site_url = \"https://www.example.com\"\nstate_dir = \"/tmp\"\n"

static void
test_defaults(void **state)
{
	struct share_settings s;
	struct config *cfg = NULL;
	char *errs;

	(void)state;
	assert_int_equal(load(BASE, &cfg, &errs), RC_OK);
	assert_string_equal(errs, "");
	assert_int_equal(share_settings_load(cfg, &s), RC_OK);
	assert_int_equal(s.nhosts, 1);
	assert_string_equal(s.hosts[0], "www.example.com");
	assert_int_equal(s.ndefaults, 9);
	assert_string_equal(share_networks[s.defaults[0]].id, "x");
	assert_true(s.enabled[share_network_index("mastodon")]);
	assert_false(s.enabled[share_network_index("weibo")]);
	assert_true(s.counting);
	assert_null(s.utm_source);
	assert_int_equal(s.ninstances, 5);
	assert_string_equal(s.instances[0], "mastodon.social");
	share_settings_fini(&s);
	config_free(cfg);
	free(errs);
}

static void
test_full(void **state)
{
	struct share_settings s;
	struct config *cfg = NULL;
	const struct share_market *m;
	char *errs;

	(void)state;
	assert_int_equal(load(BASE
	    "share {\n"
	    "  allowed_hosts = {\"WWW.Example.com\", \".example.org\"}\n"
	    "  networks = {\"x\", \"email\", \"x\"}\n"
	    "  utm_source = \"{network}\"\n"
	    "  utm_medium = \"social\"\n"
	    "  counting = false\n"
	    "  mastodon_instances = {\"social.example.org\"}\n"
	    "  market asia { networks = {\"weibo\", \"line\"} }\n"
	    "  market de { networks = {\"xing\"} }\n"
	    "}\n", &cfg, &errs), RC_OK);
	assert_string_equal(errs, "");
	assert_int_equal(share_settings_load(cfg, &s), RC_OK);
	assert_int_equal(s.nhosts, 2);
	assert_string_equal(s.hosts[0], "www.example.com");
	assert_string_equal(s.hosts[1], ".example.org");
	assert_int_equal(s.ndefaults, 2);
	assert_string_equal(s.utm_source, "{network}");
	assert_false(s.counting);
	m = share_settings_market(&s, "asia");
	assert_non_null(m);
	assert_int_equal(m->n, 2);
	assert_string_equal(share_networks[m->nets[1]].id, "line");
	assert_true(s.enabled[share_network_index("xing")]);
	assert_null(share_settings_market(&s, "us"));
	assert_null(share_settings_market(&s, NULL));
	share_settings_fini(&s);
	config_free(cfg);
	free(errs);
}

static void
test_errors(void **state)
{
	struct config *cfg = NULL;
	char *errs;
	static const char *const lines[] = {
		"c.conf:4: allowed_hosts: bad host \"https://www.example.com\"",
		"c.conf:5: allowed_hosts: bad host \"10.0.0.1\"",
		"c.conf:5: allowed_hosts: bad host \"www.example.com.\"",
		"c.conf:6: networks: unknown network \"myspace\"",
		"c.conf:7: utm_medium: must be 1..100 bytes",
		"c.conf:8: count_salt_file: must be an absolute path",
		"c.conf:9: mastodon_instances: bad host \"localhost\"",
		"c.conf:10: networks: unknown network \"orkut\"",
		"c.conf:10: market: bad market name \"Asia!\"",
		"c.conf:11: networks: market \"eu\" lists no networks",
	};

	(void)state;
	assert_int_equal(load(BASE
	    "share {\n"
	    "  allowed_hosts = {\"https://www.example.com\",\n"
	    "    \"10.0.0.1\", \"www.example.com.\", \".example.org\"}\n"
	    "  networks = {\"x\", \"myspace\"}\n"
	    "  utm_medium = \"\"\n"
	    "  count_salt_file = \"salt\"\n"
	    "  mastodon_instances = {\"localhost\"}\n"
	    "  market \"Asia!\" { networks = {\"weibo\", \"orkut\"} }\n"
	    "  market eu { networks = {} }\n"
	    "}\n", &cfg, &errs), RC_CONFIG);
	assert_null(cfg);
	/* Each reported once. */
	conf_fixture_expect_once(errs, lines, sizeof(lines) / sizeof(lines[0]));
	free(errs);
}

/* Each list entry is checked once: also in a list given again and in a
 * share { } given again (which the old check skipped). */
static void
test_list_entries(void **state)
{
	static const char *const lines[] = {
		"c.conf:5: networks: unknown network \"nope\"",
		"c.conf:8: networks: unknown network \"zilch\"",
		"c.conf:9: networks: unknown network \"nada\"",
		"c.conf:10: allowed_hosts: bad host \"a b\"",
		"c.conf:12: mastodon_instances: bad host \"nodot\"",
	};
	struct config *cfg = NULL;
	char *errs;

	(void)state;
	assert_int_equal(load(BASE
	    "share {\n networks = {\"x\"}\n networks = {\"nope\"}\n}\n"
	    "share {\n networks += {\"zilch\"}\n market de { networks = {\"xing\"} networks = {\"nada\"} }\n"
	    " allowed_hosts = {\"a.example\"} allowed_hosts += {\"a b\"}\n"
	    " mastodon_instances = {\"a.example\"}\n mastodon_instances = {\"nodot\"}\n}\n",
	    &cfg, &errs), RC_CONFIG);
	assert_null(cfg);
	/* Each reported once. */
	conf_fixture_expect_once(errs, lines, sizeof(lines) / sizeof(lines[0]));
	free(errs);
}

static void
test_init_and_health(void **state)
{
	struct config *cfg = NULL;
	char text[512], *errs;
	void *ctx = NULL;
	json_t *report = json_object();

	(void)state;
	snprintf(text, sizeof(text), "site_url = \"https://www.example.com\"\n"
	    "state_dir = \"%s/state\"\n", conf_fixture_dir());
	assert_int_equal(load(text, &cfg, &errs), RC_OK);
	assert_int_equal(share_init(cfg, &ctx), RC_OK);
	assert_true(share_health(ctx, report));
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(report, "share"), "store")), "ok");
	share_fini(ctx);
	snprintf(text, sizeof(text), "%s/state/share.sqlite", conf_fixture_dir());
	assert_int_equal(access(text, F_OK), 0);
	snprintf(text, sizeof(text), "%s/state/share.salt", conf_fixture_dir());
	assert_int_equal(access(text, F_OK), 0);
	config_free(cfg);
	free(errs);
	/* An unusable state_dir: init works, counting reports the error. */
	snprintf(text, sizeof(text), "site_url = \"https://www.example.com\"\n"
	    "state_dir = \"%s/c.conf/sub\"\n", conf_fixture_dir());
	assert_int_equal(load(text, &cfg, &errs), RC_OK);
	assert_int_equal(share_init(cfg, &ctx), RC_OK);
	assert_false(share_health(ctx, report));
	share_fini(ctx);
	share_fini(NULL);
	config_free(cfg);
	free(errs);
	json_decref(report);
}

static void
test_render_bar(void **state)
{
	const struct share_network *nets[] = { share_network_find("x"), share_network_find("email") };
	struct share_bar bar = { .mount = "/social", .url = "https://www.example.com/a?b=1&c=2",
		.title = "\"><script>alert(1)</script> & caf\xc3\xa9", .networks = nets, .n = 2 };
	struct buf b;
	const char *s;

	(void)state;
	buf_init(&b, 64 * 1024);
	assert_int_equal(share_render_bar(&b, &bar), RC_OK);
	s = buf_cstr(&b);
	assert_null(strstr(s, "<script>"));
	assert_non_null(strstr(s, "<social-share class=\"social-share\" role=\"group\" aria-label=\"Share this page\""
	    " data-url=\"https://www.example.com/a?b=1&amp;c=2\" data-title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; caf\xc3\xa9\""
	    " data-counts=\"/social/share/counts?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2\">"));
	assert_non_null(strstr(s, "href=\"/social/share/x?url=https%3A%2F%2Fwww.example.com%2Fa%3Fb%3D1%26c%3D2"
	    "&amp;title=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20%26%20caf%C3%A9\""));
	assert_non_null(strstr(s, "aria-label=\"Share on X\""));
	assert_non_null(strstr(s, "aria-label=\"Share by email\""));
	assert_non_null(strstr(s, "<span class=\"social-share__label\">Email</span>"));
	assert_non_null(strstr(s, "aria-hidden=\"true\" focusable=\"false\""));
	assert_null(strstr(s, "style="));
	assert_null(strstr(s, "script src"));
	buf_fini(&b);
	/* In another language: its words, escaped for their attributes. */
	bar.lang = "de";
	bar.name = "Diese \"Seite\" teilen";
	bar.share_on = "Auf {network} <teilen>";
	bar.native = "Teilen\u2026";
	bar.count_words = "{\"one\":\"{n} Mal\",\"other\":\"{n} Mal\"}";
	buf_init(&b, 64 * 1024);
	assert_int_equal(share_render_bar(&b, &bar), RC_OK);
	s = buf_cstr(&b);
	assert_non_null(strstr(s, "role=\"group\" lang=\"de\" aria-label=\"Diese &quot;Seite&quot; teilen\""));
	assert_non_null(strstr(s, "data-native-label=\"Teilen\u2026\""));
	assert_non_null(strstr(s, "data-count-words=\"{&quot;one&quot;:&quot;{n} Mal&quot;,"));
	assert_non_null(strstr(s, "aria-label=\"Auf X &lt;teilen&gt;\""));
	assert_non_null(strstr(s, "aria-label=\"Auf Email &lt;teilen&gt;\""));
	buf_fini(&b);
}

static void
test_render_picker(void **state)
{
	const char *const inst[] = { "mastodon.social", "fosstodon.org" };
	struct share_picker p = { .mount = "/social", .url = "https://www.example.com/",
		.title = "<b>T</b>", .text = "x\"y", .remembered = "fosstodon.org",
		.entered = "\"><img src=x>", .error = "Bad <name>.",
		.instances = inst, .ninstances = 2 };
	struct buf b;
	const char *s, *first;

	(void)state;
	buf_init(&b, 64 * 1024);
	assert_int_equal(share_render_picker(&b, &p), RC_OK);
	s = buf_cstr(&b);
	assert_null(strstr(s, "<b>"));
	assert_null(strstr(s, "<img"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "style="));
	assert_non_null(strstr(s, "<form method=\"post\" action=\"/social/share/mastodon\">"));
	assert_non_null(strstr(s, "<label for=\"instance\">"));
	assert_non_null(strstr(s, "aria-invalid=\"true\""));
	assert_non_null(strstr(s, "value=\"&quot;&gt;&lt;img src=x&gt;\""));
	assert_non_null(strstr(s, "<p id=\"instance-error\" role=\"alert\">Bad &lt;name&gt;.</p>"));
	assert_non_null(strstr(s, "<input type=\"hidden\" name=\"text\" value=\"x&quot;y\">"));
	/* The remembered instance comes first and only once. */
	first = strstr(s, "&amp;instance=");
	assert_non_null(first);
	assert_int_equal(strncmp(first, "&amp;instance=fosstodon.org\"", 28), 0);
	assert_null(strstr(first + 28, "instance=fosstodon.org"));
	assert_non_null(strstr(s, "instance=mastodon.social\""));
	buf_fini(&b);

	/* A server named by a link: named, escaped, pre-filled, with the token. */
	memset(&p, 0, sizeof(p));
	p.mount = "/social";
	p.url = "https://www.example.com/";
	p.confirm = "evil<x>.example";
	p.token = "tok_-1";
	buf_init(&b, 64 * 1024);
	assert_int_equal(share_render_picker(&b, &p), RC_OK);
	s = buf_cstr(&b);
	assert_non_null(strstr(s, "<strong>evil&lt;x&gt;.example</strong>"));
	assert_non_null(strstr(s, "value=\"evil&lt;x&gt;.example\""));
	assert_non_null(strstr(s, "<input type=\"hidden\" name=\"token\" value=\"tok_-1\">"));
	assert_null(strstr(s, "aria-invalid"));
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_list_entries),
		cmocka_unit_test(test_init_and_health),
		cmocka_unit_test(test_render_bar),
		cmocka_unit_test(test_render_picker),
	};

	return cmocka_run_group_tests(tests, conf_fixture_setup, conf_fixture_teardown);
}

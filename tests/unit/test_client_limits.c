/* test_client_limits: the pieces of the Mastodon registration guards —
 * a client's network (/24, /56), the on-disk attempt log shared by the
 * workers, and registrable domains from the public suffix list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/attempts.h"
#include "util/domain.h"
#include "util/netprefix.h"

/* Two addresses and whether they are the same client network. */
struct net_pair {
	const char *a;
	const char *b;
	bool same;
};
static const struct net_pair nets[] = {
	{ "192.0.2.1", "192.0.2.254", true },
	{ "192.0.2.1", "192.0.3.1", false },
	{ "192.0.2.1", "::ffff:192.0.2.77", true },      /* mapped = IPv4 */
	{ "2001:db8:1:ff::1", "2001:db8:1:0::2", true }, /* same /56 */
	{ "2001:db8:1:ff::1", "2001:db8:1:100::1", false },
	{ "2001:db8::1", "::ffff:32.1.13.184", false }, /* no v4/v6 confusion */
};

static void
test_netprefix_pairs(void **state)
{
	unsigned char ka[NETPREFIX_LEN], kb[NETPREFIX_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		assert_int_equal(netprefix_client(nets[i].a, ka), RC_OK);
		assert_int_equal(netprefix_client(nets[i].b, kb), RC_OK);
		if ((memcmp(ka, kb, NETPREFIX_LEN) == 0) != nets[i].same)
			fail_msg("%s vs %s: expected %s", nets[i].a, nets[i].b,
			    nets[i].same ? "same network" : "different networks");
	}
}

static void
test_netprefix_invalid(void **state)
{
	static const char *const bad[] = { "", "unix:", "1.2.3", "example.org", "::g", "1.2.3.4/24" };
	unsigned char k[NETPREFIX_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(netprefix_client(bad[i], k), RC_INVALID);
	assert_int_equal(netprefix_client(NULL, k), RC_INVALID);
}

static void
test_attempts_window(void **state)
{
	struct tmpdir t;
	char path[256];
	unsigned char a[ATTEMPTS_KEY_LEN] = { 1 }, b[ATTEMPTS_KEY_LEN] = { 2 };
	struct attempts_rule r = { .path = path, .window = 600, .max = 3 };
	long retry;

	(void)state;
	assert_int_equal(tmpdir_init(&t, "attempts"), 0);
	tmpdir_path(&t, "log", path, sizeof(path));
	for (int i = 0; i < 3; i++)
		assert_int_equal(attempts_take(&r, a, 1000 + i * 10, &retry), RC_OK);
	assert_int_equal(attempts_take(&r, a, 1030, &retry), RC_RATELIMIT);
	assert_int_equal(retry, 1000 + 600 - 1030);                  /* the oldest leaves then */
	assert_int_equal(attempts_take(&r, b, 1030, &retry), RC_OK); /* others are not held */
	assert_int_equal(attempts_take(&r, a, 1600, &retry), RC_OK); /* 1000 has left */
	assert_int_equal(attempts_take(&r, a, 1601, &retry), RC_RATELIMIT);
	assert_int_equal(tmpdir_fini(&t), 0);
}

static void
test_attempts_corrupt_and_ring(void **state)
{
	struct tmpdir t;
	char path[256];
	unsigned char k[ATTEMPTS_KEY_LEN] = { 0 };
	struct attempts_rule r = { .path = path, .window = 1000000, .max = 2 };
	FILE *f;
	long retry;

	(void)state;
	assert_int_equal(tmpdir_init(&t, "attempts"), 0);
	tmpdir_path(&t, "log", path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not a log", f);
	fclose(f);
	/* A corrupt file reads as empty: nobody is locked out by it. */
	assert_int_equal(attempts_take(&r, k, 5, &retry), RC_OK);
	/* The ring forgets: after ATTEMPTS_SLOTS others, k may go again. */
	assert_int_equal(attempts_take(&r, k, 6, &retry), RC_OK);
	assert_int_equal(attempts_take(&r, k, 7, &retry), RC_RATELIMIT);
	for (unsigned i = 0; i < ATTEMPTS_SLOTS; i++) {
		unsigned char o[ATTEMPTS_KEY_LEN] = { 9, (unsigned char)i, (unsigned char)(i >> 8) };
		assert_int_equal(attempts_take(&r, o, 8, &retry), RC_OK);
	}
	assert_int_equal(attempts_take(&r, k, 9, &retry), RC_OK);
	assert_int_equal(tmpdir_fini(&t), 0);
}

static void
test_domain_registrable(void **state)
{
	static const struct {
		const char *host, *want;
	} rows[] = {
		{ "mastodon.social", "mastodon.social" },
		{ "a.b.wild.example", "wild.example" },
		{ "social.example.co.uk", "example.co.uk" },
		{ "x.y.example.com", "example.com" },
	};
	struct domain_psl *l = domain_psl_new();

	(void)state;
	assert_non_null(l);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_string_equal(domain_registrable(l, rows[i].host), rows[i].want);
	/* Without a list: the last two labels. */
	assert_string_equal(domain_registrable(NULL, "a.b.example.org"), "example.org");
	assert_string_equal(domain_registrable(NULL, "org"), "org");
	domain_psl_free(l);
	domain_psl_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netprefix_pairs),
		cmocka_unit_test(test_netprefix_invalid),
		cmocka_unit_test(test_attempts_window),
		cmocka_unit_test(test_attempts_corrupt_and_ring),
		cmocka_unit_test(test_domain_registrable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

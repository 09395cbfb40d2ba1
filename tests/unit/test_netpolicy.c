/* test_netpolicy: the table of private and reserved addresses — every
 * range at its edges, just inside and just outside, the IPv4-mapped and
 * IPv4-compatible forms — and which configured URLs name one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/netpolicy.h"

/* An address and whether the table must call it private. */
struct row {
	const char *ip;
	bool priv;
};

/* IPv4: each range's first and last address, and its neighbours outside. */
static const struct row rows4[] = {
	/* 0.0.0.0/8 */
	{ "0.0.0.0", true }, { "0.255.255.255", true }, { "1.0.0.0", false },
	/* 10.0.0.0/8 */
	{ "9.255.255.255", false }, { "10.0.0.0", true }, { "10.255.255.255", true },
	{ "11.0.0.0", false },
	/* 100.64.0.0/10 */
	{ "100.63.255.255", false }, { "100.64.0.0", true }, { "100.127.255.255", true },
	{ "100.128.0.0", false },
	/* 127.0.0.0/8 */
	{ "126.255.255.255", false }, { "127.0.0.0", true }, { "127.0.0.1", true },
	{ "127.255.255.255", true }, { "128.0.0.0", false },
	/* 169.254.0.0/16 */
	{ "169.253.255.255", false }, { "169.254.0.0", true }, { "169.254.169.254", true },
	{ "169.254.255.255", true }, { "169.255.0.0", false },
	/* 172.16.0.0/12 */
	{ "172.15.255.255", false }, { "172.16.0.0", true }, { "172.31.255.255", true },
	{ "172.32.0.0", false },
	/* 192.0.0.0/24 and 192.0.2.0/24, with 192.0.1.0/24 between them */
	{ "191.255.255.255", false }, { "192.0.0.0", true }, { "192.0.0.255", true },
	{ "192.0.1.0", false }, { "192.0.1.255", false }, { "192.0.2.0", true },
	{ "192.0.2.255", true }, { "192.0.3.0", false },
	/* 192.168.0.0/16 */
	{ "192.167.255.255", false }, { "192.168.0.0", true }, { "192.168.255.255", true },
	{ "192.169.0.0", false },
	/* 198.18.0.0/15 */
	{ "198.17.255.255", false }, { "198.18.0.0", true }, { "198.19.255.255", true },
	{ "198.20.0.0", false },
	/* 198.51.100.0/24 */
	{ "198.51.99.255", false }, { "198.51.100.0", true }, { "198.51.100.255", true },
	{ "198.51.101.0", false },
	/* 203.0.113.0/24 */
	{ "203.0.112.255", false }, { "203.0.113.0", true }, { "203.0.113.255", true },
	{ "203.0.114.0", false },
	/* 224.0.0.0/4, 240.0.0.0/4, 255.255.255.255 */
	{ "223.255.255.255", false }, { "224.0.0.0", true }, { "239.255.255.255", true },
	{ "240.0.0.0", true }, { "255.255.255.254", true }, { "255.255.255.255", true },
	/* public */
	{ "8.8.8.8", false }, { "1.1.1.1", false }, { "93.184.216.34", false },
};

static const struct row rows6[] = {
	/* ::/128, ::1/128 */
	{ "::", true }, { "::1", true },
	/* IPv4-compatible ::a.b.c.d, judged by the IPv4 table */
	{ "::2", true }, { "::10.0.0.1", true }, { "::127.0.0.1", true },
	{ "::169.254.169.254", true }, { "::8.8.8.8", false }, { "::1.0.0.0", false },
	{ "::255.255.255.255", true },
	/* just past ::/96 */
	{ "::1:0:0", false }, { "::1:7f00:1", false },
	/* IPv4-mapped ::ffff:a.b.c.d */
	{ "::ffff:0.0.0.0", true }, { "::ffff:127.0.0.1", true }, { "::ffff:10.0.0.1", true },
	{ "::ffff:192.0.2.1", true }, { "::ffff:203.0.113.9", true },
	{ "::ffff:8.8.8.8", false }, { "::ffff:172.32.0.1", false },
	{ "::fffe:ffff:ffff", false }, { "::1:ffff:7f00:1", false },
	/* 64:ff9b::/96 NAT64, 64:ff9b:1::/48 */
	{ "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", false }, { "64:ff9b::", true },
	{ "64:ff9b::8.8.8.8", true }, { "64:ff9b::ffff:ffff", true },
	{ "64:ff9b::1:0:0", false }, { "64:ff9b:1::", true },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", true }, { "64:ff9b:2::", false },
	/* 100::/64 discard */
	{ "100::", true }, { "100::ffff:ffff:ffff:ffff", true }, { "100:0:0:1::", false },
	/* 2001:db8::/32, 3fff::/20 documentation */
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false }, { "2001:db8::", true },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true }, { "2001:db9::", false },
	{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false }, { "3fff::", true },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", true }, { "3fff:1000::", false },
	/* fc00::/7 */
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false }, { "fc00::", true },
	{ "fd12:3456::1", true }, { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	/* fe80::/10, fec0::/10 */
	{ "fe00::", false }, { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "fe80::", true }, { "fe80::1", true }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "fec0::", true }, { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	/* ff00::/8 */
	{ "ff00::", true }, { "ff02::1", true }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	/* public */
	{ "2001:4860:4860::8888", false }, { "2a00:1450::1", false }, { "2606:4700::1111", false },
	{ "2001:db7::1", false }, { "2002::1", false },
};

static bool
addr_private(const char *ip)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	if (strchr(ip, ':') != NULL) {
		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	} else {
		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
	}
	return netpolicy_addr_private((struct sockaddr *)&ss);
}

static void
check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (addr_private(rows[i].ip) != rows[i].priv)
			fail_msg("%s: want %s (sockaddr)", rows[i].ip, rows[i].priv ? "private" : "public");
		if (netpolicy_ip_private(rows[i].ip) != rows[i].priv)
			fail_msg("%s: want %s (text)", rows[i].ip, rows[i].priv ? "private" : "public");
	}
}

static void
test_table_v4(void **state)
{
	(void)state;
	check_rows(rows4, sizeof(rows4) / sizeof(rows4[0]));
}

static void
test_table_v6(void **state)
{
	(void)state;
	check_rows(rows6, sizeof(rows6) / sizeof(rows6[0]));
}

/* Every IPv4 row says the same through the mapped and compatible forms. */
static void
test_table_embedded_v4(void **state)
{
	char ip[64];

	(void)state;
	for (size_t i = 0; i < sizeof(rows4) / sizeof(rows4[0]); i++) {
		snprintf(ip, sizeof(ip), "::ffff:%s", rows4[i].ip);
		if (addr_private(ip) != rows4[i].priv)
			fail_msg("%s: want %s", ip, rows4[i].priv ? "private" : "public");
		snprintf(ip, sizeof(ip), "::%s", rows4[i].ip);
		if (addr_private(ip) != rows4[i].priv)
			fail_msg("%s: want %s", ip, rows4[i].priv ? "private" : "public");
	}
}

/* What is not an IPv4 or IPv6 address is never public. */
static void
test_other_families(void **state)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	(void)state;
	assert_true(netpolicy_addr_private((struct sockaddr *)&un));
	assert_true(netpolicy_addr_private(&unspec));
	assert_true(netpolicy_ip_private(""));
	assert_true(netpolicy_ip_private(NULL));
	assert_true(netpolicy_ip_private("example.com"));
	assert_true(netpolicy_ip_private("2130706433"));
	assert_true(netpolicy_ip_private("8.8.8.8 "));
}

static void
test_url_private(void **state)
{
	static const char *const priv[] = {
		"http://127.0.0.1:8080/feed", "http://localhost/feed", "http://demo.localhost/feed",
		"http://LOCALHOST:9/x", "http://[::1]:9/feed", "https://10.0.0.5/x",
		"http://169.254.169.254/latest", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/",
		"http://192.0.2.1/", "http://user@127.0.0.1/",
	};
	static const char *const pub[] = {
		"https://example.com/feed", "https://8.8.8.8/feed", "https://localhost.example.com/",
		"http://[2001:4860::1]/", "not a url", "ftp://127.0.0.1/", "/relative",
		/* Forms inet_pton refuses: judged as names, so public trust and the
		 * connected peer decides (a loopback peer is then refused). */
		"http://2130706433/", "http://0x7f000001/", "http://127.1/",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		if (!netpolicy_url_private(priv[i]))
			fail_msg("%s should name a private address", priv[i]);
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		if (netpolicy_url_private(pub[i]))
			fail_msg("%s should not name a private address", pub[i]);
}

/* The CA file check behind check-config's fetch_ca_file errors. */
static void
test_ca_file_ok(void **state)
{
	char err[512], path[] = "/tmp/test_netpolicy_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("not a certificate\n", f);
	fclose(f);
	assert_false(netpolicy_ca_file_ok(path, err, sizeof(err)));
	assert_non_null(strstr(err, "holds no PEM certificate"));
	assert_false(netpolicy_ca_file_ok("/nonexistent/ca.pem", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read"));
	assert_false(netpolicy_ca_file_ok("", err, sizeof(err)));
	assert_string_equal(err, "must name a PEM file of CA certificates");
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_v4),
		cmocka_unit_test(test_table_v6),
		cmocka_unit_test(test_table_embedded_v4),
		cmocka_unit_test(test_other_families),
		cmocka_unit_test(test_url_private),
		cmocka_unit_test(test_ca_file_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

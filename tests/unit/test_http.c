/* test_http: the libcurl client against a tiny local server — size cap in
 * the write callback, timeouts, no redirects unless asked, schemes, headers,
 * Basic auth and forms, the policy's user agent, and the peers a
 * public_only call (a visitor-chosen Mastodon instance) refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/http.h"
#include "util/netpolicy.h"

#define TEST_UA "socialhub-test/1 (+http://127.0.0.1)"

static pid_t server_pid, server2_pid;
static int server_port;      /* 127.0.0.1 */
static int server2_port;     /* 127.0.0.2, public under `pub_policy` */
static struct netpolicy *policy, *pub_policy;
static struct http_ops http_ops, pub_ops;

static void
reply(int fd, const char *head, const char *body, size_t n)
{
	char h[1024];
	int len = snprintf(h, sizeof(h), "%sContent-Length: %zu\r\nConnection: close\r\n\r\n", head, n);

	if (write(fd, h, (size_t)len) < 0 || (n > 0 && write(fd, body, n) < 0))
		return;
}

/* Reads the request head (and a small body) into buf. */
static size_t
read_request(int fd, char *buf, size_t max)
{
	size_t got = 0;
	char *end;

	while (got < max - 1) {
		ssize_t r = read(fd, buf + got, max - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
		if ((unsigned char)buf[0] == 0x16)
			break; /* a TLS ClientHello: answer in plain text at once */
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL) {
			const char *cl = strcasestr(buf, "Content-Length:");
			size_t need = (size_t)(end + 4 - buf) + (cl != NULL ? (size_t)atol(cl + 15) : 0);
			if (got >= need)
				break;
		}
	}
	buf[got] = '\0';
	return got;
}

static void
serve_one(int fd)
{
	char req[65536];
	size_t n = read_request(fd, req, sizeof(req));

	if (strncmp(req, "GET /json ", 10) == 0) {
		reply(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
		    "Retry-After:  120 \r\n", "{\"a\":1}", 7);
	} else if (strncmp(req, "GET /big ", 9) == 0) {
		size_t len = 2u << 20;
		char *big = malloc(len);
		memset(big, 'x', len);
		reply(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", big, len);
		free(big);
	} else if (strncmp(req, "GET /redirect ", 14) == 0) {
		reply(fd, "HTTP/1.1 302 Found\r\nLocation: /json\r\n", "", 0);
	} else if (strncmp(req, "GET /redirect-to?u=", 19) == 0) {
		char head[512];
		snprintf(head, sizeof(head), "HTTP/1.1 302 Found\r\nLocation: %.*s\r\n",
		    (int)strcspn(req + 19, " "), req + 19);
		reply(fd, head, "", 0);
	} else if (strncmp(req, "GET /slow ", 10) == 0) {
		sleep(3);
		reply(fd, "HTTP/1.1 200 OK\r\n", "late", 4);
	} else {
		/* /echo and anything else: the request itself. */
		reply(fd, "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n", req, n);
	}
	close(fd);
}

/* Serves 127.0.0.x on a free port from a child process; returns its pid. */
static pid_t
serve_on(const char *ip, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pid_t pid;

	inet_pton(AF_INET, ip, &sa.sin_addr);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 16) != 0)
		return -1;
	getsockname(lfd, (struct sockaddr *)&sa, &len);
	*port = ntohs(sa.sin_port);
	pid = fork();
	if (pid == 0) {
		for (;;) {
			int fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				_exit(0);
			if (fork() == 0) {
				serve_one(fd);
				_exit(0);
			}
			close(fd);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
	}
	close(lfd);
	return pid;
}

/* The address seam: 127.0.0.2 counts as a public address. */
static bool
pub_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

	if (sa->sa_family == AF_INET && ntohl(s4->sin_addr.s_addr) == 0x7f000002)
		return false;
	return netpolicy_addr_private(sa);
}

static int
setup(void **state)
{
	(void)state;
	server_pid = serve_on("127.0.0.1", &server_port);
	server2_pid = serve_on("127.0.0.2", &server2_port);
	if (server_pid < 0 || server2_pid < 0 || netpolicy_global_init() != RC_OK ||
	    netpolicy_new(&(struct netpolicy_conf){ .user_agent = TEST_UA }, &policy) != RC_OK ||
	    netpolicy_new(&(struct netpolicy_conf){ .user_agent = TEST_UA,
	    .addr_private = pub_loopback }, &pub_policy) != RC_OK)
		return -1;
	http_ops = http_curl(policy);
	pub_ops = http_curl(pub_policy);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
	kill(server2_pid, SIGTERM);
	waitpid(server2_pid, NULL, 0);
	netpolicy_free(policy);
	netpolicy_free(pub_policy);
	return 0;
}

static char *
url(struct arena *a, const char *path)
{
	return arena_printf(a, "http://127.0.0.1:%d%s", server_port, path);
}

static void
test_json_and_headers(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct http_request rq = { .url = url(a, "/json"), .want_headers = { "X-None", "retry-after" } };
	struct http_response rs;

	(void)state;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body, "{\"a\":1}");
	assert_int_equal(rs.body_len, 7);
	assert_true(http_is_json(&rs));
	assert_null(rs.header_values[0]);
	assert_string_equal(rs.header_values[1], "120");
	arena_free(a);
}

static void
test_size_cap(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct http_request rq = { .url = url(a, "/big"), .max_body = 1u << 20 };
	struct http_response rs;

	(void)state;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_TOOBIG);
	rq.max_body = 4u << 20;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.body_len, 2u << 20);
	arena_free(a);
}

static void
test_redirects(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct http_request rq = { .url = url(a, "/redirect") };
	struct http_response rs;

	(void)state;
	/* Not followed unless asked: the 302 itself comes back. */
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 302);
	rq.max_redirects = 2;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 200);
	assert_true(http_is_json(&rs));
	arena_free(a);
}

static void
test_timeouts(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct http_request rq = { .url = url(a, "/slow"), .total_ms = 300 };
	struct http_response rs;

	(void)state;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_TIMEOUT);
	/* Nothing listens on port 1: a connection failure, not a hang. */
	rq.url = "http://127.0.0.1:1/";
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_UPSTREAM);
	arena_free(a);
}

static void
test_schemes(void **state)
{
	static const char *const bad[] = {
		"ftp://127.0.0.1/", "file:///etc/passwd", "gopher://x/", "dict://x/", "ldap://x/",
		"javascript:alert(1)", "127.0.0.1/json", "", "//127.0.0.1/",
	};
	struct arena *a = arena_new(4096, 0);
	struct http_response rs;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_request rq = { .url = bad[i] };
		assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_INVALID);
	}
	assert_true(http_url_allowed("HTTPS://example.com/"));
	assert_false(http_url_allowed(NULL));
	arena_free(a);
}

static void
test_post_form_basic(void **state)
{
	struct arena *a = arena_new(65536, 0);
	struct http_request rq = {
		.url = url(a, "/echo"), .form = "grant_type=authorization_code&code=abc",
		.headers = { "Accept: application/json" }, .basic_user = "client%3Aid",
		.basic_pass = "s3cret",
	};
	struct http_response rs;

	(void)state;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 201);
	assert_non_null(strstr(rs.body, "POST /echo HTTP/1.1"));
	assert_non_null(strstr(rs.body, "Content-Type: application/x-www-form-urlencoded"));
	assert_non_null(strstr(rs.body, "Accept: application/json"));
	/* base64("client%3Aid:s3cret") */
	assert_non_null(strstr(rs.body, "Authorization: Basic Y2xpZW50JTNBaWQ6czNjcmV0"));
	/* The policy's user agent. */
	assert_non_null(strstr(rs.body, "\r\nUser-Agent: " TEST_UA "\r\n"));
	assert_non_null(strstr(rs.body, "\r\n\r\ngrant_type=authorization_code&code=abc"));
	assert_null(strstr(rs.body, "Expect:"));
	assert_false(http_is_json(&rs));
	/* Header injection through a request header is refused. */
	rq.headers[0] = "X-Evil: a\r\nInjected: b";
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_INVALID);
	arena_free(a);
}

/* TLS is verified: a plain-text server spoken to as https fails. */
static void
test_tls_failure(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct http_request rq = { .url = arena_printf(a, "https://127.0.0.1:%d/json", server_port),
		.total_ms = 2000 };
	struct http_response rs;

	(void)state;
	assert_int_equal(http_perform(&http_ops, a, &rq, &rs), RC_UPSTREAM);
	arena_free(a);
}

/* Runs one call with stderr in a file; returns the rc, the log in log. */
static enum rc
perform_logged(const struct http_ops *ops, struct arena *a, const struct http_request *rq,
    char *log, size_t max)
{
	char path[] = "/tmp/test_http_log_XXXXXX";
	struct http_response rs;
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;
	enum rc rc;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	rc = http_perform(ops, a, rq, &rs);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, log, max - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

/*
 * SSRF guard: a visitor-chosen host (public_only) reaches no address of the
 * table. One address inside each range, IPv4 and IPv6, mapped and
 * compatible forms: each call fails and the log names the refused peer
 * (the check runs before the socket is even made).
 */
static void
test_public_only_refuses_table(void **state)
{
	static const char *const ips[] = {
		"0.0.0.0", "0.255.255.255", "10.0.0.1", "10.255.255.255", "100.64.0.1",
		"100.127.255.254", "127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1",
		"172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1",
		"198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250",
		"240.0.0.1", "255.255.255.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"::127.0.0.1", "::10.0.0.1", "64:ff9b::a00:1", "64:ff9b:1::1", "100::1",
		"2001:db8::1", "3fff::1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1",
	};
	struct arena *a = arena_new(4096, 0);
	char log[8192], want[96], norm[64];

	(void)state;
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		struct http_request rq = { .public_only = true, .connect_ms = 1000, .total_ms = 2000 };
		unsigned char bin[16];
		bool v6 = strchr(ips[i], ':') != NULL;
		assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, ips[i], bin), 1);
		inet_ntop(v6 ? AF_INET6 : AF_INET, bin, norm, sizeof(norm));
		rq.url = v6 ? arena_printf(a, "http://[%s]:%d/json", ips[i], server_port) :
		    arena_printf(a, "http://%s:%d/json", ips[i], server_port);
		snprintf(want, sizeof(want), "event=http_peer_refused ip=%s\n", norm);
		if (perform_logged(&http_ops, a, &rq, log, sizeof(log)) != RC_UPSTREAM ||
		    strstr(log, want) == NULL)
			fail_msg("%s: not refused as a peer; log: %s", ips[i], log);
	}
	arena_free(a);
}

/* A public peer is reached; a redirect from it to a private one is not. */
static void
test_public_only_redirect(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct http_request rq = { .public_only = true, .max_redirects = 2 };
	struct http_response rs;
	char log[8192];

	(void)state;
	rq.url = arena_printf(a, "http://127.0.0.2:%d/json", server2_port);
	assert_int_equal(http_perform(&pub_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 200);
	rq.url = arena_printf(a, "http://127.0.0.2:%d/redirect-to?u=http://127.0.0.1:%d/json",
	    server2_port, server_port);
	assert_int_equal(perform_logged(&pub_ops, a, &rq, log, sizeof(log)), RC_UPSTREAM);
	assert_non_null(strstr(log, "event=http_peer_refused ip=127.0.0.1\n"));
	/* Loopback itself, by address and by name. */
	rq.url = url(a, "/json");
	assert_int_equal(http_perform(&pub_ops, a, &rq, &rs), RC_UPSTREAM);
	rq.url = arena_printf(a, "http://localhost:%d/json", server_port);
	assert_int_equal(http_perform(&pub_ops, a, &rq, &rs), RC_UPSTREAM);
	/* A provider the admin configured may be anywhere, redirects too. */
	rq.public_only = false;
	rq.url = arena_printf(a, "http://127.0.0.2:%d/redirect-to?u=http://127.0.0.1:%d/json",
	    server2_port, server_port);
	assert_int_equal(http_perform(&pub_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 200);
	arena_free(a);
}

static void
test_is_json(void **state)
{
	struct http_response rs = { 0 };

	(void)state;
	rs.content_type = "application/json";
	assert_true(http_is_json(&rs));
	rs.content_type = "application/jwk-set+json; charset=utf-8";
	assert_true(http_is_json(&rs));
	rs.content_type = "application/jsonx";
	assert_false(http_is_json(&rs));
	rs.content_type = "text/html";
	assert_false(http_is_json(&rs));
	rs.content_type = NULL;
	assert_false(http_is_json(&rs));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_and_headers),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_schemes),
		cmocka_unit_test(test_post_form_basic),
		cmocka_unit_test(test_tls_failure),
		cmocka_unit_test(test_public_only_refuses_table),
		cmocka_unit_test(test_public_only_redirect),
		cmocka_unit_test(test_is_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_http: the libcurl client against a tiny local server — size cap in
 * the write callback, timeouts, no redirects unless asked, schemes, headers,
 * Basic auth and forms. */
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

static pid_t server_pid;
static int server_port;

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
	} else if (strncmp(req, "GET /slow ", 10) == 0) {
		sleep(3);
		reply(fd, "HTTP/1.1 200 OK\r\n", "late", 4);
	} else {
		/* /echo and anything else: the request itself. */
		reply(fd, "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n", req, n);
	}
	close(fd);
}

static int
setup(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 16) != 0)
		return -1;
	getsockname(lfd, (struct sockaddr *)&sa, &len);
	server_port = ntohs(sa.sin_port);
	server_pid = fork();
	if (server_pid == 0) {
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
	return http_global_init() == RC_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
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
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_OK);
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
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_TOOBIG);
	rq.max_body = 4u << 20;
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_OK);
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
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 302);
	rq.max_redirects = 2;
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_OK);
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
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_TIMEOUT);
	/* Nothing listens on port 1: a connection failure, not a hang. */
	rq.url = "http://127.0.0.1:1/";
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_UPSTREAM);
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
		assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_INVALID);
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
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_OK);
	assert_int_equal(rs.status, 201);
	assert_non_null(strstr(rs.body, "POST /echo HTTP/1.1"));
	assert_non_null(strstr(rs.body, "Content-Type: application/x-www-form-urlencoded"));
	assert_non_null(strstr(rs.body, "Accept: application/json"));
	/* base64("client%3Aid:s3cret") */
	assert_non_null(strstr(rs.body, "Authorization: Basic Y2xpZW50JTNBaWQ6czNjcmV0"));
	assert_non_null(strstr(rs.body, "\r\n\r\ngrant_type=authorization_code&code=abc"));
	assert_null(strstr(rs.body, "Expect:"));
	assert_false(http_is_json(&rs));
	/* Header injection through a request header is refused. */
	rq.headers[0] = "X-Evil: a\r\nInjected: b";
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_INVALID);
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
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_UPSTREAM);
	arena_free(a);
}

/* SSRF guard: visitor-chosen hosts may not reach private addresses. */
static void
test_public_only(void **state)
{
	static const struct { const char *ip; bool pub; } rows[] = {
		{ "127.0.0.1", false }, { "10.1.2.3", false }, { "172.16.0.1", false },
		{ "172.31.255.255", false }, { "172.32.0.1", true }, { "192.168.1.1", false },
		{ "169.254.169.254", false }, { "100.64.0.1", false }, { "0.0.0.0", false },
		{ "224.0.0.1", false }, { "255.255.255.255", false }, { "8.8.8.8", true },
		{ "93.184.216.34", true }, { "::1", false }, { "::", false }, { "fd00::1", false },
		{ "fe80::1", false }, { "ff02::1", false }, { "::ffff:127.0.0.1", false },
		{ "::ffff:8.8.8.8", true }, { "2001:db8::1", false }, { "2a00:1450::1", true },
	};
	struct arena *a = arena_new(4096, 0);
	struct http_request rq = { .url = url(a, "/json"), .public_only = true };
	struct http_response rs;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sockaddr_storage ss = { 0 };
		if (strchr(rows[i].ip, ':') != NULL) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			assert_int_equal(inet_pton(AF_INET6, rows[i].ip, &s6->sin6_addr), 1);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			assert_int_equal(inet_pton(AF_INET, rows[i].ip, &s4->sin_addr), 1);
		}
		if (http_addr_public((struct sockaddr *)&ss) != rows[i].pub)
			fail_msg("%s: expected %s", rows[i].ip, rows[i].pub ? "public" : "not public");
	}
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_UPSTREAM);
	rq.url = arena_printf(a, "http://localhost:%d/json", server_port);
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_UPSTREAM);
	rq.public_only = false;
	assert_int_equal(http_perform(&http_curl_ops, a, &rq, &rs), RC_OK);
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
		cmocka_unit_test(test_public_only),
		cmocka_unit_test(test_is_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

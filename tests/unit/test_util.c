/* test_util: arena, buf, url, html, crypto, jsonutil, fsutil, log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/html.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/url.h"

static int order[4];
static int norder;

static void
record(void *arg)
{
	order[norder++] = *(int *)arg;
}

static void
test_arena(void **state)
{
	static int one = 1, two = 2;
	struct arena *a = arena_new(64, 4096);
	char *p;

	(void)state;
	assert_non_null(a);
	p = arena_alloc(a, 10);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	/* Growing past the first block works, passing the limit fails. */
	assert_non_null(arena_alloc(a, 1000));
	assert_null(arena_alloc(a, 5000));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 4));
	assert_string_equal(arena_printf(a, "%s-%d", "x", 42), "x-42");
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_null(arena_strdup(a, NULL));
	norder = 0;
	assert_int_equal(arena_defer(a, record, &one), RC_OK);
	assert_int_equal(arena_defer(a, record, &two), RC_OK);
	arena_reset(a);
	/* Cleanups run newest first, exactly once. */
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 1);
	assert_int_equal(arena_used(a), 0);
	arena_reset(a);
	assert_int_equal(norder, 2);
	assert_non_null(arena_alloc(a, 4000));
	arena_free(a);
	arena_free(NULL);
}

/* Reset keeps grown blocks (up to a cap) and hands them out again: the
 * same memory comes back, it is usable, the limit still applies, and
 * blocks over the cap are freed (ASan's leak check covers arena_free). */
static void
test_arena_reuse(void **state)
{
	struct arena *a = arena_new(64, 0);
	struct arena *l = arena_new(64, 3000);
	unsigned char *p, *q, *big;
	int round;

	(void)state;
	assert_non_null(a);
	assert_non_null(l);
	assert_non_null(arena_alloc(a, 32));
	p = arena_alloc(a, 2000);
	assert_non_null(p);
	memset(p, 0xab, 2000);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	assert_non_null(arena_alloc(a, 32));
	q = arena_alloc(a, 2000);
	assert_ptr_equal(q, p);
	memset(q, 0xcd, 2000);
	/* Needing more than any kept block: a new one. */
	big = arena_alloc(a, 100000);
	assert_non_null(big);
	assert_true(big < q || big >= q + 2000);
	memset(big, 1, 100000);
	/* Over the cap (8 MiB): freed at reset, not kept. */
	assert_non_null(arena_alloc(a, (size_t)9 << 20));
	for (round = 0; round < 3; round++) {
		arena_reset(a);
		assert_int_equal(arena_used(a), 0);
		assert_non_null(arena_alloc(a, 32));
		assert_ptr_equal(arena_alloc(a, 2000), p);
		assert_non_null(arena_alloc(a, 100000));
	}
	arena_free(a);
	/* Reused blocks still count against the limit. */
	assert_non_null(arena_alloc(l, 2000));
	arena_reset(l);
	assert_non_null(arena_alloc(l, 2000));
	assert_null(arena_alloc(l, 2000));
	arena_free(l);
}

/* Blocks of 2 MiB and more (mapped, huge pages asked for): usable to the
 * last byte, aligned, kept across a reset up to the cap and handed out
 * again, given back by a rewind. */
static void
test_arena_huge(void **state)
{
	struct arena *a = arena_new((size_t)3 << 20, 0);
	struct arena_mark m;
	unsigned char *p, *q, *r;

	(void)state;
	assert_non_null(a);
	p = arena_alloc(a, (size_t)3 << 20);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	memset(p, 1, (size_t)3 << 20);
	m = arena_mark(a);
	q = arena_alloc(a, (size_t)5 << 20);   /* a second mapped block */
	assert_non_null(q);
	assert_int_equal((uintptr_t)q % 16, 0);
	memset(q, 2, (size_t)5 << 20);
	assert_int_equal(p[((size_t)3 << 20) - 1], 1);
	arena_rewind(a, &m);
	assert_int_equal(arena_used(a), (size_t)3 << 20);
	r = arena_alloc(a, (size_t)5 << 20);   /* the kept block again */
	assert_ptr_equal(r, q);
	memset(r, 3, (size_t)5 << 20);
	arena_reset(a);
	assert_ptr_equal(arena_alloc(a, 100), p);
	assert_non_null(arena_alloc(a, (size_t)20 << 20)); /* over the cap */
	arena_reset(a);
	arena_free(a);
}

/* A rewind gives back what was allocated since the mark (the limit counts
 * it no more), runs the cleanups registered since, and keeps the rest. */
static void
test_arena_rewind(void **state)
{
	struct arena *a = arena_new(64, 8000);
	struct arena_mark m;
	int one = 1, two = 2;
	char *keep, *p;

	(void)state;
	assert_non_null(a);
	keep = arena_strdup(a, "kept");
	assert_int_equal(arena_defer(a, record, &one), RC_OK);
	m = arena_mark(a);
	norder = 0;
	assert_int_equal(arena_defer(a, record, &two), RC_OK);
	assert_non_null(arena_alloc(a, 3000));
	assert_non_null(arena_alloc(a, 3000));
	assert_null(arena_alloc(a, 3000));      /* the limit */
	arena_rewind(a, &m);
	assert_int_equal(norder, 1);            /* only the later cleanup */
	assert_int_equal(order[0], 2);
	assert_int_equal(arena_used(a), m.used);
	assert_string_equal(keep, "kept");
	p = arena_alloc(a, 3000);               /* counted from the mark */
	assert_non_null(p);
	assert_non_null(arena_alloc(a, 3000));
	/* Rewinding within the current block. */
	m = arena_mark(a);
	assert_non_null(arena_alloc(a, 16));
	arena_rewind(a, &m);
	assert_int_equal(arena_used(a), m.used);
	norder = 0;
	arena_free(a);
	assert_int_equal(norder, 1);            /* the earlier cleanup, once */
	assert_int_equal(order[0], 1);
}

static void
test_buf(void **state)
{
	struct buf b;
	char *taken;
	size_t n;

	(void)state;
	buf_init(&b, 10);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_appends(&b, "hello"), RC_OK);
	assert_int_equal(buf_appendf(&b, "%d", 1234), RC_OK);
	assert_string_equal(buf_cstr(&b), "hello1234");
	/* Over the cap: refused, contents unchanged. */
	assert_int_equal(buf_appends(&b, "xy"), RC_LIMIT);
	assert_int_equal(buf_appendf(&b, "%s", "xy"), RC_LIMIT);
	assert_string_equal(buf_cstr(&b), "hello1234");
	assert_int_equal(buf_appendc(&b, '!'), RC_OK);
	assert_int_equal(buf_appendc(&b, '!'), RC_LIMIT);
	taken = buf_take(&b, &n);
	assert_int_equal(n, 10);
	assert_string_equal(taken, "hello1234!");
	free(taken);
	assert_int_equal(b.len, 0);
	buf_fini(&b);
}

static void
test_utf8(void **state)
{
	static const struct { const char *s; int ok; } cases[] = {
		{ "plain", 1 }, { "caf\xc3\xa9", 1 }, { "\xe2\x82\xac", 1 },
		{ "\xf0\x9f\x98\x80", 1 }, { "\xc3\x28", 0 }, { "\xc0\xaf", 0 },
		{ "\xe0\x80\xaf", 0 }, { "\xed\xa0\x80", 0 }, { "\xf4\x90\x80\x80", 0 },
		{ "\xff", 0 }, { "\xe2\x82", 0 }, { "\x80", 0 }, { "\xf0\x9f\x98", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].ok);
}

/* The word-at-a-time ASCII path: each case at every offset of two 8-byte
 * words of ASCII, so sequences start, end and straddle word boundaries,
 * and a cut-off sequence at the very end of the input. */
static void
test_utf8_offsets(void **state)
{
	static const struct { const char *s; int ok; } cases[] = {
		{ "\xc3\xa9", 1 }, { "\xe2\x82\xac", 1 }, { "\xf0\x9f\x98\x80", 1 },
		{ "\xef\xbf\xbf", 1 }, { "\xf4\x8f\xbf\xbf", 1 }, { "\xed\x9f\xbf", 1 },
		{ "\x80", 0 }, { "\xc1\xbf", 0 }, { "\xc3", 0 }, { "\xc3\x41", 0 },
		{ "\xe0\x9f\xbf", 0 }, { "\xed\xbf\xbf", 0 }, { "\xf0\x8f\xbf\xbf", 0 },
		{ "\xf4\x90\x80\x80", 0 }, { "\xf5\x80\x80\x80", 0 }, { "\xe2\x82", 0 },
		{ "\xf0\x9f\x98\x41", 0 }, { "\xfe", 0 },
	};
	char b[32];

	(void)state;
	assert_int_equal(utf8_seqlen("A\xc3", 2), 1);
	assert_int_equal(utf8_seqlen("\xc3\xa9", 2), 2);
	assert_int_equal(utf8_seqlen("\xc3\xa9", 1), 0);
	assert_int_equal(utf8_seqlen("\xf0\x9f\x98\x80!", 5), 4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].s);
		for (size_t off = 0; off <= 16; off++) {
			memset(b, 'a', sizeof(b));
			memcpy(b + off, cases[i].s, n);
			assert_int_equal(utf8_valid(b, off + n + 8), cases[i].ok);
			assert_int_equal(utf8_valid(b, off + n), cases[i].ok);
			/* Cut inside the sequence: only whole ones are valid. */
			if (n > 1)
				assert_false(utf8_valid(b, off + n - 1));
		}
	}
}

/* utf8_valid's answer worked out one sequence at a time (utf8_seqlen):
 * what the vector path must agree with. */
static bool
utf8_valid_ref(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_seqlen(s + i, n - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

/* Inputs of 64 bytes and more (checked 32 at a time where the CPU has
 * AVX2): every pair of bytes followed by a byte of each class, at the
 * ends of 32-byte blocks, whole and cut short at the end of the input;
 * then random text, valid and with one bit flipped, against the
 * sequence-by-sequence reference. */
static void
test_utf8_vector(void **state)
{
	static const unsigned char third[] = { 0x41, 0x80, 0x8f, 0x90, 0x9f,
	    0xa0, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff };
	static const size_t offs[] = { 30, 31, 62, 63 };
	unsigned seed = 12345;
	char b[160];

	(void)state;
	for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
		for (unsigned x = 0; x < 256 * 256; x++) {
			for (size_t t = 0; t < sizeof(third); t++) {
				size_t at = offs[o];
				memset(b, 'a', sizeof(b));
				b[at] = (char)(x >> 8);
				b[at + 1] = (char)(x & 0xff);
				b[at + 2] = (char)third[t];
				assert_int_equal(utf8_valid(b, sizeof(b)),
				    utf8_valid_ref(b, sizeof(b)));
				for (size_t end = at + 1; end <= at + 3; end++) {
					if (end >= 64)
						assert_int_equal(utf8_valid(b, end),
						    utf8_valid_ref(b, end));
				}
			}
		}
	}
	for (int round = 0; round < 200000; round++) {
		size_t n = 0, want = 64 + (size_t)(rand_r(&seed) % 90);
		while (n + 4 <= want) {
			uint32_t cp = (uint32_t)rand_r(&seed) % 0x110000;
			if (rand_r(&seed) % 2)
				cp %= 0x800;
			if (cp >= 0xd800 && cp < 0xe000)
				cp = 'x';
			n += utf8_encode(b + n, cp);
		}
		assert_true(utf8_valid(b, n));
		b[(size_t)rand_r(&seed) % n] ^= (char)(1 << (rand_r(&seed) % 8));
		assert_int_equal(utf8_valid(b, n), utf8_valid_ref(b, n));
	}
}

/* Display-safe text: controls, separators and bidi formatting dropped,
 * letters kept, broken UTF-8 as '?'. */
static void
test_utf8_display(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "Zo\xc3\xab", "Zo\xc3\xab" },
		{ "a\r\nb\tc\x7f", "abc" },
		{ "x\xc2\x85y\xc2\x9fz", "xyz" },                        /* C1 */
		{ "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "abc" },                 /* U+2028/9 */
		{ "\xe2\x80\xaegnp.exe\xe2\x80\xac", "gnp.exe" },          /* RLO, PDF */
		{ "\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c", "x" }, /* isolates, RLM, ALM */
		{ "\xef\xbb\xbfok", "ok" },                                /* U+FEFF */
		{ "\xe2\x80\x8d\xf0\x9f\x98\x80", "\xe2\x80\x8d\xf0\x9f\x98\x80" }, /* ZWJ, emoji */
		{ "bad\xc3", "bad?" },
		{ "\xc0\xaf", "??" },                                       /* overlong */
	};
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b, 256);
		assert_int_equal(utf8_append_display(&b, cases[i].in, strlen(cases[i].in)), RC_OK);
		assert_string_equal(buf_cstr(&b), cases[i].out);
		buf_fini(&b);
	}
}

static void
test_utf8_encode(void **state)
{
	static const struct { uint32_t cp; const char *utf8; } cases[] = {
		{ 0x41, "A" }, { 0xe9, "\xc3\xa9" }, { 0x20ac, "\xe2\x82\xac" },
		{ 0x1f600, "\xf0\x9f\x98\x80" }, { 0x7ff, "\xdf\xbf" }, { 0xffff, "\xef\xbf\xbf" },
		{ 0x10ffff, "\xf4\x8f\xbf\xbf" },
	};
	char d[4];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = utf8_encode(d, cases[i].cp);
		assert_int_equal(n, strlen(cases[i].utf8));
		assert_memory_equal(d, cases[i].utf8, n);
		assert_true(utf8_valid(d, n));
	}
}

static void
test_url_decode(void **state)
{
	static const struct { const char *in; int form; const char *out; } good[] = {
		{ "a%20b", 0, "a b" }, { "a+b", 1, "a b" }, { "a+b", 0, "a+b" },
		{ "%C3%A9", 1, "\xc3\xa9" }, { "", 1, "" }, { "%41%42", 0, "AB" },
		{ "tab%09ok", 0, "tab\tok" },
	};
	static const char *const bad[] = {
		"%zz", "%", "%4", "a%2", "%00", "%C3%28", "%FF", "%01", "%7F", "%c0%af",
	};
	struct arena *a = arena_new(1024, 0);
	char *out;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(url_decode(a, good[i].in, strlen(good[i].in), good[i].form,
		    &out, &n), RC_OK);
		assert_string_equal(out, good[i].out);
		assert_int_equal(n, strlen(good[i].out));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(url_decode(a, bad[i], strlen(bad[i]), true, &out, NULL), RC_INVALID);
	arena_free(a);
}

static void
test_url_encode(void **state)
{
	struct buf b;
	const char *in = "a b&c=d/\xc3\xa9~._-#";

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(url_encode(&b, in, strlen(in)), RC_OK);
	assert_string_equal(buf_cstr(&b), "a%20b%26c%3Dd%2F%C3%A9~._-%23");
	buf_fini(&b);
}

static void
test_url_parse(void **state)
{
	static const char *const bad[] = {
		"ftp://x.test/", "javascript:alert(1)", "//evil.test", "http://",
		"http://:80/", "http://a b/", "http://a\\b/", "http://x.test:0/",
		"http://x.test:99999/", "http://x.test:8a/", "https://x.test\n/",
		"http://[::1/", "relative/path", "http://x.test:/",
	};
	struct arena *a = arena_new(1024, 0);
	struct url u;

	(void)state;
	assert_int_equal(url_parse(a, "HTTPS://User:pw@WWW.Example.com:8443/p/a?q=1#frag", &u), RC_OK);
	assert_string_equal(u.scheme, "https");
	assert_string_equal(u.userinfo, "User:pw");
	assert_string_equal(u.host, "www.example.com");
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.path, "/p/a");
	assert_string_equal(u.query, "q=1");
	assert_string_equal(u.fragment, "frag");
	assert_int_equal(url_parse(a, "http://x.test", &u), RC_OK);
	assert_string_equal(u.path, "/");
	assert_null(u.query);
	assert_null(u.userinfo);
	assert_int_equal(url_parse(a, "http://[::1]:8080/x", &u), RC_OK);
	assert_string_equal(u.host, "[::1]");
	assert_int_equal(u.port, 8080);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(url_parse(a, bad[i], &u), RC_INVALID);
	arena_free(a);
}

static void
test_url_host_ip(void **state)
{
	static const char *const ips[] = {
		"127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1",
		"[::1]", "::ffff:127.0.0.1", "10.0.0.1.",
	};
	static const char *const names[] = {
		"www.example.com", "localhost", "1.example.com", "example.123x", "a",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++)
		assert_true(url_host_is_ip(ips[i]));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_false(url_host_is_ip(names[i]));
}

static void
test_url_host_name(void **state)
{
	static const char *const good[] = {
		"example.com", "a", "a-b.c", "xn--bcher-kva.example", "0.example", "10.0.0.1",
		"a.b.c.d.e", "123", "x1-2y.z",
	};
	static const char *const bad[] = {
		"", ".example.com", "example.com.", "a..b", "-a.com", "a-.com", "a.-b.com",
		"a.b-", "ex ample.com", "ex_ample.com", "[::1]", "a:80", "Example.com",
		"caf\xc3\xa9.com", "a/b",
	};
	char long_label[70], long_name[300];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!url_host_name_ok(good[i], false))
			fail_msg("%s should be a host name", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (url_host_name_ok(bad[i], false))
			fail_msg("%s should not be a host name", bad[i]);
	assert_true(url_host_name_ok("Example.COM", true));
	assert_false(url_host_name_ok("Exa_mple.com", true));
	assert_false(url_host_name_ok(NULL, true));
	/* 63-byte labels pass, 64 do not; 253 bytes in all pass, 254 do not. */
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	assert_false(url_host_name_ok(long_label, false));
	long_label[63] = '\0';
	assert_true(url_host_name_ok(long_label, false));
	memset(long_name, 'a', sizeof(long_name));
	for (size_t i = 50; i < sizeof(long_name); i += 51)
		long_name[i] = '.';
	long_name[253] = '\0';
	assert_true(url_host_name_ok(long_name, false));
	long_name[253] = 'a';
	long_name[254] = '\0';
	assert_false(url_host_name_ok(long_name, false));
}

static void
test_url_origin(void **state)
{
	static const struct { const char *a, *b; bool same; } rows[] = {
		{ "http://127.0.0.1:8080/feed", "http://127.0.0.1:8080/other?x#y", true },
		{ "http://127.0.0.1/feed", "http://127.0.0.1:80/x", true },
		{ "HTTPS://Example.COM/a", "https://example.com:443/", true },
		{ "http://user@example.com/", "http://example.com/", true },
		{ "http://[::1]:9/", "http://[::1]:9/x", true },
		{ "http://127.0.0.1:8080/", "http://127.0.0.1:8081/", false },
		{ "http://127.0.0.1/", "https://127.0.0.1/", false },
		{ "http://127.0.0.1:443/", "https://127.0.0.1/", false },
		{ "http://localhost/", "http://127.0.0.1/", false },
		{ "http://localhost/", "http://localhost./", false },
		{ "http://a.example/", "http://b.example/", false },
	};
	struct url_origin a, b;
	char host[16];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_true(url_origin_of(rows[i].a, &a));
		assert_true(url_origin_of(rows[i].b, &b));
		if (url_origin_same(&a, &b) != rows[i].same)
			fail_msg("%s vs %s: want %s", rows[i].a, rows[i].b,
			    rows[i].same ? "same" : "different");
	}
	assert_true(url_origin_of("https://Example.com/x", &a));
	assert_string_equal(a.scheme, "https");
	assert_string_equal(a.host, "example.com");
	assert_int_equal(a.port, 443);
	assert_false(url_origin_of("ftp://example.com/", &a));
	assert_false(url_origin_of("/relative", &a));
	assert_false(url_origin_of(NULL, &a));
	/* Hosts: lower-cased, IPv6 in brackets; none when it does not fit. */
	assert_true(url_host_of("http://WWW.Example.com:81/x", host, sizeof(host)));
	assert_string_equal(host, "www.example.com");
	assert_true(url_host_of("http://[::1]/", host, sizeof(host)));
	assert_string_equal(host, "[::1]");
	assert_false(url_host_of("http://www.example.com.invalid/", host, sizeof(host)));
	assert_string_equal(host, "");
	assert_false(url_host_of("not a url", host, sizeof(host)));
}

static void
test_url_local_path(void **state)
{
	static const char *const good[] = { "/", "/a/b?c=d#e", "/social/x%20y" };
	static const char *const bad[] = {
		"", "a", "//evil.test", "/\\evil.test", "\\\\evil", "https://evil.test",
		"/%2F%2Fevil.test", "%2F%2Fevil.test", "/%5Cevil.test", "/a\nb", "/a%0Ab",
		"/a\tb", "javascript:alert(1)",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(url_is_local_path(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(url_is_local_path(bad[i]));
	assert_false(url_is_local_path(NULL));
}

/* What may be printed of a URL: no query, fragment or user info. */
static void
test_url_redact(void **state)
{
	static const struct { const char *in, *want; } c[] = {
		{ "https://a.test/feed.xml", "https://a.test/feed.xml" },
		{ "https://a.test/feed?token=s3&x=1", "https://a.test/feed?..." },
		{ "https://a.test/rss#top", "https://a.test/rss?..." },
		{ "https://u:pw@a.test/p?k=v", "https://...@a.test/p?..." },
		{ "https://a.test/p?next=http://u:pw@b.test/", "https://a.test/p?..." },
		{ "https://a.test/x@y", "https://a.test/x@y" },
		{ "not a url?q", "not a url?..." },
	};
	char out[64], tiny[8];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		url_redact(c[i].in, out, sizeof(out));
		assert_string_equal(out, c[i].want);
	}
	url_redact("https://a.test/long/path", tiny, sizeof(tiny));
	assert_string_equal(tiny, "https:/");
}

/* Every byte: digits, both cases of a-f, and what the copies it replaced
 * (url.c, redirect.c with signed char, htmltok.c with c | 0x20) refused:
 * 'g', '@' and '`' (either side of the letters), bytes of 0x80 and up. */
static void
test_url_hexval(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (url_hexval((unsigned char)c) != want)
			fail_msg("url_hexval(0x%02x) = %d, want %d", c,
			    url_hexval((unsigned char)c), want);
	}
	assert_int_equal(url_hexval('G'), -1);
	assert_int_equal(url_hexval('@'), -1);
	assert_int_equal(url_hexval('`'), -1);
	assert_int_equal(url_hexval(0xc1), -1); /* 'A' | 0x80 */
}

/* One lenient level, as url_is_local_path and oauth_return_to_ok use it. */
static void
test_url_decode_once(void **state)
{
	static const struct { const char *in; const char *out; size_t outlen; } cases[] = {
		{ "", "", 0 },
		{ "/a%2F%2fb", "/a//b", 5 },
		{ "%5C%5c", "\\\\", 2 },
		{ "%41", "A", 1 },              /* a '%' two bytes before the end */
		{ "x%41%", "xA%", 3 },          /* a lone '%' at the end is kept */
		{ "%", "%", 1 }, { "%4", "%4", 2 }, { "a%4", "a%4", 3 },
		{ "%zz%4g%g4", "%zz%4g%g4", 9 }, /* bad digits: kept as they are */
		{ "%%41", "%A", 2 },
		{ "%2541", "%41", 3 },          /* once: the result is not decoded again */
		{ "a+b", "a+b", 3 },            /* no form decoding */
		{ "%00%0a%7f", "\0\n\x7f", 3 }, /* any byte, NUL and controls too */
		{ "%c3%A9", "\xc3\xa9", 2 },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = url_decode_once(cases[i].in, strlen(cases[i].in), out);
		if (n != cases[i].outlen || memcmp(out, cases[i].out, n) != 0)
			fail_msg("case %zu: \"%s\" decoded to %zu bytes", i, cases[i].in, n);
	}
	/* In place: out may be the input. */
	snprintf(out, sizeof(out), "/%%2F%%2Fevil");
	assert_int_equal(url_decode_once(out, strlen(out), out), 7);
	assert_memory_equal(out, "///evil", 7);
}

static void
test_html(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(html_text(&b, "<a href=\"x\">&'</a>"), RC_OK);
	assert_string_equal(buf_cstr(&b), "&lt;a href=\"x\"&gt;&amp;'&lt;/a&gt;");
	buf_clear(&b);
	assert_int_equal(html_attr(&b, "\"onload='x'<>&"), RC_OK);
	assert_string_equal(buf_cstr(&b), "&quot;onload=&#39;x&#39;&lt;&gt;&amp;");
	buf_clear(&b);
	assert_int_equal(html_js_string(&b, "</script>\"\n"), RC_OK);
	assert_string_equal(buf_cstr(&b), "\\u003c\\u002fscript\\u003e\\u0022\\u000a");
	buf_fini(&b);
}

static void
test_b64url(void **state)
{
	static const char *const bad[] = { "a", "ab=", "a+b/", "ab c", "AB" /* non-zero pad bits: B */ };
	struct arena *a = arena_new(1024, 0);
	unsigned char *out;
	size_t n;
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(crypto_b64url_encode(&b, "\xfb\xff\xfe", 3), RC_OK);
	assert_string_equal(buf_cstr(&b), "-__-");
	buf_clear(&b);
	assert_int_equal(crypto_b64url_encode(&b, "ab", 2), RC_OK);
	assert_string_equal(buf_cstr(&b), "YWI");
	assert_int_equal(crypto_b64url_decode(a, "YWI", 3, &out, &n), RC_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "ab", 2);
	buf_clear(&b);
	assert_int_equal(crypto_b64_encode(&b, "ab", 2), RC_OK);
	assert_string_equal(buf_cstr(&b), "YWI=");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(crypto_b64url_decode(a, bad[i], strlen(bad[i]), &out, &n), RC_INVALID);
	buf_fini(&b);
	arena_free(a);
}

/*
 * crypto_b64_decode in its two uses: strict base64url (tokens, cookies,
 * JWKs: what crypto_b64url_decode did) and lax base64 in either alphabet
 * (Atom content: what feed_atom.c's own decoder did).
 */
static void
test_b64_decode(void **state)
{
	static const struct { const char *in; unsigned flags; const char *out; size_t outlen; } good[] = {
		{ "", CRYPTO_B64_URL, "", 0 },
		{ "QQ", CRYPTO_B64_URL, "A", 1 },
		{ "QUI", CRYPTO_B64_URL, "AB", 2 },
		{ "QUJD", CRYPTO_B64_URL, "ABC", 3 },
		{ "-__-", CRYPTO_B64_URL, "\xfb\xff\xfe", 3 },
		{ "AA", CRYPTO_B64_URL, "\0", 1 },           /* NULs are data here */
		{ "+//+", CRYPTO_B64_STD, "\xfb\xff\xfe", 3 },
		/* lax: padding and blanks anywhere, both alphabets, any length */
		{ "QQ==", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "A", 1 },
		{ " Q\tQ\r\n=\n=", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "A", 1 },
		{ "+/-_", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "\xfb\xff\xbf", 3 },
		{ "QR", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "A", 1 }, /* pad bits set */
		{ "Q", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "", 0 },   /* 4k+1 long */
		{ "QQ=QQ", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "A\x04\x10", 3 }, /* "=" inside */
		{ "====", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX, "", 0 },
	};
	static const struct { const char *in; unsigned flags; } bad[] = {
		{ "a", CRYPTO_B64_URL }, { "QUJDa", CRYPTO_B64_URL },   /* 4k+1 long */
		{ "QQ==", CRYPTO_B64_URL }, { "ab=", CRYPTO_B64_URL },  /* padding */
		{ "a+b/", CRYPTO_B64_URL }, { "-_", CRYPTO_B64_STD },   /* other alphabet */
		{ "ab c", CRYPTO_B64_URL }, { "QQ\n", CRYPTO_B64_URL }, /* blanks */
		{ "AB", CRYPTO_B64_URL }, { "QR", CRYPTO_B64_URL },     /* pad bits set */
		{ "QU\x80", CRYPTO_B64_URL },
		{ "QQ*", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX },
		{ "QQ.", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX },
		{ "QQ\x0b", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX }, /* VT: not a blank */
		{ "Q\xc3\xa9", CRYPTO_B64_STD | CRYPTO_B64_URL | CRYPTO_B64_LAX },
		{ "QQ-", CRYPTO_B64_STD | CRYPTO_B64_LAX },
	};
	struct arena *a = arena_new(1024, 0);
	unsigned char *out;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (crypto_b64_decode(a, good[i].in, strlen(good[i].in), good[i].flags,
		    &out, &n) != RC_OK)
			fail_msg("good case %zu refused", i);
		assert_int_equal(n, good[i].outlen);
		assert_memory_equal(out, good[i].out, n);
		assert_int_equal(out[n], '\0');
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (crypto_b64_decode(a, bad[i].in, strlen(bad[i].in), bad[i].flags,
		    &out, &n) != RC_INVALID)
			fail_msg("bad case %zu accepted", i);
	/* crypto_b64url_decode is the strict base64url reading. */
	assert_int_equal(crypto_b64url_decode(a, "QQ==", 4, &out, &n), RC_INVALID);
	assert_int_equal(crypto_b64url_decode(a, "-__-", 4, &out, &n), RC_OK);
	arena_free(a);
}

/*
 * jsonutil_str with the flags of each reader it replaced: session cookies
 * (TYPED: a string when present), login state (TYPED | REQUIRED), feeds
 * and provider profiles (NONEMPTY: anything but a non-empty string is not
 * given), the cache status file (no flags: a string, "" included, or not).
 */
static void
test_jsonutil_str(void **state)
{
	static const char *const keys[] = { "s", "e", "n", "i", "r", "b", "a", "o", "absent" };
	static const struct {
		unsigned flags;
		const char *want[9]; /* per key: the copy, or NULL */
		enum rc err[9];
	} cases[] = {
		{ JSONUTIL_TYPED,
		  { "x", "", NULL, NULL, NULL, NULL, NULL, NULL, NULL },
		  { RC_OK, RC_OK, RC_INVALID, RC_INVALID, RC_INVALID, RC_INVALID,
		    RC_INVALID, RC_INVALID, RC_OK } },
		{ JSONUTIL_TYPED | JSONUTIL_REQUIRED,
		  { "x", "", NULL, NULL, NULL, NULL, NULL, NULL, NULL },
		  { RC_OK, RC_OK, RC_INVALID, RC_INVALID, RC_INVALID, RC_INVALID,
		    RC_INVALID, RC_INVALID, RC_INVALID } },
		{ JSONUTIL_NONEMPTY,
		  { "x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
		  { RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK } },
		{ 0,
		  { "x", "", NULL, NULL, NULL, NULL, NULL, NULL, NULL },
		  { RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK, RC_OK } },
	};
	json_t *o = json_loads("{\"s\":\"x\",\"e\":\"\",\"n\":null,\"i\":3,"
	    "\"r\":1.5,\"b\":true,\"a\":[\"x\"],\"o\":{\"s\":\"x\"}}", 0, NULL);
	struct arena *a = arena_new(1024, 0), *tiny = arena_new(64, 64);
	char big[200];
	json_t *j;
	enum rc err;

	(void)state;
	assert_non_null(o);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			char *v;
			err = RC_OK;
			v = jsonutil_str(a, o, keys[k], cases[c].flags, &err);
			if (err != cases[c].err[k] || (v == NULL) != (cases[c].want[k] == NULL) ||
			    (v != NULL && strcmp(v, cases[c].want[k]) != 0))
				fail_msg("flags %u key %s: got %s (%s)", cases[c].flags, keys[k],
				    v != NULL ? v : "NULL", rc_str(err));
			/* Without err, the same copy and no failure to report. */
			v = jsonutil_str(a, o, keys[k], cases[c].flags, NULL);
			assert_true((v == NULL) == (cases[c].want[k] == NULL));
		}
	}
	/* The first failure stays: one err for several members. */
	err = RC_OK;
	assert_null(jsonutil_str(a, o, "i", JSONUTIL_TYPED, &err));
	assert_string_equal(jsonutil_str(a, o, "s", JSONUTIL_TYPED, &err), "x");
	assert_null(jsonutil_str(a, o, "absent", JSONUTIL_REQUIRED, &err));
	assert_int_equal(err, RC_INVALID);
	err = RC_NOMEM;
	assert_null(jsonutil_str(a, o, "i", JSONUTIL_TYPED, &err));
	assert_int_equal(err, RC_NOMEM);
	/* Not an object, or none: no member. */
	err = RC_OK;
	assert_null(jsonutil_str(a, NULL, "s", JSONUTIL_TYPED, &err));
	assert_null(jsonutil_str(a, json_object_get(o, "a"), "s", JSONUTIL_TYPED, &err));
	assert_int_equal(err, RC_OK);
	assert_null(jsonutil_str(a, NULL, "s", JSONUTIL_REQUIRED, &err));
	assert_int_equal(err, RC_INVALID);
	/* The copy fails: RC_NOMEM, whatever the flags. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	j = json_pack("{s:s}", "k", big);
	assert_non_null(j);
	err = RC_OK;
	assert_null(jsonutil_str(tiny, j, "k", JSONUTIL_NONEMPTY, &err));
	assert_int_equal(err, RC_NOMEM);
	json_decref(j);
	/* Copies are the arena's, not Jansson's. */
	{
		char *v = jsonutil_str(a, o, "s", 0, NULL);
		assert_ptr_not_equal(v, json_string_value(json_object_get(o, "s")));
	}
	json_decref(o);
	arena_free(tiny);
	arena_free(a);
}

/* The writers it replaced: NULL as null (profiles, cache status, http.json)
 * or, with JSONUTIL_NONEMPTY, NULL and "" left out (session, render). */
static void
test_jsonutil_set_str(void **state)
{
	json_t *o = json_object(), *arr = json_array();
	char *text;

	(void)state;
	assert_int_equal(jsonutil_set_str(o, "s", "x", 0), RC_OK);
	assert_int_equal(jsonutil_set_str(o, "e", "", 0), RC_OK);
	assert_int_equal(jsonutil_set_str(o, "n", NULL, 0), RC_OK);
	assert_int_equal(jsonutil_set_str(o, "s2", "y", JSONUTIL_NONEMPTY), RC_OK);
	assert_int_equal(jsonutil_set_str(o, "e2", "", JSONUTIL_NONEMPTY), RC_OK);
	assert_int_equal(jsonutil_set_str(o, "n2", NULL, JSONUTIL_NONEMPTY), RC_OK);
	/* Not UTF-8, or not an object: refused, nothing set. */
	assert_int_equal(jsonutil_set_str(o, "bad", "\xff", 0), RC_INVALID);
	assert_int_equal(jsonutil_set_str(o, "bad", "\xc3", JSONUTIL_NONEMPTY), RC_INVALID);
	assert_int_equal(jsonutil_set_str(arr, "s", "x", 0), RC_INVALID);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"e\":\"\",\"n\":null,\"s\":\"x\",\"s2\":\"y\"}");
	free(text);
	json_decref(arr);
	json_decref(o);
}

static void
test_jsonutil_int(void **state)
{
	json_t *o = json_loads("{\"i\":-7,\"big\":9007199254740993,\"r\":1.5,"
	    "\"s\":\"3\",\"n\":null,\"b\":true}", 0, NULL);

	(void)state;
	assert_non_null(o);
	assert_int_equal(jsonutil_int(o, "i"), -7);
	assert_true(jsonutil_int(o, "big") == 9007199254740993LL);
	assert_int_equal(jsonutil_int(o, "r"), 0);
	assert_int_equal(jsonutil_int(o, "s"), 0);
	assert_int_equal(jsonutil_int(o, "n"), 0);
	assert_int_equal(jsonutil_int(o, "b"), 0);
	assert_int_equal(jsonutil_int(o, "absent"), 0);
	assert_int_equal(jsonutil_int(NULL, "i"), 0);
	json_decref(o);
}

static void
test_seal_open(void **state)
{
	unsigned char key[CRYPTO_KEY_LEN], key2[CRYPTO_KEY_LEN];
	struct arena *a = arena_new(1024, 0);
	unsigned char *pt;
	size_t n;
	struct buf b;

	(void)state;
	memset(key, 7, sizeof(key));
	memset(key2, 8, sizeof(key2));
	buf_init(&b, 4096);
	assert_int_equal(crypto_seal(key, "aad", 3, "secret", 6, &b), RC_OK);
	assert_int_equal(b.len, 6 + CRYPTO_GCM_IV_LEN + CRYPTO_GCM_TAG_LEN);
	assert_int_equal(crypto_open(a, key, "aad", 3, (unsigned char *)b.data, b.len, &pt, &n), RC_OK);
	assert_int_equal(n, 6);
	assert_string_equal((char *)pt, "secret");
	assert_int_equal(crypto_open(a, key2, "aad", 3, (unsigned char *)b.data, b.len, &pt, &n), RC_CRYPTO);
	assert_int_equal(crypto_open(a, key, "AAD", 3, (unsigned char *)b.data, b.len, &pt, &n), RC_CRYPTO);
	assert_int_equal(crypto_open(a, key, "aad", 3, (unsigned char *)b.data, 10, &pt, &n), RC_CRYPTO);
	/* Every flipped byte is caught. */
	for (size_t i = 0; i < b.len; i++) {
		b.data[i] ^= 0x01;
		assert_int_equal(crypto_open(a, key, "aad", 3, (unsigned char *)b.data, b.len, &pt, &n), RC_CRYPTO);
		b.data[i] ^= 0x01;
	}
	buf_fini(&b);
	arena_free(a);
}

/* The portable SHA-256 gives OpenSSL's digest at every length around
 * the block and padding boundaries, and on random data up to 4 KiB. */
static void
test_sha256_portable(void **state)
{
	unsigned char buf[4096], a[SHA256_LEN], b[CRYPTO_SHA256_LEN];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof(buf); n = n < 300 ? n + 1 : n * 2 + 7) {
		sha256_digest(buf, n, a);
		crypto_sha256(buf, n, b);
		assert_memory_equal(a, b, SHA256_LEN);
	}
	sha256_digest(buf, sizeof(buf), a);
	crypto_sha256(buf, sizeof(buf), b);
	assert_memory_equal(a, b, SHA256_LEN);
	/* FIPS 180-4's "abc" and its two-block message. */
	sha256_digest("abc", 3, a);
	assert_int_equal(a[0], 0xba);
	assert_int_equal(a[31], 0xad);
	sha256_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, a);
	assert_int_equal(a[0], 0x24);
	assert_int_equal(a[31], 0xc1);
}

static void
test_hash_equal(void **state)
{
	unsigned char d[CRYPTO_SHA256_LEN], k1[32], k2[32];

	(void)state;
	crypto_sha256("abc", 3, d);
	assert_int_equal(d[0], 0xba);
	assert_int_equal(d[31], 0xad);
	/* The context is reused: a longer input, then "abc" again. */
	crypto_sha256("The quick brown fox jumps over the lazy dog", 43, d);
	assert_int_equal(d[0], 0xd7);
	assert_int_equal(d[31], 0x92);
	crypto_sha256("", 0, d);
	assert_int_equal(d[0], 0xe3);
	assert_int_equal(d[31], 0x55);
	crypto_sha256("abc", 3, d);
	assert_int_equal(d[0], 0xba);
	assert_int_equal(d[31], 0xad);
	assert_true(crypto_equal("abc", 3, "abc", 3));
	assert_false(crypto_equal("abc", 3, "abd", 3));
	assert_false(crypto_equal("abc", 3, "ab", 2));
	assert_int_equal(crypto_hkdf("ikm", 3, "one", k1, sizeof(k1)), RC_OK);
	assert_int_equal(crypto_hkdf("ikm", 3, "two", k2, sizeof(k2)), RC_OK);
	assert_memory_not_equal(k1, k2, sizeof(k1));
	assert_int_equal(crypto_hmac_sha256("key", 3, "The quick brown fox jumps over the lazy dog", 43, d), RC_OK);
	assert_int_equal(d[0], 0xf7);
	assert_int_equal(d[1], 0xbc);
}

/* The keyed MAC (crypto_hmac_parts) against the one-shot one: keys short,
 * of one block and longer than a block (hashed first), a message in one
 * piece, in pieces with empty ones among them, and empty; one context
 * used again and again gives the same MAC each time. */
static void
test_crypto_hmac(void **state)
{
	static const char msg[] = "The quick brown fox jumps over the lazy dog";
	const void *pieces[] = { "The quick", "", " brown fox jumps", "",
	    " over the lazy dog" };
	size_t lens[] = { 9, 0, 16, 0, 18 };
	const void *whole[] = { msg };
	size_t wlen[] = { sizeof(msg) - 1 };
	unsigned char key[100], want[CRYPTO_SHA256_LEN], got[CRYPTO_SHA256_LEN];
	static const size_t keylens[] = { 1, 3, 32, 64, 100 };
	struct crypto_hmac *h;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 7 + 1);
	for (size_t k = 0; k < sizeof(keylens) / sizeof(keylens[0]); k++) {
		assert_int_equal(crypto_hmac_new(key, keylens[k], &h), RC_OK);
		assert_int_equal(crypto_hmac_sha256(key, keylens[k], msg,
		    sizeof(msg) - 1, want), RC_OK);
		for (int round = 0; round < 3; round++) {
			assert_int_equal(crypto_hmac_parts(h, pieces, lens, 5, got), RC_OK);
			assert_memory_equal(got, want, sizeof(want));
			assert_int_equal(crypto_hmac_parts(h, whole, wlen, 1, got), RC_OK);
			assert_memory_equal(got, want, sizeof(want));
		}
		assert_int_equal(crypto_hmac_sha256(key, keylens[k], "", 0, want), RC_OK);
		assert_int_equal(crypto_hmac_parts(h, NULL, NULL, 0, got), RC_OK);
		assert_memory_equal(got, want, sizeof(want));
		crypto_hmac_free(h);
	}
	/* RFC 4231 test case 2. */
	assert_int_equal(crypto_hmac_new("Jefe", 4, &h), RC_OK);
	{
		const void *p[] = { "what do ya want ", "for nothing?" };
		size_t l[] = { 16, 12 };
		assert_int_equal(crypto_hmac_parts(h, p, l, 2, got), RC_OK);
	}
	assert_int_equal(got[0], 0x5b);
	assert_int_equal(got[1], 0xdc);
	assert_int_equal(got[31], 0x43);
	crypto_hmac_free(h);
	crypto_hmac_free(NULL);
}

static void
test_fsutil(void **state)
{
	struct tmpdir t;
	char path[256], *data;
	size_t n;

	(void)state;
	assert_int_equal(tmpdir_init(&t, "util"), 0);
	tmpdir_path(&t, "a/b/c", path, sizeof(path));
	assert_int_equal(fsutil_mkdirs(path, 0755), RC_OK);
	assert_true(fsutil_dir_writable(path));
	tmpdir_path(&t, "a/file", path, sizeof(path));
	assert_int_equal(fsutil_read(path, 100, &data, &n), RC_NOTFOUND);
	assert_int_equal(fsutil_write_atomic(path, "hello", 5, 0640), RC_OK);
	assert_int_equal(fsutil_write_atomic(path, "world!", 6, 0640), RC_OK);
	assert_int_equal(fsutil_read(path, 100, &data, &n), RC_OK);
	assert_int_equal(n, 6);
	assert_string_equal(data, "world!");
	free(data);
	assert_int_equal(fsutil_read(path, 3, &data, &n), RC_TOOBIG);
	/* A folder that does not exist: the write fails, nothing is left. */
	tmpdir_path(&t, "missing/file", path, sizeof(path));
	assert_int_equal(fsutil_write_atomic(path, "x", 1, 0640), RC_IO);
	assert_false(fsutil_dir_writable("/nonexistent-dir"));
	assert_int_equal(tmpdir_fini(&t), 0);
}

/* fsutil_map: a mapped file, its size a page multiple or not (the NUL in
 * its last page, or in the anonymous page after it), small and large, and
 * an empty one (read) are the file's bytes and a NUL; the errors are
 * fsutil_read's. */
static void
test_fsutil_map(void **state)
{
	enum { BIG = 3 << 20 };
	static const size_t sizes[] = { 1, 4095, 4096, 8192, 10000, 0,
	    256 << 10, (2 << 20) - 1, 2 << 20, (3 << 20) - 7 };
	char dir[] = "/tmp/sh-test-XXXXXX", path[256], *body;
	struct fsutil_map m;
	size_t i, k;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(fsutil_map(path, 100, &m), RC_NOTFOUND);
	assert_int_equal(fsutil_map(dir, 100, &m), RC_IO);
	body = malloc(BIG);
	assert_non_null(body);
	for (k = 0; k < BIG; k++)
		body[k] = (char)('a' + k % 26);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(fsutil_write_atomic(path, body, sizes[i], 0640),
		    RC_OK);
		assert_int_equal(fsutil_map(path, BIG, &m), RC_OK);
		assert_int_equal(m.len, sizes[i]);
		assert_memory_equal(m.data, body, sizes[i]);
		assert_int_equal(m.data[m.len], '\0');
		if (sizes[i] == 0)
			assert_int_equal(m.maplen, 0);
		else if (sizes[i] % 4096 == 0)
			assert_int_equal(m.maplen, sizes[i] + 4096);
		else
			assert_int_equal(m.maplen, sizes[i]);
		fsutil_unmap(&m);
		assert_null(m.data);
	}
	assert_int_equal(fsutil_write_atomic(path, body, 10000, 0640), RC_OK);
	assert_int_equal(fsutil_map(path, 9999, &m), RC_TOOBIG);
	free(body);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* log_kv output is captured from stderr through a pipe. */
static void
test_log(void **state)
{
	int fds[2], saved = dup(STDERR_FILENO);
	char out[1024];
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	dup2(fds[1], STDERR_FILENO);
	log_set_level(LOG_INFO);
	log_kv(LOG_DEBUG, "hidden", NULL);
	log_kv(LOG_WARN, "evt", "k", "a b", "inj", "x\nlevel=error", "q", "say \"hi\"", "e", NULL, NULL);
	dup2(saved, STDERR_FILENO);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	assert_true(n > 0);
	out[n] = '\0';
	assert_non_null(strstr(out, "level=warn"));
	assert_non_null(strstr(out, "event=evt k=\"a b\" inj=\"x\\nlevel=error\" q=\"say \\\"hi\\\"\" e=\"\"\n"));
	assert_null(strstr(out, "hidden"));
	/* Exactly one line. */
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_sha256_portable),
		cmocka_unit_test(test_arena_reuse),
		cmocka_unit_test(test_arena_huge),
		cmocka_unit_test(test_arena_rewind),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_offsets),
		cmocka_unit_test(test_utf8_vector),
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_utf8_display),
		cmocka_unit_test(test_url_decode),
		cmocka_unit_test(test_url_encode),
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_url_host_ip),
		cmocka_unit_test(test_url_host_name),
		cmocka_unit_test(test_url_origin),
		cmocka_unit_test(test_url_local_path),
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_url_hexval),
		cmocka_unit_test(test_url_decode_once),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_b64_decode),
		cmocka_unit_test(test_jsonutil_str),
		cmocka_unit_test(test_jsonutil_set_str),
		cmocka_unit_test(test_jsonutil_int),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_hash_equal),
		cmocka_unit_test(test_crypto_hmac),
		cmocka_unit_test(test_fsutil),
		cmocka_unit_test(test_fsutil_map),
		cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

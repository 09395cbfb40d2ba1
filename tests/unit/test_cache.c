/* test_cache: framing, checksum/truncation handling, status, locks, eviction. */
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
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "widgets/streams/cache.h"

static struct tmpdir T;

static char *
path_in(const char *name)
{
	static char p[512];

	tmpdir_path(&T, name, p, sizeof(p));
	return p;
}

static void
framed(struct buf *b, const char *payload)
{
	buf_init(b, 1 << 20);
	assert_int_equal(cache_frame(b, payload, strlen(payload)), RC_OK);
}

static void
test_frame_roundtrip(void **state)
{
	static const char *const payloads[] = { "", "x", "{\"a\":1}", "line\nline\n\0zero" };
	struct buf b;
	const char *p;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		framed(&b, payloads[i]);
		assert_memory_equal(b.data, "SHC1 ", 5);
		assert_int_equal(cache_unframe(b.data, b.len, &p, &n), RC_OK);
		assert_int_equal(n, strlen(payloads[i]));
		assert_memory_equal(p, payloads[i], n);
		buf_fini(&b);
	}
}

/* Every truncation of a framed file, at every length, is rejected. */
static void
test_frame_truncated(void **state)
{
	const char *payload = "{\"items\":[1,2,3],\"title\":\"truncate me\"}";
	struct buf b;
	const char *p;
	size_t n;

	(void)state;
	framed(&b, payload);
	for (size_t len = 0; len < b.len; len++)
		assert_int_equal(cache_unframe(b.data, len, &p, &n), RC_CORRUPT);
	assert_int_equal(cache_unframe(b.data, b.len, &p, &n), RC_OK);
	buf_fini(&b);
}

/* Every single-bit flip anywhere in the file is rejected. */
static void
test_frame_bitflips(void **state)
{
	struct buf b;
	const char *p;
	size_t n;

	(void)state;
	framed(&b, "payload with some bytes");
	for (size_t i = 0; i < b.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			b.data[i] ^= (char)(1 << bit);
			assert_int_equal(cache_unframe(b.data, b.len, &p, &n), RC_CORRUPT);
			b.data[i] ^= (char)(1 << bit);
		}
	}
	assert_int_equal(cache_unframe(b.data, b.len, &p, &n), RC_OK);
	buf_fini(&b);
}

static void
test_frame_bad_headers(void **state)
{
	static const char *const bad[] = {
		"",
		"SHC1",
		"SHC2 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"SHC1  0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"SHC1 -0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"SHC1 0 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n",
		"SHC1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\n",
		"SHC1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"SHC1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n",
		"SHC1 1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"SHC1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nX",
		"SHC1 99999999999999999999999 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
		"{\"plain\": \"json, no frame\"}",
	};
	const char *good = "SHC1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
	const char *p;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cache_unframe(bad[i], strlen(bad[i]), &p, &n), RC_CORRUPT);
	assert_int_equal(cache_unframe(good, strlen(good), &p, &n), RC_OK);
	assert_int_equal(n, 0);
}

static void
test_write_read(void **state)
{
	char *data, hex[65];
	size_t n;
	json_t *j;

	(void)state;
	assert_int_equal(cache_write(path_in("f.json"), "{\"a\":1}", 7), RC_OK);
	assert_int_equal(cache_read(path_in("f.json"), 1024, &data, &n), RC_OK);
	assert_int_equal(n, 7);
	assert_string_equal(data, "{\"a\":1}");
	free(data);
	assert_int_equal(cache_read(path_in("f.json"), 3, &data, &n), RC_TOOBIG);
	assert_int_equal(cache_read_json(path_in("f.json"), &j), RC_OK);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
	assert_int_equal(cache_peek_sum(path_in("f.json"), hex), RC_OK);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(cache_read(path_in("missing"), 1024, &data, &n), RC_NOTFOUND);
	assert_null(data);
	assert_int_equal(cache_peek_sum(path_in("missing"), hex), RC_NOTFOUND);
	/* Framed but not JSON. */
	assert_int_equal(cache_write(path_in("g.json"), "{nope", 5), RC_OK);
	assert_int_equal(cache_read_json(path_in("g.json"), &j), RC_CORRUPT);
	assert_null(j);
	/* Nowhere to write. */
	assert_int_equal(cache_write("/nonexistent-dir/x", "a", 1), RC_IO);
}

/* A file cut short on disk (a crash, a bad copy) reads as corrupt. */
static void
test_truncated_file(void **state)
{
	const char *payload = "{\"items\":[\"a\",\"b\",\"c\"]}";
	char *data, *p = path_in("t.json");
	struct stat st;
	size_t n;

	(void)state;
	assert_int_equal(cache_write(p, payload, strlen(payload)), RC_OK);
	assert_int_equal(stat(p, &st), 0);
	for (off_t len = st.st_size - 1; len >= 0; len--) {
		assert_int_equal(truncate(p, len), 0);
		assert_int_equal(cache_read(p, 1 << 20, &data, &n), RC_CORRUPT);
		assert_null(data);
	}
	/* Garbage appended after a good file is also refused. */
	assert_int_equal(cache_write(p, payload, strlen(payload)), RC_OK);
	{
		FILE *f = fopen(p, "a");
		assert_non_null(f);
		fputs("trailing", f);
		fclose(f);
	}
	assert_int_equal(cache_read(p, 1 << 20, &data, &n), RC_CORRUPT);
}

static void
test_status_roundtrip(void **state)
{
	struct cache_status s = {
		.url = "https://example.com/feed", .last_attempt = 1700000000,
		.last_success = 1699999000, .last_change = 1699990000,
		.last_error_at = 1700000000, .next_due = 1700000900,
		.last_error = "HTTP 500", .error_code = "bad_gateway",
		.http_status = 500, .failures = 3, .bytes = 12345, .items = 20,
		.fetch_ms = 42,
	}, r;
	struct arena *a = arena_new(1024, 0);

	(void)state;
	assert_int_equal(cache_status_store(path_in("status.json"), &s), RC_OK);
	assert_int_equal(cache_status_load(a, path_in("status.json"), &r), RC_OK);
	assert_string_equal(r.url, s.url);
	assert_int_equal(r.last_attempt, s.last_attempt);
	assert_int_equal(r.last_success, s.last_success);
	assert_int_equal(r.last_change, s.last_change);
	assert_int_equal(r.last_error_at, s.last_error_at);
	assert_int_equal(r.next_due, s.next_due);
	assert_string_equal(r.last_error, s.last_error);
	assert_string_equal(r.error_code, s.error_code);
	assert_int_equal(r.http_status, 500);
	assert_int_equal(r.failures, 3);
	assert_int_equal(r.bytes, 12345);
	assert_int_equal(r.items, 20);
	assert_int_equal(r.fetch_ms, 42);
	/* A success clears the error: nulls round-trip as NULL. */
	s.last_error = NULL;
	s.error_code = NULL;
	assert_int_equal(cache_status_store(path_in("status.json"), &s), RC_OK);
	assert_int_equal(cache_status_load(a, path_in("status.json"), &r), RC_OK);
	assert_null(r.last_error);
	assert_null(r.error_code);
	/* Missing, corrupt or not an object: a fresh source. */
	assert_int_equal(cache_status_load(a, path_in("nostatus.json"), &r), RC_NOTFOUND);
	assert_int_equal(truncate(path_in("status.json"), 20), 0);
	assert_int_equal(cache_status_load(a, path_in("status.json"), &r), RC_NOTFOUND);
	assert_int_equal(r.next_due, 0);
	assert_int_equal(cache_write(path_in("status.json"), "[1]", 3), RC_OK);
	assert_int_equal(cache_status_load(a, path_in("status.json"), &r), RC_NOTFOUND);
	arena_free(a);
}

static void
test_lock(void **state)
{
	struct cache_lock l1, l2;
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(cache_lock(path_in("lock"), false, &l1), RC_OK);
	/* flock is per open file: a second open conflicts even in one process. */
	assert_int_equal(cache_lock(path_in("lock"), false, &l2), RC_UNAVAILABLE);
	assert_int_equal(l2.fd, -1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cache_lock c;
		_exit(cache_lock(path_in("lock"), false, &c) == RC_UNAVAILABLE ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cache_unlock(&l1);
	cache_unlock(&l1);   /* twice is harmless */
	assert_int_equal(cache_lock(path_in("lock"), false, &l2), RC_OK);
	cache_unlock(&l2);
	assert_int_equal(cache_lock("/nonexistent-dir/lock", false, &l2), RC_IO);
}

static void
test_keys_and_paths(void **state)
{
	char k1[CACHE_KEY_LEN + 1], k2[CACHE_KEY_LEN + 1];
	struct arena *a = arena_new(1024, 0);
	struct cache *c;

	(void)state;
	cache_source_key("https://example.com/feed", k1);
	cache_source_key("https://example.com/feed", k2);
	assert_string_equal(k1, k2);
	assert_int_equal(strlen(k1), CACHE_KEY_LEN);
	cache_source_key("https://example.com/feed2", k2);
	assert_string_not_equal(k1, k2);
	assert_int_equal(cache_open(T.path, 0, &c), RC_OK);
	assert_string_equal(cache_root(c), T.path);
	assert_string_equal(cache_source_path(a, c, "abc", "status.json") + strlen(T.path),
	    "/sources/abc/status.json");
	assert_string_equal(cache_stream_path(a, c, "brand", NULL) + strlen(T.path),
	    "/streams/brand");
	assert_int_equal(access(path_in("sources"), W_OK), 0);
	assert_int_equal(access(path_in("streams"), W_OK), 0);
	assert_int_equal(access(path_in("media"), W_OK), 0);
	cache_free(c);
	arena_free(a);
}

static void
make_file(const char *name, size_t size, time_t mtime)
{
	char *p = path_in(name);
	struct timeval tv[2] = { { mtime, 0 }, { mtime, 0 } };
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('m', f);
	fclose(f);
	assert_int_equal(utimes(p, tv), 0);
}

/* Oldest media go first; feeds are never evicted; stale temp files go. */
static void
test_evict(void **state)
{
	char sub[600];
	time_t now = time(NULL);
	long long used;
	struct cache *c;

	(void)state;
	tmpdir_path(&T, "evict", sub, sizeof(sub));
	/* A fresh cache root below the test folder, bounded at 2 MiB. */
	assert_int_equal(cache_open(sub, 2 * 1024 * 1024, &c), RC_OK);
	make_file("evict/media/old.jpg", 1024 * 1024, now - 4000);
	make_file("evict/media/mid.jpg", 1024 * 1024, now - 3000);
	make_file("evict/media/new.jpg", 1024 * 1024, now - 2000);
	make_file("evict/sources/feed-items", 512 * 1024, now - 9000);
	make_file("evict/sources/x.json.tmp.AbC123", 100, now - 3600);   /* stale */
	make_file("evict/sources/y.json.tmp.AbC123", 100, now);          /* in use */
	/* 3.5 MiB + 100 B over a 2 MiB bound: down to 1.8 MiB means two go. */
	assert_int_equal(cache_evict(c, (long long)now, &used), RC_OK);
	assert_int_equal(access(path_in("evict/media/old.jpg"), F_OK), -1);
	assert_int_equal(access(path_in("evict/media/mid.jpg"), F_OK), -1);
	assert_int_equal(access(path_in("evict/media/new.jpg"), F_OK), 0);
	assert_int_equal(access(path_in("evict/sources/feed-items"), F_OK), 0);
	assert_int_equal(access(path_in("evict/sources/x.json.tmp.AbC123"), F_OK), -1);
	assert_int_equal(access(path_in("evict/sources/y.json.tmp.AbC123"), F_OK), 0);
	assert_int_equal(used, 1024 * 1024 + 512 * 1024 + 100);
	/* A touched file counts as recently used. */
	make_file("evict/media/old2.jpg", 1024 * 1024, now - 8000);
	make_file("evict/media/old3.jpg", 1024 * 1024, now - 7000);
	cache_media_touch(path_in("evict/media/old2.jpg"));
	assert_int_equal(cache_evict(c, (long long)now, &used), RC_OK);
	assert_int_equal(access(path_in("evict/media/old2.jpg"), F_OK), 0);
	assert_int_equal(access(path_in("evict/media/old3.jpg"), F_OK), -1);
	assert_int_equal(access(path_in("evict/media/new.jpg"), F_OK), -1);
	cache_free(c);
	/* No bound: nothing but stale temp files is removed. */
	assert_int_equal(cache_open(sub, 0, &c), RC_OK);
	assert_int_equal(cache_evict(c, (long long)now, &used), RC_OK);
	assert_int_equal(access(path_in("evict/media/old2.jpg"), F_OK), 0);
	cache_free(c);
}

/* Source folders nobody configures any more go once they are old. */
static void
test_sweep_sources(void **state)
{
	const char *keys[1] = { "0123456789abcdef0123456789abcdef" };
	time_t now = time(NULL);
	char sub[600];
	struct cache *c;

	(void)state;
	tmpdir_path(&T, "sweep", sub, sizeof(sub));
	assert_int_equal(cache_open(sub, 0, &c), RC_OK);
	assert_int_equal(fsutil_mkdirs(path_in("sweep/sources/0123456789abcdef0123456789abcdef"), 0750), RC_OK);
	assert_int_equal(fsutil_mkdirs(path_in("sweep/sources/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0750), RC_OK);
	assert_int_equal(fsutil_mkdirs(path_in("sweep/sources/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), 0750), RC_OK);
	assert_int_equal(fsutil_mkdirs(path_in("sweep/sources/not-a-key"), 0750), RC_OK);
	make_file("sweep/sources/0123456789abcdef0123456789abcdef/status.json", 10, now - 999999);
	make_file("sweep/sources/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/status.json", 10, now - 999999);
	make_file("sweep/sources/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/lock", 0, now - 999999);
	make_file("sweep/sources/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/status.json", 10, now - 60);
	assert_int_equal(cache_sweep_sources(c, keys, 1, (long long)now, 86400), 1);
	assert_int_equal(access(path_in("sweep/sources/0123456789abcdef0123456789abcdef"), F_OK), 0);
	assert_int_equal(access(path_in("sweep/sources/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), F_OK), -1);
	assert_int_equal(access(path_in("sweep/sources/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), F_OK), 0);
	assert_int_equal(access(path_in("sweep/sources/not-a-key"), F_OK), 0);
	cache_free(c);
}

static int
setup(void **state)
{
	(void)state;
	log_set_level(LOG_ERROR);
	return tmpdir_init(&T, "cache");
}

static int
teardown(void **state)
{
	(void)state;
	return tmpdir_fini(&T);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_roundtrip),
		cmocka_unit_test(test_frame_truncated),
		cmocka_unit_test(test_frame_bitflips),
		cmocka_unit_test(test_frame_bad_headers),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_keys_and_paths),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_sweep_sources),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

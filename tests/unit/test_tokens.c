/* test_tokens: connection tokens sealed under the key ring (util/tokens.c)
 * in the local store: round trip, wrong key, tampering, another
 * connection's record, rotation and rekey, expiry, bad key material. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/store.h"
#include "util/tokens.h"

#define K1 "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c"
#define K2 "q3Jb9Zt1XwV0uY2sN8mKpL4hG7fD5eC6aB1zR0yT9xQ"
#define SECRET "EAAG-very-secret-access-token-0123456789"

struct fx {
	struct tmpdir dir;
	struct store *s;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct store_conf conf = { .prefix = "t:" };

	if (f == NULL || tmpdir_init(&f->dir, "tokens") != 0)
		return -1;
	conf.local_dir = f->dir.path;
	if (store_open(&conf, &f->s) != RC_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	tmpdir_fini(&f->dir);
	free(f);
	return 0;
}

static struct tokens_ring *
ring(const char *kid1, const char *m1, const char *kid2, const char *m2)
{
	struct tokens_ring *r = tokens_ring_new();
	const char *why;

	assert_non_null(r);
	assert_int_equal(tokens_ring_add(r, kid1, m1, strlen(m1), &why), RC_OK);
	if (kid2 != NULL)
		assert_int_equal(tokens_ring_add(r, kid2, m2, strlen(m2), &why), RC_OK);
	return r;
}

static json_t *
record(void)
{
	return json_pack("{s:s, s:s, s:I}", "access_token", SECRET, "refresh_token", "R-123",
	    "expires_at", (json_int_t)1900000000);
}

static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	struct tokens_ring *r = ring("k1", K1 "\n", NULL, NULL);
	json_t *rec = record(), *got = NULL;
	char *raw = NULL;
	size_t len;
	bool old = true;

	assert_int_equal(tokens_put(f->s, r, "ig-brand", rec, 0), RC_OK);
	assert_int_equal(tokens_get(f->s, r, "ig-brand", &got, &old), RC_OK);
	assert_false(old);
	assert_string_equal(json_string_value(json_object_get(got, "access_token")), SECRET);
	assert_int_equal(json_integer_value(json_object_get(got, "expires_at")), 1900000000);
	/* What the store holds: sealed, no plaintext. */
	assert_int_equal(store_get(f->s, "conn:tok:ig-brand", &raw, &len), RC_OK);
	assert_null(strstr(raw, SECRET));
	assert_null(strstr(raw, "R-123"));
	assert_int_equal(strncmp(raw, "t1.k1.", 6), 0);
	free(raw);
	json_decref(got);
	assert_int_equal(tokens_get(f->s, r, "other", &got, NULL), RC_NOTFOUND);
	assert_int_equal(tokens_get(f->s, r, "../x", &got, NULL), RC_INVALID);
	json_decref(rec);
	tokens_ring_free(r);
}

static void
test_wrong_key_and_tamper(void **state)
{
	struct fx *f = *state;
	struct tokens_ring *r = ring("k1", K1, NULL, NULL);
	struct tokens_ring *wrong = ring("k1", K2, NULL, NULL);
	struct tokens_ring *unknown = ring("k9", K1, NULL, NULL);
	json_t *rec = record(), *got = NULL;
	char *text = NULL;
	size_t n;

	assert_int_equal(tokens_seal(r, "x-brand", rec, &text), RC_OK);
	assert_int_equal(tokens_unseal(r, "x-brand", text, &got, NULL), RC_OK);
	json_decref(got);
	/* Same key id, other material; a key id the ring lacks. */
	assert_int_equal(tokens_unseal(wrong, "x-brand", text, &got, NULL), RC_CRYPTO);
	assert_int_equal(tokens_unseal(unknown, "x-brand", text, &got, NULL), RC_CRYPTO);
	/* Another connection's record does not open under this name. */
	assert_int_equal(tokens_unseal(r, "x-other", text, &got, NULL), RC_CRYPTO);
	/* One character of the ciphertext changed, or cut short. */
	n = strlen(text);
	text[n - 10] = text[n - 10] == 'A' ? 'B' : 'A';
	assert_int_equal(tokens_unseal(r, "x-brand", text, &got, NULL), RC_CRYPTO);
	text[10] = '\0';
	assert_int_not_equal(tokens_unseal(r, "x-brand", text, &got, NULL), RC_OK);
	assert_int_equal(tokens_unseal(r, "x-brand", "garbage", &got, NULL), RC_CORRUPT);
	assert_int_equal(tokens_unseal(r, "x-brand", "t1.k1.!!!", &got, NULL), RC_CORRUPT);
	assert_null(got);
	/* Through the store: a value overwritten by hand. */
	assert_int_equal(store_set(f->s, "conn:tok:x-brand", "t1.k1.AAAA", 10, 0), RC_OK);
	assert_int_equal(tokens_get(f->s, r, "x-brand", &got, NULL), RC_CRYPTO);
	free(text);
	json_decref(rec);
	tokens_ring_free(r);
	tokens_ring_free(wrong);
	tokens_ring_free(unknown);
}

static int
count_name(void *arg, const char *name)
{
	(void)name;
	(*(int *)arg)++;
	return 0;
}

static void
test_rotation(void **state)
{
	struct fx *f = *state;
	struct tokens_ring *old = ring("k1", K1, NULL, NULL);
	struct tokens_ring *both = ring("k2", K2, "k1", K1);
	struct tokens_ring *only_new = ring("k2", K2, NULL, NULL);
	json_t *rec = record(), *got = NULL;
	size_t done, failed;
	bool was_old = false;
	int n = 0;

	assert_string_equal(tokens_ring_newest(both), "k2");
	assert_int_equal(tokens_put(f->s, old, "a", rec, 0), RC_OK);
	assert_int_equal(tokens_put(f->s, old, "b", rec, 0), RC_OK);
	assert_int_equal(tokens_put(f->s, both, "c", rec, 0), RC_OK);
	/* Old records still open with the ring that lists the old key. */
	assert_int_equal(tokens_get(f->s, both, "a", &got, &was_old), RC_OK);
	assert_true(was_old);
	json_decref(got);
	assert_int_equal(tokens_get(f->s, only_new, "a", &got, NULL), RC_CRYPTO);
	assert_int_equal(tokens_rekey(f->s, both, 0, &done, &failed), RC_OK);
	assert_int_equal(done, 2);
	assert_int_equal(failed, 0);
	/* After the rekey the old key can go. */
	assert_int_equal(tokens_get(f->s, only_new, "a", &got, &was_old), RC_OK);
	assert_false(was_old);
	assert_string_equal(json_string_value(json_object_get(got, "access_token")), SECRET);
	json_decref(got);
	assert_int_equal(tokens_list(f->s, count_name, &n), RC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(tokens_delete(f->s, "b"), RC_OK);
	assert_int_equal(tokens_delete(f->s, "b"), RC_OK);
	assert_int_equal(tokens_get(f->s, only_new, "b", &got, NULL), RC_NOTFOUND);
	n = 0;
	assert_int_equal(tokens_list(f->s, count_name, &n), RC_OK);
	assert_int_equal(n, 2);
	json_decref(rec);
	tokens_ring_free(old);
	tokens_ring_free(both);
	tokens_ring_free(only_new);
}

static void
test_expiry(void **state)
{
	struct fx *f = *state;
	struct tokens_ring *r = ring("k1", K1, NULL, NULL);
	json_t *rec = record(), *got = NULL;

	assert_int_equal(tokens_put(f->s, r, "short", rec, 1), RC_OK);
	assert_int_equal(tokens_get(f->s, r, "short", &got, NULL), RC_OK);
	json_decref(got);
	usleep(1100 * 1000);
	assert_int_equal(tokens_get(f->s, r, "short", &got, NULL), RC_NOTFOUND);
	json_decref(rec);
	tokens_ring_free(r);
}

static void
test_bad_keys(void **state)
{
	struct tokens_ring *r = tokens_ring_new();
	const char *why = NULL;
	json_t *rec = record();
	char *text = NULL;

	(void)state;
	assert_int_equal(tokens_seal(r, "a", rec, &text), RC_INVALID);
	assert_int_equal(tokens_ring_add(r, "k1", "short", 5, &why), RC_INVALID);
	assert_non_null(why);
	assert_int_equal(tokens_ring_add(r, "k1",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 43, &why), RC_INVALID);
	assert_int_equal(tokens_ring_add(r, "bad id", K1, strlen(K1), &why), RC_INVALID);
	assert_int_equal(tokens_ring_add(r, "k1", K1, strlen(K1), &why), RC_OK);
	assert_int_equal(tokens_ring_add(r, "k1", K2, strlen(K2), &why), RC_INVALID);
	assert_int_equal(tokens_ring_count(r), 1);
	assert_int_equal(tokens_seal(r, "", rec, &text), RC_INVALID);
	json_decref(rec);
	rec = json_array();
	assert_int_equal(tokens_seal(r, "a", rec, &text), RC_INVALID);
	json_decref(rec);
	tokens_ring_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_and_tamper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test(test_bad_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

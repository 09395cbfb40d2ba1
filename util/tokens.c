/* tokens: connection tokens sealed under a key ring, kept in the store. */
#include "util/tokens.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/crypto.h"

#define TOKENS_INFO "socialhub connection token v1"
#define TOKENS_AAD "socialhub-token-v1"
#define TOKENS_VERSION "t1"
#define KEY_PREFIX "conn:tok:"
#define INDEX_KEY "conn:index"
#define SEALED_MAX (STORE_VALUE_MAX)

struct tokens_ring {
	size_t n;
	char kids[TOKENS_KEYS_MAX][TOKENS_KID_MAX + 1];
	unsigned char keys[TOKENS_KEYS_MAX][CRYPTO_KEY_LEN];
};

struct tokens_ring *
tokens_ring_new(void)
{
	return calloc(1, sizeof(struct tokens_ring));
}

void
tokens_ring_free(struct tokens_ring *r)
{
	if (r == NULL)
		return;
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

size_t
tokens_ring_count(const struct tokens_ring *r)
{
	return r->n;
}

const char *
tokens_ring_newest(const struct tokens_ring *r)
{
	return r->n > 0 ? r->kids[0] : "";
}

bool
tokens_name_ok(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Key material as `socialhub keygen` writes it: base64url of 32+ bytes
 * that look random. Decoded into the arena. */
static enum rc
material_decode(struct arena *a, const char *m, size_t len, unsigned char **raw,
    size_t *rawlen, const char **why)
{
	while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == '\r' || m[len - 1] == ' '))
		len--;
	if (crypto_b64url_decode(a, m, len, raw, rawlen) != RC_OK || *rawlen < CRYPTO_KEY_LEN) {
		*why = "is not base64url of 32 or more bytes (make one with socialhub keygen)";
		return RC_INVALID;
	}
	if (!crypto_key_plausible(*raw, *rawlen, why))
		return RC_INVALID;
	return RC_OK;
}

enum rc
tokens_ring_add(struct tokens_ring *r, const char *kid, const char *material, size_t len,
    const char **why)
{
	struct arena *a;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	enum rc rc;

	*why = NULL;
	if (!tokens_name_ok(kid, TOKENS_KID_MAX)) {
		*why = "key id must be 1-32 of [A-Za-z0-9_-]";
		return RC_INVALID;
	}
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->kids[i], kid) == 0) {
			*why = "key id given twice";
			return RC_INVALID;
		}
	if (r->n == TOKENS_KEYS_MAX) {
		*why = "too many keys";
		return RC_LIMIT;
	}
	if ((a = arena_new(256, 0)) == NULL)
		return RC_NOMEM;
	rc = material_decode(a, material, len, &raw, &rawlen, why);
	if (rc == RC_OK)
		rc = crypto_hkdf(raw, rawlen, TOKENS_INFO, r->keys[r->n], CRYPTO_KEY_LEN);
	if (rc == RC_OK) {
		memcpy(r->kids[r->n], kid, strlen(kid) + 1);
		r->n++;
	}
	if (raw != NULL)
		OPENSSL_cleanse(raw, rawlen);
	arena_free(a);
	return rc;
}

/* The AAD: binds a sealed record to its connection and key id, so a
 * record copied to another name (or relabelled) does not open. */
static enum rc
aad_of(struct buf *b, const char *name, const char *kid)
{
	return buf_appendf(b, "%s|%s|%s", TOKENS_AAD, name, kid);
}

enum rc
tokens_seal(const struct tokens_ring *r, const char *name, const json_t *rec, char **out)
{
	struct buf aad, sealed, text;
	char *plain;
	enum rc rc;

	*out = NULL;
	if (r->n == 0 || !tokens_name_ok(name, TOKENS_NAME_MAX) || !json_is_object(rec))
		return RC_INVALID;
	plain = json_dumps(rec, JSON_COMPACT);
	if (plain == NULL)
		return RC_NOMEM;
	buf_init(&aad, 256);
	buf_init(&sealed, SEALED_MAX);
	buf_init(&text, SEALED_MAX);
	rc = aad_of(&aad, name, r->kids[0]);
	if (rc == RC_OK)
		rc = crypto_seal(r->keys[0], aad.data, aad.len, plain, strlen(plain), &sealed);
	if (rc == RC_OK)
		rc = buf_appendf(&text, "%s.%s.", TOKENS_VERSION, r->kids[0]);
	if (rc == RC_OK)
		rc = crypto_b64url_encode(&text, sealed.data, sealed.len);
	if (rc == RC_OK && (*out = strndup(text.data, text.len)) == NULL)
		rc = RC_NOMEM;
	OPENSSL_cleanse(plain, strlen(plain));
	free(plain);
	buf_fini(&aad);
	buf_fini(&sealed);
	buf_fini(&text);
	return rc;
}

/* The key of kid in the ring, or -1. */
static int
ring_find(const struct tokens_ring *r, const char *kid, size_t kidlen)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->kids[i]) == kidlen && memcmp(r->kids[i], kid, kidlen) == 0)
			return (int)i;
	return -1;
}

/* Opens the sealed part with key k; the plaintext parsed into *out. */
static enum rc
unseal_with(struct arena *a, const unsigned char *key, const char *name, const char *kid,
    const char *b64, json_t **out)
{
	unsigned char *sealed, *plain;
	size_t slen, plen;
	struct buf aad;
	enum rc rc;

	if (crypto_b64url_decode(a, b64, strlen(b64), &sealed, &slen) != RC_OK)
		return RC_CORRUPT;
	buf_init(&aad, 256);
	rc = aad_of(&aad, name, kid);
	if (rc == RC_OK)
		rc = crypto_open(a, key, aad.data, aad.len, sealed, slen, &plain, &plen);
	buf_fini(&aad);
	if (rc != RC_OK)
		return rc == RC_NOMEM ? rc : RC_CRYPTO;
	*out = json_loadb((const char *)plain, plen, JSON_REJECT_DUPLICATES, NULL);
	OPENSSL_cleanse(plain, plen);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return RC_CORRUPT;
	}
	return RC_OK;
}

enum rc
tokens_unseal(const struct tokens_ring *r, const char *name, const char *text, json_t **out,
    bool *kid_old)
{
	const char *dot1, *dot2;
	char kid[TOKENS_KID_MAX + 1];
	struct arena *a;
	enum rc rc;
	int k;

	*out = NULL;
	if (strncmp(text, TOKENS_VERSION ".", sizeof(TOKENS_VERSION)) != 0)
		return RC_CORRUPT;
	dot1 = text + sizeof(TOKENS_VERSION) - 1;
	dot2 = strchr(dot1 + 1, '.');
	if (dot2 == NULL || (size_t)(dot2 - dot1 - 1) > TOKENS_KID_MAX || dot2 == dot1 + 1)
		return RC_CORRUPT;
	memcpy(kid, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	kid[dot2 - dot1 - 1] = '\0';
	if ((k = ring_find(r, kid, strlen(kid))) < 0)
		return RC_CRYPTO;
	if ((a = arena_new(strlen(text) + 1024, 0)) == NULL)
		return RC_NOMEM;
	rc = unseal_with(a, r->keys[k], name, kid, dot2 + 1, out);
	arena_free(a);
	if (rc == RC_OK && kid_old != NULL)
		*kid_old = k != 0;
	return rc;
}

/* Sets name's index field to want (0 or 1): the store's hashes only add. */
static enum rc
index_set(struct store *s, const char *name, long long want)
{
	long long cur = 0;
	enum rc rc = store_hincr(s, INDEX_KEY, name, 0, &cur);

	return rc == RC_OK && cur != want ? store_hincr(s, INDEX_KEY, name, want - cur, NULL) : rc;
}

static enum rc
key_of(struct buf *b, const char *name)
{
	if (!tokens_name_ok(name, TOKENS_NAME_MAX))
		return RC_INVALID;
	return buf_appendf(b, "%s%s", KEY_PREFIX, name);
}

enum rc
tokens_put(struct store *s, const struct tokens_ring *r, const char *name, const json_t *rec,
    long ttl_s)
{
	struct buf key;
	char *text = NULL;
	enum rc rc;

	buf_init(&key, STORE_KEY_MAX);
	rc = key_of(&key, name);
	if (rc == RC_OK)
		rc = tokens_seal(r, name, rec, &text);
	if (rc == RC_OK)
		rc = store_set(s, buf_cstr(&key), text, strlen(text), ttl_s);
	/* The index: a hash field per name, 1 while it has a record. */
	if (rc == RC_OK)
		rc = index_set(s, name, 1);
	free(text);
	buf_fini(&key);
	return rc;
}

enum rc
tokens_get(struct store *s, const struct tokens_ring *r, const char *name, json_t **out,
    bool *kid_old)
{
	struct buf key;
	char *text = NULL;
	size_t len;
	enum rc rc;

	*out = NULL;
	buf_init(&key, STORE_KEY_MAX);
	rc = key_of(&key, name);
	if (rc == RC_OK)
		rc = store_get(s, buf_cstr(&key), &text, &len);
	if (rc == RC_OK)
		rc = strlen(text) == len ? tokens_unseal(r, name, text, out, kid_old) : RC_CORRUPT;
	free(text);
	buf_fini(&key);
	return rc;
}

enum rc
tokens_delete(struct store *s, const char *name)
{
	struct buf key;
	enum rc rc;

	buf_init(&key, STORE_KEY_MAX);
	rc = key_of(&key, name);
	if (rc == RC_OK)
		rc = store_del(s, buf_cstr(&key));
	if (rc == RC_OK)
		rc = index_set(s, name, 0);
	buf_fini(&key);
	return rc;
}

struct list_arg {
	int (*fn)(void *arg, const char *name);
	void *arg;
};

static int
list_field(void *varg, const char *field, long long value)
{
	struct list_arg *l = varg;

	return value > 0 ? l->fn(l->arg, field) : 0;
}

enum rc
tokens_list(struct store *s, int (*fn)(void *arg, const char *name), void *arg)
{
	struct list_arg l = { fn, arg };

	return store_hgetall(s, INDEX_KEY, list_field, &l);
}

/* The names, copied (the callbacks of a rekey write to the store). */
struct names {
	char (*v)[TOKENS_NAME_MAX + 1];
	size_t n, cap;
};

static int
names_add(void *arg, const char *name)
{
	struct names *ns = arg;
	void *p;

	if (!tokens_name_ok(name, TOKENS_NAME_MAX))
		return 0;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 16;
		if ((p = realloc(ns->v, ns->cap * sizeof(*ns->v))) == NULL)
			return 1;
		ns->v = p;
	}
	memcpy(ns->v[ns->n++], name, strlen(name) + 1);
	return 0;
}

enum rc
tokens_rekey(struct store *s, const struct tokens_ring *r, long ttl_s, size_t *done,
    size_t *failed)
{
	struct names ns = { 0 };
	enum rc rc = tokens_list(s, names_add, &ns);

	*done = *failed = 0;
	for (size_t i = 0; i < ns.n && rc == RC_OK; i++) {
		json_t *rec = NULL;
		bool old = false;
		enum rc g = tokens_get(s, r, ns.v[i], &rec, &old);
		if (g == RC_OK && old && (rc = tokens_put(s, r, ns.v[i], rec, ttl_s)) == RC_OK)
			(*done)++;
		else if (g == RC_CRYPTO || g == RC_CORRUPT)
			(*failed)++;
		else if (g != RC_OK && g != RC_NOTFOUND)
			rc = g;
		json_decref(rec);
	}
	free(ns.v);
	return rc;
}

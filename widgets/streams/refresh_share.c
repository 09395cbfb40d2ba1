/* refresh_share: leases per source and shared fetch results in the store. */
#include "widgets/streams/refresh_share.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/crypto.h"
#include "util/log.h"
#include "widgets/streams/cache.h"

#define SHARE_MAGIC "SHR1"
#define SHARE_HEAD_MAX 96
#define HOLDER_MAX 128

struct refresh_share {
	struct store *st;
	pthread_mutex_t mu;
	bool down;                  /* logged this outage */
	char holder[HOLDER_MAX];
};

enum rc
refresh_share_new(struct store *st, struct refresh_share **out)
{
	struct refresh_share *rs;
	char host[64] = "node";
	uint32_t rnd = 0;

	*out = NULL;
	if (st == NULL)
		return RC_OK;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return RC_NOMEM;
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "node");
	/* The random part tells a restarted refresher from a dead one that
	 * had the same PID. */
	crypto_random(&rnd, sizeof(rnd));
	snprintf(rs->holder, sizeof(rs->holder), "%s:%ld:%08" PRIx32, host, (long)getpid(), rnd);
	pthread_mutex_init(&rs->mu, NULL);
	rs->st = st;
	*out = rs;
	return RC_OK;
}

void
refresh_share_free(struct refresh_share *rs)
{
	if (rs == NULL)
		return;
	pthread_mutex_destroy(&rs->mu);
	free(rs);
}

const char *
refresh_share_holder(const struct refresh_share *rs)
{
	return rs->holder;
}

/* Logs the first failure of an outage and the return; called locked. */
static enum rc
note(struct refresh_share *rs, enum rc rc)
{
	if (rc == RC_UNAVAILABLE && !rs->down) {
		rs->down = true;
		log_kv(LOG_WARN, "refresh_store_down", "note",
		    "the shared store does not answer: this node fetches its sources itself", NULL);
	} else if (rc != RC_UNAVAILABLE && rs->down) {
		rs->down = false;
		log_kv(LOG_INFO, "refresh_store_up", "note", "sources are fetched once per cluster again",
		    NULL);
	}
	return rc;
}

static void
key_of(char *out, size_t n, const char *what, const char *key)
{
	snprintf(out, n, "refresh:%s:%s", what, key);
}

enum rc
refresh_share_lease(struct refresh_share *rs, const char *key, bool *held)
{
	char k[STORE_KEY_MAX];
	enum rc rc;

	key_of(k, sizeof(k), "lease", key);
	pthread_mutex_lock(&rs->mu);
	rc = note(rs, store_lease(rs->st, k, rs->holder, REFRESH_LEASE_MS, held));
	pthread_mutex_unlock(&rs->mu);
	return rc;
}

void
refresh_share_release(struct refresh_share *rs, const char *key)
{
	char k[STORE_KEY_MAX];

	key_of(k, sizeof(k), "lease", key);
	pthread_mutex_lock(&rs->mu);
	note(rs, store_lease_release(rs->st, k, rs->holder));
	pthread_mutex_unlock(&rs->mu);
}

enum rc
refresh_share_pack(const char *st, size_t sn, const char *http, size_t hn,
    const char *items, size_t in, char **out, size_t *outlen)
{
	char head[SHARE_HEAD_MAX];
	int h = snprintf(head, sizeof(head), SHARE_MAGIC " %zu %zu %zu\n", sn, hn, in);
	size_t n = (size_t)h + sn + hn + in;
	char *v;

	*out = NULL;
	if (h < 0 || (size_t)h >= sizeof(head) || (v = malloc(n + 1)) == NULL)
		return RC_NOMEM;
	memcpy(v, head, (size_t)h);
	memcpy(v + h, st, sn);
	if (hn > 0)
		memcpy(v + h + sn, http, hn);
	if (in > 0)
		memcpy(v + h + sn + hn, items, in);
	v[n] = '\0';
	*out = v;
	*outlen = n;
	return RC_OK;
}

enum rc
refresh_share_unpack(const char *v, size_t len, const char **st, size_t *sn,
    const char **http, size_t *hn, const char **items, size_t *in)
{
	const char *nl = memchr(v, '\n', len < SHARE_HEAD_MAX ? len : SHARE_HEAD_MAX);
	char head[SHARE_HEAD_MAX], extra;
	size_t h;

	if (nl == NULL)
		return RC_CORRUPT;
	h = (size_t)(nl - v) + 1;
	memcpy(head, v, h - 1);
	head[h - 1] = '\0';
	if (sscanf(head, SHARE_MAGIC " %zu %zu %zu%c", sn, hn, in, &extra) != 3)
		return RC_CORRUPT;
	/* Each part is bounded by what is left: no sum can wrap. */
	if (*sn > len - h || *hn > len - h - *sn || *in != len - h - *sn - *hn || *sn == 0)
		return RC_CORRUPT;
	*st = v + h;
	*http = v + h + *sn;
	*items = v + h + *sn + *hn;
	return RC_OK;
}

/* A local file's payload, or an empty one when it is absent. */
static enum rc
read_part(const char *path, char **out, size_t *n)
{
	enum rc rc = cache_read(path, CACHE_JSON_MAX, out, n);

	if (rc == RC_NOTFOUND) {
		*out = NULL;
		*n = 0;
		return RC_OK;
	}
	return rc;
}

enum rc
refresh_share_put(struct refresh_share *rs, const char *key, const struct refresh_files *f)
{
	char *st = NULL, *http = NULL, *items = NULL, *v = NULL, k[STORE_KEY_MAX];
	size_t sn = 0, hn = 0, in = 0, vn = 0;
	enum rc rc;

	if ((rc = cache_read(f->status, CACHE_JSON_MAX, &st, &sn)) != RC_OK ||
	    (rc = read_part(f->http, &http, &hn)) != RC_OK ||
	    (rc = read_part(f->items, &items, &in)) != RC_OK)
		goto out;
	if ((rc = refresh_share_pack(st, sn, http, hn, items, in, &v, &vn)) != RC_OK)
		goto out;
	key_of(k, sizeof(k), "src", key);
	pthread_mutex_lock(&rs->mu);
	rc = note(rs, store_set(rs->st, k, v, vn, REFRESH_SHARE_TTL));
	pthread_mutex_unlock(&rs->mu);
out:
	free(st);
	free(http);
	free(items);
	free(v);
	return rc;
}

/* The last_attempt of a status.json payload; 0 when it is not one. */
static long long
attempt_of(const char *st, size_t sn)
{
	json_t *j = json_loadb(st, sn, 0, NULL);
	long long t = json_is_object(j) ? (long long)json_integer_value(
	    json_object_get(j, "last_attempt")) : 0;

	json_decref(j);
	return t;
}

/* Writes one part unless the local file already holds those bytes. */
static enum rc
write_part(const char *path, const char *p, size_t n)
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	char hex[65], have[65];

	crypto_sha256(p, n, sum);
	for (size_t i = 0; i < sizeof(sum); i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	if (cache_peek_sum(path, have) == RC_OK && strcmp(have, hex) == 0)
		return RC_OK;
	return cache_write_sum(path, p, n, hex);
}

enum rc
refresh_share_take(struct refresh_share *rs, const char *key, long long local_attempt,
    const struct refresh_files *f, bool *took)
{
	const char *st, *http, *items;
	size_t sn, hn, in, vn;
	char *v = NULL, k[STORE_KEY_MAX];
	enum rc rc;

	*took = false;
	key_of(k, sizeof(k), "src", key);
	pthread_mutex_lock(&rs->mu);
	rc = store_get(rs->st, k, &v, &vn);
	if (rc != RC_NOTFOUND)
		note(rs, rc);
	pthread_mutex_unlock(&rs->mu);
	if (rc != RC_OK)
		return rc;
	if ((rc = refresh_share_unpack(v, vn, &st, &sn, &http, &hn, &items, &in)) != RC_OK) {
		log_kv(LOG_WARN, "refresh_share_corrupt", "key", key, NULL);
		goto out;
	}
	if (attempt_of(st, sn) <= local_attempt)
		goto out;
	/* Items first, status last: a crash in between leaves the old status,
	 * which only makes this node take (or fetch) the source again. */
	if (in > 0 && (rc = write_part(f->items, items, in)) != RC_OK)
		goto out;
	if (hn > 0 && (rc = write_part(f->http, http, hn)) != RC_OK)
		goto out;
	if ((rc = write_part(f->status, st, sn)) == RC_OK)
		*took = true;
out:
	free(v);
	return rc;
}

/* share_day: an open-addressing table of the day's visitor keys in MAP_SHARED memory. */
#include "widgets/share/share_day.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/fsutil.h"

/* A slot's tag: (day + 1) << 1, low bit set once the key is written. A
 * tag of another day (0 included: never used) is a free slot. */
struct slot {
	_Atomic uint32_t tag;
	_Atomic uint32_t n;
	unsigned char key[SHARE_DAY_KEY_LEN];
};

struct share_day {
	size_t bytes;                 /* of the whole mapping */
	uint32_t mask;                /* slots - 1 */
	uint32_t cap;                 /* keys a day: 3/4 of the slots */
	_Atomic uint32_t day;         /* (day + 1) of the newest day seen */
	_Atomic uint32_t used;        /* keys inserted on that day */
	_Atomic uint32_t spilled;     /* (day + 1) of a day that was full */
	struct slot slots[];
};

/* A claimed slot whose writer died before finishing is passed after this
 * many looks (its key is lost to the table; a repeat may count again). */
#define CLAIM_SPINS 100000

/* The process model's table: mapped by the master before fork, never
 * freed (like fcgi/metrics.c's segment). */
static struct share_day *share_day_segment;

size_t
share_day_slots_for(long max_keys)
{
	size_t want = max_keys > 0 ? (size_t)max_keys / 3 * 4 + 4 : 0, n = SHARE_DAY_SLOTS_MIN;

	while (n < want && n < SHARE_DAY_SLOTS_MAX)
		n <<= 1;
	return n;
}

enum rc
share_day_new(size_t slots, struct share_day **out)
{
	size_t bytes = sizeof(struct share_day) + slots * sizeof(struct slot);
	struct share_day *d;

	*out = NULL;
	if (slots < SHARE_DAY_SLOTS_MIN || slots > SHARE_DAY_SLOTS_MAX || (slots & (slots - 1)) != 0)
		return RC_INVALID;
	/* Zeroed pages, touched only as keys land in them. */
	d = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED)
		return RC_NOMEM;
	d->bytes = bytes;
	d->mask = (uint32_t)slots - 1;
	d->cap = (uint32_t)(slots / 4 * 3);
	*out = d;
	return RC_OK;
}

void
share_day_free(struct share_day *d)
{
	if (d != NULL)
		munmap(d, d->bytes);
}

static uint32_t
day_tag(long day)
{
	return (uint32_t)(day + 1) << 1;
}

/* Moves the table on to `day` when it is newer; false when `day` is
 * older than the table's (not covered). */
static bool
day_covered(struct share_day *d, long day)
{
	uint32_t want = (uint32_t)(day + 1), cur = atomic_load(&d->day);

	while (cur < want) {
		if (atomic_compare_exchange_weak(&d->day, &cur, want)) {
			atomic_store(&d->used, 0);
			return true;
		}
	}
	return cur == want;
}

/* The keys are MACs: their first bytes are as good as any hash. */
static uint32_t
home(const struct share_day *d, const unsigned char *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return h & d->mask;
}

/* The slot's tag once its writer has finished (or given up on). */
static uint32_t
settled_tag(struct slot *s, uint32_t t, uint32_t tag)
{
	for (int i = 0; t == tag && i < CLAIM_SPINS; i++) {
		if (i > 64)
			sched_yield();
		t = atomic_load_explicit(&s->tag, memory_order_acquire);
	}
	return t;
}

/* Claims free slot s for key: false when another process took it first. */
static bool
claim(struct share_day *d, struct slot *s, uint32_t seen, uint32_t tag,
    const unsigned char *key)
{
	if (atomic_fetch_add(&d->used, 1) >= d->cap) {
		atomic_fetch_sub(&d->used, 1);
		atomic_store(&d->spilled, tag >> 1);
		return false;
	}
	if (!atomic_compare_exchange_strong(&s->tag, &seen, tag)) {
		atomic_fetch_sub(&d->used, 1);
		return false;
	}
	atomic_store(&s->n, 0);
	memcpy(s->key, key, SHARE_DAY_KEY_LEN);
	atomic_store_explicit(&s->tag, tag | 1, memory_order_release);
	return true;
}

/*
 * The slot of key on day `tag`, or with `insert` the free slot claimed
 * for it; NULL when absent (or full: *full).
 */
static struct slot *
find(struct share_day *d, uint32_t tag, const unsigned char *key, bool insert, bool *full)
{
	uint32_t i = home(d, key);

	*full = false;
	for (uint32_t k = 0; k <= d->mask; ) {
		struct slot *s = &d->slots[i];
		uint32_t t = atomic_load_explicit(&s->tag, memory_order_acquire);
		if ((t & ~1u) != tag) {
			if (!insert)
				return NULL;
			if (claim(d, s, t, tag, key))
				return s;
			if ((*full = atomic_load(&d->spilled) == tag >> 1 &&
			    atomic_load(&d->used) >= d->cap))
				return NULL;
			continue;     /* lost the race: look at this slot again */
		}
		t = settled_tag(s, t, tag);
		if (t == (tag | 1) && memcmp(s->key, key, SHARE_DAY_KEY_LEN) == 0)
			return s;
		i = (i + 1) & d->mask;
		k++;
	}
	*full = insert;
	return NULL;
}

enum rc
share_day_get(struct share_day *d, long day, const unsigned char *key, uint32_t *n)
{
	struct slot *s;
	bool full;

	*n = 0;
	if (!day_covered(d, day))
		return RC_NOTFOUND;
	s = find(d, day_tag(day), key, false, &full);
	if (s != NULL)
		*n = atomic_load(&s->n);
	return RC_OK;
}

enum rc
share_day_add(struct share_day *d, long day, const unsigned char *key, uint32_t *at)
{
	struct slot *s;
	bool full;

	*at = 0;
	if (!day_covered(d, day))
		return RC_NOTFOUND;
	s = find(d, day_tag(day), key, true, &full);
	if (s == NULL) {
		atomic_store(&d->spilled, (uint32_t)(day + 1));
		return RC_LIMIT;
	}
	atomic_fetch_add(&s->n, 1);
	*at = (uint32_t)(s - d->slots);
	return RC_OK;
}

void
share_day_undo(struct share_day *d, uint32_t at)
{
	if (d != NULL && at <= d->mask && atomic_load(&d->slots[at].n) > 0)
		atomic_fetch_sub(&d->slots[at].n, 1);
}

bool
share_day_spilled(const struct share_day *d, long day)
{
	return d != NULL && atomic_load(&d->spilled) == (uint32_t)(day + 1);
}

size_t
share_day_used(const struct share_day *d, long day)
{
	return d != NULL && atomic_load(&d->day) == (uint32_t)(day + 1) ? atomic_load(&d->used) : 0;
}

size_t
share_day_capacity(const struct share_day *d)
{
	return d != NULL ? d->cap : 0;
}

/* The saved file: magic, day + 1, count, then count records of key and n. */
static const char day_magic[8] = "SHDAY1\n";
#define DAY_HEAD (sizeof(day_magic) + 2 * sizeof(uint32_t))
#define DAY_REC (SHARE_DAY_KEY_LEN + sizeof(uint32_t))

enum rc
share_day_save(struct share_day *d, long day, const char *path)
{
	uint32_t tag = day_tag(day) | 1, want = (uint32_t)(day + 1), n = 0;
	unsigned char *p = malloc(DAY_HEAD + (size_t)(d->mask + 1) / 4 * 3 * DAY_REC + DAY_REC);
	size_t at = DAY_HEAD, room = (size_t)(d->mask + 1) / 4 * 3 + 1;
	enum rc rc;

	if (p == NULL)
		return RC_NOMEM;
	for (uint32_t i = 0; i <= d->mask && n < room; i++) {
		struct slot *s = &d->slots[i];
		uint32_t c = atomic_load(&s->n);
		if (atomic_load_explicit(&s->tag, memory_order_acquire) != tag || c == 0)
			continue;
		memcpy(p + at, s->key, SHARE_DAY_KEY_LEN);
		memcpy(p + at + SHARE_DAY_KEY_LEN, &c, sizeof(c));
		at += DAY_REC;
		n++;
	}
	memcpy(p, day_magic, sizeof(day_magic));
	memcpy(p + sizeof(day_magic), &want, sizeof(want));
	memcpy(p + sizeof(day_magic) + sizeof(want), &n, sizeof(n));
	rc = fsutil_write_atomic(path, p, at, 0600);
	free(p);
	return rc;
}

/* Sets key's count to n (a loaded record); false when full. */
static bool
put(struct share_day *d, long day, const unsigned char *key, uint32_t n)
{
	bool full;
	struct slot *s = find(d, day_tag(day), key, true, &full);

	if (s != NULL)
		atomic_store(&s->n, n);
	return s != NULL;
}

enum rc
share_day_load(struct share_day *d, long day, const char *path, size_t *loaded)
{
	size_t max = DAY_HEAD + (size_t)(d->mask + 1) * DAY_REC, len = 0, got = 0;
	char *data = NULL;
	uint32_t fday = 0, n = 0;
	enum rc rc = fsutil_read(path, max, &data, &len);

	if (loaded != NULL)
		*loaded = 0;
	if (rc == RC_TOOBIG)
		return RC_CORRUPT;
	if (rc != RC_OK)
		return rc;
	if (len >= DAY_HEAD) {
		memcpy(&fday, data + sizeof(day_magic), sizeof(fday));
		memcpy(&n, data + sizeof(day_magic) + sizeof(fday), sizeof(n));
	}
	if (len < DAY_HEAD || memcmp(data, day_magic, sizeof(day_magic)) != 0 ||
	    (len - DAY_HEAD) % DAY_REC != 0 || (len - DAY_HEAD) / DAY_REC != n) {
		free(data);
		return RC_CORRUPT;
	}
	if (fday == (uint32_t)(day + 1) && day_covered(d, day))
		for (size_t i = 0; i < n; i++) {
			const char *r = data + DAY_HEAD + i * DAY_REC;
			uint32_t c;
			memcpy(&c, r + SHARE_DAY_KEY_LEN, sizeof(c));
			if (!put(d, day, (const unsigned char *)r, c))
				break;
			got++;
		}
	free(data);
	if (loaded != NULL)
		*loaded = got;
	return RC_OK;
}

enum rc
share_day_start(size_t slots)
{
	if (share_day_segment != NULL)
		return RC_OK;
	return share_day_new(slots, &share_day_segment);
}

struct share_day *
share_day_shared(void)
{
	return share_day_segment;
}

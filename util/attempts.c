/* attempts: a ring of the last ATTEMPTS_SLOTS (key, time) pairs in a file. */
#include "util/attempts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"

#define ATTEMPTS_MAGIC "SHATT01"

struct attempt {
	unsigned char key[ATTEMPTS_KEY_LEN];
	int64_t when;
};

struct attempts_file {
	char magic[8];
	uint32_t next; /* the slot the next attempt overwrites */
	uint32_t pad;
	struct attempt slots[ATTEMPTS_SLOTS];
};

/* The log in `path`, or an empty one when it is missing or not ours. */
static void
log_load(const char *path, struct attempts_file *f)
{
	char *data = NULL;
	size_t len = 0;

	memset(f, 0, sizeof(*f));
	memcpy(f->magic, ATTEMPTS_MAGIC, sizeof(f->magic));
	if (fsutil_read(path, sizeof(*f), &data, &len) != RC_OK)
		return;
	if (len == sizeof(*f) && memcmp(data, ATTEMPTS_MAGIC, sizeof(f->magic)) == 0) {
		memcpy(f, data, sizeof(*f));
		if (f->next >= ATTEMPTS_SLOTS)
			f->next = 0;
	}
	free(data);
}

enum rc
attempts_take(const struct attempts_rule *r, const unsigned char key[ATTEMPTS_KEY_LEN],
    time_t now, long *retry_after)
{
	struct attempts_file *f = malloc(sizeof(*f));
	int64_t oldest = INT64_MAX;
	unsigned n = 0;
	enum rc rc;

	*retry_after = 0;
	if (f == NULL)
		return RC_NOMEM;
	log_load(r->path, f);
	for (size_t i = 0; i < ATTEMPTS_SLOTS; i++) {
		const struct attempt *e = &f->slots[i];
		/* A time ahead of ours (clock stepped back) still counts. */
		if (e->when == 0 || e->when <= (int64_t)now - r->window ||
		    memcmp(e->key, key, ATTEMPTS_KEY_LEN) != 0)
			continue;
		n++;
		if (e->when < oldest)
			oldest = e->when;
	}
	if (n >= r->max) {
		*retry_after = (long)(oldest + r->window - (int64_t)now);
		if (*retry_after < 1)
			*retry_after = 1;
		free(f);
		return RC_RATELIMIT;
	}
	memcpy(f->slots[f->next].key, key, ATTEMPTS_KEY_LEN);
	f->slots[f->next].when = (int64_t)now;
	f->next = (f->next + 1) % ATTEMPTS_SLOTS;
	rc = fsutil_write_atomic(r->path, f, sizeof(*f), 0600);
	free(f);
	return rc;
}

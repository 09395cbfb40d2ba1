/* share_seen: an open-addressing set of today's counted visitor keys. */
#include "widgets/share/share_seen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	unsigned char key[SHARE_VISITOR_LEN];
	bool used;
};

struct share_seen {
	struct slot *slots;
	size_t n, used;
	long day;
};

enum rc
share_seen_new(size_t slots, struct share_seen **out)
{
	struct share_seen *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL || slots < 4 || (s->slots = calloc(slots, sizeof(*s->slots))) == NULL) {
		free(s);
		return RC_NOMEM;
	}
	s->n = slots;
	s->day = -1;
	*out = s;
	return RC_OK;
}

void
share_seen_free(struct share_seen *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s);
}

/* The keys are MACs: their first bytes are as good as any hash. */
static size_t
home(const struct share_seen *s, const unsigned char *key)
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)(h % s->n);
}

bool
share_seen_has(const struct share_seen *s, long day, const unsigned char *key)
{
	if (s == NULL || s->day != day)
		return false;
	for (size_t i = home(s, key), k = 0; k < s->n && s->slots[i].used; k++) {
		if (memcmp(s->slots[i].key, key, SHARE_VISITOR_LEN) == 0)
			return true;
		i = (i + 1) % s->n;
	}
	return false;
}

void
share_seen_add(struct share_seen *s, long day, const unsigned char *key)
{
	size_t i;

	if (s == NULL || share_seen_has(s, day, key))
		return;
	if (s->day != day || s->used >= s->n / 4 * 3) {
		memset(s->slots, 0, s->n * sizeof(*s->slots));
		s->used = 0;
		s->day = day;
	}
	for (i = home(s, key); s->slots[i].used; i = (i + 1) % s->n)
		;
	memcpy(s->slots[i].key, key, SHARE_VISITOR_LEN);
	s->slots[i].used = true;
	s->used++;
}

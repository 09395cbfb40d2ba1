/* moderation: queue, decisions and audit of moderated streams in the
 * shared store; the merge reads them through a view. */
#include "widgets/streams/moderation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/url.h"

#define MOD_AUDIT_CHUNK 100       /* items per audit list entry */
#define MOD_AUDIT_ENTRIES 10000   /* list entries kept (a batch is one or more) */
#define MOD_CSV_MAX (64u * 1024 * 1024)

struct mod {
	struct store *st;
};

static const char *const action_names[MOD_ACTION_COUNT] = {
	[MOD_APPROVE] = "approve", [MOD_REJECT] = "reject", [MOD_PIN] = "pin",
	[MOD_UNPIN] = "unpin", [MOD_HIDE] = "hide", [MOD_FEATURE] = "feature",
	[MOD_UNFEATURE] = "unfeature",
};

static const char *const state_names[] = {
	[MOD_NONE] = "none", [MOD_APPROVED] = "approved", [MOD_REJECTED] = "rejected",
	[MOD_HIDDEN] = "hidden",
};

enum rc
mod_new(struct store *s, struct mod **out)
{
	*out = NULL;
	if (s == NULL)
		return RC_INVALID;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return RC_NOMEM;
	(*out)->st = s;
	return RC_OK;
}

void
mod_free(struct mod *m)
{
	free(m);
}

const char *
mod_state_name(enum mod_state s)
{
	return (unsigned)s <= MOD_HIDDEN ? state_names[s] : "none";
}

static bool
state_parse(const char *s, enum mod_state *out)
{
	for (size_t i = 0; s != NULL && i <= MOD_HIDDEN; i++) {
		if (strcmp(state_names[i], s) == 0) {
			*out = (enum mod_state)i;
			return true;
		}
	}
	return false;
}

bool
mod_action_parse(const char *s, enum mod_action *out)
{
	for (size_t i = 0; s != NULL && i < MOD_ACTION_COUNT; i++) {
		if (strcmp(action_names[i], s) == 0) {
			*out = (enum mod_action)i;
			return true;
		}
	}
	return false;
}

const char *
mod_action_name(enum mod_action a)
{
	return (unsigned)a < MOD_ACTION_COUNT ? action_names[a] : "unknown";
}

void
mod_item_key(const char *source, const struct feed_item *it, char out[MOD_KEY_LEN + 1])
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	const char *id = it->id != NULL ? it->id : it->url != NULL ? it->url : "";
	struct buf b;

	buf_init(&b, 64 * 1024);
	buf_appendf(&b, "%s\x1f%s", source != NULL ? source : "", id);
	crypto_sha256(b.data != NULL ? b.data : "", b.len, sum);
	buf_fini(&b);
	for (size_t i = 0; i < MOD_KEY_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

bool
mod_key_ok(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s != NULL && i == MOD_KEY_LEN;
}

/* "mod:X:STREAM" in a caller's buffer; false when the name does not fit. */
static bool
skey(char *out, size_t n, const char *kind, const char *stream)
{
	return (size_t)snprintf(out, n, "mod:%s:%s", kind, stream) < n;
}

/* ---- decisions as JSON ---- */

static bool
decision_parse(struct arena *a, const char *s, size_t len, struct mod_decision *d)
{
	json_t *j = json_loadb(s, len, 0, NULL);
	const char *by;

	memset(d, 0, sizeof(*d));
	if (j == NULL)
		return false;
	if (!state_parse(json_string_value(json_object_get(j, "state")), &d->state))
		d->state = MOD_NONE;
	d->pin = (long)json_integer_value(json_object_get(j, "pin"));
	d->featured = json_is_true(json_object_get(j, "featured"));
	d->at = (long long)json_integer_value(json_object_get(j, "at"));
	by = json_string_value(json_object_get(j, "by"));
	d->by = by != NULL ? arena_strdup(a, by) : NULL;
	json_decref(j);
	return true;
}

static char *
decision_dump(const struct mod_decision *d)
{
	json_t *j = json_pack("{s:s, s:I, s:b, s:s, s:I}", "state", mod_state_name(d->state),
	    "pin", (json_int_t)d->pin, "featured", d->featured, "by", d->by != NULL ? d->by : "",
	    "at", (json_int_t)d->at);
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

/* ---- the view ---- */

struct vdec {
	char key[MOD_KEY_LEN + 1];
	struct mod_decision d;
};

struct fresh {
	char key[MOD_KEY_LEN + 1];
	char *snapshot;        /* JSON for mod:q */
	struct fresh *next;
};

struct mod_view {
	struct mod *m;
	struct arena *a;
	const char *stream;
	long long gen;
	struct vdec *dec;
	size_t ndec, capdec;
	char (*queued)[MOD_KEY_LEN + 1];
	size_t nqueued, capqueued;
	struct fresh *fresh;
	long long now;
	bool have_dec, have_keys;   /* decisions, queued keys read */
};

static int
vdec_cmp(const void *x, const void *y)
{
	return strcmp(((const struct vdec *)x)->key, ((const struct vdec *)y)->key);
}

static int
key_cmp(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

static int
take_decision(void *arg, const char *field, const char *value, size_t len)
{
	struct mod_view *v = arg;

	if (!mod_key_ok(field))
		return 0;
	if (v->ndec == v->capdec) {
		size_t cap = v->capdec ? v->capdec * 2 : 64;
		struct vdec *p = arena_calloc(v->a, cap, sizeof(*p));
		if (p == NULL)
			return 1;
		if (v->ndec > 0)
			memcpy(p, v->dec, v->ndec * sizeof(*p));
		v->dec = p;
		v->capdec = cap;
	}
	memcpy(v->dec[v->ndec].key, field, MOD_KEY_LEN + 1);
	if (decision_parse(v->a, value, len, &v->dec[v->ndec].d))
		v->ndec++;
	return 0;
}

static int
take_queued(void *arg, const char *field, long long seen)
{
	struct mod_view *v = arg;

	(void)seen;
	if (!mod_key_ok(field))
		return 0;
	if (v->nqueued == v->capqueued) {
		size_t cap = v->capqueued ? v->capqueued * 2 : 256;
		char (*p)[MOD_KEY_LEN + 1] = arena_calloc(v->a, cap, sizeof(*p));
		if (p == NULL)
			return 1;
		if (v->nqueued > 0)
			memcpy(p, v->queued, v->nqueued * sizeof(*p));
		v->queued = p;
		v->capqueued = cap;
	}
	memcpy(v->queued[v->nqueued++], field, MOD_KEY_LEN + 1);
	return 0;
}

enum rc
mod_view_open(struct mod *m, struct arena *a, const char *stream, struct mod_view **out)
{
	struct mod_view *v;
	enum rc rc;

	*out = NULL;
	if ((v = arena_calloc(a, 1, sizeof(*v))) == NULL)
		return RC_NOMEM;
	v->m = m;
	v->a = a;
	v->stream = stream;
	v->now = (long long)time(NULL);
	if ((rc = mod_gen(m, stream, &v->gen)) != RC_OK)
		return rc;
	*out = v;
	return RC_OK;
}

/* The decisions, and with `keys` the keys already queued (the merge's
 * need, not the console's). */
static enum rc
view_fill(struct mod_view *v, bool keys)
{
	char k[STORE_KEY_MAX];
	enum rc rc;

	if (!v->have_dec) {
		if (!skey(k, sizeof(k), "d", v->stream))
			return RC_LIMIT;
		if ((rc = store_hscan(v->m->st, k, take_decision, v)) != RC_OK)
			return rc;
		if (v->ndec > 0)
			qsort(v->dec, v->ndec, sizeof(*v->dec), vdec_cmp);
		v->have_dec = true;
	}
	if (keys && !v->have_keys) {
		if (!skey(k, sizeof(k), "k", v->stream))
			return RC_LIMIT;
		if ((rc = store_hgetall(v->m->st, k, take_queued, v)) != RC_OK)
			return rc;
		if (v->nqueued > 0)
			qsort(v->queued, v->nqueued, sizeof(*v->queued), key_cmp);
		v->have_keys = true;
	}
	return RC_OK;
}

enum rc
mod_view_fill(struct mod_view *v)
{
	return v != NULL ? view_fill(v, true) : RC_OK;
}

enum rc
mod_view_load(struct mod *m, struct arena *a, const char *stream, struct mod_view **out)
{
	enum rc rc = mod_view_open(m, a, stream, out);

	return rc == RC_OK ? view_fill(*out, true) : rc;
}

const struct mod_decision *
mod_view_get(const struct mod_view *v, const char *key)
{
	struct vdec probe, *hit;

	if (v == NULL || v->ndec == 0 || !mod_key_ok(key))
		return NULL;
	memcpy(probe.key, key, MOD_KEY_LEN + 1);
	hit = bsearch(&probe, v->dec, v->ndec, sizeof(*v->dec), vdec_cmp);
	return hit != NULL ? &hit->d : NULL;
}

long long
mod_view_gen(const struct mod_view *v)
{
	return v != NULL ? v->gen : 0;
}

static bool
queued(const struct mod_view *v, const char *key)
{
	return v->nqueued > 0 &&
	    bsearch(key, v->queued, v->nqueued, sizeof(*v->queued), key_cmp) != NULL;
}

/* At most max bytes of s, cut on a UTF-8 boundary. */
static char *
cut_utf8(struct arena *a, const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (s == NULL)
		return NULL;
	if (n <= max)
		return arena_strdup(a, s);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return arena_strndup(a, s, max);
}

static const char *
first_image(const struct feed_item *it)
{
	for (size_t i = 0; i < it->nmedia; i++) {
		const struct feed_media *m = &it->media[i];
		if (m->type == FEED_MEDIA_IMAGE && m->url != NULL)
			return m->url;
		if (m->poster != NULL)
			return m->poster;
	}
	return it->image;
}

static char *
snapshot(struct mod_view *v, const char *source, const char *market, enum mod_mode mode,
    const struct feed_item *it, const char *text, enum mod_verdict verdict, const char *reason)
{
	static const char *const verdicts[] = { "queue", "approve", "reject" };
	const struct feed_person *p = it->nauthors > 0 ? &it->authors[0] : NULL;
	json_t *j = json_object();
	char *s;

#define PUT(k, val) do { const char *v_ = (val); \
	if (j != NULL && v_ != NULL && utf8_valid(v_, strlen(v_))) \
		json_object_set_new(j, k, json_string(v_)); } while (0)
	PUT("source", source);
	PUT("market", market);
	PUT("url", it->url);
	PUT("title", cut_utf8(v->a, it->title, 300));
	PUT("text", cut_utf8(v->a, text, MOD_TEXT_MAX));
	PUT("author", p != NULL ? p->name : NULL);
	PUT("author_url", p != NULL ? p->url : NULL);
	PUT("image", first_image(it));
	PUT("mode", mod_mode_name(mode));
	PUT("verdict", verdicts[verdict]);
	PUT("reason", reason != NULL && reason[0] != '\0' ? reason : NULL);
#undef PUT
	if (j == NULL)
		return NULL;
	json_object_set_new(j, "seen", json_integer((json_int_t)v->now));
	json_object_set_new(j, "published", json_integer((json_int_t)it->published));
	if (it->sensitive || it->content_warning != NULL)
		json_object_set_new(j, "sensitive", json_true());
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s != NULL) {
		/* A line the queue page filters and sorts by without parsing
		 * the JSON (names are [A-Za-z0-9_-]: no tab, no newline). */
		char *c = arena_printf(v->a, "%lld\t%lld\t%s\t%s\t%s\t%s\n%s", v->now,
		    it->published, verdicts[verdict], mod_mode_name(mode), source,
		    market != NULL ? market : "", s);
		free(s);
		s = c;
	}
	return s;
}

/* A stored snapshot: the header line's fields (views into the value,
 * not NUL-terminated) and where its JSON starts. */
struct field {
	const char *p;
	size_t n;
};

struct snap {
	long long seen, published;
	struct field verdict, mode, source, market;
	const char *json;
	size_t json_len;
};

static bool
field_is(const struct field *f, const char *s)
{
	return s != NULL && strlen(s) == f->n && memcmp(f->p, s, f->n) == 0;
}

static bool
snap_parse(const char *v, size_t len, struct snap *out)
{
	const char *nl = memchr(v, '\n', len), *p = v;
	struct field f[6];

	memset(out, 0, sizeof(*out));
	if (nl == NULL)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *t = i < 5 ? memchr(p, '\t', (size_t)(nl - p)) : nl;
		if (t == NULL)
			return false;
		f[i] = (struct field){ p, (size_t)(t - p) };
		p = t + 1;
	}
	out->seen = strtoll(f[0].p, NULL, 10);
	out->published = strtoll(f[1].p, NULL, 10);
	out->verdict = f[2];
	out->mode = f[3];
	out->source = f[4];
	out->market = f[5];
	out->json = nl + 1;
	out->json_len = len - (size_t)(nl + 1 - v);
	return true;
}

static void
note_fresh(struct mod_view *v, const char *key, char *snap)
{
	struct fresh *f = arena_calloc(v->a, 1, sizeof(*f));

	if (f == NULL || snap == NULL)
		return;
	memcpy(f->key, key, MOD_KEY_LEN + 1);
	f->snapshot = snap;
	f->next = v->fresh;
	v->fresh = f;
}

bool
mod_view_visible(struct mod_view *v, const char *source, const char *market,
    enum mod_mode mode, const struct feed_item *it, const char *text,
    enum mod_verdict verdict, const char *reason, long *pin, bool *featured)
{
	char key[MOD_KEY_LEN + 1];
	const struct mod_decision *d;

	*pin = 0;
	*featured = false;
	mod_item_key(source, it, key);
	if (v != NULL && !queued(v, key))
		note_fresh(v, key, snapshot(v, source, market, mode, it, text, verdict, reason));
	d = mod_view_get(v, key);
	if (d != NULL && d->state != MOD_NONE) {
		if (d->state != MOD_APPROVED)
			return false;
		*pin = d->pin;
		*featured = d->featured;
		return true;
	}
	if (verdict == MOD_VERDICT_REJECT)
		return false;
	return verdict == MOD_VERDICT_APPROVE || mode == MOD_AUTO;
}

enum rc
mod_view_flush(struct mod *m, struct mod_view *v)
{
	char qk[STORE_KEY_MAX], kk[STORE_KEY_MAX];
	enum rc rc = RC_OK;

	if (v == NULL || v->fresh == NULL)
		return RC_OK;
	if (!skey(qk, sizeof(qk), "q", v->stream) || !skey(kk, sizeof(kk), "k", v->stream))
		return RC_LIMIT;
	/* The snapshot first: a key in mod:k always has one. */
	for (struct fresh *f = v->fresh; f != NULL && rc == RC_OK; f = f->next) {
		rc = store_hset(m->st, qk, f->key, f->snapshot, strlen(f->snapshot));
		if (rc == RC_OK)
			rc = store_hincr(m->st, kk, f->key, v->now > 0 ? v->now : 1, NULL);
	}
	if (rc != RC_OK)
		log_kv(LOG_ERROR, "moderation_queue_write_failed", "stream", v->stream,
		    "error", rc_str(rc), NULL);
	v->fresh = NULL;
	return rc;
}

/* ---- decisions ---- */

enum rc
mod_gen(struct mod *m, const char *stream, long long *out)
{
	char k[STORE_KEY_MAX];

	*out = 0;
	if (!skey(k, sizeof(k), "gen", stream))
		return RC_LIMIT;
	return store_incr(m->st, k, 0, 0, out);
}

static void
apply(struct mod_decision *d, const struct mod_request *r)
{
	switch (r->action) {
	case MOD_APPROVE:
		d->state = MOD_APPROVED;
		break;
	case MOD_REJECT:
		d->state = MOD_REJECTED;
		d->pin = 0;
		d->featured = false;
		break;
	case MOD_PIN:
		d->state = MOD_APPROVED;
		d->pin = r->pin;
		break;
	case MOD_UNPIN:
		d->pin = 0;
		break;
	case MOD_HIDE:
		d->state = MOD_HIDDEN;
		break;
	case MOD_FEATURE:
		d->state = MOD_APPROVED;
		d->featured = true;
		break;
	case MOD_UNFEATURE:
	case MOD_ACTION_COUNT:
		d->featured = false;
		break;
	}
	d->by = r->who;
	d->at = r->now;
}

static enum rc
check_request(const struct mod_request *r)
{
	if (r->stream == NULL || r->who == NULL || r->who[0] == '\0' ||
	    strlen(r->who) > MOD_WHO_MAX || !utf8_valid(r->who, strlen(r->who)))
		return RC_INVALID;
	if ((unsigned)r->action >= MOD_ACTION_COUNT || r->nkeys == 0 || r->nkeys > MOD_BATCH_MAX)
		return RC_INVALID;
	if (r->action == MOD_PIN && (r->pin < 1 || r->pin > MOD_PIN_MAX))
		return RC_INVALID;
	for (size_t i = 0; i < r->nkeys; i++)
		if (!mod_key_ok(r->keys[i]))
			return RC_INVALID;
	return RC_OK;
}

/* The URL of each queued key, NULL-checked: every key must be this
 * stream's before anything is written. */
static enum rc
urls_of(struct mod *m, struct arena *a, const struct mod_request *r, char **urls)
{
	char qk[STORE_KEY_MAX];

	if (!skey(qk, sizeof(qk), "q", r->stream))
		return RC_LIMIT;
	for (size_t i = 0; i < r->nkeys; i++) {
		char *snap = NULL;
		size_t len;
		enum rc rc = store_hget(m->st, qk, r->keys[i], &snap, &len);
		json_t *j;
		if (rc != RC_OK)
			return rc;
		{
			struct snap sn;
			j = snap_parse(snap, len, &sn) ? json_loadb(sn.json, sn.json_len, 0, NULL) : NULL;
		}
		free(snap);
		urls[i] = arena_strdup(a, j != NULL && json_string_value(json_object_get(j, "url")) ?
		    json_string_value(json_object_get(j, "url")) : "");
		json_decref(j);
		if (urls[i] == NULL)
			return RC_NOMEM;
	}
	return RC_OK;
}

/* One audit list entry for keys [from, to): a batch shares who, when and
 * the action. */
static enum rc
audit_chunk(struct mod *m, const struct mod_request *r, char **urls, size_t from, size_t to)
{
	json_t *items = json_array(), *e;
	char *s;
	enum rc rc;

	for (size_t i = from; items != NULL && i < to; i++)
		json_array_append_new(items, json_pack("{s:s, s:s}", "key", r->keys[i],
		    "url", urls[i]));
	e = json_pack("{s:I, s:s, s:s, s:s, s:I, s:o}", "at", (json_int_t)r->now, "who", r->who,
	    "stream", r->stream, "action", mod_action_name(r->action), "pin", (json_int_t)r->pin,
	    "items", items);
	if (e == NULL || (s = json_dumps(e, JSON_COMPACT)) == NULL) {
		json_decref(e);
		return RC_NOMEM;
	}
	rc = store_push(m->st, "mod:audit", s, MOD_AUDIT_ENTRIES, 0);
	free(s);
	json_decref(e);
	return rc;
}

static enum rc
decide_one(struct mod *m, struct arena *a, const struct mod_request *r, const char *dk,
    const char *key)
{
	struct mod_decision d;
	char *cur = NULL, *s;
	size_t len;
	enum rc rc = store_hget(m->st, dk, key, &cur, &len);

	if (rc != RC_OK && rc != RC_NOTFOUND)
		return rc;
	if (rc != RC_OK || !decision_parse(a, cur, len, &d))
		memset(&d, 0, sizeof(d));
	free(cur);
	apply(&d, r);
	if ((s = decision_dump(&d)) == NULL)
		return RC_NOMEM;
	rc = store_hset(m->st, dk, key, s, strlen(s));
	free(s);
	return rc;
}

enum rc
mod_decide(struct mod *m, const struct mod_request *r, size_t *done)
{
	struct arena *a;
	char dk[STORE_KEY_MAX], gk[STORE_KEY_MAX];
	char **urls;
	long long gen;
	enum rc rc;

	if (done != NULL)
		*done = 0;
	if ((rc = check_request(r)) != RC_OK)
		return rc;
	if (!skey(dk, sizeof(dk), "d", r->stream) || !skey(gk, sizeof(gk), "gen", r->stream))
		return RC_LIMIT;
	if ((a = arena_new(64 * 1024, 0)) == NULL)
		return RC_NOMEM;
	urls = arena_calloc(a, r->nkeys, sizeof(*urls));
	rc = urls == NULL ? RC_NOMEM : urls_of(m, a, r, urls);
	for (size_t i = 0; rc == RC_OK && i < r->nkeys; i++) {
		rc = decide_one(m, a, r, dk, r->keys[i]);
		if (rc == RC_OK && done != NULL)
			(*done)++;
	}
	for (size_t i = 0; rc == RC_OK && i < r->nkeys; i += MOD_AUDIT_CHUNK)
		rc = audit_chunk(m, r, urls, i, i + MOD_AUDIT_CHUNK < r->nkeys ?
		    i + MOD_AUDIT_CHUNK : r->nkeys);
	/* Even a batch that stopped half-way bumps: what was written shows. */
	if (done == NULL || *done > 0 || rc == RC_OK)
		store_incr(m->st, gk, 1, 0, &gen);
	/* A key of another stream is a refusal, not a failure. */
	if (rc != RC_OK)
		log_kv(rc == RC_NOTFOUND ? LOG_WARN : LOG_ERROR, rc == RC_NOTFOUND ?
		    "moderation_decide_refused" : "moderation_decide_failed", "stream", r->stream,
		    "action", mod_action_name(r->action), "error", rc_str(rc), NULL);
	arena_free(a);
	return rc;
}

/* ---- the console's lists ---- */

struct qrow {
	char key[MOD_KEY_LEN + 1];
	long long seen, published;
	const char *state;
};

struct qscan {
	struct arena *a;
	const struct mod_view *v;
	const struct mod_filter *f;
	char *text;                /* folded filter text, or NULL */
	struct qrow *rows;
	size_t n, cap;
	bool nomem;
};

/* What a visitor would get: the decision, else the rules and the mode. */
static const char *
row_state(const struct snap *sn, const struct mod_decision *d)
{
	if (d != NULL && d->state != MOD_NONE)
		return mod_state_name(d->state);
	if (field_is(&sn->verdict, "reject"))
		return "rejected";
	if (field_is(&sn->verdict, "approve") || field_is(&sn->mode, "auto"))
		return "approved";
	return "pending";
}

static bool
eq_or_any(const char *want, const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return want == NULL || (v != NULL && strcmp(v, want) == 0);
}

/* The text filter: a quick look at the folded JSON rules most rows out;
 * the rest are checked field by field (not in key names or escapes). */
static bool
text_matches(struct qscan *q, const struct snap *sn)
{
	static const char *const keys[] = { "text", "title", "author", "url" };
	char *raw;
	json_t *o;
	bool hit = false;

	if (q->text == NULL)
		return true;
	raw = arena_strndup(q->a, sn->json, sn->json_len);
	raw = raw != NULL ? mod_fold(q->a, raw) : NULL;
	if (raw == NULL || strstr(raw, q->text) == NULL ||
	    (o = json_loadb(sn->json, sn->json_len, 0, NULL)) == NULL)
		return false;
	for (size_t i = 0; !hit && i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_string_value(json_object_get(o, keys[i]));
		char *f = v != NULL ? mod_fold(q->a, v) : NULL;
		hit = f != NULL && strstr(f, q->text) != NULL;
	}
	json_decref(o);
	return hit;
}

static bool
grow_rows(struct qscan *q)
{
	size_t cap = q->cap ? q->cap * 2 : 256;
	struct qrow *p = arena_alloc(q->a, cap * sizeof(*p));

	if (p == NULL)
		return false;
	if (q->n > 0)
		memcpy(p, q->rows, q->n * sizeof(*p));
	q->rows = p;
	q->cap = cap;
	return true;
}

static int
take_row(void *arg, const char *key, const char *value, size_t len)
{
	struct qscan *q = arg;
	const struct mod_decision *d;
	struct arena_mark mark = arena_mark(q->a);
	struct snap sn;
	struct qrow *r;
	const char *state;

	if (!mod_key_ok(key) || !snap_parse(value, len, &sn))
		return 0;
	d = mod_view_get(q->v, key);
	state = row_state(&sn, d);
	if ((q->f->source != NULL && !field_is(&sn.source, q->f->source)) ||
	    (q->f->market != NULL && !field_is(&sn.market, q->f->market)) ||
	    (q->f->state != NULL && strcmp(q->f->state, state) != 0) || !text_matches(q, &sn)) {
		arena_rewind(q->a, &mark);
		return 0;
	}
	if (q->n == q->cap && !grow_rows(q)) {
		q->nomem = true;
		return 1;
	}
	r = &q->rows[q->n++];
	memcpy(r->key, key, MOD_KEY_LEN + 1);
	r->seen = sn.seen;
	r->published = sn.published;
	r->state = state;
	return 0;
}

static int
row_cmp(const void *x, const void *y)
{
	const struct qrow *a = x, *b = y;

	if (a->seen != b->seen)
		return a->seen > b->seen ? -1 : 1;
	if (a->published != b->published)
		return a->published > b->published ? -1 : 1;
	return strcmp(a->key, b->key);
}

/* The JSON of one row of the page (read again: only the page's rows are
 * parsed), with its decision. */
static json_t *
row_json(struct mod *m, const char *qk, const struct qscan *q, const struct qrow *r)
{
	const struct mod_decision *d = mod_view_get(q->v, r->key);
	struct snap sn;
	char *v = NULL;
	size_t len;
	json_t *o = NULL;

	if (store_hget(m->st, qk, r->key, &v, &len) == RC_OK && snap_parse(v, len, &sn))
		o = json_loadb(sn.json, sn.json_len, 0, NULL);
	free(v);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "key", json_string(r->key));
	json_object_set_new(o, "state", json_string(r->state));
	json_object_set_new(o, "pin", json_integer(d != NULL ? (json_int_t)d->pin : 0));
	json_object_set_new(o, "featured", json_boolean(d != NULL && d->featured));
	if (d != NULL && d->by != NULL && utf8_valid(d->by, strlen(d->by)))
		json_object_set_new(o, "by", json_string(d->by));
	if (d != NULL)
		json_object_set_new(o, "at", json_integer((json_int_t)d->at));
	return o;
}

enum rc
mod_queue(struct mod *m, struct arena *a, const char *stream, const struct mod_filter *f,
    json_t **out, size_t *total)
{
	struct qscan q = { .a = a, .f = f };
	struct mod_view *v;
	char qk[STORE_KEY_MAX];
	enum rc rc;

	*out = NULL;
	*total = 0;
	if (!skey(qk, sizeof(qk), "q", stream))
		return RC_LIMIT;
	if ((rc = mod_view_open(m, a, stream, &v)) != RC_OK || (rc = view_fill(v, false)) != RC_OK)
		return rc;
	q.v = v;
	if (f->text != NULL && f->text[0] != '\0' && (q.text = mod_fold(a, f->text)) == NULL)
		return RC_INVALID;
	rc = store_hscan(m->st, qk, take_row, &q);
	if (rc == RC_OK && q.nomem)
		rc = RC_NOMEM;
	if (rc != RC_OK)
		return rc;
	if (q.n > 0)
		qsort(q.rows, q.n, sizeof(*q.rows), row_cmp);
	if ((*out = json_array()) == NULL)
		return RC_NOMEM;
	for (size_t i = f->offset; i < q.n && i - f->offset < f->limit; i++)
		json_array_append_new(*out, row_json(m, qk, &q, &q.rows[i]));
	*total = q.n;
	return RC_OK;
}

struct ascan {
	const char *stream;
	size_t max;
	json_t *out;
};

/* One list entry is a batch: one row per item. */
static int
take_audit(void *arg, const char *value, size_t len)
{
	struct ascan *s = arg;
	json_t *e = json_loadb(value, len, 0, NULL), *it;
	size_t i;

	if (e == NULL)
		return 0;
	if (s->stream == NULL || eq_or_any(s->stream, e, "stream")) {
		json_array_foreach(json_object_get(e, "items"), i, it) {
			if (json_array_size(s->out) >= s->max)
				break;
			json_array_append_new(s->out, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}",
			    "at", json_object_get(e, "at"), "who", json_object_get(e, "who"),
			    "stream", json_object_get(e, "stream"), "key", json_object_get(it, "key"),
			    "action", json_object_get(e, "action"), "pin", json_object_get(e, "pin"),
			    "url", json_object_get(it, "url")));
		}
	}
	json_decref(e);
	return json_array_size(s->out) >= s->max ? 1 : 0;
}

enum rc
mod_audit(struct mod *m, const char *stream, size_t max, json_t **out)
{
	struct ascan s = { .stream = stream, .max = max, .out = json_array() };
	enum rc rc;

	*out = NULL;
	if (s.out == NULL)
		return RC_NOMEM;
	rc = store_range(m->st, "mod:audit", MOD_AUDIT_ENTRIES, take_audit, &s);
	if (rc != RC_OK) {
		json_decref(s.out);
		return rc;
	}
	*out = s.out;
	return RC_OK;
}

/* One CSV cell: quoted when it holds a comma, quote or line break; a
 * leading = + - @ (a formula to a spreadsheet) gets a '\'' first. */
static void
csv_cell(struct buf *b, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_appendc(b, '"');
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		buf_appendc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_appendc(b, '"');
		buf_appendc(b, *s);
	}
	if (quote)
		buf_appendc(b, '"');
}

char *
mod_audit_csv(struct arena *a, const json_t *entries)
{
	static const char *const cols[] = { "at", "who", "stream", "key", "action", "pin", "url" };
	struct buf b;
	size_t i;
	const json_t *e;
	char *out;

	buf_init(&b, MOD_CSV_MAX);
	buf_appends(&b, "at,who,stream,key,action,pin,url\r\n");
	json_array_foreach(entries, i, e) {
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			const json_t *v = json_object_get(e, cols[c]);
			char num[32];
			if (c > 0)
				buf_appendc(&b, ',');
			if (json_is_integer(v) && c == 0) {
				time_t t = (time_t)json_integer_value(v);
				struct tm tm;
				gmtime_r(&t, &tm);
				strftime(num, sizeof(num), "%Y-%m-%dT%H:%M:%SZ", &tm);
				buf_appends(&b, num);
			} else if (json_is_integer(v)) {
				buf_appendf(&b, "%lld", (long long)json_integer_value(v));
			} else {
				csv_cell(&b, json_string_value(v) != NULL ? json_string_value(v) : "");
			}
		}
		buf_appends(&b, "\r\n");
	}
	out = b.data != NULL && b.len < b.max ? arena_strndup(a, b.data, b.len) : NULL;
	buf_fini(&b);
	return out;
}

/* stream: merge, de-duplicate, filter, pin and store one stream. */
#include "widgets/streams/stream.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/url.h"

#define STREAM_FORMAT_VERSION "streams-1"

/* ---- a string set in arena memory (open addressing, FNV-1a) ---- */

struct strset {
	const char **keys;
	const void **vals;
	size_t cap;    /* power of two */
	size_t n;
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static enum rc
strset_init(struct arena *a, struct strset *s, size_t expect)
{
	s->cap = 16;
	while (s->cap < expect * 2 + 1)
		s->cap *= 2;
	s->n = 0;
	s->keys = arena_calloc(a, s->cap, sizeof(*s->keys));
	s->vals = arena_calloc(a, s->cap, sizeof(*s->vals));
	return s->keys != NULL && s->vals != NULL ? RC_OK : RC_NOMEM;
}

/* The slot of `key`: where it is, or the empty slot where it would go. */
static size_t
strset_slot(const struct strset *s, const char *key)
{
	size_t i = (size_t)str_hash(key) & (s->cap - 1);

	while (s->keys[i] != NULL && strcmp(s->keys[i], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool
strset_get(const struct strset *s, const char *key, const void **val)
{
	size_t i = strset_slot(s, key);

	if (s->keys[i] == NULL)
		return false;
	if (val != NULL)
		*val = s->vals[i];
	return true;
}

/* Adds key (not copied); the caller sized the set for every key. */
static void
strset_put(struct strset *s, const char *key, const void *val)
{
	size_t i = strset_slot(s, key);

	if (s->keys[i] == NULL) {
		s->keys[i] = key;
		s->n++;
	}
	s->vals[i] = val;
}

/* ---- canonical URLs ---- */

static bool
tracking_param(const char *p, size_t n)
{
	static const char *const exact[] = { "fbclid", "gclid", "mc_cid", "mc_eid" };

	if (n >= 4 && strncasecmp(p, "utm_", 4) == 0)
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == n && strncasecmp(p, exact[i], n) == 0)
			return true;
	return false;
}

/* Appends query `q` without tracking parameters, '?' first if any stay. */
static enum rc
append_clean_query(struct buf *b, const char *q)
{
	bool first = true;
	enum rc rc = RC_OK;

	while (*q != '\0' && rc == RC_OK) {
		size_t len = strcspn(q, "&");
		size_t name = strcspn(q, "=&");

		if (len > 0 && !tracking_param(q, name)) {
			rc = buf_appendc(b, first ? '?' : '&');
			if (rc == RC_OK)
				rc = buf_append(b, q, len);
			first = false;
		}
		q += len;
		if (*q == '&')
			q++;
	}
	return rc;
}

enum rc
stream_canonical_url(struct arena *a, const char *url, char **out)
{
	struct url u;
	struct buf b;
	enum rc rc;
	int defport;

	*out = NULL;
	if (url == NULL)
		return RC_INVALID;
	rc = url_parse(a, url, &u);
	if (rc != RC_OK)
		return rc;
	defport = strcmp(u.scheme, "https") == 0 ? 443 : 80;
	buf_init(&b, 16 * 1024);
	rc = buf_appendf(&b, "%s://%s", u.scheme, u.host);
	if (rc == RC_OK && u.port != 0 && u.port != defport)
		rc = buf_appendf(&b, ":%d", u.port);
	if (rc == RC_OK)
		rc = buf_appends(&b, u.path);
	if (rc == RC_OK && u.query != NULL)
		rc = append_clean_query(&b, u.query);
	if (rc == RC_OK && (*out = arena_strndup(a, b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
	return rc;
}

/* ---- include / exclude words ---- */

static bool
word_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* Does `word` (len n, no trailing '*') occur in text as a word? */
static bool
word_in(const char *text, const char *word, size_t n, bool prefix)
{
	size_t tl = strlen(text);

	if (n == 0 || n > tl)
		return false;
	for (size_t i = 0; i + n <= tl; i++) {
		if (strncasecmp(text + i, word, n) != 0)
			continue;
		if (i > 0 && word_char((unsigned char)text[i - 1]) &&
		    word_char((unsigned char)word[0]))
			continue;
		if (!prefix && i + n < tl && word_char((unsigned char)text[i + n]) &&
		    word_char((unsigned char)word[n - 1]))
			continue;
		return true;
	}
	return false;
}

bool
stream_words_match(const char *text, const char *const *words, size_t n)
{
	if (text == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]);
		bool prefix = len > 0 && words[i][len - 1] == '*';

		if (word_in(text, words[i], prefix ? len - 1 : len, prefix))
			return true;
	}
	return false;
}

/* Appends one space unless the text already ends in one. */
static enum rc
append_space(struct buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] == ' ')
		return RC_OK;
	return buf_appendc(b, ' ');
}

/*
 * Appends HTML as text for word matching: tags and runs of white space
 * become one space, a few entities are decoded.
 */
static enum rc
append_html_text(struct buf *b, const char *h)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&#39;", '\'' }, { "&nbsp;", ' ' },
	};
	enum rc rc = RC_OK;

	while (*h != '\0' && rc == RC_OK) {
		size_t i;

		if (*h == '<') {
			const char *end = strchr(h, '>');
			h = end != NULL ? end + 1 : h + strlen(h);
			rc = append_space(b);
			continue;
		}
		if (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r') {
			h++;
			rc = append_space(b);
			continue;
		}
		if (*h == '&') {
			for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
				if (strncmp(h, ents[i].ent, strlen(ents[i].ent)) == 0)
					break;
			if (i < sizeof(ents) / sizeof(ents[0])) {
				rc = ents[i].c == ' ' ? append_space(b) : buf_appendc(b, ents[i].c);
				h += strlen(ents[i].ent);
				continue;
			}
		}
		rc = buf_appendc(b, *h++);
	}
	return rc;
}

char *
stream_item_text(struct arena *a, const struct feed_item *it)
{
	struct buf b;
	char *s = NULL;
	enum rc rc = RC_OK;

	buf_init(&b, 16u * 1024 * 1024);
	if (it->title != NULL)
		rc = buf_appends(&b, it->title);
	if (rc == RC_OK && it->summary != NULL)
		rc = buf_appendf(&b, " %s", it->summary);
	if (rc == RC_OK && it->content_text != NULL)
		rc = buf_appendf(&b, " %s", it->content_text);
	if (rc == RC_OK && it->content_html != NULL) {
		rc = buf_appendc(&b, ' ');
		if (rc == RC_OK)
			rc = append_html_text(&b, it->content_html);
	}
	if (rc == RC_OK || rc == RC_LIMIT)
		s = arena_strndup(a, b.data != NULL ? b.data : "", b.len);
	buf_fini(&b);
	return s;
}

/* ---- the merge ---- */

/* An item on its way through the merge. */
struct mitem {
	struct feed_item it;
	const char *canon;     /* canonical URL or NULL */
	const char *idkey;     /* id as a cross-source key */
	long long sortkey;
	size_t src;            /* input index, for a stable order */
	size_t pos;            /* position in its feed */
	long pin;              /* index in the pin list, -1: not pinned */
};

struct merge {
	struct arena *a;
	const struct stream_conf *sc;
	long long now;
	const char **pin_keys;   /* canonical URL or id per pin entry */
	const char **hide_keys;
	struct mitem *items;
	size_t n, cap;
	size_t nfiltered;
	struct mod_view *mod;     /* the stream's decisions, or NULL */
	const char **held;        /* stream_merged.held_images */
	size_t nheld;
};

/* The item's first picture, for the console's preview of a held item. */
static void
note_held(struct merge *mg, const struct feed_item *it)
{
	const char *img = it->image;

	for (size_t i = 0; img == NULL && i < it->nmedia; i++)
		img = it->media[i].url != NULL ? it->media[i].url : it->media[i].poster;
	if (img == NULL || mg->nheld >= STREAM_HELD_IMAGES)
		return;
	if (mg->held == NULL &&
	    (mg->held = arena_calloc(mg->a, STREAM_HELD_IMAGES, sizeof(*mg->held))) == NULL)
		return;
	mg->held[mg->nheld++] = img;
}

/* An id that is unlikely to collide across unrelated feeds. */
static bool
id_global(const char *id)
{
	return strchr(id, ':') != NULL || strlen(id) >= 16;
}

/* The key a pin/hide entry or an item is compared by. */
static const char *
match_key(struct arena *a, const char *s)
{
	char *canon;

	if (stream_canonical_url(a, s, &canon) == RC_OK)
		return canon;
	return s;
}

static bool
entry_matches(const char *key, const struct mitem *m)
{
	return (m->it.id != NULL && strcmp(key, m->it.id) == 0) ||
	    (m->canon != NULL && strcmp(key, m->canon) == 0) ||
	    (m->it.url != NULL && strcmp(key, m->it.url) == 0);
}

static long
pin_index(const struct merge *mg, const struct mitem *m)
{
	for (size_t i = 0; i < mg->sc->npin; i++)
		if (entry_matches(mg->pin_keys[i], m))
			return (long)i;
	return -1;
}

static bool
filtered_out(struct merge *mg, const struct mitem *m)
{
	const struct stream_conf *sc = mg->sc;
	char *text;

	for (size_t i = 0; i < sc->nhide; i++)
		if (entry_matches(mg->hide_keys[i], m))
			return true;
	if (sc->ninclude == 0 && sc->nexclude == 0)
		return false;
	text = stream_item_text(mg->a, &m->it);
	if (text == NULL)
		return false;
	if (sc->ninclude > 0 && !stream_words_match(text, sc->include, sc->ninclude))
		return true;
	return stream_words_match(text, sc->exclude, sc->nexclude);
}

/* A salt that tells apart items sharing a GUID: hash of URL or content. */
static const char *
salted_id(struct arena *a, const struct feed_item *it, const char *canon)
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	struct buf b;
	char *out;

	buf_init(&b, 16u * 1024 * 1024);
	if (canon != NULL)
		buf_appends(&b, canon);
	else
		buf_appendf(&b, "%s\n%s", it->title ? it->title : "",
		    it->content_html ? it->content_html :
		    it->content_text ? it->content_text : "");
	crypto_sha256(b.data ? b.data : "", b.len, sum);
	buf_fini(&b);
	out = arena_printf(a, "%s#%02x%02x%02x%02x%02x%02x", it->id, sum[0], sum[1],
	    sum[2], sum[3], sum[4], sum[5]);
	return out != NULL ? out : it->id;
}

static enum rc
push_item(struct merge *mg, const struct mitem *m)
{
	if (mg->n == mg->cap) {
		size_t cap = mg->cap ? mg->cap * 2 : 256;
		struct mitem *p = arena_calloc(mg->a, cap, sizeof(*p));
		if (p == NULL)
			return RC_NOMEM;
		if (mg->n > 0)
			memcpy(p, mg->items, mg->n * sizeof(*p));
		mg->items = p;
		mg->cap = cap;
	}
	mg->items[mg->n++] = *m;
	return RC_OK;
}

/*
 * Fills a merge item from a feed item. Returns false for an exact repeat
 * of an earlier item of the same feed (same GUID and same URL).
 */
static bool
prepare_item(struct merge *mg, struct strset *ids, const struct stream_input *in,
    size_t src, size_t pos, struct mitem *m)
{
	const struct feed_item *it = &in->feed->items[pos];
	const void *prev_sig;
	const char *sig;

	memset(m, 0, sizeof(*m));
	m->it = *it;
	m->it.source = (char *)in->source->name;
	m->it.market = (char *)in->source->market;
	/* Every post says its language (lang and dir in the HTML, JSON Feed's
	 * language): its own, else its feed's, else the configured one. */
	if (m->it.language == NULL)
		m->it.language = in->feed->language != NULL ? in->feed->language :
		    (char *)in->source->lang;
	m->src = src;
	m->pos = pos;
	if (stream_canonical_url(mg->a, it->url, (char **)&m->canon) != RC_OK)
		m->canon = NULL;
	/* What tells two items with one GUID apart: URL, else title. */
	sig = m->canon != NULL ? m->canon : it->title != NULL ? it->title : "";
	if (it->id != NULL && strset_get(ids, it->id, &prev_sig)) {
		if (strcmp(prev_sig, sig) == 0)
			return false;
		m->it.id = (char *)salted_id(mg->a, it, m->canon);
	} else if (it->id != NULL) {
		strset_put(ids, it->id, sig);
	}
	if (m->it.id != NULL)
		m->idkey = id_global(m->it.id) ? m->it.id :
		    arena_printf(mg->a, "%s\x1f%s", in->source->name, m->it.id);
	m->sortkey = it->published < mg->now ? it->published : mg->now;
	m->pin = pin_index(mg, m);
	return true;
}

/*
 * A moderated stream's say on one item: the decision, else the rules and
 * the source's mode (mod_view_visible). Moderators' pins come after the
 * config's. Without a view (the store did not answer) only what neither
 * a rule nor the queue holds back is shown, which rebuild never lets
 * happen: it keeps the last merge instead.
 */
static bool
moderated_out(struct merge *mg, const struct stream_input *in, struct mitem *m)
{
	const struct stream_conf *sc = mg->sc;
	char reason[MOD_REASON_MAX];
	enum mod_verdict verdict;
	const char *text;
	long pin;
	bool featured;

	if (!sc->moderated)
		return false;
	text = stream_item_text(mg->a, &m->it);
	verdict = mod_rules_check(mg->a, &sc->rules, &m->it, text, reason);
	if (!mod_view_visible(mg->mod, in->source->name, in->source->market,
	    in->source->moderation, &m->it, text, verdict, reason, &pin, &featured)) {
		note_held(mg, &m->it);
		return true;
	}
	if (pin > 0 && m->pin < 0)
		m->pin = (long)sc->npin + pin - 1;
	m->it.featured = featured;
	return false;
}

static enum rc
collect(struct merge *mg, const struct stream_input *in, size_t n)
{
	struct strset ids;
	enum rc rc;

	for (size_t s = 0; s < n; s++) {
		const struct feed *f = in[s].feed;
		if (f == NULL)
			continue;
		if ((rc = strset_init(mg->a, &ids, f->nitems)) != RC_OK)
			return rc;
		for (size_t i = 0; i < f->nitems; i++) {
			struct mitem m;
			if (!prepare_item(mg, &ids, &in[s], s, i, &m))
				continue;
			if (filtered_out(mg, &m) || moderated_out(mg, &in[s], &m)) {
				mg->nfiltered++;
				continue;
			}
			if ((rc = push_item(mg, &m)) != RC_OK)
				return rc;
		}
	}
	return RC_OK;
}

/* Pinned items no source carries any more come from the previous merge. */
static enum rc
collect_prev_pins(struct merge *mg, const struct feed *prev)
{
	enum rc rc;

	if (prev == NULL || mg->sc->npin == 0)
		return RC_OK;
	for (size_t p = 0; p < mg->sc->npin; p++) {
		bool have = false;
		for (size_t i = 0; i < mg->n && !have; i++)
			have = mg->items[i].pin == (long)p;
		for (size_t i = 0; i < prev->nitems && !have; i++) {
			struct mitem m = { .it = prev->items[i], .src = SIZE_MAX, .pos = i };
			if (stream_canonical_url(mg->a, m.it.url, (char **)&m.canon) != RC_OK)
				m.canon = NULL;
			if (!entry_matches(mg->pin_keys[p], &m) || filtered_out(mg, &m))
				continue;
			m.idkey = m.it.id;
			m.sortkey = m.it.published;
			m.pin = (long)p;
			if ((rc = push_item(mg, &m)) != RC_OK)
				return rc;
			have = true;
		}
	}
	return RC_OK;
}

static int
mitem_cmp(const void *pa, const void *pb)
{
	const struct mitem *a = pa, *b = pb;

	if ((a->pin >= 0) != (b->pin >= 0))
		return a->pin >= 0 ? -1 : 1;
	if (a->pin != b->pin)
		return a->pin < b->pin ? -1 : 1;
	if (a->sortkey != b->sortkey)
		return a->sortkey > b->sortkey ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return 0;
}

/* Keeps the first of each id / canonical URL, in sorted order. */
static enum rc
dedupe(struct merge *mg, struct stream_merged *out)
{
	struct strset seen;
	size_t keep = 0;
	enum rc rc;

	if ((rc = strset_init(mg->a, &seen, mg->n * 2)) != RC_OK)
		return rc;
	for (size_t i = 0; i < mg->n; i++) {
		struct mitem *m = &mg->items[i];
		if ((m->idkey != NULL && strset_get(&seen, m->idkey, NULL)) ||
		    (m->canon != NULL && strset_get(&seen, m->canon, NULL))) {
			out->nduplicates++;
			continue;
		}
		if (m->idkey != NULL)
			strset_put(&seen, m->idkey, NULL);
		if (m->canon != NULL)
			strset_put(&seen, m->canon, NULL);
		mg->items[keep++] = *m;
	}
	mg->n = keep;
	return RC_OK;
}

static enum rc
merge_keys(struct merge *mg)
{
	const struct stream_conf *sc = mg->sc;

	mg->pin_keys = arena_calloc(mg->a, sc->npin + 1, sizeof(char *));
	mg->hide_keys = arena_calloc(mg->a, sc->nhide + 1, sizeof(char *));
	if (mg->pin_keys == NULL || mg->hide_keys == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < sc->npin; i++)
		mg->pin_keys[i] = match_key(mg->a, sc->pin[i]);
	for (size_t i = 0; i < sc->nhide; i++)
		mg->hide_keys[i] = match_key(mg->a, sc->hide[i]);
	return RC_OK;
}

enum rc
stream_merge(struct arena *a, const struct stream_conf *sc,
    const struct stream_input *in, size_t n, const struct feed *prev,
    struct mod_view *mod, long long now, struct stream_merged *out)
{
	struct merge mg = { .a = a, .sc = sc, .now = now, .mod = mod };
	size_t max = sc->max_items > 0 ? (size_t)sc->max_items : STREAM_MAX_ITEMS_DEFAULT;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = merge_keys(&mg)) != RC_OK || (rc = collect(&mg, in, n)) != RC_OK ||
	    (rc = collect_prev_pins(&mg, prev)) != RC_OK)
		return rc;
	if (mg.n > 0)
		qsort(mg.items, mg.n, sizeof(*mg.items), mitem_cmp);
	if ((rc = dedupe(&mg, out)) != RC_OK)
		return rc;
	if (mg.n > max)
		mg.n = max;
	out->feed.format = FEED_JSON11;
	out->feed.title = (char *)(sc->title != NULL ? sc->title : sc->name);
	out->feed.items = arena_calloc(a, mg.n + 1, sizeof(struct feed_item));
	if (out->feed.items == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < mg.n; i++) {
		out->feed.items[i] = mg.items[i].it;
		if (mg.items[i].pin >= 0)
			out->npinned++;
	}
	out->feed.nitems = mg.n;
	out->nfiltered = mg.nfiltered;
	out->held_images = mg.held;
	out->nheld_images = mg.nheld;
	return RC_OK;
}

/* ---- fingerprint, store, load ---- */

static void
fp_add(struct buf *b, const char *s)
{
	buf_appends(b, s != NULL ? s : "\x01");
	buf_appendc(b, '\0');
}

static void
fp_list(struct buf *b, const char *tag, const char *const *v, size_t n)
{
	fp_add(b, tag);
	for (size_t i = 0; i < n; i++)
		fp_add(b, v[i]);
}

static enum rc
fingerprint(struct arena *a, const struct cache *c, const struct stream_conf *sc,
    const struct stream_input *fresh, const struct mod_view *mod, char hex[65]);

enum rc
stream_fingerprint(struct arena *a, const struct cache *c,
    const struct stream_conf *sc, const struct mod_view *mod, char hex[65])
{
	return fingerprint(a, c, sc, NULL, mod, hex);
}

/* The moderation part: the mode of each source, the rules and the
 * generation of the decisions. */
static void
fp_moderation(struct buf *b, const struct stream_conf *sc, const struct mod_view *mod)
{
	char num[24];

	if (!sc->moderated)
		return;
	fp_add(b, "moderation");
	for (size_t i = 0; i < sc->nsources; i++)
		fp_add(b, mod_mode_name(sc->sources[i].moderation));
	fp_list(b, "trusted", sc->rules.trusted_authors, sc->rules.ntrusted);
	fp_list(b, "blocked_authors", sc->rules.blocked_authors, sc->rules.nblocked_authors);
	fp_list(b, "blocked_words", sc->rules.blocked_words, sc->rules.nwords);
	fp_list(b, "blocked_domains", sc->rules.blocked_domains, sc->rules.ndomains);
	fp_add(b, sc->rules.reject_sensitive ? "sensitive" : "-");
	fp_add(b, log_int(num, (long)mod_view_gen(mod)));
}

static enum rc
fingerprint(struct arena *a, const struct cache *c, const struct stream_conf *sc,
    const struct stream_input *fresh, const struct mod_view *mod, char hex[65])
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	struct buf b;
	char num[24];

	buf_init(&b, 4u * 1024 * 1024);
	fp_add(&b, STREAM_FORMAT_VERSION);
	fp_add(&b, sc->name);
	fp_add(&b, sc->title);
	fp_add(&b, log_int(num, sc->max_items));
	fp_list(&b, "include", sc->include, sc->ninclude);
	fp_list(&b, "exclude", sc->exclude, sc->nexclude);
	fp_list(&b, "pin", sc->pin, sc->npin);
	fp_list(&b, "hide", sc->hide, sc->nhide);
	fp_moderation(&b, sc, mod);
	for (size_t i = 0; i < sc->nsources; i++) {
		const struct stream_source *s = &sc->sources[i];
		char *path;
		char sumhex[65];

		fp_add(&b, s->name);
		fp_add(&b, s->url);
		fp_add(&b, s->market);
		fp_add(&b, s->title);
		if (s->lang != NULL) {   /* so streams without one keep their prints */
			fp_add(&b, "lang");
			fp_add(&b, s->lang);
		}
		if (fresh != NULL && fresh[i].items_sum != NULL)
			snprintf(sumhex, sizeof(sumhex), "%s", fresh[i].items_sum);
		else if ((path = cache_source_path(a, c, s->key, "items.json")) == NULL ||
		    cache_peek_sum(path, sumhex) != RC_OK)
			memcpy(sumhex, "-", 2);
		fp_add(&b, sumhex);
	}
	if (b.len == 0 || b.len == b.max) {
		buf_fini(&b);
		return RC_NOMEM;
	}
	crypto_sha256(b.data, b.len, sum);
	buf_fini(&b);
	for (size_t i = 0; i < sizeof(sum); i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	return RC_OK;
}

/* Reads one source's last good items into arena memory (NULL: none). */
static const struct feed *
load_source(struct arena *a, const struct cache *c, const struct stream_source *s)
{
	char *path = cache_source_path(a, c, s->key, "items.json");
	struct feed *f;
	json_t *j = NULL;

	if (path == NULL || cache_read_json(path, &j) != RC_OK)
		return NULL;
	f = arena_calloc(a, 1, sizeof(*f));
	if (f == NULL || feed_from_json(a, j, f) != RC_OK) {
		log_kv(LOG_WARN, "stream_source_unreadable", "source", s->name,
		    "path", path, NULL);
		f = NULL;
	}
	json_decref(j);
	return f;
}

static json_t *
meta_sources(const struct stream_conf *sc, const struct stream_input *in)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < sc->nsources; i++) {
		const struct stream_source *s = &sc->sources[i];
		const struct feed *f = in[i].feed;
		/* No feed URL: it may hold a private token, and routes read this. */
		json_t *o = json_pack("{s:s, s:i}", "name", s->name,
		    "items", f != NULL ? (int)f->nitems : 0);
		if (o == NULL)
			continue;
		json_object_set_new(o, "title", s->title ? json_string(s->title) :
		    f && f->title ? json_string(f->title) : json_null());
		json_object_set_new(o, "market", s->market ? json_string(s->market) : json_null());
		json_object_set_new(o, "home_page_url", f && f->home_page_url ?
		    json_string(f->home_page_url) : json_null());
		json_object_set_new(o, "icon", f && f->icon ? json_string(f->icon) :
		    f && f->favicon ? json_string(f->favicon) : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

struct rebuild {
	struct arena *a;
	const struct cache *c;
	const struct stream_conf *sc;
	const struct stream_input *fresh;   /* may be NULL */
	struct mod_view *mod;               /* a moderated stream's, else NULL */
	long long now;
	char fp[65];
	char *feed_path, *meta_path;
	json_t *old_meta;
	long long changed_at;
};

/* True when feed.json is intact and holds the payload with checksum hex. */
static bool
feed_file_ok(const char *path, const char *hex)
{
	char *data, got[65];
	size_t n;
	bool ok;

	if (cache_peek_sum(path, got) != RC_OK || strcmp(got, hex) != 0)
		return false;
	ok = cache_read(path, CACHE_JSON_MAX, &data, &n) == RC_OK;
	if (ok)
		free(data);
	return ok;
}

/* Writes feed.json (when its content changed) and meta.json. */
static enum rc
store(struct rebuild *rb, const struct stream_merged *m,
    const struct stream_input *in, bool *changed)
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	char hex[65];
	struct buf sb;
	struct jsonw w;
	const char *old_sum;
	long long changed_at;
	json_t *meta;
	enum rc rc = RC_OK;

	/* feed_to_json's document with what the widgets need per item:
	 * source, market, pin. */
	if ((rc = cache_jsonw_begin(&w, 256 * 1024, &sb)) != RC_OK)
		return rc;
	feed_write_json_begin(&m->feed, m->npinned, &w);
	jsonw_obj_end(&w);
	if ((rc = cache_jsonw_end(&w, &sb)) != RC_OK)
		return rc;
	crypto_sha256(sb.data, sb.len, sum);
	for (size_t i = 0; i < sizeof(sum); i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	old_sum = json_string_value(json_object_get(rb->old_meta, "feed_sha256"));
	*changed = old_sum == NULL || strcmp(old_sum, hex) != 0;
	changed_at = *changed ? rb->now :
	    (long long)json_integer_value(json_object_get(rb->old_meta, "changed_at"));
	rb->changed_at = changed_at;
	if (*changed || !feed_file_ok(rb->feed_path, hex))
		rc = cache_write_sum(rb->feed_path, sb.data, sb.len, hex);
	buf_fini(&sb);
	if (rc != RC_OK)
		return rc;
	meta = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:i, s:i, s:i, s:i, s:o}",
	    "version", STREAM_FORMAT_VERSION, "stream", rb->sc->name,
	    "title", m->feed.title, "generated_at", (json_int_t)rb->now,
	    "changed_at", (json_int_t)changed_at, "fingerprint", rb->fp,
	    "feed_sha256", hex, "count", (int)m->feed.nitems,
	    "pinned", (int)m->npinned, "duplicates", (int)m->nduplicates,
	    "filtered", (int)m->nfiltered, "sources", meta_sources(rb->sc, in));
	if (meta == NULL)
		return RC_NOMEM;
	rc = cache_write_json(rb->meta_path, meta);
	json_decref(meta);
	return rc;
}

static enum rc
rebuild_locked(struct rebuild *rb, bool force, struct stream_result *out)
{
	const struct stream_conf *sc = rb->sc;
	struct stream_input *in;
	const struct feed *prev = NULL;
	const char *old_fp;
	json_t *old_feed = NULL;
	enum rc rc;

	if ((rc = fingerprint(rb->a, rb->c, sc, rb->fresh, rb->mod, rb->fp)) != RC_OK)
		return rc;
	if (cache_read_json(rb->meta_path, &rb->old_meta) != RC_OK)
		rb->old_meta = NULL;
	old_fp = json_string_value(json_object_get(rb->old_meta, "fingerprint"));
	if (!force && old_fp != NULL && strcmp(old_fp, rb->fp) == 0 &&
	    cache_peek_sum(rb->feed_path, (char[65]){ 0 }) == RC_OK)
		return RC_OK;
	/* The decisions themselves only when there is a merge to make. */
	if ((rc = mod_view_fill(rb->mod)) != RC_OK) {
		log_kv(LOG_ERROR, "moderation_unavailable", "stream", sc->name,
		    "error", rc_str(rc), NULL);
		return rc;
	}
	in = arena_calloc(rb->a, sc->nsources + 1, sizeof(*in));
	if (in == NULL)
		return RC_NOMEM;
	/* Sources parsed in this pass come from memory; the others' last
	 * good copy from disk (stale-if-error, not due, 304). */
	for (size_t i = 0; i < sc->nsources; i++) {
		in[i].source = &sc->sources[i];
		in[i].feed = rb->fresh != NULL && rb->fresh[i].feed != NULL ? rb->fresh[i].feed :
		    load_source(rb->a, rb->c, &sc->sources[i]);
	}
	/* The previous merge, for pins that left their source. */
	if (sc->npin > 0 && cache_read_json(rb->feed_path, &old_feed) == RC_OK) {
		struct feed *pf = arena_calloc(rb->a, 1, sizeof(*pf));
		if (pf != NULL && feed_from_json(rb->a, old_feed, pf) == RC_OK)
			prev = pf;
	}
	rc = stream_merge(rb->a, sc, in, sc->nsources, prev, rb->mod, rb->now, &out->m);
	if (rc == RC_OK)
		rc = store(rb, &out->m, in, &out->changed);
	if (rc == RC_OK) {
		out->merged = true;
		out->in = in;
		out->changed_at = rb->changed_at;
	}
	json_decref(old_feed);
	return rc;
}

/* A moderated stream's view of the store, or why there is none. */
static enum rc
load_view(struct arena *a, const struct stream_conf *sc, struct mod *mod,
    struct mod_view **out)
{
	enum rc rc;

	*out = NULL;
	if (!sc->moderated)
		return RC_OK;
	if (mod == NULL) {
		log_kv(LOG_ERROR, "moderation_unavailable", "stream", sc->name,
		    "error", "no store", NULL);
		return RC_UNAVAILABLE;
	}
	rc = mod_view_open(mod, a, sc->name, out);
	if (rc != RC_OK)
		log_kv(LOG_ERROR, "moderation_unavailable", "stream", sc->name,
		    "error", rc_str(rc), NULL);
	return rc;
}

enum rc
stream_rebuild_with(struct arena *a, const struct cache *c,
    const struct stream_conf *sc, struct mod *mod, const struct stream_input *fresh,
    long long now, bool force, struct stream_result *out)
{
	struct rebuild rb = { .a = a, .c = c, .sc = sc, .fresh = fresh, .now = now };
	struct cache_lock lock;
	char *dir, *lockp;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	out->sc = sc;
	/* The last merge stays while the decisions cannot be read. */
	if ((rc = load_view(a, sc, mod, &rb.mod)) != RC_OK)
		return rc;
	dir = cache_stream_path(a, c, sc->name, NULL);
	lockp = cache_stream_path(a, c, sc->name, "lock");
	rb.feed_path = cache_stream_path(a, c, sc->name, "feed.json");
	rb.meta_path = cache_stream_path(a, c, sc->name, "meta.json");
	if (dir == NULL || lockp == NULL || rb.feed_path == NULL || rb.meta_path == NULL)
		return RC_NOMEM;
	rc = cache_mkdir(dir);
	if (rc == RC_OK)
		rc = cache_lock(lockp, true, &lock);
	if (rc == RC_OK) {
		rc = rebuild_locked(&rb, force, out);
		cache_unlock(&lock);
	}
	if (rc == RC_OK && out->merged)
		mod_view_flush(mod, rb.mod);
	if (rc != RC_OK) {
		out->merged = false;
		log_kv(LOG_ERROR, "stream_rebuild_failed", "stream", sc->name,
		    "error", rc_str(rc), NULL);
	}
	json_decref(rb.old_meta);
	return rc;
}

enum rc
stream_rebuild(const struct cache *c, const struct stream_conf *sc,
    struct mod *mod, long long now, bool force, bool *changed)
{
	struct arena *a = arena_new(64 * 1024, 0);
	struct stream_result res;
	enum rc rc;

	if (changed != NULL)
		*changed = false;
	if (a == NULL)
		return RC_NOMEM;
	rc = stream_rebuild_with(a, c, sc, mod, NULL, now, force, &res);
	if (rc == RC_OK && changed != NULL)
		*changed = res.changed;
	arena_free(a);
	return rc;
}

enum rc
stream_load(const struct cache *c, const char *stream, json_t **feed, json_t **meta)
{
	struct arena *a = arena_new(1024, 0);
	enum rc rc = RC_OK;
	char *p;

	if (feed != NULL)
		*feed = NULL;
	if (meta != NULL)
		*meta = NULL;
	if (a == NULL)
		return RC_NOMEM;
	if (feed != NULL) {
		p = cache_stream_path(a, c, stream, "feed.json");
		rc = p == NULL ? RC_NOMEM : cache_read_json(p, feed);
	}
	if (rc == RC_OK && meta != NULL) {
		p = cache_stream_path(a, c, stream, "meta.json");
		rc = p == NULL ? RC_NOMEM : cache_read_json(p, meta);
	}
	arena_free(a);
	if (rc == RC_CORRUPT)
		rc = RC_NOTFOUND;
	if (rc != RC_OK && feed != NULL) {
		json_decref(*feed);
		*feed = NULL;
	}
	return rc;
}

/* refresher: pick due sources, fetch in parallel, parse, store, re-merge. */
#include "widgets/streams/refresher.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/crypto.h"
#include "util/jsonutil.h"
#include "util/log.h"
#include "util/url.h"
#include "widgets/feeds/feed_discover.h"
#include "widgets/feeds/sanitize.h"
#include "widgets/streams/refresh_share.h"
#include "widgets/streams/src.h"

#define PARSE_ARENA_LIMIT (512u * 1024 * 1024)
/*
 * Finished fetches are parsed and stored by this many threads while the
 * fetch loop goes on: each source costs several fsyncs, and serializing
 * them behind the network loop would dominate a pass.
 */
#define REFRESH_WRITERS 8
/*
 * Results waiting for a writer beyond these bounds are stored by the fetch
 * loop itself: bodies (up to 10 MiB each) must not pile up in memory. The
 * bound is mostly on bytes: over HTTP/2 dozens of small feeds finish at the
 * same moment, and storing them in the fetch loop would stall every other
 * transfer for the length of their fsyncs.
 */
#define REFRESH_QUEUE_MAX 256
#define REFRESH_QUEUE_BYTES (32u * 1024 * 1024)
/* File descriptors kept free for sockets, files being written, logs. */
#define REFRESH_FD_RESERVE 128

struct refresher {
	struct refresher_conf conf;
	struct fetcher own;          /* the lazily made libcurl fetcher */
	bool have_own;
	struct refresh_share *share; /* several nodes: leases and results */
};

/* One unique source URL in a pass. */
struct unit {
	const struct stream_source *src;   /* the first block naming the URL */
	const char *stream;
	long every;                        /* smallest of the blocks' */
	bool wanted;                       /* in the pass's stream filter */
	char *dir, *lock_path, *status_path, *http_path, *items_path, *body_path;
	struct cache_status st;
	struct cache_lock lock;
	json_t *http;                      /* http.json of the last good copy */
	struct refresh_entry *entry;
	long long next_due;
	struct fetch_result res;           /* taken over from the fetcher */
	struct arena *fa;                  /* the items parsed in this pass */
	struct feed *feed;                 /* in fa; NULL: none */
	char items_sum[65];                /* of their items.json payload */
	struct unit *next;                 /* in the writers' queue */
	enum netpolicy_trust trust;        /* of the source's own fetch */
	/* A source that is a web page (discovery): the feeds it names, in
	 * the order tried (in da, made by the fetch loop's thread), and the
	 * one being fetched (follow: in the pass arena once queued). */
	struct arena *da;
	const char *cand[FEED_DISCOVER_MAX];
	size_t ncand, icand;
	const char *follow;                /* the feed fetched in the page's
					    * place, or NULL: the page itself */
	bool followed;                     /* this result is follow's */
	bool remembered;                   /* follow came from status.json */
	bool rediscovered;                 /* the page was read again in this
					    * pass: no third try */
	bool queued;                       /* in p->follows */
	struct src_run *api;               /* an API source's run (its arena
					    * holds it and its items), or NULL */
	bool more;                         /* the run has another request */
	long backoff;                      /* seconds the API asked to wait: usage,
					    * error codes, rate-limit headers */
	const char *backoff_from;          /* which of them, as say_wait words it */
	bool leased;                       /* holds the cluster lease (atomic:
					    * the renewer reads it) */
	char errbuf[512];
	char warnbuf[SRC_MSG_MAX];
	char idbuf[32];                    /* st.account_id as this pass looked it up */
	bool counts;                       /* a stream of the source shows counts */
};

/* Finished fetches waiting for a writer thread. */
struct writers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct unit *head, *tail;
	size_t queued;
	size_t queued_bytes;     /* bodies in the queue */
	bool closing;
	pthread_t threads[REFRESH_WRITERS];
	size_t n;
};

struct pass {
	struct refresher *r;
	struct arena *a;
	struct unit *units;
	size_t n;
	struct refresh_report *rep;
	struct writers w;
	struct unit **follows;             /* pages whose feed is fetched next */
	size_t nfollow;
	pthread_mutex_t renew_mu;          /* the lease renewer's sleep */
	pthread_cond_t renew_cv;
	pthread_t renewer;
	bool renewing, renew_stop;
};

static const char *const outcome_names[] = {
	[REFRESH_UPDATED] = "updated",
	[REFRESH_UNCHANGED] = "unchanged",
	[REFRESH_NOT_MODIFIED] = "not-modified",
	[REFRESH_FAILED] = "failed",
	[REFRESH_NOT_DUE] = "not-due",
	[REFRESH_BUSY] = "busy",
	[REFRESH_SHARED] = "shared",
};

const char *
refresh_outcome_str(enum refresh_outcome o)
{
	if ((unsigned)o >= sizeof(outcome_names) / sizeof(outcome_names[0]))
		return "unknown";
	return outcome_names[o];
}

bool
refresh_outcome_fetched(enum refresh_outcome o)
{
	return o != REFRESH_NOT_DUE && o != REFRESH_BUSY && o != REFRESH_SHARED;
}

enum rc
refresher_new(const struct refresher_conf *conf, struct refresher **out)
{
	struct refresher *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return RC_NOMEM;
	/* Writer threads parse in parallel; libxml2's global set-up (parser
	 * init, silenced errors, refused external entities, the sanitizer's
	 * tables) must happen once, in this thread, before any of them
	 * starts. */
	sanitize_global_init();
	/* Each feed's body, parse arena and items.json buffer are freed before
	 * the next feed needs the same again: keep that memory in the heap
	 * rather than mapping it anew (and faulting every page in) per feed. */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	r->conf = *conf;
	if (refresh_share_new(conf->store, &r->share) != RC_OK) {
		free(r);
		return RC_NOMEM;
	}
	*out = r;
	return RC_OK;
}

void
refresher_free(struct refresher *r)
{
	if (r == NULL)
		return;
	if (r->have_own)
		fetcher_fini(&r->own);
	refresh_share_free(r->share);
	free(r);
}

static struct fetcher *
get_fetcher(struct refresher *r)
{
	if (r->conf.fetcher != NULL)
		return r->conf.fetcher;
	if (!r->have_own) {
		if (fetcher_curl_new(&r->conf.fetch, &r->own) != RC_OK) {
			log_kv(LOG_ERROR, "fetcher_init_failed", NULL);
			return NULL;
		}
		r->have_own = true;
	}
	return &r->own;
}

/* ---- gathering units ---- */

static struct unit *
find_unit(struct pass *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->units[i].src->key, key) == 0)
			return &p->units[i];
	return NULL;
}

static enum rc
unit_paths(struct pass *p, struct unit *u)
{
	const struct cache *c = p->r->conf.cache;
	const char *k = u->src->key;

	u->dir = cache_source_path(p->a, c, k, NULL);
	u->lock_path = cache_source_path(p->a, c, k, "lock");
	u->status_path = cache_source_path(p->a, c, k, "status.json");
	u->http_path = cache_source_path(p->a, c, k, "http.json");
	u->items_path = cache_source_path(p->a, c, k, "items.json");
	u->body_path = cache_source_path(p->a, c, k, "body");
	return u->dir && u->lock_path && u->status_path && u->http_path &&
	    u->items_path && u->body_path ? RC_OK : RC_NOMEM;
}

static enum rc
gather(struct pass *p, const struct refresh_opts *o)
{
	const struct refresher_conf *c = &p->r->conf;
	size_t total = 0;
	enum rc rc;

	for (size_t i = 0; i < c->nstreams; i++)
		total += c->streams[i].nsources;
	p->units = arena_calloc(p->a, total + 1, sizeof(*p->units));
	if (p->units == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < c->nstreams; i++) {
		const struct stream_conf *sc = &c->streams[i];
		bool wanted = o->stream == NULL || strcmp(o->stream, sc->name) == 0;
		for (size_t j = 0; j < sc->nsources; j++) {
			const struct stream_source *s = &sc->sources[j];
			struct unit *u = find_unit(p, s->key);
			if (u == NULL) {
				u = &p->units[p->n++];
				u->src = s;
				u->stream = sc->name;
				u->every = s->every;
				u->lock.fd = -1;
				if ((rc = unit_paths(p, u)) != RC_OK)
					return rc;
			}
			if (s->every < u->every)
				u->every = s->every;
			u->counts = u->counts || sc->show_counts;
			u->wanted = u->wanted || wanted;
		}
	}
	return RC_OK;
}

/* ---- deciding what to fetch ---- */

static bool
is_due(const struct unit *u, long long now, bool force)
{
	if (force || u->st.url == NULL || strcmp(u->st.url, u->src->url) != 0)
		return true;
	return now >= u->st.next_due;
}

/* Validators are sent only when the items they stand for are intact. */
static void
load_validators(struct unit *u, struct fetch_job *job)
{
	const char *items_sum, *url;
	char *data, hex[65];
	size_t n;

	/* A unit may ask again (a page's feed followed after the page, a
	 * remembered feed that failed): the last read goes first. */
	json_decref(u->http);
	u->http = NULL;
	if (cache_read_json(u->http_path, &u->http) != RC_OK)
		return;
	url = json_string_value(json_object_get(u->http, "url"));
	items_sum = json_string_value(json_object_get(u->http, "items_sha256"));
	if (url == NULL || strcmp(url, u->src->url) != 0 || items_sum == NULL)
		return;
	if (cache_peek_sum(u->items_path, hex) != RC_OK || strcmp(hex, items_sum) != 0)
		return;
	if (cache_read(u->items_path, CACHE_JSON_MAX, &data, &n) != RC_OK)
		return;
	free(data);
	job->etag = json_string_value(json_object_get(u->http, "etag"));
	job->last_modified = json_string_value(json_object_get(u->http, "last_modified"));
}

static void
entry_init(struct pass *p, struct unit *u, enum refresh_outcome o)
{
	struct refresh_entry *e = &p->rep->entries[p->rep->n++];

	e->stream = u->stream;
	e->source = u->src->name;
	e->url = u->src->url;
	e->outcome = o;
	e->http_status = u->st.http_status;
	e->items = u->st.items;
	e->bytes = u->st.bytes;
	e->next_due = u->st.next_due;
	u->entry = e;
	u->next_due = u->st.next_due;
}

/* ---- one fetch per source across nodes (refresh_share.h) ---- */

static struct refresh_files
unit_files(const struct unit *u)
{
	return (struct refresh_files){ .status = u->status_path, .http = u->http_path,
		.items = u->items_path };
}

/*
 * Takes another node's newer result of u into the local cache; true when it
 * did (u->st is then that node's status).
 */
static bool
share_take(struct pass *p, struct unit *u)
{
	struct refresh_files f = unit_files(u);
	bool took = false;

	if (refresh_share_take(p->r->share, u->src->key, u->st.last_attempt, &f, &took) != RC_OK ||
	    !took)
		return false;
	if (cache_status_load(p->a, u->status_path, &u->st) != RC_OK)
		memset(&u->st, 0, sizeof(u->st));
	return true;
}

/*
 * With a shared store, whether this node fetches u now (u locked, due):
 * it must hold the source's lease and find no newer result of another
 * node. Otherwise the unit gets its entry (shared, not due or busy) and
 * is unlocked. The store down: every node fetches for itself.
 */
static bool
share_decide(struct pass *p, struct unit *u, long long now, bool force)
{
	bool held = false, took;

	if (p->r->share == NULL || refresh_share_lease(p->r->share, u->src->key, &held) != RC_OK)
		return true;
	/* Taken whether or not we hold the lease: the holder may be a node
	 * that finished and let go just now, or one fetching again. */
	took = share_take(p, u);
	if (held && (force || is_due(u, now, false))) {
		__atomic_store_n(&u->leased, true, __ATOMIC_RELEASE);
		return true;
	}
	if (held)
		refresh_share_release(p->r->share, u->src->key);
	cache_unlock(&u->lock);
	entry_init(p, u, took ? REFRESH_SHARED : held ? REFRESH_NOT_DUE : REFRESH_BUSY);
	/* A source another node is fetching is looked at again next pass
	 * (within a second), when its result will be there. */
	return false;
}

/* The end of u's turn: its result goes to the other nodes (when it has
 * one), its lease and its lock are let go. */
static void
unit_done(struct pass *p, struct unit *u, bool put)
{
	struct refresh_files f = unit_files(u);

	if (__atomic_load_n(&u->leased, __ATOMIC_ACQUIRE)) {
		if (put && refresh_share_put(p->r->share, u->src->key, &f) != RC_OK)
			log_kv(LOG_WARN, "refresh_share_put_failed", "stream", u->stream,
			    "source", u->src->name, NULL);
		__atomic_store_n(&u->leased, false, __ATOMIC_RELEASE);
		refresh_share_release(p->r->share, u->src->key);
	}
	cache_unlock(&u->lock);
}

/* Renews the leases the pass holds until the pass ends: an API run or a
 * slow feed may outlast one lease. */
static void *
renewer_main(void *arg)
{
	struct pass *p = arg;
	struct timespec ts;
	bool held;

	pthread_mutex_lock(&p->renew_mu);
	while (!p->renew_stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += REFRESH_RENEW_MS / 1000;
		pthread_cond_timedwait(&p->renew_cv, &p->renew_mu, &ts);
		if (p->renew_stop)
			break;
		pthread_mutex_unlock(&p->renew_mu);
		for (size_t i = 0; i < p->n; i++)
			if (__atomic_load_n(&p->units[i].leased, __ATOMIC_ACQUIRE))
				refresh_share_lease(p->r->share, p->units[i].src->key, &held);
		pthread_mutex_lock(&p->renew_mu);
	}
	pthread_mutex_unlock(&p->renew_mu);
	return NULL;
}

/* Decides for one unit; returns true when it should be fetched (locked). */
static bool
prepare(struct pass *p, struct unit *u, long long now, bool force)
{
	enum rc rc;

	if (cache_status_load(p->a, u->status_path, &u->st) != RC_OK)
		memset(&u->st, 0, sizeof(u->st));
	if (!is_due(u, now, force)) {
		entry_init(p, u, REFRESH_NOT_DUE);
		return false;
	}
	if (cache_mkdir(u->dir) != RC_OK) {
		entry_init(p, u, REFRESH_FAILED);
		u->entry->error = "cannot create the cache folder";
		p->rep->nfailed++;
		return false;
	}
	rc = cache_lock(u->lock_path, false, &u->lock);
	if (rc != RC_OK) {
		entry_init(p, u, rc == RC_UNAVAILABLE ? REFRESH_BUSY : REFRESH_FAILED);
		if (rc != RC_UNAVAILABLE) {
			u->entry->error = "cannot lock the source";
			p->rep->nfailed++;
		}
		return false;
	}
	/* Another process may have fetched it while we were not holding the lock. */
	if (cache_status_load(p->a, u->status_path, &u->st) != RC_OK)
		memset(&u->st, 0, sizeof(u->st));
	if (!is_due(u, now, force)) {
		cache_unlock(&u->lock);
		entry_init(p, u, REFRESH_NOT_DUE);
		return false;
	}
	if (!share_decide(p, u, now, force))
		return false;
	entry_init(p, u, REFRESH_FAILED);
	return true;
}

/* ---- storing one result ---- */

static void
sum_hex(const void *p, size_t n, char hex[65])
{
	unsigned char sum[CRYPTO_SHA256_LEN];

	crypto_sha256(p, n, sum);
	for (size_t i = 0; i < sizeof(sum); i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
}

static const char *
http_str(const struct unit *u, const char *key)
{
	return json_string_value(json_object_get(u->http, key));
}

/* http.json: validators and cache headers of the last good response. */
static enum rc
store_http(struct unit *u, const struct fetch_result *res, long long now,
    const char *items_sum, const char *body_sum, long ttl)
{
	json_t *j = json_object();
	enum rc rc;

	if (j == NULL)
		return RC_NOMEM;
	/* A member we have no value for is written as null. */
	jsonutil_set_str(j, "url", u->src->url, 0);
	jsonutil_set_str(j, "effective_url", res->effective_url ? res->effective_url :
	    http_str(u, "effective_url"), 0);
	/* A 304 may omit the validators: keep the stored ones. */
	jsonutil_set_str(j, "etag", res->etag ? res->etag :
	    res->not_modified ? http_str(u, "etag") : NULL, 0);
	jsonutil_set_str(j, "last_modified", res->last_modified ? res->last_modified :
	    res->not_modified ? http_str(u, "last_modified") : NULL, 0);
	jsonutil_set_str(j, "content_type", res->not_modified ?
	    http_str(u, "content_type") : res->content_type, 0);
	jsonutil_set_str(j, "cache_control", res->cache_control, 0);
	jsonutil_set_str(j, "expires", res->expires, 0);
	jsonutil_set_str(j, "date", res->date, 0);
	jsonutil_set_str(j, "items_sha256", items_sum, 0);
	jsonutil_set_str(j, "body_sha256", body_sum, 0);
	json_object_set_new(j, "fetched_at", json_integer((json_int_t)now));
	json_object_set_new(j, "http_status", json_integer(res->http_status));
	json_object_set_new(j, "ttl_minutes", json_integer(ttl));
	rc = cache_write_json(u->http_path, j);
	json_decref(j);
	return rc;
}

/*
 * Undated items get the fetch time from the parser; keep the time they were
 * first seen instead, so a refetch does not move them or count as a change.
 */
static void
keep_first_seen(struct arena *a, const struct unit *u, struct feed *f)
{
	struct feed old;
	json_t *j = NULL;
	bool any = false;

	for (size_t i = 0; i < f->nitems && !any; i++)
		any = f->items[i].date_missing && f->items[i].id != NULL;
	if (!any || cache_read_json(u->items_path, &j) != RC_OK)
		return;
	if (feed_from_json(a, j, &old) == RC_OK) {
		for (size_t i = 0; i < f->nitems; i++) {
			struct feed_item *it = &f->items[i];
			if (!it->date_missing || it->id == NULL)
				continue;
			for (size_t k = 0; k < old.nitems; k++) {
				if (old.items[k].id != NULL && strcmp(old.items[k].id, it->id) == 0 &&
				    old.items[k].published > 0) {
					it->published = old.items[k].published;
					if (old.items[k].updated > 0)
						it->updated = old.items[k].updated;
					break;
				}
			}
		}
	}
	json_decref(j);
}

/*
 * Replaces items.json (and body) when the items of f (parsed from res, in
 * arena a, which this takes) changed; on success the items stay in
 * memory for the merge (u->feed, u->fa).
 */
static enum rc
store_items(struct unit *u, const struct fetch_result *res, long long now,
    struct arena *a, struct feed *f, long *ttl, bool *changed, char *err, size_t errlen)
{
	char items_sum[65], old_sum[65], body_sum[65];
	struct buf s = { 0 };
	struct jsonw w;
	enum rc rc;

	keep_first_seen(a, u, f);
	/* About the body's size: JSON of the items is of that order. */
	if ((rc = cache_jsonw_begin(&w, res->len + res->len / 2 + 4096, &s)) != RC_OK)
		goto out;
	feed_write_json_begin(f, 0, &w);
	jsonw_obj_end(&w);
	if ((rc = cache_jsonw_end(&w, &s)) != RC_OK)
		goto out;
	sum_hex(s.data, s.len, items_sum);
	sum_hex(res->body, res->len, body_sum);
	*changed = cache_peek_sum(u->items_path, old_sum) != RC_OK ||
	    strcmp(old_sum, items_sum) != 0;
	rc = RC_OK;
	if (*changed || http_str(u, "body_sha256") == NULL ||
	    strcmp(http_str(u, "body_sha256"), body_sum) != 0)
		rc = cache_write_sum(u->body_path, res->body, res->len, body_sum);
	if (rc == RC_OK && *changed)
		rc = cache_write_sum(u->items_path, s.data, s.len, items_sum);
	*ttl = f->ttl_minutes;
	if (rc == RC_OK)
		rc = store_http(u, res, now, items_sum, body_sum, f->ttl_minutes);
	if (rc == RC_OK)
		u->st.items = (long)f->nitems;
	if (rc != RC_OK)
		snprintf(err, errlen, "cannot write the cache: %s", rc_str(rc));
	/* The merge takes these items from here, not from items.json: made
	 * what reading items.json back would give. */
	if (rc == RC_OK)
		feed_normalize(f);
	if (rc == RC_OK && (u->feed = arena_memdup(a, f, sizeof(*f))) != NULL) {
		memcpy(u->items_sum, items_sum, sizeof(items_sum));
		u->fa = a;
		a = NULL;
	}
out:
	buf_fini(&s);
	arena_free(a);
	return rc;
}

/* A feed whose charset was repaired byte by byte reads right but is
 * broken at its source: said in status.json (and so /healthz). */
static void
note_repair(struct unit *u, const struct feed *f)
{
	u->st.warning = NULL;
	if (f->repaired_bytes == 0)
		return;
	snprintf(u->warnbuf, sizeof(u->warnbuf), "charset repaired: %zu bytes "
	    "were not UTF-8, each read as windows-1252", f->repaired_bytes);
	u->st.warning = u->warnbuf;
	log_kv(LOG_WARN, "source_warning", "stream", u->stream, "source",
	    u->src->name, "warning", u->warnbuf, NULL);
}

/* Parses a 200 body and stores its items. */
static enum rc
store_body(struct unit *u, const struct fetch_result *res, long long now,
    long *ttl, bool *changed, char *err, size_t errlen)
{
	struct feed_parse_opts po = {
		.base_url = res->effective_url ? res->effective_url : u->src->url,
		.content_type = res->content_type, .fetch_time = now,
		.max_items = REFRESH_SOURCE_MAX_ITEMS,
	};
	struct arena *a = arena_new(256 * 1024, PARSE_ARENA_LIMIT);
	struct feed f;
	enum rc rc;

	if (a == NULL)
		return RC_NOMEM;
	memset(&f, 0, sizeof(f));
	rc = feed_parse(a, res->body, res->len, &po, &f);
	if (rc != RC_OK) {
		snprintf(err, errlen, "not a feed: %s (%zu bytes, %s)", rc_str(rc), res->len,
		    res->content_type ? res->content_type : "no Content-Type");
		arena_free(a);
		return rc;
	}
	note_repair(u, &f);
	return store_items(u, res, now, a, &f, ttl, changed, err, errlen);
}

/* ---- API sources (src.h): a run of requests, then one store ---- */

static void
api_end(struct unit *u)
{
	if (u->api != NULL)
		arena_free(u->api->a);
	u->api = NULL;
	u->more = false;
}

/* connection = "NAME": the stored token into r->token; false (u->res
 * holds why) when there is none to use. */
static bool
api_token(const struct refresher_tokens *t, struct unit *u, struct src_run *r)
{
	const char *why = "connections are not available in this process";
	enum rc rc = t->get != NULL ? t->get(t->arg, r->a, r->conf->connection, &r->token, &why)
	    : RC_CONFIG;

	if (rc == RC_OK)
		return true;
	snprintf(u->res.error, sizeof(u->res.error), "%s", why);
	u->res.rc = rc == RC_NOTFOUND || rc == RC_FORBIDDEN ? RC_UNAUTH : rc;
	return false;
}

/* Makes the run of an API source; false (u->res holds the error) when
 * it cannot start. */
static bool
api_begin(struct pass *p, struct unit *u, long long now)
{
	struct arena *a = arena_new(64 * 1024, PARSE_ARENA_LIMIT);
	struct src_run *r = a != NULL ? arena_calloc(a, 1, sizeof(*r)) : NULL;
	enum rc rc = RC_NOMEM;

	memset(&u->res, 0, sizeof(u->res));
	if (r == NULL) {
		arena_free(a);
		snprintf(u->res.error, sizeof(u->res.error), "out of memory");
		u->res.rc = RC_NOMEM;
		return false;
	}
	r->a = a;
	r->conf = &u->src->api;
	r->allow_private = p->r->conf.allow_private;
	r->now = now;
	r->counts = u->counts;
	if (u->st.account_id != NULL && u->st.account_for != NULL && r->conf->account != NULL &&
	    strcmp(u->st.account_for, r->conf->account) == 0)
		r->account_id = u->st.account_id;
	u->api = r;
	u->backoff = 0;
	u->backoff_from = NULL;
	if (r->conf->token_file != NULL &&
	    (rc = src_read_token(a, r->conf->token_file, (char **)&r->token)) != RC_OK) {
		snprintf(u->res.error, sizeof(u->res.error), "token_file: cannot read it (%s)",
		    rc_str(rc));
		u->res.rc = RC_CONFIG;
		return false;
	}
	if (r->conf->connection != NULL && !api_token(&p->r->conf.tokens, u, r))
		return false;
	if ((rc = src_start(r)) != RC_OK) {
		snprintf(u->res.error, sizeof(u->res.error), "%s", r->err);
		u->res.rc = rc;
		return false;
	}
	return true;
}

/* Keeps the longest wait an API asked for, and what asked. */
static void
api_wait(struct unit *u, long wait, const char *from)
{
	if (wait <= u->backoff)
		return;
	u->backoff = wait;
	u->backoff_from = from;
}

/* An optional request failed (a LinkedIn token without the counts'
 * permission): the run goes on without it, and what it stores is a
 * success with a warning. Returns true when the run goes on. */
static bool
api_skipped(struct unit *u, struct fetch_result *res, const char *why)
{
	struct src_run *r = u->api;
	enum rc rc = src_skip(r, why);

	if (rc != RC_OK) {
		res->rc = rc;
		snprintf(res->error, sizeof(res->error), "%s", r->err);
		return false;
	}
	res->rc = RC_OK;
	res->http_status = 200;   /* the requests the items needed succeeded */
	res->error[0] = '\0';
	u->more = r->url != NULL;
	return u->more;
}

/*
 * A response to a run's request: a page is read, and either the run goes
 * on (u->more; nothing to store yet) or its result is what gets stored.
 * Returns true when the run goes on.
 */
static bool
api_response(const struct refresher_tokens *t, struct unit *u, struct fetch_result *res)
{
	struct src_run *r = u->api;
	struct src_response resp = {
		.body = res->body, .len = res->len, .content_type = res->content_type,
		.link = res->link, .usage = res->usage,
		.rate_remaining = res->rate_remaining, .rate_reset = res->rate_reset,
	};
	char msg[sizeof(res->error)];
	enum rc rc;

	api_wait(u, src_rate_backoff(&resp, (long long)time(NULL)), "for x-rate-limit-reset");
	if (res->rc != RC_OK) {
		if (res->http_status == 0 && res->rc == RC_UNAVAILABLE)
			return false;    /* cut short by a stop */
		api_wait(u, src_backoff(r->conf, res->usage, res->error_body, res->error_len),
		    "for the API's usage report");
		src_http_error(r->conf, res->http_status, res->error, res->error_body,
		    res->error_len, msg, sizeof(msg));
		if (r->optional)
			return api_skipped(u, res, msg);
		memcpy(res->error, msg, sizeof(msg));
		if (r->conf->connection != NULL && t->answered != NULL)
			t->answered(t->arg, r->conf->connection, res->http_status, res->error_body,
			    res->error_len, res->error);
		return false;
	}
	if (res->not_modified && r->nreq == 1)
		return false;    /* the run's one request, unchanged: the last good stay */
	if (res->not_modified) {
		res->rc = RC_UPSTREAM;
		snprintf(res->error, sizeof(res->error), "HTTP 304 to a request without validators");
		return false;
	}
	rc = src_page(r, &resp);
	api_wait(u, r->backoff, "for the API's usage report");
	if (rc != RC_OK) {
		res->rc = rc;
		snprintf(res->error, sizeof(res->error), "%s", r->err);
		return false;
	}
	u->more = r->url != NULL;
	return u->more;
}

/* What the run learnt of its account, into status.json: the id a handle
 * was looked up to (kept while `account` stays), or that the kept one is
 * gone (looked up again next time). */
static void
keep_account(struct unit *u)
{
	const struct src_run *r = u->api;

	if (r == NULL)
		return;
	if (r->looked_up != NULL && strlen(r->looked_up) < sizeof(u->idbuf)) {
		snprintf(u->idbuf, sizeof(u->idbuf), "%s", r->looked_up);
		u->st.account_id = u->idbuf;
		u->st.account_for = (char *)r->conf->account;
	} else if (r->account_gone || (u->st.account_for != NULL && r->conf->account != NULL &&
	    strcmp(u->st.account_for, r->conf->account) != 0)) {
		u->st.account_id = NULL;
		u->st.account_for = NULL;
	}
}

static enum rc
store_api(struct unit *u, const struct fetch_result *res, long long now,
    long *ttl, bool *changed, char *err, size_t errlen)
{
	struct src_run *r = u->api;
	struct arena *a = r->a;
	struct feed f = r->feed;

	u->api = NULL;       /* store_items takes the arena */
	u->st.warning = NULL;
	if (r->warning[0] != '\0') {
		snprintf(u->warnbuf, sizeof(u->warnbuf), "%s", r->warning);
		u->st.warning = u->warnbuf;
		log_kv(LOG_WARN, "source_warning", "stream", u->stream, "source", u->src->name,
		    "warning", r->warning, NULL);
	}
	f.format = FEED_UNKNOWN;
	f.feed_url = NULL;
	return store_items(u, res, now, a, &f, ttl, changed, err, errlen);
}

/*
 * The error code of a failed fetch, for the log and status.json: a feed
 * server's 4xx says what it said (a 404 is the feed's URL gone wrong, not
 * a bad gateway); a 5xx, a broken connection and the rest are rc_str's.
 */
static const char *
fetch_error_code(enum rc rc, long http_status)
{
	static const struct { long status; const char *code; } codes[] = {
		{ 400, "http_bad_request" }, { 401, "http_unauthorized" },
		{ 403, "http_forbidden" }, { 404, "http_not_found" }, { 410, "http_gone" },
		{ 429, "http_too_many_requests" },
	};

	if (rc != RC_UPSTREAM || http_status < 400 || http_status > 499)
		return rc_str(rc);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].status == http_status)
			return codes[i].code;
	return "http_client_error";
}

/* One line per fetched source; the URL without its query and fragment,
 * since feed URLs can carry private tokens (url_redact). */
static void
log_result(const struct unit *u, const struct fetch_result *res, const char *error)
{
	const struct refresh_entry *e = u->entry;
	char http[24], items[24], bytes[24], ms[24], next[24], fails[24], url[512];

	log_int(http, res->http_status);
	log_int(items, e->items);
	log_int(bytes, e->bytes);
	log_int(ms, e->ms);
	log_int(next, e->next_due - (long long)time(NULL));
	url_redact(u->src->url, url, sizeof(url));
	if (error != NULL)
		log_kv(LOG_WARN, "fetch_failed", "stream", u->stream, "source", u->src->name,
		    "url", url, "http", http, "code", u->st.error_code,
		    "error", error, "failures", log_int(fails, u->st.failures),
		    "next_in", next, "rule", e->why, "ms", ms, "kept_items", items, NULL);
	else
		log_kv(LOG_INFO, "fetch_ok", "stream", u->stream, "source", u->src->name,
		    "outcome", refresh_outcome_str(e->outcome), "http", http,
		    "items", items, "bytes", bytes, "ms", ms, "next_in", next,
		    "rule", e->why, NULL);
}

static void
schedule(struct unit *u, const struct fetch_result *res, long long now, long ttl)
{
	struct schedule_in s = {
		.now = now, .every = u->every, .ok = res->rc == RC_OK,
		.http_status = res->http_status, .failures = u->st.failures,
		.cache_control = res->cache_control, .expires = res->expires,
		.date = res->date, .age = res->age, .retry_after = res->retry_after,
		.ttl_minutes = ttl, .min_wait = u->backoff,
	};
	const char *why;
	/* min_wait: an API that said its budget is spent until a time is
	 * not asked again before then, whatever the source's schedule says. */
	long next = schedule_next_interval(&s, &why);

	u->st.next_due = now + next;
	u->entry->why = why;
	u->entry->next_due = u->st.next_due;
	u->next_due = u->st.next_due;
}

/*
 * A rate-limited source's error ends with the wait the schedule chose and
 * why: Retry-After, X's reset, the API's usage report, the back-off after
 * repeated failures, or the source's own interval.
 */
static void
say_wait(const struct unit *u, char *err, size_t errlen, long long now)
{
	const char *why = u->entry->why;
	long long in = u->st.next_due - now;
	size_t n = strlen(err);
	const char *words;

	if (strcmp(why, "retry-after") == 0)
		words = "for Retry-After";
	else if (strcmp(why, "api-usage") == 0)
		words = u->backoff_from != NULL ? u->backoff_from : "for the API's usage report";
	else if (strcmp(why, "backoff") == 0)
		words = "for the back-off after repeated failures (no Retry-After)";
	else
		words = "for the source's interval (no Retry-After)";
	if (n < errlen)
		snprintf(err + n, errlen - n, "; the next try waits %s: %llds", words, in);
}

/* Counts into the report, which the writer threads share. */
static void
count(struct pass *p, bool failed)
{
	pthread_mutex_lock(&p->w.mu);
	p->rep->nfetched++;
	if (failed)
		p->rep->nfailed++;
	pthread_mutex_unlock(&p->w.mu);
}

/* ---- web pages as sources (discovery) ---- */

/* How long a page's feed is fetched in its place before the page is read
 * again (a page that changed its feed is followed within a day). */
#define DISCOVER_TTL 86400

/* The kind of feed a candidate's type names: "rss", "atom", "json". */
static const char *
cand_kind(const char *type)
{
	if (type == NULL)
		return "";
	if (strstr(type, "atom") != NULL)
		return "atom";
	if (strstr(type, "json") != NULL)
		return "json";
	return "rss";
}

/* The candidates of c[0..n) into u->cand: those of the kind the source
 * asks for first, each group in page order. */
static void
order_candidates(struct unit *u, const struct feed_candidate *c, size_t n)
{
	const char *want = u->src->feed_type;

	u->ncand = 0;
	u->icand = 0;
	for (size_t i = 0; i < n; i++)       /* the kind asked for */
		if (want != NULL && strcmp(cand_kind(c[i].type), want) == 0)
			u->cand[u->ncand++] = c[i].url;
	for (size_t i = 0; i < n; i++)       /* then the others */
		if (want == NULL || strcmp(cand_kind(c[i].type), want) != 0)
			u->cand[u->ncand++] = c[i].url;
}

/* Queues u for the follow-up fetch after the batch: u->follow, or the
 * page itself when that is NULL. */
static bool
queue_follow(struct pass *p, struct unit *u)
{
	if (u->queued || p->follows == NULL)
		return false;
	u->queued = true;
	p->follows[p->nfollow++] = u;
	return true;
}

/*
 * A source that answered an HTML page: the feeds the page names
 * (<link rel=alternate>, or its URL form), tried in order after the
 * batch, in place of the page. True when the unit waits for that.
 */
static bool
discover(struct pass *p, struct unit *u)
{
	const struct fetch_result *res = &u->res;
	struct feed_candidate c[FEED_DISCOVER_MAX];
	size_t n;

	/* An API answering HTML is an error page, not a page naming a feed. */
	if (u->api != NULL || u->followed || res->rc != RC_OK || res->not_modified ||
	    p->follows == NULL ||
	    !feed_discover_is_html(res->body, res->len, res->content_type))
		return false;
	arena_free(u->da);
	if ((u->da = arena_new(16 * 1024, 0)) == NULL)
		return false;
	n = feed_discover(u->da, res->effective_url ? res->effective_url :
	    u->src->url, res->body, res->len, c, FEED_DISCOVER_MAX);
	order_candidates(u, c, n);
	if (u->ncand == 0)
		return false;
	u->follow = u->cand[0];
	u->followed = true;
	u->remembered = false;
	return queue_follow(p, u);
}

/* A feed fetched in a page's place that did not give a feed: an error
 * (a stop aside) or an HTML page. */
static bool
follow_failed(const struct fetch_result *res)
{
	if (res->rc == RC_UNAVAILABLE && res->http_status == 0)
		return false;
	if (res->rc != RC_OK)
		return true;
	return !res->not_modified &&
	    feed_discover_is_html(res->body, res->len, res->content_type);
}

/*
 * The feed fetched in a page's place failed: the page's next candidate,
 * or, when the feed was the one remembered, the page read again (once a
 * pass). True when the unit waits for that.
 */
static bool
retry_discovery(struct pass *p, struct unit *u)
{
	if (u->api != NULL || !u->followed || !follow_failed(&u->res))
		return false;
	if (!u->remembered && u->icand + 1 < u->ncand) {
		u->follow = u->cand[++u->icand];
		return queue_follow(p, u);
	}
	if (u->remembered && !u->rediscovered) {
		u->rediscovered = true;
		u->remembered = false;
		u->followed = false;
		u->follow = NULL;
		return queue_follow(p, u);
	}
	return false;
}

/* What status.json remembers of discovery after the source's fetch. */
static void
note_feed_url(struct unit *u, bool ok, long long now)
{
	if (u->api != NULL || (ok && u->remembered))
		return;
	if (ok && u->followed) {
		u->st.feed_url = (char *)u->follow;
		u->st.discovered_at = now;
		return;
	}
	/* The URL is a feed itself, or nothing worked: read it anew. */
	u->st.feed_url = NULL;
	u->st.discovered_at = 0;
}

/* The remembered feed of a page source, while it is fresh. */
static const char *
remembered_feed(const struct unit *u, long long now)
{
	const struct cache_status *st = &u->st;

	if (u->api != NULL || st->feed_url == NULL || st->url == NULL ||
	    strcmp(st->url, u->src->url) != 0 || st->discovered_at > now ||
	    now - st->discovered_at >= DISCOVER_TTL)
		return NULL;
	return st->feed_url;
}

/* Parses and stores one finished fetch; runs in a writer thread. */
static void
process(struct pass *p, struct unit *u)
{
	struct fetch_result *res = &u->res;
	struct refresh_entry *e = u->entry;
	long long now = (long long)time(NULL);
	char *err = u->errbuf;
	size_t errlen = sizeof(u->errbuf);
	long ttl = (long)json_integer_value(json_object_get(u->http, "ttl_minutes"));
	bool changed = false;
	enum rc rc = res->rc;

	snprintf(err, errlen, "%s", res->error);
	if (rc == RC_UNAVAILABLE && res->http_status == 0) {
		/* Cut short by a stop: not the source's fault, nothing to record. */
		e->outcome = REFRESH_BUSY;
		api_end(u);
		unit_done(p, u, false);
		return;
	}
	keep_account(u);
	if (rc == RC_OK && u->api != NULL && !res->not_modified) {
		rc = store_api(u, res, now, &ttl, &changed, err, errlen);
		if (rc == RC_OK)
			u->st.bytes = (long long)res->len;
	} else if (rc == RC_OK && !res->not_modified) {
		rc = store_body(u, res, now, &ttl, &changed, err, errlen);
		if (rc == RC_OK)
			u->st.bytes = (long long)res->len;
	} else if (rc == RC_OK) {
		char items_sum[65];
		if (cache_peek_sum(u->items_path, items_sum) == RC_OK)
			rc = store_http(u, res, now, items_sum, http_str(u, "body_sha256"), ttl);
		if (rc != RC_OK)
			snprintf(err, errlen, "cannot write the cache: %s", rc_str(rc));
	}
	note_feed_url(u, rc == RC_OK, now);
	u->st.url = (char *)u->src->url;
	u->st.last_attempt = now;
	u->st.http_status = res->http_status;
	u->st.fetch_ms = res->elapsed_ms;
	if (rc == RC_OK) {
		u->st.last_success = now;
		if (changed)
			u->st.last_change = now;
		u->st.failures = 0;
		u->st.last_error = NULL;
		u->st.error_code = NULL;
		e->outcome = res->not_modified ? REFRESH_NOT_MODIFIED :
		    changed ? REFRESH_UPDATED : REFRESH_UNCHANGED;
	} else {
		u->st.failures++;
		u->st.last_error = err;
		u->st.error_code = (char *)fetch_error_code(rc, res->http_status);
		u->st.last_error_at = now;
		e->outcome = REFRESH_FAILED;
		e->error = u->st.last_error;
	}
	api_end(u);          /* a failed run's items go: the last good stay */
	res->rc = rc;     /* a parse or store failure schedules as a failure */
	schedule(u, res, now, ttl);
	if (rc != RC_OK && res->http_status == 429)
		say_wait(u, err, errlen, now);
	e->http_status = res->http_status;
	e->items = u->st.items;
	e->bytes = u->st.bytes;
	e->ms = res->elapsed_ms;
	count(p, rc != RC_OK);
	if (cache_status_store(u->status_path, &u->st) != RC_OK)
		log_kv(LOG_ERROR, "status_write_failed", "source", u->src->name, NULL);
	log_result(u, res, rc == RC_OK ? NULL : e->error);
	unit_done(p, u, true);
}

/* ---- the writer threads ---- */

static void *
writer_main(void *arg)
{
	struct pass *p = arg;
	struct unit *u;

	for (;;) {
		pthread_mutex_lock(&p->w.mu);
		while (p->w.head == NULL && !p->w.closing)
			pthread_cond_wait(&p->w.cv, &p->w.mu);
		u = p->w.head;
		if (u != NULL) {
			if ((p->w.head = u->next) == NULL)
				p->w.tail = NULL;
			p->w.queued--;
			p->w.queued_bytes -= u->res.len;
		}
		pthread_mutex_unlock(&p->w.mu);
		if (u == NULL)
			return NULL;
		process(p, u);
		fetch_result_fini(&u->res);
	}
}

static void
writers_start(struct pass *p, size_t jobs)
{
	struct writers *w = &p->w;
	size_t want = jobs < REFRESH_WRITERS ? jobs : REFRESH_WRITERS;

	for (w->n = 0; w->n < want; w->n++)
		if (pthread_create(&w->threads[w->n], NULL, writer_main, p) != 0)
			break;
}

/* Lets the queue drain, then joins the threads. */
static void
writers_finish(struct pass *p)
{
	struct writers *w = &p->w;

	pthread_mutex_lock(&w->mu);
	w->closing = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	w->n = 0;
	w->closing = false;
}

/* The fetcher's callback: takes the result over and queues it. */
/*
 * Conditional requests for API sources: an ETag or Last-Modified is kept
 * (http.json) only when the run was one request, so that a 304 to it says
 * the whole result is unchanged; a run of several (pages, lookups) keeps
 * none, since its first answer does not stand for the others.
 */
static void
api_validators(const struct src_run *r, struct fetch_result *res)
{
	/* seen[0] is the URL itself unless the request was a POST. */
	if (r->nreq <= 1 && r->seen[0] == r->first_url)
		return;
	free(res->etag);
	free(res->last_modified);
	res->etag = NULL;
	res->last_modified = NULL;
}

/* The request an API run makes next, on its job. */
static void
api_job(struct pass *p, struct unit *u, struct fetch_job *job)
{
	job->url = u->api->url;
	job->header = u->api->header;
	job->post_body = u->api->post_body;
	for (size_t i = 0; i < FETCH_EXTRA_HEADERS && i < SRC_EXTRA_HEADERS; i++)
		job->extra_headers[i] = u->api->extra_headers[i];
	/* Every request of a run is judged on its own URL's trust. */
	job->trust = fetcher_trust(p->r->conf.allow_private, job->url);
	u->trust = job->trust;
}

static void
on_done(struct fetch_job *job, void *arg)
{
	struct pass *p = arg;
	struct unit *u = job->arg;
	bool inline_store;

	if (u->api != NULL && api_response(&p->r->conf.tokens, u, &job->res)) {
		/* The next request, in this run; the fetcher frees this one. */
		api_job(p, u, job);
		job->again = true;
		return;
	}
	u->res = job->res;
	memset(&job->res, 0, sizeof(job->res));
	if (u->api != NULL)
		api_validators(u->api, &u->res);
	if (retry_discovery(p, u) || discover(p, u)) {
		fetch_result_fini(&u->res);
		return;
	}
	pthread_mutex_lock(&p->w.mu);
	inline_store = p->w.n == 0 || p->w.queued >= REFRESH_QUEUE_MAX ||
	    p->w.queued_bytes + u->res.len > REFRESH_QUEUE_BYTES;
	pthread_mutex_unlock(&p->w.mu);
	if (inline_store) {     /* no threads, or they are behind: store here */
		process(p, u);
		fetch_result_fini(&u->res);
		return;
	}
	pthread_mutex_lock(&p->w.mu);
	p->w.queued++;
	p->w.queued_bytes += u->res.len;
	u->next = NULL;
	if (p->w.tail != NULL)
		p->w.tail->next = u;
	else
		p->w.head = u;
	p->w.tail = u;
	pthread_cond_signal(&p->w.cv);
	pthread_mutex_unlock(&p->w.mu);
}

/* ---- the pass ---- */

/*
 * How many sources one fetcher run may hold locked: each lock is an open
 * file. The soft RLIMIT_NOFILE is raised towards `want` when it is lower;
 * if the hard limit forbids that, the pass runs in batches.
 */
static size_t
batch_size(size_t want)
{
	rlim_t need = (rlim_t)want + REFRESH_FD_RESERVE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ?
		    rl.rlim_max : need;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return want;
	return rl.rlim_cur > REFRESH_FD_RESERVE + 64 ?
	    (size_t)(rl.rlim_cur - REFRESH_FD_RESERVE) : 64;
}

/* The trust of the unit's job: the page's own, or that of the feed it
 * named (fetcher_trust_named). */
static enum netpolicy_trust
follow_trust(const struct unit *u)
{
	return u->follow == NULL ? u->trust :
	    fetcher_trust_named(u->trust, u->src->url, u->follow);
}

/*
 * The feeds that pages of this batch named (or the pages again, after a
 * remembered feed failed), through the same fetcher; a failed candidate
 * queues the next, so this goes round until nothing is queued (at most
 * FEED_DISCOVER_MAX + 2 rounds: candidates, the page, its candidates).
 */
static enum rc
run_follows(struct pass *p, struct fetcher *f, volatile sig_atomic_t *stop)
{
	enum rc rc = RC_OK;

	for (int round = 0; rc == RC_OK && p->nfollow > 0 &&
	    round < 2 * FEED_DISCOVER_MAX + 2; round++) {
		size_t nf = p->nfollow;
		struct fetch_job *jobs = arena_calloc(p->a, nf + 1, sizeof(*jobs));
		if (jobs == NULL)
			return RC_NOMEM;
		p->nfollow = 0;
		for (size_t i = 0; i < nf; i++) {
			struct unit *u = p->follows[i];
			u->queued = false;
			if (u->follow != NULL && (u->follow = arena_strdup(p->a,
			    u->follow)) == NULL)
				return RC_NOMEM;
			jobs[i].url = u->follow != NULL ? u->follow : u->src->url;
			jobs[i].arg = u;
			jobs[i].trust = follow_trust(u);
			u->entry->via = u->follow;
		}
		writers_start(p, nf);
		rc = fetcher_run(f, jobs, nf, on_done, p, stop);
		writers_finish(p);
	}
	return rc;
}

static enum rc
run_batch(struct pass *p, struct fetch_job *jobs, size_t nj,
    volatile sig_atomic_t *stop)
{
	struct fetcher *f = get_fetcher(p->r);
	enum rc rc = RC_INTERNAL;

	p->nfollow = 0;
	if (f != NULL) {
		writers_start(p, nj);
		rc = fetcher_run(f, jobs, nj, on_done, p, stop);
		writers_finish(p);
		if (rc == RC_OK && p->nfollow > 0)
			rc = run_follows(p, f, stop);
	}
	/* A run with another request keeps its source locked. */
	for (size_t i = 0; i < nj; i++)
		if (!((struct unit *)jobs[i].arg)->more)
			unit_done(p, jobs[i].arg, false);
	return rc;
}

/* The job of a unit: its feed URL (with validators) or its run's request. */
static void
add_job(struct pass *p, struct unit *u, struct fetch_job *job)
{
	memset(job, 0, sizeof(*job));
	job->arg = u;
	if (u->api != NULL) {
		api_job(p, u, job);
		/* Validators stored for an API source stand for a whole run of
		 * one request (see api_validators); a POST is never conditional. */
		if (u->api->nreq == 1 && job->post_body == NULL)
			load_validators(u, job);
		return;
	}
	job->url = u->src->url;
	u->trust = fetcher_trust(p->r->conf.allow_private, u->src->url);
	/* A page's feed, remembered: fetched in its place, no page read. */
	if ((u->follow = remembered_feed(u, (long long)time(NULL))) != NULL) {
		job->url = u->follow;
		u->followed = true;
		u->remembered = true;
		u->entry->via = u->follow;
	}
	/* Validators are the feed's: never sent for the page. */
	if (u->followed || u->st.feed_url == NULL)
		load_validators(u, job);
	job->trust = follow_trust(u);
}

/*
 * API runs that want another request (the account's posts after its
 * lookup, the next page) get it in the same fetcher run (job->again), so
 * one slow source does not hold the others' next pages back. A fetcher
 * that does not go again (the test fakes) leaves them here: they get it
 * in rounds, each a fetcher run of its own; src.c bounds a run to
 * SRC_MAX_REQUESTS, and so do the rounds.
 */
static enum rc
fetch_more(struct pass *p, struct fetch_job *jobs, size_t batch, volatile sig_atomic_t *stop)
{
	enum rc rc = RC_OK;

	for (int round = 0; round < SRC_MAX_REQUESTS && rc == RC_OK; round++) {
		size_t nj = 0, sent = 0;
		for (size_t i = 0; i < p->n && rc == RC_OK; i++) {
			struct unit *u = &p->units[i];
			if (!u->more)
				continue;
			u->more = false;
			add_job(p, u, &jobs[nj]);
			sent++;
			if (++nj == batch) {
				rc = run_batch(p, jobs, nj, stop);
				nj = 0;
			}
		}
		if (nj > 0 && rc == RC_OK)
			rc = run_batch(p, jobs, nj, stop);
		if (sent == 0)
			break;
	}
	/* Runs the pass could not finish: nothing stored, locks let go. */
	for (size_t i = 0; i < p->n; i++) {
		if (p->units[i].more) {
			api_end(&p->units[i]);
			unit_done(p, &p->units[i], false);
		}
	}
	return rc;
}

static enum rc
fetch_due(struct pass *p, const struct refresh_opts *o, volatile sig_atomic_t *stop)
{
	long long now = (long long)time(NULL);
	size_t nj = 0, batch = batch_size(p->n);
	struct fetch_job *jobs;
	enum rc rc = RC_OK;

	jobs = arena_calloc(p->a, batch + 1, sizeof(*jobs));
	p->follows = arena_calloc(p->a, batch + 1, sizeof(*p->follows));
	if (jobs == NULL || p->follows == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < p->n && rc == RC_OK; i++) {
		struct unit *u = &p->units[i];
		if (!u->wanted) {
			if (cache_status_load(p->a, u->status_path, &u->st) == RC_OK)
				u->next_due = u->st.next_due;
			continue;
		}
		if (!prepare(p, u, now, o->force))
			continue;
		if (src_is_api(&u->src->api) && !api_begin(p, u, now)) {
			process(p, u);      /* records why it could not start */
			continue;
		}
		add_job(p, u, &jobs[nj]);
		if (++nj == batch) {
			rc = run_batch(p, jobs, nj, stop);
			nj = 0;
		}
	}
	if (nj > 0 && rc == RC_OK)
		rc = run_batch(p, jobs, nj, stop);
	if (rc == RC_OK)
		rc = fetch_more(p, jobs, batch, stop);
	return rc;
}

static void
free_arena(void *p)
{
	arena_free(p);
}

/* The parsed items of the pass go to the report's arena, to live as long
 * as the merges that point into them. */
static void
keep_feeds(struct pass *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct unit *u = &p->units[i];
		if (u->fa != NULL && arena_defer(p->a, free_arena, u->fa) != RC_OK) {
			arena_free(u->fa);
			u->feed = NULL;
		}
		u->fa = NULL;
	}
}

/* Each source's items parsed in this pass, for stream_rebuild_with. */
static struct stream_input *
fresh_inputs(struct pass *p, const struct stream_conf *sc)
{
	struct stream_input *in = arena_calloc(p->a, sc->nsources + 1, sizeof(*in));

	for (size_t i = 0; in != NULL && i < sc->nsources; i++) {
		struct unit *u = find_unit(p, sc->sources[i].key);
		in[i].source = &sc->sources[i];
		if (u != NULL && u->feed != NULL) {
			in[i].feed = u->feed;
			in[i].items_sum = u->items_sum;
		}
	}
	return in;
}

/*
 * The merge's clock. One node alone: now. Several: the last time one of
 * the stream's sources changed (their statuses are shared), so that every
 * node that merges the same inputs writes the same feed, meta and pages
 * (changed_at, the clamp of future dates) whenever it merges them.
 */
static long long
merge_clock(const struct pass *p, const struct stream_conf *sc, long long now)
{
	long long t = 0;

	if (p->r->share == NULL)
		return now;
	for (size_t i = 0; i < sc->nsources; i++) {
		const struct unit *u = find_unit((struct pass *)p, sc->sources[i].key);
		if (u != NULL && u->st.last_change > t)
			t = u->st.last_change;
	}
	return t > 0 ? t : now;
}

static void
remerge(struct pass *p, const struct refresh_opts *o)
{
	const struct refresher_conf *c = &p->r->conf;
	struct refresh_report *rep = p->rep;
	long long now = (long long)time(NULL);

	rep->changed_streams = arena_calloc(p->a, c->nstreams + 1, sizeof(char *));
	rep->results = arena_calloc(p->a, c->nstreams + 1, sizeof(*rep->results));
	if (rep->changed_streams == NULL || rep->results == NULL)
		return;
	for (size_t i = 0; i < c->nstreams; i++) {
		struct stream_result *res = &rep->results[rep->nresults];
		if (o->stream != NULL && strcmp(o->stream, c->streams[i].name) != 0)
			continue;
		if (stream_rebuild_with(p->a, c->cache, &c->streams[i], c->mod,
		    fresh_inputs(p, &c->streams[i]), merge_clock(p, &c->streams[i], now), false,
		    res) != RC_OK)
			continue;
		rep->nresults++;
		if (res->changed)
			rep->changed_streams[rep->nchanged++] = c->streams[i].name;
	}
}

static long
next_in(const struct pass *p)
{
	long long now = (long long)time(NULL), best = SCHEDULE_MAX_INTERVAL;

	for (size_t i = 0; i < p->n; i++) {
		long long d = p->units[i].next_due - now;
		if (d < best)
			best = d;
	}
	return best < 1 ? 1 : (long)best;
}

static void
renewer_start(struct pass *p)
{
	pthread_mutex_init(&p->renew_mu, NULL);
	pthread_cond_init(&p->renew_cv, NULL);
	p->renewing = p->r->share != NULL &&
	    pthread_create(&p->renewer, NULL, renewer_main, p) == 0;
}

static void
renewer_stop(struct pass *p)
{
	if (p->renewing) {
		pthread_mutex_lock(&p->renew_mu);
		p->renew_stop = true;
		pthread_cond_signal(&p->renew_cv);
		pthread_mutex_unlock(&p->renew_mu);
		pthread_join(p->renewer, NULL);
	}
	pthread_cond_destroy(&p->renew_cv);
	pthread_mutex_destroy(&p->renew_mu);
}

enum rc
refresher_pass(struct refresher *r, const struct refresh_opts *o,
    struct arena *a, struct refresh_report *rep, volatile sig_atomic_t *stop)
{
	struct pass p = { .r = r, .a = a, .rep = rep,
		.w = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER } };
	enum rc rc;

	memset(rep, 0, sizeof(*rep));
	rep->next_in = SCHEDULE_MIN_INTERVAL;
	if ((rc = gather(&p, o)) != RC_OK)
		return rc;
	rep->entries = arena_calloc(a, p.n + 1, sizeof(*rep->entries));
	if (rep->entries == NULL)
		return RC_NOMEM;
	renewer_start(&p);
	rc = fetch_due(&p, o, stop);
	renewer_stop(&p);
	for (size_t i = 0; i < p.n; i++) {
		json_decref(p.units[i].http);
		arena_free(p.units[i].da);
	}
	keep_feeds(&p);
	if (rc != RC_OK)
		return rc;
	remerge(&p, o);
	rep->next_in = next_in(&p);
	return RC_OK;
}

enum rc
refresher_ensure_fresh(struct refresher *r, const char *stream)
{
	struct refresh_opts o = { .stream = stream, .force = false };
	struct refresh_report rep;
	struct arena *a = arena_new(16 * 1024, 0);
	enum rc rc;

	if (a == NULL)
		return RC_NOMEM;
	rc = refresher_pass(r, &o, a, &rep, NULL);
	arena_free(a);
	return rc;
}

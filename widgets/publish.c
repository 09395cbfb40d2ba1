/* publish: after a merge — fetch media, build profiles, prepare the stream
 * and pre-render its first pages, so requests only read files. */
#include "widgets/publish.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "util/catalog.h"
#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/netpolicy.h"
#include "util/url.h"
#include "widgets/feeds/feed_discover.h"
#include "widgets/feeds/sanitize.h"
#include "widgets/media.h"
#include "widgets/profiles.h"

#define FAILED_MAX 1024   /* remembered failed image ids */

struct failed {
	char id[MEDIA_ID_LEN + 1];
	long long at;
};

struct publisher {
	struct publish_conf conf;
	struct fetcher own;
	bool have_own;
	struct failed failed[FAILED_MAX];
	size_t nfailed;       /* ring: next slot is nfailed % FAILED_MAX */
};

static const struct {
	enum render_format f;
	enum render_layout l;
	const char *name;
} pages[] = {
	{ RENDER_JSON, RENDER_LIST, "page.json" },
	{ RENDER_AS2, RENDER_LIST, "page.as2" },
	{ RENDER_ATOM, RENDER_LIST, "page.atom" },
	{ RENDER_HTML, RENDER_LIST, "page-list.html" },
	{ RENDER_HTML, RENDER_GRID, "page-grid.html" },
	{ RENDER_HTML, RENDER_CAROUSEL, "page-carousel.html" },
};

const char *
publish_page_name(enum render_format f, enum render_layout l)
{
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		if (pages[i].f == f && (f != RENDER_HTML || pages[i].l == l))
			return pages[i].name;
	return NULL;
}

char *
publish_media_path(struct arena *a, const struct cache *c, const char *id)
{
	return arena_printf(a, "%s/%s/%.2s/%s", cache_root(c), CACHE_MEDIA_DIR, id, id);
}

enum rc
publisher_new(const struct publish_conf *conf, struct publisher **out)
{
	struct publisher *p = calloc(1, sizeof(*p));

	*out = p;
	if (p == NULL)
		return RC_NOMEM;
	p->conf = *conf;
	p->conf.fetch.max_body = MEDIA_MAX_BYTES;
	return RC_OK;
}

void
publisher_free(struct publisher *p)
{
	if (p == NULL)
		return;
	if (p->have_own)
		fetcher_fini(&p->own);
	free(p);
}

static struct fetcher *
get_fetcher(struct publisher *p)
{
	if (p->conf.fetcher != NULL)
		return p->conf.fetcher;
	if (!p->have_own && fetcher_curl_new(&p->conf.fetch, &p->own) == RC_OK)
		p->have_own = true;
	return p->have_own ? &p->own : NULL;
}

/* ---- pages ---- */

static struct render_source *
sources_of(struct arena *a, const struct stream_conf *sc)
{
	struct render_source *s = arena_calloc(a, sc->nsources + 1, sizeof(*s));

	for (size_t i = 0; s != NULL && i < sc->nsources; i++) {
		s[i].name = sc->sources[i].name;
		s[i].title = sc->sources[i].title;
	}
	return s;
}

static char *
page_url(struct arena *a, const struct render_site *site, const char *stream,
    enum render_format f, const struct render_query *q, const char *before)
{
	struct buf b;
	char *s = NULL;

	buf_init(&b, 8192);
	if (render_page_url(&b, site, stream, f, q, before) == RC_OK)
		s = arena_strdup(a, buf_cstr(&b));
	buf_fini(&b);
	return s;
}

struct render_source *
publish_sources(struct arena *a, const struct stream_conf *sc, const json_t *public_json)
{
	struct render_source *s = sources_of(a, sc);
	const json_t *arr = json_object_get(json_object_get(public_json, "_published"), "sources");
	const json_t *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *title = json_string_value(json_object_get(o, "title"));
		const char *avatar = json_string_value(json_object_get(o, "avatar"));
		for (size_t k = 0; s != NULL && name != NULL && k < sc->nsources; k++) {
			if (strcmp(s[k].name, name) != 0)
				continue;
			if (title != NULL)
				s[k].title = arena_strdup(a, title);
			if (avatar != NULL)
				s[k].avatar = arena_strdup(a, avatar);
		}
	}
	return s;
}

const char *
publish_lang(const struct render_site *site, const struct stream_conf *sc,
    const char *market)
{
	if (sc->lang != NULL)
		return catalog_lang(site->catalog, sc->lang);
	for (size_t i = 0; market != NULL && i < sc->nsources; i++)
		if (sc->sources[i].market != NULL && strcmp(sc->sources[i].market, market) == 0 &&
		    sc->sources[i].lang != NULL)
			return catalog_lang(site->catalog, sc->sources[i].lang);
	return NULL;
}

enum rc
publish_page(struct arena *a, const struct render_site *site,
    const struct stream_conf *sc, const struct render_source *src,
    const struct feed *pub, const struct render_query *q, enum render_format f,
    long long updated, long long now, struct render_page *out)
{
	const struct feed_item **items;
	struct render_query first = *q;
	size_t n;
	bool more;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = render_select(a, pub, q, &items, &n, &more)) != RC_OK)
		return rc;
	first.before = NULL;
	out->site = site;
	out->stream = sc->name;
	out->title = sc->title != NULL ? sc->title : pub->title;
	out->description = pub->description;
	out->items = items;
	out->nitems = n;
	out->updated = updated;
	out->now = now;
	out->layout = q->layout;
	out->lang = q->lang != NULL ? q->lang : publish_lang(site, sc, q->market);
	if (out->lang == NULL)
		out->lang = CATALOG_DEFAULT;
	out->show_counts = sc->show_counts;
	out->sources = src != NULL ? src : sources_of(a, sc);
	out->nsources = sc->nsources;
	out->self_url = page_url(a, site, sc->name, f, q, q->before);
	out->feed_url = page_url(a, site, sc->name, f, &first, NULL);
	if (more && n > 0) {
		struct buf c;
		buf_init(&c, RENDER_CURSOR_MAX + 1);
		rc = render_cursor(&c, items[n - 1]);
		if (rc == RC_OK)
			out->next_url = page_url(a, site, sc->name, f, q, buf_cstr(&c));
		buf_fini(&c);
		if (rc != RC_OK)
			return rc;
	}
	if (out->self_url == NULL || out->feed_url == NULL || (more && out->next_url == NULL))
		return RC_NOMEM;
	return RC_OK;
}

static enum rc
write_pages(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    const struct render_source *src, const struct feed *pub, long long updated,
    long long now)
{
	struct buf b;
	enum rc rc = RC_OK;

	buf_init(&b, (size_t)64 * 1024 * 1024);
	for (size_t i = 0; rc == RC_OK && i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct render_query q = { .limit = RENDER_LIMIT_DEFAULT, .layout = pages[i].l };
		struct render_page pg;
		char *path = cache_stream_path(a, p->conf.cache, sc->name, pages[i].name);
		buf_clear(&b);
		rc = path != NULL ? RC_OK : RC_NOMEM;
		if (rc == RC_OK)
			rc = publish_page(a, &p->conf.site, sc, src, pub, &q, pages[i].f, updated,
			    now, &pg);
		if (rc == RC_OK)
			rc = render_page_as(pages[i].f, &b, &pg);
		if (rc == RC_OK)
			rc = cache_write(path, b.data, b.len);
	}
	buf_fini(&b);
	return rc;
}

/* A string member, null when s is NULL (json_pack's "s?"). */
static void
w_str_or_null(struct jsonw *w, const char *key, const char *s)
{
	if (s == NULL || !jsonw_key_str(w, key, s, strlen(s))) {
		jsonw_key(w, key, strlen(key));
		jsonw_null(w);
	}
}

/* public.json: the prepared stream and, last, "_published": when it
 * changed, when it was written and the sources' display names. */
static enum rc
write_public(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    const struct render_source *src, const struct feed *pub, long long updated,
    long long now)
{
	char *path = cache_stream_path(a, p->conf.cache, sc->name, PUBLISH_PUBLIC);
	struct jsonw w;
	struct buf b;
	enum rc rc;

	if (path == NULL)
		return RC_NOMEM;
	if ((rc = cache_jsonw_begin(&w, 256 * 1024, &b)) != RC_OK)
		return rc;
	feed_write_json_begin(pub, 0, &w);
	jsonw_key(&w, "_published", strlen("_published"));
	jsonw_obj_begin(&w);
	jsonw_key(&w, "changed_at", strlen("changed_at"));
	jsonw_int(&w, updated);
	jsonw_key(&w, "generated_at", strlen("generated_at"));
	jsonw_int(&w, now);
	jsonw_key(&w, "sources", strlen("sources"));
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < sc->nsources; i++) {
		jsonw_obj_begin(&w);
		w_str_or_null(&w, "name", src[i].name);
		w_str_or_null(&w, "title", src[i].title);
		w_str_or_null(&w, "avatar", src[i].avatar);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	if ((rc = cache_jsonw_end(&w, &b)) == RC_OK)
		rc = cache_write(path, b.data, b.len);
	buf_fini(&b);
	return rc;
}

/* Display names and pictures of the sources: the config's title, else the
 * account's name; the account's avatar when the cache has it. */
static struct render_source *
display_sources(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    const struct profile *prof)
{
	struct render_source *s = sources_of(a, sc);
	char id[MEDIA_ID_LEN + 1];
	struct stat st;
	char *path;

	for (size_t i = 0; s != NULL && i < sc->nsources; i++) {
		if (s[i].title == NULL)
			s[i].title = prof[i].name;
		if (!media_url_fetchable(prof[i].avatar))
			continue;
		media_id_for_url(prof[i].avatar, id);
		path = publish_media_path(a, p->conf.cache, id);
		if (path != NULL && stat(path, &st) == 0)
			s[i].avatar = arena_printf(a, "%s/media/%s", p->conf.site.base, id);
	}
	return s;
}

/* render_prepare keeps only the images the cache holds. */
struct have {
	struct arena *a;
	const struct cache *cache;
};

static bool
have_media(void *arg, const char *id)
{
	struct have *h = arg;
	char *path = publish_media_path(h->a, h->cache, id);
	struct stat st;

	return path != NULL && stat(path, &st) == 0;
}

/* ---- media ---- */

struct want {
	const char *url;
	char id[MEDIA_ID_LEN + 1];
	enum netpolicy_trust trust;
};

struct collect {
	struct publisher *p;
	struct arena *a;
	const struct stream_conf *sc;
	long long now;
	struct want *w;
	size_t n, cap;
};

static void want(struct collect *c, const char *url, const char *id);

static bool
recently_failed(const struct publisher *p, const char *id, long long now)
{
	size_t n = p->nfailed < FAILED_MAX ? p->nfailed : FAILED_MAX;

	for (size_t i = 0; i < n; i++)
		if (strcmp(p->failed[i].id, id) == 0 && now - p->failed[i].at < PUBLISH_MEDIA_RETRY)
			return true;
	return false;
}

static void
remember_failure(struct publisher *p, const char *id, long long now)
{
	struct failed *f = &p->failed[p->nfailed % FAILED_MAX];

	memcpy(f->id, id, sizeof(f->id));
	f->at = now;
	p->nfailed++;
}

/*
 * Loopback and private addresses are refused for media unless the admin
 * allowed them (fetch_allow_private) or configured a source on that very
 * origin (the demo's own nginx), and then only for that origin, not for
 * where it redirects: a hostile feed cannot aim us at the LAN.
 */
static enum netpolicy_trust
media_trust(const struct publisher *p, const struct stream_conf *sc, const char *url)
{
	struct url_origin img, src;

	if (p->conf.allow_private)
		return NETPOLICY_ANY;
	if (!url_origin_of(url, &img))
		return NETPOLICY_PUBLIC;
	for (size_t i = 0; i < sc->nsources; i++) {
		const char *s = sc->sources[i].url;
		if (url_origin_of(s, &src) && url_origin_same(&img, &src) && netpolicy_url_private(s))
			return NETPOLICY_ORIGIN;
	}
	return NETPOLICY_PUBLIC;
}

/* Notes an image to fetch when the cache lacks it; returns the proxy URL
 * it will have (written into the media pass's HTML; images that do not
 * get into the cache are cut from it by render_prepare_media). */
static const char *
collect_map(void *arg, const char *url)
{
	struct collect *c = arg;
	char id[MEDIA_ID_LEN + 1];
	const char *to;

	media_id_for_url(url, id);
	to = arena_printf(c->a, "%s/media/%s", c->p->conf.site.base, id);
	want(c, url, id);
	return to != NULL ? to : url;
}

/* Adds url to the fetch list unless known, capped or recently failed. */
static void
want(struct collect *c, const char *url, const char *id)
{
	struct stat st;
	char *path;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->w[i].id, id) == 0)
			return;
	if (c->n >= PUBLISH_MEDIA_PER_PASS || recently_failed(c->p, id, c->now))
		return;
	path = publish_media_path(c->a, c->p->conf.cache, id);
	if (path == NULL || stat(path, &st) == 0)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct want *w = arena_calloc(c->a, cap, sizeof(*w));
		if (w == NULL)
			return;
		if (c->n > 0)
			memcpy(w, c->w, c->n * sizeof(*w));
		c->w = w;
		c->cap = cap;
	}
	c->w[c->n].url = arena_strdup(c->a, url);
	memcpy(c->w[c->n].id, id, sizeof(c->w[c->n].id));
	c->w[c->n].trust = media_trust(c->p, c->sc, url);
	if (c->w[c->n].url != NULL)
		c->n++;
}

struct media_done {
	struct publisher *p;
	struct arena *a;
	long long now;
	size_t stored, failed;
};

static void
media_done(struct fetch_job *job, void *arg)
{
	struct media_done *d = arg;
	const struct want *w = job->arg;
	const struct fetch_result *r = &job->res;
	const char *type = r->rc == RC_OK && r->http_status == 200 ?
	    media_sniff(r->body, r->len) : NULL;
	char *path = publish_media_path(d->a, d->p->conf.cache, w->id);
	char *dir = path != NULL ? arena_strndup(d->a, path, strlen(path) - MEDIA_ID_LEN - 1) : NULL;

	if (type == NULL || r->len > (size_t)MEDIA_MAX_BYTES || dir == NULL ||
	    fsutil_mkdirs(dir, 0750) != RC_OK ||
	    fsutil_write_atomic(path, r->body, r->len, 0640) != RC_OK) {
		char st[24];
		log_kv(LOG_INFO, "media_skipped", "url", w->url, "status",
		    log_int(st, r->http_status), "error", r->rc != RC_OK ? r->error :
		    type == NULL ? "not an image (PNG, JPEG, GIF, WebP, AVIF)" : "cannot store", NULL);
		remember_failure(d->p, w->id, d->now);
		d->failed++;
		return;
	}
	d->stored++;
}

static void
fetch_media(struct publisher *p, struct collect *c, volatile sig_atomic_t *stop)
{
	struct fetcher *f;
	struct fetch_job *jobs;
	struct media_done d = { .p = p, .a = c->a, .now = c->now };
	char t1[24], t2[24];

	if (c->n == 0)
		return;
	if ((f = get_fetcher(p)) == NULL ||
	    (jobs = arena_calloc(c->a, c->n, sizeof(*jobs))) == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		jobs[i].url = c->w[i].url;
		jobs[i].trust = c->w[i].trust;
		jobs[i].arg = &c->w[i];
	}
	fetcher_run(f, jobs, c->n, media_done, &d, stop);
	log_kv(LOG_INFO, "media_fetched", "stream", c->sc->name, "stored",
	    log_int(t1, (long long)d.stored), "failed", log_int(t2, (long long)d.failed), NULL);
}

/* ---- profiles ---- */

struct prof_job {
	struct profile *prof;
	struct arena *a;
	long long now;
};

static void
profile_done(struct fetch_job *job, void *arg)
{
	struct prof_job *pj = job->arg;

	(void)arg;
	if (job->res.rc == RC_OK && job->res.http_status == 200 &&
	    profiles_apply_mastodon(pj->a, job->res.body, job->res.len, pj->prof) == RC_OK) {
		pj->prof->fetched_at = pj->now;
		return;
	}
	log_kv(LOG_INFO, "profile_fetch_failed", "url", job->url, "error",
	    job->res.rc != RC_OK ? job->res.error : "not a Mastodon account", NULL);
}

static const struct profile *
previous(const struct profile *prev, size_t nprev, const char *source)
{
	for (size_t i = 0; i < nprev; i++)
		if (strcmp(prev[i].source, source) == 0)
			return &prev[i];
	return NULL;
}

/* The source's items: from the merge's inputs when it ran in this
 * process, else from its items.json. */
static void
profile_of_source(struct arena *a, const struct publisher *p, const struct stream_source *src,
    const struct feed *mem, struct profile *out)
{
	char *path;
	json_t *j = NULL;
	struct feed f;
	bool have = false;

	if (mem == NULL && (path = cache_source_path(a, p->conf.cache, src->key, "items.json")) != NULL &&
	    cache_read_json(path, &j) == RC_OK)
		have = feed_from_json(a, j, &f) == RC_OK;
	json_decref(j);
	profiles_from_feed(a, src->name, src->title, src->url, mem != NULL ? mem : have ? &f : NULL, out);
}

/* The instance probe answered: whether the host is Mastodon, kept in
 * the profile state. A transfer error is not an answer (asked again). */
static void
instance_done(struct fetch_job *job, void *arg)
{
	struct prof_job *pj = job->arg;

	(void)arg;
	if (job->res.rc != RC_OK) {
		log_kv(LOG_INFO, "profile_fetch_failed", "url", job->url, "error",
		    job->res.error, NULL);
		return;
	}
	pj->prof->instance_at = pj->now;
	pj->prof->instance_mastodon = job->res.http_status == 200 &&
	    profiles_is_mastodon_instance(job->res.body, job->res.len);
}

enum prof_step { PROF_NONE, PROF_LOOKUP, PROF_PROBE };

/*
 * What a source's card needs this pass: nothing (not an account feed, or
 * the last answer is fresh: kept), the account lookup (a listed Mastodon
 * host, or one that answered as Mastodon), or first the instance probe
 * (any other host, unless its last answer is fresh).
 */
static enum prof_step
prof_step(const struct stream_source *src, const struct profile *old,
    long long now, struct profile *cur)
{
	if (old != NULL && old->fetched_at > 0 && now - old->fetched_at < PUBLISH_PROFILE_EVERY) {
		*cur = *old;
		if (src->title != NULL)
			cur->name = src->title;
		return PROF_NONE;
	}
	if (feed_discover_mastodon_host(src->url))
		return PROF_LOOKUP;
	if (old != NULL && old->instance_at > 0 && now - old->instance_at < PUBLISH_PROFILE_EVERY) {
		cur->instance_at = old->instance_at;
		cur->instance_mastodon = old->instance_mastodon;
		return cur->instance_mastodon ? PROF_LOOKUP : PROF_NONE;
	}
	return PROF_PROBE;
}

/* The jobs of one step (url_of gives a job's URL); returns how many. */
static size_t
prof_jobs(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    const enum prof_step *step, enum prof_step want, struct prof_job *pjs,
    struct fetch_job *jobs, char *(*url_of)(struct arena *, const char *))
{
	size_t n = 0;

	for (size_t i = 0; i < sc->nsources; i++) {
		const char *src_url = sc->sources[i].url;
		if (step[i] != want || (jobs[n].url = url_of(a, src_url)) == NULL)
			continue;
		jobs[n].arg = &pjs[i];
		jobs[n].trust = fetcher_trust_named(fetcher_trust(p->conf.allow_private,
		    src_url), src_url, jobs[n].url);
		n++;
	}
	return n;
}

static enum rc
build_profiles(struct publisher *p, struct arena *a, const struct stream_conf *sc,
    const struct stream_input *in, long long now, volatile sig_atomic_t *stop,
    struct profile **out)
{
	char *state = cache_stream_path(a, p->conf.cache, sc->name, PUBLISH_PROFILES_STATE);
	struct profile *prev = NULL, *prof;
	struct fetch_job *jobs;
	struct prof_job *pjs;
	enum prof_step *step;
	size_t nprev = 0, n;
	json_t *j = NULL;
	struct fetcher *f = NULL;

	if (state != NULL && cache_read_json(state, &j) == RC_OK)
		profiles_from_state(a, json_object_get(j, "profiles"), &prev, &nprev);
	json_decref(j);
	prof = arena_calloc(a, sc->nsources + 1, sizeof(*prof));
	jobs = arena_calloc(a, sc->nsources + 1, sizeof(*jobs));
	pjs = arena_calloc(a, sc->nsources + 1, sizeof(*pjs));
	step = arena_calloc(a, sc->nsources + 1, sizeof(*step));
	if (prof == NULL || jobs == NULL || pjs == NULL || step == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < sc->nsources; i++) {
		const struct stream_source *src = &sc->sources[i];
		profile_of_source(a, p, src, in != NULL ? in[i].feed : NULL, &prof[i]);
		pjs[i] = (struct prof_job){ .prof = &prof[i], .a = a, .now = now };
		if (profiles_mastodon_lookup(a, src->url) != NULL)
			step[i] = prof_step(src, previous(prev, nprev, src->name), now, &prof[i]);
	}
	/* Hosts not known as Mastodon are asked first; those that answer as
	 * Mastodon get the lookup in the second run. */
	if ((n = prof_jobs(a, p, sc, step, PROF_PROBE, pjs, jobs,
	    profiles_mastodon_instance)) > 0 && (f = get_fetcher(p)) != NULL)
		fetcher_run(f, jobs, n, instance_done, NULL, stop);
	for (size_t i = 0; i < sc->nsources; i++)
		if (step[i] == PROF_PROBE && prof[i].instance_mastodon)
			step[i] = PROF_LOOKUP;
	memset(jobs, 0, (sc->nsources + 1) * sizeof(*jobs));
	if ((n = prof_jobs(a, p, sc, step, PROF_LOOKUP, pjs, jobs,
	    profiles_mastodon_lookup)) > 0 && (f = get_fetcher(p)) != NULL)
		fetcher_run(f, jobs, n, profile_done, NULL, stop);
	/* The admin's title for a source wins over the account's name. */
	for (size_t i = 0; i < sc->nsources; i++)
		if (sc->sources[i].title != NULL)
			prof[i].name = sc->sources[i].title;
	*out = prof;
	return RC_OK;
}

static enum rc
write_profiles(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    const struct profile *prof)
{
	const char *title = sc->title != NULL ? sc->title : sc->name;
	json_t *state = json_pack("{s:o}", "profiles", profiles_state_json(prof, sc->nsources));
	json_t *pub = profiles_json(prof, sc->nsources, sc->name, title, &p->conf.site);
	char *sp = cache_stream_path(a, p->conf.cache, sc->name, PUBLISH_PROFILES_STATE);
	char *jp = cache_stream_path(a, p->conf.cache, sc->name, PUBLISH_PROFILES_JSON);
	char *hp = cache_stream_path(a, p->conf.cache, sc->name, PUBLISH_PROFILES_HTML);
	struct buf b;
	enum rc rc = RC_NOMEM;

	buf_init(&b, (size_t)4 * 1024 * 1024);
	if (state != NULL && pub != NULL && sp != NULL && jp != NULL && hp != NULL) {
		rc = cache_write_json(sp, state);
		if (rc == RC_OK)
			rc = cache_write_json(jp, pub);
		/* In the stream's own language: views serves this file when
		 * that is the request's, and renders the state otherwise. */
		struct profiles_box box = { sc->name, title, publish_lang(&p->conf.site, sc, NULL),
			&p->conf.site };
		if (rc == RC_OK)
			rc = profiles_html(&b, prof, sc->nsources, &box);
		if (rc == RC_OK)
			rc = cache_write(hp, b.data, b.len);
	}
	buf_fini(&b);
	json_decref(state);
	json_decref(pub);
	return rc;
}

/* ---- one stream ---- */

/* A copy of f whose items and attachment lists feed_normalize may change
 * without touching the merge's sources (their items share them). */
static enum rc
own_items(struct arena *a, const struct feed *f, struct feed *out)
{
	*out = *f;
	if (f->nitems == 0)
		return RC_OK;
	if ((out->items = arena_memdup(a, f->items, f->nitems * sizeof(*f->items))) == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < f->nitems; i++) {
		struct feed_item *it = &out->items[i];
		if (it->nattachments > 0 && (it->attachments = arena_memdup(a, it->attachments,
		    it->nattachments * sizeof(*it->attachments))) == NULL)
			return RC_NOMEM;
		if (it->ntags > 0 && (it->tags = arena_memdup(a, it->tags,
		    it->ntags * sizeof(*it->tags))) == NULL)
			return RC_NOMEM;
		if (it->nimages > 0 && (it->images = arena_memdup(a, it->images,
		    it->nimages * sizeof(*it->images))) == NULL)
			return RC_NOMEM;
		if (it->nauthors > 0 && (it->authors = arena_memdup(a, it->authors,
		    it->nauthors * sizeof(*it->authors))) == NULL)
			return RC_NOMEM;
	}
	return RC_OK;
}

/* The merged stream from disk: feed.json and its changed_at, when the
 * merge ran in another process (or before a restart). */
static enum rc
load_merged(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    struct feed *merged, long long *updated)
{
	json_t *fj = NULL, *mj = NULL;
	enum rc rc;

	if ((rc = stream_load(p->conf.cache, sc->name, &fj, &mj)) == RC_OK) {
		*updated = (long long)json_integer_value(json_object_get(mj, "changed_at"));
		rc = feed_from_json(a, fj, merged);
	}
	json_decref(fj);
	json_decref(mj);
	return rc;
}

static enum rc
publish_stream(struct publisher *p, const struct stream_conf *sc,
    const struct stream_result *res, long long now, volatile sig_atomic_t *stop)
{
	struct arena *a = arena_new(64 * 1024, 0);
	struct collect col = { .p = p, .sc = sc, .now = now };
	struct feed merged, pub;
	struct profile *prof = NULL;
	struct render_source *src;
	struct media_html *content;
	struct sanitize *san;
	struct feed_item scratch;
	long long updated = 0;
	enum rc rc;

	if (a == NULL)
		return RC_NOMEM;
	col.a = a;
	if (res != NULL) {
		/* As feed.json would read back (the merge's own strings, pins
		 * taken from a previous feed.json). */
		if ((rc = own_items(a, &res->m.feed, &merged)) != RC_OK)
			goto out;
		feed_normalize(&merged);
		updated = res->changed_at;
	} else if ((rc = load_merged(a, p, sc, &merged, &updated)) != RC_OK) {
		goto out;
	}
	rc = RC_NOMEM;
	if ((content = arena_calloc(a, merged.nitems + 1, sizeof(*content))) == NULL ||
	    (san = sanitize_new(a)) == NULL)
		goto out;
	/* What the stream shows that is not in the cache yet; each item's
	 * HTML goes through the media pass once, here. */
	for (size_t i = 0; i < merged.nitems; i++) {
		struct feed_item bare = merged.items[i];
		bare.content_html = NULL;
		media_map_item(a, san, &bare, collect_map, &col, &scratch);
		if (merged.items[i].content_html != NULL &&
		    (rc = media_html_prepare(a, san, merged.items[i].content_html, collect_map,
		    &col, &content[i])) != RC_OK)
			goto out;
	}
	/* Pictures of held items, for the moderation console's previews
	 * (never in the public pages: those have only what the merge shows). */
	for (size_t i = 0; res != NULL && i < res->m.nheld_images; i++)
		if (media_url_fetchable(res->m.held_images[i]))
			collect_map(&col, res->m.held_images[i]);
	if ((rc = build_profiles(p, a, sc, res != NULL ? res->in : NULL, now, stop, &prof)) != RC_OK)
		goto out;
	for (size_t i = 0; i < sc->nsources; i++)
		if (media_url_fetchable(prof[i].avatar))
			collect_map(&col, prof[i].avatar);
	fetch_media(p, &col, stop);
	if ((rc = render_prepare_media(a, &merged, &p->conf.site, have_media,
	    &(struct have){ .a = a, .cache = p->conf.cache }, content, &pub)) != RC_OK)
		goto out;
	if ((src = display_sources(a, p, sc, prof)) == NULL) {
		rc = RC_NOMEM;
		goto out;
	}
	rc = write_profiles(a, p, sc, prof);
	if (p->conf.stable_clock && updated > 0)
		now = updated;
	if (rc == RC_OK)
		rc = write_pages(a, p, sc, src, &pub, updated, now);
	/* public.json last: its mtime says the pages are current. */
	if (rc == RC_OK)
		rc = write_public(a, p, sc, src, &pub, updated, now);
out:
	arena_free(a);
	return rc;
}

static bool
needs_publish(struct arena *a, const struct publisher *p, const struct stream_conf *sc,
    bool force, long long now)
{
	char *feed = cache_stream_path(a, p->conf.cache, sc->name, "feed.json");
	char *pub = cache_stream_path(a, p->conf.cache, sc->name, PUBLISH_PUBLIC);
	struct stat fs, ps;

	if (feed == NULL || pub == NULL || stat(feed, &fs) != 0)
		return false;   /* not merged yet */
	if (force || stat(pub, &ps) != 0)
		return true;
	return fs.st_mtim.tv_sec > ps.st_mtim.tv_sec ||
	    (fs.st_mtim.tv_sec == ps.st_mtim.tv_sec && fs.st_mtim.tv_nsec >= ps.st_mtim.tv_nsec) ||
	    now - (long long)ps.st_mtim.tv_sec >= PUBLISH_MAX_AGE;
}

/* The merge of sc that ran in this process, or NULL. */
static const struct stream_result *
result_of(const struct stream_result *res, size_t nres, const struct stream_conf *sc)
{
	for (size_t i = 0; i < nres; i++)
		if (res[i].merged && strcmp(res[i].sc->name, sc->name) == 0)
			return &res[i];
	return NULL;
}

enum rc
publisher_run(struct publisher *p, const char *stream, bool force, long long now,
    volatile sig_atomic_t *stop, const struct stream_result *res, size_t nres,
    size_t *n)
{
	struct arena *a = arena_new(4096, 0);
	size_t done = 0;

	if (a == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < p->conf.nstreams && (stop == NULL || !*stop); i++) {
		const struct stream_conf *sc = &p->conf.streams[i];
		enum rc rc;
		if (stream != NULL && strcmp(stream, sc->name) != 0)
			continue;
		arena_reset(a);
		if (!needs_publish(a, p, sc, force, now))
			continue;
		rc = publish_stream(p, sc, result_of(res, nres, sc), now, stop);
		if (rc == RC_OK)
			done++;
		else
			log_kv(LOG_ERROR, "stream_publish_failed", "stream", sc->name,
			    "error", rc_str(rc), NULL);
	}
	arena_free(a);
	if (n != NULL)
		*n = done;
	return RC_OK;
}

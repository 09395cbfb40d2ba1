/* views: the widget routes. Unfiltered first pages come from memory (a
 * stat a second at most, one read per change); other pages are rendered from the
 * prepared stream, kept per worker until public.json changes. */
#include "widgets/views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fcgi/config.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "util/catalog.h"
#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "widgets/embed_assets.h"
#include "widgets/media.h"
#include "widgets/profiles.h"
#include "widgets/publish.h"
#include "widgets/render.h"
#include "widgets/render_common.h"
#include "widgets/streams/refresher.h"

#define VIEWS_FILE_MAX (64u * 1024 * 1024)
#define VIEWS_CC_STREAM "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400"
/* A moderated stream's pages expire in seconds: a take-down (a reject or
 * hide after approval) leaves the caches as fast as the refresher
 * publishes it (doc/moderation.md, "Caches"). stale-if-error=0: a cache
 * must not show an expired copy, which may hold a post since taken down,
 * while socialhub is down (the shipped nginx snippet takes its stale
 * rules from these headers). */
#define VIEWS_CC_MODERATED "public, max-age=5, stale-while-revalidate=5, stale-if-error=0"
#define VIEWS_CC_PROFILES "public, max-age=300, stale-while-revalidate=3600, stale-if-error=86400"
#define VIEWS_CC_EMPTY "public, max-age=5"
#define VIEWS_CC_MEDIA "public, max-age=31536000, immutable"

/* The files of a stream a worker keeps in memory. */
enum {
	VF_PAGE_JSON, VF_PAGE_AS2, VF_PAGE_ATOM,
	VF_PAGE_LIST, VF_PAGE_GRID, VF_PAGE_CAROUSEL,
	VF_PROFILES_JSON, VF_PROFILES_HTML, VF_PROFILES_STATE,
	VF_COUNT
};

/* A cached file, valid while its inode, size and mtime stay the same. */
struct vfile {
	char *data;
	size_t len;
	char etag[MEDIA_ID_LEN + 1];
	char modified[40];        /* Last-Modified, formatted once */
	struct timespec mtime;
	off_t size;
	ino_t ino;
	time_t checked;           /* last stat(2), at most one per second */
	bool loaded;
};

struct vstream {
	const struct stream_conf *sc;
	char *paths[VF_COUNT];
	struct vfile files[VF_COUNT];
	char *public_path;
	struct vfile public;      /* data unused: the feed below is what counts */
	struct arena *a;          /* the prepared stream */
	struct feed feed;
	struct render_source *sources;
	long long updated;
};

struct views {
	struct views_conf conf;
	char *base;
	struct render_site site;
	struct vstream *s;
	struct publisher *pub;
	bool cgi;
};

/* ---- lifecycle ---- */

static const char *
vf_name(int i)
{
	static const char *const names[VF_COUNT] = {
		[VF_PROFILES_JSON] = PUBLISH_PROFILES_JSON,
		[VF_PROFILES_HTML] = PUBLISH_PROFILES_HTML,
		[VF_PROFILES_STATE] = PUBLISH_PROFILES_STATE,
	};
	static const struct { enum render_format f; enum render_layout l; } pg[] = {
		[VF_PAGE_JSON] = { RENDER_JSON, RENDER_LIST },
		[VF_PAGE_AS2] = { RENDER_AS2, RENDER_LIST },
		[VF_PAGE_ATOM] = { RENDER_ATOM, RENDER_LIST },
		[VF_PAGE_LIST] = { RENDER_HTML, RENDER_LIST },
		[VF_PAGE_GRID] = { RENDER_HTML, RENDER_GRID },
		[VF_PAGE_CAROUSEL] = { RENDER_HTML, RENDER_CAROUSEL },
	};

	return i <= VF_PAGE_CAROUSEL ? publish_page_name(pg[i].f, pg[i].l) : names[i];
}

static char *
path_of(const struct views *v, const char *stream, const char *name)
{
	char *s = NULL;

	if (asprintf(&s, "%s/streams/%s/%s", cache_root(v->conf.cache), stream, name) < 0)
		return NULL;
	return s;
}

/* CGI: one request, fd 0 not a socket (fcgi/cli.c decides the same way). */
static bool
cgi_mode(void)
{
	struct stat st;

	return getenv("REQUEST_METHOD") != NULL &&
	    !(fstat(STDIN_FILENO, &st) == 0 && S_ISSOCK(st.st_mode));
}

enum rc
views_new(const struct views_conf *conf, struct views **out)
{
	struct views *v = calloc(1, sizeof(*v));
	const struct config *cfg = conf->cfg;

	*out = NULL;
	if (v == NULL)
		return RC_NOMEM;
	v->conf = *conf;
	v->cgi = cgi_mode();
	if (asprintf(&v->base, "%s%s", cfg->site_url != NULL ? cfg->site_url : "",
	    cfg->mount != NULL ? cfg->mount : "") < 0) {
		v->base = NULL;
		goto fail;
	}
	/* site_url may end in '/' and mount may be empty: one slash between. */
	v->site.base = v->base;
	v->site.home = cfg->site_url != NULL ? cfg->site_url : "";
	v->site.catalog = cfg->catalog;
	v->s = calloc(conf->nstreams + 1, sizeof(*v->s));
	if (v->s == NULL)
		goto fail;
	for (size_t i = 0; i < conf->nstreams; i++) {
		struct vstream *vs = &v->s[i];
		vs->sc = &conf->streams[i];
		for (int k = 0; k < VF_COUNT; k++)
			if ((vs->paths[k] = path_of(v, vs->sc->name, vf_name(k))) == NULL)
				goto fail;
		if ((vs->public_path = path_of(v, vs->sc->name, PUBLISH_PUBLIC)) == NULL)
			goto fail;
	}
	*out = v;
	return RC_OK;
fail:
	views_free(v);
	return RC_NOMEM;
}

void
views_free(struct views *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v->s != NULL && i < v->conf.nstreams; i++) {
		for (int k = 0; k < VF_COUNT; k++) {
			free(v->s[i].paths[k]);
			free(v->s[i].files[k].data);
		}
		free(v->s[i].public_path);
		arena_free(v->s[i].a);
	}
	free(v->s);
	publisher_free(v->pub);
	free(v->base);
	free(v);
}

void
views_publish(struct views *v, const char *stream, bool force, volatile sig_atomic_t *stop,
    const struct refresh_report *rep)
{
	struct publish_conf pc = {
		.cache = v->conf.cache, .streams = v->conf.streams,
		.nstreams = v->conf.nstreams, .site = v->site,
		.allow_private = v->conf.allow_private, .fetch = v->conf.fetch,
		.stable_clock = v->conf.stable_clock,
	};

	if (v->pub == NULL && publisher_new(&pc, &v->pub) != RC_OK)
		return;
	publisher_run(v->pub, stream, force, (long long)time(NULL), stop,
	    rep != NULL ? rep->results : NULL, rep != NULL ? rep->nresults : 0, NULL);
}

/* ---- the per-worker file cache ---- */

static bool
vfile_current(const struct vfile *f, const struct stat *st)
{
	return f->loaded && f->ino == st->st_ino && f->size == st->st_size &&
	    f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static void
vfile_key(struct vfile *f, const struct stat *st)
{
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime = st->st_mtim;
	f->loaded = true;
}

static void
hex_etag(const void *p, size_t n, char out[MEDIA_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[CRYPTO_SHA256_LEN];

	crypto_sha256(p, n, sum);
	for (size_t i = 0; i < MEDIA_ID_LEN / 2; i++) {
		out[2 * i] = hex[sum[i] >> 4];
		out[2 * i + 1] = hex[sum[i] & 15];
	}
	out[MEDIA_ID_LEN] = '\0';
}

/* The current bytes of a published file: a stat at most once a second (a
 * page changes at most once a minute), a read on change. */
static enum rc
vfile_get(struct vfile *f, const char *path)
{
	time_t now = time(NULL);
	struct stat st;
	struct tm tm;
	char *data;
	size_t len;
	enum rc rc;

	if (f->loaded && f->checked == now)
		return RC_OK;
	if (stat(path, &st) != 0) {
		f->loaded = false;
		return RC_NOTFOUND;
	}
	f->checked = now;
	if (vfile_current(f, &st))
		return RC_OK;
	if ((rc = cache_read(path, VIEWS_FILE_MAX, &data, &len)) != RC_OK)
		return rc == RC_CORRUPT ? RC_NOTFOUND : rc;
	free(f->data);
	f->data = data;
	f->len = len;
	hex_etag(data, len, f->etag);
	vfile_key(f, &st);
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	strftime(f->modified, sizeof(f->modified), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return RC_OK;
}

/* The prepared stream, reloaded when public.json changed. */
static enum rc
vstream_feed(struct vstream *vs)
{
	struct stat st;
	json_t *j = NULL;
	enum rc rc;

	if (stat(vs->public_path, &st) != 0)
		return RC_NOTFOUND;
	if (vfile_current(&vs->public, &st))
		return RC_OK;
	if (vs->a == NULL && (vs->a = arena_new(64 * 1024, 0)) == NULL)
		return RC_NOMEM;
	arena_reset(vs->a);
	vs->public.loaded = false;
	if ((rc = cache_read_json(vs->public_path, &j)) != RC_OK)
		return rc == RC_CORRUPT ? RC_NOTFOUND : rc;
	rc = feed_from_json(vs->a, j, &vs->feed);
	vs->sources = publish_sources(vs->a, vs->sc, j);
	vs->updated = (long long)json_integer_value(json_object_get(
	    json_object_get(j, "_published"), "changed_at"));
	json_decref(j);
	if (rc == RC_OK)
		vfile_key(&vs->public, &st);
	return rc;
}

/* ---- helpers ---- */

static struct vstream *
find_stream(struct views *v, const char *name)
{
	for (size_t i = 0; name != NULL && i < v->conf.nstreams; i++)
		if (strcmp(v->s[i].sc->name, name) == 0)
			return &v->s[i];
	return NULL;
}

/* CGI mode has no refresher: refresh and publish inline when stale
 * (widgets_ensure_fresh publishes what its pass merged). */
static void
cgi_freshen(struct views *v, const char *name)
{
	if (v->cgi)
		v->conf.ensure_fresh(v->conf.fresh_arg, name);
}

/* HTML: fragment or page by the request (fcgi/page.h), so it varies. */
static enum rc
html_headers(struct request *req, struct response *res)
{
	enum rc rc = response_html_headers(res, NULL);

	if (rc == RC_OK)
		rc = page_allow_origin(req, res, false);
	return rc == RC_OK ? response_header_set(res, "Vary", PAGE_VARY) : rc;
}

static enum rc
content_type(struct request *req, struct response *res, enum render_format f)
{
	enum rc rc;

	if (f == RENDER_HTML)
		return html_headers(req, res);
	rc = response_type(res, render_format_type(f));
	/* Public data, no credentials: any site may read the feeds (or the
	 * embed_origins only, when set). */
	if (rc == RC_OK)
		rc = page_allow_origin(req, res, true);
	return rc;
}

/* The back link of a page: where the visitor came from on this site,
 * else the site's home. */
static const char *
back_href(struct request *req)
{
	const char *ref = request_header(req, "Referer");
	const char *site = request_config(req)->site_url;
	size_t n = site != NULL ? strlen(site) : 0;

	if (ref != NULL && n > 0 && strncmp(ref, site, n) == 0 && ref[n] == '/')
		return ref;
	return n > 0 ? arena_printf(request_arena(req), "%s/", site) : "/";
}

static enum rc
page_begin(struct request *req, struct response *res, const char *title,
    const char *lang, struct page_info *pi)
{
	pi->title = title;
	pi->lang = lang;
	pi->back_href = back_href(req);
	pi->back_text = NULL;
	return page_open(response_body(res), request_config(req), pi);
}

static const char *
stream_cc(const struct stream_conf *sc)
{
	return sc->moderated ? VIEWS_CC_MODERATED : VIEWS_CC_STREAM;
}

static enum rc
cache_headers(struct response *res, const char *cc, const char *etag, time_t modified)
{
	enum rc rc = response_header_set(res, "Cache-Control", cc);

	if (rc == RC_OK && etag != NULL)
		rc = response_etag(res, etag);
	if (rc == RC_OK && modified > 0)
		rc = response_last_modified(res, modified);
	return rc;
}

static enum rc
serve_file(struct response *res, const struct vfile *f, const char *cc)
{
	enum rc rc;

	response_body_ref(res, f->data, f->len);
	response_status(res, 200);
	rc = cache_headers(res, cc, f->etag, 0);
	return rc == RC_OK ? response_header_set(res, "Last-Modified", f->modified) : rc;
}

/* ---- GET /streams ---- */

static json_t *
stream_entry(const struct views *v, const struct stream_conf *sc, const char *mount)
{
	json_t *o, *sources = json_array(), *meta = NULL;

	o = json_pack("{s:s, s:s, s:o}", "name", sc->name,
	    "title", sc->title != NULL ? sc->title : sc->name,
	    "url", json_sprintf("%s/streams/%s.json", mount, sc->name));
	if (o == NULL || sources == NULL) {
		json_decref(o);
		json_decref(sources);
		return NULL;
	}
	for (size_t i = 0; i < sc->nsources; i++) {
		const struct stream_source *s = &sc->sources[i];
		json_t *so = json_pack("{s:s}", "name", s->name);
		if (so == NULL)
			continue;
		json_object_set_new(so, "title", s->title ? json_string(s->title) : json_null());
		json_object_set_new(so, "market", s->market ? json_string(s->market) : json_null());
		json_array_append_new(sources, so);
	}
	json_object_set_new(o, "sources", sources);
	if (stream_load(v->conf.cache, sc->name, NULL, &meta) == RC_OK) {
		long long changed = (long long)json_integer_value(json_object_get(meta, "changed_at"));
		json_object_set(o, "items", json_object_get(meta, "count"));
		/* RFC 3339, as the feeds' dates (doc/widgets.md). */
		if (changed <= 0 || !render_json_set_date(o, "updated", changed))
			json_object_set_new(o, "updated", json_null());
		json_decref(meta);
	} else {
		json_object_set_new(o, "items", json_integer(0));
		json_object_set_new(o, "updated", json_null());
	}
	return o;
}

static enum rc
streams_list(struct request *req, struct response *res, void *ctx)
{
	const struct views *v = ctx;
	const char *mount = request_config(req)->mount;
	json_t *arr = json_array();

	if (arr == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < v->conf.nstreams; i++)
		json_array_append_new(arr, stream_entry(v, &v->conf.streams[i], mount));
	response_cache_public(res, 60, 300);
	return response_json(res, 200, json_pack("{s:o}", "streams", arr));
}

/* ---- /streams/{name}.{json,as2,atom,html} ---- */

static int
first_page_file(enum render_format f, enum render_layout l)
{
	switch (f) {
	case RENDER_JSON: return VF_PAGE_JSON;
	case RENDER_AS2: return VF_PAGE_AS2;
	case RENDER_ATOM: return VF_PAGE_ATOM;
	default: return l == RENDER_GRID ? VF_PAGE_GRID :
	    l == RENDER_CAROUSEL ? VF_PAGE_CAROUSEL : VF_PAGE_LIST;
	}
}

/* The rows of stream_params and html_params, in order. */
enum { SP_LIMIT, SP_BEFORE, SP_SOURCE, SP_TAG, SP_MARKET, SP_LAYOUT };

/* The query as the router checked it; a malformed cursor is a 400. */
static enum rc
read_query(struct request *req, struct render_query *q)
{
	const struct param_value *before = request_value(req, SP_BEFORE);

	memset(q, 0, sizeof(*q));
	if (request_refused(req, SP_BEFORE) != NULL)
		return request_refuse(req, SP_BEFORE) == RC_NOMEM ? RC_NOMEM : RC_INVALID;
	q->limit = (long)request_value_int(req, SP_LIMIT, RENDER_LIMIT_DEFAULT);
	q->before = before != NULL ? before->s : NULL;
	q->cursor = before != NULL ? before->p : NULL;
	q->source = request_value_str(req, SP_SOURCE);
	q->tag = request_value_str(req, SP_TAG);
	q->market = request_value_str(req, SP_MARKET);
	q->layout = (enum render_layout)request_value_enum(req, SP_LAYOUT, RENDER_LIST);
	return RC_OK;
}

/* The page the publisher wrote: the first one, in the stream's own
 * language (or English). */
static bool
is_first_page(const struct views *v, const struct vstream *vs, const struct render_query *q)
{
	const char *def = publish_lang(&v->site, vs->sc, NULL);

	if (q->lang != NULL && strcmp(q->lang, def != NULL ? def : CATALOG_DEFAULT) != 0)
		return false;
	return q->before == NULL && q->source == NULL && q->tag == NULL &&
	    q->market == NULL && q->limit == RENDER_LIMIT_DEFAULT;
}

/* Renders one page per request: filters, cursors, other limits. */
static enum rc
render_request(struct request *req, struct response *res, struct views *v,
    struct vstream *vs, enum render_format f, const struct render_query *q)
{
	static const struct feed empty;
	struct arena *a = request_arena(req);
	bool ready = vstream_feed(vs) == RC_OK;
	struct render_page pg;
	enum rc rc;

	rc = publish_page(a, &v->site, vs->sc, ready ? vs->sources : NULL,
	    ready ? &vs->feed : &empty, q, f, ready ? vs->updated : 0,
	    (long long)time(NULL), &pg);
	if (rc == RC_OK)
		rc = render_page_as(f, response_body(res), &pg);
	if (rc != RC_OK)
		return rc;
	response_status(res, 200);
	/* The router adds a strong ETag over these bytes. */
	return cache_headers(res, ready ? stream_cc(vs->sc) : VIEWS_CC_EMPTY, NULL,
	    ready ? (time_t)vs->public.mtime.tv_sec : 0);
}

/* A stream page opened without JS ("Load more" followed as a link): the
 * fragment inside the site's template. */
static enum rc
stream_page(struct request *req, struct response *res, struct views *v,
    struct vstream *vs, const struct render_query *q)
{
	const char *title = vs->sc->title != NULL ? vs->sc->title : vs->sc->name;
	struct page_info pi;
	enum rc rc = page_begin(req, res, title, q->lang, &pi);
	int k = first_page_file(RENDER_HTML, q->layout);

	if (rc == RC_OK && is_first_page(v, vs, q) && vfile_get(&vs->files[k], vs->paths[k]) == RC_OK) {
		rc = buf_append(response_body(res), vs->files[k].data, vs->files[k].len);
		response_status(res, 200);
		if (rc == RC_OK)
			rc = cache_headers(res, stream_cc(vs->sc), NULL, 0);
	} else if (rc == RC_OK) {
		rc = render_request(req, res, v, vs, RENDER_HTML, q);
	}
	return rc == RC_OK ? page_close(response_body(res), request_config(req), &pi) : rc;
}

static enum rc
stream_route(struct request *req, struct response *res, void *ctx, enum render_format f)
{
	struct views *v = ctx;
	struct vstream *vs = find_stream(v, request_capture(req, 0));
	struct render_query q;
	enum rc rc;

	if (vs == NULL)
		return RC_NOTFOUND;
	/* A malformed cursor is refused after the refresh, as it always was. */
	cgi_freshen(v, vs->sc->name);
	if ((rc = read_query(req, &q)) != RC_OK)
		return rc;
	/* HTML has words: in the `lang` asked for, the stream's, or the
	 * browser's (fcgi/page.h). The feeds have none. */
	if (f == RENDER_HTML)
		q.lang = page_lang(req, NULL, publish_lang(&v->site, vs->sc, q.market));
	if ((rc = content_type(req, res, f)) != RC_OK)
		return rc;
	if (f == RENDER_HTML && page_wanted(req))
		return stream_page(req, res, v, vs, &q);
	if (is_first_page(v, vs, &q)) {
		int k = first_page_file(f, q.layout);
		if (vfile_get(&vs->files[k], vs->paths[k]) == RC_OK)
			return serve_file(res, &vs->files[k], stream_cc(vs->sc));
	}
	return render_request(req, res, v, vs, f, &q);
}

static enum rc
stream_json(struct request *req, struct response *res, void *ctx)
{
	return stream_route(req, res, ctx, RENDER_JSON);
}

static enum rc
stream_as2(struct request *req, struct response *res, void *ctx)
{
	return stream_route(req, res, ctx, RENDER_AS2);
}

static enum rc
stream_atom(struct request *req, struct response *res, void *ctx)
{
	return stream_route(req, res, ctx, RENDER_ATOM);
}

static enum rc
stream_html(struct request *req, struct response *res, void *ctx)
{
	return stream_route(req, res, ctx, RENDER_HTML);
}

/* ---- /profiles/{name}.{json,html} ---- */

/* The row of profiles_params. */
enum { PP_MARKET };

/*
 * Appends the box in lang: the published file when it is in that
 * language (the stream's own), else drawn from the published state, else
 * (nothing published yet) an empty box. *ready: something was published.
 */
static enum rc
profiles_box_in(struct request *req, struct buf *out, struct views *v, struct vstream *vs,
    const char *lang, bool *ready)
{
	const char *own = publish_lang(&v->site, vs->sc, NULL);
	struct profiles_box box = { vs->sc->name, vs->sc->title, lang, &v->site };
	struct vfile *f = &vs->files[VF_PROFILES_HTML], *st = &vs->files[VF_PROFILES_STATE];
	struct profile *p = NULL;
	size_t n = 0;
	json_t *j;
	enum rc rc;

	*ready = false;
	if (strcmp(lang, own != NULL ? own : CATALOG_DEFAULT) == 0 &&
	    vfile_get(f, vs->paths[VF_PROFILES_HTML]) == RC_OK) {
		*ready = true;
		return buf_append(out, f->data, f->len);
	}
	if (vfile_get(st, vs->paths[VF_PROFILES_STATE]) == RC_OK &&
	    (j = json_loadb(st->data, st->len, 0, NULL)) != NULL) {
		/* A state that does not read is an empty box, as on disk. */
		rc = profiles_from_state(request_arena(req), json_object_get(j, "profiles"), &p, &n);
		json_decref(j);
		if (rc == RC_NOMEM)
			return rc;
		*ready = rc == RC_OK;
		if (rc != RC_OK)
			n = 0;
	}
	return profiles_html(out, p, n, &box);
}
/* The box opened without JS: inside the site's template. */
static enum rc
profiles_page(struct request *req, struct response *res, struct views *v,
    struct vstream *vs, const char *lang)
{
	const char *title = vs->sc->title != NULL ? vs->sc->title : vs->sc->name;
	struct page_info pi;
	bool ready = false;
	enum rc rc = page_begin(req, res, title, lang, &pi);

	if (rc == RC_OK)
		rc = profiles_box_in(req, response_body(res), v, vs, lang, &ready);
	if (rc == RC_OK)
		rc = page_close(response_body(res), request_config(req), &pi);
	response_status(res, 200);
	return rc == RC_OK ? cache_headers(res, ready ? VIEWS_CC_PROFILES : VIEWS_CC_EMPTY, NULL, 0) : rc;
}

/* GET /profiles/{name}.html[?lang=..&market=..]: the fragment in the
 * request's language, as the stream routes choose it (page_lang). The
 * router adds a strong ETag over the bytes. */
static enum rc
profiles_html_route(struct request *req, struct response *res, void *ctx)
{
	struct views *v = ctx;
	struct vstream *vs = find_stream(v, request_capture(req, 0));
	const char *lang;
	bool ready = false;
	enum rc rc;

	if (vs == NULL)
		return RC_NOTFOUND;
	cgi_freshen(v, vs->sc->name);
	if ((rc = html_headers(req, res)) != RC_OK)
		return rc;
	lang = page_lang(req, NULL, publish_lang(&v->site, vs->sc, request_value_str(req, PP_MARKET)));
	if (page_wanted(req))
		return profiles_page(req, res, v, vs, lang);
	rc = profiles_box_in(req, response_body(res), v, vs, lang, &ready);
	response_status(res, 200);
	return rc == RC_OK ? cache_headers(res, ready ? VIEWS_CC_PROFILES : VIEWS_CC_EMPTY, NULL, 0) : rc;
}

/* GET /profiles/{name}.json: no words, one file. */
static enum rc
profiles_json_route(struct request *req, struct response *res, void *ctx)
{
	struct views *v = ctx;
	struct vstream *vs = find_stream(v, request_capture(req, 0));
	const char *title;
	json_t *j;
	enum rc rc;

	if (vs == NULL)
		return RC_NOTFOUND;
	cgi_freshen(v, vs->sc->name);
	rc = response_type(res, "application/json");
	if (rc == RC_OK)
		rc = page_allow_origin(req, res, true);
	if (rc != RC_OK)
		return rc;
	if (vfile_get(&vs->files[VF_PROFILES_JSON], vs->paths[VF_PROFILES_JSON]) == RC_OK)
		return serve_file(res, &vs->files[VF_PROFILES_JSON], VIEWS_CC_PROFILES);
	/* Not published yet: an empty box. */
	title = vs->sc->title != NULL ? vs->sc->title : vs->sc->name;
	j = json_pack("{s:s, s:s, s:[]}", "stream", vs->sc->name, "title", title, "profiles");
	if (j == NULL)
		return RC_NOMEM;
	if ((rc = response_json(res, 200, j)) != RC_OK)
		return rc;
	return cache_headers(res, VIEWS_CC_EMPTY, NULL, 0);
}


/* ---- /media/{id} ---- */

static void
free_cb(void *p)
{
	free(p);
}

static enum rc
media_route(struct request *req, struct response *res, void *ctx)
{
	struct views *v = ctx;
	const char *id = request_capture(req, 0);
	const char *type;
	char *path, *data = NULL;
	size_t len;
	enum rc rc;

	if (!media_id_valid(id))
		return RC_NOTFOUND;
	if ((path = publish_media_path(request_arena(req), v->conf.cache, id)) == NULL)
		return RC_NOMEM;
	rc = fsutil_read(path, (size_t)MEDIA_MAX_BYTES, &data, &len);
	if (rc != RC_OK)
		return rc == RC_NOMEM ? RC_NOMEM : RC_NOTFOUND;
	if (arena_defer(request_arena(req), free_cb, data) != RC_OK)
		return RC_NOMEM;
	/* Only images leave: the bytes decide, whatever the file is called. */
	if ((type = media_sniff(data, len)) == NULL) {
		log_kv(LOG_WARN, "media_not_image", "id", id, NULL);
		return RC_NOTFOUND;
	}
	cache_media_touch(path);
	response_body_ref(res, data, len);
	response_status(res, 200);
	rc = response_type(res, type);
	if (rc == RC_OK)
		rc = response_header_set(res, "Content-Security-Policy", "default-src 'none'; sandbox");
	return rc == RC_OK ? cache_headers(res, VIEWS_CC_MEDIA, id, 0) : rc;
}

/* ---- /embed.js, /embed.css (nginx serves them from disk when set up) ---- */

static enum rc
asset(struct response *res, const char *type, const unsigned char *p, size_t n)
{
	enum rc rc = response_type(res, type);

	response_body_ref(res, p, n);
	response_status(res, 200);
	if (rc == RC_OK)
		rc = response_header_set(res, "Cache-Control", "public, max-age=3600");
	return rc;
}

static enum rc
embed_js_route(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)ctx;
	return asset(res, "application/javascript; charset=utf-8", embed_js, embed_js_len);
}

static enum rc
embed_css_route(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)ctx;
	return asset(res, "text/css; charset=utf-8", embed_css, embed_css_len);
}

/* GET /i18n/{lang}.json: embed.js's words (the catalogs' js.* keys) in
 * the catalog language that serves {lang} best, English under it. */
static enum rc
i18n_route(struct request *req, struct response *res, void *ctx)
{
	const struct config *cfg = request_config(req);
	const char *lang = catalog_lang(cfg->catalog, request_capture(req, 0));
	json_t *j;
	enum rc rc;

	(void)ctx;
	if (lang == NULL)
		return RC_NOTFOUND;
	if ((j = catalog_export(cfg->catalog, lang, "js.")) == NULL)
		return RC_NOMEM;
	if (json_object_set_new(j, "lang", json_string(lang)) != 0) {
		json_decref(j);
		return RC_NOMEM;
	}
	rc = response_json(res, 200, j);   /* takes j */
	if (rc == RC_OK)
		rc = page_allow_origin(req, res, true);
	return rc == RC_OK ? response_cache_public(res, 86400, 3600) : rc;
}

/* ---- the table ---- */

/* `before`: the cursor parsed once, here; a malformed one is answered by
 * the handler, after the 404 for an unknown stream. */
static enum rc
before_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	struct render_before *b = arena_alloc(a, sizeof(*b));

	(void)ctx;
	if (b == NULL)
		return RC_NOMEM;
	*out = b;
	return render_before_parse(a, v, b);
}

#define STREAM_PARAMS \
	[SP_LIMIT] = { .name = "limit", .type = PARAM_INT, .min = 1, .max = RENDER_LIMIT_MAX }, \
	[SP_BEFORE] = { .name = "before", .type = PARAM_TOKEN, .max_len = RENDER_CURSOR_MAX, \
	    .parse = before_param, .flags = PARAM_SOFT }, \
	[SP_SOURCE] = { .name = "source", .type = PARAM_TOKEN, .max_len = STREAM_NAME_MAX }, \
	[SP_TAG] = { .name = "tag", .type = PARAM_STRING, .max_len = 100 }, \
	[SP_MARKET] = { .name = "market", .type = PARAM_TOKEN, .max_len = 32 }

static const struct param_spec stream_params[] = {
	STREAM_PARAMS,
	[SP_LAYOUT] = { .name = NULL },
};

static const struct param_spec html_params[] = {
	STREAM_PARAMS,
	[SP_LAYOUT] = { .name = "layout", .type = PARAM_ENUM, .choices = render_layouts },
	{ .name = NULL },
};

static const struct param_spec profiles_params[] = {
	[PP_MARKET] = { .name = "market", .type = PARAM_TOKEN, .max_len = 32 },
	{ .name = NULL },
};

const struct route views_routes[] = {
	{ HTTP_GET, "/streams", streams_list, "streams", NULL, 0 },
	{ HTTP_GET, "/streams/{name}.json", stream_json, "stream_json", stream_params, 0 },
	{ HTTP_GET, "/streams/{name}.as2", stream_as2, "stream_as2", stream_params, 0 },
	{ HTTP_GET, "/streams/{name}.atom", stream_atom, "stream_atom", stream_params, 0 },
	{ HTTP_GET, "/streams/{name}.html", stream_html, "stream_html", html_params, 0 },
	{ HTTP_GET, "/profiles/{name}.json", profiles_json_route, "profiles_json", NULL, 0 },
	{ HTTP_GET, "/profiles/{name}.html", profiles_html_route, "profiles_html", profiles_params, 0 },
	{ HTTP_GET, "/media/{id}", media_route, "media", NULL, 0 },
	{ HTTP_GET, "/embed.js", embed_js_route, "embed_js", NULL, 0 },
	{ HTTP_GET, "/embed.css", embed_css_route, "embed_css", NULL, 0 },
	{ HTTP_GET, "/i18n/{lang}.json", i18n_route, "i18n", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

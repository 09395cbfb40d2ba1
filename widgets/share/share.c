/* share: the share routes, per-process context and the feature row's hooks. */
#include "widgets/share/share.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fcgi/config.h"
#include "fcgi/metrics.h"
#include "fcgi/page.h"
#include "fcgi/response.h"
#include "util/buf.h"
#include "util/catalog.h"
#include "util/crypto.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "util/url.h"
#include "widgets/share/share_batch.h"
#include "widgets/share/share_config.h"
#include "widgets/share/share_day.h"
#include "widgets/share/share_networks.h"
#include "widgets/share/share_remote.h"
#include "widgets/share/share_seen.h"
#include "widgets/share/share_render.h"
#include "widgets/share/share_store.h"
#include "widgets/share/share_url.h"

#define SHARE_DB_NAME "share.sqlite"
#define SHARE_SALT_NAME "share.salt"
#define SHARE_DAY_NAME "share.day"
#define SHARE_BUSY_MS 5000
#define SHARE_INTENT_MAX (16u * 1024)
#define SHARE_COOKIE "socialhub_share_instance"
#define SHARE_COUNTS_MAX_AGE 60
#define SHARE_BUTTONS_MAX_AGE 300
#define SHARE_RETRY_S 10
#define SHARE_TOKEN_LEN 16      /* bytes of the picker token's MAC */

struct share_ctx {
	const struct config *cfg;
	struct share_settings set;
	struct share_hosts hosts;
	struct share_store *store;     /* NULL when counting is off or failed */
	struct share_batch *batch;     /* this worker's new shares, over store */
	struct share_seen *seen;       /* visitor keys known counted today */
	struct store *shared;          /* the `store` section's, or NULL */
	struct share_remote *remote;   /* counting in `shared` (several nodes) */
	time_t store_retry;            /* when to try opening it again */
	long queue_max;                /* counts that may wait for `shared` */
	bool have_salt;                /* salt loaded: counting and picker tokens */
	struct crypto_hmac *mac;       /* keyed with the salt: visitor keys */
	time_t full_logged;            /* last share_count_refused table-full log */
	unsigned char salt[SHARE_SALT_LEN];
};

void
share_checks(cfg_t *root)
{
	share_config_checks(root);
}

/*
 * With a `store` section every node must key visitors (and picker tokens)
 * with the same salt, or one visitor counts once per node: the salt that
 * each node would generate in its own state_dir will not do.
 */
static enum rc
shared_salt_check(const struct config *cfg)
{
	cfg_t *sec = cfg_getsec(cfg->root, "share");

	if (!config_has_store(cfg) || sec == NULL ||
	    !cfg_getbool(sec, "counting") || cfg_getstr(sec, "count_salt_file") != NULL)
		return RC_OK;
	/* Reported at the store section: the share section may not be in
	 * the file at all (counting is on by default). */
	return config_error(cfg, cfg_getsec(cfg->root, "store"), "store",
	    "needs share { count_salt_file = FILE } (or share { counting = false }): "
	    "every node must key visitors with the same salt (make one: socialhub keygen > FILE; "
	    "chmod 600 FILE; copy it to every node)");
}

enum rc
share_validate(const struct config *cfg)
{
	enum rc rc = share_config_validate(cfg);
	enum rc salt = shared_salt_check(cfg);

	return rc != RC_OK ? rc : salt;
}

/* A refused count is a metric each time; a full table is also a warning,
 * once a minute per worker (the operator must raise a limit or prune). */
static void
count_refused(struct share_ctx *c, enum share_outcome o)
{
	char labels[64];
	time_t now = time(NULL);

	snprintf(labels, sizeof(labels), "reason=\"%s\"", share_outcome_str(o));
	metrics_add("socialhub_share_refused_total", labels, 1);
	if (o == SHARE_FULL && now - c->full_logged >= 60) {
		c->full_logged = now;
		log_kv(LOG_WARN, "share_count_refused", "reason", share_outcome_str(o), NULL);
	}
}

/* What a batch's transaction made of each share (share_batch.h). */
static void
batch_observe(void *arg, const struct share_count *sc, enum share_outcome o, bool dropped)
{
	struct share_ctx *c = arg;
	char labels[64];

	metrics_add("socialhub_share_batch_total", dropped ? "event=\"dropped\"" :
	    "event=\"flushed\"", 1);
	if (dropped)
		return;
	if (o != SHARE_FULL)          /* its seen key is in the database now */
		share_seen_add(c->seen, sc->day, sc->v.seen);
	if (o == SHARE_COUNTED) {
		snprintf(labels, sizeof(labels), "network=\"%s\"", sc->network);
		metrics_add("socialhub_shares_total", labels, 1);
	} else if (o != SHARE_SEEN) {
		count_refused(c, o);
	}
}

static char *
state_path(const struct config *cfg, const char *name)
{
	size_t n = strlen(cfg->state_dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", cfg->state_dir, name);
	return p;
}

/* The salt keys the visitor hashes and the picker tokens; shared by the
 * workers through its file, so a token one issues another accepts. */
static enum rc
load_salt(struct share_ctx *c)
{
	char *salt = NULL;
	enum rc rc = fsutil_mkdirs(c->cfg->state_dir, 0750);

	if (c->have_salt || rc != RC_OK)
		return rc;
	salt = c->set.salt_file != NULL ? strdup(c->set.salt_file)
	    : state_path(c->cfg, SHARE_SALT_NAME);
	rc = salt == NULL ? RC_NOMEM
	    : share_salt_load(salt, c->set.salt_file == NULL, c->salt);
	if (rc == RC_OK)
		rc = crypto_hmac_new(c->salt, sizeof(c->salt), &c->mac);
	c->have_salt = rc == RC_OK;
	free(salt);
	return rc;
}

/* Salt and database; on failure counting is off and /healthz says so. */
static void
open_counting(struct share_ctx *c)
{
	char *salt = NULL, *db = NULL;
	enum rc rc = load_salt(c);

	if (rc == RC_OK) {
		db = state_path(c->cfg, SHARE_DB_NAME);
		rc = db == NULL ? RC_NOMEM : RC_OK;
	}
	if (rc == RC_OK) {
		struct share_limits lim = {
			.per_url_daily = c->set.per_url_daily,
			.new_urls_daily = c->set.new_urls_daily,
			.max_counters = c->set.max_counters,
			.max_daily = c->set.max_daily_keys,
		};
		if (c->shared != NULL)
			rc = c->remote != NULL ? RC_OK : share_remote_new(c->shared, &lim,
			    (size_t)c->queue_max, &c->remote);
		else
			rc = share_store_open(db, SHARE_BUSY_MS, &lim, &c->store);
		if (rc == RC_OK && c->store != NULL)
			share_store_use_day(c->store, share_day_shared());
		if (rc == RC_OK && c->store != NULL && c->batch == NULL &&
		    (rc = share_batch_new(&(struct share_batch_conf){ .store = c->store,
		    .max = SHARE_BATCH_MAX, .max_ms = SHARE_BATCH_MS, .hold_max = SHARE_BATCH_HOLD,
		    .observe = batch_observe, .arg = c }, &c->batch)) != RC_OK) {
			share_store_close(c->store);
			c->store = NULL;
		}
	}
	if (rc != RC_OK) {
		log_kv(LOG_ERROR, "share_counting_unavailable", "state_dir",
		    c->cfg->state_dir, "error", rc_str(rc), NULL);
		c->store_retry = time(NULL) + SHARE_RETRY_S;
	}
	free(salt);
	free(db);
}

/* With a `store` section, the counters live there (every node counts
 * into one place); its queue size comes with it. */
static enum rc
shared_open(struct share_ctx *c)
{
	struct store_conf conf;
	char *password = NULL;
	enum rc rc = config_store(c->cfg, &conf, &password);

	if (rc == RC_OK) {
		c->queue_max = conf.queue_max;
		rc = store_open(&conf, &c->shared);
	}
	if (password != NULL)
		config_secret_wipe(password, strlen(password));
	return rc == RC_NOTFOUND ? RC_OK : rc;
}

enum rc
share_init(const struct config *cfg, void **ctx)
{
	struct share_ctx *c = calloc(1, sizeof(*c));
	enum rc rc;

	*ctx = NULL;
	if (c == NULL)
		return RC_NOMEM;
	c->cfg = cfg;
	rc = share_settings_load(cfg, &c->set);
	if (rc != RC_OK) {
		free(c);
		return rc;
	}
	c->hosts.rules = (const char *const *)c->set.hosts;
	c->hosts.n = c->set.nhosts;
	if (c->set.counting && shared_open(c) != RC_OK) {
		share_fini(c);
		return RC_CONFIG;
	}
	if (c->set.counting && share_seen_new(SHARE_SEEN_SLOTS, &c->seen) != RC_OK) {
		share_fini(c);
		return RC_NOMEM;
	}
	if (c->set.counting)
		open_counting(c);
	else
		load_salt(c); /* picker tokens only; a failure is logged there */
	*ctx = c;
	return RC_OK;
}

/* Puts back the day's keys a clean stop saved (share_master_stop). */
static void
day_load(const struct config *cfg)
{
	char *path = state_path(cfg, SHARE_DAY_NAME), nb[24];
	size_t n = 0;
	enum rc rc = path != NULL ? share_day_load(share_day_shared(), (long)(time(NULL) / 86400),
	    path, &n) : RC_NOMEM;

	if (rc == RC_OK && n > 0)
		log_kv(LOG_INFO, "share_day_loaded", "keys", log_int(nb, (long long)n), NULL);
	else if (rc != RC_OK && rc != RC_NOTFOUND)
		log_kv(LOG_WARN, "share_day_not_loaded", "path", path != NULL ? path : "?",
		    "error", rc_str(rc), "effect",
		    "a visitor counted today before the restart may count again", NULL);
	free(path);
}

enum rc
share_master_start(const struct config *cfg)
{
	struct share_settings set;
	enum rc rc = share_settings_load(cfg, &set);

	if (rc != RC_OK)
		return rc;
	if (set.counting && !config_has_store(cfg))
		rc = share_day_start(share_day_slots_for(set.max_daily_keys));
	if (rc == RC_OK && share_day_shared() != NULL)
		day_load(cfg);
	share_settings_fini(&set);
	return rc;
}

void
share_master_stop(const struct config *cfg)
{
	char *path;
	enum rc rc;

	if (share_day_shared() == NULL)
		return;
	path = state_path(cfg, SHARE_DAY_NAME);
	rc = path != NULL ? share_day_save(share_day_shared(), (long)(time(NULL) / 86400), path)
	    : RC_NOMEM;
	if (rc != RC_OK)
		log_kv(LOG_WARN, "share_day_not_saved", "path", path != NULL ? path : "?",
		    "error", rc_str(rc), "effect",
		    "a visitor counted today may count again after the restart", NULL);
	free(path);
}

void
share_fini(void *ctx)
{
	struct share_ctx *c = ctx;

	if (c == NULL)
		return;
	share_batch_free(c->batch);       /* a clean stop counts what waits */
	share_seen_free(c->seen);
	share_store_close(c->store);
	share_remote_free(c->remote);
	store_close(c->shared);
	share_settings_fini(&c->set);
	crypto_hmac_free(c->mac);
	explicit_bzero(c->salt, sizeof(c->salt));
	free(c);
}

bool
share_health(void *ctx, json_t *report)
{
	struct share_ctx *c = ctx;
	bool ok = !c->set.counting || (c->store != NULL && share_store_healthy(c->store));

	/* The shared store's outage is the store row's to report: the
	 * clicks still redirect and their counts wait in the queue. */
	if (c->remote != NULL) {
		json_object_set_new(report, "share", json_pack("{s:b, s:s, s:I}",
		    "counting", c->set.counting,
		    "store", store_state_str(store_state(c->shared)),
		    "queued", (json_int_t)share_remote_queued(c->remote)));
		return true;
	}
	json_object_set_new(report, "share", json_pack("{s:b, s:s, s:I}",
	    "counting", c->set.counting,
	    "store", !c->set.counting ? "off" : ok ? "ok" : "error",
	    "batched", (json_int_t)share_batch_pending(c->batch)));
	return ok;
}

void
share_idle(void *ctx)
{
	struct share_ctx *c = ctx;

	if (share_batch_pending(c->batch) > 0)
		share_batch_flush(c->batch);
}

/* A JSON error that no cache keeps. */
static enum rc
fail(struct response *res, int status, const char *code, const char *msg)
{
	enum rc rc = response_error(res, status, code, msg);

	if (rc == RC_OK)
		rc = response_no_store(res);
	return rc;
}

/* The rows of share_params (picker_params adds the token); counts_params
 * and buttons_params start with the same `url`. */
enum { SP_URL, SP_TITLE, SP_TEXT, SP_VIA, SP_HASHTAGS, SP_MEDIA, SP_INSTANCE, SP_TOKEN };
/* The rows of buttons_params. */
enum { BP_URL, BP_TITLE, BP_NETWORKS, BP_MARKET };

/*
 * The URL of row `key` as the router checked it (url_param), NULL when not
 * sent; on refusal the response is already filled.
 */
static enum rc
url_of(struct request *req, struct response *res, size_t key,
    const struct share_url **u, bool *refused)
{
	const struct param_value *v = request_value(req, key);
	const struct param_value *bad = request_refused(req, key);
	enum rc rc = bad != NULL ? bad->refused : RC_OK;

	*u = v != NULL ? v->p : NULL;
	*refused = true;
	if (rc == RC_INVALID)
		return fail(res, 400, "bad_url",
		    "The URL must be an absolute http(s) URL with a plain host name.");
	if (rc == RC_FORBIDDEN)
		return fail(res, 403, "url_not_allowed",
		    "Only pages of this site can be shared.");
	*refused = false;
	return rc;
}

/* Skips what is not a person clicking a link: prefetches, HEAD,
 * sub-resource loads (<img src>), known robots. */
static bool
should_count(struct request *req)
{
	static const char *const bots[] = { "bot", "crawl", "spider", "slurp",
		"preview", "facebookexternalhit", "headless" };
	const char *purpose = request_header(req, "Sec-Purpose");
	const char *purpose2 = request_header(req, "Purpose");
	const char *moz = request_header(req, "X-Moz");
	const char *dest = request_header(req, "Sec-Fetch-Dest");
	const char *ua = request_header(req, "User-Agent");

	/* POST: the picker's own form (handle_picker_post). */
	if (request_method(req) != HTTP_GET && request_method(req) != HTTP_POST)
		return false;
	if ((purpose != NULL && strcasestr(purpose, "prefetch") != NULL) ||
	    (purpose2 != NULL && strcasestr(purpose2, "prefetch") != NULL) ||
	    (moz != NULL && strcasestr(moz, "prefetch") != NULL))
		return false;
	if (dest != NULL && strcmp(dest, "document") != 0)
		return false;
	if (ua == NULL || *ua == '\0')
		return false;
	for (size_t i = 0; i < sizeof(bots) / sizeof(bots[0]); i++)
		if (strcasestr(ua, bots[i]) != NULL)
			return false;
	return true;
}

/* The store, opened again when an earlier attempt failed a while ago. */
static bool
counting_ready(struct share_ctx *c)
{
	if (c->store == NULL && c->remote == NULL && c->set.counting &&
	    time(NULL) >= c->store_retry)
		open_counting(c);
	return c->store != NULL || c->remote != NULL;
}

/* One count, in SQLite or in the shared store (where it may wait:
 * *queued). */
static enum rc
count_in(struct share_ctx *c, const struct request *req, const char *key,
    const char *network, const struct share_visitor *v, long day, enum share_outcome *o,
    bool *queued)
{
	bool busy;
	enum rc rc;

	*queued = false;
	*o = SHARE_SEEN;
	/* A repeat this worker knows of costs no read at all (nor a look
	 * at the listening socket: request_busy). */
	if (share_seen_has(c->seen, day, v->seen))
		return RC_OK;
	if (c->remote != NULL) {
		rc = share_remote_count(c->remote, key, network, v, day, o, queued);
		/* Claimed or found: the key is in the store either way. */
		if (rc == RC_OK && !*queued)
			share_seen_add(c->seen, day, v->seen);
		return rc;
	}
	busy = request_busy(req);
	rc = share_batch_count(c->batch, key, network, v, day, !busy, o);
	if (rc == RC_OK && *o == SHARE_COUNTED && busy)
		metrics_add("socialhub_share_batch_total", "event=\"queued\"", 1);
	/* A batched share's key is remembered when its batch is counted. */
	else if (rc == RC_OK && *o != SHARE_FULL)
		share_seen_add(c->seen, day, v->seen);
	return rc;
}

/*
 * Counts the share for the visitor's network (share_visitor_net: the
 * User-Agent is no part of it, so changing it does not make a new
 * visitor) and says what happened in X-Socialhub-Count: counted, seen,
 * capped, new-url-limit, table-full, skipped (not a person clicking) or
 * unavailable. The visitor is redirected whatever it says.
 */
/* The count of one share by a person: what X-Socialhub-Count says. */
static const char *
count_visitor(struct share_ctx *c, struct request *req, const struct share_url *u,
    const char *network)
{
	struct share_visitor v;
	long day = (long)(time(NULL) / 86400);
	enum share_outcome o;
	char net[SHARE_NET_MAX];
	bool queued = false;

	if (!counting_ready(c) || !share_visitor_net(request_remote_addr(req), net, sizeof(net)))
		return "unavailable";
	/* A repeat this worker remembers costs one HMAC, not three. */
	if (share_visitor_seen(c->mac, day, net, u->key, network, v.seen) != RC_OK)
		return "unavailable";
	if (share_seen_has(c->seen, day, v.seen))
		return share_outcome_str(SHARE_SEEN);
	/* A store failure below is logged by the store; share_remote counts
	 * its outcomes itself (queued ones too), the batch when its
	 * transaction decided (batch_observe). */
	if (share_visitor_ids(c->mac, day, net, u->key, &v) != RC_OK ||
	    count_in(c, req, u->key, network, &v, day, &o, &queued) != RC_OK)
		return "unavailable";
	return queued ? "queued" : share_outcome_str(o);
}

static void
count_share(struct share_ctx *c, struct request *req, struct response *res,
    const struct share_url *u, const char *network)
{
	const char *what = should_count(req) ? count_visitor(c, req, u, network) : "skipped";

	if (c->set.counting)
		response_header_set(res, "X-Socialhub-Count", what);
}

/* "https://mastodon.social/", "@me@mastodon.social", "Mastodon.Social"
 * -> "mastodon.social"; NULL when it is not a plain host with a dot. */
static char *
instance_normalize(struct arena *a, const char *in)
{
	const char *p = in, *at;
	size_t n;
	char *h;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	n = strcspn(p, "/ \t");
	at = memrchr(p, '@', n);
	if (at != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (p[n] != '\0' && strspn(p + n, "/ \t") != strlen(p + n))
		return NULL;
	h = arena_strndup(a, p, n);
	if (h == NULL)
		return NULL;
	for (char *q = h; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	if (!share_host_syntax_ok(h) || strchr(h, '.') == NULL)
		return NULL;
	return h;
}

/*
 * The picker token: base64url of HMAC(salt, "picker" 0 day 0 key), cut to
 * SHARE_TOKEN_LEN bytes. It is in every picker page's form and proves that
 * the POST comes from a picker this site rendered for that URL (today or
 * yesterday); the Origin check (same_origin) proves it came from this site.
 */
static const char *
picker_token(struct share_ctx *c, struct arena *a, long day, const char *key)
{
	unsigned char mac[CRYPTO_SHA256_LEN];
	const char *out = NULL;
	struct buf msg, tok;

	if (!c->have_salt)
		return NULL;
	buf_init(&msg, SHARE_URL_MAX + 64);
	buf_init(&tok, 64);
	if (buf_appendf(&msg, "picker%c%ld%c%s", '\0', day, '\0', key) == RC_OK &&
	    crypto_hmac_sha256(c->salt, sizeof(c->salt), msg.data, msg.len, mac) == RC_OK &&
	    crypto_b64url_encode(&tok, mac, SHARE_TOKEN_LEN) == RC_OK)
		out = arena_strndup(a, tok.data, tok.len);
	buf_fini(&msg);
	buf_fini(&tok);
	return out;
}

static bool
picker_token_ok(struct share_ctx *c, struct request *req, const struct share_url *u)
{
	const char *got = request_value_str(req, SP_TOKEN);
	long day = (long)(time(NULL) / 86400);

	if (got == NULL)
		return false;
	for (long d = day; d >= day - 1; d--) {
		const char *want = picker_token(c, request_arena(req), d, u->key);
		if (want != NULL && crypto_equal(want, strlen(want), got, strlen(got)))
			return true;
	}
	return false;
}

/* The last instance this browser shared to (the cookie we set), or NULL. */
static const char *
remembered_instance(struct request *req)
{
	const char *cookie = request_cookie(req, SHARE_COOKIE);

	return cookie != NULL ? instance_normalize(request_arena(req), cookie) : NULL;
}

/* A server a GET link may send the visitor to: one the operator lists,
 * or the one this visitor picked before. Any other needs the picker. */
static bool
instance_known(struct share_ctx *c, struct request *req, const char *instance)
{
	const char *mine = remembered_instance(req);

	for (size_t i = 0; i < c->set.ninstances; i++)
		if (strcmp(c->set.instances[i], instance) == 0)
			return true;
	return mine != NULL && strcmp(mine, instance) == 0;
}

/* The picker page: entered is a refused free entry (400), confirm a valid
 * server named by a link or an unconfirmed POST, to confirm (200). */
static enum rc
mastodon_picker(struct share_ctx *c, struct request *req, struct response *res,
    const struct share_url *u, const char *entered, const char *confirm)
{
	struct share_picker p = {
		.mount = c->cfg->mount, .url = u->canon,
		.title = request_value_str(req, SP_TITLE),
		.text = request_value_str(req, SP_TEXT),
		.instances = (const char *const *)c->set.instances,
		.ninstances = c->set.ninstances,
		.confirm = confirm,
		.token = picker_token(c, request_arena(req), (long)(time(NULL) / 86400), u->key),
	};
	enum rc rc;

	p.remembered = remembered_instance(req);
	if (entered != NULL) {
		p.entered = entered;
		p.error = "That is not a server name. Type just the name, for example mastodon.social.";
	}
	rc = share_render_picker(response_body(res), &p);
	if (rc == RC_OK) {
		response_status(res, entered != NULL ? 400 : 200);
		rc = response_html_headers(res, NULL);
	}
	if (rc == RC_OK)
		rc = response_no_store(res);
	if (rc == RC_OK)
		rc = response_header_set(res, "X-Robots-Tag", "noindex, nofollow");
	return rc;
}

static enum rc
remember_instance(struct share_ctx *c, struct response *res, const char *instance)
{
	struct buf v;
	enum rc rc;

	buf_init(&v, 1024);
	rc = buf_appendf(&v, "%s=%s; Path=%s/share/; Max-Age=31536000; SameSite=Lax; HttpOnly%s",
	    SHARE_COOKIE, instance, c->cfg->mount, c->cfg->site_https ? "; Secure" : "");
	if (rc == RC_OK)
		rc = response_header(res, "Set-Cookie", buf_cstr(&v));
	buf_fini(&v);
	return rc;
}

/* Takes via, hashtags and media for network n into in, as checked by
 * the router; a refused one only matters when n takes it. */
static enum rc
optional_inputs(struct request *req, struct response *res,
    const struct share_network *n, struct share_input *in, bool *refused)
{
	const char *via = request_value_str(req, SP_VIA);
	const char *tags = request_value_str(req, SP_HASHTAGS);
	const struct share_url *media;

	*refused = false;
	if (n->takes & SHARE_TAKES_VIA) {
		if (request_refused(req, SP_VIA) != NULL)
			return *refused = true, fail(res, 400, "bad_via",
			    "via must be an account name of 1 to 15 letters, digits or '_'.");
		if (via != NULL && *via != '\0')
			in->via = via;
	}
	if (n->takes & SHARE_TAKES_HASHTAGS) {
		if (request_refused(req, SP_HASHTAGS) != NULL)
			return *refused = true, fail(res, 400, "bad_hashtags",
			    "hashtags must be up to 10 comma-separated tags without '#' or spaces.");
		if (tags != NULL && *tags != '\0')
			in->hashtags = tags;
	}
	if (n->takes & SHARE_TAKES_MEDIA) {
		enum rc rc = url_of(req, res, SP_MEDIA, &media, refused);
		if (rc != RC_OK || *refused)
			return rc;
		if (media != NULL)
			in->media = media->canon;
	}
	return RC_OK;
}

static enum rc
redirect(struct response *res, int status, const char *location)
{
	enum rc rc = response_redirect(res, status, location);

	if (rc == RC_OK)
		rc = response_no_store(res);
	if (rc == RC_OK)
		rc = response_header_set(res, "Referrer-Policy", "no-referrer");
	if (rc == RC_OK)
		rc = response_header_set(res, "X-Robots-Tag", "noindex, nofollow");
	return rc;
}

static enum rc share_to(struct share_ctx *c, struct request *req, struct response *res,
    const struct share_network *n, const struct share_url *u,
    struct share_input *in, int status);

static enum rc
handle_share(struct request *req, struct response *res, void *ctx)
{
	struct share_ctx *c = ctx;
	const char *id = request_capture(req, 0);
	int idx = share_network_index(id);
	const struct share_network *n;
	struct share_input in = { 0 };
	const struct share_url *u;
	bool refused;
	enum rc rc;

	if (idx < 0 || !c->set.enabled[idx])
		return fail(res, 404, "unknown_network", "No such share network here.");
	n = &share_networks[idx];
	rc = url_of(req, res, SP_URL, &u, &refused);
	if (rc == RC_OK && !refused)
		rc = optional_inputs(req, res, n, &in, &refused);
	if (rc != RC_OK || refused)
		return rc;
	if (n->needs_instance) {
		const struct param_value *iv = request_value(req, SP_INSTANCE);
		const struct param_value *bad = request_refused(req, SP_INSTANCE);
		if (bad != NULL)
			return mastodon_picker(c, req, res, u, bad->s, NULL);
		if (iv == NULL || iv->p == NULL)
			return mastodon_picker(c, req, res, u, NULL, NULL);
		/* A link (or a sign-in's return_to) may name any server: only
		 * the listed and the remembered go straight through. */
		if (!instance_known(c, req, iv->p))
			return mastodon_picker(c, req, res, u, NULL, iv->p);
		in.instance = iv->p;
	}
	return share_to(c, req, res, n, u, &in, 302);
}

/* POST /share/mastodon: the picker's form. Redirects (303) to the server
 * the visitor typed or confirmed when the form is this site's (Origin,
 * token); else the picker again, pre-filled, to confirm. */
static enum rc
handle_picker_post(struct request *req, struct response *res, void *ctx)
{
	struct share_ctx *c = ctx;
	int idx = share_network_index("mastodon");
	const struct param_value *iv = request_value(req, SP_INSTANCE);
	const struct param_value *bad = request_refused(req, SP_INSTANCE);
	struct share_input in = { 0 };
	const struct share_url *u;
	bool refused;
	enum rc rc;

	if (idx < 0 || !c->set.enabled[idx])
		return fail(res, 404, "unknown_network", "No such share network here.");
	if (!request_same_origin(req))
		return fail(res, 403, "cross_site",
		    "The Mastodon picker only accepts its own form, sent from this site.");
	rc = url_of(req, res, SP_URL, &u, &refused);
	if (rc != RC_OK || refused)
		return rc;
	if (bad != NULL)
		return mastodon_picker(c, req, res, u, bad->s, NULL);
	if (iv == NULL || iv->p == NULL)
		return mastodon_picker(c, req, res, u, NULL, NULL);
	if (!picker_token_ok(c, req, u))
		return mastodon_picker(c, req, res, u, NULL, iv->p);
	in.instance = iv->p;
	return share_to(c, req, res, &share_networks[idx], u, &in, 303);
}

/* Counts the share and redirects to network n's intent for u. */
static enum rc
share_to(struct share_ctx *c, struct request *req, struct response *res,
    const struct share_network *n, const struct share_url *u,
    struct share_input *in, int status)
{
	struct buf loc;
	enum rc rc;

	count_share(c, req, res, u, n->id);
	in->url = share_url_tag(request_arena(req), u->canon, c->set.utm_source,
	    c->set.utm_medium, c->set.utm_campaign, n->id);
	in->title = request_value_str(req, SP_TITLE);
	in->text = request_value_str(req, SP_TEXT);
	if (in->url == NULL)
		return RC_NOMEM;
	buf_init(&loc, SHARE_INTENT_MAX);
	rc = share_intent(&loc, n, in);
	if (rc == RC_LIMIT)
		rc = RC_INVALID;
	if (rc == RC_OK)
		rc = redirect(res, status, buf_cstr(&loc));
	if (rc == RC_OK && in->instance != NULL)
		rc = remember_instance(c, res, in->instance);
	buf_fini(&loc);
	return rc;
}

static enum rc
handle_counts(struct request *req, struct response *res, void *ctx)
{
	struct share_ctx *c = ctx;
	json_t *nets, *body;
	long long total = 0;
	const struct share_url *u;
	bool refused;
	enum rc rc = url_of(req, res, SP_URL, &u, &refused);

	if (rc != RC_OK || refused)
		return rc;
	if (c->set.counting && !counting_ready(c))
		return RC_UNAVAILABLE;
	nets = json_object();
	if (nets == NULL)
		return RC_NOMEM;
	if (c->remote != NULL)
		rc = share_remote_counts(c->remote, u->key, nets, &total);
	else if (c->store != NULL) {
		/* This worker's batch first: the reader sees its own clicks
		 * (a failure leaves them for later; the read goes on). */
		share_batch_flush(c->batch);
		rc = share_store_counts(c->store, u->key, nets, &total);
	}
	if (rc != RC_OK) {
		json_decref(nets);
		return rc == RC_IO ? RC_UNAVAILABLE : rc;
	}
	body = json_pack("{s:s, s:I, s:o}", "url", u->canon, "total", (json_int_t)total,
	    "networks", nets);
	rc = response_json(res, 200, body);
	if (rc == RC_OK)
		rc = response_cache_public(res, SHARE_COUNTS_MAX_AGE, SHARE_COUNTS_MAX_AGE);
	if (rc == RC_OK)
		rc = page_allow_origin(req, res, false);
	return rc;
}

/* ?networks=a,b as indices into share_networks (networks_param). */
struct net_list {
	size_t n;
	size_t idx[SHARE_NETWORKS_MAX];
};

/* The bar's networks: ?networks=a,b, else the market's, else defaults. */
static enum rc
pick_networks(struct share_ctx *c, struct request *req, struct arena *a,
    const struct share_network ***out, size_t *n)
{
	const struct param_value *lv = request_value(req, BP_NETWORKS);
	const struct param_value *mv = request_value(req, BP_MARKET);
	const struct net_list *list = lv != NULL ? lv->p : NULL;
	const struct share_network **nets = arena_calloc(a, SHARE_NETWORKS_MAX, sizeof(*nets));
	const size_t *idx = c->set.defaults;
	size_t count = c->set.ndefaults;

	*n = 0;
	if (nets == NULL)
		return RC_NOMEM;
	*out = nets;
	if (request_refused(req, BP_NETWORKS) != NULL)
		return RC_INVALID;
	if (list != NULL && list->n > 0) {
		for (size_t i = 0; i < list->n; i++) {
			if (!c->set.enabled[list->idx[i]])
				return RC_INVALID;
			nets[(*n)++] = &share_networks[list->idx[i]];
		}
		return RC_OK;
	}
	if (request_refused(req, BP_MARKET) != NULL)
		return RC_INVALID;
	if (mv != NULL) {
		const struct share_market *m = mv->p;
		idx = m->nets;
		count = m->n;
	}
	for (size_t i = 0; i < count; i++)
		nets[(*n)++] = &share_networks[idx[i]];
	return RC_OK;
}

/* share.js's plural forms of a count in lang, as compact JSON (arena
 * memory), or NULL. */
static const char *
count_words(struct arena *a, const struct config *cfg, const char *lang)
{
	json_t *w = catalog_export(cfg->catalog, lang, "share.count");
	char *s = w != NULL ? json_dumps(json_object_get(w, "share.count"), JSON_COMPACT) : NULL;
	const char *out = s != NULL ? arena_strdup(a, s) : NULL;

	free(s);
	json_decref(w);
	return out;
}

/* The bar as a fragment (SSI, embed.js), or as a page when a browser
 * opens the address itself (fcgi/page.h). */
static enum rc
buttons_send(struct request *req, struct response *res, struct share_ctx *c,
    const struct share_bar *bar)
{
	struct page_info pi = { .title = bar->name, .back_href = bar->url, .lang = bar->lang };
	bool page = page_wanted(req);
	enum rc rc = page ? page_open(response_body(res), c->cfg, &pi) : RC_OK;

	if (rc == RC_OK)
		rc = share_render_bar(response_body(res), bar);
	if (rc == RC_OK && page)
		rc = page_close(response_body(res), c->cfg, &pi);
	if (rc == RC_OK)
		rc = response_html_headers(res, NULL);
	if (rc == RC_OK)
		rc = page_allow_origin(req, res, false);
	if (rc == RC_OK)
		rc = response_header_set(res, "Vary", PAGE_VARY);
	if (rc == RC_OK)
		rc = response_cache_public(res, SHARE_BUTTONS_MAX_AGE, SHARE_BUTTONS_MAX_AGE);
	return rc;
}

static enum rc
handle_buttons(struct request *req, struct response *res, void *ctx)
{
	struct share_ctx *c = ctx;
	const struct share_network **nets;
	struct share_bar bar = { 0 };
	const struct share_url *u;
	bool refused;
	enum rc rc = url_of(req, res, BP_URL, &u, &refused);

	if (rc != RC_OK || refused)
		return rc;
	rc = pick_networks(c, req, request_arena(req), &nets, &bar.n);
	if (rc == RC_INVALID)
		return fail(res, 400, "bad_networks",
		    "networks or market names something that is not configured.");
	if (rc != RC_OK)
		return rc;
	/* Read by another site (embed_origins): its links must lead here. */
	bar.mount = c->cfg->mount;
	if (config_embed_origin(c->cfg, request_header(req, "Origin")) &&
	    (bar.mount = arena_printf(request_arena(req), "%s%s", c->cfg->site_url,
	    c->cfg->mount)) == NULL)
		return RC_NOMEM;
	bar.url = u->canon;
	bar.title = request_value_str(req, BP_TITLE);
	bar.networks = nets;
	bar.lang = page_lang(req, NULL, NULL);
	bar.name = page_word(c->cfg, bar.lang, "share.title");
	bar.native = page_word(c->cfg, bar.lang, "share.native");
	bar.count_words = count_words(request_arena(req), c->cfg, bar.lang);
	/* English keeps each network's own phrase ("Share by email"). */
	if (strcmp(bar.lang, CATALOG_DEFAULT) != 0)
		bar.share_on = page_word(c->cfg, bar.lang, "share.on");
	return buttons_send(req, res, c, &bar);
}

/* ---- parameters: each parsed once, by the router ---- */

/* A shared URL (share_url_check): refused as 400 bad_url or 403 by the
 * handler, after its own 404. */
static enum rc
url_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	struct share_ctx *c = ctx;
	struct share_url *u = arena_alloc(a, sizeof(*u));

	if (u == NULL)
		return RC_NOMEM;
	*out = u;
	return share_url_check(a, &c->hosts, v, u);
}

/* via and hashtags: empty is as good as absent. */
static enum rc
via_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	(void)ctx;
	(void)a;
	(void)out;
	return *v == '\0' || share_via_ok(v) ? RC_OK : RC_INVALID;
}

static enum rc
hashtags_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	(void)ctx;
	(void)a;
	(void)out;
	return *v == '\0' || share_hashtags_ok(v) ? RC_OK : RC_INVALID;
}

/* A typed Mastodon server, normalized; empty (*out NULL): the picker. */
static enum rc
instance_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	(void)ctx;
	if (*v == '\0')
		return RC_OK;
	*out = instance_normalize(a, v);
	return *out != NULL ? RC_OK : RC_INVALID;
}

/* "a,b": known network ids, at most SHARE_NETWORKS_MAX; "" is no list.
 * Whether each is enabled is the handler's question. */
static enum rc
networks_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	struct net_list *l = arena_calloc(a, 1, sizeof(*l));

	(void)ctx;
	if (l == NULL)
		return RC_NOMEM;
	*out = l;
	if (*v == '\0')
		return RC_OK;
	while (l->n < SHARE_NETWORKS_MAX) {
		size_t len = strcspn(v, ",");
		char *id = arena_strndup(a, v, len);
		int i;
		if (id == NULL)
			return RC_NOMEM;
		if ((i = share_network_index(id)) < 0)
			return RC_INVALID;
		l->idx[l->n++] = (size_t)i;
		if (v[len] == '\0')
			return RC_OK;
		v += len + 1;
	}
	return RC_INVALID;
}

/* A configured market. */
static enum rc
market_param(void *ctx, struct arena *a, const char *v, const void **out)
{
	struct share_ctx *c = ctx;

	(void)a;
	*out = share_settings_market(&c->set, v);
	return *out != NULL ? RC_OK : RC_INVALID;
}

/* The rows a share link takes, in the share routes and the picker form. */
#define SHARE_LINK_PARAMS \
	[SP_URL] = { .name = "url", .type = PARAM_STRING, .max_len = SHARE_URL_MAX, \
	    .flags = PARAM_REQUIRED | PARAM_SOFT, .parse = url_param }, \
	[SP_TITLE] = { .name = "title", .type = PARAM_STRING, .max_len = 512 }, \
	[SP_TEXT] = { .name = "text", .type = PARAM_STRING, .max_len = 1024 }, \
	[SP_VIA] = { .name = "via", .type = PARAM_STRING, .max_len = 64, \
	    .flags = PARAM_SOFT, .parse = via_param }, \
	[SP_HASHTAGS] = { .name = "hashtags", .type = PARAM_STRING, .max_len = 700, \
	    .flags = PARAM_SOFT, .parse = hashtags_param }, \
	[SP_MEDIA] = { .name = "media", .type = PARAM_STRING, .max_len = SHARE_URL_MAX, \
	    .flags = PARAM_SOFT, .parse = url_param }, \
	[SP_INSTANCE] = { .name = "instance", .type = PARAM_STRING, .max_len = 300, \
	    .flags = PARAM_SOFT, .parse = instance_param },

static const struct param_spec share_params[] = {
	SHARE_LINK_PARAMS
	{ .name = NULL },
};

/* share_params and the picker token: the rows of the picker's POST form. */
static const struct param_spec picker_params[] = {
	SHARE_LINK_PARAMS
	[SP_TOKEN] = { .name = "token", .type = PARAM_TOKEN, .max_len = 64 },
	{ .name = NULL },
};

static const struct param_spec counts_params[] = {
	[SP_URL] = { .name = "url", .type = PARAM_STRING, .max_len = SHARE_URL_MAX,
	    .flags = PARAM_REQUIRED | PARAM_SOFT, .parse = url_param },
	{ .name = NULL },
};

static const struct param_spec buttons_params[] = {
	[BP_URL] = { .name = "url", .type = PARAM_STRING, .max_len = SHARE_URL_MAX,
	    .flags = PARAM_REQUIRED | PARAM_SOFT, .parse = url_param },
	[BP_TITLE] = { .name = "title", .type = PARAM_STRING, .max_len = 512 },
	[BP_NETWORKS] = { .name = "networks", .type = PARAM_STRING, .max_len = 512,
	    .flags = PARAM_SOFT, .parse = networks_param },
	[BP_MARKET] = { .name = "market", .type = PARAM_TOKEN, .max_len = 32,
	    .flags = PARAM_SOFT, .parse = market_param },
	{ .name = NULL },
};

/* Literal routes first: /share/{network} would match them too. */
const struct route share_routes[] = {
	{ HTTP_GET, "/share/counts", handle_counts, "share_counts", counts_params, 0 },
	{ HTTP_GET, "/share/buttons.html", handle_buttons, "share_buttons", buttons_params, 0 },
	{ HTTP_POST, "/share/mastodon", handle_picker_post, "share_picker", picker_params,
	    ROUTE_FORM },
	{ HTTP_GET, "/share/{network}", handle_share, "share", share_params, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

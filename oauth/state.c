/* state: one sealed cookie per login attempt (state, nonce, PKCE verifier). */
#include "oauth/oauth_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fsutil.h"
#include "util/jsonutil.h"
#include "util/log.h"

#define STATE_RANDOM_BYTES 32      /* 256 bits each for state, nonce, verifier */
#define STATE_ID_LEN 16
#define SHA256_B64_LEN 43          /* base64url of a SHA-256, unpadded */
#define STATE_USED_KEEP (OAUTH_STATE_TTL + 300)

static void
json_release(void *p)
{
	json_decref(p);
}

static char *
random_token(struct arena *a)
{
	unsigned char raw[STATE_RANDOM_BYTES];
	struct buf b;
	char *s = NULL;

	if (crypto_random(raw, sizeof(raw)) != RC_OK)
		return NULL;
	buf_init(&b, 128);
	if (crypto_b64url_encode(&b, raw, sizeof(raw)) == RC_OK)
		s = arena_strndup(a, b.data, b.len);
	buf_fini(&b);
	return s;
}

/* Fresh random state, nonce (when asked) and PKCE verifier (when asked). */
enum rc
state_new(struct arena *a, struct login_state *st, bool nonce, bool pkce)
{
	st->state = random_token(a);
	st->nonce = nonce ? random_token(a) : NULL;
	st->verifier = pkce ? random_token(a) : NULL;
	if (st->state == NULL || (nonce && st->nonce == NULL) || (pkce && st->verifier == NULL))
		return RC_CRYPTO;
	return RC_OK;
}

/* base64url of the SHA-256 of s (43 characters) into out. */
static enum rc
sha256_b64url(const char *s, char out[SHA256_B64_LEN + 1])
{
	unsigned char sum[CRYPTO_SHA256_LEN];
	struct buf b;
	enum rc rc;

	crypto_sha256(s, strlen(s), sum);
	buf_init(&b, 64);
	rc = crypto_b64url_encode(&b, sum, sizeof(sum));
	if (rc == RC_OK)
		memcpy(out, b.data, SHA256_B64_LEN + 1);
	buf_fini(&b);
	return rc;
}

enum rc
pkce_challenge(struct arena *a, const char *verifier, char **out)
{
	char d[SHA256_B64_LEN + 1];
	enum rc rc = sha256_b64url(verifier, d);

	if (rc == RC_OK && (*out = arena_strdup(a, d)) == NULL)
		rc = RC_NOMEM;
	return rc;
}

/* A short digest of the state, base64url: names the cookie and the marker. */
static enum rc
state_digest(const char *state, size_t len, char *out)
{
	char d[SHA256_B64_LEN + 1];
	enum rc rc = sha256_b64url(state, d);

	if (rc == RC_OK) {
		memcpy(out, d, len);
		out[len] = '\0';
	}
	return rc;
}

enum rc
state_cookie_name(const struct oauth_ctx *ctx, struct arena *a, const char *state,
    char **name)
{
	char id[STATE_ID_LEN + 1];
	enum rc rc = state_digest(state, STATE_ID_LEN, id);

	if (rc != RC_OK)
		return rc;
	*name = arena_printf(a, "%s%s", ctx->state_prefix, id);
	return *name != NULL ? RC_OK : RC_NOMEM;
}

enum rc
state_seal(const struct oauth_ctx *ctx, struct arena *a, const struct login_state *st,
    const char *cookie_name, char **value)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "p", st->provider, "s", st->state,
	    "r", st->return_to, "t", (json_int_t)st->created);
	char *text = NULL;
	struct buf b;
	enum rc rc = RC_NOMEM;

	if (o == NULL)
		return RC_NOMEM;
	if ((st->nonce != NULL && json_object_set_new(o, "n", json_string(st->nonce)) != 0) ||
	    (st->verifier != NULL && json_object_set_new(o, "v", json_string(st->verifier)) != 0) ||
	    (st->instance != NULL && json_object_set_new(o, "i", json_string(st->instance)) != 0))
		goto out;
	text = json_dumps(o, JSON_COMPACT);
	if (text == NULL)
		goto out;
	buf_init(&b, 4096);
	rc = keyring_seal(&ctx->state_keys, cookie_name, text, &b);
	if (rc == RC_OK && (*value = arena_strndup(a, b.data, b.len)) == NULL)
		rc = RC_NOMEM;
	buf_fini(&b);
out:
	free(text);
	json_decref(o);
	return rc;
}

/*
 * Opens a state cookie sealed under cookie_name. RC_CRYPTO when it does not
 * open or parse, RC_UNAUTH when older than OAUTH_STATE_TTL.
 */
enum rc
state_open(const struct oauth_ctx *ctx, struct arena *a, const char *cookie_name,
    const char *value, time_t now, struct login_state *out)
{
	const json_t *t;
	char *plain;
	json_t *o;
	enum rc rc, err = RC_OK;

	memset(out, 0, sizeof(*out));
	rc = keyring_open(&ctx->state_keys, a, cookie_name, value, &plain);
	if (rc != RC_OK)
		return rc;
	o = json_loads(plain, JSON_REJECT_DUPLICATES, NULL);
	if (o == NULL || arena_defer(a, json_release, o) != RC_OK || !json_is_object(o))
		return RC_CRYPTO;
	t = json_object_get(o, "t");
	if (!json_is_integer(t))
		return RC_CRYPTO;
	out->created = json_integer_value(t);
	out->provider = jsonutil_str(a, o, "p", JSONUTIL_TYPED | JSONUTIL_REQUIRED, &err);
	out->state = jsonutil_str(a, o, "s", JSONUTIL_TYPED | JSONUTIL_REQUIRED, &err);
	out->return_to = jsonutil_str(a, o, "r", JSONUTIL_TYPED | JSONUTIL_REQUIRED, &err);
	out->nonce = jsonutil_str(a, o, "n", JSONUTIL_TYPED, &err);
	out->verifier = jsonutil_str(a, o, "v", JSONUTIL_TYPED, &err);
	out->instance = jsonutil_str(a, o, "i", JSONUTIL_TYPED, &err);
	if (err != RC_OK)
		return RC_CRYPTO;
	if (out->created > now + OAUTH_SKEW || now - out->created > OAUTH_STATE_TTL)
		return RC_UNAUTH;
	return RC_OK;
}

struct state_seen {
	const struct oauth_ctx *ctx;
	struct arena *a;
	time_t now;
	const char *names[REQUEST_PARAMS_MAX];
	long long created[REQUEST_PARAMS_MAX];
	size_t n;
};

static void
collect_state(void *arg, const char *name, const char *value)
{
	struct state_seen *s = arg;
	struct login_state st;

	if (s->n == REQUEST_PARAMS_MAX)
		return;
	s->names[s->n] = name;
	/* Unreadable or expired attempts sort first, so they go first. */
	s->created[s->n] = state_open(s->ctx, s->a, name, value, s->now, &st) == RC_OK
	    ? st.created : -1;
	s->n++;
}

/* Deletes the oldest attempts so that, with the new one, at most MAX remain. */
static enum rc
state_trim(struct oauth_ctx *ctx, struct request *req, struct response *res)
{
	struct state_seen s = { .ctx = ctx, .a = request_arena(req), .now = ctx->now() };
	enum rc rc = RC_OK;

	request_cookies_each(req, ctx->state_prefix, collect_state, &s);
	while (rc == RC_OK && s.n > 0) {
		size_t oldest = 0;
		bool expired;
		for (size_t i = 1; i < s.n; i++)
			if (s.created[i] < s.created[oldest])
				oldest = i;
		expired = s.created[oldest] < 0;
		if (!expired && s.n < OAUTH_STATE_COOKIES_MAX)
			break;
		rc = oauth_set_cookie(ctx, res, s.names[oldest], "", 0, "Lax");
		s.names[oldest] = s.names[s.n - 1];
		s.created[oldest] = s.created[s.n - 1];
		s.n--;
	}
	return rc;
}

/*
 * Sets the state cookie of a new login attempt (10 minutes), after trimming
 * older attempts. cross_site_post: the provider answers with a cross-site
 * POST (Apple form_post), so the cookie must be SameSite=None (HTTPS only).
 */
enum rc
state_set(struct oauth_ctx *ctx, struct request *req, struct response *res,
    const struct login_state *st, bool cross_site_post)
{
	struct arena *a = request_arena(req);
	char *name, *value;
	enum rc rc;

	rc = state_trim(ctx, req, res);
	if (rc == RC_OK)
		rc = state_cookie_name(ctx, a, st->state, &name);
	if (rc == RC_OK)
		rc = state_seal(ctx, a, st, name, &value);
	if (rc == RC_OK)
		rc = oauth_set_cookie(ctx, res, name, value, OAUTH_STATE_TTL,
		    cross_site_post && ctx->secure ? "None" : "Lax");
	return rc;
}

/*
 * Finds, checks and consumes the attempt for `state` at a callback: the
 * cookie must exist, open, be fresh, carry the same state and provider, and
 * never have been used before. The cookie is deleted whatever happens.
 * RC_FORBIDDEN with *why set when the attempt is refused.
 */
enum rc
state_take(struct oauth_ctx *ctx, struct request *req, struct response *res,
    const char *provider, const char *state, struct login_state *out, const char **why)
{
	struct arena *a = request_arena(req);
	const char *value;
	char *name;
	enum rc rc;

	if (state == NULL || *state == '\0' || strlen(state) > 512) {
		*why = "missing or oversize state";
		return RC_FORBIDDEN;
	}
	rc = state_cookie_name(ctx, a, state, &name);
	if (rc != RC_OK)
		return rc;
	value = request_cookie(req, name);
	if (value == NULL) {
		*why = "no login attempt matches this state";
		return RC_FORBIDDEN;
	}
	rc = oauth_set_cookie(ctx, res, name, "", 0, "Lax");
	if (rc != RC_OK)
		return rc;
	rc = state_open(ctx, a, name, value, ctx->now(), out);
	if (rc != RC_OK) {
		*why = rc == RC_UNAUTH ? "login attempt expired" : "state cookie does not open";
		return RC_FORBIDDEN;
	}
	if (!crypto_equal(out->state, strlen(out->state), state, strlen(state)) ||
	    strcmp(out->provider, provider) != 0) {
		*why = "state or provider mismatch";
		return RC_FORBIDDEN;
	}
	rc = state_mark_used(ctx, state);
	if (rc == RC_FORBIDDEN)
		*why = "state already used (replay)";
	return rc;
}

static enum rc
used_path(struct oauth_ctx *ctx, const char *state, char *path, size_t len)
{
	char id[33];
	enum rc rc = state_digest(state, 32, id);

	if (rc != RC_OK)
		return rc;
	if ((size_t)snprintf(path, len, "%s/used/%s", ctx->oauth_dir, id) >= len)
		return RC_LIMIT;
	return RC_OK;
}

/*
 * With a `store` section the record is a single-use value there, so a
 * callback replayed on another node is refused too; when Redis is down
 * the store answers RC_UNAVAILABLE (fail closed) or, with fallback =
 * local, decides on this node alone (and logs it).
 */
static enum rc
state_mark_shared(struct oauth_ctx *ctx, const char *state)
{
	char id[33], key[64];
	enum rc rc = state_digest(state, 32, id);

	if (rc != RC_OK)
		return rc;
	snprintf(key, sizeof(key), "oauth:state:%s", id);
	rc = store_once(ctx->store, key, STATE_USED_KEEP);
	if (rc == RC_UNAVAILABLE)
		log_kv(LOG_ERROR, "state_record_failed", "store", "unavailable", NULL);
	return rc == RC_OK || rc == RC_FORBIDDEN ? rc : RC_UNAVAILABLE;
}

/*
 * Records that a state was used, atomically across every worker process
 * (O_EXCL), or across every node (state_mark_shared). RC_FORBIDDEN when it
 * was used before; RC_UNAVAILABLE when the record cannot be written (fail
 * closed).
 */
enum rc
state_mark_used(struct oauth_ctx *ctx, const char *state)
{
	char path[4096], dir[4096];
	enum rc rc;
	int fd;

	if (ctx->store != NULL)
		return state_mark_shared(ctx, state);
	rc = used_path(ctx, state, path, sizeof(path));
	if (rc != RC_OK)
		return rc;
	for (int attempt = 0; attempt < 2; attempt++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			close(fd);
			return RC_OK;
		}
		if (errno == EEXIST)
			return RC_FORBIDDEN;
		snprintf(dir, sizeof(dir), "%s/used", ctx->oauth_dir);
		if (errno != ENOENT || fsutil_mkdirs(dir, 0700) != RC_OK)
			break;
	}
	log_kv(LOG_ERROR, "state_record_failed", "path", path, "error", strerror(errno), NULL);
	return RC_UNAVAILABLE;
}

/* Removes used-state records older than any attempt could be. */
void
state_sweep(struct oauth_ctx *ctx, time_t now)
{
	char dir[4096], path[4096 + 256];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/used", ctx->oauth_dir);
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > STATE_USED_KEEP)
			unlink(path);
	}
	closedir(d);
	ctx->last_sweep = now;
}

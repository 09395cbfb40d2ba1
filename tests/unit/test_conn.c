/* test_conn: the connection sections' errors, the authorization URLs each
 * network gets, and which API answers count as a refused token. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "fcgi/config.h"
#include "oauth/oauth.h"
#include "util/tokens.h"
#include "tests/unit/conf_fixture.h"
#include "widgets/conn.h"
#include "widgets/conn_int.h"
#include "widgets/widgets.h"

static const struct feature features[] = {
	OAUTH_FEATURE, WIDGETS_FEATURE, CONN_FEATURE, { .name = NULL },
};

#define KEY "MY01LYI8mgJaxc4PhOurkR98q4aTTYfvVkcGOIrdH3c\n"

static char keypath[256];

static void
write_key(void)
{
	FILE *f;

	snprintf(keypath, sizeof(keypath), "%s/k1.key", conf_fixture_dir());
	f = fopen(keypath, "w");
	assert_non_null(f);
	fputs(KEY, f);
	fclose(f);
	chmod(keypath, 0600);
}

static char *
errors_of(const char *body)
{
	struct config *cfg = NULL;
	char *errs = NULL, text[4096];

	snprintf(text, sizeof(text), "site_url = \"https://www.example.com\"\nstate_dir = \"%s\"\n%s",
	    conf_fixture_dir(), body);
	(void)conf_fixture_load(features, text, &cfg, &errs);
	config_free(cfg);
	return errs;
}

static void
test_config(void **state)
{
	char body[2048], *e;
	FILE *f;

	(void)state;
	write_key();
	snprintf(body, sizeof(body), "connection_keys = {\"k1:%s\"}\n"
	    "connection ig { network = \"instagram\" client_id = \"a\" client_secret = \"b\" }\n"
	    "connection xp { network = \"x\" client_id = \"a\" }\n", keypath);
	e = errors_of(body);
	assert_string_equal(e, "");
	free(e);
	e = errors_of("connection ig { network = \"myspace\" client_id = \"a\" client_secret = \"b\" }\n");
	assert_non_null(strstr(e, "network: expected instagram"));
	assert_non_null(strstr(e, "connection_keys: missing"));
	free(e);
	snprintf(body, sizeof(body), "connection_keys = {\"k1:%s\"}\n"
	    "connection ig { network = \"instagram\" client_id = \"a\" }\n"
	    "connection \"bad name\" { network = \"x\" client_id = \"a\" }\n"
	    "connection tt { network = \"tiktok\" client_secret = \"b\" auth_url = \"ftp://x\" }\n"
	    "stream s { source m { type = \"mastodon\" account = \"@a@m.example\" "
	    "api_url = \"https://m.example\" connection = \"nope\" } }\n", keypath);
	e = errors_of(body);
	assert_non_null(strstr(e, "client_secret: missing"));
	assert_non_null(strstr(e, "name \"bad name\" must be"));
	assert_non_null(strstr(e, "auth_url: expected an http(s) URL"));
	assert_non_null(strstr(e, "client_id: missing"));
	assert_non_null(strstr(e, "no connection \"nope\""));
	free(e);
	e = errors_of("connection_keys = {\"k1\"}\n");
	assert_non_null(strstr(e, "expected \"ID:/path/to/key\""));
	free(e);
	e = errors_of("connection_keys = {\"k1:/nonexistent/key\"}\n");
	assert_non_null(strstr(e, "/nonexistent/key"));
	free(e);
	/* A key file that is not `socialhub keygen` output. */
	f = fopen(keypath, "w");
	assert_non_null(f);
	fputs("not base64 at all!\n", f);
	fclose(f);
	snprintf(body, sizeof(body), "connection_keys = {\"k1:%s\"}\n", keypath);
	e = errors_of(body);
	assert_non_null(strstr(e, "is not base64url of 32 or more bytes"));
	free(e);
}

static void
test_authorize_url(void **state)
{
	struct arena *a = arena_new(4096, 0);
	struct conn_def x = { .name = "x", .net = conn_network_find("x"), .client_id = "cid",
	    .auth_url = "https://x.example/auth?lang=en", .scopes = "tweet.read offline.access" };
	struct conn_def tt = { .name = "t", .net = conn_network_find("tiktok"), .client_id = "ck",
	    .auth_url = "https://t.example/auth", .scopes = "video.list" };
	const char *u;

	(void)state;
	assert_null(conn_network_find("myspace"));
	assert_int_equal(conn_oauth_authorize_url(a, &x, "https://w.example/cb?a=1", "ST", "CH", &u),
	    RC_OK);
	assert_string_equal(u, "https://x.example/auth?lang=en&response_type=code&client_id=cid"
	    "&redirect_uri=https%3A%2F%2Fw.example%2Fcb%3Fa%3D1&scope=tweet.read%20offline.access"
	    "&state=ST&code_challenge=CH&code_challenge_method=S256");
	assert_int_equal(conn_oauth_authorize_url(a, &tt, "https://w.example/cb", "ST", NULL, &u),
	    RC_OK);
	assert_non_null(strstr(u, "?response_type=code&client_key=ck&"));
	assert_null(strstr(u, "code_challenge"));
	arena_free(a);
}

static void
test_refusal(void **state)
{
	static const char meta190[] = "{\"error\":{\"message\":\"Error validating access token\","
	    "\"type\":\"OAuthException\",\"code\":190}}";
	static const char meta4[] = "{\"error\":{\"message\":\"limit\",\"type\":\"OAuthException\","
	    "\"code\":4}}";

	(void)state;
	assert_true(conn_refusal(401, NULL, 0));
	assert_true(conn_refusal(400, meta190, strlen(meta190)));
	assert_false(conn_refusal(400, meta4, strlen(meta4)));
	assert_false(conn_refusal(403, "<html>no</html>", 15));
	assert_false(conn_refusal(500, "{", 1));
	assert_false(conn_refusal(200, meta190, strlen(meta190)));
}

/* ---- the token endpoints, through a fake HTTP client */

struct fake {
	const char *body[4];     /* answers, in order */
	long status[4];
	size_t n, calls;
	char urls[4][512];
	char forms[4][512];
	char methods[4][16];
};

static enum rc
fake_perform(void *arg, struct arena *a, const struct http_request *rq,
    struct http_response *rs)
{
	struct fake *f = arg;
	size_t i = f->calls++;

	if (i >= f->n)
		return RC_UPSTREAM;
	snprintf(f->urls[i], sizeof(f->urls[i]), "%s", rq->url);
	snprintf(f->forms[i], sizeof(f->forms[i]), "%s", rq->form != NULL ? rq->form : "");
	snprintf(f->methods[i], sizeof(f->methods[i]), "%s", rq->method != NULL ? rq->method :
	    rq->form != NULL ? "POST" : "GET");
	rs->status = f->status[i];
	rs->body = arena_strdup(a, f->body[i]);
	rs->body_len = strlen(f->body[i]);
	return RC_OK;
}

static long long
fake_now(void)
{
	return 1000;
}

static enum rc
redeem(struct fake *f, const char *net, const char *account, struct conn_grant *g,
    const char **why, struct arena *a)
{
	struct conn c = { .http = { fake_perform, f }, .now = fake_now };
	struct conn_def d = { .name = "n", .net = conn_network_find(net), .client_id = "id",
	    .client_secret = (char *)"sec", .token_url = "https://t.example/token",
	    .api_url = "https://g.example", .account = account };

	return conn_oauth_redeem(&c, a, &d, "CODE", "https://w.example/cb", NULL, g, why);
}

static void
test_redeem(void **state)
{
	struct arena *a = arena_new(16384, 0);
	struct conn_grant g;
	const char *why = NULL;

	(void)state;
	/* Instagram: {"data": [...]} then the 60-day exchange. */
	struct fake ig = { .n = 2, .status = { 200, 200 }, .body = {
	    "{\"data\":[{\"access_token\":\"SHORT\",\"user_id\":\"1\"}]}",
	    "{\"access_token\":\"LONG\",\"token_type\":\"bearer\",\"expires_in\":5184000}" } };
	assert_int_equal(redeem(&ig, "instagram", NULL, &g, &why, a), RC_OK);
	assert_string_equal(g.access_token, "LONG");
	assert_int_equal(g.expires_at, 1000 + 5184000);
	assert_non_null(strstr(ig.forms[0], "client_id=id&client_secret=sec"));
	assert_non_null(strstr(ig.urls[1], "https://g.example/access_token?grant_type=ig_exchange_token"));
	assert_non_null(strstr(ig.urls[1], "access_token=SHORT"));
	/* Facebook: the page's token, which does not expire. */
	struct fake fb = { .n = 3, .status = { 200, 200, 200 }, .body = {
	    "{\"access_token\":\"U1\",\"expires_in\":3600}",
	    "{\"access_token\":\"U60\",\"expires_in\":5184000}",
	    "{\"access_token\":\"PAGE\",\"id\":\"42\"}" } };
	assert_int_equal(redeem(&fb, "facebook", "42", &g, &why, a), RC_OK);
	assert_string_equal(g.access_token, "PAGE");
	assert_int_equal(g.expires_at, 0);
	assert_non_null(strstr(fb.urls[2], "https://g.example/42?fields=access_token&access_token=U60"));
	/* Refusals and nonsense: each named, no token in the words. */
	struct fake e190 = { .n = 1, .status = { 400 }, .body = {
	    "{\"error\":{\"message\":\"Error validating verification code\","
	    "\"type\":\"OAuthException\",\"code\":100}}" } };
	assert_int_equal(redeem(&e190, "instagram", NULL, &g, &why, a), RC_FORBIDDEN);
	assert_string_equal(why, "HTTP 400: Error validating verification code (code 100)");
	struct fake html = { .n = 1, .status = { 502 }, .body = { "<html>Bad gateway</html>" } };
	assert_int_equal(redeem(&html, "x", NULL, &g, &why, a), RC_UPSTREAM);
	assert_string_equal(why, "HTTP 502, not a JSON object from the token endpoint");
	struct fake missing = { .n = 1, .status = { 200 }, .body = { "{\"token_type\":\"bearer\"}" } };
	assert_int_equal(redeem(&missing, "linkedin", NULL, &g, &why, a), RC_UPSTREAM);
	assert_string_equal(why, "the token endpoint's answer has no access_token");
	struct fake oauth = { .n = 1, .status = { 400 }, .body = { "{\"error\":\"invalid_grant\"}" } };
	assert_int_equal(redeem(&oauth, "tiktok", NULL, &g, &why, a), RC_FORBIDDEN);
	assert_string_equal(why, "HTTP 400: invalid_grant");
	struct fake down = { .n = 0 };
	assert_int_equal(redeem(&down, "x", NULL, &g, &why, a), RC_UPSTREAM);
	assert_non_null(strstr(why, "did not answer"));
	/* The exchange refused after a good code: the whole connect fails. */
	struct fake ex = { .n = 2, .status = { 200, 400 }, .body = {
	    "{\"data\":[{\"access_token\":\"SHORT\"}]}",
	    "{\"error\":{\"message\":\"Invalid OAuth access token\",\"code\":190}}" } };
	assert_int_equal(redeem(&ex, "instagram", NULL, &g, &why, a), RC_FORBIDDEN);
	assert_non_null(strstr(why, "(code 190)"));
	arena_free(a);
}

static void
test_renew(void **state)
{
	struct arena *a = arena_new(16384, 0);
	struct fake x = { .n = 1, .status = { 200 }, .body = {
	    "{\"access_token\":\"A2\",\"expires_in\":7200}" } };
	struct conn c = { .http = { fake_perform, &x }, .now = fake_now };
	struct conn_def d = { .name = "n", .net = conn_network_find("x"), .client_id = "id",
	    .client_secret = (char *)"sec", .token_url = "https://t.example/token" };
	json_t *rec = json_pack("{s:s, s:s}", "access_token", "A1", "refresh_token", "R1");
	json_t *norefresh = json_pack("{s:s}", "access_token", "A1");
	struct conn_grant g;
	const char *why = NULL;

	(void)state;
	assert_int_equal(conn_oauth_renew(&c, a, &d, rec, &g, &why), RC_OK);
	assert_string_equal(g.access_token, "A2");
	/* X kept no new refresh token in this answer: the old one stays. */
	assert_string_equal(g.refresh_token, "R1");
	assert_string_equal(x.forms[0], "grant_type=refresh_token&refresh_token=R1");
	assert_int_equal(conn_oauth_renew(&c, a, &d, norefresh, &g, &why), RC_NOTFOUND);
	assert_non_null(strstr(why, "reconnect"));
	json_decref(rec);
	json_decref(norefresh);
	arena_free(a);
}

static void
test_revoke_at_network(void **state)
{
	struct arena *a = arena_new(16384, 0);
	struct fake ok = { .n = 3, .status = { 200, 200, 200 }, .body = { "{\"revoked\":true}",
	    "{\"revoked\":true}", "{\"success\":true}" } };
	struct conn c = { .http = { fake_perform, &ok }, .now = fake_now };
	struct conn_def x = { .name = "x", .net = conn_network_find("x"), .client_id = "id",
	    .client_secret = (char *)"sec", .revoke_url = "https://x.example/2/oauth2/revoke" };
	struct conn_def ig = { .name = "i", .net = conn_network_find("instagram"),
	    .client_id = "id", .api_url = "https://g.example" };
	struct conn_def li = { .name = "l", .net = conn_network_find("linkedin"), .client_id = "id" };
	struct conn_def tt = { .name = "t", .net = conn_network_find("tiktok"), .client_id = "ck",
	    .client_secret = (char *)"cs", .revoke_url = "https://t.example/v2/oauth/revoke/" };
	json_t *rec = json_pack("{s:s, s:s}", "access_token", "A1", "refresh_token", "R1");
	const char *why = NULL;

	(void)state;
	/* X: the refresh token, then the access token (client auth by HTTP Basic). */
	assert_int_equal(conn_oauth_revoke(&c, a, &x, rec, &why), RC_OK);
	assert_string_equal(ok.forms[0], "token=R1&token_type_hint=refresh_token");
	assert_string_equal(ok.forms[1], "token=A1&token_type_hint=access_token");
	assert_string_equal(ok.urls[1], "https://x.example/2/oauth2/revoke");
	/* Meta: DELETE /me/permissions with the access token. */
	assert_int_equal(conn_oauth_revoke(&c, a, &ig, rec, &why), RC_OK);
	assert_string_equal(ok.methods[2], "DELETE");
	assert_string_equal(ok.urls[2], "https://g.example/me/permissions?access_token=A1");
	/* LinkedIn: none documented, said so. */
	assert_int_equal(conn_oauth_revoke(&c, a, &li, rec, &why), RC_NOTFOUND);
	assert_non_null(strstr(why, "linkedin documents no way to revoke"));
	/* TikTok: client_key and client_secret in the form; a failure named. */
	struct fake bad = { .n = 1, .status = { 503 }, .body = { "<html>Over capacity</html>" } };
	c.http.arg = &bad;
	assert_int_equal(conn_oauth_revoke(&c, a, &tt, rec, &why), RC_UPSTREAM);
	assert_string_equal(why, "HTTP 503 from the network's revocation endpoint");
	assert_string_equal(bad.forms[0], "token=R1&token_type_hint=refresh_token&client_key=ck"
	    "&client_secret=cs");
	struct fake refused = { .n = 1, .status = { 400 }, .body = {
	    "{\"error\":{\"message\":\"Error validating access token\",\"code\":190}}" } };
	c.http.arg = &refused;
	assert_int_equal(conn_oauth_revoke(&c, a, &ig, rec, &why), RC_FORBIDDEN);
	assert_string_equal(why, "HTTP 400: Error validating access token (code 190)");
	struct fake down = { .n = 0 };
	c.http.arg = &down;
	assert_int_equal(conn_oauth_revoke(&c, a, &x, rec, &why), RC_UPSTREAM);
	assert_non_null(strstr(why, "the network's revocation endpoint did not answer"));
	json_decref(rec);
	arena_free(a);
}

/* ---- a renewal and a revoke at once, in two processes on one store */

static char race_log[300];

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Each network call writes "S who ms" and "E who ms" around 400 ms of
 * waiting, so the two processes' calls show whether they overlapped. */
static enum rc
slow_perform(void *arg, struct arena *a, const struct http_request *rq,
    struct http_response *rs)
{
	const char *who = arg;
	const char *body = strstr(rq->url, "revoke") != NULL ? "{\"revoked\":true}" :
	    "{\"access_token\":\"A2\",\"refresh_token\":\"R2\",\"expires_in\":7200}";
	char line[64];
	int fd = open(race_log, O_WRONLY | O_APPEND | O_CREAT, 0600);

	if (fd < 0)
		return RC_IO;
	snprintf(line, sizeof(line), "S %s %lld\n", who, ms_now());
	(void)!write(fd, line, strlen(line));
	poll(NULL, 0, 400);
	snprintf(line, sizeof(line), "E %s %lld\n", who, ms_now());
	(void)!write(fd, line, strlen(line));
	close(fd);
	rs->status = 200;
	rs->body = arena_strdup(a, body);
	rs->body_len = strlen(body);
	return RC_OK;
}

static long long
long_ago(void)
{
	return (long long)time(NULL) - 100;
}

static struct config *
race_config(void)
{
	struct config *cfg = NULL;
	char *errs = NULL, text[2048];

	write_key();
	snprintf(text, sizeof(text), "site_url = \"https://www.example.com\"\nstate_dir = \"%s\"\n"
	    "connection_keys = {\"k1:%s\"}\n"
	    "connection xc { network = \"x\" client_id = \"id\" client_secret = \"sec\" "
	    "token_url = \"https://t.example/token\" revoke_url = \"https://t.example/revoke\" }\n",
	    conf_fixture_dir(), keypath);
	assert_int_equal(conf_fixture_load(features, text, &cfg, &errs), RC_OK);
	free(errs);
	return cfg;
}

/* A grant obtained 100 s ago that expires in 2 s: due for renewal now. */
static void
race_connect(const struct config *cfg)
{
	struct conn *c = NULL;
	struct conn_grant g = { .access_token = "A1", .refresh_token = "R1",
	    .expires_at = (long long)time(NULL) + 2 };

	assert_int_equal(conn_open(cfg, &c), RC_OK);
	c->now = long_ago;
	assert_int_equal(conn_store_grant(c, conn_find(c, "xc"), &g, "connect"), RC_OK);
	conn_close(c);
}

/* The refresher's side, in a child: one look at the connections. */
static pid_t
race_renewer(const struct config *cfg, int start_ms)
{
	pid_t pid = fork();
	volatile sig_atomic_t stop = 0;
	struct conn *c = NULL;

	if (pid != 0)
		return pid;
	poll(NULL, 0, start_ms);
	if (conn_open(cfg, &c) != RC_OK)
		_exit(2);
	c->http = (struct http_ops){ slow_perform, (void *)"renew" };
	(void)conn_refresh(c, &stop);
	conn_close(c);
	_exit(0);
}

/* No two calls overlap: every S is followed by the E of the same caller. */
static void
expect_no_overlap(int *calls)
{
	char kind[4], who[16], prev[16] = "";
	long long ms;
	FILE *f = fopen(race_log, "r");
	bool open_call = false;

	*calls = 0;
	assert_non_null(f);
	while (fscanf(f, "%3s %15s %lld", kind, who, &ms) == 3) {
		if (kind[0] == 'S') {
			assert_false(open_call);
			open_call = true;
			snprintf(prev, sizeof(prev), "%s", who);
			(*calls)++;
		} else {
			assert_true(open_call);
			assert_string_equal(prev, who);
			open_call = false;
		}
	}
	fclose(f);
	assert_false(open_call);
}

static void
race_round(int renew_start_ms, int revoke_start_ms, int *renew_calls)
{
	struct config *cfg = race_config();
	struct arena *a = arena_new(16384, 0);
	struct conn *c = NULL;
	const char *net = "unset";
	json_t *st, *rec = NULL;
	int status = -1, calls = 0;
	pid_t pid;

	snprintf(race_log, sizeof(race_log), "%s/race.log", conf_fixture_dir());
	unlink(race_log);
	race_connect(cfg);
	pid = race_renewer(cfg, renew_start_ms);
	assert_int_equal(conn_open(cfg, &c), RC_OK);
	c->http = (struct http_ops){ slow_perform, (void *)"revoke" };
	poll(NULL, 0, revoke_start_ms);
	assert_int_equal(conn_revoke(c, a, "xc", "test", &net), RC_OK);
	assert_null(net);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The revoke stands: no renewal wrote its token or its state over it. */
	st = conn_state_get(c, "xc");
	assert_string_equal(json_string_value(json_object_get(st, "state")), "revoked");
	assert_int_equal(tokens_get(c->store, c->ring, "xc", &rec, NULL), RC_NOTFOUND);
	json_decref(st);
	expect_no_overlap(&calls);
	*renew_calls = calls;
	conn_close(c);
	arena_free(a);
	config_free(cfg);
}

/* A lease another node keeps past the wait: the revoke answers
 * RC_UNAVAILABLE (the page's "try again") and changes nothing. */
static void
test_revoke_busy(void **state)
{
	struct config *cfg = race_config();
	struct arena *a = arena_new(16384, 0);
	struct conn *c = NULL;
	const char *net = "unset";
	bool held = false;
	json_t *st, *rec = NULL;

	(void)state;
	race_connect(cfg);
	assert_int_equal(conn_open(cfg, &c), RC_OK);
	c->http = (struct http_ops){ slow_perform, (void *)"revoke" };
	assert_int_equal(store_lease(c->store, "conn:lease:xc", "other-node", 30000, &held), RC_OK);
	assert_true(held);
	assert_int_equal(conn_revoke(c, a, "xc", "test", &net), RC_UNAVAILABLE);
	assert_null(net);
	st = conn_state_get(c, "xc");
	assert_string_equal(json_string_value(json_object_get(st, "state")), "connected");
	assert_int_equal(tokens_get(c->store, c->ring, "xc", &rec, NULL), RC_OK);
	assert_int_equal(conn_revoke(c, a, "nope", "test", &net), RC_NOTFOUND);
	assert_int_equal(store_lease_release(c->store, "conn:lease:xc", "other-node"), RC_OK);
	json_decref(rec);
	json_decref(st);
	conn_close(c);
	arena_free(a);
	config_free(cfg);
}

static void
test_renew_revoke_race(void **state)
{
	int calls = 0;

	(void)state;
	/* The renewal first: the revoke waits for it, then revokes what it
	 * stored (refresh and access token: 2 calls), 3 in all. */
	race_round(0, 150, &calls);
	assert_int_equal(calls, 3);
	/* The revoke first: the renewal finds the lease taken and skips; the
	 * revoke's 2 calls are all. */
	race_round(250, 0, &calls);
	assert_int_equal(calls, 2);
}

/* A child that holds the test store's SQLite file locked (BEGIN
 * EXCLUSIVE) from before this returns until hold_ms pass (-1: until
 * locker_end); *ctl is the parent's end of the control pipe. */
static pid_t
locker_start(int hold_ms, int *ctl)
{
	char db[512], ready;
	int up[2], down[2];
	pid_t pid;

	snprintf(db, sizeof(db), "%s/store.sqlite", conf_fixture_dir());
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *h = NULL;
		struct pollfd p = { .fd = down[0], .events = POLLIN };
		close(up[0]);
		close(down[1]);
		if (sqlite3_open(db, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
			_exit(2);
		(void)!write(up[1], "x", 1);
		(void)poll(&p, 1, hold_ms);
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(h);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &ready, 1), 1);
	close(up[0]);
	*ctl = down[1];
	return pid;
}

static void
locker_end(pid_t pid, int ctl)
{
	int status = -1;

	close(ctl);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The store fails for a moment (another process holds the SQLite file
 * past its busy wait, as a Redis call times out on a loaded host): the
 * revoke waits it out within its budget instead of answering "try again". */
static void
test_revoke_store_blip(void **state)
{
	struct config *cfg = race_config();
	struct arena *a = arena_new(16384, 0);
	struct conn *c = NULL;
	const char *net = "unset";
	long long t0;
	json_t *st;
	pid_t pid;
	int ctl;

	(void)state;
	snprintf(race_log, sizeof(race_log), "%s/race.log", conf_fixture_dir());
	race_connect(cfg);
	/* Held 2.5 s: past the local store's 2 s busy wait, inside the
	 * revoke's 5 s. */
	pid = locker_start(2500, &ctl);
	assert_int_equal(conn_open(cfg, &c), RC_OK);
	c->http = (struct http_ops){ slow_perform, (void *)"revoke" };
	t0 = ms_now();
	assert_int_equal(conn_revoke(c, a, "xc", "test", &net), RC_OK);
	assert_true(ms_now() - t0 >= 2000); /* it did meet the locked file */
	assert_null(net);
	st = conn_state_get(c, "xc");
	assert_string_equal(json_string_value(json_object_get(st, "state")), "revoked");
	json_decref(st);
	locker_end(pid, ctl);
	conn_close(c);
	arena_free(a);
	config_free(cfg);
}

/* A release the store misses twice: the lease stays ours (it lapses in
 * CONN_LEASE_MS), never handed to another holder; a later release frees it. */
static void
test_release_missed(void **state)
{
	struct config *cfg = race_config();
	struct conn *c = NULL;
	bool held = true;
	pid_t pid;
	int ctl;

	(void)state;
	race_connect(cfg);
	assert_int_equal(conn_open(cfg, &c), RC_OK);
	assert_int_equal(conn_lease(c, "xc", 0), RC_OK);
	pid = locker_start(-1, &ctl);
	conn_lease_release(c, "xc");          /* both tries meet the lock */
	locker_end(pid, ctl);
	assert_int_equal(store_lease(c->store, "conn:lease:xc", "other-node", 30000, &held),
	    RC_OK);
	assert_false(held);
	conn_lease_release(c, "xc");
	assert_int_equal(store_lease(c->store, "conn:lease:xc", "other-node", 30000, &held),
	    RC_OK);
	assert_true(held);
	assert_int_equal(store_lease_release(c->store, "conn:lease:xc", "other-node"), RC_OK);
	conn_close(c);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_authorize_url),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test(test_redeem),
		cmocka_unit_test(test_renew),
		cmocka_unit_test(test_revoke_at_network),
		cmocka_unit_test(test_renew_revoke_race),
		cmocka_unit_test(test_revoke_busy),
		cmocka_unit_test(test_revoke_store_blip),
		cmocka_unit_test(test_release_missed),
	};
	return cmocka_run_group_tests(tests, conf_fixture_setup, conf_fixture_teardown);
}

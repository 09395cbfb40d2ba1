/* test_moderation: the rules (word boundaries, Unicode case folding,
 * domains and subdomains, authors, sensitive media, precedence), the
 * decision store on the local backend (queue, decisions, another stream's
 * key refused, audit as JSON and CSV, generation), and the merge showing
 * exactly what the decisions let through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tmpdir_fixture.h"
#include "util/store.h"
#include "widgets/streams/mod_rules.h"
#include "widgets/streams/moderation.h"
#include "widgets/streams/stream.h"

#define NOW 1796558400LL

static struct arena *A;

static int
setup(void **state)
{
	(void)state;
	A = arena_new(64 * 1024, 0);
	return A == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	arena_free(A);
	return 0;
}

/* ---- rules ---- */

static void
t_fold(void **state)
{
	(void)state;
	assert_string_equal(mod_fold(A, "ÄRGER"), "ärger");
	assert_string_equal(mod_fold(A, "Straße"), "strasse");
	assert_string_equal(mod_fold(A, "ΣΊΣΥΦΟΣ"), "σίσυφοσ");
	assert_string_equal(mod_fold(A, "İstanbul"), "i̇stanbul");
	assert_string_equal(mod_fold(A, "plain"), "plain");
	assert_null(mod_fold(A, "bad \xff utf-8"));
}

static void
t_words(void **state)
{
	static const struct { const char *text, *word; bool hit; } cases[] = {
		{ "buy followers now", "followers", true },
		{ "buy FOLLOWERS now", "followers", true },
		{ "unfollowers", "followers", false },         /* inside a word */
		{ "followersX", "followers", false },
		{ "followers_", "followers", false },          /* '_' belongs to words */
		{ "followers!", "followers", true },
		{ "(followers)", "followers", true },
		{ "followers", "followers", true },
		{ "follow", "followers", false },
		{ "giveaways here", "giveaway*", true },       /* prefix */
		{ "a giveaway", "giveaway*", true },
		{ "pregiveaway", "giveaway*", false },
		{ "pure ÄRGER here", "ärger", true },          /* non-ASCII case */
		{ "ÄRGERLICH", "ärger", false },               /* non-ASCII boundary */
		{ "großÄRGER", "ärger", false },
		{ "STRASSE", "straße", true },                 /* full folding */
		{ "Straßenbahn", "straße", false },
		{ "käse-brot", "käse", true },
		{ "cafe\xcc\x81", "cafe", false },             /* a combining mark continues */
		{ "日本語テキスト", "テキスト", false },         /* no spaces: letters on both sides */
		{ "「テキスト」", "テキスト", true },
		{ "multi word phrase here", "word phrase", true },
		{ "", "x", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = mod_fold(A, cases[i].text), *w = mod_fold(A, cases[i].word);
		assert_non_null(t);
		assert_non_null(w);
		if (mod_word_in(t, w) != cases[i].hit)
			fail_msg("case %zu: \"%s\" in \"%s\": want %d", i, cases[i].word,
			    cases[i].text, cases[i].hit);
	}
}

static void
t_domains(void **state)
{
	(void)state;
	assert_true(mod_domain_match("badsite.example", "badsite.example"));
	assert_true(mod_domain_match("promo.badsite.example", "badsite.example"));
	assert_true(mod_domain_match("A.B.BADSITE.example", "badsite.EXAMPLE"));
	assert_false(mod_domain_match("notbadsite.example", "badsite.example"));
	assert_false(mod_domain_match("badsite.example.org", "badsite.example"));
	assert_false(mod_domain_match("example", "badsite.example"));
	assert_false(mod_domain_match("x.example", ""));
}

static struct feed_item
item(const char *author_url, const char *html)
{
	struct feed_item it;
	struct feed_person *p = arena_calloc(A, 1, sizeof(*p));

	memset(&it, 0, sizeof(it));
	p->url = (char *)author_url;
	p->name = (char *)"Someone";
	it.authors = p;
	it.nauthors = author_url != NULL ? 1 : 0;
	it.id = (char *)"https://o.example/s/1";
	it.url = (char *)"https://o.example/@x/1";
	it.content_html = (char *)html;
	it.published = NOW - 60;
	return it;
}

static void
t_rules(void **state)
{
	static const char *trusted[] = { "@ambassador@mastodon.example", "@brand.bsky.social" };
	static const char *blocked_a[] = { "@Spammer@Spam.example",
		"https://bsky.app/profile/troll.bsky.social" };
	static const char *words[] = { "ärger", "followers" };
	static const char *domains[] = { "badsite.example" };
	struct mod_rules r = { trusted, blocked_a, words, domains, 2, 2, 2, 1, true };
	char reason[MOD_REASON_MAX];
	struct feed_item it;

	(void)state;
	it = item("https://social.example/@fan", "<p>Love it</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "Love it", reason), MOD_VERDICT_QUEUE);
	assert_string_equal(reason, "");
	assert_string_equal(mod_author_handle(A, &it), "@fan@social.example");

	it = item("https://mastodon.example/@Ambassador", "<p>Official</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "Official", reason), MOD_VERDICT_APPROVE);
	assert_non_null(strstr(reason, "trusted author"));
	it = item("https://bsky.app/profile/brand.bsky.social", "<p>x</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "x", reason), MOD_VERDICT_APPROVE);

	it = item("https://spam.example/@spammer", "<p>hi</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "hi", reason), MOD_VERDICT_REJECT);
	assert_non_null(strstr(reason, "blocked author"));
	it = item("https://bsky.app/profile/troll.bsky.social", "<p>hi</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "hi", reason), MOD_VERDICT_REJECT);

	it = item("https://social.example/@fan", "<p>pure ÄRGER</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "pure ÄRGER", reason), MOD_VERDICT_REJECT);
	assert_non_null(strstr(reason, "blocked word \"ärger\""));
	it = item("https://social.example/@fan", "<p>ÄRGERLICH</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "ÄRGERLICH", reason), MOD_VERDICT_QUEUE);

	it = item("https://social.example/@fan",
	    "<p>see <a href=\"https://promo.badsite.example/x?a=1\">this</a></p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "see this", reason), MOD_VERDICT_REJECT);
	assert_non_null(strstr(reason, "blocked domain badsite.example"));
	it = item("https://social.example/@fan", "<p>x</p>");
	it.external_url = (char *)"http://BADSITE.example/";
	assert_int_equal(mod_rules_check(A, &r, &it, "x", reason), MOD_VERDICT_REJECT);
	it = item("https://social.example/@fan",
	    "<p><a href=\"https://notbadsite.example/\">ok</a></p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "ok", reason), MOD_VERDICT_QUEUE);

	it = item("https://social.example/@fan", "<p>x</p>");
	it.sensitive = true;
	assert_int_equal(mod_rules_check(A, &r, &it, "x", reason), MOD_VERDICT_REJECT);
	assert_string_equal(reason, "sensitive media");
	r.reject_sensitive = false;
	assert_int_equal(mod_rules_check(A, &r, &it, "x", reason), MOD_VERDICT_QUEUE);

	/* A trusted author's blocked word is still rejected. */
	it = item("https://mastodon.example/@ambassador", "<p>buy followers</p>");
	assert_int_equal(mod_rules_check(A, &r, &it, "buy followers", reason), MOD_VERDICT_REJECT);

	/* No author, no HTML: the queue, no crash. */
	it = item(NULL, NULL);
	assert_int_equal(mod_rules_check(A, &r, &it, NULL, reason), MOD_VERDICT_QUEUE);
}

static void
t_modes(void **state)
{
	enum mod_mode m;

	(void)state;
	assert_true(mod_mode_parse("queue", &m));
	assert_int_equal(m, MOD_QUEUE);
	assert_true(mod_mode_parse("auto", &m));
	assert_int_equal(m, MOD_AUTO);
	assert_false(mod_mode_parse("Queue", &m));
	assert_false(mod_mode_parse(NULL, &m));
}

/* ---- the decision store (local SQLite) ---- */

struct env {
	struct tmpdir dir;
	struct store *st;
	struct mod *m;
};

static struct env E;

static int
setup_store(void **state)
{
	struct store_conf c = { 0 };

	(void)state;
	if (setup(state) != 0 || tmpdir_init(&E.dir, "mod") != 0)
		return 1;
	c.local_dir = E.dir.path;
	if (store_open(&c, &E.st) != RC_OK || mod_new(E.st, &E.m) != RC_OK)
		return 1;
	return 0;
}

static int
teardown_store(void **state)
{
	mod_free(E.m);
	store_close(E.st);
	tmpdir_fini(&E.dir);
	return teardown(state);
}

/* Queues n items of source "tag" in stream `stream` through a view, as a
 * merge would, and returns their keys (arena). */
static char **
enqueue(const char *stream, size_t n, const char *prefix)
{
	struct mod_view *v;
	char **keys = arena_calloc(A, n, sizeof(*keys));
	long pin;
	bool feat;

	assert_int_equal(mod_view_load(E.m, A, stream, &v), RC_OK);
	for (size_t i = 0; i < n; i++) {
		struct feed_item it = item("https://social.example/@fan", "<p>x</p>");
		it.id = arena_printf(A, "https://o.example/s/%s%zu", prefix, i);
		it.url = it.id;
		it.title = arena_printf(A, "post %s%zu", prefix, i);
		it.published = NOW - (long long)i;
		assert_false(mod_view_visible(v, "tag", "de", MOD_QUEUE, &it, it.title,
		    MOD_VERDICT_QUEUE, "", &pin, &feat));
		keys[i] = arena_alloc(A, MOD_KEY_LEN + 1);
		mod_item_key("tag", &it, keys[i]);
	}
	assert_int_equal(mod_view_flush(E.m, v), RC_OK);
	return keys;
}

static void
t_decide(void **state)
{
	char **a = enqueue("brand", 3, "a"), **b = enqueue("other", 1, "b");
	struct mod_request r = { .stream = "brand", .keys = (const char *const *)a, .nkeys = 1,
		.action = MOD_APPROVE, .who = "oidc:agency-1 (mod@agency.example)", .now = NOW };
	struct mod_view *v;
	const struct mod_decision *d;
	long long gen0, gen;
	size_t done;

	(void)state;
	assert_int_equal(mod_gen(E.m, "brand", &gen0), RC_OK);
	assert_int_equal(mod_decide(E.m, &r, &done), RC_OK);
	assert_int_equal(done, 1);
	r.keys = (const char *const *)&a[1];
	r.action = MOD_REJECT;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	r.keys = (const char *const *)&a[2];
	r.action = MOD_PIN;
	r.pin = 2;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	assert_int_equal(mod_gen(E.m, "brand", &gen), RC_OK);
	assert_int_equal(gen, gen0 + 3);

	/* Another stream's key, alone or in a batch: refused, nothing written. */
	r.keys = (const char *const *)b;
	r.action = MOD_APPROVE;
	assert_int_equal(mod_decide(E.m, &r, &done), RC_NOTFOUND);
	assert_int_equal(done, 0);
	{
		const char *mix[] = { a[0], b[0] };
		r.keys = mix;
		r.nkeys = 2;
		r.action = MOD_REJECT;
		assert_int_equal(mod_decide(E.m, &r, &done), RC_NOTFOUND);
		r.nkeys = 1;
	}
	/* Bad input. */
	r.keys = (const char *const *)a;
	r.action = MOD_PIN;
	r.pin = 0;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_INVALID);
	r.action = MOD_APPROVE;
	r.who = "";
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_INVALID);
	r.who = "x";
	{
		const char *bad[] = { "../../etc/passwd" };
		r.keys = bad;
		assert_int_equal(mod_decide(E.m, &r, NULL), RC_INVALID);
	}

	assert_int_equal(mod_view_load(E.m, A, "brand", &v), RC_OK);
	d = mod_view_get(v, a[0]);
	assert_non_null(d);
	assert_int_equal(d->state, MOD_APPROVED);
	assert_string_equal(d->by, "oidc:agency-1 (mod@agency.example)");
	assert_int_equal(d->at, NOW);
	assert_int_equal(mod_view_get(v, a[1])->state, MOD_REJECTED);
	assert_int_equal(mod_view_get(v, a[2])->state, MOD_APPROVED);
	assert_int_equal(mod_view_get(v, a[2])->pin, 2);
	assert_null(mod_view_get(mod_view_load(E.m, A, "other", &v) == RC_OK ? v : NULL, a[0]));
}

static void
t_visible(void **state)
{
	char **k = enqueue("brand", 2, "v");
	struct mod_request r = { .stream = "brand", .keys = (const char *const *)k, .nkeys = 1,
		.action = MOD_FEATURE, .who = "u", .now = NOW };
	struct mod_view *v;
	struct feed_item it = item("https://social.example/@fan", "<p>x</p>");
	long pin;
	bool feat;

	(void)state;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	assert_int_equal(mod_view_load(E.m, A, "brand", &v), RC_OK);
	it.id = (char *)"https://o.example/s/v0";
	assert_true(mod_view_visible(v, "tag", NULL, MOD_QUEUE, &it, "x", MOD_VERDICT_QUEUE, "",
	    &pin, &feat));
	assert_true(feat);
	/* A decision beats the rules. */
	assert_true(mod_view_visible(v, "tag", NULL, MOD_QUEUE, &it, "x", MOD_VERDICT_REJECT, "",
	    &pin, &feat));
	/* Undecided: the mode and the rules. */
	it.id = (char *)"https://o.example/s/v1";
	assert_false(mod_view_visible(v, "tag", NULL, MOD_QUEUE, &it, "x", MOD_VERDICT_QUEUE, "",
	    &pin, &feat));
	assert_true(mod_view_visible(v, "tag", NULL, MOD_QUEUE, &it, "x", MOD_VERDICT_APPROVE, "",
	    &pin, &feat));
	assert_true(mod_view_visible(v, "tag", NULL, MOD_AUTO, &it, "x", MOD_VERDICT_QUEUE, "",
	    &pin, &feat));
	assert_false(mod_view_visible(v, "tag", NULL, MOD_AUTO, &it, "x", MOD_VERDICT_REJECT, "",
	    &pin, &feat));
	/* Hidden after approval. */
	r.action = MOD_HIDE;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	assert_int_equal(mod_view_load(E.m, A, "brand", &v), RC_OK);
	it.id = (char *)"https://o.example/s/v0";
	assert_false(mod_view_visible(v, "tag", NULL, MOD_AUTO, &it, "x", MOD_VERDICT_APPROVE, "",
	    &pin, &feat));
	/* Without a view nothing queued is shown. */
	assert_false(mod_view_visible(NULL, "tag", NULL, MOD_QUEUE, &it, "x", MOD_VERDICT_QUEUE, "",
	    &pin, &feat));
}

static void
t_queue_and_audit(void **state)
{
	char **k = enqueue("brand", 5, "q");
	struct mod_request r = { .stream = "brand", .keys = (const char *const *)k, .nkeys = 2,
		.action = MOD_REJECT, .who = "=cmd|' /C calc'!A0", .now = NOW };
	struct mod_filter f = { .limit = 100 };
	json_t *rows, *audit;
	size_t total;
	char *csv;

	(void)state;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	assert_int_equal(mod_queue(E.m, A, "brand", &f, &rows, &total), RC_OK);
	assert_int_equal(total, 5);
	json_decref(rows);
	f.state = "pending";
	assert_int_equal(mod_queue(E.m, A, "brand", &f, &rows, &total), RC_OK);
	assert_int_equal(total, 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "state")),
	    "pending");
	json_decref(rows);
	f.state = "rejected";
	f.text = "POST Q1";
	assert_int_equal(mod_queue(E.m, A, "brand", &f, &rows, &total), RC_OK);
	assert_int_equal(total, 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "by")),
	    "=cmd|' /C calc'!A0");
	json_decref(rows);
	f.state = NULL;
	f.text = NULL;
	f.market = "fr";
	assert_int_equal(mod_queue(E.m, A, "brand", &f, &rows, &total), RC_OK);
	assert_int_equal(total, 0);
	json_decref(rows);
	f.market = "de";
	f.source = "tag";
	f.offset = 4;
	assert_int_equal(mod_queue(E.m, A, "brand", &f, &rows, &total), RC_OK);
	assert_int_equal(total, 5);
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);

	assert_int_equal(mod_audit(E.m, "brand", 100, &audit), RC_OK);
	assert_int_equal(json_array_size(audit), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(audit, 0), "action")),
	    "reject");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(audit, 0), "at")), NOW);
	csv = mod_audit_csv(A, audit);
	assert_non_null(csv);
	assert_non_null(strstr(csv, "at,who,stream,key,action,pin,url\r\n"));
	/* A formula is defused. */
	assert_non_null(strstr(csv, ",'=cmd|' /C calc'!A0,"));
	assert_non_null(strstr(csv, "2026-12-"));
	json_decref(audit);
	assert_int_equal(mod_audit(E.m, "nosuch", 100, &audit), RC_OK);
	assert_int_equal(json_array_size(audit), 0);
	json_decref(audit);
}

/* ---- the merge ---- */

static void
t_merge(void **state)
{
	struct stream_source src[1];
	struct stream_conf sc;
	struct feed f;
	struct feed_item items[4];
	struct stream_input in[1];
	struct stream_merged out;
	struct mod_view *v;
	char keys[4][MOD_KEY_LEN + 1];
	const char *dec[2];
	struct mod_request r = { .stream = "m", .nkeys = 1, .who = "u", .now = NOW };

	(void)state;
	memset(src, 0, sizeof(src));
	memset(&sc, 0, sizeof(sc));
	memset(&f, 0, sizeof(f));
	src[0].name = "tag";
	src[0].url = "https://m.example/api/v1/timelines/tag/x";
	src[0].moderation = MOD_QUEUE;
	sc.name = "m";
	sc.sources = src;
	sc.nsources = 1;
	sc.max_items = 100;
	sc.moderated = true;
	for (size_t i = 0; i < 4; i++) {
		items[i] = item("https://social.example/@fan", "<p>x</p>");
		items[i].id = arena_printf(A, "https://o.example/s/m%zu", i);
		items[i].url = items[i].id;
		items[i].title = items[i].id;
		items[i].published = NOW - 100 * (long long)i;
		mod_item_key("tag", &items[i], keys[i]);
	}
	f.items = items;
	f.nitems = 4;
	in[0].source = &src[0];
	in[0].feed = &f;

	/* Nothing decided: nothing shown, all four queued. */
	assert_int_equal(mod_view_load(E.m, A, "m", &v), RC_OK);
	assert_int_equal(stream_merge(A, &sc, in, 1, NULL, v, NOW, &out), RC_OK);
	assert_int_equal(out.feed.nitems, 0);
	assert_int_equal(mod_view_flush(E.m, v), RC_OK);

	/* Approve 0, reject 1, pin 3; 2 stays pending. */
	dec[0] = keys[0];
	r.keys = dec;
	r.action = MOD_APPROVE;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	dec[0] = keys[1];
	r.action = MOD_REJECT;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	dec[0] = keys[3];
	r.action = MOD_PIN;
	r.pin = 1;
	assert_int_equal(mod_decide(E.m, &r, NULL), RC_OK);
	assert_int_equal(mod_view_load(E.m, A, "m", &v), RC_OK);
	assert_int_equal(stream_merge(A, &sc, in, 1, NULL, v, NOW, &out), RC_OK);
	assert_int_equal(out.feed.nitems, 2);
	assert_string_equal(out.feed.items[0].id, "https://o.example/s/m3");   /* pinned first */
	assert_string_equal(out.feed.items[1].id, "https://o.example/s/m0");
	assert_int_equal(out.npinned, 1);

	/* No view (store down): nothing queued shows. */
	assert_int_equal(stream_merge(A, &sc, in, 1, NULL, NULL, NOW, &out), RC_OK);
	assert_int_equal(out.feed.nitems, 0);
	/* The same stream in auto mode shows all but the rejected one. */
	src[0].moderation = MOD_AUTO;
	assert_int_equal(stream_merge(A, &sc, in, 1, NULL, v, NOW, &out), RC_OK);
	assert_int_equal(out.feed.nitems, 3);
}

/* The store down: a moderated stream is not merged (its last merge
 * stays), an unmoderated one is. */
static void
t_store_down(void **state)
{
	struct stream_source src[1];
	struct stream_conf sc;
	struct cache *c;
	char dir[256];

	(void)state;
	memset(src, 0, sizeof(src));
	memset(&sc, 0, sizeof(sc));
	src[0].name = "tag";
	src[0].url = "https://m.example/api/v1/timelines/tag/x";
	src[0].moderation = MOD_QUEUE;
	sc.name = "down";
	sc.sources = src;
	sc.nsources = 1;
	sc.max_items = 10;
	sc.moderated = true;
	assert_int_equal(cache_open(tmpdir_path(&E.dir, "cache", dir, sizeof(dir)), 1L << 20, &c),
	    RC_OK);
	assert_int_equal(stream_rebuild(c, &sc, NULL, NOW, true, NULL), RC_UNAVAILABLE);
	sc.moderated = false;
	src[0].moderation = MOD_AUTO;
	assert_int_equal(stream_rebuild(c, &sc, NULL, NOW, true, NULL), RC_OK);
	cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(t_words, setup, teardown),
		cmocka_unit_test_setup_teardown(t_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(t_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(t_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(t_decide, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(t_visible, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(t_queue_and_audit, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(t_merge, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(t_store_down, setup_store, teardown_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

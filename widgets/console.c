/* console: the moderation console. Every page and POST is authorized per
 * request from the config in force (admin_gate), every POST is checked
 * for its origin and CSRF token (admin_post_check), and a decision names
 * its stream, whose queue must hold each key (mod_decide): a moderator of
 * one stream cannot decide another's item by its key. */
#include "widgets/console.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fcgi/admin.h"
#include "util/html.h"
#include "util/log.h"
#include "widgets/media.h"
#include "widgets/publish.h"
#include "widgets/streams/streams_conf.h"

#define CONSOLE_PAGE_DEFAULT 50
#define CONSOLE_PAGE_MAX 500
#define CONSOLE_AUDIT_MAX 10000
#define CONSOLE_PREVIEW_MAX (4u * 1024 * 1024)

struct console {
	const struct config *cfg;
	struct arena *a;
	struct stream_conf *streams;
	size_t nstreams;
	struct store *st;
	struct mod *mod;
	struct cache *cache;
};

/* Keyboard shortcuts and select-all: the pages work without it. */
static const char console_js[] =
	"(function(){'use strict';\n"
	"var f=document.querySelector('form.social-mod__queue');if(!f)return;\n"
	"var rows=[].slice.call(f.querySelectorAll('tbody tr')),at=0;\n"
	"function mark(i){if(!rows.length)return;rows[at].classList.remove('is-current');"
	"at=Math.max(0,Math.min(rows.length-1,i));rows[at].classList.add('is-current');"
	"rows[at].scrollIntoView({block:'nearest'});}\n"
	"function act(a){var boxes=f.querySelectorAll('input[name=key]:checked');"
	"if(!boxes.length&&rows.length){rows[at].querySelector('input[name=key]').checked=true;}"
	"var b=f.querySelector('button[value='+a+']');if(b)b.click();}\n"
	"var all=f.querySelector('input.social-mod__all');if(all)all.addEventListener('change',"
	"function(){rows.forEach(function(r){r.querySelector('input[name=key]').checked=all.checked;});});\n"
	"document.addEventListener('keydown',function(e){var t=e.target.tagName;"
	"if(t==='INPUT'&&e.target.type!=='checkbox'||t==='SELECT'||t==='TEXTAREA'||e.ctrlKey||e.metaKey||e.altKey)return;\n"
	"switch(e.key){case 'j':mark(at+1);break;case 'k':mark(at-1);break;\n"
	"case 'x':if(rows.length){var c=rows[at].querySelector('input[name=key]');c.checked=!c.checked;}break;\n"
	"case 'a':act('approve');break;case 'r':act('reject');break;case 'p':act('pin');break;\n"
	"case 'h':act('hide');break;case 'f':act('feature');break;default:return;}e.preventDefault();});\n"
	"mark(0);})();\n";

/* ---- the store ---- */

enum rc
console_store_open(const struct config *cfg, struct store **st, struct mod **mod)
{
	struct store_conf conf;
	char *password = NULL;
	enum rc rc;

	*st = NULL;
	*mod = NULL;
	rc = config_store(cfg, &conf, &password);
	if (rc == RC_NOTFOUND) {
		memset(&conf, 0, sizeof(conf));
		conf.local_dir = cfg->state_dir;
		rc = RC_OK;
	}
	if (rc == RC_OK)
		rc = store_open(&conf, st);
	if (password != NULL)
		config_secret_wipe(password, strlen(password));
	if (rc == RC_OK)
		rc = mod_new(*st, mod);
	if (rc != RC_OK) {
		log_kv(LOG_ERROR, "moderation_store_unavailable", "error", rc_str(rc), NULL);
		store_close(*st);
		*st = NULL;
	}
	return rc;
}

enum rc
console_init(const struct config *cfg, void **ctx)
{
	struct console *c = calloc(1, sizeof(*c));
	enum rc rc = RC_NOMEM;

	*ctx = NULL;
	if (c == NULL)
		return RC_NOMEM;
	c->cfg = cfg;
	if ((c->a = arena_new(16 * 1024, 0)) == NULL ||
	    (rc = streams_conf_build(c->a, cfg->root, &c->streams, &c->nstreams)) != RC_OK ||
	    (rc = cache_open(cfg->cache_dir, cfg_getint(cfg->root, "cache_max_size"),
	    &c->cache)) != RC_OK) {
		console_fini(c);
		return rc;
	}
	/* A store that does not open is the console's 503, not the site's. */
	if (streams_conf_any_moderated(c->streams, c->nstreams))
		console_store_open(cfg, &c->st, &c->mod);
	*ctx = c;
	return RC_OK;
}

void
console_fini(void *ctx)
{
	struct console *c = ctx;

	if (c == NULL)
		return;
	mod_free(c->mod);
	store_close(c->st);
	cache_free(c->cache);
	arena_free(c->a);
	free(c);
}

/* ---- helpers ---- */

static const struct stream_conf *
stream_of(const struct console *c, const char *name)
{
	const struct stream_conf *sc = name != NULL ?
	    streams_conf_find(c->streams, c->nstreams, name) : NULL;

	return sc != NULL && sc->moderated ? sc : NULL;
}

static const char *
scope_of(struct request *req, const char *name)
{
	return arena_printf(request_arena(req), "stream:%s", name);
}

/*
 * The stream of the route, with the visitor allowed `perm` on it. The
 * grant is checked before the name: a moderator learns nothing of
 * streams outside their grants. False with *rc the reply made or the
 * error to answer.
 */
static bool
gate_stream(struct request *req, struct response *res, struct console *c,
    enum admin_perm perm, const struct stream_conf **out, enum rc *rc)
{
	const char *name = request_capture(req, 0);
	const char *scope = scope_of(req, name);

	*out = NULL;
	if (scope == NULL) {
		*rc = RC_NOMEM;
		return false;
	}
	if (!admin_gate(req, res, perm, scope, rc))
		return false;
	if ((*out = stream_of(c, name)) == NULL) {
		*rc = RC_NOTFOUND;
		return false;
	}
	if (c->mod == NULL) {
		*rc = RC_UNAVAILABLE;
		return false;
	}
	return true;
}

#define EMIT(expr) do { if (rc == RC_OK) rc = (expr); } while (0)

static enum rc
link_to(struct buf *b, const char *mount, const char *path, const char *name,
    const char *text)
{
	enum rc rc = buf_appendf(b, "<a href=\"%s", mount);

	EMIT(html_attr(b, path));
	EMIT(html_attr(b, name));
	EMIT(buf_appends(b, "\">"));
	EMIT(html_text(b, text));
	EMIT(buf_appends(b, "</a>"));
	return rc;
}

/* ---- GET /admin/moderation ---- */

static enum rc
con_home(struct request *req, struct response *res, void *ctx)
{
	struct console *c = ctx;
	struct buf *b = response_body(res);
	size_t shown = 0;
	enum rc rc;

	if (!admin_gate(req, res, ADMIN_VIEW, NULL, &rc))
		return rc;
	rc = admin_page_open(req, b, "Moderation");
	EMIT(buf_appends(b, "<ul class=\"social-mod__streams\">\n"));
	for (size_t i = 0; rc == RC_OK && i < c->nstreams; i++) {
		const struct stream_conf *sc = &c->streams[i];
		const char *scope = scope_of(req, sc->name);
		if (!sc->moderated || scope == NULL ||
		    admin_authorize(req, ADMIN_VIEW, scope) != RC_OK)
			continue;
		shown++;
		EMIT(buf_appends(b, "<li>"));
		EMIT(link_to(b, c->cfg->mount, "/admin/moderation/", sc->name,
		    sc->title != NULL ? sc->title : sc->name));
		EMIT(buf_appends(b, "</li>\n"));
	}
	EMIT(buf_appends(b, "</ul>\n"));
	if (shown == 0)
		EMIT(buf_appends(b, "<p>No moderated stream is yours to see.</p>\n"));
	EMIT(admin_page_close(req, b));
	return rc == RC_OK ? admin_page_send(res, 200) : rc;
}

/* ---- the queue page ---- */

enum { Q_SOURCE, Q_MARKET, Q_STATE, Q_TEXT, Q_OFFSET, Q_LIMIT, Q_ACTION, Q_PIN };

static const char *const states[] = { "pending", "approved", "rejected", "hidden", "all", NULL };
static const char *const actions[] = { "approve", "reject", "pin", "unpin", "hide",
	"feature", "unfeature", NULL };

static const struct param_spec queue_params[] = {
	[Q_SOURCE] = { "source", PARAM_TOKEN, 0, 64, 0, 0, NULL, NULL },
	[Q_MARKET] = { "market", PARAM_TOKEN, 0, 32, 0, 0, NULL, NULL },
	[Q_STATE] = { "state", PARAM_ENUM, 0, 0, 0, 0, states, NULL },
	[Q_TEXT] = { "q", PARAM_STRING, 0, 200, 0, 0, NULL, NULL },
	[Q_OFFSET] = { "offset", PARAM_INT, 0, 0, 0, 1000000, NULL, NULL },
	[Q_LIMIT] = { "limit", PARAM_INT, 0, 0, 1, CONSOLE_PAGE_MAX, NULL, NULL },
	[Q_ACTION] = { "action", PARAM_ENUM, 0, 0, 0, 0, actions, NULL },
	[Q_PIN] = { "pin", PARAM_INT, 0, 0, 1, MOD_PIN_MAX, NULL, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL },
};

static const char *
str_of(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* The preview of a held or shown item's picture, only when the refresher
 * has it in the media cache (/media/{id} serves nothing else). */
static enum rc
preview_img(struct request *req, struct buf *b, const struct console *c, const char *url)
{
	char id[MEDIA_ID_LEN + 1];
	char *path;
	struct stat st;

	if (url == NULL || url[0] == '\0')
		return RC_OK;
	media_id_for_url(url, id);
	path = publish_media_path(request_arena(req), c->cache, id);
	if (path == NULL || stat(path, &st) != 0)
		return buf_appends(b, "<span class=\"social-mod__noimg\">(picture not fetched yet)</span>");
	return buf_appendf(b, "<img class=\"social-mod__img\" src=\"%s/media/%s\" alt=\"\" "
	    "loading=\"lazy\" width=\"96\">", c->cfg->mount, id);
}

/* One post; `can_decide` adds its checkbox (a viewer's rows have none). */
static enum rc
row(struct request *req, struct buf *b, const struct console *c, const json_t *o,
    bool can_decide)
{
	const char *url = str_of(o, "url"), *title = str_of(o, "title");
	enum rc rc = buf_appends(b, "<tr>");

	if (can_decide) {
		EMIT(buf_appends(b, "<td><input type=\"checkbox\" name=\"key\" value=\""));
		EMIT(html_attr(b, str_of(o, "key")));
		EMIT(buf_appends(b, "\" aria-label=\"select\"></td>"));
	}
	EMIT(buf_appends(b, "<td>"));
	EMIT(preview_img(req, b, c, str_of(o, "image")));
	EMIT(buf_appends(b, "</td><td class=\"social-mod__text\"><p>"));
	EMIT(html_text(b, str_of(o, "author")));
	EMIT(buf_appends(b, "</p><p>"));
	EMIT(html_text(b, title[0] != '\0' ? title : str_of(o, "text")));
	EMIT(buf_appends(b, "</p>"));
	if (url[0] != '\0') {
		EMIT(buf_appends(b, "<p><a rel=\"noopener noreferrer nofollow\" href=\""));
		EMIT(html_attr(b, url));
		EMIT(buf_appends(b, "\">original post</a></p>"));
	}
	EMIT(buf_appends(b, "</td><td>"));
	EMIT(html_text(b, str_of(o, "source")));
	EMIT(buf_appends(b, "</td><td>"));
	EMIT(html_text(b, str_of(o, "market")));
	EMIT(buf_appends(b, "</td><td class=\"social-mod__state\">"));
	EMIT(html_text(b, str_of(o, "state")));
	if (json_integer_value(json_object_get(o, "pin")) > 0)
		EMIT(buf_appendf(b, ", pinned %lld",
		    (long long)json_integer_value(json_object_get(o, "pin"))));
	if (json_is_true(json_object_get(o, "featured")))
		EMIT(buf_appends(b, ", featured"));
	EMIT(buf_appends(b, "</td><td>"));
	EMIT(html_text(b, str_of(o, "reason")));
	if (str_of(o, "by")[0] != '\0') {
		EMIT(buf_appends(b, " (by "));
		EMIT(html_text(b, str_of(o, "by")));
		EMIT(buf_appends(b, ")"));
	}
	return rc == RC_OK ? buf_appends(b, "</td></tr>\n") : rc;
}

static enum rc
option(struct buf *b, const char *value, const char *current, const char *text)
{
	enum rc rc = buf_appends(b, "<option value=\"");

	EMIT(html_attr(b, value));
	EMIT(buf_appends(b, current != NULL && strcmp(value, current) == 0 ?
	    "\" selected>" : "\">"));
	EMIT(html_text(b, text));
	return rc == RC_OK ? buf_appends(b, "</option>") : rc;
}

/* The filter form: source, market, state, text (GET, so links keep it). */
static enum rc
filters(struct request *req, struct buf *b, const struct stream_conf *sc,
    const struct mod_filter *f)
{
	enum rc rc = buf_appends(b, "<form class=\"social-mod__filters\" method=\"get\">"
	    "<label>Source <select name=\"source\"><option value=\"\">any</option>");

	for (size_t i = 0; i < sc->nsources; i++)
		EMIT(option(b, sc->sources[i].name, f->source, sc->sources[i].name));
	EMIT(buf_appends(b, "</select></label> <label>Market <select name=\"market\">"
	    "<option value=\"\">any</option>"));
	for (size_t i = 0; i < sc->nsources; i++) {
		const char *m = sc->sources[i].market;
		bool seen = m == NULL;
		for (size_t k = 0; !seen && k < i; k++)
			seen = sc->sources[k].market != NULL && strcmp(sc->sources[k].market, m) == 0;
		if (!seen)
			EMIT(option(b, m, f->market, m));
	}
	EMIT(buf_appends(b, "</select></label> <label>State <select name=\"state\">"));
	for (size_t i = 0; states[i] != NULL; i++)
		EMIT(option(b, states[i], f->state != NULL ? f->state : "all", states[i]));
	EMIT(buf_appends(b, "</select></label> <label>Text <input type=\"search\" name=\"q\" value=\""));
	EMIT(html_attr(b, f->text != NULL ? f->text : ""));
	EMIT(buf_appends(b, "\"></label> <button type=\"submit\">Filter</button></form>\n"));
	(void)req;
	return rc;
}

static enum rc
decision_buttons(struct buf *b)
{
	return buf_appends(b, "<p class=\"social-mod__actions\">"
	    "<button type=\"submit\" name=\"action\" value=\"approve\" accesskey=\"a\">Approve</button> "
	    "<button type=\"submit\" name=\"action\" value=\"reject\" accesskey=\"r\">Reject</button> "
	    "<label>Pin order <input type=\"number\" name=\"pin\" min=\"1\" max=\"1000\" value=\"1\">"
	    "</label> <button type=\"submit\" name=\"action\" value=\"pin\">Pin</button> "
	    "<button type=\"submit\" name=\"action\" value=\"unpin\">Unpin</button> "
	    "<button type=\"submit\" name=\"action\" value=\"hide\">Hide</button> "
	    "<button type=\"submit\" name=\"action\" value=\"feature\">Feature</button> "
	    "<button type=\"submit\" name=\"action\" value=\"unfeature\">Unfeature</button></p>\n");
}

static void
filter_of(struct request *req, struct mod_filter *f)
{
	const char *s;

	memset(f, 0, sizeof(*f));
	s = request_value_str(req, Q_SOURCE);
	f->source = s != NULL && s[0] != '\0' ? s : NULL;
	s = request_value_str(req, Q_MARKET);
	f->market = s != NULL && s[0] != '\0' ? s : NULL;
	f->state = request_value(req, Q_STATE) != NULL ?
	    states[request_value_enum(req, Q_STATE, 0)] : "pending";
	if (strcmp(f->state, "all") == 0)
		f->state = NULL;
	s = request_value_str(req, Q_TEXT);
	f->text = s != NULL && s[0] != '\0' ? s : NULL;
	f->offset = (size_t)request_value_int(req, Q_OFFSET, 0);
	f->limit = (size_t)request_value_int(req, Q_LIMIT, CONSOLE_PAGE_DEFAULT);
}

static enum rc
queue_links(struct buf *b, const struct console *c, const struct stream_conf *sc)
{
	enum rc rc = buf_appends(b, "<p class=\"social-mod__links\">");

	EMIT(link_to(b, c->cfg->mount, "/admin/moderation/", sc->name, "Queue"));
	EMIT(buf_appends(b, " · "));
	EMIT(buf_appendf(b, "<a href=\"%s/admin/moderation/", c->cfg->mount));
	EMIT(html_attr(b, sc->name));
	EMIT(buf_appends(b, "/preview\">Preview as visitors see it</a> · "));
	EMIT(buf_appendf(b, "<a href=\"%s/admin/moderation/", c->cfg->mount));
	EMIT(html_attr(b, sc->name));
	EMIT(buf_appends(b, "/audit.csv\">Audit log (CSV)</a> · "));
	EMIT(buf_appendf(b, "<a href=\"%s/admin/moderation/", c->cfg->mount));
	EMIT(html_attr(b, sc->name));
	return rc == RC_OK ? buf_appends(b, "/audit.json\">Audit log (JSON)</a></p>\n") : rc;
}

/*
 * The queue: a decision form for who may decide here; a plain table,
 * without form, token or checkboxes, for who may only read (a viewer).
 */
static enum rc
queue_table(struct request *req, struct buf *b, const struct console *c, const json_t *rows,
    bool can_decide)
{
	size_t i;
	const json_t *o;
	enum rc rc = RC_OK;

	if (can_decide) {
		EMIT(buf_appends(b, "<form class=\"social-mod__queue\" method=\"post\">"));
		EMIT(admin_csrf_field(req, b));
		EMIT(decision_buttons(b));
		EMIT(buf_appends(b, "<table><thead><tr><th><input type=\"checkbox\" "
		    "class=\"social-mod__all\" aria-label=\"select all\"></th>"));
	} else {
		EMIT(buf_appends(b, "<p class=\"social-mod__readonly\">Read only: your role "
		    "shows this queue but decides nothing.</p>\n<table class=\"social-mod__queue\">"
		    "<thead><tr>"));
	}
	EMIT(buf_appends(b, "<th>Picture</th><th>Post</th><th>Source</th><th>Market</th>"
	    "<th>State</th><th>Why</th></tr></thead><tbody>\n"));
	json_array_foreach(rows, i, o)
		EMIT(row(req, b, c, o, can_decide));
	EMIT(buf_appends(b, "</tbody></table>"));
	return rc == RC_OK ? buf_appends(b, can_decide ? "</form>\n" : "\n") : rc;
}

static enum rc
queue_get(struct request *req, struct response *res, struct console *c,
    const struct stream_conf *sc)
{
	struct buf *b = response_body(res);
	struct mod_filter f;
	json_t *rows = NULL;
	size_t total;
	const char *title;
	bool can_decide;
	enum rc rc;

	can_decide = admin_authorize(req, ADMIN_MODERATE, scope_of(req, sc->name)) == RC_OK;
	filter_of(req, &f);
	if ((rc = mod_queue(c->mod, request_arena(req), sc->name, &f, &rows, &total)) != RC_OK)
		return rc;
	title = arena_printf(request_arena(req), "Moderation: %s",
	    sc->title != NULL ? sc->title : sc->name);
	rc = admin_page_open(req, b, title != NULL ? title : "Moderation");
	EMIT(queue_links(b, c, sc));
	EMIT(filters(req, b, sc, &f));
	EMIT(buf_appendf(b, "<p class=\"social-mod__count\">%zu item(s); showing %zu from %zu.%s"
	    "</p>\n", total, json_array_size(rows),
	    f.offset + (json_array_size(rows) > 0 ? 1 : 0), can_decide ? " Keys: j/k move, "
	    "x select, a approve, r reject, p pin, h hide, f feature." : ""));
	EMIT(queue_table(req, b, c, rows, can_decide));
	EMIT(buf_appendf(b, "<script src=\"%s/admin/moderation.js\" defer></script>\n",
	    c->cfg->mount));
	EMIT(admin_page_close(req, b));
	json_decref(rows);
	return rc == RC_OK ? admin_page_send(res, 200) : rc;
}

struct keys {
	struct arena *a;
	const char **v;
	size_t n;
	bool bad;
};

static int
take_key(void *arg, const char *value)
{
	struct keys *k = arg;

	if (k->n >= MOD_BATCH_MAX || !mod_key_ok(value)) {
		k->bad = true;
		return 1;
	}
	k->v[k->n++] = value;
	return 0;
}

/* POST: one decision on the checked items, then back to the queue. */
static enum rc
queue_post(struct request *req, struct response *res, struct console *c,
    const struct stream_conf *sc)
{
	const struct identity *id = request_identity(req);
	struct keys k = { .a = request_arena(req) };
	struct mod_request r;
	enum rc rc;
	char *who, *back;

	if ((rc = admin_post_check(req)) != RC_OK)
		return rc;
	if (request_value(req, Q_ACTION) == NULL || request_form_count(req, "key") == 0)
		return RC_INVALID;
	if ((k.v = arena_calloc(k.a, MOD_BATCH_MAX, sizeof(*k.v))) == NULL)
		return RC_NOMEM;
	request_form_each(req, "key", take_key, &k);
	if (k.bad)
		return RC_INVALID;
	who = arena_printf(k.a, "%s:%s%s%s%s", id->provider, id->sub,
	    id->email != NULL ? " (" : "", id->email != NULL ? id->email : "",
	    id->email != NULL ? ")" : "");
	if (who == NULL)
		return RC_NOMEM;
	memset(&r, 0, sizeof(r));
	r.stream = sc->name;
	r.keys = k.v;
	r.nkeys = k.n;
	r.action = (enum mod_action)request_value_enum(req, Q_ACTION, 0);
	r.pin = (long)request_value_int(req, Q_PIN, 1);
	r.who = who;
	r.now = (long long)time(NULL);
	if ((rc = mod_decide(c->mod, &r, NULL)) != RC_OK)
		return rc;
	log_kv(LOG_INFO, "moderation_decided", "stream", sc->name, "action",
	    mod_action_name(r.action), "provider", id->provider, NULL);
	back = arena_printf(k.a, "%s/admin/moderation/%s", c->cfg->mount, sc->name);
	if (back == NULL)
		return RC_NOMEM;
	rc = response_redirect(res, 303, back);
	return rc == RC_OK ? response_no_store(res) : rc;
}

static enum rc
con_queue(struct request *req, struct response *res, void *ctx)
{
	struct console *c = ctx;
	bool post = request_method(req) == HTTP_POST;
	const struct stream_conf *sc;
	enum rc rc;

	if (!gate_stream(req, res, c, post ? ADMIN_MODERATE : ADMIN_VIEW, &sc, &rc))
		return rc;
	return post ? queue_post(req, res, c, sc) : queue_get(req, res, c, sc);
}

/* ---- preview, audit, script ---- */

/* The first page as the refresher published it for visitors. */
static enum rc
con_preview(struct request *req, struct response *res, void *ctx)
{
	struct console *c = ctx;
	struct buf *b = response_body(res);
	const struct stream_conf *sc;
	char *path, *html = NULL;
	size_t n = 0;
	enum rc rc;

	if (!gate_stream(req, res, c, ADMIN_VIEW, &sc, &rc))
		return rc;
	path = cache_stream_path(request_arena(req), c->cache, sc->name,
	    publish_page_name(RENDER_HTML, RENDER_LIST));
	if (path == NULL)
		return RC_NOMEM;
	rc = admin_page_open(req, b, "Preview: what visitors see");
	EMIT(queue_links(b, c, sc));
	if (rc == RC_OK && cache_read(path, CONSOLE_PREVIEW_MAX, &html, &n) == RC_OK)
		rc = buf_append(b, html, n);
	else
		EMIT(buf_appends(b, "<p>Not published yet.</p>"));
	free(html);
	EMIT(admin_page_close(req, b));
	return rc == RC_OK ? admin_page_send(res, 200) : rc;
}

static enum rc
audit_of(struct request *req, struct response *res, struct console *c, json_t **out,
    const struct stream_conf **sc)
{
	enum rc rc;

	if (!gate_stream(req, res, c, ADMIN_VIEW, sc, &rc))
		return rc;
	return mod_audit(c->mod, (*sc)->name, CONSOLE_AUDIT_MAX, out);
}

static enum rc
con_audit_json(struct request *req, struct response *res, void *ctx)
{
	const struct stream_conf *sc = NULL;
	json_t *entries = NULL;
	enum rc rc = audit_of(req, res, ctx, &entries, &sc);

	if (rc != RC_OK || entries == NULL)
		return rc;
	EMIT(response_no_store(res));
	EMIT(response_header(res, "Content-Disposition", "attachment; filename=\"audit.json\""));
	if (rc != RC_OK) {
		json_decref(entries);
		return rc;
	}
	return response_json(res, 200, json_pack("{s:s, s:o}", "stream", sc->name,
	    "entries", entries));
}

static enum rc
con_audit_csv(struct request *req, struct response *res, void *ctx)
{
	const struct stream_conf *sc = NULL;
	json_t *entries = NULL;
	enum rc rc = audit_of(req, res, ctx, &entries, &sc);
	char *csv;

	if (rc != RC_OK || entries == NULL)
		return rc;
	csv = mod_audit_csv(request_arena(req), entries);
	json_decref(entries);
	if (csv == NULL)
		return RC_NOMEM;
	response_status(res, 200);
	EMIT(response_type(res, "text/csv; charset=utf-8"));
	EMIT(response_no_store(res));
	EMIT(response_header(res, "X-Content-Type-Options", "nosniff"));
	EMIT(response_header(res, "Content-Disposition", "attachment; filename=\"audit.csv\""));
	if (rc == RC_OK)
		response_body_ref(res, csv, strlen(csv));
	return rc;
}

static enum rc
con_js(struct request *req, struct response *res, void *ctx)
{
	enum rc rc;

	(void)req;
	(void)ctx;
	response_status(res, 200);
	rc = response_type(res, "application/javascript; charset=utf-8");
	EMIT(response_header(res, "X-Content-Type-Options", "nosniff"));
	EMIT(response_header(res, "Cache-Control", "no-cache"));
	if (rc == RC_OK)
		response_body_ref(res, console_js, sizeof(console_js) - 1);
	return rc;
}

const struct route console_routes[] = {
	{ HTTP_GET, "/admin/moderation", con_home, "mod_home", NULL, 0 },
	{ HTTP_GET, "/admin/moderation.js", con_js, "mod_js", NULL, 0 },
	{ HTTP_GET | HTTP_POST, "/admin/moderation/{name}", con_queue, "mod_queue", queue_params,
	  ROUTE_FORM },
	{ HTTP_GET, "/admin/moderation/{name}/preview", con_preview, "mod_preview", NULL, 0 },
	{ HTTP_GET, "/admin/moderation/{name}/audit.json", con_audit_json, "mod_audit", NULL, 0 },
	{ HTTP_GET, "/admin/moderation/{name}/audit.csv", con_audit_csv, "mod_audit", NULL, 0 },
	{ 0, NULL, NULL, NULL, NULL, 0 },
};

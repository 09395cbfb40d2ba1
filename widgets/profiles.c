/* profiles: source accounts as cards — from the feed, the Mastodon account
 * API, and out as JSON and microformats2 HTML. */
#include "widgets/profiles.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/catalog.h"
#include "util/html.h"
#include "util/icufmt.h"
#include "util/locale.h"
#include "util/jsonutil.h"
#include "widgets/media.h"
#include "widgets/render_common.h"

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* "@brand.example - Example Co." (Bluesky) → handle and name. */
static void
split_bluesky_title(struct arena *a, const char *t, struct profile *out)
{
	const char *dash = strstr(t, " - ");

	if (t[0] != '@' || dash == NULL)
		return;
	out->handle = arena_strndup(a, t, (size_t)(dash - t));
	if (nonempty(dash + 3) != NULL)
		out->name = dash + 3;
}

void
profiles_from_feed(struct arena *a, const char *source, const char *title,
    const char *feed_url, const struct feed *f, struct profile *out)
{
	const char *home = f != NULL ? f->home_page_url : NULL;
	struct render_network net;

	memset(out, 0, sizeof(*out));
	out->source = source;
	out->followers = -1;
	out->url = render_link_ok(home) ? home : NULL;
	net = render_network_of(out->url != NULL ? out->url : feed_url);
	out->network = net.id;
	out->network_label = net.label;
	if (f != NULL && nonempty(f->title) != NULL) {
		out->name = f->title;
		split_bluesky_title(a, f->title, out);
	}
	if (f != NULL) {
		out->avatar = nonempty(f->icon);
		if (out->avatar == NULL && f->nauthors > 0)
			out->avatar = nonempty(f->authors[0].avatar);
		if (out->avatar == NULL)
			out->avatar = nonempty(f->favicon);
	}
	if (nonempty(title) != NULL)
		out->name = title;
	if (out->name == NULL)
		out->name = source;
}

/* The origin length and the user of a Mastodon account feed URL
 * (https://HOST/@USER.rss or /users/USER.rss); false for any other. */
static bool
mastodon_feed(const char *feed_url, size_t *origin, const char **user, size_t *n)
{
	const char *host, *path, *end;

	if (feed_url == NULL || !render_link_ok(feed_url))
		return false;
	host = strstr(feed_url, "://") + 3;
	path = strchr(host, '/');
	if (path == NULL || strchr(feed_url, '?') != NULL)
		return false;
	if (strncmp(path, "/@", 2) == 0)
		*user = path + 2;
	else if (strncmp(path, "/users/", 7) == 0)
		*user = path + 7;
	else
		return false;
	end = strstr(*user, ".rss");
	if (end == NULL || end[4] != '\0' || end == *user)
		return false;
	for (const char *s = *user; s < end; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	*origin = (size_t)(path - feed_url);
	*n = (size_t)(end - *user);
	return true;
}

char *
profiles_mastodon_lookup(struct arena *a, const char *feed_url)
{
	const char *user;
	size_t origin, n;

	if (!mastodon_feed(feed_url, &origin, &user, &n))
		return NULL;
	return arena_printf(a, "%.*s/api/v1/accounts/lookup?acct=%.*s",
	    (int)origin, feed_url, (int)n, user);
}

char *
profiles_mastodon_instance(struct arena *a, const char *feed_url)
{
	const char *user;
	size_t origin, n;

	if (!mastodon_feed(feed_url, &origin, &user, &n))
		return NULL;
	return arena_printf(a, "%.*s/api/v1/instance", (int)origin, feed_url);
}

bool
profiles_is_mastodon_instance(const char *body, size_t len)
{
	json_t *j = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	const char *uri = json_string_value(json_object_get(j, "uri"));
	const char *ver = json_string_value(json_object_get(j, "version"));
	bool ok = json_is_object(j) && uri != NULL && uri[0] != '\0' &&
	    ver != NULL && isdigit((unsigned char)ver[0]);

	json_decref(j);
	return ok;
}

/* Profile strings: a member that is not a non-empty string is not given. */
static const char *
jstr(struct arena *a, const json_t *o, const char *key)
{
	return jsonutil_str(a, o, key, JSONUTIL_NONEMPTY, NULL);
}

enum rc
profiles_apply_mastodon(struct arena *a, const char *body, size_t len, struct profile *p)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	const char *url, *acct, *host, *end, *s;
	json_t *fc;

	if (!json_is_object(j) || !json_is_string(json_object_get(j, "acct"))) {
		json_decref(j);
		return RC_INVALID;
	}
	if ((url = jstr(a, j, "url")) != NULL && render_link_ok(url))
		p->url = url;
	if ((s = jstr(a, j, "display_name")) != NULL)
		p->name = s;
	if ((s = jstr(a, j, "avatar_static")) != NULL)
		p->avatar = s;
	fc = json_object_get(j, "followers_count");
	if (json_is_integer(fc) && json_integer_value(fc) >= 0)
		p->followers = (long long)json_integer_value(fc);
	acct = jstr(a, j, "acct");
	if (acct != NULL && strchr(acct, '@') == NULL && p->url != NULL) {
		host = strstr(p->url, "://") + 3;
		end = host + strcspn(host, "/:?#");
		acct = arena_printf(a, "%s@%.*s", acct, (int)(end - host), host);
	}
	if (acct != NULL)
		p->handle = arena_printf(a, "@%s", acct);
	p->network = "mastodon";
	p->network_label = "Mastodon";
	json_decref(j);
	return RC_OK;
}

json_t *
profiles_state_json(const struct profile *p, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		json_t *o = json_object();
		if (o == NULL)
			break;
		jsonutil_set_str(o, "source", p[i].source, 0);
		jsonutil_set_str(o, "network", p[i].network, 0);
		jsonutil_set_str(o, "network_label", p[i].network_label, 0);
		jsonutil_set_str(o, "name", p[i].name, 0);
		jsonutil_set_str(o, "handle", p[i].handle, 0);
		jsonutil_set_str(o, "url", p[i].url, 0);
		jsonutil_set_str(o, "avatar", p[i].avatar, 0);
		json_object_set_new(o, "followers", json_integer(p[i].followers));
		json_object_set_new(o, "fetched_at", json_integer(p[i].fetched_at));
		json_object_set_new(o, "instance_at", json_integer(p[i].instance_at));
		json_object_set_new(o, "instance_mastodon", json_boolean(p[i].instance_mastodon));
		json_array_append_new(arr, o);
	}
	return arr;
}

enum rc
profiles_from_state(struct arena *a, const json_t *j, struct profile **out, size_t *n)
{
	size_t i;
	json_t *o;

	*out = NULL;
	*n = 0;
	if (!json_is_array(j))
		return RC_CORRUPT;
	if ((*out = arena_calloc(a, json_array_size(j) + 1, sizeof(**out))) == NULL)
		return RC_NOMEM;
	json_array_foreach(j, i, o) {
		struct profile *p = &(*out)[i];
		p->source = jstr(a, o, "source");
		p->network = jstr(a, o, "network");
		p->network_label = jstr(a, o, "network_label");
		p->name = jstr(a, o, "name");
		p->handle = jstr(a, o, "handle");
		p->url = jstr(a, o, "url");
		p->avatar = jstr(a, o, "avatar");
		p->followers = json_integer_value(json_object_get(o, "followers"));
		if (!json_is_integer(json_object_get(o, "followers")))
			p->followers = -1;
		p->fetched_at = json_integer_value(json_object_get(o, "fetched_at"));
		p->instance_at = json_integer_value(json_object_get(o, "instance_at"));
		p->instance_mastodon = json_is_true(json_object_get(o, "instance_mastodon"));
		if (p->source == NULL || p->network == NULL)
			return RC_CORRUPT;
	}
	*n = json_array_size(j);
	return RC_OK;
}

/* The proxied avatar URL (arena-free: into b) or NULL. */
static const char *
avatar_url(struct buf *b, const struct profile *p, const struct render_site *site)
{
	buf_clear(b);
	if (!media_url_fetchable(p->avatar) || media_proxy_url(b, site->base, p->avatar) != RC_OK)
		return NULL;
	return buf_cstr(b);
}

json_t *
profiles_json(const struct profile *p, size_t n, const char *stream, const char *title,
    const struct render_site *site)
{
	json_t *arr = json_array();
	json_t *root = json_pack("{s:s, s:s}", "stream", stream, "title",
	    title != NULL ? title : stream);
	struct buf b;

	if (arr == NULL || root == NULL) {
		json_decref(arr);
		json_decref(root);
		return NULL;
	}
	buf_init(&b, 4096);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		if (o == NULL)
			break;
		jsonutil_set_str(o, "source", p[i].source, 0);
		jsonutil_set_str(o, "network", p[i].network, 0);
		jsonutil_set_str(o, "name", p[i].name, 0);
		jsonutil_set_str(o, "handle", p[i].handle, 0);
		jsonutil_set_str(o, "url", render_link_ok(p[i].url) ? p[i].url : NULL, 0);
		jsonutil_set_str(o, "avatar", avatar_url(&b, &p[i], site), 0);
		json_object_set_new(o, "followers", p[i].followers >= 0 ?
		    json_integer(p[i].followers) : json_null());
		json_array_append_new(arr, o);
	}
	buf_fini(&b);
	json_object_set_new(root, "profiles", arr);
	return root;
}

/* What a card is drawn with. */
struct card_ctx {
	const struct profiles_box *box;
	const char *lang;
	struct icufmt *fmt;
	struct buf tmp;        /* the avatar URL */
};

/* The network's label in the box's language: profiles.network.ID when a
 * catalog has it (a site may name "Web" its own way), else the network's
 * own name, which is a brand and not translated. */
static const char *
network_label(const struct card_ctx *c, const struct profile *p)
{
	char key[64];
	const char *w;

	snprintf(key, sizeof(key), "profiles.network.%s", p->network);
	w = catalog_get(c->box->site->catalog, c->lang, key);
	if (strcmp(w, key) != 0)
		return w;
	return p->network_label != NULL ? p->network_label :
	    catalog_get(c->box->site->catalog, c->lang, "profiles.network.web");
}

static enum rc
card(struct buf *b, const struct profile *p, struct card_ctx *c)
{
	const char *av = avatar_url(&c->tmp, p, c->box->site);
	bool link = render_link_ok(p->url);
	enum rc rc;

	/* The network id comes back from profiles.state.json: escaped like
	 * any text read from disk. */
	rc = buf_appends(b, "<li class=\"social-profiles__card h-card\" data-network=\"");
	if (rc == RC_OK)
		rc = html_attr(b, p->network);
	if (rc == RC_OK)
		rc = buf_appends(b, "\">");
	if (rc == RC_OK && av != NULL) {
		rc = buf_appends(b, "<img class=\"social-profiles__avatar u-photo\" src=\"");
		if (rc == RC_OK)
			rc = html_attr(b, av);
		if (rc == RC_OK)
			rc = buf_appends(b, "\" alt=\"\" width=\"64\" height=\"64\" loading=\"lazy\" decoding=\"async\">");
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "<p class=\"social-profiles__name\">");
	if (rc == RC_OK && link) {
		rc = buf_appends(b, "<a class=\"p-name u-url\" href=\"");
		if (rc == RC_OK)
			rc = html_attr(b, p->url);
		if (rc == RC_OK)
			rc = buf_appends(b, "\">");
	} else if (rc == RC_OK) {
		rc = buf_appends(b, "<span class=\"p-name\">");
	}
	if (rc == RC_OK)
		rc = html_text(b, p->name != NULL ? p->name : p->source);
	if (rc == RC_OK)
		rc = buf_appends(b, link ? "</a></p>" : "</span></p>");
	if (rc == RC_OK && p->handle != NULL) {
		rc = buf_appends(b, "<p class=\"social-profiles__handle p-nickname\">");
		if (rc == RC_OK)
			rc = html_text(b, p->handle);
		if (rc == RC_OK)
			rc = buf_appends(b, "</p>");
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "<p class=\"social-profiles__network\">");
	if (rc == RC_OK)
		rc = html_text(b, network_label(c, p));
	if (rc == RC_OK)
		rc = buf_appends(b, "</p>");
	if (rc == RC_OK && p->followers >= 0) {
		rc = buf_appends(b, "<p class=\"social-profiles__followers\">");
		if (rc == RC_OK)
			rc = render_count(b, c->box->site->catalog, c->lang, c->fmt,
			    "profiles.followers", p->followers);
		if (rc == RC_OK)
			rc = buf_appends(b, "</p>");
	}
	return rc == RC_OK ? buf_appends(b, "</li>\n") : rc;
}

enum rc
profiles_html(struct buf *b, const struct profile *p, size_t n, const struct profiles_box *box)
{
	struct card_ctx c = { .box = box, .lang = box->lang };
	enum rc rc;

	if (!locale_tag_ok(c.lang))
		c.lang = CATALOG_DEFAULT;
	rc = buf_appends(b, "<section class=\"social-profiles\" data-stream=\"");
	if (rc == RC_OK)
		rc = html_attr(b, box->stream);
	if (rc == RC_OK)
		rc = buf_appendf(b, "\" lang=\"%s\" dir=\"%s", c.lang, locale_dir(c.lang));
	/* Not a landmark (the list carries the name): <social-profiles
	 * label="..."> makes it one. */
	if (rc == RC_OK)
		rc = buf_appends(b, "\">\n<ul class=\"social-profiles__list\" role=\"list\" aria-label=\"");
	if (rc == RC_OK)
		rc = html_attr(b, box->title != NULL ? box->title : box->stream);
	if (rc == RC_OK)
		rc = buf_appends(b, "\">\n");
	if (rc == RC_OK && n > 0 && (c.fmt = icufmt_new(c.lang)) == NULL)
		rc = RC_NOMEM;
	buf_init(&c.tmp, 4096);
	for (size_t i = 0; rc == RC_OK && i < n; i++)
		rc = card(b, &p[i], &c);
	buf_fini(&c.tmp);
	icufmt_free(c.fmt);
	return rc == RC_OK ? buf_appends(b, "</ul>\n</section>\n") : rc;
}

/* share_render: the share bar fragment and the Mastodon instance picker. */
#include "widgets/share/share_render.h"

#include <string.h>

#include "util/html.h"
#include "util/url.h"

const struct share_render_words share_render_words = {
	.buttons_title = "Share this page",
};

static bool
present(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Appends "name=<encoded value>" with a leading '&' unless first. */
static enum rc
query_pair(struct buf *q, const char *name, const char *value)
{
	enum rc rc = buf_appendf(q, "%s%s=", q->len > 0 ? "&" : "", name);

	return rc == RC_OK ? url_encode(q, value, strlen(value)) : rc;
}

/* Builds "url=..&title=..[&text=..]" for links back to socialhub. */
static enum rc
share_query(struct buf *q, const char *url, const char *title, const char *text)
{
	enum rc rc = query_pair(q, "url", url);

	if (rc == RC_OK && present(title))
		rc = query_pair(q, "title", title);
	if (rc == RC_OK && present(text))
		rc = query_pair(q, "text", text);
	return rc;
}

/* An attribute value: msg with "{network}" replaced by the network's name. */
static enum rc
label_attr(struct buf *b, const char *msg, const char *name)
{
	const char *at = strstr(msg, "{network}");
	struct buf t;
	enum rc rc;

	buf_init(&t, 4096);
	rc = at != NULL ? buf_append(&t, msg, (size_t)(at - msg)) : buf_appends(&t, msg);
	if (rc == RC_OK && at != NULL)
		rc = buf_appends(&t, name);
	if (rc == RC_OK && at != NULL)
		rc = buf_appends(&t, at + strlen("{network}"));
	if (rc == RC_OK)
		rc = html_attr(b, buf_cstr(&t));
	buf_fini(&t);
	return rc;
}

static enum rc
render_link(struct buf *b, const struct share_bar *bar, const struct share_network *n,
    const char *query)
{
	const char *mount = bar->mount;
	enum rc rc;

	rc = buf_appendf(b, "<li class=\"social-share__item\">"
	    "<a class=\"social-share__link social-share__link--%s\" href=\"", n->id);
	if (rc == RC_OK)
		rc = html_attr(b, mount);
	if (rc == RC_OK)
		rc = buf_appendf(b, "/share/%s?", n->id);
	if (rc == RC_OK)
		rc = html_attr(b, query);
	if (rc == RC_OK)
		rc = buf_appendf(b, "\" rel=\"nofollow noopener\" data-network=\"%s\""
		    " aria-label=\"", n->id);
	if (rc == RC_OK)
		rc = bar->share_on != NULL ? label_attr(b, bar->share_on, n->name) :
		    html_attr(b, n->action);
	if (rc == RC_OK)
		rc = buf_appendf(b, "\">"
		    "<svg class=\"social-share__icon\" viewBox=\"0 0 24 24\" width=\"20\""
		    " height=\"20\" aria-hidden=\"true\" focusable=\"false\">"
		    "<path fill=\"currentColor\" fill-rule=\"evenodd\" d=\"%s\"/></svg>"
		    "<span class=\"social-share__label\">%s</span></a></li>",
		    n->icon, n->name);
	return rc;
}

enum rc
share_render_bar(struct buf *b, const struct share_bar *bar)
{
	struct buf q;
	enum rc rc;

	buf_init(&q, 16 * 1024);
	rc = share_query(&q, bar->url, bar->title, NULL);
	if (rc == RC_OK)
		rc = buf_appends(b, "<social-share class=\"social-share\" role=\"group\"");
	if (rc == RC_OK && bar->lang != NULL)
		rc = buf_appendf(b, " lang=\"%s\"", bar->lang);   /* a catalog's tag */
	if (rc == RC_OK)
		rc = buf_appends(b, " aria-label=\"");
	if (rc == RC_OK)
		rc = html_attr(b, bar->name != NULL ? bar->name : share_render_words.buttons_title);
	if (rc == RC_OK)
		rc = buf_appends(b, "\" data-url=\"");
	if (rc == RC_OK)
		rc = html_attr(b, bar->url);
	if (rc == RC_OK && present(bar->title)) {
		rc = buf_appends(b, "\" data-title=\"");
		if (rc == RC_OK)
			rc = html_attr(b, bar->title);
	}
	if (rc == RC_OK && bar->native != NULL) {
		rc = buf_appends(b, "\" data-native-label=\"");
		if (rc == RC_OK)
			rc = html_attr(b, bar->native);
	}
	if (rc == RC_OK && bar->count_words != NULL) {
		rc = buf_appends(b, "\" data-count-words=\"");
		if (rc == RC_OK)
			rc = html_attr(b, bar->count_words);
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "\" data-counts=\"");
	if (rc == RC_OK)
		rc = html_attr(b, bar->mount);
	if (rc == RC_OK)
		rc = buf_appends(b, "/share/counts?url=");
	if (rc == RC_OK) {
		struct buf u;
		buf_init(&u, 16 * 1024);
		rc = url_encode(&u, bar->url, strlen(bar->url));
		if (rc == RC_OK)
			rc = html_attr(b, buf_cstr(&u));
		buf_fini(&u);
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "\"><ul class=\"social-share__list\" role=\"list\">");
	for (size_t i = 0; i < bar->n && rc == RC_OK; i++)
		rc = render_link(b, bar, bar->networks[i], buf_cstr(&q));
	if (rc == RC_OK)
		rc = buf_appends(b, "</ul></social-share>\n");
	buf_fini(&q);
	return rc;
}

static enum rc
hidden(struct buf *b, const char *name, const char *value)
{
	enum rc rc;

	if (!present(value))
		return RC_OK;
	rc = buf_appendf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	if (rc == RC_OK)
		rc = html_attr(b, value);
	return rc == RC_OK ? buf_appends(b, "\">") : rc;
}

/* One <li> link that picks an instance. */
static enum rc
instance_link(struct buf *b, const struct share_picker *p, const char *query,
    const char *instance)
{
	enum rc rc = buf_appends(b, "<li><a class=\"social-share-picker__instance\" href=\"");

	if (rc == RC_OK)
		rc = html_attr(b, p->mount);
	if (rc == RC_OK)
		rc = buf_appends(b, "/share/mastodon?");
	if (rc == RC_OK)
		rc = html_attr(b, query);
	if (rc == RC_OK)
		rc = buf_appends(b, "&amp;instance=");
	if (rc == RC_OK) {
		struct buf e;
		buf_init(&e, 1024);
		rc = url_encode(&e, instance, strlen(instance));
		if (rc == RC_OK)
			rc = html_attr(b, buf_cstr(&e));
		buf_fini(&e);
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "\" rel=\"nofollow\">");
	if (rc == RC_OK)
		rc = html_text(b, instance);
	return rc == RC_OK ? buf_appends(b, "</a></li>") : rc;
}

static enum rc
picker_head(struct buf *b, const struct share_picker *p)
{
	enum rc rc = buf_appends(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">"
	    "<title>Share on Mastodon</title><link rel=\"stylesheet\" href=\"");

	if (rc == RC_OK)
		rc = html_attr(b, p->mount);
	if (rc == RC_OK)
		rc = buf_appends(b, "/embed.css\"></head>\n<body class=\"social-share-picker\">"
		    "<main><h1>Share on Mastodon</h1><p>You are sharing <a href=\"");
	if (rc == RC_OK)
		rc = html_attr(b, p->url);
	if (rc == RC_OK)
		rc = buf_appends(b, "\" rel=\"nofollow\">");
	if (rc == RC_OK)
		rc = html_text(b, present(p->title) ? p->title : p->url);
	return rc == RC_OK ? buf_appends(b, "</a>.</p>\n") : rc;
}

/* The line above the form when a link named a server the visitor has not
 * picked here: a link alone never sends anyone to a server it names. */
static enum rc
picker_confirm(struct buf *b, const struct share_picker *p)
{
	enum rc rc;

	if (!present(p->confirm))
		return RC_OK;
	rc = buf_appends(b, "<p class=\"social-share-picker__confirm\" role=\"status\">"
	    "The link you followed wants to share this on <strong>");
	if (rc == RC_OK)
		rc = html_text(b, p->confirm);
	return rc == RC_OK ? buf_appends(b, "</strong>. Share there only if it is your"
	    " server: check the name, then press Share.</p>") : rc;
}

static enum rc
picker_form(struct buf *b, const struct share_picker *p)
{
	const char *value = present(p->entered) ? p->entered
	    : present(p->confirm) ? p->confirm : p->remembered;
	enum rc rc = picker_confirm(b, p);

	if (rc == RC_OK)
		rc = buf_appends(b, "<form method=\"post\" action=\"");
	if (rc == RC_OK)
		rc = html_attr(b, p->mount);
	if (rc == RC_OK)
		rc = buf_appends(b, "/share/mastodon\">");
	if (rc == RC_OK)
		rc = hidden(b, "token", p->token);
	if (rc == RC_OK)
		rc = hidden(b, "url", p->url);
	if (rc == RC_OK)
		rc = hidden(b, "title", p->title);
	if (rc == RC_OK)
		rc = hidden(b, "text", p->text);
	if (rc == RC_OK)
		rc = buf_appendf(b, "<label for=\"instance\">Your Mastodon server</label> "
		    "<input id=\"instance\" name=\"instance\" type=\"text\" required"
		    " maxlength=\"253\" inputmode=\"url\" autocomplete=\"on\""
		    " autocapitalize=\"none\" spellcheck=\"false\""
		    " aria-describedby=\"instance-help%s\"%s value=\"",
		    present(p->error) ? " instance-error" : "",
		    present(p->error) ? " aria-invalid=\"true\"" : "");
	if (rc == RC_OK)
		rc = html_attr(b, value != NULL ? value : "");
	if (rc == RC_OK)
		rc = buf_appends(b, "\"> <button type=\"submit\">Share</button>"
		    "<p id=\"instance-help\">The name of your server, for example"
		    " mastodon.social.</p>");
	if (rc == RC_OK && present(p->error)) {
		rc = buf_appends(b, "<p id=\"instance-error\" role=\"alert\">");
		if (rc == RC_OK)
			rc = html_text(b, p->error);
		if (rc == RC_OK)
			rc = buf_appends(b, "</p>");
	}
	return rc == RC_OK ? buf_appends(b, "</form>\n") : rc;
}

enum rc
share_render_picker(struct buf *b, const struct share_picker *p)
{
	struct buf q;
	enum rc rc;

	buf_init(&q, 16 * 1024);
	rc = share_query(&q, p->url, p->title, p->text);
	if (rc == RC_OK)
		rc = picker_head(b, p);
	if (rc == RC_OK)
		rc = picker_form(b, p);
	if (rc == RC_OK)
		rc = buf_appends(b, "<h2>Or choose a server</h2><ul class=\"social-share-picker__list\">");
	if (rc == RC_OK && present(p->remembered))
		rc = instance_link(b, p, buf_cstr(&q), p->remembered);
	for (size_t i = 0; i < p->ninstances && rc == RC_OK; i++) {
		if (present(p->remembered) && strcmp(p->remembered, p->instances[i]) == 0)
			continue;
		rc = instance_link(b, p, buf_cstr(&q), p->instances[i]);
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "</ul></main></body></html>\n");
	buf_fini(&q);
	return rc;
}

/* page: the shell of socialhub's own full pages, in the site's template. */
#include "fcgi/page.h"

#include <string.h>

#include "util/catalog.h"
#include "util/html.h"
#include "util/locale.h"

const char *
page_lang(struct request *req, const char *asked, const char *configured)
{
	const struct config *cfg = request_config(req);
	const char *const *avail;
	const char *hit;
	size_t n;

	if (asked == NULL)
		asked = request_query(req, "lang");
	if ((hit = catalog_lang(cfg->catalog, asked)) != NULL)
		return hit;
	if ((hit = catalog_lang(cfg->catalog, configured)) != NULL)
		return hit;
	avail = catalog_langs(cfg->catalog, &n);
	hit = locale_negotiate(request_header(req, "Accept-Language"), avail, n);
	return hit != NULL ? hit : CATALOG_DEFAULT;
}

const char *
page_word(const struct config *cfg, const char *lang, const char *key)
{
	return catalog_get(cfg->catalog, lang, key);
}

static enum rc
page_head(struct buf *b, const struct config *cfg, const struct page_info *pi)
{
	const char *lang = pi->lang != NULL ? pi->lang : CATALOG_DEFAULT;
	/* same-origin, not no-referrer: no referrer leaves the site either
	 * way, but under no-referrer browsers send "Origin: null" with the
	 * page's own form POSTs, which the admin forms' origin check (and
	 * sign-out's) must refuse. */
	enum rc rc = buf_appendf(b, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"referrer\" content=\"same-origin\"><title>", lang, locale_dir(lang));

	if (rc == RC_OK)
		rc = html_text(b, pi->title);
	if (rc == RC_OK)
		rc = buf_appends(b, "</title><link rel=\"stylesheet\" href=\"");
	if (rc == RC_OK && cfg->page_stylesheet != NULL)
		rc = html_attr(b, cfg->page_stylesheet);
	else if (rc == RC_OK && (rc = html_attr(b, cfg->mount)) == RC_OK)
		rc = buf_appends(b, "/embed.css");
	return rc == RC_OK ? buf_appends(b, "\"></head>\n") : rc;
}

/* The default header: the logo (or the word "Home") linking to the site. */
static enum rc
page_header(struct buf *b, const struct config *cfg, const char *lang)
{
	const char *home = page_word(cfg, lang, "page.home");
	enum rc rc;

	if (cfg->page_header != NULL)
		return buf_appends(b, cfg->page_header);
	rc = buf_appends(b, "<header class=\"social-page__header\"><a href=\"");
	if (rc == RC_OK)
		rc = html_attr(b, cfg->site_url != NULL ? cfg->site_url : "");
	if (rc == RC_OK)
		rc = buf_appends(b, "/\">");
	if (rc == RC_OK && cfg->page_logo != NULL) {
		rc = buf_appends(b, "<img src=\"");
		if (rc == RC_OK)
			rc = html_attr(b, cfg->page_logo);
		if (rc == RC_OK)
			rc = buf_appends(b, "\" alt=\"");
		if (rc == RC_OK)
			rc = html_attr(b, cfg->page_logo_alt != NULL ? cfg->page_logo_alt : home);
		if (rc == RC_OK)
			rc = buf_appends(b, "\">");
	} else if (rc == RC_OK) {
		rc = html_text(b, cfg->page_logo_alt != NULL ? cfg->page_logo_alt : home);
	}
	return rc == RC_OK ? buf_appends(b, "</a></header>\n") : rc;
}

enum rc
page_open(struct buf *b, const struct config *cfg, const struct page_info *pi)
{
	enum rc rc = page_head(b, cfg, pi);

	if (rc == RC_OK)
		rc = buf_appends(b, "<body class=\"social-page\">\n");
	if (rc == RC_OK)
		rc = page_header(b, cfg, pi->lang);
	if (rc == RC_OK)
		rc = buf_appends(b, "<main class=\"social-page__main\" id=\"main\"><h1>");
	if (rc == RC_OK)
		rc = html_text(b, pi->title);
	return rc == RC_OK ? buf_appends(b, "</h1>\n") : rc;
}

enum rc
page_close(struct buf *b, const struct config *cfg, const struct page_info *pi)
{
	const char *back = page_word(cfg, pi->lang, "page.back");
	enum rc rc = RC_OK;

	if (pi->back_href != NULL) {
		rc = buf_appends(b, "<p class=\"social-page__back\"><a href=\"");
		if (rc == RC_OK)
			rc = html_attr(b, pi->back_href);
		if (rc == RC_OK)
			rc = buf_appends(b, "\">");
		if (rc == RC_OK)
			rc = html_text(b, pi->back_text != NULL ? pi->back_text : back);
		if (rc == RC_OK)
			rc = buf_appends(b, "</a></p>\n");
	}
	if (rc == RC_OK)
		rc = buf_appends(b, "</main>\n");
	if (rc == RC_OK && cfg->page_footer != NULL)
		rc = buf_appends(b, cfg->page_footer);
	else if (rc == RC_OK) {
		rc = buf_appends(b, "<footer class=\"social-page__footer\"><p><a href=\"");
		if (rc == RC_OK)
			rc = html_attr(b, cfg->site_url != NULL ? cfg->site_url : "");
		if (rc == RC_OK)
			rc = buf_appends(b, "/\">");
		if (rc == RC_OK)
			rc = html_text(b, back);
		if (rc == RC_OK)
			rc = buf_appends(b, "</a></p></footer>\n");
	}
	return rc == RC_OK ? buf_appends(b, "</body></html>\n") : rc;
}

static bool
is(const char *v, const char *want)
{
	return v != NULL && strcmp(v, want) == 0;
}

bool
page_wanted(struct request *req)
{
	const char *dest = request_header(req, "Sec-Fetch-Dest");

	if (request_is_subrequest(req))
		return false;
	if (dest != NULL)
		return is(dest, "document") || is(dest, "iframe") || is(dest, "frame");
	return is(request_header(req, "Upgrade-Insecure-Requests"), "1");
}

enum rc
page_allow_origin(struct request *req, struct response *res, bool open)
{
	const struct config *cfg = request_config(req);
	const char *origin = request_header(req, "Origin");
	enum rc rc;

	if (cfg->embed_origins_n == 0)
		return open ? response_header_set(res, "Access-Control-Allow-Origin", "*") : RC_OK;
	rc = response_header_set(res, "Vary", PAGE_VARY);
	if (rc == RC_OK && config_embed_origin(cfg, origin))
		rc = response_header_set(res, "Access-Control-Allow-Origin", origin);
	return rc;
}

/* page: socialhub's own full HTML pages (sign-in chooser, errors, streams
 * opened without JS) in the site's template: page_stylesheet, page_logo,
 * page_header_file and page_footer_file of socialhub.conf(5). */
#ifndef SOCIALHUB_FCGI_PAGE_H
#define SOCIALHUB_FCGI_PAGE_H

#include "fcgi/config.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "util/buf.h"
#include "util/rc.h"

/* One page's words. back_href may be NULL (no back link). */
struct page_info {
	const char *title;      /* <title> and <h1>, HTML-escaped here */
	const char *back_href;  /* a link under the content */
	const char *back_text;  /* its words; default the catalog's page.back */
	const char *lang;       /* page_lang's answer; NULL: English */
	/* The page's referrer policy; NULL: "no-referrer". Pages with forms
	 * that check Origin need "same-origin": under no-referrer browsers
	 * send "Origin: null" even to the page's own site. */
	const char *referrer;
};

/*
 * The language of a request's words, always one the catalogs have: the
 * `lang` query parameter (or what the route passes as `asked`, NULL: the
 * query's), else `configured` (a stream's lang, may be NULL), else the
 * best Accept-Language match, else English. Tags are matched with
 * locale_match's fallbacks (pt-BR -> pt, zh-TW -> zh-Hant).
 */
const char *page_lang(struct request *req, const char *asked, const char *configured);

/* A word of the catalogs in lang (catalog_get). */
const char *page_word(const struct config *cfg, const char *lang, const char *key);

/*
 * Appends the page up to and including <h1>: doctype, head with the site's
 * stylesheet, the header (page_header_file, else the logo or the site's
 * name linking home) and <main>. The caller appends the content, then
 * page_close. Returns RC_OK or RC_TOOBIG from the buffer.
 */
enum rc page_open(struct buf *b, const struct config *cfg, const struct page_info *pi);

/* Appends the back link, </main>, the footer and </html>. */
enum rc page_close(struct buf *b, const struct config *cfg, const struct page_info *pi);

/*
 * True when the request wants a whole page: a browser navigation
 * (Sec-Fetch-Dest document, frame or iframe; or, where the browser sends no
 * Sec-Fetch-Dest, Upgrade-Insecure-Requests) that is not an nginx
 * subrequest (SSI). fetch() from embed.js, SSI and curl get fragments.
 */
bool page_wanted(struct request *req);

/*
 * CORS for the embeddable routes (fragments, JSON). With embed_origins
 * set: Vary: Origin, and Access-Control-Allow-Origin for exactly those
 * origins, never credentials. Without: `open` routes (public feeds) send
 * "*", others nothing.
 */
enum rc page_allow_origin(struct request *req, struct response *res, bool open);

/* The Vary header value for a route that answers page_wanted. */
#define PAGE_VARY "Sec-Fetch-Dest, Upgrade-Insecure-Requests, Origin, Accept-Language"

#endif

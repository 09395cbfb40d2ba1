/* share_render: the share bar fragment and the Mastodon instance picker. */
#ifndef SOCIALHUB_WIDGETS_SHARE_RENDER_H
#define SOCIALHUB_WIDGETS_SHARE_RENDER_H

#include <stddef.h>

#include "util/buf.h"
#include "util/rc.h"
#include "widgets/share/share_networks.h"

/* What the share bar shows. */
struct share_bar {
	const char *mount;       /* "/social" */
	const char *url;         /* canonical shared URL */
	const char *title;       /* NULL or "" when absent */
	const struct share_network *const *networks;
	size_t n;
	/* Its words, in the request's language (the catalogs' share.*); NULL:
	 * English. */
	const char *lang;       /* lang="" of the bar */
	const char *name;       /* the bar's accessible name */
	const char *share_on;   /* each link's, "Share on {network}"; NULL: the
	                         * network's own English phrase */
	const char *native;     /* share.js's native share button, or NULL */
	const char *count_words;/* share.js's count words: JSON {"one":, "other":}, or NULL */
};

/*
 * Appends the share bar: a <social-share> element holding a list of real
 * links to {mount}/share/{network}?url=&title=, each with an inline SVG
 * icon (aria-hidden), a visible label and an accessible name. Every value
 * is escaped for its context (URL component, then HTML attribute).
 */
enum rc share_render_bar(struct buf *b, const struct share_bar *bar);

/* What the Mastodon picker page shows. */
struct share_picker {
	const char *mount;
	const char *url;          /* canonical shared URL */
	const char *title;        /* may be NULL */
	const char *text;         /* may be NULL */
	const char *remembered;   /* last used instance (validated) or NULL */
	const char *entered;      /* the rejected free entry, or NULL */
	const char *error;        /* message for `entered`, or NULL */
	const char *confirm;      /* a server a link named, to confirm, or NULL */
	const char *token;        /* picker token for the form (share.c) */
	const char *const *instances; /* well-known instances */
	size_t ninstances;
};

/*
 * Appends a whole HTML page: a POST form back to {mount}/share/mastodon
 * with url, title, text and the picker token as hidden fields and a
 * labelled `instance` field (pre-filled with `confirm`, under a line that
 * asks the visitor to confirm that server, when set), then GET links for
 * the remembered and the well-known instances. No inline script or style
 * (strict CSP).
 */
enum rc share_render_picker(struct buf *b, const struct share_picker *p);

/* The share bar's English words (when share_bar has none). */
struct share_render_words {
	const char *buttons_title;   /* the bar's name and its page's title */
};
extern const struct share_render_words share_render_words;

#endif

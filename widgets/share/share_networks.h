/* share_networks: the one table of share networks and their intent URLs. */
#ifndef SOCIALHUB_WIDGETS_SHARE_NETWORKS_H
#define SOCIALHUB_WIDGETS_SHARE_NETWORKS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/rc.h"

/* Where an intent parameter's value comes from. */
enum share_src {
	SHARE_SRC_NONE = 0,
	SHARE_SRC_URL,      /* the shared URL (always sent) */
	SHARE_SRC_TITLE,    /* title */
	SHARE_SRC_TEXT,     /* text */
	SHARE_SRC_MSG,      /* text, else title */
	SHARE_SRC_MSG_URL,  /* "MSG URL" (the URL alone without MSG) */
	SHARE_SRC_BODY,     /* "text\r\n\r\nURL" (the URL alone without text) */
	SHARE_SRC_VIA,      /* via (X handle) */
	SHARE_SRC_HASHTAGS, /* comma-separated tags */
	SHARE_SRC_MEDIA,    /* image URL */
	SHARE_SRC_LINK,     /* the constant "link" (Tumblr posttype) */
};

/* Optional inputs a network takes (bit mask). */
enum share_takes {
	SHARE_TAKES_VIA = 1 << 0,
	SHARE_TAKES_HASHTAGS = 1 << 1,
	SHARE_TAKES_MEDIA = 1 << 2,
};

#define SHARE_PARAMS_MAX 6

struct share_param {
	const char *name;
	enum share_src src;
};

/* One row of the table. */
struct share_network {
	const char *id;        /* "x": the {network} path segment */
	const char *name;      /* "X": visible label */
	const char *action;    /* "Share on X": accessible name */
	const char *base;      /* intent URL before '?'; for Mastodon the part
	                        * after "https://{instance}" */
	bool needs_instance;   /* base is relative to a visitor's instance */
	unsigned takes;        /* enum share_takes */
	struct share_param params[SHARE_PARAMS_MAX];
	const char *icon;      /* SVG path data, 24x24 viewBox */
	const char *source;    /* where the format is documented */
	const char *checked;   /* date the format was checked: YYYY-MM-DD */
};

/* What goes into an intent; NULL or "" means absent. */
struct share_input {
	const char *url;       /* required: the (tagged) shared URL */
	const char *title;
	const char *text;
	const char *via;
	const char *hashtags;
	const char *media;
	const char *instance;  /* required for needs_instance networks */
};

/* The table and its length. */
extern const struct share_network share_networks[];
extern const size_t share_networks_n;

/* The row with that id, or NULL. */
const struct share_network *share_network_find(const char *id);
/* Index of a row in the table (for bit sets), or -1. */
int share_network_index(const char *id);

/*
 * Appends the intent URL of network n for in to b: base, then each table
 * parameter whose value is not empty, every value percent-encoded (RFC
 * 3986 unreserved kept, so a space is %20 also in mailto:, RFC 6068).
 * RC_INVALID when in->url is missing or, for a needs_instance network,
 * in->instance is; RC_LIMIT when b's cap is reached.
 */
enum rc share_intent(struct buf *b, const struct share_network *n,
    const struct share_input *in);

/* True for an X handle: 1..15 of [A-Za-z0-9_]. */
bool share_via_ok(const char *via);
/* True for "tag[,tag...]": 1..10 tags, each 1..64 bytes without
 * whitespace, control characters, '#', ',' or '&'. */
bool share_hashtags_ok(const char *tags);

#endif

/* profiles: one card per source account of a stream (avatar, name, handle,
 * network, link, follower count where the source gives one). */
#ifndef SOCIALHUB_WIDGETS_PROFILES_H
#define SOCIALHUB_WIDGETS_PROFILES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/rc.h"
#include "widgets/feeds/feed.h"
#include "widgets/render.h"

/* One account. Strings in arena memory, NULL when unknown. `avatar` is the
 * upstream URL (profiles_json and the HTML map it to the media proxy). */
struct profile {
	const char *source;      /* the config's source name */
	const char *network;     /* render_network id: "mastodon", "youtube", ... */
	const char *network_label;
	const char *name;        /* display name */
	const char *handle;      /* "@brand@mastodon.example", "@brand.example" */
	const char *url;         /* profile page, http(s) */
	const char *avatar;
	long long followers;     /* -1: the source does not say */
	long long fetched_at;    /* when the account API answered, 0: never */
	long long instance_at;   /* when the host answered the instance probe
	                          * (profiles_mastodon_instance), 0: never */
	bool instance_mastodon;  /* ... and whether it answered as Mastodon */
};

/*
 * Fills `out` from what the source's own feed says: the title (Bluesky's
 * "@handle - Name" is split), the home page link, the feed icon or first
 * author avatar; the network from the home page (else the feed URL).
 * `title` (the config's, may be NULL) wins over the feed's title.
 */
void profiles_from_feed(struct arena *a, const char *source, const char *title,
    const char *feed_url, const struct feed *f, struct profile *out);

/*
 * The Mastodon account lookup for a source feed URL of the form
 * https://HOST/@USER.rss or https://HOST/users/USER.rss:
 * https://HOST/api/v1/accounts/lookup?acct=USER (arena string), else NULL.
 */
char *profiles_mastodon_lookup(struct arena *a, const char *feed_url);

/*
 * The same path shapes are any site's own: the lookup is for a host that
 * is Mastodon (feed_discover_mastodon_host, or one whose instance API
 * answers as Mastodon). For the feed URLs profiles_mastodon_lookup takes:
 * https://HOST/api/v1/instance (arena string), else NULL.
 */
char *profiles_mastodon_instance(struct arena *a, const char *feed_url);

/*
 * True when body is an instance API answer (GET /api/v1/instance) of
 * Mastodon or a server with its API: a JSON object with a non-empty
 * string "uri" and a "version" string starting with a digit.
 */
bool profiles_is_mastodon_instance(const char *body, size_t len);

/*
 * Applies a Mastodon account (GET /api/v1/accounts/lookup answer) to p:
 * display_name, url, avatar_static, followers_count, and the handle
 * @acct@host of its url. RC_INVALID when body is not such an object.
 */
enum rc profiles_apply_mastodon(struct arena *a, const char *body, size_t len,
    struct profile *p);

/* The internal form (upstream avatar, fetched_at) and back. */
json_t *profiles_state_json(const struct profile *p, size_t n);
enum rc profiles_from_state(struct arena *a, const json_t *j, struct profile **out,
    size_t *n);

/* The public JSON: {"stream", "title", "profiles": [...]}, avatars proxied. */
json_t *profiles_json(const struct profile *p, size_t n, const char *stream,
    const char *title, const struct render_site *site);

/* What a box is of, and in whose words. */
struct profiles_box {
	const char *stream;
	const char *title;     /* the list's name; NULL: the stream's name */
	const char *lang;      /* a catalog language (page_lang); NULL: English */
	const struct render_site *site;
};

/*
 * The HTML fragment: a list of h-card articles, avatars proxied, with
 * `lang`/`dir` of box->lang on the section, network labels and follower
 * counts from the catalog (profiles.network.ID, else the network's own
 * name; profiles.followers) in that language.
 */
enum rc profiles_html(struct buf *b, const struct profile *p, size_t n,
    const struct profiles_box *box);

#endif

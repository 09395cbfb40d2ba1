/* mod_rules: a stream's moderation rules — which items approve themselves
 * (trusted authors), which are rejected (blocked words, blocked authors,
 * links to blocked domains, sensitive media) and which wait in the queue. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_MOD_RULES_H
#define SOCIALHUB_WIDGETS_STREAMS_MOD_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/feeds/feed.h"

#define MOD_REASON_MAX 160

/* How a source's items reach the public stream. */
enum mod_mode {
	MOD_AUTO,     /* shown unless a rule or a moderator rejects or hides it */
	MOD_QUEUE,    /* shown once approved (by a moderator or a trusted-author rule) */
};

/* The rules of one stream, immutable once the config is loaded. Author
 * entries are "@user@host" (Mastodon), "@handle" (Bluesky) or a profile
 * URL; domains match themselves and their subdomains; words match whole
 * words, case-folded (Unicode), "word*" as a prefix. */
struct mod_rules {
	const char **trusted_authors, **blocked_authors, **blocked_words, **blocked_domains;
	size_t ntrusted, nblocked_authors, nwords, ndomains;
	bool reject_sensitive;     /* sensitive media or a content warning */
};

enum mod_verdict {
	MOD_VERDICT_QUEUE,
	MOD_VERDICT_APPROVE,
	MOD_VERDICT_REJECT,
};

/* "auto" / "queue"; false for anything else. */
bool mod_mode_parse(const char *s, enum mod_mode *out);
const char *mod_mode_name(enum mod_mode m);

/*
 * Unicode default case folding of UTF-8 `s` (ICU), into `a`: "ÄRGER" and
 * "ärger" fold alike, "Straße" to "strasse". NULL on invalid UTF-8 or no
 * memory.
 */
char *mod_fold(struct arena *a, const char *s);

/*
 * True when folded text holds `word` (already folded; a trailing '*'
 * makes it a prefix) as a whole word: the code points on either side are
 * no letters, digits or '_'.
 */
bool mod_word_in(const char *folded_text, const char *folded_word);

/* True when host is domain or one of its subdomains (ASCII, any case). */
bool mod_domain_match(const char *host, const char *domain);

/*
 * The author handle of an item, lower-cased, from its author's profile
 * URL: "@user@host" for https://host/@user, "@handle" for
 * https://bsky.app/profile/handle; NULL when neither shape.
 */
char *mod_author_handle(struct arena *a, const struct feed_item *it);

/*
 * The rules' verdict on an item: REJECT (with the first rule that hit)
 * beats APPROVE (a trusted author), else QUEUE. `text` is the item's
 * plain text (stream_item_text). `reason` (MOD_REASON_MAX bytes) names
 * the rule ("blocked word \"x\"", "trusted author @a@b") or is empty.
 */
enum mod_verdict mod_rules_check(struct arena *a, const struct mod_rules *r,
    const struct feed_item *it, const char *text, char *reason);

/* True when a stream has any rule. */
bool mod_rules_any(const struct mod_rules *r);

#endif

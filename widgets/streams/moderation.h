/* moderation: the queue, the decisions and the audit log of moderated
 * streams, kept in the shared store (util/store.h: SQLite on one node,
 * Redis for several), and what a merge needs of them (a view). */
#ifndef SOCIALHUB_WIDGETS_STREAMS_MODERATION_H
#define SOCIALHUB_WIDGETS_STREAMS_MODERATION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/rc.h"
#include "util/store.h"
#include "widgets/feeds/feed.h"
#include "widgets/streams/mod_rules.h"

/*
 * Store keys, per stream S (a stream name: [A-Za-z0-9_-]):
 *   mod:q:S     hash: item key -> the item as the console shows it (JSON:
 *               source, market, url, title, text, author, media, first
 *               seen, the rules' verdict and reason)
 *   mod:d:S     hash: item key -> the decision (JSON: state, pin, featured,
 *               by, at)
 *   mod:gen:S   counter, bumped by every batch of decisions: the merge's
 *               fingerprint holds it, so the refresher re-merges
 *   mod:audit   list, newest first: one JSON line per decision
 */
#define MOD_KEY_LEN 24             /* hex digits of an item key */
#define MOD_AUDIT_MAX 100000       /* audit entries kept */
#define MOD_WHO_MAX 256
#define MOD_BATCH_MAX 5000         /* items in one decision */
#define MOD_TEXT_MAX 500           /* bytes of text kept for the console */
#define MOD_PIN_MAX 1000

enum mod_state {
	MOD_NONE,        /* never decided (the rules and the mode apply) */
	MOD_APPROVED,
	MOD_REJECTED,
	MOD_HIDDEN,      /* taken down after approval */
};

enum mod_action {
	MOD_APPROVE,
	MOD_REJECT,
	MOD_PIN,         /* approves too; pin > 0 orders the pins (1 first) */
	MOD_UNPIN,
	MOD_HIDE,
	MOD_FEATURE,     /* approves too */
	MOD_UNFEATURE,
	MOD_ACTION_COUNT
};

struct mod_decision {
	enum mod_state state;
	long pin;            /* 0: not pinned */
	bool featured;
	const char *by;      /* who decided */
	long long at;        /* when (Unix seconds) */
};

struct mod;

/* Opens moderation on a store handle (borrowed; must outlive it). */
enum rc mod_new(struct store *s, struct mod **out);
void mod_free(struct mod *m);

const char *mod_state_name(enum mod_state s);
/* "approve", "reject", "pin", ...; false for an unknown name. */
bool mod_action_parse(const char *s, enum mod_action *out);
const char *mod_action_name(enum mod_action a);

/* The key of an item of `source` (hex SHA-256 of source and item id, or
 * its URL when it has no id), MOD_KEY_LEN digits and a NUL. */
void mod_item_key(const char *source, const struct feed_item *it, char out[MOD_KEY_LEN + 1]);
/* True when s is MOD_KEY_LEN lower-case hex digits. */
bool mod_key_ok(const char *s);

/* ---- the merge's view of one stream ---- */

struct mod_view;

/*
 * Opens stream's view in `a` with its generation only (one counter read:
 * what the refresher's pass each second needs for the fingerprint).
 * RC_UNAVAILABLE when the store does not answer: the caller keeps the
 * last merge rather than show what it cannot check.
 */
enum rc mod_view_open(struct mod *m, struct arena *a, const char *stream,
    struct mod_view **out);
/* Reads the decisions and the keys already queued into the view (once),
 * before a merge. NULL is fine. Errors as mod_view_open. */
enum rc mod_view_fill(struct mod_view *v);
/* mod_view_open and mod_view_fill. */
enum rc mod_view_load(struct mod *m, struct arena *a, const char *stream,
    struct mod_view **out);
/* The decision on key, or NULL. */
const struct mod_decision *mod_view_get(const struct mod_view *v, const char *key);
long long mod_view_gen(const struct mod_view *v);

/*
 * Whether an item the merge met is shown, and its pin (0: none): from
 * the decision when there is one, else from `verdict` and the source's
 * mode. An item not queued yet is remembered for mod_view_flush with
 * `reason`. `text` is its plain text.
 */
bool mod_view_visible(struct mod_view *v, const char *source, const char *market,
    enum mod_mode mode, const struct feed_item *it, const char *text,
    enum mod_verdict verdict, const char *reason, long *pin, bool *featured);

/* Writes the items mod_view_visible met for the first time to the
 * queue. */
enum rc mod_view_flush(struct mod *m, struct mod_view *v);

/* ---- decisions, queue and audit (the console) ---- */

struct mod_request {
	const char *stream;
	const char *const *keys;     /* MOD_KEY_LEN hex each */
	size_t nkeys;
	enum mod_action action;
	long pin;                    /* MOD_PIN: 1..MOD_PIN_MAX */
	const char *who;             /* "provider:subject (email)", at most MOD_WHO_MAX */
	long long now;
};

/*
 * Records one decision on each key of the stream's queue, an audit entry
 * each, then bumps the stream's generation once. A key that is not in
 * this stream's queue is refused (RC_NOTFOUND, nothing written): an item
 * of another stream cannot be decided here by its key. *done (may be
 * NULL) counts the keys decided.
 */
enum rc mod_decide(struct mod *m, const struct mod_request *r, size_t *done);

struct mod_filter {
	const char *source;    /* NULL: any */
	const char *market;    /* NULL: any */
	const char *state;     /* "pending", "approved", "rejected", "hidden", NULL: any */
	const char *text;      /* substring of text, title or author (folded), NULL: any */
	size_t offset, limit;
};

/*
 * The stream's queue, newest first, filtered: a JSON array of objects
 * {key, source, market, url, title, text, author, author_url, image,
 * seen, verdict, reason, state, pin, featured, by, at} (new reference);
 * *total the matches before offset/limit.
 */
enum rc mod_queue(struct mod *m, struct arena *a, const char *stream,
    const struct mod_filter *f, json_t **out, size_t *total);

/* The newest `max` audit entries (all streams, or stream's), newest
 * first: a JSON array of {at, who, stream, key, action, pin, url}. */
enum rc mod_audit(struct mod *m, const char *stream, size_t max, json_t **out);

/* The same entries as CSV (header line, RFC 4180 quoting), into `a`.
 * Cells that a spreadsheet would run as a formula get a leading '\''. */
char *mod_audit_csv(struct arena *a, const json_t *entries);

/* The stream's generation (0 before any decision). */
enum rc mod_gen(struct mod *m, const char *stream, long long *out);

#endif

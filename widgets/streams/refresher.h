/* refresher: one refresh pass — due sources fetched, parsed, stored, merged. */
#ifndef SOCIALHUB_WIDGETS_REFRESHER_H
#define SOCIALHUB_WIDGETS_REFRESHER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"
#include "widgets/streams/cache.h"
#include "util/store.h"
#include "widgets/streams/fetcher.h"
#include "widgets/streams/schedule.h"
#include "widgets/streams/stream.h"

#define REFRESH_SOURCE_MAX_ITEMS 1000   /* items kept per source */

/*
 * Connections (widgets/conn.c) behind a seam: `get` gives the access token
 * of `connection = NAME` (arena copy) or an error with why (words for the
 * source's error, never the token); `answered` hears each failed API
 * answer of such a source, so a token the network refused (401, Meta's
 * code 190) marks its connection failed. NULL get: no connections here.
 */
struct refresher_tokens {
	enum rc (*get)(void *arg, struct arena *a, const char *name, const char **token,
	    const char **why);
	void (*answered)(void *arg, const char *name, long status, const char *body, size_t len,
	    const char *msg);
	void *arg;
};

/* What the refresher works on; all borrowed, must outlive it. */
struct refresher_conf {
	const struct stream_conf *streams;
	size_t nstreams;
	struct cache *cache;
	bool allow_private;          /* fetch_allow_private */
	struct fetcher_opts fetch;   /* for the libcurl fetcher */
	struct fetcher *fetcher;     /* injected (tests); NULL: libcurl, made lazily */
	struct refresher_tokens tokens;
	struct mod *mod;             /* moderation decisions; NULL: moderated streams wait */
	struct store *store;         /* a shared store (several nodes): one fetch
				      * per source across them (refresh_share.h);
				      * NULL or local: this node fetches alone */
};

struct refresher;

enum rc refresher_new(const struct refresher_conf *conf, struct refresher **out);
void refresher_free(struct refresher *r);

enum refresh_outcome {
	REFRESH_UPDATED,      /* 200 with new items */
	REFRESH_UNCHANGED,    /* 200 with the same items */
	REFRESH_NOT_MODIFIED, /* 304 */
	REFRESH_FAILED,       /* error: the last good items stay */
	REFRESH_NOT_DUE,      /* skipped: next_due is later */
	REFRESH_BUSY,         /* skipped: another process (or node) is fetching it */
	REFRESH_SHARED,       /* another node fetched it: its result was taken */
};

/* True for the outcomes that made (or tried) a request. */
bool refresh_outcome_fetched(enum refresh_outcome o);

/* Short name of an outcome: "updated", "unchanged", "not-modified", ... */
const char *refresh_outcome_str(enum refresh_outcome o);

/* One line of the report: a unique source URL. */
struct refresh_entry {
	const char *stream;   /* the first stream naming the URL */
	const char *source;
	const char *url;
	enum refresh_outcome outcome;
	long http_status;
	long items;
	long long bytes;
	long ms;
	long long next_due;
	const char *why;      /* scheduling rule (schedule_next_interval) */
	const char *via;      /* the feed a page named (discovery), or NULL */
	const char *error;    /* NULL unless FAILED */
};

struct refresh_report {
	struct refresh_entry *entries;
	size_t n;
	size_t nfailed;
	size_t nfetched;
	const char **changed_streams;   /* streams whose feed.json changed */
	size_t nchanged;
	/* Per stream of the pass (in config order), what its rebuild left in
	 * memory: the merge and each source's items, for the publisher, so
	 * that nothing just written is read back. Lives in the pass's arena. */
	struct stream_result *results;
	size_t nresults;
	long next_in;         /* seconds until the next source is due (>= 1) */
};

struct refresh_opts {
	const char *stream;   /* only this stream's sources; NULL: all */
	bool force;           /* fetch sources that are not due yet */
};

/*
 * One pass: loads each source's status, fetches the due ones in parallel
 * (single-flight: a source locked by another process is skipped), parses
 * and stores them (a failing source keeps its last good items), re-merges
 * every stream whose inputs changed, from the items parsed in this pass
 * (in memory) and the stored ones of the sources it did not fetch. The
 * report, and the merges and parsed items it hands on (rep->results),
 * live in arena `a`.
 * Returns RC_OK even when sources failed (see rep->nfailed); an error
 * means the pass itself could not run.
 */
enum rc refresher_pass(struct refresher *r, const struct refresh_opts *o,
    struct arena *a, struct refresh_report *rep, volatile sig_atomic_t *stop);

/*
 * CGI mode: before a stream is read from disk, refreshes it inline when
 * any of its sources is due or its merge is out of date; otherwise only
 * reads statuses. Bounded by the fetch timeouts (20 s).
 */
enum rc refresher_ensure_fresh(struct refresher *r, const char *stream);

#endif

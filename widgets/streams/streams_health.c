/* streams_health: what /healthz reports of a stream and its sources, read
 * from the cache's status files and the published stream's meta. */
#include "widgets/streams/streams_health.h"

#include <string.h>

#include "util/time.h"

#define STREAMS_LATE_GRACE 300      /* seconds: a source this late is not fresh */

/* Sets key to t in RFC 3339, as every date in the JSON answers; null for
 * 0 (never). */
static void
set_date(json_t *o, const char *key, long long t)
{
	char s[TIME_RFC3339_LEN];

	if (t <= 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	time_format_rfc3339(t, s);
	json_object_set_new(o, key, json_string(s));
}

/* The stream-level summary of its sources' errors. */
struct stream_errors {
	long failing;
	long long last_at;
	json_t *last;      /* borrowed from the source object */
};

static json_t *
source_health(struct arena *a, const struct cache *c,
    const struct stream_source *s, long long now, bool *fresh,
    struct stream_errors *errs)
{
	char *path = cache_source_path(a, c, s->key, "status.json");
	struct cache_status st;
	const char *state;
	json_t *o;

	if (path == NULL || cache_status_load(a, path, &st) != RC_OK)
		memset(&st, 0, sizeof(st));
	if (st.last_attempt == 0)
		state = "pending";
	else if (st.failures > 0)
		state = "failing";
	else if (now > st.next_due + STREAMS_LATE_GRACE)
		state = "late";
	else
		state = "ok";
	if (strcmp(state, "ok") != 0)
		*fresh = false;
	o = cache_status_json(&st);
	if (o != NULL) {
		json_object_set_new(o, "status", json_string(state));
		json_object_del(o, "url");
		/* status.json keeps Unix seconds; the report says dates. */
		set_date(o, "last_attempt", st.last_attempt);
		set_date(o, "last_success", st.last_success);
		set_date(o, "last_change", st.last_change);
		set_date(o, "last_error_at", st.last_error_at);
		set_date(o, "next_due", st.next_due);
		if (st.failures > 0) {
			errs->failing++;
			if (st.last_error_at >= errs->last_at) {
				errs->last_at = st.last_error_at;
				errs->last = json_object_get(o, "last_error");
			}
		}
	}
	return o;
}

json_t *
streams_health(struct arena *a, const struct cache *c, const struct stream_conf *sc,
    long long now)
{
	json_t *o = json_object(), *sources = json_object(), *meta = NULL;
	struct stream_errors errs = { 0 };
	bool fresh = true;
	long long changed = 0;

	if (o == NULL || sources == NULL) {
		json_decref(o);
		json_decref(sources);
		return NULL;
	}
	for (size_t i = 0; i < sc->nsources; i++)
		json_object_set_new(sources, sc->sources[i].name,
		    source_health(a, c, &sc->sources[i], now, &fresh, &errs));
	if (stream_load(c, sc->name, NULL, &meta) == RC_OK) {
		json_object_set(o, "items", json_object_get(meta, "count"));
		set_date(o, "generated_at",
		    (long long)json_integer_value(json_object_get(meta, "generated_at")));
		changed = (long long)json_integer_value(json_object_get(meta, "changed_at"));
		set_date(o, "changed_at", changed);
		json_decref(meta);
	} else {
		fresh = false;
		json_object_set_new(o, "items", json_integer(0));
	}
	json_object_set_new(o, "fresh", json_boolean(fresh));
	json_object_set_new(o, "failing", json_integer(errs.failing));
	json_object_set(o, "last_error", errs.last != NULL ? errs.last : json_null());
	json_object_set_new(o, "age", changed > 0 ? json_integer((json_int_t)(now - changed)) : json_null());
	json_object_set_new(o, "sources", sources);
	return o;
}

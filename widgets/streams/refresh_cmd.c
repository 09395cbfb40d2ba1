/* refresh_cmd: `socialhub refresh`'s options and its report, one line per
 * source and per stream. The entry point that loads the config and runs
 * the pass is the widget feature's (widgets.c). */
#include "widgets/streams/refresh_cmd.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void
refresh_cmd_usage(FILE *f)
{
	fprintf(f, "usage: socialhub refresh [--stream NAME] [--force] [-c FILE]\n"
	    "  one refresh pass now: fetches the due sources (all with --force),\n"
	    "  prints one line per source; exit 0 when none failed, 1 otherwise\n");
}

/* "90s", "15m", "2h", "1d" for the report. */
static const char *
human_secs(char *out, size_t n, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, n, "%llds", s);
	else if (s < 7200)
		snprintf(out, n, "%lldm", s / 60);
	else if (s < 172800)
		snprintf(out, n, "%lldh", s / 3600);
	else
		snprintf(out, n, "%lldd", s / 86400);
	return out;
}

void
refresh_cmd_report(const struct refresh_report *rep, const struct stream_conf *streams,
    size_t nstreams, const struct cache *c, const char *only)
{
	long long now = (long long)time(NULL);
	char next[32], name[160];

	printf("%-32s %-12s %4s %6s %10s %6s  %s\n", "SOURCE", "STATUS", "HTTP",
	    "ITEMS", "BYTES", "MS", "NEXT");
	for (size_t i = 0; i < rep->n; i++) {
		const struct refresh_entry *e = &rep->entries[i];
		bool fetched = refresh_outcome_fetched(e->outcome);
		snprintf(name, sizeof(name), "%s/%s", e->stream, e->source);
		printf("%-32s %-12s %4ld %6ld %10lld %6ld  %s%s%s%s\n", name,
		    refresh_outcome_str(e->outcome), e->http_status, e->items, e->bytes,
		    fetched ? e->ms : 0L, human_secs(next, sizeof(next), e->next_due - now),
		    e->why ? " (" : "", e->why ? e->why : "", e->why ? ")" : "");
		if (e->via != NULL)
			printf("    via: %s\n", e->via);
		if (e->error != NULL)
			printf("    error: %s\n", e->error);
	}
	for (size_t i = 0; i < nstreams; i++) {
		const struct stream_result *res = NULL;
		json_t *meta = NULL;
		long long count = 0;
		if (only != NULL && strcmp(only, streams[i].name) != 0)
			continue;
		for (size_t j = 0; j < rep->nresults; j++)
			if (rep->results[j].sc == &streams[i])
				res = &rep->results[j];
		/* The count of a merge of this pass is known; others are read. */
		if (res != NULL && res->merged) {
			count = (long long)res->m.feed.nitems;
		} else if (stream_load(c, streams[i].name, NULL, &meta) == RC_OK) {
			count = (long long)json_integer_value(json_object_get(meta, "count"));
			json_decref(meta);
		}
		printf("stream %s: %lld items, %s\n", streams[i].name, count,
		    res != NULL && res->changed ? "changed" : "unchanged");
	}
	printf("%zu fetched, %zu failed\n", rep->nfetched, rep->nfailed);
}

int
refresh_cmd_args(int argc, char **argv, struct refresh_opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc) {
			o->stream = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			o->force = true;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			refresh_cmd_usage(stdout);
			return 0;
		} else {
			refresh_cmd_usage(stderr);
			return 2;
		}
	}
	return -1;
}

/* refresh_cmd: options and report of `socialhub refresh`. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_REFRESH_CMD_H
#define SOCIALHUB_WIDGETS_STREAMS_REFRESH_CMD_H

#include <stdio.h>

#include "widgets/streams/cache.h"
#include "widgets/streams/refresher.h"
#include "widgets/streams/stream.h"

/* The usage lines, to f. */
void refresh_cmd_usage(FILE *f);

/*
 * Parses the command's own options into *o (`-c FILE` is skipped: the
 * caller reads it). Returns -1 to go on, else the exit status: 0 after
 * --help, 2 after a bad option (usage printed).
 */
int refresh_cmd_args(int argc, char **argv, struct refresh_opts *o);

/* Prints the pass's table and one line per stream (all, or `only`). */
void refresh_cmd_report(const struct refresh_report *rep, const struct stream_conf *streams,
    size_t nstreams, const struct cache *c, const char *only);

#endif

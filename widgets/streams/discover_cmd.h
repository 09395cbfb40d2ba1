/* discover_cmd: `socialhub discover URL`: the feeds a page names. */
#ifndef SOCIALHUB_WIDGETS_STREAMS_DISCOVER_CMD_H
#define SOCIALHUB_WIDGETS_STREAMS_DISCOVER_CMD_H

#include "widgets/streams/fetcher.h"

/*
 * Fetches url (argv[argc - 1]; argv[1..] may also hold "-c FILE", which
 * the caller read) through a fetcher made from fo (the outbound policy
 * checks every transfer; allow_private: fetch_allow_private) and prints,
 * one a line, the feed candidates of the page (feed_discover), each
 * fetched and parsed: "URL  HOW  feed FORMAT, N items" or "URL  HOW  not
 * a feed (why)"; a URL that is a feed itself is said so. Exit status: 0
 * when a feed was found, 1 otherwise, 2 usage.
 */
int discover_cmd(int argc, char **argv, const struct fetcher_opts *fo,
    bool allow_private);

#endif

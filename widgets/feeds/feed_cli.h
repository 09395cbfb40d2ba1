/* feed_cli: the `socialhub parse` command. */
#ifndef SOCIALHUB_WIDGETS_FEED_CLI_H
#define SOCIALHUB_WIDGETS_FEED_CLI_H

struct feature;

/*
 * socialhub parse [--base URL] [--content-type TYPE] [--max-items N]
 *                 FILE|-
 * Parses one feed and prints it as JSON Feed 1.1 on stdout. Exit 0, 1 on
 * an unparseable or unreadable input (message on stderr), 2 on bad usage.
 * Hidden: --repeat N parses N times in-process and reports throughput on
 * stderr (for tests/bench).
 */
int widgets_cmd_parse(int argc, char **argv, const struct feature *features);

#endif

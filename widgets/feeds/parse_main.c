/* parse_main: socialhub-parse, the program behind `socialhub parse` (see
 * fcgi/launcher.c): the parser's libraries only, so that a process per
 * feed costs the parse and not the daemon's 40-odd shared libraries. */
#include <stdio.h>
#include <string.h>

#include "widgets/feeds/feed_cli.h"

int
main(int argc, char **argv)
{
	/* Run by the launcher as `socialhub parse ARGS`; alone, as
	 * `socialhub-parse ARGS` too. */
	if (argc > 1 && strcmp(argv[1], "parse") == 0)
		return widgets_cmd_parse(argc - 1, argv + 1, NULL);
	return widgets_cmd_parse(argc, argv, NULL);
}

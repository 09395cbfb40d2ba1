/* main: the composition root — commands and features joined here. */
#include <stdio.h>

#include "fcgi/cli.h"
#include "fcgi/feature.h"
#include "util/netpolicy.h"
#include "widgets/conn.h"
#include "widgets/widgets.h"

static const struct cli_command commands[] = {
	{ "serve", "serve [-c FILE]            run the FastCGI master", cli_serve },
	{ "check-config", "check-config [--list] [-c FILE] [--against RUNNING_FILE]\n"
	    "                             validate the configuration, say what a reload changes\n"
	    "                             (--list: what it will fetch)",
	    cli_check_config },
	{ "keygen", "keygen                     print a new random session secret", cli_keygen },
	WIDGETS_COMMANDS
	CONN_COMMANDS
	{ NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
	/* libcurl once per process, before the master forks its children:
	 * each inherits it and never initialises it again. */
	if (netpolicy_global_init() != RC_OK) {
		fprintf(stderr, "socialhub: cannot initialise libcurl\n");
		return 1;
	}
	return cli_main(argc, argv, commands, routes_features);
}

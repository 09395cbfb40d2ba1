/* main: the composition root — commands and features joined here. */
#include "fcgi/cli.h"
#include "fcgi/feature.h"
#include "widgets/widgets.h"

static const struct cli_command commands[] = {
	{ "serve", "serve [-c FILE]            run the FastCGI master", cli_serve },
	{ "check-config", "check-config [-c FILE]     validate the configuration", cli_check_config },
	{ "keygen", "keygen                     print a new random session secret", cli_keygen },
	WIDGETS_COMMANDS
	{ NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cli_main(argc, argv, commands, routes_features);
}

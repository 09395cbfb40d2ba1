/* cli: sub-command parsing and the core commands. */
#ifndef SOCIALHUB_FCGI_CLI_H
#define SOCIALHUB_FCGI_CLI_H

#include <stdbool.h>

struct feature;

/* One sub-command: argv[0] is the command name. Returns the exit status. */
struct cli_command {
	const char *name;
	const char *usage;     /* one line for --help */
	int (*run)(int argc, char **argv, const struct feature *features);
};

/*
 * Runs the program: picks CGI mode, FastCGI on fd 0, or a sub-command from
 * the table (NULL-name-terminated). Returns the exit status.
 */
int cli_main(int argc, char **argv, const struct cli_command *commands,
    const struct feature *features);

/*
 * Finds "-c FILE" in argv (the common option of every command) and
 * returns the config path to use (see config_default_path). *bad is set
 * when -c lacks its argument.
 */
const char *cli_config_path(int argc, char **argv, bool *bad);

/* Core commands. */
int cli_serve(int argc, char **argv, const struct feature *features);
int cli_check_config(int argc, char **argv, const struct feature *features);
int cli_keygen(int argc, char **argv, const struct feature *features);

#endif

/* cli: sub-commands, CGI detection and the core commands. */
#include "autoconf.h"
#include "fcgi/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcgi/config.h"
#include "fcgi/feature.h"
#include "fcgi/master.h"
#include "fcgi/worker.h"
#include "util/crypto.h"

const char *
cli_config_path(int argc, char **argv, bool *bad)
{
	*bad = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			if (i + 1 >= argc) {
				*bad = true;
				return NULL;
			}
			return config_default_path(argv[i + 1]);
		}
	}
	return config_default_path(NULL);
}

/* For commands whose only option is -c FILE: anything else is a usage
 * error, never silently ignored (a typo must not start the daemon on the
 * default config). */
static const char *
config_only(int argc, char **argv, bool *bad)
{
	const char *path = cli_config_path(argc, argv, bad);

	for (int i = 1; i < argc && !*bad; i++) {
		if (strcmp(argv[i], "-c") == 0)
			i++;
		else
			*bad = true;
	}
	return path;
}

int
cli_serve(int argc, char **argv, const struct feature *features)
{
	bool bad;
	const char *path = config_only(argc, argv, &bad);

	if (bad) {
		fprintf(stderr, "usage: socialhub serve [-c FILE]\n");
		return 2;
	}
	return master_run(path, features);
}

/* check-config's options: -c FILE, --against RUNNING. */
static bool
check_args(int argc, char **argv, const char **path, const char **against,
    bool *list)
{
	bool bad;

	*path = cli_config_path(argc, argv, &bad);
	*against = NULL;
	*list = false;
	for (int i = 1; i < argc && !bad; i++) {
		if (strcmp(argv[i], "-c") == 0)
			i++;
		else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc)
			*against = argv[++i];
		else if (strcmp(argv[i], "--list") == 0)
			*list = true;
		else
			bad = true;
	}
	return !bad;
}

/*
 * What a reload would change: against the file given, else the copy of
 * what the running master loaded (state_dir/running.conf), when there is
 * one. Only for a valid cfg.
 */
static void
check_reload(const struct config *cfg, const char *against, const struct feature *features)
{
	char *running = against == NULL ? config_running_path(cfg) : NULL;
	const char *old_path = against != NULL ? against : running;
	struct config *old = NULL;
	enum rc rc;
	size_t n;

	if (old_path == NULL || (against == NULL && access(old_path, F_OK) != 0)) {
		printf("no copy of a running configuration (%s): start the daemon, or "
		    "compare with --against FILE\n", old_path != NULL ? old_path : "?");
		free(running);
		return;
	}
	/* Its problems are the running copy's, not the file being checked:
	 * only whether it loads matters here. */
	config_errors_quiet_set(true);
	rc = config_load(old_path, features, &old);
	config_errors_quiet_set(false);
	if (rc != RC_OK) {
		printf("cannot say what a reload would change: %s does not load\n", old_path);
		free(running);
		return;
	}
	printf("a reload, compared with %s%s:\n", old_path,
	    against == NULL ? " (what the running daemon loaded)" : "");
	n = config_diff(old, cfg, stdout);
	if (n == 0)
		printf("  changes nothing\n");
	config_free(old);
	free(running);
}

int
cli_check_config(int argc, char **argv, const struct feature *features)
{
	const char *path, *against;
	struct config *cfg = NULL;
	bool list;

	if (!check_args(argc, argv, &path, &against, &list) || path == NULL) {
		fprintf(stderr, "usage: socialhub check-config [--list] [-c FILE] [--against RUNNING_FILE]\n");
		return 2;
	}
	if (config_load(path, features, &cfg) != RC_OK) {
		fprintf(stderr, "%s: configuration is not valid\n", path);
		return 1;
	}
	printf("%s: ok\n", path);
	for (const struct feature *f = features; list && f->name != NULL; f++)
		if (f->describe != NULL)
			f->describe(cfg, stdout);
	check_reload(cfg, against, features);
	config_free(cfg);
	return 0;
}

int
cli_keygen(int argc, char **argv, const struct feature *features)
{
	unsigned char key[CRYPTO_KEY_LEN];
	const char *why;
	struct buf b;

	(void)argc;
	(void)argv;
	(void)features;
	/* What config load refuses as not random, keygen never prints (a
	 * draw fails the check with a probability under 1e-10). */
	do {
		if (crypto_random(key, sizeof(key)) != RC_OK) {
			fprintf(stderr, "socialhub: no random bytes available\n");
			return 1;
		}
	} while (!crypto_key_plausible(key, sizeof(key), &why));
	buf_init(&b, 128);
	crypto_b64url_encode(&b, key, sizeof(key));
	printf("%s\n", buf_cstr(&b));
	buf_fini(&b);
	return 0;
}

static void
usage(FILE *f, const struct cli_command *commands)
{
	fprintf(f, "usage: socialhub COMMAND [options]\n\ncommands:\n");
	for (const struct cli_command *c = commands; c->name != NULL; c++)
		fprintf(f, "  %s\n", c->usage);
	fprintf(f, "\nRun with fd 0 not a socket and REQUEST_METHOD set, it answers one CGI request.\n"
	    "Config: -c FILE, else $SOCIALHUB_CONFIG, else %s.\n",
	    config_default_path(NULL));
}

static bool
fd0_is_socket(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* CGI: one request from the environment, config from the environment. */
static int
run_cgi(const struct feature *features)
{
	struct config *cfg = NULL;
	int status;

	if (config_load(config_default_path(NULL), features, &cfg) != RC_OK) {
		fputs("Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n"
		    "{\"error\":\"config_error\",\"message\":\"socialhub is not configured correctly.\"}",
		    stdout);
		return 1;
	}
	status = worker_cgi(cfg, features);
	config_free(cfg);
	return status;
}

int
cli_main(int argc, char **argv, const struct cli_command *commands,
    const struct feature *features)
{
	if (argc < 2) {
		if (fd0_is_socket())
			return master_run(config_default_path(NULL), features);
		if (getenv("REQUEST_METHOD") != NULL || getenv("GATEWAY_INTERFACE") != NULL)
			return run_cgi(features);
		usage(stderr, commands);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout, commands);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	for (const struct cli_command *c = commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1, features);
	fprintf(stderr, "socialhub: unknown command '%s'\n", argv[1]);
	usage(stderr, commands);
	return 2;
}

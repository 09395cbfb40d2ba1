/* master: listen, pre-fork, respawn, reload and stop. */
#ifndef SOCIALHUB_FCGI_MASTER_H
#define SOCIALHUB_FCGI_MASTER_H

struct feature;

/*
 * Runs `socialhub serve`: loads config_path, opens the listening socket
 * (or takes fd 0), forks the workers and the refresher, and supervises
 * them until SIGTERM/SIGINT. Returns the process exit status.
 */
int master_run(const char *config_path, const struct feature *features);

#endif

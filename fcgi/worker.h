/* worker: the request loop of one pre-forked process, and plain CGI. */
#ifndef SOCIALHUB_FCGI_WORKER_H
#define SOCIALHUB_FCGI_WORKER_H

#include <signal.h>

#include "util/rc.h"

struct config;
struct feature;

/*
 * Serves FastCGI requests on listen_fd until *stop is set (by SIGTERM).
 * A request in progress is finished first. Returns the exit status.
 */
int worker_serve(const struct config *cfg, const struct feature *features,
    int listen_fd, volatile sig_atomic_t *stop);

/* Answers exactly one CGI request from the environment, stdin and stdout. */
int worker_cgi(const struct config *cfg, const struct feature *features);

/* Runs the refresher loop (each feature's refresh hook) until *stop. */
int worker_refresher(const struct config *cfg, const struct feature *features,
    volatile sig_atomic_t *stop);

#endif

/* conn_cmd: `socialhub connect NAME` (the connect flow from a terminal, for
 * headless set-ups) and `socialhub rekey` (tokens resealed after a key
 * rotation). */
#include "widgets/conn_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fcgi/cli.h"
#include "fcgi/config.h"
#include "util/log.h"
#include "util/url.h"

#define LINE_MAX_CMD 4096
#define WAIT_MS (10 * 60 * 1000)

static int
usage(void)
{
	fprintf(stderr, "usage: socialhub connect NAME [--port N] [-c FILE]\n"
	    "       socialhub rekey [-c FILE]\n");
	return 2;
}

/* Loads the config and opens the connections; 0 or the exit status. */
static int
load(int argc, char **argv, const struct feature *features, struct config **cfg,
    struct conn **c)
{
	bool bad;
	const char *path = cli_config_path(argc, argv, &bad);

	if (bad)
		return usage();
	log_set_role("connect");
	if (config_load(path, features, cfg) != RC_OK) {
		fprintf(stderr, "%s: configuration is not valid\n", path);
		return 1;
	}
	if (conn_open(*cfg, c) != RC_OK || (*c)->store == NULL) {
		fprintf(stderr, "socialhub: no connection is configured, or the store cannot be opened\n");
		return 1;
	}
	return 0;
}

/* The value of `name` in a query string (arena copy), or NULL. */
static const char *
query_get(struct arena *a, const char *q, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = q; p != NULL && *p != '\0'; p = strchr(p, '&'), p = p ? p + 1 : p) {
		char *out;
		size_t len = strcspn(p, "& \r\n"), olen;
		if (strncmp(p, name, n) == 0 && p[n] == '=' && len > n &&
		    url_decode(a, p + n + 1, len - n - 1, true, &out, &olen) == RC_OK)
			return out;
	}
	return NULL;
}

/* Listens on 127.0.0.1:port before the URL is shown; -1 on failure. */
static int
listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The query of one "GET /callback?…" request on cfd (arena), or NULL. */
static char *
read_callback(struct arena *a, int cfd)
{
	static const char page[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
	    "Connection: close\r\n\r\nsocialhub: you can close this window.\n";
	char line[LINE_MAX_CMD], *q = NULL, *sp;
	struct pollfd pfd = { .fd = cfd, .events = POLLIN };
	ssize_t n = poll(&pfd, 1, 5000) == 1 ? recv(cfd, line, sizeof(line) - 1, 0) : -1;

	if (n <= 0)
		return NULL;
	line[n] = '\0';
	if (strncmp(line, "GET /callback?", 14) == 0 && (sp = strchr(line + 14, ' ')) != NULL) {
		*sp = '\0';
		q = arena_strdup(a, line + 14);
	}
	if (write(cfd, page, sizeof(page) - 1) < 0)
		return NULL;
	return q;
}

/* Waits (10 minutes at most) for the browser's redirect on fd; other
 * requests (a favicon, a port probe) are answered and skipped. */
static char *
wait_redirect(struct arena *a, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *q = NULL;
	int cfd;

	while (q == NULL && poll(&pfd, 1, WAIT_MS) == 1) {
		if ((cfd = accept(fd, NULL, NULL)) < 0)
			break;
		q = read_callback(a, cfd);
		close(cfd);
	}
	return q;
}

/* The code typed or pasted: the redirect URL as the browser showed it, or
 * the code alone. */
static char *
read_pasted(struct arena *a)
{
	char line[LINE_MAX_CMD];
	char *q;

	fprintf(stderr, "Paste the address the browser was sent to (or the code): ");
	if (fgets(line, sizeof(line), stdin) == NULL)
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	if ((q = strchr(line, '?')) != NULL)
		return arena_strdup(a, q + 1);
	return arena_printf(a, "code=%s", line);
}

static int
parse_port(int argc, char **argv, int *port)
{
	*port = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end != '\0' || v <= 0 || v > 65535)
				return -1;
			*port = (int)v;
		} else if (strcmp(argv[i], "-c") == 0) {
			i++;
		} else {
			return -1;
		}
	}
	return 0;
}

/* The flow: URL printed, code awaited, redeemed and stored. */
static int
connect_run(struct conn *c, struct arena *a, const struct conn_def *def, int port)
{
	const char *redirect = port > 0 ? arena_printf(a, "http://127.0.0.1:%d/callback", port)
	    : arena_printf(a, "%s%s/admin/connections/callback", c->cfg->site_url, c->cfg->mount);
	const char *url, *q, *code, *why = NULL;
	struct conn_pkce pk;
	struct conn_grant g;
	enum rc rc = conn_pkce_new(a, &pk);
	int fd = port > 0 ? listen_on(port) : -1;

	if (port > 0 && fd < 0) {
		fprintf(stderr, "socialhub: cannot listen on 127.0.0.1:%d\n", port);
		return 1;
	}
	if (rc == RC_OK)
		rc = conn_oauth_authorize_url(a, def, redirect, pk.state,
		    def->net->pkce ? pk.challenge : NULL, &url);
	if (rc != RC_OK) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	printf("Open this address in a browser signed in to %s, and consent:\n%s\n", def->net->id, url);
	fflush(stdout);
	q = port > 0 ? wait_redirect(a, fd) : read_pasted(a);
	if (fd >= 0)
		close(fd);
	code = q != NULL ? query_get(a, q, "code") : NULL;
	if (code == NULL) {
		fprintf(stderr, "socialhub: no code came back%s\n", q != NULL &&
		    query_get(a, q, "error") != NULL ? " (the network refused)" : "");
		return 1;
	}
	if (query_get(a, q, "state") != NULL && strcmp(query_get(a, q, "state"), pk.state) != 0) {
		fprintf(stderr, "socialhub: the state does not match this sign-in\n");
		return 1;
	}
	rc = conn_oauth_redeem(c, a, def, code, redirect, def->net->pkce ? pk.verifier : NULL,
	    &g, &why);
	if (rc == RC_OK)
		rc = conn_store_connect(c, def, &g);
	if (rc != RC_OK) {
		fprintf(stderr, "socialhub: %s: %s\n", def->name, why != NULL ? why : rc_str(rc));
		return 1;
	}
	printf("Connected %s (%s)%s.\n", def->name, def->net->id,
	    g.expires_at > 0 ? ", renewed before it expires" : "");
	return 0;
}

int
conn_cmd_connect(int argc, char **argv, const struct feature *features)
{
	struct config *cfg = NULL;
	struct conn *c = NULL;
	struct arena *a = NULL;
	const struct conn_def *def;
	int port, status;

	if (argc < 2 || argv[1][0] == '-' || parse_port(argc, argv, &port) != 0)
		return usage();
	if ((status = load(argc, argv, features, &cfg, &c)) != 0)
		goto out;
	status = 1;
	if ((def = conn_find(c, argv[1])) == NULL) {
		fprintf(stderr, "socialhub: no connection named '%s'\n", argv[1]);
		status = 2;
		goto out;
	}
	if ((a = arena_new(64 * 1024, 0)) != NULL)
		status = connect_run(c, a, def, port);
out:
	arena_free(a);
	conn_close(c);
	config_free(cfg);
	return status;
}

int
conn_cmd_rekey(int argc, char **argv, const struct feature *features)
{
	struct config *cfg = NULL;
	struct conn *c = NULL;
	size_t done = 0, failed = 0;
	int status;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-c") != 0 && (i == 1 || strcmp(argv[i - 1], "-c") != 0))
			return usage();
	if ((status = load(argc, argv, features, &cfg, &c)) == 0) {
		enum rc rc = tokens_rekey(c->store, c->ring, 0, &done, &failed);
		printf("resealed %zu token(s) under key %s; %zu could not be opened\n", done,
		    tokens_ring_newest(c->ring), failed);
		status = rc != RC_OK || failed > 0 ? 1 : 0;
	}
	conn_close(c);
	config_free(cfg);
	return status;
}

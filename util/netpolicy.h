/* netpolicy: the one outbound HTTP policy — the table of private and
 * reserved addresses, and libcurl handles set up and checked by it. */
#ifndef SOCIALHUB_UTIL_NETPOLICY_H
#define SOCIALHUB_UTIL_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "util/rc.h"
#include "util/url.h"

#define NETPOLICY_USER_AGENT "socialhub"   /* when the conf names none */
#define NETPOLICY_CA_FILE_MAX (4u << 20)    /* bytes of an extra CA file */

/*
 * Initialises libcurl for the process (curl_global_init). The composition
 * root calls it once, before any worker forks or thread starts; later calls
 * do nothing. Not thread-safe, like curl_global_init itself.
 */
enum rc netpolicy_global_init(void);

/* ---- the address table ---- */

/*
 * True when an outbound call must not reach sa unless allowed: loopback,
 * unspecified, private (RFC 1918, unique local), link-local (cloud
 * metadata), CGNAT, documentation, benchmarking, multicast, reserved and
 * broadcast addresses, IPv4 and IPv6, with IPv4-mapped (::ffff:a.b.c.d)
 * and IPv4-compatible (::a.b.c.d) forms judged by the IPv4 table. Any
 * family other than AF_INET and AF_INET6 is private too.
 */
bool netpolicy_addr_private(const struct sockaddr *sa);

/* The same for a numeric address as text ("127.0.0.1", "::1"); text that
 * is not one counts as private. */
bool netpolicy_ip_private(const char *ip);

/*
 * True only for loopback: 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
 * For what socialhub listens on (fcgi/config.c, fcgi/master.c): a
 * FastCGI peer sets REMOTE_ADDR itself, so any other address, private
 * ones included, lets another host speak for nginx. The unspecified
 * address (0.0.0.0, ::) is every address, so not loopback.
 */
bool netpolicy_addr_loopback(const struct sockaddr *sa);
/* The same for a numeric address as text, brackets allowed ("[::1]");
 * anything else (a host name, "*", "") is false. */
bool netpolicy_ip_loopback(const char *ip);

/*
 * True when a configured URL itself names such an address as a literal
 * (http://10.0.0.5/, http://[::1]:8080/) or localhost (also *.localhost):
 * the admin asked for it, so fetches may connect there (NETPOLICY_ORIGIN).
 */
bool netpolicy_url_private(const char *url);

/* ---- the policy ---- */

/*
 * The process's settings for every outbound call. `addr_private` is the
 * seam tests use to make a loopback address count as public; NULL means
 * netpolicy_addr_private.
 */
struct netpolicy_conf {
	const char *user_agent;      /* NULL: NETPOLICY_USER_AGENT */
	const char *ca_file;         /* extra trusted CAs (PEM) besides the
				      * system store, or NULL */
	bool (*addr_private)(const struct sockaddr *sa);
};

struct netpolicy;

/*
 * Makes a policy from c (strings copied; an extra CA file read when
 * libcurl has no CA directory to keep beside it). RC_NOMEM, or
 * fsutil_read's error when that file cannot be read. Immutable once made;
 * free with netpolicy_free.
 */
enum rc netpolicy_new(const struct netpolicy_conf *c, struct netpolicy **out);
void netpolicy_free(struct netpolicy *p);

/* Which peers one transfer may reach besides public addresses. */
enum netpolicy_trust {
	NETPOLICY_PUBLIC,   /* public addresses only */
	NETPOLICY_ORIGIN,   /* also a private one for requests to the origin
			     * (scheme, host, port) of the transfer's own URL;
			     * a redirect elsewhere is public only */
	NETPOLICY_ANY,      /* every address (fetch_allow_private, or a
			     * provider the admin configured) */
};

/*
 * One transfer: the caller fills the inputs, netpolicy_setup the rest.
 * It must stay at the same address while its handle runs (callbacks get
 * it). Zero limits mean none, except connect_ms (libcurl's default).
 * on_connect runs when a new connection passed the address check (before
 * connecting), on_request before each request (every redirect hop, new or
 * reused connection) once its peer passed; either may be NULL.
 */
struct netpolicy_xfer {
	const char *url;
	enum netpolicy_trust trust;
	long connect_ms;
	long total_ms;           /* CURLOPT_TIMEOUT_MS; 0: the caller's loop */
	long low_speed_bytes;    /* slower than this ... */
	long low_speed_secs;     /* ... for this long: aborted */
	long max_redirects;      /* 0: redirects are not followed */
	size_t max_body;         /* Content-Length cap; the write callback
				  * counts decoded bytes */
	void (*on_connect)(void *arg);
	void (*on_request)(void *arg);
	void *arg;
	CURLSH *pool;            /* connections of non-public transfers, or NULL */
	/* Set by the policy. */
	bool refused;            /* a peer was refused: nothing was sent to it */
	char refused_ip[48];
	const struct netpolicy *policy;
	CURL *easy;
	struct url_origin origin;
	bool have_origin;
};

/*
 * Applies the policy to h for transfer x: URL, user agent, CA store (the
 * system's, plus the extra file), no proxy (environment variables are
 * ignored: the address check is on the real peer), http and https only
 * (also on redirects), the redirect limit, TLS verification, the size cap,
 * the time limits, sockets close-on-exec, and the address check: when a
 * socket is opened and again before every request and redirect hop, on
 * new and reused connections alike, so no byte goes to nor comes from a
 * peer x may not reach. A transfer that is not NETPOLICY_PUBLIC takes its
 * connections from x->pool when set, so a connection to a private peer is
 * never idle where a public transfer could be handed it. Returns RC_OK, or
 * RC_INTERNAL when libcurl refuses an option. The caller sets everything
 * that is its own (body and header callbacks, headers, HTTP version).
 */
enum rc netpolicy_setup(const struct netpolicy *p, CURL *h, struct netpolicy_xfer *x);

/*
 * A connection pool (a curl share of connections) for a multi handle's
 * non-public transfers; NULL when out of memory. Free it after every easy
 * handle that used it.
 */
CURLSH *netpolicy_pool_new(void);
void netpolicy_pool_free(CURLSH *pool);

/*
 * Checks that path names a readable PEM file holding at least one
 * certificate, for check-config. On failure writes a message into err
 * (without the key name) and returns false.
 */
bool netpolicy_ca_file_ok(const char *path, char *err, size_t errlen);

#endif

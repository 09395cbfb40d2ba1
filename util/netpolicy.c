/* netpolicy: the one outbound HTTP policy — address table, handle set-up,
 * and the peer check on every socket, request and redirect hop. */
#include "util/netpolicy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/fsutil.h"

struct netpolicy {
	char *user_agent;
	char *ca_file;            /* extra CAs, or NULL */
	char *ca_path;            /* the system store kept beside it, or NULL */
	struct curl_blob ca_blob; /* system bundle + extra, when no ca_path */
	bool (*addr_private)(const struct sockaddr *sa);
};

enum rc
netpolicy_global_init(void)
{
	static bool done;   /* the process's one libcurl initialisation */

	if (done)
		return RC_OK;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return RC_INTERNAL;
	done = true;
	return RC_OK;
}

/* ---- the address table ---- */

/* IPv4: network and prefix length. */
static const struct {
	uint32_t net;
	unsigned bits;
} private4[] = {
	{ 0x00000000, 8 },   /* 0.0.0.0/8 "this network" */
	{ 0x0a000000, 8 },   /* 10.0.0.0/8 private */
	{ 0x64400000, 10 },  /* 100.64.0.0/10 CGNAT */
	{ 0x7f000000, 8 },   /* 127.0.0.0/8 loopback */
	{ 0xa9fe0000, 16 },  /* 169.254.0.0/16 link-local, cloud metadata */
	{ 0xac100000, 12 },  /* 172.16.0.0/12 private */
	{ 0xc0000000, 24 },  /* 192.0.0.0/24 IETF protocol assignments */
	{ 0xc0000200, 24 },  /* 192.0.2.0/24 documentation (TEST-NET-1) */
	{ 0xc0a80000, 16 },  /* 192.168.0.0/16 private */
	{ 0xc6120000, 15 },  /* 198.18.0.0/15 benchmarking */
	{ 0xc6336400, 24 },  /* 198.51.100.0/24 documentation (TEST-NET-2) */
	{ 0xcb007100, 24 },  /* 203.0.113.0/24 documentation (TEST-NET-3) */
	{ 0xe0000000, 4 },   /* 224.0.0.0/4 multicast */
	{ 0xf0000000, 4 },   /* 240.0.0.0/4 reserved */
	{ 0xffffffff, 32 },  /* 255.255.255.255 broadcast (also in 240/4) */
};

/* IPv6: prefix, its length, and whether the last 32 bits are an IPv4
 * address judged by the table above instead. First match decides. */
static const struct {
	unsigned char net[16];
	unsigned bits;
	bool v4;
} private6[] = {
	{ { 0 }, 128, false },                                   /* ::/128 unspecified */
	{ { [15] = 1 }, 128, false },                            /* ::1 loopback */
	{ { [10] = 0xff, [11] = 0xff }, 96, true },              /* ::ffff:a.b.c.d mapped */
	{ { 0 }, 96, true },                                     /* ::a.b.c.d compatible */
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, false },               /* 64:ff9b::/96 NAT64 */
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, false },   /* 64:ff9b:1::/48 local NAT64 */
	{ { 0x01 }, 64, false },                                 /* 100::/64 discard */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, false },               /* 2001:db8::/32 documentation */
	{ { 0x3f, 0xff }, 20, false },                           /* 3fff::/20 documentation */
	{ { 0xfc }, 7, false },                                  /* fc00::/7 unique local */
	{ { 0xfe, 0x80 }, 10, false },                           /* fe80::/10 link-local */
	{ { 0xfe, 0xc0 }, 10, false },                           /* fec0::/10 site-local */
	{ { 0xff }, 8, false },                                  /* ff00::/8 multicast */
};

static bool
v4_private(uint32_t a)
{
	for (size_t i = 0; i < sizeof(private4) / sizeof(private4[0]); i++) {
		uint32_t mask = private4[i].bits == 0 ? 0 : ~0u << (32 - private4[i].bits);
		if ((a & mask) == private4[i].net)
			return true;
	}
	return false;
}

static bool
prefix_match(const unsigned char *a, const unsigned char *net, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ net[full]) & (0xff00u >> rest) & 0xff) == 0;
}

static bool
v6_private(const unsigned char *b)
{
	for (size_t i = 0; i < sizeof(private6) / sizeof(private6[0]); i++) {
		if (!prefix_match(b, private6[i].net, private6[i].bits))
			continue;
		if (!private6[i].v4)
			return true;
		return v4_private((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15]);
	}
	return false;
}

bool
netpolicy_addr_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		return v4_private(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return v6_private(s6->sin6_addr.s6_addr);
	}
	return true;
}

/* Fills ss from a numeric address; AF_UNSPEC when ip is not one. */
static void
sockaddr_of(const char *ip, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = AF_UNSPEC;
	if (ip == NULL)
		return;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
}

bool
netpolicy_ip_private(const char *ip)
{
	struct sockaddr_storage ss;

	sockaddr_of(ip, &ss);
	return netpolicy_addr_private((struct sockaddr *)&ss);
}

bool
netpolicy_addr_loopback(const struct sockaddr *sa)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		const unsigned char *b = s6->sin6_addr.s6_addr;
		return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		    (memcmp(b, v4mapped, sizeof(v4mapped)) == 0 && b[12] == 127);
	}
	return false;
}

bool
netpolicy_ip_loopback(const char *ip)
{
	char inner[INET6_ADDRSTRLEN + 1];
	struct sockaddr_storage ss;
	size_t n = ip != NULL ? strlen(ip) : 0;

	if (n > 2 && ip[0] == '[' && ip[n - 1] == ']') {
		if (n - 2 >= sizeof(inner))
			return false;
		memcpy(inner, ip + 1, n - 2);
		inner[n - 2] = '\0';
		ip = inner;
	}
	sockaddr_of(ip, &ss);
	return netpolicy_addr_loopback((struct sockaddr *)&ss);
}

bool
netpolicy_url_private(const char *url)
{
	char host[URL_HOST_MAX + 1];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (!url_host_of(url, host, sizeof(host)))
		return false;
	n = strlen(host);
	if (strcmp(host, "localhost") == 0 ||
	    (n > 10 && strcmp(host + n - 10, ".localhost") == 0))
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return v4_private(ntohl(a4.s_addr));
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, &a6) == 1 && v6_private(a6.s6_addr);
	}
	return false;
}

/* ---- the policy ---- */

/*
 * An extra CA file is trusted besides the system store, never instead of
 * it: CURLOPT_CAINFO names the extra file and CURLOPT_CAPATH keeps
 * libcurl's default certificate directory (Debian: /etc/ssl/certs, the
 * whole system store, hashed). A libcurl built without a default directory
 * gets one in-memory bundle: its default CA file followed by the extra one.
 */
static enum rc
setup_ca(struct netpolicy *p, const char *ca_file)
{
	CURL *e = curl_easy_init();
	char *path = NULL, *info = NULL, *sys = NULL, *extra = NULL;
	size_t nsys = 0, nextra = 0;
	enum rc rc = RC_NOMEM;

	if (e == NULL)
		return RC_NOMEM;
	p->ca_file = strdup(ca_file);
	if (p->ca_file == NULL)
		goto out;
	if (curl_easy_getinfo(e, CURLINFO_CAPATH, &path) == CURLE_OK && path != NULL &&
	    path[0] != '\0') {
		p->ca_path = strdup(path);
		rc = p->ca_path != NULL ? RC_OK : RC_NOMEM;
		goto out;
	}
	if (curl_easy_getinfo(e, CURLINFO_CAINFO, &info) == CURLE_OK && info != NULL &&
	    (rc = fsutil_read(info, NETPOLICY_CA_FILE_MAX, &sys, &nsys)) != RC_OK)
		goto out;
	if ((rc = fsutil_read(ca_file, NETPOLICY_CA_FILE_MAX, &extra, &nextra)) != RC_OK)
		goto out;
	rc = RC_NOMEM;
	p->ca_blob.data = malloc(nsys + nextra + 2);
	if (p->ca_blob.data == NULL)
		goto out;
	if (nsys > 0)
		memcpy(p->ca_blob.data, sys, nsys);
	((char *)p->ca_blob.data)[nsys] = '\n';
	memcpy((char *)p->ca_blob.data + nsys + 1, extra, nextra);
	p->ca_blob.len = nsys + 1 + nextra;
	p->ca_blob.flags = CURL_BLOB_NOCOPY;
	rc = RC_OK;
out:
	free(sys);
	free(extra);
	curl_easy_cleanup(e);
	return rc;
}

enum rc
netpolicy_new(const struct netpolicy_conf *c, struct netpolicy **out)
{
	struct netpolicy *p = calloc(1, sizeof(*p));
	enum rc rc;

	*out = NULL;
	if (p == NULL)
		return RC_NOMEM;
	p->addr_private = c->addr_private != NULL ? c->addr_private : netpolicy_addr_private;
	p->user_agent = strdup(c->user_agent != NULL ? c->user_agent : NETPOLICY_USER_AGENT);
	if (p->user_agent == NULL) {
		netpolicy_free(p);
		return RC_NOMEM;
	}
	if (c->ca_file != NULL && c->ca_file[0] != '\0' &&
	    (rc = setup_ca(p, c->ca_file)) != RC_OK) {
		netpolicy_free(p);
		return rc;
	}
	*out = p;
	return RC_OK;
}

void
netpolicy_free(struct netpolicy *p)
{
	if (p == NULL)
		return;
	free(p->user_agent);
	free(p->ca_file);
	free(p->ca_path);
	free(p->ca_blob.data);
	free(p);
}

/* ---- the peer check ---- */

/* May transfer x reach peer sa for the request it is about to make (its
 * handle's current URL: the first one or a redirect hop)? */
static bool
peer_allowed(const struct netpolicy_xfer *x, const struct sockaddr *sa)
{
	struct url_origin hop;
	char *eff = NULL;

	if (x->trust == NETPOLICY_ANY || !x->policy->addr_private(sa))
		return true;
	if (x->trust != NETPOLICY_ORIGIN || !x->have_origin)
		return false;
	return curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK &&
	    eff != NULL && url_origin_of(eff, &hop) && url_origin_same(&hop, &x->origin);
}

static void
refuse(struct netpolicy_xfer *x, const struct sockaddr *sa)
{
	const void *a = NULL;

	x->refused = true;
	x->refused_ip[0] = '\0';
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, x->refused_ip, sizeof(x->refused_ip)) == NULL)
		x->refused_ip[0] = '\0';
}

/* A new connection: refused before it is made. */
static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct netpolicy_xfer *x = arg;

	if (purpose != CURLSOCKTYPE_IPCXN || !peer_allowed(x, &addr->addr)) {
		refuse(x, &addr->addr);
		return CURL_SOCKET_BAD;
	}
	if (x->on_connect != NULL)
		x->on_connect(x->arg);
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/*
 * Every request, with the connection it goes out on, new or reused (the
 * open-socket check alone misses a reused one), and every redirect hop:
 * nothing is sent to, and no body read from, a peer x may not reach.
 */
static int
pre_request(void *arg, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct netpolicy_xfer *x = arg;
	struct sockaddr_storage ss;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	sockaddr_of(primary_ip, &ss);
	if (!peer_allowed(x, (struct sockaddr *)&ss)) {
		refuse(x, (struct sockaddr *)&ss);
		return CURL_PREREQFUNC_ABORT;
	}
	if (x->on_request != NULL)
		x->on_request(x->arg);
	return CURL_PREREQFUNC_OK;
}

enum rc
netpolicy_setup(const struct netpolicy *p, CURL *h, struct netpolicy_xfer *x)
{
	CURLcode cc = CURLE_OK;

	x->policy = p;
	x->easy = h;
	x->refused = false;
	x->refused_ip[0] = '\0';
	x->have_origin = x->trust == NETPOLICY_ORIGIN && url_origin_of(x->url, &x->origin);
#define SET(opt, val) if (cc == CURLE_OK) cc = curl_easy_setopt(h, opt, val)
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, p->user_agent);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, x->max_redirects > 0 ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, x->max_redirects);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->ca_path != NULL) {
		SET(CURLOPT_CAINFO, p->ca_file);
		SET(CURLOPT_CAPATH, p->ca_path);
	} else if (p->ca_file != NULL) {
		SET(CURLOPT_CAINFO_BLOB, (struct curl_blob *)&p->ca_blob);
	}
	if (x->connect_ms > 0)
		SET(CURLOPT_CONNECTTIMEOUT_MS, x->connect_ms);
	if (x->total_ms > 0)
		SET(CURLOPT_TIMEOUT_MS, x->total_ms);
	if (x->low_speed_bytes > 0 && x->low_speed_secs > 0) {
		SET(CURLOPT_LOW_SPEED_LIMIT, x->low_speed_bytes);
		SET(CURLOPT_LOW_SPEED_TIME, x->low_speed_secs);
	}
	if (x->max_body > 0)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
	SET(CURLOPT_OPENSOCKETDATA, x);
	SET(CURLOPT_PREREQFUNCTION, pre_request);
	SET(CURLOPT_PREREQDATA, x);
	if (x->trust != NETPOLICY_PUBLIC && x->pool != NULL)
		SET(CURLOPT_SHARE, x->pool);
#undef SET
	return cc == CURLE_OK ? RC_OK : RC_INTERNAL;
}

CURLSH *
netpolicy_pool_new(void)
{
	CURLSH *sh = curl_share_init();

	if (sh != NULL && curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
		curl_share_cleanup(sh);
		sh = NULL;
	}
	return sh;
}

void
netpolicy_pool_free(CURLSH *pool)
{
	if (pool != NULL)
		curl_share_cleanup(pool);
}

bool
netpolicy_ca_file_ok(const char *path, char *err, size_t errlen)
{
	X509 *x;
	BIO *b;
	int n = 0;

	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "must name a PEM file of CA certificates");
		return false;
	}
	errno = 0;
	b = BIO_new_file(path, "r");
	if (b == NULL) {
		snprintf(err, errlen, "cannot read \"%.200s\": %s", path,
		    errno != 0 ? strerror(errno) : "unreadable");
		ERR_clear_error();
		return false;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	if (n == 0) {
		snprintf(err, errlen, "\"%.200s\" holds no PEM certificate", path);
		return false;
	}
	return true;
}

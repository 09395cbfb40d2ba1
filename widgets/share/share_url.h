/* share_url: validation of shared URLs against the host allow-list. */
#ifndef SOCIALHUB_WIDGETS_SHARE_URL_H
#define SOCIALHUB_WIDGETS_SHARE_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/rc.h"

/* Longest shared URL accepted (bytes, before canonicalization). */
#define SHARE_URL_MAX 2048
/* Longest host name (RFC 1035). */
#define SHARE_HOST_MAX 253

/*
 * Allowed hosts: each rule is a lower-case ASCII host name. A rule that
 * starts with '.' (".example.com") allows that host and every host below
 * it, like nginx's server_name; any other rule allows that exact host.
 */
struct share_hosts {
	const char *const *rules;
	size_t n;
};

/* A shared URL that passed share_url_check. */
struct share_url {
	char *canon;  /* scheme://host[:port]/path[?query]: no fragment, no
	               * utm_* parameters, no default port, non-ASCII bytes of
	               * path and query percent-encoded */
	char *key;    /* canon with "http://" folded into "https://": the
	               * counter key */
	char *host;   /* the lower-cased host */
};

/*
 * True when host (lower-case expected) is a plain ASCII DNS name: labels of
 * [a-z0-9-], 1..63 bytes, no leading or trailing '-', no empty label (so no
 * leading, trailing or double dot), at most SHARE_HOST_MAX bytes, not an IP
 * literal and not ending in a numeric label (which browsers read as IPv4).
 * Punycode ("xn--") labels are plain ASCII and pass as they are.
 */
bool share_host_syntax_ok(const char *host);

/* True when rule is a valid allow-list rule: a host, or '.' + host. */
bool share_host_rule_ok(const char *rule);

/* True when host matches one of the rules (exact ASCII comparison). */
bool share_host_allowed(const struct share_hosts *hosts, const char *host);

/*
 * Checks the raw (already percent-decoded once) value of the `url`
 * parameter: absolute http(s), at most SHARE_URL_MAX bytes, no userinfo,
 * no control characters, spaces or backslashes, a host that passes
 * share_host_syntax_ok. Then checks the host against `hosts`.
 * Returns RC_OK with *out filled (arena strings), RC_INVALID for a
 * malformed URL (400), RC_FORBIDDEN for a well-formed URL whose host is an
 * IP literal or not allowed (403), RC_NOMEM.
 */
enum rc share_url_check(struct arena *a, const struct share_hosts *hosts,
    const char *raw, struct share_url *out);

/*
 * Appends the configured UTM parameters to canon (which share_url_check
 * made): each non-NULL value is added as utm_source / utm_medium /
 * utm_campaign, "{network}" in a value replaced by the network id. Returns
 * an arena string (canon itself when every value is NULL), NULL on failure.
 */
char *share_url_tag(struct arena *a, const char *canon, const char *source,
    const char *medium, const char *campaign, const char *network);

#endif

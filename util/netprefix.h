/* netprefix: the network a client address belongs to, for per-client
 * limits that one host cannot dodge by changing its last bits. */
#ifndef SOCIALHUB_UTIL_NETPREFIX_H
#define SOCIALHUB_UTIL_NETPREFIX_H

#include "util/rc.h"

#define NETPREFIX_LEN 16

/*
 * The client network of a numeric address (REMOTE_ADDR text): IPv4 (and
 * IPv4-mapped IPv6) by its /24, IPv6 by its /56 (what one customer is
 * typically delegated), written to out as 16 bytes (IPv4 as ::ffff:a.b.c.0),
 * the host bits zero. RC_INVALID when ip is not a numeric address.
 */
enum rc netprefix_client(const char *ip, unsigned char out[NETPREFIX_LEN]);

#endif

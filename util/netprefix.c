/* netprefix: client address -> client network (/24, /56). */
#include "util/netprefix.h"

#include <arpa/inet.h>
#include <string.h>

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

enum rc
netprefix_client(const char *ip, unsigned char out[NETPREFIX_LEN])
{
	struct in6_addr a6;
	struct in_addr a4;

	memset(out, 0, NETPREFIX_LEN);
	if (ip == NULL)
		return RC_INVALID;
	if (inet_pton(AF_INET, ip, &a4) == 1) {
		memcpy(out, v4_mapped, sizeof(v4_mapped));
		memcpy(out + 12, &a4, 3);
		return RC_OK;
	}
	if (inet_pton(AF_INET6, ip, &a6) != 1)
		return RC_INVALID;
	if (memcmp(a6.s6_addr, v4_mapped, sizeof(v4_mapped)) == 0) {
		/* ::ffff:a.b.c.d is an IPv4 client: the same /24 key. */
		memcpy(out, a6.s6_addr, 15);
		return RC_OK;
	}
	memcpy(out, a6.s6_addr, 7);
	return RC_OK;
}

/* fuzz_url: the string helpers — URL parsing, percent decoding, local-path
 * and IP checks, base64url decoding and feed date parsing. Asserts the
 * invariants callers rely on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/crypto.h"
#include "util/time.h"
#include "util/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A date that parses formats as RFC 3339 and, inside the years that format
 * holds, reads back to the same second. */
static void
check_date(const char *s)
{
	char out[TIME_RFC3339_LEN];
	long long t, back;

	if (!time_parse(s, &t))
		return;
	time_format_rfc3339(t, out);
	if (strlen(out) != TIME_RFC3339_LEN - 1)
		abort();
	if (t >= -62135596800LL && t <= 253402300799LL &&
	    (!time_parse_iso8601(out, &back) || back != t))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(4096, 1 << 20);
	char *s = malloc(size + 1), *dec;
	unsigned char *raw;
	struct url u;
	size_t n;

	memcpy(s, data, size);
	s[size] = '\0';
	if (url_parse(a, s, &u) == RC_OK) {
		/* A parsed URL is http(s) with a non-empty host and a path. */
		if ((strcmp(u.scheme, "http") != 0 && strcmp(u.scheme, "https") != 0) ||
		    u.host[0] == '\0' || u.path[0] != '/')
			abort();
		(void)url_host_is_ip(u.host);
	}
	if (url_decode(a, (const char *)data, size, true, &dec, &n) == RC_OK &&
	    (!utf8_valid(dec, n) || strlen(dec) != n))
		abort(); /* decoded values are valid UTF-8 without NULs */
	if (url_is_local_path(s) && (s[0] != '/' || s[1] == '/' || s[1] == '\\'))
		abort();
	(void)crypto_b64url_decode(a, (const char *)data, size, &raw, &n);
	check_date(s);
	free(s);
	arena_free(a);
	return 0;
}

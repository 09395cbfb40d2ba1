/* sha256: SHA-256 (FIPS 180-4) in portable C, for what links no OpenSSL:
 * the parser's item ids (`socialhub parse`, in the launcher). Bulk hashing (cache sums) stays
 * with crypto_sha256, whose OpenSSL code uses the CPU's SHA instructions;
 * tests/unit/test_util.c holds the two to the same digests. */
#ifndef SOCIALHUB_UTIL_SHA256_H
#define SOCIALHUB_UTIL_SHA256_H

#include <stddef.h>

#define SHA256_LEN 32

/* The SHA-256 digest of p[0..n) into out. */
void sha256_digest(const void *p, size_t n, unsigned char out[SHA256_LEN]);

#endif

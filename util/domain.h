/* domain: registrable domains (eTLD+1) by the Public Suffix List (libpsl). */
#ifndef SOCIALHUB_UTIL_DOMAIN_H
#define SOCIALHUB_UTIL_DOMAIN_H

struct domain_psl;

/*
 * The list: the newer of libpsl's built-in copy and the system's
 * (Debian's publicsuffix package), loaded once by the caller and kept.
 * NULL when neither is available. domain_psl_free accepts NULL.
 */
struct domain_psl *domain_psl_new(void);
void domain_psl_free(struct domain_psl *l);

/*
 * The registrable domain of a lower-case host name ("a.b.example.co.uk" ->
 * "example.co.uk"): a pointer into host. Without a list, or for a host that
 * is itself a public suffix, the last two labels (or host itself).
 */
const char *domain_registrable(const struct domain_psl *l, const char *host);

#endif

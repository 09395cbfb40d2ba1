/* domain: a thin wrapper over libpsl with a fallback when no list loads. */
#include "util/domain.h"

#include <string.h>

#include <libpsl.h>

struct domain_psl *
domain_psl_new(void)
{
	/* libpsl's own opaque type, under our name (no other state). */
	psl_ctx_t *ctx = psl_latest(NULL);

	if (ctx == NULL)
		ctx = (psl_ctx_t *)psl_builtin();
	return (struct domain_psl *)ctx;
}

void
domain_psl_free(struct domain_psl *l)
{
	/* psl_free leaves the built-in list alone. */
	if (l != NULL)
		psl_free((psl_ctx_t *)l);
}

/* The last two labels of host, or host when it has one label. */
static const char *
last_two_labels(const char *host)
{
	const char *last = strrchr(host, '.');
	const char *p;

	if (last == NULL)
		return host;
	for (p = last; p > host && p[-1] != '.'; p--)
		;
	return p;
}

const char *
domain_registrable(const struct domain_psl *l, const char *host)
{
	const char *d = NULL;

	if (l != NULL)
		d = psl_registrable_domain((const psl_ctx_t *)l, host);
	return d != NULL ? d : last_two_labels(host);
}

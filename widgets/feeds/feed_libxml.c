/* feed_libxml: libxml2 through dlopen, on first use (see feed_libxml.h). */
#include "widgets/feeds/feed_libxml.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

/* The soname of the libxml2 the build was configured with (2.9.x and
 * later keep the ABI under this name). */
#define FEED_LIBXML_SONAME "libxml2.so.2"

static struct feed_libxml lx;
static bool lx_ok;
static pthread_once_t lx_once = PTHREAD_ONCE_INIT;

static void
silent_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
silent_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

/* Every external entity, DTD or XInclude load is refused. */
static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* The process-wide set-up, through the loaded library's own entry
 * points (its globals are per library, and in a threaded build they
 * are reached through functions). */
static bool
setup(void *h)
{
	void (*init)(void) = (void (*)(void))dlsym(h, "xmlInitParser");
	void (*generic)(void *, xmlGenericErrorFunc) =
	    (void (*)(void *, xmlGenericErrorFunc))dlsym(h, "xmlSetGenericErrorFunc");
	void (*structured)(void *, xmlStructuredErrorFunc) =
	    (void (*)(void *, xmlStructuredErrorFunc))dlsym(h,
	    "xmlSetStructuredErrorFunc");
	void (*loader)(xmlExternalEntityLoader) =
	    (void (*)(xmlExternalEntityLoader))dlsym(h, "xmlSetExternalEntityLoader");
	int (*subst)(int) = (int (*)(int))dlsym(h, "xmlSubstituteEntitiesDefault");
	int *(*ext_dtd)(void) = (int *(*)(void))dlsym(h,
	    "__xmlLoadExtDtdDefaultValue");

	if (init == NULL || generic == NULL || structured == NULL ||
	    loader == NULL || subst == NULL || ext_dtd == NULL)
		return false;
	init();
	generic(NULL, silent_error);
	structured(NULL, silent_structured);
	loader(deny_loader);
	/* Entity substitution stays off (the default); never XML_PARSE_HUGE. */
	subst(0);
	*ext_dtd() = 0;
	return true;
}

#define SYM(field, name) \
	(*(void **)&out->field = dlsym(h, name)) != NULL

bool
feed_libxml_open(const char *soname, struct feed_libxml *out)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	bool ok;

	if (h == NULL) {
		fprintf(stderr, "socialhub: cannot load %s: %s\n", soname,
		    dlerror());
		return false;
	}
	ok = SYM(new_parser_ctxt, "xmlNewParserCtxt") &&
	    SYM(ctxt_read_memory, "xmlCtxtReadMemory") &&
	    SYM(free_doc, "xmlFreeDoc") &&
	    SYM(free_parser_ctxt, "xmlFreeParserCtxt") &&
	    SYM(stop_parser, "xmlStopParser") &&
	    SYM(dict_owns, "xmlDictOwns") &&
	    SYM(sax2_start_document, "xmlSAX2StartDocument") && setup(h);
	if (!ok) {
		fprintf(stderr, "socialhub: %s lacks a function the parser "
		    "needs\n", soname);
		dlclose(h);
	}
	/* Else never closed: the library stays for the process. */
	return ok;
}

static void
load(void)
{
	lx_ok = feed_libxml_open(FEED_LIBXML_SONAME, &lx);
}

const struct feed_libxml *
feed_libxml(void)
{
	pthread_once(&lx_once, load);
	return lx_ok ? &lx : NULL;
}

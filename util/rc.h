/* rc: the one error type of socialhub, shared by every module. */
#ifndef SOCIALHUB_UTIL_RC_H
#define SOCIALHUB_UTIL_RC_H

/*
 * Every fallible function returns enum rc. Errors are logged once where they
 * are detected and passed up unchanged; only the router maps them to HTTP.
 */
enum rc {
	RC_OK = 0,
	RC_NOMEM,        /* allocation failed */
	RC_INVALID,      /* malformed input (400) */
	RC_TOOBIG,       /* body or value over its limit (413) */
	RC_HDR_TOOBIG,   /* query, cookie or header over its limit (431) */
	RC_NOTFOUND,     /* no such thing (404) */
	RC_METHOD,       /* method not allowed (405) */
	RC_UNAUTH,       /* no valid session (401) */
	RC_FORBIDDEN,    /* denied by a rule (403) */
	RC_RATELIMIT,    /* too many requests (429) */
	RC_IO,           /* file system error */
	RC_CORRUPT,      /* on-disk data failed its check */
	RC_UPSTREAM,     /* a remote server answered badly (502) */
	RC_TIMEOUT,      /* a remote server did not answer in time (504) */
	RC_UNAVAILABLE,  /* temporarily unable to serve (503) */
	RC_CONFIG,       /* configuration error */
	RC_CRYPTO,       /* verification or decryption failed */
	RC_LIMIT,        /* a resource bound was hit */
	RC_INTERNAL,     /* a bug: should not happen (500) */
	RC__COUNT
};

/* Short stable name of an error code, e.g. "invalid"; never NULL. */
const char *rc_str(enum rc rc);

#endif

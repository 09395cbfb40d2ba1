/* jsonw: a streaming JSON writer that writes what Jansson's dump would. */
#ifndef SOCIALHUB_UTIL_JSONW_H
#define SOCIALHUB_UTIL_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/rc.h"

/*
 * For measured hot paths only (STYLE.md rule 6); JSON goes through Jansson
 * everywhere else. Writing a document value by value gives, byte for byte,
 * what json_dump_callback() writes for the tree of the same values built
 * with Jansson (objects in insertion order) and the same flags, in any
 * chunking: the same escapes (\" \\ \b \f \n \r \t, \u00XX for other
 * controls, \/ with JSON_ESCAPE_SLASH, \uXXXX and surrogate pairs with
 * JSON_ENSURE_ASCII), separators, indentation and integers.
 * tests/unit/test_jsonw.c and tests/fuzz/fuzz_jsonw.c hold it to that.
 *
 * Supported flags: JSON_INDENT(n), JSON_COMPACT, JSON_ENSURE_ASCII,
 * JSON_ESCAPE_SLASH, JSON_PRESERVE_ORDER (a no-op in Jansson too). Only
 * objects, arrays, strings, integers and the literals; the top value is
 * one object or array, as json_dump_callback wants without
 * JSON_ENCODE_ANY.
 *
 * Output goes to a 64 KiB block handed to `sink` (a
 * json_dump_callback_t) when full and by jsonw_flush. Misuse (a key
 * outside an object, a value without its key, unbalanced ends, nesting
 * past JSONW_MAX_DEPTH) and a failing sink make the writer fail: it
 * writes nothing more and jsonw_flush says why.
 */
#define JSONW_MAX_DEPTH 64

struct jsonw {
	char *block;
	size_t len;
	size_t flags;
	json_dump_callback_t sink;
	void *arg;
	uint64_t is_obj;     /* bit d-1: the container at depth d is an object */
	uint64_t has_member; /* bit d-1: it has a member already */
	unsigned depth;      /* containers open */
	bool want_value;     /* a key was written, its value comes next */
	bool done;           /* the top value is complete */
	bool utf8_known;     /* strings and keys are UTF-8: jsonw_utf8_known */
	bool block_owned;    /* block is malloc'd here (not the caller's) */
	enum rc rc;          /* the first failure, sticky */
};

/* Sets w up; RC_INVALID for a flag it does not support, RC_NOMEM. */
enum rc jsonw_init(struct jsonw *w, size_t flags, json_dump_callback_t sink,
    void *arg);
/* The same with the caller's block of JSONW_BLOCK bytes, which must
 * outlive w: memory already in use (a request arena's) costs no fresh
 * pages, which a short-lived process pays for one by one. */
#define JSONW_BLOCK 65536
enum rc jsonw_init_block(struct jsonw *w, size_t flags,
    json_dump_callback_t sink, void *arg, char *block);
/*
 * Every string and key handed to w from now on is valid UTF-8, as the
 * caller guarantees (feed_parse's output: tests/fuzz/fuzz_feed.c holds
 * it to that), so none is checked again. Writing a string that is not
 * gives output Jansson would not: use it only with such a guarantee.
 */
void jsonw_utf8_known(struct jsonw *w);
/* Frees the block (when it is w's own); what was not flushed is
 * dropped. */
void jsonw_fini(struct jsonw *w);
/* Hands what is buffered to the sink. RC_OK, or the first failure:
 * RC_IO (the sink failed), RC_INVALID (misuse), RC_LIMIT (too deep). */
enum rc jsonw_flush(struct jsonw *w);

void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
/* An object member's key (s[0..n), UTF-8; a key Jansson would refuse
 * makes the writer fail). */
void jsonw_key(struct jsonw *w, const char *s, size_t n);
/*
 * A string value s[0..n). When s is not UTF-8 (json_stringn would give
 * NULL) nothing is written and it returns false; the writer goes on.
 */
bool jsonw_str(struct jsonw *w, const char *s, size_t n);
/* jsonw_key then jsonw_str, or nothing at all when s is not UTF-8 (what
 * setting a json_stringn() result that is NULL leaves out). */
bool jsonw_key_str(struct jsonw *w, const char *key, const char *s, size_t n);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

#endif

/* jsonutil: one way to read (and write) a string member, whatever a
 * document promises. */
#include "util/jsonutil.h"

char *
jsonutil_str(struct arena *a, const json_t *o, const char *key, unsigned flags,
    enum rc *err)
{
	const json_t *v = json_object_get(o, key);
	enum rc rc = RC_OK;
	char *s = NULL;

	if (v == NULL) {
		if (flags & JSONUTIL_REQUIRED)
			rc = RC_INVALID;
	} else if (!json_is_string(v)) {
		if (flags & JSONUTIL_TYPED)
			rc = RC_INVALID;
	} else if (!(flags & JSONUTIL_NONEMPTY) || json_string_value(v)[0] != '\0') {
		s = arena_strdup(a, json_string_value(v));
		if (s == NULL)
			rc = RC_NOMEM;
	}
	if (rc != RC_OK && err != NULL && *err == RC_OK)
		*err = rc;
	return s;
}

enum rc
jsonutil_set_str(json_t *o, const char *key, const char *v, unsigned flags)
{
	if ((flags & JSONUTIL_NONEMPTY) && (v == NULL || v[0] == '\0'))
		return RC_OK;
	/* json_object_set_new takes the reference, also when it fails. */
	return json_object_set_new(o, key, v != NULL ? json_string(v) : json_null()) == 0 ?
	    RC_OK : RC_INVALID;
}

long long
jsonutil_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* feature: the feature table's schema parts handed to the config loader. */
#include "fcgi/feature.h"

#include "fcgi/config.h"

enum rc
config_load(const char *path, const struct feature *features,
    struct config **out)
{
	struct config_part parts[FEATURE_MAX];
	size_t n = 0;

	*out = NULL;
	for (const struct feature *f = features; f != NULL && f->name != NULL; f++) {
		if (n == FEATURE_MAX)
			return RC_CONFIG;
		parts[n].opts = f->opts;
		parts[n].checks = f->checks;
		parts[n].validate = f->validate;
		n++;
	}
	return config_load_parts(path, parts, n, out);
}

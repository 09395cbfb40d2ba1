/* cfgval: libconfuse value callbacks every config section shares: list
 * entries kept after their own check, durations and sizes with units. */
#include "util/cfgval.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

int
cfgval_keep(const char *value, void *result)
{
	*(const char **)result = value;
	return 0;
}

bool
cfgval_parse_duration(const char *s, long *out)
{
	static const struct { char unit; long mult; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v < 0)
		return false;
	if (*end == '\0') {
		*out = v;
		return true;
	}
	if (end[1] != '\0')
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (*end == units[i].unit) {
			if (v > LONG_MAX / units[i].mult)
				return false;
			*out = v * units[i].mult;
			return true;
		}
	}
	return false;
}

bool
cfgval_parse_size(const char *s, long *out)
{
	static const struct { char unit; long mult; } units[] = {
		{ 'k', 1L << 10 }, { 'M', 1L << 20 }, { 'G', 1L << 30 },
	};
	char *end;
	long v, mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v < 0)
		return false;
	if (*end != '\0') {
		/* Only the units the man page lists: "10m" may mean minutes,
		 * "10MB" a decimal megabyte; neither is guessed at. */
		size_t i;
		for (i = 0; i < sizeof(units) / sizeof(units[0]) && *end != units[i].unit; i++)
			;
		if (i == sizeof(units) / sizeof(units[0]) || end[1] != '\0')
			return false;
		mult = units[i].mult;
	}
	if (v > LONG_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

/* Value callbacks: report and keep going, so one run lists every error.
 * A bad value is replaced by the option's default, which the option's
 * own checks pass: one mistake, one message. */
int
cfgval_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (!cfgval_parse_duration(value, result)) {
		cfg_error(cfg, "KEY %s: bad duration \"%s\" (use e.g. 30s, 5m, 8h, 1d)",
		    opt->name, value);
		*(long *)result = opt->def.number;
	}
	return 0;
}

int
cfgval_size(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (!cfgval_parse_size(value, result)) {
		cfg_error(cfg, "KEY %s: bad size \"%s\" (bytes, or with k, M or G: e.g. 512, "
		    "64k, 10M, 1G)", opt->name, value);
		*(long *)result = opt->def.number;
	}
	return 0;
}

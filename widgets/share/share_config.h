/* share_config: the share { } config section, its checks and settings. */
#ifndef SOCIALHUB_WIDGETS_SHARE_CONFIG_H
#define SOCIALHUB_WIDGETS_SHARE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <confuse.h>

#include "util/rc.h"

#define SHARE_NETWORKS_MAX 32

struct config;

/* A market: a name and its default networks (indices into the table). */
struct share_market {
	const char *name;
	size_t nets[SHARE_NETWORKS_MAX];
	size_t n;
};

/* The parsed section; strings point into the immutable config. */
struct share_settings {
	char **hosts;              /* lower-cased allow-list rules (owned) */
	size_t nhosts;
	size_t defaults[SHARE_NETWORKS_MAX];
	size_t ndefaults;
	bool enabled[SHARE_NETWORKS_MAX]; /* in defaults or in a market */
	struct share_market *markets;     /* owned array */
	size_t nmarkets;
	const char *utm_source, *utm_medium, *utm_campaign;
	const char *salt_file;     /* NULL: state_dir/share.salt, generated */
	bool counting;
	long per_url_daily;        /* count limits (share_store.h share_limits) */
	long new_urls_daily;
	long max_counters;
	long max_daily_keys;
	const char **instances;    /* well-known Mastodon servers (owned array) */
	size_t ninstances;
};

/* The `share { ... }` section of the config schema (share.h's feature
 * row names it). */
extern cfg_opt_t share_opts[];

/* Registers the per-key checks on the root cfg (feature.checks). */
void share_config_checks(cfg_t *root);
/* Post-parse checks: market names; RC_CONFIG after reporting each. */
enum rc share_config_validate(const struct config *cfg);

/*
 * Fills s from the parsed config. With no allowed_hosts, the host of
 * site_url is the only allowed host. RC_NOMEM.
 */
enum rc share_settings_load(const struct config *cfg, struct share_settings *s);
void share_settings_fini(struct share_settings *s);

/* A market by name, or NULL. */
const struct share_market *share_settings_market(const struct share_settings *s,
    const char *name);

#endif

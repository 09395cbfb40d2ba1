/* config: the immutable configuration, parsed by libconfuse. */
#ifndef SOCIALHUB_FCGI_CONFIG_H
#define SOCIALHUB_FCGI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <confuse.h>

#include "util/rc.h"

struct cfgscan;

/* Core settings, read once; never changed after config_load. */
struct config {
	char *path;           /* the file it came from */
	cfg_t *root;          /* the whole parse tree, for feature init */
	const char *listen;   /* "unix:PATH", "HOST:PORT" or "stdin" */
	long listen_mode;     /* unix socket permissions */
	bool listen_public;   /* TCP on a non-loopback address allowed */
	long workers;
	const char *site_url;
	bool site_https;
	const char *mount;    /* "/social", never with a trailing '/' */
	const char *cache_dir;
	const char *state_dir;
	const char *log_level;
	long drain_timeout_ms;
	char **metrics_allow; /* address prefixes allowed to GET /metrics */
	size_t metrics_allow_n;
	/* Every outbound call (util/netpolicy): */
	char *user_agent;     /* "socialhub/VERSION (+SITE_URL)" */
	const char *ca_file;  /* fetch_ca_file: extra trusted CAs, or NULL */
	/* Other sites that may read widget fragments and JSON (CORS): */
	char **embed_origins; /* "https://host[:port]", no path */
	size_t embed_origins_n;
	/* socialhub's own pages (sign-in, errors, no-JS streams), fcgi/page.h: */
	const char *page_stylesheet; /* URL, default mount + "/embed.css" */
	const char *page_logo;       /* URL of an image, or NULL */
	const char *page_logo_alt;   /* its text, NULL: the catalog's page.home */
	char *page_header;           /* page_header_file's HTML, or NULL */
	char *page_footer;           /* page_footer_file's HTML, or NULL */
	/* The message catalogs (util/catalog.h): shipped, then catalog_dir's. */
	const char *catalog_dir;     /* the site's own catalogs, or NULL */
	struct catalog *catalog;
	struct cfgscan *scan; /* where each key is in the file (error lines) */
};

/* What a feature adds to the schema (fcgi/feature.h has the whole row):
 * options, libconfuse validate callbacks, post-parse checks; any may be
 * NULL. */
struct config_part {
	cfg_opt_t *opts;
	void (*checks)(cfg_t *root);
	enum rc (*validate)(const struct config *cfg);
};

/*
 * Parses and validates `path` with the core schema plus parts[0..n)
 * (feature_config_load in fcgi/feature.h passes the feature table's).
 * Every problem is printed to stderr as "FILE:LINE: KEY: message". Returns
 * RC_CONFIG (with *out NULL) when anything was wrong, RC_IO when the file
 * cannot be read.
 */
enum rc config_load_parts(const char *path, const struct config_part *parts,
    size_t n, struct config **out);
void config_free(struct config *cfg);

/* True when `origin` (an Origin header, may be NULL) is one of
 * embed_origins. */
bool config_embed_origin(const struct config *cfg, const char *origin);

/* From now on, report config errors as logfmt events (for `serve`). */
void config_errors_as_log(bool on);
/* While on, loads report nothing (their result still says whether the
 * file loaded): for a file the user did not ask to check. */
void config_errors_quiet_set(bool on);

/* The path to use: -c FILE, else $SOCIALHUB_CONFIG, else the default. */
const char *config_default_path(const char *arg);

/*
 * Reports one problem in the file: "FILE:LINE: KEY: message" on stderr.
 * `sec` is the section the key belongs to, or NULL for the top level; the
 * line is that of the key in it, else (a key not set) the section's own,
 * else none ("FILE: KEY: message").
 * For feature validators; always returns RC_CONFIG.
 */
enum rc config_error(const struct config *cfg, cfg_t *sec, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The line of the last top-level `key = ...` of the file, or of the last
 * section "name title" when key holds a blank ("provider corp"); 0 when
 * there is none. With config_error_line, for a problem found after the
 * parse that belongs to no one section's key. (config_error finds the line
 * of a section's key by itself.)
 */
int config_key_line(const struct config *cfg, const char *key);
enum rc config_error_line(const struct config *cfg, int line, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Reads secret `key` of section `sec`: either inline `key` or `key_file`
 * (trailing newline trimmed, through config_secret_read). Exactly one must
 * be set. Returns a malloc'd string in *out (caller frees, and should wipe
 * it: config_secret_wipe); RC_CONFIG with an error printed when missing,
 * both set, unreadable or open to other users. `keygen`: the admin makes
 * this secret with `socialhub keygen` (which the fix in a message says).
 */
enum rc config_secret(const struct config *cfg, cfg_t *sec, const char *key,
    bool keygen, char **out);

/*
 * Reads the secret file `path` (set by `file_key` of `sec`) whole into a
 * malloc'd, NUL-terminated *out of *len bytes. A file that group or others
 * may read or write is refused (RC_CONFIG) with the path, the cause and
 * the fix in the message, as is one that cannot be read.
 */
enum rc config_secret_read(const struct config *cfg, cfg_t *sec, const char *file_key,
    const char *path, bool keygen, char **out, size_t *len);

/*
 * Why a file could not be read, for a message after its path: errno's
 * text ("No such file or directory", "Permission denied"), and for a
 * permission error the user socialhub runs as, who needs the access.
 */
void config_io_message(int err, char *msg, size_t n);

/*
 * What a reload from `old` to `cur` would change, printed to out one line
 * each ("  adds provider gitlab", "  removes source blog in stream brand",
 * "  changes workers"; never a value, which may be a secret). Returns the
 * number of changes (fcgi/config_diff.c).
 */
size_t config_diff(const struct config *old, const struct config *cur, FILE *out);

/*
 * The copy of the file the master last loaded: STATE_DIR/running.conf
 * (malloc'd path), written by config_save_running (mode 0600: the file may
 * hold inline secrets) after each load that took effect, and read by
 * `check-config` to say what a reload would change.
 */
char *config_running_path(const struct config *cfg);
enum rc config_save_running(const struct config *cfg);

/* Wipes s[0..len) and frees it; NULL is fine. */
void config_secret_wipe(char *s, size_t len);

struct store;
struct store_conf;

/*
 * The `store { }` section (fcgi/config_store.c) as *out, its strings in
 * the config; local_dir is state_dir. *password: the password_file's
 * contents (caller wipes with config_secret_wipe), or NULL. RC_NOTFOUND
 * without a section (single node: local storage).
 */
enum rc config_store(const struct config *cfg, struct store_conf *out, char **password);
/* Whether the file has a `store { }` section. */
bool config_has_store(const struct config *cfg);

/*
 * Opens this process's handle on the configured store (util/store.h),
 * *out NULL when the file has no `store` section. Call after fork.
 */
enum rc config_store_open(const struct config *cfg, struct store **out);

#endif

/* config: schema, parsing and validation of socialhub.conf (libconfuse). */
#include "autoconf.h"
#include "fcgi/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/catalog.h"
#include "util/cfgscan.h"
#include "util/cfgval.h"
#include <openssl/crypto.h>

#include "util/fsutil.h"
#include "util/log.h"
#include "util/netpolicy.h"
#include "util/url.h"

#define CONFIG_MAX_OPTS 128
#define CONFIG_MAX_BYTES (1024 * 1024)
#define SECRET_MAX (64 * 1024)

/*
 * libconfuse's callbacks get the section and option at hand, never a
 * pointer of ours, so what one load needs across them lives in its tree:
 * a section where an error was reported carries this flag (a bit
 * libconfuse does not use; sections made later copy it from their parent,
 * which does no harm), and config_load looks for it once parsing is done.
 */
#define CONFIG_F_ERROR (1 << 30)

/* Set once by `serve` (the process model): errors become logfmt events
 * instead of plain lines, in every later load. */
static bool config_errors_logfmt;
/* Set around a load whose problems are not the caller's to show (the
 * running copy check-config compares with). */
static bool config_errors_quiet;

void
config_errors_as_log(bool on)
{
	config_errors_logfmt = on;
}

void
config_errors_quiet_set(bool on)
{
	config_errors_quiet = on;
}

/*
 * The configuration being parsed: libconfuse's callbacks get the section
 * and option at hand, never a pointer of ours, and config_errfunc needs the
 * scan of the file and the root to name lines. Set only for the length of
 * one cfg_parse (loads are not concurrent: the master, or a command).
 */
static const struct config *config_parsing;

/* Appends "name[ title]" of every section from root down to sec to p;
 * true when sec was found under root. */
static bool
section_path_in(cfg_t *cur, cfg_t *sec, char *p, size_t n)
{
	size_t len = strlen(p);

	if (cur == sec)
		return true;
	for (cfg_opt_t *o = cur->opts; o->name != NULL; o++) {
		if (o->type != CFGT_SEC)
			continue;
		for (unsigned i = 0; i < cfg_opt_size(o); i++) {
			cfg_t *child = cfg_opt_getnsec(o, i);
			const char *title = cfg_title(child);
			snprintf(p + len, n - len, "%s%s%s%s", len > 0 ? "/" : "", o->name,
			    title != NULL ? " " : "", title != NULL ? title : "");
			if (section_path_in(child, sec, p, n))
				return true;
			p[len] = '\0';
		}
	}
	return false;
}

/* The scan's name of section sec ("" for the root or one not found). */
static void
section_path(cfg_t *root, cfg_t *sec, char *p, size_t n)
{
	p[0] = '\0';
	if (sec != NULL && !section_path_in(root, sec, p, n))
		p[0] = '\0';
}

/* The line of `key` in section sec: where it is set, else the section's
 * own line (a key that is missing), else 0. */
static int
key_line(const struct config *cfg, cfg_t *sec, const char *key)
{
	char path[1024];
	int line;

	if (cfg->scan == NULL)
		return 0;
	section_path(cfg->root, sec, path, sizeof(path));
	line = cfgscan_key_line(cfg->scan, path, key);
	return line > 0 ? line : cfgscan_section_line(cfg->scan, path);
}

/* One problem: "FILE:LINE: KEY: message" for people (warnings say so), or
 * a logfmt event. */
static void
report_at(enum log_level lvl, const char *file, int line, const char *key,
    size_t keylen, const char *msg)
{
	const char *warn = lvl == LOG_WARN ? "warning: " : "";
	char num[24], k[128], at[32] = "";

	if (config_errors_quiet)
		return;
	snprintf(k, sizeof(k), "%.*s", (int)keylen, key != NULL ? key : "");
	if (line > 0)
		snprintf(at, sizeof(at), ":%d", line);
	if (config_errors_logfmt) {
		log_kv(lvl, lvl == LOG_WARN ? "config_warning" : "config_error", "file", file,
		    "line", log_int(num, line), "key", k, "message", msg, NULL);
	} else if (key != NULL) {
		fprintf(stderr, "%s%s: %s: %s%s\n", file, at, k, warn, msg);
	} else {
		fprintf(stderr, "%s%s: %s%s\n", file, at, warn, msg);
	}
}

static void
report(const char *file, int line, const char *key, size_t keylen, const char *msg)
{
	report_at(LOG_ERROR, file, line, key, keylen, msg);
}

static cfg_opt_t core_opts[] = {
	CFG_STR("listen", NULL, CFGF_NODEFAULT),
	CFG_STR("listen_mode", "0660", CFGF_NONE),
	CFG_BOOL("listen_public", cfg_false, CFGF_NONE),
	CFG_INT("workers", 2, CFGF_NONE),
	CFG_STR("site_url", NULL, CFGF_NODEFAULT),
	CFG_STR("mount", "/social", CFGF_NONE),
	CFG_STR("cache_dir", "/var/cache/socialhub", CFGF_NONE),
	CFG_STR("state_dir", "/var/lib/socialhub", CFGF_NONE),
	CFG_STR("log_level", "info", CFGF_NONE),
	CFG_STR_LIST("metrics_allow", "{127.0.0.1, ::1}", CFGF_NONE),
	CFG_STR("fetch_ca_file", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("embed_origins", "{}", CFGF_NONE),
	CFG_STR("page_stylesheet", NULL, CFGF_NODEFAULT),
	CFG_STR("page_logo", NULL, CFGF_NODEFAULT),
	CFG_STR("page_logo_alt", NULL, CFGF_NODEFAULT),
	CFG_STR("page_header_file", NULL, CFGF_NODEFAULT),
	CFG_STR("page_footer_file", NULL, CFGF_NODEFAULT),
	CFG_STR("catalog_dir", NULL, CFGF_NODEFAULT),
};

const char *
config_default_path(const char *arg)
{
	const char *env = getenv("SOCIALHUB_CONFIG");

	if (arg != NULL && *arg != '\0')
		return arg;
	if (env != NULL && *env != '\0')
		return env;
	return SYSCONFDIR "/socialhub/socialhub.conf";
}

/*
 * The line for an error libconfuse's parse reports in section cfg about
 * key: the lexer's line (the token at hand, as the scan's text has no
 * comments), but for a section's own check, run at its closing brace, the
 * line of the section's name.
 */
static int
errfunc_line(cfg_t *cfg, const char *key, size_t keylen)
{
	const struct config *c = config_parsing;
	char name[128], path[1024];
	cfg_opt_t *opt;
	int line;

	snprintf(name, sizeof(name), "%.*s", (int)keylen, key);
	for (opt = cfg->opts; opt->name != NULL && strcmp(opt->name, name) != 0; opt++)
		;  /* not cfg_getopt: it reports a name it does not know */
	if (c == NULL || c->scan == NULL || opt->name == NULL || opt->type != CFGT_SEC ||
	    cfg_opt_size(opt) == 0)
		return cfg->line;
	section_path(c->root, cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1), path, sizeof(path));
	line = cfgscan_section_line(c->scan, path);
	return line > 0 ? line : cfg->line;
}

/* Prints "FILE:LINE: KEY: message", taking KEY from libconfuse's quotes. */
static void
config_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[1024];
	const char *q1, *q2;
	size_t klen;

	/* Every section has its file name (config_load names those made
	 * before parsing). */
	const char *file = cfg->filename != NULL ? cfg->filename : "?";

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strncmp(msg, "WARN KEY ", 9) == 0) {
		/* A warning from our callbacks: "WARN KEY name: message". */
		const char *colon = strchr(msg + 9, ':');
		if (colon != NULL && colon[1] == ' ') {
			klen = (size_t)(colon - msg - 9);
			report_at(LOG_WARN, file, errfunc_line(cfg, msg + 9, klen), msg + 9, klen,
			    colon + 2);
			return;
		}
	}
	cfg->flags |= CONFIG_F_ERROR;
	if (strncmp(msg, "KEY ", 4) == 0) {
		/* Our callbacks: "KEY name: message". */
		const char *colon = strchr(msg + 4, ':');
		if (colon != NULL && colon[1] == ' ') {
			klen = (size_t)(colon - msg - 4);
			report(file, errfunc_line(cfg, msg + 4, klen), msg + 4, klen, colon + 2);
			return;
		}
		report(file, cfg->line, NULL, 0, msg + 4);
		return;
	}
	/* libconfuse's own messages name the key in quotes. */
	q1 = strchr(msg, '\'');
	q2 = q1 != NULL ? strchr(q1 + 1, '\'') : NULL;
	if (q1 != NULL && q2 != NULL)
		report(file, errfunc_line(cfg, q1 + 1, (size_t)(q2 - q1 - 1)), q1 + 1,
		    (size_t)(q2 - q1 - 1), msg);
	else
		report(file, cfg->line, NULL, 0, msg);
}

enum rc
config_error(const struct config *cfg, cfg_t *sec, const char *key,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int line = key_line(cfg, sec, key);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg->root->flags |= CONFIG_F_ERROR;
	report(cfg->path, line, key, strlen(key), msg);
	return RC_CONFIG;
}

int
config_key_line(const struct config *cfg, const char *key)
{
	if (cfg->scan == NULL)
		return 0;
	if (strchr(key, ' ') != NULL)
		return cfgscan_section_line(cfg->scan, key);
	return cfgscan_key_line(cfg->scan, "", key);
}

enum rc
config_error_line(const struct config *cfg, int line, const char *key,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg->root->flags |= CONFIG_F_ERROR;
	report(cfg->path, line, key, strlen(key), msg);
	return RC_CONFIG;
}

static void
trim_newline(char *s, size_t *len)
{
	while (*len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = '\0';
}

/* Group or others may read or write it: the secret may have leaked or
 * been replaced. */
#define SECRET_MODE_OPEN (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)

void
config_io_message(int err, char *msg, size_t n)
{
	struct passwd *pw;

	if (err != EACCES && err != EPERM) {
		snprintf(msg, n, "%s", strerror(err != 0 ? err : EIO));
		return;
	}
	pw = getpwuid(geteuid());
	if (pw != NULL)
		snprintf(msg, n, "%s (socialhub runs as user %s)", strerror(err), pw->pw_name);
	else
		snprintf(msg, n, "%s (socialhub runs as uid %lu)", strerror(err),
		    (unsigned long)geteuid());
}

enum rc
config_secret_read(const struct config *cfg, cfg_t *sec, const char *file_key,
    const char *path, bool keygen, char **out, size_t *len)
{
	char why[256];
	mode_t mode;
	enum rc rc;

	rc = fsutil_read_mode(path, SECRET_MAX, out, len, &mode);
	if (rc == RC_TOOBIG)
		return config_error(cfg, sec, file_key, "cannot read %s: larger than %d bytes",
		    path, SECRET_MAX);
	if (rc != RC_OK) {
		config_io_message(rc == RC_NOTFOUND ? ENOENT : errno, why, sizeof(why));
		return config_error(cfg, sec, file_key, "cannot read %s: %s", path, why);
	}
	if ((mode & SECRET_MODE_OPEN) == 0)
		return RC_OK;
	config_secret_wipe(*out, *len);
	*out = NULL;
	if (keygen)
		return config_error(cfg, sec, file_key, "%s is open to other users (mode %04o): "
		    "a secret file must be readable only by socialhub's user, and one that "
		    "others could read may have leaked; make a new one: socialhub keygen > %s; "
		    "chmod 600 %s", path, (unsigned)mode, path, path);
	return config_error(cfg, sec, file_key, "%s is open to other users (mode %04o): "
	    "a secret file must be readable only by socialhub's user; fix: chmod 600 %s "
	    "(and have the provider issue a new secret if others may have read it)",
	    path, (unsigned)mode, path);
}

void
config_secret_wipe(char *s, size_t len)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, len);
	free(s);
}

enum rc
config_secret(const struct config *cfg, cfg_t *sec, const char *key, bool keygen,
    char **out)
{
	char file_key[128];
	const char *inline_v, *file;
	size_t len;
	char *data;

	snprintf(file_key, sizeof(file_key), "%s_file", key);
	inline_v = cfg_getstr(sec, key);
	file = cfg_getstr(sec, file_key);
	if (inline_v != NULL && file != NULL)
		return config_error(cfg, sec, key, "set %s or %s, not both", key, file_key);
	if (inline_v != NULL) {
		*out = strdup(inline_v);
		return *out != NULL ? RC_OK : RC_NOMEM;
	}
	if (file == NULL)
		return config_error(cfg, sec, key, "missing (set %s or %s)", key, file_key);
	if (config_secret_read(cfg, sec, file_key, file, keygen, &data, &len) != RC_OK)
		return RC_CONFIG;
	trim_newline(data, &len);
	if (len == 0) {
		free(data);
		return config_error(cfg, sec, file_key, "%s is empty", file);
	}
	*out = data;
	return RC_OK;
}

/* Core options + every feature's options + CFG_END, in one array. */
static cfg_opt_t *
build_schema(const struct config_part *parts, size_t nparts)
{
	size_t n = 0, max = CONFIG_MAX_OPTS;
	cfg_opt_t *opts = calloc(max + 1, sizeof(*opts));

	if (opts == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(core_opts) / sizeof(core_opts[0]); i++)
		opts[n++] = core_opts[i];
	for (size_t i = 0; i < nparts; i++) {
		for (cfg_opt_t *o = parts[i].opts; o != NULL && o->name != NULL; o++) {
			if (n == max) {
				free(opts);
				return NULL;
			}
			opts[n++] = *o;
		}
	}
	opts[n] = (cfg_opt_t)CFG_END();
	return opts;
}

static bool
listen_valid(const char *s)
{
	const char *colon;
	char *end;
	long port;

	if (strncmp(s, "unix:", 5) == 0)
		return s[5] == '/' && strlen(s) < 100;
	if (strcmp(s, "fd:0") == 0)
		return true;
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return false;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && port > 0 && port <= 65535;
}

static bool
site_url_valid(const char *s, bool *https)
{
	struct arena *a = arena_new(1024, 0);
	struct url u;
	bool ok;

	if (a == NULL)
		return false;
	ok = url_parse(a, s, &u) == RC_OK && u.userinfo == NULL &&
	    strcmp(u.path, "/") == 0 && u.query == NULL && u.fragment == NULL &&
	    s[strlen(s) - 1] != '/';
	*https = ok && strcmp(u.scheme, "https") == 0;
	arena_free(a);
	return ok;
}

static bool
mount_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || s[0] != '/' || s[n - 1] == '/' || n > 100)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("/-_.", *s) == NULL)
			return false;
	return true;
}

/* Per-key checks run by libconfuse right after each key is parsed, so the
 * error carries that key's line. They report and return 0 to keep going. */
static int
check_listen(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (!listen_valid(v))
		cfg_error(cfg, "KEY listen: expected \"unix:/PATH\", \"HOST:PORT\" or \"fd:0\", got \"%s\"", v);
	return 0;
}

static int
check_listen_mode(cfg_t *cfg, cfg_opt_t *opt)
{
	char *end;
	long mode = strtol(cfg_opt_getnstr(opt, 0), &end, 8);

	if (*end != '\0' || mode < 0 || mode > 0777)
		cfg_error(cfg, "KEY listen_mode: expected an octal mode such as \"0660\"");
	return 0;
}

static int
check_workers(cfg_t *cfg, cfg_opt_t *opt)
{
	long n = cfg_opt_getnint(opt, 0);

	if (n < 1 || n > 64)
		cfg_error(cfg, "KEY workers: must be between 1 and 64, got %ld", n);
	return 0;
}

static int
check_site_url(cfg_t *cfg, cfg_opt_t *opt)
{
	bool https;

	if (!site_url_valid(cfg_opt_getnstr(opt, 0), &https))
		cfg_error(cfg, "KEY site_url: must be an http(s) origin without path, e.g. \"https://www.example.com\"");
	return 0;
}

static int
check_mount(cfg_t *cfg, cfg_opt_t *opt)
{
	if (!mount_valid(cfg_opt_getnstr(opt, 0)))
		cfg_error(cfg, "KEY mount: must start with '/', not end with '/', and use only [A-Za-z0-9/._-]");
	return 0;
}

static int
check_abs_path(cfg_t *cfg, cfg_opt_t *opt)
{
	if (cfg_opt_getnstr(opt, 0)[0] != '/')
		cfg_error(cfg, "KEY %s: must be an absolute path", opt->name);
	return 0;
}

static int
check_log_level(cfg_t *cfg, cfg_opt_t *opt)
{
	enum log_level lvl;

	if (!log_level_parse(cfg_opt_getnstr(opt, 0), &lvl))
		cfg_error(cfg, "KEY log_level: expected debug, info, warn or error");
	return 0;
}

/* Extra trusted CAs for outbound calls: a readable PEM file holding at
 * least one certificate. */
static int
check_ca_file(cfg_t *cfg, cfg_opt_t *opt)
{
	char err[512];

	if (!netpolicy_ca_file_ok(cfg_opt_getnstr(opt, 0), err, sizeof(err)))
		cfg_error(cfg, "KEY fetch_ca_file: %s", err);
	return 0;
}

static void
register_core_checks(cfg_t *root)
{
	cfg_set_validate_func(root, "listen", check_listen);
	cfg_set_validate_func(root, "listen_mode", check_listen_mode);
	cfg_set_validate_func(root, "workers", check_workers);
	cfg_set_validate_func(root, "site_url", check_site_url);
	cfg_set_validate_func(root, "mount", check_mount);
	cfg_set_validate_func(root, "cache_dir", check_abs_path);
	cfg_set_validate_func(root, "state_dir", check_abs_path);
	cfg_set_validate_func(root, "log_level", check_log_level);
	cfg_set_validate_func(root, "fetch_ca_file", check_ca_file);
}

/*
 * A FastCGI peer is trusted with the whole request, REMOTE_ADDR included
 * (the /metrics allow-list, rate limits and logs rest on it), so only
 * nginx may reach the socket: a unix socket, or TCP on loopback. Any
 * other address needs listen_public = true, and even then check-config
 * warns. Host names other than localhost are refused: what they resolve
 * to can change; the master checks the bound address again.
 */
static void
check_listen_scope(struct config *cfg)
{
	const char *spec = cfg->listen, *colon;
	char host[256], msg[1024];
	int line = config_key_line(cfg, "listen");
	size_t hlen;

	if (spec == NULL || strncmp(spec, "unix:", 5) == 0 || strcmp(spec, "fd:0") == 0)
		return;
	colon = strrchr(spec, ':');
	hlen = colon != NULL ? (size_t)(colon - spec) : 0;
	if (hlen == 0 || hlen >= sizeof(host))
		return; /* reported by check_listen */
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	if (netpolicy_ip_loopback(host) || strcmp(host, "localhost") == 0)
		return;
	if (cfg->listen_public) {
		snprintf(msg, sizeof(msg), "\"%s\" is not loopback (listen_public = true): any "
		    "host that reaches it can send FastCGI requests with any REMOTE_ADDR; only "
		    "a firewall or private network keeps it from speaking for nginx", spec);
		report_at(LOG_WARN, cfg->path, line, "listen", 6, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "\"%s\" is not a loopback address: any host that reaches "
	    "it could send FastCGI requests with a forged REMOTE_ADDR (e.g. 127.0.0.1 for "
	    "/metrics); listen on \"unix:/PATH\" or \"127.0.0.1:PORT\", or set "
	    "listen_public = true if a firewall keeps everyone but nginx out", spec);
	cfg->root->flags |= CONFIG_F_ERROR;
	report_at(LOG_ERROR, cfg->path, line, "listen", 6, msg);
}

#define CONFIG_PAGE_PART_MAX (64 * 1024)

/* embed_origins: each an http(s) origin without path, like site_url. */
static void
fill_embed_origins(struct config *cfg)
{
	cfg_t *r = cfg->root;
	bool https;

	cfg->embed_origins_n = cfg_size(r, "embed_origins");
	cfg->embed_origins = calloc(cfg->embed_origins_n + 1, sizeof(char *));
	for (size_t i = 0; cfg->embed_origins != NULL && i < cfg->embed_origins_n; i++) {
		char *o = cfg_getnstr(r, "embed_origins", (unsigned)i);
		if (!site_url_valid(o, &https) || o[strlen(o) - 1] == '/')
			config_error(cfg, NULL, "embed_origins", "\"%s\" must be an http(s) origin "
			    "without path or trailing '/', e.g. \"https://www.example.de\"", o);
		cfg->embed_origins[i] = o;
	}
}

/* page_header_file / page_footer_file: HTML read once, here. */
static char *
read_page_part(struct config *cfg, const char *key)
{
	const char *path = cfg_getstr(cfg->root, key);
	char *data = NULL;
	size_t len;

	if (path == NULL)
		return NULL;
	if (fsutil_read(path, CONFIG_PAGE_PART_MAX, &data, &len) != RC_OK) {
		config_error(cfg, NULL, key, "cannot read \"%s\" (at most 64 KiB of HTML)", path);
		return NULL;
	}
	return data;
}

bool
config_embed_origin(const struct config *cfg, const char *origin)
{
	for (size_t i = 0; origin != NULL && i < cfg->embed_origins_n; i++)
		if (strcmp(cfg->embed_origins[i], origin) == 0)
			return true;
	return false;
}

static void
fill_pages(struct config *cfg)
{
	cfg_t *r = cfg->root;

	cfg->page_stylesheet = cfg_getstr(r, "page_stylesheet");
	cfg->page_logo = cfg_getstr(r, "page_logo");
	cfg->page_logo_alt = cfg_getstr(r, "page_logo_alt");
	cfg->page_header = read_page_part(cfg, "page_header_file");
	cfg->page_footer = read_page_part(cfg, "page_footer_file");
}

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/socialhub"
#endif

/* The shipped catalogs, then catalog_dir's (which must exist when set). */
static void
fill_catalog(struct config *cfg)
{
	char err[1024];

	cfg->catalog_dir = cfg_getstr(cfg->root, "catalog_dir");
	if (catalog_load(PKGDATADIR "/catalogs", cfg->catalog_dir, err, sizeof(err),
	    &cfg->catalog) != RC_OK)
		config_error(cfg, NULL, "catalog_dir", "%s", err);
}

/* Fills the typed fields; the values were checked while parsing. */
static void
fill_core(struct config *cfg)
{
	cfg_t *r = cfg->root;

	cfg->listen = cfg_getstr(r, "listen");
	cfg->listen_mode = strtol(cfg_getstr(r, "listen_mode"), NULL, 8);
	cfg->listen_public = cfg_getbool(r, "listen_public") != cfg_false;
	check_listen_scope(cfg);
	cfg->workers = cfg_getint(r, "workers");
	cfg->site_url = cfg_getstr(r, "site_url");
	if (cfg->site_url == NULL)
		config_error(cfg, NULL, "site_url", "missing (the site's public origin, e.g. \"https://www.example.com\")");
	else
		site_url_valid(cfg->site_url, &cfg->site_https);
	cfg->mount = cfg_getstr(r, "mount");
	cfg->cache_dir = cfg_getstr(r, "cache_dir");
	cfg->state_dir = cfg_getstr(r, "state_dir");
	cfg->log_level = cfg_getstr(r, "log_level");
	cfg->drain_timeout_ms = 1500;
	cfg->metrics_allow_n = cfg_size(r, "metrics_allow");
	cfg->metrics_allow = calloc(cfg->metrics_allow_n + 1, sizeof(char *));
	for (size_t i = 0; cfg->metrics_allow != NULL && i < cfg->metrics_allow_n; i++)
		cfg->metrics_allow[i] = cfg_getnstr(r, "metrics_allow", (unsigned)i);
	if (asprintf(&cfg->user_agent, "%s/%s (+%s)", PACKAGE_NAME, PACKAGE_VERSION,
	    cfg->site_url != NULL ? cfg->site_url : "") < 0)
		cfg->user_agent = NULL;
	cfg->ca_file = cfg_getstr(r, "fetch_ca_file");
	fill_embed_origins(cfg);
	fill_pages(cfg);
	fill_catalog(cfg);
}

/* Calls fn on sec and every section below it until one returns true;
 * returns whether one did. */
static bool
sections_any(cfg_t *sec, bool (*fn)(cfg_t *sec, const char *arg), const char *arg)
{
	if (fn(sec, arg))
		return true;
	for (cfg_opt_t *o = sec->opts; o->name != NULL; o++)
		if (o->type == CFGT_SEC)
			for (unsigned i = 0; i < cfg_opt_size(o); i++)
				if (sections_any(cfg_opt_getnsec(o, i), fn, arg))
					return true;
	return false;
}

/* Gives a section made before parsing the file's name (true: no memory). */
static bool
section_name_file(cfg_t *sec, const char *file)
{
	if (sec->filename != NULL)
		return false;
	sec->filename = strdup(file);
	return sec->filename == NULL;
}

static bool
section_has_error(cfg_t *sec, const char *arg)
{
	(void)arg;
	return (sec->flags & CONFIG_F_ERROR) != 0;
}

/*
 * cfg_init makes the sections of non-MULTI options (share { }) before any
 * file is known, and libconfuse reuses them when the file opens them, so
 * they and what is made inside them would have no file name for errors.
 * They get the name cfg_parse gives the root (which replaces the root's).
 */
static enum rc
name_sections(cfg_t *root, const char *path)
{
	char *file = cfg_tilde_expand(path);
	bool nomem = file == NULL || sections_any(root, section_name_file, file);

	free(file);
	return nomem ? RC_NOMEM : RC_OK;
}

/* Parses the scan's text (the file without comments) into cfg->root. */
static int
parse_scanned(struct config *cfg)
{
	char *file = cfg_tilde_expand(cfg->path);
	FILE *f;
	int ret;

	if (file == NULL)
		return CFG_PARSE_ERROR;
	free(cfg->root->filename); /* cfg_parse_fp keeps a name it is given */
	cfg->root->filename = file;
	f = fmemopen(cfg->scan->text, cfg->scan->len, "r");
	if (f == NULL)
		return CFG_PARSE_ERROR;
	config_parsing = cfg;
	ret = cfg_parse_fp(cfg->root, f);
	config_parsing = NULL;
	fclose(f);
	return ret;
}

/* Scans the file: RC_OK, or an error reported. */
static enum rc
scan_file(struct config *cfg)
{
	enum rc rc = cfgscan_file(cfg->path, CONFIG_MAX_BYTES, &cfg->scan);
	char msg[512];

	if (rc == RC_OK || rc == RC_NOMEM)
		return rc;
	if (rc == RC_TOOBIG)
		snprintf(msg, sizeof(msg), "larger than %d bytes", CONFIG_MAX_BYTES);
	else
		config_io_message(errno, msg, sizeof(msg));
	report(cfg->path, 0, NULL, 0, msg);
	return rc;
}

/* Everything after a parse: core fields, the features' checks; true when
 * anything was wrong. */
static bool
validate_all(struct config *cfg, const struct config_part *parts, size_t nparts)
{
	bool failed = false;

	if (cfg->scan->unclosed > 0) {
		report(cfg->path, cfg->scan->unclosed, NULL, 0, "section not closed (missing '}')");
		failed = true;
	}
	fill_core(cfg);
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].validate != NULL)
			parts[i].validate(cfg);
	return failed || sections_any(cfg->root, section_has_error, NULL);
}

enum rc
config_load_parts(const char *path, const struct config_part *parts,
    size_t nparts, struct config **out)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	cfg_opt_t *schema = build_schema(parts, nparts);
	enum rc rc = RC_NOMEM;
	int ret;

	*out = NULL;
	if (cfg == NULL || schema == NULL || (cfg->path = strdup(path)) == NULL)
		goto out;
	if ((rc = scan_file(cfg)) != RC_OK) {
		rc = rc == RC_NOMEM ? rc : RC_IO;
		goto out;
	}
	rc = RC_NOMEM;
	cfg->root = cfg_init(schema, CFGF_NONE);
	if (cfg->root == NULL || name_sections(cfg->root, path) != RC_OK)
		goto out;
	cfg_set_error_function(cfg->root, config_errfunc);
	register_core_checks(cfg->root);
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].checks != NULL)
			parts[i].checks(cfg->root);
	rc = RC_CONFIG;
	if (cfg->scan->paren > 0) {
		report(path, cfg->scan->paren, NULL, 0,
		    "function calls such as include() are not supported");
		goto out;
	}
	ret = parse_scanned(cfg);
	if (ret != CFG_SUCCESS || validate_all(cfg, parts, nparts))
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = RC_OK;
out:
	free(schema); /* cfg_init keeps its own copy */
	config_free(cfg);
	return rc;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->root != NULL)
		cfg_free(cfg->root);
	free(cfg->metrics_allow);
	free(cfg->embed_origins);
	free(cfg->page_header);
	catalog_free(cfg->catalog);
	free(cfg->page_footer);
	free(cfg->user_agent);
	free(cfg->path);
	cfgscan_free(cfg->scan);
	free(cfg);
}

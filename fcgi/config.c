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
#include <sys/stat.h>

#include "util/cfgval.h"
#include <openssl/crypto.h>

#include "util/fsutil.h"
#include "util/log.h"
#include "util/netpolicy.h"
#include "util/url.h"

#define CONFIG_MAX_OPTS 128
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

void
config_errors_as_log(bool on)
{
	config_errors_logfmt = on;
}

/* True when text names key as a setting or section: the key as a whole
 * word (after a line start, blank, '{' or ';') followed by a blank, '=' or
 * '{'. */
static bool
line_sets_key(const char *text, const char *key, size_t klen)
{
	for (const char *p = strstr(text, key); p != NULL; p = strstr(p + 1, key)) {
		char before = p == text ? ' ' : p[-1];
		if (strchr(" \t{;", before) != NULL && p[klen] != '\0' &&
		    strchr(" \t={", p[klen]) != NULL)
			return true;
	}
	return false;
}

/* True for a line with nothing but blanks or a comment. */
static bool
line_is_blank(const char *text)
{
	const char *p = text + strspn(text, " \t\r\n");

	return *p == '\0' || *p == '#' || (p[0] == '/' && p[1] == '/');
}

/*
 * libconfuse gives the line its lexer has reached, which for a value
 * followed by comments or blank lines is past the key. Returns the last
 * line at or before `line` that sets `key` when only blank or comment lines
 * follow it up to `line`; else line (a list item on a later line keeps the
 * line of the item).
 */
static int
key_line(const char *file, int line, const char *key)
{
	char text[1024];
	size_t klen = strlen(key);
	int n = 0, found = 0;
	bool content_after = false;
	FILE *f;

	if (klen == 0 || line <= 0 || (f = fopen(file, "r")) == NULL)
		return line;
	while (n < line && fgets(text, sizeof(text), f) != NULL) {
		n++;
		if (line_sets_key(text, key, klen)) {
			found = n;
			content_after = false;
		} else if (found > 0 && !line_is_blank(text)) {
			content_after = true;
		}
		while (strchr(text, '\n') == NULL && fgets(text, sizeof(text), f) != NULL)
			;  /* the rest of a long line */
	}
	fclose(f);
	return found > 0 && !content_after ? found : line;
}

/* The line of the last setting of a top-level key (the one that counts),
 * or 0. */
static int
last_key_line(const char *file, const char *key)
{
	char text[1024];
	int n = 0, found = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return 0;
	while (fgets(text, sizeof(text), f) != NULL) {
		n++;
		if (line_sets_key(text, key, strlen(key)))
			found = n;
		while (strchr(text, '\n') == NULL && fgets(text, sizeof(text), f) != NULL)
			;  /* the rest of a long line */
	}
	fclose(f);
	return found;
}

/* One problem: "FILE:LINE: KEY: message" for people (warnings say so), or
 * a logfmt event. */
static void
report_at(enum log_level lvl, const char *file, int line, const char *key,
    size_t keylen, const char *msg)
{
	const char *warn = lvl == LOG_WARN ? "warning: " : "";
	char num[24], k[128];

	snprintf(k, sizeof(k), "%.*s", (int)keylen, key != NULL ? key : "");
	if (key != NULL)
		line = key_line(file, line, k);
	if (config_errors_logfmt) {
		log_kv(lvl, lvl == LOG_WARN ? "config_warning" : "config_error", "file", file,
		    "line", log_int(num, line), "key", k, "message", msg, NULL);
	} else if (key != NULL) {
		fprintf(stderr, "%s:%d: %s: %s%s\n", file, line, k, warn, msg);
	} else {
		fprintf(stderr, "%s:%d: %s%s\n", file, line, warn, msg);
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
	CFG_STR("page_logo_alt", "Home", CFGF_NONE),
	CFG_STR("page_header_file", NULL, CFGF_NODEFAULT),
	CFG_STR("page_footer_file", NULL, CFGF_NODEFAULT),
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

/* Prints "FILE:LINE: KEY: message", taking KEY from libconfuse's quotes. */
static void
config_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[1024];
	const char *q1, *q2;

	/* Every section has its file name (config_load names those made
	 * before parsing). */
	const char *file = cfg->filename != NULL ? cfg->filename : "?";

	cfg->flags |= CONFIG_F_ERROR;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strncmp(msg, "KEY ", 4) == 0) {
		/* Our callbacks: "KEY name: message". */
		const char *colon = strchr(msg + 4, ':');
		if (colon != NULL && colon[1] == ' ') {
			report(file, cfg->line, msg + 4, (size_t)(colon - msg - 4), colon + 2);
			return;
		}
		report(file, cfg->line, NULL, 0, msg + 4);
		return;
	}
	/* libconfuse's own messages name the key in quotes. */
	q1 = strchr(msg, '\'');
	q2 = q1 != NULL ? strchr(q1 + 1, '\'') : NULL;
	if (q1 != NULL && q2 != NULL)
		report(file, cfg->line, q1 + 1, (size_t)(q2 - q1 - 1), msg);
	else
		report(file, cfg->line, NULL, 0, msg);
}

enum rc
config_error(const struct config *cfg, cfg_t *sec, const char *key,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int line = sec != NULL ? sec->line : cfg->root->line;

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
	return last_key_line(cfg->path, key);
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
	report(cfg->path, line > 0 ? line : cfg->root->line, key, strlen(key), msg);
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

enum rc
config_secret_read(const struct config *cfg, cfg_t *sec, const char *file_key,
    const char *path, bool keygen, char **out, size_t *len)
{
	mode_t mode;
	enum rc rc;

	rc = fsutil_read_mode(path, SECRET_MAX, out, len, &mode);
	if (rc != RC_OK)
		return config_error(cfg, sec, file_key, "cannot read %s: %s", path, rc_str(rc));
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
	int line = last_key_line(cfg->path, "listen");
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
}

/* What a syntax pre-scan of the file found; lines are 0 when not found. */
struct prescan {
	int unclosed_brace; /* line of the first '{' never closed */
	int paren;          /* line of the first '(' outside strings/comments */
};

/* Skips a comment that starts at c ('#', or '/' followed by '/' or '*'),
 * counting newlines. Returns false when c does not start a comment. */
static bool
skip_comment(FILE *f, int c, int *line)
{
	int next;

	if (c == '/') {
		next = getc(f);
		if (next == '*') {
			int prev = 0;
			while ((c = getc(f)) != EOF && !(prev == '*' && c == '/')) {
				*line += c == '\n';
				prev = c;
			}
			return true;
		}
		if (next != '/') {
			if (next != EOF)
				ungetc(next, f);
			return false;
		}
	} else if (c != '#') {
		return false;
	}
	while ((c = getc(f)) != EOF && c != '\n')
		;
	*line += c == '\n';
	return true;
}

/*
 * Two things libconfuse gets wrong, found before it parses: it accepts a
 * section left open at the end of the file (an admin who forgot a '}' wants
 * to hear about it), and its function-call syntax (include() and friends,
 * none of which socialhub registers) has error paths that leak and, for
 * include, read out of bounds (libconfuse #163). '(' cannot appear in an
 * unquoted value, so any '(' outside a string or comment is such a call.
 */
static struct prescan
prescan_file(const char *path)
{
	struct prescan p = { 0, 0 };
	int stack[64], depth = 0, line = 1, c, quote = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return p;
	while ((c = getc(f)) != EOF) {
		if (quote != 0) {
			line += c == '\n';
			if (c == '\\')
				line += getc(f) == '\n';
			else if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (skip_comment(f, c, &line)) {
			continue;
		} else if (c == '\n') {
			line++;
		} else if (c == '(' && p.paren == 0) {
			p.paren = line;
		} else if (c == '{' && depth < 64) {
			stack[depth++] = line;
		} else if (c == '}' && depth > 0) {
			depth--;
		}
	}
	fclose(f);
	p.unclosed_brace = depth > 0 ? stack[depth - 1] : 0;
	return p;
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

enum rc
config_load_parts(const char *path, const struct config_part *parts,
    size_t nparts, struct config **out)
{
	struct config *cfg;
	cfg_opt_t *schema;
	struct prescan scan;
	bool failed = false;
	FILE *probe;
	int ret;

	*out = NULL;
	probe = fopen(path, "r");
	if (probe == NULL) {
		report(path, 0, NULL, 0, strerror(errno));
		return RC_IO;
	}
	fclose(probe);
	cfg = calloc(1, sizeof(*cfg));
	schema = build_schema(parts, nparts);
	if (cfg == NULL || schema == NULL) {
		free(cfg);
		free(schema);
		return RC_NOMEM;
	}
	cfg->path = strdup(path);
	cfg->root = cfg_init(schema, CFGF_NONE);
	free(schema); /* cfg_init keeps its own copy */
	if (cfg->root == NULL || cfg->path == NULL ||
	    name_sections(cfg->root, path) != RC_OK) {
		config_free(cfg);
		return RC_NOMEM;
	}
	cfg_set_error_function(cfg->root, config_errfunc);
	register_core_checks(cfg->root);
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].checks != NULL)
			parts[i].checks(cfg->root);
	scan = prescan_file(path);
	if (scan.paren > 0) {
		report(path, scan.paren, NULL, 0,
		    "function calls such as include() are not supported");
		ret = CFG_PARSE_ERROR;
	} else {
		ret = cfg_parse(cfg->root, path);
	}
	if (ret == CFG_SUCCESS && scan.unclosed_brace > 0) {
		report(path, scan.unclosed_brace, NULL, 0, "section not closed (missing '}')");
		failed = true;
	}
	if (ret == CFG_SUCCESS) {
		fill_core(cfg);
		for (size_t i = 0; i < nparts; i++)
			if (parts[i].validate != NULL)
				parts[i].validate(cfg);
		failed |= sections_any(cfg->root, section_has_error, NULL);
	}
	if (ret != CFG_SUCCESS || failed) {
		if (ret == CFG_FILE_ERROR)
			report(path, 0, NULL, 0, "cannot read");
		config_free(cfg);
		return RC_CONFIG;
	}
	*out = cfg;
	return RC_OK;
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
	free(cfg->page_footer);
	free(cfg->user_agent);
	free(cfg->path);
	free(cfg);
}

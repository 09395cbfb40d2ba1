/* admin: the admin shell under MOUNT/admin — roles from the config's
 * `admin { grant NAME { … } }`, per-request authorization, CSRF for every
 * admin form, and the pages' frame. Features add their admin pages as
 * routes that start with admin_gate and, for a POST, admin_post_check. */
#ifndef SOCIALHUB_FCGI_ADMIN_H
#define SOCIALHUB_FCGI_ADMIN_H

#include <stdbool.h>

#include <confuse.h>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/router.h"
#include "util/buf.h"
#include "util/rc.h"

struct config;

/* What a request wants to do. */
enum admin_perm {
	ADMIN_VIEW,         /* read the console (any grant, within its scope) */
	ADMIN_MODERATE,     /* queue decisions on a stream */
	ADMIN_SETTINGS,     /* change a stream's or market's settings */
	ADMIN_CONNECTIONS,  /* connect, reconnect, revoke network accounts: owner only */
};

/* The roles of a grant, in the order of the table in admin.c. */
enum admin_role {
	ADMIN_OWNER,
	ADMIN_EDITOR,
	ADMIN_MODERATOR,
	ADMIN_VIEWER,
	ADMIN_ROLE_COUNT
};

/* "owner", "editor", "moderator", "viewer"; "unknown" past the table. */
const char *admin_role_name(enum admin_role r);

/*
 * True when one `who` entry names the identity: "PROVIDER:SUBJECT" (both
 * exact, case-sensitive), "email:ADDR" (a verified email, whatever its
 * case) or "domain:DOMAIN" (a verified email at DOMAIN; ".DOMAIN" also its
 * subdomains). An unverified email matches nothing.
 */
bool admin_who_matches(const char *who, const struct identity *id);

/*
 * Whether `id` (NULL: nobody signed in) may do `perm` on `scope`, from the
 * grants of cfg as they are now: NULL scope is the console as a whole,
 * "stream:NAME" one stream (in a market when all its sources are),
 * "market:CODE" one market. RC_OK, RC_UNAUTH (nobody signed in) or
 * RC_FORBIDDEN.
 */
enum rc admin_authorize_id(const struct config *cfg, const struct identity *id,
    enum admin_perm perm, const char *scope);

/* admin_authorize_id for the visitor the request's session names. */
enum rc admin_authorize(struct request *req, enum admin_perm perm, const char *scope);

/*
 * For a handler's first line: true when the visitor may go on. Else the
 * reply is made — 303 to the sign-in with return_to this page for nobody
 * signed in, the 403 page for one without a grant that allows it — and
 * the handler returns *rc.
 */
bool admin_gate(struct request *req, struct response *res, enum admin_perm perm,
    const char *scope, enum rc *rc);

/*
 * The CSRF token of the signed-in session (arena string): HMAC-SHA256
 * keyed by the session's binding, so it is the same in every worker and
 * node and dies with the session. RC_UNAUTH without a session.
 */
enum rc admin_csrf_token(struct request *req, const char **out);
/* Appends <input type="hidden" name="csrf" value="…"> for a form. */
enum rc admin_csrf_field(struct request *req, struct buf *b);
/* Appends the CSRF token of id's session (43 base64url characters);
 * RC_UNAUTH when id has no session binding. */
enum rc admin_csrf_make(const struct identity *id, struct buf *out);
/* True when token is the CSRF token of id's session (constant time). */
bool admin_csrf_valid(const struct identity *id, const char *token);

/*
 * Every admin POST, before it acts: the request must come from this site
 * (request_same_origin: Origin equals site_url, else Sec-Fetch-Site
 * same-origin; "Origin: null" never) and carry the form field "csrf" of
 * this session. RC_OK, RC_UNAUTH, or RC_FORBIDDEN (logged, no token).
 */
enum rc admin_post_check(struct request *req);

/* Opens an admin page (page_open) with the nav and who is signed in. */
enum rc admin_page_open(struct request *req, struct buf *b, const char *title);
/* Closes it (page_close). */
enum rc admin_page_close(struct request *req, struct buf *b);
/* Makes response_body(res) the HTML reply: status, strict CSP, no-store. */
enum rc admin_page_send(struct response *res, int status);

/* The feature row's parts. */
extern cfg_opt_t admin_opts[];
extern const struct route admin_routes[];
void admin_checks(cfg_t *root);
enum rc admin_validate(const struct config *cfg);

/* The row for the feature table (fcgi/routes.c). */
#define ADMIN_FEATURE { \
	.name = "admin", .opts = admin_opts, .checks = admin_checks, \
	.validate = admin_validate, .routes = admin_routes, \
}

#endif

# snippet_signon_env.sh: the SHIPPED nginx snippet (deploy/nginx/socialhub.conf)
# in front of socialhub, with the local oidc-provider (tests/js/op.mjs) as
# the "demo" provider. Source after lib.sh and oauth_env.sh, then call
# sn_start (stdin: extra socialhub.conf text). Only the snippet's EDIT
# lines are substituted: the socket path, the fastcgi_params path, the
# embed folder, the cache folder and the /members/ application, which is
# an nginx server on OA_UP that echoes the URI it was asked for and the
# X-User nginx passed on.
# shellcheck shell=bash

SN_ISS=

# The shipped snippet with this scratch dir's paths.
sn_snippet() {
	"$TH_SRCDIR/deploy/nginx/render-snippet.sh" "$TH_DIR/nginx/snippet" \
		socket="$TH_SOCK" params=/etc/nginx/fastcgi_params \
		embed="$TH_SRCDIR/widgets/embed" app="127.0.0.1:$OA_UP" \
		cache="$TH_DIR/nginx/cache" || th_bail "cannot render the shipped snippet"
}

sn_nginx_http() {
	cat <<NGX
    access_log $TH_DIR/nginx/access.log;
    include $TH_DIR/nginx/snippet/socialhub-cache.conf;
    server {
        listen 127.0.0.1:$TH_PORT;
        location = / {
            default_type text/html;
            return 200 "<!DOCTYPE html><title>home</title><h1>home</h1>";
        }
        include $TH_DIR/nginx/snippet/socialhub.conf;
    }
    server {
        listen 127.0.0.1:$OA_UP;
        location / {
            default_type text/plain;
            return 200 "app saw uri=\$request_uri user=\$http_x_user\n";
        }
    }
NGX
}

# sn_start <<EOF ... EOF: the provider, socialhub (unix socket, with the
# demo provider and stdin's text) and nginx with the shipped snippet.
sn_start() {
	local cfg extra
	extra=$(cat)
	oa_start_node op op.mjs --redirect "$TH_BASE/social/auth/callback/demo" \
		--post-logout "$TH_BASE/"
	SN_ISS=$(oa_json_get "$TH_DIR/op.ready" issuer)
	cfg=$(th_write_config "$TH_DIR/socialhub.conf" "session { secret = \"$("$SOCIALHUB" keygen)\" }
provider demo {
	issuer = \"$SN_ISS\"
	client_id = \"demo\"
	client_secret = \"demo-secret-change-me\"
	display_name = \"Demo ID\"
}
$extra")
	"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/check-config.out" 2>&1 ||
		th_bail "check-config refused the config: $(cat "$TH_DIR/check-config.out")"
	th_start_socialhub "$cfg" || th_bail "socialhub did not start"
	mkdir -p "$TH_DIR/nginx/cache"
	chmod 0777 "$TH_DIR/nginx/cache"
	sn_snippet
	th_nginx_conf "$TH_DIR/nginx" "$(sn_nginx_http)"
	th_run_nginx "$TH_DIR/nginx" "$TH_PORT" || th_bail "nginx did not start with the shipped snippet"
	TH_NGINX_PID=$TH_LAST_PID
}

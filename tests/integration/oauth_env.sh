# oauth_env.sh: the sign-on tests' setup over lib.sh; source after lib.sh.
# The npm fixtures of tests/js (oidc-provider, the hostile and preset
# providers), socialhub on a loopback TCP port and nginx with the
# auth_request recipe of doc/signon.md, all in lib.sh's scratch dir on
# free 127.0.0.1 ports and stopped by PID at exit.
#
#   oa_init NAME                 th_init; skips without the npm modules;
#                                ports TH_PORT (nginx), OA_UP (the protected
#                                upstream), OA_SH (socialhub)
#   oa_start_node NAME SCRIPT ARGS...   a tests/js fixture started with
#                                --ready-file $TH_DIR/NAME.ready, waited for
#   oa_json_get FILE KEY         a field of a ready file
#   oa_start <<EOF ... EOF       socialhub (TCP listen; stdin: the session
#                                and providers) through check-config, then
#                                nginx
# shellcheck shell=bash

JS=$TH_SRCDIR/tests/js
OA_UP=
OA_SH=

oa_init() {
	th_require_socialhub
	th_require_cmd node "$(th_find_nginx)"
	[ -d "$JS/node_modules/oidc-provider" ] || th_skip_all "npm ci --prefix tests/js has not been run"
	th_init "$1"
	OA_UP=$(th_free_port) && OA_SH=$(th_free_port) || th_bail "no free port"
}

oa_start_node() {
	local name=$1 script=$2
	shift 2
	th_spawn "$name" node "$JS/$script" --ready-file "$TH_DIR/$name.ready" "$@"
	th_wait_file "$TH_DIR/$name.ready" 20000 "$TH_LAST_PID" ||
		th_bail "$script did not start"
}

oa_json_get() {
	node -e 'const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(o[process.argv[2]])' "$1" "$2"
}

# The nginx of the sign-on guide: /social/ to socialhub, /protected/ behind
# auth_request with the identity headers passed on, 401 -> sign-in; the
# protected upstream on OA_UP echoes what it was told.
oa_nginx_http() {
	cat <<EOF
    access_log off;
    upstream socialhub { server 127.0.0.1:$OA_SH; }
    server {
        listen 127.0.0.1:$TH_PORT;
        location /social/ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass socialhub;
        }
        location = /_socialhub_check {
            internal;
            fastcgi_param REQUEST_URI /social/auth/check;
            fastcgi_param QUERY_STRING "";
            fastcgi_param REQUEST_METHOD GET;
            fastcgi_param CONTENT_LENGTH "";
            fastcgi_param CONTENT_TYPE "";
            include /etc/nginx/fastcgi_params;
            fastcgi_pass_request_body off;
            fastcgi_pass socialhub;
        }
        location /protected/ {
            auth_request /_socialhub_check;
            auth_request_set \$sh_user \$upstream_http_x_socialhub_user;
            auth_request_set \$sh_name \$upstream_http_x_socialhub_name;
            auth_request_set \$sh_email \$upstream_http_x_socialhub_email;
            error_page 401 = @signin;
            proxy_set_header X-Socialhub-User \$sh_user;
            proxy_set_header X-Socialhub-Name \$sh_name;
            proxy_set_header X-Socialhub-Email \$sh_email;
            proxy_set_header Cookie "";
            proxy_pass http://127.0.0.1:$OA_UP;
        }
        location @signin {
            return 302 /social/auth/login?return_to=\$request_uri;
        }
        location / {
            default_type text/html;
            return 200 "<!DOCTYPE html><title>home</title><h1>home</h1>";
        }
    }
    server {
        listen 127.0.0.1:$OA_UP;
        location / {
            default_type text/plain;
            add_header X-Upstream-Saw-User \$http_x_socialhub_user always;
            return 200 "protected page for [\$http_x_socialhub_name] user=\$http_x_socialhub_user\n";
        }
    }
EOF
}

oa_start() {
	local cfg
	cfg=$(TH_LISTEN=127.0.0.1:$OA_SH th_write_config "$TH_DIR/socialhub.conf" "$(cat)")
	"$SOCIALHUB" check-config -c "$cfg" >"$TH_DIR/check-config.out" 2>&1 ||
		th_bail "check-config refused the config: $(cat "$TH_DIR/check-config.out")"
	th_start_socialhub "$cfg" || th_bail "socialhub did not start"
	th_nginx_conf "$TH_DIR/nginx" "$(oa_nginx_http)"
	th_run_nginx "$TH_DIR/nginx" "$TH_PORT" || th_bail "nginx did not start"
	TH_NGINX_PID=$TH_LAST_PID
}

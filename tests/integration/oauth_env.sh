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

# ---- configs socialhub must refuse (issue 13): forged sessions, and the
# daemon that never starts on a refused config.
#
#   oa_forge SECRET PROVIDER SUB [EMAIL]  a session cookie value sealed
#                                with SECRET (tests/js/forge_session.mjs),
#                                as anyone who knows the secret can
#   oa_write_config FILE <<EOF   oa_start's config (TCP on OA_SH), stdin as
#                                the session and providers; prints FILE
#   oa_start_nginx               oa_start's nginx alone
#   oa_serve_refused NAME CFG    ok when `serve -c CFG` exits 1 within 5 s
#                                and nothing accepts on OA_SH (one that
#                                starts anyway serves until the next call)
#   oa_auth_check NAME COOKIE CODE   GET /social/auth/check and /protected/
#                                through nginx with that session cookie:
#                                CODE 204 wants both served (200), any
#                                other wants neither

oa_forge() {
	node "$JS/forge_session.mjs" "$@"
}

oa_write_config() {
	TH_LISTEN=127.0.0.1:$OA_SH th_write_config "$1" "$(cat)"
}

oa_start_nginx() {
	th_nginx_conf "$TH_DIR/nginx" "$(oa_nginx_http)"
	th_run_nginx "$TH_DIR/nginx" "$TH_PORT" || th_bail "nginx did not start"
	TH_NGINX_PID=$TH_LAST_PID
}

OA_LEFT_PID=
oa_serve_refused() {
	local name=$1 cfg=$2 pid rc
	# A daemon that wrongly started on the previous refused config stayed
	# up for the checks after it (what a forged cookie gets); it goes now.
	[ -n "$OA_LEFT_PID" ] && th_stop "$OA_LEFT_PID"
	OA_LEFT_PID=
	"$SOCIALHUB" serve -c "$cfg" </dev/null >>"$TH_DIR/socialhub.out" 2>>"$TH_DIR/socialhub.log" &
	pid=$!
	th_register_pid "$pid"
	if ! th_wait_gone "$pid" 5000; then
		th_not_ok "$name: serve refuses the config" "still running after 5 s (pid $pid)"
		OA_LEFT_PID=$pid
		return 1
	fi
	wait "$pid"
	rc=$?
	if [ "$rc" = 1 ] && ! th_port_open "$OA_SH"; then
		th_ok "$name: serve refuses the config (exit 1, nothing on $OA_SH)"
	else
		th_not_ok "$name: serve refuses the config" "exit $rc"
	fi
}

oa_auth_check() {
	local name=$1 cookie=$2 code=$3
	th_request GET "$TH_BASE/social/auth/check" -H "Cookie: socialhub_session=$cookie"
	local check=$TH_STATUS user
	user=$(th_header X-Socialhub-User)
	th_request GET "$TH_BASE/protected/page" -H "Cookie: socialhub_session=$cookie"
	if [ "$code" = 204 ]; then
		if [ "$check" = 204 ] && [ "$TH_STATUS" = 200 ]; then
			th_ok "$name: /auth/check 204 ($user), /protected/ served"
		else
			th_not_ok "$name: /auth/check 204, /protected/ served" \
				"/auth/check $check, /protected/ $TH_STATUS: $(head -c 200 "$TH_BODY")"
		fi
	elif [ "$check" = "$code" ] && [ "$TH_STATUS" != 200 ]; then
		th_ok "$name: /auth/check $check, /protected/ $TH_STATUS (not served)"
	else
		th_not_ok "$name: /auth/check $code, /protected/ not served" \
			"/auth/check $check${user:+ (X-Socialhub-User: $user)}, /protected/ $TH_STATUS: $(head -c 200 "$TH_BODY")"
	fi
}

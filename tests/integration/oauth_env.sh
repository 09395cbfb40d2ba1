# oauth_env.sh: start real components for sign-on tests; sourced by test_*.sh.
# Everything binds 127.0.0.1 on free ports, lives in one scratch dir and is
# stopped by PID on exit.

set -u

SRCDIR=${top_srcdir:-${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}}
BUILDDIR=${BUILDDIR:-$(pwd)}
SOCIALHUB=${SOCIALHUB:-$BUILDDIR/socialhub}
NGINX_BIN=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
JS=$SRCDIR/tests/js
PIDS=()

oauth_env_init() {
	D=$(mktemp -d /tmp/sh-oauth-XXXXXX)
	chmod 755 "$D"
	mkdir -p "$D/state" "$D/cache" "$D/tmp" "$D/logs"
	trap oauth_env_cleanup EXIT
	if [ ! -d "$JS/node_modules/oidc-provider" ]; then
		echo "SKIP: npm ci --prefix tests/js has not been run"
		exit 77
	fi
}

oauth_env_cleanup() {
	local rc=$?
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill "${PIDS[$i]}" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do
			state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
			[ "$state" = gone ] || [ "$state" = Z ] && break
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ -z "${KEEP:-}" ]; then
		for f in "$D"/logs/*; do
			echo "---- $f (tail)"
			tail -n 30 "$f"
		done
	fi
	[ -n "${KEEP:-}" ] && echo "kept $D" || rm -rf "$D"
	exit "$rc"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
	local port=$1
	for _ in $(seq 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "port $port never opened" >&2
	return 1
}

wait_file() {
	for _ in $(seq 200); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "$1 never appeared" >&2
	return 1
}

# start_node NAME SCRIPT ARGS...: runs a node fixture that writes --ready-file.
start_node() {
	local name=$1 script=$2
	shift 2
	node "$JS/$script" --ready-file "$D/$name.ready" "$@" >"$D/logs/$name.log" 2>&1 &
	PIDS+=($!)
	wait_file "$D/$name.ready"
}

# json_get FILE KEY
json_get() {
	node -e 'const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(o[process.argv[2]])' "$1" "$2"
}

start_socialhub() {
	local conf=$1
	"$SOCIALHUB" check-config -c "$conf" >"$D/logs/check-config.log" 2>&1 || {
		cat "$D/logs/check-config.log"
		return 1
	}
	"$SOCIALHUB" serve -c "$conf" >"$D/logs/socialhub.log" 2>&1 &
	PIDS+=($!)
}

# write_nginx PORT UPSTREAM_PORT SH_PORT: nginx with the auth_request recipe.
write_nginx() {
	local port=$1 up=$2 sh=$3
	mkdir -p "$D/nginx/tmp"
	cat >"$D/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $D/nginx/nginx.pid;
error_log $D/logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $D/nginx/tmp/body;
	fastcgi_temp_path $D/nginx/tmp/fastcgi;
	proxy_temp_path $D/nginx/tmp/proxy;
	uwsgi_temp_path $D/nginx/tmp/uwsgi;
	scgi_temp_path $D/nginx/tmp/scgi;
	upstream socialhub { server 127.0.0.1:$sh; }
	server {
		listen 127.0.0.1:$port;
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
			proxy_pass http://127.0.0.1:$up;
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
		listen 127.0.0.1:$up;
		location / {
			default_type text/plain;
			add_header X-Upstream-Saw-User \$http_x_socialhub_user always;
			return 200 "protected page for [\$http_x_socialhub_name] user=\$http_x_socialhub_user\n";
		}
	}
}
EOF
}

start_nginx() {
	"$NGINX_BIN" -t -p "$D/nginx" -c "$D/nginx/nginx.conf" -e "$D/logs/nginx-error.log" \
	    >"$D/logs/nginx-t.log" 2>&1 || {
		cat "$D/logs/nginx-t.log"
		return 1
	}
	"$NGINX_BIN" -p "$D/nginx" -c "$D/nginx/nginx.conf" -e "$D/logs/nginx-error.log" \
	    -g 'daemon off;' >"$D/logs/nginx.log" 2>&1 &
	PIDS+=($!)
}

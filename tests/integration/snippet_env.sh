# snippet_env.sh: nginx with the SHIPPED deploy/nginx files, included as
# they are (no copy, no sed). Source after lib.sh, before th_init.
#
# The shipped files name fixed paths (/run/socialhub/socialhub.sock,
# /var/cache/nginx/socialhub) and an example upstream on 127.0.0.1:8000.
# So that they can be included unchanged on a shared machine, the test
# re-executes itself in private mount and network namespaces (root only;
# otherwise it is skipped): tmpfs over /run and /var/cache, and a loopback
# interface nobody else sees. Nothing outside the namespaces is touched.
#
#   se_enter_ns "$@"        re-exec under unshare (first thing in a test)
#   se_setup                after th_init: the tmpfs mounts, TH_SOCK at the
#                           snippet's socket path
#   se_start_nginx [EXTRA]  nginx: http {} includes socialhub-cache.conf,
#                           server {} includes socialhub.conf, then EXTRA
# shellcheck shell=bash

SE_SNIPPET=$TH_SRCDIR/deploy/nginx/socialhub.conf
SE_CACHE_CONF=$TH_SRCDIR/deploy/nginx/socialhub-cache.conf
SE_SOCK=/run/socialhub/socialhub.sock
SE_CACHE_DIR=/var/cache/nginx/socialhub

se_enter_ns() {
	[ "${SE_IN_NS:-0}" = 1 ] && return 0
	[ "$(id -u)" = 0 ] || th_skip_all "needs root (private mount and network namespaces)"
	command -v unshare >/dev/null 2>&1 || th_skip_all "unshare (util-linux) not installed"
	unshare --mount --net --propagation private true 2>/dev/null ||
		th_skip_all "cannot create mount/network namespaces here"
	SE_IN_NS=1 exec unshare --mount --net --propagation private bash "$0" "$@"
}

se_setup() {
	[ "${SE_IN_NS:-0}" = 1 ] || th_bail "se_enter_ns was not called"
	ip link set lo up 2>/dev/null || th_bail "cannot bring up loopback in the namespace"
	mount -t tmpfs -o mode=0755 tmpfs /run || th_bail "mount tmpfs /run"
	mount -t tmpfs -o mode=0755 tmpfs /var/cache || th_bail "mount tmpfs /var/cache"
	mkdir -p /run/socialhub "$SE_CACHE_DIR"
	# nginx workers run as nobody (master is root): the cache is theirs.
	chown nobody "$SE_CACHE_DIR" 2>/dev/null || chmod 0777 "$SE_CACHE_DIR"
	# shellcheck disable=SC2034 # read by lib.sh (th_write_config)
	TH_SOCK=$SE_SOCK
}

se_start_nginx() {
	local p=$TH_DIR/nginx extra=${1:-}
	th_nginx_conf "$p" "    access_log $p/access.log;
    include $SE_CACHE_CONF;
    server {
        listen 127.0.0.1:$TH_PORT;
        server_name 127.0.0.1;
        root $p/html;
        include $SE_SNIPPET;
$extra
    }"
	# The snippet says "include fastcgi_params": relative to the conf dir.
	ln -sf /etc/nginx/fastcgi_params "$p/conf/fastcgi_params"
	th_run_nginx "$p" "$TH_PORT" || return 1
	# shellcheck disable=SC2034 # lib.sh's name for the test's nginx
	TH_NGINX_PID=$TH_LAST_PID
}

#!/bin/sh
# render-snippet.sh: the shipped nginx files with their EDIT points filled
# in, for a set-up whose paths differ from the packaged ones (the demo, the
# tests, a private prefix). Writes OUTDIR/socialhub.conf and
# OUTDIR/socialhub-cache.conf; fails, naming the EDIT point, when one of the
# given values no longer has a place to go (the snippet changed).
#
#   render-snippet.sh OUTDIR [socket=PATH] [embed=DIR] [app=HOST:PORT]
#                            [login=PATH] [cache=DIR] [params=FILE]
#
#   socket  the FastCGI socket        (/run/socialhub/socialhub.sock)
#   embed   the embed bundle folder   (/usr/share/socialhub/embed)
#   app     the members-only example  (127.0.0.1:8000)
#   login   where a 401 sends to sign in (/social/auth/login)
#   cache   the nginx cache folder    (/var/cache/nginx/socialhub)
#   params  the fastcgi_params file   (fastcgi_params, next to nginx.conf)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [key=value]..." >&2; exit 2; }
out=$1
shift
snippet=$here/socialhub.conf cachefile=$here/socialhub-cache.conf
mkdir -p "$out"
conf_sed=$out/.conf.sed cache_sed=$out/.cache.sed checks=$out/.checks
: >"$conf_sed"
: >"$cache_sed"
: >"$checks"
trap 'rm -f "$conf_sed" "$cache_sed" "$checks"' EXIT

# sed_escape S: S with \ | & escaped for the two sides of s|...|...|.
sed_escape() {
	printf '%s' "$1" | sed -e 's/[\\|&.[*^$]/\\&/g'
}

# add conf|cache OLD NEW: one substitution and the text that must show it.
add() {
	printf 's|%s|%s|\n' "$(sed_escape "$2")" "$(printf '%s' "$3" | sed -e 's/[\\|&]/\\&/g')" \
		>>"$out/.$1.sed"
	printf '%s\t%s\n' "$1" "$3" >>"$checks"
}

for kv in "$@"; do
	v=${kv#*=}
	case $kv in
	socket=*) add conf "unix:/run/socialhub/socialhub.sock;" "unix:$v;" ;;
	embed=*) add conf "alias /usr/share/socialhub/embed/" "alias ${v%/}/" ;;
	app=*) add conf "proxy_pass http://127.0.0.1:8000;" "proxy_pass http://$v;" ;;
	login=*) add conf "return 302 /social/auth/login?" "return 302 $v?" ;;
	cache=*) add cache "/var/cache/nginx/socialhub" "$v" ;;
	params=*) add conf "include fastcgi_params;" "include $v;" ;;
	*) echo "$0: unknown setting '$kv'" >&2; exit 2 ;;
	esac
done
sed -f "$conf_sed" "$snippet" >"$out/socialhub.conf"
sed -f "$cache_sed" "$cachefile" >"$out/socialhub-cache.conf"
while IFS='	' read -r file want; do
	f=$out/socialhub.conf
	[ "$file" = cache ] && f=$out/socialhub-cache.conf
	grep -qF -- "$want" "$f" || {
		echo "$0: no EDIT point took '$want' in ${f##*/}: deploy/nginx changed" >&2
		exit 1
	}
done <"$checks"

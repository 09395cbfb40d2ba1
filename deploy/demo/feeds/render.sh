#!/bin/sh
# render.sh: fills in the demo feed templates.
#
# Usage: render.sh SRC DEST ORIGIN [NOW]
#   SRC     this folder (templates and img/)
#   DEST    where the filled-in feeds go (created), img/ copied along
#   ORIGIN  the demo's own origin, e.g. http://127.0.0.1:8080 (image URLs)
#   NOW     Unix time the dates count back from (default: now)
#
# Tokens: @ORIGIN@; @RFC822:N@ and @RFC3339:N@ are the date N seconds
# before NOW, so the demo stream always looks recent.
set -eu
src=$1 dest=$2 origin=$3 now=${4:-$(date +%s)}
mkdir -p "$dest/img"
cp "$src"/img/* "$dest/img/"
for f in "$src"/*.rss "$src"/*.atom "$src"/*.json; do
	[ -e "$f" ] || continue
	script=$(mktemp)
	printf 's|@ORIGIN@|%s|g\n' "$origin" >"$script"
	for tok in $(grep -o '@RFC822:[0-9]*@\|@RFC3339:[0-9]*@' "$f" | sort -u); do
		n=${tok#*:}
		n=${n%@}
		case $tok in
		@RFC822:*) d=$(LC_ALL=C date -u -d "@$((now - n))" '+%a, %d %b %Y %H:%M:%S +0000') ;;
		*) d=$(date -u -d "@$((now - n))" '+%Y-%m-%dT%H:%M:%S+00:00') ;;
		esac
		printf 's|%s|%s|g\n' "$tok" "$d" >>"$script"
	done
	sed -f "$script" "$f" >"$dest/$(basename "$f")"
	rm -f "$script"
done

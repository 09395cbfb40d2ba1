# lib.sh: helpers shared by snapshot.sh and routes.sh (sourced).
# shellcheck shell=bash

# window_sed FIRST LAST FORMAT TOKEN: prints a sed script that replaces the
# time stamps of the seconds FIRST..LAST (Unix time) written in FORMAT with
# TOKEN:
#   epoch    a whole number of seconds (word-delimited), matched per 10 s
#   rfc3339  2026-12-06T14:53:50Z, matched per whole minute
#   httpdate Sun, 06 Dec 2026 14:53:50 GMT, matched per whole minute
# so the window is widened to whole minutes (10 s for epoch) at both ends,
# which keeps the script short however long the run. Only stamps of the run
# itself can fall in it: dates that come from the inputs (feeds, fixtures)
# are years in the past.
window_sed() {
	local first=$1 last=$2 fmt=$3 token=$4 s
	case $fmt in
	epoch)
		for ((s = first / 10; s <= last / 10; s++)); do
			printf 's/\\<%d[0-9]\\>/%s/g\n' "$s" "$token"
		done
		;;
	rfc3339 | httpdate)
		for ((s = first / 60 * 60; s <= last; s += 60)); do
			printf '@%d\n' "$s"
		done | if [ "$fmt" = rfc3339 ]; then
			LC_ALL=C date -u -f - '+s/%Y-%m-%dT%H:%M:[0-5][0-9]Z/'"$token"'/g'
		else
			LC_ALL=C date -u -f - '+s/%a, %d %b %Y %H:%M:[0-5][0-9] GMT/'"$token"'/g'
		fi
		;;
	esac
}

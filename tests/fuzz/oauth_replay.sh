#!/bin/sh
# oauth_replay.sh: replays the sign-on fuzz targets over their corpora.
FUZZ_TARGETS="tests/fuzz/fuzz_jwt tests/fuzz/fuzz_oauth_cookie" \
	exec sh "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/fuzz/replay.sh"

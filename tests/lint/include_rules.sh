#!/bin/sh
# The include rules by folder and no include cycles (include_rules.py), as a
# make check test.
exec python3 "${top_srcdir:-$(dirname "$0")/../..}/tests/lint/include_rules.py" "${top_srcdir:-$(dirname "$0")/../..}"

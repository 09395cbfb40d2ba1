#!/bin/sh
# lint.sh SRCDIR — the house rules a compiler does not check (`make lint`):
#  1. banned functions (unbounded or unchecked: strcpy, strcat, sprintf,
#     vsprintf, gets, atoi, atol, atoll, strtok, tmpnam, mktemp) in any
#     C file of ours: each use is listed and fails the run;
#  2. functions longer than 80 lines: listed, longest first (a list to
#     work down, not a failure);
#  3. an assignment or a call that allocates inside a jansson type macro
#     (json_is_object(x = json_loadb(...))): the macros name their argument
#     twice, so the call runs twice and the first result leaks;
#  4. the include rules by folder and include cycles (include_rules.py).
# Comments and string literals are not searched for banned names.
# Exit status: 1 when a banned function is used or an include rule broken.
set -u
top=${1:-.}
cd "$top" || exit 2
files=$(find util fcgi oauth widgets -name '*.[ch]' ! -name embed_assets.c | sort)
status=0

banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|tmpnam|mktemp'
# Strip /* */ comments and "..." strings, then look for NAME( not preceded
# by an identifier character, '.' or '>' (a member called the same).
hits=$(for f in $files; do
	awk -v f="$f" -v re="(^|[^A-Za-z0-9_.>])($banned)[ \t]*\\(" '
	{
		line = $0
		out = ""
		while (length(line) > 0) {
			if (incomment) {
				e = index(line, "*/")
				if (e == 0) { line = ""; break }
				line = substr(line, e + 2); incomment = 0; continue
			}
			c = index(line, "/*"); q = index(line, "\"")
			if (c > 0 && (q == 0 || c < q)) {
				out = out substr(line, 1, c - 1); line = substr(line, c + 2)
				incomment = 1; continue
			}
			if (q > 0) {
				out = out substr(line, 1, q - 1); line = substr(line, q + 1)
				while (match(line, /^([^"\\]|\\.)*"/)) { line = substr(line, RLENGTH + 1); break }
				continue
			}
			out = out line; line = ""
		}
		sub(/\/\/.*/, "", out)
		if (out ~ re)
			printf "%s:%d: %s\n", f, NR, $0
	}' "$f"
done)
if [ -n "$hits" ]; then
	echo "lint: banned functions (use buf_*, snprintf, strtol with checks):"
	echo "$hits"
	status=1
else
	echo "lint: no banned functions"
fi

# jansson's json_is_*() expand their argument twice.
twice=$(perl -ne 'while (/json_is_\w+(\((?:[^()]++|(?1))*\))/g) {
	my $arg = $1;
	print "$ARGV:$.: $_" if $arg =~ /[^=!<>]=[^=]|json_load|json_pack|_new\(/;
} close ARGV if eof' $files)
if [ -n "$twice" ]; then
	echo "lint: side effects inside a json_is_*() macro (evaluated twice):"
	echo "$twice"
	status=1
else
	echo "lint: no side effects inside json_is_*()"
fi

# Function bodies: a line "{" at column 0 after a definition's name line,
# to the next "}" at column 0.
long=$(for f in $files; do
	case $f in *.c) ;; *) continue ;; esac
	awk -v f="$f" '
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = NR; next }
	/^\{/ && start { open = NR; next }
	/^\}/ && open { n = NR - open - 1; if (n > 80) printf "%5d %s:%d %s\n", n, f, start, name; open = 0; start = 0 }
	' "$f"
done | sort -rn)
if [ -n "$long" ]; then
	echo "lint: functions over 80 lines (body lines, file:line, name):"
	echo "$long"
else
	echo "lint: no function over 80 lines"
fi

if command -v python3 >/dev/null 2>&1; then
	python3 "$(dirname "$0")/include_rules.py" . || status=1
fi
exit $status

#!/usr/bin/env python3
"""include_rules: the layout's include rules, checked on the source tree.

Each folder may include only the folders its README names (and itself):

  util/             nothing of ours (libc and third-party headers)
  widgets/feeds/    util/
  widgets/streams/  widgets/feeds/, util/
  widgets/share/    util/, the fcgi/ feature API
  widgets/          widgets/streams/, widgets/feeds/, util/, fcgi/ feature API
  oauth/            util/, the fcgi/ feature API
  fcgi/             util/; fcgi/main.c and fcgi/routes.c (the composition
                    root) also include the features' entry headers, and
                    fcgi/launcher.c the parse command's (feed_cli.h)

The fcgi/ feature API is what a feature plugs in with: request.h,
response.h, router.h, feature.h, config.h, metrics.h, cli.h, page.h,
admin.h (the admin shell: roles, CSRF, page frame).

And no include cycle between modules: a module is x.c with x.h and x_int.h
in one folder; an edge A -> B is a file of A including a header of B.

Usage: include_rules.py [SRCDIR]   (exit 1 with one line per violation)
"""
import os
import re
import sys

FCGI_API = {"fcgi/" + h for h in (
    "request.h", "response.h", "router.h", "feature.h", "config.h",
    "metrics.h", "cli.h", "page.h", "admin.h")}
FEATURE_ENTRIES = {"oauth/oauth.h", "widgets/widgets.h", "widgets/share/share.h",
                   "widgets/conn.h", "widgets/console.h", "widgets/feeds/feed_cli.h"}

# folder -> (allowed folders, allowed single headers)
RULES = {
    "util": ((), ()),
    "widgets/feeds": (("util",), ()),
    "widgets/streams": (("widgets/feeds", "util"), ()),
    "widgets/share": (("util",), FCGI_API),
    "widgets": (("widgets/streams", "widgets/feeds", "util"), FCGI_API),
    "oauth": (("util",), FCGI_API),
    "fcgi": (("util",), ()),
}
ROOT_FILES = {"fcgi/main.c", "fcgi/routes.c", "fcgi/launcher.c"}
FOLDERS = sorted(RULES, key=len, reverse=True)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    for f in FOLDERS:
        if path.startswith(f + "/") and "/" not in path[len(f) + 1:]:
            return f
    return None


def module_of(path):
    base = os.path.splitext(path)[0]
    return base[:-4] if base.endswith("_int") else base


def sources(top):
    for f in FOLDERS:
        d = os.path.join(top, f)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                yield f + "/" + name


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = []
    edges = {}
    for path in sources(top):
        with open(os.path.join(top, path), encoding="utf-8") as fh:
            text = fh.read()
        folder = folder_of(path)
        dirs, headers = RULES[folder]
        for inc in INCLUDE.findall(text):
            if "/" not in inc:          # autoconf.h and generated headers
                continue
            target = folder_of(inc)
            if target is None:
                bad.append(f"{path}: includes {inc}, which is in no known folder")
                continue
            if target != folder:
                ok = target in dirs or inc in headers or \
                    (path in ROOT_FILES and (inc in FEATURE_ENTRIES or target == "fcgi"))
                if not ok:
                    bad.append(f"{path}: {folder}/ may not include {inc}")
            a, b = module_of(path), module_of(inc)
            if a != b:
                edges.setdefault(a, set()).add(b)
    bad.extend(cycles(edges))
    for line in bad:
        print(line)
    print(f"include_rules: {len(bad)} violation(s)")
    return 1 if bad else 0


def cycles(edges):
    """Every elementary cycle found by a depth-first search, once each."""
    found, seen = [], set()
    state = {}

    def visit(m, stack):
        state[m] = 1
        stack.append(m)
        for n in sorted(edges.get(m, ())):
            if state.get(n) == 1:
                cyc = stack[stack.index(n):]
                key = frozenset(cyc)
                if key not in seen:
                    seen.add(key)
                    found.append("include cycle: " + " -> ".join(cyc + [n]))
            elif n not in state:
                visit(n, stack)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m, [])
    return found


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""doc_config: the configuration examples of doc/*.md as configuration files,
for test_doc_config.sh.

Usage: doc_config.py DOCDIR OUTDIR KEYFILE

An example is a fenced block without a language that holds a section or an
assignment (a "{" and an "="); command lines, logs and layouts are not. One
that the document marks, between it and the example before it, with
"<!-- config: continues the example above" is read after that one. Each
becomes OUTDIR/N.conf, as an admin would paste it into a file that has what
it leaves out: a listen socket, the state and cache directories, site_url
and a session secret, each only when the example does not set it. Paths
under /etc/socialhub/ and /var/cache/socialhub move into OUTDIR, and every
file the example names there is created (a key made by `socialhub keygen`
for a *.key file, a random secret otherwise, mode 0600), as its comments
tell the admin to. "<socialhub keygen output>" is such a key.

Prints one line per example: N DOCFILE:LINE
"""
import os
import re
import secrets
import sys

FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```", re.S | re.M)
ETC = "/etc/socialhub/"
CACHE = "/var/cache/socialhub"
CONTINUES = "<!-- config: continues the example above"


def examples(docdir):
    for name in sorted(os.listdir(docdir)):
        if not name.endswith(".md"):
            continue
        path = os.path.join(docdir, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        last, last_end = None, 0
        for m in FENCE.finditer(text):
            body = m.group(2)
            if m.group(1) or "{" not in body or "=" not in body or body.startswith("/"):
                continue
            if last is not None and CONTINUES in text[last_end:m.start()]:
                body = last + body
            yield "doc/%s:%d" % (name, text.count("\n", 0, m.start()) + 1), body
            last, last_end = body, m.end()


def has(body, key):
    return re.search(r"^\s*%s\b" % re.escape(key), body, re.M) is not None


def make_files(body, etc, key):
    for rel in sorted(set(re.findall(re.escape(ETC) + r'([A-Za-z0-9._-]+)', body))):
        path = os.path.join(etc, rel)
        with open(path, "w", encoding="ascii") as f:
            f.write(key if rel.endswith(".key") else secrets.token_urlsafe(32) + "\n")
        os.chmod(path, 0o600)


def config(body, out, key):
    etc = os.path.join(out, "etc") + "/"
    base = ['listen = "unix:%s"' % os.path.join(out, "sock"), "workers = 1",
            'state_dir = "%s"' % os.path.join(out, "state")]
    if not has(body, "cache_dir"):
        base.append('cache_dir = "%s"' % os.path.join(out, "cache"))
    if not has(body, "site_url"):
        base.append('site_url = "https://www.example.com"')
    if not has(body, "session"):
        base.append('session { secret = "%s" }' % key.strip())
    make_files(body, etc, key)
    body = body.replace(ETC, etc).replace(CACHE, os.path.join(out, "cache"))
    body = body.replace("<socialhub keygen output>", key.strip())
    return "\n".join(base) + "\n" + body


def main(docdir, out, keyfile):
    with open(keyfile, encoding="ascii") as f:
        key = f.read()
    os.makedirs(os.path.join(out, "etc"), exist_ok=True)
    for d in ("state", "cache"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    for n, (where, body) in enumerate(examples(docdir), 1):
        with open(os.path.join(out, "%d.conf" % n), "w", encoding="utf-8") as f:
            f.write(config(body, out, key))
        print(n, where)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

#!/usr/bin/python3
"""doc_config: the configuration examples of doc/*.md and of the manual page
socialhub.conf(5) as configuration files, for test_doc_config.sh.

Usage: doc_config.py DOCDIR OUTDIR KEYFILE

An example is a fenced block without a language that holds a section or an
assignment (a "{" and an "="); command lines, logs and layouts are not. One
that the document marks, between it and the example before it, with
"<!-- config: continues the example above" is read after that one. Each
becomes OUTDIR/N.conf. In doc/socialhub.conf.5 every literal display
(".Bd -literal" to ".Ed") that holds an "=" is an example, with the same
marker as a roff comment ('.\\" config: continues the example above'),
and two more in roff comments right before the display: '.\\" config:
with TEXT' puts TEXT before the example (what the page's prose says must
be there, such as a provider section), and '.\\" config: not an example:
REASON' leaves it out, said as a skip. Each is written as an admin would
paste it into a file that has what
it leaves out: a listen socket, the state and cache directories, site_url
and a session secret, each only when the example does not set it. Paths
under /etc/socialhub/ and /var/cache/socialhub move into OUTDIR, and every
file the example names there is created (a key made by `socialhub keygen`
for a *.key file, a random secret otherwise, mode 0600), as its comments
tell the admin to. "<socialhub keygen output>" is such a key.

Prints one line per example: N DOCFILE:LINE, or - DOCFILE:LINE REASON for
one left out.
"""
import os
import re
import secrets
import subprocess
import sys

FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```", re.S | re.M)
LITERAL = re.compile(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed", re.S | re.M)
ETC = "/etc/socialhub/"
CACHE = "/var/cache/socialhub"
CONTINUES = "config: continues the example above"
ROFF_WITH = re.compile(r'^\.\\" config: with (.*)$', re.M)
ROFF_NOT = re.compile(r'^\.\\" config: not an example: (.*)$', re.M)


def roff_directives(text, start):
    """The '.\\" config:' comments right before a display at start: the
    lines to put before it, and the reason it is not an example (or
    None)."""
    lines = text[:start].split("\n")[:-1]
    head = []
    while lines and lines[-1].startswith('.\\" config: '):
        head.insert(0, lines.pop())
    block = "\n".join(head)
    skip = ROFF_NOT.search(block)
    return [m.group(1) for m in ROFF_WITH.finditer(block)], \
        skip.group(1) if skip else None


def blocks(name, text):
    """(offset, body) of each example in a document: the Markdown fences
    that hold a section and an assignment, the manual page's literal
    displays that hold an assignment."""
    if name.endswith(".md"):
        for m in FENCE.finditer(text):
            body = m.group(2)
            if m.group(1) or "{" not in body or "=" not in body or body.startswith("/"):
                continue
            yield m.start(), m.end(), body, None
    elif name == "socialhub.conf.5":
        for m in LITERAL.finditer(text):
            if "=" not in m.group(1):
                continue
            with_lines, skip = roff_directives(text, m.start())
            if skip is not None:
                yield m.start(), m.end(), None, skip
                continue
            yield m.start(), m.end(), "".join(w + "\n" for w in with_lines) + \
                m.group(1), None


def examples(docdir):
    for name in sorted(os.listdir(docdir)):
        path = os.path.join(docdir, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        last, last_end = None, 0
        for start, end, body, skip in blocks(name, text):
            where = "doc/%s:%d" % (name, text.count("\n", 0, start) + 1)
            if skip is not None:
                yield where, None, skip
                continue
            if last is not None and CONTINUES in text[last_end:start]:
                body = last + body
            yield where, body, None
            last, last_end = body, end


def has(body, key):
    return re.search(r"^\s*%s\b" % re.escape(key), body, re.M) is not None


def make_files(body, etc, key):
    for rel in sorted(set(re.findall(re.escape(ETC) + r'([A-Za-z0-9._-]+)', body))):
        path = os.path.join(etc, rel)
        if rel.endswith(".p8"):
            # Apple's key file: a P-256 key in PKCS#8 PEM.
            subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-out", path], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            with open(path, "w", encoding="ascii") as f:
                f.write(key if rel.endswith(".key") else secrets.token_urlsafe(32) + "\n")
        os.chmod(path, 0o600)


def config(body, out, key):
    etc = os.path.join(out, "etc") + "/"
    base = ['state_dir = "%s"' % os.path.join(out, "state")]
    if not has(body, "listen"):
        base.append('listen = "unix:%s"' % os.path.join(out, "sock"))
    if not has(body, "workers"):
        base.append("workers = 1")
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
    n = 0
    for where, body, skip in examples(docdir):
        if skip is not None:
            print("-", where, skip)
            continue
        n += 1
        with open(os.path.join(out, "%d.conf" % n), "w", encoding="utf-8") as f:
            f.write(config(body, out, key))
        print(n, where)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

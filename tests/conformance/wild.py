#!/usr/bin/python3
"""Wild feeds: ill-formed, real-world-shaped inputs (tests/fixtures/wild)
against their expected `socialhub parse` output and against feedparser.

Each tests/fixtures/wild/NAME.xml is a hand-written feed in the shape
broken feeds arrive in (white space or a PHP notice before the XML
declaration, unclosed inline HTML in a description, an unclosed header
tag, a stray windows-1252 byte in UTF-8); NAME.json is the JSON Feed
`socialhub parse` must print for it, exactly. When /usr/bin/python3 has
feedparser, every item feedparser finds must be found too (same count,
same ids), and titles must read the same (tags stripped, references
decoded, white space collapsed) wherever feedparser read the document in
the same charset.

Usage: wild.py [--update]   (--update rewrites the .json files)
Environment: SOCIALHUB (default ./socialhub, then <top_srcdir>/socialhub).
Exit 0 when every fixture passes, 1 otherwise.
"""
import glob
import html
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(TOP, 'tests', 'fixtures', 'wild')


def binary():
    for p in (os.environ.get('SOCIALHUB'), './socialhub',
              os.path.join(TOP, 'socialhub')):
        if p and os.access(p, os.X_OK):
            return p
    sys.exit('wild.py: no socialhub binary (set SOCIALHUB)')


def plain(s):
    s = re.sub(r'<[^>]*>', '', s or '')
    return ' '.join(html.unescape(s).split())


def check_feedparser(path, got):
    """Problems found comparing with feedparser, or None without it."""
    try:
        import feedparser
    except ImportError:
        return None
    d = feedparser.parse(path)
    items = got.get('items', [])
    problems = []
    if len(d.entries) != len(items):
        problems.append('feedparser finds %d items, socialhub %d' %
                        (len(d.entries), len(items)))
    fp_ids = [e.get('id') for e in d.entries]
    ids = [i.get('id') for i in items]
    if fp_ids != ids:
        problems.append('ids differ: %r vs %r' % (fp_ids, ids))
    ours = got.get('_socialhub', {}).get('encoding', '')
    if (d.get('encoding') or '').lower() == ours.lower():
        fp_titles = [plain(e.get('title')) for e in d.entries]
        titles = [plain(i.get('title')) for i in items]
        if fp_titles != titles:
            problems.append('titles differ: %r vs %r' % (fp_titles, titles))
        if plain(d.feed.get('title')) != plain(got.get('title')):
            problems.append('feed title differs: %r vs %r' %
                            (d.feed.get('title'), got.get('title')))
    return problems


def main():
    update = '--update' in sys.argv[1:]
    sh = binary()
    failed = 0
    cases = sorted(glob.glob(os.path.join(FIXTURES, '*.xml')))
    if not cases:
        sys.exit('wild.py: no fixtures in %s' % FIXTURES)
    for path in cases:
        name = os.path.basename(path)
        want_path = path[:-4] + '.json'
        r = subprocess.run([sh, 'parse', path], capture_output=True)
        if r.returncode != 0:
            print('FAIL %s: exit %d: %s' % (name, r.returncode,
                                            r.stderr.decode().strip()))
            failed += 1
            continue
        got = json.loads(r.stdout)
        if update:
            with open(want_path, 'w', encoding='utf-8') as f:
                f.write(r.stdout.decode())
        with open(want_path, encoding='utf-8') as f:
            want = json.load(f)
        problems = []
        if got != want:
            problems.append('output differs from %s' %
                            os.path.basename(want_path))
        fp = check_feedparser(path, got)
        problems += fp or []
        if problems:
            failed += 1
            for p in problems:
                print('FAIL %s: %s' % (name, p))
        else:
            print('ok   %s: %d items%s' % (name, len(got.get('items', [])),
                  '' if fp is not None else ' (no feedparser)'))
    print('wild: %d/%d fixtures pass' % (len(cases) - failed, len(cases)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

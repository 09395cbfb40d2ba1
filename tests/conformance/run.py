#!/usr/bin/python3
"""Conformance runner: feedparser's test corpus against `socialhub parse`.

Every corpus case states its expectation as a Python expression over
feedparser's result (`Expect: not bozo and feed['title'] == '...'`). This
runner keeps the cases whose expression compares the fields socialhub's
item model has (title, link, id, subtitle/description, summary, content,
author, entry dates), runs `socialhub parse` on the file, builds a
feedparser-shaped view of its JSON Feed output and evaluates the
expression against it. The mapping is documented in MAPPING below and in
REPORT.md.

Usage: run.py [--report FILE] [--verbose] [--update-baseline]
Environment: FEEDPARSER_CORPUS (default: tests/conformance/corpus, else <top_srcdir>/../shared/corpus/
feedparser), SOCIALHUB (the binary; default ./socialhub, then
<top_srcdir>/socialhub). Exit 0 when the pass count is at least the one
in baseline.txt, 1 on a regression, 77 (skip) without a corpus.
"""
import ast
import calendar
import concurrent.futures
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
# The corpus is vendored (BSD-2, its LICENSE beside it) so a clean clone
# runs it; FEEDPARSER_CORPUS points elsewhere, e.g. at a newer copy.
CORPUS = os.environ.get('FEEDPARSER_CORPUS') or next(
    (p for p in (os.path.join(HERE, 'corpus'),
                 os.path.join(TOP, '..', 'shared', 'corpus', 'feedparser'))
     if os.path.isdir(p)), os.path.join(HERE, 'corpus'))
BASELINE = os.path.join(HERE, 'baseline.txt')
DIRS = ['wellformed', 'illformed', 'encoding', 'entities', 'json']
# feedparser's own tests serve the corpus from here.
DOC_ROOT = 'http://127.0.0.1:8097/tests/'

MAPPING = """
| feedparser | socialhub JSON Feed 1.1 | compared as |
|---|---|---|
| `feed.title`, `feed.title_detail.value` | `title` | text |
| `feed.link` | `home_page_url` | exact |
| `feed.id` | `_socialhub.id` | exact |
| `feed.subtitle`, `tagline`, `description` (+ `_detail.value`) | `description` | text |
| `feed.author`, `author_detail.{name,email,href,url}`, `authors[i]` | `authors[]` (`name`, `_email`, `url`) | text / exact |
| `entries` (`len(entries)`) | `items` | |
| `entries[i].title`, `title_detail.value` | `items[i].title` | text |
| `entries[i].link` | `items[i].url` | exact |
| `entries[i].id`, `guid` | `items[i].id` | exact |
| `entries[i].summary`, `description` (+ `_detail.value`) | `summary` when the item has both a summary and a body, else the body (`content_html` / `content_text`) | text / HTML |
| `entries[i].content[0].value` | `content_html`, else `content_text` | HTML / exact |
| `entries[i].published`, `issued`, `created` (+ `_parsed`) | `date_published` (absent when `_socialhub.date_missing`) | instant |
| `entries[i].updated`, `modified`, `date` (+ `_parsed`) | `date_modified`, else `date_published` | instant |
| `entries[i].author`, `author_detail`, `authors[j]` | `items[i].authors[]` | text / exact |

* **text**: socialhub titles, summaries and feed descriptions are plain
  text by contract. An expected value that carries markup is reduced to its
  text the way a browser shows it (tags removed, script/style content
  dropped, references decoded); both sides have ASCII white-space runs
  collapsed and are trimmed.
* **HTML**: both sides are tokenized with Python's html.parser and compared
  as token streams: tag names, attribute sets (order-free; `<br/>` equals
  `<br>`; `rel`/`target` on links ignored, as socialhub sets them by
  policy; CSS declarations spaced alike), decoded text with white-space runs
  collapsed.
* **instant**: a string date is read with feedparser's own date parser and
  compared with ours as UTC seconds; a `*_parsed` 9-tuple is compared with
  `time.gmtime()` of ours.
* **author** strings are rebuilt feedparser's way: `name (email)`, or the
  one that exists.
* `bozo` terms are dropped from the expression (socialhub recovers silently;
  whether a document was well-formed is not part of the model). A case
  whose expression is only about `bozo`, `encoding`, `version`, HTTP
  headers or fields the model does not have (`tags`, `links`, `rights`,
  `generator`, `*_detail.type/base/language`, feed-level dates, ...) is out
  of scope and listed by reason.
* `Header: Content-Location` / `Content-type` lines become `--base` /
  `--content-type`; every case gets the document URL feedparser's test
  server would give it as its base.
"""

# ---- what the model maps ----

FEED_TEXT = {'title', 'subtitle', 'tagline', 'description'}
FEED_EXACT = {'link', 'id'}
ENTRY_TEXT = {'title'}
ENTRY_EXACT = {'link', 'id', 'guid'}
ENTRY_BODY = {'summary', 'description'}
ENTRY_DATES = {'published': 'pub', 'issued': 'pub', 'created': 'pub',
               'updated': 'upd', 'modified': 'upd', 'date': 'upd'}
PERSON_KEYS = {'name', 'email', 'href', 'url'}


class OutOfScope(Exception):
    pass


class Missing:
    """A mapped field our output does not have: equal to nothing."""

    def __eq__(self, other):
        # JSON Feed leaves empty values out: absent equals "".
        ok = isinstance(other, str) and norm_text(other) == ''
        Case.note('<missing>', other, ok)
        return ok

    def __ne__(self, other):
        return not self.__eq__(other)

    def __getitem__(self, k):
        return self

    def __getattr__(self, k):
        if k.startswith('__'):
            raise AttributeError(k)
        return self

    def __bool__(self):
        return False

    def __len__(self):
        return 0

    def __repr__(self):
        return '<missing>'

    __hash__ = None


MISSING = Missing()


class _Case(threading.local):
    """Comparison log of the case this thread evaluates (failure reasons);
    cases run in parallel threads, so the log is per thread."""
    log = None

    def note(self, ours, expected, ok):
        if self.log is not None:
            self.log.append((ours, expected, ok))


Case = _Case()


# ---- normalizers ----

WS = re.compile(r'[ \t\n\r\f]+')
HTMLISH = re.compile(r'</?[A-Za-z][^>]*>|&#?[A-Za-z0-9]+;')
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input',
        'link', 'meta', 'param', 'source', 'track', 'wbr'}


def collapse(s):
    return WS.sub(' ', s).strip()


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style'):
            self.skip += 1
        elif tag in ('br', 'p', 'div', 'li', 'tr', 'hr'):
            self.out.append(' ')

    def handle_endtag(self, tag):
        if tag in ('script', 'style') and self.skip:
            self.skip -= 1
        elif tag in ('p', 'div', 'li', 'tr'):
            self.out.append(' ')

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(s):
    p = _Text()
    p.feed(s)
    p.close()
    return ''.join(p.out)


def norm_text(s):
    if HTMLISH.search(s):
        s = html_to_text(s)
    return collapse(s)


def norm_style(v):
    decls = []
    for d in v.split(';'):
        if ':' not in d:
            continue
        k, _, val = d.partition(':')
        decls.append('%s: %s;' % (k.strip().lower(), collapse(val)))
    return ' '.join(decls)


class _Tokens(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.toks = []
        self.text = []

    def flush(self):
        t = collapse(''.join(self.text))
        if t:
            self.toks.append(('text', t))
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.flush()
        norm = []
        for k, v in attrs:
            if tag == 'a' and k in ('rel', 'target'):
                continue
            v = v or ''
            if k == 'style':
                v = norm_style(v)
            norm.append((k, v))
        self.toks.append(('start', tag, tuple(sorted(norm))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.toks.append(('end', tag))

    def handle_endtag(self, tag):
        self.flush()
        if tag not in VOID:
            self.toks.append(('end', tag))

    def handle_data(self, data):
        self.text.append(data)


def html_tokens(s):
    p = _Tokens()
    p.feed(s)
    p.close()
    p.flush()
    return p.toks


class TextValue(str):
    def __eq__(self, other):
        # feedparser's value may be text or HTML (its *_detail.type says
        # which); ours is text: equal to either reading.
        ok = isinstance(other, str) and (
            collapse(str(self)) == collapse(other) or
            collapse(str(self)) == norm_text(other))
        Case.note(str(self), other, ok)
        return ok

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class HtmlValue(str):
    def __eq__(self, other):
        ok = isinstance(other, str) and html_tokens(str(self)) == html_tokens(other)
        Case.note(str(self), other, ok)
        return ok

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class ExactValue(str):
    def __eq__(self, other):
        ok = isinstance(other, str) and str(self) == other
        Case.note(str(self), other, ok)
        return ok

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


def fp_parse_date(s):
    import feedparser.datetimes
    return feedparser.datetimes._parse_date(s)


class DateValue(str):
    """A date string: equal to any string that names the same instant."""

    def __new__(cls, ts):
        v = str.__new__(cls, time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(ts)))
        v.ts = ts
        return v

    def __eq__(self, other):
        ok = False
        if isinstance(other, str):
            t = fp_parse_date(other)
            ok = t is not None and calendar.timegm(t) == self.ts
        Case.note(str(self), other, ok)
        return ok

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class DateTuple(tuple):
    def __new__(cls, ts):
        return tuple.__new__(cls, tuple(time.gmtime(ts)))

    def __eq__(self, other):
        ok = tuple(self) == tuple(other) if isinstance(other, tuple) else False
        Case.note(tuple(self), other, ok)
        return ok

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = tuple.__hash__


# ---- a feedparser-shaped view of our output ----

def rfc3339(s):
    return calendar.timegm(time.strptime(s, '%Y-%m-%dT%H:%M:%SZ'))


def person_view(p):
    d = {}
    if p.get('name'):
        d['name'] = TextValue(p['name'])
    if p.get('_email'):
        d['email'] = ExactValue(p['_email'])
    if p.get('url'):
        d['href'] = d['url'] = ExactValue(p['url'])
    return View(d, PERSON_KEYS)


def author_string(p):
    name, email = p.get('name'), p.get('_email')
    if name and email:
        return TextValue('%s (%s)' % (name, email))
    if name or email:
        return TextValue(name or email)
    return MISSING


def persons(d, j):
    auth = j.get('authors') or []
    if auth:
        d['author'] = author_string(auth[0])
        d['author_detail'] = person_view(auth[0])
        d['authors'] = [person_view(p) for p in auth]


def detail(v):
    return View({'value': v}, {'value'})


class View(dict):
    """feedparser's FeedParserDict look: keys and attributes. A key the
    mapping covers but our output lacks is MISSING; any other key is out of
    scope (classified before evaluation, see scope())."""

    def __init__(self, d, allowed):
        super().__init__(d)
        self.allowed = allowed

    def __getitem__(self, k):
        if k in self:
            return dict.__getitem__(self, k)
        if k in self.allowed:
            return MISSING
        raise OutOfScope(k)

    def __getattr__(self, k):
        if k.startswith('__') or k == 'allowed':
            raise AttributeError(k)
        return self[k]


def feed_view(j):
    d = {}
    if j.get('title'):
        d['title'] = TextValue(j['title'])
        d['title_detail'] = detail(d['title'])
    if j.get('home_page_url'):
        d['link'] = ExactValue(j['home_page_url'])
    fid = (j.get('_socialhub') or {}).get('id')
    if fid:
        d['id'] = ExactValue(fid)
    if j.get('description'):
        for k in ('subtitle', 'tagline', 'description'):
            d[k] = TextValue(j['description'])
            d[k + '_detail'] = detail(d[k])
    persons(d, j)
    allowed = (FEED_TEXT | FEED_EXACT |
               {k + '_detail' for k in FEED_TEXT} |
               {'author', 'author_detail', 'authors'})
    return View(d, allowed)


def body_value(it):
    if it.get('content_html'):
        return HtmlValue(it['content_html'])
    if it.get('content_text'):
        return ExactValue(collapse(it['content_text']))
    return None


def entry_view(it):
    d = {}
    ext = it.get('_socialhub') or {}
    if it.get('title'):
        d['title'] = TextValue(it['title'])
        d['title_detail'] = detail(d['title'])
    if it.get('url'):
        d['link'] = ExactValue(it['url'])
    if it.get('id') and not it['id'].startswith('hash:'):
        d['id'] = d['guid'] = ExactValue(it['id'])
    body = body_value(it)
    if it.get('summary'):
        summ = TextValue(it['summary'])
    else:
        summ = body
    if summ is not None:
        for k in ENTRY_BODY:
            d[k] = summ
            d[k + '_detail'] = detail(summ)
    if body is not None:
        d['content'] = [View({'value': body}, {'value'})]
    pub = None
    if it.get('date_published') and not ext.get('date_missing'):
        pub = rfc3339(it['date_published'])
    upd = rfc3339(it['date_modified']) if it.get('date_modified') else pub
    for k, which in ENTRY_DATES.items():
        ts = pub if which == 'pub' else upd
        if ts is not None:
            d[k] = DateValue(ts)
            d[k + '_parsed'] = DateTuple(ts)
    persons(d, it)
    allowed = (ENTRY_TEXT | ENTRY_EXACT | ENTRY_BODY | {'content'} |
               {k + '_detail' for k in ENTRY_TEXT | ENTRY_BODY} |
               set(ENTRY_DATES) | {k + '_parsed' for k in ENTRY_DATES} |
               {'author', 'author_detail', 'authors'})
    return View(d, allowed)


# ---- static scope check of an expression ----

NAMES_OK = {'feed', 'entries', 'len', 'ord', 'True', 'False', 'None'}
DETAIL_KEYS = {'value'}


def is_bozo(node):
    return any(isinstance(n, ast.Name) and n.id.startswith('bozo')
               for n in ast.walk(node))


def strip_bozo(tree):
    """Drops the bozo terms of a top-level `and`; None if nothing is left."""
    body = tree.body
    if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
        vals = [v for v in body.values if not is_bozo(v)]
        if not vals:
            return None
        body = vals[0] if len(vals) == 1 else ast.BoolOp(op=ast.And(), values=vals)
    elif is_bozo(body):
        return None
    return ast.fix_missing_locations(ast.Expression(body=body))


def key_of(node):
    """The key of a subscript/attribute step, or None for an index."""
    if isinstance(node, ast.Attribute):
        return node.attr
    sl = node.slice
    if isinstance(sl, ast.Index):  # Python < 3.9
        sl = sl.value
    if isinstance(sl, ast.Constant):
        return sl.value if isinstance(sl.value, str) else None
    return '?'


def chain(node):
    """Root name and the list of steps of feed[...].x[...]."""
    steps = []
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        steps.append(key_of(node))
        node = node.value
    steps.reverse()
    return (node.id if isinstance(node, ast.Name) else None), steps


def check_steps(root, steps):
    """None when the access chain is mapped, else the reason."""
    if root == 'entries':
        if not steps:
            return None
        if steps[0] is not None:
            return 'entries.%s' % steps[0]
        steps = steps[1:]
        text, exact, body = ENTRY_TEXT, ENTRY_EXACT, ENTRY_BODY
        dates = set(ENTRY_DATES) | {k + '_parsed' for k in ENTRY_DATES}
    else:
        text, exact, body = FEED_TEXT, FEED_EXACT, set()
        dates = set()
    if not steps:
        return None
    k = steps[0]
    rest = steps[1:]
    if k in text | exact | body | dates:
        if k.endswith('_parsed') and rest:
            return 'index into %s' % k
        return None if not rest else '%s.%s' % (k, rest[0])
    if k.endswith('_detail') and k[:-7] in text | body:
        if not rest:
            return None
        return None if rest[0] in DETAIL_KEYS else '%s.%s' % (k, rest[0])
    if k == 'content' and root == 'entries':
        if len(rest) >= 1 and rest[0] is None:
            if len(rest) == 1 or rest[1] == 'value':
                return None
            return 'content.%s' % rest[1]
        return 'content'
    if k in ('author', 'author_detail', 'authors'):
        if k == 'author':
            return None if not rest else 'author.%s' % rest[0]
        if k == 'authors':
            rest = rest[1:] if rest and rest[0] is None else rest
        if not rest or rest[0] in PERSON_KEYS:
            return None
        return '%s.%s' % (k, rest[0])
    return '%s.%s' % (root, k)


def scope(expr):
    """(None, tree) when in scope, else (reason, None)."""
    tree = ast.parse(expr, mode='eval')
    tree = strip_bozo(tree)
    if tree is None:
        return 'only bozo', None
    fields = 0
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id not in NAMES_OK:
            return 'uses %s' % n.id, None
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            return 'calls .%s()' % n.func.attr, None
        if isinstance(n, ast.Compare) and any(
                isinstance(o, (ast.In, ast.NotIn)) for o in n.ops):
            return 'membership test', None
    inner = {id(n.value) for n in ast.walk(tree)
             if isinstance(n, (ast.Subscript, ast.Attribute))}
    for n in ast.walk(tree):
        # Whole access chains only (feed['a']['b'], not feed['a'] in it).
        if isinstance(n, (ast.Subscript, ast.Attribute)) and id(n) not in inner:
            root, steps = chain(n)
            if root not in ('feed', 'entries'):
                continue
            why = check_steps(root, steps)
            if why is not None:
                return 'unmapped %s' % why, None
            if steps:
                fields += 1
    if not fields:
        return 'no field compared', None
    return None, tree


# ---- corpus cases ----

def decode(raw):
    if raw[:4] in (b'\x00\x00\xfe\xff', b'\x00\x00\x00<'):
        return raw.decode('utf-32-be', 'replace')
    if raw[:4] in (b'\xff\xfe\x00\x00', b'<\x00\x00\x00'):
        return raw.decode('utf-32-le', 'replace')
    if raw[:2] == b'\xfe\xff' or raw[:2] == b'\x00<':
        return raw.decode('utf-16-be', 'replace')
    if raw[:2] == b'\xff\xfe' or raw[:2] == b'<\x00':
        return raw.decode('utf-16-le', 'replace')
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('latin-1')


def case_meta(path):
    raw = open(path, 'rb').read()
    text = decode(raw)
    if path.endswith('.json'):
        try:
            text = json.loads(raw).get('__TEST__', '')
        except ValueError:
            return None
        # One line: "Description: ... Expect: ... -->".
        text = re.sub(r'\s*-->\s*$', '', text)
        text = re.sub(r'\s+(Expect|Header|SkipUnless):', r'\n\1:', text)
    m = re.search(r'<!--(.*?)-->', text, re.S)
    head = m.group(1) if m else text
    meta = {'headers': {}}
    for line in head.splitlines():
        mm = re.match(r'\s*(Description|Expect|Header|SkipUnless):\s*(.*?)\s*$', line)
        if not mm:
            continue
        k, v = mm.groups()
        if k == 'Header':
            hk, _, hv = v.partition(':')
            meta['headers'][hk.strip().lower()] = hv.strip()
        else:
            meta[k.lower()] = v
    return meta


def socialhub_bin():
    cands = [os.environ.get('SOCIALHUB'), os.path.join(os.getcwd(), 'socialhub'),
             os.path.join(TOP, 'socialhub')]
    for c in cands:
        if c and os.access(c, os.X_OK):
            return c
    return None


def run_case(binary, rel, path, meta):
    url = DOC_ROOT + rel
    loc = meta['headers'].get('content-location')
    base = urllib.parse.urljoin(url, loc) if loc else url
    cmd = [binary, 'parse', '--compact', '--base', base]
    ct = meta['headers'].get('content-type')
    if ct:
        cmd += ['--content-type', ct]
    cmd.append(path)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        return None, p.stderr.decode('utf-8', 'replace').strip()
    return json.loads(p.stdout), None


def evaluate(tree, out):
    ns = {'feed': feed_view(out), 'entries': [entry_view(i) for i in out.get('items', [])],
          'len': len, 'ord': ord, '__builtins__': {}}
    Case.log = []
    try:
        ok = bool(eval(compile(tree, '<expect>', 'eval'), ns))
    except IndexError:
        ok = False
        Case.log.append(('(fewer entries)', '', False))
    except (TypeError, ValueError) as e:
        ok = False
        Case.log.append(('(%s)' % e, '', False))
    log, Case.log = Case.log, None
    return ok, log


def reason_of(log):
    for ours, exp, ok in log:
        if not ok:
            return 'expected %s, got %s' % (short(exp), short(ours))
    return 'expression false'


def short(v, n=160):
    s = repr(v)
    return s if len(s) <= n else s[:n] + '...'


def collect():
    cases = []
    for d in DIRS:
        top = os.path.join(CORPUS, d)
        for root, _, files in os.walk(top):
            for f in sorted(files):
                path = os.path.join(root, f)
                rel = os.path.relpath(path, CORPUS)
                cases.append((rel, path))
    cases.sort()
    return cases


def one(binary, rel, path):
    meta = case_meta(path)
    if meta is None or 'expect' not in meta:
        return rel, 'skip', 'no Expect line', None
    if 'skipunless' in meta:
        try:
            eval(meta['skipunless'])
        except Exception:
            return rel, 'skip', 'SkipUnless failed', None
    try:
        why, tree = scope(meta['expect'])
    except SyntaxError:
        return rel, 'skip', 'unreadable Expect', None
    if why is not None:
        return rel, 'skip', why, None
    out, err = run_case(binary, rel, path, meta)
    if out is None:
        return rel, 'fail', 'parse failed: %s' % err, meta['expect']
    ok, log = evaluate(tree, out)
    if ok:
        return rel, 'pass', '', meta['expect']
    return rel, 'fail', reason_of(log), meta['expect']


# Failures explained by a deliberate policy, by file name.
POLICY = [
    (r'namespace/.*(svg|mathml|xlink)', 'policy: SVG and MathML are dropped with their content'),
    (r'sanitize/acceptable_attribute_', 'policy: the sanitizer keeps fewer attributes than feedparser (no id/name/class, form, event-ish or URL-bearing legacy attributes)'),
    (r'sanitize/acceptable_element_', 'policy: the sanitizer drops this element (form controls, legacy or interactive elements)'),
]


# Failures where socialhub follows what a browser does (or a rule of the
# format) and feedparser does not.
KNOWN = [
    (r'_crazy\.xml$', 'browser semantics: `<script` whose attributes run over several lines still opens a script element; its content is not text'),
    (r'_iframe\.xml$', 'browser semantics: what an iframe holds is never shown; dropped with the element'),
    (r'xml_malicious_comment', 'browser semantics: `<!-- -- x >` does not close the comment, so the rest is comment'),
    (r'not_a_doctype2|xml_declaration_unexpected', 'browser semantics: `<!DOCTYPE` in a fragment is markup, not text'),
    (r'item_description_not_a_doctype\.xml', 'policy: relative links are made absolute (and the unclosed `<a>` is closed)'),
    (r'base/http_(entry|feed)_id_base', 'ids are compared as strings, never resolved as URLs (RFC 4287 4.2.6); feedparser resolves them'),
    (r'bozo_linenoise', 'undecodable bytes: ours keeps the valid UTF-8 and reads each stray byte as windows-1252, feedparser\'s is its own lossy recovery'),
]


def policy_of(rel):
    for pat, why in POLICY + KNOWN:
        if re.search(pat, rel):
            return why
    return None


def kind_of(rel):
    if any(re.search(pat, rel) for pat, _ in POLICY) or re.search(
            r'not_a_doctype\.xml', rel):
        return 'policy'
    if any(re.search(pat, rel) for pat, _ in KNOWN):
        return 'known'
    return None
    for pat, why in POLICY:
        if re.search(pat, rel):
            return why
    return None


# wild_diff.py owns this section of REPORT.md, from its heading to the end.
WILD_SECTION = '## Real-world-style feeds: differential run'


def write_report(path, results, counts):
    ins = counts['pass'] + counts['fail']
    try:
        old = open(path, encoding='utf-8').read()
    except OSError:
        old = ''
    wild = old[old.index(WILD_SECTION):] if WILD_SECTION in old else ''
    with open(path, 'w', encoding='utf-8') as f:
        f.write('# Conformance with the feedparser corpus\n\n')
        f.write('Generated by `tests/conformance/run.py --report`; the '
                'corpus is feedparser\'s (BSD-2-Clause) test suite.\n\n')
        f.write('| | cases |\n|---|---|\n')
        f.write('| corpus files | %d |\n' % len(results))
        f.write('| in scope (compare mapped fields) | %d |\n' % ins)
        f.write('| **pass** | **%d (%.1f %%)** |\n' % (
            counts['pass'], 100.0 * counts['pass'] / max(ins, 1)))
        f.write('| fail | %d |\n' % counts['fail'])
        f.write('| out of scope | %d |\n\n' % counts['skip'])
        fails = [r for r in results if r[1] == 'fail']
        pol = sum(1 for r in fails if kind_of(r[0]) == 'policy')
        sem = sum(1 for r in fails if kind_of(r[0]) == 'known')
        f.write('Of the %d failures, %d follow from the sanitizer policy '
                '(doc/feeds.md: fewer attributes, no SVG/MathML, absolute '
                'links), %d from socialhub reading markup and ids as a browser '
                'and RFC 4287 do, and %d are unexplained.\n\n'
                % (len(fails), pol, sem, len(fails) - pol - sem))
        f.write('## By folder\n\n| folder | pass | fail | out of scope |\n|---|---|---|---|\n')
        by = {}
        for rel, st, _, _ in results:
            k = '/'.join(rel.split('/')[:2]) if rel.startswith('wellformed') else rel.split('/')[0]
            by.setdefault(k, {'pass': 0, 'fail': 0, 'skip': 0})[st] += 1
        for k in sorted(by):
            v = by[k]
            f.write('| %s | %d | %d | %d |\n' % (k, v['pass'], v['fail'], v['skip']))
        f.write('\n## Mapping\n%s\n' % MAPPING)
        f.write('## Failures\n\n')
        for rel, st, why, expect in results:
            if st != 'fail':
                continue
            pw = policy_of(rel)
            f.write('- `%s`: %s%s\n' % (rel, (pw + '; ') if pw else '', why.replace('|', '\\|')))
        f.write('\n## Out of scope, by reason\n\n| reason | cases |\n|---|---|\n')
        reasons = {}
        for rel, st, why, _ in results:
            if st == 'skip':
                reasons[why] = reasons.get(why, 0) + 1
        for why, n in sorted(reasons.items(), key=lambda x: (-x[1], x[0])):
            f.write('| %s | %d |\n' % (why.replace('|', '\\|'), n))
        if wild:
            f.write('\n' + wild)


def main(argv):
    report = None
    verbose = '--verbose' in argv
    if '--report' in argv:
        report = argv[argv.index('--report') + 1]
    if not os.path.isdir(CORPUS):
        print('SKIP: no feedparser corpus at %s' % CORPUS)
        return 77
    binary = socialhub_bin()
    if binary is None:
        print('FAIL: socialhub binary not found (set SOCIALHUB)')
        return 1
    try:
        import feedparser.datetimes  # noqa: F401 (for date comparisons)
    except ImportError:
        print('SKIP: /usr/bin/python3 has no feedparser module')
        return 77
    cases = collect()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        results = list(ex.map(lambda c: one(binary, c[0], c[1]), cases))
    counts = {'pass': 0, 'fail': 0, 'skip': 0}
    for rel, st, why, _ in results:
        counts[st] += 1
        if verbose and st == 'fail':
            print('FAIL %s: %s' % (rel, why))
    ins = counts['pass'] + counts['fail']
    print('conformance: %d/%d in-scope cases pass (%.1f %%), %d out of scope, %d files'
          % (counts['pass'], ins, 100.0 * counts['pass'] / max(ins, 1),
             counts['skip'], len(results)))
    if report:
        write_report(report, results, counts)
    if '--update-baseline' in argv:
        with open(BASELINE, 'w') as f:
            f.write('%d\n' % counts['pass'])
    try:
        base = int(open(BASELINE).read().split()[0])
    except (OSError, ValueError, IndexError):
        base = 0
    if counts['pass'] < base:
        print('FAIL: %d cases pass, below the baseline of %d' % (counts['pass'], base))
        return 1
    print('PASS: at or above the baseline of %d' % base)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

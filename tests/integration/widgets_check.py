#!/usr/bin/python3
"""widgets_check.py: checks of the stream outputs for test_widgets.sh.

Run with Debian's /usr/bin/python3 (feedparser). Each sub-command prints
"ok" or a reason and exits 0 or 1.

  jsonfeed FILE            JSON Feed 1.1 rules (required fields and types)
  as2 FILE                 ActivityStreams 2.0 page: @context, type, orderedItems
  atom ATOM JSON           Atom parses (feedparser) to the titles and links of JSON
  walk URL LIMIT           follows next_url from URL?limit=LIMIT to the end; the
                           ids equal one page of limit=100, no duplicates, no gaps
  images ORIGIN FILE...    every image URL in the files is ORIGIN/social/media/ID
  safe FILE...             HTML with no script-capable markup: no script, svg,
                           iframe, style... elements, no on* or style
                           attributes, links only http(s) and mailto
"""
import json
import re
import sys
import urllib.request

RFC3339 = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$')
ITEM_KEYS = {'id', 'url', 'external_url', 'title', 'content_html', 'content_text',
             'summary', 'image', 'banner_image', 'date_published', 'date_modified',
             'authors', 'author', 'tags', 'language', 'attachments'}
FEED_KEYS = {'version', 'title', 'home_page_url', 'feed_url', 'description',
             'user_comment', 'next_url', 'icon', 'favicon', 'authors', 'author',
             'language', 'expired', 'hubs', 'items'}


class Bad(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Bad(why)


def opt_str(o, key, where):
    need(key not in o or isinstance(o[key], str), f'{where}: {key} must be a string')


def check_author(a, where):
    need(isinstance(a, dict), f'{where}: author must be an object')
    need(any(k in a for k in ('name', 'url', 'avatar')), f'{where}: author needs name, url or avatar')
    for k in ('name', 'url', 'avatar'):
        opt_str(a, k, where)


def jsonfeed(doc):
    need(isinstance(doc, dict), 'feed must be an object')
    need(doc.get('version') == 'https://jsonfeed.org/version/1.1', 'version must be 1.1')
    need(isinstance(doc.get('title'), str), 'title is required (string)')
    need(isinstance(doc.get('items'), list), 'items is required (array)')
    for k in doc:
        need(k in FEED_KEYS or k.startswith('_'), f'unknown top-level key {k}')
    for k in ('home_page_url', 'feed_url', 'description', 'next_url', 'icon', 'favicon', 'language'):
        opt_str(doc, k, 'feed')
    for a in doc.get('authors', []):
        check_author(a, 'feed')
    ids = set()
    for i, it in enumerate(doc['items']):
        w = f'items[{i}]'
        need(isinstance(it, dict), f'{w} must be an object')
        need(isinstance(it.get('id'), str) and it['id'] != '', f'{w}: id is required (string)')
        need(it['id'] not in ids, f'{w}: duplicate id {it["id"]}')
        ids.add(it['id'])
        need(isinstance(it.get('content_html'), str) or isinstance(it.get('content_text'), str),
             f'{w}: content_html or content_text is required')
        for k in it:
            need(k in ITEM_KEYS or k.startswith('_'), f'{w}: unknown key {k}')
        for k in ('url', 'external_url', 'title', 'content_html', 'content_text', 'summary',
                  'image', 'banner_image', 'language'):
            opt_str(it, k, w)
        for k in ('date_published', 'date_modified'):
            if k in it:
                need(isinstance(it[k], str) and RFC3339.match(it[k]), f'{w}: {k} is not RFC 3339')
        need(isinstance(it.get('authors', []), list), f'{w}: authors must be an array')
        for a in it.get('authors', []):
            check_author(a, w)
        need(isinstance(it.get('tags', []), list) and all(isinstance(t, str) for t in it.get('tags', [])),
             f'{w}: tags must be strings')
        for at in it.get('attachments', []):
            need(isinstance(at.get('url'), str) and isinstance(at.get('mime_type'), str),
                 f'{w}: attachment needs url and mime_type')
            for k in ('size_in_bytes', 'duration_in_seconds'):
                need(k not in at or isinstance(at[k], (int, float)), f'{w}: {k} must be a number')


def as2(doc):
    need(doc.get('@context') == 'https://www.w3.org/ns/activitystreams', '@context')
    need(doc.get('type') == 'OrderedCollectionPage', 'type must be OrderedCollectionPage')
    need(isinstance(doc.get('id'), str), 'id')
    need(isinstance(doc.get('orderedItems'), list), 'orderedItems must be an array')
    for i, act in enumerate(doc['orderedItems']):
        need(act.get('type') == 'Create', f'orderedItems[{i}] must be a Create')
        obj = act.get('object', {})
        need(obj.get('type') in ('Note', 'Article', 'Video', 'Image'), f'orderedItems[{i}].object type')
        need(isinstance(act.get('actor'), dict), f'orderedItems[{i}].actor')


def atom(atom_path, json_path):
    import feedparser
    d = feedparser.parse(atom_path)
    need(not d.bozo, f'feedparser: {d.get("bozo_exception")}')
    need(d.version == 'atom10', f'version {d.version}')
    items = json.load(open(json_path))['items']
    need(len(d.entries) == len(items), f'{len(d.entries)} entries, {len(items)} items')
    for e, it in zip(d.entries, items):
        if 'title' in it:
            need(e.title == it['title'], f'title {e.title!r} != {it["title"]!r}')
        else:
            need(e.title != '', 'an entry without title')
        alt = [l.href for l in e.get('links', []) if l.rel == 'alternate']
        need(alt == ([it['url']] if 'url' in it else []), f'links {alt} != {it.get("url")}')


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def walk(url, limit):
    sep = '&' if '?' in url else '?'
    nxt = f'{url}{sep}limit={limit}'
    seen = []
    pages = 0
    while nxt:
        page = get(nxt)
        jsonfeed(page)
        pages += 1
        need(pages < 1000, 'paging does not end')
        need(len(page['items']) <= limit, 'page over the limit')
        if page.get('next_url'):
            need(len(page['items']) == limit, 'a short page before the last')
        seen += [it['id'] for it in page['items']]
        nxt = page.get('next_url')
    need(len(seen) == len(set(seen)), 'duplicates across pages')
    whole = [it['id'] for it in get(f'{url}{sep}limit=100')['items']]
    need(seen == whole, f'walk gave {len(seen)} ids, one page gives {len(whole)} (gap or order)')
    print(f'# {pages} pages, {len(seen)} items')


def images(origin, files):
    media = re.compile(re.escape(origin) + r'/social/media/[0-9a-f]{32}$')
    for f in files:
        text = open(f, encoding='utf-8').read()
        urls = re.findall(r'<img[^>]*\ssrc="([^"]*)"', text)
        urls += re.findall(r'(?:url|href)="([^"]*)"[^>]*type="image/', text)
        if f.endswith('.json') or f.endswith('.as2'):
            def walk_json(o, key=None):
                if isinstance(o, dict):
                    img = o.get('type') == 'Image' or str(o.get('mime_type', '')).startswith('image/')
                    for k, v in o.items():
                        if isinstance(v, str) and (k in ('image', 'banner_image', 'avatar', 'icon') or
                                                   (img and k == 'url')):
                            urls.append(v)
                        walk_json(v, k)
                elif isinstance(o, list):
                    for v in o:
                        walk_json(v, key)
            walk_json(json.load(open(f)))
            for o in re.findall(r'src=\\"([^"\\]*)', text):
                urls.append(o)
        for u in urls:
            need(media.match(u), f'{f}: image URL {u} is not our media proxy')


BANNED = {'script', 'svg', 'math', 'iframe', 'frame', 'object', 'embed', 'applet', 'style',
          'link', 'meta', 'base', 'form', 'input', 'button', 'textarea', 'select', 'video',
          'audio', 'source', 'template', 'noscript', 'xmp', 'portal'}


def safe(files):
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.bad = []

        def handle_starttag(self, tag, attrs):
            if tag in BANNED:
                self.bad.append(f'<{tag}>')
            for k, v in attrs:
                if k.startswith('on') or k in ('style', 'srcset', 'formaction', 'srcdoc'):
                    self.bad.append(f'<{tag} {k}=...>')
                if k in ('href', 'src', 'action', 'poster', 'background') and v is not None:
                    scheme = re.sub(r'[\x00-\x20]', '', v).lower().split(':', 1)
                    if len(scheme) == 2 and scheme[0] not in ('http', 'https', 'mailto') \
                            and '/' not in scheme[0]:
                        self.bad.append(f'<{tag} {k}="{v[:40]}">')

        handle_startendtag = handle_starttag

    for f in files:
        p = P()
        p.feed(open(f, encoding='utf-8').read())
        p.close()
        need(not p.bad, f'{f}: ' + ', '.join(p.bad[:8]))


def main(argv):
    try:
        cmd = argv[1]
        if cmd == 'jsonfeed':
            jsonfeed(json.load(open(argv[2])))
        elif cmd == 'as2':
            as2(json.load(open(argv[2])))
        elif cmd == 'atom':
            atom(argv[2], argv[3])
        elif cmd == 'walk':
            walk(argv[2], int(argv[3]))
        elif cmd == 'safe':
            safe(argv[2:])
        elif cmd == 'images':
            images(argv[2], argv[3:])
        else:
            raise Bad(f'unknown command {cmd}')
    except Bad as e:
        print(f'not ok: {e}')
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""feed_server: a hostile-on-purpose feed fixture for the streams tests.

Serves RSS feeds with ETags, Last-Modified, 304s, cache headers and delays,
and every failure the fetcher must survive: 429/503 + Retry-After, 500s,
redirect loops and redirects to file:// and gopher://, a 50 MB body, a gzip
bomb, a billion-laughs document, an XXE naming a local file, a slow-loris
body and a connection reset. Binds 127.0.0.1 (and optionally more loopback
addresses, for per-host limits) on one free port, writes "PORT\\n" to
--port-file when ready, logs every request as a JSON line to --log.

Routes (query parameters in brackets):
  /feed [id n etag lm maxage expires ttl delay pad gzip key vary img trickle]
        RSS 2.0 with n items "id-0".."id-(n-1)"; `img` an image enclosure
        (that URL) on every item; `etag` sends ETag and
        answers a matching If-None-Match with 304; `lm` the same with
        Last-Modified; `maxage` Cache-Control; `expires` Expires (now +
        seconds) with Date; `ttl` <ttl>; `delay` milliseconds; `pad` KiB of
        text per item; `gzip` compresses when asked; `key` consults the mode
        set by /_mode (ok, a status code such as 500, or a misbehaviour:
        timeout, reset, garbage, hang, big, bomb) and its version counter;
        `vary` changes the items on every request; `trickle` milliseconds
        sends the body slowly (512 bytes every 0.25 s, over the fetcher's
        low-speed limit).
  /_mode [key mode retry version]   sets the mode of a key (test control)
  /status [code retry]              any status, with Retry-After
  /redirect [to]                    302 to `to`
  /img                              a 1x1 PNG
  /loop [n]                         an endless redirect chain
  /big [mb nolen]                   mb MiB of XML (Content-Length unless nolen)
  /gzipbomb                         ~256 MiB of zeros gzip-compressed
  /laughs                           billion laughs
  /xxe [file]                       external entity naming a local file
  /slowloris                        headers, then one byte per second
  /reset                            TCP RST right after the request
  /blog                             an HTML home page whose <link rel=alternate>
                                    names /feed?id=blog&n=2 (discovery)
  /channel/UC...                    a YouTube-channel-shaped page (no feed link)
  /feeds/videos.xml [channel_id]    its Atom feed, 2 entries
  /@NAME [plain], /@NAME.rss        a Mastodon profile page (no feed link;
                                    marked as Mastodon's web app unless
                                    `plain`) and its RSS, 2 items
  /api/v1/instance                  Mastodon's instance API when /_mode
                                    key=instance mode=mastodon; mode=html:
                                    the site's HTML page (200); else 404
  /api/v1/accounts/lookup [acct]    a Mastodon account named acct
  /page [l]                         an HTML page naming each `l` (KIND:URL,
                                    KIND rss, atom or json) as a feed, in
                                    order
  /file [name]                      a file of --files DIR as it is (benchmarks:
                                    feeds from tests/bench/gen_feeds.py)
"""

import argparse
import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
import zlib
from email.utils import formatdate
from xml.sax.saxutils import quoteattr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BASE_TIME = 1700000000          # pubDate of item 0 (2023-11-14)
LAST_MODIFIED = formatdate(BASE_TIME, usegmt=True)

state_lock = threading.Lock()
modes = {}                      # key -> dict(mode, retry, version)
log_lock = threading.Lock()
log_file = None
files_dir = None                # --files: what /file serves
bomb_cache = {}


def q1(q, name, default=None):
    v = q.get(name)
    return v[0] if v else default


def png():
    """A valid 1x1 grey PNG."""
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 0, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(b'\x00\x80')) + chunk(b'IEND', b''))


def rss(items_id, n, ttl=None, pad_kib=0, version=0, img=None):
    pad = ("lorem ipsum dolor sit amet " * 40)[:1024] * pad_kib
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
           '<title>Fixture %s</title><link>http://fixture.invalid/%s</link>' % (items_id, items_id),
           '<description>fixture feed</description>']
    if ttl:
        out.append('<ttl>%s</ttl>' % ttl)
    enclosure = ''
    if img:
        enclosure = '<enclosure url=%s type="image/png" length="0"/>' % quoteattr(img)
    for i in range(n):
        t = formatdate(BASE_TIME + version * 60 - i * 3600, usegmt=True)
        out.append('<item>' + enclosure + '<title>%s item %d v%d</title>'
                   '<link>http://fixture.invalid/%s/%d?utm_source=x</link>'
                   '<guid isPermaLink="false">urn:fixture:%s:%d</guid>'
                   '<pubDate>%s</pubDate><description>&lt;p&gt;Item %d of %s. %s&lt;/p&gt;'
                   '</description></item>' % (items_id, i, version, items_id, i, items_id, i,
                                              t, i, items_id, pad))
    out.append('</channel></rss>\n')
    return ''.join(out).encode()


def billion_laughs():
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = 'lol' if i == 1 else 'lol%d' % (i - 1)
        ents.append('<!ENTITY lol%d "%s">' % (i, ('&%s;' % prev) * 10))
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n%s\n]>\n'
            '<rss version="2.0"><channel><title>laughs</title>'
            '<item><guid>urn:laughs:1</guid><title>&lol9;</title>'
            '<description>&lol9;</description></item></channel></rss>\n'
            % '\n'.join(ents)).encode()


def xxe(path):
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
            '<!ENTITY xxe SYSTEM "file://%s">\n'
            '<!ENTITY %% remote SYSTEM "file://%s">\n%%remote;\n]>\n'
            '<rss version="2.0"><channel><title>xxe &xxe;</title>'
            '<item><guid>urn:xxe:1</guid><title>secret: &xxe;</title>'
            '<link>http://fixture.invalid/xxe</link>'
            '<description>&xxe;</description></item></channel></rss>\n'
            % (path, path)).encode()


def gzip_bomb():
    if 'bomb' not in bomb_cache:
        co = zlib.compressobj(9, zlib.DEFLATED, 31)   # gzip wrapper
        chunk = b'\0' * (1 << 20)
        parts = [co.compress(b'<rss version="2.0"><channel><title>')]
        for _ in range(256):
            parts.append(co.compress(chunk))
        parts.append(co.flush())
        bomb_cache['bomb'] = b''.join(parts)
    return bomb_cache['bomb']


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'feed-fixture/1'

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        if log_file is None:
            return
        rec = {
            't': time.time(), 'host': self.server.server_address[0],
            'path': self.path, 'status': status,
            'inm': self.headers.get('If-None-Match'),
            'ims': self.headers.get('If-Modified-Since'),
            'ua': self.headers.get('User-Agent'),
            'ae': self.headers.get('Accept-Encoding'),
        }
        with log_lock:
            log_file.write(json.dumps(rec) + '\n')
            log_file.flush()

    def send(self, status, body=b'', headers=None, ctype='application/rss+xml'):
        self.record(status)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if body is not None and status != 304:
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if body and status != 304:
            self.wfile.write(body)

    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        if self.discovery(u.path, q):
            return
        route = getattr(self, 'r_' + u.path.strip('/').replace('-', '_'), None)
        if route is None:
            self.send(404, b'not found', ctype='text/plain')
            return
        try:
            route(q)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- discovery: web pages that name (or imply) their feed

    def html(self, head):
        self.send(200, ('<!DOCTYPE html><html><head><meta charset="utf-8">'
                        + head + '</head><body><p>Hello</p></body></html>').encode(),
                  ctype='text/html; charset=utf-8')

    def discovery(self, path, q):
        if path == '/blog':
            self.html('<title>Blog</title><link rel="stylesheet" href="/s.css">'
                      '<link rel="alternate" type="application/rss+xml" '
                      'title="Blog &raquo; Feed" href="/feed?id=blog&amp;n=2">')
        elif path.startswith('/channel/UC'):
            self.html('<title>Channel - YouTube</title>'
                      '<link rel="canonical" href="%s">' % path)
        elif path == '/feeds/videos.xml':
            cid = q1(q, 'channel_id', '')
            entries = ''.join(
                '<entry><id>yt:video:v%d</id><title>Video %d</title>'
                '<link rel="alternate" href="https://www.youtube.com/watch?v=v%d"/>'
                '<published>2024-05-0%dT10:00:00+00:00</published>'
                '<media:group><media:thumbnail url="https://i.ytimg.com/vi/v%d/hqdefault.jpg" '
                'width="480" height="360"/></media:group></entry>' % (i, i, i, i + 1, i)
                for i in range(2))
            self.send(200, ('<?xml version="1.0" encoding="UTF-8"?><feed '
                            'xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
                            'xmlns:media="http://search.yahoo.com/mrss/" '
                            'xmlns="http://www.w3.org/2005/Atom"><title>%s</title>%s</feed>'
                            % (cid, entries)).encode(), ctype='text/xml; charset=UTF-8')
        elif path.startswith('/@') and path.endswith('.rss'):
            self.send(200, rss('toot', 2), ctype='application/rss+xml; charset=utf-8')
        elif path.startswith('/@') and '/' not in path[1:]:
            # Mastodon's web app root marks the page as Mastodon's, unless
            # `plain` (the same path shape on some other site).
            self.html('<title>%s - Mastodon</title>' % path[2:] +
                      ('' if q1(q, 'plain') else
                       '</head><body><div id="mastodon" data-props="{}"></div>'))
        elif path == '/api/v1/instance':
            with state_lock:
                mode = modes.get('instance', {}).get('mode', 'none')
            if mode == 'mastodon':
                self.send(200, json.dumps({'uri': self.headers.get('Host', ''),
                                           'title': 'Fixture', 'version': '4.2.1'}).encode(),
                          ctype='application/json; charset=utf-8')
            elif mode == 'html':
                self.html('<title>Not an API</title>')
            else:
                self.send(404, b'not found', ctype='text/plain')
        elif path == '/api/v1/accounts/lookup':
            acct = q1(q, 'acct', '')
            origin = 'http://' + self.headers.get('Host', '')
            self.send(200, json.dumps({'id': '1', 'acct': acct, 'username': acct,
                                       'display_name': acct.title() + ' on the fixture',
                                       'url': origin + '/@' + acct, 'followers_count': 42,
                                       'avatar_static': origin + '/img'}).encode(),
                      ctype='application/json; charset=utf-8')
        elif path == '/page':
            types = {'rss': 'application/rss+xml', 'atom': 'application/atom+xml',
                     'json': 'application/feed+json'}
            links = ''
            for spec in q.get('l', []):
                kind, _, href = spec.partition(':')
                links += '<link rel="alternate" type="%s" href=%s>' % (
                    types.get(kind, 'text/plain'), quoteattr(href))
            self.html('<title>Page</title>' + links)
        else:
            return False
        return True

    # -- feeds

    def r_file(self, q):
        name = q1(q, 'name', '')
        if files_dir is None or not name or '/' in name or name.startswith('.'):
            self.send(404, b'not found', ctype='text/plain')
            return
        try:
            with open(os.path.join(files_dir, name), 'rb') as f:
                body = f.read()
        except OSError:
            self.send(404, b'not found', ctype='text/plain')
            return
        ctype = 'application/feed+json' if name.endswith('.json') else 'application/xml'
        self.send(200, body, ctype=ctype)

    def r_feed(self, q):
        delay = int(q1(q, 'delay', '0'))
        if delay:
            self.record('start')         # arrival, before the delay
            time.sleep(delay / 1000.0)
        key = q1(q, 'key')
        version = 0
        if q1(q, 'vary'):               # new content on every request
            with state_lock:
                modes['#vary'] = modes.get('#vary', 0) + 1
                version = modes['#vary']
        if key is not None:
            with state_lock:
                m = dict(modes.get(key, {'mode': 'ok', 'retry': None, 'version': 0}))
            version = int(m.get('version') or 0)
            if m['mode'] in self.misbehaviours:
                self.misbehaviours[m['mode']](self)
                return
            if m['mode'] != 'ok':
                code = int(m['mode'])
                hdr = {'Retry-After': m['retry']} if m.get('retry') else {}
                self.send(code, b'failing on purpose', hdr, 'text/plain')
                return
        headers = {}
        etag = q1(q, 'etag')
        if etag is not None:
            etag = '"%s-v%d"' % (etag, version)
            headers['ETag'] = etag
        if q1(q, 'lm'):
            headers['Last-Modified'] = formatdate(BASE_TIME + version * 60, usegmt=True)
        if q1(q, 'maxage'):
            headers['Cache-Control'] = 'public, max-age=%s' % q1(q, 'maxage')
        if q1(q, 'expires'):
            now = int(time.time())
            headers['Date'] = formatdate(now, usegmt=True)
            headers['Expires'] = formatdate(now + int(q1(q, 'expires')), usegmt=True)
        if etag is not None and self.headers.get('If-None-Match') == etag:
            self.send(304, None, headers)
            return
        if q1(q, 'lm') and self.headers.get('If-Modified-Since') == headers['Last-Modified']:
            self.send(304, None, headers)
            return
        body = rss(q1(q, 'id', 'feed'), int(q1(q, 'n', '5')), q1(q, 'ttl'),
                   int(q1(q, 'pad', '0')), version, q1(q, 'img'))
        if q1(q, 'gzip') and 'gzip' in (self.headers.get('Accept-Encoding') or ''):
            body = gzip.compress(body)
            headers['Content-Encoding'] = 'gzip'
        if q1(q, 'trickle'):
            self.send_trickled(body, headers, int(q1(q, 'trickle')))
            return
        self.send(200, body, headers)

    def send_trickled(self, body, headers, ms):
        """The feed with an XML comment after its declaration, sent 512
        bytes every 0.25 s for `ms` milliseconds: a fetch that lasts, yet
        stays over the fetcher's low-speed limit (256 bytes/s for 10 s)."""
        self.record('start')
        steps = max(1, ms // 250)
        head, sep, rest = body.partition(b'?>')
        pre, pad, post = head + sep + b'\n<!--', b' ' * 512, b'-->' + rest
        self.record(200)
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', str(len(pre) + steps * len(pad) + len(post)))
        self.end_headers()
        try:
            self.wfile.write(pre)
            for _ in range(steps):
                self.wfile.flush()
                time.sleep(0.25)
                self.wfile.write(pad)
            self.wfile.write(post)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def m_timeout(self):
        """Nothing at all until well past the fetcher's 20 s limit."""
        self.record('timeout')
        self.close_connection = True
        time.sleep(30)

    def m_garbage(self):
        """200 with a feed content type and random bytes."""
        self.send(200, os.urandom(8192) + b'\x00<rss><chan', ctype='application/rss+xml')

    def m_hang(self):
        """Half a well-formed feed, then silence mid-body."""
        body = rss('hang', 5, None, 0, 0)
        self.record(200)
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.close_connection = True
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        time.sleep(30)

    misbehaviours = {
        'timeout': m_timeout,
        'reset': lambda self: self.r_reset({}),
        'garbage': m_garbage,
        'hang': m_hang,
        'big': lambda self: self.r_big({'mb': ['50']}),
        'bomb': lambda self: self.r_gzipbomb({}),
    }

    def r__mode(self, q):
        key = q1(q, 'key')
        with state_lock:
            m = modes.setdefault(key, {'mode': 'ok', 'retry': None, 'version': 0})
            if q1(q, 'mode'):
                m['mode'] = q1(q, 'mode')
            m['retry'] = q1(q, 'retry')
            if q1(q, 'version'):
                m['version'] = int(q1(q, 'version'))
        self.send(200, b'ok\n', ctype='text/plain')

    def r_status(self, q):
        hdr = {}
        if q1(q, 'retry'):
            hdr['Retry-After'] = q1(q, 'retry')
        if q1(q, 'retry_in'):     # HTTP-date form, now + seconds
            hdr['Retry-After'] = formatdate(time.time() + int(q1(q, 'retry_in')), usegmt=True)
            hdr['Date'] = formatdate(time.time(), usegmt=True)
        self.send(int(q1(q, 'code', '500')), b'status on purpose\n', hdr, 'text/plain')

    # -- redirects

    def r_redirect(self, q):
        self.send(302, b'', {'Location': q1(q, 'to', '/')}, 'text/plain')

    def r_img(self, q):
        self.send(200, png(), ctype='image/png')

    def r_loop(self, q):
        n = int(q1(q, 'n', '0'))
        self.send(302, b'', {'Location': '/loop?n=%d' % (n + 1)}, 'text/plain')

    # -- size and expansion attacks

    def r_big(self, q):
        size = int(q1(q, 'mb', '50')) << 20
        self.record(200)
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        if q1(q, 'nolen'):
            self.send_header('Connection', 'close')
            self.close_connection = True
        else:
            self.send_header('Content-Length', str(size))
        self.end_headers()
        chunk = b'<!-- ' + b'x' * (65536 - 9) + b' -->'
        sent = 0
        while sent < size:
            part = chunk[:min(len(chunk), size - sent)]
            self.wfile.write(part)
            sent += len(part)

    def r_gzipbomb(self, q):
        self.send(200, gzip_bomb(), {'Content-Encoding': 'gzip'})

    def r_laughs(self, q):
        self.send(200, billion_laughs())

    def r_xxe(self, q):
        self.send(200, xxe(q1(q, 'file', '/etc/passwd')))

    # -- connection misbehaviour

    def r_slowloris(self, q):
        self.record(200)
        self.send_response(200)
        self.send_header('Content-Type', 'application/rss+xml')
        self.send_header('Connection', 'close')
        self.end_headers()
        self.close_connection = True
        self.wfile.write(b'<')
        for _ in range(int(q1(q, 'seconds', '60'))):
            time.sleep(1)
            self.wfile.write(b' ')
            self.wfile.flush()

    def r_reset(self, q):
        self.record(0)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack('ii', 1, 0))
        self.close_connection = True
        self.connection.close()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def bind_all(hosts, port):
    """Binds every host on one port; port 0 picks one free on the first."""
    for _ in range(50):
        servers = []
        try:
            first = Server((hosts[0], port), Handler)
            servers.append(first)
            p = first.server_address[1]
            for h in hosts[1:]:
                servers.append(Server((h, p), Handler))
            return servers, p
        except OSError:
            for s in servers:
                s.server_close()
            if port:
                raise
    raise OSError('no common free port')


def main():
    global log_file, files_dir
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--hosts', default='127.0.0.1')
    ap.add_argument('--log')
    ap.add_argument('--files')
    a = ap.parse_args()
    files_dir = a.files
    if a.log:
        log_file = open(a.log, 'a')
    servers, port = bind_all(a.hosts.split(','), a.port)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = a.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.rename(tmp, a.port_file)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    sys.exit(main())

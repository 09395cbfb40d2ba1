#!/usr/bin/python3
"""mastodon_fixture: Mastodon instances for the registration-abuse tests.

Binds 127.0.0.1 on a free port, writes "PORT\\n" to --port-file when ready.
socialhub reaches it through a provider's api_base, so every visitor-typed
instance name lands here.

  /fast/...      an older instance: the RFC 8414 probe is a 404 and
                 POST /api/v1/apps registers an app at once (unique ids)
  /tarpit/...    accepts the request and never answers (sleeps 60 s)
  /_stats        {"apps": N, "tarpit": N}: registrations made, tarpit hits
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {'apps': 0, 'tarpit': 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def send(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n > 0 else b''

    def route(self):
        self.body()
        if self.path.startswith('/tarpit/'):
            with lock:
                stats['tarpit'] += 1
            self.close_connection = True
            time.sleep(60)
            return
        if self.path == '/_stats':
            with lock:
                self.send(200, dict(stats))
            return
        if self.path == '/fast/api/v1/apps' and self.command == 'POST':
            with lock:
                stats['apps'] += 1
                n = stats['apps']
            self.send(200, {'client_id': 'fast-client-%d' % n,
                            'client_secret': 'fast-secret-%d' % n})
            return
        self.send(404, {'error': 'Not found'})

    do_GET = route
    do_POST = route


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port-file', required=True)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    tmp = a.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())

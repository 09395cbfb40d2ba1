#!/usr/bin/env python3
"""feed_server: serves the rendered demo feeds for tests/snapshot/snapshot.sh.

Usage: feed_server.py ROOT PORT READY_FILE

Binds 127.0.0.1:PORT (PORT 0: any free port) and writes the port it got to
READY_FILE once it listens. Every answer is a pure function of the request
and the files under ROOT, so that a snapshot does not depend on when it was
taken: fixed Content-Type per extension (not the machine's mime.types), a
fixed Last-Modified, an ETag over the bytes (so a conditional refetch gets a
304), Cache-Control max-age=3600 (no source falls due during a run), no
Date header.

Routes, as the demo's nginx has them (deploy/demo/run.sh):
  /@brand.rss                  ROOT/feeds/mastodon.rss (Mastodon-shaped path)
  /api/v1/accounts/lookup?...  ROOT/feeds/mastodon-account.json
  /api/v1/instance             ROOT/feeds/mastodon-instance.json
  /feeds/NAME, /feeds/img/NAME the file
  anything else                404
"""

import hashlib
import os
import sys
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
LAST_MODIFIED = formatdate(1700000000, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "snapshot-feeds"
    sys_version = ""
    root = "."

    def date_time_string(self, timestamp=None):  # no volatile Date header
        return LAST_MODIFIED

    def send_response(self, code, message=None):
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.server_version)

    def log_message(self, fmt, *args):
        pass

    def target(self):
        path = urlsplit(self.path).path
        if path == "/@brand.rss":
            return os.path.join(self.root, "feeds", "mastodon.rss")
        if path == "/api/v1/accounts/lookup":
            return os.path.join(self.root, "feeds", "mastodon-account.json")
        if path == "/api/v1/instance":
            return os.path.join(self.root, "feeds", "mastodon-instance.json")
        if path.startswith("/feeds/") and ".." not in path:
            return os.path.join(self.root, path.lstrip("/"))
        return None

    def answer(self, head):
        f = self.target()
        if f is None or not os.path.isfile(f):
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        with open(f, "rb") as fh:
            body = fh.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ext = os.path.splitext(f)[1]
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(ext, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):
        self.answer(False)

    def do_HEAD(self):
        self.answer(True)


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: feed_server.py ROOT PORT READY_FILE\n")
        return 2
    Handler.root = sys.argv[1]
    srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler)
    srv.daemon_threads = True
    tmp = sys.argv[3] + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("%d\n" % srv.server_address[1])
    os.rename(tmp, sys.argv[3])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

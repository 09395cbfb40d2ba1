#!/usr/bin/python3
"""api_fixture: Mastodon, Bluesky and YouTube APIs (LinkedIn, X and TikTok:
api_fixture_xli.py) as their documentation
shows them, for the API-source tests (tests/integration/test_sources.sh).

Answers from the JSON files in --fixtures (tests/fixtures/api/), with the
media hosts rewritten to this server's /media/ (a 1x1 PNG), so the media
proxy has something to fetch on loopback. Binds 127.0.0.1 on a free port,
writes "PORT\\n" to --port-file when ready, logs every request as a JSON
line to --log (path, query, whether an X-Goog-Api-Key header came).

Routes (api_url of a source is http://127.0.0.1:PORT/m, /b or /y):
  /m/api/v1/accounts/lookup?acct=brand[@host]     Mastodon account (404 else)
  /m/api/v1/accounts/109302/statuses              page 1, Link rel="next" to
                                                  ?max_id=113500000000000002, page 2
  /b/xrpc/app.bsky.feed.getAuthorFeed?actor=&filter=&limit=[&cursor=]
                                                  Bluesky pages 1 and 2 (cursor)
  /y/channels /y/playlistItems /y/videos          YouTube Data API v3; every call
                                                  wants X-Goog-Api-Key: TESTKEY
  /y/feeds/videos.xml?channel_id=UC...            the channel's Atom feed (no key)
  /media/...                                      a 1x1 PNG
  /_mode?net=m|b|y&mode=M                         how a network's post list answers:
      ok, html (an error page), malformed, missing (fields left out), big (11 MiB),
      loop (next page = this page), private (media at private addresses),
      401, 403, 404, 429 (with Retry-After: 120 and rate-limit headers)
Every JSON answer carries the networks' rate-limit headers.
"""

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import api_fixture_meta
import api_fixture_earned  # /mt/ and /bs/: hashtag timeline, post search
import api_fixture_xli  # LinkedIn, X and TikTok, in their own file

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
MEDIA_HOSTS = ["https://files.mastodon.example", "https://cdn.bsky.app", "https://video.bsky.app",
               "https://i.ytimg.example", "https://yt3.ggpht.example"]
KEY = "TESTKEY"
ERRORS = {
    "m": {401: {"error": "This API requires an authenticated user"},
          403: {"error": "This action is not allowed"},
          404: {"error": "Record not found"},
          429: {"error": "Too many requests"}},
    "b": {401: {"error": "AuthMissing", "message": "Authentication Required"},
          403: {"error": "Forbidden", "message": "Profile is private"},
          404: {"error": "InvalidRequest", "message": "Profile not found"},
          429: {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}},
    "y": {401: {"error": {"code": 401, "message": "Request is missing required authentication credential.",
                          "errors": [{"reason": "required"}]}},
          403: {"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
                          "errors": [{"domain": "youtube.quota", "reason": "quotaExceeded"}]}},
          404: {"error": {"code": 404, "message": "The playlist identified with the request's playlistId parameter cannot be found.",
                          "errors": [{"reason": "playlistNotFound"}]}},
          429: {"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).",
                          "status": "RESOURCE_EXHAUSTED"}}},
}

lock = threading.Lock()
modes = {"m": "ok", "b": "ok", "y": "ok"}
log_file = None
fixtures = None


def load(name, origin):
    with open(os.path.join(fixtures, name), encoding="utf-8") as f:
        text = f.read()
    for h in MEDIA_HOSTS:
        text = text.replace(h, origin + "/media/" + h.split("//", 1)[1])
    return text


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        with lock:
            if log_file:
                u = urlsplit(self.path)
                log_file.write(json.dumps({"path": u.path, "query": u.query, "status": status,
                                           "key_header": self.headers.get("X-Goog-Api-Key"),
                                           "method": self.command,
                                           "auth": self.headers.get("Authorization"),
                                           "li_version": self.headers.get("LinkedIn-Version"),
                                           "inm": self.headers.get("If-None-Match"),
                                           "body": getattr(self, "req_body", "")}) + "\n")
                log_file.flush()

    def send(self, status, body, ctype="application/json; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.record(status)

    def fixture_text(self, name):
        with open(os.path.join(fixtures, name), encoding="utf-8") as f:
            return f.read()

    def do_POST(self):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        n = min(int(self.headers.get("Content-Length") or 0), 65536)
        self.req_body = self.rfile.read(n).decode("utf-8", "replace")
        if not api_fixture_xli.route(self, modes, "POST", u.path, q, self.req_body):
            self.send(404, '{"error":"not found"}')

    def origin(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def rate_headers(self, net, status):
        left = "0" if status == 429 else "299"
        if net == "m":
            return [("X-RateLimit-Limit", "300"), ("X-RateLimit-Remaining", left),
                    ("X-RateLimit-Reset", "2026-12-06T12:05:00.000Z")]
        if net == "b":
            return [("RateLimit-Limit", "3000"), ("RateLimit-Remaining", left),
                    ("RateLimit-Reset", "1796558700"), ("RateLimit-Policy", "3000;w=300")]
        return []

    def fault(self, net, page_url):
        """The answer of a post-list request in the network's mode, or None."""
        mode = modes[net]
        if mode in ("401", "403", "404", "429"):
            code = int(mode)
            extra = self.rate_headers(net, code)
            if code == 429:
                extra.append(("Retry-After", "120"))
            self.send(code, json.dumps(ERRORS[net][code]), headers=extra)
            return True
        if mode == "html":
            self.send(200, "<!DOCTYPE html><html><head><title>We'll be right back</title></head>"
                      "<body><h1>Maintenance</h1></body></html>\n", "text/html; charset=utf-8")
            return True
        if mode == "malformed":
            self.send(200, '{"feed": [{"post": {"uri": "at://x", "record": {"text": "cut off')
            return True
        if mode == "big":
            pad = "x" * 1024
            body = '[' + ",".join('{"id":"%d","pad":"%s"}' % (i, pad) for i in range(11 * 1024)) + ']'
            self.send(200, body)
            return True
        return None

    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        p = u.path
        if api_fixture_earned.handle(self, p, q):
            return
        if p == "/_mode":
            with lock:
                modes[q["net"]] = q["mode"]
            return self.send(200, "ok\n", "text/plain")
        if api_fixture_xli.cdn(self, p):
            return None
        if p.startswith("/media/"):
            return self.send(200, PNG, "image/png")
        if p.startswith("/m/"):
            return self.mastodon(p[2:], q)
        if p.startswith("/b/"):
            return self.bluesky(p[2:], q)
        if p.startswith("/y/"):
            return self.youtube(p[2:], q)
        if api_fixture_xli.route(self, modes, "GET", p, q, None):
            return None
        return self.send(404, '{"error":"not found"}')

    # ---- Mastodon ----

    def mastodon(self, p, q):
        origin = self.origin()
        base = origin + "/m/api/v1/accounts/109302/statuses"
        rl = self.rate_headers("m", 200)
        if p == "/api/v1/accounts/lookup":
            if q.get("acct") not in ("brand", "brand@mastodon.example"):
                return self.send(404, json.dumps(ERRORS["m"][404]), headers=rl)
            return self.send(200, load("mastodon_account.json", origin), headers=rl)
        if p != "/api/v1/accounts/109302/statuses":
            return self.send(404, json.dumps(ERRORS["m"][404]))
        if self.fault("m", base):
            return
        mode = modes["m"]
        if mode == "missing":
            return self.send(200, json.dumps([{"id": "1", "uri": "https://mastodon.example/1",
                                                "content": "<p>no date</p>"}]), headers=rl)
        if mode == "private" and q.get("max_id") == "113500000000000002":
            return self.send(200, load("mastodon_statuses_2.json", origin), headers=rl)
        if mode == "private":
            st = json.loads(load("mastodon_statuses_1.json", origin))
            st[0]["media_attachments"][0]["url"] = "http://10.1.2.3/private.jpg"
            st[0]["media_attachments"][1]["url"] = "http://169.254.169.254/latest/meta-data/x.png"
            link = '<%s?max_id=113500000000000002>; rel="next"' % base
            return self.send(200, json.dumps(st), headers=rl + [("Link", link)])
        this = base + ("?" + self.path.split("?", 1)[1] if "?" in self.path else "")
        if mode == "loop":
            return self.send(200, load("mastodon_statuses_1.json", origin),
                             headers=rl + [("Link", '<%s>; rel="next"' % this)])
        if q.get("max_id") == "113500000000000002":
            return self.send(200, load("mastodon_statuses_2.json", origin), headers=rl + [
                ("Link", '<%s?min_id=113500000000000001>; rel="prev"' % base)])
        link = '<%s?max_id=113500000000000002>; rel="next", <%s?min_id=113500000000000003>; rel="prev"' % (base, base)
        return self.send(200, load("mastodon_statuses_1.json", origin), headers=rl + [("Link", link)])

    # ---- Bluesky ----

    def bluesky(self, p, q):
        origin = self.origin()
        rl = self.rate_headers("b", 200)
        if p != "/xrpc/app.bsky.feed.getAuthorFeed":
            return self.send(404, json.dumps({"error": "MethodNotImplemented", "message": "Method Not Implemented"}))
        if q.get("actor") != "brand.example.com":
            return self.send(400, json.dumps(ERRORS["b"][404]), headers=rl)
        if q.get("filter") != "posts_no_replies":
            return self.send(400, json.dumps({"error": "InvalidRequest", "message": "filter"}))
        if self.fault("b", None):
            return
        mode = modes["b"]
        if mode == "missing":
            return self.send(200, json.dumps({"feed": [{"post": {"uri": "at://did:plc:x/app.bsky.feed.post/1"}}]}),
                             headers=rl)
        if mode == "loop":
            doc = json.loads(load("bluesky_feed_1.json", origin))
            doc["cursor"] = "same-cursor"
            return self.send(200, json.dumps(doc), headers=rl)
        if q.get("cursor") == "2026-12-04T08:00:00.000Z":
            return self.send(200, load("bluesky_feed_2.json", origin), headers=rl)
        return self.send(200, load("bluesky_feed_1.json", origin), headers=rl)

    # ---- YouTube ----

    def youtube(self, p, q):
        origin = self.origin()
        if p == "/feeds/videos.xml":
            return self.send(200, self.channel_feed(q.get("channel_id", "")),
                             "application/atom+xml; charset=utf-8")
        if "key" in q:
            return self.send(400, json.dumps({"error": {"code": 400, "message": "key in the URL: refused by this fixture"}}))
        if self.headers.get("X-Goog-Api-Key") != KEY:
            return self.send(400, json.dumps({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                                         "errors": [{"reason": "badRequest"}]}}))
        if p == "/channels":
            if q.get("id") != "UCabcdefghijklmnopqrstuv" and q.get("forHandle") != "@examplebrand":
                return self.send(200, json.dumps({"kind": "youtube#channelListResponse",
                                                  "pageInfo": {"totalResults": 0, "resultsPerPage": 5}}))
            return self.send(200, load("youtube_channels.json", origin))
        if p == "/playlistItems":
            if q.get("playlistId") != "UUabcdefghijklmnopqrstuv":
                return self.send(404, json.dumps(ERRORS["y"][404]))
            if self.fault("y", None):
                return
            mode = modes["y"]
            if mode == "missing":
                return self.send(200, json.dumps({"items": [{"kind": "youtube#playlistItem"}]}))
            if mode == "loop":
                doc = json.loads(load("youtube_playlistitems.json", origin))
                doc["nextPageToken"] = "SAME"
                return self.send(200, json.dumps(doc))
            return self.send(200, load("youtube_playlistitems.json", origin))
        if p == "/videos":
            return self.send(200, load("youtube_videos.json", origin))
        return self.send(404, json.dumps(ERRORS["y"][404]))

    def channel_feed(self, cid):
        origin = self.origin()
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
                'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">'
                '<id>yt:channel:%s</id><title>Example Brand TV</title>'
                '<link rel="alternate" href="https://www.youtube.com/channel/%s"/>'
                '<entry><id>yt:video:vidAAAAAAA1</id><yt:videoId>vidAAAAAAA1</yt:videoId>'
                '<title>Shop tour</title><link rel="alternate" href="https://www.youtube.com/watch?v=vidAAAAAAA1"/>'
                '<published>2026-12-05T15:00:00+00:00</published><updated>2026-12-05T15:00:00+00:00</updated>'
                '<media:group><media:title>Shop tour</media:title>'
                '<media:thumbnail url="%s/media/i.ytimg.example/vi/vidAAAAAAA1/hqdefault.jpg" width="480" height="360"/>'
                '<media:description>A walk through the new shop.</media:description></media:group></entry>'
                '</feed>\n') % (cid, cid, origin)


api_fixture_meta.install(Handler, globals())  # Instagram, Facebook, Threads (api_fixture_meta.py)


def main():
    global log_file, fixtures
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--fixtures", required=True)
    a = ap.parse_args()
    fixtures = a.fixtures
    if a.log:
        log_file = open(a.log, "a", encoding="utf-8")
    # Many sources connect at once (the API bench): a listen backlog of 5
    # would drop SYNs and add seconds of retries.
    ThreadingHTTPServer.request_queue_size = 256
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

"""api_fixture_meta: the Meta APIs (Instagram Graph API, IG hashtag search,
Facebook Pages, Threads) as their documentation shows them, for
tests/integration/test_sources_meta.sh. Loaded by api_fixture.py, whose
server it extends (install()); answers from tests/fixtures/api/.

Routes (api_url of a source is http://127.0.0.1:PORT/ig/v26.0, /igtag/v26.0,
/fb/v26.0 or /th/v1.0):
  /ig/v26.0/17841400000000001/media            page 1 (paging.next with an
                                               echoed access_token), &after= page 2
  /igtag/v26.0/ig_hashtag_search?user_id=&q=   the hashtag's id
  /igtag/v26.0/17843857450040591/recent_media  its recent media
  /fb/v26.0/104000000000001/posts              Page posts (album, video, link card)
  /th/v1.0/me/threads                          Threads posts (carousel, alt text)
  /cdn/HOST/PATH                               the CDNs: a 1x1 PNG, or with
                                               cdn=expired 403 "URL signature expired"
  /_meta_mode?net=ig|igtag|fb|th|cdn&mode=M    how a network answers:
      ok, html, malformed, missing, big (11 MiB), loop (next = this page),
      private (media at private addresses), expired (OAuthException 190/463),
      revoked (190/458), permission (code 10 / 200), ratelimit (code 4, or 32
      for fb, HTTP 400), usage (200 with X-App-Usage call_count 95), 429
      (Retry-After: 120); cdn: ok or expired
Every API call wants "Authorization: Bearer TESTTOKEN" (else 400 code 190)
and refuses an access_token in the URL; every answer carries X-App-Usage
(and, for Instagram and Facebook, X-Business-Use-Case-Usage). Requests are
logged (path, query, whether the Bearer header came: never its value).
"""

import json
import os
import threading
from urllib.parse import parse_qs, urlsplit

TOKEN = "TESTTOKEN"
IG = "17841400000000001"
TAG = "17843857450040591"
PAGE = "104000000000001"
CDN_HOSTS = ["https://scontent.cdninstagram.com", "https://scontent.xx.fbcdn.net",
             "https://external.xx.fbcdn.net", "https://video.xx.fbcdn.net"]
APIS = {"https://graph.instagram.com/v26.0": "/ig/v26.0"}

lock = threading.Lock()
modes = {"ig": "ok", "igtag": "ok", "fb": "ok", "th": "ok", "cdn": "ok"}


def err(code, message, etype="OAuthException", sub=None):
    e = {"message": message, "type": etype, "code": code, "fbtrace_id": "AxYz123TrAcE"}
    if sub is not None:
        e["error_subcode"] = sub
    return json.dumps({"error": e})


def load_raw(g, name):
    with open(os.path.join(g["fixtures"], name), encoding="utf-8") as f:
        return f.read()


def fault_body(net, mode):
    """(status, body, extra headers) of a failing mode, or None."""
    if mode == "expired":
        return 400, err(190, "Error validating access token: Session has expired on Friday, "
                        "04-Dec-26 10:00:00 PST. The current time is Sunday, 06-Dec-26.", sub=463), []
    if mode == "revoked":
        return 400, err(190, "Error validating access token: The user has not authorized "
                        "application 1234567890.", sub=458), []
    if mode == "permission":
        if net == "th":
            return 403, err(200, "(#200) Permissions error: threads_basic is required"), []
        return 403, err(10, "(#10) Application does not have permission for this action"), []
    if mode == "ratelimit":
        if net == "fb":
            return 400, err(32, "(#32) Page request limit reached"), []
        return 400, err(4, "(#4) Application request limit reached"), []
    if mode == "429":
        return 429, err(4, "(#4) Application request limit reached"), [("Retry-After", "120")]
    return None


def install(handler_cls, g):
    """Routes the Meta paths of handler_cls to this module; g: api_fixture's
    globals (load(), the server's log)."""
    base_get = handler_cls.do_GET

    def do_GET(self):
        p = urlsplit(self.path).path
        if p == "/_meta_mode" or p.split("/")[1:2] and p.split("/")[1] in ("ig", "igtag", "fb", "th", "cdn"):
            return meta_get(self, g)
        return base_get(self)
    handler_cls.do_GET = do_GET


def usage_headers(net, high=False):
    n = 95 if high else 12
    h = [("X-App-Usage", json.dumps({"call_count": n, "total_cputime": 3, "total_time": 4}))]
    if net in ("ig", "igtag", "fb"):
        h.append(("X-Business-Use-Case-Usage", json.dumps({PAGE: [{
            "type": "instagram" if net != "fb" else "pages", "call_count": 5,
            "total_cputime": 1, "total_time": 2, "estimated_time_to_regain_access": 0}]})))
    return h


def rewrite(text, origin):
    for h in CDN_HOSTS:
        text = text.replace(h, origin + "/cdn/" + h.split("//", 1)[1])
    for a, b in APIS.items():
        text = text.replace(a, origin + b)
    return text


def log(self, g, status):
    with lock:
        lf = g.get("log_file")
        if lf:
            u = urlsplit(self.path)
            auth = self.headers.get("Authorization") or ""
            lf.write(json.dumps({"path": u.path, "query": u.query, "status": status,
                                 "bearer": auth == "Bearer " + TOKEN}) + "\n")
            lf.flush()


def send(self, g, status, body, ctype="application/json; charset=UTF-8", headers=()):
    if isinstance(body, str):
        body = body.encode("utf-8")
    self.send_response(status)
    self.send_header("Content-Type", ctype)
    self.send_header("Content-Length", str(len(body)))
    for k, v in headers:
        self.send_header(k, v)
    self.end_headers()
    self.wfile.write(body)
    log(self, g, status)


def meta_get(self, g):
    u = urlsplit(self.path)
    q = {k: v[0] for k, v in parse_qs(u.query).items()}
    parts = u.path.split("/")
    origin = "http://127.0.0.1:%d" % self.server.server_address[1]
    if u.path == "/_meta_mode":
        with lock:
            modes[q["net"]] = q["mode"]
        return send(self, g, 200, "ok\n", "text/plain")
    net = parts[1]
    if net == "cdn":
        if modes["cdn"] == "expired":
            return send(self, g, 403, "URL signature expired", "text/plain")
        return send(self, g, 200, g["PNG"], "image/png")
    if "access_token" in q:
        return send(self, g, 400, err(100, "access_token in the URL: refused by this fixture"))
    if self.headers.get("Authorization") != "Bearer " + TOKEN:
        return send(self, g, 400, err(190, "Invalid OAuth access token - Cannot parse access token"))
    rest = "/" + "/".join(parts[3:])
    mode = modes[net]
    f = fault_body(net, mode)
    listing = not (net == "igtag" and rest == "/ig_hashtag_search")
    if f is not None and listing:
        status, body, extra = f
        return send(self, g, status, body, headers=usage_headers(net) + extra)
    if listing and mode == "html":
        return send(self, g, 200, "<!DOCTYPE html><html><head><title>Sorry, something went wrong."
                    "</title></head><body><h1>Sorry, something went wrong.</h1></body></html>\n",
                    "text/html; charset=utf-8")
    if listing and mode == "malformed":
        return send(self, g, 200, '{"data": [{"id": "1789", "caption": "cut off')
    if listing and mode == "big":
        pad = "x" * 1024
        return send(self, g, 200, '{"data":[' + ",".join(
            '{"id":"%d","pad":"%s"}' % (i, pad) for i in range(11 * 1024)) + ']}')
    if listing and mode == "missing":
        return send(self, g, 200, json.dumps({"data": [{"id": "17895695668009999",
                                                         "caption": "no timestamp"}]}),
                    headers=usage_headers(net))
    return route(self, g, net, rest, q, origin, mode)


def page(self, g, net, name, origin, mode, mutate=None):
    doc = json.loads(rewrite(load_raw(g, name), origin))
    if mutate:
        mutate(doc)
    if mode == "loop":
        doc.setdefault("paging", {})["next"] = origin + self.path
    if mode == "private":
        for it in doc["data"]:
            for k in ("media_url", "thumbnail_url"):
                if k in it:
                    it[k] = "http://10.1.2.3/private.jpg"
            for c in (it.get("children") or {}).get("data", []):
                c["media_url"] = "http://169.254.169.254/latest/meta-data/x.png"
                c.pop("thumbnail_url", None)
            for a in (it.get("attachments") or {}).get("data", []):
                for s in [a] + (a.get("subattachments") or {}).get("data", []):
                    if "media" in s:
                        s["media"]["image"]["src"] = "http://10.1.2.3/p.jpg"
    return send(self, g, 200, json.dumps(doc), headers=usage_headers(net, mode == "usage"))


def route(self, g, net, rest, q, origin, mode):
    if net == "ig" and rest == "/%s/media" % IG:
        if q.get("after") == "QVFIUmFmdGVy":
            return page(self, g, net, "instagram_media_2.json", origin, mode)
        return page(self, g, net, "instagram_media_1.json", origin, mode)
    if net == "igtag" and rest == "/ig_hashtag_search":
        if q.get("user_id") != IG:
            return send(self, g, 400, err(100, "(#100) Param user_id must be a valid IG user", "OAuthException"))
        if q.get("q") != "examplebrand":
            return send(self, g, 200, json.dumps({"data": []}), headers=usage_headers(net))
        return send(self, g, 200, load_raw(g, "instagram_hashtag_search.json"), headers=usage_headers(net))
    if net == "igtag" and rest == "/%s/recent_media" % TAG:
        return page(self, g, net, "instagram_recent_media.json", origin, mode)
    if net == "fb" and rest == "/%s/posts" % PAGE:
        return page(self, g, net, "facebook_posts.json", origin, mode)
    if net == "th" and rest == "/me/threads":
        return page(self, g, net, "threads_threads.json", origin, mode)
    return send(self, g, 400, err(100, "Unsupported get request. Object with ID '%s' does not exist"
                                  % rest.strip("/").split("/")[0], "GraphMethodException", 33))

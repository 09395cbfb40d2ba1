#!/usr/bin/python3
"""conn_fixture: the authorization servers of Instagram (Instagram API with
Instagram Login) and X (OAuth 2.0 with PKCE), shaped like their documented
endpoints, for the connect-flow tests (tests/integration/test_connections.sh
and tests/js/browser_connect.mjs).

Binds 127.0.0.1 on a free port, writes "PORT\\n" to --port-file when ready,
logs each request as a JSON line to --log (path, grant, whether PKCE and
client authentication checked out; never a token).

  /ig/oauth/authorize?client_id&redirect_uri&scope&response_type=code&state
        a consent page: <a id="allow" href="REDIRECT?code=…&state=…">Allow</a>
        and a Deny link (?error=access_denied…)
  POST /ig/oauth/access_token   client_id, client_secret, grant_type,
        redirect_uri, code -> {"data": [{"access_token", "user_id", "permissions"}]}
  GET  /ig/access_token?grant_type=ig_exchange_token&client_secret&access_token
        -> {"access_token", "token_type": "bearer", "expires_in": --ig-expires}
  GET  /ig/refresh_access_token?grant_type=ig_refresh_token&access_token
        -> a new long-lived token, the same expires_in
  /x/i/oauth2/authorize?…&code_challenge&code_challenge_method=S256
        the consent page, as above
  POST /x/2/oauth2/token   HTTP Basic client auth; authorization_code (the
        code_verifier must match the challenge) or refresh_token (rotated)
        -> {"token_type", "access_token", "refresh_token", "expires_in": --x-expires, "scope"}
  DELETE /ig/me/permissions?access_token   (Meta's revocation) -> {"success": true};
        the token refused from then on
  POST /x/2/oauth2/revoke   HTTP Basic client auth, token, token_type_hint
        -> {"revoked": true}; the access or refresh token refused from then on
  /_tokens   {"ig": [...], "x": [...]}: every access token issued (for the
             tests' no-plaintext checks)
  /_revoke_fail?net=ig|x&on=1|0   the network's revocation endpoint answers
             500 (on=1) or works again (on=0)
  /_revoke?net=ig|x   every token of the network refused from now on
Errors as the networks answer them: Meta's {"error": {"message", "type":
"OAuthException", "code": 190}}, OAuth's {"error": "invalid_grant"}.
"""

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

lock = threading.Lock()
codes = {}        # code -> {"net", "redirect_uri", "challenge"}
issued = {"ig": [], "x": []}
refresh_tokens = {}   # refresh token -> net
valid = set()
revoke_fail = set()   # nets whose revocation endpoint answers 500
ARGS = None
IG_ID, IG_SECRET = "ig-app", "ig-secret"
X_ID, X_SECRET = "x-app", "x-secret"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def new_token(net, kind):
    t = f"SECRETTOKEN-{net}-{kind}-{secrets.token_hex(8)}"
    with lock:
        issued[net].append(t)
        valid.add(t)
    return t


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, **kw):
        kw["path"] = urlsplit(self.path).path
        with open(ARGS.log, "a") as f:
            f.write(json.dumps(kw) + "\n")

    def send(self, status, body, ctype="application/json", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def json(self, status, obj):
        self.send(status, json.dumps(obj))

    def meta_error(self, msg, code=190, status=400):
        self.json(status, {"error": {"message": msg, "type": "OAuthException", "code": code,
                                     "fbtrace_id": "AbCdEf"}})

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        return {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode()).items()}

    def consent(self, net, q):
        redirect = q.get("redirect_uri", [""])[0]
        state = q.get("state", [""])[0]
        if not redirect.startswith("http://127.0.0.1:"):
            return self.send(400, "bad redirect_uri", "text/plain")
        code = secrets.token_urlsafe(12)
        with lock:
            codes[code] = {"net": net, "redirect_uri": redirect,
                           "challenge": q.get("code_challenge", [None])[0],
                           "method": q.get("code_challenge_method", [None])[0]}
        sep = "&" if "?" in redirect else "?"
        allow = redirect + sep + urlencode({"code": code, "state": state})
        deny = redirect + sep + urlencode({"error": "access_denied", "state": state})
        self.note(step="authorize", net=net, scope=q.get("scope", [""])[0],
                  pkce=q.get("code_challenge_method", [None])[0])
        page = (f"<!DOCTYPE html><title>{net} consent</title><h1>Allow socialhub?</h1>"
                f"<p><a id=\"allow\" href=\"{html.escape(allow)}\">Allow</a> "
                f"<a id=\"deny\" href=\"{html.escape(deny)}\">Deny</a></p>")
        self.send(200, page, "text/html; charset=utf-8")

    def take_code(self, f, net):
        with lock:
            c = codes.pop(f.get("code", ""), None)
        if c is None or c["net"] != net or c["redirect_uri"] != f.get("redirect_uri"):
            return None
        return c

    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        one = lambda k: q.get(k, [None])[0]
        if u.path == "/_tokens":
            with lock:
                return self.json(200, issued)
        if u.path == "/_revoke":
            with lock:
                for t in issued.get(one("net"), []):
                    valid.discard(t)
            return self.json(200, {"ok": True})
        if u.path == "/_revoke_fail":
            with lock:
                (revoke_fail.add if one("on") == "1" else revoke_fail.discard)(one("net"))
            return self.json(200, {"ok": True})
        if u.path == "/ig/oauth/authorize":
            return self.consent("ig", q)
        if u.path == "/x/i/oauth2/authorize":
            return self.consent("x", q)
        if u.path == "/ig/access_token":
            ok = (one("grant_type") == "ig_exchange_token" and one("client_secret") == IG_SECRET
                  and one("access_token") in valid)
            self.note(step="exchange", net="ig", ok=ok)
            if not ok:
                return self.meta_error("Error validating access token")
            return self.json(200, {"access_token": new_token("ig", "long"), "token_type": "bearer",
                                   "expires_in": ARGS.ig_expires})
        if u.path == "/ig/refresh_access_token":
            ok = one("grant_type") == "ig_refresh_token" and one("access_token") in valid
            self.note(step="refresh", net="ig", ok=ok)
            if not ok:
                return self.meta_error("Error validating access token: the session has been invalidated")
            return self.json(200, {"access_token": new_token("ig", "long"), "token_type": "bearer",
                                   "expires_in": ARGS.ig_expires})
        self.send(404, '{"error": "not found"}')

    def do_POST(self):
        u = urlsplit(self.path)
        f = self.form()
        if u.path == "/ig/oauth/access_token":
            ok = f.get("client_id") == IG_ID and f.get("client_secret") == IG_SECRET
            c = self.take_code(f, "ig") if ok and f.get("grant_type") == "authorization_code" else None
            self.note(step="token", net="ig", grant=f.get("grant_type"), ok=c is not None)
            if c is None:
                return self.json(400, {"error_type": "OAuthException", "code": 400,
                                       "error_message": "Invalid authorization code"})
            return self.json(200, {"data": [{"access_token": new_token("ig", "short"),
                                             "user_id": "17841400000000001",
                                             "permissions": "instagram_business_basic"}]})
        if u.path == "/x/2/oauth2/revoke":
            return self.x_revoke(f)
        if u.path == "/x/2/oauth2/token":
            want = "Basic " + base64.b64encode(f"{X_ID}:{X_SECRET}".encode()).decode()
            authed = self.headers.get("Authorization") == want
            grant = f.get("grant_type")
            ok = False
            if authed and grant == "authorization_code":
                c = self.take_code(f, "x")
                v = f.get("code_verifier", "")
                ok = (c is not None and c["method"] == "S256" and
                      b64url(hashlib.sha256(v.encode()).digest()) == c["challenge"])
            elif authed and grant == "refresh_token":
                with lock:
                    ok = refresh_tokens.pop(f.get("refresh_token", ""), None) == "x"
            self.note(step="token" if grant == "authorization_code" else "refresh", net="x",
                      grant=grant, ok=ok, basic=authed)
            if not ok:
                return self.json(400, {"error": "invalid_grant",
                                       "error_description": "Value passed for the token was invalid."})
            rt = f"SECRETTOKEN-x-refresh-{secrets.token_hex(8)}"
            with lock:
                refresh_tokens[rt] = "x"
            return self.json(200, {"token_type": "bearer", "access_token": new_token("x", "access"),
                                   "refresh_token": rt, "expires_in": ARGS.x_expires,
                                   "scope": "tweet.read users.read offline.access"})
        self.send(404, '{"error": "not found"}')

    def do_DELETE(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        if u.path != "/ig/me/permissions":
            return self.send(404, '{"error": "not found"}')
        t = q.get("access_token", [None])[0]
        if "ig" in revoke_fail:
            self.note(step="revoke", net="ig", ok=False)
            return self.meta_error("An unexpected error has occurred. Please retry your request later.",
                                   code=2, status=500)
        with lock:
            ok = t in valid
            valid.discard(t)
        self.note(step="revoke", net="ig", ok=ok)
        if not ok:
            return self.meta_error("Error validating access token")
        self.json(200, {"success": True})

    def x_revoke(self, f):
        want = "Basic " + base64.b64encode(f"{X_ID}:{X_SECRET}".encode()).decode()
        authed = self.headers.get("Authorization") == want
        t, hint = f.get("token", ""), f.get("token_type_hint")
        if "x" in revoke_fail:
            self.note(step="revoke", net="x", hint=hint, ok=False)
            return self.send(503, "<html><body>Over capacity</body></html>", "text/html")
        with lock:
            ok = authed and (t in valid or t in refresh_tokens)
            if ok:
                valid.discard(t)
                refresh_tokens.pop(t, None)
        self.note(step="revoke", net="x", hint=hint, ok=ok, basic=authed)
        if not authed:
            return self.json(401, {"error": "unauthorized_client"})
        self.json(200, {"revoked": ok})


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--ig-expires", type=int, default=5184000)
    p.add_argument("--x-expires", type=int, default=7200)
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

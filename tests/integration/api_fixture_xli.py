"""api_fixture_xli: LinkedIn, X and TikTok for api_fixture.py, in the shapes
their documentation shows (tests/fixtures/api/linkedin_*, x_*, tiktok_*).

Every call wants "Authorization: Bearer TESTTOKEN" (else the network's 401
body). Routes (api_url http://127.0.0.1:PORT/li, /x or /tt; a first path
segment /_dMS, e.g. /x/_d300, delays the answer by MS milliseconds, for
the refresh bench):
  GET  /li/rest/posts?author=urn%3Ali%3Aorganization%3A2414183&q=author&start=N
       pages start=0 and start=4; wants LinkedIn-Version and
       X-Restli-Protocol-Version: 2.0.0 (else 400/426 as LinkedIn answers)
  GET  /li/rest/images?ids=List(...)  /li/rest/videos?ids=List(...)  batch gets
  GET  /li/rest/socialMetadata?ids=List(...)   reactions and comments (batch get);
                                               mode counts403: 403 ACCESS_DENIED,
                                               mode countsjunk: cut-off JSON
  GET  /x/2/users/2244994945/tweets[?pagination_token=T]    two pages
  GET  /x/2/users/by/username/brand      the user (other names: 200 with "errors")
  GET  /x/2/tweets/search/recent?query=...                  one page
  POST /tt/v2/video/list/?fields=...  {"max_count":20[,"cursor":C]}  two pages
X user ids and LinkedIn organization ids 900000..900999 read as the
fixture's accounts (the bench's many sources).
Modes (/_mode?net=li|x|tt&mode=M): ok, html, malformed, missing, big
(11 MiB), loop, private (media at 10.1.2.3), 401, 403, 429, and for X
"spent" (200 with x-rate-limit-remaining: 0 and a reset an hour ahead) and
"gone" (200 with only "errors", as for an unknown user); for TikTok
"scope" (200 whose error says a scope is missing).
X answers carry x-rate-limit-limit/-remaining/-reset on every response.
TikTok signs each cover_image_url anew in every answer (x-expires about
6 hours ahead, a new x-signature), and its CDN
(/media/p16-sign.tiktokcdn-us.com/...) answers each signed URL once: any
later fetch of it gets TikTok's 403, as an expired one would.
"""

import itertools
import json
import threading
import time

TOKEN = "TESTTOKEN"
ETAG = 'W/"xs-1"'   # the search and the timeline's first page; 304 on If-None-Match (search)
MEDIA_HOSTS = ["https://pbs.twimg.com", "https://media.licdn.com",
               "https://p16-sign.tiktokcdn-us.com"]
ERRORS = {
    "li": {401: {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN",
                 "message": "The token used in the request has been revoked by the user"},
           403: {"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED",
                 "message": "Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20251101"},
           404: {"status": 404, "serviceErrorCode": 0, "code": "NOT_FOUND", "message": "Not Found"},
           429: {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS",
                 "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}},
    "x": {401: {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
          403: {"client_id": "2800000", "detail": "When authenticating requests to the Twitter API v2 endpoints, "
                "you must use keys and tokens from a Twitter developer App that is attached to a Project.",
                "registration_url": "https://developer.x.com/en/docs/projects/overview",
                "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access",
                "reason": "client-not-enrolled", "type": "https://api.twitter.com/2/problems/client-forbidden"},
          404: {"title": "Not Found Error", "detail": "Could not find the resource", "type": "about:blank", "status": 404},
          429: {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}},
    "tt": {401: {"error": {"code": "access_token_invalid",
                           "message": "The access token is invalid or not found in the request.",
                           "log_id": "202612060800000000000000000000001"}},
           403: {"error": {"code": "scope_not_authorized",
                           "message": "The user did not authorize the scope required for completing this request.",
                           "log_id": "202612060800000000000000000000002"}},
           404: {"error": {"code": "invalid_params", "message": "Not found", "log_id": "3"}},
           429: {"error": {"code": "rate_limit_exceeded",
                           "message": "The API rate limit was exceeded. Please try again later.",
                           "log_id": "202612060800000000000000000000004"}}},
}
PREFIXES = {"/li/": "li", "/x/": "x", "/tt/": "tt"}
TT_CDN = "/media/p16-sign.tiktokcdn-us.com/"
_cdn_seen = set()
_cdn_lock = threading.Lock()


def cdn(h, path):
    """TikTok's CDN: a cover URL answers once, then 403 (True when sent)."""
    if not path.startswith(TT_CDN):
        return False
    with _cdn_lock:
        again = h.path in _cdn_seen
        _cdn_seen.add(h.path)
    if not again:
        return False
    h.send(403, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
           "<Message>Request has expired</Message></Error>", "application/xml")
    return True


def load(h, name, media_origin):
    text = h.fixture_text(name)
    for host in MEDIA_HOSTS:
        text = text.replace(host, media_origin + "/media/" + host.split("//", 1)[1])
    return text


def x_rate(status, spent=False):
    reset = str(int(time.time()) + (3600 if spent else 1800 if status == 429 else 900))
    left = "0" if spent or status == 429 else "899"
    return [("x-rate-limit-limit", "900"), ("x-rate-limit-remaining", left),
            ("x-rate-limit-reset", reset)]


_big = []


def big_body():
    """11 MiB of JSON, made once: on a loaded machine making it per request
    took long enough for the fetcher's low-speed limit to cut in first."""
    if not _big:
        pad = "x" * 1024
        _big.append(('{"data":[' + ",".join('{"id":"%d","pad":"%s"}' % (i, pad)
                                            for i in range(11 * 1024)) + ']}').encode())
    return _big[0]


def fault(h, net, mode, missing_body):
    """The answer in a failing mode (True when sent)."""
    extra = x_rate(200) if net == "x" else []
    if mode in ("401", "403", "404", "429"):
        code = int(mode)
        if net == "x":
            extra = x_rate(code)
        h.send(code, json.dumps(ERRORS[net][code]), headers=extra)
        return True
    if mode == "html":
        h.send(502, "<html><head><title>502 Bad Gateway</title></head><body>"
               "<center><h1>502 Bad Gateway</h1></center></body></html>\n", "text/html")
        return True
    if mode == "html200":
        h.send(200, "<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>\n",
               "text/html; charset=utf-8")
        return True
    if mode == "malformed":
        h.send(200, '{"data": [{"id": "1", "text": "cut off', headers=extra)
        return True
    if mode == "big":
        h.send(200, big_body(), headers=extra)
        return True
    if mode == "missing":
        h.send(200, missing_body, headers=extra)
        return True
    if net == "x" and mode == "gone":
        h.send(200, h.fixture_text("x_user_not_found.json"), headers=extra)
        return True
    if net == "tt" and mode == "scope":
        h.send(200, json.dumps({"data": {}, **ERRORS["tt"][403]}))
        return True
    return False


def authorized(h, net):
    if h.headers.get("Authorization") == "Bearer " + TOKEN:
        return True
    h.send(401, json.dumps(ERRORS[net][401]), headers=x_rate(401) if net == "x" else [])
    return False


def route(h, modes, method, path, q, body):
    """Answers a LinkedIn, X or TikTok request; False when not one."""
    net = next((n for p, n in PREFIXES.items() if path.startswith(p)), None)
    if net is None:
        return False
    p = path[len(net) + 1:]
    if p.startswith("/_d"):
        seg, _, rest = p[3:].partition("/")
        time.sleep(int(seg) / 1000.0)
        p = "/" + rest
    if not authorized(h, net):
        return True
    mode = modes.get(net, "ok")
    media = "http://10.1.2.3" if mode == "private" else h.origin()
    {"li": linkedin, "x": x_api, "tt": tiktok}[net](h, mode, media, method, p, q, body)
    return True


# ---- LinkedIn ----

def linkedin(h, mode, media, method, p, q, body):
    if h.headers.get("X-Restli-Protocol-Version") != "2.0.0":
        return h.send(400, json.dumps({"status": 400, "code": "ILLEGAL_ARGUMENT",
                                       "message": "Restli protocol version header missing"}))
    if not h.headers.get("LinkedIn-Version"):
        return h.send(426, json.dumps({"status": 426, "code": "NONEXISTENT_VERSION",
                                       "message": "Requested version  is not active"}))
    if p == "/rest/posts" and q.get("q") == "author":
        if q.get("author") != "urn:li:organization:2414183" and \
                not bench_account(q.get("author", ""), "urn:li:organization:"):
            return h.send(403, json.dumps(ERRORS["li"][403]))
        missing = json.dumps({"paging": {"start": 0, "count": 50, "links": []},
                              "elements": [{"id": "urn:li:share:1", "commentary": "no dates"}]})
        if fault(h, "li", mode, missing):
            return None
        start = q.get("start", "0")
        if mode == "loop" or start == "0":
            return h.send(200, load(h, "linkedin_posts_1.json", media))
        if start == "4":
            return h.send(200, load(h, "linkedin_posts_2.json", media))
        return h.send(200, json.dumps({"paging": {"start": int(start), "count": 50, "links": []},
                                       "elements": []}))
    if p == "/rest/socialMetadata" and mode == "counts403":
        return h.send(403, json.dumps({"status": 403, "code": "ACCESS_DENIED", "message":
                                       "Not enough permissions to access: socialMetadata.BATCH_GET.NO_VERSION"}))
    if p == "/rest/socialMetadata" and mode == "countsjunk":
        return h.send(200, '{"results": {"urn:li:share:74')
    if p == "/rest/socialMetadata" and q.get("ids", "").startswith("List(") and q["ids"].endswith(")"):
        return social_metadata(h, q["ids"][5:-1].split(","))
    if p in ("/rest/images", "/rest/videos") and q.get("ids", "").startswith("List("):
        name = "linkedin_images.json" if p == "/rest/images" else "linkedin_videos.json"
        return h.send(200, load(h, name, media))
    return h.send(404, json.dumps(ERRORS["li"][404]))


def social_metadata(h, urns):
    """The batch get of socialMetadata: the asked posts' entries of the
    fixture (results, statuses, errors), nothing for an unknown URN."""
    doc = json.loads(h.fixture_text("linkedin_social_metadata.json"))
    out = {k: {u: v for u, v in doc[k].items() if u in urns} for k in ("results", "statuses", "errors")}
    return h.send(200, json.dumps(out))


# ---- X ----

def bench_account(s, prefix):
    """The bench's many accounts (prefix + 900000 + n) read as the one fixture account."""
    return s.startswith(prefix + "900") and s[len(prefix):].isdigit()


def x_lookup(h, media, name, q):
    """GET /2/users/by/username/:username: "brand" is the fixture's user;
    any other name is answered 200 with only "errors", as X does."""
    if name.lower() != "brand":
        return h.send(200, json.dumps({"errors": [{
            "value": name, "detail": "Could not find user with username: [%s]." % name,
            "title": "Not Found Error", "resource_type": "user", "parameter": "username",
            "resource_id": name, "type": "https://api.twitter.com/2/problems/resource-not-found"}]}),
            headers=x_rate(200))
    user = {"id": "2244994945", "name": "Brand", "username": "brand"}
    if "profile_image_url" in q.get("user.fields", ""):
        user["profile_image_url"] = media + "/media/pbs.twimg.com/profile_images/1/brand_normal.jpg"
    return h.send(200, json.dumps({"data": user}), headers=x_rate(200))


def x_api(h, mode, media, method, p, q, body):
    if p.startswith("/2/users/by/username/"):
        return x_lookup(h, media, p[len("/2/users/by/username/"):], q)
    parts = p.split("/")
    if len(parts) == 5 and parts[2] == "users" and bench_account(parts[3], ""):
        p = "/2/users/2244994945/tweets"
    first = p == "/2/users/2244994945/tweets" and "pagination_token" not in q
    search = p == "/2/tweets/search/recent"
    if (first or search) and mode == "spent":
        name = "x_search_1.json" if search else "x_tweets_1.json"
        return h.send(200, load(h, name, media), headers=x_rate(200, spent=True))
    if first or search:
        missing = json.dumps({"data": [{"text": "no id"}], "meta": {"result_count": 1}})
        if fault(h, "x", mode, missing):
            return None
    if search:
        if not q.get("query"):
            return h.send(400, json.dumps({"title": "Invalid Request", "detail": "query is required"}))
        if h.headers.get("If-None-Match") == ETAG:
            return h.send(304, b"", headers=x_rate(304) + [("ETag", ETAG)])
        return h.send(200, load(h, "x_search_1.json", media), headers=x_rate(200) + [("ETag", ETAG)])
    if first:
        return h.send(200, load(h, "x_tweets_1.json", media), headers=x_rate(200) + [("ETag", ETAG)])
    if p == "/2/users/2244994945/tweets":
        if mode == "loop":
            return h.send(200, load(h, "x_tweets_1.json", media), headers=x_rate(200))
        return h.send(200, load(h, "x_tweets_2.json", media), headers=x_rate(200))
    if p.startswith("/2/users/") and p.endswith("/tweets"):
        return h.send(200, h.fixture_text("x_user_not_found.json"), headers=x_rate(200))
    return h.send(404, json.dumps(ERRORS["x"][404]), headers=x_rate(404))


# ---- TikTok ----

_signatures = itertools.count(1)


def signed(text):
    """The covers as TikTok gives them: signed again on every call."""
    return text.replace("x-expires=1765000000&x-signature=abc", "x-expires=%d&x-signature=sig%d%%3D"
                        % (int(time.time()) + 6 * 3600, next(_signatures)))


def tiktok(h, mode, media, method, p, q, body):
    if method != "POST" or p != "/v2/video/list/":
        return h.send(404, json.dumps(ERRORS["tt"][404]))
    if "id" not in q.get("fields", "").split(","):
        return h.send(400, json.dumps({"error": {"code": "invalid_params",
                                                 "message": "fields is required", "log_id": "5"}}))
    try:
        req = json.loads(body or b"{}")
    except ValueError:
        return h.send(400, json.dumps({"error": {"code": "invalid_params",
                                                 "message": "body is not JSON", "log_id": "6"}}))
    missing = json.dumps({"data": {"videos": [{"title": "no id"}], "cursor": 0, "has_more": False},
                          "error": {"code": "ok", "message": "", "log_id": "7"}})
    if fault(h, "tt", mode, missing):
        return None
    cursor = req.get("cursor")
    if cursor is None or mode == "loop":
        text = load(h, "tiktok_videos_1.json", media)
        if mode == "loop" and cursor is not None:
            text = text.replace("1764800000000", str(cursor))
        return h.send(200, signed(text))
    return h.send(200, signed(load(h, "tiktok_videos_2.json", media)))

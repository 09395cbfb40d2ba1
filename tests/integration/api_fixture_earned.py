"""api_fixture_earned: the earned-media APIs for api_fixture.py — a
Mastodon hashtag timeline and a Bluesky post search, as their documentation
shows them, with posts made for the moderation tests (a trusted author, a
blocked author, a blocked word in capitals and non-ASCII, a link to a
blocked domain's subdomain, sensitive media, markup that must not run).

Routes (api_url of a source is http://127.0.0.1:PORT/mt or /bs):
  /mt/api/v1/timelines/tag/brandlaunch?limit=   the hashtag's statuses
  /bs/xrpc/app.bsky.feed.searchPosts?q=example brand&sort=latest&limit=[&cursor=]
                                                page 1, cursor "p2", page 2
  /_earned?mode=ok|500|html                     how both answer
"""

import json

state = {"mode": "ok"}


def account(origin, user, host, name):
    return {"id": str(abs(hash(user)) % 100000), "username": user, "acct": "%s@%s" % (user, host),
            "display_name": name, "url": "https://%s/@%s" % (host, user),
            "avatar": origin + "/media/%s/%s.png" % (host, user)}


def status(origin, sid, when, acct, content, media=False, sensitive=False, spoiler=""):
    st = {"id": sid, "created_at": when, "in_reply_to_id": None, "sensitive": sensitive,
          "spoiler_text": spoiler, "visibility": "public", "language": "en",
          "uri": "https://%s/users/%s/statuses/%s" % (acct["url"].split("/")[2], acct["username"], sid),
          "url": acct["url"] + "/" + sid, "replies_count": 0, "reblogs_count": 1,
          "favourites_count": 3, "edited_at": None, "content": content, "reblog": None,
          "account": acct, "media_attachments": [], "tags": [{"name": "brandlaunch"}], "card": None}
    if media:
        st["media_attachments"] = [{
            "id": sid + "1", "type": "image", "url": origin + "/media/files.social.example/%s.jpg" % sid,
            "preview_url": origin + "/media/files.social.example/%s-small.jpg" % sid,
            "meta": {"original": {"width": 800, "height": 600}},
            "description": "A photo for post %s" % sid, "blurhash": None}]
    return st


def tag_timeline(origin):
    fan = account(origin, "fan", "social.example", "Fan of the brand")
    spam = account(origin, "spammer", "spam.example", "Cheap Followers")
    troll = account(origin, "grumpy", "social.example", "Grumpy")
    amb = account(origin, "ambassador", "mastodon.example", "Brand Ambassador")
    xss = account(origin, "xss", "social.example", "<img src=x onerror=alert(9)>Mallory")
    return [
        status(origin, "2007", "2026-12-06T09:00:00.000Z", amb,
               "<p>Official: the #brandlaunch shop opens today</p>"),
        status(origin, "2006", "2026-12-06T08:00:00.000Z", xss,
               "<p>nice launch<img src=x onerror=alert(1)><script>alert(2)</script>"
               "<a href=\"javascript:alert(3)\">click</a></p>"),
        status(origin, "2005", "2026-12-06T07:00:00.000Z", fan,
               "<p>party pictures #brandlaunch</p>", media=True, sensitive=True),
        status(origin, "2004", "2026-12-06T06:00:00.000Z", fan,
               "<p>Get a discount at <a href=\"https://promo.badsite.example/x\">this shop</a></p>"),
        status(origin, "2003", "2026-12-06T05:00:00.000Z", troll,
               "<p>What an ÄRGERLICH launch, pure ÄRGER #brandlaunch</p>"),
        status(origin, "2002", "2026-12-06T04:00:00.000Z", spam,
               "<p>Buy followers now #brandlaunch</p>"),
        status(origin, "2001", "2026-12-06T03:00:00.000Z", fan,
               "<p>Love the new #brandlaunch shop!</p>", media=True),
    ]


def post(origin, rkey, when, handle, name, text, labels=(), image=False):
    did = "did:plc:" + (handle.split(".")[0] + "a" * 24)[:24]
    p = {"uri": "at://%s/app.bsky.feed.post/%s" % (did, rkey), "cid": "bafy" + rkey,
         "author": {"did": did, "handle": handle, "displayName": name,
                    "avatar": origin + "/media/cdn.bsky.app/%s.jpg" % handle, "labels": []},
         "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": when, "langs": ["en"]},
         "replyCount": 0, "repostCount": 0, "likeCount": 2, "indexedAt": when,
         "labels": [{"src": did, "uri": "at://%s/app.bsky.feed.post/%s" % (did, rkey), "val": v,
                     "cts": when} for v in labels]}
    if image:
        p["embed"] = {"$type": "app.bsky.embed.images#view", "images": [{
            "thumb": origin + "/media/cdn.bsky.app/img/%s-thumb.jpg" % rkey,
            "fullsize": origin + "/media/cdn.bsky.app/img/%s.jpg" % rkey,
            "alt": "photo %s" % rkey, "aspectRatio": {"width": 4, "height": 3}}]}
    return p


def search(origin, cursor):
    if cursor == "p2":
        return {"posts": [post(origin, "3kb3", "2026-12-06T02:30:00.000Z", "early.bsky.social",
                               "Early Bird", "first to see Example Brand's shop")]}
    return {"cursor": "p2", "hitsTotal": 3, "posts": [
        post(origin, "3kb1", "2026-12-06T08:30:00.000Z", "shopper.bsky.social", "Shopper",
             "Shopping at Example Brand today", image=True),
        post(origin, "3kb2", "2026-12-06T07:30:00.000Z", "party.bsky.social", "Party",
             "Example Brand after-party", labels=("porn",), image=True),
    ]}


def handle(h, p, q):
    """Answers the request when it is an earned-media route; False else."""
    if p == "/_earned":
        state["mode"] = q.get("mode", "ok")
        h.send(200, "ok\n", "text/plain")
        return True
    if not (p.startswith("/mt/") or p.startswith("/bs/")):
        return False
    origin = h.origin()
    if state["mode"] == "500":
        h.send(500, json.dumps({"error": "Internal Server Error"}))
        return True
    if state["mode"] == "html":
        h.send(200, "<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html")
        return True
    if p == "/mt/api/v1/timelines/tag/brandlaunch":
        h.send(200, json.dumps(tag_timeline(origin)), headers=h.rate_headers("m", 200))
    elif p.startswith("/mt/api/v1/timelines/tag/"):
        h.send(200, "[]", headers=h.rate_headers("m", 200))
    elif p == "/bs/xrpc/app.bsky.feed.searchPosts" and q.get("q") == "example brand" \
            and q.get("sort") == "latest":
        h.send(200, json.dumps(search(origin, q.get("cursor"))), headers=h.rate_headers("b", 200))
    elif p == "/bs/xrpc/app.bsky.feed.searchPosts":
        h.send(400, json.dumps({"error": "InvalidRequest", "message": "Error: q is required"}))
    else:
        h.send(404, json.dumps({"error": "Record not found"}))
    return True

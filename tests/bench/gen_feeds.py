#!/usr/bin/python3
"""Writes large real-world-shaped feeds for parse_bench.sh: a WordPress-
style RSS 2.0, a blog-platform Atom 1.0 with escaped HTML, a YouTube-style
Atom with media:group, and a JSON Feed 1.1. Deterministic (seeded)."""
import json
import random
import sys
from xml.sax.saxutils import escape

WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do '
         'eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim '
         'ad minim veniam quis nostrud exercitation ullamco laboris nisi '
         'aliquip ex ea commodo consequat caf\u00e9 na\u00efve \u00fcber '
         '\u201cquoted\u201d \u2014 dash').split()


def words(r, n):
    return ' '.join(r.choice(WORDS) for _ in range(n))


def html_body(r, i):
    parts = ['<p>%s <a href="https://blog.example.com/%d/related">%s</a>.</p>'
             % (words(r, 40), i, words(r, 3))]
    parts.append('<p><img src="/wp-content/uploads/%d.jpg" alt="%s" '
                 'width="640" height="480" srcset="/wp-content/uploads/%d-300.jpg 300w, '
                 '/wp-content/uploads/%d-1024.jpg 1024w"></p>' % (i, words(r, 2), i, i))
    parts.append('<p><strong>%s</strong> %s <em>%s</em> &amp; %s</p>'
                 % (words(r, 4), words(r, 50), words(r, 3), words(r, 30)))
    parts.append('<ul>%s</ul>' % ''.join('<li>%s</li>' % words(r, 8) for _ in range(5)))
    parts.append('<blockquote><p>%s</p></blockquote>' % words(r, 40))
    parts.append('<p style="text-align: center;">%s</p>' % words(r, 60))
    parts.append('<p>%s <a href="https://twitter.example/share?u=%d" '
                 'onclick="track()">share</a></p>' % (words(r, 20), i))
    return '\n'.join(parts)


def rfc822(i):
    day = 1 + i % 28
    return 'Mon, %02d Jan 2024 %02d:%02d:00 +0000' % (day, i % 24, i % 60)


def iso(i):
    return '2024-01-%02dT%02d:%02d:00Z' % (1 + i % 28, i % 24, i % 60)


def rss(r, n):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" '
           'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
           'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
           'xmlns:media="http://search.yahoo.com/mrss/">',
           '<channel><title>Example Blog</title>',
           '<atom:link href="https://blog.example.com/feed/" rel="self" type="application/rss+xml" />',
           '<link>https://blog.example.com</link><description>%s</description>' % words(r, 10),
           '<lastBuildDate>%s</lastBuildDate><language>en-US</language>' % rfc822(0),
           '<sy:updatePeriod>hourly</sy:updatePeriod><generator>https://wordpress.org/?v=6.4</generator>']
    for i in range(n):
        body = html_body(r, i)
        out.append(
            '<item><title>%s</title><link>https://blog.example.com/%d/%s/</link>'
            '<comments>https://blog.example.com/%d/#respond</comments>'
            '<dc:creator><![CDATA[%s]]></dc:creator><pubDate>%s</pubDate>'
            '<category><![CDATA[%s]]></category><category><![CDATA[%s]]></category>'
            '<guid isPermaLink="false">https://blog.example.com/?p=%d</guid>'
            '<description><![CDATA[%s [&#8230;]]]></description>'
            '<content:encoded><![CDATA[%s]]></content:encoded>'
            '<wfw:commentRss>https://blog.example.com/%d/feed/</wfw:commentRss>'
            '<slash:comments>%d</slash:comments>'
            '<media:content url="https://blog.example.com/wp-content/uploads/%d.jpg" medium="image" />'
            '</item>' % (escape(words(r, 8)), i, words(r, 1), i, words(r, 2), rfc822(i),
                         words(r, 1), words(r, 1), i, words(r, 55), body, i, i % 30, i))
    out.append('</channel></rss>')
    return '\n'.join(out)


def atom(r, n):
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://dev.example.org/">',
           '<title>Dev Notes</title><subtitle>%s</subtitle>' % words(r, 8),
           '<link href="/" /><link rel="self" href="/atom.xml" /><id>tag:dev.example.org,2024:feed</id>',
           '<updated>%s</updated><author><name>Dev Team</name><uri>/team</uri></author>' % iso(0)]
    for i in range(n):
        out.append(
            '<entry><title type="html">%s &amp;amp; %s</title>'
            '<link rel="alternate" type="text/html" href="/posts/%d.html" />'
            '<id>tag:dev.example.org,2024:post-%d</id><published>%s</published>'
            '<updated>%s</updated><author><name>%s</name></author>'
            '<category term="%s" /><summary type="text">%s</summary>'
            '<content type="html">%s</content></entry>'
            % (escape(words(r, 5)), escape(words(r, 2)), i, i, iso(i), iso(i + 1),
               words(r, 2), words(r, 1), words(r, 30), escape(html_body(r, i))))
    out.append('</feed>')
    return '\n'.join(out)


def youtube(r, n):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
           'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">',
           '<link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UCexample"/>',
           '<id>yt:channel:UCexample</id><yt:channelId>UCexample</yt:channelId>',
           '<title>Example Channel</title><link rel="alternate" href="https://www.youtube.com/channel/UCexample"/>',
           '<author><name>Example Channel</name><uri>https://www.youtube.com/channel/UCexample</uri></author>',
           '<published>2015-01-01T00:00:00+00:00</published>']
    for i in range(n):
        vid = 'v%010d' % i
        out.append(
            '<entry><id>yt:video:%s</id><yt:videoId>%s</yt:videoId><yt:channelId>UCexample</yt:channelId>'
            '<title>%s</title><link rel="alternate" href="https://www.youtube.com/watch?v=%s"/>'
            '<author><name>Example Channel</name><uri>https://www.youtube.com/channel/UCexample</uri></author>'
            '<published>%s</published><updated>%s</updated>'
            '<media:group><media:title>%s</media:title>'
            '<media:content url="https://www.youtube.com/v/%s?version=3" type="application/x-shockwave-flash" width="640" height="390"/>'
            '<media:thumbnail url="https://i1.ytimg.com/vi/%s/hqdefault.jpg" width="480" height="360"/>'
            '<media:description>%s</media:description>'
            '<media:community><media:starRating count="%d" average="5.00" min="1" max="5"/>'
            '<media:statistics views="%d"/></media:community></media:group></entry>'
            % (vid, vid, escape(words(r, 6)), vid, iso(i), iso(i), escape(words(r, 6)),
               vid, vid, escape(words(r, 120)), i, i * 10))
    out.append('</feed>')
    return '\n'.join(out)


def jsonfeed(r, n):
    items = []
    for i in range(n):
        items.append({
            'id': 'https://micro.example.net/%d' % i,
            'url': 'https://micro.example.net/%d' % i,
            'title': words(r, 6),
            'content_html': html_body(r, i),
            'summary': words(r, 25),
            'date_published': iso(i),
            'authors': [{'name': words(r, 2), 'url': 'https://micro.example.net/'}],
            'tags': [words(r, 1), words(r, 1)],
            'image': 'https://micro.example.net/img/%d.jpg' % i,
        })
    return json.dumps({'version': 'https://jsonfeed.org/version/1.1',
                       'title': 'Micro', 'home_page_url': 'https://micro.example.net/',
                       'feed_url': 'https://micro.example.net/feed.json',
                       'items': items}, ensure_ascii=False, indent=1)


def main(outdir, items=None, seed=4711, prefix=''):
    r = random.Random(seed)
    for name, fn, n in (('wordpress-rss20.xml', rss, 900), ('blog-atom10.xml', atom, 900),
                        ('youtube-atom.xml', youtube, 2500), ('micro-jsonfeed.json', jsonfeed, 900)):
        with open('%s/%s%s' % (outdir, prefix, name), 'w', encoding='utf-8') as f:
            f.write(fn(r, n if items is None else items))


if __name__ == '__main__':
    # gen_feeds.py OUTDIR [ITEMS SEED PREFIX]: ITEMS per feed instead of
    # the parse benchmark's sizes, another seed, a file name prefix.
    if len(sys.argv) > 2:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        main(sys.argv[1])

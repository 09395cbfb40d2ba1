#!/usr/bin/python3
"""Real-world-style feed generator for the differential run (wild_diff.py).

Deterministic: the same seed writes the same bytes. Each category imitates
a shape publishers send (WordPress, Blogger, YouTube, Mastodon, Substack,
Ghost, podcasts, .NET SyndicationFeed) or a fault seen in the wild
(leading junk, unclosed HTML in descriptions, an unclosed itunes:category,
one bad byte, undeclared or legacy charsets, UTF-16, localized dates,
undefined entities). Nothing is copied from another project's suite.

Usage: wild_gen.py [--seed N] OUTDIR   (writes CATEGORY-NNN.xml|json and
truth.json: per file, the instants the generator put in its items, in UTC
seconds, used where feedparser reads no date; see wild_diff.py).
"""
import json
import os
import random
import sys
import time

SEED = 14

WORDS = ('release notes update weekly digest garden kitchen travel rust '
         'python linux podcast episode interview review guide budget city '
         'music election harbour winter summer bridge library open source '
         'community meetup recipe bread coffee trail mountain river').split()
# Titles that carry what trips parsers: entities, quotes, non-ASCII, markup
# characters (the XML escaping is the writer's job, below).
SPICE = ['Tom & Jerry', 'Q&A', '5 < 6', 'C++ tips', '"quoted"', "it's",
         'Caf\u00e9 cr\u00e8me', '\u00dcber Stra\u00dfen', 'na\u00efve r\u00e9sum\u00e9',
         '\u201csmart quotes\u201d', 'em \u2014 dash', '\u20ac 5', '\u00a1Hola!',
         'Ni\u00f1o', '\u00c5ngstr\u00f6m']
LATIN1_SPICE = ['Caf\u00e9 cr\u00e8me', '\u00dcber Stra\u00dfen', 'na\u00efve r\u00e9sum\u00e9',
                '\u00a1Hola!', 'Ni\u00f1o', '\u00c5ngstr\u00f6m', 'gar\u00e7on']
CP1252_SPICE = ['\u201csmart quotes\u201d', 'em \u2014 dash', '\u20ac 5', 'it\u2019s',
                'Caf\u00e9', '\u2026 and more']

WDAY_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
MON_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep',
          'Oct', 'Nov', 'Dec']
# Localized forms as CMSes print them (strftime with a locale, hand-made
# templates); weekday first, then day, month, year, time, offset.
LOCAL = {
    'de': (['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So'],
           ['Jan', 'Feb', 'M\u00e4r', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug',
            'Sep', 'Okt', 'Nov', 'Dez']),
    'fr': (['lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.', 'dim.'],
           ['janv.', 'f\u00e9vr.', 'mars', 'avr.', 'mai', 'juin', 'juil.',
            'ao\u00fbt', 'sept.', 'oct.', 'nov.', 'd\u00e9c.']),
    'es': (['lun', 'mar', 'mi\u00e9', 'jue', 'vie', 's\u00e1b', 'dom'],
           ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sep',
            'oct', 'nov', 'dic']),
    'it': (['lun', 'mar', 'mer', 'gio', 'ven', 'sab', 'dom'],
           ['gen', 'feb', 'mar', 'apr', 'mag', 'giu', 'lug', 'ago', 'set',
            'ott', 'nov', 'dic']),
    'pt': (['seg', 'ter', 'qua', 'qui', 'sex', 's\u00e1b', 'dom'],
           ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set',
            'out', 'nov', 'dez']),
    'nl': (['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'],
           ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep',
            'okt', 'nov', 'dec']),
}
LONG_MONTHS = {
    'de': ['Januar', 'Februar', 'M\u00e4rz', 'April', 'Mai', 'Juni', 'Juli',
           'August', 'September', 'Oktober', 'November', 'Dezember'],
    'es': ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio',
           'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
    'it': ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno',
           'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'],
    'pt': ['janeiro', 'fevereiro', 'mar\u00e7o', 'abril', 'maio', 'junho',
           'julho', 'agosto', 'setembro', 'outubro', 'novembro', 'dezembro'],
    'nl': ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli',
           'augustus', 'september', 'oktober', 'november', 'december'],
    'fr': ['janvier', 'f\u00e9vrier', 'mars', 'avril', 'mai', 'juin',
           'juillet', 'ao\u00fbt', 'septembre', 'octobre', 'novembre',
           'd\u00e9cembre'],
}


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def attr(s):
    return esc(s).replace('"', '&quot;')


def cdata(s):
    return '<![CDATA[' + s.replace(']]>', ']]]]><![CDATA[>') + ']]>'


class Gen:
    """One random stream per feed, so adding a category shifts no other."""

    def __init__(self, seed, cat, n):
        self.r = random.Random('%s/%s/%d' % (seed, cat, n))
        self.truth = []

    def words(self, lo=2, hi=6):
        return ' '.join(self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi)))

    def title(self, spice=SPICE):
        t = self.words(1, 4).capitalize()
        if self.r.random() < 0.45:
            t = t + ': ' + self.r.choice(spice)
        return t

    def slug(self):
        return '-'.join(self.words(2, 4).split())

    def instant(self):
        # 2022-01-01 .. 2025-12-31, whole seconds, and an offset in
        # quarter hours between -10:00 and +13:00.
        t = self.r.randint(1640995200, 1767139200)
        off = self.r.choice([0, 0, 0, 60, 120, -300, -240, -420, 330, 540, 600, -180, 780])
        return t, off

    def rfc822(self, t, off, gmt=False):
        lt = time.gmtime(t + off * 60)
        if gmt and off == 0:
            z = 'GMT'
        else:
            z = '%s%02d%02d' % ('-' if off < 0 else '+', abs(off) // 60, abs(off) % 60)
        return '%s, %02d %s %04d %02d:%02d:%02d %s' % (
            WDAY_EN[lt.tm_wday], lt.tm_mday, MON_EN[lt.tm_mon - 1], lt.tm_year,
            lt.tm_hour, lt.tm_min, lt.tm_sec, z)

    def rfc3339(self, t, off, frac=''):
        lt = time.gmtime(t + off * 60)
        z = 'Z' if off == 0 and self.r.random() < 0.5 else '%s%02d:%02d' % (
            '-' if off < 0 else '+', abs(off) // 60, abs(off) % 60)
        return '%04d-%02d-%02dT%02d:%02d:%02d%s%s' % (
            lt.tm_year, lt.tm_mon, lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec, frac, z)

    def para(self):
        return '<p>%s.</p>' % esc(self.words(6, 14).capitalize())


def xml_decl(enc='UTF-8'):
    return '<?xml version="1.0" encoding="%s"?>\n' % enc


# ---- well-formed publisher shapes ----

def wordpress(g, n):
    site = 'https://%s.example.com' % g.r.choice(['blog', 'news', 'kitchen', 'garden'])
    out = [xml_decl(), '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
           'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">\n<channel>\n',
           '<title>%s</title>\n<atom:link href="%s/feed/" rel="self" type="application/rss+xml" />\n'
           '<link>%s</link>\n<description>%s</description>\n<lastBuildDate>%s</lastBuildDate>\n'
           '<language>en-US</language>\n<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n'
           '<generator>https://wordpress.org/?v=6.4.3</generator>\n'
           % (esc(g.title()), site, site, esc(g.words()), g.rfc822(*g.instant()))]
    for i in range(g.r.randint(3, 10)):
        t, off = g.instant()
        title = g.title()
        # WordPress writes typographic characters as numeric references.
        title_x = esc(title).replace('\u2019', '&#8217;').replace('\u2014', '&#8212;')
        link = '%s/%d/%s/' % (site, 2020 + i, g.slug())
        out.append('<item>\n\t<title>%s</title>\n\t<link>%s</link>\n'
                   '\t<comments>%s#respond</comments>\n\t<dc:creator>%s</dc:creator>\n'
                   '\t<pubDate>%s</pubDate>\n\t<category>%s</category>\n'
                   '\t<guid isPermaLink="false">%s/?p=%d</guid>\n'
                   '\t<description>%s</description>\n\t<content:encoded>%s</content:encoded>\n'
                   '\t<wfw:commentRss>%sfeed/</wfw:commentRss>\n\t<slash:comments>%d</slash:comments>\n'
                   '</item>\n' % (title_x, link, link, cdata(g.words(1, 2).title()),
                                  g.rfc822(t, off), cdata(g.words(1, 1)), site, 100 + i,
                                  cdata(g.words(8, 20) + ' [&#8230;]'),
                                  cdata(g.para() + '<p><img src="%s/wp-content/uploads/x%d.jpg" '
                                        'alt="" /></p>' % (site, i) + g.para()),
                                  link, g.r.randint(0, 9)))
        g.truth.append(t)
    out.append('</channel>\n</rss>\n')
    return ''.join(out).encode('utf-8')


def blogger(g, n):
    bid = g.r.randint(10 ** 17, 10 ** 18)
    host = 'https://%s.blogspot.com' % g.r.choice(['dailycook', 'mytrails', 'codenotes'])
    out = ["<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
           "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
           "xmlns:blogger='http://schemas.google.com/blogger/2008' "
           "xmlns:georss='http://www.georss.org/georss' xmlns:gd='http://schemas.google.com/g/2005' "
           "xmlns:thr='http://purl.org/syndication/thread/1.0'>",
           "<id>tag:blogger.com,1999:blog-%d</id><updated>%s</updated>" % (bid, g.rfc3339(*g.instant(), frac='.%03d' % g.r.randint(0, 999))),
           "<title type='text'>%s</title><subtitle type='html'></subtitle>" % esc(g.title()),
           "<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='%s/feeds/posts/default'/>" % host,
           "<link rel='alternate' type='text/html' href='%s/'/>" % host,
           "<author><name>%s</name><uri>https://www.blogger.com/profile/%d</uri><email>noreply@blogger.com</email>"
           "<gd:image rel='http://schemas.google.com/g/2005#thumbnail' width='16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/></author>"
           % (g.words(1, 2).title(), g.r.randint(10 ** 9, 10 ** 10)),
           "<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>"
           "<openSearch:totalResults>42</openSearch:totalResults><openSearch:startIndex>1</openSearch:startIndex>"]
    for i in range(g.r.randint(3, 8)):
        t, off = g.instant()
        pid = g.r.randint(10 ** 17, 10 ** 18)
        link = '%s/2024/%02d/%s.html' % (host, i + 1, g.slug())
        out.append("<entry><id>tag:blogger.com,1999:blog-%d.post-%d</id><published>%s</published>"
                   "<updated>%s</updated><category scheme='http://www.blogger.com/atom/ns#' term='%s'/>"
                   "<title type='text'>%s</title><content type='html'>%s</content>"
                   "<link rel='replies' type='application/atom+xml' href='%s/feeds/%d/comments/default' title='Post Comments'/>"
                   "<link rel='replies' type='text/html' href='%s#comment-form' title='0 Comments'/>"
                   "<link rel='edit' type='application/atom+xml' href='https://www.blogger.com/feeds/%d/posts/default/%d'/>"
                   "<link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/%d/posts/default/%d'/>"
                   "<link rel='alternate' type='text/html' href='%s' title='%s'/>"
                   "<author><name>%s</name></author><thr:total>0</thr:total></entry>"
                   % (bid, pid, g.rfc3339(t, off, '.%03d' % g.r.randint(0, 999)),
                      g.rfc3339(t + 3600, off, '.%03d' % g.r.randint(0, 999)), attr(g.words(1, 1)),
                      esc(g.title()), esc(g.para() + '<br />' + g.para()), host, pid, link,
                      bid, pid, bid, pid, link, attr(g.words(2, 3)), g.words(1, 2).title()))
        g.truth.append(t)
    out.append('</feed>')
    return ''.join(out).encode('utf-8')


def youtube(g, n):
    cid = 'UC' + ''.join(g.r.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-') for _ in range(22))
    name = g.title()
    out = [xml_decl(), '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
           'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">\n',
           ' <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=%s"/>\n'
           ' <id>yt:channel:%s</id>\n <yt:channelId>%s</yt:channelId>\n <title>%s</title>\n'
           ' <link rel="alternate" href="https://www.youtube.com/channel/%s"/>\n'
           ' <author>\n  <name>%s</name>\n  <uri>https://www.youtube.com/channel/%s</uri>\n </author>\n'
           ' <published>%s</published>\n' % (cid, cid[2:], cid, esc(name), cid, esc(name), cid,
                                             g.rfc3339(*g.instant()))]
    for i in range(g.r.randint(4, 15)):
        t, off = g.instant()
        vid = ''.join(g.r.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-') for _ in range(11))
        title = g.title()
        out.append(' <entry>\n  <id>yt:video:%s</id>\n  <yt:videoId>%s</yt:videoId>\n'
                   '  <yt:channelId>%s</yt:channelId>\n  <title>%s</title>\n'
                   '  <link rel="alternate" href="https://www.youtube.com/watch?v=%s"/>\n'
                   '  <author>\n   <name>%s</name>\n   <uri>https://www.youtube.com/channel/%s</uri>\n  </author>\n'
                   '  <published>%s</published>\n  <updated>%s</updated>\n'
                   '  <media:group>\n   <media:title>%s</media:title>\n'
                   '   <media:content url="https://www.youtube.com/v/%s?version=3" type="application/x-shockwave-flash" width="640" height="390"/>\n'
                   '   <media:thumbnail url="https://i%d.ytimg.com/vi/%s/hqdefault.jpg" width="480" height="360"/>\n'
                   '   <media:description>%s</media:description>\n'
                   '   <media:community>\n    <media:starRating count="%d" average="5.00" min="1" max="5"/>\n'
                   '    <media:statistics views="%d"/>\n   </media:community>\n  </media:group>\n </entry>\n'
                   % (vid, vid, cid, esc(title), vid, esc(name), cid,
                      g.rfc3339(t, 0), g.rfc3339(t + g.r.randint(0, 90000), 0), esc(title), vid,
                      g.r.randint(1, 4), vid, esc(g.words(5, 20) + '\nhttps://example.com/link'),
                      g.r.randint(0, 999), g.r.randint(0, 10 ** 6)))
        g.truth.append(t)
    out.append('</feed>\n')
    return ''.join(out).encode('utf-8')


def mastodon(g, n):
    user = g.r.choice(['alice', 'bob', 'carol', 'dave'])
    inst = g.r.choice(['mastodon.social', 'hachyderm.io', 'fosstodon.org'])
    out = [xml_decl(), '<rss version="2.0" xmlns:webfeeds="http://webfeeds.org/rss/1.0" '
           'xmlns:media="http://search.yahoo.com/mrss/">\n  <channel>\n',
           '    <title>%s</title>\n    <description>Public posts from @%s@%s</description>\n'
           '    <link>https://%s/@%s</link>\n    <image>\n      <url>https://files.%s/accounts/avatars/1.png</url>\n'
           '      <title>%s</title>\n      <link>https://%s/@%s</link>\n    </image>\n'
           '    <lastBuildDate>%s</lastBuildDate>\n    <webfeeds:icon>https://files.%s/accounts/avatars/1.png</webfeeds:icon>\n'
           '    <generator>Mastodon v4.2.8</generator>\n'
           % (user.title(), user, inst, inst, user, inst, user.title(), inst, user,
              g.rfc822(*g.instant()), inst)]
    for i in range(g.r.randint(5, 20)):
        t, _ = g.instant()
        sid = g.r.randint(10 ** 17, 10 ** 18)
        body = '<p>%s <a href="https://%s/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a></p>' % (
            esc(g.words(4, 20)), inst, g.r.choice(WORDS), g.r.choice(WORDS))
        media = ''
        if g.r.random() < 0.3:
            media = ('      <media:content url="https://files.%s/media/%d.png" type="image/png" fileSize="%d" medium="image">\n'
                     '        <media:rating scheme="urn:simple">nonadult</media:rating>\n'
                     '        <media:description type="plain">%s</media:description>\n      </media:content>\n'
                     % (inst, sid, g.r.randint(1000, 99999), esc(g.words())))
        # No <title>: Mastodon items have none.
        out.append('    <item>\n      <guid isPermaLink="true">https://%s/@%s/%d</guid>\n'
                   '      <link>https://%s/@%s/%d</link>\n      <pubDate>%s</pubDate>\n'
                   '      <description>%s</description>\n%s      <category>%s</category>\n    </item>\n'
                   % (inst, user, sid, inst, user, sid, g.rfc822(t, 0), esc(body), media, g.r.choice(WORDS)))
        g.truth.append(t)
    out.append('  </channel>\n</rss>\n')
    return ''.join(out).encode('utf-8')


def substack(g, n):
    pub = g.r.choice(['thebrief', 'oneuseful', 'slowcity'])
    out = [xml_decl(), '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
           'xmlns:googleplay="http://www.google.com/schemas/play-podcasts/1.0"><channel>',
           '<title>%s</title><description>%s</description><link>https://%s.substack.com</link>'
           '<image><url>https://substackcdn.com/image/fetch/w_256/logo.png</url><title>%s</title><link>https://%s.substack.com</link></image>'
           '<generator>Substack</generator><lastBuildDate>%s</lastBuildDate>'
           '<atom:link href="https://%s.substack.com/feed" rel="self" type="application/rss+xml"/>'
           '<author>%s</author><copyright>%s</copyright><language>en</language>'
           '<webMaster>%s@substack.com</webMaster><itunes:owner><itunes:email>%s@substack.com</itunes:email><itunes:name>%s</itunes:name></itunes:owner>'
           % (cdata(g.title()), cdata(g.words()), pub, cdata(pub), pub, g.rfc822(*g.instant(), gmt=True), pub,
              cdata(pub.title()), cdata(pub.title()), pub, pub, cdata(pub.title()))]
    for i in range(g.r.randint(3, 12)):
        t, _ = g.instant()
        link = 'https://%s.substack.com/p/%s' % (pub, g.slug())
        out.append('<item><title>%s</title><description>%s</description><link>%s</link>'
                   '<guid isPermaLink="false">%s</guid><dc:creator>%s</dc:creator><pubDate>%s</pubDate>'
                   '<enclosure url="https://substack-post-media.s3.amazonaws.com/public/images/%d.jpeg" length="0" type="image/jpeg"/>'
                   '<content:encoded>%s</content:encoded></item>'
                   % (cdata(g.title()), cdata(g.words(6, 16)), link, link, cdata(g.words(1, 2).title()),
                      g.rfc822(t, 0, gmt=True), g.r.randint(1, 10 ** 6),
                      cdata(g.para() + '<div class="captioned-image-container"><figure><img src="https://substackcdn.com/x.png"></figure></div>' + g.para())))
        g.truth.append(t)
    out.append('</channel></rss>')
    return ''.join(out).encode('utf-8')


def ghost(g, n):
    site = 'https://%s.ghost.io' % g.r.choice(['notes', 'indiedev', 'fieldwork'])
    out = ['<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" '
           'version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>',
           '<title>%s</title><description>%s</description><link>%s/</link>'
           '<image><url>%s/favicon.png</url><title>%s</title><link>%s/</link></image>'
           '<generator>Ghost 5.80</generator><lastBuildDate>%s</lastBuildDate>'
           '<atom:link href="%s/rss/" rel="self" type="application/rss+xml"/><ttl>60</ttl>'
           % (cdata(g.title()), cdata(g.words()), site, site, esc(g.words(1, 2)), site,
              g.rfc822(*g.instant(), gmt=True), site)]
    for i in range(g.r.randint(3, 15)):
        t, _ = g.instant()
        slug = g.slug()
        out.append('<item><title>%s</title><description>%s</description><link>%s/%s/</link>'
                   '<guid isPermaLink="false">%024x</guid><category>%s</category><dc:creator>%s</dc:creator>'
                   '<pubDate>%s</pubDate><media:content url="%s/content/images/2024/0%d/%s.jpg" medium="image"/>'
                   '<content:encoded>%s</content:encoded></item>'
                   % (cdata(g.title()), cdata(g.words(5, 12)), site, slug, g.r.getrandbits(96),
                      cdata(g.words(1, 1).title()), cdata(g.words(1, 2).title()), g.rfc822(t, 0, gmt=True),
                      site, 1 + i % 9, slug, cdata('<img src="%s/content/images/%s.jpg" alt="%s">' % (site, slug, attr(g.words())) + g.para())))
        g.truth.append(t)
    out.append('</channel></rss>')
    return ''.join(out).encode('utf-8')


def podcast(g, n, unclosed_category=False):
    show = g.title()
    site = 'https://%s.example.fm' % g.r.choice(['talk', 'deep', 'weekly'])
    cat = ('<itunes:category text="Technology">\n' if unclosed_category else
           '<itunes:category text="Technology"><itunes:category text="Tech News"/></itunes:category>\n')
    out = [xml_decl(), '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:podcast="https://podcastindex.org/namespace/1.0">\n<channel>\n',
           '<title>%s</title>\n<link>%s</link>\n<language>en-us</language>\n<itunes:author>%s</itunes:author>\n'
           '<itunes:summary>%s</itunes:summary>\n<description>%s</description>\n'
           '<itunes:owner><itunes:name>%s</itunes:name><itunes:email>host@example.fm</itunes:email></itunes:owner>\n'
           '<itunes:image href="%s/cover.jpg"/>\n%s<itunes:explicit>false</itunes:explicit>\n'
           % (esc(show), site, esc(g.words(1, 2).title()), esc(g.words(8, 20)), esc(g.words(8, 20)),
              esc(g.words(1, 2).title()), site, cat)]
    for i in range(g.r.randint(3, 12)):
        t, off = g.instant()
        ep = 100 - i
        title = 'Ep. %d: %s' % (ep, g.title())
        out.append('<item>\n<title>%s</title>\n<itunes:title>%s</itunes:title>\n<itunes:episode>%d</itunes:episode>\n'
                   '<pubDate>%s</pubDate>\n<guid isPermaLink="false">%s-ep-%d</guid>\n<link>%s/episodes/%d</link>\n'
                   '<enclosure url="https://cdn.example.fm/%d.mp3" length="%d" type="audio/mpeg"/>\n'
                   '<itunes:duration>%s</itunes:duration>\n<itunes:summary>%s</itunes:summary>\n'
                   '<content:encoded>%s</content:encoded>\n<itunes:explicit>no</itunes:explicit>\n</item>\n'
                   % (esc(title), esc(title), ep, g.rfc822(t, off), site, ep, site, ep, ep,
                      g.r.randint(10 ** 6, 10 ** 8),
                      g.r.choice(['%d' % g.r.randint(600, 7200), '%02d:%02d:%02d' % (g.r.randint(0, 2), g.r.randint(0, 59), g.r.randint(0, 59)), '%d:%02d' % (g.r.randint(10, 90), g.r.randint(0, 59))]),
                      esc(g.words(8, 20)), cdata(g.para() + '<ul><li>%s</li></ul>' % esc(g.words()))))
        g.truth.append(t)
    out.append('</channel>\n</rss>\n')
    return ''.join(out).encode('utf-8')


def itunes_unclosed(g, n):
    return podcast(g, n, unclosed_category=True)


def dotnet(g, n):
    site = 'https://%s.example.com' % g.r.choice(['contoso', 'fabrikam', 'northwind'])
    out = ['<?xml version="1.0" encoding="utf-8"?><rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel>',
           '<title>%s</title><link>%s/</link><description>%s</description>' % (esc(g.title()), site, esc(g.words())),
           '<a10:id>urn:uuid:%08x-0000-4000-8000-%012x</a10:id>' % (g.r.getrandbits(32), g.r.getrandbits(48))]
    for i in range(g.r.randint(3, 10)):
        t, off = g.instant()
        link = '%s/posts/%d' % (site, 1000 + i)
        style = g.r.randint(0, 2)
        if style == 0:
            lk = '<a10:link href="%s" />' % link
        elif style == 1:
            lk = '<link>%s</link>' % link
        else:
            lk = '<a10:link rel="alternate" type="text/html" href="%s" />' % link
        date = ('<a10:updated>%s</a10:updated>' % g.rfc3339(t, off) if g.r.random() < 0.6 else
                '<pubDate>%s</pubDate>' % g.rfc822(t, off))
        out.append('<item><guid isPermaLink="false">urn:uuid:%08x-%04x</guid>%s'
                   '<a10:author><a10:name>%s</a10:name></a10:author><title>%s</title>'
                   '<description>%s</description>%s</item>'
                   % (g.r.getrandbits(32), i, lk, esc(g.words(1, 2).title()), esc(g.title()),
                      esc(g.para()), date))
        g.truth.append(t)
    out.append('</channel></rss>')
    return ''.join(out).encode('utf-8')


def jsonfeed(g, n):
    v = g.r.choice(['https://jsonfeed.org/version/1', 'https://jsonfeed.org/version/1.1', '1.1'])
    site = 'https://%s.example.net' % g.r.choice(['micro', 'daring', 'log'])
    doc = {'version': v, 'title': g.title(), 'home_page_url': site + '/',
           'feed_url': site + '/feed.json', 'items': []}
    if v.endswith('1'):
        doc['authors'] = [{'name': g.words(1, 2).title()}]
    else:
        doc['author'] = {'name': g.words(1, 2).title(), 'url': site}
    for i in range(g.r.randint(2, 10)):
        t, off = g.instant()
        it = {'id': g.r.choice([str(1000 + i), 1000 + i, '%s/%d' % (site, i)])}
        if g.r.random() < 0.8:
            it['title'] = g.title()
        it['url'] = '%s/%d/%s' % (site, 2024, g.slug())
        if g.r.random() < 0.5:
            it['content_html'] = g.para()
        else:
            it['content_text'] = g.words(5, 20)
        it['date_published'] = g.rfc3339(t, off)
        if g.r.random() < 0.3:
            it['date_modified'] = g.rfc3339(t + 600, off)
        if g.r.random() < 0.2:
            it['attachments'] = [{'url': '%s/a%d.mp3' % (site, i), 'mime_type': 'audio/mpeg'}]
        doc['items'].append(it)
        g.truth.append(t)
    return json.dumps(doc, ensure_ascii=g.r.random() < 0.5, indent=g.r.choice([None, 2])).encode('utf-8')


def localized(g, n):
    lang = sorted(LOCAL)[n % len(LOCAL)]
    wd, mo = LOCAL[lang]
    out = [xml_decl(), '<rss version="2.0">\n<channel>\n<title>%s</title>\n<link>https://%s.example.org/</link>\n'
           '<description>%s</description>\n<language>%s</language>\n' % (esc(g.title()), lang, esc(g.words()), lang)]
    for i in range(g.r.randint(2, 6)):
        t, off = g.instant()
        lt = time.gmtime(t + off * 60)
        z = '%s%02d%02d' % ('-' if off < 0 else '+', abs(off) // 60, abs(off) % 60)
        form = g.r.randint(0, 2)
        if form == 0:
            d = '%s, %02d %s %04d %02d:%02d:%02d %s' % (wd[lt.tm_wday], lt.tm_mday, mo[lt.tm_mon - 1],
                                                          lt.tm_year, lt.tm_hour, lt.tm_min, lt.tm_sec, z)
        elif form == 1:
            d = '%02d %s %04d %02d:%02d:%02d %s' % (lt.tm_mday, mo[lt.tm_mon - 1], lt.tm_year,
                                                    lt.tm_hour, lt.tm_min, lt.tm_sec, z)
        else:
            d = '%d %s %04d %02d:%02d:%02d %s' % (lt.tm_mday, LONG_MONTHS[lang][lt.tm_mon - 1],
                                                  lt.tm_year, lt.tm_hour, lt.tm_min, lt.tm_sec, z)
        out.append('<item>\n<title>%s</title>\n<link>https://%s.example.org/%s</link>\n<pubDate>%s</pubDate>\n'
                   '<description>%s</description>\n</item>\n' % (esc(g.title()), lang, g.slug(), esc(d), esc(g.words())))
        g.truth.append(t)
    out.append('</channel>\n</rss>\n')
    return ''.join(out).encode('utf-8')


# ---- faults ----

JUNK = [b'\n', b'\n\n', b'   ', b'\r\n  \t', b'\xef\xbb\xbf\n',
        b'<br />\n<b>Notice</b>:  Undefined index: HTTP_REFERER in <b>/var/www/html/feed.php</b> on line <b>12</b><br />\n',
        b'<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in <b>/home/site/wp-content/plugins/x/x.php</b> on line <b>3</b><br />\n',
        b'\nWarning: session_start(): Cannot send session cookie - headers already sent in /srv/www/rss.php on line 4\n']


def leading_space(g, n):
    """White space (and a BOM) before the XML declaration."""
    body = [wordpress, ghost, substack, blogger][n % 4](g, n)
    return JUNK[n % 5] + body


def leading_junk(g, n):
    """A PHP notice or warning printed before the XML declaration."""
    body = [wordpress, ghost, substack, blogger][n % 4](g, n)
    return JUNK[5 + n % 3] + body


def unclosed_html(g, n):
    """Descriptions with raw (unescaped, un-CDATA'd) HTML, some of it
    unclosed, as hand-rolled PHP feeds write them."""
    site = 'https://www.%s.example.com' % g.r.choice(['citypaper', 'clubnews', 'parish'])
    out = [xml_decl(), '<rss version="2.0">\n<channel>\n<title>%s</title>\n<link>%s/</link>\n'
           '<description>%s</description>\n' % (esc(g.title()), site, esc(g.words()))]
    for i in range(g.r.randint(3, 8)):
        t, off = g.instant()
        bits = [esc(g.words(3, 8))]
        for _ in range(g.r.randint(1, 3)):
            bits.append(g.r.choice(['<br>', '<br>', '<img src="%s/i/%d.jpg" alt="x">' % (site, i),
                                    '<p>', '<p>%s' % esc(g.words()), '<hr>', '<b>%s</b>' % esc(g.words(1, 2))]))
            bits.append(esc(g.words(2, 6)))
        out.append('<item>\n<title>%s</title>\n<link>%s/news/%d.html</link>\n<description>%s</description>\n'
                   '<pubDate>%s</pubDate>\n</item>\n' % (esc(g.title()), site, 500 + i, ' '.join(bits), g.rfc822(t, off)))
        g.truth.append(t)
    out.append('</channel>\n</rss>\n')
    return ''.join(out).encode('utf-8')


def xml_error_entities(g, n):
    """A first XML error early (an HTML entity XML does not define, or a
    bare ampersand), then well-formed titles with &amp; later on."""
    site = 'https://%s.example.org' % g.r.choice(['arts', 'sports', 'kids'])
    # The first two libxml2 reads as they are (feed_prep repairs them);
    # the others are errors it recovers from.
    err = g.r.choice(['&nbsp;', 'Fish & Chips', 'prices < list', '</p>', '</span> more', 'a <3 b'])
    out = [xml_decl(), '<rss version="2.0">\n<channel>\n<title>%s</title>\n<link>%s/</link>\n'
           '<description>News %s and more</description>\n' % (esc(g.title()), site, err)]
    for i in range(g.r.randint(3, 8)):
        t, off = g.instant()
        title = '%s & %s' % (g.words(1, 2).title(), g.words(1, 2))
        out.append('<item>\n<title>%s</title>\n<link>%s/a?id=%d&amp;ref=rss</link>\n'
                   '<description>%s</description>\n<pubDate>%s</pubDate>\n</item>\n'
                   % (esc(title), site, i, esc(g.words()), g.rfc822(t, off)))
        g.truth.append(t)
    out.append('</channel>\n</rss>\n')
    return ''.join(out).encode('utf-8')


def simple_rss(g, enc, spice, decl=True):
    site = 'https://%s.example.de' % g.r.choice(['verein', 'zeitung', 'blog'])
    head = ('<?xml version="1.0" encoding="%s"?>\n' % enc) if decl else '<?xml version="1.0"?>\n'
    out = [head, '<rss version="2.0">\n<channel>\n<title>%s</title>\n<link>%s/</link>\n<description>%s</description>\n'
           % (esc(g.title(spice)), site, esc(g.words()))]
    for i in range(g.r.randint(3, 8)):
        t, off = g.instant()
        title = '%s %s' % (g.words(1, 3).title(), g.r.choice(spice))
        out.append('<item>\n<title>%s</title>\n<link>%s/p/%d</link>\n<description>%s</description>\n'
                   '<pubDate>%s</pubDate>\n</item>\n' % (esc(title), site, i, esc(g.words() + ' ' + g.r.choice(spice)),
                                                         g.rfc822(t, off)))
        g.truth.append(t)
    out.append('</channel>\n</rss>\n')
    return ''.join(out)


def bad_byte(g, n):
    """UTF-8 with one byte that is not (a Latin-1 é pasted in)."""
    s = simple_rss(g, 'UTF-8', SPICE).encode('utf-8')
    marks = [i for i in range(len(s)) if s[i:i + 7] == b'<title>']
    at = marks[1 + g.r.randrange(len(marks) - 1)] + 7
    return s[:at] + g.r.choice([b'\xe9', b'\xfc', b'\x92', b'\xa0']) + s[at:]


def cp1252_declared(g, n):
    return simple_rss(g, g.r.choice(['windows-1252', 'Windows-1252', 'cp1252']), CP1252_SPICE).encode('cp1252')


def cp1252_undeclared(g, n):
    return simple_rss(g, '', CP1252_SPICE + LATIN1_SPICE, decl=False).encode('cp1252')


def latin1(g, n):
    return simple_rss(g, g.r.choice(['ISO-8859-1', 'iso-8859-1', 'latin1']), LATIN1_SPICE).encode('latin-1')


def utf16(g, n):
    s = simple_rss(g, 'UTF-16', SPICE)
    if n % 2:
        return b'\xff\xfe' + s.encode('utf-16-le')
    return b'\xfe\xff' + s.encode('utf-16-be')


# category -> (generator, count, file extension)
CATEGORIES = [
    ('wordpress', wordpress, 20, 'xml'),
    ('blogger', blogger, 16, 'xml'),
    ('youtube', youtube, 16, 'xml'),
    ('mastodon', mastodon, 16, 'xml'),
    ('substack', substack, 16, 'xml'),
    ('ghost', ghost, 16, 'xml'),
    ('podcast', podcast, 20, 'xml'),
    ('dotnet_a10', dotnet, 16, 'xml'),
    ('jsonfeed', jsonfeed, 20, 'json'),
    ('dates_localized', localized, 24, 'xml'),
    ('leading_space', leading_space, 15, 'xml'),
    ('leading_junk', leading_junk, 12, 'xml'),
    ('unclosed_html', unclosed_html, 20, 'xml'),
    ('itunes_unclosed', itunes_unclosed, 12, 'xml'),
    ('xml_error_entities', xml_error_entities, 16, 'xml'),
    ('bad_byte_utf8', bad_byte, 16, 'xml'),
    ('cp1252_declared', cp1252_declared, 12, 'xml'),
    ('cp1252_undeclared', cp1252_undeclared, 12, 'xml'),
    ('latin1', latin1, 12, 'xml'),
    ('utf16_bom', utf16, 12, 'xml'),
]


def generate(outdir, seed=SEED):
    """Write every feed into outdir; return [(category, path)] in order and
    write outdir/truth.json (file name -> [UTC seconds per item])."""
    os.makedirs(outdir, exist_ok=True)
    made = []
    truth = {}
    for cat, fn, count, ext in CATEGORIES:
        for n in range(count):
            g = Gen(seed, cat, n)
            data = fn(g, n)
            name = '%s-%03d.%s' % (cat, n, ext)
            path = os.path.join(outdir, name)
            with open(path, 'wb') as f:
                f.write(data)
            truth[name] = g.truth
            made.append((cat, path))
    with open(os.path.join(outdir, 'truth.json'), 'w') as f:
        json.dump(truth, f)
    return made, truth


def main(argv):
    seed = SEED
    if '--seed' in argv:
        i = argv.index('--seed')
        seed = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) != 1:
        sys.stderr.write('usage: wild_gen.py [--seed N] OUTDIR\n')
        return 2
    made, _ = generate(argv[0], seed)
    print('%d feeds in %s' % (len(made), argv[0]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

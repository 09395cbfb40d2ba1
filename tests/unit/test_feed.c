/* test_feed: format detection, charsets, each format and its extensions,
 * ids and dates, limits, hostile documents, JSON Feed out and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/unit/arena_fixture.h"
#include "tests/unit/corpus_walk.h"
#include "tests/unit/tmpdir_fixture.h"
#include "util/arena.h"
#include "widgets/feeds/feed.h"
#include "widgets/feeds/feed_discover.h"

#define FETCH_TIME 1700000000LL


static enum rc
parse_ct(const char *body, size_t len, const char *base, const char *ct,
    size_t max_items, struct feed *f)
{
	struct feed_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.base_url = base;
	o.content_type = ct;
	o.fetch_time = FETCH_TIME;
	o.max_items = max_items;
	return feed_parse(A, body, len, &o, f);
}

static void
parse_ok(const char *body, struct feed *f)
{
	enum rc rc = parse_ct(body, strlen(body), NULL, NULL, 0, f);

	if (rc != RC_OK)
		fail_msg("parse failed (%s): %.200s", rc_str(rc), body);
}

#define RSS(items) "<rss version=\"2.0\"><channel><title>T</title>" items \
	"</channel></rss>"

/* ---- detection ---- */

static void
test_detect(void **state)
{
	static const struct { const char *in; enum feed_format f; } c[] = {
		{ "<rss version=\"2.0\"><channel/></rss>", FEED_RSS20 },
		{ "\xef\xbb\xbf <?xml version=\"1.0\"?>\n<!-- c --><rss version='2.0'>",
		  FEED_RSS20 },
		{ "<rss version=\"0.91\">", FEED_RSS090 },
		{ "<rss>", FEED_RSS090 },
		{ "<!DOCTYPE rss PUBLIC \"-//Netscape\" \"x\"><rss version=\"0.91\">",
		  FEED_RSS090 },
		{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
		  FEED_RSS10 },
		{ "<feed xmlns=\"http://www.w3.org/2005/Atom\">", FEED_ATOM10 },
		{ "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">",
		  FEED_ATOM03 },
		{ "<atom:feed xmlns:atom=\"http://www.w3.org/2005/Atom\">",
		  FEED_ATOM10 },
		{ " {\"version\": \"https://jsonfeed.org/version/1.1\"}", FEED_JSON11 },
		{ "{\"version\": \"https://jsonfeed.org/version/1\"}", FEED_JSON10 },
		{ "{\"hello\": 1}", FEED_UNKNOWN },
		{ "<html><body>not a feed</body></html>", FEED_UNKNOWN },
		{ "", FEED_UNKNOWN },
		{ "<", FEED_UNKNOWN },
		{ "<!-- never closed", FEED_UNKNOWN },
		/* Junk before the XML declaration (a PHP notice) is passed
		 * over; a feed root before a later declaration is not junk. */
		{ "<br />\n<b>Notice</b>: x in <b>/a.php</b><br />\n"
		  "<?xml version=\"1.0\"?><rss version=\"2.0\">", FEED_RSS20 },
		{ "\n\n<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">",
		  FEED_ATOM10 },
		{ "<html><p>x</p><?xml-stylesheet href=\"a\"?><rss>", FEED_UNKNOWN },
		{ "<rss version=\"2.0\"><channel><description><![CDATA["
		  "<?xml version=\"1.0\"?><feed>", FEED_RSS20 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum feed_format got = feed_detect(c[i].in, strlen(c[i].in));
		if (got != c[i].f)
			fail_msg("%s: got %s want %s", c[i].in, feed_format_name(got),
			    feed_format_name(c[i].f));
	}
	assert_string_equal(feed_format_name(FEED_ATOM03), "atom03");
	assert_string_equal(feed_format_name((enum feed_format)99), "unknown");
}

static void
test_not_a_feed(void **state)
{
	static const char *const c[] = {
		"", "   ", "<html><head><title>x</title></head><body>x</body></html>",
		"plain text, not XML", "{\"items\": []}", "{\"version\": 3}",
		"{broken json", "<?xml version=\"1.0\"?>", "<foo><bar/></foo>",
		"\x00\x01\x02\x03", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
		/* Empty containers first: the JSON reader's stack has no buffer yet
		 * (found by fuzz_feed: `{}` crashed). */
		"{}", "[]", " { } ", "[{}]", "{\"a\":{}}",
	};
	struct feed f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t n = i == 9 ? 4 : strlen(c[i]);
		assert_int_equal(parse_ct(c[i], n, NULL, NULL, 0, &f), RC_INVALID);
		assert_int_equal(f.nitems, 0);
	}
}

/* ---- formats ---- */

static void
test_rss20(void **state)
{
	struct feed f;
	struct feed_item *it;

	(void)state;
	parse_ok("<?xml version=\"1.0\"?>"
	    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
	    " xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>"
	    "<title>Example &amp; Co</title><link>https://example.com/</link>"
	    "<description>All the news</description><language>en-us</language>"
	    "<ttl>60</ttl><managingEditor>ed@example.com (The Editor)</managingEditor>"
	    "<image><url>https://example.com/logo.png</url><link>https://x/</link></image>"
	    "<atom:link rel=\"self\" href=\"https://example.com/feed.xml\"/>"
	    "<item><title>First &lt;b&gt;post&lt;/b&gt;</title>"
	    "<link>https://example.com/1</link>"
	    "<description>&lt;p&gt;Short&lt;/p&gt;</description>"
	    "<content:encoded><![CDATA[<p>Full <a href=\"/x\">text</a>"
	    "<img src=\"/i.png\"><script>alert(1)</script></p>]]></content:encoded>"
	    "<guid isPermaLink=\"false\">post-1</guid>"
	    "<pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate>"
	    "<author>me@example.com (Me Myself)</author>"
	    "<category>news</category><category>c &amp; d</category><category>news</category>"
	    "<enclosure url=\"https://example.com/a.mp3\" length=\"1234\" type=\"audio/mpeg\"/>"
	    "</item></channel></rss>", &f);
	assert_int_equal(f.format, FEED_RSS20);
	assert_string_equal(f.title, "Example & Co");
	assert_string_equal(f.home_page_url, "https://example.com/");
	assert_string_equal(f.feed_url, "https://example.com/feed.xml");
	assert_string_equal(f.description, "All the news");
	assert_string_equal(f.language, "en-us");
	assert_string_equal(f.icon, "https://example.com/logo.png");
	assert_int_equal(f.ttl_minutes, 60);
	assert_int_equal(f.nauthors, 1);
	assert_string_equal(f.authors[0].name, "The Editor");
	assert_string_equal(f.authors[0].email, "ed@example.com");
	assert_false(f.recovered);
	assert_int_equal(f.nitems, 1);
	it = &f.items[0];
	assert_string_equal(it->id, "post-1");
	assert_string_equal(it->url, "https://example.com/1");
	assert_string_equal(it->title, "First post");
	/* Relative URLs resolve against the item link's document (no feed
	 * URL given: kept relative). */
	assert_string_equal(it->content_html, "<p>Full <a href=\"/x\" rel=\"noopener "
	    "noreferrer nofollow ugc\">text</a><img src=\"/i.png\"></p>");
	assert_string_equal(it->summary, "Short");
	assert_int_equal(it->published, 1072986501);
	assert_false(it->date_missing);
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0].name, "Me Myself");
	assert_string_equal(it->authors[0].email, "me@example.com");
	assert_int_equal(it->ntags, 2);
	assert_string_equal(it->tags[1], "c & d");
	assert_int_equal(it->nattachments, 1);
	assert_string_equal(it->attachments[0].url, "https://example.com/a.mp3");
	assert_string_equal(it->attachments[0].mime_type, "audio/mpeg");
	assert_int_equal(it->attachments[0].size_in_bytes, 1234);
}

static void
test_rss_base_and_guid(void **state)
{
	struct feed f;
	enum rc rc;
	const char *doc = RSS(
	    "<item><guid>https://example.com/perma</guid>"
	    "<description>&lt;a href=\"rel/x\"&gt;l&lt;/a&gt;</description></item>"
	    "<item><guid isPermaLink=\"false\">https://example.com/nope</guid></item>"
	    "<item><link>/only-link</link></item>");

	(void)state;
	rc = parse_ct(doc, strlen(doc), "https://example.com/blog/feed.xml", NULL,
	    0, &f);
	assert_int_equal(rc, RC_OK);
	assert_int_equal(f.nitems, 3);
	/* A permalink guid is the url too. */
	assert_string_equal(f.items[0].url, "https://example.com/perma");
	assert_string_equal(f.items[0].content_html, "<a href=\"https://"
	    "example.com/blog/rel/x\" rel=\"noopener noreferrer nofollow ugc\">l</a>");
	assert_null(f.items[1].url);
	assert_string_equal(f.items[1].id, "https://example.com/nope");
	/* No guid: the (resolved) link is the id. */
	assert_string_equal(f.items[2].url, "https://example.com/only-link");
	assert_string_equal(f.items[2].id, "https://example.com/only-link");
	assert_string_equal(f.feed_url, "https://example.com/blog/feed.xml");
}

static void
test_rss10(void **state)
{
	struct feed f;

	(void)state;
	parse_ok("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	    " xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
	    "<channel rdf:about=\"https://example.com/rss\"><title>RDF</title>"
	    "<link>https://example.com/</link><description>d</description></channel>"
	    "<item rdf:about=\"https://example.com/a\"><title>A</title>"
	    "<link>https://example.com/a</link><dc:date>2003-12-31T10:14:55Z</dc:date>"
	    "<dc:creator>Ann</dc:creator><dc:subject>s1</dc:subject></item>"
	    "<item rdf:about=\"https://example.com/b\"><title>B</title></item>"
	    "</rdf:RDF>", &f);
	assert_int_equal(f.format, FEED_RSS10);
	assert_string_equal(f.title, "RDF");
	assert_string_equal(f.id, "https://example.com/rss");
	assert_int_equal(f.nitems, 2);
	assert_string_equal(f.items[0].id, "https://example.com/a");
	assert_int_equal(f.items[0].published, 1072865695);
	assert_string_equal(f.items[0].authors[0].name, "Ann");
	assert_string_equal(f.items[0].tags[0], "s1");
	assert_string_equal(f.items[1].id, "https://example.com/b");
	assert_true(f.items[1].date_missing);
	assert_int_equal(f.items[1].published, FETCH_TIME);
}

static void
test_rss09(void **state)
{
	struct feed f;

	(void)state;
	parse_ok("<rss version=\"0.91\"><channel><title>Old</title>"
	    "<item><title>i</title><link>http://x.example/i</link>"
	    "<description>d</description></item></channel></rss>", &f);
	assert_int_equal(f.format, FEED_RSS090);
	assert_string_equal(f.items[0].url, "http://x.example/i");
	assert_string_equal(f.items[0].content_html, "d");
}

static void
test_atom10(void **state)
{
	struct feed f;
	struct feed_item *it;

	(void)state;
	parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\""
	    " xml:base=\"https://example.com/blog/\">"
	    "<title type=\"html\">A &amp;lt;b&amp;gt;feed</title><subtitle>Sub</subtitle>"
	    "<id>urn:uuid:feed</id><link href=\"/\"/><link rel=\"self\" href=\"atom.xml\"/>"
	    "<icon>/favicon.ico</icon><logo>logo.png</logo>"
	    "<author><name>Feed Author</name><uri>/about</uri><email>fa@example.com</email></author>"
	    "<entry xml:base=\"posts/\"><id>tag:example.com,2004:1</id>"
	    "<title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">X <b>T</b></div></title>"
	    "<link rel=\"alternate\" type=\"application/pdf\" href=\"1.pdf\"/>"
	    "<link href=\"1.html\"/><link rel=\"enclosure\" href=\"v.mp4\" type=\"video/mp4\" length=\"99\"/>"
	    "<link rel=\"related\" href=\"https://elsewhere.example/\"/>"
	    "<published>2003-12-31T10:14:55Z</published><updated>2004-01-01T00:00:00+01:00</updated>"
	    "<summary>Plain &lt;summary&gt;</summary>"
	    "<content type=\"xhtml\" xml:base=\"/c/\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
	    "<p>Body <a href=\"x\">x</a><img src=\"i.png\"/></p><script>bad()</script></div></content>"
	    "<category term=\"t1\" label=\"Tag One\"/></entry>"
	    "<entry><id>e2</id><title>Two</title><content type=\"text\">line 1\nline 2</content></entry>"
	    "</feed>", &f);
	assert_int_equal(f.format, FEED_ATOM10);
	assert_string_equal(f.title, "A <b>feed");
	assert_string_equal(f.description, "Sub");
	assert_string_equal(f.id, "urn:uuid:feed");
	assert_string_equal(f.home_page_url, "https://example.com/");
	assert_string_equal(f.feed_url, "https://example.com/blog/atom.xml");
	assert_string_equal(f.favicon, "https://example.com/favicon.ico");
	assert_string_equal(f.icon, "https://example.com/blog/logo.png");
	assert_string_equal(f.language, "en");
	assert_string_equal(f.authors[0].url, "https://example.com/about");
	assert_string_equal(f.authors[0].email, "fa@example.com");
	assert_int_equal(f.nitems, 2);
	it = &f.items[0];
	assert_string_equal(it->title, "X T");
	/* The HTML alternate wins over the PDF one; xml:base nests. */
	assert_string_equal(it->url, "https://example.com/blog/posts/1.html");
	assert_string_equal(it->external_url, "https://elsewhere.example/");
	assert_string_equal(it->attachments[0].url,
	    "https://example.com/blog/posts/v.mp4");
	assert_int_equal(it->attachments[0].size_in_bytes, 99);
	assert_int_equal(it->published, 1072865695);
	assert_int_equal(it->updated, 1072911600);
	assert_string_equal(it->summary, "Plain <summary>");
	assert_string_equal(it->content_html, "<p>Body <a href=\"https://"
	    "example.com/c/x\" rel=\"noopener noreferrer nofollow ugc\">x</a>"
	    "<img src=\"https://example.com/c/i.png\"></p>");
	assert_string_equal(it->image, "https://example.com/c/i.png");
	assert_int_equal(it->nimages, 1);
	assert_string_equal(it->tags[0], "t1");
	/* Entries inherit the feed's author. */
	assert_string_equal(it->authors[0].name, "Feed Author");
	assert_string_equal(f.items[1].content_text, "line 1\nline 2");
	assert_null(f.items[1].content_html);
	assert_true(f.items[1].date_missing);
}

static void
test_atom03(void **state)
{
	struct feed f;

	(void)state;
	parse_ok("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
	    "<title>Old Atom</title><tagline>tag</tagline>"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"http://x.example/\"/>"
	    "<entry><title mode=\"base64\" type=\"text/html\">PGI+QjY0PC9iPg==</title>"
	    "<issued>2003-12-31T10:14:55Z</issued><modified>2003-12-31T11:00:00Z</modified>"
	    "<content type=\"text/html\" mode=\"escaped\">&lt;i&gt;e&lt;/i&gt;</content>"
	    "<author><name>N</name><url>http://x.example/n</url></author></entry></feed>",
	    &f);
	assert_int_equal(f.format, FEED_ATOM03);
	assert_string_equal(f.description, "tag");
	assert_string_equal(f.items[0].title, "B64");
	assert_string_equal(f.items[0].content_html, "<i>e</i>");
	assert_int_equal(f.items[0].published, 1072865695);
	assert_string_equal(f.items[0].authors[0].url, "http://x.example/n");
}

/* Base64 content as feeds write it: wrapped, padded, either alphabet;
 * refused when it is not base64 or does not decode to UTF-8 text. */
static void
test_atom_base64(void **state)
{
	struct feed f;

	(void)state;
	parse_ok("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>T</title>"
	    "<entry><title mode=\"base64\">PGI+\n  QjY0\r\n\tPC9iPg==</title></entry>"
	    "<entry><title mode=\"base64\">PGI-QjY0PC9iPg</title></entry>"
	    "<entry><title mode=\"base64\">QUJD=RA</title></entry>"
	    "<entry><title mode=\"base64\">QUJD*</title></entry>"
	    "<entry><title mode=\"base64\">QQBC</title></entry>"
	    "<entry><title mode=\"base64\">/w==</title></entry>"
	    "</feed>", &f);
	assert_int_equal(f.nitems, 6);
	assert_string_equal(f.items[0].title, "<b>B64</b>");
	assert_string_equal(f.items[1].title, "<b>B64</b>");
	assert_string_equal(f.items[2].title, "ABCD");  /* '=' inside passed over */
	assert_null(f.items[3].title);                  /* not base64 */
	assert_null(f.items[4].title);                  /* a NUL */
	assert_null(f.items[5].title);                  /* not UTF-8 */
	parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
	    "<entry><title>e</title><content type=\"application/octet-stream\">"
	    "SGVs\nbG8=</content></entry></feed>", &f);
	assert_string_equal(f.items[0].content_text, "Hello");
}

static void
test_json(void **state)
{
	struct feed f;
	struct feed_item *it;

	(void)state;
	parse_ok("{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\","
	    "\"home_page_url\":\"https://j.example/\",\"feed_url\":\"https://j.example/f.json\","
	    "\"authors\":[{\"name\":\"A\",\"url\":\"https://j.example/a\",\"avatar\":\"/av.png\"}],"
	    "\"language\":\"de\",\"items\":[{\"id\":42,\"url\":\"p/1\","
	    "\"content_html\":\"<p onclick=x>hi<script>x</script></p>\",\"summary\":\"s\","
	    "\"date_published\":\"2020-01-02T03:04:05+01:00\",\"tags\":[\"a\",7,\"b\"],"
	    "\"image\":\"javascript:alert(1)\",\"attachments\":[{\"url\":\"/a.mp3\","
	    "\"mime_type\":\"audio/mpeg\",\"size_in_bytes\":5,\"duration_in_seconds\":6}]},"
	    "{\"id\":\"2\",\"content_text\":\"t\\u0001ext\"},\"not an object\"]}", &f);
	assert_int_equal(f.format, FEED_JSON11);
	assert_string_equal(f.title, "J");
	assert_string_equal(f.authors[0].avatar, "https://j.example/av.png");
	assert_int_equal(f.nitems, 2);
	it = &f.items[0];
	assert_string_equal(it->id, "42");
	assert_string_equal(it->url, "https://j.example/p/1");
	assert_string_equal(it->content_html, "<p>hi</p>");
	assert_null(it->image);
	assert_int_equal(it->published, 1577930645);
	assert_int_equal(it->ntags, 2);
	assert_string_equal(it->attachments[0].url, "https://j.example/a.mp3");
	assert_int_equal(it->attachments[0].duration_seconds, 6);
	assert_string_equal(f.items[1].content_text, "text");
	/* JSON Feed 1.0 "author". */
	parse_ok("{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"J1\","
	    "\"author\":{\"name\":\"Old\"},\"items\":[{\"id\":\"x\",\"content_text\":\"y\"}]}",
	    &f);
	assert_int_equal(f.format, FEED_JSON10);
	assert_string_equal(f.authors[0].name, "Old");
	assert_string_equal(f.items[0].authors[0].name, "Old");
}

static void
test_extensions(void **state)
{
	struct feed f;
	struct feed_item *it;

	(void)state;
	/* YouTube-shaped Atom with media:group. */
	parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xmlns:media=\"http://search.yahoo.com/mrss/\"><title>YT</title>"
	    "<entry><id>yt:video:abc</id><title>Video</title>"
	    "<link rel=\"alternate\" href=\"https://www.youtube.com/watch?v=abc\"/>"
	    "<published>2024-01-01T00:00:00+00:00</published>"
	    "<media:group><media:title>Video</media:title>"
	    "<media:content url=\"https://www.youtube.com/v/abc\" type=\"application/x-shockwave-flash\" width=\"640\"/>"
	    "<media:thumbnail url=\"https://i.ytimg.com/vi/abc/hq.jpg\" width=\"480\"/>"
	    "<media:description>About the video</media:description></media:group>"
	    "</entry></feed>", &f);
	it = &f.items[0];
	assert_string_equal(it->image, "https://i.ytimg.com/vi/abc/hq.jpg");
	assert_string_equal(it->content_text, "About the video");
	assert_int_equal(it->nattachments, 1);
	/* Podcast RSS: iTunes and Dublin Core. */
	parse_ok("<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\""
	    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">"
	    "<channel><title>Pod</title><itunes:author>Pod People</itunes:author>"
	    "<itunes:image href=\"https://p.example/cover.jpg\"/>"
	    "<item><title>Ep 1</title><dc:creator>Host</dc:creator><itunes:author>Other</itunes:author>"
	    "<dc:date>2020-05-05T05:05:05Z</dc:date><itunes:duration>1:02:03</itunes:duration>"
	    "<itunes:image href=\"https://p.example/ep1.jpg\"/>"
	    "<enclosure url=\"https://p.example/ep1.mp3\" type=\"audio/mpeg\" length=\"10\"/>"
	    "<media:content url=\"https://p.example/ep1.jpg\" medium=\"image\"/>"
	    "</item></channel></rss>", &f);
	assert_string_equal(f.icon, "https://p.example/cover.jpg");
	assert_string_equal(f.authors[0].name, "Pod People");
	it = &f.items[0];
	assert_int_equal(it->nauthors, 1);
	assert_string_equal(it->authors[0].name, "Host");
	assert_int_equal(it->published, 1588655105);
	assert_int_equal(it->attachments[0].duration_seconds, 3723);
	assert_string_equal(it->image, "https://p.example/ep1.jpg");
	/* Undeclared prefixes still read. */
	parse_ok(RSS("<item><title>u</title><dc:creator>Undeclared</dc:creator>"
	    "<media:thumbnail url=\"https://u.example/t.jpg\"/></item>"), &f);
	assert_true(f.recovered);
	assert_string_equal(f.items[0].authors[0].name, "Undeclared");
	assert_string_equal(f.items[0].image, "https://u.example/t.jpg");
}

/* ---- ids and dates ---- */

static void
test_ids_dates(void **state)
{
	struct feed f, g;
	char *id1, *id2;

	(void)state;
	parse_ok(RSS("<item><title>a</title><description>x</description></item>"
	    "<item><title>b</title><description>x</description></item>"
	    "<item><title>c</title><pubDate>garbage date</pubDate>"
	    "<dc:date xmlns:dc=\"http://purl.org/dc/elements/1.1/\">2001-01-01</dc:date></item>"
	    "<item><title>d</title><pubDate>not a date</pubDate></item>"), &f);
	assert_int_equal(f.nitems, 4);
	id1 = f.items[0].id;
	id2 = f.items[1].id;
	assert_memory_equal(id1, "hash:", 5);
	assert_string_not_equal(id1, id2);
	/* Unreadable pubDate: the next source counts; none: fetch time. */
	assert_int_equal(f.items[2].published, 978307200);
	assert_false(f.items[2].date_missing);
	assert_true(f.items[3].date_missing);
	assert_int_equal(f.items[3].published, FETCH_TIME);
	/* The hash is stable across parses. */
	parse_ok(RSS("<item><title>a</title><description>x</description></item>"),
	    &g);
	assert_string_equal(g.items[0].id, id1);
}

/* ---- charsets ---- */

static void
test_charsets(void **state)
{
	struct feed f;
	const char *iso = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
	    "<rss><channel><title>caf\xe9 \x93q\x94</title></channel></rss>";
	const char *bad_utf8 = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<rss><channel><title>caf\xe9</title></channel></rss>";
	const char *lying_latin1 = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
	    "<rss><channel><title>caf\xc3\xa9</title></channel></rss>";
	const char *koi8 = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<rss><channel><title>\xf0\xd2\xc9\xd7\xc5\xd4</title></channel></rss>";
	const char *gb = "<?xml version=\"1.0\" encoding=\"gb2312\"?>"
	    "<rss><channel><title>\xd6\xd0\xce\xc4</title></channel></rss>";
	const char *sjis = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>"
	    "<rss><channel><title>\x93\xfa\x96\x7b</title></channel></rss>";
	const char *bogus = "<?xml version=\"1.0\" encoding=\"x-no-such\"?>"
	    "<rss><channel><title>ok \xc3\xa9</title></channel></rss>";
	const char *c1 = "<rss><channel><title>don\xc2\x92t</title></channel></rss>";
	const char *u8bom = "\xef\xbb\xbf<rss><channel><title>bom</title></channel></rss>";
	const char *asc = "<rss><channel><title>x</title></channel></rss>";
	char buf[512];
	size_t i, n;

	(void)state;
	assert_int_equal(parse_ct(iso, strlen(iso), NULL, NULL, 0, &f), RC_OK);
	assert_string_equal(f.title, "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
	assert_string_equal(f.encoding, "windows-1252");
	assert_int_equal(parse_ct(bad_utf8, strlen(bad_utf8), NULL, NULL, 0, &f),
	    RC_OK);
	assert_string_equal(f.title, "caf\xc3\xa9");
	assert_string_equal(f.encoding, "windows-1252");
	assert_int_equal(parse_ct(lying_latin1, strlen(lying_latin1), NULL, NULL,
	    0, &f), RC_OK);
	assert_string_equal(f.title, "caf\xc3\xa9");
	assert_string_equal(f.encoding, "utf-8");
	/* The HTTP charset beats the XML declaration. */
	assert_int_equal(parse_ct(koi8, strlen(koi8), NULL,
	    "application/rss+xml; charset=\"KOI8-R\"", 0, &f), RC_OK);
	assert_string_equal(f.title, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	assert_int_equal(parse_ct(gb, strlen(gb), NULL, NULL, 0, &f), RC_OK);
	assert_string_equal(f.title, "\xe4\xb8\xad\xe6\x96\x87");
	assert_string_equal(f.encoding, "GB18030");
	assert_int_equal(parse_ct(sjis, strlen(sjis), NULL, NULL, 0, &f), RC_OK);
	assert_string_equal(f.title, "\xe6\x97\xa5\xe6\x9c\xac");
	assert_int_equal(parse_ct(bogus, strlen(bogus), NULL, NULL, 0, &f), RC_OK);
	assert_string_equal(f.title, "ok \xc3\xa9");
	assert_int_equal(parse_ct(c1, strlen(c1), NULL, NULL, 0, &f), RC_OK);
	assert_string_equal(f.title, "don\xe2\x80\x99t");
	assert_int_equal(parse_ct(u8bom, strlen(u8bom), NULL, "text/xml; charset=koi8-r",
	    0, &f), RC_OK);
	assert_string_equal(f.title, "bom");
	/* UTF-16 and UTF-32, with and without a BOM. */
	for (i = 0; i < 6; i++) {
		size_t k, w = i < 4 ? 2 : 4;
		bool be = i % 2 == 0, bom = i < 2 || i == 4;
		n = 0;
		if (bom) {
			if (w == 2) {
				buf[n++] = be ? '\xfe' : '\xff';
				buf[n++] = be ? '\xff' : '\xfe';
			} else {
				memcpy(buf, be ? "\0\0\xfe\xff" : "\xff\xfe\0\0", 4);
				n = 4;
			}
		}
		for (k = 0; asc[k] != '\0'; k++) {
			memset(buf + n, 0, w);
			buf[n + (be ? w - 1 : 0)] = asc[k];
			n += w;
		}
		if (parse_ct(buf, n, NULL, NULL, 0, &f) != RC_OK)
			fail_msg("UTF-%zu %s bom=%d", w * 8, be ? "BE" : "LE", bom);
		assert_string_equal(f.title, "x");
	}
}

static void
test_entities_and_controls(void **state)
{
	struct feed f;

	(void)state;
	parse_ok(RSS("<item><title>AT&T &amp; &nbsp;caf&eacute; &hellip; &bogus; &#8217; &#x1F600; "
	    "&#0; &#x1; a\x01\x08\x1f" "b &#150; &unknownentitywithaverylongname;</title>"
	    "<description><![CDATA[&nbsp; stays & raw]]></description></item>"), &f);
	assert_string_equal(f.items[0].title, "AT&T & \xc2\xa0" "caf\xc3\xa9 "
	    "\xe2\x80\xa6 &bogus; \xe2\x80\x99 \xf0\x9f\x98\x80 ab \xe2\x80\x93 "
	    "&unknownentitywithaverylongname;");
	assert_string_equal(f.items[0].content_html, "\xc2\xa0 stays &amp; raw");
	/* Declared internal entities are applied (no nesting). */
	parse_ok("<!DOCTYPE rss [ <!ENTITY co \"Example &#38; Co\"> "
	    "<!ENTITY nest \"&co;&co;\"> ]><rss><channel><title>&co; / &nest;</title>"
	    "</channel></rss>", &f);
	assert_string_equal(f.title, "Example & Co / &nest;");
}

/* ---- limits ---- */

static void
test_limits(void **state)
{
	struct feed f;
	char *doc, *p;
	size_t i, cap = 4 * 1024 * 1024;
	enum rc rc;

	(void)state;
	doc = malloc(cap);
	assert_non_null(doc);
	/* max_items and the truncated flag. */
	p = doc + sprintf(doc, "<rss><channel><title>t</title>");
	for (i = 0; i < 500; i++)
		p += sprintf(p, "<item><guid>g%zu</guid></item>", i);
	strcpy(p, "</channel></rss>");
	assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 10, &f), RC_OK);
	assert_int_equal(f.nitems, 10);
	assert_true(f.truncated);
	assert_string_equal(f.items[9].id, "g9");
	assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 0, &f), RC_OK);
	assert_int_equal(f.nitems, 500);
	assert_false(f.truncated);
	/* Long fields: cut at a UTF-8 boundary; lists capped. */
	p = doc + sprintf(doc, "<rss><channel><title>");
	for (i = 0; i < 2000; i++)
		p += sprintf(p, "\xc3\xa9");
	p += sprintf(p, "</title><item><guid>");
	for (i = 0; i < 3000; i++)
		*p++ = 'g';
	p += sprintf(p, "</guid><link>https://x.example/");
	for (i = 0; i < 10000; i++)
		*p++ = 'l';
	p += sprintf(p, "</link>");
	for (i = 0; i < 100; i++)
		p += sprintf(p, "<category>c%zu</category><author>a%zu@x.example"
		    " (A%zu)</author><enclosure url=\"https://x.example/%zu.mp3\"/>",
		    i, i, i, i);
	strcpy(p, "</item></channel></rss>");
	assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 0, &f), RC_OK);
	assert_true(strlen(f.title) <= 1024);
	assert_int_equal(strlen(f.title) % 2, 0);
	assert_null(f.items[0].url);
	/* An id too long to keep becomes a hash. */
	assert_memory_equal(f.items[0].id, "hash:", 5);
	assert_int_equal(f.items[0].ntags, 32);
	assert_int_equal(f.items[0].nauthors, 16);
	assert_int_equal(f.items[0].nattachments, 16);
	/* Over the body cap: refused before any parsing. */
	rc = parse_ct(doc, 17 * 1024 * 1024, NULL, NULL, 0, &f);
	assert_int_equal(rc, RC_TOOBIG);
	free(doc);
}

/* ---- hostile documents ---- */

static void
test_billion_laughs(void **state)
{
	struct feed f;
	const char *doc = "<?xml version=\"1.0\"?><!DOCTYPE rss ["
	    "<!ENTITY a \"lollollollollollollollollollol\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">"
	    "]><rss><channel><title>&i;</title><item><title>&a;</title>"
	    "<description>&i;&i;&i;</description></item></channel></rss>";
	size_t before;

	(void)state;
	arena_reset(A);
	before = arena_used(A);
	parse_ok(doc, &f);
	/* Only the flat entity expands; nothing grows. */
	assert_string_equal(f.items[0].title, "lollollollollollollollollollol");
	assert_string_equal(f.title, "&i;");
	assert_true(arena_used(A) - before < 256 * 1024);
}

static void
test_quadratic_blowup(void **state)
{
	struct feed f;
	char *doc, *p;
	size_t i, used;

	(void)state;
	/* A flat entity referenced a million times stays within budget. */
	doc = malloc(8 * 1024 * 1024);
	assert_non_null(doc);
	p = doc + sprintf(doc, "<!DOCTYPE rss [<!ENTITY x \"");
	memset(p, 'x', 1000);
	p += 1000;
	p += sprintf(p, "\">]><rss><channel><title>t</title><item><description>");
	for (i = 0; i < 1000000; i++)
		p += sprintf(p, "&x;");
	strcpy(p, "</description></item></channel></rss>");
	arena_reset(A);
	parse_ok(doc, &f);
	used = arena_used(A);
	assert_true(used < 32 * 1024 * 1024);
	free(doc);
}

static bool
marker_in(const struct feed *f, const char *marker)
{
	json_t *j = feed_to_json(f);
	char *s = json_dumps(j, 0);
	bool found = strstr(s, marker) != NULL;

	free(s);
	json_decref(j);
	return found;
}

static void
test_xxe(void **state)
{
	struct tmpdir t;
	char secret[160], doc[4096];
	const char *shapes[] = {
		/* general external entity */
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"file://%s\">]>"
		"<rss><channel><title>&x;</title></channel></rss>",
		/* relative system id */
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"%s\">]>"
		"<rss><channel><title>a&x;b</title></channel></rss>",
		/* parameter entity */
		"<!DOCTYPE rss [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>"
		"<rss><channel><title>t</title></channel></rss>",
		/* external DTD */
		"<!DOCTYPE rss SYSTEM \"file://%s\">"
		"<rss><channel><title>t</title></channel></rss>",
		/* XInclude */
		"<rss xmlns:xi=\"http://www.w3.org/2001/XInclude\"><channel><title>t"
		"</title><item><description><xi:include href=\"file://%s\" "
		"parse=\"text\"/></description></item></channel></rss>",
		/* entity in an attribute, over UTF-16 below */
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"file://%s\">]>"
		"<rss><channel><title>t</title><item><enclosure url=\"&x;\"/>"
		"</item></channel></rss>",
	};
	struct feed f;
	char ev[4096];
	int in, fd;
	size_t i;
	ssize_t r;

	(void)state;
	assert_int_equal(tmpdir_init(&t, "feed"), 0);
	tmpdir_path(&t, "secret", secret, sizeof(secret));
	fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "SECRET-MARKER-4711\n", 19), 19);
	close(fd);
	in = inotify_init1(IN_NONBLOCK);
	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, secret, IN_OPEN | IN_ACCESS) >= 0);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		snprintf(doc, sizeof(doc), shapes[i], secret);
		assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 0, &f), RC_OK);
		assert_false(marker_in(&f, "SECRET-MARKER"));
	}
	/* /etc/passwd by name, as in the issue. */
	snprintf(doc, sizeof(doc), shapes[0], "/etc/passwd");
	assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 0, &f), RC_OK);
	assert_false(marker_in(&f, "root:"));
	/* Not one open or read of the file happened. */
	r = read(in, ev, sizeof(ev));
	assert_true(r < 0 && errno == EAGAIN);
	close(in);
	assert_int_equal(tmpdir_fini(&t), 0);
}

static void
test_deep_and_huge(void **state)
{
	struct feed f;
	char *doc, *p;
	size_t i, n;

	(void)state;
	/* 100000 nested elements: libxml2's depth limit, recovered. */
	n = 100000 * 7 + 256;
	doc = malloc(n);
	assert_non_null(doc);
	p = doc + sprintf(doc, "<rss><channel><title>t</title><item><description>");
	for (i = 0; i < 100000; i++)
		p += sprintf(p, "<x>");
	strcpy(p, "deep</description></item></channel></rss>");
	assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 0, &f), RC_OK);
	assert_true(f.recovered);
	free(doc);
	/* A 6 MiB attribute and a 6 MiB text node. */
	n = 13 * 1024 * 1024;
	doc = malloc(n);
	assert_non_null(doc);
	p = doc + sprintf(doc, "<rss><channel><title>t</title><item><title a=\"");
	memset(p, 'a', 6 << 20);
	p += 6 << 20;
	p += sprintf(p, "\">x</title><description>");
	memset(p, 'd', 6 << 20);
	p += 6 << 20;
	strcpy(p, "</description></item></channel></rss>");
	assert_int_equal(parse_ct(doc, strlen(doc), NULL, NULL, 0, &f), RC_OK);
	assert_string_equal(f.items[0].title, "x");
	assert_true(strlen(f.items[0].content_html) <= 256 * 1024);
	free(doc);
}

/* Every prefix of a real document parses or fails cleanly. */
static void
test_truncated_and_garbage(void **state)
{
	const char *doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
	    "<entry><id>1</id><title type=\"html\">&lt;b&gt;x&lt;/b&gt;</title>"
	    "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
	    "<p>a<img src=\"x.png\"/></p></div></content>"
	    "<updated>2004-01-01T00:00:00Z</updated></entry></feed>";
	const char *json = "{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"title\":\"x\",\"items\":[{\"id\":\"1\",\"content_html\":\"<b>x</b>\"}]}";
	struct feed f;
	size_t i, n = strlen(doc);
	unsigned seed = 7;
	char *buf = malloc(n + 1);

	(void)state;
	assert_non_null(buf);
	for (i = 0; i <= n; i++) {
		enum rc rc = parse_ct(doc, i, NULL, NULL, 0, &f);
		assert_true(rc == RC_OK || rc == RC_INVALID);
		arena_reset(A);
	}
	for (i = 0; i <= strlen(json); i++) {
		enum rc rc = parse_ct(json, i, NULL, NULL, 0, &f);
		assert_true(rc == RC_OK || rc == RC_INVALID);
		arena_reset(A);
	}
	/* Random byte flips. */
	for (i = 0; i < 3000; i++) {
		enum rc rc;
		int k;
		memcpy(buf, doc, n + 1);
		for (k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % n] = (char)(seed >> 24);
		}
		rc = parse_ct(buf, n, NULL, NULL, 0, &f);
		assert_true(rc == RC_OK || rc == RC_INVALID);
		arena_reset(A);
	}
	free(buf);
}

/* ---- JSON Feed out and back ---- */

/* feed_normalize(f) is the read-back of the cache: the same JSON as
 * feed_from_json(feed_to_json(f)) gives, for what the in-memory hand-over
 * and the cache once disagreed on (an attachment without a type or URL,
 * "" strings, a date that RFC 3339 rounds). */
static void
test_normalize_is_readback(void **state)
{
	static const char *const docs[] = {
		"{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\","
		"\"items\":[{\"id\":\"1\",\"url\":\"https://j.example/1\","
		"\"content_text\":\"t\",\"date_published\":\"2024-01-02T03:04:05.9Z\","
		"\"attachments\":[{\"url\":\"https://j.example/a.png\"},"
		"{\"mime_type\":\"image/png\"},"
		"{\"url\":\"https://j.example/b\",\"mime_type\":\"audio/mpeg\",\"title\":\"\"}],"
		"\"tags\":[\"x\",\"\"]}]}",
		"<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\">"
		"<channel><title>R</title><link>https://r.example/</link>"
		"<item><title>a</title><link>https://r.example/a</link>"
		"<media:content url=\"https://r.example/v.mp4\"/>"
		"<enclosure url=\"https://r.example/e\" length=\"3\"/></item>"
		"<item><title></title><description></description></item></channel></rss>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct feed f, g;
		json_t *j, *jn, *jb;
		char *sn, *sb;

		parse_ok(docs[i], &f);
		j = feed_to_json(&f);
		assert_non_null(j);
		assert_int_equal(feed_from_json(A, j, &g), RC_OK);
		jb = feed_to_json(&g);
		feed_normalize(&f);
		jn = feed_to_json(&f);
		sb = json_dumps(jb, JSON_SORT_KEYS);
		sn = json_dumps(jn, JSON_SORT_KEYS);
		assert_non_null(sb);
		assert_non_null(sn);
		assert_string_equal(sn, sb);
		free(sb);
		free(sn);
		json_decref(j);
		json_decref(jb);
		json_decref(jn);
	}
}

static void
test_json_roundtrip(void **state)
{
	struct feed f, g;
	json_t *j1, *j2;
	char *s1, *s2;
	const char *doc = "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\">"
	    "<channel><title>R</title><link>https://r.example/</link><ttl>5</ttl>"
	    "<item><title>a</title><link>https://r.example/a</link>"
	    "<description>&lt;img src=\"https://r.example/i.png\"&gt;d</description>"
	    "<author>a@r.example (Ann)</author><category>t</category>"
	    "<enclosure url=\"https://r.example/e\" length=\"3\"/>"
	    "<media:thumbnail url=\"https://r.example/t.png\"/></item>"
	    "<item><title>no date</title></item></channel></rss>";

	(void)state;
	parse_ok(doc, &f);
	f.items[0].source = "blog";
	f.items[0].market = "de";
	j1 = feed_to_json(&f);
	assert_non_null(j1);
	assert_string_equal(json_string_value(json_object_get(j1, "version")),
	    "https://jsonfeed.org/version/1.1");
	assert_int_equal(feed_from_json(A, j1, &g), RC_OK);
	assert_int_equal(g.format, FEED_RSS20);
	assert_int_equal(g.ttl_minutes, 5);
	assert_int_equal(g.nitems, 2);
	assert_string_equal(g.items[0].source, "blog");
	assert_string_equal(g.items[0].authors[0].email, "a@r.example");
	assert_int_equal(g.items[0].nimages, 1);
	assert_true(g.items[1].date_missing);
	assert_int_equal(g.items[1].published, FETCH_TIME);
	assert_string_equal(g.items[0].attachments[0].mime_type,
	    "application/octet-stream");
	j2 = feed_to_json(&g);
	s1 = json_dumps(j1, JSON_SORT_KEYS);
	s2 = json_dumps(j2, JSON_SORT_KEYS);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	json_decref(j1);
	json_decref(j2);
	/* Not a JSON Feed. */
	j1 = json_pack("{s:s}", "version", "nope");
	assert_int_equal(feed_from_json(A, j1, &g), RC_INVALID);
	json_decref(j1);
	j1 = json_array();
	assert_int_equal(feed_from_json(A, j1, &g), RC_INVALID);
	json_decref(j1);
}

/* An arena that runs out mid-parse fails cleanly. */
static void
test_nomem(void **state)
{
	struct arena *small;
	struct feed_parse_opts o;
	struct feed f;
	const char *doc = RSS("<item><title>a title</title><description>&lt;p&gt;"
	    "some text&lt;/p&gt;</description></item>");
	size_t lim;

	(void)state;
	memset(&o, 0, sizeof(o));
	for (lim = 64; lim < 64 * 1024; lim = lim * 3 / 2) {
		enum rc rc;
		small = arena_new(64, lim);
		assert_non_null(small);
		rc = feed_parse(small, doc, strlen(doc), &o, &f);
		assert_true(rc == RC_OK || rc == RC_NOMEM);
		arena_free(small);
	}
}

/* Clean XML is read without feed_prep_xml (feed.c's xml_tree): every
 * document of the feedparser corpus gives the same feed either way, with
 * and without a charset from HTTP, and read in place (body_nul: corpus_walk
 * reads with fsutil_read) or from a copy. */
struct same_count {
	size_t files, differ;
};

static void
same_both_ways(const char *path, const char *body, size_t len, void *ctx)
{
	struct same_count *c = ctx;
	struct feed_parse_opts o;
	struct feed f, g, h;
	json_t *j, *k, *l;

	memset(&o, 0, sizeof(o));
	o.base_url = "http://example.org/feed/";
	o.fetch_time = 1700000000;
	o.content_type = (c->files % 2) ? "text/xml; charset=utf-8" : NULL;
	arena_reset(A);
	if (feed_parse(A, body, len, &o, &f) != RC_OK)
		return;
	o.always_repair = true;
	assert_int_equal(feed_parse(A, body, len, &o, &g), RC_OK);
	o.always_repair = false;
	o.body_nul = true;
	assert_int_equal(feed_parse(A, body, len, &o, &h), RC_OK);
	j = feed_to_json(&f);
	k = feed_to_json(&g);
	l = feed_to_json(&h);
	assert_non_null(j);
	assert_non_null(k);
	assert_non_null(l);
	if (!json_equal(j, k) || !json_equal(j, l)) {
		print_message("differs: %s\n", path);
		c->differ++;
	}
	json_decref(j);
	json_decref(k);
	json_decref(l);
	c->files++;
}

static void
test_unrepaired_same(void **state)
{
	struct same_count c = { 0, 0 };

	(void)state;
	corpus_walk(TEST_SRCDIR "/tests/conformance/corpus", NULL,
	    same_both_ways, &c);
	print_message("%zu corpus feeds, %zu differ between the two paths\n",
	    c.files, c.differ);
	assert_true(c.files > 1500);
	assert_int_equal(c.differ, 0);
}

/* What feed_prep_xml changes must keep a document from being read without
 * it: each case gives the same feed both ways (each of these differed
 * when its refusal in feed_xml.c was taken out). */
/* ---- ill-formed feeds as they arrive (issue 14 items 1-3) ---- */

/* Text after the first error keeps its references: libxml2's recover
 * mode dropped every later &amp; &lt; &gt; &quot; &apos;. */
static void
test_wild_references_kept(void **state)
{
	struct feed f;

	(void)state;
	/* A newline and spaces before the XML declaration. */
	parse_ok("\n  <?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
	    "<title>Red, Whine, &amp; Blue</title><item><title>Q&amp;A "
	    "&quot;x&quot; &apos;y&apos;</title><description>Russia&apos;s "
	    "&lt;a href=\"https://s.example/\"&gt;Star City&lt;/a&gt;"
	    "</description></item></channel></rss>", &f);
	assert_true(f.recovered);
	assert_string_equal(f.title, "Red, Whine, & Blue");
	assert_string_equal(f.items[0].title, "Q&A \"x\" 'y'");
	assert_non_null(strstr(f.items[0].content_html, "Russia's <a href="
	    "\"https://s.example/\""));
	assert_non_null(strstr(f.items[0].content_html, ">Star City</a>"));
	/* A stray unclosed tag, then an Atom type="html" title. */
	parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T<i>"
	    "</title><entry><id>e1</id><title type=\"html\">&lt;b&gt;Q&amp;amp;"
	    "A&lt;/b&gt;</title></entry></feed>", &f);
	assert_true(f.recovered);
	assert_int_equal(f.nitems, 1);
	assert_string_equal(f.items[0].title, "Q&A");
	/* A PHP notice printed before the XML. */
	parse_ok("<br />\n<b>Notice</b>: Undefined index: q in <b>/x.php</b> "
	    "on line <b>3</b><br />\n<?xml version=\"1.0\"?>" RSS(
	    "<item><title>A &amp; B</title></item>"), &f);
	assert_true(f.recovered);
	assert_int_equal(f.nitems, 1);
	assert_string_equal(f.items[0].title, "A & B");
	/* A plain-text warning and no declaration. */
	parse_ok("Warning: session_start(): headers already sent\n"
	    RSS("<item><title>ok</title></item>"), &f);
	assert_true(f.recovered);
	assert_string_equal(f.items[0].title, "ok");
	/* White space before the root alone is well-formed. */
	parse_ok("\n\n" RSS("<item><title>ok</title></item>"), &f);
	assert_false(f.recovered);
}

/* Unclosed inline HTML in a description, or an unclosed header tag,
 * keeps every later item. */
static void
test_wild_unclosed_tags(void **state)
{
	static const char *const bodies[] = {
		"line<br>two", "<img src=\"https://i.example/a.png\" alt=x>pic",
		"<p>one<p>two", "<b>bold", "a</p>b",
	};
	struct feed f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char doc[1024];
		snprintf(doc, sizeof(doc), RSS("<item><title>1</title>"
		    "<description>%s</description><guid>g1</guid></item>"
		    "<item><title>2 &amp; 2</title><guid>g2</guid></item>"
		    "<item><title>3</title><guid>g3</guid></item>"), bodies[i]);
		parse_ok(doc, &f);
		if (f.nitems != 3)
			fail_msg("%s: %zu items", bodies[i], f.nitems);
		assert_string_equal(f.items[0].id, "g1");
		assert_string_equal(f.items[1].title, "2 & 2");
		assert_string_equal(f.items[2].id, "g3");
	}
	parse_ok(RSS("<item><description>line<br>two</description></item>"),
	    &f);
	assert_string_equal(f.items[0].content_html, "line<br>two");
	/* An unclosed itunes:category in the channel header. */
	parse_ok("<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/"
	    "dtds/podcast-1.0.dtd\"><channel><title>P</title>"
	    "<itunes:category text='Technology'>"
	    "<item><title>1</title></item><item><title>2</title></item>"
	    "<item><title>3</title></item></channel></rss>", &f);
	assert_true(f.recovered);
	assert_int_equal(f.nitems, 3);
	assert_string_equal(f.items[2].title, "3");
	/* An unclosed item, and an unclosed Atom entry. */
	parse_ok(RSS("<item><title>1</title><item><title>2</title></item>"), &f);
	assert_int_equal(f.nitems, 2);
	parse_ok("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>"
	    "<entry><id>1</id><summary>x<br>y</summary><entry><id>2</id>"
	    "</entry></feed>", &f);
	assert_int_equal(f.nitems, 2);
	assert_string_equal(f.items[1].id, "2");
}

/* One bad byte in UTF-8: the valid sequences stay, the bad byte reads as
 * windows-1252. */
static void
test_wild_bad_byte(void **state)
{
	struct feed f;

	(void)state;
	parse_ok("<?xml version=\"1.0\" encoding=\"utf-8\"?>" RSS(
	    "<item><title>Caf\xc3\xa9 \x93" "Chef\x92s\x94 \xc3</title></item>"),
	    &f);
	assert_string_equal(f.encoding, "utf-8");
	assert_string_equal(f.items[0].title, "Caf\xc3\xa9 \xe2\x80\x9c" "Chef"
	    "\xe2\x80\x99s\xe2\x80\x9d \xc3\x83");
	/* Said: the four bytes read as windows-1252. */
	assert_int_equal(f.repaired_bytes, 4);
	/* No valid multi-byte sequence at all: windows-1252, as before, and
	 * nothing repaired (the encoding says it all). */
	parse_ok(RSS("<item><title>caf\xe9</title></item>"), &f);
	assert_string_equal(f.encoding, "windows-1252");
	assert_int_equal(f.repaired_bytes, 0);
	assert_string_equal(f.items[0].title, "caf\xc3\xa9");
	parse_ok(RSS("<item><title>Caf\xc3\xa9</title></item>"), &f);
	assert_int_equal(f.repaired_bytes, 0);
}

static void
test_unrepaired_cases(void **state)
{
	static const char *const cases[] = {
		"<title>a&#150;b</title>",                       /* C1 reference */
		"<title>a&#226;&#128;&#166;b</title>",          /* double-encoded */
		"<title>a\xc2\x96" "b</title>",                     /* raw C1 */
		"<title>a\xee\x80\x80" "0\xee\x80\x81" "b</title>",    /* marker-like */
		"<item><description><![CDATA[<pre>x\r\ny "
		    "0123456789012345678901234567890123456789</pre>]]>"
		    "</description></item>",                     /* CR in CDATA */
		"<item><guid>g&#0000000065;</guid></item>",     /* 10 digits */
		"<title>a&#195;&#169;b</title>",                /* é as Latin-1 */
		"<title>a&#233;&#xE9;&#x1F600;b</title>",       /* clean */
		"<title>a &amp; b &lt;c&gt;</title>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct feed_parse_opts o;
		struct feed f, g;
		char doc[512];
		json_t *j, *k;
		int n = snprintf(doc, sizeof(doc), "<rss version=\"2.0\"><channel>"
		    "%s</channel></rss>", cases[i]);
		memset(&o, 0, sizeof(o));
		o.fetch_time = 1700000000;
		assert_int_equal(feed_parse(A, doc, (size_t)n, &o, &f), RC_OK);
		o.always_repair = true;
		assert_int_equal(feed_parse(A, doc, (size_t)n, &o, &g), RC_OK);
		j = feed_to_json(&f);
		k = feed_to_json(&g);
		if (!json_equal(j, k))
			fail_msg("case %zu differs between the two paths", i);
		json_decref(j);
		json_decref(k);
	}
}

/* Discovery (issue 14 item 7): <link rel=alternate> feeds in order, the
 * URL forms of YouTube, Mastodon and Bluesky, no stylesheets or JSON APIs. */
static void
test_discover(void **state)
{
	static const char page[] = "<!doctype html><html><head>"
	    "<link rel=stylesheet href=/s.css>"
	    "<link rel=\"alternate\" type=\"application/json\" href=\"/wp-json/wp/v2/pages/1\">"
	    "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Feed\" href=\"/feed/\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"https://b.example/atom\">"
	    "<link rel=\"canonical\" href=\"https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv\">"
	    "</head><body></body></html>";
	static const char mpage[] = "<!DOCTYPE html><html><body>"
	    "<div class='app-holder' id='mastodon' data-props='{}'></div>"
	    "</body></html>";
	struct feed_candidate c[FEED_DISCOVER_MAX];
	size_t n;

	(void)state;
	assert_true(feed_discover_is_html(page, strlen(page), NULL));
	assert_false(feed_discover_is_html("<rss version=\"2.0\"/>", 20,
	    "text/html"));
	n = feed_discover(A, "https://a.example/blog/", page, strlen(page), c,
	    FEED_DISCOVER_MAX);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].url, "https://a.example/feed/");
	assert_string_equal(c[0].how, "link");
	assert_string_equal(c[0].title, "Feed");
	assert_string_equal(c[1].url, "https://b.example/atom");
	assert_string_equal(c[2].url, "https://www.youtube.com/feeds/videos.xml"
	    "?channel_id=UCabcdefghijklmnopqrstuv");
	/* A Mastodon instance: listed, or its page is Mastodon's web app. */
	n = feed_discover(A, "https://mastodon.social/@alice", NULL, 0, c, 8);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].url, "https://mastodon.social/@alice.rss");
	n = feed_discover(A, "https://mastodon.example/@alice", mpage,
	    strlen(mpage), c, 8);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].url, "https://mastodon.example/@alice.rss");
	/* The same path shapes on any other site are that site's own. */
	assert_int_equal(feed_discover(A, "https://mastodon.example/@alice",
	    NULL, 0, c, 8), 0);
	assert_int_equal(feed_discover(A, "https://medium.example/@alice",
	    "<html><div id=app></div></html>", 31, c, 8), 0);
	assert_int_equal(feed_discover(A, "https://a.example/channel/"
	    "UCabcdefghijklmnopqrstuv", NULL, 0, c, 8), 0);
	assert_int_equal(feed_discover(A, "https://a.example/profile/alice",
	    NULL, 0, c, 8), 0);
	assert_int_equal(feed_discover(A, "https://notyoutube.com/channel/"
	    "UCabcdefghijklmnopqrstuv", NULL, 0, c, 8), 0);
	assert_int_equal(feed_discover(A, "https://youtube.com.a.example/"
	    "channel/UCabcdefghijklmnopqrstuv", NULL, 0, c, 8), 0);
	n = feed_discover(A, "https://m.youtube.com/channel/"
	    "UCabcdefghijklmnopqrstuv/", NULL, 0, c, 8);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].url, "https://www.youtube.com/feeds/videos.xml"
	    "?channel_id=UCabcdefghijklmnopqrstuv");
	n = feed_discover(A, "https://bsky.app/profile/alice.bsky.social", NULL,
	    0, c, 8);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].url,
	    "https://bsky.app/profile/alice.bsky.social/rss");
	assert_int_equal(feed_discover(A, "https://a.example/about", NULL, 0, c,
	    8), 0);
}

/* ---- captured-style regressions (tests/fixtures/feeds/wild) ---- */

/*
 * True when `got` holds what `want` states: objects by the members want
 * names (null: absent), arrays element by element and of the same length,
 * everything else equal. `path` names the place for the message.
 */
static bool
json_subset(const json_t *want, const json_t *got, char *path, size_t cap)
{
	size_t len = strlen(path);
	const char *k;
	json_t *v;
	size_t i;
	bool ok = true;

	if (json_is_object(want)) {
		if (!json_is_object(got))
			return false;
		json_object_foreach((json_t *)want, k, v) {
			json_t *g = json_object_get(got, k);
			snprintf(path + len, cap - len, ".%s", k);
			if (json_is_null(v) ? g != NULL && !json_is_null(g) :
			    g == NULL || !json_subset(v, g, path, cap))
				return false;
			path[len] = '\0';
		}
		return true;
	}
	if (json_is_array(want)) {
		if (!json_is_array(got) || json_array_size(got) !=
		    json_array_size(want))
			return false;
		for (i = 0; ok && i < json_array_size(want); i++) {
			snprintf(path + len, cap - len, "[%zu]", i);
			ok = json_subset(json_array_get(want, i),
			    json_array_get(got, i), path, cap);
			if (ok)
				path[len] = '\0';
		}
		return ok;
	}
	return json_equal(want, got);
}

struct wild_count {
	size_t files, failed;
};

/* One fixture: FILE.xml (or .json) parsed as fetched from
 * http://example.org/feed at FETCH_TIME, against FILE.expect.json. */
static void
wild_one(const char *path, const char *body, size_t len, void *ctx)
{
	struct wild_count *c = ctx;
	struct feed_parse_opts o;
	struct feed f;
	json_error_t err;
	json_t *want, *got;
	char xpath[1024], where[512] = "";
	size_t n = strlen(path);

	if ((n > 12 && strcmp(path + n - 12, ".expect.json") == 0) ||
	    !((n > 4 && strcmp(path + n - 4, ".xml") == 0) ||
	    (n > 5 && strcmp(path + n - 5, ".json") == 0)))
		return;
	snprintf(xpath, sizeof(xpath), "%.*s.expect.json",
	    (int)(n - (strrchr(path, '.') != NULL ?
	    strlen(strrchr(path, '.')) : 0)), path);
	want = json_load_file(xpath, 0, &err);
	if (want == NULL)
		fail_msg("%s: %s", xpath, err.text);
	memset(&o, 0, sizeof(o));
	o.base_url = "http://example.org/feed";
	o.fetch_time = FETCH_TIME;
	arena_reset(A);
	c->files++;
	if (feed_parse(A, body, len, &o, &f) != RC_OK) {
		print_message("FAIL %s: not parsed\n", path);
		c->failed++;
		json_decref(want);
		return;
	}
	got = feed_to_json(&f);
	assert_non_null(got);
	if (!json_subset(want, got, where, sizeof(where))) {
		char *dump = json_dumps(got, JSON_INDENT(1));
		print_message("FAIL %s at %s\n%s\n", path, where,
		    dump != NULL ? dump : "");
		free(dump);
		c->failed++;
	}
	json_decref(got);
	json_decref(want);
}

static void
test_wild_fixtures(void **state)
{
	struct wild_count c = { 0, 0 };

	(void)state;
	corpus_walk(TEST_SRCDIR "/tests/fixtures/feeds/wild", NULL, wild_one,
	    &c);
	print_message("%zu wild fixtures, %zu failed\n", c.files, c.failed);
	assert_true(c.files > 0);
	assert_int_equal(c.failed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_not_a_feed),
		cmocka_unit_test(test_rss20),
		cmocka_unit_test(test_rss_base_and_guid),
		cmocka_unit_test(test_rss10),
		cmocka_unit_test(test_rss09),
		cmocka_unit_test(test_atom10),
		cmocka_unit_test(test_atom03),
		cmocka_unit_test(test_atom_base64),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_ids_dates),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_entities_and_controls),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_quadratic_blowup),
		cmocka_unit_test(test_xxe),
		cmocka_unit_test(test_deep_and_huge),
		cmocka_unit_test(test_truncated_and_garbage),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_normalize_is_readback),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_unrepaired_same),
		cmocka_unit_test(test_unrepaired_cases),
		cmocka_unit_test(test_wild_fixtures),
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_wild_references_kept),
		cmocka_unit_test(test_wild_unclosed_tags),
		cmocka_unit_test(test_wild_bad_byte),
	};
	return cmocka_run_group_tests(tests, arena_setup, arena_teardown);
}

/* share_networks: the one table of share networks and their intent URLs. */
#include "widgets/share/share_networks.h"

#include <string.h>

#include "util/url.h"

#define CHECKED "2026-11-24"

/* Neutral icons (no trademark artwork): a speech bubble, an envelope, a
 * globe and a link; the brand colour comes from share.css. */
#define ICON_BUBBLE "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"
#define ICON_MAIL "M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 2.2V17h16V7.2l-8 5.3z M5.2 7 12 11.5 18.8 7z"
#define ICON_GLOBE "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2c.9 0 2.3 2.2 2.8 6H9.2C9.7 6.2 11.1 4 12 4zM4.1 13h3.1c.1 2.2.5 4.1 1.2 5.5A8 8 0 0 1 4.1 13zm0-2a8 8 0 0 1 4.3-5.5C7.7 6.9 7.3 8.8 7.2 11zm5.1 2h5.6c-.4 3.8-1.9 7-2.8 7s-2.4-3.2-2.8-7zm7.6 0h3.1a8 8 0 0 1-4.3 5.5c.7-1.4 1.1-3.3 1.2-5.5zm0-2c-.1-2.2-.5-4.1-1.2-5.5a8 8 0 0 1 4.3 5.5z"
#define ICON_LINK "M10.6 13.4a1 1 0 0 1 0-1.4l3.5-3.5a1 1 0 1 1 1.4 1.4L12 13.4a1 1 0 0 1-1.4 0zM8 20a4 4 0 0 1-2.8-6.8l2.5-2.5a1 1 0 0 1 1.4 1.4l-2.5 2.5A2 2 0 0 0 9.4 17.4l2.5-2.5a1 1 0 0 1 1.4 1.4l-2.5 2.5A4 4 0 0 1 8 20zm7.9-6.3a1 1 0 0 1-.7-1.7l2.5-2.5a2 2 0 0 0-2.8-2.8l-2.5 2.5a1 1 0 0 1-1.4-1.4L13.5 5.2a4 4 0 0 1 5.6 5.6l-2.5 2.5a1 1 0 0 1-.7.4z"

/*
 * The table. Parameter order is the order in the intent URL. Sources are
 * the networks' own pages where one exists (see doc/share.md).
 */
const struct share_network share_networks[] = {
	{ "x", "X", "Share on X", "https://x.com/intent/tweet", false,
	  SHARE_TAKES_VIA | SHARE_TAKES_HASHTAGS,
	  { { "text", SHARE_SRC_MSG }, { "url", SHARE_SRC_URL },
	    { "hashtags", SHARE_SRC_HASHTAGS }, { "via", SHARE_SRC_VIA } },
	  ICON_BUBBLE, "developer.x.com tweet-button web-intent (twitter.com/intent/tweet; x.com serves the same intent)", CHECKED },
	{ "facebook", "Facebook", "Share on Facebook",
	  "https://www.facebook.com/sharer/sharer.php", false, 0,
	  { { "u", SHARE_SRC_URL } },
	  ICON_BUBBLE, "sharer.php (title, text and image come from the page's Open Graph tags)", CHECKED },
	{ "linkedin", "LinkedIn", "Share on LinkedIn",
	  "https://www.linkedin.com/sharing/share-offsite/", false, 0,
	  { { "url", SHARE_SRC_URL } },
	  ICON_BUBBLE, "share-offsite (shareArticle with title/summary is deprecated)", CHECKED },
	{ "reddit", "Reddit", "Share on Reddit", "https://www.reddit.com/submit", false, 0,
	  { { "url", SHARE_SRC_URL }, { "title", SHARE_SRC_TITLE } },
	  ICON_BUBBLE, "reddit.com/submit", CHECKED },
	{ "bluesky", "Bluesky", "Share on Bluesky", "https://bsky.app/intent/compose", false, 0,
	  { { "text", SHARE_SRC_MSG_URL } },
	  ICON_BUBBLE, "docs.bsky.app advanced-guides/intent-links (compose is the only intent)", CHECKED },
	{ "mastodon", "Mastodon", "Share on Mastodon", "/share", true, 0,
	  { { "text", SHARE_SRC_MSG_URL } },
	  ICON_GLOBE, "Mastodon /share?text= on the visitor's own server", CHECKED },
	{ "threads", "Threads", "Share on Threads", "https://www.threads.com/intent/post", false, 0,
	  { { "text", SHARE_SRC_MSG }, { "url", SHARE_SRC_URL } },
	  ICON_BUBBLE, "developers.facebook.com threads-web-intents (updated 2026-03-19)", CHECKED },
	{ "whatsapp", "WhatsApp", "Share on WhatsApp", "https://wa.me/", false, 0,
	  { { "text", SHARE_SRC_MSG_URL } },
	  ICON_BUBBLE, "wa.me/?text= (click to chat)", CHECKED },
	{ "telegram", "Telegram", "Share on Telegram", "https://t.me/share/url", false, 0,
	  { { "url", SHARE_SRC_URL }, { "text", SHARE_SRC_MSG } },
	  ICON_BUBBLE, "core.telegram.org/widgets/share (custom buttons)", CHECKED },
	{ "pinterest", "Pinterest", "Save to Pinterest",
	  "https://www.pinterest.com/pin/create/button/", false, SHARE_TAKES_MEDIA,
	  { { "url", SHARE_SRC_URL }, { "media", SHARE_SRC_MEDIA },
	    { "description", SHARE_SRC_MSG } },
	  ICON_BUBBLE, "pin/create/button", CHECKED },
	{ "hackernews", "Hacker News", "Submit to Hacker News",
	  "https://news.ycombinator.com/submitlink", false, 0,
	  { { "u", SHARE_SRC_URL }, { "t", SHARE_SRC_TITLE } },
	  ICON_LINK, "news.ycombinator.com/submitlink", CHECKED },
	{ "email", "Email", "Share by email", "mailto:", false, 0,
	  { { "subject", SHARE_SRC_TITLE }, { "body", SHARE_SRC_BODY } },
	  ICON_MAIL, "RFC 6068 (mailto: hfields, %20 for spaces, %0D%0A line breaks)", CHECKED },
	{ "weibo", "Weibo", "Share on Weibo", "https://service.weibo.com/share/share.php", false,
	  SHARE_TAKES_MEDIA,
	  { { "url", SHARE_SRC_URL }, { "title", SHARE_SRC_MSG }, { "pic", SHARE_SRC_MEDIA } },
	  ICON_BUBBLE, "service.weibo.com share.php (no current official page; as used by Shariff)", CHECKED },
	{ "vk", "VK", "Share on VK", "https://vk.com/share.php", false, SHARE_TAKES_MEDIA,
	  { { "url", SHARE_SRC_URL }, { "title", SHARE_SRC_TITLE }, { "image", SHARE_SRC_MEDIA } },
	  ICON_BUBBLE, "vk.com/share.php", CHECKED },
	{ "line", "LINE", "Share on LINE", "https://social-plugins.line.me/lineit/share", false, 0,
	  { { "url", SHARE_SRC_URL }, { "text", SHARE_SRC_MSG } },
	  ICON_BUBBLE, "developers.line.biz using-line-share-buttons (custom icons)", CHECKED },
	{ "xing", "XING", "Share on XING", "https://www.xing.com/spi/shares/new", false, 0,
	  { { "url", SHARE_SRC_URL } },
	  ICON_BUBBLE, "xing.com/spi/shares/new (URL only)", CHECKED },
	{ "tumblr", "Tumblr", "Share on Tumblr",
	  "https://www.tumblr.com/widgets/share/tool", false, SHARE_TAKES_HASHTAGS,
	  { { "canonicalUrl", SHARE_SRC_URL }, { "title", SHARE_SRC_TITLE },
	    { "caption", SHARE_SRC_TEXT }, { "tags", SHARE_SRC_HASHTAGS },
	    { "posttype", SHARE_SRC_LINK } },
	  ICON_BUBBLE, "tumblr.com/widgets/share/tool", CHECKED },
};

const size_t share_networks_n = sizeof(share_networks) / sizeof(share_networks[0]);

int
share_network_index(const char *id)
{
	for (size_t i = 0; id != NULL && i < share_networks_n; i++)
		if (strcmp(share_networks[i].id, id) == 0)
			return (int)i;
	return -1;
}

const struct share_network *
share_network_find(const char *id)
{
	int i = share_network_index(id);

	return i < 0 ? NULL : &share_networks[i];
}

static bool
present(const char *s)
{
	return s != NULL && *s != '\0';
}

static const char *
msg(const struct share_input *in)
{
	return present(in->text) ? in->text : in->title;
}

/* Appends the percent-encoded value of src; *empty when it has none. */
static enum rc
append_value(struct buf *b, enum share_src src, const struct share_input *in)
{
	static const char crlf2[] = "\r\n\r\n";
	const char *v = NULL, *m;
	enum rc rc;

	switch (src) {
	case SHARE_SRC_URL: v = in->url; break;
	case SHARE_SRC_TITLE: v = in->title; break;
	case SHARE_SRC_TEXT: v = in->text; break;
	case SHARE_SRC_MSG: v = msg(in); break;
	case SHARE_SRC_VIA: v = in->via; break;
	case SHARE_SRC_HASHTAGS: v = in->hashtags; break;
	case SHARE_SRC_MEDIA: v = in->media; break;
	case SHARE_SRC_LINK: v = "link"; break;
	case SHARE_SRC_MSG_URL:
		m = msg(in);
		if (!present(m))
			return url_encode(b, in->url, strlen(in->url));
		rc = url_encode(b, m, strlen(m));
		if (rc == RC_OK)
			rc = url_encode(b, " ", 1);
		return rc == RC_OK ? url_encode(b, in->url, strlen(in->url)) : rc;
	case SHARE_SRC_BODY:
		if (!present(in->text))
			return url_encode(b, in->url, strlen(in->url));
		rc = url_encode(b, in->text, strlen(in->text));
		if (rc == RC_OK)
			rc = url_encode(b, crlf2, sizeof(crlf2) - 1);
		return rc == RC_OK ? url_encode(b, in->url, strlen(in->url)) : rc;
	case SHARE_SRC_NONE:
		break;
	}
	return v != NULL ? url_encode(b, v, strlen(v)) : RC_OK;
}

static bool
src_present(enum share_src src, const struct share_input *in)
{
	switch (src) {
	case SHARE_SRC_TITLE: return present(in->title);
	case SHARE_SRC_TEXT: return present(in->text);
	case SHARE_SRC_MSG: return present(msg(in));
	case SHARE_SRC_VIA: return present(in->via);
	case SHARE_SRC_HASHTAGS: return present(in->hashtags);
	case SHARE_SRC_MEDIA: return present(in->media);
	case SHARE_SRC_NONE: return false;
	default: return true;
	}
}

enum rc
share_intent(struct buf *b, const struct share_network *n,
    const struct share_input *in)
{
	enum rc rc = RC_OK;
	char sep = '?';

	if (n == NULL || !present(in->url))
		return RC_INVALID;
	if (n->needs_instance) {
		if (!present(in->instance))
			return RC_INVALID;
		rc = buf_appendf(b, "https://%s", in->instance);
	}
	if (rc == RC_OK)
		rc = buf_appends(b, n->base);
	for (size_t i = 0; i < SHARE_PARAMS_MAX && rc == RC_OK; i++) {
		const struct share_param *p = &n->params[i];
		if (p->name == NULL)
			break;
		if (!src_present(p->src, in))
			continue;
		rc = buf_appendf(b, "%c%s=", sep, p->name);
		sep = '&';
		if (rc == RC_OK)
			rc = append_value(b, p->src, in);
	}
	return rc;
}

bool
share_via_ok(const char *via)
{
	size_t n = 0;

	for (; via != NULL && *via != '\0'; via++, n++) {
		char c = *via;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n >= 1 && n <= 15;
}

bool
share_hashtags_ok(const char *tags)
{
	size_t count = 0;

	if (tags == NULL || *tags == '\0')
		return false;
	for (;;) {
		size_t len = strcspn(tags, ",");
		if (len == 0 || len > 64 || ++count > 10)
			return false;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)tags[i];
			if (c <= 0x20 || c == 0x7f || c == '#' || c == '&')
				return false;
		}
		if (tags[len] == '\0')
			return true;
		tags += len + 1;
	}
}

/* media: media ids, image sniffing, and the rewrite that keeps every image
 * on our own origin (the sanitizer's media pass). */
#include "widgets/media.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/crypto.h"
#include "util/url.h"

#define MEDIA_ID_DOMAIN "socialhub-media-v1"

/*
 * Signed CDN links. The APIs of Instagram, Facebook and Threads (Meta's
 * CDN), LinkedIn and TikTok hand out picture URLs whose query carries an
 * expiry and a signature that change from one call to the next for the
 * same picture; S3, Google Cloud Storage and CloudFront pre-signed links do
 * the same. The id is taken over the URL without those parameters, so a
 * picture keeps its id (and the bytes fetched once) across refreshes and
 * survives its link's expiry. A URL that has none keeps itself as its key:
 * the ids of every other URL are what they always were.
 *
 * On the networks' own CDNs the path names the picture and the query only
 * signs it, so the whole query goes but for `stp` (Meta's size and crop).
 */
static const struct {
	const char *host;        /* the host or a parent domain of it */
	const char *keep;        /* the one parameter that stays, or NULL */
} signed_cdns[] = {
	{ "fbcdn.net", "stp" }, { "cdninstagram.com", "stp" },
	{ "licdn.com", NULL },
	{ "tiktokcdn.com", NULL }, { "tiktokcdn-us.com", NULL }, { "tiktokcdn-eu.com", NULL },
};

/* Pre-signing parameters on any host (names compared without case). */
static bool
presign_param(const char *name, size_t n, bool cloudfront)
{
	static const char *const exact[] = { "x-expires", "x-signature" };
	static const char *const cf[] = { "expires", "signature", "key-pair-id", "policy" };

	if ((n > 6 && strncasecmp(name, "x-amz-", 6) == 0) ||
	    (n > 7 && strncasecmp(name, "x-goog-", 7) == 0))
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == n && strncasecmp(name, exact[i], n) == 0)
			return true;
	for (size_t i = 0; cloudfront && i < sizeof(cf) / sizeof(cf[0]); i++)
		if (strlen(cf[i]) == n && strncasecmp(name, cf[i], n) == 0)
			return true;
	return false;
}

static bool
host_within(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	return h == d ? strcmp(host, domain) == 0 :
	    h > d && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0;
}

/*
 * The URL the id is taken over: url without its signing parameters, in
 * key (which has room for MEDIA_URL_MAX + 1 bytes). Returns url itself
 * when nothing goes.
 */
static const char *
media_key_url(const char *url, char *key)
{
	char host[URL_HOST_MAX + 1];
	const char *q = strchr(url, '?'), *end, *keep = NULL;
	bool cdn = false, dropped = false;
	size_t k;

	if (q == NULL || strlen(url) > MEDIA_URL_MAX || !url_host_of(url, host, sizeof(host)))
		return url;
	for (size_t i = 0; i < sizeof(signed_cdns) / sizeof(signed_cdns[0]) && !cdn; i++)
		if (host_within(host, signed_cdns[i].host)) {
			cdn = true;
			keep = signed_cdns[i].keep;
		}
	end = q + strcspn(q, "#");
	k = (size_t)(q - url);
	memcpy(key, url, k);
	for (const char *p = q + 1; p <= end; ) {
		size_t len = strcspn(p, "&#"), name = strcspn(p, "=&#");
		bool stays = cdn ? keep != NULL && name == strlen(keep) && strncmp(p, keep, name) == 0 :
		    !presign_param(p, name, host_within(host, "cloudfront.net"));
		if (p == end || len == 0)
			stays = false;          /* an empty parameter: nothing to sign */
		if (stays) {
			key[k] = k == (size_t)(q - url) ? '?' : '&';
			k++;
			memcpy(key + k, p, len);
			k += len;
		} else if (len > 0) {
			dropped = true;
		}
		p += len + 1;
	}
	if (!dropped)
		return url;
	memcpy(key + k, end, strlen(end) + 1);   /* the fragment and the NUL */
	return key;
}

void
media_id_for_url(const char *url, char out[MEDIA_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char sum[CRYPTO_SHA256_LEN];
	unsigned char msg[sizeof(MEDIA_ID_DOMAIN) + MEDIA_URL_MAX];
	char key[MEDIA_URL_MAX + 1];
	size_t dlen = sizeof(MEDIA_ID_DOMAIN);   /* its NUL is the separator */
	size_t ulen;

	url = media_key_url(url, key);
	ulen = strlen(url);

	memcpy(msg, MEDIA_ID_DOMAIN, dlen);
	if (ulen <= MEDIA_URL_MAX) {
		memcpy(msg + dlen, url, ulen);
	} else {
		/* Never fetched (media_url_fetchable), but still a stable id:
		 * the URL's own hash after a different separator. */
		msg[dlen - 1] = 0x01;
		crypto_sha256(url, ulen, sum);
		memcpy(msg + dlen, sum, sizeof(sum));
		ulen = sizeof(sum);
	}
	crypto_sha256(msg, dlen + ulen, sum);
	for (size_t i = 0; i < MEDIA_ID_LEN / 2; i++) {
		out[2 * i] = hex[sum[i] >> 4];
		out[2 * i + 1] = hex[sum[i] & 15];
	}
	out[MEDIA_ID_LEN] = '\0';
}

bool
media_id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < MEDIA_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

/* ISO BMFF: is the ftyp box's major or a compatible brand avif/avis? */
static bool
sniff_avif(const unsigned char *p, size_t n)
{
	uint32_t box;

	if (n < 16 || memcmp(p + 4, "ftyp", 4) != 0)
		return false;
	box = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (box < 16 || box > 4096)
		return false;
	if (box < n)
		n = box;
	/* major brand at 8, minor version at 12, compatible brands from 16. */
	for (size_t off = 8; off + 4 <= n; off += off == 8 ? 8 : 4)
		if (memcmp(p + off, "avif", 4) == 0 || memcmp(p + off, "avis", 4) == 0)
			return true;
	return false;
}

const char *
media_sniff(const void *data, size_t n)
{
	const unsigned char *p = data;

	if (p == NULL)
		return NULL;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (sniff_avif(p, n))
		return "image/avif";
	return NULL;
}

bool
media_url_fetchable(const char *url)
{
	size_t skip, n;

	if (url == NULL)
		return false;
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return false;
	n = strlen(url);
	if (n > MEDIA_URL_MAX || n == skip || url[skip] == '/')
		return false;
	for (const unsigned char *s = (const unsigned char *)url; *s != '\0'; s++)
		if (*s <= 0x20 || *s == 0x7f || *s == '"' || *s == '\'' || *s == '<' ||
		    *s == '>' || *s == '\\' || *s == '`')
			return false;
	return true;
}

enum rc
media_proxy_url(struct buf *b, const char *base, const char *url)
{
	char id[MEDIA_ID_LEN + 1];

	media_id_for_url(url, id);
	return buf_appendf(b, "%s/media/%s", base, id);
}

/* The image type an URL's file extension suggests, or NULL. */
static const char *
ext_type(const char *url)
{
	static const struct { const char *ext, *type; } ext[] = {
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" }, { ".gif", "image/gif" },
		{ ".webp", "image/webp" }, { ".avif", "image/avif" },
	};
	const char *path = strstr(url, "://"), *end;
	size_t len;

	path = path != NULL ? strchr(path + 3, '/') : NULL;
	if (path == NULL)
		return NULL;
	end = path + strcspn(path, "?#");
	len = (size_t)(end - path);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t el = strlen(ext[i].ext);
		if (len > el + 1 && end[-(ptrdiff_t)el - 1] != '/' &&
		    strncasecmp(end - el, ext[i].ext, el) == 0)
			return ext[i].type;
	}
	return NULL;
}

bool
media_attachment_is_image(const struct feed_attachment *at)
{
	if (at == NULL || at->url == NULL)
		return false;
	if (at->mime_type != NULL)
		return strncasecmp(at->mime_type, "image/", 6) == 0 &&
		    strncasecmp(at->mime_type, "image/svg", 9) != 0;
	return ext_type(at->url) != NULL;
}

/* ---- HTML rewrite: the sanitizer's media pass ---- */

struct rewrite {
	media_map_fn map;
	void *arg;
};

/* Only URLs media may fetch reach the caller's map. */
static const char *
rewrite_cb(void *ctx, const char *url)
{
	struct rewrite *rw = ctx;

	return media_url_fetchable(url) ? rw->map(rw->arg, url) : NULL;
}

/* Output of the media pass has no cap of its own: the input was capped
 * by the parser (256 KiB), proxied URLs and alt="" only add a little. */
#define MEDIA_HTML_MAX (16u * 1024 * 1024)

enum rc
media_html_prepare(struct arena *a, struct sanitize *san, const char *html,
    media_map_fn map, void *arg, struct media_html *out)
{
	struct rewrite rw = { .map = map, .arg = arg };
	struct sanitize_media m = { .rewrite = rewrite_cb, .ctx = &rw };
	struct sanitize_opts o = { .max_len = MEDIA_HTML_MAX, .media = &m };
	struct sanitize_result r;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if (san == NULL && (san = sanitize_new(a)) == NULL)
		return RC_NOMEM;
	if (html == NULL)
		html = "";
	if ((rc = sanitize_html(san, html, strlen(html), &o, &r)) != RC_OK)
		return rc;
	out->html = r.html;
	out->len = r.len;
	out->spans = r.spans;
	out->nspans = r.nspans;
	return RC_OK;
}

struct keep {
	const struct media_html *m;
	bool (*keep)(void *arg, const char *url);
	void *arg;
};

static bool
keep_cb(void *arg, size_t i)
{
	struct keep *k = arg;

	return k->keep(k->arg, k->m->spans[i].url);
}

enum rc
media_html_keep(struct arena *a, const struct media_html *m,
    bool (*keep)(void *arg, const char *url), void *arg, char **out)
{
	struct keep k = { .m = m, .keep = keep, .arg = arg };

	return sanitize_cut(a, m->html, m->len, m->spans, m->nspans, keep_cb, &k, out);
}

enum rc
media_rewrite_html(struct arena *a, const char *html, media_map_fn map,
    void *arg, char **out)
{
	struct media_html m;
	enum rc rc;

	*out = NULL;
	if ((rc = media_html_prepare(a, NULL, html, map, arg, &m)) == RC_OK)
		*out = m.html;
	return rc;
}

/* ---- items ---- */

static const char *
map_url(const char *url, media_map_fn map, void *arg)
{
	if (url == NULL || !media_url_fetchable(url))
		return NULL;
	return map(arg, url);
}

enum rc
media_map_person(struct arena *a, const struct feed_person *in,
    media_map_fn map, void *arg, struct feed_person *out)
{
	(void)a;
	*out = *in;
	out->avatar = (char *)map_url(in->avatar, map, arg);
	return RC_OK;
}

static enum rc
map_attachments(struct arena *a, const struct feed_item *in, media_map_fn map,
    void *arg, struct feed_item *out)
{
	size_t k = 0;

	out->attachments = NULL;
	out->nattachments = 0;
	if (in->nattachments == 0)
		return RC_OK;
	out->attachments = arena_calloc(a, in->nattachments, sizeof(*out->attachments));
	if (out->attachments == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < in->nattachments; i++) {
		struct feed_attachment at = in->attachments[i];
		if (at.url == NULL)
			continue;
		if (media_attachment_is_image(&at)) {
			if (at.mime_type == NULL)
				at.mime_type = (char *)ext_type(at.url);
			at.url = (char *)map_url(at.url, map, arg);
			if (at.url == NULL)
				continue;
		}
		out->attachments[k++] = at;
	}
	out->nattachments = k;
	return RC_OK;
}

/* The gallery: an image whose picture is not mapped goes; a video keeps
 * its link with or without its poster. */
static enum rc
map_gallery(struct arena *a, const struct feed_item *in, media_map_fn map, void *arg,
    struct feed_item *out)
{
	size_t k = 0;

	out->media = NULL;
	out->nmedia = 0;
	if (in->nmedia == 0)
		return RC_OK;
	if ((out->media = arena_calloc(a, in->nmedia, sizeof(*out->media))) == NULL)
		return RC_NOMEM;
	for (size_t i = 0; i < in->nmedia; i++) {
		struct feed_media m = in->media[i];
		m.poster = (char *)map_url(m.poster, map, arg);
		if (m.type == FEED_MEDIA_IMAGE) {
			m.url = (char *)map_url(m.url, map, arg);
			if (m.url == NULL)
				continue;
		} else {
			m.url = NULL;      /* never the file: no player here */
			if (m.link == NULL)
				continue;
		}
		out->media[k++] = m;
	}
	out->nmedia = k;
	return RC_OK;
}

enum rc
media_map_item(struct arena *a, struct sanitize *san, const struct feed_item *in,
    media_map_fn map, void *arg, struct feed_item *out)
{
	struct media_html m;
	enum rc rc;

	*out = *in;
	out->image = (char *)map_url(in->image, map, arg);
	out->banner_image = (char *)map_url(in->banner_image, map, arg);
	if (in->nauthors > 0) {
		out->authors = arena_calloc(a, in->nauthors, sizeof(*out->authors));
		if (out->authors == NULL)
			return RC_NOMEM;
		for (size_t i = 0; i < in->nauthors; i++)
			media_map_person(a, &in->authors[i], map, arg, &out->authors[i]);
	}
	if ((rc = map_attachments(a, in, map, arg, out)) != RC_OK)
		return rc;
	if ((rc = map_gallery(a, in, map, arg, out)) != RC_OK)
		return rc;
	if (in->content_html == NULL)
		return RC_OK;
	if ((rc = media_html_prepare(a, san, in->content_html, map, arg, &m)) != RC_OK)
		return rc;
	out->content_html = m.html;
	return RC_OK;
}

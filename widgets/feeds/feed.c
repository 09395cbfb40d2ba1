/* feed: format detection and the parse driver. The helpers the format
 * parsers share are feed_build.c; JSON Feed output is feed_jsonfeed.c,
 * input feed_json.c; the XML tree the parsers walk is feed_tree.c. */
#include "widgets/feeds/feed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/urlres.h"
#include "util/utf8.h"
#include "widgets/feeds/feed_build.h"
#include "widgets/feeds/feed_formats.h"
#include "widgets/feeds/feed_prep.h"

static const char *const format_names[] = {
	[FEED_UNKNOWN] = "unknown", [FEED_RSS090] = "rss09x",
	[FEED_RSS20] = "rss20", [FEED_RSS10] = "rss10",
	[FEED_ATOM03] = "atom03", [FEED_ATOM10] = "atom10",
	[FEED_JSON10] = "json10", [FEED_JSON11] = "json11",
};

const char *
feed_format_name(enum feed_format fmt)
{
	if ((unsigned)fmt >= sizeof(format_names) / sizeof(format_names[0]))
		return "unknown";
	return format_names[fmt];
}

/* Skips white space, the XML declaration, comments, PIs and DOCTYPE. */
static const char *
skip_prolog(const char *p, const char *end)
{
	while (p < end) {
		const char *q;
		if (feed_is_ws(*p)) {
			p++;
		} else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
			p = q == NULL ? end : q + 3;
		} else if (end - p >= 2 && (memcmp(p, "<?", 2) == 0 ||
		    memcmp(p, "<!", 2) == 0)) {
			q = memchr(p, '>', (size_t)(end - p));
			p = q == NULL ? end : q + 1;
		} else {
			break;
		}
	}
	return p;
}

/* The XML format whose root starts at or after p (prolog skipped). */
static enum feed_format
detect_xml(const char *p, const char *end)
{
	const char *tag_end, *name;
	size_t nl;
	char tag[512];

	p = skip_prolog(p, end);
	if (p >= end || *p != '<')
		return FEED_UNKNOWN;
	tag_end = memchr(p, '>', (size_t)(end - p));
	if (tag_end == NULL)
		return FEED_UNKNOWN;
	nl = (size_t)(tag_end - p) < sizeof(tag) - 1 ? (size_t)(tag_end - p) :
	    sizeof(tag) - 1;
	memcpy(tag, p, nl);
	tag[nl] = '\0';
	name = tag + 1;
	if (strchr(name, ':') != NULL && strchr(name, ':') <
	    name + strcspn(name, " \t\r\n/>"))
		name = strchr(name, ':') + 1;
	nl = strcspn(name, " \t\r\n/>");
	if (nl == 3 && strncasecmp(name, "rss", 3) == 0) {
		if (strstr(tag, "version=\"2") || strstr(tag, "version='2"))
			return FEED_RSS20;
		return FEED_RSS090;
	}
	if (nl == 3 && strncmp(name, "RDF", 3) == 0)
		return FEED_RSS10;
	if (nl == 4 && strncmp(name, "feed", 4) == 0) {
		if (strstr(tag, "http://purl.org/atom/ns#") != NULL)
			return FEED_ATOM03;
		return FEED_ATOM10;
	}
	return FEED_UNKNOWN;
}

enum feed_format
feed_detect(const char *body, size_t len)
{
	const char *p = body, *end = body + (len > 65536 ? 65536 : len);

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && feed_is_ws(*p))
		p++;
	if (p < end && *p == '{') {
		if (memmem(p, (size_t)(end - p), "jsonfeed.org/version/1.1", 24))
			return FEED_JSON11;
		if (memmem(p, (size_t)(end - p), "jsonfeed.org/version/1", 22))
			return FEED_JSON10;
		return FEED_UNKNOWN;
	}
	/* Past junk a server printed before the XML (feed_prep.h). */
	return detect_xml(p + feed_prep_xml_start(p, (size_t)(end - p)), end);
}

/* ---- the driver ---- */

/* feed_xml reads up to a NUL at len: the body's own when it has one and
 * t->s is the body (less a BOM), else a copy's. */
static enum rc
tree_unrepaired(struct feed_ctx *c, const struct feed_prep_text *t,
    struct feed_tree *tree)
{
	char *s;
	enum rc rc;

	if (c->opts != NULL && c->opts->body_nul && t->owned == NULL)
		return feed_tree_parse_kept(c->a, t->s, t->len, 0,
		    FEED_TREE_UNREPAIRED, tree);
	s = malloc(t->len + 1);
	if (s == NULL)
		return RC_NOMEM;
	memcpy(s, t->s, t->len);
	s[t->len] = '\0';
	rc = feed_tree_parse_with(c->a, s, t->len, 0, FEED_TREE_UNREPAIRED, tree);
	free(s);
	return rc;
}

/*
 * The tree of t's text. Most feeds need none of feed_prep_xml's repairs:
 * feed_xml reads their text as it is and refuses any that one would change
 * (FEED_TREE_UNREPAIRED), so the pass over the document and its copy are
 * only made for the others. The result is the same either way
 * (feed_parse_opts.always_repair compares them in the tests).
 */
static enum rc
xml_tree(struct feed_ctx *c, struct feed_prep_text *t, struct feed_tree *tree)
{
	enum rc rc;

	if (c->opts == NULL || !c->opts->always_repair) {
		rc = tree_unrepaired(c, t, tree);
		if (rc != RC_INVALID)
			return rc;
	}
	rc = feed_prep_xml(t, c->a);
	if (rc != RC_OK)
		return rc;
	c->cdata = t->cdata;
	c->cdata_len = t->cdata_len;
	c->ncdata = t->ncdata;
	/* t->xml stays until the feed is built (feed_prep_text_fini). */
	return feed_tree_parse_kept(c->a, t->xml, t->xml_len, 0, FEED_TREE_ANY,
	    tree);
}

static enum rc
parse_xml(struct feed_ctx *c, struct feed_prep_text *t)
{
	struct feed_tree tree;
	const struct feed_node *root;
	const char *name;
	size_t skip = feed_prep_xml_start(t->s, t->len);
	enum rc rc;

	/* The text stays owned by t (t->owned); only the view moves. */
	t->s += skip;
	t->len -= skip;
	rc = xml_tree(c, t, &tree);
	if (rc != RC_OK)
		return rc;
	c->f->recovered = tree.recovered || skip > 0;
	root = tree.root;
	name = feed_local(root);
	c->root_ns = root->ns != NULL && root->ns->kind == FEED_SYM_URI ?
	    root->ns : NULL;
	if (strcasecmp(name, "rss") == 0 || strcmp(name, "RDF") == 0 ||
	    strcasecmp(name, "channel") == 0)
		return feed_rss_parse(c, root);
	if (strcmp(name, "feed") == 0)
		return feed_atom_parse(c, root);
	return RC_INVALID;
}

static bool
looks_json(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && feed_is_ws(s[i]))
		i++;
	return i < n && s[i] == '{';
}

/*
 * A JSON document feed_prep_decode would take as it is, read without the
 * pass over the whole text that checks its UTF-8: the reader checks every
 * string (text_utf8 false), and valid JSON has non-ASCII bytes nowhere
 * else. false when it is not such a document, or when it is not UTF-8
 * after all: c and its feed are as they were, the arena given back, and
 * feed_prep_decode's reading (with its repairs) decides.
 */
static bool
json_as_is(struct feed_ctx *c, const char *body, size_t len, enum rc *rc)
{
	const struct feed_ctx before = *c;
	const struct arena_mark m = arena_mark(c->a);
	struct feed_prep_text t;

	if (!feed_prep_utf8_as_is(body, len, c->opts != NULL ?
	    c->opts->content_type : NULL, false, &t))
		return false;
	c->text_utf8 = false;
	c->f->encoding = arena_strdup(c->a, t.encoding);
	*rc = feed_json_parse(c, t.s, t.len);
	if (*rc != RC_INVALID || utf8_valid(t.s, t.len))
		return true;
	arena_rewind(c->a, &m);
	*c = before;
	memset(c->f, 0, sizeof(*c->f));
	return false;
}

enum rc
feed_parse(struct arena *a, const char *body, size_t len,
    const struct feed_parse_opts *opts, struct feed *out)
{
	struct feed_ctx c;
	struct feed_prep_text t;
	bool json;
	enum rc rc;

	memset(out, 0, sizeof(*out));
	if (body == NULL || len == 0)
		return RC_INVALID;
	if (len > FEED_MAX_BODY)
		return RC_TOOBIG;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.opts = opts;
	c.f = out;
	c.base = opts != NULL && opts->base_url != NULL ?
	    urlres_clean(a, opts->base_url) : NULL;
	c.max_items = opts != NULL && opts->max_items > 0 ? opts->max_items :
	    FEED_MAX_ITEMS_HARD;
	if (c.max_items > FEED_MAX_ITEMS_HARD)
		c.max_items = FEED_MAX_ITEMS_HARD;
	/* The sanitizer itself comes on first use, but its global set-up
	 * (libxml2's deny-all entity loader) must precede any parse. */
	sanitize_global_init();
	json = looks_json(body, len);
	if (!json || !json_as_is(&c, body, len, &rc)) {
		rc = feed_prep_decode(body, len, opts != NULL ?
		    opts->content_type : NULL, !json, &t);
		if (rc != RC_OK)
			return rc;
		c.text_utf8 = true;
		out->encoding = arena_strdup(a, t.encoding);
		out->repaired_bytes = t.repaired;
		if (json || looks_json(t.s, t.len))
			rc = feed_json_parse(&c, t.s, t.len);
		else
			rc = parse_xml(&c, &t);
		feed_prep_text_fini(&t);
	}
	if (rc != RC_OK) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	feed_parse_end(&c);
	return RC_OK;
}

/* tree_diff: structural comparison of two feed_trees. */
#include "tests/unit/tree_diff.h"

#include <stdio.h>
#include <string.h>

static bool
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
sym_same(const struct feed_sym *a, const struct feed_sym *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    a->kind == b->kind && a->len == b->len &&
	    memcmp(a->s, b->s, a->len) == 0);
}

static bool
attrs_same(const struct feed_attr *a, const struct feed_attr *b,
    char *why, size_t whylen)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		if (!str_same(a->name, b->name) || !str_same(a->prefix, b->prefix) ||
		    !sym_same(a->ns, b->ns) || !str_same(a->value, b->value)) {
			snprintf(why, whylen, "attribute %s=\"%s\" vs %s=\"%s\"",
			    a->name, a->value ? a->value : "(null)", b->name,
			    b->value ? b->value : "(null)");
			return false;
		}
	}
	if (a != NULL || b != NULL) {
		snprintf(why, whylen, "attribute count differs at %s",
		    a != NULL ? a->name : b->name);
		return false;
	}
	return true;
}

static bool
node_same(const struct feed_node *a, const struct feed_node *b, char *why,
    size_t whylen)
{
	const struct feed_node *x, *y;

	if (a->type != b->type) {
		snprintf(why, whylen, "node type %d vs %d", a->type, b->type);
		return false;
	}
	if (a->type == FEED_NODE_TEXT) {
		if (a->len != b->len || memcmp(a->text, b->text, a->len) != 0) {
			snprintf(why, whylen, "text \"%.60s\" (%zu) vs \"%.60s\" (%zu)",
			    a->text, a->len, b->text, b->len);
			return false;
		}
		return true;
	}
	if (!str_same(a->name, b->name) || !sym_same(a->ns, b->ns)) {
		snprintf(why, whylen, "element %s {%s} vs %s {%s}", a->name,
		    a->ns ? a->ns->s : "", b->name, b->ns ? b->ns->s : "");
		return false;
	}
	if (!attrs_same(a->attrs, b->attrs, why, whylen))
		return false;
	for (x = a->children, y = b->children; x != NULL && y != NULL;
	    x = x->next, y = y->next) {
		if (!node_same(x, y, why, whylen))
			return false;
	}
	if (x != NULL || y != NULL) {
		snprintf(why, whylen, "child count differs in %s", a->name);
		return false;
	}
	return true;
}

bool
tree_same(const struct feed_tree *a, const struct feed_tree *b, char *why,
    size_t whylen)
{
	if ((a->root == NULL) != (b->root == NULL)) {
		snprintf(why, whylen, "one tree has no root");
		return false;
	}
	if (a->flattened != b->flattened || a->nodes != b->nodes) {
		snprintf(why, whylen, "flattened %d/%d nodes %zu/%zu",
		    a->flattened, b->flattened, a->nodes, b->nodes);
		return false;
	}
	return a->root == NULL || node_same(a->root, b->root, why, whylen);
}

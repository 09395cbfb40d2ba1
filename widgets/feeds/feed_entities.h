/* feed_entities: the HTML 4 named character references (the 253 of
 * libxml2's htmlEntityLookup, which the parser used before it loaded
 * libxml2 on demand only), for feed_prep's repair of XML text. */
#ifndef SOCIALHUB_WIDGETS_FEEDS_FEED_ENTITIES_H
#define SOCIALHUB_WIDGETS_FEEDS_FEED_ENTITIES_H

#include <stdbool.h>
#include <stdint.h>

/* The code point of the HTML 4 entity `name` (case-sensitive, without
 * '&' and ';') into *cp; false when there is none. */
bool feed_entity_html4(const char *name, uint32_t *cp);

#endif

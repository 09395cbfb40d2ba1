/* embed_assets: embed.js and embed.css (with share.js/.css) compiled in,
 * for GET /embed.js and /embed.css when nginx does not serve them. */
#ifndef SOCIALHUB_WIDGETS_EMBED_ASSETS_H
#define SOCIALHUB_WIDGETS_EMBED_ASSETS_H

#include <stddef.h>

extern const unsigned char embed_js[];
extern const size_t embed_js_len;
extern const unsigned char embed_css[];
extern const size_t embed_css_len;

#endif

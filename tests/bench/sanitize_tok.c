/* sanitize_tok: widgets/sanitize.c with its exported names prefixed new_,
 * for tests/bench/sanitize_parity. */
#define sanitize_new new_sanitize_new
#define sanitize_html new_sanitize_html
#define sanitize_text new_sanitize_text
#define sanitize_url new_sanitize_url
#define sanitize_looks_like_html new_sanitize_looks_like_html
#define sanitize_collapse_ws new_sanitize_collapse_ws
#define sanitize_truncate_utf8 new_sanitize_truncate_utf8
#define sanitize_cp1252_c1 new_sanitize_cp1252_c1
#define sanitize_global_init new_sanitize_global_init
#include "widgets/sanitize.c"

# widgets_env.sh: sourced after lib.sh's th_init — the demo-like setup the
# widget tests share: the fixture feeds (deploy/demo/feeds) served by the
# test nginx on 127.0.0.1, a socialhub config with the "brand" stream (four
# sources) and the "hostile" stream, and one refresh pass.
#
#   we_setup_feeds           renders the fixtures into nginx's html/feeds
#   we_config [EXTRA]        writes $WE_CFG (stream sections + EXTRA)
#   we_nginx_extra           nginx server text: Mastodon-shaped paths, feeds
#   we_refresh               socialhub refresh --force (fetch, merge, publish)
# shellcheck shell=bash

WE_FEEDS=$TH_SRCDIR/deploy/demo/feeds
WE_HTML=$TH_DIR/nginx/html
WE_CFG=$TH_DIR/socialhub.conf

we_setup_feeds() {
	mkdir -p "$WE_HTML"
	sh "$WE_FEEDS/render.sh" "$WE_FEEDS" "$WE_HTML/feeds" "$TH_BASE" ||
		th_bail "cannot render the fixture feeds"
	chmod -R a+rX "$WE_HTML"
}

# The Mastodon source lives where Mastodon puts it (/@brand.rss), so the
# refresher derives the account API (/api/v1/accounts/lookup) from it,
# once the host's instance API (/api/v1/instance) answers as Mastodon.
we_nginx_extra() {
	cat <<NGINX
        types { application/rss+xml rss; application/atom+xml atom; application/json json;
                text/html html; image/png png; image/jpeg jpg; image/webp webp; image/gif gif;
                application/javascript js; text/css css; }
        location = /@brand.rss { alias $WE_HTML/feeds/mastodon.rss; }
        location = /api/v1/accounts/lookup {
            default_type application/json;
            alias $WE_HTML/feeds/mastodon-account.json;
        }
        location = /api/v1/instance {
            default_type application/json;
            alias $WE_HTML/feeds/mastodon-instance.json;
        }
        location /feeds/ { }
NGINX
}

we_config() {
	th_write_config "$WE_CFG" "stream brand {
  title = \"Example Co. everywhere\"
  source mastodon { url = \"$TH_BASE/@brand.rss\" lang = \"en\" }
  source youtube  { url = \"$TH_BASE/feeds/youtube.atom\" }
  source bluesky  { url = \"$TH_BASE/feeds/bluesky.rss\" title = \"Example Co. on Bluesky\" }
  source blog     { url = \"$TH_BASE/feeds/blog.rss\" market = \"de\" }
}
stream hostile {
  title = \"Hostile <script>window.__xss='title'</script>\"
  source hostile { url = \"$TH_BASE/feeds/hostile.rss\" }
}
catalog_dir = \"$TH_SRCDIR/data/catalogs\"
${1:-}" >/dev/null
}

we_refresh() {
	"$SOCIALHUB" refresh --force -c "$WE_CFG" >"$TH_DIR/refresh.out" 2>>"$TH_DIR/socialhub.log"
}

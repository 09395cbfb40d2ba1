#!/bin/bash
# test_connections_browser_redis: test_connections_browser.sh with the
# connections' states, flows, sealed tokens and leases in Redis (a private
# redis-server, the `store` section).
CONN_REDIS=1 exec bash "$(dirname "$0")/test_connections_browser.sh"

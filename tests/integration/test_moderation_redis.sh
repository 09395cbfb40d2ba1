#!/bin/bash
# test_moderation_redis: test_moderation.sh with the queue, decisions and
# audit in Redis (a private redis-server, the `store` section).
MOD_REDIS=1 exec bash "$(dirname "$0")/test_moderation.sh"

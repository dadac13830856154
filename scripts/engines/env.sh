# shellcheck shell=bash
# Source this to point the server (or, re-exported as TEST_*, the tests) at the engines of ctl.sh.
# lib.sh is read in a subshell, so only these four variables reach the caller's shell.
eval "$(
  # shellcheck source=lib.sh
  source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
  printf 'export REDIS_URL=%q KAFKA_BROKERS=%q MONGODB_URI=%q ELASTICSEARCH_URL=%q\n' "redis://127.0.0.1:$REDIS_PORT" \
    "127.0.0.1:$KAFKA_PORT" "mongodb://127.0.0.1:$MONGO_PORT/chat" "http://127.0.0.1:$ES_PORT"
)"

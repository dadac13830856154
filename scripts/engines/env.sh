# shellcheck shell=bash
# Source this to point the server (or, re-exported as TEST_*, the tests) at the engines of ctl.sh.
# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat"

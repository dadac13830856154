# Source this to point the server (or the tests, as TEST_*) at the engines started by ctl.sh.
_engines_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$_engines_dir/lib.sh"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/chat"

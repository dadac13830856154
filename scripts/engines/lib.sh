# Shared settings for the engine scripts: where things are cached, where they run, which ports.
# Loopback only, non-default ports, so nothing collides with services already on the machine.


ENGINES_CACHE="${ENGINES_CACHE:-$HOME/.cache/chat-engines}"
ENGINES_RUN="${ENGINES_RUN:-/tmp/chat-engines}"
REDIS_PORT="${REDIS_PORT:-16379}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
MONGO_PORT="${MONGO_PORT:-27117}"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
SLF4J_VERSION=2.0.17
FERRETDB_VERSION=v1.24.2

KAFKA_LIBS="$ENGINES_CACHE/kafka-$KAFKA_VERSION/libs"
FERRETDB_BIN="$ENGINES_CACHE/ferretdb-$FERRETDB_VERSION/ferretdb"

mkdir -p "$ENGINES_CACHE" "$ENGINES_RUN"

log() { printf '[engines] %s\n' "$*"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # wait_for <seconds> <description> <command...>
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then log "$what did not become ready in ${secs}s"; return 1; fi
    sleep 0.2
  done
}

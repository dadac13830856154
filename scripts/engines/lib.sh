# shellcheck shell=bash disable=SC2034
# Shared settings for the engine scripts (sourced). Loopback only and non-default ports, so the
# engines never collide with services already on the machine; every value can be overridden.
ENGINES_CACHE="${ENGINES_CACHE:-$HOME/.cache/chat-engines}"   # installs: jars, binaries, build caches
ENGINES_RUN="${ENGINES_RUN:-/tmp/chat-engines}"               # data, logs, pid files
REDIS_PORT="${REDIS_PORT:-16379}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
MONGO_PORT="${MONGO_PORT:-27117}"
ES_PORT="${ES_PORT:-19200}"
# FerretDB's storage: sqlite (files under $ENGINES_RUN/mongo) or postgres (a PostgreSQL server of ours,
# on POSTGRES_PORT, data under $ENGINES_RUN/postgres; `ctl.sh start mongo` starts it first).
MONGO_BACKEND="${MONGO_BACKEND:-sqlite}"
POSTGRES_PORT="${POSTGRES_PORT:-$((MONGO_PORT + 1))}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"   # Debian's system user: PostgreSQL refuses to run as root
# The newest Debian PostgreSQL installed (install.sh postgres).
PG_BIN="${PG_BIN:-$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)}"

KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"   # newest 4.x whose kafka_2.13 and kafka-tools both resolve
SLF4J_VERSION=2.0.17
FERRETDB_VERSION=v1.24.2
ES_VERSION="${ES_VERSION:-9.2.0}"   # the integ-test-zip from Maven Central: no bundled JDK, no optional modules
ES_JAVA_HOME="${ES_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ES_USER="${ES_USER:-es}"            # Elasticsearch refuses to run as root

KAFKA_HOME="$ENGINES_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
FERRETDB_BIN="$ENGINES_CACHE/ferretdb-$FERRETDB_VERSION/ferretdb"
ES_HOME="$ENGINES_CACHE/elasticsearch-$ES_VERSION"
CENTRIFUGO_VERSION=v6.9.1   # the benchmark's baseline peer (bench/baselines)
CENTRIFUGO_BIN="$ENGINES_CACHE/centrifugo-$CENTRIFUGO_VERSION/centrifugo"

# Class-data-sharing archive of the broker's classes (made by install.sh): it cuts the broker's
# start by about 40%. Keyed by the JVM, since an archive only serves the JVM that wrote it.
kafka_cds() {
  local j; j=$(readlink -f "$(command -v java)")
  echo "$KAFKA_HOME/cds-$(stat -c '%n %s %Y' "$j" "${j%/bin/java}/lib/server/libjvm.so" 2>/dev/null | cksum | cut -d' ' -f1).jsa"
}

log() { printf '[engines] %s\n' "$*"; }

# Runs a command silently; shows its output only if it fails.
quiet() { local out; out=$("$@" 2>&1) || { local rc=$?; printf '%s\n' "$out" >&2; return "$rc"; }; }

pidfile() { echo "$ENGINES_RUN/$1.pid"; }

# Alive while any of its threads is: a JVM's main thread can be a zombie while others still hold its
# ports. A fully exited process counts as gone though it waits, as a zombie, for init (slow here).
# Builtins only, and threads that vanish mid-scan are skipped.
alive() {
  local f line
  for f in "/proc/$1/task/"*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    line=${line##*) }
    case ${line:0:1} in Z|X) ;; *) return 0 ;; esac
  done
  return 1
}

# Prints the engine's pid if it runs and really is that engine (not a recycled pid).
engine_pid() { # engine_pid <engine> <text in its command line>
  local pf; pf=$(pidfile "$1")
  [ -f "$pf" ] || return 1
  local pid; pid=$(cat "$pf")
  [ -n "$pid" ] && alive "$pid" || return 1
  tr "\0" " " 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while port_open "$p"; do p=$((p + 1)); done; echo "$p"; }

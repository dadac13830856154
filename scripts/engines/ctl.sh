#!/usr/bin/env bash
# Starts and stops the engines on loopback. Data survives stop/start and kill/start (tests use that
# to simulate outages); only `reset` wipes it. `start` returns once the engine serves requests.
# Usage: ctl.sh start|stop|restart|status|kill|reset <redis|kafka|mongo|elastic|postgres|all>
# Logs: $ENGINES_RUN/<engine>/<engine>.log (KAFKA_LOG_LEVEL=info for a verbose broker).
# MONGO_BACKEND=postgres runs FerretDB on PostgreSQL (its own server, started before FerretDB; in `all`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
usage="usage: ctl.sh start|stop|restart|status|kill|reset <redis|kafka|mongo|elastic|postgres|all>"
action="${1:-}"; target="${2:-all}"

# Text in each engine's command line (guards against recycled pids).
signature() { case $1 in redis) echo "redis-server" ;; kafka) echo "kafka.Kafka" ;; mongo) echo "ferretdb" ;; elastic) echo "elasticsearch" ;; postgres) echo "$ENGINES_RUN/postgres/data" ;; esac; }
running() { engine_pid "$1" "$(signature "$1")"; }
ports() { case $1 in redis) echo "$REDIS_PORT" ;; kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ;; mongo) echo "$MONGO_PORT" ;; elastic) echo "$ES_PORT" ;; postgres) echo "$POSTGRES_PORT" ;; esac; }
logfile() { echo "$ENGINES_RUN/$1/$1.log"; }
installed() { case $1 in redis) command -v redis-server >/dev/null ;; kafka) [ -f "$KAFKA_HOME/.complete" ] ;; mongo) [ -x "$FERRETDB_BIN" ] ;; elastic) [ -f "$ES_HOME/.complete" ] ;; postgres) [ -x "$PG_BIN/postgres" ] ;; esac; }

# Own session and no inherited stdio: callers that capture our output never wait on the engine,
# and a test runner's Ctrl-C does not take the shared engines down.
launch() { # launch <engine> <command...>
  local e=$1; shift
  setsid "$@" </dev/null >>"$(logfile "$e")" 2>&1 9>&- &
  echo $! >"$(pidfile "$e")"
}

# Polls <check> until it passes; fails at once if the engine died (its log tail says why).
wait_ready() { # wait_ready <engine> <seconds> <check...>
  local e=$1 secs=$2 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    if ! alive "$(cat "$(pidfile "$e")")"; then  # by pid: its command line shows only after exec
      log "$e: exited during start; end of $(logfile "$e"):"; tail -n 20 "$(logfile "$e")" >&2; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then log "$e: not ready after ${secs}s, see $(logfile "$e")"; return 1; fi
    sleep 0.1
  done
}

redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

# A real OP_MSG {ping: 1, $db: "admin"} on the wire, answered with {ok: 1.0}; needs no driver.
mongo_ping() (
  exec 3<>"/dev/tcp/127.0.0.1/$MONGO_PORT" || exit 1
  # shellcheck disable=SC2016
  printf '\x33\0\0\0\x01\0\0\0\0\0\0\0\xdd\x07\0\0\0\0\0\0\0\x1e\0\0\0\x10ping\0\x01\0\0\0\x02$db\0\x06\0\0\0admin\0\0' >&3
  timeout 2 dd bs=4096 count=1 status=none <&3 | od -An -v -tx1 | tr -d ' \n' | grep -q '016f6b00000000000000f03f'
) 2>/dev/null

# A Metadata v12 request (no topics) on the wire: ready once the answer lists an alive (registered,
# unfenced) broker. Byte 13 of the response is the broker array's compact length, count + 1.
kafka_ready() (
  exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT" || exit 1
  printf '\0\0\0\x14\0\x03\0\x0c\0\0\0\x01\0\x05probe\0\x01\0\0\0' >&3
  n=$(timeout 2 dd bs=4096 count=1 status=none <&3 | od -An -tu1 -j13 -N1 | tr -d ' ')
  [ "${n:-0}" -ge 2 ]
) 2>/dev/null

launch_redis() {
  # Append-only file, so counters and parked messages survive a restart like a production Redis.
  launch redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$ENGINES_RUN/redis" \
    --appendonly yes --save '' --daemonize no
}
wait_redis() { wait_ready redis 20 redis_ping; }

launch_mongo() {
  mkdir -p "$ENGINES_RUN/mongo/data" "$ENGINES_RUN/mongo/state"
  local backend=(--handler=sqlite --sqlite-url="file:$ENGINES_RUN/mongo/data/")
  if [ "$MONGO_BACKEND" = postgres ]; then
    wait_postgres  # launched just before (see engines below): FerretDB needs it to answer
    backend=(--handler=postgresql --postgresql-url="postgres://$POSTGRES_USER@127.0.0.1:$POSTGRES_PORT/ferretdb")
  fi
  launch mongo "$FERRETDB_BIN" "${backend[@]}" \
    --listen-addr="127.0.0.1:$MONGO_PORT" --state-dir="$ENGINES_RUN/mongo/state" \
    --debug-addr=- --telemetry=disable --log-level=error
}
wait_mongo() { wait_ready mongo 30 mongo_ping; }

# PostgreSQL for FerretDB's postgres backend: our own cluster under $ENGINES_RUN (trust auth, loopback
# only, fsync on like a deployment), run as $POSTGRES_USER when we are root (it refuses root).
launch_postgres() {
  local d="$ENGINES_RUN/postgres" as=()
  if [ "$(id -u)" = 0 ]; then chown "$POSTGRES_USER:" "$d"; as=(setpriv --reuid="$POSTGRES_USER" --regid="$POSTGRES_USER" --init-groups); fi
  if [ ! -f "$d/data/PG_VERSION" ]; then
    ${as[@]+"${as[@]}"} "$PG_BIN/initdb" -D "$d/data" -U "$POSTGRES_USER" --auth=trust -E UTF8 >>"$(logfile postgres)" 2>&1 || { tail -n 20 "$(logfile postgres)" >&2; return 1; }
  fi
  launch postgres ${as[@]+"${as[@]}"} "$PG_BIN/postgres" -D "$d/data" -p "$POSTGRES_PORT" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories="$d" -c max_connections=200
}
postgres_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER"; }
wait_postgres() {
  wait_ready postgres 60 postgres_ready || return 1
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -tAq)
  [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'")" = 1 ] || "${psql[@]}" -c "CREATE DATABASE ferretdb" >/dev/null
}

# C1 only and the serial GC: the broker starts about a second sooner on 2 cores.
KAFKA_JAVA_OPTS=(-Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel="${KAFKA_LOG_LEVEL:-warn}"
  -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info
  -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS)

launch_kafka() {
  local d="$ENGINES_RUN/kafka"
  cat >"$d/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$d/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# After kill -9 the restarted broker cannot register until its old session expires (default 9s):
# a shorter session, with faster heartbeats (which also unfence it sooner), keeps restarts quick.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
PROPS
  # Format once: the cluster id and log dir then survive every stop/kill/start until `reset`.
  if [ ! -f "$d/data/meta.properties" ]; then
    local id=-
    # Base64url of 16 random bytes, as `StorageTool random-uuid` makes, minus one JVM start.
    while [[ $id == -* ]]; do id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22); done
    java "${KAFKA_JAVA_OPTS[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$id" \
      -c "$d/server.properties" >>"$(logfile kafka)" 2>&1 || { tail -n 20 "$(logfile kafka)" >&2; return 1; }
  fi
  local cds=() archive; archive=$(kafka_cds)
  if [ -n "${KAFKA_CDS_DUMP:-}" ]; then cds=(-XX:ArchiveClassesAtExit="$KAFKA_CDS_DUMP")  # install.sh
  elif [ -f "$archive" ]; then cds=(-XX:SharedArchiveFile="$archive"); fi
  launch kafka java "${KAFKA_JAVA_OPTS[@]}" ${cds[@]+"${cds[@]}"} -cp "$KAFKA_LIBS/*" kafka.Kafka "$d/server.properties"
}
wait_kafka() { wait_ready kafka 120 kafka_ready; }

# Single node on loopback, security and disk watermarks off. Under $ENGINES_RUN: a hard-linked copy of
# the install (the unprivileged user cannot enter root's cache), its own config (ES writes its keystore
# there), data and logs, owned by that user when we are root.
launch_elastic() {
  local d="$ENGINES_RUN/elastic"
  mkdir -p "$d/data" "$d/logs" "$d/tmp"
  [ -d "$d/home" ] || cp -al "$ES_HOME" "$d/home" 2>/dev/null || cp -r "$ES_HOME" "$d/home"
  [ -d "$d/config" ] || cp -r "$ES_HOME/config" "$d/config"
  local as=()
  if [ "$(id -u)" = 0 ]; then chown -R "$ES_USER:" "$d/data" "$d/logs" "$d/tmp" "$d/config"; as=(setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups); fi
  launch elastic ${as[@]+"${as[@]}"} env ES_JAVA_HOME="$ES_JAVA_HOME" ES_PATH_CONF="$d/config" ES_TMPDIR="$d/tmp" \
    ES_JAVA_OPTS="-Xms512m -Xmx512m" "$d/home/bin/elasticsearch" \
    -E discovery.type=single-node -E network.host=127.0.0.1 -E http.port="$ES_PORT" -E transport.port="$((ES_PORT + 100))" \
    -E xpack.security.enabled=false -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E path.data="$d/data" -E path.logs="$d/logs" -E action.destructive_requires_name=false
}
elastic_ready() { curl -fsS "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null; }
wait_elastic() { wait_ready elastic 420 elastic_ready; }  # 30–60 s when idle; minutes on a loaded 2-core machine

stop_engine() { # stop_engine <engine> <signal> <grace seconds>
  local pid
  if pid=$(running "$1"); then
    # Elasticsearch's launcher JVM starts the server JVM as a child: signal the whole process group
    # (launch made it a session leader), so kill -9 takes the server down too.
    local sig=$2
    # TERM is PostgreSQL's "smart" shutdown, which waits for every client (FerretDB) to leave.
    [ "$1" = postgres ] && [ "$sig" = TERM ] && sig=INT
    if [ "$1" = elastic ]; then kill "-$sig" -- "-$pid" 2>/dev/null || true; else kill "-$sig" "$pid" 2>/dev/null || true; fi
    local deadline=$((SECONDS + $3))
    while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if alive "$pid"; then
      log "$1: still running after ${3}s, killing it"; kill -9 "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$(pidfile "$1")"
}

engines=$([ "$target" = all ] && echo redis mongo kafka elastic || echo "$target")
for e in $engines; do
  case "$e" in redis|kafka|mongo|elastic|postgres) ;; *) echo "$usage" >&2; exit 2 ;; esac
done
# FerretDB on PostgreSQL: PostgreSQL comes first, and `all` (or a start or reset of mongo) includes it.
if [ "$MONGO_BACKEND" = postgres ] && [[ " $engines " == *" mongo "* ]] && { [ "$target" = all ] || [[ $action =~ ^(start|restart|reset)$ ]]; }; then
  engines=$(echo "$engines" | sed 's/\bmongo\b/postgres mongo/')
fi
mkdir -p "$ENGINES_RUN"
# One ctl.sh at a time per run dir, so concurrent callers never launch an engine twice.
[ "$action" = status ] || { exec 9>"$ENGINES_RUN/.lock"; flock 9; }

case "$action" in
  start|restart)
    if [ "$action" = restart ]; then for e in $engines; do stop_engine "$e" TERM 60; done; fi
    t0=$SECONDS; started=()
    # Launch all, then wait for each: the engines boot side by side.
    for e in $engines; do
      running "$e" >/dev/null && continue
      installed "$e" || { log "$e: not installed; run scripts/engines/install.sh $e" >&2; exit 1; }
      # Else the readiness check could pass against someone else's server on that port.
      for p in $(ports "$e"); do
        for _ in $(seq 50); do port_open "$p" || break; sleep 0.1; done  # a previous instance's last breath
        if port_open "$p"; then log "$e: port $p is taken by another process ($ENGINES_RUN has none)" >&2; exit 1; fi
      done
      mkdir -p "$ENGINES_RUN/$e" && echo "=== start $(date '+%F %T')" >>"$(logfile "$e")"
      "launch_$e"; started+=("$e")
    done
    for e in ${started[@]+"${started[@]}"}; do "wait_$e"; done
    for e in $engines; do log "$e: running (pid $(running "$e"))"; done
    [ ${#started[@]} -eq 0 ] || log "started ${started[*]} in $((SECONDS - t0))s"
    ;;
  stop) for e in $engines; do stop_engine "$e" TERM 60; done ;;
  kill) for e in $engines; do stop_engine "$e" KILL 10; done ;;
  reset) for e in $engines; do stop_engine "$e" KILL 10; rm -rf "${ENGINES_RUN:?}/$e"; done ;;
  status)
    rc=0
    for e in $engines; do
      if pid=$(running "$e"); then echo "$e: running (pid $pid)"; else echo "$e: stopped"; rc=3; fi
    done
    exit "$rc"
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Starts and stops the engines on loopback. Data survives stop/start (tests use that to simulate
# outages); `reset` wipes it.  Usage: ctl.sh start|stop|kill|restart|status|reset <redis|kafka|mongo|all>
set -euo pipefail
source "$(dirname "$0")/lib.sh"
action="${1:?usage: ctl.sh start|stop|kill|restart|status|reset <redis|kafka|mongo|all>}"
target="${2:-all}"

dir_of() { echo "$ENGINES_RUN/$1"; }
pidfile() { echo "$ENGINES_RUN/$1.pid"; }

start_redis() {
  local d; d=$(dir_of redis); mkdir -p "$d"
  pid_alive "$(pidfile redis)" && return 0
  # Append-only file so a restart keeps counters and parked messages, like a production Redis.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$d" --appendonly yes --save '' \
    --daemonize yes --pidfile "$(pidfile redis)" --logfile "$d/redis.log"
  wait_for 20 redis redis-cli -p "$REDIS_PORT" ping
}

kafka_props() {
  local d; d=$(dir_of kafka)
  cat > "$d/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
}

start_kafka() {
  local d; d=$(dir_of kafka); mkdir -p "$d"
  pid_alive "$(pidfile kafka)" && return 0
  kafka_props
  local java_opts=(-Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info)
  if [ ! -f "$d/data/meta.properties" ]; then
    java "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format \
      -t "$(java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
      -c "$d/server.properties" >"$d/format.log" 2>&1
  fi
  : >"$d/kafka.log"
  nohup java "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$d/server.properties" >>"$d/kafka.log" 2>&1 &
  echo $! >"$(pidfile kafka)"
  wait_for 90 kafka grep -q "Kafka Server started" "$d/kafka.log"
}

start_mongo() {
  local d; d=$(dir_of mongo); mkdir -p "$d/data" "$d/state"
  pid_alive "$(pidfile mongo)" && return 0
  nohup "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$d/data/" --listen-addr="127.0.0.1:$MONGO_PORT" \
    --state-dir="$d/state" --debug-addr=- --telemetry=disable --log-level=error >>"$d/ferretdb.log" 2>&1 &
  echo $! >"$(pidfile mongo)"
  wait_for 30 mongo port_open "$MONGO_PORT"
}

stop_engine() { # stop_engine <name> <signal>
  local pf; pf=$(pidfile "$1")
  pid_alive "$pf" || { rm -f "$pf"; return 0; }
  local pid; pid=$(cat "$pf")
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pf"
}

status_of() {
  if pid_alive "$(pidfile "$1")"; then echo "$1: running (pid $(cat "$(pidfile "$1")"))"; else echo "$1: stopped"; fi
}

for e in $([ "$target" = all ] && echo redis mongo kafka || echo "$target"); do
  case "$e" in redis|kafka|mongo) ;; *) echo "unknown engine: $e" >&2; exit 2 ;; esac
  case "$action" in
    start) s=$SECONDS; "start_$e"; log "$e: ready in $((SECONDS - s))s" ;;
    stop) stop_engine "$e" TERM ;;
    kill) stop_engine "$e" KILL ;;
    restart) stop_engine "$e" TERM; "start_$e" ;;
    status) status_of "$e" ;;
    reset) stop_engine "$e" TERM; rm -rf "$(dir_of "$e")" ;;
    *) echo "unknown action: $action" >&2; exit 2 ;;
  esac
done

#!/usr/bin/env bash
# Installs the engines once (cached outside the repo); a second run is a quick no-op.
# Usage: install.sh [redis|kafka|mongo|all]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
what="${1:-all}"

install_redis() {
  if command -v redis-server >/dev/null; then log "redis: $(redis-server --version | cut -d' ' -f3)"; return; fi
  log "redis: installing redis-server from Debian"
  (apt-get install -y -qq redis-server >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)
  # The package starts its own service on 6379; ours runs on $REDIS_PORT, so stop theirs.
  (service redis-server stop || true) >/dev/null 2>&1
  log "redis: installed"
}

install_kafka() {
  if [ -f "$KAFKA_LIBS/.complete" ]; then log "kafka: $KAFKA_VERSION cached"; return; fi
  log "kafka: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central"
  local build="$ENGINES_CACHE/kafka-$KAFKA_VERSION/build"
  mkdir -p "$build"
  cat > "$build/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>$SLF4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$build" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS")
  touch "$KAFKA_LIBS/.complete"
  log "kafka: $(ls "$KAFKA_LIBS" | wc -l) jars"
}

install_mongo() {
  if [ -x "$FERRETDB_BIN" ]; then log "mongo (FerretDB): $FERRETDB_VERSION cached"; return; fi
  log "mongo: building FerretDB $FERRETDB_VERSION from the Go module proxy"
  local build="$ENGINES_CACHE/ferretdb-$FERRETDB_VERSION/build"
  mkdir -p "$build"
  (
    cd "$build"
    [ -f go.mod ] || go mod init local/ferretdb-tool >/dev/null 2>&1
    go get -tool "github.com/FerretDB/FerretDB/cmd/ferretdb@$FERRETDB_VERSION" >/dev/null 2>&1
    # The module ships without build/version/version.txt (its release tooling generates it) and
    # panics at start without it: build from a writable copy of the module source that has it.
    src=$(go list -m -f '{{.Dir}}' "github.com/FerretDB/FerretDB")
    rm -rf "$build/src" && cp -r "$src" "$build/src" && chmod -R u+w "$build/src"
    echo "$FERRETDB_VERSION" > "$build/src/build/version/version.txt"
    cd "$build/src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$FERRETDB_BIN" ./cmd/ferretdb
  )
  log "mongo: built $FERRETDB_BIN"
}

case "$what" in
  redis) install_redis ;;
  kafka) install_kafka ;;
  mongo) install_mongo ;;
  all) install_redis; install_kafka; install_mongo ;;
  *) echo "usage: $0 [redis|kafka|mongo|all]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Installs the engines once, cached outside the repo; a second run is a quick no-op.
# Usage: install.sh [redis|kafka|mongo|elastic|all|centrifugo|postgres]
#   centrifugo: the benchmark's peer; postgres: FerretDB's PostgreSQL backend (MONGO_BACKEND=postgres). Neither is in all.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"

# A Debian package; a fresh machine has empty package lists: update only when the plain install cannot find it.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=120 -y -qq)
  "${apt[@]}" install "$@" >/dev/null 2>&1 || { quiet "${apt[@]}" update && quiet "${apt[@]}" install "$@"; }
}

install_redis() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    log "redis: $(redis-server --version | grep -o 'v=[0-9.]*') present"; return
  fi
  apt_install redis-server
  # The package may start its own service on 6379; ours runs separately on $REDIS_PORT.
  log "redis: installed $(redis-server --version | grep -o 'v=[0-9.]*')"
}

install_kafka() {
  local cds; cds=$(kafka_cds)
  if [ -f "$KAFKA_HOME/.complete" ] && [ -f "$cds" ]; then log "kafka: $KAFKA_VERSION present"; return; fi
  if [ ! -f "$KAFKA_HOME/.complete" ]; then
    rm -rf "$KAFKA_HOME" && mkdir -p "$KAFKA_HOME/build"
    # The 4.x POMs carry no SLF4J binding: add slf4j-simple. kafka-tools brings the CLI tools.
    cat >"$KAFKA_HOME/build/pom.xml" <<POM
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
    # Own local repository, so wiping the cache dir really starts from scratch.
    (cd "$KAFKA_HOME/build" && quiet mvn -B -q -Dmaven.repo.local="$ENGINES_CACHE/m2" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS")
    touch "$KAFKA_HOME/.complete"
  fi
  # Training run for the CDS archive: a throwaway broker on free ports; its JVM writes the
  # archive when it exits.
  local tmp; tmp=$(mktemp -d)
  local kp; kp=$(free_port 39092)
  local env=(ENGINES_RUN="$tmp" KAFKA_PORT="$kp" KAFKA_CONTROLLER_PORT="$(free_port $((kp + 1)))" KAFKA_CDS_DUMP="$cds.tmp")
  quiet env "${env[@]}" "$here/ctl.sh" start kafka && quiet env "${env[@]}" "$here/ctl.sh" stop kafka
  rm -rf "$tmp" && mv "$cds.tmp" "$cds"
  log "kafka: installed $KAFKA_VERSION ($(find "$KAFKA_LIBS" -name "*.jar" | wc -l) jars)"
}

install_mongo() {
  if [ -x "$FERRETDB_BIN" ]; then log "mongo: FerretDB $FERRETDB_VERSION present"; return; fi
  local build="$ENGINES_CACHE/ferretdb-$FERRETDB_VERSION/build"
  rm -rf "$build" && mkdir -p "$build"
  (
    cd "$build"
    # Private Go caches (writable, so rm -rf works); removed after the build, only the binary stays.
    export GOMODCACHE="$build/mod" GOCACHE="$build/cache" GOFLAGS=-modcacherw CGO_ENABLED=0 GOTOOLCHAIN=local
    # FerretDB panics at start unless build/version/version.txt (made by its release tooling, absent
    # from the module) names the version: build from a copy of the module source that has it.
    src=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    cp -r "$src" src && chmod -R u+w src && echo "$FERRETDB_VERSION" >src/build/version/version.txt
    cd src && quiet go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb
  )
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$build"
  log "mongo: built FerretDB $FERRETDB_VERSION"
}

install_elastic() {
  if [ "$(id -u)" = 0 ] && ! id "$ES_USER" >/dev/null 2>&1; then useradd --system --create-home "$ES_USER"; fi
  if [ -f "$ES_HOME/.complete" ]; then log "elastic: $ES_VERSION present"; return; fi
  [ -x "$ES_JAVA_HOME/bin/java" ] || { log "elastic: needs a JDK 21+ at ES_JAVA_HOME ($ES_JAVA_HOME)" >&2; return 1; }
  local artifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip
  quiet mvn -B -q -Dmaven.repo.local="$ENGINES_CACHE/m2" dependency:get -Dartifact="$artifact"
  local zip="$ENGINES_CACHE/m2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  local tmp; tmp=$(mktemp -d "$ENGINES_CACHE/es-unzip.XXXX")
  quiet unzip -q "$zip" -d "$tmp"
  rm -rf "$ES_HOME" && mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME" && rm -rf "$tmp"
  chmod -R a+rX "$ES_HOME"
  touch "$ES_HOME/.complete"
  log "elastic: installed $ES_VERSION"
}

# Only for MONGO_BACKEND=postgres. The package's own cluster (5432) is not used: ctl.sh runs its own.
install_postgres() {
  if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ]; then log "postgres: $("$PG_BIN/postgres" --version) present"; return; fi
  apt_install postgresql
  PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)
  log "postgres: installed $("$PG_BIN/postgres" --version)"
}

# Centrifugo is not an engine of the product: only the benchmark runs it, as a baseline.
install_centrifugo() {
  if [ -x "$CENTRIFUGO_BIN" ]; then log "centrifugo: $CENTRIFUGO_VERSION present"; return; fi
  local build="$ENGINES_CACHE/centrifugo-$CENTRIFUGO_VERSION/build"
  rm -rf "$build" && mkdir -p "$build"
  (
    export GOMODCACHE="$build/mod" GOCACHE="$build/cache" GOFLAGS=-modcacherw CGO_ENABLED=0 GOTOOLCHAIN=local
    GOBIN="$build/bin" quiet go install "github.com/centrifugal/centrifugo/v6@$CENTRIFUGO_VERSION"
  )
  mv "$build/bin/centrifugo" "$CENTRIFUGO_BIN"
  rm -rf "$build"
  log "centrifugo: built $CENTRIFUGO_VERSION"
}

case "${1:-all}" in
  redis|kafka|mongo|elastic|centrifugo|postgres) "install_$1" ;;
  all) install_redis; install_kafka; install_mongo; install_elastic ;;
  *) echo "usage: $0 [redis|kafka|mongo|elastic|all|centrifugo|postgres]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# spin: the SPIN-on-Kafka launcher. Builds the local-stack CLI when it is missing or older than its sources.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIST="$ROOT/local-stack/target/dist"
JAR="$ROOT/local-stack/target/local-stack.jar"

command -v java >/dev/null || { echo "spin: java not found; install a JDK 17+ (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }

stale() {
  [ ! -f "$JAR" ] || [ ! -d "$DIST/lib" ] || [ ! -f "$DIST/apicurio/quarkus-run.jar" ] && return 0
  [ -n "$(find "$ROOT/local-stack/src/main" "$ROOT/schemas/src/main" "$ROOT/pom.xml" "$ROOT/local-stack/pom.xml" -newer "$JAR" -type f -print -quit 2>/dev/null)" ]
}
if stale; then
  command -v mvn >/dev/null || { echo "spin: mvn not found; install Maven (apt-get install maven)" >&2; exit 1; }
  echo "spin: building the local-stack CLI (first run downloads dependencies from Maven Central)..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests -pl local-stack -am install) >&2
fi
cli() {
  java -Dspin.root="$ROOT" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=error \
    -cp "$JAR:$DIST/lib/*" io.spin.stack.SpinCli "$@"
}
if [ "${1:-}" = "demo" ]; then
  shift
  keep=false; for a in "$@"; do [ "$a" = "--keep" ] && keep=true; done
  cli up
  cli status
  if [ "$keep" = false ]; then cli down; else echo "left running: ./spin down stops it"; fi
  exit 0
fi
exec java -Dspin.root="$ROOT" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=error \
  -cp "$JAR:$DIST/lib/*" io.spin.stack.SpinCli "$@"

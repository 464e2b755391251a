#!/usr/bin/env bash
# spin: the SPIN-on-Kafka launcher. Builds what a command needs (on first use, or when sources changed), then runs
# the Java CLI (spin-cli/, which starts what local-stack/ launches): up, down, status, env, run, demo, replay, export, images; `experiment` runs spin-experiment/.
# `./spin --help` lists them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIST="$ROOT/local-stack/target/dist"
JAR="$ROOT/spin-cli/target/spin-cli.jar"
SERVICES="orchestrator-service generator-service pair-builder-service trainer-service"

command -v java >/dev/null || { echo "spin: java not found; install a JDK 17+ (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }

newer_than() { # true when any source of the given modules is newer than the file (or the file is missing)
  local target="$1"; shift
  [ -f "$target" ] || return 0
  local dirs=()
  for m in "$@"; do dirs+=("$ROOT/$m/src/main" "$ROOT/$m/pom.xml"); done
  [ -n "$(find "${dirs[@]}" "$ROOT/pom.xml" -newer "$target" -type f -print -quit 2>/dev/null)" ]
}
build() {
  command -v mvn >/dev/null || { echo "spin: mvn not found; install Maven (apt-get install maven)" >&2; exit 1; }
  echo "spin: building $1 (the first build downloads dependencies from Maven Central)..." >&2
  (cd "$ROOT" && mvn -B -q -DskipTests "${@:2}" install) >&2
  # Maven leaves an up-to-date jar untouched: mark what was just built as fresh, or every call would rebuild
  local built=("$JAR" "$ROOT/spin-experiment/target/spin-experiment.jar" "$ROOT/model-export/target/model-export.jar" "$ROOT"/*-service/target/quarkus-app/quarkus-run.jar)
  case "${2:-} ${3:-}" in
    "-pl spin-cli") built=("$JAR") ;;
    "-pl spin-experiment") built=("$ROOT/spin-experiment/target/spin-experiment.jar") ;;
    "-pl model-export") built=("$ROOT/model-export/target/model-export.jar") ;;
  esac
  for f in "${built[@]}"; do
    if [ -f "$f" ]; then touch "$f"; fi
  done
}

if [ "${1:-}" = experiment ]; then # runs in this process on spin-core; no stack needed
  EXP="$ROOT/spin-experiment/target/spin-experiment.jar"
  newer_than "$EXP" spin-experiment spin-core spin-data && build "the experiment runner" -pl spin-experiment -am
  exec java -Dai.djl.offline=true -cp "$EXP:$ROOT/spin-experiment/target/dist/lib/*" io.spin.experiment.ExperimentCli "${@:2}"
fi

if [ "${1:-}" = export ] && [ "${2:-}" = checkpoint ]; then # reads DJL parameters: the model core's own command
  EXPORT="$ROOT/model-export/target/model-export.jar"
  newer_than "$EXPORT" model-export spin-checkpoints spin-core spin-data spin-storage spin-commons schemas && build "the model exporter" -pl model-export -am
  exec java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$EXPORT:$ROOT/model-export/target/dist/lib/*" \
    io.spin.export.ExportCheckpoint "${@:3}"
fi

needs_services=false
case "${1:-}" in
  demo|images) needs_services=true ;;
  up) needs_services=true; for a in "$@"; do [ "$a" = "--no-services" ] && needs_services=false; done ;;
esac
if [ "$needs_services" = true ]; then
  stale=false
  for s in $SERVICES; do
    newer_than "$ROOT/$s/target/quarkus-app/quarkus-run.jar" "$s" schemas spin-data spin-storage spin-commons spin-service-runtime spin-core spin-checkpoints && stale=true
  done
  newer_than "$JAR" spin-cli local-stack schemas spin-data spin-storage spin-commons && stale=true
  [ -f "$DIST/apicurio/quarkus-run.jar" ] || stale=true
  [ "$stale" = true ] && build "the project"
elif newer_than "$JAR" spin-cli local-stack schemas spin-data spin-storage spin-commons || [ ! -f "$DIST/apicurio/quarkus-run.jar" ]; then
  build "the spin CLI" -pl spin-cli -am
fi
exec java -Dspin.root="$ROOT" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.org.apache.kafka=error \
  -cp "$JAR:$ROOT/spin-cli/target/lib/*" io.spin.cli.SpinCli "$@"

#!/usr/bin/env bash
# Trains a JDK 25 AOT cache for the jar route (docs/DEPLOY.md, "Faster start"; figures in
# docs/BENCHMARKS.md). The broker runs once, from the unpacked jar, against a THROWAWAY database
# while the load generator makes it open sessions and route messages; when it stops, the JVM writes
# the classes it loaded and linked and the method profiles it gathered into the cache:
#
#   ops/aot-cache.sh postgres://postgres@127.0.0.1:5432/aot_training
#
# Then start the broker from the same files with the cache (the JVM refuses a cache made by another
# JDK or from other files, and then starts without it):
#
#   java -XX:AOTCache=target/aot/broker.aot --enable-native-access=ALL-UNNAMED -jar target/aot/app/broker.jar
#
# The container image does the same on its own (BROKER_AOT_TRAIN=1, see ops/Dockerfile).
set -euo pipefail
cd "$(dirname "$0")/.."

training_db=${1:?usage: ops/aot-cache.sh postgres://user@127.0.0.1:5432/throwaway_database}
port=${AOT_TRAINING_PORT:-7951}

pick_jdk() {
  local best="" best_version=0 candidate version
  for candidate in ${JAVA_HOME:-} /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$candidate/bin/javac" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
      | awk -F'= ' '/java.specification.version/ {print $2}')
    version=${version%%.*}
    if [ -n "$version" ] && [ "$version" -ge 25 ] && [ "$version" -gt "$best_version" ]; then
      best=$candidate
      best_version=$version
    fi
  done
  [ -n "$best" ] || { echo "aot-cache: no JDK >= 25 found (JAVA_HOME, /usr/lib/jvm)" >&2; exit 1; }
  echo "$best"
}

export JAVA_HOME=$(pick_jdk)
java="$JAVA_HOME/bin/java"

./mvnw -B -q -DskipTests package
rm -rf target/aot
"$java" -Djarmode=tools -jar target/claudemesh-broker-*.jar extract \
  --destination target/aot/app --application-filename broker.jar >/dev/null

echo "aot-cache: training run on port $port against $training_db"
DATABASE_URL=$training_db BROKER_PORT=$port \
  SEND_RATE_LIMIT_PER_MIN=6000000 SEND_RATE_LIMIT_BURST=100000 MAX_CONNECTIONS_PER_MESH=20000 \
  MAX_FRAMES_PER_SECOND=100000000 HELLO_RATE_LIMIT_PER_IP_PER_MIN=100000000 MAX_PENDING_SOCKETS_PER_IP=100000000 \
  "$java" -XX:AOTCacheOutput=target/aot/broker.aot --enable-native-access=ALL-UNNAMED \
  -jar target/aot/app/broker.jar > target/aot/training.log 2>&1 &
broker=$!
trap 'kill -TERM $broker 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.5
done

# What production does most: hellos, direct messages, broadcasts, idle sessions answering pings.
# The generator is one client address: the per-address connection limits (issue 12) are lifted
# above, or the idle step's 2 000 hellos would be refused.
train() {
  ops/bench.sh "$@" --port "$port" --db "$training_db" > target/aot/generator.log 2>&1 \
    || { echo "aot-cache: training step '$1' failed; see target/aot/generator.log" >&2; exit 1; }
}
train burst --peers 50 --messages 400
train broadcast --peers 50 --broadcasts 200
train idle --sessions 2000 --duration 5

kill -TERM $broker
wait $broker || true
trap - EXIT
[ -s target/aot/broker.aot ] || { echo "aot-cache: no cache written; see target/aot/training.log" >&2; exit 1; }
echo "aot-cache: $(du -h target/aot/broker.aot | cut -f1) in target/aot/broker.aot; start the broker with"
echo "  java -XX:AOTCache=target/aot/broker.aot --enable-native-access=ALL-UNNAMED -jar target/aot/app/broker.jar"

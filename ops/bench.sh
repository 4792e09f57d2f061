#!/usr/bin/env bash
# Load generator of the broker (docs/BENCHMARKS.md). Builds the test classes, then runs the
# generator as a plain JVM of its own, so that neither Maven nor the broker share its process:
#
#   ops/bench.sh <burst|rate|broadcast|idle> --port 7950 --db postgres://postgres@127.0.0.1:5432/DB \
#       [--broker-pid PID] [scenario options]        (ops/bench.sh --help lists them)
#
# The broker must already run on 127.0.0.1 against DB. The JSON report lands in target/bench/.
# BENCH_JAVA_OPTS adds JVM options for the generator (default: -Xmx1g).
set -euo pipefail
cd "$(dirname "$0")/.."

pick_jdk() {
  local best="" best_version=0 candidate version
  for candidate in ${JAVA_HOME:-} /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -x "$candidate/bin/javac" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
      | awk -F'= ' '/java.specification.version/ {print $2}')
    version=${version%%.*}
    if [ -n "$version" ] && [ "$version" -ge 21 ] && [ "$version" -gt "$best_version" ]; then
      best=$candidate
      best_version=$version
    fi
  done
  [ -n "$best" ] || { echo "bench: no JDK >= 21 found (JAVA_HOME, /usr/lib/jvm)" >&2; exit 1; }
  echo "$best"
}

export JAVA_HOME=$(pick_jdk)
classpath_file=target/bench-classpath.txt
./mvnw -B -q -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file" >&2

# ulimit: an idle run with thousands of sessions needs one descriptor per socket.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec "$JAVA_HOME/bin/java" ${BENCH_JAVA_OPTS:--Xmx1g} --enable-native-access=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat "$classpath_file")" \
  com.claudemesh.broker.bench.LoadGenerator "$@"

#!/usr/bin/env bash
# Measures what the agent costs, as ratios in one run, and prints one table:
#   1. JMH (benchmarks/): (a) a non-IMDS request per client, agent vs no agent; (b) an upgraded v1 request
#      vs the application's own v2 request (simulator warmed up first); (c) the decision path alone, ns/op and
#      bytes/op. The two sides of (a) and (b) run as forks in the order A, B, B, A, so drift favours neither.
#   2. Whole process: a trivial JVM that makes one HTTP request (to the IMDS simulator) — no agent, this
#      agent, the OpenTelemetry Java agent (exporters off) — alternating runs, medians, ratios.
#   3. Start-up per JDK: the same trivial JVM, no agent and this agent alternating, on each JDK that
#      scripts/jdks.sh provides (Java 8, 11, 17, 21, 25): a row per JDK.
# Usage: scripts/bench.sh [quick|jdks]   (quick: short JMH runs and 3 process runs instead of 9; jdks: part 3 only)
# Run it on a quiet machine: other load skews every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-full}"
RUNS=9; [[ "$MODE" == quick ]] && RUNS=3

AGENT=agent/target/imdsv2-agent.jar
SIMULATOR=imds-simulator/target/imds-simulator.jar
OTEL_VERSION="$(sed -n 's:.*<otel-javaagent.version>\(.*\)</otel-javaagent.version>.*:\1:p' pom.xml)"
OTEL=benchmarks/target/peer/opentelemetry-javaagent-$OTEL_VERSION.jar

echo "== building"
mvn -B -q -ntp -DskipTests package -pl agent,imds-simulator,benchmarks -am
if [[ ! -f "$OTEL" ]]; then
  mvn -B -q -ntp dependency:copy -Dartifact="io.opentelemetry.javaagent:opentelemetry-javaagent:$OTEL_VERSION" \
    -DoutputDirectory=benchmarks/target/peer
fi
CP="benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)"
# The whole-process program, compiled for Java 8 so that every JDK of part 3 runs the same class file.
BENCH_CP=benchmarks/target/one-request-java8
javac --release 8 -d "$BENCH_CP" benchmarks/src/main/java/dev/imdsv2/bench/OneRequest.java
JDK_HOMES_TEXT="$(scripts/jdks.sh)"
mapfile -t JDK_HOMES <<<"$JDK_HOMES_TEXT"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | sed -n 1p)"
JMH_TABLE=""
if [[ "$MODE" != jdks ]]; then
  echo "== 1. JMH"
  java -cp "$CP" dev.imdsv2.bench.BenchmarkSuite "$AGENT" "$MODE" > benchmarks/target/jmh.out 2>&1 || { tail -40 benchmarks/target/jmh.out; exit 1; }
  JMH_TABLE="$(sed -n '/^| benchmark/,$p' benchmarks/target/jmh.out)"
fi

PORT=1340
java -jar "$SIMULATOR" --optional --port "$PORT" >/dev/null 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/latest/meta-data/instance-id"
JAVA=java

run_once() { # $1 = label, rest = JVM options; prints "label millis-to-end-of-main peak-rss-kib" ($JAVA runs it)
  local label="$1"; shift
  local start out rss end
  start=$(date +%s%3N)
  out=$( { /usr/bin/time -f "RSS %M" "$JAVA" "$@" -cp "$BENCH_CP" dev.imdsv2.bench.OneRequest "$URL"; } 2>&1 )
  end=$(grep '^END ' <<<"$out" | awk '{print $2}')
  rss=$(grep '^RSS ' <<<"$out" | awk '{print $2}')
  grep -q '^STATUS 200' <<<"$out" || { echo "run failed ($label): $out" >&2; exit 1; }
  echo "$label $((end - start)) $rss"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
PROCESS_TABLE=""
if [[ "$MODE" != jdks ]]; then
  echo "== 2. whole process, $RUNS alternating runs each"
  RESULTS=benchmarks/target/process-runs.txt
  : > "$RESULTS"
  for _ in $(seq 1 "$RUNS"); do
    run_once none >> "$RESULTS"
    run_once imdsv2 "-javaagent:$AGENT=endpoints=http://127.0.0.1:$PORT" >> "$RESULTS"
    run_once otel "-javaagent:$OTEL" -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none >> "$RESULTS"
  done
  for label in none imdsv2 otel; do
    echo "$label $(awk -v l=$label '$1==l{print $2}' "$RESULTS" | median) $(awk -v l=$label '$1==l{print $3}' "$RESULTS" | median)"
  done > benchmarks/target/process-medians.txt
  read -r _ T0 R0 < <(sed -n 1p benchmarks/target/process-medians.txt)
  PROCESS_TABLE="| JVM (one HTTP request) | wall to end of main (ms) | Δ vs no agent | peak RSS (MiB) | Δ RSS (MiB) |
  |---|---|---|---|---|"
  while read -r label t r; do
    PROCESS_TABLE+=$'\n'"$(awk -v l="$label" -v t="$t" -v r="$r" -v t0="$T0" -v r0="$R0" \
      'BEGIN { printf "| %s | %d | %+d ms (×%.2f) | %.0f | %+.0f |", l, t, t - t0, t / t0, r / 1024, (r - r0) / 1024 }')"
  done < benchmarks/target/process-medians.txt
fi

echo "== 3. start-up per JDK, $RUNS alternating runs each"
JDK_TABLE="| JDK | no agent (ms) | imdsv2-agent (ms) | Δ start-up | no agent RSS (MiB) | Δ RSS (MiB) |
|---|---|---|---|---|---|"
for line in "${JDK_HOMES[@]}"; do
  home="${line#*=}"
  JAVA="$home/bin/java"
  build="$("$JAVA" -version 2>&1 | sed -n 's/.*(build \(.*\))$/\1/p' | head -1)"
  RUNS_FILE="benchmarks/target/process-runs-java${line%%=*}.txt"
  : > "$RUNS_FILE"
  for _ in $(seq 1 "$RUNS"); do
    run_once none >> "$RUNS_FILE"
    run_once imdsv2 "-javaagent:$AGENT=endpoints=http://127.0.0.1:$PORT" >> "$RUNS_FILE"
  done
  read -r t0 r0 < <(echo "$(awk '$1=="none"{print $2}' "$RUNS_FILE" | median) $(awk '$1=="none"{print $3}' "$RUNS_FILE" | median)")
  read -r t1 r1 < <(echo "$(awk '$1=="imdsv2"{print $2}' "$RUNS_FILE" | median) $(awk '$1=="imdsv2"{print $3}' "$RUNS_FILE" | median)")
  JDK_TABLE+=$'\n'"$(awk -v j="Java ${line%%=*} ($build)" -v t0="$t0" -v r0="$r0" -v t1="$t1" -v r1="$r1" \
    'BEGIN { printf "| %s | %d | %d | %+d ms | %.0f | %+.0f |", j, t0, t1, t1 - t0, r0 / 1024, (r1 - r0) / 1024 }')"
done

for table in "$JMH_TABLE" "$PROCESS_TABLE" "$JDK_TABLE"; do
  [[ -n "$table" ]] && printf '\n%s\n' "$table"
done
echo
echo "agent jar: $(du -k "$AGENT" | awk '{printf "%.1f MB", $1/1024}')"

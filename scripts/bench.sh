#!/usr/bin/env bash
# Measures what the agent costs, as ratios in one run, and prints the tables:
#   1. JMH (benchmarks/): (a) a non-IMDS request per client, agent vs no agent; (b) an upgraded v1 request
#      vs the application's own v2 request (simulator warmed up first); (c) the decision path alone, ns/op and
#      bytes/op. The two sides of (a) and (b) run as forks in the order A, B, B, A, so drift favours neither.
#   2. Whole process: a trivial JVM that makes one HTTP request (to the IMDS simulator) — no agent, this
#      agent, the OpenTelemetry Java agent (exporters off) — alternating runs, medians, ratios.
#   3. Start-up per JDK: the same trivial JVM, no agent and this agent alternating, on each JDK that
#      scripts/jdks.sh provides (Java 8, 11, 17, 21, 25): a row per JDK.
#   4. Whole process per third-party client: the integration tests' client app (integration-tests/.../apps) makes
#      one IMDS GET through the client, with the client's jars of its newest tested version
#      (client-libs/<set>/target/lib), no agent and agent alternating (which one goes first alternates too),
#      on Java 17 and Java 8 (BENCH_JDKS) where the client runs there: wall time to exit, peak RSS, CPU time.
#   5. A Spring Boot service (web, actuator, Apache HttpClient 5 on the class path; test-apps' BootStartupApp) that
#      reads IMDS while it starts: time to "Started" (Spring's "process running for"), RSS and CPU time at that
#      moment, no agent and agent alternating.
# Sections 4 and 5 give medians of RUNS runs each side; a Δ is the median of the differences within each pair of
# back-to-back runs, so that load from elsewhere weighs on both sides alike. CPU time moves least with such load.
# Usage: scripts/bench.sh [quick] [startup|jdks|clients]
#   quick: short JMH runs, 3 process runs instead of 11; startup: sections 2 to 5; jdks: section 3; clients: 4 and 5.
#   BENCH_JDKS="17 8": the JDKs of section 4, by version (scripts/jdks.sh provides them).
#   BENCH_CLIENTS="okhttp-4 apache5-newest": only these rows of section 4 (their client-libs sets).
#   BENCH_AGENT=path/to/imdsv2-agent.jar: measure that jar instead of the one just built (an older build, say).
# Run it on a quiet machine: other load skews every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=false; SECTIONS="1 2 3 4 5"
for arg in "$@"; do
  case "$arg" in
    quick) QUICK=true ;;
    startup) SECTIONS="2 3 4 5" ;;
    jdks) SECTIONS="3" ;;
    clients) SECTIONS="4 5" ;;
    *) echo "usage: $0 [quick] [startup|jdks|clients]" >&2; exit 2 ;;
  esac
done
section() { [[ " $SECTIONS " == *" $1 "* ]]; }
RUNS=11; $QUICK && RUNS=3
JMH_MODE=full; $QUICK && JMH_MODE=quick
read -r -a BENCH_JDK_VERSIONS <<< "${BENCH_JDKS:-17 8}"

AGENT="${BENCH_AGENT:-agent/target/imdsv2-agent.jar}"
SIMULATOR=imds-simulator/target/imds-simulator.jar
OTEL_VERSION="$(sed -n 's:.*<otel-javaagent.version>\(.*\)</otel-javaagent.version>.*:\1:p' pom.xml)"
OTEL=benchmarks/target/peer/opentelemetry-javaagent-$OTEL_VERSION.jar
IT=integration-tests/target
APPS=test-apps/target

echo "== building"
# pre-integration-test: the integration tests' client apps and their client library sets (nothing is tested)
mvn -B -q -ntp -DskipTests pre-integration-test -pl agent,imds-simulator,benchmarks,test-apps,integration-tests -am
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
jdk_home() { local line; for line in "${JDK_HOMES[@]}"; do if [[ "${line%%=*}" == "$1" ]]; then echo "${line#*=}"; fi; done; }

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | sed -n 1p)"
JMH_TABLE=""
if section 1; then
  echo "== 1. JMH"
  java -cp "$CP" dev.imdsv2.bench.BenchmarkSuite "$AGENT" "$JMH_MODE" > benchmarks/target/jmh.out 2>&1 || { tail -40 benchmarks/target/jmh.out; exit 1; }
  JMH_TABLE="$(sed -n '/^| benchmark/,$p' benchmarks/target/jmh.out)"
fi

PORT="${BENCH_PORT:-1340}"
java -jar "$SIMULATOR" --optional --port "$PORT" >/dev/null 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/latest/meta-data/instance-id"
AGENT_OPTION="-javaagent:$AGENT=endpoints=http://127.0.0.1:$PORT"
JAVA=java
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_once() { # $1 = label, rest = JVM options; prints "label millis-to-end-of-main peak-rss-kib"
  local label="$1"; shift
  local start out rss end
  start=$(date +%s%3N)
  out=$( { /usr/bin/time -f "RSS %M" "$JAVA" "$@" -cp "$BENCH_CP" dev.imdsv2.bench.OneRequest "$URL"; } 2>&1 )
  end=$(grep '^END ' <<<"$out" | awk '{print $2}')
  rss=$(grep '^RSS ' <<<"$out" | awk '{print $2}')
  grep -q '^STATUS 200' <<<"$out" || { echo "run failed ($label): $out" >&2; exit 1; }
  echo "$label $((end - start)) $rss"
}
PROCESS_TABLE=""
if section 2; then
  echo "== 2. whole process, $RUNS alternating runs each"
  RESULTS=benchmarks/target/process-runs.txt
  : > "$RESULTS"
  for _ in $(seq 1 "$RUNS"); do
    run_once none >> "$RESULTS"
    run_once imdsv2 "$AGENT_OPTION" >> "$RESULTS"
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

JDK_TABLE=""
if section 3; then
  echo "== 3. start-up per JDK, $RUNS alternating runs each"
  JDK_TABLE="| JDK | no agent (ms) | imdsv2-agent (ms) | Δ start-up | no agent RSS (MiB) | Δ RSS (MiB) |
|---|---|---|---|---|---|"
  for line in "${JDK_HOMES[@]}"; do
    JAVA="${line#*=}/bin/java"
    build="$("$JAVA" -version 2>&1 | sed -n 's/.*(build \(.*\))$/\1/p' | head -1)"
    RUNS_FILE="benchmarks/target/process-runs-java${line%%=*}.txt"
    : > "$RUNS_FILE"
    for _ in $(seq 1 "$RUNS"); do
      run_once none >> "$RUNS_FILE"
      run_once imdsv2 "$AGENT_OPTION" >> "$RUNS_FILE"
    done
    read -r t0 r0 < <(echo "$(awk '$1=="none"{print $2}' "$RUNS_FILE" | median) $(awk '$1=="none"{print $3}' "$RUNS_FILE" | median)")
    read -r t1 r1 < <(echo "$(awk '$1=="imdsv2"{print $2}' "$RUNS_FILE" | median) $(awk '$1=="imdsv2"{print $3}' "$RUNS_FILE" | median)")
    JDK_TABLE+=$'\n'"$(awk -v j="Java ${line%%=*} ($build)" -v t0="$t0" -v r0="$r0" -v t1="$t1" -v r1="$r1" \
      'BEGIN { printf "| %s | %d | %d | %+d ms | %.0f | %+.0f |", j, t0, t1, t1 - t0, r0 / 1024, (r1 - r0) / 1024 }')"
  done
  JAVA=java
fi

# Sections 4 and 5 record one line per run: "side pair wall-ms cpu-ms rss-kib".
pair_table_row() { # $1 = row label, $2 = runs file; prints one Markdown row of medians and paired Δs
  local file="$2" col
  local cells="| $1 |"
  for col in 3 4 5; do
    local none agent delta
    none=$(awk -v c=$col '$1=="none"{print $c}' "$file" | median)
    agent=$(awk -v c=$col '$1=="agent"{print $c}' "$file" | median)
    delta=$(awk -v c=$col '{v[$1" "$2]=$c; p[$2]=1} END {for (k in p) print v["agent " k] - v["none " k]}' "$file" | median)
    if [[ $col == 5 ]]; then
      cells+="$(awk -v n="$none" -v a="$agent" -v d="$delta" 'BEGIN { printf " %.0f → %.0f | %+.1f |", n / 1024, a / 1024, d / 1024 }')"
    else
      cells+="$(awk -v n="$none" -v a="$agent" -v d="$delta" 'BEGIN { printf " %d → %d | %+d |", n, a, d }')"
    fi
  done
  echo "$cells"
}

CLIENTS=( # label | client library set (client-libs/) | app | the oldest Java the client runs on
  "OkHttp 4.12|okhttp-4|OkHttpApp|8"
  "Apache HttpClient 4.5|apache4-newest|ApacheHttpClient4App|8"
  "Apache HttpClient 5.6|apache5-newest|ApacheHttpClient5App|8"
  "AsyncHttpClient 2.12|ahc-newest|AsyncHttpClientApp|8"
  "Reactor Netty 1.3|reactor-netty-newest|ReactorNettyApp|8"
  "Jetty 12.1|jetty-12-newest|JettyApp|17"
  "Vert.x 5.0|vertx-newest|VertxApp|11"
)
client_once() { # $1 = side (none|agent), $2 = pair, $3 = java, $4 = libs, $5 = app; appends to $CLIENT_RUNS
  local side="$1" pair="$2" java="$3" libs="$4" app="$5" start end out options=()
  [[ $side == agent ]] && options=("$AGENT_OPTION")
  start=$(date +%s%N)
  out=$(/usr/bin/time -f "USAGE %U %S %M" -o benchmarks/target/time.txt "$java" "${options[@]}" \
    -cp "$IT/test-classes:client-libs/$libs/target/lib/*" "dev.imdsv2.it.apps.$app" sync "$URL" 2>&1)
  end=$(date +%s%N)
  grep -q '^RESULT 200 ' <<<"$out" || { echo "run failed ($side $app): $out" >&2; exit 1; }
  awk -v s="$side" -v p="$pair" -v w=$(((end - start) / 1000000)) '/^USAGE/ {printf "%s %s %d %d %d\n", s, p, w, ($2 + $3) * 1000, $4}' \
    benchmarks/target/time.txt >> "$CLIENT_RUNS"
}
CLIENT_TABLE=""
if section 4; then
  echo "== 4. whole process per client, $RUNS alternating runs each, on Java ${BENCH_JDK_VERSIONS[*]}"
  CLIENT_TABLE="| one IMDS GET through | JDK | wall (ms), no agent → agent | Δ wall (target ≤ +150) | CPU user+sys (ms) | Δ CPU | peak RSS (MiB) | Δ RSS (target ≤ +15) |
|---|---|---|---|---|---|---|---|"
  for version in "${BENCH_JDK_VERSIONS[@]}"; do
    home="$(jdk_home "$version")"
    [[ -n "$home" ]] || { echo "no Java $version from scripts/jdks.sh" >&2; exit 1; }
    jdk="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p')"
    for entry in "${CLIENTS[@]}"; do
      IFS='|' read -r label libs app oldest_java <<< "$entry"
      [[ -z "${BENCH_CLIENTS:-}" || " $BENCH_CLIENTS " == *" $libs "* ]] || continue
      (( version >= oldest_java )) || continue
      CLIENT_RUNS=benchmarks/target/client-runs-$libs-$jdk.txt
      : > "$CLIENT_RUNS"
      for i in $(seq 1 "$RUNS"); do
        if (( i % 2 )); then sides=(none agent); else sides=(agent none); fi
        for side in "${sides[@]}"; do client_once "$side" "$i" "$home/bin/java" "$libs" "$app"; done
      done
      row="$(pair_table_row "$label" "$CLIENT_RUNS")"
      CLIENT_TABLE+=$'\n'"${row/| $label |/| $label | $jdk |}"
    done
  done
fi

BOOT_TABLE=""
if section 5; then
  echo "== 5. Spring Boot to \"Started\", $RUNS alternating runs each"
  BOOT_RUNS=benchmarks/target/boot-runs.txt
  : > "$BOOT_RUNS"
  boot_once() { # $1 = side, $2 = pair: starts the service, reads the moment it has started, stops it; 3 tries
    local side="$1" pair="$2" log=benchmarks/target/boot.out options=() pid started rc try
    [[ $side == agent ]] && options=("$AGENT_OPTION")
    for try in 1 2 3; do
      java "${options[@]}" -cp "$APPS/imdsv2-test-apps-0.1.0-SNAPSHOT.jar:$APPS/boot-lib/*:$APPS/boot-apache5-lib/*" \
        dev.imdsv2.testapps.bootstartup.BootStartupApp --server.address=127.0.0.1 --server.port=0 --imds.url="$URL" > "$log" 2>&1 &
      pid=$!
      started=""
      for _ in $(seq 1 2400); do
        started=$(sed -n 's/.*Started BootStartupApp in .* (process running for \([0-9.]*\)).*/\1/p' "$log")
        [[ -n "$started" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      local ticks cpu rss
      ticks=$(getconf CLK_TCK)
      cpu=$(awk -v t="$ticks" '{print int(($14 + $15) * 1000 / t)}' "/proc/$pid/stat" 2>/dev/null || echo 0)
      rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      kill "$pid" 2>/dev/null || true
      rc=0; wait "$pid" 2>/dev/null || rc=$?
      if grep -q '^IMDS 200 ' "$log" && [[ -n "$started" ]]; then
        if [[ $side == agent ]] && ! grep -q 'client=apache-httpclient-5' "$log"; then
          echo "boot run ($side): the IMDS request did not go through Apache HttpClient 5: $(grep imdsv2 "$log")" >&2; exit 1
        fi
        awk -v s="$side" -v p="$pair" -v w="$started" -v c="$cpu" -v r="$rss" 'BEGIN {printf "%s %s %d %d %d\n", s, p, w * 1000, c, r}' >> "$BOOT_RUNS"
        return
      fi
      echo "boot run failed ($side, try $try, exit status $rc): $(tail -20 "$log")" >&2
    done
    exit 1
  }
  for i in $(seq 1 "$RUNS"); do
    if (( i % 2 )); then sides=(none agent); else sides=(agent none); fi
    for side in "${sides[@]}"; do boot_once "$side" "$i"; done
  done
  BOOT_NONE=$(awk '$1=="none"{print $3}' "$BOOT_RUNS" | median)
  BOOT_RATIO=$(awk '{v[$1" "$2]=$3; p[$2]=1} END {for (k in p) printf "%.4f\n", v["agent " k] / v["none " k]}' "$BOOT_RUNS" | median)
  BOOT_TABLE="| service | time to \"Started\" (ms), no agent → agent | Δ | ratio (target ≤ 1.03) | CPU user+sys (ms) | Δ CPU | RSS at Started (MiB) | Δ RSS |
|---|---|---|---|---|---|---|---|"
  row="$(pair_table_row "Spring Boot 3.5 (web, actuator, Apache HttpClient 5)" "$BOOT_RUNS")"
  BOOT_TABLE+=$'\n'"$(awk -v row="$row" -v ratio="$BOOT_RATIO" 'BEGIN { n = split(row, c, "|"); out = "|"; for (i = 2; i < n; i++) { out = out c[i] "|"; if (i == 4) out = out sprintf(" ×%.3f |", ratio) } print out }')"
fi

for table in "$JMH_TABLE" "$PROCESS_TABLE" "$JDK_TABLE" "$CLIENT_TABLE" "$BOOT_TABLE"; do
  [[ -n "$table" ]] && printf '\n%s\n' "$table"
done
[[ -n "$BOOT_TABLE" ]] && echo "(Spring Boot without the agent: median $BOOT_NONE ms to \"Started\"; ratio: median of the ratios within each pair)"
echo
echo "agent jar: $(du -k "$AGENT" | awk '{printf "%.1f MB", $1/1024}')"

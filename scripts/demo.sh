#!/usr/bin/env bash
# The whole story in one command: a legacy service reads instance metadata the IMDSv1 way through five
# clients, against an IMDS simulator that requires tokens (HttpTokens=required):
#   1. without the agent          -> every read fails with 401
#   2. agent, mode=observe        -> still fails, but every call site is reported
#   3. agent, mode=upgrade        -> every read succeeds; the agent's Prometheus endpoint is scraped
#   4. agent, mode=enforce        -> only the allowed caller (the AWS SDK) is upgraded, the rest fail fast
# Needs only a JDK (17+) and Maven; builds what is missing. Cleans up every process it starts. Exits non-zero
# when the run with the agent in upgrade mode does not fully succeed.
set -euo pipefail
cd "$(dirname "$0")/.."

IMDS_PORT="${IMDS_PORT:-1338}"
METRICS_PORT="${METRICS_PORT:-9464}"
AGENT=agent/target/imdsv2-agent.jar
SIMULATOR=imds-simulator/target/imds-simulator.jar
APP=demo-app/target/demo-app.jar
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ! -f "$AGENT" || ! -f "$SIMULATOR" || ! -f "$APP" ]]; then
  echo "== building the agent, the IMDS simulator and the demo service"
  mvn -B -q -ntp -DskipTests package -pl agent,imds-simulator,demo-app -am >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
fi

IMDS="http://127.0.0.1:$IMDS_PORT"
java -jar "$SIMULATOR" --required --port "$IMDS_PORT" >"$WORK/simulator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$IMDS_PORT") 2>/dev/null && break; sleep 0.1; done
echo "== IMDS simulator on $IMDS, tokens required"

# The service's result lines (one per client) and the agent's own lines; the AWS SDK's stack traces are noise here.
service_lines() { grep --line-buffered -E '^(HttpURLConnection|Apache|OkHttp|JDK HttpClient|AWS SDK|SUMMARY|\[imdsv2-agent\])' || true; }
run_service() { # $1 = agent arguments or "" for no agent; the rest: extra service arguments
  local args="$1"; shift
  if [[ -z "$args" ]]; then
    java -jar "$APP" --imds "$IMDS" "$@" 2>&1 | service_lines
  else
    java -javaagent:"$AGENT=endpoints=$IMDS,$args" -jar "$APP" --imds "$IMDS" "$@" 2>&1 | service_lines
  fi
}

echo
echo "== 1. without the agent"
run_service ""

echo
echo "== 2. with the agent, mode=observe: nothing changes, every v1 call site is reported"
run_service "mode=observe"

echo
echo "== 3. with the agent, mode=upgrade: tokens added; Prometheus metrics on 127.0.0.1:$METRICS_PORT"
java -javaagent:"$AGENT=endpoints=$IMDS,mode=upgrade,metrics.prometheus.port=$METRICS_PORT" \
  -jar "$APP" --imds "$IMDS" --linger-ms 5000 >"$WORK/upgrade.raw" 2>&1 &
UPGRADE_PID=$!
PIDS+=($UPGRADE_PID)
for _ in $(seq 1 200); do grep -q '^SUMMARY' "$WORK/upgrade.raw" 2>/dev/null && break; sleep 0.1; done
service_lines <"$WORK/upgrade.raw" | tee "$WORK/upgrade.out"
METRICS="$(curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" 2>/dev/null || true)"
echo
echo "-- key series from http://127.0.0.1:$METRICS_PORT/metrics"
if [[ -n "$METRICS" ]]; then
  grep -E '^imdsv2_(requests_total|token_fetch_seconds_count|call_sites|unauthorized_total)' <<<"$METRICS" \
    | grep -vE ' 0(\.0)?$' | sort || true
else
  echo "(no metrics endpoint answered)"
fi
echo
echo "-- call-site report, as 'java -jar $AGENT status $UPGRADE_PID' prints it"
java -jar "$AGENT" status "$UPGRADE_PID" || true
wait "$UPGRADE_PID" || true

echo
echo "== 4. with the agent, mode=enforce, only the AWS SDK allowed (upgrade.callers=com.amazonaws.)"
run_service "mode=enforce,upgrade.callers=com.amazonaws." | grep -vE 'IMDSv1 call site' || true

echo
if grep -q '^SUMMARY ok=[1-9][0-9]* failed=0$' "$WORK/upgrade.out"; then
  echo "== demo: with the agent every legacy IMDSv1 read succeeded against an IMDS that requires tokens"
else
  echo "== demo FAILED: with the agent in upgrade mode some reads still failed (see step 3)"
  exit 1
fi

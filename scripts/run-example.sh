#!/usr/bin/env bash
# Builds the agent and the IMDS simulator if needed, starts the simulator with tokens required
# (HttpTokens=required) on loopback, and makes one legacy IMDSv1 call: first without the agent
# (it fails with 401), then with it (it succeeds). Cleans up the simulator on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${IMDS_PORT:-1338}"
AGENT=agent/target/imdsv2-agent.jar
SIMULATOR=imds-simulator/target/imds-simulator.jar
if [[ ! -f "$AGENT" || ! -f "$SIMULATOR" ]]; then
  echo "== building the agent and the simulator"
  mvn -B -q -ntp -DskipTests -pl agent,imds-simulator -am install
fi

echo "== starting the IMDS simulator on 127.0.0.1:$PORT with tokens required"
java -jar "$SIMULATOR" --required --port "$PORT" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.2
done

URL="http://127.0.0.1:$PORT/latest/meta-data/instance-id"
echo "== without the agent"
java scripts/example/LegacyV1Call.java "$URL" || true
echo "== with the agent"
java -javaagent:"$AGENT"=endpoints=http://127.0.0.1:"$PORT" scripts/example/LegacyV1Call.java "$URL"

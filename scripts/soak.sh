#!/usr/bin/env bash
# Soak: the load test of the integration tests (LoadIT), for minutes instead of CI's 20 s. An IMDS simulator
# with tokens required; a JVM with the agent (token.ttl=5, so a renewal every 2.5 s) where THREADS threads
# GET instance-id over every client of integration-tests/.../apps/ImdsClients.java as fast as they can.
# Prints: requests and failures per client, token PUTs, the most PUTs in flight at once, live threads and
# used heap after a full GC at start and end. Fails (exit 1) on any failure, on a second PUT in flight, or on
# growth of threads or heap (LoadIT's bounds).
# Usage: scripts/soak.sh [MINUTES=2] [THREADS=200]     SOAK_JAVA_HOME=/path/to/jdk to run the agent on another JDK
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-2}"
THREADS="${2:-200}"
EXTRA=()
[[ -n "${SOAK_JAVA_HOME:-}" ]] && EXTRA+=("-Dit.java.home=$SOAK_JAVA_HOME")

echo "== soak: $THREADS threads for $MINUTES min (building first; the run itself takes $MINUTES min + ~10 s)"
REPORT_DIR=integration-tests/target/reliability
mkdir -p integration-tests/target
rm -f "$REPORT_DIR"/load-java*.txt
STATUS=0
mvn -B -ntp -q verify -pl integration-tests -am -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=LoadIT -Dit.jdk=17 -Dit.load.seconds=$((MINUTES * 60)) -Dit.load.threads="$THREADS" \
  "${EXTRA[@]}" > integration-tests/target/soak-maven.log 2>&1 || STATUS=$?
if ls "$REPORT_DIR"/load-java*.txt >/dev/null 2>&1; then
  cat "$REPORT_DIR"/load-java*.txt
else
  tail -40 integration-tests/target/soak-maven.log
fi
if [[ $STATUS -ne 0 ]]; then
  grep -h -A3 "FAILURE\|AssertionFailedError" integration-tests/target/failsafe-reports/build-jdk/*.txt 2>/dev/null | head -20 || true
  echo "== soak FAILED (full log: integration-tests/target/soak-maven.log)"
  exit 1
fi
echo "== soak passed"

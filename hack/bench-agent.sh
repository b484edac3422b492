#!/usr/bin/env bash
# bench-agent.sh [PINGS] [PAIRS] - latency of QgaClient next to a bare JDK unix SocketChannel,
# against a real guest booted here by hack/qga-vm.sh (own runtime dir, stopped on exit).
# Prints median and p95 per exchange (ping, freeze, thaw) and the ratio client/baseline.
# Defaults: 200 pings, 20 freeze/thaw pairs. QGA_VM_WRITER=0 benchmarks an idle guest.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PINGS=${1:-200}
PAIRS=${2:-20}
[[ $PINGS =~ ^[0-9]+$ && $PAIRS =~ ^[0-9]+$ && $PINGS -gt 0 && $PAIRS -gt 0 ]] || { echo "usage: $0 [PINGS] [PAIRS]" >&2; exit 2; }
cd "$ROOT"

CP_FILE=node-helper/target/bench.classpath
mvn -B -q -pl node-helper -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

RUN=$(mktemp -d /tmp/qbench.XXXXXX)
cleanup() { QGA_VM_DIR=$RUN bash hack/qga-vm.sh stop >/dev/null 2>&1 || true; rm -rf "$RUN"; }
trap cleanup EXIT
SOCK=$(QGA_VM_DIR=$RUN QGA_VM_TTL=1800 bash hack/qga-vm.sh start | tail -n 1)

java -cp "node-helper/target/test-classes:node-helper/target/classes:$(cat "$CP_FILE")" \
  io.quiesce.agent.AgentBench "$SOCK" "$PINGS" "$PAIRS"

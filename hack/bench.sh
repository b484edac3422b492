#!/usr/bin/env bash
# bench.sh - Quiesce's benchmark, every figure measured side by side in one run.
#
# Usage: hack/bench.sh [--vms N] [--warmup-vms W] [--cap C] [--cut-delay D] [--pairs P] [--rounds R] [--operator-memory M] [--snapshots S] [--only PHASES] [--out DIR]
#   --vms N        fake VMs in the scale phase (default 1000)
#   --warmup-vms W fake VMs of the scale phase's warm-up fire, reported apart (default: 2 x cap or N/10,
#                  whichever is more, at most N; 0: no warm-up)
#   --cap C        cluster freeze cap in the scale phase (default 50)
#   --cut-delay D  the fake snapshotter's cut delay in the scale phase, milliseconds (default 300)
#   --pairs P      Quiesce/floor pairs in the freeze-window phase (default 30: the p95 of 30 is their 29th)
#   --rounds R     rounds of the scale phase, each with a fresh API server and operator (default 1)
#   --operator-memory M  the operator's container memory limit in the scale phase, e.g. 448Mi (default:
#                  the chart's operator.resources.limits.memory up to 2,000 VMs, 448Mi above, as
#                  values.yaml tells users with fleets that size)
#   --snapshots S  single-disk snapshots in the requests phase (default 20)
#   --only PHASES  comma-separated phases to run: freeze-window,requests,scale,footprint (default all)
#   --out DIR      where bench.json, bench.md and the logs go (default /tmp/quiesce-bench.$UID)
#
# Phases (each writes <out>/<phase>.json; BenchReport joins them into bench.json + bench.md):
#   freeze-window  one real guest (real qemu-guest-agent, a writer on its disk), the sandbox's in-JVM
#                  API server and real-copying snapshotter, node-helper.jar run + operator.jar run:
#                  QuiescedSnapshots vs the floor (bare-socket freeze, VolumeSnapshot, wait for the
#                  cut, thaw), alternating, after 3 warm-up pairs reported apart
#   requests       S single-disk snapshots through the REAL operator and node helper (in one JVM, FAKE
#                  agents, FAKE snapshotter) on the test kit's API server, which counts each one's
#                  requests by client, verb and resource; above 12 operator or 6 helper requests per
#                  snapshot the phase fails (the budget)
#   scale          N FAKE VMs through one schedule fire: operator.jar run, fake helper and fake
#                  snapshotter on the test kit's in-JVM API server, which counts the requests; the
#                  fake helper records the peak of concurrent freezes, and a peak above the cap
#                  fails the phase (the cap is a safety limit); each round's peak is logged. The
#                  measured fire comes second, after a warm-up fire over W VMs of its own (reported
#                  apart, its snapshots deleted before the measured schedule exists)
#   footprint      memory and start-up to ready of both components, with the chart's JVM flags and
#                  without; the helper alone as on its node (median of 3 starts, interleaved with 3
#                  with JVM defaults; CPU to ready too) and once beside the operator; the helper
#                  during 10 concurrent freezes of FAKE agents; its class-data archive dumped from
#                  the committed class list as the image does, and a fresh list recorded; then the
#                  helper's candidate flag sets of hack/footprint-candidates.txt, 3 times each,
#                  interleaved with the chart's flags (medians)
# The components run with the JVM flags of charts/quiesce/values.yaml; the scale phase's bench JVM with
# -XX:TieredStopAtLevel=1 -Djava.util.concurrent.ForkJoinPool.common.parallelism=2, or
# $QUIESCE_SCALE_BENCH_JVM_FLAGS when set. Exits non-zero if a phase
# fails; leaves nothing running.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

VMS=1000
WARMUP_VMS=
CAP=50
CUT_MS=300
PAIRS=30
ROUNDS=1
OPERATOR_MEMORY=
SNAPSHOTS=20
ONLY=freeze-window,requests,scale,footprint
OUT=/tmp/quiesce-bench.$(id -u)
COMMAND="hack/bench.sh $*"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '4,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
int_arg() { [[ ${2:-} =~ ^[1-9][0-9]{0,5}$ ]] || { log "$1 needs a positive integer"; usage; }; }

while (( $# )); do
  case $1 in
    --vms) int_arg "$1" "${2:-}"; VMS=$2; shift 2 ;;
    --warmup-vms) [[ ${2:-} =~ ^(0|[1-9][0-9]{0,5})$ ]] || { log "$1 needs 0 or a positive integer"; usage; }; WARMUP_VMS=$2; shift 2 ;;
    --cap) int_arg "$1" "${2:-}"; CAP=$2; shift 2 ;;
    --cut-delay) int_arg "$1" "${2:-}"; CUT_MS=$2; shift 2 ;;
    --pairs) int_arg "$1" "${2:-}"; PAIRS=$2; shift 2 ;;
    --rounds) int_arg "$1" "${2:-}"; ROUNDS=$2; shift 2 ;;
    --operator-memory) [[ ${2:-} =~ ^[1-9][0-9]*(Mi|Gi)$ ]] || { log "$1 needs n Mi or n Gi"; usage; }; OPERATOR_MEMORY=$2; shift 2 ;;
    --snapshots) int_arg "$1" "${2:-}"; SNAPSHOTS=$2; shift 2 ;;
    --only) [[ ${2:-} =~ ^(freeze-window|requests|scale|footprint)(,(freeze-window|requests|scale|footprint))*$ ]] || usage; ONLY=$2; shift 2 ;;
    --out) [[ -n ${2:-} ]] || usage; OUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done
OUT=$(realpath -m "$OUT")
mkdir -p "$OUT"
rm -f "$OUT"/{freeze-window,requests,scale,footprint,bench}.json "$OUT"/scale-round-*.json "$OUT"/bench.md "$OUT"/*.log
wanted() { [[ ,$ONLY, == *,$1,* ]]; }

# shellcheck source=hack/lib/packages.sh
source hack/lib/packages.sh

RUN=$(mktemp -d /tmp/qb.XXXXXX)   # short: unix socket paths live under it
PIDS=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  stop_components
  if [[ -d $RUN/g1 ]]; then QGA_VM_DIR=$RUN/g1 hack/qga-vm.sh stop >>"$OUT/guest.log" 2>&1 || true; fi
  rm -rf "$RUN"
  log "stopped everything (exit $rc); logs in $OUT"
  exit "$rc"
}
stop_components() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD...: runs CMD in the background, output to $OUT/NAME.log
start() {
  local name=$1; shift
  "$@" >"$OUT/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
}

# ------------------------------------------------------------------ build
install_packages
log "building (mvn install, tests skipped; log: $OUT/build.log)"
mvn -B -q -DskipTests install >"$OUT/build.log" 2>&1 || { tail -n 40 "$OUT/build.log" >&2; die "build failed"; }
for module in node-helper operator; do
  mvn -B -q -pl "$module" dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$RUN/$module.classpath" >>"$OUT/build.log" 2>&1 || die "cannot resolve the $module test classpath"
done
KIT_CP=$ROOT/testkit/target/classes:$ROOT/crds/target/classes  # this tree's test kit and API, ahead of the copies in ~/.m2
HELPER_CP=$ROOT/node-helper/target/test-classes:$ROOT/node-helper/target/classes:$KIT_CP:$(cat "$RUN/node-helper.classpath")
OPERATOR_CP=$ROOT/operator/target/test-classes:$ROOT/operator/target/classes:$KIT_CP:$(cat "$RUN/operator.classpath")
HELPER_JAR=$ROOT/node-helper/target/node-helper.jar
OPERATOR_JAR=$ROOT/operator/target/operator.jar
VALUES=$ROOT/charts/quiesce/values.yaml
mapfile -t HELPER_FLAGS < <(java -cp "$HELPER_CP" io.quiesce.bench.ChartJvmFlags "$VALUES" nodeHelper)
mapfile -t OPERATOR_FLAGS < <(java -cp "$HELPER_CP" io.quiesce.bench.ChartJvmFlags "$VALUES" operator)
(( ${#HELPER_FLAGS[@]} && ${#OPERATOR_FLAGS[@]} )) || die "cannot read the JVM flags from $VALUES"
log "chart JVM flags: helper ${HELPER_FLAGS[*]}; operator ${OPERATOR_FLAGS[*]}"

failed=()

# ------------------------------------------------------------------ freeze window
freeze_window() {
  log "freeze-window: booting a real guest (log: $OUT/guest.log)"
  local sock api
  sock=$(QGA_VM_DIR=$RUN/g1 QGA_VM_TTL=1800 hack/qga-vm.sh start 2>"$OUT/guest.log" | tail -n 1)
  [[ -S $sock ]] || { tail -n 20 "$OUT/guest.log" >&2; return 1; }
  mkdir -p "$RUN/s"
  start api-server java -cp "$HELPER_CP" io.quiesce.sandbox.SandboxApiServer "$RUN"
  for _ in $(seq 300); do [[ -s $RUN/api-url ]] && break; kill -0 "${PIDS[0]}" 2>/dev/null || break; sleep 0.2; done
  [[ -s $RUN/api-url ]] || { log "the sandbox API server did not start"; return 1; }
  api=$(cat "$RUN/api-url")
  local kube=(-Dkubernetes.master="$api" -Dkubernetes.auth.tryKubeConfig=false -Dkubernetes.auth.tryServiceAccount=false
              -Dkubernetes.trust.certificates=true -Dkubernetes.namespace=sandbox
              -Dorg.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils=error)
  java "${kube[@]}" -cp "$HELPER_CP" io.quiesce.sandbox.SandboxSeed --no-schedule "$RUN/s" "$RUN/g1" >"$OUT/seed.log" 2>&1 \
    || { cat "$OUT/seed.log" >&2; return 1; }
  start snapshotter java "${kube[@]}" -cp "$HELPER_CP" io.quiesce.sandbox.SandboxSnapshotter "$RUN"
  start node-helper env NODE_NAME=node01 POD_NAMESPACE=quiesce-system QUIESCE_SOCKET_ROOTS="$RUN/s,$RUN/g1" \
    QUIESCE_SOCKET_TEMPLATES="$RUN/s/{podUID}/qga.sock" QUIESCE_HEALTH_ADDRESS=127.0.0.1:0 QUIESCE_JOURNAL_DIR="$RUN/journal" \
    QUIESCE_LOG_FORMAT=json QUIESCE_LOG_LEVEL=info,io.quiesce.trace=debug \
    java "${HELPER_FLAGS[@]}" "${kube[@]}" -jar "$HELPER_JAR" run
  start operator env POD_NAMESPACE=quiesce-system QUIESCE_WATCH_NAMESPACES=sandbox QUIESCE_HEALTH_ADDRESS=127.0.0.1:0 \
    java "${OPERATOR_FLAGS[@]}" "${kube[@]}" -jar "$OPERATOR_JAR" run
  log "freeze-window: $PAIRS Quiesce/floor pairs (log: $OUT/freeze-window.log)"
  local rc=0
  java "${kube[@]}" -cp "$HELPER_CP" io.quiesce.bench.FreezeWindowBench "$RUN" "$sock" "$RUN/g1/console.log" \
    "$PAIRS" "$OUT" 2>&1 | tee "$OUT/freeze-window.log" | grep -E '^pair ' >&2 || rc=$?
  stop_components
  # where each window's time went, step by step, from the helper's trace lines
  python3 hack/lib/window-trace.py "$OUT/node-helper.log" >"$OUT/freeze-window-trace.txt" 2>&1 || true
  tail -n 4 "$OUT/freeze-window-trace.txt" >&2
  QGA_VM_DIR=$RUN/g1 hack/qga-vm.sh stop >>"$OUT/guest.log" 2>&1 || true
  rm -rf "$RUN/g1"
  return "$rc"
}
if wanted freeze-window; then freeze_window || failed+=(freeze-window); fi

# ------------------------------------------------------------------ requests
if wanted requests; then
  log "requests: $SNAPSHOTS single-disk snapshots, operator and node helper requests counted (log: $OUT/requests.log)"
  # the node helper runs in this JVM: it opens agent sockets through the foreign linker (O_PATH),
  # so it needs the flags the chart always passes, else it refuses every socket (NoAgentChannel)
  java --add-modules=jdk.incubator.foreign --enable-native-access=ALL-UNNAMED \
    -cp "$OPERATOR_CP" io.quiesce.bench.RequestBench "$SNAPSHOTS" "$OUT" >"$OUT/requests.log" 2>&1 || failed+=(requests)
  grep -E '^requests per snapshot' "$OUT/requests.log" >&2 || true
fi

# ------------------------------------------------------------------ scale
# peak_of FILE: the fake helper's peak of concurrent freezes recorded in a scale phase's json, or "?"
# the scale phase's bench JVM (test API server, fakes; not the subject, which keeps the chart's
# flags): C1 only, which cost it the least CPU per snapshot at 500 VMs (docs/performance.md, "Warm-up
# and the bench JVM"), and a common fork-join pool of 2 (with 1, the HTTP clients' asynchronous steps
# start a thread each: "Threads per request"); QUIESCE_SCALE_BENCH_JVM_FLAGS="" runs it with the JVM's
# defaults (G1, C1 + C2, a common pool of 1 on 2 CPUs)
read -r -a SCALE_BENCH_FLAGS <<<"${QUIESCE_SCALE_BENCH_JVM_FLAGS--XX:TieredStopAtLevel=1 -Djava.util.concurrent.ForkJoinPool.common.parallelism=2}"
peak_of() { sed -n 's/^ *"peakFrozenInCluster" *: *\([0-9]*\).*/\1/p' "$1" 2>/dev/null | head -n 1 | grep . || echo '?'; }
if wanted scale; then
  if [[ -z $OPERATOR_MEMORY ]] && (( VMS > 2000 )); then
    OPERATOR_MEMORY=448Mi
    log "scale: $VMS VMs, above 2,000: the operator's memory limit is $OPERATOR_MEMORY, as values.yaml tells such fleets"
  fi
  for round in $(seq "$ROUNDS"); do
    log "scale round $round/$ROUNDS: $VMS fake VMs, cap $CAP, cut delay $CUT_MS ms, bench JVM flags: ${SCALE_BENCH_FLAGS[*]:-JVM defaults} (log: $OUT/scale.log)"
    rc=0
    java "${SCALE_BENCH_FLAGS[@]}" -cp "$OPERATOR_CP" ${OPERATOR_MEMORY:+-Dquiesce.bench.operatorMemory=$OPERATOR_MEMORY} \
      ${WARMUP_VMS:+-Dquiesce.bench.warmupVms=$WARMUP_VMS} io.quiesce.bench.ScaleBench "$OPERATOR_JAR" "$VALUES" "$VMS" "$CAP" "$CUT_MS" "$OUT" \
      >"$OUT/scale.log" 2>&1 || rc=$?
    cp "$OUT/scale.json" "$OUT/scale-round-$round.json" 2>/dev/null || true
    cp "$OUT/scale.log" "$OUT/scale-round-$round.log"
    peak=$(peak_of "$OUT/scale.json")
    why=$(sed -n 's/^ *"error" *: *"\(.\{0,200\}\).*/\1/p' "$OUT/scale.json" 2>/dev/null | head -n 1)
    log "scale round $round/$ROUNDS: peak of concurrent freezes $peak, cap $CAP$( (( rc )) && echo " - FAILED: $why")"
    if (( rc )); then failed+=("scale(round $round)"); fi
  done
fi

# ------------------------------------------------------------------ footprint
if wanted footprint; then
  log "footprint: both components idle, with and without the chart's flags; helper under 10 fake freezes (log: $OUT/footprint.log)"
  mkdir -p "$RUN/fp"
  java -Dquiesce.bench.footprint.candidates="$ROOT/hack/footprint-candidates.txt" \
    -cp "$HELPER_CP" io.quiesce.bench.FootprintBench "$OPERATOR_JAR" "$HELPER_JAR" "$VALUES" "$RUN/fp" "$OUT" \
    >"$OUT/footprint.log" 2>&1 || failed+=(footprint)
fi

# ------------------------------------------------------------------ report
rc=0
java -cp "$HELPER_CP" io.quiesce.bench.BenchReport "$OUT" "$COMMAND" || rc=$?
# with --only, the phases left out show as "did not run" in the report; only those that ran decide
if [[ $ONLY != freeze-window,requests,scale,footprint ]]; then rc=0; fi
if (( ${#failed[@]} )); then
  log "FAILED phases: ${failed[*]} (see their logs in $OUT)"
  exit 1
fi
exit "$rc"

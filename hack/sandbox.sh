#!/usr/bin/env bash
# sandbox.sh - Quiesce end to end on one machine, no cluster needed: scheduled, filesystem-consistent
# snapshots of real running guests (the real qemu-guest-agent under QEMU), checked with e2fsck.
#
# Usage: hack/sandbox.sh [--guests N] [--fires F] [--channel C] [--group] [--restore] [--dir D] [--keep]
#        hack/sandbox.sh --stop [--dir D]
#   --guests N   test guests to boot, one VM each (default 2; the odd ones get the tinydb hooks, see below)
#   --fires F    schedule fires to wait for; the schedule fires once a minute (default 2)
#   --channel C  the schedule's quiesce.channel: auto (default), qga, kubevirt-api, or libvirt (refused:
#                the sandbox's guests run under QEMU directly, with no libvirt daemon holding their agent)
#   --group      a consistency-group schedule (grouping: ConsistencyGroup): each fire freezes every guest
#                TOGETHER as one group snapshot, through KubeVirt's freeze subresources (served by the test
#                kit's FAKE virt-api/virt-handler acting on each guest's real agent); the summary shows each
#                VM's freeze window and the common window, the PNG their overlap (2 to 16 guests)
#   --restore    after the fires: restore guest 1 from its last snapshot into a new VM (QuiescedSnapshotRestore;
#                a FAKE provisioner copies the snapshot image), e2fsck -fn it, boot a new guest from it and
#                check the writer's last record on it against guest 1's console; the summary prints the check.
#                With --group: restore the last group snapshot whole (one restore, a new VM restored--guest-<i>
#                per member) and check every member's copy the same way against its own guest's console
#   --dir D      sandbox dir: logs, snapshot images, summary.txt, freeze-windows.png
#                (default /tmp/quiesce-sandbox.$UID; keep it short: unix socket paths live under it)
#   --keep       leave everything running after the summary, for the real kubectl (1.35, installed) and
#                the kubectl quiesce plugin: prints the export KUBECONFIG=... line and how to stop
#   --stop       stop a sandbox left running by --keep (the same --dir)
#   --help       this text
#
# Starts, as separate processes: the sandbox's in-JVM Kubernetes API server (the test kit's fabric8
# mock, NOT a real cluster), a seed of sample VMs/VMIs/PVCs/classes and a QuiescedSnapshotSchedule, a
# snapshotter that copies each guest's data-disk image for every VolumeSnapshot, one node helper
# (node-helper.jar run) and the operator (operator.jar run). With --channel kubevirt-api (and --group) the operator
# freezes through KubeVirt's freeze/unfreeze subresources, which the API server serves through the test
# kit's FAKE of virt-api/virt-handler/virt-launcher, acting on each guest through its real agent.
# Shows the snapshots live, then checks every image with `e2fsck -fn`, says whether every snapshot
# Succeeded and is FilesystemConsistent, and exits 0 only if every FilesystemConsistent snapshot is clean.
# Application consistency: every guest runs tinydb (hack/qga-vm.sh), a toy database whose index
# matches its append-only log only after a checkpoint. Unless --group or --channel kubevirt-api (no
# hooks there), the odd guests are snapshotted by schedule "sandbox", whose preFreeze hook makes that
# checkpoint (tinydb-ctl pause; postThaw: resume), the even ones by "sandbox-nohooks" without hooks.
# The summary counts the images whose tinydb index is consistent, with the hook and without; the
# run passes only if every FilesystemConsistent image taken with the hook has a consistent index.
# Everything it started is stopped on exit, failure or Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

GUESTS=2
FIRES=2
CHANNEL=auto
RESTORE=0
GROUP=0
DIR=/tmp/quiesce-sandbox.$(id -u)
MARKER=.quiesce-sandbox
KEEP=0
STOP=0

log() { printf '[sandbox %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { sed -n '5,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while (( $# )); do
  case $1 in
    --guests) [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || usage; GUESTS=$2; shift 2 ;;
    --fires) [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || usage; FIRES=$2; shift 2 ;;
    --channel) [[ ${2:-} =~ ^(auto|qga|libvirt|kubevirt-api)$ ]] || usage; CHANNEL=$2; shift 2 ;;
    --group) GROUP=1; shift ;;
    --restore) RESTORE=1; shift ;;
    --dir) [[ -n ${2:-} ]] || usage; DIR=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --stop) STOP=1; shift ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done
if [[ $CHANNEL == libvirt ]]; then
  # said before anything starts: a schedule on channel libvirt would fail every snapshot
  # (LibvirtSocketNotFound), which is not what the sandbox is for
  die "--channel libvirt cannot run in the sandbox: its guests run under QEMU directly (hack/qga-vm.sh) and no \
libvirt daemon holds their agent. The libvirt channel runs against a real libvirt daemon in hack/bench-libvirt.sh \
and the tests EndToEndLibvirtTest and LibvirtAgentRealDaemonTest."
fi
if (( GROUP )); then
  (( GUESTS >= 2 && GUESTS <= 16 )) || die "--group freezes 2 to 16 guests together: --guests $GUESTS"
  [[ $CHANNEL == auto ]] || die "--group freezes every guest through KubeVirt's subresources: no --channel"
fi
DIR=$(realpath -m "$DIR")
if (( STOP )); then
  [[ -e $DIR/$MARKER && -s $DIR/pids ]] || die "no sandbox left running in $DIR (started with --keep?)"
  # newest first, as the cleanup does: the watchers and the operator before the API server
  while read -r name pid; do
    if kill -TERM "$pid" 2>/dev/null; then log "stopping $name (pid $pid)"; fi
  done < <(tac "$DIR/pids")
  while read -r name pid; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) ignored SIGTERM for 10 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < <(tac "$DIR/pids")
  for g in "$DIR"/g*/; do
    if [[ -d $g ]]; then QGA_VM_DIR=${g%/} hack/qga-vm.sh stop >>"$DIR/logs/guests.log" 2>&1 || true; fi
  done
  rm -f "$DIR/pids" "$DIR/kubeconfig"
  log "stopped the sandbox in $DIR; logs in $DIR/logs"
  exit 0
fi
# the longest socket path is <dir>/s/<pod UID>/qga.sock; unix socket paths are limited to 107 bytes
(( ${#DIR} + 48 <= 107 )) || die "--dir $DIR is too long for unix socket paths (at most 59 characters)"
mkdir -p "$DIR"
if [[ -n $(ls -A "$DIR") && ! -e $DIR/$MARKER ]]; then
  die "$DIR is not empty and not a sandbox dir; choose another --dir"
fi

# shellcheck source=hack/lib/packages.sh
source hack/lib/packages.sh

PIDS=()
NAMES=()
OWN_DIR=0   # set once this run has taken the dir over: only then is its pids file ours to remove
stop_guests() {
  local g
  for g in "$DIR"/g*/; do
    if [[ -d $g ]]; then QGA_VM_DIR=${g%/} hack/qga-vm.sh stop >>"$DIR/logs/guests.log" 2>&1 || true; fi
  done
}
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$? i pid
  trap - EXIT INT TERM
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    pid=${PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || true   # already gone is fine
  done
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    pid=${PIDS[i]}
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "${NAMES[i]} (pid $pid) ignored SIGTERM for 10 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  stop_guests
  # everything this run started is stopped: a stale pids file would refuse the next run in this dir
  if (( OWN_DIR )); then rm -f "$DIR/pids"; fi
  log "stopped everything (exit $rc); logs in $DIR/logs"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD...: runs CMD in the background, output to $DIR/logs/NAME.log
start() {
  local name=$1; shift
  "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
  NAMES+=("$name")
  echo "$name $!" >>"$DIR/pids"
  log "started $name (pid $!)"
}

# ------------------------------------------------------------------ prepare
stop_guests 2>/dev/null || true   # a previous run's guests, should it have been killed hard
[[ -s $DIR/pids ]] && die "a sandbox is still running in $DIR: stop it first (hack/sandbox.sh --stop --dir $DIR)"
rm -rf "$DIR"/logs "$DIR"/snapshots "$DIR"/restored "$DIR"/s "$DIR"/g* "$DIR"/api-url "$DIR"/summary.txt \
  "$DIR"/freeze-windows.png "$DIR"/pids "$DIR"/kubeconfig
mkdir -p "$DIR/logs" "$DIR/s"
touch "$DIR/$MARKER"
OWN_DIR=1

install_packages
if (( KEEP )); then
  # shellcheck source=hack/lib/kube-tools.sh
  source hack/lib/kube-tools.sh
  install_kube_tools
fi
# built in place, never installed: ~/.m2 may be shared, and another checkout's install must not change
# the classes this run loads (the test-kit processes take the reactor's target dirs, not ~/.m2)
log "building (mvn package, tests skipped; log: $DIR/logs/build.log)"
mvn -B -q -DskipTests package >"$DIR/logs/build.log" 2>&1 || { tail -n 40 "$DIR/logs/build.log" >&2; die "build failed"; }
mvn -B -q -DskipTests -pl node-helper -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$DIR/classpath.txt" >>"$DIR/logs/build.log" 2>&1 || die "cannot resolve the test classpath"
CP=$ROOT/node-helper/target/test-classes:$ROOT/node-helper/target/classes:$(cat "$DIR/classpath.txt")

# ------------------------------------------------------------------ guests
ROOTS=$DIR/s
GUEST_DIRS=()
for (( i=1; i<=GUESTS; i++ )); do
  g=$DIR/g$i
  log "booting guest $i (real qemu-guest-agent; log: $DIR/logs/guest-$i.log)"
  # a kept sandbox's guests stop by themselves after 8 hours at the latest
  QGA_VM_DIR=$g QGA_VM_TINYDB=1 QGA_VM_TTL=$(( KEEP ? 8 * 3600 : (FIRES + 10) * 60 )) hack/qga-vm.sh start >"$DIR/logs/guest-$i.log" 2>&1 \
    || { tail -n 20 "$DIR/logs/guest-$i.log" >&2; die "guest $i did not boot"; }
  GUEST_DIRS+=("$g")
  ROOTS+=,$g
done

# ------------------------------------------------------------------ components
API_ARGS=("$DIR")
if [[ $CHANNEL == kubevirt-api ]] || (( GROUP )); then API_ARGS+=(--kubevirt "${GUEST_DIRS[@]}"); fi
start api-server env QUIESCE_PROJECT_ROOT="$ROOT" java -cp "$CP" io.quiesce.sandbox.SandboxApiServer "${API_ARGS[@]}"
for _ in $(seq 300); do [[ -s $DIR/api-url ]] && break; kill -0 "${PIDS[0]}" 2>/dev/null || break; sleep 0.2; done
[[ -s $DIR/api-url ]] || { cat "$DIR/logs/api-server.log" >&2; die "the API server did not start"; }
API=$(cat "$DIR/api-url")
log "sandbox in-JVM API server (test kit, not a real cluster) at $API"
KUBE=(-Dkubernetes.master="$API" -Dkubernetes.auth.tryKubeConfig=false -Dkubernetes.auth.tryServiceAccount=false
      -Dkubernetes.trust.certificates=true -Dkubernetes.namespace=sandbox)
# every Java process below: info, but not fabric8's warnings about the test kit's API versions
export QUIESCE_LOG_LEVEL=info,io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils=error

SEED_ARGS=()
[[ $CHANNEL != auto ]] && SEED_ARGS+=(--channel "$CHANNEL")
(( GROUP )) && SEED_ARGS+=(--group)
java "${KUBE[@]}" -cp "$CP" io.quiesce.sandbox.SandboxSeed "${SEED_ARGS[@]}" "$DIR/s" "${GUEST_DIRS[@]}" 2>&1 \
  | tee "$DIR/logs/seed.log" >&2
start snapshotter java "${KUBE[@]}" -cp "$CP" io.quiesce.sandbox.SandboxSnapshotter "$DIR"
start node-helper env NODE_NAME=node01 POD_NAMESPACE=quiesce-system QUIESCE_SOCKET_ROOTS="$ROOTS" \
  QUIESCE_SOCKET_TEMPLATES="$DIR/s/{podUID}/qga.sock" QUIESCE_FREEZE_TIMEOUT_MAX=30s QUIESCE_JOURNAL_DIR="$DIR/journal" \
  QUIESCE_HEALTH_ADDRESS=127.0.0.1:0 java --add-modules=jdk.incubator.foreign --enable-native-access=ALL-UNNAMED "${KUBE[@]}" \
  -jar node-helper/target/node-helper.jar run
start operator env POD_NAMESPACE=quiesce-system QUIESCE_WATCH_NAMESPACES=sandbox QUIESCE_FREEZE_TIMEOUT_MAX=30s \
  QUIESCE_HEALTH_ADDRESS=127.0.0.1:0 java "${KUBE[@]}" -jar operator/target/operator.jar run

if (( GROUP )); then
  log "waiting for $FIRES fires of schedule sandbox/sandbox (\"* * * * *\": one a minute), each ONE group snapshot of $GUESTS VMs frozen together"
else
  schedules="schedule sandbox/sandbox"
  if [[ $CHANNEL != kubevirt-api ]] && (( GUESTS >= 2 )); then
    schedules="schedules sandbox/sandbox (odd guests, tinydb hooks) and sandbox/sandbox-nohooks (even guests)"
  fi
  log "waiting for $FIRES fires of $schedules (\"* * * * *\": one a minute) over $GUESTS VMs, channel $CHANNEL"
fi
COMPONENTS=${#PIDS[@]}
# in the background and waited for, so that Ctrl-C or SIGTERM reach the cleanup trap at once
: >"$DIR/logs/watch.log"   # made before tail follows it (start's redirect happens in the background)
# snapshots per fire: one per guest, or one group of them all
start watch java "${KUBE[@]}" -cp "$CP" io.quiesce.sandbox.SandboxWatch "$DIR" $(( GROUP ? 1 : GUESTS )) "$FIRES" $(( (FIRES + 3) * 60 ))
WATCH=$!
tail -n +1 -f --pid="$WATCH" "$DIR/logs/watch.log" &
PIDS+=($!)
NAMES+=(tail)
rc=0
wait "$WATCH" || rc=$?
wait "${PIDS[-1]}" || true
if (( RESTORE )); then
  if (( rc == 0 )); then
    if (( GROUP )); then
      log "restoring the last group snapshot of $GUESTS VMs into new VMs restored--guest-<i> (log: $DIR/logs/restore.log)"
      RESTORE_ARGS=(--group "${GUEST_DIRS[@]}")
    else
      log "restoring guest 1 from its last snapshot into a new VM (log: $DIR/logs/restore.log)"
      RESTORE_ARGS=("$DIR/g1")
    fi
    env QUIESCE_PROJECT_ROOT="$ROOT" java "${KUBE[@]}" -cp "$CP" io.quiesce.sandbox.SandboxRestore "$DIR" "${RESTORE_ARGS[@]}" \
      2>&1 | tee "$DIR/logs/restore.log" >&2 || rc=1
  else
    log "not restoring: the snapshot run did not pass"
  fi
fi
for (( i=0; i<COMPONENTS; i++ )); do
  kill -0 "${PIDS[i]}" 2>/dev/null || log "WARNING: ${NAMES[i]} had exited before the end (see $DIR/logs/${NAMES[i]}.log)"
done
if (( KEEP )); then
  trap - EXIT INT TERM
  stop_args=""
  [[ $DIR != "$(realpath -m "/tmp/quiesce-sandbox.$(id -u)")" ]] && stop_args=" --dir $DIR"
  cat >&2 <<EOM

The sandbox keeps running (API server, operator, node helper, snapshotter, $GUESTS guests; the schedule
fires every minute). Use it with the real kubectl $("$QUIESCE_KUBECTL" version --client -o json \
  | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p' | head -1) and the kubectl quiesce plugin:

  export KUBECONFIG=$DIR/kubeconfig
  export PATH=$(dirname "$QUIESCE_KUBECTL"):$ROOT/plugin:\$PATH
  kubectl get qsnap -w

Stop it with: hack/sandbox.sh --stop$stop_args
EOM
fi
exit "$rc"

#!/usr/bin/env bash
# bench-libvirt.sh [PAIRS] - freeze/thaw latency through Quiesce's libvirt channel (LibvirtAgent) next
# to `virsh domfsfreeze`/`domfsthaw` on the same domain in the same run: virsh as one process per call
# (process start included) and inside one virsh shell (the fairer floor). Starts its own private
# libvirt daemon and test guest with hack/libvirt-vm.sh and stops them on exit. Default: 30 pairs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAIRS=${1:-30}
[[ $PAIRS =~ ^[0-9]+$ && $PAIRS -ge 3 ]] || { echo "usage: $0 [PAIRS>=3]" >&2; exit 2; }
cd "$ROOT"

CP_FILE=node-helper/target/bench.classpath
mvn -B -q -pl node-helper -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2

RUN=$(mktemp -d /tmp/qlvbench.XXXXXX)
cleanup() { LIBVIRT_VM_DIR=$RUN bash hack/libvirt-vm.sh stop >/dev/null 2>&1 || true; rm -rf "$RUN"; }
trap cleanup EXIT
SOCK=$(LIBVIRT_VM_DIR=$RUN LIBVIRT_VM_TTL=1800 bash hack/libvirt-vm.sh start | tail -n 1)
DOMAIN=$(sed -n 's/^DOMAIN=//p' "$RUN/libvirt-vm.env")
echo "libvirt $(libvirtd --version | awk '{print $NF}'), domain $DOMAIN, $PAIRS freeze/thaw pairs per method" >&2

java -cp "node-helper/target/test-classes:node-helper/target/classes:$(cat "$CP_FILE")" \
  io.quiesce.libvirt.LibvirtBench "$SOCK" "$DOMAIN" "$PAIRS"

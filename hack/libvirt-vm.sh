#!/usr/bin/env bash
# libvirt-vm.sh - a private libvirt daemon (libvirtd in session mode, no systemd) managing the test
# guest of hack/qga-vm.sh (same kernel+initramfs, the REAL qemu-guest-agent, ext4 /data, writer),
# the way a KubeVirt virt-launcher pod's virtqemud manages its VM: libvirt holds the agent socket.
#
# Usage:  libvirt-vm.sh [start|stop|status|daemon-kill|daemon-start]      (default: start)
#   start         start the daemon, create the domains, wait for the agent, write
#                 $LIBVIRT_VM_DIR/libvirt-vm.env, print the daemon socket path (last line)
#   stop          destroy the domains FIRST (libvirtd does not stop its QEMU processes when it exits),
#                 then stop the daemon, all by PID; idempotent
#   status        exit 0 if the daemon answers and the domain's agent is connected
#   daemon-kill   SIGKILL the daemon only (tests of a daemon gone mid-call); the domains keep running
#   daemon-start  start the daemon again; it reconnects to the running domains and their agents
#
# Domains (transient, created on start):
#   qgavm        the test guest; its agent channel is held by libvirt, as in KubeVirt
#   qganoagent   a guest that never runs an agent (firmware only, no boot disk): "agent not connected"
#
# As root the daemon and QEMU run as a dedicated unprivileged uid (LIBVIRT_VM_USER, default 107:107,
# the `qemu` user of KubeVirt's non-root virt-launcher; no passwd entry is needed, setpriv takes the
# numbers), never as root: a root libvirtd writes system state (/etc/libvirt, /run/libvirt, cgroups).
# As another user they run as that user.
#
# Permission model (as root), the one a node helper meets on a KubeVirt node with non-root launchers:
#   $LIBVIRT_VM_DIR            root 0711   kubelet's pod dir (root's; the daemon only passes through)
#   run/                       uid  0711   the daemon's XDG_RUNTIME_DIR
#   run/libvirt/               root:gid 2777  the pod's `libvirt-runtime` emptyDir (kubelet makes it 0777,
#                                          then fsGroup 107 makes it group 107 and setgid)
#   run/libvirt/libvirt-sock   uid  0700   libvirt's default unix_sock_rw_perms of a session daemon
#                                          (auth none): only its owner, or CAP_DAC_OVERRIDE, may connect
# So a client with uid 0 and no capabilities finds the socket but gets EACCES on connect();
# with CAP_DAC_OVERRIDE (or as the daemon's uid) it connects. Everything else the daemon keeps
# (home, cfg with the agent sockets, vm, cache) is the daemon uid's, 0700.
#
# Environment (all optional):
#   LIBVIRT_VM_DIR     runtime dir of ONE daemon (default /tmp/quiesce-lv.$UID; keep it short: unix
#                      socket paths are limited to 107 bytes)
#   LIBVIRT_VM_CACHE   libvirt's QEMU capabilities cache, kept between runs (saves ~4 s of daemon start)
#   LIBVIRT_VM_USER    uid:gid for daemon and QEMU when run as root (default 107:107, KubeVirt's qemu)
#   LIBVIRT_VM_BOOT_TIMEOUT  seconds to wait for the daemon and for the agent (default 180)
#   LIBVIRT_VM_TTL     safety reaper: stop everything after N s (default 3600, 0 = off)
#   QGA_VM_*           passed to hack/qga-vm.sh, which builds (once) and caches the guest image
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
B=${LIBVIRT_VM_DIR:-/tmp/quiesce-lv.$(id -u)}
BOOT_TIMEOUT=${LIBVIRT_VM_BOOT_TIMEOUT:-180}
TTL=${LIBVIRT_VM_TTL:-3600}
# KubeVirt names a VMI's domain <namespace>_<vmi>: this one is VMI "qgavm" in namespace "kv", so a
# node helper resolving a VMI of that name finds it exactly as on a KubeVirt node
DOM=kv_qgavm
IDLE_DOM=qganoagent
SOCK=$B/run/libvirt/libvirt-sock
URI="qemu:///session?socket=$SOCK"
DAEMON_PIDFILE=$B/run/libvirtd.pid
REAPER_PID=$B/reaper.pid
ENVFILE=$B/libvirt-vm.env
if [[ $EUID == 0 ]]; then
  UIDGID=${LIBVIRT_VM_USER:-107:107}
  CACHE=${LIBVIRT_VM_CACHE:-/var/tmp/quiesce-libvirt-vm-cache.${UIDGID%:*}}
else
  UIDGID=$(id -u):$(id -g)
  CACHE=${LIBVIRT_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/quiesce/libvirt-vm}
fi

log() { printf '[libvirt-vm %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }
V() { virsh -q -c "$URI" "$@"; }

need_cmds() {
  local c
  for c in libvirtd virsh qemu-system-x86_64 mkfs.ext4 setpriv; do
    command -v "$c" >/dev/null || die "missing $c (hack/lib/packages.sh installs libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)"
  done
}

# libvirt's QEMU driver looks up the user record of the uid it runs as: make one for a uid that has
# none (KubeVirt's image has `qemu`, uid 107; a Debian machine usually has no uid 107)
ensure_user() {
  local uid=${UIDGID%:*} gid=${UIDGID#*:} name=qemu
  getent passwd "$uid" >/dev/null && return 0
  getent passwd "$name" >/dev/null && name=quiesce-qemu
  if ! getent group "$gid" >/dev/null; then
    groupadd --system --gid "$gid" "$name" || die "cannot create group $gid"
  fi
  useradd --system --uid "$uid" --gid "$gid" --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "quiesce test libvirt daemon (as KubeVirt's qemu)" "$name" \
    || die "cannot create user $uid"
  log "created user $name ($uid:$gid) for the test libvirt daemon"
}

# prints the PID of a live process whose pidfile is $1 and whose command line contains $2
pid_of() {
  [[ -f $1 ]] || return 1
  local pid; pid=$(tr -dc 0-9 <"$1"); [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  echo "$pid"
}
daemon_pid() { pid_of "$DAEMON_PIDFILE" "libvirtd -p $DAEMON_PIDFILE"; }

daemon_start() {
  local t0; t0=$(now_ms)
  daemon_pid >/dev/null && die "daemon already running (pid $(daemon_pid))"
  rm -f "$SOCK"
  local run_as=()
  [[ $EUID == 0 ]] && run_as=(setpriv --reuid="${UIDGID%:*}" --regid="${UIDGID#*:}" --clear-groups)
  # private XDG dirs: config, runtime state, sockets and the capabilities cache of this daemon only
  setsid "${run_as[@]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$B/home" XDG_RUNTIME_DIR="$B/run" \
    XDG_CONFIG_HOME="$B/cfg" XDG_CACHE_HOME="$CACHE" \
    libvirtd -p "$DAEMON_PIDFILE" </dev/null >>"$B/run/libvirtd.stdout" 2>&1 9>&- &
  until V version >/dev/null 2>&1; do
    (( $(now_ms) - t0 < BOOT_TIMEOUT * 1000 )) || { tail -n 20 "$B/run/libvirtd.log" >&2 || true; die "daemon not up after ${BOOT_TIMEOUT}s"; }
    sleep 0.05
  done
  DAEMON_MS=$(( $(now_ms) - t0 ))
  log "libvirtd pid $(daemon_pid) up in $DAEMON_MS ms: $SOCK"
}

daemon_stop() {
  local pid
  pid=$(daemon_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  log "libvirtd $pid stopped"
}

domain_xml() { # $1 = name, $2 = with-kernel (1|0)
  local os="<type arch='x86_64' machine='pc'>hvm</type>" mem=256 disk=""
  if [[ $2 == 1 ]]; then
    os+="<kernel>$B/vm/vmlinuz</kernel><initrd>$B/vm/initramfs.img</initrd>"
    os+="<cmdline>console=ttyS0 panic=-1 loglevel=4 rdinit=/init mitigations=off qgatest.writer=1</cmdline>"
    disk="<disk type='file' device='disk'><driver name='qemu' type='raw' cache='writeback' io='threads'/>
      <source file='$B/vm/data.img'/><target dev='vda' bus='virtio'/><serial>qgadata</serial></disk>
    <serial type='file'><source path='$B/vm/console.log'/><target port='0'/></serial>"
  else
    mem=32   # firmware only: no boot device, so no agent ever connects
  fi
  cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>1</vcpu>
  <os>$os</os>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $disk
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <controller type='usb' model='none'/>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

kill_leftover_qemu() { # $1 = domain name
  local pid
  if pid=$(pid_of "$B/run/libvirt/qemu/run/$1.pid" "guest=$1"); then
    kill -KILL "$pid" 2>/dev/null || true; log "killed leftover qemu $pid ($1)"
  fi
}

kill_reaper() {
  local rp
  rp=$(pid_of "$REAPER_PID" "_reap") && { kill -TERM -- "-$rp" 2>/dev/null || kill -TERM "$rp" 2>/dev/null || true; }
  rm -f "$REAPER_PID"
}

start() {
  local t0; t0=$(now_ms)
  need_cmds
  [[ $EUID == 0 ]] && ensure_user
  if daemon_pid >/dev/null && status >/dev/null 2>&1; then log "already running"; echo "$SOCK"; return 0; fi
  stop
  local img; img=$(bash "$HERE/qga-vm.sh" image | tail -n 1)
  [[ -s $img/vmlinuz && -s $img/initramfs.img ]] || die "no guest image from hack/qga-vm.sh image"
  (( ${#SOCK} < 100 )) || die "socket path too long (${#SOCK} > 99): set LIBVIRT_VM_DIR to a short path"
  rm -rf "${B:?}"/{home,run,cfg,vm}; mkdir -p "$B"/{home,run,cfg/libvirt,vm} "$CACHE"
  cat >"$B/cfg/libvirt/libvirtd.conf" <<EOF
log_filters = "1:qemu.qemu_agent 3:qemu 3:util 3:rpc 3:conf"
log_outputs = "1:file:$B/run/libvirtd.log"
EOF
  echo 'stdio_handler = "file"' >"$B/cfg/libvirt/qemu.conf"   # no virtlogd
  # the unprivileged daemon cannot read root's image cache: copy the (small) kernel and initramfs
  cp "$img/vmlinuz" "$img/initramfs.img" "$B/vm/"
  truncate -s 64M "$B/vm/data.img"
  mkfs.ext4 -q -F -L qgadata -E lazy_itable_init=0,lazy_journal_init=0 "$B/vm/data.img"
  mkdir -p "$B/run/libvirt"
  chown -R "$UIDGID" "$B"/{home,run,cfg,vm} "$CACHE"; chmod 700 "$B"/{home,cfg,vm} "$CACHE"
  if [[ $EUID == 0 ]]; then # KubeVirt's layout, see the header
    chown root:root "$B"; chown "root:${UIDGID#*:}" "$B/run/libvirt"; chmod 711 "$B" "$B/run"; chmod 2777 "$B/run/libvirt"
  else
    chmod 700 "$B" "$B/run"
  fi
  daemon_start
  if [[ $TTL != 0 ]]; then
    LIBVIRT_VM_DIR=$B setsid bash "$SELF" _reap "$TTL" </dev/null >/dev/null 2>&1 9>&- &
    echo $! >"$REAPER_PID"
  fi
  domain_xml "$IDLE_DOM" 0 >"$B/vm/$IDLE_DOM.xml"
  domain_xml "$DOM" 1 >"$B/vm/$DOM.xml"
  local tb; tb=$(now_ms)
  V create "$B/vm/$DOM.xml" >/dev/null || die "cannot create $DOM"
  V create "$B/vm/$IDLE_DOM.xml" >/dev/null || die "cannot create $IDLE_DOM"
  # agent ready: the guest opened its agent port (libvirt marks the channel connected) and the agent
  # answers a dedicated API call; no qemu-agent-command, which would taint the domain
  until V dumpxml "$DOM" 2>/dev/null | grep -q "name='org.qemu.guest_agent.0' state='connected'" \
        && V domfsinfo "$DOM" 2>/dev/null | grep -q /data; do
    (( $(now_ms) - tb < BOOT_TIMEOUT * 1000 )) || { tail -n 30 "$B/vm/console.log" >&2 || true; die "agent not ready after ${BOOT_TIMEOUT}s"; }
    sleep 0.2
  done
  local agent_sock
  agent_sock=$(V dumpxml "$DOM" | sed -n "s/.*<source mode='bind' path='\([^']*guest_agent[^']*\)'.*/\1/p" | head -n 1)
  { echo "LIBVIRT_SOCK=$SOCK"; echo "LIBVIRT_URI=$URI"; echo "DOMAIN=$DOM"; echo "NOAGENT_DOMAIN=$IDLE_DOM"
    echo "AGENT_SOCK=$agent_sock"; echo "CONSOLE_LOG=$B/vm/console.log"; echo "DATA_IMG=$B/vm/data.img"
    echo "DAEMON_MS=$DAEMON_MS"; echo "BOOT_MS=$(( $(now_ms) - tb ))"; echo "START_MS=$(( $(now_ms) - t0 ))"; } >"$ENVFILE"
  log "domain $DOM agent ready $(( $(now_ms) - tb )) ms after create (env: $ENVFILE)"
  echo "$SOCK"
}

stop() {
  if daemon_pid >/dev/null; then # both at once: each waits for its QEMU to exit
    local d
    for d in "$DOM" "$IDLE_DOM"; do
      { if V destroy "$d" >/dev/null 2>&1; then log "domain $d destroyed"; fi; } &
    done
    wait
  fi
  kill_leftover_qemu "$DOM"; kill_leftover_qemu "$IDLE_DOM"
  daemon_stop
  kill_reaper
  rm -f "$ENVFILE"
  return 0
}

status() {
  daemon_pid >/dev/null || { echo "stopped"; return 1; }
  if V dumpxml "$DOM" 2>/dev/null | grep -q "name='org.qemu.guest_agent.0' state='connected'"; then
    echo "running daemon=$(daemon_pid) agent=connected sock=$SOCK"; return 0
  fi
  echo "running daemon=$(daemon_pid) agent=not-connected"; return 1
}

cmd=${1:-start}
if [[ $cmd == _reap ]]; then # internal: safety net against a leaked daemon and domains
  sleep "$2"; log "TTL expired"; rm -f "$REAPER_PID"; exec 9>"$B/.lock"; flock -w 60 9; stop; exit 0
fi
if [[ $cmd != start && ! -d $B ]]; then # nothing was ever started here: don't create the dir
  [[ $cmd == status ]] && { echo "stopped"; exit 1; }
  exit 0
fi
mkdir -p "$B"
exec 9>"$B/.lock"; flock -w 300 9 || die "lock busy: $B/.lock"
case $cmd in
  start) start ;;
  stop) stop ;;
  status) status ;;
  daemon-kill) if pid=$(daemon_pid); then kill -KILL "$pid"; log "libvirtd $pid killed"; else log "daemon not running"; fi ;;
  daemon-start) daemon_start ;;
  *) echo "usage: $0 [start|stop|status|daemon-kill|daemon-start]" >&2; exit 2 ;;
esac

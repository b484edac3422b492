#!/usr/bin/env bash
# image-smoke.sh - builds and runs the real Dockerfiles without a registry or a Docker daemon, as a
# smoke test (not part of the test suite; needs root). With buildah from Debian it:
#   1. makes a base image from `debootstrap --variant=minbase bookworm` (stands in for distroless),
#   2. makes a JDK image from that base plus this machine's JDK 17 (stands in for eclipse-temurin),
#   3. builds operator/Dockerfile and node-helper/Dockerfile with those two as JDK_IMAGE/BASE_IMAGE,
#   4. runs each image's java as the Dockerfile's user: `java -version` and a jar command.
# Installs buildah and debootstrap when missing (apt). Work dir: $IMAGE_SMOKE_DIR (default
# /tmp/quiesce-image-smoke); buildah keeps its images in its own vfs store under it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DIR=${IMAGE_SMOKE_DIR:-/tmp/quiesce-image-smoke}
JDK=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
log() { printf '[image-smoke %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
[[ $(id -u) -eq 0 ]] || { log "needs root (debootstrap, buildah with chroot isolation)"; exit 2; }

missing=()
for tool in buildah debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if (( ${#missing[@]} )); then
  log "installing ${missing[*]}"
  apt-get install -y -q "${missing[@]}" >/dev/null
fi
mkdir -p "$DIR"
B=(buildah --root "$DIR/storage" --runroot "$DIR/run" --storage-driver vfs)

if ! "${B[@]}" inspect --type image localhost/quiesce-smoke-base >/dev/null 2>&1; then
  if [[ ! -x $DIR/rootfs/bin/sh ]]; then
    log "debootstrap --variant=minbase bookworm (stands in for the distroless base)"
    debootstrap --variant=minbase bookworm "$DIR/rootfs" http://deb.debian.org/debian >"$DIR/debootstrap.log" 2>&1
  fi
  ctr=$("${B[@]}" from scratch)
  mnt=$("${B[@]}" mount "$ctr")
  cp -a "$DIR/rootfs/." "$mnt/"
  "${B[@]}" umount "$ctr" >/dev/null
  "${B[@]}" commit -q "$ctr" localhost/quiesce-smoke-base >/dev/null
  "${B[@]}" rm "$ctr" >/dev/null
fi
if ! "${B[@]}" inspect --type image localhost/quiesce-smoke-jdk >/dev/null 2>&1; then
  log "JDK image: the base plus this machine's JDK ($JDK)"
  ctr=$("${B[@]}" from localhost/quiesce-smoke-base)
  mnt=$("${B[@]}" mount "$ctr")
  mkdir -p "$mnt/opt"
  cp -a "$JDK/." "$mnt/opt/jdk/"
  # Debian's JDK keeps its conf and security files in /etc, linked from the JDK tree
  [[ -d /etc/java-17-openjdk ]] && mkdir -p "$mnt/etc" && cp -a /etc/java-17-openjdk "$mnt/etc/"
  "${B[@]}" umount "$ctr" >/dev/null
  "${B[@]}" config --env PATH=/opt/jdk/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  "${B[@]}" commit -q "$ctr" localhost/quiesce-smoke-jdk >/dev/null
  "${B[@]}" rm "$ctr" >/dev/null
fi

[[ -f operator/target/operator.jar && -f node-helper/target/node-helper.jar ]] || {
  log "building the jars (mvn -B -DskipTests package)"; mvn -B -q -DskipTests package; }

rc=0
for c in operator node-helper; do
  image=localhost/quiesce-$c:smoke
  log "building $c/Dockerfile -> $image"
  start=$(date +%s)
  "${B[@]}" bud --isolation chroot --layers=false -q -f "$c/Dockerfile" \
    --build-arg JDK_IMAGE=localhost/quiesce-smoke-jdk --build-arg BASE_IMAGE=localhost/quiesce-smoke-base \
    --build-arg VERSION=smoke -t "$image" . >"$DIR/build-$c.log" 2>&1 \
    || { tail -n 20 "$DIR/build-$c.log" >&2; log "FAILED: building $c"; rc=1; continue; }
  log "built in $(( $(date +%s) - start )) s; labels: $("${B[@]}" inspect --type image --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}} {{index .OCIv1.Config.Labels "org.opencontainers.image.source"}}' "$image")"
  user=$("${B[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
  ctr=$("${B[@]}" from "$image")
  mnt=$("${B[@]}" mount "$ctr")
  log "image user $user; java runtime $(du -sh "$mnt/opt/java" | cut -f1), jar $(du -sh "$mnt/app/$c.jar" | cut -f1), whole image $(du -sh "$mnt" | cut -f1) (on the minbase stand-in)"
  "${B[@]}" umount "$ctr" >/dev/null
  case $c in
    operator) cmd=(java -XX:+UseSerialGC -jar /app/operator.jar schedule preview '30 2 * * *' --time-zone Europe/Berlin --from 2026-03-27T12:00:00Z --count 2) ;;
    node-helper) cmd=(java -XX:+UseSerialGC -jar /app/node-helper.jar agent ping --socket /tmp/no-agent-here.sock) ;;
  esac
  "${B[@]}" run --isolation chroot --user "$user" "$ctr" -- java -version 2>&1 | sed 's/^/    /' >&2 || rc=1
  log "as $user: ${cmd[*]}"
  out=$("${B[@]}" run --isolation chroot --user "$user" "$ctr" -- "${cmd[@]}" 2>&1) && code=0 || code=$?
  printf '    %s\n' "${out//$'\n'/$'\n'    }" >&2
  case $c in
    operator) [[ $code -eq 0 && $out == *"2026-03-28T02:30:00+01:00"* ]] || { log "FAILED: operator run"; rc=1; } ;;
    # no agent behind that path: the expected answer is exit 4 with one clear line
    node-helper) [[ $code -eq 4 && $out == *AgentUnavailable* ]] || { log "FAILED: node-helper run (exit $code)"; rc=1; } ;;
  esac
  "${B[@]}" rm "$ctr" >/dev/null
done
if (( rc == 0 )); then log "PASS: both Dockerfiles built and their images run"; else log "FAIL"; fi
exit "$rc"

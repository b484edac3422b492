#!/usr/bin/env bash
# build-images.sh [--tag T] [--repository-prefix P] [--engine docker|podman] [--no-build] [--dry-run]
#
# Builds the two container images from the repository root:
#   <prefix>/quiesce-operator:<tag>      from operator/Dockerfile
#   <prefix>/quiesce-node-helper:<tag>   from node-helper/Dockerfile
# Defaults: prefix ghcr.io/quiesce-io and tag = the Maven project version without -SNAPSHOT, which is
# what the chart installs by default (its appVersion; a test checks that the three agree).
# First runs `mvn -B -DskipTests package` (the Dockerfiles copy the shaded jars) unless --no-build.
# Needs docker or podman; with neither it says so and exits 3. --dry-run prints the images and the
# build commands without building anything (no engine needed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }
log() { printf '[build-images] %s\n' "$*" >&2; }

# the <version> right after <artifactId>quiesce-parent</artifactId> in the parent pom
project_version() {
  sed -n '/<artifactId>quiesce-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' pom.xml
}

VERSION=$(project_version)
[[ -n $VERSION ]] || { log "cannot read the project version from pom.xml"; exit 1; }
TAG=${VERSION%-SNAPSHOT}
PREFIX=ghcr.io/quiesce-io
ENGINE=
BUILD=1
DRY=0
while (( $# )); do
  case $1 in
    --tag) [[ $# -ge 2 ]] || usage; TAG=$2; shift 2 ;;
    --repository-prefix) [[ $# -ge 2 ]] || usage; PREFIX=${2%/}; shift 2 ;;
    --engine) [[ $# -ge 2 && $2 =~ ^(docker|podman)$ ]] || usage; ENGINE=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) usage ;;
    *) log "unknown argument: $1"; usage ;;
  esac
done
# a tag is at most 128 characters of [A-Za-z0-9_.-], not starting with . or -
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { log "not a valid image tag: $TAG"; exit 2; }

REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
COMPONENTS=(operator node-helper)

# an engine counts only when it answers: a docker CLI without a reachable daemon builds nothing
usable() { command -v "$1" >/dev/null 2>&1 && timeout 20 "$1" info >/dev/null 2>&1; }
FOUND=()
for candidate in docker podman; do
  command -v "$candidate" >/dev/null 2>&1 && FOUND+=("$candidate")
done
if [[ -z $ENGINE ]]; then
  for candidate in "${FOUND[@]}"; do
    if usable "$candidate"; then ENGINE=$candidate; break; fi
  done
fi

if (( DRY )); then
  for c in "${COMPONENTS[@]}"; do
    echo "image $PREFIX/quiesce-$c:$TAG"
    echo "${ENGINE:-docker} build -f $c/Dockerfile --build-arg VERSION=$TAG --build-arg REVISION=$REVISION -t $PREFIX/quiesce-$c:$TAG ."
  done
  exit 0
fi

if [[ -z $ENGINE ]] || ! usable "$ENGINE"; then
  if (( ${#FOUND[@]} )); then
    log "NO USABLE CONTAINER ENGINE: ${FOUND[*]} installed, but '${ENGINE:-${FOUND[0]}} info' fails (no daemon or no permission), so no image was built."
  else
    log "NO CONTAINER ENGINE: neither docker nor podman is installed here, so no image was built."
  fi
  log "Run this on a machine with a working docker or podman (see README, Container images)."
  exit 3
fi

if (( BUILD )); then
  log "building the jars (mvn -B -DskipTests package)"
  mvn -B -q -DskipTests package
fi
for c in "${COMPONENTS[@]}"; do
  [[ -f $c/target/$c.jar ]] || { log "missing $c/target/$c.jar: run without --no-build"; exit 1; }
  image=$PREFIX/quiesce-$c:$TAG
  log "building $image with $ENGINE"
  "$ENGINE" build -f "$c/Dockerfile" --build-arg "VERSION=$TAG" --build-arg "REVISION=$REVISION" -t "$image" .
done
for c in "${COMPONENTS[@]}"; do
  "$ENGINE" image inspect --format "{{.Size}}" "$PREFIX/quiesce-$c:$TAG" 2>/dev/null \
    | awk -v i="$PREFIX/quiesce-$c:$TAG" '{ printf "%s  %.0f MB\n", i, $1 / 1e6 }' || true
done

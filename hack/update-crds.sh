#!/usr/bin/env bash
# Regenerates the CRDs from the API model (crds/src/main/java/io/quiesce/api) and copies them to
# crds/ (kubectl apply -f crds/) and charts/quiesce/crds/ (Helm). CrdYamlUpToDateTest fails while
# a committed copy differs from what the build generates.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

mvn -B -q -pl crds -am process-classes

generated=crds/target/classes/META-INF/fabric8
shopt -s nullglob
sources=("$generated"/*.quiesce.io-v1.yml)
if [ ${#sources[@]} -eq 0 ]; then
  echo "no CRDs generated in $generated" >&2
  exit 1
fi

for dest in crds charts/quiesce/crds; do
  mkdir -p "$dest"
  rm -f "$dest"/*.quiesce.io.yaml          # drop CRDs of kinds that no longer exist
  for f in "${sources[@]}"; do
    cp "$f" "$dest/$(basename "$f" -v1.yml).yaml"
  done
done
echo "CRDs updated: $(cd crds && ls *.quiesce.io.yaml | tr '\n' ' ')"

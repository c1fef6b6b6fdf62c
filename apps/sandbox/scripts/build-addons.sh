#!/usr/bin/env bash
# Builds the cluster add-ons and the chart tool from their published Go modules (through the Go module proxy)
# into a versioned cache directory outside the repo:
#   kube-proxy  k8s.io/kubernetes/cmd/kube-proxy, same wrapper module as build-k8s.sh (the Go build cache of the
#               other Kubernetes binaries makes it cheap)
#   coredns     github.com/coredns/coredns with only the plugins the sandbox's Corefile uses
#   helm        helm.sh/helm/v4/cmd/helm (for the chart tests)
# Usage: build-addons.sh <k8s-version> <coredns-version> <helm-version> <out-dir>
# Idempotent: a complete out-dir (marker file present) is left untouched.
set -euo pipefail
K8S="${1:?k8s version, e.g. 1.34.4}"
COREDNS="${2:?coredns version, e.g. 1.15.0}"
HELM="${3:?helm version, e.g. 4.3.2}"
OUT="${4:?output directory}"
if [[ -f "$OUT/.complete" ]]; then echo "cached: $OUT"; exit 0; fi
mkdir -p "$OUT"
# shellcheck source=k8s-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/k8s-module.sh"
require_go build-addons.sh 1.26
START=$SECONDS
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "[1/4] kube-proxy v$K8S (k8s.io/kubernetes wrapper module)"
mkdir -p "$WORK/k8s" && cd "$WORK/k8s"
init_k8s_wrapper_module "$K8S"
go get "k8s.io/kubernetes/cmd/kube-proxy@v$K8S"
LDF="$(k8s_ldflags "$K8S")"
go build -trimpath -ldflags "$LDF" -o "$OUT/kube-proxy" k8s.io/kubernetes/cmd/kube-proxy

echo "[2/4] coredns v$COREDNS (errors, health, ready, kubernetes, forward, cache, loadbalance, bind, log)"
mkdir -p "$WORK/tools" && cd "$WORK/tools"
go mod init local/toolsbuild >/dev/null 2>&1
mkdir -p coredns
# Upstream's main imports every plugin (cloud DNS providers included); the sandbox needs a handful.
cat > coredns/main.go <<'EOF'
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() { coremain.Run() }
EOF
# coredns and helm share one module graph, so the k8s.io libraries they both use compile once.
go get "github.com/coredns/coredns@v$COREDNS" "helm.sh/helm/v4@v$HELM"
go build -trimpath -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=v$COREDNS" -o "$OUT/coredns" ./coredns

echo "[3/4] helm v$HELM"
go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=v$HELM" -o "$OUT/helm" helm.sh/helm/v4/cmd/helm

echo "[4/4] verifying"
"$OUT/kube-proxy" --version
"$OUT/coredns" -version | head -1
"$OUT/coredns" -plugins | grep -q kubernetes
"$OUT/helm" version --short
echo "k8s=$K8S coredns=$COREDNS helm=$HELM built_in_s=$((SECONDS - START))" > "$OUT/.complete"
echo "built in $((SECONDS - START)) s"

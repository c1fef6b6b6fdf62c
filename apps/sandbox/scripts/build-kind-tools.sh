#!/usr/bin/env bash
# Builds what a kind node needs beyond the local provider's binaries: kubeadm and kubectl (k8s.io/kubernetes),
# crictl (sigs.k8s.io/cri-tools) and kind itself (sigs.k8s.io/kind), all from the Go module proxy, into a
# versioned cache directory outside the repo. kind's own node files (entrypoint, systemd units) are copied
# from the kind module (Apache-2.0) into <out>/kind-files as build inputs of the node image.
# Also CoreDNS with the plugins kubeadm's Corefile names (the local provider's build has fewer).
# Usage: build-kind-tools.sh <k8s-version> <crictl-version> <kind-version> <coredns-version> <out-dir>
# Idempotent: a complete out-dir (marker file present) is left untouched.
set -euo pipefail
K8S="${1:?k8s version, e.g. 1.34.4}"
CRICTL="${2:?crictl version, e.g. 1.34.0}"
KIND="${3:?kind version, e.g. 0.33.0}"
COREDNS="${4:?coredns version, e.g. 1.15.0}"
OUT="${5:?output directory}"
if [[ -f "$OUT/.complete" ]]; then echo "cached: $OUT"; exit 0; fi
mkdir -p "$OUT"
# shellcheck source=k8s-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/k8s-module.sh"
require_go build-kind-tools.sh 1.25
START=$SECONDS
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "[1/5] kind v$KIND"
GOBIN="$OUT" go install "sigs.k8s.io/kind@v$KIND"
KIND_DIR="$(go mod download -json "sigs.k8s.io/kind@v$KIND" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
rm -rf "$OUT/kind-files" && mkdir -p "$OUT/kind-files"
cp -r "$KIND_DIR/images/base/files/." "$OUT/kind-files/"
cp "$KIND_DIR/LICENSE" "$OUT/kind-files/LICENSE.kind"
chmod -R u+w "$OUT/kind-files"

echo "[2/5] kubeadm and kubectl v$K8S"
mkdir -p "$WORK/k8s" && cd "$WORK/k8s"
init_k8s_wrapper_module "$K8S"
go get "k8s.io/kubernetes/cmd/kubeadm@v$K8S" "k8s.io/kubernetes/cmd/kubectl@v$K8S"
LDF="$(k8s_ldflags "$K8S")"
for c in kubeadm kubectl; do
  echo "  - $c"
  go build -trimpath -ldflags "$LDF" -o "$OUT/$c" "k8s.io/kubernetes/cmd/$c"
done

echo "[3/5] crictl v$CRICTL"
mkdir -p "$WORK/crictl" && cd "$WORK/crictl"
go mod init local/crictlbuild >/dev/null 2>&1
go get "sigs.k8s.io/cri-tools/cmd/crictl@v$CRICTL"
go build -trimpath -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=v$CRICTL" -o "$OUT/crictl" sigs.k8s.io/cri-tools/cmd/crictl

echo "[4/5] coredns v$COREDNS (the plugins of kubeadm's Corefile)"
mkdir -p "$WORK/coredns/cmd" && cd "$WORK/coredns"
go mod init local/corednsbuild >/dev/null 2>&1
{
  printf 'package main\n\nimport (\n\t_ "github.com/coredns/coredns/core/dnsserver"\n\t"github.com/coredns/coredns/coremain"\n'
  for p in cache errors forward health kubernetes loadbalance log loop metrics ready reload; do
    printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"
  done
  printf ')\n\nfunc main() { coremain.Run() }\n'
} >cmd/main.go
go get "github.com/coredns/coredns@v$COREDNS"
go build -trimpath -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=v$COREDNS" -o "$OUT/coredns" ./cmd

echo "[5/5] verifying"
"$OUT/kind" version
"$OUT/kubeadm" version -o short
"$OUT/crictl" --version
"$OUT/coredns" -plugins | grep -q reload
echo "k8s=$K8S crictl=$CRICTL kind=$KIND coredns=$COREDNS built_in_s=$((SECONDS - START))" > "$OUT/.complete"
echo "built in $((SECONDS - START)) s"

#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and etcd from their
# published Go modules (through the Go module proxy) into a versioned cache directory outside the repo.
# Usage: build-k8s.sh <k8s-version> <etcd-version> <out-dir>
# Idempotent: a complete out-dir (marker file present) is left untouched.
set -euo pipefail
K8S="${1:?k8s version, e.g. 1.34.4}"
ETCD="${2:?etcd version, e.g. 3.6.16}"
OUT="${3:?output directory}"
if [[ -f "$OUT/.complete" ]]; then echo "cached: $OUT"; exit 0; fi
mkdir -p "$OUT"
# shellcheck source=k8s-module.sh
source "$(dirname "${BASH_SOURCE[0]}")/k8s-module.sh"
require_go build-k8s.sh 1.25
START=$SECONDS
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "[1/4] resolving k8s.io/kubernetes v$K8S staging modules"
mkdir -p "$WORK/k8s" && cd "$WORK/k8s"
init_k8s_wrapper_module "$K8S"
CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
PKGS=()
for c in "${CMDS[@]}"; do PKGS+=("k8s.io/kubernetes/cmd/$c"); done
go get "${PKGS[@]/%/@v$K8S}"
LDF="$(k8s_ldflags "$K8S")"
echo "[2/4] building ${CMDS[*]} (this takes many minutes on a cold cache)"
for c in "${CMDS[@]}"; do
  echo "  - $c"
  go build -trimpath -ldflags "$LDF" -o "$OUT/$c" "k8s.io/kubernetes/cmd/$c"
done

echo "[3/4] building etcd v$ETCD"
mkdir -p "$WORK/etcd" && cd "$WORK/etcd"
go mod init local/etcdbuild >/dev/null 2>&1
go get "go.etcd.io/etcd/server/v3@v$ETCD"
go build -trimpath -ldflags '-s -w' -o "$OUT/etcd" go.etcd.io/etcd/server/v3

echo "[4/4] verifying"
"$OUT/kube-apiserver" --version
"$OUT/etcd" --version | head -1
echo "k8s=$K8S etcd=$ETCD built_in_s=$((SECONDS - START))" > "$OUT/.complete"
echo "built in $((SECONDS - START)) s"

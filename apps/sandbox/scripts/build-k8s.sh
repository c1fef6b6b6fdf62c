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
# The Go toolchain of these machines lives in /usr/local/go; it is not always on PATH (CI shells).
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
command -v go >/dev/null 2>&1 || { echo "build-k8s.sh: no Go toolchain (need Go >= 1.25 and the Go module proxy)" >&2; exit 1; }
START=$SECONDS
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
V0="v0.${K8S#1.}"
MINOR="${K8S#1.}"; MINOR="${MINOR%%.*}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "[1/4] resolving k8s.io/kubernetes v$K8S staging modules"
mkdir -p "$WORK/k8s" && cd "$WORK/k8s"
go mod init local/k8sbuild >/dev/null 2>&1
MODFILE="$(go mod download -json "k8s.io/kubernetes@v$K8S" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
for m in $(awk '$1 ~ /^k8s\.io\// && $2=="v0.0.0" {print $1}' "$MODFILE"); do
  go mod edit -replace="$m=$m@$V0"
done
GODEBUG_LINE="$(awk '$1=="godebug" {print $2}' "$MODFILE" | head -1)"
if [[ -n "$GODEBUG_LINE" ]]; then go mod edit -godebug="$GODEBUG_LINE"; fi
CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
PKGS=()
for c in "${CMDS[@]}"; do PKGS+=("k8s.io/kubernetes/cmd/$c"); done
go get "${PKGS[@]/%/@v$K8S}"
LDF="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S -X k8s.io/component-base/version.gitMajor=1 \
 -X k8s.io/component-base/version.gitMinor=$MINOR -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
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

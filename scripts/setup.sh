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
echo "› pnpm install"
CI=true pnpm install --frozen-lockfile --reporter=append-only | tail -n 3
echo "› Node 24: $(bash scripts/ensure-node24.sh)"

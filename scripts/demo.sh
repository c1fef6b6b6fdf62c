#!/usr/bin/env bash
# Installs everything, builds the packages, and runs the main demo: the sandbox's default scenario
# (a real claude CLI in a Kubernetes Job on the embedded local cluster, against the mock Anthropic API,
# driven by the claude_k8s adapter), printed through the claude-parse terminal formatter.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
bash scripts/setup.sh
# The adapters require Node >= 24.11 (Paperclip's range) and the workspace is engine-strict: pnpm runs on Node 24.
export PATH="$(dirname "$(bash scripts/ensure-node24.sh)"):$PATH"
pnpm build
pnpm demo "$@"

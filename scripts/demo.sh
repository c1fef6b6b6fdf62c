#!/usr/bin/env bash
# Installs everything, builds the packages, and runs the main demo: Paperclip deployed into the sandbox cluster with
# the Helm chart, our adapter released to a local registry and installed by Paperclip, a claude_k8s agent doing an
# assigned issue from its Job (the real claude CLI against the mock Anthropic API), its transcript printed through
# the claude-parse terminal formatter. `bash scripts/demo.sh --adapter-only` runs the lighter adapter-only demo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
bash scripts/setup.sh
# The adapters require Node >= 24.11 (Paperclip's range) and the workspace is engine-strict: pnpm runs on Node 24.
export PATH="$(dirname "$(bash scripts/ensure-node24.sh)"):$PATH"
pnpm build
pnpm demo "$@"

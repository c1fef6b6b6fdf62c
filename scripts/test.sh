#!/usr/bin/env bash
# The whole test suite: static checks, unit tests under Node 20 and Node 24 (one merged coverage run),
# then every end-to-end suite against real parts (the sandbox's local Kubernetes cluster, real claude CLIs,
# the real Paperclip server). Reports land in reports/*.json; the last line sums them.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 FORCE_COLOR=0
bash scripts/setup.sh || exit 1
NODE24="$(bash scripts/ensure-node24.sh)"
export NODE24
# The adapters and run-core declare the Node range Paperclip requires (>= 24.11) and the workspace is
# engine-strict, so pnpm runs under Node 24; claude-parse and k8s-runtime stay tested under Node 20 below.
NODE20="$(command -v node)"
export PATH="$(dirname "$NODE24"):$PATH"
rm -rf reports && mkdir -p reports
STATUS=0
step() {
  local name="$1"; shift
  local t0=$SECONDS
  echo "::: $name"
  if "$@"; then echo "::: $name ok ($((SECONDS - t0)) s)"; else echo "::: $name FAILED ($((SECONDS - t0)) s)"; STATUS=1; fi
}
vitest_json() { # <report-name> [vitest args...]
  local report="$1"; shift
  pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$ROOT/reports/$report.json" "$@"
}

step "build" pnpm build
step "typecheck" pnpm typecheck
step "lint" pnpm lint
step "check:pkg" pnpm check:pkg
step "unit (node 20, coverage)" "$NODE20" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
  --outputFile.json=reports/unit-node20.json --coverage
step "unit (node 24)" "$NODE24" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
  --outputFile.json=reports/unit-node24.json

# The shared cluster first, as its own step: a cold start builds the Kubernetes binaries and images (minutes),
# which should not run inside a vitest hook. The suites' global setup then reuses it.
if [[ -f apps/sandbox/src/cli.ts ]]; then
  step "sandbox up" pnpm --silent sandbox up
fi

# End-to-end suites: each package or app with a vitest.e2e.config.ts, then the Paperclip suite.
# They share one sandbox cluster, started (or reused) by the sandbox's vitest global setup.
for cfg in apps/sandbox/vitest.e2e.config.ts packages/*/vitest.e2e.config.ts apps/sandbox/vitest.paperclip.config.ts; do
  [[ -f "$cfg" ]] || continue
  dir="$(dirname "$cfg")"
  name="$(basename "$dir")-$(basename "$cfg" .config.ts | sed 's/^vitest\.//')"
  step "$name" vitest_json "$name" --root "$ROOT/$dir" --config "$ROOT/$cfg"
done

if [[ -z "${SANDBOX_KEEP:-}" ]] && [[ -f apps/sandbox/src/cli.ts ]]; then
  step "sandbox down" pnpm --silent sandbox down
fi

# kind smoke (issue 17), after the local cluster is down (2 cores): a kind cluster on the sandbox's own Docker engine
# with the node image it builds offline, one claude_k8s run of the adapter smoke suite and the in-cluster Paperclip
# suite on it, then down, which fails on anything left on the host (processes, mounts, the node network's bridge,
# kernel settings).
kind_smoke() {
  local rc=0
  pnpm --silent sandbox up --provider kind || rc=1
  if [[ $rc == 0 ]]; then
    SANDBOX_PROVIDER=kind vitest_json adapter-k8s-kind-smoke --root "$ROOT/packages/adapter-k8s" \
      --config "$ROOT/packages/adapter-k8s/vitest.e2e.config.ts" src/e2e/smoke.e2e.test.ts || rc=1
    # the production topology on kind too: the chart, the adapter installed by name from the registry, one agent run
    SANDBOX_PROVIDER=kind vitest_json sandbox-kind-in-cluster --root "$ROOT/apps/sandbox" \
      --config "$ROOT/apps/sandbox/vitest.e2e.config.ts" src/e2e/in-cluster.e2e.test.ts || rc=1
  fi
  pnpm --silent sandbox down --provider kind || rc=1
  return $rc
}
if [[ -f apps/sandbox/src/cluster/kind-provider.ts ]]; then
  step "kind smoke" kind_smoke
fi
echo
echo "test.sh wall time: ${SECONDS} s"
# The closing line: N passed, N failed, N skipped (summed from the vitest JSON reports).
node scripts/summarize-reports.mjs reports || STATUS=1
exit $STATUS

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { workspaceAlias } from "./vitest.workspace-alias.js";

// e2e suites run against the sandbox's real cluster (real apiserver, real kubelet on containerd) with the real
// claude image and the mock Anthropic API. The sandbox's global setup starts or reuses the cluster; without it the
// suites use $KUBECONFIG or <repo>/.sandbox/kubeconfig.
const sandboxSetup = fileURLToPath(new URL("../../apps/sandbox/src/e2e-setup.ts", import.meta.url));

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    include: ["src/**/*.e2e.test.ts"],
    globalSetup: existsSync(sandboxSetup) ? [sandboxSetup] : [],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
  },
});

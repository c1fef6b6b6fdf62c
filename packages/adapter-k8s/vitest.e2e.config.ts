import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";
import { workspaceAlias } from "./vitest.workspace-alias.js";

// e2e suites run against the sandbox's real cluster (real apiserver, real kubelet on containerd) with the real
// claude image and the mock Anthropic API. The global setup (@paperclip-k8s/testing, through `pnpm sandbox up`)
// starts or reuses the cluster and exports KUBECONFIG and SANDBOX_POD_HOST.
const sandboxSetup = createRequire(import.meta.url).resolve("@paperclip-k8s/testing/e2e-setup");

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    include: ["src/**/*.e2e.test.ts"],
    globalSetup: [sandboxSetup],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
  },
});
